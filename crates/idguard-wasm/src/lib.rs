//! WebAssembly bindings of idguard: the handful of functions the npm
//! package (`wasm/`) wraps.
//!
//! The boundary is JSON text in both directions, and it never fails: every
//! export takes strings and returns one JSON string, either
//! `{"ok": <value>}` or `{"error": {"kind", "message", "problems"?}}`. The JS
//! wrapper (`wasm/src/core.js`) parses it (`JSON.parse` is faster than
//! building the objects through the boundary one property at a time; see
//! `docs/wasm.md`) and turns an `error` into a thrown `Error`.
//!
//! All the logic lives in [`bridge`], plain Rust over strings, so the host
//! tests exercise exactly what the browser runs; the `#[wasm_bindgen]`
//! exports below are one-line wrappers. Nothing here panics on input: the
//! wasm build uses `panic = "abort"`, where a panic would be a trap.

pub mod bridge;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::{JsValue, wasm_bindgen};

/// Checks one template. `options` is the JSON of
/// [`bridge::CheckRequest`]; returns `{"ok": Report}` or `{"error": ...}`.
#[wasm_bindgen(js_name = check)]
pub fn check(template: &str, options: &str) -> String {
    bridge::check(template, options)
}

#[wasm_bindgen]
extern "C" {
    /// The JavaScript plugin runner `checkWith` calls: an object with a
    /// `run(modelJson, template, parameterFile)` method returning the JSON
    /// of a [`bridge::ExternalResult`]. It must not throw.
    pub type ExternalRunner;

    #[wasm_bindgen(method, js_name = run)]
    fn run(
        this: &ExternalRunner,
        model: &str,
        template: &str,
        parameter_file: Option<String>,
    ) -> String;
}

/// Checks one template in one pass, calling `runner.run` on the model of
/// every evaluation (policy plugins run in JavaScript); its findings and
/// failures join the report. Same envelope as [`check`].
#[wasm_bindgen(js_name = checkWith)]
pub fn check_with(template: &str, options: &str, runner: &ExternalRunner) -> String {
    let mut call = |model: &str, file: &str, parameter_file: Option<&str>| {
        runner.run(model, file, parameter_file.map(str::to_string))
    };
    bridge::check_with(template, options, Some(&mut call))
}

/// The identity graph of a template: `{"ok": {"report", "graphs", "svg",
/// "mermaid"}}` (options as for `check`).
#[wasm_bindgen(js_name = graph)]
pub fn graph(template: &str, options: &str) -> String {
    bridge::graph(template, options)
}

/// The model JSON of every evaluation: `{"ok": [{"template",
/// "parameterFile", "model": "<JSON text>"}...]}`.
#[wasm_bindgen(js_name = models)]
pub fn models(template: &str, options: &str) -> String {
    bridge::models(template, options)
}

/// A policy's plugin entries, resolved: `{"ok": [{"name", "path",
/// "pointer", "config", "limits"}...]}`. `request` is `{"policy": ...}`.
#[wasm_bindgen(js_name = policyPlugins)]
pub fn policy_plugins(request: &str) -> String {
    bridge::policy_plugins(request)
}

/// The kinds, parameter files and linked files of a host's files:
/// `request` is [`bridge::ProjectRequest`] (`{"files": [{"path", "text"?,
/// "kind"?}...]}`); returns `{"ok": {"files": [{"path", "kind"}...],
/// "templates": [{"path", "parameterFiles", "links"?}...]}}`.
#[wasm_bindgen(js_name = project)]
pub fn project(request: &str) -> String {
    bridge::project(request)
}

/// The rule catalog: `{"ok": [RuleInfo...]}`.
#[wasm_bindgen(js_name = rules)]
pub fn rules() -> String {
    bridge::rules()
}

/// A rule's documentation as Markdown: `{"ok": "..."}`, or an error of kind
/// `unknownRule`.
#[wasm_bindgen(js_name = explain)]
pub fn explain(code: &str) -> String {
    bridge::explain(code)
}

/// Validates a policy given as `{"policy": <text or object>}`:
/// `{"ok": {"valid", "problems"}}`.
#[wasm_bindgen(js_name = validatePolicy)]
pub fn validate_policy(request: &str) -> String {
    bridge::validate_policy(request)
}

/// One template checked as the npm package's `idguard` command checks it:
/// `{"ok": {"files", "findings", "pluginErrors", "frames"}}`
/// ([`bridge::cli::check`]; `extra` the JSON array of file reports to
/// add). `runner` is an [`ExternalRunner`], or
/// `null`/`undefined` when no plugin runs.
#[wasm_bindgen(js_name = cliCheck)]
pub fn cli_check(
    template: &str,
    options: &str,
    frames: bool,
    extra: &str,
    runner: JsValue,
) -> String {
    if runner.is_null() || runner.is_undefined() {
        return bridge::cli::check(template, options, frames, extra, None);
    }
    let runner: ExternalRunner = runner.unchecked_into();
    let mut call = |model: &str, file: &str, parameter_file: Option<&str>| {
        runner.run(model, file, parameter_file.map(str::to_string))
    };
    bridge::cli::check(template, options, frames, extra, Some(&mut call))
}

/// The `idguard` command's other steps (`assemble`, `render`, `unpaired`,
/// `baseline`; see [`bridge::cli::call`]).
#[wasm_bindgen(js_name = cliCall)]
pub fn cli_call(op: &str, request: &str) -> String {
    bridge::cli::call(op, request)
}

/// The idguard version (the crate version).
#[wasm_bindgen(js_name = version)]
pub fn version() -> String {
    bridge::VERSION.to_string()
}
