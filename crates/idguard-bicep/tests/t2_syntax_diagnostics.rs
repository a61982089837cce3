//! T2: the parse-phase diagnostics (code, span, message) of every Bicep
//! baseline equal Bicep's own (`main.diagnostics.bicep`,
//! `parameters.diagnostics.bicepparam`), filtered to the codes the lexer
//! and parser report ([`PARSE_PHASE_CODES`]). Differences that cannot be
//! removed are listed, with the reason, in
//! `tests/t2_expected_differences.tsv`.
#![allow(
    clippy::disallowed_methods,
    reason = "the test reads the shared oracle data; the library does no I/O"
)]

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use idguard_bicep::diagnostic::PARSE_PHASE_CODES;
use idguard_bicep::{FileKind, LineIndex, ParseOptions, parse};
use support::{annotations, bicep_position, read};

/// (line, start, end, code, message)
type Diag = (u32, u32, u32, String, String);

fn bicep_diagnostics(baseline: &str, source: &str, newline: &str) -> BTreeSet<Diag> {
    annotations(baseline, source, newline)
        .into_iter()
        .filter_map(|a| {
            // `[BCP018 (Error)] message (bicep https://…) |span text|`
            let rest = a.text.strip_prefix('[')?;
            let (code, rest) = rest.split_once(' ')?;
            let (_level, rest) = rest.split_once("] ")?;
            let message = rest.rsplit_once(" (bicep ")?.0;
            PARSE_PHASE_CODES.contains(&code).then(|| {
                (
                    a.line,
                    a.start,
                    a.end,
                    code.to_string(),
                    message.to_string(),
                )
            })
        })
        .collect()
}

fn our_diagnostics(text: &str, kind: FileKind, options: ParseOptions) -> BTreeSet<Diag> {
    let parsed = parse(text, kind, options);
    let index = LineIndex::new(text);
    parsed
        .diagnostics
        .iter()
        .map(|d| {
            let (line, start, end) = bicep_position(&index, d.span);
            (line, start, end, d.code.to_string(), d.message.to_string())
        })
        .collect()
}

struct Case {
    name: String,
    source: std::path::PathBuf,
    baseline: std::path::PathBuf,
    kind: FileKind,
}

fn cases(root: &Path) -> Vec<Case> {
    let mut out = Vec::new();
    for b in support::files(&root.join("baselines"), "main.diagnostics.bicep") {
        let name = b
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push(Case {
            name,
            source: b.with_file_name("main.bicep"),
            baseline: b,
            kind: FileKind::Bicep,
        });
    }
    for b in support::files(
        &root.join("baselines_bicepparam"),
        ".diagnostics.bicepparam",
    ) {
        let name = b
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| format!("bicepparam/{}", n.to_string_lossy()))
            .unwrap_or_default();
        let source = b
            .to_string_lossy()
            .replace(".diagnostics.bicepparam", ".bicepparam");
        out.push(Case {
            name,
            source: source.into(),
            baseline: b,
            kind: FileKind::BicepParam,
        });
    }
    out
}

/// `name<TAB>line:start:end<TAB>code<TAB>missing|extra<TAB>reason`; a
/// position `*` stands for every diagnostic of that code in that file.
fn expected_differences() -> BTreeSet<(String, String, String, String)> {
    let text = include_str!("t2_expected_differences.tsv");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some((
                f.next()?.to_string(),
                f.next()?.to_string(),
                f.next()?.to_string(),
                f.next()?.to_string(),
            ))
        })
        .collect()
}

fn fmt(d: &Diag) -> String {
    format!("{}:{}:{}", d.0 + 1, d.1, d.2)
}

#[test]
fn parse_phase_diagnostics_match_bicep() {
    let Some(root) = support::baselines() else {
        return;
    };
    let cases = cases(&root);
    assert_eq!(cases.len(), 78);
    let allowed = expected_differences();
    let mut seen_allowed = BTreeSet::new();
    let mut failures = Vec::new();
    let (mut total, mut matched) = (0, 0);
    for case in &cases {
        let text = read(&case.source);
        let newline = support::newline_for(&case.source);
        let expected = bicep_diagnostics(&read(&case.baseline), &text, newline);
        let pieces = text.trim_start_matches('\u{feff}').split(newline).count() as u32;
        let mut actual = our_diagnostics(&text, case.kind, ParseOptions::BICEP);
        actual.retain(|d| d.0 < pieces);
        total += expected.len();
        matched += expected.intersection(&actual).count();
        for d in expected.difference(&actual) {
            let key = (
                case.name.clone(),
                fmt(d),
                d.3.clone(),
                "missing".to_string(),
            );
            let any = (
                case.name.clone(),
                "*".to_string(),
                d.3.clone(),
                "missing".to_string(),
            );
            if allowed.contains(&key) {
                seen_allowed.insert(key);
            } else if allowed.contains(&any) {
                seen_allowed.insert(any);
            } else {
                failures.push(format!("{}: missing {} {} {}", case.name, fmt(d), d.3, d.4));
            }
        }
        for d in actual.difference(&expected) {
            let key = (case.name.clone(), fmt(d), d.3.clone(), "extra".to_string());
            let any = (
                case.name.clone(),
                "*".to_string(),
                d.3.clone(),
                "extra".to_string(),
            );
            if allowed.contains(&key) {
                seen_allowed.insert(key);
            } else if allowed.contains(&any) {
                seen_allowed.insert(any);
            } else {
                failures.push(format!("{}: extra   {} {} {}", case.name, fmt(d), d.3, d.4));
            }
        }
    }
    println!("T2: {matched} of {total} Bicep parse-phase diagnostics matched exactly");
    let stale: Vec<_> = allowed.difference(&seen_allowed).collect();
    assert!(
        stale.is_empty(),
        "expected differences that no longer occur: {stale:#?}"
    );
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// With editor recovery the diagnostics differ from Bicep's only where a
/// container is left open: the difference is printed (and documented in
/// docs/bicep-syntax.md), and every file keeps at least one diagnostic
/// when Bicep reports one.
#[test]
fn editor_recovery_differences_are_few() {
    let Some(root) = support::baselines() else {
        return;
    };
    let (mut missing, mut extra, mut files) = (0, 0, 0);
    for case in cases(&root) {
        let text = read(&case.source);
        let exact = our_diagnostics(&text, case.kind, ParseOptions::BICEP);
        let editor = our_diagnostics(&text, case.kind, ParseOptions::EDITOR);
        assert_eq!(exact.is_empty(), editor.is_empty(), "{}", case.name);
        if exact != editor {
            files += 1;
            for d in exact.difference(&editor) {
                missing += 1;
                println!("{}: editor drops {} {} {}", case.name, fmt(d), d.3, d.4);
            }
            for d in editor.difference(&exact) {
                extra += 1;
                println!("{}: editor adds  {} {} {}", case.name, fmt(d), d.3, d.4);
            }
        }
    }
    println!(
        "editor recovery vs Bicep's: {files} files differ, {missing} diagnostics dropped, {extra} added"
    );
}
