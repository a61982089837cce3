//! Report renderers: text, JSON, SARIF, JUnit and GitHub workflow commands.
//! Each takes the same [`Context`] and returns the whole output as a
//! string, so writing to a terminal or a file is the caller's business.
//!
//! No I/O: the native CLI (`crates/idguard-cli`) and the WebAssembly
//! bridge (`crates/idguard-wasm`, the npm package's `idguard` command)
//! render through this crate, so both print the same bytes. [`escape`]
//! holds the escaping every output goes through ([`escape::sanitize`]),
//! [`assemble`] the pure steps that turn per-template results into the
//! run's report (one list per file, the baseline, the texts code frames
//! show).

pub mod assemble;
pub mod escape;
pub mod github;
pub mod junit;
pub mod sarif;
pub mod text;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use idguard_core::finding::{Finding, Report};
use idguard_core::rules::RuleMeta;

use idguard_core::finding::Severity;

/// Report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Human-readable diagnostics with code frames and a summary.
    Text,
    /// The JSON report (`{"version", "files", "findings", "summary"}`).
    Json,
    /// SARIF 2.1.0 (GitHub code scanning, Azure DevOps).
    Sarif,
    /// JUnit XML: one test case per template and rule family.
    Junit,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

impl Format {
    /// Every format, by its command-line name.
    pub const ALL: [(&'static str, Format); 5] = [
        ("text", Format::Text),
        ("json", Format::Json),
        ("sarif", Format::Sarif),
        ("junit", Format::Junit),
        ("github", Format::Github),
    ];

    /// The format of a command-line name (`text`, `json`, …).
    pub fn from_name(name: &str) -> Option<Format> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }

    /// How the lines of this format are guarded when written.
    pub fn kind(self) -> escape::Kind {
        use escape::Kind;
        match self {
            Format::Text => Kind::Text,
            Format::Json | Format::Sarif => Kind::Json,
            Format::Junit => Kind::Xml,
            Format::Github => Kind::Github,
        }
    }
}

/// The `--fail-on` threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    /// The threshold of a command-line name (`error`, `warning`, …).
    pub fn from_name(name: &str) -> Option<FailOn> {
        match name {
            "error" => Some(FailOn::Error),
            "warning" => Some(FailOn::Warning),
            "info" => Some(FailOn::Info),
            "never" => Some(FailOn::Never),
            _ => None,
        }
    }

    /// Whether an (unsuppressed) finding of this severity fails the run.
    pub fn fails(self, severity: Severity) -> bool {
        let min = match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
            FailOn::Never => return false,
        };
        severity >= min
    }
}

/// What every renderer gets.
#[derive(Debug)]
pub struct Context<'a> {
    pub report: &'a Report,
    /// Template texts by displayed path, for code frames.
    pub sources: &'a HashMap<String, Arc<str>>,
    pub fail_on: FailOn,
    pub elapsed: Duration,
    /// Findings the baseline removed.
    pub baselined: usize,
    /// Parameter files the templates were evaluated with.
    pub parameter_files: usize,
    /// The rule catalog (the core's registry).
    pub rules: &'a [&'a RuleMeta],
    /// The directory relative paths are relative to (`%SRCROOT%` in SARIF).
    pub root: PathBuf,
}

impl Context<'_> {
    /// Whether a finding fails the run: unsuppressed and at or above the
    /// threshold.
    pub fn fails(&self, f: &Finding) -> bool {
        f.suppression.is_none() && self.fail_on.fails(f.severity)
    }
}

/// Renders `ctx` in `format`. `color` only matters for text. The result is
/// not yet [sanitized](escape::sanitize) (see [`render_safe`]).
pub fn render(format: Format, ctx: &Context<'_>, color: bool) -> String {
    match format {
        Format::Text => text::render(ctx, color),
        Format::Json => json(ctx),
        Format::Sarif => sarif::render(ctx),
        Format::Junit => junit::render(ctx),
        Format::Github => github::render(ctx),
    }
}

/// [`render`], then [sanitized](escape::sanitize) for its format: what is
/// written to a terminal or a file.
pub fn render_safe(format: Format, ctx: &Context<'_>, color: bool) -> String {
    escape::sanitize(&render(format, ctx, color), format.kind()).into_owned()
}

/// The exit code of a run: 2 when a file could not be checked or a plugin
/// failed, else 1 when a finding fails the run, else 0.
pub fn exit_code(ctx: &Context<'_>) -> u8 {
    if ctx.report.summary.invalid_files > 0 || !ctx.report.plugin_errors.is_empty() {
        2
    } else if ctx.report.findings.iter().any(|f| ctx.fails(f)) {
        1
    } else {
        0
    }
}

/// The JSON report, pretty-printed, with a final newline.
pub fn json(ctx: &Context<'_>) -> String {
    let mut s = serde_json::to_string_pretty(ctx.report).unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    s
}

/// A rule's Markdown docs with the indentation doc comments leave behind
/// (a space before every line) removed.
pub fn clean_docs(docs: &str) -> String {
    let indent = docs
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    let mut out: Vec<&str> = docs
        .lines()
        .map(|l| l.get(indent..).unwrap_or_else(|| l.trim_start()))
        .collect();
    while out.first().is_some_and(|l| l.trim().is_empty()) {
        out.remove(0);
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    out.join("\n")
}

#[cfg(test)]
mod format_tests {
    use super::*;

    #[test]
    fn fail_on_thresholds() {
        use Severity::*;
        assert!(FailOn::Error.fails(Error));
        assert!(!FailOn::Error.fails(Warning));
        assert!(FailOn::Warning.fails(Warning));
        assert!(!FailOn::Warning.fails(Info));
        assert!(FailOn::Info.fails(Info));
        assert!(!FailOn::Never.fails(Error));
        assert_eq!(FailOn::from_name("warning"), Some(FailOn::Warning));
        assert_eq!(Format::from_name("junit"), Some(Format::Junit));
        assert_eq!(Format::from_name("xml"), None);
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Hand-built reports for renderer tests (the rules are not needed).

    use super::*;
    use idguard_core::finding::{
        FileError, FileKind, FileReport, Position, Range, Related, Severity, Suppression,
        SuppressionKind,
    };

    pub const TEMPLATE: &str = "{\n  \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",\n  \"resources\": [\n    {\n      \"type\": \"Microsoft.Authorization/roleAssignments\",\n      \"properties\": {\n        \"roleDefinitionId\": \"[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b24988ac-6180-42a0-ab88-20f7382dd24c')]\",\n        \"principalId\": \"[reference('id').clientId]\"\n      }\n    }\n  ]\n}\n";

    fn pos(line: u32, column: u32) -> Position {
        Position {
            line,
            column,
            utf16_column: column,
            offset: 0,
        }
    }

    pub fn finding(
        code: &str,
        name: &str,
        severity: Severity,
        line: u32,
        col: u32,
        end: u32,
    ) -> Finding {
        Finding {
            code: code.to_string(),
            name: name.to_string(),
            severity,
            message: format!("{name}: 100% wrong, see a,b:c\nsecond line"),
            help: "Assign a narrower role, e.g. <Reader> & co.".to_string(),
            file: "infra/main.json".to_string(),
            pointer: "/resources/0/properties/roleDefinitionId".to_string(),
            range: Range {
                start: pos(line, col),
                end: pos(line, end),
            },
            fingerprint: format!("fp-{code}-{line}"),
            compiled_fingerprints: Vec::new(),
            parameters_file: None,
            related: Vec::new(),
            suppression: None,
            doc_url: Some(format!("https://example.invalid/{code}.md")),
            fix: None,
        }
    }

    /// A template with four findings (one suppressed) and a broken file.
    pub fn report() -> Report {
        let mut suppressed = finding(
            "MI402",
            "principal-type-service-principal",
            Severity::Warning,
            8,
            9,
            22,
        );
        suppressed.suppression = Some(Suppression {
            kind: SuppressionKind::InSource,
            justification: "legacy".to_string(),
        });
        let mut with_params = finding(
            "MI401",
            "principal-id-not-client-id",
            Severity::Error,
            8,
            24,
            51,
        );
        with_params.parameters_file = Some("infra/main.prod.parameters.json".to_string());
        with_params.related.push(Related {
            message: "value from here".to_string(),
            file: "infra/main.prod.parameters.json".to_string(),
            pointer: "/parameters/x/value".to_string(),
            range: Range {
                start: pos(5, 16),
                end: pos(5, 20),
            },
        });
        Report::new(
            vec![
                FileReport {
                    path: "infra/main.json".to_string(),
                    kind: FileKind::Template,
                    error: None,
                    parameter_files: vec!["infra/main.prod.parameters.json".to_string()],
                    notes: Vec::new(),
                },
                FileReport {
                    path: "infra/main.prod.parameters.json".to_string(),
                    kind: FileKind::Parameters,
                    error: None,
                    parameter_files: Vec::new(),
                    notes: Vec::new(),
                },
                FileReport {
                    path: "broken/bad.json".to_string(),
                    kind: FileKind::Template,
                    error: Some(FileError {
                        message: "expected `,` or `}` after an object member".to_string(),
                        line: 2,
                        column: 5,
                    }),
                    parameter_files: Vec::new(),
                    notes: Vec::new(),
                },
            ],
            vec![
                finding(
                    "MI101",
                    "no-broad-privileged-role",
                    Severity::Error,
                    7,
                    9,
                    141,
                ),
                finding("MI201", "identity-naming", Severity::Info, 5, 7, 53),
                with_params,
                suppressed,
            ],
        )
    }

    /// [`report`] with two plugin failures: one while loading, one on the
    /// template with its parameter file.
    pub fn report_with_plugin_errors() -> Report {
        use idguard_core::finding::{PluginError, PluginErrorKind};
        report().with_plugin_errors(vec![
            PluginError {
                plugin: "cost".to_string(),
                path: Some("plugins/cost.wasm".to_string()),
                file: Some("infra/main.json".to_string()),
                parameter_file: Some("infra/main.prod.parameters.json".to_string()),
                kind: PluginErrorKind::Fuel,
                message: "ran out of fuel after 20000000 instructions".to_string(),
            },
            PluginError {
                plugin: "tags".to_string(),
                path: Some("plugins/tags.wasm".to_string()),
                file: None,
                parameter_file: None,
                kind: PluginErrorKind::NotWasm,
                message: "is not a WebAssembly module".to_string(),
            },
        ])
    }

    pub fn sources() -> HashMap<String, Arc<str>> {
        let mut m = HashMap::new();
        m.insert("infra/main.json".to_string(), Arc::from(TEMPLATE));
        m.insert(
            "broken/bad.json".to_string(),
            Arc::from("{\n  \"a\" 1\n}\n"),
        );
        m
    }

    pub fn context<'a>(report: &'a Report, sources: &'a HashMap<String, Arc<str>>) -> Context<'a> {
        Context {
            report,
            sources,
            fail_on: FailOn::Error,
            elapsed: Duration::from_millis(42),
            baselined: 0,
            parameter_files: 1,
            rules: &[],
            root: PathBuf::from("/repo"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_doc_comment_indentation() {
        assert_eq!(
            clean_docs(" ## What\n Flags.\n\n ```json\n   {}\n ```\n"),
            "## What\nFlags.\n\n```json\n  {}\n```"
        );
        assert_eq!(clean_docs("## What\nFlags."), "## What\nFlags.");
        assert_eq!(clean_docs(""), "");
    }

    #[test]
    fn json_is_the_report() {
        let report = testutil::report();
        let sources = testutil::sources();
        let out = json(&testutil::context(&report, &sources));
        let back: Report = serde_json::from_str(&out).unwrap();
        assert_eq!(back, report);
    }
}
