//! The template layer on small templates, one feature each: resource forms,
//! child resources, legacy extension types, copy loops, conditions, nested
//! deployments (inner and outer scope, other subscriptions and management
//! groups), linked templates, templates held in variables, and parameter
//! files (values and Key Vault references).

use std::rc::Rc;

use idguard_core::expr::{TargetScope, Val};
use idguard_core::model::ScopeLevel;
use idguard_core::source::Document;
use idguard_core::template::ids::parse_resource_id;
use idguard_core::template::{Evaluation, Files, evaluate};

fn files_of(template: &str, params: Option<&str>) -> (Files, usize, Option<usize>) {
    let mut files = Files::default();
    let t = files.push(
        "main.json".into(),
        Rc::from(template),
        Rc::new(Document::parse(template).expect("template parses")),
    );
    let p = params.map(|p| {
        files.push(
            "main.parameters.json".into(),
            Rc::from(p),
            Rc::new(Document::parse(p).expect("parameters parse")),
        )
    });
    files.add_template_views(t);
    (files, t, p)
}

fn eval(template: &str) -> Evaluation {
    let (files, t, p) = files_of(template, None);
    evaluate(&files, t, p)
}

fn names_of(e: &Evaluation, ty: &str) -> Vec<String> {
    e.resources
        .iter()
        .filter(|r| r.is_type(ty))
        .map(|r| r.name.display())
        .collect()
}

fn level_of(v: &Val) -> Option<ScopeLevel> {
    parse_resource_id(v).map(|i| i.level)
}

#[test]
fn classic_and_symbolic_forms_give_the_same_resources() {
    let classic = r#"{
      "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "resources": [
        { "type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31", "name": "id-a-prod" }
      ]
    }"#;
    let symbolic = r#"{
      "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "languageVersion": "1.10-experimental",
      "resources": {
        "uami": { "type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31", "name": "id-a-prod" }
      }
    }"#;
    let a = eval(classic);
    let b = eval(symbolic);
    let ty = "Microsoft.ManagedIdentity/userAssignedIdentities";
    assert_eq!(names_of(&a, ty), vec!["id-a-prod"]);
    assert_eq!(names_of(&b, ty), vec!["id-a-prod"]);
    assert_eq!(a.resources[0].id, b.resources[0].id);
    assert_eq!(b.resources[0].symbolic_name.as_deref(), Some("uami"));
    assert_eq!(
        b.deployments[0].symbols.get("uami"),
        Some(&b.resources[0].id)
    );
}

#[test]
fn child_resources_are_flattened_and_legacy_extensions_get_a_scope() {
    let e = eval(
        r#"{
      "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "resources": [
        {
          "type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01", "name": "stdata",
          "resources": [
            { "type": "blobServices", "apiVersion": "2023-01-01", "name": "default",
              "resources": [ { "type": "containers", "apiVersion": "2023-01-01", "name": "raw" } ] }
          ]
        },
        {
          "type": "Microsoft.Storage/storageAccounts/providers/roleAssignments",
          "apiVersion": "2022-04-01",
          "name": "[concat('stdata', '/Microsoft.Authorization/', guid('x'))]",
          "properties": { "roleDefinitionId": "r", "principalId": "p" }
        }
      ]
    }"#,
    );
    assert_eq!(
        names_of(
            &e,
            "Microsoft.Storage/storageAccounts/blobServices/containers"
        ),
        vec!["stdata/default/raw"]
    );
    let ra = e
        .resources
        .iter()
        .find(|r| r.is_type("Microsoft.Authorization/roleAssignments"))
        .expect("legacy role assignment normalised");
    let scope = ra.scope.as_ref().expect("scope from the parent");
    let info = parse_resource_id(scope).unwrap();
    assert_eq!(info.level, ScopeLevel::Resource);
    assert_eq!(
        info.resource_type.as_deref(),
        Some("Microsoft.Storage/storageAccounts")
    );
    assert_eq!(info.names, vec![Val::str("stdata")]);
}

#[test]
fn copy_loops_expand_and_false_conditions_are_skipped() {
    let e = eval(
        r#"{
      "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "parameters": {
        "apps": { "type": "array", "defaultValue": ["a", "b", "c"] },
        "count": { "type": "int" },
        "deployExtra": { "type": "bool", "defaultValue": false }
      },
      "resources": [
        { "type": "Microsoft.Web/sites", "apiVersion": "2022-09-01",
          "name": "[concat('app-', parameters('apps')[copyIndex()])]",
          "copy": { "name": "sites", "count": "[length(parameters('apps'))]" } },
        { "type": "Microsoft.Web/sites", "apiVersion": "2022-09-01",
          "name": "[concat('unknown-', copyIndex())]",
          "copy": { "name": "more", "count": "[parameters('count')]" } },
        { "condition": "[parameters('deployExtra')]",
          "type": "Microsoft.Web/sites", "apiVersion": "2022-09-01", "name": "extra" }
      ]
    }"#,
    );
    let names = names_of(&e, "Microsoft.Web/sites");
    assert_eq!(&names[..3], &["app-a", "app-b", "app-c"]);
    // An unknown count gives one symbolic instance, never a guess.
    assert_eq!(names.len(), 4);
    assert!(e.resources[3].copy.as_ref().unwrap().index.is_none());
    assert_eq!(e.skipped.len(), 1);
    assert!(e.skipped[0].message.contains("condition"));
}

#[test]
fn nested_deployments_change_scope_and_pass_parameters() {
    let e = eval(
        r#"{
      "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "parameters": { "principal": { "type": "string", "defaultValue": "11111111-1111-1111-1111-111111111111" } },
      "variables": { "outerName": "from-outer" },
      "resources": [
        {
          "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "sub-level",
          "subscriptionId": "[subscription().subscriptionId]", "location": "westeurope",
          "properties": {
            "mode": "Incremental",
            "expressionEvaluationOptions": { "scope": "inner" },
            "parameters": { "principalId": { "value": "[parameters('principal')]" } },
            "template": {
              "$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
              "parameters": { "principalId": { "type": "string" } },
              "resources": [
                { "type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01",
                  "name": "[guid(subscription().id, parameters('principalId'))]",
                  "properties": { "roleDefinitionId": "x", "principalId": "[parameters('principalId')]" } }
              ]
            }
          }
        },
        {
          "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "other-rg",
          "resourceGroup": "rg-shared",
          "properties": {
            "mode": "Incremental",
            "template": {
              "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
              "resources": [
                { "type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31",
                  "name": "[variables('outerName')]" }
              ]
            }
          }
        }
      ]
    }"#,
    );
    assert_eq!(e.deployments.len(), 3);
    assert_eq!(e.deployments[1].context.scope, TargetScope::Subscription);
    assert_eq!(
        level_of(&e.deployments[1].scope_id),
        Some(ScopeLevel::Subscription)
    );
    let ra = e
        .resources
        .iter()
        .find(|r| r.is_type("Microsoft.Authorization/roleAssignments"))
        .unwrap();
    // Inner scope: the parameter passed in, evaluated in the parent.
    assert_eq!(
        ra.get(&["properties", "principalId"]),
        Some(&Val::str("11111111-1111-1111-1111-111111111111"))
    );
    // Outer scope (the default): the parent's variables, the deployment's
    // own resource group.
    let id = e
        .resources
        .iter()
        .find(|r| r.is_type("Microsoft.ManagedIdentity/userAssignedIdentities"))
        .unwrap();
    assert_eq!(id.name, Val::str("from-outer"));
    let info = parse_resource_id(&id.id).unwrap();
    assert_eq!(info.resource_group, Some(Val::str("rg-shared")));
}

#[test]
fn management_group_and_tenant_templates_have_wide_scopes() {
    let mg = eval(
        r#"{
      "$schema": "https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#",
      "resources": [ { "type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01", "name": "x", "properties": {} } ]
    }"#,
    );
    assert_eq!(
        level_of(&mg.deployments[0].scope_id),
        Some(ScopeLevel::ManagementGroup)
    );
    let tenant = eval(
        r#"{
      "$schema": "https://schema.management.azure.com/schemas/2019-08-01/tenantDeploymentTemplate.json#",
      "resources": []
    }"#,
    );
    assert_eq!(
        level_of(&tenant.deployments[0].scope_id),
        Some(ScopeLevel::Tenant)
    );
}

#[test]
fn parameter_files_supply_values_and_key_vault_references_stay_unknown() {
    let template = r#"{
      "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "parameters": {
        "name": { "type": "string", "defaultValue": "id-default" },
        "secret": { "type": "securestring" }
      },
      "resources": [
        { "type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31", "name": "[parameters('name')]" }
      ]
    }"#;
    let params = r#"{
      "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
      "parameters": {
        "name": { "value": "id-api-prod" },
        "secret": { "reference": { "keyVault": { "id": "/subscriptions/x/resourceGroups/y/providers/Microsoft.KeyVault/vaults/kv" }, "secretName": "s" } }
      }
    }"#;
    let (files, t, p) = files_of(template, Some(params));
    let e = evaluate(&files, t, p);
    assert_eq!(e.resources[0].name, Val::str("id-api-prod"));
    let secret = e.deployments[0]
        .parameters
        .iter()
        .find(|p| &*p.name == "secret")
        .unwrap();
    assert!(secret.value.is_unknown());
    assert!(secret.is_secure());
    assert!(secret.from_file.is_some());
    // Never read out: the unknown says where it comes from, not what it is.
    assert!(secret.value.display().contains("Key Vault"));
}

#[test]
fn linked_templates_are_followed_when_at_hand() {
    let template = r#"{
      "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "resources": [
        { "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "identity",
          "properties": { "mode": "Incremental", "templateLink": { "relativePath": "modules/identity.json" },
                          "parameters": { "name": { "value": "id-linked-prod" } } } }
      ]
    }"#;
    let linked = r#"{
      "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "parameters": { "name": { "type": "string" } },
      "resources": [ { "type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31", "name": "[parameters('name')]" } ]
    }"#;
    let source = idguard_core::api::SourceFile {
        path: "infra/main.json".into(),
        text: template.into(),
    };
    let policy = idguard_core::policy::Policy::default_policy();
    let options = idguard_core::api::CheckOptions {
        policy: &policy,
        today: None,
    };
    let resolve = |p: &str| (p == "modules/identity.json").then(|| linked.to_string());
    let result = idguard_core::api::check_template(&source, &[], &resolve, &options);
    // The linked identity is checked (MI202: no tags), and reported in the
    // linked file under the template's directory.
    let f = result
        .findings
        .iter()
        .find(|f| f.code == "MI202")
        .expect("the linked template's identity is checked");
    assert_eq!(f.file, "infra/modules/identity.json");
    assert!(f.message.contains("id-linked-prod"));
    // Without the file, a note says what was not checked.
    let none = |_: &str| None;
    let result = idguard_core::api::check_template(&source, &[], &none, &options);
    assert!(result.findings.iter().all(|f| f.code != "MI202"));
}

#[test]
fn templates_held_in_variables_are_unescaped_and_evaluated() {
    let e = eval(
        r#"{
      "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "variables": {
        "$fxv#0": {
          "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
          "parameters": { "name": { "type": "string" } },
          "resources": [ { "type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31", "name": "[[parameters('name')]" } ]
        }
      },
      "resources": [
        { "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "mod",
          "properties": { "mode": "Incremental", "expressionEvaluationOptions": { "scope": "inner" },
                          "parameters": { "name": { "value": "id-from-variable" } },
                          "template": "[variables('$fxv#0')]" } }
      ]
    }"#,
    );
    assert_eq!(
        names_of(&e, "Microsoft.ManagedIdentity/userAssignedIdentities"),
        vec!["id-from-variable"]
    );
}

#[test]
fn variable_copy_loops_are_expanded_like_property_copy_loops() {
    let e = eval(
        r#"{
      "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "parameters": { "n": { "type": "int" } },
      "variables": {
        "copy": [
          { "name": "ids", "count": 3, "input": "[concat('id-web-', copyIndex('ids'))]" },
          { "name": "later", "count": "[parameters('n')]", "input": "x" },
          { "name": "negative", "count": -1, "input": "x" }
        ]
      },
      "resources": [
        { "type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31",
          "name": "[variables('ids')[2]]" },
        { "type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31",
          "name": "[concat('id-', length(variables('later')))]" },
        { "type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31",
          "name": "[concat('id-', length(variables('negative')))]" }
      ]
    }"#,
    );
    let names = names_of(&e, "Microsoft.ManagedIdentity/userAssignedIdentities");
    assert_eq!(names[0], "id-web-2");
    // A count not known before deployment, or a negative one, leaves the
    // variable unknown: never an empty array that would look like a fact.
    let identities: Vec<&Val> = e
        .resources
        .iter()
        .filter(|r| r.is_type("Microsoft.ManagedIdentity/userAssignedIdentities"))
        .map(|r| &r.name)
        .collect();
    for (name, why) in identities[1..].iter().zip(["not known", "negative"]) {
        assert!(!name.is_fully_known(), "{}: {why}", name.display());
        assert_ne!(name.display(), "id-0");
    }
}
