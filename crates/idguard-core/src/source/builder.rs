//! Building a [`Document`] from something other than JSON text: the Bicep
//! lowering writes the ARM template a `.bicep` file compiles to straight
//! into the arena, every node with the span of the Bicep syntax that
//! produced it, so the layers after the source layer read it exactly as
//! they read a JSON template.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::{Document, Kind, LineIndex, Member, Node, NodeId, Span, null_node};

/// Objects up to this many members find repeated keys by a linear scan.
const LINEAR_SCAN_MEMBERS: usize = 16;

type FastHash = foldhash::fast::RandomState;

/// Longest string interned.
const INTERN_MAX: usize = 64;

/// What a document built from another language carries besides its tree.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SourceExtras {
    /// Resource objects whose source had syntax errors: lowered from what
    /// parsed. Sorted. Rules that report something *missing* stay silent on
    /// them (half-typed text would make them flicker).
    pub incomplete: Vec<NodeId>,
    /// In-source line suppressions (`#disable-next-line MI402` in Bicep).
    pub line_suppressions: Vec<LineSuppression>,
    /// Lowered from another language (Bicep): its text is not the JSON
    /// its nodes hold, and string values of a parameters document may be
    /// expressions (a `.bicepparam`, evaluated on reading).
    pub lowered: bool,
}

/// A comment that silences findings starting on one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineSuppression {
    /// The 1-based line whose findings it silences (the line after the
    /// pragma).
    pub line: u32,
    /// The idguard codes it names (`MI402`; `idguard/MI402` is stored as
    /// `MI402`), as written.
    pub codes: Vec<String>,
    /// Why: the text after the codes, or the pragma itself.
    pub reason: String,
    /// Where the pragma is written.
    pub span: Span,
}

/// Builds a [`Document`] node by node. A container is pushed first (as a
/// placeholder) so its children can name it as their parent, and filled in
/// with [`DocumentBuilder::set_array`] / [`DocumentBuilder::set_object`]
/// once they are built. Strings and keys are interned as the JSON reader
/// interns them (equal expression strings share one parse).
#[derive(Debug, Default)]
pub(crate) struct DocumentBuilder {
    nodes: Vec<Node>,
    strings: HashSet<Rc<str>, FastHash>,
    extras: SourceExtras,
}

impl DocumentBuilder {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// A builder sized for a source text of `len` bytes.
    pub(crate) fn for_text(len: usize) -> Self {
        let mut b = Self::default();
        b.nodes.reserve(len / 24 + 16);
        b.strings.reserve(len / 96 + 16);
        b
    }

    pub(crate) fn intern(&mut self, s: &str) -> Rc<str> {
        // Long strings (expressions, descriptions) seldom repeat: hashing
        // them costs more than it saves.
        if s.len() > INTERN_MAX {
            return Rc::from(s);
        }
        if let Some(rc) = self.strings.get(s) {
            return Rc::clone(rc);
        }
        let rc: Rc<str> = Rc::from(s);
        self.strings.insert(Rc::clone(&rc));
        rc
    }

    /// A node with `kind` (a scalar, or an empty container to be filled in).
    pub(crate) fn push(
        &mut self,
        kind: Kind,
        span: impl Into<Span>,
        parent: Option<NodeId>,
    ) -> NodeId {
        let span = span.into();
        let id = NodeId(u32::try_from(self.nodes.len()).unwrap_or(u32::MAX));
        self.nodes.push(Node { kind, span, parent });
        id
    }

    pub(crate) fn string(
        &mut self,
        s: &str,
        span: impl Into<Span>,
        parent: Option<NodeId>,
    ) -> NodeId {
        let s = self.intern(s);
        self.push(Kind::String(s), span, parent)
    }

    /// A placeholder for a container (filled in later).
    pub(crate) fn open(&mut self, span: impl Into<Span>, parent: Option<NodeId>) -> NodeId {
        self.push(Kind::Null, span, parent)
    }

    pub(crate) fn set_array(&mut self, id: NodeId, items: Vec<NodeId>) {
        if let Some(n) = self.nodes.get_mut(id.index()) {
            n.kind = Kind::Array(items.into_boxed_slice());
        }
    }

    /// Fills in an object. A repeated key (exact match) keeps the slot of
    /// its first occurrence and takes the value and key span of the last,
    /// as the JSON reader resolves it.
    pub(crate) fn set_object(&mut self, id: NodeId, members: Vec<Member>) {
        let members = dedup_members(members);
        if let Some(n) = self.nodes.get_mut(id.index()) {
            n.kind = Kind::Object(members.into_boxed_slice());
        }
    }

    /// A member for [`DocumentBuilder::set_object`].
    pub(crate) fn member(&mut self, key: &str, key_span: impl Into<Span>, value: NodeId) -> Member {
        Member {
            key: self.intern(key),
            key_span: key_span.into(),
            value,
        }
    }

    pub(crate) fn mark_incomplete(&mut self, node: NodeId) {
        self.extras.incomplete.push(node);
    }

    pub(crate) fn mark_lowered(&mut self) {
        self.extras.lowered = true;
    }

    pub(crate) fn add_line_suppression(&mut self, s: LineSuppression) {
        self.extras.line_suppressions.push(s);
    }

    /// The document, rooted at `root`, with `lines` for positions.
    pub(crate) fn finish(mut self, root: NodeId, lines: LineIndex) -> Document {
        self.extras.incomplete.sort_unstable();
        self.extras.incomplete.dedup();
        let extras = if self.extras == SourceExtras::default() {
            None
        } else {
            Some(Rc::new(self.extras))
        };
        Document {
            nodes: self.nodes,
            root,
            lines,
            null: null_node(),
            extras,
        }
    }
}

fn dedup_members(members: Vec<Member>) -> Vec<Member> {
    if members.len() <= LINEAR_SCAN_MEMBERS {
        // Usually no key repeats: keep the vector as it is.
        let repeated = members
            .iter()
            .enumerate()
            .any(|(i, m)| members.iter().take(i).any(|o| o.key == m.key));
        if !repeated {
            return members;
        }
        let mut out: Vec<Member> = Vec::with_capacity(members.len());
        for m in members {
            match out.iter_mut().find(|o| o.key == m.key) {
                Some(slot) => {
                    slot.value = m.value;
                    slot.key_span = m.key_span;
                }
                None => out.push(m),
            }
        }
        return out;
    }
    let mut index: HashMap<Rc<str>, usize, FastHash> = HashMap::default();
    let mut out: Vec<Member> = Vec::with_capacity(members.len());
    for m in members {
        match index.get(&m.key).and_then(|i| out.get_mut(*i)) {
            Some(slot) => {
                slot.value = m.value;
                slot.key_span = m.key_span;
            }
            None => {
                index.insert(Rc::clone(&m.key), out.len());
                out.push(m);
            }
        }
    }
    out
}

impl From<idguard_bicep::Span> for Span {
    fn from(s: idguard_bicep::Span) -> Span {
        Span::new(s.start, s.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_document_that_reads_like_a_parsed_one() {
        let mut b = DocumentBuilder::new();
        let root = b.open(Span::new(0, 10), None);
        let one = b.push(Kind::Int(1), Span::new(1, 2), Some(root));
        let arr = b.open(Span::new(3, 8), Some(root));
        let s = b.string("[x]", Span::new(4, 7), Some(arr));
        b.set_array(arr, vec![s]);
        let two = b.push(Kind::Int(2), Span::new(8, 9), Some(root));
        let m1 = b.member("a", Span::new(1, 1), one);
        let m2 = b.member("b", Span::new(3, 3), arr);
        let m3 = b.member("a", Span::new(8, 8), two);
        b.set_object(root, vec![m1, m2, m3]);
        b.mark_incomplete(arr);
        let doc = b.finish(root, LineIndex::new("0123456789"));
        assert_eq!(
            doc.to_json(doc.root()),
            serde_json::json!({"a": 2, "b": ["[x]"]})
        );
        assert_eq!(doc.pointer(s), "/b/0");
        assert_eq!(
            doc.member(root, "a").map(|m| m.key_span),
            Some(Span::new(8, 8))
        );
        assert!(doc.is_incomplete(arr));
        assert!(!doc.is_incomplete(root));
        let parsed = Document::parse("{}").unwrap();
        assert!(!parsed.is_incomplete(parsed.root()));
        assert!(parsed.line_suppressions().is_empty());
    }
}
