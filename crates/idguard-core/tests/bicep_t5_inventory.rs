//! T5 (BICEP.md §6.3): the lowering inventory. On every corpus pair of a
//! `.bicep` and the JSON Bicep compiled from it, the resources the lowering
//! writes equal those of the compiled template: type, API version,
//! symbolic name, `existing`, whether there is a condition and a copy
//! loop, and the kind of scope. Against the symbolic-name JSON
//! (`main.symbolicnames.json`, or `main.json` when it is symbolic) by
//! symbol; against classic JSON as a multiset, `existing` resources left
//! out (classic JSON drops them). Differences must be listed, with a
//! reason, in `tests/bicep/pairs-expected.tsv`.
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeMap;

use serde_json::Value;

mod bicep_support;
use bicep_support::{Expected, Pair, pairs, read, read_json};

/// What the inventory compares about one resource.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Inv {
    ty: String,
    api: String,
    existing: bool,
    condition: bool,
    copy: bool,
    scope: &'static str,
}

fn inventory(r: &Value) -> Inv {
    let s = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let has = |k: &str| r.get(k).is_some();
    let scope = match (has("scope"), has("subscriptionId"), has("resourceGroup")) {
        (true, _, _) => "scope",
        (false, true, true) => "subscription+resourceGroup",
        (false, true, false) => "subscription",
        (false, false, true) => "resourceGroup",
        _ => "",
    };
    let ty = s("type").to_ascii_lowercase();
    // The API version Bicep gives module deployments changed with its
    // versions (2020-10-01, 2022-09-01, 2025-04-01); the corpus JSON comes
    // from 30+ compiler versions.
    let api = if ty == "microsoft.resources/deployments" {
        String::new()
    } else {
        s("apiVersion")
    };
    Inv {
        // ARM compares types case-insensitively; compilers differ in case.
        ty,
        api,
        existing: r.get("existing").and_then(Value::as_bool).unwrap_or(false),
        condition: has("condition"),
        copy: has("copy"),
        scope,
    }
}

fn lowered(pair: &Pair) -> Value {
    let text = read(&pair.bicep);
    let l = idguard_core::bicep::lower_bicep(&text, &|_| None);
    l.doc.to_json(l.doc.root())
}

/// The differences between the lowered and the compiled inventories.
fn compare(ours: &Value, compiled: &Value) -> Option<String> {
    let ours_res = ours.get("resources").and_then(Value::as_object)?;
    match compiled.get("resources") {
        Some(Value::Object(theirs)) => {
            let a: BTreeMap<&String, Inv> =
                ours_res.iter().map(|(k, v)| (k, inventory(v))).collect();
            let b: BTreeMap<&String, Inv> = theirs.iter().map(|(k, v)| (k, inventory(v))).collect();
            if a == b {
                return None;
            }
            let mut diffs = Vec::new();
            for (k, v) in &a {
                match b.get(k) {
                    None => diffs.push(format!("extra {k}")),
                    Some(w) if w != v => diffs.push(format!("{k}: ours {v:?} compiled {w:?}")),
                    _ => {}
                }
            }
            for k in b.keys() {
                if !a.contains_key(k) {
                    diffs.push(format!("missing {k}"));
                }
            }
            Some(diffs.join("; "))
        }
        Some(Value::Array(theirs)) => {
            let mut a: Vec<Inv> = ours_res
                .values()
                .map(inventory)
                .filter(|i| !i.existing)
                .collect();
            let mut b: Vec<Inv> = theirs.iter().map(inventory).collect();
            a.sort();
            b.sort();
            if a == b {
                return None;
            }
            let extra: Vec<_> = a.iter().filter(|x| !b.contains(x)).collect();
            let missing: Vec<_> = b.iter().filter(|x| !a.contains(x)).collect();
            Some(format!(
                "classic: ours only {extra:?}; compiled only {missing:?}"
            ))
        }
        _ => Some("compiled JSON has no resources".into()),
    }
}

#[test]
fn lowering_inventory_matches_compiled_json() {
    let Some(corpus) = bicep_support::corpus() else {
        return;
    };
    let pairs = pairs(&corpus);
    assert_eq!(pairs.len(), 692, "the corpus has 692 compile pairs");
    let mut failures = BTreeMap::new();
    let mut symbolic = 0;
    for pair in &pairs {
        let ours = lowered(pair);
        // Symbolic JSON when there is one: it keeps `existing` resources
        // and symbols.
        let compiled = pair
            .symbolic
            .as_ref()
            .and_then(|p| read_json(p))
            .or_else(|| read_json(&pair.json));
        let Some(compiled) = compiled else {
            failures.insert(pair.name.clone(), "compiled JSON unreadable".into());
            continue;
        };
        if compiled.get("resources").is_some_and(Value::is_object) {
            symbolic += 1;
        }
        if let Some(diff) = compare(&ours, &compiled) {
            failures.insert(pair.name.clone(), diff);
        }
    }
    eprintln!(
        "T5: {} pairs ({symbolic} against symbolic JSON), {} differ",
        pairs.len(),
        failures.len()
    );
    Expected::load().check("T5", &failures);
}
