//! Renders [`super::Change`]s as `docker run` arguments.
