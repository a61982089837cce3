//! Fixes: text edits a rule attaches to its diagnostic, computed from the
//! source spans of the file the finding is in, in that file's language —
//! JSON for a JSON template, Bicep for a `.bicep` template (whose nodes
//! span the Bicep text).
//!
//! A fix is offered only when the text at the finding is exactly a shape
//! the fix knows (a string literal, an object literal written in the
//! file, one `.clientId` access…): never a guess. For Bicep that means the
//! node's span must be the Bicep construct to edit — a value that came
//! from lowering (a synthesised member, a loop's rewritten name) gets no
//! fix. Views of a template taken from a variable get none either (their
//! spans are in unescaped text).
//!
//! [`apply`] applies fixes to a text (the CLI's `--fix`, the wasm bridge).

use crate::finding::{Edit, Fix, FixSafety};
use crate::model::Location;
use crate::source::{Document, Kind, Member, NodeId, Span};
use crate::template::{FileId, Files};

/// The placeholder a fix writes where a person must put a real value.
pub const PLACEHOLDER: &str = "TODO";

/// A fix as a rule makes it: edits by byte span in the diagnostic's file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleFix {
    pub title: String,
    pub safety: FixSafety,
    pub edits: Vec<SpanEdit>,
}

/// Replace the bytes of `span` with `replacement`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpanEdit {
    pub span: Span,
    pub replacement: String,
}

impl RuleFix {
    /// The fix with ranges, if its edits are sound for `file`: in a whole
    /// file (not a view), inside the text, on character boundaries, and
    /// not overlapping each other.
    pub(crate) fn place(mut self, files: &Files, file: FileId) -> Option<Fix> {
        let entry = files.get(file)?;
        if !entry.pointer_prefix.is_empty() || self.edits.is_empty() {
            return None;
        }
        self.edits.sort_by_key(|e| (e.span.start, e.span.end));
        let mut end = 0;
        for (i, e) in self.edits.iter().enumerate() {
            let (s, t) = (e.span.start as usize, e.span.end as usize);
            let sound = s <= t
                && entry.text.is_char_boundary(s)
                && entry.text.is_char_boundary(t)
                && (i == 0 || s >= end);
            if !sound {
                return None;
            }
            end = t.max(end);
        }
        Some(Fix {
            title: self.title,
            safety: self.safety,
            edits: self
                .edits
                .into_iter()
                .map(|e| Edit {
                    range: files.range(file, e.span),
                    replacement: e.replacement,
                })
                .collect(),
        })
    }
}

/// The result of [`apply`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    pub text: String,
    /// How many fixes were applied.
    pub applied: usize,
    /// Fixes left out because they overlap one applied before them (a
    /// later round, after a re-check, may apply them).
    pub overlapping: usize,
}

/// Applies `fixes` (edits by byte offset, as in [`Edit::range`]) to
/// `text`, in order: a fix whose edits overlap an edit of a fix already
/// taken, or fall outside the text, is left out whole. Two insertions at
/// one offset overlap.
pub fn apply(text: &str, fixes: &[&Fix]) -> Applied {
    let mut taken: Vec<(usize, usize, &str)> = Vec::new();
    let mut out = Applied::default();
    for fix in fixes {
        let spans: Vec<(usize, usize, &str)> = fix
            .edits
            .iter()
            .map(|e| {
                (
                    e.range.start.offset as usize,
                    e.range.end.offset as usize,
                    e.replacement.as_str(),
                )
            })
            .collect();
        let fits = spans.iter().all(|&(s, e, _)| {
            s <= e
                && text.is_char_boundary(s)
                && text.is_char_boundary(e)
                && e <= text.len()
                && !taken
                    .iter()
                    .any(|&(ts, te, _)| (s < te && ts < e) || s == ts)
        });
        let own_overlap = spans.iter().enumerate().any(|(i, &(s, e, _))| {
            spans
                .iter()
                .skip(i + 1)
                .any(|&(ts, te, _)| (s < te && ts < e) || s == ts)
        });
        if fits && !own_overlap {
            taken.extend(spans);
            out.applied += 1;
        } else {
            out.overlapping += 1;
        }
    }
    taken.sort_by_key(|&(s, e, _)| (s, e));
    let mut at = 0;
    let mut result = String::with_capacity(text.len() + 64);
    for (s, e, r) in taken {
        result.push_str(text.get(at..s).unwrap_or(""));
        result.push_str(r);
        at = e;
    }
    result.push_str(text.get(at..).unwrap_or(""));
    out.text = result;
    out
}

/// A file as a fix sees it: its document, text and language.
pub(crate) struct Src<'a> {
    pub doc: &'a Document,
    pub text: &'a str,
    /// Bicep text (the document was lowered from it), else JSON.
    pub bicep: bool,
}

impl<'a> Src<'a> {
    /// The file of `loc`, unless it is a view of part of a file.
    pub fn of(files: &'a Files, file: FileId) -> Option<Src<'a>> {
        let entry = files.get(file)?;
        if !entry.pointer_prefix.is_empty() {
            return None;
        }
        Some(Src {
            doc: &entry.doc,
            text: &entry.text,
            bicep: entry.doc.is_lowered(),
        })
    }

    pub fn slice(&self, span: Span) -> Option<&'a str> {
        self.text.get(span.start as usize..span.end as usize)
    }

    /// The object holding `node` as a member's value, and that member.
    pub fn member_of(&self, node: NodeId) -> Option<(NodeId, &'a Member)> {
        let parent = self.doc.node(node).parent?;
        let m = self.doc.members(parent).iter().find(|m| m.value == node)?;
        Some((parent, m))
    }

    /// Whether the member's key is written at its key span (not made by
    /// lowering).
    pub fn key_written(&self, m: &Member) -> bool {
        let Some(raw) = self.slice(m.key_span) else {
            return false;
        };
        let raw = raw
            .strip_prefix(['"', '\''])
            .and_then(|r| r.strip_suffix(['"', '\'']))
            .unwrap_or(raw);
        raw == &*m.key
    }

    /// Whether `node` is an object literal written in the file.
    pub fn object_literal(&self, node: NodeId) -> bool {
        matches!(self.doc.kind(node), Kind::Object(_))
            && self
                .slice(self.doc.span(node))
                .is_some_and(|t| t.starts_with('{') && t.ends_with('}'))
    }

    /// Whether `node` is a string literal written in the file (in JSON not
    /// an expression): its text as written.
    pub fn string_literal(&self, node: NodeId) -> Option<&'a str> {
        let Kind::String(s) = self.doc.kind(node) else {
            return None;
        };
        let raw = self.slice(self.doc.span(node))?;
        let ok = if self.bicep {
            raw.starts_with('\'') && raw.ends_with('\'') && !raw.contains("${")
        } else {
            raw.starts_with('"') && !s.starts_with('[')
        };
        ok.then_some(raw)
    }

    /// The whitespace before `offset` on its line, when nothing else
    /// precedes it there. Looks only at that whitespace (a minified file's
    /// one long line is not scanned for every fix).
    pub fn own_line_indent(&self, offset: u32) -> Option<&'a str> {
        let bytes = self.text.as_bytes();
        let end = (offset as usize).min(bytes.len());
        let mut start = end;
        while start > 0 && matches!(bytes.get(start - 1), Some(b' ' | b'\t')) {
            start -= 1;
        }
        let at_line_start = start == 0 || matches!(bytes.get(start - 1), Some(b'\n' | b'\r'));
        at_line_start.then(|| self.text.get(start..end)).flatten()
    }

    /// The start of the line holding `offset` (from the document's line
    /// index: no scan of the line).
    fn line_start_of(&self, offset: u32) -> usize {
        let lines = self.doc.lines();
        let line = lines.line_col(self.text, offset).line;
        lines.line_start(line).unwrap_or(0) as usize
    }

    /// The leading whitespace of the line holding `offset`.
    pub fn line_indent(&self, offset: u32) -> &'a str {
        let start = self.line_start_of(offset);
        let line = self.text.get(start..).unwrap_or("");
        let n = line.len() - line.trim_start_matches([' ', '\t']).len();
        line.get(..n).unwrap_or("")
    }

    /// The line break the text uses: that of its first line.
    pub fn eol(&self) -> &'static str {
        let first_end = self.doc.lines().line_start(2).map(|s| s as usize);
        match first_end {
            Some(e) if e >= 2 && self.text.as_bytes().get(e - 2) == Some(&b'\r') => "\r\n",
            _ => "\n",
        }
    }

    /// One level of indentation as the text uses it: the smallest indent
    /// of a line among the first 2,000 (a tab if lines are indented with
    /// tabs); two spaces when no line is indented. Reads each line's
    /// leading whitespace only.
    pub fn indent_unit(&self) -> String {
        let lines = self.doc.lines();
        let mut smallest: Option<&str> = None;
        for n in 1..=lines.line_count().min(2000) {
            let Some(start) = lines.line_start(n as u32) else {
                break;
            };
            let line = self.text.get(start as usize..).unwrap_or("");
            let rest = line.trim_start_matches([' ', '\t']);
            let indent = line.get(..line.len() - rest.len()).unwrap_or("");
            // A blank line (or the end) says nothing about indentation.
            if indent.is_empty() || rest.is_empty() || rest.starts_with(['\n', '\r']) {
                continue;
            }
            if indent.starts_with('\t') {
                return "\t".to_string();
            }
            if smallest.is_none_or(|s| indent.len() < s.len()) {
                smallest = Some(indent);
            }
        }
        smallest.unwrap_or("  ").to_string()
    }

    /// A string literal of the language.
    pub fn string(&self, s: &str) -> String {
        if self.bicep {
            let escaped = s
                .replace('\\', "\\\\")
                .replace('\'', "\\'")
                .replace("${", "\\${");
            format!("'{escaped}'")
        } else {
            serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
        }
    }

    /// An object key of the language (a Bicep key is quoted only when it
    /// is not an identifier).
    pub fn key(&self, k: &str) -> String {
        let identifier = k
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if self.bicep && identifier {
            k.to_string()
        } else {
            self.string(k)
        }
    }

    /// `key: value` (`"key": value` in JSON).
    pub fn member(&self, key: &str, value: &str) -> String {
        format!("{}: {value}", self.key(key))
    }

    /// An edit inserting members (`key`, value text) right after member
    /// `after`'s value, in the layout of `after`: its own line (at its
    /// indentation) or inline after a comma. `None` for a Bicep member
    /// that is not on its own line.
    pub fn insert_after(&self, after: &Member, members: &[(String, String)]) -> Option<SpanEdit> {
        let at = self.doc.span(after.value).end;
        let mut text = String::new();
        match self.own_line_indent(after.key_span.start) {
            Some(indent) => {
                for (k, v) in members {
                    if !self.bicep {
                        text.push(',');
                    }
                    text.push_str(self.eol());
                    text.push_str(indent);
                    text.push_str(&self.member(k, v));
                }
            }
            None => {
                for (k, v) in members {
                    text.push_str(", ");
                    text.push_str(&self.member(k, v));
                }
            }
        }
        Some(SpanEdit {
            span: Span::new(at, at),
            replacement: text,
        })
    }

    /// Edits adding members at the end of object literal `object`.
    pub fn append(&self, object: NodeId, members: &[(String, String)]) -> Option<Vec<SpanEdit>> {
        if !self.object_literal(object) || members.is_empty() {
            return None;
        }
        if let Some(last) = self.doc.members(object).last() {
            if !self.key_written(last) {
                return None;
            }
            return Some(vec![self.insert_after(last, members)?]);
        }
        // An empty object: `{}` (whitespace between only) gets a body.
        let span = self.doc.span(object);
        let inner = self.slice(Span::new(span.start + 1, span.end.saturating_sub(1)))?;
        if !inner.trim().is_empty() {
            return None;
        }
        Some(vec![SpanEdit {
            span,
            replacement: self.object_text(self.line_indent(span.start), members),
        }])
    }

    /// An object literal on lines of its own, closing at `outer`.
    pub fn object_text(&self, outer: &str, members: &[(String, String)]) -> String {
        let (nl, unit) = (self.eol(), self.indent_unit());
        let sep = if self.bicep {
            nl.to_string()
        } else {
            format!(",{nl}")
        };
        let body: Vec<String> = members
            .iter()
            .map(|(k, v)| format!("{outer}{unit}{}", self.member(k, v)))
            .collect();
        format!("{{{nl}{}{nl}{outer}}}", body.join(&sep))
    }
}

/// `expression`, in the language of `src`, as a property value: JSON
/// wraps it as an ARM expression string.
pub(crate) fn expression_value(src: &Src<'_>, expression: &str) -> String {
    if src.bicep {
        expression.to_string()
    } else {
        src.string(&format!("[{expression}]"))
    }
}

/// The expression a value node is, as an argument of a function call in
/// the language of `src`: a JSON expression string without its brackets,
/// a JSON string literal quoted ARM's way, a Bicep expression as written.
pub(crate) fn argument(src: &Src<'_>, node: NodeId) -> Option<String> {
    if src.bicep {
        let raw = src.slice(src.doc.span(node))?.trim();
        return (!raw.is_empty()).then(|| raw.to_string());
    }
    let s = src.doc.as_str(node)?;
    if s.starts_with("[[") {
        return Some(format!("'{}'", s.get(1..)?.replace('\'', "''")));
    }
    match s.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        Some(expr) if !expr.trim().is_empty() => Some(expr.trim().to_string()),
        Some(_) => None,
        None => Some(format!("'{}'", s.replace('\'', "''"))),
    }
}

/// MI401: in the value at `loc`, the one `.from` property access of an
/// identity reference (`reference(…).clientId`, `….properties.clientId`)
/// becomes `.to`. `None` unless there is exactly one.
pub(crate) fn swap_id_property(
    files: &Files,
    loc: Location,
    from: &str,
    to: &str,
) -> Option<RuleFix> {
    let src = Src::of(files, loc.file)?;
    let span = src.doc.span(loc.node);
    let raw = src.slice(span)?;
    let json_expression =
        matches!(src.doc.kind(loc.node), Kind::String(_)) && raw.starts_with("\"[");
    if !(src.bicep || json_expression) {
        return None;
    }
    let needle = format!(".{}", from.to_ascii_lowercase());
    let lower = raw.to_ascii_lowercase();
    let mut hits = Vec::new();
    let mut from_at = 0;
    while let Some(i) = lower.get(from_at..).and_then(|r| r.find(&needle)) {
        let at = from_at + i;
        from_at = at + needle.len();
        let after = lower.get(from_at..).and_then(|r| r.chars().next());
        if after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let before = lower.get(..at).unwrap_or("");
        if before.ends_with(')') || before.ends_with("properties") {
            hits.push(at);
        }
    }
    let [at] = hits.as_slice() else {
        return None;
    };
    let start = span.start + u32::try_from(*at).ok()?;
    let len = u32::try_from(needle.len()).ok()?;
    Some(RuleFix {
        title: format!("Use .{to} instead of .{from}"),
        safety: FixSafety::Safe,
        edits: vec![SpanEdit {
            span: Span::new(start, start + len),
            replacement: format!(".{to}"),
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Position, Range};

    fn fix(edits: &[(u32, u32, &str)]) -> Fix {
        let pos = |offset| Position {
            line: 1,
            column: 1,
            utf16_column: 1,
            offset,
        };
        Fix {
            title: "t".into(),
            safety: FixSafety::Safe,
            edits: edits
                .iter()
                .map(|&(s, e, r)| Edit {
                    range: Range {
                        start: pos(s),
                        end: pos(e),
                    },
                    replacement: r.into(),
                })
                .collect(),
        }
    }

    #[test]
    fn overlapping_fixes_are_left_for_a_later_round() {
        let text = "abcdef";
        let (a, b, c) = (
            fix(&[(1, 3, "X")]),
            fix(&[(2, 4, "Y")]),
            fix(&[(4, 4, "+"), (6, 6, "!")]),
        );
        let out = apply(text, &[&a, &b, &c]);
        assert_eq!(out.text, "aXd+ef!");
        assert_eq!((out.applied, out.overlapping), (2, 1));
        // Two insertions at one place overlap; a fix outside the text is left out.
        let out = apply(
            text,
            &[
                &fix(&[(0, 0, "1")]),
                &fix(&[(0, 0, "2")]),
                &fix(&[(3, 9, "")]),
            ],
        );
        assert_eq!(out.text, "1abcdef");
        assert_eq!(out.overlapping, 2);
    }
}
