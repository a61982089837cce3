//! `idguard check --fix`, `--unsafe-fixes` and `--diff` end to end, and
//! fixes in the JSON and SARIF reports.

mod common;

use std::path::Path;

use common::{Run, assert_valid_sarif, idguard_in};

/// A role assignment fed a client ID (MI401, error; safe fix), without
/// principalType (MI402; safe), with a fixed GUID name (MI403; unsafe) to an
/// identity without tags (MI202; unsafe).
const TEMPLATE: &str = r#"{
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    "resources": [
        {
            "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
            "apiVersion": "2023-01-31",
            "name": "id-orders-prod",
            "location": "westeurope"
        },
        {
            "type": "Microsoft.Authorization/roleAssignments",
            "apiVersion": "2022-04-01",
            "name": "5a8d3a4e-4b4c-4d8f-9a59-2f0d6ad5b0c1",
            "properties": {
                "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1')]",
                "principalId": "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-orders-prod'), '2023-01-31').clientId]"
            }
        }
    ]
}
"#;

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn run(dir: &Path, args: &[&str]) -> Run {
    idguard_in(dir, args)
}

fn codes(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn fix_applies_the_safe_fixes_and_reports_what_remains() {
    let dir = project(&[("main.json", TEMPLATE)]);
    let r = run(dir.path(), &["check", ".", "--fix", "--format", "json"]);
    // MI401 (the only error) is fixed: what remains are warnings.
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stderr
            .contains("Applied 2 fixes to 1 file; 2 unsafe fixes left out (use --unsafe-fixes)"),
        "{}",
        r.all()
    );
    let text = std::fs::read_to_string(dir.path().join("main.json")).unwrap();
    assert!(text.contains("'2023-01-31').principalId]\",\n                \"principalType\": \"ServicePrincipal\"\n"), "{text}");
    let found = codes(&r.json());
    assert!(
        !found.iter().any(|c| c == "MI401" || c == "MI402"),
        "{found:?}"
    );
    assert!(found.iter().any(|c| c == "MI403") && found.iter().any(|c| c == "MI202"));
    // The unsafe ones need consent.
    let r = run(
        dir.path(),
        &["check", ".", "--fix", "--unsafe-fixes", "--format", "json"],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    let found = codes(&r.json());
    assert!(
        !found.iter().any(|c| c == "MI403" || c == "MI202"),
        "{found:?}"
    );
    let text = std::fs::read_to_string(dir.path().join("main.json")).unwrap();
    assert!(text.contains("\"owner\": \"TODO\""), "{text}");
    assert!(
        text.contains("\"name\": \"[guid(resourceGroup().id, "),
        "{text}"
    );
    serde_json::from_str::<serde_json::Value>(&text).expect("still JSON");
    // Nothing left to fix: nothing written, no temporary files left.
    let r = run(dir.path(), &["check", ".", "--fix", "--unsafe-fixes"]);
    assert!(
        r.stderr.contains("Applied 0 fixes to 0 files"),
        "{}",
        r.all()
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(names, ["main.json"]);
}

#[test]
fn diff_prints_the_fixes_and_writes_nothing() {
    let dir = project(&[("main.json", TEMPLATE)]);
    let r = run(dir.path(), &["check", ".", "--diff"]);
    // Nothing fixed: MI401 still fails the run.
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.stdout
            .starts_with("--- a/main.json\n+++ b/main.json\n@@ -"),
        "{}",
        r.all()
    );
    assert!(
        r.stdout.contains(
            "-                \"principalId\": \"[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-orders-prod'), '2023-01-31').clientId]\"\n+                \"principalId\": \"[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-orders-prod'), '2023-01-31').principalId]\",\n+                \"principalType\": \"ServicePrincipal\"\n"
        ),
        "{}",
        r.all()
    );
    assert!(!r.stdout.contains("TODO"), "unsafe fix shown: {}", r.all());
    assert!(
        !r.stdout.contains("error[MI401]"),
        "the report is not printed: {}",
        r.all()
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("main.json")).unwrap(),
        TEMPLATE
    );
    let r = run(dir.path(), &["check", ".", "--diff", "--unsafe-fixes"]);
    assert!(
        r.stdout.contains("+                \"owner\": \"TODO\",\n"),
        "{}",
        r.all()
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("main.json")).unwrap(),
        TEMPLATE
    );
}

#[test]
fn one_fix_reported_by_two_evaluations_is_applied_once() {
    // The identity's name comes from the parameter file, so dev and prod
    // report MI402 at one place with two messages: the same edit twice.
    let template = TEMPLATE
        .replace(
            "\"resources\": [",
            "\"parameters\": {\"name\": {\"type\": \"string\"}},\n    \"resources\": [",
        )
        .replace("'id-orders-prod'", "parameters('name')")
        .replace("\"id-orders-prod\"", "\"[parameters('name')]\"");
    let params = |env: &str| {
        format!(
            r#"{{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "contentVersion": "1.0.0.0", "parameters": {{"name": {{"value": "id-orders-{env}"}}}}}}"#
        )
    };
    let dir = project(&[
        ("main.json", &template),
        ("main.dev.parameters.json", &params("dev")),
        ("main.prod.parameters.json", &params("prod")),
    ]);
    let before = run(dir.path(), &["check", ".", "--format", "json"]).json();
    let mi402 = before["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "MI402")
        .count();
    assert_eq!(mi402, 2, "{before:#}");
    let r = run(dir.path(), &["check", ".", "--fix", "--format", "json"]);
    let text = std::fs::read_to_string(dir.path().join("main.json")).unwrap();
    assert_eq!(text.matches("principalType").count(), 1, "{text}");
    assert!(
        !codes(&r.json()).iter().any(|c| c == "MI402"),
        "{}",
        r.all()
    );
}

#[test]
fn fixes_are_in_the_json_and_sarif_reports() {
    let dir = project(&[("main.json", TEMPLATE)]);
    let v = run(dir.path(), &["check", ".", "--format", "json"]).json();
    let mi402 = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "MI402")
        .unwrap();
    let fix = &mi402["fix"];
    assert_eq!(fix["safety"], "safe");
    assert_eq!(
        fix["edits"][0]["range"]["start"],
        fix["edits"][0]["range"]["end"]
    );
    assert_eq!(
        fix["edits"][0]["replacement"],
        ",\n                \"principalType\": \"ServicePrincipal\""
    );
    let r = run(dir.path(), &["check", ".", "--format", "sarif"]);
    let v = r.json();
    assert_valid_sarif(&v);
    let results = v["runs"][0]["results"].as_array().unwrap();
    let with_fixes = results.iter().filter(|r| r["fixes"].is_array()).count();
    assert_eq!(with_fixes, 4, "{v:#}");
    let mi401 = results.iter().find(|r| r["ruleId"] == "MI401").unwrap();
    let change = &mi401["fixes"][0]["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], "main.json");
    let replacement = &change["replacements"][0];
    assert_eq!(replacement["insertedContent"]["text"], ".principalId");
    let region = &replacement["deletedRegion"];
    assert_eq!(region["startLine"], 17);
    assert_eq!(
        region["endColumn"].as_u64().unwrap() - region["startColumn"].as_u64().unwrap(),
        ".clientId".len() as u64
    );
}

#[test]
fn bicep_templates_are_fixed_in_bicep() {
    let bicep = "resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-orders-prod'
  location: 'westeurope'
}

resource ra 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, uami.id, 'reader')
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1')
    principalId: uami.properties.clientId
  }
}
";
    let dir = project(&[("main.bicep", bicep)]);
    let r = run(
        dir.path(),
        &["check", "main.bicep", "--fix", "--format", "json"],
    );
    let text = std::fs::read_to_string(dir.path().join("main.bicep")).unwrap();
    assert!(
        text.contains("    principalId: uami.properties.principalId\n    principalType: 'ServicePrincipal'\n  }"),
        "{text}\n{}",
        r.all()
    );
    assert!(
        !codes(&r.json())
            .iter()
            .any(|c| c == "MI401" || c == "MI402"),
        "{}",
        r.all()
    );
}
