//! idguard-bicep: the syntax layer for Bicep (`.bicep`) and Bicep
//! parameter (`.bicepparam`) files.
//!
//! ```
//! let text = "param location string = resourceGroup().location\n";
//! let parsed = idguard_bicep::parse_bicep(text);
//! assert!(parsed.diagnostics.is_empty());
//! let idguard_bicep::ast::Statement::Param(p) = &parsed.program.statements[0] else { panic!() };
//! assert_eq!(p.name.as_str(), "location");
//! assert_eq!(p.ty.as_name(), Some("string"));
//! ```
//!
//! - [`lex`]: Bicep's lexer, token for token (`Lexer.cs`): every token with
//!   its byte span, and the trivia between tokens (whitespace, comments,
//!   `#disable-next-line` pragmas), so tokens plus trivia give the text
//!   back byte for byte.
//! - [`parse_bicep`], [`parse_bicepparam`]: Bicep's parser, recovery
//!   included (`BaseParser.cs`, `Parser.cs`, `ParamsParser.cs`), producing a
//!   typed [`ast::Program`] and Bicep's syntax diagnostics (BCP codes, Bicep's
//!   wording).
//! - [`LineIndex`]: byte offsets to 0-based lines and UTF-16 columns, as
//!   Bicep and LSP count them.
//!
//! Spans are byte offsets into the `&str` given. A leading UTF-8 BOM is
//! trivia (Bicep strips it before lexing; [`LineIndex`] gives it no column,
//! so positions match Bicep's). The crate does no I/O, has no
//! dependencies, never panics on any input, works in linear time, and
//! builds for `wasm32-unknown-unknown`.
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod ast;
pub mod diagnostic;
pub mod lexer;
mod parser;
pub mod span;
pub mod token;
pub mod visit;

pub use ast::FileKind;
pub use diagnostic::Diagnostic;
pub use lexer::{Lexed, lex};
pub use span::{LineIndex, Position, Span};
pub use token::{Pragma, PragmaCode, PragmaKind, Token, TokenKind, TokenSet, Trivia, TriviaKind};

/// The deepest nesting the parser follows (brackets, expressions, chains
/// of operators and member accesses, nested resources). Deeper text is
/// one [`diagnostic::NESTING_LIMIT`] diagnostic and a recovery node, so the
/// stack stays small (wasm) and the tree can be walked recursively.
pub const MAX_DEPTH: u32 = 256;

/// How to parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParseOptions {
    /// Editor recovery (on by default): a missing `}`, `]` or `)` is
    /// inserted (BCP018) at the end of the file, and before a line that
    /// starts at column 0 with a new top-level declaration, instead of
    /// Bicep's recovery, which lets an unclosed container swallow the rest
    /// of the file. A failed union type member stops at its line end
    /// instead of the end of the file. Off, the diagnostics are exactly
    /// Bicep's.
    pub editor_recovery: bool,
}

impl ParseOptions {
    /// Bicep's own recovery: the same diagnostics as Bicep.
    pub const BICEP: ParseOptions = ParseOptions {
        editor_recovery: false,
    };
    /// Editor recovery (the default).
    pub const EDITOR: ParseOptions = ParseOptions {
        editor_recovery: true,
    };
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self::EDITOR
    }
}

/// A parsed file.
#[derive(Clone, Debug)]
pub struct Parsed<'s> {
    /// The text that was parsed.
    pub text: &'s str,
    pub program: ast::Program<'s>,
    /// Tokens, trivia, pragmas and the lexer's own diagnostics.
    pub lexed: Lexed<'s>,
    /// Every syntax diagnostic (lexer and parser), ordered by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl<'s> Parsed<'s> {
    /// The diagnostics pragmas (`#disable-next-line …`), in text order.
    pub fn pragmas(&self) -> &[Pragma<'s>] {
        &self.lexed.pragmas
    }

    pub fn tokens(&self) -> &[Token] {
        &self.lexed.tokens
    }

    /// A line index over the text (built on each call: keep it).
    pub fn line_index(&self) -> LineIndex {
        LineIndex::new(self.text)
    }

    pub fn has_errors(&self) -> bool {
        !self.diagnostics.is_empty()
    }
}

/// Parses a `.bicep` file with the default options.
pub fn parse_bicep(text: &str) -> Parsed<'_> {
    parse(text, FileKind::Bicep, ParseOptions::default())
}

/// Parses a `.bicepparam` file with the default options.
pub fn parse_bicepparam(text: &str) -> Parsed<'_> {
    parse(text, FileKind::BicepParam, ParseOptions::default())
}

/// Parses `text` as `kind`.
pub fn parse(text: &str, kind: FileKind, options: ParseOptions) -> Parsed<'_> {
    if u32::try_from(text.len()).is_err() {
        return Parsed {
            text,
            program: ast::Program {
                kind,
                span: Span::default(),
                statements: Vec::new(),
            },
            lexed: Lexed::default(),
            diagnostics: vec![diagnostic::input_too_large()],
        };
    }
    let lexed = lex(text);
    let (program, parse_diags, sticky) = {
        let mut p = parser::Parser::new(text, &lexed, kind, options.editor_recovery);
        let program = p.program();
        (program, p.diags, p.sticky)
    };
    let mut diagnostics = lexed.diagnostics.clone();
    diagnostics.extend(parse_diags);
    diagnostics.extend(sticky);
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    Parsed {
        text,
        program,
        lexed,
        diagnostics,
    }
}
