//! The source layer: template text to a JSON tree in which every value keeps
//! its byte span.
//!
//! ARM's own reader is more forgiving than RFC 8259, and real templates rely
//! on it: `//` and `/* */` comments, trailing commas, raw control characters
//! and line breaks inside strings, a UTF-8 byte-order mark and CRLF line ends
//! all occur in public templates. A repeated object key takes the last value,
//! as ARM does. This module accepts exactly that dialect.
//!
//! The tree is an arena ([`Document`] owns a `Vec<Node>`, children are
//! [`NodeId`]s), so neither parsing nor dropping recurses: a pathological
//! input cannot overflow the stack. Nesting deeper than [`MAX_DEPTH`] is a
//! syntax error with a position, because every later layer walks the tree.
//!
//! Line and column are derived on demand from byte offsets through
//! [`LineIndex`]: 1-based, with columns both in UTF-16 code units (what LSP
//! and browsers count) and in characters (what a terminal shows).

mod builder;
mod lines;
mod parser;

pub(crate) use builder::DocumentBuilder;
pub use builder::{LineSuppression, SourceExtras};
pub use lines::{LineCol, LineIndex};

use std::fmt;
use std::rc::Rc;

/// Deepest nesting of arrays and objects accepted. Real templates (including
/// Bicep output with modules nested several levels deep) stay under 64.
pub const MAX_DEPTH: usize = 512;

/// A half-open byte range `start..end` into the source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub const fn new(start: u32, end: u32) -> Self {
        Self { start, end }
    }

    pub const fn len(self) -> u32 {
        self.end.saturating_sub(self.start)
    }

    pub const fn is_empty(self) -> bool {
        self.end <= self.start
    }
}

/// Index of a node in its [`Document`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

impl NodeId {
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

/// One member of a JSON object: the (unescaped) key, where the key is
/// written, and the value. Equal strings and keys of one document share
/// one allocation (the parser interns them).
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub key: Rc<str>,
    pub key_span: Span,
    pub value: NodeId,
}

/// The value of a node.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    /// An integer that fits `i64`.
    Int(i64),
    /// Any other number.
    Float(f64),
    /// A string, unescaped (shared with equal strings of the document).
    String(Rc<str>),
    Array(Box<[NodeId]>),
    /// Members in source order, with repeated keys already resolved: the
    /// last value wins, as in ARM.
    Object(Box<[Member]>),
}

/// A JSON value with its position.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: Kind,
    /// Span of the whole value (for strings: including the quotes).
    pub span: Span,
    /// The enclosing array or object, `None` for the root.
    pub parent: Option<NodeId>,
}

/// A syntax error with its position.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} at line {line}, column {column}")]
pub struct ParseError {
    /// What was found and what was expected, e.g. "expected ',' or '}' after
    /// an object member, found ']'".
    pub message: String,
    /// Byte offset of the offending character.
    pub offset: u32,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

/// A parsed JSON text: an arena of nodes plus a line index.
#[derive(Clone, Debug)]
pub struct Document {
    nodes: Vec<Node>,
    root: NodeId,
    lines: LineIndex,
    /// What [`Document::node`] returns for a foreign id (a `static` cannot
    /// hold a node: strings are `Rc`s).
    null: Node,
    /// For a document lowered from Bicep: incomplete nodes and in-source
    /// line suppressions (`None` for JSON).
    extras: Option<Rc<SourceExtras>>,
}

/// A `null` node at offset 0.
const fn null_node() -> Node {
    Node {
        kind: Kind::Null,
        span: Span::new(0, 0),
        parent: None,
    }
}

impl Document {
    /// Parses `text` in ARM's JSON dialect. Files larger than `u32::MAX`
    /// bytes are refused with an error.
    pub fn parse(text: &str) -> Result<Document, ParseError> {
        let lines = LineIndex::new(text);
        match parser::parse(text) {
            Ok((nodes, root)) => Ok(Document {
                nodes,
                root,
                lines,
                null: null_node(),
                extras: None,
            }),
            Err(err) => {
                let pos = lines.line_col(text, err.offset);
                Err(ParseError {
                    message: err.message,
                    offset: err.offset,
                    line: pos.line,
                    column: pos.column_chars,
                })
            }
        }
    }

    pub fn root(&self) -> NodeId {
        self.root
    }

    pub fn lines(&self) -> &LineIndex {
        &self.lines
    }

    /// Whether `node` was lowered from source with syntax errors (a Bicep
    /// resource whose body did not fully parse). Always `false` for JSON.
    pub fn is_incomplete(&self, node: NodeId) -> bool {
        self.extras
            .as_ref()
            .is_some_and(|e| e.incomplete.binary_search(&node).is_ok())
    }

    /// Whether the document was lowered from another language (Bicep)
    /// with values that are expressions to evaluate (a `.bicepparam`).
    pub fn is_lowered(&self) -> bool {
        self.extras.as_ref().is_some_and(|e| e.lowered)
    }

    /// In-source line suppressions (Bicep's `#disable-next-line`). Empty
    /// for JSON.
    pub fn line_suppressions(&self) -> &[LineSuppression] {
        self.extras
            .as_ref()
            .map_or(&[], |e| e.line_suppressions.as_slice())
    }

    /// Number of nodes in the tree.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The node behind `id`. Ids come from this document, so the lookup is
    /// total; a foreign id yields a `null` node rather than a panic.
    pub fn node(&self, id: NodeId) -> &Node {
        self.nodes.get(id.index()).unwrap_or(&self.null)
    }

    pub fn kind(&self, id: NodeId) -> &Kind {
        &self.node(id).kind
    }

    pub fn span(&self, id: NodeId) -> Span {
        self.node(id).span
    }

    /// The members of an object node (empty for anything else).
    pub fn members(&self, id: NodeId) -> &[Member] {
        match self.kind(id) {
            Kind::Object(members) => members,
            _ => &[],
        }
    }

    /// The items of an array node (empty for anything else).
    pub fn items(&self, id: NodeId) -> &[NodeId] {
        match self.kind(id) {
            Kind::Array(items) => items,
            _ => &[],
        }
    }

    /// Member of an object by key, compared ASCII-case-insensitively as ARM
    /// compares property names. With several case variants the last wins.
    pub fn get(&self, id: NodeId, key: &str) -> Option<NodeId> {
        self.member(id, key).map(|m| m.value)
    }

    /// Like [`Document::get`], returning the whole member (for its key span).
    pub fn member(&self, id: NodeId, key: &str) -> Option<&Member> {
        self.members(id)
            .iter()
            .rev()
            .find(|m| m.key.eq_ignore_ascii_case(key))
    }

    /// Follows a path of object keys.
    pub fn get_path(&self, id: NodeId, path: &[&str]) -> Option<NodeId> {
        path.iter().try_fold(id, |node, key| self.get(node, key))
    }

    /// The deepest node along `path` from `id`: object keys, and array
    /// indexes written in decimal. Stops at the first step that leads
    /// nowhere (`id` itself when the first one does).
    pub fn deepest<S: AsRef<str>>(&self, id: NodeId, path: impl IntoIterator<Item = S>) -> NodeId {
        let mut node = id;
        for key in path {
            let key = key.as_ref();
            let next = match self.kind(node) {
                Kind::Object(_) => self.get(node, key),
                Kind::Array(items) => key
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| items.get(i).copied()),
                _ => None,
            };
            match next {
                Some(n) => node = n,
                None => break,
            }
        }
        node
    }

    /// The string value of a node, if it is a string.
    pub fn as_str(&self, id: NodeId) -> Option<&str> {
        match self.kind(id) {
            Kind::String(s) => Some(s),
            _ => None,
        }
    }

    /// The RFC 6901 JSON pointer of a node, e.g. `/resources/0/properties`.
    pub fn pointer(&self, id: NodeId) -> String {
        let mut segments = Vec::new();
        let mut current = id;
        while let Some(parent) = self.node(current).parent {
            match self.kind(parent) {
                Kind::Object(members) => {
                    if let Some(m) = members.iter().find(|m| m.value == current) {
                        segments.push(escape_pointer(&m.key));
                    }
                }
                Kind::Array(items) => {
                    if let Some(i) = items.iter().position(|item| *item == current) {
                        segments.push(i.to_string());
                    }
                }
                _ => {}
            }
            current = parent;
        }
        let mut out = String::new();
        for segment in segments.iter().rev() {
            out.push('/');
            out.push_str(segment);
        }
        out
    }

    /// A copy of the subtree at `node` as a document of its own, with spans
    /// unchanged (they still point into this document's text) and every
    /// string and key that starts with `[[` unescaped once — what ARM does
    /// to a template held in a variable (Bicep's `loadJsonContent` modules)
    /// before it deploys it.
    pub fn unescaped_subtree(&self, node: NodeId) -> Document {
        self.copy_subtree(node, true)
    }

    /// A copy of the subtree at `node` as a document of its own, spans
    /// unchanged, strings as they are.
    pub fn subtree(&self, node: NodeId) -> Document {
        self.copy_subtree(node, false)
    }

    fn copy_subtree(&self, node: NodeId, unescape_once: bool) -> Document {
        let unescape = |s: &Rc<str>| -> Rc<str> {
            match s.strip_prefix("[[").filter(|_| unescape_once) {
                Some(rest) => Rc::from(format!("[{rest}")),
                None => Rc::clone(s),
            }
        };
        let mut nodes: Vec<Node> = Vec::new();
        // (old node, new parent); children are pushed after their parent so
        // that new ids are assigned parents first.
        let mut stack: Vec<(NodeId, Option<NodeId>, usize)> = vec![(node, None, 0)];
        while let Some((old, parent, slot)) = stack.pop() {
            let new_id = NodeId(u32::try_from(nodes.len()).unwrap_or(u32::MAX));
            let src = self.node(old);
            let kind = match &src.kind {
                Kind::String(s) => Kind::String(unescape(s)),
                Kind::Array(items) => {
                    for (i, item) in items.iter().enumerate().rev() {
                        stack.push((*item, Some(new_id), i));
                    }
                    Kind::Array(vec![NodeId(0); items.len()].into_boxed_slice())
                }
                Kind::Object(members) => {
                    for (i, m) in members.iter().enumerate().rev() {
                        stack.push((m.value, Some(new_id), i));
                    }
                    Kind::Object(
                        members
                            .iter()
                            .map(|m| Member {
                                key: unescape(&m.key),
                                key_span: m.key_span,
                                value: NodeId(0),
                            })
                            .collect(),
                    )
                }
                other => other.clone(),
            };
            nodes.push(Node {
                kind,
                span: src.span,
                parent,
            });
            // Link the new node into its parent's slot.
            if let Some(p) = parent {
                match nodes.get_mut(p.index()).map(|n| &mut n.kind) {
                    Some(Kind::Array(items)) => {
                        if let Some(s) = items.get_mut(slot) {
                            *s = new_id;
                        }
                    }
                    Some(Kind::Object(members)) => {
                        if let Some(m) = members.get_mut(slot) {
                            m.value = new_id;
                        }
                    }
                    _ => {}
                }
            }
        }
        Document {
            nodes,
            root: NodeId(0),
            lines: self.lines.clone(),
            null: null_node(),
            extras: None,
        }
    }

    /// Converts a subtree to a `serde_json::Value` (for policies and plugin
    /// input). Iterative, so depth is bounded only by [`MAX_DEPTH`].
    pub fn to_json(&self, id: NodeId) -> serde_json::Value {
        // Post-order conversion with an explicit stack.
        enum Step {
            Enter(NodeId),
            Exit(NodeId),
        }
        let mut stack = vec![Step::Enter(id)];
        let mut done: Vec<serde_json::Value> = Vec::new();
        while let Some(step) = stack.pop() {
            match step {
                Step::Enter(n) => match self.kind(n) {
                    Kind::Array(items) => {
                        stack.push(Step::Exit(n));
                        stack.extend(items.iter().rev().map(|i| Step::Enter(*i)));
                    }
                    Kind::Object(members) => {
                        stack.push(Step::Exit(n));
                        stack.extend(members.iter().rev().map(|m| Step::Enter(m.value)));
                    }
                    scalar => done.push(scalar_to_json(scalar)),
                },
                Step::Exit(n) => match self.kind(n) {
                    Kind::Array(items) => {
                        let values = done.split_off(done.len().saturating_sub(items.len()));
                        done.push(serde_json::Value::Array(values));
                    }
                    Kind::Object(members) => {
                        let values = done.split_off(done.len().saturating_sub(members.len()));
                        let map = members
                            .iter()
                            .zip(values)
                            .map(|(m, v)| (m.key.to_string(), v))
                            .collect();
                        done.push(serde_json::Value::Object(map));
                    }
                    _ => {}
                },
            }
        }
        done.pop().unwrap_or(serde_json::Value::Null)
    }
}

fn scalar_to_json(kind: &Kind) -> serde_json::Value {
    match kind {
        Kind::Null | Kind::Array(_) | Kind::Object(_) => serde_json::Value::Null,
        Kind::Bool(b) => serde_json::Value::Bool(*b),
        Kind::Int(i) => serde_json::Value::from(*i),
        Kind::Float(f) => serde_json::Number::from_f64(*f)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        Kind::String(s) => serde_json::Value::String(s.to_string()),
    }
}

fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}
