//! Findings that come from outside the built-in rules (policy plugins):
//! which file and node they name, then placed by [`crate::place`] exactly
//! as a built-in finding is (range, fingerprint, suppressions).

use crate::finding::{Finding, Severity};
use crate::model::Model;
use crate::place::{Draft, Judge, resolve_pointer, resource_at};
use crate::source::NodeId;
use crate::template::{FileId, Files};

/// A finding from outside the built-in rules (a policy plugin), before the
/// engine places it: the engine maps its pointer to a range, fingerprints
/// it and applies suppressions as for a built-in finding.
#[derive(Clone, Debug, PartialEq)]
pub struct ExternalFinding {
    /// The full code, already prefixed with the plugin's name
    /// (`cost/CC001`).
    pub code: String,
    /// Kebab-case rule name.
    pub name: String,
    pub severity: Severity,
    pub message: String,
    pub help: String,
    /// The file, as the model JSON names it; `None` is the template.
    pub file: Option<String>,
    /// JSON pointer in that file. A pointer that leads nowhere is placed on
    /// the deepest value that exists along it.
    pub pointer: String,
    pub doc_url: Option<String>,
}

/// The file entry a finding names: the whole file (not a view of part of
/// it) with that path; the evaluation's template when `file` is `None` or
/// names no file of the evaluation.
fn file_of(files: &Files, model: &Model<'_>, file: Option<&str>) -> FileId {
    let root = model.eval.deployments.first().map_or(0, |d| d.file);
    let Some(name) = file else {
        return root;
    };
    files
        .entries
        .iter()
        .position(|e| e.path == name && e.pointer_prefix.is_empty())
        .unwrap_or(root)
}

/// A located, fingerprinted, possibly suppressed finding.
pub(crate) fn to_finding(
    files: &Files,
    model: &Model<'_>,
    x: &ExternalFinding,
    judge: Judge<'_>,
) -> Finding {
    let file = file_of(files, model, x.file.as_deref());
    let Some(entry) = files.get(file) else {
        // No file to place it in (cannot happen for a checked template):
        // the plugin's own file and pointer, at line 1.
        let location = crate::model::Location {
            file,
            node: NodeId(0),
            span: Default::default(),
        };
        let mut f = crate::place::place(files, model, draft(x, location, None), judge);
        f.file = x.file.clone().unwrap_or_default();
        f.pointer = x.pointer.clone();
        f.fingerprint = crate::place::fingerprint_of(&x.code, &f.file, &f.pointer, false);
        return f;
    };
    let node = resolve_pointer(&entry.doc, &x.pointer);
    let location = crate::model::Location {
        file,
        node,
        span: entry.doc.span(node),
    };
    let resource = resource_at(model, file, node);
    crate::place::place(files, model, draft(x, location, resource), judge)
}

fn draft(
    x: &ExternalFinding,
    location: crate::model::Location,
    resource: Option<usize>,
) -> Draft<'_> {
    Draft {
        code: &x.code,
        name: &x.name,
        severity: x.severity,
        message: x.message.clone(),
        help: x.help.clone(),
        doc_url: x.doc_url.clone(),
        location,
        resource,
        info: false,
        related: Vec::new(),
        fix: None,
    }
}
