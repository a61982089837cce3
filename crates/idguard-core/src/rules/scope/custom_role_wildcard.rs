use crate::expr::Val;
use crate::rules::{Rule, RuleContext};
use crate::template::ids;

declare_rule! {
    /// ## What it does
    /// Flags a custom role definition (`Microsoft.Authorization/roleDefinitions`)
    /// that allows `*` in `actions` or `dataActions`, or whose
    /// `assignableScopes` include the root (`/`) or a management group.
    ///
    /// ## Why is this bad?
    /// A custom role with `*` actions is Contributor (or Owner, since `*`
    /// includes `Microsoft.Authorization/*/write`) under a harmless-looking
    /// name that no review of "who is Owner?" will find. `*` in dataActions
    /// reads every secret, blob and message the scope holds. A role
    /// assignable at `/` or at a management group can be granted anywhere
    /// below it.
    ///
    /// ## Example
    /// ```json
    /// "properties": {
    ///   "roleName": "App deployer",
    ///   "permissions": [{ "actions": ["*"], "notActions": [] }],
    ///   "assignableScopes": ["[subscription().id]"]
    /// }
    /// ```
    /// Use instead the actions the role needs, assignable where it is used:
    /// ```json
    /// "properties": {
    ///   "roleName": "App deployer",
    ///   "permissions": [{ "actions": ["Microsoft.Web/sites/write", "Microsoft.Web/sites/read"] }],
    ///   "assignableScopes": ["[resourceGroup().id]"]
    /// }
    /// ```
    ///
    /// ## Fix
    /// List the provider operations the role needs (`Microsoft.Web/sites/*`
    /// is already much narrower than `*`), and set `assignableScopes` to the
    /// subscriptions or resource groups where it is assigned.
    pub struct CustomRoleWildcard {
        level: Error,
        summary: "a custom role definition has `*` in actions or dataActions, or is assignable at `/` or a management group",
    }
}

impl Rule for CustomRoleWildcard {
    fn check(&self, ctx: &mut RuleContext<'_, '_>) {
        let model = ctx.model;
        for role in &model.custom_roles {
            let name = role.role_name.clone().unwrap_or_else(|| {
                model
                    .resource(role.resource)
                    .and_then(|r| r.get(&["properties", "roleName"]))
                    .filter(|n| !n.has_opaque())
                    .map(crate::expr::Val::display_compact)
                    .unwrap_or_else(|| model.display_name(role.resource))
            });
            for (list, what) in [
                (&role.actions, "actions"),
                (&role.data_actions, "dataActions"),
            ] {
                for (action, loc) in list {
                    if action.as_str() == Some("*") {
                        ctx.report(
                            *loc,
                            Some(role.resource),
                            format!("custom role '{name}' allows every operation ('*' in {what})"),
                            format!("list the {what} the role needs instead of '*'"),
                        );
                    }
                }
            }
            for (scope, loc) in &role.assignable_scopes {
                let wide = match scope {
                    Val::Str(s) if s.trim() == "/" => Some("the tenant root ('/')".to_string()),
                    _ => match ids::parse_resource_id(scope) {
                        Some(info) if info.names.is_empty() => {
                            info.management_group.map(|mg| match mg.as_unknown() {
                                // `managementGroup().id`: where the template is deployed.
                                Some(crate::expr::Unknown::Deployment(_)) => {
                                    "the management group it is deployed to".to_string()
                                }
                                _ => format!("management group '{}'", mg.display_compact()),
                            })
                        }
                        _ => None,
                    },
                };
                if let Some(wide) = wide {
                    ctx.report(
                        *loc,
                        Some(role.resource),
                        format!("custom role '{name}' is assignable at {wide}"),
                        "set assignableScopes to the subscriptions or resource groups where the role is used",
                    );
                }
            }
        }
    }
}
