//! Presets: what is enforced, denied, warned or waived, and the values fixes use.

/// The values a preset gives the fixes.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Settings {
    /// User to run as when the container would run as root (`65534:65534`).
    pub user: String,
    /// Memory limit in bytes.
    pub memory: i64,
    /// CPU limit in 10⁻⁹ CPUs.
    pub nano_cpus: i64,
    /// Pids limit.
    pub pids_limit: i64,
    /// Host IP that published ports are bound to.
    pub bind_ip: String,
    /// Paths that get a tmpfs when the root filesystem is made read-only.
    pub tmpfs_paths: Vec<String>,
    /// Mount options for those tmpfs mounts. `{uid}` and `{gid}` are replaced by the container
    /// user's numeric ids when they are known, and options naming them are dropped otherwise.
    pub tmpfs_options: String,
    /// Capabilities that may be added back (`CAP_NET_BIND_SERVICE` form).
    pub allowed_capabilities: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            user: "65534:65534".into(),
            memory: 512 << 20,
            nano_cpus: 1_000_000_000,
            pids_limit: 256,
            bind_ip: "127.0.0.1".into(),
            tmpfs_paths: vec!["/tmp".into(), "/run".into()],
            tmpfs_options: "rw,noexec,nosuid,nodev,size=64m,uid={uid},gid={gid}".into(),
            allowed_capabilities: [
                "AUDIT_WRITE",
                "CHOWN",
                "DAC_OVERRIDE",
                "FOWNER",
                "FSETID",
                "IPC_LOCK",
                "KILL",
                "NET_BIND_SERVICE",
                "SETFCAP",
                "SETGID",
                "SETPCAP",
                "SETUID",
                "SYS_CHROOT",
            ]
            .iter()
            .map(|c| format!("CAP_{c}"))
            .collect(),
        }
    }
}
