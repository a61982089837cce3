//! The ARM template model.
