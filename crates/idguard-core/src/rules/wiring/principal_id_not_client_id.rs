use crate::rules::{Rule, RuleContext, RuleMeta};

declare_rule! {
    /// ## What it does
    /// TODO(rules): document.
    pub struct PrincipalIdNotClientId {
        code: "MI401",
        name: "principal-id-not-client-id",
        level: Error,
        summary: "a principal (object) ID is fed an identity's client ID, or a client-ID setting is fed a principal ID",
    }
}

impl Rule for PrincipalIdNotClientId {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _ctx: &mut RuleContext<'_, '_>) {}
}
