//! The rule catalog. One file per rule, grouped by family; [`registry`]
//! lists them all in code order.
//!
//! A rule is a unit struct declared with [`declare_rule!`], whose doc
//! comment is its user documentation (rationale, a failing and a passing
//! excerpt, the fix): `idguard explain`, `docs/rules/` and SARIF help all
//! come from it. Its [`Rule::check`] is a pure function of the model and
//! the policy that pushes [`Diagnostic`]s; the engine turns them into
//! findings (severity from the policy, positions, fingerprints,
//! suppressions).

use crate::finding::{Level, Severity};
use crate::model::{Location, Model};
use crate::policy::Policy;

/// Declares a rule: a unit struct with its metadata, taking the doc
/// comment as the rule's documentation.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            code: $code:literal,
            name: $rname:literal,
            level: $level:ident,
            summary: $summary:literal $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, Default)]
        pub struct $name;

        impl $name {
            pub const META: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
                code: $code,
                name: $rname,
                default_level: $crate::finding::Level::$level,
                summary: $summary,
                docs: concat!($($doc, "\n"),*),
            };
        }
    };
}

mod credentials;
mod environment;
mod lifecycle;
mod naming;
mod scope;
mod wiring;

pub(crate) use credentials::is_client_secret_name;

/// What a rule is, for `idguard rules`, `idguard explain`, SARIF
/// `tool.driver.rules` and the generated docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleMeta {
    /// Stable code, e.g. `MI101`.
    pub code: &'static str,
    /// Kebab-case name, e.g. `no-broad-privileged-role`.
    pub name: &'static str,
    pub default_level: Level,
    /// One sentence: what the rule checks.
    pub summary: &'static str,
    /// The rule's doc comment as written (each line keeps the single
    /// leading space of `/// `); see [`RuleMeta::markdown`].
    pub docs: &'static str,
}

impl RuleMeta {
    /// Where the rule's documentation lives.
    pub fn doc_url(&self) -> String {
        format!(
            "https://github.com/idguard/idguard/blob/main/docs/rules/{}.md",
            self.code
        )
    }

    /// The documentation as Markdown.
    pub fn markdown(&self) -> String {
        let mut out = String::with_capacity(self.docs.len());
        for line in self.docs.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out
    }

    /// The rule's documentation page (`docs/rules/<CODE>.md`).
    pub fn doc_page(&self) -> String {
        format!(
            "<!-- Generated from the rule's doc comment in crates/idguard-core/src/rules/. Do not edit: run `UPDATE_DOCS=1 cargo test -p idguard-cli --test docs`. -->\n\n# {code} {name}\n\n| | |\n|---|---|\n| Code | `{code}` |\n| Name | `{name}` |\n| Family | {family} |\n| Default level | {level} |\n\n{summary}.\n\n{body}",
            code = self.code,
            name = self.name,
            family = self.family(),
            level = self.default_level.as_str(),
            summary = upper_first(self.summary),
            body = self.markdown(),
        )
    }

    /// The family a rule belongs to, from its code: `MI1xx` →
    /// `scope-and-privilege`, …
    pub fn family(&self) -> &'static str {
        family_of(self.code)
    }
}

fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The family of a rule code.
pub fn family_of(code: &str) -> &'static str {
    match code.get(2..3) {
        Some("1") => "scope-and-privilege",
        Some("2") => "naming-and-ownership",
        Some("3") => "environment-separation",
        Some("4") => "wiring-correctness",
        Some("5") => "credentials",
        Some("6") => "reuse-and-lifecycle",
        _ => "other",
    }
}

/// What a rule reports: where, what and how to fix. The engine adds the
/// rest.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub rule: &'static RuleMeta,
    pub location: Location,
    pub message: String,
    pub help: String,
    /// The resource the finding is about (for inline suppressions and
    /// exemptions by resource name).
    pub resource: Option<usize>,
    /// A lower severity than the rule's level, for findings that say a
    /// check could not be made (e.g. an identity name that is not known).
    pub severity: Option<Severity>,
}

/// What a rule sees, and where it puts its diagnostics.
pub struct RuleContext<'m, 'a> {
    pub model: &'m Model<'a>,
    pub policy: &'m Policy,
    rule: &'static RuleMeta,
    diagnostics: Vec<Diagnostic>,
}

impl<'m, 'a> RuleContext<'m, 'a> {
    pub fn new(model: &'m Model<'a>, policy: &'m Policy, rule: &'static RuleMeta) -> Self {
        Self {
            model,
            policy,
            rule,
            diagnostics: Vec::new(),
        }
    }

    /// Reports a finding of the current rule.
    pub fn report(
        &mut self,
        location: Location,
        resource: Option<usize>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.diagnostics.push(Diagnostic {
            rule: self.rule,
            location,
            message: message.into(),
            help: help.into(),
            resource,
            severity: None,
        });
    }

    /// Reports at info level that a check could not be made.
    pub fn report_info(
        &mut self,
        location: Location,
        resource: Option<usize>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.report(location, resource, message, help);
        if let Some(d) = self.diagnostics.last_mut() {
            d.severity = Some(Severity::Info);
        }
    }

    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }
}

/// A rule of the catalog.
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;

    /// Checks one evaluation (a template with one parameter file).
    fn check(&self, ctx: &mut RuleContext<'_, '_>);

    /// Checks all evaluations of one template together (one per parameter
    /// file); for rules that compare environments. Default: nothing.
    fn check_all(&self, _models: &[Model<'_>], _policy: &Policy, _out: &mut Vec<Diagnostic>) {}
}

static RULES: &[&dyn Rule] = &[
    &scope::NoBroadPrivilegedRole,
    &scope::NarrowRoleScope,
    &scope::NoEscalationRole,
    &scope::CustomRoleWildcard,
    &scope::NarrowAttachRights,
    &naming::IdentityNaming,
    &naming::IdentityRequiredTags,
    &environment::EnvironmentSeparation,
    &environment::CrossEnvironmentIdentity,
    &wiring::PrincipalIdNotClientId,
    &wiring::PrincipalTypeServicePrincipal,
    &wiring::DeterministicAssignmentName,
    &wiring::NoHardcodedIdentityReference,
    &wiring::RoleDefinitionId,
    &credentials::NoClientSecret,
    &credentials::ClientIdForMultipleIdentities,
    &lifecycle::SharedIdentityBlastRadius,
    &lifecycle::UnusedIdentity,
    &lifecycle::ReplicatedSystemAssigned,
];

static METAS: std::sync::OnceLock<Vec<&'static RuleMeta>> = std::sync::OnceLock::new();

/// Every built-in rule, in code order.
pub fn all() -> &'static [&'static dyn Rule] {
    RULES
}

/// The metadata of every built-in rule, in code order.
pub fn registry() -> &'static [&'static RuleMeta] {
    METAS.get_or_init(|| RULES.iter().map(|r| r.meta()).collect())
}

/// Looks a rule up by code or name (case-insensitive).
pub fn find(code_or_name: &str) -> Option<&'static RuleMeta> {
    registry().iter().copied().find(|r| {
        r.code.eq_ignore_ascii_case(code_or_name) || r.name.eq_ignore_ascii_case(code_or_name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_ordered_unique_and_documented() {
        let metas = registry();
        assert_eq!(metas.len(), 19);
        for pair in metas.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} before {}",
                pair[0].code,
                pair[1].code
            );
        }
        for m in metas {
            let md = m.markdown();
            for section in ["## Why", "## Example", "## Fix"] {
                assert!(md.contains(section), "{} docs lack '{section}'", m.code);
            }
            assert!(m.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'));
            assert!(find(m.code).is_some() && find(m.name).is_some());
        }
    }
}
