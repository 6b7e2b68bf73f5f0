//! The Go types the engine decodes request bodies into, written down by hand from moby's source.
//!
//! One table per struct: each field's JSON name (the `json:"…"` tag name, else the Go field
//! name) and its kind. Embedded structs are listed as `embedded` fields, so their fields are
//! promoted exactly as Go's `encoding/json` promotes them. Each kind carries the Go type name
//! that `encoding/json` prints in its `UnmarshalTypeError` messages (`reflect.Type.String()`).
//!
//! Two dialects:
//! - [`ENGINE_20_10`]: Docker Engine 20.10 (API 1.41; sources at moby tag `v20.10.24`,
//!   `runconfig/config_unix.go` `ContainerConfigWrapper`, `api/types/container/*.go`,
//!   `api/types/{mount,network,blkiodev,strslice}`, go-units 0.4 `Ulimit`, go-connections 0.4
//!   `nat.PortBinding`). Built with Go 1.19.
//! - [`MOBY_MASTER`]: moby master of 2026 (`api/types/container/create_request.go`
//!   `CreateRequest`, `daemon/internal/runconfig/config.go`). `Cmd`/`Entrypoint`/`Shell`/`CapAdd`
//!   are plain `[]string` there (no single-string form), addresses are `netip.Addr`
//!   (`encoding.TextUnmarshaler`), port-map keys are `network.Port` (parsed and normalised),
//!   `Config.MacAddress` and `KernelMemory*` are gone, `Annotations`, `ImageOptions`, … are new.

/// How a JSON value lands in a Go value.
#[derive(Debug)]
pub enum Kind {
    /// `bool`: only `true`/`false` (`null` leaves it alone).
    Bool,
    /// A signed integer of `bits` bits (`int` is 64 here); Go type name.
    Int(&'static str, u32),
    /// An unsigned integer of `bits` bits; Go type name.
    Uint(&'static str, u32),
    /// A string kind (also named string types such as `container.NetworkMode`).
    Str(&'static str),
    /// A type with `UnmarshalText` (master: `netip.Addr`, `network.HardwareAddr`): only a JSON
    /// string; its text is forwarded as is and parsed by the engine. `nullable`: `null` resets it
    /// (slice-based types) rather than leaving it alone (struct-based types).
    Text(&'static str, bool),
    /// moby's `strslice.StrSlice` (Engine 20.10): its `UnmarshalJSON` takes an array of strings or
    /// one string, and always replaces the old value.
    StrSlice,
    /// A slice: Go type name, element kind.
    Slice(&'static str, &'static Kind),
    /// A fixed-size array: Go type name, length, element kind.
    Array(&'static str, usize, &'static Kind),
    /// A map with string keys: Go type name, how keys are read, value kind.
    Map(&'static str, MapKey, &'static Kind),
    /// A pointer.
    Ptr(&'static Kind),
    /// A struct.
    Struct(&'static Struct),
    /// `struct{}` (values of `Volumes`, `ExposedPorts`).
    Empty,
}

/// How the keys of a map are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapKey {
    /// Exactly as written (after JSON unescaping): no case folding.
    Exact,
    /// master's `network.Port` (`encoding.TextUnmarshaler`): `80` reads as `80/tcp`, the
    /// protocol is lower-cased, a bad port number is an error.
    Port,
}

/// One field of a struct.
#[derive(Debug)]
pub struct Field {
    /// The JSON name (tag name, else Go field name); for an embedded struct its type's name.
    pub name: &'static str,
    pub kind: Kind,
    /// An embedded (anonymous) struct or pointer to struct: its fields are promoted.
    pub embedded: bool,
}

/// A Go struct type.
#[derive(Debug)]
pub struct Struct {
    /// `package.Name`, as Go prints it.
    pub go: &'static str,
    pub fields: &'static [Field],
}

impl Struct {
    /// The type's bare name (`HostConfig`), as `UnmarshalTypeError.Struct` holds it.
    pub fn name(&self) -> &'static str {
        self.go.rsplit('.').next().unwrap_or(self.go)
    }
}

const fn f(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        embedded: false,
    }
}

const fn embed(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        embedded: true,
    }
}

// Shared leaf kinds.
const BOOL: Kind = Kind::Bool;
const STRING: Kind = Kind::Str("string");
const INT: Kind = Kind::Int("int", 64);
const INT64: Kind = Kind::Int("int64", 64);
const UINT64: Kind = Kind::Uint("uint64", 64);
const DURATION: Kind = Kind::Int("time.Duration", 64);
const STRINGS: Kind = Kind::Slice("[]string", &STRING);
const STRING_MAP: Kind = Kind::Map("map[string]string", MapKey::Exact, &STRING);

// ---------------------------------------------------------------------------------------------
// Shared by both dialects (unchanged between 20.10 and master)
// ---------------------------------------------------------------------------------------------

/// `container.RestartPolicy` (20.10; master's `Name` is `container.RestartPolicyMode`).
pub static RESTART_POLICY_20_10: Struct = Struct {
    go: "container.RestartPolicy",
    fields: &[f("Name", STRING), f("MaximumRetryCount", INT)],
};

pub static RESTART_POLICY_MASTER: Struct = Struct {
    go: "container.RestartPolicy",
    fields: &[
        f("Name", Kind::Str("container.RestartPolicyMode")),
        f("MaximumRetryCount", INT),
    ],
};

/// `container.LogConfig`.
pub static LOG_CONFIG: Struct = Struct {
    go: "container.LogConfig",
    fields: &[f("Type", STRING), f("Config", STRING_MAP)],
};

/// `blkiodev.WeightDevice`.
pub static WEIGHT_DEVICE: Struct = Struct {
    go: "blkiodev.WeightDevice",
    fields: &[f("Path", STRING), f("Weight", Kind::Uint("uint16", 16))],
};

/// `blkiodev.ThrottleDevice`.
pub static THROTTLE_DEVICE: Struct = Struct {
    go: "blkiodev.ThrottleDevice",
    fields: &[f("Path", STRING), f("Rate", UINT64)],
};

/// `container.DeviceMapping`.
pub static DEVICE_MAPPING: Struct = Struct {
    go: "container.DeviceMapping",
    fields: &[
        f("PathOnHost", STRING),
        f("PathInContainer", STRING),
        f("CgroupPermissions", STRING),
    ],
};

/// `container.DeviceRequest`.
pub static DEVICE_REQUEST: Struct = Struct {
    go: "container.DeviceRequest",
    fields: &[
        f("Driver", STRING),
        f("Count", INT),
        f("DeviceIDs", STRINGS),
        f("Capabilities", Kind::Slice("[][]string", &STRINGS)),
        f("Options", STRING_MAP),
    ],
};

/// go-units `Ulimit` (master: `container.Ulimit = units.Ulimit`).
pub static ULIMIT: Struct = Struct {
    go: "units.Ulimit",
    fields: &[f("Name", STRING), f("Hard", INT64), f("Soft", INT64)],
};

/// `mount.Driver`.
pub static MOUNT_DRIVER: Struct = Struct {
    go: "mount.Driver",
    fields: &[f("Name", STRING), f("Options", STRING_MAP)],
};

const WEIGHT_DEVICES: Kind = Kind::Slice(
    "[]*blkiodev.WeightDevice",
    &Kind::Ptr(&Kind::Struct(&WEIGHT_DEVICE)),
);
const THROTTLE_DEVICES: Kind = Kind::Slice(
    "[]*blkiodev.ThrottleDevice",
    &Kind::Ptr(&Kind::Struct(&THROTTLE_DEVICE)),
);

// ---------------------------------------------------------------------------------------------
// Engine 20.10 (API 1.41)
// ---------------------------------------------------------------------------------------------

/// `container.HealthConfig` (20.10).
pub static HEALTH_CONFIG_20_10: Struct = Struct {
    go: "container.HealthConfig",
    fields: &[
        f("Test", STRINGS),
        f("Interval", DURATION),
        f("Timeout", DURATION),
        f("StartPeriod", DURATION),
        f("Retries", INT),
    ],
};

/// `container.Config` (20.10).
pub static CONFIG_20_10: Struct = Struct {
    go: "container.Config",
    fields: &[
        f("Hostname", STRING),
        f("Domainname", STRING),
        f("User", STRING),
        f("AttachStdin", BOOL),
        f("AttachStdout", BOOL),
        f("AttachStderr", BOOL),
        f(
            "ExposedPorts",
            Kind::Map("nat.PortSet", MapKey::Exact, &Kind::Empty),
        ),
        f("Tty", BOOL),
        f("OpenStdin", BOOL),
        f("StdinOnce", BOOL),
        f("Env", STRINGS),
        f("Cmd", Kind::StrSlice),
        f(
            "Healthcheck",
            Kind::Ptr(&Kind::Struct(&HEALTH_CONFIG_20_10)),
        ),
        f("ArgsEscaped", BOOL),
        f("Image", STRING),
        f(
            "Volumes",
            Kind::Map("map[string]struct {}", MapKey::Exact, &Kind::Empty),
        ),
        f("WorkingDir", STRING),
        f("Entrypoint", Kind::StrSlice),
        f("NetworkDisabled", BOOL),
        f("MacAddress", STRING),
        f("OnBuild", STRINGS),
        f("Labels", STRING_MAP),
        f("StopSignal", STRING),
        f("StopTimeout", Kind::Ptr(&INT)),
        f("Shell", Kind::StrSlice),
    ],
};

/// `container.Resources` (20.10), embedded in `HostConfig` and `UpdateConfig`.
pub static RESOURCES_20_10: Struct = Struct {
    go: "container.Resources",
    fields: &[
        f("CpuShares", INT64),
        f("Memory", INT64),
        f("NanoCpus", INT64),
        f("CgroupParent", STRING),
        f("BlkioWeight", Kind::Uint("uint16", 16)),
        f("BlkioWeightDevice", WEIGHT_DEVICES),
        f("BlkioDeviceReadBps", THROTTLE_DEVICES),
        f("BlkioDeviceWriteBps", THROTTLE_DEVICES),
        f("BlkioDeviceReadIOps", THROTTLE_DEVICES),
        f("BlkioDeviceWriteIOps", THROTTLE_DEVICES),
        f("CpuPeriod", INT64),
        f("CpuQuota", INT64),
        f("CpuRealtimePeriod", INT64),
        f("CpuRealtimeRuntime", INT64),
        f("CpusetCpus", STRING),
        f("CpusetMems", STRING),
        f(
            "Devices",
            Kind::Slice("[]container.DeviceMapping", &Kind::Struct(&DEVICE_MAPPING)),
        ),
        f("DeviceCgroupRules", STRINGS),
        f(
            "DeviceRequests",
            Kind::Slice("[]container.DeviceRequest", &Kind::Struct(&DEVICE_REQUEST)),
        ),
        f("KernelMemory", INT64),
        f("KernelMemoryTCP", INT64),
        f("MemoryReservation", INT64),
        f("MemorySwap", INT64),
        f("MemorySwappiness", Kind::Ptr(&INT64)),
        f("OomKillDisable", Kind::Ptr(&BOOL)),
        f("PidsLimit", Kind::Ptr(&INT64)),
        f(
            "Ulimits",
            Kind::Slice("[]*units.Ulimit", &Kind::Ptr(&Kind::Struct(&ULIMIT))),
        ),
        f("CpuCount", INT64),
        f("CpuPercent", INT64),
        f("IOMaximumIOps", UINT64),
        f("IOMaximumBandwidth", UINT64),
    ],
};

/// go-connections `nat.PortBinding`.
pub static PORT_BINDING_20_10: Struct = Struct {
    go: "nat.PortBinding",
    fields: &[f("HostIp", STRING), f("HostPort", STRING)],
};

/// `mount.BindOptions` (20.10).
pub static BIND_OPTIONS_20_10: Struct = Struct {
    go: "mount.BindOptions",
    fields: &[
        f("Propagation", Kind::Str("mount.Propagation")),
        f("NonRecursive", BOOL),
    ],
};

/// `mount.VolumeOptions` (20.10).
pub static VOLUME_OPTIONS_20_10: Struct = Struct {
    go: "mount.VolumeOptions",
    fields: &[
        f("NoCopy", BOOL),
        f("Labels", STRING_MAP),
        f("DriverConfig", Kind::Ptr(&Kind::Struct(&MOUNT_DRIVER))),
    ],
};

/// `mount.TmpfsOptions` (20.10).
pub static TMPFS_OPTIONS_20_10: Struct = Struct {
    go: "mount.TmpfsOptions",
    fields: &[
        f("SizeBytes", INT64),
        f("Mode", Kind::Uint("fs.FileMode", 32)),
    ],
};

/// `mount.Mount` (20.10).
pub static MOUNT_20_10: Struct = Struct {
    go: "mount.Mount",
    fields: &[
        f("Type", Kind::Str("mount.Type")),
        f("Source", STRING),
        f("Target", STRING),
        f("ReadOnly", BOOL),
        f("Consistency", Kind::Str("mount.Consistency")),
        f("BindOptions", Kind::Ptr(&Kind::Struct(&BIND_OPTIONS_20_10))),
        f(
            "VolumeOptions",
            Kind::Ptr(&Kind::Struct(&VOLUME_OPTIONS_20_10)),
        ),
        f(
            "TmpfsOptions",
            Kind::Ptr(&Kind::Struct(&TMPFS_OPTIONS_20_10)),
        ),
    ],
};

/// `container.HostConfig` (20.10, unix).
pub static HOST_CONFIG_20_10: Struct = Struct {
    go: "container.HostConfig",
    fields: &[
        f("Binds", STRINGS),
        f("ContainerIDFile", STRING),
        f("LogConfig", Kind::Struct(&LOG_CONFIG)),
        f("NetworkMode", Kind::Str("container.NetworkMode")),
        f(
            "PortBindings",
            Kind::Map(
                "nat.PortMap",
                MapKey::Exact,
                &Kind::Slice("[]nat.PortBinding", &Kind::Struct(&PORT_BINDING_20_10)),
            ),
        ),
        f("RestartPolicy", Kind::Struct(&RESTART_POLICY_20_10)),
        f("AutoRemove", BOOL),
        f("VolumeDriver", STRING),
        f("VolumesFrom", STRINGS),
        f("CapAdd", Kind::StrSlice),
        f("CapDrop", Kind::StrSlice),
        f("CgroupnsMode", Kind::Str("container.CgroupnsMode")),
        f("Dns", STRINGS),
        f("DnsOptions", STRINGS),
        f("DnsSearch", STRINGS),
        f("ExtraHosts", STRINGS),
        f("GroupAdd", STRINGS),
        f("IpcMode", Kind::Str("container.IpcMode")),
        f("Cgroup", Kind::Str("container.CgroupSpec")),
        f("Links", STRINGS),
        f("OomScoreAdj", INT),
        f("PidMode", Kind::Str("container.PidMode")),
        f("Privileged", BOOL),
        f("PublishAllPorts", BOOL),
        f("ReadonlyRootfs", BOOL),
        f("SecurityOpt", STRINGS),
        f("StorageOpt", STRING_MAP),
        f("Tmpfs", STRING_MAP),
        f("UTSMode", Kind::Str("container.UTSMode")),
        f("UsernsMode", Kind::Str("container.UsernsMode")),
        f("ShmSize", INT64),
        f("Sysctls", STRING_MAP),
        f("Runtime", STRING),
        f(
            "ConsoleSize",
            Kind::Array("[2]uint", 2, &Kind::Uint("uint", 64)),
        ),
        f("Isolation", Kind::Str("container.Isolation")),
        embed("Resources", Kind::Struct(&RESOURCES_20_10)),
        f(
            "Mounts",
            Kind::Slice("[]mount.Mount", &Kind::Struct(&MOUNT_20_10)),
        ),
        f("MaskedPaths", STRINGS),
        f("ReadonlyPaths", STRINGS),
        f("Init", Kind::Ptr(&BOOL)),
    ],
};

/// `network.EndpointIPAMConfig` (20.10).
pub static ENDPOINT_IPAM_CONFIG_20_10: Struct = Struct {
    go: "network.EndpointIPAMConfig",
    fields: &[
        f("IPv4Address", STRING),
        f("IPv6Address", STRING),
        f("LinkLocalIPs", STRINGS),
    ],
};

/// `network.EndpointSettings` (20.10).
pub static ENDPOINT_SETTINGS_20_10: Struct = Struct {
    go: "network.EndpointSettings",
    fields: &[
        f(
            "IPAMConfig",
            Kind::Ptr(&Kind::Struct(&ENDPOINT_IPAM_CONFIG_20_10)),
        ),
        f("Links", STRINGS),
        f("Aliases", STRINGS),
        f("NetworkID", STRING),
        f("EndpointID", STRING),
        f("Gateway", STRING),
        f("IPAddress", STRING),
        f("IPPrefixLen", INT),
        f("IPv6Gateway", STRING),
        f("GlobalIPv6Address", STRING),
        f("GlobalIPv6PrefixLen", INT),
        f("MacAddress", STRING),
        f("DriverOpts", STRING_MAP),
    ],
};

/// `network.NetworkingConfig` (20.10).
pub static NETWORKING_CONFIG_20_10: Struct = Struct {
    go: "network.NetworkingConfig",
    fields: &[f(
        "EndpointsConfig",
        Kind::Map(
            "map[string]*network.EndpointSettings",
            MapKey::Exact,
            &Kind::Ptr(&Kind::Struct(&ENDPOINT_SETTINGS_20_10)),
        ),
    )],
};

/// `runconfig.ContainerConfigWrapper` (20.10, unix): what `POST /containers/create` decodes.
/// It embeds `*container.Config` AND `*container.HostConfig`: every HostConfig field is also
/// accepted at the top level (see `getHostConfig` for which of them count).
pub static CREATE_20_10: Struct = Struct {
    go: "runconfig.ContainerConfigWrapper",
    fields: &[
        embed("Config", Kind::Ptr(&Kind::Struct(&CONFIG_20_10))),
        f("HostConfig", Kind::Ptr(&Kind::Struct(&HOST_CONFIG_20_10))),
        f("Cpuset", STRING),
        f(
            "NetworkingConfig",
            Kind::Ptr(&Kind::Struct(&NETWORKING_CONFIG_20_10)),
        ),
        embed("HostConfig", Kind::Ptr(&Kind::Struct(&HOST_CONFIG_20_10))),
    ],
};

/// Field indices of [`CREATE_20_10`].
pub const WRAP_CONFIG: usize = 0;
pub const WRAP_HOST_CONFIG: usize = 1;
pub const WRAP_CPUSET: usize = 2;
pub const WRAP_NETWORKING: usize = 3;
pub const WRAP_OUTER_HOST_CONFIG: usize = 4;

/// `types.ExecConfig` (20.10): `POST /containers/{id}/exec`.
pub static EXEC_20_10: Struct = Struct {
    go: "types.ExecConfig",
    fields: &[
        f("User", STRING),
        f("Privileged", BOOL),
        f("Tty", BOOL),
        f("AttachStdin", BOOL),
        f("AttachStderr", BOOL),
        f("AttachStdout", BOOL),
        f("Detach", BOOL),
        f("DetachKeys", STRING),
        f("Env", STRINGS),
        f("WorkingDir", STRING),
        f("Cmd", STRINGS),
    ],
};

/// `container.UpdateConfig` (20.10): `POST /containers/{id}/update`.
pub static UPDATE_20_10: Struct = Struct {
    go: "container.UpdateConfig",
    fields: &[
        embed("Resources", Kind::Struct(&RESOURCES_20_10)),
        f("RestartPolicy", Kind::Struct(&RESTART_POLICY_20_10)),
    ],
};

// ---------------------------------------------------------------------------------------------
// moby master
// ---------------------------------------------------------------------------------------------

const ADDR: Kind = Kind::Text("netip.Addr", false);
const ADDRS: Kind = Kind::Slice("[]netip.Addr", &ADDR);

/// `container.HealthConfig = dockerspec.HealthcheckConfig` (master).
pub static HEALTH_CONFIG_MASTER: Struct = Struct {
    go: "v1.HealthcheckConfig",
    fields: &[
        f("Test", STRINGS),
        f("Interval", DURATION),
        f("Timeout", DURATION),
        f("StartPeriod", DURATION),
        f("StartInterval", DURATION),
        f("Retries", INT),
    ],
};

/// `container.Config` (master).
pub static CONFIG_MASTER: Struct = Struct {
    go: "container.Config",
    fields: &[
        f("Hostname", STRING),
        f("Domainname", STRING),
        f("User", STRING),
        f("AttachStdin", BOOL),
        f("AttachStdout", BOOL),
        f("AttachStderr", BOOL),
        f(
            "ExposedPorts",
            Kind::Map("map[network.Port]struct {}", MapKey::Port, &Kind::Empty),
        ),
        f("Tty", BOOL),
        f("OpenStdin", BOOL),
        f("StdinOnce", BOOL),
        f("Env", STRINGS),
        f("Cmd", STRINGS),
        f(
            "Healthcheck",
            Kind::Ptr(&Kind::Struct(&HEALTH_CONFIG_MASTER)),
        ),
        f("ArgsEscaped", BOOL),
        f("Image", STRING),
        f(
            "Volumes",
            Kind::Map("map[string]struct {}", MapKey::Exact, &Kind::Empty),
        ),
        f("WorkingDir", STRING),
        f("Entrypoint", STRINGS),
        f("NetworkDisabled", BOOL),
        f("OnBuild", STRINGS),
        f("Labels", STRING_MAP),
        f("StopSignal", STRING),
        f("StopTimeout", Kind::Ptr(&INT)),
        f("Shell", STRINGS),
    ],
};

/// `container.Resources` (master: no `KernelMemory`, `KernelMemoryTCP`).
pub static RESOURCES_MASTER: Struct = Struct {
    go: "container.Resources",
    fields: &[
        f("CpuShares", INT64),
        f("Memory", INT64),
        f("NanoCpus", INT64),
        f("CgroupParent", STRING),
        f("BlkioWeight", Kind::Uint("uint16", 16)),
        f("BlkioWeightDevice", WEIGHT_DEVICES),
        f("BlkioDeviceReadBps", THROTTLE_DEVICES),
        f("BlkioDeviceWriteBps", THROTTLE_DEVICES),
        f("BlkioDeviceReadIOps", THROTTLE_DEVICES),
        f("BlkioDeviceWriteIOps", THROTTLE_DEVICES),
        f("CpuPeriod", INT64),
        f("CpuQuota", INT64),
        f("CpuRealtimePeriod", INT64),
        f("CpuRealtimeRuntime", INT64),
        f("CpusetCpus", STRING),
        f("CpusetMems", STRING),
        f(
            "Devices",
            Kind::Slice("[]container.DeviceMapping", &Kind::Struct(&DEVICE_MAPPING)),
        ),
        f("DeviceCgroupRules", STRINGS),
        f(
            "DeviceRequests",
            Kind::Slice("[]container.DeviceRequest", &Kind::Struct(&DEVICE_REQUEST)),
        ),
        f("MemoryReservation", INT64),
        f("MemorySwap", INT64),
        f("MemorySwappiness", Kind::Ptr(&INT64)),
        f("OomKillDisable", Kind::Ptr(&BOOL)),
        f("PidsLimit", Kind::Ptr(&INT64)),
        f(
            "Ulimits",
            Kind::Slice("[]*units.Ulimit", &Kind::Ptr(&Kind::Struct(&ULIMIT))),
        ),
        f("CpuCount", INT64),
        f("CpuPercent", INT64),
        f("IOMaximumIOps", UINT64),
        f("IOMaximumBandwidth", UINT64),
    ],
};

/// `network.PortBinding` (master).
pub static PORT_BINDING_MASTER: Struct = Struct {
    go: "network.PortBinding",
    fields: &[f("HostIp", ADDR), f("HostPort", STRING)],
};

/// `mount.BindOptions` (master).
pub static BIND_OPTIONS_MASTER: Struct = Struct {
    go: "mount.BindOptions",
    fields: &[
        f("Propagation", Kind::Str("mount.Propagation")),
        f("NonRecursive", BOOL),
        f("CreateMountpoint", BOOL),
        f("ReadOnlyNonRecursive", BOOL),
        f("ReadOnlyForceRecursive", BOOL),
    ],
};

/// `mount.VolumeOptions` (master).
pub static VOLUME_OPTIONS_MASTER: Struct = Struct {
    go: "mount.VolumeOptions",
    fields: &[
        f("NoCopy", BOOL),
        f("Labels", STRING_MAP),
        f("Subpath", STRING),
        f("DriverConfig", Kind::Ptr(&Kind::Struct(&MOUNT_DRIVER))),
    ],
};

/// `mount.ImageOptions` (master).
pub static IMAGE_OPTIONS_MASTER: Struct = Struct {
    go: "mount.ImageOptions",
    fields: &[f("Subpath", STRING)],
};

/// `mount.TmpfsOptions` (master).
pub static TMPFS_OPTIONS_MASTER: Struct = Struct {
    go: "mount.TmpfsOptions",
    fields: &[
        f("SizeBytes", INT64),
        f("Mode", Kind::Uint("fs.FileMode", 32)),
        f("Options", Kind::Slice("[][]string", &STRINGS)),
    ],
};

/// `mount.ClusterOptions` (master; no fields).
pub static CLUSTER_OPTIONS_MASTER: Struct = Struct {
    go: "mount.ClusterOptions",
    fields: &[],
};

/// `mount.Mount` (master).
pub static MOUNT_MASTER: Struct = Struct {
    go: "mount.Mount",
    fields: &[
        f("Type", Kind::Str("mount.Type")),
        f("Source", STRING),
        f("Target", STRING),
        f("ReadOnly", BOOL),
        f("Consistency", Kind::Str("mount.Consistency")),
        f(
            "BindOptions",
            Kind::Ptr(&Kind::Struct(&BIND_OPTIONS_MASTER)),
        ),
        f(
            "VolumeOptions",
            Kind::Ptr(&Kind::Struct(&VOLUME_OPTIONS_MASTER)),
        ),
        f(
            "ImageOptions",
            Kind::Ptr(&Kind::Struct(&IMAGE_OPTIONS_MASTER)),
        ),
        f(
            "TmpfsOptions",
            Kind::Ptr(&Kind::Struct(&TMPFS_OPTIONS_MASTER)),
        ),
        f(
            "ClusterOptions",
            Kind::Ptr(&Kind::Struct(&CLUSTER_OPTIONS_MASTER)),
        ),
    ],
};

/// `container.HostConfig` (master).
pub static HOST_CONFIG_MASTER: Struct = Struct {
    go: "container.HostConfig",
    fields: &[
        f("Binds", STRINGS),
        f("ContainerIDFile", STRING),
        f("LogConfig", Kind::Struct(&LOG_CONFIG)),
        f("NetworkMode", Kind::Str("container.NetworkMode")),
        f(
            "PortBindings",
            Kind::Map(
                "map[network.Port][]network.PortBinding",
                MapKey::Port,
                &Kind::Slice("[]network.PortBinding", &Kind::Struct(&PORT_BINDING_MASTER)),
            ),
        ),
        f("RestartPolicy", Kind::Struct(&RESTART_POLICY_MASTER)),
        f("AutoRemove", BOOL),
        f("VolumeDriver", STRING),
        f("VolumesFrom", STRINGS),
        f(
            "ConsoleSize",
            Kind::Array("[2]uint", 2, &Kind::Uint("uint", 64)),
        ),
        f("Annotations", STRING_MAP),
        f("CapAdd", STRINGS),
        f("CapDrop", STRINGS),
        f("CgroupnsMode", Kind::Str("container.CgroupnsMode")),
        f("Dns", ADDRS),
        f("DnsOptions", STRINGS),
        f("DnsSearch", STRINGS),
        f("ExtraHosts", STRINGS),
        f("GroupAdd", STRINGS),
        f("IpcMode", Kind::Str("container.IpcMode")),
        f("Cgroup", Kind::Str("container.CgroupSpec")),
        f("Links", STRINGS),
        f("OomScoreAdj", INT),
        f("PidMode", Kind::Str("container.PidMode")),
        f("Privileged", BOOL),
        f("PublishAllPorts", BOOL),
        f("ReadonlyRootfs", BOOL),
        f("SecurityOpt", STRINGS),
        f("StorageOpt", STRING_MAP),
        f("Tmpfs", STRING_MAP),
        f("UTSMode", Kind::Str("container.UTSMode")),
        f("UsernsMode", Kind::Str("container.UsernsMode")),
        f("ShmSize", INT64),
        f("Sysctls", STRING_MAP),
        f("Runtime", STRING),
        f("Isolation", Kind::Str("container.Isolation")),
        embed("Resources", Kind::Struct(&RESOURCES_MASTER)),
        f(
            "Mounts",
            Kind::Slice("[]mount.Mount", &Kind::Struct(&MOUNT_MASTER)),
        ),
        f("MaskedPaths", STRINGS),
        f("ReadonlyPaths", STRINGS),
        f("Init", Kind::Ptr(&BOOL)),
    ],
};

/// `network.EndpointIPAMConfig` (master).
pub static ENDPOINT_IPAM_CONFIG_MASTER: Struct = Struct {
    go: "network.EndpointIPAMConfig",
    fields: &[
        f("IPv4Address", ADDR),
        f("IPv6Address", ADDR),
        f("LinkLocalIPs", ADDRS),
    ],
};

/// `network.EndpointSettings` (master).
pub static ENDPOINT_SETTINGS_MASTER: Struct = Struct {
    go: "network.EndpointSettings",
    fields: &[
        f(
            "IPAMConfig",
            Kind::Ptr(&Kind::Struct(&ENDPOINT_IPAM_CONFIG_MASTER)),
        ),
        f("Links", STRINGS),
        f("Aliases", STRINGS),
        f("DriverOpts", STRING_MAP),
        f("GwPriority", INT),
        f("NetworkID", STRING),
        f("EndpointID", STRING),
        f("Gateway", ADDR),
        f("IPAddress", ADDR),
        f("MacAddress", Kind::Text("network.HardwareAddr", true)),
        f("IPPrefixLen", INT),
        f("IPv6Gateway", ADDR),
        f("GlobalIPv6Address", ADDR),
        f("GlobalIPv6PrefixLen", INT),
        f("DNSNames", STRINGS),
    ],
};

/// `network.NetworkingConfig` (master).
pub static NETWORKING_CONFIG_MASTER: Struct = Struct {
    go: "network.NetworkingConfig",
    fields: &[f(
        "EndpointsConfig",
        Kind::Map(
            "map[string]*network.EndpointSettings",
            MapKey::Exact,
            &Kind::Ptr(&Kind::Struct(&ENDPOINT_SETTINGS_MASTER)),
        ),
    )],
};

/// `container.CreateRequest` (master): no top-level HostConfig fields any more.
pub static CREATE_MASTER: Struct = Struct {
    go: "container.CreateRequest",
    fields: &[
        embed("Config", Kind::Ptr(&Kind::Struct(&CONFIG_MASTER))),
        f("HostConfig", Kind::Ptr(&Kind::Struct(&HOST_CONFIG_MASTER))),
        f(
            "NetworkingConfig",
            Kind::Ptr(&Kind::Struct(&NETWORKING_CONFIG_MASTER)),
        ),
    ],
};

/// `container.ExecCreateRequest` (master).
pub static EXEC_MASTER: Struct = Struct {
    go: "container.ExecCreateRequest",
    fields: &[
        f("User", STRING),
        f("Privileged", BOOL),
        f("Tty", BOOL),
        f(
            "ConsoleSize",
            Kind::Ptr(&Kind::Array("[2]uint", 2, &Kind::Uint("uint", 64))),
        ),
        f("AttachStdin", BOOL),
        f("AttachStderr", BOOL),
        f("AttachStdout", BOOL),
        f("DetachKeys", STRING),
        f("Env", STRINGS),
        f("WorkingDir", STRING),
        f("Cmd", STRINGS),
    ],
};

/// `container.UpdateConfig` (master).
pub static UPDATE_MASTER: Struct = Struct {
    go: "container.UpdateConfig",
    fields: &[
        embed("Resources", Kind::Struct(&RESOURCES_MASTER)),
        f("RestartPolicy", Kind::Struct(&RESTART_POLICY_MASTER)),
    ],
};

/// A field as `encoding/json` sees it after promoting embedded structs (Go's `typeFields`).
#[derive(Debug, Clone)]
pub struct Flat {
    pub name: &'static str,
    /// Field indices from the outer struct down through embedded structs.
    pub index: Vec<usize>,
    pub kind: &'static Kind,
}

/// The visible fields of `s`, in index order: embedded structs (and pointers to structs) are
/// expanded breadth-first; of several fields with one name the shallowest wins, and a tie at
/// the same depth hides them all (no struct here has one).
pub fn flatten(s: &'static Struct) -> Vec<Flat> {
    let mut out: Vec<(Flat, usize)> = Vec::new();
    let mut level: Vec<(&'static Struct, Vec<usize>)> = vec![(s, Vec::new())];
    let mut depth = 0;
    while !level.is_empty() {
        let mut next = Vec::new();
        for (st, prefix) in level {
            for (i, field) in st.fields.iter().enumerate() {
                let mut index = prefix.clone();
                index.push(i);
                if field.embedded {
                    let inner = match &field.kind {
                        Kind::Struct(inner) => Some(*inner),
                        Kind::Ptr(Kind::Struct(inner)) => Some(*inner),
                        _ => None,
                    };
                    if let Some(inner) = inner {
                        next.push((inner, index));
                        continue;
                    }
                }
                out.push((
                    Flat {
                        name: field.name,
                        index,
                        kind: &field.kind,
                    },
                    depth,
                ));
            }
        }
        level = next;
        depth += 1;
    }
    let mut visible: Vec<Flat> = Vec::new();
    for (flat, d) in &out {
        let min = out
            .iter()
            .filter(|(o, _)| o.name == flat.name)
            .map(|(_, od)| *od)
            .min()
            .unwrap_or(*d);
        let at_min = out
            .iter()
            .filter(|(o, od)| o.name == flat.name && *od == min)
            .count();
        if *d == min && at_min == 1 {
            visible.push(flat.clone());
        }
    }
    visible.sort_by(|a, b| a.index.cmp(&b.index));
    visible
}
