//! The glue between the check API and Bicep: reading a `.bicep` template
//! or a `.bicepparam` file into a document, reading its modules, notes for
//! the report, and in-source line suppressions.

use super::{LowerNote, ModuleRef, modules};
use crate::finding::{FileError, FileNote, Suppression};
use crate::model::Location;
use crate::source::{Document, LineIndex};
use crate::template::{FileId, Files};

/// A `.bicep` template read for a check.
pub(crate) struct BicepTemplate {
    pub doc: Document,
    /// Bicep's first syntax error: the file is invalid, but what parsed is
    /// checked (an editor shows findings while the user types).
    pub error: Option<FileError>,
    pub modules: Vec<ModuleRef>,
    pub notes: Vec<FileNote>,
}

/// The directory part of a path, with a trailing `/` (or empty).
pub(crate) fn dir_of(path: &str) -> String {
    match path.rsplit_once(['/', '\\']) {
        Some((d, _)) => format!("{d}/"),
        None => String::new(),
    }
}

/// The path of directory `to` relative to directory `from` (both with a
/// trailing `/` or empty, relative to the same root).
pub(crate) fn relative_dir(from: &str, to: &str) -> String {
    let f: Vec<&str> = from.split(['/', '\\']).filter(|s| !s.is_empty()).collect();
    let t: Vec<&str> = to.split(['/', '\\']).filter(|s| !s.is_empty()).collect();
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut out = String::new();
    for _ in common..f.len() {
        out.push_str("../");
    }
    for seg in t.iter().skip(common) {
        out.push_str(seg);
        out.push('/');
    }
    out
}

/// A file error at a byte offset of `text` (Bicep's line counting).
fn error_at(text: &str, offset: u32, message: String) -> FileError {
    let lc = LineIndex::with_lone_cr(text).line_col(text, offset);
    FileError {
        message,
        line: lc.line,
        column: lc.column_chars,
    }
}

/// A note at a byte offset of `text`, whose line index is `lines` (the
/// lowered document's: built once per file, not once per note).
fn note_at(file: &str, text: &str, lines: &LineIndex, offset: u32, message: String) -> FileNote {
    let lc = lines.line_col(text, offset);
    FileNote {
        file: file.to_string(),
        line: lc.line,
        column: lc.column_chars,
        message,
    }
}

/// Lowers the template at `path`. `resolve` reads files relative to its
/// directory (for `load*Content()`). `Err` when the file cannot be checked
/// at all (it expands beyond the lowering's budget).
pub(crate) fn read_template(
    path: &str,
    text: &str,
    resolve: &dyn Fn(&str) -> Option<String>,
) -> Result<BicepTemplate, FileError> {
    let load = |p: &str| -> Option<String> {
        if modules::is_absolute(p) || p.contains("://") {
            return None;
        }
        resolve(&crate::path::normalize_path(p))
    };
    let lowered = super::lower_bicep(text, &load);
    if lowered.exhausted {
        return Err(error_at(
            text,
            0,
            "the Bicep file expands beyond what idguard lowers (names or IDs built from each other too many times); it is not checked".into(),
        ));
    }
    let error = lowered.diagnostics.first().map(|d| {
        let (message, line, column) = super::describe_diagnostic(text, d);
        FileError {
            message,
            line,
            column,
        }
    });
    let notes = lowered
        .notes
        .iter()
        .map(|n: &LowerNote| {
            note_at(
                path,
                text,
                lowered.doc.lines(),
                n.span.start,
                n.message.clone(),
            )
        })
        .collect();
    Ok(BicepTemplate {
        doc: lowered.doc,
        error,
        modules: lowered.modules,
        notes,
    })
}

/// Reads a `.bicepparam` parameter file: its lowered document, and the
/// first syntax error of one that still lowered. (A JSON parameter file
/// is read by the API.)
pub(crate) fn read_bicepparam(
    path: &str,
    text: &str,
    template_path: &str,
    resolve: &dyn Fn(&str) -> Option<String>,
    notes: &mut Vec<FileNote>,
) -> (Document, Option<FileError>) {
    // Files the parameter file names, relative to it, as the
    // resolver takes them: relative to the template's directory.
    let prefix = relative_dir(&dir_of(template_path), &dir_of(path));
    let load = |p: &str| -> Option<String> {
        if modules::is_absolute(p) || p.contains("://") {
            return None;
        }
        resolve(&crate::path::normalize_path(&format!("{prefix}{p}")))
    };
    let lowered = super::params::lower_bicepparam(text, &load);
    for n in &lowered.notes {
        notes.push(note_at(
            path,
            text,
            lowered.doc.lines(),
            n.span.start,
            n.message.clone(),
        ));
    }
    let error = lowered.diagnostics.first().map(|d| {
        let (message, line, column) = super::describe_diagnostic(text, d);
        FileError {
            message,
            line,
            column,
        }
    });
    (lowered.doc, error)
}

/// Reads the modules of the Bicep template `root`; notes go to `notes`.
/// `Err` for a module cycle.
pub(crate) fn load_modules(
    files: &mut Files,
    root: FileId,
    template: &BicepTemplate,
    resolve: &dyn Fn(&str) -> Option<String>,
    notes: &mut Vec<FileNote>,
) -> Result<(), FileError> {
    let loaded = modules::load(files, root, &template.modules, resolve);
    for n in loaded.notes {
        if let Some(e) = files.get(n.file) {
            notes.push(note_at(
                &e.path,
                &e.text,
                e.doc.lines(),
                n.span.start,
                n.message,
            ));
        }
    }
    if let Some(cycle) = loaded.cycle {
        let text = files.get(root).map(|e| e.text.clone());
        return Err(match text {
            Some(t) => error_at(&t, cycle.span.start, cycle.message()),
            None => FileError {
                message: cycle.message(),
                line: 1,
                column: 1,
            },
        });
    }
    Ok(())
}

/// The strings of a lowered node and its descendants (its ARM
/// expressions), lowercased: what a finding's value says in ARM terms.
pub(crate) fn lowered_text(doc: &Document, node: crate::source::NodeId) -> String {
    let mut out = String::new();
    let mut stack = vec![node];
    let mut seen = 0;
    while let Some(n) = stack.pop() {
        seen += 1;
        if seen > 10_000 {
            break;
        }
        if let Some(s) = doc.as_str(n) {
            out.push('\u{0}');
            out.push_str(&s.to_ascii_lowercase());
        }
        stack.extend(doc.members(n).iter().map(|m| m.value));
        stack.extend(doc.items(n).iter().copied());
    }
    out
}

/// A `#disable-next-line` suppression of the finding at `location`.
pub(crate) fn line_suppression(
    files: &Files,
    location: Location,
    rule: (&str, &str),
) -> Option<Suppression> {
    let entry = files.get(location.file)?;
    let suppressions = entry.doc.line_suppressions();
    if suppressions.is_empty() {
        return None;
    }
    let line = entry
        .doc
        .lines()
        .line_col(&entry.text, location.span.start)
        .line;
    super::suppress::find(suppressions, line, rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_directories() {
        assert_eq!(relative_dir("infra/", "infra/"), "");
        assert_eq!(relative_dir("infra/", "infra/env/"), "env/");
        assert_eq!(relative_dir("infra/", "params/"), "../params/");
        assert_eq!(relative_dir("", "a/b/"), "a/b/");
        assert_eq!(relative_dir("a/b/", ""), "../../");
        assert_eq!(dir_of("a\\b.bicep"), "a/");
    }
}
