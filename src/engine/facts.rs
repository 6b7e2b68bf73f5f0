//! What the connected engine is and can do, read once per connection from `GET /info` and
//! `GET /version` (and, on Podman, its own `GET /libpod/info`): which engine answers (Docker or
//! Podman's Docker-compatible service), whether it runs rootless, its cgroup version and
//! controllers, and the capabilities it gives a container by default.
//!
//! The renderers use this where an engine differs from Docker: Podman's tmpfs takes no
//! `uid=`/`gid=` options, and an engine that cannot apply a CPU limit refuses or ignores one.

use serde_json::Value;

/// Which engine answers the API.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineKind {
    /// Docker Engine (or anything that does not say it is Podman).
    #[default]
    Docker,
    /// Podman's Docker-compatible service (`podman system service`).
    Podman,
}

/// A resource limit an engine may be unable to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    Cpu,
    Memory,
    Pids,
}

/// Facts about the engine that no create body or inspect document says.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EngineFacts {
    pub kind: EngineKind,
    /// The engine's own version (`20.10.24`, `4.3.1`), when it says.
    pub version: Option<String>,
    /// Podman's own API version (`4.3.1`), which its `/libpod/…` endpoints are addressed with.
    pub libpod_api: Option<String>,
    /// The engine runs without root (`SecurityOptions` has `name=rootless`, or Podman's
    /// `host.security.rootless`).
    pub rootless: bool,
    /// `1` or `2` (`CgroupVersion`), when known.
    pub cgroup_version: Option<u8>,
    /// `CpuCfsQuota` of `/info`: the engine can apply a CFS quota (`--cpus`, `--cpu-quota`).
    /// `None` when `/info` does not say.
    pub cpu_cfs_quota: Option<bool>,
    /// `MemoryLimit` of `/info`: the engine can apply a memory limit.
    pub memory_limit: Option<bool>,
    /// `PidsLimit` of `/info`: the engine can apply a pids limit.
    pub pids_limit: Option<bool>,
    /// The cgroup controllers available to the engine's containers (Podman's
    /// `host.cgroupControllers`); `None` when not known.
    pub cgroup_controllers: Option<Vec<String>>,
    /// The capabilities a container gets by default (`CAP_CHOWN` form; Podman's
    /// `host.security.capabilities`); empty when not known.
    pub default_capabilities: Vec<String>,
}

/// Docker's default capability set (moby `oci/caps/defaults.go`), also Podman 4's default in
/// `containers.conf`.
pub const DOCKER_DEFAULT_CAPABILITIES: [&str; 14] = [
    "CAP_AUDIT_WRITE",
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_MKNOD",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_RAW",
    "CAP_SETFCAP",
    "CAP_SETGID",
    "CAP_SETPCAP",
    "CAP_SETUID",
    "CAP_SYS_CHROOT",
];

impl EngineFacts {
    /// Reads the documents of `GET /info`, `GET /version` and (Podman) `GET /libpod/info`; any
    /// may be `Value::Null` when the engine did not answer.
    pub fn from_documents(info: &Value, version: &Value, libpod: &Value) -> EngineFacts {
        let podman_component = version
            .get("Components")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|c| {
                c.get("Name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case("Podman Engine"))
            });
        let kind = if podman_component.is_some() || libpod.get("host").is_some() {
            EngineKind::Podman
        } else {
            EngineKind::Docker
        };
        let version_text = podman_component
            .and_then(|c| c.get("Version"))
            .or_else(|| version.get("Version"))
            .or_else(|| info.get("ServerVersion"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let libpod_api = podman_component
            .and_then(|c| c.pointer("/Details/APIVersion"))
            .and_then(Value::as_str)
            .filter(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.') && !v.is_empty())
            .map(str::to_string);
        let security_options: Vec<&str> = info
            .get("SecurityOptions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let rootless = security_options
            .iter()
            .any(|o| o.split(',').any(|kv| kv == "name=rootless"))
            || libpod
                .pointer("/host/security/rootless")
                .and_then(Value::as_bool)
                == Some(true);
        let cgroup_version = info
            .get("CgroupVersion")
            .and_then(Value::as_str)
            .or_else(|| {
                libpod
                    .pointer("/host/cgroupVersion")
                    .and_then(Value::as_str)
            })
            .and_then(|v| v.trim_start_matches('v').parse::<u8>().ok());
        let cgroup_controllers = libpod
            .pointer("/host/cgroupControllers")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            });
        let default_capabilities = libpod
            .pointer("/host/security/capabilities")
            .and_then(Value::as_str)
            .map(|s| {
                s.split(',')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(crate::spec::normalize_capability)
                    .collect()
            })
            .unwrap_or_default();
        EngineFacts {
            kind,
            version: version_text,
            libpod_api,
            rootless,
            cgroup_version,
            cpu_cfs_quota: info.get("CpuCfsQuota").and_then(Value::as_bool),
            memory_limit: info.get("MemoryLimit").and_then(Value::as_bool),
            pids_limit: info.get("PidsLimit").and_then(Value::as_bool),
            cgroup_controllers,
            default_capabilities,
        }
    }

    /// The path of a Podman endpoint (`/info` → `/v4.3.1/libpod/info`): addressed with Podman's
    /// own API version when known, else under the negotiated Docker API version.
    pub fn libpod_path(&self, path: &str) -> String {
        match &self.libpod_api {
            Some(v) => format!("/v{v}/libpod{path}"),
            None => format!("/libpod{path}"),
        }
    }

    pub fn is_podman(&self) -> bool {
        self.kind == EngineKind::Podman
    }

    /// `Podman 4.3.1`, `Docker 20.10.24`, `rootless Podman 4.3.1`.
    pub fn describe(&self) -> String {
        let name = match self.kind {
            EngineKind::Docker => "Docker",
            EngineKind::Podman => "Podman",
        };
        let mut s = String::new();
        if self.rootless {
            s.push_str("rootless ");
        }
        s.push_str(name);
        if let Some(v) = &self.version {
            s.push(' ');
            s.push_str(v);
        }
        s
    }

    /// Why this engine cannot apply a CPU limit, or `None` when it can (or nothing says it
    /// cannot).
    pub fn cpu_limit_unsupported(&self) -> Option<String> {
        self.limit_unsupported(Limit::Cpu)
    }

    /// Why this engine cannot apply a limit of this kind, or `None` when it can (or nothing
    /// says it cannot): rootless on cgroup v1 applies none, and each needs its cgroup
    /// controller and the engine's support (`CpuCfsQuota`, `MemoryLimit`, `PidsLimit`).
    pub fn limit_unsupported(&self, limit: Limit) -> Option<String> {
        let engine = self.describe();
        if self.rootless && self.cgroup_version == Some(1) {
            return Some(format!(
                "{engine} runs on cgroup v1, where a rootless engine cannot apply resource limits"
            ));
        }
        let (controller, supported, field) = match limit {
            Limit::Cpu => ("cpu", self.cpu_cfs_quota, "CpuCfsQuota"),
            Limit::Memory => ("memory", self.memory_limit, "MemoryLimit"),
            Limit::Pids => ("pids", self.pids_limit, "PidsLimit"),
        };
        if let Some(c) = &self.cgroup_controllers
            && !c.iter().any(|c| c == controller)
        {
            return Some(format!(
                "the {controller} cgroup controller is not available to {engine} (cgroup controllers: {})",
                if c.is_empty() {
                    "none".to_string()
                } else {
                    c.join(", ")
                }
            ));
        }
        if supported == Some(false) {
            return Some(format!(
                "{engine} reports no {controller} limit support ({field}: false)"
            ));
        }
        None
    }

    /// The engine's tmpfs mounts take `uid=`/`gid=` (Docker's do; Podman 4's refuse them).
    pub fn tmpfs_takes_owner_options(&self) -> bool {
        !self.is_podman()
    }

    /// The default capability set: the engine's when it says, else Docker's.
    pub fn default_capabilities(&self) -> Vec<String> {
        if self.default_capabilities.is_empty() {
            DOCKER_DEFAULT_CAPABILITIES
                .iter()
                .map(|c| c.to_string())
                .collect()
        } else {
            self.default_capabilities.clone()
        }
    }
}

/// The facts of a local engine kept between runs, under `$XDG_CACHE_HOME/harden/engine-facts/`.
///
/// They are keyed by what says which engine answers: the socket file (device, inode, change
/// time: a daemon that binds its socket again makes a new one), the process listening on it
/// (`SO_PEERCRED`: pid and start time, so a restarted daemon is a new engine), the boot, the
/// ping's `Server` header (engine and release) and the API version asked in. A socket that
/// systemd holds (socket activation) outlives the daemon behind it, and an engine can change
/// what it can do without restarting (a cgroup controller delegated): an entry is trusted for
/// [`cache::MAX_AGE`] only, and forgotten when a create fails.
pub mod cache {
    use super::EngineFacts;
    use crate::engine::connect::Peer;
    use sha2::{Digest, Sha256};
    use std::path::{Path, PathBuf};
    use std::time::Duration;

    /// How long cached facts are trusted.
    pub const MAX_AGE: Duration = Duration::from_secs(3600);

    #[derive(serde::Serialize, serde::Deserialize)]
    struct Entry {
        key: String,
        facts: EngineFacts,
    }

    /// The key for the engine listening on `socket`; `None` when the socket cannot be told
    /// apart from another (no file, no boot id).
    pub fn key(socket: &Path, peer: Option<Peer>, server: &str, api: &str) -> Option<String> {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(socket).ok()?;
        let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
        let process = match peer {
            Some(Peer {
                pid: Some(pid),
                uid,
            }) => {
                let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
                format!("pid {pid} started {} uid {uid}", start_time(&stat)?)
            }
            Some(Peer { pid: None, uid }) => format!("uid {uid}"),
            None => String::new(),
        };
        Some(format!(
            "{} dev {} ino {} ctime {}.{:09} | {process} | boot {} | {server} | API {api}",
            socket.display(),
            meta.dev(),
            meta.ino(),
            meta.ctime(),
            meta.ctime_nsec(),
            boot.trim(),
        ))
    }

    /// Field 22 of `/proc/PID/stat` (the start time, in clock ticks since boot).
    fn start_time(stat: &str) -> Option<u64> {
        // The command name (field 2) may hold spaces and parentheses: count after the last `)`.
        let (_, rest) = stat.rsplit_once(')')?;
        rest.split_whitespace().nth(19)?.parse().ok()
    }

    fn dir() -> Option<PathBuf> {
        Some(crate::engine::cache_dir()?.join("engine-facts"))
    }

    fn file_in(dir: &Path, key: &str) -> PathBuf {
        let digest = Sha256::digest(key.as_bytes());
        let name: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
        dir.join(format!("v1-{name}.json"))
    }

    /// The facts cached under `key`, when they are recent enough.
    pub fn read(key: &str) -> Option<EngineFacts> {
        read_in(&dir()?, key)
    }

    fn read_in(dir: &Path, key: &str) -> Option<EngineFacts> {
        let path = file_in(dir, key);
        let age = std::fs::metadata(&path)
            .ok()?
            .modified()
            .ok()?
            .elapsed()
            .ok()?;
        if age > MAX_AGE {
            return None;
        }
        let entry: Entry = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
        (entry.key == key).then_some(entry.facts)
    }

    /// Keeps `facts` under `key` (best effort: a cache that cannot be written is no error).
    pub fn write(key: &str, facts: &EngineFacts) {
        if let Some(dir) = dir() {
            write_in(&dir, key, facts);
        }
    }

    fn write_in(dir: &Path, key: &str, facts: &EngineFacts) {
        let path = file_in(dir, key);
        let entry = Entry {
            key: key.to_string(),
            facts: facts.clone(),
        };
        if let Ok(text) = serde_json::to_vec(&entry) {
            crate::engine::write_cache(&path, &text);
        }
    }

    pub fn remove(key: &str) {
        if let Some(dir) = dir() {
            let _ = std::fs::remove_file(file_in(&dir, key));
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn start_time_is_read_past_the_command_name() {
            let stat = "4242 (a) b (c)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 9 0 123456 1000 200";
            assert_eq!(start_time(stat), Some(123456));
            assert_eq!(start_time("garbage"), None);
        }

        #[test]
        fn the_key_names_the_listener_and_the_engine() {
            let dir = tempfile::tempdir().unwrap();
            let sock = dir.path().join("s.sock");
            let _l = std::os::unix::net::UnixListener::bind(&sock).unwrap();
            let me = Peer {
                pid: Some(std::process::id() as i32),
                uid: 0,
            };
            let k = key(&sock, Some(me), "Docker/20.10.24 (linux)", "1.41").unwrap();
            assert!(
                k.contains(&format!("pid {} started ", std::process::id())),
                "{k}"
            );
            // Another engine release, another API version, another listener: another key.
            assert_ne!(
                k,
                key(&sock, Some(me), "Docker/28.2.2 (linux)", "1.41").unwrap()
            );
            assert_ne!(
                k,
                key(&sock, Some(me), "Docker/20.10.24 (linux)", "1.40").unwrap()
            );
            assert_ne!(
                k,
                key(&sock, None, "Docker/20.10.24 (linux)", "1.41").unwrap()
            );
            // The socket bound again is another socket.
            drop(_l);
            std::fs::remove_file(&sock).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(5));
            let _l = std::os::unix::net::UnixListener::bind(&sock).unwrap();
            assert_ne!(
                k,
                key(&sock, Some(me), "Docker/20.10.24 (linux)", "1.41").unwrap()
            );
            assert_eq!(key(&dir.path().join("none.sock"), None, "", "1.41"), None);
        }

        #[test]
        fn entries_answer_their_key_while_recent() {
            let dir = tempfile::tempdir().unwrap();
            let facts = EngineFacts {
                rootless: true,
                cgroup_version: Some(2),
                cpu_cfs_quota: Some(false),
                ..EngineFacts::default()
            };
            assert_eq!(read_in(dir.path(), "k1"), None);
            write_in(dir.path(), "k1", &facts);
            assert_eq!(read_in(dir.path(), "k1"), Some(facts.clone()));
            assert_eq!(read_in(dir.path(), "k2"), None);
            // An old entry is not trusted.
            let f = std::fs::File::options()
                .write(true)
                .open(file_in(dir.path(), "k1"))
                .unwrap();
            f.set_modified(std::time::SystemTime::now() - MAX_AGE - Duration::from_secs(1))
                .unwrap();
            assert_eq!(read_in(dir.path(), "k1"), None);
            // Nothing but the entry is left in the directory.
            assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn podman_version() -> Value {
        json!({
            "Platform": {"Name": "linux/amd64/debian-12"},
            "Components": [
                {"Name": "Podman Engine", "Version": "4.3.1", "Details": {"APIVersion": "4.3.1"}},
                {"Name": "Conmon", "Version": "conmon version 2.1.6"}
            ],
            "Version": "4.3.1",
            "ApiVersion": "1.41",
        })
    }

    fn libpod(rootless: bool, version: &str, controllers: &[&str]) -> Value {
        json!({"host": {
            "cgroupVersion": version,
            "cgroupControllers": controllers,
            "security": {
                "rootless": rootless,
                "capabilities": "CAP_CHOWN,CAP_KILL,CAP_NET_BIND_SERVICE",
            },
        }})
    }

    #[test]
    fn docker_is_docker() {
        let info = json!({"CpuCfsQuota": true, "CgroupVersion": "2",
            "SecurityOptions": ["name=seccomp,profile=builtin", "name=cgroupns"],
            "ServerVersion": "28.2.2"});
        let version =
            json!({"Version": "28.2.2", "Components": [{"Name": "Engine", "Version": "28.2.2"}]});
        let f = EngineFacts::from_documents(&info, &version, &Value::Null);
        assert_eq!(f.kind, EngineKind::Docker);
        assert_eq!(f.version.as_deref(), Some("28.2.2"));
        assert!(!f.rootless);
        assert_eq!(f.cgroup_version, Some(2));
        assert_eq!(f.cpu_limit_unsupported(), None);
        assert!(f.tmpfs_takes_owner_options());
        assert_eq!(f.default_capabilities().len(), 14);
    }

    #[test]
    fn podman_is_detected_from_its_version_components() {
        let info = json!({"CpuCfsQuota": true, "CgroupVersion": "1",
            "SecurityOptions": ["name=seccomp,profile=default"], "ServerVersion": "4.3.1"});
        let f = EngineFacts::from_documents(
            &info,
            &podman_version(),
            &libpod(false, "v1", &["cpuset", "cpu", "memory", "pids"]),
        );
        assert_eq!(f.kind, EngineKind::Podman);
        assert_eq!(f.describe(), "Podman 4.3.1");
        assert_eq!(f.libpod_path("/info"), "/v4.3.1/libpod/info");
        assert!(!f.tmpfs_takes_owner_options());
        assert_eq!(f.cpu_limit_unsupported(), None);
        assert_eq!(
            f.default_capabilities(),
            ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
        );
        // Without /libpod/info the version still says Podman.
        let f = EngineFacts::from_documents(&info, &podman_version(), &Value::Null);
        assert!(f.is_podman());
        assert_eq!(f.default_capabilities().len(), 14);
    }

    #[test]
    fn rootless_on_cgroup_v1_cannot_limit_cpu() {
        // Docker rootless says so in SecurityOptions; /info may still claim CFS quota support.
        let info = json!({"CpuCfsQuota": true, "CgroupVersion": "1",
            "SecurityOptions": ["name=seccomp,profile=builtin", "name=rootless"]});
        let f = EngineFacts::from_documents(&info, &json!({"Version": "20.10.24"}), &Value::Null);
        assert!(f.rootless);
        let why = f.cpu_limit_unsupported().unwrap();
        assert!(why.contains("rootless Docker 20.10.24"), "{why}");
        assert!(why.contains("cgroup v1"), "{why}");
        // Podman rootless from its own info.
        let info = json!({"CpuCfsQuota": true, "CgroupVersion": "1",
            "SecurityOptions": ["name=seccomp,profile=default"]});
        let f = EngineFacts::from_documents(&info, &podman_version(), &libpod(true, "v1", &[]));
        assert!(f.rootless);
        assert!(f.cpu_limit_unsupported().unwrap().contains("cgroup v1"));
    }

    #[test]
    fn a_missing_cpu_controller_or_quota_means_no_cpu_limit() {
        // Rootless Podman on cgroup v2 without the cpu controller delegated.
        let info = json!({"CpuCfsQuota": true, "CgroupVersion": "2",
            "SecurityOptions": ["name=seccomp,profile=default", "name=rootless"]});
        let f = EngineFacts::from_documents(
            &info,
            &podman_version(),
            &libpod(true, "v2", &["memory", "pids"]),
        );
        let why = f.cpu_limit_unsupported().unwrap();
        assert!(why.contains("cpu cgroup controller"), "{why}");
        assert!(why.contains("memory, pids"), "{why}");
        // Docker rootless on cgroup v2 reports the delegation through CpuCfsQuota.
        let info = json!({"CpuCfsQuota": false, "CgroupVersion": "2",
            "SecurityOptions": ["name=seccomp,profile=builtin", "name=rootless", "name=cgroupns"]});
        let f = EngineFacts::from_documents(&info, &json!({"Version": "28.2.2"}), &Value::Null);
        assert!(
            f.cpu_limit_unsupported()
                .unwrap()
                .contains("CpuCfsQuota: false")
        );
        assert_eq!(f.limit_unsupported(Limit::Memory), None);
        // Nothing known: assume it can.
        let f = EngineFacts::from_documents(&Value::Null, &Value::Null, &Value::Null);
        assert_eq!(f.cpu_limit_unsupported(), None);
        assert_eq!(f.kind, EngineKind::Docker);
    }
}
