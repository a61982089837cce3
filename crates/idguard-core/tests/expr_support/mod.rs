//! A small mock `Context` for the expression tests.
#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use idguard_core::expr::{
    Context, DeploymentContext, Part, TargetScope, Unknown, UserFunction, Val, eval_string, parse,
};

/// Parameters and variables from maps; variables are template strings
/// evaluated on demand (a cycle gives an unknown).
pub struct Mock {
    pub params: HashMap<String, Val>,
    pub vars: HashMap<String, String>,
    pub funcs: HashMap<(String, String), UserFunction>,
    pub symbols: HashMap<String, Val>,
    pub deployment: DeploymentContext,
    in_progress: RefCell<Vec<String>>,
}

impl Mock {
    pub fn new() -> Self {
        Self::at(TargetScope::ResourceGroup)
    }

    pub fn at(scope: TargetScope) -> Self {
        Mock {
            params: HashMap::new(),
            vars: HashMap::new(),
            funcs: HashMap::new(),
            symbols: HashMap::new(),
            deployment: DeploymentContext::root(scope),
            in_progress: RefCell::new(Vec::new()),
        }
    }

    pub fn param(mut self, name: &str, v: Val) -> Self {
        self.params.insert(name.to_ascii_lowercase(), v);
        self
    }

    pub fn var(mut self, name: &str, template_string: &str) -> Self {
        self.vars
            .insert(name.to_ascii_lowercase(), template_string.to_string());
        self
    }

    pub fn func(mut self, ns: &str, name: &str, params: &[&str], output: &str) -> Self {
        let f = UserFunction {
            parameters: params.iter().map(|p| Rc::from(*p)).collect(),
            output: Rc::new(parse(output).expect("user function output parses")),
        };
        self.funcs
            .insert((ns.to_ascii_lowercase(), name.to_ascii_lowercase()), f);
        self
    }

    pub fn eval(&self, s: &str) -> Val {
        eval_string(s, self)
    }
}

impl Context for Mock {
    fn parameter(&self, name: &str) -> Val {
        self.params
            .get(&name.to_ascii_lowercase())
            .cloned()
            .unwrap_or_else(|| Val::unknown(Unknown::Parameter(Rc::from(name))))
    }

    fn variable(&self, name: &str) -> Val {
        let key = name.to_ascii_lowercase();
        if self.in_progress.borrow().contains(&key) {
            return Val::opaque(format!("variable '{name}' refers to itself"));
        }
        let Some(text) = self.vars.get(&key) else {
            return Val::opaque(format!("no variable '{name}'"));
        };
        self.in_progress.borrow_mut().push(key);
        let v = eval_string(text, self);
        self.in_progress.borrow_mut().pop();
        v
    }

    fn copy_index(&self, _loop_name: Option<&str>) -> Option<Val> {
        None
    }

    fn user_function(&self, namespace: &str, name: &str) -> Option<UserFunction> {
        self.funcs
            .get(&(namespace.to_ascii_lowercase(), name.to_ascii_lowercase()))
            .cloned()
    }

    fn deployment(&self) -> &DeploymentContext {
        &self.deployment
    }

    fn symbol_resource_id(&self, symbol: &str) -> Option<Val> {
        self.symbols.get(symbol).cloned()
    }
}

pub fn s(x: &str) -> Val {
    Val::str(x)
}

pub fn dep(e: &str) -> Rc<Unknown> {
    Rc::new(Unknown::Deployment(Rc::from(e)))
}

pub fn param_u(name: &str) -> Rc<Unknown> {
    Rc::new(Unknown::Parameter(Rc::from(name)))
}

pub fn lit(x: &str) -> Part {
    Part::Lit(Rc::from(x))
}

pub fn hole(u: Rc<Unknown>) -> Part {
    Part::Hole(u)
}

pub fn partial(parts: Vec<Part>) -> Val {
    Val::unknown(Unknown::Str(parts.into()))
}

/// The reason of an opaque unknown, panicking otherwise.
pub fn opaque_reason(v: &Val) -> String {
    match v.as_unknown() {
        Some(Unknown::Opaque(r)) => r.to_string(),
        other => panic!("expected an opaque unknown, got {other:?} ({v:?})"),
    }
}

pub fn json(v: &Val) -> serde_json::Value {
    v.to_json()
        .unwrap_or_else(|| panic!("not fully known: {v:?}"))
}
