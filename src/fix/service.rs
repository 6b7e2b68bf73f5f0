//! The back end for a Swarm service spec (`POST /services/create`, `/services/{id}/update`): a
//! change planned for the task's container, written where a service carries it
//! (`TaskTemplate.ContainerSpec`, `TaskTemplate.Resources.Limits`). What a service cannot carry
//! at the engine's API version is left out, with the reason.

use super::Change;
use super::body::{array, object};
use crate::spec::normalize_capability;
use serde_json::{Map, Value, json};

/// The API version from which a service's `Privileges` has `NoNewPrivileges` (Engine 27).
const NNP_API: (u32, u32) = (1, 46);

/// `a.b` as numbers (`None` when it is not one).
fn version(v: &str) -> Option<(u32, u32)> {
    let (a, b) = v.split_once('.')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

fn container_spec(body: &mut Value) -> &mut Map<String, Value> {
    let tt = object(body, "TaskTemplate");
    let spec = tt
        .entry("ContainerSpec".to_string())
        .or_insert_with(|| json!({}));
    // `object` of a map entry: the spec's own fields under it.
    as_object(spec)
}

fn privileges(body: &mut Value) -> &mut Map<String, Value> {
    let spec = container_spec(body);
    as_object(
        spec.entry("Privileges".to_string())
            .or_insert_with(|| json!({})),
    )
}

fn limits(body: &mut Value) -> &mut Map<String, Value> {
    let tt = object(body, "TaskTemplate");
    let res = tt
        .entry("Resources".to_string())
        .or_insert_with(|| json!({}));
    object(res, "Limits")
}

/// `v` as an object, made one when it is not.
fn as_object(v: &mut Value) -> &mut Map<String, Value> {
    if !v.is_object() {
        *v = json!({});
    }
    match v {
        Value::Object(o) => o,
        _ => unreachable!("made an object above"),
    }
}

fn same_cap(a: &str, b: &str) -> bool {
    normalize_capability(a) == normalize_capability(b)
}

/// Applies `changes` to a service spec for an engine at `api_version`; returns what could
/// not be applied and why (one line each).
pub fn apply(body: &mut Value, changes: &[Change], api_version: &str) -> Vec<String> {
    let api = version(api_version).unwrap_or((1, 24));
    let mut left_out = Vec::new();
    for c in changes {
        match c {
            Change::DropAllCapabilities => {
                container_spec(body).insert("CapabilityDrop".into(), json!(["ALL"]));
            }
            Change::RemoveCapability { capability } => {
                array(container_spec(body), "CapabilityAdd")
                    .retain(|v| !v.as_str().is_some_and(|s| same_cap(s, capability)));
            }
            Change::AddCapability { capability } => {
                let add = array(container_spec(body), "CapabilityAdd");
                if !add
                    .iter()
                    .any(|v| v.as_str().is_some_and(|s| same_cap(s, capability)))
                {
                    add.push(json!(capability));
                }
            }
            Change::SetNoNewPrivileges if api >= NNP_API => {
                privileges(body).insert("NoNewPrivileges".into(), json!(true));
            }
            Change::SetNoNewPrivileges => left_out.push(format!(
                "a service cannot set no-new-privileges below API {}.{} (this engine: {api_version}); set it in the daemon (`\"no-new-privileges\": true` in daemon.json)",
                NNP_API.0, NNP_API.1
            )),
            Change::SetUser { user } => {
                container_spec(body).insert("User".into(), json!(user));
            }
            Change::SetReadOnlyRootfs => {
                container_spec(body).insert("ReadOnly".into(), json!(true));
            }
            Change::AddTmpfs { path, options } => {
                let (opts, owner) = tmpfs_options(options);
                let mut m = json!({"Type": "tmpfs", "Target": path});
                if !opts.is_empty() {
                    m["TmpfsOptions"] = Value::Object(opts);
                }
                array(container_spec(body), "Mounts").push(m);
                if owner {
                    left_out.push(format!(
                        "tmpfs {path}: a service's tmpfs has no owner; it is world-writable (mode 1777) instead"
                    ));
                }
            }
            Change::SetTmpfsOwner { path, .. } => {
                let same = |p: &str| p.trim_end_matches('/') == path.trim_end_matches('/');
                for m in array(container_spec(body), "Mounts").iter_mut() {
                    if m.get("Type").and_then(Value::as_str) == Some("tmpfs")
                        && m.get("Target").and_then(Value::as_str).is_some_and(same)
                    {
                        object(m, "TmpfsOptions").insert("Mode".into(), json!(0o1777));
                    }
                }
                left_out.push(format!(
                    "tmpfs {path}: a service's tmpfs has no owner; it is world-writable (mode 1777) instead"
                ));
            }
            Change::SetMemory { bytes } => {
                limits(body).insert("MemoryBytes".into(), json!(bytes));
            }
            Change::SetNanoCpus { nano_cpus } => {
                limits(body).insert("NanoCPUs".into(), json!(nano_cpus));
            }
            Change::SetCpuQuota { .. } => left_out.push(
                "a service has no CFS quota; its CPU limit is `Resources.Limits.NanoCPUs`".into(),
            ),
            Change::SetPidsLimit { limit } => {
                limits(body).insert("Pids".into(), json!(limit));
            }
            Change::BindPortHostIp(_) | Change::PublishExposedPortsOn { .. } => {
                left_out.push(crate::fix::model::SWARM_PORTS.into())
            }
            Change::RemoveSecurityOpt { option } => {
                let (what, set) = match option.split(['=', ':']).next().unwrap_or("") {
                    "seccomp" => ("Seccomp", json!({"Mode": "default"})),
                    "apparmor" => ("AppArmor", json!({"Mode": "default"})),
                    "label" => ("SELinuxContext", json!({"Disable": false})),
                    _ => {
                        left_out.push(format!("a service has no security option {option}"));
                        continue;
                    }
                };
                privileges(body).insert(what.into(), set);
            }
        }
    }
    left_out
}

/// A `--tmpfs` option string as a service's `TmpfsOptions` (`SizeBytes`, `Mode`), and whether
/// it named an owner (then the mode is 1777: a service's tmpfs has none).
fn tmpfs_options(options: &str) -> (Map<String, Value>, bool) {
    let mut out = Map::new();
    let mut owner = false;
    for o in options.split(',') {
        if let Some(s) = o.strip_prefix("size=") {
            if let Ok(b) = crate::parse::units::ram_in_bytes(s) {
                out.insert("SizeBytes".into(), json!(b));
            }
        } else if let Some(m) = o.strip_prefix("mode=") {
            if let Ok(m) = u32::from_str_radix(m, 8) {
                out.insert("Mode".into(), json!(m));
            }
        } else if o.starts_with("uid=") || o.starts_with("gid=") {
            owner = true;
        }
    }
    if owner {
        out.insert("Mode".into(), json!(0o1777));
    }
    (out, owner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_land_where_a_service_carries_them() {
        let mut b = json!({
            "Name": "web",
            "TaskTemplate": {"ContainerSpec": {"Image": "nginx", "CapabilityAdd": ["CAP_SYS_ADMIN", "NET_ADMIN"]}},
        });
        let left = apply(
            &mut b,
            &[
                Change::DropAllCapabilities,
                Change::RemoveCapability {
                    capability: "CAP_NET_ADMIN".into(),
                },
                Change::AddCapability {
                    capability: "CAP_NET_BIND_SERVICE".into(),
                },
                Change::SetUser {
                    user: "65534:65534".into(),
                },
                Change::SetReadOnlyRootfs,
                Change::AddTmpfs {
                    path: "/tmp".into(),
                    options: "rw,noexec,nosuid,size=64m,uid=65534,gid=65534".into(),
                },
                Change::SetMemory { bytes: 512 << 20 },
                Change::SetNanoCpus {
                    nano_cpus: 1_000_000_000,
                },
                Change::SetPidsLimit { limit: 256 },
                Change::RemoveSecurityOpt {
                    option: "seccomp=unconfined".into(),
                },
                Change::SetNoNewPrivileges,
            ],
            "1.41",
        );
        let spec = &b["TaskTemplate"]["ContainerSpec"];
        assert_eq!(spec["CapabilityDrop"], json!(["ALL"]));
        assert_eq!(
            spec["CapabilityAdd"],
            json!(["CAP_SYS_ADMIN", "CAP_NET_BIND_SERVICE"])
        );
        assert_eq!(spec["User"], "65534:65534");
        assert_eq!(spec["ReadOnly"], true);
        assert_eq!(
            spec["Mounts"],
            json!([{"Type": "tmpfs", "Target": "/tmp", "TmpfsOptions": {"SizeBytes": 64 << 20, "Mode": 0o1777}}])
        );
        assert_eq!(spec["Privileges"]["Seccomp"]["Mode"], "default");
        assert!(spec["Privileges"].get("NoNewPrivileges").is_none());
        let l = &b["TaskTemplate"]["Resources"]["Limits"];
        assert_eq!(l["MemoryBytes"], 512 << 20);
        assert_eq!(l["NanoCPUs"], 1_000_000_000);
        assert_eq!(l["Pids"], 256);
        assert_eq!(left.len(), 2, "{left:?}");
        assert!(left[1].contains("no-new-privileges"), "{left:?}");

        // A newer engine carries no-new-privileges.
        let mut b = json!({"TaskTemplate": {"ContainerSpec": {"Image": "x"}}});
        let left = apply(&mut b, &[Change::SetNoNewPrivileges], "1.47");
        assert!(left.is_empty());
        assert_eq!(
            b["TaskTemplate"]["ContainerSpec"]["Privileges"]["NoNewPrivileges"],
            true
        );
    }
}
