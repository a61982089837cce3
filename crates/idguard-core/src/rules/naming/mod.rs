//! MI2xx — naming and ownership.

pub(super) mod identity_naming;
pub(super) mod identity_required_tags;
