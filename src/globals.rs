//! The Docker CLI's global options (`docker -H … --context … harden …` in plugin mode): read
//! from the command line by `cli`, carried by the [`crate::frontend::argv::Environment`] to
//! where the daemon or the CLI configuration is chosen.

use std::path::PathBuf;

/// Global options the Docker CLI would pass (`docker -H … harden …` in plugin mode).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GlobalOptions {
    pub host: Option<String>,
    pub context: Option<String>,
    pub config_dir: Option<PathBuf>,
    pub tls: bool,
    pub tls_verify: bool,
    pub tls_ca_cert: Option<PathBuf>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
}
