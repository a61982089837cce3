//! `eval_node`: JSON subtrees, expression keys, property copy loops, and
//! `LoopScope`.
mod expr_support;

use expr_support::*;
use idguard_core::expr::{
    Context, LoopScope, Unknown, Val, eval_key, eval_node, eval_string, key_string,
};
use idguard_core::source::Document;
use serde_json::json;

fn node(c: &dyn Context, text: &str) -> Val {
    let doc = Document::parse(text).expect("test JSON parses");
    eval_node(&doc, doc.root(), c)
}

#[test]
fn evaluates_strings_everywhere() {
    let c = Mock::new().param("n", s("x"));
    let v = node(
        &c,
        r#"{"a": "[parameters('n')]", "b": [1, "[[lit]", true, null, 1.5], "c": {"d": "plain"}}"#,
    );
    assert_eq!(
        json(&v),
        json!({"a": "x", "b": [1, "[lit]", true, null, 1.5], "c": {"d": "plain"}})
    );
}

#[test]
fn expression_keys_are_evaluated_and_unknown_keys_kept() {
    let c = Mock::new();
    let text = r#"{"type": "UserAssigned", "userAssignedIdentities": {
        "[format('{0}', resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'u1'))]": {},
        "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', parameters('u2'))]": {},
        "[[literal]": 1
    }}"#;
    let v = node(&c, text);
    let uai = v
        .get("userAssignedIdentities")
        .unwrap()
        .as_object()
        .unwrap();
    let keys: Vec<&str> = uai.keys().map(|k| &**k).collect();
    assert_eq!(keys.len(), 3);
    let expected_u1 = "/subscriptions/{subscription().subscriptionId}/resourceGroups/{resourceGroup().name}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/u1";
    assert_eq!(keys[0], expected_u1);
    assert!(keys[1].ends_with("/userAssignedIdentities/{parameters('u2')}"));
    assert_eq!(keys[2], "[literal]");
    // The caller recovers the key's value.
    let raw =
        "[format('{0}', resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'u1'))]";
    let k = eval_key(raw, &c);
    assert!(matches!(k.as_unknown(), Some(Unknown::Str(_))));
    assert_eq!(&*key_string(&k), expected_u1);
    assert_eq!(&*key_string(&s("plain")), "plain");
    assert_eq!(&*key_string(&Val::Int(3)), "3");
}

#[test]
fn property_copy_loops_expand() {
    let c = Mock::new().param("names", Val::from_json(&json!(["a", "b", "c"])));
    let text = r#"{
        "other": 1,
        "copy": [
            {"name": "subnets", "count": "[length(parameters('names'))]",
             "input": {"name": "[parameters('names')[copyIndex('subnets')]]", "i": "[copyIndex('subnets', 1)]"}},
            {"name": "empty", "count": 0, "input": "x"}
        ]
    }"#;
    let v = node(&c, text);
    assert_eq!(
        json(&v),
        json!({
            "other": 1,
            "subnets": [{"name": "a", "i": 1}, {"name": "b", "i": 2}, {"name": "c", "i": 3}],
            "empty": []
        })
    );
}

#[test]
fn copy_loops_with_unknown_or_huge_counts_are_unknown() {
    let c = Mock::new();
    let v = node(
        &c,
        r#"{"copy": [{"name": "xs", "count": "[parameters('n')]", "input": 1}]}"#,
    );
    let xs = v.get("xs").unwrap();
    assert!(
        opaque_reason(xs).contains("count of copy loop 'xs' is not known"),
        "{xs:?}"
    );
    let v = node(
        &c,
        r#"{"copy": [{"name": "xs", "count": 1001, "input": 1}]}"#,
    );
    assert!(opaque_reason(v.get("xs").unwrap()).contains("more than the 1000"));
    let v = node(&c, r#"{"copy": [{"name": "xs", "count": -1, "input": 1}]}"#);
    assert!(v.get("xs").unwrap().is_unknown());
    // Nested loops: the inner loop sees the outer index by name.
    let v = node(
        &c,
        r#"{"copy": [{"name": "o", "count": 2, "input": {"copy": [{"name": "i", "count": 2,
            "input": "[concat(string(copyIndex('o')), '-', string(copyIndex('i')))]"}]}}]}"#,
    );
    assert_eq!(
        json(&v),
        json!({"o": [{"i": ["0-0", "0-1"]}, {"i": ["1-0", "1-1"]}]})
    );
    // Not the loop shape: an ordinary property.
    let v = node(&c, r#"{"copy": {"name": "r", "count": 2}}"#);
    assert_eq!(json(&v), json!({"copy": {"name": "r", "count": 2}}));
    let v = node(&c, r#"{"copy": ["a"]}"#);
    assert_eq!(json(&v), json!({"copy": ["a"]}));
}

#[test]
fn loop_scope_binds_names_and_unnamed_index() {
    let c = Mock::new();
    let named = LoopScope::named(&c, "disks", Val::Int(2));
    assert_eq!(eval_string("[copyIndex('DISKS')]", &named), Val::Int(2));
    assert!(eval_string("[copyIndex()]", &named).is_unknown());
    let res = LoopScope::resource(&c, "vms", Val::Int(4));
    assert_eq!(eval_string("[copyIndex()]", &res), Val::Int(4));
    assert_eq!(eval_string("[copyIndex(10)]", &res), Val::Int(14));
    assert_eq!(eval_string("[copyIndex('vms', 1)]", &res), Val::Int(5));
    let inner = LoopScope::named(&res, "nics", Val::Int(0));
    assert_eq!(
        eval_string(
            "[format('{0}-{1}', copyIndex(), copyIndex('nics'))]",
            &inner
        ),
        s("4-0")
    );
    assert!(eval_string("[copyIndex('other')]", &inner).is_unknown());
}
