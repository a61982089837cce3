//! A self-contained SVG of graphs, laid out in layers: columns of
//! workloads, principals, scopes and custom roles, each graph a panel of
//! its own side by side. No browser, font file or external tool is needed
//! to produce it; the layout is a few sorts, so it is predictable and
//! linear in the size of the graph.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::escape::{shorten, xml_text};
use super::render::{change_colour, edge_label, groups, kind_fill, node_lines, severity_colour};
use super::{EdgeKind, Graph, Node, NodeKind, omitted_text, worst};

const NODE_W: f64 = 230.0;
const COL_GAP: f64 = 220.0;
const LINE_H: f64 = 14.0;
const PAD_Y: f64 = 10.0;
const ROW_GAP: f64 = 14.0;
const GROUP_H: f64 = 20.0;
const TITLE_H: f64 = 30.0;
const PANEL_GAP: f64 = 60.0;
const MARGIN: f64 = 20.0;
/// Characters of a node line that fit in [`NODE_W`] at the font size used.
const LINE_CHARS: usize = 34;

struct Placed<'g> {
    node: &'g Node,
    x: f64,
    y: f64,
    h: f64,
    col: usize,
}

fn height(n: &Node) -> f64 {
    PAD_Y * 2.0 + LINE_H * node_lines(n).len() as f64
}

/// The SVG document of the graphs.
pub fn svg(graphs: &[Graph]) -> String {
    let mut body = String::new();
    let mut x0 = MARGIN;
    let mut total_h: f64 = 0.0;
    for (gi, g) in graphs.iter().enumerate() {
        let (w, h) = panel(&mut body, g, gi, x0, MARGIN);
        x0 += w + PANEL_GAP;
        total_h = total_h.max(h);
    }
    let width = (x0 - PANEL_GAP + MARGIN).max(200.0);
    let height = (total_h + MARGIN * 2.0).max(80.0);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"idguard-graph\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">"
    );
    out.push_str("<style>.node rect{stroke-width:1.5}.node.sev-error rect{stroke-width:3}.node.sev-warning rect,.node.sev-info rect{stroke-width:2.5}.edge path{fill:none;stroke-width:1.5}.edge.has-role-at path{stroke-width:2.5}.edge.feeds-client-id path{stroke-dasharray:6 4}.edge.removed path{stroke-dasharray:4 4;opacity:.7}.node.unknown rect{stroke-dasharray:5 4}.node.removed{opacity:.7}.label-bg{fill:#ffffff;opacity:.85}.title{font-size:13px;font-weight:bold}.group{font-size:10px;fill:#5f6368}.node.highlight rect{stroke:#1a73e8;stroke-width:4}.edge.highlight path{stroke:#1a73e8;stroke-width:4}</style>\n");
    out.push_str("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#5f6368\"/></marker></defs>\n");
    out.push_str(&body);
    out.push_str("</svg>\n");
    out
}

/// One graph's panel at (`x0`, `y0`); returns its width and height.
fn panel(out: &mut String, g: &Graph, gi: usize, x0: f64, y0: f64) -> (f64, f64) {
    let _ = writeln!(
        out,
        "<g class=\"panel\" data-graph=\"{gi}\"><text class=\"title\" x=\"{x0:.0}\" y=\"{:.0}\">{}</text>",
        y0 + 14.0,
        xml_text(&shorten(&g.title(), 120))
    );
    // Columns in use, in order, compacted.
    let mut used = [false; 4];
    for n in &g.nodes {
        if let Some(u) = used.get_mut(n.kind.column()) {
            *u = true;
        }
    }
    if g.omitted.is_some()
        && let Some(u) = used.get_mut(1)
    {
        *u = true;
    }
    let mut col_x = [0.0f64; 4];
    let mut next = x0;
    for (c, u) in used.iter().enumerate() {
        if *u && let Some(x) = col_x.get_mut(c) {
            *x = next;
            next += NODE_W + COL_GAP;
        }
    }
    let width = (next - COL_GAP - x0).max(NODE_W);
    let show_groups = groups(g).len() > 1;

    // Principals first: most privileged, then by name; the others by the
    // mean row of the principals they are joined to.
    let mut rank: HashMap<&str, f64> = HashMap::new();
    let mut principals: Vec<&Node> = g.nodes.iter().filter(|n| n.kind.column() == 1).collect();
    principals.sort_by(|a, b| {
        a.group
            .cmp(&b.group)
            .then(b.privilege.cmp(&a.privilege))
            .then(a.label.cmp(&b.label))
            .then(a.id.cmp(&b.id))
    });
    for (i, n) in principals.iter().enumerate() {
        rank.insert(n.id.as_str(), i as f64);
    }
    let mut near: HashMap<&str, Vec<&str>> = HashMap::new();
    for e in &g.edges {
        near.entry(e.from.as_str()).or_default().push(e.to.as_str());
        near.entry(e.to.as_str()).or_default().push(e.from.as_str());
        if let Some(r) = &e.role_node {
            near.entry(r.as_str()).or_default().push(e.from.as_str());
        }
    }
    let bary = |n: &Node| -> f64 {
        let rs: Vec<f64> = near
            .get(n.id.as_str())
            .into_iter()
            .flatten()
            .filter_map(|m| rank.get(m).copied())
            .collect();
        if rs.is_empty() {
            f64::MAX
        } else {
            rs.iter().sum::<f64>() / rs.len() as f64
        }
    };

    let mut placed: Vec<Placed<'_>> = Vec::new();
    let mut bottom = y0 + TITLE_H;
    for col in 0..4 {
        let Some(x) = col_x.get(col).copied() else {
            continue;
        };
        let mut nodes: Vec<&Node> = if col == 1 {
            principals.clone()
        } else {
            let mut v: Vec<(&Node, f64)> = g
                .nodes
                .iter()
                .filter(|n| n.kind.column() == col)
                .map(|n| (n, bary(n)))
                .collect();
            v.sort_by(|(a, ra), (b, rb)| {
                a.group
                    .cmp(&b.group)
                    .then(ra.total_cmp(rb))
                    .then(a.label.cmp(&b.label))
                    .then(a.id.cmp(&b.id))
            });
            v.into_iter().map(|(n, _)| n).collect()
        };
        if !show_groups {
            // No group headers: order by the principals only.
            nodes.sort_by(|a, b| {
                let (ra, rb) = if col == 1 {
                    (0.0, 0.0)
                } else {
                    (bary(a), bary(b))
                };
                ra.total_cmp(&rb)
            });
        }
        let mut y = y0 + TITLE_H;
        let mut last_group: Option<Option<&str>> = None;
        for n in nodes {
            if show_groups && last_group != Some(n.group.as_deref()) {
                let label = match &n.group {
                    Some(gname) => format!("resource group {gname}"),
                    None => "other".to_string(),
                };
                let _ = writeln!(
                    out,
                    "<text class=\"group\" x=\"{x:.0}\" y=\"{:.0}\">{}</text>",
                    y + 12.0,
                    xml_text(&shorten(&label, 40))
                );
                y += GROUP_H;
                last_group = Some(n.group.as_deref());
            }
            let h = height(n);
            placed.push(Placed {
                node: n,
                x,
                y,
                h,
                col,
            });
            y += h + ROW_GAP;
        }
        if col == 1
            && let Some(o) = &g.omitted
        {
            let _ = writeln!(
                out,
                "<g class=\"more\"><rect x=\"{x:.0}\" y=\"{y:.0}\" width=\"{NODE_W:.0}\" height=\"30\" rx=\"6\" fill=\"#ffffff\" stroke=\"#9aa0a6\" stroke-dasharray=\"3 3\"/><text x=\"{:.0}\" y=\"{:.0}\">{}</text></g>",
                x + 10.0,
                y + 19.0,
                xml_text(&shorten(&omitted_text(o), LINE_CHARS + 6))
            );
            y += 30.0 + ROW_GAP;
        }
        bottom = bottom.max(y);
    }

    let at: HashMap<&str, &Placed<'_>> = placed.iter().map(|p| (p.node.id.as_str(), p)).collect();
    // Edges under the nodes.
    for e in &g.edges {
        let (Some(a), Some(b)) = (at.get(e.from.as_str()), at.get(e.to.as_str())) else {
            continue;
        };
        let (sx, ex, bend) = if a.col < b.col {
            (a.x + NODE_W, b.x, 1.0)
        } else if a.col > b.col {
            (a.x, b.x + NODE_W, -1.0)
        } else {
            (a.x + NODE_W, b.x + NODE_W, 0.0)
        };
        let sy = a.y + a.h / 2.0;
        let ey = b.y + b.h / 2.0;
        let d = if bend == 0.0 {
            format!(
                "M{sx:.1},{sy:.1} C{:.1},{sy:.1} {:.1},{ey:.1} {ex:.1},{ey:.1}",
                sx + 60.0,
                ex + 60.0
            )
        } else {
            let dx = (ex - sx).abs() / 2.0 * bend;
            format!(
                "M{sx:.1},{sy:.1} C{:.1},{sy:.1} {:.1},{ey:.1} {ex:.1},{ey:.1}",
                sx + dx,
                ex - dx
            )
        };
        let colour = match (e.change, worst(&e.findings)) {
            (Some(c), _) => change_colour(c),
            (None, s) => severity_colour(s),
        };
        let mut class = format!("edge {}", e.kind.as_str());
        if let Some(s) = worst(&e.findings) {
            let _ = write!(class, " sev-{}", s.as_str());
        }
        if let Some(c) = e.change {
            let _ = write!(class, " {}", super::render::change_word(c));
        }
        let _ = write!(
            out,
            "<g class=\"{class}\" data-id=\"{}\" data-from=\"{}\" data-to=\"{}\" data-graph=\"{gi}\"><path d=\"{d}\" stroke=\"{colour}\" marker-end=\"url(#arrow)\"/>",
            xml_text(&e.id),
            xml_text(&e.from),
            xml_text(&e.to)
        );
        if let Some(label) = edge_label(e) {
            let label = shorten(&label, 34);
            let mx = (sx + ex) / 2.0 + if bend == 0.0 { 45.0 } else { 0.0 };
            let my = (sy + ey) / 2.0;
            let w = label.chars().count() as f64 * 6.0 + 8.0;
            let _ = write!(
                out,
                "<rect class=\"label-bg\" x=\"{:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"14\" rx=\"3\"/><text x=\"{mx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"10\" fill=\"{colour}\">{}</text>",
                mx - w / 2.0,
                my - 10.0,
                my + 1.0,
                xml_text(&label)
            );
        }
        let tip = match e.kind {
            EdgeKind::AttachedTo => "attached-to".to_string(),
            k => format!("{}: {}", k.as_str(), e.label.as_deref().unwrap_or("")),
        };
        let _ = writeln!(out, "<title>{}</title></g>", xml_text(&tip));
    }
    for p in &placed {
        let n = p.node;
        let stroke = match n.change {
            Some(c) => change_colour(c),
            None => severity_colour(worst(&n.findings)),
        };
        let mut class = format!("node kind-{}", kind_name(n.kind));
        if let Some(s) = worst(&n.findings) {
            let _ = write!(class, " sev-{}", s.as_str());
        }
        if n.unknown {
            class.push_str(" unknown");
        }
        if let Some(c) = n.change {
            let _ = write!(class, " {}", super::render::change_word(c));
        }
        let rx = match n.kind {
            k if k.is_principal() => 18.0,
            NodeKind::Workload => 6.0,
            _ => 2.0,
        };
        let mut tip = format!("{}: {}", n.kind.describe(), n.label);
        for m in &n.findings {
            let _ = write!(tip, "\n{} {}: {}", m.severity.as_str(), m.code, m.message);
        }
        let _ = write!(
            out,
            "<g class=\"{class}\" data-id=\"{}\" data-graph=\"{gi}\"><title>{}</title><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{NODE_W:.0}\" height=\"{:.1}\" rx=\"{rx:.0}\" fill=\"{}\" stroke=\"{stroke}\"/><text x=\"{:.1}\" y=\"{:.1}\">",
            xml_text(&n.id),
            xml_text(&tip),
            p.x,
            p.y,
            p.h,
            kind_fill(n.kind),
            p.x + 10.0,
            p.y + PAD_Y + 1.0
        );
        for (i, line) in node_lines(n).iter().enumerate() {
            let weight = if i == 0 { " font-weight=\"bold\"" } else { "" };
            let fill = if line.starts_with('⚠') {
                stroke
            } else {
                "#202124"
            };
            let _ = write!(
                out,
                "<tspan x=\"{:.1}\" dy=\"{LINE_H:.0}\"{weight} fill=\"{fill}\">{}</tspan>",
                p.x + 10.0,
                xml_text(&shorten(line, LINE_CHARS))
            );
        }
        out.push_str("</text></g>\n");
    }
    out.push_str("</g>\n");
    (width, bottom - y0)
}

fn kind_name(k: NodeKind) -> &'static str {
    match k {
        NodeKind::UserIdentity => "user-identity",
        NodeKind::SystemIdentity => "system-identity",
        NodeKind::ExternalIdentity => "external-identity",
        NodeKind::Principal => "principal",
        NodeKind::Workload => "workload",
        NodeKind::Tenant => "tenant",
        NodeKind::ManagementGroup => "management-group",
        NodeKind::Subscription => "subscription",
        NodeKind::ResourceGroup => "resource-group",
        NodeKind::Resource => "resource",
        NodeKind::Scope => "scope",
        NodeKind::CustomRole => "custom-role",
    }
}
