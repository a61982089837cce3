use crate::model::Role;
use crate::rules::{Rule, RuleContext};

declare_rule! {
    /// ## What it does
    /// Flags a role assignment whose `roleDefinitionId` is known but is not a
    /// role-definition resource ID: a role name (`"Contributor"`), a bare
    /// GUID, or a malformed GUID.
    ///
    /// ## Why is this bad?
    /// ARM requires the resource ID of the role definition
    /// (`/subscriptions/{id}/providers/Microsoft.Authorization/roleDefinitions/{guid}`
    /// or the tenant-level `/providers/...` form). Anything else fails the
    /// deployment — typically only when it reaches the environment where the
    /// assignment is first created.
    ///
    /// ## Example
    /// ```json
    /// "roleDefinitionId": "b24988ac-6180-42a0-ab88-20f7382dd24c"
    /// ```
    /// Use instead:
    /// ```json
    /// "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b24988ac-6180-42a0-ab88-20f7382dd24c')]"
    /// ```
    ///
    /// ## Fix
    /// Build the ID with `subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '<guid>')`
    /// (in Bicep: `subscriptionResourceId(...)` or a `roleDefinitions`
    /// `existing` resource's `.id`).
    pub struct RoleDefinitionId {
        level: Error,
        summary: "`roleDefinitionId` is not a role-definition resource ID",
    }
}

impl Rule for RoleDefinitionId {
    fn check(&self, ctx: &mut RuleContext<'_, '_>) {
        for a in &ctx.model.role_assignments {
            let Role::Malformed(value) = &a.role else {
                continue;
            };
            let what = if crate::roles::is_guid(value) {
                "a bare GUID, not a role definition resource ID".to_string()
            } else if let Some(ty) = other_resource_type(value) {
                format!("the ID of a {ty} resource, not a role definition")
            } else if crate::roles::by_name(value).is_some() {
                format!("the role name '{value}', not a role definition resource ID")
            } else {
                format!("'{value}', which is not a role definition resource ID")
            };
            ctx.report(
                a.role_location,
                Some(a.resource),
                format!("roleDefinitionId is {what}; the deployment would fail"),
                "use subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '<role GUID>')",
            );
        }
    }
}

/// The type in `value` when it reads as the resource ID of something other
/// than a role definition (`…/roleAssignments/<guid>`).
fn other_resource_type(value: &str) -> Option<String> {
    let info =
        crate::template::ids::parse_resource_id(&crate::expr::Val::str(value)).or_else(|| {
            // A partly unknown ID is shown with `{…}` holes: read the
            // provider part after the last `/providers/`.
            let tail = value.rsplit_once("/providers/")?.1;
            crate::template::ids::parse_resource_id(&crate::expr::Val::str(tail))
        })?;
    let ty = info.resource_type?;
    (!ty.eq_ignore_ascii_case("Microsoft.Authorization/roleDefinitions")).then_some(ty)
}
