use crate::rules::{Rule, RuleContext};

declare_rule! {
    /// ## What it does
    /// Checks every user-assigned identity's evaluated name against the
    /// policy's naming pattern for `Microsoft.ManagedIdentity/userAssignedIdentities`.
    /// The default pattern is the common `id-<workload>-<env>[-<region>][-<nnn>]`
    /// convention, lowercase, where `<env>` is one of the policy's
    /// environment names or aliases. Names built from parameters are checked
    /// with each parameter file's values; when a name cannot be known (a
    /// parameter with no default and no parameter file), the rule says so
    /// once, at info level, instead of guessing.
    ///
    /// ## Why is this bad?
    /// An identity outlives the resources it is attached to and shows up by
    /// name in sign-in logs, role assignment lists and access reviews. A name
    /// that says which workload and which environment it belongs to is what
    /// lets a reviewer see that `id-payments-prod` should not hold a role on a
    /// test vault, and lets an on-call engineer find its owner at 3 a.m.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
    ///   "apiVersion": "2023-01-31",
    ///   "name": "myIdentity"
    /// }
    /// ```
    /// Use instead:
    /// ```json
    /// {
    ///   "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
    ///   "apiVersion": "2023-01-31",
    ///   "name": "[format('id-{0}-{1}', parameters('workload'), parameters('environment'))]"
    /// }
    /// ```
    ///
    /// ## Fix
    /// Rename the identity to follow the pattern (renaming creates a new
    /// identity: move its role assignments and attachments with it), or set
    /// the organisation's own pattern in the policy's `naming` section.
    pub struct IdentityNaming {
        level: Warning,
        summary: "a user-assigned identity's name does not match the policy's naming pattern",
    }
}

const UAMI: &str = "Microsoft.ManagedIdentity/userAssignedIdentities";

impl Rule for IdentityNaming {
    fn check(&self, ctx: &mut RuleContext<'_, '_>) {
        let model = ctx.model;
        let Some(pattern) = ctx.policy.naming_pattern(UAMI) else {
            return;
        };
        for identity in model.identities.iter().filter(|i| !i.existing) {
            let Some(loc) = model.locate(identity.resource, &["name"]) else {
                continue;
            };
            match identity.name.as_str() {
                Some(name) => {
                    if !pattern.matches(name) {
                        ctx.report(
                            loc,
                            Some(identity.resource),
                            format!(
                                "identity name '{name}' does not follow the naming pattern '{}'",
                                pattern.describe()
                            ),
                            format!(
                                "rename the identity to match '{}', e.g. 'id-<workload>-<env>'",
                                pattern.describe()
                            ),
                        );
                    }
                }
                None => ctx.report_info(
                    loc,
                    Some(identity.resource),
                    format!(
                        "the name of {} is not known before deployment, so its naming cannot be checked",
                        crate::rules::words::named(model, identity.resource, "identity")
                    ),
                    "check the template with its parameter files (main.<env>.parameters.json), or give the name parameter a default",
                ),
            }
        }
    }
}
