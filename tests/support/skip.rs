// What a Rust test does when something it reads from outside the
// repository (the shared corpus, the SARIF schema, Bicep's baselines) is
// absent: outside CI it says so and goes on; in CI (`CI` set to anything
// but empty, `0` or `false`) it fails, so a skip is never mistaken for a
// pass. The reason is also appended to the file named by
// `IDGUARD_SKIP_LOG` (set by scripts/test.sh, which lists every skip in
// its last lines; `cargo test` shows a passing test's output only on
// request).
//
// Included (`#[path]`, or `include!` where a path cannot reach it) by
// each crate's test support, so the crates share one copy without a
// test-only crate. No inner attributes, so `include!` works.

/// True when running in CI.
#[allow(
    dead_code,
    clippy::disallowed_methods,
    reason = "test support reads the environment"
)]
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// Records that `what` did not run because of `reason`; panics in CI.
#[allow(
    dead_code,
    clippy::disallowed_methods,
    reason = "test support: reads the environment, appends to a log file"
)]
pub fn skip_or_fail(what: &str, reason: &str) {
    let line = format!("{what}: {reason}");
    assert!(!in_ci(), "required in CI (CI is set), but {line}");
    eprintln!("skipping {line}");
    if let Some(log) = std::env::var_os("IDGUARD_SKIP_LOG") {
        use std::io::Write;
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(log)
        {
            let _ = writeln!(f, "rust  {line}");
        }
    }
}
