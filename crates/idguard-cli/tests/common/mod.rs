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

/// Runs `idguard args…` in `dir` like [`idguard_in`], but kills it and
/// fails the test when it has not finished within `limit` (a run that
/// blocks on a FIFO or reads `/dev/zero` must not hang the suite).
pub fn idguard_within(dir: &Path, args: &[&std::ffi::OsStr], limit: Duration) -> Run {
    use std::io::Read as _;
    use std::process::Stdio;
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_idguard"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run idguard");
    // Drain both pipes on threads so a large output cannot block the child.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stdout.read_to_end(&mut v);
        v
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stderr.read_to_end(&mut v);
        v
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("idguard {args:?} still running after {limit:?}: killed");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.join().unwrap_or_default()).into_owned(),
        stderr: String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned(),
        elapsed: started.elapsed(),
    }
}

/// [`idguard_within`] with string arguments and a 60 s limit.
pub fn idguard_timed(dir: &Path, args: &[&str]) -> Run {
    let args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
    idguard_within(dir, &args, Duration::from_secs(60))
}

/// Whether the GitHub Actions runner would read `line` as a workflow
/// command: with leading whitespace trimmed it starts with `::`, or it
/// holds `##[` anywhere (`ActionCommand.TryParseV2`/`TryParse`); or, for
/// Azure Pipelines, `##vso[` anywhere. The
/// runner compares culture-aware, which skips soft hyphens, zero-width
/// characters and controls, so they are taken out first.
pub fn runner_sees_command(line: &str) -> bool {
    let ignorable = |c: char| {
        (c.is_control() && c != '\t')
            || matches!(c, '\u{AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}')
    };
    let view: String = line.chars().filter(|c| !ignorable(*c)).collect();
    view.trim_start().starts_with("::")
        || view.contains("##[")
        || view.to_ascii_lowercase().contains("##vso[")
}

/// The lines of `text` as the runner reads them (split at `\n` and `\r`).
pub fn runner_lines(text: &str) -> impl Iterator<Item = &str> {
    text.split(['\n', '\r'])
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
