//! The first half of docker/cli's `parse()` (`cli/command/container/opts.go`): every value is
//! checked and converted, in docker's order, before anything is built.

use super::{duration, err, int, read_file, read_kv_file};
use crate::frontend::argv::values::{self, CdiName, cut};
use crate::frontend::argv::{ArgvError, Environment, Parsed};
use crate::parse::gocompat::{self, path_abs, valid_mac};
use crate::parse::{mounts, ports};
use bollard::models::{DeviceMapping, HealthConfig, HostConfigCgroupnsModeEnum, PortBinding};
use std::collections::{HashMap, HashSet};

/// What `parse()` has checked, ready for the Config and the HostConfig.
pub(super) struct Checked {
    /// `-a` values, lower-cased.
    pub attach: Vec<String>,
    /// `-i`.
    pub stdin: bool,
    pub attach_stdin: bool,
    pub attach_stdout: bool,
    pub attach_stderr: bool,
    pub swappiness: i64,
    /// `-v` with a source (relative bind sources made absolute).
    pub binds: Vec<String>,
    /// `-v` without a source (`Config.Volumes`).
    pub volumes: Vec<String>,
    pub tmpfs: HashMap<String, String>,
    /// `Config.ExposedPorts`, in order, without duplicates.
    pub exposed: Vec<String>,
    /// `HostConfig.PortBindings`, in order.
    pub bindings: Bindings,
    pub devices: Vec<DeviceMapping>,
    /// CDI device names (one device request).
    pub cdi: Vec<String>,
    /// Env files, then `-e` (with the host lookup and proxies).
    pub env: Vec<String>,
    pub labels: HashMap<String, String>,
    pub pid: String,
    pub uts: String,
    pub userns: String,
    pub cgroupns: HostConfigCgroupnsModeEnum,
    pub restart_name: String,
    pub restart_count: i64,
    pub log_driver: String,
    pub log_config: HashMap<String, String>,
    pub security_opts: Vec<String>,
    /// Empty for `systempaths=unconfined`.
    pub masked_paths: Option<Vec<String>>,
    pub readonly_paths: Option<Vec<String>>,
    pub storage_opts: HashMap<String, String>,
    pub healthcheck: Option<HealthConfig>,
}

/// Checks the values in docker's order; `run_env` is what `runRun` made of `-e`.
pub(super) fn validate(
    p: &Parsed,
    env: &dyn Environment,
    run_env: Vec<String>,
) -> Result<Checked, ArgvError> {
    let mac = p.string("mac-address", "");
    if !mac.is_empty() && !valid_mac(mac.trim()) {
        return Err(err(format!("{mac} is not a valid mac address")));
    }
    let (attach, stdin, attach_stdin, attach_stdout, attach_stderr) = attach_streams(p);
    let swappiness = int(p, "memory-swappiness", -1);
    if swappiness != -1 && !(0..=100).contains(&swappiness) {
        return Err(err(format!(
            "invalid value: {swappiness}. Valid memory swappiness range is 0-100"
        )));
    }
    let (binds, volumes) = volumes(p, env)?;
    let mut tmpfs: HashMap<String, String> = HashMap::new();
    for t in p.list("tmpfs") {
        let (k, v, _) = cut(&t, ':');
        tmpfs.insert(k.to_string(), v.to_string());
    }
    let (exposed, bindings) = published_ports(p)?;
    let (devices, cdi) = devices(p)?;
    let mut env_vars: Vec<String> = Vec::new();
    for f in p.list("env-file") {
        env_vars.extend(read_kv_file(env, &f, true)?);
    }
    env_vars.extend(run_env);
    let labels = labels(p, env)?;
    let (pid, uts, userns, cgroupns) = namespaces(p)?;
    let (restart_name, restart_count) =
        values::parse_restart_policy(&p.string("restart", "no")).map_err(err)?;
    let (log_driver, log_config) = logging(p)?;
    let (security_opts, masked_paths, readonly_paths) = security_opts(p, env)?;
    let mut storage_opts: HashMap<String, String> = HashMap::new();
    for o in p.list("storage-opt") {
        let (k, v, ok) = cut(&o, '=');
        if !ok {
            return Err(err("invalid storage option"));
        }
        storage_opts.insert(k.to_string(), v.to_string());
    }
    let healthcheck = healthcheck(p)?;
    Ok(Checked {
        attach,
        stdin,
        attach_stdin,
        attach_stdout,
        attach_stderr,
        swappiness,
        binds,
        volumes,
        tmpfs,
        exposed,
        bindings,
        devices,
        cdi,
        env: env_vars,
        labels,
        pid,
        uts,
        userns,
        cgroupns,
        restart_name,
        restart_count,
        log_driver,
        log_config,
        security_opts,
        masked_paths,
        readonly_paths,
        storage_opts,
        healthcheck,
    })
}

/// `-a` and `-i`: `(attach, stdin, attach stdin, attach stdout, attach stderr)`; without `-a`,
/// stdout and stderr.
fn attach_streams(p: &Parsed) -> (Vec<String>, bool, bool, bool, bool) {
    let attach: Vec<String> = p
        .list("attach")
        .iter()
        .filter_map(|a| values::validate_attach(a).ok())
        .collect();
    let stdin = p.boolean("interactive", false);
    let attach_stdin = attach.iter().any(|a| a == "stdin") || stdin;
    let mut attach_stdout = attach.iter().any(|a| a == "stdout");
    let mut attach_stderr = attach.iter().any(|a| a == "stderr");
    if attach.is_empty() {
        attach_stdout = true;
        attach_stderr = true;
    }
    (attach, stdin, attach_stdin, attach_stdout, attach_stderr)
}

/// `-v`: Binds for anything with a source, Config.Volumes for the rest (deduplicated).
fn volumes(p: &Parsed, env: &dyn Environment) -> Result<(Vec<String>, Vec<String>), ArgvError> {
    let cwd = env.cwd();
    let mut binds: Vec<String> = Vec::new();
    let mut volumes: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    for spec in p.list("volume") {
        if !seen.insert(spec.clone()) {
            continue;
        }
        let parsed = mounts::parse_volume(&spec).map_err(err)?;
        if parsed.source.is_empty() {
            volumes.push(spec);
            continue;
        }
        let mut to_bind = spec.clone();
        if parsed.typ == "bind"
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
    Ok((binds, volumes))
}

/// Port bindings by port key (`80/tcp`), in order.
type Bindings = Vec<(String, Vec<PortBinding>)>;

/// Exposed ports and bindings of `-p`, then the ports of `--expose`.
fn published_ports(p: &Parsed) -> Result<(Vec<String>, Bindings), ArgvError> {
    let mut converted = Vec::new();
    for v in p.list("publish") {
        converted.push(values::convert_publish(&v).map_err(err)?);
    }
    // In order, without duplicates; looked up through indexes (a range such as `-p 1-65535`
    // publishes tens of thousands of ports).
    let mut exposed: Vec<String> = Vec::new();
    let mut exposed_set: HashSet<String> = HashSet::new();
    let mut bindings: Bindings = Vec::new();
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
    Ok((exposed, bindings))
}

/// `--device` (Linux daemon): device mappings, and the CDI names.
fn devices(p: &Parsed) -> Result<(Vec<DeviceMapping>, Vec<String>), ArgvError> {
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
    Ok((devices, cdi))
}

/// Label files first, then `-l` (a map: later keys win).
fn labels(p: &Parsed, env: &dyn Environment) -> Result<HashMap<String, String>, ArgvError> {
    let mut list: Vec<String> = Vec::new();
    for f in p.list("label-file") {
        list.extend(read_kv_file(env, &f, false)?);
    }
    list.extend(p.list("label"));
    let mut labels: HashMap<String, String> = HashMap::new();
    for l in &list {
        let (k, v, _) = cut(l, '=');
        labels.insert(k.to_string(), v.to_string());
    }
    Ok(labels)
}

/// `--pid`, `--uts`, `--userns`, `--cgroupns`.
fn namespaces(
    p: &Parsed,
) -> Result<(String, String, String, HostConfigCgroupnsModeEnum), ArgvError> {
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
    let cgroupns = match p.string("cgroupns", "").as_str() {
        "" => HostConfigCgroupnsModeEnum::EMPTY,
        "host" => HostConfigCgroupnsModeEnum::HOST,
        "private" => HostConfigCgroupnsModeEnum::PRIVATE,
        _ => return Err(err("--cgroupns: invalid CGROUP mode")),
    };
    Ok((pid, uts, userns, cgroupns))
}

/// `parseLoggingOpts`: the driver and its options.
fn logging(p: &Parsed) -> Result<(String, HashMap<String, String>), ArgvError> {
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
    Ok((log_driver, log_config))
}

/// Masked or read-only paths: `Some(empty)` for `systempaths=unconfined`.
type Paths = Option<Vec<String>>;

/// `parseSecurityOpts` (seccomp profiles are read and compacted here) and `parseSystemPaths`:
/// the options, the masked paths and the read-only paths.
fn security_opts(
    p: &Parsed,
    env: &dyn Environment,
) -> Result<(Vec<String>, Paths, Paths), ArgvError> {
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
    Ok((security_opts, masked_paths, readonly_paths))
}

/// The health check: `--no-healthcheck`, or the `--health-*` options when any is set.
fn healthcheck(p: &Parsed) -> Result<Option<HealthConfig>, ArgvError> {
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
    if p.boolean("no-healthcheck", false) {
        if have_health {
            return Err(err("--no-healthcheck conflicts with --health-* options"));
        }
        return Ok(Some(HealthConfig {
            test: Some(vec!["NONE".into()]),
            ..Default::default()
        }));
    }
    if !have_health {
        return Ok(None);
    }
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
    Ok(Some(HealthConfig {
        test: (!health_cmd.is_empty()).then(|| vec!["CMD-SHELL".into(), health_cmd.clone()]),
        interval: Some(h_interval),
        timeout: Some(h_timeout),
        retries: Some(h_retries),
        start_period: Some(h_start_period),
        start_interval: Some(h_start_interval),
    }))
}
