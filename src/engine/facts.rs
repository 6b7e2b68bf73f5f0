//! What the connected engine is and can do, read once per connection from `GET /info` and
//! `GET /version` (and, on Podman, its own `GET /libpod/info`): which engine answers (Docker or
//! Podman's Docker-compatible service), whether it runs rootless, its cgroup version and
//! controllers, and the capabilities it gives a container by default.
//!
//! The renderers use this where an engine differs from Docker: Podman's tmpfs takes no
//! `uid=`/`gid=` options, and an engine that cannot apply a CPU limit refuses or ignores one.

use serde_json::Value;

/// Which engine answers the API.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
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
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
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
