//! Type expressions (`BaseParser.Type`, `TypeExpression` and below).

use super::{Container, Flags, PResult, Parser, flag_after};
use crate::ast::*;
use crate::diagnostic as diag;
use crate::span::Span;
use crate::token::{TokenKind as K, TokenSet};

const OPERAND_END: TokenSet = TokenSet::new(&[
    K::StringRightPiece,
    K::RightBrace,
    K::RightParen,
    K::RightSquare,
    K::NewLine,
]);

/// The key of an object-type member while it is parsed.
enum Key<'s> {
    Named(PropertyKey<'s>),
    Star,
}

impl<'s> super::FromSkipped for Key<'s> {
    fn from_skipped(s: Skipped) -> Self {
        Key::Named(PropertyKey::Skipped(s))
    }
}

impl super::Suppresses for Key<'_> {
    fn suppresses(&self) -> bool {
        matches!(self, Key::Named(PropertyKey::Skipped(s)) if s.is_missing())
    }
}

impl<'s> Parser<'s, '_> {
    /// `Type(allowOptionalResourceType)`: `resource 'T@v'` or a type
    /// expression.
    pub(crate) fn declared_type(&mut self, optional_resource_type: bool) -> PResult<TypeExpr<'s>> {
        if self.check_kw("resource") && self.peek_ahead(1).map(|t| t.kind) != Some(K::LeftChevron) {
            let keyword = self.read().span;
            let type_string = self.recover_opt(
                Flags::None,
                TokenSet::new(&[K::Assignment, K::NewLine]),
                |p| {
                    if optional_resource_type
                        && !matches!(p.peek_kind(), K::StringComplete | K::StringLeftPiece)
                    {
                        return Ok(None);
                    }
                    p.required_string(diag::expected_resource_type_string)
                        .map(|s| Some(Slot::Present(s)))
                },
            );
            let end = match &type_string {
                Some(Slot::Present(s)) => s.span,
                Some(Slot::Skipped(s)) => s.span,
                None => keyword,
            };
            return Ok(TypeExpr::Resource(Box::new(ResourceType {
                span: keyword.cover(end),
                keyword,
                type_string,
            })));
        }
        self.type_expression()
    }

    /// `TypeExpression`: one level of nesting; a union, with an optional
    /// leading `|` and a line break allowed before each `|`.
    pub(crate) fn type_expression(&mut self) -> PResult<TypeExpr<'s>> {
        self.nested(|p| p.union_type())
    }

    fn has_union_separator(&self) -> bool {
        self.check(K::Pipe)
            || (self.check(K::NewLine) && self.peek_ahead(1).is_some_and(|t| t.kind == K::Pipe))
    }

    fn union_type(&mut self) -> PResult<TypeExpr<'s>> {
        let start = self.pos;
        let leading = self.has_union_separator();
        if leading {
            self.newlines();
            self.read();
        }
        let candidate = self.unary_type()?;
        if !leading && !self.has_union_separator() {
            return Ok(candidate);
        }
        let mut members = vec![candidate];
        while self.has_union_separator() {
            self.newlines();
            self.read();
            if self.check(K::NewLine) {
                members.push(TypeExpr::Skipped(
                    self.skip_empty(Some(diag::expected_type_literal)),
                ));
            } else {
                // Bicep gives a failed member no terminator, so its
                // recovery skips to the end of the file. Editor recovery
                // stops at the line end instead.
                let terms = if self.editor {
                    super::NL
                } else {
                    TokenSet::EMPTY
                };
                members.push(self.recover(Flags::None, terms, |p| p.unary_type()));
            }
        }
        let last = members.last().map_or(Span::default(), TypeExpr::span);
        Ok(TypeExpr::Union(Box::new(UnionType {
            span: self.span_to(start, last),
            members,
        })))
    }

    /// `UnaryTypeExpression`: a base type and its `?`/`!` markers.
    fn unary_type(&mut self) -> PResult<TypeExpr<'s>> {
        let start = self.pos;
        let mut current = self.unary_type_base()?;
        let mut links = 0;
        let result = loop {
            let nullable = self.check(K::Question);
            if !nullable && !self.check(K::Exclamation) {
                break Ok(current);
            }
            if let Err(e) = self.enter() {
                break Err(e);
            }
            links += 1;
            let t = self.read();
            let wrapped = Box::new(WrappedType {
                span: self.span_to(start, t.span),
                base: current,
            });
            current = if nullable {
                TypeExpr::Nullable(wrapped)
            } else {
                TypeExpr::NonNullable(wrapped)
            };
        };
        self.leave(links);
        result
    }

    fn unary_type_base(&mut self) -> PResult<TypeExpr<'s>> {
        let t = self.peek();
        let op = match t.kind {
            K::Exclamation => UnaryOp::Not,
            K::Minus => UnaryOp::Minus,
            _ => return self.member_type(),
        };
        self.read();
        let operand = self.recover(Flags::None, OPERAND_END, |p| p.member_type());
        Ok(TypeExpr::Unary(Box::new(UnaryType {
            span: t.span.cover(operand.span()),
            op,
            operand,
        })))
    }

    /// `MemberTypeExpression`: `T[]`, `T[*]`, `T[i]`, `T.*`, `T.p`,
    /// `T.f<…>`.
    fn member_type(&mut self) -> PResult<TypeExpr<'s>> {
        let start = self.pos;
        let mut current = self.primary_type()?;
        let mut links = 0;
        let result = loop {
            if !self.check(K::LeftSquare) && !self.check(K::Dot) {
                break Ok(current);
            }
            if let Err(e) = self.enter() {
                break Err(e);
            }
            links += 1;
            match self.member_type_suffix(start, current) {
                Ok(next) => current = next,
                Err(e) => break Err(e),
            }
        };
        self.leave(links);
        result
    }

    #[inline(never)]
    fn member_type_suffix(&mut self, start: usize, base: TypeExpr<'s>) -> PResult<TypeExpr<'s>> {
        let t = self.read();
        if t.kind == K::LeftSquare {
            if self.check(K::RightSquare) {
                let close = self.read();
                return Ok(TypeExpr::Array(Box::new(ArrayType {
                    span: self.span_to(start, close.span),
                    item: base,
                })));
            }
            if self.check(K::Asterisk) {
                self.read();
                let close = self.expect_char(K::RightSquare, "]")?;
                return Ok(TypeExpr::Items(Box::new(WrappedType {
                    span: self.span_to(start, close.span),
                    base,
                })));
            }
            let index = self.expression(super::ExprFlags::NONE)?;
            let close = self.expect_char(K::RightSquare, "]")?;
            return Ok(TypeExpr::Index(Box::new(TypeIndexAccess {
                span: self.span_to(start, close.span),
                base,
                index,
            })));
        }
        // `.`
        if self.check(K::Asterisk) {
            let star = self.read();
            return Ok(TypeExpr::AdditionalProperties(Box::new(WrappedType {
                span: self.span_to(start, star.span),
                base,
            })));
        }
        let name = self.identifier_or_skip(diag::expected_function_or_property_name);
        if self.check(K::LeftChevron) {
            let (args, end) = self.type_args()?;
            return Ok(TypeExpr::InstanceParameterized(Box::new(
                InstanceParameterizedType {
                    span: self.span_to(start, end),
                    base,
                    name,
                    args,
                },
            )));
        }
        Ok(TypeExpr::Property(Box::new(TypePropertyAccess {
            span: self.span_to(start, name.span),
            base,
            name,
        })))
    }

    /// `PrimaryTypeExpression`.
    #[inline(never)]
    fn primary_type(&mut self) -> PResult<TypeExpr<'s>> {
        let t = self.peek();
        match t.kind {
            K::Integer => {
                self.read();
                let value = super::expr::parse_u64(self.text_of(t))
                    .ok_or_else(|| self.err_at(t, diag::invalid_integer))?;
                Ok(TypeExpr::Int(IntLit {
                    span: t.span,
                    value,
                }))
            }
            K::NullKeyword => Ok(TypeExpr::Null(self.read().span)),
            K::TrueKeyword | K::FalseKeyword => {
                self.read();
                Ok(TypeExpr::Bool(BoolLit {
                    span: t.span,
                    value: t.kind == K::TrueKeyword,
                }))
            }
            K::StringComplete | K::StringLeftPiece => Ok(match self.interpolable_string() {
                Ok(s) => TypeExpr::String(Box::new(s)),
                Err(s) => TypeExpr::Skipped(s),
            }),
            K::LeftBrace => self.object_type(),
            K::LeftSquare => self.tuple_type(),
            K::LeftParen => {
                let list = self.paren_list(false, |p| p.type_expression())?;
                let span = list.span();
                let close = list.close.clone();
                let inner = self.paren_inner(list, TypeExpr::span);
                Ok(TypeExpr::Paren(Box::new(ParenType { span, inner, close })))
            }
            K::Identifier => {
                let start = self.pos;
                let name = self.identifier(diag::expected_type_identifier)?;
                if self.check(K::LeftChevron) {
                    let (args, end) = self.type_args()?;
                    return Ok(TypeExpr::Parameterized(Box::new(ParameterizedType {
                        span: self.span_to(start, end),
                        name,
                        args,
                    })));
                }
                Ok(TypeExpr::Name(name))
            }
            _ => Err(self.err_at(t, diag::unrecognized_type_expression)),
        }
    }

    /// `<args>` (`ParameterizedTypeInstantiation`): the arguments and the
    /// end of the list.
    #[inline(never)]
    fn type_args(&mut self) -> PResult<(Vec<TypeExpr<'s>>, Span)> {
        let open = self.expect_char(K::LeftChevron, "<")?;
        let args = self.function_elements(K::RightChevron, |p| {
            p.recover(
                Flags::None,
                TokenSet::new(&[K::NewLine, K::Comma, K::RightChevron]),
                |p| p.type_expression(),
            )
        });
        let end = if self.check(K::RightChevron) {
            self.read().span
        } else if let Some(at) = self.editor_stop(Container::PLAIN) {
            self.editor_close(at, ">");
            Span::empty(self.peek().span.start)
        } else {
            self.skip_empty_with(|s| diag::expected_character(s, ">"))
                .span
        };
        let last = args.last().map_or(open.span, TypeExpr::span);
        Ok((args, last.cover(end)))
    }

    #[inline(never)]
    fn object_type(&mut self) -> PResult<TypeExpr<'s>> {
        let open = self.expect_char(K::LeftBrace, "{")?;
        let ctx = Container {
            decorators: true,
            resources: false,
        };
        let members = self.array_or_object_elements(K::RightBrace, ctx, |p| p.object_type_member());
        let close = self.expect_closer(K::RightBrace, "}", ctx)?;
        let end = match close {
            Some(t) => t.span,
            None => members.last().map_or(open.span, member_span),
        };
        Ok(TypeExpr::Object(Box::new(ObjectType {
            span: open.span.cover(end),
            members,
            closed: close.is_some(),
        })))
    }

    /// `ObjectPropertyType`: `[decorators] key: type`, `*: type`.
    #[inline(never)]
    fn object_type_member(&mut self) -> ObjectTypeMember<'s> {
        let start = self.pos;
        let decorators = self.decorators();
        let cur = self.peek();
        let key = self.recover(
            Flags::None,
            TokenSet::new(&[K::Colon, K::NewLine, K::RightBrace]),
            |p| match cur.kind {
                K::Identifier => Ok(Key::Named(PropertyKey::Ident(
                    p.identifier(diag::expected_property_name)?,
                ))),
                K::StringComplete | K::StringLeftPiece => match p.interpolable_string() {
                    Ok(s) => Ok(Key::Named(PropertyKey::String(s))),
                    Err(_) => Err(p.err_at(cur, diag::expected_property_name)),
                },
                K::Asterisk => {
                    p.read();
                    Ok(Key::Star)
                }
                _ => Err(p.err_at(cur, diag::expected_property_name_or_matcher)),
            },
        );
        let item_end = TokenSet::new(&[K::NewLine, K::RightBrace]);
        let colon: Slot<Span> = self.recover(flag_after(&key), item_end, |p| {
            p.expect_char(K::Colon, ":").map(|t| Slot::Present(t.span))
        });
        let value = self.recover(flag_after(&colon), item_end, |p| p.type_expression());
        let span = self.span_to(start, value.span());
        match key {
            Key::Star => ObjectTypeMember::AdditionalProperties(ObjectTypeAdditional {
                span,
                decorators,
                value,
            }),
            Key::Named(key) => ObjectTypeMember::Property(ObjectTypeProperty {
                span,
                decorators,
                key,
                value,
            }),
        }
    }

    #[inline(never)]
    fn tuple_type(&mut self) -> PResult<TypeExpr<'s>> {
        let open = self.expect_char(K::LeftSquare, "[")?;
        let ctx = Container {
            decorators: true,
            resources: false,
        };
        let items = self.array_or_object_elements(K::RightSquare, ctx, |p| {
            p.recover(
                Flags::None,
                TokenSet::new(&[K::NewLine, K::RightSquare]),
                |p| {
                    let start = p.pos;
                    let decorators = p.decorators();
                    let ty = p.type_expression()?;
                    Ok(Slot::Present(TupleItem {
                        span: p.span_to(start, ty.span()),
                        decorators,
                        ty,
                    }))
                },
            )
        });
        let close = self.expect_closer(K::RightSquare, "]", ctx)?;
        let end = match close {
            Some(t) => t.span,
            None => items.last().map_or(open.span, |i| match i {
                Slot::Present(t) => t.span,
                Slot::Skipped(s) => s.span,
            }),
        };
        Ok(TypeExpr::Tuple(Box::new(TupleType {
            span: open.span.cover(end),
            items,
            closed: close.is_some(),
        })))
    }
}

fn member_span(m: &ObjectTypeMember<'_>) -> Span {
    match m {
        ObjectTypeMember::Property(p) => p.span,
        ObjectTypeMember::AdditionalProperties(a) => a.span,
        ObjectTypeMember::Skipped(s) => s.span,
    }
}
