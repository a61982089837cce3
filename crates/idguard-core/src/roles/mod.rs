//! Built-in Azure role definitions: the data table the rules consult.
//!
//! The table lives in `builtin.tsv` next to this file (one role a line: GUID,
//! display name, flags, optional former names) and is embedded with
//! `include_str!`, parsed once on first use and indexed by GUID and by name,
//! so every lookup is a hash-map probe. The Azure Cosmos DB for NoSQL
//! built-in data-plane roles, which are not Azure RBAC roles, are kept apart
//! in `cosmos_sql.tsv` and reached through [`cosmos_sql_by_id`].
//!
//! The module also reads the ways templates write a `roleDefinitionId`
//! ([`parse_role_definition_id`]). See `docs/roles.md` for what each flag
//! means to the rules and how to add a role.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The embedded Azure RBAC built-in role table.
const BUILTIN_TSV: &str = include_str!("builtin.tsv");
/// The embedded Cosmos DB for NoSQL built-in data-plane role table.
const COSMOS_SQL_TSV: &str = include_str!("cosmos_sql.tsv");

/// Which role system a [`BuiltinRole`] belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RoleKind {
    /// An Azure RBAC role definition
    /// (`Microsoft.Authorization/roleDefinitions`).
    AzureRbac,
    /// An Azure Cosmos DB for NoSQL data-plane role definition
    /// (`Microsoft.DocumentDB/databaseAccounts/sqlRoleDefinitions`).
    CosmosSql,
}

/// One built-in role definition and the traits the rules care about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltinRole {
    /// Role definition GUID, lowercase, without braces.
    pub id: &'static str,
    /// Exact display name (`roleName`) as Azure reports it.
    pub name: &'static str,
    /// In Microsoft's "Privileged" category of built-in roles (Owner,
    /// Contributor, User Access Administrator, Role Based Access Control
    /// Administrator, Reservations Administrator).
    pub privileged: bool,
    /// Can create role assignments: its actions include
    /// `Microsoft.Authorization/roleAssignments/write`, possibly narrowed by
    /// an ABAC condition.
    pub grants_access: bool,
    /// Has at least one `dataActions` entry (reaches the data inside a
    /// resource, not only its management plane).
    pub data_plane: bool,
    /// Can attach or manage user-assigned identities or their credentials
    /// (Managed Identity Operator, Managed Identity Contributor, …).
    pub identity_attach: bool,
    /// `actions` contains the bare `*`.
    pub wildcard_actions: bool,
    /// Which role system this role belongs to.
    pub kind: RoleKind,
    /// Former display names Azure used for this role, if any.
    pub former_names: Vec<&'static str>,
}

/// A parsed role table with its lookup indexes.
#[derive(Debug)]
struct Table {
    roles: Vec<BuiltinRole>,
    bad_lines: Vec<usize>,
    by_id: HashMap<&'static str, usize>,
    by_name: HashMap<String, usize>,
}

/// Outcome of parsing one table text: the roles and the 1-based numbers of
/// lines that were neither blank, comments nor valid roles.
#[derive(Debug)]
struct Parsed {
    roles: Vec<BuiltinRole>,
    bad_lines: Vec<usize>,
}

/// Parses one line of a role table, or `None` when it is malformed.
fn parse_line(line: &'static str, kind: RoleKind) -> Option<BuiltinRole> {
    let mut cols = line.split('\t');
    let id = cols.next()?;
    let name = cols.next()?;
    let flags = cols.next()?;
    let aliases = cols.next();
    if cols.next().is_some() {
        return None;
    }
    if !is_guid(id) || id.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    if name.is_empty() || name.trim() != name {
        return None;
    }
    let mut role = BuiltinRole {
        id,
        name,
        privileged: false,
        grants_access: false,
        data_plane: false,
        identity_attach: false,
        wildcard_actions: false,
        kind,
        former_names: Vec::new(),
    };
    if flags != "-" {
        for flag in flags.split(',') {
            let slot = match flag {
                "privileged" => &mut role.privileged,
                "grants_access" => &mut role.grants_access,
                "data_plane" => &mut role.data_plane,
                "identity_attach" => &mut role.identity_attach,
                "wildcard_actions" => &mut role.wildcard_actions,
                _ => return None,
            };
            if *slot {
                return None;
            }
            *slot = true;
        }
    }
    if let Some(aliases) = aliases {
        for alias in aliases.split(';') {
            if alias.is_empty() || alias.trim() != alias {
                return None;
            }
            role.former_names.push(alias);
        }
    }
    Some(role)
}

/// Parses a whole role table text. Malformed lines are skipped and reported.
fn parse_table(text: &'static str, kind: RoleKind) -> Parsed {
    let mut roles = Vec::new();
    let mut bad_lines = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        match parse_line(line, kind) {
            Some(role) => roles.push(role),
            None => bad_lines.push(index + 1),
        }
    }
    Parsed { roles, bad_lines }
}

/// Builds the indexed table; a role whose GUID or name (or former name) is
/// already taken is left out of the index it would collide in.
fn build_table(text: &'static str, kind: RoleKind) -> Table {
    let Parsed { roles, bad_lines } = parse_table(text, kind);
    let mut by_id = HashMap::with_capacity(roles.len());
    let mut by_name = HashMap::with_capacity(roles.len());
    for (index, role) in roles.iter().enumerate() {
        by_id.entry(role.id).or_insert(index);
        by_name.entry(role.name.to_lowercase()).or_insert(index);
        for alias in &role.former_names {
            by_name.entry(alias.to_lowercase()).or_insert(index);
        }
    }
    Table {
        roles,
        bad_lines,
        by_id,
        by_name,
    }
}

/// The Azure RBAC table, parsed on first use.
fn rbac_table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| build_table(BUILTIN_TSV, RoleKind::AzureRbac))
}

/// The Cosmos DB SQL data-plane table, parsed on first use.
fn cosmos_table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| build_table(COSMOS_SQL_TSV, RoleKind::CosmosSql))
}

/// Looks a GUID up in one table, case-insensitively.
fn lookup_id(table: &'static Table, guid: &str) -> Option<&'static BuiltinRole> {
    if !is_guid(guid) {
        return None;
    }
    let lower = guid.to_ascii_lowercase();
    let index = *table.by_id.get(lower.as_str())?;
    table.roles.get(index)
}

/// The Azure RBAC built-in role with this role definition GUID
/// (case-insensitive; a bare GUID without braces).
pub fn by_id(guid: &str) -> Option<&'static BuiltinRole> {
    lookup_id(rbac_table(), guid)
}

/// The Azure RBAC built-in role with this display name (case-insensitive,
/// otherwise exact). Former display names listed in the table also match.
pub fn by_name(name: &str) -> Option<&'static BuiltinRole> {
    let table = rbac_table();
    let index = *table.by_name.get(&name.to_lowercase())?;
    table.roles.get(index)
}

/// Every Azure RBAC built-in role idguard knows, in table order.
pub fn all() -> &'static [BuiltinRole] {
    &rbac_table().roles
}

/// 1-based numbers of `builtin.tsv` lines that did not parse and were
/// skipped. Empty in a correct build (the test suite asserts it); a front end
/// may surface a non-empty list as an internal error.
pub fn malformed_table_lines() -> &'static [usize] {
    &rbac_table().bad_lines
}

/// The Cosmos DB for NoSQL built-in data-plane role with this GUID
/// (`…/sqlRoleDefinitions/<guid>`), case-insensitive.
pub fn cosmos_sql_by_id(guid: &str) -> Option<&'static BuiltinRole> {
    lookup_id(cosmos_table(), guid)
}

/// Every Cosmos DB for NoSQL built-in data-plane role idguard knows.
pub fn cosmos_sql_all() -> &'static [BuiltinRole] {
    &cosmos_table().roles
}

/// True when `s` is a GUID in the 8-4-4-4-12 hexadecimal form, without
/// braces (either letter case).
pub fn is_guid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Which resource-ID form a `roleDefinitionId` was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RoleDefinitionIdForm {
    /// `/subscriptions/<sub>/providers/Microsoft.Authorization/roleDefinitions/<guid>`
    /// (what `subscriptionResourceId()` produces).
    Subscription,
    /// `/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Authorization/roleDefinitions/<guid>`
    /// (a resource-group-qualified ID; reported so a rule can decide).
    ResourceGroup,
    /// `/providers/Microsoft.Management/managementGroups/<mg>/providers/Microsoft.Authorization/roleDefinitions/<guid>`.
    ManagementGroup,
    /// `/providers/Microsoft.Authorization/roleDefinitions/<guid>`
    /// (what `tenantResourceId()` produces).
    Tenant,
}

/// What a literal `roleDefinitionId` string turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RoleDefinitionRef<'a> {
    /// A role-definition resource ID; `guid` is its last segment as written.
    ResourceId {
        /// The role definition GUID (original case; look it up with [`by_id`]).
        guid: &'a str,
        /// Which resource-ID form it was written in.
        form: RoleDefinitionIdForm,
    },
    /// A bare GUID. ARM rejects this for `roleDefinitionId`, which needs the
    /// role definition's resource ID.
    BareGuid(&'a str),
    /// Anything else: a role name, a malformed GUID, a wrong provider path.
    Malformed,
}

impl<'a> RoleDefinitionRef<'a> {
    /// The role definition GUID, whether written bare or in a resource ID.
    pub fn guid(&self) -> Option<&'a str> {
        match *self {
            RoleDefinitionRef::ResourceId { guid, .. } | RoleDefinitionRef::BareGuid(guid) => {
                Some(guid)
            }
            RoleDefinitionRef::Malformed => None,
        }
    }
}

/// Reads a literal `roleDefinitionId` value. Segment names
/// (`subscriptions`, `providers`, `Microsoft.Authorization`,
/// `roleDefinitions`, …) match case-insensitively; the GUID must be
/// well-formed. Whitespace is not trimmed.
pub fn parse_role_definition_id(s: &str) -> RoleDefinitionRef<'_> {
    if is_guid(s) {
        return RoleDefinitionRef::BareGuid(s);
    }
    let Some(rest) = s.strip_prefix('/') else {
        return RoleDefinitionRef::Malformed;
    };
    let segments: Vec<&str> = rest.split('/').collect();
    let (guid, form) = match segments.as_slice() {
        [p, ns, rd, guid] if is_role_definitions_tail(p, ns, rd) => {
            (*guid, RoleDefinitionIdForm::Tenant)
        }
        [subs, sub, p, ns, rd, guid]
            if eq(subs, "subscriptions") && is_name(sub) && is_role_definitions_tail(p, ns, rd) =>
        {
            (*guid, RoleDefinitionIdForm::Subscription)
        }
        [subs, sub, rgs, rg, p, ns, rd, guid]
            if eq(subs, "subscriptions")
                && is_name(sub)
                && eq(rgs, "resourceGroups")
                && is_name(rg)
                && is_role_definitions_tail(p, ns, rd) =>
        {
            (*guid, RoleDefinitionIdForm::ResourceGroup)
        }
        [p1, mgmt, mgs, mg, p, ns, rd, guid]
            if eq(p1, "providers")
                && eq(mgmt, "Microsoft.Management")
                && eq(mgs, "managementGroups")
                && is_name(mg)
                && is_role_definitions_tail(p, ns, rd) =>
        {
            (*guid, RoleDefinitionIdForm::ManagementGroup)
        }
        _ => return RoleDefinitionRef::Malformed,
    };
    if is_guid(guid) {
        RoleDefinitionRef::ResourceId { guid, form }
    } else {
        RoleDefinitionRef::Malformed
    }
}

/// Case-insensitive ASCII comparison of a path segment.
fn eq(segment: &str, expected: &str) -> bool {
    segment.eq_ignore_ascii_case(expected)
}

/// `providers/Microsoft.Authorization/roleDefinitions`, any case.
fn is_role_definitions_tail(p: &str, ns: &str, rd: &str) -> bool {
    eq(p, "providers") && eq(ns, "Microsoft.Authorization") && eq(rd, "roleDefinitions")
}

/// A non-empty path segment without surrounding whitespace.
fn is_name(segment: &str) -> bool {
    !segment.is_empty() && segment.trim() == segment
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// The seven IDs of `RULES.md`, with their exact names.
    const RULES_MD_ROLES: [(&str, &str); 7] = [
        ("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "Owner"),
        ("b24988ac-6180-42a0-ab88-20f7382dd24c", "Contributor"),
        ("acdd72a7-3385-48ef-bd42-f606fba81ae7", "Reader"),
        (
            "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
            "User Access Administrator",
        ),
        (
            "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
            "Role Based Access Control Administrator",
        ),
        (
            "f1a07417-d97a-45cb-824c-7a7467783830",
            "Managed Identity Operator",
        ),
        (
            "e40ec5ca-96e0-45a2-b4ff-59039f2c2b59",
            "Managed Identity Contributor",
        ),
    ];

    fn role_lines(text: &str) -> usize {
        text.lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .count()
    }

    #[test]
    fn builtin_table_parses_completely() {
        let parsed = parse_table(BUILTIN_TSV, RoleKind::AzureRbac);
        assert!(
            parsed.bad_lines.is_empty(),
            "malformed lines in builtin.tsv: {:?}",
            parsed.bad_lines
        );
        assert_eq!(parsed.roles.len(), role_lines(BUILTIN_TSV));
        assert_eq!(all().len(), role_lines(BUILTIN_TSV));
        assert!(malformed_table_lines().is_empty());
        assert!(all().len() >= 250, "table shrank to {}", all().len());
    }

    /// The table holds every current built-in role (933 in the 2026-08
    /// dump: 928 listed by `az role definition list` plus 5 tenant-only
    /// roles kept from before), not a hand-picked subset.
    #[test]
    fn builtin_table_is_complete() {
        assert!(
            (900..2000).contains(&all().len()),
            "{} roles: regenerate builtin.tsv with scripts/roles-table.py",
            all().len()
        );
        for (id, name) in [
            (
                "47be4a87-7950-4631-9daf-b664a405f074",
                "Monitoring Policy Contributor",
            ),
            ("acdd72a7-3385-48ef-bd42-f606fba81ae7", "Reader"),
            (
                "a8889054-8d42-49c9-bc1c-52486c10e7cd",
                "Reservations Administrator",
            ),
            (
                "4e50c84c-c78e-4e37-b47e-e60ffea0a775",
                "Service Group Administrator",
            ),
            (
                "7e559ce2-48d7-4b27-9128-fa1b247f1308",
                "Managed Identity Federated Identity Credential Contributor",
            ),
            (
                "92aaf0da-9dab-42b6-94a3-d43ce8d16293",
                "Log Analytics Contributor",
            ),
        ] {
            assert_eq!(by_id(id).map(|r| r.name), Some(name), "{id}");
        }
        // A name Azure reports with a trailing space is stored trimmed.
        assert!(by_name("Azure Arc VMware Administrator role").is_some());
        // Flags follow the actions: Monitoring Policy Contributor reads and
        // writes monitoring resources only.
        assert_eq!(
            flags("Monitoring Policy Contributor"),
            (false, false, false, false, false)
        );
        // Log Analytics Reader has a dataAction (workspace job export).
        assert!(flags("Log Analytics Reader").2);
        // Foundry Owner may write role assignments (ABAC-constrained).
        assert!(flags("Foundry Owner").1);
        assert!(flags("Managed Identity Federated Identity Credential Contributor").3);
    }

    #[test]
    fn cosmos_table_parses_completely() {
        let parsed = parse_table(COSMOS_SQL_TSV, RoleKind::CosmosSql);
        assert!(parsed.bad_lines.is_empty(), "{:?}", parsed.bad_lines);
        assert_eq!(parsed.roles.len(), 2);
        assert_eq!(cosmos_sql_all().len(), 2);
        assert!(cosmos_table().bad_lines.is_empty());
    }

    #[test]
    fn ids_are_unique_lowercase_guids_and_names_unique() {
        let mut ids = HashSet::new();
        let mut names = HashSet::new();
        for role in all() {
            assert!(is_guid(role.id), "{}", role.id);
            assert_eq!(role.id, role.id.to_ascii_lowercase());
            assert!(ids.insert(role.id), "duplicate id {}", role.id);
            assert!(
                names.insert(role.name.to_lowercase()),
                "duplicate name {}",
                role.name
            );
            assert_eq!(role.kind, RoleKind::AzureRbac);
        }
        for role in all() {
            for alias in &role.former_names {
                assert!(
                    names.insert(alias.to_lowercase()),
                    "former name {alias} clashes"
                );
            }
        }
        // Every role is reachable through both indexes.
        for role in all() {
            assert_eq!(by_id(role.id), Some(role));
            assert_eq!(by_name(role.name), Some(role));
        }
    }

    #[test]
    fn cosmos_roles_are_separate_from_rbac() {
        let reader = cosmos_sql_by_id("00000000-0000-0000-0000-000000000001");
        let contributor = cosmos_sql_by_id("00000000-0000-0000-0000-000000000002");
        assert_eq!(
            reader.map(|r| r.name),
            Some("Cosmos DB Built-in Data Reader")
        );
        assert_eq!(
            contributor.map(|r| r.name),
            Some("Cosmos DB Built-in Data Contributor")
        );
        for role in cosmos_sql_all() {
            assert_eq!(role.kind, RoleKind::CosmosSql);
            assert!(role.data_plane);
            assert!(by_id(role.id).is_none(), "{} leaked into RBAC", role.id);
        }
        assert!(by_name("Cosmos DB Built-in Data Reader").is_none());
        assert!(cosmos_sql_by_id("8e3af657-a8ff-443c-a75c-2fe8c4bcb635").is_none());
    }

    #[test]
    fn rules_md_roles_present_with_exact_names() {
        for (id, name) in RULES_MD_ROLES {
            let role = by_id(id).unwrap_or_else(|| panic!("{name} missing"));
            assert_eq!(role.name, name);
        }
    }

    fn flags(name: &str) -> (bool, bool, bool, bool, bool) {
        let r = by_name(name).unwrap_or_else(|| panic!("{name} missing"));
        (
            r.privileged,
            r.grants_access,
            r.data_plane,
            r.identity_attach,
            r.wildcard_actions,
        )
    }

    #[test]
    fn flags_of_key_roles() {
        // (privileged, grants_access, data_plane, identity_attach, wildcard_actions)
        assert_eq!(flags("Owner"), (true, true, false, false, true));
        assert_eq!(flags("Contributor"), (true, false, false, false, true));
        assert_eq!(flags("Reader"), (false, false, false, false, false));
        assert_eq!(
            flags("User Access Administrator"),
            (true, true, false, false, false)
        );
        assert_eq!(
            flags("Role Based Access Control Administrator"),
            (true, true, false, false, false)
        );
        assert_eq!(
            flags("Managed Identity Operator"),
            (false, false, false, true, false)
        );
        assert_eq!(
            flags("Managed Identity Contributor"),
            (false, false, false, true, false)
        );
        assert_eq!(
            flags("Key Vault Secrets User"),
            (false, false, true, false, false)
        );
        assert_eq!(
            flags("Storage Blob Data Contributor"),
            (false, false, true, false, false)
        );
        // Accuracy checks on roles that are easy to get wrong.
        assert_eq!(flags("AcrPull"), (false, false, false, false, false));
        assert_eq!(
            flags("Key Vault Data Access Administrator"),
            (false, true, false, false, false)
        );
        assert!(!flags("Key Vault Contributor").2);
        assert!(flags("Key Vault Reader").2);
        assert!(!flags("Storage Blob Delegator").2);
    }

    #[test]
    fn invariants_between_flags() {
        for role in all() {
            if role.wildcard_actions {
                assert!(role.privileged, "{} has * but is not privileged", role.name);
            }
        }
        let privileged: HashSet<&str> = all()
            .iter()
            .filter(|r| r.privileged)
            .map(|r| r.name)
            .collect();
        let expected: HashSet<&str> = [
            "Owner",
            "Contributor",
            "User Access Administrator",
            "Role Based Access Control Administrator",
            "Reservations Administrator",
        ]
        .into_iter()
        .collect();
        assert_eq!(privileged, expected);
    }

    #[test]
    fn lookups_are_case_insensitive() {
        assert_eq!(
            by_id("8E3AF657-A8FF-443C-A75C-2FE8C4BCB635").map(|r| r.name),
            Some("Owner")
        );
        assert_eq!(
            by_name("key vault secrets user").map(|r| r.id),
            Some("4633458b-17de-408a-b874-0445c86b69e6")
        );
        assert_eq!(
            by_name("STORAGE BLOB DATA READER").map(|r| r.id),
            Some("2a2b9908-6ea1-4ae2-8e65-a410df84e7d1")
        );
        assert_eq!(
            by_name("Azure AI User").map(|r| r.name),
            Some("Foundry User")
        );
        assert!(by_name("Owner ").is_none());
        assert!(by_name("Own").is_none());
        assert!(by_id("{8e3af657-a8ff-443c-a75c-2fe8c4bcb635}").is_none());
        assert!(by_id("8e3af657a8ff443ca75c2fe8c4bcb635").is_none());
        assert!(by_id("00000000-0000-0000-0000-000000000000").is_none());
        assert!(by_id("").is_none());
    }

    #[test]
    fn guid_shape() {
        assert!(is_guid("8e3af657-a8ff-443c-a75c-2fe8c4bcb635"));
        assert!(is_guid("8E3AF657-A8FF-443C-A75C-2FE8C4BCB635"));
        assert!(!is_guid("8e3af657-a8ff-443c-a75c-2fe8c4bcb63"));
        assert!(!is_guid("8e3af657-a8ff-443c-a75c-2fe8c4bcb6355"));
        assert!(!is_guid("8e3af657a-8ff-443c-a75c-2fe8c4bcb635"));
        assert!(!is_guid("8e3af657-a8ff-443c-a75c-2fe8c4bcb63g"));
        assert!(!is_guid("{8e3af657-a8ff-443c-a75c-2fe8c4bcb63}"));
        assert!(!is_guid(""));
        assert!(!is_guid("é3af657-a8ff-443c-a75c-2fe8c4bcb635"));
    }

    const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";

    #[test]
    fn parse_subscription_form() {
        let s = format!(
            "/subscriptions/00000000-1111-2222-3333-444444444444/providers/Microsoft.Authorization/roleDefinitions/{OWNER}"
        );
        assert_eq!(
            parse_role_definition_id(&s),
            RoleDefinitionRef::ResourceId {
                guid: OWNER,
                form: RoleDefinitionIdForm::Subscription
            }
        );
    }

    #[test]
    fn parse_tenant_form_any_case() {
        let s = format!("/PROVIDERS/microsoft.authorization/ROLEDEFINITIONS/{OWNER}");
        assert_eq!(
            parse_role_definition_id(&s),
            RoleDefinitionRef::ResourceId {
                guid: OWNER,
                form: RoleDefinitionIdForm::Tenant
            }
        );
        let s = format!("/providers/Microsoft.Authorization/roleDefinitions/{OWNER}");
        assert_eq!(parse_role_definition_id(&s).guid(), Some(OWNER));
    }

    #[test]
    fn parse_management_group_form() {
        let s = format!(
            "/providers/Microsoft.Management/managementGroups/mg-platform/providers/Microsoft.Authorization/roleDefinitions/{OWNER}"
        );
        assert_eq!(
            parse_role_definition_id(&s),
            RoleDefinitionRef::ResourceId {
                guid: OWNER,
                form: RoleDefinitionIdForm::ManagementGroup
            }
        );
    }

    #[test]
    fn parse_resource_group_form() {
        let s = format!(
            "/subscriptions/sub/resourceGroups/rg-app/providers/Microsoft.Authorization/roleDefinitions/{OWNER}"
        );
        assert_eq!(
            parse_role_definition_id(&s),
            RoleDefinitionRef::ResourceId {
                guid: OWNER,
                form: RoleDefinitionIdForm::ResourceGroup
            }
        );
    }

    #[test]
    fn parse_guid_keeps_original_case_and_looks_up() {
        let upper = OWNER.to_ascii_uppercase();
        let s =
            format!("/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/{upper}");
        let parsed = parse_role_definition_id(&s);
        assert_eq!(parsed.guid(), Some(upper.as_str()));
        assert_eq!(parsed.guid().and_then(by_id).map(|r| r.name), Some("Owner"));
    }

    #[test]
    fn parse_bare_guid_is_reported_distinctly() {
        assert_eq!(
            parse_role_definition_id(OWNER),
            RoleDefinitionRef::BareGuid(OWNER)
        );
        assert_eq!(parse_role_definition_id(OWNER).guid(), Some(OWNER));
    }

    #[test]
    fn parse_malformed_inputs() {
        let bad = [
            "",
            "Owner",
            "Contributor",
            "/",
            "providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
            "/providers/Microsoft.Authorization/roleDefinitions/not-a-guid",
            "/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635/",
            "/providers/Microsoft.Authorization/roleAssignments/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
            "/providers/Microsoft.Authorizations/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
            "/subscriptions//providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
            "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/Owner",
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
            "/providers/Microsoft.Management/managementGroups//providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
            " 8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
            "{8e3af657-a8ff-443c-a75c-2fe8c4bcb635}",
            "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'x')]",
        ];
        for s in bad {
            assert_eq!(
                parse_role_definition_id(s),
                RoleDefinitionRef::Malformed,
                "{s:?}"
            );
            assert_eq!(parse_role_definition_id(s).guid(), None);
        }
    }

    #[test]
    fn parse_line_rejects_bad_rows() {
        let bad: [&'static str; 10] = [
            "8e3af657-a8ff-443c-a75c-2fe8c4bcb635\tOwner",
            "8E3AF657-A8FF-443C-A75C-2FE8C4BCB635\tOwner\t-",
            "8e3af657-a8ff-443c-a75c-2fe8c4bcb63\tOwner\t-",
            "8e3af657-a8ff-443c-a75c-2fe8c4bcb635\t\t-",
            "8e3af657-a8ff-443c-a75c-2fe8c4bcb635\t Owner\t-",
            "8e3af657-a8ff-443c-a75c-2fe8c4bcb635\tOwner\tsuperuser",
            "8e3af657-a8ff-443c-a75c-2fe8c4bcb635\tOwner\tprivileged,privileged",
            "8e3af657-a8ff-443c-a75c-2fe8c4bcb635\tOwner\t",
            "8e3af657-a8ff-443c-a75c-2fe8c4bcb635\tOwner\t-\tOld;",
            "8e3af657-a8ff-443c-a75c-2fe8c4bcb635\tOwner\t-\tOld\textra",
        ];
        for line in bad {
            assert!(parse_line(line, RoleKind::AzureRbac).is_none(), "{line:?}");
        }
        let good = parse_line(
            "8e3af657-a8ff-443c-a75c-2fe8c4bcb635\tOwner\tprivileged,wildcard_actions\tBoss;Chief",
            RoleKind::AzureRbac,
        );
        let good = good.unwrap_or_else(|| panic!("good line rejected"));
        assert!(good.privileged && good.wildcard_actions && !good.grants_access);
        assert_eq!(good.former_names, vec!["Boss", "Chief"]);
    }

    #[test]
    fn parse_table_skips_and_reports_bad_lines() {
        let text: &'static str =
            "# comment\n\nnot a role\n8e3af657-a8ff-443c-a75c-2fe8c4bcb635\tOwner\t-\n";
        let parsed = parse_table(text, RoleKind::AzureRbac);
        assert_eq!(parsed.roles.len(), 1);
        assert_eq!(parsed.bad_lines, vec![3]);
    }
}
