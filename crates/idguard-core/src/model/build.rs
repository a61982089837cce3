//! Builds the identity graph from an evaluation.

use std::collections::HashMap;

use crate::expr::{Unknown, Val};
use crate::policy::Policy;
use crate::roles::{self, RoleDefinitionRef};
use crate::template::ids::{self, ResourceIdInfo};
use crate::template::{Evaluation, FileId, Files};

use super::{
    Attachment, CustomRole, FederatedCredential, IdProperty, Identity, Location, Model, Principal,
    PrincipalUse, Role, RoleAssignment, Setting, SettingKind, SystemIdentity, env,
};

const UAMI: &str = "Microsoft.ManagedIdentity/userAssignedIdentities";
const ROLE_ASSIGNMENT: &str = "Microsoft.Authorization/roleAssignments";
const ROLE_DEFINITION: &str = "Microsoft.Authorization/roleDefinitions";
const FEDERATED_CREDENTIAL: &str =
    "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials";
const DEPLOYMENT: &str = "Microsoft.Resources/deployments";

/// Resource IDs of the evaluation, by lowercase type and last name, for
/// matching references and scopes to resources. Built once per model
/// ([`Model::build`] keeps it for [`principal_of`]). Keyed by the name so a
/// lookup does not compare against every resource of the type: a template
/// with thousands of identities stays linear.
#[derive(Default)]
pub(crate) struct Index {
    /// (type, [`name_key`] of the last name) → resources, in order.
    by_name: HashMap<(String, String), Vec<(usize, ResourceIdInfo)>>,
}

impl Index {
    fn new(eval: &Evaluation) -> Self {
        let mut index = Index::default();
        for (i, r) in eval.resources.iter().enumerate() {
            if let Some(info) = ids::parse_resource_id(&r.id) {
                let key = (r.ty.to_ascii_lowercase(), ids::name_key(info.names.last()));
                index.by_name.entry(key).or_default().push((i, info));
            }
        }
        index
    }

    /// The resource a (partial) resource ID names, if exactly one does.
    /// Among several candidates (a copy loop), the first is returned.
    fn find(&self, id: &Val) -> Option<usize> {
        self.find_info(&ids::parse_resource_id(id)?)
    }

    /// [`Index::find`] of a resource ID already read.
    fn find_info(&self, info: &ResourceIdInfo) -> Option<usize> {
        let ty = info.resource_type.as_ref()?.to_ascii_lowercase();
        self.by_name
            .get(&(ty, ids::name_key(info.names.last())))?
            .iter()
            .find(|(_, other)| ids::same_resource(info, other))
            .map(|(i, _)| *i)
    }
}

/// Resolves a reference target (a resource ID, or a symbolic name of the
/// deployment the value was evaluated in) to a resource.
fn resolve(eval: &Evaluation, index: &Index, target: &Val, deployment: usize) -> Option<usize> {
    // `reference('apps[2]')`: an instance of a symbolic copy loop.
    if let Some((sym, i)) = target.as_str().and_then(collection_member) {
        return eval.resources.iter().position(|r| {
            r.deployment == deployment
                && r.symbolic_name
                    .as_deref()
                    .is_some_and(|s| s.eq_ignore_ascii_case(sym))
                && r.copy.as_ref().and_then(|c| c.index) == Some(i)
        });
    }
    if let Some(sym) = target.as_str().filter(|s| !s.contains('/'))
        && let Some(id) = eval
            .deployments
            .get(deployment)
            .and_then(|d| d.symbols.get(&sym.to_ascii_lowercase()))
    {
        return index.find(id);
    }
    index
        .find(target)
        .or_else(|| by_name(eval, target, deployment))
}

/// `reference('name')` in a classic template: the resource of the same
/// deployment with that (top-level) name, when exactly one has it.
fn by_name(eval: &Evaluation, name: &Val, deployment: usize) -> Option<usize> {
    if name.as_str().is_some_and(|s| s.contains('/')) || ids::parse_resource_id(name).is_some() {
        return None;
    }
    let mut found = eval.resources.iter().enumerate().filter(|(_, r)| {
        r.deployment == deployment && !r.existing && ids::same_value(&r.name, name)
    });
    let (i, _) = found.next()?;
    found.next().is_none().then_some(i)
}

/// `name[3]` → (`name`, 3).
fn collection_member(s: &str) -> Option<(&str, i64)> {
    let (name, rest) = s.split_once('[')?;
    let index = rest.strip_suffix(']')?.trim().parse().ok()?;
    (!name.is_empty() && !name.contains('/')).then_some((name, index))
}

fn id_property(path: &[&str]) -> IdProperty {
    match path {
        [p] if p.eq_ignore_ascii_case("principalId") => IdProperty::PrincipalId,
        [p] if p.eq_ignore_ascii_case("clientId") => IdProperty::ClientId,
        _ => IdProperty::Other,
    }
}

/// An identity a resource exposes, from the path read on it: the last
/// step is one of the identity's IDs (`clientId`, `objectId`,
/// `principalId`) and an earlier one says it is an identity's
/// (`identity`, `identityProfile`): AKS
/// `addonProfiles.<addon>.identity.clientId`,
/// `identityProfile.kubeletidentity.objectId`, an entry of
/// `identity.userAssignedIdentities`. What it is called, the property of
/// its object ID, and which ID was read.
fn exposed_identity(path: &[&str]) -> Option<(String, &'static str, IdProperty)> {
    let (last, prefix) = path.split_last()?;
    let via = if last.eq_ignore_ascii_case("clientId") {
        IdProperty::ClientId
    } else if last.eq_ignore_ascii_case("objectId") || last.eq_ignore_ascii_case("principalId") {
        IdProperty::PrincipalId
    } else {
        return None;
    };
    fn is(a: &str, b: &str) -> bool {
        a.eq_ignore_ascii_case(b)
    }
    let object_key = if path.iter().any(|p| is(p, "userAssignedIdentities")) {
        "principalId"
    } else {
        "objectId"
    };
    let what = match prefix {
        [a, name] if is(a, "identityProfile") && is(name, "kubeletidentity") => {
            "kubelet identity".to_string()
        }
        [a, name] if is(a, "identityProfile") => format!("'{name}' identity"),
        [a, addon, i] if is(a, "addonProfiles") && is(i, "identity") => {
            format!("'{addon}' add-on identity")
        }
        _ if prefix
            .iter()
            .any(|p| is(p, "identity") || is(p, "identityProfile")) =>
        {
            format!("identity at '{}'", prefix.join("."))
        }
        _ => return None,
    };
    Some((what, object_key, via))
}

/// Who a principal-ID value denotes. `deployment` is where the value was
/// evaluated (for symbolic names).
pub fn principal_of(model: &Model<'_>, value: &Val, deployment: usize) -> Principal {
    principal_with(
        model.eval,
        &model.index,
        &model.identities,
        value,
        deployment,
        0,
    )
}

fn principal_with(
    eval: &Evaluation,
    index: &Index,
    identities: &[Identity],
    value: &Val,
    deployment: usize,
    depth: usize,
) -> Principal {
    match value {
        Val::Str(s) if roles::is_guid(s) => Principal::Literal(s.to_string()),
        Val::Unknown(u) => {
            let Some((target, path)) = u.reference_property() else {
                return Principal::Unknown;
            };
            let resolved = resolve(eval, index, target, deployment);
            // A module's output: follow it into the nested deployment.
            if let (Some(r), ["outputs", name, "value"]) = (
                resolved.and_then(|r| eval.resources.get(r).map(|res| (r, res))),
                path.as_slice(),
            ) {
                let (ri, res) = r;
                if res.is_type(DEPLOYMENT)
                    && depth < 8
                    && let Some((di, d)) = eval
                        .deployments
                        .iter()
                        .enumerate()
                        .find(|(_, d)| d.resource == Some(ri))
                    && let Some(v) = d.outputs.get(name).and_then(|o| o.get("value"))
                {
                    return principal_with(eval, index, identities, v, di, depth + 1);
                }
            }
            let full = matches!(u.as_ref(), Unknown::Reference { full: true, .. });
            match resolved {
                Some(r) => {
                    let res = eval.resources.get(r);
                    if res.is_some_and(|res| res.is_type(UAMI))
                        && let Some(i) = identities.iter().position(|id| id.resource == r)
                    {
                        return Principal::Identity {
                            identity: i,
                            via: id_property(&path),
                        };
                    }
                    if full
                        && path.len() == 2
                        && path
                            .first()
                            .is_some_and(|p| p.eq_ignore_ascii_case("identity"))
                    {
                        let via = id_property(path.get(1..).unwrap_or_default());
                        return Principal::SystemAssigned { resource: r, via };
                    }
                    // A reference that was not full reads the resource's
                    // properties, where an identity at `identity` is not the
                    // system-assigned one.
                    if let Some((what, object_key, via)) = exposed_identity(&path)
                        && !(path.len() == 2
                            && path
                                .first()
                                .is_some_and(|p| p.eq_ignore_ascii_case("identity")))
                    {
                        return Principal::ResourceIdentity {
                            resource: r,
                            what,
                            object_key,
                            via,
                        };
                    }
                    Principal::Unknown
                }
                None => {
                    let is_uami = ids::parse_resource_id(target)
                        .and_then(|i| i.resource_type)
                        .is_some_and(|t| t.eq_ignore_ascii_case(UAMI));
                    if is_uami {
                        Principal::ExternalIdentity {
                            via: id_property(&path),
                            id: target.clone(),
                        }
                    } else {
                        Principal::Unknown
                    }
                }
            }
        }
        _ => Principal::Unknown,
    }
}

/// The role a `roleDefinitionId` value names.
fn role_of(value: &Val, custom: &[CustomRole], eval: &Evaluation) -> Role {
    match value {
        Val::Str(s) => match roles::parse_role_definition_id(s) {
            RoleDefinitionRef::ResourceId { guid, .. } => lookup_guid(guid, custom),
            RoleDefinitionRef::BareGuid(_) | RoleDefinitionRef::Malformed => {
                Role::Malformed(s.to_string())
            }
        },
        Val::Unknown(_) => {
            let Some(info) = ids::parse_resource_id(value) else {
                return Role::Unknown;
            };
            match info.resource_type.as_deref() {
                Some(t) if t.eq_ignore_ascii_case(ROLE_DEFINITION) => {}
                // The ID of another resource type (a roleAssignments ID, say):
                // never a role definition, whatever the unknown parts are.
                Some(_) => return Role::Malformed(value.display()),
                None => return Role::Unknown,
            }
            let Some(last) = info.names.last() else {
                return Role::Unknown;
            };
            if let Some(g) = last.as_str() {
                return lookup_guid(g, custom);
            }
            // A custom role named by the same (unknown) guid(...) expression.
            custom
                .iter()
                .position(|c| {
                    eval.resources
                        .get(c.resource)
                        .is_some_and(|r| ids::same_value(&r.name, last))
                })
                .map(Role::Custom)
                .unwrap_or(Role::Unknown)
        }
        _ => Role::Malformed(value.display()),
    }
}

fn lookup_guid(guid: &str, custom: &[CustomRole]) -> Role {
    if let Some(b) = roles::by_id(guid) {
        return Role::Builtin(b);
    }
    if let Some(i) = custom.iter().position(|c| {
        c.guid
            .as_deref()
            .is_some_and(|g| g.eq_ignore_ascii_case(guid))
    }) {
        return Role::Custom(i);
    }
    if roles::is_guid(guid) {
        Role::OtherGuid(guid.to_ascii_lowercase())
    } else {
        Role::Malformed(guid.to_string())
    }
}

impl<'a> Model<'a> {
    /// Builds the graph of `eval` (evaluated with `parameter_file`).
    pub fn build(
        files: &'a Files,
        eval: &'a Evaluation,
        parameter_file: Option<FileId>,
        policy: &Policy,
    ) -> Model<'a> {
        let index = Index::new(eval);
        let mut model = Model {
            files,
            eval,
            parameter_file,
            identities: Vec::new(),
            system_identities: Vec::new(),
            attachments: Vec::new(),
            role_assignments: Vec::new(),
            custom_roles: Vec::new(),
            federated_credentials: Vec::new(),
            settings: Vec::new(),
            principal_uses: Vec::new(),
            environment: None,
            resource_environments: Vec::new(),
            index: Index::default(),
        };

        // The deployment's environment.
        model.environment = eval
            .deployments
            .first()
            .and_then(|d| {
                d.parameters
                    .iter()
                    .find_map(|p| env::of_parameter(policy, &p.name, &p.value))
            })
            .or_else(|| {
                parameter_file
                    .and_then(|f| files.get(f))
                    .and_then(|f| env::of_parameter_file(policy, &f.path))
            });
        model.resource_environments = eval
            .resources
            .iter()
            .map(|r| {
                env::of_resource(policy, r.get(&["tags"]), &r.name)
                    .or_else(|| model.environment.clone())
            })
            .collect();

        for (i, r) in eval.resources.iter().enumerate() {
            if r.is_type(UAMI) {
                model.identities.push(Identity {
                    resource: i,
                    name: r.name.clone(),
                    existing: r.existing,
                    environment: model.resource_environments.get(i).cloned().flatten(),
                });
            }
            if r.existing {
                continue;
            }
            let identity_type = r
                .get(&["identity", "type"])
                .and_then(Val::as_str)
                .unwrap_or_default();
            if identity_type
                .to_ascii_lowercase()
                .contains("systemassigned")
            {
                model.system_identities.push(SystemIdentity { resource: i });
            }
            if r.is_type(ROLE_DEFINITION) {
                model.custom_roles.push(custom_role(&model, i));
            }
        }

        for (i, r) in eval.resources.iter().enumerate() {
            if r.existing {
                continue;
            }
            let Some(doc) = files.get(r.file).map(|f| &f.doc) else {
                continue;
            };
            for (key, span) in &r.user_assigned {
                let identity = index
                    .find(key)
                    .and_then(|ri| model.identities.iter().position(|id| id.resource == ri));
                let node = r.locate(doc, &["identity", "userAssignedIdentities"]);
                let node = doc
                    .members(node)
                    .iter()
                    .find(|m| m.key_span == *span)
                    .map(|m| m.value)
                    .unwrap_or(node);
                model.attachments.push(Attachment {
                    workload: i,
                    identity,
                    key: key.clone(),
                    location: Location {
                        file: r.file,
                        node,
                        span: *span,
                    },
                });
            }
            if r.is_type(ROLE_ASSIGNMENT) {
                let a = role_assignment(&model, &index, i);
                model.role_assignments.push(a);
            }
            if r.is_type(FEDERATED_CREDENTIAL) {
                let c = federated_credential(&model, &index, i);
                model.federated_credentials.push(c);
            }
            collect_settings(&mut model, i);
            collect_principal_uses(&mut model, &index, i);
        }
        model.index = index;
        model
    }
}

fn loc_or_resource(model: &Model<'_>, resource: usize, path: &[&str]) -> Location {
    model.locate(resource, path).unwrap_or(Location {
        file: 0,
        node: crate::source::NodeId(0),
        span: crate::source::Span::default(),
    })
}

/// The items of the array at `path` in resource `i`, each with where it is
/// written (empty when there is no array there).
fn located_items(model: &Model<'_>, i: usize, path: &[&str]) -> Vec<(Val, Location)> {
    let Some(items) = model
        .eval
        .resources
        .get(i)
        .and_then(|r| r.get(path))
        .and_then(Val::as_array)
    else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .map(|(j, v)| {
            let j = j.to_string();
            let mut at = path.to_vec();
            at.push(&j);
            (v.clone(), loc_or_resource(model, i, &at))
        })
        .collect()
}

fn role_assignment(model: &Model<'_>, index: &Index, i: usize) -> RoleAssignment {
    let eval = model.eval;
    let r = eval.resources.get(i);
    let get = |path: &[&str]| r.and_then(|r| r.get(path)).cloned();
    let deployment = r.map(|r| r.deployment).unwrap_or(0);
    let principal = get(&["properties", "principalId"])
        .map(|v| principal_with(eval, index, &model.identities, &v, deployment, 0))
        .unwrap_or(Principal::Unknown);
    let role = get(&["properties", "roleDefinitionId"])
        .map(|v| role_of(&v, &model.custom_roles, eval))
        .unwrap_or(Role::Unknown);
    let scope = r
        .and_then(|r| r.scope.clone())
        .or_else(|| eval.deployments.get(deployment).map(|d| d.scope_id.clone()))
        .unwrap_or(Val::Null);
    let info = ids::parse_resource_id(&scope);
    let scope_level = info.as_ref().map(|i| i.level);
    let target = match scope_level {
        Some(super::ScopeLevel::Resource) => index.find(&scope),
        _ => None,
    };
    RoleAssignment {
        resource: i,
        principal,
        role,
        scope,
        scope_level,
        target,
        principal_type: get(&["properties", "principalType"]),
        name: r.map(|r| r.name.clone()).unwrap_or(Val::Null),
        role_location: loc_or_resource(model, i, &["properties", "roleDefinitionId"]),
        principal_location: loc_or_resource(model, i, &["properties", "principalId"]),
        name_location: loc_or_resource(model, i, &["name"]),
    }
}

fn federated_credential(model: &Model<'_>, index: &Index, i: usize) -> FederatedCredential {
    let r = model.eval.resources.get(i);
    let get = |path: &[&str]| r.and_then(|r| r.get(path)).cloned();
    // The parent identity: the credential's ID without its last type and
    // name segment.
    let identity = r
        .and_then(|r| ids::parse_resource_id(&r.id))
        .filter(|info| info.names.len() >= 2)
        .and_then(|mut info| {
            info.names.truncate(1);
            info.resource_type = Some(UAMI.to_string());
            index.find_info(&info)
        })
        .and_then(|ri| model.identities.iter().position(|id| id.resource == ri));
    let with_location = |path: &[&str]| get(path).map(|v| (v, loc_or_resource(model, i, path)));
    let audiences = located_items(model, i, &["properties", "audiences"]);
    FederatedCredential {
        resource: i,
        identity,
        issuer: with_location(&["properties", "issuer"])
            .unwrap_or_else(|| (Val::Null, loc_or_resource(model, i, &["type"]))),
        subject: with_location(&["properties", "subject"]).filter(|(v, _)| *v != Val::Null),
        claims_expression: with_location(&["properties", "claimsMatchingExpression", "value"]),
        audiences,
        audiences_location: model
            .locate(i, &["properties", "audiences"])
            .unwrap_or_else(|| loc_or_resource(model, i, &["type"])),
    }
}

fn custom_role(model: &Model<'_>, i: usize) -> CustomRole {
    let r = model.eval.resources.get(i);
    let list = |perm: usize, key: &str| -> Vec<(Val, Location)> {
        let idx = perm.to_string();
        located_items(model, i, &["properties", "permissions", &idx, key])
    };
    let perms = r
        .and_then(|r| r.get(&["properties", "permissions"]))
        .and_then(Val::as_array)
        .map(|p| p.len())
        .unwrap_or(0);
    let mut actions = Vec::new();
    let mut not_actions = Vec::new();
    let mut data_actions = Vec::new();
    for p in 0..perms {
        actions.extend(list(p, "actions"));
        not_actions.extend(list(p, "notActions"));
        data_actions.extend(list(p, "dataActions"));
    }
    let assignable_scopes = located_items(model, i, &["properties", "assignableScopes"]);
    CustomRole {
        resource: i,
        guid: r.and_then(|r| r.name.as_str()).map(str::to_string),
        role_name: r
            .and_then(|r| r.get(&["properties", "roleName"]))
            .and_then(Val::as_str)
            .map(str::to_string),
        actions,
        not_actions,
        data_actions,
        assignable_scopes,
    }
}

fn is_reference_value(v: &Val) -> bool {
    v.as_str().is_some_and(|s| {
        s.trim_start()
            .to_ascii_lowercase()
            .starts_with("@microsoft.keyvault(")
    })
}

fn collect_settings(model: &mut Model<'_>, i: usize) {
    let Some(r) = model.eval.resources.get(i) else {
        return;
    };
    let ty = r.ty.to_ascii_lowercase();
    let mut found: Vec<Setting> = Vec::new();
    let mut name_value_list =
        |path: &[&str], name_key: &str, value_keys: &[&str], kind: SettingKind, workload: usize| {
            let Some(items) = r.get(path).and_then(Val::as_array) else {
                return;
            };
            for (j, item) in items.iter().enumerate() {
                let Some(name) = item.get(name_key).and_then(Val::as_str) else {
                    continue;
                };
                let js = j.to_string();
                let mut p: Vec<&str> = path.to_vec();
                p.push(&js);
                let (value, vkey) = value_keys
                    .iter()
                    .find_map(|k| item.get(k).map(|v| (v.clone(), *k)))
                    .unwrap_or((Val::Null, ""));
                let secret_ref = item.get("secretRef").is_some();
                if !vkey.is_empty() {
                    p.push(vkey);
                }
                found.push(Setting {
                    workload,
                    kind,
                    name: name.to_string(),
                    is_reference: secret_ref || is_reference_value(&value),
                    value,
                    location: loc_or_resource(model, i, &p),
                });
            }
        };
    if ty == "microsoft.web/sites" || ty == "microsoft.web/sites/slots" {
        name_value_list(
            &["properties", "siteConfig", "appSettings"],
            "name",
            &["value"],
            SettingKind::AppSetting,
            i,
        );
        name_value_list(
            &["properties", "siteConfig", "connectionStrings"],
            "name",
            &["connectionString", "value"],
            SettingKind::ConnectionString,
            i,
        );
    }
    if (ty == "microsoft.app/containerapps" || ty == "microsoft.app/jobs")
        && let Some(containers) = r
            .get(&["properties", "template", "containers"])
            .and_then(Val::as_array)
    {
        for c in 0..containers.len() {
            let cs = c.to_string();
            name_value_list(
                &["properties", "template", "containers", &cs, "env"],
                "name",
                &["value", "secretRef"],
                SettingKind::EnvironmentVariable,
                i,
            );
        }
    }
    if ty == "microsoft.containerinstance/containergroups"
        && let Some(containers) = r.get(&["properties", "containers"]).and_then(Val::as_array)
    {
        for c in 0..containers.len() {
            let cs = c.to_string();
            name_value_list(
                &[
                    "properties",
                    "containers",
                    &cs,
                    "properties",
                    "environmentVariables",
                ],
                "name",
                &["value", "secureValue"],
                SettingKind::EnvironmentVariable,
                i,
            );
        }
    }
    // `Microsoft.Web/sites/config` named `…/appsettings` or `…/connectionstrings`.
    if ty == "microsoft.web/sites/config" || ty == "microsoft.web/sites/slots/config" {
        let name = r.name.display().to_ascii_lowercase();
        let kind = if name.ends_with("appsettings") {
            Some(SettingKind::AppSetting)
        } else if name.ends_with("connectionstrings") {
            Some(SettingKind::ConnectionString)
        } else {
            None
        };
        let site = site_of_config(model, i);
        if let (Some(kind), Some(props)) = (kind, r.get(&["properties"]).and_then(Val::as_object)) {
            for (k, v) in props.iter() {
                let value = match kind {
                    SettingKind::ConnectionString => v.get("value").cloned().unwrap_or(v.clone()),
                    _ => v.clone(),
                };
                let mut path = vec!["properties", &**k];
                if kind == SettingKind::ConnectionString && v.get("value").is_some() {
                    path.push("value");
                }
                found.push(Setting {
                    workload: site.unwrap_or(i),
                    kind,
                    name: k.to_string(),
                    is_reference: is_reference_value(&value),
                    value,
                    location: loc_or_resource(model, i, &path),
                });
            }
        }
    }
    model.settings.extend(found);
}

/// The site a `Microsoft.Web/sites/config` resource belongs to.
fn site_of_config(model: &Model<'_>, i: usize) -> Option<usize> {
    let r = model.eval.resources.get(i)?;
    let info = ids::parse_resource_id(&r.id)?;
    let site_name = info.names.first()?;
    model.eval.resources.iter().position(|s| {
        (s.is_type("Microsoft.Web/sites") || s.is_type("Microsoft.Web/sites/slots"))
            && ids::same_value(&s.name, site_name)
    })
}

fn collect_principal_uses(model: &mut Model<'_>, index: &Index, i: usize) {
    let Some(r) = model.eval.resources.get(i) else {
        return;
    };
    let mut uses = Vec::new();
    let policies_path: Option<&[&str]> = if r.is_type("Microsoft.KeyVault/vaults")
        || r.is_type("Microsoft.KeyVault/vaults/accessPolicies")
    {
        Some(&["properties", "accessPolicies"])
    } else {
        None
    };
    if let Some(path) = policies_path
        && let Some(items) = r.get(path).and_then(Val::as_array)
    {
        for (j, item) in items.iter().enumerate() {
            let Some(object_id) = item.get("objectId") else {
                continue;
            };
            let js = j.to_string();
            let mut p = path.to_vec();
            p.push(&js);
            p.push("objectId");
            uses.push(PrincipalUse {
                resource: i,
                what: "Key Vault access policy objectId",
                principal: principal_with(
                    model.eval,
                    index,
                    &model.identities,
                    object_id,
                    r.deployment,
                    0,
                ),
                location: loc_or_resource(model, i, &p),
            });
        }
    }
    let sid_path: Option<&[&str]> = if r.is_type("Microsoft.Sql/servers") {
        Some(&["properties", "administrators", "sid"])
    } else if r.is_type("Microsoft.Sql/servers/administrators") {
        Some(&["properties", "sid"])
    } else {
        None
    };
    if let Some(path) = sid_path
        && let Some(sid) = r.get(path)
    {
        uses.push(PrincipalUse {
            resource: i,
            what: "SQL server Entra administrator sid",
            principal: principal_with(model.eval, index, &model.identities, sid, r.deployment, 0),
            location: loc_or_resource(model, i, path),
        });
    }
    model.principal_uses.extend(uses);
}
