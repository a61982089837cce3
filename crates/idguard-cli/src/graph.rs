//! `idguard graph`: the identity graph of each template as Mermaid, DOT,
//! SVG, JSON or a CI job summary; with `--diff BASE`, the graph of the
//! change against a git revision or a graph JSON file.
//!
//! A git revision is read into memory (`git ls-tree`, `git cat-file`):
//! nothing is written into the user's tree, and only files inside the
//! repository are read.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};

use idguard_core::api::{CheckOptions, Language, SourceFile, graph_template};
use idguard_core::finding::FileKind;
use idguard_core::graph::{self, Graph, SummaryOptions};
use idguard_core::project::sniff_kind;

use crate::check::{self, Fatal};
use crate::cli::{GraphArgs, GraphFormat};
use crate::output::{self, Kind};

/// Runs `idguard graph`. Exit code 2 when a template could not be read or
/// checked (its graph is missing: never a silent pass), else 0.
pub fn command(args: &GraphArgs) -> Result<u8, Fatal> {
    let (checked, graphs) = check::run_graphs(&args.input)?;
    let mut code = 0;
    for f in &checked.report.files {
        if let Some(e) = &f.error {
            output::eprintln(&format!(
                "error: {}:{}:{}: {}; no graph for it",
                f.path, e.line, e.column, e.message
            ));
            code = 2;
        }
    }
    let base = match &args.diff {
        Some(spec) => Some(read_base(spec, args)?),
        None => None,
    };
    let drawn = match &base {
        Some(base) => graph::diff(base, &graphs),
        None => graphs.clone(),
    };
    let capped = || -> Vec<Graph> {
        drawn
            .iter()
            .map(|g| graph::cap(g, args.max_nodes))
            .collect()
    };
    let (text, kind) = match args.format {
        GraphFormat::Mermaid => (graph::mermaid(&capped()), Kind::Text),
        GraphFormat::Dot => (graph::dot(&capped()), Kind::Text),
        GraphFormat::Svg => (graph::svg(&capped()), Kind::Xml),
        GraphFormat::Json => (graph::to_json(&drawn), Kind::Json),
        GraphFormat::Summary => {
            let options = SummaryOptions {
                is_diff: base.is_some(),
                base: args.diff.clone(),
                max_nodes: args.max_nodes.min(graph::DEFAULT_MAX_NODES),
                report_link: args.report_link.clone(),
                ..SummaryOptions::default()
            };
            (
                graph::summary(&drawn, &graphs, &checked.report.findings, &options),
                Kind::Text,
            )
        }
    };
    match &args.output {
        Some(path) if path.as_os_str() != "-" => output::write_file(path, &text, kind)?,
        _ => output::stdout(&text, kind)?,
    }
    Ok(code)
}

/// The graphs of `spec`: a graph JSON file (`idguard graph --format
/// json`) when a file of that name exists, else a git revision.
fn read_base(spec: &str, args: &GraphArgs) -> Result<Vec<Graph>, Fatal> {
    let path = Path::new(spec);
    if path.is_file() {
        let text = crate::files::read_utf8(path)
            .map_err(|e| Fatal(format!("error: cannot read --diff {spec}: {e}")))?;
        return graph::from_json(&text).map_err(|e| Fatal(format!("error: --diff {spec}: {e}")));
    }
    git_graphs(spec, args)
}

/// Runs git with `args` in the current directory; its standard output.
fn git(args: &[&str]) -> Result<Vec<u8>, Fatal> {
    let out = Command::new("git")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            Fatal(if e.kind() == std::io::ErrorKind::NotFound {
                "error: --diff with a git revision needs git, which was not found on PATH (or give a graph JSON file written by `idguard graph --format json`)".to_string()
            } else {
                format!("error: cannot run git: {e}")
            })
        })?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(Fatal(format!(
            "error: git {} failed: {}",
            args.first().copied().unwrap_or(""),
            err.trim()
        )));
    }
    Ok(out.stdout)
}

/// Files of a revision read through one `git cat-file --batch`.
struct Blobs {
    rev: String,
    cache: std::cell::RefCell<HashMap<String, Option<String>>>,
}

impl Blobs {
    /// Reads `paths` (relative to the current directory) at the revision.
    fn read_many(&self, paths: &[String]) -> Result<(), Fatal> {
        let wanted: Vec<&String> = paths
            .iter()
            .filter(|p| !self.cache.borrow().contains_key(*p))
            .collect();
        if wanted.is_empty() {
            return Ok(());
        }
        let mut child = Command::new("git")
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| Fatal(format!("error: cannot run git cat-file: {e}")))?;
        let mut input = String::new();
        for p in &wanted {
            input.push_str(&format!("{}:./{}\n", self.rev, p));
        }
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| Fatal("error: git cat-file: no input".to_string()))?;
        // Written from a thread: git may fill its output pipe before it has
        // read all the names.
        let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| Fatal("error: git cat-file: no output".to_string()))?;
        let mut reader = BufReader::new(stdout);
        for p in wanted {
            let mut header = String::new();
            reader
                .read_line(&mut header)
                .map_err(|e| Fatal(format!("error: git cat-file: {e}")))?;
            let fields: Vec<&str> = header.split_whitespace().collect();
            let text = match fields.as_slice() {
                [_, "blob", size] => {
                    let size: usize = size
                        .parse()
                        .map_err(|_| Fatal(format!("error: git cat-file: bad header {header}")))?;
                    let mut bytes = vec![0u8; size + 1];
                    reader
                        .read_exact(&mut bytes)
                        .map_err(|e| Fatal(format!("error: git cat-file: {e}")))?;
                    bytes.pop();
                    crate::files::decode(bytes).ok()
                }
                [_, _, size] => {
                    // Not a file (a tree): skip its content.
                    let size: usize = size.parse().unwrap_or(0);
                    let mut skip = vec![0u8; size + 1];
                    let _ = reader.read_exact(&mut skip);
                    None
                }
                _ => None,
            };
            self.cache.borrow_mut().insert(p.clone(), text);
        }
        let _ = writer.join();
        let _ = child.wait();
        Ok(())
    }

    fn get(&self, path: &str) -> Option<String> {
        if !self.cache.borrow().contains_key(path) {
            let _ = self.read_many(&[path.to_string()]);
        }
        self.cache.borrow().get(path).cloned().flatten()
    }
}

/// The graphs of the same paths at git revision `rev`, read into memory
/// and paired by the same conventions as the working tree. The policy is
/// the current one (a change to the policy is not a change of the graph).
fn git_graphs(rev: &str, args: &GraphArgs) -> Result<Vec<Graph>, Fatal> {
    if rev.starts_with('-') {
        return Err(Fatal(format!(
            "error: --diff {rev}: not a file, and not a revision git would take"
        )));
    }
    let commit = git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        &format!("{rev}^{{commit}}"),
    ])
    .map_err(|_| {
        Fatal(format!(
            "error: --diff {rev}: no such file, and not a revision of the git repository here"
        ))
    })?;
    let commit = String::from_utf8_lossy(&commit).trim().to_string();
    let input = &args.input;
    let excludes = check::build_excludes(&input.exclude)?;
    let mut listed: Vec<String> = Vec::new();
    for p in &input.paths {
        let shown = check::display_path(p);
        if Path::new(&shown).is_absolute() {
            return Err(Fatal(format!(
                "error: --diff with a git revision needs paths relative to the current directory, not {shown}"
            )));
        }
        let spec = if shown.is_empty() {
            ".".to_string()
        } else {
            shown
        };
        let out = git(&["ls-tree", "-r", "-z", "--name-only", &commit, "--", &spec])?;
        for name in out.split(|b| *b == 0).filter(|n| !n.is_empty()) {
            let name = String::from_utf8_lossy(name).to_string();
            if name.contains(['\n', '\r']) {
                // Not a name `git cat-file --batch` can be asked for.
                continue;
            }
            let path = Path::new(&name);
            if check::is_checked_name(path) && !excludes.is_match(path) && !listed.contains(&name) {
                listed.push(name);
            }
        }
    }
    let blobs = Blobs {
        rev: commit.clone(),
        cache: Default::default(),
    };
    let named_params: Vec<String> = input
        .parameters
        .iter()
        .map(|p| check::display_path(p))
        .collect();
    let mut all = listed.clone();
    all.extend(named_params.iter().cloned());
    blobs.read_many(&all)?;
    let mut templates: Vec<(String, String)> = Vec::new();
    let mut params: BTreeMap<String, String> = BTreeMap::new();
    for name in &listed {
        let Some(text) = blobs.get(name) else {
            continue;
        };
        match kind_of(name, &text) {
            FileKind::Template => templates.push((name.clone(), text)),
            FileKind::Parameters if input.parameters.is_empty() => {
                params.insert(name.clone(), text);
            }
            _ => {}
        }
    }
    for name in &named_params {
        if let Some(text) = blobs.get(name) {
            templates.retain(|(t, _)| t != name);
            params.insert(name.clone(), text);
        }
    }
    templates.sort();
    let names: Vec<&str> = templates.iter().map(|(n, _)| n.as_str()).collect();
    let pairing = if input.parameters.is_empty() {
        check::pair_texts(&names, &params)
    } else {
        vec![params.keys().cloned().collect(); names.len()]
    };
    let policy = check::policy_for(input)?;
    let options = CheckOptions {
        policy: &policy,
        today: Some(check::today()),
    };
    let mut out = Vec::new();
    for ((name, text), pnames) in templates.iter().zip(pairing) {
        let parameter_files: Vec<SourceFile> = pnames
            .iter()
            .filter_map(|p| {
                params.get(p).map(|t| SourceFile {
                    path: p.clone(),
                    text: t.clone(),
                })
            })
            .collect();
        let dir = match name.rsplit_once('/') {
            Some((d, _)) => format!("{d}/"),
            None => String::new(),
        };
        let resolve = |relative: &str| -> Option<String> {
            if relative.starts_with(['/', '\\']) || relative.contains(':') {
                return None;
            }
            let joined = idguard_core::path::normalize_path(&format!("{dir}{relative}"));
            if joined == ".." || joined.starts_with("../") {
                return None;
            }
            blobs.get(&joined)
        };
        let template = SourceFile {
            path: name.clone(),
            text: text.clone(),
        };
        let (result, graphs) =
            graph_template(&template, None, &parameter_files, &resolve, &options, None);
        // Said, never silent: without its base graph, a template's edges
        // all show as added.
        for f in result.files.iter().filter(|f| f.error.is_some()) {
            output::eprintln(&format!(
                "note: {} at {rev} could not be checked, so the change shows all of it as added",
                f.path
            ));
        }
        out.extend(graphs);
    }
    Ok(out)
}

/// A file's kind as the check classifies it: Bicep by extension, JSON by
/// its `$schema`.
fn kind_of(name: &str, text: &str) -> FileKind {
    match Language::of_path(name) {
        Language::Bicep => FileKind::Template,
        Language::BicepParam => FileKind::Parameters,
        _ => sniff_kind(text),
    }
}
