//! The bridge under hostile templates: every call returns an envelope (it
//! never panics, which in the browser would be a trap thrown into
//! JavaScript), and a template over the evaluation budget comes back as a
//! report whose template has a file error, in bounded time.

use idguard_wasm::bridge;
use serde_json::Value;

const SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";

fn template(variables: &str, resources: &str) -> String {
    format!(
        "{{\"$schema\": \"{SCHEMA}\", \"contentVersion\": \"1.0.0.0\", \"variables\": {variables}, \"resources\": {resources}}}"
    )
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

/// The bombs of issue 17 that a browser editor could be handed.
fn bombs() -> Vec<(&'static str, String, String)> {
    let identity = |name: &str| {
        format!(
            r#"[{{"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31", "name": "{name}", "location": "x"}}]"#
        )
    };
    let self_link = template(
        "{}",
        r#"[{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "[concat(deployment().name, 'a')]", "properties": {"mode": "Incremental", "templateLink": {"relativePath": "main.json"}}},
            {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "[concat(deployment().name, 'b')]", "properties": {"mode": "Incremental", "templateLink": {"relativePath": "main.json"}}}]"#,
    );
    let mut chain = vec!["\"v0\": \"end\"".to_string()];
    for i in 1..20_000 {
        chain.push(format!("\"v{i}\": \"[variables('v{}')]\"", i - 1));
    }
    vec![
        (
            "value bytes",
            template(
                &doubling("{\"k\": \"v\"}", "[createObject('l', PREV, 'r', PREV)]", 60),
                &identity("[string(variables('x60'))]"),
            ),
            "{}".to_string(),
        ),
        (
            "value bytes",
            template(
                &doubling("\"abcdefgh\"", "[concat(PREV, PREV)]", 50),
                &identity("[substring(variables('x50'), 0, 3)]"),
            ),
            "{}".to_string(),
        ),
        (
            "steps",
            template(
                "{}",
                r#"[{"type": "Microsoft.Web/sites", "apiVersion": "2022-03-01", "name": "[concat('s', copyIndex())]", "copy": {"name": "a", "count": 200}, "location": "x",
                    "properties": {"p": "[map(range(0, 1000), lambda('x', length(map(range(0, 1000), lambda('y', add(lambdaVariables('y'), 1))))))]"}}]"#,
            ),
            "{}".to_string(),
        ),
        (
            "deployments",
            self_link.clone(),
            serde_json::json!({ "files": { "main.json": self_link } }).to_string(),
        ),
        (
            "nesting",
            template(
                &format!("{{{}}}", chain.join(",\n")),
                &identity("[variables('v19999')]"),
            ),
            "{}".to_string(),
        ),
    ]
}

#[test]
fn bombs_come_back_as_file_errors() {
    // The wasm module has 8 MiB of stack; debug frames are larger.
    let stack = if cfg!(debug_assertions) {
        32 << 20
    } else {
        8 << 20
    };
    std::thread::Builder::new()
        .stack_size(stack)
        .spawn(|| {
            for (limit, text, options) in bombs() {
                let out: Value = serde_json::from_str(&bridge::check(&text, &options)).unwrap();
                let error = &out["ok"]["files"][0]["error"];
                let message = error["message"].as_str().unwrap_or_else(|| panic!("{out}"));
                assert!(
                    message.starts_with("evaluation budget exceeded")
                        && message.contains(&format!("'{limit}'")),
                    "{limit}: {message}"
                );
                assert_eq!(out["ok"]["findings"], serde_json::json!([]), "{limit}");
                // The models call stops at the same budget.
                let models: Value = serde_json::from_str(&bridge::models(&text, &options)).unwrap();
                assert!(models["ok"].is_array(), "{models}");
            }
        })
        .unwrap()
        .join()
        .unwrap();
}
