//! The pure steps between per-template results and the report of a run,
//! shared by the CLI and the npm package's `idguard` command (through the
//! wasm bridge), so that both list files, apply a baseline and keep the
//! texts of code frames alike: one report per file
//! ([`dedup_files`]), the report of an unpaired parameter file
//! ([`unpaired_parameters`]), a baseline's fingerprints
//! ([`fingerprints_of`]), and the texts frames show, secrets masked
//! ([`frame_sources`], [`merge_frames`]).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use idguard_core::api::{Language, SourceFile, TemplateResult};
use idguard_core::finding::{FileError, FileKind, FileNote, FileReport};

/// The texts a code frame may show for one template's result, every secret
/// the core found in them masked (frames never show a secret): the
/// template's own when it has errors or notes (or findings, when the
/// output shows frames), and the modules and linked templates findings or
/// notes point into. Never a parameter file's text: it may hold secrets.
///
/// Only the lines a frame shows are kept (the others are emptied, their
/// line ends kept so that line numbers hold): what a run holds for frames
/// grows with its findings, not with the size of the templates that have
/// them.
///
/// `text_of` gives the text of a file the check read for the template (a
/// module, a linked template) by the name findings show it under.
pub fn frame_sources(
    result: &TemplateResult,
    text_of: &dyn Fn(&str) -> Option<String>,
    template: SourceFile,
    frames: bool,
) -> Vec<(String, String)> {
    let noted = result
        .files
        .iter()
        .any(|f| f.error.is_some() || !f.notes.is_empty());
    let keep = noted || (frames && !result.findings.is_empty());
    // The lines frames show, by file.
    let mut shown: HashMap<&str, BTreeSet<u32>> = HashMap::new();
    if frames {
        for f in &result.findings {
            let lines = f.range.start.line..=f.range.end.line.max(f.range.start.line);
            shown.entry(f.file.as_str()).or_default().extend(lines);
        }
    }
    for r in &result.files {
        if let Some(e) = &r.error {
            shown.entry(r.path.as_str()).or_default().insert(e.line);
        }
        for n in &r.notes {
            shown.entry(n.file.as_str()).or_default().insert(n.line);
        }
    }
    let kept = |file: &str, text: String| -> String {
        let masked = match result.secrets.iter().find(|s| s.file == file) {
            Some(secrets) => secrets.mask(&text),
            None => text,
        };
        let masked = bicep_line_breaks(file, masked);
        match shown.get(file) {
            Some(lines) => only_lines(&masked, lines),
            None => masked,
        }
    };
    let mut sources: Vec<(String, String)> = Vec::new();
    let findings = result.findings.iter().filter(|_| frames).map(|f| &f.file);
    let notes = result
        .files
        .iter()
        .flat_map(|r| r.notes.iter().map(|n| &n.file));
    for file in findings.chain(notes) {
        if *file != template.path
            && Language::of_path(file) != Language::BicepParam
            && !sources.iter().any(|(p, _)| p == file)
            && let Some(text) = text_of(file)
        {
            sources.push((file.clone(), kept(file, text)));
        }
    }
    if keep {
        let text = kept(&template.path, template.text);
        sources.push((template.path, text));
    }
    sources
}

/// A Bicep file's text with each lone `\r` written `\r\n`: Bicep (and
/// the core's line index for Bicep) breaks lines there, so finding
/// positions count those lines, while frames split at `\n`. JSON counts
/// only `\n` and is returned as it is.
pub fn bicep_line_breaks(file: &str, text: String) -> String {
    if !matches!(
        Language::of_path(file),
        Language::Bicep | Language::BicepParam
    ) || !text.contains('\r')
    {
        return text;
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 16);
    for (i, c) in text.char_indices() {
        out.push(c);
        if c == '\r' && bytes.get(i + 1) != Some(&b'\n') {
            out.push('\n');
        }
    }
    out
}

/// Two kept copies of one file's text (see [`only_lines`]) as one: each
/// line as either shows it, and a character masked (`*`) in either is
/// masked in the result (masking keeps the number of characters, so the
/// copies of a line differ only by masks or by being emptied).
pub fn merge_frames(a: &str, b: &str) -> String {
    let mut out = String::with_capacity(a.len().max(b.len()));
    let mut bl = b.split('\n');
    for (i, la) in a.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let lb = bl.next().unwrap_or("");
        let (ta, tb) = (la.trim_end_matches('\r'), lb.trim_end_matches('\r'));
        if tb.is_empty() {
            out.push_str(la);
        } else if ta.is_empty() {
            out.push_str(lb);
        } else if ta.chars().count() == tb.chars().count() {
            out.extend(ta.chars().zip(tb.chars()).map(
                |(x, y)| {
                    if x == '*' || y == '*' { '*' } else { x }
                },
            ));
            if la.ends_with('\r') {
                out.push('\r');
            }
        } else {
            // Not two copies of one line: show neither rather than guess.
            if la.ends_with('\r') {
                out.push('\r');
            }
        }
    }
    out
}

/// `text` with every line not in `lines` (1-based, split at `\n` as the
/// text renderer splits them) emptied; line ends are kept.
pub fn only_lines(text: &str, lines: &BTreeSet<u32>) -> String {
    let mut out = String::with_capacity(
        lines.len() * 120 + memchr::memchr_iter(b'\n', text.as_bytes()).count(),
    );
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if lines.contains(&n) {
            out.push_str(line);
        } else if line.ends_with('\r') {
            out.push('\r');
        }
    }
    out
}

/// One report per path: a file checked as a parameter file of two
/// templates is listed once, with its error if any evaluation found one.
pub fn dedup_files(files: Vec<FileReport>) -> Vec<FileReport> {
    let mut by_path: BTreeMap<String, FileReport> = BTreeMap::new();
    for f in files {
        match by_path.get_mut(&f.path) {
            Some(existing) => {
                if existing.error.is_none() && f.error.is_some() {
                    existing.error = f.error;
                }
                for p in f.parameter_files {
                    if !existing.parameter_files.contains(&p) {
                        existing.parameter_files.push(p);
                    }
                }
                for n in f.notes {
                    if !existing.notes.contains(&n) {
                        existing.notes.push(n);
                    }
                }
            }
            None => {
                by_path.insert(f.path.clone(), f);
            }
        }
    }
    by_path.into_values().collect()
}

/// The report of a parameter file no checked template claims. Not checked
/// with a template, but one that does not parse is still an error, not a
/// skip; a `.bicepparam` file also says which template it was waiting for.
pub fn unpaired_parameters(path: &str, text: &str) -> FileReport {
    let (error, notes) = if Language::of_path(path) == Language::BicepParam {
        let lowered = idguard_core::bicep::params::lower_bicepparam(text, &|_| None);
        let error = lowered.diagnostics.first().map(|d| {
            let (message, line, column) = idguard_core::bicep::describe_diagnostic(text, d);
            FileError {
                message,
                line,
                column,
            }
        });
        let using = match &lowered.using {
            Some(u) => {
                format!("the template its `using` names ('{u}') is not among the checked files")
            }
            None => "it names no template (`using none`, or no `using`)".to_string(),
        };
        let note = FileNote {
            file: path.to_string(),
            line: 1,
            column: 1,
            message: format!("not checked: {using}"),
        };
        (error, vec![note])
    } else {
        (
            idguard_core::api::file_error_of(text, FileKind::Parameters),
            Vec::new(),
        )
    };
    FileReport {
        path: path.to_string(),
        kind: FileKind::Parameters,
        error,
        parameter_files: Vec::new(),
        notes,
    }
}

/// The fingerprints of a baseline: a JSON report
/// (`findings[].fingerprint`) or a SARIF log
/// (`runs[].results[].partialFingerprints`); `None` for anything else.
pub fn fingerprints_of(value: &serde_json::Value) -> Option<HashSet<String>> {
    let mut out = HashSet::new();
    if let Some(findings) = value.get("findings").and_then(|f| f.as_array()) {
        for f in findings {
            if let Some(fp) = f.get("fingerprint").and_then(|v| v.as_str()) {
                out.insert(fp.to_string());
            }
        }
        return Some(out);
    }
    let runs = value.get("runs")?.as_array()?;
    for run in runs {
        for result in run
            .get("results")
            .and_then(|r| r.as_array())
            .into_iter()
            .flatten()
        {
            if let Some(fp) = result
                .get("partialFingerprints")
                .and_then(|p| p.get(crate::sarif::FINGERPRINT_KEY))
                .and_then(|v| v.as_str())
            {
                out.insert(fp.to_string());
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_carriage_returns_break_bicep_lines_only() {
        assert_eq!(
            bicep_line_breaks("a/main.bicep", "one\rtwo\r\nthree\r".into()),
            "one\r\ntwo\r\nthree\r\n"
        );
        assert_eq!(
            bicep_line_breaks("a/dev.bicepparam", "x\ry".into()),
            "x\r\ny"
        );
        assert_eq!(
            bicep_line_breaks("a/main.json", "one\rtwo".into()),
            "one\rtwo"
        );
    }

    #[test]
    fn merged_frames_show_both_and_mask_either() {
        let a = "line one\n\nsecret: abc\n";
        let b = "\nline two\nsecret: a**\n";
        assert_eq!(merge_frames(a, b), "line one\nline two\nsecret: a**\n");
        assert_eq!(merge_frames(b, a), "line one\nline two\nsecret: a**\n");
    }

    #[test]
    fn frames_keep_only_the_lines_they_show() {
        let text = "a\r\nsecond\r\nthird\nfourth";
        let lines = BTreeSet::from([2u32, 4]);
        let kept = only_lines(text, &lines);
        assert_eq!(kept, "\r\nsecond\r\n\nfourth");
        assert_eq!(kept.matches('\n').count(), text.matches('\n').count());
    }

    #[test]
    fn baseline_fingerprints_from_report_and_sarif() {
        let report = serde_json::json!({"version": 1, "findings": [{"fingerprint": "a"}, {"fingerprint": "b"}]});
        assert_eq!(fingerprints_of(&report).unwrap().len(), 2);
        let sarif = serde_json::json!({"runs": [{"results": [
            {"partialFingerprints": {"idguardFingerprint/v1": "c"}},
            {"partialFingerprints": {"other/v1": "d"}}
        ]}]});
        let got = fingerprints_of(&sarif).unwrap();
        assert!(got.contains("c") && got.len() == 1);
        assert!(fingerprints_of(&serde_json::json!({"x": 1})).is_none());
    }
}
