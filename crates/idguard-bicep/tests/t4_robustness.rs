//! T4: robustness. No input makes the parser panic, overflow its stack or
//! take more than linear time:
//! - 100,000 nested brackets (and other deep shapes) give the nesting
//!   diagnostic, in a thread with a small stack;
//! - a 10 MB file parses, and adversarial shapes scale linearly;
//! - random bytes (lossy-decoded) and random Bicep token soup, in both
//!   recovery modes: tokens + trivia give the text back, every span is
//!   inside the text on character boundaries;
//! - unterminated strings and comments at the end of the file;
//! - every corpus file cut after every line (see `truncation.rs`).
#![allow(
    clippy::disallowed_methods,
    reason = "the test reads the shared oracle data; the library does no I/O"
)]

mod support;

use idguard_bicep::diagnostic::NESTING_LIMIT;
use idguard_bicep::{FileKind, ParseOptions, Parsed, parse};
use proptest::prelude::*;

const MODES: [ParseOptions; 2] = [ParseOptions::BICEP, ParseOptions::EDITOR];
const KINDS: [FileKind; 2] = [FileKind::Bicep, FileKind::BicepParam];

/// The stack the deep-nesting cases run with: what the parser needs at
/// the depth limit plus a margin (measured: ~1 KB per level in release,
/// ~5 KB unoptimized; nested resources about 1.5×).
fn stack_size() -> usize {
    if cfg!(debug_assertions) {
        8 << 20
    } else {
        1 << 20
    }
}

fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(stack_size())
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("the parse thread panicked")
}

/// The invariants every parse keeps, whatever the input.
fn check_invariants(text: &str, parsed: &Parsed<'_>) {
    assert_eq!(parsed.lexed.reconstruct(text), text, "not lossless");
    let ok = |s: idguard_bicep::Span| {
        s.start <= s.end && text.get(s.start as usize..s.end as usize).is_some()
    };
    let last = parsed.lexed.tokens.last().expect("an EndOfFile token");
    assert_eq!(last.kind, idguard_bicep::TokenKind::EndOfFile);
    for t in &parsed.lexed.tokens {
        assert!(ok(t.span), "token span {:?} off the text", t.span);
    }
    for t in &parsed.lexed.trivia {
        assert!(ok(t.span), "trivia span {:?} off the text", t.span);
    }
    for d in &parsed.diagnostics {
        assert!(
            ok(d.span),
            "diagnostic {} span {:?} off the text",
            d.code,
            d.span
        );
        assert!(!d.message.is_empty());
    }
    for s in &parsed.program.statements {
        assert!(ok(s.span()), "statement span {:?} off the text", s.span());
    }
    let mut prev = 0;
    for d in &parsed.diagnostics {
        assert!(d.span.start >= prev, "diagnostics out of order");
        prev = d.span.start;
    }
}

#[test]
fn deep_nesting_is_a_diagnostic_not_a_crash() {
    let shapes = [
        ("var x = ", "["),
        ("var x = ", "{a:"),
        ("var x = ", "("),
        ("var x = ", "f("),
        ("var x = ", "a.b["),
        ("var x = ", "'${"),
        ("var x = ", "!("),
        ("var x = ", "[for x in y: "),
        ("var x = ", "x => "),
        ("var x = ", "a ? b : "),
        ("var x = ", "[\n"),
        ("var x = ", "a+"),
        ("var x = ", "a."),
        ("var x = a", "!"),
        ("var x = ", "-("),
        ("type x = ", "{a:"),
        ("type x = ", "("),
        ("type x = ", "["),
        ("type x = ", "resourceInput<"),
        ("type x = string", "? "),
        ("param x ", "{\n@d()\na: "),
        ("resource a 'T@v' = ", "{\nresource b 'c' = "),
        (
            "resource a 'T@v' = ",
            "[for x in y: if (c) {\n@batchSize(1)\nresource b 'c' = ",
        ),
        ("@", "f("),
    ];
    for (prefix, unit) in shapes {
        // `param` and `resource` declarations nest only in `.bicep` files.
        let kinds: &[FileKind] = if prefix.starts_with("param") || prefix.starts_with("resource") {
            &[FileKind::Bicep]
        } else {
            &KINDS
        };
        for &kind in kinds {
            for mode in MODES {
                let text = format!("{prefix}{}x\n", unit.repeat(100_000));
                let codes = on_small_stack(move || {
                    let parsed = parse(&text, kind, mode);
                    check_invariants(&text, &parsed);
                    parsed
                        .diagnostics
                        .iter()
                        .map(|d| d.code)
                        .collect::<Vec<_>>()
                });
                let nesting = codes.iter().filter(|c| **c == NESTING_LIMIT).count();
                assert_eq!(
                    nesting, 1,
                    "{prefix}{unit}… ({kind:?}, {mode:?}): {codes:?}"
                );
                // Bicep reports every unclosed `(` at the end of the file
                // (its close-paren recovery does not propagate); editor
                // recovery reports one.
                let others = codes.iter().filter(|c| **c != "BCP018").count();
                assert!(others <= 6, "{prefix}{unit}…: {codes:?}");
                if mode == ParseOptions::EDITOR {
                    assert!(codes.len() <= 6, "{prefix}{unit}… (editor): {codes:?}");
                }
            }
        }
    }
}

#[test]
fn nesting_just_below_the_limit_is_fine() {
    // 100 levels of every kind of bracket is far beyond real templates
    // (the corpus maximum is 17) and well within the limit.
    let text = format!("var x = {}1{}\n", "[{a: f((".repeat(50), "))}]".repeat(50));
    let parsed =
        on_small_stack(move || parse(&text, FileKind::Bicep, ParseOptions::EDITOR).diagnostics);
    assert!(parsed.is_empty(), "{parsed:?}");
}

/// CPU time of this thread in seconds (Linux), or wall time.
fn timed(f: impl FnOnce()) -> f64 {
    fn cpu() -> Option<u64> {
        std::fs::read_to_string("/proc/thread-self/schedstat")
            .ok()?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    }
    let (c0, w0) = (cpu(), std::time::Instant::now());
    f();
    match (c0, cpu()) {
        (Some(a), Some(b)) => (b - a) as f64 / 1e9,
        _ => w0.elapsed().as_secs_f64(),
    }
}

/// Parsing `n` units and `10 n` units of a shape: the time grows at most
/// about linearly (a quadratic scan would grow 100-fold). `n` grows until
/// the small input takes a measurable time, and the best of three runs
/// counts, so a busy machine does not make the test flaky.
fn assert_linear(name: &str, make: impl Fn(usize) -> String, mut n: usize) {
    let time = |t: &str| {
        (0..3)
            .map(|_| {
                let w = std::time::Instant::now();
                std::hint::black_box(
                    parse(t, FileKind::Bicep, ParseOptions::EDITOR)
                        .diagnostics
                        .len(),
                );
                w.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    };
    let mut small = make(n);
    let mut ts = time(&small);
    while ts < 0.01 && n < 1 << 20 {
        n *= 2;
        small = make(n);
        ts = time(&small);
    }
    let large = make(10 * n);
    let tl = time(&large);
    let ratio = tl / ts;
    println!(
        "{name}: {} bytes in {:.1} ms, {} bytes in {:.1} ms (x{ratio:.1})",
        small.len(),
        ts * 1e3,
        large.len(),
        tl * 1e3
    );
    assert!(
        ratio < 40.0,
        "{name}: 10x the input took {ratio:.1}x the time"
    );
}

#[test]
fn adversarial_shapes_take_linear_time() {
    // Small in unoptimized builds, where each parse is ~5x slower.
    let n = if cfg!(debug_assertions) {
        5_000
    } else {
        20_000
    };
    assert_linear(
        "comment lines in a call",
        |n| format!("var x = f(a{})\n", "\n// c".repeat(n)),
        n,
    );
    assert_linear(
        "blank lines before ?",
        |n| format!("var x = a{}\n? b : c\n", "\n /* */".repeat(n)),
        n,
    );
    assert_linear(
        "pragma after tokens",
        |n| "x #disable-next-line a ".repeat(n),
        n,
    );
    assert_linear(
        "pragmas on lines",
        |n| "  #disable-next-line a b c\n".repeat(n),
        n,
    );
    assert_linear(
        "holes with braces",
        |n| format!("var x = '{}'\n", "${{{".repeat(n)),
        n,
    );
    assert_linear(
        "dollar runs",
        |n| format!("var x = $$$'''{}'''\n", "$$ ".repeat(n)),
        n,
    );
    assert_linear(
        "unterminated multi-line",
        |n| format!("var x = '''{}", "a' ''".repeat(n)),
        n,
    );
    assert_linear(
        "unterminated comment",
        |n| format!("/*{}", "* / ".repeat(n)),
        n,
    );
    assert_linear(
        "long member chain lines",
        |n| "var x = a.b.c[0].d!\n".repeat(n),
        n,
    );
    assert_linear("unclosed objects", |n| "var x = {\n".repeat(n), n);
    assert_linear("unclosed calls", |n| "var x = f(\n".repeat(n), n);
    assert_linear("junk", |n| "} ] ) , : = ? | & # \" $ ".repeat(n), n);
    assert_linear(
        "union lines",
        |n| format!("type t = 'a'{}\n", "\n| 'b'".repeat(n)),
        n,
    );
    assert_linear("decorators only", |n| "@a()\n".repeat(n), n);
}

/// About `bytes` of real Bicep: corpus files one after another (or a
/// generated template when the corpus is absent).
fn big_text(bytes: usize) -> String {
    let mut text = String::with_capacity(bytes + 300_000);
    if let Some(root) = support::corpus() {
        for path in support::files(&root, ".bicep") {
            let t = support::read(&path);
            text.push_str(t.trim_start_matches('\u{feff}'));
            text.push('\n');
            if text.len() >= bytes {
                break;
            }
        }
    }
    while text.len() < bytes {
        text.push_str(
            "resource id 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {\n  name: 'id-${uniqueString(resourceGroup().id)}'\n  location: location\n}\n",
        );
    }
    text
}

#[test]
fn a_ten_megabyte_file_parses_quickly() {
    let text = big_text(10 << 20);
    assert!(text.len() >= 10 << 20);
    let mut parsed = None;
    let secs = timed(|| parsed = Some(parse(&text, FileKind::Bicep, ParseOptions::EDITOR)));
    let parsed = parsed.expect("parsed");
    check_invariants(&text, &parsed);
    println!(
        "10 MB: {} statements, {} diagnostics, {:.2} s",
        parsed.program.statements.len(),
        parsed.diagnostics.len(),
        secs
    );
    // Generous for an unoptimized build on a shared machine; the release
    // figure is ~0.1 s (docs/bicep-syntax.md).
    assert!(secs < 30.0, "10 MB took {secs:.1} s");
}

#[test]
fn unterminated_things_at_the_end_of_the_file() {
    let cases: &[(&str, &str)] = &[
        ("var x = 'abc", "BCP003"),
        ("var x = 'abc\\", "BCP005"),
        ("var x = '\\u{41", "BCP003"),
        ("var x = '\\u", "BCP003"),
        ("var x = '''abc", "BCP140"),
        ("var x = '''", "BCP140"),
        ("var x = $'''${a}", "BCP140"),
        ("var x = $'''${", "BCP009"),
        ("var x = 'a${b", "BCP064"),
        ("var x = 'a${", "BCP009"),
        ("var x = 'a${b}", "BCP003"),
        ("/* abc", "BCP002"),
        ("var x = 1 /* abc", "BCP002"),
        ("var x = 1 /", "BCP009"),
        ("#disable-next-line", "BCP226"),
        ("var x = {", "BCP018"),
        ("var x = [", "BCP018"),
        ("var x = f(", "BCP018"),
        ("var x = (", "BCP009"),
        ("var x = [for", "BCP162"),
        ("resource x 'T@v' = {", "BCP018"),
        ("@description('x')", ""),
        ("param", "BCP013"),
        ("type t = 'a' |", "BCP279"),
        ("type t = 'a' |\n", "BCP300"),
        ("import {a", "BCP018"),
        ("func f(", "BCP018"),
        ("var x = a ?", "BCP009"),
        ("var x = a.", "BCP020"),
        ("var x = a[", "BCP009"),
        ("var x = a::", "BCP020"),
        ("var x = \"", "BCP103"),
    ];
    for (text, code) in cases {
        for kind in KINDS {
            for mode in MODES {
                let parsed = parse(text, kind, mode);
                check_invariants(text, &parsed);
                if kind == FileKind::Bicep && !code.is_empty() {
                    assert!(
                        parsed.diagnostics.iter().any(|d| d.code == *code),
                        "{text:?} ({mode:?}): expected {code}, got {:?}",
                        parsed.diagnostics
                    );
                }
            }
        }
    }
}

/// Fragments that make random text look like Bicep, to reach deep into the
/// parser rather than stop at the first unrecognized character.
const FRAGMENTS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    "'",
    "'''",
    "$'''",
    "$$'''",
    "${",
    "\\",
    "\\u{",
    "\n",
    "\r\n",
    " ",
    "\t",
    "@",
    ",",
    ":",
    "::",
    ".",
    ".?",
    "...",
    "?",
    "??",
    "!",
    "|",
    "=",
    "=>",
    "==",
    "&&",
    "-",
    "+",
    "<",
    ">",
    "*",
    "#",
    "//",
    "/*",
    "*/",
    "#disable-next-line ",
    "BCP001",
    "param ",
    "var ",
    "resource ",
    "module ",
    "output ",
    "type ",
    "func ",
    "import ",
    "extension ",
    "using ",
    "extends ",
    "targetScope",
    "metadata ",
    "existing",
    "if",
    "for",
    "in",
    "as",
    "with",
    "from",
    "none",
    "x",
    "y1",
    "true",
    "null",
    "0",
    "18446744073709551616",
    "\u{feff}",
    "é",
    "😀",
    "\"",
    "resourceInput<",
    "'T@v'",
    "string",
    "sys.description('d')",
];

fn fragment_soup() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(FRAGMENTS), 0..120).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn random_bytes_never_break_the_parser(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        for kind in KINDS {
            for mode in MODES {
                let parsed = parse(&text, kind, mode);
                check_invariants(&text, &parsed);
            }
        }
    }

    #[test]
    fn random_bicep_soup_never_breaks_the_parser(text in fragment_soup()) {
        for kind in KINDS {
            for mode in MODES {
                let parsed = parse(&text, kind, mode);
                check_invariants(&text, &parsed);
            }
        }
    }
}
