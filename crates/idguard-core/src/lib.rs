//! idguard-core: reads ARM templates (and the ARM JSON Bicep compiles to),
//! builds the managed-identity graph and checks it against identity design
//! rules.
//!
//! The crate does no I/O, starts no threads and reads no clock: it takes
//! text and returns data, so the same code runs in the CLI, in browsers and
//! in editors (it builds for `wasm32-unknown-unknown`).
//!
//! Data flows one way: [`source`] (JSON with spans) → [`template`] (the ARM
//! model) → [`expr`] (partial evaluation) → [`model`] (the identity graph)
//! → [`rules`] → [`finding`] (the report every front end renders).
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod api;
pub mod bicep;
pub mod budget;
pub mod catalog;
pub mod expr;
mod external;
pub mod finding;
pub mod fix;
pub mod graph;
pub mod model;
pub mod path;
mod place;
pub mod policy;
pub mod project;
pub mod roles;
pub mod rules;
pub mod source;
pub mod template;
pub mod vocab;
