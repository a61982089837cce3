//! Truncation (BICEP.md §5.3, T4 for the lowering): every corpus `.bicep`
//! cut after every line, as an editor sees a file being typed. The
//! lowering never panics, and every declaration that ends before the cut
//! lowers as in the whole file: exactly, when it names nothing declared
//! after the cut; otherwise (a reference to something not typed yet) its
//! resources keep their type, API version, `existing`, condition and loop.
//!
//! Optimized builds (or `IDGUARD_FULL_TRUNCATION=1`) cut after every line;
//! unoptimized ones at up to 40 evenly spaced lines per file.
#![allow(clippy::disallowed_methods)]

use idguard_bicep::ast::Statement;
use idguard_core::bicep::lower_bicep;
use serde_json::Value;

mod bicep_support;

fn line_ends(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    for (i, c) in b.iter().enumerate() {
        match c {
            b'\n' => out.push(i + 1),
            b'\r' if b.get(i + 1) != Some(&b'\n') => out.push(i + 1),
            _ => {}
        }
    }
    out
}

fn mentions(text: &str, name: &str) -> bool {
    let bytes = text.as_bytes();
    let is_ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    text.match_indices(name).any(|(i, _)| {
        let before = i.checked_sub(1).and_then(|j| bytes.get(j)).copied();
        let after = bytes.get(i + name.len()).copied();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// What must stay when a declaration references something not typed yet.
fn resource_shape(r: &Value) -> Value {
    serde_json::json!({
        "type": r.get("type"),
        "apiVersion": r.get("apiVersion"),
        "existing": r.get("existing"),
        "condition": r.get("condition").is_some(),
        "copy": r.get("copy").is_some(),
    })
}

fn lowered(text: &str) -> Value {
    let l = lower_bicep(text, &|_| None);
    l.doc.to_json(l.doc.root())
}

#[test]
fn every_corpus_file_cut_after_every_line() {
    let Some(corpus) = bicep_support::corpus() else {
        return;
    };
    let full_run = !cfg!(debug_assertions) || std::env::var_os("IDGUARD_FULL_TRUNCATION").is_some();
    let mut files = Vec::new();
    for dir in std::fs::read_dir(&corpus).into_iter().flatten().flatten() {
        for f in std::fs::read_dir(dir.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            if f.path().extension().is_some_and(|e| e == "bicep") {
                files.push(f.path());
            }
        }
    }
    files.sort();
    assert_eq!(files.len(), 832);
    let (mut cuts, mut exact, mut shaped) = (0usize, 0usize, 0usize);
    let mut failures = Vec::new();
    for path in &files {
        let text = bicep_support::read(path);
        let whole = lowered(&text);
        let parsed = idguard_bicep::parse_bicep(&text);
        let mut ends = line_ends(&text);
        if !full_run && ends.len() > 40 {
            let step = ends.len() as f64 / 40.0;
            ends = (0..40).map(|i| ends[(i as f64 * step) as usize]).collect();
        }
        for cut in ends {
            cuts += 1;
            let prefix = &text[..cut];
            let part = lowered(prefix);
            // Names declared at or after the cut (or cut through).
            let later: Vec<&str> = parsed
                .program
                .statements
                .iter()
                .filter(|s| s.span().end as usize > cut)
                .filter_map(|s| s.name().and_then(|n| n.name))
                .collect();
            for s in &parsed.program.statements {
                if s.span().end as usize > cut {
                    continue;
                }
                let stmt_text = &text[s.span().start as usize..s.span().end as usize];
                let independent = !later.iter().any(|n| mentions(stmt_text, n));
                let (section, keys): (&str, Vec<String>) = match s {
                    Statement::Param(p) => ("parameters", vec![p.name.as_str().into()]),
                    Statement::Output(o) => ("outputs", vec![o.name.as_str().into()]),
                    Statement::Var(v) if !matches!(v.value, idguard_bicep::ast::Expr::For(_)) => {
                        ("variables", vec![v.name.as_str().into()])
                    }
                    Statement::Module(m) => ("resources", vec![m.name.as_str().into()]),
                    Statement::Resource(r) => {
                        let mut keys = vec![r.name.as_str().to_string()];
                        idguard_bicep::visit::walk_resources(&parsed.program, |anc, n| {
                            if anc.first().is_some_and(|a| std::ptr::eq(*a, &**r)) {
                                let mut k: Vec<&str> =
                                    anc.iter().map(|a| a.name.as_str()).collect();
                                k.push(n.name.as_str());
                                keys.push(k.join("::"));
                            }
                        });
                        ("resources", keys)
                    }
                    _ => continue,
                };
                for key in keys {
                    let a = part.get(section).and_then(|x| x.get(&key));
                    let b = whole.get(section).and_then(|x| x.get(&key));
                    let same = if independent {
                        a == b
                    } else if section == "resources" {
                        a.map(resource_shape) == b.map(resource_shape)
                    } else {
                        a.is_some() == b.is_some()
                    };
                    if independent {
                        exact += 1;
                    } else {
                        shaped += 1;
                    }
                    if !same && failures.len() < 20 {
                        failures.push(format!(
                            "{} cut at byte {cut}: {section}/{key} differs\n  prefix: {}\n  whole:  {}",
                            path.display(),
                            a.map(Value::to_string).unwrap_or_default(),
                            b.map(Value::to_string).unwrap_or_default()
                        ));
                    }
                }
            }
        }
    }
    eprintln!(
        "truncation: {} files, {cuts} cuts; {exact} declarations compared exactly, {shaped} by shape (they name something after the cut)",
        files.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
