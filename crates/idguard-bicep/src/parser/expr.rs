//! Expressions (`BaseParser.Expression` and below): ternary, binary
//! operators by precedence, unary, member chains, primaries, strings,
//! lambdas, `for` and `if`.

use super::list::{Entry, ParenList};
use super::{Container, DECLARATION_KEYWORDS, ExprFlags, FromSkipped, PResult, Parser, flag_after};
use super::{Flags, Suppresses};
use crate::ast::*;
use crate::diagnostic as diag;
use crate::lexer::string_segments;
use crate::span::Span;
use crate::token::{Token, TokenKind as K, TokenSet};

/// Where a failed operand stops skipping.
const OPERAND_END: TokenSet = TokenSet::new(&[
    K::StringRightPiece,
    K::RightBrace,
    K::RightParen,
    K::RightSquare,
    K::NewLine,
]);

const HOLE_END: TokenSet = TokenSet::new(&[K::StringMiddlePiece, K::StringRightPiece, K::NewLine]);

const BODY_END: TokenSet = TokenSet::new(&[K::NewLine, K::RightParen]);

impl<'s> FromSkipped for ForBody<'s> {
    fn from_skipped(s: Skipped) -> Self {
        ForBody::Expr(Expr::Skipped(s))
    }
}

impl Suppresses for ForBody<'_> {
    fn suppresses(&self) -> bool {
        matches!(self, ForBody::Expr(e) if e.suppresses())
    }
}

fn binary_op(kind: K) -> BinaryOp {
    match kind {
        K::Asterisk => BinaryOp::Multiply,
        K::Slash => BinaryOp::Divide,
        K::Modulo => BinaryOp::Modulo,
        K::Plus => BinaryOp::Add,
        K::Minus => BinaryOp::Subtract,
        K::LeftChevron => BinaryOp::LessThan,
        K::LessThanOrEqual => BinaryOp::LessThanOrEqual,
        K::RightChevron => BinaryOp::GreaterThan,
        K::GreaterThanOrEqual => BinaryOp::GreaterThanOrEqual,
        K::Equals => BinaryOp::Equals,
        K::NotEquals => BinaryOp::NotEquals,
        K::EqualsInsensitive => BinaryOp::EqualsInsensitive,
        K::NotEqualsInsensitive => BinaryOp::NotEqualsInsensitive,
        K::LogicalAnd => BinaryOp::LogicalAnd,
        K::LogicalOr => BinaryOp::LogicalOr,
        _ => BinaryOp::Coalesce,
    }
}

impl<'s> Parser<'s, '_> {
    /// `Expression`: one level of nesting.
    pub(crate) fn expression(&mut self, flags: ExprFlags) -> PResult<Expr<'s>> {
        self.nested(|p| p.ternary(flags))
    }

    fn ternary(&mut self, flags: ExprFlags) -> PResult<Expr<'s>> {
        let start = self.pos;
        let condition = self.binary(flags, 0)?;
        // `?` may start the next line (leading-operator style).
        if self.peek_skip_nl().kind == K::Question {
            self.newlines();
        }
        if !self.check(K::Question) {
            return Ok(condition);
        }
        Ok(self.ternary_rest(start, condition, flags))
    }

    /// After the `?` of a ternary.
    #[inline(never)]
    fn ternary_rest(&mut self, start: usize, condition: Expr<'s>, flags: ExprFlags) -> Expr<'s> {
        self.read();
        let then = self.recover(Flags::None, OPERAND_END.with(K::Colon), |p| {
            p.expression(flags)
        });
        if !then.is_skipped() && self.peek_skip_nl().kind == K::Colon {
            self.newlines();
        }
        let colon: Slot<Span> = self.recover(flag_after(&then), OPERAND_END, |p| {
            p.expect_char(K::Colon, ":").map(|t| Slot::Present(t.span))
        });
        let otherwise = self.recover(flag_after(&colon), OPERAND_END, |p| p.expression(flags));
        Expr::Ternary(Box::new(TernaryExpr {
            span: self.span_to(start, otherwise.span()),
            condition,
            then,
            otherwise,
        }))
    }

    /// `BinaryExpression`: precedence climbing, left-associative. Each
    /// operator nests the tree one level, so a chain counts toward the
    /// depth limit.
    fn binary(&mut self, flags: ExprFlags, precedence: u8) -> PResult<Expr<'s>> {
        let start = self.pos;
        let mut current = self.unary(flags)?;
        let mut links = 0;
        let result = loop {
            let op = self.peek();
            let Some(p) = op.kind.binary_precedence() else {
                break Ok(current);
            };
            if p <= precedence {
                break Ok(current);
            }
            if let Err(e) = self.enter() {
                break Err(e);
            }
            links += 1;
            self.read();
            let right = self.recover(Flags::None, OPERAND_END, |q| q.binary(flags, p));
            current = Expr::Binary(Box::new(BinaryExpr {
                span: self.span_to(start, right.span()),
                op: binary_op(op.kind),
                op_span: op.span,
                left: current,
                right,
            }));
        };
        self.leave(links);
        result
    }

    /// `UnaryExpression`: at most one `!` or `-`.
    #[inline(never)]
    fn unary(&mut self, flags: ExprFlags) -> PResult<Expr<'s>> {
        let t = self.peek();
        let op = match t.kind {
            K::Exclamation => UnaryOp::Not,
            K::Minus => UnaryOp::Minus,
            _ => return self.member(flags),
        };
        self.read();
        let operand = self.recover(Flags::None, OPERAND_END, |p| p.member(flags));
        Ok(Expr::Unary(Box::new(UnaryExpr {
            span: t.span.cover(operand.span()),
            op,
            op_span: t.span,
            operand,
        })))
    }

    /// `MemberExpression`: a primary and its `[…]`, `.name`, `.f(…)`,
    /// `::child` and `!` suffixes.
    fn member(&mut self, flags: ExprFlags) -> PResult<Expr<'s>> {
        let start = self.pos;
        let mut current = self.primary(flags)?;
        let mut links = 0;
        let result = loop {
            let kind = if self.at_end() {
                K::EndOfFile
            } else {
                self.peek_kind()
            };
            if !matches!(
                kind,
                K::LeftSquare | K::Dot | K::DoubleColon | K::Exclamation
            ) {
                break Ok(current);
            }
            if let Err(e) = self.enter() {
                break Err(e);
            }
            links += 1;
            match self.member_suffix(start, current, flags) {
                Ok(next) => current = next,
                Err(e) => break Err(e),
            }
        };
        self.leave(links);
        result
    }

    #[inline(never)]
    fn member_suffix(
        &mut self,
        start: usize,
        base: Expr<'s>,
        flags: ExprFlags,
    ) -> PResult<Expr<'s>> {
        let t = self.read();
        match t.kind {
            K::LeftSquare => {
                let safe = self.check(K::Question) && {
                    self.read();
                    true
                };
                let from_end = self.check(K::Hat) && {
                    self.read();
                    true
                };
                let index = if self.check(K::RightSquare) {
                    Expr::Skipped(self.skip_empty(Some(diag::empty_indexer)))
                } else {
                    self.expression(flags)?
                };
                let close = self.expect_char(K::RightSquare, "]")?;
                Ok(Expr::Index(Box::new(IndexAccess {
                    span: self.span_to(start, close.span),
                    base,
                    safe,
                    from_end,
                    index,
                })))
            }
            K::Dot => {
                let safe = self.check(K::Question).then(|| self.read().span);
                let name = self.identifier_or_skip(diag::expected_function_or_property_name);
                if self.check(K::LeftParen) {
                    let (args, end) = self.call_args(flags)?;
                    let name = match safe {
                        // `.?f()`: safe dereference is not for function calls.
                        Some(q) => {
                            self.diags
                                .push(diag::safe_dereference_on_instance_function(q));
                            Ident {
                                span: q.cover(name.span),
                                name: None,
                            }
                        }
                        None => name,
                    };
                    Ok(Expr::InstanceCall(Box::new(InstanceCallExpr {
                        span: self.span_to(start, end),
                        base,
                        name,
                        args,
                    })))
                } else {
                    Ok(Expr::Property(Box::new(PropertyAccess {
                        span: self.span_to(start, name.span),
                        base,
                        safe: safe.is_some(),
                        name,
                    })))
                }
            }
            K::DoubleColon => {
                let name = self.identifier_or_skip(diag::expected_function_or_property_name);
                Ok(Expr::ResourceAccess(Box::new(ResourceAccess {
                    span: self.span_to(start, name.span),
                    base,
                    name,
                })))
            }
            _ => Ok(Expr::NonNull(Box::new(NonNullExpr {
                span: self.span_to(start, t.span),
                base,
            }))),
        }
    }

    /// `PrimaryExpression`.
    #[inline(never)]
    fn primary(&mut self, flags: ExprFlags) -> PResult<Expr<'s>> {
        let t = self.peek();
        match t.kind {
            K::Integer => {
                self.read();
                let value = parse_u64(self.text_of(t))
                    .ok_or_else(|| self.err_at(t, diag::invalid_integer))?;
                Ok(Expr::Int(IntLit {
                    span: t.span,
                    value,
                }))
            }
            K::NullKeyword => Ok(Expr::Null(self.read().span)),
            K::TrueKeyword | K::FalseKeyword => {
                self.read();
                Ok(Expr::Bool(BoolLit {
                    span: t.span,
                    value: t.kind == K::TrueKeyword,
                }))
            }
            K::StringComplete | K::StringLeftPiece => Ok(self.string_expr()),
            K::LeftBrace if flags.complex => self.object_expr(flags),
            K::LeftSquare if flags.complex => {
                if self
                    .peek_ahead_skip_nl(1)
                    .is_some_and(|n| self.is_kw(n, "for"))
                {
                    self.for_expr(flags)
                } else {
                    self.array_expr()
                }
            }
            K::LeftBrace | K::LeftSquare => Err(self.err_at(t, diag::complex_literals_not_allowed)),
            K::LeftParen => self.paren_or_lambda(flags),
            K::Identifier => self.call_or_variable(flags),
            _ => Err(self.err_at(t, diag::unrecognized_expression)),
        }
    }

    // The literals are built (and boxed) out of line, so that their
    // temporaries are not in `primary`'s frame, which every nesting level
    // of every expression goes through.

    #[inline(never)]
    fn string_expr(&mut self) -> Expr<'s> {
        match self.interpolable_string() {
            Ok(s) => Expr::String(Box::new(s)),
            Err(s) => Expr::Skipped(s),
        }
    }

    #[inline(never)]
    fn object_expr(&mut self, flags: ExprFlags) -> PResult<Expr<'s>> {
        Ok(Expr::Object(Box::new(self.object(flags)?)))
    }

    #[inline(never)]
    fn for_expr(&mut self, flags: ExprFlags) -> PResult<Expr<'s>> {
        Ok(Expr::For(self.for_expression(flags, false)?))
    }

    #[inline(never)]
    fn array_expr(&mut self) -> PResult<Expr<'s>> {
        Ok(Expr::Array(Box::new(self.array()?)))
    }

    /// `FunctionCallOrVariableAccess`: `name`, `name(args)`, `name => body`.
    #[inline(never)]
    fn call_or_variable(&mut self, flags: ExprFlags) -> PResult<Expr<'s>> {
        let start = self.pos;
        let name = self.identifier(diag::expected_variable_or_function_name)?;
        if self.check(K::LeftParen) {
            let (args, end) = self.call_args(flags)?;
            return Ok(Expr::Call(Box::new(CallExpr {
                span: self.span_to(start, end),
                name,
                args,
            })));
        }
        if self.check(K::Arrow) {
            self.read();
            let body = self.lambda_body();
            return Ok(Expr::Lambda(Box::new(LambdaExpr {
                span: self.span_to(start, body.span()),
                params: vec![name],
                body,
            })));
        }
        Ok(Expr::Var(name))
    }

    /// After `=>`: line breaks (unless a declaration keyword follows), then
    /// the body.
    #[inline(never)]
    fn lambda_body(&mut self) -> Expr<'s> {
        self.newlines_before_body(true);
        self.recover(Flags::None, BODY_END, |p| p.expression(ExprFlags::COMPLEX))
    }

    /// Skips the line breaks after `=>` unless a declaration keyword
    /// follows them (or editor recovery stops there).
    pub(crate) fn newlines_before_body(&mut self, allowed: bool) {
        let next = self.peek_skip_nl();
        let keyword =
            next.kind == K::Identifier && DECLARATION_KEYWORDS.contains(&self.text_of(next));
        if allowed && !keyword && self.editor_stop(Container::PLAIN).is_none() {
            self.newlines();
        }
    }

    /// `ParenthesizedExpressionOrLambda`.
    #[inline(never)]
    fn paren_or_lambda(&mut self, flags: ExprFlags) -> PResult<Expr<'s>> {
        let start = self.pos;
        let list = self.paren_list(true, |p| p.expression(flags))?;
        if self.check(K::Arrow) {
            self.read();
            let body = self.lambda_body();
            let params = lambda_params(&list);
            return Ok(Expr::Lambda(Box::new(LambdaExpr {
                span: self.span_to(start, body.span()),
                params,
                body,
            })));
        }
        Ok(self.paren_from(list))
    }

    /// A parenthesized expression from its list.
    fn paren_from(&mut self, list: ParenList<Expr<'s>>) -> Expr<'s> {
        let span = list.span();
        let close = list.close.clone();
        let inner = self.paren_inner(list, Expr::span);
        Expr::Paren(Box::new(ParenExpr { span, inner, close }))
    }

    /// `ParenthesizedExpression` (an `if` condition).
    fn paren_expression(&mut self, flags: ExprFlags) -> PResult<Expr<'s>> {
        let list = self.paren_list(true, |p| p.expression(flags))?;
        Ok(self.paren_from(list))
    }

    /// `TypedLambda`: the parameters, return type and body of a `func`.
    #[inline(never)]
    pub(crate) fn typed_lambda(&mut self) -> PResult<TypedLambda<'s>> {
        let start = self.pos;
        let terms = TokenSet::new(&[K::NewLine, K::Comma, K::RightParen]);
        let list = self.paren_list(true, |p| {
            let s = p.pos;
            let name = p.identifier_or_skip(diag::expected_variable_identifier);
            let ty = p.recover(Flags::None, terms, |p| p.declared_type(false));
            Ok(Slot::Present(TypedParam {
                span: p.span_to(s, ty.span()),
                name,
                ty,
            }))
        })?;
        let return_type = self.recover(Flags::None, BODY_END, |p| p.declared_type(false));
        let arrow: Slot<Span> = self.recover(Flags::None, BODY_END, |p| {
            p.expect_char(K::Arrow, "=>").map(|t| Slot::Present(t.span))
        });
        self.newlines_before_body(!arrow.is_skipped());
        let body = self.recover(Flags::None, BODY_END, |p| p.expression(ExprFlags::COMPLEX));
        let params = list
            .entries
            .into_iter()
            .filter_map(|e| match e {
                Entry::Item(i) => Some(i),
                _ => None,
            })
            .collect();
        Ok(TypedLambda {
            span: self.span_to(start, body.span()),
            params,
            return_type,
            arrow,
            body,
        })
    }

    /// `[for … in …: body]`.
    #[inline(never)]
    pub(crate) fn for_expression(
        &mut self,
        flags: ExprFlags,
        resource_body: bool,
    ) -> PResult<Box<ForExpr<'s>>> {
        let start = self.pos;
        self.expect_char(K::LeftSquare, "[")?;
        self.newlines_unless_stop(Container::PLAIN);
        let keyword = self.expect_kw("for", None)?.span;
        let (mark, sticky) = (self.diags.len(), self.sticky.len());
        let variables = match self.peek_kind() {
            K::Identifier => {
                ForVariables::Item(self.identifier(diag::expected_loop_variable_identifier)?)
            }
            K::LeftParen => self.for_variable_block()?,
            _ => ForVariables::Skipped(self.skip_empty(Some(diag::expected_loop_item_or_block))),
        };
        let vspan = match &variables {
            ForVariables::Item(i) => i.span,
            ForVariables::ItemIndex { span, .. } => *span,
            ForVariables::Skipped(s) => s.span,
        };
        let in_flags = if self.has_syntax_error(mark, sticky, vspan) {
            Flags::Suppress
        } else {
            Flags::None
        };
        let rsq_nl = TokenSet::new(&[K::RightSquare, K::NewLine]);
        let in_kw: Slot<Span> = self.recover(in_flags, rsq_nl, |p| {
            p.expect_kw("in", None).map(|t| Slot::Present(t.span))
        });
        let iterable = self.recover(flag_after(&in_kw), rsq_nl.with(K::Colon), |p| {
            p.expression(ExprFlags::COMPLEX)
        });
        let colon: Slot<Span> = self.recover(flag_after(&iterable), rsq_nl, |p| {
            p.expect_char(K::Colon, ":").map(|t| Slot::Present(t.span))
        });
        let body = self.recover(flag_after(&colon), rsq_nl, |p| {
            p.for_body(flags, resource_body)
        });
        let body_skipped = matches!(body, ForBody::Expr(Expr::Skipped(_)));
        if !body_skipped {
            self.newlines_unless_stop(Container::PLAIN);
        }
        let close: Slot<Span> = if !self.check(K::RightSquare)
            && let Some(at) = self.editor_stop(Container::PLAIN)
        {
            self.editor_close(at, "]");
            Slot::Skipped(Skipped {
                span: Span::empty(self.peek().span.start),
            })
        } else {
            self.recover(flag_after(&body), rsq_nl, |p| {
                p.expect_char(K::RightSquare, "]")
                    .map(|t| Slot::Present(t.span))
            })
        };
        Ok(Box::new(ForExpr {
            span: self.span_to(start, close.span()),
            keyword,
            variables,
            iterable,
            body,
            closed: !close.is_skipped(),
        }))
    }

    /// `(item, index)` of a loop: exactly two names (BCP249).
    fn for_variable_block(&mut self) -> PResult<ForVariables<'s>> {
        let (mark, sticky) = (self.diags.len(), self.sticky.len());
        let list = self.paren_list(false, |p| p.expression(ExprFlags::NONE))?;
        let span = list.span();
        let names: Vec<Ident<'s>> = list
            .entries
            .iter()
            .filter_map(|e| match e {
                Entry::Item(Expr::Var(v)) => Some(*v),
                _ => None,
            })
            .collect();
        match names.as_slice() {
            [item, index] => Ok(ForVariables::ItemIndex {
                span,
                item: *item,
                index: *index,
            }),
            _ if self.has_syntax_error(mark, sticky, span) => {
                Ok(ForVariables::Skipped(Skipped { span }))
            }
            _ => {
                let n = names.len();
                self.diags
                    .push(diag::loop_variable_block_needs_two(span, n));
                Ok(ForVariables::Skipped(Skipped { span }))
            }
        }
    }

    /// `ForBody`: any expression, or in a resource or module loop an
    /// object or `if`.
    fn for_body(&mut self, flags: ExprFlags, resource_body: bool) -> PResult<ForBody<'s>> {
        if !resource_body {
            let flags = ExprFlags {
                complex: true,
                ..flags
            };
            return self.expression(flags).map(ForBody::Expr);
        }
        let cur = self.peek();
        match cur.kind {
            K::LeftBrace => Ok(ForBody::Expr(Expr::Object(Box::new(self.object(flags)?)))),
            K::Identifier if self.text_of(cur) == "if" => {
                Ok(ForBody::If(self.if_condition(flags, true)?))
            }
            _ => Err(self.err_at(cur, diag::expected_body_start_or_if)),
        }
    }

    /// `if (condition) { … }`.
    #[inline(never)]
    pub(crate) fn if_condition(
        &mut self,
        flags: ExprFlags,
        inside_for: bool,
    ) -> PResult<IfBody<'s>> {
        let keyword = self.expect_kw("if", None)?.span;
        let cond_terms = if inside_for {
            TokenSet::new(&[K::RightSquare, K::LeftBrace, K::NewLine])
        } else {
            TokenSet::new(&[K::LeftBrace, K::NewLine])
        };
        let cond_flags = ExprFlags {
            resources: false,
            ..flags
        };
        let paren_condition =
            self.recover(Flags::None, cond_terms, |p| p.paren_expression(cond_flags));
        let proper = matches!(&paren_condition, Expr::Paren(p) if !p.close.is_skipped());
        let body_flags = if paren_condition.suppresses() || !proper {
            Flags::Suppress
        } else {
            Flags::None
        };
        let body_terms = if inside_for {
            TokenSet::new(&[K::RightSquare, K::NewLine])
        } else {
            TokenSet::new(&[K::NewLine])
        };
        let body = self.recover(body_flags, body_terms, |p| {
            p.object(flags).map(Slot::Present)
        });
        let end = match &body {
            Slot::Present(o) => o.span,
            Slot::Skipped(s) => s.span,
        };
        Ok(IfBody {
            span: keyword.cover(end),
            keyword,
            paren_condition,
            body,
        })
    }

    /// `InterpolableString`: a string, or the recovery node Bicep makes of
    /// a malformed one (whose error the lexer already reported).
    #[inline(never)]
    pub(crate) fn interpolable_string(&mut self) -> Result<StringLit<'s>, Skipped> {
        let start = self.peek();
        if start.kind == K::StringComplete {
            // The common case, without the lists.
            self.read();
            let raw = self.text_of(start);
            let info = crate::lexer::string_info(raw);
            return match crate::lexer::segment_value(raw, start.kind, info) {
                Some(value) => Ok(StringLit {
                    span: start.span,
                    multiline: info.0,
                    parts: StringParts::Plain(value),
                }),
                None => Err(Skipped {
                    span: Span::new(
                        start.span.start,
                        self.peek().span.start.max(start.span.start),
                    ),
                }),
            };
        }
        let mut tokens: Vec<Token> = Vec::new();
        let mut holes: Vec<Expr<'s>> = Vec::new();
        let mut first = true;
        loop {
            let mut had_errors = false;
            let mut complete = false;
            let (end_kind, hole_kind) = if first {
                (K::StringComplete, K::StringLeftPiece)
            } else {
                (K::StringRightPiece, K::StringMiddlePiece)
            };
            let kind = self.peek_kind();
            if kind == end_kind {
                tokens.push(self.read());
                complete = true;
            } else if kind == hole_kind {
                tokens.push(self.read());
                let mut e = self.recover(Flags::None, HOLE_END, |p| p.expression(ExprFlags::NONE));
                if !self.check_set(HOLE_END) {
                    // More after the expression: skip to the end of the hole.
                    let rest = self.skip_to(HOLE_END, diag::unexpected_tokens_in_interpolation);
                    e = Expr::Skipped(Skipped {
                        span: e.span().cover(rest.span),
                    });
                }
                holes.push(e);
                if self.check(K::NewLine) || self.at_end() {
                    had_errors = true;
                }
            } else {
                let rest = self.skip_to(HOLE_END, diag::unexpected_tokens_in_interpolation);
                holes.push(Expr::Skipped(rest));
                if !self.check_set(TokenSet::new(&[K::StringMiddlePiece, K::StringRightPiece])) {
                    had_errors = true;
                }
            }
            if complete {
                if let Some(mut segments) = string_segments(self.text, &tokens) {
                    let (Some(first_tok), Some(last_tok)) = (tokens.first(), tokens.last()) else {
                        return Err(Skipped {
                            span: Span::empty(start.span.start),
                        });
                    };
                    let span = first_tok.span.cover(last_tok.span);
                    let multiline = crate::lexer::is_multiline_string(self.text_of(*first_tok));
                    let parts = if tokens.len() == 1 && holes.is_empty() && segments.len() == 1 {
                        StringParts::Plain(segments.pop().unwrap_or_default())
                    } else {
                        StringParts::Interpolated(Box::new(Interpolation {
                            segments,
                            holes,
                            pieces: tokens.iter().map(|t| t.span).collect(),
                        }))
                    };
                    return Ok(StringLit {
                        span,
                        multiline,
                        parts,
                    });
                }
                had_errors = true;
            }
            if had_errors {
                let end = self.peek().span.start.max(start.span.start);
                return Err(Skipped {
                    span: Span::new(start.span.start, end),
                });
            }
            first = false;
        }
    }
}

/// The parameters of `(a, b) => …` (`GetVariableBlock`): plain names;
/// anything else is an invalid identifier.
fn lambda_params<'s>(list: &ParenList<Expr<'s>>) -> Vec<Ident<'s>> {
    list.entries
        .iter()
        .filter_map(|e| match e {
            Entry::Item(Expr::Var(v)) => Some(*v),
            Entry::Item(other) => Some(Ident {
                span: other.span(),
                name: None,
            }),
            _ => None,
        })
        .collect()
}

/// `ulong.TryParse(text, NumberStyles.None)`: digits only, no overflow.
pub(crate) fn parse_u64(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}
