use crate::rules::{Rule, RuleContext, RuleMeta};

declare_rule! {
    /// ## What it does
    /// TODO(rules): document.
    pub struct ClientIdForMultipleIdentities {
        code: "MI502",
        name: "client-id-for-multiple-identities",
        level: Info,
        summary: "a workload with several (or only) user-assigned identities has no AZURE_CLIENT_ID-style setting naming the one to use",
    }
}

impl Rule for ClientIdForMultipleIdentities {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _ctx: &mut RuleContext<'_, '_>) {}
}
