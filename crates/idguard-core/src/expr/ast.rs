//! The expression syntax tree.
use std::rc::Rc;

/// An expression with its byte span inside the expression text.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub start: u32,
    pub end: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `'text'` (with `''` unescaped)
    Str(Rc<str>),
    Int(i64),
    Float(f64),
    /// `name(args)` or `namespace.name(args)` for user-defined functions.
    Call {
        namespace: Option<Rc<str>>,
        name: Rc<str>,
        args: Vec<Expr>,
    },
    /// `of.name`
    Member {
        of: Box<Expr>,
        name: Rc<str>,
    },
    /// `of[index]`
    Index {
        of: Box<Expr>,
        index: Box<Expr>,
    },
}
