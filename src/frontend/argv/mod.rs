//! The `docker run` front end: flags table, pflag grammar, value parsers, create body.
//!
//! Behaves like Docker CLI 28.2.2: the same flags, the same parsing rules and error texts, and
//! the same `POST /containers/create` body (see `shared/reference/docker-run.md`).
//!
//! ```text
//! args ─ parse_args ─> Parsed (occurrences) ─ build_request ─> RunRequest (body + client options)
//!              ^                  │
//!              └──── to_args ─────┘
//! ```
//!
//! Where the errors come from, as in docker: [`parse_args`] reports what pflag reports while
//! parsing (unknown flags, missing arguments, and every value a flag's `Set` refuses: numbers,
//! sizes, durations, `--mount`, `--network`, list validators…); [`build_request`] reports the
//! API-version/OS checks, then the validation of `runRun`/`parse`/`runContainer`/
//! `createContainer`, in docker's order. `--help` is not handled here: check
//! [`Parsed::help_requested`] before building (docker prints help even without an image).

mod build;
mod flags;
mod gocompat;
mod grammar;
mod help;
mod origins;
mod values;

pub use build::build_request;
pub use flags::{FLAGS, FlagGroup, FlagSpec, ValueKind, canonical, lookup_long, lookup_short};
pub use gocompat::parse_duration;
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

/// Parses and builds in one go. The API version (`"1.41"`) shapes the body; `None` means
/// unknown (a daemonless dry run): the body is shaped for the newest API.
pub fn parse_run(
    args: &[String],
    env: &dyn Environment,
    api_version: Option<&str>,
) -> Result<RunRequest, ArgvError> {
    let (occurrences, rest) = grammar::parse_partial(args);
    // docker checks API-version / OS annotations of the flags seen so far before reporting a
    // syntax error or a missing image.
    build::check_supported(&occurrences, api_version)?;
    let (image_index, missing) = rest?;
    let mut parsed = Parsed {
        occurrences,
        ..Default::default()
    };
    match image_index {
        Some(i) => {
            parsed.image = args[i].clone();
            parsed.image_index = i;
            parsed.command = args[i + 1..].to_vec();
        }
        None => return Err(missing),
    }
    build_request(&parsed, env, api_version)
}
