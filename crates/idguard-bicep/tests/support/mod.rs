//! What the tests share: where the shared oracle data is, and Bicep's
//! position format (0-based line, UTF-16 columns, BOM not counted).
#![allow(dead_code)]
#![allow(
    clippy::disallowed_methods,
    reason = "the test reads the shared oracle data; the library does no I/O"
)]

use std::path::{Path, PathBuf};

use idguard_bicep::{LineIndex, Span};

#[path = "../../../../tests/support/skip.rs"]
mod skip;

/// `../shared/<name>` from the repository root, or `None` after recording the
/// skip (tests/support/skip.rs: in CI a missing directory fails the test).
pub fn shared_dir(name: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared")
        .join(name);
    if p.is_dir() {
        return Some(p);
    }
    skip::skip_or_fail(name, &format!("not found at {}", p.display()));
    None
}

pub fn baselines() -> Option<PathBuf> {
    shared_dir("bicep-baselines")
}

pub fn corpus() -> Option<PathBuf> {
    shared_dir("corpus")
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file under `dir` whose name ends with `suffix`, sorted.
pub fn files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    fn walk(dir: &Path, suffix: &str, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, suffix, out);
            } else if path.to_string_lossy().ends_with(suffix) {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, suffix, &mut out);
    out.sort();
    out
}

/// One `//@[start:end) text` annotation of a Bicep baseline, on 0-based
/// `line` of the source (Bicep's `OutputHelper.AddDiagsToSourceText`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Annotation {
    pub line: u32,
    pub start: u32,
    pub end: u32,
    pub text: String,
}

impl std::fmt::Display for Annotation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:[{}:{}) {}",
            self.line + 1,
            self.start,
            self.end,
            self.text
        )
    }
}

/// The line break Bicep's baseline writer joined the lines of `source`
/// with: `\r\n` for a `.bicep` sample whose folder ends `_CRLF`, else `\n`
/// (`DataSetsExtensions.HasCrLfNewlines`; `.bicepparam` baselines always
/// use `\n`).
pub fn newline_for(source: &Path) -> &'static str {
    let dir = source
        .parent()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if source.extension().is_some_and(|e| e == "bicep") && dir.ends_with("_CRLF") {
        "\r\n"
    } else {
        "\n"
    }
}

/// The annotations of `baseline`, which Bicep wrote by splitting `source`
/// (BOM removed) at `newline` and writing, after the i-th piece, the
/// annotations whose position is on line i (Bicep's own line count:
/// `\r\n`, `\r` and `\n` end lines). Panics when the baseline is not laid
/// out that way.
pub fn annotations(baseline: &str, source: &str, newline: &str) -> Vec<Annotation> {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let mut rest = baseline.strip_prefix('\u{feff}').unwrap_or(baseline);
    let mut out = Vec::new();
    for (i, piece) in source.split(newline).enumerate() {
        rest = rest
            .strip_prefix(piece)
            .and_then(|r| r.strip_prefix(newline))
            .unwrap_or_else(|| panic!("baseline does not hold source line {}", i + 1));
        while let Some(body) = rest.strip_prefix("//@[") {
            let (line, tail) = body.split_once(newline).unwrap_or((body, ""));
            let (cols, text) = line.split_once(") ").expect("annotation `//@[s:e) text`");
            let (s, e) = cols.split_once(':').expect("annotation columns");
            out.push(Annotation {
                line: i as u32,
                start: s.parse().expect("start column"),
                end: e.parse().expect("end column"),
                text: text.to_string(),
            });
            rest = tail;
        }
    }
    out
}

/// Bicep's position of `span`: line and start column of its start, and
/// start column + length in UTF-16 units.
pub fn bicep_position(index: &LineIndex, span: Span) -> (u32, u32, u32) {
    let p = index.position(span.start);
    let len = index.utf16_offset(span.end) - index.utf16_offset(span.start);
    (p.line, p.character, p.character + len)
}

/// `OutputHelper.EscapeWhitespace`.
pub fn escape(s: &str) -> String {
    s.replace('\r', "\\r")
        .replace('\n', "\\n")
        .replace('\t', "\\t")
}

/// A short diff of two annotation lists: the first few differences.
pub fn diff(expected: &[Annotation], actual: &[Annotation]) -> String {
    let mut out = String::new();
    let (mut i, mut j, mut shown) = (0, 0, 0);
    while (i < expected.len() || j < actual.len()) && shown < 8 {
        match (expected.get(i), actual.get(j)) {
            (Some(e), Some(a)) if e == a => {
                i += 1;
                j += 1;
            }
            (Some(e), Some(a)) if e < a => {
                out.push_str(&format!("  - {e}\n"));
                i += 1;
                shown += 1;
            }
            (Some(_), Some(a)) => {
                out.push_str(&format!("  + {a}\n"));
                j += 1;
                shown += 1;
            }
            (Some(e), None) => {
                out.push_str(&format!("  - {e}\n"));
                i += 1;
                shown += 1;
            }
            (None, Some(a)) => {
                out.push_str(&format!("  + {a}\n"));
                j += 1;
                shown += 1;
            }
            (None, None) => break,
        }
    }
    out
}
