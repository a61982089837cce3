//! T3: every `.bicep` file of the shared corpus parses; the only one with
//! syntax errors is Bicep's own `InvalidLambdas_LF` sample, whose first is
//! BCP009 at 46:19 (`var partial = i =>`, as BICEP.md says; the design's
//! prototype stopped at the first error). With recovery, the parser finds
//! the five more that Bicep's baseline lists for that file (T2 checks them
//! against the baseline too). Tokens plus trivia give every file back byte
//! for byte, and both recovery modes agree on every file.
#![allow(
    clippy::disallowed_methods,
    reason = "the test reads the shared oracle data; the library does no I/O"
)]

mod support;

use idguard_bicep::{FileKind, LineIndex, ParseOptions, parse, parse_bicep};

const INVALID: &str =
    "bicep/src__Bicep.Core.Samples__Files__baselines__InvalidLambdas_LF__main.bicep";

#[test]
fn every_corpus_file_parses() {
    let Some(root) = support::corpus() else {
        return;
    };
    let files = support::files(&root, ".bicep");
    assert_eq!(files.len(), 832, "the corpus has 832 .bicep files");
    let mut with_errors = Vec::new();
    for path in &files {
        let text = support::read(path);
        let rel = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        let parsed = parse_bicep(&text);
        assert_eq!(
            parsed.lexed.reconstruct(&text),
            text,
            "{rel} is not lossless"
        );
        // Bicep's own recovery finds the same.
        let exact = parse(&text, FileKind::Bicep, ParseOptions::BICEP);
        assert_eq!(
            exact.diagnostics, parsed.diagnostics,
            "{rel}: the two recovery modes disagree"
        );
        if !parsed.diagnostics.is_empty() {
            let index = LineIndex::new(&text);
            let list: Vec<String> = parsed
                .diagnostics
                .iter()
                .map(|d| {
                    let p = index.position(d.span.start);
                    format!("{} at {}:{}", d.code, p.line + 1, p.character + 1)
                })
                .collect();
            with_errors.push(format!("{rel}: {}", list.join(", ")));
        }
    }
    assert_eq!(
        with_errors,
        vec![format!(
            "{INVALID}: BCP009 at 46:19, BCP009 at 81:27, BCP009 at 82:34, BCP243 at 83:31, \
             BCP018 at 85:3, BCP009 at 90:3"
        )]
    );
}
