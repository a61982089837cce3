//! The model JSON plugins receive: every evaluation of every rule fixture
//! validates against `policies/model.schema.json`, and its locations point
//! where the template says.

// Tests read fixtures from disk; the no-I/O rule is for the library itself.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};

use idguard_core::api::{CheckOptions, SourceFile, model_json};
use idguard_core::finding::FileKind;
use idguard_core::policy::Policy;
use idguard_core::project::{pair_parameter_files, sniff_kind};
use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every template under `dir` (recursively) with its paired parameter
/// files: (template path, parameter paths).
fn templates_under(dir: &Path) -> Vec<(PathBuf, Vec<PathBuf>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mut templates = Vec::new();
        let mut params = Vec::new();
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&d)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let name = p.to_string_lossy().to_string();
            if !name.ends_with(".json") || name.ends_with(".findings.json") {
                continue;
            }
            match sniff_kind(&read(&p)) {
                FileKind::Template => templates.push(name),
                FileKind::Parameters => params.push(name),
                FileKind::Other => {}
            }
        }
        let t: Vec<&str> = templates.iter().map(String::as_str).collect();
        let p: Vec<&str> = params.iter().map(String::as_str).collect();
        for (template, ps) in pair_parameter_files(&t, &p) {
            out.push((
                PathBuf::from(template),
                ps.into_iter().map(PathBuf::from).collect(),
            ));
        }
    }
    out
}

fn models_of(template: &Path, params: &[PathBuf], policy: &Policy) -> Vec<Value> {
    let options = CheckOptions {
        policy,
        today: Some("2026-01-01".into()),
    };
    let source = SourceFile {
        path: template.to_string_lossy().to_string(),
        text: read(template),
    };
    let params: Vec<SourceFile> = params
        .iter()
        .map(|p| SourceFile {
            path: p.to_string_lossy().to_string(),
            text: read(p),
        })
        .collect();
    let dir = template.parent().unwrap().to_path_buf();
    let resolve = move |rel: &str| std::fs::read_to_string(dir.join(rel)).ok();
    model_json(&source, &params, &resolve, &options)
}

fn schema() -> jsonschema::Validator {
    let text = read(&repo().join("policies/model.schema.json"));
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).expect("the model schema compiles")
}

#[test]
fn every_fixture_model_matches_the_schema() {
    let validator = schema();
    let policy = Policy::default_policy();
    let mut checked = 0;
    let mut failures = Vec::new();
    for dir in ["tests/fixtures/rules", "tests/fixtures/plugins"] {
        for (template, params) in templates_under(&repo().join(dir)) {
            let models = models_of(&template, &params, &policy);
            // One per parameter file (or one), plus one per template a
            // policy definition in the file deploys.
            let text = read(&template);
            let embedded = text.matches("\"policyRule\"").count();
            assert_eq!(
                models.len(),
                params.len().max(1) + embedded,
                "{}: one model per evaluation",
                template.display()
            );
            for m in models {
                checked += 1;
                for e in validator.iter_errors(&m) {
                    failures.push(format!(
                        "{}: {} at {}",
                        template.display(),
                        e,
                        e.instance_path()
                    ));
                }
            }
        }
    }
    assert!(checked > 150, "only {checked} models checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn model_records_point_at_their_lines() {
    let template = repo().join("tests/fixtures/plugins/prod-scope.json");
    let models = models_of(&template, &[], &Policy::default_policy());
    let m = &models[0];
    assert_eq!(m["modelVersion"], 1);
    assert_eq!(m["parameterFile"], Value::Null);
    let ids = m["identities"].as_array().unwrap();
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[0]["name"], "id-orders-prod");
    assert_eq!(ids[0]["environment"]["name"], "prod");
    assert_eq!(ids[0]["environment"]["source"], "tag");
    assert_eq!(ids[0]["environment"]["production"], true);
    assert_eq!(ids[0]["source"]["pointer"], "/resources/0");
    assert_eq!(ids[0]["source"]["range"]["start"]["line"], 11);
    let ras = m["roleAssignments"].as_array().unwrap();
    assert_eq!(ras.len(), 4);
    let first = &ras[0];
    assert_eq!(first["principal"]["kind"], "identity");
    assert_eq!(first["principal"]["identity"], 0);
    assert_eq!(first["principal"]["via"], "principalId");
    assert_eq!(first["role"]["kind"], "builtin");
    assert_eq!(first["role"]["name"], "Storage Blob Data Reader");
    assert_eq!(first["scopeLevel"], "resource");
    let target = first["target"].as_u64().unwrap() as usize;
    assert_eq!(m["resources"][target]["name"], "stordersprod01");
    assert_eq!(
        first["principalSource"]["pointer"],
        "/resources/4/properties/principalId"
    );
    // The nested deployment's assignment: a resource-group scope.
    let nested = &ras[3];
    assert_eq!(nested["scopeLevel"], "resourceGroup");
    assert!(
        nested["scope"]
            .as_str()
            .or_else(|| nested["scope"]["$unknown"].as_str())
            .unwrap()
            .ends_with("/resourceGroups/rg-shared-dev"),
        "{}",
        nested["scope"]
    );
}

#[test]
fn unknowns_and_secrets() {
    let template = repo().join("tests/fixtures/plugins/cost-center.json");
    let m = &models_of(&template, &[], &Policy::default_policy())[0];
    let param = &m["resources"][4];
    assert_eq!(
        param["tags"]["cost-center"],
        serde_json::json!({"$unknown": "parameters('costCenter')"})
    );
    // No setting value that looks like a secret is ever in any model.
    let validator = schema();
    let policy = Policy::default_policy();
    for (template, params) in templates_under(&repo().join("tests/fixtures/rules")) {
        for m in models_of(&template, &params, &policy) {
            assert!(validator.is_valid(&m));
            for s in m["settings"].as_array().unwrap() {
                let name = s["name"].as_str().unwrap().to_ascii_lowercase();
                if name.contains("secret")
                    || name.contains("password")
                    || s["kind"] == "connectionString"
                {
                    assert!(
                        s["isReference"] == true || s.get("value").is_none(),
                        "{}: setting {name} leaked its value",
                        template.display()
                    );
                }
            }
        }
    }
}
