//! What the benches share: the corpus walker of the tests, and the CPU
//! time of the bench thread (figures that stay meaningful on a machine
//! shared with other jobs).
#![allow(
    clippy::disallowed_methods,
    reason = "the benches read the corpus and the clock; the library does neither"
)]

// The benches take the walker only; they name the corpus directory
// themselves, to say which groups they skip.
#[allow(dead_code)]
#[path = "../../tests/corpus_support/mod.rs"]
pub mod corpus_support;

/// Nanoseconds this thread has spent on a CPU (Linux).
pub fn cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
