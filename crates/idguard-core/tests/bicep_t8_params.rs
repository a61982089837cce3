//! T8 (BICEP.md §6.3): `.bicepparam` files. For every Bicep parameter-file
//! baseline with a compiled `parameters.json`, the lowered parameters
//! document, read as idguard reads a parameter file, gives each parameter
//! the value `parameters.json` has; a Key Vault `reference` stays a
//! reference (never read out) with the same vault ID and secret; what
//! Bicep reads on the build machine (`readEnvironmentVariable()`) and
//! `externalInput()` (an `expression` in `parameters.json`) stay unknown.
//! Differences must be listed (as `<baseline>/<parameter>`) in
//! `tests/bicep/pairs-expected.tsv`.
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeMap;

use idguard_core::bicep::params::lower_bicepparam;
use idguard_core::template::Supplied;
use idguard_core::template::context::parameter_file_values;
use serde_json::Value;

mod bicep_support;
use bicep_support::{Expected, read, read_json};

#[test]
fn bicepparam_values_equal_compiled_parameters() {
    let Some(baselines) = bicep_support::baselines() else {
        return;
    };
    let mut dirs: Vec<_> = std::fs::read_dir(baselines.join("baselines_bicepparam"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("parameters.json").is_file())
        // Deliberately invalid samples: Bicep does not compile them.
        .filter(|p| {
            !p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("Invalid_"))
        })
        .collect();
    dirs.sort();
    let mut failures = BTreeMap::new();
    let (mut values, mut references, mut unknown) = (0, 0, 0);
    for dir in &dirs {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let text = read(&dir.join("parameters.bicepparam"));
        let load = |p: &str| -> Option<String> {
            let f = dir.join(p);
            f.is_file().then(|| read(&f))
        };
        let lowered = lower_bicepparam(&text, &load);
        let Some(compiled) = read_json(&dir.join("parameters.json")) else {
            continue;
        };
        let ours = parameter_file_values(&lowered.doc);
        let theirs = compiled
            .get("parameters")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for (param, spec) in &theirs {
            let key = format!("{name}/{param}");
            let got = ours.get(&param.to_ascii_lowercase());
            if let Some(v) = spec.get("value") {
                match got {
                    Some((Supplied::Value(val), _)) if val.is_unknown() => {
                        failures.insert(key, format!("unknown ({val:?}), compiled {v}"));
                    }
                    Some((Supplied::Value(val), _)) => {
                        let val = val.to_json_lossy();
                        if val == *v {
                            values += 1;
                        } else {
                            let mut diffs = Vec::new();
                            leaf_differences(&val, v, "", &mut diffs);
                            failures.insert(key, diffs.join("; "));
                        }
                    }
                    other => {
                        failures.insert(key, format!("{other:?}, compiled value {v}"));
                    }
                }
            } else if let Some(r) = spec.get("reference") {
                // The reference as written in the lowered document.
                let written = lowered
                    .doc
                    .get(lowered.doc.root(), "parameters")
                    .and_then(|p| lowered.doc.get(p, param))
                    .and_then(|p| lowered.doc.get(p, "reference"))
                    .map(|n| idguard_core::bicep::params::evaluate_value(&lowered.doc, n))
                    .map(|v| v.to_json_lossy());
                match got {
                    Some((Supplied::KeyVault, _)) if written.as_ref() == Some(r) => references += 1,
                    other => {
                        failures.insert(
                            key,
                            format!("{other:?} / {written:?}, compiled reference {r}"),
                        );
                    }
                }
            } else if spec.get("expression").is_some() {
                match got {
                    Some((Supplied::Value(val), _)) if has_unknown(&val.to_json_lossy()) => {
                        unknown += 1
                    }
                    other => {
                        failures.insert(key, format!("{other:?}, compiled an external input"));
                    }
                }
            }
        }
        for k in ours.keys() {
            if !theirs.keys().any(|t| t.eq_ignore_ascii_case(k)) {
                failures.insert(
                    format!("{name}/{k}"),
                    "not in the compiled parameters".into(),
                );
            }
        }
    }
    eprintln!(
        "T8: {} baselines; {values} values equal, {references} Key Vault references equal, {unknown} external inputs unknown; {} differ",
        dirs.len(),
        failures.len()
    );
    Expected::load().check("T8", &failures);
}

fn has_unknown(v: &Value) -> bool {
    match v {
        Value::Object(o) => o.contains_key("$unknown") || o.values().any(has_unknown),
        Value::Array(a) => a.iter().any(has_unknown),
        _ => false,
    }
}

/// The paths where `ours` and `theirs` differ (an unknown is reported as
/// such).
fn leaf_differences(ours: &Value, theirs: &Value, path: &str, out: &mut Vec<String>) {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) if !a.contains_key("$unknown") => {
            for (k, bv) in b {
                let p = format!("{path}.{k}");
                match a.get(k) {
                    Some(av) => leaf_differences(av, bv, &p, out),
                    None => out.push(format!("{p} missing")),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (av, bv)) in a.iter().zip(b).enumerate() {
                leaf_differences(av, bv, &format!("{path}[{i}]"), out);
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push(format!("{path}: {a} != compiled {b}")),
    }
}
