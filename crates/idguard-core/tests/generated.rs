//! Files made from the list of rules (`crates/idguard-core/src/catalog.rs`)
//! and the rules' doc comments, kept in the repository so that they read on
//! GitHub and ship in packages:
//!
//! - `docs/rules/<CODE>.md`, one page per rule, and `docs/rules/README.md`;
//! - the rules table of `README.md` (between its two markers);
//! - in `policies/policy.schema.json`, the `rules` properties and the
//!   exemption `rule` enum (the rest of the schema is written by hand).
//!
//! The test fails when one of them is out of date, or when `docs/rules/`
//! holds the page of a rule that is no longer in the list.
//! `UPDATE_GENERATED=1 cargo test -p idguard-core --test generated`
//! rewrites them (and deletes such pages).

// Tests read and write the repository; the no-I/O rule is for the library.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};

use idguard_core::rules::{RuleMeta, registry};
use serde_json::{Map, Value, json};

/// The command that brings every generated file up to date.
const REGENERATE: &str = "UPDATE_GENERATED=1 cargo test -p idguard-core --test generated";

/// First and last line of the generated part of `README.md`.
const README_START: &str = "<!-- rules table: generated from the list of rules (crates/idguard-core/src/catalog.rs); do not edit, run `UPDATE_GENERATED=1 cargo test -p idguard-core --test generated` -->";
const README_END: &str = "<!-- end of the generated rules table -->";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `docs/rules/<CODE>.md`.
fn rule_page(m: &RuleMeta) -> String {
    format!(
        "<!-- Generated from the rule's doc comment in crates/idguard-core/src/rules/. Do not edit: run `{REGENERATE}`. -->\n\n# {code} {name}\n\n| | |\n|---|---|\n| Code | `{code}` |\n| Name | `{name}` |\n| Family | {family} |\n| Default level | {level} |\n\n{summary}.\n\n{body}",
        code = m.code,
        name = m.name,
        family = m.family.name,
        level = m.default_level.as_str(),
        summary = upper_first(m.summary),
        body = m.markdown(),
    )
}

/// `docs/rules/README.md`.
fn rules_index() -> String {
    let mut out = format!(
        "<!-- Generated from the rules' doc comments. Do not edit: run `{REGENERATE}`. -->\n\n# Rules\n\n| Code | Name | Default level | What it flags |\n|---|---|---|---|\n"
    );
    for m in registry() {
        out.push_str(&format!(
            "| [{code}]({code}.md) | `{name}` | {level} | {summary} |\n",
            code = m.code,
            name = m.name,
            level = m.default_level.as_str(),
            summary = m.summary.replace('|', "\\|"),
        ));
    }
    out
}

/// `README.md` with its rules table made from the list.
fn readme(current: &str) -> String {
    let (Some(start), Some(end)) = (current.find(README_START), current.find(README_END)) else {
        panic!("README.md lacks the rules table markers:\n{README_START}\n…\n{README_END}");
    };
    assert!(
        start < end,
        "README.md: the rules table markers are out of order"
    );
    let mut table = String::from("\n\n| Code | Name | Default |\n|---|---|---|\n");
    for m in registry() {
        table.push_str(&format!(
            "| {} | {} | {} |\n",
            m.code,
            m.name,
            m.default_level.as_str()
        ));
    }
    table.push('\n');
    format!(
        "{}{table}{}",
        &current[..start + README_START.len()],
        &current[end..]
    )
}

/// `policies/policy.schema.json` with its rule parts made from the list:
/// a property per code and per name under `rules`, and the codes and names
/// an exemption may give.
fn schema(current: &str) -> String {
    let mut schema: Value = serde_json::from_str(current)
        .unwrap_or_else(|e| panic!("policies/policy.schema.json is not JSON: {e}"));
    let mut properties = Map::new();
    for m in registry() {
        properties.insert(
            m.code.to_string(),
            json!({
                "$ref": "#/$defs/level",
                "description": format!(
                    "{}: {}. Default level: {}.",
                    m.name,
                    upper_first(m.summary),
                    m.default_level.as_str()
                ),
            }),
        );
    }
    for m in registry() {
        properties.insert(
            m.name.to_string(),
            json!({
                "$ref": "#/$defs/level",
                "description": format!(
                    "{} ({}): {}. Default level: {}. Same as setting '{}'.",
                    m.code,
                    m.name,
                    upper_first(m.summary),
                    m.default_level.as_str(),
                    m.code
                ),
            }),
        );
    }
    let mut exemption_rules = vec![Value::from("*")];
    exemption_rules.extend(registry().iter().map(|m| Value::from(m.code)));
    exemption_rules.extend(registry().iter().map(|m| Value::from(m.name)));
    for (pointer, value) in [
        ("/properties/rules/properties", Value::Object(properties)),
        (
            "/$defs/exemption/properties/rule/else/enum",
            Value::Array(exemption_rules),
        ),
    ] {
        let slot = schema.pointer_mut(pointer).unwrap_or_else(|| {
            panic!("policies/policy.schema.json has no {pointer} for the generated rule list")
        });
        *slot = value;
    }
    let mut text = serde_json::to_string_pretty(&schema).expect("a JSON value serializes");
    text.push('\n');
    text
}

/// Every generated file with what it should hold; `None`: it should not
/// exist.
fn expected() -> Vec<(PathBuf, Option<String>)> {
    let repo = repo();
    let rules_dir = repo.join("docs/rules");
    let mut files: Vec<(PathBuf, Option<String>)> = registry()
        .iter()
        .map(|m| (rules_dir.join(format!("{}.md", m.code)), Some(rule_page(m))))
        .collect();
    files.push((rules_dir.join("README.md"), Some(rules_index())));
    // Pages of rules that left the list.
    let mut stale: Vec<PathBuf> = std::fs::read_dir(&rules_dir)
        .unwrap_or_else(|e| panic!("{}: {e}", rules_dir.display()))
        .map(|entry| entry.expect("a readable entry of docs/rules").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .filter(|p| !files.iter().any(|(f, _)| f == p))
        .collect();
    stale.sort();
    files.extend(stale.into_iter().map(|p| (p, None)));
    let readme_path = repo.join("README.md");
    let readme_text = readme(&read(&readme_path));
    files.push((readme_path, Some(readme_text)));
    let schema_path = repo.join("policies/policy.schema.json");
    let schema_text = schema(&read(&schema_path));
    files.push((schema_path, Some(schema_text)));
    files
}

#[test]
fn generated_files_are_up_to_date() {
    let files = expected();
    if std::env::var_os("UPDATE_GENERATED").is_some() {
        for (path, content) in &files {
            match content {
                Some(text) => std::fs::write(path, text),
                None => std::fs::remove_file(path),
            }
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
        return;
    }
    let repo = repo();
    let mut stale = Vec::new();
    for (path, content) in &files {
        let current = std::fs::read_to_string(path).ok();
        if current != *content {
            let shown = path.strip_prefix(&repo).unwrap_or(path).display();
            stale.push(match content {
                Some(_) => format!("{shown}"),
                None => format!("{shown} (no longer a rule: delete it)"),
            });
        }
    }
    assert!(
        stale.is_empty(),
        "generated files are out of date: {}\nrun `{REGENERATE}`",
        stale.join(", ")
    );
}

#[test]
fn the_readme_table_is_replaced_not_appended() {
    let text = format!("# x\n\n{README_START}\nold table\n{README_END}\nafter\n");
    let once = readme(&text);
    assert!(!once.contains("old table"));
    assert!(once.ends_with(&format!("{README_END}\nafter\n")));
    assert_eq!(readme(&once), once, "regenerating is stable");
    for m in registry() {
        assert!(once.contains(&format!("| {} | {} |", m.code, m.name)));
    }
}
