//! T9 (BICEP.md §6.3): one small `.bicep` per group of constructs of
//! BICEP.md §3 (`tests/bicep/constructs/*.bicep`), each with the template
//! it lowers to (`<name>.lowered.json`, reviewed by hand against Bicep's
//! `TemplateWriter`/`ExpressionConverter`), plus its syntax diagnostics,
//! notes, incomplete resources and module list. `IDGUARD_BLESS=1`
//! rewrites the expected files (review the diff).
#![allow(clippy::disallowed_methods)]

use std::path::Path;

use serde_json::{Value, json};

fn snapshot(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    let dir = path.parent().unwrap().to_path_buf();
    let load = move |p: &str| -> Option<String> { std::fs::read_to_string(dir.join(p)).ok() };
    let l = idguard_core::bicep::lower_bicep(&text, &load);
    let doc = &l.doc;
    let incomplete: Vec<String> = doc
        .get(doc.root(), "resources")
        .map(|r| {
            doc.members(r)
                .iter()
                .filter(|m| doc.is_incomplete(m.value))
                .map(|m| m.key.to_string())
                .collect()
        })
        .unwrap_or_default();
    json!({
        "template": doc.to_json(doc.root()),
        "diagnostics": l.diagnostics.iter().map(|d| format!("{} {}", d.code, d.message)).collect::<Vec<_>>(),
        "notes": l.notes.iter().map(|n| n.message.clone()).collect::<Vec<_>>(),
        "incomplete": incomplete,
        "modules": l.modules.iter().map(|m| json!([m.symbol, m.path])).collect::<Vec<_>>(),
        "suppressions": doc.line_suppressions().iter().map(|s| json!([s.line, s.codes, s.reason])).collect::<Vec<_>>(),
    })
}

#[test]
fn each_construct_lowers_as_reviewed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bicep/constructs");
    let bless = std::env::var("IDGUARD_BLESS").is_ok();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "bicep"))
        .collect();
    files.sort();
    assert!(files.len() >= 8);
    let mut failed = Vec::new();
    for f in &files {
        let got = snapshot(f);
        let expected_path = f.with_extension("lowered.json");
        let text = serde_json::to_string_pretty(&got).unwrap() + "\n";
        if bless {
            std::fs::write(&expected_path, &text).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != text {
            failed.push(f.display().to_string());
        }
    }
    assert!(
        failed.is_empty(),
        "lowered differently than reviewed (IDGUARD_BLESS=1 rewrites; review the diff): {failed:?}"
    );
}
