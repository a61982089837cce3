//! The gate fails closed on templates the core cannot (or will not) check:
//! a template it cannot parse is never skipped, and a template over the
//! evaluation budget is a file error. Both exit 2.

mod common;

use common::idguard_in;

const SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
const PARAMS: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#";

fn template() -> String {
    format!(
        "{{\n  \"$schema\": \"{SCHEMA}\",\n  \"contentVersion\": \"1.0.0.0\",\n  \"resources\": []\n}}\n"
    )
}

/// Writes `files` into a fresh directory and runs `idguard check . --format
/// json` there.
fn check(files: &[(&str, String)]) -> (i32, serde_json::Value, String) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let run = idguard_in(dir.path(), &["check", ".", "--format", "json"]);
    let all = run.all();
    (run.code, run.json(), all)
}

fn file<'a>(report: &'a serde_json::Value, path: &str) -> &'a serde_json::Value {
    report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"].as_str().is_some_and(|p| p.ends_with(path)))
        .unwrap_or_else(|| panic!("{path} not in {report}"))
}

#[test]
fn templates_that_do_not_parse_are_errors_not_skips() {
    let t = template();
    let cases = [
        format!("<<<<<<< HEAD\n{t}=======\n{t}>>>>>>> theirs\n"),
        format!("x{t}"),
        format!("\u{feff}\u{feff}{t}"),
        format!("[{t}]"),
    ];
    for text in cases {
        let (code, report, all) = check(&[("main.json", text.clone())]);
        assert_eq!(code, 2, "{all}");
        let f = file(&report, "main.json");
        assert_eq!(f["kind"], "template", "{all}");
        assert!(f["error"]["message"].is_string(), "{all}");
    }
}

#[test]
fn a_parameter_file_that_does_not_parse_is_an_error_even_alone() {
    let text = format!("x{{\"$schema\": \"{PARAMS}\", \"parameters\": {{}}}}");
    let (code, report, all) = check(&[("other.parameters.json", text)]);
    assert_eq!(code, 2, "{all}");
    let f = file(&report, "other.parameters.json");
    assert_eq!(f["kind"], "parameters", "{all}");
    assert!(f["error"]["message"].is_string(), "{all}");
}

#[test]
fn a_template_over_the_budget_is_an_error() {
    // Objects that share their halves, 60 levels.
    let mut vars = vec!["\"x0\": {\"k\": \"v\"}".to_string()];
    for i in 1..=60 {
        vars.push(format!(
            "\"x{i}\": \"[createObject('l', variables('x{p}'), 'r', variables('x{p}'))]\"",
            p = i - 1
        ));
    }
    let text = format!(
        "{{\n  \"$schema\": \"{SCHEMA}\",\n  \"variables\": {{\n{}\n}},\n  \"resources\": [{{\"type\": \"Microsoft.ManagedIdentity/userAssignedIdentities\", \"apiVersion\": \"2023-01-31\", \"name\": \"x\", \"tags\": \"[union(variables('x60'), variables('x60'))]\"}}]\n}}\n",
        vars.join(",\n")
    );
    let (code, report, all) = check(&[("main.json", text)]);
    assert_eq!(code, 2, "{all}");
    let error = &file(&report, "main.json")["error"];
    let message = error["message"].as_str().unwrap();
    assert!(
        message.starts_with("evaluation budget exceeded") && message.contains("'value bytes'"),
        "{all}"
    );
    assert!(error["line"].as_u64().unwrap() > 3, "{all}");
    assert!(report["findings"].as_array().unwrap().is_empty(), "{all}");
}
