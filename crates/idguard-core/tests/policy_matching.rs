//! What a loaded policy answers: naming, environments, scopes, tags and
//! exemptions.

use idguard_core::model::ScopeLevel;
use idguard_core::policy::Policy;
use serde_json::json;

const UAMI: &str = "Microsoft.ManagedIdentity/userAssignedIdentities";

#[test]
fn default_naming_pattern_table() {
    let p = Policy::default_policy();
    let pattern = p.naming_pattern(UAMI).unwrap();
    // The resource type is matched case-insensitively.
    assert!(
        p.naming_pattern("microsoft.managedidentity/USERASSIGNEDIDENTITIES")
            .is_some()
    );
    assert!(p.naming_pattern("Microsoft.Web/sites").is_none());
    for (name, ok) in [
        ("id-payments-prod", true),
        ("id-payments-prod-weu-001", true),
        ("id-payments-prd", true),
        ("id-payments-dev", true),
        ("id-payments-qa", true),
        ("id-payments-uat-westeurope", true),
        ("id-order-api-stage-eus2-01", true),
        ("id-payments-live-001", true),
        ("payments-identity", false),
        ("ID-Payments-Prod", false),
        ("id-payments", false),
        ("id-payments-prod-", false),
        ("id-payments-prod-weu-1", false),
        ("id-payments-prod-weu-0001", false),
        ("id-payments-prod-atlantis", false),
        ("id_payments_prod", false),
        ("", false),
    ] {
        assert_eq!(pattern.matches(name), ok, "{name}");
    }
}

#[test]
fn environment_tokens_and_aliases() {
    let p = Policy::default_policy();
    for (token, env) in [
        ("dev", Some("dev")),
        ("Development", Some("dev")),
        ("DV", Some("dev")),
        ("tst", Some("test")),
        ("QA", Some("test")),
        ("stg", Some("stage")),
        ("staging", Some("stage")),
        ("preprod", Some("stage")),
        ("UAT", Some("stage")),
        ("prd", Some("prod")),
        ("Production", Some("prod")),
        ("live", Some("prod")),
        (" prod ", Some("prod")),
        ("prod-weu", None),
        ("sandbox", None),
        ("", None),
    ] {
        assert_eq!(p.environment_of_token(token), env, "{token:?}");
    }
}

#[test]
fn environment_in_names() {
    let p = Policy::default_policy();
    for (name, env) in [
        ("id-payments-prod", Some("prod")),
        ("id-payments-prd-weu-001", Some("prod")),
        ("st_payments_dev", Some("dev")),
        ("payments.uat.contoso", Some("stage")),
        ("rg/payments/test", Some("test")),
        ("Payments Prod", Some("prod")),
        ("paymentsProd", Some("prod")),
        ("kvPaymentsQA", Some("test")),
        ("id-payments-prod01", Some("prod")),
        ("id-payments-prod-production", Some("prod")),
        ("id-payments", None),
        ("id-payments-dev-to-prod", None),
        ("id-productivity-app", None),
        ("id-devops-agent", None),
        ("", None),
    ] {
        assert_eq!(p.environment_in_name(name), env, "{name:?}");
    }
}

#[test]
fn widest_scope_lookup_order() {
    let p = Policy::from_value(&json!({
        "scopes": {
            "*": "subscription",
            "Reader": "managementGroup",
            "acdd72a7-3385-48ef-bd42-f606fba81ae7": "tenant",
            "Key Vault Secrets User": "resource"
        }
    }))
    .unwrap();
    // GUID first, then name, then "*".
    assert_eq!(
        p.widest_scope("acdd72a7-3385-48ef-bd42-f606fba81ae7", Some("Reader")),
        Some(ScopeLevel::Tenant)
    );
    assert_eq!(
        p.widest_scope("/providers/Microsoft.Authorization/roleDefinitions/ACDD72A7-3385-48EF-BD42-F606FBA81AE7", None),
        Some(ScopeLevel::Tenant)
    );
    assert_eq!(
        p.widest_scope("00000000-0000-0000-0000-000000000000", Some("reader")),
        Some(ScopeLevel::ManagementGroup)
    );
    assert_eq!(
        p.widest_scope(
            "4633458b-17de-408a-b874-0445c86b69e6",
            Some("Key Vault Secrets User")
        ),
        Some(ScopeLevel::Resource)
    );
    assert_eq!(p.widest_scope("", None), Some(ScopeLevel::Subscription));
    let none = Policy::from_value(&json!({"extends": "none"})).unwrap();
    assert_eq!(none.widest_scope("", Some("Reader")), None);
}

#[test]
fn required_tags_fallback() {
    let p =
        Policy::from_value(&json!({"requiredTags": {"*": ["owner"], "Microsoft.Web/sites": []}}))
            .unwrap();
    assert_eq!(p.required_tags(UAMI), ["owner", "environment", "workload"]);
    assert_eq!(p.required_tags("microsoft.web/SITES"), [] as [String; 0]);
    assert_eq!(
        p.required_tags("Microsoft.Storage/storageAccounts"),
        ["owner"]
    );
}

fn exemption_policy() -> Policy {
    Policy::from_value(&json!({
        "exemptions": [
            {"rule": "MI201", "resource": "legacy-*", "reason": "old names", "expires": "2025-06-30"},
            {"rule": "identity-required-tags", "resource": "id-?-prod", "reason": "tags come later"},
            {"rule": "*", "resource": "*", "file": "vendor/*", "reason": "third-party templates"},
            {"rule": "MI201", "resource": "legacy-payments", "reason": "renewed", "expires": "2026-12-31"},
            {"rule": "MI101", "resource": "id-bootstrap", "file": "bootstrap.json", "reason": "bootstraps subscriptions"}
        ]
    }))
    .unwrap()
}

#[test]
fn exemptions_match_by_rule_resource_and_file() {
    let p = exemption_policy();
    assert_eq!(p.exemptions().len(), 5);
    assert_eq!(
        p.exemptions()[1].rule,
        "MI202",
        "rule names resolve to codes"
    );
    assert_eq!(p.exemptions()[2].pointer, "/exemptions/2");

    let m = p
        .exemption_for("MI201", "Legacy-Orders", "main.json", None)
        .unwrap();
    assert_eq!(
        (m.index, m.expired, m.reason.as_str()),
        (0, false, "old names")
    );
    assert!(
        p.exemption_for("MI202", "legacy-orders", "main.json", None)
            .is_none()
    );

    // rule by name or code; `?` is one character
    assert_eq!(
        p.exemption_for("MI202", "id-a-prod", "main.json", None)
            .unwrap()
            .index,
        1
    );
    assert_eq!(
        p.exemption_for("identity-required-tags", "id-a-prod", "x.json", None)
            .unwrap()
            .index,
        1
    );
    assert!(
        p.exemption_for("MI202", "id-ab-prod", "main.json", None)
            .is_none()
    );

    // file globs: "*" rule, any resource, only under vendor/
    assert_eq!(
        p.exemption_for("MI404", "anything", "vendor/x/main.json", None)
            .unwrap()
            .index,
        2
    );
    assert_eq!(
        p.exemption_for("MI404", "anything", "./vendor/main.json", None)
            .unwrap()
            .index,
        2
    );
    assert!(
        p.exemption_for("MI404", "anything", "infra/main.json", None)
            .is_none()
    );
    assert!(
        p.exemption_for("MI404", "anything", "", None).is_none(),
        "unknown file never matches a file glob"
    );
    // a glob without '/' matches the file name in any directory
    assert_eq!(
        p.exemption_for("MI101", "id-bootstrap", "platform/bootstrap.json", None)
            .unwrap()
            .index,
        4
    );
    assert!(
        p.exemption_for("MI101", "id-bootstrap", "platform/main.json", None)
            .is_none()
    );
}

#[test]
fn exemption_expiry() {
    let p = exemption_policy();
    // Until and including the expiry day it applies.
    let m = p
        .exemption_for("MI201", "legacy-orders", "main.json", Some("2025-06-30"))
        .unwrap();
    assert!(!m.expired);
    // The day after, it is expired (and reported as such).
    let m = p
        .exemption_for("MI201", "legacy-orders", "main.json", Some("2025-07-01"))
        .unwrap();
    assert!(m.expired);
    assert_eq!(m.expires.as_deref(), Some("2025-06-30"));
    assert_eq!(m.pointer, "/exemptions/0");
    // A current exemption wins over an expired one that comes first.
    let m = p
        .exemption_for("MI201", "legacy-payments", "main.json", Some("2025-07-01"))
        .unwrap();
    assert_eq!((m.index, m.expired), (3, false));
    // Without a date nothing expires; a malformed date is ignored.
    assert!(
        !p.exemption_for("MI201", "legacy-orders", "", None)
            .unwrap()
            .expired
    );
    assert!(
        !p.exemption_for("MI201", "legacy-orders", "", Some("soon"))
            .unwrap()
            .expired
    );
    let expired: Vec<usize> = p
        .expired_exemptions(Some("2027-01-01"))
        .iter()
        .map(|e| e.index)
        .collect();
    assert_eq!(expired, [0, 3]);
    assert!(p.expired_exemptions(None).is_empty());
}

#[test]
fn plugins_are_stored() {
    let p = Policy::from_value(&json!({"plugins": [{"path": "rules.wasm", "config": {"max": 3}}]}))
        .unwrap();
    assert_eq!(p.plugins().len(), 1);
    assert_eq!(p.plugins()[0].path, "rules.wasm");
    assert_eq!(p.plugins()[0].config, json!({"max": 3}));
    let err =
        Policy::from_value(&json!({"plugins": [{"config": {}}, {"path": ""}, {"path": "  "}]}))
            .unwrap_err();
    let got: Vec<(&str, &str)> = err
        .problems
        .iter()
        .map(|p| (p.pointer.as_str(), p.message.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("/plugins/0", "missing required property 'path'"),
            ("/plugins/1/path", "must not be empty"),
            ("/plugins/2/path", "the path must not be blank")
        ]
    );
}

#[test]
fn plugin_names_come_from_the_entry_or_the_file() {
    let p = Policy::from_value(&json!({"plugins": [
        {"path": "./p/Cost_Center.wasm"},
        {"path": "b.wasm", "name": "mine"},
        {"path": "__.wasm"}
    ]}))
    .unwrap();
    let names: Vec<String> = p.plugins().iter().map(|s| s.effective_name()).collect();
    assert_eq!(names, ["cost-center", "mine", "plugin"]);
}

fn plugin_policy() -> Policy {
    Policy::from_value(&json!({
        "plugins": [{"path": "cost.wasm", "name": "cost"}, {"path": "prod-scope.wasm"}],
        "rules": {
            "cost/CC001": "off",
            "cost/invalid-cost-center": "info",
            "prod-scope/*": "warning"
        },
        "exemptions": [
            {"rule": "cost/*", "resource": "id-legacy", "reason": "migrating"},
            {"rule": "prod-scope/prod-identity-non-prod-scope", "resource": "id-a",
             "reason": "shared monitoring", "expires": "2026-01-31"}
        ]
    }))
    .unwrap()
}

#[test]
fn plugin_rule_levels_by_code_name_or_wildcard() {
    use idguard_core::finding::Level;
    let p = plugin_policy();
    assert_eq!(
        p.plugin_level("cost/CC001", "missing-cost-center"),
        Some(Level::Off)
    );
    assert_eq!(
        p.plugin_level("cost/cc001", "missing-cost-center"),
        Some(Level::Off),
        "codes compare case-insensitively"
    );
    assert_eq!(
        p.plugin_level("cost/CC002", "invalid-cost-center"),
        Some(Level::Info)
    );
    assert_eq!(p.plugin_level("cost/CC003", "other"), None);
    assert_eq!(
        p.plugin_level("prod-scope/PS001", "anything"),
        Some(Level::Warning)
    );
    assert_eq!(p.plugin_level("MI101", "no-broad-privileged-role"), None);
    assert_eq!(p.plugin_level("other/X1", "x"), None);
}

#[test]
fn plugin_rule_exemptions() {
    let p = plugin_policy();
    assert!(
        p.exemption_for("cost/CC002", "id-legacy", "", None)
            .is_some()
    );
    assert!(
        p.exemption_for("cost/CC002", "id-other", "", None)
            .is_none()
    );
    assert!(
        p.exemption_for("prod-scope/PS001", "id-legacy", "", None)
            .is_none(),
        "cost/* covers only the cost plugin"
    );
    let m = p
        .exemption_for(
            "prod-scope/prod-identity-non-prod-scope",
            "id-a",
            "",
            Some("2026-02-01"),
        )
        .unwrap();
    assert!(m.expired);
}
