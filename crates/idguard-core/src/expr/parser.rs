//! The expression parser: recursive descent over the text between `[` and
//! `]`, with a depth limit so no input can overflow the stack.
//!
//! Grammar (ARM's expression language):
//!
//! ```text
//! expr    := primary postfix*
//! primary := STRING | NUMBER | call
//! call    := IDENT ('.' IDENT)? '(' (expr (',' expr)*)? ')'
//! postfix := '.' IDENT | '[' expr ']'
//! STRING  := '\'' ([^'] | '\'\'')* '\''
//! NUMBER  := '-'? DIGIT+ ('.' DIGIT+)?
//! ```
//!
//! ARM has no bare `true`, `false` or `null` literals: templates write the
//! functions `true()`, `false()` and `null()`, and a bare word is an error.
use std::rc::Rc;

use super::{Expr, ExprKind, MAX_EXPR_DEPTH};

/// A malformed expression: what was expected, what was found, and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} at offset {offset}")]
pub struct ExprError {
    /// What was expected and what was found instead.
    pub message: String,
    /// Byte offset inside the JSON string's content (for [`parse`]: inside
    /// the text it was given).
    pub offset: u32,
}

/// Parses an expression (the text between `[` and `]`). Spans and error
/// offsets are byte offsets inside `src`.
pub fn parse(src: &str) -> Result<Expr, ExprError> {
    let mut p = Parser {
        src,
        bytes: src.as_bytes(),
        pos: 0,
        base: 0,
    };
    p.skip_ws();
    if p.at_end() {
        return Err(p.error_here("expected an expression, found the end of the text"));
    }
    let expr = p.expr(0)?;
    p.skip_ws();
    if !p.at_end() {
        return Err(p.error_here(&format!(
            "expected the end of the expression, found {}",
            p.describe_here()
        )));
    }
    Ok(expr)
}

/// Whether a template string is an expression: it starts with `[`, ends
/// with `]` and does not start with `[[`.
pub fn is_expression(s: &str) -> bool {
    s.len() >= 2 && s.starts_with('[') && s.ends_with(']') && !s.starts_with("[[")
}

/// The value of a template string that is not an expression: `[[…]` loses
/// its first `[`, anything else is itself.
pub fn literal_value(s: &str) -> &str {
    if s.starts_with("[[") && s.ends_with(']') {
        s.get(1..).unwrap_or(s)
    } else {
        s
    }
}

/// Parses a JSON string value of a template. `Ok(None)` when `s` is not an
/// expression (including `[[` escapes); spans and error offsets are byte
/// offsets inside `s` (the `[` is offset 0).
pub fn parse_template_string(s: &str) -> Result<Option<Expr>, ExprError> {
    if !is_expression(s) {
        return Ok(None);
    }
    let inner = s.get(1..s.len() - 1).unwrap_or("");
    let mut p = Parser {
        src: inner,
        bytes: inner.as_bytes(),
        pos: 0,
        base: 1,
    };
    p.skip_ws();
    if p.at_end() {
        return Err(p.error_here("expected an expression between '[' and ']', found nothing"));
    }
    let expr = p.expr(0)?;
    p.skip_ws();
    if !p.at_end() {
        return Err(p.error_here(&format!(
            "expected the end of the expression, found {}",
            p.describe_here()
        )));
    }
    Ok(Some(expr))
}

struct Parser<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// Added to every offset reported (1 inside a template string).
    base: u32,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b'$'
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

impl<'a> Parser<'a> {
    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn offset(&self, pos: usize) -> u32 {
        u32::try_from(pos)
            .unwrap_or(u32::MAX)
            .saturating_add(self.base)
    }

    fn skip_ws(&mut self) {
        while let Some(b) = self.peek() {
            if b.is_ascii_whitespace() {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    fn error_at(&self, pos: usize, message: &str) -> ExprError {
        ExprError {
            message: message.to_string(),
            offset: self.offset(pos),
        }
    }

    fn error_here(&self, message: &str) -> ExprError {
        self.error_at(self.pos, message)
    }

    /// "'x'" for the character at the cursor, "the end of the expression"
    /// at the end.
    fn describe_here(&self) -> String {
        match self.src.get(self.pos..).and_then(|s| s.chars().next()) {
            Some(c) => format!("'{c}'"),
            None => "the end of the expression".to_string(),
        }
    }

    fn make(&self, kind: ExprKind, start: usize, end: usize) -> Expr {
        Expr {
            kind,
            start: self.offset(start),
            end: self.offset(end),
        }
    }

    fn check_depth(&self, depth: usize) -> Result<(), ExprError> {
        if depth > MAX_EXPR_DEPTH {
            Err(self.error_here(&format!(
                "the expression nests deeper than {MAX_EXPR_DEPTH} levels"
            )))
        } else {
            Ok(())
        }
    }

    fn expr(&mut self, depth: usize) -> Result<Expr, ExprError> {
        self.check_depth(depth)?;
        self.skip_ws();
        let start = self.pos;
        let mut expr = self.primary(depth)?;
        // Each postfix wraps the expression once more: count it as depth so
        // that long chains stay within what later recursion can handle.
        let mut chain = depth;
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'.') => {
                    chain += 1;
                    self.check_depth(chain)?;
                    self.pos += 1;
                    self.skip_ws();
                    let name = self.property_name()?;
                    expr = self.make(
                        ExprKind::Member {
                            of: Box::new(expr),
                            name,
                        },
                        start,
                        self.pos,
                    );
                }
                Some(b'[') => {
                    chain += 1;
                    self.check_depth(chain)?;
                    self.pos += 1;
                    let index = self.expr(chain + 1)?;
                    self.skip_ws();
                    if self.peek() != Some(b']') {
                        return Err(self.error_here(&format!(
                            "expected ']' to close the index, found {}",
                            self.describe_here()
                        )));
                    }
                    self.pos += 1;
                    expr = self.make(
                        ExprKind::Index {
                            of: Box::new(expr),
                            index: Box::new(index),
                        },
                        start,
                        self.pos,
                    );
                }
                _ => return Ok(expr),
            }
        }
    }

    fn property_name(&mut self) -> Result<Rc<str>, ExprError> {
        let start = self.pos;
        // Property names are identifiers; ARM also tolerates '-' in them.
        while let Some(b) = self.peek() {
            if is_ident_char(b) || b == b'-' {
                self.pos += 1;
            } else {
                break;
            }
        }
        if start == self.pos {
            return Err(self.error_here(&format!(
                "expected a property name after '.', found {}",
                self.describe_here()
            )));
        }
        Ok(Rc::from(self.src.get(start..self.pos).unwrap_or("")))
    }

    fn ident(&mut self) -> &'a str {
        let start = self.pos;
        while let Some(b) = self.peek() {
            if is_ident_char(b) {
                self.pos += 1;
            } else {
                break;
            }
        }
        self.src.get(start..self.pos).unwrap_or("")
    }

    fn primary(&mut self, depth: usize) -> Result<Expr, ExprError> {
        let start = self.pos;
        match self.peek() {
            Some(b'\'') => self.string(),
            Some(b) if b.is_ascii_digit() || b == b'-' => self.number(),
            Some(b) if is_ident_start(b) => self.call(depth),
            None => Err(self.error_here(
                "expected an expression (a function call, a 'string' or a number), found the end of the expression",
            )),
            Some(_) => Err(self.error_at(
                start,
                &format!(
                    "expected an expression (a function call, a 'string' or a number), found {}",
                    self.describe_here()
                ),
            )),
        }
    }

    fn string(&mut self) -> Result<Expr, ExprError> {
        let start = self.pos;
        self.pos += 1; // opening quote
        let mut text = String::new();
        let mut chunk_start = self.pos;
        loop {
            match self.peek() {
                None => {
                    return Err(self.error_at(
                        start,
                        "expected a closing quote (') for the string that starts here",
                    ));
                }
                Some(b'\'') => {
                    text.push_str(self.src.get(chunk_start..self.pos).unwrap_or(""));
                    if self.bytes.get(self.pos + 1) == Some(&b'\'') {
                        text.push('\'');
                        self.pos += 2;
                        chunk_start = self.pos;
                    } else {
                        self.pos += 1;
                        return Ok(self.make(ExprKind::Str(Rc::from(text)), start, self.pos));
                    }
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    fn number(&mut self) -> Result<Expr, ExprError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let digits = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        if digits == self.pos {
            return Err(self.error_here(&format!(
                "expected a digit after '-', found {}",
                self.describe_here()
            )));
        }
        let mut float = false;
        if self.peek() == Some(b'.') && self.bytes.get(self.pos + 1).is_some_and(u8::is_ascii_digit)
        {
            float = true;
            self.pos += 1;
            while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                self.pos += 1;
            }
        }
        let text = self.src.get(start..self.pos).unwrap_or("");
        let kind = if float {
            match text.parse::<f64>() {
                Ok(f) => ExprKind::Float(f),
                Err(_) => return Err(self.error_at(start, "expected a number")),
            }
        } else {
            match text.parse::<i64>() {
                Ok(i) => ExprKind::Int(i),
                Err(_) => {
                    return Err(self.error_at(
                        start,
                        &format!("the integer {text} does not fit in 64 bits"),
                    ));
                }
            }
        };
        Ok(self.make(kind, start, self.pos))
    }

    fn call(&mut self, depth: usize) -> Result<Expr, ExprError> {
        let start = self.pos;
        let first = self.ident();
        let mut namespace = None;
        let mut name = first;
        self.skip_ws();
        if self.peek() == Some(b'.') {
            // `ns.name(...)`: a user-defined function. A bare word cannot
            // be followed by a property access, so the dot belongs here.
            self.pos += 1;
            self.skip_ws();
            if !self.peek().is_some_and(is_ident_start) {
                return Err(self.error_here(&format!(
                    "expected a function name after '{first}.', found {}",
                    self.describe_here()
                )));
            }
            namespace = Some(Rc::from(first));
            name = self.ident();
            self.skip_ws();
        }
        if self.peek() != Some(b'(') {
            let full = match &namespace {
                Some(ns) => format!("{ns}.{name}"),
                None => name.to_string(),
            };
            let hint = if ["true", "false", "null"]
                .iter()
                .any(|w| w.eq_ignore_ascii_case(name))
                && namespace.is_none()
            {
                format!(" (ARM writes it as the function {name}())")
            } else {
                String::new()
            };
            return Err(self.error_here(&format!(
                "expected '(' after the function name '{full}'{hint}, found {}",
                self.describe_here()
            )));
        }
        self.pos += 1;
        let mut args = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b')') {
            self.pos += 1;
        } else {
            loop {
                args.push(self.expr(depth + 1)?);
                self.skip_ws();
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                    }
                    Some(b')') => {
                        self.pos += 1;
                        break;
                    }
                    _ => {
                        return Err(self.error_here(&format!(
                            "expected ',' or ')' in the arguments of '{name}', found {}",
                            self.describe_here()
                        )));
                    }
                }
            }
        }
        Ok(self.make(
            ExprKind::Call {
                namespace,
                name: Rc::from(name),
                args,
            },
            start,
            self.pos,
        ))
    }
}
