use crate::rules::{Rule, RuleContext, RuleMeta};

declare_rule! {
    /// ## What it does
    /// TODO(rules): document.
    pub struct DeterministicAssignmentName {
        code: "MI403",
        name: "deterministic-assignment-name",
        level: Warning,
        summary: "a role assignment's name is not a guid() over scope, principal and role, or two assignments grant the same role to the same principal at the same scope",
    }
}

impl Rule for DeterministicAssignmentName {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _ctx: &mut RuleContext<'_, '_>) {}
}
