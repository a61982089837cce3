//! The template layer over every real template of `../shared/corpus`:
//! evaluation never panics, and every `userAssignedIdentities` and
//! `roleAssignments` resource written in a template is found — each place
//! the type string appears as a resource's `type` lies inside the `type`
//! of a resource the evaluation produced, or inside a resource it skipped
//! for a stated reason (a false condition, an empty loop).

// Tests read fixtures from disk; the no-I/O rule is for the library itself.
#![allow(clippy::disallowed_methods)]

use std::rc::Rc;

use idguard_core::finding::FileKind;
use idguard_core::project::sniff_kind;
use idguard_core::source::{Document, Span};
use idguard_core::template::{Files, evaluate};

mod corpus_support;

/// Byte offsets of `"type": "<ty>"` (any case, any spacing) in `text`,
/// and of the legacy form `"type": "<parent type>/providers/<ty's last
/// segment>"`.
fn type_occurrences(text: &str, ty: &str) -> Vec<u32> {
    let mut out = type_occurrences_of(text, &format!("\"{}\"", ty.to_ascii_lowercase()));
    let last = ty.rsplit('/').next().unwrap_or(ty).to_ascii_lowercase();
    out.extend(type_occurrences_of(text, &format!("/providers/{last}\"")));
    out.sort_unstable();
    out.dedup();
    out
}

fn type_occurrences_of(text: &str, needle: &str) -> Vec<u32> {
    let lower = text.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = lower.get(from..).and_then(|s| s.find(needle)) {
        let at = from + i;
        // The string this match is in starts at the last quote before it
        // (or at the match itself); preceded by `"type"` and a colon?
        let string_start = if needle.starts_with('"') {
            at
        } else {
            lower.get(..at).and_then(|s| s.rfind('"')).unwrap_or(at)
        };
        let before = lower.get(..string_start).unwrap_or("").trim_end();
        if let Some(rest) = before.strip_suffix(':')
            && rest.trim_end().ends_with("\"type\"")
        {
            out.push(string_start as u32);
        }
        from = at + needle.len();
    }
    out
}

#[test]
fn every_identity_and_role_assignment_is_found() {
    let Some(root) = corpus_support::corpus() else {
        return;
    };
    let files = corpus_support::json_files(&root);
    let mut templates = 0;
    let mut missing = Vec::new();
    let mut found_counts = (0usize, 0usize);
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        if sniff_kind(&text) != FileKind::Template {
            continue;
        }
        let Ok(doc) = Document::parse(&text) else {
            continue; // syntax errors are the source layer's test
        };
        templates += 1;
        let mut fs = Files::default();
        let id = fs.push(
            path.display().to_string(),
            Rc::from(text.as_str()),
            Rc::new(doc),
        );
        fs.add_template_views(id);
        let eval = evaluate(&fs, id, None);
        let doc = &fs.entries[0].doc;
        // Every string node's start, per file view, so that a type written
        // in a comment is not counted.
        let string_starts: std::collections::HashSet<u32> = fs
            .entries
            .iter()
            .flat_map(|e| {
                let d = e.doc.clone();
                (0..d.len())
                    .filter(move |i| {
                        matches!(
                            d.kind(idguard_core::source::NodeId(*i as u32)),
                            idguard_core::source::Kind::String(_)
                        )
                    })
                    .map({
                        let d = e.doc.clone();
                        move |i| d.span(idguard_core::source::NodeId(i as u32)).start
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        for ty in [
            "Microsoft.ManagedIdentity/userAssignedIdentities",
            "Microsoft.Authorization/roleAssignments",
        ] {
            let span_in = |file: usize, node| fs.entries[file].doc.span(node);
            let spans: Vec<Span> = eval
                .resources
                .iter()
                .filter_map(|r| {
                    let d = &fs.entries[r.file].doc;
                    d.get(r.node, "type").map(|t| d.span(t))
                })
                .collect();
            let skipped: Vec<Span> = eval
                .skipped
                .iter()
                .map(|s| span_in(s.file, s.node))
                .collect();
            for at in type_occurrences(&text, ty) {
                if !string_starts.contains(&at) {
                    continue; // in a comment
                }
                let inside = |s: &Span| s.start <= at && at < s.end;
                if spans.iter().any(inside) {
                    if ty.contains("Managed") {
                        found_counts.0 += 1;
                    } else {
                        found_counts.1 += 1;
                    }
                } else if !skipped.iter().any(inside) {
                    let line = doc.lines().line_col(&text, at).line;
                    missing.push(format!("{}:{line}: {ty}", path.display()));
                }
            }
        }
    }
    eprintln!(
        "{templates} templates: {} identities and {} role assignments found",
        found_counts.0, found_counts.1
    );
    assert!(templates > 100, "expected the corpus templates");
    assert!(
        missing.is_empty(),
        "{} resources not found:\n{}",
        missing.len(),
        missing.join("\n")
    );
}
