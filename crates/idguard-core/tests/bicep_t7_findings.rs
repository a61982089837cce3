//! T7 (BICEP.md §6.3): findings parity. On every corpus compile pair, the
//! findings on the `.bicep` are those on the compiled JSON: the same codes
//! at the same pointers. A finding is keyed by its code, the module file
//! it is in (none for the template itself) and its pointer inside that
//! file. On the JSON side a module is a nested template: the pointer is
//! walked through `/resources/<module>/properties/template` as long as the
//! module's source is a `.bicep` the lowering reads (a borrowed compiled
//! template keeps its own pointers on both sides), and classic
//! `/resources/<i>` is mapped to the symbol of the i-th resource.
//! Differences must be listed in `tests/bicep/pairs-expected.tsv`.
//! Where the findings agree, a baseline made from the compiled JSON (named
//! `main.json` as `bicep build` names it) must match every one of them
//! through the Bicep findings' `compiled_fingerprints`.
//!
//! Then lines: on Bicep's baselines that have a source map
//! (`main.sourcemap.bicep`), every finding on the `.bicep` must be on the
//! line the source map gives for the JSON line of the same finding on
//! `main.json`.
#![allow(clippy::disallowed_methods)]

use std::collections::{BTreeMap, BTreeSet, HashMap};

use idguard_core::api::{CheckOptions, SourceFile, check_template, normalize_path};
use idguard_core::bicep::modules::ModulePath;
use idguard_core::finding::Finding;
use idguard_core::policy::Policy;
use serde_json::Value;

mod bicep_support;
use bicep_support::{Expected, Manifest, Pair, Resolver, pairs, read, read_json};

/// (code, module key or "", pointer inside it).
type Key = (String, String, String);

/// What the JSON-side walk needs about a `.bicep` file: module symbol →
/// path, and the symbols in the order classic JSON lists resources.
struct BicepInfo {
    modules: HashMap<String, String>,
    classic_order: Vec<String>,
}

fn bicep_info(text: &str) -> BicepInfo {
    let parsed = idguard_bicep::parse_bicep(text);
    let modules = parsed
        .program
        .modules()
        .filter_map(|m| Some((m.name.as_str().to_string(), m.path_str()?.to_string())))
        .collect();
    let lowered = idguard_core::bicep::lower_bicep(text, &|_| None);
    let doc = lowered.doc.to_json(lowered.doc.root());
    let classic_order = doc
        .get("resources")
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .filter(|(_, r)| r.get("existing").and_then(Value::as_bool) != Some(true))
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default();
    BicepInfo {
        modules,
        classic_order,
    }
}

fn split_pointer(p: &str) -> Vec<String> {
    p.split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

fn join_pointer(segments: &[String]) -> String {
    segments
        .iter()
        .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
        .collect()
}

/// The key of a finding on the compiled JSON.
fn json_key(f: &Finding, root_bicep: &str, resolver: &Resolver) -> Key {
    let segs = split_pointer(&f.pointer);
    let mut info = bicep_info(root_bicep);
    let mut module = String::new();
    let mut dir = String::new();
    let mut i = 0;
    let mut out: Vec<String> = Vec::new();
    loop {
        // `/resources/<x>` at the start of the current template.
        if segs.get(i).map(String::as_str) == Some("resources")
            && let Some(x) = segs.get(i + 1)
        {
            let symbol = match x.parse::<usize>() {
                Ok(n) => info
                    .classic_order
                    .get(n)
                    .cloned()
                    .unwrap_or_else(|| x.clone()),
                Err(_) => x.clone(),
            };
            // Into a module written in Bicep?
            let nested = segs.get(i + 2).map(String::as_str) == Some("properties")
                && segs.get(i + 3).map(String::as_str) == Some("template");
            if nested && let Some(path) = info.modules.get(&symbol).cloned() {
                let key = match ModulePath::classify(&path) {
                    ModulePath::Local(rel) => normalize_path(&format!("{dir}{rel}")),
                    ModulePath::Registry(r) => r,
                    _ => String::new(),
                };
                let source = (key.ends_with(".bicep") && !key.starts_with("br"))
                    .then(|| resolver.resolve(&key))
                    .flatten()
                    .filter(|t| {
                        !t.trim_start_matches('\u{feff}')
                            .trim_start()
                            .starts_with('{')
                    });
                module = key.clone();
                i += 4;
                out.clear();
                match source {
                    Some(text) => {
                        info = bicep_info(&text);
                        dir = key
                            .rsplit_once('/')
                            .map_or(String::new(), |(d, _)| format!("{d}/"));
                        continue;
                    }
                    None => {
                        // A borrowed (compiled) template: its own pointers.
                        out.extend(segs.iter().skip(i).cloned());
                        break;
                    }
                }
            }
            out.push("resources".into());
            out.push(symbol);
            out.extend(segs.iter().skip(i + 2).cloned());
            break;
        }
        out.extend(segs.iter().skip(i).cloned());
        break;
    }
    (f.code.clone(), module, join_pointer(&out))
}

/// The key of a finding on the `.bicep` (and its modules).
fn bicep_key(f: &Finding, root_path: &str) -> Key {
    let root_dir = root_path.rsplit_once('/').map_or("", |(d, _)| d);
    let module = if f.file == root_path {
        String::new()
    } else {
        f.file
            .strip_prefix(root_dir)
            .map(|s| s.trim_start_matches('/').to_string())
            .unwrap_or_else(|| f.file.clone())
    };
    (f.code.clone(), module, f.pointer.clone())
}

struct Run {
    json: Vec<Finding>,
    bicep: Vec<Finding>,
    resolver: Resolver,
}

fn run(pair: &Pair, manifest: &Manifest, compiled_path: &std::path::Path) -> Run {
    let policy = Policy::default_policy();
    let options = CheckOptions {
        policy: &policy,
        today: None,
    };
    let compiled = read_json(&pair.json).unwrap_or(Value::Null);
    let resolver = Resolver::new(manifest, pair, &compiled, false);
    // Named as `bicep build` names its output (`main.bicep` → `main.json`),
    // so the fingerprints are those of a baseline made from it.
    let json = SourceFile {
        path: pair.bicep.with_extension("json").display().to_string(),
        text: read(compiled_path),
    };
    let bicep = SourceFile {
        path: pair.bicep.display().to_string(),
        text: read(&pair.bicep),
    };
    let rj = check_template(&json, &[], &|_| None, &options);
    let rb = check_template(&bicep, &[], &|p| resolver.resolve(p), &options);
    Run {
        json: rj.findings,
        bicep: rb.findings,
        resolver,
    }
}

#[test]
fn findings_on_bicep_equal_findings_on_compiled_json() {
    let Some(corpus) = bicep_support::corpus() else {
        return;
    };
    let manifest = Manifest::load(&corpus);
    let detail = std::env::var("IDGUARD_T7_DETAIL").is_ok();
    let only = std::env::var("IDGUARD_T7_ONLY").ok();
    let pairs = pairs(&corpus);
    let mut failures = BTreeMap::new();
    let (mut total_json, mut total_bicep, mut in_modules) = (0, 0, 0);
    let mut baseline_checked = 0;
    for pair in &pairs {
        if only.as_deref().is_some_and(|o| !pair.name.contains(o)) {
            continue;
        }
        let compiled_path = pair.symbolic.clone().unwrap_or_else(|| pair.json.clone());
        let r = run(pair, &manifest, &compiled_path);
        let root_text = read(&pair.bicep);
        let root_path = pair.bicep.display().to_string();
        let kj: BTreeSet<Key> = r
            .json
            .iter()
            .map(|f| json_key(f, &root_text, &r.resolver))
            .collect();
        let kb: BTreeSet<Key> = r.bicep.iter().map(|f| bicep_key(f, &root_path)).collect();
        total_json += kj.len();
        total_bicep += kb.len();
        in_modules += kb.iter().filter(|k| !k.1.is_empty()).count();
        if kj == kb {
            // A baseline made from the compiled JSON matches every finding
            // on the source.
            let compiled: BTreeSet<&str> = r
                .bicep
                .iter()
                .flat_map(|f| f.compiled_fingerprints.iter().map(String::as_str))
                .collect();
            let unmatched: Vec<_> = r
                .json
                .iter()
                .filter(|f| !compiled.contains(f.fingerprint.as_str()))
                .map(|f| (f.code.as_str(), f.pointer.as_str()))
                .take(3)
                .collect();
            baseline_checked += r.json.len();
            if !unmatched.is_empty() {
                failures.insert(
                    pair.name.clone(),
                    format!("a baseline from the compiled JSON misses {unmatched:?}"),
                );
            }
        } else {
            let only_b: Vec<_> = kb.difference(&kj).take(3).collect();
            let only_j: Vec<_> = kj.difference(&kb).take(3).collect();
            let why = format!("bicep only {only_b:?}; json only {only_j:?}");
            if detail {
                eprintln!("== {}\n  {why}", pair.name);
            }
            failures.insert(pair.name.clone(), why);
        }
    }
    eprintln!(
        "T7: {} pairs; {total_json} distinct findings on the JSON, {total_bicep} on the Bicep ({in_modules} in modules); {} pairs differ; {baseline_checked} JSON findings checked against the Bicep findings' compiled fingerprints",
        pairs.len(),
        failures.len()
    );
    if only.is_none() {
        Expected::load().check("T7", &failures);
    }
}

/// `main.sourcemap.bicep`: for each line of `main.json` (by its text), the
/// Bicep lines that produced it.
fn source_map(text: &str) -> HashMap<String, BTreeSet<u32>> {
    let mut out: HashMap<String, BTreeSet<u32>> = HashMap::new();
    let mut line = 0u32;
    for l in text.lines() {
        match l.strip_prefix("//@") {
            Some(json) => {
                out.entry(json.trim().to_string()).or_default().insert(line);
            }
            None => line += 1,
        }
    }
    out
}

#[test]
fn findings_are_on_the_lines_bicep_source_maps_give() {
    let Some(baselines) = bicep_support::baselines() else {
        return;
    };
    let policy = Policy::default_policy();
    let options = CheckOptions {
        policy: &policy,
        today: None,
    };
    let mut dirs: Vec<_> = std::fs::read_dir(baselines.join("baselines"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("main.sourcemap.bicep").is_file() && p.join("main.json").is_file())
        .collect();
    dirs.sort();
    let (mut checked, mut exact, mut ambiguous, mut names) = (0, 0, 0, 0);
    let mut wrong = Vec::new();
    for dir in &dirs {
        let map = source_map(&read(&dir.join("main.sourcemap.bicep")));
        let json_path = dir.join("main.json");
        let json_text = read(&json_path);
        let json_lines: Vec<&str> = json_text.lines().collect();
        let bicep_path = dir.join("main.bicep");
        let root_text = read(&bicep_path);
        let json = SourceFile {
            path: json_path.display().to_string(),
            text: json_text.clone(),
        };
        let bicep = SourceFile {
            path: bicep_path.display().to_string(),
            text: root_text.clone(),
        };
        let rj = check_template(&json, &[], &|_| None, &options);
        let rb = check_template(&bicep, &[], &|_| None, &options);
        let resolver_free = Resolver::empty();
        for f in &rj.findings {
            let key = json_key(f, &root_text, &resolver_free);
            if !key.1.is_empty() || key.2.contains("/properties/template/") {
                continue; // inside a nested template: another file's lines
            }
            let Some(text) = json_lines.get(f.range.start.line as usize - 1) else {
                continue;
            };
            let Some(lines) = map.get(text.trim()) else {
                continue;
            };
            let Some(b) = rb
                .findings
                .iter()
                .find(|b| bicep_key(b, &bicep.path) == key)
            else {
                wrong.push(format!("{}: {key:?} not found on the Bicep", dir.display()));
                continue;
            };
            checked += 1;
            if lines.len() == 1 {
                exact += 1;
            } else {
                ambiguous += 1;
            }
            // Bicep's map puts the `name` it rebuilds (qualified with the
            // parent's) on the declaration's first line; idguard points at
            // the `name:` value inside the declaration, a line or a few
            // below.
            let refined = key.2.ends_with("/name")
                && lines.len() == 1
                && lines
                    .first()
                    .is_some_and(|l| *l < b.range.start.line && b.range.start.line <= l + 3);
            if refined {
                names += 1;
            } else if !lines.contains(&b.range.start.line) {
                wrong.push(format!(
                    "{}: {key:?} on Bicep line {}, the source map gives {lines:?}",
                    dir.display(),
                    b.range.start.line
                ));
            }
        }
    }
    eprintln!(
        "T7 lines: {} baselines with source maps; {checked} findings checked: {} on the one line the map names, {names} resource names on their `name:` line just below the declaration line Bicep's map gives, {ambiguous} on one of the several lines it names",
        dirs.len(),
        exact - names
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(checked > 0, "no finding was checked against a source map");
}

/// Hand-reviewed lines (`docs/corpus-findings.md`, BICEP.md §3.8): where
/// each finding must be on the Bicep source.
#[test]
fn golden_lines() {
    let Some(corpus) = bicep_support::corpus() else {
        return;
    };
    let manifest = Manifest::load(&corpus);
    let golden: &[(&str, &[(&str, u32)])] = &[
        (
            "PSRule.Rules.Azure/tests__PSRule.Rules.Azure.Tests__Tests.Bicep.4.bicep",
            &[("MI403", 9), ("MI401", 11), ("MI402", 11), ("MI405", 12)],
        ),
        (
            "bicep/src__Bicep.Core.Samples__Files__user_submitted__201__policy-azmonitor-agent-and-dcr-association__policyAssignment.bicep",
            &[("MI403", 33), ("MI402", 35), ("MI101", 36)],
        ),
        (
            "bicep/src__Bicep.Core.Samples__Files__user_submitted__101__create-managedidentity-rbac__main.bicep",
            // guid(roleDefinitionId, resourceGroup().id): no principal.
            &[("MI202", 5), ("MI201", 6), ("MI403", 11)],
        ),
    ];
    let all = pairs(&corpus);
    for (name, expected) in golden {
        let pair = all.iter().find(|p| p.name == *name).expect(name);
        let r = run(pair, &manifest, &pair.json);
        let root = pair.bicep.display().to_string();
        let mut got: Vec<(String, u32)> = r
            .bicep
            .iter()
            .filter(|f| f.file == root)
            .map(|f| (f.code.clone(), f.range.start.line))
            .collect();
        got.sort();
        let mut want: Vec<(String, u32)> =
            expected.iter().map(|(c, l)| (c.to_string(), *l)).collect();
        want.sort();
        assert_eq!(got, want, "{name}");
    }
}
