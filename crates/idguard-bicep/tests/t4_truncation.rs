//! T4 (truncation): every corpus file cut after every line, as an editor
//! sees a file being typed. For each cut, with the default (editor)
//! recovery:
//! - the parser does not panic, and every span is inside the prefix;
//! - a cut inside a statement gives at least one diagnostic at or after
//!   that statement's start, unless the prefix is itself complete (the
//!   statement goes on with a line that starts with `?`, `:` or `|`, or
//!   only its decorators are before the cut);
//! - every statement that ends before the cut parses exactly as in the
//!   whole file (so a lowering of what parsed is stable while typing).
//!
//! Every line of every file is 3.25 GB of parsing: the full run is for
//! optimized builds (`cargo test --release -p idguard-bicep --test
//! t4_truncation`) or `IDGUARD_FULL_TRUNCATION=1`. Unoptimized, each file
//! is cut at up to 40 evenly spaced lines.
#![allow(
    clippy::disallowed_methods,
    reason = "the test reads the shared oracle data; the library does no I/O"
)]

mod support;

use idguard_bicep::ast::Statement;
use idguard_bicep::{FileKind, ParseOptions, parse};

/// Byte offsets just after each line break.
fn line_ends(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' => out.push(i + 1),
            b'\r' if b.get(i + 1) != Some(&b'\n') => out.push(i + 1),
            _ => {}
        }
        i += 1;
    }
    out
}

/// The statement goes on after `cut` with a leading-operator line: the
/// first line that is not blank or a comment starts with `?`, `:` or `|`.
fn continues_with_operator(text: &str, cut: usize) -> bool {
    for line in text[cut..].lines() {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with("//") {
            continue;
        }
        return t.starts_with('?') || t.starts_with(':') || t.starts_with('|');
    }
    false
}

#[test]
fn every_corpus_file_cut_after_every_line() {
    let Some(root) = support::corpus() else {
        return;
    };
    let full = !cfg!(debug_assertions) || std::env::var_os("IDGUARD_FULL_TRUNCATION").is_some();
    let (mut cuts, mut inside, mut complete_prefixes) = (0usize, 0usize, 0usize);
    let files = support::files(&root, ".bicep");
    for path in &files {
        let text = support::read(path);
        let rel = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string();
        let whole = parse(&text, FileKind::Bicep, ParseOptions::EDITOR);
        let mut ends = line_ends(&text);
        if !full && ends.len() > 40 {
            let n = ends.len();
            ends = (0..40).map(|k| ends[k * (n - 1) / 39]).collect();
        }
        for &cut in &ends {
            cuts += 1;
            let prefix = &text[..cut];
            let parsed = parse(prefix, FileKind::Bicep, ParseOptions::EDITOR);
            for d in &parsed.diagnostics {
                assert!(
                    prefix
                        .get(d.span.start as usize..d.span.end as usize)
                        .is_some(),
                    "{rel} cut at {cut}: {} span {:?} off the text",
                    d.code,
                    d.span
                );
            }
            for (k, s) in whole.program.statements.iter().enumerate() {
                let span = s.span();
                if span.end as usize <= cut {
                    assert_eq!(
                        parsed.program.statements.get(k),
                        Some(s),
                        "{rel} cut at {cut}: statement {k} (ends at {}) parses differently",
                        span.end
                    );
                } else if (span.start as usize) < cut {
                    inside += 1;
                    let reported = parsed.diagnostics.iter().any(|d| d.span.end >= span.start);
                    if reported {
                        continue;
                    }
                    let decorators_only = matches!(
                        parsed.program.statements.get(k),
                        Some(Statement::MissingDeclaration(_))
                    );
                    assert!(
                        decorators_only || continues_with_operator(&text, cut),
                        "{rel} cut at {cut} (line {}): inside statement {k} and no diagnostic",
                        text[..cut].lines().count()
                    );
                    complete_prefixes += 1;
                }
            }
        }
    }
    println!(
        "truncation ({}): {} files, {cuts} cuts, {inside} inside a statement, \
         {complete_prefixes} of them complete prefixes (operator continuation or decorators only)",
        if full {
            "every line"
        } else {
            "up to 40 lines per file"
        },
        files.len()
    );
}
