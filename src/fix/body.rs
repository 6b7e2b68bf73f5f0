//! Renders [`Change`]s on an Engine API create body (`POST /containers/create`), the language
//! of `harden proxy`: the body a client sent, with each change made to the fields the engine
//! reads (`HostConfig.CapDrop`, `Config.User` at the top level, …).
//!
//! The body must be canonical (field names as the engine's Go types spell them, duplicates
//! already resolved), as the proxy's body reader gives it; fields harden does not change are
//! left exactly as they are.

use super::{Change, with_owner};
use crate::parse::security_opt::no_new_privileges;
use crate::spec::normalize_capability;
use serde_json::{Map, Value, json};

/// Applies `changes` to a create body.
pub fn apply(body: &mut Value, changes: &[Change]) {
    if !body.is_object() {
        *body = json!({});
    }
    for c in changes {
        apply_one(body, c);
    }
}

/// The object at `key` of `v`, made an object when missing or `null`.
pub(super) fn object<'a>(v: &'a mut Value, key: &str) -> &'a mut Map<String, Value> {
    let Value::Object(m) = v else {
        *v = json!({});
        return object(v, key);
    };
    let slot = m.entry(key.to_string()).or_insert_with(|| json!({}));
    if !slot.is_object() {
        *slot = json!({});
    }
    match slot {
        Value::Object(o) => o,
        _ => unreachable!("made an object above"),
    }
}

/// The array at `key` of `m`, made an array when missing or `null`.
pub(super) fn array<'a>(m: &'a mut Map<String, Value>, key: &str) -> &'a mut Vec<Value> {
    let slot = m.entry(key.to_string()).or_insert_with(|| json!([]));
    if !slot.is_array() {
        *slot = json!([]);
    }
    match slot {
        Value::Array(a) => a,
        _ => unreachable!("made an array above"),
    }
}

fn host_config(body: &mut Value) -> &mut Map<String, Value> {
    object(body, "HostConfig")
}

fn apply_one(body: &mut Value, change: &Change) {
    match change {
        Change::DropAllCapabilities => {
            host_config(body).insert("CapDrop".into(), json!(["ALL"]));
        }
        Change::AddCapability { capability } => {
            let caps = array(host_config(body), "CapAdd");
            let have = caps
                .iter()
                .any(|c| c.as_str().map(normalize_capability).as_deref() == Some(capability));
            if !have {
                caps.push(json!(capability.trim_start_matches("CAP_")));
            }
        }
        Change::RemoveCapability { capability } => {
            array(host_config(body), "CapAdd")
                .retain(|c| c.as_str().map(normalize_capability).as_deref() != Some(capability));
        }
        Change::SetNoNewPrivileges => {
            let opts = array(host_config(body), "SecurityOpt");
            opts.retain(|o| o.as_str().and_then(no_new_privileges) != Some(false));
            if !opts
                .iter()
                .any(|o| o.as_str().and_then(no_new_privileges) == Some(true))
            {
                opts.push(json!("no-new-privileges"));
            }
        }
        Change::SetUser { user } => {
            if let Value::Object(m) = body {
                m.insert("User".into(), json!(user));
            }
        }
        Change::SetReadOnlyRootfs => {
            host_config(body).insert("ReadonlyRootfs".into(), json!(true));
        }
        Change::AddTmpfs { path, options } => {
            let hc = host_config(body);
            let slot = hc.entry("Tmpfs".to_string()).or_insert_with(|| json!({}));
            if !slot.is_object() {
                *slot = json!({});
            }
            if let Value::Object(t) = slot {
                t.insert(path.clone(), json!(options));
            }
        }
        Change::SetTmpfsOwner { path, uid, gid } => {
            let hc = host_config(body);
            let same = |p: &str| p.trim_end_matches('/') == path.trim_end_matches('/');
            if let Some(Value::Object(t)) = hc.get_mut("Tmpfs") {
                for (p, opts) in t.iter_mut() {
                    if same(p) {
                        let o = opts.as_str().unwrap_or("").to_string();
                        *opts = json!(with_owner(&o, *uid, *gid));
                    }
                }
            }
            // `--mount type=tmpfs`: the engine has no owner option there; a tmpfs mount that
            // must be owned moves to `Tmpfs`, keeping its size and mode.
            if let Some(Value::Array(mounts)) = hc.get_mut("Mounts") {
                let mut moved = Vec::new();
                mounts.retain(|m| {
                    let is = m.get("Type").and_then(Value::as_str) == Some("tmpfs")
                        && m.get("Target").and_then(Value::as_str).is_some_and(same);
                    if is {
                        moved.push(m.clone());
                    }
                    !is
                });
                for m in moved {
                    let mut opts = Vec::new();
                    if let Some(size) = m.pointer("/TmpfsOptions/SizeBytes").and_then(Value::as_i64)
                        && size > 0
                    {
                        opts.push(format!("size={size}"));
                    }
                    if let Some(mode) = m.pointer("/TmpfsOptions/Mode").and_then(Value::as_u64) {
                        opts.push(format!("mode={mode:o}"));
                    }
                    let target = m
                        .get("Target")
                        .and_then(Value::as_str)
                        .unwrap_or(path)
                        .to_string();
                    let t = hc.entry("Tmpfs".to_string()).or_insert_with(|| json!({}));
                    if !t.is_object() {
                        *t = json!({});
                    }
                    if let Value::Object(t) = t {
                        t.insert(target, json!(with_owner(&opts.join(","), *uid, *gid)));
                    }
                }
            }
        }
        Change::SetMemory { bytes } => {
            let hc = host_config(body);
            hc.insert("Memory".into(), json!(bytes));
            // A swap limit below the new memory limit is refused by the engine.
            if let Some(swap) = hc.get("MemorySwap").and_then(Value::as_i64)
                && swap > 0
                && swap < *bytes
            {
                hc.insert("MemorySwap".into(), json!(bytes));
            }
        }
        Change::SetNanoCpus { nano_cpus } => {
            host_config(body).insert("NanoCpus".into(), json!(nano_cpus));
        }
        Change::SetCpuQuota { quota } => {
            host_config(body).insert("CpuQuota".into(), json!(quota));
        }
        Change::SetPidsLimit { limit } => {
            host_config(body).insert("PidsLimit".into(), json!(limit));
        }
        Change::BindPortHostIp(b) => {
            let crate::fix::PortBinding {
                container_port,
                protocol,
                host_port,
                ip,
                ..
            } = &**b;
            let key = format!("{container_port}/{protocol}");
            let hc = host_config(body);
            if let Some(Value::Object(pb)) = hc.get_mut("PortBindings") {
                // `80` written by a client may stand for `80/tcp`.
                let keys: Vec<String> = pb
                    .keys()
                    .filter(|k| {
                        *k == &key || (protocol == "tcp" && k.as_str() == container_port.as_str())
                    })
                    .cloned()
                    .collect();
                for k in keys {
                    if let Some(Value::Array(bindings)) = pb.get_mut(&k) {
                        for b in bindings.iter_mut() {
                            let hp = b.get("HostPort").and_then(Value::as_str).unwrap_or("");
                            if hp == host_port
                                && let Value::Object(b) = b
                            {
                                b.insert("HostIp".into(), json!(ip));
                            }
                        }
                    }
                }
            }
        }
        Change::PublishExposedPortsOn { ports, ip } => {
            let hc = host_config(body);
            hc.insert("PublishAllPorts".into(), json!(false));
            let pb = hc
                .entry("PortBindings".to_string())
                .or_insert_with(|| json!({}));
            if !pb.is_object() {
                *pb = json!({});
            }
            if let Value::Object(pb) = pb {
                for p in ports {
                    let slot = pb.entry(p.clone()).or_insert_with(|| json!([]));
                    if !slot.is_array() {
                        *slot = json!([]);
                    }
                    if let Value::Array(a) = slot
                        && a.is_empty()
                    {
                        a.push(json!({"HostIp": ip, "HostPort": ""}));
                    }
                }
            }
            // Bindings are only made for exposed ports.
            if let Value::Object(m) = body {
                let exposed = m
                    .entry("ExposedPorts".to_string())
                    .or_insert_with(|| json!({}));
                if !exposed.is_object() {
                    *exposed = json!({});
                }
                if let Value::Object(e) = exposed {
                    for p in ports {
                        e.entry(p.clone()).or_insert_with(|| json!({}));
                    }
                }
            }
        }
        Change::RemoveSecurityOpt { option } => {
            let want = option.replacen(':', "=", 1);
            array(host_config(body), "SecurityOpt")
                .retain(|o| o.as_str().map(|s| s.replacen(':', "=", 1)) != Some(want.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Origin;

    fn applied(body: Value, changes: &[Change]) -> Value {
        let mut b = body;
        apply(&mut b, changes);
        b
    }

    #[test]
    fn capabilities_and_privileges() {
        let b = applied(
            json!({"Image": "x", "HostConfig": {"CapAdd": ["sys_admin", "NET_BIND_SERVICE"], "CapDrop": ["MKNOD"], "SecurityOpt": ["no-new-privileges:false", "label=disable"]}}),
            &[
                Change::DropAllCapabilities,
                Change::RemoveCapability {
                    capability: "CAP_SYS_ADMIN".into(),
                },
                Change::AddCapability {
                    capability: "CAP_NET_BIND_SERVICE".into(),
                },
                Change::AddCapability {
                    capability: "CAP_CHOWN".into(),
                },
                Change::SetNoNewPrivileges,
            ],
        );
        assert_eq!(b["HostConfig"]["CapDrop"], json!(["ALL"]));
        assert_eq!(
            b["HostConfig"]["CapAdd"],
            json!(["NET_BIND_SERVICE", "CHOWN"])
        );
        assert_eq!(
            b["HostConfig"]["SecurityOpt"],
            json!(["label=disable", "no-new-privileges"])
        );
        assert_eq!(b["Image"], "x");
    }

    #[test]
    fn user_rootfs_limits_and_tmpfs() {
        let b = applied(
            json!({"Image": "x", "HostConfig": null}),
            &[
                Change::SetUser {
                    user: "65534:65534".into(),
                },
                Change::SetReadOnlyRootfs,
                Change::AddTmpfs {
                    path: "/run".into(),
                    options: "rw,noexec,size=64m".into(),
                },
                Change::SetTmpfsOwner {
                    path: "/run/".into(),
                    uid: 1,
                    gid: 2,
                },
                Change::SetMemory { bytes: 512 << 20 },
                Change::SetNanoCpus {
                    nano_cpus: 1_000_000_000,
                },
                Change::SetPidsLimit { limit: 256 },
            ],
        );
        assert_eq!(b["User"], "65534:65534");
        let hc = &b["HostConfig"];
        assert_eq!(hc["ReadonlyRootfs"], true);
        assert_eq!(hc["Tmpfs"]["/run"], "rw,noexec,size=64m,uid=1,gid=2");
        assert_eq!(hc["Memory"], 512 << 20);
        assert_eq!(hc["NanoCpus"], 1_000_000_000);
        assert_eq!(hc["PidsLimit"], 256);
    }

    #[test]
    fn a_tmpfs_mount_that_needs_an_owner_moves_to_tmpfs() {
        let b = applied(
            json!({"HostConfig": {"Mounts": [
                {"Type": "tmpfs", "Target": "/cache", "TmpfsOptions": {"SizeBytes": 1048576, "Mode": 448}},
                {"Type": "volume", "Source": "v", "Target": "/data"}
            ]}}),
            &[Change::SetTmpfsOwner {
                path: "/cache".into(),
                uid: 999,
                gid: 999,
            }],
        );
        assert_eq!(
            b["HostConfig"]["Tmpfs"]["/cache"],
            "size=1048576,mode=700,uid=999,gid=999"
        );
        assert_eq!(b["HostConfig"]["Mounts"].as_array().map(Vec::len), Some(1));
    }

    #[test]
    fn swap_below_the_new_memory_limit_is_raised() {
        let b = applied(
            json!({"HostConfig": {"MemorySwap": 1024}}),
            &[Change::SetMemory { bytes: 4096 }],
        );
        assert_eq!(b["HostConfig"]["MemorySwap"], 4096);
    }

    #[test]
    fn ports_are_bound_to_the_host_ip() {
        let b = applied(
            json!({"HostConfig": {"PortBindings": {
                "80/tcp": [{"HostIp": "", "HostPort": "8080"}, {"HostIp": "0.0.0.0", "HostPort": "8081"}],
                "53/udp": [{"HostPort": "53"}]
            }, "PublishAllPorts": true}}),
            &[
                Change::bind_port(
                    "80".into(),
                    "tcp".into(),
                    "8080".into(),
                    "127.0.0.1".into(),
                    Origin::Missing,
                ),
                Change::bind_port(
                    "53".into(),
                    "udp".into(),
                    "53".into(),
                    "127.0.0.1".into(),
                    Origin::Missing,
                ),
                Change::PublishExposedPortsOn {
                    ports: vec!["443/tcp".into()],
                    ip: "127.0.0.1".into(),
                },
            ],
        );
        let pb = &b["HostConfig"]["PortBindings"];
        assert_eq!(pb["80/tcp"][0]["HostIp"], "127.0.0.1");
        assert_eq!(pb["80/tcp"][1]["HostIp"], "0.0.0.0");
        assert_eq!(pb["53/udp"][0]["HostIp"], "127.0.0.1");
        assert_eq!(
            pb["443/tcp"],
            json!([{"HostIp": "127.0.0.1", "HostPort": ""}])
        );
        assert_eq!(b["HostConfig"]["PublishAllPorts"], false);
        assert_eq!(b["ExposedPorts"]["443/tcp"], json!({}));
    }

    #[test]
    fn security_options_are_removed_in_either_spelling() {
        let b = applied(
            json!({"HostConfig": {"SecurityOpt": ["seccomp:unconfined", "apparmor=unconfined"]}}),
            &[Change::RemoveSecurityOpt {
                option: "seccomp=unconfined".into(),
            }],
        );
        assert_eq!(
            b["HostConfig"]["SecurityOpt"],
            json!(["apparmor=unconfined"])
        );
    }
}

/// The two renderings of the same changes agree: applied to a `docker run` line and rebuilt
/// (what `harden run` sends), or applied to the create body of the original line (what
/// `harden proxy` sends).
#[cfg(test)]
mod same_as_argv {
    use super::*;
    use crate::check::{self, Scope};
    use crate::frontend::argv::{self, Environment};
    use crate::preset::Preset;
    use std::path::{Path, PathBuf};

    struct Env;
    impl Environment for Env {
        fn var(&self, _: &str) -> Option<String> {
            None
        }
        fn cwd(&self) -> PathBuf {
            PathBuf::from("/work")
        }
        fn read_file(&self, p: &Path) -> std::io::Result<Vec<u8>> {
            Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                p.display().to_string(),
            ))
        }
        fn docker_config_json(&self) -> Option<Value> {
            None
        }
        fn daemon_host(&self) -> String {
            "unix:///var/run/docker.sock".into()
        }
    }

    /// The fields harden changes, from a create body.
    fn hardened_fields(b: &Value) -> Value {
        let hc = &b["HostConfig"];
        let mut tmpfs: Vec<(String, String)> = hc["Tmpfs"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
            .collect();
        tmpfs.sort();
        let mut bindings: Vec<String> = hc["PortBindings"]
            .as_object()
            .into_iter()
            .flatten()
            .flat_map(|(k, v)| {
                v.as_array().into_iter().flatten().map(move |b| {
                    format!(
                        "{k} {}:{}",
                        b["HostIp"].as_str().unwrap_or(""),
                        b["HostPort"].as_str().unwrap_or("")
                    )
                })
            })
            .collect();
        bindings.sort();
        let mut caps: Vec<String> = hc["CapAdd"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c.as_str().map(normalize_capability))
            .collect();
        caps.sort();
        let mut opts: Vec<String> = hc["SecurityOpt"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c.as_str().map(|s| s.replacen(':', "=", 1)))
            .collect();
        opts.sort();
        json!({
            "User": b["User"],
            "CapDrop": hc["CapDrop"],
            "CapAdd": caps,
            "SecurityOpt": opts,
            "ReadonlyRootfs": hc["ReadonlyRootfs"].as_bool().unwrap_or(false),
            "Tmpfs": tmpfs,
            "Memory": hc["Memory"].as_i64().unwrap_or(0),
            "NanoCpus": hc["NanoCpus"].as_i64().unwrap_or(0),
            "CpuQuota": hc["CpuQuota"].as_i64().unwrap_or(0),
            "PidsLimit": hc["PidsLimit"].as_i64().unwrap_or(0),
            "PortBindings": bindings,
            "PublishAllPorts": hc["PublishAllPorts"].as_bool().unwrap_or(false),
        })
    }

    #[test]
    fn the_body_back_end_agrees_with_the_argv_one() {
        let preset = Preset::builtin("default").unwrap();
        for line in [
            "busybox true",
            "-p 8080:80 -p 53:53/udp --cap-add SYS_ADMIN --cap-add NET_BIND_SERVICE nginx",
            "--security-opt no-new-privileges=false --security-opt seccomp=unconfined --memory 2g alpine",
            "--tmpfs /run --tmpfs /cache:size=1m --user 0 --pids-limit 0 alpine",
            "--cpu-period 100000 -p 127.0.0.1:80:80 -p 9000 redis",
            "--read-only=false --cap-drop MKNOD --cpus 4 -u 1000:1000 postgres",
        ] {
            let args: Vec<String> = shell_words::split(line).unwrap();
            let parsed = argv::parse_args(&args).unwrap();
            let request = argv::build_request(&parsed, &Env, Some("1.41")).unwrap();
            let spec = crate::spec::spec_from_create_body(&request.body, &parsed);
            let outcome = check::check(&spec, &preset, &Scope::default());
            let changes: Vec<Change> = outcome.changes().into_iter().map(|(_, c)| c).collect();
            assert!(!changes.is_empty(), "{line}");
            let by_argv = argv::build_request(
                &crate::fix::argv::apply(&parsed, &changes),
                &Env,
                Some("1.41"),
            )
            .unwrap()
            .body_json();
            let mut by_body = request.body_json();
            apply(&mut by_body, &changes);
            assert_eq!(
                hardened_fields(&by_body),
                hardened_fields(&by_argv),
                "{line}: {changes:?}"
            );
        }
    }
}
