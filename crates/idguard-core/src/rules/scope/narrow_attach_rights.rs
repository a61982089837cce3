use crate::rules::{Rule, RuleContext, RuleMeta};

declare_rule! {
    /// ## What it does
    /// TODO(rules): document.
    pub struct NarrowAttachRights {
        code: "MI105",
        name: "narrow-attach-rights",
        level: Warning,
        summary: "Managed Identity Operator or Managed Identity Contributor granted at subscription or management-group scope",
    }
}

impl Rule for NarrowAttachRights {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _ctx: &mut RuleContext<'_, '_>) {}
}
