use crate::rules::{Rule, RuleContext, RuleMeta};

declare_rule! {
    /// ## What it does
    /// TODO(rules): document.
    pub struct IdentityNaming {
        code: "MI201",
        name: "identity-naming",
        level: Warning,
        summary: "a user-assigned identity's name does not match the policy's naming pattern",
    }
}

impl Rule for IdentityNaming {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _ctx: &mut RuleContext<'_, '_>) {}
}
