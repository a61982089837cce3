use std::rc::Rc;

use crate::expr::Val;
use crate::model::flow;
use crate::rules::{Rule, RuleContext};
use crate::template::ids;

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
        level: Warning,
        summary: "an identity attachment or principal is a literal resource ID or GUID instead of resourceId()/reference()/a parameter",
    }
}

/// The subscription GUID a (partial) resource ID names, when it is known.
fn literal_subscription(id: &Val) -> Option<String> {
    let info = ids::parse_resource_id(id)?;
    let sub = info.subscription?;
    sub.as_str()
        .filter(|s| crate::roles::is_guid(s))
        .map(str::to_ascii_lowercase)
}

impl Rule for NoHardcodedIdentityReference {
    fn check(&self, ctx: &mut RuleContext<'_, '_>) {
        let model = ctx.model;
        for a in &model.attachments {
            let Some(sub) = literal_subscription(&a.key) else {
                continue;
            };
            let Some(workload) = model.resource(a.workload) else {
                continue;
            };
            // The key as written: an attachment's key is the member key.
            let key = model.files.get(a.location.file).and_then(|f| {
                let doc = &f.doc;
                let parent = doc.node(a.location.node).parent?;
                doc.members(parent)
                    .iter()
                    .find(|m| m.key_span == a.location.span)
                    .map(|m| Rc::clone(&m.key))
            });
            let Some(key) = key else { continue };
            if !flow::string_written_in_template(
                model.files,
                model.eval,
                workload.deployment,
                &key,
                &sub,
            ) {
                continue;
            }
            let identity = crate::rules::scope::external_identity(&a.key)
                .map(|n| crate::rules::words::phrase(&n, None, "identity"))
                .unwrap_or_else(|| "an identity".to_string());
            ctx.report(
                a.location,
                Some(a.workload),
                format!(
                    "{} attaches {identity} by a resource ID with subscription '{sub}' written in",
                    crate::rules::words::quoted(model, a.workload)
                ),
                "build the ID with resourceId() from parameters, so each environment attaches its own identity",
            );
        }
        for a in &model.role_assignments {
            let Some(r) = model.resource(a.resource) else {
                continue;
            };
            let Some(guid) = r
                .get(&["properties", "principalId"])
                .and_then(Val::as_str)
                .filter(|s| crate::roles::is_guid(s))
            else {
                continue;
            };
            // Written in the template (in the value, a variable it reads, or
            // what a caller passes), not set in a parameter file.
            if !flow::written_in_template(
                model.files,
                model.eval,
                r.deployment,
                a.principal_location.file,
                a.principal_location.node,
                &guid.to_ascii_lowercase(),
            ) {
                continue;
            }
            ctx.report(
                a.principal_location,
                Some(a.resource),
                format!("role assignment principalId is the literal GUID '{guid}'"),
                "take the principal ID from the identity (reference(...).principalId) or from a parameter set per environment",
            );
        }
    }
}
