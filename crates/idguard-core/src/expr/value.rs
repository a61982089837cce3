//! Values of the partial evaluator: a known JSON value, or an unknown that
//! remembers why it is unknown and, where it matters to the rules, what it
//! refers to.
//!
//! The evaluator never guesses. A deployment-time value (the subscription ID,
//! an unset parameter, `reference(...)`) stays [`Val::Unknown`]; strings built
//! from known and unknown pieces keep their known pieces ([`Unknown::Str`]),
//! so `/subscriptions/{sub}/resourceGroups/{rg}` can still be classified as a
//! resource-group scope and `resourceId('…/userAssignedIdentities',
//! parameters('name'))` still matches the identity declared with that name.

use std::fmt;
use std::rc::Rc;

/// A value during evaluation. Cheap to clone (reference counted).
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    Array(Rc<Vec<Val>>),
    Object(Rc<Obj>),
    Unknown(Rc<Unknown>),
}

/// An object with ARM semantics: insertion order kept, keys compared
/// ASCII-case-insensitively, a repeated key replaces the earlier value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Obj {
    entries: Vec<(Rc<str>, Val)>,
}

impl Obj {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_capacity(n: usize) -> Self {
        Self {
            entries: Vec::with_capacity(n),
        }
    }

    /// Inserts or replaces (case-insensitively) `key`.
    pub fn insert(&mut self, key: impl Into<Rc<str>>, value: Val) {
        let key = key.into();
        if let Some(slot) = self
            .entries
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case(&key))
        {
            slot.1 = value;
        } else {
            self.entries.push((key, value));
        }
    }

    pub fn get(&self, key: &str) -> Option<&Val> {
        self.entries
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn remove(&mut self, key: &str) -> Option<Val> {
        let i = self
            .entries
            .iter()
            .position(|(k, _)| k.eq_ignore_ascii_case(key))?;
        Some(self.entries.remove(i).1)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Rc<str>, &Val)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &Rc<str>> {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl FromIterator<(Rc<str>, Val)> for Obj {
    fn from_iter<T: IntoIterator<Item = (Rc<str>, Val)>>(iter: T) -> Self {
        let mut obj = Obj::new();
        for (k, v) in iter {
            obj.insert(k, v);
        }
        obj
    }
}

/// One piece of a partially known string.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    Lit(Rc<str>),
    Hole(Rc<Unknown>),
}

/// Why a value is unknown, and what it stands for.
#[derive(Clone, Debug, PartialEq)]
pub enum Unknown {
    /// `parameters('name')` with neither a default nor a value from a
    /// parameter file (or a Key Vault reference, which is never read).
    Parameter(Rc<str>),
    /// A value of the deployment environment, known only when deploying:
    /// written as the ARM expression that yields it, e.g.
    /// `subscription().subscriptionId`, `resourceGroup().name`,
    /// `resourceGroup().location`, `deployment().name`, `tenant().tenantId`.
    Deployment(Rc<str>),
    /// `reference(target[, apiVersion][, 'Full'])` followed by property
    /// accesses in `path` (e.g. `["principalId"]` or
    /// `["properties", "principalId"]` with `full`). `target` is the
    /// evaluated first argument: a resource ID (possibly partial) or, in
    /// symbolic-name templates, the symbolic name as a string.
    Reference {
        target: Val,
        full: bool,
        path: Vec<Rc<str>>,
    },
    /// `list*(target, …)` (listKeys, listSecrets, …) followed by `path`.
    List {
        function: Rc<str>,
        target: Val,
        path: Vec<Rc<str>>,
    },
    /// `guid(args…)`: deterministic, and the rules want to know over what.
    Guid(Vec<Val>),
    /// `uniqueString(args…)`.
    UniqueString(Vec<Val>),
    /// `newGuid()`, `utcNow()`: a different value at every deployment.
    NonDeterministic(Rc<str>),
    /// A string made of known and unknown pieces, in order. Never contains
    /// two adjacent `Lit`s, and has at least one `Hole`.
    Str(Vec<Part>),
    /// A property or index access on an unknown that is not a reference.
    Member { of: Rc<Unknown>, path: Vec<Rc<str>> },
    /// Anything else, with the reason in words (e.g. "unknown function
    /// 'foo'", "copyIndex() outside a copy loop", "the loop count is not
    /// known").
    Opaque(Rc<str>),
}

impl Val {
    pub fn str(s: impl Into<Rc<str>>) -> Val {
        Val::Str(s.into())
    }

    pub fn unknown(u: Unknown) -> Val {
        Val::Unknown(Rc::new(u))
    }

    pub fn opaque(reason: impl Into<Rc<str>>) -> Val {
        Val::unknown(Unknown::Opaque(reason.into()))
    }

    pub fn array(items: Vec<Val>) -> Val {
        Val::Array(Rc::new(items))
    }

    pub fn object(obj: Obj) -> Val {
        Val::Object(Rc::new(obj))
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Val::Unknown(_))
    }

    /// Whether the value is known all the way down (no unknown inside
    /// arrays or objects).
    pub fn is_fully_known(&self) -> bool {
        match self {
            Val::Unknown(_) => false,
            Val::Array(items) => items.iter().all(Val::is_fully_known),
            Val::Object(obj) => obj.iter().all(|(_, v)| v.is_fully_known()),
            _ => true,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Val::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Val::Int(i) => Some(*i),
            Val::Float(f) if f.fract() == 0.0 && f.is_finite() => Some(*f as i64),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Val]> {
        match self {
            Val::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Obj> {
        match self {
            Val::Object(obj) => Some(obj),
            _ => None,
        }
    }

    pub fn as_unknown(&self) -> Option<&Unknown> {
        match self {
            Val::Unknown(u) => Some(u),
            _ => None,
        }
    }

    /// Member of a known object (case-insensitive). `None` for unknowns and
    /// non-objects; use [`Val::member`] to keep unknowns symbolic.
    pub fn get(&self, key: &str) -> Option<&Val> {
        self.as_object()?.get(key)
    }

    /// Follows object keys (and, on arrays, decimal indexes) through known
    /// values.
    pub fn get_path(&self, path: &[&str]) -> Option<&Val> {
        path.iter().try_fold(self, |v, k| match v {
            Val::Array(items) => k.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => v.get(k),
        })
    }

    /// Property access with ARM semantics: on a known object, the member (or
    /// an unknown saying it is missing); on an unknown, a longer symbolic
    /// path (`reference(x)` then `.principalId`).
    pub fn member(&self, key: &str) -> Val {
        match self {
            Val::Object(obj) => obj
                .get(key)
                .cloned()
                .unwrap_or_else(|| Val::opaque(format!("the object has no property '{key}'"))),
            Val::Unknown(u) => Val::unknown(u.member(key)),
            other => Val::opaque(format!("property '{key}' of a {} value", other.type_name())),
        }
    }

    /// Name of the value's type as ARM calls it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Val::Null => "null",
            Val::Bool(_) => "bool",
            Val::Int(_) | Val::Float(_) => "int",
            Val::Str(_) => "string",
            Val::Array(_) => "array",
            Val::Object(_) => "object",
            Val::Unknown(_) => "unknown",
        }
    }

    /// Converts a known value to JSON; unknowns become `null` in the output
    /// and are listed by the caller when it matters. See
    /// [`Val::to_json_lossy`] for a rendering that keeps them readable.
    pub fn to_json(&self) -> Option<serde_json::Value> {
        Some(match self {
            Val::Null => serde_json::Value::Null,
            Val::Bool(b) => serde_json::Value::Bool(*b),
            Val::Int(i) => serde_json::Value::from(*i),
            Val::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Val::Str(s) => serde_json::Value::String(s.to_string()),
            Val::Array(items) => {
                serde_json::Value::Array(items.iter().map(Val::to_json).collect::<Option<_>>()?)
            }
            Val::Object(obj) => serde_json::Value::Object(
                obj.iter()
                    .map(|(k, v)| Some((k.to_string(), v.to_json()?)))
                    .collect::<Option<_>>()?,
            ),
            Val::Unknown(_) => return None,
        })
    }

    /// Converts to JSON with every unknown rendered as
    /// `{"$unknown": "<ARM-like expression>"}` (the plugin model's
    /// convention).
    pub fn to_json_lossy(&self) -> serde_json::Value {
        match self {
            Val::Array(items) => {
                serde_json::Value::Array(items.iter().map(Val::to_json_lossy).collect())
            }
            Val::Object(obj) => serde_json::Value::Object(
                obj.iter()
                    .map(|(k, v)| (k.to_string(), v.to_json_lossy()))
                    .collect(),
            ),
            Val::Unknown(u) => serde_json::json!({ "$unknown": u.to_string() }),
            known => known.to_json().unwrap_or(serde_json::Value::Null),
        }
    }

    /// Builds a value from JSON (parameter values, policy data).
    pub fn from_json(json: &serde_json::Value) -> Val {
        match json {
            serde_json::Value::Null => Val::Null,
            serde_json::Value::Bool(b) => Val::Bool(*b),
            serde_json::Value::Number(n) => n
                .as_i64()
                .map(Val::Int)
                .unwrap_or_else(|| Val::Float(n.as_f64().unwrap_or(0.0))),
            serde_json::Value::String(s) => Val::str(s.as_str()),
            serde_json::Value::Array(items) => {
                Val::array(items.iter().map(Val::from_json).collect())
            }
            serde_json::Value::Object(map) => Val::object(
                map.iter()
                    .map(|(k, v)| (Rc::from(k.as_str()), Val::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// A short human rendering for messages: strings without quotes,
    /// unknowns as their expression (`parameters('name')`).
    pub fn display(&self) -> String {
        match self {
            Val::Str(s) => s.to_string(),
            Val::Unknown(u) => u.to_string(),
            other => other
                .to_json()
                .map(|j| j.to_string())
                .unwrap_or_else(|| other.to_json_lossy().to_string()),
        }
    }
}

/// Longest [`Val::display_compact`] rendering before it is cut with `…`.
const COMPACT_MAX: usize = 90;

impl Val {
    /// A short rendering of a name for messages: known pieces as they are,
    /// each unknown piece as the expression it stands for with its
    /// arguments elided (`id-{parameters('location')}`,
    /// `web{uniqueString(…)}`), and a piece the evaluator could not follow
    /// as `{…}`. Never longer than about 90 characters.
    pub fn display_compact(&self) -> String {
        let mut out = match self {
            Val::Unknown(u) => {
                let mut s = String::new();
                compact(u, &mut s);
                s
            }
            other => other.display(),
        };
        if out.chars().count() > COMPACT_MAX {
            out = out.chars().take(COMPACT_MAX - 1).collect();
            out.push('…');
        }
        out
    }

    /// Whether [`Val::display_compact`] has to leave a piece out (`{…}`).
    pub fn has_opaque(&self) -> bool {
        fn opaque(u: &Unknown) -> bool {
            match u {
                Unknown::Opaque(_) => true,
                Unknown::Str(parts) => parts.iter().any(|p| match p {
                    Part::Hole(h) => opaque(h),
                    Part::Lit(_) => false,
                }),
                Unknown::Member { of, .. } => opaque(of),
                _ => false,
            }
        }
        self.as_unknown().is_some_and(opaque)
    }
}

fn compact(u: &Unknown, out: &mut String) {
    use std::fmt::Write as _;
    let members = |out: &mut String, path: &[Rc<str>]| {
        for p in path {
            out.push('.');
            out.push_str(p);
        }
    };
    match u {
        Unknown::Parameter(name) => {
            let _ = write!(out, "parameters('{name}')");
        }
        Unknown::Deployment(expr) => out.push_str(expr),
        Unknown::Reference { path, .. } => {
            out.push_str("reference(…)");
            members(out, path);
        }
        Unknown::List { function, path, .. } => {
            let _ = write!(out, "{function}(…)");
            members(out, path);
        }
        Unknown::Guid(_) => out.push_str("guid(…)"),
        Unknown::UniqueString(_) => out.push_str("uniqueString(…)"),
        Unknown::NonDeterministic(f) => {
            let _ = write!(out, "{f}()");
        }
        Unknown::Str(parts) => {
            for part in parts {
                match part {
                    Part::Lit(s) => out.push_str(s),
                    Part::Hole(h) => {
                        out.push('{');
                        compact(h, out);
                        out.push('}');
                    }
                }
            }
        }
        Unknown::Member { of, path } => {
            compact(of, out);
            members(out, path);
        }
        Unknown::Opaque(_) => out.push('…'),
    }
}

impl Unknown {
    /// `self.key`: extends symbolic paths, wraps everything else.
    pub fn member(&self, key: &str) -> Unknown {
        let key: Rc<str> = Rc::from(key);
        match self {
            Unknown::Reference { target, full, path } => {
                let mut path = path.clone();
                path.push(key);
                Unknown::Reference {
                    target: target.clone(),
                    full: *full,
                    path,
                }
            }
            Unknown::List {
                function,
                target,
                path,
            } => {
                let mut path = path.clone();
                path.push(key);
                Unknown::List {
                    function: function.clone(),
                    target: target.clone(),
                    path,
                }
            }
            Unknown::Member { of, path } => {
                let mut path = path.clone();
                path.push(key);
                Unknown::Member {
                    of: of.clone(),
                    path,
                }
            }
            other => Unknown::Member {
                of: Rc::new(other.clone()),
                path: vec![key],
            },
        }
    }

    /// For a reference, the property path with a leading `properties`
    /// removed when the reference is `'Full'` (so `reference(x).principalId`
    /// and `reference(x, v, 'Full').properties.principalId` both give
    /// `["principalId"]`). `None` for other unknowns.
    pub fn reference_property(&self) -> Option<(&Val, Vec<&str>)> {
        match self {
            Unknown::Reference { target, full, path } => {
                let mut p: Vec<&str> = path.iter().map(|s| &**s).collect();
                if *full {
                    if p.first()
                        .is_some_and(|s| s.eq_ignore_ascii_case("properties"))
                    {
                        p.remove(0);
                    } else {
                        // `identity.principalId` of a full reference is the
                        // system-assigned identity: keep the path as written.
                    }
                }
                Some((target, p))
            }
            _ => None,
        }
    }
}

impl fmt::Display for Unknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn path(f: &mut fmt::Formatter<'_>, path: &[Rc<str>]) -> fmt::Result {
            for p in path {
                write!(f, ".{p}")?;
            }
            Ok(())
        }
        fn args(f: &mut fmt::Formatter<'_>, args: &[Val]) -> fmt::Result {
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    write!(f, ", ")?;
                }
                write_val(f, a)?;
            }
            Ok(())
        }
        match self {
            Unknown::Parameter(name) => write!(f, "parameters('{name}')"),
            Unknown::Deployment(expr) => write!(f, "{expr}"),
            Unknown::Reference {
                target,
                full,
                path: p,
            } => {
                write!(f, "reference(")?;
                write_val(f, target)?;
                if *full {
                    write!(f, ", 'Full'")?;
                }
                write!(f, ")")?;
                path(f, p)
            }
            Unknown::List {
                function,
                target,
                path: p,
            } => {
                write!(f, "{function}(")?;
                write_val(f, target)?;
                write!(f, ")")?;
                path(f, p)
            }
            Unknown::Guid(a) => {
                write!(f, "guid(")?;
                args(f, a)?;
                write!(f, ")")
            }
            Unknown::UniqueString(a) => {
                write!(f, "uniqueString(")?;
                args(f, a)?;
                write!(f, ")")
            }
            Unknown::NonDeterministic(func) => write!(f, "{func}()"),
            Unknown::Str(parts) => {
                for part in parts {
                    match part {
                        Part::Lit(s) => write!(f, "{s}")?,
                        Part::Hole(u) => write!(f, "{{{u}}}")?,
                    }
                }
                Ok(())
            }
            Unknown::Member { of, path: p } => {
                write!(f, "{of}")?;
                path(f, p)
            }
            Unknown::Opaque(reason) => write!(f, "<{reason}>"),
        }
    }
}

fn write_val(f: &mut fmt::Formatter<'_>, v: &Val) -> fmt::Result {
    match v {
        Val::Str(s) => write!(f, "'{s}'"),
        Val::Unknown(u) => write!(f, "{u}"),
        other => write!(f, "{}", other.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_paths_grow_symbolically() {
        let r = Val::unknown(Unknown::Reference {
            target: Val::str("uami"),
            full: true,
            path: vec![],
        });
        let p = r.member("properties").member("principalId");
        let u = p.as_unknown().unwrap();
        let (target, path) = u.reference_property().unwrap();
        assert_eq!(target, &Val::str("uami"));
        assert_eq!(path, vec!["principalId"]);
        assert_eq!(
            u.to_string(),
            "reference('uami', 'Full').properties.principalId"
        );
    }

    #[test]
    fn compact_display_elides_arguments_and_opaque_pieces() {
        let name = Val::unknown(Unknown::Str(vec![
            Part::Lit(Rc::from("id-")),
            Part::Hole(Rc::new(Unknown::Opaque(Rc::from(
                "toLower() of a value that is not known (parameters('x'))",
            )))),
            Part::Lit(Rc::from("-")),
            Part::Hole(Rc::new(Unknown::UniqueString(vec![Val::unknown(
                Unknown::Deployment(Rc::from("resourceGroup().id")),
            )]))),
            Part::Lit(Rc::from("-")),
            Part::Hole(Rc::new(Unknown::Parameter(Rc::from("env")))),
        ]));
        assert_eq!(
            name.display_compact(),
            "id-{…}-{uniqueString(…)}-{parameters('env')}"
        );
        assert!(name.has_opaque());
        assert_eq!(Val::str("id-a").display_compact(), "id-a");
        let long = Val::str("x".repeat(200));
        assert_eq!(long.display_compact().chars().count(), 90);
    }

    #[test]
    fn objects_are_case_insensitive_and_last_wins() {
        let mut o = Obj::new();
        o.insert("Name", Val::Int(1));
        o.insert("name", Val::Int(2));
        assert_eq!(o.len(), 1);
        assert_eq!(o.get("NAME"), Some(&Val::Int(2)));
    }
}
