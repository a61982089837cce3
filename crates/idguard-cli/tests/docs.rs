//! `docs/rules/` is generated from the rules' doc comments. This test fails
//! when it is out of date; `UPDATE_DOCS=1 cargo test -p idguard-cli --test
//! docs` rewrites it.

use std::path::Path;

use idguard_core::rules::registry;

fn index() -> String {
    let mut out = String::from(
        "<!-- Generated from the rules' doc comments. Do not edit: run `UPDATE_DOCS=1 cargo test -p idguard-cli --test docs`. -->\n\n# Rules\n\n| Code | Name | Default level | What it flags |\n|---|---|---|---|\n",
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

#[test]
fn rule_docs_are_up_to_date() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules");
    let mut expected: Vec<(String, String)> = registry()
        .iter()
        .map(|m| (format!("{}.md", m.code), m.doc_page()))
        .collect();
    expected.push(("README.md".into(), index()));
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in &expected {
            std::fs::write(dir.join(name), text).unwrap();
        }
        return;
    }
    let mut stale = Vec::new();
    for (name, text) in &expected {
        let current = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        if &current != text {
            stale.push(name.clone());
        }
    }
    assert!(
        stale.is_empty(),
        "docs/rules is out of date ({}): run `UPDATE_DOCS=1 cargo test -p idguard-cli --test docs`",
        stale.join(", ")
    );
}
