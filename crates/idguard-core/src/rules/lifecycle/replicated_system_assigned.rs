use crate::rules::{Rule, RuleContext, RuleMeta};

declare_rule! {
    /// ## What it does
    /// TODO(rules): document.
    pub struct ReplicatedSystemAssigned {
        code: "MI603",
        name: "replicated-system-assigned",
        level: Info,
        summary: "several resources with system-assigned identities receive the same role assignments where one user-assigned identity would do",
    }
}

impl Rule for ReplicatedSystemAssigned {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _ctx: &mut RuleContext<'_, '_>) {}
}
