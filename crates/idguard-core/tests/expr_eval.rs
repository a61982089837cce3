//! Evaluator: every function family with known and unknown arguments.
mod expr_support;

use std::rc::Rc;

use expr_support::*;
use idguard_core::expr::{TargetScope, Unknown, Val, eval_string};
use serde_json::json;

fn m() -> Mock {
    Mock::new()
}

// ---------------------------------------------------------------- literals

#[test]
fn literals_and_escapes() {
    let c = m();
    assert_eq!(c.eval("plain"), s("plain"));
    assert_eq!(c.eval("[[not an expression]"), s("[not an expression]"));
    assert_eq!(c.eval("[[variables('x')]"), s("[variables('x')]"));
    assert_eq!(c.eval("['it''s']"), s("it's"));
    assert_eq!(c.eval("[-5]"), Val::Int(-5));
    assert_eq!(c.eval("[true()]"), Val::Bool(true));
    assert_eq!(c.eval("[false()]"), Val::Bool(false));
    assert_eq!(c.eval("[null()]"), Val::Null);
    let bad = c.eval("[concat('a']");
    assert!(
        opaque_reason(&bad).starts_with("invalid expression:"),
        "{bad:?}"
    );
}

#[test]
fn unknown_function_is_opaque() {
    let v = m().eval("[fooBar(1)]");
    assert_eq!(opaque_reason(&v), "unknown function 'fooBar'");
    let v = m().eval("[ns.f(1)]");
    assert_eq!(opaque_reason(&v), "unknown function 'ns.f'");
}

// -------------------------------------------------------- deployment data

#[test]
fn parameters_and_variables() {
    let c = m()
        .param("name", s("uami1"))
        .var("x", "[concat(parameters('name'), '-x')]")
        .var("loop", "[variables('loop')]");
    assert_eq!(c.eval("[parameters('NAME')]"), s("uami1"));
    assert_eq!(c.eval("[variables('x')]"), s("uami1-x"));
    assert_eq!(
        c.eval("[parameters('missing')]"),
        Val::unknown(Unknown::Parameter("missing".into()))
    );
    assert!(opaque_reason(&c.eval("[variables('loop')]")).contains("itself"));
}

#[test]
fn copy_index_outside_a_loop_is_unknown() {
    let v = m().eval("[copyIndex()]");
    assert!(opaque_reason(&v).contains("outside a copy loop"));
    let v = m().eval("[copyIndex('x', 1)]");
    assert!(opaque_reason(&v).contains("copyIndex('x')"));
}

#[test]
fn user_functions_bind_their_parameters() {
    let c = m()
        .param("p", s("template-param"))
        .var("v", "template-var")
        .func(
            "ns",
            "greet",
            &["name"],
            "format('hello {0}', parameters('name'))",
        )
        .func("ns", "peek", &[], "variables('v')")
        .func("ns", "outer", &["x"], "ns.greet(toUpper(parameters('x')))")
        .func("ns", "rec", &["x"], "ns.rec(parameters('x'))");
    assert_eq!(c.eval("[ns.greet('bob')]"), s("hello bob"));
    assert_eq!(
        c.eval("[NS.GREET(parameters('p'))]"),
        s("hello template-param")
    );
    assert_eq!(c.eval("[ns.outer('x')]"), s("hello X"));
    assert!(opaque_reason(&c.eval("[ns.peek()]")).contains("variables()"));
    assert!(opaque_reason(&c.eval("[ns.greet()]")).contains("takes 1 arguments"));
    assert!(opaque_reason(&c.eval("[ns.rec(1)]")).contains("nest deeper"));
}

#[test]
fn lambdas() {
    let c = m();
    assert_eq!(
        json(&c.eval("[map(range(0, 3), lambda('i', format('vm{0}', lambdaVariables('i'))))]")),
        json!(["vm0", "vm1", "vm2"])
    );
    assert_eq!(
        json(&c.eval("[map(createArray('a', 'b'), lambda('x', 'i', concat(lambdaVariables('x'), string(lambdaVariables('i')))))]")),
        json!(["a0", "b1"])
    );
    assert_eq!(
        json(
            &c.eval("[filter(range(0, 6), lambda('i', equals(mod(lambdaVariables('i'), 2), 0)))]")
        ),
        json!([0, 2, 4])
    );
    assert_eq!(
        c.eval("[reduce(range(1, 4), 0, lambda('acc', 'n', add(lambdaVariables('acc'), lambdaVariables('n'))))]"),
        Val::Int(10)
    );
    assert_eq!(
        json(&c.eval("[sort(createArray(3, 1, 2), lambda('a', 'b', less(lambdaVariables('a'), lambdaVariables('b'))))]")),
        json!([1, 2, 3])
    );
    assert_eq!(
        json(&c.eval("[toObject(createArray('a', 'b'), lambda('x', lambdaVariables('x')), lambda('x', toUpper(lambdaVariables('x'))))]")),
        json!({"a": "A", "b": "B"})
    );
    assert_eq!(
        json(&c.eval(
            "[mapValues(createObject('a', 1, 'b', 2), lambda('v', mul(lambdaVariables('v'), 10)))]"
        )),
        json!({"a": 10, "b": 20})
    );
    assert_eq!(
        json(&c.eval(
            "[groupBy(createArray('ab', 'ac', 'b'), lambda('x', first(lambdaVariables('x'))))]"
        )),
        json!({"a": ["ab", "ac"], "b": ["b"]})
    );
    // Nested lambdas see outer variables.
    assert_eq!(
        json(&c.eval("[map(range(0, 2), lambda('i', map(range(0, 2), lambda('j', add(lambdaVariables('i'), lambdaVariables('j'))))))]")),
        json!([[0, 1], [1, 2]])
    );
    // Unknown collection → unknown; unknown predicate → unknown.
    assert!(
        c.eval("[map(parameters('xs'), lambda('x', 1))]")
            .is_unknown()
    );
    assert!(
        c.eval("[filter(createArray(1), lambda('x', equals(parameters('p'), 1)))]")
            .is_unknown()
    );
    assert!(opaque_reason(&c.eval("[lambdaVariables('nope')]")).contains("outside a lambda"));
    assert!(opaque_reason(&c.eval("[lambda('x', 1)]")).contains("lambda()"));
    assert!(opaque_reason(&c.eval("[map(range(0, 2), 'x')]")).contains("lambda"));
}

// ---------------------------------------------------------------- strings

#[test]
fn concat_and_format() {
    let c = m().param("a", s("A"));
    assert_eq!(c.eval("[concat('a', 'b', 1, true())]"), s("ab1True"));
    assert_eq!(
        json(&c.eval("[concat(createArray(1), createArray(2, 3))]")),
        json!([1, 2, 3])
    );
    assert_eq!(
        c.eval("[format('{0}/{1}', parameters('a'), 'b')]"),
        s("A/b")
    );
    assert_eq!(c.eval("[format('{{{0}}}', 'x')]"), s("{x}"));
    assert_eq!(
        c.eval("[format('{0:D3}-{1,4}|{2,-3}|', 7, 'ab', 'c')]"),
        s("007-  ab|c  |")
    );
    assert_eq!(c.eval("[format('{0} {0}', 'x')]"), s("x x"));
    assert!(opaque_reason(&c.eval("[format('{1}', 'x')]")).contains("placeholder"));
    assert!(opaque_reason(&c.eval("[format('{0', 'x')]")).contains("without"));
}

#[test]
fn partial_strings_keep_known_pieces() {
    let c = m();
    let v = c.eval("[format('{0}/{1}', parameters('a'), 'b')]");
    assert_eq!(v, partial(vec![hole(param_u("a")), lit("/b")]));
    let v = c.eval("[concat('x-', concat(parameters('a'), '-', parameters('b')), '-y')]");
    assert_eq!(
        v,
        partial(vec![
            lit("x-"),
            hole(param_u("a")),
            lit("-"),
            hole(param_u("b")),
            lit("-y")
        ])
    );
    assert_eq!(
        v.as_unknown().unwrap().to_string(),
        "x-{parameters('a')}-{parameters('b')}-y"
    );
    let v = c.eval("[toLower(concat('ABC-', parameters('a')))]");
    assert_eq!(v, partial(vec![lit("abc-"), hole(param_u("a"))]));
    let v = c.eval("[toUpper(concat('abc-', parameters('a')))]");
    assert_eq!(v, partial(vec![lit("ABC-"), hole(param_u("a"))]));
    let v = c.eval("[string(concat('abc-', parameters('a')))]");
    assert_eq!(v, partial(vec![lit("abc-"), hole(param_u("a"))]));
    // Other functions of an unknown name the function.
    let v = c.eval("[replace(parameters('a'), 'x', 'y')]");
    assert!(opaque_reason(&v).starts_with("replace()"), "{v:?}");
    let v = c.eval("[length(parameters('a'))]");
    assert!(opaque_reason(&v).contains("parameters('a')"));
}

#[test]
fn string_functions() {
    let c = m();
    let cases: &[(&str, Val)] = &[
        ("[toLower('AbC')]", s("abc")),
        ("[toUpper('AbC')]", s("ABC")),
        ("[replace('a-b-c', '-', '')]", s("abc")),
        ("[substring('hello', 1, 3)]", s("ell")),
        ("[substring('hello', 2)]", s("llo")),
        ("[trim('  x ')]", s("x")),
        ("[startsWith('abcdef', 'AB')]", Val::Bool(true)),
        ("[endsWith('abcdef', 'EF')]", Val::Bool(true)),
        ("[endsWith('abcdef', 'e')]", Val::Bool(false)),
        ("[contains('OneTwo', 'Two')]", Val::Bool(true)),
        ("[contains('OneTwo', 'two')]", Val::Bool(false)),
        ("[indexOf('test', 'T')]", Val::Int(0)),
        ("[lastIndexOf('abcabc', 'bc')]", Val::Int(4)),
        ("[indexOf('abc', 'z')]", Val::Int(-1)),
        ("[padLeft('123', 5, '0')]", s("00123")),
        ("[padLeft(7, 3)]", s("  7")),
        ("[take('abcdef', 2)]", s("ab")),
        ("[skip('abcdef', 4)]", s("ef")),
        ("[first('abc')]", s("a")),
        ("[last('abc')]", s("c")),
        ("[length('héllo')]", Val::Int(5)),
        ("[empty('')]", Val::Bool(true)),
        ("[string(1)]", s("1")),
        ("[string(true())]", s("True")),
        ("[string(createObject('a', 1))]", s("{\"a\":1}")),
        ("[string(createArray('a', 1))]", s("[\"a\",1]")),
        ("[int('42')]", Val::Int(42)),
        ("[bool('TRUE')]", Val::Bool(true)),
        ("[bool(0)]", Val::Bool(false)),
        ("[base64('hello')]", s("aGVsbG8=")),
        ("[base64ToString('aGVsbG8=')]", s("hello")),
        ("[base64ToString(base64('ünï'))]", s("ünï")),
        ("[uriComponent('a b/c')]", s("a%20b%2Fc")),
        ("[uriComponentToString('a%20b%2Fc')]", s("a b/c")),
        (
            "[uri('http://contoso.com/resources/', 'nested/azuredeploy.json')]",
            s("http://contoso.com/resources/nested/azuredeploy.json"),
        ),
        (
            "[uri('http://contoso.com/resources/a.json', 'b.json')]",
            s("http://contoso.com/resources/b.json"),
        ),
        (
            "[uri('http://contoso.com/a/b', '/c')]",
            s("http://contoso.com/c"),
        ),
        (
            "[dataUri('Hello')]",
            s("data:text/plain;charset=utf8;base64,SGVsbG8="),
        ),
        (
            "[dataUriToString('data:;base64,SGVsbG8sIFdvcmxkIQ==')]",
            s("Hello, World!"),
        ),
        ("[join(createArray('a', 'b'), ',')]", s("a,b")),
    ];
    for (expr, want) in cases {
        assert_eq!(&c.eval(expr), want, "{expr}");
    }
    assert_eq!(
        json(&c.eval("[split('a,b;c', createArray(',', ';'))]")),
        json!(["a", "b", "c"])
    );
    assert_eq!(json(&c.eval("[split('a,,b', ',')]")), json!(["a", "", "b"]));
    assert_eq!(
        json(&c.eval("[json('{\"a\": [1, null]}')]")),
        json!({"a": [1, null]})
    );
    assert_eq!(c.eval("[json('null')]"), Val::Null);
    for bad in [
        "[substring('abc', 2, 5)]",
        "[int('x')]",
        "[json('{')]",
        "[replace('a', '', 'b')]",
        "[base64ToString('!!')]",
        "[padLeft('a', 100000000)]",
        "[toLower(1)]",
    ] {
        assert!(c.eval(bad).is_unknown(), "{bad}");
    }
}

#[test]
fn starts_with_on_partial_strings() {
    let c = m();
    let v = c.eval("[startsWith(subscription().id, '/SUBSCRIPTIONS/')]");
    assert_eq!(v, Val::Bool(true));
    let v = c.eval("[startsWith(resourceGroup().id, '/providers/')]");
    assert_eq!(v, Val::Bool(false));
    let v = c.eval("[startsWith(subscription().id, '/subscriptions/abc')]");
    assert!(v.is_unknown());
    let v = c.eval("[endsWith(concat(parameters('a'), '-kv'), '-KV')]");
    assert_eq!(v, Val::Bool(true));
}

#[test]
fn guid_unique_string_and_time() {
    let c = m().var("x", "vx");
    let v = c.eval("[guid(resourceGroup().id, variables('x'), 'contributor')]");
    let Some(Unknown::Guid(args)) = v.as_unknown() else {
        panic!("{v:?}")
    };
    assert_eq!(args.len(), 3);
    assert_eq!(
        args[0],
        partial(vec![
            lit("/subscriptions/"),
            hole(dep("subscription().subscriptionId")),
            lit("/resourceGroups/"),
            hole(dep("resourceGroup().name"))
        ])
    );
    assert_eq!(args[1], s("vx"));
    assert_eq!(args[2], s("contributor"));
    assert_eq!(
        v.as_unknown().unwrap().to_string(),
        "guid(/subscriptions/{subscription().subscriptionId}/resourceGroups/{resourceGroup().name}, 'vx', 'contributor')"
    );
    assert!(matches!(
        c.eval("[uniqueString(resourceGroup().id)]").as_unknown(),
        Some(Unknown::UniqueString(_))
    ));
    assert!(matches!(
        c.eval("[newGuid()]").as_unknown(),
        Some(Unknown::NonDeterministic(_))
    ));
    assert!(matches!(
        c.eval("[utcNow('u')]").as_unknown(),
        Some(Unknown::NonDeterministic(_))
    ));
    assert!(opaque_reason(&c.eval("[dateTimeAdd(utcNow(), 'P1D')]")).contains("not evaluated"));
    // A uniqueString is never empty; a guid never equals a literal? unknown.
    assert_eq!(c.eval("[empty(uniqueString('a'))]"), Val::Bool(false));
}

// ------------------------------------------------------------------ logic

#[test]
fn if_evaluates_the_chosen_branch_only() {
    let c = m().param("e", s("prod"));
    assert_eq!(
        c.eval("[if(equals(parameters('e'), 'prod'), 'x', 'y')]"),
        s("x")
    );
    assert_eq!(
        c.eval("[if(equals(parameters('e'), 'dev'), 'x', 'y')]"),
        s("y")
    );
    // The branch not taken may be invalid.
    assert_eq!(c.eval("[if(true(), 'ok', createArray(1)[5])]"), s("ok"));
    let c = m();
    let v = c.eval("[if(equals(parameters('e'), 'prod'), 'x', 'y')]");
    assert!(opaque_reason(&v).contains("condition"));
    assert_eq!(c.eval("[if(parameters('b'), 'same', 'same')]"), s("same"));
    assert!(opaque_reason(&c.eval("[if(1, 'a', 'b')]")).contains("int"));
    assert!(c.eval("[if(true(), 'a')]").is_unknown());
}

#[test]
fn comparisons_and_logic() {
    let c = m();
    let cases: &[(&str, Val)] = &[
        ("[equals('a', 'a')]", Val::Bool(true)),
        ("[equals('a', 'A')]", Val::Bool(false)),
        ("[equals(1, 1)]", Val::Bool(true)),
        (
            "[equals(createArray(1, 'a'), createArray(1, 'a'))]",
            Val::Bool(true),
        ),
        (
            "[equals(createObject('A', 1), createObject('a', 1))]",
            Val::Bool(true),
        ),
        (
            "[equals(createObject('a', 1), createObject('a', 2))]",
            Val::Bool(false),
        ),
        (
            "[equals(parameters('p'), parameters('p'))]",
            Val::Bool(true),
        ),
        ("[equals(subscription().id, 'abc')]", Val::Bool(false)),
        ("[not(true())]", Val::Bool(false)),
        ("[and(true(), true(), false())]", Val::Bool(false)),
        ("[and(parameters('p'), false())]", Val::Bool(false)),
        ("[or(parameters('p'), true())]", Val::Bool(true)),
        ("[or(false(), false())]", Val::Bool(false)),
        ("[greater(2, 1)]", Val::Bool(true)),
        ("[greaterOrEquals(1, 1)]", Val::Bool(true)),
        ("[less('a', 'b')]", Val::Bool(true)),
        ("[lessOrEquals(3, 2)]", Val::Bool(false)),
        ("[coalesce(null(), 'a', parameters('p'))]", s("a")),
        ("[coalesce(null(), null())]", Val::Null),
        ("[add(1, 2)]", Val::Int(3)),
        ("[sub(1, 2)]", Val::Int(-1)),
        ("[mul(3, 2)]", Val::Int(6)),
        ("[div(7, 2)]", Val::Int(3)),
        ("[mod(7, 2)]", Val::Int(1)),
    ];
    for (expr, want) in cases {
        assert_eq!(&c.eval(expr), want, "{expr}");
    }
    for unknown in [
        "[equals(parameters('p'), 'a')]",
        "[and(parameters('p'), true())]",
        "[not(parameters('p'))]",
        "[coalesce(parameters('p'), 'a')]",
        "[greater(parameters('p'), 1)]",
        "[div(1, 0)]",
        "[add(9223372036854775807, 1)]",
        "[equals(newGuid(), newGuid())]",
    ] {
        assert!(c.eval(unknown).is_unknown(), "{unknown}");
    }
    assert_eq!(
        c.eval("[coalesce(null(), parameters('p'))]"),
        Val::unknown(Unknown::Parameter("p".into()))
    );
}

// ------------------------------------------------------ arrays and objects

#[test]
fn arrays_and_objects() {
    let c = m();
    let cases: &[(&str, serde_json::Value)] = &[
        ("[createArray(1, 'a')]", json!([1, "a"])),
        (
            "[createObject('a', 1, 'b', createArray())]",
            json!({"a": 1, "b": []}),
        ),
        (
            "[union(createObject('a', 1, 'n', createObject('x', 1)), createObject('b', 2, 'n', createObject('y', 2)))]",
            json!({"a": 1, "n": {"x": 1, "y": 2}, "b": 2}),
        ),
        (
            "[union(createArray(1, 2), createArray(2, 3))]",
            json!([1, 2, 3]),
        ),
        (
            "[intersection(createArray(1, 2, 3), createArray(2, 3, 4))]",
            json!([2, 3]),
        ),
        (
            "[intersection(createObject('a', 1, 'b', 2), createObject('a', 1, 'b', 3))]",
            json!({"a": 1}),
        ),
        (
            "[items(createObject('b', 2, 'a', 1))]",
            json!([{"key": "a", "value": 1}, {"key": "b", "value": 2}]),
        ),
        ("[range(5, 3)]", json!([5, 6, 7])),
        ("[min(3, 1, 2)]", json!(1)),
        ("[max(createArray(3, 1, 2))]", json!(3)),
        ("[array('a')]", json!(["a"])),
        ("[array(createArray('a'))]", json!(["a"])),
        ("[contains(createArray('a', 'b'), 'b')]", json!(true)),
        ("[contains(createObject('Key', 1), 'key')]", json!(true)),
        (
            "[objectKeys(createObject('a', 1, 'b', 2))]",
            json!(["a", "b"]),
        ),
        (
            "[shallowMerge(createArray(createObject('a', 1), createObject('b', 2)))]",
            json!({"a": 1, "b": 2}),
        ),
        (
            "[flatten(createArray(createArray(1), createArray(2, 3)))]",
            json!([1, 2, 3]),
        ),
        ("[tryGet(createObject('a', 1), 'b')]", json!(null)),
        (
            "[tryGet(createObject('a', createArray(5)), 'a', 0)]",
            json!(5),
        ),
        ("[take(createArray(1, 2, 3), 2)]", json!([1, 2])),
        ("[skip(createArray(1, 2, 3), 5)]", json!([])),
        ("[first(createArray(1, 2))]", json!(1)),
        ("[last(createArray(1, 2))]", json!(2)),
        ("[length(createArray(1, 2))]", json!(2)),
        ("[length(createObject('a', 1))]", json!(1)),
        ("[empty(createArray())]", json!(true)),
        ("[empty(createObject())]", json!(true)),
        ("[indexOf(createArray('a', 'b'), 'b')]", json!(1)),
        ("[createArray(1, 2)[1]]", json!(2)),
        ("[createObject('Name', 'x').name]", json!("x")),
        (
            "[createObject('a', createObject('b', 'c'))['A'].b]",
            json!("c"),
        ),
    ];
    for (expr, want) in cases {
        assert_eq!(&json(&c.eval(expr)), want, "{expr}");
    }
    // Arrays with unknown items are still arrays.
    let v = c.eval("[createArray(parameters('p'), 1)]");
    assert_eq!(v.as_array().map(<[Val]>::len), Some(2));
    assert_eq!(
        c.eval("[length(createArray(parameters('p')))]"),
        Val::Int(1)
    );
    assert!(
        c.eval("[contains(createArray(parameters('p')), 'x')]")
            .is_unknown()
    );
    assert_eq!(
        c.eval("[contains(createArray(parameters('p'), 'x'), 'x')]"),
        Val::Bool(true)
    );
    let o = c.eval("[createObject('id', parameters('p'))]");
    assert!(o.as_object().is_some());
    for bad in [
        "[createArray(1)[3]]",
        "[createArray(1)[-1]]",
        "[createObject('a', 1).b]",
        "[createObject('a')]",
        "[range(0, 100001)]",
        "[union(createArray(1), createObject())]",
        "[createArray(1)['x']]",
        "['abc'.x]",
    ] {
        assert!(c.eval(bad).is_unknown(), "{bad}");
    }
}

// -------------------------------------------------- scope and resource IDs

#[test]
fn scope_objects() {
    let c = m();
    let sub = c.eval("[subscription().id]");
    assert_eq!(
        sub,
        partial(vec![
            lit("/subscriptions/"),
            hole(dep("subscription().subscriptionId"))
        ])
    );
    assert_eq!(
        c.eval("[subscription().subscriptionId]"),
        Val::Unknown(dep("subscription().subscriptionId"))
    );
    assert_eq!(
        c.eval("[resourceGroup().location]"),
        Val::Unknown(dep("resourceGroup().location"))
    );
    assert_eq!(
        c.eval("[resourceGroup().type]"),
        s("Microsoft.Resources/resourceGroups")
    );
    assert_eq!(
        c.eval("[deployment().name]"),
        Val::Unknown(dep("deployment().name"))
    );
    assert_eq!(
        c.eval("[deployment().properties.templateLink.uri]")
            .as_unknown()
            .unwrap()
            .to_string(),
        "deployment().properties.templateLink.uri"
    );
    assert_eq!(
        c.eval("[tenant().tenantId]"),
        Val::Unknown(dep("tenant().tenantId"))
    );
    assert_eq!(
        c.eval("[environment().suffixes.storage]"),
        s("core.windows.net")
    );
    assert_eq!(
        c.eval("[environment().authentication.loginEndpoint]"),
        s("https://login.microsoftonline.com/")
    );
    assert_eq!(
        c.eval("[environment().resourceManager]"),
        s("https://management.azure.com/")
    );
    assert!(opaque_reason(&c.eval("[managementGroup()]")).contains("resourceGroup deployment"));
    let mg = Mock::at(TargetScope::ManagementGroup);
    assert_eq!(
        mg.eval("[managementGroup().id]"),
        partial(vec![
            lit("/providers/Microsoft.Management/managementGroups/"),
            hole(dep("managementGroup().name"))
        ])
    );
    assert!(mg.eval("[resourceGroup()]").is_unknown());
    assert!(mg.eval("[subscription()]").is_unknown());
    // A known subscription in a nested deployment gives a known ID.
    let mut known = Mock::new();
    known.deployment.subscription_id = s("0000-sub");
    known.deployment.resource_group = s("rg1");
    assert_eq!(
        known.eval("[resourceGroup().id]"),
        s("/subscriptions/0000-sub/resourceGroups/rg1")
    );
}

#[test]
fn resource_ids_by_scope() {
    let c = m().param("name", s("uami1"));
    assert_eq!(
        c.eval(
            "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', parameters('name'))]"
        ),
        partial(vec![
            lit("/subscriptions/"),
            hole(dep("subscription().subscriptionId")),
            lit("/resourceGroups/"),
            hole(dep("resourceGroup().name")),
            lit("/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami1"),
        ])
    );
    // Child types interleave with names.
    let v = c.eval(
        "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', parameters('subnet'))]",
    );
    assert_eq!(
        v.as_unknown().unwrap().to_string(),
        "/subscriptions/{subscription().subscriptionId}/resourceGroups/{resourceGroup().name}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/{parameters('subnet')}"
    );
    // Explicit resource group, then subscription and resource group.
    let v = c.eval("[resourceId('otherRg', 'Microsoft.Storage/storageAccounts', 'sa')]");
    assert_eq!(
        v.as_unknown().unwrap().to_string(),
        "/subscriptions/{subscription().subscriptionId}/resourceGroups/otherRg/providers/Microsoft.Storage/storageAccounts/sa"
    );
    assert_eq!(
        c.eval("[resourceId('sub1', 'rg1', 'Microsoft.Storage/storageAccounts', 'sa')]"),
        s("/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/sa")
    );
    let v = c.eval("[resourceId(parameters('rg'), 'Microsoft.Storage/storageAccounts', 'sa')]");
    assert_eq!(
        v.as_unknown().unwrap().to_string(),
        "/subscriptions/{subscription().subscriptionId}/resourceGroups/{parameters('rg')}/providers/Microsoft.Storage/storageAccounts/sa"
    );
    // Subscription scope: no resource group.
    let sub = Mock::at(TargetScope::Subscription);
    assert_eq!(
        sub.eval("[resourceId('Microsoft.Authorization/roleDefinitions', 'x')]")
            .as_unknown()
            .unwrap()
            .to_string(),
        "/subscriptions/{subscription().subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/x"
    );
    // Management group and tenant scope: tenant-level IDs.
    for scope in [TargetScope::ManagementGroup, TargetScope::Tenant] {
        assert_eq!(
            Mock::at(scope).eval("[resourceId('Microsoft.Authorization/policyDefinitions', 'p')]"),
            s("/providers/Microsoft.Authorization/policyDefinitions/p")
        );
    }
    assert_eq!(
        c.eval("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b24988ac-6180-42a0-ab88-20f7382dd24c')]"),
        partial(vec![
            lit("/subscriptions/"),
            hole(dep("subscription().subscriptionId")),
            lit("/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c"),
        ])
    );
    assert_eq!(
        c.eval("[subscriptionResourceId('s1', 'Microsoft.Resources/resourceGroups', 'rg')]"),
        s("/subscriptions/s1/providers/Microsoft.Resources/resourceGroups/rg")
    );
    assert_eq!(
        c.eval("[tenantResourceId('Microsoft.Authorization/policyDefinitions', 'p')]"),
        s("/providers/Microsoft.Authorization/policyDefinitions/p")
    );
    assert_eq!(
        c.eval(
            "[managementGroupResourceId('mg1', 'Microsoft.Authorization/roleDefinitions', 'r')]"
        ),
        s(
            "/providers/Microsoft.Management/managementGroups/mg1/providers/Microsoft.Authorization/roleDefinitions/r"
        )
    );
    assert_eq!(
        c.eval("[extensionResourceId('/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/sa', 'Microsoft.Authorization/roleAssignments', 'ra')]"),
        s("/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/sa/providers/Microsoft.Authorization/roleAssignments/ra")
    );
    let v =
        c.eval("[extensionResourceId(resourceGroup().id, 'Microsoft.Authorization/locks', 'l')]");
    assert_eq!(
        v.as_unknown().unwrap().to_string(),
        "/subscriptions/{subscription().subscriptionId}/resourceGroups/{resourceGroup().name}/providers/Microsoft.Authorization/locks/l"
    );
    // Wrong number of names, unknown type.
    let v = c.eval("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet')]");
    assert!(opaque_reason(&v).contains("requires 2"), "{v:?}");
    assert!(c.eval("[resourceId(parameters('type'), 'x')]").is_unknown());
    assert!(c.eval("[resourceId()]").is_unknown());
}

#[test]
fn references_and_lists() {
    let c = m().var("n", "uami");
    let v = c.eval("[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', variables('n')), '2018-11-30').principalId]");
    let Some(Unknown::Reference { target, full, path }) = v.as_unknown() else {
        panic!("{v:?}")
    };
    assert!(!full);
    assert_eq!(path, &vec![Rc::<str>::from("principalId")]);
    assert!(
        target
            .as_unknown()
            .unwrap()
            .to_string()
            .ends_with("/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami")
    );
    let v = c.eval("[reference('uami').principalId]");
    assert_eq!(
        v,
        Val::unknown(Unknown::Reference {
            target: s("uami"),
            full: false,
            path: vec!["principalId".into()]
        })
    );
    let v = c.eval("[reference('uami', '2023-01-31', 'Full').identity['principalId']]");
    let (target, path) = v.as_unknown().unwrap().reference_property().unwrap();
    assert_eq!(target, &s("uami"));
    assert_eq!(path, vec!["identity", "principalId"]);
    let v = c.eval("[listKeys(resourceId('Microsoft.Storage/storageAccounts', 'sa'), '2023-01-01').keys[0].value]");
    let Some(Unknown::List { function, path, .. }) = v.as_unknown() else {
        panic!("{v:?}")
    };
    assert_eq!(&**function, "listKeys");
    assert_eq!(
        path,
        &vec![Rc::<str>::from("keys"), "0".into(), "value".into()]
    );
    assert!(
        opaque_reason(&c.eval("[pickZones('Microsoft.Compute', 'virtualMachines', 'westus')]"))
            .contains("not evaluated")
    );
}

// ---------------------------------------------------------------- budgets

#[test]
fn budgets_turn_blowups_into_unknowns() {
    let c = m()
        .var("a0", "[range(0, 10000)]")
        .var("a1", "[concat(variables('a0'), variables('a0'))]")
        .var("a2", "[concat(variables('a1'), variables('a1'))]")
        .var("a3", "[concat(variables('a2'), variables('a2'))]")
        .var("a4", "[concat(variables('a3'), variables('a3'))]")
        .var("big", "[padLeft('x', 1000000)]")
        .var("s1", "[concat(variables('big'), variables('big'))]")
        .var("n0", "[createArray('x', 'x')]")
        .var("n1", "[createArray(variables('n0'), variables('n0'))]")
        .var("n2", "[createArray(variables('n1'), variables('n1'))]")
        .var("n3", "[createArray(variables('n2'), variables('n2'))]");
    assert_eq!(c.eval("[length(variables('a3'))]"), Val::Int(80_000));
    assert!(c.eval("[variables('a4')]").is_unknown());
    assert_eq!(c.eval("[length(variables('big'))]"), Val::Int(1_000_000));
    assert!(c.eval("[variables('s1')]").is_unknown());
    assert!(c.eval("[range(0, 10001)]").is_unknown());
    assert!(
        c.eval("[map(range(0, 10000), lambda('i', map(range(0, 10000), lambda('j', 1))))]")
            .is_unknown()
    );
    assert!(
        c.eval("[union(range(0, 10000), range(10000, 10000))]")
            .is_unknown(),
        "quadratic de-duplication stops at the step budget"
    );
    assert_eq!(
        c.eval("[string(variables('n3'))]").as_str().map(str::len),
        Some(93)
    );
    assert!(
        eval_string("[string(variables('n3'))]", &c)
            .as_str()
            .is_some()
    );
}
