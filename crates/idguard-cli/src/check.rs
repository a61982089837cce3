//! The check pipeline: find files, read and classify them, pair parameter
//! files, load the policy, check templates in parallel, apply the baseline.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use globset::{Glob, GlobSet, GlobSetBuilder};
use idguard_core::api::{
    CheckOptions, Language, SourceFile, check_template, check_template_with, graph_template,
    model_json, pair_bicepparam_files,
};
use idguard_core::finding::{FileError, FileKind, FileNote, FileReport, Finding, Report};
use idguard_core::graph::Graph;
use idguard_core::policy::Policy;
use idguard_core::project::{pair_parameter_files, sniff_kind};
use idguard_render::assemble::{dedup_files, fingerprints_of, merge_frames, unpaired_parameters};
use rayon::prelude::*;

use crate::cli::InputArgs;
use crate::files::{self, OpenError, Tree};

/// A failure that stops the run with exit code 2; the message is printed
/// to standard error as is.
#[derive(Debug)]
pub struct Fatal(pub String);

impl std::fmt::Display for Fatal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The name of the policy file looked for upward from the checked path.
pub const POLICY_FILE_NAME: &str = "idguard.json";

/// Everything a renderer needs about one run.
#[derive(Debug)]
pub struct Checked {
    pub report: Report,
    /// The text of every template with findings or errors, by displayed
    /// path (for code frames), with its secrets masked; the others' text is
    /// dropped once checked, so a large estate is not held in memory.
    /// Parameter files are deliberately not kept: they may hold secrets.
    pub sources: HashMap<String, Arc<str>>,
    /// Findings dropped because the baseline has their fingerprint.
    pub baselined: usize,
    /// Parameter files the templates were evaluated with.
    pub parameter_files: usize,
    pub elapsed: Duration,
}

/// Why a file is part of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Found by walking a directory.
    Walked,
    /// Named on the command line.
    Named,
    /// In the directory of a named file: a parameter file of a named
    /// template, or the template of a named parameter file. Used only if it
    /// pairs with a named file; never listed otherwise.
    Companion,
    /// Given with `--parameters`.
    Parameters,
}

/// A file found on disk.
#[derive(Debug, Clone)]
struct Candidate {
    path: PathBuf,
    display: String,
    role: Role,
    /// The tree its linked templates must stay inside.
    tree: Arc<Tree>,
    /// Why it is not read (a walk error, a refused symlink): reported as
    /// an error of the file.
    refused: Option<String>,
}

/// A template to check. Its text is not held between classifying and
/// checking: it is read again when its turn comes and dropped once
/// checked, so a large estate is never in memory at once.
#[derive(Debug)]
struct Template {
    /// The path as displayed (and as the report names it).
    display: String,
    path: PathBuf,
    role: Role,
    /// The tree its linked templates and modules must stay inside.
    tree: Arc<Tree>,
    /// Its size in bytes when classified (to start the largest first).
    size: usize,
    /// A JSON template whose `metadata._generator` says Bicep wrote it.
    generated_by_bicep: bool,
}

/// A parameter file, with its text: parameter files are small, a
/// `.bicepparam` file's `using` decides its pairing, and one file may be
/// given to many templates.
#[derive(Debug)]
struct ParameterFile {
    text: String,
    role: Role,
}

/// A file read and classified: what the run keeps of it.
#[derive(Debug)]
enum Classified {
    Template(Template),
    Parameters(String, ParameterFile),
    /// Listed in the report as it is (an error, or a file of no interest).
    Listed(FileReport),
    /// A companion that is not a template or parameter file: not listed.
    Dropped,
}

/// A file read and classified.
#[derive(Debug)]
struct Loaded {
    candidate: Candidate,
    text: Result<String, FileError>,
    kind: FileKind,
}

/// What a run is given before it reads a template: the policy and where it
/// came from, the plugin host, the baseline, the worker pool.
struct Setup {
    trees: Trees,
    excludes: GlobSet,
    policy: Policy,
    policy_source: PolicySource,
    host: Option<crate::plugins::Host>,
    baseline: Option<HashSet<String>>,
    pool: rayon::ThreadPool,
    cache: Option<Arc<BicepCache>>,
    /// Whether each template's identity graphs are built too
    /// (`idguard graph`).
    graphs: bool,
}

/// The files of a run once read and paired: every template with the
/// parameter files it is evaluated with, and the reports of the files
/// that are listed without a check.
struct Plan {
    templates: Vec<Template>,
    /// `pairing[i]` are the parameter files of `templates[i]`.
    pairing: Vec<Vec<String>>,
    params: BTreeMap<String, ParameterFile>,
    files: Vec<FileReport>,
}

/// What checking one template gave.
struct Outcome {
    result: idguard_core::api::TemplateResult,
    /// Texts kept for code frames (secrets masked), by displayed path.
    sources: Vec<(String, Arc<str>)>,
    role: Role,
    /// The local modules and linked templates it read (checked through it).
    modules: Vec<String>,
    /// Its identity graphs, one per evaluation (when asked for).
    graphs: Vec<Graph>,
}

/// Runs a check as `idguard check` and `idguard baseline` do. `frames`:
/// whether the output shows code frames of findings (text output), so
/// that the texts of templates with findings must be kept; the texts of
/// files with errors or notes are kept whatever it says.
pub fn run(input: &InputArgs, baseline: Option<&Path>, frames: bool) -> Result<Checked, Fatal> {
    let started = Instant::now();
    let setup = Setup::new(input, baseline)?;
    let plan = Plan::new(input, &setup)?;
    let outcomes = check_templates(&setup, &plan, frames);
    Ok(assemble(input, setup, plan, outcomes, started))
}

/// Runs a check as [`run`] does and also builds the identity graph of
/// every evaluation (`idguard graph`): the same files, pairing, policy and
/// plugins; graphs in the order of templates and parameter files.
pub fn run_graphs(input: &InputArgs) -> Result<(Checked, Vec<Graph>), Fatal> {
    let started = Instant::now();
    let mut setup = Setup::new(input, None)?;
    setup.graphs = true;
    let plan = Plan::new(input, &setup)?;
    let mut outcomes = check_templates(&setup, &plan, false);
    let mut graphs: Vec<Graph> = outcomes
        .iter_mut()
        .flat_map(|o| std::mem::take(&mut o.graphs))
        .collect();
    graphs.sort_by(|a, b| {
        (a.template.as_str(), a.parameters_file.as_deref())
            .cmp(&(b.template.as_str(), b.parameters_file.as_deref()))
    });
    Ok((assemble(input, setup, plan, outcomes, started), graphs))
}

impl Setup {
    fn new(input: &InputArgs, baseline: Option<&Path>) -> Result<Setup, Fatal> {
        let excludes = build_excludes(&input.exclude)?;
        let trees = Trees::new(input.root.as_deref())?;
        let (policy, policy_source) = load_policy(input.policy.as_deref(), &input.paths, &trees)?;
        let host = plugin_host(
            input,
            &policy,
            policy_source.as_ref().map(|(path, _, _)| path.as_path()),
            &trees,
        )?;
        let baseline = match baseline {
            Some(path) => Some(load_baseline(path)?),
            None => None,
        };
        // 8 MiB per worker: the core's nesting limit (512) needs about
        // 1 MiB in a release build; the default 2 MiB would leave little
        // margin in a debug one.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(worker_threads(input.threads))
            .stack_size(8 << 20)
            .build()
            .map_err(|e| Fatal(format!("error: cannot start worker threads: {e}")))?;
        Ok(Setup {
            cache: BicepCache::locate(input.bicep_cache.as_deref()).map(Arc::new),
            trees,
            excludes,
            policy,
            policy_source,
            host,
            baseline,
            pool,
            graphs: false,
        })
    }
}

impl Plan {
    /// Finds the files, reads and classifies them (in parallel, keeping no
    /// template text), leaves out compiled JSON beside its Bicep source
    /// and pairs parameter files with templates.
    fn new(input: &InputArgs, setup: &Setup) -> Result<Plan, Fatal> {
        let mut candidates = discover(&input.paths, &setup.excludes, &setup.trees)?;
        if input.parameters.is_empty() {
            candidates.extend(companions(&candidates));
        } else {
            let mut named = Vec::new();
            for p in &input.parameters {
                named_file(p, "parameter file")?;
                named.push(Candidate {
                    path: p.clone(),
                    display: display_path(p),
                    role: Role::Parameters,
                    tree: setup.trees.for_path(p)?,
                    refused: None,
                });
            }
            candidates.retain(|c| !named.iter().any(|n| n.display == c.display));
            candidates.extend(named);
        }
        let classified: Vec<Classified> = setup.pool.install(|| {
            candidates
                .into_par_iter()
                .with_max_len(8)
                .map(|c| classify(load(c)))
                .collect()
        });
        let mut files = Vec::new();
        let mut templates = Vec::new();
        let mut params = BTreeMap::new();
        for c in classified {
            match c {
                Classified::Template(t) => templates.push(t),
                Classified::Parameters(name, p) => {
                    params.insert(name, p);
                }
                Classified::Listed(report) => files.push(report),
                Classified::Dropped => {}
            }
        }
        templates.sort_by(|a, b| a.display.cmp(&b.display));
        files.extend(leave_out_compiled(&mut templates));

        let mut pairing: Vec<Vec<String>> = if input.parameters.is_empty() {
            pair_all(&templates, &params)
        } else {
            if templates.len() != 1 {
                return Err(Fatal(format!(
                    "error: --parameters needs exactly one template to apply to, but {} templates were found",
                    templates.len()
                )));
            }
            vec![params.keys().cloned().collect()]
        };
        // A companion template is checked only for a named parameter file.
        let role_of = |name: &String| params.get(name).map(|p| p.role);
        let keep: Vec<bool> = templates
            .iter()
            .zip(&pairing)
            .map(|(t, ps)| {
                t.role != Role::Companion || ps.iter().any(|p| role_of(p) != Some(Role::Companion))
            })
            .collect();
        let mut k = keep.iter();
        templates.retain(|_| k.next().copied().unwrap_or(false));
        let mut k = keep.iter();
        pairing.retain(|_| k.next().copied().unwrap_or(false));

        let paired: HashSet<&String> = pairing.iter().flatten().collect();
        // Paired parameter files are listed whatever the core reports about
        // them (the core adds its parse errors; `dedup_files` merges).
        for name in &paired {
            files.push(FileReport {
                path: (*name).clone(),
                kind: FileKind::Parameters,
                error: None,
                parameter_files: Vec::new(),
                notes: Vec::new(),
            });
        }
        for (path, p) in params
            .iter()
            .filter(|(path, p)| !paired.contains(path) && p.role != Role::Companion)
        {
            files.push(unpaired_parameters(path, &p.text));
        }
        Ok(Plan {
            templates,
            pairing,
            params,
            files,
        })
    }
}

/// What the run keeps of a file read: a template without its text, a
/// parameter file with it, or the report of a file listed as it is.
fn classify(l: Loaded) -> Classified {
    let role = l.candidate.role;
    let display = l.candidate.display;
    let listed = |kind, error| {
        Classified::Listed(FileReport {
            path: display.clone(),
            kind,
            error,
            parameter_files: Vec::new(),
            notes: Vec::new(),
        })
    };
    match (l.text, l.kind) {
        // Parameter files given with --parameters are parameter files
        // whatever their `$schema` says.
        (Ok(text), _) if role == Role::Parameters => {
            Classified::Parameters(display, ParameterFile { text, role })
        }
        (_, FileKind::Other) | (Err(_), _) if role == Role::Companion => Classified::Dropped,
        (Err(error), kind) => listed(kind, Some(error)),
        (Ok(text), FileKind::Template) => Classified::Template(Template {
            generated_by_bicep: Language::of_path(&display) == Language::Json
                && generated_by_bicep(&text),
            size: text.len(),
            display,
            path: l.candidate.path,
            role,
            tree: l.candidate.tree,
        }),
        (Ok(text), FileKind::Parameters) => {
            Classified::Parameters(display, ParameterFile { text, role })
        }
        (Ok(_), FileKind::Other) => listed(FileKind::Other, None),
    }
}

/// Reads a template again for its check: the same opener, the same rules
/// as when it was classified (a file changed or removed since is an error
/// of the file, never a pass).
fn read_template(t: &Template) -> Result<String, FileError> {
    files::read_bytes(&t.path)
        .map_err(|e| format!("the file {e}"))
        .and_then(files::decode)
        .map_err(|message| FileError {
            message,
            line: 1,
            column: 1,
        })
}

/// Checks every template of the plan in parallel, largest first, each read,
/// checked and dropped in turn.
fn check_templates(setup: &Setup, plan: &Plan, frames: bool) -> Vec<Outcome> {
    let options = CheckOptions {
        policy: &setup.policy,
        today: Some(today()),
    };
    let mut jobs: Vec<(&Template, &Vec<String>)> =
        plan.templates.iter().zip(plan.pairing.iter()).collect();
    // Largest first, one job per template: rayon splits an indexed
    // iterator into a few long runs, and a run of large templates (they
    // sort together by name) then kept one thread busy long after the
    // others ran dry. Single-item jobs are stolen one at a time, and
    // starting with the largest leaves only small ones for the end.
    // The report is sorted afterwards, so the order does not show.
    jobs.sort_by_key(|(t, params)| std::cmp::Reverse(t.size * (params.len().max(1))));
    setup.pool.install(|| {
        jobs.into_par_iter()
            .with_max_len(1)
            .map(|(t, param_names)| check_one(setup, plan, &options, t, param_names, frames))
            .collect()
    })
}

/// Reads, checks and drops one template.
fn check_one(
    setup: &Setup,
    plan: &Plan,
    options: &CheckOptions<'_>,
    t: &Template,
    param_names: &[String],
    frames: bool,
) -> Outcome {
    let text = match read_template(t) {
        Ok(text) => text,
        Err(error) => {
            let result = idguard_core::api::TemplateResult {
                files: vec![FileReport {
                    path: t.display.clone(),
                    kind: FileKind::Template,
                    error: Some(error),
                    parameter_files: param_names.to_vec(),
                    notes: Vec::new(),
                }],
                findings: Vec::new(),
                secrets: Vec::new(),
                usage: Default::default(),
                deployed: Vec::new(),
            };
            return Outcome {
                result,
                sources: Vec::new(),
                role: t.role,
                modules: Vec::new(),
                graphs: Vec::new(),
            };
        }
    };
    let template = SourceFile {
        path: t.display.clone(),
        text,
    };
    let parameter_files: Vec<SourceFile> = param_names
        .iter()
        .filter_map(|name| {
            plan.params.get(name).map(|p| SourceFile {
                path: name.clone(),
                text: p.text.clone(),
            })
        })
        .collect();
    let linker =
        Linker::new(t.tree.clone(), &t.path, &template.path).with_cache(setup.cache.clone());
    let resolve = |relative: &str| linker.read(relative);
    let mut graphs = Vec::new();
    let mut result = match &setup.host {
        Some(host) if !host.is_empty() => {
            let run = |model: &serde_json::Value| host.run(model);
            if setup.graphs {
                let (result, g) = graph_template(
                    &template,
                    None,
                    &parameter_files,
                    &resolve,
                    options,
                    Some(&run),
                );
                graphs = g;
                result
            } else {
                check_template_with(&template, &parameter_files, &resolve, options, &run)
            }
        }
        _ if setup.graphs => {
            let (result, g) =
                graph_template(&template, None, &parameter_files, &resolve, options, None);
            graphs = g;
            result
        }
        _ => check_template(&template, &parameter_files, &resolve, options),
    };
    result
        .files
        .extend(linker.refusals(&template.path, &template.text));
    let sources = frame_sources(&result, &linker, template, frames);
    // The local modules and linked templates it read (checked through it).
    // Only those it deployed: one whose deployment's condition is false
    // with these values is still checked on its own.
    let modules = if result.files.first().is_some_and(|f| f.error.is_none()) {
        let deployed: Vec<String> = result
            .deployed
            .iter()
            .map(|p| idguard_core::api::normalize_path(p))
            .collect();
        linker
            .local_links()
            .into_iter()
            .filter(|m| deployed.contains(&idguard_core::api::normalize_path(m)))
            .collect()
    } else {
        Vec::new()
    };
    Outcome {
        result,
        sources,
        role: t.role,
        modules,
        graphs,
    }
}

/// The texts a code frame may show for one template's result
/// ([`idguard_render::assemble::frame_sources`], with the files the
/// linker read).
fn frame_sources(
    result: &idguard_core::api::TemplateResult,
    linker: &Linker,
    template: SourceFile,
    frames: bool,
) -> Vec<(String, Arc<str>)> {
    idguard_render::assemble::frame_sources(result, &|f| linker.text_of(f), template, frames)
        .into_iter()
        .map(|(path, text)| (path, Arc::from(text)))
        .collect()
}

/// The report of a run: the policy's own findings, every template's
/// findings and files (a walked Bicep module checked through its user
/// only), the baseline applied.
fn assemble(
    input: &InputArgs,
    setup: Setup,
    plan: Plan,
    outcomes: Vec<Outcome>,
    started: Instant,
) -> Checked {
    let plugin_errors = match &setup.host {
        Some(host) => {
            if input.verbose {
                for line in host.timings() {
                    crate::output::eprintln(&line);
                }
            }
            host.errors()
        }
        None => Vec::new(),
    };
    let today = today();
    // Expired exemptions are findings about the policy file itself.
    let mut findings: Vec<Finding> = match &setup.policy_source {
        Some((_, shown, text)) => {
            idguard_core::api::policy_findings(&setup.policy, shown, Some(text), Some(&today))
        }
        None => idguard_core::api::policy_findings(&setup.policy, "", None, Some(&today)),
    };
    let used_by = modules_used_by(&outcomes);
    let mut files = plan.files;
    let mut sources: HashMap<String, Arc<str>> = HashMap::new();
    for mut o in outcomes {
        let module_of = o
            .result
            .files
            .first()
            .filter(|_| o.role == Role::Walked)
            .and_then(|f| used_by.get(&f.path));
        if let Some(user) = module_of {
            if let Some(f) = o.result.files.first_mut() {
                let what = match Language::of_path(&f.path) {
                    Language::Bicep => "a module",
                    _ => "a linked template",
                };
                f.notes.push(FileNote {
                    file: f.path.clone(),
                    line: 1,
                    column: 1,
                    message: format!(
                        "checked as {what} of {user}, with the scope and values it gives, not on its own (name the file on the command line to check it on its own)"
                    ),
                });
            }
            o.result.findings.clear();
        }
        for (path, text) in o.sources {
            // Two checks may keep the same module: keep what either shows,
            // and mask what either masks.
            let merged = match sources.remove(&path) {
                Some(earlier) => Arc::<str>::from(merge_frames(&earlier, &text)),
                None => text,
            };
            sources.insert(path, merged);
        }
        files.extend(o.result.files);
        findings.extend(o.result.findings);
    }
    let files = dedup_files(files);

    let mut baselined = 0;
    if let Some(prints) = &setup.baseline {
        findings.retain(|f| {
            // A Bicep finding also matches a baseline made from the JSON
            // Bicep compiles it to.
            let keep = !prints.contains(&f.fingerprint)
                && !f.compiled_fingerprints.iter().any(|c| prints.contains(c));
            if !keep {
                baselined += 1;
            }
            keep
        });
    }
    let report = Report::new(files, findings).with_plugin_errors(plugin_errors);
    Checked {
        parameter_files: plan.pairing.iter().map(Vec::len).sum(),
        report,
        sources,
        baselined,
        elapsed: started.elapsed(),
    }
}

/// A walked `.bicep` file that another checked template uses as a module
/// is checked through it, with the values it passes: checked on its own as
/// well (every parameter unknown), it would report the same places again,
/// worse. Module → the first (by path) template that uses it.
fn modules_used_by(outcomes: &[Outcome]) -> HashMap<String, String> {
    let mut used_by: HashMap<&str, &str> = HashMap::new();
    for o in outcomes {
        if let Some(user) = o.result.files.first() {
            for m in &o.modules {
                let entry = used_by.entry(m.as_str()).or_insert(user.path.as_str());
                if user.path.as_str() < *entry {
                    *entry = user.path.as_str();
                }
            }
        }
    }
    used_by
        .into_iter()
        .map(|(m, u)| (m.to_string(), u.to_string()))
        .collect()
}

/// Most worker threads per core: the work is CPU-bound, and each thread
/// holds a template's evaluation in memory.
pub const MAX_THREADS_PER_CORE: usize = 4;

/// The worker threads for `--threads` (0 or none: one per core), capped at
/// [`MAX_THREADS_PER_CORE`] per core, with a note on standard error when
/// capped (100,000 threads took minutes to start).
fn worker_threads(requested: Option<usize>) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let max = cores.saturating_mul(MAX_THREADS_PER_CORE);
    match requested {
        None | Some(0) => cores,
        Some(n) if n > max => {
            crate::output::eprintln(&format!(
                "note: --threads {n} capped to {max} ({MAX_THREADS_PER_CORE} per core on {cores} cores)"
            ));
            max
        }
        Some(n) => n,
    }
}

/// The plugin host of a run, unless `--no-plugins` or the policy has none.
/// Plugin paths are relative to the policy file; those of a policy inside
/// the checked tree (which the checked files' authors may have written)
/// must stay inside it.
fn plugin_host(
    input: &InputArgs,
    policy: &Policy,
    policy_path: Option<&Path>,
    trees: &Trees,
) -> Result<Option<crate::plugins::Host>, Fatal> {
    if input.no_plugins || policy.plugins().is_empty() {
        return Ok(None);
    }
    let dir = policy_path
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let confine = match policy_path {
        Some(p) => trees.enclosing(p)?,
        None => None,
    };
    let options = crate::plugins::HostOptions {
        cache_dir: input.plugin_cache.clone(),
        verbose: input.verbose,
        confine,
    };
    Ok(Some(crate::plugins::Host::load(
        policy.plugins(),
        &dir,
        &options,
    )))
}

/// The model JSON of every evaluation of every template `input` names
/// (`idguard debug model`).
pub fn models(input: &InputArgs) -> Result<Vec<serde_json::Value>, Fatal> {
    let excludes = build_excludes(&input.exclude)?;
    let trees = Trees::new(input.root.as_deref())?;
    let candidates = discover(&input.paths, &excludes, &trees)?;
    let (policy, _) = load_policy(input.policy.as_deref(), &input.paths, &trees)?;
    let options = CheckOptions {
        policy: &policy,
        today: Some(today()),
    };
    let mut out = Vec::new();
    for c in candidates {
        let loaded = load(c);
        let (Ok(text), FileKind::Template) = (loaded.text, loaded.kind) else {
            continue;
        };
        let params: Vec<SourceFile> = input
            .parameters
            .iter()
            .map(|p| {
                files::read_bytes(p)
                    .map_err(|e| e.to_string())
                    .and_then(files::decode)
                    .map(|text| SourceFile {
                        path: display_path(p),
                        text,
                    })
                    .map_err(|e| Fatal(format!("error: cannot read {}: {e}", p.display())))
            })
            .collect::<Result<_, _>>()?;
        let template = SourceFile {
            path: loaded.candidate.display.clone(),
            text,
        };
        let linker = Linker::new(
            loaded.candidate.tree.clone(),
            &loaded.candidate.path,
            &loaded.candidate.display,
        )
        .with_cache(BicepCache::locate(input.bicep_cache.as_deref()).map(Arc::new));
        let resolve = |relative: &str| linker.read(relative);
        out.extend(model_json(&template, &params, &resolve, &options));
        if let Some((_, e)) = linker.refused.borrow().first() {
            return Err(Fatal(format!("error: {}: {e}", template.path)));
        }
    }
    Ok(out)
}

/// The path without its extension, as a key that `X.bicep` and `X.json`
/// share.
fn stem_key(display: &str) -> &str {
    let name_start = display.rfind(['/', '\\']).map_or(0, |i| i + 1);
    match display.rfind('.') {
        Some(dot) if dot > name_start => display.get(..dot).unwrap_or(display),
        _ => display,
    }
}

/// Whether a JSON template says Bicep generated it
/// (`metadata._generator.name` is `bicep`).
fn generated_by_bicep(text: &str) -> bool {
    if memchr::memmem::find(text.as_bytes(), b"\"_generator\"").is_none() {
        return false;
    }
    serde_json::from_str::<serde_json::Value>(text.trim_start_matches('\u{feff}'))
        .ok()
        .and_then(|v| {
            v.get("metadata")?
                .get("_generator")?
                .get("name")?
                .as_str()
                .map(|n| n.eq_ignore_ascii_case("bicep"))
        })
        .unwrap_or(false)
}

/// Leaves out the JSON templates Bicep compiled from a `.bicep` file that
/// is checked too (`X.json` or `X.<anything>.json` beside `X.bicep`, with
/// Bicep's `metadata._generator`): the source is checked, and
/// its findings are on its own lines. A JSON template named on the command
/// line is always checked. Returns the reports of the walked ones left
/// out, each with a note saying why.
fn leave_out_compiled(templates: &mut Vec<Template>) -> Vec<FileReport> {
    let sources: HashMap<&str, &str> = templates
        .iter()
        .filter(|t| Language::of_path(&t.display) == Language::Bicep)
        .map(|t| (stem_key(&t.display), t.display.as_str()))
        .collect();
    let mut left_out: Vec<(String, String, Role)> = Vec::new();
    for t in templates.iter() {
        if t.role == Role::Named || !t.generated_by_bicep {
            continue;
        }
        // `X.json`, or another name Bicep's tools give the JSON they
        // compile from `X.bicep` (`X.symbolicnames.json`).
        let stem = stem_key(&t.display);
        if let Some(source) = sources.get(stem).or_else(|| sources.get(stem_key(stem))) {
            left_out.push((t.display.clone(), (*source).to_string(), t.role));
        }
    }
    templates.retain(|t| !left_out.iter().any(|(p, _, _)| *p == t.display));
    left_out
        .into_iter()
        .filter(|(_, _, role)| *role == Role::Walked)
        .map(|(path, source, _)| FileReport {
            notes: vec![FileNote {
                file: path.clone(),
                line: 1,
                column: 1,
                message: format!(
                    "left out: Bicep generated this file from {source}, which is checked instead (name the file on the command line to check it too)"
                ),
            }],
            path,
            kind: FileKind::Other,
            error: None,
            parameter_files: Vec::new(),
        })
        .collect()
}

/// The parameter files of each template: JSON parameter files by name
/// (a `.bicep` template takes the names of the JSON it compiles to,
/// `main.bicep` with `main.parameters.json`, unless that JSON is itself a
/// checked template), `.bicepparam` files by the template their `using`
/// names.
fn pair_all(templates: &[Template], params: &BTreeMap<String, ParameterFile>) -> Vec<Vec<String>> {
    let names: Vec<&str> = templates.iter().map(|t| t.display.as_str()).collect();
    pair_names(&names, params)
}

/// Pairing as [`pair_all`] for templates named `names` (the base revision
/// of `idguard graph --diff`, read from git, pairs its files by the same
/// conventions).
pub fn pair_texts(names: &[&str], params: &BTreeMap<String, String>) -> Vec<Vec<String>> {
    let params: BTreeMap<String, ParameterFile> = params
        .iter()
        .map(|(k, text)| {
            (
                k.clone(),
                ParameterFile {
                    text: text.clone(),
                    role: Role::Walked,
                },
            )
        })
        .collect();
    pair_names(names, &params)
}

fn pair_names(names: &[&str], params: &BTreeMap<String, ParameterFile>) -> Vec<Vec<String>> {
    let names: Vec<&str> = names.to_vec();
    let json_templates: HashSet<String> = names
        .iter()
        .filter(|n| Language::of_path(n) == Language::Json)
        .map(|n| n.to_ascii_lowercase())
        .collect();
    let keys: Vec<String> = names
        .iter()
        .map(|n| {
            if Language::of_path(n) == Language::Bicep {
                let json = format!("{}.json", stem_key(n));
                if !json_templates.contains(&json.to_ascii_lowercase()) {
                    return json;
                }
            }
            (*n).to_string()
        })
        .collect();
    let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let json_params: Vec<&str> = params
        .keys()
        .filter(|p| Language::of_path(p) != Language::BicepParam)
        .map(String::as_str)
        .collect();
    let mut pairs: Vec<Vec<String>> = pair_parameter_files(&key_refs, &json_params)
        .into_iter()
        .map(|(_, ps)| ps.into_iter().map(str::to_string).collect())
        .collect();
    let bicep_params: Vec<(&str, &str)> = params
        .iter()
        .filter(|(p, _)| Language::of_path(p) == Language::BicepParam)
        .map(|(p, f)| (p.as_str(), f.text.as_str()))
        .collect();
    if !bicep_params.is_empty() {
        for (slot, (_, ps)) in pairs
            .iter_mut()
            .zip(pair_bicepparam_files(&names, &bicep_params))
        {
            slot.extend(ps.into_iter().map(str::to_string));
        }
    }
    pairs
}

pub fn build_excludes(globs: &[String]) -> Result<GlobSet, Fatal> {
    let mut builder = GlobSetBuilder::new();
    for g in globs {
        let glob =
            Glob::new(g).map_err(|e| Fatal(format!("error: invalid --exclude glob {g:?}: {e}")))?;
        builder.add(glob);
        // `--exclude legacy` also excludes what is below `legacy`.
        if !g.ends_with("/**")
            && let Ok(below) = Glob::new(&format!("{}/**", g.trim_end_matches('/')))
        {
            builder.add(below);
        }
    }
    builder
        .build()
        .map_err(|e| Fatal(format!("error: invalid --exclude globs: {e}")))
}

/// The path as shown to the user and passed to the core: as given, with a
/// leading `./` removed.
pub fn display_path(path: &Path) -> String {
    let s = os_display(path.as_os_str());
    let mut s: &str = &s;
    while let Some(rest) = s.strip_prefix("./").or_else(|| s.strip_prefix(".\\")) {
        s = rest;
    }
    s.to_string()
}

/// A file name as text. A name that is not UTF-8 (Unix allows any bytes)
/// shows its bad bytes as `\xFF`, so two such names stay distinct (a
/// lossy conversion made both `\u{fffd}` and one was dropped).
#[cfg(unix)]
fn os_display(name: &std::ffi::OsStr) -> std::borrow::Cow<'_, str> {
    use std::fmt::Write as _;
    use std::os::unix::ffi::OsStrExt;
    let bytes = name.as_bytes();
    if let Ok(s) = std::str::from_utf8(bytes) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02X}");
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(not(unix))]
fn os_display(name: &std::ffi::OsStr) -> std::borrow::Cow<'_, str> {
    name.to_string_lossy()
}

/// Where a walk error happened, and what it was (without the path).
fn walk_error(e: &ignore::Error) -> (Option<PathBuf>, String) {
    match e {
        ignore::Error::WithPath { path, err } => (Some(path.clone()), walk_error(err).1),
        ignore::Error::WithDepth { err, .. } => walk_error(err),
        ignore::Error::Loop { ancestor, child } => (
            Some(child.clone()),
            format!("is a symlink loop (back to {})", ancestor.display()),
        ),
        ignore::Error::Partial(errors) => {
            let path = errors.iter().find_map(|e| walk_error(e).0);
            let messages: Vec<String> = errors.iter().map(|e| walk_error(e).1).collect();
            (path, messages.join("; "))
        }
        ignore::Error::Io(io) => (None, io.to_string()),
        other => (None, other.to_string()),
    }
}

/// What a walked entry that is not a regular file becomes: a candidate
/// (a symlink to a regular file inside the tree, read through the link),
/// a refusal with its reason, or nothing (a directory, or a symlink to
/// one: directories behind symlinks are not walked).
fn walked_special(path: &Path, ty: std::fs::FileType, tree: &Tree) -> Option<Result<(), String>> {
    if ty.is_dir() {
        return None;
    }
    if !ty.is_symlink() {
        let what = std::fs::symlink_metadata(path)
            .map(|m| files::describe(&m))
            .unwrap_or("not a regular file");
        return Some(Err(format!("the file is {what}, not a regular file")));
    }
    match tree.confine(path) {
        Ok(target) => match std::fs::metadata(&target) {
            Ok(m) if m.is_file() => Some(Ok(())),
            Ok(m) if m.is_dir() => None,
            Ok(m) => Some(Err(format!(
                "the file is a symlink to {}, not to a regular file",
                files::describe(&m)
            ))),
            Err(e) => Some(Err(format!(
                "the file is a symlink that {}",
                OpenError::from(e)
            ))),
        },
        Err(OpenError::NotFound) => Some(Err("the file is a broken symlink".to_string())),
        Err(OpenError::Loop) => Some(Err("the file is a symlink loop".to_string())),
        Err(e) => Some(Err(format!("the file is a symlink that {e}"))),
    }
}

/// Adds a candidate under its displayed path. The same file reached twice
/// is kept once; two different files that show the same (a crafted name
/// against a non-UTF-8 one) are both kept, the later one with a suffix.
fn add_candidate(out: &mut BTreeMap<String, Candidate>, mut c: Candidate) {
    let same = |a: &Path, b: &Path| match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    let mut n = 1;
    let base = c.display.clone();
    while let Some(existing) = out.get(&c.display) {
        if same(&existing.path, &c.path) {
            return;
        }
        n += 1;
        c.display = format!("{base} [{n}]");
    }
    out.insert(c.display.clone(), c);
}

/// Whether a walked file is read: `*.json`, `*.jsonc`, `*.bicep` and
/// `*.bicepparam`.
pub fn is_checked_name(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["json", "jsonc", "bicep", "bicepparam"]
            .iter()
            .any(|x| e.eq_ignore_ascii_case(x))
    })
}

/// The trees of one run (see [`Tree`]): `--root`, else the current
/// directory, else, for a checked path outside it, that path.
struct Trees {
    explicit: Option<Arc<Tree>>,
    cwd: Option<Arc<Tree>>,
}

impl Trees {
    fn new(root: Option<&Path>) -> Result<Trees, Fatal> {
        let explicit = match root {
            Some(dir) => {
                let meta = std::fs::metadata(dir).map_err(|e| {
                    Fatal(format!(
                        "error: --root {}: {}",
                        dir.display(),
                        OpenError::from(e)
                    ))
                })?;
                if !meta.is_dir() {
                    return Err(Fatal(format!(
                        "error: --root {} is {}, not a directory",
                        dir.display(),
                        files::describe(&meta)
                    )));
                }
                let tree = Tree::new(dir)
                    .map_err(|e| Fatal(format!("error: --root {}: {e}", dir.display())))?;
                Some(Arc::new(tree))
            }
            None => None,
        };
        let cwd = std::env::current_dir()
            .ok()
            .and_then(|d| Tree::new(&d).ok())
            .map(Arc::new);
        Ok(Trees { explicit, cwd })
    }

    /// The tree of a checked path (which exists).
    fn for_path(&self, path: &Path) -> Result<Arc<Tree>, Fatal> {
        let canonical = std::fs::canonicalize(path)
            .map_err(|e| Fatal(format!("error: {}: {}", path.display(), OpenError::from(e))))?;
        if let Some(tree) = &self.explicit {
            if tree.contains(&canonical) {
                return Ok(tree.clone());
            }
            return Err(Fatal(format!(
                "error: {} is outside --root {}",
                path.display(),
                tree.root().display()
            )));
        }
        if let Some(tree) = self.cwd.as_ref().filter(|t| t.contains(&canonical)) {
            return Ok(tree.clone());
        }
        let dir = if canonical.is_dir() {
            canonical.as_path()
        } else {
            canonical.parent().unwrap_or(&canonical)
        };
        Tree::new(dir)
            .map(Arc::new)
            .map_err(|e| Fatal(format!("error: {}: {e}", path.display())))
    }

    /// The tree `path` lies in, if it lies in one: `--root` or the current
    /// directory.
    fn enclosing(&self, path: &Path) -> Result<Option<Tree>, Fatal> {
        let canonical = std::fs::canonicalize(path)
            .map_err(|e| Fatal(format!("error: {}: {}", path.display(), OpenError::from(e))))?;
        Ok(self
            .explicit
            .iter()
            .chain(self.cwd.iter())
            .find(|t| t.contains(&canonical))
            .map(|t| Tree::clone(t)))
    }
}

/// Largest module or linked template whose text is kept for code frames.
const MAX_FRAME_SOURCE: usize = 4 << 20;

/// Reads the files one template names (the core's `resolve` callback):
/// linked templates (`templateLink.relativePath`), Bicep modules,
/// `load*Content()` files and the files `.bicepparam` files extend, all
/// relative to the template's directory and only as regular files inside
/// the template's tree, under the size cap; and `br:` registry modules from
/// Bicep's module cache ([`BicepCache`]). Refusals are kept to be reported
/// as errors of the template; a file that does not exist is left
/// unresolved (the core notes a Bicep module it could not read).
struct Linker {
    tree: Arc<Tree>,
    dir: PathBuf,
    /// The template's displayed directory (with a trailing `/`, or empty):
    /// how the core names the files it reads for findings.
    shown_dir: String,
    cache: Option<Arc<BicepCache>>,
    /// The `br` module aliases of the nearest `bicepconfig.json`, read on
    /// first use.
    aliases: std::cell::OnceCell<Result<HashMap<String, String>, String>>,
    refused: std::cell::RefCell<Vec<(String, String)>>,
    /// Every file read, by the name the core shows it under.
    read: std::cell::RefCell<Vec<(String, String)>>,
}

impl Linker {
    fn new(tree: Arc<Tree>, template: &Path, shown: &str) -> Linker {
        Linker {
            tree,
            dir: template.parent().map(Path::to_path_buf).unwrap_or_default(),
            shown_dir: match shown.rsplit_once(['/', '\\']) {
                Some((d, _)) => format!("{d}/"),
                None => String::new(),
            },
            cache: None,
            aliases: std::cell::OnceCell::new(),
            refused: std::cell::RefCell::new(Vec::new()),
            read: std::cell::RefCell::new(Vec::new()),
        }
    }

    fn with_cache(mut self, cache: Option<Arc<BicepCache>>) -> Linker {
        self.cache = cache;
        self
    }

    /// The text of the file `relative` names (relative to the template's
    /// directory), or of the registry module `br:…`, if it may be read.
    fn read(&self, relative: &str) -> Option<String> {
        if relative.starts_with("br:") {
            let text = self.cache.as_ref()?.read(relative)?;
            self.remember(relative.to_string(), &text);
            return Some(text);
        }
        if let Some(aliased) = relative.strip_prefix("br/") {
            // An alias of the nearest bicepconfig.json; an alias it does
            // not define leaves the module unread (the core notes it).
            let (alias, rest) = aliased.split_once(':')?;
            let prefix = match self.aliases.get_or_init(|| self.read_aliases()) {
                Ok(aliases) => aliases.get(&alias.to_ascii_lowercase())?.clone(),
                Err(why) => {
                    self.refuse(relative, format!("module '{relative}' was not read: {why}"));
                    return None;
                }
            };
            let text = self.cache.as_ref()?.read(&format!("br:{prefix}{rest}"))?;
            self.remember(relative.to_string(), &text);
            return Some(text);
        }
        let read = self
            .tree
            .join_confined(&self.dir, relative)
            .and_then(|path| files::read_bytes(&path))
            .map_err(|e| e.to_string())
            .and_then(files::decode);
        match read {
            Ok(text) => {
                self.remember(format!("{}{relative}", self.shown_dir), &text);
                Some(text)
            }
            Err(why) if why == OpenError::NotFound.to_string() => None,
            Err(why) => {
                let what = match Language::of_path(relative) {
                    Language::Json => "linked template",
                    _ => "file",
                };
                self.refuse(
                    relative,
                    format!("{what} '{relative}' was not read: it {why}"),
                );
                None
            }
        }
    }

    /// `moduleAliases.br` of the nearest `bicepconfig.json` — in the
    /// template's directory or the closest parent that has one, inside the
    /// tree, as Bicep looks it up — as alias (lower case) → `registry/` +
    /// `modulePath/`. An unreadable or invalid file is an error (Bicep
    /// would not build either); its `cacheRootDirectory` is not followed:
    /// a checked file does not choose what is read outside the tree.
    fn read_aliases(&self) -> Result<HashMap<String, String>, String> {
        let mut out = HashMap::new();
        let Ok(mut dir) = std::fs::canonicalize(&self.dir) else {
            return Ok(out);
        };
        let config = loop {
            if !self.tree.contains(&dir) {
                return Ok(out);
            }
            let candidate = dir.join("bicepconfig.json");
            if candidate.exists() {
                break candidate;
            }
            if !dir.pop() {
                return Ok(out);
            }
        };
        let shown = config
            .strip_prefix(self.tree.root())
            .unwrap_or(&config)
            .display()
            .to_string()
            .replace('\\', "/");
        let text = self
            .tree
            .read_bytes(&config)
            .map_err(|e| e.to_string())
            .and_then(files::decode)
            .map_err(|why| {
                format!("its alias is defined in {shown}, which could not be read: it {why}")
            })?;
        let doc = idguard_core::source::Document::parse(&text).map_err(|e| {
            format!(
                "its alias is defined in {shown}, which is not valid JSON at line {}, column {}: {}",
                e.line, e.column, e.message
            )
        })?;
        let Some(br) = doc.get_path(doc.root(), &["moduleAliases", "br"]) else {
            return Ok(out);
        };
        for m in doc.members(br) {
            let field = |key| doc.get(m.value, key).and_then(|n| doc.as_str(n));
            let Some(registry) = field("registry").filter(|r| !r.is_empty()) else {
                continue;
            };
            let mut prefix = format!("{}/", registry.trim_end_matches('/'));
            if let Some(path) = field("modulePath").filter(|p| !p.is_empty()) {
                prefix.push_str(path.trim_matches('/'));
                prefix.push('/');
            }
            out.insert(m.key.to_ascii_lowercase(), prefix);
        }
        Ok(out)
    }

    /// Records why `what` (as the template wrote it) was not read, once.
    fn refuse(&self, what: &str, message: String) {
        let mut refused = self.refused.borrow_mut();
        if !refused.iter().any(|(r, _)| r == what) {
            refused.push((what.to_string(), message));
        }
    }

    /// Keeps a file read under its shown name, for frames; a file over
    /// [`MAX_FRAME_SOURCE`] is kept without its text (no frame), which
    /// bounds the copy of a large linked file (the core holds every file
    /// it reads as well).
    fn remember(&self, shown: String, text: &str) {
        let kept = if text.len() <= MAX_FRAME_SOURCE {
            text.to_string()
        } else {
            String::new()
        };
        self.read.borrow_mut().push((shown, kept));
    }

    /// The shown names of the local modules and linked templates read.
    fn local_links(&self) -> Vec<String> {
        self.read
            .borrow()
            .iter()
            .filter(|(name, _)| !name.starts_with("br:"))
            // As walked files are displayed (`app/../x.bicep` is `x.bicep`).
            .map(|(name, _)| {
                let normal = idguard_core::api::normalize_path(name);
                if name.starts_with('/') {
                    format!("/{normal}")
                } else {
                    normal
                }
            })
            .collect()
    }

    /// The text of a file read for the template, by its shown name.
    fn text_of(&self, shown: &str) -> Option<String> {
        self.read
            .borrow()
            .iter()
            .find(|(name, text)| name == shown && !text.is_empty())
            .map(|(_, text)| text.clone())
    }

    /// The refusals as one error of the template `path` (a file has one
    /// error), placed where the template writes the first refused path
    /// when it can be found.
    fn refusals(&self, path: &str, text: &str) -> Option<FileReport> {
        let refused = self.refused.borrow();
        let (first, _) = refused.first()?;
        let (line, column) = position_of(text, first);
        let message = refused
            .iter()
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        Some(FileReport {
            path: path.to_string(),
            kind: FileKind::Template,
            error: Some(FileError {
                message,
                line,
                column,
            }),
            parameter_files: Vec::new(),
            notes: Vec::new(),
        })
    }
}

/// Bicep's local module cache, where `bicep restore` (or `bicep build`)
/// puts the registry modules a template uses: `br:<registry>/<repository>:<tag>`
/// is read from `<dir>/br/<registry>/<repository, / as $>/<tag>$/main.json`.
/// The one place the CLI reads outside the checked tree: it is Bicep's
/// cache, not a path a checked file chose (a reference is taken apart and
/// each part checked, so it cannot lead elsewhere), and it is read under
/// the same size cap, as a regular file only.
#[derive(Debug)]
pub struct BicepCache {
    dir: PathBuf,
}

impl BicepCache {
    /// `--bicep-cache`, else `$IDGUARD_BICEP_CACHE`, else `~/.bicep`.
    pub fn locate(explicit: Option<&Path>) -> Option<BicepCache> {
        let dir = match explicit {
            Some(dir) => dir.to_path_buf(),
            None => match std::env::var_os("IDGUARD_BICEP_CACHE").filter(|v| !v.is_empty()) {
                Some(dir) => PathBuf::from(dir),
                None => {
                    let home = std::env::var_os("HOME")
                        .or_else(|| std::env::var_os("USERPROFILE"))
                        .filter(|v| !v.is_empty())?;
                    PathBuf::from(home).join(".bicep")
                }
            },
        };
        Some(BicepCache { dir })
    }

    /// The cache file of a `br:` reference, if the reference is one Bicep
    /// caches under a name idguard can derive: a tag of lower-case letters,
    /// digits, `.`, `_` and `-` (Bicep encodes upper-case tags; digests are
    /// not looked up).
    pub fn path_of(&self, reference: &str) -> Option<PathBuf> {
        let rest = reference.strip_prefix("br:")?;
        let (registry, rest) = rest.split_once('/')?;
        let (repository, tag) = rest.rsplit_once(':')?;
        // Each part a plain name, so the path stays inside the cache: no
        // `..`, no separator, no drive. A registry with a port
        // (`host:5000`) and a digest (`@sha256:…`) are not looked up.
        let part_ok = |p: &str| {
            !p.is_empty()
                && !p.starts_with('.')
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        };
        let tag_ok = part_ok(tag) && tag.chars().all(|c| !c.is_ascii_uppercase());
        if !(part_ok(registry) && repository.split('/').all(part_ok) && tag_ok) {
            return None;
        }
        Some(
            self.dir
                .join("br")
                .join(registry)
                .join(repository.replace('/', "$"))
                .join(format!("{tag}$"))
                .join("main.json"),
        )
    }

    /// The compiled JSON of a registry module, if it is in the cache.
    pub fn read(&self, reference: &str) -> Option<String> {
        let path = self.path_of(reference)?;
        files::read_bytes(&path)
            .ok()
            .and_then(|b| files::decode(b).ok())
    }
}

/// Line and column (in characters) of the first `needle` in `text`, or 1:1.
fn position_of(text: &str, needle: &str) -> (u32, u32) {
    let Some(at) = (!needle.is_empty())
        .then(|| memchr::memmem::find(text.as_bytes(), needle.as_bytes()))
        .flatten()
    else {
        return (1, 1);
    };
    let before = text.get(..at).unwrap_or("");
    let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}

/// Checks that a file named on the command line is a regular file (or a
/// symlink to one); `what` names it in the message.
fn named_file(path: &Path, what: &str) -> Result<(), Fatal> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => Ok(()),
        Ok(meta) => Err(Fatal(format!(
            "error: {what} {} is {}, not a regular file",
            path.display(),
            files::describe(&meta)
        ))),
        Err(e) => Err(Fatal(format!(
            "error: {what} {} {}",
            path.display(),
            OpenError::from(e)
        ))),
    }
}

/// Expands the command-line paths into files, sorted by displayed path.
fn discover(paths: &[PathBuf], excludes: &GlobSet, trees: &Trees) -> Result<Vec<Candidate>, Fatal> {
    let mut out: BTreeMap<String, Candidate> = BTreeMap::new();
    for root in paths {
        let meta = std::fs::metadata(root).map_err(|e| match OpenError::from(e) {
            OpenError::NotFound => Fatal(format!("error: path {} does not exist", root.display())),
            e => Fatal(format!("error: path {} {e}", root.display())),
        })?;
        let tree = trees.for_path(root)?;
        if meta.is_file() {
            add_candidate(
                &mut out,
                Candidate {
                    path: root.clone(),
                    display: display_path(root),
                    role: Role::Named,
                    tree,
                    refused: None,
                },
            );
            continue;
        }
        if !meta.is_dir() {
            return Err(Fatal(format!(
                "error: path {} is {}, not a file or directory",
                root.display(),
                files::describe(&meta)
            )));
        }
        let root_owned = root.clone();
        let excludes = excludes.clone();
        let walker = ignore::WalkBuilder::new(root)
            .require_git(false)
            .filter_entry(move |e| {
                let path = e.path();
                if excludes.is_empty() || path == root_owned {
                    return true;
                }
                let rel = path.strip_prefix(&root_owned).unwrap_or(path);
                !(excludes.is_match(rel) || excludes.is_match(display_path(path)))
            })
            .build();
        // One entry that cannot be walked (an unreadable directory, a
        // path over PATH_MAX, a bad .gitignore) is an error of that entry;
        // the rest of the walk goes on.
        for entry in walker {
            let candidate = |path: PathBuf, refused: Option<String>| Candidate {
                display: display_path(&path),
                path,
                role: Role::Walked,
                tree: tree.clone(),
                refused,
            };
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    let (path, message) = walk_error(&e);
                    let path = path.unwrap_or_else(|| root.clone());
                    add_candidate(
                        &mut out,
                        candidate(path, Some(format!("cannot be walked: {message}"))),
                    );
                    continue;
                }
            };
            let Some(ty) = entry.file_type() else {
                continue;
            };
            if !is_checked_name(entry.path()) {
                continue;
            }
            let refused = if ty.is_file() {
                None
            } else {
                match walked_special(entry.path(), ty, &tree) {
                    None => continue,
                    Some(Ok(())) => None,
                    Some(Err(why)) => Some(why),
                }
            };
            add_candidate(&mut out, candidate(entry.into_path(), refused));
        }
    }
    Ok(out.into_values().collect())
}

/// Files next to named files, not already candidates, as companions.
fn companions(candidates: &[Candidate]) -> Vec<Candidate> {
    let known: HashSet<&str> = candidates.iter().map(|c| c.display.as_str()).collect();
    let mut dirs: Vec<(PathBuf, Arc<Tree>)> = candidates
        .iter()
        .filter(|c| c.role == Role::Named)
        .map(|c| {
            (
                c.path.parent().map(Path::to_path_buf).unwrap_or_default(),
                c.tree.clone(),
            )
        })
        .collect();
    dirs.sort_by(|a, b| a.0.cmp(&b.0));
    dirs.dedup_by(|a, b| a.0 == b.0);
    let mut out = Vec::new();
    for (dir, tree) in dirs {
        let listing = if dir.as_os_str().is_empty() {
            std::fs::read_dir(".")
        } else {
            std::fs::read_dir(&dir)
        };
        let Ok(entries) = listing else { continue };
        let mut found: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| {
                e.file_type().is_ok_and(|t| {
                    t.is_file()
                        || (t.is_symlink()
                            && matches!(
                                walked_special(&dir.join(e.file_name()), t, &tree),
                                Some(Ok(()))
                            ))
                })
            })
            .map(|e| dir.join(e.file_name()))
            .filter(|p| is_checked_name(p) && !known.contains(display_path(p).as_str()))
            .collect();
        found.sort();
        out.extend(found.into_iter().map(|path| Candidate {
            display: display_path(&path),
            path,
            role: Role::Companion,
            tree: tree.clone(),
            refused: None,
        }));
    }
    out
}

/// Reads and classifies one file. A walked file that cannot be decoded and
/// does not look like a template is skipped as `other`, and so is a walked
/// file over the size cap that does not mention a template schema;
/// anything else that cannot be read is an error (fail closed).
fn load(candidate: Candidate) -> Loaded {
    let error = |message: String, kind: FileKind, candidate: Candidate| Loaded {
        text: Err(FileError {
            message,
            line: 1,
            column: 1,
        }),
        kind,
        candidate,
    };
    if let Some(why) = candidate.refused.clone() {
        return error(why, FileKind::Other, candidate);
    }
    // A `.bicep` file is a template and a `.bicepparam` file a parameter
    // file by their names alone: there is no `$schema` to sniff, and one
    // that cannot be read is an error (fail closed).
    let bicep_kind = match Language::of_path(&candidate.display) {
        Language::Bicep => Some(FileKind::Template),
        Language::BicepParam => Some(FileKind::Parameters),
        Language::Json => None,
    };
    if let Some(kind) = bicep_kind {
        return match files::read_bytes(&candidate.path)
            .map_err(|e| format!("the file {e}"))
            .and_then(files::decode)
        {
            Ok(text) => Loaded {
                text: Ok(text),
                kind,
                candidate,
            },
            Err(message) => error(message, kind, candidate),
        };
    }
    let bytes = match files::read_bytes(&candidate.path) {
        Ok(b) => b,
        Err(OpenError::TooLarge(size))
            if matches!(candidate.role, Role::Walked | Role::Companion)
                && matches!(files::mentions_arm_schema(&candidate.path), Ok(false)) =>
        {
            let _ = size;
            return Loaded {
                text: Ok(String::new()),
                kind: FileKind::Other,
                candidate,
            };
        }
        Err(e) => return error(format!("the file {e}"), FileKind::Other, candidate),
    };
    // Valid UTF-8 (nearly every file) is sniffed as is: a lossy copy of a
    // large file costs more than reading it.
    let lossy_kind = match std::str::from_utf8(&bytes) {
        Ok(text) => sniff_kind(text),
        Err(_) => sniff_kind(&String::from_utf8_lossy(&bytes)),
    };
    match files::decode(bytes) {
        Ok(text) => Loaded {
            kind: sniff_kind(&text),
            text: Ok(text),
            candidate,
        },
        Err(message) if candidate.role == Role::Named || lossy_kind != FileKind::Other => {
            error(message, lossy_kind, candidate)
        }
        Err(_) => Loaded {
            text: Ok(String::new()),
            kind: FileKind::Other,
            candidate,
        },
    }
}

/// The policy to use, with its file, the file as shown, and its text, when
/// it came from one.
type PolicySource = Option<(PathBuf, String, String)>;

/// Finds the policy: `--policy`, else the first `idguard.json` upward from
/// the first path, else the built-in default. A discovered policy inside
/// the checked tree must not lead outside it (a symlink); any policy must
/// be a regular file under the size cap.
/// The policy a run with `input` uses (`idguard graph --diff` evaluates
/// the base revision with it).
pub fn policy_for(input: &InputArgs) -> Result<Policy, Fatal> {
    let trees = Trees::new(input.root.as_deref())?;
    load_policy(input.policy.as_deref(), &input.paths, &trees).map(|(p, _)| p)
}

fn load_policy(
    explicit: Option<&Path>,
    paths: &[PathBuf],
    trees: &Trees,
) -> Result<(Policy, PolicySource), Fatal> {
    let (path, confine) = match explicit {
        Some(p) => (p.to_path_buf(), None),
        None => match paths.first().and_then(|p| find_policy_upward(p)) {
            Some(found) => {
                // The directory is canonical; the file may be a symlink.
                let dir = found.parent().unwrap_or(&found);
                let tree = trees
                    .explicit
                    .iter()
                    .chain(trees.cwd.iter())
                    .find(|t| t.contains(dir))
                    .cloned();
                (found, tree)
            }
            None => return Ok((Policy::default_policy(), None)),
        },
    };
    let bytes = match &confine {
        Some(tree) => tree.read_bytes(&path),
        None => files::read_bytes(&path),
    };
    let text = bytes
        .map_err(|e| e.to_string())
        .and_then(files::utf8)
        .map_err(|e| {
            Fatal(format!(
                "error: cannot read policy {}: it {e}",
                path.display()
            ))
        })?;
    match Policy::parse(&text) {
        Ok(policy) => Ok((policy, Some((path.clone(), display_path(&path), text)))),
        Err(err) => {
            let shown = display_path(&path);
            let mut msg = format!(
                "error: invalid policy {shown} ({} problem{})",
                err.problems.len(),
                if err.problems.len() == 1 { "" } else { "s" }
            );
            for p in &err.problems {
                let at = match (p.line, p.column) {
                    (Some(l), Some(c)) => format!("{shown}:{l}:{c}"),
                    (Some(l), None) => format!("{shown}:{l}"),
                    _ => shown.clone(),
                };
                let pointer = if p.pointer.is_empty() {
                    String::new()
                } else {
                    format!(" at {}", p.pointer)
                };
                msg.push_str(&format!("\n  {at}: {}{pointer}", p.message));
            }
            Err(Fatal(msg))
        }
    }
}

/// The first `idguard.json` in `start` (or its directory, for a file) or
/// any directory above it, up to the filesystem root. Anything of that
/// name counts (a FIFO or a broken symlink is then refused when read,
/// rather than silently passed over for a policy further up).
pub fn find_policy_upward(start: &Path) -> Option<PathBuf> {
    let abs = std::fs::canonicalize(start).ok()?;
    let mut dir = if abs.is_dir() {
        abs
    } else {
        abs.parent()?.to_path_buf()
    };
    loop {
        let candidate = dir.join(POLICY_FILE_NAME);
        if std::fs::symlink_metadata(&candidate).is_ok() {
            return Some(candidate);
        }
        if !dir.pop() {
            return None;
        }
    }
}

/// The fingerprints of a baseline: a JSON report (`findings[].fingerprint`)
/// or a SARIF log (`runs[].results[].partialFingerprints`).
pub fn load_baseline(path: &Path) -> Result<HashSet<String>, Fatal> {
    let text = files::read_utf8(path).map_err(|e| {
        Fatal(format!(
            "error: cannot read baseline {}: it {e}",
            path.display()
        ))
    })?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Fatal(format!(
            "error: baseline {}:{}:{}: not JSON: {e}",
            path.display(),
            e.line(),
            e.column()
        ))
    })?;
    fingerprints_of(&value).ok_or_else(|| {
        Fatal(format!(
            "error: baseline {} is neither an idguard JSON report nor a SARIF log",
            path.display()
        ))
    })
}

/// Today's date (UTC) as `YYYY-MM-DD`, for exemption expiry.
pub fn today() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (y, m, d) = civil_from_days(i64::try_from(secs / 86_400).unwrap_or(0));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(20_454), (2026, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(today().len(), 10);
    }

    #[cfg(unix)]
    #[test]
    fn names_that_are_not_utf8_stay_distinct() {
        use std::os::unix::ffi::OsStrExt;
        let a = Path::new(std::ffi::OsStr::from_bytes(b"./d/a\xff.json"));
        let b = Path::new(std::ffi::OsStr::from_bytes(b"d/a\xfe\xc3.json"));
        assert_eq!(display_path(a), "d/a\\xFF.json");
        assert_eq!(display_path(b), "d/a\\xFE\\xC3.json");
    }

    #[test]
    fn walk_errors_name_their_entry() {
        let e = ignore::Error::WithDepth {
            depth: 3,
            err: Box::new(ignore::Error::WithPath {
                path: PathBuf::from("a/locked"),
                err: Box::new(ignore::Error::Io(std::io::Error::from(
                    std::io::ErrorKind::PermissionDenied,
                ))),
            }),
        };
        let (path, message) = walk_error(&e);
        assert_eq!(path.as_deref(), Some(Path::new("a/locked")));
        assert_eq!(message, "permission denied");
    }

    #[test]
    fn bicep_cache_paths_stay_in_the_cache() {
        let cache = BicepCache {
            dir: PathBuf::from("/c"),
        };
        assert_eq!(
            cache.path_of("br:mcr.microsoft.com/bicep/avm/res/key-vault/vault:0.11.0"),
            Some(PathBuf::from(
                "/c/br/mcr.microsoft.com/bicep$avm$res$key-vault$vault/0.11.0$/main.json"
            ))
        );
        for refused in [
            "br:../x/y:1",
            "br:reg/../../etc:1",
            "br:reg/a/..:1",
            "br:reg/repo:..",
            "br:reg/repo:V1",
            "br:reg/repo@sha256:abc",
            "br:host:5000/repo:1",
            "br:reg/repo",
            "br:reg/repo:",
            "br:reg//repo:1",
            "br:reg/re\\po:1",
            "br:reg/.hidden:1",
            "br/public:avm/x:1",
            "./local.bicep",
        ] {
            assert_eq!(cache.path_of(refused), None, "{refused}");
        }
    }

    #[test]
    fn compiled_json_is_told_by_its_generator() {
        assert!(generated_by_bicep(
            r#"{"metadata": {"_generator": {"name": "bicep", "version": "0.30"}}}"#
        ));
        assert!(!generated_by_bicep(
            r#"{"metadata": {"_generator": {"name": "other"}}}"#
        ));
        assert!(!generated_by_bicep(
            r#"{"variables": {"_generator": "bicep"}}"#
        ));
        assert!(!generated_by_bicep("{"));
        assert_eq!(stem_key("a/main.bicep"), "a/main");
        assert_eq!(stem_key("a.b/main"), "a.b/main");
        assert_eq!(stem_key("main.json"), "main");
    }

    #[test]
    fn display_paths() {
        assert_eq!(display_path(Path::new("./a/b.json")), "a/b.json");
        assert_eq!(display_path(Path::new("a/b.json")), "a/b.json");
        assert_eq!(display_path(Path::new("/x/b.json")), "/x/b.json");
    }
}
