//! idguard-bicep: the syntax layer for Bicep (`.bicep`) and Bicep
//! parameter (`.bicepparam`) files.
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

pub mod diagnostic;
pub mod lexer;
pub mod span;
pub mod token;

pub use diagnostic::Diagnostic;
pub use lexer::{Lexed, lex};
pub use span::{LineIndex, Position, Span};
pub use token::{Pragma, PragmaCode, PragmaKind, Token, TokenKind, TokenSet, Trivia, TriviaKind};

/// The deepest nesting the parser follows.
pub const MAX_DEPTH: u32 = 256;
