use crate::rules::{Rule, RuleContext, RuleMeta};

declare_rule! {
    /// ## What it does
    /// TODO(rules): document.
    pub struct CrossEnvironmentIdentity {
        code: "MI302",
        name: "cross-environment-identity",
        level: Error,
        summary: "the same identity resolves in two environments' parameter files: prod and non-prod share one identity",
    }
}

impl Rule for CrossEnvironmentIdentity {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _ctx: &mut RuleContext<'_, '_>) {}
}
