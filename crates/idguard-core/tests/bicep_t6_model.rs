//! T6 (BICEP.md §6.3): model parity. On every corpus compile pair, the
//! identity model of the evaluated `.bicep` equals that of the compiled
//! JSON (symbolic-name JSON when there is one): identities, system-assigned
//! identities, attachments, role assignments (principal and via, role,
//! scope, scope level, target, principal type), custom roles, settings and
//! other principal uses — with locations left out and records referring to
//! resources by what they are (type, name, loop index, deployment) instead
//! of by index. Modules are read from the corpus when their source is
//! there and otherwise borrowed: the resolver hands back the template the
//! compiled JSON holds for that module (registry modules always).
//! Differences must be listed in `tests/bicep/pairs-expected.tsv`.
//!
//! `IDGUARD_T6_DETAIL=1` prints the first differences of every pair.
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeMap;

use idguard_core::api::{CheckOptions, SourceFile, model_json};
use idguard_core::policy::Policy;
use serde_json::{Value, json};

mod bicep_support;
use bicep_support::{Expected, Manifest, Pair, Resolver, pairs, read, read_json};

/// A resource by what it is: type, name, loop index, and the chain of
/// deployment names it is deployed through.
fn resource_key(model: &Value, index: Option<u64>) -> Value {
    let Some(r) = index.and_then(|i| model.pointer(&format!("/resources/{i}"))) else {
        return Value::Null;
    };
    let mut chain = Vec::new();
    let mut d = r.get("deployment").and_then(Value::as_u64);
    let mut guard = 0;
    while let Some(di) = d {
        guard += 1;
        if guard > 64 {
            break;
        }
        let Some(dep) = model.pointer(&format!("/deployments/{di}")) else {
            break;
        };
        if let Some(ri) = dep.get("resource").and_then(Value::as_u64)
            && let Some(res) = model.pointer(&format!("/resources/{ri}"))
        {
            chain.push(json!([res.get("name"), res.get("copyIndex")]));
        }
        d = dep.get("parent").and_then(Value::as_u64);
    }
    chain.reverse();
    json!({
        "type": r.get("type").and_then(Value::as_str).map(str::to_ascii_lowercase),
        "name": r.get("name"),
        "copyIndex": r.get("copyIndex"),
        "deployments": chain,
    })
}

fn identity_key(model: &Value, index: Option<u64>) -> Value {
    let Some(id) = index.and_then(|i| model.pointer(&format!("/identities/{i}"))) else {
        return Value::Null;
    };
    resource_key(model, id.get("resource").and_then(Value::as_u64))
}

fn principal(model: &Value, p: &Value) -> Value {
    let kind = p.get("kind").and_then(Value::as_str).unwrap_or("");
    let via = p.get("via").cloned().unwrap_or(Value::Null);
    match kind {
        "identity" => json!({"kind": kind, "via": via,
            "identity": identity_key(model, p.get("identity").and_then(Value::as_u64))}),
        "systemAssigned" => json!({"kind": kind, "via": via,
            "resource": resource_key(model, p.get("resource").and_then(Value::as_u64))}),
        _ => p.clone(),
    }
}

fn role(model: &Value, r: &Value) -> Value {
    let mut r = r.clone();
    if let Some(i) = r.get("customRole").and_then(Value::as_u64) {
        let res = model
            .pointer(&format!("/customRoles/{i}/resource"))
            .and_then(Value::as_u64);
        if let Some(obj) = r.as_object_mut() {
            obj.insert("customRole".into(), resource_key(model, res));
        }
    }
    r
}

/// The parts of a model T6 compares, sorted so that order does not matter.
fn normalize(model: &Value) -> Value {
    let list = |k: &str| {
        model
            .get(k)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let idx = |v: &Value, k: &str| v.get(k).and_then(Value::as_u64);
    let sorted = |mut v: Vec<Value>| {
        v.sort_by_key(|x| x.to_string());
        Value::Array(v)
    };
    let identities = list("identities")
        .iter()
        .map(|i| {
            json!({
                "resource": resource_key(model, idx(i, "resource")),
                "existing": i.get("existing"),
                "environment": i.get("environment"),
            })
        })
        .collect();
    let system = list("systemIdentities")
        .iter()
        .map(|s| resource_key(model, idx(s, "resource")))
        .collect();
    let attachments = list("attachments")
        .iter()
        .map(|a| {
            json!({
                "workload": resource_key(model, idx(a, "workload")),
                "identity": identity_key(model, idx(a, "identity")),
                // ARM IDs are case-insensitive, and Bicep writes types in
                // the casing of its type catalogue, not as the source does.
                "key": lower(a.get("key")),
            })
        })
        .collect();
    let assignments = list("roleAssignments")
        .iter()
        .map(|a| {
            json!({
                "resource": resource_key(model, idx(a, "resource")),
                "name": a.get("name"),
                "principal": principal(model, a.get("principal").unwrap_or(&Value::Null)),
                "role": role(model, a.get("role").unwrap_or(&Value::Null)),
                "scope": lower(a.get("scope")),
                "scopeLevel": a.get("scopeLevel"),
                "target": resource_key(model, idx(a, "target")),
                "principalType": a.get("principalType"),
            })
        })
        .collect();
    let custom = list("customRoles")
        .iter()
        .map(|c| {
            json!({
                "resource": resource_key(model, idx(c, "resource")),
                "id": c.get("id"),
                "roleName": c.get("roleName"),
                "actions": strip_sources(c.get("actions")),
                "dataActions": strip_sources(c.get("dataActions")),
                "assignableScopes": strip_sources(c.get("assignableScopes")),
            })
        })
        .collect();
    let settings = list("settings")
        .iter()
        .map(|s| {
            let mut s = strip_sources(Some(s));
            if let Some(o) = s.as_object_mut() {
                for k in ["resource", "workload"] {
                    let r = o.get(k).and_then(Value::as_u64);
                    o.insert(k.into(), resource_key(model, r));
                }
            }
            s
        })
        .collect();
    let uses = list("principalUses")
        .iter()
        .map(|u| {
            json!({
                "resource": resource_key(model, idx(u, "resource")),
                "what": u.get("what"),
                "principal": principal(model, u.get("principal").unwrap_or(&Value::Null)),
            })
        })
        .collect();
    json!({
        "identities": sorted(identities),
        "systemIdentities": sorted(system),
        "attachments": sorted(attachments),
        "roleAssignments": sorted(assignments),
        "customRoles": sorted(custom),
        "settings": sorted(settings),
        "principalUses": sorted(uses),
    })
}

/// Strings (and `$unknown` displays) lowercased.
fn lower(v: Option<&Value>) -> Value {
    match v {
        Some(Value::String(s)) => Value::String(s.to_ascii_lowercase()),
        Some(Value::Object(o)) => {
            Value::Object(o.iter().map(|(k, v)| (k.clone(), lower(Some(v)))).collect())
        }
        Some(other) => other.clone(),
        None => Value::Null,
    }
}

/// A value with every `source` member (locations) removed.
fn strip_sources(v: Option<&Value>) -> Value {
    match v {
        Some(Value::Object(o)) => Value::Object(
            o.iter()
                .filter(|(k, _)| !k.ends_with("ource") && *k != "range")
                .map(|(k, v)| (k.clone(), strip_sources(Some(v))))
                .collect(),
        ),
        Some(Value::Array(a)) => Value::Array(a.iter().map(|v| strip_sources(Some(v))).collect()),
        Some(other) => other.clone(),
        None => Value::Null,
    }
}

/// The first few differing entries between two normalized models.
fn differences(a: &Value, b: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        return out;
    };
    for (k, av) in a {
        let bv = b.get(k).cloned().unwrap_or(Value::Null);
        if *av == bv {
            continue;
        }
        let (aa, ba) = (
            av.as_array().cloned().unwrap_or_default(),
            bv.as_array().cloned().unwrap_or_default(),
        );
        for x in aa.iter().filter(|x| !ba.contains(x)).take(2) {
            out.push(format!("{k}: bicep only {x}"));
        }
        for x in ba.iter().filter(|x| !aa.contains(x)).take(2) {
            out.push(format!("{k}: json only {x}"));
        }
    }
    out
}

pub fn models(pair: &Pair, manifest: &Manifest, borrow_only: bool) -> (Value, Value, bool) {
    let policy = Policy::default_policy();
    let options = CheckOptions {
        policy: &policy,
        today: None,
    };
    let compiled_path = pair.symbolic.clone().unwrap_or_else(|| pair.json.clone());
    let compiled = read_json(&pair.json).unwrap_or(Value::Null);
    let resolver = Resolver::new(manifest, pair, &compiled, borrow_only);
    let json = SourceFile {
        path: compiled_path.display().to_string(),
        text: read(&compiled_path),
    };
    let bicep = SourceFile {
        path: pair.bicep.display().to_string(),
        text: read(&pair.bicep),
    };
    let mj = model_json(&json, &[], &|_| None, &options);
    let mb = model_json(&bicep, &[], &|p| resolver.resolve(p), &options);
    let symbolic = read_json(&compiled_path)
        .and_then(|v| v.get("resources").map(Value::is_object))
        .unwrap_or(false);
    (
        mb.first().cloned().unwrap_or(Value::Null),
        mj.first().cloned().unwrap_or(Value::Null),
        symbolic,
    )
}

#[test]
fn model_of_bicep_equals_model_of_compiled_json() {
    let Some(corpus) = bicep_support::corpus() else {
        return;
    };
    let manifest = Manifest::load(&corpus);
    let detail = std::env::var("IDGUARD_T6_DETAIL").is_ok();
    let only = std::env::var("IDGUARD_T6_ONLY").ok();
    let pairs = pairs(&corpus);
    let mut failures = BTreeMap::new();
    let mut with_identity_content = 0;
    for pair in &pairs {
        if only.as_deref().is_some_and(|o| !pair.name.contains(o)) {
            continue;
        }
        let (mb, mj, _) = models(pair, &manifest, false);
        let (nb, nj) = (normalize(&mb), normalize(&mj));
        if nj.as_object().is_some_and(|o| {
            o.values()
                .any(|v| v.as_array().is_some_and(|a| !a.is_empty()))
        }) {
            with_identity_content += 1;
        }
        if nb != nj {
            let diffs = differences(&nb, &nj);
            if detail {
                eprintln!("== {}\n  {}", pair.name, diffs.join("\n  "));
            }
            failures.insert(
                pair.name.clone(),
                diffs.first().cloned().unwrap_or_default(),
            );
        }
    }
    eprintln!(
        "T6: {} pairs ({} with identity content), {} differ",
        pairs.len(),
        with_identity_content,
        failures.len()
    );
    if only.is_none() {
        Expected::load().check("T6", &failures);
    }
}
