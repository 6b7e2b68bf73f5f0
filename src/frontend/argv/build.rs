//! Occurrences → the create body, in the order `docker run` validates things (`runRun`,
//! `parse`, `runContainer`, `createContainer`, `client.ContainerCreate`), so that the first error
//! reported is docker's.

use super::flags::{FLAGS, FlagGroup};
use super::grammar::{Occurrence, Parsed};
use super::values::{self, CdiName, NetworkAttachment, cut};
use super::{ArgvError, ClientOptions, Environment, HardenOptions, PullPolicy, RunRequest};
use crate::parse::gocompat::{self, os_error_text, path_abs, valid_mac};
use crate::parse::{mounts, ports, units};
use crate::spec::reference;
use bollard::models::{
    ContainerCreateBody, DeviceMapping, DeviceRequest, EndpointIpamConfig, EndpointSettings,
    HealthConfig, HostConfig, HostConfigCgroupnsModeEnum, HostConfigIsolationEnum,
    HostConfigLogConfig, Mount, MountBindOptions, MountBindOptionsPropagationEnum,
    MountImageOptions, MountTmpfsOptions, MountType, MountVolumeOptions,
    MountVolumeOptionsDriverConfig, NetworkingConfig, PortBinding, ResourcesBlkioWeightDevice,
    ResourcesUlimits, RestartPolicy, RestartPolicyNameEnum, ThrottleDevice,
};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// `docker`'s `versions.LessThan`.
pub(crate) fn version_less(a: &str, b: &str) -> bool {
    let pa: Vec<u64> = a.split('.').map(|x| x.parse().unwrap_or(0)).collect();
    let pb: Vec<u64> = b.split('.').map(|x| x.parse().unwrap_or(0)).collect();
    for i in 0..pa.len().max(pb.len()) {
        let x = pa.get(i).copied().unwrap_or(0);
        let y = pb.get(i).copied().unwrap_or(0);
        if x != y {
            return x < y;
        }
    }
    false
}

/// `areFlagsSupported`: flags needing a newer API, Windows-only flags (the daemon is taken to
/// be Linux). Exit 1, one line per flag, sorted by flag name.
pub(crate) fn check_supported(occ: &[Occurrence], api: Option<&str>) -> Result<(), ArgvError> {
    let mut errs = Vec::new();
    for f in FLAGS.iter().filter(|f| f.group == FlagGroup::Docker) {
        if !occ.iter().any(|o| std::ptr::eq(o.flag, f)) {
            continue;
        }
        if let (Some(min), Some(api)) = (f.min_api, api)
            && version_less(api, min)
        {
            errs.push(format!(
                "\"--{}\" requires API version {min}, but the Docker daemon API version is {api}",
                f.long
            ));
            continue;
        }
        if let Some(os) = f.os_only {
            errs.push(format!(
                "\"--{}\" is only supported on a Docker daemon running on {os}, but the Docker daemon is running on linux",
                f.long
            ));
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(ArgvError {
            message: errs.join("\n"),
            exit_code: 1,
            show_usage: false,
        })
    }
}

fn err(msg: impl Into<String>) -> ArgvError {
    ArgvError::validation(msg)
}

fn int(p: &Parsed, long: &str, default: i64) -> i64 {
    p.last(long)
        .and_then(|o| gocompat::parse_int(o.value_str(), 0, 64).ok())
        .unwrap_or(default)
}

fn bytes(p: &Parsed, long: &str) -> i64 {
    p.last(long)
        .and_then(|o| units::ram_in_bytes(o.value_str()).ok())
        .unwrap_or(0)
}

fn duration(p: &Parsed, long: &str) -> i64 {
    p.last(long)
        .and_then(|o| gocompat::parse_duration(o.value_str()).ok())
        .unwrap_or(0)
}

fn some_vec(v: Vec<String>) -> Option<Vec<String>> {
    if v.is_empty() { None } else { Some(v) }
}

/// Reads a file the way `os.Open` + read would, with Go's error texts.
fn read_file(env: &dyn Environment, name: &str) -> Result<Vec<u8>, (bool, String)> {
    let path = Path::new(name);
    let full = if path.is_absolute() {
        path.to_path_buf()
    } else {
        env.cwd().join(path)
    };
    env.read_file(&full).map_err(|e| {
        let text = os_error_text(&e);
        let is_dir = text == "is a directory";
        let op = if is_dir { "read" } else { "open" };
        (is_dir, format!("{op} {name}: {text}"))
    })
}

/// kvfile `Parse` of an env or label file.
fn read_kv_file(env: &dyn Environment, name: &str, lookup: bool) -> Result<Vec<String>, ArgvError> {
    let data = match read_file(env, name) {
        Ok(d) => d,
        Err((true, text)) => return Err(err(format!("invalid env file ({name}): {text}"))),
        Err((false, text)) => return Err(err(text)),
    };
    let lookup_fn = |k: &str| env.var(k);
    let res = if lookup {
        values::parse_kv_file(&data, Some(&lookup_fn))
    } else {
        values::parse_kv_file(&data, None)
    };
    res.map_err(|e| err(format!("invalid env file ({name}): {e}")))
}

/// Builds the create body and the client-side options from parsed occurrences.
pub fn build_request(
    parsed: &Parsed,
    env: &dyn Environment,
    api_version: Option<&str>,
) -> Result<RunRequest, ArgvError> {
    check_supported(&parsed.occurrences, api_version)?;
    let p = parsed;
    let mut raw: Vec<(String, Value)> = Vec::new();

    // runRun: --pull first.
    let pull = p.string("pull", "missing");
    values::validate_pull(&pull).map_err(err)?;

    // Proxy config and the -e host lookup (ValidateEnv + ParseProxyConfig).
    let mut env_map: Vec<(String, Option<String>)> = Vec::new();
    for v in p.list("env") {
        let (k, val, has) = cut(&v, '=');
        let (k, val) = if has {
            (k.to_string(), Some(val.to_string()))
        } else {
            match env.var(k) {
                Some(hv) => (k.to_string(), Some(hv)),
                None => (k.to_string(), None),
            }
        };
        match env_map.iter_mut().find(|(key, _)| *key == k) {
            Some(e) => e.1 = val,
            None => env_map.push((k, val)),
        }
    }
    let config_json = env.docker_config_json();
    apply_proxies(&mut env_map, config_json.as_ref(), &env.daemon_host());
    let new_env: Vec<String> = env_map
        .iter()
        .map(|(k, v)| match v {
            Some(v) => format!("{k}={v}"),
            None => k.clone(),
        })
        .collect();

    // parse(): MAC address.
    let mac = p.string("mac-address", "");
    if !mac.is_empty() && !valid_mac(mac.trim()) {
        return Err(err(format!("{mac} is not a valid mac address")));
    }
    let attach: Vec<String> = p
        .list("attach")
        .iter()
        .filter_map(|a| values::validate_attach(a).ok())
        .collect();
    let stdin = p.boolean("interactive", false);
    let mut attach_stdin = attach.iter().any(|a| a == "stdin") || stdin;
    let mut attach_stdout = attach.iter().any(|a| a == "stdout");
    let mut attach_stderr = attach.iter().any(|a| a == "stderr");
    if attach.is_empty() {
        attach_stdout = true;
        attach_stderr = true;
    }

    let swappiness = int(p, "memory-swappiness", -1);
    if swappiness != -1 && !(0..=100).contains(&swappiness) {
        return Err(err(format!(
            "invalid value: {swappiness}. Valid memory swappiness range is 0-100"
        )));
    }

    // Volumes: Binds for anything with a source, Config.Volumes for the rest (deduplicated).
    let cwd = env.cwd();
    let mut binds: Vec<String> = Vec::new();
    let mut volumes: Vec<String> = Vec::new();
    let mut seen_vol = std::collections::HashSet::new();
    for spec in p.list("volume") {
        if !seen_vol.insert(spec.clone()) {
            continue;
        }
        let parsed_vol = mounts::parse_volume(&spec).map_err(err)?;
        if parsed_vol.source.is_empty() {
            volumes.push(spec);
            continue;
        }
        let mut to_bind = spec.clone();
        if parsed_vol.typ == "bind"
            && let Some((host, target)) = spec.split_once(':')
        {
            let host = if !host.starts_with('/') && host.starts_with('.') {
                path_abs(host, &cwd)
            } else {
                host.to_string()
            };
            to_bind = format!("{host}:{target}");
        }
        binds.push(to_bind);
    }

    let mut tmpfs: HashMap<String, String> = HashMap::new();
    for t in p.list("tmpfs") {
        let (k, v, _) = cut(&t, ':');
        tmpfs.insert(k.to_string(), v.to_string());
    }

    let cmd = if p.command.is_empty() {
        None
    } else {
        Some(p.command.clone())
    };
    let entrypoint = match p.last("entrypoint") {
        Some(o) if !o.value_str().is_empty() => Some(vec![o.value_str().to_string()]),
        Some(_) => Some(vec![String::new()]),
        None => None,
    };

    // Ports.
    let mut converted = Vec::new();
    for v in p.list("publish") {
        converted.push(values::convert_publish(&v).map_err(err)?);
    }
    // In order, without duplicates; looked up through indexes (a range such as `-p 1-65535`
    // publishes tens of thousands of ports).
    let mut exposed: Vec<String> = Vec::new();
    let mut exposed_set: HashSet<String> = HashSet::new();
    let mut bindings: Vec<(String, Vec<PortBinding>)> = Vec::new();
    let mut binding_at: HashMap<String, usize> = HashMap::new();
    for raw_port in &converted {
        for m in ports::parse_port_spec(raw_port).map_err(err)? {
            if exposed_set.insert(m.port.clone()) {
                exposed.push(m.port.clone());
            }
            let b = PortBinding {
                host_ip: Some(m.host_ip),
                host_port: Some(m.host_port),
            };
            match binding_at.get(&m.port) {
                Some(&i) => bindings[i].1.push(b),
                None => {
                    binding_at.insert(m.port.clone(), bindings.len());
                    bindings.push((m.port, vec![b]));
                }
            }
        }
    }
    for e in p.list("expose") {
        for port in values::parse_expose(&e).map_err(err)? {
            if exposed_set.insert(port.clone()) {
                exposed.push(port);
            }
        }
    }

    // Devices (Linux daemon).
    let mut devices: Vec<DeviceMapping> = Vec::new();
    let mut cdi: Vec<String> = Vec::new();
    for d in p.list("device") {
        match values::cdi_qualified(&d) {
            CdiName::Qualified => {
                cdi.push(d);
                continue;
            }
            CdiName::Crash => {
                return Err(ArgvError {
                    message: "panic: runtime error: slice bounds out of range [1:0]".into(),
                    exit_code: 2,
                    show_usage: false,
                });
            }
            CdiName::NotQualified => {}
        }
        let m = values::parse_linux_device(&d).map_err(err)?;
        devices.push(DeviceMapping {
            path_on_host: Some(m.path_on_host),
            path_in_container: Some(m.path_in_container),
            cgroup_permissions: Some(m.cgroup_permissions),
        });
    }

    // Environment: env files first, then the -e map.
    let mut env_vars: Vec<String> = Vec::new();
    for f in p.list("env-file") {
        env_vars.extend(read_kv_file(env, &f, true)?);
    }
    env_vars.extend(new_env);

    // Labels: label files first, then -l (map; later keys win).
    let mut label_list: Vec<String> = Vec::new();
    for f in p.list("label-file") {
        label_list.extend(read_kv_file(env, &f, false)?);
    }
    label_list.extend(p.list("label"));
    let mut labels: HashMap<String, String> = HashMap::new();
    for l in &label_list {
        let (k, v, _) = cut(l, '=');
        labels.insert(k.to_string(), v.to_string());
    }

    let pid = p.string("pid", "");
    if !(pid.is_empty()
        || pid == "host"
        || pid
            .split_once(':')
            .is_some_and(|(k, v)| k == "container" && !v.is_empty()))
    {
        return Err(err("--pid: invalid PID mode"));
    }
    let uts = p.string("uts", "");
    if !(uts.is_empty() || uts == "host") {
        return Err(err("--uts: invalid UTS mode"));
    }
    let userns = p.string("userns", "");
    if !(userns.is_empty() || userns == "host") {
        return Err(err("--userns: invalid USER mode"));
    }
    let cgroupns = p.string("cgroupns", "");
    let cgroupns_mode = match cgroupns.as_str() {
        "" => HostConfigCgroupnsModeEnum::EMPTY,
        "host" => HostConfigCgroupnsModeEnum::HOST,
        "private" => HostConfigCgroupnsModeEnum::PRIVATE,
        _ => return Err(err("--cgroupns: invalid CGROUP mode")),
    };

    let (restart_name, restart_count) =
        values::parse_restart_policy(&p.string("restart", "no")).map_err(err)?;

    let log_driver = p.string("log-driver", "");
    let log_opts = p.list("log-opt");
    if log_driver == "none" && !log_opts.is_empty() {
        return Err(err(format!("invalid logging opts for driver {log_driver}")));
    }
    let mut log_config: HashMap<String, String> = HashMap::new();
    for o in &log_opts {
        let (k, v, _) = cut(o, '=');
        log_config.insert(k.to_string(), v.to_string());
    }

    // Security options (seccomp profiles are read and compacted here).
    let mut security_opts: Vec<String> = Vec::new();
    for opt in p.list("security-opt") {
        let (mut k, mut v, mut ok) = cut(&opt, '=');
        if !ok && k != "no-new-privileges" {
            (k, v, ok) = cut(&opt, ':');
        }
        if (!ok || v.is_empty()) && k != "no-new-privileges" {
            return Err(err(format!(
                "Invalid --security-opt: {}",
                gocompat::quote(&opt)
            )));
        }
        if k == "seccomp" && v != "builtin" && v != "unconfined" {
            let data = read_file(env, v).map_err(|(_, text)| {
                err(format!("opening seccomp profile ({v}) failed: {text}"))
            })?;
            let compact = gocompat::json::json_compact(&data).map_err(|e| {
                err(format!(
                    "compacting json for seccomp profile ({v}) failed: {e}"
                ))
            })?;
            security_opts.push(format!("seccomp={compact}"));
            continue;
        }
        security_opts.push(opt.clone());
    }
    let mut masked_paths = None;
    let mut readonly_paths = None;
    security_opts.retain(|o| {
        if o == "systempaths=unconfined" {
            masked_paths = Some(Vec::new());
            readonly_paths = Some(Vec::new());
            false
        } else {
            true
        }
    });

    let mut storage_opts: HashMap<String, String> = HashMap::new();
    for o in p.list("storage-opt") {
        let (k, v, ok) = cut(&o, '=');
        if !ok {
            return Err(err("invalid storage option"));
        }
        storage_opts.insert(k.to_string(), v.to_string());
    }

    // Health check.
    let health_cmd = p.string("health-cmd", "");
    let h_interval = duration(p, "health-interval");
    let h_timeout = duration(p, "health-timeout");
    let h_start_period = duration(p, "health-start-period");
    let h_start_interval = duration(p, "health-start-interval");
    let h_retries = int(p, "health-retries", 0);
    let have_health = !health_cmd.is_empty()
        || h_interval != 0
        || h_timeout != 0
        || h_start_period != 0
        || h_retries != 0
        || h_start_interval != 0;
    let healthcheck = if p.boolean("no-healthcheck", false) {
        if have_health {
            return Err(err("--no-healthcheck conflicts with --health-* options"));
        }
        Some(HealthConfig {
            test: Some(vec!["NONE".into()]),
            ..Default::default()
        })
    } else if have_health {
        for (v, name) in [
            (h_interval, "--health-interval"),
            (h_timeout, "--health-timeout"),
            (h_retries, "--health-retries"),
            (h_start_period, "--health-start-period"),
            (h_start_interval, "--health-start-interval"),
        ] {
            if v < 0 {
                return Err(err(format!("{name} cannot be negative")));
            }
        }
        Some(HealthConfig {
            test: (!health_cmd.is_empty()).then(|| vec!["CMD-SHELL".into(), health_cmd.clone()]),
            interval: Some(h_interval),
            timeout: Some(h_timeout),
            retries: Some(h_retries),
            start_period: Some(h_start_period),
            start_interval: Some(h_start_interval),
        })
    } else {
        None
    };

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
    if !cdi.is_empty() {
        device_requests.push(DeviceRequest {
            driver: Some("cdi".into()),
            count: Some(0),
            device_ids: Some(cdi),
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

    let mut sysctls: HashMap<String, String> = HashMap::new();
    for s in p.list("sysctl") {
        let (k, v, _) = cut(&s, '=');
        sysctls.insert(k.to_string(), v.to_string());
    }
    let mut annotations: HashMap<String, String> = HashMap::new();
    for s in p.list("annotation") {
        let (k, v, _) = cut(&s, '=');
        annotations.insert(k.to_string(), v.to_string());
    }

    // Mounts.
    let mut mounts: Vec<Mount> = Vec::new();
    for (i, v) in p.list("mount").iter().enumerate() {
        let m = values::parse_mount(v).map_err(err)?;
        mounts.push(mount_to_bollard(m, &cwd, i, &mut raw));
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
        name: match restart_name.as_str() {
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
        maximum_retry_count: Some(restart_count),
    };
    let isolation_str = p.string("isolation", "");
    let isolation = match isolation_str.as_str() {
        "" => Some(HostConfigIsolationEnum::EMPTY),
        "default" => Some(HostConfigIsolationEnum::DEFAULT),
        "process" => Some(HostConfigIsolationEnum::PROCESS),
        "hyperv" => Some(HostConfigIsolationEnum::HYPERV),
        other => {
            raw.push(("/HostConfig/Isolation".into(), Value::String(other.into())));
            None
        }
    };

    if auto_remove && !(restart_name == "no" || restart_name.is_empty()) {
        return Err(err(
            "conflicting options: cannot specify both --restart and --rm",
        ));
    }
    let init = p.changed("init").then(|| p.boolean("init", false));

    let tty = p.boolean("tty", false);
    let stdin_once = stdin && attach_stdin;

    // Networks.
    let network_mode = p
        .all("network")
        .next()
        .map(|o| network_target(o.value_str()))
        .unwrap_or_else(|| "default".to_string());
    let endpoints = parse_network_opts(p)?;
    let main_name = values::network_name(&network_mode);
    let mut config_mac = endpoints
        .iter()
        .find(|(k, _)| *k == main_name)
        .and_then(|(_, e)| e.mac_address.clone())
        .filter(|m| !m.is_empty());

    // runContainer: -d with -a.
    let detach = p.boolean("detach", false);
    if detach {
        if !attach.is_empty() {
            return Err(ArgvError {
                message: "conflicting options: cannot specify both --attach and --detach".into(),
                exit_code: 1,
                show_usage: false,
            });
        }
        attach_stdin = false;
        attach_stdout = false;
        attach_stderr = false;
    }
    let stdin_once = stdin_once && !detach;

    // createContainer: image reference, --use-api-socket, platform.
    reference::parse_image_reference(&p.image).map_err(err)?;
    let use_api_socket = p.boolean("use-api-socket", false);
    if use_api_socket {
        let host = env.daemon_host();
        let Some(socket) = host.strip_prefix("unix://") else {
            return Err(err(format!(
                "flag --use-api-socket can only be used with unix sockets: docker endpoint {host} incompatible"
            )));
        };
        mounts.push(Mount {
            typ: Some(MountType::BIND),
            source: Some(socket.to_string()),
            target: Some("/var/run/docker.sock".into()),
            bind_options: Some(MountBindOptions::default()),
            ..Default::default()
        });
        let has_config = env_vars.iter().any(|e| e.starts_with("DOCKER_CONFIG="));
        if !has_config && has_credentials(env, config_json.as_ref())? {
            env_vars.push("DOCKER_CONFIG=/run/secrets/docker".into());
        }
    }
    let platform_raw = match p.last("platform") {
        Some(o) => o.value_str().to_string(),
        None => env.var("DOCKER_DEFAULT_PLATFORM").unwrap_or_default(),
    };
    let platform = if platform_raw.is_empty() {
        None
    } else if api_version.is_none_or(|v| !version_less(v, "1.41")) {
        Some(
            values::parse_platform(&platform_raw)
                .map_err(|e| err(format!("error parsing specified platform: {e}")))?,
        )
    } else {
        Some(platform_raw.clone())
    };

    // client.ContainerCreate checks.
    if let Some(api) = api_version
        && version_less(api, "1.44")
    {
        for m in &mounts {
            if let Some(b) = &m.bind_options {
                if b.read_only_force_recursive == Some(true) {
                    return Err(err("bind-recursive=readonly requires API v1.44 or later"));
                }
                if b.non_recursive == Some(true) && version_less(api, "1.40") {
                    return Err(err("bind-recursive=disabled requires API v1.40 or later"));
                }
            }
        }
    }

    // API shaping of networks and MAC address.
    let new_api = api_version.is_none_or(|v| !version_less(v, "1.44"));
    let mut endpoints = endpoints;
    let mut extra_networks = Vec::new();
    if new_api {
        config_mac = None;
    } else {
        if endpoints.len() > 1 {
            let first = p
                .all("network")
                .next()
                .map(|o| network_target(o.value_str()))
                .unwrap_or_default();
            let mut kept = Vec::new();
            for (name, ep) in endpoints {
                if name == first {
                    kept.push((name, ep));
                } else {
                    extra_networks.push((name, ep));
                }
            }
            endpoints = kept;
        }
        for (_, ep) in endpoints.iter_mut() {
            ep.mac_address = None;
        }
    }
    let kernel_memory = bytes(p, "kernel-memory");
    let kernel_memory = match api_version {
        Some(v) if !version_less(v, "1.40") && version_less(v, "1.42") && kernel_memory != 0 => {
            Some(kernel_memory)
        }
        _ => None,
    };

    let mut cap_add = normalize_caps(&p.list("cap-add"));
    let mut cap_drop = normalize_caps(&p.list("cap-drop"));
    if cap_add.as_ref().is_some_and(Vec::is_empty) {
        cap_add = None;
    }
    if cap_drop.as_ref().is_some_and(Vec::is_empty) {
        cap_drop = None;
    }

    let stop_timeout = p.changed("stop-timeout").then(|| int(p, "stop-timeout", 0));
    let stop_signal = p.string("stop-signal", "");

    let host_config = HostConfig {
        binds: some_vec(binds),
        container_id_file: Some(p.string("cidfile", "")),
        log_config: Some(HostConfigLogConfig {
            typ: Some(log_driver.clone()),
            config: Some(log_config),
        }),
        network_mode: Some(network_mode.clone()),
        port_bindings: Some(bindings.into_iter().map(|(k, v)| (k, Some(v))).collect()),
        restart_policy: Some(restart_policy),
        auto_remove: Some(auto_remove),
        volume_driver: Some(p.string("volume-driver", "")),
        volumes_from: some_vec(p.list("volumes-from")),
        console_size: Some(vec![0, 0]),
        annotations: (!annotations.is_empty()).then_some(annotations),
        cap_add,
        cap_drop,
        cgroupns_mode: Some(cgroupns_mode),
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
        pid_mode: Some(pid),
        privileged: Some(p.boolean("privileged", false)),
        publish_all_ports: Some(p.boolean("publish-all", false)),
        readonly_rootfs: Some(p.boolean("read-only", false)),
        security_opt: some_vec(security_opts),
        storage_opt: (!storage_opts.is_empty()).then_some(storage_opts),
        tmpfs: (!tmpfs.is_empty()).then_some(tmpfs),
        uts_mode: Some(uts),
        userns_mode: Some(userns),
        shm_size: Some(bytes(p, "shm-size")),
        sysctls: (!sysctls.is_empty()).then_some(sysctls),
        runtime: Some(p.string("runtime", "")).filter(|r| !r.is_empty()),
        isolation,
        masked_paths,
        readonly_paths,
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
        devices: Some(devices),
        device_cgroup_rules: some_vec(p.list("device-cgroup-rule")),
        device_requests: (!device_requests.is_empty()).then_some(device_requests),
        memory_reservation: Some(bytes(p, "memory-reservation")),
        memory_swap: Some(memory_swap),
        memory_swappiness: Some(swappiness),
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
    };

    let body = ContainerCreateBody {
        hostname: Some(p.string("hostname", "")),
        domainname: Some(p.string("domainname", "")),
        user: Some(p.string("user", "")),
        attach_stdin: Some(attach_stdin),
        attach_stdout: Some(attach_stdout),
        attach_stderr: Some(attach_stderr),
        exposed_ports: (!exposed.is_empty()).then_some(exposed),
        tty: Some(tty),
        open_stdin: Some(stdin),
        stdin_once: Some(stdin_once),
        env: some_vec(env_vars),
        cmd,
        healthcheck,
        image: Some(p.image.clone()),
        volumes: Some(volumes),
        working_dir: Some(p.string("workdir", "")),
        entrypoint,
        labels: Some(labels),
        stop_signal: (!stop_signal.is_empty()).then_some(stop_signal),
        stop_timeout,
        host_config: Some(host_config),
        networking_config: Some(NetworkingConfig {
            endpoints_config: Some(endpoints.into_iter().collect()),
        }),
        ..Default::default()
    };

    let client = ClientOptions {
        rm: auto_remove,
        detach,
        interactive: stdin,
        tty,
        attach,
        pull: match pull.as_str() {
            "always" => PullPolicy::Always,
            "missing" => PullPolicy::Missing,
            _ => PullPolicy::Never,
        },
        quiet: p.boolean("quiet", false),
        cidfile: Some(p.string("cidfile", "")).filter(|c| !c.is_empty()),
        detach_keys: Some(p.string("detach-keys", ""))
            .filter(|d| !d.is_empty())
            .or_else(|| {
                config_json
                    .as_ref()
                    .and_then(|c| c.get("detachKeys"))
                    .and_then(Value::as_str)
                    .filter(|d| !d.is_empty())
                    .map(str::to_string)
            }),
        sig_proxy: p.boolean("sig-proxy", true),
        disable_content_trust: p.boolean("disable-content-trust", !content_trust(env)),
        use_api_socket,
        name: Some(p.string("name", "")).filter(|n| !n.is_empty()),
        platform,
    };
    let harden = HardenOptions {
        preset: p.last("preset").map(|o| o.value_str().to_string()),
        allow: p.list("allow"),
        explain: p.boolean("explain", false),
        dry_run: p.boolean("dry-run", false),
        format: p.last("format").map(|o| o.value_str().to_string()),
        no_harden: p.boolean("no-harden", false),
        review: p.boolean("review", false),
        trust_project: p.boolean("trust-project", false),
        watch: p
            .last("watch")
            .and_then(|o| gocompat::parse_duration(o.value_str()).ok()),
    };
    Ok(RunRequest {
        body,
        mac_address: config_mac,
        kernel_memory,
        extra_networks,
        client,
        harden,
        raw,
    })
}

/// `DOCKER_CONTENT_TRUST`: any value other than a false boolean enables it.
fn content_trust(env: &dyn Environment) -> bool {
    match env.var("DOCKER_CONTENT_TRUST") {
        Some(v) if !v.is_empty() => gocompat::parse_bool(&v).unwrap_or(true),
        _ => false,
    }
}

/// Whether `--use-api-socket` would inject credentials (`DOCKER_AUTH_CONFIG` or config.json
/// `auths`; credential helpers are not consulted).
fn has_credentials(env: &dyn Environment, config: Option<&Value>) -> Result<bool, ArgvError> {
    if let Some(v) = env.var("DOCKER_AUTH_CONFIG").filter(|v| !v.is_empty()) {
        let parsed: Value = serde_json::from_str(&v).map_err(|e| {
            err(format!(
                "resolving credentials failed: failed to read credentials from DOCKER_AUTH_CONFIG: {e}"
            ))
        })?;
        if parsed
            .get("auths")
            .and_then(Value::as_object)
            .is_some_and(|a| !a.is_empty())
        {
            return Ok(true);
        }
    }
    Ok(config
        .and_then(|c| c.get("auths"))
        .and_then(Value::as_object)
        .is_some_and(|a| !a.is_empty()))
}

/// `ParseProxyConfig`: adds `HTTP_PROXY`/`http_proxy`… from config.json unless set with `-e`.
fn apply_proxies(env_map: &mut Vec<(String, Option<String>)>, config: Option<&Value>, host: &str) {
    let Some(proxies) = config
        .and_then(|c| c.get("proxies"))
        .and_then(Value::as_object)
    else {
        return;
    };
    let entry = if proxies.contains_key(host) {
        proxies.get(host)
    } else {
        proxies.get("default")
    };
    let Some(entry) = entry else {
        return;
    };
    for (key, field) in [
        ("HTTP_PROXY", "httpProxy"),
        ("HTTPS_PROXY", "httpsProxy"),
        ("NO_PROXY", "noProxy"),
        ("FTP_PROXY", "ftpProxy"),
        ("ALL_PROXY", "allProxy"),
    ] {
        let Some(v) = entry
            .get(field)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
        else {
            continue;
        };
        for k in [key.to_string(), key.to_lowercase()] {
            if !env_map.iter().any(|(e, _)| *e == k) {
                env_map.push((k, Some(v.to_string())));
            }
        }
    }
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

fn network_target(value: &str) -> String {
    values::parse_network(value)
        .map(|n| n.target)
        .unwrap_or_default()
}

/// `parseNetworkOpts` + `applyContainerOptions` + `parseNetworkAttachmentOpt`: endpoints in
/// order (first network first).
fn parse_network_opts(p: &Parsed) -> Result<Vec<(String, EndpointSettings)>, ArgvError> {
    let nets: Vec<NetworkAttachment> = p
        .all("network")
        .filter_map(|o| values::parse_network(o.value_str()).ok())
        .collect();
    let mut endpoints: Vec<(String, EndpointSettings)> = Vec::new();
    let (mut has_user, mut has_non_user) = (false, false);
    if nets.is_empty() {
        let mut n = NetworkAttachment {
            target: "default".into(),
            ..Default::default()
        };
        apply_container_options(&mut n, p)?;
        endpoints.push(("default".into(), attachment_endpoint(&n)?));
    }
    let count = nets.len();
    for (i, mut n) in nets.into_iter().enumerate() {
        if values::is_user_defined_network(&n.target) {
            has_user = true;
        } else {
            has_non_user = true;
        }
        if i == 0 {
            apply_container_options(&mut n, p)?;
        }
        let ep = attachment_endpoint(&n)?;
        if endpoints.iter().any(|(k, _)| *k == n.target) {
            return Err(err(format!(
                "network {} is specified multiple times",
                gocompat::quote(&n.target)
            )));
        }
        if i == 0 && count == 1 && ep == EndpointSettings::default() {
            continue;
        }
        endpoints.push((n.target.clone(), ep));
    }
    if has_user && has_non_user {
        return Err(err(
            "conflicting options: cannot attach both user-defined and non-user-defined network-modes",
        ));
    }
    Ok(endpoints)
}

fn apply_container_options(n: &mut NetworkAttachment, p: &Parsed) -> Result<(), ArgvError> {
    let aliases = p.list("network-alias");
    let links = p.list("link");
    let ip = p.string("ip", "");
    let ip6 = p.string("ip6", "");
    let mac = p.string("mac-address", "");
    let lla = p.list("link-local-ip");
    let conflict = |what: &str| err(format!("conflicting options: cannot specify both {what}"));
    if !n.aliases.is_empty() && !aliases.is_empty() {
        return Err(conflict("--network-alias and per-network alias"));
    }
    if !n.links.is_empty() && !links.is_empty() {
        return Err(conflict("--link and per-network links"));
    }
    if !n.ipv4_address.is_empty() && !ip.is_empty() {
        return Err(conflict("--ip and per-network IPv4 address"));
    }
    if !n.ipv6_address.is_empty() && !ip6.is_empty() {
        return Err(conflict("--ip6 and per-network IPv6 address"));
    }
    if !n.mac_address.is_empty() && !mac.is_empty() {
        return Err(conflict("--mac-address and per-network MAC address"));
    }
    if !n.link_local_ips.is_empty() && !lla.is_empty() {
        return Err(conflict(
            "--link-local-ip and per-network link-local IP addresses",
        ));
    }
    if !aliases.is_empty() {
        n.aliases = aliases;
    }
    if values::is_user_defined_network(&n.target) && !links.is_empty() {
        n.links = links;
    }
    if !ip.is_empty() {
        n.ipv4_address = ip;
    }
    if !ip6.is_empty() {
        n.ipv6_address = ip6;
    }
    if !mac.is_empty() {
        n.mac_address = mac;
    }
    if !lla.is_empty() {
        n.link_local_ips = lla;
    }
    Ok(())
}

fn attachment_endpoint(n: &NetworkAttachment) -> Result<EndpointSettings, ArgvError> {
    if n.target.trim().is_empty() {
        return Err(err("no name set for network"));
    }
    if !values::is_user_defined_network(&n.target) {
        if !n.aliases.is_empty() {
            return Err(err(
                "network-scoped aliases are only supported for user-defined networks",
            ));
        }
        if !n.links.is_empty() {
            return Err(err("links are only supported for user-defined networks"));
        }
    }
    let mut ep = EndpointSettings {
        gw_priority: (n.gw_priority != 0).then_some(n.gw_priority),
        aliases: some_vec(n.aliases.clone()),
        ..Default::default()
    };
    if !n.driver_opts.is_empty() {
        ep.driver_opts = Some(n.driver_opts.clone().into_iter().collect());
    }
    if !n.links.is_empty() {
        ep.links = Some(n.links.clone());
    }
    if !n.ipv4_address.is_empty() || !n.ipv6_address.is_empty() || !n.link_local_ips.is_empty() {
        ep.ipam_config = Some(EndpointIpamConfig {
            ipv4_address: Some(n.ipv4_address.clone()).filter(|s| !s.is_empty()),
            ipv6_address: Some(n.ipv6_address.clone()).filter(|s| !s.is_empty()),
            link_local_ips: some_vec(n.link_local_ips.clone()),
        });
    }
    if !n.mac_address.is_empty() {
        if !valid_mac(n.mac_address.trim()) {
            return Err(err(format!("{} is not a valid mac address", n.mac_address)));
        }
        ep.mac_address = Some(n.mac_address.clone());
    }
    Ok(ep)
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
