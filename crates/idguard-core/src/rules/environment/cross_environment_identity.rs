use crate::finding::Severity;
use crate::model::{Location, Model, Principal};
use crate::policy::Policy;
use crate::rules::{Diagnostic, Rule, RuleContext};
use crate::template::ids::{self, ResourceIdInfo};

declare_rule! {
    /// ## What it does
    /// Evaluates a template once per parameter file (for example
    /// `main.dev.parameters.json` and `main.prod.parameters.json`) and flags a
    /// user-assigned identity whose resource ID comes out the same in two
    /// environments: the environments share one identity.
    ///
    /// ## Why is this bad?
    /// A shared identity carries the union of both environments' role
    /// assignments. Test code, test pipelines and everyone who can deploy to
    /// test then hold production's permissions, and a production incident
    /// cannot be contained by revoking "the test identity".
    ///
    /// ## Example
    /// `main.json` names its identity from a parameter, and both parameter
    /// files give it the same value:
    /// ```json
    /// // main.dev.parameters.json
    /// "identityName": { "value": "id-orders" }
    /// // main.prod.parameters.json
    /// "identityName": { "value": "id-orders" }
    /// ```
    /// Use instead one identity per environment:
    /// ```json
    /// // main.dev.parameters.json
    /// "identityName": { "value": "id-orders-dev" }
    /// // main.prod.parameters.json
    /// "identityName": { "value": "id-orders-prod" }
    /// ```
    ///
    /// ## Fix
    /// Build the identity's name (and resource group) from the environment,
    /// so that each environment deploys its own identity.
    pub struct CrossEnvironmentIdentity {
        level: Error,
        summary: "the same identity resolves in two environments' parameter files: prod and non-prod share one identity",
    }
}

const UAMI: &str = "Microsoft.ManagedIdentity/userAssignedIdentities";

/// An identity one evaluation uses: its ID and where it is written.
struct Used {
    info: ResourceIdInfo,
    shown: String,
    location: Location,
    resource: usize,
}

fn used_identities(model: &Model<'_>) -> Vec<Used> {
    let mut out = Vec::new();
    for (i, identity) in model.identities.iter().enumerate() {
        let Some(r) = model.resource(identity.resource) else {
            continue;
        };
        // Point where the identity is used (RULES.md: the attachment key or
        // the principalId), else at its name.
        let loc = model
            .workloads_of(i)
            .next()
            .map(|a| a.location)
            .or_else(|| model.assignments_of(i).next().map(|a| a.principal_location))
            .or_else(|| model.locate(identity.resource, &["name"]));
        if let (Some(info), Some(loc)) = (ids::parse_resource_id(&r.id), loc) {
            out.push(Used {
                info,
                shown: model.display_name(identity.resource),
                location: loc,
                resource: identity.resource,
            });
        }
    }
    for a in model.attachments.iter().filter(|a| a.identity.is_none()) {
        let Some(info) = ids::parse_resource_id(&a.key) else {
            continue;
        };
        if info
            .resource_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case(UAMI))
        {
            let shown = info
                .names
                .last()
                .map(|n| n.display_compact())
                .unwrap_or_default();
            out.push(Used {
                info,
                shown,
                location: a.location,
                resource: a.workload,
            });
        }
    }
    for a in &model.role_assignments {
        let Principal::ExternalIdentity { id, .. } = &a.principal else {
            continue;
        };
        if let Some(info) = ids::parse_resource_id(id) {
            let shown = info
                .names
                .last()
                .map(|n| n.display_compact())
                .unwrap_or_default();
            out.push(Used {
                info,
                shown,
                location: a.principal_location,
                resource: a.resource,
            });
        }
    }
    out
}

impl Rule for CrossEnvironmentIdentity {
    fn check(&self, _ctx: &mut RuleContext<'_, '_>) {}

    fn check_all(&self, models: &[Model<'_>], _policy: &Policy, out: &mut Vec<Diagnostic>) {
        let per_model: Vec<(Option<String>, Vec<Used>)> = models
            .iter()
            .map(|m| {
                (
                    m.environment.as_ref().map(|e| e.name.clone()),
                    used_identities(m),
                )
            })
            .collect();
        let mut reported: Vec<Location> = Vec::new();
        for (i, (env_a, used_a)) in per_model.iter().enumerate() {
            let Some(env_a) = env_a else { continue };
            for (env_b, used_b) in per_model.iter().skip(i + 1) {
                let Some(env_b) = env_b else { continue };
                if env_a.eq_ignore_ascii_case(env_b) {
                    continue;
                }
                for ua in used_a {
                    if reported.contains(&ua.location) {
                        continue;
                    }
                    // Only known names count: an unknown name is not "the same".
                    if !ua.info.names.iter().all(|n| n.as_str().is_some()) {
                        continue;
                    }
                    if used_b
                        .iter()
                        .any(|ub| ids::same_resource(&ua.info, &ub.info))
                    {
                        reported.push(ua.location);
                        out.push(Diagnostic {
                            rule: &Self::META,
                            location: ua.location,
                            message: format!(
                                "identity '{}' is the same in the {env_a} and {env_b} deployments: the environments share one identity",
                                ua.shown
                            ),
                            help: "give each environment its own identity (build the identity name from the environment parameter)".into(),
                            resource: Some(ua.resource),
                            severity: None::<Severity>,
                            fix: None,
                        });
                    }
                }
            }
        }
    }
}
