//! Every JSON file of the shared corpus of public templates parses, and
//! agrees with serde_json wherever serde_json (strict RFC 8259) accepts it.
#![allow(
    clippy::disallowed_methods,
    reason = "the test reads the corpus from disk; the library does no I/O"
)]

use idguard_core::source::Document;

mod corpus_support;

/// Corpus files that are not valid in ARM's dialect either, with the reason.
/// (Paths relative to the corpus root.)
const INVALID: &[(&str, &str)] = &[];

/// Numbers compare by value: serde_json keeps integers above `i64::MAX` as
/// `u64`, and its default float parsing may differ from Rust's correctly
/// rounded one in the last place.
fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value as V;
    match (a, b) {
        (V::Number(x), V::Number(y)) => {
            if x == y {
                return true;
            }
            match (x.as_f64(), y.as_f64()) {
                (Some(x), Some(y)) => x == y || ((x - y) / x).abs() < 1e-15,
                _ => false,
            }
        }
        (V::Array(x), V::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (V::Object(x), V::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, va), (kb, vb))| ka == kb && same(va, vb))
        }
        _ => a == b,
    }
}

/// A small, separate rewrite of ARM's dialect into RFC 8259 JSON: drops
/// comments and trailing commas, escapes raw control characters in strings.
/// Naive (char by char, allocation-happy) on purpose: it is the oracle.
fn strictify(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    // Skips whitespace and comments from `i`, returning the next index.
    let skip = |mut i: usize| -> usize {
        loop {
            match (chars.get(i), chars.get(i + 1)) {
                (Some(c), _) if c.is_ascii_whitespace() => i += 1,
                (Some('/'), Some('/')) => {
                    while chars.get(i).is_some_and(|c| *c != '\n' && *c != '\r') {
                        i += 1;
                    }
                }
                (Some('/'), Some('*')) => {
                    i += 2;
                    while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                        i += 1;
                    }
                    i += 2;
                }
                _ => return i,
            }
        }
    };
    while i < chars.len() {
        let next = skip(i);
        if next != i {
            out.push(' ');
            i = next;
            continue;
        }
        let c = chars[i];
        if c == '"' {
            out.push('"');
            i += 1;
            while let Some(&c) = chars.get(i) {
                i += 1;
                match c {
                    '\\' => {
                        out.push('\\');
                        if let Some(&e) = chars.get(i) {
                            out.push(e);
                            i += 1;
                        }
                    }
                    '"' => {
                        out.push('"');
                        break;
                    }
                    c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                    c => out.push(c),
                }
            }
        } else if c == ',' && matches!(chars.get(skip(i + 1)), Some(']' | '}')) {
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

#[test]
fn strictify_rewrites_the_dialect() {
    assert_eq!(
        strictify("{\"a\": [1, /* c */ 2,], // x\n \"b\": \"t\tu\",}"),
        "{\"a\": [1, 2], \"b\": \"t\\u0009u\"}"
    );
}

#[test]
fn every_corpus_file_parses_and_agrees_with_serde_json() {
    let Some(root) = corpus_support::corpus() else {
        return;
    };
    let files = corpus_support::json_files(&root);
    assert!(
        files.len() > 1000,
        "only {} files under {}",
        files.len(),
        root.display()
    );

    let mut failures = Vec::new();
    let mut expected_invalid_seen = 0;
    let mut compared = 0;
    let mut lenient_only = 0;
    for path in &files {
        let rel = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = std::fs::read(path).unwrap();
        let Ok(text) = String::from_utf8(bytes) else {
            failures.push(format!("{rel}: not UTF-8"));
            continue;
        };
        let invalid = INVALID.iter().find(|(p, _)| *p == rel);
        match (Document::parse(&text), invalid) {
            (Ok(doc), None) => {
                let strict = text.strip_prefix('\u{feff}').unwrap_or(&text);
                match serde_json::from_str::<serde_json::Value>(strict) {
                    Ok(want) => {
                        compared += 1;
                        let got = doc.to_json(doc.root());
                        if !same(&got, &want) {
                            failures.push(format!("{rel}: differs from serde_json"));
                        }
                    }
                    Err(_) => {
                        // Rewrite the dialect into strict JSON independently
                        // and compare again.
                        lenient_only += 1;
                        match serde_json::from_str::<serde_json::Value>(&strictify(strict)) {
                            Ok(want) if same(&doc.to_json(doc.root()), &want) => {}
                            Ok(_) => failures.push(format!("{rel}: differs from strictified")),
                            Err(e) => failures.push(format!("{rel}: strictified fails: {e}")),
                        }
                    }
                }
            }
            (Ok(_), Some((_, why))) => {
                failures.push(format!("{rel}: listed as invalid ({why}) but parses"));
            }
            (Err(e), None) => failures.push(format!("{rel}: {e}")),
            (Err(_), Some(_)) => expected_invalid_seen += 1,
        }
    }
    println!(
        "{} files: {compared} agree with serde_json, {lenient_only} need the lenient dialect, \
         {expected_invalid_seen} known invalid",
        files.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        expected_invalid_seen,
        INVALID.len(),
        "a listed invalid file is missing"
    );
}
