//! MI3xx — environment separation.

pub(super) mod cross_environment_identity;
pub(super) mod environment_separation;
