use crate::model::{EnvSource, Environment, Location, Principal};
use crate::rules::scope::external_identity_name;
use crate::rules::words;
use crate::rules::{Rule, RuleContext};

declare_rule! {
    /// ## What it does
    /// Compares the environment of each user-assigned identity with the
    /// environment of every resource it is attached to and of every resource
    /// it is granted a role on, and flags a difference. Environments come
    /// from an `environment` tag, a token of the name (`id-api-prod`), the
    /// deployment's environment parameter or the parameter file's name, with
    /// the policy's aliases (`prd`, `production`, `live` are all `prod`).
    /// When either side's environment cannot be told, nothing is reported.
    ///
    /// ## Why is this bad?
    /// An identity is a permission anchor. A production identity attached to
    /// a test app gives the test app's code — and everyone who can deploy it —
    /// production access. A test identity granted a role on a production
    /// vault is the same hole from the other side.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Web/sites",
    ///   "name": "app-orders-dev",
    ///   "identity": {
    ///     "type": "UserAssigned",
    ///     "userAssignedIdentities": {
    ///       "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-orders-prod')]": {}
    ///     }
    ///   }
    /// }
    /// ```
    /// Use instead an identity of the app's own environment:
    /// ```json
    ///       "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-orders-dev')]": {}
    /// ```
    ///
    /// ## Fix
    /// Create one identity per environment and attach each workload to the
    /// identity of its own environment. If the names or tags are wrong, fix
    /// them: the check is only as good as the environment markers.
    pub struct EnvironmentSeparation {
        level: Error,
        summary: "an identity's environment differs from that of a resource it is attached to or granted a role on",
    }
}

impl Rule for EnvironmentSeparation {
    fn check(&self, ctx: &mut RuleContext<'_, '_>) {
        let model = ctx.model;
        let mut reports: Vec<(Location, usize, String)> = Vec::new();
        for (i, identity) in model.identities.iter().enumerate() {
            let Some(id_env) = &identity.environment else {
                continue;
            };
            let id_words = words::named(model, identity.resource, "identity");
            for a in model.workloads_of(i) {
                if let Some(w_env) = differs(model.environment_of(a.workload), id_env) {
                    reports.push((
                        a.location,
                        a.workload,
                        format!(
                            "{id_words} ({}) is attached to {} ({})",
                            id_env.describe(),
                            words::quoted(model, a.workload),
                            w_env.describe()
                        ),
                    ));
                }
            }
            for a in model.assignments_of(i) {
                let Some(target) = a.target else {
                    continue;
                };
                if let Some(t_env) = differs(model.environment_of(target), id_env) {
                    reports.push((
                        a.principal_location,
                        a.resource,
                        format!(
                            "{id_words} ({}) is granted a role on {} ({})",
                            id_env.describe(),
                            words::quoted(model, target),
                            t_env.describe()
                        ),
                    ));
                }
            }
        }
        // Identities declared elsewhere: their environment from their name.
        let env_of_external = |id: &crate::expr::Val| -> Option<(String, Environment)> {
            let name = external_identity_name(id)?;
            let env = ctx.policy.environment_in_name(&name)?;
            let shown = crate::rules::scope::external_identity(id)
                .map(|n| words::phrase(&n, None, "identity"))
                .unwrap_or_else(|| format!("identity '{name}'"));
            Some((
                shown,
                Environment {
                    name: env.to_string(),
                    source: EnvSource::Name,
                },
            ))
        };
        for a in model.attachments.iter().filter(|a| a.identity.is_none()) {
            let Some((name, id_env)) = env_of_external(&a.key) else {
                continue;
            };
            if let Some(w_env) = differs(model.environment_of(a.workload), &id_env) {
                reports.push((
                    a.location,
                    a.workload,
                    format!(
                        "{name} ({}) is attached to {} ({})",
                        id_env.describe(),
                        words::quoted(model, a.workload),
                        w_env.describe()
                    ),
                ));
            }
        }
        for a in &model.role_assignments {
            let (Principal::ExternalIdentity { id, .. }, Some(target)) = (&a.principal, a.target)
            else {
                continue;
            };
            let Some((name, id_env)) = env_of_external(id) else {
                continue;
            };
            if let Some(t_env) = differs(model.environment_of(target), &id_env) {
                reports.push((
                    a.principal_location,
                    a.resource,
                    format!(
                        "{name} ({}) is granted a role on {} ({})",
                        id_env.describe(),
                        words::quoted(model, target),
                        t_env.describe()
                    ),
                ));
            }
        }
        for (loc, resource, message) in reports {
            ctx.report(
                loc,
                Some(resource),
                message,
                "use an identity of the same environment as the resource (one identity per environment)",
            );
        }
    }
}

fn differs<'e>(other: Option<&'e Environment>, mine: &Environment) -> Option<&'e Environment> {
    other.filter(|o| !o.name.eq_ignore_ascii_case(&mine.name))
}
