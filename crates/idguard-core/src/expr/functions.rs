//! Built-in ARM template functions.
