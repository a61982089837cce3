//! What a role assignment's `guid()` name is seeded with, judged by what the
//! seeds evaluate to (MI403), and whether ARM can compute the name at all
//! (MI406).
//!
//! Each seed is rendered for matching: known text lower-cased, each unknown
//! piece as a token that names what it is (a parameter by its name, a
//! deployment value by its function, `guid()` and `uniqueString()` with
//! their own seeds, a `reference()` with its target) and never the words of
//! a reason. An unknown that stands for "something not evaluated" is a
//! token that matches nothing, so a seed counts as the scope only when its
//! value carries the scope's varying parts (subscription, resource group,
//! management group, resource names), not when its text mentions them:
//! `split(id, '/')[0]` and `[1]` evaluate to `''` and `'subscriptions'` for
//! every resource and carry nothing.

use crate::expr::{ExprKind, Part, Unknown, Val};
use crate::model::{Model, Principal, Role, RoleAssignment};
use crate::template::ids;

/// Starts and ends an unknown piece's token.
const OPEN: char = '\u{1}';
const CLOSE: char = '\u{2}';
/// The token of an unknown that is not evaluated: it matches nothing.
const NOTHING: &str = "\u{1}?\u{2}";

/// A value rendered for matching (see the module docs).
pub(super) fn render(v: &Val) -> String {
    let mut out = String::new();
    render_into(v, &mut out, 0);
    out
}

fn render_into(v: &Val, out: &mut String, depth: usize) {
    if depth > 16 {
        out.push_str(NOTHING);
        return;
    }
    match v {
        Val::Str(s) => out.push_str(&s.to_lowercase()),
        Val::Unknown(u) => render_unknown(u, out, depth + 1),
        Val::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                render_into(item, out, depth + 1);
            }
            out.push(']');
        }
        other => out.push_str(&other.display().to_lowercase()),
    }
}

fn render_unknown(u: &Unknown, out: &mut String, depth: usize) {
    let path = |out: &mut String, path: &[std::rc::Rc<str>]| {
        for p in path {
            out.push('.');
            out.push_str(&p.to_lowercase());
        }
    };
    let args = |out: &mut String, args: &[Val]| {
        for (i, a) in args.iter().enumerate() {
            if i > 0 {
                out.push('\u{3}');
            }
            render_into(a, out, depth + 1);
        }
    };
    match u {
        Unknown::Parameter(p) => {
            out.push(OPEN);
            out.push_str("parameter:");
            out.push_str(&p.to_lowercase());
            out.push(CLOSE);
        }
        Unknown::Deployment(expr) => {
            out.push(OPEN);
            out.push_str(&expr.to_lowercase());
            out.push(CLOSE);
        }
        Unknown::Reference {
            target, path: p, ..
        } => {
            out.push(OPEN);
            out.push_str("reference(");
            render_into(target, out, depth + 1);
            out.push(')');
            path(out, p);
            out.push(CLOSE);
        }
        Unknown::List {
            function,
            target,
            path: p,
        } => {
            out.push(OPEN);
            out.push_str(&function.to_lowercase());
            out.push('(');
            render_into(target, out, depth + 1);
            out.push(')');
            path(out, p);
            out.push(CLOSE);
        }
        Unknown::Guid(a) => {
            out.push(OPEN);
            out.push_str("guid(");
            args(out, a);
            out.push(')');
            out.push(CLOSE);
        }
        Unknown::UniqueString(a) => {
            out.push(OPEN);
            out.push_str("uniquestring(");
            args(out, a);
            out.push(')');
            out.push(CLOSE);
        }
        Unknown::NonDeterministic(f) => {
            out.push(OPEN);
            out.push_str(&f.to_lowercase());
            out.push_str("()");
            out.push(CLOSE);
        }
        Unknown::Str(parts) => {
            for part in parts.iter() {
                match part {
                    Part::Lit(s) => out.push_str(&s.to_lowercase()),
                    Part::Hole(h) => render_unknown(h, out, depth + 1),
                }
            }
        }
        Unknown::Member { of, path: p } => {
            out.push(OPEN);
            render_unknown(of, out, depth + 1);
            path(out, p);
            out.push(CLOSE);
        }
        Unknown::Opaque(_) => out.push_str(NOTHING),
    }
}

/// Whether a rendering can be looked for: it has something in it and no
/// piece that is not evaluated.
fn judgeable(needle: &str) -> bool {
    !needle.is_empty() && !needle.contains(NOTHING)
}

/// Whether some seed carries `needle` (a literal needle of fewer than 3
/// characters must be a whole seed).
fn carried(seeds: &[String], needle: &str) -> bool {
    if !judgeable(needle) {
        return false;
    }
    let short = needle.chars().count() < 3 && !needle.contains(OPEN);
    seeds.iter().any(|s| {
        if short {
            s == needle
        } else {
            s.contains(needle)
        }
    })
}

/// The parameter names a rendering mentions.
fn parameters_in(rendered: &str) -> Vec<&str> {
    rendered
        .split(OPEN)
        .filter_map(|t| t.strip_prefix("parameter:"))
        .map(|t| t.split(CLOSE).next().unwrap_or(t))
        .collect()
}

/// The literal runs of a rendering outside its tokens.
fn literal_runs(rendered: &str) -> Vec<&str> {
    let mut runs = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in rendered.char_indices() {
        match c {
            OPEN => {
                if depth == 0 && i > start {
                    runs.push(&rendered[start..i]);
                }
                depth += 1;
            }
            CLOSE => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    start = i + c.len_utf8();
                }
            }
            _ => {}
        }
    }
    if depth == 0 && start < rendered.len() {
        runs.push(&rendered[start..]);
    }
    runs
}

/// A seed's literal label, when it has one: a known run of letters or
/// digits that is not part of an ID (`'owner'`, `'-2'` counts only with a
/// letter or digit).
fn label_of(seed: &str) -> Option<String> {
    literal_runs(seed)
        .into_iter()
        .flat_map(|r| r.split('\u{4}'))
        .map(str::trim)
        .find(|r| !r.contains('/') && r.chars().any(|c| c.is_ascii_alphanumeric()))
        .map(str::to_string)
}

/// Resource types whose names are unique across Azure (each is part of a
/// DNS name), so a seed carrying the name carries the whole scope.
const GLOBALLY_UNIQUE: &[&str] = &[
    "Microsoft.Storage/storageAccounts",
    "Microsoft.KeyVault/vaults",
    "Microsoft.KeyVault/managedHSMs",
    "Microsoft.ContainerRegistry/registries",
    "Microsoft.DocumentDB/databaseAccounts",
    "Microsoft.ServiceBus/namespaces",
    "Microsoft.EventHub/namespaces",
    "Microsoft.AppConfiguration/configurationStores",
    "Microsoft.Web/sites",
    "Microsoft.Sql/servers",
    "Microsoft.Search/searchServices",
    "Microsoft.Cache/redis",
    "Microsoft.SignalRService/signalR",
    "Microsoft.ApiManagement/service",
    "Microsoft.DBforPostgreSQL/flexibleServers",
    "Microsoft.DBforMySQL/flexibleServers",
];

/// The needles worth taking out of a seed (judgeable, 3 characters or
/// more), longest first: an identity's ID is taken out whole before its
/// name.
fn strikable(needles: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = needles
        .filter(|n| judgeable(n) && n.chars().count() >= 3)
        .collect();
    out.sort_by_key(|n| std::cmp::Reverse(n.len()));
    out
}

/// `seed` with every needle replaced by a separator (`\u{4}`), so what is
/// left is judged on its own.
fn strike(seed: &str, needles: &[String]) -> String {
    needles
        .iter()
        .fold(seed.to_string(), |s, n| s.replace(n.as_str(), "\u{4}"))
}

/// How one input of the name is covered by the seeds.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cover {
    /// A seed carries it (or it cannot be judged).
    Full,
    /// Only part of it, or an unstable stand-in: the sentence says which.
    Part(String),
    /// No seed carries it: the sentence says what it is.
    Missing(String),
}

/// What the seeds of a `guid()` name leave out or carry unstably, as
/// sentences for MI403; empty when the name is seeded with the scope, the
/// principal and the role.
pub(super) fn judge(model: &Model<'_>, a: &RoleAssignment, args: &[Val]) -> Vec<String> {
    let seeds: Vec<String> = args.iter().map(render).collect();
    let mut out = Vec::new();
    // The scope is judged on the seeds less what stands for the principal
    // and the role (an identity's ID carries its own subscription and
    // resource group, not the scope's).
    let others = strikable(
        principal_needles(model, a)
            .into_iter()
            .chain(role_needles(model, a)),
    );
    let scope_seeds: Vec<String> = seeds.iter().map(|s| strike(s, &others)).collect();
    // Fixed seeds that stand for nothing else (an identity's fixed name
    // stands for the principal, a role's GUID for the role).
    let constant: Vec<String> = args
        .iter()
        .filter_map(Val::as_str)
        .filter(|s| {
            let lower = s.to_lowercase();
            !others
                .iter()
                .any(|n| *n == lower || n.rsplit('/').next() == Some(lower.as_str()))
        })
        .map(|s| format!("'{}'", short(s)))
        .collect();
    let constants = || {
        if constant.is_empty() {
            String::new()
        } else {
            format!(
                "; {} {} the same for every resource",
                constant.join(" and "),
                if constant.len() == 1 { "is" } else { "are" }
            )
        }
    };
    match scope_cover(a, &seeds, &scope_seeds) {
        Cover::Full => {}
        Cover::Part(s) => out.push(format!("{s}{}", constants())),
        Cover::Missing(s) => out.push(format!(
            "no seed varies with the scope ({s}){}",
            constants()
        )),
    }
    match principal_cover(model, a, &seeds) {
        Cover::Full => {}
        Cover::Part(s) | Cover::Missing(s) => out.push(s),
    }
    match role_cover(model, a, &seeds) {
        Cover::Full => {}
        Cover::Part(s) | Cover::Missing(s) => out.push(s),
    }
    out
}

/// A known string shortened for a message.
fn short(s: &str) -> String {
    crate::rules::words::readable(&Val::str(s)).unwrap_or_default()
}

/// The scope: every varying part of its ID (subscription, resource group,
/// management group, resource names) must be carried by the seeds.
fn scope_cover(a: &RoleAssignment, seeds: &[String], scope_seeds: &[String]) -> Cover {
    let whole = render(&a.scope);
    // A parameter named for a scope (`parameters('scope')`) counts as one.
    if carried(scope_seeds, &whole)
        || seeds
            .iter()
            .any(|s| parameters_in(s).iter().any(|p| p.contains("scope")))
    {
        return Cover::Full;
    }
    let seeds = scope_seeds;
    let Some(info) = ids::parse_resource_id(&a.scope) else {
        return Cover::Full; // a scope whose shape is not known: not judged
    };
    let mut parts: Vec<(&str, String)> = Vec::new();
    if let Some(s) = &info.subscription {
        parts.push(("the subscription", render(s)));
    }
    if let Some(g) = &info.resource_group {
        parts.push(("the resource group's name", render(g)));
    }
    if let Some(m) = &info.management_group {
        parts.push(("the management group's name", render(m)));
    }
    // A resource whose name is unique across Azure (a storage account, a
    // key vault: it is part of a DNS name) is the whole scope by its name.
    let global = info
        .resource_type
        .as_deref()
        .is_some_and(|t| GLOBALLY_UNIQUE.iter().any(|g| g.eq_ignore_ascii_case(t)));
    if global
        && let Some(name) = info.names.first().map(render)
        && carried(seeds, &name)
    {
        return Cover::Full;
    }
    let last = info.names.len().saturating_sub(1);
    for (i, n) in info.names.iter().enumerate() {
        let what = if i == last {
            "the resource's name"
        } else {
            "the parent resource's name"
        };
        parts.push((what, render(n)));
    }
    if parts.is_empty() || parts.iter().any(|(_, p)| !judgeable(p)) {
        return Cover::Full; // the tenant root, or parts not known: not judged
    }
    let (present, missing): (Vec<_>, Vec<_>) = parts.iter().partition(|(_, p)| carried(seeds, p));
    let level = a.scope_level.map(|l| l.describe()).unwrap_or("its scope");
    if missing.is_empty() {
        return Cover::Full;
    }
    if present.is_empty() {
        return Cover::Missing(level.to_string());
    }
    let list = |v: &[&(&str, String)]| {
        let mut names: Vec<&str> = Vec::new();
        for (n, _) in v {
            if !names.contains(n) {
                names.push(n);
            }
        }
        names.join(" and ")
    };
    Cover::Part(format!(
        "its seeds carry only part of the scope ({level}): {} but not {}, and role assignment names are unique across the tenant, so the same name elsewhere collides",
        list(&present),
        list(&missing)
    ))
}

/// The policy assignment whose identity the principal is, when it is one:
/// its name as shown (empty when nothing of it is known), the assignment
/// in words for a message, and its name rendered for matching.
fn policy_assignment_principal(
    model: &Model<'_>,
    a: &RoleAssignment,
) -> Option<(String, String, String)> {
    const PA: &str = "microsoft.authorization/policyassignments";
    if let Principal::SystemAssigned { resource, .. } = &a.principal
        && let Some(r) = model.resource(*resource)
        && r.ty
            .eq_ignore_ascii_case("Microsoft.Authorization/policyAssignments")
    {
        let shown = crate::rules::words::readable(&r.name).unwrap_or_default();
        let phrase = crate::rules::words::phrase(&r.name, None, "policy assignment");
        return Some((shown, phrase, render(&r.name)));
    }
    let value = model
        .resource(a.resource)?
        .get(&["properties", "principalId"])?
        .display();
    let lower = value.to_lowercase();
    let at = lower.find(PA)? + PA.len();
    if !lower.contains("principalid") {
        return None;
    }
    let rest = value.get(at..)?.strip_prefix('/')?;
    let name: String = rest
        .chars()
        .take_while(|c| !matches!(c, '\'' | ')' | ',' | '/' | ' '))
        .collect();
    if name.is_empty() {
        return None;
    }
    let rendered = name.to_lowercase();
    // `{parameters('x')}` in the display: the parameter's token.
    let rendered = match rendered
        .strip_prefix("{parameters('")
        .and_then(|s| s.strip_suffix("')}"))
    {
        Some(p) => format!("{OPEN}parameter:{p}{CLOSE}"),
        None => rendered,
    };
    let phrase = match name
        .strip_prefix("{parameters('")
        .and_then(|s| s.strip_suffix("')}"))
    {
        Some(p) => format!("the policy assignment named by parameter '{p}'"),
        None => format!("policy assignment '{name}'"),
    };
    Some((name, phrase, rendered))
}

/// What stands for the principal in a seed: its ID expression's value, the
/// identity it is (name or ID).
fn principal_needles(model: &Model<'_>, a: &RoleAssignment) -> Vec<String> {
    let mut needles: Vec<String> = model
        .resource(a.resource)
        .and_then(|r| r.get(&["properties", "principalId"]))
        .map(render)
        .into_iter()
        .collect();
    match &a.principal {
        Principal::Identity { identity, .. } => {
            if let Some(i) = model.identities.get(*identity) {
                needles.push(render(&i.name));
                if let Some(r) = model.resource(i.resource) {
                    needles.push(render(&r.id));
                }
            }
        }
        Principal::SystemAssigned { resource, .. } => {
            if let Some(r) = model.resource(*resource) {
                needles.push(render(&r.name));
                needles.push(render(&r.id));
            }
        }
        Principal::ExternalIdentity { id, .. } => {
            needles.push(render(id));
            if let Some(n) = crate::rules::scope::external_identity(id) {
                needles.push(render(&n));
            }
        }
        Principal::ResourceIdentity { resource, .. } => {
            // The identity belongs to the resource: its name or ID varies
            // with the principal.
            if let Some(r) = model.resource(*resource) {
                needles.push(render(&r.name));
                needles.push(render(&r.id));
            }
        }
        Principal::Literal(g) => needles.push(g.to_lowercase()),
        Principal::Unknown => {}
    }
    needles
}

/// The principal: its ID expression's value, or the identity it is (name or
/// ID), or a parameter named for a principal.
fn principal_cover(model: &Model<'_>, a: &RoleAssignment, seeds: &[String]) -> Cover {
    let resource = model.resource(a.resource);
    let principal_id = resource
        .and_then(|r| r.get(&["properties", "principalId"]))
        .map(render)
        .unwrap_or_default();
    if carried(seeds, &principal_id) {
        return Cover::Full;
    }
    let who = crate::rules::scope::describe_principal(model, &a.principal);
    if let Some((name, phrase, rendered)) = policy_assignment_principal(model, a) {
        if carried(seeds, &rendered)
            || seeds
                .iter()
                .any(|s| s.contains(&name.to_lowercase()) && name.chars().count() >= 3)
        {
            return Cover::Part(format!(
                "it identifies the principal only by the name of {phrase}: re-creating the policy assignment gives it a new identity under the same role assignment name, and ARM refuses to change an existing assignment's principal (RoleAssignmentUpdateNotPermitted)"
            ));
        }
        return Cover::Missing(format!(
            "it leaves out the principal (the identity of {phrase})"
        ));
    }
    let needles = principal_needles(model, a);
    if needles.iter().any(|n| carried(seeds, n)) {
        return Cover::Full;
    }
    // A parameter or property named for a principal (`principalId`,
    // `objectId`, `identity…`) counts as one.
    let principal_word =
        |t: &str| t.contains("principal") || t.contains("objectid") || t.contains("identity");
    if seeds.iter().any(|s| {
        parameters_in(s).iter().any(|p| principal_word(p))
            || s.split(OPEN)
                .skip(1)
                .any(|t| t.starts_with("reference(") && principal_word(t))
            || s.split(OPEN).skip(1).any(|t| {
                !t.starts_with("parameter:")
                    && principal_word(t.split(CLOSE).next().unwrap_or(t))
                    && t.contains('.')
            })
    }) {
        return Cover::Full;
    }
    if !judgeable(&principal_id) && needles.iter().all(|n| !judgeable(n)) {
        return Cover::Full; // nothing to look for: not judged
    }
    let who = match (
        &a.principal,
        resource.and_then(|r| r.get(&["properties", "principalId"])),
    ) {
        (Principal::Unknown, Some(v)) => crate::rules::words::parameter_source(v)
            .map(|s| format!("the principal from {s}"))
            .unwrap_or_else(|| "the principal its principalId names".to_string()),
        _ => who,
    };
    Cover::Missing(format!("it leaves out the principal ({who})"))
}

/// What stands for the role in a seed: its role definition ID's value or
/// GUID, a custom role's GUID or name.
fn role_needles(model: &Model<'_>, a: &RoleAssignment) -> Vec<String> {
    let role_id = model
        .resource(a.resource)
        .and_then(|r| r.get(&["properties", "roleDefinitionId"]));
    let mut needles: Vec<String> = role_id.map(render).into_iter().collect();
    if let Some(guid) = role_id
        .and_then(Val::as_str)
        .and_then(|s| s.rsplit('/').next())
    {
        needles.push(guid.to_lowercase());
    }
    // A built-in role by its GUID also where the ID around it is not known
    // (`subscriptionResourceId(…)` in a deployment whose subscription is
    // not known).
    if let Role::Builtin(b) = &a.role {
        needles.push(b.id.to_string());
    }
    if let Role::Custom(i) = &a.role
        && let Some(c) = model.custom_roles.get(*i)
    {
        needles.extend(c.guid.iter().map(|g| g.to_lowercase()));
        if let Some(r) = model.resource(c.resource) {
            needles.push(render(&r.name));
        }
    }
    needles
}

/// The role: its role definition ID's value or GUID. A fixed label
/// (`'owner'`, `'-2'`) stands for a fixed role, but not for one that
/// comes from a parameter.
fn role_cover(model: &Model<'_>, a: &RoleAssignment, seeds: &[String]) -> Cover {
    let role_id = model
        .resource(a.resource)
        .and_then(|r| r.get(&["properties", "roleDefinitionId"]));
    let rendered = role_id.map(render).unwrap_or_default();
    if carried(seeds, &rendered) {
        return Cover::Full;
    }
    let needles = role_needles(model, a);
    if needles.iter().any(|n| carried(seeds, n))
        || seeds
            .iter()
            .any(|s| parameters_in(s).iter().any(|p| p.contains("role")))
    {
        return Cover::Full;
    }
    // A fixed role: a built-in or custom role known by its GUID, or an ID
    // whose last segment is a known GUID.
    let fixed = matches!(a.role, Role::Builtin(_) | Role::Custom(_))
        || role_id.is_some_and(Val::is_fully_known);
    // A label is known text of a seed that is not the principal or the
    // scope (an identity's literal name is no label for the role).
    let not_labels = strikable(
        principal_needles(model, a)
            .into_iter()
            .chain(std::iter::once(render(&a.scope))),
    );
    let label = seeds.iter().find_map(|s| label_of(&strike(s, &not_labels)));
    let role_words = match &a.role {
        Role::Builtin(b) => b.name.to_string(),
        Role::Custom(i) => model
            .custom_roles
            .get(*i)
            .and_then(|c| c.role_name.clone())
            .map(|n| format!("custom role '{n}'"))
            .unwrap_or_else(|| "a custom role".to_string()),
        _ => match role_id.and_then(Val::as_unknown) {
            Some(Unknown::Parameter(p)) => format!("the role from parameter '{p}'"),
            _ => "the role".to_string(),
        },
    };
    match (fixed, label) {
        (true, Some(_)) => Cover::Full,
        (true, None) => Cover::Missing(format!("it leaves out the role ({role_words})")),
        (false, Some(label)) => Cover::Missing(format!(
            "it leaves out the role ({role_words}): the label '{label}' stays the same when roleDefinitionId changes"
        )),
        (false, None) => {
            // A role not evaluated (an `if()` on a parameter) cannot be
            // looked for: not judged.
            if !judgeable(&rendered) {
                Cover::Full
            } else {
                Cover::Missing(format!("it leaves out the role ({role_words})"))
            }
        }
    }
}

/// Functions whose value ARM knows only while deploying, which a resource
/// name may not use: `reference()`, `list*()`.
fn runtime_function(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "reference" || lower.starts_with("list")
}

/// The runtime function the role assignment's `name`, as written, calls
/// (`reference`, `listKeys`, …), if any: ARM cannot compute such a name
/// when it validates the deployment, and rejects it.
pub(super) fn runtime_call_in_name(model: &Model<'_>, a: &RoleAssignment) -> Option<String> {
    let file = model.files.get(a.name_location.file)?;
    runtime_call_in(file.doc.as_str(a.name_location.node)?)
}

/// The runtime function (`reference`, `list*`) a template string's
/// expression calls, if any.
pub(super) fn runtime_call_in(text: &str) -> Option<String> {
    let expr = crate::expr::parse_template_string(text).ok()??;
    let mut stack = vec![&expr];
    let mut seen = 0;
    while let Some(e) = stack.pop() {
        seen += 1;
        if seen > 10_000 {
            return None;
        }
        match &e.kind {
            ExprKind::Call {
                name,
                args,
                namespace,
            } => {
                if namespace.is_none() && runtime_function(name) {
                    return Some(name.to_string());
                }
                stack.extend(args.iter());
            }
            ExprKind::Member { of, .. } => stack.push(of),
            ExprKind::Index { of, index } => {
                stack.push(of);
                stack.push(index);
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    #[test]
    fn opaque_pieces_match_nothing_and_runs_skip_tokens() {
        let opaque = Val::opaque("split() of a value that is not known (/subscriptions/x)");
        assert_eq!(render(&opaque), NOTHING);
        assert!(!carried(&[render(&opaque)], "/subscriptions/x"));
        let p = Val::unknown(Unknown::Parameter(Rc::from("principalId")));
        assert_eq!(parameters_in(&render(&p)), vec!["principalid"]);
        let s = format!("abc{OPEN}parameter:x{CLOSE}-2");
        assert_eq!(literal_runs(&s), vec!["abc", "-2"]);
        assert_eq!(label_of("/subscriptions/"), None);
        assert_eq!(label_of("owner").as_deref(), Some("owner"));
    }
}
