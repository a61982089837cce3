//! The check pipeline: find files, read and classify them, pair parameter
//! files, load the policy, check templates in parallel, apply the baseline.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use globset::{Glob, GlobSet, GlobSetBuilder};
use idguard_core::api::{
    CheckOptions, SourceFile, check_template, check_template_with, model_json,
};
use idguard_core::finding::{FileError, FileKind, FileReport, Finding, Report};
use idguard_core::policy::Policy;
use idguard_core::project::{pair_parameter_files, sniff_kind};
use rayon::prelude::*;

use crate::cli::InputArgs;

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
    /// path (for code frames); the others' text is dropped once checked, so
    /// a large estate is not held in memory. Parameter files are
    /// deliberately not kept: they may hold secrets.
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
}

/// A template to check: displayed path, path on disk, text, and whether it
/// is a companion.
type TemplateIn = (String, PathBuf, String, Role);

/// A file read and classified.
#[derive(Debug)]
struct Loaded {
    candidate: Candidate,
    text: Result<String, FileError>,
    kind: FileKind,
}

/// Runs a check as `idguard check` and `idguard baseline` do.
pub fn run(input: &InputArgs, baseline: Option<&Path>) -> Result<Checked, Fatal> {
    let started = Instant::now();
    let excludes = build_excludes(&input.exclude)?;
    let mut candidates = discover(&input.paths, &excludes)?;
    let (policy, policy_source) = load_policy(input.policy.as_deref(), &input.paths)?;
    let host = plugin_host(
        input,
        &policy,
        policy_source.as_ref().map(|(path, _, _)| path.as_path()),
    );
    let baseline_prints = match baseline {
        Some(path) => Some(load_baseline(path)?),
        None => None,
    };

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(input.threads.unwrap_or(0))
        .build()
        .map_err(|e| Fatal(format!("error: cannot start worker threads: {e}")))?;

    if input.parameters.is_empty() {
        candidates.extend(companions(&candidates));
    } else {
        let mut named = Vec::new();
        for p in &input.parameters {
            if !p.is_file() {
                return Err(Fatal(format!(
                    "error: parameter file {} does not exist",
                    p.display()
                )));
            }
            named.push(Candidate {
                path: p.clone(),
                display: display_path(p),
                role: Role::Parameters,
            });
        }
        candidates.retain(|c| !named.iter().any(|n| n.display == c.display));
        candidates.extend(named);
    }

    let loaded: Vec<Loaded> = pool.install(|| {
        candidates
            .into_par_iter()
            .with_max_len(8)
            .map(load)
            .collect()
    });

    let mut files: Vec<FileReport> = Vec::new();
    let mut sources: HashMap<String, Arc<str>> = HashMap::new();
    let mut templates: Vec<TemplateIn> = Vec::new();
    let mut params: BTreeMap<String, (String, Role)> = BTreeMap::new();
    for l in loaded {
        let role = l.candidate.role;
        let display = l.candidate.display;
        match (l.text, l.kind) {
            // Parameter files given with --parameters are parameter files
            // whatever their `$schema` says.
            (Ok(text), _) if role == Role::Parameters => {
                params.insert(display, (text, role));
            }
            (_, FileKind::Other) | (Err(_), _) if role == Role::Companion => {}
            (Err(error), kind) => files.push(FileReport {
                path: display,
                kind,
                error: Some(error),
                parameter_files: Vec::new(),
            }),
            (Ok(text), FileKind::Template) => {
                templates.push((display, l.candidate.path, text, role));
            }
            (Ok(text), FileKind::Parameters) => {
                params.insert(display, (text, role));
            }
            (Ok(_), FileKind::Other) => files.push(FileReport {
                path: display,
                kind: FileKind::Other,
                error: None,
                parameter_files: Vec::new(),
            }),
        }
    }
    templates.sort_by(|a, b| a.0.cmp(&b.0));

    let mut pairing: Vec<Vec<String>> = if input.parameters.is_empty() {
        let t: Vec<&str> = templates.iter().map(|t| t.0.as_str()).collect();
        let p: Vec<&str> = params.keys().map(String::as_str).collect();
        pair_parameter_files(&t, &p)
            .into_iter()
            .map(|(_, ps)| ps.into_iter().map(str::to_string).collect())
            .collect()
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
    let role_of = |name: &String| params.get(name).map(|(_, r)| *r);
    let keep: Vec<bool> = templates
        .iter()
        .zip(&pairing)
        .map(|(t, ps)| {
            t.3 != Role::Companion || ps.iter().any(|p| role_of(p) != Some(Role::Companion))
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
        });
    }
    for (path, (text, _)) in params
        .iter()
        .filter(|(p, (_, role))| !paired.contains(p) && *role != Role::Companion)
    {
        files.push(FileReport {
            path: path.clone(),
            kind: FileKind::Parameters,
            // Not checked with a template, but one that does not parse is
            // still an error, not a skip.
            error: idguard_core::api::file_error_of(text, FileKind::Parameters),
            parameter_files: Vec::new(),
        });
    }

    let options = CheckOptions {
        policy: &policy,
        today: Some(today()),
    };
    let mut jobs: Vec<(TemplateIn, &Vec<String>)> =
        templates.into_iter().zip(pairing.iter()).collect();
    // Largest first, one job per template: rayon splits an indexed
    // iterator into a few long runs, and a run of large templates (they
    // sort together by name) then kept one thread busy long after the
    // others ran dry. Single-item jobs are stolen one at a time, and
    // starting with the largest leaves only small ones for the end.
    // The report is sorted afterwards, so the order does not show.
    jobs.sort_by_key(|((_, _, text, _), params)| {
        std::cmp::Reverse(text.len() * (params.len().max(1)))
    });
    let results: Vec<_> = pool.install(|| {
        jobs.into_par_iter()
            .with_max_len(1)
            .map(|((display, path, text, _), param_names)| {
                let template = SourceFile {
                    path: display,
                    text,
                };
                let parameter_files: Vec<SourceFile> = param_names
                    .iter()
                    .filter_map(|name| {
                        params.get(name).map(|(t, _)| SourceFile {
                            path: name.clone(),
                            text: t.to_string(),
                        })
                    })
                    .collect();
                let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
                let resolve = move |relative: &str| -> Option<String> {
                    std::fs::read_to_string(dir.join(relative)).ok()
                };
                let result = match &host {
                    Some(host) if !host.is_empty() => {
                        let run = |model: &serde_json::Value| host.run(model);
                        check_template_with(&template, &parameter_files, &resolve, &options, &run)
                    }
                    _ => check_template(&template, &parameter_files, &resolve, &options),
                };
                // Keep the text only where a code frame may be shown.
                let keep =
                    !result.findings.is_empty() || result.files.iter().any(|f| f.error.is_some());
                let source = keep.then(|| (template.path, Arc::<str>::from(template.text)));
                (result, source)
            })
            .collect()
    });
    let plugin_errors = match &host {
        Some(host) => {
            if input.verbose {
                for line in host.timings() {
                    eprintln!("{line}");
                }
            }
            host.errors()
        }
        None => Vec::new(),
    };

    // Expired exemptions are findings about the policy file itself.
    let mut findings: Vec<Finding> = match &policy_source {
        Some((_, shown, text)) => {
            idguard_core::api::policy_findings(&policy, shown, Some(text), options.today.as_deref())
        }
        None => idguard_core::api::policy_findings(&policy, "", None, options.today.as_deref()),
    };
    for (result, source) in results {
        if let Some((path, text)) = source {
            sources.insert(path, text);
        }
        files.extend(result.files);
        findings.extend(result.findings);
    }
    let files = dedup_files(files);

    let mut baselined = 0;
    if let Some(prints) = &baseline_prints {
        findings.retain(|f| {
            let keep = !prints.contains(&f.fingerprint);
            if !keep {
                baselined += 1;
            }
            keep
        });
    }

    let report = Report::new(files, findings).with_plugin_errors(plugin_errors);
    Ok(Checked {
        parameter_files: pairing.iter().map(Vec::len).sum(),
        report,
        sources,
        baselined,
        elapsed: started.elapsed(),
    })
}

/// The plugin host of a run, unless `--no-plugins` or the policy has none.
/// Plugin paths are relative to the policy file.
fn plugin_host(
    input: &InputArgs,
    policy: &Policy,
    policy_path: Option<&Path>,
) -> Option<crate::plugins::Host> {
    if input.no_plugins || policy.plugins().is_empty() {
        return None;
    }
    let dir = policy_path
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let options = crate::plugins::HostOptions {
        cache_dir: input.plugin_cache.clone(),
        verbose: input.verbose,
    };
    Some(crate::plugins::Host::load(policy.plugins(), &dir, &options))
}

/// The model JSON of every evaluation of every template `input` names
/// (`idguard debug model`).
pub fn models(input: &InputArgs) -> Result<Vec<serde_json::Value>, Fatal> {
    let excludes = build_excludes(&input.exclude)?;
    let candidates = discover(&input.paths, &excludes)?;
    let (policy, _) = load_policy(input.policy.as_deref(), &input.paths)?;
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
                std::fs::read_to_string(p)
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
        let dir = loaded
            .candidate
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let resolve = move |relative: &str| -> Option<String> {
            std::fs::read_to_string(dir.join(relative)).ok()
        };
        out.extend(model_json(&template, &params, &resolve, &options));
    }
    Ok(out)
}

/// One report per path: a file checked as a parameter file of two
/// templates is listed once, with its error if any evaluation found one.
fn dedup_files(files: Vec<FileReport>) -> Vec<FileReport> {
    let mut by_path: BTreeMap<String, FileReport> = BTreeMap::new();
    for f in files {
        match by_path.get_mut(&f.path) {
            Some(existing) => {
                if existing.error.is_none() && f.error.is_some() {
                    existing.error = f.error;
                }
                for p in f.parameter_files {
                    if !existing.parameter_files.contains(&p) {
                        existing.parameter_files.push(p);
                    }
                }
            }
            None => {
                by_path.insert(f.path.clone(), f);
            }
        }
    }
    by_path.into_values().collect()
}

fn build_excludes(globs: &[String]) -> Result<GlobSet, Fatal> {
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
    let s = path.to_string_lossy();
    let mut s: &str = &s;
    while let Some(rest) = s.strip_prefix("./").or_else(|| s.strip_prefix(".\\")) {
        s = rest;
    }
    s.to_string()
}

fn is_json_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json") || e.eq_ignore_ascii_case("jsonc"))
}

/// Expands the command-line paths into files, sorted by displayed path.
fn discover(paths: &[PathBuf], excludes: &GlobSet) -> Result<Vec<Candidate>, Fatal> {
    let mut out: BTreeMap<String, Candidate> = BTreeMap::new();
    for root in paths {
        let meta = std::fs::metadata(root)
            .map_err(|_| Fatal(format!("error: path {} does not exist", root.display())))?;
        if !meta.is_dir() {
            let display = display_path(root);
            out.insert(
                display.clone(),
                Candidate {
                    path: root.clone(),
                    display,
                    role: Role::Named,
                },
            );
            continue;
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
        for entry in walker {
            let entry =
                entry.map_err(|e| Fatal(format!("error: cannot walk {}: {e}", root.display())))?;
            if !entry.file_type().is_some_and(|t| t.is_file()) || !is_json_name(entry.path()) {
                continue;
            }
            let display = display_path(entry.path());
            out.entry(display.clone()).or_insert(Candidate {
                path: entry.into_path(),
                display,
                role: Role::Walked,
            });
        }
    }
    Ok(out.into_values().collect())
}

/// JSON files next to named files, not already candidates, as companions.
fn companions(candidates: &[Candidate]) -> Vec<Candidate> {
    let known: HashSet<&str> = candidates.iter().map(|c| c.display.as_str()).collect();
    let mut dirs: Vec<PathBuf> = candidates
        .iter()
        .filter(|c| c.role == Role::Named)
        .map(|c| c.path.parent().map(Path::to_path_buf).unwrap_or_default())
        .collect();
    dirs.sort();
    dirs.dedup();
    let mut out = Vec::new();
    for dir in dirs {
        let listing = if dir.as_os_str().is_empty() {
            std::fs::read_dir(".")
        } else {
            std::fs::read_dir(&dir)
        };
        let Ok(entries) = listing else { continue };
        let mut found: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| dir.join(e.file_name()))
            .filter(|p| is_json_name(p) && !known.contains(display_path(p).as_str()))
            .collect();
        found.sort();
        out.extend(found.into_iter().map(|path| Candidate {
            display: display_path(&path),
            path,
            role: Role::Companion,
        }));
    }
    out
}

/// Decodes file bytes: UTF-8 (with or without BOM) or UTF-16 with a BOM.
fn decode(bytes: Vec<u8>) -> Result<String, String> {
    let utf16 = |le: bool, body: &[u8]| -> Result<String, String> {
        let units: Vec<u16> = body
            .chunks(2)
            .map(|c| match c {
                [a, b] if le => u16::from_le_bytes([*a, *b]),
                [a, b] => u16::from_be_bytes([*a, *b]),
                _ => 0xFFFD,
            })
            .collect();
        String::from_utf16(&units).map_err(|_| "the file is not valid UTF-16".to_string())
    };
    match bytes.as_slice() {
        [0xFF, 0xFE, body @ ..] => utf16(true, body),
        [0xFE, 0xFF, body @ ..] => utf16(false, body),
        _ => String::from_utf8(bytes).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            format!("the file is not valid UTF-8 (first bad byte at offset {at})")
        }),
    }
}

/// Reads and classifies one file. A walked file that cannot be decoded and
/// does not look like a template is skipped as `other`; anything else that
/// cannot be read is an error (fail closed).
fn load(candidate: Candidate) -> Loaded {
    let bytes = match std::fs::read(&candidate.path) {
        Ok(b) => b,
        Err(e) => {
            return Loaded {
                text: Err(FileError {
                    message: format!("cannot read the file: {e}"),
                    line: 1,
                    column: 1,
                }),
                kind: FileKind::Other,
                candidate,
            };
        }
    };
    // Valid UTF-8 (nearly every file) is sniffed as is: a lossy copy of a
    // large file costs more than reading it.
    let lossy_kind = match std::str::from_utf8(&bytes) {
        Ok(text) => sniff_kind(text),
        Err(_) => sniff_kind(&String::from_utf8_lossy(&bytes)),
    };
    match decode(bytes) {
        Ok(text) => Loaded {
            kind: sniff_kind(&text),
            text: Ok(text),
            candidate,
        },
        Err(message) if candidate.role == Role::Named || lossy_kind != FileKind::Other => Loaded {
            text: Err(FileError {
                message,
                line: 1,
                column: 1,
            }),
            kind: lossy_kind,
            candidate,
        },
        Err(_) => Loaded {
            text: Ok(String::new()),
            kind: FileKind::Other,
            candidate,
        },
    }
}

/// Finds the policy: `--policy`, else the first `idguard.json` upward from
/// the first path, else the built-in default.
/// The policy to use, with its file, the file as shown, and its text, when
/// it came from one.
type PolicySource = Option<(PathBuf, String, String)>;

fn load_policy(
    explicit: Option<&Path>,
    paths: &[PathBuf],
) -> Result<(Policy, PolicySource), Fatal> {
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => paths.first().and_then(|p| find_policy_upward(p)),
    };
    let Some(path) = path else {
        return Ok((Policy::default_policy(), None));
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Fatal(format!("error: cannot read policy {}: {e}", path.display())))?;
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
/// any directory above it, up to the filesystem root.
pub fn find_policy_upward(start: &Path) -> Option<PathBuf> {
    let abs = std::fs::canonicalize(start).ok()?;
    let mut dir = if abs.is_dir() {
        abs
    } else {
        abs.parent()?.to_path_buf()
    };
    loop {
        let candidate = dir.join(POLICY_FILE_NAME);
        if candidate.is_file() {
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
    let text = std::fs::read_to_string(path).map_err(|e| {
        Fatal(format!(
            "error: cannot read baseline {}: {e}",
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

fn fingerprints_of(value: &serde_json::Value) -> Option<HashSet<String>> {
    let mut out = HashSet::new();
    if let Some(findings) = value.get("findings").and_then(|f| f.as_array()) {
        for f in findings {
            if let Some(fp) = f.get("fingerprint").and_then(|v| v.as_str()) {
                out.insert(fp.to_string());
            }
        }
        return Some(out);
    }
    let runs = value.get("runs")?.as_array()?;
    for run in runs {
        for result in run
            .get("results")
            .and_then(|r| r.as_array())
            .into_iter()
            .flatten()
        {
            if let Some(fp) = result
                .get("partialFingerprints")
                .and_then(|p| p.get(crate::render::sarif::FINGERPRINT_KEY))
                .and_then(|v| v.as_str())
            {
                out.insert(fp.to_string());
            }
        }
    }
    Some(out)
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

    #[test]
    fn decodes_utf8_and_utf16() {
        assert_eq!(decode(b"{}".to_vec()).unwrap(), "{}");
        assert_eq!(decode(b"\xEF\xBB\xBF{}".to_vec()).unwrap(), "\u{feff}{}");
        assert_eq!(decode(vec![0xFF, 0xFE, b'{', 0, b'}', 0]).unwrap(), "{}");
        assert_eq!(decode(vec![0xFE, 0xFF, 0, b'{', 0, b'}']).unwrap(), "{}");
        assert!(
            decode(vec![b'{', 0xC3, b'}'])
                .unwrap_err()
                .contains("offset 1")
        );
    }

    #[test]
    fn display_paths() {
        assert_eq!(display_path(Path::new("./a/b.json")), "a/b.json");
        assert_eq!(display_path(Path::new("a/b.json")), "a/b.json");
        assert_eq!(display_path(Path::new("/x/b.json")), "/x/b.json");
    }

    #[test]
    fn baseline_fingerprints_from_report_and_sarif() {
        let report = serde_json::json!({"version": 1, "findings": [{"fingerprint": "a"}, {"fingerprint": "b"}]});
        assert_eq!(fingerprints_of(&report).unwrap().len(), 2);
        let sarif = serde_json::json!({"runs": [{"results": [
            {"partialFingerprints": {"idguardFingerprint/v1": "c"}},
            {"partialFingerprints": {"other/v1": "d"}}
        ]}]});
        let got = fingerprints_of(&sarif).unwrap();
        assert!(got.contains("c") && got.len() == 1);
        assert!(fingerprints_of(&serde_json::json!({"x": 1})).is_none());
    }
}
