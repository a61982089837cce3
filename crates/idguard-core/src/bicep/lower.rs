//! Bicep expressions to ARM expressions (a port of the behaviour of Bicep's
//! `ExpressionBuilder`, `ExpressionConverter` and `ScopeHelper`): operators
//! to functions, interpolation to `format()`, safe access to `tryGet()`,
//! symbolic references to `resourceId()`/`reference()`, loop variables to
//! `copyIndex()`.

/// Maps keyed by names of the file: foldhash (std's SipHash showed in
/// profiles), seeded per map.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

use std::collections::BTreeSet;
use std::rc::Rc;

use idguard_bicep::Diagnostic;
use idguard_bicep::Span;
use idguard_bicep::ast::Program;
use idguard_bicep::ast::{
    BinaryOp, CallExpr, Expr, ForExpr, IndexAccess, InstanceCallExpr, LambdaExpr, ObjectItem,
    ObjectLit, PropertyAccess, PropertyKey, StringLit, UnaryOp,
};

use super::arm::{AExpr, Text};
use super::binder::{Binder, Ctx, LocalVal, Sym};
use super::{Loader, LowerNote};
use crate::expr::TargetScope;
use crate::source::DocumentBuilder;

/// The type of a resource group and a management group: a resource of
/// either type used as a `scope` makes a resource-group or
/// management-group scope.
const RESOURCE_GROUP_TYPE: &str = "Microsoft.Resources/resourceGroups";
const MANAGEMENT_GROUP_TYPE: &str = "Microsoft.Management/managementGroups";

/// What a reference names: a resource or module, with the index into its
/// loop when indexed (`vms[i]`).
#[derive(Clone, Debug)]
pub(crate) enum Target {
    Res(usize, Option<AExpr>),
    Mod(usize, Option<AExpr>),
}

/// Where a resource or module is deployed (Bicep's `ScopeData`), with the
/// scope arguments already lowered.
#[derive(Clone, Debug)]
pub(crate) struct ScopeData {
    pub kind: ScopeKind,
    pub management_group: Option<AExpr>,
    pub subscription: Option<AExpr>,
    pub resource_group: Option<AExpr>,
    /// The resource an extension resource extends.
    pub resource: Option<(usize, Option<AExpr>)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ScopeKind {
    Tenant,
    ManagementGroup,
    Subscription,
    ResourceGroup,
    Resource,
}

impl ScopeData {
    fn of(kind: ScopeKind) -> Self {
        ScopeData {
            kind,
            management_group: None,
            subscription: None,
            resource_group: None,
            resource: None,
        }
    }
}

/// How an ancestor is linked to its child.
#[derive(Clone, Copy, Debug)]
enum Link<'a, 's> {
    /// Declared inside the parent's body (shares its loop).
    Nested,
    /// `parent: p` or `parent: p[i]`.
    Parent(Option<&'a Expr<'s>>),
}

/// Most resources in a `parent:` chain followed.
const MAX_ANCESTORS: usize = 64;

/// Deepest nesting of names and IDs built from other resources' names and
/// IDs (a name that uses another's `.name`, a scope that is another
/// resource…). Keeps lowered expressions shallow enough to walk.
const MAX_NAME_NESTING: usize = 16;

/// The lowering of one file.
pub(crate) struct Lowerer<'a, 's, 'r> {
    pub program: &'a Program<'s>,
    pub bind: Binder<'a, 's>,
    pub target: TargetScope,
    pub b: DocumentBuilder,
    pub notes: Vec<LowerNote>,
    pub diagnostics: &'a [Diagnostic],
    /// Expression nodes still allowed (a bound on blow-up: names built from
    /// names built from names…).
    budget: u64,
    pub exhausted: bool,
    load: &'r Loader<'r>,
    /// Resources whose name is being lowered (a cycle guard).
    naming: Vec<usize>,
    /// Resources whose ID is being built (a cycle guard).
    identifying: Vec<usize>,
    /// `res_ctx(r, None)`, memoised.
    ctx_cache: HashMap<usize, Ctx>,
    /// Variables whose scope is being classified (a cycle guard).
    scope_vars: Vec<usize>,
    /// `load*Content()` calls Bicep hoists into a synthesized variable
    /// (`$fxv#0`…), by the call's start offset, numbered in text order.
    fxv_names: HashMap<u32, String>,
    /// A reusable buffer for expression text.
    pub buf: String,
    /// Strings of expressions, shared: names and literals repeat.
    texts: std::collections::HashSet<Rc<str>, foldhash::fast::RandomState>,
    /// Per compile-time import: the variables and functions used from it.
    import_uses: Vec<(BTreeSet<String>, BTreeSet<String>)>,
    /// Lowering an imported file: the prefix its variables and functions
    /// get in the importing template (`_1`), and those it uses itself.
    mangle: Option<String>,
    mangle_uses: (BTreeSet<String>, BTreeSet<String>),
    /// The imported variables, lowered: (`_1.name`, value, import span).
    pub imported_vars: Vec<(String, AExpr, Span)>,
    /// The imported functions, lowered, by namespace (`_1`).
    pub imported_funcs: Vec<(String, Vec<ImportedFunc>, Span)>,
    /// Their values, once loaded: (name, value, call span).
    pub fxv_values: Vec<(String, FxValue, Span)>,
}

/// A user-defined function of an imported file, lowered.
#[derive(Clone, Debug)]
pub(crate) struct ImportedFunc {
    pub name: String,
    pub params: Vec<(String, Option<&'static str>)>,
    pub output: Option<&'static str>,
    pub body: AExpr,
}

/// The value of a hoisted `load*Content()` call.
#[derive(Clone, Debug)]
pub(crate) enum FxValue {
    Text(String),
    Json(serde_json::Value),
}

impl<'a, 's, 'r> Lowerer<'a, 's, 'r> {
    pub(crate) fn new(
        text: &'s str,
        program: &'a Program<'s>,
        diagnostics: &'a [Diagnostic],
        load: &'r Loader<'r>,
    ) -> Self {
        let bind = Binder::new(program);
        let target = bind.target_scope.unwrap_or(TargetScope::ResourceGroup);
        let imports = bind.imports.len();
        // A generous bound: real files use a few nodes per byte at most.
        let budget = 2_000_000u64.saturating_add((text.len() as u64).saturating_mul(64));
        Lowerer {
            program,
            bind,
            target,
            b: DocumentBuilder::for_text(text.len()),
            notes: Vec::new(),
            diagnostics,
            budget,
            exhausted: false,
            load,
            naming: Vec::new(),
            identifying: Vec::new(),
            ctx_cache: HashMap::default(),
            scope_vars: Vec::new(),
            fxv_names: function_variables(text, program),
            fxv_values: Vec::new(),
            buf: String::new(),
            texts: Default::default(),
            import_uses: vec![Default::default(); imports],
            mangle: None,
            mangle_uses: Default::default(),
            imported_vars: Vec::new(),
            imported_funcs: Vec::new(),
        }
    }

    /// A string literal expression, its text shared with equal ones.
    pub(crate) fn text(&mut self, s: &str) -> AExpr {
        if let Some(t) = self.texts.get(s) {
            return AExpr::Str(Text::Shared(Rc::clone(t)));
        }
        let t: Rc<str> = Rc::from(s);
        if s.len() <= 64 {
            self.texts.insert(Rc::clone(&t));
        }
        AExpr::Str(Text::Shared(t))
    }

    /// Takes `n` units of the budget; `false` once it is spent.
    pub(crate) fn charge(&mut self, n: u64) -> bool {
        if self.budget < n {
            self.budget = 0;
            self.exhausted = true;
            return false;
        }
        self.budget -= n;
        true
    }

    pub(crate) fn note(&mut self, span: Span, message: String) {
        let span = crate::source::Span::from(span);
        if !self
            .notes
            .iter()
            .any(|n| n.span == span && n.message == message)
        {
            self.notes.push(LowerNote { span, message });
        }
    }

    /// A stand-in for an expression that could not be lowered: the
    /// evaluator treats the unknown function as an unknown value.
    pub(crate) fn broken(&self) -> AExpr {
        AExpr::call0("bicepSyntaxError")
    }

    // ---- expressions -------------------------------------------------

    /// `e` as an ARM expression.
    pub(crate) fn expr(&mut self, e: &Expr<'s>, ctx: &Ctx) -> AExpr {
        if !self.charge(1) {
            return AExpr::null();
        }
        match e {
            Expr::Int(i) => int_literal(i.value, false),
            Expr::Bool(b) => AExpr::bool(b.value),
            Expr::Null(_) => AExpr::null(),
            Expr::String(s) => self.string(s, ctx),
            Expr::Object(o) => self.object_expr(o, ctx),
            Expr::Array(a) => {
                let mut chunks: Vec<AExpr> = Vec::new();
                let mut current: Vec<AExpr> = Vec::new();
                let mut spread = false;
                for item in &a.items {
                    match item {
                        idguard_bicep::ast::ArrayItem::Value(v) => current.push(self.expr(v, ctx)),
                        idguard_bicep::ast::ArrayItem::Spread(s) => {
                            spread = true;
                            if !current.is_empty() {
                                chunks
                                    .push(AExpr::call("createArray", std::mem::take(&mut current)));
                            }
                            chunks.push(self.expr(&s.value, ctx));
                        }
                    }
                }
                if !spread {
                    return AExpr::call("createArray", current);
                }
                if !current.is_empty() {
                    chunks.push(AExpr::call("createArray", current));
                }
                AExpr::call("flatten", vec![AExpr::call("createArray", chunks)])
            }
            Expr::For(f) => self.for_in_expression(f, ctx),
            Expr::Paren(p) => self.expr(&p.inner, ctx),
            Expr::NonNull(n) => self.expr(&n.base, ctx),
            Expr::Var(id) => self.var(id.as_str(), ctx),
            Expr::Call(c) => self.call(c, ctx),
            Expr::InstanceCall(c) => self.instance_call(c, ctx),
            Expr::Property(p) => self.property(p, ctx),
            Expr::Index(i) => self.index(i, ctx),
            Expr::ResourceAccess(_) => match self.target_of(e, ctx) {
                Some(t) => self.target_value(t),
                None => self.broken(),
            },
            Expr::Unary(u) => match (u.op, &u.operand) {
                (UnaryOp::Minus, Expr::Int(i)) => int_literal(i.value, true),
                (UnaryOp::Minus, operand) => {
                    let x = self.expr(operand, ctx);
                    AExpr::call("sub", vec![AExpr::Int(0), x])
                }
                (UnaryOp::Not, operand) => {
                    let x = self.expr(operand, ctx);
                    AExpr::call("not", vec![x])
                }
            },
            Expr::Binary(b) => {
                let l = self.expr(&b.left, ctx);
                let r = self.expr(&b.right, ctx);
                binary(b.op, l, r)
            }
            Expr::Ternary(t) => {
                let c = self.expr(&t.condition, ctx);
                let a = self.expr(&t.then, ctx);
                let b = self.expr(&t.otherwise, ctx);
                AExpr::call("if", vec![c, a, b])
            }
            Expr::Lambda(l) => self.lambda(l, ctx),
            Expr::Skipped(_) => self.broken(),
        }
    }

    fn lambda(&mut self, l: &LambdaExpr<'s>, ctx: &Ctx) -> AExpr {
        let mut inner = ctx.clone();
        let mut args = Vec::new();
        for p in &l.params {
            let name = p.as_str();
            args.push(AExpr::str(name));
            inner = inner.with_local(name, LocalVal::Lambda(Rc::from(name)));
        }
        args.push(self.expr(&l.body, &inner));
        AExpr::call("lambda", args)
    }

    /// A `for` where Bicep does not allow one (inside an expression): the
    /// same values through `map()`.
    fn for_in_expression(&mut self, f: &ForExpr<'s>, ctx: &Ctx) -> AExpr {
        let iterable = self.expr(&f.iterable, ctx);
        let body = match &f.body {
            idguard_bicep::ast::ForBody::Expr(e) => e,
            idguard_bicep::ast::ForBody::If(_) => return self.broken(),
        };
        let item = f.variables.item().map(|i| i.as_str()).unwrap_or("");
        match f.variables.index() {
            None => {
                let inner = ctx.with_local(item, LocalVal::Lambda(Rc::from(item)));
                let b = self.expr(body, &inner);
                AExpr::call("map", vec![iterable, AExpr::lambda1(item, b)])
            }
            Some(index) => {
                let index = index.as_str();
                let i = AExpr::call("lambdaVariables", vec![AExpr::str(index)]);
                let inner = ctx
                    .with_local(index, LocalVal::Lambda(Rc::from(index)))
                    .with_local(item, LocalVal::Expr(Rc::new(iterable.clone().access([i]))));
                let b = self.expr(body, &inner);
                let range = AExpr::call(
                    "range",
                    vec![AExpr::Int(0), AExpr::call("length", vec![iterable])],
                );
                AExpr::call("map", vec![range, AExpr::lambda1(index, b)])
            }
        }
    }

    pub(crate) fn string(&mut self, s: &StringLit<'s>, ctx: &Ctx) -> AExpr {
        if let Some(plain) = s.as_str() {
            return self.text(plain);
        }
        let mut format = String::new();
        let segments = s.segments();
        let holes = s.holes();
        let mut args = Vec::with_capacity(holes.len() + 1);
        args.push(AExpr::Int(0)); // placeholder for the format string
        for (i, seg) in segments.iter().enumerate() {
            for c in seg.chars() {
                match c {
                    '{' => format.push_str("{{"),
                    '}' => format.push_str("}}"),
                    c => format.push(c),
                }
            }
            if let Some(h) = holes.get(i) {
                format.push('{');
                format.push_str(&i.to_string());
                format.push('}');
                args.push(self.expr(h, ctx));
            }
        }
        if let Some(first) = args.first_mut() {
            *first = AExpr::str(&format);
        }
        AExpr::call("format", args)
    }

    pub(crate) fn object_expr(&mut self, o: &ObjectLit<'s>, ctx: &Ctx) -> AExpr {
        let mut chunks: Vec<AExpr> = Vec::new();
        let mut current: Vec<AExpr> = Vec::new();
        let mut spread = false;
        for item in &o.items {
            match item {
                ObjectItem::Property(p) => {
                    let Some(key) = self.key_expr(&p.key, ctx) else {
                        continue;
                    };
                    current.push(key);
                    current.push(self.expr(&p.value, ctx));
                }
                ObjectItem::Spread(s) => {
                    spread = true;
                    if !current.is_empty() {
                        chunks.push(AExpr::call("createObject", std::mem::take(&mut current)));
                    }
                    chunks.push(self.expr(&s.value, ctx));
                }
                _ => {}
            }
        }
        if !spread {
            return AExpr::call("createObject", current);
        }
        if !current.is_empty() {
            chunks.push(AExpr::call("createObject", current));
        }
        AExpr::call("shallowMerge", vec![AExpr::call("createArray", chunks)])
    }

    /// An object key as an expression (a plain key is a string).
    pub(crate) fn key_expr(&mut self, key: &PropertyKey<'s>, ctx: &Ctx) -> Option<AExpr> {
        match key {
            PropertyKey::Ident(i) => i.name.map(AExpr::str),
            PropertyKey::String(s) => Some(self.string(s, ctx)),
            PropertyKey::Skipped(_) => None,
        }
    }

    fn var(&mut self, name: &str, ctx: &Ctx) -> AExpr {
        match self.bind.lookup(name, ctx) {
            Sym::Local(LocalVal::Expr(e)) => {
                let size = e.size();
                if !self.charge(size) {
                    return AExpr::null();
                }
                (*e).clone()
            }
            Sym::Local(LocalVal::Lambda(n)) => {
                AExpr::call("lambdaVariables", vec![AExpr::Str(Text::Shared(n))])
            }
            Sym::Local(LocalVal::FuncParam(n)) => {
                AExpr::call("parameters", vec![AExpr::Str(Text::Shared(n))])
            }
            Sym::Param(n) => {
                let n = self.text(n);
                AExpr::call("parameters", vec![n])
            }
            Sym::ParamAssign(p) => {
                // Another parameter of a `.bicepparam`: its value.
                let key = p.span.start as usize;
                if self.scope_vars.contains(&key) || self.scope_vars.len() > MAX_ANCESTORS {
                    return self.broken();
                }
                self.scope_vars.push(key);
                let v = self.expr(&p.value, &Ctx::default());
                self.scope_vars.pop();
                v
            }
            Sym::Var(v) => match &self.mangle {
                // In an imported file: the variable as the importing
                // template holds it (`_1.name`).
                Some(prefix) => {
                    let name = v.name.as_str().to_string();
                    let full = format!("{prefix}.{name}");
                    self.mangle_uses.0.insert(name);
                    AExpr::call("variables", vec![AExpr::str(&full)])
                }
                None => {
                    let n = self.text(v.name.as_str());
                    AExpr::call("variables", vec![n])
                }
            },
            Sym::Resource(r) => self.target_value(Target::Res(r, None)),
            Sym::Module(m) => self.target_value(Target::Mod(m, None)),
            Sym::Imported(i, original) => self.imported_variable(i, &original),
            Sym::Func(_) | Sym::Namespace(_) | Sym::Wildcard(_) | Sym::Unknown => self.broken(),
        }
    }

    /// A variable of compile-time import `i`: `variables('_<i+1>.name')`,
    /// materialized (with what it uses) by [`Self::materialize_imports`].
    fn imported_variable(&mut self, i: usize, name: &str) -> AExpr {
        if self.mangle.is_some() {
            return self.broken(); // imports of imported files: not followed
        }
        if let Some(uses) = self.import_uses.get_mut(i) {
            uses.0.insert(name.to_string());
        }
        AExpr::call("variables", vec![AExpr::str(&format!("_{}.{name}", i + 1))])
    }

    /// A call of a function of compile-time import `i`: `_<i+1>.name(…)`.
    fn imported_function(&mut self, i: usize, name: &str, args: Vec<AExpr>) -> AExpr {
        if self.mangle.is_some() {
            return self.broken();
        }
        if let Some(uses) = self.import_uses.get_mut(i) {
            uses.1.insert(name.to_string());
        }
        AExpr::call_dyn(&format!("_{}.{name}", i + 1), args)
    }

    /// Lowers the variables and functions used from compile-time imports
    /// (and those they use in turn), read through the loader, into
    /// [`Self::imported_vars`] and [`Self::imported_funcs`]. A registry
    /// import, or a file not at hand, stays unknown, with a note.
    pub(crate) fn materialize_imports(&mut self) {
        if self.mangle.is_some() {
            return;
        }
        let load = self.load;
        for i in 0..self.import_uses.len() {
            let (vars, funcs) = self
                .import_uses
                .get_mut(i)
                .map(std::mem::take)
                .unwrap_or_default();
            if vars.is_empty() && funcs.is_empty() {
                continue;
            }
            let Some((path, span)) = self.bind.imports.get(i).cloned() else {
                continue;
            };
            let Some(path) = path else { continue };
            let local = matches!(
                super::modules::ModulePath::classify(&path),
                super::modules::ModulePath::Local(_)
            );
            let text = if local { load(&path) } else { None };
            let Some(text) = text else {
                self.note(
                    span,
                    format!(
                        "import from '{path}': the file is not read, so what it exports is unknown"
                    ),
                );
                continue;
            };
            let dir = match path.rsplit_once(['/', '\\']) {
                Some((d, _)) => format!("{d}/"),
                None => String::new(),
            };
            let sub_load = move |p: &str| -> Option<String> {
                load(&crate::path::normalize_path(&format!("{dir}{p}")))
            };
            let parsed = idguard_bicep::parse_bicep(&text);
            let mut sub = Lowerer::new(&text, &parsed.program, &parsed.diagnostics, &sub_load);
            let prefix = format!("_{}", i + 1);
            sub.mangle = Some(prefix.clone());
            sub.budget = self.budget;
            let (mut todo_vars, mut todo_funcs) = (vars, funcs);
            let (mut done_vars, mut done_funcs) = (BTreeSet::new(), BTreeSet::new());
            let mut lowered_funcs = Vec::new();
            while !todo_vars.is_empty() || !todo_funcs.is_empty() {
                if sub.exhausted || done_vars.len() + done_funcs.len() > 10_000 {
                    break;
                }
                if let Some(v) = todo_vars.pop_first() {
                    if let Some(decl) = sub.bind.vars.get(v.as_str()).copied() {
                        let a = sub.expr(&decl.value, &Ctx::default());
                        self.imported_vars.push((format!("{prefix}.{v}"), a, span));
                    }
                    done_vars.insert(v);
                } else if let Some(f) = todo_funcs.pop_first() {
                    if let Some(decl) = sub.bind.funcs.get(f.as_str()).copied()
                        && let Some(lambda) = decl.lambda.present()
                    {
                        let mut ctx = Ctx {
                            func: true,
                            ..Ctx::default()
                        };
                        let mut params = Vec::new();
                        for p in lambda.params.iter().filter_map(|p| p.present()) {
                            let n = p.name.as_str();
                            params.push((n.to_string(), super::emit::json_type(&p.ty)));
                            ctx = ctx.with_local(n, LocalVal::FuncParam(Rc::from(n)));
                        }
                        let body = sub.expr(&lambda.body, &ctx);
                        lowered_funcs.push(ImportedFunc {
                            name: f.clone(),
                            params,
                            output: super::emit::json_type(&lambda.return_type),
                            body,
                        });
                    }
                    done_funcs.insert(f);
                }
                let (uv, uf) = std::mem::take(&mut sub.mangle_uses);
                todo_vars.extend(uv.into_iter().filter(|v| !done_vars.contains(v)));
                todo_funcs.extend(uf.into_iter().filter(|f| !done_funcs.contains(f)));
            }
            self.budget = sub.budget;
            self.exhausted |= sub.exhausted;
            if !lowered_funcs.is_empty() {
                self.imported_funcs.push((prefix, lowered_funcs, span));
            }
        }
    }

    fn args(&mut self, args: &[Expr<'s>], ctx: &Ctx) -> Vec<AExpr> {
        args.iter().map(|a| self.expr(a, ctx)).collect()
    }

    fn call(&mut self, c: &CallExpr<'s>, ctx: &Ctx) -> AExpr {
        let name = c.name.as_str();
        match self.bind.lookup(name, ctx) {
            Sym::Func(f) => {
                let args = self.args(&c.args, ctx);
                match &self.mangle {
                    Some(prefix) => {
                        let full = format!("{prefix}.{}", f.name.as_str());
                        self.mangle_uses.1.insert(f.name.as_str().to_string());
                        AExpr::call_dyn(&full, args)
                    }
                    None => AExpr::call_dyn(&format!("__bicep.{}", f.name.as_str()), args),
                }
            }
            Sym::Imported(i, original) => {
                let args = self.args(&c.args, ctx);
                self.imported_function(i, &original, args)
            }
            _ => self.builtin(name, &c.args, c.span, ctx),
        }
    }

    /// A call of a built-in (`sys`/`az`) function.
    fn builtin(&mut self, name: &str, args: &[Expr<'s>], span: Span, ctx: &Ctx) -> AExpr {
        match name {
            "any" => match args.first() {
                Some(a) => self.expr(a, ctx),
                None => self.broken(),
            },
            "nameof" => match args.first().and_then(last_name) {
                Some(n) => AExpr::str(n),
                None => self.broken(),
            },
            "loadTextContent" | "loadFileAsBase64" | "loadJsonContent" | "loadYamlContent" => {
                self.load_function(name, args, span, ctx)
            }
            _ => {
                let args = self.args(args, ctx);
                AExpr::call_dyn(name, args)
            }
        }
    }

    /// `load*Content()`: Bicep inlines the file at compile time; so does the
    /// lowering, through the host's resolver. An absent file is unknown,
    /// with a note.
    fn load_function(&mut self, name: &str, args: &[Expr<'s>], span: Span, ctx: &Ctx) -> AExpr {
        let Some(path) = args.first().and_then(Expr::as_str) else {
            return AExpr::call_dyn(name, self.args(args, ctx));
        };
        let Some(text) = (self.load)(path) else {
            self.note(
                span,
                format!("{name}('{path}'): the file is not at hand, so its content is unknown"),
            );
            return AExpr::call_dyn(name, self.args(args, ctx));
        };
        // Hoisted into a variable, as Bicep does; inlined in an imported
        // file (its variables are the importer's `_1.x`).
        let hoisted = self
            .fxv_names
            .get(&span.start)
            .cloned()
            .filter(|_| self.mangle.is_none());
        let value = match name {
            "loadTextContent" => FxValue::Text(text),
            "loadFileAsBase64" => FxValue::Text(base64(text.as_bytes())),
            "loadJsonContent" => {
                let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
                let Ok(mut value) = serde_json::from_str::<serde_json::Value>(text) else {
                    self.note(
                        span,
                        format!("loadJsonContent('{path}'): the file is not valid JSON"),
                    );
                    return AExpr::call_dyn(name, self.args(args, ctx));
                };
                if let Some(p) = args.get(1).and_then(Expr::as_str) {
                    match json_path(&value, p) {
                        Some(v) => value = v,
                        None => {
                            self.note(
                                span,
                                format!(
                                    "loadJsonContent('{path}', '{p}'): the path is not supported or selects nothing"
                                ),
                            );
                            return AExpr::call_dyn(name, self.args(args, ctx));
                        }
                    }
                }
                FxValue::Json(value)
            }
            _ => {
                self.note(
                    span,
                    format!("{name}('{path}') is not evaluated by idguard; its value is unknown"),
                );
                return AExpr::call_dyn(name, self.args(args, ctx));
            }
        };
        match hoisted {
            // As Bicep does: a variable holding the content.
            Some(var) => {
                if !self.fxv_values.iter().any(|(n, _, _)| *n == var) {
                    if let FxValue::Json(v) = &value {
                        self.charge(json_size(v));
                    }
                    self.fxv_values.push((var.clone(), value, span));
                }
                AExpr::call("variables", vec![AExpr::str(&var)])
            }
            None => match value {
                FxValue::Text(t) => AExpr::str(&t),
                FxValue::Json(v) => self.json_expr(&v),
            },
        }
    }

    /// A JSON value as an ARM expression (`createObject`, `createArray`).
    pub(crate) fn json_expr(&mut self, v: &serde_json::Value) -> AExpr {
        if !self.charge(1) {
            return AExpr::null();
        }
        match v {
            serde_json::Value::Null => AExpr::null(),
            serde_json::Value::Bool(b) => AExpr::bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => AExpr::Int(i),
                None => AExpr::call("json", vec![AExpr::str(&n.to_string())]),
            },
            serde_json::Value::String(s) => AExpr::str(s),
            serde_json::Value::Array(items) => {
                let items = items.iter().map(|i| self.json_expr(i)).collect();
                AExpr::call("createArray", items)
            }
            serde_json::Value::Object(map) => {
                let mut args = Vec::with_capacity(map.len() * 2);
                for (k, v) in map {
                    args.push(AExpr::str(k));
                    args.push(self.json_expr(v));
                }
                AExpr::call("createObject", args)
            }
        }
    }

    fn instance_call(&mut self, c: &InstanceCallExpr<'s>, ctx: &Ctx) -> AExpr {
        let method = c.name.as_str();
        if let Expr::Var(v) = unwrap(&c.base)
            && let Sym::Wildcard(i) = self.bind.lookup(v.as_str(), ctx)
        {
            let args = self.args(&c.args, ctx);
            return self.imported_function(i, method, args);
        }
        if let Expr::Var(v) = unwrap(&c.base)
            && let Sym::Namespace(ns) = self.bind.lookup(v.as_str(), ctx)
        {
            if ns == "az" || ns == "sys" {
                return self.builtin(method, &c.args, c.span, ctx);
            }
            // A function of a wildcard import or an extension.
            let args = self.args(&c.args, ctx);
            return AExpr::call_dyn(&format!("{ns}.{method}"), args);
        }
        if let Some(Target::Res(r, idx)) = self.target_of(&c.base, ctx) {
            let Some(res) = self.bind.resources.get(r) else {
                return self.broken();
            };
            let api = res.api_version.clone().unwrap_or_default();
            if method.len() >= 4 && method[..4].eq_ignore_ascii_case("list") {
                let target = self.symbolic_ref(r, idx);
                let mut args = vec![target];
                if c.args.is_empty() {
                    args.push(AExpr::str(&api));
                } else {
                    args.extend(self.args(&c.args, ctx));
                }
                return AExpr::call_dyn(method, args);
            }
        }
        self.broken()
    }

    fn property(&mut self, p: &PropertyAccess<'s>, ctx: &Ctx) -> AExpr {
        let name = p.name.as_str();
        // `ns.x` of a wildcard import.
        if let Expr::Var(v) = unwrap(&p.base)
            && let Sym::Wildcard(i) = self.bind.lookup(v.as_str(), ctx)
        {
            return self.imported_variable(i, name);
        }
        // `mod.outputs.x`
        if let Expr::Property(inner) = unwrap(&p.base)
            && inner.name.as_str() == "outputs"
            && let Some(Target::Mod(m, idx)) = self.target_of(&inner.base, ctx)
        {
            let base = self.module_property(m, idx, "outputs", inner.safe);
            let tail = [self.text(name), AExpr::lit("value")];
            if p.safe {
                return tail
                    .into_iter()
                    .fold(base, |acc, t| AExpr::call("tryGet", vec![acc, t]));
            }
            if let Some(call) = base.as_plain_call()
                && is_safe_function(&call.name)
            {
                let mut args = call.args.clone();
                args.extend(tail);
                return AExpr::call_named(call.name.clone(), args);
            }
            return base.access(tail);
        }
        match self.target_of(&p.base, ctx) {
            Some(Target::Res(r, idx)) => self.resource_property(r, idx, name, p.safe),
            Some(Target::Mod(m, idx)) => self.module_property(m, idx, name, p.safe),
            None => {
                let base = self.expr(&p.base, ctx);
                let name = self.text(name);
                access(base, name, p.safe, false, is_access(&p.base))
            }
        }
    }

    fn index(&mut self, i: &IndexAccess<'s>, ctx: &Ctx) -> AExpr {
        if !i.safe
            && !i.from_end
            && let Some(t) = self.target_of(&Expr::Index(Box::new(i.clone())), ctx)
        {
            return self.target_value(t);
        }
        // A constant string index is a property access.
        if let Some(key) = i.index.as_str()
            && !i.from_end
        {
            return match self.target_of(&i.base, ctx) {
                Some(Target::Res(r, idx)) => self.resource_property(r, idx, key, i.safe),
                Some(Target::Mod(m, idx)) => self.module_property(m, idx, key, i.safe),
                None => {
                    let base = self.expr(&i.base, ctx);
                    let key = self.text(key);
                    access(base, key, i.safe, false, is_access(&i.base))
                }
            };
        }
        let base = self.expr(&i.base, ctx);
        let index = self.expr(&i.index, ctx);
        access(base, index, i.safe, i.from_end, is_access(&i.base))
    }

    // ---- references ----------------------------------------------------

    /// The resource or module `e` refers to, if it is one (`r`, `r[i]`,
    /// `r::child`, `m`, `m[i]`).
    pub(crate) fn target_of(&mut self, e: &Expr<'s>, ctx: &Ctx) -> Option<Target> {
        match e {
            Expr::Paren(p) => self.target_of(&p.inner, ctx),
            Expr::NonNull(n) => self.target_of(&n.base, ctx),
            Expr::Var(v) => match self.bind.lookup(v.as_str(), ctx) {
                Sym::Resource(r) => Some(Target::Res(r, None)),
                Sym::Module(m) => Some(Target::Mod(m, None)),
                _ => None,
            },
            Expr::Index(i) if !i.safe && !i.from_end => match self.target_of(&i.base, ctx)? {
                Target::Res(r, None) if self.res_loop(r).is_some() => {
                    let idx = self.expr(&i.index, ctx);
                    Some(Target::Res(r, Some(idx)))
                }
                Target::Mod(m, None)
                    if self
                        .bind
                        .modules
                        .get(m)
                        .is_some_and(|m| m.for_loop.is_some()) =>
                {
                    let idx = self.expr(&i.index, ctx);
                    Some(Target::Mod(m, Some(idx)))
                }
                _ => None,
            },
            Expr::ResourceAccess(a) => match self.target_of(&a.base, ctx)? {
                Target::Res(r, idx) => {
                    let child = *self.bind.resources.get(r)?.children.get(a.name.as_str())?;
                    Some(Target::Res(child, idx))
                }
                Target::Mod(..) => None,
            },
            _ => None,
        }
    }

    /// A bare resource or module reference used as a value.
    fn target_value(&mut self, t: Target) -> AExpr {
        match t {
            Target::Res(r, idx) => {
                let Some(res) = self.bind.resources.get(r) else {
                    return self.broken();
                };
                let az = res.az;
                let api = res.api_version.clone();
                let collection = idx.is_none() && self.res_loop(r).is_some();
                let target = self.symbolic_ref(r, idx);
                if !az {
                    return AExpr::call(
                        if collection {
                            "references"
                        } else {
                            "reference"
                        },
                        vec![target],
                    );
                }
                if collection {
                    return AExpr::call("references", vec![target, AExpr::lit("full")]);
                }
                let mut args = vec![target];
                if let Some(api) = api {
                    args.push(AExpr::str(&api));
                    args.push(AExpr::lit("full"));
                }
                AExpr::call("reference", args)
            }
            Target::Mod(m, idx) => {
                let collection = idx.is_none()
                    && self
                        .bind
                        .modules
                        .get(m)
                        .is_some_and(|m| m.for_loop.is_some());
                let target = self.module_ref(m, idx);
                AExpr::call(
                    if collection {
                        "references"
                    } else {
                        "reference"
                    },
                    vec![target],
                )
            }
        }
    }

    /// `'sym'`, or `format('sym[{0}]', i)` for one instance of a loop.
    pub(crate) fn symbolic_ref(&self, r: usize, idx: Option<AExpr>) -> AExpr {
        let symbol = self
            .bind
            .resources
            .get(r)
            .map(|r| r.symbol.as_str())
            .unwrap_or("");
        indexed_symbol(symbol, idx)
    }

    fn module_ref(&self, m: usize, idx: Option<AExpr>) -> AExpr {
        let symbol = self
            .bind
            .modules
            .get(m)
            .map(|m| m.decl.name.as_str())
            .unwrap_or("");
        indexed_symbol(symbol, idx)
    }

    fn resource_property(&mut self, r: usize, idx: Option<AExpr>, name: &str, safe: bool) -> AExpr {
        let Some(res) = self.bind.resources.get(r) else {
            return self.broken();
        };
        let (az, ty, api, has_condition) = (
            res.az,
            res.ty.clone(),
            res.api_version.clone(),
            self.condition_of(r).is_some(),
        );
        if !az {
            let reference = AExpr::call("reference", vec![self.symbolic_ref(r, idx)]);
            return if safe {
                AExpr::call("tryGet", vec![reference, AExpr::str(name)])
            } else {
                reference.prop_dyn(name)
            };
        }
        let guard_cond = if safe && has_condition {
            self.combined_condition(r, idx.as_ref())
        } else {
            None
        };
        let guard = |e: AExpr| match &guard_cond {
            Some(c) => AExpr::call("if", vec![c.clone(), e, AExpr::null()]),
            None => e,
        };
        let full_reference = |this: &Self| {
            let mut args = vec![this.symbolic_ref(r, idx.clone())];
            if let Some(api) = &api {
                args.push(AExpr::str(api));
                args.push(AExpr::lit("full"));
            }
            AExpr::call("reference", args)
        };
        match name {
            "id" => {
                let id = self.full_id(r, idx.clone());
                guard(id)
            }
            "name" => {
                let n = self.name_of(r, idx.clone());
                guard(n)
            }
            "type" => AExpr::str(&ty),
            "apiVersion" => AExpr::str(api.as_deref().unwrap_or("")),
            "properties" if !safe => {
                AExpr::call("reference", vec![self.symbolic_ref(r, idx.clone())])
            }
            _ => {
                let reference = full_reference(self);
                let wrapped = guard_cond.is_some();
                let reference = guard(reference);
                if safe || wrapped {
                    AExpr::call("tryGet", vec![reference, AExpr::str(name)])
                } else {
                    reference.prop_dyn(name)
                }
            }
        }
    }

    fn module_property(&mut self, m: usize, idx: Option<AExpr>, name: &str, safe: bool) -> AExpr {
        match name {
            "name" => self.module_name(m, idx),
            "outputs" => {
                let reference = AExpr::call("reference", vec![self.module_ref(m, idx)]);
                if safe {
                    AExpr::call("tryGet", vec![reference, AExpr::lit("outputs")])
                } else {
                    reference.prop("outputs")
                }
            }
            _ => self.broken(),
        }
    }

    /// The deployment name of a module: its `name`, or the one Bicep
    /// generates from the symbol.
    pub(crate) fn module_name(&mut self, m: usize, idx: Option<AExpr>) -> AExpr {
        let Some(module) = self.bind.modules.get(m) else {
            return self.broken();
        };
        let symbol = module.decl.name.as_str().to_string();
        let looped = module.for_loop.is_some();
        if let Some(name) = module.body.and_then(|b| b.get("name")).map(|p| &p.value) {
            let ctx = self.module_ctx(m, idx.as_ref());
            return self.expr(name, &ctx);
        }
        let unique = AExpr::call(
            "uniqueString",
            vec![AExpr::str(&symbol), AExpr::call0("deployment").prop("name")],
        );
        // Deployment names are at most 64 characters: the symbol is cut
        // to what the hash and the copy index leave.
        let room = if looped {
            64 - (3 + 13 + 2)
        } else {
            64 - (13 + 1)
        };
        let prefix: String = symbol.chars().take(room).collect();
        if looped {
            let index = idx.unwrap_or_else(|| AExpr::call0("copyIndex"));
            AExpr::call(
                "format",
                vec![AExpr::str(&format!("{prefix}-{{0}}-{{1}}")), index, unique],
            )
        } else {
            AExpr::call(
                "format",
                vec![AExpr::str(&format!("{prefix}-{{0}}")), unique],
            )
        }
    }

    // ---- resources: loops, names, scopes, IDs -------------------------

    /// The loop a resource is in: its own, or that of the resource it is
    /// nested in (the owner).
    pub(crate) fn res_loop(&self, r: usize) -> Option<(usize, &'a ForExpr<'s>)> {
        let mut cur = Some(r);
        let mut steps = 0;
        while let Some(id) = cur {
            let res = self.bind.resources.get(id)?;
            if let Some(f) = res.for_loop {
                return Some((id, f));
            }
            cur = res.nested_parent;
            steps += 1;
            if steps > MAX_ANCESTORS {
                break;
            }
        }
        None
    }

    /// The context of a resource's body: the loop variables of its loop
    /// bound to `xs[idx]` (or `xs[copyIndex()]` for the resource itself),
    /// and its nested resources visible.
    pub(crate) fn res_ctx(&mut self, r: usize, idx: Option<&AExpr>) -> Ctx {
        if idx.is_none()
            && let Some(c) = self.ctx_cache.get(&r)
        {
            return c.clone();
        }
        let mut chain = Vec::new();
        let mut cur = Some(r);
        while let Some(id) = cur {
            chain.push(id);
            cur = self.bind.resources.get(id).and_then(|x| x.nested_parent);
            if chain.len() > MAX_ANCESTORS {
                break;
            }
        }
        let mut ctx = Ctx::default();
        for id in chain.into_iter().rev() {
            let Some(res) = self.bind.resources.get(id) else {
                continue;
            };
            if let Some(f) = res.for_loop {
                let index = idx.cloned().unwrap_or_else(|| AExpr::call0("copyIndex"));
                ctx = self.bind_loop(f, &ctx, index);
            }
            ctx = ctx.in_resource(id);
        }
        if idx.is_none() {
            self.ctx_cache.insert(r, ctx.clone());
        }
        ctx
    }

    /// `ctx` with the variables of loop `f` bound to the `index`-th item.
    pub(crate) fn bind_loop(&mut self, f: &ForExpr<'s>, ctx: &Ctx, index: AExpr) -> Ctx {
        let iterable = self.expr(&f.iterable, ctx);
        let item = iterable.access([index.clone()]);
        let mut out = ctx.clone();
        if let Some(i) = f.variables.item() {
            out = out.with_local(i.as_str(), LocalVal::Expr(Rc::new(item)));
        }
        if let Some(i) = f.variables.index() {
            out = out.with_local(i.as_str(), LocalVal::Expr(Rc::new(index)));
        }
        out
    }

    fn module_ctx(&mut self, m: usize, idx: Option<&AExpr>) -> Ctx {
        let f = self.bind.modules.get(m).and_then(|m| m.for_loop);
        match f {
            Some(f) => {
                let index = idx.cloned().unwrap_or_else(|| AExpr::call0("copyIndex"));
                self.bind_loop(f, &Ctx::default(), index)
            }
            None => Ctx::default(),
        }
    }

    pub(crate) fn module_body_ctx(&mut self, m: usize) -> Ctx {
        self.module_ctx(m, None)
    }

    /// The resource's own condition and those of the resources it is
    /// nested in, joined with `and`.
    pub(crate) fn combined_condition(&mut self, r: usize, idx: Option<&AExpr>) -> Option<AExpr> {
        let mut chain = Vec::new();
        let mut cur = Some(r);
        while let Some(id) = cur {
            chain.push(id);
            cur = self.bind.resources.get(id).and_then(|x| x.nested_parent);
            if chain.len() > MAX_ANCESTORS {
                break;
            }
        }
        let mut out: Option<AExpr> = None;
        for id in chain.into_iter().rev() {
            let Some(c) = self.bind.resources.get(id).and_then(|x| x.condition) else {
                continue;
            };
            let ctx = self.res_ctx(id, idx);
            let c = self.expr(c, &ctx);
            out = Some(match out {
                Some(prev) => AExpr::call("and", vec![prev, c]),
                None => c,
            });
        }
        out
    }

    fn condition_of(&self, r: usize) -> Option<&'a Expr<'s>> {
        let mut cur = Some(r);
        let mut steps = 0;
        while let Some(id) = cur {
            let res = self.bind.resources.get(id)?;
            if let Some(c) = res.condition {
                return Some(c);
            }
            cur = res.nested_parent;
            steps += 1;
            if steps > MAX_ANCESTORS {
                break;
            }
        }
        None
    }

    /// The resource's `name` expression as written, in its context.
    pub(crate) fn name_of(&mut self, r: usize, idx: Option<AExpr>) -> AExpr {
        let Some(name) = self.bind.resources.get(r).and_then(|x| x.name_expr()) else {
            return self.broken();
        };
        if self.naming.contains(&r) || self.naming.len() >= MAX_NAME_NESTING {
            // A resource named after itself (Bicep: a cycle, BCP080).
            return self.broken();
        }
        self.naming.push(r);
        let ctx = self.res_ctx(r, idx.as_ref());
        let out = self.expr(name, &ctx);
        self.naming.pop();
        out
    }

    /// The ancestors of a resource, root first: the resources it is nested
    /// in and those its `parent:` names.
    fn ancestors(&mut self, r: usize) -> Vec<(usize, Link<'a, 's>)> {
        let mut out = Vec::new();
        let mut cur = r;
        while out.len() < MAX_ANCESTORS {
            let Some(res) = self.bind.resources.get(cur) else {
                break;
            };
            if let Some(p) = res.nested_parent {
                out.push((p, Link::Nested));
                cur = p;
                continue;
            }
            let Some(parent) = res.property("parent") else {
                break;
            };
            let ctx = self.res_ctx(cur, None);
            let (p, index) = match unwrap(parent) {
                Expr::Index(i) if !i.safe && !i.from_end => {
                    match self.syntactic_resource(&i.base, &ctx) {
                        Some(p) => (p, Some(&i.index)),
                        None => break,
                    }
                }
                other => match self.syntactic_resource(other, &ctx) {
                    Some(p) => (p, None),
                    None => break,
                },
            };
            if p == r || out.iter().any(|(a, _)| *a == p) {
                break; // a cycle of parents
            }
            out.push((p, Link::Parent(index)));
            cur = p;
        }
        out.reverse();
        out
    }

    /// The resource a plain reference names (`r`, `a::b`), without index.
    fn syntactic_resource(&mut self, e: &Expr<'s>, ctx: &Ctx) -> Option<usize> {
        match unwrap(e) {
            Expr::Var(v) => match self.bind.lookup(v.as_str(), ctx) {
                Sym::Resource(r) => Some(r),
                _ => None,
            },
            Expr::ResourceAccess(a) => {
                let base = self.syntactic_resource(&a.base, ctx)?;
                self.bind
                    .resources
                    .get(base)?
                    .children
                    .get(a.name.as_str())
                    .copied()
            }
            _ => None,
        }
    }

    /// The ancestors with the index each is seen at, when `r` is seen at
    /// `idx`: a nested ancestor shares the loop; `parent: p[i]` sees `p` at
    /// `i` (lowered in the child's context).
    fn ancestor_bindings(&mut self, r: usize, idx: Option<AExpr>) -> Vec<(usize, Option<AExpr>)> {
        let ancestors = self.ancestors(r);
        let mut out = Vec::with_capacity(ancestors.len());
        let mut child = r;
        let mut cur = idx;
        for (a, link) in ancestors.iter().rev() {
            let a_idx = match link {
                Link::Nested => cur.clone(),
                Link::Parent(Some(e)) => {
                    let ctx = self.res_ctx(child, cur.as_ref());
                    Some(self.expr(e, &ctx))
                }
                Link::Parent(None) => None,
            };
            out.push((*a, a_idx.clone()));
            child = *a;
            cur = a_idx;
        }
        out.reverse();
        out
    }

    /// The name segments of a resource ID (`GetResourceNameSegments`).
    pub(crate) fn name_segments(&mut self, r: usize, idx: Option<AExpr>) -> Vec<AExpr> {
        let ty_segments = self
            .bind
            .resources
            .get(r)
            .map(|x| x.ty.split('/').count().saturating_sub(1))
            .unwrap_or(1);
        let own = self.name_of(r, idx.clone());
        let ancestors = self.ancestor_bindings(r, idx);
        let split_name = |name: AExpr, i: usize| {
            AExpr::call("split", vec![name, AExpr::lit("/")]).access([AExpr::Int(i as i64)])
        };
        if ancestors.is_empty() {
            if ty_segments <= 1 {
                return vec![own];
            }
            return (0..ty_segments)
                .map(|i| split_name(own.clone(), i))
                .collect();
        }
        let first_len = ty_segments.saturating_sub(ancestors.len());
        let mut out = Vec::new();
        for (i, (a, a_idx)) in ancestors.into_iter().enumerate() {
            let name = self.name_of(a, a_idx);
            if i == 0 && first_len > 1 {
                for k in 0..first_len {
                    out.push(split_name(name.clone(), k));
                }
            } else {
                out.push(name);
            }
        }
        out.push(own);
        out
    }

    /// The `name` a resource is deployed with: its own name, or
    /// `format('{0}/{1}', parent, child)` under ancestors.
    pub(crate) fn full_name(&mut self, r: usize) -> AExpr {
        if self.ancestors(r).is_empty() {
            return self.name_of(r, None);
        }
        let segments = self.name_segments(r, None);
        let format: Vec<String> = (0..segments.len()).map(|i| format!("{{{i}}}")).collect();
        let mut args = vec![AExpr::str(&format.join("/"))];
        args.extend(segments);
        AExpr::call("format", args)
    }

    /// Where a resource is deployed: its own `scope:`, or its root
    /// ancestor's for a child resource.
    pub(crate) fn scope_of(&mut self, r: usize, idx: Option<AExpr>) -> ScopeData {
        let ancestors = self.ancestor_bindings(r, idx.clone());
        let (owner, owner_idx) = match ancestors.into_iter().next() {
            Some(root) => root,
            None => (r, idx),
        };
        let scope = self
            .bind
            .resources
            .get(owner)
            .and_then(|x| x.property("scope"));
        let Some(scope) = scope else {
            return ScopeData::of(self.default_scope_kind());
        };
        let ctx = self.res_ctx(owner, owner_idx.as_ref());
        self.classify_scope(scope, &ctx)
    }

    pub(crate) fn default_scope_kind(&self) -> ScopeKind {
        match self.target {
            TargetScope::Tenant => ScopeKind::Tenant,
            TargetScope::ManagementGroup => ScopeKind::ManagementGroup,
            TargetScope::Subscription => ScopeKind::Subscription,
            TargetScope::ResourceGroup => ScopeKind::ResourceGroup,
        }
    }

    /// The scope a `scope:` value names.
    pub(crate) fn classify_scope(&mut self, e: &Expr<'s>, ctx: &Ctx) -> ScopeData {
        let e = unwrap(e);
        let call: Option<(&str, &[Expr<'s>])> = match e {
            Expr::Call(c) if !self.bind.is_shadowed(c.name.as_str(), ctx) => {
                Some((c.name.as_str(), &c.args))
            }
            Expr::InstanceCall(c) => match unwrap(&c.base) {
                Expr::Var(v)
                    if matches!(
                        self.bind.lookup(v.as_str(), ctx),
                        Sym::Namespace("az" | "sys")
                    ) =>
                {
                    Some((c.name.as_str(), &c.args))
                }
                _ => None,
            },
            _ => None,
        };
        if let Some((name, args)) = call {
            let mut lowered: Vec<AExpr> = args.iter().map(|a| self.expr(a, ctx)).collect();
            let data = ScopeData::of;
            return match (name, lowered.len()) {
                ("tenant", _) => data(ScopeKind::Tenant),
                ("managementGroup", 0) => data(ScopeKind::ManagementGroup),
                ("managementGroup", _) => ScopeData {
                    management_group: lowered.drain(..).next(),
                    ..data(ScopeKind::ManagementGroup)
                },
                ("subscription", 0) => data(ScopeKind::Subscription),
                ("subscription", _) => ScopeData {
                    subscription: lowered.drain(..).next(),
                    ..data(ScopeKind::Subscription)
                },
                ("resourceGroup", 0) => data(ScopeKind::ResourceGroup),
                ("resourceGroup", 1) => ScopeData {
                    resource_group: lowered.drain(..).next(),
                    ..data(ScopeKind::ResourceGroup)
                },
                ("resourceGroup", _) => {
                    let mut it = lowered.into_iter();
                    ScopeData {
                        subscription: it.next(),
                        resource_group: it.next(),
                        ..data(ScopeKind::ResourceGroup)
                    }
                }
                _ => ScopeData::of(self.default_scope_kind()),
            };
        }
        // A variable holding a scope (`var rg = resourceGroup('x')`).
        if let Expr::Var(v) = e
            && let Sym::Var(decl) = self.bind.lookup(v.as_str(), ctx)
        {
            let key = decl.span.start as usize;
            if self.scope_vars.contains(&key) || self.scope_vars.len() > MAX_ANCESTORS {
                return ScopeData::of(self.default_scope_kind());
            }
            self.scope_vars.push(key);
            let out = self.classify_scope(&decl.value, &Ctx::default());
            self.scope_vars.pop();
            return out;
        }
        match self.target_of(e, ctx) {
            Some(Target::Res(s, sidx)) => {
                let ty = self
                    .bind
                    .resources
                    .get(s)
                    .map(|x| x.ty.clone())
                    .unwrap_or_default();
                if ty.eq_ignore_ascii_case(RESOURCE_GROUP_TYPE) {
                    let rg = self.name_of(s, sidx.clone());
                    let sub = self.scope_of(s, sidx).subscription;
                    return ScopeData {
                        resource_group: Some(rg),
                        subscription: sub,
                        ..ScopeData::of(ScopeKind::ResourceGroup)
                    };
                }
                if ty.eq_ignore_ascii_case(MANAGEMENT_GROUP_TYPE) {
                    let mg = self.name_of(s, sidx);
                    return ScopeData {
                        management_group: Some(mg),
                        ..ScopeData::of(ScopeKind::ManagementGroup)
                    };
                }
                ScopeData {
                    resource: Some((s, sidx)),
                    ..ScopeData::of(ScopeKind::Resource)
                }
            }
            _ => ScopeData::of(self.default_scope_kind()),
        }
    }

    /// The fully qualified resource ID (`ScopeHelper.FormatFullyQualifiedResourceId`).
    pub(crate) fn full_id(&mut self, r: usize, idx: Option<AExpr>) -> AExpr {
        let ty = self
            .bind
            .resources
            .get(r)
            .map(|x| x.ty.clone())
            .unwrap_or_default();
        if self.identifying.contains(&r) || self.identifying.len() >= MAX_NAME_NESTING {
            // A resource scoped to itself, or a very long chain of scopes.
            return self.broken();
        }
        self.identifying.push(r);
        let scope = self.scope_of(r, idx.clone());
        let segments = self.name_segments(r, idx);
        let out = self.format_id(scope, &ty, segments);
        self.identifying.pop();
        out
    }

    pub(crate) fn format_id(&mut self, scope: ScopeData, ty: &str, segments: Vec<AExpr>) -> AExpr {
        let ty = self.text(ty);
        let with_type = |first: Vec<AExpr>| {
            let mut args = first;
            args.push(ty);
            args.extend(segments);
            args
        };
        match scope.kind {
            ScopeKind::Tenant => AExpr::call("tenantResourceId", with_type(Vec::new())),
            ScopeKind::Subscription => AExpr::call(
                "subscriptionResourceId",
                with_type(scope.subscription.into_iter().collect()),
            ),
            ScopeKind::ResourceGroup => {
                if scope.subscription.is_none() && scope.resource_group.is_none() {
                    return AExpr::call("resourceId", with_type(Vec::new()));
                }
                let sub = scope
                    .subscription
                    .unwrap_or_else(|| AExpr::call0("subscription").prop("subscriptionId"));
                let rg = scope
                    .resource_group
                    .unwrap_or_else(|| AExpr::call0("resourceGroup").prop("name"));
                let base = AExpr::call(
                    "format",
                    vec![AExpr::lit("/subscriptions/{0}/resourceGroups/{1}"), sub, rg],
                );
                AExpr::call("extensionResourceId", with_type(vec![base]))
            }
            ScopeKind::ManagementGroup => {
                let base = match scope.management_group {
                    Some(mg) => AExpr::call(
                        "tenantResourceId",
                        vec![AExpr::str(MANAGEMENT_GROUP_TYPE), mg],
                    ),
                    None => AExpr::call0("managementGroup").prop("id"),
                };
                AExpr::call("extensionResourceId", with_type(vec![base]))
            }
            ScopeKind::Resource => {
                let base = match scope.resource {
                    Some((s, sidx)) => self.full_id(s, sidx),
                    None => self.broken(),
                };
                AExpr::call("extensionResourceId", with_type(vec![base]))
            }
        }
    }

    /// Whether a syntax error lies in `span` (the declaration did not
    /// fully parse).
    pub(crate) fn has_error_in(&self, span: Span) -> bool {
        let i = self
            .diagnostics
            .partition_point(|d| d.span.start < span.start);
        self.diagnostics
            .get(i)
            .is_some_and(|d| d.span.start <= span.end)
    }
}

/// The `load*Content()` calls Bicep hoists into variables
/// (`FunctionVariableGeneratorVisitor`): `loadJsonContent` and
/// `loadYamlContent` always, `loadTextContent` and `loadFileAsBase64`
/// unless they are a variable's whole value; not inside functions. Named
/// `$fxv#<n>` in text order.
fn function_variables(text: &str, program: &Program<'_>) -> HashMap<u32, String> {
    use idguard_bicep::visit::{Visitor, walk_expr, walk_statement};
    // Most files load nothing: no walk for them.
    if memchr::memmem::find(text.as_bytes(), b"load").is_none() {
        return HashMap::default();
    }
    struct Collect {
        found: Vec<u32>,
        direct: Option<u32>,
    }
    impl<'s> Visitor<'s> for Collect {
        fn visit_statement(&mut self, s: &idguard_bicep::ast::Statement<'s>) {
            match s {
                idguard_bicep::ast::Statement::Func(_) => {}
                idguard_bicep::ast::Statement::Var(v) => {
                    self.direct = Some(v.value.span().start);
                    walk_statement(self, s);
                    self.direct = None;
                }
                _ => walk_statement(self, s),
            }
        }
        fn visit_expr(&mut self, e: &Expr<'s>) {
            let call = match e {
                Expr::Call(c) => Some((c.name.as_str(), c.span)),
                Expr::InstanceCall(c) => Some((c.name.as_str(), c.span)),
                _ => None,
            };
            if let Some((name, span)) = call {
                let always = matches!(name, "loadJsonContent" | "loadYamlContent");
                let indirect = matches!(name, "loadTextContent" | "loadFileAsBase64")
                    && self.direct != Some(span.start);
                if always || indirect {
                    self.found.push(span.start);
                }
            }
            walk_expr(self, e);
        }
    }
    let mut c = Collect {
        found: Vec::new(),
        direct: None,
    };
    c.visit_program(program);
    c.found
        .into_iter()
        .enumerate()
        .map(|(i, start)| (start, format!("$fxv#{i}")))
        .collect()
}

fn json_size(v: &serde_json::Value) -> u64 {
    match v {
        serde_json::Value::Array(a) => 1 + a.iter().map(json_size).sum::<u64>(),
        serde_json::Value::Object(o) => 1 + o.values().map(json_size).sum::<u64>(),
        _ => 1,
    }
}

/// An integer literal (Bicep integers are unsigned; `-n` folds).
fn int_literal(v: u64, negative: bool) -> AExpr {
    match i64::try_from(v) {
        Ok(i) if negative => AExpr::Int(-i),
        Ok(i) => AExpr::Int(i),
        Err(_) => {
            let text = if negative {
                format!("-{v}")
            } else {
                v.to_string()
            };
            AExpr::call("json", vec![AExpr::str(&text)])
        }
    }
}

fn binary(op: BinaryOp, l: AExpr, r: AExpr) -> AExpr {
    let f = |name: &'static str, l, r| AExpr::call(name, vec![l, r]);
    let lower = |e| AExpr::call("toLower", vec![e]);
    match op {
        BinaryOp::LogicalOr => f("or", l, r),
        BinaryOp::LogicalAnd => f("and", l, r),
        BinaryOp::Equals => f("equals", l, r),
        BinaryOp::NotEquals => AExpr::call("not", vec![f("equals", l, r)]),
        BinaryOp::EqualsInsensitive => f("equals", lower(l), lower(r)),
        BinaryOp::NotEqualsInsensitive => AExpr::call("not", vec![f("equals", lower(l), lower(r))]),
        BinaryOp::LessThan => f("less", l, r),
        BinaryOp::LessThanOrEqual => f("lessOrEquals", l, r),
        BinaryOp::GreaterThan => f("greater", l, r),
        BinaryOp::GreaterThanOrEqual => f("greaterOrEquals", l, r),
        BinaryOp::Add => f("add", l, r),
        BinaryOp::Subtract => f("sub", l, r),
        BinaryOp::Multiply => f("mul", l, r),
        BinaryOp::Divide => f("div", l, r),
        BinaryOp::Modulo => f("mod", l, r),
        BinaryOp::Coalesce => f("coalesce", l, r),
    }
}

fn is_safe_function(name: &str) -> bool {
    name.eq_ignore_ascii_case("tryGet") || name.eq_ignore_ascii_case("tryIndexFromEnd")
}

/// An access `base[accessor]` (`ExpressionConverter.ConvertAccessExpression`).
fn access(base: AExpr, accessor: AExpr, safe: bool, from_end: bool, chained: bool) -> AExpr {
    if safe {
        let f = if from_end {
            "tryIndexFromEnd"
        } else {
            "tryGet"
        };
        return AExpr::call(f, vec![base, accessor]);
    }
    if chained
        && let Some(call) = base.as_plain_call()
        && is_safe_function(&call.name)
    {
        let extra = if from_end {
            AExpr::call(
                "createObject",
                vec![
                    AExpr::lit("value"),
                    accessor,
                    AExpr::lit("fromEnd"),
                    AExpr::bool(true),
                ],
            )
        } else {
            accessor
        };
        let mut args = call.args.clone();
        args.push(extra);
        return AExpr::call_named(call.name.clone(), args);
    }
    if from_end {
        return AExpr::call("indexFromEnd", vec![base, accessor]);
    }
    base.access([accessor])
}

/// Whether an expression is an access (so a following access chains onto
/// a safe one).
fn is_access(e: &Expr<'_>) -> bool {
    match e {
        Expr::Property(_) | Expr::Index(_) => true,
        Expr::NonNull(n) => is_access(&n.base),
        _ => false,
    }
}

/// `e` without parentheses and `!`.
pub(crate) fn unwrap<'e, 's>(e: &'e Expr<'s>) -> &'e Expr<'s> {
    match e {
        Expr::Paren(p) => unwrap(&p.inner),
        Expr::NonNull(n) => unwrap(&n.base),
        other => other,
    }
}

fn indexed_symbol(symbol: &str, idx: Option<AExpr>) -> AExpr {
    match idx {
        None => AExpr::str(symbol),
        Some(i) => AExpr::call("format", vec![AExpr::str(&format!("{symbol}[{{0}}]")), i]),
    }
}

/// `nameof(x.y)` is `'y'`.
fn last_name<'e>(e: &'e Expr<'_>) -> Option<&'e str> {
    match e {
        Expr::Var(v) => v.name,
        Expr::Property(p) => p.name.name,
        Expr::ResourceAccess(a) => a.name.name,
        Expr::Paren(p) => last_name(&p.inner),
        Expr::NonNull(n) => last_name(&n.base),
        Expr::Index(i) => i.index.as_str(),
        _ => None,
    }
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b0 = chunk.first().copied().unwrap_or(0) as u32;
        let b1 = chunk.get(1).copied().unwrap_or(0) as u32;
        let b2 = chunk.get(2).copied().unwrap_or(0) as u32;
        let n = (b0 << 16) | (b1 << 8) | b2;
        let sym = |shift: u32| {
            ALPHABET
                .get(((n >> shift) & 63) as usize)
                .map_or('=', |b| *b as char)
        };
        out.push(sym(18));
        out.push(sym(12));
        out.push(if chunk.len() > 1 { sym(6) } else { '=' });
        out.push(if chunk.len() > 2 { sym(0) } else { '=' });
    }
    out
}

/// A JSONPath of the simple form `$.a.b[0]` (what `loadJsonContent` is
/// given in practice).
fn json_path(v: &serde_json::Value, path: &str) -> Option<serde_json::Value> {
    let path = path.trim();
    // `$` may be left out (`.a.b`, as Bicep's baselines write it).
    let mut rest = path.strip_prefix('$').unwrap_or(path);
    if !(rest.is_empty() || rest.starts_with('.') || rest.starts_with('[')) {
        return None;
    }
    let mut cur = v;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let key = r.get(..end)?;
            cur = cur.get(key)?;
            rest = r.get(end..)?;
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let inner = r.get(..end)?.trim();
            cur = if let Ok(i) = inner.parse::<usize>() {
                cur.get(i)?
            } else {
                cur.get(inner.trim_matches(['\'', '"']))?
            };
            rest = r.get(end + 1..)?;
        } else {
            return None;
        }
    }
    Some(cur.clone())
}

impl AExpr {
    pub(crate) fn lambda1(name: &str, body: AExpr) -> AExpr {
        AExpr::call("lambda", vec![AExpr::str(name), body])
    }

    /// Number of nodes (what a copy costs).
    pub(crate) fn size(&self) -> u64 {
        match self {
            AExpr::Str(_) | AExpr::Int(_) => 1,
            AExpr::Call(c) => {
                1 + c.args.iter().map(AExpr::size).sum::<u64>()
                    + c.props.iter().map(AExpr::size).sum::<u64>()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_and_json_paths() {
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64(b"M"), "TQ==");
        let v = serde_json::json!({"a": {"b": [1, {"c": 2}]}});
        assert_eq!(json_path(&v, "$.a.b[1].c"), Some(serde_json::json!(2)));
        assert_eq!(json_path(&v, "$"), Some(v.clone()));
        assert_eq!(json_path(&v, "$.x"), None);
        assert_eq!(json_path(&v, ".a.b[0]"), Some(serde_json::json!(1)));
        assert_eq!(json_path(&v, "a"), None);
    }
}
