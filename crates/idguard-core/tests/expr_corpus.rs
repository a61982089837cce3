//! Every expression string in the shared corpus parses (or is listed here
//! with the reason it does not), and evaluating it does not panic.
//!
//! The corpus is read with serde_json (files it cannot read, e.g. with
//! comments, are counted and skipped): this test is about expressions,
//! not about the template reader.
// A test may read files and time itself; the core crate may not.
#![allow(clippy::disallowed_methods)]
mod corpus_support;
mod expr_support;

use std::time::Instant;

use expr_support::Mock;
use idguard_core::expr::{eval_string, parse_template_string};

/// Expressions in the corpus that are malformed on purpose or that ARM
/// itself would reject: (file path suffix, start of the string, reason).
const KNOWN_BAD: &[(&str, &str, &str)] = &[];

fn strings<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match v {
        serde_json::Value::String(s) => out.push(s),
        serde_json::Value::Array(items) => items.iter().for_each(|i| strings(i, out)),
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                out.push(k);
                strings(v, out);
            }
        }
        _ => {}
    }
}

#[test]
fn corpus_expressions_parse() {
    let Some(root) = corpus_support::corpus() else {
        return;
    };
    let files = corpus_support::json_files(&root);
    let ctx = Mock::new();
    let (mut read, mut unreadable, mut exprs, mut bytes) = (0, 0, 0usize, 0usize);
    let mut parse_time = std::time::Duration::ZERO;
    let mut eval_time = std::time::Duration::ZERO;
    let mut failures = Vec::new();
    let mut unknown_functions = std::collections::BTreeMap::new();
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            unreadable += 1;
            continue;
        };
        let text = text.trim_start_matches('\u{feff}');
        let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
            unreadable += 1;
            continue;
        };
        read += 1;
        let mut all = Vec::new();
        strings(&json, &mut all);
        for s in all {
            let t = Instant::now();
            let parsed = parse_template_string(s);
            parse_time += t.elapsed();
            match parsed {
                Ok(None) => continue,
                Ok(Some(_)) => {
                    exprs += 1;
                    bytes += s.len();
                }
                Err(err) => {
                    let rel = file
                        .strip_prefix(&root)
                        .unwrap_or(file)
                        .display()
                        .to_string();
                    let listed = KNOWN_BAD
                        .iter()
                        .any(|(f, start, _)| rel.ends_with(f) && s.starts_with(start));
                    if !listed {
                        failures.push(format!("{rel}: {err}: {s}"));
                    }
                }
            }
            let t = Instant::now();
            let v = eval_string(s, &ctx);
            eval_time += t.elapsed();
            let rendered = v.to_json_lossy().to_string();
            for piece in rendered.split("unknown function '").skip(1) {
                if let Some(name) = piece.split('\'').next() {
                    *unknown_functions.entry(name.to_string()).or_insert(0usize) += 1;
                }
            }
        }
    }
    eprintln!(
        "{} files: {read} read, {unreadable} skipped (not plain JSON); {exprs} expressions ({bytes} bytes) parsed in {parse_time:?}, evaluated in {eval_time:?}",
        files.len()
    );
    let mut unknown_functions: Vec<_> = unknown_functions.into_iter().collect();
    unknown_functions.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    eprintln!("functions idguard does not know (uses): {unknown_functions:?}");
    assert!(
        failures.is_empty(),
        "{} expressions do not parse:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
