//! The small subcommands: `rules`, `explain`, `init`, `completions`.

use std::fmt::Write as _;
use std::path::Path;

use idguard_core::policy::Policy;
use idguard_core::rules::{RuleMeta, find, registry};

use crate::check::{Fatal, POLICY_FILE_NAME};
use crate::cli::RulesFormat;

/// `idguard rules`: a table, or JSON.
pub fn rules(format: RulesFormat) -> String {
    rules_of(registry(), format)
}

fn rules_of(rules: &[&RuleMeta], format: RulesFormat) -> String {
    match format {
        RulesFormat::Json => {
            let list: Vec<serde_json::Value> = rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "code": r.code,
                        "name": r.name,
                        "defaultLevel": r.default_level.as_str(),
                        "summary": r.summary,
                        "docUrl": r.doc_url(),
                    })
                })
                .collect();
            let mut s = serde_json::to_string_pretty(&list).unwrap_or_else(|_| "[]".to_string());
            s.push('\n');
            s
        }
        RulesFormat::Text => {
            let name_w = rules.iter().map(|r| r.name.len()).max().unwrap_or(4).max(4);
            let code_w = rules.iter().map(|r| r.code.len()).max().unwrap_or(4).max(4);
            let mut s = format!(
                "{:code_w$}  {:name_w$}  {:7}  SUMMARY\n",
                "CODE", "NAME", "LEVEL"
            );
            for r in rules {
                let _ = writeln!(
                    s,
                    "{:code_w$}  {:name_w$}  {:7}  {}",
                    r.code,
                    r.name,
                    r.default_level.as_str(),
                    r.summary
                );
            }
            if rules.is_empty() {
                s.push_str("(no rules are built in)\n");
            }
            s
        }
    }
}

/// `idguard explain CODE`: the rule's docs, or an error listing the codes.
pub fn explain(code: &str) -> Result<String, Fatal> {
    let Some(rule) = find(code) else {
        let codes: Vec<&str> = registry().iter().map(|r| r.code).collect();
        let known = if codes.is_empty() {
            "no rules are built in".to_string()
        } else {
            format!("known rules: {}", codes.join(", "))
        };
        return Err(Fatal(format!("error: unknown rule {code:?}; {known}")));
    };
    Ok(explain_rule(rule))
}

fn explain_rule(rule: &RuleMeta) -> String {
    let mut s = format!(
        "# {} {}\n\nDefault level: {}\n\n{}\n",
        rule.code,
        rule.name,
        rule.default_level.as_str(),
        rule.summary
    );
    let docs = crate::render::clean_docs(rule.docs);
    if !docs.is_empty() {
        s.push('\n');
        s.push_str(&docs);
        s.push('\n');
    }
    let _ = writeln!(s, "\nDocs: {}", rule.doc_url());
    s
}

/// The starter policy `idguard init` writes: everything inherited from the
/// built-in default, with commented examples of what teams usually change.
pub const STARTER_POLICY: &str = r#"// idguard policy: how managed identities should be designed in this repository.
// `idguard check` finds this file by looking upward from the checked path.
// Reference: https://github.com/idguard/idguard/blob/main/docs/policy.md
{
  "$schema": "https://raw.githubusercontent.com/idguard/idguard/main/policies/policy.schema.json",
  "description": "Managed-identity policy of this repository. Owner: <team>.",

  // Start from the built-in default ("default"), the stricter "strict", or
  // "none" (nothing configured). Every section below is merged over it.
  "extends": "default",

  // Rule levels by code or name: "off", "info", "warning" or "error".
  // `idguard rules` lists the rules; `idguard explain MI101` explains one.
  "rules": {
    // "MI602": "off",
    // "identity-naming": "error"
  },

  // Environments and the tokens that mean them in names, tags and
  // parameter file names. The default knows dev, test, stage and prod.
  "environments": {
    // "sandbox": { "aliases": ["sbx"] }
  },

  // Naming pattern per resource type. Placeholders: {workload}, {env},
  // {region}, {instance}; [...] is optional. Or {"regex": "..."}.
  "naming": {
    // "Microsoft.ManagedIdentity/userAssignedIdentities": "id-{workload}-{env}[-{region}][-{instance}]"
  },

  // Tags every user-assigned identity must carry (non-empty).
  "requiredTags": {
    // "Microsoft.ManagedIdentity/userAssignedIdentities": ["owner", "environment", "workload", "costCenter"]
  },

  // Widest allowed scope per role (name or GUID), "*" for every other role:
  // resource, resourceGroup, subscription, managementGroup or tenant.
  "scopes": {
    // "Key Vault Secrets User": "resource"
  },

  // Limits of the reuse rules.
  "thresholds": {
    // "maxAttachedWorkloads": 5,
    // "maxRoleAssignmentScopes": 8
  },

  // Accepted exceptions: rule, resource name (glob), optional file glob,
  // a reason, and optionally the last day it applies.
  "exemptions": [
    // { "rule": "MI101", "resource": "id-deploy-prod", "reason": "Deployment identity, reviewed by <team>", "expires": "2026-12-31" }
  ]
}
"#;

/// `idguard init`: writes [`STARTER_POLICY`] to `dir/idguard.json`.
pub fn init(dir: &Path, force: bool) -> Result<String, Fatal> {
    let path = dir.join(POLICY_FILE_NAME);
    if path.exists() && !force {
        return Err(Fatal(format!(
            "error: {POLICY_FILE_NAME} already exists; use --force to overwrite it"
        )));
    }
    if let Err(err) = Policy::parse(STARTER_POLICY) {
        return Err(Fatal(format!(
            "error: the built-in starter policy is invalid: {err}"
        )));
    }
    std::fs::write(&path, STARTER_POLICY)
        .map_err(|e| Fatal(format!("error: cannot write {}: {e}", path.display())))?;
    Ok(format!(
        "Wrote {POLICY_FILE_NAME}: it extends the default policy; edit it to change rule levels, names, tags, scopes and exemptions.\n"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use idguard_core::catalog::Family;
    use idguard_core::finding::Level;

    static RULE: RuleMeta = RuleMeta {
        code: "MI101",
        name: "no-broad-privileged-role",
        family: Family {
            name: "scope-and-privilege",
            prefix: "MI1",
        },
        default_level: Level::Error,
        summary: "Broad privileged roles at wide scopes.",
        docs: "## Why\n\nBecause.\n",
    };

    #[test]
    fn rules_table_and_json() {
        let rules = [&RULE];
        let text = rules_of(&rules, RulesFormat::Text);
        assert!(text.starts_with("CODE   NAME"), "{text}");
        assert!(
            text.contains("MI101  no-broad-privileged-role  error    Broad privileged"),
            "{text}"
        );
        let json: serde_json::Value =
            serde_json::from_str(&rules_of(&rules, RulesFormat::Json)).unwrap();
        assert_eq!(json[0]["code"], "MI101");
        assert_eq!(json[0]["defaultLevel"], "error");
        assert!(json[0]["docUrl"].as_str().unwrap().ends_with("MI101.md"));
        assert!(rules_of(&[], RulesFormat::Text).contains("no rules"));
    }

    #[test]
    fn explain_prints_docs() {
        let s = explain_rule(&RULE);
        assert!(s.starts_with("# MI101 no-broad-privileged-role\n"));
        assert!(s.contains("## Why"));
        assert!(explain("NOPE999").is_err());
    }

    #[test]
    fn init_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        init(dir.path(), false).unwrap();
        let text = std::fs::read_to_string(dir.path().join(POLICY_FILE_NAME)).unwrap();
        assert_eq!(text, STARTER_POLICY);
        assert!(init(dir.path(), false).is_err());
        init(dir.path(), true).unwrap();
    }
}
