//! ARM template expressions: parser and partial evaluator.
//!
//! A JSON string that starts with `[` and ends with `]` is an expression
//! (`[[` at the start escapes a literal `[`). [`parse`] turns the inside into
//! an [`Expr`]; [`eval_expr`] evaluates it against a [`Context`] (parameters,
//! variables, copy loops, user functions and the deployment scope) into a
//! [`Val`]: known, or unknown with the reason. [`eval_node`] does that for a
//! whole JSON subtree of a template.

mod ast;
mod eval;
mod functions;
mod parser;
mod value;

pub use ast::{Expr, ExprKind};
pub use eval::{
    LoopScope, MAX_CALL_DEPTH, MAX_COPY_COUNT, MAX_STEPS, eval_copy_spec, eval_expr, eval_key,
    eval_node, eval_string, key_string,
};
pub(crate) use functions::linked_path;
pub use functions::{MAX_ARRAY_LEN, MAX_RANGE_COUNT, MAX_STRING_LEN, to_arm_string};
pub use parser::{ExprError, is_expression, literal_value, parse, parse_template_string};
pub use value::{Args, Arr, MAX_VALUE_NESTING, Meta, Obj, Part, Parts, Unknown, Val};

use std::rc::Rc;

/// Deepest nesting of calls, accesses and brackets inside one expression.
pub const MAX_EXPR_DEPTH: usize = 128;

/// Where the template is deployed: what `$schema` (or a nested
/// deployment's `scope`/`subscriptionId`/`resourceGroup`) says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum TargetScope {
    Tenant,
    ManagementGroup,
    Subscription,
    ResourceGroup,
}

impl TargetScope {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetScope::Tenant => "tenant",
            TargetScope::ManagementGroup => "managementGroup",
            TargetScope::Subscription => "subscription",
            TargetScope::ResourceGroup => "resourceGroup",
        }
    }
}

/// The deployment a template (or nested template) runs in. Fields are
/// values because they are usually unknown ([`Unknown::Deployment`]) but may
/// be known (a nested deployment with a literal `resourceGroup`).
#[derive(Clone, Debug, PartialEq)]
pub struct DeploymentContext {
    pub scope: TargetScope,
    /// `subscription().subscriptionId`
    pub subscription_id: Val,
    /// `resourceGroup().name` (meaningful at resource-group scope)
    pub resource_group: Val,
    /// `managementGroup().name` (meaningful at management-group scope)
    pub management_group: Val,
    /// `tenant().tenantId`
    pub tenant_id: Val,
    /// `deployment().name`
    pub deployment_name: Val,
    /// `resourceGroup().location` / `deployment().location`
    pub location: Val,
}

impl DeploymentContext {
    /// The root deployment of a template with the given target scope: every
    /// field unknown, named by the expression that would yield it.
    pub fn root(scope: TargetScope) -> Self {
        let d = |e: &str| Val::unknown(Unknown::Deployment(Rc::from(e)));
        Self {
            scope,
            subscription_id: d("subscription().subscriptionId"),
            resource_group: d("resourceGroup().name"),
            management_group: d("managementGroup().name"),
            tenant_id: d("tenant().tenantId"),
            deployment_name: d("deployment().name"),
            location: d("resourceGroup().location"),
        }
    }
}

/// A user-defined function (`functions[].members`), as the template layer
/// hands it to the evaluator.
#[derive(Clone, Debug)]
pub struct UserFunction {
    /// Parameter names in order.
    pub parameters: Vec<Rc<str>>,
    /// The `output.value` expression (already parsed).
    pub output: Rc<Expr>,
}

/// What an expression can see. Implemented by the template layer.
///
/// Lookups take `&self`: implementations memoise with interior mutability
/// and must answer a cycle (a variable that refers to itself) with an
/// unknown, not by recursing forever.
pub trait Context {
    /// `parameters('name')`: the parameter-file value, else the default,
    /// else [`Unknown::Parameter`].
    fn parameter(&self, name: &str) -> Val;
    /// `variables('name')`.
    fn variable(&self, name: &str) -> Val;
    /// `copyIndex()` / `copyIndex('loop')` (without the offset argument):
    /// `None` when not inside that loop.
    fn copy_index(&self, loop_name: Option<&str>) -> Option<Val>;
    /// `namespace.name(...)` from the template's `functions`.
    fn user_function(&self, namespace: &str, name: &str) -> Option<UserFunction>;
    /// The deployment this expression is evaluated in.
    fn deployment(&self) -> &DeploymentContext;
    /// In a symbolic-name template, the resource ID of the resource
    /// declared under `symbol` (for `resourceId`-like uses and `reference`
    /// of a symbolic name); `None` when there is no such resource.
    fn symbol_resource_id(&self, symbol: &str) -> Option<Val>;
    /// The parse of the template string `s` (an expression), if this
    /// context keeps a cache of them; `None` makes the evaluator parse it
    /// itself. The source layer shares equal strings of a document, so a
    /// cache keyed by the allocation parses each distinct expression once.
    fn parsed_expression(&self, s: &Rc<str>) -> Option<Rc<Result<Expr, ExprError>>> {
        let _ = s;
        None
    }
    /// The budget evaluations in this context spend (one per template
    /// check, shared by every scope of it); `None` gives every top-level
    /// evaluation a budget of its own.
    fn budget(&self) -> Option<&crate::budget::Budget> {
        None
    }
}

/// A cache of parsed template strings for [`Context::parsed_expression`],
/// keyed by the string's allocation (which it keeps alive, so an address
/// is never reused while cached).
#[derive(Default)]
pub struct ExprCache {
    parsed: std::cell::RefCell<std::collections::HashMap<usize, CachedExpr>>,
}

/// One entry of an [`ExprCache`]: the string (kept alive) and its parse.
type CachedExpr = (Rc<str>, Rc<Result<Expr, ExprError>>);

impl ExprCache {
    /// The parse of the expression string `s`, parsed on first use.
    pub fn get(&self, s: &Rc<str>) -> Rc<Result<Expr, ExprError>> {
        let key = Rc::as_ptr(s).cast::<u8>() as usize;
        if let Ok(map) = self.parsed.try_borrow()
            && let Some((_, parsed)) = map.get(&key)
        {
            return Rc::clone(parsed);
        }
        let parsed = Rc::new(match parse_template_string(s) {
            Ok(Some(expr)) => Ok(expr),
            Ok(None) => Ok(Expr {
                kind: ExprKind::Str(Rc::from(literal_value(s))),
                start: 0,
                end: 0,
            }),
            Err(err) => Err(err),
        });
        if let Ok(mut map) = self.parsed.try_borrow_mut() {
            map.insert(key, (Rc::clone(s), Rc::clone(&parsed)));
        }
        parsed
    }
}
