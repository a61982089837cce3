use crate::rules::{Rule, RuleContext, RuleMeta};

declare_rule! {
    /// ## What it does
    /// TODO(rules): document.
    pub struct CustomRoleWildcard {
        code: "MI104",
        name: "custom-role-wildcard",
        level: Error,
        summary: "a custom role definition has `*` in actions or dataActions, or is assignable at `/` or a management group",
    }
}

impl Rule for CustomRoleWildcard {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _ctx: &mut RuleContext<'_, '_>) {}
}
