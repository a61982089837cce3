//! What the end-to-end tests of the binary share: running `idguard` and
//! reading what it printed, and the SARIF 2.1.0 schema check.
//!
//! Each test file uses a part of this, so unused items are allowed.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

#[path = "../../../../tests/support/skip.rs"]
pub mod skip;

/// The official SARIF 2.1.0 JSON Schema (`../shared/schemas`).
pub const SARIF_SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/schemas/sarif-schema-2.1.0.json"
);

/// One finished run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Run {
    /// Both streams, for assertion messages.
    pub fn all(&self) -> String {
        format!("--- stdout\n{}--- stderr\n{}", self.stdout, self.stderr)
    }

    /// Standard output as JSON (panics with both streams when it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", self.all()))
    }
}

/// Runs `idguard args…` in `dir`, with the colour variables of the
/// caller's environment removed (output is piped, so no colour).
pub fn idguard_in(dir: &Path, args: &[&str]) -> Run {
    let started = Instant::now();
    let out: Output = Command::new(env!("CARGO_BIN_EXE_idguard"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("run idguard");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed: started.elapsed(),
    }
}

/// A validator for the SARIF schema, or `None` (with a note) when the
/// shared schemas are not at hand.
pub fn sarif_validator() -> Option<jsonschema::Validator> {
    let Ok(text) = std::fs::read_to_string(SARIF_SCHEMA) else {
        skip::skip_or_fail(
            "SARIF schema validation",
            &format!("{SARIF_SCHEMA} not found"),
        );
        return None;
    };
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    Some(jsonschema::validator_for(&schema).expect("the SARIF schema compiles offline"))
}

/// Asserts that `v` is valid SARIF 2.1.0 (when the schema is at hand).
pub fn assert_valid_sarif(v: &serde_json::Value) {
    if let Some(validator) = sarif_validator() {
        let errors: Vec<String> = validator
            .iter_errors(v)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "SARIF schema errors:\n{}",
            errors.join("\n")
        );
    }
}
