//! T1: the token stream of every Bicep token baseline (`main.tokens.bicep`,
//! `parameters.tokens.bicepparam`), kinds and spans in Bicep's UTF-16
//! positions, equals Bicep's own; and tokens plus trivia give the text back.
#![allow(
    clippy::disallowed_methods,
    reason = "the test reads the shared oracle data; the library does no I/O"
)]

mod support;

use support::{Annotation, annotations, bicep_position, diff, escape, read};

use idguard_bicep::{LineIndex, lex};

fn token_annotations(text: &str) -> Vec<Annotation> {
    let lexed = lex(text);
    let index = LineIndex::new(text);
    lexed
        .tokens
        .iter()
        .map(|t| {
            let (line, start, end) = bicep_position(&index, t.span);
            Annotation {
                line,
                start,
                end,
                text: format!("{} |{}|", t.kind.name(), escape(t.span.text(text))),
            }
        })
        .collect()
}

#[test]
fn every_token_baseline_matches() {
    let Some(root) = support::baselines() else {
        return;
    };
    let mut cases = Vec::new();
    for tokens in support::files(&root.join("baselines"), "main.tokens.bicep") {
        cases.push((tokens.with_file_name("main.bicep"), tokens));
    }
    for tokens in support::files(&root.join("baselines_bicepparam"), ".tokens.bicepparam") {
        let source = tokens
            .to_string_lossy()
            .replace(".tokens.bicepparam", ".bicepparam");
        cases.push((source.into(), tokens));
    }
    assert_eq!(
        cases.len(),
        78,
        "expected 62 .bicep and 16 .bicepparam baselines"
    );
    let mut failures = Vec::new();
    for (source, tokens) in &cases {
        let text = read(source);
        let lexed = lex(&text);
        assert_eq!(
            lexed.reconstruct(&text),
            text,
            "{} is not lossless",
            source.display()
        );
        let mut expected = annotations(&read(tokens), &text, support::newline_for(source));
        let mut actual = token_annotations(&text);
        // Bicep writes only the annotations of lines that exist once the
        // source is split at the dataset's line break (a `_CRLF` sample
        // with LF line ends loses all but its first line's).
        let pieces = text.split(support::newline_for(source)).count() as u32;
        actual.retain(|a| a.line < pieces);
        expected.sort();
        actual.sort();
        if expected != actual {
            failures.push(format!(
                "{}:\n{}",
                tokens.strip_prefix(&root).unwrap_or(tokens).display(),
                diff(&expected, &actual)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} token baselines differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
