use crate::rules::{Rule, RuleContext, RuleMeta};

declare_rule! {
    /// ## What it does
    /// TODO(rules): document.
    pub struct RoleDefinitionId {
        code: "MI405",
        name: "role-definition-id",
        level: Error,
        summary: "`roleDefinitionId` is not a role-definition resource ID",
    }
}

impl Rule for RoleDefinitionId {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _ctx: &mut RuleContext<'_, '_>) {}
}
