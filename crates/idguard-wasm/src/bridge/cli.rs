//! What the npm package's `idguard` command (`wasm/bin/idguard.js`) needs
//! beyond checking one template, so that its output is the native CLI's
//! byte for byte: the steps of a run that are pure functions of the
//! results (`idguard_render::assemble`, shared with the CLI) and the
//! renderers themselves (`idguard-render`, also shared). The command reads
//! the disk, walks directories and pairs files; everything that decides
//! what the report says or how it is printed runs here, in the same Rust
//! the native CLI runs.
//!
//! Same envelopes as the rest of the bridge.

use std::collections::HashMap;
use std::time::Duration;

use idguard_core::api::{self, SourceFile, normalize_path};
use idguard_core::finding::{FileReport, Finding, PluginError, Report};
use idguard_render::{Context, FailOn, Format, assemble};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ExternalFn, error, load_policy_cached, ok, policy_message, prepare, run_prepared};

/// Largest module or linked template whose text is kept for code frames
/// (as the CLI's linker keeps them).
const MAX_FRAME_SOURCE: usize = 4 << 20;

/// What [`check`] returns: the template's report and the texts its code
/// frames may show (secrets masked, only the lines shown).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CliChecked {
    pub files: Vec<FileReport>,
    pub findings: Vec<Finding>,
    pub plugin_errors: Vec<PluginError>,
    /// `[path, text]` pairs, as the CLI keeps them for frames.
    pub frames: Vec<(String, String)>,
    /// The linked templates and modules an evaluation deployed
    /// ([`idguard_core::api::TemplateResult::deployed`]).
    pub deployed: Vec<String>,
}

/// Checks one template as the CLI does (options as for
/// [`super::check`]; `frames`: whether the output shows code frames of
/// findings; `extra`: the JSON array of the file reports the host adds to
/// the template's, such as the linked files it refused to read, which the
/// CLI adds before it keeps the texts of frames). Returns
/// `{"ok": CliChecked}`: the template's own files and findings (not yet a
/// run's report: [`call`]'s `assemble` makes it).
pub fn check(
    template: &str,
    options: &str,
    frames: bool,
    extra: &str,
    external: Option<&mut ExternalFn<'_>>,
) -> String {
    let extra: Vec<FileReport> = if extra.trim().is_empty() {
        Vec::new()
    } else {
        match parse(extra) {
            Ok(list) => list,
            Err(envelope) => return envelope,
        }
    };
    let mut prepared = match prepare(template, options) {
        Ok(p) => p,
        Err(envelope) => return envelope,
    };
    let (mut result, plugin_errors) = run_prepared(&mut prepared, external);
    result.files.extend(extra);
    // A file the check read, by the name findings show it under: the
    // template's directory joined with the path it was asked for.
    let shown_dir = match prepared.source.path.rsplit_once(['/', '\\']) {
        Some((d, _)) => format!("{d}/"),
        None => String::new(),
    };
    let linked = &prepared.linked;
    let text_of = |shown: &str| -> Option<String> {
        let asked = shown.strip_prefix(shown_dir.as_str()).unwrap_or(shown);
        linked
            .get(&normalize_path(asked))
            .or_else(|| linked.get(asked))
            .filter(|t| !t.is_empty() && t.len() <= MAX_FRAME_SOURCE)
            .cloned()
    };
    let template = SourceFile {
        path: prepared.source.path.clone(),
        text: std::mem::take(&mut prepared.source.text),
    };
    let frames = assemble::frame_sources(&result, &text_of, template, frames);
    ok(&CliChecked {
        files: result.files,
        findings: result.findings,
        plugin_errors,
        frames,
        deployed: result.deployed,
    })
}

/// The request of [`call`]'s `assemble`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
struct AssembleRequest {
    files: Vec<FileReport>,
    findings: Vec<Finding>,
    plugin_errors: Vec<PluginError>,
    /// The policy's text, when it came from a file.
    policy: Option<String>,
    /// The policy file as shown.
    policy_file: Option<String>,
    today: Option<String>,
    /// A baseline's fingerprints.
    baseline: Option<Vec<String>>,
}

#[derive(Debug, Serialize)]
struct Assembled {
    report: Report,
    baselined: usize,
}

/// The request of [`call`]'s `render`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RenderRequest {
    report: Report,
    #[serde(default)]
    sources: HashMap<String, String>,
    format: String,
    #[serde(default)]
    color: bool,
    #[serde(default)]
    fail_on: Option<String>,
    #[serde(default)]
    elapsed_ms: f64,
    #[serde(default)]
    baselined: usize,
    #[serde(default)]
    parameter_files: usize,
    /// The directory relative paths are relative to (absolute).
    #[serde(default)]
    root: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Rendered {
    text: String,
    exit_code: u8,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PathText {
    path: String,
    text: String,
}

fn parse<T: for<'de> Deserialize<'de>>(request: &str) -> Result<T, String> {
    serde_json::from_str(request)
        .map_err(|e| error("options", format!("invalid request: {e}"), Vec::new()))
}

/// The command's other steps, by name:
///
/// - `assemble`: `{files, findings, pluginErrors, policy?, policyFile?,
///   today?, baseline?}` → `{"report", "baselined"}`: the policy's own
///   findings added, one report per file, the baseline applied, sorted
///   and counted as the CLI's report;
/// - `render`: `{report, sources, format, color, failOn, elapsedMs,
///   baselined, parameterFiles, root}` → `{"text", "exitCode"}`: the
///   output, sanitized for its format, and the exit code;
/// - `unpaired`: `{path, text}` → the report of a parameter file no
///   checked template claims;
/// - `baseline`: `{path, text}` → the fingerprints of a baseline, or an
///   error whose message is the CLI's;
/// - `message`: a message for standard error (a JSON string) → the same,
///   escaped as the CLI escapes what it prints there.
pub fn call(op: &str, request: &str) -> String {
    match op {
        "assemble" => match parse::<AssembleRequest>(request) {
            Ok(r) => assemble_report(r),
            Err(e) => e,
        },
        "render" => match parse::<RenderRequest>(request) {
            Ok(r) => render(r),
            Err(e) => e,
        },
        "unpaired" => match parse::<PathText>(request) {
            Ok(r) => ok(&assemble::unpaired_parameters(&r.path, &r.text)),
            Err(e) => e,
        },
        "baseline" => match parse::<PathText>(request) {
            Ok(r) => baseline(&r.path, &r.text),
            Err(e) => e,
        },
        "message" => match parse::<String>(request) {
            Ok(text) => ok(&idguard_render::escape::escape_message(&text)),
            Err(e) => e,
        },
        other => error(
            "options",
            format!("unknown operation {other:?}"),
            Vec::new(),
        ),
    }
}

fn assemble_report(r: AssembleRequest) -> String {
    let policy_value = r.policy.clone().map(Value::String);
    let policy = match load_policy_cached(policy_value.as_ref()) {
        Ok(p) => p,
        Err(problems) => return error("policy", policy_message(&problems), problems),
    };
    let today = r.today.filter(|t| !t.is_empty());
    let mut findings = match (&r.policy, &r.policy_file) {
        (Some(text), Some(shown)) => {
            api::policy_findings(&policy, shown, Some(text), today.as_deref())
        }
        _ => api::policy_findings(&policy, "", None, today.as_deref()),
    };
    findings.extend(r.findings);
    let files = assemble::dedup_files(r.files);
    let mut baselined = 0;
    if let Some(prints) = r.baseline {
        let prints: std::collections::HashSet<String> = prints.into_iter().collect();
        findings.retain(|f| {
            let keep = !prints.contains(&f.fingerprint);
            if !keep {
                baselined += 1;
            }
            keep
        });
    }
    let report = Report::new(files, findings).with_plugin_errors(r.plugin_errors);
    ok(&Assembled { report, baselined })
}

fn render(r: RenderRequest) -> String {
    let Some(format) = Format::from_name(&r.format) else {
        return error(
            "options",
            format!("unknown format {:?}", r.format),
            Vec::new(),
        );
    };
    let fail_on = match r.fail_on.as_deref() {
        None => FailOn::Error,
        Some(name) => match FailOn::from_name(name) {
            Some(f) => f,
            None => {
                return error(
                    "options",
                    format!("unknown --fail-on level {name:?}"),
                    Vec::new(),
                );
            }
        },
    };
    let sources: HashMap<String, std::sync::Arc<str>> = r
        .sources
        .into_iter()
        .map(|(k, v)| (k, std::sync::Arc::from(v)))
        .collect();
    let elapsed = if r.elapsed_ms.is_finite() && r.elapsed_ms > 0.0 {
        Duration::from_secs_f64(r.elapsed_ms / 1000.0)
    } else {
        Duration::ZERO
    };
    let ctx = Context {
        report: &r.report,
        sources: &sources,
        fail_on,
        elapsed,
        baselined: r.baselined,
        parameter_files: r.parameter_files,
        rules: idguard_core::rules::registry(),
        root: std::path::PathBuf::from(r.root),
    };
    ok(&Rendered {
        text: idguard_render::render_safe(format, &ctx, r.color),
        exit_code: idguard_render::exit_code(&ctx),
    })
}

/// A baseline's fingerprints, with the CLI's messages for one that is not
/// JSON or not a report.
fn baseline(path: &str, text: &str) -> String {
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            return error(
                "baseline",
                format!(
                    "error: baseline {path}:{}:{}: not JSON: {e}",
                    e.line(),
                    e.column()
                ),
                Vec::new(),
            );
        }
    };
    match assemble::fingerprints_of(&value) {
        Some(prints) => {
            let mut list: Vec<String> = prints.into_iter().collect();
            list.sort();
            ok(&list)
        }
        None => error(
            "baseline",
            format!("error: baseline {path} is neither an idguard JSON report nor a SARIF log"),
            Vec::new(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(s: &str) -> Value {
        let v: Value = serde_json::from_str(s).unwrap();
        assert!(v.get("error").is_none(), "{v}");
        v["ok"].clone()
    }

    const TEMPLATE: &str = "{\n  \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",\n  \"resources\": [\n    {\n      \"type\": \"Microsoft.Authorization/roleAssignments\",\n      \"apiVersion\": \"2022-04-01\",\n      \"name\": \"x\",\n      \"properties\": {\n        \"roleDefinitionId\": \"[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '8e3af657-a8ff-443c-a75c-2fe8c4bcb635')]\",\n        \"principalId\": \"abc\"\n      }\n    }\n  ]\n}\n";

    #[test]
    fn checks_assembles_and_renders_as_the_cli() {
        let checked = parse_ok(&check(
            TEMPLATE,
            r#"{"fileName":"infra/main.json"}"#,
            true,
            "",
            None,
        ));
        assert!(!checked["findings"].as_array().unwrap().is_empty());
        let frames = checked["frames"].as_array().unwrap();
        assert_eq!(frames[0][0], "infra/main.json");
        let request = serde_json::json!({
            "files": checked["files"],
            "findings": checked["findings"],
        });
        let assembled = parse_ok(&call("assemble", &request.to_string()));
        let report = &assembled["report"];
        assert_eq!(report["summary"]["templates"], 1);
        let sources: serde_json::Map<String, Value> = frames
            .iter()
            .map(|p| (p[0].as_str().unwrap().to_string(), p[1].clone()))
            .collect();
        let request = serde_json::json!({
            "report": report, "sources": sources, "format": "text", "root": "/repo",
            "failOn": "info",
        });
        let rendered = parse_ok(&call("render", &request.to_string()));
        let text = rendered["text"].as_str().unwrap();
        assert!(text.contains(" --> infra/main.json:"), "{text}");
        assert!(text.contains(" | "), "a code frame: {text}");
        assert_eq!(rendered["exitCode"], 1);
        for format in ["json", "sarif", "junit", "github"] {
            let request = serde_json::json!({"report": report, "format": format});
            parse_ok(&call("render", &request.to_string()));
        }
        let bad = serde_json::json!({"report": report, "format": "yaml"});
        assert!(call("render", &bad.to_string()).contains("unknown format"));
    }

    #[test]
    fn baselines_and_unpaired_parameter_files() {
        let prints = parse_ok(&call(
            "baseline",
            r#"{"path":"b.json","text":"{\"findings\":[{\"fingerprint\":\"x\"}]}"}"#,
        ));
        assert_eq!(prints, serde_json::json!(["x"]));
        let bad = call("baseline", r#"{"path":"b.json","text":"{"}"#);
        assert!(bad.contains("error: baseline b.json:1:"), "{bad}");
        let other = call("baseline", r#"{"path":"b.json","text":"{}"}"#);
        assert!(other.contains("neither an idguard JSON report"), "{other}");
        let unpaired = parse_ok(&call(
            "unpaired",
            r#"{"path":"x.parameters.json","text":"{"}"#,
        ));
        assert_eq!(unpaired["kind"], "parameters");
        assert!(unpaired["error"].is_object());
        assert!(call("nope", "{}").contains("unknown operation"));
    }
}
