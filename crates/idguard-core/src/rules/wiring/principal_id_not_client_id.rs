use crate::fix::swap_id_property;
use crate::model::{IdProperty, principal_of};
use crate::rules::{Rule, RuleContext};

use crate::rules::scope::describe_principal;

declare_rule! {
    /// ## What it does
    /// Flags a place that wants a principal (object) ID but is fed an
    /// identity's client ID — a role assignment's `principalId`, a Key Vault
    /// access policy's `objectId`, a SQL server Entra administrator's `sid` —
    /// and the reverse: a client-ID setting such as `AZURE_CLIENT_ID` fed an
    /// identity's principal ID. Any managed identity counts: user-assigned
    /// and system-assigned ones, and the identities resources expose, such as
    /// an AKS cluster's kubelet identity
    /// (`identityProfile.kubeletidentity.clientId` / `.objectId`) and its
    /// add-on identities (`addonProfiles.<addon>.identity.clientId` /
    /// `.objectId`).
    ///
    /// ## Why is this bad?
    /// A managed identity has three different IDs: the client (application)
    /// ID, which SDKs use to pick the identity; the principal (object) ID,
    /// which role assignments and access policies grant to; and the resource
    /// ID. They are all GUID-shaped, so a mix-up deploys without complaint
    /// and fails later: the role assignment grants nothing (or fails with
    /// PrincipalNotFound), or the SDK asks for a token for an identity that
    /// does not exist.
    ///
    /// ## Example
    /// ```json
    /// "properties": {
    ///   "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')]",
    ///   "principalId": "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-api-prod'), '2023-01-31').clientId]"
    /// }
    /// ```
    /// Use instead:
    /// ```json
    ///   "principalId": "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-api-prod'), '2023-01-31').principalId]"
    /// ```
    ///
    /// ## Fix
    /// Use `.principalId` for role assignments, access policies and Entra
    /// administrators, and `.clientId` for `AZURE_CLIENT_ID` and other
    /// client-ID settings.
    ///
    /// `idguard check --fix` does it (a safe fix) where the value is one
    /// `.clientId` (or `.principalId`) access of an identity reference,
    /// `reference(…).clientId` or `uami.properties.clientId`.
    pub struct PrincipalIdNotClientId {
        level: Error,
        summary: "a principal (object) ID is fed an identity's client ID, or a client-ID setting is fed a principal ID",
    }
}

/// Whether a setting name asks for a client ID (`AZURE_CLIENT_ID`,
/// `ManagedIdentityClientId`, `AzureWebJobsStorage__clientId`, …).
pub(crate) fn is_client_id_setting(name: &str) -> bool {
    let n: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    n.ends_with("clientid")
}

impl Rule for PrincipalIdNotClientId {
    fn check(&self, ctx: &mut RuleContext<'_, '_>) {
        let model = ctx.model;
        for a in &model.role_assignments {
            if a.principal.via() == Some(IdProperty::ClientId) {
                ctx.report_with_fix(
                    a.principal_location,
                    Some(a.resource),
                    format!(
                        "role assignment principalId is the client ID of {}, not its principal (object) ID",
                        describe_principal(model, &a.principal)
                    ),
                    format!(
                        "use the identity's .{} here; the client ID is for SDK settings such as AZURE_CLIENT_ID",
                        a.principal.object_key()
                    ),
                    swap_id_property(
                        model.files,
                        a.principal_location,
                        "clientId",
                        a.principal.object_key(),
                    ),
                );
            }
        }
        for u in &model.principal_uses {
            if u.principal.via() == Some(IdProperty::ClientId) {
                ctx.report_with_fix(
                    u.location,
                    Some(u.resource),
                    format!(
                        "{} is the client ID of {}, not its principal (object) ID",
                        u.what,
                        describe_principal(model, &u.principal)
                    ),
                    format!("use the identity's .{} here", u.principal.object_key()),
                    swap_id_property(
                        model.files,
                        u.location,
                        "clientId",
                        u.principal.object_key(),
                    ),
                );
            }
        }
        for s in &model.settings {
            if !is_client_id_setting(&s.name) {
                continue;
            }
            let deployment = model
                .resource(s.workload)
                .map(|r| r.deployment)
                .unwrap_or(0);
            let principal = principal_of(model, &s.value, deployment);
            if principal.is_managed_identity() && principal.via() == Some(IdProperty::PrincipalId) {
                ctx.report_with_fix(
                    s.location,
                    Some(s.workload),
                    format!(
                        "setting '{}' of {} is the principal (object) ID of {}, not its client ID",
                        s.name,
                        crate::rules::words::quoted(model, s.workload),
                        describe_principal(model, &principal)
                    ),
                    "use the identity's .clientId for client-ID settings",
                    swap_id_property(model.files, s.location, principal.object_key(), "clientId"),
                );
            }
        }
    }
}
