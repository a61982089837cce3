use crate::rules::{Rule, RuleContext, RuleMeta};

declare_rule! {
    /// ## What it does
    /// TODO(rules): document.
    pub struct NoHardcodedIdentityReference {
        code: "MI404",
        name: "no-hardcoded-identity-reference",
        level: Warning,
        summary: "an identity attachment or principal is a literal resource ID or GUID instead of resourceId()/reference()/a parameter",
    }
}

impl Rule for NoHardcodedIdentityReference {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _ctx: &mut RuleContext<'_, '_>) {}
}
