//! A template linked by `uri(deployment().properties.templateLink.uri,
//! '<path>')` (how Enterprise-Scale's orchestrating template links its
//! policy-assignment templates) is checked with the scope and values its
//! caller gives, and not on its own, when the caller deploys it; when the
//! caller's condition skips it, it is checked on its own.

use std::path::Path;

mod common;

fn messages(dir: &str) -> (Vec<String>, Vec<String>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/linked")
        .join(dir);
    let run = common::idguard_in(
        &dir,
        &["check", ".", "--format", "json", "--fail-on", "never"],
    );
    assert_eq!(run.code, 0, "{}", run.all());
    let report = run.json();
    let findings = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "MI101")
        .map(file_and_message)
        .collect();
    let notes = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["notes"].as_array().cloned().unwrap_or_default())
        .map(|n| file_and_message(&n))
        .collect();
    (findings, notes)
}

/// `file: message` of a finding or a note of the JSON report.
fn file_and_message(v: &serde_json::Value) -> String {
    format!(
        "{}: {}",
        v["file"].as_str().unwrap(),
        v["message"].as_str().unwrap()
    )
}

#[test]
fn a_template_linked_by_uri_is_judged_at_the_scope_its_caller_gives() {
    let (findings, notes) = messages("deployed");
    assert_eq!(
        findings,
        [
            "policyAssignments/acsb.json: the system-assigned identity of 'Enforce-ACSB' gets Contributor at management-group scope"
        ]
    );
    assert_eq!(
        notes,
        [
            "policyAssignments/acsb.json: checked as a linked template of main.json, with the scope and values it gives, not on its own (name the file on the command line to check it on its own)"
        ]
    );
}

#[test]
fn a_linked_template_its_caller_does_not_deploy_is_checked_on_its_own() {
    let (findings, notes) = messages("skipped");
    // Its own `$schema` says tenant: judged there, as written.
    assert_eq!(
        findings,
        [
            "policyAssignments/acsb.json: the system-assigned identity of 'Enforce-ACSB' gets Contributor at tenant scope"
        ]
    );
    assert!(notes.is_empty(), "{notes:?}");
}
