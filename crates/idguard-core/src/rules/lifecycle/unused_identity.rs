use crate::model::{Model, Principal};
use crate::rules::{Rule, RuleContext};
use crate::template::ids;

declare_rule! {
    /// ## What it does
    /// Flags a user-assigned identity that the deployment declares but
    /// neither attaches to a resource nor grants a role (nor names in an
    /// access policy, nor hands out through an output for another deployment
    /// to use).
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

/// Whether a deployment output hands the identity on (its ID, name,
/// principal or client ID).
fn is_output(model: &Model<'_>, resource: usize) -> bool {
    let Some(r) = model.resource(resource) else {
        return false;
    };
    let Some(info) = ids::parse_resource_id(&r.id) else {
        return false;
    };
    let Some(d) = model.eval.deployments.get(r.deployment) else {
        return false;
    };
    let name = r.name.display().to_ascii_lowercase();
    d.outputs.iter().any(|(_, o)| {
        let v = o.get("value").cloned().unwrap_or(crate::expr::Val::Null);
        if let Some((target, _)) = v.as_unknown().and_then(|u| u.reference_property())
            && ids::parse_resource_id(target).is_some_and(|t| ids::same_resource(&t, &info))
        {
            return true;
        }
        if ids::parse_resource_id(&v).is_some_and(|t| ids::same_resource(&t, &info)) {
            return true;
        }
        !name.is_empty() && v.display().to_ascii_lowercase() == name
    })
}

impl Rule for UnusedIdentity {
    fn check(&self, ctx: &mut RuleContext<'_, '_>) {
        let model = ctx.model;
        for (i, identity) in model.identities.iter().enumerate() {
            if identity.existing {
                continue;
            }
            let used = model.workloads_of(i).next().is_some()
                || model.assignments_of(i).next().is_some()
                || model.principal_uses.iter().any(
                    |u| matches!(u.principal, Principal::Identity { identity: j, .. } if j == i),
                )
                || is_output(model, identity.resource);
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
                    "identity '{}' is declared but never attached to a resource or granted a role",
                    model.display_name(identity.resource)
                ),
                "attach the identity to the workload that needs it and grant its roles, or remove it",
            );
        }
    }
}
