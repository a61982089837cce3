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
use std::ops::Deref;
use std::rc::Rc;

/// Deepest nesting of arrays, objects and unknowns in one value. A value
/// that would nest deeper is unknown instead (every walk over values may
/// recurse this deep; the source layer already refuses deeper JSON).
pub const MAX_VALUE_NESTING: u32 = 1024;

/// Weight of a value, saturated: far above any budget.
const WEIGHT_MAX: u64 = 1 << 60;

/// Size and depth of a value, kept with every array, object and composite
/// unknown so that they are known in constant time however much of the
/// value is shared (see [`Val::weight`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Meta {
    /// About the bytes of memory the value would take as a tree (no part
    /// shared): a string's length plus its allocation, a fixed size per
    /// array, object, member and item. Shared parts count every time they
    /// occur.
    pub weight: u64,
    /// Levels of arrays, objects and unknowns (a scalar is 0).
    pub depth: u32,
    /// Whether the value is known all the way down.
    pub known: bool,
}

impl Meta {
    const SCALAR: Meta = Meta {
        weight: 16,
        depth: 0,
        known: true,
    };

    /// An empty container (`known`) or an unknown (not), of `weight`.
    const fn base(weight: u64, known: bool) -> Meta {
        Meta {
            weight,
            depth: 0,
            known,
        }
    }

    fn add(self, child: Meta, extra: u64) -> Meta {
        Meta {
            weight: self
                .weight
                .saturating_add(child.weight)
                .saturating_add(extra)
                .min(WEIGHT_MAX),
            depth: self.depth.max(child.depth.saturating_add(1)),
            known: self.known && child.known,
        }
    }
}

/// A value during evaluation. Cheap to clone (reference counted).
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    Array(Rc<Arr>),
    Object(Rc<Obj>),
    Unknown(Rc<Unknown>),
}

/// The items of a known array, with their [`Meta`]. Dereferences to the
/// `Vec` of items.
#[derive(Clone, Debug, Default)]
pub struct Arr {
    items: Vec<Val>,
    meta: Meta,
}

impl Arr {
    pub fn new(items: Vec<Val>) -> Self {
        let mut meta = Meta::base(48, true);
        for item in &items {
            meta = meta.add(item.meta(), 0);
        }
        Self { items, meta }
    }

    pub fn meta(&self) -> Meta {
        self.meta
    }
}

impl Deref for Arr {
    type Target = Vec<Val>;
    fn deref(&self) -> &Vec<Val> {
        &self.items
    }
}

impl PartialEq for Arr {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other) || (self.meta == other.meta && self.items == other.items)
    }
}

/// An object with ARM semantics: insertion order kept, keys compared
/// ASCII-case-insensitively, a repeated key replaces the earlier value.
/// Objects of more than [`Obj::INDEXED`] members keep a hash index of
/// their lowercased keys, so building and reading wide objects stays
/// linear.
#[derive(Clone, Debug, Default)]
pub struct Obj {
    entries: Vec<(Rc<str>, Val)>,
    /// Weight of the entries (keys and values); the object adds 2.
    weight: u64,
    /// An upper bound of the values' depth (replacing a value never
    /// lowers it).
    depth: u32,
    /// How many values are not known all the way down.
    unknowns: usize,
    /// Lowercased key → position, once the object is wide.
    index: Option<std::collections::HashMap<Box<str>, usize>>,
}

impl PartialEq for Obj {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other) || (self.weight == other.weight && self.entries == other.entries)
    }
}

impl Obj {
    /// Members beyond which an object keeps a key index.
    const INDEXED: usize = 32;

    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_capacity(n: usize) -> Self {
        Self {
            entries: Vec::with_capacity(n),
            ..Self::default()
        }
    }

    fn entry_weight(key: &str, value: &Val) -> u64 {
        (key.len() as u64)
            .saturating_add(24)
            .saturating_add(value.weight())
    }

    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => {
                if key.bytes().any(|b| b.is_ascii_uppercase()) {
                    index.get(key.to_ascii_lowercase().as_str()).copied()
                } else {
                    index.get(key).copied()
                }
            }
            None => self
                .entries
                .iter()
                .position(|(k, _)| k.eq_ignore_ascii_case(key)),
        }
    }

    fn reindex(&mut self) {
        self.index = (self.entries.len() > Self::INDEXED).then(|| {
            self.entries
                .iter()
                .enumerate()
                .map(|(i, (k, _))| (k.to_ascii_lowercase().into_boxed_str(), i))
                .collect()
        });
    }

    /// Inserts or replaces (case-insensitively) `key`.
    pub fn insert(&mut self, key: impl Into<Rc<str>>, value: Val) {
        let key = key.into();
        let meta = value.meta();
        self.depth = self.depth.max(meta.depth);
        let added = Self::entry_weight(&key, &value);
        if !meta.known {
            self.unknowns += 1;
        }
        if let Some(slot) = self.position(&key).and_then(|i| self.entries.get_mut(i)) {
            let removed = Self::entry_weight(&slot.0, &slot.1);
            if !slot.1.meta().known {
                self.unknowns = self.unknowns.saturating_sub(1);
            }
            slot.1 = value;
            self.weight = self.weight.saturating_sub(removed);
        } else {
            if let Some(index) = &mut self.index {
                index.insert(
                    key.to_ascii_lowercase().into_boxed_str(),
                    self.entries.len(),
                );
            }
            self.entries.push((key, value));
            if self.index.is_none() && self.entries.len() > Self::INDEXED {
                self.reindex();
            }
        }
        self.weight = self.weight.saturating_add(added).min(WEIGHT_MAX);
    }

    pub fn get(&self, key: &str) -> Option<&Val> {
        self.position(key)
            .and_then(|i| self.entries.get(i))
            .map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn remove(&mut self, key: &str) -> Option<Val> {
        let i = self.position(key)?;
        let (k, v) = self.entries.remove(i);
        self.weight = self.weight.saturating_sub(Self::entry_weight(&k, &v));
        if !v.meta().known {
            self.unknowns = self.unknowns.saturating_sub(1);
        }
        if self.index.is_some() {
            self.reindex();
        }
        Some(v)
    }

    /// Size and depth of the object as a value.
    pub fn meta(&self) -> Meta {
        Meta {
            weight: self.weight.saturating_add(64),
            depth: self.depth.saturating_add(1),
            known: self.unknowns == 0,
        }
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

impl Part {
    fn meta(&self) -> Meta {
        match self {
            Part::Lit(s) => Meta::base(s.len() as u64, true),
            Part::Hole(u) => u.meta(),
        }
    }
}

/// The arguments of `guid(…)` or `uniqueString(…)`, with their [`Meta`].
/// Dereferences to the `Vec` of values.
#[derive(Clone, Debug, Default)]
pub struct Args {
    vals: Vec<Val>,
    meta: Meta,
}

impl From<Vec<Val>> for Args {
    fn from(vals: Vec<Val>) -> Self {
        let mut meta = Meta::base(48, false);
        for v in &vals {
            meta = meta.add(v.meta(), 0);
        }
        Self { vals, meta }
    }
}

impl Deref for Args {
    type Target = Vec<Val>;
    fn deref(&self) -> &Vec<Val> {
        &self.vals
    }
}

impl PartialEq for Args {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other) || (self.meta == other.meta && self.vals == other.vals)
    }
}

/// The pieces of a partially known string, with their [`Meta`].
/// Dereferences to the `Vec` of pieces.
#[derive(Clone, Debug, Default)]
pub struct Parts {
    parts: Vec<Part>,
    meta: Meta,
}

impl From<Vec<Part>> for Parts {
    fn from(parts: Vec<Part>) -> Self {
        let mut meta = Meta::base(48, false);
        for p in &parts {
            meta = meta.add(p.meta(), 24);
        }
        Self { parts, meta }
    }
}

impl Deref for Parts {
    type Target = Vec<Part>;
    fn deref(&self) -> &Vec<Part> {
        &self.parts
    }
}

impl PartialEq for Parts {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other) || (self.meta == other.meta && self.parts == other.parts)
    }
}

impl<'a> IntoIterator for &'a Arr {
    type Item = &'a Val;
    type IntoIter = std::slice::Iter<'a, Val>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<'a> IntoIterator for &'a Args {
    type Item = &'a Val;
    type IntoIter = std::slice::Iter<'a, Val>;
    fn into_iter(self) -> Self::IntoIter {
        self.vals.iter()
    }
}

impl<'a> IntoIterator for &'a Parts {
    type Item = &'a Part;
    type IntoIter = std::slice::Iter<'a, Part>;
    fn into_iter(self) -> Self::IntoIter {
        self.parts.iter()
    }
}

impl FromIterator<Val> for Args {
    fn from_iter<T: IntoIterator<Item = Val>>(iter: T) -> Self {
        Self::from(iter.into_iter().collect::<Vec<_>>())
    }
}

impl FromIterator<Part> for Parts {
    fn from_iter<T: IntoIterator<Item = Part>>(iter: T) -> Self {
        Self::from(iter.into_iter().collect::<Vec<_>>())
    }
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
    Guid(Args),
    /// `uniqueString(args…)`.
    UniqueString(Args),
    /// `newGuid()`, `utcNow()`: a different value at every deployment.
    NonDeterministic(Rc<str>),
    /// A string made of known and unknown pieces, in order. Never contains
    /// two adjacent `Lit`s, and has at least one `Hole`.
    Str(Parts),
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

    /// An unknown; a plain opaque one if `u` would nest deeper than
    /// [`MAX_VALUE_NESTING`].
    pub fn unknown(u: Unknown) -> Val {
        if u.meta().depth > MAX_VALUE_NESTING {
            return too_deep();
        }
        Val::Unknown(Rc::new(u))
    }

    pub fn opaque(reason: impl Into<Rc<str>>) -> Val {
        Val::unknown(Unknown::Opaque(reason.into()))
    }

    /// A known array; unknown if it would nest deeper than
    /// [`MAX_VALUE_NESTING`].
    pub fn array(items: Vec<Val>) -> Val {
        let arr = Arr::new(items);
        if arr.meta.depth > MAX_VALUE_NESTING {
            return too_deep();
        }
        Val::Array(Rc::new(arr))
    }

    /// A known object; unknown if it would nest deeper than
    /// [`MAX_VALUE_NESTING`].
    pub fn object(obj: Obj) -> Val {
        if obj.meta().depth > MAX_VALUE_NESTING {
            return too_deep();
        }
        Val::Object(Rc::new(obj))
    }

    /// Size and depth, in constant time (or along a chain of references,
    /// which is never longer than [`MAX_VALUE_NESTING`]).
    pub fn meta(&self) -> Meta {
        match self {
            Val::Null | Val::Bool(_) | Val::Int(_) | Val::Float(_) => Meta::SCALAR,
            Val::Str(s) => Meta::base((s.len() as u64).saturating_add(24), true),
            Val::Array(a) => a.meta,
            Val::Object(o) => o.meta(),
            Val::Unknown(u) => u.meta(),
        }
    }

    /// About the bytes of memory the value would take if no part of it
    /// were shared (see [`Meta::weight`]): what the evaluation budget
    /// counts, and a bound on the cost of any walk over the value.
    /// Constant time.
    pub fn weight(&self) -> u64 {
        self.meta().weight
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Val::Unknown(_))
    }

    /// Whether the value is known all the way down (no unknown inside
    /// arrays or objects).
    pub fn is_fully_known(&self) -> bool {
        self.meta().known
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
            Val::Array(items) => Some(items.as_slice()),
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
        let weight = self.weight();
        if weight > DISPLAY_MAX {
            return format!("<a {} value of about {weight} bytes>", self.type_name());
        }
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

/// Heaviest value [`Val::display`] renders; a heavier one is shown as its
/// type and size (callers compare and print names, IDs and settings, never
/// megabytes).
const DISPLAY_MAX: u64 = 1 << 20;

fn too_deep() -> Val {
    Val::Unknown(Rc::new(Unknown::Opaque(Rc::from(format!(
        "a value nested more than {MAX_VALUE_NESTING} levels deep"
    )))))
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
    /// Size and depth (see [`Val::meta`]).
    pub fn meta(&self) -> Meta {
        let path_weight = |path: &[Rc<str>]| {
            path.iter()
                .map(|p| p.len() as u64 + 16)
                .fold(0u64, u64::saturating_add)
        };
        let leaf = |s: &str| Meta {
            weight: (s.len() as u64).saturating_add(48),
            depth: 1,
            known: false,
        };
        match self {
            Unknown::Parameter(s) | Unknown::Deployment(s) | Unknown::NonDeterministic(s) => {
                leaf(s)
            }
            Unknown::Opaque(s) => leaf(s),
            Unknown::Reference { target, path, .. } => {
                Meta::base(48 + path_weight(path), false).add(target.meta(), 0)
            }
            Unknown::List {
                function,
                target,
                path,
            } => Meta::base(48 + function.len() as u64 + path_weight(path), false)
                .add(target.meta(), 0),
            Unknown::Guid(args) | Unknown::UniqueString(args) => Meta {
                weight: args.meta.weight,
                depth: args.meta.depth.saturating_add(1),
                known: false,
            },
            Unknown::Str(parts) => Meta {
                weight: parts.meta.weight,
                depth: parts.meta.depth.saturating_add(1),
                known: false,
            },
            Unknown::Member { of, path } => {
                Meta::base(48 + path_weight(path), false).add(of.meta(), 0)
            }
        }
    }

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
        // An argument this heavy is named, not printed: a rendering cut
        // short (see `Unknown::brief`) never renders more than one.
        other if other.weight() > ARGUMENT_DISPLAY_MAX => {
            write!(
                f,
                "<a {} value of about {} bytes>",
                other.type_name(),
                other.weight()
            )
        }
        other => write!(f, "{}", other.display()),
    }
}

/// Heaviest array or object an unknown's rendering prints in full.
const ARGUMENT_DISPLAY_MAX: u64 = 16 << 10;

/// Longest [`Unknown::brief`] rendering, in bytes.
const BRIEF_MAX: usize = 4 << 10;

/// A `fmt::Write` that refuses to grow past `max` bytes: the rendering
/// into it stops at the first write that would (the error stops the
/// `write!` chain), keeping what fitted.
struct Capped {
    out: String,
    max: usize,
}

impl fmt::Write for Capped {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.out.len() + s.len() <= self.max {
            self.out.push_str(s);
            return Ok(());
        }
        let mut end = self.max.saturating_sub(self.out.len()).min(s.len());
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        self.out.push_str(s.get(..end).unwrap_or(""));
        Err(fmt::Error)
    }
}

impl Unknown {
    /// The rendering of [`fmt::Display`], cut after about 4 KiB with `…`:
    /// for messages, where an unknown built to be huge must not cost its
    /// size every time a function names it.
    pub fn brief(&self) -> String {
        use fmt::Write as _;
        let mut capped = Capped {
            out: String::new(),
            max: BRIEF_MAX,
        };
        if write!(capped, "{self}").is_err() {
            capped.out.push('…');
        }
        capped.out
    }
}

/// The reason given when the budget runs out.
pub(crate) fn budget_exceeded() -> Val {
    Val::opaque("evaluation stopped: the template's evaluation budget is spent")
}

/// Reason used by functions that got an unknown argument.
pub(super) fn unknown_arg(name: &str, u: &Unknown) -> Val {
    Val::opaque(format!(
        "{name}() of a value that is not known ({})",
        u.brief()
    ))
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
        let name = Val::unknown(Unknown::Str(
            vec![
                Part::Lit(Rc::from("id-")),
                Part::Hole(Rc::new(Unknown::Opaque(Rc::from(
                    "toLower() of a value that is not known (parameters('x'))",
                )))),
                Part::Lit(Rc::from("-")),
                Part::Hole(Rc::new(Unknown::UniqueString(
                    vec![Val::unknown(Unknown::Deployment(Rc::from(
                        "resourceGroup().id",
                    )))]
                    .into(),
                ))),
                Part::Lit(Rc::from("-")),
                Part::Hole(Rc::new(Unknown::Parameter(Rc::from("env")))),
            ]
            .into(),
        ));
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

    #[test]
    fn weights_count_shared_parts_in_constant_time() {
        let mut o = Val::object(Obj::from_iter([(Rc::from("k"), Val::str("v"))]));
        let base = o.weight();
        for _ in 0..60 {
            let mut obj = Obj::new();
            obj.insert("l", o.clone());
            obj.insert("r", o.clone());
            o = Val::object(obj);
        }
        // 2^60 copies of the leaf as a tree: the weight saturates, far
        // above any budget, and was computed without walking the tree.
        assert!(o.weight() >= base << 40, "{}", o.weight());
        assert_eq!(o.meta().depth, 61);
        assert!(o.is_fully_known());
        let unknown = Val::array(vec![Val::Int(1), Val::opaque("x")]);
        assert!(!unknown.is_fully_known());
        let args = Val::unknown(Unknown::Guid(vec![o.clone(), o.clone()].into()));
        assert!(args.weight() >= 2 * o.weight().min(WEIGHT_MAX / 2));
    }

    #[test]
    fn values_stop_at_the_nesting_limit() {
        let mut v = Val::Int(0);
        for _ in 0..MAX_VALUE_NESTING + 10 {
            v = Val::array(vec![v]);
        }
        // The level past the limit became an unknown saying so; the levels
        // above it start again from there.
        assert!(v.meta().depth <= MAX_VALUE_NESTING);
        assert!(v.display().contains("nested more than 1024 levels deep"));
        let mut u = Val::opaque("start");
        for _ in 0..MAX_VALUE_NESTING + 10 {
            u = Val::unknown(Unknown::Reference {
                target: u,
                full: false,
                path: vec![],
            });
        }
        assert!(u.meta().depth <= MAX_VALUE_NESTING + 1, "{:?}", u.meta());
    }

    #[test]
    fn wide_objects_keep_an_index_and_an_exact_weight() {
        let mut o = Obj::new();
        for i in 0..100 {
            o.insert(format!("Key{i}"), Val::Int(i));
        }
        o.insert("KEY7", Val::str("seven"));
        o.insert("key50", Val::opaque("unknown"));
        assert_eq!(o.len(), 100);
        assert_eq!(o.get("key7"), Some(&Val::str("seven")));
        assert!(o.get("KEY50").is_some_and(Val::is_unknown));
        assert!(!o.meta().known);
        assert!(o.remove("Key50").is_some());
        assert!(o.meta().known);
        assert_eq!(o.get("key99"), Some(&Val::Int(99)));
        assert_eq!(o.len(), 99);
        // The weight is what building the same members afresh gives (the
        // depth is an upper bound).
        let rebuilt: Obj = o.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        assert_eq!(rebuilt.meta().weight, o.meta().weight);
        assert_eq!(rebuilt, o);
    }

    #[test]
    fn brief_renderings_are_cut() {
        let long = Val::str("x".repeat(100_000));
        let u = Unknown::Guid(vec![long.clone(), long].into());
        let brief = u.brief();
        assert!(brief.len() <= BRIEF_MAX + 4, "{}", brief.len());
        assert!(brief.starts_with("guid('xxx") && brief.ends_with('…'));
        let short = Unknown::Parameter(Rc::from("p"));
        assert_eq!(short.brief(), "parameters('p')");
    }
}
