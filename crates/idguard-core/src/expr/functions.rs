//! Built-in ARM template functions.
//!
//! Names are matched case-insensitively ([`call_builtin`] gets the name
//! lowered). Functions that only make sense on known values return an
//! unknown naming the function when an argument is unknown; the ones that
//! build strings (`concat`, `format`, `toLower`, `resourceId`, …) keep the
//! known pieces of a partially known string ([`Unknown::Str`]).
//!
//! The families live in submodules: [`strings`], [`collections`] and
//! [`scope`] (deployment scope and resource functions).

mod collections;
mod scope;
mod strings;

pub(crate) use scope::linked_path;

use std::rc::Rc;

use super::DeploymentContext;
use super::value::unknown_arg;
use super::{Part, Unknown, Val};
use crate::budget::Budget;

/// Longest string a function may produce (bytes); longer becomes unknown.
pub const MAX_STRING_LEN: usize = 1 << 20;

/// Longest array a function may produce; `range()` is capped lower.
pub const MAX_ARRAY_LEN: usize = 100_000;

/// Largest `count` accepted by `range()`.
pub const MAX_RANGE_COUNT: i64 = 10_000;

/// Deepest nesting walked when comparing or printing values.
const MAX_VALUE_DEPTH: usize = 256;

/// Functions ARM has whose results idguard does not compute (time, IP
/// arithmetic, provider metadata): they give an unknown that says so.
const NOT_EVALUATED: &[&str] = &[
    "datetimeadd",
    "datetimefromepoch",
    "datetimetoepoch",
    "parsecidr",
    "cidrsubnet",
    "cidrhost",
    "pickzones",
    "providers",
    "externalinputs",
    "resourceinfo",
    "references",
    "extensions",
    "like",
    // Azure Policy functions, seen in policy definitions that templates
    // deploy (usually escaped with `[[`).
    "field",
    "current",
    "requestcontext",
    "policy",
];

/// Calls the built-in `lower` (the name in lower case; `name` as written,
/// for messages) on evaluated arguments.
pub(super) fn call_builtin(
    lower: &str,
    name: &str,
    args: &[Val],
    deployment: &DeploymentContext,
    budget: &Budget,
) -> Val {
    // Functions that look at unknown arguments themselves.
    match lower {
        "concat" => return strings::concat(args),
        "format" => return strings::format(args),
        "tolower" => return strings::change_case(args, false),
        "toupper" => return strings::change_case(args, true),
        "string" => return strings::string(args),
        "startswith" => return strings::starts_ends_with(args, true),
        "endswith" => return strings::starts_ends_with(args, false),
        "split" => {
            if let Some(v) = strings::split_partial(args) {
                return v;
            }
        }
        "equals" => {
            return match args {
                [a, b] => match val_eq(a, b, budget) {
                    Some(eq) => Val::Bool(eq),
                    None => Val::opaque(format!(
                        "equals() of values that are not known ({} and {})",
                        render(a),
                        render(b)
                    )),
                },
                _ => arity(name, "2", args),
            };
        }
        "and" | "or" => return and_or(lower == "and", name, args),
        "coalesce" => return coalesce(args),
        "createarray" => return Val::array(args.to_vec()),
        "createobject" => return collections::create_object(args),
        "array" => {
            return match args {
                [Val::Array(_)] | [Val::Unknown(_)] => args.first().cloned().unwrap_or(Val::Null),
                [v] => Val::array(vec![v.clone()]),
                _ => arity(name, "1", args),
            };
        }
        "empty" => return collections::empty(args),
        "true" => return Val::Bool(true),
        "false" => return Val::Bool(false),
        "null" => return Val::Null,
        "guid" => return Val::unknown(Unknown::Guid(args.to_vec().into())),
        "uniquestring" => return Val::unknown(Unknown::UniqueString(args.to_vec().into())),
        "newguid" => return Val::unknown(Unknown::NonDeterministic(Rc::from("newGuid"))),
        "utcnow" => return Val::unknown(Unknown::NonDeterministic(Rc::from("utcNow"))),
        "uri" => {
            if let Some(v) = scope::uri_beside_template(args) {
                return v;
            }
        }
        "reference" => return scope::reference(args),
        "resourceid" => return scope::resource_id(args, deployment),
        "subscriptionresourceid" => return scope::subscription_resource_id(args, deployment),
        "roledefinitions" => return scope::role_definitions(args, deployment),
        "tenantresourceid" => return scope::tenant_resource_id(args),
        "managementgroupresourceid" => {
            return scope::management_group_resource_id(args, deployment);
        }
        "extensionresourceid" => return scope::extension_resource_id(args),
        "subscription" => return scope::subscription(deployment),
        "resourcegroup" => return scope::resource_group(deployment),
        "managementgroup" => return scope::management_group(deployment),
        "tenant" => return scope::tenant(deployment),
        "deployment" => return scope::deployment(deployment),
        "environment" => return scope::environment(),
        "deployer" => return scope::deployer(),
        "fail" => {
            return Val::opaque(match args.first() {
                Some(Val::Str(m)) => format!("fail(): {m}"),
                _ => "fail() was called".to_string(),
            });
        }
        _ => {}
    }
    if lower.starts_with("list") {
        return Val::unknown(Unknown::List {
            function: Rc::from(name),
            target: args.first().cloned().unwrap_or(Val::Null),
            path: Vec::new(),
        });
    }
    if NOT_EVALUATED.contains(&lower) {
        return Val::opaque(format!("{name}() is not evaluated by idguard"));
    }
    if let Some(u) = first_unknown(args) {
        return unknown_arg(name, u);
    }
    if let Some(v) = strings::call(lower, name, args) {
        return v;
    }
    if let Some(v) = collections::call(lower, name, args, budget) {
        return v;
    }
    match lower {
        "not" => match args {
            [Val::Bool(b)] => Val::Bool(!b),
            [other] => type_error(name, "a bool", other),
            _ => arity(name, "1", args),
        },
        "greater" | "greaterorequals" | "less" | "lessorequals" => compare(lower, name, args),
        "add" | "sub" | "mul" | "div" | "mod" => arithmetic(lower, name, args),
        "int" => match args {
            [v] => to_int(v),
            _ => arity(name, "1", args),
        },
        "bool" => match args {
            [Val::Bool(b)] => Val::Bool(*b),
            [Val::Str(s)] if s.trim().eq_ignore_ascii_case("true") => Val::Bool(true),
            [Val::Str(s)] if s.trim().eq_ignore_ascii_case("false") => Val::Bool(false),
            [v @ (Val::Int(_) | Val::Float(_))] => Val::Bool(v.as_int() != Some(0)),
            [other] => Val::opaque(format!("bool() of {}", render(other))),
            _ => arity(name, "1", args),
        },
        _ => Val::opaque(format!("unknown function '{name}'")),
    }
}

/// The first top-level argument that is unknown.
pub(super) fn first_unknown(args: &[Val]) -> Option<&Rc<Unknown>> {
    args.iter().find_map(|a| match a {
        Val::Unknown(u) => Some(u),
        _ => None,
    })
}

/// "f() takes N arguments, not M".
pub(super) fn arity(name: &str, expected: &str, args: &[Val]) -> Val {
    Val::opaque(format!(
        "{name}() takes {expected} arguments, not {}",
        args.len()
    ))
}

/// "f() expects a string, not an array".
pub(super) fn type_error(name: &str, expected: &str, got: &Val) -> Val {
    Val::opaque(format!(
        "{name}() expects {expected}, not a {} value",
        got.type_name()
    ))
}

/// A short rendering of a value for messages, capped in length.
pub(super) fn render(v: &Val) -> String {
    let mut s = match v {
        Val::Str(s) => format!("'{s}'"),
        Val::Unknown(u) => u.brief(),
        other => to_arm_string(other).unwrap_or_else(|| other.type_name().to_string()),
    };
    if s.len() > 120 {
        let mut end = 117;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push_str("...");
    }
    s
}

/// The string ARM makes of a known value (`string()`, `concat`, `format`):
/// strings as is, `True`/`False`, integers in decimal, `null` as the empty
/// string, arrays and objects as compact JSON. `None` for unknowns (also
/// inside containers) and for output longer than [`MAX_STRING_LEN`].
pub fn to_arm_string(v: &Val) -> Option<String> {
    to_arm_string_within(v, MAX_STRING_LEN)
}

/// [`to_arm_string`], `None` also for output longer than `max` bytes (the
/// rendering stops there).
pub(super) fn to_arm_string_within(v: &Val, max: usize) -> Option<String> {
    match v {
        Val::Str(s) => Some(s.to_string()),
        Val::Null => Some(String::new()),
        Val::Bool(true) => Some("True".to_string()),
        Val::Bool(false) => Some("False".to_string()),
        Val::Int(i) => Some(i.to_string()),
        Val::Float(f) => Some(f.to_string()),
        Val::Unknown(_) => None,
        Val::Array(_) | Val::Object(_) => {
            let mut out = String::new();
            write_json(v, &mut out, 0, max).then_some(out)
        }
    }
}

/// Compact JSON with a size and depth cap; `false` on unknowns or overflow.
fn write_json(v: &Val, out: &mut String, depth: usize, max: usize) -> bool {
    if depth > MAX_VALUE_DEPTH || out.len() > max {
        return false;
    }
    match v {
        Val::Null => out.push_str("null"),
        Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Val::Int(i) => out.push_str(&i.to_string()),
        Val::Float(f) => out.push_str(&f.to_string()),
        Val::Str(s) => out.push_str(&serde_json::Value::String(s.to_string()).to_string()),
        Val::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if !write_json(item, out, depth + 1, max) {
                    return false;
                }
            }
            out.push(']');
        }
        Val::Object(obj) => {
            out.push('{');
            for (i, (k, item)) in obj.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::String(k.to_string()).to_string());
                out.push(':');
                if !write_json(item, out, depth + 1, max) {
                    return false;
                }
            }
            out.push('}');
        }
        Val::Unknown(_) => return false,
    }
    out.len() <= max
}

/// ARM equality (`equals`, `contains`, `union` de-duplication): strings
/// case-sensitively, numbers by value, arrays in order, objects by key
/// (keys case-insensitively). `None` when unknowns decide it; a partial
/// string whose known prefix or suffix already differs is `Some(false)`.
pub(super) fn val_eq(a: &Val, b: &Val, budget: &Budget) -> Option<bool> {
    eq_depth(a, b, budget, 0)
}

fn eq_depth(a: &Val, b: &Val, budget: &Budget, depth: usize) -> Option<bool> {
    if depth > MAX_VALUE_DEPTH || !budget.steps(1) {
        return None;
    }
    match (a, b) {
        (Val::Unknown(x), Val::Unknown(y)) => {
            // Comparing two unknowns walks them: as many steps as they
            // weigh.
            if Rc::ptr_eq(x, y) || (budget.steps(x.meta().weight / 16) && x == y) {
                // The same deterministic unknown twice (same parameter,
                // same guid(...) arguments) is the same value, except for
                // values that differ at every evaluation.
                match &**x {
                    Unknown::NonDeterministic(_) | Unknown::Opaque(_) => None,
                    _ => Some(true),
                }
            } else {
                None
            }
        }
        (Val::Unknown(u), Val::Str(s)) | (Val::Str(s), Val::Unknown(u)) => match &**u {
            Unknown::Str(parts) if !partial_may_equal(parts, s) => Some(false),
            _ => None,
        },
        (Val::Unknown(_), _) | (_, Val::Unknown(_)) => None,
        (Val::Null, Val::Null) => Some(true),
        (Val::Bool(x), Val::Bool(y)) => Some(x == y),
        (Val::Int(x), Val::Int(y)) => Some(x == y),
        (Val::Int(_) | Val::Float(_), Val::Int(_) | Val::Float(_)) => Some(as_f64(a) == as_f64(b)),
        (Val::Str(x), Val::Str(y)) => Some(x == y),
        (Val::Array(x), Val::Array(y)) => {
            if Rc::ptr_eq(x, y) {
                return Some(true);
            }
            if x.len() != y.len() {
                return Some(false);
            }
            let mut result = Some(true);
            for (p, q) in x.iter().zip(y.iter()) {
                match eq_depth(p, q, budget, depth + 1) {
                    Some(false) => return Some(false),
                    Some(true) => {}
                    None => result = None,
                }
            }
            result
        }
        (Val::Object(x), Val::Object(y)) => {
            if Rc::ptr_eq(x, y) {
                return Some(true);
            }
            if x.len() != y.len() {
                return Some(false);
            }
            let mut result = Some(true);
            for (k, p) in x.iter() {
                let Some(q) = y.get(k) else {
                    return Some(false);
                };
                match eq_depth(p, q, budget, depth + 1) {
                    Some(false) => return Some(false),
                    Some(true) => {}
                    None => result = None,
                }
            }
            result
        }
        _ => Some(false),
    }
}

/// Whether a partial string could equal `s`: its first literal is a
/// prefix of `s` (when the string starts with a literal), its last a suffix.
fn partial_may_equal(parts: &[Part], s: &str) -> bool {
    let prefix_ok = match parts.first() {
        Some(Part::Lit(first)) => s.starts_with(&**first),
        _ => true,
    };
    let suffix_ok = match parts.last() {
        Some(Part::Lit(last)) => s.ends_with(&**last),
        _ => true,
    };
    prefix_ok && suffix_ok
}

fn as_f64(v: &Val) -> f64 {
    match v {
        Val::Int(i) => *i as f64,
        Val::Float(f) => *f,
        _ => f64::NAN,
    }
}

fn and_or(is_and: bool, name: &str, args: &[Val]) -> Val {
    if args.is_empty() {
        return arity(name, "at least 1", args);
    }
    let mut unknown = None;
    for a in args {
        match a {
            Val::Bool(b) if *b != is_and => return Val::Bool(*b),
            Val::Bool(_) => {}
            Val::Unknown(u) => unknown = unknown.or(Some(u)),
            other => return type_error(name, "bool arguments", other),
        }
    }
    match unknown {
        Some(u) => unknown_arg(name, u),
        None => Val::Bool(is_and),
    }
}

fn coalesce(args: &[Val]) -> Val {
    for (i, a) in args.iter().enumerate() {
        match a {
            Val::Null => {}
            Val::Unknown(u) => {
                // The unknown is the value unless it is null; if only nulls
                // follow, it is the answer either way.
                let rest_null = args
                    .get(i + 1..)
                    .unwrap_or(&[])
                    .iter()
                    .all(|v| matches!(v, Val::Null));
                return if rest_null {
                    a.clone()
                } else {
                    Val::opaque(format!(
                        "coalesce() of a value that is not known ({})",
                        u.brief()
                    ))
                };
            }
            known => return known.clone(),
        }
    }
    Val::Null
}

fn compare(lower: &str, name: &str, args: &[Val]) -> Val {
    let [a, b] = args else {
        return arity(name, "2", args);
    };
    let ord = match (a, b) {
        (Val::Int(x), Val::Int(y)) => x.cmp(y),
        (Val::Int(_) | Val::Float(_), Val::Int(_) | Val::Float(_)) => {
            match as_f64(a).partial_cmp(&as_f64(b)) {
                Some(o) => o,
                None => return Val::opaque(format!("{name}() of numbers that do not compare")),
            }
        }
        (Val::Str(x), Val::Str(y)) => x.cmp(y),
        _ => {
            return Val::opaque(format!(
                "{name}() of a {} and a {}",
                a.type_name(),
                b.type_name()
            ));
        }
    };
    use std::cmp::Ordering::*;
    Val::Bool(match lower {
        "greater" => ord == Greater,
        "greaterorequals" => ord != Less,
        "less" => ord == Less,
        _ => ord != Greater,
    })
}

fn arithmetic(lower: &str, name: &str, args: &[Val]) -> Val {
    let [a, b] = args else {
        return arity(name, "2", args);
    };
    let (Some(x), Some(y)) = (a.as_int(), b.as_int()) else {
        return Val::opaque(format!(
            "{name}() of a {} and a {}",
            a.type_name(),
            b.type_name()
        ));
    };
    let r = match lower {
        "add" => x.checked_add(y),
        "sub" => x.checked_sub(y),
        "mul" => x.checked_mul(y),
        "div" => x.checked_div(y),
        _ => x.checked_rem(y),
    };
    match r {
        Some(r) => Val::Int(r),
        None => Val::opaque(format!("{name}({x}, {y}) overflows or divides by zero")),
    }
}

fn to_int(v: &Val) -> Val {
    match v {
        Val::Int(i) => Val::Int(*i),
        Val::Float(f) if f.is_finite() && f.abs() < 9.2e18 => Val::Int(f.trunc() as i64),
        Val::Str(s) => match s.trim().parse::<i64>() {
            Ok(i) => Val::Int(i),
            Err(_) => Val::opaque(format!("int() of '{s}', which is not an integer")),
        },
        other => type_error("int", "a string or an integer", other),
    }
}

/// Builds a string from known and unknown pieces: adjacent literals
/// merge, nested partial strings flatten, and the result is a plain
/// string when every piece is known.
#[derive(Default)]
pub(super) struct StrBuilder {
    parts: Vec<Part>,
    lit: String,
    len: usize,
    overflow: bool,
}

impl StrBuilder {
    pub(super) fn new() -> Self {
        Self::default()
    }

    pub(super) fn push_str(&mut self, s: &str) {
        self.len = self.len.saturating_add(s.len());
        if self.len > MAX_STRING_LEN {
            self.overflow = true;
            return;
        }
        self.lit.push_str(s);
    }

    fn flush(&mut self) {
        if !self.lit.is_empty() {
            let lit = std::mem::take(&mut self.lit);
            self.parts.push(Part::Lit(Rc::from(lit)));
        }
    }

    /// Adds an unknown piece (flattening partial strings).
    pub(super) fn push_unknown(&mut self, u: &Rc<Unknown>) {
        match &**u {
            Unknown::Str(parts) => {
                for p in parts {
                    match p {
                        Part::Lit(s) => self.push_str(s),
                        Part::Hole(h) => {
                            self.flush();
                            self.parts.push(Part::Hole(h.clone()));
                        }
                    }
                }
            }
            _ => {
                self.flush();
                self.parts.push(Part::Hole(u.clone()));
            }
        }
    }

    /// Adds a value's string form; `false` if it has none (a container
    /// with unknowns inside).
    pub(super) fn push_val(&mut self, v: &Val) -> bool {
        match v {
            Val::Unknown(u) => {
                self.push_unknown(u);
                true
            }
            Val::Str(s) => {
                self.push_str(s);
                true
            }
            // Rendered only up to what the builder can still take.
            other => match to_arm_string_within(other, MAX_STRING_LEN.saturating_sub(self.len)) {
                Some(s) => {
                    self.push_str(&s);
                    true
                }
                None if self.overflow || other.is_fully_known() => {
                    self.overflow = true;
                    true
                }
                None => false,
            },
        }
    }

    pub(super) fn finish(mut self) -> Val {
        if self.overflow {
            return Val::opaque(format!("a string longer than {MAX_STRING_LEN} bytes"));
        }
        if self.parts.is_empty() {
            return Val::str(self.lit);
        }
        self.flush();
        Val::unknown(Unknown::Str(self.parts.into()))
    }
}
