//! The shipped policy files: they load, they satisfy the schema, and the
//! schema itself is a valid draft 2020-12 schema that matches the catalog.

use idguard_core::catalog::RULES;
use idguard_core::finding::Level;
use idguard_core::model::ScopeLevel;
use idguard_core::policy::{
    DEFAULT_POLICY_TEXT, EXAMPLE_POLICY_TEXT, Policy, SCHEMA_TEXT, STRICT_POLICY_TEXT, Thresholds,
};
use idguard_core::source::Document;
use serde_json::Value;

const UAMI: &str = "Microsoft.ManagedIdentity/userAssignedIdentities";

fn schema() -> Value {
    serde_json::from_str(SCHEMA_TEXT).expect("schema is JSON")
}

/// The example is JSONC: read it through the project's own parser.
fn example_value() -> Value {
    let doc = Document::parse(EXAMPLE_POLICY_TEXT).expect("example parses");
    doc.to_json(doc.root())
}

#[test]
fn schema_is_a_valid_draft_2020_12_schema() {
    let schema = schema();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    jsonschema::meta::validate(&schema).expect("valid against the 2020-12 meta-schema");
}

#[test]
fn every_schema_property_has_a_description() {
    fn walk(node: &Value, path: &str, missing: &mut Vec<String>) {
        match node {
            Value::Object(map) => {
                if let Some(Value::Object(props)) = map.get("properties") {
                    for (name, prop) in props {
                        if prop.get("description").is_none() {
                            missing.push(format!("{path}/properties/{name}"));
                        }
                    }
                }
                for (k, v) in map {
                    walk(v, &format!("{path}/{k}"), missing);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(v, &format!("{path}/{i}"), missing);
                }
            }
            _ => {}
        }
    }
    let mut missing = Vec::new();
    walk(&schema(), "", &mut missing);
    assert!(missing.is_empty(), "no description: {missing:?}");
}

#[test]
fn every_schema_object_is_closed() {
    // Objects with fixed properties reject unknown ones (typos are caught).
    fn walk(node: &Value, path: &str, open: &mut Vec<String>) {
        if let Value::Object(map) = node {
            if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                open.push(path.to_string());
            }
            for (k, v) in map {
                walk(v, &format!("{path}/{k}"), open);
            }
        }
    }
    let mut open = Vec::new();
    walk(&schema(), "", &mut open);
    assert!(open.is_empty(), "open objects: {open:?}");
}

#[test]
fn schema_rules_match_the_catalog() {
    let schema = schema();
    let props: Vec<&str> = schema["properties"]["rules"]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected: Vec<&str> = RULES.iter().map(|r| r.code).collect();
    expected.extend(RULES.iter().map(|r| r.name));
    assert_eq!(props, expected);
    let exemption_rules: Vec<&str> =
        schema["$defs"]["exemption"]["properties"]["rule"]["else"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
    assert_eq!(exemption_rules.first(), Some(&"*"));
    assert_eq!(&exemption_rules[1..], expected.as_slice());
}

#[test]
fn shipped_policies_satisfy_the_schema() {
    let validator = jsonschema::draft202012::new(&schema()).unwrap();
    for (name, value) in [
        (
            "default.json",
            serde_json::from_str(DEFAULT_POLICY_TEXT).unwrap(),
        ),
        (
            "strict.json",
            serde_json::from_str(STRICT_POLICY_TEXT).unwrap(),
        ),
        ("example-organisation.jsonc", example_value()),
    ] {
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
    }
}

#[test]
fn default_policy_loads_with_the_documented_defaults() {
    let text_loaded = Policy::parse(DEFAULT_POLICY_TEXT).expect("default.json parses as text");
    let p = Policy::default_policy();
    for policy in [&p, &text_loaded] {
        assert_eq!(policy.extends(), "none");
        let envs: Vec<&str> = policy
            .environments()
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        assert_eq!(envs, ["dev", "test", "stage", "prod"]);
        assert!(policy.is_production("prod"));
        assert!(policy.is_production("PRD"));
        assert!(!policy.is_production("stage"));
        assert_eq!(
            policy.required_tags(UAMI),
            ["owner", "environment", "workload"]
        );
        assert_eq!(
            policy.naming_pattern(UAMI).unwrap().describe(),
            "id-{workload}-{env}[-{region}][-{instance}]"
        );
        assert_eq!(policy.thresholds(), Thresholds::default());
        assert_eq!(policy.max_attached_workloads(), 5);
        assert_eq!(policy.max_role_assignment_scopes(), 8);
        assert_eq!(policy.replicated_system_assigned(), 3);
        assert_eq!(policy.levels().count(), 0, "rules keep their own defaults");
        assert_eq!(policy.level("MI101"), None);
        assert!(policy.exemptions().is_empty());
        assert!(policy.plugins().is_empty());
        assert_eq!(
            policy.widest_scope("b24988ac-6180-42a0-ab88-20f7382dd24c", Some("Contributor")),
            Some(ScopeLevel::ResourceGroup)
        );
        assert!(policy.regions().len() >= 60);
        assert_eq!(policy.region_of_token("WEU"), Some("westeurope"));
        assert_eq!(policy.region_of_token("eastus2"), Some("eastus2"));
        assert_eq!(policy.region_of_token("mars"), None);
    }
}

#[test]
fn strict_policy_loads() {
    let p = Policy::strict();
    assert_eq!(p.extends(), "default");
    // Every rule at least a warning.
    for rule in RULES {
        let (code, level) = (rule.code, p.level(rule.code));
        assert!(
            level.is_none() || matches!(level, Some(Level::Warning | Level::Error)),
            "{code}: {level:?}"
        );
    }
    for code in ["MI102", "MI103", "MI105", "MI404"] {
        assert_eq!(p.level(code), Some(Level::Error), "{code}");
    }
    for code in ["MI502", "MI602", "MI603"] {
        assert_eq!(p.level(code), Some(Level::Warning), "{code}");
    }
    assert_eq!(p.max_attached_workloads(), 3);
    assert_eq!(p.max_role_assignment_scopes(), 4);
    assert_eq!(p.replicated_system_assigned(), 2);
    // Inherited from default.
    assert_eq!(p.environments().len(), 4);
    assert!(p.naming_pattern(UAMI).is_some());
    assert_eq!(
        p.widest_scope("", Some("Key Vault Secrets User")),
        Some(ScopeLevel::Resource)
    );
    assert_eq!(
        p.widest_scope("", Some("key vault secrets user")),
        Some(ScopeLevel::Resource)
    );
    assert_eq!(
        p.widest_scope("", Some("Reader")),
        Some(ScopeLevel::ResourceGroup)
    );
    assert_eq!(
        Policy::builtin("strict").unwrap().max_attached_workloads(),
        3
    );
    assert_eq!(
        Policy::builtin("default").unwrap().max_attached_workloads(),
        5
    );
}

#[test]
fn example_policy_loads() {
    let p = Policy::parse(EXAMPLE_POLICY_TEXT).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.level("MI102"), Some(Level::Error));
    assert_eq!(p.level("MI602"), Some(Level::Warning));
    assert_eq!(p.level("unused-identity"), Some(Level::Warning));
    assert_eq!(p.level("MI502"), Some(Level::Off));
    assert_eq!(p.environment_of_token("sbx"), Some("sandbox"));
    assert_eq!(p.environment_of_token("p01"), Some("prod"));
    assert_eq!(
        p.environment_of_token("qa"),
        Some("test"),
        "default environments kept"
    );
    assert_eq!(p.region_of_token("euw"), Some("westeurope"));
    assert_eq!(p.region_of_token("neu"), Some("northeurope"));
    assert!(
        p.naming_pattern("microsoft.keyvault/VAULTS")
            .unwrap()
            .matches("kv-pay-prod")
    );
    assert_eq!(
        p.naming_pattern("Microsoft.KeyVault/vaults")
            .unwrap()
            .describe(),
        "kv-<workload>-<env>"
    );
    assert!(p.required_tags(UAMI).iter().any(|t| t == "costCenter"));
    assert_eq!(
        p.widest_scope("43d0d8ad-25c7-4714-9337-8ba259a9fe05", None),
        Some(ScopeLevel::Subscription)
    );
    assert_eq!(p.max_attached_workloads(), 4);
    assert_eq!(p.replicated_system_assigned(), 3, "inherited");
    assert_eq!(p.exemptions().len(), 2);
    assert_eq!(p.exemptions()[1].rule, "MI101", "names resolve to codes");
    assert_eq!(p.plugins().len(), 1);
    assert_eq!(p.plugins()[0].config["allowedLocations"][0], "westeurope");
}

#[test]
fn docs_cover_every_field() {
    let docs = include_str!("../../../docs/policy.md");
    let schema = schema();
    let mut fields: Vec<String> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    for def in ["environment", "namingPattern", "exemption", "plugin"] {
        fields.extend(
            schema["$defs"][def]["properties"]
                .as_object()
                .unwrap()
                .keys()
                .cloned(),
        );
    }
    fields.extend(
        schema["properties"]["thresholds"]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned(),
    );
    let missing: Vec<&String> = fields
        .iter()
        .filter(|f| !docs.contains(&format!("`{f}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/policy.md does not mention {missing:?}"
    );
}

#[test]
fn built_ins_load_the_same_with_and_without_the_schema_pass() {
    // `Policy::builtin` skips the JSON Schema pass (the test above is what
    // keeps the shipped files valid); the result must be what the full,
    // validating load gives.
    for (name, text) in [
        ("default", DEFAULT_POLICY_TEXT),
        ("strict", STRICT_POLICY_TEXT),
    ] {
        let validated = Policy::from_value(&serde_json::from_str(text).unwrap()).unwrap();
        let builtin = Policy::builtin(name).unwrap();
        assert_eq!(format!("{builtin:?}"), format!("{validated:?}"), "{name}");
    }
}
