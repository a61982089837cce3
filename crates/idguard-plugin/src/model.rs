//! Typed view of the model JSON (`policies/model.schema.json`, model
//! version 1). Fields the checker may not know at check time are
//! [`serde_json::Value`]s: a known JSON value, or `{"$unknown": "<expr>"}`
//! ([`is_unknown`], [`known_str`]). Unknown fields are ignored, so a plugin
//! built against this version keeps reading later, additive versions.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The model version this crate reads.
pub const MODEL_VERSION: u32 = 1;

/// Whether a value is `{"$unknown": …}` (not known before deployment).
pub fn is_unknown(v: &Value) -> bool {
    v.as_object().is_some_and(|o| o.contains_key("$unknown"))
}

/// A string value when it is known.
pub fn known_str(v: &Value) -> Option<&str> {
    v.as_str()
}

/// The expression an unknown value stands for (`parameters('name')`).
pub fn unknown_expression(v: &Value) -> Option<&str> {
    v.get("$unknown")?.as_str()
}

/// A line and column (1-based; `column` counts characters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Position {
    pub line: u32,
    pub column: u32,
    #[serde(default)]
    pub utf16_column: u32,
}

/// A start and end position.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    pub start: Position,
    pub end: Position,
}

/// Where a record was read from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub file: String,
    pub pointer: String,
    #[serde(default)]
    pub range: Option<Range>,
}

impl Source {
    /// The location of a member below this one (`tags` → `…/tags`).
    pub fn child(&self, key: &str) -> Source {
        Source {
            file: self.file.clone(),
            pointer: format!("{}/{}", self.pointer, crate::escape_pointer_segment(key)),
            range: None,
        }
    }
}

/// An environment (dev, test, prod, …) and where it was read from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Environment {
    /// Canonical name, as the policy names it.
    pub name: String,
    /// `tag`, `name`, `parameter` or `parameterFile`.
    pub source: String,
    /// The parameter it came from, for `source: parameter`.
    #[serde(default)]
    pub parameter: Option<String>,
    /// Whether the policy marks it as a production environment.
    #[serde(default)]
    pub production: bool,
}

/// The identity graph of one evaluation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Model {
    pub model_version: u32,
    /// The template, as the caller named it.
    pub template: String,
    /// The parameter file of this evaluation.
    pub parameter_file: Option<String>,
    /// Every file of the evaluation (template, linked templates, parameter
    /// file).
    pub files: Vec<String>,
    /// The deployment's environment.
    pub environment: Option<Environment>,
    pub deployments: Vec<Deployment>,
    pub resources: Vec<Resource>,
    pub identities: Vec<Identity>,
    pub system_identities: Vec<SystemIdentity>,
    pub attachments: Vec<Attachment>,
    pub role_assignments: Vec<RoleAssignment>,
    pub custom_roles: Vec<CustomRole>,
    pub settings: Vec<Setting>,
    pub principal_uses: Vec<PrincipalUse>,
}

impl Model {
    /// A resource by index.
    pub fn resource(&self, index: usize) -> Option<&Resource> {
        self.resources.get(index)
    }
}

/// The root deployment or a nested one.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Deployment {
    pub index: usize,
    pub parent: Option<usize>,
    /// The `Microsoft.Resources/deployments` resource that created it.
    pub resource: Option<usize>,
    pub file: Option<String>,
    /// The deployment's scope as an ID.
    pub scope: Value,
}

/// One resource instance.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Resource {
    pub index: usize,
    /// Full type, e.g. `Microsoft.ManagedIdentity/userAssignedIdentities`.
    #[serde(rename = "type")]
    pub ty: String,
    pub name: Value,
    pub symbolic_name: Option<String>,
    pub id: Value,
    /// The Azure region (`location` property), `null` when not written.
    pub location: Value,
    pub tags: Value,
    pub kind: Value,
    pub existing: bool,
    pub deployment: usize,
    /// For extension resources: the absolute scope ID.
    pub scope: Value,
    pub copy_index: Option<i64>,
    pub environment: Option<Environment>,
    pub source: Source,
}

impl Resource {
    /// Whether the type is `ty` (case-insensitive, as ARM compares).
    pub fn is_type(&self, ty: &str) -> bool {
        self.ty.eq_ignore_ascii_case(ty)
    }

    /// The name when known.
    pub fn name_str(&self) -> Option<&str> {
        self.name.as_str()
    }

    /// The tags when they are a known object.
    pub fn tags(&self) -> Option<&serde_json::Map<String, Value>> {
        self.tags.as_object().filter(|_| !is_unknown(&self.tags))
    }
}

/// A user-assigned managed identity.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Identity {
    pub index: usize,
    pub resource: usize,
    pub name: Value,
    pub existing: bool,
    pub environment: Option<Environment>,
    pub source: Source,
}

/// A resource with a system-assigned identity.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SystemIdentity {
    pub resource: usize,
    pub source: Option<Source>,
}

/// A workload using a user-assigned identity.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Attachment {
    pub workload: usize,
    /// The identity, when it is one of this deployment's.
    pub identity: Option<usize>,
    pub key: Value,
    pub source: Source,
}

/// Who a role assignment grants to.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Principal {
    /// `identity`, `systemAssigned`, `externalIdentity`,
    /// `resourceIdentity`, `literal` or `unknown`.
    pub kind: String,
    /// For `identity`: index into `identities`.
    pub identity: Option<usize>,
    /// For `systemAssigned` and `resourceIdentity`: the resource.
    pub resource: Option<usize>,
    /// For `externalIdentity`: the identity's resource ID.
    pub id: Option<Value>,
    /// For `literal`: the GUID; for `resourceIdentity`, what the identity
    /// is ("kubelet identity", "'omsagent' add-on identity").
    pub value: Option<String>,
    /// `principalId`, `clientId`, `other` or `null`.
    pub via: Option<String>,
}

/// The role a role assignment grants.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Role {
    /// `builtin`, `custom`, `otherGuid`, `malformed` or `unknown`.
    pub kind: String,
    /// The role definition GUID when known.
    pub id: Option<String>,
    pub name: Option<String>,
    pub builtin: bool,
    pub privileged: bool,
    pub grants_access: bool,
    pub data_plane: bool,
    pub wildcard_actions: bool,
    /// For `custom`: index into `customRoles`.
    pub custom_role: Option<usize>,
}

/// A role assignment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RoleAssignment {
    pub resource: usize,
    pub name: Value,
    pub principal: Principal,
    pub role: Role,
    /// The absolute scope ID.
    pub scope: Value,
    /// `resource`, `resourceGroup`, `subscription`, `managementGroup`,
    /// `tenant`, or `null` when not known.
    pub scope_level: Option<String>,
    /// The resource of this deployment the scope names.
    pub target: Option<usize>,
    pub principal_type: Value,
    pub source: Source,
    pub role_source: Source,
    pub principal_source: Source,
    pub name_source: Source,
}

/// A value with its location.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Located {
    pub value: Value,
    pub source: Source,
}

/// A custom role defined in the deployment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CustomRole {
    pub index: usize,
    pub resource: usize,
    pub id: Option<String>,
    pub role_name: Option<String>,
    pub actions: Vec<Located>,
    pub data_actions: Vec<Located>,
    pub assignable_scopes: Vec<Located>,
    pub source: Source,
}

/// A workload setting. `value` is absent when `redacted` (see
/// `docs/plugin-abi.md` for which values are shared).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Setting {
    pub workload: usize,
    /// `appSetting`, `connectionString` or `environmentVariable`.
    pub kind: String,
    pub name: String,
    pub is_reference: bool,
    pub value: Option<Value>,
    pub redacted: bool,
    pub source: Source,
}

/// A principal ID used outside role assignments (Key Vault access policy,
/// SQL Entra administrator).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PrincipalUse {
    pub resource: usize,
    pub what: String,
    pub principal: Principal,
    pub source: Source,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknowns() {
        let u = serde_json::json!({"$unknown": "parameters('x')"});
        assert!(is_unknown(&u));
        assert_eq!(unknown_expression(&u), Some("parameters('x')"));
        assert_eq!(known_str(&u), None);
        assert_eq!(known_str(&serde_json::json!("a")), Some("a"));
    }

    #[test]
    fn minimal_model_reads() {
        let m: Model = serde_json::from_str(
            r#"{"modelVersion": 1, "template": "t.json", "later": 1,
                "resources": [{"index": 0, "type": "A/b", "name": "n", "tags": {"a": "1"},
                  "source": {"file": "t.json", "pointer": "/resources/0"}}]}"#,
        )
        .unwrap();
        let r = m.resource(0).unwrap();
        assert!(r.is_type("a/B"));
        assert_eq!(r.tags().unwrap()["a"], "1");
        assert_eq!(r.name_str(), Some("n"));
    }
}
