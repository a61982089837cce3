//! Declarations (`Parser.cs`, and the shared ones of `BaseParser.cs`).

use super::{ExprFlags, FromSkipped, NL, PResult, Parser, flag_after};
use super::{Flags, Suppresses};
use crate::ast::*;
use crate::diagnostic::{self as diag};
use crate::span::Span;
use crate::token::{TokenKind as K, TokenSet};

/// What `Declaration()` produces: a statement, or a line break it read.
pub(crate) enum DeclOrNl<'s> {
    Stmt(Statement<'s>),
    NewLine,
}

impl FromSkipped for DeclOrNl<'_> {
    fn from_skipped(s: Skipped) -> Self {
        DeclOrNl::Stmt(Statement::Skipped(s))
    }
}

impl<'s> FromSkipped for Expr<'s> {
    fn from_skipped(s: Skipped) -> Self {
        Expr::Skipped(s)
    }
}

impl Suppresses for Expr<'_> {
    fn suppresses(&self) -> bool {
        matches!(self, Expr::Skipped(s) if s.is_missing())
    }
}

impl<'s> FromSkipped for TypeExpr<'s> {
    fn from_skipped(s: Skipped) -> Self {
        TypeExpr::Skipped(s)
    }
}

impl Suppresses for TypeExpr<'_> {
    fn suppresses(&self) -> bool {
        matches!(self, TypeExpr::Skipped(s) if s.is_missing())
    }
}

impl<'s> FromSkipped for Body<'s> {
    fn from_skipped(s: Skipped) -> Self {
        Body::Skipped(s)
    }
}

impl Suppresses for Body<'_> {
    fn suppresses(&self) -> bool {
        matches!(self, Body::Skipped(s) if s.is_missing())
    }
}

impl<'s> FromSkipped for ImportTarget<'s> {
    fn from_skipped(s: Skipped) -> Self {
        ImportTarget::Skipped(s)
    }
}

impl<'s> FromSkipped for ExtensionSpec<'s> {
    fn from_skipped(s: Skipped) -> Self {
        ExtensionSpec::Skipped(s)
    }
}

impl Suppresses for ExtensionSpec<'_> {
    fn suppresses(&self) -> bool {
        matches!(self, ExtensionSpec::Skipped(s) if s.is_missing())
    }
}

impl Suppresses for UsingTarget<'_> {
    fn suppresses(&self) -> bool {
        matches!(self, UsingTarget::Skipped(s) if s.is_missing())
    }
}

/// A `with` or `as` clause that is absent counts as a zero-length recovery
/// node (Bicep's `SkipEmpty()`) for suppression.
impl<T> Suppresses for Option<Slot<T>> {
    fn suppresses(&self) -> bool {
        match self {
            None => true,
            Some(s) => s.suppresses(),
        }
    }
}

const ASSIGN_NL: TokenSet = TokenSet::new(&[K::Assignment, K::NewLine]);
const IDENT_NL: TokenSet = TokenSet::new(&[K::Identifier, K::NewLine]);
const STRING_NL: TokenSet = TokenSet::new(&[K::StringComplete, K::StringLeftPiece, K::NewLine]);
const LBRACE_NL: TokenSet = TokenSet::new(&[K::LeftBrace, K::NewLine]);

impl<'s> Parser<'s, '_> {
    /// The span from token `start` to the end of `last` (or of the last
    /// token read, if later): Bicep's `Between(first, lastChild)`.
    pub(crate) fn span_to(&self, start: usize, last: Span) -> Span {
        let first = self.tok(start).span.start;
        let read_end = if self.pos > start {
            self.tok(self.pos - 1).span.end
        } else {
            first
        };
        Span::new(first, last.end.max(read_end).max(first))
    }

    /// `Declaration()`: `None` when it read a line break. `nested`: a
    /// declaration inside a resource body, where only `resource` is one.
    pub(crate) fn declaration(&mut self, nested: bool) -> Option<Statement<'s>> {
        let r = self.recover(Flags::None, NL, |p| {
            p.nested(|p| match p.kind {
                FileKind::Bicep => p.bicep_declaration(nested),
                FileKind::BicepParam => p.params_declaration(),
            })
        });
        match r {
            DeclOrNl::Stmt(s) => Some(s),
            DeclOrNl::NewLine => None,
        }
    }

    fn bicep_declaration(&mut self, nested: bool) -> PResult<DeclOrNl<'s>> {
        let start = self.pos;
        let decorators = self.decorators();
        let cur = self.peek();
        let stmt = match cur.kind {
            K::Identifier => {
                let kw = self.text_of(cur);
                match kw {
                    _ if nested && kw != "resource" => {
                        self.missing_declaration(start, decorators)?
                    }
                    "targetScope" => self.target_scope(start, decorators)?,
                    "metadata" => self.metadata(start, decorators)?,
                    "type" => self.type_declaration(start, decorators)?,
                    "param" => self.parameter(start, decorators)?,
                    "var" => self.variable(start, decorators)?,
                    "func" => self.function(start, decorators)?,
                    "resource" => Statement::Resource(Box::new(self.resource(start, decorators)?)),
                    "output" => self.output(start, decorators)?,
                    "module" => self.module(start, decorators)?,
                    "test" => self.test(start, decorators)?,
                    "import" => self.import(start, decorators)?,
                    "extension" => {
                        let kw = self.read();
                        self.extension(start, decorators, kw.span)
                    }
                    "assert" => self.assert(start, decorators)?,
                    _ => self.missing_declaration(start, decorators)?,
                }
            }
            K::NewLine => {
                self.read();
                return Ok(DeclOrNl::NewLine);
            }
            _ => self.missing_declaration(start, decorators)?,
        };
        Ok(DeclOrNl::Stmt(stmt))
    }

    /// Decorators and no declaration: a `MissingDeclarationSyntax`, or
    /// BCP007 when there are no decorators either.
    fn missing_declaration(
        &mut self,
        start: usize,
        decorators: Vec<Decorator<'s>>,
    ) -> PResult<Statement<'s>> {
        if decorators.is_empty() {
            return Err(self.err_at(self.peek(), diag::unrecognized_declaration));
        }
        let last = decorators.last().map_or(Span::default(), |d| d.span);
        Ok(Statement::MissingDeclaration(Box::new(MissingDecl {
            span: self.span_to(start, last),
            decorators,
        })))
    }

    /// `DecorableSyntaxLeadingNodes`: decorators, each ending its line.
    pub(crate) fn decorators(&mut self) -> Vec<Decorator<'s>> {
        let mut out = Vec::new();
        while self.check(K::At) {
            out.push(self.decorator());
            // Every decorator ends its line.
            let _: Option<Slot<()>> = self.recover_opt(Flags::ConsumeTerminator, NL, |p| {
                p.expect(K::NewLine, diag::expected_new_line).map(|_| None)
            });
            self.newlines();
        }
        out
    }

    /// `Decorator()`: `@` and a name, call, or dotted chain of them.
    fn decorator(&mut self) -> Decorator<'s> {
        let at = self.read();
        let expr = self.recover(Flags::None, NL, |p| {
            let start = p.pos;
            let name = p.identifier(diag::expected_namespace_or_decorator_name)?;
            let mut current = if p.check(K::LeftParen) {
                let (args, end) = p.call_args(ExprFlags::COMPLEX)?;
                Expr::Call(Box::new(CallExpr {
                    span: p.span_to(start, end),
                    name,
                    args,
                }))
            } else {
                Expr::Var(name)
            };
            while p.check(K::Dot) {
                p.read();
                let name = p.identifier_or_skip(diag::expected_function_or_property_name);
                current = if p.check(K::LeftParen) {
                    let (args, end) = p.call_args(ExprFlags::COMPLEX)?;
                    Expr::InstanceCall(Box::new(InstanceCallExpr {
                        span: p.span_to(start, end),
                        base: current,
                        name,
                        args,
                    }))
                } else {
                    Expr::Property(Box::new(PropertyAccess {
                        span: p.span_to(start, name.span),
                        base: current,
                        safe: false,
                        name,
                    }))
                };
            }
            Ok(current)
        });
        Decorator {
            span: at.span.cover(expr.span()),
            expr,
        }
    }

    fn assignment(&mut self) -> PResult<Span> {
        self.expect_char(K::Assignment, "=").map(|t| t.span)
    }

    fn assign_slot(&mut self, flags: Flags) -> Slot<Span> {
        self.recover(flags, NL, |p| p.assignment().map(Slot::Present))
    }

    fn value(&mut self, flags: Flags) -> Expr<'s> {
        self.recover(flags, NL, |p| p.expression(ExprFlags::COMPLEX))
    }

    #[inline(never)]
    fn target_scope(
        &mut self,
        start: usize,
        decorators: Vec<Decorator<'s>>,
    ) -> PResult<Statement<'s>> {
        let keyword = self.read().span;
        let assign = self.assign_slot(Flags::None);
        let value = self.value(Flags::None);
        Ok(Statement::TargetScope(Box::new(TargetScopeDecl {
            span: self.span_to(start, value.span()),
            decorators,
            keyword,
            assign,
            value,
        })))
    }

    #[inline(never)]
    fn metadata(&mut self, start: usize, decorators: Vec<Decorator<'s>>) -> PResult<Statement<'s>> {
        let keyword = self.read().span;
        let name = self.identifier_with_recovery(
            diag::expected_metadata_identifier,
            Flags::None,
            ASSIGN_NL,
        );
        let assign = self.assign_slot(flag_after(&name));
        let value = self.value(flag_after(&assign));
        Ok(Statement::Metadata(Box::new(MetadataDecl {
            span: self.span_to(start, value.span()),
            decorators,
            keyword,
            name,
            assign,
            value,
        })))
    }

    #[inline(never)]
    fn parameter(
        &mut self,
        start: usize,
        decorators: Vec<Decorator<'s>>,
    ) -> PResult<Statement<'s>> {
        let keyword = self.read().span;
        let name = self.identifier_with_recovery(
            diag::expected_parameter_identifier,
            Flags::None,
            IDENT_NL,
        );
        let ty = self.recover(
            flag_after(&name),
            TokenSet::new(&[K::Assignment, K::LeftBrace, K::NewLine]),
            |p| p.declared_type(false),
        );
        let default = self.recover_opt(flag_after(&ty), NL, |p| match p.peek_kind() {
            K::NewLine | K::EndOfFile => Ok(None),
            K::Assignment => {
                p.read();
                Ok(Some(p.value(Flags::None)))
            }
            _ => Err(p.err_at(p.peek(), diag::expected_parameter_continuation)),
        });
        let last = default.as_ref().map_or(ty.span(), Expr::span);
        Ok(Statement::Param(Box::new(ParamDecl {
            span: self.span_to(start, last),
            decorators,
            keyword,
            name,
            ty,
            default,
        })))
    }

    #[inline(never)]
    fn output(&mut self, start: usize, decorators: Vec<Decorator<'s>>) -> PResult<Statement<'s>> {
        let keyword = self.read().span;
        let name =
            self.identifier_with_recovery(diag::expected_output_identifier, Flags::None, IDENT_NL);
        let ty = self.recover(flag_after(&name), ASSIGN_NL, |p| p.declared_type(true));
        let assign = self.assign_slot(flag_after(&ty));
        let value = self.value(flag_after(&assign));
        Ok(Statement::Output(Box::new(OutputDecl {
            span: self.span_to(start, value.span()),
            decorators,
            keyword,
            name,
            ty,
            assign,
            value,
        })))
    }

    /// A required string (`ThrowIfSkipped(InterpolableString, …)`) under
    /// recovery.
    fn string_slot(
        &mut self,
        flags: Flags,
        terms: TokenSet,
        make: fn(Span) -> diag::Diagnostic,
    ) -> Slot<StringLit<'s>> {
        self.recover(flags, terms, |p| p.required_string(make).map(Slot::Present))
    }

    /// `ThrowIfSkipped(InterpolableString, make)`.
    pub(crate) fn required_string(
        &mut self,
        make: fn(Span) -> diag::Diagnostic,
    ) -> PResult<StringLit<'s>> {
        let start = self.peek();
        match self.interpolable_string() {
            Ok(s) => Ok(s),
            Err(_) => Err(self.err_at(start, make)),
        }
    }

    #[inline(never)]
    pub(crate) fn resource(
        &mut self,
        start: usize,
        decorators: Vec<Decorator<'s>>,
    ) -> PResult<ResourceDecl<'s>> {
        let keyword = self.read().span;
        let name = self.identifier_with_recovery(
            diag::expected_resource_identifier,
            Flags::None,
            STRING_NL,
        );
        let type_string = self.string_slot(
            flag_after(&name),
            ASSIGN_NL,
            diag::expected_resource_type_string,
        );
        let existing = self.optional_kw("existing").map(|t| t.span);
        let assign = self.recover(flag_after(&type_string), LBRACE_NL, |p| {
            p.assignment().map(Slot::Present)
        });
        if !assign.is_skipped() && self.is_kw(self.peek_skip_nl(), "if") {
            self.newlines();
        }
        let body = self.recover(flag_after(&assign), NL, |p| {
            p.declaration_body(ExprFlags::RESOURCE_BODY)
        });
        Ok(ResourceDecl {
            span: self.span_to(start, body.span()),
            decorators,
            keyword,
            name,
            type_string,
            existing,
            assign,
            body,
        })
    }

    /// The body of a resource or module: `if`, an object or a loop.
    fn declaration_body(&mut self, flags: ExprFlags) -> PResult<Body<'s>> {
        let cur = self.peek();
        match cur.kind {
            K::Identifier if self.text_of(cur) == "if" => {
                Ok(Body::If(self.if_condition(flags, false)?))
            }
            K::LeftBrace => Ok(Body::Object(self.object(flags)?)),
            K::LeftSquare => Ok(Body::For(self.for_expression(flags, true)?)),
            _ => Err(self.err_at(cur, diag::expected_body_start_or_if_or_loop)),
        }
    }

    #[inline(never)]
    fn module(&mut self, start: usize, decorators: Vec<Decorator<'s>>) -> PResult<Statement<'s>> {
        let keyword = self.read().span;
        let name =
            self.identifier_with_recovery(diag::expected_module_identifier, Flags::None, STRING_NL);
        let path = self.string_slot(
            flag_after(&name),
            ASSIGN_NL,
            diag::expected_module_path_string,
        );
        let assign = self.recover(flag_after(&path), LBRACE_NL, |p| {
            p.assignment().map(Slot::Present)
        });
        if self.is_kw(self.peek_skip_nl(), "if") {
            self.newlines();
        }
        let body = self.recover(flag_after(&assign), NL, |p| {
            p.declaration_body(ExprFlags::COMPLEX)
        });
        Ok(Statement::Module(Box::new(ModuleDecl {
            span: self.span_to(start, body.span()),
            decorators,
            keyword,
            name,
            path,
            assign,
            body,
        })))
    }

    #[inline(never)]
    fn test(&mut self, start: usize, decorators: Vec<Decorator<'s>>) -> PResult<Statement<'s>> {
        let keyword = self.read().span;
        let name =
            self.identifier_with_recovery(diag::expected_test_identifier, Flags::None, STRING_NL);
        let path = self.string_slot(
            flag_after(&name),
            ASSIGN_NL,
            diag::expected_test_path_string,
        );
        let assign = self.recover(flag_after(&path), LBRACE_NL, |p| {
            p.assignment().map(Slot::Present)
        });
        let body = self.recover(flag_after(&assign), NL, |p| {
            if p.check(K::LeftBrace) {
                Ok(Body::Object(p.object(ExprFlags::COMPLEX)?))
            } else {
                Err(p.err_at_with(p.peek(), |s| diag::expected_character(s, "{")))
            }
        });
        Ok(Statement::Test(Box::new(TestDecl {
            span: self.span_to(start, body.span()),
            decorators,
            keyword,
            name,
            path,
            assign,
            body,
        })))
    }

    fn import(&mut self, start: usize, decorators: Vec<Decorator<'s>>) -> PResult<Statement<'s>> {
        let keyword = self.read().span;
        // `import 'name@version'` is the legacy extension syntax.
        if matches!(self.peek_kind(), K::StringLeftPiece | K::StringComplete) {
            return Ok(self.extension(start, decorators, keyword));
        }
        self.compile_time_import(start, decorators, keyword)
    }

    #[inline(never)]
    fn assert(&mut self, start: usize, decorators: Vec<Decorator<'s>>) -> PResult<Statement<'s>> {
        let keyword = self.read().span;
        let name =
            self.identifier_with_recovery(diag::expected_assert_identifier, Flags::None, ASSIGN_NL);
        let assign = self.assign_slot(flag_after(&name));
        let value = self.value(flag_after(&assign));
        Ok(Statement::Assert(Box::new(AssertDecl {
            span: self.span_to(start, value.span()),
            decorators,
            keyword,
            name,
            assign,
            value,
        })))
    }

    #[inline(never)]
    pub(crate) fn variable(
        &mut self,
        start: usize,
        decorators: Vec<Decorator<'s>>,
    ) -> PResult<Statement<'s>> {
        let keyword = self.read().span;
        let name = self.identifier_with_recovery(
            diag::expected_variable_identifier,
            Flags::None,
            IDENT_NL,
        );
        let ty = self.recover_opt(flag_after(&name), ASSIGN_NL, |p| match p.peek_kind() {
            K::EndOfFile | K::NewLine | K::Assignment => Ok(None),
            _ => p.declared_type(false).map(Some),
        });
        let flags = match &ty {
            Some(t) => flag_after(t),
            None => flag_after(&name),
        };
        let assign = self.assign_slot(flags);
        let value = self.value(flag_after(&assign));
        Ok(Statement::Var(Box::new(VarDecl {
            span: self.span_to(start, value.span()),
            decorators,
            keyword,
            name,
            ty,
            assign,
            value,
        })))
    }

    #[inline(never)]
    pub(crate) fn type_declaration(
        &mut self,
        start: usize,
        decorators: Vec<Decorator<'s>>,
    ) -> PResult<Statement<'s>> {
        let keyword = self.read().span;
        let name =
            self.identifier_with_recovery(diag::expected_type_identifier, Flags::None, ASSIGN_NL);
        let assign = self.assign_slot(flag_after(&name));
        // Bicep keys this suppression on the name, not the `=`.
        let value = self.recover(
            flag_after(&name),
            TokenSet::new(&[K::Assignment, K::LeftBrace, K::NewLine]),
            |p| p.declared_type(false),
        );
        Ok(Statement::Type(Box::new(TypeDecl {
            span: self.span_to(start, value.span()),
            decorators,
            keyword,
            name,
            assign,
            value,
        })))
    }

    #[inline(never)]
    fn function(&mut self, start: usize, decorators: Vec<Decorator<'s>>) -> PResult<Statement<'s>> {
        let keyword = self.read().span;
        let name = self.identifier_with_recovery(
            diag::expected_variable_identifier,
            Flags::None,
            ASSIGN_NL,
        );
        let lambda = self.recover(flag_after(&name), NL, |p| {
            p.typed_lambda().map(Slot::Present)
        });
        let last = match &lambda {
            Slot::Present(l) => l.span,
            Slot::Skipped(s) => s.span,
        };
        Ok(Statement::Func(Box::new(FuncDecl {
            span: self.span_to(start, last),
            decorators,
            keyword,
            name,
            lambda,
        })))
    }

    /// `import {…} from '…'` / `import * as x from '…'`.
    #[inline(never)]
    pub(crate) fn compile_time_import(
        &mut self,
        start: usize,
        decorators: Vec<Decorator<'s>>,
        keyword: Span,
    ) -> PResult<Statement<'s>> {
        let target = match self.peek_kind() {
            K::EndOfFile | K::NewLine | K::Identifier => {
                ImportTarget::Skipped(self.skip_empty(Some(diag::expected_symbol_list_or_wildcard)))
            }
            // Not under recovery in Bicep: a missing `}` fails the statement.
            K::LeftBrace => ImportTarget::Symbols(self.import_list()?),
            K::Asterisk => self.recover(Flags::None, NL, |p| p.wildcard_import()),
            _ => {
                let t = self.read();
                ImportTarget::Skipped(
                    self.skip_span(t.span, Some(diag::expected_symbol_list_or_wildcard)),
                )
            }
        };
        let from = self.recover(Flags::None, NL, |p| {
            let kw = p.expect_kw("from", None)?;
            let path = p.string_slot(Flags::None, NL, diag::expected_module_path_string);
            let end = match &path {
                Slot::Present(s) => s.span,
                Slot::Skipped(s) => s.span,
            };
            Ok(Slot::Present(ImportFrom {
                span: kw.span.cover(end),
                keyword: kw.span,
                path,
            }))
        });
        let last = match &from {
            Slot::Present(f) => f.span,
            Slot::Skipped(s) => s.span,
        };
        Ok(Statement::Import(Box::new(ImportDecl {
            span: self.span_to(start, last),
            decorators,
            keyword,
            target,
            from,
        })))
    }

    fn wildcard_import(&mut self) -> PResult<ImportTarget<'s>> {
        let star = self.expect_char(K::Asterisk, "*")?;
        let kw = self.expect_kw("as", None)?;
        let alias = self.identifier(diag::expected_namespace_identifier)?;
        Ok(ImportTarget::Wildcard(WildcardImport {
            span: star.span.cover(alias.span),
            alias: AliasClause {
                span: kw.span.cover(alias.span),
                keyword: kw.span,
                alias,
            },
        }))
    }

    /// `{ a, 'b' as c }`.
    fn import_list(&mut self) -> PResult<ImportList<'s>> {
        let open = self.expect_char(K::LeftBrace, "{")?;
        let ctx = super::Container::PLAIN;
        let items = self.array_or_object_elements(K::RightBrace, ctx, |p| p.import_item());
        let close = self.expect_closer(K::RightBrace, "}", ctx)?;
        let end = close.map_or_else(|| self.tok(self.pos.saturating_sub(1)).span, |t| t.span);
        Ok(ImportList {
            span: open.span.cover(end),
            items,
        })
    }

    /// `ImportedSymbolsListItem` (never fails: its parts recover).
    fn import_item(&mut self) -> Slot<ImportItem<'s>> {
        let start = self.pos;
        let cur = self.peek();
        let name = match cur.kind {
            K::Identifier => {
                ImportName::Ident(self.identifier_or_skip(diag::expected_exported_symbol_name))
            }
            K::StringComplete => match self.interpolable_string() {
                Ok(s) => ImportName::String(s),
                Err(s) => ImportName::Skipped(s),
            },
            K::StringLeftPiece => {
                let span = match self.interpolable_string() {
                    Ok(s) => s.span,
                    Err(s) => s.span,
                };
                ImportName::Skipped(
                    self.skip_span(span, Some(diag::compile_time_constant_required)),
                )
            }
            _ => {
                let t = self.read();
                ImportName::Skipped(
                    self.skip_span(t.span, Some(diag::expected_exported_symbol_name)),
                )
            }
        };
        let alias = if self.check_kw("as") {
            let kw = self.read();
            let alias = self.identifier_with_recovery(
                diag::expected_type_identifier,
                Flags::None,
                TokenSet::new(&[K::Comma, K::NewLine]),
            );
            Some(AliasClause {
                span: kw.span.cover(alias.span),
                keyword: kw.span,
                alias,
            })
        } else {
            None
        };
        if let (ImportName::String(s), None) = (&name, &alias) {
            let span = s.span;
            return Slot::Skipped(self.skip_span(span, Some(diag::import_item_needs_alias)));
        }
        let last = alias.as_ref().map_or_else(
            || match &name {
                ImportName::Ident(i) => i.span,
                ImportName::String(s) => s.span,
                ImportName::Skipped(s) => s.span,
            },
            |a| a.span,
        );
        Slot::Present(ImportItem {
            span: self.span_to(start, last),
            name,
            alias,
        })
    }

    /// `extension spec [with {…}] [as alias]` (also the legacy `import`).
    #[inline(never)]
    pub(crate) fn extension(
        &mut self,
        start: usize,
        decorators: Vec<Decorator<'s>>,
        keyword: Span,
    ) -> Statement<'s> {
        let spec = if self.peek_kind() == K::Identifier {
            let t = self.read();
            ExtensionSpec::Ident(Ident {
                span: t.span,
                name: Some(self.text_of(t)),
            })
        } else {
            self.recover(Flags::None, NL, |p| {
                p.required_string(diag::expected_extension_specification)
                    .map(ExtensionSpec::String)
            })
        };
        let cur = self.peek();
        let with = match cur.kind {
            K::EndOfFile | K::NewLine => None,
            K::Identifier if self.text_of(cur) == "as" => None,
            _ => Some(self.recover(flag_after(&spec), NL, |p| {
                p.with_clause(diag::expected_with_or_as_or_new_line)
                    .map(Slot::Present)
            })),
        };
        let alias = match self.peek_kind() {
            K::EndOfFile | K::NewLine => None,
            _ => Some(self.recover(flag_after(&with), NL, |p| {
                let kw = p.expect_kw("as", Some(diag::expected_with_or_as_or_new_line))?;
                let alias = p.identifier_with_recovery(
                    diag::expected_extension_alias_name,
                    Flags::None,
                    NL,
                );
                Ok(Slot::Present(AliasClause {
                    span: kw.span.cover(alias.span),
                    keyword: kw.span,
                    alias,
                }))
            })),
        };
        let spec_span = match &spec {
            ExtensionSpec::Ident(i) => i.span,
            ExtensionSpec::String(s) => s.span,
            ExtensionSpec::Skipped(s) => s.span,
        };
        let last = [
            Some(spec_span),
            with.as_ref().map(slot_span_with),
            alias.as_ref().map(slot_span_alias),
        ]
        .into_iter()
        .flatten()
        .fold(keyword, Span::cover);
        Statement::Extension(Box::new(ExtensionDecl {
            span: self.span_to(start, last),
            decorators,
            keyword,
            spec,
            with,
            alias,
        }))
    }

    /// `with { … }`; a missing `with` is `make`'s diagnostic.
    pub(crate) fn with_clause(
        &mut self,
        make: fn(Span) -> diag::Diagnostic,
    ) -> PResult<WithClause<'s>> {
        let kw = self.expect_kw("with", Some(make))?;
        self.with_clause_after(kw.span)
    }

    pub(crate) fn with_clause_after(&mut self, keyword: Span) -> PResult<WithClause<'s>> {
        let config = self.recover(Flags::None, NL, |p| {
            p.object(ExprFlags::COMPLEX).map(Slot::Present)
        });
        let end = match &config {
            Slot::Present(o) => o.span,
            Slot::Skipped(s) => s.span,
        };
        Ok(WithClause {
            span: keyword.cover(end),
            keyword,
            config,
        })
    }
}

fn slot_span_with(s: &Slot<WithClause<'_>>) -> Span {
    match s {
        Slot::Present(w) => w.span,
        Slot::Skipped(s) => s.span,
    }
}

fn slot_span_alias(s: &Slot<AliasClause<'_>>) -> Span {
    match s {
        Slot::Present(a) => a.span,
        Slot::Skipped(s) => s.span,
    }
}
