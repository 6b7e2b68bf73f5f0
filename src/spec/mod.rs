//! The normalized container spec that every rule looks at.
//!
//! Front ends (`docker run` argv, a Compose service, a running container's inspect data) turn their
//! source into a [`Spec`]. Rules never see argv or YAML: they read a `Spec` and say what should
//! change. Every field remembers where it came from ([`Origin`]) so that a finding can point at the
//! flag, the YAML line or the inspect path, and a fix can be written back in the source's language.

mod from_body;
pub mod image;
pub mod reference;

pub use from_body::{
    KNOWN_CAPABILITIES, NoOrigins, OriginLookup, normalize_capability, parse_bind,
    spec_from_create_body, unknown_capability,
};

use serde::Serialize;
use std::path::Path;
use std::sync::Arc;

/// Where a value of the spec came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    /// The source does not set this value (a finding about a missing setting points here).
    #[default]
    Missing,
    /// A `docker run` argument: `index` is the position (0-based, counted after `run`) of the token
    /// where the flag starts, `flag` the flag as the user wrote it (`-p`, `--publish`).
    Argv { index: usize, flag: String },
    /// A Compose file: `route` is the YAML route (`services.web.ports[0]`), line/column are 1-based.
    /// File and route are shared (`Arc`): every finding about a missing setting of a service
    /// points at the service's key, tens of thousands of them in a large project.
    Yaml {
        file: Arc<Path>,
        route: Arc<str>,
        line: usize,
        column: usize,
    },
    /// A field of `docker inspect` output (`HostConfig.CapAdd`).
    Inspect { path: String },
    /// Learned from the image (`docker image inspect`), e.g. its `USER` or `EXPOSE`.
    Image { field: String },
}

/// A value together with its origin.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct At<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> At<T> {
    pub fn new(value: T, origin: Origin) -> Self {
        At { value, origin }
    }
}

/// A bind mount, named volume or anonymous volume (not tmpfs: see [`Tmpfs`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mount {
    pub kind: MountKind,
    /// Host path for binds, volume name for named volumes, `None` for anonymous volumes.
    pub source: Option<String>,
    pub target: String,
    pub read_only: bool,
    /// Bind propagation as written (`rshared`, `slave`, …), if any.
    pub propagation: Option<String>,
}

impl Mount {
    /// A split volume specification (`-v`, Compose short syntax, `HostConfig.Binds`).
    pub fn from_volume_spec(v: crate::parse::mounts::VolumeSpec) -> Mount {
        Mount {
            kind: if v.typ == "bind" {
                MountKind::Bind
            } else {
                MountKind::Volume
            },
            source: (!v.source.is_empty()).then_some(v.source),
            target: v.target,
            read_only: v.read_only,
            propagation: v.propagation,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MountKind {
    Bind,
    Volume,
    /// Anything else the engine knows (`npipe`, `cluster`, `image`).
    Other,
}

/// A tmpfs mount (`--tmpfs`, `--mount type=tmpfs`, Compose `tmpfs:`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tmpfs {
    pub target: String,
    /// Mount options as written (`rw,size=64m,exec`); empty when none.
    pub options: String,
}

/// One published port binding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Port {
    /// Host IP as written; empty means all interfaces.
    pub host_ip: String,
    /// Host port or range as written; empty means "the engine picks one".
    pub host_port: String,
    /// Container port (a single port; ranges are expanded by the front end when they map 1:1).
    pub container_port: String,
    /// `tcp`, `udp` or `sctp`.
    pub protocol: String,
}

impl Port {
    /// True when the binding listens on every interface of the host.
    pub fn binds_all_interfaces(&self) -> bool {
        matches!(self.host_ip.as_str(), "" | "0.0.0.0" | "::" | "[::]")
    }

    /// The lowest host port of the binding, when one is given.
    pub fn host_port_start(&self) -> Option<u32> {
        let first = self.host_port.split('-').next()?;
        first.parse().ok()
    }
}

/// Restart policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Restart {
    pub name: String,
    pub max_retries: i64,
}

/// The health check the container will have.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    /// A check is configured (`--health-cmd`, Compose `healthcheck.test`).
    Defined,
    /// Checks are switched off (`--no-healthcheck`, `healthcheck.disable: true`, `test: [NONE]`).
    Disabled,
}

/// An environment variable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EnvVar {
    pub name: String,
    /// `None` for a bare `NAME` that is taken from the caller's environment.
    pub value: Option<String>,
    /// False when the value is only a reference such as `${VAR}` (Compose interpolation).
    pub literal: bool,
}

/// The user the container runs as, as far as it is known.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize, Default)]
pub struct ImageFacts {
    /// The image's `USER` (empty string = root). `None` when the image was not inspected.
    pub user: Option<String>,
    /// Ports the image declares with `EXPOSE` (`80/tcp`). `None` when unknown.
    pub exposed_ports: Option<Vec<String>>,
    /// Paths the image declares with `VOLUME`. `None` when unknown.
    pub volumes: Option<Vec<String>>,
    /// Whether the image has its own `HEALTHCHECK`. `None` when unknown.
    pub has_healthcheck: Option<bool>,
    /// The image's id (`sha256:…`), when inspected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The image's `ENTRYPOINT`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entrypoint: Vec<String>,
    /// The image's `CMD`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cmd: Vec<String>,
    /// What the image's filesystem says (accounts, owners, privilege drop), when read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs: Option<image::FsFacts>,
}

/// The normalized container spec.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Spec {
    /// Container name (run) or service name (Compose), for messages.
    pub name: Option<String>,
    /// The entrypoint and command given for the container (empty: the image's).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    pub image: Option<At<String>>,
    /// What the image itself declares, when it was inspected.
    pub image_facts: ImageFacts,
    pub user: Option<At<String>>,
    pub privileged: Option<At<bool>>,
    /// Normalized capability names (`CAP_NET_ADMIN`, or `ALL`).
    pub cap_add: Vec<At<String>>,
    pub cap_drop: Vec<At<String>>,
    /// Security options as written (`no-new-privileges`, `seccomp=unconfined`, `label:disable`…),
    /// including `systempaths=unconfined`.
    pub security_opt: Vec<At<String>>,
    pub read_only: Option<At<bool>>,
    pub tmpfs: Vec<At<Tmpfs>>,
    pub mounts: Vec<At<Mount>>,
    pub ports: Vec<At<Port>>,
    /// Ports exposed by the source itself (`--expose`, Compose `expose:`), `80/tcp` form.
    pub expose: Vec<At<String>>,
    pub publish_all: Option<At<bool>>,
    /// Memory limit in bytes (0 = none).
    pub memory: Option<At<i64>>,
    pub memory_swap: Option<At<i64>>,
    pub memory_reservation: Option<At<i64>>,
    /// CPU limit in units of 10⁻⁹ CPUs (`--cpus`).
    pub nano_cpus: Option<At<i64>>,
    pub cpu_quota: Option<At<i64>>,
    pub cpu_period: Option<At<i64>>,
    pub pids_limit: Option<At<i64>>,
    pub network_mode: Option<At<String>>,
    pub pid_mode: Option<At<String>>,
    pub ipc_mode: Option<At<String>>,
    pub uts_mode: Option<At<String>>,
    pub userns_mode: Option<At<String>>,
    pub cgroupns_mode: Option<At<String>>,
    /// Host device paths passed through (`--device`, Compose `devices:`), or CDI names.
    pub devices: Vec<At<String>>,
    pub restart: Option<At<Restart>>,
    pub healthcheck: Option<At<Health>>,
    pub cgroup_parent: Option<At<String>>,
    pub sysctls: Vec<At<(String, String)>>,
    pub oom_kill_disable: Option<At<bool>>,
    pub env: Vec<At<EnvVar>>,
    pub log_driver: Option<At<String>>,
}

impl Spec {
    /// The user the container will actually run as: the explicit user, else the image's `USER`
    /// when known. `None` means "unknown" (the image was not inspected and no user was given).
    pub fn effective_user(&self) -> Option<&str> {
        match &self.user {
            Some(u) if !u.value.is_empty() => Some(u.value.as_str()),
            _ => self.image_facts.user.as_deref(),
        }
    }

    /// Numeric uid and gid of the effective user, when they can be known without the image's
    /// `/etc/passwd` (`1000`, `1000:1000`).
    pub fn numeric_uid_gid(&self) -> Option<(u32, Option<u32>)> {
        numeric_uid_gid(self.effective_user()?)
    }
}

/// Splits `uid[:gid]` when both parts are numbers.
pub fn numeric_uid_gid(user: &str) -> Option<(u32, Option<u32>)> {
    let (u, g) = match user.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (user, None),
    };
    let uid: u32 = u.parse().ok()?;
    let gid = match g {
        Some(g) => Some(g.parse().ok()?),
        None => None,
    };
    Some((uid, gid))
}

/// True when a user string means root (`root`, `0`, `root:…`, `0:…`, or empty = image default
/// root).
pub fn is_root_user(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or("");
    matches!(name, "" | "root" | "0")
}
