//! Findings silenced in the template (`metadata.idguard.ignore`) or by a
//! policy exemption are kept, marked as suppressed, with the reason.

use idguard_core::api::{CheckOptions, SourceFile, check_template};
use idguard_core::finding::SuppressionKind;
use idguard_core::policy::Policy;

const TEMPLATE: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
  "resources": [
    {
      "type": "Microsoft.Authorization/roleAssignments",
      "apiVersion": "2022-04-01",
      "name": "[guid(subscription().id, 'deployer', 'owner')]",
      "metadata": { "idguard": { "ignore": ["no-broad-privileged-role"], "reason": "landing-zone bootstrap" } },
      "properties": {
        "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '8e3af657-a8ff-443c-a75c-2fe8c4bcb635')]",
        "principalId": "11111111-2222-3333-4444-555555555555"
      }
    },
    {
      "type": "Microsoft.Authorization/roleAssignments",
      "apiVersion": "2022-04-01",
      "name": "ops-owner",
      "properties": {
        "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b24988ac-6180-42a0-ab88-20f7382dd24c')]",
        "principalId": "66666666-7777-8888-9999-000000000000"
      }
    }
  ]
}"#;

fn check(policy: &Policy, today: &str) -> Vec<idguard_core::finding::Finding> {
    let source = SourceFile {
        path: "sub.json".into(),
        text: TEMPLATE.into(),
    };
    let options = CheckOptions {
        policy,
        today: Some(today.into()),
    };
    check_template(&source, &[], &|_| None, &options)
        .findings
        .into_iter()
        .filter(|f| f.code == "MI101")
        .collect()
}

#[test]
fn inline_and_policy_suppressions_keep_the_finding_with_its_reason() {
    let policy = Policy::parse(
        r#"{ "exemptions": [ { "rule": "MI101", "resource": "ops-owner", "reason": "break-glass", "expires": "2026-06-30" } ] }"#,
    )
    .unwrap();
    let found = check(&policy, "2026-01-01");
    assert_eq!(found.len(), 2, "{found:#?}");
    let inline = found.iter().find(|f| f.range.start.line == 10).unwrap();
    let s = inline
        .suppression
        .as_ref()
        .expect("suppressed in the template");
    assert_eq!(s.kind, SuppressionKind::InSource);
    assert_eq!(s.justification, "landing-zone bootstrap");
    let external = found.iter().find(|f| f.range.start.line == 19).unwrap();
    let s = external
        .suppression
        .as_ref()
        .expect("suppressed by the policy");
    assert_eq!(s.kind, SuppressionKind::External);
    assert_eq!(s.justification, "break-glass");

    // Once the exemption has expired, the finding counts again and says so.
    let found = check(&policy, "2026-07-01");
    let external = found.iter().find(|f| f.range.start.line == 19).unwrap();
    assert!(external.suppression.is_none());
    assert!(external.help.contains("expired on 2026-06-30"));
}
