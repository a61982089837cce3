use crate::expr::Val;
use crate::rules::{Rule, RuleContext};

declare_rule! {
    /// ## What it does
    /// Flags a custom role definition (`Microsoft.Authorization/roleDefinitions`)
    /// that allows `*` in `actions` or `dataActions`, or whose
    /// `assignableScopes` include the tenant root (`/`). The message says
    /// what the wildcard allows: every operation, or every operation but the
    /// ones `notActions` carve out (named, with whether role assignments can
    /// still be written).
    ///
    /// A role assignable at a management group (`managementGroup().id` or a
    /// named one) is **not** flagged: publishing an organisation's custom
    /// roles at the management group that holds its landing zones is how
    /// Azure landing zones are meant to work (a custom role must be
    /// assignable wherever it is assigned, and cannot be assignable at more
    /// than one management group). Assignability is not a grant: what a role
    /// allows is judged here (wildcards) and by MI103, and where it is
    /// granted by MI101 and MI102.
    ///
    /// ## Why is this bad?
    /// A custom role with `*` actions is Contributor (or Owner, since `*`
    /// includes `Microsoft.Authorization/*/write`) under a harmless-looking
    /// name that no review of "who is Owner?" will find; carving a few
    /// operations out with `notActions` still leaves every other operation,
    /// including the ones providers add later. `*` in dataActions reads
    /// every secret, blob and message the scope holds. A role assignable at
    /// `/` can be granted in every subscription of the tenant.
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
    /// management group, subscriptions or resource groups where it is
    /// assigned rather than `/`.
    pub struct CustomRoleWildcard {
        level: Error,
        summary: "a custom role definition has `*` in actions or dataActions, or is assignable at the tenant root `/`",
    }
}

/// How many carved-out operations a message names before "and N more".
const NAMED_NOT_ACTIONS: usize = 3;

/// What a `*` in `actions` allows, given the role's `notActions`: "every
/// operation", or "every operation except 'a', 'b' and 2 more (notActions);
/// it can still write role assignments" / "…; role assignments are among
/// them".
fn wildcard_reach(role: &crate::model::CustomRole) -> String {
    let carved: Vec<String> = role
        .not_actions
        .iter()
        .map(|(n, _)| match n.as_str() {
            Some(s) => format!("'{s}'"),
            None => "a value computed at deployment".to_string(),
        })
        .collect();
    if carved.is_empty() {
        return "allows every operation ('*' in actions, no notActions)".to_string();
    }
    let mut named = carved
        .iter()
        .take(NAMED_NOT_ACTIONS)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if carved.len() > NAMED_NOT_ACTIONS {
        named.push_str(&format!(" and {} more", carved.len() - NAMED_NOT_ACTIONS));
    }
    let access = match role.grants_access() {
        Some((op, _, _)) => format!("; it still allows {op}"),
        None => "; writing role assignments and definitions is carved out".to_string(),
    };
    format!(
        "allows every operation ('*' in actions) except the {} carved out by notActions ({named}){access}",
        if carved.len() == 1 {
            "one".to_string()
        } else {
            carved.len().to_string()
        }
    )
}

/// The role in a message's words: `custom role 'App deployer'` (its
/// `roleName`, known pieces kept), else named by its parameter or variable
/// ([`crate::rules::words`]).
fn custom_role_words(model: &crate::model::Model<'_>, role: &crate::model::CustomRole) -> String {
    use crate::rules::words;
    if let Some(name) = &role.role_name {
        return format!("custom role '{name}'");
    }
    let written = model.resource(role.resource).and_then(|r| {
        let f = model.files.get(r.file)?;
        let node = r.locate(&f.doc, &["properties", "roleName"]);
        let text = f.doc.as_str(node)?;
        Some(
            text.strip_prefix('[')
                .and_then(|s| s.strip_suffix(']'))
                .unwrap_or(text)
                .to_string(),
        )
    });
    match model
        .resource(role.resource)
        .and_then(|r| r.get(&["properties", "roleName"]))
    {
        Some(v) => words::phrase(v, written.as_deref(), "custom role"),
        None => words::named(model, role.resource, "custom role"),
    }
}

impl Rule for CustomRoleWildcard {
    fn check(&self, ctx: &mut RuleContext<'_, '_>) {
        let model = ctx.model;
        for role in &model.custom_roles {
            let who = custom_role_words(model, role);
            for (action, loc) in &role.actions {
                if action.as_str() == Some("*") {
                    ctx.report(
                        *loc,
                        Some(role.resource),
                        format!("{who} {}", wildcard_reach(role)),
                        "list the actions the role needs instead of '*'",
                    );
                }
            }
            for (action, loc) in &role.data_actions {
                if action.as_str() == Some("*") {
                    ctx.report(
                        *loc,
                        Some(role.resource),
                        format!(
                            "{who} allows every data operation ('*' in dataActions): it reads and writes all data in its scope"
                        ),
                        "list the dataActions the role needs instead of '*'",
                    );
                }
            }
            for (scope, loc) in &role.assignable_scopes {
                if matches!(scope, Val::Str(s) if s.trim() == "/") {
                    ctx.report(
                        *loc,
                        Some(role.resource),
                        format!(
                            "{who} is assignable at the tenant root ('/'): it can be granted in every subscription of the tenant"
                        ),
                        "set assignableScopes to the management group, subscriptions or resource groups where the role is used",
                    );
                }
            }
        }
    }
}
