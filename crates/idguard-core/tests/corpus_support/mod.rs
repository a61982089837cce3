//! The shared corpus of public templates (`../shared/corpus`), for the
//! tests that run over all of it.
#![allow(
    clippy::disallowed_methods,
    reason = "the tests read the corpus from disk; the library does no I/O"
)]

use std::path::{Path, PathBuf};

#[path = "../../../../tests/support/skip.rs"]
mod skip;

/// The corpus directory, or `None` after recording the skip (in CI, a
/// missing corpus fails the test instead).
pub fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if p.is_dir() {
        Some(p)
    } else {
        skip::skip_or_fail("corpus", &format!("not found at {}", p.display()));
        None
    }
}

/// Every `.json` and `.jsonc` file under `dir`, sorted.
pub fn json_files(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json") || e.eq_ignore_ascii_case("jsonc"))
            {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}
