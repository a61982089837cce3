//! `.bicepparam` statements (`ParamsParser.cs`).

use super::stmt::DeclOrNl;
use super::{ExprFlags, Flags, NL, PResult, Parser, flag_after};
use crate::ast::*;
use crate::diagnostic as diag;
use crate::token::{TokenKind as K, TokenSet};

impl<'s> Parser<'s, '_> {
    pub(crate) fn params_declaration(&mut self) -> PResult<DeclOrNl<'s>> {
        let start = self.pos;
        let decorators = self.decorators();
        let cur = self.peek();
        let stmt = match cur.kind {
            K::Identifier => match self.text_of(cur) {
                "using" => self.using(start, decorators)?,
                "extends" => {
                    let keyword = self.read().span;
                    let path = self.recover(Flags::None, NL, |p| {
                        p.required_string(diag::extends_path_missing)
                            .map(Slot::Present)
                    });
                    let end = match &path {
                        Slot::Present(s) => s.span,
                        Slot::Skipped(s) => s.span,
                    };
                    Statement::Extends(Box::new(ExtendsDecl {
                        span: self.span_to(start, end),
                        decorators,
                        keyword,
                        path,
                    }))
                }
                "param" => self.parameter_assignment(start, decorators),
                "var" => self.variable(start, decorators)?,
                "import" => {
                    let keyword = self.read().span;
                    self.compile_time_import(start, decorators, keyword)?
                }
                "extensionConfig" => self.extension_config(start, decorators),
                "extension" => {
                    let keyword = self.read().span;
                    self.extension(start, decorators, keyword)
                }
                "type" => self.type_declaration(start, decorators)?,
                _ => return Err(self.err_at(cur, diag::unrecognized_params_declaration)),
            },
            K::NewLine => {
                self.read();
                return Ok(DeclOrNl::NewLine);
            }
            _ => return Err(self.err_at(cur, diag::unrecognized_params_declaration)),
        };
        Ok(DeclOrNl::Stmt(stmt))
    }

    fn using(&mut self, start: usize, decorators: Vec<Decorator<'s>>) -> PResult<Statement<'s>> {
        let keyword = self.read().span;
        let target = match self.peek_kind() {
            K::Identifier => UsingTarget::None(self.expect_kw("none", None)?.span),
            K::StringComplete => {
                UsingTarget::Path(self.required_string(diag::expected_file_path_string)?)
            }
            _ => {
                UsingTarget::Skipped(self.skip_empty(Some(diag::expected_symbol_list_or_wildcard)))
            }
        };
        let with = match self.peek_kind() {
            K::EndOfFile | K::NewLine => None,
            _ => Some(self.recover(flag_after(&target), NL, |p| {
                p.with_clause(diag::expected_with_or_new_line)
                    .map(Slot::Present)
            })),
        };
        let target_span = match &target {
            UsingTarget::Path(s) => s.span,
            UsingTarget::None(s) => *s,
            UsingTarget::Skipped(s) => s.span,
        };
        let end = match &with {
            Some(Slot::Present(w)) => w.span,
            Some(Slot::Skipped(s)) => s.span,
            None => target_span,
        };
        Ok(Statement::Using(Box::new(UsingDecl {
            span: self.span_to(start, end),
            decorators,
            keyword,
            target,
            with,
        })))
    }

    fn parameter_assignment(
        &mut self,
        start: usize,
        decorators: Vec<Decorator<'s>>,
    ) -> Statement<'s> {
        let keyword = self.read().span;
        let name = self.identifier_with_recovery(
            diag::expected_parameter_identifier,
            Flags::None,
            TokenSet::new(&[K::Identifier, K::NewLine]),
        );
        let assign = self.recover(flag_after(&name), NL, |p| {
            p.expect_char(K::Assignment, "=")
                .map(|t| Slot::Present(t.span))
        });
        let value = self.recover(flag_after(&assign), NL, |p| {
            p.expression(ExprFlags::COMPLEX)
        });
        Statement::ParamAssign(Box::new(ParamAssignDecl {
            span: self.span_to(start, value.span()),
            decorators,
            keyword,
            name,
            assign,
            value,
        }))
    }

    fn extension_config(&mut self, start: usize, decorators: Vec<Decorator<'s>>) -> Statement<'s> {
        let keyword = self.read().span;
        let name = self.identifier_with_recovery(
            diag::expected_extension_alias_name,
            Flags::None,
            TokenSet::new(&[K::Identifier, K::NewLine]),
        );
        let with = self.recover(flag_after(&name), NL, |p| {
            let kw = p.expect_kw("with", None)?;
            p.with_clause_after(kw.span).map(Slot::Present)
        });
        let end = match &with {
            Slot::Present(w) => w.span,
            Slot::Skipped(s) => s.span,
        };
        Statement::ExtensionConfig(Box::new(ExtensionConfigDecl {
            span: self.span_to(start, end),
            decorators,
            keyword,
            name,
            with,
        }))
    }
}
