//! String values against Bicep's compiled output: for every `var`, `param`
//! default and `output` of a valid baseline whose value is a string literal
//! without holes, the cooked value equals its value in Bicep's `main.json`
//! (escapes, `\u{…}` incl. surrogate pairs, multi-line strings).
#![allow(
    clippy::disallowed_methods,
    reason = "the test reads the shared oracle data; the library does no I/O"
)]

mod support;

use idguard_bicep::ast::{Expr, Statement};
use idguard_bicep::parse_bicep;

#[test]
fn literal_strings_cook_to_bicep_values() {
    let Some(root) = support::baselines() else {
        return;
    };
    let (mut compared, mut failures) = (0, Vec::new());
    for json_path in support::files(&root.join("baselines"), "main.json") {
        let dir = json_path.parent().expect("dir");
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with("Invalid") {
            continue;
        }
        let text = support::read(&dir.join("main.bicep"));
        let json: serde_json::Value =
            serde_json::from_str(&support::read(&json_path)).expect("json");
        let parsed = parse_bicep(&text);
        for s in &parsed.program.statements {
            // (where the value sits in the compiled JSON, name, value)
            let (section, field, name, value) = match s {
                Statement::Var(v) => ("variables", None, v.name.as_str(), &v.value),
                Statement::Param(p) => match &p.default {
                    Some(d) => ("parameters", Some("defaultValue"), p.name.as_str(), d),
                    None => continue,
                },
                Statement::Output(o) => ("outputs", Some("value"), o.name.as_str(), &o.value),
                _ => continue,
            };
            let Expr::String(lit) = value else { continue };
            let Some(value) = lit.as_str() else { continue };
            let mut node = &json[section][name];
            if let Some(f) = field {
                node = &node[f];
            }
            let Some(expected) = node.as_str() else {
                continue;
            };
            // ARM writes a leading `[` as `[[`.
            let expected = expected
                .strip_prefix('[')
                .filter(|e| e.starts_with('['))
                .unwrap_or(expected);
            compared += 1;
            if value != expected {
                failures.push(format!(
                    "{name}: {section} {name}: {value:?} != {expected:?}"
                ));
            }
        }
    }
    println!("{compared} string values compared");
    assert!(compared >= 50, "only {compared} string values found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
