use crate::rules::{Rule, RuleContext, RuleMeta};

declare_rule! {
    /// ## What it does
    /// TODO(rules): document.
    pub struct IdentityRequiredTags {
        code: "MI202",
        name: "identity-required-tags",
        level: Warning,
        summary: "a user-assigned identity lacks a required tag or has it empty",
    }
}

impl Rule for IdentityRequiredTags {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _ctx: &mut RuleContext<'_, '_>) {}
}
