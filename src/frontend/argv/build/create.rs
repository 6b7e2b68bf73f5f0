//! After `parse()`: `runContainer` (`-d` with `-a`), `createContainer` (the image reference,
//! `--use-api-socket`, `--platform`) and the client library's `ContainerCreate` (API-version
//! checks, and the shape of the body for the daemon's API version).

use super::network::{Endpoints, network_target};
use super::{bytes, err, version_less};
use crate::frontend::argv::values;
use crate::frontend::argv::{ArgvError, Environment, Parsed};
use crate::parse::gocompat;
use crate::spec::reference;
use bollard::models::{ContainerCreateBody, HostConfig, Mount, MountBindOptions, MountType};
use serde_json::Value;

/// `runContainer`: `-d` refuses `-a` and attaches nothing. Returns `--detach`.
pub(super) fn run_container(
    p: &Parsed,
    attach: &[String],
    body: &mut ContainerCreateBody,
) -> Result<bool, ArgvError> {
    let detach = p.boolean("detach", false);
    if detach {
        if !attach.is_empty() {
            return Err(ArgvError {
                message: "conflicting options: cannot specify both --attach and --detach".into(),
                exit_code: 1,
                show_usage: false,
            });
        }
        body.attach_stdin = Some(false);
        body.attach_stdout = Some(false);
        body.attach_stderr = Some(false);
        body.stdin_once = Some(false);
    }
    Ok(detach)
}

/// What `createContainer` decides besides the body.
pub(super) struct Created {
    pub use_api_socket: bool,
    /// Normalised `os/arch[/variant]` (raw below API 1.41).
    pub platform: Option<String>,
}

/// `createContainer`: checks the image reference, mounts the API socket (with credentials when
/// there are some), parses the platform.
pub(super) fn create_container(
    p: &Parsed,
    env: &dyn Environment,
    api_version: Option<&str>,
    config_json: Option<&Value>,
    body: &mut ContainerCreateBody,
    host_config: &mut HostConfig,
) -> Result<Created, ArgvError> {
    reference::parse_image_reference(&p.image).map_err(err)?;
    let use_api_socket = p.boolean("use-api-socket", false);
    if use_api_socket {
        let host = env.daemon_host();
        let Some(socket) = host.strip_prefix("unix://") else {
            return Err(err(format!(
                "flag --use-api-socket can only be used with unix sockets: docker endpoint {host} incompatible"
            )));
        };
        host_config.mounts.get_or_insert_with(Vec::new).push(Mount {
            typ: Some(MountType::BIND),
            source: Some(socket.to_string()),
            target: Some("/var/run/docker.sock".into()),
            bind_options: Some(MountBindOptions::default()),
            ..Default::default()
        });
        let env_vars = body.env.get_or_insert_with(Vec::new);
        let has_config = env_vars.iter().any(|e| e.starts_with("DOCKER_CONFIG="));
        if !has_config && has_credentials(env, config_json)? {
            env_vars.push("DOCKER_CONFIG=/run/secrets/docker".into());
        }
        if env_vars.is_empty() {
            body.env = None;
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
    Ok(Created {
        use_api_socket,
        platform,
    })
}

/// What the client library changes for older daemons.
pub(super) struct Shaped {
    pub endpoints: Endpoints,
    /// `Config.MacAddress` (API < 1.44).
    pub mac_address: Option<String>,
    /// Networks to connect after create (API < 1.44 takes one endpoint at create).
    pub extra_networks: Endpoints,
    /// `HostConfig.KernelMemory` (API 1.40–1.41).
    pub kernel_memory: Option<i64>,
}

/// `client.ContainerCreate`: refuses what the daemon's API version cannot do, then shapes the
/// networks, the MAC address and the kernel memory for it (`None`: the newest API).
pub(super) fn container_create(
    p: &Parsed,
    api_version: Option<&str>,
    host_config: &HostConfig,
    endpoints: Endpoints,
    config_mac: Option<String>,
) -> Result<Shaped, ArgvError> {
    if let Some(api) = api_version
        && version_less(api, "1.44")
    {
        for m in host_config.mounts.iter().flatten() {
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
    let new_api = api_version.is_none_or(|v| !version_less(v, "1.44"));
    let mut endpoints = endpoints;
    let mut extra_networks = Vec::new();
    let mut mac_address = config_mac;
    if new_api {
        mac_address = None;
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
    Ok(Shaped {
        endpoints,
        mac_address,
        extra_networks,
        kernel_memory,
    })
}

/// `DOCKER_CONTENT_TRUST`: any value other than a false boolean enables it.
pub(super) fn content_trust(env: &dyn Environment) -> bool {
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
