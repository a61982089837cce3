//! Policy bundles: rule levels, naming patterns, environments, required
//! tags, scope limits, thresholds and exemptions. Validated against
//! `policies/policy.schema.json`.

use crate::finding::Level;

/// A loaded, validated policy with its patterns compiled once.
#[derive(Clone, Debug)]
pub struct Policy {}

/// A policy that failed validation: every problem, each with the JSON
/// pointer and (when parsed from text) the line and column.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid policy: {}", .problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("; "))]
pub struct PolicyError {
    pub problems: Vec<PolicyProblem>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{pointer}: {message}")]
pub struct PolicyProblem {
    /// JSON pointer of the offending value (`""` for the whole document).
    pub pointer: String,
    pub message: String,
    /// 1-based, when the policy came from text.
    pub line: Option<u32>,
    pub column: Option<u32>,
}

impl Policy {
    /// The built-in default (`policies/default.json`).
    pub fn default_policy() -> Policy {
        Policy {}
    }

    /// Parses and validates policy text (JSON with comments allowed).
    pub fn parse(_text: &str) -> Result<Policy, PolicyError> {
        Ok(Policy {})
    }

    pub fn environment_of_token(&self, _token: &str) -> Option<&str> {
        None
    }

    pub fn environment_in_name(&self, _name: &str) -> Option<&str> {
        None
    }

    pub fn exemption_for(
        &self,
        _rule: &str,
        _resource: &str,
        _file: &str,
        _today: Option<&str>,
    ) -> Option<ExemptionMatch> {
        None
    }

    /// The configured level of a rule (its default when the policy is silent).
    pub fn level(&self, _code: &str) -> Option<Level> {
        None
    }
}

/// A matching exemption.
#[derive(Clone, Debug)]
pub struct ExemptionMatch {
    pub expired: bool,
    pub reason: String,
    pub expires: Option<String>,
}
