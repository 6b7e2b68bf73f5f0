//! The rule catalogue: one file (and one `.md` document) per rule.

use super::Rule;

/// Every rule, in the order `harden rules` lists them.
pub static REGISTRY: &[&dyn Rule] = &[];
