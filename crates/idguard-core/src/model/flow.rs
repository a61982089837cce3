//! Where a value written in a template comes from, and where a
//! parameter's value goes.
//!
//! The evaluator gives every value, not its history: `"[parameters('p')]"`
//! evaluates to the GUID the parameter file sets, exactly as a GUID written
//! in the template would. Rules that judge a value by its origin (MI404: a
//! literal written in the template or a value set per environment?) or by
//! its destination (MI501: does a parameter feed a secret, or only a name?)
//! read the template as written instead, through the same scopes the
//! evaluator used:
//!
//! - **backwards** ([`written_in_template`]): the string literals an
//!   expression holds, through the variables it reads (transitively) and
//!   the parameters it reads — a parameter set in a parameter file ends
//!   the trail there (set per environment), a nested deployment's
//!   parameter continues at the value its caller passes;
//! - **forwards** ([`Flows`]): every string of every resource as written,
//!   with the parameters it reads (through variables) and where in the
//!   resource it is; a value passed to a nested deployment's parameter
//!   continues into that deployment.
//!
//! Both are bounded: a node is visited once per question, and a trail is
//! at most [`MAX_HOPS`] deployments long.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use crate::expr::{Expr, ExprKind, parse_template_string};
use crate::source::{Document, Kind, NodeId};
use crate::template::{Evaluation, FileId, Files};

/// Longest chain of nested deployments a trail follows.
pub(crate) const MAX_HOPS: usize = 8;
/// Most nodes one backwards question visits.
const MAX_VISITS: usize = 4096;

/// Credential markers (lowercase) whose value, up to the next separator,
/// is a secret (shared with the masking of [`super::secrets`]).
pub(crate) const CREDENTIAL_MARKERS: &[&str] = &[
    "accountkey=",
    "sharedaccesskey=",
    "sharedaccesssignature=",
    "password=",
    "pwd=",
    "client_secret=",
    "clientsecret=",
];

/// What a template string reads: its string literals, and the names (as
/// written) of the parameters and variables it calls.
#[derive(Default, Debug)]
pub(crate) struct Reads {
    pub literals: Vec<Rc<str>>,
    pub params: Vec<Rc<str>>,
    pub vars: Vec<Rc<str>>,
    /// Those of `params` and `vars` whose value becomes (part of) the
    /// string's value — not those only used to compute something else
    /// (`listKeys(resourceId(…, parameters('name')))` reads `name`, but its
    /// value is a key, not the name).
    pub value_params: Vec<Rc<str>>,
    pub value_vars: Vec<Rc<str>>,
    /// Parameters and variables read right after a credential marker
    /// (`concat('…;AccountKey=', parameters('key'))`, `format('…;AccountKey={0}', …)`).
    pub at_marker: Vec<Rc<str>>,
}

/// What the template string `s` reads. A string that is not an expression
/// is one literal; one that does not parse is one literal too (its text),
/// so nothing written is missed.
pub(crate) fn reads(s: &str) -> Reads {
    let mut out = Reads::default();
    match parse_template_string(s) {
        Ok(Some(e)) => walk(&e, true, &mut out),
        Ok(None) => out.literals.push(Rc::from(crate::expr::literal_value(s))),
        Err(_) => out.literals.push(Rc::from(s)),
    }
    out
}

fn call_name(e: &Expr) -> Option<(&str, &[Expr])> {
    match &e.kind {
        ExprKind::Call {
            namespace: None,
            name,
            args,
        } => Some((&**name, args.as_slice())),
        _ => None,
    }
}

/// `parameters('x')` / `variables('x')` → ("parameters" | "variables", x).
fn named_read(e: &Expr) -> Option<(bool, &Rc<str>)> {
    let (name, args) = call_name(e)?;
    let is_param = name.eq_ignore_ascii_case("parameters");
    if !is_param && !name.eq_ignore_ascii_case("variables") {
        return None;
    }
    match args {
        [
            Expr {
                kind: ExprKind::Str(n),
                ..
            },
        ] => Some((is_param, n)),
        _ => None,
    }
}

/// Functions whose result holds their arguments' values (all of them, or
/// from the given index on).
fn passes_values(name: &str) -> Option<usize> {
    const ALL: &[&str] = &[
        "concat", "format", "string", "trim", "tolower", "toupper", "coalesce", "base64", "json",
        "first", "last",
    ];
    if ALL.iter().any(|f| name.eq_ignore_ascii_case(f)) {
        Some(0)
    } else if name.eq_ignore_ascii_case("if") {
        Some(1)
    } else {
        None
    }
}

/// `value`: whether the value of `e` becomes (part of) the string's value.
fn walk(e: &Expr, value: bool, out: &mut Reads) {
    if let Some((is_param, n)) = named_read(e) {
        let (all, values) = if is_param {
            (&mut out.params, &mut out.value_params)
        } else {
            (&mut out.vars, &mut out.value_vars)
        };
        all.push(Rc::clone(n));
        if value {
            values.push(Rc::clone(n));
        }
        return;
    }
    match &e.kind {
        ExprKind::Str(s) => out.literals.push(Rc::clone(s)),
        ExprKind::Int(_) | ExprKind::Float(_) => {}
        ExprKind::Call { name, args, .. } => {
            marker_slots(name, args, out);
            let from = passes_values(name);
            for (i, a) in args.iter().enumerate() {
                walk(a, value && from.is_some_and(|f| i >= f), out);
            }
        }
        ExprKind::Member { of, .. } => walk(of, value, out),
        ExprKind::Index { of, index } => {
            walk(of, value, out);
            walk(index, false, out);
        }
    }
}

fn ends_with_marker(s: &str) -> bool {
    let lower = s.trim_end().to_ascii_lowercase();
    CREDENTIAL_MARKERS.iter().any(|m| lower.ends_with(m))
}

/// Reads of the arguments of `concat`/`format` that sit right after a
/// credential marker.
fn marker_slots(name: &str, args: &[Expr], out: &mut Reads) {
    let mut slot = |e: &Expr| {
        let mut inner = Reads::default();
        walk(e, true, &mut inner);
        out.at_marker.extend(inner.value_params);
        out.at_marker.extend(inner.value_vars);
    };
    if name.eq_ignore_ascii_case("concat") {
        for pair in args.windows(2) {
            if let [a, b] = pair
                && let ExprKind::Str(s) = &a.kind
                && ends_with_marker(s)
            {
                slot(b);
            }
        }
    } else if name.eq_ignore_ascii_case("format")
        && let Some((first, rest)) = args.split_first()
        && let ExprKind::Str(f) = &first.kind
    {
        // `{N}` (or `{N:…}`) placeholders preceded by a marker.
        let mut at = 0;
        while let Some(open) = f.get(at..).and_then(|t| t.find('{')) {
            let start = at + open;
            let Some(close) = f.get(start..).and_then(|t| t.find('}')) else {
                break;
            };
            let inside = f.get(start + 1..start + close).unwrap_or("");
            let digits = inside.split(':').next().unwrap_or("");
            if let Ok(n) = digits.trim().parse::<usize>()
                && ends_with_marker(f.get(..start).unwrap_or(""))
                && let Some(e) = rest.get(n)
            {
                slot(e);
            }
            at = start + close + 1;
        }
    }
}

/// The deployment whose parameters and variables the expressions of
/// `deployment` see: itself, or for an outer-scope nested deployment the
/// nearest enclosing inner one.
pub(crate) fn scope_deployment(eval: &Evaluation, mut deployment: usize) -> usize {
    for _ in 0..crate::template::MAX_DEPLOYMENT_DEPTH {
        match eval.deployments.get(deployment) {
            Some(d) if d.outer => match d.parent {
                Some(p) => deployment = p,
                None => break,
            },
            _ => break,
        }
    }
    deployment
}

/// The node of variable `name` in the template of `deployment`.
fn variable_node(
    files: &Files,
    eval: &Evaluation,
    deployment: usize,
    name: &str,
) -> Option<NodeId> {
    let d = eval.deployments.get(deployment)?;
    let doc = &files.get(d.file)?.doc;
    doc.get(d.template, "variables")
        .and_then(|v| doc.get(v, name))
}

/// The node of the value a nested deployment's caller passes to its
/// parameter `name` (`properties.parameters.<name>.value` of the
/// deployment resource), with the caller's deployment.
fn passed_value(
    files: &Files,
    eval: &Evaluation,
    deployment: usize,
    name: &str,
) -> Option<(usize, FileId, NodeId)> {
    let d = eval.deployments.get(deployment)?;
    let r = eval.resources.get(d.resource?)?;
    let doc = &files.get(r.file)?.doc;
    let node = doc.get_path(r.node, &["properties", "parameters", name, "value"])?;
    Some((scope_deployment(eval, r.deployment), r.file, node))
}

/// Whether `needle` (lowercase) is written in the template text the value
/// at `node` of `file` is made of — in the string itself, or in a
/// variable it reads, or in the value a caller passes for a parameter it
/// reads — rather than coming from a parameter file or a parameter's
/// default (a default is a declaration, set per deployment).
pub(crate) fn written_in_template(
    files: &Files,
    eval: &Evaluation,
    deployment: usize,
    file: FileId,
    node: NodeId,
    needle: &str,
) -> bool {
    let mut t = Backwards::new(files, eval, needle);
    t.node(scope_deployment(eval, deployment), file, node, 0)
}

/// [`written_in_template`] of a string (an object key, say) rather than a
/// node.
pub(crate) fn string_written_in_template(
    files: &Files,
    eval: &Evaluation,
    deployment: usize,
    s: &str,
    needle: &str,
) -> bool {
    let mut t = Backwards::new(files, eval, needle);
    t.string(scope_deployment(eval, deployment), s, 0)
}

struct Backwards<'a> {
    files: &'a Files,
    eval: &'a Evaluation,
    needle: &'a str,
    seen: HashSet<(FileId, NodeId)>,
}

impl<'a> Backwards<'a> {
    fn new(files: &'a Files, eval: &'a Evaluation, needle: &'a str) -> Self {
        Backwards {
            files,
            eval,
            needle,
            seen: HashSet::new(),
        }
    }
}

impl Backwards<'_> {
    fn node(&mut self, deployment: usize, file: FileId, node: NodeId, hops: usize) -> bool {
        if self.seen.len() >= MAX_VISITS || !self.seen.insert((file, node)) {
            return false;
        }
        let files = self.files;
        let Some(entry) = files.get(file) else {
            return false;
        };
        let doc = Rc::clone(&entry.doc);
        match doc.kind(node) {
            Kind::String(s) => self.string(deployment, s, hops),
            Kind::Object(members) => members
                .iter()
                .any(|m| self.node(deployment, file, m.value, hops)),
            Kind::Array(items) => items.iter().any(|i| self.node(deployment, file, *i, hops)),
            _ => false,
        }
    }

    fn string(&mut self, deployment: usize, s: &str, hops: usize) -> bool {
        let (files, eval) = (self.files, self.eval);
        let r = reads(s);
        if r.literals
            .iter()
            .any(|l| l.to_ascii_lowercase().contains(self.needle))
        {
            return true;
        }
        for v in &r.vars {
            if let Some(node) = variable_node(files, eval, deployment, v)
                && let Some(d) = eval.deployments.get(deployment)
                && self.node(deployment, d.file, node, hops)
            {
                return true;
            }
        }
        for p in &r.params {
            if self.parameter(deployment, p, hops) {
                return true;
            }
        }
        false
    }

    fn parameter(&mut self, deployment: usize, name: &str, hops: usize) -> bool {
        let (files, eval) = (self.files, self.eval);
        let Some(d) = eval.deployments.get(deployment) else {
            return false;
        };
        let Some(p) = d
            .parameters
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
        else {
            return false;
        };
        // Set in a parameter file: set per environment, the trail ends.
        if p.from_file.is_some() || hops >= MAX_HOPS {
            return false;
        }
        match passed_value(files, eval, deployment, name) {
            Some((caller, file, node)) => self.node(caller, file, node, hops + 1),
            // The default, or nothing: a declaration, not a value written in.
            None => false,
        }
    }
}

/// Where one string of a resource, as written, sends what it reads.
#[derive(Debug)]
pub(crate) struct Flow {
    /// The resource (index into [`Evaluation::resources`]; the first
    /// instance of a copy loop).
    pub resource: usize,
    /// Object keys (and array indexes) from the resource object to the
    /// string.
    pub path: Vec<Rc<str>>,
    /// The deployment whose parameters it reads.
    pub deployment: usize,
    /// Parameters it reads, directly or through variables (lowercase).
    pub params: Vec<String>,
    /// Those of `params` whose value becomes (part of) the string's.
    pub values: Vec<String>,
    /// Those of `params` read right after a credential marker.
    pub at_marker: Vec<String>,
}

impl Flow {
    /// Whether the string is the resource's name.
    pub fn is_name(&self) -> bool {
        matches!(self.path.as_slice(), [k] if k.eq_ignore_ascii_case("name"))
    }
}

/// One step from a resource object towards one of its strings.
enum Step {
    Key(Rc<str>),
    Index(usize),
}

/// The keys (and array indexes) from the resource object to the step at
/// `at` of `trail`, whose entries are (previous step, step).
fn path_of(trail: &[(Option<usize>, Step)], mut at: Option<usize>) -> Vec<Rc<str>> {
    let mut path = Vec::new();
    while let Some((previous, step)) = at.and_then(|i| trail.get(i)) {
        path.push(match step {
            Step::Key(k) => Rc::clone(k),
            Step::Index(j) => Rc::from(j.to_string()),
        });
        at = *previous;
    }
    path.reverse();
    path
}

/// Whether an expression can read a parameter or a variable: it names
/// `parameters` or `variables` (in any case, as ARM's function names are
/// read). Most strings do not, and skip the parse [`reads`] would make.
fn names_a_parameter_or_variable(s: &str) -> bool {
    use crate::vocab::contains_ignore_ascii_case as has;
    has(s.as_bytes(), b"parameters") || has(s.as_bytes(), b"variables")
}

/// Every string of every resource with what it reads, built once per
/// question that needs it.
pub(crate) struct Flows {
    pub flows: Vec<Flow>,
    /// (deployment, parameter lowercase) → indexes into `flows`.
    by_param: HashMap<(usize, String), Vec<usize>>,
    /// deployment → the nested deployments its resources create (inner
    /// scope), by the creating resource.
    nested_by_resource: HashMap<usize, usize>,
}

impl Flows {
    pub fn build(files: &Files, eval: &Evaluation) -> Flows {
        let mut flows = Vec::new();
        let mut seen_nodes = HashSet::new();
        // What variables read, by (deployment, lowercase name).
        let mut var_memo: HashMap<(usize, String), VarReads> = HashMap::new();
        let mut trail: Vec<(Option<usize>, Step)> = Vec::new();
        for (ri, r) in eval.resources.iter().enumerate() {
            if !seen_nodes.insert((r.file, r.node)) {
                continue;
            }
            let Some(entry) = files.get(r.file) else {
                continue;
            };
            let doc = Rc::clone(&entry.doc);
            let deployment = scope_deployment(eval, r.deployment);
            let is_deployment = r.is_type("Microsoft.Resources/deployments");
            // Paths from the resource object, shared by their prefixes:
            // a string's path is built only when it reads something.
            trail.clear();
            let mut stack: Vec<(NodeId, Option<usize>, usize)> = vec![(r.node, None, 0)];
            while let Some((n, at, depth)) = stack.pop() {
                match doc.kind(n) {
                    Kind::Object(members) => {
                        for m in members.iter() {
                            // Children and inline templates are resources
                            // and deployments of their own.
                            if depth == 0 && m.key.eq_ignore_ascii_case("resources") {
                                continue;
                            }
                            if is_deployment && depth == 1 && m.key.eq_ignore_ascii_case("template")
                            {
                                continue;
                            }
                            trail.push((at, Step::Key(Rc::clone(&m.key))));
                            stack.push((m.value, Some(trail.len() - 1), depth + 1));
                        }
                    }
                    Kind::Array(items) => {
                        for (j, i) in items.iter().enumerate() {
                            trail.push((at, Step::Index(j)));
                            stack.push((*i, Some(trail.len() - 1), depth + 1));
                        }
                    }
                    Kind::String(s) => {
                        if !crate::expr::is_expression(s) || !names_a_parameter_or_variable(s) {
                            continue;
                        }
                        let rd = reads(s);
                        if rd.params.is_empty() && rd.vars.is_empty() {
                            continue;
                        }
                        let path = path_of(&trail, at);
                        let lower = |v: &[Rc<str>]| -> Vec<String> {
                            v.iter().map(|p| p.to_ascii_lowercase()).collect()
                        };
                        let mut params = lower(&rd.params);
                        let mut values = lower(&rd.value_params);
                        let mut at_marker: Vec<String> = lower(&rd.at_marker)
                            .into_iter()
                            .filter(|m| params.contains(m))
                            .collect();
                        for v in &rd.vars {
                            let vr = var_reads(files, eval, deployment, v, &mut var_memo, 0);
                            params.extend(vr.params.iter().cloned());
                            if rd.value_vars.iter().any(|m| m.eq_ignore_ascii_case(v)) {
                                values.extend(vr.values.iter().cloned());
                                at_marker.extend(vr.at_marker.iter().cloned());
                            }
                            if rd.at_marker.iter().any(|m| m.eq_ignore_ascii_case(v)) {
                                at_marker.extend(vr.values.iter().cloned());
                            }
                        }
                        for list in [&mut params, &mut values, &mut at_marker] {
                            list.sort();
                            list.dedup();
                        }
                        flows.push(Flow {
                            resource: ri,
                            path,
                            deployment,
                            params,
                            values,
                            at_marker,
                        });
                    }
                    _ => {}
                }
            }
        }
        let mut by_param: HashMap<(usize, String), Vec<usize>> = HashMap::new();
        for (i, f) in flows.iter().enumerate() {
            for p in &f.params {
                by_param
                    .entry((f.deployment, p.clone()))
                    .or_default()
                    .push(i);
            }
        }
        let nested_by_resource = eval
            .deployments
            .iter()
            .enumerate()
            .filter(|(_, d)| !d.outer)
            .filter_map(|(i, d)| d.resource.map(|r| (r, i)))
            .collect();
        Flows {
            flows,
            by_param,
            nested_by_resource,
        }
    }

    /// Where parameter `name` of `deployment` ends up: the strings that
    /// read it, a value passed to a nested deployment's parameter followed
    /// into that deployment (up to [`MAX_HOPS`]).
    pub fn uses(&self, eval: &Evaluation, deployment: usize, name: &str) -> Vec<&Flow> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut todo = vec![(deployment, name.to_ascii_lowercase(), 0usize)];
        while let Some((d, p, hops)) = todo.pop() {
            if !seen.insert((d, p.clone())) {
                continue;
            }
            for &i in self.by_param.get(&(d, p)).into_iter().flatten() {
                let Some(f) = self.flows.get(i) else { continue };
                if let Some(next) = self.passed_to(eval, f) {
                    if hops < MAX_HOPS {
                        todo.push((next.0, next.1, hops + 1));
                    }
                    continue;
                }
                out.push(f);
            }
        }
        out
    }

    /// For a value passed to a nested deployment's parameter
    /// (`properties.parameters.<p>.value` of a deployment resource): that
    /// deployment and parameter.
    fn passed_to(&self, eval: &Evaluation, f: &Flow) -> Option<(usize, String)> {
        let r = eval.resources.get(f.resource)?;
        if !r.is_type("Microsoft.Resources/deployments") {
            return None;
        }
        match f.path.as_slice() {
            [a, b, p, v]
                if a.eq_ignore_ascii_case("properties")
                    && b.eq_ignore_ascii_case("parameters")
                    && v.eq_ignore_ascii_case("value") =>
            {
                let d = *self.nested_by_resource.get(&f.resource)?;
                Some((d, p.to_ascii_lowercase()))
            }
            _ => None,
        }
    }

    /// The parameters whose values reach `flow`: those it reads, and for
    /// each that is a nested deployment's parameter, what its caller
    /// passes, upwards (up to [`MAX_HOPS`]). Each with its deployment.
    pub fn sources(&self, eval: &Evaluation, flow: &Flow, at_marker: bool) -> Vec<(usize, String)> {
        let first = if at_marker {
            &flow.at_marker
        } else {
            &flow.values
        };
        let mut out: Vec<(usize, String)> = Vec::new();
        let mut todo: Vec<(usize, String, usize)> = first
            .iter()
            .map(|p| (flow.deployment, p.clone(), 0))
            .collect();
        while let Some((d, p, hops)) = todo.pop() {
            if out.contains(&(d, p.clone())) {
                continue;
            }
            out.push((d, p.clone()));
            if hops >= MAX_HOPS {
                continue;
            }
            // The caller's value for it.
            let Some(resource) = eval
                .deployments
                .get(d)
                .filter(|d| !d.outer)
                .and_then(|d| d.resource)
            else {
                continue;
            };
            for f in &self.flows {
                if f.resource == resource
                    && self
                        .passed_to(eval, f)
                        .is_some_and(|(nd, np)| nd == d && np == p)
                {
                    todo.extend(f.values.iter().map(|q| (f.deployment, q.clone(), hops + 1)));
                }
            }
        }
        out
    }
}

/// What a variable reads, through the variables it reads in turn.
#[derive(Clone, Default)]
struct VarReads {
    /// Every parameter it reads (lowercase).
    params: Vec<String>,
    /// Those whose value becomes (part of) the variable's.
    values: Vec<String>,
    /// Those read right after a credential marker.
    at_marker: Vec<String>,
}

fn var_reads(
    files: &Files,
    eval: &Evaluation,
    deployment: usize,
    name: &str,
    memo: &mut HashMap<(usize, String), VarReads>,
    depth: usize,
) -> VarReads {
    let key = (deployment, name.to_ascii_lowercase());
    if let Some(v) = memo.get(&key) {
        return v.clone();
    }
    // Marks the variable while it is read, so a cycle ends.
    memo.insert(key.clone(), VarReads::default());
    let mut out = VarReads::default();
    if depth < 32
        && let Some(node) = variable_node(files, eval, deployment, name)
        && let Some(d) = eval.deployments.get(deployment)
        && let Some(entry) = files.get(d.file)
    {
        let doc: &Document = &entry.doc;
        let mut stack = vec![node];
        let mut visited = 0usize;
        while let Some(n) = stack.pop() {
            visited += 1;
            if visited > MAX_VISITS {
                break;
            }
            match doc.kind(n) {
                Kind::Object(members) => stack.extend(members.iter().map(|m| m.value)),
                Kind::Array(items) => stack.extend(items.iter().copied()),
                Kind::String(s) => {
                    let rd = reads(s);
                    let lower = |v: &[Rc<str>]| -> Vec<String> {
                        v.iter().map(|p| p.to_ascii_lowercase()).collect()
                    };
                    let params = lower(&rd.params);
                    out.at_marker.extend(
                        lower(&rd.at_marker)
                            .into_iter()
                            .filter(|m| params.contains(m)),
                    );
                    out.values.extend(lower(&rd.value_params));
                    out.params.extend(params);
                    for v in &rd.vars {
                        let vr = var_reads(files, eval, deployment, v, memo, depth + 1);
                        out.params.extend(vr.params.iter().cloned());
                        if rd.value_vars.iter().any(|m| m.eq_ignore_ascii_case(v)) {
                            out.values.extend(vr.values.iter().cloned());
                            out.at_marker.extend(vr.at_marker.iter().cloned());
                        }
                        if rd.at_marker.iter().any(|m| m.eq_ignore_ascii_case(v)) {
                            out.at_marker.extend(vr.values.iter().cloned());
                        }
                    }
                }
                _ => {}
            }
        }
    }
    for list in [&mut out.params, &mut out.values, &mut out.at_marker] {
        list.sort();
        list.dedup();
    }
    memo.insert(key, out.clone());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_expressions_naming_parameters_or_variables_are_read() {
        for s in [
            "[parameters('a')]",
            "[concat('x', Variables('v'))]",
            "[PARAMETERS('a')]",
            "[format('{0}', parameters ('a'))]",
        ] {
            assert!(names_a_parameter_or_variable(s), "{s}");
        }
        for s in [
            "[resourceGroup().location]",
            "[param('a')]",
            "[variable('v')]",
            "[p]",
            "",
        ] {
            assert!(!names_a_parameter_or_variable(s), "{s}");
            // What is skipped reads nothing.
            let r = reads(s);
            assert!(r.params.is_empty() && r.vars.is_empty(), "{s}");
        }
    }

    #[test]
    fn paths_are_built_from_shared_steps() {
        let trail = vec![
            (None, Step::Key(Rc::from("properties"))),
            (Some(0), Step::Key(Rc::from("settings"))),
            (Some(1), Step::Index(3)),
            (Some(2), Step::Key(Rc::from("value"))),
            (Some(0), Step::Key(Rc::from("other"))),
        ];
        let path =
            |at| -> Vec<String> { path_of(&trail, at).iter().map(|s| s.to_string()).collect() };
        assert_eq!(path(Some(3)), ["properties", "settings", "3", "value"]);
        assert_eq!(path(Some(4)), ["properties", "other"]);
        assert!(path(None).is_empty());
    }

    #[test]
    fn reads_of_an_expression() {
        let r = reads("[concat('a;AccountKey=', parameters('key'), variables('v'))]");
        assert_eq!(&*r.params[0], "key");
        assert_eq!(&*r.vars[0], "v");
        assert_eq!(&*r.at_marker[0], "key");
        let r = reads("[format('x;Password={0};', parameters('pw'))]");
        assert_eq!(&*r.at_marker[0], "pw");
        // A parameter that only locates the key is not the key.
        let r = reads(
            "[concat('AccountKey=', listKeys(resourceId('Microsoft.Storage/storageAccounts', parameters('name')), '2023-01-01').keys[0].value)]",
        );
        assert_eq!(&*r.params[0], "name");
        assert!(r.value_params.is_empty() && r.at_marker.is_empty());
        let r = reads("00000000-0000-0000-0000-000000000000");
        assert_eq!(r.literals.len(), 1);
        assert!(r.params.is_empty());
        let r = reads("[parameters('clusterObjectId')]");
        assert!(r.literals.is_empty());
    }
}
