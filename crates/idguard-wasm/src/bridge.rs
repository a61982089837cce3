//! The bindings' logic as plain functions of JSON text, so the host tests
//! run exactly what the browser runs.
//!
//! Every function returns a JSON envelope: `{"ok": value}` on success,
//! `{"error": {"kind": ..., "message": ..., "problems": [...]}}` otherwise.
//! Kinds: `policy` (the policy is invalid), `options` (the options are not
//! what [`CheckRequest`] (or [`ProjectRequest`]) describes), `unknownRule`
//! (explain of an unknown code). A template that cannot be parsed is not an error: it is reported
//! in the report's `files[0].error`, as the CLI does.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use idguard_core::api::{
    self, CheckOptions, ExternalFinding, Language, SourceFile, normalize_path,
};
use idguard_core::finding::{FileKind, PluginError, Report, Severity};
use idguard_core::policy::{Policy, PolicyError, PolicyProblem};
use idguard_core::project::{self, ProjectFile};
use idguard_core::rules::{self, RuleMeta};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub mod cli;

/// The crate version, which is the idguard version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// File name shown for the template when the caller gives none.
pub const DEFAULT_FILE_NAME: &str = "template.json";

/// The options of [`check`], as the JS wrapper sends them.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct CheckRequest {
    /// The policy: its text (JSON with comments) or its JSON value. Absent
    /// or `null`: the built-in default policy.
    pub policy: Option<Value>,
    /// Parameter files, name → text; the template is evaluated once per
    /// file, in the order given.
    pub parameters: Map<String, Value>,
    /// The name the template is shown under (default `template.json`).
    pub file_name: Option<String>,
    /// Today's date (`YYYY-MM-DD`) for exemption expiry.
    pub today: Option<String>,
    /// Other files, by path relative to the template's directory, for
    /// `templateLink.relativePath` (linked templates).
    pub files: Map<String, Value>,
    /// Findings computed outside (policy plugins run in JavaScript), one
    /// list per evaluation in the order [`models`] returns them. They go
    /// through the core exactly as the CLI's plugin findings do.
    pub external: Option<Vec<Vec<ExternalJson>>>,
    /// Plugin failures to put in the report's `pluginErrors`.
    pub plugin_errors: Vec<PluginError>,
    /// The language of the checked text; absent: by `fileName`'s extension
    /// (`.bicep`, `.bicepparam`, anything else JSON). `bicepparam`: the
    /// text is a parameter file, checked with the template its `using`
    /// names, whose text is in `files`.
    pub language: Option<LanguageJson>,
}

/// The languages a host can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LanguageJson {
    Json,
    Bicep,
    Bicepparam,
}

/// A finding from outside the built-in rules, as JavaScript sends it: the
/// core's [`ExternalFinding`] in camelCase JSON.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExternalJson {
    /// The full code, prefixed with the plugin's name (`cost/CC001`).
    pub code: String,
    /// Kebab-case rule name.
    pub name: String,
    pub severity: Severity,
    pub message: String,
    #[serde(default)]
    pub help: String,
    /// The file as the model names it; absent: the template.
    #[serde(default)]
    pub file: Option<String>,
    /// JSON pointer in that file.
    pub pointer: String,
    #[serde(default)]
    pub doc_url: Option<String>,
}

impl From<ExternalJson> for ExternalFinding {
    fn from(x: ExternalJson) -> Self {
        ExternalFinding {
            code: x.code,
            name: x.name,
            severity: x.severity,
            message: x.message,
            help: x.help,
            file: x.file,
            pointer: x.pointer,
            doc_url: x.doc_url,
        }
    }
}

/// What an external check (the JavaScript plugin runner) returns for one
/// evaluation: findings and failures.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ExternalResult {
    pub findings: Vec<ExternalJson>,
    pub errors: Vec<PluginError>,
}

/// One evaluation's model, as [`models`] returns it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelEntry {
    /// The template as the caller named it.
    pub template: String,
    /// This evaluation's parameter file, if any.
    pub parameter_file: Option<String>,
    /// The model JSON, as text (what a plugin's input wraps).
    pub model: String,
}

/// A policy's plugin entry, resolved (`policyPlugins`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PluginEntry {
    /// The effective name (the prefix of its codes).
    pub name: String,
    /// The `.wasm` path as the policy wrote it (relative to the policy file).
    pub path: String,
    /// The entry's JSON pointer in the policy (`/plugins/0`).
    pub pointer: String,
    /// The plugin's config (`null` when absent).
    pub config: Value,
    /// Limits the policy sets (absent: the host's default).
    pub limits: LimitsJson,
}

/// A plugin's limits as the policy sets them.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LimitsJson {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fuel_millions: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    #[serde(rename = "memoryMiB", skip_serializing_if = "Option::is_none")]
    pub memory_mib: Option<u64>,
}

/// One rule of the catalog, as `rules()` returns it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleInfo {
    pub code: &'static str,
    pub name: &'static str,
    pub family: &'static str,
    pub default_level: &'static str,
    pub summary: &'static str,
    /// The rule's documentation, Markdown.
    pub docs: String,
    pub doc_url: String,
}

/// The result of `validatePolicy`.
#[derive(Debug, Serialize)]
pub struct Validation {
    pub valid: bool,
    pub problems: Vec<Problem>,
}

/// A policy problem (the core's [`PolicyProblem`] with camelCase JSON).
#[derive(Debug, Serialize)]
pub struct Problem {
    pub pointer: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

impl From<&PolicyProblem> for Problem {
    fn from(p: &PolicyProblem) -> Self {
        Problem {
            pointer: p.pointer.clone(),
            message: p.message.clone(),
            line: p.line,
            column: p.column,
        }
    }
}

/// An error envelope's body.
#[derive(Debug, Serialize)]
struct ErrorBody<'a> {
    kind: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    problems: Vec<Problem>,
}

fn ok<T: Serialize>(value: &T) -> String {
    #[derive(Serialize)]
    struct Ok<'a, T> {
        ok: &'a T,
    }
    serde_json::to_string(&Ok { ok: value }).unwrap_or_else(|e| {
        error(
            "internal",
            format!("cannot serialize the result: {e}"),
            Vec::new(),
        )
    })
}

fn error(kind: &str, message: String, problems: Vec<Problem>) -> String {
    #[derive(Serialize)]
    struct Err<'a> {
        error: ErrorBody<'a>,
    }
    let body = ErrorBody {
        kind,
        message,
        problems,
    };
    // Serializing strings and numbers cannot fail; keep a literal fallback
    // all the same rather than a panic.
    serde_json::to_string(&Err { error: body }).unwrap_or_else(|_| {
        r#"{"error":{"kind":"internal","message":"cannot serialize an error"}}"#.to_string()
    })
}

fn problem_text(p: &Problem) -> String {
    let pointer = if p.pointer.is_empty() {
        "(policy)"
    } else {
        p.pointer.as_str()
    };
    match (p.line, p.column) {
        (Some(l), Some(c)) => format!("{pointer} (line {l}, column {c}): {}", p.message),
        (Some(l), None) => format!("{pointer} (line {l}): {}", p.message),
        _ => format!("{pointer}: {}", p.message),
    }
}

/// The message of a thrown policy error: every problem with its pointer
/// and, for policy text, its line and column.
fn policy_message(problems: &[Problem]) -> String {
    let list: Vec<String> = problems.iter().map(problem_text).collect();
    format!("invalid policy: {}", list.join("; "))
}

thread_local! {
    /// The last custom policy loaded, by its text: re-checking as the user
    /// types sends the same policy every time, and compiling it (schema
    /// validation, patterns) costs more than a small check.
    static LAST_POLICY: RefCell<Option<(String, Rc<Policy>)>> = const { RefCell::new(None) };
    /// The default policy, shared by every check that names none (a copy
    /// per call showed in profiles of small templates).
    static DEFAULT_POLICY: Rc<Policy> = Rc::new(Policy::default_policy());
}

/// Loads a policy given as text or as a JSON value (`None`/`null`: the
/// default policy), reusing the last one when the text is the same.
pub fn load_policy_cached(policy: Option<&Value>) -> Result<Rc<Policy>, Vec<Problem>> {
    let key = match policy {
        Some(Value::String(text)) => format!("t{text}"),
        Some(value @ Value::Object(_)) => format!("v{value}"),
        None | Some(Value::Null) => return Ok(DEFAULT_POLICY.with(Rc::clone)),
        _ => return load_policy(policy).map(Rc::new),
    };
    let hit = LAST_POLICY.with(|c| {
        c.borrow()
            .as_ref()
            .filter(|(k, _)| *k == key)
            .map(|(_, p)| Rc::clone(p))
    });
    if let Some(p) = hit {
        return Ok(p);
    }
    let loaded = Rc::new(load_policy(policy)?);
    LAST_POLICY.with(|c| *c.borrow_mut() = Some((key, Rc::clone(&loaded))));
    Ok(loaded)
}

/// Loads a policy given as text or as a JSON value (`None`/`null`: the
/// default policy). Problems of a value carry no line or column (they
/// would point into text the caller never wrote).
pub fn load_policy(policy: Option<&Value>) -> Result<Policy, Vec<Problem>> {
    let convert = |e: PolicyError, positions: bool| -> Vec<Problem> {
        e.problems
            .iter()
            .map(|p| {
                let mut q = Problem::from(p);
                if !positions {
                    q.line = None;
                    q.column = None;
                }
                q
            })
            .collect()
    };
    match policy {
        None | Some(Value::Null) => Ok(Policy::default_policy()),
        Some(Value::String(text)) => Policy::parse(text).map_err(|e| convert(e, true)),
        Some(value @ Value::Object(_)) => {
            let text = serde_json::to_string(value).map_err(|e| {
                vec![Problem {
                    pointer: String::new(),
                    message: e.to_string(),
                    line: None,
                    column: None,
                }]
            })?;
            Policy::parse(&text).map_err(|e| convert(e, false))
        }
        Some(_) => Err(vec![Problem {
            pointer: String::new(),
            message: "a policy is a JSON object (or its text)".to_string(),
            line: None,
            column: None,
        }]),
    }
}

/// Text values of a name → text map, or the name of the first value that
/// is not a string.
fn texts(map: Map<String, Value>, what: &str) -> Result<Vec<(String, String)>, String> {
    map.into_iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k, s)),
            _ => Err(format!("{what}[{k:?}] must be a string (the file's text)")),
        })
        .collect()
}

/// An external check run during [`check_with`]: given one evaluation's
/// model JSON text, its template and parameter file, returns the JSON of an
/// [`ExternalResult`].
pub type ExternalFn<'a> = dyn FnMut(&str, &str, Option<&str>) -> String + 'a;

/// A parsed request and everything [`check`] and [`models`] derive from it.
struct Prepared {
    policy: Rc<Policy>,
    source: SourceFile,
    parameter_files: Vec<SourceFile>,
    linked: HashMap<String, String>,
    today: Option<String>,
    external: Option<Vec<Vec<ExternalJson>>>,
    plugin_errors: Vec<PluginError>,
    language: Language,
}

fn prepare(template: &str, options: &str) -> Result<Prepared, String> {
    let request: CheckRequest = if options.trim().is_empty() {
        CheckRequest::default()
    } else {
        match serde_json::from_str::<Value>(options) {
            Ok(v @ Value::Object(_)) => match serde_json::from_value(v) {
                Ok(r) => r,
                Err(e) => {
                    return Err(error(
                        "options",
                        format!("invalid options: {e}"),
                        Vec::new(),
                    ));
                }
            },
            Ok(_) => {
                return Err(error(
                    "options",
                    "invalid options: expected an object".to_string(),
                    Vec::new(),
                ));
            }
            Err(e) => {
                return Err(error(
                    "options",
                    format!("invalid options: {e}"),
                    Vec::new(),
                ));
            }
        }
    };
    let policy = match load_policy_cached(request.policy.as_ref()) {
        Ok(p) => p,
        Err(problems) => return Err(error("policy", policy_message(&problems), problems)),
    };
    let parameter_files = match texts(request.parameters, "parameters") {
        Ok(list) => list
            .into_iter()
            .map(|(path, text)| SourceFile { path, text })
            .collect::<Vec<_>>(),
        Err(message) => return Err(error("options", message, Vec::new())),
    };
    let linked: HashMap<String, String> = match texts(request.files, "files") {
        Ok(list) => list
            .into_iter()
            .map(|(k, v)| (normalize_path(&k), v))
            .collect(),
        Err(message) => return Err(error("options", message, Vec::new())),
    };
    let file_name = request.file_name.filter(|n| !n.is_empty());
    let language = match request.language {
        Some(LanguageJson::Json) => Language::Json,
        Some(LanguageJson::Bicep) => Language::Bicep,
        Some(LanguageJson::Bicepparam) => Language::BicepParam,
        None => file_name
            .as_deref()
            .map_or(Language::Json, Language::of_path),
    };
    let default_name = match language {
        Language::Json => DEFAULT_FILE_NAME,
        Language::Bicep => "main.bicep",
        Language::BicepParam => "main.bicepparam",
    };
    let mut source = SourceFile {
        path: file_name.unwrap_or_else(|| default_name.to_string()),
        text: template.to_string(),
    };
    let (language, parameter_files) = if language == Language::BicepParam {
        // A `.bicepparam` is checked as one evaluation of the template its
        // `using` names, which the host gives in `files`.
        let names: Vec<&str> = linked.keys().map(String::as_str).collect();
        let dir = match source.path.rsplit_once(['/', '\\']) {
            Some((d, _)) => format!("{d}/"),
            None => String::new(),
        };
        // `files` are keyed relative to the parameter file's directory,
        // pairing compares paths: put both in the same frame.
        let keyed: Vec<String> = names.iter().map(|n| format!("{dir}{n}")).collect();
        let keyed_refs: Vec<&str> = keyed.iter().map(String::as_str).collect();
        let pairs = api::pair_bicepparam_files(
            &keyed_refs,
            &[(source.path.as_str(), source.text.as_str())],
        );
        let Some(template_key) = pairs
            .iter()
            .position(|(_, ps)| !ps.is_empty())
            .and_then(|i| names.get(i))
        else {
            return Err(error(
                "options",
                format!(
                    "{}: a .bicepparam file is checked with the template its `using` names: give that template's text in `files` under its path relative to the parameter file",
                    source.path
                ),
                Vec::new(),
            ));
        };
        let template_key = (*template_key).to_string();
        let template_text = linked.get(&template_key).cloned().unwrap_or_default();
        let param = SourceFile {
            path: source.path.clone(),
            text: std::mem::take(&mut source.text),
        };
        source = SourceFile {
            path: format!("{dir}{template_key}"),
            text: template_text,
        };
        let mut list = vec![param];
        list.extend(parameter_files);
        (Language::of_path(&template_key), list)
    } else {
        (language, parameter_files)
    };
    Ok(Prepared {
        policy,
        source,
        parameter_files,
        linked,
        today: request.today.filter(|t| !t.is_empty()),
        external: request.external,
        plugin_errors: request.plugin_errors,
        language,
    })
}

/// Checks one template; see [`CheckRequest`] for the options. Returns the
/// envelope of the [`Report`] (the CLI's `--format json` shape).
pub fn check(template: &str, options: &str) -> String {
    check_with(template, options, None)
}

fn str_field<'a>(model: &'a Value, key: &str) -> Option<&'a str> {
    model.get(key).and_then(Value::as_str)
}

/// [`check`], with `external` (the JavaScript plugin runner) called on the
/// model of every evaluation, in one pass: its findings join the built-in
/// ones and its failures go into `pluginErrors`. `options.external`, when
/// given, is used first (per evaluation) and `external` is not called.
pub fn check_with(template: &str, options: &str, external: Option<&mut ExternalFn<'_>>) -> String {
    let mut prepared = match prepare(template, options) {
        Ok(p) => p,
        Err(envelope) => return envelope,
    };
    let (result, errors) = run_prepared(&mut prepared, external);
    ok(&Report::new(result.files, result.findings).with_plugin_errors(errors))
}

/// Runs the check a [`Prepared`] request describes (see [`check_with`]):
/// the template's result and the plugin failures (those the request gave
/// and those of `external`).
fn run_prepared(
    prepared: &mut Prepared,
    external: Option<&mut ExternalFn<'_>>,
) -> (api::TemplateResult, Vec<PluginError>) {
    let given = prepared.external.take();
    let plugin_errors = std::mem::take(&mut prepared.plugin_errors);
    let Prepared {
        policy,
        source,
        parameter_files,
        linked,
        today,
        language,
        ..
    } = &*prepared;
    let language = *language;
    let resolve = |path: &str| linked.get(&normalize_path(path)).cloned();
    let options = CheckOptions {
        policy,
        today: today.clone(),
    };
    let errors = RefCell::new(plugin_errors);
    let result = match (given, external) {
        (Some(lists), _) => {
            let lists = RefCell::new(lists.into_iter());
            let next = |_: &Value| -> Vec<ExternalFinding> {
                lists
                    .borrow_mut()
                    .next()
                    .unwrap_or_default()
                    .into_iter()
                    .map(ExternalFinding::from)
                    .collect()
            };
            api::check_template_as(
                source,
                language,
                parameter_files,
                &resolve,
                &options,
                Some(&next),
            )
        }
        (None, Some(run)) => {
            let run = RefCell::new(run);
            let call = |model: &Value| -> Vec<ExternalFinding> {
                let Ok(text) = serde_json::to_string(model) else {
                    return Vec::new();
                };
                let template = str_field(model, "template").unwrap_or_default();
                let parameter_file = str_field(model, "parameterFile");
                let out = (run.borrow_mut())(&text, template, parameter_file);
                match serde_json::from_str::<ExternalResult>(&out) {
                    Ok(r) => {
                        errors.borrow_mut().extend(r.errors);
                        r.findings.into_iter().map(ExternalFinding::from).collect()
                    }
                    Err(e) => {
                        errors.borrow_mut().push(PluginError {
                            plugin: "plugins".to_string(),
                            path: None,
                            file: Some(template.to_string()),
                            parameter_file: parameter_file.map(str::to_string),
                            kind: idguard_core::finding::PluginErrorKind::Output,
                            message: format!("returned a result the bridge cannot read: {e}"),
                        });
                        Vec::new()
                    }
                }
            };
            api::check_template_as(
                source,
                language,
                parameter_files,
                &resolve,
                &options,
                Some(&call),
            )
        }
        (None, None) => {
            api::check_template_as(source, language, parameter_files, &resolve, &options, None)
        }
    };
    (result, errors.into_inner())
}

/// What [`graph`] returns: the check's report, the graph of every
/// evaluation, and the graphs drawn (capped) as SVG and Mermaid.
#[derive(Serialize)]
struct GraphResult {
    report: Report,
    graphs: Vec<idguard_core::graph::Graph>,
    svg: String,
    mermaid: String,
}

/// The identity graph of a template: options as for [`check`] (findings of
/// `external`, when given, are marked too). `{"ok": {"report", "graphs",
/// "svg", "mermaid"}}`; `graphs` is empty when the template is not checked
/// (its error is in the report).
pub fn graph(template: &str, options: &str) -> String {
    let prepared = match prepare(template, options) {
        Ok(p) => p,
        Err(envelope) => return envelope,
    };
    let Prepared {
        policy,
        source,
        parameter_files,
        linked,
        today,
        external: given,
        plugin_errors,
        language,
    } = prepared;
    let resolve = |path: &str| linked.get(&normalize_path(path)).cloned();
    let options = CheckOptions {
        policy: &policy,
        today,
    };
    let lists = RefCell::new(given.unwrap_or_default().into_iter());
    let next = |_: &Value| -> Vec<ExternalFinding> {
        lists
            .borrow_mut()
            .next()
            .unwrap_or_default()
            .into_iter()
            .map(ExternalFinding::from)
            .collect()
    };
    let (result, graphs) = api::graph_template(
        &source,
        Some(language),
        &parameter_files,
        &resolve,
        &options,
        Some(&next),
    );
    let drawn: Vec<idguard_core::graph::Graph> = graphs
        .iter()
        .map(|g| idguard_core::graph::cap(g, idguard_core::graph::DEFAULT_MAX_NODES))
        .collect();
    ok(&GraphResult {
        report: Report::new(result.files, result.findings).with_plugin_errors(plugin_errors),
        svg: idguard_core::graph::svg(&drawn),
        mermaid: idguard_core::graph::mermaid(&drawn),
        graphs,
    })
}

/// The model of every evaluation of a template (one per parameter file, or
/// one with defaults), in the order `check` evaluates them: what plugins
/// receive. Options as for [`check`] (`external` and `pluginErrors` are
/// ignored). `{"ok": [ModelEntry...]}`; empty when the template does not
/// parse.
pub fn models(template: &str, options: &str) -> String {
    let prepared = match prepare(template, options) {
        Ok(p) => p,
        Err(envelope) => return envelope,
    };
    let resolve = |path: &str| prepared.linked.get(&normalize_path(path)).cloned();
    let options = CheckOptions {
        policy: &prepared.policy,
        today: prepared.today.clone(),
    };
    let models = RefCell::new(Vec::new());
    let collect = |m: &Value| {
        models.borrow_mut().push(m.clone());
        Vec::new()
    };
    api::check_template_as(
        &prepared.source,
        prepared.language,
        &prepared.parameter_files,
        &resolve,
        &options,
        Some(&collect),
    );
    let list: Vec<ModelEntry> = models
        .into_inner()
        .into_iter()
        .map(|m| ModelEntry {
            template: str_field(&m, "template").unwrap_or_default().to_string(),
            parameter_file: str_field(&m, "parameterFile").map(str::to_string),
            model: serde_json::to_string(&m).unwrap_or_else(|_| "null".to_string()),
        })
        .collect();
    ok(&list)
}

/// The policy of a `{"policy": <text or object>}` request, or the error
/// envelope of a malformed request.
fn policy_request(request: &str) -> Result<Option<Value>, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Request {
        policy: Option<Value>,
    }
    serde_json::from_str::<Request>(request)
        .map(|r| r.policy)
        .map_err(|e| error("options", format!("invalid request: {e}"), Vec::new()))
}

/// The plugin entries of a policy, resolved (merged over what it extends,
/// named by [`idguard_core::policy::PluginSpec::effective_name`]).
/// `request` is `{"policy": <text or object>}`; `{"ok": [PluginEntry...]}`
/// or a `policy` error.
pub fn policy_plugins(request: &str) -> String {
    let policy = match policy_request(request) {
        Ok(p) => p,
        Err(envelope) => return envelope,
    };
    let policy = match load_policy_cached(policy.as_ref()) {
        Ok(p) => p,
        Err(problems) => return error("policy", policy_message(&problems), problems),
    };
    let list: Vec<PluginEntry> = policy
        .plugins()
        .iter()
        .map(|p| PluginEntry {
            name: p.effective_name(),
            path: p.path.clone(),
            pointer: p.pointer.clone(),
            config: p.config.clone(),
            limits: LimitsJson {
                fuel_millions: p.limits.fuel_millions,
                timeout_ms: p.limits.timeout_ms,
                memory_mib: p.limits.memory_mib,
            },
        })
        .collect();
    ok(&list)
}

fn rule_info(m: &RuleMeta) -> RuleInfo {
    RuleInfo {
        code: m.code,
        name: m.name,
        family: m.family.name,
        default_level: m.default_level.as_str(),
        summary: m.summary,
        docs: m.markdown(),
        doc_url: m.doc_url(),
    }
}

/// The rule catalog, in code order.
pub fn rules() -> String {
    let list: Vec<RuleInfo> = rules::registry().iter().map(|m| rule_info(m)).collect();
    ok(&list)
}

/// A rule's documentation (by code or name, any case) as Markdown, with a
/// title line.
pub fn explain(code: &str) -> String {
    match rules::find(code.trim()) {
        Some(m) => ok(&format!(
            "# {} {}\n\n{}.\n\n{}",
            m.code,
            m.name,
            upper_first(m.summary),
            m.markdown()
        )),
        None => error(
            "unknownRule",
            format!("unknown rule {code:?}: `rules()` lists the codes and names"),
            Vec::new(),
        ),
    }
}

fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The request of [`project`]: the files a host knows.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ProjectRequest {
    pub files: Vec<ProjectFileJson>,
}

/// One file of a [`ProjectRequest`]: its path (as the host reads it) and
/// its text, its kind, or both.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProjectFileJson {
    pub path: String,
    #[serde(default)]
    pub text: Option<String>,
    /// `template`, `parameters` or `other`, when the host already knows it.
    #[serde(default)]
    pub kind: Option<FileKind>,
}

/// What a host needs to check its files as the CLI does
/// ([`project::plan`]): every file's kind, every template's parameter
/// files, and for every template whose text is given the linked templates
/// its check asks for — each with the key to give its text under in the
/// check's `files`, the host path to read it from, and whether its text
/// was given (a host reads the ones that were not and asks again, until
/// every link it can read is given). `{"ok": Project}`, or an `options`
/// error for a malformed request or a file with neither text nor kind.
pub fn project(request: &str) -> String {
    let request: ProjectRequest = match serde_json::from_str::<Value>(request) {
        Ok(v @ Value::Object(_)) => match serde_json::from_value(v) {
            Ok(r) => r,
            Err(e) => return error("options", format!("invalid request: {e}"), Vec::new()),
        },
        Ok(_) => {
            return error(
                "options",
                "invalid request: expected an object".to_string(),
                Vec::new(),
            );
        }
        Err(e) => return error("options", format!("invalid request: {e}"), Vec::new()),
    };
    let files: Vec<ProjectFile<'_>> = request
        .files
        .iter()
        .map(|f| ProjectFile {
            path: &f.path,
            kind: f.kind,
            text: f.text.as_deref(),
        })
        .collect();
    match project::plan(&files) {
        Ok(project) => ok(&project),
        Err(e) => error("options", e.message, Vec::new()),
    }
}

/// Validates a policy. `request` is `{"policy": <text or object>}`.
pub fn validate_policy(request: &str) -> String {
    let policy = match policy_request(request) {
        Ok(p) => p,
        Err(envelope) => return envelope,
    };
    let validation = match load_policy(policy.as_ref()) {
        Ok(_) => Validation {
            valid: true,
            problems: Vec::new(),
        },
        Err(problems) => Validation {
            valid: false,
            problems,
        },
    };
    ok(&validation)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Value {
        serde_json::from_str(s).unwrap()
    }

    const TEMPLATE: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": []
}"#;

    #[test]
    fn check_returns_a_report_envelope() {
        let out = parse(&check(TEMPLATE, r#"{"fileName":"main.json"}"#));
        let report = &out["ok"];
        assert_eq!(report["version"], 1);
        assert_eq!(report["files"][0]["path"], "main.json");
        assert_eq!(report["files"][0]["kind"], "template");
        assert!(report["files"][0]["error"].is_null());
        assert!(report["findings"].is_array());
        assert_eq!(report["summary"]["templates"], 1);
    }

    #[test]
    fn check_defaults_the_file_name_and_accepts_empty_options() {
        for opts in ["", "{}", "  "] {
            let out = parse(&check(TEMPLATE, opts));
            assert_eq!(out["ok"]["files"][0]["path"], DEFAULT_FILE_NAME, "{opts:?}");
        }
    }

    #[test]
    fn malformed_template_is_a_file_error_not_an_error() {
        let out = parse(&check("{\n  \"a\": [1,\n", "{}"));
        let err = &out["ok"]["files"][0]["error"];
        assert!(err["message"].is_string());
        assert!(err["line"].as_u64().unwrap() >= 2, "{err}");
        assert!(err["column"].as_u64().unwrap() >= 1);
        assert_eq!(out["ok"]["summary"]["invalidFiles"], 1);
    }

    #[test]
    fn parameter_files_are_named_by_their_keys() {
        let params = r#"{"$schema":"https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#","contentVersion":"1.0.0.0","parameters":{}}"#;
        let opts = serde_json::json!({
            "fileName": "main.json",
            "parameters": {"main.dev.parameters.json": params, "main.prd.parameters.json": "{ bad"},
        });
        let out = parse(&check(TEMPLATE, &opts.to_string()));
        let files = out["ok"]["files"].as_array().unwrap();
        assert_eq!(files.len(), 3);
        let main = files.iter().find(|f| f["kind"] == "template").unwrap();
        assert_eq!(main["path"], "main.json");
        assert_eq!(
            main["parameterFiles"],
            serde_json::json!(["main.dev.parameters.json", "main.prd.parameters.json"])
        );
        let bad = files
            .iter()
            .find(|f| f["path"] == "main.prd.parameters.json")
            .unwrap();
        assert_eq!(bad["kind"], "parameters");
        assert!(bad["error"]["line"].is_u64());
    }

    #[test]
    fn bad_options_are_errors() {
        for opts in [
            "not json",
            r#"{"parameters": {"a": 1}}"#,
            r#"{"files": {"a": null}}"#,
            r#"{"fileName": 3}"#,
            r#"{"unknown": true}"#,
            "[]",
        ] {
            let out = parse(&check(TEMPLATE, opts));
            assert_eq!(out["error"]["kind"], "options", "{opts}: {out}");
            assert!(out["error"]["message"].as_str().unwrap().len() > 5);
        }
    }

    #[test]
    fn a_policy_that_is_not_an_object_is_a_policy_error() {
        let out = parse(&check(TEMPLATE, r#"{"policy": 42}"#));
        assert_eq!(out["error"]["kind"], "policy");
        let msg = out["error"]["message"].as_str().unwrap();
        assert!(msg.starts_with("invalid policy: (policy): "), "{msg}");
        assert_eq!(out["error"]["problems"][0]["pointer"], "");
    }

    #[test]
    fn policy_problem_messages_name_pointer_and_position() {
        let problems = vec![
            Problem {
                pointer: "/rules/MI101".into(),
                message: "unknown level \"loud\"".into(),
                line: Some(3),
                column: Some(14),
            },
            Problem {
                pointer: "/naming".into(),
                message: "expected an object".into(),
                line: None,
                column: None,
            },
        ];
        assert_eq!(
            policy_message(&problems),
            "invalid policy: /rules/MI101 (line 3, column 14): unknown level \"loud\"; /naming: expected an object"
        );
    }

    #[test]
    fn the_last_custom_policy_is_reused() {
        let text = Value::String("{}".into());
        let a = load_policy_cached(Some(&text)).unwrap();
        let b = load_policy_cached(Some(&text)).unwrap();
        assert!(Rc::ptr_eq(&a, &b));
        let c = load_policy_cached(Some(&parse("{}"))).unwrap();
        assert!(!Rc::ptr_eq(&a, &c));
        assert!(load_policy_cached(Some(&parse("7"))).is_err());
    }

    #[test]
    fn policies_load_from_text_value_or_nothing() {
        assert!(load_policy(None).is_ok());
        assert!(load_policy(Some(&Value::Null)).is_ok());
        assert!(load_policy(Some(&parse("{}"))).is_ok());
        assert!(load_policy(Some(&Value::String("{}".into()))).is_ok());
        assert!(load_policy(Some(&parse("[1]"))).is_err());
        assert!(load_policy(Some(&parse("true"))).is_err());
    }

    #[test]
    fn validate_policy_reports_validity() {
        let out = parse(&validate_policy(r#"{"policy": {}}"#));
        assert_eq!(out["ok"]["valid"], true);
        assert_eq!(out["ok"]["problems"], serde_json::json!([]));
        let out = parse(&validate_policy(r#"{"policy": [1, 2]}"#));
        assert_eq!(out["ok"]["valid"], false);
        assert_eq!(out["ok"]["problems"][0]["pointer"], "");
        let out = parse(&validate_policy("garbage"));
        assert_eq!(out["error"]["kind"], "options");
    }

    #[test]
    fn rules_lists_the_catalog_with_docs() {
        let out = parse(&rules());
        let list = out["ok"].as_array().unwrap();
        assert_eq!(list.len(), rules::registry().len());
        let first = &list[0];
        assert_eq!(first["code"], "MI101");
        for key in [
            "name",
            "family",
            "defaultLevel",
            "summary",
            "docs",
            "docUrl",
        ] {
            assert!(first[key].is_string(), "{key}");
        }
    }

    #[test]
    fn explain_by_code_or_name_and_unknown_codes() {
        let by_code = parse(&explain("mi101"));
        let md = by_code["ok"].as_str().unwrap();
        assert!(md.starts_with("# MI101 "), "{md}");
        let name = rules::find("MI101").unwrap().name;
        assert_eq!(parse(&explain(name))["ok"], by_code["ok"]);
        let out = parse(&explain("MI999"));
        assert_eq!(out["error"]["kind"], "unknownRule");
        assert!(out["error"]["message"].as_str().unwrap().contains("MI999"));
    }

    #[test]
    fn linked_templates_resolve_from_files() {
        let main = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [{
    "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "child",
    "properties": {"mode": "Incremental", "templateLink": {"relativePath": "./modules/child.json"}}
  }]
}"#;
        let opts = serde_json::json!({
            "fileName": "infra/main.json",
            "files": {"modules\\child.json": TEMPLATE},
        });
        let out = parse(&check(main, &opts.to_string()));
        assert!(out["ok"]["files"].is_array(), "{out}");
        assert_eq!(normalize_path("./a/../b//c.json"), "b/c.json");
        assert_eq!(normalize_path("..\\x.json"), "../x.json");
    }

    #[test]
    fn garbage_never_panics() {
        let mut inputs: Vec<String> = vec![
            String::new(),
            "\u{feff}".into(),
            "null".into(),
            "[".repeat(100_000),
            "{\"a\":".repeat(50_000),
            "\"\\ud800\"".into(),
            "{\"resources\": [{\"type\": 1, \"properties\": {\"principalId\": [[[]]]}}]}".into(),
            "{\"$schema\": \"deploymentTemplate.json\", \"resources\": {\"x\": {\"type\": \"[concat(\"}}}"
                .into(),
            "\u{0}\u{1}\u{7f}\u{10ffff}".into(),
            "/* unterminated".into(),
            "1e999999".into(),
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..200 {
            let len = (seed % 300) as usize;
            let mut s = String::new();
            for _ in 0..len {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let alphabet = b"{}[]\":,.0123456789-eE tfnul\\/*\n[]()'parameters";
                s.push(alphabet[(seed as usize) % alphabet.len()] as char);
            }
            inputs.push(s);
        }
        for input in &inputs {
            let out = parse(&check(input, "{}"));
            assert!(out["ok"].is_object(), "{input:?}: {out}");
            let out = parse(&check(TEMPLATE, input));
            assert!(out.get("ok").is_some() || out.get("error").is_some());
            let _ = parse(&validate_policy(input));
            let _ = parse(&explain(input));
        }
    }

    const WITH_IDENTITY: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31",
     "name": "id-web", "location": "westeurope", "tags": {"env": "prod"}},
    {"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31",
     "name": "id-quiet", "location": "westeurope",
     "metadata": {"idguard": {"ignore": ["x/X1"], "reason": "tested"}}}
  ]
}"#;

    const PARAMS: &str = r#"{"$schema":"https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#","contentVersion":"1.0.0.0","parameters":{}}"#;

    fn finding_json(pointer: &str) -> Value {
        serde_json::json!({"code": "x/X1", "name": "x-rule", "severity": "warning",
                           "message": "hello", "pointer": pointer})
    }

    #[test]
    fn models_come_one_per_evaluation_as_text() {
        let opts = serde_json::json!({"fileName": "main.json",
            "parameters": {"a.parameters.json": PARAMS, "b.parameters.json": PARAMS}});
        let out = parse(&models(WITH_IDENTITY, &opts.to_string()));
        let list = out["ok"].as_array().unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0]["template"], "main.json");
        assert_eq!(list[0]["parameterFile"], "a.parameters.json");
        assert_eq!(list[1]["parameterFile"], "b.parameters.json");
        let model = parse(list[0]["model"].as_str().unwrap());
        assert_eq!(model["modelVersion"], 1);
        assert_eq!(model["identities"].as_array().unwrap().len(), 2);
        // A template that does not parse has no model; bad options are errors.
        assert_eq!(parse(&models("{", "{}"))["ok"], serde_json::json!([]));
        assert_eq!(parse(&models(TEMPLATE, "[]"))["error"]["kind"], "options");
    }

    #[test]
    fn external_findings_are_placed_fingerprinted_and_suppressed() {
        let opts = serde_json::json!({"fileName": "main.json",
            "external": [[finding_json("/resources/0/tags/missing"), finding_json("/resources/1")]],
            "pluginErrors": [{"plugin": "y", "kind": "trap", "message": "trapped: unreachable",
                              "file": "main.json"}]});
        let out = parse(&check(WITH_IDENTITY, &opts.to_string()));
        let report = &out["ok"];
        let found: Vec<&Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "x/X1")
            .collect();
        assert_eq!(found.len(), 2, "{report}");
        // The pointer that leads nowhere lands on the deepest value.
        assert_eq!(found[0]["pointer"], "/resources/0/tags");
        assert_eq!(found[0]["range"]["start"]["line"], 6);
        assert!(found[0]["fingerprint"].as_str().unwrap().len() >= 8);
        assert!(found[0]["suppression"].is_null());
        assert_eq!(found[1]["suppression"]["kind"], "inSource");
        assert_eq!(report["pluginErrors"][0]["plugin"], "y");
        assert_eq!(report["pluginErrors"][0]["kind"], "trap");
        // A malformed external finding is an options error.
        let bad = serde_json::json!({"external": [[{"code": "x/X1"}]]});
        assert_eq!(
            parse(&check(TEMPLATE, &bad.to_string()))["error"]["kind"],
            "options"
        );
    }

    #[test]
    fn check_with_calls_the_runner_per_evaluation() {
        let opts = serde_json::json!({"fileName": "main.json",
            "parameters": {"a.parameters.json": PARAMS, "b.parameters.json": PARAMS}});
        let mut calls = Vec::new();
        let mut run = |model: &str, template: &str, parameter_file: Option<&str>| {
            let m = parse(model);
            calls.push((
                template.to_string(),
                parameter_file.map(str::to_string),
                m["parameterFile"].clone(),
            ));
            serde_json::json!({"findings": [finding_json("/resources/0")],
                "errors": [{"plugin": "y", "kind": "deadline", "message": "exceeded its deadline",
                            "file": template, "parameterFile": parameter_file}]})
            .to_string()
        };
        let out = parse(&check_with(
            WITH_IDENTITY,
            &opts.to_string(),
            Some(&mut run),
        ));
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].0, "main.json");
        assert_eq!(calls[0].1.as_deref(), Some("a.parameters.json"));
        assert_eq!(calls[0].2, "a.parameters.json");
        let report = &out["ok"];
        let x: Vec<&Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "x/X1")
            .collect();
        // The same finding in both evaluations is reported once (as a
        // built-in one), with the first evaluation's parameter file.
        assert_eq!(x.len(), 1, "{report}");
        assert_eq!(x[0]["parametersFile"], "a.parameters.json");
        let errors = report["pluginErrors"].as_array().unwrap();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[1]["parameterFile"], "b.parameters.json");
        // A result the bridge cannot read is a plugin error, not a crash.
        let mut garbage = |_: &str, _: &str, _: Option<&str>| "nope".to_string();
        let out = parse(&check_with(TEMPLATE, "{}", Some(&mut garbage)));
        assert_eq!(out["ok"]["pluginErrors"][0]["kind"], "output");
    }

    #[test]
    fn policy_plugins_are_resolved() {
        let policy = serde_json::json!({"policy": {"plugins": [
            {"path": "plugins/Cost_Center.wasm", "config": {"tag": "cc"}},
            {"path": "b.wasm", "name": "bee", "limits": {"timeoutMs": 50, "memoryMiB": 8}}]}});
        let out = parse(&policy_plugins(&policy.to_string()));
        let list = out["ok"].as_array().unwrap();
        assert_eq!(list.len(), 2, "{out}");
        assert_eq!(list[0]["name"], "cost-center");
        assert_eq!(list[0]["path"], "plugins/Cost_Center.wasm");
        assert_eq!(list[0]["config"]["tag"], "cc");
        assert_eq!(list[0]["limits"], serde_json::json!({}));
        assert_eq!(list[1]["name"], "bee");
        assert_eq!(
            list[1]["limits"],
            serde_json::json!({"timeoutMs": 50, "memoryMiB": 8})
        );
        assert_eq!(
            parse(&policy_plugins(r#"{"policy": null}"#))["ok"],
            serde_json::json!([])
        );
        assert_eq!(
            parse(&policy_plugins(r#"{"policy": 3}"#))["error"]["kind"],
            "policy"
        );
    }

    const LINKED: &str =
        include_str!("../../../tests/fixtures/rules/MI402/invalid-missing-principal-type.json");

    fn linking(path: &str) -> String {
        serde_json::json!({
            "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            "contentVersion": "1.0.0.0",
            "resources": [{
                "type": "Microsoft.Resources/deployments",
                "apiVersion": "2022-09-01",
                "name": "inner",
                "properties": {"mode": "Incremental", "templateLink": {"relativePath": path}}
            }]
        })
        .to_string()
    }

    /// A host's round trip: ask, read what is missing, ask again, check
    /// with the links given under their relative paths.
    #[test]
    fn project_pairs_and_links_as_the_check_reads_them() {
        let root = linking("../shared/inner.json");
        let params = r#"{"$schema":"https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#","parameters":{}}"#;
        let first = serde_json::json!({"files": [
            {"path": "/w/infra/main.json", "text": root},
            {"path": "/w/infra/main.dev.parameters.json", "text": params},
            {"path": "/w/infra/notes.json", "kind": "other"},
        ]});
        let out = parse(&project(&first.to_string()));
        let ok = &out["ok"];
        assert_eq!(
            ok["files"],
            serde_json::json!([
                {"path": "/w/infra/main.json", "kind": "template"},
                {"path": "/w/infra/main.dev.parameters.json", "kind": "parameters"},
                {"path": "/w/infra/notes.json", "kind": "other"},
            ])
        );
        assert_eq!(
            ok["templates"],
            serde_json::json!([{
                "path": "/w/infra/main.json",
                "parameterFiles": ["/w/infra/main.dev.parameters.json"],
                "links": [{"relativePath": "../shared/inner.json", "path": "/w/shared/inner.json", "given": false}],
            }])
        );
        // The host reads /w/shared/inner.json and asks again.
        let second = serde_json::json!({"files": [
            {"path": "/w/infra/main.json", "text": root, "kind": "template"},
            {"path": "/w/shared/inner.json", "text": LINKED, "kind": "other"},
        ]});
        let out = parse(&project(&second.to_string()));
        let link = &out["ok"]["templates"][0]["links"][0];
        assert_eq!(link["given"], true);
        let key = link["relativePath"].as_str().unwrap();
        let options = serde_json::json!({"fileName": "infra/main.json", "files": {key: LINKED}});
        let report = parse(&check(&root, &options.to_string()));
        let findings = report["ok"]["findings"].as_array().unwrap();
        assert!(
            findings
                .iter()
                .any(|f| f["code"] == "MI402" && f["file"] == "infra/../shared/inner.json"),
            "{findings:?}"
        );
    }

    #[test]
    fn bad_project_requests_are_errors() {
        for request in [
            "",
            "[]",
            r#"{"files": {}}"#,
            r#"{"files": [{"text": "{}"}]}"#,
            r#"{"files": [{"path": "a.json", "kind": "module"}]}"#,
            r#"{"files": [{"path": "a.json", "text": 1}]}"#,
            r#"{"files": [], "extra": 1}"#,
            r#"{"files": [{"path": "a.json"}]}"#,
        ] {
            let out = parse(&project(request));
            assert_eq!(out["error"]["kind"], "options", "{request}: {out}");
            assert!(out["error"]["message"].is_string());
        }
        let out = parse(&project(r#"{"files": [{"path": "a.json"}]}"#));
        assert!(
            out["error"]["message"]
                .as_str()
                .unwrap()
                .contains("a.json: give the file's text or its kind")
        );
        assert_eq!(
            parse(&project("{}"))["ok"],
            serde_json::json!({"files": [], "templates": []})
        );
    }
}
