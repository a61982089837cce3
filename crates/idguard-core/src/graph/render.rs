//! Mermaid and Graphviz DOT renderings of graphs.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::escape::{dot_text, mermaid_text, shorten};
use super::{Change, Edge, EdgeKind, Graph, Node, NodeKind, codes, omitted_text, worst};
use crate::finding::Severity;

/// Longest label line drawn; the rest is cut with `…` (the JSON keeps it).
pub(crate) const MAX_LINE: usize = 60;

/// A node's lines, unescaped: its label, its detail, the rule codes of its
/// findings.
pub(crate) fn node_lines(n: &Node) -> Vec<String> {
    let mut lines = vec![shorten(&n.label, MAX_LINE)];
    if let Some(d) = &n.detail {
        lines.push(shorten(d, MAX_LINE));
    }
    if !n.findings.is_empty() {
        lines.push(format!("⚠ {}", codes(&n.findings).join(", ")));
    }
    if let Some(c) = n.change {
        lines.push(change_word(c).to_string());
    }
    lines
}

/// An edge's label, unescaped: role or setting, rule codes, change.
pub(crate) fn edge_label(e: &Edge) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    if let Some(l) = &e.label {
        parts.push(shorten(l, MAX_LINE));
    }
    if !e.findings.is_empty() {
        parts.push(format!("⚠ {}", codes(&e.findings).join(", ")));
    }
    if let Some(c) = e.change {
        match (&e.was, c) {
            (Some(was), Change::Widened) => {
                parts.push(format!("widened from {}", shorten(was, MAX_LINE)))
            }
            _ => parts.push(change_word(c).to_string()),
        }
    }
    if parts.is_empty() {
        None
    } else {
        Some(parts.join(" · "))
    }
}

pub(crate) fn change_word(c: Change) -> &'static str {
    match c {
        Change::Added => "added",
        Change::Removed => "removed",
        Change::Widened => "widened",
    }
}

/// Stroke colour of a severity (and of no finding).
pub(crate) fn severity_colour(s: Option<Severity>) -> &'static str {
    match s {
        Some(Severity::Error) => "#c62828",
        Some(Severity::Warning) => "#b26a00",
        Some(Severity::Info) => "#1565c0",
        None => "#5f6368",
    }
}

pub(crate) fn change_colour(c: Change) -> &'static str {
    match c {
        Change::Added => "#2e7d32",
        Change::Removed => "#c62828",
        Change::Widened => "#e65100",
    }
}

/// Fill colour of a node kind.
pub(crate) fn kind_fill(k: NodeKind) -> &'static str {
    match k {
        NodeKind::UserIdentity | NodeKind::SystemIdentity => "#e8f0fe",
        NodeKind::ExternalIdentity | NodeKind::Principal => "#f1f3f4",
        NodeKind::Workload => "#e6f4ea",
        NodeKind::CustomRole => "#f3e8fd",
        _ => "#fef7e0",
    }
}

/// Nodes of a graph by group (resource group), groups in name order; the
/// nodes of no group under `None`. Groups are drawn only when there are two
/// or more.
pub(crate) fn groups(g: &Graph) -> BTreeMap<Option<&str>, Vec<&Node>> {
    let mut out: BTreeMap<Option<&str>, Vec<&Node>> = BTreeMap::new();
    for n in &g.nodes {
        out.entry(n.group.as_deref()).or_default().push(n);
    }
    let named = out.keys().filter(|k| k.is_some()).count();
    if named < 2 {
        let all: Vec<&Node> = g.nodes.iter().collect();
        out.clear();
        out.insert(None, all);
    }
    out
}

fn prefix(graphs: &[Graph], i: usize) -> String {
    if graphs.len() > 1 {
        format!("g{i}_")
    } else {
        String::new()
    }
}

/// Mermaid `flowchart LR` of the graphs: one diagram; each graph in a
/// subgraph of its own when there are several (environments side by
/// side), nodes grouped by resource group when there are two or more.
pub fn mermaid(graphs: &[Graph]) -> String {
    let mut out = String::from("flowchart LR\n");
    let mut classes: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let mut link_styles: Vec<(usize, String)> = Vec::new();
    let mut edge_count = 0usize;
    let mut edges_text = String::new();
    for (gi, g) in graphs.iter().enumerate() {
        let p = prefix(graphs, gi);
        let indent = if graphs.len() > 1 {
            let _ = writeln!(out, "  subgraph {p}graph[\"{}\"]", mermaid_text(&g.title()));
            let _ = writeln!(out, "    direction LR");
            "    "
        } else {
            "  "
        };
        let grouped = groups(g);
        for (gj, (group, nodes)) in grouped.iter().enumerate() {
            let inner = match group {
                Some(name) => {
                    let _ = writeln!(
                        out,
                        "{indent}subgraph {p}rg{gj}[\"{}\"]",
                        mermaid_text(&format!("resource group {name}"))
                    );
                    format!("{indent}  ")
                }
                None => indent.to_string(),
            };
            for n in nodes {
                let text = node_lines(n)
                    .iter()
                    .map(|l| mermaid_text(l))
                    .collect::<Vec<_>>()
                    .join("<br/>");
                let (open, close) = match n.kind {
                    NodeKind::UserIdentity
                    | NodeKind::SystemIdentity
                    | NodeKind::ExternalIdentity
                    | NodeKind::Principal => ("([", "])"),
                    NodeKind::Workload => ("[", "]"),
                    NodeKind::CustomRole => ("[[", "]]"),
                    _ => ("{{", "}}"),
                };
                let _ = writeln!(out, "{inner}{p}{}{open}\"{text}\"{close}", n.id);
                let id = format!("{p}{}", n.id);
                classes
                    .entry(kind_class(n.kind))
                    .or_default()
                    .push(id.clone());
                if let Some(s) = worst(&n.findings) {
                    classes
                        .entry(severity_class(s))
                        .or_default()
                        .push(id.clone());
                }
                if n.unknown {
                    classes.entry("unknown").or_default().push(id.clone());
                }
                if let Some(c) = n.change {
                    classes.entry(change_word(c)).or_default().push(id);
                }
            }
            if group.is_some() {
                let _ = writeln!(out, "{indent}end");
            }
        }
        if let Some(o) = &g.omitted {
            let _ = writeln!(
                out,
                "{indent}{p}more[\"{}\"]",
                mermaid_text(&omitted_text(o))
            );
            classes.entry("more").or_default().push(format!("{p}more"));
        }
        if graphs.len() > 1 {
            let _ = writeln!(out, "  end");
        }
        for e in &g.edges {
            let arrow = match (e.kind, e.change) {
                (_, Some(Change::Removed)) => "-.-x",
                (EdgeKind::AttachedTo, _) => "-->",
                (EdgeKind::HasRoleAt, _) => "==>",
                (EdgeKind::FeedsClientId, _) => "-.->",
            };
            let label = edge_label(e)
                .map(|l| format!("|\"{}\"|", mermaid_text(&l)))
                .unwrap_or_default();
            let _ = writeln!(edges_text, "  {p}{} {arrow}{label} {p}{}", e.from, e.to);
            let colour = match (e.change, worst(&e.findings)) {
                (Some(c), _) => Some(change_colour(c)),
                (None, Some(s)) => Some(severity_colour(Some(s))),
                (None, None) => None,
            };
            if let Some(c) = colour {
                link_styles.push((edge_count, format!("stroke:{c},color:{c}")));
            }
            edge_count += 1;
        }
    }
    if graphs
        .iter()
        .all(|g| g.nodes.is_empty() && g.omitted.is_none())
    {
        out.push_str("  empty[\"no identities, roles or workloads to show\"]\n");
    }
    out.push_str(&edges_text);
    for (i, style) in &link_styles {
        let _ = writeln!(out, "  linkStyle {i} {style}");
    }
    for (class, style) in CLASS_DEFS {
        if let Some(ids) = classes.get(class) {
            let _ = writeln!(out, "  classDef {class} {style}");
            for chunk in ids.chunks(50) {
                let _ = writeln!(out, "  class {} {class}", chunk.join(","));
            }
        }
    }
    out
}

/// Mermaid classes, in the order they are applied (later ones win).
const CLASS_DEFS: &[(&str, &str)] = &[
    ("identity", "fill:#e8f0fe,stroke:#1a73e8"),
    ("principal", "fill:#f1f3f4,stroke:#5f6368"),
    ("workload", "fill:#e6f4ea,stroke:#188038"),
    ("scope", "fill:#fef7e0,stroke:#b06000"),
    ("role", "fill:#f3e8fd,stroke:#8430ce"),
    ("info", "stroke:#1565c0,stroke-width:2px"),
    ("warning", "fill:#fff4d6,stroke:#b26a00,stroke-width:2px"),
    ("error", "fill:#fde2e1,stroke:#c62828,stroke-width:3px"),
    ("unknown", "stroke-dasharray:5 5"),
    ("added", "stroke:#2e7d32,stroke-width:3px"),
    ("removed", "stroke:#c62828,stroke-dasharray:4 4,opacity:0.7"),
    ("widened", "stroke:#e65100,stroke-width:3px"),
    ("more", "fill:#ffffff,stroke:#9aa0a6,stroke-dasharray:3 3"),
];

fn kind_class(k: NodeKind) -> &'static str {
    match k {
        NodeKind::UserIdentity | NodeKind::SystemIdentity => "identity",
        NodeKind::ExternalIdentity | NodeKind::Principal => "principal",
        NodeKind::Workload => "workload",
        NodeKind::CustomRole => "role",
        _ => "scope",
    }
}

fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// Graphviz DOT of the graphs: one `digraph`, each graph a cluster when
/// there are several, resource groups as nested clusters when there are
/// two or more.
pub fn dot(graphs: &[Graph]) -> String {
    let mut out = String::from(
        "digraph idguard {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10, shape=box, style=\"rounded,filled\"];\n  edge [fontname=\"Helvetica\", fontsize=9];\n",
    );
    for (gi, g) in graphs.iter().enumerate() {
        let p = prefix(graphs, gi);
        let indent = if graphs.len() > 1 {
            let _ = writeln!(out, "  subgraph cluster_{p}graph {{");
            let _ = writeln!(out, "    label=\"{}\";", dot_text(&g.title()));
            "    "
        } else {
            "  "
        };
        for (gj, (group, nodes)) in groups(g).iter().enumerate() {
            let inner = match group {
                Some(name) => {
                    let _ = writeln!(out, "{indent}subgraph cluster_{p}rg{gj} {{");
                    let _ = writeln!(
                        out,
                        "{indent}  label=\"{}\"; style=dashed; color=\"#9aa0a6\";",
                        dot_text(&format!("resource group {name}"))
                    );
                    format!("{indent}  ")
                }
                None => indent.to_string(),
            };
            for n in nodes {
                let label = node_lines(n)
                    .iter()
                    .map(|l| dot_text(l))
                    .collect::<Vec<_>>()
                    .join("\\n");
                let shape = match n.kind {
                    NodeKind::UserIdentity
                    | NodeKind::SystemIdentity
                    | NodeKind::ExternalIdentity
                    | NodeKind::Principal => "ellipse",
                    NodeKind::Workload => "box",
                    NodeKind::CustomRole => "component",
                    _ => "hexagon",
                };
                let colour = match n.change {
                    Some(c) => change_colour(c),
                    None => severity_colour(worst(&n.findings)),
                };
                let mut style = "filled".to_string();
                if n.kind == NodeKind::Workload {
                    style = "rounded,filled".to_string();
                }
                if n.unknown || n.change == Some(Change::Removed) {
                    style.push_str(",dashed");
                }
                let width = if n.findings.is_empty() && n.change.is_none() {
                    1
                } else {
                    2
                };
                let _ = writeln!(
                    out,
                    "{inner}{p}{} [label=\"{label}\", shape={shape}, style=\"{style}\", fillcolor=\"{}\", color=\"{colour}\", penwidth={width}];",
                    n.id,
                    kind_fill(n.kind)
                );
            }
            if group.is_some() {
                let _ = writeln!(out, "{indent}}}");
            }
        }
        if let Some(o) = &g.omitted {
            let _ = writeln!(
                out,
                "{indent}{p}more [label=\"{}\", shape=note, style=dashed];",
                dot_text(&omitted_text(o))
            );
        }
        if graphs.len() > 1 {
            let _ = writeln!(out, "  }}");
        }
        for e in &g.edges {
            let mut attrs: Vec<String> = Vec::new();
            if let Some(l) = edge_label(e) {
                attrs.push(format!("label=\"{}\"", dot_text(&l)));
            }
            match e.kind {
                EdgeKind::AttachedTo => {}
                EdgeKind::HasRoleAt => attrs.push("style=bold".to_string()),
                EdgeKind::FeedsClientId => {
                    attrs.push("style=dashed".to_string());
                    attrs.push("constraint=false".to_string());
                }
            }
            let colour = match (e.change, worst(&e.findings)) {
                (Some(c), _) => Some(change_colour(c)),
                (None, Some(s)) => Some(severity_colour(Some(s))),
                (None, None) => None,
            };
            if let Some(c) = colour {
                attrs.push(format!("color=\"{c}\", fontcolor=\"{c}\""));
            }
            if e.change == Some(Change::Removed) {
                attrs.push("style=dashed".to_string());
            }
            let _ = writeln!(
                out,
                "  {p}{} -> {p}{} [{}];",
                e.from,
                e.to,
                attrs.join(", ")
            );
        }
    }
    if graphs
        .iter()
        .all(|g| g.nodes.is_empty() && g.omitted.is_none())
    {
        out.push_str(
            "  empty [label=\"no identities, roles or workloads to show\", shape=note];\n",
        );
    }
    out.push_str("}\n");
    out
}
