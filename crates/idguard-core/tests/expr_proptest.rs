//! Property tests: the parser and the evaluator never panic, whatever
//! the input.
mod expr_support;

use expr_support::Mock;
use idguard_core::expr::{eval_string, parse, parse_template_string};
use proptest::prelude::*;

/// Strings built from expression-ish tokens, so that many of them are
/// well-formed or nearly so.
fn tokens() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("(".to_string()),
        Just(")".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just(",".to_string()),
        Just(".".to_string()),
        Just(" ".to_string()),
        Just("'".to_string()),
        Just("''".to_string()),
        Just("-".to_string()),
        Just("{0}".to_string()),
        Just("'a'".to_string()),
        Just("'{0}-{1}'".to_string()),
        Just("'Microsoft.Foo/bar/baz'".to_string()),
        Just("1".to_string()),
        Just("-3".to_string()),
        Just("100000".to_string()),
        "[a-zA-Z_]{1,8}",
        prop::sample::select(vec![
            "concat",
            "format",
            "resourceId",
            "parameters",
            "variables",
            "reference",
            "if",
            "equals",
            "union",
            "createArray",
            "createObject",
            "range",
            "map",
            "lambda",
            "lambdaVariables",
            "filter",
            "reduce",
            "sort",
            "split",
            "substring",
            "padLeft",
            "replace",
            "json",
            "string",
            "copyIndex",
            "guid",
            "toLower",
            "subscription",
            "resourceGroup",
            "length",
            "take",
            "skip",
            "items",
            "coalesce",
            "base64ToString",
            "uri",
            "listKeys",
            "extensionResourceId",
            "ns.f",
            "tryGet",
        ])
        .prop_map(str::to_string),
    ];
    prop::collection::vec(token, 0..40).prop_map(|t| t.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn parse_never_panics_on_anything(s in "\\PC{0,200}") {
        let _ = parse(&s);
        let _ = parse_template_string(&s);
        let _ = eval_string(&s, &Mock::new());
        let bracketed = format!("[{s}]");
        let _ = eval_string(&bracketed, &Mock::new());
    }

    #[test]
    fn eval_never_panics_on_expression_tokens(s in tokens()) {
        let ctx = Mock::new()
            .var("v", "[createArray(1, 'a', createObject('k', parameters('p')))]")
            .func("ns", "f", &["x"], "concat(parameters('x'), 'y')");
        let expr = format!("[{s}]");
        let _ = parse(&s);
        let _ = eval_string(&expr, &ctx);
    }

    #[test]
    fn well_formed_calls_parse(name in "[a-zA-Z][a-zA-Z0-9]{0,10}",
                               args in prop::collection::vec(prop_oneof![
                                   "'[^']{0,10}'",
                                   (-1000i64..1000).prop_map(|i| i.to_string()),
                               ], 0..5)) {
        let src = format!("{name}({})", args.join(", "));
        prop_assert!(parse(&src).is_ok(), "{}", src);
        let _ = eval_string(&format!("[{src}]"), &Mock::new());
    }
}
