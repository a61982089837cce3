use crate::expr::Val;
use crate::finding::FixSafety;
use crate::fix::{RuleFix, SpanEdit, Src};
use crate::model::flow;
use crate::model::{Location, Model, RoleAssignment};
use crate::rules::{Rule, RuleContext};
use crate::template::Files;

use crate::rules::scope::describe_principal;

declare_rule! {
    /// ## What it does
    /// Flags a role assignment whose principal is a managed identity but that
    /// omits `principalType: 'ServicePrincipal'` (or sets it to null), or
    /// sets another type. The principal is followed across module
    /// boundaries: a nested deployment (module) whose role assignment takes
    /// `principalId` and `principalType` as parameters, called with a
    /// managed identity's principal ID and no principal type (its default
    /// then being absent, null or another type), is reported at the call,
    /// where the principal ID is passed.
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

/// A role assignment inside a nested deployment (a module) whose
/// `principalId` is one of the module's parameters: the call that passes
/// it.
struct ModuleCall {
    /// The `Microsoft.Resources/deployments` resource.
    call: usize,
    /// Where the caller passes the principal ID.
    passed: Location,
    /// Whether `principalType` is a module parameter the caller does not
    /// pass (so the module's default, or null, applies).
    type_not_passed: bool,
}

fn module_call(model: &Model<'_>, a: &RoleAssignment) -> Option<ModuleCall> {
    let eval = model.eval;
    let r = model.resource(a.resource)?;
    let d = eval
        .deployments
        .get(flow::scope_deployment(eval, r.deployment))?;
    let call = d.resource?;
    let cr = eval.resources.get(call)?;
    let doc = &model.files.get(r.file)?.doc;
    let principal = flow::reads(doc.as_str(a.principal_location.node)?);
    let [param] = principal.params.as_slice() else {
        return None;
    };
    let cdoc = &model.files.get(cr.file)?.doc;
    let passed_params = cdoc.get_path(cr.node, &["properties", "parameters"])?;
    let passed = cdoc.get(cdoc.get(passed_params, param)?, "value")?;
    let type_node = doc.get_path(r.node, &["properties", "principalType"]);
    let type_not_passed = type_node
        .and_then(|n| doc.as_str(n))
        .map(flow::reads)
        .is_some_and(|t| {
            !t.params.is_empty()
                && !t
                    .params
                    .iter()
                    .any(|p| cdoc.get(passed_params, p).is_some())
        });
    Some(ModuleCall {
        call,
        passed: Location {
            file: cr.file,
            node: passed,
            span: cdoc.span(passed),
        },
        type_not_passed,
    })
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
            // The principal crossed a module boundary: the module's
            // principalType is what its caller passes, or the module's own
            // default (a nullable parameter not passed is null).
            let module = module_call(model, a);
            let not_passed = module.as_ref().is_some_and(|m| m.type_not_passed);
            let principal_type = match &a.principal_type {
                Some(Val::Null) => None,
                Some(Val::Unknown(u))
                    if not_passed && matches!(&**u, crate::expr::Unknown::Parameter(_)) =>
                {
                    None
                }
                other => other.as_ref(),
            };
            let message = match principal_type {
                None if incomplete => continue,
                None => format!("role assignment to {who} has no principalType"),
                Some(Val::Str(t)) if !t.eq_ignore_ascii_case("ServicePrincipal") => {
                    format!(
                        "role assignment to {who} sets principalType '{t}', but a managed identity is a service principal"
                    )
                }
                _ => continue,
            };
            if let Some(m) = module.as_ref().filter(|m| m.type_not_passed) {
                // Reported where the value enters the module: the module
                // may well be right for the other principals it is given.
                let call = model.display_name(m.call);
                let module_says = match principal_type {
                    Some(Val::Str(t)) => format!("the module's default principalType '{t}'"),
                    _ => "no principalType".to_string(),
                };
                ctx.report(
                    m.passed,
                    Some(m.call),
                    format!(
                        "module '{call}' is passed the principal ID of {who} but no principalType, so its role assignment goes out with {module_says}"
                    ),
                    "pass principalType 'ServicePrincipal' to the module along with the managed identity's principal ID",
                );
                continue;
            }
            ctx.report_with_fix(
                a.principal_location,
                Some(a.resource),
                message,
                "add \"principalType\": \"ServicePrincipal\" to the role assignment's properties",
                // Not inside a module whose principal comes from its
                // caller: the module may be given users and groups too.
                if module.is_some() {
                    None
                } else {
                    fix(model.files, a.principal_location)
                },
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
