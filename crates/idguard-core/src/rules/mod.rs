//! The rules. One file per rule, grouped by family in a folder each; the
//! list of rules in [`crate::catalog`] names them all, in code order, and
//! [`all`] and [`registry`] are made from it.
//!
//! A rule is a unit struct declared with [`declare_rule!`], whose doc
//! comment is its user documentation (rationale, a failing and a passing
//! excerpt, the fix): `idguard explain`, `docs/rules/` and SARIF help all
//! come from it. Its [`Rule::check`] is a pure function of the model and
//! the policy that pushes [`Diagnostic`]s; the engine turns them into
//! findings (severity from the policy, positions, fingerprints,
//! suppressions).

use crate::catalog::Family;
use crate::finding::{Level, Severity};
use crate::model::{Location, Model};
use crate::policy::Policy;

/// Declares a rule: a unit struct with its default level and one-sentence
/// summary, taking the doc comment as the rule's documentation. Its code,
/// name and family come from the list of rules ([`crate::catalog`]), which
/// joins them with these into the rule's [`RuleMeta`].
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            level: $level:ident,
            summary: $summary:literal $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, Default)]
        pub struct $name;

        impl $name {
            pub(in crate::rules) const DECLARED: $crate::rules::Declared =
                $crate::rules::Declared {
                    default_level: $crate::finding::Level::$level,
                    summary: $summary,
                    docs: concat!($($doc, "\n"),*),
                };
        }
    };
}

mod credentials;
mod environment;
mod federation;
mod lifecycle;
mod naming;
mod scope;
mod wiring;
pub(crate) mod words;

/// What a rule is, for `idguard rules`, `idguard explain`, SARIF
/// `tool.driver.rules` and the generated docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleMeta {
    /// Stable code, e.g. `MI101`.
    pub code: &'static str,
    /// Kebab-case name, e.g. `no-broad-privileged-role`.
    pub name: &'static str,
    /// The family, from the list of rules (the folder the rule lives in).
    pub family: Family,
    pub default_level: Level,
    /// One sentence: what the rule checks.
    pub summary: &'static str,
    /// The rule's doc comment as written (each line keeps the single
    /// leading space of `/// `); see [`RuleMeta::markdown`].
    pub docs: &'static str,
}

/// What a rule file declares about its rule ([`declare_rule!`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Declared {
    pub default_level: Level,
    pub summary: &'static str,
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
    /// The fix, when the rule knows one for this exact text
    /// ([`crate::fix`]); its edits are in `location.file`.
    pub fix: Option<crate::fix::RuleFix>,
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
            fix: None,
        });
    }

    /// Reports a finding of the current rule with a fix (`None`: the text
    /// is not a shape the fix knows).
    pub fn report_with_fix(
        &mut self,
        location: Location,
        resource: Option<usize>,
        message: impl Into<String>,
        help: impl Into<String>,
        fix: Option<crate::fix::RuleFix>,
    ) {
        self.report(location, resource, message, help);
        if let Some(d) = self.diagnostics.last_mut() {
            d.fix = fix;
        }
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

/// A rule's entry in the list of rules: implemented for every rule by the
/// list ([`crate::catalog`]), never by hand.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not in the list of rules",
    note = "add a line for it to `rule_list!` in crates/idguard-core/src/catalog.rs"
)]
pub trait Listed {
    fn meta(&self) -> &'static RuleMeta;
}

/// A rule of the list.
pub trait Rule: Listed + Sync {
    /// Checks one evaluation (a template with one parameter file).
    fn check(&self, ctx: &mut RuleContext<'_, '_>);

    /// Checks all evaluations of one template together (one per parameter
    /// file); for rules that compare environments. Default: nothing.
    fn check_all(&self, _models: &[Model<'_>], _policy: &Policy, _out: &mut Vec<Diagnostic>) {}
}

/// Expands the list of rules ([`crate::catalog::rule_list!`]) into each
/// rule's [`RuleMeta`] (`META`), its [`Listed`] impl, and the tables
/// behind [`all`] and [`registry`].
macro_rules! registry {
    ($(
        $family:ident $family_name:literal $prefix:ident {
            $( $code:ident $name:literal $file:ident :: $rule:ident ),* $(,)?
        }
    )*) => {
        $($(
            impl $family::$file::$rule {
                /// The rule's metadata: its line in the list of rules and
                /// what its file declares.
                pub const META: RuleMeta = RuleMeta {
                    code: stringify!($code),
                    name: $name,
                    family: Family { name: $family_name, prefix: stringify!($prefix) },
                    default_level: Self::DECLARED.default_level,
                    summary: Self::DECLARED.summary,
                    docs: Self::DECLARED.docs,
                };
            }

            impl Listed for $family::$file::$rule {
                fn meta(&self) -> &'static RuleMeta {
                    &Self::META
                }
            }
        )*)*

        static RULES: &[&dyn Rule] = &[$($(&$family::$file::$rule),*),*];

        static METAS: &[&RuleMeta] = &[$($(&$family::$file::$rule::META),*),*];
    };
}
crate::catalog::rule_list!(registry);

/// Every built-in rule, in code order.
pub fn all() -> &'static [&'static dyn Rule] {
    RULES
}

/// The metadata of every built-in rule, in code order.
pub fn registry() -> &'static [&'static RuleMeta] {
    METAS
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
    fn registry_is_the_list_and_documented() {
        let metas = registry();
        let listed: Vec<(&str, &str, Family)> = crate::catalog::RULES
            .iter()
            .map(|r| (r.code, r.name, r.family))
            .collect();
        let registered: Vec<(&str, &str, Family)> =
            metas.iter().map(|m| (m.code, m.name, m.family)).collect();
        assert_eq!(registered, listed);
        let implemented: Vec<&RuleMeta> = all().iter().map(|r| r.meta()).collect();
        assert_eq!(implemented, metas);
        for m in metas {
            let md = m.markdown();
            for section in ["## Why", "## Example", "## Fix"] {
                assert!(md.contains(section), "{} docs lack '{section}'", m.code);
            }
            assert!(
                !m.summary.is_empty() && !m.summary.ends_with('.'),
                "{}",
                m.code
            );
            assert_eq!(find(m.code), Some(*m));
            assert_eq!(find(&m.name.to_uppercase()), Some(*m));
        }
        assert_eq!(find("MI199"), None);
    }
}
