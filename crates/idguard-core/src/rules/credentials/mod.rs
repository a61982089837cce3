//! MI5xx — credentials.

pub(super) mod client_id_for_multiple_identities;
pub(super) mod keys_left_enabled;
pub(super) mod no_client_secret;
