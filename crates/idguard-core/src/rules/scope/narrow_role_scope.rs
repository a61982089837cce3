use crate::rules::{Rule, RuleContext, RuleMeta};

declare_rule! {
    /// ## What it does
    /// TODO(rules): document.
    pub struct NarrowRoleScope {
        code: "MI102",
        name: "narrow-role-scope",
        level: Warning,
        summary: "a managed identity's role assignment is wider than it needs: subscription or management-group scope, or a data-plane role at resource-group scope when the target resource is in the template",
    }
}

impl Rule for NarrowRoleScope {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _ctx: &mut RuleContext<'_, '_>) {}
}
