//! The parser: a port of Bicep's `BaseParser.cs`, `Parser.cs` and
//! `ParamsParser.cs`, recovery included.
//!
//! Bicep's parser throws an `ExpectedTokenException` where the grammar is
//! broken and catches it in `WithRecovery`, which skips tokens up to one of
//! the terminators the caller names and leaves a `SkippedTriviaSyntax` (with
//! the diagnostic) in place of the node. Here the exception is
//! `Err(ParseError)`, propagated with `?`, and [`Parser::recover`] is
//! `WithRecovery`. Diagnostics live in one list; a recovery truncates the
//! list to where the failed attempt started, because Bicep drops the
//! partial nodes (and their diagnostics) of a failed attempt.

mod expr;
mod list;
mod params;
mod stmt;
mod types;

use crate::ast::{FileKind, Ident, Program, Skipped, Slot};
use crate::diagnostic::{self as diag, Diagnostic};
use crate::lexer::Lexed;
use crate::span::Span;
use crate::token::{Token, TokenKind, TokenSet, TriviaKind};

/// The error value of a failed production (Bicep's exception). `None`:
/// the diagnostic was already recorded (the nesting limit).
pub(crate) struct ParseError(Option<Box<Diagnostic>>);

pub(crate) type PResult<T> = Result<T, ParseError>;

/// `RecoveryFlags`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flags {
    None,
    /// Consume the terminator too.
    ConsumeTerminator,
    /// Do not report the diagnostic (a follow-on error).
    Suppress,
}

/// `ExpressionFlags`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct ExprFlags {
    pub complex: bool,
    pub resources: bool,
}

impl ExprFlags {
    pub const NONE: ExprFlags = ExprFlags {
        complex: false,
        resources: false,
    };
    pub const COMPLEX: ExprFlags = ExprFlags {
        complex: true,
        resources: false,
    };
    pub const RESOURCE_BODY: ExprFlags = ExprFlags {
        complex: true,
        resources: true,
    };
}

/// What a container accepts at column 0 (editor recovery): where
/// decorators (`@`) and nested resources are items, a line starting with
/// them does not close the container.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct Container {
    pub decorators: bool,
    pub resources: bool,
}

impl Container {
    pub const PLAIN: Container = Container {
        decorators: false,
        resources: false,
    };
}

/// Nodes that can stand for a recovery node (`SkippedTriviaSyntax` in
/// Bicep is a valid node in any position).
pub(crate) trait FromSkipped {
    fn from_skipped(s: Skipped) -> Self;
}

impl<T> FromSkipped for Slot<T> {
    fn from_skipped(s: Skipped) -> Self {
        Slot::Skipped(s)
    }
}

impl FromSkipped for Ident<'_> {
    fn from_skipped(s: Skipped) -> Self {
        Ident {
            span: s.span,
            name: None,
        }
    }
}

/// Whether a node makes Bicep suppress the diagnostics of the next part of
/// the same declaration (`GetSuppressionFlag`): a zero-length recovery
/// node, or an identifier that is one.
pub(crate) trait Suppresses {
    fn suppresses(&self) -> bool;
}

impl<T> Suppresses for Slot<T> {
    fn suppresses(&self) -> bool {
        matches!(self, Slot::Skipped(s) if s.is_missing())
    }
}

impl Suppresses for Ident<'_> {
    fn suppresses(&self) -> bool {
        self.name.is_none() && self.span.is_empty()
    }
}

impl Suppresses for Skipped {
    fn suppresses(&self) -> bool {
        self.is_missing()
    }
}

pub(crate) fn flag_after<T: Suppresses>(node: &T) -> Flags {
    if node.suppresses() {
        Flags::Suppress
    } else {
        Flags::None
    }
}

/// Where an error diagnostic goes when recovery skips tokens: the
/// exception's own diagnostic, or one made for the skipped span.
pub(crate) enum ErrorAt {
    Given(Option<Box<Diagnostic>>),
    Skipped(fn(Span) -> Diagnostic),
}

/// Declaration keywords (`LanguageConstants.DeclarationKeywords`): NLs
/// after a lambda's `=>` are not skipped when one of them follows.
pub(crate) const DECLARATION_KEYWORDS: &[&str] = &[
    "assert", "import", "metadata", "module", "output", "param", "resource", "type", "var",
];

pub(crate) const NL: TokenSet = TokenSet::new(&[TokenKind::NewLine]);

pub(crate) struct Parser<'s, 'l> {
    pub text: &'s str,
    pub lexed: &'l Lexed<'s>,
    toks: &'l [Token],
    /// For each token index, the index of the first token at or after it
    /// that is not a `NewLine` (`Peek(skipNewlines: true)` in O(1)).
    next_non_nl: Vec<u32>,
    pub pos: usize,
    pub diags: Vec<Diagnostic>,
    /// Diagnostics no recovery takes back: the nesting limit, and the
    /// closers editor recovery inserts.
    pub sticky: Vec<Diagnostic>,
    depth: u32,
    pub kind: FileKind,
    pub editor: bool,
    /// Token index where editor recovery last reported a missing closer.
    editor_closed_at: Option<usize>,
    nesting_reported: bool,
}

impl<'s, 'l> Parser<'s, 'l> {
    pub fn new(text: &'s str, lexed: &'l Lexed<'s>, kind: FileKind, editor: bool) -> Self {
        let toks = lexed.tokens.as_slice();
        let mut next_non_nl = vec![0u32; toks.len()];
        let mut next = toks.len().saturating_sub(1) as u32;
        for (i, t) in toks.iter().enumerate().rev() {
            if t.kind != TokenKind::NewLine {
                next = i as u32;
            }
            if let Some(slot) = next_non_nl.get_mut(i) {
                *slot = next;
            }
        }
        Self {
            text,
            lexed,
            toks,
            next_non_nl,
            pos: 0,
            diags: Vec::new(),
            sticky: Vec::new(),
            depth: 0,
            kind,
            editor,
            editor_closed_at: None,
            nesting_reported: false,
        }
    }

    // ---- the token cursor (`TokenReader`) ----

    /// The last token (`EndOfFile`).
    fn eof(&self) -> Token {
        self.toks.last().copied().unwrap_or(Token {
            kind: TokenKind::EndOfFile,
            span: Span::empty(self.text.len() as u32),
            leading: 0,
            trailing: 0,
        })
    }

    pub fn tok(&self, i: usize) -> Token {
        self.toks.get(i).copied().unwrap_or_else(|| self.eof())
    }

    pub fn peek(&self) -> Token {
        self.tok(self.pos)
    }

    pub fn peek_kind(&self) -> TokenKind {
        self.peek().kind
    }

    /// `Peek(skipNewlines: true)`.
    pub fn peek_skip_nl(&self) -> Token {
        self.tok(self.skip_nl_from(self.pos))
    }

    fn skip_nl_from(&self, i: usize) -> usize {
        self.next_non_nl
            .get(i)
            .map_or(self.toks.len().saturating_sub(1), |&n| n as usize)
    }

    /// `PeekAhead(n)`: `None` past the end.
    pub fn peek_ahead(&self, n: usize) -> Option<Token> {
        self.toks.get(self.pos + n).copied()
    }

    /// `PeekAhead(n, skipNewlines: true)`.
    pub fn peek_ahead_skip_nl(&self, n: usize) -> Option<Token> {
        let i = self.pos + n;
        if i >= self.toks.len() {
            return None;
        }
        self.toks.get(self.skip_nl_from(i)).copied()
    }

    /// `Read`.
    pub fn read(&mut self) -> Token {
        let t = self.peek();
        if self.pos < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    /// `IsAtEnd`.
    pub fn at_end(&self) -> bool {
        self.pos >= self.toks.len() || self.peek_kind() == TokenKind::EndOfFile
    }

    /// `Check(types)`: false at the end of the file.
    pub fn check(&self, kind: TokenKind) -> bool {
        !self.at_end() && self.peek_kind() == kind
    }

    pub fn check_set(&self, set: TokenSet) -> bool {
        !self.at_end() && set.contains(self.peek_kind())
    }

    pub fn text_of(&self, t: Token) -> &'s str {
        t.span.text(self.text)
    }

    /// An identifier token with this text.
    pub fn is_kw(&self, t: Token, kw: &str) -> bool {
        t.kind == TokenKind::Identifier && self.text_of(t) == kw
    }

    /// `CheckKeyword`.
    pub fn check_kw(&self, kw: &str) -> bool {
        !self.at_end() && self.is_kw(self.peek(), kw)
    }

    // ---- errors ----

    /// An `ExpectedTokenException` at `t`: its span, or zero-length at the
    /// start of a line break.
    pub fn err_at(&self, t: Token, make: fn(Span) -> Diagnostic) -> ParseError {
        ParseError(Some(Box::new(make(error_span(t)))))
    }

    pub fn err_at_with(&self, t: Token, d: impl FnOnce(Span) -> Diagnostic) -> ParseError {
        ParseError(Some(Box::new(d(error_span(t)))))
    }

    /// `Expect`.
    pub fn expect(&mut self, kind: TokenKind, make: fn(Span) -> Diagnostic) -> PResult<Token> {
        if self.check(kind) {
            Ok(self.read())
        } else {
            Err(self.err_at(self.peek(), make))
        }
    }

    /// `Expect` with BCP018 for `ch`.
    pub fn expect_char(&mut self, kind: TokenKind, ch: &'static str) -> PResult<Token> {
        if self.check(kind) {
            Ok(self.read())
        } else {
            Err(self.err_at_with(self.peek(), |s| diag::expected_character(s, ch)))
        }
    }

    /// `ExpectKeyword` (BCP012 unless `make` says otherwise).
    pub fn expect_kw(
        &mut self,
        kw: &'static str,
        make: Option<fn(Span) -> Diagnostic>,
    ) -> PResult<Token> {
        if self.check_kw(kw) {
            return Ok(self.read());
        }
        let t = self.peek();
        Err(match make {
            Some(m) => self.err_at(t, m),
            None => self.err_at_with(t, |s| diag::expected_keyword(s, kw)),
        })
    }

    /// `GetOptionalKeyword`.
    pub fn optional_kw(&mut self, kw: &str) -> Option<Token> {
        self.check_kw(kw).then(|| self.read())
    }

    /// `Identifier(errorFunc)`: throws when the token is no identifier.
    pub fn identifier(&mut self, make: fn(Span) -> Diagnostic) -> PResult<Ident<'s>> {
        let t = self.expect(TokenKind::Identifier, make)?;
        Ok(Ident {
            span: t.span,
            name: Some(self.text_of(t)),
        })
    }

    /// `IdentifierOrSkip`: a missing identifier is a zero-length recovery
    /// node with the diagnostic, and parsing goes on.
    pub fn identifier_or_skip(&mut self, make: fn(Span) -> Diagnostic) -> Ident<'s> {
        if self.check(TokenKind::Identifier) {
            let t = self.read();
            return Ident {
                span: t.span,
                name: Some(self.text_of(t)),
            };
        }
        let s = self.skip_empty(Some(make));
        Ident {
            span: s.span,
            name: None,
        }
    }

    /// `IdentifierWithRecovery`.
    pub fn identifier_with_recovery(
        &mut self,
        make: fn(Span) -> Diagnostic,
        flags: Flags,
        terms: TokenSet,
    ) -> Ident<'s> {
        self.recover(flags, terms, |p| p.identifier(make))
    }

    /// `SkipEmpty(errorFunc)`: a zero-length recovery node at the current
    /// token, with its diagnostic.
    pub fn skip_empty(&mut self, make: Option<fn(Span) -> Diagnostic>) -> Skipped {
        let span = Span::empty(self.peek().span.start);
        if let Some(m) = make {
            self.diags.push(m(span));
        }
        Skipped { span }
    }

    /// `Skip(syntax, errorFunc)`: a recovery node over `span` with its
    /// diagnostic.
    pub fn skip_span(&mut self, span: Span, make: Option<fn(Span) -> Diagnostic>) -> Skipped {
        if let Some(m) = make {
            self.diags.push(m(span));
        }
        Skipped { span }
    }

    // ---- recovery ----

    /// `WithRecovery`: runs `f`; when it fails, skips to a terminator and
    /// returns a recovery node in place of the node.
    pub fn recover<T: FromSkipped>(
        &mut self,
        flags: Flags,
        terms: TokenSet,
        f: impl FnOnce(&mut Self) -> PResult<T>,
    ) -> T {
        let start = self.pos;
        let mark = self.diags.len();
        match f(self) {
            Ok(t) => t,
            Err(ParseError(d)) => {
                self.diags.truncate(mark);
                T::from_skipped(self.synchronize(start, flags, ErrorAt::Given(d), terms))
            }
        }
    }

    /// `WithRecoveryNullable`: `f` may produce nothing.
    pub fn recover_opt<T: FromSkipped>(
        &mut self,
        flags: Flags,
        terms: TokenSet,
        f: impl FnOnce(&mut Self) -> PResult<Option<T>>,
    ) -> Option<T> {
        let start = self.pos;
        let mark = self.diags.len();
        match f(self) {
            Ok(t) => t,
            Err(ParseError(d)) => {
                self.diags.truncate(mark);
                Some(T::from_skipped(self.synchronize(
                    start,
                    flags,
                    ErrorAt::Given(d),
                    terms,
                )))
            }
        }
    }

    /// `SynchronizeAndReturnTrivia`: skips from token `start` to the
    /// first terminator (not consumed, unless `ConsumeTerminator`).
    pub fn synchronize(
        &mut self,
        start: usize,
        flags: Flags,
        error: ErrorAt,
        terms: TokenSet,
    ) -> Skipped {
        let start_offset = self.tok(start).span.start;
        while !self.at_end() && !terms.contains(self.peek_kind()) {
            self.read();
        }
        let error_span = self.span_from(start, start_offset);
        let mut skipped = error_span;
        if flags == Flags::ConsumeTerminator {
            // `Synchronize(consumeTerminator: true)`: read up to and
            // including the next terminator.
            while !self.at_end() {
                let k = self.peek_kind();
                self.read();
                if terms.contains(k) {
                    break;
                }
            }
            skipped = self.span_from(start, start_offset);
        }
        if flags != Flags::Suppress {
            match error {
                ErrorAt::Given(Some(d)) => self.diags.push(*d),
                ErrorAt::Given(None) => {}
                ErrorAt::Skipped(make) => self.diags.push(make(error_span)),
            }
        }
        Skipped { span: skipped }
    }

    /// The span of tokens `start..self.pos`, or zero-length at
    /// `fallback` when there are none (`TextSpan.SafeBetween`).
    pub fn span_from(&self, start: usize, fallback: u32) -> Span {
        if self.pos > start {
            self.tok(start).span.cover(self.tok(self.pos - 1).span)
        } else {
            Span::empty(fallback)
        }
    }

    /// The span from token `start` to the last token read.
    pub fn node_span(&self, start: usize) -> Span {
        self.span_from(start, self.tok(start).span.start)
    }

    /// `HasSyntaxError` for the node parsed from diagnostic mark `mark`
    /// over `span`: a parse diagnostic since the mark, or a lexer
    /// diagnostic inside the span.
    pub fn has_syntax_error(&self, mark: usize, sticky_mark: usize, span: Span) -> bool {
        self.diags.len() > mark
            || self.sticky.len() > sticky_mark
            || self
                .lexed
                .diagnostics
                .iter()
                .any(|d| span.start <= d.span.start && d.span.end <= span.end)
    }

    // ---- nesting ----

    /// Runs `f` one level deeper; past [`crate::MAX_DEPTH`] fails with the
    /// nesting diagnostic (reported once, and kept through recovery).
    pub fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        self.enter()?;
        let r = f(self);
        self.depth -= 1;
        r
    }

    /// One level deeper, until [`Self::leave`] (for the links of a chain,
    /// each of which nests the tree one level deeper).
    pub fn enter(&mut self) -> PResult<()> {
        if self.depth >= crate::MAX_DEPTH {
            if !self.nesting_reported {
                self.nesting_reported = true;
                let at = error_span(self.peek());
                self.sticky.push(diag::nesting_limit(at));
            }
            return Err(ParseError(None));
        }
        self.depth += 1;
        Ok(())
    }

    pub fn leave(&mut self, levels: u32) {
        self.depth = self.depth.saturating_sub(levels);
    }

    // ---- editor recovery ----

    /// With editor recovery on: the token that ends every open container
    /// here, if any. That is the end of the file, or a line that starts at
    /// column 0 with what can only be a new top-level declaration (a
    /// declaration keyword and what follows it, or `@`), where the
    /// innermost container could not hold it. Looks through the line
    /// breaks at the current position.
    pub fn editor_stop(&self, ctx: Container) -> Option<usize> {
        if !self.editor {
            return None;
        }
        let i = self.skip_nl_from(self.pos);
        let t = self.tok(i);
        if t.kind == TokenKind::EndOfFile {
            return Some(i);
        }
        let prev = i.checked_sub(1).map(|p| self.tok(p))?;
        if prev.kind != TokenKind::NewLine || prev.span.end != t.span.start {
            return None;
        }
        self.starts_declaration(i, ctx).then_some(i)
    }

    fn starts_declaration(&self, i: usize, ctx: Container) -> bool {
        use TokenKind as K;
        let t = self.tok(i);
        if t.kind == K::At {
            return !ctx.decorators;
        }
        if t.kind != K::Identifier {
            return false;
        }
        let next = self.tok(i + 1).kind;
        let string = matches!(next, K::StringComplete | K::StringLeftPiece);
        match (self.kind, self.text_of(t)) {
            (FileKind::Bicep, "targetScope") => next == K::Assignment,
            (FileKind::Bicep, "resource") => next == K::Identifier && !ctx.resources,
            (
                FileKind::Bicep,
                "metadata" | "param" | "var" | "type" | "func" | "module" | "output" | "assert"
                | "test",
            ) => next == K::Identifier,
            (_, "import") => matches!(next, K::LeftBrace | K::Asterisk) || string,
            (_, "extension") => next == K::Identifier || string,
            (FileKind::BicepParam, "using") => string || next == K::Identifier,
            (FileKind::BicepParam, "extends") => string,
            (FileKind::BicepParam, "param" | "var" | "type" | "extensionConfig") => {
                next == K::Identifier
            }
            _ => false,
        }
    }

    /// A closer that editor recovery inserts at token `at`: BCP018 there,
    /// once per position (the innermost container reports it).
    pub fn editor_close(&mut self, at: usize, ch: &'static str) {
        if self.editor_closed_at == Some(at) {
            return;
        }
        self.editor_closed_at = Some(at);
        let t = self.tok(at);
        let span = if t.kind == TokenKind::EndOfFile {
            Span::empty(t.span.start)
        } else {
            t.span
        };
        self.sticky.push(diag::expected_character(span, ch));
    }

    /// `Expect(closer)` of a container: with editor recovery, a missing
    /// closer at an editor stop is reported there and the container ends
    /// (`Ok(None)`) instead of failing.
    pub fn expect_closer(
        &mut self,
        kind: TokenKind,
        ch: &'static str,
        ctx: Container,
    ) -> PResult<Option<Token>> {
        if self.check(kind) {
            return Ok(Some(self.read()));
        }
        if let Some(at) = self.editor_stop(ctx) {
            self.editor_close(at, ch);
            return Ok(None);
        }
        Err(self.err_at_with(self.peek(), |s| diag::expected_character(s, ch)))
    }

    /// Consumes line breaks (`NewLines()`), unless editor recovery stops
    /// here.
    pub fn newlines_unless_stop(&mut self, ctx: Container) {
        if self.editor_stop(ctx).is_some() {
            return;
        }
        while self.check(TokenKind::NewLine) {
            self.read();
        }
    }

    /// `NewLines()`.
    pub fn newlines(&mut self) {
        while self.check(TokenKind::NewLine) {
            self.read();
        }
    }

    /// Whether the leading trivia of token `i` holds a comment.
    pub fn has_leading_comment(&self, i: usize) -> bool {
        self.lexed
            .leading_trivia(i)
            .iter()
            .any(|t| matches!(t.kind, TriviaKind::LineComment | TriviaKind::BlockComment))
    }

    // ---- the program ----

    pub fn program(&mut self) -> Program<'s> {
        let mut statements = Vec::new();
        while !self.at_end() {
            let before = self.pos;
            if let Some(stmt) = self.declaration(false) {
                let top_level = !matches!(
                    stmt,
                    crate::ast::Statement::MissingDeclaration(_)
                        | crate::ast::Statement::Skipped(_)
                );
                statements.push(stmt);
                if top_level {
                    // Declarations end at a line break or the end of the file.
                    let nl = self.recover_opt(Flags::ConsumeTerminator, NL, |p| {
                        if p.peek_kind() == TokenKind::EndOfFile {
                            Ok(None)
                        } else {
                            p.expect(TokenKind::NewLine, diag::expected_new_line)
                                .map(|_| None::<Slot<()>>)
                        }
                    });
                    if let Some(Slot::Skipped(s)) = nl {
                        statements.push(crate::ast::Statement::Skipped(s));
                    }
                }
            }
            if self.pos == before && !self.at_end() {
                // Cannot happen with Bicep's productions; never loop forever.
                let t = self.read();
                statements.push(crate::ast::Statement::Skipped(Skipped { span: t.span }));
            }
        }
        let start = if self.text.starts_with('\u{feff}') {
            3
        } else {
            0
        };
        Program {
            kind: self.kind,
            span: Span::new(start, self.text.len() as u32),
            statements,
        }
    }
}

/// `ExpectedTokenException`'s span: a line break is reported as a
/// zero-length span at its start.
fn error_span(t: Token) -> Span {
    if t.kind == TokenKind::NewLine {
        Span::empty(t.span.start)
    } else {
        t.span
    }
}
