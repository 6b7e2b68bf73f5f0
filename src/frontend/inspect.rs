//! The container front end: `docker inspect` data (`GET /containers/{id}/json`) → [`Spec`].
//!
//! `Config` and `HostConfig` of inspect data have the shape of the create body, so the spec is
//! built by [`spec_from_create_body`] with origins that point into the inspect document
//! (`HostConfig.CapAdd[0]`). What the engine adds or resolves at create time is read back so that
//! a container started with plain `docker run` is judged like the command line that started it:
//!
//! - published ports: a running container's actual bindings (`NetworkSettings.Ports`, which also
//!   holds what `-P` picked) replace `HostConfig.PortBindings`; the IPv4 and IPv6 listener of one
//!   binding count once;
//! - `label=disable` in `HostConfig.SecurityOpt` is added by the engine to privileged, host-PID and
//!   host-IPC containers: it is not reported again as `selinux-disabled`;
//! - `CgroupnsMode: host` is the engine's default on cgroup v1 hosts, indistinguishable from an
//!   explicit `--cgroupns host` there: it is reported only on cgroup v2 hosts;
//! - `AppArmorProfile: unconfined` (outside privileged mode) counts as `apparmor=unconfined`;
//! - empty `MaskedPaths` and `ReadonlyPaths` mean `systempaths=unconfined`, except for privileged
//!   containers (where they are always empty);
//! - Podman (its Docker-compatible service) never shows `CapDrop: ["ALL"]`: it lists every
//!   capability it dropped instead. A `CapDrop` that, with `CapAdd`, covers the engine's whole
//!   default set, or a libpod `BoundingCaps` (when read) that holds nothing beyond `CapAdd`,
//!   counts as `--cap-drop ALL`;
//! - Podman mounts a read-write tmpfs on `/var/tmp` (with `/tmp` and `/run`) of every read-only
//!   container (`rw,rprivate,nosuid,nodev,tmpcopyup`); the one on `/var/tmp` (world-writable and
//!   sticky, where Docker has nothing) is an engine default, not the container's;
//! - `Config.User`, `Config.Healthcheck`, `Config.ExposedPorts` and `Config.Volumes` already hold
//!   what the image declares (the engine merges the image config into the container's); an image
//!   volume that a bind or tmpfs covers is not listed twice.
//!
//! # CIS Docker Benchmark v1.6.0, section 5 (what docker-bench-security checks per container)
//!
//! | CIS | Check | Covered by |
//! |---|---|---|
//! | 5.1 | swarm mode is not enabled | not applicable: a daemon setting, not a container's |
//! | 5.2 | an AppArmor profile is enabled | `apparmor-unconfined` (`AppArmorProfile`, `SecurityOpt`); an empty profile means the host has no AppArmor |
//! | 5.3 | SELinux security options are set | `selinux-disabled` (`label=disable`/`label:disable`) |
//! | 5.4 | capabilities are restricted | `cap-drop-all`, `dangerous-capability` (`HostConfig.CapAdd`/`CapDrop`) |
//! | 5.5 | privileged containers are not used | `privileged` |
//! | 5.6 | sensitive host directories are not mounted | `sensitive-mount` (`HostConfig.Binds`/`Mounts`) |
//! | 5.7 | sshd is not run within containers | not applicable: needs `docker exec ps` inside the container, not its configuration |
//! | 5.8 | privileged ports are not mapped | `privileged-port` (actual bindings) |
//! | 5.9 | only needed ports are open | manual in CIS; every published port appears in `port-host-ip`/`privileged-port` findings |
//! | 5.10 | the host's network namespace is not shared | `host-network` |
//! | 5.11 | memory usage is limited | `memory-limit` |
//! | 5.12 | CPU priority is set | `cpu-limit` (`NanoCpus`, `CpuQuota`) |
//! | 5.13 | the root filesystem is read-only | `read-only-rootfs` |
//! | 5.14 | incoming traffic is bound to a host interface | `port-host-ip` |
//! | 5.15 | restart policy `on-failure` with at most 5 retries | `restart-policy` |
//! | 5.16 | the host's PID namespace is not shared | `host-pid` |
//! | 5.17 | the host's IPC namespace is not shared | `host-ipc` |
//! | 5.18 | host devices are not exposed | `host-devices` |
//! | 5.19 | the default ulimit is overridden if needed | not applicable: manual in CIS, no rule (the daemon's defaults are not a finding) |
//! | 5.20 | mount propagation is not shared | `mount-propagation` |
//! | 5.21 | the host's UTS namespace is not shared | `host-uts` |
//! | 5.22 | seccomp is not disabled | `seccomp-unconfined` |
//! | 5.23 | `docker exec --privileged` is not used | not applicable: exec sessions are not part of the container's configuration |
//! | 5.24 | `docker exec --user=root` is not used | not applicable: as 5.23 |
//! | 5.25 | cgroup usage is confirmed | `cgroup-parent` |
//! | 5.26 | no additional privileges can be acquired | `no-new-privileges` |
//! | 5.27 | health is checked at runtime | `healthcheck` (the container's or the image's `HEALTHCHECK`) |
//! | 5.28 | the latest image version is used | `image-tag` (`Config.Image`) |
//! | 5.29 | the PIDs cgroup limit is used | `pids-limit` |
//! | 5.30 | the default bridge `docker0` is not used | not covered: manual in CIS; harden has no rule for the default network |
//! | 5.31 | the host's user namespace is not shared | `host-userns` |
//! | 5.32 | the Docker socket is not mounted | `docker-socket` |

use crate::parse::ports::{port_key_order, split_port_key};
use crate::spec::{At, ImageFacts, Origin, OriginLookup, Port, Spec, spec_from_create_body};
use serde_json::Value;

/// What the daemon decides for every container and inspect data does not say.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DaemonFacts {
    /// The host uses cgroup v1 (`GET /info` → `CgroupVersion: "1"`): the engine's default
    /// cgroup namespace mode is then `host`.
    pub cgroup_v1: bool,
    /// The engine is Podman.
    pub podman: bool,
    /// The capabilities a container gets by default (`CAP_CHOWN` form).
    pub default_capabilities: Vec<String>,
}

/// Podman's options for the tmpfs it mounts on `/tmp`, `/var/tmp` and `/run` of a read-only
/// container.
const PODMAN_READ_ONLY_TMPFS: &str = "rw,rprivate,nosuid,nodev,tmpcopyup";

/// The capabilities of a `CapAdd`/`CapDrop`-like list (`CAP_CHOWN` form).
fn capability_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(crate::spec::normalize_capability)
        .collect()
}

/// Podman dropped every capability but the added ones: its `CapDrop` lists each default one
/// (with `CapAdd`, the whole default set), or its `BoundingCaps` holds only added ones.
fn podman_drops_all(doc: &Value, host: &Value, daemon: &DaemonFacts) -> bool {
    let added = capability_list(host.get("CapAdd"));
    if let Some(bounding) = doc.get("BoundingCaps").filter(|b| !b.is_null()) {
        return capability_list(Some(bounding))
            .iter()
            .all(|c| added.contains(c));
    }
    let dropped = capability_list(host.get("CapDrop"));
    if dropped.iter().any(|c| c == "ALL" || c == "CAP_ALL") {
        return false; // already says so
    }
    !dropped.is_empty()
        && daemon
            .default_capabilities
            .iter()
            .all(|c| dropped.contains(c) || added.contains(c))
}

/// One inspected container.
#[derive(Clone, Debug, PartialEq)]
pub struct Container {
    pub id: String,
    /// Name without the leading `/`.
    pub name: String,
    /// The image as the container was created with it (`Config.Image`).
    pub image: String,
    /// The image ID (`Image`), for image inspection.
    pub image_id: String,
    pub running: bool,
    pub spec: Spec,
}

/// Inspect data that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read the inspect data of {what}: {why}")]
pub struct InspectError {
    pub what: String,
    pub why: String,
}

/// Origins pointing into the inspect document (`HostConfig.CapAdd[1]`,
/// `HostConfig.Tmpfs["/run"]`).
pub struct InspectOrigins<'a> {
    pub doc: &'a Value,
}

impl OriginLookup for InspectOrigins<'_> {
    fn origin(&self, field: &str, value: Option<&str>) -> Origin {
        Origin::Inspect {
            path: locate(self.doc, field, value),
        }
    }
}

/// The inspect path of `value` inside `field`: an index for arrays, a key for maps.
pub fn locate(doc: &Value, field: &str, value: Option<&str>) -> String {
    let pointer = format!("/{}", field.replace('.', "/"));
    let (Some(node), Some(value)) = (doc.pointer(&pointer), value) else {
        return field.to_string();
    };
    match node {
        Value::Array(items) => {
            let key = match field {
                "HostConfig.Mounts" => Some("Target"),
                "HostConfig.Devices" => Some("PathOnHost"),
                _ => None,
            };
            items
                .iter()
                .position(|item| match key {
                    Some(k) => item.get(k).and_then(Value::as_str) == Some(value),
                    None => item.as_str() == Some(value),
                })
                .map(|i| format!("{field}[{i}]"))
                .unwrap_or_else(|| field.to_string())
        }
        Value::Object(map) if map.contains_key(value) => format!("{field}[{value:?}]"),
        _ => field.to_string(),
    }
}

fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// Builds the spec of one container from its inspect document and, when known, its image's.
pub fn container(
    doc: &Value,
    image: Option<&Value>,
    daemon: &DaemonFacts,
) -> Result<Container, InspectError> {
    let id = text(doc, "/Id").to_string();
    let name = text(doc, "/Name").trim_start_matches('/').to_string();
    let what = if name.is_empty() {
        id.clone()
    } else {
        name.clone()
    };
    let err = |why: String| InspectError {
        what: what.clone(),
        why,
    };
    let Some(Value::Object(config)) = doc.get("Config") else {
        return Err(err("no Config".into()));
    };
    let mut host = doc
        .get("HostConfig")
        .cloned()
        .unwrap_or(Value::Object(Default::default()));
    let privileged = host.get("Privileged").and_then(Value::as_bool) == Some(true);
    let host_mode = |k: &str| host.get(k).and_then(Value::as_str) == Some("host");
    let engine_label_disable = privileged || host_mode("PidMode") || host_mode("IpcMode");
    let engine_cgroupns = daemon.cgroup_v1 && host_mode("CgroupnsMode");
    let drops_all = daemon.podman && podman_drops_all(doc, &host, daemon);
    if let Value::Object(h) = &mut host {
        if drops_all {
            h.insert("CapDrop".into(), Value::from(vec!["ALL"]));
        }
        if daemon.podman
            && let Some(Value::Object(t)) = h.get_mut("Tmpfs")
            && t.get("/var/tmp").and_then(Value::as_str) == Some(PODMAN_READ_ONLY_TMPFS)
        {
            t.remove("/var/tmp");
        }
        if engine_label_disable && let Some(Value::Array(opts)) = h.get_mut("SecurityOpt") {
            opts.retain(|o| !matches!(o.as_str(), Some("label=disable" | "label:disable")));
        }
        if engine_cgroupns {
            h.remove("CgroupnsMode");
        }
        if privileged {
            h.remove("MaskedPaths");
            h.remove("ReadonlyPaths");
        }
    }
    let mut body = Value::Object(config.clone());
    body["HostConfig"] = host;
    let body: bollard::models::ContainerCreateBody =
        serde_json::from_value(body).map_err(|e| err(e.to_string()))?;
    let origins = InspectOrigins { doc };
    let mut spec = spec_from_create_body(&body, &origins);
    spec.name = Some(name.clone());

    let running = doc.pointer("/State/Running").and_then(Value::as_bool) == Some(true);
    if running && let Some(actual) = actual_ports(doc) {
        spec.ports = actual;
        spec.publish_all = None;
    }
    if !privileged
        && text(doc, "/AppArmorProfile") == "unconfined"
        && !spec.security_opt.iter().any(|o| {
            let v = o.value.replace(':', "=");
            v == "apparmor=unconfined"
        })
    {
        spec.security_opt.push(At::new(
            "apparmor=unconfined".to_string(),
            Origin::Inspect {
                path: "AppArmorProfile".into(),
            },
        ));
    }
    // An image VOLUME covered by a bind, a named volume or a tmpfs at the same path is one mount.
    let covered: Vec<String> = spec
        .mounts
        .iter()
        .filter(|m| !is_config_volume(&m.origin))
        .map(|m| m.value.target.clone())
        .chain(spec.tmpfs.iter().map(|t| t.value.target.clone()))
        .collect();
    spec.mounts
        .retain(|m| !(is_config_volume(&m.origin) && covered.contains(&m.value.target)));
    if let Some(img) = image {
        spec.image_facts = facts_from_inspect(img);
    } else {
        spec.image_facts = ImageFacts::default();
    }
    Ok(Container {
        id,
        name,
        image: text(doc, "/Config/Image").to_string(),
        image_id: text(doc, "/Image").to_string(),
        running,
        spec,
    })
}

fn is_config_volume(o: &Origin) -> bool {
    matches!(o, Origin::Inspect { path } if path.starts_with("Config.Volumes"))
}

/// The bindings the engine made (`NetworkSettings.Ports`), or `None` when it lists none.
fn actual_ports(doc: &Value) -> Option<Vec<At<Port>>> {
    let ports = doc.pointer("/NetworkSettings/Ports")?.as_object()?;
    let mut keys: Vec<&String> = ports.keys().collect();
    keys.sort_by_key(|k| port_key_order(k));
    let mut out: Vec<At<Port>> = Vec::new();
    for key in keys {
        let (port, proto) = split_port_key(key);
        let Some(bindings) = ports.get(key).and_then(Value::as_array) else {
            continue;
        };
        for (i, b) in bindings.iter().enumerate() {
            let p = Port {
                host_ip: text(b, "/HostIp").to_string(),
                host_port: text(b, "/HostPort").to_string(),
                container_port: port.clone(),
                protocol: proto.clone(),
            };
            // `0.0.0.0:8080` and `[::]:8080` are the two listeners of one binding.
            let duplicate = out.iter().any(|have| {
                have.value.container_port == p.container_port
                    && have.value.protocol == p.protocol
                    && have.value.host_port == p.host_port
                    && have.value.binds_all_interfaces()
                    && p.binds_all_interfaces()
            });
            if !duplicate {
                out.push(At::new(
                    p,
                    Origin::Inspect {
                        path: format!("NetworkSettings.Ports[{key:?}][{i}]"),
                    },
                ));
            }
        }
    }
    if out.is_empty() { None } else { Some(out) }
}

/// Reads `Config.User`, `Config.ExposedPorts`, `Config.Volumes`, `Config.Healthcheck`.
pub fn facts_from_inspect(v: &serde_json::Value) -> crate::spec::ImageFacts {
    let cfg = v.get("Config").cloned().unwrap_or_default();
    let keys = |field: &str| -> Vec<String> {
        let mut k: Vec<String> = cfg
            .get(field)
            .and_then(|m| m.as_object())
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        k.sort();
        k
    };
    let health = cfg
        .get("Healthcheck")
        .and_then(|h| h.get("Test"))
        .and_then(|t| t.as_array())
        .and_then(|t| t.first())
        .and_then(|t| t.as_str())
        .map(|t| t != "NONE");
    ImageFacts {
        user: Some(
            cfg.get("User")
                .and_then(|u| u.as_str())
                .unwrap_or("")
                .to_string(),
        ),
        exposed_ports: Some(keys("ExposedPorts")),
        volumes: Some(keys("Volumes")),
        has_healthcheck: Some(health.unwrap_or(false)),
        id: v.get("Id").and_then(|i| i.as_str()).map(str::to_string),
        entrypoint: cfg
            .get("Entrypoint")
            .and_then(|e| e.as_array())
            .map(|e| {
                e.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        cmd: cfg
            .get("Cmd")
            .and_then(|e| e.as_array())
            .map(|e| {
                e.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        fs: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "Id": "abc123",
            "Name": "/web",
            "Image": "sha256:0b90",
            "State": {"Running": true},
            "AppArmorProfile": "",
            "Config": {
                "User": "",
                "Image": "harden-test/busybox:1",
                "Env": ["PATH=/bin"],
                "ExposedPorts": {"80/tcp": {}},
                "Volumes": {"/data": {}, "/cache": {}},
            },
            "HostConfig": {
                "Binds": ["/var/run/docker.sock:/var/run/docker.sock", "/srv:/data"],
                "NetworkMode": "default",
                "PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]},
                "PublishAllPorts": true,
                "CapAdd": ["CAP_NET_ADMIN", "CAP_SYS_ADMIN"],
                "CapDrop": null,
                "CgroupnsMode": "host",
                "IpcMode": "private",
                "PidMode": "host",
                "Privileged": false,
                "SecurityOpt": ["seccomp=unconfined", "label=disable"],
                "RestartPolicy": {"Name": "no", "MaximumRetryCount": 0},
                "Isolation": "",
                "PidsLimit": null,
                "MemorySwappiness": null,
                "MaskedPaths": ["/proc/kcore"],
                "ReadonlyPaths": ["/proc/sys"],
                "Tmpfs": {"/cache": "rw"},
                "LogConfig": {"Type": "json-file", "Config": {}},
            },
            "NetworkSettings": {"Ports": {
                "80/tcp": [
                    {"HostIp": "0.0.0.0", "HostPort": "8080"},
                    {"HostIp": "::", "HostPort": "8080"}
                ],
                "443/tcp": null
            }},
        })
    }

    #[test]
    fn inspect_reads_like_the_command_line() {
        let c = container(
            &doc(),
            None,
            &DaemonFacts {
                cgroup_v1: true,
                ..DaemonFacts::default()
            },
        )
        .unwrap();
        assert_eq!(c.name, "web");
        assert_eq!(c.image, "harden-test/busybox:1");
        assert!(c.running);
        let s = &c.spec;
        assert_eq!(s.cap_add.len(), 2);
        assert_eq!(
            s.cap_add[1].origin,
            Origin::Inspect {
                path: "HostConfig.CapAdd[1]".into()
            }
        );
        assert_eq!(s.pid_mode.as_ref().unwrap().value, "host");
        // engine defaults are not findings
        assert!(s.cgroupns_mode.is_none());
        let opts: Vec<&str> = s.security_opt.iter().map(|o| o.value.as_str()).collect();
        assert_eq!(opts, ["seccomp=unconfined"]);
        // one binding, from the actual ports; -P is resolved
        assert_eq!(s.ports.len(), 1);
        assert_eq!(s.ports[0].value.host_ip, "0.0.0.0");
        assert!(s.publish_all.is_none());
        // /data is a bind, /cache a tmpfs: the image volumes are covered
        let targets: Vec<&str> = s.mounts.iter().map(|m| m.value.target.as_str()).collect();
        assert_eq!(targets, ["/var/run/docker.sock", "/data"]);
        assert_eq!(
            s.tmpfs[0].origin,
            Origin::Inspect {
                path: "HostConfig.Tmpfs[\"/cache\"]".into()
            }
        );
    }

    #[test]
    fn cgroup_v2_reports_host_cgroupns_and_stopped_containers_keep_their_config() {
        let mut d = doc();
        d["State"]["Running"] = json!(false);
        let c = container(&d, None, &DaemonFacts::default()).unwrap();
        assert_eq!(c.spec.cgroupns_mode.as_ref().unwrap().value, "host");
        assert_eq!(c.spec.ports[0].value.host_ip, "");
        assert!(c.spec.publish_all.is_some());
    }

    #[test]
    fn apparmor_and_systempaths() {
        let mut d = doc();
        d["AppArmorProfile"] = json!("unconfined");
        d["HostConfig"]["MaskedPaths"] = json!([]);
        d["HostConfig"]["ReadonlyPaths"] = json!([]);
        let c = container(&d, None, &DaemonFacts::default()).unwrap();
        let opts: Vec<&str> = c
            .spec
            .security_opt
            .iter()
            .map(|o| o.value.as_str())
            .collect();
        assert!(opts.contains(&"apparmor=unconfined"), "{opts:?}");
        assert!(opts.contains(&"systempaths=unconfined"), "{opts:?}");
        d["HostConfig"]["Privileged"] = json!(true);
        let c = container(&d, None, &DaemonFacts::default()).unwrap();
        let opts: Vec<&str> = c
            .spec
            .security_opt
            .iter()
            .map(|o| o.value.as_str())
            .collect();
        assert_eq!(opts, ["seccomp=unconfined"]);
    }

    #[test]
    fn image_facts_come_from_the_image() {
        let img = json!({"Config": {"User": "nobody", "Healthcheck": {"Test": ["CMD", "true"]}}});
        let c = container(&doc(), Some(&img), &DaemonFacts::default()).unwrap();
        assert_eq!(c.spec.image_facts.user.as_deref(), Some("nobody"));
        assert_eq!(c.spec.image_facts.has_healthcheck, Some(true));
    }

    fn podman() -> DaemonFacts {
        DaemonFacts {
            cgroup_v1: true,
            podman: true,
            default_capabilities: crate::engine::facts::DOCKER_DEFAULT_CAPABILITIES
                .iter()
                .map(|c| c.to_string())
                .collect(),
        }
    }

    /// What Podman 4.3's compat inspect shows for `--cap-drop ALL --read-only --tmpfs /tmp`.
    fn podman_doc(cap_add: Value, cap_drop: Value) -> Value {
        let mut d = doc();
        d["Config"]["User"] = json!("65534:65534");
        let h = &mut d["HostConfig"];
        h["CapAdd"] = cap_add;
        h["CapDrop"] = cap_drop;
        h["SecurityOpt"] = json!(["no-new-privileges"]);
        h["PidMode"] = json!("private");
        h["CgroupnsMode"] = json!("");
        h["IpcMode"] = json!("shareable");
        h["MaskedPaths"] = Value::Null;
        h["ReadonlyPaths"] = Value::Null;
        h["ReadonlyRootfs"] = json!(true);
        h["Tmpfs"] = json!({
            "/run": "rw,noexec,nosuid,nodev,size=64m,uid=65534,gid=65534,rprivate,tmpcopyup",
            "/tmp": "rw,noexec,nosuid,nodev,size=64m,uid=65534,gid=65534,rprivate,tmpcopyup",
            "/var/tmp": "rw,rprivate,nosuid,nodev,tmpcopyup",
        });
        d
    }

    fn all_but(except: &[&str]) -> Value {
        let caps: Vec<&str> = crate::engine::facts::DOCKER_DEFAULT_CAPABILITIES
            .iter()
            .map(|c| c.trim_start_matches("CAP_"))
            .filter(|c| !except.contains(c))
            .collect();
        json!(caps)
    }

    fn cap_drop(c: &Container) -> Vec<&str> {
        c.spec.cap_drop.iter().map(|c| c.value.as_str()).collect()
    }

    #[test]
    fn podman_lists_every_dropped_capability_instead_of_all() {
        let c = container(&podman_doc(json!([]), all_but(&[])), None, &podman()).unwrap();
        assert_eq!(cap_drop(&c), ["ALL"]);
        // Added back: the rest is listed.
        let d = podman_doc(json!(["NET_BIND_SERVICE"]), all_but(&["NET_BIND_SERVICE"]));
        let c = container(&d, None, &podman()).unwrap();
        assert_eq!(cap_drop(&c), ["ALL"]);
        assert_eq!(c.spec.cap_add.len(), 1);
        // Some kept: not all dropped.
        let d = podman_doc(json!([]), all_but(&["NET_RAW"]));
        let c = container(&d, None, &podman()).unwrap();
        assert_eq!(cap_drop(&c).len(), 13);
        assert!(!cap_drop(&c).contains(&"ALL"));
        // Nothing dropped.
        let c = container(&podman_doc(json!([]), json!([])), None, &podman()).unwrap();
        assert!(c.spec.cap_drop.is_empty());
        // The same list from Docker is read as written.
        let c = container(
            &podman_doc(json!([]), all_but(&[])),
            None,
            &DaemonFacts::default(),
        )
        .unwrap();
        assert_eq!(cap_drop(&c).len(), 14);
    }

    #[test]
    fn podman_bounding_caps_say_what_is_kept() {
        let mut d = podman_doc(json!([]), all_but(&["NET_RAW"]));
        d["BoundingCaps"] = json!([]);
        let c = container(&d, None, &podman()).unwrap();
        assert_eq!(cap_drop(&c), ["ALL"]);
        d["BoundingCaps"] = json!(["CAP_NET_RAW"]);
        let c = container(&d, None, &podman()).unwrap();
        assert!(!cap_drop(&c).contains(&"ALL"));
        d["HostConfig"]["CapAdd"] = json!(["CAP_NET_RAW"]);
        let c = container(&d, None, &podman()).unwrap();
        assert_eq!(cap_drop(&c), ["ALL"]);
    }

    #[test]
    fn podman_engine_tmpfs_and_missing_masked_paths_are_not_the_containers() {
        let c = container(&podman_doc(json!([]), all_but(&[])), None, &podman()).unwrap();
        let targets: Vec<&str> = c
            .spec
            .tmpfs
            .iter()
            .map(|t| t.value.target.as_str())
            .collect();
        assert_eq!(targets, ["/run", "/tmp"]);
        let opts: Vec<&str> = c
            .spec
            .security_opt
            .iter()
            .map(|o| o.value.as_str())
            .collect();
        assert_eq!(opts, ["no-new-privileges"]);
        // The rules see a hardened container: nothing but the health check.
        let preset = crate::preset::Preset::builtin("default").unwrap();
        let outcome = crate::check::check(&c.spec, &preset, &crate::check::Scope::default());
        let rules: Vec<&str> = outcome.findings.iter().map(|f| f.finding.rule).collect();
        assert!(
            !rules.iter().any(
                |r| ["cap-drop-all", "read-only-rootfs", "systempaths-unconfined"].contains(r)
            ),
            "{rules:?}"
        );
        // A /var/tmp the user mounted is kept.
        let mut d = podman_doc(json!([]), all_but(&[]));
        d["HostConfig"]["Tmpfs"]["/var/tmp"] = json!("rw,size=1m,rprivate,tmpcopyup");
        let c = container(&d, None, &podman()).unwrap();
        assert_eq!(c.spec.tmpfs.len(), 3);
    }

    #[test]
    fn a_document_without_config_is_an_error() {
        let e = container(&json!({"Name": "/x"}), None, &DaemonFacts::default()).unwrap_err();
        assert!(e.to_string().contains("x"), "{e}");
    }
}
