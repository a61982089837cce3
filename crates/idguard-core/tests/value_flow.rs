//! Judging values by where they come from and where they go, in Bicep:
//! a `.bicepparam` value is not a literal of the template (MI404), a
//! secure parameter that only names a secret holds none and a plain one
//! that feeds a secret does (MI501), AKS kubelet and add-on identities
//! have client IDs too (MI401), and a managed identity's principal ID
//! passed to a module without a principal type is caught at the call
//! (MI402).

use std::collections::HashMap;

use idguard_core::api::{CheckOptions, SourceFile, TemplateResult, check_template};
use idguard_core::policy::Policy;

fn file(path: &str, text: &str) -> SourceFile {
    SourceFile {
        path: path.to_string(),
        text: text.to_string(),
    }
}

fn check(template: &SourceFile, params: &[SourceFile], files: &[(&str, &str)]) -> TemplateResult {
    let policy = Policy::default_policy();
    let options = CheckOptions {
        policy: &policy,
        today: None,
    };
    let files: HashMap<&str, &str> = files.iter().copied().collect();
    let resolve = |p: &str| -> Option<String> { files.get(p).map(|t| t.to_string()) };
    let r = check_template(template, params, &resolve, &options);
    assert!(r.files.iter().all(|f| f.error.is_none()), "{:?}", r.files);
    r
}

/// (file, line, message) of the findings of `code`.
fn of(r: &TemplateResult, code: &str) -> Vec<(String, u32, String)> {
    let mut v: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.code == code)
        .map(|f| (f.file.clone(), f.range.start.line, f.message.clone()))
        .collect();
    v.sort();
    v
}

const ROLE_ON_PARAMETER: &str = "param clusterObjectId string
var networkOperator = '00000000-0000-0000-0000-000000000000'

resource ra 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, clusterObjectId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4d97b98b-1d4f-4787-a291-c67834d212e7')
    principalId: clusterObjectId
    principalType: 'ServicePrincipal'
  }
}

output role string = networkOperator
";

#[test]
fn a_bicepparam_value_is_not_a_literal_of_the_template() {
    let main = file("infra/main.bicep", ROLE_ON_PARAMETER);
    let dev = file(
        "infra/main.dev.bicepparam",
        "using './main.bicep'\nparam clusterObjectId = '00000000-0000-0000-0000-000000000000'\n",
    );
    let r = check(&main, &[dev], &[]);
    assert_eq!(of(&r, "MI404"), vec![], "{:?}", r.findings);
    // Written in the template, through a variable: still caught.
    let literal = file(
        "infra/main.bicep",
        &ROLE_ON_PARAMETER
            .replace("param clusterObjectId string\n", "")
            .replace("clusterObjectId", "networkOperator"),
    );
    let r = check(&literal, &[], &[]);
    assert_eq!(of(&r, "MI404").len(), 1, "{:?}", r.findings);
    assert_eq!(of(&r, "MI404")[0].1, 7);
}

#[test]
fn a_secure_parameter_that_names_a_secret_holds_none() {
    let main = file(
        "main.bicep",
        "param vaultName string = 'kv-payments'
@secure()
param secretName string = 'bankAccountPassword'
@secure()
param secretValue string

resource kv 'Microsoft.KeyVault/vaults@2023-02-01' existing = {
  name: vaultName
}

resource secret 'Microsoft.KeyVault/vaults/secrets@2023-02-01' = {
  parent: kv
  name: secretName
  properties: {
    value: secretValue
  }
}
",
    );
    let r = check(&main, &[], &[]);
    assert_eq!(of(&r, "MI501"), vec![], "{:?}", r.findings);
    // The same default, now the secret's value: the secret is in the template.
    let leaked = file(
        "main.bicep",
        &main
            .text
            .replace("name: secretName", "name: 'bank'")
            .replace("value: secretValue", "value: secretName"),
    );
    let r = check(&leaked, &[], &[]);
    assert_eq!(of(&r, "MI501").len(), 1, "{:?}", r.findings);
}

#[test]
fn a_plain_parameter_that_feeds_a_secret_is_one_whatever_its_name() {
    let main = file(
        "main.bicep",
        "param spCredential string
param spAppId string

resource aks 'Microsoft.ContainerService/managedClusters@2023-05-01' = {
  name: 'aks-orders'
  location: 'westeurope'
  properties: {
    dnsPrefix: 'orders'
    servicePrincipalProfile: {
      clientId: spAppId
      secret: spCredential
    }
  }
}
",
    );
    let r = check(&main, &[], &[]);
    let found = of(&r, "MI501");
    assert_eq!(found.len(), 1, "{:?}", r.findings);
    assert_eq!(found[0].1, 1);
    assert!(
        found[0].2.contains("servicePrincipalProfile.secret"),
        "{found:?}"
    );
    // Secure, it is what the rule asks for.
    let secure = file("main.bicep", &format!("@secure()\n{}", main.text));
    assert_eq!(of(&check(&secure, &[], &[]), "MI501"), vec![]);
}

#[test]
fn aks_kubelet_and_add_on_identities_have_client_ids_too() {
    let main = file(
        "main.bicep",
        "resource aks 'Microsoft.ContainerService/managedClusters@2023-05-01' = {
  name: 'aks-orders'
  location: 'westeurope'
  identity: { type: 'SystemAssigned' }
  properties: { dnsPrefix: 'orders' }
}

resource acr 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = {
  name: 'crorders'
}

resource pull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: acr
  name: guid(acr.id, aks.id, 'acrpull')
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '7f951dda-4ed3-4680-a7ca-43fe172d538d')
    principalId: aks.properties.identityProfile.kubeletidentity.clientId
    principalType: 'ServicePrincipal'
  }
}

resource policies 'Microsoft.KeyVault/vaults/accessPolicies@2023-02-01' = {
  name: 'kv-orders/add'
  properties: {
    accessPolicies: [
      {
        tenantId: tenant().tenantId
        objectId: aks.properties.addonProfiles.azureKeyvaultSecretsProvider.identity.clientId
        permissions: { secrets: [ 'get' ] }
      }
    ]
  }
}
",
    );
    let r = check(&main, &[], &[]);
    let found = of(&r, "MI401");
    assert_eq!(
        found.iter().map(|f| f.1).collect::<Vec<_>>(),
        vec![17, 28],
        "{found:?}"
    );
    assert!(
        found[0].2.contains("kubelet identity of 'aks-orders'"),
        "{found:?}"
    );
    assert!(
        found[1]
            .2
            .contains("'azureKeyvaultSecretsProvider' add-on identity"),
        "{found:?}"
    );
    // Each with a fix to the identity's objectId.
    let fixed: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.code == "MI401")
        .filter_map(|f| f.fix.as_ref())
        .flat_map(|f| f.edits.iter().map(|e| e.replacement.clone()))
        .collect();
    assert!(fixed.iter().all(|e| e.contains("objectId")), "{fixed:?}");
    // objectId in both places is right.
    let right = file("main.bicep", &main.text.replace(".clientId", ".objectId"));
    assert_eq!(of(&check(&right, &[], &[]), "MI401"), vec![]);
}

const ROLE_MODULE: &str = "param principalId string
@allowed([ 'User', 'Group', 'ServicePrincipal' ])
param principalType string = 'User'

resource ra 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, principalId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'acdd72a7-3385-48ef-bd42-f606fba81ae7')
    principalId: principalId
    principalType: principalType
  }
}
";

#[test]
fn a_managed_identity_passed_to_a_module_without_principal_type_is_caught_at_the_call() {
    let main = file(
        "main.bicep",
        "resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-orders'
  location: 'westeurope'
}

module reader 'role.bicep' = {
  name: 'reader'
  params: {
    principalId: uami.properties.principalId
  }
}
",
    );
    let r = check(&main, &[], &[("role.bicep", ROLE_MODULE)]);
    let found = of(&r, "MI402");
    assert_eq!(found.len(), 1, "{:?}", r.findings);
    assert_eq!((found[0].0.as_str(), found[0].1), ("main.bicep", 9));
    assert!(found[0].2.contains("'User'"), "{found:?}");
    let passed = file(
        "main.bicep",
        &main.text.replace(
            "principalId: uami.properties.principalId\n",
            "principalId: uami.properties.principalId\n    principalType: 'ServicePrincipal'\n",
        ),
    );
    let r = check(&passed, &[], &[("role.bicep", ROLE_MODULE)]);
    assert_eq!(of(&r, "MI402"), vec![], "{:?}", r.findings);
}
