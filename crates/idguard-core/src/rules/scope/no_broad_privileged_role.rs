use crate::model::{Role, ScopeLevel};
use crate::rules::{Rule, RuleContext};

use super::{PrincipalKind, describe_principal, principal_kind};

declare_rule! {
    /// ## What it does
    /// Flags a role assignment that grants Owner, Contributor, User Access
    /// Administrator or Role Based Access Control Administrator — or a
    /// custom role of this deployment whose actions include `*` — at
    /// subscription, management-group, tenant or root scope.
    ///
    /// ## Why is this bad?
    /// A managed identity with subscription-wide Contributor can change or
    /// delete every resource in the subscription. Whoever controls the
    /// workload (its code, its deployment pipeline, anyone who can attach
    /// the identity elsewhere) inherits that power. Workloads almost always
    /// need data-plane access to one or two resources, not management rights
    /// over everything.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Authorization/roleAssignments",
    ///   "apiVersion": "2022-04-01",
    ///   "name": "[guid(subscription().id, variables('identityName'), 'contributor')]",
    ///   "properties": {
    ///     "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b24988ac-6180-42a0-ab88-20f7382dd24c')]",
    ///     "principalId": "[reference(variables('identityId')).principalId]",
    ///     "principalType": "ServicePrincipal"
    ///   }
    /// }
    /// ```
    /// in a subscription-scope template. Use instead a narrow role on the one
    /// resource the workload needs:
    /// ```json
    /// {
    ///   "type": "Microsoft.Authorization/roleAssignments",
    ///   "apiVersion": "2022-04-01",
    ///   "scope": "[format('Microsoft.Storage/storageAccounts/{0}', parameters('storageName'))]",
    ///   "name": "[guid(resourceId('Microsoft.Storage/storageAccounts', parameters('storageName')), variables('identityName'), 'blob-data-contributor')]",
    ///   "properties": {
    ///     "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')]",
    ///     "principalId": "[reference(variables('identityId')).principalId]",
    ///     "principalType": "ServicePrincipal"
    ///   }
    /// }
    /// ```
    ///
    /// ## Fix
    /// The help fits the principal:
    /// - **a workload's identity**: grant the narrowest built-in role that
    ///   covers what the workload does (usually a data-plane role such as
    ///   Storage Blob Data Contributor or Key Vault Secrets User), scoped to
    ///   the resource it uses;
    /// - **a policy assignment's identity**: grant only the roles the policy
    ///   definition lists in `roleDefinitionIds`, preferring task roles
    ///   (Monitoring Policy Contributor, Network Contributor) to Owner or
    ///   Contributor;
    /// - **a user or group** (`principalType` `User` / `Group`): make the
    ///   role eligible through Privileged Identity Management instead of a
    ///   standing assignment;
    /// - **an unknown principal**: set `principalType`, then follow the
    ///   above.
    ///
    /// If a platform identity truly needs broad rights, exempt it in the
    /// policy with a reason and an expiry date.
    pub struct NoBroadPrivilegedRole {
        level: Error,
        summary: "Owner, Contributor, User Access Administrator or RBAC Administrator (or a `*` custom role) assigned at subscription, management-group or tenant scope",
    }
}

impl Rule for NoBroadPrivilegedRole {
    fn check(&self, ctx: &mut RuleContext<'_, '_>) {
        let model = ctx.model;
        for a in &model.role_assignments {
            let Some(level) = a.scope_level.filter(|l| *l >= ScopeLevel::Subscription) else {
                continue;
            };
            let role_name = match &a.role {
                Role::Builtin(b) if b.privileged => b.name.to_string(),
                Role::Custom(i) => match model.custom_roles.get(*i) {
                    Some(c) if c.has_wildcard_action() => format!(
                        "custom role '{}' (actions '*')",
                        c.role_name.as_deref().unwrap_or("unnamed")
                    ),
                    _ => continue,
                },
                _ => continue,
            };
            let who = describe_principal(model, &a.principal);
            let at = level.describe();
            let help = match principal_kind(model, a) {
                PrincipalKind::Workload => format!(
                    "grant a narrower role (e.g. a data-plane role) on the resource the workload uses instead of {role_name} at {at}"
                ),
                PrincipalKind::PolicyAssignment => format!(
                    "give the policy assignment's identity only the roles its policy definition lists in roleDefinitionIds, preferring a task role (e.g. Monitoring Policy Contributor, Network Contributor) to {role_name}; if its remediation truly needs {role_name} at {at}, exempt the finding with a reason"
                ),
                PrincipalKind::Person => format!(
                    "make {role_name} at {at} an eligible assignment through Privileged Identity Management (activated on demand, time-bound) instead of a standing one in the template, or grant people a narrower role"
                ),
                PrincipalKind::Unknown => format!(
                    "set principalType so the kind of principal is known; for a workload grant a narrower role on the resource it uses, for people make {role_name} at {at} eligible through Privileged Identity Management instead of a standing assignment"
                ),
            };
            ctx.report(
                a.role_location,
                Some(a.resource),
                format!("{who} gets {role_name} at {at}"),
                help,
            );
        }
    }
}
