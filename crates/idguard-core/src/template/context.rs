//! The evaluation context of one (nested) template: its parameters,
//! variables, user functions, symbolic names and deployment.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::budget::Budget;
use crate::expr::{
    self, Context, DeploymentContext, Expr, Obj, TargetScope, Unknown, UserFunction, Val,
};
use crate::source::{Document, Kind, NodeId};

use super::ids;

/// Most instances a resource copy loop is expanded to. Beyond it the loop
/// is evaluated for the first items only and the model notes the
/// truncation. (Property and variable copy loops are values, expanded by
/// the evaluator up to [`expr::MAX_COPY_COUNT`] items.)
pub const MAX_COPY: usize = 200;

enum Slot {
    Evaluating,
    Done(Val),
}

/// A parameter's value as handed to the template: from a parameter file,
/// from the parent deployment, or absent (then the default applies).
#[derive(Clone, Debug)]
pub enum Supplied {
    Value(Val),
    /// A Key Vault reference in a parameter file: never read.
    KeyVault,
}

/// The context of one template with its own parameters and variables.
pub struct TemplateScope<'a> {
    doc: &'a Document,
    template: NodeId,
    supplied: HashMap<String, Supplied>,
    params: RefCell<HashMap<String, Slot>>,
    vars: RefCell<HashMap<String, Slot>>,
    functions: HashMap<(String, String), UserFunction>,
    deployment: DeploymentContext,
    /// Symbolic name (lowercase) → resource node and its type/name nodes.
    symbols: HashMap<String, NodeId>,
    symbol_ids: RefCell<HashMap<String, Slot>>,
    /// Parsed expression strings, shared by every template scope of one
    /// evaluation (nested deployments reuse the same strings: a template
    /// held in a variable is a view of its parent's document).
    exprs: Rc<expr::ExprCache>,
    /// The budget of the whole check, shared by every scope.
    budget: Rc<Budget>,
}

impl<'a> TemplateScope<'a> {
    pub fn new(
        doc: &'a Document,
        template: NodeId,
        supplied: HashMap<String, Supplied>,
        deployment: DeploymentContext,
        exprs: Rc<expr::ExprCache>,
        budget: Rc<Budget>,
    ) -> Self {
        let mut functions = HashMap::new();
        for ns in doc.items(doc.get(template, "functions").unwrap_or(template)) {
            let Some(namespace) = doc.get(*ns, "namespace").and_then(|n| doc.as_str(n)) else {
                continue;
            };
            let Some(members) = doc.get(*ns, "members") else {
                continue;
            };
            for m in doc.members(members) {
                let parameters = doc
                    .items(doc.get(m.value, "parameters").unwrap_or(m.value))
                    .iter()
                    .filter_map(|p| doc.get(*p, "name").and_then(|n| doc.as_str(n)))
                    .map(Rc::from)
                    .collect();
                let Some(output) = doc
                    .get_path(m.value, &["output", "value"])
                    .and_then(|n| doc.as_str(n))
                else {
                    continue;
                };
                let expr = match expr::parse_template_string(output) {
                    Ok(Some(e)) => e,
                    Ok(None) => literal_expr(output),
                    Err(_) => continue,
                };
                functions.insert(
                    (namespace.to_ascii_lowercase(), m.key.to_ascii_lowercase()),
                    UserFunction {
                        parameters,
                        output: Rc::new(expr),
                    },
                );
            }
        }
        let mut symbols = HashMap::new();
        if let Some(resources) = doc.get(template, "resources") {
            for m in doc.members(resources) {
                symbols.insert(m.key.to_ascii_lowercase(), m.value);
            }
        }
        TemplateScope {
            doc,
            template,
            supplied,
            params: RefCell::default(),
            vars: RefCell::default(),
            functions,
            deployment,
            symbols,
            symbol_ids: RefCell::default(),
            exprs,
            budget,
        }
    }

    pub fn doc(&self) -> &'a Document {
        self.doc
    }

    /// Whether `name` is a symbolic resource name of this template.
    pub fn is_symbol(&self, name: &str) -> bool {
        self.symbols.contains_key(&name.to_ascii_lowercase())
    }

    fn memo(
        cell: &RefCell<HashMap<String, Slot>>,
        key: String,
        what: &str,
        compute: impl FnOnce() -> Val,
    ) -> Val {
        match cell.borrow().get(&key) {
            Some(Slot::Done(v)) => return v.clone(),
            Some(Slot::Evaluating) => {
                return Val::opaque(format!("{what} '{key}' refers to itself"));
            }
            None => {}
        }
        cell.borrow_mut().insert(key.clone(), Slot::Evaluating);
        let v = compute();
        cell.borrow_mut().insert(key, Slot::Done(v.clone()));
        v
    }

    fn variable_node(&self, name: &str) -> Option<NodeId> {
        let vars = self.doc.get(self.template, "variables")?;
        self.doc.get(vars, name)
    }

    /// `variables.copy`: `[{name, count, input}]` defines array variables.
    fn copy_variable(&self, name: &str) -> Option<Val> {
        let vars = self.doc.get(self.template, "variables")?;
        let copy = self.doc.get(vars, "copy")?;
        let spec = self.doc.items(copy).iter().copied().find(|c| {
            self.doc
                .get(*c, "name")
                .and_then(|n| self.doc.as_str(n))
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })?;
        Some(expr::eval_copy_spec(self.doc, spec, "input", self))
    }
}

fn literal_expr(s: &str) -> Expr {
    Expr {
        kind: expr::ExprKind::Str(Rc::from(s)),
        start: 0,
        end: 0,
    }
}

impl Context for TemplateScope<'_> {
    fn parameter(&self, name: &str) -> Val {
        let key = name.to_ascii_lowercase();
        Self::memo(&self.params, key.clone(), "parameter", || {
            match self.supplied.get(&key) {
                Some(Supplied::Value(v)) => return v.clone(),
                Some(Supplied::KeyVault) => {
                    return Val::opaque(format!(
                        "parameter '{name}' comes from a Key Vault secret"
                    ));
                }
                None => {}
            }
            let decl = self
                .doc
                .get(self.template, "parameters")
                .and_then(|p| self.doc.get(p, name));
            match decl.and_then(|d| self.doc.get(d, "defaultValue")) {
                Some(default) => expr::eval_node(self.doc, default, self),
                None => Val::unknown(Unknown::Parameter(Rc::from(name))),
            }
        })
    }

    fn variable(&self, name: &str) -> Val {
        let key = name.to_ascii_lowercase();
        Self::memo(&self.vars, key, "variable", || {
            if let Some(node) = self.variable_node(name)
                && !name.eq_ignore_ascii_case("copy")
            {
                return expr::eval_node(self.doc, node, self);
            }
            self.copy_variable(name)
                .unwrap_or_else(|| Val::opaque(format!("no variable '{name}'")))
        })
    }

    fn copy_index(&self, _loop_name: Option<&str>) -> Option<Val> {
        None
    }

    fn user_function(&self, namespace: &str, name: &str) -> Option<UserFunction> {
        self.functions
            .get(&(namespace.to_ascii_lowercase(), name.to_ascii_lowercase()))
            .cloned()
    }

    fn deployment(&self) -> &DeploymentContext {
        &self.deployment
    }

    fn parsed_expression(&self, s: &Rc<str>) -> Option<Rc<Result<expr::Expr, expr::ExprError>>> {
        Some(self.exprs.get(s))
    }

    fn budget(&self) -> Option<&Budget> {
        Some(&self.budget)
    }

    fn symbol_resource_id(&self, symbol: &str) -> Option<Val> {
        let key = symbol.to_ascii_lowercase();
        let node = *self.symbols.get(&key)?;
        Some(Self::memo(&self.symbol_ids, key, "resource", || {
            symbol_id(self.doc, node, self)
        }))
    }
}

/// The resource ID of a symbolic resource (without evaluating its body).
fn symbol_id(doc: &Document, node: NodeId, ctx: &dyn Context) -> Val {
    if doc.get(node, "copy").is_some() {
        return Val::opaque("a resource collection has no single ID");
    }
    let ty = doc
        .get(node, "type")
        .map(|t| expr::eval_node(doc, t, ctx))
        .unwrap_or(Val::Null);
    let name = doc
        .get(node, "name")
        .map(|n| expr::eval_node(doc, n, ctx))
        .unwrap_or(Val::Null);
    let Some(ty) = ty.as_str() else {
        return Val::opaque("the resource type is not known");
    };
    let scope = match doc.get(node, "scope").map(|s| expr::eval_node(doc, s, ctx)) {
        Some(s) => absolute_scope(&s, ctx.deployment()),
        None => property_scope(doc, node, ctx)
            .unwrap_or_else(|| ids::deployment_scope_id(ctx.deployment())),
    };
    ids::build_resource_id(&scope, ty, &name)
}

/// The scope a resource's `subscriptionId` / `resourceGroup` properties
/// name (a cross-scope module, an `existing` resource in another resource
/// group), when it has them.
pub fn property_scope(doc: &Document, node: NodeId, ctx: &dyn Context) -> Option<Val> {
    let sub = doc
        .get(node, "subscriptionId")
        .map(|n| expr::eval_node(doc, n, ctx));
    let rg = doc
        .get(node, "resourceGroup")
        .map(|n| expr::eval_node(doc, n, ctx));
    let d = ctx.deployment();
    match (sub, rg) {
        (None, None) => None,
        (sub, Some(rg)) => Some(ids::concat(&[
            Val::str("/subscriptions/"),
            sub.unwrap_or_else(|| d.subscription_id.clone()),
            Val::str("/resourceGroups/"),
            rg,
        ])),
        (Some(sub), None) => Some(ids::concat(&[Val::str("/subscriptions/"), sub])),
    }
}

/// An extension resource's `scope` made absolute: Bicep writes resource
/// scopes relative (`Microsoft.KeyVault/vaults/kv`).
pub fn absolute_scope(scope: &Val, d: &DeploymentContext) -> Val {
    match ids::segments(scope) {
        Some(s) if !s.absolute && ids::parse_resource_id(scope).is_some() => ids::concat(&[
            ids::deployment_scope_id(d),
            Val::str("/providers/"),
            scope.clone(),
        ]),
        _ => scope.clone(),
    }
}

/// The target scope a `$schema` URL names.
pub fn scope_from_schema(schema: &str) -> Option<TargetScope> {
    let has = |word: &[u8]| crate::vocab::contains_ignore_ascii_case(schema.as_bytes(), word);
    if has(b"subscriptiondeploymenttemplate") {
        Some(TargetScope::Subscription)
    } else if has(b"managementgroupdeploymenttemplate") {
        Some(TargetScope::ManagementGroup)
    } else if has(b"tenantdeploymenttemplate") {
        Some(TargetScope::Tenant)
    } else if has(b"deploymenttemplate") {
        Some(TargetScope::ResourceGroup)
    } else {
        None
    }
}

/// Values of a parameter file's `parameters`: `value`s as given (parameter
/// files hold no expressions), Key Vault `reference`s as [`Supplied::KeyVault`].
pub fn parameter_file_values(doc: &Document) -> HashMap<String, (Supplied, NodeId)> {
    let mut out = HashMap::new();
    let Some(params) = doc.get(doc.root(), "parameters") else {
        return out;
    };
    let budget = Rc::new(crate::budget::Budget::new());
    for m in doc.members(params) {
        let key = m.key.to_ascii_lowercase();
        if let Some(v) = doc.get(m.value, "value") {
            let value = if doc.is_lowered() {
                // a .bicepparam: its expressions, under one budget per file
                evaluate_value_within(doc, v, &budget)
            } else {
                json_val(doc, v)
            };
            out.insert(key, (Supplied::Value(value), v));
        } else if doc.get(m.value, "reference").is_some() {
            out.insert(key, (Supplied::KeyVault, m.value));
        }
    }
    out
}

/// A JSON subtree as a value, with no expression evaluation.
pub fn json_val(doc: &Document, node: NodeId) -> Val {
    match doc.kind(node) {
        Kind::Null => Val::Null,
        Kind::Bool(b) => Val::Bool(*b),
        Kind::Int(i) => Val::Int(*i),
        Kind::Float(f) => Val::Float(*f),
        Kind::String(s) => Val::Str(Rc::clone(s)),
        Kind::Array(items) => Val::array(items.iter().map(|i| json_val(doc, *i)).collect()),
        Kind::Object(members) => {
            let mut obj = Obj::with_capacity(members.len());
            for m in members.iter() {
                obj.insert(Rc::clone(&m.key), json_val(doc, m.value));
            }
            Val::object(obj)
        }
    }
}

/// The value of a parameter-file node of a lowered `.bicepparam`: its
/// expressions evaluated against the file's variables.
pub fn evaluate_value(doc: &Document, node: NodeId) -> Val {
    evaluate_value_within(doc, node, &Rc::new(Budget::new()))
}

/// [`evaluate_value`] under `budget` (shared by every value of one file, so
/// that a parameter file's total work is bounded, not each value's).
pub fn evaluate_value_within(doc: &Document, node: NodeId, budget: &Rc<Budget>) -> Val {
    let scope = TemplateScope::new(
        doc,
        doc.root(),
        HashMap::new(),
        DeploymentContext::root(TargetScope::ResourceGroup),
        Rc::new(expr::ExprCache::default()),
        budget.clone(),
    );
    expr::eval_node(doc, node, &scope)
}
