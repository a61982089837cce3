//! Native timing of exactly what the wasm `check` export runs
//! ([`idguard_wasm::bridge::check`]), for the figures in docs/wasm.md.
//!
//! `cargo run --release -p idguard-wasm --example native_bench -- [--runs N] FILE...`
//! prints one JSON line per file: `{"file", "bytes", "medianMs", "runs"}`.

use std::time::Instant;

fn main() {
    let mut runs = 20usize;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--runs" {
            runs = args.next().and_then(|n| n.parse().ok()).unwrap_or(runs);
        } else {
            files.push(a);
        }
    }
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            eprintln!("cannot read {file}");
            std::process::exit(2);
        };
        let options = serde_json::json!({ "fileName": file, "today": "2026-01-01" }).to_string();
        // Warm up.
        let _ = idguard_wasm::bridge::check(&text, &options);
        let mut times: Vec<f64> = (0..runs.max(1))
            .map(|_| {
                let t = Instant::now();
                let out = idguard_wasm::bridge::check(&text, &options);
                std::hint::black_box(out);
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        let median = times.get(times.len() / 2).copied().unwrap_or(0.0);
        println!(
            "{}",
            serde_json::json!({ "file": file, "bytes": text.len(), "medianMs": median, "runs": times.len() })
        );
    }
}
