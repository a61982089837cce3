//! The check API on Bicep: modules (local, JSON, registry, template specs,
//! cycles, absolute paths), `.bicepparam` evaluations, suppressions,
//! syntax errors, incomplete resources, positions and the explicit
//! language option.

use std::cell::RefCell;
use std::collections::HashMap;

use idguard_core::api::{
    CheckOptions, Language, SourceFile, TemplateResult, check_template, check_template_as,
    pair_bicepparam_files,
};
use idguard_core::finding::SuppressionKind;
use idguard_core::policy::Policy;

fn file(path: &str, text: &str) -> SourceFile {
    SourceFile {
        path: path.to_string(),
        text: text.to_string(),
    }
}

fn check_with(
    template: &SourceFile,
    params: &[SourceFile],
    files: &HashMap<&str, &str>,
    asked: &RefCell<Vec<String>>,
) -> TemplateResult {
    let policy = Policy::default_policy();
    let options = CheckOptions {
        policy: &policy,
        today: None,
    };
    let resolve = |p: &str| -> Option<String> {
        asked.borrow_mut().push(p.to_string());
        files.get(p).map(|t| t.to_string())
    };
    check_template(template, params, &resolve, &options)
}

fn check(template: &SourceFile, files: &HashMap<&str, &str>) -> TemplateResult {
    check_with(template, &[], files, &RefCell::new(Vec::new()))
}

fn codes_at(r: &TemplateResult, path: &str) -> Vec<(String, u32)> {
    let mut v: Vec<(String, u32)> = r
        .findings
        .iter()
        .filter(|f| f.file == path)
        .map(|f| (f.code.clone(), f.range.start.line))
        .collect();
    v.sort();
    v
}

const UAMI_MODULE: &str = "param name string
param tags object = {}

resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: 'westeurope'
  tags: tags
}

output principalId string = uami.properties.principalId
output clientId string = uami.properties.clientId
";

#[test]
fn a_local_module_is_checked_with_the_values_passed_at_its_own_lines() {
    let main = file(
        "infra/main.bicep",
        "module id './modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: 'id-orders-prod'
    tags: { owner: 'team' }
  }
}

resource ra 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, 'x')
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b24988ac-6180-42a0-ab88-20f7382dd24c')
    principalId: id.outputs.clientId
    principalType: 'ServicePrincipal'
  }
}
",
    );
    let files = HashMap::from([("modules/identity.bicep", UAMI_MODULE)]);
    let asked = RefCell::new(Vec::new());
    let r = check_with(&main, &[], &files, &asked);
    assert_eq!(asked.borrow().as_slice(), ["modules/identity.bicep"]);
    assert!(r.files[0].error.is_none(), "{:?}", r.files[0]);
    assert!(r.files[0].notes.is_empty(), "{:?}", r.files[0].notes);
    // The role assignment uses the module's client ID output (MI401) on the
    // main file's principalId line; the module's identity lacks tags
    // (MI202) on the module's own resource line, with the passed tags.
    let main_codes = codes_at(&r, "infra/main.bicep");
    assert!(
        main_codes.contains(&("MI401".to_string(), 13)),
        "{main_codes:?}"
    );
    let module_codes = codes_at(&r, "infra/modules/identity.bicep");
    assert!(
        module_codes.iter().any(|(c, l)| c == "MI202" && *l == 7),
        "{module_codes:?}"
    );
    let mi202 = r.findings.iter().find(|f| f.code == "MI202").unwrap();
    assert!(mi202.message.contains("'environment'") && !mi202.message.contains("'owner'"));
}

#[test]
fn a_json_module_is_read_too() {
    let main = file(
        "main.bicep",
        "module id 'id.json' = {
  name: 'id'
  params: {
    name: 'x'
  }
}
",
    );
    let json = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {"name": {"type": "string"}},
  "resources": [
    {"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31",
     "name": "[parameters('name')]", "location": "westeurope"}
  ]
}"#;
    let r = check(&main, &HashMap::from([("id.json", json)]));
    let codes = codes_at(&r, "id.json");
    assert!(
        codes.iter().any(|(c, l)| c == "MI202" && *l == 6),
        "{codes:?}"
    );
    assert!(codes.iter().any(|(c, _)| c == "MI201"), "{codes:?}");
}

#[test]
fn registry_modules_are_asked_by_reference_and_noted_when_absent() {
    let main = file(
        "main.bicep",
        "module kv 'br/public:avm/res/key-vault/vault:0.11.0' = {
  name: 'kv'
}
module other 'br:contoso.azurecr.io/bicep/id:1.0' = {
  name: 'other'
}
module spec 'ts:00000000-0000-0000-0000-000000000000/rg/spec:1.0' = {
  name: 'spec'
}
module abs '/etc/x.bicep' = {
  name: 'abs'
}
module missing './missing.bicep' = {
  name: 'missing'
}
",
    );
    let cached = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "contentVersion": "1.0.0.0",
      "resources": [{"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31", "name": "id-x", "location": "westeurope"}]}"#;
    let files = HashMap::from([("br:contoso.azurecr.io/bicep/id:1.0", cached)]);
    let asked = RefCell::new(Vec::new());
    let r = check_with(&main, &[], &files, &asked);
    let mut asked = asked.into_inner();
    asked.sort();
    assert_eq!(
        asked,
        [
            "br:contoso.azurecr.io/bicep/id:1.0",
            "br:mcr.microsoft.com/bicep/avm/res/key-vault/vault:0.11.0",
            "missing.bicep",
        ],
        "never an absolute path, never a template spec"
    );
    // The restored registry module was checked, in its own file entry.
    assert!(
        r.findings
            .iter()
            .any(|f| f.file == "br:contoso.azurecr.io/bicep/id:1.0" && f.code == "MI202")
    );
    let notes: Vec<(u32, &str)> = r.files[0]
        .notes
        .iter()
        .map(|n| (n.line, n.message.as_str()))
        .collect();
    assert_eq!(notes.len(), 4, "{notes:?}");
    assert!(notes.iter().any(|(l, m)| *l == 1
        && m.contains("avm/res/key-vault/vault:0.11.0")
        && m.contains("bicep restore")));
    assert!(
        notes
            .iter()
            .any(|(l, m)| *l == 7 && m.contains("template spec"))
    );
    assert!(
        notes
            .iter()
            .any(|(l, m)| *l == 10 && m.contains("absolute"))
    );
    assert!(
        notes
            .iter()
            .any(|(l, m)| *l == 13 && m.contains("missing.bicep"))
    );
    // Notes are part of the report JSON.
    let json = serde_json::to_value(&r.files[0]).unwrap();
    assert_eq!(json["notes"].as_array().map(Vec::len), Some(4));
}

#[test]
fn a_module_cycle_is_an_error_naming_it() {
    let main = file(
        "infra/main.bicep",
        "module a './a.bicep' = {\n  name: 'a'\n}\n",
    );
    let files = HashMap::from([
        ("a.bicep", "module b 'sub/b.bicep' = {\n  name: 'b'\n}\n"),
        ("sub/b.bicep", "module a '../a.bicep' = {\n  name: 'a'\n}\n"),
    ]);
    let r = check(&main, &files);
    let error = r.files[0].error.as_ref().expect("a cycle is a file error");
    assert!(
        error.message.contains("a.bicep -> sub/b.bicep -> a.bicep"),
        "{}",
        error.message
    );
    assert_eq!((error.line, error.column), (1, 10));
    assert!(r.findings.is_empty());

    // A template that names itself.
    let me = file("me.bicep", "module me './me.bicep' = {\n  name: 'me'\n}\n");
    let r = check(&me, &HashMap::from([("me.bicep", me.text.as_str())]));
    let error = r.files[0].error.as_ref().expect("a cycle");
    assert!(
        error.message.contains("me.bicep -> me.bicep"),
        "{}",
        error.message
    );

    // Two modules using one file is not a cycle.
    let diamond = file(
        "d.bicep",
        "module x './m.bicep' = {\n  name: 'x'\n}\nmodule y './m.bicep' = {\n  name: 'y'\n}\n",
    );
    let r = check(&diamond, &HashMap::from([("m.bicep", UAMI_MODULE)]));
    assert!(r.files[0].error.is_none());
}

#[test]
fn a_syntax_error_is_a_file_error_with_the_bcp_code_and_what_parsed_is_checked() {
    let main = file(
        "main.bicep",
        "resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-orders-prod-weu'
  location: 'westeurope'
  tags: { owner: 'a', environment: 'prod', workload: 'orders' }
}

resource ra 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '8e3af657-a8ff-443c-a75c-2fe8c4bcb635')
    principalId: uami.properties.principalId
",
    );
    let r = check(&main, &HashMap::new());
    let error = r.files[0].error.as_ref().expect("syntax error");
    assert!(error.message.starts_with("BCP018:"), "{}", error.message);
    assert_eq!(error.line, 12);
    // The role assignment did not fully parse: what is missing (principal
    // type, a deterministic name) is not reported; what is there is
    // (Owner, a role that can grant access: MI103).
    let codes: Vec<&str> = r.findings.iter().map(|f| f.code.as_str()).collect();
    assert!(codes.contains(&"MI103"), "{codes:?}");
    assert!(!codes.contains(&"MI402"), "{codes:?}");
    assert!(!codes.contains(&"MI403"), "{codes:?}");

    // The same, complete: both are reported.
    let complete = file("main.bicep", &format!("{}  }}\n}}\n", main.text));
    let r = check(&complete, &HashMap::new());
    assert!(r.files[0].error.is_none(), "{:?}", r.files[0].error);
    let codes: Vec<&str> = r.findings.iter().map(|f| f.code.as_str()).collect();
    assert!(
        codes.contains(&"MI402") && codes.contains(&"MI403"),
        "{codes:?}"
    );
}

#[test]
fn disable_next_line_suppresses_with_its_reason_and_ignores_bicep_codes() {
    let text = "resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-orders-prod-weu'
  location: 'westeurope'
  tags: { owner: 'a', environment: 'prod', workload: 'orders' }
}

resource ra 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, uami.id, 'b24988ac-6180-42a0-ab88-20f7382dd24c')
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b24988ac-6180-42a0-ab88-20f7382dd24c')
    #disable-next-line BCP081 MI402 // replicated before this runs
    principalId: uami.properties.principalId
  }
}
";
    let r = check(&file("main.bicep", text), &HashMap::new());
    let mi402 = r
        .findings
        .iter()
        .find(|f| f.code == "MI402")
        .expect("MI402");
    assert_eq!(mi402.range.start.line, 12);
    let s = mi402.suppression.as_ref().expect("suppressed");
    assert_eq!(s.kind, SuppressionKind::InSource);
    assert_eq!(s.justification, "replicated before this runs");
    // Bicep's own code alone suppresses nothing.
    let only_bcp = text.replace("BCP081 MI402 // replicated before this runs", "BCP081");
    let r = check(&file("main.bicep", &only_bcp), &HashMap::new());
    let mi402 = r
        .findings
        .iter()
        .find(|f| f.code == "MI402")
        .expect("MI402");
    assert!(mi402.suppression.is_none());
    // The rule name with idguard's prefix works too; the pragma is the reason.
    let by_name = text.replace(
        "BCP081 MI402 // replicated before this runs",
        "idguard-principal-type-service-principal",
    );
    let r = check(&file("main.bicep", &by_name), &HashMap::new());
    let mi402 = r
        .findings
        .iter()
        .find(|f| f.code == "MI402")
        .expect("MI402");
    assert_eq!(
        mi402.suppression.as_ref().map(|s| s.justification.as_str()),
        Some("#disable-next-line idguard-principal-type-service-principal")
    );
}

#[test]
fn bicepparam_files_are_evaluations_like_json_parameter_files() {
    let main = file(
        "infra/main.bicep",
        "param env string
param identityName string

resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: 'westeurope'
  tags: { owner: 'a', environment: env, workload: 'orders' }
}
",
    );
    let dev = file(
        "infra/main.dev.bicepparam",
        "using './main.bicep'\nparam env = 'dev'\nparam identityName = 'id-orders-shared'\n",
    );
    let prod = file(
        "infra/main.prod.bicepparam",
        "using './main.bicep'\nparam env = 'prod'\nparam identityName = 'id-orders-shared'\n",
    );
    let r = check_with(
        &main,
        &[dev.clone(), prod.clone()],
        &HashMap::new(),
        &RefCell::new(Vec::new()),
    );
    assert_eq!(r.files.len(), 3);
    assert!(r.files.iter().all(|f| f.error.is_none()), "{:?}", r.files);
    // One identity name across environments (MI302), from both files.
    let mi302: Vec<_> = r.findings.iter().filter(|f| f.code == "MI302").collect();
    assert!(!mi302.is_empty(), "{:?}", r.findings);
    // A finding from a parameter-file value points at the .bicepparam line
    // that set it.
    let named = r
        .findings
        .iter()
        .find(|f| {
            f.code == "MI201" && f.parameters_file.as_deref() == Some("infra/main.dev.bicepparam")
        })
        .expect("MI201 on the dev evaluation");
    let rel = named.related.first().expect("a related location");
    assert_eq!(rel.file, "infra/main.dev.bicepparam");
    assert_eq!(rel.range.start.line, 3);
    // Pairing by `using`.
    let pairs = pair_bicepparam_files(
        &["infra/main.bicep"],
        &[
            (dev.path.as_str(), dev.text.as_str()),
            (prod.path.as_str(), prod.text.as_str()),
        ],
    );
    assert_eq!(
        pairs[0].1,
        ["infra/main.dev.bicepparam", "infra/main.prod.bicepparam"]
    );
}

#[test]
fn positions_count_lines_as_bicep_does() {
    // Lone CR line ends (old Mac files): line 3 is the `name` line.
    let text = "resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {\r  location: 'westeurope'\r  name: 'x'\r}\r";
    let r = check(&file("main.bicep", text), &HashMap::new());
    let mi201 = r
        .findings
        .iter()
        .find(|f| f.code == "MI201")
        .expect("MI201");
    assert_eq!(mi201.range.start.line, 3);
    assert_eq!(mi201.range.start.column, 9);
    // With a BOM and CRLF.
    let text = "\u{feff}resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {\r\n  name: 'x'\r\n  location: 'westeurope'\r\n}\r\n";
    let r = check(&file("main.bicep", text), &HashMap::new());
    let mi202 = r
        .findings
        .iter()
        .find(|f| f.code == "MI202")
        .expect("MI202");
    assert_eq!((mi202.range.start.line, mi202.range.start.column), (1, 15));
}

#[test]
fn the_language_can_be_named_explicitly() {
    let policy = Policy::default_policy();
    let options = CheckOptions {
        policy: &policy,
        today: None,
    };
    let pasted = file(
        "pasted",
        "resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {\n  name: 'x'\n  location: 'westeurope'\n}\n",
    );
    // By path, "pasted" is JSON: a parse error.
    let r = check_template(&pasted, &[], &|_| None, &options);
    assert!(r.files[0].error.is_some());
    let r = check_template_as(&pasted, Language::Bicep, &[], &|_| None, &options, None);
    assert!(r.files[0].error.is_none());
    assert!(r.findings.iter().any(|f| f.code == "MI202"));
}

#[test]
fn compile_time_imports_bring_their_values() {
    let main = file(
        "infra/main.bicep",
        "import { roles } from './shared/roles.bicep'
import * as shared from './shared/roles.bicep'

resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-orders-prod-weu'
  location: 'westeurope'
  tags: { owner: 'a', environment: 'prod', workload: 'orders' }
}

resource ra 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, uami.id, roles.owner)
  properties: {
    roleDefinitionId: shared.roleId(roles.owner)
    principalId: uami.properties.principalId
    principalType: 'ServicePrincipal'
  }
}
",
    );
    let shared = "@export()
var roles = {
  owner: ownerId
}
var ownerId = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635'

@export()
func roleId(id string) string => subscriptionResourceId('Microsoft.Authorization/roleDefinitions', id)
";
    let files = HashMap::from([("shared/roles.bicep", shared)]);
    let r = check(&main, &files);
    assert!(
        r.files[0].error.is_none() && r.files[0].notes.is_empty(),
        "{:?}",
        r.files[0]
    );
    // Owner, read through the imported map and function.
    let mi103 = r.findings.iter().find(|f| f.code == "MI103");
    assert!(
        mi103.is_some_and(|f| f.message.contains("Owner")),
        "{:?}",
        r.findings
    );
    // Not at hand: unknown, with a note.
    let r = check(&main, &HashMap::new());
    assert!(!r.findings.iter().any(|f| f.code == "MI103"));
    assert!(
        r.files[0]
            .notes
            .iter()
            .any(|n| n.message.contains("shared/roles.bicep") && n.line == 1),
        "{:?}",
        r.files[0].notes
    );
}
