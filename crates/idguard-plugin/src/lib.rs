//! The idguard policy-plugin ABI and a small SDK for writing plugins in
//! Rust.
//!
//! A plugin is a core WebAssembly module with no imports that exports
//! `memory`, `idguard_abi_version`, `idguard_alloc`, `idguard_free` and
//! `idguard_check` (see `docs/plugin-abi.md`). The host writes an
//! [`Input`] as JSON into the plugin's memory and gets back a JSON array of
//! [`Finding`]s (or `{"error": "…"}`).
//!
//! With this crate a plugin is its rule logic plus one macro:
//!
//! ```
//! use idguard_plugin::{Finding, Input, Severity};
//!
//! fn check(input: &Input) -> Result<Vec<Finding>, String> {
//!     let mut out = Vec::new();
//!     for id in &input.model.identities {
//!         if id.environment.is_none() {
//!             out.push(
//!                 Finding::new("EX001", "identity-environment", Severity::Warning,
//!                              "the identity's environment cannot be told")
//!                     .at(&id.source),
//!             );
//!         }
//!     }
//!     Ok(out)
//! }
//! # let _ = check;
//! // In the plugin crate (crate-type = ["cdylib"]):
//! // idguard_plugin::export_plugin!(check);
//! ```
//!
//! The same types serve the host (the `idguard` CLI) to read plugin output.

pub mod guest;
pub mod model;

use serde::{Deserialize, Serialize};

pub use model::{Model, Source};

/// The ABI version this crate implements (`idguard_abi_version()`).
pub const ABI_VERSION: i32 = 1;

/// What the host passes to `idguard_check`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Input {
    /// The ABI version the host speaks (equal to [`ABI_VERSION`]).
    pub abi_version: i32,
    /// The identity graph of one evaluation (`policies/model.schema.json`).
    pub model: Model,
    /// The plugin's `config` from the policy, as written (`null` if none).
    #[serde(default)]
    pub config: serde_json::Value,
}

/// Severity of a plugin finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// Where a finding points: a JSON pointer in a file of the evaluation (the
/// template when `file` is absent). The host turns it into lines.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingLocation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    pub pointer: String,
}

/// One finding of a plugin. The host prefixes `code` with the plugin's
/// name (`cost/CC001`) and adds range and fingerprint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    /// The plugin's own code: letters and digits, e.g. `CC001`.
    pub code: String,
    /// Kebab-case name, e.g. `missing-cost-center`.
    pub name: String,
    pub severity: Severity,
    /// What is wrong, in the template's own names.
    pub message: String,
    /// How to fix it.
    #[serde(default)]
    pub help: String,
    pub location: FindingLocation,
}

impl Finding {
    /// A finding pointing at the template's root until [`Finding::at`] or
    /// [`Finding::at_pointer`] says where.
    pub fn new(code: &str, name: &str, severity: Severity, message: impl Into<String>) -> Self {
        Finding {
            code: code.to_string(),
            name: name.to_string(),
            severity,
            message: message.into(),
            help: String::new(),
            location: FindingLocation::default(),
        }
    }

    /// Sets the help text.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = help.into();
        self
    }

    /// Points at a location of the model.
    pub fn at(mut self, source: &Source) -> Self {
        self.location = FindingLocation {
            file: Some(source.file.clone()),
            pointer: source.pointer.clone(),
        };
        self
    }

    /// Points at a pointer in a file (`None`: the template).
    pub fn at_pointer(mut self, file: Option<&str>, pointer: &str) -> Self {
        self.location = FindingLocation {
            file: file.map(str::to_string),
            pointer: pointer.to_string(),
        };
        self
    }
}

/// What `idguard_check` returns: findings, or an error the host reports as
/// the plugin's failure (`{"error": "…"}`, e.g. an invalid config).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Output {
    Findings(Vec<Finding>),
    Error { error: String },
}

/// Whether a plugin's own code is well-formed: 1 to 32 ASCII letters,
/// digits, `-` or `_`, starting with a letter or digit.
pub fn is_valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 32
        && code.starts_with(|c: char| c.is_ascii_alphanumeric())
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Whether a rule name is kebab-case (`missing-cost-center`).
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && !name.contains("--")
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Whether `pointer` is an RFC 6901 JSON pointer (empty, or `/`-led with
/// only `~0` and `~1` escapes).
pub fn is_valid_pointer(pointer: &str) -> bool {
    if pointer.is_empty() {
        return true;
    }
    if !pointer.starts_with('/') {
        return false;
    }
    let mut chars = pointer.chars();
    while let Some(c) = chars.next() {
        if c == '~' && !matches!(chars.next(), Some('0' | '1')) {
            return false;
        }
    }
    true
}

/// Escapes one JSON-pointer segment (`/` → `~1`, `~` → `~0`).
pub fn escape_pointer_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_findings_or_an_error() {
        let f: Output = serde_json::from_str(
            r#"[{"code": "CC001", "name": "x", "severity": "error", "message": "m",
                 "location": {"pointer": "/resources/0"}}]"#,
        )
        .unwrap();
        let Output::Findings(list) = f else {
            panic!("not findings")
        };
        assert_eq!(list[0].help, "");
        assert_eq!(list[0].location.file, None);
        let e: Output = serde_json::from_str(r#"{"error": "bad config"}"#).unwrap();
        assert_eq!(
            e,
            Output::Error {
                error: "bad config".into()
            }
        );
        assert!(serde_json::from_str::<Output>(r#"[{"code": "C"}]"#).is_err());
        assert!(
            serde_json::from_str::<Output>(
                r#"[{"code": "C", "name": "x", "severity": "fatal", "message": "m", "location": {"pointer": ""}}]"#
            )
            .is_err()
        );
    }

    #[test]
    fn validators() {
        assert!(is_valid_code("CC001") && is_valid_code("rule_1") && !is_valid_code("a/b"));
        assert!(!is_valid_code("") && !is_valid_code("-x"));
        assert!(is_valid_name("missing-cost-center") && !is_valid_name("Missing"));
        assert!(!is_valid_name("a--b") && !is_valid_name("a-"));
        assert!(is_valid_pointer("") && is_valid_pointer("/a/b~1c/~0") && !is_valid_pointer("a"));
        assert!(!is_valid_pointer("/a~2"));
        assert_eq!(escape_pointer_segment("a/b~c"), "a~1b~0c");
    }

    #[test]
    fn builder() {
        let s = Source {
            file: "main.json".into(),
            pointer: "/resources/0".into(),
            range: None,
        };
        let f = Finding::new("X1", "x", Severity::Info, "m")
            .help("h")
            .at(&s.child("tags"));
        assert_eq!(f.location.pointer, "/resources/0/tags");
        assert_eq!(f.location.file.as_deref(), Some("main.json"));
        assert_eq!(f.help, "h");
    }
}
