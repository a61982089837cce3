//! MI5xx — credentials.

mod client_id_for_multiple_identities;
mod no_client_secret;

pub use client_id_for_multiple_identities::ClientIdForMultipleIdentities;
pub use no_client_secret::NoClientSecret;
pub(crate) use no_client_secret::is_client_secret_name;
