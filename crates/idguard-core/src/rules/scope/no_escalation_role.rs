use crate::model::{Principal, Role};
use crate::rules::{Rule, RuleContext};

use super::describe_principal;

declare_rule! {
    /// ## What it does
    /// Flags a role assignment that gives a workload's managed identity
    /// (user-assigned, or the system-assigned identity of a resource) a role
    /// that can grant access: Owner, User Access Administrator, Role Based
    /// Access Control Administrator, or another role with
    /// `Microsoft.Authorization/roleAssignments/write` — at any scope. A
    /// custom role defined in the template counts whatever its name when
    /// its `actions` allow writing role assignments or role definitions
    /// (`Microsoft.Authorization/roleAssignments/write`,
    /// `Microsoft.Authorization/*`, `*/write`, `*`, …) and its `notActions`
    /// do not take that back.
    ///
    /// ## Why is this bad?
    /// A role that can write role assignments lets its holder give itself
    /// (or anyone) any other role at that scope. A compromised workload with
    /// such a role escalates from "can touch this resource group" to "owns
    /// it", and can plant persistent access that outlives the incident.
    ///
    /// ## Example
    /// ```json
    /// "properties": {
    ///   "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9')]",
    ///   "principalId": "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-app-prod')).principalId]",
    ///   "principalType": "ServicePrincipal"
    /// }
    /// ```
    /// Use instead the role the workload needs to do its job:
    /// ```json
    /// "properties": {
    ///   "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')]",
    ///   "principalId": "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-app-prod')).principalId]",
    ///   "principalType": "ServicePrincipal"
    /// }
    /// ```
    ///
    /// ## Fix
    /// Give workloads roles that act on resources, never roles that manage
    /// access. Access management belongs to a deployment pipeline identity
    /// or to people through Privileged Identity Management. If the workload
    /// must delegate a narrow role, use Role Based Access Control
    /// Administrator with a condition that restricts the roles it may assign,
    /// and exempt the finding with a reason.
    pub struct NoEscalationRole {
        level: Warning,
        summary: "a workload identity gets a role that can grant access (Owner, User Access Administrator, RBAC Administrator)",
    }
}

impl Rule for NoEscalationRole {
    fn check(&self, ctx: &mut RuleContext<'_, '_>) {
        let model = ctx.model;
        for a in &model.role_assignments {
            if !matches!(
                a.principal,
                Principal::Identity { .. } | Principal::SystemAssigned { .. }
            ) {
                continue;
            }
            let at = a
                .scope_level
                .map(|l| format!(" at {}", l.describe()))
                .unwrap_or_default();
            let who = describe_principal(model, &a.principal);
            let message = match &a.role {
                Role::Builtin(role) if role.grants_access => {
                    format!(
                        "{who} gets {}{at}, a role that can grant access to others",
                        role.name
                    )
                }
                Role::Custom(i) => {
                    let Some(custom) = model.custom_roles.get(*i) else {
                        continue;
                    };
                    let Some((op, action, _)) = custom.grants_access() else {
                        continue;
                    };
                    let name = custom
                        .role_name
                        .as_deref()
                        .map(|n| format!("custom role '{n}'"))
                        .unwrap_or_else(|| "a custom role".to_string());
                    format!(
                        "{who} gets {name}{at}, which can grant access to others: its action '{}' allows {op}",
                        action.as_str().unwrap_or_default()
                    )
                }
                _ => continue,
            };
            ctx.report(
                a.role_location,
                Some(a.resource),
                message,
                "give the workload a role that acts on resources (e.g. a data-plane role), not one that manages role assignments",
            );
        }
    }
}
