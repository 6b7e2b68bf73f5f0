//! The values a preset gives the rules and their fixes (user, limits, tmpfs, capabilities),
//! plus what the check sets for one container (the image's profile, why the user was chosen).

use serde::{Deserialize, Serialize};

/// The values a preset gives the fixes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    /// Why `user` is what it is when the image chose it (set while checking one container).
    #[serde(skip)]
    pub user_reason: Option<String>,
    /// Tmpfs the image's profile adds (set while checking one container), and the profile's
    /// name for messages.
    #[serde(skip)]
    pub profile_tmpfs: Vec<ProfileTmpfs>,
    #[serde(skip)]
    pub profile_name: Option<String>,
    /// Capabilities the image needs back (its profile's `cap_add`), set while checking.
    #[serde(skip)]
    pub profile_caps: Vec<String>,
    /// Where the image keeps data that must outlive the container (its profile's `volumes`),
    /// set while checking.
    #[serde(skip)]
    pub profile_volumes: Vec<ProfileVolume>,
}

impl Default for Settings {
    /// The built-in default preset's values (`presets/default.yaml`; a test keeps them equal).
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
                "CAP_AUDIT_WRITE",
                "CAP_CHOWN",
                "CAP_DAC_OVERRIDE",
                "CAP_FOWNER",
                "CAP_FSETID",
                "CAP_IPC_LOCK",
                "CAP_KILL",
                "CAP_NET_BIND_SERVICE",
                "CAP_SETFCAP",
                "CAP_SETGID",
                "CAP_SETPCAP",
                "CAP_SETUID",
                "CAP_SYS_CHROOT",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            user_reason: None,
            profile_tmpfs: Vec::new(),
            profile_name: None,
            profile_caps: Vec::new(),
            profile_volumes: Vec::new(),
        }
    }
}

/// A tmpfs a profile adds (owner: the run user unless given).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfileTmpfs {
    pub path: String,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    /// Octal permission bits (`1777`).
    pub mode: Option<String>,
    pub reason: String,
}

/// A path where an image keeps data that must outlive the container (a profile's `volumes`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProfileVolume {
    pub path: String,
    pub reason: String,
}
