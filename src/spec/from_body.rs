//! Engine API create body (or inspect data, which has the same shape) → [`Spec`].

use super::{At, EnvVar, Health, Mount, MountKind, Origin, Port, Restart, Spec, Tmpfs};
use crate::parse::ports::{port_key_order, split_port_key};
use bollard::models::{ContainerCreateBody, MountType};

/// Tells where a field of the body came from. `field` is the Engine API name
/// (`HostConfig.CapAdd`); `value` the entry (for list fields) so that a front end can find the
/// occurrence that produced it.
pub trait OriginLookup {
    fn origin(&self, field: &str, value: Option<&str>) -> Origin;
}

/// No origins known (every value points at [`Origin::Missing`]).
pub struct NoOrigins;

impl OriginLookup for NoOrigins {
    fn origin(&self, _field: &str, _value: Option<&str>) -> Origin {
        Origin::Missing
    }
}

fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.is_empty())
}

/// Builds the spec from a create body. Zero values the engine treats as unset become `None`.
pub fn spec_from_create_body(body: &ContainerCreateBody, o: &dyn OriginLookup) -> Spec {
    let mut spec = Spec::default();
    let at = |field: &str, value: Option<&str>| o.origin(field, value);

    if let Some(img) = nonempty(&body.image) {
        spec.image = Some(At::new(img.to_string(), at("Config.Image", Some(img))));
    }
    if let Some(u) = nonempty(&body.user) {
        spec.user = Some(At::new(u.to_string(), at("Config.User", Some(u))));
    }
    spec.command = body
        .entrypoint
        .iter()
        .flatten()
        .chain(body.cmd.iter().flatten())
        .filter(|w| !w.is_empty())
        .cloned()
        .collect();
    for e in body.env.iter().flatten() {
        let (name, value) = match e.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (e.clone(), None),
        };
        spec.env.push(At::new(
            EnvVar {
                name,
                value,
                literal: true,
            },
            at("Config.Env", Some(e)),
        ));
    }
    for p in body.exposed_ports.iter().flatten() {
        spec.expose
            .push(At::new(p.clone(), at("Config.ExposedPorts", Some(p))));
    }
    if let Some(h) = &body.healthcheck {
        let test = h.test.as_deref().unwrap_or(&[]);
        let health = match test.first().map(String::as_str) {
            Some("NONE") => Some(Health::Disabled),
            Some(_) => Some(Health::Defined),
            // Only timings given: the image's own test is kept.
            None => None,
        };
        if let Some(health) = health {
            spec.healthcheck = Some(At::new(health, at("Config.Healthcheck", None)));
        }
    }

    let Some(hc) = &body.host_config else {
        return spec;
    };
    if let Some(true) = hc.privileged {
        spec.privileged = Some(At::new(true, at("HostConfig.Privileged", None)));
    }
    for c in hc.cap_add.iter().flatten() {
        spec.cap_add.push(At::new(
            normalize_capability(c),
            at("HostConfig.CapAdd", Some(c)),
        ));
    }
    for c in hc.cap_drop.iter().flatten() {
        spec.cap_drop.push(At::new(
            normalize_capability(c),
            at("HostConfig.CapDrop", Some(c)),
        ));
    }
    for s in hc.security_opt.iter().flatten() {
        spec.security_opt
            .push(At::new(s.clone(), at("HostConfig.SecurityOpt", Some(s))));
    }
    // The CLI turns `systempaths=unconfined` into empty MaskedPaths/ReadonlyPaths.
    if matches!(&hc.masked_paths, Some(v) if v.is_empty())
        && matches!(&hc.readonly_paths, Some(v) if v.is_empty())
    {
        spec.security_opt.push(At::new(
            "systempaths=unconfined".to_string(),
            at("HostConfig.MaskedPaths", Some("systempaths=unconfined")),
        ));
    }
    if let Some(true) = hc.readonly_rootfs {
        spec.read_only = Some(At::new(true, at("HostConfig.ReadonlyRootfs", None)));
    }
    if let Some(t) = &hc.tmpfs {
        let mut paths: Vec<_> = t.iter().collect();
        paths.sort();
        for (path, opts) in paths {
            spec.tmpfs.push(At::new(
                Tmpfs {
                    target: path.clone(),
                    options: opts.clone(),
                },
                at("HostConfig.Tmpfs", Some(path)),
            ));
        }
    }
    for b in hc.binds.iter().flatten() {
        if let Some(m) = parse_bind(b) {
            spec.mounts
                .push(At::new(m, at("HostConfig.Binds", Some(b))));
        }
    }
    for v in body.volumes.iter().flatten() {
        spec.mounts.push(At::new(
            Mount {
                kind: MountKind::Volume,
                source: None,
                target: v.clone(),
                read_only: false,
                propagation: None,
            },
            at("Config.Volumes", Some(v)),
        ));
    }
    for m in hc.mounts.iter().flatten() {
        let target = m.target.clone().unwrap_or_default();
        let origin = at("HostConfig.Mounts", Some(&target));
        match m.typ {
            Some(MountType::TMPFS) => {
                let mut opts = Vec::new();
                if let Some(t) = &m.tmpfs_options {
                    if let Some(size) = t.size_bytes.filter(|s| *s > 0) {
                        opts.push(format!("size={size}"));
                    }
                    if let Some(mode) = t.mode.filter(|m| *m > 0) {
                        opts.push(format!("mode={mode:o}"));
                    }
                    for o in t.options.iter().flatten() {
                        opts.push(o.join("="));
                    }
                }
                spec.tmpfs.push(At::new(
                    Tmpfs {
                        target,
                        options: opts.join(","),
                    },
                    origin,
                ));
            }
            ref t => {
                let kind = match t {
                    Some(MountType::BIND) => MountKind::Bind,
                    Some(MountType::VOLUME) | None => MountKind::Volume,
                    _ => MountKind::Other,
                };
                let propagation = m
                    .bind_options
                    .as_ref()
                    .and_then(|b| b.propagation)
                    .map(|p| p.to_string())
                    .filter(|p| !p.is_empty());
                spec.mounts.push(At::new(
                    Mount {
                        kind,
                        source: m.source.clone().filter(|s| !s.is_empty()),
                        target,
                        read_only: m.read_only.unwrap_or(false),
                        propagation,
                    },
                    origin,
                ));
            }
        }
    }
    if let Some(pb) = &hc.port_bindings {
        let mut keys: Vec<_> = pb.keys().collect();
        keys.sort_by_key(|k| port_key_order(k));
        for key in keys {
            let (port, proto) = split_port_key(key);
            for b in pb.get(key).into_iter().flatten().flatten() {
                let p = Port {
                    host_ip: b.host_ip.clone().unwrap_or_default(),
                    host_port: b.host_port.clone().unwrap_or_default(),
                    container_port: port.clone(),
                    protocol: proto.clone(),
                };
                let origin = at("HostConfig.PortBindings", Some(key));
                spec.ports.push(At::new(p, origin));
            }
        }
    }
    if let Some(true) = hc.publish_all_ports {
        spec.publish_all = Some(At::new(true, at("HostConfig.PublishAllPorts", None)));
    }
    let positive = |v: Option<i64>| v.filter(|v| *v != 0);
    if let Some(m) = positive(hc.memory) {
        spec.memory = Some(At::new(m, at("HostConfig.Memory", None)));
    }
    if let Some(m) = positive(hc.memory_swap) {
        spec.memory_swap = Some(At::new(m, at("HostConfig.MemorySwap", None)));
    }
    if let Some(m) = positive(hc.memory_reservation) {
        spec.memory_reservation = Some(At::new(m, at("HostConfig.MemoryReservation", None)));
    }
    if let Some(n) = positive(hc.nano_cpus) {
        spec.nano_cpus = Some(At::new(n, at("HostConfig.NanoCpus", None)));
    }
    if let Some(n) = positive(hc.cpu_quota) {
        spec.cpu_quota = Some(At::new(n, at("HostConfig.CpuQuota", None)));
    }
    if let Some(n) = positive(hc.cpu_period) {
        spec.cpu_period = Some(At::new(n, at("HostConfig.CpuPeriod", None)));
    }
    if let Some(n) = positive(hc.pids_limit) {
        spec.pids_limit = Some(At::new(n, at("HostConfig.PidsLimit", None)));
    }
    let mode = |v: &Option<String>, field: &str| {
        nonempty(v).map(|s| At::new(s.to_string(), at(field, Some(s))))
    };
    spec.network_mode =
        mode(&hc.network_mode, "HostConfig.NetworkMode").filter(|m| m.value != "default");
    spec.pid_mode = mode(&hc.pid_mode, "HostConfig.PidMode");
    spec.ipc_mode = mode(&hc.ipc_mode, "HostConfig.IpcMode");
    spec.uts_mode = mode(&hc.uts_mode, "HostConfig.UTSMode");
    spec.userns_mode = mode(&hc.userns_mode, "HostConfig.UsernsMode");
    spec.cgroup_parent = mode(&hc.cgroup_parent, "HostConfig.CgroupParent");
    if let Some(c) = hc.cgroupns_mode {
        let s = c.to_string();
        if !s.is_empty() {
            spec.cgroupns_mode = Some(At::new(s.clone(), at("HostConfig.CgroupnsMode", Some(&s))));
        }
    }
    for d in hc.devices.iter().flatten() {
        let host = d.path_on_host.clone().unwrap_or_default();
        let origin = at("HostConfig.Devices", Some(&host));
        spec.devices.push(At::new(host, origin));
    }
    for r in hc.device_requests.iter().flatten() {
        if r.driver.as_deref() == Some("cdi") {
            for id in r.device_ids.iter().flatten() {
                spec.devices.push(At::new(
                    id.clone(),
                    at("HostConfig.DeviceRequests", Some(id)),
                ));
            }
        }
    }
    if let Some(rp) = &hc.restart_policy {
        let name = rp.name.map(|n| n.to_string()).unwrap_or_default();
        if !name.is_empty() && name != "no" {
            spec.restart = Some(At::new(
                Restart {
                    name: name.clone(),
                    max_retries: rp.maximum_retry_count.unwrap_or(0),
                },
                at("HostConfig.RestartPolicy", Some(&name)),
            ));
        }
    }
    if let Some(s) = &hc.sysctls {
        let mut keys: Vec<_> = s.iter().collect();
        keys.sort();
        for (k, v) in keys {
            spec.sysctls.push(At::new(
                (k.clone(), v.clone()),
                at("HostConfig.Sysctls", Some(k)),
            ));
        }
    }
    if let Some(true) = hc.oom_kill_disable {
        spec.oom_kill_disable = Some(At::new(true, at("HostConfig.OomKillDisable", None)));
    }
    if let Some(lc) = &hc.log_config
        && let Some(t) = nonempty(&lc.typ)
    {
        spec.log_driver = Some(At::new(t.to_string(), at("HostConfig.LogConfig", Some(t))));
    }
    spec
}

/// `CAP_X` form, upper case; `ALL` stays `ALL` (as the Docker client normalises).
/// Every capability the engine knows (Linux 5.9+; moby's list), in `CAP_` form.
pub const KNOWN_CAPABILITIES: [&str; 41] = [
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
];

/// The engine's error for a capability it does not know (`invalid CapAdd: unknown capability:
/// "CAP_FOO"`), or `None` when every one is known.
pub fn unknown_capability(field: &str, caps: &[String]) -> Option<String> {
    caps.iter().map(|c| normalize_capability(c)).find_map(|c| {
        (c != "ALL" && !KNOWN_CAPABILITIES.contains(&c.as_str()))
            .then(|| format!("invalid {field}: unknown capability: \"{c}\""))
    })
}

pub fn normalize_capability(c: &str) -> String {
    let up = c.trim().to_ascii_uppercase();
    if up == "ALL" || up.starts_with("CAP_") {
        up
    } else {
        format!("CAP_{up}")
    }
}

/// Parses a `HostConfig.Binds` entry (`src:dst[:opts]`) as the daemon does: an absolute source is
/// a bind, anything else a named volume ([`crate::parse::mounts::parse_bind`]).
pub fn parse_bind(spec: &str) -> Option<Mount> {
    crate::parse::mounts::parse_bind(spec).map(Mount::from_volume_spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binds_split_like_the_daemon() {
        let m = parse_bind("/:/host:ro,rslave").unwrap();
        assert_eq!(m.kind, MountKind::Bind);
        assert!(m.read_only);
        assert_eq!(m.propagation.as_deref(), Some("rslave"));
        let v = parse_bind("data:/var/lib/x").unwrap();
        assert_eq!(v.kind, MountKind::Volume);
        assert!(!v.read_only);
        assert!(parse_bind("/only").is_none());
    }

    #[test]
    fn capabilities_are_normalised() {
        assert_eq!(normalize_capability("net_admin"), "CAP_NET_ADMIN");
        assert_eq!(normalize_capability("CAP_SYS_TIME"), "CAP_SYS_TIME");
        assert_eq!(normalize_capability("all"), "ALL");
    }
}
