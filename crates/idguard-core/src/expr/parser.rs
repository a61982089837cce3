//! Stub: replaced by the real parser.
use super::Expr;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} at offset {offset}")]
pub struct ExprError {
    pub message: String,
    /// Byte offset inside the JSON string's content.
    pub offset: u32,
}

/// Parses an expression (the text between `[` and `]`).
pub fn parse(_src: &str) -> Result<Expr, ExprError> {
    Err(ExprError {
        message: "not written".into(),
        offset: 0,
    })
}

/// `Ok(None)` when `s` is not an expression (including `[[` escapes).
pub fn parse_template_string(_s: &str) -> Result<Option<Expr>, ExprError> {
    Ok(None)
}
