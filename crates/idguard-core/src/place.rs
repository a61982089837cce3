//! Placing findings: the one place that turns "this rule says this about
//! that node" into a [`Finding`] — for built-in rules ([`Diagnostic`]s),
//! policy plugins ([`crate::external`]) and the policy's own findings
//! (expired exemptions) alike.
//!
//! - **Where**: a JSON pointer resolves to a node with [`resolve_pointer`]
//!   (the deepest node that exists along it), a node to its pointer in the
//!   file as written ([`crate::template::FileEntry::pointer`]) and a span
//!   to a range ([`Files::range`]).
//! - **Fingerprint**: [`fingerprint_of`] — rule, file and pointer; never
//!   the parameter file (see `docs/architecture.md`, "Finding placement").
//! - **Suppression**: a Bicep `#disable-next-line`, a template's
//!   `metadata.idguard.ignore` (on the resource or the template), or a
//!   policy exemption ([`suppression`]).
//! - **Fix**: a rule's [`RuleFix`] (byte spans) becomes a
//!   [`crate::finding::Fix`] (ranges), in the finding's file.

use crate::finding::{Finding, Severity, Suppression, SuppressionKind};
use crate::fix::RuleFix;
use crate::model::{Location, Model};
use crate::policy::Policy;
use crate::rules::Diagnostic;
use crate::source::{Document, NodeId};
use crate::template::{FileId, Files};

/// The policy and date a finding's suppressions are decided with.
#[derive(Clone, Copy)]
pub(crate) struct Judge<'a> {
    pub policy: &'a Policy,
    /// `YYYY-MM-DD`, for exemption expiry; `None`: exemptions never expire.
    pub today: Option<&'a str>,
}

/// What a finding says, before it is placed.
pub(crate) struct Draft<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub severity: Severity,
    pub message: String,
    pub help: String,
    pub doc_url: Option<String>,
    pub location: Location,
    /// The resource (index into the evaluation) the finding is about: its
    /// `metadata.idguard.ignore` and its name for exemptions.
    pub resource: Option<usize>,
    /// An info-level "could not check" finding: fingerprinted apart from a
    /// finding of the same rule at the same place.
    pub info: bool,
    pub related: Vec<crate::finding::Related>,
    pub fix: Option<RuleFix>,
}

/// A placed, fingerprinted, possibly suppressed finding.
pub(crate) fn place(files: &Files, model: &Model<'_>, d: Draft<'_>, judge: Judge<'_>) -> Finding {
    let Location { file, node, span } = d.location;
    let (path, pointer) = match files.get(file) {
        Some(entry) => (entry.path.clone(), entry.pointer(node)),
        None => (String::new(), String::new()),
    };
    let parameters_file = model
        .parameter_file
        .and_then(|p| files.get(p))
        .map(|e| e.path.clone());
    let compiled_fingerprints = compiled_fingerprints(files, model, d.code, d.location, d.info);
    let mut help = d.help;
    let rule = (d.code, d.name);
    let suppression = suppression(files, model, rule, d.resource, d.location, judge, &mut help);
    Finding {
        code: d.code.to_string(),
        name: d.name.to_string(),
        severity: d.severity,
        message: d.message,
        help,
        fingerprint: fingerprint_of(d.code, &path, &pointer, d.info),
        compiled_fingerprints,
        file: path,
        pointer,
        range: files.range(file, span),
        parameters_file,
        related: d.related,
        suppression,
        doc_url: d.doc_url,
        fix: d.fix.and_then(|f| f.place(files, file)),
    }
}

/// A built-in rule's diagnostic at `severity` (already decided from the
/// policy), placed.
pub(crate) fn place_diagnostic(
    files: &Files,
    model: &Model<'_>,
    d: &Diagnostic,
    severity: Severity,
    related: Vec<crate::finding::Related>,
    judge: Judge<'_>,
) -> Finding {
    place(
        files,
        model,
        Draft {
            code: d.rule.code,
            name: d.rule.name,
            severity,
            message: d.message.clone(),
            help: d.help.clone(),
            doc_url: Some(d.rule.doc_url()),
            location: d.location,
            resource: d.resource,
            info: d.severity.is_some(),
            related,
            fix: d.fix.clone(),
        },
        judge,
    )
}

/// Built-in rules in order of specificity, for [`merge_shared_ranges`]: of
/// two findings of equal severity at one range, the rule listed first
/// keeps the finding. A rule not listed comes after these, by code.
const SPECIFIC_FIRST: &[&str] = &["MI406", "MI101", "MI105", "MI103", "MI104", "MI102"];

/// One range, one finding: when findings of different built-in rules point
/// at the same range of the same file, they are one problem seen by
/// several rules. The most severe finding is kept (between equal
/// severities, the more specific rule, [`SPECIFIC_FIRST`]); its message
/// ends with the others' codes and what they add (`(also MI103
/// no-escalation-role: a role that can grant access to others)`), and the
/// others are dropped. Left alone: suppressed findings (a suppression is
/// per rule), info-level "could not check" findings, plugin findings, and
/// two findings of one rule (one line under two parameter files). See
/// `docs/architecture.md`, "One range, one finding".
pub(crate) fn merge_shared_ranges(findings: &mut Vec<Finding>) {
    use std::collections::HashMap;
    let mergeable = |f: &Finding| {
        f.suppression.is_none()
            && f.severity != Severity::Info
            && SPECIFIC_FIRST.contains(&f.code.as_str())
    };
    let rank = |f: &Finding| {
        (
            std::cmp::Reverse(f.severity),
            SPECIFIC_FIRST
                .iter()
                .position(|c| *c == f.code)
                .unwrap_or(SPECIFIC_FIRST.len()),
            f.code.clone(),
        )
    };
    let mut groups: HashMap<(String, crate::finding::Range), Vec<usize>> = HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        if mergeable(f) {
            groups.entry((f.file.clone(), f.range)).or_default().push(i);
        }
    }
    let mut drop = vec![false; findings.len()];
    let mut groups: Vec<Vec<usize>> = groups.into_values().collect();
    groups.sort();
    for group in groups {
        let codes: std::collections::BTreeSet<&str> = group
            .iter()
            .filter_map(|i| findings.get(*i))
            .map(|f| f.code.as_str())
            .collect();
        if codes.len() < 2 {
            continue;
        }
        let Some(&keep) = group.iter().min_by_key(|i| findings.get(**i).map(rank)) else {
            continue;
        };
        let Some(kept) = findings.get(keep).cloned() else {
            continue;
        };
        let mut also = Vec::new();
        for &i in &group {
            let Some(other) = findings.get(i) else {
                continue;
            };
            if other.code == kept.code {
                continue;
            }
            let added = what_it_adds(&kept.message, &other.message);
            let note = if added.is_empty() {
                format!("{} {}", other.code, other.name)
            } else {
                format!("{} {}: {added}", other.code, other.name)
            };
            if !also.contains(&note) {
                also.push(note);
            }
            if let Some(d) = drop.get_mut(i) {
                *d = true;
            }
        }
        if let Some(f) = findings.get_mut(keep) {
            f.message = format!("{} (also {})", f.message, also.join("; "));
        }
    }
    let mut i = 0;
    findings.retain(|_| {
        let keep = !drop.get(i).copied().unwrap_or(false);
        i += 1;
        keep
    });
}

/// What message `other` says beyond `kept`: its text after the words the
/// two begin with (`identity 'x' gets Owner at subscription scope, a role
/// that can grant access` after `identity 'x' gets Owner at subscription
/// scope` is `a role that can grant access`); all of it when they share
/// no words.
fn what_it_adds(kept: &str, other: &str) -> String {
    let mut common = 0;
    for ((i, a), b) in other.char_indices().zip(kept.chars()) {
        if a != b {
            break;
        }
        if a == ' ' {
            common = i;
        }
        if i + a.len_utf8() == other.len() || i + a.len_utf8() == kept.len() {
            common = i + a.len_utf8();
        }
    }
    let rest = other.get(common..).unwrap_or(other);
    let rest = rest.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ':' | ';'));
    if common == 0 {
        other.to_string()
    } else {
        rest.to_string()
    }
}

/// The fingerprint of a finding of rule `code` at `pointer` in `file`.
///
/// Rule + file + pointer (+ `info` for an info-level "could not check"
/// finding). The parameter file is deliberately not part of it: a
/// template line checked with `dev.parameters.json` and with
/// `prod.parameters.json` is one line to fix, so a baseline made in one
/// environment (or with the parameter files in another order) still
/// matches. Findings that differ only by their parameter file are one
/// finding (the first evaluation's).
pub(crate) fn fingerprint_of(code: &str, file: &str, pointer: &str, info: bool) -> String {
    let mut input = format!("{code}\u{0}{file}\u{0}{pointer}");
    if info {
        input.push_str("\u{0}info");
    }
    fingerprint(&input)
}

/// For a finding in Bicep source: the fingerprints the same finding has
/// in the ARM JSON Bicep compiles the checked template to (`main.bicep` →
/// `main.json`), so that a baseline made from the compiled JSON still
/// matches after a team moves to checking the source. Two forms, as Bicep
/// writes either: symbolic names (`/resources/ra/…`, languageVersion 2.0)
/// and classic (`/resources/3/…`: resources in an array, `existing` ones
/// left out). A finding in a module is lifted into its caller's compiled
/// template (`/resources/<module>/properties/template/…`), once per
/// deployment of the module (a module read as JSON — a registry module's
/// compiled template — keeps its own pointers inside, as Bicep inlines it).
/// Empty when the checked template is JSON.
fn compiled_fingerprints(
    files: &Files,
    model: &Model<'_>,
    code: &str,
    location: Location,
    info: bool,
) -> Vec<String> {
    let eval = model.eval;
    let is_bicep = |f: FileId| files.get(f).is_some_and(|e| e.path.ends_with(".bicep"));
    let root_is_bicep = eval.deployments.first().is_some_and(|d| is_bicep(d.file));
    if !root_is_bicep {
        return Vec::new();
    }
    let Some(entry) = files.get(location.file) else {
        return Vec::new();
    };
    let inner = entry.pointer(location.node);
    let mut out: Vec<String> = Vec::new();
    let mut lifted_from: Vec<Option<usize>> = Vec::new();
    for d in eval.deployments.iter().filter(|d| d.file == location.file) {
        // Copies of one module call (a loop) lift to the same pointers.
        if lifted_from.contains(&d.resource) {
            continue;
        }
        lifted_from.push(d.resource);
        // Each template level may be written either way (a module that
        // needs symbolic names is compiled so inside a classic caller).
        let mut pointers = vec![inner.clone()];
        let classic = classic_pointer(entry, &inner);
        if classic != inner {
            pointers.push(classic);
        }
        let mut deployment = d;
        let mut steps = 0;
        while let Some(r) = deployment.resource {
            let (Some(caller), Some(parent)) = (
                eval.resources.get(r),
                eval.resources
                    .get(r)
                    .and_then(|c| eval.deployments.get(c.deployment)),
            ) else {
                break;
            };
            steps += 1;
            if steps > eval.deployments.len() {
                break;
            }
            if caller.file != deployment.file {
                let Some(caller_entry) = files.get(caller.file) else {
                    break;
                };
                let at = caller_entry.pointer(caller.node);
                let classic_at = classic_pointer(caller_entry, &at);
                let mut lifted = Vec::with_capacity(pointers.len() * 2);
                for p in &pointers {
                    for prefix in [&at, &classic_at] {
                        let candidate = format!("{prefix}/properties/template{p}");
                        if !lifted.contains(&candidate) && lifted.len() < MAX_COMPILED_FORMS {
                            lifted.push(candidate);
                        }
                    }
                }
                pointers = lifted;
            }
            deployment = parent;
        }
        if deployment.resource.is_some() {
            continue;
        }
        let Some(root) = files.get(deployment.file) else {
            continue;
        };
        let Some(stem) = root.path.strip_suffix(".bicep") else {
            continue;
        };
        let compiled = format!("{stem}.json");
        for pointer in pointers {
            let fp = fingerprint_of(code, &compiled, &pointer, info);
            if !out.contains(&fp) {
                out.push(fp);
            }
        }
    }
    out
}

/// Most compiled pointers kept for one finding: the forms of the levels
/// of a deep module chain multiply (each level symbolic or classic).
const MAX_COMPILED_FORMS: usize = 16;

/// `pointer` (in a template lowered from Bicep, resources keyed by
/// symbolic name) as Bicep's classic JSON writes it: the resource's key
/// replaced by its index among the resources that are not `existing`.
/// Anything else is unchanged.
fn classic_pointer(entry: &crate::template::FileEntry, pointer: &str) -> String {
    if !entry.path.ends_with(".bicep") {
        return pointer.to_string();
    }
    let Some(rest) = pointer.strip_prefix("/resources/") else {
        return pointer.to_string();
    };
    let (key, tail) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let key = unescape(key);
    let doc = &entry.doc;
    let Some(resources) = doc.get(doc.root(), "resources") else {
        return pointer.to_string();
    };
    let deployed = doc.members(resources).iter().filter(|m| {
        !matches!(
            doc.get(m.value, "existing").map(|n| doc.kind(n)),
            Some(crate::source::Kind::Bool(true))
        )
    });
    for (i, m) in deployed.enumerate() {
        if *m.key == *key {
            return format!("/resources/{i}{tail}");
        }
    }
    pointer.to_string()
}

/// FNV-1a, 64 bits, as 16 hex digits: stable across platforms and releases.
pub fn fingerprint(input: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in input.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// Decodes one RFC 6901 segment (`~1` → `/`, `~0` → `~`).
fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// The node a JSON pointer names, or the deepest node that exists along it
/// (the root for a pointer that is not one).
pub(crate) fn resolve_pointer(doc: &Document, pointer: &str) -> NodeId {
    match pointer.strip_prefix('/') {
        Some(rest) => doc.deepest(doc.root(), rest.split('/').map(unescape)),
        None => doc.root(),
    }
}

/// The resource whose object holds `node` in `file` (the innermost).
pub(crate) fn resource_at(model: &Model<'_>, file: FileId, node: NodeId) -> Option<usize> {
    let doc = &model.files.get(file)?.doc;
    let mut current = Some(node);
    while let Some(n) = current {
        if let Some(i) = model
            .eval
            .resources
            .iter()
            .position(|r| r.file == file && r.node == n)
        {
            return Some(i);
        }
        current = doc.node(n).parent;
    }
    None
}

/// How the finding of rule `(code, name)` at `location`, about `resource`,
/// is silenced, if it is: a Bicep `#disable-next-line` above its line, a
/// `metadata.idguard.ignore` on the resource or the template, or a policy
/// exemption (an expired one adds a sentence to `help` instead).
pub(crate) fn suppression(
    files: &Files,
    model: &Model<'_>,
    (code, rule_name): (&str, &str),
    resource: Option<usize>,
    location: Location,
    judge: Judge<'_>,
    help: &mut String,
) -> Option<Suppression> {
    if let Some(s) = crate::bicep::check::line_suppression(files, location, (code, rule_name)) {
        return Some(s);
    }
    let resource = resource.and_then(|r| model.resource(r));
    if let Some(r) = resource {
        let doc = &files.get(r.file)?.doc;
        let candidates = [
            doc.get_path(r.node, &["metadata", "idguard"]),
            doc.get_path(doc.root(), &["metadata", "idguard"]),
        ];
        for meta in candidates.into_iter().flatten() {
            let ignored = doc
                .items(doc.get(meta, "ignore").unwrap_or(meta))
                .iter()
                .any(|c| {
                    doc.as_str(*c).is_some_and(|c| {
                        c.eq_ignore_ascii_case(code) || c.eq_ignore_ascii_case(rule_name)
                    })
                });
            if ignored {
                let reason = doc
                    .get(meta, "reason")
                    .and_then(|r| doc.as_str(r))
                    .unwrap_or("suppressed in the template")
                    .to_string();
                return Some(Suppression {
                    kind: SuppressionKind::InSource,
                    justification: reason,
                });
            }
        }
    }
    let name = resource.map(|r| r.name.display()).unwrap_or_default();
    let file = files
        .get(location.file)
        .map(|e| e.path.as_str())
        .unwrap_or("");
    let (policy, today) = (judge.policy, judge.today);
    let by_code = policy.exemption_for(code, &name, file, today);
    // A plugin's rule may also be exempted by `plugin/name`.
    let by_name = match (&by_code, code.split_once('/')) {
        (Some(m), _) if !m.expired => None,
        (_, Some((plugin, _))) => {
            policy.exemption_for(&format!("{plugin}/{rule_name}"), &name, file, today)
        }
        _ => None,
    };
    let m = match (by_code, by_name) {
        (Some(c), Some(n)) => Some(if c.expired && !n.expired { n } else { c }),
        (c, n) => c.or(n),
    }?;
    if m.expired {
        help.push_str(&format!(
            " (a policy exemption for this finding expired on {})",
            m.expires.as_deref().unwrap_or("an earlier date")
        ));
        return None;
    }
    Some(Suppression {
        kind: SuppressionKind::External,
        justification: m.reason.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_resolve_to_the_deepest_existing_node() {
        let doc = Document::parse(r#"{"a": {"b/c": [1, {"d~e": 2}]}}"#).unwrap();
        let at = |p: &str| doc.pointer(resolve_pointer(&doc, p));
        assert_eq!(at(""), "");
        assert_eq!(at("/a/b~1c/1/d~0e"), "/a/b~1c/1/d~0e");
        assert_eq!(at("/a/b~1c/7"), "/a/b~1c");
        assert_eq!(at("/a/missing/x"), "/a");
        assert_eq!(at("not a pointer"), "");
    }

    #[test]
    fn fingerprints_leave_out_the_parameter_file_but_not_the_place() {
        let a = fingerprint_of(
            "MI402",
            "main.json",
            "/resources/0/properties/principalId",
            false,
        );
        assert_eq!(a.len(), 16);
        assert_ne!(
            a,
            fingerprint_of(
                "MI402",
                "main.json",
                "/resources/1/properties/principalId",
                false
            )
        );
        assert_ne!(
            a,
            fingerprint_of(
                "MI402",
                "main.json",
                "/resources/0/properties/principalId",
                true
            )
        );
        assert_ne!(
            a,
            fingerprint_of(
                "MI402",
                "other.json",
                "/resources/0/properties/principalId",
                false
            )
        );
    }
}
