use crate::rules::{Rule, RuleContext, RuleMeta};

declare_rule! {
    /// ## What it does
    /// TODO(rules): document.
    pub struct NoEscalationRole {
        code: "MI103",
        name: "no-escalation-role",
        level: Warning,
        summary: "a workload identity gets a role that can grant access (Owner, User Access Administrator, RBAC Administrator)",
    }
}

impl Rule for NoEscalationRole {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _ctx: &mut RuleContext<'_, '_>) {}
}
