//! MI1xx — scope and privilege.

pub(super) mod custom_role_wildcard;
pub(super) mod key_vault_broad_access_policy;
pub(super) mod narrow_attach_rights;
pub(super) mod narrow_role_scope;
pub(super) mod no_broad_privileged_role;
pub(super) mod no_escalation_role;

use crate::model::{Model, Principal};

/// The principal in a message's words: "identity 'id-api-prod'", "the
/// system-assigned identity of 'app-web'", "principal 'x'".
pub(crate) fn describe_principal(model: &Model<'_>, p: &Principal) -> String {
    match p {
        Principal::Identity { identity, .. } => {
            let name = model
                .identities
                .get(*identity)
                .map(|i| model.display_name(i.resource))
                .unwrap_or_default();
            format!("identity '{name}'")
        }
        Principal::SystemAssigned { resource, .. } => format!(
            "the system-assigned identity of '{}'",
            model.display_name(*resource)
        ),
        Principal::ExternalIdentity { id, .. } => match external_identity_name(id) {
            Some(name) => format!("identity '{name}'"),
            None => "a managed identity".to_string(),
        },
        Principal::ResourceIdentity { resource, what, .. } => {
            format!("the {what} of '{}'", model.display_name(*resource))
        }
        Principal::Literal(g) => format!("principal '{g}'"),
        Principal::Unknown => "the principal".to_string(),
    }
}

/// The name of an identity outside the deployment, from its resource ID.
pub(crate) fn external_identity_name(id: &crate::expr::Val) -> Option<String> {
    let info = crate::template::ids::parse_resource_id(id)?;
    info.names.last().map(crate::expr::Val::display_compact)
}
