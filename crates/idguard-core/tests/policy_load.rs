//! Loading policies: extends and merging, and every kind of invalid policy
//! reported with the right pointer, message and position, all at once.

use idguard_core::finding::Level;
use idguard_core::model::ScopeLevel;
use idguard_core::policy::{Policy, PolicyError, PolicyProblem};
use serde_json::json;

const UAMI: &str = "Microsoft.ManagedIdentity/userAssignedIdentities";

fn problems(value: serde_json::Value) -> Vec<(String, String)> {
    match Policy::from_value(&value) {
        Ok(_) => panic!("expected problems for {value}"),
        Err(PolicyError { problems }) => problems
            .into_iter()
            .map(|p| (p.pointer, p.message))
            .collect(),
    }
}

fn parse_err(text: &str) -> Vec<PolicyProblem> {
    match Policy::parse(text) {
        Ok(_) => panic!("expected problems for {text}"),
        Err(e) => e.problems,
    }
}

fn has(problems: &[(String, String)], pointer: &str, message: &str) -> bool {
    problems.iter().any(|(p, m)| p == pointer && m == message)
}

#[test]
fn an_empty_policy_is_the_default() {
    let p = Policy::from_value(&json!({})).unwrap();
    assert_eq!(p.extends(), "default");
    assert_eq!(p.environments().len(), 4);
    assert_eq!(p.required_tags(UAMI).len(), 3);
    assert_eq!(p.max_attached_workloads(), 5);
}

#[test]
fn extends_none_starts_empty() {
    let p = Policy::from_value(&json!({"extends": "none"})).unwrap();
    assert!(p.environments().is_empty());
    assert!(p.regions().is_empty());
    assert!(p.naming_pattern(UAMI).is_none());
    assert!(p.required_tags(UAMI).is_empty());
    assert_eq!(p.widest_scope("x", Some("Reader")), None);
    assert_eq!(p.environment_in_name("id-app-prod"), None);
    // Thresholds fall back to the documented defaults.
    assert_eq!(p.max_attached_workloads(), 5);
}

#[test]
fn extends_and_override_merge_key_by_key() {
    let p = Policy::from_value(&json!({
        "extends": "strict",
        "rules": {"narrow-role-scope": "warning", "MI201": "off"},
        "environments": {"sandbox": {"aliases": ["sbx"]}, "prod": {"aliases": ["prd"], "production": true}},
        "regions": {"westeurope": ["euw"]},
        "naming": {"microsoft.managedidentity/userassignedidentities": {"regex": "uami-[a-z]+"}},
        "requiredTags": {"*": ["owner"]},
        "scopes": {"key vault secrets user": "resourceGroup"},
        "thresholds": {"maxAttachedWorkloads": 10},
        "exemptions": [{"rule": "*", "resource": "x", "reason": "r"}],
        "plugins": [{"path": "a.wasm"}]
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    // rules: a name overrides the code set by strict; others inherited.
    assert_eq!(p.level("MI102"), Some(Level::Warning));
    assert_eq!(p.level("MI201"), Some(Level::Off));
    assert_eq!(p.level("MI103"), Some(Level::Error), "from strict");
    // environments: prod replaced whole (its other aliases are gone), others kept.
    assert_eq!(p.environment_of_token("production"), None);
    assert_eq!(p.environment_of_token("prd"), Some("prod"));
    assert_eq!(p.environment_of_token("sbx"), Some("sandbox"));
    assert_eq!(p.environment_of_token("uat"), Some("stage"));
    // regions: westeurope replaced (weu is gone), others kept.
    assert_eq!(p.region_of_token("euw"), Some("westeurope"));
    assert_eq!(p.region_of_token("weu"), None);
    assert_eq!(p.region_of_token("neu"), Some("northeurope"));
    // naming: the key matches case-insensitively, so the default is replaced.
    assert_eq!(p.naming_patterns().count(), 1);
    assert!(p.naming_pattern(UAMI).unwrap().matches("uami-abc"));
    assert!(!p.naming_pattern(UAMI).unwrap().matches("id-app-prod"));
    // requiredTags: the UAMI entry is inherited and still wins over "*".
    assert_eq!(p.required_tags(UAMI).len(), 3);
    assert_eq!(p.required_tags("Microsoft.Web/sites"), ["owner"]);
    // scopes: role names compare case-insensitively.
    assert_eq!(
        p.widest_scope("", Some("Key Vault Secrets User")),
        Some(ScopeLevel::ResourceGroup)
    );
    assert_eq!(
        p.widest_scope("", Some("AcrPull")),
        Some(ScopeLevel::Resource),
        "from strict"
    );
    // thresholds: per key.
    assert_eq!(p.max_attached_workloads(), 10);
    assert_eq!(p.max_role_assignment_scopes(), 4, "from strict");
    assert_eq!(p.exemptions().len(), 1);
    assert_eq!(p.exemptions()[0].pointer, "/exemptions/0");
    assert_eq!(p.plugins()[0].pointer, "/plugins/0");
    assert_eq!(p.plugins()[0].config, serde_json::Value::Null);
}

#[test]
fn environments_and_templates_follow_the_merged_policy() {
    let p =
        Policy::from_value(&json!({"environments": {"sandbox": {"aliases": ["sbx"]}}})).unwrap();
    let pattern = p.naming_pattern(UAMI).unwrap();
    assert!(
        pattern.matches("id-app-sbx"),
        "{{env}} includes added environments"
    );
    assert!(pattern.matches("id-app-prod"));
}

#[test]
fn bad_level() {
    let p = problems(json!({"rules": {"MI101": "fatal"}}));
    assert_eq!(
        p,
        [(
            "/rules/MI101".to_string(),
            "'fatal' is not one of off, info, warning, error".to_string()
        )]
    );
}

#[test]
fn unknown_rule_code_and_name() {
    let p = problems(json!({"rules": {"MI199": "off", "unused-identiy": "off", "MI101": "off"}}));
    assert!(has(&p, "/rules/MI199", "unknown rule 'MI199'"), "{p:?}");
    assert!(
        has(
            &p,
            "/rules/unused-identiy",
            "unknown rule 'unused-identiy'; did you mean 'unused-identity'?"
        ),
        "{p:?}"
    );
    assert_eq!(p.len(), 2, "{p:?}");
}

#[test]
fn code_and_name_of_one_rule() {
    let p = problems(json!({"rules": {"MI602": "off", "unused-identity": "info"}}));
    assert_eq!(
        p,
        [(
            "/rules/unused-identity".to_string(),
            "'unused-identity' sets the same rule as 'MI602'; keep one".to_string()
        )]
    );
}

#[test]
fn bad_regex() {
    let p = problems(json!({"naming": {UAMI: {"regex": "id-(["}}}));
    assert_eq!(p.len(), 1, "{p:?}");
    let (pointer, message) = &p[0];
    assert_eq!(
        pointer,
        "/naming/Microsoft.ManagedIdentity~1userAssignedIdentities/regex"
    );
    assert!(
        message.starts_with("invalid regular expression: "),
        "{message}"
    );
}

#[test]
fn unknown_placeholder() {
    let p = problems(json!({"naming": {UAMI: "id-{app}-{env}"}}));
    assert_eq!(
        p,
        [(
            "/naming/Microsoft.ManagedIdentity~1userAssignedIdentities".to_string(),
            "unknown placeholder '{app}'; use {workload}, {env}, {region}, {instance}".to_string()
        )]
    );
}

#[test]
fn bad_dates() {
    let p = problems(json!({"exemptions": [
        {"rule": "MI201", "resource": "a", "reason": "r", "expires": "2025-13-01"},
        {"rule": "MI201", "resource": "a", "reason": "r", "expires": "2025-02-30"},
        {"rule": "MI201", "resource": "a", "reason": "r", "expires": "next year"}
    ]}));
    assert!(
        has(
            &p,
            "/exemptions/0/expires",
            "'2025-13-01' is not a date in the form YYYY-MM-DD"
        ),
        "{p:?}"
    );
    assert!(
        has(
            &p,
            "/exemptions/1/expires",
            "'2025-02-30' is not a valid date (YYYY-MM-DD)"
        ),
        "{p:?}"
    );
    assert!(
        has(
            &p,
            "/exemptions/2/expires",
            "'next year' is not a date in the form YYYY-MM-DD"
        ),
        "{p:?}"
    );
    assert_eq!(p.len(), 3, "one problem each: {p:?}");
}

#[test]
fn missing_and_blank_reason() {
    let p = problems(json!({"exemptions": [
        {"rule": "MI201", "resource": "a"},
        {"rule": "MI201", "resource": "a", "reason": ""},
        {"rule": "MI201", "resource": "a", "reason": "   "}
    ]}));
    assert!(
        has(&p, "/exemptions/0", "missing required property 'reason'"),
        "{p:?}"
    );
    assert!(
        has(&p, "/exemptions/1/reason", "must not be empty"),
        "{p:?}"
    );
    assert!(
        has(&p, "/exemptions/2/reason", "the reason must not be blank"),
        "{p:?}"
    );
    assert_eq!(p.len(), 3, "{p:?}");
}

#[test]
fn wrong_types() {
    let p = problems(json!({
        "rules": [],
        "thresholds": {"maxAttachedWorkloads": "five", "replicatedSystemAssigned": 1},
        "environments": {"prod": {"production": "yes"}},
        "naming": {UAMI: 42},
        "exemptions": {}
    }));
    assert!(
        has(&p, "/rules", "expected an object, found an array"),
        "{p:?}"
    );
    assert!(
        has(
            &p,
            "/thresholds/maxAttachedWorkloads",
            "expected an integer, found a string ('five')"
        ),
        "{p:?}"
    );
    assert!(
        has(
            &p,
            "/thresholds/replicatedSystemAssigned",
            "1 is less than the minimum of 2"
        ),
        "{p:?}"
    );
    assert!(
        has(
            &p,
            "/environments/prod/production",
            "expected a boolean, found a string ('yes')"
        ),
        "{p:?}"
    );
    assert!(
        has(
            &p,
            "/naming/Microsoft.ManagedIdentity~1userAssignedIdentities",
            "expected a string or an object, found a number (42)"
        ),
        "{p:?}"
    );
    assert!(
        has(&p, "/exemptions", "expected an array, found an object"),
        "{p:?}"
    );
    assert_eq!(p.len(), 6, "{p:?}");
}

#[test]
fn unknown_properties_with_suggestions() {
    let p = problems(json!({
        "rule": {},
        "thresholds": {"maxAttachedWorkload": 3},
        "exemptions": [{"rule": "MI101", "resource": "a", "reason": "r", "expiry": "2025-01-01"}],
        "extends": "strictest"
    }));
    assert!(
        has(
            &p,
            "/rule",
            "unknown property 'rule'; did you mean 'rules'?"
        ),
        "{p:?}"
    );
    assert!(
        has(
            &p,
            "/thresholds/maxAttachedWorkload",
            "unknown property 'maxAttachedWorkload'; did you mean 'maxAttachedWorkloads'?"
        ),
        "{p:?}"
    );
    assert!(
        has(
            &p,
            "/exemptions/0/expiry",
            "unknown property 'expiry'; did you mean 'expires'?"
        ),
        "{p:?}"
    );
    assert!(
        has(
            &p,
            "/extends",
            "'strictest' is not one of default, strict, none"
        ),
        "{p:?}"
    );
}

#[test]
fn bad_names_and_conflicts() {
    let p = problems(json!({
        "environments": {"Prod": {}, "qa": {"aliases": ["x-y"]}, "sandbox": {"aliases": ["dv"]}},
        "regions": {"northeurope": ["weu"]},
        "naming": {"userAssignedIdentities": "id-{workload}"},
        "exemptions": [{"rule": "MI999", "resource": "a", "reason": "r"}, {"rule": "no-client-secrets", "resource": "a", "reason": "r"}]
    }));
    assert!(
        has(
            &p,
            "/environments/Prod",
            "environment name 'Prod' must be lowercase letters and digits, starting with a letter"
        ),
        "{p:?}"
    );
    assert!(
        has(
            &p,
            "/environments/qa",
            "'qa' is already a name or alias of environment 'test'"
        ),
        "{p:?}"
    );
    assert!(
        has(
            &p,
            "/environments/qa/aliases/0",
            "'x-y' must be lowercase letters and digits, starting with a letter"
        ),
        "{p:?}"
    );
    assert!(
        has(
            &p,
            "/environments/sandbox/aliases/0",
            "'dv' is already a name or alias of environment 'dev'"
        ),
        "{p:?}"
    );
    assert!(
        has(
            &p,
            "/regions/northeurope/0",
            "'weu' is already a name or short code of region 'westeurope'"
        ),
        "{p:?}"
    );
    assert!(
        has(
            &p,
            "/naming/userAssignedIdentities",
            "'userAssignedIdentities' is not an ARM resource type such as Microsoft.ManagedIdentity/userAssignedIdentities"
        ),
        "{p:?}"
    );
    assert!(
        has(
            &p,
            "/exemptions/0/rule",
            "'MI999' is not a rule code, a rule name or '*'"
        ),
        "{p:?}"
    );
    assert!(
        has(
            &p,
            "/exemptions/1/rule",
            "'no-client-secrets' is not a rule code, a rule name or '*'; did you mean 'no-client-secret'?"
        ),
        "{p:?}"
    );
    assert_eq!(p.len(), 8, "{p:?}");
}

#[test]
fn env_placeholder_without_environments() {
    let p = problems(json!({"extends": "none", "naming": {UAMI: "id-{workload}-{env}"}}));
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].1.contains("{env} needs environments"), "{p:?}");
}

#[test]
fn all_problems_at_once_with_positions() {
    let text = r#"{
  // a policy with five mistakes
  "rules": {
    "MI101": "fatal",
    "MI999": "off",
  },
  "naming": {
    "Microsoft.ManagedIdentity/userAssignedIdentities": "id-{app}",
  },
  "exemptions": [
    { "rule": "MI201", "resource": "legacy-*", "expires": "2025-02-30" },
  ],
}"#;
    let problems = parse_err(text);
    let got: Vec<(u32, u32, &str, &str)> = problems
        .iter()
        .map(|p| {
            (
                p.line.unwrap(),
                p.column.unwrap(),
                p.pointer.as_str(),
                p.message.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                4,
                14,
                "/rules/MI101",
                "'fatal' is not one of off, info, warning, error"
            ),
            (5, 5, "/rules/MI999", "unknown rule 'MI999'"),
            (
                8,
                57,
                "/naming/Microsoft.ManagedIdentity~1userAssignedIdentities",
                "unknown placeholder '{app}'; use {workload}, {env}, {region}, {instance}"
            ),
            (11, 5, "/exemptions/0", "missing required property 'reason'"),
            (
                11,
                59,
                "/exemptions/0/expires",
                "'2025-02-30' is not a valid date (YYYY-MM-DD)"
            ),
        ],
        "{problems:#?}"
    );
    let shown = PolicyError { problems }.to_string();
    assert!(
        shown.starts_with("invalid policy: 4:14: /rules/MI101: 'fatal'"),
        "{shown}"
    );
}

#[test]
fn syntax_error_has_a_position() {
    let problems = parse_err("{\n  \"rules\": {\n    \"MI101\" \"off\"\n  }\n}");
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].pointer, "");
    assert_eq!(problems[0].line, Some(3));
}

#[test]
fn comments_and_trailing_commas_are_fine() {
    let p =
        Policy::parse("// team policy\n{\n  /* levels */ \"rules\": { \"MI602\": \"off\", },\n}\n")
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.level("MI602"), Some(Level::Off));
}

#[test]
fn from_value_problems_have_no_position() {
    let err = Policy::from_value(&json!({"rules": {"MI101": "fatal"}})).unwrap_err();
    assert_eq!(err.problems[0].line, None);
    assert_eq!(err.problems[0].column, None);
    assert_eq!(
        err.to_string(),
        "invalid policy: /rules/MI101: 'fatal' is not one of off, info, warning, error"
    );
}

#[test]
fn not_an_object() {
    let p = problems(json!([1, 2]));
    assert_eq!(
        p,
        [(
            "".to_string(),
            "expected an object, found an array".to_string()
        )]
    );
}

#[test]
fn plugin_rules_must_name_a_plugin_of_the_policy() {
    let p = problems(json!({"rules": {"cost/CC001": "off"}}));
    assert!(
        has(
            &p,
            "/rules/cost~1CC001",
            "'cost/…' names a plugin rule, but the policy has no plugins"
        ),
        "{p:?}"
    );
    let p = problems(json!({
        "plugins": [{"path": "plugins/cost.wasm"}, {"path": "x.wasm", "name": "tags"}],
        "rules": {"costs/CC001": "off", "cost/CC002": "loud", "Cost/CC003": "off"},
        "exemptions": [{"rule": "cots/*", "resource": "*", "reason": "r"},
                       {"rule": "cost/", "resource": "*", "reason": "r"}]
    }));
    let expected = "'costs/…' names a plugin rule, but no plugin of the policy is called 'costs' (plugins: cost, tags)";
    assert!(has(&p, "/rules/costs~1CC001", expected), "{p:?}");
    assert!(
        p.iter()
            .any(|(ptr, m)| ptr == "/rules/cost~1CC002" && m.contains("loud")),
        "{p:?}"
    );
    // Plugin names are lower-case: the schema refuses `Cost/…`.
    assert!(
        p.iter().any(|(ptr, _)| ptr == "/rules/Cost~1CC003"),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|(ptr, m)| ptr == "/exemptions/0/rule" && m.contains("'cots/…'")),
        "{p:?}"
    );
    assert!(
        p.iter().any(|(ptr, _)| ptr == "/exemptions/1/rule"),
        "{p:?}"
    );
}

#[test]
fn plugin_rules_of_a_known_plugin_load() {
    let p = Policy::from_value(&json!({
        "plugins": [{"path": "plugins/cost.wasm"}],
        "rules": {"cost/CC001": "warning", "cost/*": "error"},
        "exemptions": [{"rule": "cost/invalid-cost-center", "resource": "id-*", "reason": "r"}]
    }))
    .unwrap();
    assert_eq!(p.plugin_level("cost/CC001", "x"), Some(Level::Warning));
    assert_eq!(p.plugin_level("cost/CC009", "x"), Some(Level::Error));
    // An exemption's typo among built-in rules still gets its suggestion.
    let p = problems(
        json!({"exemptions": [{"rule": "unused-identiy", "resource": "*", "reason": "r"}]}),
    );
    assert!(
        p.iter()
            .any(|(ptr, m)| ptr == "/exemptions/0/rule" && m.contains("unused-identity")),
        "{p:?}"
    );
}
