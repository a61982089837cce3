//! Hostile templates: inputs written to make the checker crash, stall or
//! skip. Every one must finish quickly, with the right answer or with a
//! clear file error.

use idguard_core::api::{CheckOptions, SourceFile, TemplateResult, check_template};
use idguard_core::policy::Policy;

const SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";

fn check_with_files(text: &str, files: &[(&str, &str)]) -> TemplateResult {
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
        files
            .iter()
            .find(|(name, _)| *name == p)
            .map(|(_, t)| (*t).to_string())
    };
    check_template(&source, &[], &resolve, &options)
}

fn check(text: &str) -> TemplateResult {
    check_with_files(text, &[])
}

// --- Positions on one very long line -------------------------------------

/// One (line, character column, UTF-16 column) per byte offset, for sorted
/// offsets, by one pass over the text.
fn positions_by_scan(text: &str, offsets: &[u32]) -> Vec<(u32, u32, u32)> {
    let mut out = Vec::with_capacity(offsets.len());
    let (mut line, mut col, mut col16) = (1u32, 1u32, 1u32);
    let mut chars = text.char_indices().peekable();
    for &offset in offsets {
        while let Some((i, c)) = chars.peek().copied() {
            if i >= offset as usize {
                break;
            }
            chars.next();
            if c == '\n' {
                (line, col, col16) = (line + 1, 1, 1);
            } else if c != '\u{feff}' || i != 0 {
                col += 1;
                col16 += c.len_utf16() as u32;
            }
        }
        out.push((line, col, col16));
    }
    out
}

/// A minified template (one line of about 700 KB, with characters outside
/// the BMP in every name) whose thousands of findings all sit on line 1.
/// Positions used to be computed by scanning the line from its start for
/// every finding (quadratic: 55 s for 3.3 MB); they must be right, and
/// come from the line index's checkpoints.
#[test]
fn minified_template_with_thousands_of_findings() {
    let resources: Vec<String> = (0..4000)
        .map(|i| {
            format!(
                r#"{{"type":"Microsoft.ManagedIdentity/userAssignedIdentities","apiVersion":"2023-01-31","name":"id-é😀-{i}","location":"westeurope"}}"#
            )
        })
        .collect();
    let text = format!(
        "\u{feff}{{\"$schema\":\"{SCHEMA}\",\"contentVersion\":\"1.0.0.0\",\"resources\":[{}]}}",
        resources.join(",")
    );
    assert!(!text.contains('\n'));
    let result = check(&text);
    assert!(
        result.files[0].error.is_none(),
        "{:?}",
        result.files[0].error
    );
    assert!(
        result.findings.len() >= 4000,
        "{} findings",
        result.findings.len()
    );
    let mut offsets: Vec<u32> = result
        .findings
        .iter()
        .flat_map(|f| [f.range.start.offset, f.range.end.offset])
        .collect();
    offsets.sort_unstable();
    offsets.dedup();
    let expected: std::collections::HashMap<u32, (u32, u32, u32)> = offsets
        .iter()
        .copied()
        .zip(positions_by_scan(&text, &offsets))
        .collect();
    for f in &result.findings {
        for p in [&f.range.start, &f.range.end] {
            assert_eq!(
                (p.line, p.column, p.utf16_column),
                expected[&p.offset],
                "{} at offset {}",
                f.code,
                p.offset
            );
        }
    }
    // The last identity's name is far along the line, past 4,000 emoji.
    let last = result
        .findings
        .iter()
        .map(|f| f.range.start)
        .max_by_key(|p| p.offset)
        .unwrap();
    assert!(last.utf16_column >= last.column + 3999, "{last:?}");
}

// --- One budget for the whole template ------------------------------------

/// A template with `resources`, and `variables` / `functions` if given.
fn template(resources: &str, variables: &str, functions: &str) -> String {
    let mut t = format!("{{\n  \"$schema\": \"{SCHEMA}\",\n  \"contentVersion\": \"1.0.0.0\",\n");
    if !functions.is_empty() {
        t.push_str(&format!("  \"functions\": {functions},\n"));
    }
    if !variables.is_empty() {
        t.push_str(&format!("  \"variables\": {variables},\n"));
    }
    t.push_str(&format!("  \"resources\": {resources}\n}}\n"));
    t
}

const IDENTITY: &str = r#"{"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31", "name": "[concat('id', uniqueString(deployment().name))]", "location": "westeurope"}"#;

/// The check stopped at the budget: a file error that names the limit and
/// the place, and no findings (a partial evaluation is not a pass).
#[track_caller]
fn assert_budget_error(result: &TemplateResult, limit: &str) -> (u32, u32) {
    let error = result.files[0]
        .error
        .as_ref()
        .unwrap_or_else(|| panic!("no file error; {} findings", result.findings.len()));
    assert!(
        error.message.starts_with("evaluation budget exceeded")
            && error.message.contains(&format!("the '{limit}' limit"))
            && error.message.contains("the template was not checked"),
        "{}",
        error.message
    );
    assert!(result.findings.is_empty(), "{:?}", result.findings);
    (error.line, error.column)
}

/// The 1-based line of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> u32 {
    let at = text.find(needle).unwrap();
    text[..at].matches('\n').count() as u32 + 1
}

/// 24 levels of nested deployments, each a copy loop of 2: 2^24
/// deployments when the depth and copy limits only apply per level.
#[test]
fn nested_deployments_copied_at_every_level() {
    let mut inner = template(&format!("[{IDENTITY}]"), "", "");
    for _ in 0..24 {
        let resources = format!(
            r#"[{{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "[concat('d', copyIndex())]", "copy": {{"name": "c", "count": 2}}, "properties": {{"mode": "Incremental", "template": {inner}}}}}]"#
        );
        inner = template(&resources, "", "");
    }
    let result = check(&inner);
    assert_budget_error(&result, "deployments");
}

/// The same with inner scope: identical deployments (same template, same
/// parameters, same name) are one deployment in ARM, and evaluated once.
#[test]
fn nested_deployments_with_inner_scope_that_repeat_are_evaluated_once() {
    let mut inner = template(&format!("[{IDENTITY}]"), "", "");
    for _ in 0..24 {
        let resources = format!(
            r#"[{{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "same", "copy": {{"name": "c", "count": 2}}, "properties": {{"mode": "Incremental", "expressionEvaluationOptions": {{"scope": "inner"}}, "template": {inner}}}}}]"#
        );
        inner = template(&resources, "", "");
    }
    let result = check(&inner);
    assert!(
        result.files[0].error.is_none(),
        "{:?}",
        result.files[0].error
    );
    // 2 copies x 24 levels, every second one a copy of the first.
    assert!(result.usage.deployments <= 48, "{:?}", result.usage);
}

fn self_linking(name: &str) -> String {
    let resources: Vec<String> = ["a", "b", "c"]
        .iter()
        .map(|i| {
            format!(
                r#"{{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "{}", "properties": {{"mode": "Incremental", "templateLink": {{"relativePath": "main.json"}}}}}}"#,
                name.replace('X', i)
            )
        })
        .collect();
    template(&format!("[{}]", resources.join(",\n")), "", "")
}

/// A template that links to itself three times.
#[test]
fn template_that_links_to_itself() {
    // Deployment names that differ at every level: 3^24 deployments.
    let text = self_linking("[concat(deployment().name, 'X')]");
    let result = check_with_files(&text, &[("main.json", &text)]);
    let (line, _) = assert_budget_error(&result, "deployments");
    let message = &result.files[0].error.as_ref().unwrap().message;
    // Hit in the linked copy; the error points at a deployment of the
    // template itself.
    assert!(
        message.contains("hit in the linked template main.json"),
        "{message}"
    );
    assert!((4..=7).contains(&line), "{line}: {message}");

    // The same names at every level: the same three deployments again,
    // evaluated once.
    let text = self_linking("dX");
    let result = check_with_files(&text, &[("main.json", &text)]);
    assert!(
        result.files[0].error.is_none(),
        "{:?}",
        result.files[0].error
    );
}

/// Nested deployments whose template is a variable holding the next level,
/// two deployments per level: the views used to be 2^depth.
#[test]
fn template_views_of_views() {
    let mut inner = template(&format!("[{IDENTITY}]"), "", "");
    for _ in 0..24 {
        let deployment = |k: &str| {
            format!(
                r#"{{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "[concat(deployment().name, '{k}')]", "properties": {{"mode": "Incremental", "expressionEvaluationOptions": {{"scope": "inner"}}, "template": "[variables('v')]"}}}}"#
            )
        };
        inner = template(
            &format!("[{}, {}]", deployment("a"), deployment("b")),
            &format!("{{\"v\": {inner}}}"),
            "",
        );
    }
    let result = check(&inner);
    assert_budget_error(&result, "deployments");
    // One view per variable, not per path to it.
    let doc = idguard_core::source::Document::parse(&inner).unwrap();
    let mut files = idguard_core::template::Files::default();
    let root = files.push(
        "main.json".into(),
        inner.as_str().into(),
        std::rc::Rc::new(doc),
    );
    files.add_template_views(root);
    assert_eq!(files.entries.len(), 25);
}

/// Copy loops in child resources and in properties: 200 x 200 x 200.
#[test]
fn copy_loops_nested_in_children_and_properties() {
    let text = template(
        r#"[{"type": "Microsoft.Web/sites", "apiVersion": "2022-03-01", "name": "[concat('s', copyIndex())]", "copy": {"name": "a", "count": 200},
            "resources": [{"type": "config", "apiVersion": "2022-03-01", "name": "[concat('c', copyIndex())]", "copy": {"name": "b", "count": 200},
              "properties": {"copy": [{"name": "items", "count": 200, "input": {"v": "[copyIndex('items')]"}}]}}]}]"#,
        "",
        "",
    );
    let result = check(&text);
    // 40,000 instances of 200 properties: the values fill the budget
    // before the instances do.
    assert_budget_error(&result, "value bytes");
    // Without the property loop, the instances run out.
    let text = text.replace("\"items\", \"count\": 200", "\"items\", \"count\": 1");
    assert_budget_error(&check(&text), "resource instances");
}

fn doubling(seed: &str, step: &str, n: usize) -> String {
    let mut vars = vec![format!("\"x0\": {seed}")];
    for i in 1..=n {
        vars.push(format!(
            "\"x{i}\": \"{}\"",
            step.replace("PREV", &format!("variables('x{}')", i - 1))
        ));
    }
    format!("{{{}}}", vars.join(",\n"))
}

fn identity_named(name: &str) -> String {
    format!(
        r#"[{{"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31", "name": "{name}", "location": "westeurope"}}]"#
    )
}

/// `concat(s, s)` fifty times, for a string and for an array.
#[test]
fn values_that_double_fifty_times() {
    let text = template(
        &identity_named("[substring(variables('x50'), 0, 3)]"),
        &doubling("\"abcdefgh\"", "[concat(PREV, PREV)]", 50),
        "",
    );
    let (line, _) = assert_budget_error(&check(&text), "value bytes");
    assert!(line > 3, "{line}");

    let text = template(
        &identity_named("[string(length(variables('x50')))]"),
        &doubling("[1, 2, 3, 4]", "[concat(PREV, PREV)]", 50),
        "",
    );
    assert_budget_error(&check(&text), "value bytes");
}

/// Objects that share their halves, sixty levels: tiny in memory, 2^60
/// members as a tree, which `union()`, the model and the rules would walk.
#[test]
fn objects_that_share_their_halves() {
    let vars = doubling("{\"k\": \"v\"}", "[createObject('l', PREV, 'r', PREV)]", 60);
    for resources in [
        r#"[{"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31", "name": "x", "location": "x", "tags": "[union(variables('x60'), variables('x60'))]"}]"#,
        r#"[{"type": "Microsoft.Web/sites", "apiVersion": "2022-03-01", "name": "x", "location": "x", "properties": {"siteConfig": {"appSettings": [{"name": "a", "value": "[variables('x60')]"}]}}}]"#,
        r#"[{"type": "Microsoft.Web/sites", "apiVersion": "2022-03-01", "name": "[string(variables('x60'))]", "location": "x"}]"#,
    ] {
        let text = template(resources, &vars, "");
        let (line, _) = assert_budget_error(&check(&text), "value bytes");
        // Where: the variable whose value grew past the limit.
        assert!(line > 4 && line < 66, "{line}");
    }
    // Unknowns that share their halves (`guid(g, g)`), as reference targets.
    let vars = doubling("\"[parameters('p')]\"", "[guid(PREV, PREV)]", 60);
    let text = template(&identity_named("[variables('x60')]"), &vars, "").replace(
        "\"contentVersion\": \"1.0.0.0\",",
        "\"contentVersion\": \"1.0.0.0\", \"parameters\": {\"p\": {\"type\": \"string\"}},",
    );
    assert_budget_error(&check(&text), "value bytes");
}

/// An expensive expression in 200 copies of a resource, five properties
/// each: the budget is per template, not per expression.
#[test]
fn expensive_expressions_in_every_copy() {
    let expensive = "[map(range(0, 1000), lambda('x', length(map(range(0, 1000), lambda('y', add(lambdaVariables('y'), 1))))))]";
    let props: Vec<String> = (0..5)
        .map(|k| format!("\"p{k}\": \"{expensive}\""))
        .collect();
    let text = template(
        &format!(
            r#"[{{"type": "Microsoft.Web/sites", "apiVersion": "2022-03-01", "name": "[concat('s', copyIndex())]", "copy": {{"name": "a", "count": 200}}, "location": "x", "properties": {{{}}}}}]"#,
            props.join(", ")
        ),
        "",
        "",
    );
    let (line, column) = assert_budget_error(&check(&text), "steps");
    assert_eq!(line, line_of(&text, "\"p0\""));
    assert!(column > 100, "{column}");
}

/// User functions that call themselves twice per level, 63 levels.
#[test]
fn user_functions_that_call_twice_per_level() {
    let mut members = vec![
        r#""f0": {"parameters": [{"name": "x", "type": "int"}], "output": {"type": "int", "value": "[parameters('x')]"}}"#.to_string(),
    ];
    for i in 1..64 {
        members.push(format!(
            r#""f{i}": {{"parameters": [{{"name": "x", "type": "int"}}], "output": {{"type": "int", "value": "[add(my.f{p}(parameters('x')), my.f{p}(parameters('x')))]"}}}}"#,
            p = i - 1
        ));
    }
    let text = template(
        &identity_named("[string(my.f63(1))]"),
        "",
        &format!(
            "[{{\"namespace\": \"my\", \"members\": {{{}}}}}]",
            members.join(",\n")
        ),
    );
    let (line, _) = assert_budget_error(&check(&text), "steps");
    assert_eq!(line, line_of(&text, "my.f63(1)"));
}

/// Within the budget, nothing changes: a wide object (100,000 members) is
/// read in linear time, and a template that needs many resources but
/// stays under the limits is checked.
#[test]
fn wide_objects_are_linear() {
    let members: Vec<String> = (0..100_000).map(|i| format!("\"k{i}\": {i}")).collect();
    let text = template(
        &format!(
            r#"[{{"type": "Microsoft.Web/sites", "apiVersion": "2022-03-01", "name": "x", "location": "x", "properties": {{{}}}}}]"#,
            members.join(",")
        ),
        "",
        "",
    );
    let result = check(&text);
    assert!(
        result.files[0].error.is_none(),
        "{:?}",
        result.files[0].error
    );
}

/// A template as large as the budget allows: identities, role assignments
/// that reference them, and sites with settings, up to just under the
/// resource limit; names known, or partly unknown (a parameter prefix).
/// Checked completely (model and rules included), in bounded time.
#[test]
fn largest_template_within_the_budget_is_checked() {
    for prefix in ["id", "[concat(parameters('prefix'), '"] {
        let name = |i: usize| {
            if prefix.starts_with('[') {
                format!("{prefix}{i}')")
            } else {
                format!("'{prefix}-{i}'")
            }
        };
        let n = idguard_core::budget::Limits::DEFAULT.resources as usize / 3 - 1;
        let mut resources = Vec::new();
        for i in 0..n {
            let id = format!(
                "resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', {})",
                name(i).trim_start_matches('[').trim_end_matches(']')
            );
            let written = if prefix.starts_with('[') {
                format!("{}]", name(i))
            } else {
                name(i).trim_matches('\'').to_string()
            };
            resources.push(format!(
                r#"{{"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31", "name": "{written}", "location": "westeurope"}}"#
            ));
            resources.push(format!(
                r#"{{"type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01", "name": "[guid('ra', '{i}')]", "properties": {{"roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '8e3af657-a8ff-443c-a75c-2fe8c4bcb635')]", "principalId": "[reference({id}).principalId]", "principalType": "ServicePrincipal"}}}}"#
            ));
            resources.push(format!(
                r#"{{"type": "Microsoft.Web/sites", "apiVersion": "2022-03-01", "name": "app-{i}", "location": "westeurope", "identity": {{"type": "UserAssigned", "userAssignedIdentities": {{"[{id}]": {{}}}}}}, "properties": {{"siteConfig": {{"appSettings": [{{"name": "AZURE_CLIENT_ID", "value": "[reference({id}).clientId]"}}, {{"name": "AZURE_CLIENT_SECRET", "value": "s3cret-{i}"}}]}}}}}}"#
            ));
        }
        let text = template(&format!("[{}]", resources.join(",\n")), "", "").replace(
            "\"contentVersion\": \"1.0.0.0\",",
            "\"contentVersion\": \"1.0.0.0\", \"parameters\": {\"prefix\": {\"type\": \"string\"}},",
        );
        let result = check(&text);
        assert!(
            result.files[0].error.is_none(),
            "{:?}",
            result.files[0].error
        );
        assert_eq!(result.usage.resources, 3 * n as u64);
        // Every role assignment reaches its identity (no finding says the
        // principal is unknown) and every secret is reported.
        let secrets = result.findings.iter().filter(|f| f.code == "MI501").count();
        assert_eq!(secrets, n, "{prefix}");
    }
}

/// Identities and outputs as many as the budget allows: every identity is
/// looked for among the outputs (`unused-identity`).
#[test]
fn many_identities_and_many_outputs() {
    let n = idguard_core::budget::Limits::DEFAULT.resources as usize - 1;
    let resources: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31", "name": "id-{i}", "location": "westeurope"}}"#
            )
        })
        .collect();
    let outputs: Vec<String> = (0..n)
        .map(|i| format!(r#""o{i}": {{"type": "string", "value": "name-{i}"}}"#))
        .collect();
    let text = template(&format!("[{}]", resources.join(",\n")), "", "").replace(
        "\n}\n",
        &format!(",\n  \"outputs\": {{{}}}\n}}\n", outputs.join(",\n")),
    );
    let result = check(&text);
    assert!(
        result.files[0].error.is_none(),
        "{:?}",
        result.files[0].error
    );
    assert_eq!(result.usage.resources, n as u64);
}

/// Work a function does without building much: joining heavy values,
/// naming a heavy unknown in a message, scanning a long string, thousands
/// of times over.
#[test]
fn functions_that_work_hard_for_small_results() {
    // A 100 KB object, rendered by join() up to its 1 MB cap, not 200
    // times over.
    let vars = r#"{"o": "[toObject(range(0, 2000), lambda('i', string(lambdaVariables('i'))))]",
        "many": "[map(range(0, 200), lambda('i', variables('o')))]"}"#;
    let text = template(
        &identity_named("[string(length(join(variables('many'), ',')))]"),
        vars,
        "",
    );
    let result = check(&text);
    assert!(
        result.files[0].error.is_none(),
        "{:?}",
        result.files[0].error
    );

    // An unknown over a heavy object, named by every failing comparison.
    let vars = r#"{"o": "[toObject(range(0, 2000), lambda('i', string(lambdaVariables('i'))))]",
        "g": "[guid(variables('o'), variables('o'), variables('o'))]",
        "n": "[length(filter(range(0, 10000), lambda('i', equals(variables('g'), string(lambdaVariables('i'))))))]"}"#;
    let text = template(&identity_named("[string(variables('n'))]"), vars, "");
    let result = check(&text);
    assert!(
        result.files[0].error.is_none(),
        "{:?}",
        result.files[0].error
    );

    // A 1 MB string scanned in a loop: the budget counts the bytes.
    let vars = r#"{"s": "[padLeft('', 1000000, 'x')]",
        "n": "[map(range(0, 10000), lambda('i', indexOf(variables('s'), 'y')))]"}"#;
    let text = template(
        &identity_named("[string(length(variables('n')))]"),
        vars,
        "",
    );
    let (line, _) = assert_budget_error(&check(&text), "steps");
    assert_eq!(line, line_of(&text, "\"n\""));
}

/// Values nested more than a thousand levels deep (built by `reduce`) and
/// references of references: every walk over them recurses, so they stop
/// at 1,024 levels (as unknowns) instead of overflowing the stack. (Deeper
/// still, the values built on the way fill the budget.)
#[test]
fn values_nested_thousands_deep() {
    for step in [
        "createArray(lambdaVariables('a'))",
        "createObject('k', lambdaVariables('a'))",
        "reference(lambdaVariables('a'))",
        "guid(lambdaVariables('a'))",
        "concat('x', reference(lambdaVariables('a')).id)",
    ] {
        let vars =
            format!(r#"{{"deep": "[reduce(range(0, 1100), 'seed', lambda('a', 'i', {step}))]"}}"#);
        let text = template(
            r#"[{"type": "Microsoft.Web/sites", "apiVersion": "2022-03-01", "name": "x", "location": "x", "properties": {"p": "[variables('deep')]", "q": "[string(variables('deep'))]", "r": "[equals(variables('deep'), variables('deep'))]"}}]"#,
            &vars,
            "",
        );
        let result = check(&text);
        assert!(
            result.files[0].error.is_none(),
            "{step}: {:?}",
            result.files[0].error
        );
    }
}

/// Runs `f` on a thread with `kib` KiB of stack (debug builds use eight
/// times as much: their frames are several times larger).
fn on_stack<T: Send + 'static>(kib: usize, f: impl FnOnce() -> T + Send + 'static) -> T {
    let kib = if cfg!(debug_assertions) { kib * 8 } else { kib };
    std::thread::Builder::new()
        .stack_size(kib * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

/// Shapes that make evaluation recurse: a chain of 20,000 variables each
/// naming the next (a stack overflow, the process aborted), the same with
/// every link wrapped in values and calls, user functions 64 deep each
/// nesting 120 calls, and, under the limit, JSON 500 deep and child
/// resources 240 deep. The nesting limit stops the first three with a
/// file error; in a release build all of them fit in 2 MiB of stack (the
/// deepest needs about 1 MiB; the wasm module has 8 MiB).
#[test]
fn deep_recursion_stops_at_the_nesting_limit() {
    let n = 20_000;
    let mut plain = vec!["\"v0\": \"end\"".to_string()];
    let mut wrapped = plain.clone();
    for i in 1..n {
        plain.push(format!("\"v{i}\": \"[variables('v{}')]\"", i - 1));
        wrapped.push(format!(
            "\"v{i}\": [{{\"a\": [\"[concat(toLower(variables('v{}')))]\"]}}]",
            i - 1
        ));
    }
    let mut members = vec![
        r#""f0": {"parameters": [{"name": "x", "type": "int"}], "output": {"type": "int", "value": "[parameters('x')]"}}"#.to_string(),
    ];
    for i in 1..64 {
        let mut e = format!("my.f{}(parameters('x'))", i - 1);
        for _ in 0..120 {
            e = format!("add({e}, 0)");
        }
        members.push(format!(
            r#""f{i}": {{"parameters": [{{"name": "x", "type": "int"}}], "output": {{"type": "int", "value": "[{e}]"}}}}"#
        ));
    }
    let last = format!("[variables('v{}')]", n - 1);
    let too_deep = [
        (
            template(
                &identity_named(&last),
                &format!("{{{}}}", plain.join(",\n")),
                "",
            ),
            "\"v1",
        ),
        (
            template(
                &identity_named(&last),
                &format!("{{{}}}", wrapped.join(",\n")),
                "",
            ),
            "\"v1",
        ),
        (
            template(
                &identity_named("[string(my.f63(1))]"),
                "",
                &format!(
                    "[{{\"namespace\": \"my\", \"members\": {{{}}}}}]",
                    members.join(",\n")
                ),
            ),
            "my.f63(1)",
        ),
    ];
    for (text, at) in too_deep {
        let t = text.clone();
        let result = on_stack(2048, move || check(&t));
        let (line, _) = assert_budget_error(&result, "nesting");
        assert_eq!(result.usage.nesting, 512);
        // Reported where the limit was hit: a variable of the chain (the
        // 250th or so from the top), or the function's call.
        let line_text = text.lines().nth(line as usize - 1).unwrap();
        assert!(line_text.contains(at), "{line}: {line_text}");
    }

    let depth = 500;
    let json = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
    let mut children = IDENTITY.to_string();
    for _ in 0..240 {
        children = format!(
            r#"{{"type": "Microsoft.Web/sites", "apiVersion": "2022-03-01", "name": "x", "resources": [{children}]}}"#
        );
    }
    for text in [
        template(
            &format!(
                r#"[{{"type": "Microsoft.Web/sites", "apiVersion": "2022-03-01", "name": "x", "properties": {json}}}]"#
            ),
            "",
            "",
        ),
        template(&format!("[{children}]"), "", ""),
    ] {
        let result = on_stack(2048, move || check(&text));
        assert!(
            result.files[0].error.is_none(),
            "{:?}",
            result.files[0].error
        );
    }
}
