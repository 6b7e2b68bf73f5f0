//! The second half of docker/cli's `parse()`: `container.Resources` and `container.HostConfig`
//! from the checked values, then the checks docker makes on the HostConfig (`--restart` with
//! `--rm`).

use super::network::network_target;
use super::validate::Checked;
use super::{bytes, err, int, some_vec};
use crate::frontend::argv::values;
use crate::frontend::argv::{ArgvError, Environment, Parsed};
use crate::parse::gocompat::{self, path_abs};
use crate::parse::units;
use bollard::models::{
    DeviceRequest, HostConfig, HostConfigIsolationEnum, HostConfigLogConfig, Mount,
    MountBindOptions, MountBindOptionsPropagationEnum, MountImageOptions, MountTmpfsOptions,
    MountType, MountVolumeOptions, MountVolumeOptionsDriverConfig, ResourcesBlkioWeightDevice,
    ResourcesUlimits, RestartPolicy, RestartPolicyNameEnum, ThrottleDevice,
};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The HostConfig; values bollard's enums cannot hold go to `raw` (JSON pointer → value).
pub(super) fn host_config(
    p: &Parsed,
    env: &dyn Environment,
    c: &mut Checked,
    raw: &mut Vec<(String, Value)>,
) -> Result<HostConfig, ArgvError> {
    // Device requests: GPUs, then the CDI devices as one request.
    let mut device_requests: Vec<DeviceRequest> = Vec::new();
    for g in p.list("gpus") {
        let r = values::parse_gpus(&g).map_err(err)?;
        device_requests.push(DeviceRequest {
            driver: Some(r.driver),
            count: Some(r.count),
            device_ids: r.device_ids,
            capabilities: Some(r.capabilities),
            options: Some(r.options.into_iter().collect()),
        });
    }
    if !c.cdi.is_empty() {
        device_requests.push(DeviceRequest {
            driver: Some("cdi".into()),
            count: Some(0),
            device_ids: Some(std::mem::take(&mut c.cdi)),
            ..Default::default()
        });
    }

    let mut ulimits: BTreeMap<String, values::Ulimit> = BTreeMap::new();
    for u in p.list("ulimit") {
        let u = values::parse_ulimit(&u).map_err(err)?;
        ulimits.insert(u.name.clone(), u);
    }

    let weight_devices: Vec<ResourcesBlkioWeightDevice> = p
        .list("blkio-weight-device")
        .iter()
        .filter_map(|v| values::validate_weight_device(v).ok())
        .map(|(path, w)| ResourcesBlkioWeightDevice {
            path: Some(path),
            weight: Some(usize::from(w)),
        })
        .collect();
    let throttle = |long: &str, bps: bool| -> Vec<ThrottleDevice> {
        p.list(long)
            .iter()
            .filter_map(|v| {
                if bps {
                    values::validate_throttle_bps(v).ok()
                } else {
                    values::validate_throttle_iops(v).ok()
                }
            })
            .map(|(path, rate)| ThrottleDevice {
                path: Some(path),
                rate: Some(rate),
            })
            .collect()
    };

    let key_values = |long: &str| -> HashMap<String, String> {
        p.list(long)
            .iter()
            .map(|s| {
                let (k, v, _) = values::cut(s, '=');
                (k.to_string(), v.to_string())
            })
            .collect()
    };
    let sysctls = key_values("sysctl");
    let annotations = key_values("annotation");

    let cwd = env.cwd();
    let mut mounts: Vec<Mount> = Vec::new();
    for (i, v) in p.list("mount").iter().enumerate() {
        let m = values::parse_mount(v).map_err(err)?;
        mounts.push(mount_to_bollard(m, &cwd, i, raw));
    }

    let nano_cpus = p
        .last("cpus")
        .and_then(|o| units::parse_cpus(o.value_str()).ok())
        .unwrap_or(0);
    let memory_swap = p
        .last("memory-swap")
        .and_then(|o| units::mem_swap_bytes(o.value_str()).ok())
        .unwrap_or(0);
    let auto_remove = p.boolean("rm", false);

    let restart_policy = RestartPolicy {
        name: match c.restart_name.as_str() {
            "" => Some(RestartPolicyNameEnum::EMPTY),
            "no" => Some(RestartPolicyNameEnum::NO),
            "always" => Some(RestartPolicyNameEnum::ALWAYS),
            "unless-stopped" => Some(RestartPolicyNameEnum::UNLESS_STOPPED),
            "on-failure" => Some(RestartPolicyNameEnum::ON_FAILURE),
            other => {
                raw.push((
                    "/HostConfig/RestartPolicy/Name".into(),
                    Value::String(other.to_string()),
                ));
                None
            }
        },
        maximum_retry_count: Some(c.restart_count),
    };
    let isolation = match p.string("isolation", "").as_str() {
        "" => Some(HostConfigIsolationEnum::EMPTY),
        "default" => Some(HostConfigIsolationEnum::DEFAULT),
        "process" => Some(HostConfigIsolationEnum::PROCESS),
        "hyperv" => Some(HostConfigIsolationEnum::HYPERV),
        other => {
            raw.push(("/HostConfig/Isolation".into(), Value::String(other.into())));
            None
        }
    };

    if auto_remove && !(c.restart_name == "no" || c.restart_name.is_empty()) {
        return Err(err(
            "conflicting options: cannot specify both --restart and --rm",
        ));
    }
    let init = p.changed("init").then(|| p.boolean("init", false));

    let network_mode = p
        .all("network")
        .next()
        .map(|o| network_target(o.value_str()))
        .unwrap_or_else(|| "default".to_string());

    let mut cap_add = normalize_caps(&p.list("cap-add"));
    let mut cap_drop = normalize_caps(&p.list("cap-drop"));
    if cap_add.as_ref().is_some_and(Vec::is_empty) {
        cap_add = None;
    }
    if cap_drop.as_ref().is_some_and(Vec::is_empty) {
        cap_drop = None;
    }
    let take = std::mem::take::<HashMap<String, String>>;

    Ok(HostConfig {
        binds: some_vec(std::mem::take(&mut c.binds)),
        container_id_file: Some(p.string("cidfile", "")),
        log_config: Some(HostConfigLogConfig {
            typ: Some(c.log_driver.clone()),
            config: Some(take(&mut c.log_config)),
        }),
        network_mode: Some(network_mode),
        port_bindings: Some(
            std::mem::take(&mut c.bindings)
                .into_iter()
                .map(|(k, v)| (k, Some(v)))
                .collect(),
        ),
        restart_policy: Some(restart_policy),
        auto_remove: Some(auto_remove),
        volume_driver: Some(p.string("volume-driver", "")),
        volumes_from: some_vec(p.list("volumes-from")),
        console_size: Some(vec![0, 0]),
        annotations: (!annotations.is_empty()).then_some(annotations),
        cap_add,
        cap_drop,
        cgroupns_mode: Some(c.cgroupns),
        dns: Some(
            p.list("dns")
                .iter()
                .filter_map(|d| values::validate_ip_address(d).ok())
                .collect(),
        ),
        dns_options: Some(p.list("dns-option")),
        dns_search: Some(
            p.list("dns-search")
                .iter()
                .filter_map(|d| values::validate_dns_search(d).ok())
                .collect(),
        ),
        extra_hosts: some_vec(
            p.list("add-host")
                .iter()
                .filter_map(|h| values::validate_extra_host(h).ok())
                .collect(),
        ),
        group_add: some_vec(p.list("group-add")),
        ipc_mode: Some(p.string("ipc", "")),
        cgroup: Some(String::new()),
        links: some_vec(p.list("link")),
        oom_score_adj: Some(int(p, "oom-score-adj", 0)),
        pid_mode: Some(std::mem::take(&mut c.pid)),
        privileged: Some(p.boolean("privileged", false)),
        publish_all_ports: Some(p.boolean("publish-all", false)),
        readonly_rootfs: Some(p.boolean("read-only", false)),
        security_opt: some_vec(std::mem::take(&mut c.security_opts)),
        storage_opt: (!c.storage_opts.is_empty()).then(|| take(&mut c.storage_opts)),
        tmpfs: (!c.tmpfs.is_empty()).then(|| take(&mut c.tmpfs)),
        uts_mode: Some(std::mem::take(&mut c.uts)),
        userns_mode: Some(std::mem::take(&mut c.userns)),
        shm_size: Some(bytes(p, "shm-size")),
        sysctls: (!sysctls.is_empty()).then_some(sysctls),
        runtime: Some(p.string("runtime", "")).filter(|r| !r.is_empty()),
        isolation,
        masked_paths: c.masked_paths.take(),
        readonly_paths: c.readonly_paths.take(),
        cpu_shares: Some(int(p, "cpu-shares", 0)),
        memory: Some(bytes(p, "memory")),
        cgroup_parent: Some(p.string("cgroup-parent", "")),
        blkio_weight: Some(
            p.last("blkio-weight")
                .and_then(|o| gocompat::parse_uint(o.value_str(), 0, 16).ok())
                .unwrap_or(0) as u16,
        ),
        blkio_weight_device: Some(weight_devices),
        blkio_device_read_bps: Some(throttle("device-read-bps", true)),
        blkio_device_write_bps: Some(throttle("device-write-bps", true)),
        blkio_device_read_iops: Some(throttle("device-read-iops", false)),
        blkio_device_write_iops: Some(throttle("device-write-iops", false)),
        cpu_period: Some(int(p, "cpu-period", 0)),
        cpu_quota: Some(int(p, "cpu-quota", 0)),
        cpu_realtime_period: Some(int(p, "cpu-rt-period", 0)),
        cpu_realtime_runtime: Some(int(p, "cpu-rt-runtime", 0)),
        cpuset_cpus: Some(p.string("cpuset-cpus", "")),
        cpuset_mems: Some(p.string("cpuset-mems", "")),
        devices: Some(std::mem::take(&mut c.devices)),
        device_cgroup_rules: some_vec(p.list("device-cgroup-rule")),
        device_requests: (!device_requests.is_empty()).then_some(device_requests),
        memory_reservation: Some(bytes(p, "memory-reservation")),
        memory_swap: Some(memory_swap),
        memory_swappiness: Some(c.swappiness),
        nano_cpus: Some(nano_cpus),
        oom_kill_disable: Some(p.boolean("oom-kill-disable", false)),
        init,
        pids_limit: Some(int(p, "pids-limit", 0)),
        ulimits: Some(
            ulimits
                .into_values()
                .map(|u| ResourcesUlimits {
                    name: Some(u.name),
                    soft: Some(u.soft),
                    hard: Some(u.hard),
                })
                .collect(),
        ),
        cpu_count: Some(int(p, "cpu-count", 0)),
        cpu_percent: Some(int(p, "cpu-percent", 0)),
        io_maximum_iops: Some(
            p.last("io-maxiops")
                .and_then(|o| gocompat::parse_uint(o.value_str(), 0, 64).ok())
                .unwrap_or(0) as i64,
        ),
        io_maximum_bandwidth: Some(bytes(p, "io-maxbandwidth")),
        mounts: (!mounts.is_empty()).then_some(mounts),
    })
}

/// The client library's `normalizeCapabilities`: upper case, `CAP_` prefix, unique, sorted.
fn normalize_caps(caps: &[String]) -> Option<Vec<String>> {
    if caps.is_empty() {
        return None;
    }
    let mut out: Vec<String> = Vec::new();
    for c in caps {
        let mut c = c.to_uppercase();
        if c != "ALL" && !c.starts_with("CAP_") {
            c = format!("CAP_{c}");
        }
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out.sort();
    Some(out)
}

/// A parsed `--mount` as bollard's `Mount`; values bollard's enums cannot hold go to `raw`.
fn mount_to_bollard(
    m: values::MountSpec,
    cwd: &Path,
    index: usize,
    raw: &mut Vec<(String, Value)>,
) -> Mount {
    let typ = match m.typ.as_str() {
        "bind" => Some(MountType::BIND),
        "volume" => Some(MountType::VOLUME),
        "tmpfs" => Some(MountType::TMPFS),
        "npipe" => Some(MountType::NPIPE),
        "cluster" => Some(MountType::CLUSTER),
        "image" => Some(MountType::IMAGE),
        other => {
            raw.push((
                format!("/HostConfig/Mounts/{index}/Type"),
                Value::String(other.into()),
            ));
            None
        }
    };
    let source = if m.source_relative {
        path_abs(&m.source, cwd)
    } else {
        m.source.clone()
    };
    let bind_options = m.bind.map(|b| {
        let propagation = match b.propagation.as_str() {
            "" => None,
            "private" => Some(MountBindOptionsPropagationEnum::PRIVATE),
            "rprivate" => Some(MountBindOptionsPropagationEnum::RPRIVATE),
            "shared" => Some(MountBindOptionsPropagationEnum::SHARED),
            "rshared" => Some(MountBindOptionsPropagationEnum::RSHARED),
            "slave" => Some(MountBindOptionsPropagationEnum::SLAVE),
            "rslave" => Some(MountBindOptionsPropagationEnum::RSLAVE),
            other => {
                raw.push((
                    format!("/HostConfig/Mounts/{index}/BindOptions/Propagation"),
                    Value::String(other.into()),
                ));
                None
            }
        };
        MountBindOptions {
            propagation,
            non_recursive: b.non_recursive.then_some(true),
            read_only_non_recursive: b.read_only_non_recursive.then_some(true),
            read_only_force_recursive: b.read_only_force_recursive.then_some(true),
            ..Default::default()
        }
    });
    let volume_options = m.volume.map(|v| MountVolumeOptions {
        no_copy: v.no_copy.then_some(true),
        labels: Some(v.labels.into_iter().collect()),
        driver_config: Some(MountVolumeOptionsDriverConfig {
            name: Some(v.driver_name).filter(|n| !n.is_empty()),
            options: v.driver_options.map(|o| o.into_iter().collect()),
        }),
        subpath: Some(v.subpath).filter(|s| !s.is_empty()),
    });
    Mount {
        target: Some(m.target),
        source: Some(source).filter(|s| !s.is_empty()),
        typ,
        read_only: m.read_only.then_some(true),
        consistency: Some(m.consistency).filter(|c| !c.is_empty()),
        bind_options,
        volume_options,
        image_options: m.image_subpath.map(|s| MountImageOptions {
            subpath: Some(s).filter(|s| !s.is_empty()),
        }),
        tmpfs_options: m.tmpfs.map(|t| MountTmpfsOptions {
            size_bytes: (t.size_bytes != 0).then_some(t.size_bytes),
            mode: (t.mode != 0).then_some(i64::from(t.mode)),
            options: None,
        }),
    }
}
