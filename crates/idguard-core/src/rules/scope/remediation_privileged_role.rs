use crate::expr::Val;
use crate::model::Location;
use crate::rules::{Rule, RuleContext};
use crate::source::{Document, NodeId};

declare_rule! {
    /// ## What it does
    /// Flags a `deployIfNotExists` or `modify` policy definition whose
    /// `roleDefinitionIds` (`policyRule.then.details.roleDefinitionIds`, the
    /// roles Azure grants the identity of every assignment of the policy)
    /// include a privileged built-in role: Owner, Contributor, User Access
    /// Administrator or Role Based Access Control Administrator. It looks
    /// at `Microsoft.Authorization/policyDefinitions` resources of a
    /// template and at standalone policy definition files
    /// (`{"properties": {"policyRule": …}}`). The message says whether the
    /// role can also grant access to others.
    ///
    /// ## Why is this bad?
    /// When the policy is assigned, the assignment's managed identity gets
    /// every role in `roleDefinitionIds` at the assignment's scope: a
    /// subscription or a management group, with everything below it. A
    /// remediation that deploys a diagnostic setting or a private DNS
    /// record does not need to change or delete every resource there, and
    /// Owner or User Access Administrator lets whoever can edit the policy's
    /// template grant any role to anyone. The role is asked for once, in
    /// the definition, and granted silently at every assignment.
    ///
    /// ## Example
    /// ```json
    /// "then": {
    ///   "effect": "deployIfNotExists",
    ///   "details": {
    ///     "type": "Microsoft.Insights/diagnosticSettings",
    ///     "roleDefinitionIds": [
    ///       "/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c"
    ///     ]
    ///   }
    /// }
    /// ```
    /// Use instead a task role that covers what the remediation deploys:
    /// ```json
    /// "roleDefinitionIds": [
    ///   "/providers/Microsoft.Authorization/roleDefinitions/749f88d5-cbae-40b8-bcfc-e573ddc772fa",
    ///   "/providers/Microsoft.Authorization/roleDefinitions/92aaf0da-9dab-42b6-94a3-d43ce8d16293"
    /// ]
    /// ```
    /// (Monitoring Contributor and Log Analytics Contributor).
    ///
    /// ## Fix
    /// List the narrowest built-in roles whose actions cover the resources
    /// the remediation template deploys (Monitoring Contributor, Network
    /// Contributor, Log Analytics Contributor, Virtual Machine Contributor,
    /// …), or a custom role with exactly those actions. If the remediation
    /// truly needs Contributor, exempt the finding in the policy with a
    /// reason.
    pub struct RemediationPrivilegedRole {
        level: Warning,
        summary: "a deployIfNotExists or modify policy definition asks for Owner, Contributor, User Access Administrator or RBAC Administrator for its assignments' identity",
    }
}

/// The path from a policy rule to the roles its remediation identity gets.
const ROLES_PATH: [&str; 3] = ["then", "details", "roleDefinitionIds"];

impl Rule for RemediationPrivilegedRole {
    fn check(&self, ctx: &mut RuleContext<'_, '_>) {
        let model = ctx.model;
        // Policy definitions of the template, evaluated.
        for (i, r) in model.eval.resources.iter().enumerate() {
            if !r.is_type("Microsoft.Authorization/policyDefinitions") {
                continue;
            }
            let mut path = vec!["properties", "policyRule"];
            path.extend(ROLES_PATH);
            let Some(items) = r.get(&path).and_then(Val::as_array) else {
                continue;
            };
            let name = crate::rules::words::phrase(&r.name, None, "policy definition");
            for (j, item) in items.iter().enumerate() {
                let Some(role) = item.as_str().and_then(privileged) else {
                    continue;
                };
                let js = j.to_string();
                let mut at = path.clone();
                at.push(&js);
                let Some(location) = model.locate(i, &at) else {
                    continue;
                };
                report(ctx, location, Some(i), &name, role);
            }
        }
        // A standalone policy definition: its roles as written (a policy
        // expression there is evaluated at assignment, not here).
        let Some(root) = model.eval.deployments.first().map(|d| d.file) else {
            return;
        };
        let Some(entry) = model.files.get(root) else {
            return;
        };
        let doc = &entry.doc;
        if !crate::template::policy::is_policy_definition(doc) {
            return;
        }
        let Some(rule) = doc
            .get_path(doc.root(), &["properties", "policyRule"])
            .or_else(|| doc.get(doc.root(), "policyRule"))
        else {
            return;
        };
        let Some(roles) = doc.get_path(rule, &ROLES_PATH) else {
            return;
        };
        let name = standalone_name(doc);
        for &item in doc.items(roles) {
            let Some(role) = doc.as_str(item).and_then(privileged) else {
                continue;
            };
            let location = Location {
                file: root,
                node: item,
                span: doc.span(item),
            };
            report(ctx, location, None, &name, role);
        }
    }
}

/// The privileged built-in role a role definition ID names, by its last
/// GUID (`/providers/Microsoft.Authorization/roleDefinitions/<guid>`, with
/// or without a subscription).
fn privileged(id: &str) -> Option<&'static crate::roles::BuiltinRole> {
    let guid = id.trim_end_matches(['/', ' ']).rsplit('/').next()?;
    crate::roles::by_id(&guid.to_ascii_lowercase())
        .filter(|b| b.privileged && (b.grants_access || b.wildcard_actions))
}

fn report(
    ctx: &mut RuleContext<'_, '_>,
    location: Location,
    resource: Option<usize>,
    name: &str,
    role: &crate::roles::BuiltinRole,
) {
    let grants = if role.grants_access {
        ", a role that can also grant access to others"
    } else {
        ""
    };
    ctx.report(
        location,
        resource,
        format!(
            "{name} asks for {} for its assignments' identity (roleDefinitionIds): every assignment of it grants {} at the scope it is assigned to{grants}",
            role.name, role.name
        ),
        format!(
            "list the narrowest roles that cover what the remediation deploys (e.g. Monitoring Contributor, Network Contributor) instead of {}; if it truly needs {}, exempt the finding with a reason",
            role.name, role.name
        ),
    );
}

/// A standalone definition's name for messages: its `name` or
/// `properties.displayName`, else "the policy definition".
fn standalone_name(doc: &Document) -> String {
    let root: NodeId = doc.root();
    doc.get(root, "name")
        .or_else(|| doc.get_path(root, &["properties", "displayName"]))
        .and_then(|n| doc.as_str(n))
        .filter(|n| !n.is_empty() && !n.starts_with('['))
        .map(|n| {
            format!(
                "policy definition '{}'",
                crate::rules::words::readable(&Val::str(n)).unwrap_or_default()
            )
        })
        .unwrap_or_else(|| "the policy definition".to_string())
}
