//! Placing findings that come from outside the built-in rules (policy
//! plugins): pointer → node → range, the resource the finding is about,
//! fingerprint and suppressions, exactly as for a built-in finding.

use crate::api::{CheckOptions, ExternalFinding, fingerprint, range, suppression_for};
use crate::finding::Finding;
use crate::model::Model;
use crate::source::{Document, NodeId};
use crate::template::{FileId, Files};

/// Decodes one RFC 6901 segment (`~1` → `/`, `~0` → `~`).
fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// The node a JSON pointer names, or the deepest node that exists along it
/// (the root for a pointer that is not one).
pub fn resolve_pointer(doc: &Document, pointer: &str) -> NodeId {
    match pointer.strip_prefix('/') {
        Some(rest) => doc.deepest(doc.root(), rest.split('/').map(unescape)),
        None => doc.root(),
    }
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

/// The resource whose object holds `node` in `file` (the innermost).
fn resource_at(model: &Model<'_>, file: FileId, node: NodeId) -> Option<usize> {
    let doc = &model.files.get(file)?.doc;
    let mut current = Some(node);
    while let Some(n) = current {
        if let Some(i) = model
            .eval
            .resources
            .iter()
            .position(|r| r.file == file && r.node == n)
        {
            return Some(i);
        }
        current = doc.node(n).parent;
    }
    None
}

/// A located, fingerprinted, possibly suppressed finding.
pub fn to_finding(
    files: &Files,
    model: &Model<'_>,
    x: &ExternalFinding,
    options: &CheckOptions<'_>,
) -> Finding {
    let file = file_of(files, model, x.file.as_deref());
    let (path, node, span) = match files.get(file) {
        Some(entry) => {
            let node = resolve_pointer(&entry.doc, &x.pointer);
            (entry.path.clone(), node, entry.doc.span(node))
        }
        None => (
            x.file.clone().unwrap_or_default(),
            NodeId(0),
            Default::default(),
        ),
    };
    let pointer = files
        .get(file)
        .map(|e| e.pointer(node))
        .unwrap_or_else(|| x.pointer.clone());
    let parameters_file = model
        .parameter_file
        .and_then(|p| files.get(p))
        .map(|e| e.path.clone());
    let mut help = x.help.clone();
    let resource = resource_at(model, file, node);
    let location = crate::model::Location { file, node, span };
    let suppression = crate::bicep::check::line_suppression(files, location, (&x.code, &x.name))
        .or_else(|| {
            suppression_for(
                files,
                model,
                (&x.code, &x.name),
                resource,
                file,
                options,
                &mut help,
            )
        });
    Finding {
        code: x.code.clone(),
        name: x.name.clone(),
        severity: x.severity,
        message: x.message.clone(),
        help,
        fingerprint: fingerprint(&format!("{}\u{0}{}\u{0}{}", x.code, path, pointer)),
        file: path,
        pointer,
        range: range(files, file, span),
        parameters_file,
        related: Vec::new(),
        suppression,
        doc_url: x.doc_url.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_resolve_to_the_deepest_existing_node() {
        let doc = Document::parse(r#"{"a": {"b/c": [1, {"d~e": 2}]}}"#).unwrap();
        let at = |p: &str| doc.pointer(resolve_pointer(&doc, p));
        assert_eq!(at(""), "");
        assert_eq!(at("/a/b~1c/1/d~0e"), "/a/b~1c/1/d~0e");
        assert_eq!(at("/a/b~1c/7"), "/a/b~1c");
        assert_eq!(at("/a/missing/x"), "/a");
        assert_eq!(at("not a pointer"), "");
    }
}
