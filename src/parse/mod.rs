//! Value parsers shared by every door: one parser per concept.
//!
//! The `docker run` front end, Compose, `docker inspect`, presets and rules all read sizes, CPU
//! counts, ports, volumes and Go booleans; each is parsed here, once, the way the Docker tool that
//! reads the value parses it (go-units, docker/cli `opts`, go-connections `nat`, the Compose
//! loader, Go's `strconv`). Image references live beside the spec ([`crate::spec::reference`]).
//! Nothing here depends on a front end.

pub mod gocompat;
pub mod mounts;
pub mod ports;
pub mod security_opt;
pub mod units;
