use crate::rules::{Rule, RuleContext, RuleMeta};

declare_rule! {
    /// ## What it does
    /// TODO(rules): document.
    pub struct SharedIdentityBlastRadius {
        code: "MI601",
        name: "shared-identity-blast-radius",
        level: Warning,
        summary: "one user-assigned identity is attached to too many workloads or holds role assignments on too many scopes",
    }
}

impl Rule for SharedIdentityBlastRadius {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _ctx: &mut RuleContext<'_, '_>) {}
}
