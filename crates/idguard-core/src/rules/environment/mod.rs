//! MI3xx — environment separation.

mod cross_environment_identity;
mod environment_separation;

pub use cross_environment_identity::CrossEnvironmentIdentity;
pub use environment_separation::EnvironmentSeparation;
