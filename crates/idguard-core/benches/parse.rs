//! Parse speed of the source layer against serde_json on the same text.
//!
//! `cargo bench -p idguard-core --bench parse`. Groups:
//! - `corpus`: every `*.json`/`*.jsonc` file of `../shared/corpus` (skipped
//!   when absent); serde_json reads only the files it accepts (strict JSON,
//!   BOM removed), so its group is measured on that subset, and idguard is
//!   measured on both the whole corpus and that subset.
//! - `largest`: the largest corpus file.
//! - `synthetic-50MB`: a generated 50 MB template.
#![allow(
    clippy::disallowed_methods,
    reason = "the bench reads the corpus from disk; the library does no I/O"
)]

mod common;

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use idguard_core::source::Document;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

fn corpus() -> Vec<String> {
    common::corpus_support::json_files(Path::new(CORPUS))
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect()
}

/// A template-like document of about `bytes` bytes.
fn big_template(bytes: usize) -> String {
    let mut text = String::with_capacity(bytes + 4096);
    text.push_str("{\n  \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",\n  \"resources\": [\n");
    let mut i = 0u64;
    while text.len() < bytes {
        if i > 0 {
            text.push_str(",\n");
        }
        text.push_str(&format!(
            "    {{\n      \"type\": \"Microsoft.ManagedIdentity/userAssignedIdentities\",\n      \
             \"apiVersion\": \"2023-01-31\",\n      \"name\": \"[format('id-{{0}}-{i}', parameters('env'))]\",\n      \
             \"location\": \"[resourceGroup().location]\",\n      \
             \"properties\": {{ \"count\": {i}, \"ratio\": {i}.5, \"enabled\": true, \"tags\": [\"a\\tb\", null, -1e3] }},\n      \
             \"dependsOn\": []\n    }}"
        ));
        i += 1;
    }
    text.push_str("\n  ]\n}\n");
    text
}

fn total(texts: &[&str]) -> u64 {
    texts.iter().map(|t| t.len() as u64).sum()
}

fn parse_all(texts: &[&str]) -> usize {
    texts
        .iter()
        .map(|t| Document::parse(black_box(t)).map(|d| d.len()).unwrap_or(0))
        .sum()
}

fn serde_all(texts: &[&str]) -> usize {
    texts
        .iter()
        .map(|t| {
            serde_json::from_str::<serde_json::Value>(black_box(t))
                .map(|v| usize::from(v.is_object()))
                .unwrap_or(0)
        })
        .sum()
}

/// Runs `f` over `texts` `rounds` times and prints MB/s and files/s, both
/// by wall-clock time and by CPU time of this thread.
fn summary(label: &str, texts: &[&str], rounds: u32, f: fn(&[&str]) -> usize) {
    // Only under `cargo bench`, not when `cargo test` runs benches once.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let bytes = total(texts) as f64 * f64::from(rounds);
    let files = texts.len() as f64 * f64::from(rounds);
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
    println!(
        "summary {label}: {:.0} MB/s, {:.0} files/s by CPU time ({cpu:.2} s); \
         {:.0} MB/s by wall time ({wall:.2} s)",
        bytes / cpu / 1e6,
        files / cpu,
        bytes / wall / 1e6,
    );
}

fn bench(c: &mut Criterion) {
    let files = corpus();
    if files.is_empty() {
        println!("skipping corpus groups: corpus not found at {CORPUS}");
    } else {
        let all: Vec<&str> = files.iter().map(String::as_str).collect();
        let strict: Vec<&str> = all
            .iter()
            .map(|t| t.strip_prefix('\u{feff}').unwrap_or(t))
            .filter(|t| serde_json::from_str::<serde::de::IgnoredAny>(t).is_ok())
            .collect();
        println!(
            "corpus: {} files, {} bytes; serde_json accepts {} files, {} bytes",
            all.len(),
            total(&all),
            strict.len(),
            total(&strict)
        );

        summary("corpus idguard/all", &all, 10, parse_all);
        summary("corpus idguard/strict-subset", &strict, 10, parse_all);
        summary("corpus serde_json/strict-subset", &strict, 10, serde_all);

        let mut g = c.benchmark_group("corpus");
        g.sample_size(10).measurement_time(Duration::from_secs(15));
        g.throughput(Throughput::Bytes(total(&all)));
        g.bench_function("idguard/all", |b| b.iter(|| parse_all(&all)));
        g.throughput(Throughput::Bytes(total(&strict)));
        g.bench_function("idguard/strict-subset", |b| b.iter(|| parse_all(&strict)));
        g.bench_function("serde_json/strict-subset", |b| {
            b.iter(|| serde_all(&strict))
        });
        g.finish();

        let largest = all.iter().copied().max_by_key(|t| t.len()).unwrap_or("");
        summary("largest idguard", &[largest], 100, parse_all);
        summary("largest serde_json", &[largest], 100, serde_all);
        let mut g = c.benchmark_group("largest");
        g.sample_size(20);
        g.throughput(Throughput::Bytes(largest.len() as u64));
        g.bench_function("idguard", |b| b.iter(|| parse_all(&[largest])));
        g.bench_function("serde_json", |b| b.iter(|| serde_all(&[largest])));
        g.finish();
    }

    let big = big_template(50 << 20);
    summary("synthetic-50MB idguard", &[&big], 5, parse_all);
    summary("synthetic-50MB serde_json", &[&big], 5, serde_all);
    let mut g = c.benchmark_group("synthetic-50MB");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Bytes(big.len() as u64));
    g.bench_function("idguard", |b| b.iter(|| parse_all(&[&big])));
    g.bench_function("serde_json", |b| b.iter(|| serde_all(&[&big])));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
