//! Occurrences → the create body, in the order `docker run` validates things, so that the first
//! error reported is docker's. One module per phase of docker/cli (`cli/command/container/`):
//!
//! | phase | docker | here |
//! |---|---|---|
//! | flags the daemon supports | `areFlagsSupported` | [`check_supported`] |
//! | `--pull`, `-e` host lookup, proxies | `runRun` | [`run_env`] |
//! | every value checked | `parse()`, first half | [`validate`] |
//! | Config | `parse()`: `container.Config` | [`config`] |
//! | HostConfig, `--restart` with `--rm` | `parse()`: `container.Resources`, `container.HostConfig` | [`host_config`] |
//! | NetworkingConfig | `parse()`: `parseNetworkOpts` | [`network`] |
//! | `-d` with `-a` | `runContainer` | [`create::run_container`] |
//! | image reference, `--use-api-socket`, `--platform` | `createContainer` | [`create::create_container`] |
//! | API-version checks and body shape | `client.ContainerCreate` | [`create::container_create`] |

mod create;
mod host_config;
mod network;
mod validate;

use super::flags::{FLAGS, FlagGroup};
use super::grammar::{Occurrence, Parsed};
use super::values::{self, cut};
use super::{ArgvError, ClientOptions, Environment, HardenOptions, PullPolicy, RunRequest};
use crate::parse::gocompat::{self, os_error_text};
use crate::parse::units;
use bollard::models::{ContainerCreateBody, NetworkingConfig};
use serde_json::Value;
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

/// Builds the create body and the client-side options from parsed occurrences, phase by phase
/// (see the module documentation).
pub fn build_request(
    parsed: &Parsed,
    env: &dyn Environment,
    api_version: Option<&str>,
) -> Result<RunRequest, ArgvError> {
    let p = parsed;
    check_supported(&p.occurrences, api_version)?;

    // runRun: --pull first, then the environment.
    let pull = p.string("pull", "missing");
    values::validate_pull(&pull).map_err(err)?;
    let config_json = env.docker_config_json();
    let run_env = run_env(p, env, config_json.as_ref());

    // parse(): the values, then Config, HostConfig, NetworkingConfig.
    let mut checked = validate::validate(p, env, run_env)?;
    let mut body = config(p, &mut checked);
    let mut raw: Vec<(String, Value)> = Vec::new();
    let mut host_config = host_config::host_config(p, env, &mut checked, &mut raw)?;
    let network_mode = host_config.network_mode.clone().unwrap_or_default();
    let (endpoints, config_mac) = network::networking(p, &network_mode)?;

    // runContainer, createContainer, client.ContainerCreate.
    let detach = create::run_container(p, &checked.attach, &mut body)?;
    let created = create::create_container(
        p,
        env,
        api_version,
        config_json.as_ref(),
        &mut body,
        &mut host_config,
    )?;
    let shaped = create::container_create(p, api_version, &host_config, endpoints, config_mac)?;

    body.host_config = Some(host_config);
    body.networking_config = Some(NetworkingConfig {
        endpoints_config: Some(shaped.endpoints.into_iter().collect()),
    });
    let client = ClientOptions {
        rm: p.boolean("rm", false),
        detach,
        interactive: checked.stdin,
        tty: p.boolean("tty", false),
        attach: checked.attach,
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
        disable_content_trust: p.boolean("disable-content-trust", !create::content_trust(env)),
        use_api_socket: created.use_api_socket,
        name: Some(p.string("name", "")).filter(|n| !n.is_empty()),
        platform: created.platform,
    };
    Ok(RunRequest {
        body,
        mac_address: shaped.mac_address,
        kernel_memory: shaped.kernel_memory,
        extra_networks: shaped.extra_networks,
        client,
        harden: harden_options(p),
        raw,
    })
}

/// `runRun`'s environment: `-e` in order (later keys win; `-e K` takes the caller's value),
/// then the proxy variables of config.json (`ParseProxyConfig`).
fn run_env(p: &Parsed, env: &dyn Environment, config_json: Option<&Value>) -> Vec<String> {
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
    apply_proxies(&mut env_map, config_json, &env.daemon_host());
    env_map
        .iter()
        .map(|(k, v)| match v {
            Some(v) => format!("{k}={v}"),
            None => k.clone(),
        })
        .collect()
}

/// `parse()`'s `container.Config` (without the HostConfig and the NetworkingConfig).
fn config(p: &Parsed, c: &mut validate::Checked) -> ContainerCreateBody {
    let entrypoint = match p.last("entrypoint") {
        Some(o) if !o.value_str().is_empty() => Some(vec![o.value_str().to_string()]),
        Some(_) => Some(vec![String::new()]),
        None => None,
    };
    let stop_signal = p.string("stop-signal", "");
    let exposed = std::mem::take(&mut c.exposed);
    ContainerCreateBody {
        hostname: Some(p.string("hostname", "")),
        domainname: Some(p.string("domainname", "")),
        user: Some(p.string("user", "")),
        attach_stdin: Some(c.attach_stdin),
        attach_stdout: Some(c.attach_stdout),
        attach_stderr: Some(c.attach_stderr),
        exposed_ports: (!exposed.is_empty()).then_some(exposed),
        tty: Some(p.boolean("tty", false)),
        open_stdin: Some(c.stdin),
        // When allocating stdin in attached mode, close stdin at client disconnect.
        stdin_once: Some(c.stdin && c.attach_stdin),
        env: some_vec(std::mem::take(&mut c.env)),
        cmd: (!p.command.is_empty()).then(|| p.command.clone()),
        healthcheck: c.healthcheck.take(),
        image: Some(p.image.clone()),
        volumes: Some(std::mem::take(&mut c.volumes)),
        working_dir: Some(p.string("workdir", "")),
        entrypoint,
        labels: Some(std::mem::take(&mut c.labels)),
        stop_signal: (!stop_signal.is_empty()).then_some(stop_signal),
        stop_timeout: p.changed("stop-timeout").then(|| int(p, "stop-timeout", 0)),
        ..Default::default()
    }
}

/// harden's own options.
fn harden_options(p: &Parsed) -> HardenOptions {
    HardenOptions {
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
    }
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
