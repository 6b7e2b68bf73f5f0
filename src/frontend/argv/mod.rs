//! The `docker run` front end: flags table, pflag grammar, value parsers, create body.
//!
//! Behaves like Docker CLI 28.2.2: the same flags, the same parsing rules and error texts, and
//! the same `POST /containers/create` body (see `shared/reference/docker-run.md`).
//!
//! ```text
//! args ─ parse_args_at ─> Parsed (occurrences) ─ build_request ─> RunRequest (body + client options)
//!              ^                     │
//!              └────── to_args ──────┘
//! ```
//!
//! Where the errors come from, as in docker: [`parse_args_at`] reports what pflag reports while
//! parsing (unknown flags, missing arguments, and every value a flag's `Set` refuses: numbers,
//! sizes, durations, `--mount`, `--network`, list validators…), after the API-version/OS checks
//! of the flags seen so far when parsing fails; [`build_request`] reports the
//! API-version/OS checks, then the validation of `runRun`/`parse`/`runContainer`/
//! `createContainer`, in docker's order. `--help` is not handled here: check
//! [`Parsed::help_requested`] before building (docker prints help even without an image).

mod build;
mod flags;
mod grammar;
mod help;
mod origins;
mod values;

pub use crate::parse::gocompat::parse_duration;
pub use build::build_request;
pub use flags::{FLAGS, FlagGroup, FlagSpec, ValueKind, canonical, lookup_long, lookup_short};
pub use grammar::{Occurrence, Parsed, parse_args, to_args, to_args_with};
pub use help::help_text;

use crate::globals::GlobalOptions;
use std::path::{Path, PathBuf};

/// A refused command line, with the text docker prints (without its `docker: ` prefix).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ArgvError {
    pub message: String,
    /// 125 for flag and validation errors, 1 where docker exits 1 (missing image, flag needs a
    /// newer API, `-d` with `-a`).
    pub exit_code: u8,
    /// docker prints the usage line after the message (pflag and argument-count errors).
    pub show_usage: bool,
}

impl ArgvError {
    /// A client-side validation error (`docker: …` + help hint, exit 125).
    pub fn validation(message: impl Into<String>) -> Self {
        ArgvError {
            message: message.into(),
            exit_code: 125,
            show_usage: false,
        }
    }
}

/// The I/O the parser needs, injectable for tests.
pub trait Environment {
    /// An environment variable of the caller (`-e K`, `DOCKER_DEFAULT_PLATFORM`, …).
    fn var(&self, name: &str) -> Option<String>;
    /// The working directory (`-v ./x:/y`, `--mount src=./x`).
    fn cwd(&self) -> PathBuf;
    /// Reads a file (`--env-file`, `--label-file`, a seccomp profile).
    fn read_file(&self, path: &Path) -> std::io::Result<Vec<u8>>;
    /// `~/.docker/config.json` (or `$DOCKER_CONFIG/config.json`), when it exists and parses.
    fn docker_config_json(&self) -> Option<serde_json::Value>;
    /// The daemon endpoint, e.g. `unix:///var/run/docker.sock`.
    fn daemon_host(&self) -> String;
    /// The Docker CLI's global options (plugin mode: `docker -H … harden …`); none by default.
    fn globals(&self) -> GlobalOptions {
        GlobalOptions::default()
    }
}

/// The real environment (the process's variables, working directory and files), with the
/// Docker CLI's global options the command line gave.
#[derive(Clone, Debug, Default)]
pub struct SystemEnvironment {
    pub globals: GlobalOptions,
}

impl Environment for SystemEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn cwd(&self) -> PathBuf {
        std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"))
    }

    fn read_file(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        std::fs::read(path)
    }

    fn docker_config_json(&self) -> Option<serde_json::Value> {
        // `docker --config DIR harden …` (plugin mode) comes first.
        let dir = match (&self.globals.config_dir, std::env::var_os("DOCKER_CONFIG")) {
            (Some(d), _) => d.clone(),
            (None, Some(d)) if !d.is_empty() => PathBuf::from(d),
            _ => PathBuf::from(std::env::var_os("HOME")?).join(".docker"),
        };
        let data = std::fs::read(dir.join("config.json")).ok()?;
        serde_json::from_slice(&data).ok()
    }

    fn daemon_host(&self) -> String {
        if let Some(h) = &self.globals.host {
            return h.clone();
        }
        match std::env::var("DOCKER_HOST") {
            Ok(h) if !h.is_empty() => h,
            _ => "unix:///var/run/docker.sock".into(),
        }
    }

    fn globals(&self) -> GlobalOptions {
        self.globals.clone()
    }
}

/// `--pull`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PullPolicy {
    Always,
    #[default]
    Missing,
    /// Also `--pull ""`.
    Never,
}

/// What `docker run` does on the client side (never part of the create body).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientOptions {
    pub rm: bool,
    pub detach: bool,
    pub interactive: bool,
    pub tty: bool,
    /// `-a` values, lower-cased.
    pub attach: Vec<String>,
    pub pull: PullPolicy,
    pub quiet: bool,
    pub cidfile: Option<String>,
    /// `--detach-keys`, else `detachKeys` of config.json.
    pub detach_keys: Option<String>,
    pub sig_proxy: bool,
    pub disable_content_trust: bool,
    pub use_api_socket: bool,
    pub name: Option<String>,
    /// Normalised `os/arch[/variant]` for the create query (raw below API 1.41).
    pub platform: Option<String>,
}

/// harden's own options.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct HardenOptions {
    pub preset: Option<String>,
    pub allow: Vec<String>,
    pub explain: bool,
    pub dry_run: bool,
    pub format: Option<String>,
    pub no_harden: bool,
    pub review: bool,
    /// `--watch`: how long to watch a detached container for a failure (nanoseconds).
    pub watch: Option<i64>,
    /// `--trust-project`.
    pub trust_project: bool,
}

/// Everything `docker run` would send and do.
#[derive(Clone, Debug, PartialEq)]
pub struct RunRequest {
    pub body: bollard::models::ContainerCreateBody,
    /// `Config.MacAddress` (API < 1.44 only; bollard has no field for it).
    pub mac_address: Option<String>,
    /// `HostConfig.KernelMemory` (API 1.40–1.41 only).
    pub kernel_memory: Option<i64>,
    /// Networks to connect after create (API < 1.44 accepts one endpoint at create).
    pub extra_networks: Vec<(String, bollard::models::EndpointSettings)>,
    pub client: ClientOptions,
    pub harden: HardenOptions,
    /// Values bollard's enums cannot hold (`--restart bogus`, `--isolation foo`, mount types…):
    /// JSON pointer → value, written into [`RunRequest::body_json`] where the body has no value.
    pub(crate) raw: Vec<(String, serde_json::Value)>,
}

impl RunRequest {
    /// The exact JSON body of `POST /containers/create` (Engine API names; map keys sorted).
    pub fn body_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(&self.body).unwrap_or(serde_json::Value::Null);
        if let serde_json::Value::Object(map) = &mut v {
            if let Some(mac) = &self.mac_address {
                map.insert("MacAddress".into(), serde_json::Value::String(mac.clone()));
            }
            if let Some(km) = self.kernel_memory
                && let Some(serde_json::Value::Object(hc)) = map.get_mut("HostConfig")
            {
                hc.insert("KernelMemory".into(), km.into());
            }
        }
        for (pointer, value) in &self.raw {
            set_if_absent(&mut v, pointer, value.clone());
        }
        sort_keys(&mut v);
        v
    }
}

fn set_if_absent(root: &mut serde_json::Value, pointer: &str, value: serde_json::Value) {
    let Some((parent, key)) = pointer.rsplit_once('/') else {
        return;
    };
    let Some(serde_json::Value::Object(obj)) = root.pointer_mut(parent) else {
        return;
    };
    if !obj.contains_key(key) {
        obj.insert(key.to_string(), value);
    }
}

fn sort_keys(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            map.sort_keys();
            for (_, x) in map.iter_mut() {
                sort_keys(x);
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(sort_keys),
        _ => {}
    }
}

/// Parses a `docker run`/`docker create` command line for a daemon of `api_version` (`None`:
/// unknown, a daemonless dry run), as docker does before building anything: pflag's parse, and
/// when that fails (bad flag syntax, unknown flag, bad value, no image) the API-version/OS check
/// of the flags parsed so far comes first (docker's flag-error hook runs `isSupported`):
/// `--annotation a=b --bogus img` against API 1.41 says that `--annotation` needs 1.43.
///
/// This is the entry point of `harden run`/`create` (then [`build_request`], which checks the
/// flags again before validating values); tests go through the same two calls.
pub fn parse_args_at(args: &[String], api_version: Option<&str>) -> Result<Parsed, ArgvError> {
    grammar::parse_checked(args, |occurrences| {
        build::check_supported(occurrences, api_version)
    })
}

/// Whether `args` (up to a flag error) set a flag that only daemons of some API version support:
/// docker asks the daemon for its version before reporting any error then, and only then.
pub fn error_needs_api_version(args: &[String]) -> bool {
    let (occurrences, _) = grammar::parse_partial(args);
    occurrences.iter().any(|o| o.flag.min_api.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn api_checks_come_before_flag_errors() {
        // Production parsed without the check and reported `unknown flag: --bogus` (125); the
        // test-only parse_run checked first, as docker does (recorded: exit 1).
        let args = words("--annotation a=b --bogus img");
        assert_eq!(parse_args(&args).unwrap_err().exit_code, 125);
        let e = parse_args_at(&args, Some("1.41")).unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.exit_code),
            (
                "\"--annotation\" requires API version 1.43, but the Docker daemon API version is 1.41",
                1
            )
        );
        assert!(error_needs_api_version(&args));
        // Only flags seen before the error count, and no annotation means no daemon question.
        assert!(!error_needs_api_version(&words(
            "--bogus --annotation a=b img"
        )));
        // ... and before the missing image.
        let e = parse_args_at(&words("--annotation a=b"), Some("1.41")).unwrap_err();
        assert!(e.message.contains("requires API version 1.43"), "{e}");
        assert!(parse_args_at(&words("--annotation a=b img"), Some("1.43")).is_ok());
    }
}
