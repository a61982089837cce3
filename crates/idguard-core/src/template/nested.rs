//! A `Microsoft.Resources/deployments` resource: the template it deploys
//! (inline, from a variable, or linked by a relative path), the deployment
//! context it runs in (its own subscription, resource group or management
//! group), and its evaluation with inner or outer expression scope. An
//! inner-scope deployment identical to one already evaluated is recorded
//! as a copy of it rather than walked again.

use std::collections::HashMap;
use std::rc::Rc;

use crate::expr::{self, Context, DeploymentContext, TargetScope, Val};
use crate::source::{Document, NodeId};

use super::walk::{Frame, NewDeployment, Walker};
use super::{
    Deployment, FileId, MAX_DEPLOYMENT_DEPTH, Note, Supplied, TemplateScope, absolute_scope,
    canonical_references, ids, scope_from_schema,
};

/// Heaviest value (see [`Val::weight`]) a memo key of a nested deployment
/// renders; a deployment given a heavier parameter is evaluated every
/// time (and pays for it).
const MEMO_VALUE_MAX: u64 = 64 << 10;

impl Walker<'_, '_> {
    /// The deployment resource `node` (resource `resource` of
    /// `frame.deployment`): its template, evaluated in its own deployment.
    pub(super) fn nested(&mut self, frame: &Frame<'_>, node: NodeId, resource: usize) {
        let (file, ctx) = (frame.file, frame.ctx);
        let Some(doc) = self.doc(file) else {
            return;
        };
        let doc = &*doc;
        if frame.depth >= MAX_DEPLOYMENT_DEPTH {
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
        let Some((tfile, tnode)) = self.nested_template(file, doc, node, props, ctx) else {
            return;
        };
        let Some(tdoc) = self.doc(tfile) else {
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
        let dctx = nested_context(doc, node, ctx, tdoc, tnode);
        let created_by = Some((frame.deployment, resource));
        let no_origins = HashMap::new();
        if !inner {
            let scoped = Rescoped {
                parent: ctx,
                deployment: dctx,
            };
            self.deployment(&NewDeployment {
                file: tfile,
                template: tnode,
                ctx: &scoped,
                created_by,
                outer: true,
                origins: &no_origins,
                depth: frame.depth + 1,
            });
            return;
        }
        let supplied = supplied_parameters(doc, props, ctx);
        // An inner-scope deployment is a function of its template, its
        // parameters and its deployment context: one identical to a
        // deployment already evaluated (in ARM, the same deployment again)
        // is recorded as a copy of it, not walked again. This also ends a
        // template that deploys itself.
        let key = nested_key(tfile, tnode, &supplied, &dctx);
        if let Some(&earlier) = key.as_ref().and_then(|k| self.evaluated.get(k)) {
            self.alias(earlier, frame.deployment, resource);
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
        self.deployment(&NewDeployment {
            file: tfile,
            template: tnode,
            ctx: &scope,
            created_by,
            outer: false,
            origins: &no_origins,
            depth: frame.depth + 1,
        });
    }

    /// The file and node of the template a deployment resource deploys:
    /// its view when the template comes from a variable, the inline
    /// `template`, or the linked file of `templateLink.relativePath` (or of
    /// a `templateLink.uri` that is `uri(deployment().properties
    /// .templateLink.uri, '<path>')`, a file beside this template) when it
    /// is at hand. `None` (with a note when worth telling) otherwise.
    fn nested_template(
        &mut self,
        file: FileId,
        doc: &Document,
        node: NodeId,
        props: NodeId,
        ctx: &dyn expr::Context,
    ) -> Option<(FileId, NodeId)> {
        if let Some(view) = doc
            .get(props, "template")
            .and_then(|t| self.files.views.get(&(file, t)))
        {
            return self.files.get(*view).map(|e| (*view, e.doc.root()));
        }
        if let Some(t) = doc.get(props, "template") {
            return Some((file, t));
        }
        if let Some(rel) = doc
            .get_path(props, &["templateLink", "relativePath"])
            .and_then(|r| doc.as_str(r))
        {
            return self.linked_template(file, node, rel, "");
        }
        if let Some(uri) = doc.get_path(props, &["templateLink", "uri"]) {
            let uri = expr::eval_node(doc, uri, ctx);
            if let Some(rel) = expr::linked_path(&uri) {
                return self.linked_template(
                    file,
                    node,
                    rel,
                    " (beside this template, by templateLink.uri)",
                );
            }
        }
        if doc.get(props, "templateLink").is_some() {
            self.eval.notes.push(Note {
                file,
                node,
                message: "a template linked by URI is not checked".into(),
            });
        }
        None
    }

    /// The root of the file `file` links as `rel`, or `None` with a note
    /// at `node` when the host did not give it (`how` says how it was
    /// linked, for the note).
    fn linked_template(
        &mut self,
        file: FileId,
        node: NodeId,
        rel: &str,
        how: &str,
    ) -> Option<(FileId, NodeId)> {
        let Some(&linked) = self.files.links.get(&(file, rel.to_string())) else {
            self.eval.notes.push(Note {
                file,
                node,
                message: format!(
                    "linked template '{rel}'{how} is not at hand; its resources are not checked"
                ),
            });
            return None;
        };
        self.files.get(linked).map(|e| (linked, e.doc.root()))
    }

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

/// The deployment context of the deployment resource `node`, deploying
/// template `tnode` of `tdoc`: the parent's, with the subscription,
/// resource group, name and management group it names, at the scope its
/// template's `$schema` (or else what it names) gives. A management group
/// named by the deployment's `scope` wins over the `$schema`: ARM deploys
/// there, and Enterprise-Scale deploys templates whose `$schema` says
/// tenant at management groups that way.
fn nested_context(
    doc: &Document,
    node: NodeId,
    ctx: &dyn Context,
    tdoc: &Document,
    tnode: NodeId,
) -> DeploymentContext {
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
                if info.level == crate::vocab::ScopeLevel::ManagementGroup && rg.is_none() {
                    dctx.scope = TargetScope::ManagementGroup;
                }
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
            if rg.is_none() && sub.is_none() {
                dctx.scope = TargetScope::ManagementGroup;
            }
        }
    }
    dctx
}

/// The parameters a deployment resource passes to its inner-scope
/// template: values evaluated in the caller, Key Vault references as
/// [`Supplied::KeyVault`].
fn supplied_parameters(
    doc: &Document,
    props: NodeId,
    ctx: &dyn Context,
) -> HashMap<String, Supplied> {
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
    supplied
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
