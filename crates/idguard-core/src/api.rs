//! The one API every front end uses: the CLI (per template, in parallel),
//! the wasm package and, through it, the language server.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use crate::budget::{Budget, Limits};
use crate::finding::{
    FileError, FileKind, FileReport, Finding, Position, Range, Related, SecretRanges, Severity,
};
use crate::model::Model;
use crate::policy::Policy;
use crate::rules::{self, Diagnostic, RuleContext};
use crate::source::Document;
use crate::template::{self, FileId, Files};

pub use crate::path::normalize_path;
pub use crate::place::fingerprint;
use crate::project;
pub use crate::project::{pair_parameter_files, sniff_kind};

/// A file's text as the caller read it, named as the caller wants it shown.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

/// Options of one check.
#[derive(Clone, Debug)]
pub struct CheckOptions<'a> {
    pub policy: &'a Policy,
    /// Today's date as `YYYY-MM-DD`, for exemption expiry (the core has no
    /// clock). `None`: exemptions never expire.
    pub today: Option<String>,
}

impl CheckOptions<'_> {
    pub(crate) fn judge(&self) -> crate::place::Judge<'_> {
        crate::place::Judge {
            policy: self.policy,
            today: self.today.as_deref(),
        }
    }
}

/// The result for one template: its file report and the reports of its
/// parameter files, the findings of every evaluation, and where the
/// template, its parameter files and linked files hold secrets.
#[derive(Clone, Debug)]
pub struct TemplateResult {
    pub files: Vec<FileReport>,
    pub findings: Vec<Finding>,
    /// Secret byte ranges by file (files without any are left out): a
    /// front end that shows source text masks them
    /// ([`SecretRanges::mask`]).
    pub secrets: Vec<SecretRanges>,
    /// How much of the check's budget the template used.
    pub usage: crate::budget::Usage,
    /// The linked templates and modules (by the path findings show them
    /// under) that an evaluation deployed: a file that was read but whose
    /// deployment never happens (a condition false with these values) is
    /// not among them, so a front end still checks it on its own.
    pub deployed: Vec<String>,
}

fn file_error(err: &crate::source::ParseError) -> FileError {
    FileError {
        message: err.message.clone(),
        line: err.line,
        column: err.column,
    }
}

/// Parses a template or parameter file: a syntax error, or a top level
/// that is not an object (a deployment template and a parameter file are
/// objects), is the file's error.
fn parse_file(text: &str, kind: FileKind) -> Result<Document, FileError> {
    let doc = Document::parse(text).map_err(|e| file_error(&e))?;
    let root = doc.root();
    if !matches!(doc.kind(root), crate::source::Kind::Object(_)) {
        let start = doc.span(root).start;
        let lc = doc.lines().line_col(text, start);
        return Err(FileError {
            message: format!(
                "a {} is a JSON object, but this file's top level is {}",
                match kind {
                    FileKind::Parameters => "parameter file",
                    _ => "deployment template",
                },
                match doc.kind(root) {
                    crate::source::Kind::Array(_) => "an array",
                    crate::source::Kind::String(_) => "a string",
                    crate::source::Kind::Null => "null",
                    crate::source::Kind::Bool(_) => "a boolean",
                    _ => "a number",
                }
            ),
            line: lc.line,
            column: lc.column_chars,
        });
    }
    Ok(doc)
}

/// The error of a template or parameter file that cannot be read as one
/// (see [`crate::project::sniff_kind`]): a syntax error or a top level that
/// is not an object. For files checked on their own, such as a parameter
/// file no template claims: a file classified as a template or parameter
/// file that does not parse is an error, never a skip.
pub fn file_error_of(text: &str, kind: FileKind) -> Option<FileError> {
    parse_file(text, kind).err()
}

/// Checks one template, evaluated once per parameter file (or once with
/// defaults when there is none). `resolve` returns the text of a file named
/// relative to the template's directory (for `templateLink.relativePath`),
/// if at hand.
///
/// The language follows the path: `.bicep` is lowered from Bicep (and
/// `.bicepparam` parameter files too), anything else is JSON; see
/// [`check_template_as`] to name it explicitly. For a Bicep template,
/// `resolve` is also asked for its modules and `load*Content()` files
/// (see [`crate::bicep::modules`]).
pub fn check_template(
    template: &SourceFile,
    parameter_files: &[SourceFile],
    resolve: &dyn Fn(&str) -> Option<String>,
    options: &CheckOptions<'_>,
) -> TemplateResult {
    check_template_inner(
        template,
        parameter_files,
        resolve,
        options,
        None,
        Limits::DEFAULT,
    )
}

pub use crate::bicep::Language;
pub use crate::bicep::params::pair_bicepparam_files;

/// [`check_template`] (or [`check_template_with`] when `external` is given)
/// with the template's language named explicitly (text pasted without a
/// file name).
pub fn check_template_as(
    template: &SourceFile,
    language: Language,
    parameter_files: &[SourceFile],
    resolve: &dyn Fn(&str) -> Option<String>,
    options: &CheckOptions<'_>,
    external: Option<&ExternalCheck<'_>>,
) -> TemplateResult {
    check_template_lang(
        template,
        language,
        parameter_files,
        resolve,
        options,
        external,
        Limits::DEFAULT,
        None,
    )
}

/// [`check_template`] (with `external` checks when given), and the
/// identity graph of every evaluation ([`crate::graph::build`]), each
/// with the findings of that evaluation marked on it. `language`: `None`
/// follows the path, as [`check_template`] does. No graph when the
/// template is not checked (a parse error, a budget run out).
pub fn graph_template(
    template: &SourceFile,
    language: Option<Language>,
    parameter_files: &[SourceFile],
    resolve: &dyn Fn(&str) -> Option<String>,
    options: &CheckOptions<'_>,
    external: Option<&ExternalCheck<'_>>,
) -> (TemplateResult, Vec<crate::graph::Graph>) {
    let mut graphs = Vec::new();
    let result = check_template_lang(
        template,
        language.unwrap_or_else(|| Language::of_path(&template.path)),
        parameter_files,
        resolve,
        options,
        external,
        Limits::DEFAULT,
        Some(&mut graphs),
    );
    (result, graphs)
}

pub use crate::external::ExternalFinding;

/// External checks of one evaluation: given its model JSON
/// ([`crate::model::model_json`]), the findings to add.
pub type ExternalCheck<'a> = dyn Fn(&serde_json::Value) -> Vec<ExternalFinding> + 'a;

/// [`check_template`], and `external` (policy plugins) run on the model
/// JSON of every evaluation; its findings join the built-in ones.
pub fn check_template_with(
    template: &SourceFile,
    parameter_files: &[SourceFile],
    resolve: &dyn Fn(&str) -> Option<String>,
    options: &CheckOptions<'_>,
    external: &ExternalCheck<'_>,
) -> TemplateResult {
    check_template_inner(
        template,
        parameter_files,
        resolve,
        options,
        Some(external),
        Limits::DEFAULT,
    )
}

/// The model JSON of every evaluation of a template (one per parameter
/// file, or one with defaults), as plugins receive it. Empty when the
/// template does not parse.
pub fn model_json(
    template: &SourceFile,
    parameter_files: &[SourceFile],
    resolve: &dyn Fn(&str) -> Option<String>,
    options: &CheckOptions<'_>,
) -> Vec<serde_json::Value> {
    let models = std::cell::RefCell::new(Vec::new());
    let collect = |m: &serde_json::Value| {
        models.borrow_mut().push(m.clone());
        Vec::new()
    };
    check_template_inner(
        template,
        parameter_files,
        resolve,
        options,
        Some(&collect),
        Limits::DEFAULT,
    );
    models.into_inner()
}

/// [`check_template`] under other [`Limits`] than the default: for tools
/// and tests (the fuzz harness runs thousands of templates under small
/// limits). Front ends use [`check_template`].
pub fn check_template_with_limits(
    template: &SourceFile,
    parameter_files: &[SourceFile],
    resolve: &dyn Fn(&str) -> Option<String>,
    options: &CheckOptions<'_>,
    limits: Limits,
) -> TemplateResult {
    check_template_inner(template, parameter_files, resolve, options, None, limits)
}

fn check_template_inner(
    template: &SourceFile,
    parameter_files: &[SourceFile],
    resolve: &dyn Fn(&str) -> Option<String>,
    options: &CheckOptions<'_>,
    external: Option<&ExternalCheck<'_>>,
    limits: Limits,
) -> TemplateResult {
    let language = Language::of_path(&template.path);
    check_template_lang(
        template,
        language,
        parameter_files,
        resolve,
        options,
        external,
        limits,
        None,
    )
}

/// `graphs`: when given, receives the graph of every evaluation.
#[allow(clippy::too_many_arguments)]
fn check_template_lang(
    template: &SourceFile,
    language: Language,
    parameter_files: &[SourceFile],
    resolve: &dyn Fn(&str) -> Option<String>,
    options: &CheckOptions<'_>,
    external: Option<&ExternalCheck<'_>>,
    limits: Limits,
    graphs: Option<&mut Vec<crate::graph::Graph>>,
) -> TemplateResult {
    let mut reports = vec![FileReport {
        path: template.path.clone(),
        kind: FileKind::Template,
        error: None,
        parameter_files: parameter_files.iter().map(|p| p.path.clone()).collect(),
        notes: Vec::new(),
    }];
    let mut files = Files::default();
    let read = match language {
        Language::Bicep => {
            crate::bicep::check::read_template(&template.path, &template.text, resolve)
                .map(|b| (None, Some(b)))
        }
        _ => parse_file(&template.text, FileKind::Template).map(|doc| (Some(doc), None)),
    };
    let (doc, mut bicep) = match read {
        Ok((Some(doc), _)) => (doc, None),
        Ok((None, Some(mut b))) => {
            if let Some(r) = reports.first_mut() {
                r.error = b.error.take();
                r.notes = std::mem::take(&mut b.notes);
            }
            let doc = std::mem::replace(&mut b.doc, crate::bicep::empty_document());
            (doc, Some(b))
        }
        other => {
            if let (Some(r), Err(error)) = (reports.first_mut(), other) {
                r.error = Some(error);
            }
            for p in parameter_files {
                reports.push(FileReport {
                    path: p.path.clone(),
                    kind: FileKind::Parameters,
                    error: None,
                    parameter_files: Vec::new(),
                    notes: Vec::new(),
                });
            }
            return TemplateResult {
                files: reports,
                findings: Vec::new(),
                secrets: text_secrets(template, parameter_files),
                usage: crate::budget::Usage::default(),
                deployed: Vec::new(),
            };
        }
    };
    let root_file = files.push(
        template.path.clone(),
        Rc::from(template.text.as_str()),
        Rc::new(doc),
    );
    let mut param_ids = Vec::new();
    for p in parameter_files {
        let mut report = FileReport {
            path: p.path.clone(),
            kind: FileKind::Parameters,
            error: None,
            parameter_files: Vec::new(),
            notes: Vec::new(),
        };
        let notes = &mut report.notes;
        let read = match Language::of_path(&p.path) {
            Language::BicepParam => Ok(crate::bicep::check::read_bicepparam(
                &p.path,
                &p.text,
                &template.path,
                resolve,
                notes,
            )),
            _ => parse_file(&p.text, FileKind::Parameters).map(|doc| (doc, None)),
        };
        match read {
            Ok((doc, error)) => {
                report.error = error;
                param_ids.push(files.push(p.path.clone(), Rc::from(p.text.as_str()), Rc::new(doc)))
            }
            Err(error) => report.error = Some(error),
        }
        reports.push(report);
    }
    // One budget for everything this check does with the template: views,
    // every evaluation (one per parameter file), every level and copy.
    let budget = Rc::new(Budget::with_limits(limits));
    match &mut bicep {
        Some(b) => {
            let mut notes = Vec::new();
            let loaded =
                crate::bicep::check::load_modules(&mut files, root_file, b, resolve, &mut notes);
            if let Some(r) = reports.first_mut() {
                r.notes.extend(notes);
                if let Err(cycle) = loaded {
                    // Bicep does not compile a module cycle: nothing to check.
                    r.error = Some(cycle);
                    return TemplateResult {
                        files: reports,
                        findings: Vec::new(),
                        secrets: text_secrets(template, parameter_files),
                        usage: crate::budget::Usage::default(),
                        deployed: Vec::new(),
                    };
                }
            }
        }
        None => load_linked(&mut files, root_file, resolve),
    }
    for file in 0..files.entries.len() {
        files.add_template_views_within(file, &budget);
    }

    // Templates that the file's policy definitions deploy
    // (deployIfNotExists): each checked as a template of its own, without
    // parameter values (the policy passes field values at remediation).
    let policy_views = files.add_policy_template_views(root_file, &budget);

    let mut evaluations: Vec<(Option<FileId>, template::Evaluation)> = Vec::new();
    for p in param_ids_or_none(&param_ids) {
        if budget.exhausted() {
            break;
        }
        evaluations.push((p, template::evaluate_within(&files, root_file, p, &budget)));
    }
    // Compared across parameter files (MI301, MI302): the template's own
    // evaluations only.
    let template_evaluations = evaluations.len();
    for view in policy_views {
        if budget.exhausted() {
            break;
        }
        evaluations.push((None, template::evaluate_within(&files, view, None, &budget)));
    }
    if budget.exhausted() {
        if let Some(r) = reports.first_mut() {
            r.error = Some(budget_error(
                &files,
                root_file,
                evaluations.last().map(|(_, e)| e),
                &budget,
            ));
        }
        return TemplateResult {
            files: reports,
            findings: Vec::new(),
            secrets: text_secrets(template, parameter_files),
            usage: budget.usage(),
            deployed: Vec::new(),
        };
    }
    let models: Vec<Model<'_>> = evaluations
        .iter()
        .map(|(p, e)| Model::build(&files, e, *p, options.policy))
        .collect();

    let mut findings = Vec::new();
    let mut seen = HashSet::new();
    // The findings of each evaluation, before they are merged (only when
    // graphs are wanted: each graph is marked with its own evaluation's).
    let want_graphs = graphs.is_some();
    let mut per_model: Vec<Vec<Finding>> = Vec::new();
    for model in &models {
        let mut own: Vec<Finding> = Vec::new();
        let mut diags = Vec::new();
        for rule in rules::all() {
            if level_of(options.policy, rule.meta()).is_none() {
                continue;
            }
            let mut ctx = RuleContext::new(model, options.policy, rule.meta());
            rule.check(&mut ctx);
            diags.extend(ctx.into_diagnostics());
        }
        for d in diags {
            if let Some(f) = to_finding(&files, model, &d, options) {
                if want_graphs {
                    own.push(f.clone());
                }
                if seen.insert((
                    f.code.clone(),
                    f.file.clone(),
                    f.pointer.clone(),
                    f.message.clone(),
                )) {
                    findings.push(f);
                }
            }
        }
        if let Some(external) = external {
            let json = crate::model::model_json(model, options.policy);
            for mut x in external(&json) {
                // The policy may set a plugin rule's level, or turn it off.
                if let Some(level) = options.policy.plugin_level(&x.code, &x.name) {
                    match level.severity() {
                        Some(severity) => x.severity = severity,
                        None => continue,
                    }
                }
                let f = crate::external::to_finding(&files, model, &x, options.judge());
                if want_graphs {
                    own.push(f.clone());
                }
                if seen.insert((
                    f.code.clone(),
                    f.file.clone(),
                    f.pointer.clone(),
                    f.message.clone(),
                )) {
                    findings.push(f);
                }
            }
        }
        per_model.push(own);
    }
    let template_models = models.get(..template_evaluations).unwrap_or(&[]);
    if template_models.len() > 1 {
        let mut diags = Vec::new();
        for rule in rules::all() {
            if level_of(options.policy, rule.meta()).is_some() {
                rule.check_all(template_models, options.policy, &mut diags);
            }
        }
        if let Some(first) = models.first() {
            for d in diags {
                if let Some(f) = to_finding(&files, first, &d, options) {
                    if want_graphs {
                        // Across evaluations: marked on every graph.
                        for own in &mut per_model {
                            own.push(f.clone());
                        }
                    }
                    if seen.insert((
                        f.code.clone(),
                        f.file.clone(),
                        f.pointer.clone(),
                        f.message.clone(),
                    )) {
                        findings.push(f);
                    }
                }
            }
        }
    }
    crate::place::merge_shared_ranges(&mut findings);
    disambiguate_fingerprints(&mut findings);
    if let Some(graphs) = graphs {
        for (model, own) in models.iter().zip(&mut per_model) {
            disambiguate_fingerprints(own);
            graphs.push(crate::graph::build(model, &template.path, own));
        }
    }
    let mut secrets: Vec<SecretRanges> = crate::model::secrets::by_path(&files, &models)
        .into_iter()
        .map(|(file, ranges)| SecretRanges { file, ranges })
        .collect();
    // A parameter file that did not parse is not in `files`: its text
    // still gets the marker scan.
    for p in parameter_files {
        if !secrets.iter().any(|s| s.file == p.path) {
            let ranges =
                crate::model::secrets::merge(crate::model::secrets::file_spans(&p.text, None));
            if !ranges.is_empty() {
                secrets.push(SecretRanges {
                    file: p.path.clone(),
                    ranges,
                });
            }
        }
    }
    let mut deployed: Vec<String> = Vec::new();
    for (_, e) in &evaluations {
        for d in &e.deployments {
            if d.file != root_file
                && let Some(entry) = files.get(d.file)
                && entry.path != template.path
                && !deployed.contains(&entry.path)
            {
                deployed.push(entry.path.clone());
            }
        }
    }
    TemplateResult {
        files: reports,
        findings,
        secrets,
        usage: budget.usage(),
        deployed,
    }
}

/// Secret ranges of files that were not checked (a parse error, a budget
/// run out): only what the text shows (credential markers, secret-named
/// values), as there is no model.
fn text_secrets(template: &SourceFile, parameter_files: &[SourceFile]) -> Vec<SecretRanges> {
    std::iter::once(template)
        .chain(parameter_files)
        .map(|f| {
            let doc = Document::parse(&f.text).ok();
            SecretRanges {
                file: f.path.clone(),
                ranges: crate::model::secrets::merge(crate::model::secrets::file_spans(
                    &f.text,
                    doc.as_ref(),
                )),
            }
        })
        .filter(|s| !s.ranges.is_empty())
        .collect()
}

/// The parameter files to evaluate with: each of them, or none once.
fn param_ids_or_none(param_ids: &[FileId]) -> Vec<Option<FileId>> {
    if param_ids.is_empty() {
        vec![None]
    } else {
        param_ids.iter().map(|p| Some(*p)).collect()
    }
}

/// The file error of a check whose budget ran out: which limit, and where
/// it was hit. The place is the innermost JSON value being evaluated; in a
/// linked template, the error's line and column are those of the
/// deployment in the template that leads there, and the message names the
/// linked file and its position.
fn budget_error(
    files: &Files,
    root: FileId,
    evaluation: Option<&template::Evaluation>,
    budget: &Budget,
) -> FileError {
    let mut message = budget.message().unwrap_or_default();
    let root_text = files.get(root).map(|e| Rc::clone(&e.text));
    let in_root = |f: FileId| {
        files
            .get(f)
            .zip(root_text.as_ref())
            .is_some_and(|(e, t)| Rc::ptr_eq(&e.text, t))
    };
    let at = budget
        .at()
        .and_then(|(key, span)| Some((files.by_doc_key(key)?, span)));
    let Some((file, span)) = at else {
        return FileError {
            message: format!("{message}; the template was not checked"),
            line: 1,
            column: 1,
        };
    };
    let here = files.position(file, span.start);
    if in_root(file) {
        message.push_str(&format!(
            ", hit at line {}, column {}; the template was not checked",
            here.line, here.column
        ));
        return FileError {
            message,
            line: here.line,
            column: here.column,
        };
    }
    let path = files.get(file).map(|e| e.path.as_str()).unwrap_or("");
    message.push_str(&format!(
        ", hit in the linked template {path} at line {}, column {}; the template was not checked",
        here.line, here.column
    ));
    // Up the deployments to the one written in the template itself.
    let mut outer = None;
    if let Some(eval) = evaluation {
        let mut d = eval.deployments.iter().rposition(|d| d.file == file);
        while let Some(r) = d
            .and_then(|i| eval.deployments.get(i))
            .and_then(|dep| dep.resource)
            .and_then(|r| eval.resources.get(r))
        {
            if in_root(r.file) {
                outer = files
                    .get(r.file)
                    .map(|e| files.position(r.file, e.doc.span(r.node).start));
                break;
            }
            d = Some(r.deployment);
        }
    }
    let outer = outer.unwrap_or(Position {
        line: 1,
        column: 1,
        utf16_column: 1,
        offset: 0,
    });
    FileError {
        message,
        line: outer.line,
        column: outer.column,
    }
}

/// Loads the templates linked by a literal `templateLink.relativePath`,
/// transitively, as far as `resolve` has them ([`project::walk_links`]).
/// Linked files are shown under the root template's directory joined with
/// their relative path.
fn load_linked(files: &mut Files, root: FileId, resolve: &dyn Fn(&str) -> Option<String>) {
    let Some((root_path, doc)) = files.get(root).map(|e| (e.path.clone(), e.doc.clone())) else {
        return;
    };
    let root_dir = match root_path.rsplit_once(['/', '\\']) {
        Some((d, _)) => format!("{d}/"),
        None => String::new(),
    };
    let walk = project::walk_links(&doc, files.entries.len(), resolve);
    let mut ids = vec![root];
    for f in walk.files {
        ids.push(files.push(format!("{root_dir}{}", f.path), f.text, f.doc));
    }
    for (from, rel, to) in walk.links {
        if let (Some(from), Some(to)) = (ids.get(from), ids.get(to)) {
            files.links.insert((*from, rel), *to);
        }
    }
}

fn level_of(policy: &Policy, meta: &rules::RuleMeta) -> Option<Severity> {
    policy
        .level(meta.code)
        .unwrap_or(meta.default_level)
        .severity()
}

fn to_finding(
    files: &Files,
    model: &Model<'_>,
    d: &Diagnostic,
    options: &CheckOptions<'_>,
) -> Option<Finding> {
    files.get(d.location.file)?;
    let level = level_of(options.policy, d.rule)?;
    let severity = d.severity.map(|s| s.min(level)).unwrap_or(level);
    let related = related(files, model, d);
    Some(crate::place::place_diagnostic(
        files,
        model,
        d,
        severity,
        related,
        options.judge(),
    ))
}

/// Parameter-file lines that fed the finding's resource, when it came from
/// a parameter file.
fn related(files: &Files, model: &Model<'_>, d: &Diagnostic) -> Vec<Related> {
    let Some(r) = d.resource.and_then(|r| model.resource(r)) else {
        return Vec::new();
    };
    let Some(entry) = files.get(r.file) else {
        return Vec::new();
    };
    let Some(deployment) = model.eval.deployments.get(r.deployment) else {
        return Vec::new();
    };
    // Parameters the offending value's text mentions.
    let Some(text) = entry
        .text
        .get(d.location.span.start as usize..d.location.span.end as usize)
    else {
        return Vec::new();
    };
    let mut lower = text.to_ascii_lowercase();
    if entry.doc.is_lowered() {
        // Bicep: the text says `name`; the lowered value `parameters('name')`.
        lower.push_str(&crate::bicep::check::lowered_text(
            &entry.doc,
            d.location.node,
        ));
    }
    deployment
        .parameters
        .iter()
        .filter_map(|p| {
            let (pfile, pnode) = p.from_file?;
            let needle = format!("parameters('{}')", p.name.to_ascii_lowercase());
            if !lower.contains(&needle) {
                return None;
            }
            let pentry = files.get(pfile)?;
            Some(Related {
                message: format!("parameter '{}' is set here", p.name),
                file: pentry.path.clone(),
                pointer: pentry.pointer(pnode),
                range: files.range(pfile, pentry.doc.span(pnode)),
            })
        })
        .collect()
}

/// Two findings of one rule at one pointer (different messages) get
/// distinct fingerprints: the later ones carry an ordinal.
fn disambiguate_fingerprints(findings: &mut [Finding]) {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for f in findings.iter_mut() {
        let n = counts.entry(f.fingerprint.clone()).or_insert(0);
        if *n > 0 {
            f.fingerprint = fingerprint(&format!("{}#{}", f.fingerprint, n));
            for c in &mut f.compiled_fingerprints {
                *c = fingerprint(&format!("{c}#{n}"));
            }
        }
        *n += 1;
    }
}

/// Code of the finding that reports an expired policy exemption. Not a
/// rule of the catalog: it is about the policy file, not a template.
pub const EXPIRED_EXEMPTION_CODE: &str = "IDG001";

/// Findings about the policy itself: every exemption whose `expires` date
/// is before `today` is reported (at warning level) at its place in the
/// policy file, so that an expired exemption is seen rather than silently
/// ending. `policy_text` locates it; without it the finding points at
/// line 1.
pub fn policy_findings(
    policy: &Policy,
    policy_path: &str,
    policy_text: Option<&str>,
    today: Option<&str>,
) -> Vec<Finding> {
    // The policy file as a file set of its own, so its findings are
    // placed (pointer → node → range) as every other finding is.
    let mut files = Files::default();
    let policy_file = match (
        policy_text,
        policy_text.and_then(|t| Document::parse(t).ok()),
    ) {
        (Some(t), Some(doc)) => {
            Some(files.push(policy_path.to_string(), Rc::from(t), Rc::new(doc)))
        }
        _ => None,
    };
    policy
        .expired_exemptions(today)
        .into_iter()
        .map(|e| {
            let range = match policy_file.and_then(|f| Some((f, files.get(f)?))) {
                Some((f, entry)) => {
                    let node = crate::place::resolve_pointer(&entry.doc, &e.pointer);
                    files.range(f, entry.doc.span(node))
                }
                None => {
                    let p = Position {
                        line: 1,
                        column: 1,
                        utf16_column: 1,
                        offset: 0,
                    };
                    Range { start: p, end: p }
                }
            };
            Finding {
                code: EXPIRED_EXEMPTION_CODE.to_string(),
                name: "expired-exemption".to_string(),
                severity: Severity::Warning,
                message: format!(
                    "the exemption of {} for '{}' expired on {}; it no longer silences findings",
                    if e.rule == "*" { "every rule".to_string() } else { e.rule.clone() },
                    e.resource,
                    e.expires.as_deref().unwrap_or("an earlier date")
                ),
                help: "fix the findings it covered, or renew the exemption with a new expiry date and a reason that still holds".to_string(),
                file: policy_path.to_string(),
                pointer: e.pointer.clone(),
                range,
                fingerprint: crate::place::fingerprint_of(
                    EXPIRED_EXEMPTION_CODE,
                    policy_path,
                    &e.pointer,
                    false,
                ),
                compiled_fingerprints: Vec::new(),
                parameters_file: None,
                related: Vec::new(),
                suppression: None,
                doc_url: Some(
                    "https://github.com/idguard/idguard/blob/main/docs/policy.md#exemptions"
                        .to_string(),
                ),
                fix: None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linked_paths_reach_resolve_normalized_but_absolute_ones_as_written() {
        let template = SourceFile {
            path: "infra/main.json".to_string(),
            text: r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
              "resources": [
                {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "a",
                 "properties": {"mode": "Incremental", "templateLink": {"relativePath": "/dev/zero"}}},
                {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "b",
                 "properties": {"mode": "Incremental", "templateLink": {"relativePath": "nested/../../x.json"}}},
                {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "c",
                 "properties": {"mode": "Incremental", "templateLink": {"relativePath": "C:/x.json"}}}
              ]}"#
                .to_string(),
        };
        let asked = std::cell::RefCell::new(Vec::new());
        let resolve = |p: &str| -> Option<String> {
            asked.borrow_mut().push(p.to_string());
            None
        };
        let policy = Policy::default_policy();
        let options = CheckOptions {
            policy: &policy,
            today: None,
        };
        check_template(&template, &[], &resolve, &options);
        let mut asked = asked.into_inner();
        asked.sort();
        assert_eq!(asked, ["../x.json", "/dev/zero", "C:/x.json"]);
    }

    #[test]
    fn expired_exemptions_are_reported_where_they_are_written() {
        let text = r#"{
  // exemptions for the legacy estate
  "exemptions": [
    { "rule": "MI101", "resource": "id-legacy-*", "reason": "migration", "expires": "2025-06-30" },
    { "rule": "MI201", "resource": "id-x", "reason": "rename pending", "expires": "2099-01-01" }
  ]
}"#;
        let policy = Policy::parse(text).unwrap();
        let found = policy_findings(&policy, "idguard.json", Some(text), Some("2026-01-01"));
        assert_eq!(found.len(), 1);
        let f = &found[0];
        assert_eq!(f.code, EXPIRED_EXEMPTION_CODE);
        assert_eq!(f.pointer, "/exemptions/0");
        assert_eq!(f.range.start.line, 4);
        assert!(f.message.contains("MI101") && f.message.contains("2025-06-30"));
        assert!(
            policy_findings(&policy, "idguard.json", Some(text), Some("2025-06-30")).is_empty()
        );
    }
}
