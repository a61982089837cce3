use crate::expr::Val;
use crate::model::{Model, Principal, Role};
use crate::rules::scope::describe_principal;
use crate::rules::{Rule, RuleContext};
use crate::template::ids::{self, ResourceIdInfo};

declare_rule! {
    /// ## What it does
    /// Flags a service whose keys still work although the template already
    /// gives a managed identity access to its data: a Storage account
    /// without `allowSharedKeyAccess: false`, a Cosmos DB account, Service
    /// Bus or Event Hubs namespace, App Configuration store or Cognitive
    /// Services account without `disableLocalAuth: true`, a Container
    /// Registry with `adminUserEnabled: true`. Only services the template
    /// grants an identity a data role on (a data-plane role assignment on
    /// the service or anything inside it, a Cosmos DB SQL role assignment,
    /// an `Acr*` role on a registry): a service nobody reaches with an
    /// identity is not this rule's business. A setting whose value is not
    /// known (a parameter without a value) is not judged.
    ///
    /// ## Why is this bad?
    /// Moving a workload to a managed identity is meant to retire the
    /// shared keys: no secret to leak, rotate or find in a log. While the
    /// keys still work, anyone who ever copied one keeps full access, and
    /// a new client can quietly go back to a connection string. The
    /// identity has been added but nothing has been taken away.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "type": "Microsoft.Storage/storageAccounts",
    ///   "name": "stordersprod",
    ///   "properties": { "minimumTlsVersion": "TLS1_2" }
    /// },
    /// {
    ///   "type": "Microsoft.Authorization/roleAssignments",
    ///   "scope": "[resourceId('Microsoft.Storage/storageAccounts', 'stordersprod')]",
    ///   "properties": {
    ///     "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')]",
    ///     "principalId": "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-orders-prod')).principalId]",
    ///     "principalType": "ServicePrincipal"
    ///   }
    /// }
    /// ```
    /// Use instead (once every client authenticates with its identity):
    /// ```json
    /// "properties": { "minimumTlsVersion": "TLS1_2", "allowSharedKeyAccess": false }
    /// ```
    ///
    /// ## Fix
    /// Turn key authentication off on the service: `allowSharedKeyAccess:
    /// false` (Storage), `disableLocalAuth: true` (Cosmos DB, Service Bus,
    /// Event Hubs, App Configuration, Cognitive Services),
    /// `adminUserEnabled: false` (Container Registry). Check first that no
    /// client still uses a key or connection string.
    pub struct KeysLeftEnabled {
        level: Warning,
        summary: "a service keeps its keys working although a managed identity already has a data role on it",
    }
}

/// A service whose key authentication a property switches off.
struct Keyed {
    ty: &'static str,
    /// Under `properties`.
    property: &'static str,
    /// The value that turns keys off.
    off: bool,
    /// Whether keys work when the property is absent.
    on_by_default: bool,
    /// What stays on, in a message.
    keys: &'static str,
    /// The service, in a message.
    what: &'static str,
}

const KEYED: &[Keyed] = &[
    Keyed {
        ty: "Microsoft.Storage/storageAccounts",
        property: "allowSharedKeyAccess",
        off: false,
        on_by_default: true,
        keys: "shared key access (account keys and the SAS tokens signed with them)",
        what: "storage account",
    },
    Keyed {
        ty: "Microsoft.DocumentDB/databaseAccounts",
        property: "disableLocalAuth",
        off: true,
        on_by_default: true,
        keys: "key authentication (primary and secondary keys)",
        what: "Cosmos DB account",
    },
    Keyed {
        ty: "Microsoft.ServiceBus/namespaces",
        property: "disableLocalAuth",
        off: true,
        on_by_default: true,
        keys: "SAS key authentication",
        what: "Service Bus namespace",
    },
    Keyed {
        ty: "Microsoft.EventHub/namespaces",
        property: "disableLocalAuth",
        off: true,
        on_by_default: true,
        keys: "SAS key authentication",
        what: "Event Hubs namespace",
    },
    Keyed {
        ty: "Microsoft.AppConfiguration/configurationStores",
        property: "disableLocalAuth",
        off: true,
        on_by_default: true,
        keys: "access key authentication",
        what: "App Configuration store",
    },
    Keyed {
        ty: "Microsoft.CognitiveServices/accounts",
        property: "disableLocalAuth",
        off: true,
        on_by_default: true,
        keys: "API key authentication",
        what: "Cognitive Services account",
    },
    Keyed {
        ty: "Microsoft.ContainerRegistry/registries",
        property: "adminUserEnabled",
        off: false,
        on_by_default: false,
        keys: "the admin user (a shared user name and password)",
        what: "container registry",
    },
];

const COSMOS_SQL_ASSIGNMENT: &str = "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments";

impl Rule for KeysLeftEnabled {
    fn check(&self, ctx: &mut RuleContext<'_, '_>) {
        let model = ctx.model;
        for (i, r) in model.eval.resources.iter().enumerate() {
            if r.existing || r.incomplete {
                continue;
            }
            let Some(keyed) = KEYED.iter().find(|k| r.is_type(k.ty)) else {
                continue;
            };
            let Some(service) = ids::parse_resource_id(&r.id) else {
                continue;
            };
            let value = r.get(&["properties", keyed.property]);
            let keys_on = match value {
                None | Some(Val::Null) => keyed.on_by_default,
                Some(v) => match v.as_bool() {
                    Some(b) => b != keyed.off,
                    // A parameter without a value, an expression: not judged.
                    None => continue,
                },
            };
            if !keys_on {
                continue;
            }
            let Some(user) = identity_use(model, &service, keyed) else {
                continue;
            };
            let name = model.display_name(i);
            let (location, how) = match value {
                Some(_) => (
                    model.locate(i, &["properties", keyed.property]),
                    format!("sets {} to {}", keyed.property, !keyed.off),
                ),
                None => (
                    model
                        .locate(i, &["properties"])
                        .or_else(|| model.locate(i, &["name"])),
                    format!("leaves {} unset", keyed.property),
                ),
            };
            let Some(location) = location else {
                continue;
            };
            ctx.report(
                location,
                Some(i),
                format!(
                    "{} '{name}' {how}, so {} still works although {user}: the move to managed identities is unfinished",
                    keyed.what, keyed.keys
                ),
                format!(
                    "set properties.{} to {} once every client authenticates with its identity",
                    keyed.property, keyed.off
                ),
            );
        }
    }
}

/// How the template lets a managed identity reach the service's data, in
/// a message's words ("identity 'id-app' has Storage Blob Data Reader on
/// it"), if it does.
fn identity_use(model: &Model<'_>, service: &ResourceIdInfo, keyed: &Keyed) -> Option<String> {
    let registry = keyed.ty == "Microsoft.ContainerRegistry/registries";
    for a in &model.role_assignments {
        if !a.principal.is_managed_identity() {
            continue;
        }
        let Role::Builtin(role) = &a.role else {
            continue;
        };
        let reaches_data = role.data_plane || (registry && role.name.starts_with("Acr"));
        if !reaches_data {
            continue;
        }
        let Some(scope) = ids::parse_resource_id(&a.scope) else {
            continue;
        };
        if within(&scope, service) {
            return Some(format!(
                "{} has {} on it",
                describe_principal(model, &a.principal),
                role.name
            ));
        }
    }
    if keyed.ty == "Microsoft.DocumentDB/databaseAccounts" {
        for r in &model.eval.resources {
            if !r.is_type(COSMOS_SQL_ASSIGNMENT) {
                continue;
            }
            let Some(info) = ids::parse_resource_id(&r.id) else {
                continue;
            };
            if !within(&info, service) {
                continue;
            }
            let principal = r
                .get(&["properties", "principalId"])
                .map(|p| crate::model::principal_of(model, p, r.deployment))
                .unwrap_or(Principal::Unknown);
            if principal.is_managed_identity() {
                return Some(format!(
                    "{} has a Cosmos DB data role on it",
                    describe_principal(model, &principal)
                ));
            }
        }
    }
    None
}

/// Whether `inner` is `outer` or a resource inside it (same provider
/// type prefix and leading names; no contradicting subscription or group).
fn within(inner: &ResourceIdInfo, outer: &ResourceIdInfo) -> bool {
    let (Some(ti), Some(to)) = (&inner.resource_type, &outer.resource_type) else {
        return false;
    };
    let same_type = ti.eq_ignore_ascii_case(to)
        || (ti.len() > to.len()
            && ti.as_bytes().get(to.len()) == Some(&b'/')
            && ti
                .get(..to.len())
                .is_some_and(|t| t.eq_ignore_ascii_case(to)));
    if !same_type || inner.names.len() < outer.names.len() {
        return false;
    }
    let mut truncated = inner.clone();
    truncated.resource_type = Some(to.clone());
    truncated.names.truncate(outer.names.len());
    ids::same_resource(&truncated, outer)
}
