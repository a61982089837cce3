//! How long the identity graph of a large template takes, beside the check
//! it comes with (docs/performance.md, "The identity graph"). Ignored by
//! default; run in a release build:
//!
//! ```sh
//! IDGUARD_GRAPH_FILE=../shared/corpus/bicep-registry-modules/avm__ptn__aca-lza__hosting-environment__main.json \
//!   cargo test --release -p idguard-core --test graph_perf -- --ignored --nocapture
//! ```
// The test reads the template from disk; the core itself does no I/O.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use std::time::Instant;

use idguard_core::api::{CheckOptions, SourceFile, check_template, graph_template};
use idguard_core::graph;
use idguard_core::policy::Policy;

#[test]
#[ignore = "a measurement: needs IDGUARD_GRAPH_FILE and a release build"]
fn graph_of_a_large_template() {
    let Some(path) = std::env::var_os("IDGUARD_GRAPH_FILE") else {
        eprintln!("IDGUARD_GRAPH_FILE is not set");
        return;
    };
    let text = std::fs::read_to_string(&path).unwrap();
    let policy = Policy::default_policy();
    let options = CheckOptions {
        policy: &policy,
        today: None,
    };
    let template = SourceFile {
        path: "main.json".to_string(),
        text,
    };
    let best = |f: &mut dyn FnMut()| {
        (0..5)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .min()
            .unwrap()
    };
    let check = best(&mut || {
        check_template(&template, &[], &|_| None, &options);
    });
    let mut graphs = Vec::new();
    let with_graph = best(&mut || {
        graphs = graph_template(&template, None, &[], &|_| None, &options, None).1;
    });
    let (mut mermaid, mut svg, mut json) = (0, 0, 0);
    let render = best(&mut || {
        let capped: Vec<_> = graphs
            .iter()
            .map(|g| graph::cap(g, graph::DEFAULT_MAX_NODES))
            .collect();
        mermaid = graph::mermaid(&capped).len();
        svg = graph::svg(&capped).len();
        json = graph::to_json(&graphs).len();
    });
    let nodes: usize = graphs.iter().map(|g| g.nodes.len()).sum();
    let edges: usize = graphs.iter().map(|g| g.edges.len()).sum();
    println!(
        "{}: check {:?}; check + graph {:?}; cap + Mermaid + SVG + JSON {:?}; {nodes} nodes, {edges} edges; Mermaid {mermaid} B, SVG {svg} B, JSON {json} B",
        path.to_string_lossy(),
        check,
        with_graph,
        render
    );
    assert!(with_graph + render < std::time::Duration::from_secs(1));
}
