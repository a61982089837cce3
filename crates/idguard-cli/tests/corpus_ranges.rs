//! The public corpus (`../shared/corpus`) checked by the binary: no two
//! findings share a range unless the "one range, one finding" policy
//! allows it (`docs/architecture.md`): suppressed findings, info-level
//! "could not check" findings, plugin findings, and findings of one rule.

use std::collections::BTreeMap;
use std::path::Path;

mod common;

#[test]
fn no_two_rules_report_one_range_of_the_corpus() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if !corpus.is_dir() {
        common::skip::skip_or_fail("corpus", &format!("not found at {}", corpus.display()));
        return;
    }
    let corpus = corpus.to_string_lossy().into_owned();
    let run = common::idguard_in(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["check", &corpus, "--format", "json", "--fail-on", "never"],
    );
    // Exit 2: the corpus holds one file with a syntax error on purpose
    // (Bicep's own `InvalidLambdas` sample); anything else unreadable fails.
    let report = run.json();
    let invalid: Vec<&str> = report["files"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| !f["error"].is_null())
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert!(
        invalid.len() == 1 && invalid[0].contains("InvalidLambdas"),
        "unexpected unreadable files: {invalid:?}"
    );
    assert_eq!(run.code, 2, "{}", run.all());
    let findings = report["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings array:\n{}", run.all()));
    assert!(findings.len() > 100, "only {} findings", findings.len());
    let mut by_range: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for f in findings {
        let code = f["code"].as_str().unwrap_or_default().to_string();
        if f.get("suppression").is_some_and(|s| !s.is_null())
            || f["severity"] == "info"
            || code.contains('/')
        {
            continue;
        }
        let key = (
            f["file"].as_str().unwrap_or_default().to_string(),
            f["range"].to_string(),
        );
        by_range.entry(key).or_default().push(code);
    }
    let mut shared = Vec::new();
    for ((file, range), mut codes) in by_range {
        codes.sort();
        codes.dedup();
        if codes.len() > 1 {
            shared.push(format!("{file} {range}: {}", codes.join(", ")));
        }
    }
    assert!(
        shared.is_empty(),
        "{} ranges reported by more than one rule:\n{}",
        shared.len(),
        shared.join("\n")
    );
}
