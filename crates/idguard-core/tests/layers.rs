//! The core's modules import one way: each top-level module of
//! `idguard-core` may use the modules of the layers below its own, never
//! those above (docs/architecture.md, "Layers"). This test reads the
//! sources, collects every `crate::<module>` a module names outside
//! comments and test modules, and fails on an import that points up a
//! layer or on a module missing from the table.
// The test reads the crate's own sources; the core itself does no I/O.
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Bottom to top. A module may import its own layer's modules only where
/// listed in [`SAME_LAYER`].
const LAYERS: &[&[&str]] = &[
    // Text and words: documents with spans, ARM vocabulary, role tables.
    &["source", "vocab", "roles", "path"],
    // What every layer reports or spends.
    &["finding", "budget"],
    // ARM expressions and values.
    &["expr"],
    // Template evaluation; the list of rules (names and families only).
    &["template", "catalog"],
    // The organisation's policy (validated against the catalog).
    &["policy"],
    // The identity model built from an evaluation.
    &["model"],
    // Text edits a rule's finding can carry.
    &["fix"],
    // Rules over the model; the Bicep front end (lowers to a source
    // document, evaluated by `template`).
    &["rules", "bicep"],
    // One place that turns a rule's diagnostic into a finding (range,
    // fingerprint, suppression, exemption, fix).
    &["place"],
    // What hosts ask before a check, plugin findings; the identity graph
    // drawn from a model and its placed findings.
    &["project", "external", "graph"],
    // The API hosts call.
    &["api"],
];

/// Imports within one layer that are allowed, as (from, to).
const SAME_LAYER: &[(&str, &str)] = &[("budget", "source")];

/// Imports that still point up, each with why it is left: to be emptied,
/// not grown.
const KNOWN_UPWARD: &[(&str, &str, &str)] = &[];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The source without comments and without a trailing `#[cfg(test)] mod
/// tests { … }` (tests may import anything).
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    let mut out = String::new();
    for line in text.lines() {
        let code = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        out.push_str(code);
        out.push('\n');
    }
    out
}

/// The top-level modules `code` names through `crate::`.
fn imports(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.insert(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

#[test]
fn imports_point_down_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(
        files.len() > 20,
        "sources not found under {}",
        src.display()
    );
    let mut problems = Vec::new();
    let mut upward_seen = BTreeSet::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap_or(file);
        let first = rel
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .unwrap_or_default();
        let module = first.trim_end_matches(".rs").to_string();
        if module == "lib" {
            continue;
        }
        let Some(from) = layer_of(&module) else {
            problems.push(format!(
                "module `{module}` is in no layer of tests/layers.rs: add it to LAYERS"
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for target in imports(&code_of(&text)) {
            if target == module {
                continue;
            }
            let Some(to) = layer_of(&target) else {
                problems.push(format!(
                    "{}: imports unknown module `{target}`",
                    rel.display()
                ));
                continue;
            };
            let allowed = to < from || SAME_LAYER.contains(&(module.as_str(), target.as_str()));
            if allowed {
                continue;
            }
            if KNOWN_UPWARD
                .iter()
                .any(|(f, t, _)| *f == module && *t == target)
            {
                upward_seen.insert((module.clone(), target.clone()));
                continue;
            }
            problems.push(format!(
                "{}: `{module}` (layer {from}) imports `{target}` (layer {to}), which is not below it",
                rel.display()
            ));
        }
    }
    for (f, t, why) in KNOWN_UPWARD {
        if !upward_seen.contains(&(f.to_string(), t.to_string())) {
            problems.push(format!(
                "`{f}` no longer imports `{t}` ({why}): remove it from KNOWN_UPWARD"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_reader_sees_grouped_and_plain_imports() {
    let code = code_of(
        "use crate::{model::Location, policy};\n// crate::api in a comment\nlet x = crate::expr::eval();\n",
    );
    let got: Vec<String> = imports(&code).into_iter().collect();
    assert_eq!(got, ["expr", "model", "policy"]);
}
