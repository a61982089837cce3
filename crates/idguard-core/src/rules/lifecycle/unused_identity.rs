use crate::rules::{Rule, RuleContext, RuleMeta};

declare_rule! {
    /// ## What it does
    /// TODO(rules): document.
    pub struct UnusedIdentity {
        code: "MI602",
        name: "unused-identity",
        level: Info,
        summary: "a user-assigned identity is declared but neither attached nor granted any role",
    }
}

impl Rule for UnusedIdentity {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _ctx: &mut RuleContext<'_, '_>) {}
}
