//! The Engine API proxy.

pub mod body;
