//! `idguard graph`: golden Mermaid, DOT and job-summary output of a few
//! fixtures (`IDGUARD_BLESS=1` rewrites them), the SVG as XML with every
//! node, hostile labels, `--diff` against a graph JSON file and against a
//! git revision (read without touching the working tree), and the cap.

mod common;

use std::path::{Path, PathBuf};

use common::idguard_in;

const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden");

fn fixtures() -> PathBuf {
    Path::new(REPO).join("tests/fixtures/graph")
}

/// Compares `got` with `tests/golden/<file>` (or writes it when blessing).
fn golden(file: &str, got: &str) {
    let path = PathBuf::from(GOLDEN).join(file);
    if std::env::var_os("IDGUARD_BLESS").is_some() {
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing: run with IDGUARD_BLESS=1", path.display()));
    if got != want {
        let line = got
            .lines()
            .zip(want.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| got.lines().count().min(want.lines().count()));
        panic!(
            "{} drifted at line {} (IDGUARD_BLESS=1 rewrites it; review the diff)\n  got:  {:?}\n  want: {:?}",
            path.display(),
            line + 1,
            got.lines().nth(line).unwrap_or("<end>"),
            want.lines().nth(line).unwrap_or("<end>")
        );
    }
}

fn graph(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["graph"];
    all.extend_from_slice(args);
    let r = idguard_in(dir, &all);
    assert_eq!(r.code, 0, "{}", r.all());
    r.stdout
}

#[test]
fn golden_mermaid_dot_and_summary() {
    let cases: [(&str, PathBuf, &[&str]); 3] = [
        ("graph-app", fixtures(), &["app"]),
        (
            "graph-broad",
            Path::new(REPO).join("tests/fixtures/cli"),
            &["broad"],
        ),
        ("graph-bicep-example", PathBuf::from(REPO), &["examples"]),
    ];
    for (name, dir, args) in cases {
        for (format, ext) in [("mermaid", "mmd"), ("dot", "dot"), ("summary", "md")] {
            let mut a = args.to_vec();
            a.extend_from_slice(&["--format", format]);
            golden(&format!("{name}.{ext}"), &graph(&dir, &a));
        }
    }
}

#[test]
fn the_app_graph_says_who_can_do_what_where() {
    let json: serde_json::Value =
        serde_json::from_str(&graph(&fixtures(), &["app", "--format", "json"])).unwrap();
    assert_eq!(json["version"], 1);
    let g = &json["graphs"][0];
    let nodes = g["nodes"].as_array().unwrap();
    let edges = g["edges"].as_array().unwrap();
    let node = |label: &str| {
        nodes
            .iter()
            .find(|n| n["label"] == label)
            .unwrap_or_else(|| panic!("no node {label}: {nodes:#?}"))
    };
    let prod = node("id-orders-prod");
    assert_eq!(prod["kind"], "userIdentity");
    // Contributor on the whole subscription, attached to two apps (one
    // of them in test), its client ID fed to a setting.
    let roles: Vec<&serde_json::Value> = edges
        .iter()
        .filter(|e| e["from"] == prod["id"] && e["kind"] == "hasRoleAt")
        .collect();
    assert_eq!(roles.len(), 1, "{edges:#?}");
    assert_eq!(roles[0]["label"], "Contributor");
    assert_eq!(roles[0]["scopeLevel"], "subscription");
    let attached = edges
        .iter()
        .filter(|e| e["to"] == prod["id"] && e["kind"] == "attachedTo")
        .count();
    assert_eq!(attached, 2);
    assert!(
        edges
            .iter()
            .any(|e| e["kind"] == "feedsClientId" && e["label"] == "AZURE_CLIENT_ID")
    );
    // The system-assigned identity reads blobs on the storage account.
    let func = node("func-orders-prod (system-assigned)");
    assert!(edges.iter().any(|e| e["from"] == func["id"]
        && e["label"] == "Storage Blob Data Reader"
        && e["scopeLevel"] == "resource"));
    // A principal ID from a parameter is shown as unknown, not guessed.
    let unknown = nodes
        .iter()
        .find(|n| n["kind"] == "principal")
        .expect("the parameter's principal");
    assert_eq!(unknown["unknown"], true);
    assert!(
        unknown["label"]
            .as_str()
            .unwrap()
            .contains("opsPrincipalId")
    );
    // Findings are marked: MI101 (broad privileged role) on the
    // Contributor edge.
    assert!(
        roles[0]["findings"]
            .as_array()
            .is_some_and(|f| f.iter().any(|m| m["code"] == "MI101")),
        "{:#}",
        roles[0]
    );
    // Stable IDs: the same run gives the same IDs.
    let again: serde_json::Value =
        serde_json::from_str(&graph(&fixtures(), &["app", "--format", "json"])).unwrap();
    assert_eq!(again, json);
}

#[test]
fn svg_is_xml_with_every_node_and_edge() {
    for (dir, arg) in [
        (fixtures(), "app"),
        (fixtures(), "hostile"),
        (PathBuf::from(REPO), "examples"),
    ] {
        let json: serde_json::Value =
            serde_json::from_str(&graph(&dir, &[arg, "--format", "json"])).unwrap();
        let svg = graph(&dir, &[arg, "--format", "svg", "--max-nodes", "1000"]);
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{e}\n{svg}"));
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        let ids = |class: &str| -> Vec<(String, String)> {
            doc.descendants()
                .filter(|n| {
                    n.attribute("class")
                        .is_some_and(|c| c.split(' ').next() == Some(class))
                })
                .map(|n| {
                    (
                        n.attribute("data-graph").unwrap().to_string(),
                        n.attribute("data-id").unwrap().to_string(),
                    )
                })
                .collect()
        };
        let (svg_nodes, svg_edges) = (ids("node"), ids("edge"));
        for (gi, g) in json["graphs"].as_array().unwrap().iter().enumerate() {
            for n in g["nodes"].as_array().unwrap() {
                let id = n["id"].as_str().unwrap();
                assert!(
                    svg_nodes.contains(&(gi.to_string(), id.to_string())),
                    "{arg}: node {id} not drawn"
                );
            }
            for e in g["edges"].as_array().unwrap() {
                let id = e["id"].as_str().unwrap();
                assert!(
                    svg_edges.contains(&(gi.to_string(), id.to_string())),
                    "{arg}: edge {id} not drawn"
                );
            }
        }
        assert!(!svg_nodes.is_empty());
    }
}

/// Names with quotes, brackets, `-->`, newlines, code fences and
/// `<script>` stay text in every format.
#[test]
fn hostile_labels_do_not_break_or_inject() {
    let dir = fixtures();
    let mermaid = graph(&dir, &["hostile"]);
    // Every line is ours: a statement per line, the label text only in
    // quoted labels that contain no quote, bracket or pipe of their own.
    for line in mermaid.lines() {
        let t = line.trim();
        assert!(
            t == "flowchart LR"
                || t.starts_with("subgraph ")
                || t == "end"
                || t.starts_with("classDef ")
                || t.starts_with("class ")
                || t.starts_with("linkStyle ")
                || t.starts_with('n')
                || t.starts_with("more")
                || t.starts_with("empty"),
            "unexpected line {t:?} in\n{mermaid}"
        );
        if let Some((_, label)) = t.split_once("[\"").or_else(|| t.split_once("([\"")) {
            let inner = label.rsplit_once('"').map(|(l, _)| l).unwrap_or(label);
            // Our own line breaks are the only markup.
            let inner = inner.replace("<br/>", "");
            assert!(!inner.contains(['"', '[', ']', '|', '<', '>', '`']), "{t}");
        }
    }
    assert!(!mermaid.contains("<script") && !mermaid.contains("```"));
    assert!(!mermaid.contains('\u{202e}'));

    let dot = graph(&dir, &["hostile", "--format", "dot"]);
    // Every statement is on its own line and every label's quotes are
    // escaped: outside escapes, each line has an even number of quotes.
    for line in dot.lines() {
        let unescaped = line.replace("\\\\", "").replace("\\\"", "");
        assert_eq!(unescaped.matches('"').count() % 2, 0, "{line}");
    }
    assert_eq!(dot.matches("digraph").count(), 1);

    let svg = graph(&dir, &["hostile", "--format", "svg"]);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert!(!doc.descendants().any(|n| n.tag_name().name() == "script"));
    assert!(!doc.descendants().any(|n| n.tag_name().name() == "img"));

    let md = graph(&dir, &["hostile", "--format", "summary"]);
    assert!(!md.contains("<script") && !md.contains("<img"));
    // One code fence opened, one closed.
    assert_eq!(md.matches("```").count(), 2, "{md}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// The app fixture changed: the blob reader of the system-assigned
/// identity widened to Contributor at the subscription, and one app no
/// longer attached.
fn change_app(dir: &Path) {
    let path = dir.join("app/main.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text
        .replacen(
            "\"scope\": \"[format('Microsoft.Storage/storageAccounts/{0}', 'stordersprod')]\",\n      \"properties\": {\n        \"roleDefinitionId\": \"[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', variables('blobReader'))]\"",
            "\"scope\": \"[subscription().id]\",\n      \"properties\": {\n        \"roleDefinitionId\": \"[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', variables('contributor'))]\"",
            1,
        );
    assert!(text.contains("variables('contributor'))]\",\n        \"principalId\": \"[reference(resourceId('Microsoft.Web/sites'"));
    std::fs::write(&path, text).unwrap();
}

#[test]
fn diff_against_a_graph_json_file() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("app"), &tmp.path().join("app"));
    let base = graph(tmp.path(), &["app", "--format", "json"]);
    std::fs::write(tmp.path().join("base.json"), &base).unwrap();
    // No change: an empty diff.
    let same: serde_json::Value = serde_json::from_str(&graph(
        tmp.path(),
        &["app", "--format", "json", "--diff", "base.json"],
    ))
    .unwrap();
    assert_eq!(same["graphs"].as_array().unwrap().len(), 0, "{same:#}");
    change_app(tmp.path());
    let d: serde_json::Value = serde_json::from_str(&graph(
        tmp.path(),
        &["app", "--format", "json", "--diff", "base.json"],
    ))
    .unwrap();
    let edges = d["graphs"][0]["edges"].as_array().unwrap();
    let widened: Vec<_> = edges.iter().filter(|e| e["change"] == "widened").collect();
    assert_eq!(widened.len(), 1, "{edges:#?}");
    assert_eq!(widened[0]["label"], "Contributor");
    assert!(
        widened[0]["was"]
            .as_str()
            .unwrap()
            .starts_with("Storage Blob Data Reader at")
    );
    // Nothing else changed: only the widened edge, and its ends.
    assert_eq!(edges.len(), 1, "{edges:#?}");
    assert_eq!(d["graphs"][0]["nodes"].as_array().unwrap().len(), 2);
    let mermaid = graph(tmp.path(), &["app", "--diff", "base.json"]);
    assert!(
        mermaid.contains("widened from Storage Blob Data Reader"),
        "{mermaid}"
    );
    // A file that is not a graph: a clear error.
    std::fs::write(tmp.path().join("bad.json"), "{\"findings\": []}").unwrap();
    let r = idguard_in(tmp.path(), &["graph", "app", "--diff", "bad.json"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr.contains("not a graph JSON document"),
        "{}",
        r.all()
    );
}

fn git(dir: &Path, args: &[&str]) -> bool {
    std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn diff_against_a_git_revision_reads_it_from_git_only() {
    let tmp = tempfile::tempdir().unwrap();
    if !git(tmp.path(), &["init", "-q"]) {
        eprintln!("git is not installed: skipped");
        return;
    }
    copy_dir(&fixtures().join("app"), &tmp.path().join("app"));
    assert!(git(tmp.path(), &["add", "."]));
    assert!(git(tmp.path(), &["commit", "-q", "-m", "base"]));
    change_app(tmp.path());
    let before = std::fs::read_to_string(tmp.path().join("app/main.json")).unwrap();
    let d: serde_json::Value = serde_json::from_str(&graph(
        tmp.path(),
        &["app", "--format", "json", "--diff", "HEAD"],
    ))
    .unwrap();
    let edges = d["graphs"][0]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 1, "{edges:#?}");
    assert_eq!(edges[0]["change"], "widened");
    // The working tree is as it was: nothing written, nothing checked out.
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("app/main.json")).unwrap(),
        before
    );
    let entries: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries.len(), 2, "{entries:?}");
    // The summary of the change.
    let md = graph(
        tmp.path(),
        &["app", "--format", "summary", "--diff", "HEAD"],
    );
    assert!(
        md.contains("Change against `HEAD`: 0 edges added, 1 widened, 0 removed"),
        "{md}"
    );
    // A revision that does not exist: a clear error.
    let r = idguard_in(tmp.path(), &["graph", "app", "--diff", "no-such-branch"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not a revision"), "{}", r.all());
}

/// A large estate: capped with "and N more", most privileged kept.
#[test]
fn large_graphs_are_capped() {
    let tmp = tempfile::tempdir().unwrap();
    let mut resources = Vec::new();
    for i in 0..200 {
        resources.push(format!(
            r#"{{"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31", "name": "id-{i:03}", "location": "westeurope"}}"#
        ));
        resources.push(format!(
            r#"{{"type": "Microsoft.Web/sites", "apiVersion": "2022-09-01", "name": "app-{i:03}", "location": "westeurope", "identity": {{"type": "UserAssigned", "userAssignedIdentities": {{"[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-{i:03}')]": {{}}}}}}}}"#
        ));
    }
    resources.push(
        r#"{"type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01", "name": "[guid('owner')]", "scope": "[subscription().id]", "properties": {"roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '8e3af657-a8ff-443c-a75c-2fe8c4bcb635')]", "principalId": "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-150'), '2023-01-31').principalId]", "principalType": "ServicePrincipal"}}"#.to_string(),
    );
    let text = format!(
        r#"{{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0", "resources": [{}]}}"#,
        resources.join(",\n")
    );
    std::fs::write(tmp.path().join("big.json"), text).unwrap();
    let mermaid = graph(tmp.path(), &["big.json"]);
    assert!(mermaid.contains("and 171 more principals"), "{mermaid}");
    // The Owner at the subscription is kept.
    assert!(mermaid.contains("id-150"));
    let svg = graph(tmp.path(), &["big.json", "--format", "svg"]);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let drawn = doc
        .descendants()
        .filter(|n| n.attribute("class").is_some_and(|c| c.starts_with("node ")))
        .count();
    assert!(drawn <= idguard_core::graph::DEFAULT_MAX_NODES, "{drawn}");
    // JSON is never cut.
    let json: serde_json::Value =
        serde_json::from_str(&graph(tmp.path(), &["big.json", "--format", "json"])).unwrap();
    assert_eq!(json["graphs"][0]["nodes"].as_array().unwrap().len(), 401);
}
