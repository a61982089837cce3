//! MI2xx — naming and ownership.

mod identity_naming;
mod identity_required_tags;

pub use identity_naming::IdentityNaming;
pub use identity_required_tags::IdentityRequiredTags;
