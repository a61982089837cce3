//! The graph of a change: what a revision adds, removes or widens.

use std::collections::{HashMap, HashSet};

use super::{Change, Edge, EdgeKind, Graph, Node};

/// The change from `base` to `head`, one graph per evaluation (matched by
/// template and parameter file) that changed; unchanged evaluations are
/// left out, so an empty result means nothing changed.
///
/// An edge is *added* or *removed* when its ID (its ends, kind and label)
/// is in one graph only. A has-role-at edge is *widened* when it replaces
/// a removed one of the same principal whose role is no broader and whose
/// scope is no wider, one of the two strictly narrower (Reader at a
/// resource group → Contributor at the subscription); the narrower one is
/// then named in [`Edge::was`] rather than shown as removed. A role or
/// scope not known on either side is never called wider: such a change is
/// shown as one edge removed and one added.
///
/// The nodes shown are the ends of changed edges, and identities and
/// workloads that are in one graph only (marked added or removed).
pub fn diff(base: &[Graph], head: &[Graph]) -> Vec<Graph> {
    let key = |g: &Graph| (g.template.clone(), g.parameters_file.clone());
    let base_by: HashMap<(String, Option<String>), &Graph> =
        base.iter().map(|g| (key(g), g)).collect();
    let head_keys: HashSet<(String, Option<String>)> = head.iter().map(key).collect();
    let mut out = Vec::new();
    for h in head {
        let empty = Graph {
            nodes: Vec::new(),
            edges: Vec::new(),
            findings: Vec::new(),
            omitted: None,
            ..h.clone()
        };
        let b = base_by.get(&key(h)).copied().unwrap_or(&empty);
        if let Some(d) = diff_one(b, h) {
            out.push(d);
        }
    }
    for b in base.iter().filter(|b| !head_keys.contains(&key(b))) {
        let empty = Graph {
            nodes: Vec::new(),
            edges: Vec::new(),
            findings: Vec::new(),
            omitted: None,
            ..b.clone()
        };
        if let Some(d) = diff_one(b, &empty) {
            out.push(d);
        }
    }
    out
}

/// Whether `new` is wider than `old`: same principal, both known, role no
/// broader and scope no wider on the old side, one strictly narrower.
fn widens(new: &Edge, old: &Edge) -> bool {
    if new.kind != EdgeKind::HasRoleAt || old.kind != EdgeKind::HasRoleAt || new.from != old.from {
        return false;
    }
    let (Some(nr), Some(or)) = (new.role_rank, old.role_rank) else {
        return false;
    };
    let (Some(ns), Some(os)) = (new.scope_level, old.scope_level) else {
        return false;
    };
    if nr == 0 || or == 0 {
        return false;
    }
    nr >= or && ns >= os && (nr > or || ns > os)
}

fn diff_one(base: &Graph, head: &Graph) -> Option<Graph> {
    let base_edges: HashSet<&str> = base.edges.iter().map(|e| e.id.as_str()).collect();
    let head_edges: HashSet<&str> = head.edges.iter().map(|e| e.id.as_str()).collect();
    let base_nodes: HashMap<&str, &Node> = base.nodes.iter().map(|n| (n.id.as_str(), n)).collect();
    let head_nodes: HashMap<&str, &Node> = head.nodes.iter().map(|n| (n.id.as_str(), n)).collect();

    let mut removed: Vec<&Edge> = base
        .edges
        .iter()
        .filter(|e| !head_edges.contains(e.id.as_str()))
        .collect();
    let mut edges: Vec<Edge> = Vec::new();
    for e in head
        .edges
        .iter()
        .filter(|e| !base_edges.contains(e.id.as_str()))
    {
        let mut e = e.clone();
        match removed.iter().position(|old| widens(&e, old)) {
            Some(i) => {
                let old = removed.remove(i);
                let at = base_nodes
                    .get(old.to.as_str())
                    .map(|n| n.label.clone())
                    .unwrap_or_default();
                e.change = Some(Change::Widened);
                e.was = Some(format!(
                    "{} at {at}",
                    old.label.as_deref().unwrap_or("a role")
                ));
            }
            None => e.change = Some(Change::Added),
        }
        edges.push(e);
    }
    for old in removed {
        let mut e = old.clone();
        e.change = Some(Change::Removed);
        e.findings.clear();
        edges.push(e);
    }

    let mut shown: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for e in &edges {
        for id in [&e.from, &e.to] {
            if seen.insert(id.clone()) {
                shown.push(id.clone());
            }
        }
    }
    for n in head.nodes.iter().chain(&base.nodes) {
        // An identity or workload that came or went; a scope shows only as
        // the end of a changed edge (it is in the graph only through them).
        let only_one =
            base_nodes.contains_key(n.id.as_str()) != head_nodes.contains_key(n.id.as_str());
        let drawn_alone = n.kind.is_principal() || n.kind == super::NodeKind::Workload;
        if only_one && drawn_alone && seen.insert(n.id.clone()) {
            shown.push(n.id.clone());
        }
    }
    if edges.is_empty() && shown.is_empty() {
        return None;
    }
    let mut nodes: Vec<Node> = Vec::new();
    for id in &shown {
        let (node, change) = match (head_nodes.get(id.as_str()), base_nodes.get(id.as_str())) {
            (Some(n), Some(_)) => (*n, None),
            (Some(n), None) => (*n, Some(Change::Added)),
            (None, Some(n)) => (*n, Some(Change::Removed)),
            (None, None) => continue,
        };
        let mut node = node.clone();
        node.change = change;
        if change == Some(Change::Removed) {
            node.findings.clear();
        }
        nodes.push(node);
    }
    // Head order for nodes, so the output follows the template.
    let mut order: HashMap<&str, usize> = HashMap::new();
    for (i, n) in head.nodes.iter().chain(&base.nodes).enumerate() {
        order.entry(n.id.as_str()).or_insert(i);
    }
    nodes.sort_by_key(|n| order.get(n.id.as_str()).copied().unwrap_or(usize::MAX));
    Some(Graph {
        nodes,
        edges,
        findings: Vec::new(),
        omitted: None,
        ..head.clone()
    })
}
