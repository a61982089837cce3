//! Deployment scope and resource functions: `subscription()`,
//! `resourceGroup()`, `resourceId()` and friends, `reference()`,
//! `environment()`.
//!
//! The unknown pieces (subscription ID, resource group name, …) come from
//! the [`DeploymentContext`], so `subscription().id` is the partial string
//! `/subscriptions/{subscription().subscriptionId}`.
//!
//! `environment()` returns the values of the Azure public cloud
//! (`AzureCloud`): a documented fact of that cloud, not of the deployment.
//! Templates deployed to sovereign clouds get other values.
use std::rc::Rc;

use super::{StrBuilder, arity, render};
use crate::expr::{DeploymentContext, Obj, TargetScope, Unknown, Val};

fn dep(expr: &str) -> Val {
    Val::unknown(Unknown::Deployment(Rc::from(expr)))
}

/// Concatenates string pieces (known or unknown) into a (partial) string.
fn join_pieces(pieces: &[&Val]) -> Val {
    let mut sb = StrBuilder::new();
    for p in pieces {
        if !sb.push_val(p) {
            return Val::opaque(format!("a resource ID segment {}", render(p)));
        }
    }
    sb.finish()
}

fn lit(s: &str) -> Val {
    Val::str(s)
}

fn subscription_id_string(sub: &Val) -> Val {
    join_pieces(&[&lit("/subscriptions/"), sub])
}

fn resource_group_id_string(sub: &Val, rg: &Val) -> Val {
    join_pieces(&[&lit("/subscriptions/"), sub, &lit("/resourceGroups/"), rg])
}

fn management_group_id_string(mg: &Val) -> Val {
    join_pieces(&[
        &lit("/providers/Microsoft.Management/managementGroups/"),
        mg,
    ])
}

/// `subscription()`.
pub(super) fn subscription(d: &DeploymentContext) -> Val {
    if matches!(d.scope, TargetScope::ManagementGroup | TargetScope::Tenant) {
        return Val::opaque(format!(
            "subscription() in a {} deployment",
            d.scope.as_str()
        ));
    }
    let mut o = Obj::with_capacity(4);
    o.insert("id", subscription_id_string(&d.subscription_id));
    o.insert("subscriptionId", d.subscription_id.clone());
    o.insert("tenantId", d.tenant_id.clone());
    o.insert("displayName", dep("subscription().displayName"));
    Val::object(o)
}

/// `resourceGroup()`.
pub(super) fn resource_group(d: &DeploymentContext) -> Val {
    if d.scope != TargetScope::ResourceGroup {
        return Val::opaque(format!(
            "resourceGroup() in a {} deployment",
            d.scope.as_str()
        ));
    }
    let mut props = Obj::new();
    props.insert("provisioningState", Val::str("Succeeded"));
    let mut o = Obj::with_capacity(7);
    o.insert(
        "id",
        resource_group_id_string(&d.subscription_id, &d.resource_group),
    );
    o.insert("name", d.resource_group.clone());
    o.insert("type", Val::str("Microsoft.Resources/resourceGroups"));
    o.insert("location", d.location.clone());
    o.insert("managedBy", dep("resourceGroup().managedBy"));
    o.insert("tags", dep("resourceGroup().tags"));
    o.insert("properties", Val::object(props));
    Val::object(o)
}

/// `managementGroup()`.
pub(super) fn management_group(d: &DeploymentContext) -> Val {
    if d.scope != TargetScope::ManagementGroup {
        return Val::opaque(format!(
            "managementGroup() in a {} deployment",
            d.scope.as_str()
        ));
    }
    let mut o = Obj::with_capacity(4);
    o.insert("id", management_group_id_string(&d.management_group));
    o.insert("name", d.management_group.clone());
    o.insert(
        "type",
        Val::str("/providers/Microsoft.Management/managementGroups"),
    );
    o.insert("properties", dep("managementGroup().properties"));
    Val::object(o)
}

/// `tenant()`.
pub(super) fn tenant(d: &DeploymentContext) -> Val {
    let mut o = Obj::with_capacity(4);
    o.insert("id", join_pieces(&[&lit("/tenants/"), &d.tenant_id]));
    o.insert("tenantId", d.tenant_id.clone());
    o.insert("countryCode", dep("tenant().countryCode"));
    o.insert("displayName", dep("tenant().displayName"));
    Val::object(o)
}

/// `deployment()`.
pub(super) fn deployment(d: &DeploymentContext) -> Val {
    let mut o = Obj::with_capacity(3);
    o.insert("name", d.deployment_name.clone());
    o.insert("location", d.location.clone());
    o.insert("properties", dep("deployment().properties"));
    Val::object(o)
}

/// What `uri(deployment().properties.templateLink.uri, '<path>')` is
/// evaluated to: a deployment value naming the file beside the running
/// template (see [`linked_path`]).
const BESIDE_TEMPLATE: &str = "uri(deployment().properties.templateLink.uri, '";

/// `uri(deployment().properties.templateLink.uri, '<path>')`: the URI of
/// a file beside the template being deployed (how Enterprise-Scale's
/// orchestrating templates link their templates). Not known before
/// deployment, but which file it names is; `None` for any other `uri()`.
pub(super) fn uri_beside_template(args: &[Val]) -> Option<Val> {
    let [Val::Unknown(base), Val::Str(rel)] = args else {
        return None;
    };
    let Unknown::Member { of, path } = &**base else {
        return None;
    };
    let names_link = matches!(&**of, Unknown::Deployment(e) if &**e == "deployment().properties")
        && matches!(path.as_slice(), [link, uri]
            if link.eq_ignore_ascii_case("templateLink") && uri.eq_ignore_ascii_case("uri"));
    (names_link && !rel.contains('\'')).then(|| dep(&format!("{BESIDE_TEMPLATE}{rel}')")))
}

/// The path, relative to the running template, of a value
/// [`uri_beside_template`] made.
pub(crate) fn linked_path(v: &Val) -> Option<&str> {
    match v.as_unknown()? {
        Unknown::Deployment(e) => e.strip_prefix(BESIDE_TEMPLATE)?.strip_suffix("')"),
        _ => None,
    }
}

/// `deployer()`: the principal running the deployment.
pub(super) fn deployer() -> Val {
    let mut o = Obj::with_capacity(3);
    o.insert("objectId", dep("deployer().objectId"));
    o.insert("tenantId", dep("deployer().tenantId"));
    o.insert("userPrincipalName", dep("deployer().userPrincipalName"));
    Val::object(o)
}

/// `environment()` for the Azure public cloud.
pub(super) fn environment() -> Val {
    let json = serde_json::json!({
        "name": "AzureCloud",
        "gallery": "https://gallery.azure.com/",
        "graph": "https://graph.windows.net/",
        "portal": "https://portal.azure.com",
        "graphAudience": "https://graph.windows.net/",
        "activeDirectoryDataLake": "https://datalake.azure.net/",
        "batch": "https://batch.core.windows.net/",
        "media": "https://rest.media.azure.net",
        "sqlManagement": "https://management.core.windows.net:8443/",
        "vmImageAliasDoc": "https://raw.githubusercontent.com/Azure/azure-rest-api-specs/master/arm-compute/quickstart-templates/aliases.json",
        "resourceManager": "https://management.azure.com/",
        "authentication": {
            "loginEndpoint": "https://login.microsoftonline.com/",
            "audiences": [
                "https://management.core.windows.net/",
                "https://management.azure.com/"
            ],
            "tenant": "common",
            "identityProvider": "AAD"
        },
        "suffixes": {
            "acrLoginServer": ".azurecr.io",
            "azureDatalakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
            "azureDatalakeStoreFileSystem": "azuredatalakestore.net",
            "azureFrontDoorEndpointSuffix": "azurefd.net",
            "keyvaultDns": ".vault.azure.net",
            "sqlServerHostname": ".database.windows.net",
            "storage": "core.windows.net"
        }
    });
    Val::from_json(&json)
}

/// `reference(target, apiVersion?, 'Full'?)`.
pub(super) fn reference(args: &[Val]) -> Val {
    let Some(target) = args.first() else {
        return arity("reference", "1 to 3", args);
    };
    let full = matches!(args.get(2), Some(Val::Str(s)) if s.eq_ignore_ascii_case("full"));
    Val::unknown(Unknown::Reference {
        target: target.clone(),
        full,
        path: Vec::new(),
    })
}

/// Whether an argument is a resource type (`Namespace/type[/child…]`).
fn is_type(v: &Val) -> bool {
    matches!(v, Val::Str(s) if s.contains('/'))
}

/// Appends `/providers/{ns}/{t1}/{n1}/{t2}/{n2}…` to `prefix`.
fn providers_path(func: &str, prefix: Val, ty: &str, names: &[Val]) -> Val {
    let mut segments = ty.split('/');
    let namespace = segments.next().unwrap_or("");
    let types: Vec<&str> = segments.collect();
    if types.is_empty() || namespace.is_empty() || types.iter().any(|t| t.is_empty()) {
        return Val::opaque(format!("{func}(): '{ty}' is not a resource type"));
    }
    if types.len() != names.len() {
        return Val::opaque(format!(
            "{func}(): the type '{ty}' requires {} resource name argument(s), not {}",
            types.len(),
            names.len()
        ));
    }
    let mut sb = StrBuilder::new();
    if !sb.push_val(&prefix) {
        return Val::opaque(format!("{func}() of a scope that is not a string"));
    }
    sb.push_str("/providers/");
    sb.push_str(namespace);
    for (t, n) in types.iter().zip(names) {
        sb.push_str("/");
        sb.push_str(t);
        sb.push_str("/");
        match n {
            Val::Array(_) | Val::Object(_) => {
                return Val::opaque(format!(
                    "{func}(): a resource name that is a {}",
                    n.type_name()
                ));
            }
            n => {
                if !sb.push_val(n) {
                    return Val::opaque(format!("{func}(): a resource name {}", render(n)));
                }
            }
        }
    }
    sb.finish()
}

/// Position of the resource type among the first `max + 1` arguments.
fn type_position(func: &str, args: &[Val], max: usize) -> Result<usize, Val> {
    if let Some(i) = args.iter().take(max + 1).position(is_type) {
        return Ok(i);
    }
    Err(match super::first_unknown(args) {
        Some(u) => Val::opaque(format!(
            "{func}() with a resource type that is not known ({})",
            u.brief()
        )),
        None => Val::opaque(format!("{func}() without a resource type")),
    })
}

fn type_str(args: &[Val], i: usize) -> &str {
    args.get(i).and_then(Val::as_str).unwrap_or("")
}

fn rest(args: &[Val], i: usize) -> &[Val] {
    args.get(i + 1..).unwrap_or(&[])
}

/// `resourceId([subscriptionId], [resourceGroupName], type, names…)`.
///
/// Without a resource group argument the ID is in the deployment's scope:
/// the resource group at resource-group scope, the subscription at
/// subscription scope, the tenant (`/providers/…`) at management-group and
/// tenant scope. With one, it is that resource group (of the deployment's
/// subscription unless a subscription ID is given too).
pub(super) fn resource_id(args: &[Val], d: &DeploymentContext) -> Val {
    let i = match type_position("resourceId", args, 2) {
        Ok(i) => i,
        Err(e) => return e,
    };
    let prefix = match (i, args.first(), args.get(1)) {
        (0, _, _) => match d.scope {
            TargetScope::ResourceGroup => {
                resource_group_id_string(&d.subscription_id, &d.resource_group)
            }
            TargetScope::Subscription => subscription_id_string(&d.subscription_id),
            TargetScope::ManagementGroup | TargetScope::Tenant => Val::str(""),
        },
        (1, Some(rg), _) => resource_group_id_string(&d.subscription_id, rg),
        (_, Some(sub), Some(rg)) => resource_group_id_string(sub, rg),
        _ => return Val::opaque("resourceId() with too few arguments"),
    };
    providers_path("resourceId", prefix, type_str(args, i), rest(args, i))
}

/// `subscriptionResourceId([subscriptionId], type, names…)`.
pub(super) fn subscription_resource_id(args: &[Val], d: &DeploymentContext) -> Val {
    let i = match type_position("subscriptionResourceId", args, 1) {
        Ok(i) => i,
        Err(e) => return e,
    };
    let sub = if i == 1 {
        args.first().unwrap_or(&d.subscription_id)
    } else {
        &d.subscription_id
    };
    providers_path(
        "subscriptionResourceId",
        subscription_id_string(sub),
        type_str(args, i),
        rest(args, i),
    )
}

/// `roleDefinitions(roleName)` (Bicep's `az.roleDefinitions`): ARM looks a
/// built-in role up by its display name and gives `{id, roleDefinitionId}`
/// — the subscription-level role definition ID and the role's GUID. A name
/// that is not known, or not a built-in role idguard knows, is unknown.
pub(super) fn role_definitions(args: &[Val], d: &DeploymentContext) -> Val {
    let [name] = args else {
        return arity("roleDefinitions", "1", args);
    };
    let Some(text) = name.as_str() else {
        return Val::opaque("roleDefinitions() of a role name that is not known");
    };
    let Some(role) = crate::roles::by_name(text) else {
        return Val::opaque(format!(
            "roleDefinitions('{text}'): not a built-in role idguard knows"
        ));
    };
    let id = subscription_resource_id(
        &[
            Val::str("Microsoft.Authorization/roleDefinitions"),
            Val::str(role.id),
        ],
        d,
    );
    let mut obj = Obj::new();
    obj.insert("id", id);
    obj.insert("roleDefinitionId", Val::str(role.id));
    Val::object(obj)
}

/// `tenantResourceId(type, names…)`.
pub(super) fn tenant_resource_id(args: &[Val]) -> Val {
    let i = match type_position("tenantResourceId", args, 0) {
        Ok(i) => i,
        Err(e) => return e,
    };
    providers_path(
        "tenantResourceId",
        Val::str(""),
        type_str(args, i),
        rest(args, i),
    )
}

/// `managementGroupResourceId([managementGroupName], type, names…)`.
pub(super) fn management_group_resource_id(args: &[Val], d: &DeploymentContext) -> Val {
    let i = match type_position("managementGroupResourceId", args, 1) {
        Ok(i) => i,
        Err(e) => return e,
    };
    let mg = if i == 1 {
        args.first().unwrap_or(&d.management_group)
    } else {
        &d.management_group
    };
    providers_path(
        "managementGroupResourceId",
        management_group_id_string(mg),
        type_str(args, i),
        rest(args, i),
    )
}

/// `extensionResourceId(baseResourceId, type, names…)`.
pub(super) fn extension_resource_id(args: &[Val]) -> Val {
    let [base, ty, names @ ..] = args else {
        return arity("extensionResourceId", "at least 3", args);
    };
    let Val::Str(ty) = ty else {
        return match ty {
            Val::Unknown(u) => Val::opaque(format!(
                "extensionResourceId() with a resource type that is not known ({})",
                u.brief()
            )),
            other => super::type_error("extensionResourceId", "a resource type", other),
        };
    };
    // A trailing '/' on the base would double up.
    let base = match base {
        Val::Str(s) => Val::str(s.trim_end_matches('/')),
        other => other.clone(),
    };
    providers_path("extensionResourceId", base, ty, names)
}
