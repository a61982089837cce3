//! The binder: what each name in a Bicep file refers to.
//!
//! Bicep resolves a name through, in order, the local scopes it is written
//! in (loop variables, lambda and function parameters), the declarations of
//! the file (including nested resources, visible by their bare name inside
//! their parent's body), the namespaces (`az`, `sys`, wildcard-import and
//! extension aliases), and only then the built-in functions — so a user
//! symbol named `resourceGroup` hides the function, which is then written
//! `az.resourceGroup()`.

/// Maps keyed by names of the file: foldhash (std's SipHash showed in
/// profiles), seeded per map.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
use std::rc::Rc;

use idguard_bicep::ast::{
    Body, Decorator, Expr, ForExpr, FuncDecl, ImportName, ImportTarget, ModuleDecl, ObjectLit,
    ParamAssignDecl, Program, ResourceDecl, Statement, VarDecl,
};

use super::arm::AExpr;
use crate::expr::TargetScope;

/// A resource declaration, top-level or nested, with what the lowering
/// needs about it.
#[derive(Debug)]
pub(crate) struct Res<'a, 's> {
    pub decl: &'a ResourceDecl<'s>,
    /// `a::b` for a resource nested in `a`.
    pub symbol: String,
    /// The resource it is nested in (syntactically).
    pub nested_parent: Option<usize>,
    /// Nested resources by name.
    pub children: HashMap<&'s str, usize>,
    /// `NS/type/child` (the full type), or the written type for a non-Az
    /// resource.
    pub ty: String,
    pub api_version: Option<String>,
    /// An Azure resource (not an extensibility resource such as Microsoft
    /// Graph or Kubernetes).
    pub az: bool,
    pub body: Option<&'a ObjectLit<'s>>,
    /// Its own loop.
    pub for_loop: Option<&'a ForExpr<'s>>,
    pub condition: Option<&'a Expr<'s>>,
}

impl<'a, 's> Res<'a, 's> {
    pub(crate) fn name_expr(&self) -> Option<&'a Expr<'s>> {
        self.body.and_then(|b| b.get("name")).map(|p| &p.value)
    }

    pub(crate) fn property(&self, key: &str) -> Option<&'a Expr<'s>> {
        self.body.and_then(|b| b.get(key)).map(|p| &p.value)
    }
}

/// A module declaration.
#[derive(Debug)]
pub(crate) struct Module<'a, 's> {
    pub decl: &'a ModuleDecl<'s>,
    pub body: Option<&'a ObjectLit<'s>>,
    pub for_loop: Option<&'a ForExpr<'s>>,
    pub condition: Option<&'a Expr<'s>>,
}

/// What a name refers to.
#[derive(Clone, Debug)]
pub(crate) enum Sym<'a, 's> {
    Local(LocalVal),
    Param(&'s str),
    /// `param x = …` of a `.bicepparam` file.
    ParamAssign(&'a ParamAssignDecl<'s>),
    Var(&'a VarDecl<'s>),
    Resource(usize),
    Module(usize),
    Func(&'a FuncDecl<'s>),
    /// A symbol imported by name (`import {x} from …`): the import (its
    /// index in [`Binder::imports`]) and the symbol's original name.
    Imported(usize, Rc<str>),
    /// The alias of a wildcard import (`import * as ns from …`).
    Wildcard(usize),
    /// `az`, `sys`, a wildcard-import or extension alias.
    Namespace(&'s str),
    Unknown,
}

/// How a local name is lowered.
#[derive(Clone, Debug)]
pub(crate) enum LocalVal {
    /// A loop variable: the expression that replaces it
    /// (`xs[copyIndex()]`, `copyIndex('v')`).
    Expr(Rc<AExpr>),
    /// A lambda parameter: `lambdaVariables('x')`.
    Lambda(Rc<str>),
    /// A user-defined function's parameter: `parameters('x')`.
    FuncParam(Rc<str>),
}

/// A chain of local scopes (innermost first).
#[derive(Debug)]
pub(crate) struct Frame {
    pub name: Rc<str>,
    pub val: LocalVal,
    pub next: Option<Rc<Frame>>,
}

/// Where an expression is lowered.
#[derive(Clone, Debug, Default)]
pub(crate) struct Ctx {
    pub locals: Option<Rc<Frame>>,
    /// The resource whose body the expression is in (its nested resources,
    /// and those of its ancestors, are visible by name).
    pub res: Option<usize>,
    /// Inside a user-defined function: only its parameters and other
    /// functions are visible.
    pub func: bool,
}

impl Ctx {
    pub(crate) fn with_local(&self, name: &str, val: LocalVal) -> Ctx {
        Ctx {
            locals: Some(Rc::new(Frame {
                name: Rc::from(name),
                val,
                next: self.locals.clone(),
            })),
            res: self.res,
            func: self.func,
        }
    }

    pub(crate) fn in_resource(&self, res: usize) -> Ctx {
        Ctx {
            locals: self.locals.clone(),
            res: Some(res),
            func: self.func,
        }
    }

    fn local(&self, name: &str) -> Option<&LocalVal> {
        let mut f = self.locals.as_deref();
        while let Some(frame) = f {
            if &*frame.name == name {
                return Some(&frame.val);
            }
            f = frame.next.as_deref();
        }
        None
    }
}

/// The declarations of one file.
#[derive(Debug, Default)]
pub(crate) struct Binder<'a, 's> {
    pub params: HashMap<&'s str, ()>,
    pub param_assigns: HashMap<&'s str, &'a ParamAssignDecl<'s>>,
    pub vars: HashMap<&'s str, &'a VarDecl<'s>>,
    pub funcs: HashMap<&'s str, &'a FuncDecl<'s>>,
    pub resources: Vec<Res<'a, 's>>,
    pub top_resources: HashMap<&'s str, usize>,
    pub modules: Vec<Module<'a, 's>>,
    pub top_modules: HashMap<&'s str, usize>,
    pub imported: HashMap<&'s str, (usize, Rc<str>)>,
    pub wildcards: HashMap<&'s str, usize>,
    /// Compile-time imports: the path each reads (`None` when it is not a
    /// plain string), and where the statement is.
    pub imports: Vec<(Option<String>, idguard_bicep::Span)>,
    pub namespaces: HashMap<&'s str, ()>,
    pub types: HashMap<&'s str, &'a idguard_bicep::ast::TypeDecl<'s>>,
    /// Any `extension` declared other than `az`.
    pub has_extensions: bool,
    pub target_scope: Option<TargetScope>,
}

impl<'a, 's> Binder<'a, 's> {
    pub(crate) fn new(program: &'a Program<'s>) -> Self {
        let mut b = Binder::default();
        // Extensions first: whether a resource type is an Azure one depends
        // on them, wherever they are declared.
        for s in &program.statements {
            if let Statement::Extension(e) = s {
                let is_az = matches!(&e.spec, idguard_bicep::ast::ExtensionSpec::Ident(i) if i.name == Some("az"));
                if !is_az {
                    b.has_extensions = true;
                }
            }
        }
        for s in &program.statements {
            match s {
                Statement::Param(p) => {
                    if let Some(n) = p.name.name {
                        b.params.insert(n, ());
                    }
                }
                Statement::Var(v) => {
                    if let Some(n) = v.name.name {
                        b.vars.insert(n, v);
                    }
                }
                Statement::ParamAssign(p) => {
                    if let Some(n) = p.name.name {
                        b.param_assigns.insert(n, p);
                    }
                }
                Statement::Func(f) => {
                    if let Some(n) = f.name.name {
                        b.funcs.insert(n, f);
                    }
                }
                Statement::Type(t) => {
                    if let Some(n) = t.name.name {
                        b.types.insert(n, t);
                    }
                }
                Statement::Resource(r) => {
                    let id = b.add_resource(r, None, &[]);
                    if let Some(n) = r.name.name {
                        b.top_resources.insert(n, id);
                    }
                }
                Statement::Module(m) => {
                    let (body, for_loop, condition) = unwrap_body(&m.body);
                    b.modules.push(Module {
                        decl: m,
                        body,
                        for_loop,
                        condition,
                    });
                    if let Some(n) = m.name.name {
                        b.top_modules.insert(n, b.modules.len() - 1);
                    }
                }
                Statement::Import(i) => {
                    let index = b.imports.len();
                    let path = i
                        .from
                        .present()
                        .and_then(|f| f.path.present())
                        .and_then(|p| p.as_str())
                        .map(str::to_string);
                    b.imports.push((path, i.span));
                    match &i.target {
                        ImportTarget::Symbols(list) => {
                            for item in list.items.iter().filter_map(|i| i.present()) {
                                let original: Option<&str> = match &item.name {
                                    ImportName::Ident(id) => id.name,
                                    ImportName::String(s) => s.as_str(),
                                    ImportName::Skipped(_) => None,
                                };
                                let local =
                                    item.alias
                                        .as_ref()
                                        .and_then(|a| a.alias.name)
                                        .or(match &item.name {
                                            ImportName::Ident(id) => id.name,
                                            _ => None,
                                        });
                                if let (Some(local), Some(original)) = (local, original) {
                                    b.imported.insert(local, (index, Rc::from(original)));
                                }
                            }
                        }
                        ImportTarget::Wildcard(w) => {
                            if let Some(n) = w.alias.alias.name {
                                b.wildcards.insert(n, index);
                            }
                        }
                        ImportTarget::Skipped(_) => {}
                    }
                }
                Statement::Extension(e) => {
                    let name = match &e.spec {
                        idguard_bicep::ast::ExtensionSpec::Ident(i) => i.name.map(str::to_string),
                        idguard_bicep::ast::ExtensionSpec::String(s) => {
                            s.as_str().map(str::to_string)
                        }
                        idguard_bicep::ast::ExtensionSpec::Skipped(_) => None,
                    };
                    let alias = e
                        .alias
                        .as_ref()
                        .and_then(|a| a.present())
                        .and_then(|a| a.alias.name);
                    if let Some(a) = alias {
                        b.namespaces.insert(a, ());
                    } else if let idguard_bicep::ast::ExtensionSpec::Ident(i) = &e.spec
                        && let Some(n) = i.name
                    {
                        b.namespaces.insert(n, ());
                    }
                    let _ = name;
                }
                Statement::TargetScope(t) => {
                    b.target_scope = match t.value.as_str() {
                        Some("subscription") => Some(TargetScope::Subscription),
                        Some("managementGroup") => Some(TargetScope::ManagementGroup),
                        Some("tenant") => Some(TargetScope::Tenant),
                        Some("resourceGroup") => Some(TargetScope::ResourceGroup),
                        _ => None,
                    };
                }
                _ => {}
            }
        }
        b
    }

    /// Registers a resource and (recursively) its nested resources.
    fn add_resource(
        &mut self,
        r: &'a ResourceDecl<'s>,
        parent: Option<usize>,
        ancestors: &[&str],
    ) -> usize {
        let (body, for_loop, condition) = unwrap_body(&r.body);
        let (ty, api_version, az) = self.resource_type(r, parent);
        let symbol = if ancestors.is_empty() {
            r.name.as_str().to_string()
        } else {
            let mut s = ancestors.join("::");
            s.push_str("::");
            s.push_str(r.name.as_str());
            s
        };
        let id = self.resources.len();
        self.resources.push(Res {
            decl: r,
            symbol,
            nested_parent: parent,
            children: HashMap::default(),
            ty,
            api_version,
            az,
            body,
            for_loop,
            condition,
        });
        if let Some(body) = body {
            let mut path: Vec<&str> = ancestors.to_vec();
            path.push(r.name.as_str());
            for child in body.resources() {
                let cid = self.add_resource(child, Some(id), &path);
                if let (Some(n), Some(me)) = (child.name.name, self.resources.get_mut(id)) {
                    me.children.insert(n, cid);
                }
            }
        }
        id
    }

    /// Full type, API version and whether it is an Azure resource.
    fn resource_type(
        &self,
        r: &ResourceDecl<'s>,
        parent: Option<usize>,
    ) -> (String, Option<String>, bool) {
        let written = r.type_str().unwrap_or("");
        // An alias prefix (`az:My.Rp/type@v`, `k8s:apps/Deployment@v1`).
        let (alias, rest) = match written.split_once(':') {
            Some((a, rest)) if !a.contains('/') && !a.contains('@') => (Some(a), rest),
            _ => (None, written),
        };
        let (ty, api) = match rest.rsplit_once('@') {
            Some((t, v)) => (t.to_string(), Some(v.to_string())),
            None => (rest.to_string(), None),
        };
        if let Some(p) = parent.and_then(|p| self.resources.get(p)) {
            // A nested resource names its type relative to its parent's,
            // and inherits the parent's API version unless it has one.
            let full = if ty.contains('/') {
                ty
            } else {
                format!("{}/{}", p.ty, ty)
            };
            return (full, api.or_else(|| p.api_version.clone()), p.az);
        }
        let az = match alias {
            Some(a) => a == "az",
            None => {
                !self.has_extensions || {
                    let ns = ty.split('/').next().unwrap_or("");
                    ns.contains('.') && !ns.eq_ignore_ascii_case("Microsoft.Graph")
                }
            }
        };
        (ty, api, az)
    }

    /// What `name` means in `ctx`.
    pub(crate) fn lookup(&self, name: &str, ctx: &Ctx) -> Sym<'a, 's> {
        if let Some(v) = ctx.local(name) {
            return Sym::Local(v.clone());
        }
        if ctx.func {
            if let Some(f) = self.funcs.get(name) {
                return Sym::Func(f);
            }
            if let Some((i, original)) = self.imported.get(name) {
                return Sym::Imported(*i, Rc::clone(original));
            }
            if let Some(i) = self.wildcards.get(name) {
                return Sym::Wildcard(*i);
            }
            return match name {
                "az" | "sys" => Sym::Namespace(if name == "az" { "az" } else { "sys" }),
                _ => match self.namespaces.get_key_value(name) {
                    Some((k, _)) => Sym::Namespace(k),
                    None => Sym::Unknown,
                },
            };
        }
        // Nested resources, from the innermost enclosing resource out.
        let mut r = ctx.res;
        while let Some(id) = r {
            let Some(res) = self.resources.get(id) else {
                break;
            };
            if let Some(c) = res.children.get(name) {
                return Sym::Resource(*c);
            }
            r = res.nested_parent;
        }
        if let Some((k, _)) = self.params.get_key_value(name) {
            return Sym::Param(k);
        }
        if let Some(p) = self.param_assigns.get(name) {
            return Sym::ParamAssign(p);
        }
        if let Some(v) = self.vars.get(name) {
            return Sym::Var(v);
        }
        if let Some(r) = self.top_resources.get(name) {
            return Sym::Resource(*r);
        }
        if let Some(m) = self.top_modules.get(name) {
            return Sym::Module(*m);
        }
        if let Some(f) = self.funcs.get(name) {
            return Sym::Func(f);
        }
        if let Some((i, original)) = self.imported.get(name) {
            return Sym::Imported(*i, Rc::clone(original));
        }
        if let Some(i) = self.wildcards.get(name) {
            return Sym::Wildcard(*i);
        }
        if let Some((k, _)) = self.namespaces.get_key_value(name) {
            return Sym::Namespace(k);
        }
        match name {
            "az" => Sym::Namespace("az"),
            "sys" => Sym::Namespace("sys"),
            _ => Sym::Unknown,
        }
    }

    /// Whether a bare call `name(…)` reaches the built-in function (no
    /// declaration or local of that name hides it).
    pub(crate) fn is_shadowed(&self, name: &str, ctx: &Ctx) -> bool {
        !matches!(
            self.lookup(name, ctx),
            Sym::Unknown | Sym::Namespace(_) | Sym::Wildcard(_)
        )
    }
}

/// The object, loop and condition of a resource or module body.
#[allow(clippy::type_complexity)]
pub(crate) fn unwrap_body<'a, 's>(
    body: &'a Body<'s>,
) -> (
    Option<&'a ObjectLit<'s>>,
    Option<&'a ForExpr<'s>>,
    Option<&'a Expr<'s>>,
) {
    (body.object(), body.for_loop(), body.condition())
}

/// A decorator named `name` (also `@sys.name`).
pub(crate) fn decorator<'a, 's>(
    decorators: &'a [Decorator<'s>],
    name: &str,
) -> Option<&'a Decorator<'s>> {
    decorators
        .iter()
        .find(|d| d.name() == Some(name) && matches!(d.namespace(), None | Some("sys")))
}
