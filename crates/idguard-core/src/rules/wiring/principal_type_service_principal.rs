use crate::expr::Val;
use crate::rules::{Rule, RuleContext};

use crate::rules::scope::describe_principal;

declare_rule! {
    /// ## What it does
    /// Flags a role assignment whose principal is a managed identity but that
    /// omits `principalType: 'ServicePrincipal'`, or sets another type.
    ///
    /// ## Why is this bad?
    /// A new managed identity's service principal takes time to replicate
    /// in Microsoft Entra ID. Without `principalType`, Azure looks the
    /// principal up first and the deployment can fail with
    /// `PrincipalNotFound` — intermittently, which is worse. With the wrong
    /// type (`User`, `Group`) the assignment is rejected or misrecorded.
    ///
    /// ## Example
    /// ```json
    /// "properties": {
    ///   "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1')]",
    ///   "principalId": "[reference('uami').principalId]"
    /// }
    /// ```
    /// Use instead:
    /// ```json
    /// "properties": {
    ///   "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1')]",
    ///   "principalId": "[reference('uami').principalId]",
    ///   "principalType": "ServicePrincipal"
    /// }
    /// ```
    ///
    /// ## Fix
    /// Add `"principalType": "ServicePrincipal"` to every role assignment
    /// whose principal is a managed identity.
    pub struct PrincipalTypeServicePrincipal {
        level: Warning,
        summary: "a role assignment to a managed identity omits `principalType: 'ServicePrincipal'` or sets another type",
    }
}

impl Rule for PrincipalTypeServicePrincipal {
    fn check(&self, ctx: &mut RuleContext<'_, '_>) {
        let model = ctx.model;
        for a in &model.role_assignments {
            if !a.principal.is_managed_identity() {
                continue;
            }
            // Half-typed Bicep: `principalType` may be the next line.
            let incomplete = model.resource(a.resource).is_some_and(|r| r.incomplete);
            let who = describe_principal(model, &a.principal);
            let message = match &a.principal_type {
                None if incomplete => continue,
                None => format!("role assignment to {who} has no principalType"),
                Some(Val::Str(t)) if !t.eq_ignore_ascii_case("ServicePrincipal") => {
                    format!(
                        "role assignment to {who} sets principalType '{t}', but a managed identity is a service principal"
                    )
                }
                _ => continue,
            };
            ctx.report(
                a.principal_location,
                Some(a.resource),
                message,
                "add \"principalType\": \"ServicePrincipal\" to the role assignment's properties",
            );
        }
    }
}
