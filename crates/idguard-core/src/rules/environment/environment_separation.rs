use crate::rules::{Rule, RuleContext, RuleMeta};

declare_rule! {
    /// ## What it does
    /// TODO(rules): document.
    pub struct EnvironmentSeparation {
        code: "MI301",
        name: "environment-separation",
        level: Error,
        summary: "an identity's environment differs from that of a resource it is attached to or granted a role on",
    }
}

impl Rule for EnvironmentSeparation {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _ctx: &mut RuleContext<'_, '_>) {}
}
