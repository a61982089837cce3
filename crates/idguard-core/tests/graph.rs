//! The identity graph (`graph`): stable IDs, findings marked per
//! evaluation, the diff's added / removed / widened, the cap.

use idguard_core::api::{CheckOptions, SourceFile, graph_template};
use idguard_core::graph::{self, Change, EdgeKind, Graph, NodeKind};
use idguard_core::policy::Policy;

fn graphs_of(text: &str, params: &[(&str, &str)]) -> Vec<Graph> {
    let policy = Policy::default_policy();
    let options = CheckOptions {
        policy: &policy,
        today: None,
    };
    let template = SourceFile {
        path: "main.json".to_string(),
        text: text.to_string(),
    };
    let params: Vec<SourceFile> = params
        .iter()
        .map(|(p, t)| SourceFile {
            path: p.to_string(),
            text: t.to_string(),
        })
        .collect();
    graph_template(&template, None, &params, &|_| None, &options, None).1
}

const IDENTITY: &str = r#"{"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31", "name": "id-app", "location": "westeurope"}"#;
const APP: &str = r#"{"type": "Microsoft.Web/sites", "apiVersion": "2022-09-01", "name": "app", "location": "westeurope", "identity": {"type": "UserAssigned", "userAssignedIdentities": {"[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-app')]": {}}}}"#;

fn role(role: &str, scope: &str) -> String {
    format!(
        r#"{{"type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01", "name": "[guid('{role}{scope}')]", "scope": "{scope}", "properties": {{"roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '{role}')]", "principalId": "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-app'), '2023-01-31').principalId]", "principalType": "ServicePrincipal"}}}}"#
    )
}

const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const CONTRIBUTOR: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";

fn template(resources: &[String]) -> String {
    format!(
        r#"{{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0", "parameters": {{"env": {{"type": "string", "defaultValue": "dev"}}}}, "resources": [{}]}}"#,
        resources.join(",")
    )
}

#[test]
fn ids_do_not_depend_on_order() {
    let a = graphs_of(
        &template(&[
            IDENTITY.into(),
            APP.into(),
            role(READER, "[resourceGroup().id]"),
        ]),
        &[],
    );
    let b = graphs_of(
        &template(&[
            role(READER, "[resourceGroup().id]"),
            APP.into(),
            IDENTITY.into(),
        ]),
        &[],
    );
    let ids = |g: &Graph| {
        let mut n: Vec<String> = g.nodes.iter().map(|n| n.id.clone()).collect();
        let mut e: Vec<String> = g.edges.iter().map(|e| e.id.clone()).collect();
        n.sort();
        e.sort();
        (n, e)
    };
    assert_eq!(ids(&a[0]), ids(&b[0]));
    assert_eq!(a[0].nodes.len(), 3, "{:#?}", a[0].nodes);
    let kinds: Vec<NodeKind> = a[0].nodes.iter().map(|n| n.kind).collect();
    assert!(kinds.contains(&NodeKind::UserIdentity));
    assert!(kinds.contains(&NodeKind::Workload));
    assert!(kinds.contains(&NodeKind::ResourceGroup));
    let r = a[0]
        .edges
        .iter()
        .find(|e| e.kind == EdgeKind::HasRoleAt)
        .unwrap();
    assert_eq!(r.label.as_deref(), Some("Reader"));
}

#[test]
fn one_graph_per_parameter_file_with_its_own_findings() {
    let text = template(&[IDENTITY.into(), role(CONTRIBUTOR, "[subscription().id]")]);
    let gs = graphs_of(
        &text,
        &[
            (
                "main.dev.parameters.json",
                r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "contentVersion": "1.0.0.0", "parameters": {"env": {"value": "dev"}}}"#,
            ),
            (
                "main.prod.parameters.json",
                r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "contentVersion": "1.0.0.0", "parameters": {"env": {"value": "prod"}}}"#,
            ),
        ],
    );
    assert_eq!(gs.len(), 2);
    for g in &gs {
        let e = g
            .edges
            .iter()
            .find(|e| e.kind == EdgeKind::HasRoleAt)
            .unwrap();
        assert!(e.findings.iter().any(|m| m.code == "MI101"), "{e:#?}");
        assert!(g.nodes.iter().any(|n| n.privilege == 33), "{:#?}", g.nodes);
    }
    assert_eq!(
        gs[0].parameters_file.as_deref(),
        Some("main.dev.parameters.json")
    );
}

#[test]
fn diff_finds_added_removed_and_widened() {
    let base = graphs_of(
        &template(&[
            IDENTITY.into(),
            APP.into(),
            role(READER, "[resourceGroup().id]"),
        ]),
        &[],
    );
    // Reader at the resource group → Contributor at the subscription:
    // widened, not removed + added.
    let head = graphs_of(
        &template(&[
            IDENTITY.into(),
            APP.into(),
            role(CONTRIBUTOR, "[subscription().id]"),
        ]),
        &[],
    );
    let d = graph::diff(&base, &head);
    assert_eq!(d.len(), 1);
    let e = &d[0].edges;
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!(e[0].change, Some(Change::Widened));
    assert!(
        e[0].was
            .as_deref()
            .unwrap()
            .starts_with("Reader at resource group")
    );
    // The reverse is narrowing: shown as removed + added.
    let back = graph::diff(&head, &base);
    let changes: Vec<Option<Change>> = back[0].edges.iter().map(|e| e.change).collect();
    assert!(changes.contains(&Some(Change::Added)) && changes.contains(&Some(Change::Removed)));
    // The app no longer attached: a removed edge.
    let detached = graphs_of(
        &template(&[IDENTITY.into(), role(READER, "[resourceGroup().id]")]),
        &[],
    );
    let d = graph::diff(&base, &detached);
    assert!(
        d[0].edges
            .iter()
            .any(|e| e.kind == EdgeKind::AttachedTo && e.change == Some(Change::Removed))
    );
    assert!(
        d[0].nodes
            .iter()
            .any(|n| n.kind == NodeKind::Workload && n.change == Some(Change::Removed))
    );
    // No change: nothing.
    assert!(graph::diff(&base, &base).is_empty());
    // Through JSON and back, the same.
    let again = graph::from_json(&graph::to_json(&base)).unwrap();
    assert_eq!(again, base);
    assert!(graph::from_json("{\"version\": 9, \"graphs\": []}").is_err());
    assert!(graph::from_json("[]").is_err());
}

#[test]
fn the_cap_keeps_the_most_privileged_and_says_how_many_more() {
    let mut resources = Vec::new();
    for i in 0..30 {
        resources.push(format!(
            r#"{{"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31", "name": "id-{i:02}", "location": "westeurope"}}"#
        ));
    }
    resources.push(IDENTITY.into());
    resources.push(role(CONTRIBUTOR, "[subscription().id]"));
    let g = &graphs_of(&template(&resources), &[])[0];
    let c = graph::cap(g, 10);
    assert!(c.nodes.len() <= 10);
    assert!(c.nodes.iter().any(|n| n.label == "id-app"));
    let o = c.omitted.as_ref().unwrap();
    assert_eq!(o.nodes, g.nodes.len() - c.nodes.len());
    assert!(graph::mermaid(std::slice::from_ref(&c)).contains("and 22 more principals"));
    // Small enough: unchanged.
    assert_eq!(&graph::cap(g, 1000), g);
}
