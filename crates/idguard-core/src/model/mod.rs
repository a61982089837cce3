//! The identity graph: identities, attachments, role assignments, custom
//! roles and workload settings, each with the location it came from.
//!
//! Built by [`Model::build`] from one [`Evaluation`] (a template with one
//! parameter file). Everything the rules need is resolved here once: which
//! identity a `principalId` comes from (and whether through its
//! `principalId` or its `clientId`), which role a `roleDefinitionId` names,
//! how wide a scope is, and the environment of every node. What cannot be
//! told stays `None`: a rule never fires on a guess.

mod build;
mod env;
pub(crate) mod flow;
pub mod json;
pub mod secrets;

pub use build::principal_of;
pub use env::{EnvSource, Environment};
pub use json::{MODEL_VERSION, model_json};

use crate::expr::Val;
use crate::roles::BuiltinRole;
use crate::source::{NodeId, Span};
use crate::template::{Evaluation, FileId, Files, Resource};

pub use crate::vocab::ScopeLevel;

/// A place in a file: the node (for its JSON pointer) and the exact span
/// (a member key's span when the finding is about a key).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    pub file: FileId,
    pub node: NodeId,
    pub span: Span,
}

/// A user-assigned managed identity declared (or referenced with
/// `existing`) in the deployment.
#[derive(Clone, Debug)]
pub struct Identity {
    /// Index into [`Evaluation::resources`].
    pub resource: usize,
    pub name: Val,
    pub existing: bool,
    pub environment: Option<Environment>,
}

/// A resource with a system-assigned identity.
#[derive(Clone, Debug)]
pub struct SystemIdentity {
    pub resource: usize,
}

/// A workload using a user-assigned identity.
#[derive(Clone, Debug)]
pub struct Attachment {
    /// The workload resource.
    pub workload: usize,
    /// The identity, when it is one of this deployment's.
    pub identity: Option<usize>,
    /// The key as evaluated (a resource ID, possibly partial).
    pub key: Val,
    /// Where the key is written.
    pub location: Location,
}

/// Which of an identity's three IDs a value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdProperty {
    PrincipalId,
    ClientId,
    /// The resource ID (`.id`) or anything else.
    Other,
}

/// Who a role assignment (or access policy) grants to.
#[derive(Clone, Debug, PartialEq)]
pub enum Principal {
    /// One of this deployment's user-assigned identities.
    Identity { identity: usize, via: IdProperty },
    /// The system-assigned identity of a resource of this deployment.
    SystemAssigned { resource: usize, via: IdProperty },
    /// A managed identity outside the deployment, through a `reference()`
    /// to a `userAssignedIdentities` resource ID (`id`).
    ExternalIdentity { via: IdProperty, id: Val },
    /// An identity a resource of this deployment exposes under its
    /// properties: an AKS cluster's kubelet identity
    /// (`identityProfile.kubeletidentity`) or an add-on's identity
    /// (`addonProfiles.<addon>.identity`), an entry of
    /// `identity.userAssignedIdentities`. `what` names it for messages
    /// ("kubelet identity"); `object_key` is the property holding its
    /// principal (object) ID (`objectId`, or `principalId`).
    ResourceIdentity {
        resource: usize,
        what: String,
        object_key: &'static str,
        via: IdProperty,
    },
    /// A literal GUID written into the template.
    Literal(String),
    /// A parameter or anything else not known.
    Unknown,
}

impl Principal {
    /// Whether the principal is certainly a managed identity.
    pub fn is_managed_identity(&self) -> bool {
        matches!(
            self,
            Principal::Identity { .. }
                | Principal::SystemAssigned { .. }
                | Principal::ExternalIdentity { .. }
                | Principal::ResourceIdentity { .. }
        )
    }

    /// The property that holds the principal's object ID, for messages and
    /// fixes: `principalId`, or `objectId` for identities that resources
    /// expose that way (AKS kubelet and add-on identities).
    pub fn object_key(&self) -> &'static str {
        match self {
            Principal::ResourceIdentity { object_key, .. } => object_key,
            _ => "principalId",
        }
    }

    pub fn via(&self) -> Option<IdProperty> {
        match self {
            Principal::Identity { via, .. }
            | Principal::SystemAssigned { via, .. }
            | Principal::ExternalIdentity { via, .. }
            | Principal::ResourceIdentity { via, .. } => Some(*via),
            _ => None,
        }
    }
}

/// The role a role assignment grants.
#[derive(Clone, Debug, PartialEq)]
pub enum Role {
    Builtin(&'static BuiltinRole),
    /// A custom role defined in this deployment (index into
    /// [`Model::custom_roles`]).
    Custom(usize),
    /// A well-formed role definition ID whose GUID is not in the table.
    OtherGuid(String),
    /// `roleDefinitionId` is known but is not a role-definition resource ID.
    Malformed(String),
    /// Not known at check time.
    Unknown,
}

/// A `Microsoft.Authorization/roleAssignments` resource.
#[derive(Clone, Debug)]
pub struct RoleAssignment {
    pub resource: usize,
    pub principal: Principal,
    pub role: Role,
    /// The absolute scope ID (partial).
    pub scope: Val,
    /// How wide the scope is, when its shape is known.
    pub scope_level: Option<ScopeLevel>,
    /// The resource of this deployment the scope names, if any.
    pub target: Option<usize>,
    pub principal_type: Option<Val>,
    pub name: Val,
    pub role_location: Location,
    pub principal_location: Location,
    pub name_location: Location,
}

/// A `Microsoft.Authorization/roleDefinitions` resource.
#[derive(Clone, Debug)]
pub struct CustomRole {
    pub resource: usize,
    /// The role's GUID (the resource name), when known.
    pub guid: Option<String>,
    pub role_name: Option<String>,
    pub actions: Vec<(Val, Location)>,
    /// Control-plane actions taken back out of `actions`.
    pub not_actions: Vec<(Val, Location)>,
    pub data_actions: Vec<(Val, Location)>,
    pub assignable_scopes: Vec<(Val, Location)>,
}

impl CustomRole {
    pub fn has_wildcard_action(&self) -> bool {
        self.actions.iter().any(|(a, _)| a.as_str() == Some("*"))
    }

    /// The first operation that grants access
    /// ([`crate::vocab::ACCESS_WRITE_OPERATIONS`]) this role allows, with
    /// the action that allows it: an action covers it and no `notActions`
    /// entry takes it back. An action or not-action whose value is not
    /// known counts as neither (the role is not judged on a guess).
    /// ARM subtracts `notActions` per permission block; a take-back in any
    /// block is read here as applying to all (roles have one block in
    /// practice), which may miss an escalation but never invents one.
    pub fn grants_access(&self) -> Option<(&'static str, &Val, Location)> {
        use crate::vocab::{ACCESS_WRITE_OPERATIONS, action_pattern_matches};
        ACCESS_WRITE_OPERATIONS.iter().find_map(|op| {
            let taken_back = self
                .not_actions
                .iter()
                .any(|(n, _)| n.as_str().is_some_and(|n| action_pattern_matches(n, op)));
            if taken_back {
                return None;
            }
            self.actions
                .iter()
                .find(|(a, _)| a.as_str().is_some_and(|a| action_pattern_matches(a, op)))
                .map(|(a, loc)| (*op, a, *loc))
        })
    }
}

/// A federated identity credential
/// (`Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials`):
/// tokens of an external issuer (GitHub Actions, Kubernetes, Azure DevOps,
/// another cloud) whose subject matches are exchanged for the identity's
/// tokens.
#[derive(Clone, Debug)]
pub struct FederatedCredential {
    pub resource: usize,
    /// The identity it belongs to (index into [`Model::identities`]), when
    /// the deployment declares it.
    pub identity: Option<usize>,
    pub issuer: (Val, Location),
    /// The exact subject it trusts; `None` when not written (a flexible
    /// credential matches claims instead).
    pub subject: Option<(Val, Location)>,
    /// A flexible credential's `claimsMatchingExpression.value`.
    pub claims_expression: Option<(Val, Location)>,
    pub audiences: Vec<(Val, Location)>,
    /// Where `audiences` is written (or the resource's `type` when not).
    pub audiences_location: Location,
}

/// Where a workload setting lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettingKind {
    AppSetting,
    ConnectionString,
    EnvironmentVariable,
}

/// One name/value setting of a workload (app setting, connection string,
/// container environment variable).
#[derive(Clone, Debug)]
pub struct Setting {
    pub workload: usize,
    pub kind: SettingKind,
    pub name: String,
    pub value: Val,
    /// Points at the value (or the setting when the value is not written).
    pub location: Location,
    /// Whether the value is a Key Vault reference or a secret reference.
    pub is_reference: bool,
}

/// A place other than a role assignment that wants a principal (object)
/// ID: a Key Vault access policy's `objectId`, a SQL server's Entra
/// administrator `sid`.
#[derive(Clone, Debug)]
pub struct PrincipalUse {
    pub resource: usize,
    /// What the place is, for messages: "Key Vault access policy objectId".
    pub what: &'static str,
    pub principal: Principal,
    pub location: Location,
}

/// The identity graph of one evaluation.
pub struct Model<'a> {
    pub files: &'a Files,
    pub eval: &'a Evaluation,
    /// The parameter file of this evaluation.
    pub parameter_file: Option<FileId>,
    pub identities: Vec<Identity>,
    pub system_identities: Vec<SystemIdentity>,
    pub attachments: Vec<Attachment>,
    pub role_assignments: Vec<RoleAssignment>,
    pub custom_roles: Vec<CustomRole>,
    pub federated_credentials: Vec<FederatedCredential>,
    pub settings: Vec<Setting>,
    pub principal_uses: Vec<PrincipalUse>,
    /// The deployment's environment (environment parameter or parameter
    /// file name), when it can be told.
    pub environment: Option<Environment>,
    /// Environment of every resource, by resource index.
    pub resource_environments: Vec<Option<Environment>>,
    /// Resource IDs by type, built once for the rules' principal lookups.
    index: build::Index,
}

impl Model<'_> {
    pub fn resource(&self, index: usize) -> Option<&Resource> {
        self.eval.resources.get(index)
    }

    /// A location at `path` inside a resource (the deepest written node).
    pub fn locate(&self, resource: usize, path: &[&str]) -> Option<Location> {
        let r = self.eval.resources.get(resource)?;
        let doc = &self.files.get(r.file)?.doc;
        let node = r.locate(doc, path);
        Some(Location {
            file: r.file,
            node,
            span: doc.span(node),
        })
    }

    /// The display name of a resource for messages: its evaluated name,
    /// with unknown pieces shown compactly ([`Val::display_compact`]); when
    /// nothing of it can be shown, the name expression as written.
    pub fn display_name(&self, resource: usize) -> String {
        let Some(r) = self.resource(resource) else {
            return String::new();
        };
        let compact = r.name.display_compact();
        if compact.chars().any(|c| c != '…' && c != '{' && c != '}') {
            return compact;
        }
        self.files
            .get(r.file)
            .and_then(|f| {
                let node = r.locate(&f.doc, &["name"]);
                f.doc.as_str(node).map(|s| {
                    let s = s
                        .strip_prefix('[')
                        .and_then(|s| s.strip_suffix(']'))
                        .unwrap_or(s);
                    Val::str(s).display_compact()
                })
            })
            .unwrap_or(compact)
    }

    /// Workloads (resources of any type) using `identity`.
    pub fn workloads_of(&self, identity: usize) -> impl Iterator<Item = &Attachment> {
        self.attachments
            .iter()
            .filter(move |a| a.identity == Some(identity))
    }

    /// Role assignments granted to `identity`.
    pub fn assignments_of(&self, identity: usize) -> impl Iterator<Item = &RoleAssignment> {
        self.role_assignments.iter().filter(move |a| {
            matches!(a.principal, Principal::Identity { identity: i, .. } if i == identity)
        })
    }

    pub fn environment_of(&self, resource: usize) -> Option<&Environment> {
        self.resource_environments
            .get(resource)
            .and_then(Option::as_ref)
    }
}
