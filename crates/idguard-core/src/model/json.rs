//! The identity graph of one evaluation as JSON: the input policy plugins
//! read (`docs/plugin-abi.md`, schema `policies/model.schema.json`).
//!
//! The JSON is versioned by [`MODEL_VERSION`]; a change that removes or
//! renames a field bumps it (and the plugin ABI version). Records refer to
//! each other by index (`resources[i]`, `identities[i]`,
//! `customRoles[i]`). Every record carries its `source`: the file, the JSON
//! pointer and the line/column range it was read from, so a plugin's
//! findings can point at lines. A value the checker cannot know before
//! deployment is `{"$unknown": "<ARM-like expression>"}`.
//!
//! Secrets: the model never carries a value a secret may hide in. Setting
//! values (app settings, connection strings, container environment
//! variables) are included only when [`setting_value_is_shareable`] says
//! so; parameter values are not included at all; resource bodies are
//! reduced to type, name, ID, location and tags.

use serde_json::{Map, Value, json};

use super::{
    EnvSource, Environment, IdProperty, Location, Model, Principal, Role, ScopeLevel, SettingKind,
};
use crate::expr::Val;
use crate::policy::Policy;
use crate::vocab::contains_any;

/// Version of the model JSON.
pub const MODEL_VERSION: u32 = 1;

/// Setting-name words that mark a secret (compared on the lowercased name
/// with `_`, `-`, `.` and `:` removed).
const SECRET_NAME_WORDS: &[&[u8]] = &[
    b"password",
    b"passwd",
    b"pwd",
    b"secret",
    b"key",
    b"token",
    b"credential",
    b"connectionstring",
    b"connstr",
    b"sas",
    b"signature",
    b"certificate",
    b"pfx",
    b"privatekey",
];

/// Markers of a credential inside a value (lowercased).
const SECRET_VALUE_MARKERS: &[&[u8]] = &[
    b"password=",
    b"pwd=",
    b"accountkey=",
    b"sharedaccesskey=",
    b"sharedaccesssignature=",
    b"sig=",
    b"secret",
    b"-----begin",
];

/// Whether a setting's value may go into the model: never for connection
/// strings, never for a setting whose name looks like a secret (password,
/// key, token, secret, SAS, certificate, …), never for a value that holds
/// a credential marker (`Password=`, `AccountKey=`, `sig=`, a PEM header);
/// always for Key Vault and secret references (they name a secret, they do
/// not hold it).
pub fn setting_value_is_shareable(
    kind: SettingKind,
    name: &str,
    value: &Val,
    is_reference: bool,
) -> bool {
    if is_reference {
        return true;
    }
    if kind == SettingKind::ConnectionString {
        return false;
    }
    let keep = |c: &char| !matches!(c, '_' | '-' | '.' | ':');
    let squashed: Vec<u8> = if name.is_ascii() {
        name.chars()
            .filter(keep)
            .map(|c| c.to_ascii_lowercase() as u8)
            .collect()
    } else {
        // Unicode lower-casing can make ASCII (the Kelvin sign is `k`).
        let s: String = name
            .chars()
            .filter(keep)
            .flat_map(char::to_lowercase)
            .collect();
        s.into_bytes()
    };
    if contains_any(&squashed, SECRET_NAME_WORDS) {
        return false;
    }
    if matches!(value, Val::Null) {
        return true;
    }
    let text = value.display().to_ascii_lowercase();
    !contains_any(text.as_bytes(), SECRET_VALUE_MARKERS)
}

/// `{file, pointer, range}` of a location.
fn location(model: &Model<'_>, loc: Location) -> Value {
    let Some(entry) = model.files.get(loc.file) else {
        return Value::Null;
    };
    let start = model.files.position(loc.file, loc.span.start);
    let end = model.files.position(loc.file, loc.span.end);
    json!({
        "file": entry.path,
        "pointer": entry.pointer(loc.node),
        "range": {
            "start": {"line": start.line, "column": start.column, "utf16Column": start.utf16_column},
            "end": {"line": end.line, "column": end.column, "utf16Column": end.utf16_column},
        }
    })
}

/// The location of a whole resource object.
fn resource_location(model: &Model<'_>, resource: usize) -> Value {
    model
        .locate(resource, &[])
        .map_or(Value::Null, |l| location(model, l))
}

fn environment(policy: &Policy, env: Option<&Environment>) -> Value {
    let Some(env) = env else {
        return Value::Null;
    };
    let (source, parameter) = match &env.source {
        EnvSource::Tag => ("tag", None),
        EnvSource::Name => ("name", None),
        EnvSource::Parameter(p) => ("parameter", Some(p.as_str())),
        EnvSource::ParameterFile => ("parameterFile", None),
    };
    let mut out = json!({
        "name": env.name,
        "source": source,
        "production": policy.is_production(&env.name),
    });
    if let (Some(p), Some(obj)) = (parameter, out.as_object_mut()) {
        obj.insert("parameter".into(), Value::String(p.to_string()));
    }
    out
}

fn opt_val(v: Option<&Val>) -> Value {
    v.map_or(Value::Null, Val::to_json_lossy)
}

fn via(v: Option<IdProperty>) -> Value {
    match v {
        Some(IdProperty::PrincipalId) => "principalId".into(),
        Some(IdProperty::ClientId) => "clientId".into(),
        Some(IdProperty::Other) => "other".into(),
        None => Value::Null,
    }
}

fn principal(p: &Principal) -> Value {
    match p {
        Principal::Identity { identity, via: v } => {
            json!({"kind": "identity", "identity": identity, "via": via(Some(*v))})
        }
        Principal::SystemAssigned { resource, via: v } => {
            json!({"kind": "systemAssigned", "resource": resource, "via": via(Some(*v))})
        }
        Principal::ExternalIdentity { via: v, id } => {
            json!({"kind": "externalIdentity", "id": id.to_json_lossy(), "via": via(Some(*v))})
        }
        Principal::ResourceIdentity {
            resource,
            what,
            via: v,
            ..
        } => {
            json!({"kind": "resourceIdentity", "resource": resource, "value": what, "via": via(Some(*v))})
        }
        Principal::Literal(guid) => json!({"kind": "literal", "value": guid, "via": null}),
        Principal::Unknown => json!({"kind": "unknown", "via": null}),
    }
}

fn role(model: &Model<'_>, r: &Role) -> Value {
    match r {
        Role::Builtin(b) => json!({
            "kind": "builtin",
            "id": b.id,
            "name": b.name,
            "builtin": true,
            "privileged": b.privileged,
            "grantsAccess": b.grants_access,
            "dataPlane": b.data_plane,
            "wildcardActions": b.wildcard_actions,
        }),
        Role::Custom(i) => {
            let c = model.custom_roles.get(*i);
            json!({
                "kind": "custom",
                "id": c.and_then(|c| c.guid.clone()),
                "name": c.and_then(|c| c.role_name.clone()),
                "builtin": false,
                "customRole": i,
                "wildcardActions": c.is_some_and(|c| c.has_wildcard_action()),
            })
        }
        Role::OtherGuid(g) => json!({"kind": "otherGuid", "id": g, "name": null, "builtin": false}),
        Role::Malformed(v) => {
            json!({"kind": "malformed", "id": null, "name": null, "builtin": false, "value": v})
        }
        Role::Unknown => json!({"kind": "unknown", "id": null, "name": null, "builtin": false}),
    }
}

fn scope_level(l: Option<ScopeLevel>) -> Value {
    l.map_or(Value::Null, |l| Value::String(l.as_str().to_string()))
}

fn setting_kind(k: SettingKind) -> &'static str {
    match k {
        SettingKind::AppSetting => "appSetting",
        SettingKind::ConnectionString => "connectionString",
        SettingKind::EnvironmentVariable => "environmentVariable",
    }
}

fn valued_list(model: &Model<'_>, items: &[(Val, Location)]) -> Value {
    Value::Array(
        items
            .iter()
            .map(|(v, l)| json!({"value": v.to_json_lossy(), "source": location(model, *l)}))
            .collect(),
    )
}

/// The model of one evaluation as JSON (`policies/model.schema.json`).
/// `policy` is the one the model was built with (for which environments
/// are production).
pub fn model_json(model: &Model<'_>, policy: &Policy) -> Value {
    let template = model
        .eval
        .deployments
        .first()
        .and_then(|d| model.files.get(d.file))
        .or_else(|| model.files.get(0))
        .map(|e| e.path.clone())
        .unwrap_or_default();
    let parameter_file = model
        .parameter_file
        .and_then(|p| model.files.get(p))
        .map(|e| Value::String(e.path.clone()))
        .unwrap_or(Value::Null);
    let mut file_names: Vec<&str> = Vec::new();
    for e in &model.files.entries {
        if !file_names.contains(&e.path.as_str()) {
            file_names.push(&e.path);
        }
    }

    let deployments: Vec<Value> = model
        .eval
        .deployments
        .iter()
        .enumerate()
        .map(|(i, d)| {
            json!({
                "index": i,
                "parent": d.parent,
                "resource": d.resource,
                "file": model.files.get(d.file).map(|e| e.path.clone()),
                "scope": d.scope_id.to_json_lossy(),
            })
        })
        .collect();

    let resources: Vec<Value> = model
        .eval
        .resources
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut obj = Map::new();
            obj.insert("index".into(), i.into());
            obj.insert("type".into(), Value::String(r.ty.to_string()));
            obj.insert("name".into(), r.name.to_json_lossy());
            obj.insert(
                "symbolicName".into(),
                r.symbolic_name
                    .as_ref()
                    .map_or(Value::Null, |s| Value::String(s.to_string())),
            );
            obj.insert("id".into(), r.id.to_json_lossy());
            obj.insert("location".into(), opt_val(r.get(&["location"])));
            obj.insert("tags".into(), opt_val(r.get(&["tags"])));
            obj.insert("kind".into(), opt_val(r.get(&["kind"])));
            obj.insert("existing".into(), r.existing.into());
            obj.insert("deployment".into(), r.deployment.into());
            obj.insert("scope".into(), opt_val(r.scope.as_ref()));
            obj.insert(
                "copyIndex".into(),
                r.copy
                    .as_ref()
                    .and_then(|c| c.index)
                    .map_or(Value::Null, Value::from),
            );
            obj.insert(
                "environment".into(),
                environment(policy, model.environment_of(i)),
            );
            obj.insert("source".into(), resource_location(model, i));
            Value::Object(obj)
        })
        .collect();

    let identities: Vec<Value> = model
        .identities
        .iter()
        .enumerate()
        .map(|(i, id)| {
            json!({
                "index": i,
                "resource": id.resource,
                "name": id.name.to_json_lossy(),
                "existing": id.existing,
                "environment": environment(policy, id.environment.as_ref()),
                "source": resource_location(model, id.resource),
            })
        })
        .collect();

    let system_identities: Vec<Value> = model
        .system_identities
        .iter()
        .map(|s| {
            let source = model
                .locate(s.resource, &["identity"])
                .map_or(Value::Null, |l| location(model, l));
            json!({"resource": s.resource, "source": source})
        })
        .collect();

    let attachments: Vec<Value> = model
        .attachments
        .iter()
        .map(|a| {
            json!({
                "workload": a.workload,
                "identity": a.identity,
                "key": a.key.to_json_lossy(),
                "source": location(model, a.location),
            })
        })
        .collect();

    let role_assignments: Vec<Value> = model
        .role_assignments
        .iter()
        .map(|a| {
            json!({
                "resource": a.resource,
                "name": a.name.to_json_lossy(),
                "principal": principal(&a.principal),
                "role": role(model, &a.role),
                "scope": a.scope.to_json_lossy(),
                "scopeLevel": scope_level(a.scope_level),
                "target": a.target,
                "principalType": opt_val(a.principal_type.as_ref()),
                "source": resource_location(model, a.resource),
                "roleSource": location(model, a.role_location),
                "principalSource": location(model, a.principal_location),
                "nameSource": location(model, a.name_location),
            })
        })
        .collect();

    let custom_roles: Vec<Value> = model
        .custom_roles
        .iter()
        .enumerate()
        .map(|(i, c)| {
            json!({
                "index": i,
                "resource": c.resource,
                "id": c.guid,
                "roleName": c.role_name,
                "actions": valued_list(model, &c.actions),
                "dataActions": valued_list(model, &c.data_actions),
                "assignableScopes": valued_list(model, &c.assignable_scopes),
                "source": resource_location(model, c.resource),
            })
        })
        .collect();

    let settings: Vec<Value> = model
        .settings
        .iter()
        .map(|s| {
            let mut obj = Map::new();
            obj.insert("workload".into(), s.workload.into());
            obj.insert("kind".into(), setting_kind(s.kind).into());
            obj.insert("name".into(), Value::String(s.name.clone()));
            obj.insert("isReference".into(), s.is_reference.into());
            if setting_value_is_shareable(s.kind, &s.name, &s.value, s.is_reference) {
                obj.insert("value".into(), s.value.to_json_lossy());
                obj.insert("redacted".into(), false.into());
            } else {
                obj.insert("redacted".into(), true.into());
            }
            obj.insert("source".into(), location(model, s.location));
            Value::Object(obj)
        })
        .collect();

    let principal_uses: Vec<Value> = model
        .principal_uses
        .iter()
        .map(|u| {
            json!({
                "resource": u.resource,
                "what": u.what,
                "principal": principal(&u.principal),
                "source": location(model, u.location),
            })
        })
        .collect();

    json!({
        "modelVersion": MODEL_VERSION,
        "template": template,
        "parameterFile": parameter_file,
        "files": file_names,
        "environment": environment(policy, model.environment.as_ref()),
        "deployments": deployments,
        "resources": resources,
        "identities": identities,
        "systemIdentities": system_identities,
        "attachments": attachments,
        "roleAssignments": role_assignments,
        "customRoles": custom_roles,
        "settings": settings,
        "principalUses": principal_uses,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_names_are_lower_cased_as_unicode_does() {
        let app = SettingKind::AppSetting;
        // U+212A KELVIN SIGN lower-cases to an ASCII `k`: "\u{212A}EY" is "key".
        assert!(!setting_value_is_shareable(
            app,
            "API_\u{212A}EY",
            &Val::str("abc"),
            false
        ));
        assert!(setting_value_is_shareable(
            app,
            "RÉGION",
            &Val::str("weu"),
            false
        ));
        // A null value holds no marker.
        assert!(setting_value_is_shareable(app, "REGION", &Val::Null, false));
    }

    #[test]
    fn secret_like_settings_are_not_shared() {
        let v = |s: &str| Val::str(s);
        let app = SettingKind::AppSetting;
        assert!(setting_value_is_shareable(
            app,
            "AZURE_CLIENT_ID",
            &v("abc"),
            false
        ));
        assert!(!setting_value_is_shareable(
            app,
            "DB_PASSWORD",
            &v("abc"),
            false
        ));
        assert!(!setting_value_is_shareable(
            app,
            "Storage:AccountKey",
            &v("abc"),
            false
        ));
        assert!(!setting_value_is_shareable(
            app,
            "API_TOKEN",
            &v("abc"),
            false
        ));
        assert!(!setting_value_is_shareable(
            app,
            "x",
            &v("Server=a;Password=b"),
            false
        ));
        assert!(!setting_value_is_shareable(
            app,
            "x",
            &v("https://a/?sv=1&sig=zz"),
            false
        ));
        assert!(!setting_value_is_shareable(
            SettingKind::ConnectionString,
            "Db",
            &v("Server=a"),
            false
        ));
        // A Key Vault reference names a secret; it does not hold it.
        assert!(setting_value_is_shareable(
            app,
            "DB_PASSWORD",
            &v("@Microsoft.KeyVault(SecretUri=https://kv/secrets/db)"),
            true
        ));
    }
}
