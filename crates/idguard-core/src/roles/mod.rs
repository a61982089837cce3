//! Built-in Azure role definitions: the data table the rules consult.
//! (Placeholder until the table lands.)

#[derive(Debug, PartialEq, Eq)]
pub struct BuiltinRole {
    pub id: &'static str,
    pub name: &'static str,
    pub privileged: bool,
    pub grants_access: bool,
    pub data_plane: bool,
    pub identity_attach: bool,
    pub wildcard_actions: bool,
}

pub enum RoleDefinitionRef<'a> {
    ResourceId { guid: &'a str },
    BareGuid(&'a str),
    Malformed,
}

pub fn by_id(_guid: &str) -> Option<&'static BuiltinRole> {
    None
}

pub fn is_guid(s: &str) -> bool {
    s.len() == 36
}

pub fn parse_role_definition_id(s: &str) -> RoleDefinitionRef<'_> {
    match s.rsplit_once('/') {
        Some((_, g)) => RoleDefinitionRef::ResourceId { guid: g },
        None => RoleDefinitionRef::BareGuid(s),
    }
}

pub fn by_name(_name: &str) -> Option<&'static BuiltinRole> {
    None
}
