//! One resource instance: its full type and name (flattened under its
//! parent, or split out of a legacy `…/providers/…` extension type), its
//! scope, its ID and its evaluated body; then its nested deployment and
//! its child resources.

use std::rc::Rc;

use crate::expr::{self, Context, DeploymentContext, Obj, Val};
use crate::source::{Document, NodeId, Span};

use super::walk::{Declared, Frame, ParentRef, Walker};
use super::{CopyInstance, Note, Resource, absolute_scope, canonical_references, context, ids};

/// An instance's type and name, and where it is deployed when not at its
/// deployment's scope: the absolute scope ID and the node it is written at.
struct Placed {
    ty: String,
    name: Val,
    scope: Option<Val>,
    scope_node: Option<NodeId>,
}

impl Walker<'_, '_> {
    /// Records one instance of a resource (one iteration of its copy loop,
    /// or the resource itself), then walks its nested deployment and its
    /// children.
    pub(super) fn instance(
        &mut self,
        frame: &Frame<'_>,
        declared: &Declared<'_>,
        condition: Val,
        copy: Option<CopyInstance>,
    ) {
        let Some(doc) = self.doc(frame.file) else {
            return;
        };
        let doc = &*doc;
        let (node, ctx) = (declared.node, frame.ctx);
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
                file: frame.file,
                node,
                message: "its type is not known".into(),
            });
            return;
        };
        let name = doc
            .get(node, "name")
            .map(|n| expr::eval_node(doc, n, ctx))
            .unwrap_or(Val::Null);
        let (ty, name) = under_parent(written_ty, name, declared.parent);
        let existing = doc
            .get(node, "existing")
            .map(|e| expr::eval_node(doc, e, ctx))
            .is_some_and(|e| e == Val::Bool(true));
        let mut placed = legacy_extension(doc, node, ty, name, &d);
        if let Some(s) = doc.get(node, "scope") {
            let v = expr::eval_node(doc, s, ctx);
            placed.scope = Some(absolute_scope(&canonical_references(&v, ctx), &d));
            placed.scope_node = Some(s);
        }
        let Placed {
            ty,
            name,
            scope,
            scope_node,
        } = placed;
        let id = ids::build_resource_id(
            &scope
                .clone()
                .or_else(|| context::property_scope(doc, node, ctx))
                .unwrap_or_else(|| ids::deployment_scope_id(&d)),
            &ty,
            &name,
        );
        let is_deployment = ty.eq_ignore_ascii_case("Microsoft.Resources/deployments");
        let mut body = body(doc, node, ctx, is_deployment);
        body.insert("type", Val::str(ty.as_str()));
        body.insert("name", name.clone());

        let ty: Rc<str> = Rc::from(ty.as_str());
        let index = self.eval.resources.len();
        self.eval.resources.push(Resource {
            file: frame.file,
            node,
            deployment: frame.deployment,
            symbolic_name: declared.symbol.clone(),
            ty: ty.clone(),
            name: name.clone(),
            id,
            scope,
            scope_node,
            existing,
            condition,
            copy,
            body: Val::object(body),
            user_assigned: user_assigned(doc, node, ctx),
            incomplete: doc.is_incomplete(node),
        });

        if self.budget.exhausted() {
            return;
        }
        if is_deployment && !existing {
            self.nested(frame, node, index);
        }
        if let Some(children) = doc.get(node, "resources") {
            let me = ParentRef { ty, name };
            self.resources(frame, doc, children, Some(&me));
        }
    }
}

/// The full type and name of a resource declared under `parent`: a child
/// written with a short type (`blobServices`, `default`) is the parent's
/// type and name extended.
fn under_parent(written_ty: &str, name: Val, parent: Option<&ParentRef>) -> (String, Val) {
    match parent {
        Some(p)
            if !written_ty.contains('/')
                || !written_ty
                    .to_ascii_lowercase()
                    .starts_with(&p.ty.to_ascii_lowercase()) =>
        {
            (
                format!("{}/{}", p.ty, written_ty),
                ids::concat(&[p.name.clone(), Val::str("/"), name]),
            )
        }
        _ => (written_ty.to_string(), name),
    }
}

/// A legacy extension type, `Microsoft.Compute/virtualMachines/providers/roleAssignments`
/// named `vm/Microsoft.Authorization/guid`, becomes the extension resource
/// (`Microsoft.Authorization/roleAssignments` named `guid`) scoped to the
/// base resource (the VM). Any other type is returned as it is.
fn legacy_extension(
    doc: &Document,
    node: NodeId,
    ty: String,
    name: Val,
    d: &DeploymentContext,
) -> Placed {
    let unchanged = |ty, name| Placed {
        ty,
        name,
        scope: None,
        scope_node: None,
    };
    let Some((base, ext)) = split_providers(&ty) else {
        return unchanged(ty, name);
    };
    let base_depth = base.split('/').count().saturating_sub(1);
    let Some(items) = ids::segments(&name).map(|s| s.items) else {
        return unchanged(ty, name);
    };
    if items.len() <= base_depth {
        return unchanged(ty, name);
    }
    let (base_names, rest) = items.split_at(base_depth);
    let ns = rest
        .first()
        .and_then(Val::as_str)
        .unwrap_or_default()
        .to_string();
    let ext_names = rest.get(1..).unwrap_or_default();
    let scope = ids::build_resource_id(
        &ids::deployment_scope_id(d),
        &base,
        &join_segments(base_names),
    );
    // The extension's namespace is written in the name
    // (`vm/Microsoft.Authorization/guid`), its type after `/providers/`
    // (`roleAssignments`).
    let ty = if ns.is_empty() || ext.contains('.') {
        ext
    } else {
        format!("{ns}/{ext}")
    };
    Placed {
        ty,
        name: join_segments(ext_names),
        scope: Some(scope),
        scope_node: doc.get(node, "name"),
    }
}

/// The evaluated resource object, without `resources`, `copy`,
/// `condition`, `type`, `name` and `scope`, and for a deployment without
/// `properties.template` (walked as a deployment of its own).
fn body(doc: &Document, node: NodeId, ctx: &dyn Context, is_deployment: bool) -> Obj {
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
    body
}

/// The keys of `identity.userAssignedIdentities`, evaluated, with where
/// each is written.
fn user_assigned(doc: &Document, node: NodeId, ctx: &dyn Context) -> Vec<(Val, Span)> {
    doc.get_path(node, &["identity", "userAssignedIdentities"])
        .map(|uai| {
            doc.members(uai)
                .iter()
                .map(|m| {
                    let key = expr::eval_key(&m.key, ctx);
                    (canonical_references(&key, ctx), m.key_span)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `A/B/providers/C/D` → (`A/B`, `C/D`).
fn split_providers(ty: &str) -> Option<(String, String)> {
    let lower = ty.to_ascii_lowercase();
    let i = lower.find("/providers/")?;
    let base = ty.get(..i)?.to_string();
    let ext = ty.get(i + "/providers/".len()..)?.to_string();
    Some((base, ext))
}

/// Name segments joined with `/` (known or not).
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
