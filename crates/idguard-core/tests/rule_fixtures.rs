//! Runs every fixture under `tests/fixtures/rules/<CODE>/` and compares the
//! findings of that rule with the `<name>.findings.json` kept beside the
//! template: `[{"code": "MI101", "line": 12, "message_contains": "…"}]`.
//! `valid-*` fixtures must produce no finding of the rule. Every rule of the
//! list has fixtures of both kinds, and every directory is a rule's.

// Tests read fixtures from disk; the no-I/O rule is for the library itself.
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use idguard_core::api::{CheckOptions, SourceFile, check_template};
use idguard_core::finding::FileKind;
use idguard_core::policy::Policy;
use idguard_core::project::{pair_parameter_files, sniff_kind};

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/rules")
}

#[derive(serde::Deserialize)]
struct Expected {
    code: String,
    line: u32,
    #[serde(default)]
    message_contains: Option<String>,
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_rule_fixture_gives_exactly_its_expected_findings() {
    let root = fixtures_root();
    let policy = Policy::default_policy();
    let options = CheckOptions {
        policy: &policy,
        today: Some("2026-01-01".into()),
    };
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/fixtures/rules exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let code = dir.file_name().unwrap().to_string_lossy().to_string();
        let mut templates = Vec::new();
        let mut params = Vec::new();
        let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .filter(|p| !p.to_string_lossy().ends_with(".findings.json"))
            .collect();
        names.sort();
        for p in &names {
            match sniff_kind(&read(p)) {
                FileKind::Template => templates.push(p.to_string_lossy().to_string()),
                FileKind::Parameters => params.push(p.to_string_lossy().to_string()),
                FileKind::Other => {}
            }
        }
        let t_refs: Vec<&str> = templates.iter().map(String::as_str).collect();
        let p_refs: Vec<&str> = params.iter().map(String::as_str).collect();
        for (template, pfiles) in pair_parameter_files(&t_refs, &p_refs) {
            let tpath = Path::new(template);
            let expected_path = tpath.with_extension("findings.json");
            let expected: Vec<Expected> = serde_json::from_str(&read(&expected_path))
                .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
            let source = SourceFile {
                path: template.to_string(),
                text: read(tpath),
            };
            let psources: Vec<SourceFile> = pfiles
                .iter()
                .map(|p| SourceFile {
                    path: p.to_string(),
                    text: read(Path::new(p)),
                })
                .collect();
            let dirpath = tpath.parent().unwrap().to_path_buf();
            let resolve = |rel: &str| std::fs::read_to_string(dirpath.join(rel)).ok();
            let result = check_template(&source, &psources, &resolve, &options);
            for f in &result.files {
                if let Some(err) = &f.error {
                    failures.push(format!("{}: unreadable: {}", f.path, err.message));
                }
            }
            let mut got: BTreeMap<u32, Vec<String>> = BTreeMap::new();
            for f in result.findings.iter().filter(|f| f.code == code) {
                got.entry(f.range.start.line)
                    .or_default()
                    .push(f.message.clone());
            }
            let mut want: BTreeMap<u32, usize> = BTreeMap::new();
            for e in &expected {
                assert_eq!(
                    e.code,
                    code,
                    "{}: expected code in the wrong directory",
                    expected_path.display()
                );
                *want.entry(e.line).or_default() += 1;
                if let Some(fragment) = &e.message_contains {
                    let ok = got
                        .get(&e.line)
                        .is_some_and(|msgs| msgs.iter().any(|m| m.contains(fragment.as_str())));
                    if !ok {
                        failures.push(format!(
                            "{template}: {code} at line {} should say '{fragment}', got {:?}",
                            e.line,
                            got.get(&e.line)
                        ));
                    }
                }
            }
            let got_lines: BTreeMap<u32, usize> = got.iter().map(|(l, m)| (*l, m.len())).collect();
            if got_lines != want {
                failures.push(format!(
                    "{template}: {code} expected at lines {want:?}, found {got:?}"
                ));
            }
            checked += 1;
        }
    }
    assert!(checked > 0, "no fixtures found under {}", root.display());
    assert!(
        failures.is_empty(),
        "{} of {checked} fixtures differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_rule_of_the_list_has_fixtures_and_every_fixture_a_rule() {
    let root = fixtures_root();
    let mut problems = Vec::new();
    for rule in idguard_core::catalog::RULES {
        let dir = root.join(rule.code);
        let names: Vec<String> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().to_string())
                    .collect()
            })
            .unwrap_or_default();
        for kind in ["invalid-", "valid-"] {
            if !names
                .iter()
                .any(|n| n.starts_with(kind) && n.ends_with(".findings.json"))
            {
                problems.push(format!(
                    "{}: no {kind}* fixture in {}",
                    rule.code,
                    dir.display()
                ));
            }
        }
    }
    for entry in std::fs::read_dir(&root).expect("tests/fixtures/rules exists") {
        let path = entry.expect("a readable entry").path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() && !idguard_core::catalog::RULES.iter().any(|r| r.code == name) {
            problems.push(format!("{}: not a rule of the list", path.display()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
