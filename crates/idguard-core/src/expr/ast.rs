//! The expression syntax tree.
use std::rc::Rc;

/// An expression with its byte span inside the expression text.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What the expression is.
    pub kind: ExprKind,
    /// Byte offset of the first character (inside the text given to
    /// [`super::parse`], or inside the template string for
    /// [`super::parse_template_string`], where the `[` is offset 0).
    pub start: u32,
    /// Byte offset just past the last character.
    pub end: u32,
}

/// The kinds of expression ARM's language has: literals, calls, property
/// access and indexing. (There are no operators; `true`, `false` and
/// `null` are the functions `true()`, `false()` and `null()`.)
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `'text'` (with `''` unescaped)
    Str(Rc<str>),
    /// An integer literal, possibly negative.
    Int(i64),
    /// A number with a fractional part (accepted leniently; ARM templates
    /// write `json('1.5')`).
    Float(f64),
    /// `name(args)` or `namespace.name(args)` for user-defined functions.
    Call {
        /// The user-defined function namespace, if any.
        namespace: Option<Rc<str>>,
        /// The function name as written (matched case-insensitively).
        name: Rc<str>,
        /// The arguments in order.
        args: Vec<Expr>,
    },
    /// `of.name`
    Member {
        /// The expression whose property is read.
        of: Box<Expr>,
        /// The property name as written.
        name: Rc<str>,
    },
    /// `of[index]`
    Index {
        /// The expression that is indexed.
        of: Box<Expr>,
        /// The index or key.
        index: Box<Expr>,
    },
}
