//! The `docker run` flag table (Docker CLI 28.2.2) plus harden's own options.
//!
//! One entry per flag. Parsing, value validation, `--help` and the fidelity tests all read this
//! table. Texts, types and defaults are copied from `cli/command/container/opts.go` and
//! `run.go` of docker/cli v28.2.2.

/// The pflag value type of a flag (decides how its value is parsed and validated).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// Takes no separate argument; `--x=false` form for an explicit value.
    Bool,
    String,
    /// Repeatable, keeps order (`opts.ListOpts` and friends).
    List,
    /// Repeatable `k=v`, later keys win (`opts.MapOpts`).
    Map,
    /// Go `int` (64-bit on amd64).
    Int,
    Int64,
    Uint16,
    Uint64,
    /// go-units `RAMInBytes`.
    Bytes,
    /// Like [`ValueKind::Bytes`] but also accepts exactly `-1`.
    MemorySwap,
    /// Go `time.Duration`.
    Duration,
    /// Exact rational (`--cpus`).
    Decimal,
    Network,
    Mount,
    GpuRequest,
    Ulimit,
}

impl ValueKind {
    /// The type word pflag prints in `--help` (empty for booleans).
    pub fn type_word(self) -> &'static str {
        match self {
            ValueKind::Bool => "",
            ValueKind::String => "string",
            ValueKind::List => "list",
            ValueKind::Map => "map",
            ValueKind::Int | ValueKind::Int64 => "int",
            ValueKind::Uint16 => "uint16",
            ValueKind::Uint64 => "uint",
            ValueKind::Bytes | ValueKind::MemorySwap => "bytes",
            ValueKind::Duration => "duration",
            ValueKind::Decimal => "decimal",
            ValueKind::Network => "network",
            ValueKind::Mount => "mount",
            ValueKind::GpuRequest => "gpu-request",
            ValueKind::Ulimit => "ulimit",
        }
    }

    /// Whether repeated occurrences accumulate (instead of "last one wins").
    pub fn repeatable(self) -> bool {
        matches!(
            self,
            ValueKind::List
                | ValueKind::Map
                | ValueKind::Network
                | ValueKind::Mount
                | ValueKind::GpuRequest
                | ValueKind::Ulimit
        )
    }
}

/// Whose flag it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagGroup {
    Docker,
    Harden,
}

/// One flag.
#[derive(Debug, PartialEq, Eq)]
pub struct FlagSpec {
    /// Long name without dashes (`publish`).
    pub long: &'static str,
    pub short: Option<char>,
    pub kind: ValueKind,
    /// The type word shown in help (`list`, `string`, `bytes`…; empty for booleans).
    pub value_name: &'static str,
    /// Help text as docker prints it (may contain newlines).
    pub help: &'static str,
    pub group: FlagGroup,
    /// Not listed by `docker run --help` (API-gated, Windows-only, deprecated aliases).
    pub hidden: bool,
    /// For deprecated spellings: the canonical flag (`net` → `network`).
    pub alias_of: Option<&'static str>,
    /// Minimum Engine API version (`"version"` annotation).
    pub min_api: Option<&'static str>,
    /// The default docker shows in help (pflag `DefValue`), when it is not the zero value.
    pub default: Option<&'static str>,
    /// Only supported by daemons of this OS (`"ostype"` annotation).
    pub os_only: Option<&'static str>,
}

const fn f(long: &'static str, kind: ValueKind, help: &'static str) -> FlagSpec {
    FlagSpec {
        long,
        short: None,
        kind,
        value_name: kind_word(kind),
        help,
        group: FlagGroup::Docker,
        hidden: false,
        alias_of: None,
        min_api: None,
        default: None,
        os_only: None,
    }
}

const fn kind_word(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::Bool => "",
        ValueKind::String => "string",
        ValueKind::List => "list",
        ValueKind::Map => "map",
        ValueKind::Int | ValueKind::Int64 => "int",
        ValueKind::Uint16 => "uint16",
        ValueKind::Uint64 => "uint",
        ValueKind::Bytes | ValueKind::MemorySwap => "bytes",
        ValueKind::Duration => "duration",
        ValueKind::Decimal => "decimal",
        ValueKind::Network => "network",
        ValueKind::Mount => "mount",
        ValueKind::GpuRequest => "gpu-request",
        ValueKind::Ulimit => "ulimit",
    }
}

impl FlagSpec {
    const fn short(mut self, c: char) -> Self {
        self.short = Some(c);
        self
    }
    const fn hidden(mut self) -> Self {
        self.hidden = true;
        self
    }
    const fn api(mut self, v: &'static str) -> Self {
        self.min_api = Some(v);
        self
    }
    const fn def(mut self, d: &'static str) -> Self {
        self.default = Some(d);
        self
    }
    const fn alias(mut self, of: &'static str) -> Self {
        self.alias_of = Some(of);
        self.hidden = true;
        self
    }
    const fn windows(mut self) -> Self {
        self.os_only = Some("windows");
        self.hidden = true;
        self
    }
    const fn harden(mut self) -> Self {
        self.group = FlagGroup::Harden;
        self
    }

    /// The canonical long name (the alias target for deprecated spellings).
    pub fn canonical(&self) -> &'static str {
        self.alias_of.unwrap_or(self.long)
    }

    /// True for flags that take no separate argument.
    pub fn is_bool(&self) -> bool {
        self.kind == ValueKind::Bool
    }

    /// How pflag names the flag in value errors: `-p, --publish` or `--name`.
    pub fn error_name(&self) -> std::string::String {
        match self.short {
            Some(c) => format!("-{c}, --{}", self.long),
            None => format!("--{}", self.long),
        }
    }
}

use ValueKind::*;

/// Every flag of `docker run` (CLI 28.2.2: the 98 listed by `--help`, the hidden ones and the
/// deprecated aliases) followed by harden's own options. Sorted by long name within each group.
pub static FLAGS: &[FlagSpec] = &[
    f("add-host", List, "Add a custom host-to-IP mapping (host:ip)"),
    f(
        "annotation",
        Map,
        "Add an annotation to the container (passed through to the OCI runtime)",
    )
    .api("1.43")
    .def("map[]")
    .hidden(),
    f("attach", List, "Attach to STDIN, STDOUT or STDERR").short('a'),
    f(
        "blkio-weight",
        Uint16,
        "Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)",
    ),
    f(
        "blkio-weight-device",
        List,
        "Block IO weight (relative device weight)",
    )
    .def("[]"),
    f("cap-add", List, "Add Linux capabilities"),
    f("cap-drop", List, "Drop Linux capabilities"),
    f(
        "cgroup-parent",
        String,
        "Optional parent cgroup for the container",
    ),
    f(
        "cgroupns",
        String,
        "Cgroup namespace to use (host|private)\n'host':    Run the container in the Docker host's cgroup namespace\n'private': Run the container in its own private cgroup namespace\n'':        Use the cgroup namespace as configured by the\n           default-cgroupns-mode option on the daemon (default)",
    )
    .api("1.41"),
    f("cidfile", String, "Write the container ID to the file"),
    f("cpu-count", Int64, "CPU count (Windows only)").windows(),
    f("cpu-percent", Int64, "CPU percent (Windows only)").windows(),
    f(
        "cpu-period",
        Int64,
        "Limit CPU CFS (Completely Fair Scheduler) period",
    ),
    f(
        "cpu-quota",
        Int64,
        "Limit CPU CFS (Completely Fair Scheduler) quota",
    ),
    f(
        "cpu-rt-period",
        Int64,
        "Limit CPU real-time period in microseconds",
    )
    .api("1.25"),
    f(
        "cpu-rt-runtime",
        Int64,
        "Limit CPU real-time runtime in microseconds",
    )
    .api("1.25"),
    f("cpu-shares", Int64, "CPU shares (relative weight)").short('c'),
    f("cpus", Decimal, "Number of CPUs").api("1.25"),
    f(
        "cpuset-cpus",
        String,
        "CPUs in which to allow execution (0-3, 0,1)",
    ),
    f(
        "cpuset-mems",
        String,
        "MEMs in which to allow execution (0-3, 0,1)",
    ),
    f(
        "detach",
        Bool,
        "Run container in background and print container ID",
    )
    .short('d'),
    f(
        "detach-keys",
        String,
        "Override the key sequence for detaching a container",
    ),
    f("device", List, "Add a host device to the container"),
    f(
        "device-cgroup-rule",
        List,
        "Add a rule to the cgroup allowed devices list",
    ),
    f(
        "device-read-bps",
        List,
        "Limit read rate (bytes per second) from a device",
    )
    .def("[]"),
    f(
        "device-read-iops",
        List,
        "Limit read rate (IO per second) from a device",
    )
    .def("[]"),
    f(
        "device-write-bps",
        List,
        "Limit write rate (bytes per second) to a device",
    )
    .def("[]"),
    f(
        "device-write-iops",
        List,
        "Limit write rate (IO per second) to a device",
    )
    .def("[]"),
    f("disable-content-trust", Bool, "Skip image verification").def("true"),
    f("dns", List, "Set custom DNS servers"),
    f("dns-opt", List, "Set DNS options").alias("dns-option"),
    f("dns-option", List, "Set DNS options"),
    f("dns-search", List, "Set custom DNS search domains"),
    f("domainname", String, "Container NIS domain name"),
    f(
        "entrypoint",
        String,
        "Overwrite the default ENTRYPOINT of the image",
    ),
    f("env", List, "Set environment variables").short('e'),
    f("env-file", List, "Read in a file of environment variables"),
    f("expose", List, "Expose a port or a range of ports"),
    f(
        "gpus",
        GpuRequest,
        "GPU devices to add to the container ('all' to pass all GPUs)",
    )
    .api("1.40"),
    f("group-add", List, "Add additional groups to join"),
    f("health-cmd", String, "Command to run to check health"),
    f(
        "health-interval",
        Duration,
        "Time between running the check (ms|s|m|h) (default 0s)",
    ),
    f(
        "health-retries",
        Int,
        "Consecutive failures needed to report unhealthy",
    ),
    f(
        "health-start-interval",
        Duration,
        "Time between running the check during the start period (ms|s|m|h) (default 0s)",
    )
    .api("1.44")
    .hidden(),
    f(
        "health-start-period",
        Duration,
        "Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)",
    )
    .api("1.29"),
    f(
        "health-timeout",
        Duration,
        "Maximum time to allow one check to run (ms|s|m|h) (default 0s)",
    ),
    f("help", Bool, "Print usage"),
    f("hostname", String, "Container host name").short('h'),
    f(
        "init",
        Bool,
        "Run an init inside the container that forwards signals and reaps processes",
    )
    .api("1.25"),
    f("interactive", Bool, "Keep STDIN open even if not attached").short('i'),
    f(
        "io-maxbandwidth",
        Bytes,
        "Maximum IO bandwidth limit for the system drive (Windows only)",
    )
    .windows(),
    f(
        "io-maxiops",
        Uint64,
        "Maximum IOps limit for the system drive (Windows only)",
    )
    .windows(),
    f("ip", String, "IPv4 address (e.g., 172.30.100.104)"),
    f("ip6", String, "IPv6 address (e.g., 2001:db8::33)"),
    f("ipc", String, "IPC mode to use"),
    f("isolation", String, "Container isolation technology"),
    f("kernel-memory", Bytes, "Kernel memory limit"),
    f("label", List, "Set meta data on a container").short('l'),
    f("label-file", List, "Read in a line delimited file of labels"),
    f("link", List, "Add link to another container"),
    f(
        "link-local-ip",
        List,
        "Container IPv4/IPv6 link-local addresses",
    ),
    f("log-driver", String, "Logging driver for the container"),
    f("log-opt", List, "Log driver options"),
    f(
        "mac-address",
        String,
        "Container MAC address (e.g., 92:d0:c6:0a:29:33)",
    ),
    f("memory", Bytes, "Memory limit").short('m'),
    f("memory-reservation", Bytes, "Memory soft limit"),
    f(
        "memory-swap",
        MemorySwap,
        "Swap limit equal to memory plus swap: '-1' to enable unlimited swap",
    ),
    f(
        "memory-swappiness",
        Int64,
        "Tune container memory swappiness (0 to 100)",
    )
    .def("-1"),
    f("mount", Mount, "Attach a filesystem mount to the container"),
    f("name", String, "Assign a name to the container"),
    f("net", Network, "Connect a container to a network").alias("network"),
    f(
        "net-alias",
        List,
        "Add network-scoped alias for the container",
    )
    .alias("network-alias"),
    f("network", Network, "Connect a container to a network"),
    f(
        "network-alias",
        List,
        "Add network-scoped alias for the container",
    ),
    f(
        "no-healthcheck",
        Bool,
        "Disable any container-specified HEALTHCHECK",
    ),
    f("oom-kill-disable", Bool, "Disable OOM Killer"),
    f(
        "oom-score-adj",
        Int,
        "Tune host's OOM preferences (-1000 to 1000)",
    ),
    f("pid", String, "PID namespace to use"),
    f(
        "pids-limit",
        Int64,
        "Tune container pids limit (set -1 for unlimited)",
    ),
    f(
        "platform",
        String,
        "Set platform if server is multi-platform capable",
    )
    .api("1.32"),
    f(
        "privileged",
        Bool,
        "Give extended privileges to this container",
    ),
    f("publish", List, "Publish a container's port(s) to the host").short('p'),
    f(
        "publish-all",
        Bool,
        "Publish all exposed ports to random ports",
    )
    .short('P'),
    f(
        "pull",
        String,
        "Pull image before running (\"always\", \"missing\", \"never\")",
    )
    .def("missing"),
    f("quiet", Bool, "Suppress the pull output").short('q'),
    f(
        "read-only",
        Bool,
        "Mount the container's root filesystem as read only",
    ),
    f(
        "restart",
        String,
        "Restart policy to apply when a container exits",
    )
    .def("no"),
    f(
        "rm",
        Bool,
        "Automatically remove the container and its associated anonymous volumes when it exits",
    ),
    f("runtime", String, "Runtime to use for this container"),
    f("security-opt", List, "Security Options"),
    f("shm-size", Bytes, "Size of /dev/shm"),
    f("sig-proxy", Bool, "Proxy received signals to the process").def("true"),
    f("stop-signal", String, "Signal to stop the container"),
    f(
        "stop-timeout",
        Int,
        "Timeout (in seconds) to stop a container",
    )
    .api("1.25"),
    f(
        "storage-opt",
        List,
        "Storage driver options for the container",
    ),
    f("sysctl", Map, "Sysctl options").def("map[]"),
    f("tmpfs", List, "Mount a tmpfs directory"),
    f("tty", Bool, "Allocate a pseudo-TTY").short('t'),
    f("ulimit", Ulimit, "Ulimit options").def("[]"),
    f(
        "use-api-socket",
        Bool,
        "Bind mount Docker API socket and required auth",
    ),
    f(
        "user",
        String,
        "Username or UID (format: <name|uid>[:<group|gid>])",
    )
    .short('u'),
    f("userns", String, "User namespace to use"),
    f("uts", String, "UTS namespace to use"),
    f("volume", List, "Bind mount a volume").short('v'),
    f(
        "volume-driver",
        String,
        "Optional volume driver for the container",
    ),
    f(
        "volumes-from",
        List,
        "Mount volumes from the specified container(s)",
    ),
    f("workdir", String, "Working directory inside the container").short('w'),
    // harden's own options.
    f(
        "allow",
        List,
        "Allow what a rule would refuse or change (rule id; repeatable)",
    )
    .harden(),
    f(
        "dry-run",
        Bool,
        "Print the hardened command and create body; run nothing",
    )
    .harden(),
    f("explain", Bool, "Explain every change harden makes").harden(),
    f(
        "format",
        String,
        "Output format of --dry-run: the command line, or JSON with the create body (text|json)",
    )
    .harden(),
    f(
        "no-harden",
        Bool,
        "Run exactly as docker would, without hardening",
    )
    .harden(),
    f(
        "preset",
        String,
        "Hardening preset: a built-in name or a preset file",
    )
    .harden(),
    f(
        "review",
        Bool,
        "Ask about each change (accept, skip, explain, quit) before applying it",
    )
    .harden(),
    f(
        "trust-project",
        Bool,
        "Accept, for this command, a project .harden.yaml that weakens the policy",
    )
    .harden(),
    f(
        "watch",
        Duration,
        "With -d, watch the container this long and explain a failure (default 2s; 0: off)",
    )
    .harden(),
];

/// The flag spelled `--name` (aliases included; exact match, no prefixes).
pub fn lookup_long(name: &str) -> Option<&'static FlagSpec> {
    FLAGS.iter().find(|f| f.long == name)
}

/// The flag spelled `-c`.
pub fn lookup_short(c: char) -> Option<&'static FlagSpec> {
    FLAGS.iter().find(|f| f.short == Some(c))
}

/// The canonical spec for a flag (resolves deprecated aliases).
pub fn canonical(spec: &'static FlagSpec) -> &'static FlagSpec {
    match spec.alias_of {
        Some(target) => lookup_long(target).unwrap_or(spec),
        None => spec,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        let mut seen = std::collections::HashSet::new();
        for f in FLAGS {
            assert!(seen.insert(f.long), "duplicate flag {}", f.long);
            assert_eq!(f.value_name, f.kind.type_word(), "{}", f.long);
            if let Some(a) = f.alias_of {
                let t = lookup_long(a).expect("alias target exists");
                assert_eq!(t.kind, f.kind);
                assert!(f.hidden);
            }
        }
        let shorts: Vec<char> = FLAGS.iter().filter_map(|f| f.short).collect();
        let unique: std::collections::HashSet<_> = shorts.iter().collect();
        assert_eq!(shorts.len(), unique.len());
        // Sorted within each group, as pflag lists them.
        for g in [FlagGroup::Docker, FlagGroup::Harden] {
            let names: Vec<_> = FLAGS
                .iter()
                .filter(|f| f.group == g)
                .map(|f| f.long)
                .collect();
            let mut sorted = names.clone();
            sorted.sort();
            assert_eq!(names, sorted);
        }
        let docker = FLAGS.iter().filter(|f| f.group == FlagGroup::Docker);
        assert_eq!(docker.clone().count(), 107);
        assert_eq!(docker.filter(|f| !f.hidden).count(), 98);
    }

    #[test]
    fn lookups() {
        assert_eq!(lookup_short('p').map(|f| f.long), Some("publish"));
        assert_eq!(lookup_short('h').map(|f| f.long), Some("hostname"));
        assert_eq!(
            lookup_long("net").map(|f| canonical(f).long),
            Some("network")
        );
        assert!(lookup_long("publ").is_none());
    }
}
