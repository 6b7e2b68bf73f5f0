//! The Docker CLI's global options (`docker -H … --context … harden …` in plugin mode): set once
//! from the command line, read where the daemon or the CLI configuration is chosen.

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

static GLOBAL: std::sync::OnceLock<GlobalOptions> = std::sync::OnceLock::new();

/// Sets the global options of this process (once, from the command line in plugin mode).
pub fn set_global_options(opts: GlobalOptions) {
    let _ = GLOBAL.set(opts);
}

/// The global options of this process (empty unless plugin mode set them).
pub fn global_options() -> GlobalOptions {
    GLOBAL.get().cloned().unwrap_or_default()
}
