//! MI1xx — scope and privilege.

pub(super) mod custom_role_wildcard;
pub(super) mod key_vault_broad_access_policy;
pub(super) mod narrow_attach_rights;
pub(super) mod narrow_role_scope;
pub(super) mod no_broad_privileged_role;
pub(super) mod no_escalation_role;
pub(super) mod remediation_privileged_role;

use crate::model::{Model, Principal};

/// The principal in a message's words: "identity 'id-api-prod'", "the
/// identity named by parameter 'uamiName'", "the system-assigned identity
/// of 'app-web'", "principal 'x'" ([`crate::rules::words`]).
pub(crate) fn describe_principal(model: &Model<'_>, p: &Principal) -> String {
    use crate::rules::words;
    match p {
        Principal::Identity { identity, .. } => match model.identities.get(*identity) {
            Some(i) => words::named(model, i.resource, "identity"),
            None => "an identity".to_string(),
        },
        Principal::SystemAssigned { resource, .. } => format!(
            "the system-assigned identity of {}",
            words::quoted(model, *resource)
        ),
        Principal::ExternalIdentity { id, .. } => match external_identity(id) {
            Some(name) => words::phrase(&name, None, "identity"),
            None => "a managed identity".to_string(),
        },
        Principal::ResourceIdentity { resource, what, .. } => {
            format!("the {what} of '{}'", model.display_name(*resource))
        }
        Principal::Literal(g) => format!("principal '{g}'"),
        Principal::Unknown => "the principal".to_string(),
    }
}

/// What kind of principal a role assignment grants to, for help that fits
/// it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PrincipalKind {
    /// A workload's managed identity (user-assigned, or system-assigned
    /// on a resource that runs code), or another service principal.
    Workload,
    /// The identity of a policy assignment (deployIfNotExists / modify
    /// remediation).
    PolicyAssignment,
    /// A user or a group (`principalType` `User` or `Group`).
    Person,
    /// Not known: a parameter or a literal object ID without a
    /// `principalType` saying what it is.
    Unknown,
}

/// The kind of principal of role assignment `a`.
pub(crate) fn principal_kind(model: &Model<'_>, a: &crate::model::RoleAssignment) -> PrincipalKind {
    const PA: &str = "Microsoft.Authorization/policyAssignments";
    let is_pa = |r: usize| {
        model
            .resource(r)
            .is_some_and(|r| r.ty.eq_ignore_ascii_case(PA))
    };
    match &a.principal {
        Principal::SystemAssigned { resource, .. } if is_pa(*resource) => {
            return PrincipalKind::PolicyAssignment;
        }
        Principal::Identity { identity, .. } => {
            let mut workloads = model.workloads_of(*identity).peekable();
            if workloads.peek().is_some() && workloads.all(|w| is_pa(w.workload)) {
                return PrincipalKind::PolicyAssignment;
            }
            return PrincipalKind::Workload;
        }
        Principal::SystemAssigned { .. }
        | Principal::ExternalIdentity { .. }
        | Principal::ResourceIdentity { .. } => {
            return PrincipalKind::Workload;
        }
        Principal::Literal(_) | Principal::Unknown => {}
    }
    // `reference(<policy assignment>, …, 'Full').identity.principalId`.
    let value = model
        .resource(a.resource)
        .and_then(|r| r.get(&["properties", "principalId"]))
        .map(|v| v.display().to_ascii_lowercase())
        .unwrap_or_default();
    if value.contains("microsoft.authorization/policyassignments") && value.contains("principalid")
    {
        return PrincipalKind::PolicyAssignment;
    }
    match a.principal_type.as_ref().and_then(crate::expr::Val::as_str) {
        Some(t) if t.eq_ignore_ascii_case("User") || t.eq_ignore_ascii_case("Group") => {
            PrincipalKind::Person
        }
        // A service principal: an application's or a managed identity.
        Some(t) if t.eq_ignore_ascii_case("ServicePrincipal") => PrincipalKind::Workload,
        _ => PrincipalKind::Unknown,
    }
}

/// The name of an identity outside the deployment, from its resource ID,
/// as a value (known, partial or unknown).
pub(crate) fn external_identity(id: &crate::expr::Val) -> Option<crate::expr::Val> {
    let info = crate::template::ids::parse_resource_id(id)?;
    info.names.last().cloned()
}

/// The name of an identity outside the deployment, from its resource ID,
/// as text to match (environment words), not for messages.
pub(crate) fn external_identity_name(id: &crate::expr::Val) -> Option<String> {
    external_identity(id).map(|n| n.display_compact())
}
