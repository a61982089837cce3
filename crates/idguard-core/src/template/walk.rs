//! The walk of a deployment: its parameters, its resources (both forms of
//! `resources`, child resources, conditions and `copy` loops) and its
//! outputs. One resource instance is built in [`super::instance`]; a
//! nested deployment is entered in [`super::nested`].
//!
//! The walk carries its position in a [`Frame`] (file, expression context,
//! deployment, depth) and a resource as written in a [`Declared`], instead
//! of passing them as loose arguments.

use std::collections::HashMap;
use std::rc::Rc;

use crate::budget::Budget;
use crate::expr::{self, Context, LoopScope, Obj, Val};
use crate::source::{Document, Kind, NodeId};

use super::{
    CopyInstance, Deployment, Evaluation, FileId, Files, MAX_DEPLOYMENT_COPIES, Note, Parameter,
    canonical_references, context, ids,
};

/// The state of one evaluation's walk.
pub(super) struct Walker<'f, 'e> {
    pub(super) files: &'f Files,
    pub(super) eval: &'e mut Evaluation,
    /// The evaluation's cache of parsed expressions.
    pub(super) exprs: Rc<expr::ExprCache>,
    pub(super) budget: Rc<Budget>,
    /// Inner-scope nested deployments already evaluated (or being
    /// evaluated), by what their evaluation depends on: see
    /// [`super::nested`].
    pub(super) evaluated: HashMap<String, usize>,
}

/// Where the walk stands: the file being walked, the context its
/// expressions are evaluated in, the deployment (index in
/// [`Evaluation::deployments`]) its resources belong to, and how many
/// nested deployments deep it is.
#[derive(Clone, Copy)]
pub(super) struct Frame<'c> {
    pub(super) file: FileId,
    pub(super) ctx: &'c dyn Context,
    pub(super) deployment: usize,
    pub(super) depth: usize,
}

impl Frame<'_> {
    /// The same position with the expressions evaluated in `ctx` (a copy
    /// loop's iteration).
    fn within<'d>(&self, ctx: &'d dyn Context) -> Frame<'d> {
        Frame {
            file: self.file,
            ctx,
            deployment: self.deployment,
            depth: self.depth,
        }
    }
}

/// A resource as written: its object, its symbolic name (for the object
/// form of `resources`) and the resource it is nested in, if any.
#[derive(Clone)]
pub(super) struct Declared<'p> {
    pub(super) node: NodeId,
    pub(super) symbol: Option<Rc<str>>,
    pub(super) parent: Option<&'p ParentRef>,
}

/// A parent resource, for flattening nested children.
pub(super) struct ParentRef {
    pub(super) ty: Rc<str>,
    pub(super) name: Val,
}

/// A deployment about to be walked.
pub(super) struct NewDeployment<'c, 'o> {
    pub(super) file: FileId,
    /// The template object.
    pub(super) template: NodeId,
    pub(super) ctx: &'c dyn Context,
    /// The deployment and the `Microsoft.Resources/deployments` resource
    /// that create it; `None` for the root deployment.
    pub(super) created_by: Option<(usize, usize)>,
    /// Whether its expressions see the parent's parameters.
    pub(super) outer: bool,
    /// Where parameter values came from in a parameter file, by lowercase
    /// name (the root deployment only).
    pub(super) origins: &'o HashMap<String, (FileId, NodeId)>,
    pub(super) depth: usize,
}

impl<'f, 'e> Walker<'f, 'e> {
    pub(super) fn new(
        files: &'f Files,
        eval: &'e mut Evaluation,
        exprs: Rc<expr::ExprCache>,
        budget: Rc<Budget>,
    ) -> Self {
        Self {
            files,
            eval,
            exprs,
            budget,
            evaluated: HashMap::new(),
        }
    }

    /// The document of `file`, shared (the walk holds it while it mutates
    /// the evaluation).
    pub(super) fn doc(&self, file: FileId) -> Option<Rc<Document>> {
        self.files.get(file).map(|e| e.doc.clone())
    }

    /// Records a deployment, walks its resources and evaluates its outputs.
    pub(super) fn deployment(&mut self, new: &NewDeployment<'_, '_>) {
        let Some(doc) = self.doc(new.file) else {
            return;
        };
        let doc = &*doc;
        let (template, ctx) = (new.template, new.ctx);
        let index = self.eval.deployments.len();
        let context = ctx.deployment().clone();
        self.eval.deployments.push(Deployment {
            file: new.file,
            template,
            parent: new.created_by.map(|(d, _)| d),
            resource: new.created_by.map(|(_, r)| r),
            scope_id: ids::deployment_scope_id(&context),
            context,
            parameters: if new.outer {
                Vec::new()
            } else {
                parameters(doc, template, ctx, new.origins)
            },
            outputs: Obj::new(),
            outer: new.outer,
            symbols: symbols(doc, template, ctx),
        });
        let frame = Frame {
            file: new.file,
            ctx,
            deployment: index,
            depth: new.depth,
        };
        if let Some(resources) = doc.get(template, "resources") {
            self.resources(&frame, doc, resources, None);
        }
        if !new.outer {
            let outputs = outputs(doc, template, ctx);
            if let Some(d) = self.eval.deployments.get_mut(index) {
                d.outputs = outputs;
            }
        }
    }

    /// Walks a `resources` collection: an array (the classic form) or an
    /// object keyed by symbolic name (`languageVersion` 2.0), of a
    /// deployment's template or, with `parent`, of a resource's children.
    pub(super) fn resources(
        &mut self,
        frame: &Frame<'_>,
        doc: &Document,
        collection: NodeId,
        parent: Option<&ParentRef>,
    ) {
        let declared: Vec<Declared<'_>> = match doc.kind(collection) {
            Kind::Array(items) => items
                .iter()
                .map(|item| Declared {
                    node: *item,
                    symbol: None,
                    parent,
                })
                .collect(),
            Kind::Object(members) => members
                .iter()
                .map(|m| Declared {
                    node: m.value,
                    symbol: Some(Rc::clone(&m.key)),
                    parent,
                })
                .collect(),
            _ => return,
        };
        for d in &declared {
            if self.budget.exhausted() {
                return;
            }
            self.resource(frame, d);
        }
    }

    /// One resource declaration: its condition, then one instance, or one
    /// per iteration of its `copy` loop.
    fn resource(&mut self, frame: &Frame<'_>, declared: &Declared<'_>) {
        let Some(doc) = self.doc(frame.file) else {
            return;
        };
        let doc = &*doc;
        let (node, ctx) = (declared.node, frame.ctx);
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
                file: frame.file,
                node,
                message: "its condition is false".into(),
            });
            return;
        }
        let copy = doc
            .get(node, "copy")
            .filter(|c| matches!(doc.kind(*c), Kind::Object(_)));
        let Some(copy) = copy else {
            self.instance(frame, declared, condition, None);
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
        let Some(n) = count.as_int() else {
            // One symbolic instance stands for every iteration.
            let index = Val::opaque(format!(
                "copyIndex() of loop '{name}', whose count is not known"
            ));
            let scope = LoopScope::resource(ctx, &name, index);
            let inst = CopyInstance {
                name: name.clone(),
                index: None,
                count: count.clone(),
            };
            self.instance(&frame.within(&scope), declared, condition, Some(inst));
            return;
        };
        let n = usize::try_from(n).unwrap_or(0);
        if n == 0 {
            self.eval.skipped.push(Note {
                file: frame.file,
                node,
                message: format!("copy loop '{name}' has no items"),
            });
        }
        let is_deployment = doc
            .get(node, "type")
            .and_then(|t| doc.as_str(t))
            .is_some_and(|t| t.eq_ignore_ascii_case("Microsoft.Resources/deployments"));
        let cap = if is_deployment {
            MAX_DEPLOYMENT_COPIES
        } else {
            context::MAX_COPY
        };
        if n > cap {
            self.eval.notes.push(Note {
                file: frame.file,
                node: copy,
                message: format!("copy loop '{name}' has {n} items; the first {cap} are checked"),
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
                &frame.within(&scope),
                declared,
                condition.clone(),
                Some(inst),
            );
        }
    }
}

/// The declared parameters of `template` and what each evaluates to.
fn parameters(
    doc: &Document,
    template: NodeId,
    ctx: &dyn Context,
    origins: &HashMap<String, (FileId, NodeId)>,
) -> Vec<Parameter> {
    doc.members(doc.get(template, "parameters").unwrap_or(template))
        .iter()
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
        .collect()
}

/// Symbolic names (lowercase) of `template`'s resources → resource ID.
fn symbols(doc: &Document, template: NodeId, ctx: &dyn Context) -> HashMap<String, Val> {
    let mut symbols = HashMap::new();
    if let Some(resources) = doc.get(template, "resources") {
        for m in doc.members(resources) {
            if let Some(id) = ctx.symbol_resource_id(&m.key) {
                symbols.insert(m.key.to_ascii_lowercase(), id);
            }
        }
    }
    symbols
}

/// The evaluated `outputs` of `template`, each as `{"value": …}`.
fn outputs(doc: &Document, template: NodeId, ctx: &dyn Context) -> Obj {
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
    outputs
}
