use crate::rules::{Rule, RuleContext, RuleMeta};

declare_rule! {
    /// ## What it does
    /// TODO(rules): document.
    pub struct NoClientSecret {
        code: "MI501",
        name: "no-client-secret",
        level: Error,
        summary: "settings or parameters carry a service-principal secret where a managed identity would do, or a secure parameter has a literal default",
    }
}

impl Rule for NoClientSecret {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _ctx: &mut RuleContext<'_, '_>) {}
}
