//! Hostile templates: inputs written to make the checker crash, stall or
//! skip. Every one must finish quickly, with the right answer or with a
//! clear file error.

use idguard_core::api::{CheckOptions, SourceFile, TemplateResult, check_template};
use idguard_core::policy::Policy;

const SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";

fn check_with_files(text: &str, files: &[(&str, &str)]) -> TemplateResult {
    let policy = Policy::default_policy();
    let options = CheckOptions {
        policy: &policy,
        today: None,
    };
    let source = SourceFile {
        path: "main.json".into(),
        text: text.into(),
    };
    let resolve = |p: &str| {
        files
            .iter()
            .find(|(name, _)| *name == p)
            .map(|(_, t)| (*t).to_string())
    };
    check_template(&source, &[], &resolve, &options)
}

fn check(text: &str) -> TemplateResult {
    check_with_files(text, &[])
}

// --- Positions on one very long line -------------------------------------

/// One (line, character column, UTF-16 column) per byte offset, for sorted
/// offsets, by one pass over the text.
fn positions_by_scan(text: &str, offsets: &[u32]) -> Vec<(u32, u32, u32)> {
    let mut out = Vec::with_capacity(offsets.len());
    let (mut line, mut col, mut col16) = (1u32, 1u32, 1u32);
    let mut chars = text.char_indices().peekable();
    for &offset in offsets {
        while let Some((i, c)) = chars.peek().copied() {
            if i >= offset as usize {
                break;
            }
            chars.next();
            if c == '\n' {
                (line, col, col16) = (line + 1, 1, 1);
            } else if c != '\u{feff}' || i != 0 {
                col += 1;
                col16 += c.len_utf16() as u32;
            }
        }
        out.push((line, col, col16));
    }
    out
}

/// A minified template (one line of about 700 KB, with characters outside
/// the BMP in every name) whose thousands of findings all sit on line 1.
/// Positions used to be computed by scanning the line from its start for
/// every finding (quadratic: 55 s for 3.3 MB); they must be right, and
/// come from the line index's checkpoints.
#[test]
fn minified_template_with_thousands_of_findings() {
    let resources: Vec<String> = (0..4000)
        .map(|i| {
            format!(
                r#"{{"type":"Microsoft.ManagedIdentity/userAssignedIdentities","apiVersion":"2023-01-31","name":"id-é😀-{i}","location":"westeurope"}}"#
            )
        })
        .collect();
    let text = format!(
        "\u{feff}{{\"$schema\":\"{SCHEMA}\",\"contentVersion\":\"1.0.0.0\",\"resources\":[{}]}}",
        resources.join(",")
    );
    assert!(!text.contains('\n'));
    let result = check(&text);
    assert!(
        result.files[0].error.is_none(),
        "{:?}",
        result.files[0].error
    );
    assert!(
        result.findings.len() >= 4000,
        "{} findings",
        result.findings.len()
    );
    let mut offsets: Vec<u32> = result
        .findings
        .iter()
        .flat_map(|f| [f.range.start.offset, f.range.end.offset])
        .collect();
    offsets.sort_unstable();
    offsets.dedup();
    let expected: std::collections::HashMap<u32, (u32, u32, u32)> = offsets
        .iter()
        .copied()
        .zip(positions_by_scan(&text, &offsets))
        .collect();
    for f in &result.findings {
        for p in [&f.range.start, &f.range.end] {
            assert_eq!(
                (p.line, p.column, p.utf16_column),
                expected[&p.offset],
                "{} at offset {}",
                f.code,
                p.offset
            );
        }
    }
    // The last identity's name is far along the line, past 4,000 emoji.
    let last = result
        .findings
        .iter()
        .map(|f| f.range.start)
        .max_by_key(|p| p.offset)
        .unwrap();
    assert!(last.utf16_column >= last.column + 3999, "{last:?}");
}
