//! Property tests of the source layer: no input makes `Document::parse`
//! panic, and any JSON text, however it is dressed in ARM's dialect
//! (comments, trailing commas, odd whitespace, repeated keys), parses to
//! what serde_json reads from its plain form, with spans that point at the
//! right text.

use idguard_core::source::{Document, Kind, NodeId};
use proptest::prelude::*;

/// A JSON tree whose objects may repeat keys.
#[derive(Clone, Debug)]
enum J {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

fn key() -> impl Strategy<Value = String> {
    // Mostly a handful of short keys, so repeats are common.
    prop_oneof![3 => "[ab]{0,2}", 1 => any::<String>()]
}

fn tree() -> impl Strategy<Value = J> {
    let leaf = prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        any::<i64>().prop_map(J::Int),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(J::Float),
        any::<String>().prop_map(J::Str),
        "[a-z \\\\\"/\t\n\r\u{0}-\u{1f}é😀]{0,12}".prop_map(J::Str),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(J::Arr),
            prop::collection::vec((key(), inner), 0..6).prop_map(J::Obj),
        ]
    })
}

/// Tiny deterministic choices for the dialect renderer.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % sides
    }
}

/// Renders `j`; with `dice`, dressed in the lenient dialect.
fn render(j: &J, out: &mut String, dice: &mut Option<Dice>) {
    let gap = |out: &mut String, dice: &mut Option<Dice>| {
        if let Some(d) = dice {
            match d.roll(8) {
                0 => out.push_str(" /* c */ "),
                1 => out.push_str("// line\n"),
                2 => out.push_str("\r\n\t"),
                3 => out.push_str("/**//*/ x **/"),
                4 => out.push_str("//\r"),
                _ => {}
            }
        }
    };
    let trailing = |out: &mut String, dice: &mut Option<Dice>| {
        if let Some(d) = dice
            && d.roll(3) == 0
        {
            out.push(',');
        }
    };
    match j {
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Int(i) => out.push_str(&i.to_string()),
        J::Float(f) => out.push_str(&serde_json::to_string(f).unwrap()),
        J::Str(s) => {
            // Raw (unescaped) control characters are part of the dialect.
            if dice.as_mut().is_some_and(|d| d.roll(2) == 0) {
                out.push('"');
                for c in s.chars() {
                    match c {
                        '"' => out.push_str("\\\""),
                        '\\' => out.push_str("\\\\"),
                        c => out.push(c),
                    }
                }
                out.push('"');
            } else {
                out.push_str(&serde_json::to_string(s).unwrap());
            }
        }
        J::Arr(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                gap(out, dice);
                render(item, out, dice);
                gap(out, dice);
            }
            if !items.is_empty() {
                trailing(out, dice);
            }
            gap(out, dice);
            out.push(']');
        }
        J::Obj(members) => {
            out.push('{');
            for (i, (k, v)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                gap(out, dice);
                out.push_str(&serde_json::to_string(k).unwrap());
                gap(out, dice);
                out.push(':');
                gap(out, dice);
                render(v, out, dice);
                gap(out, dice);
            }
            if !members.is_empty() {
                trailing(out, dice);
            }
            gap(out, dice);
            out.push('}');
        }
    }
}

/// Numbers compare by value (serde_json keeps big integers as u64 and its
/// default float parsing may be a last-place off).
fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value as V;
    match (a, b) {
        (V::Number(x), V::Number(y)) => {
            x == y
                || match (x.as_f64(), y.as_f64()) {
                    (Some(x), Some(y)) => x == y || ((x - y) / x).abs() < 1e-15,
                    _ => false,
                }
        }
        (V::Array(x), V::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (V::Object(x), V::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, va), (kb, vb))| ka == kb && same(va, vb))
        }
        _ => a == b,
    }
}

/// Every reachable node: its span re-parses to the same value, its parent
/// lists it, and member key spans hold the key.
fn check_spans(doc: &Document, text: &str) {
    let mut stack = vec![doc.root()];
    assert_eq!(doc.node(doc.root()).parent, None);
    while let Some(id) = stack.pop() {
        let span = doc.span(id);
        let slice = &text[span.start as usize..span.end as usize];
        let alone = Document::parse(slice).unwrap();
        assert!(
            same(&alone.to_json(alone.root()), &doc.to_json(id)),
            "span of {id} is {slice:?}"
        );
        let children: Vec<NodeId> = match doc.kind(id) {
            Kind::Array(items) => items.to_vec(),
            Kind::Object(members) => {
                for m in members.iter() {
                    let k = &text[m.key_span.start as usize..m.key_span.end as usize];
                    let parsed = Document::parse(k).unwrap();
                    assert_eq!(parsed.as_str(parsed.root()), Some(&*m.key));
                }
                members.iter().map(|m| m.value).collect()
            }
            _ => Vec::new(),
        };
        for child in children {
            assert_eq!(doc.node(child).parent, Some(id));
            stack.push(child);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn never_panics_on_arbitrary_text(text in any::<String>()) {
        let _ = Document::parse(&text);
    }

    #[test]
    fn never_panics_on_json_like_text(
        text in "[\\[\\]{}\",:0-9a-z\\\\/* \n\r\t.eE+\\-u\u{feff}é]{0,80}"
    ) {
        let _ = Document::parse(&text);
    }

    #[test]
    fn never_panics_on_mutated_json(
        j in tree(),
        seed in any::<u64>(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..4, any::<char>()), 1..4),
    ) {
        let mut text = String::new();
        render(&j, &mut text, &mut Some(Dice(seed)));
        for (at, op, c) in edits {
            let boundaries: Vec<usize> =
                (0..=text.len()).filter(|i| text.is_char_boundary(*i)).collect();
            let i = boundaries[at.index(boundaries.len())];
            let next = boundaries.iter().copied().find(|b| *b > i);
            let c = match op {
                0 => c,
                // Mostly structural characters: they break things best.
                _ => ['"', '\\', '[', ']', '{', '}', ',', ':', '/', '*', 'u'][c as usize % 11],
            };
            match (op, next) {
                (1, Some(n)) => text.replace_range(i..n, ""),
                (2, Some(n)) => text.replace_range(i..n, c.encode_utf8(&mut [0; 4])),
                _ => text.insert(i, c),
            }
        }
        if let Err(e) = Document::parse(&text) {
            prop_assert!(e.offset as usize <= text.len());
            prop_assert!(e.line >= 1 && e.column >= 1);
        }
    }

    #[test]
    fn plain_json_matches_serde_json(j in tree()) {
        let mut text = String::new();
        render(&j, &mut text, &mut None);
        let want: serde_json::Value = serde_json::from_str(&text).unwrap();
        let doc = Document::parse(&text).unwrap();
        prop_assert!(same(&doc.to_json(doc.root()), &want), "{text}");
        check_spans(&doc, &text);
    }

    #[test]
    fn dialect_matches_serde_json_on_the_plain_form(j in tree(), seed in any::<u64>()) {
        let mut plain = String::new();
        render(&j, &mut plain, &mut None);
        let mut dressed = String::new();
        render(&j, &mut dressed, &mut Some(Dice(seed)));
        let want: serde_json::Value = serde_json::from_str(&plain).unwrap();
        let doc = Document::parse(&dressed).unwrap();
        prop_assert!(same(&doc.to_json(doc.root()), &want), "{dressed}");
        check_spans(&doc, &dressed);
    }

    #[test]
    fn pretty_json_with_bom_and_crlf_matches(j in tree()) {
        let value = {
            let mut plain = String::new();
            render(&j, &mut plain, &mut None);
            serde_json::from_str::<serde_json::Value>(&plain).unwrap()
        };
        let text = format!(
            "\u{feff}{}\r\n",
            serde_json::to_string_pretty(&value).unwrap().replace('\n', "\r\n")
        );
        let doc = Document::parse(&text).unwrap();
        prop_assert!(same(&doc.to_json(doc.root()), &value));
    }
}
