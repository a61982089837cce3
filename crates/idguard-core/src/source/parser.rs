//! The JSON reader behind [`Document::parse`](super::Document::parse).
//!
//! One pass over the bytes, no recursion: open arrays and objects live on an
//! explicit stack of [`Frame`]s, and the children of every open container
//! sit in two shared scratch vectors (one for array items, one for object
//! members) from which a container takes its slice when it closes. So a
//! file costs one allocation per distinct string or key (they are interned)
//! and per non-empty container, and nesting is bounded by [`MAX_DEPTH`]
//! rather than by the thread's stack.
//!
//! The dialect is the one ARM's reader (JSON.NET) accepts in real templates:
//! RFC 8259 plus `//` and `/* */` comments wherever whitespace may stand,
//! trailing commas, raw control characters and line breaks inside strings,
//! and a leading UTF-8 byte-order mark. A repeated key (exact match) keeps
//! the slot of its first occurrence and takes the value and key span of its
//! last, as JSON.NET's `JObject` does; the overridden value's nodes stay in
//! the arena but nothing reachable refers to them.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::{Kind, MAX_DEPTH, Member, Node, NodeId, Span};

/// A syntax error before line and column are known.
pub(super) struct RawError {
    /// What was found and what was expected.
    pub message: String,
    /// Byte offset of the offending character.
    pub offset: u32,
}

/// Objects up to this many members find repeated keys by a linear scan;
/// larger ones build a hash index, so thousands of keys stay linear.
const LINEAR_SCAN_MEMBERS: usize = 16;

/// Parses `text` into an arena of nodes and the id of the root.
pub(super) fn parse(text: &str) -> Result<(Vec<Node>, NodeId), RawError> {
    check_len(text.len())?;
    let mut parser = Parser::new(text);
    let root = parser.run()?;
    Ok((parser.nodes, root))
}

/// Spans are `u32`, so longer texts are refused up front.
fn check_len(len: usize) -> Result<u32, RawError> {
    u32::try_from(len).map_err(|_| RawError {
        message: format!(
            "the file is {len} bytes long; files over {} bytes are not supported",
            u32::MAX
        ),
        offset: 0,
    })
}

/// An open array or object.
struct Frame {
    /// The container's node (its kind is filled in when it closes).
    id: NodeId,
    /// Index of its first child in `Parser::items` or `Parser::members`.
    first: usize,
    /// `None` for an array.
    object: Option<ObjectState>,
}

/// Bookkeeping for an open object.
#[derive(Default)]
struct ObjectState {
    /// The key whose value is being read.
    pending: Option<PendingKey>,
    /// Key to member index (relative to `Frame::first`), built once the
    /// object grows past [`LINEAR_SCAN_MEMBERS`].
    index: Option<HashMap<Rc<str>, usize, FastHash>>,
}

/// A key read, its value not yet complete.
struct PendingKey {
    key: Rc<str>,
    span: Span,
    /// Member to overwrite when the key repeats an earlier one.
    slot: Option<usize>,
}

/// What [`Parser::start_value`] left behind.
enum Start {
    /// A complete value (a scalar or an empty container).
    Done(NodeId),
    /// An open container whose first child comes next.
    Opened,
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    nodes: Vec<Node>,
    stack: Vec<Frame>,
    items: Vec<NodeId>,
    members: Vec<Member>,
    /// Every distinct string and key read so far: a template repeats the
    /// same few thousand (`type`, `name`, `[parameters('location')]`), so
    /// each is allocated once and shared.
    strings: HashSet<Rc<str>, FastHash>,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        // Templates average a node per 20-30 bytes; reserving avoids most
        // regrowth without overcommitting on string-heavy files.
        let nodes = Vec::with_capacity(text.len() / 32 + 4);
        Parser {
            text,
            bytes: text.as_bytes(),
            pos: usize::from(text.starts_with('\u{feff}')) * '\u{feff}'.len_utf8(),
            nodes,
            stack: Vec::new(),
            items: Vec::new(),
            members: Vec::new(),
            strings: HashSet::default(),
        }
    }

    /// The whole text: one root value, then only whitespace and comments.
    fn run(&mut self) -> Result<NodeId, RawError> {
        self.skip_ws()?;
        let root = self.values()?;
        self.skip_ws()?;
        if self.pos < self.bytes.len() {
            return Err(self.error_found("expected end of file after the JSON value", self.pos));
        }
        Ok(root)
    }

    /// Reads one value (with everything nested in it) starting at `pos`,
    /// whitespace already skipped. The loop replaces recursion: descending
    /// pushes a frame, every completed value climbs as far as it closes
    /// containers.
    fn values(&mut self) -> Result<NodeId, RawError> {
        'value: loop {
            let mut done = match self.start_value()? {
                Start::Done(id) => id,
                Start::Opened => continue 'value,
            };
            loop {
                let is_object = match self.stack.last() {
                    None => return Ok(done),
                    Some(frame) => frame.object.is_some(),
                };
                self.attach(done)?;
                self.skip_ws()?;
                let close = if is_object { b'}' } else { b']' };
                match self.bytes.get(self.pos) {
                    Some(b',') => {
                        self.pos += 1;
                        self.skip_ws()?;
                        if self.bytes.get(self.pos) == Some(&close) {
                            // A trailing comma.
                            done = self.close()?;
                        } else if is_object {
                            self.key()?;
                            continue 'value;
                        } else {
                            continue 'value;
                        }
                    }
                    Some(b) if *b == close => done = self.close()?,
                    _ => {
                        let what = if is_object {
                            "expected ',' or '}' after an object member"
                        } else {
                            "expected ',' or ']' after an array element"
                        };
                        return Err(self.error_found(what, self.pos));
                    }
                }
            }
        }
    }

    /// Starts the value at `pos`: a scalar is read whole; `[` and `{` push
    /// a frame (and `{` reads its first key), or close at once when empty.
    fn start_value(&mut self) -> Result<Start, RawError> {
        let start = self.pos;
        let kind = match self.bytes.get(start) {
            Some(b'{') => return self.open(true),
            Some(b'[') => return self.open(false),
            Some(b'"') => Kind::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(b't') if self.bytes.get(start..start + 4) == Some(b"true") => {
                self.pos += 4;
                Kind::Bool(true)
            }
            Some(b'f') if self.bytes.get(start..start + 5) == Some(b"false") => {
                self.pos += 5;
                Kind::Bool(false)
            }
            Some(b'n') if self.bytes.get(start..start + 4) == Some(b"null") => {
                self.pos += 4;
                Kind::Null
            }
            _ => return Err(self.error_found("expected a JSON value", start)),
        };
        Ok(Start::Done(self.push_node(kind, start)))
    }

    /// Adds a node spanning `start..pos` under the innermost open container.
    fn push_node(&mut self, kind: Kind, start: usize) -> NodeId {
        // Both fit: the text length was checked against u32::MAX, and every
        // node takes at least one byte of it.
        let id = NodeId(self.nodes.len() as u32);
        self.nodes.push(Node {
            kind,
            span: Span::new(start as u32, self.pos as u32),
            parent: self.stack.last().map(|f| f.id),
        });
        id
    }

    /// Opens an array or object at `pos`.
    fn open(&mut self, object: bool) -> Result<Start, RawError> {
        let start = self.pos;
        if self.stack.len() >= MAX_DEPTH {
            return Err(RawError {
                message: format!("nesting deeper than {MAX_DEPTH} levels"),
                offset: start as u32,
            });
        }
        self.pos += 1;
        let kind = if object {
            Kind::Object(Box::default())
        } else {
            Kind::Array(Box::default())
        };
        let id = self.push_node(kind, start);
        self.skip_ws()?;
        let close = if object { b'}' } else { b']' };
        if self.bytes.get(self.pos) == Some(&close) {
            self.pos += 1;
            if let Some(node) = self.nodes.get_mut(id.index()) {
                node.span.end = self.pos as u32;
            }
            return Ok(Start::Done(id));
        }
        self.stack.push(Frame {
            id,
            first: if object {
                self.members.len()
            } else {
                self.items.len()
            },
            object: object.then(ObjectState::default),
        });
        if object {
            self.key()?;
        } else if self.bytes.get(self.pos) == Some(&b',') {
            return Err(self.error_found("expected a JSON value or ']'", self.pos));
        }
        Ok(Start::Opened)
    }

    /// Reads `"key" :` inside the innermost (object) frame, then skips to
    /// the value.
    fn key(&mut self) -> Result<(), RawError> {
        let start = self.pos;
        if self.bytes.get(start) != Some(&b'"') {
            return Err(self.error_found("expected a quoted property name or '}'", start));
        }
        let key = self.string()?;
        let span = Span::new(start as u32, self.pos as u32);
        self.skip_ws()?;
        if self.bytes.get(self.pos) != Some(&b':') {
            return Err(self.error_found("expected ':' after a property name", self.pos));
        }
        self.pos += 1;
        self.skip_ws()?;

        let members_len = self.members.len();
        let Some(frame) = self.stack.last_mut() else {
            return Err(internal(start));
        };
        let first = frame.first;
        let Some(state) = frame.object.as_mut() else {
            return Err(internal(start));
        };
        let existing = self.members.get(first..).unwrap_or(&[]);
        let slot = match state.index.as_mut() {
            Some(index) => match index.get(&key) {
                Some(i) => Some(*i),
                None => {
                    index.insert(key.clone(), members_len - first);
                    None
                }
            },
            None if existing.len() < LINEAR_SCAN_MEMBERS => {
                existing.iter().position(|m| Rc::ptr_eq(&m.key, &key))
            }
            None => {
                let mut index: HashMap<Rc<str>, usize, FastHash> = existing
                    .iter()
                    .enumerate()
                    .map(|(i, m)| (m.key.clone(), i))
                    .collect();
                let slot = index.get(&key).copied();
                if slot.is_none() {
                    index.insert(key.clone(), members_len - first);
                }
                state.index = Some(index);
                slot
            }
        };
        state.pending = Some(PendingKey {
            key,
            span,
            slot: slot.map(|i| first + i),
        });
        Ok(())
    }

    /// Hands a completed value to the innermost open container.
    fn attach(&mut self, value: NodeId) -> Result<(), RawError> {
        let Some(frame) = self.stack.last_mut() else {
            return Err(internal(self.pos));
        };
        let Some(state) = frame.object.as_mut() else {
            self.items.push(value);
            return Ok(());
        };
        let Some(pending) = state.pending.take() else {
            return Err(internal(self.pos));
        };
        match pending.slot.and_then(|i| self.members.get_mut(i)) {
            Some(member) => {
                member.key_span = pending.span;
                member.value = value;
            }
            None => self.members.push(Member {
                key: pending.key,
                key_span: pending.span,
                value,
            }),
        }
        Ok(())
    }

    /// Closes the innermost container at its `]` or `}` (at `pos`).
    fn close(&mut self) -> Result<NodeId, RawError> {
        let Some(frame) = self.stack.pop() else {
            return Err(internal(self.pos));
        };
        self.pos += 1;
        let kind = if frame.object.is_some() {
            Kind::Object(self.members.drain(frame.first..).collect())
        } else {
            Kind::Array(self.items.drain(frame.first..).collect())
        };
        let Some(node) = self.nodes.get_mut(frame.id.index()) else {
            return Err(internal(self.pos));
        };
        node.kind = kind;
        node.span.end = self.pos as u32;
        Ok(frame.id)
    }

    /// Skips whitespace, `// …` line comments and `/* … */` block comments.
    fn skip_ws(&mut self) -> Result<(), RawError> {
        loop {
            match self.bytes.get(self.pos) {
                Some(b' ' | b'\n' | b'\r' | b'\t') => {
                    self.pos += 1;
                    // Indentation: eight spaces at a time.
                    while self.bytes.get(self.pos..self.pos + 8) == Some(b"        ") {
                        self.pos += 8;
                    }
                }
                Some(b'/') => match self.bytes.get(self.pos + 1) {
                    Some(b'/') => {
                        // Up to (not including) the line end; a lone CR
                        // ends the comment too, as in JSON.NET.
                        let rest = self.bytes.get(self.pos + 2..).unwrap_or(&[]);
                        self.pos += 2 + rest
                            .iter()
                            .position(|b| matches!(b, b'\n' | b'\r'))
                            .unwrap_or(rest.len());
                    }
                    Some(b'*') => {
                        let rest = self.text.get(self.pos + 2..).unwrap_or("");
                        match rest.find("*/") {
                            Some(end) => self.pos += 2 + end + 2,
                            None => {
                                return Err(RawError {
                                    message: "unterminated block comment".into(),
                                    offset: self.pos as u32,
                                });
                            }
                        }
                    }
                    _ => return Ok(()),
                },
                _ => return Ok(()),
            }
        }
    }

    /// The shared copy of `s`.
    fn intern(&mut self, s: &str) -> Rc<str> {
        if let Some(shared) = self.strings.get(s) {
            return Rc::clone(shared);
        }
        let shared: Rc<str> = Rc::from(s);
        self.strings.insert(Rc::clone(&shared));
        shared
    }

    /// Reads the string whose opening quote is at `pos`, unescaped and
    /// interned. Strings without escapes are looked up by their slice of
    /// the text, so a repeated one costs no allocation.
    fn string(&mut self) -> Result<Rc<str>, RawError> {
        let open = self.pos;
        let body = open + 1;
        let rest = self.bytes.get(body..).unwrap_or(&[]);
        let Some(stop) = find_quote_or_backslash(rest) else {
            return Err(unterminated_string(open));
        };
        let mut i = body + stop;
        if self.bytes.get(i) == Some(&b'"') {
            self.pos = i + 1;
            let slice = self.slice(body, i)?;
            return Ok(self.intern(slice));
        }
        let mut out = String::with_capacity(i - body + 16);
        out.push_str(self.slice(body, i)?);
        loop {
            match self.bytes.get(i) {
                Some(b'"') => {
                    self.pos = i + 1;
                    return Ok(self.intern(&out));
                }
                Some(b'\\') if i + 1 >= self.bytes.len() => return Err(unterminated_string(open)),
                Some(b'\\') => i = self.escape(i, &mut out)?,
                Some(_) => {
                    let rest = self.bytes.get(i..).unwrap_or(&[]);
                    let run = find_quote_or_backslash(rest).unwrap_or(rest.len());
                    out.push_str(self.slice(i, i + run)?);
                    i += run;
                }
                None => return Err(unterminated_string(open)),
            }
        }
    }

    /// Decodes the escape whose backslash is at `at` into `out`; returns the
    /// offset just past it.
    fn escape(&self, at: usize, out: &mut String) -> Result<usize, RawError> {
        let c = match self.bytes.get(at + 1) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => return self.unicode_escape(at, out),
            Some(_) => {
                let shown = self
                    .text
                    .get(at + 1..)
                    .and_then(|s| s.chars().next())
                    .map(|c| {
                        if c.is_control() {
                            c.escape_debug().to_string()
                        } else {
                            c.to_string()
                        }
                    })
                    .unwrap_or_default();
                return Err(RawError {
                    message: format!(
                        "invalid escape '\\{shown}' in a string: expected one of \
                         \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX"
                    ),
                    offset: at as u32,
                });
            }
            None => return Err(unterminated_string(at)),
        };
        out.push(c);
        Ok(at + 2)
    }

    /// `\uXXXX` at `at`, pairing a high surrogate with a following low one.
    /// A surrogate without its partner becomes U+FFFD.
    fn unicode_escape(&self, at: usize, out: &mut String) -> Result<usize, RawError> {
        let unit = self.hex4(at)?;
        let c = match unit {
            0xD800..=0xDBFF => {
                let low = if self.bytes.get(at + 6..at + 8) == Some(b"\\u") {
                    self.hex4(at + 6).ok()
                } else {
                    None
                };
                if let Some(low @ 0xDC00..=0xDFFF) = low {
                    let scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                    out.push(char::from_u32(scalar).unwrap_or('\u{fffd}'));
                    return Ok(at + 12);
                }
                '\u{fffd}'
            }
            _ => char::from_u32(unit).unwrap_or('\u{fffd}'),
        };
        out.push(c);
        Ok(at + 6)
    }

    /// The four hex digits after the `\u` at `at`.
    fn hex4(&self, at: usize) -> Result<u32, RawError> {
        let digits = self.bytes.get(at + 2..at + 6).unwrap_or(&[]);
        let mut value = 0u32;
        for b in digits {
            match char::from(*b).to_digit(16) {
                Some(d) => value = value * 16 + d,
                None => return Err(bad_unicode_escape(at)),
            }
        }
        if digits.len() == 4 {
            Ok(value)
        } else {
            Err(bad_unicode_escape(at))
        }
    }

    /// Reads a number at `pos` (RFC 8259 grammar). Integers that fit `i64`
    /// are [`Kind::Int`]; everything else, big integers included, is
    /// [`Kind::Float`].
    fn number(&mut self) -> Result<Kind, RawError> {
        let start = self.pos;
        let mut i = start;
        if self.bytes.get(i) == Some(&b'-') {
            i += 1;
        }
        match self.bytes.get(i) {
            Some(b'0') => {
                i += 1;
                if matches!(self.bytes.get(i), Some(b'0'..=b'9')) {
                    return Err(RawError {
                        message: "a number may not have a leading zero".into(),
                        offset: (i - 1) as u32,
                    });
                }
            }
            Some(b'1'..=b'9') => i = self.digits(i),
            _ => return Err(self.error_found("expected a digit after '-'", i)),
        }
        let mut integer = true;
        if self.bytes.get(i) == Some(&b'.') {
            integer = false;
            i += 1;
            if !matches!(self.bytes.get(i), Some(b'0'..=b'9')) {
                return Err(self.error_found("expected a digit after the decimal point", i));
            }
            i = self.digits(i);
        }
        if matches!(self.bytes.get(i), Some(b'e' | b'E')) {
            integer = false;
            i += 1;
            if matches!(self.bytes.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if !matches!(self.bytes.get(i), Some(b'0'..=b'9')) {
                return Err(self.error_found("expected a digit in the exponent", i));
            }
            i = self.digits(i);
        }
        self.pos = i;
        let literal = self.slice(start, i)?;
        if integer && let Ok(n) = literal.parse::<i64>() {
            return Ok(Kind::Int(n));
        }
        literal
            .parse::<f64>()
            .map(Kind::Float)
            .map_err(|_| RawError {
                message: format!("invalid number '{literal}'"),
                offset: start as u32,
            })
    }

    /// The offset just past the run of ASCII digits starting at `i`.
    fn digits(&self, i: usize) -> usize {
        let rest = self.bytes.get(i..).unwrap_or(&[]);
        i + rest
            .iter()
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(rest.len())
    }

    /// `text[start..end]`, both offsets on character boundaries (next to an
    /// ASCII delimiter) by construction.
    fn slice(&self, start: usize, end: usize) -> Result<&'a str, RawError> {
        self.text.get(start..end).ok_or_else(|| internal(start))
    }

    /// "`what`, found `<the text at offset>`".
    fn error_found(&self, what: &str, offset: usize) -> RawError {
        RawError {
            message: format!("{what}, found {}", self.describe(offset)),
            offset: offset as u32,
        }
    }

    /// How the text at `offset` is named in a message: "end of file", a
    /// word (`'undefined'`, `'NaN'`), or one character.
    fn describe(&self, offset: usize) -> String {
        let rest = self.text.get(offset..).unwrap_or("");
        let Some(c) = rest.chars().next() else {
            return "end of file".into();
        };
        if c.is_ascii_alphabetic() {
            let word: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .take(24)
                .collect();
            return format!("'{word}'");
        }
        match c {
            '\n' | '\r' => "a line break".into(),
            c if c.is_control() || c.is_whitespace() || c == '\u{feff}' => {
                format!("U+{:04X}", u32::from(c))
            }
            c => format!("'{c}'"),
        }
    }
}

/// The hash state of the parser's maps: foldhash, seeded at random per
/// map. The parser hashes every string and key it reads, so the hash must
/// be fast (std's SipHash cost 8 % of checking the largest corpus
/// template), and a template is input from anyone who can open a pull
/// request, so it must not be fixed: with an unseeded hash (FxHash was
/// tried) crafted keys that all collide would make interning quadratic and
/// stall a CI gate.
type FastHash = foldhash::fast::RandomState;

/// Offset of the first `"` or `\\` in `bytes`. Eight bytes at a time: a
/// byte equal to the target is a zero byte of `word ^ target`, and the
/// lowest flagged byte of the classic "has a zero byte" test is exact.
fn find_quote_or_backslash(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const QUOTES: u64 = ONES * b'"' as u64;
    const BACKSLASHES: u64 = ONES * b'\\' as u64;
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(<[u8; 8]>::try_from(chunk).unwrap_or([0; 8]));
        let q = word ^ QUOTES;
        let b = word ^ BACKSLASHES;
        let hits = ((q.wrapping_sub(ONES) & !q) | (b.wrapping_sub(ONES) & !b)) & HIGH;
        if hits != 0 {
            return Some(offset + (hits.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|b| matches!(b, b'"' | b'\\'))
        .map(|i| offset + i)
}

fn unterminated_string(open: usize) -> RawError {
    RawError {
        message: "unterminated string: no closing '\"' before the end of file".into(),
        offset: open as u32,
    }
}

fn bad_unicode_escape(at: usize) -> RawError {
    RawError {
        message: "invalid escape in a string: expected four hex digits after '\\u'".into(),
        offset: at as u32,
    }
}

/// A broken parser invariant, reported rather than panicked on.
fn internal(offset: usize) -> RawError {
    RawError {
        message: "internal error in the JSON reader".into(),
        offset: offset as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Document, Kind, MAX_DEPTH, ParseError, Span};
    use super::check_len;

    fn doc(text: &str) -> Document {
        match Document::parse(text) {
            Ok(doc) => doc,
            Err(e) => panic!("{text:?} failed: {e}"),
        }
    }

    fn err(text: &str) -> ParseError {
        match Document::parse(text) {
            Ok(_) => panic!("{text:?} parsed but should fail"),
            Err(e) => e,
        }
    }

    /// Message, byte offset, line and column of the error.
    fn assert_err(text: &str, message: &str, offset: u32, line: u32, column: u32) {
        let e = err(text);
        assert_eq!(
            (e.message.as_str(), e.offset, e.line, e.column),
            (message, offset, line, column),
            "for {text:?}"
        );
    }

    fn json(text: &str) -> serde_json::Value {
        let d = doc(text);
        d.to_json(d.root())
    }

    fn v(text: &str) -> serde_json::Value {
        serde_json::from_str(text).unwrap()
    }

    // ---- the accepted dialect ----

    #[test]
    fn scalars_and_containers() {
        assert_eq!(json("null"), v("null"));
        assert_eq!(json(" true "), v("true"));
        assert_eq!(json("false"), v("false"));
        assert_eq!(json("\"a\""), v("\"a\""));
        assert_eq!(json("[]"), v("[]"));
        assert_eq!(json("{}"), v("{}"));
        assert_eq!(json("[ ]"), v("[]"));
        assert_eq!(json("{ \n }"), v("{}"));
        let t = r#"{"a": [1, -2, 3.5, "x", {"b": null}, [], {}], "c": {"d": [true, false]}}"#;
        assert_eq!(json(t), v(t));
    }

    #[test]
    fn line_and_block_comments_anywhere_whitespace_may_be() {
        let t = "// head\n/* a */{/*b*/\"a\"/*c*/:/*d*/1/*e*/,// f\n\"b\"://g\n[/*h*/2/*i*/,3//j\n]/*k*/}// tail";
        assert_eq!(json(t), v(r#"{"a":1,"b":[2,3]}"#));
        assert_eq!(json("1 /* not ** nested */"), v("1"));
        assert_eq!(json("/**/2"), v("2"));
        assert_eq!(json("[1] // no line end at the end of file"), v("[1]"));
    }

    #[test]
    fn line_comment_ends_at_a_lone_carriage_return() {
        assert_eq!(json("[1, // c\r2]"), v("[1,2]"));
    }

    #[test]
    fn comment_text_inside_strings_is_text() {
        assert_eq!(json(r#"["// x", "/* y */"]"#), v(r#"["// x", "/* y */"]"#));
    }

    #[test]
    fn trailing_commas() {
        assert_eq!(json("[1,2,]"), v("[1,2]"));
        assert_eq!(json("{\"a\":1,}"), v("{\"a\":1}"));
        assert_eq!(json("[[1,],{\"a\":[],},]"), v("[[1],{\"a\":[]}]"));
        assert_eq!(json("[1 , /* c */ ]"), v("[1]"));
    }

    #[test]
    fn raw_control_characters_and_line_breaks_in_strings() {
        let d = doc("\"a\tb\r\nc\u{1}d\u{0}\"");
        assert_eq!(d.as_str(d.root()), Some("a\tb\r\nc\u{1}d\u{0}"));
    }

    #[test]
    fn bom_is_skipped_and_crlf_is_whitespace() {
        let d = doc("\u{feff}{\r\n  \"a\": 1\r\n}\r\n");
        assert_eq!(d.to_json(d.root()), v("{\"a\":1}"));
        assert_eq!(d.span(d.root()), Span::new(3, 17));
        // Only one BOM, and only at the start.
        assert_err(
            "\u{feff}\u{feff}1",
            "expected a JSON value, found U+FEFF",
            3,
            1,
            1,
        );
        assert_err(
            "1\u{feff}",
            "expected end of file after the JSON value, found U+FEFF",
            1,
            1,
            2,
        );
    }

    #[test]
    fn escapes() {
        let d = doc(r#""\"\\\/\b\f\n\r\t\u0041\u00e9\u4e2d""#);
        assert_eq!(d.as_str(d.root()), Some("\"\\/\u{8}\u{c}\n\r\tAé中"));
        let d = doc(r#""x\uD83D\uDE00y""#);
        assert_eq!(d.as_str(d.root()), Some("x😀y"));
        let d = doc(r#""\ud83d\ude00""#);
        assert_eq!(d.as_str(d.root()), Some("😀"));
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let cases = [
            (r#""\uD800""#, "\u{fffd}"),
            (r#""\uDC00""#, "\u{fffd}"),
            (r#""\uD800x""#, "\u{fffd}x"),
            (r#""\uD800\n""#, "\u{fffd}\n"),
            (r#""\uD800\uD800\uDC00""#, "\u{fffd}\u{10000}"),
            (r#""\uDC00\uD800""#, "\u{fffd}\u{fffd}"),
            (r#""\uD800\u0041""#, "\u{fffd}A"),
        ];
        for (text, want) in cases {
            let d = doc(text);
            assert_eq!(d.as_str(d.root()), Some(want), "{text}");
        }
        // A high surrogate followed by a broken \u is an error at the second.
        assert_err(
            r#""\uD800\u12""#,
            "invalid escape in a string: expected four hex digits after '\\u'",
            7,
            1,
            8,
        );
    }

    #[test]
    fn unescaped_and_escaped_strings_keep_unicode() {
        let d = doc("[\"é😀\", \"é\\n😀\"]");
        let items = d.items(d.root());
        assert_eq!(d.as_str(items[0]), Some("é😀"));
        assert_eq!(d.as_str(items[1]), Some("é\n😀"));
    }

    #[test]
    fn numbers() {
        let kinds = |t: &str| doc(t).kind(doc(t).root()).clone();
        assert_eq!(kinds("0"), Kind::Int(0));
        assert_eq!(kinds("-0"), Kind::Int(0));
        assert_eq!(kinds("42"), Kind::Int(42));
        assert_eq!(kinds("-42"), Kind::Int(-42));
        assert_eq!(kinds("9223372036854775807"), Kind::Int(i64::MAX));
        assert_eq!(kinds("-9223372036854775808"), Kind::Int(i64::MIN));
        assert_eq!(
            kinds("9223372036854775808"),
            Kind::Float(9.223_372_036_854_776e18)
        );
        assert_eq!(
            kinds("-9223372036854775809"),
            Kind::Float(-9.223_372_036_854_776e18)
        );
        assert_eq!(
            kinds("123456789012345678901234567890"),
            Kind::Float(1.234_567_890_123_456_8e29)
        );
        assert_eq!(kinds("1.5"), Kind::Float(1.5));
        assert_eq!(kinds("-0.25"), Kind::Float(-0.25));
        assert_eq!(kinds("1e3"), Kind::Float(1000.0));
        assert_eq!(kinds("1E+3"), Kind::Float(1000.0));
        assert_eq!(kinds("25e-1"), Kind::Float(2.5));
        assert_eq!(kinds("0.1"), Kind::Float(0.1));
    }

    #[test]
    fn repeated_key_keeps_first_slot_last_value_and_last_key_span() {
        let t = r#"{"a": 1, "b": 2, "a": 3}"#;
        let d = doc(t);
        let members = d.members(d.root());
        assert_eq!(members.len(), 2);
        assert_eq!(&*members[0].key, "a");
        assert_eq!(d.kind(members[0].value), &Kind::Int(3));
        assert_eq!(members[0].key_span, Span::new(17, 20));
        assert_eq!(&*members[1].key, "b");
        // serde_json (IndexMap) resolves the same way.
        assert_eq!(d.to_json(d.root()), v(t));
    }

    #[test]
    fn repeated_key_is_exact_match_only() {
        let d = doc(r#"{"a": 1, "A": 2}"#);
        assert_eq!(d.members(d.root()).len(), 2);
        // Escaped and raw spellings of the same key are the same key.
        let d = doc(r#"{"a": 1, "\u0061": 2}"#);
        assert_eq!(d.members(d.root()).len(), 1);
        assert_eq!(d.kind(d.members(d.root())[0].value), &Kind::Int(2));
    }

    #[test]
    fn repeated_keys_in_large_objects_use_the_index() {
        let mut t = String::from("{");
        for i in 0..100 {
            t.push_str(&format!("\"k{i}\": {i},"));
        }
        // Repeat an early key (in the linear part) and a late one.
        t.push_str("\"k3\": \"x\", \"k90\": {\"k3\": 0}, \"k3\": \"y\", \"new\": 1}");
        let d = doc(&t);
        let members = d.members(d.root());
        assert_eq!(members.len(), 101);
        assert_eq!(d.as_str(members[3].value), Some("y"));
        assert_eq!(d.members(members[90].value).len(), 1);
        assert_eq!(&*members[100].key, "new");
        assert_eq!(d.to_json(d.root()), v(&t));
    }

    #[test]
    fn repeated_key_whose_old_value_was_a_container() {
        let t = r#"{"a": {"x": [1, 2]}, "a": [3], "b": {"a": 1, "a": {"c": 2}}}"#;
        assert_eq!(json(t), v(t));
    }

    #[test]
    fn spans_and_parents() {
        let t = r#"{"a": [1, "xy", {"b": null}], "c": true}"#;
        let d = doc(t);
        let root = d.root();
        assert_eq!(d.span(root), Span::new(0, t.len() as u32));
        assert_eq!(d.node(root).parent, None);
        let a = d.member(root, "a").unwrap();
        assert_eq!(a.key_span, Span::new(1, 4));
        assert_eq!(d.span(a.value), Span::new(6, 28));
        assert_eq!(d.node(a.value).parent, Some(root));
        let items = d.items(a.value);
        assert_eq!(d.span(items[0]), Span::new(7, 8));
        assert_eq!(d.span(items[1]), Span::new(10, 14));
        assert_eq!(d.span(items[2]), Span::new(16, 27));
        for item in items {
            assert_eq!(d.node(*item).parent, Some(a.value));
        }
        let b = d.get(items[2], "b").unwrap();
        assert_eq!(d.node(b).parent, Some(items[2]));
        assert_eq!(d.span(b), Span::new(22, 26));
        let c = d.member(root, "c").unwrap();
        assert_eq!(c.key_span, Span::new(30, 33));
        assert_eq!(d.span(c.value), Span::new(35, 39));
        assert_eq!(d.pointer(b), "/a/2/b");
        // Every node except the root has a parent that lists it.
        assert_eq!(d.len(), 7);
    }

    #[test]
    fn spans_of_escaped_strings_cover_the_source() {
        let t = r#"["a\"b", "\u00e9"]"#;
        let d = doc(t);
        let items = d.items(d.root());
        assert_eq!(d.span(items[0]), Span::new(1, 7));
        assert_eq!(d.span(items[1]), Span::new(9, 17));
    }

    #[test]
    fn nesting_up_to_the_limit_is_fine() {
        let t = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(doc(&t).len(), MAX_DEPTH);
        let t = format!("{}1{}", "{\"a\":".repeat(MAX_DEPTH), "}".repeat(MAX_DEPTH));
        assert_eq!(doc(&t).len(), MAX_DEPTH + 1);
    }

    #[test]
    fn file_length_limit() {
        assert!(check_len(10).is_ok());
        assert!(check_len(u32::MAX as usize).is_ok());
        #[cfg(target_pointer_width = "64")]
        {
            let e = check_len(u32::MAX as usize + 1).err().unwrap();
            assert_eq!(e.offset, 0);
            assert!(e.message.contains("4294967296 bytes"), "{}", e.message);
        }
    }

    #[test]
    fn quote_or_backslash_finder_agrees_with_a_plain_scan() {
        use super::find_quote_or_backslash;
        let plain = |b: &[u8]| b.iter().position(|c| matches!(c, b'"' | b'\\'));
        let mut cases: Vec<Vec<u8>> = vec![vec![], b"abc".to_vec(), b"\"".to_vec()];
        for len in 0..40 {
            for at in 0..len {
                for c in [b'"', b'\\'] {
                    let mut v = vec![b'a'; len];
                    v[at] = c;
                    cases.push(v.clone());
                    // '#' and ']' differ from '"' and '\\' in the lowest bit:
                    // above a hit, the zero-byte test's borrow flags them.
                    v.iter_mut().skip(at + 1).for_each(|b| *b = b'#');
                    cases.push(v.clone());
                    v.iter_mut().skip(at + 1).for_each(|b| *b = b']');
                    cases.push(v.clone());
                    v.iter_mut().take(at).for_each(|b| *b = 0xff);
                    cases.push(v);
                }
            }
            cases.push("é😀\u{1}\u{0}#]".repeat(len).into_bytes());
        }
        for case in cases {
            assert_eq!(find_quote_or_backslash(&case), plain(&case), "{case:?}");
        }
    }

    // ---- every error path: message, offset, line, column ----

    #[test]
    fn error_empty_and_blank_input() {
        assert_err("", "expected a JSON value, found end of file", 0, 1, 1);
        assert_err("  \n ", "expected a JSON value, found end of file", 4, 2, 2);
        assert_err(
            "// only a comment",
            "expected a JSON value, found end of file",
            17,
            1,
            18,
        );
        assert_err(
            "\u{feff}",
            "expected a JSON value, found end of file",
            3,
            1,
            1,
        );
    }

    #[test]
    fn error_unexpected_value_start() {
        assert_err("x", "expected a JSON value, found 'x'", 0, 1, 1);
        assert_err(
            "[1, undefined]",
            "expected a JSON value, found 'undefined'",
            4,
            1,
            5,
        );
        assert_err(
            "{\"a\": NaN}",
            "expected a JSON value, found 'NaN'",
            6,
            1,
            7,
        );
        assert_err("[tru]", "expected a JSON value, found 'tru'", 1, 1, 2);
        assert_err(
            "{\"a\":\n  'b'}",
            "expected a JSON value, found '''",
            8,
            2,
            3,
        );
        assert_err("[+1]", "expected a JSON value, found '+'", 1, 1, 2);
        assert_err("[.5]", "expected a JSON value, found '.'", 1, 1, 2);
        assert_err("]", "expected a JSON value, found ']'", 0, 1, 1);
        assert_err("[1,,2]", "expected a JSON value, found ','", 3, 1, 4);
        assert_err("{\"a\":}", "expected a JSON value, found '}'", 5, 1, 6);
        assert_err("[/ 1]", "expected a JSON value, found '/'", 1, 1, 2);
        assert_err("[\u{1}]", "expected a JSON value, found U+0001", 1, 1, 2);
        assert_err("[\u{a0}1]", "expected a JSON value, found U+00A0", 1, 1, 2);
        assert_err("[\"é\", é]", "expected a JSON value, found 'é'", 7, 1, 7);
    }

    #[test]
    fn error_leading_comma_in_containers() {
        assert_err("[,1]", "expected a JSON value or ']', found ','", 1, 1, 2);
        assert_err("[,]", "expected a JSON value or ']', found ','", 1, 1, 2);
        assert_err(
            "{,}",
            "expected a quoted property name or '}', found ','",
            1,
            1,
            2,
        );
        assert_err(
            "{\"a\": 1,,}",
            "expected a quoted property name or '}', found ','",
            8,
            1,
            9,
        );
    }

    #[test]
    fn error_after_array_element() {
        assert_err(
            "[1 2]",
            "expected ',' or ']' after an array element, found '2'",
            3,
            1,
            4,
        );
        assert_err(
            "[1}",
            "expected ',' or ']' after an array element, found '}'",
            2,
            1,
            3,
        );
        assert_err(
            "[1",
            "expected ',' or ']' after an array element, found end of file",
            2,
            1,
            3,
        );
        assert_err("[1,", "expected a JSON value, found end of file", 3, 1, 4);
        assert_err("[", "expected a JSON value, found end of file", 1, 1, 2);
        assert_err(
            "[truex]",
            "expected ',' or ']' after an array element, found 'x'",
            5,
            1,
            6,
        );
        assert_err(
            "[1.5.3]",
            "expected ',' or ']' after an array element, found '.'",
            4,
            1,
            5,
        );
    }

    #[test]
    fn error_after_object_member() {
        assert_err(
            "{\"a\": 1]",
            "expected ',' or '}' after an object member, found ']'",
            7,
            1,
            8,
        );
        assert_err(
            "{\"a\": 1\n \"b\": 2}",
            "expected ',' or '}' after an object member, found '\"'",
            9,
            2,
            2,
        );
        assert_err(
            "{\"a\": 1",
            "expected ',' or '}' after an object member, found end of file",
            7,
            1,
            8,
        );
    }

    #[test]
    fn error_in_keys() {
        assert_err(
            "{a: 1}",
            "expected a quoted property name or '}', found 'a'",
            1,
            1,
            2,
        );
        assert_err(
            "{\"a\": 1, b: 2}",
            "expected a quoted property name or '}', found 'b'",
            9,
            1,
            10,
        );
        assert_err(
            "{'a': 1}",
            "expected a quoted property name or '}', found '''",
            1,
            1,
            2,
        );
        assert_err(
            "{1: 1}",
            "expected a quoted property name or '}', found '1'",
            1,
            1,
            2,
        );
        assert_err(
            "{",
            "expected a quoted property name or '}', found end of file",
            1,
            1,
            2,
        );
        assert_err(
            "{\"a\" 1}",
            "expected ':' after a property name, found '1'",
            5,
            1,
            6,
        );
        assert_err(
            "{\"a\"}",
            "expected ':' after a property name, found '}'",
            4,
            1,
            5,
        );
        assert_err(
            "{\"a\"",
            "expected ':' after a property name, found end of file",
            4,
            1,
            5,
        );
        assert_err(
            "{\"a\":",
            "expected a JSON value, found end of file",
            5,
            1,
            6,
        );
        assert_err(
            "{\"a",
            "unterminated string: no closing '\"' before the end of file",
            1,
            1,
            2,
        );
    }

    #[test]
    fn error_trailing_content() {
        assert_err(
            "{} {}",
            "expected end of file after the JSON value, found '{'",
            3,
            1,
            4,
        );
        assert_err(
            "1 2",
            "expected end of file after the JSON value, found '2'",
            2,
            1,
            3,
        );
        assert_err(
            "[]]",
            "expected end of file after the JSON value, found ']'",
            2,
            1,
            3,
        );
        assert_err(
            "null,",
            "expected end of file after the JSON value, found ','",
            4,
            1,
            5,
        );
        assert_err(
            "{}\n/* x */ x",
            "expected end of file after the JSON value, found 'x'",
            11,
            2,
            9,
        );
    }

    #[test]
    fn error_unterminated_string() {
        let msg = "unterminated string: no closing '\"' before the end of file";
        assert_err("\"abc", msg, 0, 1, 1);
        assert_err("[1, \"ab\\\"]", msg, 4, 1, 5);
        assert_err("\"ab\\", msg, 0, 1, 1);
        assert_err("[\n  \"a\\n", msg, 4, 2, 3);
    }

    #[test]
    fn error_unterminated_block_comment() {
        assert_err("[1, /* x ", "unterminated block comment", 4, 1, 5);
        assert_err("1 /*/", "unterminated block comment", 2, 1, 3);
        assert_err("{\n/* */ /* \n", "unterminated block comment", 8, 2, 7);
    }

    #[test]
    fn error_invalid_escapes() {
        let msg = |c: &str| {
            format!(
                "invalid escape '\\{c}' in a string: expected one of \
                 \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX"
            )
        };
        assert_err("\"a\\qb\"", &msg("q"), 2, 1, 3);
        assert_err("\"\\'\"", &msg("'"), 1, 1, 2);
        assert_err("[\"x\", \"\\é\"]", &msg("é"), 7, 1, 8);
        assert_err("\"\\\n\"", &msg("\\n"), 1, 1, 2);
        let hex = "invalid escape in a string: expected four hex digits after '\\u'";
        assert_err("\"\\u12G4\"", hex, 1, 1, 2);
        assert_err("\"ab\\u12\"", hex, 3, 1, 4);
        assert_err("\"\\u", hex, 1, 1, 2);
        assert_err("\"\\u+123\"", hex, 1, 1, 2);
    }

    #[test]
    fn error_numbers() {
        assert_err(
            "-",
            "expected a digit after '-', found end of file",
            1,
            1,
            2,
        );
        assert_err("[-a]", "expected a digit after '-', found 'a'", 2, 1, 3);
        assert_err("[--1]", "expected a digit after '-', found '-'", 2, 1, 3);
        assert_err(
            "1.",
            "expected a digit after the decimal point, found end of file",
            2,
            1,
            3,
        );
        assert_err(
            "[1.e5]",
            "expected a digit after the decimal point, found 'e5'",
            3,
            1,
            4,
        );
        assert_err(
            "1e",
            "expected a digit in the exponent, found end of file",
            2,
            1,
            3,
        );
        assert_err(
            "[1e+]",
            "expected a digit in the exponent, found ']'",
            4,
            1,
            5,
        );
        assert_err("[01]", "a number may not have a leading zero", 1, 1, 2);
        assert_err("-007", "a number may not have a leading zero", 1, 1, 2);
    }

    #[test]
    fn error_too_deep() {
        let msg = format!("nesting deeper than {MAX_DEPTH} levels");
        let t = "[".repeat(MAX_DEPTH + 1);
        assert_err(&t, &msg, MAX_DEPTH as u32, 1, MAX_DEPTH as u32 + 1);
        let t = "{\"a\":".repeat(MAX_DEPTH + 1);
        let off = (5 * MAX_DEPTH) as u32;
        assert_err(&t, &msg, off, 1, off + 1);
        let t = "[\n".repeat(100_000);
        assert_err(&t, &msg, 2 * MAX_DEPTH as u32, MAX_DEPTH as u32 + 1, 1);
    }

    #[test]
    fn error_columns_count_characters() {
        // 'é' is two bytes but one column.
        assert_err(
            "[\"é\" x]",
            "expected ',' or ']' after an array element, found 'x'",
            6,
            1,
            6,
        );
    }
}
