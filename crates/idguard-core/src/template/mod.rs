//! The ARM template model: every resource of a template and of its nested
//! deployments, flattened and evaluated.
//!
//! [`evaluate`] walks a template the way ARM deploys it: resources in both
//! forms (the classic array and the object keyed by symbolic name — told
//! apart by the type of `resources`, not by `languageVersion`), child
//! resources nested under `resources` flattened to their full type and
//! name, legacy extension types (`…/providers/roleAssignments`) turned into
//! extension resources with a scope, `condition`s, `copy` loops, and
//! `Microsoft.Resources/deployments` with an inline (or linked, when the
//! file is at hand) template, recursively, with inner or outer expression
//! scope and the deployment's own subscription, resource group or
//! management group.

pub mod context;
pub mod ids;
mod instance;
mod nested;
pub mod policy;
mod walk;

use std::collections::HashMap;
use std::rc::Rc;

use crate::budget::{Budget, Limit};
use crate::expr::{self, Context, DeploymentContext, Obj, TargetScope, Val};
use crate::source::{Document, Kind, NodeId, Span};

pub use context::{Supplied, TemplateScope, absolute_scope, scope_from_schema};
use walk::{NewDeployment, Walker};

/// Index of a file in [`Files`].
pub type FileId = usize;

/// Deepest chain of nested deployments followed.
pub const MAX_DEPLOYMENT_DEPTH: usize = 24;
/// Most instances of one looped nested deployment that are evaluated.
pub const MAX_DEPLOYMENT_COPIES: usize = 8;

/// The parsed files of one evaluation: the template, its parameter file
/// (if any) and linked templates.
#[derive(Debug, Default)]
pub struct Files {
    pub entries: Vec<FileEntry>,
    /// (linking file, relative path as written) → linked file.
    pub links: HashMap<(FileId, String), FileId>,
    /// (file, `template` value node) → a view of the template a nested
    /// deployment takes from a variable (`"template": "[variables('x')]"`).
    pub views: HashMap<(FileId, NodeId), FileId>,
    /// (file, variable node) → its view: one view per variable, however
    /// many deployments take it.
    view_of_variable: HashMap<(FileId, NodeId), FileId>,
}

#[derive(Debug)]
pub struct FileEntry {
    pub path: String,
    pub text: Rc<str>,
    pub doc: Rc<Document>,
    /// For a view of part of a file: the JSON pointer of the part, which
    /// the view's own pointers are relative to.
    pub pointer_prefix: String,
}

impl FileEntry {
    /// The JSON pointer of `node` in the file as written.
    pub fn pointer(&self, node: NodeId) -> String {
        format!("{}{}", self.pointer_prefix, self.doc.pointer(node))
    }
}

impl Files {
    pub fn get(&self, id: FileId) -> Option<&FileEntry> {
        self.entries.get(id)
    }

    /// The line and columns of a byte offset of `file` (line 1, column 1
    /// for a file that is not in the set).
    pub fn position(&self, file: FileId, offset: u32) -> crate::finding::Position {
        let Some(entry) = self.get(file) else {
            return crate::finding::Position {
                line: 1,
                column: 1,
                utf16_column: 1,
                offset,
            };
        };
        let lc = entry.doc.lines().line_col(&entry.text, offset);
        crate::finding::Position {
            line: lc.line,
            column: lc.column_chars,
            utf16_column: lc.column_utf16,
            offset,
        }
    }

    /// The range of a span of `file`.
    pub fn range(&self, file: FileId, span: Span) -> crate::finding::Range {
        crate::finding::Range {
            start: self.position(file, span.start),
            end: self.position(file, span.end),
        }
    }

    pub fn push(&mut self, path: String, text: Rc<str>, doc: Rc<Document>) -> FileId {
        self.entries.push(FileEntry {
            path,
            text,
            doc,
            pointer_prefix: String::new(),
        });
        self.entries.len() - 1
    }

    /// Adds views of the templates that nested deployments in `file` take
    /// from a variable, recursively for views within views, with a budget
    /// of its own (see [`Files::add_template_views_within`]).
    pub fn add_template_views(&mut self, file: FileId) {
        self.add_template_views_within(file, &Budget::new());
    }

    /// Adds views of the templates that nested deployments in `file` take
    /// from a variable, recursively for views within views. Each variable
    /// gets one view however many deployments take it, and a template
    /// inside a variable is looked at only in that variable's view (where
    /// it is deployed from), so the views grow with the text, not with
    /// 2^depth. Every view counts as a deployment of `budget`, and its
    /// nodes as steps; once the budget is spent no more views are made
    /// (the evaluation then stops at the budget too).
    pub fn add_template_views_within(&mut self, file: FileId, budget: &Budget) {
        let mut queue = vec![file];
        while let Some(f) = queue.pop() {
            let Some(entry) = self.entries.get(f) else {
                continue;
            };
            let doc = entry.doc.clone();
            for (template_node, var_node) in variable_templates(&doc) {
                if let Some(id) = self.view_of_variable.get(&(f, var_node)) {
                    self.views.insert((f, template_node), *id);
                    continue;
                }
                if !budget.deployment() {
                    budget.record_at(&doc, doc.span(template_node));
                    return;
                }
                let view = doc.unescaped_subtree(var_node);
                if !budget.steps(view.len() as u64) {
                    budget.record_at(&doc, doc.span(var_node));
                    return;
                }
                let id = self.push_view(f, var_node, view);
                self.views.insert((f, template_node), id);
                self.view_of_variable.insert((f, var_node), id);
                queue.push(id);
            }
        }
    }

    /// Adds `view`, a copy of the subtree at `node` of entry `of`, as an
    /// entry of its own: the same path and text, its pointers prefixed with
    /// where the subtree is in the file.
    pub(crate) fn push_view(&mut self, of: FileId, node: NodeId, view: Document) -> FileId {
        let (path, text, pointer_prefix) = match self.entries.get(of) {
            Some(e) => (
                e.path.clone(),
                e.text.clone(),
                format!("{}{}", e.pointer_prefix, e.doc.pointer(node)),
            ),
            None => (String::new(), Rc::from(""), String::new()),
        };
        self.entries.push(FileEntry {
            path,
            text,
            doc: Rc::new(view),
            pointer_prefix,
        });
        self.entries.len() - 1
    }

    /// The entry whose document is the one [`crate::budget::doc_key`] names.
    pub fn by_doc_key(&self, key: usize) -> Option<FileId> {
        self.entries
            .iter()
            .position(|e| crate::budget::doc_key(&e.doc) == key)
    }
}

/// Nested deployments whose `template` is `[variables('name')]`: the
/// `template` node and the variable's (object) node. The values of
/// `variables` are not searched: a template held in a variable is deployed
/// from that variable's view, which is searched in turn.
fn variable_templates(doc: &Document) -> Vec<(NodeId, NodeId)> {
    let mut out = Vec::new();
    let mut stack = vec![doc.root()];
    while let Some(n) = stack.pop() {
        for m in doc.members(n) {
            if m.key.eq_ignore_ascii_case("variables") {
                continue;
            }
            if m.key.eq_ignore_ascii_case("template")
                && let Some(var) = doc
                    .as_str(m.value)
                    .and_then(|s| s.strip_prefix("[variables('"))
                    .and_then(|s| s.strip_suffix("')]"))
            {
                // The template object whose `variables` hold it: up from
                // the `template` member through the deployment resource.
                let mut up = doc.node(m.value).parent;
                while let Some(p) = up {
                    if let Some(v) = doc
                        .get(p, "variables")
                        .and_then(|vars| doc.get(vars, var))
                        .filter(|v| matches!(doc.kind(*v), Kind::Object(_)))
                    {
                        out.push((m.value, v));
                        break;
                    }
                    up = doc.node(p).parent;
                }
            }
            stack.push(m.value);
        }
        stack.extend(doc.items(n).iter().copied());
    }
    out
}

/// One deployment: the root template or a nested one.
#[derive(Debug)]
pub struct Deployment {
    pub file: FileId,
    /// The template object.
    pub template: NodeId,
    pub parent: Option<usize>,
    /// The `Microsoft.Resources/deployments` resource that created it.
    pub resource: Option<usize>,
    pub context: DeploymentContext,
    /// The deployment's scope as an ID (`/subscriptions/{…}/resourceGroups/{…}`).
    pub scope_id: Val,
    /// Evaluated value of every declared parameter, in declaration order.
    pub parameters: Vec<Parameter>,
    /// Evaluated outputs.
    pub outputs: Obj,
    /// Whether expressions see the parent's parameters (`outer`).
    pub outer: bool,
    /// Symbolic names (lowercase) → resource ID, for symbolic-name templates.
    pub symbols: HashMap<String, Val>,
}

/// A declared parameter and what it evaluated to.
#[derive(Debug, Clone)]
pub struct Parameter {
    pub name: Rc<str>,
    /// `string`, `secureString`, `object`, …
    pub ty: Rc<str>,
    /// The declaration node.
    pub node: NodeId,
    pub default: Option<NodeId>,
    pub value: Val,
    /// Where the value came from in a parameter file, if it did.
    pub from_file: Option<(FileId, NodeId)>,
}

impl Parameter {
    pub fn is_secure(&self) -> bool {
        self.ty.eq_ignore_ascii_case("securestring") || self.ty.eq_ignore_ascii_case("secureobject")
    }
}

/// One resource instance (a copy loop gives several).
#[derive(Debug, Clone)]
pub struct Resource {
    pub file: FileId,
    /// The resource object as written.
    pub node: NodeId,
    pub deployment: usize,
    pub symbolic_name: Option<Rc<str>>,
    /// Full type (`Microsoft.Storage/storageAccounts/blobServices`); for a
    /// legacy extension type, the extension's type
    /// (`Microsoft.Authorization/roleAssignments`).
    pub ty: Rc<str>,
    /// Full name (`sa/default`); for a legacy extension, its own name.
    pub name: Val,
    /// The resource ID (partially known).
    pub id: Val,
    /// For extension resources: the absolute scope ID (from `scope`, or the
    /// parent of a legacy `…/providers/…` type).
    pub scope: Option<Val>,
    /// Where the scope is written (`scope`, or `name` for legacy types).
    pub scope_node: Option<NodeId>,
    pub existing: bool,
    /// `true` when there is no condition.
    pub condition: Val,
    /// Copy loop name, index and count, when in a loop.
    pub copy: Option<CopyInstance>,
    /// The evaluated resource object, without `resources`, `copy`,
    /// `condition` and (for deployments) `properties.template`.
    pub body: Val,
    /// Keys of `identity.userAssignedIdentities`: evaluated, with where each
    /// key is written.
    pub user_assigned: Vec<(Val, Span)>,
    /// Lowered from Bicep that did not fully parse (`Document::is_incomplete`):
    /// rules that report something missing stay silent on it.
    pub incomplete: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CopyInstance {
    pub name: Rc<str>,
    /// `None` when the count is not known (one symbolic instance).
    pub index: Option<i64>,
    pub count: Val,
}

impl Resource {
    /// Property of the evaluated body, e.g. `&["properties", "principalId"]`.
    pub fn get(&self, path: &[&str]) -> Option<&Val> {
        self.body.get_path(path)
    }

    /// The deepest node written in the template along `path` from the
    /// resource object (for pointing at the most specific value).
    pub fn locate(&self, doc: &Document, path: &[&str]) -> NodeId {
        doc.deepest(self.node, path)
    }

    pub fn is_type(&self, ty: &str) -> bool {
        self.ty.eq_ignore_ascii_case(ty)
    }
}

/// Something the evaluation could not follow, worth telling the user.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub file: FileId,
    pub node: NodeId,
    pub message: String,
}

/// The result of evaluating one template with one parameter file.
#[derive(Debug, Default)]
pub struct Evaluation {
    pub deployments: Vec<Deployment>,
    pub resources: Vec<Resource>,
    pub notes: Vec<Note>,
    /// Resources not deployed: a condition known to be false, a copy loop
    /// of zero items (with their nested resources, which are not walked).
    pub skipped: Vec<Note>,
    /// The limit of the budget that stopped the evaluation, if one did:
    /// then the evaluation is incomplete and must not be checked.
    pub exceeded: Option<Limit>,
}

/// Evaluates the template in `files` entry `template`, with the parameter
/// file `params` (an entry of `files`) if given, under a budget of its own.
pub fn evaluate(files: &Files, template: FileId, params: Option<FileId>) -> Evaluation {
    evaluate_within(files, template, params, &Rc::new(Budget::new()))
}

/// [`evaluate`], spending `budget` (shared with whatever else the caller
/// spends it on). When the budget runs out the walk stops where it is and
/// [`Evaluation::exceeded`] says which limit was hit.
pub fn evaluate_within(
    files: &Files,
    template: FileId,
    params: Option<FileId>,
    budget: &Rc<Budget>,
) -> Evaluation {
    let mut eval = Evaluation::default();
    let Some(entry) = files.get(template) else {
        return eval;
    };
    let doc = &*entry.doc;
    let root = doc.root();
    let scope = doc
        .get(root, "$schema")
        .and_then(|s| doc.as_str(s))
        .and_then(scope_from_schema)
        .unwrap_or(TargetScope::ResourceGroup);
    let mut supplied = HashMap::new();
    let mut origins = HashMap::new();
    if let Some(pdoc) = params.and_then(|p| files.get(p)).map(|e| &*e.doc) {
        for (k, (v, node)) in context::parameter_file_values(pdoc) {
            supplied.insert(k.clone(), v);
            if let Some(p) = params {
                origins.insert(k, (p, node));
            }
        }
    }
    let exprs = Rc::new(expr::ExprCache::default());
    let ctx = TemplateScope::new(
        doc,
        root,
        supplied,
        DeploymentContext::root(scope),
        Rc::clone(&exprs),
        Rc::clone(budget),
    );
    let mut walker = Walker::new(files, &mut eval, exprs, Rc::clone(budget));
    walker.deployment(&NewDeployment {
        file: template,
        template: root,
        ctx: &ctx,
        created_by: None,
        outer: false,
        origins: &origins,
        depth: 0,
    });
    eval.exceeded = budget.exceeded();
    eval
}

/// Rewrites `reference('symbol')` targets that name a symbolic resource of
/// the current template into that resource's ID, so references keep their
/// meaning once they leave the template (module outputs, the model).
pub fn canonical_references(v: &Val, ctx: &dyn Context) -> Val {
    use crate::expr::{Part, Unknown};
    match v {
        Val::Unknown(u) => match &**u {
            Unknown::Reference { target, full, path } => {
                if let Some(sym) = target.as_str().filter(|s| !s.contains('/'))
                    && let Some(id) = ctx.symbol_resource_id(sym)
                {
                    return Val::unknown(Unknown::Reference {
                        target: id,
                        full: *full,
                        path: path.clone(),
                    });
                }
                v.clone()
            }
            Unknown::Str(parts) => {
                let changed: Vec<Val> = parts
                    .iter()
                    .map(|p| match p {
                        Part::Lit(s) => Val::Str(s.clone()),
                        Part::Hole(h) => canonical_references(&Val::Unknown(h.clone()), ctx),
                    })
                    .collect();
                ids::concat(&changed)
            }
            _ => v.clone(),
        },
        Val::Array(items) => {
            if !items.iter().any(has_unknown) {
                return v.clone();
            }
            Val::array(items.iter().map(|i| canonical_references(i, ctx)).collect())
        }
        Val::Object(obj) => {
            if !obj.iter().any(|(_, v)| has_unknown(v)) {
                return v.clone();
            }
            Val::object(
                obj.iter()
                    .map(|(k, v)| (k.clone(), canonical_references(v, ctx)))
                    .collect(),
            )
        }
        _ => v.clone(),
    }
}

/// Whether an unknown hides in `v` (constant time: values keep it).
fn has_unknown(v: &Val) -> bool {
    !v.is_fully_known()
}
