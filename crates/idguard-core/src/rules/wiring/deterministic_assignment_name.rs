use crate::expr::{Part, Unknown, Val};
use crate::finding::FixSafety;
use crate::fix::{RuleFix, SpanEdit, Src, argument, expression_value};
use crate::model::{Model, Principal, RoleAssignment, ScopeLevel};
use crate::rules::{Rule, RuleContext};

use super::name_seeds;

declare_rule! {
    /// ## What it does
    /// Flags a role assignment whose `name` is not a `guid()` over its scope,
    /// its principal and its role — a fixed GUID, `newGuid()`, or a `guid()`
    /// whose seeds leave one of the three out or carry it unstably — and two
    /// role assignments in the deployment that grant the same role to the
    /// same principal at the same scope. The message says which input is
    /// missing or unstable.
    ///
    /// The seeds are judged by what they evaluate to, not by their text: a
    /// seed stands for the scope only if its value carries the scope's
    /// varying parts (subscription, resource group, management group,
    /// resource names). `split(id, '/')[0]` and `[1]` are `''` and
    /// `'subscriptions'` for every resource and carry none; a resource
    /// group's name without its subscription carries only part of the scope
    /// (role assignment names are unique across the tenant). A resource
    /// whose name is unique across Azure because it is part of a DNS name
    /// (a storage account, a key vault, a container registry, …) is the
    /// whole scope by its name alone. A fixed seed that is the identity's
    /// own name or the role's GUID stands for the principal or the role,
    /// and is not reported as a constant. Bicep's
    /// `guid(scope.id, principalId, roleDefinitionId)` idiom, the same idiom
    /// in AVM modules' `roleAssignment.?name ?? guid(…)`, and ARM's
    /// `guid(resourceId(…), <identity name or ID>, <role ID>)` all pass.
    ///
    /// - **Scope**: missing, or only part of it.
    /// - **Principal**: missing, or identified only by the name of the policy
    ///   assignment whose identity it is. Re-creating a policy assignment
    ///   (landing-zone pipelines do) gives it a new identity; the name stays
    ///   the same, and ARM refuses to change an existing assignment's
    ///   principal (`RoleAssignmentUpdateNotPermitted`).
    /// - **Role**: missing. A fixed label (`'owner'`, a slot suffix `'-2'`)
    ///   stands for a role written as a fixed ID, not for one that comes from
    ///   a parameter.
    ///
    /// A name that calls `reference()` or `list*()` is MI406's (ARM rejects
    /// it), not this rule's.
    ///
    /// ## Why is this bad?
    /// A role assignment's name must be a GUID, unique across the tenant,
    /// and the same on every redeployment. A fixed GUID collides as soon as
    /// the template is deployed twice (two environments, two instances of a
    /// module); `newGuid()` creates a duplicate assignment on every run until
    /// `RoleAssignmentExists` fails the deployment; a `guid()` without the
    /// principal makes two identities' assignments collide, one without the
    /// scope makes the same assignment on two resources collide.
    ///
    /// ## Example
    /// ```json
    /// "name": "[guid(resourceGroup().id, 'storage-reader')]"
    /// ```
    /// Use instead:
    /// ```json
    /// "name": "[guid(resourceGroup().id, variables('identityId'), variables('storageBlobDataReader'))]"
    /// ```
    ///
    /// ## Fix
    /// Name every role assignment `guid(<scope id>, <principal>, <role id>)`
    /// — what Bicep's `guid(scope.id, principalId, roleDefinitionId)` idiom
    /// does — and remove duplicate assignments. For a policy assignment's
    /// identity, seed the name with its principal ID: pass
    /// `reference(<policy assignment>, …, 'Full').identity.principalId` to a
    /// nested deployment (or Bicep module) as a parameter and name the role
    /// assignment there.
    ///
    /// `idguard check --fix --unsafe-fixes` names the assignment `guid()` over
    /// its own scope, `principalId` and `roleDefinitionId` expressions. The fix
    /// is unsafe: an assignment already deployed under the old name stays, and
    /// the next deployment fails with `RoleAssignmentExists` until it is
    /// removed.
    pub struct DeterministicAssignmentName {
        level: Warning,
        summary: "a role assignment's name is not a guid() over scope, principal and role, or two assignments grant the same role to the same principal at the same scope",
    }
}

/// The guid() a name is (also when wrapped in a partial string, as legacy
/// `vm/Microsoft.Authorization/guid` names are split before this).
fn guid_args(name: &Val) -> Option<&[Val]> {
    match name.as_unknown()? {
        Unknown::Guid(args) => Some(args),
        Unknown::Str(parts) => match parts.as_slice() {
            [Part::Hole(h)] => match &**h {
                Unknown::Guid(args) => Some(args),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

impl Rule for DeterministicAssignmentName {
    fn check(&self, ctx: &mut RuleContext<'_, '_>) {
        let model = ctx.model;
        let mut seen: Vec<&RoleAssignment> = Vec::new();
        for a in &model.role_assignments {
            let problem = match &a.name {
                Val::Str(s) => Some(if crate::roles::is_guid(s) {
                    format!(
                        "role assignment name is the fixed GUID '{s}'; redeploying the template elsewhere in the same scope collides"
                    )
                } else {
                    format!("role assignment name '{s}' is not a GUID; the deployment would fail")
                }),
                Val::Unknown(u) => match &**u {
                    Unknown::NonDeterministic(f) => Some(format!(
                        "role assignment name is not a deterministic guid(): it comes from {f}(), so every deployment creates a new, duplicate assignment"
                    )),
                    _ => guid_args(&a.name).and_then(|args| {
                        let problems = name_seeds::judge(model, a, args);
                        (!problems.is_empty()).then(|| {
                            format!("role assignment name guid(…): {}", problems.join("; "))
                        })
                    }),
                },
                _ => None,
            };
            // A name not fully typed yet (Bicep with a syntax error) is no
            // evidence of a bad name; one ARM cannot compute is MI406's.
            let incomplete = model.resource(a.resource).is_some_and(|r| r.incomplete)
                || name_seeds::runtime_call_in_name(model, a).is_some();
            if let Some(message) = problem.filter(|_| !incomplete) {
                ctx.report_with_fix(
                    a.name_location,
                    Some(a.resource),
                    message,
                    "name it guid(<scope id>, <principal id>, <role definition id>)",
                    guid_name_fix(model, a),
                );
            }
            let duplicate = seen.iter().find(|b| {
                b.role == a.role
                    && a.principal != Principal::Unknown
                    && b.principal == a.principal
                    && a.scope.is_fully_known() == b.scope.is_fully_known()
                    && a.scope == b.scope
                    && a.role != crate::model::Role::Unknown
                    && model.resource(a.resource).map(|r| r.node)
                        != model.resource(b.resource).map(|r| r.node)
            });
            if let Some(b) = duplicate {
                let line = model
                    .files
                    .get(b.name_location.file)
                    .map(|f| {
                        f.doc
                            .lines()
                            .line_col(&f.text, b.name_location.span.start)
                            .line
                    })
                    .unwrap_or(0);
                ctx.report(
                    a.name_location,
                    Some(a.resource),
                    format!(
                        "this role assignment grants the same role to the same principal at the same scope as the one at line {line}"
                    ),
                    "remove the duplicate role assignment",
                );
            }
            seen.push(a);
        }
    }
}

/// The role assignment's `name` replaced by `guid(<scope>, <principalId>,
/// <roleDefinitionId>)` over the assignment's own expressions as written.
///
/// Unsafe: a role assignment's name is its identity in Azure. Renaming a
/// deployed assignment makes the next deployment create a new one beside
/// it (or fail with `RoleAssignmentExists`, as the old one grants the same
/// role to the same principal at the same scope) until the old one is
/// removed, so applying it needs consent.
fn guid_name_fix(model: &Model<'_>, a: &RoleAssignment) -> Option<RuleFix> {
    let src = Src::of(model.files, a.name_location.file)?;
    let r = model.resource(a.resource)?;
    let (resource, name) = src.member_of(a.name_location.node)?;
    let written_type = src
        .doc
        .get(resource, "type")
        .and_then(|t| src.doc.as_str(t))
        .unwrap_or(&r.ty);
    if resource != r.node
        || r.file != a.name_location.file
        || !name.key.eq_ignore_ascii_case("name")
        || !src.key_written(name)
        || !written_type.eq_ignore_ascii_case("Microsoft.Authorization/roleAssignments")
    {
        return None;
    }
    let properties = src.doc.get(resource, "properties")?;
    let principal_node = src.doc.get(properties, "principalId")?;
    let role_node = src.doc.get(properties, "roleDefinitionId")?;
    // A name may not call reference() or list*() (MI406): the principal
    // is seeded by the identity it is read from instead, and a role read
    // at deployment gets no fix.
    let runtime = |n: crate::source::NodeId| {
        src.doc
            .as_str(n)
            .and_then(name_seeds::runtime_call_in)
            .is_some()
    };
    if runtime(role_node) {
        return None;
    }
    let principal = argument(&src, principal_node)?;
    let principal = if runtime(principal_node) {
        principal_source(&principal, src.bicep)?
    } else {
        principal
    };
    let role = argument(&src, role_node)?;
    let scope = match src.doc.get(resource, "scope") {
        None => match a.scope_level {
            Some(ScopeLevel::ResourceGroup) => "resourceGroup().id".to_string(),
            Some(ScopeLevel::Subscription) => "subscription().id".to_string(),
            _ => return None,
        },
        Some(node) => scope_argument(&src, node)?,
    };
    Some(RuleFix {
        title: "Name the role assignment guid(scope, principal, role)".to_string(),
        safety: FixSafety::Unsafe,
        edits: vec![SpanEdit {
            span: src.doc.span(a.name_location.node),
            replacement: expression_value(&src, &format!("guid({scope}, {principal}, {role})")),
        }],
    })
}

/// What a principal ID read at deployment is read from, as a seed ARM can
/// compute when the deployment starts: `reference(<id>, …).principalId` →
/// `<id>`; Bicep's `uami.properties.principalId` or
/// `app.identity.principalId` → `uami.id`, `app.id`. `None` for any other
/// shape.
fn principal_source(text: &str, bicep: bool) -> Option<String> {
    if bicep {
        let (symbol, rest) = text.split_once('.')?;
        let symbol_ok = symbol
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && symbol
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        let rest = rest.to_ascii_lowercase();
        let path_ok = [
            "properties.principalid",
            "properties.clientid",
            "identity.principalid",
        ]
        .contains(&rest.as_str());
        return (symbol_ok && path_ok).then(|| format!("{symbol}.id"));
    }
    let open = text.find('(')?;
    if !text[..open].trim().eq_ignore_ascii_case("reference") {
        return None;
    }
    // The first argument: up to the first comma or the closing parenthesis
    // at depth zero, outside quotes.
    let (mut depth, mut quoted) = (0usize, false);
    for (i, c) in text[open + 1..].char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '(' | '[' if !quoted => depth += 1,
            ')' | ']' if !quoted && depth > 0 => depth -= 1,
            ',' | ')' if !quoted && depth == 0 => {
                let target = text[open + 1..open + 1 + i].trim();
                let lower = target.to_ascii_lowercase();
                return (!target.is_empty()
                    && name_seeds::runtime_call_in(&format!("[{target}]")).is_none()
                    && (lower.starts_with("resourceid(") || lower.starts_with("'/")))
                .then(|| target.to_string());
            }
            _ => {}
        }
    }
    None
}

/// A role assignment's `scope` as a scope ID expression: a Bicep resource
/// symbol (`stg` → `stg.id`) or scope function; in JSON a resource-ID
/// function or a literal ID. Anything else (ARM's relative
/// `Microsoft.X/y/name` form) gives no fix.
fn scope_argument(src: &Src<'_>, node: crate::source::NodeId) -> Option<String> {
    let text = argument(src, node)?;
    if src.bicep {
        let symbol = text
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        let scope_call = ["resourceGroup(", "subscription(", "managementGroup("]
            .iter()
            .any(|f| text.starts_with(f) && text.ends_with(')') && text.matches('(').count() == 1);
        return (symbol || scope_call).then(|| format!("{text}.id"));
    }
    let lower = text.to_ascii_lowercase();
    let id_call = [
        "resourceid(",
        "extensionresourceid(",
        "subscriptionresourceid(",
        "tenantresourceid(",
    ]
    .iter()
    .any(|f| lower.starts_with(f));
    (id_call || lower.starts_with("'/")).then_some(text)
}
