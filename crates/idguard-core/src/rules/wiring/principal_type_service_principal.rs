use crate::rules::{Rule, RuleContext, RuleMeta};

declare_rule! {
    /// ## What it does
    /// TODO(rules): document.
    pub struct PrincipalTypeServicePrincipal {
        code: "MI402",
        name: "principal-type-service-principal",
        level: Warning,
        summary: "a role assignment to a managed identity omits `principalType: 'ServicePrincipal'` or sets another type",
    }
}

impl Rule for PrincipalTypeServicePrincipal {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _ctx: &mut RuleContext<'_, '_>) {}
}
