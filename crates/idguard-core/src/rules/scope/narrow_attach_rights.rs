use crate::model::{Role, ScopeLevel};
use crate::rules::{Rule, RuleContext};

use super::describe_principal;

declare_rule! {
    /// ## What it does
    /// Flags Managed Identity Operator or Managed Identity Contributor granted
    /// at subscription or management-group scope.
    ///
    /// ## Why is this bad?
    /// Whoever can attach a user-assigned identity to a resource they control
    /// can act as that identity, with all of its role assignments. Managed
    /// Identity Operator over a whole subscription therefore means: the
    /// permissions of every identity in the subscription, including the
    /// production ones.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Authorization/roleAssignments",
    ///   "name": "[guid(subscription().id, parameters('pipelinePrincipalId'), 'mi-operator')]",
    ///   "properties": {
    ///     "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'f1a07417-d97a-45cb-824c-7a7467783830')]",
    ///     "principalId": "[parameters('pipelinePrincipalId')]"
    ///   }
    /// }
    /// ```
    /// in a subscription-scope template. Use instead an assignment scoped to
    /// the identity that must be attached:
    /// ```json
    /// {
    ///   "type": "Microsoft.Authorization/roleAssignments",
    ///   "scope": "[format('Microsoft.ManagedIdentity/userAssignedIdentities/{0}', parameters('identityName'))]",
    ///   "name": "[guid(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', parameters('identityName')), parameters('pipelinePrincipalId'), 'mi-operator')]",
    ///   "properties": {
    ///     "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'f1a07417-d97a-45cb-824c-7a7467783830')]",
    ///     "principalId": "[parameters('pipelinePrincipalId')]"
    ///   }
    /// }
    /// ```
    ///
    /// ## Fix
    /// Scope Managed Identity Operator to the one identity (or the resource
    /// group of identities) the principal must attach.
    pub struct NarrowAttachRights {
        level: Warning,
        summary: "Managed Identity Operator or Managed Identity Contributor granted at subscription or management-group scope",
    }
}

impl Rule for NarrowAttachRights {
    fn check(&self, ctx: &mut RuleContext<'_, '_>) {
        let model = ctx.model;
        for a in &model.role_assignments {
            let Role::Builtin(role) = &a.role else {
                continue;
            };
            let Some(level) = a.scope_level.filter(|l| *l >= ScopeLevel::Subscription) else {
                continue;
            };
            if !role.identity_attach {
                continue;
            }
            ctx.report(
                a.role_location,
                Some(a.resource),
                format!(
                    "{} gets {} at {}: it can attach, and so act as, every user-assigned identity there",
                    describe_principal(model, &a.principal),
                    role.name,
                    level.describe()
                ),
                "scope the assignment to the identity (or the resource group of identities) that must be attached",
            );
        }
    }
}
