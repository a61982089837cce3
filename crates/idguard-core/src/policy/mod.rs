//! Policy bundles: rule levels, naming patterns, environments, regions,
//! required tags, scope limits, thresholds, exemptions and plugins.
//!
//! A policy is JSON (comments and trailing commas allowed) validated against
//! `policies/policy.schema.json` (JSON Schema draft 2020-12). It normally
//! extends a built-in policy (`default` unless it says otherwise) and is
//! merged over it; `docs/policy.md` describes every field and the merge
//! rules. Loading reports every problem at once, each with its JSON pointer
//! and, when the policy came from text, its line and column. Patterns are
//! compiled once, at load.

mod checks;
mod glob;
mod load;
mod names;
mod pattern;
mod schema;

use std::fmt;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use crate::finding::Level;
use crate::source::Document;
use crate::vocab::ScopeLevel;

pub use pattern::{NamingPattern, PLACEHOLDERS, PatternKind};
pub use schema::SCHEMA_TEXT;

/// The built-in default policy (`policies/default.json`).
pub const DEFAULT_POLICY_TEXT: &str = include_str!("../../../../policies/default.json");
/// The built-in strict policy (`policies/strict.json`).
pub const STRICT_POLICY_TEXT: &str = include_str!("../../../../policies/strict.json");
/// A commented example of an organisation's policy
/// (`policies/example-organisation.jsonc`), e.g. for `idguard init`.
pub const EXAMPLE_POLICY_TEXT: &str =
    include_str!("../../../../policies/example-organisation.jsonc");
/// Names a policy can give in `extends` (besides `none`).
pub const BUILTIN_NAMES: &[&str] = &["default", "strict"];

/// A loaded, validated policy with its patterns compiled once. Cheap to
/// clone (the content is shared).
#[derive(Clone, Debug)]
pub struct Policy {
    inner: Arc<load::Inner>,
}

/// A policy that failed validation: every problem, each with the JSON
/// pointer and (when parsed from text) the line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyError {
    /// The problems, in document order when positions are known.
    pub problems: Vec<PolicyProblem>,
}

/// One problem of a policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyProblem {
    /// JSON pointer of the offending value (`""` for the whole document).
    pub pointer: String,
    /// What is wrong, in plain words.
    pub message: String,
    /// 1-based, when the policy came from text.
    pub line: Option<u32>,
    /// 1-based, in characters, when the policy came from text.
    pub column: Option<u32>,
}

impl fmt::Display for PolicyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, "{line}:{column}: ")?;
        }
        if self.pointer.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.pointer, self.message)
        }
    }
}

impl std::error::Error for PolicyProblem {}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid policy: ")?;
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PolicyError {}

/// An environment: a canonical name and the aliases that mean it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Environment {
    /// Canonical name, e.g. `prod`.
    pub name: String,
    /// Other tokens meaning this environment, e.g. `prd`, `production`.
    pub aliases: Vec<String>,
    /// Whether this is a production environment (for messages).
    pub production: bool,
}

impl Environment {
    /// Whether `token` is this environment's name or one of its aliases
    /// (case-insensitive).
    pub fn matches_token(&self, token: &str) -> bool {
        self.name.eq_ignore_ascii_case(token)
            || self.aliases.iter().any(|a| a.eq_ignore_ascii_case(token))
    }
}

/// An Azure region and the short codes used for it in names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    /// The ARM location name, e.g. `westeurope`.
    pub name: String,
    /// Short codes, e.g. `weu`.
    pub short_codes: Vec<String>,
}

/// Limits of the reuse rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Thresholds {
    /// MI601: more attached workloads than this is reported.
    pub max_attached_workloads: u32,
    /// MI601: role assignments on more distinct scopes than this is reported.
    pub max_role_assignment_scopes: u32,
    /// MI603: this many or more replicated system-assigned identities is
    /// reported.
    pub replicated_system_assigned: u32,
    /// MI704: more federated credentials on one identity than this is
    /// reported.
    pub max_federated_credentials: u32,
}

impl Default for Thresholds {
    /// The values of `policies/default.json`: 5, 8, 3 and 5.
    fn default() -> Self {
        Thresholds {
            max_attached_workloads: 5,
            max_role_assignment_scopes: 8,
            replicated_system_assigned: 3,
            max_federated_credentials: 5,
        }
    }
}

/// One exemption of the policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exemption {
    /// Position in [`Policy::exemptions`].
    pub index: usize,
    /// JSON pointer of the exemption in the policy file, e.g. `/exemptions/2`.
    pub pointer: String,
    /// The rule's code (`MI101`; names are resolved at load), `*`, or a
    /// plugin's rule as written (`cost/CC001`, `cost/invalid-cost-center`,
    /// `cost/*`).
    pub rule: String,
    /// Resource name or glob (`*`, `?`), compared case-insensitively.
    pub resource: String,
    /// Optional path glob of the template file.
    pub file: Option<String>,
    /// Why the exemption is acceptable.
    pub reason: String,
    /// Last day it applies, `YYYY-MM-DD`.
    pub expires: Option<String>,
}

impl Exemption {
    /// Whether this exemption covers a finding of rule `rule` (code or
    /// name) on resource `resource` in file `file` (`""` when unknown: an
    /// exemption with a `file` glob then does not apply), ignoring expiry.
    ///
    /// A plugin's rule is given as `plugin/CODE` or `plugin/name`; an
    /// exemption for `plugin/*` covers every rule of that plugin.
    pub fn applies_to(&self, rule: &str, resource: &str, file: &str) -> bool {
        let plugin_wildcard = self.rule.strip_suffix("/*").is_some_and(|plugin| {
            rule.split_once('/')
                .is_some_and(|(p, _)| !plugin.is_empty() && p == plugin)
        });
        let rule_matches = self.rule == "*"
            || plugin_wildcard
            || self.rule.eq_ignore_ascii_case(rule)
            || crate::catalog::rule_code(rule) == Some(self.rule.as_str());
        let file_matches = match &self.file {
            None => true,
            Some(_) if file.is_empty() => false,
            Some(pattern) => glob::file_glob_match(pattern, file),
        };
        rule_matches && file_matches && glob::glob_match(&self.resource, resource, true)
    }

    /// Whether the exemption has expired on `today` (`YYYY-MM-DD`): today is
    /// after its `expires` date. Without a date, or without `today`, never.
    pub fn is_expired(&self, today: Option<&str>) -> bool {
        match (&self.expires, today) {
            (Some(expires), Some(today)) if checks::is_valid_date(today) => {
                today > expires.as_str()
            }
            _ => false,
        }
    }
}

/// An exemption that matched a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExemptionMatch {
    /// Position in [`Policy::exemptions`].
    pub index: usize,
    /// JSON pointer of the exemption in the policy file.
    pub pointer: String,
    /// The exemption's rule (`MI101` or `*`).
    pub rule: String,
    /// The exemption's resource glob.
    pub resource: String,
    /// The exemption's reason.
    pub reason: String,
    /// The exemption's expiry date.
    pub expires: Option<String>,
    /// Whether it has expired (it then no longer suppresses the finding).
    pub expired: bool,
}

/// A plugin to run, as configured (validated and stored; the CLI runs it).
#[derive(Clone, Debug, PartialEq)]
pub struct PluginSpec {
    /// Path of the `.wasm` module, relative to the policy file.
    pub path: String,
    /// The plugin's own configuration (`null` when absent).
    pub config: Value,
    /// JSON pointer of the entry in the policy file, e.g. `/plugins/0`.
    pub pointer: String,
    /// The plugin's name (prefix of its finding codes); `None`: the file
    /// stem of `path`.
    pub name: Option<String>,
    /// Limits overriding the host's defaults.
    pub limits: PluginLimits,
}

impl PluginSpec {
    /// The plugin's name: `name` when given, else the file stem of `path`
    /// in lower-case kebab-case (`plugins/Cost_Center.wasm` → `cost-center`;
    /// `plugin` when nothing is left).
    pub fn effective_name(&self) -> String {
        if let Some(n) = &self.name {
            return n.clone();
        }
        let file = self.path.rsplit(['/', '\\']).next().unwrap_or(&self.path);
        let stem = file.strip_suffix(".wasm").unwrap_or(file);
        let mut name = String::with_capacity(stem.len());
        for c in stem.chars() {
            let c = if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            };
            if c != '-' || !(name.is_empty() || name.ends_with('-')) {
                name.push(c);
            }
        }
        let name = name.trim_end_matches('-');
        if name.is_empty() {
            "plugin".to_string()
        } else {
            name.to_string()
        }
    }
}

/// Per-call limits of a plugin (`"limits"` in its policy entry); `None`
/// keeps the host's default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PluginLimits {
    /// Fuel (about one unit per WebAssembly instruction), in millions.
    pub fuel_millions: Option<u64>,
    /// Wall-clock deadline in milliseconds.
    pub timeout_ms: Option<u64>,
    /// Memory cap in MiB.
    pub memory_mib: Option<u64>,
}

impl Policy {
    /// The built-in default (`policies/default.json`).
    pub fn default_policy() -> Policy {
        Self::cached_builtin("default")
    }

    /// The built-in strict policy (`policies/strict.json`).
    pub fn strict() -> Policy {
        Self::cached_builtin("strict")
    }

    /// A built-in policy by name (`default`, `strict`).
    pub fn builtin(name: &str) -> Option<Policy> {
        BUILTIN_NAMES
            .contains(&name)
            .then(|| Self::cached_builtin(name))
    }

    fn cached_builtin(name: &str) -> Policy {
        static DEFAULT: OnceLock<Policy> = OnceLock::new();
        static STRICT: OnceLock<Policy> = OnceLock::new();
        let cell = if name == "strict" { &STRICT } else { &DEFAULT };
        cell.get_or_init(|| {
            // Built-ins are plain JSON; a test proves they load. Should one
            // ever fail, the result is an empty policy, never a panic.
            let inner = load::builtin_text(name)
                .and_then(|text| serde_json::from_str::<Value>(text).ok())
                .and_then(|value| load::load_builtin(&value).ok())
                .unwrap_or_default();
            Policy {
                inner: Arc::new(inner),
            }
        })
        .clone()
    }

    /// Parses and validates policy text (JSON with comments and trailing
    /// commas allowed). Every problem is reported, with line and column.
    pub fn parse(text: &str) -> Result<Policy, PolicyError> {
        let doc = Document::parse(text).map_err(|e| PolicyError {
            problems: vec![PolicyProblem {
                pointer: String::new(),
                message: e.message,
                line: Some(e.line),
                column: Some(e.column),
            }],
        })?;
        let value = doc.to_json(doc.root());
        load::load(&value)
            .map(|inner| Policy {
                inner: Arc::new(inner),
            })
            .map_err(|problems| PolicyError {
                problems: load::locate(problems, &doc, text),
            })
    }

    /// Validates and loads a policy that is already JSON (e.g. an object
    /// passed from JavaScript). Problems carry pointers but no positions.
    pub fn from_value(value: &Value) -> Result<Policy, PolicyError> {
        load::load(value)
            .map(|inner| Policy {
                inner: Arc::new(inner),
            })
            .map_err(|problems| PolicyError {
                problems: problems
                    .into_iter()
                    .map(|p| PolicyProblem {
                        pointer: p.pointer,
                        message: p.message,
                        line: None,
                        column: None,
                    })
                    .collect(),
            })
    }

    /// What this policy extends: `default`, `strict` or `none`.
    pub fn extends(&self) -> &str {
        &self.inner.extends
    }

    /// The policy's own description, if it has one.
    pub fn description(&self) -> Option<&str> {
        self.inner.description.as_deref()
    }

    /// The configured level of a rule, by code or name (case-insensitive);
    /// `None` when the policy is silent and the rule's default applies.
    pub fn level(&self, code: &str) -> Option<Level> {
        let code = crate::catalog::rule_code(code)?;
        self.inner.rules.get(code).copied()
    }

    /// The configured level of a plugin's rule: `code` is the full code
    /// (`cost/CC001`) and `name` the rule's name (`invalid-cost-center`).
    /// A key naming the code or `plugin/name` wins over `plugin/*`;
    /// `None` when the policy is silent (the plugin's own severity applies).
    pub fn plugin_level(&self, code: &str, name: &str) -> Option<Level> {
        let (plugin, own) = code.split_once('/')?;
        let mut wildcard = None;
        for (p, rule, level) in &self.inner.plugin_rules {
            if p != plugin {
                continue;
            }
            if rule.eq_ignore_ascii_case(own) || rule.eq_ignore_ascii_case(name) {
                return Some(*level);
            }
            if rule == "*" {
                wildcard = Some(*level);
            }
        }
        wildcard
    }

    /// Every configured rule level, by code, in code order.
    pub fn levels(&self) -> impl Iterator<Item = (&'static str, Level)> + '_ {
        self.inner.rules.iter().map(|(code, level)| (*code, *level))
    }

    /// The environments, in policy order.
    pub fn environments(&self) -> &[Environment] {
        &self.inner.environments
    }

    /// An environment by canonical name.
    pub fn environment(&self, name: &str) -> Option<&Environment> {
        self.inner
            .environments
            .iter()
            .find(|e| e.name.eq_ignore_ascii_case(name))
    }

    /// Whether the environment called `name` (canonical name or alias) is a
    /// production environment.
    pub fn is_production(&self, name: &str) -> bool {
        self.inner
            .environments
            .iter()
            .any(|e| e.production && e.matches_token(name))
    }

    /// The canonical environment a token names (`PRD` → `prod`),
    /// case-insensitively; surrounding whitespace is ignored.
    pub fn environment_of_token(&self, token: &str) -> Option<&str> {
        let token = token.trim();
        self.inner
            .environments
            .iter()
            .find(|e| e.matches_token(token))
            .map(|e| e.name.as_str())
    }

    /// The environment a name carries, when exactly one environment appears
    /// among its tokens. Tokens are split at `-`, `_`, `.`, `/`, `\`,
    /// whitespace and camelCase boundaries; a token with trailing digits is
    /// also tried without them (`prod01` → `prod`). Two different
    /// environments in one name give `None`: the name is ambiguous and
    /// idguard never guesses.
    pub fn environment_in_name(&self, name: &str) -> Option<&str> {
        let mut found: Option<&str> = None;
        for token in names::tokens(name) {
            let env = self.environment_of_token(&token).or_else(|| {
                let stripped = token.trim_end_matches(|c: char| c.is_ascii_digit());
                (stripped != token && !stripped.is_empty())
                    .then(|| self.environment_of_token(stripped))
                    .flatten()
            });
            match (found, env) {
                (Some(f), Some(e)) if f != e => return None,
                (_, Some(e)) => found = Some(e),
                _ => {}
            }
        }
        found
    }

    /// The regions, in policy order.
    pub fn regions(&self) -> &[Region] {
        &self.inner.regions
    }

    /// The region a token names (`weu` → `westeurope`), case-insensitively.
    pub fn region_of_token(&self, token: &str) -> Option<&str> {
        self.inner
            .regions
            .iter()
            .find(|r| {
                r.name.eq_ignore_ascii_case(token)
                    || r.short_codes.iter().any(|c| c.eq_ignore_ascii_case(token))
            })
            .map(|r| r.name.as_str())
    }

    /// The naming pattern for an ARM resource type (case-insensitive).
    pub fn naming_pattern(&self, resource_type: &str) -> Option<&NamingPattern> {
        self.inner
            .naming
            .iter()
            .find(|(ty, _)| ty.eq_ignore_ascii_case(resource_type))
            .map(|(_, p)| p)
    }

    /// Every naming pattern with its (lowercased) resource type.
    pub fn naming_patterns(&self) -> impl Iterator<Item = (&str, &NamingPattern)> + '_ {
        self.inner.naming.iter().map(|(ty, p)| (ty.as_str(), p))
    }

    /// The tags required on a resource type: its own entry, else the `*`
    /// entry, else none.
    pub fn required_tags(&self, resource_type: &str) -> &[String] {
        let find = |key: &str| {
            self.inner
                .required_tags
                .iter()
                .find(|(ty, _)| ty.eq_ignore_ascii_case(key))
                .map(|(_, tags)| tags.as_slice())
        };
        find(resource_type).or_else(|| find("*")).unwrap_or(&[])
    }

    /// The widest scope allowed for a role: the entry for its GUID (a full
    /// role definition ID works too), else for its name, else the `*`
    /// entry; `None` when the policy sets no limit.
    pub fn widest_scope(&self, role_guid: &str, role_name: Option<&str>) -> Option<ScopeLevel> {
        let guid = role_guid.rsplit('/').next().unwrap_or(role_guid).trim();
        let find = |key: &str| {
            self.inner
                .scopes
                .iter()
                .find(|(k, _)| !key.is_empty() && k.eq_ignore_ascii_case(key))
                .map(|(_, level)| *level)
        };
        find(guid)
            .or_else(|| role_name.and_then(|n| find(n.trim())))
            .or_else(|| find("*"))
    }

    /// The reuse-rule limits.
    pub fn thresholds(&self) -> Thresholds {
        self.inner.thresholds
    }

    /// MI601: more attached workloads than this is reported.
    pub fn max_attached_workloads(&self) -> u32 {
        self.inner.thresholds.max_attached_workloads
    }

    /// MI601: role assignments on more distinct scopes than this is reported.
    pub fn max_role_assignment_scopes(&self) -> u32 {
        self.inner.thresholds.max_role_assignment_scopes
    }

    /// MI603: this many or more replicated system-assigned identities is
    /// reported.
    pub fn replicated_system_assigned(&self) -> u32 {
        self.inner.thresholds.replicated_system_assigned
    }

    /// MI704: more federated credentials on one identity than this is
    /// reported.
    pub fn max_federated_credentials(&self) -> u32 {
        self.inner.thresholds.max_federated_credentials
    }

    /// Every exemption, in policy order.
    pub fn exemptions(&self) -> &[Exemption] {
        &self.inner.exemptions
    }

    /// The exemptions that have expired on `today`, for reporting.
    pub fn expired_exemptions(&self, today: Option<&str>) -> Vec<&Exemption> {
        self.inner
            .exemptions
            .iter()
            .filter(|e| e.is_expired(today))
            .collect()
    }

    /// The exemption covering a finding of `rule_code` (code or name) on
    /// `resource_name` in `file_path` (`""` when unknown). A current
    /// exemption wins over an expired one; among equals, the first in the
    /// policy. An expired match is returned with `expired: true` so the
    /// caller can say so (it no longer suppresses).
    pub fn exemption_for(
        &self,
        rule_code: &str,
        resource_name: &str,
        file_path: &str,
        today: Option<&str>,
    ) -> Option<ExemptionMatch> {
        let mut expired_match = None;
        for e in &self.inner.exemptions {
            if !e.applies_to(rule_code, resource_name, file_path) {
                continue;
            }
            let expired = e.is_expired(today);
            let m = ExemptionMatch {
                index: e.index,
                pointer: e.pointer.clone(),
                rule: e.rule.clone(),
                resource: e.resource.clone(),
                reason: e.reason.clone(),
                expires: e.expires.clone(),
                expired,
            };
            if !expired {
                return Some(m);
            }
            if expired_match.is_none() {
                expired_match = Some(m);
            }
        }
        expired_match
    }

    /// The plugins to run, in policy order.
    pub fn plugins(&self) -> &[PluginSpec] {
        &self.inner.plugins
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_is_shareable() {
        fn assert_traits<T: Clone + fmt::Debug + Send + Sync>() {}
        assert_traits::<Policy>();
    }

    #[test]
    fn builtins_are_cached_and_valid() {
        let p = Policy::default_policy();
        assert_eq!(p.extends(), "none");
        assert!(Arc::ptr_eq(&p.inner, &Policy::default_policy().inner));
        assert_eq!(Policy::strict().extends(), "default");
        assert!(Policy::builtin("nope").is_none());
    }

    #[test]
    fn thresholds_default_matches_default_json() {
        assert_eq!(Policy::default_policy().thresholds(), Thresholds::default());
    }

    /// 100,000 unknown rule keys: every one reported, with its position,
    /// in linear time (it was quadratic: a dedup by list scan, a pointer
    /// lookup by member scan, an edit distance per key).
    #[test]
    #[allow(clippy::disallowed_methods)] // a test may read the clock
    fn a_policy_with_100000_unknown_keys_is_validated_in_linear_time() {
        let n = 100_000;
        let mut text = String::from("{\"rules\": {\n \"MI1O1\": \"off\",\n");
        for i in 0..n {
            text.push_str(&format!(" \"unknown-rule-{i}\": \"off\",\n"));
        }
        text.push_str(" \"last\": \"off\"}}\n");
        let started = std::time::Instant::now();
        let err = Policy::parse(&text).unwrap_err();
        let elapsed = started.elapsed();
        assert_eq!(err.problems.len(), n + 2);
        assert!(elapsed.as_secs() < 60, "{elapsed:?}");
        let first = &err.problems[0];
        assert_eq!(first.line, Some(2));
        assert!(
            first.message.contains("did you mean 'MI101'"),
            "{}",
            first.message
        );
        let last = err.problems.last().unwrap();
        assert_eq!(last.line, Some(u32::try_from(n).unwrap() + 3));
        assert_eq!(last.pointer, "/rules/last");
    }
}
