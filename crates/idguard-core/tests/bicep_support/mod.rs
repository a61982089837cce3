//! Shared by the Bicep parity tests: the 692 corpus pairs of a `.bicep`
//! and the JSON Bicep compiled from it, a resolver that reads modules from
//! the (flattened) corpus or borrows their compiled templates, and the list
//! of expected differences (`tests/bicep/pairs-expected.tsv`).
#![allow(
    dead_code,
    clippy::disallowed_methods,
    reason = "the tests read the corpus from disk; the library does no I/O"
)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use idguard_core::bicep::modules::ModulePath;
use serde_json::Value;

#[path = "../../../../tests/support/skip.rs"]
mod skip;

/// The corpus directory, or `None` after recording the skip.
pub fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if p.is_dir() {
        Some(p)
    } else {
        skip::skip_or_fail("corpus", &format!("not found at {}", p.display()));
        None
    }
}

/// Bicep's test baselines, or `None` after recording the skip.
pub fn baselines() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bicep-baselines");
    if p.is_dir() {
        Some(p)
    } else {
        skip::skip_or_fail("bicep baselines", &format!("not found at {}", p.display()));
        None
    }
}

/// A `.bicep` and the JSON Bicep compiled from it.
#[derive(Clone, Debug)]
pub struct Pair {
    /// `<dir>/<file>.bicep`, relative to the corpus (the key of the
    /// expected-differences list).
    pub name: String,
    pub bicep: PathBuf,
    /// `<stem>.json`.
    pub json: PathBuf,
    /// `<stem>.symbolicnames.json` when there is one.
    pub symbolic: Option<PathBuf>,
}

pub fn read(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

pub fn read_json(path: &Path) -> Option<Value> {
    let text = read(path);
    serde_json::from_str(text.trim_start_matches('\u{feff}')).ok()
}

/// The pairs whose JSON was compiled from the `.bicep`
/// (`metadata._generator.name == "bicep"`, decompiler tests left out).
pub fn pairs(corpus: &Path) -> Vec<Pair> {
    let mut out = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(corpus)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "bicep"))
            .collect();
        files.sort();
        for bicep in files {
            let file = bicep.file_name().and_then(|f| f.to_str()).unwrap_or("");
            if file.contains("Decompiler") {
                continue;
            }
            let stem = file.trim_end_matches(".bicep");
            let json = dir.join(format!("{stem}.json"));
            let Some(j) = read_json(&json) else { continue };
            if j.pointer("/metadata/_generator/name")
                .and_then(Value::as_str)
                != Some("bicep")
            {
                continue;
            }
            let symbolic = dir.join(format!("{stem}.symbolicnames.json"));
            let dir_name = dir.file_name().and_then(|d| d.to_str()).unwrap_or("");
            out.push(Pair {
                name: format!("{dir_name}/{file}"),
                bicep: bicep.clone(),
                json,
                symbolic: symbolic.is_file().then_some(symbolic),
            });
        }
    }
    out
}

/// `MANIFEST.tsv`: corpus file ↔ (corpus directory, original path).
pub struct Manifest {
    /// (corpus dir, original path) → corpus file.
    pub by_original: HashMap<(String, String), PathBuf>,
    /// corpus file → original path.
    pub original: HashMap<PathBuf, String>,
}

impl Manifest {
    pub fn load(corpus: &Path) -> Manifest {
        let text = read(&corpus.join("MANIFEST.tsv"));
        let mut by_original = HashMap::new();
        let mut original = HashMap::new();
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            let (Some(file), Some(orig)) = (cols.first(), cols.get(3)) else {
                continue;
            };
            let Some((dir, _)) = file.split_once('/') else {
                continue;
            };
            let path = corpus.join(file);
            by_original.insert((dir.to_string(), orig.to_string()), path.clone());
            original.insert(path, orig.to_string());
        }
        Manifest {
            by_original,
            original,
        }
    }

    fn dir_of(&self, file: &Path) -> Option<(String, String)> {
        let orig = self.original.get(file)?;
        let dir = file.parent()?.file_name()?.to_str()?.to_string();
        let odir = orig.rsplit_once('/').map_or("", |(d, _)| d).to_string();
        Some((dir, odir))
    }
}

/// A resolver for one pair: modules (and `load*Content()` files) from the
/// corpus when they are there, else the compiled template of the module
/// borrowed from the pair's JSON (registry modules always).
pub struct Resolver {
    corpus_dir: String,
    /// The root `.bicep`'s original directory.
    root_dir: String,
    files: HashMap<(String, String), PathBuf>,
    /// Module key (as the core asks) → compiled template (JSON text).
    pub borrowed: HashMap<String, String>,
    /// Ask only for borrowed templates (no corpus module sources).
    pub borrow_only: bool,
}

impl Resolver {
    pub fn new(manifest: &Manifest, pair: &Pair, compiled: &Value, borrow_only: bool) -> Resolver {
        let (corpus_dir, root_dir) = manifest.dir_of(&pair.bicep).unwrap_or_default();
        let mut r = Resolver {
            corpus_dir,
            root_dir,
            files: manifest.by_original.clone(),
            borrowed: HashMap::new(),
            borrow_only,
        };
        let text = read(&pair.bicep);
        let mut depth = 0;
        r.borrow(&text, compiled, "", &mut depth);
        r
    }

    /// A resolver that has nothing.
    pub fn empty() -> Resolver {
        Resolver {
            corpus_dir: String::new(),
            root_dir: String::new(),
            files: HashMap::new(),
            borrowed: HashMap::new(),
            borrow_only: true,
        }
    }

    fn corpus_file(&self, key: &str) -> Option<&PathBuf> {
        let original = idguard_core::api::normalize_path(&format!("{}/{key}", self.root_dir));
        self.files.get(&(self.corpus_dir.clone(), original))
    }

    /// Records the compiled template of every module of `text` (a `.bicep`
    /// in directory `dir`, relative to the root's) from `compiled`.
    fn borrow(&mut self, text: &str, compiled: &Value, dir: &str, depth: &mut usize) {
        *depth += 1;
        if *depth > 64 {
            return;
        }
        let parsed = idguard_bicep::parse_bicep(text);
        let modules: Vec<(String, Option<String>)> = parsed
            .program
            .modules()
            .map(|m| {
                (
                    m.name.as_str().to_string(),
                    m.path_str().map(str::to_string),
                )
            })
            .collect();
        let deployments: Vec<&Value> = match compiled.get("resources") {
            Some(Value::Object(map)) => {
                modules.iter().filter_map(|(sym, _)| map.get(sym)).collect()
            }
            Some(Value::Array(items)) => {
                let deps: Vec<&Value> = items
                    .iter()
                    .filter(|r| {
                        r.get("type").and_then(Value::as_str).is_some_and(|t| {
                            t.eq_ignore_ascii_case("Microsoft.Resources/deployments")
                        }) && (r.pointer("/properties/template").is_some()
                            || r.pointer("/properties/templateLink").is_some())
                    })
                    .collect();
                let skip = deps.len().saturating_sub(modules.len());
                deps.into_iter().skip(skip).collect()
            }
            _ => Vec::new(),
        };
        if deployments.len() != modules.len() {
            return;
        }
        for ((_, path), dep) in modules.iter().zip(deployments) {
            let (Some(path), Some(template)) = (path, dep.pointer("/properties/template")) else {
                continue;
            };
            let key = match ModulePath::classify(path) {
                ModulePath::Local(rel) => idguard_core::api::normalize_path(&format!("{dir}{rel}")),
                ModulePath::Registry(r) => r,
                _ => continue,
            };
            if !self.borrowed.contains_key(&key) {
                self.borrowed.insert(key.clone(), template.to_string());
            }
            if key.ends_with(".bicep")
                && let Some(f) = self.corpus_file(&key).cloned()
            {
                let sub = read(&f);
                let subdir = key
                    .rsplit_once('/')
                    .map_or(String::new(), |(d, _)| format!("{d}/"));
                self.borrow(&sub, template, &subdir, depth);
            }
        }
    }

    pub fn resolve(&self, key: &str) -> Option<String> {
        if !key.starts_with("br")
            && !self.borrow_only
            && let Some(f) = self.corpus_file(key)
        {
            return Some(read(f));
        }
        self.borrowed.get(key).cloned()
    }
}

/// An expected difference: `file \t test \t reason`.
pub struct Expected {
    pub entries: BTreeMap<(String, String), String>,
}

impl Expected {
    pub fn load() -> Expected {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bicep/pairs-expected.tsv");
        let text = read(&p);
        let mut entries = BTreeMap::new();
        for line in text.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut cols = line.splitn(3, '\t');
            let (Some(file), Some(test), Some(reason)) = (cols.next(), cols.next(), cols.next())
            else {
                continue;
            };
            entries.insert((file.to_string(), test.to_string()), reason.to_string());
        }
        Expected { entries }
    }

    /// Checks the failures of `test` against the list: every failure is
    /// listed and every listed one fails. Panics with both lists when not.
    pub fn check(&self, test: &str, failures: &BTreeMap<String, String>) {
        let listed: BTreeSet<&String> = self
            .entries
            .keys()
            .filter(|(_, t)| t == test)
            .map(|(f, _)| f)
            .collect();
        let unexpected: Vec<String> = failures
            .iter()
            .filter(|(f, _)| !listed.contains(f))
            .map(|(f, why)| format!("{f}\t{test}\t{why}"))
            .collect();
        let fixed: Vec<&&String> = listed
            .iter()
            .filter(|f| !failures.contains_key(**f))
            .collect();
        assert!(
            unexpected.is_empty() && fixed.is_empty(),
            "{test}: {} unexpected differences:\n{}\n{} listed differences no longer occur:\n{:?}",
            unexpected.len(),
            unexpected.join("\n"),
            fixed.len(),
            fixed
        );
    }
}
