//! Tokens, trivia and diagnostic pragmas.

use crate::span::Span;

/// The kind of a token: one to one with Bicep's `TokenType` (same names,
/// same order), so token dumps compare with Bicep's baselines directly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum TokenKind {
    At,
    Unrecognized,
    LeftBrace,
    RightBrace,
    LeftParen,
    RightParen,
    LeftSquare,
    RightSquare,
    Comma,
    Dot,
    Question,
    Colon,
    Semicolon,
    Assignment,
    Plus,
    Minus,
    Asterisk,
    Slash,
    Modulo,
    Exclamation,
    LeftChevron,
    RightChevron,
    LessThanOrEqual,
    GreaterThanOrEqual,
    Equals,
    NotEquals,
    EqualsInsensitive,
    NotEqualsInsensitive,
    LogicalAnd,
    LogicalOr,
    Identifier,
    StringLeftPiece,
    StringMiddlePiece,
    StringRightPiece,
    StringComplete,
    Integer,
    TrueKeyword,
    FalseKeyword,
    NullKeyword,
    NewLine,
    EndOfFile,
    DoubleQuestion,
    DoubleColon,
    Arrow,
    Pipe,
    Ellipsis,
    Hat,
    /// Declared by Bicep but never produced by its lexer (a lone `$` is
    /// `Unrecognized`); kept for the one-to-one mapping.
    Dollar,
}

impl TokenKind {
    /// Bicep's name of the kind (`TokenType` member name).
    pub fn name(self) -> &'static str {
        use TokenKind::*;
        match self {
            At => "At",
            Unrecognized => "Unrecognized",
            LeftBrace => "LeftBrace",
            RightBrace => "RightBrace",
            LeftParen => "LeftParen",
            RightParen => "RightParen",
            LeftSquare => "LeftSquare",
            RightSquare => "RightSquare",
            Comma => "Comma",
            Dot => "Dot",
            Question => "Question",
            Colon => "Colon",
            Semicolon => "Semicolon",
            Assignment => "Assignment",
            Plus => "Plus",
            Minus => "Minus",
            Asterisk => "Asterisk",
            Slash => "Slash",
            Modulo => "Modulo",
            Exclamation => "Exclamation",
            LeftChevron => "LeftChevron",
            RightChevron => "RightChevron",
            LessThanOrEqual => "LessThanOrEqual",
            GreaterThanOrEqual => "GreaterThanOrEqual",
            Equals => "Equals",
            NotEquals => "NotEquals",
            EqualsInsensitive => "EqualsInsensitive",
            NotEqualsInsensitive => "NotEqualsInsensitive",
            LogicalAnd => "LogicalAnd",
            LogicalOr => "LogicalOr",
            Identifier => "Identifier",
            StringLeftPiece => "StringLeftPiece",
            StringMiddlePiece => "StringMiddlePiece",
            StringRightPiece => "StringRightPiece",
            StringComplete => "StringComplete",
            Integer => "Integer",
            TrueKeyword => "TrueKeyword",
            FalseKeyword => "FalseKeyword",
            NullKeyword => "NullKeyword",
            NewLine => "NewLine",
            EndOfFile => "EndOfFile",
            DoubleQuestion => "DoubleQuestion",
            DoubleColon => "DoubleColon",
            Arrow => "Arrow",
            Pipe => "Pipe",
            Ellipsis => "Ellipsis",
            Hat => "Hat",
            Dollar => "Dollar",
        }
    }

    /// The fixed text of a punctuation or keyword kind (`SyntaxFacts.GetText`).
    pub fn fixed_text(self) -> Option<&'static str> {
        use TokenKind::*;
        Some(match self {
            At => "@",
            LeftBrace => "{",
            RightBrace => "}",
            LeftParen => "(",
            RightParen => ")",
            LeftSquare => "[",
            RightSquare => "]",
            Comma => ",",
            Dot => ".",
            Question => "?",
            Colon => ":",
            Semicolon => ";",
            Assignment => "=",
            Plus => "+",
            Minus => "-",
            Asterisk => "*",
            Slash => "/",
            Modulo => "%",
            Exclamation => "!",
            LeftChevron => "<",
            RightChevron => ">",
            LessThanOrEqual => "<=",
            GreaterThanOrEqual => ">=",
            Equals => "==",
            NotEquals => "!=",
            EqualsInsensitive => "=~",
            NotEqualsInsensitive => "!~",
            LogicalAnd => "&&",
            LogicalOr => "||",
            TrueKeyword => "true",
            FalseKeyword => "false",
            NullKeyword => "null",
            EndOfFile => "",
            DoubleQuestion => "??",
            DoubleColon => "::",
            Arrow => "=>",
            Pipe => "|",
            Ellipsis => "...",
            Hat => "^",
            Dollar => "$",
            Unrecognized | Identifier | StringLeftPiece | StringMiddlePiece | StringRightPiece
            | StringComplete | Integer | NewLine => return None,
        })
    }

    /// A string token (complete or a piece of an interpolated string).
    pub fn is_string(self) -> bool {
        matches!(
            self,
            TokenKind::StringComplete
                | TokenKind::StringLeftPiece
                | TokenKind::StringMiddlePiece
                | TokenKind::StringRightPiece
        )
    }

    /// Binary operator precedence (`TokenTypeHelper.GetOperatorPrecedence`);
    /// `None` for a token that is not a binary operator.
    pub fn binary_precedence(self) -> Option<u8> {
        use TokenKind::*;
        Some(match self {
            Modulo | Asterisk | Slash => 100,
            Plus | Minus => 90,
            RightChevron | GreaterThanOrEqual | LeftChevron | LessThanOrEqual => 80,
            Equals | NotEquals | EqualsInsensitive | NotEqualsInsensitive => 70,
            LogicalAnd => 50,
            LogicalOr => 40,
            DoubleQuestion => 30,
            _ => return None,
        })
    }

    /// Whether comments after a token of this kind on the same line are
    /// its trailing trivia (`SyntaxFacts.GetCommentStickiness` is
    /// `Trailing` or `Bidirectional`); otherwise they lead the next token.
    pub(crate) fn takes_trailing_comments(self) -> bool {
        use TokenKind::*;
        matches!(
            self,
            RightParen
                | RightSquare
                | RightBrace
                | StringRightPiece
                | Question
                | Exclamation
                | FalseKeyword
                | TrueKeyword
                | NullKeyword
                | StringComplete
                | Integer
                | Identifier
        )
    }
}

/// A set of token kinds in one `u64` (there are 48 kinds).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TokenSet(u64);

impl TokenSet {
    pub const EMPTY: TokenSet = TokenSet(0);

    pub const fn new(kinds: &[TokenKind]) -> TokenSet {
        let mut bits = 0u64;
        let mut rest = kinds;
        while let [first, tail @ ..] = rest {
            bits |= 1u64 << (*first as u8);
            rest = tail;
        }
        TokenSet(bits)
    }

    pub const fn contains(self, kind: TokenKind) -> bool {
        self.0 & (1u64 << (kind as u8)) != 0
    }

    pub const fn with(self, kind: TokenKind) -> TokenSet {
        TokenSet(self.0 | (1u64 << (kind as u8)))
    }
}

/// One token: its kind and span, and where its trivia sit in the trivia
/// table (see [`crate::Lexed::leading_trivia`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
    /// Index of the first leading trivia item.
    pub(crate) leading: u32,
    /// Index of the first trailing trivia item (= end of the leading ones).
    pub(crate) trailing: u32,
}

/// What a piece of trivia is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TriviaKind {
    /// A run of spaces and tabs (the only whitespace Bicep accepts).
    Whitespace,
    /// `// …` up to (not including) the line break.
    LineComment,
    /// `/* … */` (or to the end of the text when unterminated, BCP002).
    BlockComment,
    /// `#disable-next-line …`, `#disable-diagnostics …` or
    /// `#restore-diagnostics …`; see [`crate::Lexed::pragmas`].
    Pragma,
    /// The UTF-8 byte-order mark at the start of the text. Bicep removes it
    /// before lexing; here it is kept as trivia so spans index the text as
    /// given.
    Bom,
}

/// Text between tokens that the parser does not see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trivia {
    pub kind: TriviaKind,
    pub span: Span,
}

/// Which diagnostics pragma.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PragmaKind {
    /// `#disable-next-line`: suppresses the codes on the next line.
    DisableNextLine,
    /// `#disable-diagnostics`: suppresses the codes until
    /// `#restore-diagnostics` or the end of the file.
    DisableDiagnostics,
    /// `#restore-diagnostics`.
    RestoreDiagnostics,
}

impl PragmaKind {
    /// The word after `#`.
    pub fn keyword(self) -> &'static str {
        match self {
            PragmaKind::DisableNextLine => "disable-next-line",
            PragmaKind::DisableDiagnostics => "disable-diagnostics",
            PragmaKind::RestoreDiagnostics => "restore-diagnostics",
        }
    }
}

/// A diagnostics pragma with its codes (`#disable-next-line BCP081 MI402`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pragma<'s> {
    pub kind: PragmaKind,
    /// From `#` to the end of the last code (the keyword alone, plus any
    /// blanks after it, when there is no code).
    pub span: Span,
    /// The codes, in order: runs of `[A-Za-z0-9_-]` (Bicep's rule; any other
    /// character ends the pragma and is lexed as code).
    pub codes: Vec<PragmaCode<'s>>,
}

/// One code of a pragma.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PragmaCode<'s> {
    pub text: &'s str,
    pub span: Span,
}
