//! Golden output: the text, JSON, SARIF, JUnit and GitHub output of a few
//! fixtures, kept under `tests/golden/` and compared byte for byte, so a
//! change to any renderer or to what the core reports shows up as a diff
//! to review. `IDGUARD_BLESS=1 cargo test -p idguard-cli --test golden`
//! rewrites the files; review the diff before committing it.
//!
//! What changes from run to run is normalised first: the time taken (text
//! summary, JUnit `time`), the run's directory (SARIF `%SRCROOT%`) and
//! the version (SARIF `semanticVersion`).

mod common;

use std::path::{Path, PathBuf};

use common::idguard_in;

const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden");

const FORMATS: [(&str, &str); 5] = [
    ("text", "txt"),
    ("json", "json"),
    ("sarif", "sarif"),
    ("junit", "xml"),
    ("github", "github"),
];

/// Replaces the digits of every `<prefix><digits>.<digits><suffix>` with
/// `<time>`.
fn mask_times(s: &str, prefix: &str, suffix: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find(prefix) {
        let (before, after) = rest.split_at(at + prefix.len());
        out.push_str(before);
        let digits = after
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(after.len());
        if digits > 0 && after[digits..].starts_with(suffix) {
            out.push_str("<time>");
            rest = &after[digits..];
        } else {
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

fn normalise(out: &str, dir: &Path) -> String {
    let canonical = std::fs::canonicalize(dir).unwrap();
    let root = canonical.to_string_lossy().replace('\\', "/");
    let s = out.replace(&format!("file://{root}/"), "file:///RUN_DIR/");
    // The version, so a release does not touch the golden files.
    let s = s.replace(
        &format!("\"semanticVersion\": \"{}\"", env!("CARGO_PKG_VERSION")),
        "\"semanticVersion\": \"<version>\"",
    );
    let s = mask_times(&s, " in ", "s");
    mask_times(&s, "time=\"", "\"")
}

/// Runs `idguard check args… --format F` in `dir` for every format and
/// compares each output with `tests/golden/<name>.<ext>`.
fn golden(name: &str, dir: &Path, args: &[&str], expected_code: i32) {
    let bless = std::env::var_os("IDGUARD_BLESS").is_some();
    let mut drifted = Vec::new();
    for (format, ext) in FORMATS {
        let mut all = vec!["check"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--format", format, "--color", "never"]);
        let r = idguard_in(dir, &all);
        assert_eq!(r.code, expected_code, "{name} {format}: {}", r.all());
        let got = normalise(&r.stdout, dir);
        let path = PathBuf::from(GOLDEN).join(format!("{name}.{ext}"));
        if bless {
            std::fs::create_dir_all(GOLDEN).unwrap();
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("{} is missing: run with IDGUARD_BLESS=1", path.display()));
        if got != want {
            let line = got
                .lines()
                .zip(want.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| got.lines().count().min(want.lines().count()));
            drifted.push(format!(
                "{}: first difference at line {}\n  got:  {:?}\n  want: {:?}",
                path.display(),
                line + 1,
                got.lines().nth(line).unwrap_or("<end>"),
                want.lines().nth(line).unwrap_or("<end>")
            ));
        }
    }
    assert!(
        drifted.is_empty(),
        "output drifted from the golden files (IDGUARD_BLESS=1 rewrites them; review the diff):\n{}",
        drifted.join("\n")
    );
}

#[test]
fn mask_times_masks_only_times() {
    assert_eq!(
        mask_times("Checked 1 template in 0.03s: x in 5 s", " in ", "s"),
        "Checked 1 template in <time>s: x in 5 s"
    );
    assert_eq!(
        mask_times("<testsuites time=\"0.012\" name=\"a\">", "time=\"", "\""),
        "<testsuites time=\"<time>\" name=\"a\">"
    );
}

/// A JSON template: Contributor at subscription scope.
#[test]
fn golden_json_template() {
    let dir = Path::new(REPO).join("tests/fixtures/cli");
    golden("json-broad", &dir, &["broad"], 1);
}

/// The bundled Bicep example (README's first command): a template, a
/// local module and a `.bicepparam` file per environment.
#[test]
fn golden_bicep_example() {
    golden("bicep-example", Path::new(REPO), &["examples"], 1);
}

/// The Bicep end-to-end fixture: a registry module read from a fake
/// cache, one that is not restored (a note), a compiled JSON left out.
#[test]
fn golden_bicep_notes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bicep");
    golden("bicep-notes", &dir, &["app", "--bicep-cache", "cache"], 1);
}
