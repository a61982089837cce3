//! The rule catalog. One file per rule; [`registry`] lists them all.

use crate::finding::Level;

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
    /// The rule's doc comment as Markdown: rationale, failing and passing
    /// examples, how to fix.
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
}

/// Every built-in rule, in code order.
pub fn registry() -> &'static [&'static RuleMeta] {
    &[]
}

/// Looks a rule up by code or name (case-insensitive).
pub fn find(code_or_name: &str) -> Option<&'static RuleMeta> {
    registry().iter().copied().find(|r| {
        r.code.eq_ignore_ascii_case(code_or_name) || r.name.eq_ignore_ascii_case(code_or_name)
    })
}
