//! Unit tests per construct: precedence, newline rules, every declaration,
//! member chains, lambdas, loops, strings, types, pragmas, recovery and
//! cascade suppression, editor recovery (the column-0 deviation), spans
//! and positions, the visitor.

use idguard_bicep::ast::*;
use idguard_bicep::visit::{Visitor, walk_expr, walk_resources};
use idguard_bicep::{
    FileKind, LineIndex, ParseOptions, Parsed, PragmaKind, Span, TriviaKind, parse, parse_bicep,
    parse_bicepparam,
};

/// Parses (editor recovery) and asserts there is no diagnostic.
fn ok(text: &str) -> Parsed<'_> {
    let p = parse_bicep(text);
    assert!(p.diagnostics.is_empty(), "{text:?}: {:?}", p.diagnostics);
    p
}

fn ok_param(text: &str) -> Parsed<'_> {
    let p = parse_bicepparam(text);
    assert!(p.diagnostics.is_empty(), "{text:?}: {:?}", p.diagnostics);
    p
}

/// The diagnostics as `CODE@line:col` (1-based, UTF-16), in one mode.
fn codes_in(text: &str, kind: FileKind, options: ParseOptions) -> Vec<String> {
    let p = parse(text, kind, options);
    let idx = LineIndex::new(text);
    p.diagnostics
        .iter()
        .map(|d| {
            let pos = idx.position(d.span.start);
            format!("{}@{}:{}", d.code, pos.line + 1, pos.character + 1)
        })
        .collect()
}

/// The diagnostics with Bicep's recovery (as Bicep reports them).
fn codes(text: &str) -> Vec<String> {
    codes_in(text, FileKind::Bicep, ParseOptions::BICEP)
}

fn var_value<'a, 's>(p: &'a Parsed<'s>) -> &'a Expr<'s> {
    match &p.program.statements[0] {
        Statement::Var(v) => &v.value,
        other => panic!("not a var: {other:?}"),
    }
}

/// A compact S-expression of an expression, to check tree shapes.
fn sx(e: &Expr<'_>) -> String {
    match e {
        Expr::Int(i) => i.value.to_string(),
        Expr::Bool(b) => b.value.to_string(),
        Expr::Null(_) => "null".into(),
        Expr::String(s) => match s.as_str() {
            Some(v) => format!("{v:?}"),
            None => format!(
                "(str {:?} {})",
                s.segments(),
                s.holes().iter().map(sx).collect::<Vec<_>>().join(" ")
            ),
        },
        Expr::Object(o) => format!("{{{}}}", o.items.len()),
        Expr::Array(a) => format!(
            "[{}]",
            a.items
                .iter()
                .map(|i| match i {
                    ArrayItem::Value(e) => sx(e),
                    ArrayItem::Spread(s) => format!("...{}", sx(&s.value)),
                })
                .collect::<Vec<_>>()
                .join(" ")
        ),
        Expr::For(f) => format!(
            "(for {} {} {})",
            f.variables.item().map_or("?", |i| i.as_str()),
            sx(&f.iterable),
            match &f.body {
                ForBody::Expr(e) => sx(e),
                ForBody::If(i) => format!("(if {})", sx(i.condition())),
            }
        ),
        Expr::Paren(p) => format!("({})", sx(&p.inner)),
        Expr::Var(v) => v.as_str().to_string(),
        Expr::Call(c) => format!(
            "({}{})",
            c.name.as_str(),
            c.args
                .iter()
                .map(|a| format!(" {}", sx(a)))
                .collect::<String>()
        ),
        Expr::InstanceCall(c) => format!(
            "(.{} {}{})",
            c.name.as_str(),
            sx(&c.base),
            c.args
                .iter()
                .map(|a| format!(" {}", sx(a)))
                .collect::<String>()
        ),
        Expr::Property(p) => format!(
            "({} {} {})",
            if p.safe { ".?" } else { "." },
            sx(&p.base),
            p.name.as_str()
        ),
        Expr::Index(i) => format!(
            "([{}{}] {} {})",
            if i.safe { "?" } else { "" },
            if i.from_end { "^" } else { "" },
            sx(&i.base),
            sx(&i.index)
        ),
        Expr::ResourceAccess(r) => format!("(:: {} {})", sx(&r.base), r.name.as_str()),
        Expr::NonNull(n) => format!("(! {})", sx(&n.base)),
        Expr::Unary(u) => format!(
            "({}{})",
            if u.op == UnaryOp::Not { "not " } else { "neg " },
            sx(&u.operand)
        ),
        Expr::Binary(b) => format!("({} {} {})", b.op.text(), sx(&b.left), sx(&b.right)),
        Expr::Ternary(t) => format!(
            "(? {} {} {})",
            sx(&t.condition),
            sx(&t.then),
            sx(&t.otherwise)
        ),
        Expr::Lambda(l) => format!(
            "(=> [{}] {})",
            l.params
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            sx(&l.body)
        ),
        Expr::Skipped(s) => format!("<skipped {}..{}>", s.span.start, s.span.end),
    }
}

fn expr(src: &str) -> String {
    let text = format!("var x = {src}\n");
    let p = ok(&text);
    sx(var_value(&p))
}

#[test]
fn precedence_and_associativity() {
    assert_eq!(expr("1 + 2 * 3"), "(+ 1 (* 2 3))");
    assert_eq!(expr("1 * 2 + 3"), "(+ (* 1 2) 3)");
    assert_eq!(expr("1 - 2 - 3"), "(- (- 1 2) 3)");
    assert_eq!(expr("a % b / c"), "(/ (% a b) c)");
    assert_eq!(expr("a < b == c > d"), "(== (< a b) (> c d))");
    assert_eq!(expr("a =~ b != c !~ d"), "(!~ (!= (=~ a b) c) d)");
    // && (50) > || (40) > ?? (30), not one level.
    assert_eq!(expr("a || b && c"), "(|| a (&& b c))");
    assert_eq!(expr("a && b || c"), "(|| (&& a b) c)");
    assert_eq!(expr("a ?? b || c"), "(?? a (|| b c))");
    assert_eq!(expr("a || b ?? c"), "(?? (|| a b) c)");
    assert_eq!(expr("a ?? b ?? c"), "(?? (?? a b) c)");
    // The ternary is lowest and nests to the right.
    assert_eq!(expr("a || b ? c : d"), "(? (|| a b) c d)");
    assert_eq!(expr("a ? b : c ? d : e"), "(? a b (? c d e))");
    assert_eq!(expr("a ? b ? c : d : e"), "(? a (? b c d) e)");
    // Unary binds tighter than binary, looser than member access.
    assert_eq!(expr("-a.b"), "(neg (. a b))");
    assert_eq!(expr("!a!"), "(not (! a))");
    assert_eq!(expr("-1 + 2"), "(+ (neg 1) 2)");
    assert_eq!(expr("!(a && b)"), "(not ((&& a b)))");
    // Only one prefix operator.
    assert_eq!(codes("var x = !!a\n"), ["BCP009@1:10"]);
    assert_eq!(codes("var x = - -1\n"), ["BCP009@1:11"]);
}

#[test]
fn member_chains() {
    assert_eq!(
        expr("a.b.?c[0][?1][^2][?^3]"),
        "([?^] ([^] ([?] ([] (.? (. a b) c) 0) 1) 2) 3)"
    );
    assert_eq!(expr("a::b::c.id"), "(. (:: (:: a b) c) id)");
    assert_eq!(expr("a!.b!.c!"), "(! (. (! (. (! a) b)) c))");
    assert_eq!(expr("az.resourceGroup().id"), "(. (.resourceGroup az) id)");
    assert_eq!(expr("sys.concat('a', b)"), "(.concat sys \"a\" b)");
    assert_eq!(
        expr("st.listKeys().keys[0].value"),
        "(. ([] (. (.listKeys st) keys) 0) value)"
    );
    assert_eq!(codes("var x = f(1)(2)\n"), ["BCP019@1:13"]);
    // `.?` is not for calls (BCP322); an empty indexer is BCP117.
    assert_eq!(codes("var x = a.?f()\n"), ["BCP322@1:11"]);
    assert_eq!(codes("var x = a[]\n"), ["BCP117@1:11"]);
    assert_eq!(codes("var x = a.\n"), ["BCP020@1:11"]);
}

#[test]
fn primaries_and_literals() {
    assert_eq!(expr("18446744073709551615"), "18446744073709551615");
    assert_eq!(codes("var x = 18446744073709551616\n"), ["BCP010@1:9"]);
    assert_eq!(expr("[1, 2\n3\n...a]"), "[1 2 3 ...a]");
    assert_eq!(expr("true ? null : false"), "(? true null false)");
    // Object and array literals are not allowed in string holes.
    assert_eq!(codes("var x = '${[1]}'\n"), ["BCP087@1:12"]);
    assert_eq!(codes("var x = (1, 2)\n"), ["BCP243@1:10"]);
    assert_eq!(codes("var x = ()\n"), ["BCP243@1:10"]);
    assert_eq!(
        codes("var x = \"a\"\n"),
        ["BCP103@1:9", "BCP009@1:9", "BCP103@1:11"]
    );
    assert_eq!(codes("var x = a & b\n"), ["BCP001@1:11", "BCP019@1:11"]);
}

#[test]
fn objects_and_arrays_with_newlines_and_commas() {
    let p = ok(
        "var x = {\n  a: 1\n  'b-c': 2, d: 3\n  ...e\n  '${f}': 4\n  if: true\n  resource: 5\n}\n",
    );
    let Expr::Object(o) = var_value(&p) else {
        panic!()
    };
    let keys: Vec<_> = o
        .properties()
        .map(|p| p.key.name().map(|k| k.into_owned()))
        .collect();
    assert_eq!(
        keys,
        [
            Some("a".into()),
            Some("b-c".into()),
            Some("d".into()),
            None,
            Some("if".into()),
            Some("resource".into())
        ]
    );
    assert!(matches!(o.items[3], ObjectItem::Spread(_)));
    assert!(o.closed);
    let prop = o.get("d").expect("d");
    assert_eq!(prop.key.span().text(p.text), "d");
    assert_eq!(prop.value.span().text(p.text), "3");
    assert_eq!(
        o.get_ignore_case("B-C").map(|p| sx(&p.value)),
        Some("2".into())
    );
    ok("var x = {}\nvar y = {\n}\nvar z = [\n]\nvar w = [1, 2, ]\n");
    // A comma ending a line; no separator; a trailing comma in a call.
    assert_eq!(codes("var x = {\n  a: 1,\n  b: 2\n}\n"), ["BCP238@2:8"]);
    assert_eq!(codes("var x = [1 2]\n"), ["BCP236@1:12"]);
    assert_eq!(codes("var x = {a: 1 b: 2}\n"), ["BCP236@1:15"]);
    assert_eq!(codes("var x = f(1,)\n"), ["BCP009@1:13"]);
}

#[test]
fn newline_rules() {
    // Allowed: ternary parts on their own lines, arguments on lines, `[`⏎`for`,
    // `=>`⏎body, `=`⏎`if`, ⏎`|` in unions, comments between arguments.
    assert_eq!(expr("a\n  ? b\n  : c"), "(? a b c)");
    assert_eq!(expr("f(\n  1,\n  // c\n  2\n)"), "(f 1 2)");
    assert_eq!(expr("[\nfor x in y: x\n]"), "(for x y x)");
    assert_eq!(expr("map(xs, x =>\n  x.id)"), "(map xs (=> [x] (. x id)))");
    ok("resource r 'T@v' =\n  if (c) {\n}\n");
    ok("type t =\n  | 'a'\n  | 'b'\n");
    ok("func f(\n  a string,\n  b int,\n) string => a\n");
    // Errors: an operator ending a line, arguments split by a line break
    // only, a line break inside a hole, a statement or decorator not
    // ending its line, a line break after `|`.
    assert_eq!(codes("var x = a &&\n  b\n"), ["BCP009@1:13", "BCP007@2:3"]);
    assert_eq!(codes("var x = f(a\nb)\n"), ["BCP237@1:12"]);
    assert_eq!(
        codes("var x = '${a\n}'\n"),
        ["BCP004@1:13", "BCP007@2:1", "BCP004@2:2"]
    );
    assert_eq!(codes("var x = 1 var y = 2\n"), ["BCP019@1:11"]);
    assert_eq!(codes("@description('d') param p string\n"), ["BCP019@1:19"]);
    assert_eq!(
        codes("type t = 'a' |\n  'b'\n"),
        ["BCP300@1:15", "BCP007@2:3"]
    );
    // `(item, index)` may not span lines.
    assert_eq!(
        codes("var x = [for (a,\n b) in c: a]\n")
            .first()
            .map(String::as_str),
        Some("BCP009@1:17")
    );
}

#[test]
fn strings_interpolation_and_escapes() {
    assert_eq!(
        expr(r"'a\'b\\c\n\t\r\$\${x}\u{1F600}'"),
        format!("{:?}", "a'b\\c\n\t\r$${x}😀")
    );
    assert_eq!(
        expr("'a${b}c${'d${e}'}f'"),
        r#"(str ["a", "c", "f"] b (str ["d", ""] e))"#
    );
    assert_eq!(expr("'${x}'"), r#"(str ["", ""] x)"#);
    assert_eq!(
        expr("'${format('{0}', x)}'"),
        r#"(str ["", ""] (format "{0}" x))"#
    );
    // `''` is not an escaped quote; `$` without `{` is text.
    assert_eq!(expr("'$a $ {b}'"), "\"$a $ {b}\"");
    assert_eq!(codes("var x = 'it''s'\n"), ["BCP019@1:13"]);
    assert_eq!(codes("var x = '\\q'\n"), ["BCP006@1:10"]);
    assert_eq!(codes("var x = '\\u{110000}'\n"), ["BCP133@1:10"]);
    assert_eq!(codes("var x = 'abc\nvar y = 1\n"), ["BCP004@1:9"]);
    let p = ok("var x = 'a${b}c'\n");
    let Expr::String(s) = var_value(&p) else {
        panic!()
    };
    let spans: Vec<&str> = s.segment_spans().iter().map(|sp| sp.text(p.text)).collect();
    assert_eq!(spans, ["'a${", "}c'"]);
    assert!(s.is_interpolated() && !s.multiline);
}

#[test]
fn multiline_strings() {
    assert_eq!(
        expr("'''\nline 1\nline 2'''"),
        format!("{:?}", "line 1\nline 2")
    );
    assert_eq!(
        expr("'''\r\nraw \\n ${x} 'q' ''''"),
        format!("{:?}", "raw \\n ${x} 'q' '")
    );
    assert_eq!(expr("''''''"), "\"\"");
    assert_eq!(expr("$'''a${b}c'''"), r#"(str ["a", "c"] b)"#);
    assert_eq!(
        expr("$$'''${a}$${b}$$$${c}'''"),
        r#"(str ["${a}", "$$", ""] b c)"#
    );
    let p = ok("@sys.description('''\nGlobal Resource Lock\n''')\nparam p string\n");
    assert_eq!(
        p.program.statements[0].decorators()[0].args()[0].as_str(),
        Some("Global Resource Lock\n")
    );
    assert_eq!(codes("var x = '''abc\n"), ["BCP140@1:9"]);
}

#[test]
fn declarations_of_a_bicep_file() {
    let text = "targetScope = 'subscription'\n\
        metadata info = { owner: 'me' }\n\
        @secure()\n@sys.description('The key')\nparam key string\n\
        param count int = 3\n\
        param tags object?\n\
        param store resource 'Microsoft.Storage/storageAccounts@2023-01-01'\n\
        var plain = 1\n\
        var typed string[] = []\n\
        type t = {\n  @minLength(1)\n  name: string\n  *: int\n}\n\
        func double(x int) int => x * 2\n\
        output o string = 'x'\n\
        output r resource = store\n\
        assert ok = true\n\
        test t1 'main.bicep' = { params: {} }\n";
    let p = ok(text);
    let kinds: Vec<&str> = p
        .program
        .statements
        .iter()
        .map(|s| match s {
            Statement::TargetScope(_) => "targetScope",
            Statement::Metadata(_) => "metadata",
            Statement::Param(_) => "param",
            Statement::Var(_) => "var",
            Statement::Type(_) => "type",
            Statement::Func(_) => "func",
            Statement::Output(_) => "output",
            Statement::Assert(_) => "assert",
            Statement::Test(_) => "test",
            _ => "other",
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "targetScope",
            "metadata",
            "param",
            "param",
            "param",
            "param",
            "var",
            "var",
            "type",
            "func",
            "output",
            "output",
            "assert",
            "test"
        ]
    );
    assert_eq!(
        p.program.target_scope().and_then(Expr::as_str),
        Some("subscription")
    );
    let params: Vec<_> = p.program.params().collect();
    assert_eq!(params[0].decorators.len(), 2);
    assert_eq!(params[0].decorators[0].name(), Some("secure"));
    assert_eq!(params[0].decorators[1].namespace(), Some("sys"));
    assert_eq!(params[0].decorators[1].name(), Some("description"));
    assert_eq!(params[0].span.text(text).lines().next(), Some("@secure()"));
    assert_eq!(params[1].default.as_ref().map(sx), Some("3".into()));
    assert!(matches!(params[2].ty, TypeExpr::Nullable(_)));
    let TypeExpr::Resource(r) = &params[3].ty else {
        panic!()
    };
    assert_eq!(
        r.type_string
            .as_ref()
            .and_then(|s| s.present())
            .and_then(|s| s.as_str()),
        Some("Microsoft.Storage/storageAccounts@2023-01-01")
    );
    let vars: Vec<_> = p.program.variables().collect();
    assert!(vars[0].ty.is_none());
    assert!(matches!(vars[1].ty, Some(TypeExpr::Array(_))));
    let f = p.program.functions().next().expect("func");
    let Slot::Present(l) = &f.lambda else {
        panic!()
    };
    assert_eq!(l.params.len(), 1);
    assert_eq!(l.return_type.as_name(), Some("int"));
    assert_eq!(sx(&l.body), "(* x 2)");
    let outs: Vec<_> = p.program.outputs().collect();
    let TypeExpr::Resource(r) = &outs[1].ty else {
        panic!()
    };
    assert!(r.type_string.is_none());
}

#[test]
fn resources_nested_existing_conditions_and_loops() {
    let text = "resource vnet 'Microsoft.Network/virtualNetworks@2023-04-01' existing = {\n\
        \x20 name: 'vnet'\n\
        \x20 scope: resourceGroup('rg')\n\
        \x20 @batchSize(1)\n\
        \x20 resource subnets 'subnets' = [for (s, i) in items: if (s.enabled) {\n\
        \x20   name: s.name\n\
        \x20   resource deep 'x@2020-01-01' = {\n\
        \x20     name: 'd'\n\
        \x20   }\n\
        \x20 }]\n\
        }\n\
        resource child 'Microsoft.Network/virtualNetworks/subnets@2023-04-01' = if (deploy) {\n\
        \x20 parent: vnet\n\
        \x20 name: 'c'\n\
        }\n\
        resource many 'T@v' = [for x in range(0, 3): {\n\
        \x20 name: 'n${x}'\n\
        }]\n";
    let p = ok(text);
    let res: Vec<_> = p.program.resources().collect();
    assert_eq!(res.len(), 3);
    assert_eq!(res[0].name.as_str(), "vnet");
    assert!(res[0].is_existing());
    assert_eq!(
        res[0].type_str(),
        Some("Microsoft.Network/virtualNetworks@2023-04-01")
    );
    let body = res[0].body.object().expect("object body");
    assert_eq!(
        body.get("name").and_then(|p| p.value.as_str()),
        Some("vnet")
    );
    let nested: Vec<_> = body.resources().collect();
    assert_eq!(nested.len(), 1);
    assert_eq!(nested[0].decorators[0].name(), Some("batchSize"));
    let lp = nested[0].body.for_loop().expect("loop");
    assert_eq!(lp.variables.item().map(|i| i.as_str()), Some("s"));
    assert_eq!(lp.variables.index().map(|i| i.as_str()), Some("i"));
    assert_eq!(
        nested[0].body.condition().map(sx),
        Some("(. s enabled)".into())
    );
    assert_eq!(
        nested[0]
            .body
            .object()
            .and_then(|o| o.get("name"))
            .map(|p| sx(&p.value)),
        Some("(. s name)".into())
    );
    assert_eq!(res[1].body.condition().map(sx), Some("deploy".into()));
    assert_eq!(
        res[1]
            .body
            .object()
            .and_then(|o| o.get("parent"))
            .map(|p| sx(&p.value)),
        Some("vnet".into())
    );
    assert!(res[2].body.for_loop().is_some());
    // Every resource with its ancestors.
    let mut seen = Vec::new();
    walk_resources(&p.program, |ancestors, r| {
        let path: Vec<&str> = ancestors.iter().map(|a| a.name.as_str()).collect();
        seen.push(format!(
            "{}{}",
            path.iter().map(|a| format!("{a}::")).collect::<String>(),
            r.name.as_str()
        ));
    });
    assert_eq!(
        seen,
        [
            "vnet",
            "vnet::subnets",
            "vnet::subnets::deep",
            "child",
            "many"
        ]
    );
    // A module.
    let p = ok(
        "module m './x.bicep' = {\n  name: 'm'\n  params: { a: 1 }\n}\nmodule r 'br/public:avm/res/x:0.1.0' = if (c) {\n}\n",
    );
    let mods: Vec<_> = p.program.modules().collect();
    assert_eq!(mods[0].path_str(), Some("./x.bicep"));
    assert_eq!(mods[1].path_str(), Some("br/public:avm/res/x:0.1.0"));
    // A loop body of a resource must be an object or `if` (BCP167).
    assert_eq!(
        codes("resource r 'T@v' = [for x in y: x]\n"),
        ["BCP167@1:33"]
    );
    assert_eq!(codes("resource r 'T@v' = 1\n"), ["BCP118@1:20"]);
    // `resource` followed by a colon is a property, not a nested resource.
    ok("resource r 'T@v' = {\n  resource: 'x'\n}\n");
}

#[test]
fn loops_and_lambdas() {
    assert_eq!(expr("[for x in xs: x.id]"), "(for x xs (. x id))");
    assert_eq!(expr("[for (x, i) in xs: i]"), "(for x xs i)");
    assert_eq!(
        expr("filter(xs, x => x > 1)"),
        "(filter xs (=> [x] (> x 1)))"
    );
    assert_eq!(
        expr("reduce(xs, 0, (acc, x) => acc + x)"),
        "(reduce xs 0 (=> [acc x] (+ acc x)))"
    );
    assert_eq!(expr("() => 1"), "(=> [] 1)");
    assert_eq!(expr("(a, b,) => a"), "(=> [a b] a)");
    assert_eq!(codes("var x = [for (a, b, c) in d: a]\n"), ["BCP249@1:14"]);
    assert_eq!(
        codes("var x = [for 1 in d: a]\n"),
        ["BCP162@1:14", "BCP009@1:23"]
    );
    assert_eq!(
        codes("var x = [for a d: a]\n"),
        ["BCP012@1:16", "BCP009@1:20"]
    );
    // Line breaks after `=>` are skipped, unless a declaration follows.
    assert_eq!(codes("var partial = i =>\n\nvar y = 1\n"), ["BCP009@1:19"]);
    assert_eq!(codes("var partial = i =>\n"), ["BCP009@2:1"]);
}

#[test]
fn types() {
    let p = ok(
        "type a = {\n  @description('n')\n  name: string\n  'quoted-key': int?\n  *: bool\n}\n\
        type b = [\n  string\n  @minValue(0)\n  int\n]\n\
        type c = 'x' | 'y' | -1 | true | null\n\
        type d = resourceInput<'Microsoft.Storage/storageAccounts@2023-01-01'>.properties\n\
        type e = a.name\n\
        type f = b[0]\n\
        type g = a.*\n\
        type h = string[][]\n\
        type i = (string | int)!\n\
        type j = ns.generic<int>\n\
        type k = string[*]\n",
    );
    let tys: Vec<_> = p.program.types().collect();
    let TypeExpr::Object(o) = &tys[0].value else {
        panic!()
    };
    assert_eq!(o.members.len(), 3);
    let ObjectTypeMember::Property(name) = &o.members[0] else {
        panic!()
    };
    assert_eq!(name.decorators[0].name(), Some("description"));
    assert!(matches!(
        o.members[2],
        ObjectTypeMember::AdditionalProperties(_)
    ));
    let TypeExpr::Tuple(t) = &tys[1].value else {
        panic!()
    };
    assert_eq!(t.items.len(), 2);
    let TypeExpr::Union(u) = &tys[2].value else {
        panic!()
    };
    assert_eq!(u.members.len(), 5);
    let TypeExpr::Property(d) = &tys[3].value else {
        panic!()
    };
    let TypeExpr::Parameterized(ri) = &d.base else {
        panic!()
    };
    assert_eq!(ri.name.as_str(), "resourceInput");
    assert!(
        matches!(&ri.args[0], TypeExpr::String(s) if s.as_str() == Some("Microsoft.Storage/storageAccounts@2023-01-01"))
    );
    assert!(matches!(tys[4].value, TypeExpr::Property(_)));
    assert!(matches!(tys[5].value, TypeExpr::Index(_)));
    assert!(matches!(tys[6].value, TypeExpr::AdditionalProperties(_)));
    assert!(matches!(&tys[7].value, TypeExpr::Array(a) if matches!(a.item, TypeExpr::Array(_))));
    assert!(matches!(tys[8].value, TypeExpr::NonNullable(_)));
    assert!(matches!(tys[9].value, TypeExpr::InstanceParameterized(_)));
    assert!(matches!(tys[10].value, TypeExpr::Items(_)));
    assert_eq!(codes("type t = {\n  ?: string\n}\n"), ["BCP317@2:3"]);
    assert_eq!(codes("param p = 1\n"), ["BCP279@1:9"]);
}

#[test]
fn imports_and_extensions() {
    let p = ok("import { a, 'b-c' as bc, d as dd } from 'types.bicep'\n\
        import {\n  e\n  f\n} from 'br/public:x:1.0'\n\
        import * as ns from './ns.bicep'\n\
        extension microsoftGraphV1\n\
        extension 'br:mcr.microsoft.com/bicep/ext:1.0' with { a: 1 } as k8s\n\
        import 'kubernetes@1.0.0' with { ns: 'x' } as k\n");
    let imps: Vec<_> = p.program.imports().collect();
    assert_eq!(imps.len(), 3);
    let ImportTarget::Symbols(l) = &imps[0].target else {
        panic!()
    };
    let names: Vec<String> = l
        .items
        .iter()
        .map(|i| {
            let Slot::Present(i) = i else { panic!() };
            let n = match &i.name {
                ImportName::Ident(id) => id.as_str().to_string(),
                ImportName::String(s) => s.as_str().unwrap_or("").to_string(),
                ImportName::Skipped(_) => "?".into(),
            };
            format!(
                "{n}{}",
                i.alias
                    .as_ref()
                    .map(|a| format!(" as {}", a.alias.as_str()))
                    .unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(names, ["a", "b-c as bc", "d as dd"]);
    let Slot::Present(from) = &imps[0].from else {
        panic!()
    };
    assert_eq!(
        from.path.present().and_then(|s| s.as_str()),
        Some("types.bicep")
    );
    assert!(matches!(&imps[2].target, ImportTarget::Wildcard(w) if w.alias.alias.as_str() == "ns"));
    let exts: Vec<_> = p.program.extensions().collect();
    assert_eq!(exts.len(), 3);
    assert!(matches!(&exts[0].spec, ExtensionSpec::Ident(i) if i.as_str() == "microsoftGraphV1"));
    assert!(exts[1].with.is_some() && exts[1].alias.is_some());
    assert_eq!(exts[2].keyword.text(p.text), "import");
    assert_eq!(codes("import 'a' as\n"), ["BCP202@1:14"]);
    assert_eq!(codes("import {'a'} from 'x'\n"), ["BCP375@1:9"]);
    assert_eq!(codes("import {'${a}' as b} from 'x'\n"), ["BCP032@1:9"]);
    assert_eq!(codes("import a from 'x'\n"), ["BCP354@1:8", "BCP012@1:8"]);
    assert_eq!(codes("extension foo bar\n"), ["BCP305@1:15"]);
}

#[test]
fn a_bicepparam_file() {
    let p = ok_param(
        "using './main.bicep'\n\
        extends 'base.bicepparam'\n\
        import { t } from 'types.bicep'\n\
        type pair = { a: int }\n\
        var prefix = 'x'\n\
        @description('d')\n\
        param name = '${prefix}-name'\n\
        param count = 1 + 2\n\
        extension ext with { a: 1 } as e\n\
        extensionConfig k8s with { namespace: 'default' }\n",
    );
    let using = p.program.using().expect("using");
    assert!(matches!(&using.target, UsingTarget::Path(s) if s.as_str() == Some("./main.bicep")));
    let assigns: Vec<_> = p.program.param_assignments().collect();
    assert_eq!(assigns.len(), 2);
    assert_eq!(assigns[0].decorators[0].name(), Some("description"));
    assert_eq!(sx(&assigns[1].value), "(+ 1 2)");
    assert!(
        p.program
            .statements
            .iter()
            .any(|s| matches!(s, Statement::ExtensionConfig(_)))
    );
    assert!(
        p.program
            .statements
            .iter()
            .any(|s| matches!(s, Statement::Extends(_)))
    );
    let none = ok_param("using none\n");
    assert!(matches!(
        none.program.using().map(|u| &u.target),
        Some(UsingTarget::None(_))
    ));
    ok_param("using 'main.bicep' with {\n  mode: 'stack'\n}\n");
    let bp = |t: &str| codes_in(t, FileKind::BicepParam, ParseOptions::BICEP);
    assert_eq!(bp("resource r 'T@v' = {}\n"), ["BCP337@1:1"]);
    assert_eq!(bp("using foo\n"), ["BCP012@1:7"]);
    assert_eq!(bp("using 'a' foo\n"), ["BCP436@1:11"]);
    assert_eq!(bp("extends\n"), ["BCP404@1:8"]);
    assert_eq!(bp("param\n"), ["BCP013@1:6"]);
}

#[test]
fn cascades_are_suppressed_as_bicep_does() {
    // One diagnostic for an incomplete declaration, not one per part.
    assert_eq!(codes("param\n"), ["BCP013@1:6"]);
    assert_eq!(codes("var\n"), ["BCP015@1:4"]);
    assert_eq!(codes("var x\n"), ["BCP018@1:6"]);
    assert_eq!(codes("var x =\n"), ["BCP009@1:8"]);
    assert_eq!(codes("resource\n"), ["BCP017@1:9"]);
    assert_eq!(codes("resource r\n"), ["BCP068@1:11"]);
    assert_eq!(codes("resource r 'T@v'\n"), ["BCP018@1:17"]);
    assert_eq!(codes("resource r 'T@v' =\n"), ["BCP118@1:19"]);
    assert_eq!(codes("output o string\n"), ["BCP018@1:16"]);
    assert_eq!(codes("module m\n"), ["BCP097@1:9"]);
    assert_eq!(codes("type\n"), ["BCP325@1:5"]);
    assert_eq!(codes("func f\n"), ["BCP018@1:7"]);
    assert_eq!(codes("metadata\n"), ["BCP266@1:9"]);
    assert_eq!(codes("param p string 1\n"), ["BCP008@1:16"]);
    assert_eq!(codes("x\n"), ["BCP007@1:1"]);
    // A partial `in` clause is not reported twice.
    assert_eq!(codes("var x = [for (a, 1) in y: a]\n"), ["BCP249@1:14"]);
}

#[test]
fn recovery_keeps_what_parsed() {
    let p = parse_bicep("param a string\nvar x = \nparam b int\n");
    assert_eq!(p.program.params().count(), 2);
    let v = p.program.variables().next().expect("var");
    let Expr::Skipped(s) = &v.value else {
        panic!("{:?}", v.value)
    };
    assert!(s.is_missing());
    // A bad property value leaves a recovery node in the object; the other
    // properties parse.
    let p = parse_bicep("var x = {\n  a: 1\n  b: )\n  c: 3\n}\n");
    assert_eq!(
        codes("var x = {\n  a: 1\n  b: )\n  c: 3\n}\n"),
        ["BCP009@3:6"]
    );
    let Expr::Object(o) = var_value(&p) else {
        panic!()
    };
    assert_eq!(o.properties().count(), 3);
    assert!(o.get("b").is_some_and(|b| b.value.is_skipped()));
    assert_eq!(o.get("c").map(|c| sx(&c.value)), Some("3".into()));
    // Junk after a statement is skipped to the end of the line.
    let p = parse_bicep("var x = 1 2 3\nvar y = 2\n");
    assert_eq!(p.program.variables().count(), 2);
    assert!(
        p.program
            .statements
            .iter()
            .any(|s| matches!(s, Statement::Skipped(_)))
    );
}

#[test]
fn editor_recovery_closes_containers_at_column_0() {
    let text = "resource a 'T@v' = {\n  name: 'x'\n  properties: {\n    p: 1\n\nparam p string\noutput o string = p\n";
    // Bicep: the unclosed object swallows the rest of the file.
    // (Its errors inside the object are dropped with the object when the
    // missing `}` fails the declaration at the end of the file.)
    assert_eq!(codes(text), ["BCP018@8:1"]);
    // Editor recovery: the objects close before `param` (one BCP018,
    // there), and the following declarations parse.
    let p = parse(text, FileKind::Bicep, ParseOptions::EDITOR);
    assert_eq!(
        codes_in(text, FileKind::Bicep, ParseOptions::EDITOR),
        ["BCP018@6:1"]
    );
    assert_eq!(
        p.diagnostics[0].message,
        "Expected the \"}\" character at this location."
    );
    assert_eq!(p.program.params().count(), 1);
    assert_eq!(p.program.outputs().count(), 1);
    let r = p.program.resources().next().expect("resource");
    let body = r.body.object().expect("the body is kept");
    assert!(!body.closed);
    assert_eq!(body.get("name").and_then(|n| n.value.as_str()), Some("x"));
    let Some(Expr::Object(props)) = body.get("properties").map(|p| &p.value) else {
        panic!()
    };
    assert_eq!(props.get("p").map(|p| sx(&p.value)), Some("1".into()));

    // Indented declarations and keys do not trigger it…
    ok("var x = {\n  param: 1\n  var: 2\n}\n");
    // …nor a nested resource or decorator at column 0 where they are
    // items (a resource body, an object type).
    ok(
        "resource a 'T@v' = {\nresource b 'c' = {\n}\n@batchSize(1)\nresource c 'd' = [for x in y: {\n}]\n}\n",
    );
    ok("type t = {\n@description('d')\nname: string\n}\n");
    // `@` at column 0 in a plain object does.
    assert_eq!(
        codes_in(
            "var x = {\n  a: 1\n@description('d')\nparam p string\n",
            FileKind::Bicep,
            ParseOptions::EDITOR
        ),
        ["BCP018@3:1"]
    );
    // Other containers: arrays, calls, loops.
    assert_eq!(
        codes_in(
            "var x = [\n  1\nvar y = f(\n  a,\nvar z = [for i in r: {\nparam p string\n",
            FileKind::Bicep,
            ParseOptions::EDITOR
        ),
        ["BCP018@3:1", "BCP018@5:1", "BCP018@6:1"]
    );
    // In a `.bicepparam` file.
    assert_eq!(
        codes_in(
            "param a = {\n  b: 1\nparam c = 2\n",
            FileKind::BicepParam,
            ParseOptions::EDITOR
        ),
        ["BCP018@3:1"]
    );
}

#[test]
fn editor_recovery_closes_containers_at_the_end_of_the_file() {
    let text = "resource a 'T@v' = {\n  name: 'x'\n  properties: {\n    roles: [\n      'r'\n";
    // Bicep drops the whole body (one BCP018 at the end); editor recovery
    // keeps it, with one BCP018 there too.
    assert_eq!(codes(text), ["BCP018@6:1"]);
    let p = parse_bicep(text);
    assert_eq!(
        codes_in(text, FileKind::Bicep, ParseOptions::EDITOR),
        ["BCP018@6:1"]
    );
    assert_eq!(
        p.diagnostics[0].message,
        "Expected the \"]\" character at this location."
    );
    let body = p
        .program
        .resources()
        .next()
        .and_then(|r| r.body.object())
        .expect("body");
    assert_eq!(body.get("name").and_then(|n| n.value.as_str()), Some("x"));
    let exact = parse(text, FileKind::Bicep, ParseOptions::BICEP);
    assert!(
        exact
            .program
            .resources()
            .next()
            .is_some_and(|r| matches!(r.body, Body::Skipped(_)))
    );
}

#[test]
fn pragmas_are_trivia_with_their_codes() {
    let text = "#disable-next-line BCP081 MI402 // why\nparam p string\nvar x = {\n  #disable-next-line no-unused-vars\n  a: 1\n}\n#disable-diagnostics a b\n#restore-diagnostics a\n";
    let p = ok(text);
    let pragmas = p.pragmas();
    assert_eq!(pragmas.len(), 4);
    assert_eq!(pragmas[0].kind, PragmaKind::DisableNextLine);
    let codes0: Vec<&str> = pragmas[0].codes.iter().map(|c| c.text).collect();
    assert_eq!(codes0, ["BCP081", "MI402"]);
    assert_eq!(
        pragmas[0].span.text(text),
        "#disable-next-line BCP081 MI402"
    );
    assert_eq!(pragmas[0].codes[1].span.text(text), "MI402");
    assert_eq!(pragmas[1].codes[0].text, "no-unused-vars");
    assert_eq!(pragmas[2].kind, PragmaKind::DisableDiagnostics);
    assert_eq!(pragmas[3].kind, PragmaKind::RestoreDiagnostics);
    let kinds: Vec<_> = p
        .lexed
        .trivia
        .iter()
        .filter(|t| t.kind == TriviaKind::Pragma)
        .collect();
    assert_eq!(kinds.len(), 4);
    // Only at the start of a line; a code ends at any other character.
    assert_eq!(
        codes("var x = 1 #disable-next-line a\n"),
        ["BCP001@1:11", "BCP019@1:11"]
    );
    assert_eq!(
        codes("#disable-next-line\nparam p string\n"),
        ["BCP226@1:19"]
    );
    let p = parse_bicep("#disable-next-line BCP037|\nparam p string\n");
    assert_eq!(p.pragmas()[0].codes[0].text, "BCP037");
    assert_eq!(
        codes("/* c */#disable-next-line a\nparam p string\n"),
        ["BCP001@1:8", "BCP007@1:8"]
    );
}

#[test]
fn lossless_tokens_and_trivia() {
    let text = "\u{feff}// lead\r\n@description('d') /* c */\nparam p string = 'é😀' // tail\n\n\t#disable-next-line x\nvar v = 1";
    let p = parse_bicep(text);
    assert_eq!(p.lexed.reconstruct(text), text);
    assert_eq!(p.lexed.trivia[0].kind, TriviaKind::Bom);
    // Trivia sits before (leading) or after (trailing, same line) tokens.
    let i = p
        .lexed
        .tokens
        .iter()
        .position(|t| t.span.text(text) == "'é😀'")
        .expect("string");
    let trailing: Vec<_> = p.lexed.trailing_trivia(i).iter().map(|t| t.kind).collect();
    assert_eq!(trailing, [TriviaKind::Whitespace, TriviaKind::LineComment]);
}

#[test]
fn spans_and_positions() {
    // A BOM is trivia: byte spans index the text as given, positions do
    // not count it (Bicep and LSP clients strip it).
    let text = "\u{feff}var x = 'é😀' +\n";
    let p = parse_bicep(text);
    let idx = p.line_index();
    let v = p.program.variables().next().expect("var");
    assert_eq!(v.span.start, 3);
    assert_eq!(idx.position(v.span.start).character, 0);
    let d = &p.diagnostics[0];
    assert_eq!(d.code, "BCP009");
    // `var x = 'é😀' +` is 15 UTF-16 units.
    assert_eq!(idx.position(d.span.start).character, 15);
    assert_eq!(idx.offset(idx.position(d.span.start)), d.span.start);
    assert_eq!(p.program.span, Span::new(3, text.len() as u32));
}

#[test]
fn the_visitor_reaches_every_expression() {
    struct Counter {
        exprs: usize,
        strings: usize,
        types: usize,
        decorators: usize,
        resources: usize,
    }
    impl<'s> Visitor<'s> for Counter {
        fn visit_expr(&mut self, e: &Expr<'s>) {
            self.exprs += 1;
            walk_expr(self, e);
        }
        fn visit_string(&mut self, s: &StringLit<'s>) {
            self.strings += 1;
            for h in s.holes() {
                self.visit_expr(h);
            }
        }
        fn visit_type(&mut self, t: &TypeExpr<'s>) {
            self.types += 1;
            idguard_bicep::visit::walk_type(self, t);
        }
        fn visit_decorator(&mut self, d: &Decorator<'s>) {
            self.decorators += 1;
            self.visit_expr(&d.expr);
        }
        fn visit_resource(&mut self, r: &ResourceDecl<'s>) {
            self.resources += 1;
            idguard_bicep::visit::walk_resource(self, r);
        }
    }
    let p = ok(
        "@description('d')\nparam p string\nresource a 'T@v' = {\n  name: 'n${p}'\n  @batchSize(1)\n  resource b 'c' = [for x in y: {\n    name: x\n  }]\n}\n",
    );
    let mut c = Counter {
        exprs: 0,
        strings: 0,
        types: 0,
        decorators: 0,
        resources: 0,
    };
    c.visit_program(&p.program);
    assert_eq!(c.decorators, 2);
    assert_eq!(c.resources, 2);
    assert_eq!(c.types, 1);
    // 'T@v', 'n${p}', 'c' and 'd'.
    assert_eq!(c.strings, 4);
}
