//! MI4xx — wiring correctness.

pub(super) mod assignment_name_computable;
pub(super) mod deterministic_assignment_name;
mod name_seeds;
pub(super) mod no_hardcoded_identity_reference;
pub(super) mod principal_id_not_client_id;
pub(super) mod principal_type_service_principal;
pub(super) mod role_definition_id;

pub(crate) use principal_id_not_client_id::is_client_id_setting;
