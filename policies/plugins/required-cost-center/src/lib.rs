//! Example idguard plugin: every user-assigned managed identity must carry
//! a `cost-center` tag whose value matches a pattern.
//!
//! Config (all optional):
//! `{"tag": "cost-center", "pattern": "^CC-[0-9]{4}$"}`. Tag names compare
//! case-insensitively, as Azure compares them. Identities referenced with
//! `existing` are not checked (they are declared elsewhere); a tag value
//! not known before deployment is not judged.
//!
//! Findings: `CC001 missing-cost-center`, `CC002 invalid-cost-center`.

use idguard_plugin::model::is_unknown;
use idguard_plugin::{Finding, Input, Severity};

const DEFAULT_TAG: &str = "cost-center";
const DEFAULT_PATTERN: &str = "^[A-Za-z0-9-]+$";

/// The plugin's check.
pub fn check(input: &Input) -> Result<Vec<Finding>, String> {
    let tag = match input.config.get("tag") {
        None => DEFAULT_TAG,
        Some(v) => v.as_str().ok_or("config.tag must be a string")?,
    };
    let pattern = match input.config.get("pattern") {
        None => DEFAULT_PATTERN,
        Some(v) => v.as_str().ok_or("config.pattern must be a string")?,
    };
    let re = regex::Regex::new(pattern)
        .map_err(|e| format!("config.pattern is not a valid regular expression: {e}"))?;

    let mut out = Vec::new();
    for id in &input.model.identities {
        if id.existing {
            continue;
        }
        let Some(resource) = input.model.resource(id.resource) else {
            continue;
        };
        let name = resource
            .name_str()
            .map(str::to_string)
            .unwrap_or_else(|| resource.name.to_string());
        if is_unknown(&resource.tags) {
            continue;
        }
        let found = resource
            .tags()
            .and_then(|t| t.iter().find(|(k, _)| k.eq_ignore_ascii_case(tag)));
        match found {
            None => {
                let at = if resource.tags().is_some() {
                    resource.source.child("tags")
                } else {
                    resource.source.clone()
                };
                out.push(
                    Finding::new(
                        "CC001",
                        "missing-cost-center",
                        Severity::Error,
                        format!("managed identity '{name}' has no '{tag}' tag"),
                    )
                    .help(format!(
                        "Add a '{tag}' tag whose value matches {pattern}, so the identity's cost and ownership can be traced."
                    ))
                    .at(&at),
                );
            }
            Some((key, value)) => {
                if is_unknown(value) {
                    continue;
                }
                let text = value
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| value.to_string());
                if !re.is_match(&text) {
                    out.push(
                        Finding::new(
                            "CC002",
                            "invalid-cost-center",
                            Severity::Error,
                            format!(
                                "managed identity '{name}' has '{tag}' tag '{text}', which does not match {pattern}"
                            ),
                        )
                        .help(format!("Set the '{tag}' tag to a value matching {pattern}."))
                        .at(&resource.source.child("tags").child(key)),
                    );
                }
            }
        }
    }
    Ok(out)
}

idguard_plugin::export_plugin!(check);
