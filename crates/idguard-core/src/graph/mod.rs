//! The identity graph as people see it: who can do what, where.
//!
//! [`build`] turns one evaluation's [`Model`] and the findings of the same
//! evaluation into a [`Graph`] of nodes (identities, workloads, scopes,
//! custom roles) and edges (attached-to, has-role-at, feeds-client-id),
//! each finding marked on the node or edge it concerns. Everything else
//! here is a pure function over graphs: [`cap`] (bound the size),
//! [`diff`] (what a change adds, removes or widens), and the renderers
//! [`mermaid`], [`dot`], [`svg`] and [`summary`], which return strings.
//! Every label from a template is escaped for its output format.
//!
//! Node IDs are derived from what a node is (a resource's ID, a scope, a
//! principal's GUID), never from the order of the template, so a diff and
//! a golden file stay stable when resources move. See `docs/graph.md`.

mod build;
mod diff;
mod escape;
mod render;
mod summary;
mod svg;

use serde::{Deserialize, Serialize};

use crate::finding::{Range, Severity};
use crate::vocab::ScopeLevel;

pub use build::build;
pub use diff::diff;
pub use escape::{dot_text, markdown_text, mermaid_text, xml_text};
pub use render::{dot, mermaid};
pub use summary::{SummaryOptions, summary};
pub use svg::svg;

/// Version of the graph JSON (`idguard graph --format json`).
pub const GRAPH_VERSION: u32 = 1;

/// Nodes a rendered graph shows by default before the rest is summed up
/// in one "and N more" node.
pub const DEFAULT_MAX_NODES: usize = 60;

/// The graph of one evaluation (a template with one parameter file, or
/// with its defaults).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Graph {
    /// The template as the caller named it.
    pub template: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters_file: Option<String>,
    /// The deployment's environment, when it can be told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// Findings of the evaluation that concern no node or edge (a
    /// parameter, an output, the template as a whole).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Mark>,
    /// What [`cap`] left out, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub omitted: Option<Omitted>,
}

/// What a capped graph leaves out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Omitted {
    /// Identities (and other principals) left out.
    pub principals: usize,
    pub nodes: usize,
    pub edges: usize,
}

/// What a node stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum NodeKind {
    /// A user-assigned managed identity of the deployment.
    UserIdentity,
    /// The system-assigned identity of a resource of the deployment.
    SystemIdentity,
    /// A managed identity outside the deployment (referenced by ID).
    ExternalIdentity,
    /// A principal that is not known to be a managed identity: a literal
    /// object ID, or a value not known at check time.
    Principal,
    /// A resource that uses an identity.
    Workload,
    Tenant,
    ManagementGroup,
    Subscription,
    ResourceGroup,
    /// A resource a role is assigned at.
    Resource,
    /// A scope whose shape is not known.
    Scope,
    /// A role definition of the deployment.
    CustomRole,
}

impl NodeKind {
    /// Whether the node is a principal (has role edges going out).
    pub fn is_principal(self) -> bool {
        matches!(
            self,
            NodeKind::UserIdentity
                | NodeKind::SystemIdentity
                | NodeKind::ExternalIdentity
                | NodeKind::Principal
        )
    }

    /// The column of the layered layout: workloads, principals, scopes,
    /// custom roles.
    pub fn column(self) -> usize {
        match self {
            NodeKind::Workload => 0,
            NodeKind::UserIdentity
            | NodeKind::SystemIdentity
            | NodeKind::ExternalIdentity
            | NodeKind::Principal => 1,
            NodeKind::CustomRole => 3,
            _ => 2,
        }
    }

    /// Words for legends and tooltips.
    pub fn describe(self) -> &'static str {
        match self {
            NodeKind::UserIdentity => "user-assigned identity",
            NodeKind::SystemIdentity => "system-assigned identity",
            NodeKind::ExternalIdentity => "identity outside the deployment",
            NodeKind::Principal => "principal",
            NodeKind::Workload => "workload",
            NodeKind::Tenant => "tenant",
            NodeKind::ManagementGroup => "management group",
            NodeKind::Subscription => "subscription",
            NodeKind::ResourceGroup => "resource group",
            NodeKind::Resource => "resource",
            NodeKind::Scope => "scope",
            NodeKind::CustomRole => "custom role",
        }
    }
}

/// How an edge changed between two revisions ([`diff`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Change {
    Added,
    Removed,
    /// The same principal got a broader role or a wider scope in place of
    /// a narrower one.
    Widened,
}

/// A source place: the file, the JSON pointer and the range of what the
/// node or edge was read from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    pub file: String,
    pub pointer: String,
    pub range: Range,
}

/// A finding marked on a node or edge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Mark {
    pub code: String,
    pub severity: Severity,
    pub message: String,
    pub fingerprint: String,
    /// Where the finding points (its first line, for tooltips and the
    /// playground).
    pub file: String,
    pub line: u32,
}

/// A node of the graph.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Node {
    /// Stable: derived from what the node stands for.
    pub id: String,
    pub kind: NodeKind,
    /// The name as evaluated; an unknown piece is shown as the expression
    /// it stands for (`id-{parameters('env')}`), never guessed.
    pub label: String,
    /// A second line: the resource type, the environment, the scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Whether the label holds a value not known at check time.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unknown: bool,
    /// The resource group it is in, when known (used to group nodes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Mark>,
    /// For principals: how much their role assignments allow (see
    /// `docs/graph.md`); 0 for others and for principals without roles.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub privilege: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<Change>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// What an edge says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum EdgeKind {
    /// Workload → identity it uses (`identity.userAssignedIdentities`, or
    /// its own system-assigned identity).
    AttachedTo,
    /// Principal → scope, labelled with the role.
    HasRoleAt,
    /// Identity → workload whose setting is fed one of the identity's IDs
    /// (its client ID; labelled with the setting's name).
    FeedsClientId,
}

impl EdgeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::AttachedTo => "attached-to",
            EdgeKind::HasRoleAt => "has-role-at",
            EdgeKind::FeedsClientId => "feeds-client-id",
        }
    }
}

/// An edge of the graph.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Edge {
    pub id: String,
    pub from: String,
    pub to: String,
    pub kind: EdgeKind,
    /// The role's name (has-role-at), the setting's name (feeds-client-id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// For has-role-at: how broad the role is (0 unknown … 4 grants
    /// access), see `docs/graph.md`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_rank: Option<u8>,
    /// For has-role-at: how wide the scope is, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope_level: Option<ScopeLevel>,
    /// For a custom role: the node of its definition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_node: Option<String>,
    /// Whether the label holds a value not known at check time.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unknown: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Mark>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<Change>,
    /// For a widened edge: what it was ("Reader at rg-x").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub was: Option<String>,
}

/// The graph JSON document: `{"version": 1, "graphs": [...]}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GraphDocument {
    pub version: u32,
    pub graphs: Vec<Graph>,
}

/// The JSON text of `graphs` (what `--diff` reads back).
pub fn to_json(graphs: &[Graph]) -> String {
    let doc = GraphDocument {
        version: GRAPH_VERSION,
        graphs: graphs.to_vec(),
    };
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// Reads a graph JSON document back; the error says what is wrong.
pub fn from_json(text: &str) -> Result<Vec<Graph>, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    match value.get("version").and_then(serde_json::Value::as_u64) {
        Some(v) if v == u64::from(GRAPH_VERSION) => {}
        Some(v) => {
            return Err(format!(
                "graph JSON version {v} is not supported (this idguard reads version {GRAPH_VERSION})"
            ));
        }
        None => {
            return Err(
                "not a graph JSON document (no \"version\"; write one with `idguard graph --format json`)"
                    .to_string(),
            );
        }
    }
    serde_json::from_value::<GraphDocument>(value)
        .map(|d| d.graphs)
        .map_err(|e| format!("not a graph JSON document: {e}"))
}

/// The worst severity among marks.
pub fn worst(marks: &[Mark]) -> Option<Severity> {
    marks.iter().map(|m| m.severity).max()
}

/// The distinct rule codes of marks, in order of first appearance.
pub fn codes(marks: &[Mark]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for m in marks {
        if !out.contains(&m.code.as_str()) {
            out.push(&m.code);
        }
    }
    out
}

impl Graph {
    /// The title of the graph: template, and parameter file when there is
    /// one.
    pub fn title(&self) -> String {
        match (&self.parameters_file, &self.environment) {
            (Some(p), Some(e)) => format!("{} ({e}: {p})", self.template),
            (Some(p), None) => format!("{} ({p})", self.template),
            (None, Some(e)) => format!("{} ({e})", self.template),
            (None, None) => self.template.clone(),
        }
    }

    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }
}

/// `graph` with at most `max_nodes` nodes: principals are kept most
/// privileged first, each with the nodes its edges reach, as long as they
/// fit; what is left out is counted in [`Graph::omitted`] (renderers draw
/// one "and N more" node). A graph that fits is returned as it is.
pub fn cap(graph: &Graph, max_nodes: usize) -> Graph {
    if graph.nodes.len() <= max_nodes {
        return graph.clone();
    }
    use std::collections::{BTreeSet, HashMap};
    let index: HashMap<&str, &Node> = graph.nodes.iter().map(|n| (n.id.as_str(), n)).collect();
    // Neighbours of each node (both directions).
    let mut near: HashMap<&str, Vec<&str>> = HashMap::new();
    for e in &graph.edges {
        near.entry(e.from.as_str()).or_default().push(e.to.as_str());
        near.entry(e.to.as_str()).or_default().push(e.from.as_str());
        if let Some(r) = &e.role_node {
            near.entry(e.from.as_str()).or_default().push(r.as_str());
        }
    }
    // Seeds: principals, most privileged (then most marked) first; then
    // any node no principal reaches.
    let mut seeds: Vec<&Node> = graph.nodes.iter().collect();
    seeds.sort_by(|a, b| {
        b.kind
            .is_principal()
            .cmp(&a.kind.is_principal())
            .then(b.privilege.cmp(&a.privilege))
            .then(worst(&b.findings).cmp(&worst(&a.findings)))
            .then(a.label.cmp(&b.label))
            .then(a.id.cmp(&b.id))
    });
    let mut kept: BTreeSet<&str> = BTreeSet::new();
    let mut left_principals = 0;
    for seed in seeds {
        if kept.contains(seed.id.as_str()) {
            continue;
        }
        // A node a principal reaches is kept with that principal, or not
        // at all (never a workload without its identity).
        let reached = |id: &str| {
            near.get(id)
                .into_iter()
                .flatten()
                .any(|m| index.get(m).is_some_and(|n| n.kind.is_principal()))
        };
        if !seed.kind.is_principal() && reached(seed.id.as_str()) {
            continue;
        }
        let mut group: Vec<&str> = vec![seed.id.as_str()];
        if seed.kind.is_principal() {
            for n in near.get(seed.id.as_str()).into_iter().flatten() {
                if !kept.contains(n) && !group.contains(n) && index.contains_key(n) {
                    group.push(*n);
                }
            }
        }
        if kept.len() + group.len() <= max_nodes {
            kept.extend(group);
        } else if seed.kind.is_principal() {
            left_principals += 1;
        }
    }
    let nodes: Vec<Node> = graph
        .nodes
        .iter()
        .filter(|n| kept.contains(n.id.as_str()))
        .cloned()
        .collect();
    let edges: Vec<Edge> = graph
        .edges
        .iter()
        .filter(|e| kept.contains(e.from.as_str()) && kept.contains(e.to.as_str()))
        .cloned()
        .collect();
    let omitted = Omitted {
        principals: left_principals,
        nodes: graph.nodes.len() - nodes.len(),
        edges: graph.edges.len() - edges.len(),
    };
    Graph {
        nodes,
        edges,
        omitted: Some(omitted),
        ..graph.clone()
    }
}

/// "and N more" text of a capped graph.
pub fn omitted_text(o: &Omitted) -> String {
    let mut s = format!("and {} more nodes", o.nodes);
    if o.principals > 0 {
        s = format!(
            "and {} more {} ({} nodes, {} edges)",
            o.principals,
            if o.principals == 1 {
                "principal"
            } else {
                "principals"
            },
            o.nodes,
            o.edges
        );
    } else if o.edges > 0 {
        s.push_str(&format!(", {} edges", o.edges));
    }
    s
}

/// A stable ID: a letter for the family and 12 hex digits of FNV-1a over
/// the key.
pub(crate) fn stable_id(prefix: char, key: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{prefix}{:012x}", hash & 0xffff_ffff_ffff)
}
