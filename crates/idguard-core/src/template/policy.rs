//! Templates inside Azure Policy definitions.
//!
//! A `deployIfNotExists` policy carries the template its remediation
//! deploys, at `policyRule.then.details.deployment.properties.template`,
//! run with the policy assignment's identity. Enterprise-scale repositories
//! hold hundreds of them, as `Microsoft.Authorization/policyDefinitions`
//! resources of a template (and `policySetDefinitions`, whose definitions
//! are references) and as standalone policy definition files
//! (`{"properties": {"policyRule": …}}`, recognised by content). Each one
//! found is made a view of its file ([`Files`]: the view's pointers are
//! relative to the template object, its prefix places them in the file),
//! so it is evaluated and checked as a template of its own, and findings
//! land on its lines.
//!
//! Inside a template, ARM reads a policy definition's strings once, so the
//! embedded template's expressions are escaped (`[[parameters('x')]`): the
//! view is unescaped once, as ARM does before the policy stores it. In a
//! standalone definition they are written as they run, and the view is the
//! subtree as it is (a string that starts with `[[` there is a literal).

use crate::budget::Budget;
use crate::source::{Document, Kind, NodeId};

use super::{FileId, Files};

/// The path from a policy definition's `policyRule` to the template its
/// remediation deploys.
const TEMPLATE_PATH: [&str; 5] = ["then", "details", "deployment", "properties", "template"];

/// Most embedded templates made views of, per checked template: a bound on
/// the work a file of policy definitions can ask for (the budget bounds
/// each evaluation; this bounds their number).
pub const MAX_POLICY_TEMPLATES: usize = 256;

/// Whether a JSON text is a standalone policy definition: an object whose
/// `properties.policyRule` (as the REST API and `az policy definition`
/// write it) or `policyRule` (the bare definition) is an object.
pub fn is_policy_definition(doc: &Document) -> bool {
    let root = doc.root();
    if doc.get(root, "resources").is_some() {
        return false;
    }
    let rule = doc
        .get_path(root, &["properties", "policyRule"])
        .or_else(|| doc.get(root, "policyRule"));
    rule.is_some_and(|r| matches!(doc.kind(r), Kind::Object(_)))
}

/// The templates the policy rules of `doc` deploy, searched everywhere
/// but inside such a template (a policy written in a remediation template
/// is that template's business, checked in its own view), within
/// `budget`'s steps.
fn embedded_templates(doc: &Document, budget: &Budget) -> Vec<NodeId> {
    let mut out: Vec<NodeId> = Vec::new();
    let mut found: std::collections::HashSet<NodeId> = std::collections::HashSet::new();
    let mut stack = vec![doc.root()];
    while let Some(n) = stack.pop() {
        if !budget.steps(1) {
            break;
        }
        if found.contains(&n) {
            continue;
        }
        match doc.kind(n) {
            Kind::Object(members) => {
                for m in members {
                    if m.key.eq_ignore_ascii_case("policyRule")
                        && let Some(t) = doc.get_path(m.value, &TEMPLATE_PATH)
                        && matches!(doc.kind(t), Kind::Object(_))
                        && found.insert(t)
                    {
                        out.push(t);
                    }
                    stack.push(m.value);
                }
            }
            Kind::Array(items) => stack.extend(items.iter().copied()),
            _ => {}
        }
    }
    out.sort_by_key(|t| doc.span(*t).start);
    out
}

impl Files {
    /// Adds a view for every template a policy definition in `file`
    /// deploys (see the module docs), and returns them, at most
    /// [`MAX_POLICY_TEMPLATES`]. Views count against `budget` as
    /// [`Files::add_template_views_within`]'s do.
    pub fn add_policy_template_views(&mut self, file: FileId, budget: &Budget) -> Vec<FileId> {
        let Some(entry) = self.entries.get(file) else {
            return Vec::new();
        };
        let doc = entry.doc.clone();
        let standalone = is_policy_definition(&doc);
        let mut views = Vec::new();
        for template in embedded_templates(&doc, budget) {
            if views.len() >= MAX_POLICY_TEMPLATES || !budget.deployment() {
                break;
            }
            let view = if standalone {
                doc.subtree(template)
            } else {
                doc.unescaped_subtree(template)
            };
            if !budget.steps(view.len() as u64) {
                budget.record_at(&doc, doc.span(template));
                break;
            }
            views.push(self.push_view(file, template, view));
        }
        views
    }
}
