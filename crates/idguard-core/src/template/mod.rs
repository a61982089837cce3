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

use std::collections::HashMap;
use std::rc::Rc;

use crate::budget::{Budget, Limit};
use crate::expr::{self, Context, DeploymentContext, LoopScope, Obj, TargetScope, Val};
use crate::source::{Document, Kind, NodeId, Span};

pub use context::{Supplied, TemplateScope, absolute_scope, scope_from_schema};

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
            let (path, text, prefix) = (
                entry.path.clone(),
                entry.text.clone(),
                entry.pointer_prefix.clone(),
            );
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
                self.entries.push(FileEntry {
                    path: path.clone(),
                    text: text.clone(),
                    doc: Rc::new(view),
                    pointer_prefix: format!("{prefix}{}", doc.pointer(var_node)),
                });
                let id = self.entries.len() - 1;
                self.views.insert((f, template_node), id);
                self.view_of_variable.insert((f, var_node), id);
                queue.push(id);
            }
        }
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
    let mut walker = Walker {
        files,
        eval: &mut eval,
        exprs,
        budget: Rc::clone(budget),
        evaluated: HashMap::new(),
    };
    walker.deployment(template, root, &ctx, None, None, false, &origins, 0);
    eval.exceeded = budget.exceeded();
    eval
}

struct Walker<'f, 'e> {
    files: &'f Files,
    eval: &'e mut Evaluation,
    /// The evaluation's cache of parsed expressions.
    exprs: Rc<expr::ExprCache>,
    budget: Rc<Budget>,
    /// Inner-scope nested deployments already evaluated (or being
    /// evaluated), by what their evaluation depends on: see
    /// [`Walker::nested_key`].
    evaluated: HashMap<String, usize>,
}

/// Heaviest value (see [`Val::weight`]) a memo key of a nested deployment
/// renders; a deployment given a heavier parameter is evaluated every
/// time (and pays for it).
const MEMO_VALUE_MAX: u64 = 64 << 10;

/// A parent resource, for flattening nested children.
struct ParentRef {
    ty: Rc<str>,
    name: Val,
}

impl<'f> Walker<'f, '_> {
    #[allow(clippy::too_many_arguments)]
    fn deployment(
        &mut self,
        file: FileId,
        template: NodeId,
        ctx: &dyn Context,
        parent: Option<usize>,
        resource: Option<usize>,
        outer: bool,
        origins: &HashMap<String, (FileId, NodeId)>,
        depth: usize,
    ) {
        let Some(doc) = self.files.get(file).map(|e| e.doc.clone()) else {
            return;
        };
        let doc = &*doc;
        let parameters = doc
            .members(doc.get(template, "parameters").unwrap_or(template))
            .iter()
            .filter(|_| !outer)
            .map(|m| Parameter {
                name: Rc::clone(&m.key),
                ty: doc
                    .get(m.value, "type")
                    .and_then(|t| doc.as_str(t))
                    .map(Rc::from)
                    .unwrap_or_else(|| Rc::from("")),
                node: m.value,
                default: doc.get(m.value, "defaultValue"),
                value: ctx.parameter(&m.key),
                from_file: origins.get(&m.key.to_ascii_lowercase()).copied(),
            })
            .collect();
        let context = ctx.deployment().clone();
        let index = self.eval.deployments.len();
        let mut symbols = HashMap::new();
        if let Some(resources) = doc.get(template, "resources") {
            for m in doc.members(resources) {
                if let Some(id) = ctx.symbol_resource_id(&m.key) {
                    symbols.insert(m.key.to_ascii_lowercase(), id);
                }
            }
        }
        self.eval.deployments.push(Deployment {
            file,
            template,
            parent,
            resource,
            scope_id: ids::deployment_scope_id(&context),
            context,
            parameters,
            outputs: Obj::new(),
            outer,
            symbols,
        });
        if let Some(resources) = doc.get(template, "resources") {
            self.resources(doc, file, resources, None, ctx, index, depth);
        }
        if !outer {
            let mut outputs = Obj::new();
            for m in doc.members(doc.get(template, "outputs").unwrap_or(template)) {
                let value = doc
                    .get(m.value, "value")
                    .map(|v| expr::eval_node(doc, v, ctx))
                    .unwrap_or(Val::Null);
                let value = canonical_references(&value, ctx);
                let mut o = Obj::new();
                o.insert("value", value);
                outputs.insert(Rc::clone(&m.key), Val::object(o));
            }
            if let Some(d) = self.eval.deployments.get_mut(index) {
                d.outputs = outputs;
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn resource(
        &mut self,
        file: FileId,
        node: NodeId,
        symbol: Option<Rc<str>>,
        parent: Option<&ParentRef>,
        ctx: &dyn Context,
        deployment: usize,
        depth: usize,
    ) {
        let Some(doc) = self.files.get(file).map(|e| e.doc.clone()) else {
            return;
        };
        let doc = &*doc;
        if !matches!(doc.kind(node), Kind::Object(_)) {
            return;
        }
        // Child resources and nested deployments recurse: they count as
        // nesting, as evaluation does.
        let budget = Rc::clone(&self.budget);
        let Some(_nested) = budget.enter() else {
            budget.record_at(doc, doc.span(node));
            return;
        };
        let condition = doc
            .get(node, "condition")
            .map(|c| expr::eval_node(doc, c, ctx))
            .unwrap_or(Val::Bool(true));
        if condition == Val::Bool(false) {
            self.eval.skipped.push(Note {
                file,
                node,
                message: "its condition is false".into(),
            });
            return;
        }
        let copy = doc
            .get(node, "copy")
            .filter(|c| matches!(doc.kind(*c), Kind::Object(_)));
        let Some(copy) = copy else {
            self.instance(
                file, node, symbol, parent, ctx, deployment, depth, condition, None,
            );
            return;
        };
        let name: Rc<str> = doc
            .get(copy, "name")
            .and_then(|n| doc.as_str(n))
            .map(Rc::from)
            .unwrap_or_else(|| Rc::from(""));
        let count = doc
            .get(copy, "count")
            .map(|c| expr::eval_node(doc, c, ctx))
            .unwrap_or(Val::Int(0));
        let is_deployment = doc
            .get(node, "type")
            .and_then(|t| doc.as_str(t))
            .is_some_and(|t| t.eq_ignore_ascii_case("Microsoft.Resources/deployments"));
        match count.as_int() {
            Some(n) => {
                let n = usize::try_from(n).unwrap_or(0);
                if n == 0 {
                    self.eval.skipped.push(Note {
                        file,
                        node,
                        message: format!("copy loop '{name}' has no items"),
                    });
                }
                let cap = if is_deployment {
                    MAX_DEPLOYMENT_COPIES
                } else {
                    context::MAX_COPY
                };
                if n > cap {
                    self.eval.notes.push(Note {
                        file,
                        node: copy,
                        message: format!(
                            "copy loop '{name}' has {n} items; the first {cap} are checked"
                        ),
                    });
                }
                for i in 0..n.min(cap) {
                    if self.budget.exhausted() {
                        return;
                    }
                    let scope = LoopScope::resource(ctx, &name, Val::Int(i as i64));
                    let inst = CopyInstance {
                        name: name.clone(),
                        index: Some(i as i64),
                        count: count.clone(),
                    };
                    self.instance(
                        file,
                        node,
                        symbol.clone(),
                        parent,
                        &scope,
                        deployment,
                        depth,
                        condition.clone(),
                        Some(inst),
                    );
                }
            }
            None => {
                let index = Val::opaque(format!(
                    "copyIndex() of loop '{name}', whose count is not known"
                ));
                let scope = LoopScope::resource(ctx, &name, index);
                let inst = CopyInstance {
                    name: name.clone(),
                    index: None,
                    count: count.clone(),
                };
                self.instance(
                    file,
                    node,
                    symbol,
                    parent,
                    &scope,
                    deployment,
                    depth,
                    condition,
                    Some(inst),
                );
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn instance(
        &mut self,
        file: FileId,
        node: NodeId,
        symbol: Option<Rc<str>>,
        parent: Option<&ParentRef>,
        ctx: &dyn Context,
        deployment: usize,
        depth: usize,
        condition: Val,
        copy: Option<CopyInstance>,
    ) {
        let Some(doc) = self.files.get(file).map(|e| e.doc.clone()) else {
            return;
        };
        let doc = &*doc;
        if !self.budget.resource() {
            self.budget.record_at(doc, doc.span(node));
            return;
        }
        let d = ctx.deployment().clone();
        let ty_val = doc
            .get(node, "type")
            .map(|t| expr::eval_node(doc, t, ctx))
            .unwrap_or(Val::Null);
        let Some(written_ty) = ty_val.as_str() else {
            self.eval.skipped.push(Note {
                file,
                node,
                message: "its type is not known".into(),
            });
            return;
        };
        let mut name = doc
            .get(node, "name")
            .map(|n| expr::eval_node(doc, n, ctx))
            .unwrap_or(Val::Null);
        let mut ty: String = written_ty.to_string();
        if let Some(p) = parent
            && (!ty.contains('/')
                || !ty
                    .to_ascii_lowercase()
                    .starts_with(&p.ty.to_ascii_lowercase()))
        {
            ty = format!("{}/{}", p.ty, ty);
            name = ids::concat(&[p.name.clone(), Val::str("/"), name]);
        }
        let existing = doc
            .get(node, "existing")
            .map(|e| expr::eval_node(doc, e, ctx))
            .is_some_and(|e| e == Val::Bool(true));

        let mut scope = None;
        let mut scope_node = None;
        // Legacy extension type: `Microsoft.Compute/virtualMachines/providers/roleAssignments`
        // named `vm/Microsoft.Authorization/guid`.
        if let Some((base, ext)) = split_providers(&ty) {
            let base_depth = base.split('/').count().saturating_sub(1);
            if let Some(segs) = ids::segments(&name) {
                let items = segs.items;
                if items.len() > base_depth {
                    let (base_names, rest) = items.split_at(base_depth);
                    let ns = rest
                        .first()
                        .and_then(Val::as_str)
                        .unwrap_or_default()
                        .to_string();
                    let ext_names = rest.get(1..).unwrap_or_default();
                    let joined_base = join_segments(base_names);
                    scope = Some(ids::build_resource_id(
                        &ids::deployment_scope_id(&d),
                        &base,
                        &joined_base,
                    ));
                    scope_node = doc.get(node, "name");
                    // The extension's namespace is written in the name
                    // (`vm/Microsoft.Authorization/guid`), its type after
                    // `/providers/` (`roleAssignments`).
                    ty = if ns.is_empty() || ext.contains('.') {
                        ext.clone()
                    } else {
                        format!("{ns}/{ext}")
                    };
                    name = join_segments(ext_names);
                }
            }
        }
        if let Some(s) = doc.get(node, "scope") {
            let v = expr::eval_node(doc, s, ctx);
            scope = Some(absolute_scope(&canonical_references(&v, ctx), &d));
            scope_node = Some(s);
        }
        let id = ids::build_resource_id(
            &scope
                .clone()
                .or_else(|| context::property_scope(doc, node, ctx))
                .unwrap_or_else(|| ids::deployment_scope_id(&d)),
            &ty,
            &name,
        );
        let is_deployment = ty.eq_ignore_ascii_case("Microsoft.Resources/deployments");

        let mut body = Obj::new();
        for m in doc.members(node) {
            let k = &*m.key;
            if ["resources", "copy", "condition", "type", "name", "scope"]
                .iter()
                .any(|s| k.eq_ignore_ascii_case(s))
            {
                continue;
            }
            let v = if is_deployment && k.eq_ignore_ascii_case("properties") {
                let mut props = Obj::new();
                for pm in doc.members(m.value) {
                    if pm.key.eq_ignore_ascii_case("template") {
                        continue;
                    }
                    props.insert(Rc::clone(&pm.key), expr::eval_node(doc, pm.value, ctx));
                }
                Val::object(props)
            } else {
                expr::eval_node(doc, m.value, ctx)
            };
            body.insert(k, canonical_references(&v, ctx));
        }
        body.insert("type", Val::str(ty.as_str()));
        body.insert("name", name.clone());

        let user_assigned = doc
            .get_path(node, &["identity", "userAssignedIdentities"])
            .map(|uai| {
                doc.members(uai)
                    .iter()
                    .map(|m| {
                        let key = expr::eval_key(&m.key, ctx);
                        (canonical_references(&key, ctx), m.key_span)
                    })
                    .collect()
            })
            .unwrap_or_default();

        let ty: Rc<str> = Rc::from(ty.as_str());
        let index = self.eval.resources.len();
        self.eval.resources.push(Resource {
            file,
            node,
            deployment,
            symbolic_name: symbol,
            ty: ty.clone(),
            name: name.clone(),
            id,
            scope,
            scope_node,
            existing,
            condition,
            copy,
            body: Val::object(body),
            user_assigned,
            incomplete: doc.is_incomplete(node),
        });

        if self.budget.exhausted() {
            return;
        }
        if is_deployment && !existing {
            self.nested(file, node, ctx, deployment, index, depth);
        }

        // Child resources.
        if let Some(children) = doc.get(node, "resources") {
            let me = ParentRef {
                ty: ty.clone(),
                name: name.clone(),
            };
            self.resources(doc, file, children, Some(&me), ctx, deployment, depth);
        }
    }

    /// Walks a `resources` collection: an array (the classic form) or an
    /// object keyed by symbolic name (`languageVersion` 2.0), of a
    /// deployment's template or, with `parent`, of a resource's children.
    #[allow(clippy::too_many_arguments)]
    fn resources(
        &mut self,
        doc: &Document,
        file: FileId,
        collection: NodeId,
        parent: Option<&ParentRef>,
        ctx: &dyn Context,
        deployment: usize,
        depth: usize,
    ) {
        match doc.kind(collection) {
            Kind::Array(items) => {
                for item in items.iter() {
                    if self.budget.exhausted() {
                        return;
                    }
                    self.resource(file, *item, None, parent, ctx, deployment, depth);
                }
            }
            Kind::Object(members) => {
                for m in members.iter() {
                    if self.budget.exhausted() {
                        return;
                    }
                    let symbol = Some(Rc::clone(&m.key));
                    self.resource(file, m.value, symbol, parent, ctx, deployment, depth);
                }
            }
            _ => {}
        }
    }

    /// A `Microsoft.Resources/deployments` resource: its template, evaluated
    /// in its own deployment.
    fn nested(
        &mut self,
        file: FileId,
        node: NodeId,
        ctx: &dyn Context,
        parent: usize,
        resource: usize,
        depth: usize,
    ) {
        let Some(doc) = self.files.get(file).map(|e| e.doc.clone()) else {
            return;
        };
        let doc = &*doc;
        if depth >= MAX_DEPLOYMENT_DEPTH {
            self.eval.notes.push(Note {
                file,
                node,
                message: format!(
                    "nested deployments deeper than {MAX_DEPLOYMENT_DEPTH} levels are not followed"
                ),
            });
            return;
        }
        let Some(props) = doc.get(node, "properties") else {
            return;
        };
        if !self.budget.deployment() {
            self.budget.record_at(doc, doc.span(node));
            return;
        }
        // The template: inline, or linked by a relative path we have.
        let (tfile, tnode) = if let Some(view) = doc
            .get(props, "template")
            .and_then(|t| self.files.views.get(&(file, t)))
        {
            match self.files.get(*view) {
                Some(e) => (*view, e.doc.root()),
                None => return,
            }
        } else if let Some(t) = doc.get(props, "template") {
            (file, t)
        } else if let Some(rel) = doc
            .get_path(props, &["templateLink", "relativePath"])
            .and_then(|r| doc.as_str(r))
        {
            match self.files.links.get(&(file, rel.to_string())) {
                Some(linked) => match self.files.get(*linked) {
                    Some(e) => (*linked, e.doc.root()),
                    None => return,
                },
                None => {
                    self.eval.notes.push(Note {
                        file,
                        node,
                        message: format!(
                            "linked template '{rel}' is not at hand; its resources are not checked"
                        ),
                    });
                    return;
                }
            }
        } else {
            if doc.get(props, "templateLink").is_some() {
                self.eval.notes.push(Note {
                    file,
                    node,
                    message: "a template linked by URI is not checked".into(),
                });
            }
            return;
        };
        let Some(tdoc) = self.files.get(tfile).map(|e| e.doc.clone()) else {
            return;
        };
        let tdoc = &*tdoc;
        // A linked template (even one that links to itself) and a template
        // from a variable have their own scope; an inline one only when
        // it asks for it.
        let inline = tfile == file && doc.get(props, "template").is_some_and(|t| t == tnode);
        let inner = !inline
            || doc
                .get_path(props, &["expressionEvaluationOptions", "scope"])
                .map(|s| expr::eval_node(doc, s, ctx))
                .and_then(|s| s.as_str().map(|s| s.eq_ignore_ascii_case("inner")))
                .unwrap_or(false);

        let parent_ctx = ctx.deployment();
        let mut dctx = parent_ctx.clone();
        let sub = doc
            .get(node, "subscriptionId")
            .map(|n| expr::eval_node(doc, n, ctx));
        let rg = doc
            .get(node, "resourceGroup")
            .map(|n| expr::eval_node(doc, n, ctx));
        let scope_prop = doc.get(node, "scope").map(|n| expr::eval_node(doc, n, ctx));
        if let Some(s) = &sub {
            dctx.subscription_id = s.clone();
        }
        if let Some(r) = &rg {
            dctx.resource_group = r.clone();
        }
        if let Some(name) = doc.get(node, "name").map(|n| expr::eval_node(doc, n, ctx)) {
            dctx.deployment_name = name;
        }
        let schema_scope = tdoc
            .get(tnode, "$schema")
            .and_then(|s| tdoc.as_str(s))
            .and_then(scope_from_schema);
        dctx.scope = schema_scope.unwrap_or(if rg.is_some() {
            TargetScope::ResourceGroup
        } else if sub.is_some() && parent_ctx.scope != TargetScope::ResourceGroup {
            TargetScope::Subscription
        } else {
            parent_ctx.scope
        });
        if let Some(s) = &scope_prop {
            if let Some(info) = ids::parse_resource_id(&absolute_scope(s, parent_ctx)) {
                if let Some(mg) = info.management_group {
                    dctx.management_group = mg;
                }
            } else if let Some(mg) = ids::segments(s).and_then(|seg| {
                let items = seg.items;
                let i = items.iter().position(|v| {
                    v.as_str()
                        .is_some_and(|s| s.eq_ignore_ascii_case("managementGroups"))
                })?;
                items.get(i + 1).cloned()
            }) {
                dctx.management_group = mg;
            }
        }

        if inner {
            let mut supplied = HashMap::new();
            if let Some(params) = doc.get(props, "parameters") {
                for m in doc.members(params) {
                    let key = m.key.to_ascii_lowercase();
                    if let Some(v) = doc.get(m.value, "value") {
                        let v = canonical_references(&expr::eval_node(doc, v, ctx), ctx);
                        supplied.insert(key, Supplied::Value(v));
                    } else if doc.get(m.value, "reference").is_some() {
                        supplied.insert(key, Supplied::KeyVault);
                    }
                }
            }
            // An inner-scope deployment is a function of its template, its
            // parameters and its deployment context: one identical to a
            // deployment already evaluated (in ARM, the same deployment
            // again) is recorded as a copy of it, not walked again. This
            // also ends a template that deploys itself.
            let key = nested_key(tfile, tnode, &supplied, &dctx);
            if let Some(&earlier) = key.as_ref().and_then(|k| self.evaluated.get(k)) {
                self.alias(earlier, parent, resource);
                return;
            }
            if let Some(key) = key {
                self.evaluated.insert(key, self.eval.deployments.len());
            }
            let scope = TemplateScope::new(
                tdoc,
                tnode,
                supplied,
                dctx,
                Rc::clone(&self.exprs),
                Rc::clone(&self.budget),
            );
            self.deployment(
                tfile,
                tnode,
                &scope,
                Some(parent),
                Some(resource),
                false,
                &HashMap::new(),
                depth + 1,
            );
        } else {
            let scoped = Rescoped {
                parent: ctx,
                deployment: dctx,
            };
            self.deployment(
                tfile,
                tnode,
                &scoped,
                Some(parent),
                Some(resource),
                true,
                &HashMap::new(),
                depth + 1,
            );
        }
    }
}

impl Walker<'_, '_> {
    /// Records a nested deployment identical to deployment `earlier`: its
    /// parameters, outputs and symbols, no resources of its own (they are
    /// `earlier`'s).
    fn alias(&mut self, earlier: usize, parent: usize, resource: usize) {
        let Some(d) = self.eval.deployments.get(earlier) else {
            return;
        };
        let copy = Deployment {
            file: d.file,
            template: d.template,
            parent: Some(parent),
            resource: Some(resource),
            context: d.context.clone(),
            scope_id: d.scope_id.clone(),
            parameters: d.parameters.clone(),
            outputs: d.outputs.clone(),
            outer: d.outer,
            symbols: d.symbols.clone(),
        };
        self.eval.deployments.push(copy);
    }
}

/// What an inner-scope nested deployment's evaluation depends on, as text:
/// the template, the parameters passed (as JSON, unknowns as what they
/// stand for) and the deployment context. `None` (no memo) when a value is
/// too heavy to render.
fn nested_key(
    file: FileId,
    template: NodeId,
    supplied: &HashMap<String, Supplied>,
    d: &DeploymentContext,
) -> Option<String> {
    use std::fmt::Write as _;
    let mut key = format!("{file}:{}:{}", template.0, d.scope.as_str());
    let val = |key: &mut String, v: &Val| -> Option<()> {
        if v.weight() > MEMO_VALUE_MAX {
            return None;
        }
        let _ = write!(key, "\u{0}{}", v.to_json_lossy());
        Some(())
    };
    for v in [
        &d.subscription_id,
        &d.resource_group,
        &d.management_group,
        &d.tenant_id,
        &d.deployment_name,
        &d.location,
    ] {
        val(&mut key, v)?;
    }
    let mut params: Vec<(&String, &Supplied)> = supplied.iter().collect();
    params.sort_by(|a, b| a.0.cmp(b.0));
    for (name, s) in params {
        let _ = write!(key, "\u{0}{name}=");
        match s {
            Supplied::Value(v) => val(&mut key, v)?,
            Supplied::KeyVault => key.push_str("keyvault"),
        }
    }
    Some(key)
}

/// An outer-scope nested template: the parent's parameters and variables,
/// its own deployment target.
struct Rescoped<'a> {
    parent: &'a dyn Context,
    deployment: DeploymentContext,
}

impl Context for Rescoped<'_> {
    fn parameter(&self, name: &str) -> Val {
        self.parent.parameter(name)
    }
    fn variable(&self, name: &str) -> Val {
        self.parent.variable(name)
    }
    fn copy_index(&self, loop_name: Option<&str>) -> Option<Val> {
        self.parent.copy_index(loop_name)
    }
    fn user_function(&self, namespace: &str, name: &str) -> Option<expr::UserFunction> {
        self.parent.user_function(namespace, name)
    }
    fn deployment(&self) -> &DeploymentContext {
        &self.deployment
    }
    fn symbol_resource_id(&self, symbol: &str) -> Option<Val> {
        self.parent.symbol_resource_id(symbol)
    }
    fn parsed_expression(&self, s: &Rc<str>) -> Option<Rc<Result<expr::Expr, expr::ExprError>>> {
        self.parent.parsed_expression(s)
    }
    fn budget(&self) -> Option<&crate::budget::Budget> {
        self.parent.budget()
    }
}

/// `A/B/providers/C/D` → (`A/B`, `C/D`).
fn split_providers(ty: &str) -> Option<(String, String)> {
    let lower = ty.to_ascii_lowercase();
    let i = lower.find("/providers/")?;
    let base = ty.get(..i)?.to_string();
    let ext = ty.get(i + "/providers/".len()..)?.to_string();
    Some((base, ext))
}

fn join_segments(items: &[Val]) -> Val {
    let mut pieces = Vec::new();
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            pieces.push(Val::str("/"));
        }
        pieces.push(v.clone());
    }
    ids::concat(&pieces)
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
