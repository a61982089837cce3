use crate::model::{Model, Principal, Role, RoleAssignment, ScopeLevel};
use crate::rules::{Rule, RuleContext};

use super::describe_principal;

declare_rule! {
    /// ## What it does
    /// Flags a role assignment to a managed identity whose scope is wider
    /// than the identity needs:
    /// - any role at subscription, management-group or tenant scope (except
    ///   the privileged roles, which MI101 reports);
    /// - a data-plane role (Key Vault Secrets User, Storage Blob Data
    ///   Contributor, …) at resource-group scope when the resource it acts on
    ///   is declared in the same template;
    /// - any role wider than the policy's `scopes` setting allows for it.
    ///
    /// The system-assigned identity of a policy assignment
    /// (`Microsoft.Authorization/policyAssignments`, a DeployIfNotExists or
    /// Modify policy's remediation identity) is judged against the scope the
    /// policy is assigned to instead: remediation acts on every resource in
    /// that scope, so its role is needed there. A role at the assignment's
    /// own scope (or narrower) is what remediation needs, whatever the
    /// policy's `scopes` say; a wider one is the finding.
    ///
    /// ## Why is this bad?
    /// A data-plane role at resource-group scope reaches every vault or
    /// storage account that is, or will ever be, in that group — including
    /// ones created later for other workloads. Subscription-wide Reader
    /// lists every resource and its configuration. The narrowest scope that
    /// works limits what a leaked token can do.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Authorization/roleAssignments",
    ///   "name": "[guid(resourceGroup().id, variables('identityId'), 'kv-secrets-user')]",
    ///   "properties": {
    ///     "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')]",
    ///     "principalId": "[reference(variables('identityId')).principalId]",
    ///     "principalType": "ServicePrincipal"
    ///   }
    /// }
    /// ```
    /// in a template that also declares the Key Vault. Use instead:
    /// ```json
    /// {
    ///   "type": "Microsoft.Authorization/roleAssignments",
    ///   "scope": "[format('Microsoft.KeyVault/vaults/{0}', variables('vaultName'))]",
    ///   "name": "[guid(resourceId('Microsoft.KeyVault/vaults', variables('vaultName')), variables('identityId'), 'kv-secrets-user')]",
    ///   "properties": {
    ///     "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')]",
    ///     "principalId": "[reference(variables('identityId')).principalId]",
    ///     "principalType": "ServicePrincipal"
    ///   }
    /// }
    /// ```
    ///
    /// ## Fix
    /// Set the role assignment's `scope` to the resource the identity uses
    /// (in Bicep: `scope: keyVault`). The finding's help names it when the
    /// template declares it. Where a wider scope is intended, record it in
    /// the policy's `scopes` (widest allowed scope per role).
    pub struct NarrowRoleScope {
        level: Warning,
        summary: "a managed identity's role assignment is wider than it needs: subscription or management-group scope, or a data-plane role at resource-group scope when the target resource is in the template",
    }
}

/// Data-plane role name prefixes and the resource type they act on.
const DATA_PLANE_TARGETS: &[(&str, &str)] = &[
    ("Key Vault", "Microsoft.KeyVault/vaults"),
    ("Storage Blob", "Microsoft.Storage/storageAccounts"),
    ("Storage Queue", "Microsoft.Storage/storageAccounts"),
    ("Storage Table", "Microsoft.Storage/storageAccounts"),
    ("Storage File", "Microsoft.Storage/storageAccounts"),
    ("Azure Service Bus", "Microsoft.ServiceBus/namespaces"),
    ("Azure Event Hubs", "Microsoft.EventHub/namespaces"),
    ("Cosmos DB", "Microsoft.DocumentDB/databaseAccounts"),
    (
        "App Configuration",
        "Microsoft.AppConfiguration/configurationStores",
    ),
    ("Search Index", "Microsoft.Search/searchServices"),
    ("Cognitive Services", "Microsoft.CognitiveServices/accounts"),
    ("Azure Maps", "Microsoft.Maps/accounts"),
    ("EventGrid", "Microsoft.EventGrid/topics"),
    ("Azure Event Grid", "Microsoft.EventGrid/topics"),
    ("SignalR", "Microsoft.SignalRService/signalR"),
    ("Web PubSub", "Microsoft.SignalRService/webPubSub"),
];

fn target_type(role_name: &str) -> Option<&'static str> {
    DATA_PLANE_TARGETS
        .iter()
        .find(|(prefix, _)| role_name.starts_with(prefix))
        .map(|(_, ty)| *ty)
}

impl Rule for NarrowRoleScope {
    fn check(&self, ctx: &mut RuleContext<'_, '_>) {
        let model = ctx.model;
        for a in &model.role_assignments {
            if !a.principal.is_managed_identity() {
                continue;
            }
            let Some(level) = a.scope_level else {
                continue;
            };
            let (guid, name) = match &a.role {
                Role::Builtin(b) => (b.id.to_string(), Some(b.name)),
                Role::OtherGuid(g) => (g.clone(), None),
                _ => continue,
            };
            let who = describe_principal(model, &a.principal);
            let role_name = name
                .map(str::to_string)
                .unwrap_or_else(|| format!("role {guid}"));
            let privileged = matches!(&a.role, Role::Builtin(b) if b.privileged);
            if privileged && level >= ScopeLevel::Subscription {
                continue; // MI101's finding
            }
            // A policy assignment's identity remediates at the scope the
            // policy is assigned to: its role is needed there, and judged
            // against that scope rather than against the policy's `scopes`
            // or the default.
            if let Some((p, at)) = policy_assignment_scope(model, &a.principal) {
                if level > at {
                    ctx.report(
                        a.role_location,
                        Some(a.resource),
                        format!(
                            "{who} gets {role_name} at {}, wider than the {} its policy assignment '{}' is assigned at",
                            level.describe(),
                            at.describe(),
                            model.display_name(p)
                        ),
                        format!(
                            "assign the role at the policy assignment's own scope ({}): remediation needs it there, and no wider",
                            at.describe()
                        ),
                    );
                }
                continue;
            }
            match ctx.policy.widest_scope(&guid, name) {
                Some(widest) if level > widest => {
                    ctx.report(
                        a.role_location,
                        Some(a.resource),
                        format!(
                            "{who} gets {role_name} at {}; the policy allows it at {} at most",
                            level.describe(),
                            widest.describe()
                        ),
                        narrowest_help(ctx, name),
                    );
                    continue;
                }
                None if level >= ScopeLevel::Subscription => {
                    ctx.report(
                        a.role_location,
                        Some(a.resource),
                        format!("{who} gets {role_name} at {}", level.describe()),
                        narrowest_help(ctx, name),
                    );
                    continue;
                }
                _ => {}
            }
            let data_plane = matches!(&a.role, Role::Builtin(b) if b.data_plane);
            if level != ScopeLevel::ResourceGroup || !data_plane {
                continue;
            }
            let deployment = resource_deployment(ctx, a);
            let Some(target) = name.and_then(target_type).and_then(|ty| {
                model
                    .eval
                    .resources
                    .iter()
                    .position(|r| r.is_type(ty) && !r.existing && r.deployment == deployment)
            }) else {
                continue;
            };
            let ty = model.resource(target).map(|r| &*r.ty).unwrap_or("");
            let target_name = model.display_name(target);
            ctx.report(
                a.role_location,
                Some(a.resource),
                format!(
                    "{who} gets {role_name} on the whole resource group, though the {} it acts on, '{target_name}', is declared in this template",
                    noun(ty)
                ),
                format!(
                    "scope the assignment to the {} '{target_name}' (\"scope\": \"[format('{ty}/{{0}}', …)]\"; in Bicep, scope: <the {} resource>)",
                    noun(ty),
                    noun(ty)
                ),
            );
        }
    }
}

/// For the system-assigned identity of a policy assignment
/// (`Microsoft.Authorization/policyAssignments`): the assignment and how
/// wide its own scope is (its `scope`, or its deployment's).
fn policy_assignment_scope(model: &Model<'_>, p: &Principal) -> Option<(usize, ScopeLevel)> {
    let Principal::SystemAssigned { resource, .. } = p else {
        return None;
    };
    let r = model.resource(*resource)?;
    if !r.is_type("Microsoft.Authorization/policyAssignments") {
        return None;
    }
    let scope = r.scope.clone().or_else(|| {
        model
            .eval
            .deployments
            .get(r.deployment)
            .map(|d| d.scope_id.clone())
    })?;
    let level = crate::template::ids::parse_resource_id(&scope)?.level;
    Some((*resource, level))
}

fn resource_deployment(ctx: &RuleContext<'_, '_>, a: &RoleAssignment) -> usize {
    ctx.model
        .resource(a.resource)
        .map(|r| r.deployment)
        .unwrap_or(0)
}

/// What a resource type is called in messages.
fn noun(ty: &str) -> &str {
    NOUNS
        .iter()
        .find(|(t, _)| t.eq_ignore_ascii_case(ty))
        .map(|(_, n)| *n)
        .unwrap_or_else(|| ty.rsplit('/').next().unwrap_or(ty))
}

const NOUNS: &[(&str, &str)] = &[
    ("Microsoft.KeyVault/vaults", "key vault"),
    ("Microsoft.Storage/storageAccounts", "storage account"),
    ("Microsoft.ServiceBus/namespaces", "Service Bus namespace"),
    ("Microsoft.EventHub/namespaces", "Event Hubs namespace"),
    ("Microsoft.DocumentDB/databaseAccounts", "Cosmos DB account"),
    (
        "Microsoft.AppConfiguration/configurationStores",
        "App Configuration store",
    ),
    ("Microsoft.Search/searchServices", "search service"),
    (
        "Microsoft.CognitiveServices/accounts",
        "Cognitive Services account",
    ),
    ("Microsoft.Maps/accounts", "Maps account"),
    ("Microsoft.EventGrid/topics", "Event Grid topic"),
    ("Microsoft.SignalRService/signalR", "SignalR service"),
    ("Microsoft.SignalRService/webPubSub", "Web PubSub service"),
];

/// Names the narrowest scope that covers the identity's needs in this
/// template, when a data-plane target is declared here.
fn narrowest_help(ctx: &RuleContext<'_, '_>, role: Option<&str>) -> String {
    let model = ctx.model;
    if let Some(ty) = role.and_then(target_type) {
        let targets: Vec<String> = model
            .eval
            .resources
            .iter()
            .enumerate()
            .filter(|(_, r)| r.is_type(ty) && !r.existing)
            .map(|(i, _)| format!("'{}'", model.display_name(i)))
            .collect();
        if !targets.is_empty() {
            return format!(
                "scope the assignment to the {} it uses: {}",
                noun(ty),
                targets.join(", ")
            );
        }
    }
    "scope the assignment to the resource group, or better the resource, the identity works on"
        .to_string()
}
