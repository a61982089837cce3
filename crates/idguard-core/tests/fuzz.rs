//! Fuzzing on the stable toolchain: proptest generators of hostile inputs
//! for the three layers a pull request reaches — the JSON parser, the
//! expression evaluator and the template walk — run for a few seconds each
//! inside `cargo test`, under small evaluation budgets so that every case
//! is cheap and the budget paths are exercised as often as the others.
//!
//! The properties: nothing panics (the core denies `unwrap`/indexing, but
//! arithmetic, recursion and budgets are what fuzzing finds); a check
//! either passes with every counter inside its limit, or stops with a file
//! error (a syntax error or the budget) and no findings; the same input
//! gives the same report twice.
//!
//! `IDGUARD_FUZZ_CASES=N` runs N cases per target instead of the default
//! (e.g. `IDGUARD_FUZZ_CASES=20000 cargo test --release --test fuzz` for a
//! longer run). proptest keeps the seed of any failure in
//! `tests/regressions/fuzz.txt` and replays it first; every failure found
//! is also written down as a test in `tests/hostile.rs`.

use idguard_core::api::{CheckOptions, SourceFile, TemplateResult, check_template_with_limits};
use idguard_core::budget::Limits;
use idguard_core::policy::Policy;
use idguard_core::project::sniff_kind;
use idguard_core::source::Document;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};

/// Small limits: a case costs at most a few milliseconds (release) and
/// the limits are hit often.
const LIMITS: Limits = Limits {
    steps: 200_000,
    value_bytes: 4 << 20,
    resources: 300,
    deployments: 40,
    nesting: 128,
};

fn config(default_cases: u32) -> Config {
    #[allow(clippy::disallowed_methods, reason = "a knob for longer fuzz runs")]
    let cases = std::env::var("IDGUARD_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default_cases);
    Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        max_shrink_iters: 2_000,
        ..Config::default()
    }
}

const SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";

fn run(text: &str, linked: &[(String, String)]) -> TemplateResult {
    let policy = Policy::default_policy();
    let options = CheckOptions {
        policy: &policy,
        today: None,
    };
    let source = SourceFile {
        path: "main.json".into(),
        text: text.into(),
    };
    let resolve = |p: &str| {
        linked
            .iter()
            .find(|(name, _)| name == p)
            .map(|(_, t)| t.clone())
    };
    check_template_with_limits(&source, &[], &resolve, &options, LIMITS)
}

/// The properties every check must have.
fn check_properties(text: &str, linked: &[(String, String)]) -> Result<(), TestCaseError> {
    let result = run(text, linked);
    let usage = result.usage;
    match &result.files[0].error {
        None => {
            prop_assert!(usage.steps <= LIMITS.steps, "{usage:?}");
            prop_assert!(usage.value_bytes <= LIMITS.value_bytes, "{usage:?}");
            prop_assert!(usage.resources <= LIMITS.resources, "{usage:?}");
            prop_assert!(usage.deployments <= LIMITS.deployments, "{usage:?}");
            prop_assert!(usage.nesting <= LIMITS.nesting, "{usage:?}");
        }
        Some(error) => {
            prop_assert!(result.findings.is_empty());
            prop_assert!(error.line >= 1 && error.column >= 1, "{error:?}");
            if error.message.starts_with("evaluation budget exceeded") {
                prop_assert!(error.message.contains("the template was not checked"));
            }
        }
    }
    for f in &result.findings {
        prop_assert!(f.range.start.line >= 1 && f.range.start.offset <= f.range.end.offset);
    }
    // Deterministic: the same report again.
    let again = run(text, linked);
    prop_assert_eq!(&again.findings, &result.findings);
    prop_assert_eq!(&again.files, &result.files);
    Ok(())
}

// --- JSON parser --------------------------------------------------------

/// Pieces of JSON in ARM's dialect and of what breaks it.
fn json_soup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => prop::sample::select(vec![
            "{", "}", "[", "]", ",", ":", " ", "\n", "\r\n", "\"", "\"a\"", "\"$schema\"",
            "\"resources\"", "\"type\"", "null", "true", "false", "0", "-0", "1e999",
            "-1.5e-300", "123456789012345678901234567890", "0x10", "//c\n", "/*c*/", "/*",
            "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00\\ud800\"", "\"\\u12\"", "\"\\q\"",
            "\u{feff}", "\"é😀\"", "\u{0}", "\u{7f}", "\"[concat('a')]\"", "\"[[x]\"",
            "<<<<<<< HEAD\n", "=======\n", ">>>>>>> b\n", "\"\t\"",
        ])
        .prop_map(str::to_string),
        1 => (1usize..600).prop_map(|n| "[".repeat(n)),
        1 => (1usize..600).prop_map(|n| "{\"a\":".repeat(n)),
        1 => "[ -~]{0,12}",
    ];
    prop::collection::vec(piece, 0..60).prop_map(|p| p.concat())
}

/// A valid template, then damaged: bytes replaced, cut, or inserted.
fn damaged_template() -> impl Strategy<Value = String> {
    let base = format!(
        "\u{feff}{{\n  \"$schema\": \"{SCHEMA}\", // comment\n  \"parameters\": {{\"p\": {{\"type\": \"string\", \"defaultValue\": \"x\"}}}},\n  \"resources\": [{{\"type\": \"Microsoft.ManagedIdentity/userAssignedIdentities\", \"apiVersion\": \"2023-01-31\", \"name\": \"[parameters('p')]\", \"tags\": {{\"a\": [1, 2.5, null, true,]}}}}],\n}}\n"
    );
    let len = base.len();
    prop::collection::vec((0..len, any::<u8>(), 0u8..3), 1..8).prop_map(move |edits| {
        let mut bytes = base.clone().into_bytes();
        for (at, byte, op) in edits {
            let at = at.min(bytes.len());
            match op {
                0 if at < bytes.len() => bytes[at] = byte,
                1 => bytes.truncate(at),
                _ => bytes.insert(at, byte),
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

fn parser_properties(text: &str) -> Result<(), TestCaseError> {
    let _ = sniff_kind(text);
    match Document::parse(text) {
        Ok(doc) => {
            for i in 0..doc.len() {
                let node = idguard_core::source::NodeId(i as u32);
                let span = doc.span(node);
                prop_assert!(span.start <= span.end && span.end as usize <= text.len());
                let _ = doc.pointer(node);
                let pos = doc.lines().line_col(text, span.start);
                prop_assert!(pos.line >= 1 && pos.column_chars >= 1);
                prop_assert!(pos.column_utf16 >= pos.column_chars);
            }
            let _ = doc.to_json(doc.root());
        }
        Err(e) => {
            prop_assert!(e.line >= 1 && e.column >= 1, "{e:?}");
            prop_assert!(e.offset as usize <= text.len(), "{e:?}");
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(400))]

    #[test]
    fn json_parser_soup(text in json_soup()) {
        parser_properties(&text)?;
    }

    #[test]
    fn json_parser_damaged_templates(text in damaged_template()) {
        parser_properties(&text)?;
        check_properties(&text, &[])?;
    }
}

// --- Expressions ----------------------------------------------------------

/// A JSON string holding `expr` as an ARM expression.
fn quoted(expr: &str) -> String {
    serde_json::Value::String(format!("[{expr}]")).to_string()
}

/// Expressions over the functions that build, copy, compare and scan
/// values, reading the variables `v0`…`v5` (earlier ones only, so that
/// chains and doubling happen) and parameter `p` (unknown).
fn expression(var_limit: usize) -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("'abc'".to_string()),
        Just("''".to_string()),
        (0i64..5000).prop_map(|n| n.to_string()),
        Just("-1".to_string()),
        Just("parameters('p')".to_string()),
        Just("resourceGroup().id".to_string()),
        Just("utcNow()".to_string()),
        Just("createObject('k', 'v')".to_string()),
        Just("createArray(1, 'a', null)".to_string()),
        (0..var_limit.max(1)).prop_map(|i| format!("variables('v{i}')")),
        Just("lambdaVariables('x')".to_string()),
        Just("copyIndex()".to_string()),
    ];
    leaf.prop_recursive(6, 48, 4, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("concat({a}, {b})")),
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| format!("createObject('l', {a}, 'r', {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("createArray({a}, {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("union({a}, {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("equals({a}, {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("contains({a}, {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("guid({a}, {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("intersection({a}, {b})")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(a, b, c)| format!("if({a}, {b}, {c})")),
            inner.clone().prop_map(|a| format!("string({a})")),
            inner.clone().prop_map(|a| format!("json(string({a}))")),
            inner.clone().prop_map(|a| format!("length({a})")),
            inner.clone().prop_map(|a| format!("toLower({a})")),
            inner.clone().prop_map(|a| format!("base64({a})")),
            inner.clone().prop_map(|a| format!("reference({a}).id")),
            inner.clone().prop_map(|a| format!("items({a})")),
            inner.clone().prop_map(|a| format!("flatten(createArray({a}, {a}))")),
            inner.clone().prop_map(|a| format!("padLeft({a}, 3000, 'x')")),
            inner.clone().prop_map(|a| format!("replace(string({a}), 'a', 'aaaa')")),
            inner.clone().prop_map(|a| format!("split(string({a}), '')")),
            inner.clone().prop_map(|a| format!("join(createArray({a}, {a}), ',')")),
            inner.clone().prop_map(|a| format!("range(0, {a})")),
            inner.clone().prop_map(|a| format!("my.twice({a})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| {
                format!("map(range(0, 300), lambda('x', createArray({a}, {b})))")
            }),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| {
                format!("reduce(range(0, 200), {a}, lambda('x', 'i', concat(lambdaVariables('x'), {b})))")
            }),
            inner.clone().prop_map(|a| {
                format!("sort(createArray({a}, 3, 1), lambda('x', 'y', less(lambdaVariables('x'), lambdaVariables('y'))))")
            }),
            inner.clone().prop_map(|a| format!("toObject(range(0, 100), lambda('x', string({a})))")),
        ]
    })
}

/// A template whose variables are generated expressions, used by
/// resources (in a copy loop), outputs and a user function.
fn expression_template() -> impl Strategy<Value = String> {
    let vars = (0usize..6).prop_flat_map(|n| {
        (0..n)
            .map(|i| expression(i).boxed())
            .collect::<Vec<_>>()
            .prop_map(|exprs| exprs)
    });
    (vars, expression(6), 0u32..40).prop_map(|(vars, used, count)| {
        let mut variables: Vec<String> = vars
            .iter()
            .enumerate()
            .map(|(i, e)| format!("\"v{i}\": {}", quoted(e)))
            .collect();
        for i in vars.len()..6 {
            variables.push(format!("\"v{i}\": \"x{i}\""));
        }
        format!(
            r#"{{"$schema": "{SCHEMA}", "contentVersion": "1.0.0.0",
  "parameters": {{"p": {{"type": "string"}}}},
  "functions": [{{"namespace": "my", "members": {{"twice": {{"parameters": [{{"name": "a", "type": "string"}}], "output": {{"type": "string", "value": "[concat(parameters('a'), parameters('a'))]"}}}}}}}}],
  "variables": {{{}}},
  "resources": [{{"type": "Microsoft.Web/sites", "apiVersion": "2022-03-01", "name": "[concat('app-', copyIndex())]", "copy": {{"name": "c", "count": {count}}}, "location": "x",
    "identity": {{"type": "UserAssigned", "userAssignedIdentities": {{"[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', string({used}))]": {{}}}}}},
    "properties": {{"v": {}, "siteConfig": {{"appSettings": [{{"name": "AZURE_CLIENT_SECRET", "value": {}}}]}}}}}}],
  "outputs": {{"o": {{"type": "string", "value": {}}}}}
}}"#,
            variables.join(",\n    "),
            quoted(&used),
            quoted(&format!("string({used})")),
            quoted(&used),
        )
    })
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn expressions_in_templates(text in expression_template()) {
        check_properties(&text, &[])?;
    }
}

// --- The template walk ----------------------------------------------------

/// One resource of a generated template: identities, role assignments,
/// sites, and nested deployments (inline, from a variable, linked to
/// itself or to a second file), with copy loops, conditions and children.
fn resource(depth: u32) -> BoxedStrategy<String> {
    let count = prop_oneof![
        Just(None),
        (0u32..250).prop_map(|n| Some(n.to_string())),
        Just(Some("\"[length(variables('list'))]\"".to_string())),
        Just(Some("\"[parameters('n')]\"".to_string())),
    ];
    let name = prop::sample::select(vec![
        "\"fixed\"",
        "\"[concat('r', copyIndex())]\"",
        "\"[concat(deployment().name, 'x')]\"",
        "\"[parameters('p')]\"",
        "\"[variables('name')]\"",
    ]);
    let condition = prop::sample::select(vec![
        "",
        "\"condition\": false,",
        "\"condition\": \"[equals(parameters('p'), 'x')]\",",
    ]);
    let leaf = prop_oneof![
        Just(r#""type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31""#.to_string()),
        Just(r#""type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01", "properties": {"roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '8e3af657-a8ff-443c-a75c-2fe8c4bcb635')]", "principalId": "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'fixed')).principalId]"}"#.to_string()),
        Just(r#""type": "Microsoft.Web/sites", "apiVersion": "2022-03-01", "properties": {"copy": [{"name": "items", "count": "[length(variables('list'))]", "input": {"v": "[variables('big')]"}}]}"#.to_string()),
        Just(r#""type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "properties": {"mode": "Incremental", "templateLink": {"relativePath": "main.json"}}"#.to_string()),
        Just(r#""type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "properties": {"mode": "Incremental", "templateLink": {"relativePath": "child.json"}, "parameters": {"p": {"value": "[deployment().name]"}}}"#.to_string()),
        Just(r#""type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"}, "template": "[variables('tpl')]"}"#.to_string()),
    ];
    let body = if depth == 0 {
        leaf.boxed()
    } else {
        prop_oneof![
            3 => leaf,
            1 => prop::collection::vec(resource(depth - 1), 1..3).prop_map(|inner| format!(
                r#""type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "properties": {{"mode": "Incremental", "template": {{"$schema": "{SCHEMA}", "resources": [{}]}}}}"#,
                inner.join(", ")
            )),
            1 => prop::collection::vec(resource(depth - 1), 1..3).prop_map(|inner| format!(
                r#""type": "Microsoft.Web/sites", "apiVersion": "2022-03-01", "resources": [{}]"#,
                inner.join(", ")
            )),
        ]
        .boxed()
    };
    (body, count, name, condition)
        .prop_map(|(body, count, name, condition)| {
            let copy = count
                .map(|c| format!(r#""copy": {{"name": "loop", "count": {c}}},"#))
                .unwrap_or_default();
            format!("{{{condition} {copy} \"name\": {name}, {body}}}")
        })
        .boxed()
}

/// A whole template around generated resources; `tpl` holds a template
/// that deploys itself from the same variable.
fn walk_template() -> impl Strategy<Value = String> {
    (prop::collection::vec(resource(3), 1..6), 0usize..12).prop_map(|(resources, doublings)| {
        let mut big = "\"[createArray(1, 2)]\"".to_string();
        for _ in 0..doublings {
            big = quoted(&format!(
                "concat({0}, {0})",
                big.trim_matches('"').trim_start_matches('[').trim_end_matches(']')
            ));
        }
        format!(
            r#"{{"$schema": "{SCHEMA}", "contentVersion": "1.0.0.0",
  "parameters": {{"p": {{"type": "string", "defaultValue": "x"}}, "n": {{"type": "int"}}}},
  "variables": {{"name": "[concat('n-', parameters('p'))]", "list": "[range(0, 30)]", "big": {big},
    "tpl": {{"$schema": "{SCHEMA}", "variables": {{"tpl": {{"$schema": "{SCHEMA}", "resources": []}}}},
      "resources": [{{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "[concat(deployment().name, '-v')]", "properties": {{"mode": "Incremental", "expressionEvaluationOptions": {{"scope": "inner"}}, "template": "[variables('tpl')]"}}}}]}}}},
  "resources": [{}],
  "outputs": {{"id": {{"type": "string", "value": "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'fixed')]"}}}}
}}"#,
            resources.join(",\n    ")
        )
    })
}

proptest! {
    #![proptest_config(config(150))]

    #[test]
    fn template_walk(text in walk_template(), child in walk_template()) {
        let linked = vec![
            ("main.json".to_string(), text.clone()),
            ("child.json".to_string(), child),
        ];
        check_properties(&text, &linked)?;
    }
}
