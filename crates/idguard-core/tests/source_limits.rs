//! The source layer under hostile sizes: deep nesting is a clean error, not
//! a stack overflow; big files and huge objects parse in linear time.

use idguard_core::source::{Document, Kind, MAX_DEPTH};

fn nesting_error(text: &str) {
    let err = Document::parse(text).unwrap_err();
    assert_eq!(
        err.message,
        format!("nesting deeper than {MAX_DEPTH} levels")
    );
    assert!(err.message.contains("nesting"));
}

#[test]
fn hundred_thousand_open_brackets_is_an_error() {
    let text = "[".repeat(100_000);
    nesting_error(&text);
    let err = Document::parse(&text).unwrap_err();
    assert_eq!(err.offset as usize, MAX_DEPTH);
    // Closed, too.
    nesting_error(&format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)));
}

#[test]
fn hundred_thousand_open_objects_is_an_error() {
    let text = "{\"a\":".repeat(100_000);
    nesting_error(&text);
    nesting_error(&format!(
        "{}1{}",
        "{\"a\":".repeat(100_000),
        "}".repeat(100_000)
    ));
    nesting_error(&"[{\"a\":".repeat(100_000));
}

#[test]
fn deep_but_allowed_documents_drop_and_convert_without_recursion() {
    let text = format!(
        "{}1{}",
        "[{\"a\":".repeat(MAX_DEPTH / 2),
        "}]".repeat(MAX_DEPTH / 2)
    );
    let doc = Document::parse(&text).unwrap();
    assert_eq!(doc.len(), MAX_DEPTH + 1);
    let json = doc.to_json(doc.root());
    assert!(json.is_array());
}

/// A template-like document of about `bytes` bytes.
fn big_template(bytes: usize) -> String {
    let mut text = String::with_capacity(bytes + 4096);
    text.push_str("{\n  \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",\n  \"resources\": [\n");
    let mut i = 0u64;
    while text.len() < bytes {
        if i > 0 {
            text.push_str(",\n");
        }
        text.push_str(&format!(
            "    {{\n      \"type\": \"Microsoft.ManagedIdentity/userAssignedIdentities\",\n      \
             \"apiVersion\": \"2023-01-31\",\n      \"name\": \"[format('id-{{0}}-{i}', parameters('env'))]\",\n      \
             // a comment\n      \"location\": \"[resourceGroup().location]\",\n      \
             \"properties\": {{ \"count\": {i}, \"ratio\": {i}.5, \"enabled\": true, \"tags\": [\"a\\tb\", null, -1e3,], }},\n      \
             \"dependsOn\": []\n    }}"
        ));
        i += 1;
    }
    text.push_str("\n  ]\n}\n");
    text
}

#[test]
fn a_big_file_parses() {
    // 10 MB in debug builds keeps the test quick; the bench measures 50 MB
    // in release.
    let size = if cfg!(debug_assertions) {
        10 << 20
    } else {
        50 << 20
    };
    let text = big_template(size);
    let doc = Document::parse(&text).unwrap();
    let resources = doc.get(doc.root(), "resources").unwrap();
    let n = doc.items(resources).len();
    assert!(n > 10_000, "{n} resources");
    let last = *doc.items(resources).last().unwrap();
    let count = doc.get_path(last, &["properties", "count"]).unwrap();
    assert_eq!(doc.kind(count), &Kind::Int(n as i64 - 1));
    assert_eq!(doc.span(doc.root()).end as usize, text.len() - 1);
}

#[test]
fn objects_with_many_keys_stay_linear() {
    let n = 200_000;
    let mut text = String::from("{");
    for i in 0..n {
        text.push_str(&format!("\"key{i}\":{i},"));
    }
    // Every key repeated once more: the later value wins.
    for i in 0..n {
        text.push_str(&format!("\"key{i}\":\"v{i}\","));
    }
    text.push('}');
    let doc = Document::parse(&text).unwrap();
    let members = doc.members(doc.root());
    assert_eq!(members.len(), n);
    assert_eq!(&*members[12345].key, "key12345");
    assert_eq!(doc.as_str(members[12345].value), Some("v12345"));

    // The same key many times.
    let text = format!("{{{}\"a\":\"last\"}}", "\"a\":1,".repeat(n));
    let doc = Document::parse(&text).unwrap();
    assert_eq!(doc.members(doc.root()).len(), 1);
    assert_eq!(doc.as_str(doc.get(doc.root(), "a").unwrap()), Some("last"));
}

#[test]
fn long_strings_and_comments() {
    let body = "x".repeat(5 << 20);
    let doc = Document::parse(&format!("\"{body}\"")).unwrap();
    assert_eq!(doc.as_str(doc.root()).map(str::len), Some(body.len()));

    let escaped = "\\n\\u00e9".repeat(500_000);
    let doc = Document::parse(&format!("\"{escaped}\"")).unwrap();
    assert_eq!(
        doc.as_str(doc.root()).map(|s| s.chars().count()),
        Some(1_000_000)
    );

    let text = format!("/*{}*/ 1 //{}", "*".repeat(1 << 20), "/".repeat(1 << 20));
    assert_eq!(Document::parse(&text).unwrap().len(), 1);
}
