//! Fixes from the rules: every fix of the rule fixtures applies, the fixed
//! text still parses and the finding it fixes is gone on a re-check; Bicep
//! templates get Bicep text; and fingerprints leave out the parameter file.

// Tests read fixtures from disk; the no-I/O rule is for the library itself.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};

use idguard_core::api::{CheckOptions, SourceFile, check_template};
use idguard_core::finding::{Finding, FixSafety};
use idguard_core::fix::apply;
use idguard_core::policy::Policy;

fn check(path: &str, text: &str) -> Vec<Finding> {
    check_with(path, text, &[])
}

fn check_with(path: &str, text: &str, params: &[SourceFile]) -> Vec<Finding> {
    let policy = Policy::default_policy();
    let options = CheckOptions {
        policy: &policy,
        today: Some("2026-01-01".into()),
    };
    let template = SourceFile {
        path: path.into(),
        text: text.into(),
    };
    let r = check_template(&template, params, &|_| None, &options);
    for f in &r.files {
        assert!(f.error.is_none(), "{}: {:?}\n{text}", f.path, f.error);
    }
    r.findings
}

/// `text` with every fix of rule `code` applied (one round).
fn fixed(path: &str, text: &str, code: &str) -> (String, Vec<Finding>) {
    let findings = check(path, text);
    let fixes: Vec<_> = findings
        .iter()
        .filter(|f| f.code == code && f.file == path)
        .filter_map(|f| f.fix.as_ref())
        .collect();
    assert!(!fixes.is_empty(), "no {code} fix in {path}: {findings:#?}");
    (apply(text, &fixes).text, findings)
}

fn codes(findings: &[Finding], code: &str) -> usize {
    findings.iter().filter(|f| f.code == code).count()
}

#[test]
fn every_fix_of_the_rule_fixtures_applies_and_fixes_its_finding() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/rules");
    let mut fixed_by_code = std::collections::BTreeMap::<String, usize>::new();
    let mut paths: Vec<PathBuf> = Vec::new();
    for dir in std::fs::read_dir(&root).unwrap().flatten() {
        if !dir.path().is_dir() {
            continue;
        }
        for f in std::fs::read_dir(dir.path()).unwrap().flatten() {
            let p = f.path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if name.starts_with("invalid-")
                && name.ends_with(".json")
                && !name.ends_with(".findings.json")
                && !name.contains(".parameters")
            {
                paths.push(p);
            }
        }
    }
    paths.sort();
    for p in paths {
        let text = std::fs::read_to_string(&p).unwrap();
        let path = p.file_name().unwrap().to_string_lossy().to_string();
        let findings = check(&path, &text);
        for f in findings.iter().filter(|f| f.fix.is_some()) {
            let fix = f.fix.as_ref().unwrap();
            assert!(!fix.edits.is_empty() && !fix.title.is_empty());
            let out = apply(&text, &[fix]);
            assert_eq!(out.applied, 1, "{path}: {fix:?}");
            assert_ne!(out.text, text, "{path}: {} fix changes nothing", f.code);
            // Re-checked: still a template, and this finding is gone.
            let after = check(&path, &out.text);
            assert!(
                !after
                    .iter()
                    .any(|g| g.code == f.code && g.pointer == f.pointer && g.message == f.message),
                "{path}: {} still reported after its fix:\n{}",
                f.code,
                out.text
            );
            *fixed_by_code.entry(f.code.clone()).or_default() += 1;
        }
    }
    for code in ["MI202", "MI401", "MI402", "MI403"] {
        assert!(
            fixed_by_code.get(code).copied().unwrap_or(0) > 0,
            "no fixture finding of {code} has a fix: {fixed_by_code:?}"
        );
    }
}

const JSON_TEMPLATE: &str = r#"{
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
}"#;

#[test]
fn json_fixes_write_json_in_the_layout_of_the_object() {
    let (text, before) = fixed("main.json", JSON_TEMPLATE, "MI402");
    assert!(
        text.contains(
            "'2023-01-31').clientId]\",\n                \"principalType\": \"ServicePrincipal\"\n            }"
        ),
        "{text}"
    );
    let f = before.iter().find(|f| f.code == "MI402").unwrap();
    assert_eq!(f.fix.as_ref().unwrap().safety, FixSafety::Safe);

    let (text, _) = fixed("main.json", JSON_TEMPLATE, "MI401");
    assert!(text.contains("'2023-01-31').principalId]"), "{text}");
    assert_eq!(codes(&check("main.json", &text), "MI401"), 0);

    let (text, before) = fixed("main.json", JSON_TEMPLATE, "MI403");
    assert!(
        text.contains("\"name\": \"[guid(resourceGroup().id, resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-orders-prod'), subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'))]\""),
        "{text}"
    );
    let f = before.iter().find(|f| f.code == "MI403").unwrap();
    assert_eq!(f.fix.as_ref().unwrap().safety, FixSafety::Unsafe);
    assert_eq!(codes(&check("main.json", &text), "MI403"), 0);

    let (text, before) = fixed("main.json", JSON_TEMPLATE, "MI202");
    assert!(
        text.contains(
            "\"location\": \"westeurope\",\n            \"tags\": {\n                \"owner\": \"TODO\",\n                \"environment\": \"TODO\",\n                \"workload\": \"TODO\"\n            }\n        },"
        ),
        "{text}"
    );
    let f = before.iter().find(|f| f.code == "MI202").unwrap();
    assert_eq!(f.fix.as_ref().unwrap().safety, FixSafety::Unsafe);
    assert_eq!(codes(&check("main.json", &text), "MI202"), 0);

    // All four at once: no overlap, and the result is clean of all four.
    let findings = check("main.json", JSON_TEMPLATE);
    let fixes: Vec<_> = findings.iter().filter_map(|f| f.fix.as_ref()).collect();
    let out = apply(JSON_TEMPLATE, &fixes);
    assert_eq!(out.overlapping, 0);
    let after = check("main.json", &out.text);
    for code in ["MI202", "MI401", "MI402", "MI403"] {
        assert_eq!(codes(&after, code), 0, "{code}\n{}", out.text);
    }
}

#[test]
fn a_value_the_fix_does_not_know_gets_no_fix() {
    // principalType set by an expression: the fix edits literals only.
    let text = JSON_TEMPLATE
        .replace(
            "\"resources\": [",
            "\"parameters\": {\"kind\": {\"type\": \"string\", \"defaultValue\": \"User\"}},\n    \"resources\": [",
        )
        .replace(
            "'2023-01-31').clientId]\"",
            "'2023-01-31').clientId]\", \"principalType\": \"[parameters('kind')]\"",
        );
    let findings = check("main.json", &text);
    let f = findings.iter().find(|f| f.code == "MI402").expect("MI402");
    assert!(f.fix.is_none(), "{f:#?}");
    // A literal one is set.
    let text = text.replace("\"[parameters('kind')]\"", "\"User\"");
    let (out, _) = fixed("main.json", &text, "MI402");
    assert!(
        out.contains("\"principalType\": \"ServicePrincipal\""),
        "{out}"
    );
    assert!(!out.contains("\"principalType\": \"User\""), "{out}");
}

const BICEP_TEMPLATE: &str = "param location string = resourceGroup().location

resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-orders-prod'
  location: location
}

resource ra 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: '5a8d3a4e-4b4c-4d8f-9a59-2f0d6ad5b0c1'
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1')
    principalId: uami.properties.clientId
  }
}
";

#[test]
fn bicep_fixes_write_bicep_into_the_bicep_text() {
    let (text, _) = fixed("main.bicep", BICEP_TEMPLATE, "MI402");
    assert!(
        text.contains(
            "    principalId: uami.properties.clientId\n    principalType: 'ServicePrincipal'\n  }"
        ),
        "{text}"
    );
    assert_eq!(codes(&check("main.bicep", &text), "MI402"), 0);

    let (text, _) = fixed("main.bicep", BICEP_TEMPLATE, "MI401");
    assert!(
        text.contains("principalId: uami.properties.principalId\n"),
        "{text}"
    );
    assert_eq!(codes(&check("main.bicep", &text), "MI401"), 0);

    let (text, _) = fixed("main.bicep", BICEP_TEMPLATE, "MI403");
    assert!(
        text.contains("  name: guid(resourceGroup().id, uami.id, subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'))\n"),
        "{text}"
    );
    assert_eq!(codes(&check("main.bicep", &text), "MI403"), 0);

    let (text, _) = fixed("main.bicep", BICEP_TEMPLATE, "MI202");
    assert!(
        text.contains(
            "  location: location\n  tags: {\n    owner: 'TODO'\n    environment: 'TODO'\n    workload: 'TODO'\n  }\n}"
        ),
        "{text}"
    );
    assert_eq!(codes(&check("main.bicep", &text), "MI202"), 0);

    let findings = check("main.bicep", BICEP_TEMPLATE);
    let fixes: Vec<_> = findings.iter().filter_map(|f| f.fix.as_ref()).collect();
    let out = apply(BICEP_TEMPLATE, &fixes);
    let after = check("main.bicep", &out.text);
    for code in ["MI202", "MI401", "MI402", "MI403"] {
        assert_eq!(codes(&after, code), 0, "{code}\n{}", out.text);
    }
}

#[test]
fn bicep_tags_object_gets_the_missing_tags_and_empty_ones_filled() {
    let text = "resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-orders-prod'
  location: 'westeurope'
  tags: {
    owner: ''
    'cost-center': 'x'
  }
}
";
    let (out, _) = fixed("main.bicep", text, "MI202");
    assert!(
        out.contains("    owner: 'TODO'\n    'cost-center': 'x'\n    environment: 'TODO'\n    workload: 'TODO'\n  }"),
        "{out}"
    );
}

#[test]
fn a_fingerprint_is_the_same_whatever_the_parameter_files() {
    let template = r#"{
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    "parameters": { "env": { "type": "string" } },
    "resources": [
        { "type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31",
          "name": "id-orders", "location": "westeurope",
          "tags": { "owner": "a", "environment": "[parameters('env')]", "workload": "w" } },
        { "type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01",
          "name": "[guid(resourceGroup().id, 'id-orders', 'reader')]",
          "properties": {
            "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'acdd72a7-3385-48ef-bd42-f606fba81ae7')]",
            "principalId": "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-orders'), '2023-01-31').principalId]" } },
        { "type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01",
          "name": "[guid(resourceGroup().id, 'id-orders', 'contributor')]",
          "properties": {
            "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b24988ac-6180-42a0-ab88-20f7382dd24c')]",
            "principalId": "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-orders'), '2023-01-31').principalId]" } }
    ]
}"#;
    let param = |name: &str, env: &str| SourceFile {
        path: name.into(),
        text: format!(
            r#"{{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "contentVersion": "1.0.0.0", "parameters": {{"env": {{"value": "{env}"}}}}}}"#
        ),
    };
    let (dev, prod) = (
        param("dev.parameters.json", "dev"),
        param("prod.parameters.json", "prod"),
    );
    let mi402 = |params: &[SourceFile]| -> Vec<(String, String)> {
        let mut v: Vec<_> = check_with("main.json", template, params)
            .into_iter()
            .filter(|f| f.code == "MI402")
            .map(|f| (f.pointer, f.fingerprint))
            .collect();
        v.sort();
        v
    };
    let with_dev = mi402(std::slice::from_ref(&dev));
    assert_eq!(with_dev.len(), 2, "{with_dev:?}");
    // One template line, two parameter files: one fingerprint.
    assert_eq!(mi402(std::slice::from_ref(&prod)), with_dev);
    assert_eq!(mi402(&[dev.clone(), prod.clone()]), with_dev);
    assert_eq!(mi402(&[prod, dev]), with_dev);
    assert_eq!(mi402(&[]), with_dev);
    // Another pointer: another fingerprint.
    assert_ne!(with_dev[0].1, with_dev[1].1);
}
