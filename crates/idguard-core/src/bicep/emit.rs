//! The template a `.bicep` file compiles to, written into a
//! [`Document`](crate::source::Document) in symbolic-name form
//! (`languageVersion` 2.0), every node with the span of the Bicep syntax
//! that produced it (a port of the behaviour of Bicep's `TemplateWriter`
//! and `ExpressionEmitter`).

use std::borrow::Cow;
use std::rc::Rc;

use idguard_bicep::ast::{
    Expr, ForBody, ForExpr, ObjectItem, ObjectLit, ParamDecl, PropertyKey, Statement, TypeExpr,
    UnaryOp,
};

use super::ModuleRef;
use super::arm::{AExpr, escape_literal};
use super::binder::{Ctx, LocalVal, decorator};
use super::lower::{FxValue, Lowerer, ScopeData, ScopeKind, Target, unwrap};
use crate::expr::TargetScope;
use crate::source::{Kind, Member, NodeId};
use idguard_bicep::Span;

/// The API version Bicep gives module deployments.
const DEPLOYMENT_API_VERSION: &str = "2025-04-01";
const DEPLOYMENT_TYPE: &str = "Microsoft.Resources/deployments";

/// Properties of a resource body that are not written into the resource
/// object (`AzResourcePropertiesToOmit`).
const RESOURCE_OMIT: &[&str] = &["name", "scope", "parent", "dependsOn"];
/// … and of a module body (`ModulePropertiesToOmit`).
const MODULE_OMIT: &[&str] = &["name", "params", "extensionConfigs", "scope", "dependsOn"];

/// How the loop variables of a `copy` are bound.
#[derive(Clone, Copy)]
enum CopyIndex<'n> {
    /// `copyIndex('name')`: property, variable and module-parameter loops.
    Named(&'n str),
    /// `copyIndex()`: output loops.
    Unnamed,
}

impl<'a, 's> Lowerer<'a, 's, '_> {
    /// The whole template; returns the root node and the modules it uses.
    pub(crate) fn emit_template(&mut self) -> (NodeId, Vec<ModuleRef>) {
        let program = self.program;
        let root = self.b.open(program.span, None);
        let mut members = Vec::new();
        let at = Span::new(program.span.start, program.span.start);
        let target_span = program
            .statements
            .iter()
            .find_map(|s| match s {
                Statement::TargetScope(t) => Some(t.span),
                _ => None,
            })
            .unwrap_or(at);
        let schema = match self.target {
            TargetScope::Tenant => {
                "https://schema.management.azure.com/schemas/2019-08-01/tenantDeploymentTemplate.json#"
            }
            TargetScope::ManagementGroup => {
                "https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#"
            }
            TargetScope::Subscription => {
                "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#"
            }
            TargetScope::ResourceGroup => {
                "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
            }
        };
        self.str_member(
            &mut members,
            "$schema",
            target_span,
            schema,
            target_span,
            root,
        );
        self.str_member(&mut members, "languageVersion", at, "2.0", at, root);
        self.str_member(&mut members, "contentVersion", at, "1.0.0.0", at, root);

        self.emit_metadata(&mut members, root);
        self.emit_definitions(&mut members, root);
        let functions_at = members.len();
        self.emit_parameters(&mut members, root);
        let (variables, user_variables, variables_span) = self.emit_variables(root);
        let variables_at = members.len();

        let resources_span = self.covering(program.statements.iter().filter_map(|s| match s {
            Statement::Resource(r) => Some(r.span),
            Statement::Module(m) => Some(m.span),
            _ => None,
        }));
        let resources = self.b.open(resources_span, Some(root));
        let mut res_members = Vec::new();
        for r in 0..self.bind.resources.len() {
            if let Some(m) = self.emit_resource(r, resources) {
                res_members.push(m);
            }
        }
        let mut modules = Vec::new();
        for m in 0..self.bind.modules.len() {
            if let Some((member, module)) = self.emit_module(m, resources) {
                res_members.push(member);
                modules.push(module);
            }
        }
        self.b.set_object(resources, res_members);
        members.push(self.b.member("resources", resources_span, resources));

        self.emit_outputs(&mut members, root);
        if self.finish_variables(variables, user_variables) {
            let m = self.b.member("variables", variables_span, variables);
            members.insert(variables_at, m);
        }
        if let Some(m) = self.emit_functions(root) {
            members.insert(functions_at, m);
        }
        self.b.set_object(root, members);
        (root, modules)
    }

    // ---- small builders ---------------------------------------------------

    /// The span from the first to the last of `spans` (empty at the start
    /// of the file when there are none).
    fn covering(&self, spans: impl IntoIterator<Item = Span>) -> Span {
        spans
            .into_iter()
            .reduce(|a, b| Span::new(a.start.min(b.start), a.end.max(b.end)))
            .unwrap_or(Span::new(self.program.span.start, self.program.span.start))
    }

    fn str_member(
        &mut self,
        members: &mut Vec<Member>,
        key: &str,
        key_span: Span,
        value: &str,
        span: Span,
        parent: NodeId,
    ) {
        let v = self.b.string(value, span, Some(parent));
        members.push(self.b.member(key, key_span, v));
    }

    /// A node for an ARM expression: an integer literal as a number,
    /// anything else as a template string.
    pub(crate) fn expr_node(&mut self, a: &AExpr, span: Span, parent: NodeId) -> NodeId {
        if let AExpr::Int(i) = a {
            return self.b.push(Kind::Int(*i), span, Some(parent));
        }
        let mut buf = std::mem::take(&mut self.buf);
        a.write_template_string(&mut buf);
        self.charge(buf.len() as u64 / 32);
        let id = self.b.string(&buf, span, Some(parent));
        self.buf = buf;
        id
    }

    fn expr_member(
        &mut self,
        members: &mut Vec<Member>,
        key: &str,
        key_span: Span,
        a: &AExpr,
        span: Span,
        parent: NodeId,
    ) {
        let v = self.expr_node(a, span, parent);
        members.push(self.b.member(key, key_span, v));
    }

    // ---- values -----------------------------------------------------------

    /// A Bicep value written as JSON: object and array literals as JSON
    /// structure (one node per property), literals as JSON scalars,
    /// anything else as an expression string.
    pub(crate) fn value(&mut self, e: &Expr<'s>, ctx: &Ctx, parent: NodeId) -> NodeId {
        if !self.charge(1) {
            return self.b.push(Kind::Null, e.span(), Some(parent));
        }
        match e {
            Expr::Paren(p) => self.value(&p.inner, ctx, parent),
            Expr::NonNull(n) => self.value(&n.base, ctx, parent),
            Expr::Object(o) if !o.items.iter().any(|i| matches!(i, ObjectItem::Spread(_))) => {
                self.object_value(o, ctx, parent)
            }
            Expr::Array(a)
                if !a
                    .items
                    .iter()
                    .any(|i| matches!(i, idguard_bicep::ast::ArrayItem::Spread(_))) =>
            {
                let id = self.b.open(a.span, Some(parent));
                let mut items = Vec::with_capacity(a.items.len());
                for item in &a.items {
                    if let idguard_bicep::ast::ArrayItem::Value(v) = item {
                        items.push(self.value(v, ctx, id));
                    }
                }
                self.b.set_array(id, items);
                id
            }
            Expr::Bool(b) => self.b.push(Kind::Bool(b.value), b.span, Some(parent)),
            Expr::Null(s) => self.b.push(Kind::Null, *s, Some(parent)),
            Expr::Int(i) => match i64::try_from(i.value) {
                Ok(v) => self.b.push(Kind::Int(v), i.span, Some(parent)),
                Err(_) => self
                    .b
                    .push(Kind::Float(i.value as f64), i.span, Some(parent)),
            },
            Expr::Unary(u) if u.op == UnaryOp::Minus && matches!(u.operand, Expr::Int(_)) => {
                match &u.operand {
                    Expr::Int(i) => match i64::try_from(i.value) {
                        Ok(v) => self.b.push(Kind::Int(-v), u.span, Some(parent)),
                        Err(_) => self
                            .b
                            .push(Kind::Float(-(i.value as f64)), u.span, Some(parent)),
                    },
                    _ => self.b.push(Kind::Null, u.span, Some(parent)),
                }
            }
            Expr::String(s) if s.as_str().is_some() => {
                let v = s.as_str().unwrap_or("");
                if super::arm::needs_escape(v) {
                    self.b.string(&escape_literal(v), s.span, Some(parent))
                } else {
                    self.b.string(v, s.span, Some(parent))
                }
            }
            Expr::Call(c)
                if c.name.as_str() == "any"
                    && c.args.len() == 1
                    && !self.bind.is_shadowed("any", ctx) =>
            {
                match c.args.first() {
                    Some(a) => self.value(a, ctx, parent),
                    None => self.b.push(Kind::Null, c.span, Some(parent)),
                }
            }
            Expr::Var(v) => {
                // The commonest value: a parameter or variable, written
                // straight into the text (no expression tree).
                let (function, name) = match self.bind.lookup(v.as_str(), ctx) {
                    super::binder::Sym::Param(n) => ("parameters", n),
                    super::binder::Sym::Var(d) => ("variables", d.name.as_str()),
                    _ => {
                        let a = self.expr(e, ctx);
                        return self.expr_node(&a, e.span(), parent);
                    }
                };
                let mut buf = std::mem::take(&mut self.buf);
                buf.clear();
                buf.push('[');
                buf.push_str(function);
                buf.push_str("('");
                for c in name.chars() {
                    if c == '\'' {
                        buf.push('\'');
                    }
                    buf.push(c);
                }
                buf.push_str("')]");
                let id = self.b.string(&buf, v.span, Some(parent));
                self.buf = buf;
                id
            }
            _ => {
                let a = self.expr(e, ctx);
                self.expr_node(&a, e.span(), parent)
            }
        }
    }

    /// An object literal as a JSON object; properties whose value is a
    /// `for` become a `copy` array.
    fn object_value(&mut self, o: &ObjectLit<'s>, ctx: &Ctx, parent: NodeId) -> NodeId {
        let id = self.b.open(o.span, Some(parent));
        let mut members = Vec::new();
        let loops: Vec<_> = o
            .properties()
            .filter_map(|p| match &p.value {
                Expr::For(f) => Some((p, &**f)),
                _ => None,
            })
            .collect();
        if let Some((first, _)) = loops.first() {
            let copy = self.b.open(first.span, Some(id));
            let mut items = Vec::new();
            for (p, f) in &loops {
                let Some(key) = p.key.name() else {
                    continue;
                };
                let key = key.into_owned();
                let item = self.copy_object(Some(&key), CopyIndex::Named(&key), f, ctx, copy);
                items.push(item);
            }
            self.b.set_array(copy, items);
            members.push(self.b.member("copy", first.key.span(), copy));
        }
        for p in o.properties() {
            if matches!(p.value, Expr::For(_)) {
                continue;
            }
            let Some(key) = self.key_text(&p.key, ctx) else {
                continue;
            };
            let v = self.value(&p.value, ctx, id);
            members.push(self.b.member(&key, p.key.span(), v));
        }
        self.b.set_object(id, members);
        id
    }

    /// The JSON key of a property: its text, `[format(…)]` when
    /// interpolated, and `[string('copy')]` for a property named `copy`.
    fn key_text<'k>(&mut self, key: &'k PropertyKey<'s>, ctx: &Ctx) -> Option<Cow<'k, str>> {
        let text: Cow<'k, str> = match key {
            PropertyKey::Ident(i) => Cow::Borrowed(i.name?),
            PropertyKey::String(s) => match s.as_str() {
                Some(plain) if super::arm::needs_escape(plain) => Cow::Owned(escape_literal(plain)),
                Some(plain) => Cow::Borrowed(plain),
                None => Cow::Owned(self.string(s, ctx).to_template_string()),
            },
            PropertyKey::Skipped(_) => return None,
        };
        if text.eq_ignore_ascii_case("copy") {
            return Some(Cow::Owned(format!("[string('{text}')]")));
        }
        Some(text)
    }

    /// `{name, count, input}` for a loop (`EmitCopyObject`).
    fn copy_object(
        &mut self,
        name: Option<&str>,
        index: CopyIndex<'_>,
        f: &ForExpr<'s>,
        ctx: &Ctx,
        parent: NodeId,
    ) -> NodeId {
        let id = self.b.open(f.span, Some(parent));
        let mut members = Vec::new();
        if let Some(name) = name {
            self.str_member(&mut members, "name", f.keyword, name, f.keyword, id);
        }
        let iterable = self.expr(&f.iterable, ctx);
        let count = AExpr::call("length", vec![iterable]);
        self.expr_member(
            &mut members,
            "count",
            f.keyword,
            &count,
            f.iterable.span(),
            id,
        );
        let index_expr = match index {
            CopyIndex::Named(n) => AExpr::call("copyIndex", vec![AExpr::str(n)]),
            CopyIndex::Unnamed => AExpr::call0("copyIndex"),
        };
        let inner = self.bind_loop(f, ctx, index_expr);
        if let ForBody::Expr(body) = &f.body {
            let input = self.copy_input(body, &inner, id);
            members.push(self.b.member("input", body.span(), input));
        }
        self.b.set_object(id, members);
        id
    }

    /// A loop's `input`: objects and string literals as they are, anything
    /// else as an expression (ARM takes only a string or an object there).
    fn copy_input(&mut self, body: &Expr<'s>, ctx: &Ctx, parent: NodeId) -> NodeId {
        match unwrap(body) {
            Expr::Object(o) if !o.items.iter().any(|i| matches!(i, ObjectItem::Spread(_))) => {
                self.object_value(o, ctx, parent)
            }
            Expr::String(s) if s.as_str().is_some() => self.value(body, ctx, parent),
            _ => {
                let a = match self.expr(body, ctx) {
                    AExpr::Str(s) => AExpr::call("string", vec![AExpr::Str(s)]),
                    AExpr::Int(i) => AExpr::call("int", vec![AExpr::Int(i)]),
                    other => other,
                };
                self.expr_node(&a, body.span(), parent)
            }
        }
    }

    // ---- declarations -----------------------------------------------------

    fn emit_metadata(&mut self, members: &mut Vec<Member>, root: NodeId) {
        let decls: Vec<_> = self
            .program
            .statements
            .iter()
            .filter_map(|s| match s {
                Statement::Metadata(m) => Some(&**m),
                _ => None,
            })
            .collect();
        if decls.is_empty() {
            return;
        }
        let first = decls.first().map(|d| d.span).unwrap_or_default();
        let node = self.b.open(first, Some(root));
        let mut ms = Vec::new();
        let ctx = Ctx::default();
        for d in decls {
            let Some(name) = d.name.name else { continue };
            let v = self.value(&d.value, &ctx, node);
            ms.push(self.b.member(name, d.name.span, v));
        }
        self.b.set_object(node, ms);
        members.push(self.b.member("metadata", first, node));
    }

    fn emit_definitions(&mut self, members: &mut Vec<Member>, root: NodeId) {
        let decls: Vec<_> = self.program.types().collect();
        if decls.is_empty() {
            return;
        }
        let first = self.covering(decls.iter().map(|d| d.span));
        let node = self.b.open(first, Some(root));
        let mut ms = Vec::new();
        for d in decls {
            let Some(name) = d.name.name else { continue };
            let def = self.b.open(d.span, Some(node));
            let mut dm = Vec::new();
            let info = type_info(&d.value);
            self.type_members(&mut dm, &info, d.value.span(), def);
            if decorator(&d.decorators, "sealed").is_some() {
                let f = self.b.push(Kind::Bool(false), d.span, Some(def));
                dm.push(self.b.member("additionalProperties", d.span, f));
            }
            self.b.set_object(def, dm);
            ms.push(self.b.member(name, d.name.span, def));
        }
        self.b.set_object(node, ms);
        members.push(self.b.member("definitions", first, node));
    }

    /// The `functions` member: the file's own (`__bicep`) and those of
    /// compile-time imports (`_1`, …); `None` when there are none.
    pub(crate) fn emit_functions(&mut self, root: NodeId) -> Option<Member> {
        let decls: Vec<_> = self.program.functions().collect();
        let imported = std::mem::take(&mut self.imported_funcs);
        if decls.is_empty() && imported.is_empty() {
            return None;
        }
        let first = self.covering(
            decls
                .iter()
                .map(|d| d.span)
                .chain(imported.iter().map(|(_, _, s)| *s)),
        );
        let array = self.b.open(first, Some(root));
        let mut namespaces = Vec::new();
        if !decls.is_empty() {
            let ns = self.b.open(first, Some(array));
            let mut ns_members = Vec::new();
            self.str_member(&mut ns_members, "namespace", first, "__bicep", first, ns);
            let fmembers = self.b.open(first, Some(ns));
            let mut fms = Vec::new();
            for d in decls {
                let (Some(name), Some(lambda)) = (d.name.name, d.lambda.present()) else {
                    continue;
                };
                let f = self.b.open(d.span, Some(fmembers));
                let mut m = Vec::new();
                let params = self.b.open(lambda.span, Some(f));
                let mut items = Vec::new();
                let mut ctx = Ctx {
                    func: true,
                    ..Ctx::default()
                };
                for p in lambda.params.iter().filter_map(|p| p.present()) {
                    let pn = p.name.as_str();
                    let po = self.b.open(p.span, Some(params));
                    let mut pm = Vec::new();
                    let info = type_info(&p.ty);
                    self.type_members(&mut pm, &info, p.ty.span(), po);
                    self.str_member(&mut pm, "name", p.name.span, pn, p.name.span, po);
                    self.b.set_object(po, pm);
                    items.push(po);
                    ctx = ctx.with_local(pn, LocalVal::FuncParam(Rc::from(pn)));
                }
                self.b.set_array(params, items);
                m.push(self.b.member("parameters", lambda.span, params));
                let output = self.b.open(lambda.body.span(), Some(f));
                let mut om = Vec::new();
                let info = type_info(&lambda.return_type);
                self.type_members(&mut om, &info, lambda.return_type.span(), output);
                let body = self.expr(&lambda.body, &ctx);
                let body = match body {
                    AExpr::Str(s) => AExpr::call("string", vec![AExpr::Str(s)]),
                    other => other,
                };
                self.expr_member(
                    &mut om,
                    "value",
                    lambda.body.span(),
                    &body,
                    lambda.body.span(),
                    output,
                );
                self.b.set_object(output, om);
                m.push(self.b.member("output", lambda.body.span(), output));
                self.b.set_object(f, m);
                fms.push(self.b.member(name, d.name.span, f));
            }
            self.b.set_object(fmembers, fms);
            ns_members.push(self.b.member("members", first, fmembers));
            self.b.set_object(ns, ns_members);
            namespaces.push(ns);
        }
        for (prefix, funcs, span) in imported {
            let ns = self.b.open(span, Some(array));
            let mut ns_members = Vec::new();
            self.str_member(&mut ns_members, "namespace", span, &prefix, span, ns);
            let fmembers = self.b.open(span, Some(ns));
            let mut fms = Vec::new();
            for func in funcs {
                let f = self.b.open(span, Some(fmembers));
                let params = self.b.open(span, Some(f));
                let mut items = Vec::new();
                for (name, ty) in &func.params {
                    let po = self.b.open(span, Some(params));
                    let mut pm = Vec::new();
                    if let Some(t) = ty {
                        self.str_member(&mut pm, "type", span, t, span, po);
                    }
                    self.str_member(&mut pm, "name", span, name, span, po);
                    self.b.set_object(po, pm);
                    items.push(po);
                }
                self.b.set_array(params, items);
                let output = self.b.open(span, Some(f));
                let mut om = Vec::new();
                if let Some(t) = func.output {
                    self.str_member(&mut om, "type", span, t, span, output);
                }
                let body = match func.body {
                    AExpr::Str(s) => AExpr::call("string", vec![AExpr::Str(s)]),
                    other => other,
                };
                self.expr_member(&mut om, "value", span, &body, span, output);
                self.b.set_object(output, om);
                let m = vec![
                    self.b.member("parameters", span, params),
                    self.b.member("output", span, output),
                ];
                self.b.set_object(f, m);
                fms.push(self.b.member(&func.name, span, f));
            }
            self.b.set_object(fmembers, fms);
            ns_members.push(self.b.member("members", span, fmembers));
            self.b.set_object(ns, ns_members);
            namespaces.push(ns);
        }
        self.b.set_array(array, namespaces);
        Some(self.b.member("functions", first, array))
    }

    fn emit_parameters(&mut self, members: &mut Vec<Member>, root: NodeId) {
        let decls: Vec<&ParamDecl<'s>> = self.program.params().collect();
        if decls.is_empty() {
            return;
        }
        let first = self.covering(decls.iter().map(|d| d.span));
        let node = self.b.open(first, Some(root));
        let mut ms = Vec::new();
        for d in decls {
            let Some(name) = d.name.name else { continue };
            let p = self.emit_parameter(d, node);
            ms.push(self.b.member(name, d.name.span, p));
        }
        self.b.set_object(node, ms);
        members.push(self.b.member("parameters", first, node));
    }

    fn emit_parameter(&mut self, d: &ParamDecl<'s>, parent: NodeId) -> NodeId {
        let node = self.b.open(d.span, Some(parent));
        let mut m = Vec::new();
        let mut info = type_info(&d.ty);
        // A type declared in this file: the JSON type it stands for.
        if info.ty.is_none()
            && let Some(t) = info.reference.and_then(|r| self.bind.types.get(r))
        {
            info.ty = type_info(&t.value).ty;
        }
        if decorator(&d.decorators, "secure").is_some() {
            info.ty = match info.ty {
                Some("string") => Some("securestring"),
                Some("object") => Some("secureObject"),
                // A type from Bicep's catalogue (`resourceInput<…>.properties.x`)
                // or a user type: secure all the same, object or string as
                // the default value says.
                None => Some(match &d.default {
                    Some(Expr::Object(_)) => "secureObject",
                    _ => "securestring",
                }),
                other => other,
            };
        }
        self.type_members(&mut m, &info, d.ty.span(), node);
        let ctx = Ctx::default();
        if let Some(default) = &d.default
            && !default.is_skipped()
        {
            let v = self.value(default, &ctx, node);
            m.push(self.b.member("defaultValue", default.span(), v));
        }
        self.decorator_members(&mut m, &d.decorators, node);
        self.b.set_object(node, m);
        node
    }

    /// `type`, `nullable`, `allowedValues` and `$ref` of a type.
    fn type_members(
        &mut self,
        m: &mut Vec<Member>,
        info: &TypeInfo<'_>,
        span: Span,
        parent: NodeId,
    ) {
        if let Some(r) = info.reference {
            let r = format!("#/definitions/{r}");
            self.str_member(m, "$ref", span, &r, span, parent);
        }
        if let Some(t) = info.ty {
            self.str_member(m, "type", span, t, span, parent);
        }
        if !info.allowed.is_empty() {
            let arr = self.b.open(span, Some(parent));
            let items: Vec<NodeId> = info
                .allowed
                .iter()
                .map(|v| match v {
                    Literal::Str(s) => self.b.string(&escape_literal(s), span, Some(arr)),
                    Literal::Int(i) => self.b.push(Kind::Int(*i), span, Some(arr)),
                    Literal::Bool(b) => self.b.push(Kind::Bool(*b), span, Some(arr)),
                })
                .collect();
            self.b.set_array(arr, items);
            m.push(self.b.member("allowedValues", span, arr));
        }
        if info.nullable {
            let t = self.b.push(Kind::Bool(true), span, Some(parent));
            m.push(self.b.member("nullable", span, t));
        }
    }

    /// `@allowed`, `@minLength`… and `@description`/`@metadata` of a
    /// parameter or output.
    fn decorator_members(
        &mut self,
        m: &mut Vec<Member>,
        decorators: &[idguard_bicep::ast::Decorator<'s>],
        parent: NodeId,
    ) {
        let ctx = Ctx::default();
        for (dec, key) in [
            ("allowed", "allowedValues"),
            ("minLength", "minLength"),
            ("maxLength", "maxLength"),
            ("minValue", "minValue"),
            ("maxValue", "maxValue"),
        ] {
            if let Some(d) = decorator(decorators, dec)
                && let Some(arg) = d.args().first()
            {
                let v = self.value(arg, &ctx, parent);
                m.push(self.b.member(key, d.span, v));
            }
        }
        let description =
            decorator(decorators, "description").and_then(|d| Some((d, d.args().first()?)));
        let metadata = decorator(decorators, "metadata").and_then(|d| Some((d, d.args().first()?)));
        if description.is_none() && metadata.is_none() {
            return;
        }
        let span = description
            .or(metadata)
            .map(|(d, _)| d.span)
            .unwrap_or_default();
        let node = self.b.open(span, Some(parent));
        let mut ms = Vec::new();
        if let Some((_, Expr::Object(o))) = metadata {
            for p in o.properties() {
                let Some(key) = self.key_text(&p.key, &ctx) else {
                    continue;
                };
                let v = self.value(&p.value, &ctx, node);
                ms.push(self.b.member(&key, p.key.span(), v));
            }
        }
        if let Some((d, arg)) = description {
            let v = self.value(arg, &ctx, node);
            ms.push(self.b.member("description", d.span, v));
        }
        self.b.set_object(node, ms);
        m.push(self.b.member("metadata", span, node));
    }

    /// The `variables` object (filled in by [`Self::finish_variables`] once
    /// the hoisted `load*Content()` values are known).
    pub(crate) fn emit_variables(&mut self, root: NodeId) -> (NodeId, Vec<Member>, Span) {
        let decls: Vec<_> = self.program.variables().collect();
        let first = self.covering(decls.iter().map(|d| d.span));
        let node = self.b.open(first, Some(root));
        let mut ms = Vec::new();
        let ctx = Ctx::default();
        let loops: Vec<_> = decls
            .iter()
            .filter_map(|d| match unwrap(&d.value) {
                Expr::For(f) => Some((*d, &**f)),
                _ => None,
            })
            .collect();
        if let Some((d0, _)) = loops.first() {
            let copy = self.b.open(d0.span, Some(node));
            let mut items = Vec::new();
            for (d, f) in &loops {
                let Some(name) = d.name.name else { continue };
                items.push(self.copy_object(Some(name), CopyIndex::Named(name), f, &ctx, copy));
            }
            self.b.set_array(copy, items);
            ms.push(self.b.member("copy", d0.name.span, copy));
        }
        for d in decls {
            if matches!(unwrap(&d.value), Expr::For(_)) {
                continue;
            }
            let Some(name) = d.name.name else { continue };
            let v = self.value(&d.value, &ctx, node);
            ms.push(self.b.member(name, d.name.span, v));
        }
        (node, ms, first)
    }

    /// Adds the hoisted `load*Content()` values (`$fxv#n`, first, as Bicep
    /// writes them) and closes the `variables` object; `false` when it is
    /// empty.
    pub(crate) fn finish_variables(&mut self, node: NodeId, user: Vec<Member>) -> bool {
        self.materialize_imports();
        let mut ms = Vec::new();
        for (name, value, span) in std::mem::take(&mut self.imported_vars) {
            let v = self.expr_node(&value, span, node);
            ms.push(self.b.member(&name, span, v));
        }
        let mut values = std::mem::take(&mut self.fxv_values);
        values.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, value, span) in values {
            let v = match &value {
                FxValue::Text(t) => self.b.string(&escape_literal(t), span, Some(node)),
                FxValue::Json(j) => self.json_value(j, span, node),
            };
            ms.push(self.b.member(&name, span, v));
        }
        ms.extend(user);
        let empty = ms.is_empty();
        self.b.set_object(node, ms);
        !empty
    }

    /// A JSON value as nodes (strings as they are), all with `span`.
    pub(crate) fn json_node(
        &mut self,
        v: &serde_json::Value,
        span: Span,
        parent: NodeId,
    ) -> NodeId {
        match v {
            serde_json::Value::String(s) => self.b.string(s, span, Some(parent)),
            serde_json::Value::Array(items) => {
                let id = self.b.open(span, Some(parent));
                let nodes = items.iter().map(|i| self.json_node(i, span, id)).collect();
                self.b.set_array(id, nodes);
                id
            }
            serde_json::Value::Object(map) => {
                let id = self.b.open(span, Some(parent));
                let mut ms = Vec::with_capacity(map.len());
                for (k, v) in map {
                    let n = self.json_node(v, span, id);
                    ms.push(self.b.member(k, span, n));
                }
                self.b.set_object(id, ms);
                id
            }
            other => self.json_value(other, span, parent),
        }
    }

    /// An evaluated value as nodes: known parts as JSON (strings escaped),
    /// an unknown as an expression that stays unknown.
    pub(crate) fn val_node(&mut self, v: &crate::expr::Val, span: Span, parent: NodeId) -> NodeId {
        use crate::expr::Val;
        match v {
            Val::Null => self.b.push(Kind::Null, span, Some(parent)),
            Val::Bool(b) => self.b.push(Kind::Bool(*b), span, Some(parent)),
            Val::Int(i) => self.b.push(Kind::Int(*i), span, Some(parent)),
            Val::Float(f) => self.b.push(Kind::Float(*f), span, Some(parent)),
            Val::Str(s) => self.b.string(&escape_literal(s), span, Some(parent)),
            Val::Array(items) => {
                let id = self.b.open(span, Some(parent));
                let nodes = items.iter().map(|i| self.val_node(i, span, id)).collect();
                self.b.set_array(id, nodes);
                id
            }
            Val::Object(obj) => {
                let id = self.b.open(span, Some(parent));
                let mut ms = Vec::new();
                for (k, v) in obj.iter() {
                    let n = self.val_node(v, span, id);
                    ms.push(self.b.member(&escape_literal(k), span, n));
                }
                self.b.set_object(id, ms);
                id
            }
            Val::Unknown(_) => {
                let a = self.broken();
                self.expr_node(&a, span, parent)
            }
        }
    }

    /// A JSON value as nodes (strings escaped: `[` written `[[`), all with
    /// `span`.
    fn json_value(&mut self, v: &serde_json::Value, span: Span, parent: NodeId) -> NodeId {
        match v {
            serde_json::Value::Null => self.b.push(Kind::Null, span, Some(parent)),
            serde_json::Value::Bool(b) => self.b.push(Kind::Bool(*b), span, Some(parent)),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => self.b.push(Kind::Int(i), span, Some(parent)),
                None => self
                    .b
                    .push(Kind::Float(n.as_f64().unwrap_or(0.0)), span, Some(parent)),
            },
            serde_json::Value::String(s) => self.b.string(&escape_literal(s), span, Some(parent)),
            serde_json::Value::Array(items) => {
                let id = self.b.open(span, Some(parent));
                let nodes = items.iter().map(|i| self.json_value(i, span, id)).collect();
                self.b.set_array(id, nodes);
                id
            }
            serde_json::Value::Object(map) => {
                let id = self.b.open(span, Some(parent));
                let mut ms = Vec::with_capacity(map.len());
                for (k, v) in map {
                    let n = self.json_value(v, span, id);
                    ms.push(self.b.member(&escape_literal(k), span, n));
                }
                self.b.set_object(id, ms);
                id
            }
        }
    }

    fn emit_outputs(&mut self, members: &mut Vec<Member>, root: NodeId) {
        let decls: Vec<_> = self.program.outputs().collect();
        if decls.is_empty() {
            return;
        }
        let first = self.covering(decls.iter().map(|d| d.span));
        let node = self.b.open(first, Some(root));
        let mut ms = Vec::new();
        let ctx = Ctx::default();
        for d in decls {
            let Some(name) = d.name.name else { continue };
            let o = self.b.open(d.span, Some(node));
            let mut om = Vec::new();
            let mut info = type_info(&d.ty);
            if decorator(&d.decorators, "secure").is_some() {
                info.ty = match info.ty {
                    Some("string") => Some("securestring"),
                    Some("object") => Some("secureObject"),
                    other => other,
                };
            }
            let resource_typed = matches!(d.ty, TypeExpr::Resource(_));
            if resource_typed {
                info.ty = Some("string");
            }
            self.type_members(&mut om, &info, d.ty.span(), o);
            match unwrap(&d.value) {
                Expr::For(f) => {
                    let c = self.copy_object(None, CopyIndex::Unnamed, f, &ctx, o);
                    om.push(self.b.member("copy", f.keyword, c));
                }
                _ if resource_typed => {
                    let v = match self.target_of(&d.value, &ctx) {
                        Some(Target::Res(r, idx)) => self.full_id(r, idx),
                        _ => self.expr(&d.value, &ctx),
                    };
                    self.expr_member(&mut om, "value", d.value.span(), &v, d.value.span(), o);
                }
                _ => {
                    let v = self.value(&d.value, &ctx, o);
                    om.push(self.b.member("value", d.value.span(), v));
                }
            }
            self.decorator_members(&mut om, &d.decorators, o);
            self.b.set_object(o, om);
            ms.push(self.b.member(name, d.name.span, o));
        }
        self.b.set_object(node, ms);
        members.push(self.b.member("outputs", first, node));
    }

    // ---- resources and modules -------------------------------------------

    /// Whether a declaration did not fully parse.
    fn incomplete(&self, span: Span, body: Option<&ObjectLit<'s>>) -> bool {
        self.has_error_in(span) || body.is_none_or(|b| !b.closed)
    }

    fn emit_resource(&mut self, r: usize, parent: NodeId) -> Option<Member> {
        let res = self.bind.resources.get(r)?;
        let decl = res.decl;
        let symbol = res.symbol.clone();
        let (ty, api, az, body) = (res.ty.clone(), res.api_version.clone(), res.az, res.body);
        let own_condition = res.condition;
        let node = self.b.open(decl.span, Some(parent));
        if self.incomplete(decl.span, body) {
            self.b.mark_incomplete(node);
        }
        let ctx = self.res_ctx(r, None);
        let mut m = Vec::new();
        let type_span = decl.type_string.present().map_or(decl.keyword, |s| s.span);

        // copy
        if let Some((owner, f)) = self.res_loop(r) {
            let owner_res = self.bind.resources.get(owner);
            let owner_symbol = owner_res.map(|o| o.symbol.clone()).unwrap_or_default();
            let outer = match owner_res.and_then(|o| o.nested_parent) {
                Some(p) => self.res_ctx(p, None),
                None => Ctx::default(),
            };
            let copy = self.b.open(f.span, Some(node));
            let mut cm = Vec::new();
            self.str_member(&mut cm, "name", f.keyword, &owner_symbol, f.keyword, copy);
            let iterable = self.expr(&f.iterable, &outer);
            let count = AExpr::call("length", vec![iterable]);
            self.expr_member(&mut cm, "count", f.keyword, &count, f.iterable.span(), copy);
            if let Some(d) = decorator(&decl.decorators, "batchSize")
                && let Some(Expr::Int(n)) = d.args().first()
            {
                self.str_member(&mut cm, "mode", d.span, "serial", d.span, copy);
                let b = self.b.push(
                    Kind::Int(i64::try_from(n.value).unwrap_or(i64::MAX)),
                    n.span,
                    Some(copy),
                );
                cm.push(self.b.member("batchSize", d.span, b));
            }
            self.b.set_object(copy, cm);
            m.push(self.b.member("copy", f.keyword, copy));
        }
        // condition
        if let Some(c) = self.combined_condition(r, None) {
            let span = own_condition.map_or(decl.span, |c| c.span());
            self.expr_member(&mut m, "condition", span, &c, span, node);
        }
        if let Some(e) = decl.existing {
            let t = self.b.push(Kind::Bool(true), e, Some(node));
            m.push(self.b.member("existing", e, t));
        }
        if az {
            self.str_member(&mut m, "type", type_span, &ty, type_span, node);
            if let Some(api) = &api {
                self.str_member(&mut m, "apiVersion", type_span, api, type_span, node);
            }
            let scope_span = body
                .and_then(|b| b.get("scope"))
                .map(|p| (p.key.span(), p.value.span()));
            if scope_span.is_some()
                || self
                    .bind
                    .resources
                    .get(r)
                    .is_some_and(|x| x.nested_parent.is_some() || x.property("parent").is_some())
            {
                let data = self.scope_of(r, None);
                let (ks, vs) = scope_span.unwrap_or((type_span, type_span));
                self.scope_members(&mut m, data, ks, vs, node, false);
            }
            if let Some(p) = body.and_then(|b| b.get("name")) {
                let name = self.full_name(r);
                self.expr_member(&mut m, "name", p.key.span(), &name, p.value.span(), node);
            }
            if let Some(body) = body {
                self.body_members(&mut m, body, &ctx, node, RESOURCE_OMIT);
            }
        } else {
            // An extensibility resource keeps its version in its type.
            let written = match &api {
                Some(api) => format!("{ty}@{api}"),
                None => ty.clone(),
            };
            self.str_member(&mut m, "type", type_span, &written, type_span, node);
            if let Some(body) = body {
                let props = self.b.open(body.span, Some(node));
                let mut pm = Vec::new();
                self.body_members(&mut pm, body, &ctx, props, &["dependsOn"]);
                self.b.set_object(props, pm);
                m.push(self.b.member("properties", body.span, props));
            }
        }
        self.b.set_object(node, m);
        let key_span = decl.name.span;
        Some(self.b.member(&symbol, key_span, node))
    }

    /// The properties of a resource or module body, but `omit` and nested
    /// resources; `for` values become a `copy` array.
    fn body_members(
        &mut self,
        m: &mut Vec<Member>,
        body: &ObjectLit<'s>,
        ctx: &Ctx,
        node: NodeId,
        omit: &[&str],
    ) {
        let loops: Vec<_> = body
            .properties()
            .filter(|p| p.key.name().is_none_or(|k| !omit.contains(&&*k)))
            .filter_map(|p| match &p.value {
                Expr::For(f) => Some((p, &**f)),
                _ => None,
            })
            .collect();
        if let Some((first, _)) = loops.first() {
            let copy = self.b.open(first.span, Some(node));
            let mut items = Vec::new();
            for (p, f) in &loops {
                let Some(key) = p.key.name() else { continue };
                let key = key.into_owned();
                items.push(self.copy_object(Some(&key), CopyIndex::Named(&key), f, ctx, copy));
            }
            self.b.set_array(copy, items);
            m.push(self.b.member("copy", first.key.span(), copy));
        }
        for p in body.properties() {
            if matches!(p.value, Expr::For(_)) {
                continue;
            }
            if p.key.name().is_some_and(|k| omit.contains(&&*k)) {
                continue;
            }
            let Some(key) = self.key_text(&p.key, ctx) else {
                continue;
            };
            let v = self.value(&p.value, ctx, node);
            m.push(self.b.member(&key, p.key.span(), v));
        }
    }

    /// `scope`, `subscriptionId`, `resourceGroup` of a resource or module
    /// (`EmitResourceOrModuleScopeProperties`).
    fn scope_members(
        &mut self,
        m: &mut Vec<Member>,
        data: ScopeData,
        key_span: Span,
        span: Span,
        node: NodeId,
        _module: bool,
    ) {
        match data.kind {
            ScopeKind::Resource => {
                if let Some((s, sidx)) = data.resource {
                    let id = self.full_id(s, sidx);
                    self.expr_member(m, "scope", key_span, &id, span, node);
                }
            }
            ScopeKind::Tenant => {
                if self.target != TargetScope::Tenant {
                    self.str_member(m, "scope", key_span, "/", span, node);
                }
            }
            ScopeKind::ManagementGroup => {
                if let Some(mg) = data.management_group {
                    let qualified = !matches!(
                        self.target,
                        TargetScope::Tenant | TargetScope::ManagementGroup
                    );
                    let id = if qualified {
                        AExpr::call(
                            "tenantResourceId",
                            vec![AExpr::lit("Microsoft.Management/managementGroups"), mg],
                        )
                    } else {
                        AExpr::call(
                            "format",
                            vec![AExpr::lit("Microsoft.Management/managementGroups/{0}"), mg],
                        )
                    };
                    self.expr_member(m, "scope", key_span, &id, span, node);
                }
            }
            ScopeKind::Subscription => {
                if let Some(sub) = data.subscription {
                    self.expr_member(m, "subscriptionId", key_span, &sub, span, node);
                } else if self.target == TargetScope::ResourceGroup {
                    let sub = AExpr::call0("subscription").prop("subscriptionId");
                    self.expr_member(m, "subscriptionId", key_span, &sub, span, node);
                }
            }
            ScopeKind::ResourceGroup => {
                if let Some(sub) = data.subscription {
                    self.expr_member(m, "subscriptionId", key_span, &sub, span, node);
                }
                if let Some(rg) = data.resource_group {
                    self.expr_member(m, "resourceGroup", key_span, &rg, span, node);
                }
            }
        }
    }

    fn emit_module(&mut self, mi: usize, parent: NodeId) -> Option<(Member, ModuleRef)> {
        let module = self.bind.modules.get(mi)?;
        let decl = module.decl;
        let (body, for_loop, condition) = (module.body, module.for_loop, module.condition);
        let node = self.b.open(decl.span, Some(parent));
        if self.incomplete(decl.span, body) {
            self.b.mark_incomplete(node);
        }
        let ctx = self.module_body_ctx(mi);
        let mut m = Vec::new();
        let path_span = decl.path.present().map_or(decl.keyword, |p| p.span);
        if let Some(f) = for_loop {
            let copy = self.b.open(f.span, Some(node));
            let mut cm = Vec::new();
            self.str_member(
                &mut cm,
                "name",
                f.keyword,
                decl.name.as_str(),
                f.keyword,
                copy,
            );
            let iterable = self.expr(&f.iterable, &Ctx::default());
            let count = AExpr::call("length", vec![iterable]);
            self.expr_member(&mut cm, "count", f.keyword, &count, f.iterable.span(), copy);
            if let Some(d) = decorator(&decl.decorators, "batchSize")
                && let Some(Expr::Int(n)) = d.args().first()
            {
                self.str_member(&mut cm, "mode", d.span, "serial", d.span, copy);
                let b = self.b.push(
                    Kind::Int(i64::try_from(n.value).unwrap_or(i64::MAX)),
                    n.span,
                    Some(copy),
                );
                cm.push(self.b.member("batchSize", d.span, b));
            }
            self.b.set_object(copy, cm);
            m.push(self.b.member("copy", f.keyword, copy));
        }
        if let Some(c) = condition {
            let a = self.expr(c, &ctx);
            self.expr_member(&mut m, "condition", c.span(), &a, c.span(), node);
        }
        self.str_member(
            &mut m,
            "type",
            decl.keyword,
            DEPLOYMENT_TYPE,
            decl.keyword,
            node,
        );
        self.str_member(
            &mut m,
            "apiVersion",
            decl.keyword,
            DEPLOYMENT_API_VERSION,
            decl.keyword,
            node,
        );
        if let Some(body) = body {
            self.body_members(&mut m, body, &ctx, node, MODULE_OMIT);
        }
        let name = self.module_name(mi, None);
        let (nk, nv) = body
            .and_then(|b| b.get("name"))
            .map_or((decl.name.span, decl.name.span), |p| {
                (p.key.span(), p.value.span())
            });
        self.expr_member(&mut m, "name", nk, &name, nv, node);
        let scope_prop = body.and_then(|b| b.get("scope"));
        let data = match scope_prop {
            Some(p) => self.classify_scope(&p.value, &ctx),
            None => ScopeData {
                kind: self.default_scope_kind(),
                management_group: None,
                subscription: None,
                resource_group: None,
                resource: None,
            },
        };
        let (sk, sv) = scope_prop.map_or((decl.keyword, decl.keyword), |p| {
            (p.key.span(), p.value.span())
        });
        let kind = data.kind;
        self.scope_members(&mut m, data, sk, sv, node, true);
        if kind != ScopeKind::ResourceGroup {
            let location = if self.target == TargetScope::ResourceGroup {
                AExpr::call0("resourceGroup").prop("location")
            } else {
                AExpr::call0("deployment").prop("location")
            };
            self.expr_member(&mut m, "location", sk, &location, sv, node);
        }

        // properties
        let props = self.b.open(body.map_or(decl.span, |b| b.span), Some(node));
        let mut pm = Vec::new();
        let eo = self.b.open(decl.keyword, Some(props));
        let mut eom = Vec::new();
        self.str_member(&mut eom, "scope", decl.keyword, "inner", decl.keyword, eo);
        self.b.set_object(eo, eom);
        pm.push(
            self.b
                .member("expressionEvaluationOptions", decl.keyword, eo),
        );
        self.str_member(
            &mut pm,
            "mode",
            decl.keyword,
            "Incremental",
            decl.keyword,
            props,
        );
        if let Some(p) = body.and_then(|b| b.get("params")) {
            let params = self.module_params(&p.value, &ctx, props);
            pm.push(self.b.member("parameters", p.key.span(), params));
        }
        let path = decl.path_str().map(str::to_string);
        if let Some(path) = &path {
            let link = self.b.open(path_span, Some(props));
            let mut lm = Vec::new();
            self.str_member(&mut lm, "relativePath", path_span, path, path_span, link);
            self.b.set_object(link, lm);
            pm.push(self.b.member("templateLink", path_span, link));
        }
        self.b.set_object(props, pm);
        m.push(
            self.b
                .member("properties", body.map_or(decl.span, |b| b.span), props),
        );
        self.b.set_object(node, m);
        let member = self.b.member(decl.name.as_str(), decl.name.span, node);
        let module = ModuleRef {
            symbol: decl.name.as_str().to_string(),
            path,
            path_span: path_span.into(),
            span: decl.span.into(),
            node,
        };
        Some((member, module))
    }

    /// `params: {…}` as deployment parameters: `{a: {value: …}}`.
    fn module_params(&mut self, e: &Expr<'s>, ctx: &Ctx, parent: NodeId) -> NodeId {
        let Expr::Object(o) = unwrap(e) else {
            return self.value(e, ctx, parent);
        };
        let node = self.b.open(o.span, Some(parent));
        let mut m = Vec::new();
        for p in o.properties() {
            let Some(key) = p.key.name() else { continue };
            let key = key.into_owned();
            let v = match unwrap(&p.value) {
                Expr::For(f) => {
                    let wrapper = self.b.open(p.value.span(), Some(node));
                    let copy = self.b.open(f.span, Some(wrapper));
                    let item =
                        self.copy_object(Some("value"), CopyIndex::Named("value"), f, ctx, copy);
                    self.b.set_array(copy, vec![item]);
                    let cm = vec![self.b.member("copy", f.keyword, copy)];
                    self.b.set_object(wrapper, cm);
                    wrapper
                }
                Expr::Ternary(_) => {
                    let a = self.module_parameter_expr(&p.value, ctx);
                    self.expr_node(&a, p.value.span(), node)
                }
                Expr::InstanceCall(c) if c.name.as_str() == "getSecret" => {
                    match self.key_vault_parts(&p.value, ctx) {
                        Some((id, name, version)) => {
                            // `{reference: {keyVault: {id}, secretName, secretVersion}}`
                            let span = p.value.span();
                            let wrapper = self.b.open(span, Some(node));
                            let reference = self.b.open(span, Some(wrapper));
                            let kv = self.b.open(span, Some(reference));
                            let mut km = Vec::new();
                            self.expr_member(&mut km, "id", span, &id, span, kv);
                            self.b.set_object(kv, km);
                            let mut rm = vec![self.b.member("keyVault", span, kv)];
                            if let Some(n) = name {
                                self.expr_member(&mut rm, "secretName", span, &n, span, reference);
                            }
                            if let Some(v) = version {
                                self.expr_member(
                                    &mut rm,
                                    "secretVersion",
                                    span,
                                    &v,
                                    span,
                                    reference,
                                );
                            }
                            self.b.set_object(reference, rm);
                            let wm = vec![self.b.member("reference", span, reference)];
                            self.b.set_object(wrapper, wm);
                            wrapper
                        }
                        None => self.value_wrapper(&p.value, ctx, node),
                    }
                }
                _ => self.value_wrapper(&p.value, ctx, node),
            };
            m.push(self.b.member(&key, p.key.span(), v));
        }
        self.b.set_object(node, m);
        node
    }

    fn value_wrapper(&mut self, e: &Expr<'s>, ctx: &Ctx, parent: NodeId) -> NodeId {
        let wrapper = self.b.open(e.span(), Some(parent));
        let v = self.value(e, ctx, wrapper);
        let wm = vec![self.b.member("value", e.span(), v)];
        self.b.set_object(wrapper, wm);
        wrapper
    }

    /// `ConvertModuleParameter` for an expression: `createObject('value', e)`,
    /// through ternaries, a Key Vault reference for `kv.getSecret()`.
    fn module_parameter_expr(&mut self, e: &Expr<'s>, ctx: &Ctx) -> AExpr {
        match unwrap(e) {
            Expr::Ternary(t) => {
                let c = self.expr(&t.condition, ctx);
                let a = self.module_parameter_expr(&t.then, ctx);
                let b = self.module_parameter_expr(&t.otherwise, ctx);
                AExpr::call("if", vec![c, a, b])
            }
            Expr::InstanceCall(c) if c.name.as_str() == "getSecret" => {
                match self.key_vault_reference(e, ctx) {
                    Some(r) => AExpr::call("createObject", vec![AExpr::lit("reference"), r]),
                    None => {
                        let v = self.expr(e, ctx);
                        AExpr::call("createObject", vec![AExpr::lit("value"), v])
                    }
                }
            }
            _ => {
                let v = self.expr(e, ctx);
                AExpr::call("createObject", vec![AExpr::lit("value"), v])
            }
        }
    }

    /// `kv.getSecret('name'[, 'version'])` as a Key Vault reference object.
    fn key_vault_reference(&mut self, e: &Expr<'s>, ctx: &Ctx) -> Option<AExpr> {
        let (id, name, version) = self.key_vault_parts(e, ctx)?;
        let mut args = vec![
            AExpr::lit("keyVault"),
            AExpr::call("createObject", vec![AExpr::lit("id"), id]),
        ];
        if let Some(name) = name {
            args.push(AExpr::lit("secretName"));
            args.push(name);
        }
        if let Some(version) = version {
            args.push(AExpr::lit("secretVersion"));
            args.push(version);
        }
        Some(AExpr::call("createObject", args))
    }

    /// The vault ID, secret name and version of `kv.getSecret(…)`.
    fn key_vault_parts(
        &mut self,
        e: &Expr<'s>,
        ctx: &Ctx,
    ) -> Option<(AExpr, Option<AExpr>, Option<AExpr>)> {
        let Expr::InstanceCall(c) = unwrap(e) else {
            return None;
        };
        let Some(Target::Res(r, idx)) = self.target_of(&c.base, ctx) else {
            return None;
        };
        let id = self.full_id(r, idx);
        let name = c.args.first().map(|a| self.expr(a, ctx));
        let version = c.args.get(1).map(|a| self.expr(a, ctx));
        Some((id, name, version))
    }
}

/// A literal value in `allowedValues`.
#[derive(Clone, Debug)]
enum Literal {
    Str(String),
    Int(i64),
    Bool(bool),
}

/// What a type expression says about a parameter.
#[derive(Clone, Debug, Default)]
struct TypeInfo<'t> {
    ty: Option<&'static str>,
    nullable: bool,
    allowed: Vec<Literal>,
    reference: Option<&'t str>,
}

/// The JSON type (`string`, `object`, …) a type expression names, if
/// it names one.
pub(crate) fn json_type(t: &TypeExpr<'_>) -> Option<&'static str> {
    type_info(t).ty
}

fn type_info<'t>(t: &'t TypeExpr<'_>) -> TypeInfo<'t> {
    let mut info = TypeInfo::default();
    match t {
        TypeExpr::Name(i) => match i.as_str() {
            "string" => info.ty = Some("string"),
            "int" => info.ty = Some("int"),
            "bool" => info.ty = Some("bool"),
            "object" => info.ty = Some("object"),
            "array" => info.ty = Some("array"),
            "secureString" | "securestring" => info.ty = Some("securestring"),
            "secureObject" | "secureobject" => info.ty = Some("secureObject"),
            "any" => {}
            other => info.reference = Some(other),
        },
        TypeExpr::String(s) => {
            info.ty = Some("string");
            if let Some(v) = s.as_str() {
                info.allowed.push(Literal::Str(v.to_string()));
            }
        }
        TypeExpr::Int(i) => {
            info.ty = Some("int");
            info.allowed
                .push(Literal::Int(i64::try_from(i.value).unwrap_or(i64::MAX)));
        }
        TypeExpr::Bool(b) => {
            info.ty = Some("bool");
            info.allowed.push(Literal::Bool(b.value));
        }
        TypeExpr::Unary(u) => {
            if let (UnaryOp::Minus, TypeExpr::Int(i)) = (u.op, &u.operand) {
                info.ty = Some("int");
                info.allowed
                    .push(Literal::Int(-i64::try_from(i.value).unwrap_or(i64::MAX)));
            }
        }
        TypeExpr::Object(_) | TypeExpr::Parameterized(_) => info.ty = Some("object"),
        TypeExpr::Tuple(_) | TypeExpr::Array(_) => info.ty = Some("array"),
        TypeExpr::Union(u) => {
            let members: Vec<TypeInfo<'t>> = u
                .members
                .iter()
                .filter(|m| !matches!(m, TypeExpr::Null(_)))
                .map(type_info)
                .collect();
            info.nullable = u.members.iter().any(|m| matches!(m, TypeExpr::Null(_)));
            info.ty = members.first().and_then(|m| m.ty);
            if members.iter().all(|m| !m.allowed.is_empty()) {
                info.allowed = members.into_iter().flat_map(|m| m.allowed).collect();
            }
        }
        TypeExpr::Nullable(w) => {
            info = type_info(&w.base);
            info.nullable = true;
        }
        TypeExpr::NonNullable(w) => info = type_info(&w.base),
        TypeExpr::Paren(p) => info = type_info(&p.inner),
        TypeExpr::Resource(_) => info.ty = Some("string"),
        _ => {}
    }
    info
}
