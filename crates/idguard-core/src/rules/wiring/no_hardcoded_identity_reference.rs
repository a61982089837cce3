use crate::rules::{Rule, RuleContext, RuleMeta};
use crate::source::Kind;

declare_rule! {
    /// ## What it does
    /// Flags an identity attachment (a key of
    /// `identity.userAssignedIdentities`) written as a literal resource ID
    /// with a subscription baked in, and a role assignment whose
    /// `principalId` is a literal GUID.
    ///
    /// ## Why is this bad?
    /// A literal `/subscriptions/0000…/resourceGroups/rg-prod/…` ties the
    /// template to one subscription and one environment: deploying it to test
    /// attaches the production identity (or fails), and nothing in the
    /// template shows it. A literal principal GUID grants a role to whatever
    /// object that GUID is today, with no link to the identity it was meant
    /// for.
    ///
    /// ## Example
    /// ```json
    /// "userAssignedIdentities": {
    ///   "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-shared/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-api-prod": {}
    /// }
    /// ```
    /// Use instead:
    /// ```json
    /// "userAssignedIdentities": {
    ///   "[resourceId(parameters('identityResourceGroup'), 'Microsoft.ManagedIdentity/userAssignedIdentities', parameters('identityName'))]": {}
    /// }
    /// ```
    ///
    /// ## Fix
    /// Build identity IDs with `resourceId()` from parameters, take principal
    /// IDs from `reference(...).principalId` (Bicep: `identity.properties.principalId`),
    /// or pass them in as parameters set per environment.
    pub struct NoHardcodedIdentityReference {
        code: "MI404",
        name: "no-hardcoded-identity-reference",
        level: Warning,
        summary: "an identity attachment or principal is a literal resource ID or GUID instead of resourceId()/reference()/a parameter",
    }
}

/// Whether a literal names a subscription (`/subscriptions/<guid>`).
fn has_literal_subscription(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    lower
        .split("/subscriptions/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .is_some_and(crate::roles::is_guid)
}

impl Rule for NoHardcodedIdentityReference {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut RuleContext<'_, '_>) {
        let model = ctx.model;
        for a in &model.attachments {
            let Some(file) = model.files.get(a.location.file) else {
                continue;
            };
            let written = file
                .text
                .get(a.location.span.start as usize..a.location.span.end as usize)
                .unwrap_or("");
            let key = written.trim_matches('"');
            if key.starts_with('[') && !key.starts_with("[[") {
                continue;
            }
            if has_literal_subscription(key) {
                ctx.report(
                    a.location,
                    Some(a.workload),
                    format!(
                        "'{}' attaches an identity by a literal resource ID with its subscription written in",
                        model.display_name(a.workload)
                    ),
                    "build the ID with resourceId() from parameters, so each environment attaches its own identity",
                );
            }
        }
        for a in &model.role_assignments {
            let Some(file) = model.files.get(a.principal_location.file) else {
                continue;
            };
            if let Kind::String(s) = file.doc.kind(a.principal_location.node)
                && !s.starts_with('[')
                && crate::roles::is_guid(s)
            {
                ctx.report(
                        a.principal_location,
                        Some(a.resource),
                        format!("role assignment principalId is the literal GUID '{s}'"),
                        "take the principal ID from the identity (reference(...).principalId) or from a parameter set per environment",
                    );
            }
        }
    }
}
