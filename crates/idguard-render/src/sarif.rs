//! SARIF 2.1.0 for GitHub code scanning and Azure DevOps.
//!
//! Hand-written serde structs for the subset idguard emits rather than the
//! `serde-sarif` crate: the subset is small (about a dozen types), every
//! field is visible here, there is no builder API or generated code to
//! follow across versions, and the output is checked against the official
//! schema in the tests.

use std::collections::BTreeMap;
use std::path::Path;

use idguard_core::finding::{FileReport, Finding, Level, Range, Severity, SuppressionKind};
use serde::Serialize;

use super::Context;

/// The `partialFingerprints` key holding a finding's fingerprint.
pub const FINGERPRINT_KEY: &str = "idguardFingerprint/v1";
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/idguard/idguard";
const SRCROOT: &str = "%SRCROOT%";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    invocations: Vec<Invocation>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    original_uri_base_ids: BTreeMap<&'static str, ArtifactLocation>,
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    name: String,
    short_description: Message,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_description: Option<Message>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<MultiformatMessage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<String>,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
    enabled: bool,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
struct MultiformatMessage {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Message,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
    descriptor: DescriptorReference,
}

#[derive(Serialize)]
struct DescriptorReference {
    id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<RelatedLocation>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<ResultProperties>,
}

/// A finding's fix: one change of the finding's file.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix {
    description: Message,
    artifact_changes: Vec<ArtifactChange>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    /// Exact (an insertion is an empty region: end = start).
    deleted_region: Region,
    inserted_content: Message,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties {
    parameters_file: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelatedLocation {
    id: usize,
    physical_location: PhysicalLocation,
    message: Message,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<u32>,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
}

fn level_of(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Percent-encodes a relative path for a URI (keeping `/`).
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char);
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The artifact location of a displayed path: relative to `%SRCROOT%`
/// (the run's directory) when it can be, else an absolute `file://` URI.
fn artifact(file: &str, root: &Path) -> ArtifactLocation {
    let normalised = file.replace('\\', "/");
    let path = Path::new(file);
    let relative = if is_absolute(path) {
        path.strip_prefix(root)
            .ok()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
    } else {
        Some(normalised.clone())
    };
    match relative {
        Some(rel) => ArtifactLocation {
            uri: encode_path(&rel),
            uri_base_id: Some(SRCROOT),
        },
        None => ArtifactLocation {
            uri: format!("file://{}", encode_path(&absolute_uri_path(&normalised))),
            uri_base_id: None,
        },
    }
}

/// Whether a path is absolute. `Path::is_absolute` is always false on
/// `wasm32-unknown-unknown` (the npm package's renderer), where a rooted
/// path (`/repo`) is what the host passes: there, a root counts.
fn is_absolute(p: &Path) -> bool {
    p.is_absolute() || (cfg!(not(windows)) && p.has_root())
}

/// `/C:/x` for a Windows drive path, the path itself otherwise.
fn absolute_uri_path(p: &str) -> String {
    if p.starts_with('/') {
        p.to_string()
    } else {
        format!("/{p}")
    }
}

fn region(range: &Range) -> Option<Region> {
    if range.start.line == 0 {
        return None;
    }
    let start_column = range.start.utf16_column.max(1);
    let (end_line, end_column) = if range.end.line >= range.start.line && range.end.line > 0 {
        let end_col = if range.end.line == range.start.line {
            range.end.utf16_column.max(start_column + 1)
        } else {
            range.end.utf16_column.max(1)
        };
        (Some(range.end.line), Some(end_col))
    } else {
        (None, None)
    };
    Some(Region {
        start_line: range.start.line,
        start_column,
        end_line,
        end_column,
    })
}

fn notification(file: &FileReport, root: &Path) -> Option<Notification> {
    let error = file.error.as_ref()?;
    Some(file_notification(
        "error",
        "invalid-file",
        &file.path,
        &error.message,
        (error.line, error.column),
        root,
    ))
}

/// A file's notes (what its check could not do, a compiled JSON left out)
/// as notifications at level `note`: they do not make the run fail.
fn note_notifications<'a>(
    file: &'a FileReport,
    root: &'a Path,
) -> impl Iterator<Item = Notification> + 'a {
    file.notes.iter().map(move |n| {
        file_notification(
            "note",
            "check-note",
            &n.file,
            &n.message,
            (n.line, n.column),
            root,
        )
    })
}

/// A notification about `path` (`<path>: <message>`) at its line and
/// column (no region when the line is not known).
fn file_notification(
    level: &'static str,
    id: &'static str,
    path: &str,
    message: &str,
    (line, column): (u32, u32),
    root: &Path,
) -> Notification {
    Notification {
        level,
        message: Message {
            text: format!("{path}: {message}"),
        },
        locations: vec![Location {
            physical_location: PhysicalLocation {
                artifact_location: artifact(path, root),
                region: (line > 0).then(|| Region {
                    start_line: line,
                    start_column: column.max(1),
                    end_line: None,
                    end_column: None,
                }),
            },
        }],
        descriptor: DescriptorReference { id },
    }
}

/// Renders the SARIF log.
pub fn render(ctx: &Context<'_>) -> String {
    let mut rules: Vec<Rule> = ctx
        .rules
        .iter()
        .map(|r| {
            let level = r.default_level;
            let docs = super::clean_docs(r.docs);
            Rule {
                id: r.code.to_string(),
                name: r.name.to_string(),
                short_description: Message {
                    text: r.summary.to_string(),
                },
                full_description: (!docs.is_empty()).then(|| Message { text: docs.clone() }),
                help: Some(MultiformatMessage {
                    text: format!("{}\nDocumentation: {}", r.summary, r.doc_url()),
                    markdown: if docs.is_empty() {
                        r.summary.to_string()
                    } else {
                        docs
                    },
                }),
                help_uri: Some(r.doc_url()),
                default_configuration: Configuration {
                    level: level.severity().map_or("none", level_of),
                    enabled: level != Level::Off,
                },
                properties: RuleProperties {
                    tags: tags_of(r.code),
                },
            }
        })
        .collect();
    // Codes the registry does not know (plugins) still need a rule entry.
    for f in &ctx.report.findings {
        if !rules.iter().any(|r| r.id == f.code) {
            rules.push(Rule {
                id: f.code.clone(),
                name: f.name.clone(),
                short_description: Message {
                    text: f.name.clone(),
                },
                full_description: None,
                help: None,
                help_uri: f.doc_url.clone(),
                default_configuration: Configuration {
                    level: level_of(f.severity),
                    enabled: true,
                },
                properties: RuleProperties {
                    tags: tags_of(&f.code),
                },
            });
        }
    }
    let results = ctx
        .report
        .findings
        .iter()
        .map(|f| result(f, &rules, ctx))
        .collect();
    let mut notifications: Vec<Notification> = ctx
        .report
        .files
        .iter()
        .filter_map(|f| notification(f, &ctx.root))
        .collect();
    notifications.extend(
        ctx.report
            .files
            .iter()
            .flat_map(|f| note_notifications(f, &ctx.root)),
    );
    notifications.extend(ctx.report.plugin_errors.iter().map(|e| Notification {
        level: "error",
        message: Message {
            text: e.to_string(),
        },
        locations: Vec::new(),
        descriptor: DescriptorReference { id: "plugin-error" },
    }));
    let mut base_ids = BTreeMap::new();
    if let Some(root) = root_uri(&ctx.root) {
        base_ids.insert(
            SRCROOT,
            ArtifactLocation {
                uri: root,
                uri_base_id: None,
            },
        );
    }
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "idguard",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: INFORMATION_URI,
                    rules,
                },
            },
            invocations: vec![Invocation {
                // Notes (level `note`) do not make the run unsuccessful.
                execution_successful: !notifications.iter().any(|n| n.level == "error"),
                tool_execution_notifications: notifications,
            }],
            original_uri_base_ids: base_ids,
            column_kind: "utf16CodeUnits",
            results,
        }],
    };
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    s
}

fn tags_of(code: &str) -> Vec<String> {
    let mut tags = vec!["security".to_string(), "managed-identity".to_string()];
    if let Some(family) = idguard_core::catalog::family_of(code) {
        tags.push(family.name.to_string());
    }
    tags
}

/// `file:///abs/root/` for `%SRCROOT%`.
fn root_uri(root: &Path) -> Option<String> {
    if !is_absolute(root) {
        return None;
    }
    let mut p = absolute_uri_path(&root.to_string_lossy().replace('\\', "/"));
    if !p.ends_with('/') {
        p.push('/');
    }
    Some(format!("file://{}", encode_path(&p)))
}

fn result(f: &Finding, rules: &[Rule], ctx: &Context<'_>) -> SarifResult {
    let mut text = f.message.clone();
    if !f.help.is_empty() {
        text.push_str("\nHelp: ");
        text.push_str(&f.help);
    }
    SarifResult {
        rule_id: f.code.clone(),
        rule_index: rules.iter().position(|r| r.id == f.code).unwrap_or(0),
        level: level_of(f.severity),
        message: Message { text },
        locations: vec![Location {
            physical_location: PhysicalLocation {
                artifact_location: artifact(&f.file, &ctx.root),
                region: region(&f.range),
            },
        }],
        related_locations: f
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| RelatedLocation {
                id: i + 1,
                physical_location: PhysicalLocation {
                    artifact_location: artifact(&r.file, &ctx.root),
                    region: region(&r.range),
                },
                message: Message {
                    text: r.message.clone(),
                },
            })
            .collect(),
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, f.fingerprint.clone())]),
        suppressions: f
            .suppression
            .iter()
            .map(|s| Suppression {
                kind: match s.kind {
                    SuppressionKind::InSource => "inSource",
                    SuppressionKind::External => "external",
                },
                status: "accepted",
                justification: s.justification.clone(),
            })
            .collect(),
        fixes: f
            .fix
            .iter()
            .map(|fix| SarifFix {
                description: Message {
                    text: format!("{} ({})", fix.title, fix.safety.as_str()),
                },
                artifact_changes: vec![ArtifactChange {
                    artifact_location: artifact(&f.file, &ctx.root),
                    replacements: fix
                        .edits
                        .iter()
                        .map(|e| Replacement {
                            deleted_region: Region {
                                start_line: e.range.start.line,
                                start_column: e.range.start.utf16_column,
                                end_line: Some(e.range.end.line),
                                end_column: Some(e.range.end.utf16_column),
                            },
                            inserted_content: Message {
                                text: e.replacement.clone(),
                            },
                        })
                        .collect(),
                }],
            })
            .collect(),
        properties: f.parameters_file.as_ref().map(|p| ResultProperties {
            parameters_file: p.clone(),
        }),
    }
}

#[cfg(test)]
mod tests {
    mod skip {
        include!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/support/skip.rs"
        ));
    }

    use super::super::testutil;
    use super::*;
    use serde_json::Value;

    fn log() -> Value {
        let report = testutil::report();
        let sources = testutil::sources();
        serde_json::from_str(&render(&testutil::context(&report, &sources))).unwrap()
    }

    #[test]
    fn results_carry_locations_fingerprints_and_suppressions() {
        let v = log();
        let run = &v["runs"][0];
        assert_eq!(v["version"], "2.1.0");
        assert_eq!(run["tool"]["driver"]["name"], "idguard");
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 4);
        let r = results.iter().find(|r| r["ruleId"] == "MI101").unwrap();
        assert_eq!(r["level"], "error");
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "infra/main.json");
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(loc["region"]["startLine"], 7);
        assert_eq!(loc["region"]["startColumn"], 9);
        assert_eq!(loc["region"]["endColumn"], 141);
        assert_eq!(r["partialFingerprints"][FINGERPRINT_KEY], "fp-MI101-7");
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], "MI101");
        let s = results.iter().find(|r| r["ruleId"] == "MI402").unwrap();
        let idx = s["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            rules[idx]["properties"]["tags"],
            serde_json::json!(["security", "managed-identity", "wiring-correctness"]),
            "the family of the list of rules"
        );
        assert_eq!(s["suppressions"][0]["kind"], "inSource");
        assert_eq!(s["suppressions"][0]["justification"], "legacy");
        let info = results.iter().find(|r| r["ruleId"] == "MI201").unwrap();
        assert_eq!(info["level"], "note");
        let inv = &run["invocations"][0];
        assert_eq!(inv["executionSuccessful"], false);
        let n = &inv["toolExecutionNotifications"][0];
        assert_eq!(n["level"], "error");
        assert_eq!(
            n["locations"][0]["physicalLocation"]["region"]["startLine"],
            2
        );
        assert_eq!(
            run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
            "file:///repo/"
        );
    }

    /// The hand-built report (findings, suppressions, related locations, an
    /// invalid file) against the official schema, offline.
    #[test]
    fn validates_against_the_sarif_schema() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/schemas/sarif-schema-2.1.0.json"
        );
        let Ok(text) = std::fs::read_to_string(path) else {
            skip::skip_or_fail("SARIF schema validation", &format!("not found at {path}"));
            return;
        };
        let schema: Value = serde_json::from_str(&text).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let v = log();
        let errors: Vec<String> = validator
            .iter_errors(&v)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}", errors.join("\n"));
        // And a document that breaks the schema is caught (the validator works).
        let mut broken = v.clone();
        broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
        assert!(!validator.is_valid(&broken));
    }

    #[test]
    fn uris() {
        let root = Path::new("/repo");
        let a = artifact("dir with space/ü.json", root);
        assert_eq!(a.uri, "dir%20with%20space/%C3%BC.json");
        let a = artifact("/repo/x/y.json", root);
        assert_eq!((a.uri.as_str(), a.uri_base_id), ("x/y.json", Some(SRCROOT)));
        let a = artifact("/elsewhere/y.json", root);
        assert_eq!(
            (a.uri.as_str(), a.uri_base_id),
            ("file:///elsewhere/y.json", None)
        );
    }
}
