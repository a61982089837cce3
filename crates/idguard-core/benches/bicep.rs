//! Lex + parse + lower of the `.bicep` files of the shared corpus (the
//! issue's budget: all 832 files, 6.3 MB, under 100 ms on one core), and
//! the whole check of them.
//!
//! `cargo bench -p idguard-core --bench bicep`. Groups (skipped when
//! `../shared/corpus` is absent):
//! - `corpus/lower`: lex + parse + lower of every file;
//! - `corpus/check`: `check_template` of every file (lowering, evaluation,
//!   model, rules; modules unresolved);
//! - `largest/lower`: the largest file.
//!
//! Besides criterion's figures, a `summary` line per group gives the time
//! of one pass by CPU time of the bench thread.
#![allow(
    clippy::disallowed_methods,
    reason = "the bench reads the corpus and the clock; the library does neither"
)]

mod common;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use idguard_core::api::{CheckOptions, SourceFile, check_template};
use idguard_core::policy::Policy;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

fn bicep_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            bicep_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "bicep") {
            out.push(path);
        }
    }
}

fn corpus() -> Vec<String> {
    let mut paths = Vec::new();
    bicep_files(Path::new(CORPUS), &mut paths);
    paths.sort();
    paths
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .collect()
}

fn total(texts: &[&str]) -> u64 {
    texts.iter().map(|t| t.len() as u64).sum()
}

fn parse_all(texts: &[&str]) -> usize {
    texts
        .iter()
        .map(|t| {
            idguard_bicep::parse_bicep(black_box(t))
                .program
                .statements
                .len()
        })
        .sum()
}

fn lower_all(texts: &[&str]) -> usize {
    texts
        .iter()
        .map(|t| {
            idguard_core::bicep::lower_bicep(black_box(t), &|_| None)
                .doc
                .len()
        })
        .sum()
}

fn check_all(texts: &[&str]) -> usize {
    let policy = Policy::default_policy();
    let options = CheckOptions {
        policy: &policy,
        today: None,
    };
    texts
        .iter()
        .map(|t| {
            let f = SourceFile {
                path: "main.bicep".to_string(),
                text: (*t).to_string(),
            };
            check_template(black_box(&f), &[], &|_| None, &options)
                .findings
                .len()
        })
        .sum()
}

/// Runs `f` over `texts` in 5 batches of `rounds` passes and prints the
/// time of one pass by CPU time of this thread (the best and the median
/// batch: on a shared machine the others' load inflates some batches) and
/// by wall-clock time.
fn summary(label: &str, texts: &[&str], rounds: u32, f: fn(&[&str]) -> usize) {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let mut cpu_ms = Vec::new();
    let mut wall_ms = Vec::new();
    for _ in 0..5 {
        let cpu0 = common::cpu_ns();
        let wall = std::time::Instant::now();
        for _ in 0..rounds {
            black_box(f(texts));
        }
        let wall = wall.elapsed().as_secs_f64();
        let cpu = cpu0
            .zip(common::cpu_ns())
            .map(|(a, b)| (b - a) as f64 / 1e9)
            .unwrap_or(f64::NAN);
        cpu_ms.push(cpu * 1e3 / f64::from(rounds));
        wall_ms.push(wall * 1e3 / f64::from(rounds));
    }
    cpu_ms.sort_by(f64::total_cmp);
    wall_ms.sort_by(f64::total_cmp);
    let mb = total(texts) as f64 / 1e6;
    println!(
        "summary {label}: {:.1} ms per pass by CPU time (best batch; median {:.1} ms), {:.0} MB/s; {:.1} ms by wall time (best)",
        cpu_ms[0],
        cpu_ms[2],
        mb / (cpu_ms[0] / 1e3),
        wall_ms[0],
    );
}

fn bench(c: &mut Criterion) {
    let files = corpus();
    if files.is_empty() {
        println!("skipping: corpus not found at {CORPUS}");
        return;
    }
    let all: Vec<&str> = files.iter().map(String::as_str).collect();
    println!("corpus: {} .bicep files, {} bytes", all.len(), total(&all));
    summary("corpus lex+parse", &all, 4, parse_all);
    summary("corpus lex+parse+lower", &all, 4, lower_all);
    summary("corpus check", &all, 2, check_all);
    let mut g = c.benchmark_group("corpus");
    g.sample_size(20).measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Bytes(total(&all)));
    g.bench_function("lower", |b| b.iter(|| lower_all(&all)));
    g.bench_function("check", |b| b.iter(|| check_all(&all)));
    g.finish();

    let largest = all.iter().copied().max_by_key(|t| t.len()).unwrap_or("");
    summary("largest lex+parse+lower", &[largest], 50, lower_all);
    let mut g = c.benchmark_group("largest");
    g.throughput(Throughput::Bytes(largest.len() as u64));
    g.bench_function("lower", |b| b.iter(|| lower_all(&[largest])));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
