use crate::expr::Val;
use crate::finding::FixSafety;
use crate::fix::{PLACEHOLDER, RuleFix, SpanEdit, Src};
use crate::model::{Location, Model};
use crate::rules::{Rule, RuleContext};
use crate::source::Kind;

declare_rule! {
    /// ## What it does
    /// Flags a user-assigned identity that lacks a tag the policy requires
    /// (by default `owner`, `environment` and `workload`), or has it empty.
    ///
    /// ## Why is this bad?
    /// A user-assigned identity is a standalone resource that keeps its
    /// permissions after the workload that used it is gone. Without an owner
    /// and a workload on it, nobody can tell whether it is still needed or
    /// who to ask before removing it; without an environment, the separation
    /// checks (MI301) have nothing to go on.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
    ///   "name": "id-orders-prod",
    ///   "tags": { "owner": "" }
    /// }
    /// ```
    /// Use instead:
    /// ```json
    /// {
    ///   "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
    ///   "name": "id-orders-prod",
    ///   "tags": { "owner": "team-orders@contoso.com", "environment": "prod", "workload": "orders" }
    /// }
    /// ```
    ///
    /// ## Fix
    /// Add the missing tags with real values. The required set is the
    /// policy's `requiredTags`.
    ///
    /// `idguard check --fix --unsafe-fixes` adds the missing tags (and fills
    /// the empty ones) with the value `TODO`, for you to replace: an unsafe
    /// fix, as the value is a placeholder.
    pub struct IdentityRequiredTags {
        level: Warning,
        summary: "a user-assigned identity lacks a required tag or has it empty",
    }
}

const UAMI: &str = "Microsoft.ManagedIdentity/userAssignedIdentities";

impl Rule for IdentityRequiredTags {
    fn check(&self, ctx: &mut RuleContext<'_, '_>) {
        let model = ctx.model;
        let required = ctx.policy.required_tags(UAMI);
        if required.is_empty() {
            return;
        }
        for identity in model.identities.iter().filter(|i| !i.existing) {
            let Some(r) = model.resource(identity.resource).filter(|r| !r.incomplete) else {
                continue; // half-typed Bicep: its tags may be coming
            };
            let tags = r.get(&["tags"]);
            if tags.is_some_and(Val::is_unknown) {
                continue; // tags from an unknown parameter: cannot tell
            }
            let tags = tags.and_then(Val::as_object);
            let mut missing = Vec::new();
            let mut empty = Vec::new();
            for tag in required {
                match tags.and_then(|t| t.get(tag)) {
                    None => missing.push(tag.as_str()),
                    Some(Val::Str(s)) if s.trim().is_empty() => empty.push(tag.as_str()),
                    Some(Val::Null) => empty.push(tag.as_str()),
                    Some(_) => {}
                }
            }
            if missing.is_empty() && empty.is_empty() {
                continue;
            }
            let loc = if tags.is_some() {
                model.locate(identity.resource, &["tags"])
            } else {
                model.locate(identity.resource, &["type"])
            };
            let Some(loc) = loc else {
                continue;
            };
            let mut parts = Vec::new();
            if !missing.is_empty() {
                parts.push(format!("lacks {}", quote_list(&missing)));
            }
            if !empty.is_empty() {
                parts.push(format!("has {} empty", quote_list(&empty)));
            }
            let fix = tags_fix(model, identity.resource, loc, &missing, &empty);
            ctx.report_with_fix(
                loc,
                Some(identity.resource),
                format!(
                    "{} {}",
                    crate::rules::words::named(model, identity.resource, "identity"),
                    parts.join(" and ")
                ),
                format!(
                    "add {} with real values",
                    quote_list(&[missing, empty].concat())
                ),
                fix,
            );
        }
    }
}

/// The missing tags added, and the empty ones filled, with a placeholder
/// value ([`PLACEHOLDER`]): in the `tags` object the finding is at, or a new
/// `tags` object after the identity's `location` (else its `type` in JSON).
/// Unsafe: it writes a value someone must replace with the real owner,
/// environment or workload.
fn tags_fix(
    model: &Model<'_>,
    resource: usize,
    at: Location,
    missing: &[&str],
    empty: &[&str],
) -> Option<RuleFix> {
    let src = Src::of(model.files, at.file)?;
    let r = model.resource(resource)?;
    if r.file != at.file {
        return None;
    }
    let value = src.string(PLACEHOLDER);
    let mut edits = Vec::new();
    let (object, member) = src.member_of(at.node)?;
    if object != r.node {
        return None;
    }
    if member.key.eq_ignore_ascii_case("tags") {
        if !src.key_written(member) {
            return None;
        }
        for name in empty {
            let m = src.doc.member(at.node, name)?;
            let blank = matches!(src.doc.kind(m.value), Kind::Null)
                || src.string_literal(m.value).is_some();
            if !blank {
                return None;
            }
            edits.push(SpanEdit {
                span: src.doc.span(m.value),
                replacement: value.clone(),
            });
        }
        if !missing.is_empty() {
            let members: Vec<(String, String)> = missing
                .iter()
                .map(|k| (k.to_string(), value.clone()))
                .collect();
            edits.extend(src.append(at.node, &members)?);
        }
    } else {
        if !empty.is_empty() || missing.is_empty() || src.doc.get(r.node, "tags").is_some() {
            return None;
        }
        let anchor = ["location", "type", "name"]
            .iter()
            .filter_map(|k| src.doc.member(r.node, k))
            .find(|m| src.key_written(m))?;
        let indent = src.own_line_indent(anchor.key_span.start)?;
        let members: Vec<(String, String)> = missing
            .iter()
            .map(|k| (k.to_string(), value.clone()))
            .collect();
        let object = src.object_text(indent, &members);
        edits.push(src.insert_after(anchor, &[("tags".to_string(), object)])?);
    }
    let all = [missing, empty].concat();
    Some(RuleFix {
        title: format!("Add {} with a {PLACEHOLDER} value", quote_list(&all)),
        safety: FixSafety::Unsafe,
        edits,
    })
}

fn quote_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|t| format!("'{t}'")).collect();
    match quoted.len() {
        1 => format!("tag {}", quoted.join("")),
        _ => format!("tags {}", quoted.join(", ")),
    }
}
