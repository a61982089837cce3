use crate::rules::{Rule, RuleContext};

use super::name_seeds;

declare_rule! {
    /// ## What it does
    /// Flags a role assignment whose `name`, as written, calls `reference()`
    /// or a `list*()` function (in Bicep: uses a resource's runtime
    /// property, such as `uami.properties.principalId`, which lowers to
    /// `reference()`).
    ///
    /// ## Why is this bad?
    /// ARM must know every resource name when it validates the deployment,
    /// before anything is deployed; `reference()` and `list*()` have values
    /// only while deploying. ARM rejects the template ("the template
    /// function 'reference' is not expected at this location"; Bicep refuses
    /// to compile it, BCP120), so the deployment fails every time. This is a
    /// separate rule from MI403 (a name that deploys but is not stable or
    /// unique) because it is an error, not a design warning.
    ///
    /// ## Example
    /// ```json
    /// "name": "[guid(resourceGroup().id, reference(variables('identityId')).principalId, variables('roleId'))]"
    /// ```
    /// Use instead a seed known at the start of the deployment, such as the
    /// identity's resource ID:
    /// ```json
    /// "name": "[guid(resourceGroup().id, variables('identityId'), variables('roleId'))]"
    /// ```
    ///
    /// ## Fix
    /// Seed the name with values known before deployment: the identity's
    /// resource ID or name instead of its principal ID. Where only the
    /// principal ID will do (a policy assignment's identity), pass it to a
    /// nested deployment or Bicep module as a parameter and name the role
    /// assignment there.
    pub struct AssignmentNameComputable {
        level: Error,
        summary: "a role assignment's name calls reference() or list*(), which ARM cannot compute when it validates the deployment",
    }
}

impl Rule for AssignmentNameComputable {
    fn check(&self, ctx: &mut RuleContext<'_, '_>) {
        let model = ctx.model;
        for a in &model.role_assignments {
            if model.resource(a.resource).is_some_and(|r| r.incomplete) {
                continue;
            }
            let Some(function) = name_seeds::runtime_call_in_name(model, a) else {
                continue;
            };
            ctx.report(
                a.name_location,
                Some(a.resource),
                format!(
                    "role assignment name calls {function}(), whose value exists only while deploying: ARM rejects the template before deploying anything"
                ),
                "seed the name with values known before deployment (the identity's resource ID or name, the scope's ID, the role definition ID)",
            );
        }
    }
}
