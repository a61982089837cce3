use std::collections::BTreeMap;

use crate::model::{Principal, Role};
use crate::rules::{Rule, RuleContext};

declare_rule! {
    /// ## What it does
    /// Flags groups of resources with system-assigned identities that all
    /// receive the same role on the same scope: N or more resources (policy
    /// threshold, default 3), or the instances of one copy loop.
    ///
    /// ## Why is this bad?
    /// N system-assigned identities with the same access are N principals to
    /// create (identity creation is rate-limited per subscription and
    /// replicates slowly), N role assignments to keep in step, and N entries
    /// in every access review — for one design decision. One user-assigned
    /// identity shared by the replicas needs one assignment and is created
    /// once, before the resources.
    ///
    /// ## Example
    /// Three function apps, each `"identity": {"type": "SystemAssigned"}`, and
    /// three role assignments giving each Key Vault Secrets User on the same
    /// vault. Use instead one user-assigned identity, attached to the three
    /// apps, with one role assignment:
    /// ```json
    /// "identity": { "type": "UserAssigned", "userAssignedIdentities": { "[variables('workerIdentityId')]": {} } }
    /// ```
    ///
    /// ## Fix
    /// Create a user-assigned identity for the replicated workload, attach it
    /// to every replica and move the role assignments to it.
    pub struct ReplicatedSystemAssigned {
        level: Info,
        summary: "several resources with system-assigned identities receive the same role assignments where one user-assigned identity would do",
    }
}

impl Rule for ReplicatedSystemAssigned {
    fn check(&self, ctx: &mut RuleContext<'_, '_>) {
        let model = ctx.model;
        let threshold = ctx.policy.replicated_system_assigned() as usize;
        // (role, scope) → resources whose system identity gets it.
        let mut groups: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
        for a in &model.role_assignments {
            let Principal::SystemAssigned { resource, .. } = a.principal else {
                continue;
            };
            let role = match &a.role {
                Role::Builtin(b) => b.id.to_string(),
                Role::OtherGuid(g) => g.clone(),
                Role::Custom(i) => format!("custom:{i}"),
                _ => continue,
            };
            let entry = groups
                .entry((role, a.scope.display().to_ascii_lowercase()))
                .or_default();
            if !entry.contains(&resource) {
                entry.push(resource);
            }
        }
        for ((role, _), resources) in groups {
            let Some(first) = resources.first().copied() else {
                continue;
            };
            let looped = model.resource(first).is_some_and(|r| {
                r.copy.is_some()
                    && resources.iter().all(|i| {
                        model.resource(*i).map(|x| (x.file, x.node)) == Some((r.file, r.node))
                    })
                    && (resources.len() > 1 || r.copy.as_ref().is_some_and(|c| c.index.is_none()))
            });
            if resources.len() < threshold && !looped {
                continue;
            }
            let Some(loc) = model.locate(first, &["type"]) else {
                continue;
            };
            let role_name = crate::roles::by_id(&role)
                .map(|b| b.name)
                .unwrap_or("the same role");
            let mut names: Vec<String> = resources
                .iter()
                .take(4)
                .map(|i| crate::rules::words::quoted(model, *i))
                .collect();
            if resources.len() > 4 {
                names.push("…".into());
            }
            let what = if looped && resources.len() < threshold {
                format!(
                    "every instance of the copy loop of {} receives {role_name} on the same scope",
                    crate::rules::words::quoted(model, first)
                )
            } else {
                format!(
                    "{} resources with system-assigned identities ({}) each receive {role_name} on the same scope",
                    resources.len(),
                    names.join(", ")
                )
            };
            ctx.report(
                loc,
                Some(first),
                what,
                "create one user-assigned identity for these resources and grant the role once",
            );
        }
    }
}
