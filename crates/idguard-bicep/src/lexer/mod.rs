//! The lexer: a port of Bicep's `Lexer.cs`, token for token.
//!
//! Maximal munch over the text; runs of line breaks are one `NewLine`
//! token; whitespace, comments and diagnostics pragmas are trivia attached
//! to the tokens around them; `${…}` holes are lexed in a mode kept on a
//! stack, Bicep's quirks included (a `{` inside a hole is pushed and never
//! popped; a line break inside a hole ends the string). The lexer never
//! fails: every problem is a diagnostic and lexing goes on.

mod string;
mod trivia;

pub use string::{cook_string, string_segments};
pub(crate) use string::{is_multiline_string, segment_value, string_info};

use crate::diagnostic::{self as diag, Diagnostic};
use crate::span::{Span, utf8_len};
use crate::token::{Pragma, Token, TokenKind, Trivia, TriviaKind};

/// A byte that never occurs in UTF-8: what [`Lexer::peek`] returns past
/// the end (Bicep's `SlidingTextWindow.InvalidCharacter`).
const EOF: u8 = 0xff;

/// The result of lexing: every token (the last is `EndOfFile`), the
/// trivia between them, the pragmas and the lexer's diagnostics.
#[derive(Clone, Debug, Default)]
pub struct Lexed<'s> {
    pub tokens: Vec<Token>,
    pub trivia: Vec<Trivia>,
    /// Every diagnostics pragma, in text order (also present in `trivia`
    /// as [`TriviaKind::Pragma`] items, in the same order).
    pub pragmas: Vec<Pragma<'s>>,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'s> Lexed<'s> {
    /// The trivia before token `index` (whitespace, comments and pragmas on
    /// the lines since the previous token's own trailing trivia).
    pub fn leading_trivia(&self, index: usize) -> &[Trivia] {
        let Some(t) = self.tokens.get(index) else {
            return &[];
        };
        self.trivia
            .get(t.leading as usize..t.trailing as usize)
            .unwrap_or(&[])
    }

    /// The trivia after token `index` on the same line (whitespace, and
    /// comments after tokens that end an expression).
    pub fn trailing_trivia(&self, index: usize) -> &[Trivia] {
        let Some(t) = self.tokens.get(index) else {
            return &[];
        };
        let end = self
            .tokens
            .get(index + 1)
            .map_or(self.trivia.len(), |n| n.leading as usize);
        self.trivia.get(t.trailing as usize..end).unwrap_or(&[])
    }

    /// Concatenates every token and trivia in order: equal to the text
    /// that was lexed (the lexer is lossless).
    pub fn reconstruct(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for (i, t) in self.tokens.iter().enumerate() {
            for tr in self.leading_trivia(i) {
                out.push_str(tr.span.text(text));
            }
            out.push_str(t.span.text(text));
            for tr in self.trailing_trivia(i) {
                out.push_str(tr.span.text(text));
            }
        }
        out
    }
}

/// What an open `${` (or a `{` inside one) is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hole {
    /// A `{` inside a hole. Bicep pushes it and never pops it, so a
    /// further `{` adds nothing and only a line break clears it.
    Brace,
    /// An interpolated string waiting for the `}` that ends its hole.
    Str { multiline: bool, dollars: u32 },
}

/// Lexes `text`. Spans are byte offsets into `text`; a leading BOM is
/// [`TriviaKind::Bom`] trivia.
pub fn lex(text: &str) -> Lexed<'_> {
    let mut lexer = Lexer::new(text);
    lexer.run();
    Lexed {
        tokens: lexer.tokens,
        trivia: lexer.trivia,
        pragmas: lexer.pragmas,
        diagnostics: lexer.diags,
    }
}

pub(crate) struct Lexer<'s> {
    text: &'s str,
    b: &'s [u8],
    pos: usize,
    /// Where the text starts for Bicep (after the BOM).
    text_start: usize,
    /// Start of the token being scanned (Bicep's window position).
    tok_start: usize,
    /// First trivia item of the next token.
    trivia_mark: usize,
    tokens: Vec<Token>,
    trivia: Vec<Trivia>,
    pragmas: Vec<Pragma<'s>>,
    diags: Vec<Diagnostic>,
    holes: Vec<Hole>,
}

impl<'s> Lexer<'s> {
    fn new(text: &'s str) -> Self {
        Self {
            text,
            b: text.as_bytes(),
            pos: 0,
            text_start: 0,
            tok_start: 0,
            trivia_mark: 0,
            tokens: Vec::with_capacity(text.len() / 5 + 2),
            trivia: Vec::with_capacity(text.len() / 6 + 2),
            pragmas: Vec::new(),
            diags: Vec::new(),
            holes: Vec::new(),
        }
    }

    fn run(&mut self) {
        if self.text.starts_with('\u{feff}') {
            self.trivia.push(Trivia {
                kind: TriviaKind::Bom,
                span: Span::new(0, 3),
            });
            self.pos = 3;
            self.text_start = 3;
        }
        while self.pos < self.b.len() {
            self.lex_token();
        }
        if self.tokens.last().map(|t| t.kind) != Some(TokenKind::EndOfFile) {
            self.lex_token();
        }
    }

    #[inline]
    fn peek(&self, n: usize) -> u8 {
        self.b.get(self.pos + n).copied().unwrap_or(EOF)
    }

    #[inline]
    fn at_end(&self) -> bool {
        self.pos >= self.b.len()
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(start as u32, end as u32)
    }

    fn error(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// `LexToken`: leading trivia, the token, trailing trivia.
    fn lex_token(&mut self) {
        let leading = self.trivia_mark;
        self.scan_leading_trivia();
        let trailing = self.trivia.len();
        self.tok_start = self.pos;
        let kind = self.scan_token();
        let span = self.span(self.tok_start, self.pos);
        if kind == TokenKind::Unrecognized {
            let text = span.text(self.text);
            self.error(diag::unrecognized_token(span, text));
        }
        self.scan_trailing_trivia(kind.takes_trailing_comments());
        self.tokens.push(Token {
            kind,
            span,
            leading: leading as u32,
            trailing: trailing as u32,
        });
        self.trivia_mark = self.trivia.len();
    }

    /// Advances over one character (all of a multi-byte one).
    fn bump_char(&mut self) {
        let n = self.b.get(self.pos).map_or(1, |&c| utf8_len(c));
        self.pos = (self.pos + n).min(self.b.len());
    }

    /// `ScanToken`.
    fn scan_token(&mut self) -> TokenKind {
        use TokenKind as K;
        let Some(&c) = self.b.get(self.pos) else {
            return K::EndOfFile;
        };
        self.pos += 1;
        match c {
            b'{' => {
                if !self.holes.is_empty() && self.holes.last() != Some(&Hole::Brace) {
                    self.holes.push(Hole::Brace);
                }
                K::LeftBrace
            }
            b'}' => match self.holes.last().copied() {
                Some(Hole::Str { multiline, dollars }) => {
                    let kind = if multiline {
                        self.scan_multiline_string(false, dollars)
                    } else {
                        self.scan_string_segment(false)
                    };
                    if kind == K::StringRightPiece {
                        self.holes.pop();
                    }
                    kind
                }
                _ => K::RightBrace,
            },
            b'(' => K::LeftParen,
            b')' => K::RightParen,
            b'[' => K::LeftSquare,
            b']' => K::RightSquare,
            b'@' => K::At,
            b',' => K::Comma,
            b'.' => {
                if self.peek(0) == b'.' && self.peek(1) == b'.' {
                    self.pos += 2;
                    K::Ellipsis
                } else {
                    K::Dot
                }
            }
            b'?' => self.pair(b'?', K::DoubleQuestion, K::Question),
            b':' => self.pair(b':', K::DoubleColon, K::Colon),
            b';' => K::Semicolon,
            b'+' => K::Plus,
            b'-' => K::Minus,
            b'%' => K::Modulo,
            b'*' => K::Asterisk,
            b'/' => K::Slash,
            b'^' => K::Hat,
            b'$' => {
                let mut dollars = 1u32;
                while self.peek(0) == b'$' {
                    self.pos += 1;
                    dollars += 1;
                }
                if self.peek(0) == b'\'' && self.peek(1) == b'\'' && self.peek(2) == b'\'' {
                    self.pos += 3;
                    let kind = self.scan_multiline_string(true, dollars);
                    if kind == K::StringLeftPiece {
                        self.holes.push(Hole::Str {
                            multiline: true,
                            dollars,
                        });
                    }
                    kind
                } else {
                    K::Unrecognized
                }
            }
            b'!' => match self.peek(0) {
                b'=' => {
                    self.pos += 1;
                    K::NotEquals
                }
                b'~' => {
                    self.pos += 1;
                    K::NotEqualsInsensitive
                }
                _ => K::Exclamation,
            },
            b'<' => self.pair(b'=', K::LessThanOrEqual, K::LeftChevron),
            b'>' => self.pair(b'=', K::GreaterThanOrEqual, K::RightChevron),
            b'=' => match self.peek(0) {
                b'=' => {
                    self.pos += 1;
                    K::Equals
                }
                b'~' => {
                    self.pos += 1;
                    K::EqualsInsensitive
                }
                b'>' => {
                    self.pos += 1;
                    K::Arrow
                }
                _ => K::Assignment,
            },
            b'&' => self.pair(b'&', K::LogicalAnd, K::Unrecognized),
            b'|' => self.pair(b'|', K::LogicalOr, K::Pipe),
            b'\'' => {
                if self.peek(0) == b'\'' && self.peek(1) == b'\'' {
                    self.pos += 2;
                    return self.scan_multiline_string(true, 0);
                }
                let kind = self.scan_string_segment(true);
                if kind == K::StringLeftPiece {
                    self.holes.push(Hole::Str {
                        multiline: false,
                        dollars: 0,
                    });
                }
                kind
            }
            b'\n' | b'\r' => {
                if !self.holes.is_empty() {
                    // A line break inside a hole ends the string: an empty
                    // right piece before the break, which is lexed next.
                    self.pos -= 1;
                    let at = self.span(self.pos, self.pos);
                    self.error(diag::unterminated_string_with_newline(at));
                    self.holes.clear();
                    return K::StringRightPiece;
                }
                while matches!(self.peek(0), b'\n' | b'\r') {
                    self.pos += 1;
                }
                K::NewLine
            }
            b'0'..=b'9' => {
                while self.peek(0).is_ascii_digit() {
                    self.pos += 1;
                }
                K::Integer
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => self.scan_identifier(),
            _ => {
                // One character, whatever its width.
                self.pos -= 1;
                self.bump_char();
                K::Unrecognized
            }
        }
    }

    /// A one-character token, or a two-character one when `second` follows.
    fn pair(&mut self, second: u8, two: TokenKind, one: TokenKind) -> TokenKind {
        if self.peek(0) == second {
            self.pos += 1;
            two
        } else {
            one
        }
    }

    fn scan_identifier(&mut self) -> TokenKind {
        while is_ident_continue(self.peek(0)) {
            self.pos += 1;
        }
        let span = self.span(self.tok_start, self.pos);
        match span.text(self.text) {
            "true" => TokenKind::TrueKeyword,
            "false" => TokenKind::FalseKeyword,
            "null" => TokenKind::NullKeyword,
            _ => {
                if span.len() > 255 {
                    self.error(diag::identifier_too_long(span));
                }
                TokenKind::Identifier
            }
        }
    }
}

pub(crate) fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

pub(crate) fn is_ident_continue(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Bicep's identifier rule (`Lexer.IsValidIdentifier`).
pub fn is_valid_identifier(s: &str) -> bool {
    let mut bytes = s.bytes();
    bytes.next().is_some_and(is_ident_start) && bytes.all(is_ident_continue)
}
