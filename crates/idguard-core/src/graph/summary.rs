//! The Markdown a CI job summary shows: the Mermaid of the change (or of
//! the whole graph), the findings, the most privileged identities. Kept
//! short on a large estate: graphs capped, at most a few drawn, tables cut
//! with a link to the full report.

use std::fmt::Write as _;

use super::escape::{markdown_text, shorten};
use super::{Change, EdgeKind, Graph, cap, mermaid};
use crate::finding::Finding;

/// What [`summary`] shows.
#[derive(Clone, Debug)]
pub struct SummaryOptions {
    /// Whether the graphs drawn are a change ([`super::diff`]) rather than
    /// the whole graph.
    pub is_diff: bool,
    /// What the change is against (a revision, a file), for the heading.
    pub base: Option<String>,
    /// Nodes per graph drawn ([`cap`]).
    pub max_nodes: usize,
    /// Graphs drawn at most.
    pub max_graphs: usize,
    /// Rows of each table at most.
    pub max_rows: usize,
    /// Where the full report is (a SARIF file, a run's artifacts).
    pub report_link: Option<String>,
}

impl Default for SummaryOptions {
    fn default() -> Self {
        SummaryOptions {
            is_diff: false,
            base: None,
            max_nodes: 40,
            max_graphs: 4,
            max_rows: 20,
            report_link: None,
        }
    }
}

/// The job summary: `drawn` are the graphs to draw (the change, or the
/// whole graph), `all` the whole graph (for the most privileged
/// identities), `findings` those of the run (suppressed ones left out).
pub fn summary(
    drawn: &[Graph],
    all: &[Graph],
    findings: &[Finding],
    options: &SummaryOptions,
) -> String {
    let mut out = String::from("## idguard: who can do what, where\n\n");
    let more_link = |out: &mut String| {
        if let Some(link) = &options.report_link {
            let _ = write!(out, " See [the full report]({}).", link_target(link));
        }
    };

    // The diagram.
    if options.is_diff {
        let (mut added, mut removed, mut widened) = (0, 0, 0);
        for e in drawn.iter().flat_map(|g| &g.edges) {
            match e.change {
                Some(Change::Added) => added += 1,
                Some(Change::Removed) => removed += 1,
                Some(Change::Widened) => widened += 1,
                None => {}
            }
        }
        let against = options
            .base
            .as_deref()
            .map(|b| format!(" against `{}`", code_text(b)))
            .unwrap_or_default();
        if drawn.is_empty() {
            let _ = writeln!(out, "No change to the identity graph{against}.\n");
        } else {
            let _ = writeln!(
                out,
                "Change{against}: {added} {} added, {widened} widened, {removed} removed, in {} {}.\n",
                plural(added, "edge", "edges"),
                drawn.len(),
                plural(drawn.len(), "evaluation", "evaluations"),
            );
        }
    } else {
        let nodes: usize = drawn.iter().map(|g| g.nodes.len()).sum();
        let edges: usize = drawn.iter().map(|g| g.edges.len()).sum();
        let _ = writeln!(
            out,
            "The identity graph: {nodes} {}, {edges} {}, in {} {}.\n",
            plural(nodes, "node", "nodes"),
            plural(edges, "edge", "edges"),
            drawn.len(),
            plural(drawn.len(), "evaluation", "evaluations"),
        );
    }
    if !drawn.is_empty() {
        let shown: Vec<Graph> = drawn
            .iter()
            .take(options.max_graphs)
            .map(|g| cap(g, options.max_nodes))
            .collect();
        out.push_str("```mermaid\n");
        out.push_str(&mermaid(&shown));
        out.push_str("```\n\n");
        if drawn.len() > shown.len() {
            let _ = write!(
                out,
                "_and {} more {} not drawn._",
                drawn.len() - shown.len(),
                plural(drawn.len() - shown.len(), "evaluation", "evaluations")
            );
            more_link(&mut out);
            out.push_str("\n\n");
        }
    }

    // Findings.
    let mut shown: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.suppression.is_none())
        .collect();
    shown.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.file.cmp(&b.file))
            .then(a.range.start.line.cmp(&b.range.start.line))
            .then(a.code.cmp(&b.code))
    });
    let _ = writeln!(out, "### Findings ({})\n", shown.len());
    if shown.is_empty() {
        out.push_str("None.\n\n");
    } else {
        out.push_str("| Severity | Rule | Where | Message |\n|---|---|---|---|\n");
        for f in shown.iter().take(options.max_rows) {
            let _ = writeln!(
                out,
                "| {} | {} | {}:{} | {} |",
                f.severity.as_str(),
                markdown_text(&f.code),
                markdown_text(&f.file),
                f.range.start.line,
                markdown_text(&shorten(&f.message, 200))
            );
        }
        if shown.len() > options.max_rows {
            let _ = write!(
                out,
                "\n_and {} more {}._",
                shown.len() - options.max_rows,
                plural(shown.len() - options.max_rows, "finding", "findings")
            );
            more_link(&mut out);
            out.push('\n');
        }
        out.push('\n');
    }

    // The most privileged identities.
    let mut top: Vec<(&Graph, &super::Node)> = Vec::new();
    for g in all {
        for n in g
            .nodes
            .iter()
            .filter(|n| n.kind.is_principal() && n.privilege > 0)
        {
            if !top
                .iter()
                .any(|(tg, tn)| tg.template == g.template && tn.id == n.id)
            {
                top.push((g, n));
            }
        }
    }
    top.sort_by(|(ga, a), (gb, b)| {
        b.privilege
            .cmp(&a.privilege)
            .then(a.label.cmp(&b.label))
            .then(ga.template.cmp(&gb.template))
    });
    if !top.is_empty() {
        let _ = writeln!(out, "### Most privileged identities\n");
        out.push_str("| Identity | Template | Roles | Workloads |\n|---|---|---|---|\n");
        for (g, n) in top.iter().take(options.max_rows.min(10)) {
            let roles: Vec<String> = g
                .edges
                .iter()
                .filter(|e| e.from == n.id && e.kind == EdgeKind::HasRoleAt)
                .map(|e| {
                    let at = g.node(&e.to).map(|t| t.label.as_str()).unwrap_or("?");
                    format!("{} at {at}", e.label.as_deref().unwrap_or("?"))
                })
                .collect();
            let workloads = g
                .edges
                .iter()
                .filter(|e| e.to == n.id && e.kind == EdgeKind::AttachedTo)
                .count();
            let roles_text = if roles.len() > 3 {
                format!(
                    "{}; and {} more",
                    roles.iter().take(3).cloned().collect::<Vec<_>>().join("; "),
                    roles.len() - 3
                )
            } else {
                roles.join("; ")
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {workloads} |",
                markdown_text(&shorten(&n.label, 80)),
                markdown_text(&g.template),
                markdown_text(&shorten(&roles_text, 300)),
            );
        }
        if top.len() > options.max_rows.min(10) {
            let _ = write!(
                out,
                "\n_and {} more._",
                top.len() - options.max_rows.min(10)
            );
            more_link(&mut out);
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// A revision or path inside inline code: no backtick, one line.
fn code_text(s: &str) -> String {
    s.chars()
        .map(|c| if c == '`' || c.is_control() { ' ' } else { c })
        .collect()
}

/// A link target: characters that would end or break it percent-encoded.
fn link_target(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '(' | ')' | ' ' | '<' | '>' | '"' | '\'' | '`' | '[' | ']' | '\\' => {
                let _ = write!(out, "%{:02X}", u32::from(c));
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}
