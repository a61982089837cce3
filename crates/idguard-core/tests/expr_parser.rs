//! Parser: grammar, spans, literals, escapes and errors.
use idguard_core::expr::{Expr, ExprKind, MAX_EXPR_DEPTH, parse, parse_template_string};

fn call_name(e: &Expr) -> (&str, Option<&str>, usize) {
    match &e.kind {
        ExprKind::Call {
            namespace,
            name,
            args,
        } => (name, namespace.as_deref(), args.len()),
        other => panic!("not a call: {other:?}"),
    }
}

#[test]
fn function_call_with_string_and_int_args() {
    let e = parse("substring('abc', 1, -2)").unwrap();
    assert_eq!(call_name(&e), ("substring", None, 3));
    let ExprKind::Call { args, .. } = &e.kind else {
        unreachable!()
    };
    assert_eq!(args[0].kind, ExprKind::Str("abc".into()));
    assert_eq!(args[1].kind, ExprKind::Int(1));
    assert_eq!(args[2].kind, ExprKind::Int(-2));
    assert_eq!((e.start, e.end), (0, 23));
    assert_eq!((args[0].start, args[0].end), (10, 15));
}

#[test]
fn escaped_quotes_in_strings() {
    let e = parse("'it''s'").unwrap();
    assert_eq!(e.kind, ExprKind::Str("it's".into()));
    let e = parse("''''").unwrap();
    assert_eq!(e.kind, ExprKind::Str("'".into()));
    let e = parse("''").unwrap();
    assert_eq!(e.kind, ExprKind::Str("".into()));
}

#[test]
fn member_and_index_chains() {
    let e = parse("reference('x').outputs['a b'].value[0]").unwrap();
    let ExprKind::Index { of, index } = &e.kind else {
        panic!("{e:?}")
    };
    assert_eq!(index.kind, ExprKind::Int(0));
    let ExprKind::Member { of, name } = &of.kind else {
        panic!()
    };
    assert_eq!(&**name, "value");
    let ExprKind::Index { of, index } = &of.kind else {
        panic!()
    };
    assert_eq!(index.kind, ExprKind::Str("a b".into()));
    let ExprKind::Member { name, .. } = &of.kind else {
        panic!()
    };
    assert_eq!(&**name, "outputs");
}

#[test]
fn namespaced_user_function() {
    let e = parse("__bicep.myFunc('a', parameters('b')).x").unwrap();
    let ExprKind::Member { of, name } = &e.kind else {
        panic!()
    };
    assert_eq!(&**name, "x");
    assert_eq!(call_name(of), ("myFunc", Some("__bicep"), 2));
}

#[test]
fn whitespace_anywhere() {
    let e = parse("  concat ( 'a' , 'b' ) . length [ 1 ]  ").unwrap();
    assert!(matches!(e.kind, ExprKind::Index { .. }));
}

#[test]
fn names_keep_their_case() {
    let e = parse("RESOURCEID('t/x', 'n')").unwrap();
    assert_eq!(call_name(&e).0, "RESOURCEID");
}

#[test]
fn floats_parse() {
    assert_eq!(parse("1.5").unwrap().kind, ExprKind::Float(1.5));
}

#[test]
fn template_strings() {
    assert!(parse_template_string("plain").unwrap().is_none());
    assert!(
        parse_template_string("[[variables('x')]")
            .unwrap()
            .is_none()
    );
    assert!(parse_template_string("[test] value").unwrap().is_none());
    assert!(parse_template_string("[").unwrap().is_none());
    let e = parse_template_string("[variables('x')]").unwrap().unwrap();
    // Spans are offsets in the template string: '[' is 0.
    assert_eq!((e.start, e.end), (1, 15));
    assert!(parse_template_string("[]").is_err());
    assert!(parse_template_string("[  ]").is_err());
}

#[test]
fn bare_literals_are_rejected_with_a_hint() {
    let err = parse("if(true, 'a', 'b')").unwrap_err();
    assert!(err.message.contains("true()"), "{err}");
    assert_eq!(err.offset, 7);
    assert!(parse("if(true(), 'a', 'b')").is_ok());
    assert!(parse("null").is_err());
}

#[test]
fn errors_say_what_and_where() {
    let cases: &[(&str, &str, u32)] = &[
        ("concat('a'", "expected ',' or ')'", 10),
        ("concat('a' 'b')", "expected ',' or ')'", 11),
        ("'abc", "closing quote", 0),
        ("a.b.c('x')", "expected '('", 3),
        ("x()[0", "expected ']'", 5),
        ("x().", "property name", 4),
        ("x() y", "end of the expression", 4),
        ("-", "digit", 1),
        ("\"a\"", "expected an expression", 0),
        ("f(,)", "expected an expression", 2),
        ("99999999999999999999", "64 bits", 0),
    ];
    for (src, msg, offset) in cases {
        let err = parse(src).unwrap_err();
        assert!(
            err.message.contains(msg),
            "{src}: {err} does not mention {msg}"
        );
        assert_eq!(err.offset, *offset, "{src}: {err}");
    }
    // Offsets in template strings count the '['.
    let err = parse_template_string("[concat('a' 'b')]").unwrap_err();
    assert_eq!(err.offset, 12);
}

#[test]
fn depth_limit_is_an_error_not_a_crash() {
    let ok = format!(
        "{}1{}",
        "f(".repeat(MAX_EXPR_DEPTH - 1),
        ")".repeat(MAX_EXPR_DEPTH - 1)
    );
    assert!(parse(&ok).is_ok());
    for n in [MAX_EXPR_DEPTH + 1, 10_000, 100_000] {
        let deep = format!("{}1{}", "f(".repeat(n), ")".repeat(n));
        let err = parse(&deep).unwrap_err();
        assert!(err.message.contains("deeper"), "{err}");
        let idx = format!("x(){}", "[0]".repeat(n));
        assert!(parse(&idx).is_err());
        let nested_idx = format!("x(){}0{}", "[".repeat(n), "]".repeat(n));
        assert!(parse(&nested_idx).is_err());
        let members = format!("x(){}", ".a".repeat(n));
        assert!(parse(&members).is_err());
    }
}

#[test]
fn real_expressions_parse() {
    for s in [
        "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', parameters('name'))]",
        "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b24988ac-6180-42a0-ab88-20f7382dd24c')]",
        "[guid(resourceGroup().id, variables('x'), 'contributor')]",
        "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', variables('n')), '2018-11-30').principalId]",
        "[reference('uami').principalId]",
        "[format('{0}/{1}', parameters('a'), 'b')]",
        "[if(equals(parameters('e'), 'prod'), 'x', 'y')]",
        "[map(range(0, 3), lambda('i', format('x{0}', lambdaVariables('i'))))]",
        "[reference(resourceId('Microsoft.Resources/deployments', 'm'), '2022-09-01').outputs.id.value]",
        "[createObject(format('{0}', resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'u')), createObject())]",
    ] {
        assert!(parse_template_string(s).unwrap().is_some(), "{s}");
    }
}
