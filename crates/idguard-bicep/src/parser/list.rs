//! Lists: object and array elements (`HandleArrayOrObjectElements`), call
//! and type arguments (`HandleFunctionElements`), parenthesized lists
//! (`ParenthesizedExpressionList`), and the object and array literals.

use super::{Container, ExprFlags, FromSkipped, PResult, Parser, Suppresses, flag_after};
use super::{ErrorAt, Flags};
use crate::ast::*;
use crate::diagnostic as diag;
use crate::span::Span;
use crate::token::{Token, TokenKind as K, TokenSet};

/// What a parenthesized list holds, in order.
pub(crate) enum Entry<T> {
    Item(T),
    Comma(Span),
    NewLine(Span),
}

pub(crate) struct ParenList<T> {
    pub open: Token,
    pub entries: Vec<Entry<T>>,
    pub close: Slot<Span>,
}

impl<T> ParenList<T> {
    /// From `(` to `)` (or its recovery node).
    pub fn span(&self) -> Span {
        self.open.span.cover(self.close.span())
    }
}

impl<'s> FromSkipped for ObjectItem<'s> {
    fn from_skipped(s: Skipped) -> Self {
        ObjectItem::Skipped(s)
    }
}

impl<'s> FromSkipped for ArrayItem<'s> {
    fn from_skipped(s: Skipped) -> Self {
        ArrayItem::Value(Expr::Skipped(s))
    }
}

impl<'s> FromSkipped for PropertyKey<'s> {
    fn from_skipped(s: Skipped) -> Self {
        PropertyKey::Skipped(s)
    }
}

impl Suppresses for PropertyKey<'_> {
    fn suppresses(&self) -> bool {
        matches!(self, PropertyKey::Skipped(s) if s.is_missing())
    }
}

const OBJECT_ITEM_END: TokenSet = TokenSet::new(&[K::NewLine, K::RightBrace]);
const ARRAY_ITEM_END: TokenSet = TokenSet::new(&[K::NewLine, K::RightSquare]);
const PAREN_ITEM_END: TokenSet = TokenSet::new(&[
    K::StringRightPiece,
    K::RightBrace,
    K::RightParen,
    K::RightSquare,
    K::NewLine,
    K::Comma,
]);
const PAREN_CLOSE_END: TokenSet = TokenSet::new(&[
    K::StringRightPiece,
    K::RightBrace,
    K::RightSquare,
    K::NewLine,
]);

impl<'s> Parser<'s, '_> {
    /// `HandleArrayOrObjectElements`: elements separated by line breaks
    /// or one comma each; a comma at the end of a line is BCP238.
    pub(crate) fn array_or_object_elements<T>(
        &mut self,
        closer: K,
        ctx: Container,
        mut child: impl FnMut(&mut Self) -> T,
    ) -> Vec<T> {
        let mut items = Vec::new();
        if self.check(closer) || self.editor_stop(ctx).is_some() {
            return items;
        }
        self.newlines();
        let mut expect_element = true;
        while !self.at_end() && self.peek_kind() != closer {
            if !expect_element {
                if self.editor_stop(ctx).is_some() {
                    break;
                }
                if self.check(K::NewLine) {
                    self.newlines();
                } else if self.check(K::Comma) {
                    self.read();
                    if self.editor_stop(ctx).is_some() {
                        break;
                    }
                    if self.check(K::NewLine) {
                        self.skip_empty(Some(diag::unexpected_new_line_after_comma));
                        self.read();
                    }
                } else {
                    self.skip_empty(Some(diag::expected_new_line_or_comma));
                }
                expect_element = true;
                continue;
            }
            items.push(child(self));
            expect_element = false;
        }
        items
    }

    /// `HandleFunctionElements`: arguments separated by commas (line
    /// breaks allowed after them); no trailing comma.
    pub(crate) fn function_elements<T>(
        &mut self,
        closer: K,
        mut child: impl FnMut(&mut Self) -> T,
    ) -> Vec<T> {
        let ctx = Container::PLAIN;
        let mut items = Vec::new();
        if self.check(closer) || self.editor_stop(ctx).is_some() {
            return items;
        }
        self.newlines();
        let mut expect_element = true;
        while !self.at_end() && self.peek_kind() != closer {
            if !expect_element {
                if self.editor_stop(ctx).is_some() {
                    break;
                }
                if self.check(K::NewLine) {
                    // Comment-only lines between the last argument and the
                    // closer are fine.
                    let mut k = 1;
                    while self.peek_ahead(k).is_some_and(|t| t.kind == K::NewLine)
                        && self.has_leading_comment(self.pos + k)
                    {
                        k += 1;
                    }
                    match self.peek_ahead(k) {
                        None => break,
                        Some(t) if t.kind == K::EndOfFile => break,
                        Some(t) if t.kind != closer => {
                            self.skip_empty(Some(diag::expected_comma));
                        }
                        Some(_) => {}
                    }
                    self.newlines();
                } else if self.check(K::Comma) {
                    self.read();
                    if self.editor_stop(ctx).is_some() {
                        break;
                    }
                    self.newlines();
                    if self.check(closer) {
                        // A trailing comma: parse the missing argument to
                        // report it.
                        items.push(child(self));
                    }
                } else {
                    self.skip_empty(Some(diag::expected_new_line_or_comma));
                }
                expect_element = true;
                continue;
            }
            items.push(child(self));
            expect_element = false;
        }
        items
    }

    /// `(args)` of a call: the arguments and the end of the call.
    #[inline(never)]
    pub(crate) fn call_args(&mut self, flags: ExprFlags) -> PResult<(Vec<Expr<'s>>, Span)> {
        let open = self.expect_char(K::LeftParen, "(")?;
        let args = self.function_elements(K::RightParen, |p| {
            p.recover(
                Flags::None,
                TokenSet::new(&[K::NewLine, K::Comma, K::RightParen]),
                |p| p.expression(flags),
            )
        });
        let end = if self.check(K::RightParen) {
            self.read().span
        } else if let Some(at) = self.editor_stop(Container::PLAIN) {
            self.editor_close(at, ")");
            Span::empty(self.peek().span.start)
        } else {
            self.skip_empty_with(|s| diag::expected_character(s, ")"))
                .span
        };
        let last = args.last().map_or(open.span, Expr::span);
        Ok((args, last.cover(end)))
    }

    /// `ParenthesizedExpressionList`.
    #[inline(never)]
    pub(crate) fn paren_list<T: FromSkipped + Suppresses>(
        &mut self,
        permit_newlines: bool,
        mut item: impl FnMut(&mut Self) -> PResult<T>,
    ) -> PResult<ParenList<T>> {
        let open = self.expect_char(K::LeftParen, "(")?;
        let mut entries = Vec::new();
        let newlines = |p: &mut Self, entries: &mut Vec<Entry<T>>| {
            if permit_newlines && p.editor_stop(Container::PLAIN).is_none() {
                while p.check(K::NewLine) {
                    entries.push(Entry::NewLine(p.read().span));
                }
            }
        };
        newlines(self, &mut entries);
        while !self.check(K::RightParen) {
            let e = self.recover(Flags::None, PAREN_ITEM_END, &mut item);
            entries.push(Entry::Item(e));
            newlines(self, &mut entries);
            if self.check(K::Comma) {
                entries.push(Entry::Comma(self.read().span));
                newlines(self, &mut entries);
            } else {
                newlines(self, &mut entries);
                break;
            }
        }
        let flags = match entries.last() {
            Some(Entry::Item(e)) => flag_after(e),
            _ => Flags::None,
        };
        let close = if !self.check(K::RightParen)
            && let Some(at) = self.editor_stop(Container::PLAIN)
        {
            self.editor_close(at, ")");
            Slot::Skipped(Skipped {
                span: Span::empty(self.peek().span.start),
            })
        } else {
            self.recover(flags, PAREN_CLOSE_END, |p| {
                p.expect_char(K::RightParen, ")")
                    .map(|t| Slot::Present(t.span))
            })
        };
        Ok(ParenList {
            open,
            entries,
            close,
        })
    }

    /// `GetParenthesizedExpressionInnerContent`: the one expression, or
    /// a recovery node (BCP243 unless it is a lone separator).
    pub(crate) fn paren_inner<T: FromSkipped>(
        &mut self,
        list: ParenList<T>,
        span_of: fn(&T) -> Span,
    ) -> T {
        let ParenList {
            open, mut entries, ..
        } = list;
        match entries.len() {
            0 => T::from_skipped(self.skip_span(
                Span::empty(open.span.end),
                Some(diag::parentheses_need_one_item),
            )),
            1 => match entries.pop() {
                Some(Entry::Item(t)) => t,
                Some(Entry::Comma(s) | Entry::NewLine(s)) => T::from_skipped(Skipped { span: s }),
                None => T::from_skipped(Skipped {
                    span: Span::empty(open.span.end),
                }),
            },
            _ => {
                let span_entry = |e: &Entry<T>| match e {
                    Entry::Item(t) => span_of(t),
                    Entry::Comma(s) | Entry::NewLine(s) => *s,
                };
                let span = match (entries.first(), entries.last()) {
                    (Some(a), Some(b)) => span_entry(a).cover(span_entry(b)),
                    _ => Span::empty(open.span.end),
                };
                T::from_skipped(self.skip_span(span, Some(diag::parentheses_need_one_item)))
            }
        }
    }

    /// `{ … }`.
    #[inline(never)]
    pub(crate) fn object(&mut self, flags: ExprFlags) -> PResult<ObjectLit<'s>> {
        let open = self.expect_char(K::LeftBrace, "{")?;
        let ctx = Container {
            decorators: flags.resources,
            resources: flags.resources,
        };
        let items = self.array_or_object_elements(K::RightBrace, ctx, |p| p.object_element(flags));
        let close = self.expect_closer(K::RightBrace, "}", ctx)?;
        let end = match close {
            Some(t) => t.span,
            None => items.last().map_or(open.span, ObjectItem::span),
        };
        Ok(ObjectLit {
            span: open.span.cover(end),
            items,
            closed: close.is_some(),
        })
    }

    /// `ObjectElement`: a property, a spread, or (in a resource body) a
    /// nested resource.
    #[inline(never)]
    fn object_element(&mut self, flags: ExprFlags) -> ObjectItem<'s> {
        self.recover(Flags::None, OBJECT_ITEM_END, |p| {
            let start = p.pos;
            if flags.resources
                && (p.check(K::At)
                    || (p.check_kw("resource")
                        && p.peek_ahead(1).is_some_and(|t| t.kind == K::Identifier)))
            {
                return Ok(match p.declaration(true) {
                    Some(Statement::Resource(r)) => ObjectItem::Resource(r),
                    Some(Statement::MissingDeclaration(m)) => ObjectItem::MissingDeclaration(m),
                    Some(other) => ObjectItem::Skipped(Skipped { span: other.span() }),
                    None => ObjectItem::Skipped(Skipped {
                        span: p.node_span(start),
                    }),
                });
            }
            if p.check(K::Ellipsis) {
                return Ok(ObjectItem::Spread(p.spread(TokenSet::new(&[
                    K::Comma,
                    K::NewLine,
                    K::RightBrace,
                ]))));
            }
            let cur = p.peek();
            let key = p.recover(
                Flags::None,
                TokenSet::new(&[K::Colon, K::NewLine, K::RightBrace]),
                |p| match cur.kind {
                    K::Identifier => Ok(PropertyKey::Ident(
                        p.identifier(diag::expected_property_name)?,
                    )),
                    K::StringComplete | K::StringLeftPiece => match p.interpolable_string() {
                        Ok(s) => Ok(PropertyKey::String(s)),
                        Err(_) => Err(p.err_at(cur, diag::expected_property_name)),
                    },
                    _ => Err(p.err_at(cur, diag::expected_property_name)),
                },
            );
            let colon = p.recover(flag_after(&key), OBJECT_ITEM_END, |p| {
                p.expect_char(K::Colon, ":").map(|t| Slot::Present(t.span))
            });
            let value = p.recover(flag_after(&colon), OBJECT_ITEM_END, |p| {
                p.expression(ExprFlags::COMPLEX)
            });
            Ok(ObjectItem::Property(ObjectProperty {
                span: p.span_to(start, value.span()),
                key,
                colon,
                value,
            }))
        })
    }

    /// `...expr`.
    #[inline(never)]
    fn spread(&mut self, terms: TokenSet) -> Spread<'s> {
        let ellipsis = self.read();
        let value = self.recover(Flags::None, terms, |p| p.expression(ExprFlags::COMPLEX));
        Spread {
            span: ellipsis.span.cover(value.span()),
            value,
        }
    }

    /// `[ … ]`.
    #[inline(never)]
    pub(crate) fn array(&mut self) -> PResult<ArrayLit<'s>> {
        let open = self.expect_char(K::LeftSquare, "[")?;
        let ctx = Container::PLAIN;
        let items = self.array_or_object_elements(K::RightSquare, ctx, |p| {
            p.recover(Flags::None, ARRAY_ITEM_END, |p| {
                if p.check(K::Ellipsis) {
                    Ok(ArrayItem::Spread(p.spread(TokenSet::new(&[
                        K::Comma,
                        K::NewLine,
                        K::RightSquare,
                    ]))))
                } else {
                    p.expression(ExprFlags::COMPLEX).map(ArrayItem::Value)
                }
            })
        });
        let close = self.expect_closer(K::RightSquare, "]", ctx)?;
        let end = match close {
            Some(t) => t.span,
            None => items.last().map_or(open.span, ArrayItem::span),
        };
        Ok(ArrayLit {
            span: open.span.cover(end),
            items,
            closed: close.is_some(),
        })
    }

    /// `SkipEmpty` with a diagnostic that takes more than the span.
    pub(crate) fn skip_empty_with(
        &mut self,
        make: impl FnOnce(Span) -> diag::Diagnostic,
    ) -> Skipped {
        let span = Span::empty(self.peek().span.start);
        self.diags.push(make(span));
        Skipped { span }
    }

    /// `SynchronizeAndReturnTrivia` from the current token with a
    /// diagnostic over what it skips.
    pub(crate) fn skip_to(
        &mut self,
        terms: TokenSet,
        make: fn(Span) -> diag::Diagnostic,
    ) -> Skipped {
        self.synchronize(self.pos, Flags::None, ErrorAt::Skipped(make), terms)
    }
}
