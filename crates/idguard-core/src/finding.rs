//! Findings and the report: the one data shape every front end renders.
//!
//! The JSON form of [`Report`] is the `--format json` output of the CLI and
//! the return value of the wasm `check`: `{"version": 1, "files": [...],
//! "findings": [...], "summary": {...}}`. Later versions add fields; they
//! never remove or rename one.

use serde::{Deserialize, Serialize};

/// Severity of a finding (a policy can also turn a rule `off`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A rule's configured level: a severity, or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Off,
    Info,
    Warning,
    Error,
}

impl Level {
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Off => None,
            Level::Info => Some(Severity::Info),
            Level::Warning => Some(Severity::Warning),
            Level::Error => Some(Severity::Error),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

/// A 1-based position. `column` counts characters (what a terminal shows);
/// `utf16Column` counts UTF-16 code units (what LSP and browsers use).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Position {
    pub line: u32,
    pub column: u32,
    pub utf16_column: u32,
    /// Byte offset into the file.
    pub offset: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Range {
    pub start: Position,
    pub end: Position,
}

/// A secondary location: e.g. the parameter-file line a value came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Related {
    pub message: String,
    pub file: String,
    pub pointer: String,
    pub range: Range,
}

/// How a finding was silenced, if it was. Silenced findings are kept in the
/// report (SARIF `suppressions`) but never fail a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Suppression {
    /// `inSource` (template `metadata.idguard.ignore`) or `external`
    /// (a policy exemption).
    pub kind: SuppressionKind,
    pub justification: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SuppressionKind {
    InSource,
    External,
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// Stable rule code, e.g. `MI101`; plugin codes are prefixed with the
    /// plugin name.
    pub code: String,
    /// Kebab-case rule name, e.g. `no-broad-privileged-role`.
    pub name: String,
    pub severity: Severity,
    /// What is wrong, in the template's own names.
    pub message: String,
    /// How to fix it.
    pub help: String,
    /// The file as the caller named it.
    pub file: String,
    /// JSON pointer of the offending value.
    pub pointer: String,
    pub range: Range,
    /// Stable across runs and unrelated edits: rule + file + pointer (+ a
    /// mark for info-level "could not check" findings, + an ordinal when
    /// one rule reports twice at one pointer). The parameter file is left
    /// out on purpose: one template line checked with two environments'
    /// parameter files is one finding for a baseline, whatever the order
    /// or names of the parameter files (see `docs/architecture.md`,
    /// "Finding placement").
    pub fingerprint: String,
    /// For a finding in Bicep source: the fingerprints the same finding
    /// has in the ARM JSON Bicep compiles the checked template to
    /// (symbolic-name and classic forms), so a baseline made from the
    /// compiled JSON still matches it. Empty for JSON templates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub compiled_fingerprints: Vec<String>,
    /// The parameter file this evaluation used, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters_file: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppression: Option<Suppression>,
    /// URL of the rule's documentation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_url: Option<String>,
    /// A mechanical fix, when the rule knows one for this exact text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

/// Whether a fix may be applied without asking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FixSafety {
    /// Changes nothing but the flagged mistake: `idguard check --fix`.
    Safe,
    /// Changes what gets deployed beyond the mistake, or writes a
    /// placeholder someone must replace: needs `--unsafe-fixes`.
    Unsafe,
}

impl FixSafety {
    pub fn as_str(self) -> &'static str {
        match self {
            FixSafety::Safe => "safe",
            FixSafety::Unsafe => "unsafe",
        }
    }
}

/// A fix of a finding: text edits against the finding's file (the file as
/// written: Bicep text for a `.bicep` template).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fix {
    /// What the fix does, as an editor's code action shows it.
    pub title: String,
    pub safety: FixSafety,
    /// Non-overlapping edits, sorted by position.
    pub edits: Vec<Edit>,
}

/// Replace `range` (possibly empty: an insertion) with `replacement`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Edit {
    pub range: Range,
    pub replacement: String,
}

/// What kind of file a checked path turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    Template,
    Parameters,
    Other,
}

/// Why a file could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileError {
    pub message: String,
    pub line: u32,
    pub column: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileReport {
    pub path: String,
    pub kind: FileKind,
    pub error: Option<FileError>,
    /// Parameter files this template was evaluated with (templates only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameter_files: Vec<String>,
    /// What the check could not do for this file (a Bicep module it could
    /// not read, a `load*Content()` file that is absent, …): never a
    /// silent pass.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<FileNote>,
}

/// Something a check of a file could not do, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileNote {
    /// The file the note is about: the checked file, or a module of it.
    pub file: String,
    /// 1-based line and column (characters) in that file.
    pub line: u32,
    pub column: u32,
    pub message: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub files: usize,
    pub templates: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub suppressed: usize,
    /// Files that could not be read.
    pub invalid_files: usize,
}

/// The byte ranges of one file that hold secret values (see
/// `model::secrets`), never the values: a front end that shows the file's
/// text masks them. Not part of the [`Report`] JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SecretRanges {
    /// The file as the caller named it.
    pub file: String,
    /// Sorted, non-overlapping, half-open byte ranges.
    pub ranges: Vec<crate::source::Span>,
}

impl SecretRanges {
    /// `text` with every character that starts inside a range replaced by
    /// `*`, except line breaks: lines, and columns counted in characters,
    /// stay where they were.
    pub fn mask(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut ranges = self.ranges.iter().peekable();
        for (i, c) in text.char_indices() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            while ranges.peek().is_some_and(|r| r.end <= i) {
                ranges.next();
            }
            let secret = ranges.peek().is_some_and(|r| r.start <= i);
            out.push(if secret && c != '\n' && c != '\r' {
                '*'
            } else {
                c
            });
        }
        out
    }
}

/// What kind of failure a [`PluginError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PluginErrorKind {
    /// The plugin's file could not be read.
    Read,
    /// The policy entry is wrong (for example two plugins with one name).
    Config,
    /// Not a core WebAssembly module (or a component).
    NotWasm,
    /// The module imports something; plugins get no imports.
    Imports,
    /// A required export is missing or has the wrong signature.
    Exports,
    /// `idguard_abi_version` returned another version.
    Abi,
    /// The call ran out of fuel (instruction budget).
    Fuel,
    /// The call ran past its wall-clock deadline.
    Deadline,
    /// The module asked for more linear memory than its cap.
    Memory,
    /// The module trapped (unreachable, out-of-bounds access, ...).
    Trap,
    /// The output is not a findings array matching the schema.
    Output,
    /// The plugin returned `{"error": ...}` (for example a bad config).
    Error,
}

/// A policy plugin that failed: to load, or on one evaluation. The
/// built-in rules and the other plugins still ran; a CI gate treats the
/// run as failed (exit code 2).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PluginError {
    /// The plugin's name (the prefix of its codes).
    pub plugin: String,
    /// The plugin's path as the policy wrote it, when it came from a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The template being checked; `None` when the plugin failed to load.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The parameter file of that evaluation, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter_file: Option<String>,
    pub kind: PluginErrorKind,
    /// What happened, as a sentence after the plugin's name ("ran out of
    /// fuel after 2000000000 instructions").
    pub message: String,
}

impl std::fmt::Display for PluginError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}")?;
            if let Some(p) = &self.parameter_file {
                write!(f, " with {p}")?;
            }
            write!(f, ": ")?;
        }
        write!(f, "plugin '{}'", self.plugin)?;
        if let Some(path) = &self.path {
            write!(f, " ({path})")?;
        }
        write!(f, " {}", self.message)
    }
}

/// The result of a check: the JSON output's shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub version: u32,
    pub files: Vec<FileReport>,
    pub findings: Vec<Finding>,
    pub summary: Summary,
    /// Policy plugins that failed (sorted, duplicates removed). Any entry
    /// fails a CI gate, like an unreadable file.
    #[serde(default)]
    pub plugin_errors: Vec<PluginError>,
}

impl Report {
    pub const VERSION: u32 = 1;

    /// Builds a report, sorting files by path and findings by file, line,
    /// column and code, and computing the summary.
    pub fn new(mut files: Vec<FileReport>, mut findings: Vec<Finding>) -> Report {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        findings.sort_by(|a, b| {
            (
                &a.file,
                a.range.start.line,
                a.range.start.column,
                &a.code,
                &a.message,
            )
                .cmp(&(
                    &b.file,
                    b.range.start.line,
                    b.range.start.column,
                    &b.code,
                    &b.message,
                ))
        });
        findings.dedup();
        let mut summary = Summary {
            files: files.len(),
            templates: files
                .iter()
                .filter(|f| f.kind == FileKind::Template)
                .count(),
            invalid_files: files.iter().filter(|f| f.error.is_some()).count(),
            ..Summary::default()
        };
        for f in &findings {
            if f.suppression.is_some() {
                summary.suppressed += 1;
                continue;
            }
            match f.severity {
                Severity::Error => summary.errors += 1,
                Severity::Warning => summary.warnings += 1,
                Severity::Info => summary.infos += 1,
            }
        }
        Report {
            version: Self::VERSION,
            files,
            findings,
            summary,
            plugin_errors: Vec::new(),
        }
    }

    /// This report with the given plugin failures, sorted and deduplicated.
    #[must_use]
    pub fn with_plugin_errors(mut self, mut errors: Vec<PluginError>) -> Report {
        errors.sort_by(|a, b| {
            (&a.file, &a.parameter_file, &a.plugin, &a.message).cmp(&(
                &b.file,
                &b.parameter_file,
                &b.plugin,
                &b.message,
            ))
        });
        errors.dedup();
        self.plugin_errors = errors;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    #[test]
    fn masking_keeps_lines_and_character_columns() {
        let text = "a: \"sécrèt\"\nb: \"x\ny\" ok";
        let at = |s: &str| u32::try_from(text.find(s).unwrap()).unwrap();
        let r = SecretRanges {
            file: "f".to_string(),
            ranges: vec![
                Span::new(at("sécrèt"), at("sécrèt") + "sécrèt".len() as u32),
                Span::new(at("x\ny"), at("x\ny") + 3),
            ],
        };
        assert_eq!(r.mask(text), "a: \"******\"\nb: \"*\n*\" ok");
        assert_eq!(SecretRanges::default().mask(text), text);
    }
}
