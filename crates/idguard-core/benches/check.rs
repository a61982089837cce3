//! Speed of the engine past the parser: evaluation and the whole check.
//!
//! `cargo bench -p idguard-core --bench check`. Every group runs over the
//! templates of `../shared/corpus` (files whose `$schema` is a deployment
//! template; parameter files and other JSON are left out), and is skipped
//! when the corpus is absent:
//! - `evaluate`: parse + template views + `template::evaluate` (the
//!   normalized, evaluated deployment tree), no model, no rules;
//! - `check`: `api::check_template` with the default policy, each template
//!   alone (no parameter files, no linked templates), as the CLI calls it;
//! - `largest`: both of the above on the largest corpus template alone.
//!
//! Besides criterion's figures, a `summary` line per group gives MB/s and
//! templates/s by CPU time of the bench thread, which stays meaningful on a
//! machine shared with other jobs.
#![allow(
    clippy::disallowed_methods,
    reason = "the bench reads the corpus from disk; the library does no I/O"
)]

mod common;

use std::hint::black_box;
use std::path::Path;
use std::rc::Rc;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use idguard_core::api::{CheckOptions, SourceFile, check_template};
use idguard_core::finding::FileKind;
use idguard_core::policy::Policy;
use idguard_core::project::sniff_kind;
use idguard_core::source::Document;
use idguard_core::template::{self, Files};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

/// The largest template of the corpus (3.3 MB).
const LARGEST: &str = "bicep-registry-modules/avm__ptn__aca-lza__hosting-environment__main.json";

/// Every corpus template as (path, text), sorted by path.
fn templates() -> Vec<SourceFile> {
    common::corpus_support::json_files(Path::new(CORPUS))
        .iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(p).ok()?;
            (sniff_kind(&text) == FileKind::Template).then(|| SourceFile {
                path: p.to_string_lossy().into_owned(),
                text,
            })
        })
        .collect()
}

/// Parse, add template views and evaluate; the number of resources.
fn evaluate_one(t: &SourceFile) -> usize {
    let Ok(doc) = Document::parse(black_box(&t.text)) else {
        return 0;
    };
    let mut files = Files::default();
    let root = files.push(t.path.clone(), Rc::from(t.text.as_str()), Rc::new(doc));
    files.add_template_views(root);
    template::evaluate(&files, root, None).resources.len()
}

fn evaluate_all(ts: &[&SourceFile]) -> usize {
    ts.iter().map(|t| evaluate_one(t)).sum()
}

/// The whole check; the number of findings.
fn check_all(ts: &[&SourceFile]) -> usize {
    let policy = Policy::default_policy();
    let options = CheckOptions {
        policy: &policy,
        today: None,
    };
    let resolve = |_: &str| None;
    ts.iter()
        .map(|t| {
            check_template(black_box(t), &[], &resolve, &options)
                .findings
                .len()
        })
        .sum()
}

fn total(ts: &[&SourceFile]) -> u64 {
    ts.iter().map(|t| t.text.len() as u64).sum()
}

/// Runs `f` over `ts` `rounds` times and prints MB/s, templates/s and time
/// per round, by CPU time of this thread and by wall-clock time.
fn summary(label: &str, ts: &[&SourceFile], rounds: u32, f: fn(&[&SourceFile]) -> usize) {
    // Only under `cargo bench`, not when `cargo test` runs benches once.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let bytes = total(ts) as f64 * f64::from(rounds);
    let files = ts.len() as f64 * f64::from(rounds);
    let cpu0 = common::cpu_ns();
    let wall = std::time::Instant::now();
    for _ in 0..rounds {
        black_box(f(ts));
    }
    let wall = wall.elapsed().as_secs_f64();
    let cpu = cpu0
        .zip(common::cpu_ns())
        .map(|(a, b)| b.saturating_sub(a) as f64 / 1e9)
        .unwrap_or(f64::NAN);
    println!(
        "summary {label}: {:.1} MB/s, {:.0} templates/s, {:.2} ms/round by CPU time; \
         {:.1} MB/s, {:.2} ms/round by wall time",
        bytes / cpu / 1e6,
        files / cpu,
        cpu * 1e3 / f64::from(rounds),
        bytes / wall / 1e6,
        wall * 1e3 / f64::from(rounds),
    );
}

fn bench(c: &mut Criterion) {
    let owned = templates();
    if owned.is_empty() {
        println!("skipping: corpus not found at {CORPUS}");
        return;
    }
    let all: Vec<&SourceFile> = owned.iter().collect();
    println!("corpus: {} templates, {} bytes", all.len(), total(&all));

    summary("evaluate/corpus", &all, 3, evaluate_all);
    summary("check/corpus", &all, 3, check_all);

    let mut g = c.benchmark_group("corpus");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.throughput(Throughput::Bytes(total(&all)));
    g.bench_function("evaluate", |b| b.iter(|| evaluate_all(&all)));
    g.bench_function("check", |b| b.iter(|| check_all(&all)));
    g.finish();

    let Some(largest) = all
        .iter()
        .copied()
        .find(|t| t.path.replace('\\', "/").ends_with(LARGEST))
        .or_else(|| all.iter().copied().max_by_key(|t| t.text.len()))
    else {
        return;
    };
    println!("largest: {} ({} bytes)", largest.path, largest.text.len());
    summary("evaluate/largest", &[largest], 20, evaluate_all);
    summary("check/largest", &[largest], 20, check_all);
    let mut g = c.benchmark_group("largest");
    g.sample_size(20).measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Bytes(largest.text.len() as u64));
    g.bench_function("evaluate", |b| b.iter(|| evaluate_all(&[largest])));
    g.bench_function("check", |b| b.iter(|| check_all(&[largest])));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
