//! Walking the tree: a [`Visitor`] with default methods that walk into
//! every child, and [`walk_resources`] for the resource declarations with
//! their ancestors (nested resources).
//!
//! Override the `visit_*` methods of interest and call the matching
//! `walk_*` function to go on into the children. The tree is at most
//! [`crate::MAX_DEPTH`] levels deep, so recursion is safe.
//!
//! ```
//! use idguard_bicep::ast::Expr;
//! use idguard_bicep::visit::{Visitor, walk_expr};
//!
//! /// Every function called, by name.
//! struct Calls(Vec<String>);
//! impl<'s> Visitor<'s> for Calls {
//!     fn visit_expr(&mut self, e: &Expr<'s>) {
//!         match e {
//!             Expr::Call(c) => self.0.push(c.name.as_str().to_string()),
//!             Expr::InstanceCall(c) => self.0.push(c.name.as_str().to_string()),
//!             _ => {}
//!         }
//!         walk_expr(self, e);
//!     }
//! }
//! let parsed = idguard_bicep::parse_bicep("var id = guid(az.resourceGroup().id, concat('a', 'b'))\n");
//! let mut calls = Calls(Vec::new());
//! calls.visit_program(&parsed.program);
//! assert_eq!(calls.0, ["guid", "resourceGroup", "concat"]);
//! ```

use crate::ast::*;

/// A visitor over the syntax tree. Every method's default walks into the
/// node's children (in source order).
pub trait Visitor<'s> {
    fn visit_program(&mut self, p: &Program<'s>) {
        for s in &p.statements {
            self.visit_statement(s);
        }
    }

    fn visit_statement(&mut self, s: &Statement<'s>) {
        walk_statement(self, s);
    }

    fn visit_decorator(&mut self, d: &Decorator<'s>) {
        self.visit_expr(&d.expr);
    }

    /// A resource declaration, top-level or nested.
    fn visit_resource(&mut self, r: &ResourceDecl<'s>) {
        walk_resource(self, r);
    }

    fn visit_body(&mut self, b: &Body<'s>) {
        walk_body(self, b);
    }

    fn visit_expr(&mut self, e: &Expr<'s>) {
        walk_expr(self, e);
    }

    fn visit_object(&mut self, o: &ObjectLit<'s>) {
        walk_object(self, o);
    }

    fn visit_property(&mut self, p: &ObjectProperty<'s>) {
        walk_property_key(self, &p.key);
        self.visit_expr(&p.value);
    }

    fn visit_string(&mut self, s: &StringLit<'s>) {
        for h in s.holes() {
            self.visit_expr(h);
        }
    }

    fn visit_type(&mut self, t: &TypeExpr<'s>) {
        walk_type(self, t);
    }

    /// A recovery node (wherever it stands).
    fn visit_skipped(&mut self, _s: &Skipped) {}
}

fn visit_string_slot<'s, V: Visitor<'s> + ?Sized>(v: &mut V, s: &Slot<StringLit<'s>>) {
    match s {
        Slot::Present(s) => v.visit_string(s),
        Slot::Skipped(s) => v.visit_skipped(s),
    }
}

fn visit_object_slot<'s, V: Visitor<'s> + ?Sized>(v: &mut V, s: &Slot<ObjectLit<'s>>) {
    match s {
        Slot::Present(o) => v.visit_object(o),
        Slot::Skipped(s) => v.visit_skipped(s),
    }
}

fn visit_with<'s, V: Visitor<'s> + ?Sized>(v: &mut V, w: &Option<Slot<WithClause<'s>>>) {
    match w {
        Some(Slot::Present(w)) => visit_object_slot(v, &w.config),
        Some(Slot::Skipped(s)) => v.visit_skipped(s),
        None => {}
    }
}

fn walk_property_key<'s, V: Visitor<'s> + ?Sized>(v: &mut V, k: &PropertyKey<'s>) {
    match k {
        PropertyKey::Ident(_) => {}
        PropertyKey::String(s) => v.visit_string(s),
        PropertyKey::Skipped(s) => v.visit_skipped(s),
    }
}

/// Into every part of a statement.
pub fn walk_statement<'s, V: Visitor<'s> + ?Sized>(v: &mut V, s: &Statement<'s>) {
    for d in s.decorators() {
        v.visit_decorator(d);
    }
    match s {
        Statement::TargetScope(d) => v.visit_expr(&d.value),
        Statement::Metadata(d) => v.visit_expr(&d.value),
        Statement::Param(d) => {
            v.visit_type(&d.ty);
            if let Some(e) = &d.default {
                v.visit_expr(e);
            }
        }
        Statement::Var(d) => {
            if let Some(t) = &d.ty {
                v.visit_type(t);
            }
            v.visit_expr(&d.value);
        }
        Statement::Type(d) => v.visit_type(&d.value),
        Statement::Func(d) => match &d.lambda {
            Slot::Present(l) => {
                for p in &l.params {
                    match p {
                        Slot::Present(p) => v.visit_type(&p.ty),
                        Slot::Skipped(s) => v.visit_skipped(s),
                    }
                }
                v.visit_type(&l.return_type);
                v.visit_expr(&l.body);
            }
            Slot::Skipped(s) => v.visit_skipped(s),
        },
        // Decorators were visited above; `visit_resource` sees the rest.
        Statement::Resource(r) => v.visit_resource(r),
        Statement::Module(d) => {
            visit_string_slot(v, &d.path);
            v.visit_body(&d.body);
        }
        Statement::Output(d) => {
            v.visit_type(&d.ty);
            v.visit_expr(&d.value);
        }
        Statement::Import(d) => {
            match &d.target {
                ImportTarget::Symbols(l) => {
                    for i in &l.items {
                        match i {
                            Slot::Present(ImportItem {
                                name: ImportName::String(s),
                                ..
                            }) => v.visit_string(s),
                            Slot::Present(ImportItem {
                                name: ImportName::Skipped(s),
                                ..
                            })
                            | Slot::Skipped(s) => v.visit_skipped(s),
                            Slot::Present(_) => {}
                        }
                    }
                }
                ImportTarget::Wildcard(_) => {}
                ImportTarget::Skipped(s) => v.visit_skipped(s),
            }
            match &d.from {
                Slot::Present(f) => visit_string_slot(v, &f.path),
                Slot::Skipped(s) => v.visit_skipped(s),
            }
        }
        Statement::Extension(d) => {
            match &d.spec {
                ExtensionSpec::Ident(_) => {}
                ExtensionSpec::String(s) => v.visit_string(s),
                ExtensionSpec::Skipped(s) => v.visit_skipped(s),
            }
            visit_with(v, &d.with);
            if let Some(Slot::Skipped(s)) = &d.alias {
                v.visit_skipped(s);
            }
        }
        Statement::Assert(d) => v.visit_expr(&d.value),
        Statement::Test(d) => {
            visit_string_slot(v, &d.path);
            v.visit_body(&d.body);
        }
        Statement::Using(d) => {
            match &d.target {
                UsingTarget::Path(s) => v.visit_string(s),
                UsingTarget::None(_) => {}
                UsingTarget::Skipped(s) => v.visit_skipped(s),
            }
            visit_with(v, &d.with);
        }
        Statement::Extends(d) => visit_string_slot(v, &d.path),
        Statement::ParamAssign(d) => v.visit_expr(&d.value),
        Statement::ExtensionConfig(d) => match &d.with {
            Slot::Present(w) => visit_object_slot(v, &w.config),
            Slot::Skipped(s) => v.visit_skipped(s),
        },
        Statement::MissingDeclaration(_) => {}
        Statement::Skipped(s) => v.visit_skipped(s),
    }
}

/// Into a resource declaration: its type string and body (a nested
/// resource's decorators are visited here; a top-level one's by
/// [`walk_statement`]).
pub fn walk_resource<'s, V: Visitor<'s> + ?Sized>(v: &mut V, r: &ResourceDecl<'s>) {
    visit_string_slot(v, &r.type_string);
    v.visit_body(&r.body);
}

pub fn walk_body<'s, V: Visitor<'s> + ?Sized>(v: &mut V, b: &Body<'s>) {
    match b {
        Body::Object(o) => v.visit_object(o),
        Body::If(i) => walk_if(v, i),
        Body::For(f) => walk_for(v, f),
        Body::Skipped(s) => v.visit_skipped(s),
    }
}

fn walk_if<'s, V: Visitor<'s> + ?Sized>(v: &mut V, i: &IfBody<'s>) {
    v.visit_expr(&i.paren_condition);
    visit_object_slot(v, &i.body);
}

fn walk_for<'s, V: Visitor<'s> + ?Sized>(v: &mut V, f: &ForExpr<'s>) {
    if let ForVariables::Skipped(s) = &f.variables {
        v.visit_skipped(s);
    }
    v.visit_expr(&f.iterable);
    match &f.body {
        ForBody::Expr(e) => v.visit_expr(e),
        ForBody::If(i) => walk_if(v, i),
    }
}

/// Into an object literal's items (nested resources through
/// [`Visitor::visit_resource`], with their decorators).
pub fn walk_object<'s, V: Visitor<'s> + ?Sized>(v: &mut V, o: &ObjectLit<'s>) {
    for item in &o.items {
        match item {
            ObjectItem::Property(p) => v.visit_property(p),
            ObjectItem::Spread(s) => v.visit_expr(&s.value),
            ObjectItem::Resource(r) => {
                for d in &r.decorators {
                    v.visit_decorator(d);
                }
                v.visit_resource(r);
            }
            ObjectItem::MissingDeclaration(m) => {
                for d in &m.decorators {
                    v.visit_decorator(d);
                }
            }
            ObjectItem::Skipped(s) => v.visit_skipped(s),
        }
    }
}

/// Into an expression's sub-expressions.
pub fn walk_expr<'s, V: Visitor<'s> + ?Sized>(v: &mut V, e: &Expr<'s>) {
    match e {
        Expr::Int(_) | Expr::Bool(_) | Expr::Null(_) | Expr::Var(_) => {}
        Expr::String(s) => v.visit_string(s),
        Expr::Object(o) => v.visit_object(o),
        Expr::Array(a) => {
            for i in &a.items {
                match i {
                    ArrayItem::Value(e) => v.visit_expr(e),
                    ArrayItem::Spread(s) => v.visit_expr(&s.value),
                }
            }
        }
        Expr::For(f) => walk_for(v, f),
        Expr::Paren(p) => v.visit_expr(&p.inner),
        Expr::Call(c) => {
            for a in &c.args {
                v.visit_expr(a);
            }
        }
        Expr::InstanceCall(c) => {
            v.visit_expr(&c.base);
            for a in &c.args {
                v.visit_expr(a);
            }
        }
        Expr::Property(p) => v.visit_expr(&p.base),
        Expr::Index(i) => {
            v.visit_expr(&i.base);
            v.visit_expr(&i.index);
        }
        Expr::ResourceAccess(r) => v.visit_expr(&r.base),
        Expr::NonNull(n) => v.visit_expr(&n.base),
        Expr::Unary(u) => v.visit_expr(&u.operand),
        Expr::Binary(b) => {
            v.visit_expr(&b.left);
            v.visit_expr(&b.right);
        }
        Expr::Ternary(t) => {
            v.visit_expr(&t.condition);
            v.visit_expr(&t.then);
            v.visit_expr(&t.otherwise);
        }
        Expr::Lambda(l) => v.visit_expr(&l.body),
        Expr::Skipped(s) => v.visit_skipped(s),
    }
}

/// Into a type expression's parts (object-type members with their
/// decorators, tuple items, union members, index expressions…).
pub fn walk_type<'s, V: Visitor<'s> + ?Sized>(v: &mut V, t: &TypeExpr<'s>) {
    match t {
        TypeExpr::Name(_) | TypeExpr::Int(_) | TypeExpr::Bool(_) | TypeExpr::Null(_) => {}
        TypeExpr::Parameterized(p) => {
            for a in &p.args {
                v.visit_type(a);
            }
        }
        TypeExpr::String(s) => v.visit_string(s),
        TypeExpr::Object(o) => {
            for m in &o.members {
                match m {
                    ObjectTypeMember::Property(p) => {
                        for d in &p.decorators {
                            v.visit_decorator(d);
                        }
                        walk_property_key(v, &p.key);
                        v.visit_type(&p.value);
                    }
                    ObjectTypeMember::AdditionalProperties(a) => {
                        for d in &a.decorators {
                            v.visit_decorator(d);
                        }
                        v.visit_type(&a.value);
                    }
                    ObjectTypeMember::Skipped(s) => v.visit_skipped(s),
                }
            }
        }
        TypeExpr::Tuple(tu) => {
            for i in &tu.items {
                match i {
                    Slot::Present(i) => {
                        for d in &i.decorators {
                            v.visit_decorator(d);
                        }
                        v.visit_type(&i.ty);
                    }
                    Slot::Skipped(s) => v.visit_skipped(s),
                }
            }
        }
        TypeExpr::Array(a) => v.visit_type(&a.item),
        TypeExpr::Union(u) => {
            for m in &u.members {
                v.visit_type(m);
            }
        }
        TypeExpr::Nullable(w)
        | TypeExpr::NonNullable(w)
        | TypeExpr::AdditionalProperties(w)
        | TypeExpr::Items(w) => v.visit_type(&w.base),
        TypeExpr::Unary(u) => v.visit_type(&u.operand),
        TypeExpr::Paren(p) => v.visit_type(&p.inner),
        TypeExpr::Property(p) => v.visit_type(&p.base),
        TypeExpr::Index(i) => {
            v.visit_type(&i.base);
            v.visit_expr(&i.index);
        }
        TypeExpr::InstanceParameterized(i) => {
            v.visit_type(&i.base);
            for a in &i.args {
                v.visit_type(a);
            }
        }
        TypeExpr::Resource(r) => {
            if let Some(s) = &r.type_string {
                visit_string_slot(v, s);
            }
        }
        TypeExpr::Skipped(s) => v.visit_skipped(s),
    }
}

/// Calls `f` on every resource declaration of the program, top-level and
/// nested, in source order, with its ancestors (outermost first): for
/// `resource a … { resource b … { resource c … } }`, `c` comes with
/// `[a, b]`. Nested resources inside `if` and `for` bodies are included.
pub fn walk_resources<'p, 's>(
    program: &'p Program<'s>,
    mut f: impl FnMut(&[&'p ResourceDecl<'s>], &'p ResourceDecl<'s>),
) {
    fn go<'p, 's>(
        stack: &mut Vec<&'p ResourceDecl<'s>>,
        r: &'p ResourceDecl<'s>,
        f: &mut impl FnMut(&[&'p ResourceDecl<'s>], &'p ResourceDecl<'s>),
    ) {
        f(stack, r);
        if let Some(body) = r.body.object() {
            stack.push(r);
            for child in body.resources() {
                go(stack, child, f);
            }
            stack.pop();
        }
    }
    let mut stack = Vec::new();
    for s in &program.statements {
        if let Statement::Resource(r) = s {
            go(&mut stack, r, &mut f);
        }
    }
}

impl<'s> Program<'s> {
    /// The statements that declare something of this kind, in order.
    pub fn params(&self) -> impl Iterator<Item = &ParamDecl<'s>> {
        self.statements.iter().filter_map(|s| match s {
            Statement::Param(d) => Some(&**d),
            _ => None,
        })
    }

    pub fn variables(&self) -> impl Iterator<Item = &VarDecl<'s>> {
        self.statements.iter().filter_map(|s| match s {
            Statement::Var(d) => Some(&**d),
            _ => None,
        })
    }

    /// The top-level resource declarations (nested ones: [`walk_resources`]).
    pub fn resources(&self) -> impl Iterator<Item = &ResourceDecl<'s>> {
        self.statements.iter().filter_map(|s| match s {
            Statement::Resource(d) => Some(&**d),
            _ => None,
        })
    }

    pub fn modules(&self) -> impl Iterator<Item = &ModuleDecl<'s>> {
        self.statements.iter().filter_map(|s| match s {
            Statement::Module(d) => Some(&**d),
            _ => None,
        })
    }

    pub fn outputs(&self) -> impl Iterator<Item = &OutputDecl<'s>> {
        self.statements.iter().filter_map(|s| match s {
            Statement::Output(d) => Some(&**d),
            _ => None,
        })
    }

    pub fn types(&self) -> impl Iterator<Item = &TypeDecl<'s>> {
        self.statements.iter().filter_map(|s| match s {
            Statement::Type(d) => Some(&**d),
            _ => None,
        })
    }

    pub fn functions(&self) -> impl Iterator<Item = &FuncDecl<'s>> {
        self.statements.iter().filter_map(|s| match s {
            Statement::Func(d) => Some(&**d),
            _ => None,
        })
    }

    pub fn imports(&self) -> impl Iterator<Item = &ImportDecl<'s>> {
        self.statements.iter().filter_map(|s| match s {
            Statement::Import(d) => Some(&**d),
            _ => None,
        })
    }

    pub fn extensions(&self) -> impl Iterator<Item = &ExtensionDecl<'s>> {
        self.statements.iter().filter_map(|s| match s {
            Statement::Extension(d) => Some(&**d),
            _ => None,
        })
    }

    /// `.bicepparam`: the `param name = value` assignments.
    pub fn param_assignments(&self) -> impl Iterator<Item = &ParamAssignDecl<'s>> {
        self.statements.iter().filter_map(|s| match s {
            Statement::ParamAssign(d) => Some(&**d),
            _ => None,
        })
    }

    /// The value of the (last) `targetScope = …`.
    pub fn target_scope(&self) -> Option<&Expr<'s>> {
        self.statements.iter().rev().find_map(|s| match s {
            Statement::TargetScope(d) => Some(&d.value),
            _ => None,
        })
    }

    /// `.bicepparam`: the `using` declaration.
    pub fn using(&self) -> Option<&UsingDecl<'s>> {
        self.statements.iter().find_map(|s| match s {
            Statement::Using(d) => Some(&**d),
            _ => None,
        })
    }
}
