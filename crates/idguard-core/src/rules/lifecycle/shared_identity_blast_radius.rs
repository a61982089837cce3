use std::collections::BTreeSet;

use crate::rules::{Rule, RuleContext};

declare_rule! {
    /// ## What it does
    /// Flags a user-assigned identity attached to more workloads than the
    /// policy allows (default: more than 5), or holding role assignments on
    /// more distinct scopes than it allows (default: more than 8).
    ///
    /// ## Why is this bad?
    /// Every workload that uses an identity holds all of its permissions,
    /// and every permission is available to all of its workloads. One shared
    /// identity turns a flaw in the least important app into access to
    /// everything the most important app can reach, and makes "what can this
    /// app do?" impossible to answer from the app's own definition.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Web/sites",
    ///   "name": "[format('app-{0}', variables('apps')[copyIndex()])]",
    ///   "copy": { "name": "apps", "count": 12 },
    ///   "identity": { "type": "UserAssigned", "userAssignedIdentities": { "[variables('sharedIdentityId')]": {} } }
    /// }
    /// ```
    /// Use instead one identity per workload (or per small group of workloads
    /// that truly need the same access).
    ///
    /// ## Fix
    /// Split the identity: give each workload its own identity with only the
    /// role assignments it needs. Raise the thresholds in the policy only
    /// for identities designed to be shared (a platform agent), with a reason.
    pub struct SharedIdentityBlastRadius {
        level: Warning,
        summary: "one user-assigned identity is attached to too many workloads or holds role assignments on too many scopes",
    }
}

impl Rule for SharedIdentityBlastRadius {
    fn check(&self, ctx: &mut RuleContext<'_, '_>) {
        let model = ctx.model;
        let max_workloads = ctx.policy.max_attached_workloads() as usize;
        let max_scopes = ctx.policy.max_role_assignment_scopes() as usize;
        for (i, identity) in model.identities.iter().enumerate() {
            let Some(loc) = model.locate(identity.resource, &["type"]) else {
                continue;
            };
            let name = crate::rules::words::named(model, identity.resource, "identity");
            let workloads: BTreeSet<usize> = model.workloads_of(i).map(|a| a.workload).collect();
            if workloads.len() > max_workloads {
                ctx.report(
                    loc,
                    Some(identity.resource),
                    format!(
                        "{name} is attached to {} workloads (the policy allows {max_workloads})",
                        workloads.len()
                    ),
                    "give each workload its own identity with only the roles it needs",
                );
            }
            let scopes: BTreeSet<String> = model
                .assignments_of(i)
                .map(|a| a.scope.display().to_ascii_lowercase())
                .collect();
            if scopes.len() > max_scopes {
                ctx.report(
                    loc,
                    Some(identity.resource),
                    format!(
                        "{name} holds role assignments on {} distinct scopes (the policy allows {max_scopes})",
                        scopes.len()
                    ),
                    "split the identity by workload so each holds only the access its workload needs",
                );
            }
        }
    }
}
