//! MI6xx — reuse and lifecycle.

pub(super) mod replicated_system_assigned;
pub(super) mod shared_identity_blast_radius;
pub(super) mod unused_identity;
