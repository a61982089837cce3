//! MI6xx — reuse and lifecycle.

mod replicated_system_assigned;
mod shared_identity_blast_radius;
mod unused_identity;

pub use replicated_system_assigned::ReplicatedSystemAssigned;
pub use shared_identity_blast_radius::SharedIdentityBlastRadius;
pub use unused_identity::UnusedIdentity;
