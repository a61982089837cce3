//! The partial evaluator: expressions and JSON subtrees to [`Val`]s.
//!
//! Evaluation never fails: what cannot be known becomes [`Val::Unknown`]
//! with the reason. Every evaluation spends the [`Budget`] its context
//! hands over ([`Context::budget`]: one for a whole template check), or a
//! budget of its own with [`Limits::DEFAULT`] when the context has none;
//! user-function and lambda calls nest at most [`MAX_CALL_DEPTH`] deep, so
//! adversarial templates terminate.
use std::rc::Rc;

use crate::budget::{Budget, Limits};

use super::functions;
use super::parser::{literal_value, parse_template_string};
use super::value::budget_exceeded;
use super::{
    Context, DeploymentContext, Expr, ExprError, ExprKind, Obj, Unknown, UserFunction, Val,
};
use crate::source::{Document, Kind, NodeId};

/// Most evaluation steps (expression nodes, JSON nodes, comparisons, bytes
/// scanned) of one budget: one template check, or one call of
/// [`eval_expr`], [`eval_string`] or [`eval_node`] in a context without a
/// budget.
pub const MAX_STEPS: u64 = Limits::DEFAULT.steps;

/// Deepest nesting of user-defined function and lambda calls.
pub const MAX_CALL_DEPTH: usize = 64;

/// Most items a property copy loop (`"copy": [{"name", "count", "input"}]`)
/// expands to; a larger count makes the property unknown.
pub const MAX_COPY_COUNT: i64 = 1_000;

/// Runs `f` with the context's budget, or with a fresh one.
fn with_budget<R>(ctx: &dyn Context, f: impl FnOnce(&Budget) -> R) -> R {
    match ctx.budget() {
        Some(b) => f(b),
        None => f(&Budget::new()),
    }
}

/// Counts `v` as built: its weight against the value bytes.
pub(super) fn built(v: Val, budget: &Budget) -> Val {
    if budget.value_bytes(v.weight()) {
        v
    } else {
        budget_exceeded()
    }
}

/// Lambda variables in scope: one frame per lambda call.
struct Frame<'a> {
    names: &'a [Rc<str>],
    values: &'a [Val],
    parent: Option<&'a Frame<'a>>,
}

/// Everything an expression sees while it is evaluated.
pub(super) struct Env<'a> {
    pub(super) ctx: &'a dyn Context,
    pub(super) budget: &'a Budget,
    /// Inside a user-defined function: its bound parameters.
    fn_params: Option<&'a [(Rc<str>, Val)]>,
    lambdas: Option<&'a Frame<'a>>,
    /// Nesting of user-function and lambda calls.
    calls: usize,
}

impl<'a> Env<'a> {
    fn root(ctx: &'a dyn Context, budget: &'a Budget) -> Self {
        Env {
            ctx,
            budget,
            fn_params: None,
            lambdas: None,
            calls: 0,
        }
    }

    pub(super) fn deployment(&self) -> &DeploymentContext {
        self.ctx.deployment()
    }
}

/// A lambda argument: parameter names and body.
struct Lambda<'e> {
    names: Vec<Rc<str>>,
    body: &'e Expr,
}

/// Evaluates a parsed expression.
pub fn eval_expr(expr: &Expr, ctx: &dyn Context) -> Val {
    with_budget(ctx, |budget| {
        finish(eval(expr, &Env::root(ctx, budget)), budget)
    })
}

/// Evaluates a JSON string value of a template: an expression is
/// evaluated, a literal is itself (with a `[[` escape resolved). A
/// malformed expression gives `Val::opaque("invalid expression: …")`.
pub fn eval_string(s: &str, ctx: &dyn Context) -> Val {
    with_budget(ctx, |budget| {
        finish(eval_string_in(s, &Env::root(ctx, budget)), budget)
    })
}

/// Evaluates an object key the way [`eval_node`] does, returning the
/// value (possibly unknown) rather than the string [`eval_node`] keys the
/// object with.
pub fn eval_key(key: &str, ctx: &dyn Context) -> Val {
    eval_string(key, ctx)
}

/// The string [`eval_node`] uses as the key for an evaluated object key:
/// a known string as is, any other known value as its display form, an
/// unknown as its rendering (e.g. `{parameters('name')}-suffix` for a
/// partial string).
pub fn key_string(key: &Val) -> Rc<str> {
    match key {
        Val::Str(s) => s.clone(),
        Val::Unknown(u) => Rc::from(u.brief()),
        other => Rc::from(functions::to_arm_string(other).unwrap_or_else(|| other.display())),
    }
}

fn eval_string_in(s: &str, env: &Env) -> Val {
    match parse_template_string(s) {
        Ok(Some(expr)) => eval(&expr, env),
        Ok(None) => Val::str(literal_value(s)),
        Err(err) => Val::opaque(format!("invalid expression: {err}")),
    }
}

/// [`eval_string_in`] for a string of the document: a literal shares the
/// document's allocation.
fn eval_shared_string(s: &Rc<str>, env: &Env) -> Val {
    if !super::parser::is_expression(s) {
        return Val::Str(shared_literal(s));
    }
    match env.ctx.parsed_expression(s) {
        Some(parsed) => match &*parsed {
            Ok(expr) => eval(expr, env),
            Err(err) => Val::opaque(format!("invalid expression: {err}")),
        },
        None => eval_string_in(s, env),
    }
}

/// The value of a literal (non-expression) string of the document,
/// sharing its allocation unless a `[[` escape has to be removed.
fn shared_literal(s: &Rc<str>) -> Rc<str> {
    let value = literal_value(s);
    if value.len() == s.len() {
        Rc::clone(s)
    } else {
        Rc::from(value)
    }
}

/// Converts a JSON subtree to a value, evaluating every string that is an
/// expression (object keys too: an unknown key is kept under its
/// rendering, see [`key_string`]).
///
/// An object member `"copy": [{"name": "x", "count": N, "input": …}]`
/// (a property copy loop, also the shape of a variable copy loop) becomes
/// the member `x` holding `N` evaluated inputs, each with `copyIndex('x')`
/// bound. A count that is not known makes `x` unknown; more than
/// [`MAX_COPY_COUNT`] items too.
pub fn eval_node(doc: &Document, node: NodeId, ctx: &dyn Context) -> Val {
    with_budget(ctx, |budget| {
        let v = finish(eval_node_in(doc, node, &Env::root(ctx, budget), 0), budget);
        budget.record_at(doc, doc.span(node));
        v
    })
}

/// A result computed after the budget ran out may hide unknowns inside
/// known containers: the whole result is unknown then. A complete result
/// is counted as built (the caller keeps it).
fn finish(v: Val, budget: &Budget) -> Val {
    if budget.exhausted() {
        return budget_exceeded();
    }
    built(v, budget)
}

/// Deepest JSON nesting `eval_node` descends (the source layer already
/// refuses deeper documents; this guards copy-loop recursion).
const MAX_NODE_DEPTH: usize = 1024;

fn eval_node_in(doc: &Document, node: NodeId, env: &Env, depth: usize) -> Val {
    let nested = env.budget.enter();
    if nested.is_none() || !env.budget.steps(1) {
        env.budget.record_at(doc, doc.span(node));
        return budget_exceeded();
    }
    if depth > MAX_NODE_DEPTH {
        return Val::opaque("the JSON nests too deeply");
    }
    let v = eval_node_kind(doc, node, env, depth);
    // The innermost value being evaluated when the budget ran out is where
    // it is reported.
    if env.budget.exhausted() {
        env.budget.record_at(doc, doc.span(node));
        return budget_exceeded();
    }
    v
}

fn eval_node_kind(doc: &Document, node: NodeId, env: &Env, depth: usize) -> Val {
    match doc.kind(node) {
        Kind::Null => Val::Null,
        Kind::Bool(b) => Val::Bool(*b),
        Kind::Int(i) => Val::Int(*i),
        Kind::Float(f) => Val::Float(*f),
        Kind::String(s) => eval_shared_string(s, env),
        Kind::Array(items) => Val::array(
            items
                .iter()
                .map(|item| eval_node_in(doc, *item, env, depth + 1))
                .collect(),
        ),
        Kind::Object(members) => {
            let mut obj = Obj::with_capacity(members.len());
            for member in members.iter() {
                if member.key.eq_ignore_ascii_case("copy")
                    && let Some(loops) = property_copy_loops(doc, member.value)
                {
                    for (name, count, input) in loops {
                        let value = expand_copy(doc, &name, count, input, env, depth);
                        obj.insert(name, value);
                    }
                    continue;
                }
                let key = if super::parser::is_expression(&member.key) {
                    key_string(&eval_string_in(&member.key, env))
                } else {
                    shared_literal(&member.key)
                };
                obj.insert(key, eval_node_in(doc, member.value, env, depth + 1));
            }
            Val::object(obj)
        }
    }
}

/// `[{"name", "count", "input"}, …]` → the loops, or `None` when the
/// member does not have that shape (then it is an ordinary property).
fn property_copy_loops(doc: &Document, node: NodeId) -> Option<Vec<(String, NodeId, NodeId)>> {
    let items = match doc.kind(node) {
        Kind::Array(items) if !items.is_empty() => items,
        _ => return None,
    };
    items
        .iter()
        .map(|item| {
            let name = doc.as_str(doc.get(*item, "name")?)?.to_string();
            let count = doc.get(*item, "count")?;
            let input = doc.get(*item, "input")?;
            Some((name, count, input))
        })
        .collect()
}

/// Expands a copy specification `{"name", "count", <input_key>}` — a
/// variable copy loop (`variables.copy`, input key `input`) — exactly as a
/// property copy loop is expanded: `count` evaluated inputs, each with
/// `copyIndex('name')` bound; an unknown, negative or too large count, or
/// a missing `count` or input, is an unknown value saying why.
pub fn eval_copy_spec(doc: &Document, spec: NodeId, input_key: &str, ctx: &dyn Context) -> Val {
    let name = doc
        .get(spec, "name")
        .and_then(|n| doc.as_str(n))
        .unwrap_or_default();
    let Some(count) = doc.get(spec, "count") else {
        return Val::opaque(format!("copy loop '{name}' has no count"));
    };
    let Some(input) = doc.get(spec, input_key) else {
        return Val::opaque(format!("copy loop '{name}' has no {input_key}"));
    };
    with_budget(ctx, |budget| {
        let v = finish(
            expand_copy(doc, name, count, input, &Env::root(ctx, budget), 0),
            budget,
        );
        budget.record_at(doc, doc.span(spec));
        v
    })
}

fn expand_copy(
    doc: &Document,
    name: &str,
    count: NodeId,
    input: NodeId,
    env: &Env,
    depth: usize,
) -> Val {
    let count = eval_node_in(doc, count, env, depth + 1);
    let n = match &count {
        Val::Unknown(u) => {
            return Val::opaque(format!(
                "the count of copy loop '{name}' is not known ({})",
                u.brief()
            ));
        }
        v => match v.as_int() {
            Some(n) => n,
            None => {
                return Val::opaque(format!(
                    "the count of copy loop '{name}' is a {}, not an integer",
                    v.type_name()
                ));
            }
        },
    };
    if n < 0 {
        return Val::opaque(format!("the count of copy loop '{name}' is negative ({n})"));
    }
    if n > MAX_COPY_COUNT {
        return Val::opaque(format!(
            "copy loop '{name}' has {n} items, more than the {MAX_COPY_COUNT} idguard expands"
        ));
    }
    let mut items = Vec::new();
    for i in 0..n {
        let scope = LoopScope::named(env.ctx, name, Val::Int(i));
        let inner = Env {
            ctx: &scope,
            budget: env.budget,
            fn_params: env.fn_params,
            lambdas: env.lambdas,
            calls: env.calls,
        };
        items.push(eval_node_in(doc, input, &inner, depth + 1));
        if env.budget.exhausted() {
            return budget_exceeded();
        }
    }
    Val::array(items)
}

/// A [`Context`] that binds one copy loop's index on top of a parent
/// context: property and variable copy loops (answering `copyIndex('name')`)
/// and resource copy loops (also answering the unnamed `copyIndex()`).
pub struct LoopScope<'a> {
    /// The context everything else is asked of.
    pub parent: &'a dyn Context,
    /// The loop's name (compared case-insensitively).
    pub name: &'a str,
    /// The current index (usually a known integer).
    pub index: Val,
    /// Whether the unnamed `copyIndex()` refers to this loop (resource
    /// loops) rather than to an enclosing one.
    pub unnamed: bool,
}

impl<'a> LoopScope<'a> {
    /// A loop reachable only by name: property and variable copy loops.
    pub fn named(parent: &'a dyn Context, name: &'a str, index: Val) -> Self {
        Self {
            parent,
            name,
            index,
            unnamed: false,
        }
    }

    /// A resource copy loop: `copyIndex()` and `copyIndex('name')`.
    pub fn resource(parent: &'a dyn Context, name: &'a str, index: Val) -> Self {
        Self {
            parent,
            name,
            index,
            unnamed: true,
        }
    }
}

impl Context for LoopScope<'_> {
    fn parameter(&self, name: &str) -> Val {
        self.parent.parameter(name)
    }

    fn variable(&self, name: &str) -> Val {
        self.parent.variable(name)
    }

    fn copy_index(&self, loop_name: Option<&str>) -> Option<Val> {
        let mine = match loop_name {
            Some(n) => n.eq_ignore_ascii_case(self.name),
            None => self.unnamed,
        };
        if mine {
            Some(self.index.clone())
        } else {
            self.parent.copy_index(loop_name)
        }
    }

    fn user_function(&self, namespace: &str, name: &str) -> Option<UserFunction> {
        self.parent.user_function(namespace, name)
    }

    fn deployment(&self) -> &DeploymentContext {
        self.parent.deployment()
    }

    fn symbol_resource_id(&self, symbol: &str) -> Option<Val> {
        self.parent.symbol_resource_id(symbol)
    }

    fn parsed_expression(&self, s: &Rc<str>) -> Option<Rc<Result<Expr, ExprError>>> {
        self.parent.parsed_expression(s)
    }

    fn budget(&self) -> Option<&Budget> {
        self.parent.budget()
    }
}

/// Evaluates one expression node.
pub(super) fn eval(expr: &Expr, env: &Env) -> Val {
    let Some(_nested) = env.budget.enter() else {
        return budget_exceeded();
    };
    if !env.budget.steps(1) {
        return budget_exceeded();
    }
    match &expr.kind {
        ExprKind::Str(s) => Val::Str(s.clone()),
        ExprKind::Int(i) => Val::Int(*i),
        ExprKind::Float(f) => Val::Float(*f),
        ExprKind::Member { of, name } => eval(of, env).member(name),
        ExprKind::Index { of, index } => {
            let of = eval(of, env);
            let index = eval(index, env);
            index_val(&of, &index)
        }
        ExprKind::Call {
            namespace: Some(ns),
            name,
            args,
        } => call_user_function(ns, name, args, env),
        ExprKind::Call {
            namespace: None,
            name,
            args,
        } => call(name, args, env),
    }
}

/// `of[index]` with ARM semantics.
pub(super) fn index_val(of: &Val, index: &Val) -> Val {
    match (of, index) {
        // An item of an unknown array at an index not known (a copy
        // loop's `parameters('ids')[copyIndex()]` with a count not known):
        // still that array's item, so what it comes from stays visible.
        (Val::Unknown(of), Val::Unknown(_)) if !matches!(**of, Unknown::Opaque(_)) => {
            Val::unknown(of.member("[*]"))
        }
        (_, Val::Unknown(u)) => Val::opaque(format!("an index that is not known ({})", u.brief())),
        (Val::Unknown(u), Val::Str(key)) => Val::unknown(u.member(key)),
        (Val::Unknown(u), i) => match i.as_int() {
            Some(i) => Val::unknown(u.member(&i.to_string())),
            None => Val::opaque(format!("an index of type {}", i.type_name())),
        },
        (Val::Array(items), i) => match i.as_int() {
            Some(n) => usize::try_from(n)
                .ok()
                .and_then(|n| items.get(n))
                .cloned()
                .unwrap_or_else(|| {
                    Val::opaque(format!(
                        "index {n} is out of range for an array of {} items",
                        items.len()
                    ))
                }),
            None => Val::opaque(format!("an array indexed by a {}", i.type_name())),
        },
        (Val::Object(_), Val::Str(key)) => of.member(key),
        (other, i) => Val::opaque(format!(
            "a {} value indexed by a {}",
            other.type_name(),
            i.type_name()
        )),
    }
}

fn eval_args(args: &[Expr], env: &Env) -> Vec<Val> {
    args.iter().map(|a| eval(a, env)).collect()
}

fn call(name: &str, args: &[Expr], env: &Env) -> Val {
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "if" => eval_if(args, env),
        "parameters" => {
            let vals = eval_args(args, env);
            match vals.first() {
                Some(Val::Str(p)) => match env.fn_params {
                    Some(params) => params
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(p))
                        .map(|(_, v)| v.clone())
                        .unwrap_or_else(|| {
                            Val::opaque(format!("the user-defined function has no parameter '{p}'"))
                        }),
                    None => env.ctx.parameter(p),
                },
                Some(Val::Unknown(u)) => Val::opaque(format!(
                    "parameters() of a name that is not known ({})",
                    u.brief()
                )),
                _ => Val::opaque("parameters() needs a parameter name"),
            }
        }
        "variables" => {
            if env.fn_params.is_some() {
                return Val::opaque("variables() inside a user-defined function");
            }
            let vals = eval_args(args, env);
            match vals.first() {
                Some(Val::Str(v)) => env.ctx.variable(v),
                Some(Val::Unknown(u)) => Val::opaque(format!(
                    "variables() of a name that is not known ({})",
                    u.brief()
                )),
                _ => Val::opaque("variables() needs a variable name"),
            }
        }
        "copyindex" => {
            let vals = eval_args(args, env);
            copy_index(&vals, env)
        }
        "lambda" => Val::opaque("lambda() outside a function that takes one"),
        "lambdavariables" => {
            let vals = eval_args(args, env);
            match vals.first() {
                Some(Val::Str(n)) => lambda_variable(n, env),
                _ => Val::opaque("lambdaVariables() needs a variable name"),
            }
        }
        "map" | "filter" | "reduce" | "sort" | "toobject" | "mapvalues" | "groupby" => {
            built(call_with_lambda(&lower, name, args, env), env.budget)
        }
        _ => {
            let vals = eval_args(args, env);
            // A function may scan its arguments: one step per 16 bytes of
            // a string, per item of an array, per member of an object.
            let scan = vals
                .iter()
                .map(|v| match v {
                    Val::Str(s) => s.len() as u64 / 16,
                    Val::Array(a) => a.len() as u64,
                    Val::Object(o) => o.len() as u64,
                    _ => 0,
                })
                .fold(0u64, u64::saturating_add);
            if env.budget.exhausted() || !env.budget.steps(scan) {
                return budget_exceeded();
            }
            built(
                functions::call_builtin(&lower, name, &vals, env.deployment(), env.budget),
                env.budget,
            )
        }
    }
}

fn eval_if(args: &[Expr], env: &Env) -> Val {
    let [cond, yes, no] = args else {
        return Val::opaque(format!("if() takes 3 arguments, not {}", args.len()));
    };
    match eval(cond, env) {
        Val::Bool(true) => eval(yes, env),
        Val::Bool(false) => eval(no, env),
        Val::Unknown(u) => {
            let a = eval(yes, env);
            let b = eval(no, env);
            if functions::val_eq(&a, &b, env.budget) == Some(true) {
                a
            } else {
                Val::opaque(format!(
                    "if() on a condition that is not known ({})",
                    u.brief()
                ))
            }
        }
        other => Val::opaque(format!(
            "if() on a {} condition instead of a bool",
            other.type_name()
        )),
    }
}

fn copy_index(args: &[Val], env: &Env) -> Val {
    if env.fn_params.is_some() {
        return Val::opaque("copyIndex() inside a user-defined function");
    }
    let (loop_name, offset) = match args {
        [] => (None, None),
        [Val::Str(n)] => (Some(n.clone()), None),
        [n @ (Val::Int(_) | Val::Float(_))] => (None, Some(n.clone())),
        [Val::Str(n), off] => (Some(n.clone()), Some(off.clone())),
        _ => {
            if let Some(u) = functions::first_unknown(args) {
                return Val::opaque(format!(
                    "copyIndex() with an argument that is not known ({})",
                    u.brief()
                ));
            }
            return Val::opaque("copyIndex() with arguments of the wrong type");
        }
    };
    let Some(index) = env.ctx.copy_index(loop_name.as_deref()) else {
        return Val::opaque(match loop_name {
            Some(n) => format!("copyIndex('{n}') outside the copy loop '{n}'"),
            None => "copyIndex() outside a copy loop".to_string(),
        });
    };
    match offset {
        None => index,
        Some(off) => {
            functions::call_builtin("add", "add", &[index, off], env.deployment(), env.budget)
        }
    }
}

fn lambda_variable(name: &str, env: &Env) -> Val {
    let mut frame = env.lambdas;
    while let Some(f) = frame {
        if let Some(i) = f.names.iter().position(|n| n.eq_ignore_ascii_case(name)) {
            return f
                .values
                .get(i)
                .cloned()
                .unwrap_or_else(|| Val::opaque(format!("lambda variable '{name}' has no value")));
        }
        frame = f.parent;
    }
    Val::opaque(format!(
        "lambdaVariables('{name}') outside a lambda that declares it"
    ))
}

fn call_user_function(ns: &str, name: &str, args: &[Expr], env: &Env) -> Val {
    let Some(func) = env.ctx.user_function(ns, name) else {
        return Val::opaque(format!("unknown function '{ns}.{name}'"));
    };
    if env.calls >= MAX_CALL_DEPTH {
        return Val::opaque(format!(
            "user-defined functions nest deeper than {MAX_CALL_DEPTH} calls ('{ns}.{name}')"
        ));
    }
    if func.parameters.len() != args.len() {
        return Val::opaque(format!(
            "'{ns}.{name}' takes {} arguments, not {}",
            func.parameters.len(),
            args.len()
        ));
    }
    let values = eval_args(args, env);
    let bound: Vec<(Rc<str>, Val)> = func.parameters.iter().cloned().zip(values).collect();
    let inner = Env {
        ctx: env.ctx,
        budget: env.budget,
        fn_params: Some(&bound),
        lambdas: None,
        calls: env.calls + 1,
    };
    built(eval(&func.output, &inner), env.budget)
}

fn parse_lambda<'e>(expr: &'e Expr, env: &Env) -> Result<Lambda<'e>, Val> {
    let ExprKind::Call {
        namespace: None,
        name,
        args,
    } = &expr.kind
    else {
        return Err(Val::opaque("expected a lambda() argument"));
    };
    if !name.eq_ignore_ascii_case("lambda") {
        return Err(Val::opaque(format!(
            "expected a lambda() argument, found {name}()"
        )));
    }
    let Some((body, params)) = args.split_last() else {
        return Err(Val::opaque("lambda() without a body"));
    };
    let mut names = Vec::with_capacity(params.len());
    for p in params {
        match eval(p, env) {
            Val::Str(s) => names.push(s),
            _ => return Err(Val::opaque("lambda() parameter names must be strings")),
        }
    }
    Ok(Lambda { names, body })
}

fn apply(lambda: &Lambda, values: &[Val], env: &Env) -> Val {
    if env.calls >= MAX_CALL_DEPTH {
        return Val::opaque(format!("lambdas nest deeper than {MAX_CALL_DEPTH} calls"));
    }
    let n = lambda.names.len().min(values.len());
    let frame = Frame {
        names: lambda.names.get(..n).unwrap_or(&[]),
        values: values.get(..n).unwrap_or(&[]),
        parent: env.lambdas,
    };
    let inner = Env {
        ctx: env.ctx,
        budget: env.budget,
        fn_params: env.fn_params,
        lambdas: Some(&frame),
        calls: env.calls + 1,
    };
    eval(lambda.body, &inner)
}

fn call_with_lambda(lower: &str, name: &str, args: &[Expr], env: &Env) -> Val {
    // The collection (and, for reduce, the initial value) come first; the
    // lambdas last.
    let n_values = if lower == "reduce" { 2 } else { 1 };
    if args.len() <= n_values {
        return Val::opaque(format!("{name}() needs a lambda argument"));
    }
    let (value_args, lambda_args) = args.split_at(n_values);
    let values = eval_args(value_args, env);
    let mut lambdas = Vec::with_capacity(lambda_args.len());
    for l in lambda_args {
        match parse_lambda(l, env) {
            Ok(l) => lambdas.push(l),
            Err(e) => return e,
        }
    }
    let Some(input) = values.first() else {
        return Val::opaque(format!("{name}() needs an argument"));
    };
    if let Val::Unknown(u) = input {
        return Val::opaque(format!(
            "{name}() over a value that is not known ({})",
            u.brief()
        ));
    }
    let Some(first) = lambdas.first() else {
        return Val::opaque(format!("{name}() needs a lambda argument"));
    };
    if lower == "mapvalues" {
        let Some(obj) = input.as_object() else {
            return Val::opaque(format!("mapValues() over a {}", input.type_name()));
        };
        let mut out = Obj::with_capacity(obj.len());
        for (k, v) in obj.iter() {
            out.insert(k.clone(), apply(first, std::slice::from_ref(v), env));
        }
        return Val::object(out);
    }
    let Some(items) = input.as_array() else {
        return Val::opaque(format!("{name}() over a {}", input.type_name()));
    };
    let with_index = |item: &Val, i: usize| [item.clone(), Val::Int(i64::try_from(i).unwrap_or(0))];
    match lower {
        "map" => Val::array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| apply(first, &with_index(item, i), env))
                .collect(),
        ),
        "filter" => {
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match apply(first, &with_index(item, i), env) {
                    Val::Bool(true) => out.push(item.clone()),
                    Val::Bool(false) => {}
                    Val::Unknown(u) => {
                        return Val::opaque(format!(
                            "filter() with a condition that is not known ({})",
                            u.brief()
                        ));
                    }
                    other => {
                        return Val::opaque(format!(
                            "filter() with a {} condition instead of a bool",
                            other.type_name()
                        ));
                    }
                }
            }
            Val::array(out)
        }
        "reduce" => {
            let mut acc = values.get(1).cloned().unwrap_or(Val::Null);
            for (i, item) in items.iter().enumerate() {
                acc = apply(
                    first,
                    &[acc, item.clone(), Val::Int(i64::try_from(i).unwrap_or(0))],
                    env,
                );
                if env.budget.exhausted() {
                    return budget_exceeded();
                }
            }
            acc
        }
        "sort" => {
            // Insertion sort with a fallible comparator (`a` before `b`),
            // bounded by the step budget.
            let mut out: Vec<Val> = Vec::with_capacity(items.len());
            for item in items.iter() {
                let mut pos = out.len();
                while pos > 0 {
                    let Some(prev) = out.get(pos - 1) else { break };
                    match apply(first, &[item.clone(), prev.clone()], env) {
                        Val::Bool(true) => pos -= 1,
                        Val::Bool(false) => break,
                        Val::Unknown(u) => {
                            return Val::opaque(format!(
                                "sort() with an order that is not known ({})",
                                u.brief()
                            ));
                        }
                        other => {
                            return Val::opaque(format!(
                                "sort() with a {} comparison instead of a bool",
                                other.type_name()
                            ));
                        }
                    }
                    if env.budget.exhausted() {
                        return budget_exceeded();
                    }
                }
                out.insert(pos, item.clone());
            }
            Val::array(out)
        }
        "toobject" => {
            let mut out = Obj::new();
            for item in items.iter() {
                let key = apply(first, std::slice::from_ref(item), env);
                let value = match lambdas.get(1) {
                    Some(l) => apply(l, std::slice::from_ref(item), env),
                    None => item.clone(),
                };
                match key {
                    Val::Str(k) => out.insert(k, value),
                    Val::Unknown(u) => {
                        return Val::opaque(format!(
                            "toObject() with a key that is not known ({})",
                            u.brief()
                        ));
                    }
                    other => {
                        return Val::opaque(format!(
                            "toObject() with a {} key instead of a string",
                            other.type_name()
                        ));
                    }
                }
            }
            Val::object(out)
        }
        "groupby" => {
            let mut groups: Vec<(Rc<str>, Vec<Val>)> = Vec::new();
            for item in items.iter() {
                let key = match apply(first, std::slice::from_ref(item), env) {
                    Val::Str(k) => k,
                    Val::Unknown(u) => {
                        return Val::opaque(format!(
                            "groupBy() with a key that is not known ({})",
                            u.brief()
                        ));
                    }
                    other => match functions::to_arm_string(&other) {
                        Some(s) => Rc::from(s),
                        None => return Val::opaque("groupBy() with a key that is not a string"),
                    },
                };
                match groups
                    .iter_mut()
                    .find(|(k, _)| k.eq_ignore_ascii_case(&key))
                {
                    Some((_, g)) => g.push(item.clone()),
                    None => groups.push((key, vec![item.clone()])),
                }
            }
            Val::object(
                groups
                    .into_iter()
                    .map(|(k, g)| (k, Val::array(g)))
                    .collect(),
            )
        }
        _ => Val::opaque(format!("unknown function '{name}'")),
    }
}
