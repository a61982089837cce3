use crate::expr::Val;
use crate::finding::FixSafety;
use crate::fix::{RuleFix, SpanEdit, Src};
use crate::model::Location;
use crate::rules::{Rule, RuleContext};
use crate::template::Files;

use crate::rules::scope::describe_principal;

declare_rule! {
    /// ## What it does
    /// Flags a role assignment whose principal is a managed identity but that
    /// omits `principalType: 'ServicePrincipal'`, or sets another type.
    ///
    /// ## Why is this bad?
    /// A new managed identity's service principal takes time to replicate
    /// in Microsoft Entra ID. Without `principalType`, Azure looks the
    /// principal up first and the deployment can fail with
    /// `PrincipalNotFound` — intermittently, which is worse. With the wrong
    /// type (`User`, `Group`) the assignment is rejected or misrecorded.
    ///
    /// ## Example
    /// ```json
    /// "properties": {
    ///   "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1')]",
    ///   "principalId": "[reference('uami').principalId]"
    /// }
    /// ```
    /// Use instead:
    /// ```json
    /// "properties": {
    ///   "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1')]",
    ///   "principalId": "[reference('uami').principalId]",
    ///   "principalType": "ServicePrincipal"
    /// }
    /// ```
    ///
    /// ## Fix
    /// Add `"principalType": "ServicePrincipal"` to every role assignment
    /// whose principal is a managed identity.
    ///
    /// `idguard check --fix` does it (a safe fix): it adds the property after
    /// `principalId`, or sets a literal `principalType` to it.
    pub struct PrincipalTypeServicePrincipal {
        level: Warning,
        summary: "a role assignment to a managed identity omits `principalType: 'ServicePrincipal'` or sets another type",
    }
}

impl Rule for PrincipalTypeServicePrincipal {
    fn check(&self, ctx: &mut RuleContext<'_, '_>) {
        let model = ctx.model;
        for a in &model.role_assignments {
            if !a.principal.is_managed_identity() {
                continue;
            }
            // Half-typed Bicep: `principalType` may be the next line.
            let incomplete = model.resource(a.resource).is_some_and(|r| r.incomplete);
            let who = describe_principal(model, &a.principal);
            let message = match &a.principal_type {
                None if incomplete => continue,
                None => format!("role assignment to {who} has no principalType"),
                Some(Val::Str(t)) if !t.eq_ignore_ascii_case("ServicePrincipal") => {
                    format!(
                        "role assignment to {who} sets principalType '{t}', but a managed identity is a service principal"
                    )
                }
                _ => continue,
            };
            ctx.report_with_fix(
                a.principal_location,
                Some(a.resource),
                message,
                "add \"principalType\": \"ServicePrincipal\" to the role assignment's properties",
                fix(model.files, a.principal_location),
            );
        }
    }
}

/// `principalType: 'ServicePrincipal'` added after the `principalId` the
/// finding is at, or a literal `principalType` set to it. Safe: a managed
/// identity is a service principal, so this only states what is true.
fn fix(files: &Files, at: Location) -> Option<RuleFix> {
    let src = Src::of(files, at.file)?;
    let (properties, principal_id) = src.member_of(at.node)?;
    let (_, parent) = src.member_of(properties)?;
    if !principal_id.key.eq_ignore_ascii_case("principalId")
        || !src.key_written(principal_id)
        || !parent.key.eq_ignore_ascii_case("properties")
        || !src.object_literal(properties)
    {
        return None;
    }
    let value = src.string("ServicePrincipal");
    let edit = match src.doc.member(properties, "principalType") {
        Some(existing) => {
            src.string_literal(existing.value)?;
            SpanEdit {
                span: src.doc.span(existing.value),
                replacement: value,
            }
        }
        None => src.insert_after(principal_id, &[("principalType".to_string(), value)])?,
    };
    Some(RuleFix {
        title: "Set principalType to 'ServicePrincipal'".to_string(),
        safety: FixSafety::Safe,
        edits: vec![edit],
    })
}
