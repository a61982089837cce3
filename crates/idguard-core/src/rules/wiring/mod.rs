//! MI4xx — wiring correctness.

mod deterministic_assignment_name;
mod no_hardcoded_identity_reference;
mod principal_id_not_client_id;
mod principal_type_service_principal;
mod role_definition_id;

pub use deterministic_assignment_name::DeterministicAssignmentName;
pub use no_hardcoded_identity_reference::NoHardcodedIdentityReference;
pub use principal_id_not_client_id::PrincipalIdNotClientId;
pub(crate) use principal_id_not_client_id::is_client_id_setting;
pub use principal_type_service_principal::PrincipalTypeServicePrincipal;
pub use role_definition_id::RoleDefinitionId;
