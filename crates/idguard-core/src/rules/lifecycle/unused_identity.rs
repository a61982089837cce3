use std::collections::{HashMap, HashSet};

use crate::expr::Val;
use crate::model::{Model, Principal};
use crate::rules::{Rule, RuleContext};
use crate::template::ids;

declare_rule! {
    /// ## What it does
    /// Flags a user-assigned identity that the deployment declares but
    /// neither attaches to a resource nor grants a role (nor names in an
    /// access policy, nor hands out through an output for another deployment
    /// to use, nor trusts an outside workload with through a federated
    /// credential).
    ///
    /// ## Why is this bad?
    /// An identity nobody uses is at best clutter, and at worst a leftover
    /// that still holds role assignments made elsewhere — a credential with
    /// permissions and no owner. It also suggests a wiring mistake: the
    /// workload may be running on another identity than intended.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
    ///   "apiVersion": "2023-01-31",
    ///   "name": "id-reports-prod"
    /// }
    /// ```
    /// with no workload using it. Use it (attach it, grant it its roles) or
    /// remove it.
    ///
    /// ## Fix
    /// Attach the identity to the workload that needs it and grant it its
    /// roles, or delete it.
    pub struct UnusedIdentity {
        level: Info,
        summary: "a user-assigned identity is declared but neither attached nor granted any role",
    }
}

/// What the deployments' outputs hand on, gathered once per check so
/// that looking every identity up stays linear: the resource IDs they
/// carry (directly or as a reference target), keyed by deployment, type
/// and last name, and their renderings.
#[derive(Default)]
struct Handed {
    ids: HashMap<(usize, String, String), Vec<ids::ResourceIdInfo>>,
    renderings: HashSet<(usize, String)>,
}

impl Handed {
    fn new(model: &Model<'_>) -> Self {
        let mut handed = Handed::default();
        for (d, deployment) in model.eval.deployments.iter().enumerate() {
            for (_, o) in deployment.outputs.iter() {
                let v = o.get("value").cloned().unwrap_or(Val::Null);
                let target = v
                    .as_unknown()
                    .and_then(|u| u.reference_property())
                    .and_then(|(target, _)| ids::parse_resource_id(target));
                for info in target.into_iter().chain(ids::parse_resource_id(&v)) {
                    let Some(ty) = info.resource_type.as_ref().map(|t| t.to_ascii_lowercase())
                    else {
                        continue;
                    };
                    let key = (d, ty, ids::name_key(info.names.last()));
                    handed.ids.entry(key).or_default().push(info);
                }
                handed
                    .renderings
                    .insert((d, v.display().to_ascii_lowercase()));
            }
        }
        handed
    }

    /// Whether a deployment output hands the identity on (its ID, name,
    /// principal or client ID).
    fn hands_on(&self, model: &Model<'_>, resource: usize) -> bool {
        let Some(r) = model.resource(resource) else {
            return false;
        };
        let Some(info) = ids::parse_resource_id(&r.id) else {
            return false;
        };
        if let Some(ty) = info.resource_type.as_ref()
            && let Some(targets) = self.ids.get(&(
                r.deployment,
                ty.to_ascii_lowercase(),
                ids::name_key(info.names.last()),
            ))
            && targets.iter().any(|t| ids::same_resource(t, &info))
        {
            return true;
        }
        let name = r.name.display().to_ascii_lowercase();
        !name.is_empty() && self.renderings.contains(&(r.deployment, name))
    }
}

impl Rule for UnusedIdentity {
    fn check(&self, ctx: &mut RuleContext<'_, '_>) {
        let model = ctx.model;
        // Built on first need: most templates declare no identity, or
        // attach every one they declare.
        let mut handed: Option<Handed> = None;
        for (i, identity) in model.identities.iter().enumerate() {
            if identity.existing {
                continue;
            }
            let used = model.workloads_of(i).next().is_some()
                || model.assignments_of(i).next().is_some()
                || model.principal_uses.iter().any(
                    |u| matches!(u.principal, Principal::Identity { identity: j, .. } if j == i),
                )
                || handed
                    .get_or_insert_with(|| Handed::new(model))
                    .hands_on(model, identity.resource)
                // A federated credential hands it to a workload outside
                // Azure (a CI pipeline, a cluster).
                || model
                    .federated_credentials
                    .iter()
                    .any(|c| c.identity == Some(i));
            if used {
                continue;
            }
            let Some(loc) = model.locate(identity.resource, &["type"]) else {
                continue;
            };
            ctx.report(
                loc,
                Some(identity.resource),
                format!(
                    "{} is declared but never attached to a resource or granted a role",
                    crate::rules::words::named(model, identity.resource, "identity")
                ),
                "attach the identity to the workload that needs it and grant its roles, or remove it",
            );
        }
    }
}
