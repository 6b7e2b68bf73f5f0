//! Front ends: turn a source into a [`crate::spec::Spec`].

pub mod argv;
pub mod compose;
pub mod inspect;
