//! The evaluation budget against real templates: every template of
//! `../shared/corpus`, checked as the CLI checks it (with the parameter
//! files its naming pairs it with, and the linked templates next to it),
//! stays far inside every limit of [`Limits::DEFAULT`]. The figures are in
//! `docs/security.md`; `cargo test --test corpus_budget -- --nocapture`
//! prints them.
#![allow(clippy::disallowed_methods)]

use std::path::Path;

use idguard_core::api::{CheckOptions, SourceFile, check_template};
use idguard_core::budget::{Limits, Usage};
use idguard_core::finding::FileKind;
use idguard_core::policy::Policy;
use idguard_core::project::{pair_parameter_files, sniff_kind};

mod corpus_support;

/// The share of a limit the most demanding corpus template may use.
const HEADROOM: u64 = 6;

#[test]
fn corpus_templates_stay_far_inside_the_budget() {
    let Some(root) = corpus_support::corpus() else {
        return;
    };
    let mut texts = std::collections::BTreeMap::new();
    let (mut templates, mut params) = (Vec::new(), Vec::new());
    for path in corpus_support::json_files(&root) {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let name = path.to_string_lossy().into_owned();
        match sniff_kind(&text) {
            FileKind::Template => templates.push(name.clone()),
            FileKind::Parameters => params.push(name.clone()),
            FileKind::Other => continue,
        }
        texts.insert(name, text);
    }
    let t: Vec<&str> = templates.iter().map(String::as_str).collect();
    let p: Vec<&str> = params.iter().map(String::as_str).collect();
    let policy = Policy::default_policy();
    let options = CheckOptions {
        policy: &policy,
        today: None,
    };
    let mut most: Vec<(&str, u64, String)> = vec![
        ("steps", 0, String::new()),
        ("value bytes", 0, String::new()),
        ("resource instances", 0, String::new()),
        ("deployments", 0, String::new()),
        ("nesting", 0, String::new()),
    ];
    for (template, param_files) in pair_parameter_files(&t, &p) {
        let source = SourceFile {
            path: template.to_string(),
            text: texts[template].clone(),
        };
        let parameter_files: Vec<SourceFile> = param_files
            .iter()
            .map(|p| SourceFile {
                path: p.to_string(),
                text: texts[*p].clone(),
            })
            .collect();
        let dir = Path::new(template).parent().unwrap_or(Path::new("."));
        let resolve = |rel: &str| std::fs::read_to_string(dir.join(rel)).ok();
        let result = check_template(&source, &parameter_files, &resolve, &options);
        assert!(
            result.files[0].error.is_none(),
            "{template}: {:?}",
            result.files[0].error
        );
        let Usage {
            steps,
            value_bytes,
            resources,
            deployments,
            nesting,
        } = result.usage;
        for (slot, used) in
            most.iter_mut()
                .zip([steps, value_bytes, resources, deployments, nesting])
        {
            if used > slot.1 {
                slot.1 = used;
                slot.2 = template.to_string();
            }
        }
    }
    let limits = Limits::DEFAULT;
    for ((what, used, template), limit) in most.iter().zip([
        limits.steps,
        limits.value_bytes,
        limits.resources,
        limits.deployments,
        limits.nesting,
    ]) {
        println!("most {what}: {used} of {limit} ({template})");
        assert!(
            used * HEADROOM <= limit,
            "{template} uses {used} {what}, more than 1/{HEADROOM} of the limit {limit}"
        );
    }
}
