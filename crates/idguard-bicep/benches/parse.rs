//! Lex + parse speed over the `.bicep` files of the shared corpus.
//!
//! `cargo bench -p idguard-bicep --bench parse`. Groups (the corpus ones
//! are skipped when `../shared/corpus` is absent):
//! - `corpus/lex`: the lexer alone over all 832 files;
//! - `corpus/parse`: lex + parse (the default editor recovery) over all;
//! - `largest`: lex + parse of the largest file;
//! - `synthetic-10MB`: lex + parse of a generated 10 MB template.
//!
//! Besides criterion's figures, a `summary` line per group gives the time
//! for one pass and MB/s by CPU time of the bench thread, which stays
//! meaningful on a machine shared with other jobs.
#![allow(
    clippy::disallowed_methods,
    reason = "the bench reads the corpus and the clock"
)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

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
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect()
}

/// A template-like `.bicep` text of about `bytes` bytes.
fn big_template(bytes: usize) -> String {
    let mut text = String::with_capacity(bytes + 4096);
    text.push_str("targetScope = 'resourceGroup'\n\n@description('The location.')\nparam location string = resourceGroup().location\n\n");
    let mut i = 0u64;
    while text.len() < bytes {
        text.push_str(&format!(
            "@sys.description('Identity {i}')\n\
             resource id{i} 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {{\n  \
             name: 'id-${{uniqueString(resourceGroup().id, '{i}')}}'\n  location: location\n  \
             tags: {{\n    env: empty(location) ? 'dev' : 'prod'\n    index: {i}\n  }}\n}}\n\n\
             resource ra{i} 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (p, j) in range(0, 3): if (j % 2 == 0) {{\n  \
             name: guid(id{i}.id, string(j))\n  scope: id{i}\n  properties: {{\n    \
             principalId: id{i}.properties.principalId\n    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'acdd72a7-3385-48ef-bd42-f606fba81ae7')\n    \
             principalType: 'ServicePrincipal'\n  }}\n}}]\n\n"
        ));
        i += 1;
    }
    text
}

fn cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn total(texts: &[&str]) -> u64 {
    texts.iter().map(|t| t.len() as u64).sum()
}

fn lex_all(texts: &[&str]) -> usize {
    texts
        .iter()
        .map(|t| idguard_bicep::lex(black_box(t)).tokens.len())
        .sum()
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

/// Runs `f` over `texts` `rounds` times and prints the time of one pass
/// and MB/s, by CPU time of this thread and by wall-clock time.
fn summary(label: &str, texts: &[&str], rounds: u32, f: fn(&[&str]) -> usize) {
    // Only under `cargo bench`, not when `cargo test` runs benches once.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let bytes = total(texts) as f64 * f64::from(rounds);
    let cpu0 = cpu_ns();
    let wall = std::time::Instant::now();
    for _ in 0..rounds {
        black_box(f(texts));
    }
    let wall = wall.elapsed().as_secs_f64();
    let cpu = cpu0
        .zip(cpu_ns())
        .map(|(a, b)| (b - a) as f64 / 1e9)
        .unwrap_or(f64::NAN);
    println!(
        "summary {label}: {:.1} ms per pass, {:.0} MB/s by CPU time; {:.1} ms per pass by wall time",
        cpu * 1e3 / f64::from(rounds),
        bytes / cpu / 1e6,
        wall * 1e3 / f64::from(rounds),
    );
}

fn bench(c: &mut Criterion) {
    let files = corpus();
    if files.is_empty() {
        println!("skipping corpus groups: corpus not found at {CORPUS}");
    } else {
        let all: Vec<&str> = files.iter().map(String::as_str).collect();
        println!("corpus: {} .bicep files, {} bytes", all.len(), total(&all));
        summary("corpus lex", &all, 20, lex_all);
        summary("corpus lex+parse", &all, 20, parse_all);
        let mut g = c.benchmark_group("corpus");
        g.sample_size(20).measurement_time(Duration::from_secs(10));
        g.throughput(Throughput::Bytes(total(&all)));
        g.bench_function("lex", |b| b.iter(|| lex_all(&all)));
        g.bench_function("parse", |b| b.iter(|| parse_all(&all)));
        g.finish();

        let largest = all.iter().copied().max_by_key(|t| t.len()).unwrap_or("");
        summary("largest lex+parse", &[largest], 100, parse_all);
        let mut g = c.benchmark_group("largest");
        g.throughput(Throughput::Bytes(largest.len() as u64));
        g.bench_function("parse", |b| b.iter(|| parse_all(&[largest])));
        g.finish();
    }

    let big = big_template(10 << 20);
    summary("synthetic-10MB lex+parse", &[&big], 5, parse_all);
    let mut g = c.benchmark_group("synthetic-10MB");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Bytes(big.len() as u64));
    g.bench_function("parse", |b| b.iter(|| parse_all(&[&big])));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
