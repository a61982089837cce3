//! Hostile input to the Bicep path: any bytes, deep nesting, names that
//! blow up when lowered, deep module chains, a large file. A diagnostic,
//! a note or a file error — never a panic or a hang.
#![allow(clippy::disallowed_methods)]

use std::collections::HashMap;
use std::time::Instant;

use idguard_core::api::{CheckOptions, SourceFile, check_template};
use idguard_core::bicep::lower_bicep;
use idguard_core::bicep::params::lower_bicepparam;
use idguard_core::policy::Policy;
use proptest::prelude::*;

/// What the parser needs at its depth limit, plus the lowering (measured
/// as for the syntax crate: ~1 KB a level optimized, ~5 KB unoptimized).
fn stack_size() -> usize {
    if cfg!(debug_assertions) {
        16 << 20
    } else {
        2 << 20
    }
}

fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(stack_size())
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("the lowering thread panicked")
}

fn check(
    path: &str,
    text: &str,
    files: HashMap<String, String>,
) -> idguard_core::api::TemplateResult {
    let policy = Policy::default_policy();
    let options = CheckOptions {
        policy: &policy,
        today: None,
    };
    let template = SourceFile {
        path: path.to_string(),
        text: text.to_string(),
    };
    check_template(&template, &[], &|p| files.get(p).cloned(), &options)
}

#[test]
fn deep_nesting_lowers_without_overflow() {
    let shapes = [
        ("var x = ", "["),
        ("var x = ", "{a:"),
        ("var x = ", "f("),
        ("var x = ", "'${"),
        ("var x = ", "[for x in y: "),
        ("var x = ", "x => "),
        ("var x = ", "a ? b : "),
        ("var x = ", "a+"),
        ("var x = ", "a.b["),
        ("output o object = ", "{a:"),
        ("resource a 'T/t@v' = ", "{\nresource b 'c' = "),
        ("resource a 'T/t@v' = {\nproperties: ", "{a: "),
        ("module m './m.bicep' = {\nparams: ", "{a: "),
    ];
    for (prefix, unit) in shapes {
        let text = format!("{prefix}{}x\n", unit.repeat(100_000));
        let (diagnostics, error) = on_small_stack(move || {
            let l = lower_bicep(&text, &|_| None);
            let r = check("deep.bicep", &text, HashMap::new());
            (l.diagnostics.len(), r.files[0].error.clone())
        });
        assert!(diagnostics > 0, "{prefix}{unit}…");
        assert!(
            error.is_some(),
            "{prefix}{unit}…: a syntax error is a file error"
        );
    }
    // Just below any limit: real depth lowers completely.
    let text = format!("var x = {}1{}\n", "[{a: f((".repeat(40), "))}]".repeat(40));
    let ok = on_small_stack(move || lower_bicep(&text, &|_| None).diagnostics.is_empty());
    assert!(ok);
}

#[test]
fn names_that_double_at_every_step_hit_the_budget() {
    // r_i's name is r_{i-1}'s name twice: 2^60 characters if inlined.
    let mut text = String::from(
        "resource r0 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {\n  name: 'x'\n  location: 'l'\n}\n",
    );
    for i in 1..60 {
        text.push_str(&format!(
            "resource r{i} 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {{\n  name: '${{r{p}.name}}${{r{p}.name}}'\n  location: 'l'\n}}\n",
            p = i - 1
        ));
    }
    let start = Instant::now();
    let l = on_small_stack({
        let text = text.clone();
        move || {
            let l = lower_bicep(&text, &|_| None);
            (l.exhausted, l.doc.len())
        }
    });
    assert!(
        start.elapsed().as_secs() < 60,
        "bounded: {:?}",
        start.elapsed()
    );
    // Either the budget stops it (a file error), or names nested too deep
    // are unknown; the document stays bounded.
    let (exhausted, nodes) = l;
    eprintln!(
        "doubling names: exhausted {exhausted}, {nodes} nodes, {:?}",
        start.elapsed()
    );
    assert!(nodes < 5_000_000);
    let r = on_small_stack(move || check("blowup.bicep", &text, HashMap::new()));
    assert!(
        start.elapsed().as_secs() < 120,
        "bounded: {:?}",
        start.elapsed()
    );
    assert_eq!(exhausted, r.files[0].error.is_some());
}

#[test]
fn wide_expansion_exhausts_the_budget_with_a_file_error() {
    // Each resource ID repeats the loop iterable in full: a large iterable
    // referenced many times expands past the budget.
    let big: String = (0..2000).map(|i| format!("'{i}', ")).collect();
    let mut text = format!(
        "resource r 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = [for x in [{big}]: {{\n  name: x\n  location: 'l'\n}}]\n"
    );
    for i in 0..4000 {
        text.push_str(&format!("output o{i} string = r[{i}].id\n"));
    }
    let start = Instant::now();
    let (exhausted, error) = on_small_stack(move || {
        let l = lower_bicep(&text, &|_| None);
        let r = check("wide.bicep", &text, HashMap::new());
        (l.exhausted, r.files[0].error.clone())
    });
    assert!(
        start.elapsed().as_secs() < 120,
        "bounded: {:?}",
        start.elapsed()
    );
    assert!(exhausted);
    let error = error.expect("a file error");
    assert!(
        error.message.contains("expands beyond"),
        "{}",
        error.message
    );
}

#[test]
fn module_chains_and_fan_out_are_bounded() {
    // m0 -> m1 -> … -> m199: at most MAX_MODULE_FILES files are read.
    let mut files = HashMap::new();
    for i in 0..200 {
        files.insert(
            format!("m{i}.bicep"),
            format!("module next './m{}.bicep' = {{\n  name: 'n'\n}}\n", i + 1),
        );
    }
    let root = "module first './m0.bicep' = {\n  name: 'n'\n}\n";
    let r = on_small_stack(move || check("root.bicep", root, files));
    assert!(r.files[0].error.is_none());
    assert!(
        r.files[0]
            .notes
            .iter()
            .any(|n| n.message.contains("already reads")),
        "{:?}",
        r.files[0].notes
    );
    // One file used by 500 modules (and each 8 times in a loop) is read once.
    let module = "resource u 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {\n  name: 'id-x'\n  location: 'l'\n}\n";
    let mut root = String::new();
    for i in 0..500 {
        root.push_str(&format!(
            "module m{i} './m.bicep' = [for j in range(0, 8): {{\n  name: 'm{i}-${{j}}'\n}}]\n"
        ));
    }
    let files = HashMap::from([("m.bicep".to_string(), module.to_string())]);
    let start = Instant::now();
    let r = on_small_stack(move || check("fan.bicep", &root, files));
    assert!(
        start.elapsed().as_secs() < 120,
        "bounded: {:?}",
        start.elapsed()
    );
    // 4,000 module deployments are past the evaluation budget's deployment
    // limit: a file error naming it, not a pass.
    let error = r.files[0]
        .error
        .as_ref()
        .expect("over the deployment limit");
    assert!(error.message.contains("deployment"), "{}", error.message);
}

#[test]
fn a_large_file_lowers_in_bounded_time() {
    let unit = "resource uami_N 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-app-N-${environment}'
  location: location
  tags: union(tags, { index: 'N' })
}

resource ra_N 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, uami_N.id, 'reader')
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'acdd72a7-3385-48ef-bd42-f606fba81ae7')
    principalId: uami_N.properties.principalId
    principalType: 'ServicePrincipal'
  }
}
";
    let mut text =
        String::from("param environment string\nparam location string\nparam tags object\n");
    let mut i = 0;
    while text.len() < 10_000_000 {
        text.push_str(&unit.replace('N', &i.to_string()));
        i += 1;
    }
    let start = Instant::now();
    let (n, diags) = on_small_stack(move || {
        let l = lower_bicep(&text, &|_| None);
        (l.doc.len(), l.diagnostics.len())
    });
    let elapsed = start.elapsed();
    assert_eq!(diags, 0);
    assert!(n > 200_000, "{n} nodes");
    let limit = if cfg!(debug_assertions) { 120 } else { 10 };
    assert!(elapsed.as_secs() < limit, "10 MB lowered in {elapsed:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_text_lowers_without_panic(text in "\\PC{0,400}") {
        let l = lower_bicep(&text, &|_| None);
        let _ = l.doc.to_json(l.doc.root());
        let _ = lower_bicepparam(&text, &|_| None);
        let r = check("any.bicep", &text, HashMap::new());
        prop_assert_eq!(r.files.len(), 1);
    }

    #[test]
    fn bicep_token_soup_lowers_without_panic(parts in proptest::collection::vec(
        prop_oneof![
            Just("resource "), Just("module "), Just("param "), Just("var "), Just("output "),
            Just("x "), Just("'T/t@v' "), Just("'./m.bicep' "), Just("= "), Just("{"), Just("}"),
            Just("["), Just("]"), Just("("), Just(")"), Just("\n"), Just("for "), Just("in "),
            Just(": "), Just("if "), Just("existing "), Just("name: "), Just("parent: "),
            Just("scope: "), Just("x.id "), Just("x::y "), Just("x[0] "), Just("resourceGroup('r') "),
            Just("'${x}' "), Just("?? "), Just(".?"), Just("[?"), Just("! "), Just("=> "),
            Just("loadJsonContent('f.json') "), Just("#disable-next-line MI402\n"),
        ],
        0..60,
    )) {
        let text: String = parts.concat();
        let files = HashMap::from([
            ("m.bicep".to_string(), text.clone()),
            ("f.json".to_string(), "{\"a\": [1]}".to_string()),
        ]);
        let r = check("soup.bicep", &text, files);
        prop_assert_eq!(r.files.len(), 1);
    }

    #[test]
    fn any_bytes_lossily_decoded(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let _ = lower_bicep(&text, &|_| None);
        let r = check("bytes.bicep", &text, HashMap::new());
        prop_assert_eq!(r.files.len(), 1);
    }
}
