//! Where secrets are written: the byte ranges of a file that hold a value
//! a rule classifies as secret, so that a front end which shows source
//! text (the CLI's code frames) can mask them. Only ranges are collected,
//! never the values.
//!
//! A range is secret when it holds
//!
//! - the default of a secure parameter (`secureString`, `secureObject`) or
//!   of a parameter named like a client secret, or its value in a
//!   parameter file;
//! - the value of a workload setting (app setting, connection string,
//!   container environment variable) that the model keeps out of the
//!   plugin JSON ([`setting_value_is_shareable`]): a secret-like name, a
//!   connection string, a credential marker — where the value is written,
//!   and, when it is exactly `[parameters('x')]` or `[variables('x')]`,
//!   where that parameter's or variable's value is written;
//! - a name/value pair of the same kind written anywhere in a file (a
//!   settings array held in a variable), found without the model;
//! - the key after a credential marker anywhere in the text:
//!   `AccountKey=`, `SharedAccessKey=`, `Password=`, `Pwd=`,
//!   `SharedAccessSignature=`, `sig=`, `client_secret=`, and the body of a
//!   PEM block (`-----BEGIN … PRIVATE KEY-----`). This scan needs no parse,
//!   so it also covers a template that does not parse.
//!
//! Inside a string only its content is secret (the quotes stay); in an
//! expression only its quoted literals, except the names passed to
//! `parameters()` and `variables()`.

use std::collections::HashMap;

use super::Model;
use super::json::setting_value_is_shareable;
use crate::expr::Val;
use crate::model::SettingKind;
use crate::source::{Document, Kind, NodeId, Span};
use crate::template::{FileId, Files};
use crate::vocab::{POINTER_SUFFIXES, contains_any, is_client_secret_name, with_squashed};

/// Credential markers (lowercase) whose value, up to the next separator,
/// is a secret. `true`: the marker must not follow a letter or digit
/// (`sig=` is not `config=`).
const MARKERS: &[(&str, bool)] = &[
    ("accountkey=", false),
    ("sharedaccesskey=", false),
    ("sharedaccesssignature=", false),
    ("password=", false),
    ("pwd=", true),
    ("sig=", true),
    ("client_secret=", false),
    ("clientsecret=", false),
];

/// Secret ranges found in one evaluation's model: parameters and
/// settings (the first two kinds of the module docs).
pub fn model_spans(model: &Model<'_>) -> Vec<(FileId, Span)> {
    let files = model.files;
    let mut out = Vec::new();
    for d in &model.eval.deployments {
        for p in &d.parameters {
            if p.is_secure() || is_client_secret_name(&p.name) {
                if let (Some(default), Some(entry)) = (p.default, files.get(d.file)) {
                    value_spans(&entry.doc, &entry.text, default, &mut |s| {
                        out.push((d.file, s));
                    });
                }
                if let Some((file, node)) = p.from_file
                    && let Some(entry) = files.get(file)
                {
                    value_spans(&entry.doc, &entry.text, node, &mut |s| out.push((file, s)));
                }
            }
        }
    }
    // Values passed to a nested deployment's secure parameters
    // (`properties.parameters.<name>.value` of the deployment resource).
    for d in &model.eval.deployments {
        let Some(r) = d.resource.and_then(|r| model.eval.resources.get(r)) else {
            continue;
        };
        let Some(entry) = files.get(r.file) else {
            continue;
        };
        let doc = &entry.doc;
        let Some(passed) = doc.get_path(r.node, &["properties", "parameters"]) else {
            continue;
        };
        for p in d
            .parameters
            .iter()
            .filter(|p| p.is_secure() || is_client_secret_name(&p.name))
        {
            if let Some(value) = doc.get(passed, &p.name).and_then(|v| doc.get(v, "value")) {
                value_spans(doc, &entry.text, value, &mut |s| out.push((r.file, s)));
            }
        }
    }
    // (file, template node) → deployment, to find the scope of an
    // expression's `parameters()` and `variables()`.
    let scopes: HashMap<(FileId, NodeId), usize> = model
        .eval
        .deployments
        .iter()
        .enumerate()
        .map(|(i, d)| ((d.file, d.template), i))
        .collect();
    for s in &model.settings {
        if s.is_reference || setting_value_is_shareable(s.kind, &s.name, &s.value, false) {
            continue;
        }
        let loc = s.location;
        let Some(entry) = files.get(loc.file) else {
            continue;
        };
        let doc = &entry.doc;
        // The location is the deepest node written along the setting's
        // path; only a string there is the value itself.
        let Some(raw) = doc.as_str(loc.node) else {
            continue;
        };
        value_spans(doc, &entry.text, loc.node, &mut |sp| {
            out.push((loc.file, sp))
        });
        // `[parameters('x')]` / `[variables('x')]`: where x is written.
        let Some((function, name)) = sole_reference(raw) else {
            continue;
        };
        let Some(deployment) = enclosing_deployment(doc, loc.node, loc.file, &scopes)
            .and_then(|i| model.eval.deployments.get(i))
        else {
            continue;
        };
        if function == "parameters" {
            for p in deployment
                .parameters
                .iter()
                .filter(|p| p.name.eq_ignore_ascii_case(name))
            {
                if let Some(default) = p.default {
                    value_spans(doc, &entry.text, default, &mut |sp| {
                        out.push((loc.file, sp))
                    });
                }
                if let Some((file, node)) = p.from_file
                    && let Some(pe) = files.get(file)
                {
                    value_spans(&pe.doc, &pe.text, node, &mut |sp| out.push((file, sp)));
                }
            }
        } else if let Some(var) = doc
            .get(deployment.template, "variables")
            .and_then(|v| doc.get(v, name))
        {
            value_spans(doc, &entry.text, var, &mut |sp| out.push((loc.file, sp)));
        }
    }
    out
}

/// Secret ranges of one file found without the model: credential markers
/// in the text and, when it parsed, secret name/value pairs.
pub fn file_spans(text: &str, doc: Option<&Document>) -> Vec<Span> {
    let mut out = marker_spans(text);
    if let Some(doc) = doc {
        setting_pairs(doc, text, &mut out);
    }
    out
}

/// The deployment whose template object encloses `node`.
fn enclosing_deployment(
    doc: &Document,
    node: NodeId,
    file: FileId,
    scopes: &HashMap<(FileId, NodeId), usize>,
) -> Option<usize> {
    let mut at = Some(node);
    while let Some(n) = at {
        if let Some(i) = scopes.get(&(file, n)) {
            return Some(*i);
        }
        at = doc.node(n).parent;
    }
    None
}

/// `("parameters" | "variables", name)` when an expression is exactly
/// one such call with a literal name.
fn sole_reference(raw: &str) -> Option<(&'static str, &str)> {
    let inner = raw.strip_prefix('[')?.strip_suffix(']')?.trim();
    for function in ["parameters", "variables"] {
        let Some(head) = inner.get(..function.len()) else {
            continue;
        };
        if !head.eq_ignore_ascii_case(function) {
            continue;
        }
        let rest = inner.get(function.len()..)?.trim_start();
        let name = rest
            .strip_prefix("('")?
            .strip_suffix("')")
            .filter(|n| !n.contains('\''))?;
        return Some((function, name));
    }
    None
}

/// Calls `push` with the secret ranges of a value node: the content of
/// every string in it (for an expression, its quoted literals but the
/// names given to `parameters()`/`variables()`), and every other scalar.
fn value_spans(doc: &Document, text: &str, node: NodeId, push: &mut dyn FnMut(Span)) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        let span = doc.span(n);
        match doc.kind(n) {
            Kind::Object(members) => stack.extend(members.iter().map(|m| m.value)),
            Kind::Array(items) => stack.extend(items.iter().copied()),
            Kind::String(s) => {
                let inner = Span::new(span.start.saturating_add(1), span.end.saturating_sub(1));
                if s.starts_with('[') && !s.starts_with("[[") {
                    expression_literals(text, inner, push);
                } else if !inner.is_empty() {
                    push(inner);
                }
            }
            Kind::Null | Kind::Bool(_) => {}
            Kind::Int(_) | Kind::Float(_) => push(span),
        }
    }
}

/// The quoted literals of the expression written at `span` of `text`
/// (raw source, so JSON escapes are still there), but those that name a
/// parameter or variable.
fn expression_literals(text: &str, span: Span, push: &mut dyn FnMut(Span)) {
    let Some(raw) = text.get(span.start as usize..span.end as usize) else {
        return;
    };
    let bytes = raw.as_bytes();
    let mut i = 0;
    while let Some(open) = memchr::memchr(b'\'', bytes.get(i..).unwrap_or_default()) {
        let start = i + open + 1;
        // The closing quote: a `'` not doubled.
        let mut j = start;
        let end = loop {
            match memchr::memchr(b'\'', bytes.get(j..).unwrap_or_default()) {
                Some(k) if bytes.get(j + k + 1) == Some(&b'\'') => j += k + 2,
                Some(k) => break Some(j + k),
                None => break None,
            }
        };
        let Some(end) = end else { return };
        let before = raw.get(..start - 1).unwrap_or("").trim_end();
        let names = ["parameters(", "variables("].iter().any(|f| {
            before.len() >= f.len()
                && before
                    .get(before.len() - f.len()..)
                    .is_some_and(|t| t.eq_ignore_ascii_case(f))
        });
        if !names && end > start {
            push(Span::new(
                span.start + u32::try_from(start).unwrap_or(0),
                span.start + u32::try_from(end).unwrap_or(0),
            ));
        }
        i = end + 1;
    }
}

/// Objects written as a setting (`{"name": …, "value": …}`, also
/// `secureValue` and `connectionString`) whose name is secret-like, and
/// object members whose key is (a `sites/config` `appsettings` object):
/// their literal values.
fn setting_pairs(doc: &Document, text: &str, out: &mut Vec<Span>) {
    // The model's classification for settings (what plugins never see);
    // a stricter one for any other key, where `key` or `token` in a name
    // (`keySource`, `tokenLifetime`) says little. A template repeats a few
    // hundred distinct keys and names many times: each is classified once.
    // foldhash: std's SipHash showed in profiles of this walk.
    let mut setting_names: HashMap<&str, bool, foldhash::fast::RandomState> = HashMap::default();
    let mut keys: HashMap<&str, bool, foldhash::fast::RandomState> = HashMap::default();
    let mut stack = vec![doc.root()];
    while let Some(n) = stack.pop() {
        match doc.kind(n) {
            Kind::Object(members) => {
                let named = doc
                    .get(n, "name")
                    .and_then(|v| doc.as_str(v))
                    .is_some_and(|name| {
                        *setting_names.entry(name).or_insert_with(|| {
                            is_client_secret_name(name)
                                || !setting_value_is_shareable(
                                    SettingKind::AppSetting,
                                    name,
                                    &Val::Null,
                                    false,
                                )
                        })
                    });
                for m in members.iter() {
                    stack.push(m.value);
                    if !matches!(doc.kind(m.value), Kind::String(_)) {
                        continue;
                    }
                    let value_key = named
                        && ["value", "secureValue", "connectionString"]
                            .iter()
                            .any(|k| m.key.eq_ignore_ascii_case(k));
                    if value_key || *keys.entry(&m.key).or_insert_with(|| secret_key(&m.key)) {
                        value_spans(doc, text, m.value, &mut |s| out.push(s));
                    }
                }
            }
            Kind::Array(items) => stack.extend(items.iter().copied()),
            _ => {}
        }
    }
}

/// Whether an object key names a secret value: a client secret, or a
/// password, connection string or key of a credential — not a name that
/// only points at one (`adminPasswordSecretName`, `keyVaultSecretUri`,
/// `passwordExpiry`).
fn secret_key(key: &str) -> bool {
    const WORDS: &[&[u8]] = &[
        b"password",
        b"passwd",
        b"connectionstring",
        b"accountkey",
        b"sharedaccesskey",
        b"privatekey",
        b"apikey",
        b"sastoken",
    ];
    if is_client_secret_name(key) {
        return true;
    }
    with_squashed(key, |squashed| {
        contains_any(squashed, WORDS) && !POINTER_SUFFIXES.iter().any(|p| squashed.ends_with(p))
    })
}

/// The values after credential markers, and PEM bodies, anywhere in the
/// text (ASCII case-insensitive). Every marker ends in `=`, so the scan
/// visits the `=` signs and looks back, instead of lowercasing the text.
fn marker_spans(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    for eq in memchr::memchr_iter(b'=', bytes) {
        let end_of_marker = eq + 1;
        let found = MARKERS.iter().find(|(marker, word_start)| {
            let Some(at) = end_of_marker.checked_sub(marker.len()) else {
                return false;
            };
            bytes
                .get(at..end_of_marker)
                .is_some_and(|w| w.eq_ignore_ascii_case(marker.as_bytes()))
                && !(*word_start
                    && at > 0
                    && bytes
                        .get(at - 1)
                        .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_'))
        });
        if found.is_none() {
            continue;
        }
        let start = end_of_marker;
        let len = bytes
            .get(start..)
            .unwrap_or_default()
            .iter()
            .position(|b| matches!(b, b';' | b'&' | b'"' | b'\'' | b' ' | b'\n' | b'\r' | b','))
            .unwrap_or(bytes.len().saturating_sub(start));
        if len > 0 {
            push_span(&mut out, start, start + len);
        }
    }
    // PEM: `-----BEGIN …-----` body `-----END`.
    let mut from = 0;
    while let Some(dashes) = memchr::memmem::find(bytes.get(from..).unwrap_or_default(), b"-----") {
        let begin = from + dashes;
        let is_begin = bytes
            .get(begin + 5..begin + 10)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"begin"));
        if !is_begin {
            from = begin + 5;
            continue;
        }
        // The body starts after the header's closing dashes.
        let Some(body) =
            memchr::memmem::find(bytes.get(begin + 10..).unwrap_or_default(), b"-----")
                .map(|i| begin + 10 + i + 5)
        else {
            break;
        };
        let end = find_ignore_case(bytes, body, b"-----end").unwrap_or(bytes.len());
        if end > body {
            push_span(&mut out, body, end);
        }
        from = end.max(begin + 1);
    }
    out
}

/// The first `needle` (lowercase) in `bytes` at or after `from`, ASCII
/// case-insensitively.
fn find_ignore_case(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    let mut at = from;
    while let Some(i) = memchr::memchr(first, bytes.get(at..).unwrap_or_default()) {
        let pos = at + i;
        if bytes
            .get(pos..pos + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
        {
            return Some(pos);
        }
        at = pos + 1;
    }
    None
}

fn push_span(out: &mut Vec<Span>, start: usize, end: usize) {
    if let (Ok(s), Ok(e)) = (u32::try_from(start), u32::try_from(end)) {
        out.push(Span::new(s, e));
    }
}

/// Secret ranges of every file of one check, by file path: the model's of
/// every evaluation and each file's own, sorted and merged.
pub fn by_path(files: &Files, models: &[Model<'_>]) -> Vec<(String, Vec<Span>)> {
    let mut spans: HashMap<&str, Vec<Span>> = HashMap::new();
    let mut scanned: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for entry in &files.entries {
        // Views share their file's text; it is scanned once, as a whole.
        if !entry.pointer_prefix.is_empty() || !scanned.insert(entry.path.as_str()) {
            continue;
        }
        spans
            .entry(entry.path.as_str())
            .or_default()
            .extend(file_spans(&entry.text, Some(&entry.doc)));
    }
    for model in models {
        for (file, span) in model_spans(model) {
            if let Some(entry) = files.get(file) {
                spans.entry(entry.path.as_str()).or_default().push(span);
            }
        }
    }
    let mut out: Vec<(String, Vec<Span>)> = spans
        .into_iter()
        .filter(|(_, s)| !s.is_empty())
        .map(|(path, s)| (path.to_string(), merge(s)))
        .collect();
    out.sort();
    out
}

/// Sorted, overlapping and touching ranges joined.
pub fn merge(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort();
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans.into_iter().filter(|s| !s.is_empty()) {
        match out.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str, spans: &[Span]) -> String {
        let mut bytes = text.as_bytes().to_vec();
        for s in spans {
            for b in &mut bytes[s.start as usize..s.end as usize] {
                *b = b'*';
            }
        }
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn markers_mask_the_key_not_the_marker() {
        let text = r#""DefaultEndpointsProtocol=https;AccountName=sa;AccountKey=abc/DEF+==;EndpointSuffix=core.windows.net" "Server=x;Password=p@ss;" "https://x/?sv=1&sig=SIGVALUE&se=2" "config=fine" "Endpoint=sb://x/;SharedAccessKeyName=n;SharedAccessKey=KEYVALUE""#;
        let m = masked(text, &merge(marker_spans(text)));
        for secret in ["abc/DEF+==", "p@ss", "SIGVALUE", "KEYVALUE"] {
            assert!(!m.contains(secret), "{m}");
        }
        for kept in [
            "AccountKey=",
            "AccountName=sa",
            "Password=",
            "sig=",
            "config=fine",
            "SharedAccessKeyName=n",
        ] {
            assert!(m.contains(kept), "{kept}: {m}");
        }
        let pem =
            "\"-----BEGIN RSA PRIVATE KEY-----\\nMIIEsecret\\n-----END RSA PRIVATE KEY-----\"";
        let m = masked(pem, &merge(marker_spans(pem)));
        assert!(!m.contains("MIIEsecret") && m.contains("-----END"), "{m}");
    }

    #[test]
    fn expressions_keep_parameter_and_variable_names() {
        let text =
            "[concat('AccountKey=', parameters('key'), 'LITERAL', variables( 'v' ), 'it''s')]";
        let mut spans = Vec::new();
        expression_literals(text, Span::new(0, text.len() as u32), &mut |s| {
            spans.push(s)
        });
        let m = masked(text, &spans);
        assert_eq!(
            m,
            "[concat('***********', parameters('key'), '*******', variables( 'v' ), '*****')]"
        );
    }

    #[test]
    fn sole_references() {
        assert_eq!(
            sole_reference("[parameters('x')]"),
            Some(("parameters", "x"))
        );
        assert_eq!(
            sole_reference("[ Variables ('y') ]"),
            Some(("variables", "y"))
        );
        assert_eq!(sole_reference("[concat(parameters('x'))]"), None);
        assert_eq!(sole_reference("plain"), None);
    }

    #[test]
    fn setting_pairs_anywhere() {
        let text = r#"{"variables": {"settings": [
            {"name": "AZURE_CLIENT_SECRET", "value": "CS-VALUE"},
            {"name": "WEBSITE_RUN_FROM_PACKAGE", "value": "1"},
            {"name": "clientSecretSettingName", "value": "MASKED-TOO"}
        ], "cfg": {"DB_PASSWORD": "PW-VALUE", "region": "weu", "keySource": "Microsoft.Storage",
                   "adminPasswordSecretName": "pw-name", "passwordExpiry": "2027-01-31"}}}"#;
        let doc = Document::parse(text).unwrap();
        let m = masked(text, &merge(file_spans(text, Some(&doc))));
        // A setting is classified as the model JSON does (a `secret` in its
        // name is enough, even for a pointer), other keys more strictly.
        for secret in ["CS-VALUE", "PW-VALUE", "MASKED-TOO"] {
            assert!(!m.contains(secret), "{secret}: {m}");
        }
        for kept in ["\"1\"", "weu", "Microsoft.Storage", "pw-name", "2027-01-31"] {
            assert!(m.contains(kept), "{kept}: {m}");
        }
    }

    /// The ranges a check returns cover every planted secret, in the
    /// template and in the parameter file, and nothing else of note.
    #[test]
    fn a_check_reports_where_secrets_are() {
        use crate::api::{CheckOptions, SourceFile, check_template};
        let template = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "parameters": {
    "adminPassword": { "type": "secureString", "defaultValue": "PLANTED-1" },
    "clientSecret": { "type": "string", "defaultValue": "PLANTED-2" },
    "opaque": { "type": "secureObject", "defaultValue": { "k": "PLANTED-3", "n": 42 } },
    "fromFile": { "type": "secureString" },
    "appName": { "type": "string", "defaultValue": "app-visible" }
  },
  "variables": {
    "conn": "Endpoint=sb://x/;SharedAccessKeyName=root;SharedAccessKey=PLANTED-4"
  },
  "resources": [
    {
      "type": "Microsoft.Web/sites",
      "apiVersion": "2022-03-01",
      "name": "[parameters('appName')]",
      "location": "westeurope",
      "properties": {
        "siteConfig": {
          "appSettings": [
            { "name": "AZURE_CLIENT_SECRET", "value": "[parameters('clientSecret')]" },
            { "name": "SERVICEBUS", "value": "[variables('conn')]" },
            { "name": "OTHER_SECRET", "value": "PLANTED-5" },
            { "name": "REGION", "value": "visible-region" }
          ],
          "connectionStrings": [
            { "name": "db", "connectionString": "Server=x;Database=y;Password=PLANTED-6", "type": "SQLAzure" }
          ]
        }
      }
    },
    {
      "type": "Microsoft.Resources/deployments",
      "apiVersion": "2022-09-01",
      "name": "nested",
      "properties": {
        "mode": "Incremental",
        "expressionEvaluationOptions": { "scope": "inner" },
        "parameters": { "pw": { "value": "PLANTED-7" } },
        "template": {
          "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
          "parameters": { "pw": { "type": "secureString" } },
          "resources": []
        }
      }
    }
  ]
}"#;
        let params = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
  "parameters": {
    "fromFile": { "value": "PLANTED-8" },
    "clientSecret": { "value": "PLANTED-9" },
    "appName": { "value": "visible-app" }
  }
}"#;
        let policy = crate::policy::Policy::default_policy();
        let options = CheckOptions {
            policy: &policy,
            today: None,
        };
        let t = SourceFile {
            path: "main.json".to_string(),
            text: template.to_string(),
        };
        let p = SourceFile {
            path: "main.parameters.json".to_string(),
            text: params.to_string(),
        };
        let result = check_template(&t, &[p], &|_: &str| None, &options);
        assert!(result.findings.iter().any(|f| f.code == "MI501"));
        let masked = |file: &str, text: &str| {
            result
                .secrets
                .iter()
                .find(|s| s.file == file)
                .map_or(text.to_string(), |s| s.mask(text))
        };
        let t = masked("main.json", template);
        let p = masked("main.parameters.json", params);
        for n in 1..=9 {
            let planted = format!("PLANTED-{n}");
            assert!(
                !t.contains(&planted) && !p.contains(&planted),
                "{planted}:\n{t}\n{p}"
            );
        }
        // Connection strings are secret as a whole (as in the model JSON);
        // names, other settings and expressions stay readable.
        for kept in [
            "app-visible",
            "visible-region",
            "AZURE_CLIENT_SECRET",
            "parameters('clientSecret')",
            "variables('conn')",
            "\"SQLAzure\"",
        ] {
            assert!(t.contains(kept), "{kept}:\n{t}");
        }
        assert!(p.contains("visible-app"), "{p}");
        // Lines and columns are kept.
        assert_eq!(t.lines().count(), template.lines().count());
        assert!(
            t.lines()
                .zip(template.lines())
                .all(|(a, b)| a.chars().count() == b.chars().count())
        );
    }

    #[test]
    fn a_template_that_does_not_parse_still_has_its_markers() {
        use crate::api::{CheckOptions, SourceFile, check_template};
        let text = "{ \"a\": \"AccountKey=PLANTED-X;\" oops }";
        let policy = crate::policy::Policy::default_policy();
        let options = CheckOptions {
            policy: &policy,
            today: None,
        };
        let t = SourceFile {
            path: "t.json".to_string(),
            text: text.to_string(),
        };
        let result = check_template(&t, &[], &|_: &str| None, &options);
        assert!(result.files[0].error.is_some());
        let s = result.secrets.iter().find(|s| s.file == "t.json").unwrap();
        assert!(!s.mask(text).contains("PLANTED-X"), "{}", s.mask(text));
    }
}
