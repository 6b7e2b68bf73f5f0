//! Semantic changes: what a fix wants, independent of the source language.
//!
//! A rule says *what* should change ("drop all capabilities", "bind port 80/tcp to 127.0.0.1");
//! each back end renders it: [`argv`] as `docker run` flags (and so a create body), [`body`] on an
//! API create body (the proxy), the Compose back end as YAML patches, [`model`] on the resolved
//! project, reports as text.

pub mod argv;
pub mod body;
pub mod compose;
pub mod engine;
pub mod model;
pub mod service;

use crate::spec::Origin;
use serde::Serialize;

/// What [`Change::BindPortHostIp`] binds (serialized as the variant's own fields were).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct PortBinding {
    pub container_port: String,
    pub protocol: String,
    pub host_port: String,
    pub ip: String,
    pub origin: Origin,
}

impl Change {
    /// [`Change::BindPortHostIp`] of these fields.
    pub fn bind_port(
        container_port: String,
        protocol: String,
        host_port: String,
        ip: String,
        origin: Origin,
    ) -> Change {
        Change::BindPortHostIp(Box::new(PortBinding {
            container_port,
            protocol,
            host_port,
            ip,
            origin,
        }))
    }
}

/// One semantic change.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Change {
    /// Set the dropped capabilities to exactly `ALL` (added capabilities are kept).
    DropAllCapabilities,
    /// Remove one added capability (`CAP_SYS_ADMIN` form).
    RemoveCapability { capability: String },
    /// Add one capability back after dropping all (`CAP_NET_BIND_SERVICE` form).
    AddCapability { capability: String },
    /// Add the `no-new-privileges` security option (replacing a `no-new-privileges=false`).
    SetNoNewPrivileges,
    /// Run as this user (`uid:gid`).
    SetUser { user: String },
    /// Mount the root filesystem read-only.
    SetReadOnlyRootfs,
    /// Mount a tmpfs at `path` with these options.
    AddTmpfs { path: String, options: String },
    /// Give the tmpfs already mounted at `path` to `uid:gid` (a tmpfs is owned by root
    /// otherwise, and useless to a non-root user).
    SetTmpfsOwner { path: String, uid: u32, gid: u32 },
    /// Memory limit in bytes.
    SetMemory { bytes: i64 },
    /// CPU limit in 10⁻⁹ CPUs (`--cpus`).
    SetNanoCpus { nano_cpus: i64 },
    /// CPU limit as a CFS quota (used when a `--cpu-period` is already set, which `--cpus` cannot
    /// be combined with).
    SetCpuQuota { quota: i64 },
    /// Pids limit.
    SetPidsLimit { limit: i64 },
    /// Bind the published port that `origin` points at (and whose container side is
    /// `container_port/protocol`) to `ip` instead of all interfaces. Boxed: the other changes
    /// are at most 48 bytes (56 with the tag), and thousands of services keep theirs until the report.
    BindPortHostIp(Box<PortBinding>),
    /// Replace "publish all exposed ports" by explicit bindings of `ports` (`80/tcp`) on `ip`.
    PublishExposedPortsOn { ports: Vec<String>, ip: String },
    /// Remove a security option (`seccomp=unconfined`, `systempaths=unconfined`…).
    RemoveSecurityOpt { option: String },
}

/// Whether applying a fix can change how the workload behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixSafety {
    /// Only removes privileges the workload does not normally use.
    Safe,
    /// May break a workload that relies on what is taken away; review it.
    BehaviourChanging,
}

impl std::fmt::Display for FixSafety {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FixSafety::Safe => "safe",
            FixSafety::BehaviourChanging => "behaviour-changing",
        })
    }
}

impl Change {
    /// One line for humans: what the change does.
    pub fn describe(&self) -> String {
        match self {
            Change::DropAllCapabilities => "drop all capabilities".into(),
            Change::RemoveCapability { capability } => format!("do not add {capability}"),
            Change::AddCapability { capability } => format!("add {capability} back"),
            Change::SetNoNewPrivileges => "set no-new-privileges".into(),
            Change::SetUser { user } => format!("run as user {user}"),
            Change::SetReadOnlyRootfs => "mount the root filesystem read-only".into(),
            Change::AddTmpfs { path, options } if options.is_empty() => {
                format!("mount a tmpfs at {path}")
            }
            Change::AddTmpfs { path, options } => format!("mount a tmpfs at {path} ({options})"),
            Change::SetTmpfsOwner { path, uid, gid } => {
                format!("give the tmpfs at {path} to {uid}:{gid}")
            }
            Change::SetMemory { bytes } => format!("limit memory to {}", human_bytes(*bytes)),
            Change::SetNanoCpus { nano_cpus } if *nano_cpus == 1_000_000_000 => {
                "limit CPU to 1 CPU".into()
            }
            Change::SetNanoCpus { nano_cpus } => {
                format!("limit CPU to {} CPUs", format_cpus(*nano_cpus))
            }
            Change::SetCpuQuota { quota } => format!("limit CPU with a CFS quota of {quota}µs"),
            Change::SetPidsLimit { limit } => format!("limit the number of processes to {limit}"),
            Change::BindPortHostIp(b) => format!(
                "bind published port {}/{} to {}",
                b.container_port, b.protocol, b.ip
            ),
            Change::PublishExposedPortsOn { ports, ip } if ports.is_empty() => {
                format!("replace --publish-all (no known exposed ports) by nothing on {ip}")
            }
            Change::PublishExposedPortsOn { ports, ip } => {
                format!(
                    "publish {} on {ip} instead of all interfaces",
                    ports.join(", ")
                )
            }
            Change::RemoveSecurityOpt { option } => format!("remove security option {option}"),
        }
    }
}

/// Tmpfs options with `uid=`/`gid=` set to `uid`/`gid` (replacing any).
pub fn with_owner(options: &str, uid: u32, gid: u32) -> String {
    let mut out: Vec<String> = options
        .split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty() && !o.starts_with("uid=") && !o.starts_with("gid="))
        .map(str::to_string)
        .collect();
    out.push(format!("uid={uid}"));
    out.push(format!("gid={gid}"));
    out.join(",")
}

/// `536870912` → `512MiB`.
pub fn human_bytes(b: i64) -> String {
    const UNITS: [(&str, i64); 4] = [
        ("TiB", 1 << 40),
        ("GiB", 1 << 30),
        ("MiB", 1 << 20),
        ("KiB", 1 << 10),
    ];
    for (u, n) in UNITS {
        if b >= n && b % n == 0 {
            return format!("{}{u}", b / n);
        }
    }
    format!("{b}B")
}

/// `1500000000` → `1.5`.
pub fn format_cpus(nano: i64) -> String {
    let whole = nano / 1_000_000_000;
    let frac = nano % 1_000_000_000;
    if frac == 0 {
        return whole.to_string();
    }
    let s = format!("{whole}.{frac:09}");
    s.trim_end_matches('0').to_string()
}

/// Memory in the `docker run` flag's unit language (`512m`), exact.
pub fn docker_bytes(b: i64) -> String {
    for (u, n) in [("g", 1i64 << 30), ("m", 1 << 20), ("k", 1 << 10)] {
        if b >= n && b % n == 0 {
            return format!("{}{u}", b / n);
        }
    }
    b.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_small() {
        // Every finding of thousands of services keeps its changes until the report.
        assert!(std::mem::size_of::<Change>() <= 56);
    }

    #[test]
    fn formats_are_exact() {
        assert_eq!(human_bytes(512 << 20), "512MiB");
        assert_eq!(human_bytes(1000), "1000B");
        assert_eq!(format_cpus(1_500_000_000), "1.5");
        assert_eq!(format_cpus(2_000_000_000), "2");
        assert_eq!(format_cpus(10_000_000), "0.01");
        assert_eq!(docker_bytes(512 << 20), "512m");
        assert_eq!(docker_bytes(3 << 30), "3g");
        assert_eq!(docker_bytes(1500), "1500");
    }
}
