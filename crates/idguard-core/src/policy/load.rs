//! Loading a policy: schema validation, `extends` resolution and merging,
//! semantic checks, and compiling patterns once.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use serde_json::{Map, Value};

use super::checks::is_valid_date;
use super::pattern::NamingPattern;
use super::schema::{self, escape, show};
use super::{
    DEFAULT_POLICY_TEXT, Environment, Exemption, PluginLimits, PluginSpec, PolicyProblem, Region,
    STRICT_POLICY_TEXT, Thresholds,
};
use crate::catalog::rule_code;
use crate::finding::Level;
use crate::source::{Document, NodeId};
use crate::vocab::ScopeLevel;

/// A problem before positions are known.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Problem {
    pub pointer: String,
    pub message: String,
    /// Point at the member's key rather than its value (unknown keys).
    pub at_key: bool,
    /// Whether the problem makes everything inside `pointer` moot (a wrong
    /// value), so checks of its parts are not reported on top of it. A
    /// missing property does not cover its object's other properties.
    pub covers: bool,
}

impl Problem {
    pub fn new(pointer: &str, message: &str) -> Self {
        Problem {
            pointer: pointer.to_string(),
            message: message.to_string(),
            at_key: false,
            covers: true,
        }
    }

    fn key(pointer: String, message: String) -> Self {
        Problem {
            pointer,
            message,
            at_key: true,
            covers: true,
        }
    }
}

/// The loaded content of a policy, after merging over what it extends.
#[derive(Clone, Debug, Default)]
pub struct Inner {
    pub extends: String,
    pub description: Option<String>,
    pub rules: BTreeMap<&'static str, Level>,
    /// Levels of plugin rules: `(plugin, code or name or *)`, as written
    /// (`"cost/CC001": "warning"`).
    pub plugin_rules: Vec<(String, String, Level)>,
    pub environments: Vec<Environment>,
    pub regions: Vec<Region>,
    /// Lowercased resource type and its pattern.
    pub naming: Vec<(String, NamingPattern)>,
    /// Lowercased resource type (or `*`) and its tags.
    pub required_tags: Vec<(String, Vec<String>)>,
    /// Lowercased role name, GUID or `*`, and its widest scope.
    pub scopes: Vec<(String, ScopeLevel)>,
    pub thresholds: Thresholds,
    pub exemptions: Vec<Exemption>,
    pub plugins: Vec<PluginSpec>,
}

/// The embedded built-in policy texts by name.
pub fn builtin_text(name: &str) -> Option<&'static str> {
    match name {
        "default" => Some(DEFAULT_POLICY_TEXT),
        "strict" => Some(STRICT_POLICY_TEXT),
        _ => None,
    }
}

/// A built-in policy as raw JSON (built-ins are plain JSON, no comments).
fn builtin_value(name: &str) -> Option<&'static Value> {
    static DEFAULT: OnceLock<Option<Value>> = OnceLock::new();
    static STRICT: OnceLock<Option<Value>> = OnceLock::new();
    let cell = match name {
        "default" => &DEFAULT,
        "strict" => &STRICT,
        _ => return None,
    };
    cell.get_or_init(|| serde_json::from_str(builtin_text(name)?).ok())
        .as_ref()
}

/// What `value` extends, fully merged (`none` is the empty object).
fn resolved_base(value: &Value, depth: usize) -> Value {
    let name = value
        .get("extends")
        .and_then(Value::as_str)
        .unwrap_or("default");
    match builtin_value(name) {
        // Built-ins extend each other in a fixed, acyclic way; the depth
        // bound only guards against a future mistake.
        Some(base) if depth < 4 => merge(&resolved_base(base, depth + 1), base),
        _ => Value::Object(Map::new()),
    }
}

/// Merges `over` onto `base` (see docs/policy.md, "extends and merging").
pub fn merge(base: &Value, over: &Value) -> Value {
    let (Some(base_map), Some(over_map)) = (base.as_object(), over.as_object()) else {
        return over.clone();
    };
    let mut out = base_map.clone();
    for (key, value) in over_map {
        let merged = match (key.as_str(), out.get(key)) {
            ("rules", Some(Value::Object(b))) => match value.as_object() {
                // A rule key is the same as another naming the same rule
                // (by code or name, any case); any other key only as itself.
                Some(o) => Value::Object(merge_map(b, o, |k| match rule_code(k) {
                    Some(code) => format!("rule:{code}"),
                    None => format!("key:{k}"),
                })),
                None => value.clone(),
            },
            ("naming" | "requiredTags" | "scopes", Some(Value::Object(b))) => {
                match value.as_object() {
                    Some(o) => Value::Object(merge_map(b, o, str::to_ascii_lowercase)),
                    None => value.clone(),
                }
            }
            ("environments" | "regions" | "thresholds", Some(Value::Object(b))) => {
                match value.as_object() {
                    Some(o) => Value::Object(merge_map(b, o, str::to_string)),
                    None => value.clone(),
                }
            }
            ("exemptions" | "plugins", Some(Value::Array(b))) => match value.as_array() {
                Some(o) => Value::Array(b.iter().chain(o).cloned().collect()),
                None => value.clone(),
            },
            _ => value.clone(),
        };
        out.insert(key.clone(), merged);
    }
    Value::Object(out)
}

/// Key-by-key merge: an entry of `over` replaces every entry of `base`
/// whose key is `same` as its own. `base` is a built-in policy's (a few
/// dozen keys at most); `over` may be anything, so it is not scanned once
/// per base key: `same(a, b)` must mean `class(a) == class(b)`, and the
/// classes of `over` are collected once.
fn merge_map(
    base: &Map<String, Value>,
    over: &Map<String, Value>,
    class: impl Fn(&str) -> String,
) -> Map<String, Value> {
    let overridden: HashSet<String> = over.keys().map(|k| class(k)).collect();
    let mut out: Map<String, Value> = base
        .iter()
        .filter(|(k, _)| !overridden.contains(&class(k)))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (k, v) in over {
        out.insert(k.clone(), v.clone());
    }
    out
}

/// Validates and loads a policy value. All problems at once.
pub fn load(value: &Value) -> Result<Inner, Vec<Problem>> {
    load_with(value, true)
}

/// Loads a built-in policy without the JSON Schema pass: the shipped
/// policies are checked against the schema by the test suite
/// (`tests/policy_builtins.rs`), and compiling the schema and validating
/// costs a few milliseconds in every process that uses a built-in policy.
/// The loader's own checks still run.
pub fn load_builtin(value: &Value) -> Result<Inner, Vec<Problem>> {
    load_with(value, false)
}

fn load_with(value: &Value, validate: bool) -> Result<Inner, Vec<Problem>> {
    let mut problems = if validate {
        schema::problems(value)
    } else {
        Vec::new()
    };
    let base = resolved_base(value, 0);
    let base_exemptions = base
        .get("exemptions")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let base_plugins = base
        .get("plugins")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let merged = merge(&base, value);
    let mut builder = Builder {
        problems: Vec::new(),
        base_exemptions,
        base_plugins,
    };
    let extends = value
        .get("extends")
        .and_then(Value::as_str)
        .unwrap_or("default");
    let inner = builder.build(&merged, extends);
    // A value the schema already rejected is not reported twice. Both
    // steps are linear: a policy with 100,000 unknown keys has as many
    // problems.
    let covered: HashSet<String> = problems
        .iter()
        .filter(|p| p.covers)
        .map(|p| p.pointer.clone())
        .collect();
    problems.extend(
        builder
            .problems
            .into_iter()
            .filter(|p| !is_covered(&p.pointer, &covered)),
    );
    let mut seen = HashSet::new();
    problems.retain(|p| seen.insert(p.clone()));
    if problems.is_empty() {
        Ok(inner)
    } else {
        Err(problems)
    }
}

/// Whether `pointer` is one of `covered` or inside one: the pointer itself
/// or one of its prefixes that ends before a `/` (the whole document is
/// `""`).
fn is_covered(pointer: &str, covered: &HashSet<String>) -> bool {
    covered.contains(pointer)
        || pointer
            .match_indices('/')
            .any(|(i, _)| pointer.get(..i).is_some_and(|p| covered.contains(p)))
}

/// Why `plugin` (the part of a rule key before `/`) names no plugin of the
/// policy, or `None` when it does.
fn unknown_plugin(plugin: &str, inner: &Inner) -> Option<String> {
    let names: Vec<String> = inner
        .plugins
        .iter()
        .map(PluginSpec::effective_name)
        .collect();
    if names.iter().any(|n| n == plugin) {
        return None;
    }
    Some(if names.is_empty() {
        format!("'{plugin}/…' names a plugin rule, but the policy has no plugins")
    } else {
        format!(
            "'{plugin}/…' names a plugin rule, but no plugin of the policy is called '{plugin}' (plugins: {})",
            names.join(", ")
        )
    })
}

struct Builder {
    problems: Vec<Problem>,
    base_exemptions: usize,
    base_plugins: usize,
}

fn object(value: &Value, key: &str) -> Option<Map<String, Value>> {
    value.get(key).and_then(Value::as_object).cloned()
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn level(text: &str) -> Option<Level> {
    match text {
        "off" => Some(Level::Off),
        "info" => Some(Level::Info),
        "warning" => Some(Level::Warning),
        "error" => Some(Level::Error),
        _ => None,
    }
}

/// Parses a scope level as written in policies.
pub fn scope_level(text: &str) -> Option<ScopeLevel> {
    match text {
        "resource" => Some(ScopeLevel::Resource),
        "resourceGroup" => Some(ScopeLevel::ResourceGroup),
        "subscription" => Some(ScopeLevel::Subscription),
        "managementGroup" => Some(ScopeLevel::ManagementGroup),
        "tenant" => Some(ScopeLevel::Tenant),
        _ => None,
    }
}

impl Builder {
    fn problem(&mut self, pointer: String, message: String) {
        self.problems.push(Problem {
            pointer,
            message,
            at_key: false,
            covers: true,
        });
    }

    fn build(&mut self, v: &Value, extends: &str) -> Inner {
        let mut inner = Inner {
            extends: extends.to_string(),
            description: v
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_string),
            ..Inner::default()
        };
        // Plugins first: `rules` and `exemptions` may name their rules.
        self.plugins(v, &mut inner);
        self.rules(v, &mut inner);
        self.environments(v, &mut inner);
        self.regions(v, &mut inner);
        self.naming(v, &mut inner);
        for (ty, tags) in object(v, "requiredTags").unwrap_or_default() {
            inner
                .required_tags
                .push((ty.to_ascii_lowercase(), strings(Some(&tags))));
        }
        for (role, scope) in object(v, "scopes").unwrap_or_default() {
            if let Some(level) = scope.as_str().and_then(scope_level) {
                inner.scopes.push((role.to_lowercase(), level));
            }
        }
        self.thresholds(v, &mut inner);
        self.exemptions(v, &mut inner);
        inner
    }

    fn rules(&mut self, v: &Value, inner: &mut Inner) {
        let mut set_by: BTreeMap<&'static str, String> = BTreeMap::new();
        for (key, value) in object(v, "rules").unwrap_or_default() {
            let pointer = format!("/rules/{}", escape(&key));
            if let Some((plugin, rule)) = key.split_once('/') {
                if let Some(problem) = unknown_plugin(plugin, inner) {
                    self.problems.push(Problem::key(pointer, problem));
                    continue;
                }
                match value.as_str().and_then(level) {
                    Some(level) => {
                        inner
                            .plugin_rules
                            .push((plugin.to_string(), rule.to_string(), level))
                    }
                    None => self.problem(
                        pointer,
                        format!("{} is not one of off, info, warning, error", show(&value)),
                    ),
                }
                continue;
            }
            let Some(code) = rule_code(&key) else {
                self.problems
                    .push(Problem::key(pointer, format!("unknown rule '{key}'")));
                continue;
            };
            if let Some(other) = set_by.get(code) {
                self.problems.push(Problem::key(
                    pointer,
                    format!("'{key}' sets the same rule as '{other}'; keep one"),
                ));
                continue;
            }
            set_by.insert(code, key.clone());
            match value.as_str().and_then(level) {
                Some(level) => {
                    inner.rules.insert(code, level);
                }
                None => self.problem(
                    pointer,
                    format!("{} is not one of off, info, warning, error", show(&value)),
                ),
            }
        }
    }

    fn environments(&mut self, v: &Value, inner: &mut Inner) {
        // token -> environment that claimed it first
        let mut owner: BTreeMap<String, String> = BTreeMap::new();
        for (name, entry) in object(v, "environments").unwrap_or_default() {
            let aliases = strings(entry.get("aliases"));
            let production = entry
                .get("production")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let tokens =
                std::iter::once((format!("/environments/{}", escape(&name)), name.clone())).chain(
                    aliases.iter().enumerate().map(|(i, a)| {
                        (
                            format!("/environments/{}/aliases/{i}", escape(&name)),
                            a.clone(),
                        )
                    }),
                );
            for (pointer, token) in tokens {
                let token = token.to_lowercase();
                match owner.get(&token) {
                    Some(other) if *other != name => {
                        let problem = format!(
                            "'{token}' is already a name or alias of environment '{other}'"
                        );
                        if pointer.contains("/aliases/") {
                            self.problem(pointer, problem);
                        } else {
                            self.problems.push(Problem::key(pointer, problem));
                        }
                    }
                    Some(_) => {}
                    None => {
                        owner.insert(token, name.clone());
                    }
                }
            }
            inner.environments.push(Environment {
                name,
                aliases,
                production,
            });
        }
    }

    fn regions(&mut self, v: &Value, inner: &mut Inner) {
        let mut owner: BTreeMap<String, String> = BTreeMap::new();
        for (name, codes) in object(v, "regions").unwrap_or_default() {
            let short_codes = strings(Some(&codes));
            let tokens = std::iter::once((format!("/regions/{}", escape(&name)), name.clone()))
                .chain(
                    short_codes
                        .iter()
                        .enumerate()
                        .map(|(i, c)| (format!("/regions/{}/{i}", escape(&name)), c.clone())),
                );
            for (pointer, token) in tokens {
                let token = token.to_lowercase();
                match owner.get(&token) {
                    Some(other) if *other != name => {
                        self.problem(
                            pointer,
                            format!(
                                "'{token}' is already a name or short code of region '{other}'"
                            ),
                        );
                    }
                    Some(_) => {}
                    None => {
                        owner.insert(token, name.clone());
                    }
                }
            }
            inner.regions.push(Region { name, short_codes });
        }
    }

    fn naming(&mut self, v: &Value, inner: &mut Inner) {
        let env_tokens: Vec<String> = inner
            .environments
            .iter()
            .flat_map(|e| std::iter::once(&e.name).chain(&e.aliases))
            .map(|t| t.to_lowercase())
            .collect();
        let region_tokens: Vec<String> = inner
            .regions
            .iter()
            .flat_map(|r| std::iter::once(&r.name).chain(&r.short_codes))
            .map(|t| t.to_lowercase())
            .collect();
        let envs: Vec<&str> = env_tokens.iter().map(String::as_str).collect();
        let regions: Vec<&str> = region_tokens.iter().map(String::as_str).collect();
        for (ty, pattern) in object(v, "naming").unwrap_or_default() {
            let pointer = format!("/naming/{}", escape(&ty));
            let compiled = match &pattern {
                Value::String(template) => NamingPattern::template(template, &envs, &regions)
                    .map_err(|e| (pointer.clone(), e)),
                Value::Object(o) => match o.get("regex").and_then(Value::as_str) {
                    Some(re) => {
                        NamingPattern::regex(re, o.get("description").and_then(Value::as_str))
                            .map_err(|e| (format!("{pointer}/regex"), e))
                    }
                    None => continue,
                },
                _ => continue,
            };
            match compiled {
                Ok(p) => inner.naming.push((ty.to_ascii_lowercase(), p)),
                Err((pointer, message)) => self.problem(pointer, message),
            }
        }
    }

    fn thresholds(&mut self, v: &Value, inner: &mut Inner) {
        let t = object(v, "thresholds").unwrap_or_default();
        let mut get = |key: &str, default: u32| -> u32 {
            match t.get(key).and_then(Value::as_u64) {
                Some(n) => u32::try_from(n).unwrap_or_else(|_| {
                    self.problems.push(Problem::new(
                        &format!("/thresholds/{key}"),
                        &format!("{n} is too large"),
                    ));
                    default
                }),
                None => default,
            }
        };
        let d = Thresholds::default();
        inner.thresholds = Thresholds {
            max_attached_workloads: get("maxAttachedWorkloads", d.max_attached_workloads),
            max_role_assignment_scopes: get(
                "maxRoleAssignmentScopes",
                d.max_role_assignment_scopes,
            ),
            replicated_system_assigned: get(
                "replicatedSystemAssigned",
                d.replicated_system_assigned,
            ),
            max_federated_credentials: get("maxFederatedCredentials", d.max_federated_credentials),
        };
    }

    fn exemptions(&mut self, v: &Value, inner: &mut Inner) {
        let items = v
            .get("exemptions")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (index, item) in items.iter().enumerate() {
            let pointer = format!(
                "/exemptions/{}",
                index.checked_sub(self.base_exemptions).unwrap_or(index)
            );
            let text = |key: &str| item.get(key).and_then(Value::as_str).map(str::to_string);
            let rule = match text("rule") {
                Some(r) if r == "*" => Some(r),
                Some(r) if r.contains('/') => {
                    let plugin = r.split('/').next().unwrap_or_default();
                    match unknown_plugin(plugin, inner) {
                        Some(problem) => {
                            self.problem(format!("{pointer}/rule"), problem);
                            None
                        }
                        None => Some(r),
                    }
                }
                Some(r) => {
                    let code = rule_code(&r).map(str::to_string);
                    if code.is_none() {
                        self.problem(format!("{pointer}/rule"), format!("unknown rule '{r}'"));
                    }
                    code
                }
                None => None,
            };
            let expires = text("expires");
            if let Some(date) = expires.as_deref().filter(|d| !is_valid_date(d)) {
                self.problem(
                    format!("{pointer}/expires"),
                    format!("'{date}' is not a valid date (YYYY-MM-DD)"),
                );
            }
            let reason = text("reason");
            if reason.as_deref().is_some_and(|r| r.trim().is_empty()) {
                self.problem(
                    format!("{pointer}/reason"),
                    "the reason must not be blank".into(),
                );
            }
            let (Some(rule), Some(resource), Some(reason)) = (rule, text("resource"), reason)
            else {
                continue;
            };
            inner.exemptions.push(Exemption {
                index: inner.exemptions.len(),
                pointer,
                rule,
                resource,
                file: text("file"),
                reason,
                expires,
            });
        }
    }

    fn plugins(&mut self, v: &Value, inner: &mut Inner) {
        let items = v
            .get("plugins")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (index, item) in items.iter().enumerate() {
            let pointer = format!(
                "/plugins/{}",
                index.checked_sub(self.base_plugins).unwrap_or(index)
            );
            let Some(path) = item.get("path").and_then(Value::as_str) else {
                continue;
            };
            if path.trim().is_empty() {
                self.problem(
                    format!("{pointer}/path"),
                    "the path must not be blank".into(),
                );
                continue;
            }
            let limit = |key: &str| {
                item.get("limits")
                    .and_then(|l| l.get(key))
                    .and_then(Value::as_u64)
            };
            inner.plugins.push(PluginSpec {
                path: path.to_string(),
                config: item.get("config").cloned().unwrap_or(Value::Null),
                pointer,
                name: item.get("name").and_then(Value::as_str).map(str::to_string),
                limits: PluginLimits {
                    fuel_millions: limit("fuelMillions"),
                    timeout_ms: limit("timeoutMs"),
                    memory_mib: limit("memoryMiB"),
                },
            });
        }
    }
}

/// Adds line and column to problems by walking each pointer through the
/// parsed document; a pointer that leads nowhere (a missing property)
/// stops at the deepest value that exists.
pub fn locate(problems: Vec<Problem>, doc: &Document, text: &str) -> Vec<PolicyProblem> {
    let mut keys = KeyIndex::default();
    let mut located: Vec<PolicyProblem> = problems
        .into_iter()
        .map(|p| {
            let offset = offset_of(doc, &mut keys, &p.pointer, p.at_key);
            let pos = doc.lines().line_col(text, offset);
            PolicyProblem {
                pointer: p.pointer,
                message: p.message,
                line: Some(pos.line),
                column: Some(pos.column_chars),
            }
        })
        .collect();
    located.sort_by_key(|p| (p.line, p.column));
    located
}

/// Members of the objects problems point into, by key, built once per
/// object: finding each of 100,000 problems' keys by a scan of a
/// 100,000-member object was quadratic.
#[derive(Default)]
struct KeyIndex {
    objects: HashMap<NodeId, ObjectKeys>,
}

/// (exact key → member index, ASCII-lowercase key → member index), the
/// last of equal keys winning as in ARM.
type ObjectKeys = (HashMap<String, usize>, HashMap<String, usize>);

impl KeyIndex {
    /// The member of `node` with key `key` (exactly, else ASCII
    /// case-insensitively).
    fn member<'d>(
        &mut self,
        doc: &'d Document,
        node: NodeId,
        key: &str,
    ) -> Option<&'d crate::source::Member> {
        let members = doc.members(node);
        let (exact, folded) = self.objects.entry(node).or_insert_with(|| {
            let mut exact = HashMap::new();
            let mut folded = HashMap::new();
            for (i, m) in members.iter().enumerate() {
                exact.insert(m.key.to_string(), i);
                folded.insert(m.key.to_ascii_lowercase(), i);
            }
            (exact, folded)
        });
        let i = exact
            .get(key)
            .or_else(|| folded.get(&key.to_ascii_lowercase()))?;
        members.get(*i)
    }
}

fn offset_of(doc: &Document, keys: &mut KeyIndex, pointer: &str, at_key: bool) -> u32 {
    let mut node: NodeId = doc.root();
    let mut key_start = None;
    let segments: Vec<String> = pointer.split('/').skip(1).map(schema::unescape).collect();
    let mut complete = true;
    for segment in &segments {
        key_start = None;
        let member = keys.member(doc, node, segment);
        if let Some(m) = member {
            key_start = Some(m.key_span.start);
            node = m.value;
            continue;
        }
        match segment
            .parse::<usize>()
            .ok()
            .and_then(|i| doc.items(node).get(i))
        {
            Some(item) => node = *item,
            None => {
                complete = false;
                break;
            }
        }
    }
    match key_start {
        Some(start) if at_key && complete => start,
        _ => doc.span(node).start,
    }
}
