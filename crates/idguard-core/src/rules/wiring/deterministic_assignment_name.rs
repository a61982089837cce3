use crate::expr::{Part, Unknown, Val};
use crate::finding::FixSafety;
use crate::fix::{RuleFix, SpanEdit, Src, argument, expression_value};
use crate::model::{Model, Principal, RoleAssignment, ScopeLevel};
use crate::rules::{Rule, RuleContext};

declare_rule! {
    /// ## What it does
    /// Flags a role assignment whose `name` is not a `guid()` over its scope,
    /// its principal and its role — a fixed GUID, `newGuid()`, or a `guid()`
    /// that leaves one of the three out — and two role assignments in the
    /// deployment that grant the same role to the same principal at the same
    /// scope.
    ///
    /// ## Why is this bad?
    /// A role assignment's name must be a GUID, unique within its scope, and
    /// the same on every redeployment. A fixed GUID collides as soon as the
    /// template is deployed twice (two environments in one subscription, two
    /// instances of a module); `newGuid()` creates a duplicate assignment on
    /// every run until `RoleAssignmentExists` fails the deployment; a
    /// `guid()` without the principal makes two identities' assignments
    /// collide.
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
    /// does — and remove duplicate assignments.
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

/// The readable text of every piece of a guid() argument, lowercase.
fn arg_texts(args: &[Val]) -> Vec<String> {
    args.iter()
        .map(|a| a.display().to_ascii_lowercase())
        .collect()
}

fn mentions(args: &[String], needle: &str) -> bool {
    let needle = needle.to_ascii_lowercase();
    !needle.is_empty()
        && args
            .iter()
            .any(|a| a.contains(&needle) || needle.contains(a.as_str()) && a.len() > 8)
}

/// Which of scope, principal and role the guid() arguments leave out.
fn missing_parts(ctx: &RuleContext<'_, '_>, a: &RoleAssignment, args: &[Val]) -> Vec<&'static str> {
    let model = ctx.model;
    let texts = arg_texts(args);
    let r = model.resource(a.resource);
    let get = |path: &[&str]| {
        r.and_then(|r| r.get(path))
            .map(Val::display)
            .unwrap_or_default()
    };
    let principal_text = get(&["properties", "principalId"]);
    let role_text = get(&["properties", "roleDefinitionId"]);
    let mut missing = Vec::new();

    // Principal: the principal expression, the identity's name or ID, or a
    // parameter named for a principal.
    let mut principal_needles = vec![principal_text.clone()];
    if let Principal::Identity { identity, .. } = &a.principal
        && let Some(i) = model.identities.get(*identity)
    {
        principal_needles.push(i.name.display());
    }
    if let Principal::SystemAssigned { resource, .. } = &a.principal {
        principal_needles.push(model.display_name(*resource));
    }
    let principal_ok = principal_needles.iter().any(|n| mentions(&texts, n))
        || texts
            .iter()
            .any(|t| t.contains("principal") || t.contains("objectid") || t.contains("identity"));
    if !principal_ok {
        missing.push("principal");
    }
    // Role: the role ID expression or its GUID, or a word naming a role.
    let role_guid = role_text.rsplit('/').next().unwrap_or_default().to_string();
    // A built-in role named in words (`…-Disk-Snapshot-Contributor`).
    let role_words = match &a.role {
        crate::model::Role::Builtin(b) => alphanumeric(b.name),
        _ => String::new(),
    };
    let role_ok = mentions(&texts, &role_text)
        || mentions(&texts, &role_guid)
        || texts.iter().any(|t| t.contains("role"))
        || (!role_words.is_empty() && texts.iter().any(|t| alphanumeric(t).contains(&role_words)));
    if !role_ok {
        missing.push("role");
    }
    // Scope: any resource or scope ID among the arguments, or a value
    // named for a scope (`parameters('scope')`).
    let scope_text = a.scope.display().to_ascii_lowercase();
    let scope_ok = mentions(&texts, &scope_text)
        || texts.iter().any(|t| {
            t.contains("/subscriptions/")
                || t.contains("/providers/")
                || t.contains("subscription()")
                || t.contains("resourcegroup()")
                || t.contains("subscriptionid")
                || t.contains("scope")
        });
    if !scope_ok {
        missing.push("scope");
    }
    missing
}

/// The guid() a name is (also when wrapped in a partial string, as legacy
/// `vm/Microsoft.Authorization/guid` names are split before this).
/// The ASCII letters and digits of `s`, lowercase.
fn alphanumeric(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

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
                        let missing = missing_parts(ctx, a, args);
                        (!missing.is_empty()).then(|| {
                            format!(
                                "role assignment name is a guid() that leaves out the {}",
                                missing.join(" and the ")
                            )
                        })
                    }),
                },
                _ => None,
            };
            // A name not fully typed yet (Bicep with a syntax error) is no
            // evidence of a bad name.
            let incomplete = model.resource(a.resource).is_some_and(|r| r.incomplete);
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
    let principal = argument(&src, src.doc.get(properties, "principalId")?)?;
    let role = argument(&src, src.doc.get(properties, "roleDefinitionId")?)?;
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
