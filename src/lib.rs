//! harden: secure-by-default containers for `docker run` and Docker Compose.
//!
//! One rule engine, many doors: front ends turn a source into a [`spec::Spec`], [`rules`] say what
//! should change, back ends render the changes in the source's own language.

// No unsafe code anywhere in the crate: YAML is read by a safe port of libyaml.
#![forbid(unsafe_code)]

pub mod check;
pub mod cli;
pub mod diagnose;
pub mod engine;
pub mod fix;
pub mod frontend;
pub mod globals;
pub mod parse;
pub mod preset;
pub mod proxy;
pub mod render;
pub mod rules;
pub mod session;
pub mod spec;
pub mod yaml;

/// A hash map for lookups by names from the user's files, thousands per run (service names):
/// foldhash instead of SipHash (~4× fewer instructions per short key; its seed is still random
/// per process).
pub type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// Frees `value` on a thread of its own while this one goes on, when it is `large` (a project
/// or tree of thousands of services takes as long to free as a good part of reading it); else
/// here. When no thread can be had, it is freed here too.
pub fn drop_beside<T: Send + 'static>(value: T, large: bool) {
    if large {
        let _ = std::thread::Builder::new().spawn(move || drop(value));
    }
}
