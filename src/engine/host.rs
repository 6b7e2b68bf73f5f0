//! Which daemon to talk to, decided as the Docker CLI decides it: `--context`/`-H` (plugin mode),
//! `DOCKER_HOST`, `DOCKER_CONTEXT`, `currentContext` in the config file, the context store, and
//! the TLS settings (`DOCKER_TLS_VERIFY`, `DOCKER_CERT_PATH`, `--tls*`).

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The default local socket.
pub const DEFAULT_SOCKET: &str = "/var/run/docker.sock";

pub use crate::globals::GlobalOptions;

/// How to reach the daemon.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Address {
    Unix(PathBuf),
    Tcp {
        host: String,
        port: u16,
        /// URL path prefix before `/v1.NN/` (usually empty).
        base_path: String,
    },
    Ssh {
        user: Option<String>,
        host: String,
        port: Option<u16>,
        /// Remote socket path (`ssh://host/run/docker.sock`), if given.
        socket: Option<String>,
    },
}

/// TLS client settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tls {
    pub ca: Option<PathBuf>,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    /// Verify the server certificate.
    pub verify: bool,
}

/// A resolved endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// The host string as the CLI shows it (`unix:///var/run/docker.sock`).
    pub host: String,
    pub address: Address,
    pub tls: Option<Tls>,
    /// The context name (`default` when flags/environment decide).
    pub context: String,
}

#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    /// The CLI says `Failed to initialize: unable to resolve docker endpoint: …` (exit 1).
    #[error("unable to resolve docker endpoint: {0}")]
    Resolve(String),
    #[error("conflicting options: cannot specify both --host and --context")]
    HostAndContext,
}

/// The Docker config directory: `--config`, `$DOCKER_CONFIG`, else `~/.docker`.
pub fn config_dir(opts: &GlobalOptions, env: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    if let Some(d) = &opts.config_dir {
        return d.clone();
    }
    if let Some(d) = env("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    let home = env("HOME").unwrap_or_default();
    Path::new(&home).join(".docker")
}

/// The context store id of a context name (hex SHA-256).
pub fn context_id(name: &str) -> String {
    let digest = Sha256::digest(name.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn nonempty(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.is_empty())
}

/// Resolves the endpoint (§4.1–4.3 of the reference).
pub fn resolve(
    opts: &GlobalOptions,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Endpoint, EndpointError> {
    if opts.host.is_some() && opts.context.is_some() {
        return Err(EndpointError::HostAndContext);
    }
    let cfg = config_dir(opts, env);
    let context = if let Some(c) = &opts.context {
        c.clone()
    } else if opts.host.is_some() || nonempty(env("DOCKER_HOST")).is_some() {
        "default".to_string()
    } else if let Some(c) = nonempty(env("DOCKER_CONTEXT")) {
        c
    } else {
        current_context(&cfg).unwrap_or_else(|| "default".into())
    };
    if context == "default" {
        default_endpoint(opts, env, &cfg)
    } else {
        named_endpoint(&context, &cfg)
    }
}

fn current_context(cfg: &Path) -> Option<String> {
    let text = std::fs::read_to_string(cfg.join("config.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v.get("currentContext")?
        .as_str()
        .filter(|s| !s.is_empty())
        .map(String::from)
}

fn default_endpoint(
    opts: &GlobalOptions,
    env: &dyn Fn(&str) -> Option<String>,
    cfg: &Path,
) -> Result<Endpoint, EndpointError> {
    let tls_verify = opts.tls_verify || nonempty(env("DOCKER_TLS_VERIFY")).is_some();
    let tls_on = tls_verify || opts.tls || nonempty(env("DOCKER_TLS")).is_some();
    let host = opts
        .host
        .clone()
        .or_else(|| nonempty(env("DOCKER_HOST")))
        .unwrap_or_else(|| {
            if tls_on {
                "tcp://localhost:2376".into()
            } else {
                format!("unix://{DEFAULT_SOCKET}")
            }
        });
    let address = parse_host(&host)?;
    let tls = if tls_on && matches!(address, Address::Tcp { .. }) {
        let cert_dir = nonempty(env("DOCKER_CERT_PATH"))
            .map(PathBuf::from)
            .unwrap_or_else(|| cfg.to_path_buf());
        let ca = opts
            .tls_ca_cert
            .clone()
            .unwrap_or_else(|| cert_dir.join("ca.pem"));
        if !ca.is_file() {
            return Err(EndpointError::Resolve(format!(
                "open {}: no such file or directory",
                ca.display()
            )));
        }
        let pick = |flag: &Option<PathBuf>, name: &str| {
            flag.clone()
                .or_else(|| Some(cert_dir.join(name)).filter(|p| p.is_file()))
        };
        Some(Tls {
            ca: Some(ca),
            cert: pick(&opts.tls_cert, "cert.pem"),
            key: pick(&opts.tls_key, "key.pem"),
            verify: tls_verify,
        })
    } else {
        None
    };
    Ok(Endpoint {
        host: display_host(&host, &address),
        address,
        tls,
        context: "default".into(),
    })
}

fn named_endpoint(name: &str, cfg: &Path) -> Result<Endpoint, EndpointError> {
    let id = context_id(name);
    let meta = cfg.join("contexts/meta").join(&id).join("meta.json");
    let text = std::fs::read_to_string(&meta).map_err(|e| {
        EndpointError::Resolve(format!(
            "context \"{name}\": context not found: open {}: {}",
            meta.display(),
            io_text(&e)
        ))
    })?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        EndpointError::Resolve(format!(
            "context \"{name}\": invalid {}: {e}",
            meta.display()
        ))
    })?;
    let docker = v
        .get("Endpoints")
        .and_then(|e| e.get("docker"))
        .ok_or_else(|| {
            EndpointError::Resolve(format!(
                "context \"{name}\": cannot find docker endpoint in context"
            ))
        })?;
    let host = docker
        .get("Host")
        .and_then(|h| h.as_str())
        .unwrap_or("")
        .to_string();
    let host = if host.is_empty() {
        format!("unix://{DEFAULT_SOCKET}")
    } else {
        host
    };
    let skip_verify = docker
        .get("SkipTLSVerify")
        .and_then(|s| s.as_bool())
        .unwrap_or(false);
    let address = parse_host(&host)?;
    let tls_dir = cfg.join("contexts/tls").join(&id).join("docker");
    let file = |n: &str| Some(tls_dir.join(n)).filter(|p| p.is_file());
    let (ca, cert, key) = (file("ca.pem"), file("cert.pem"), file("key.pem"));
    let tls = if matches!(address, Address::Tcp { .. })
        && (skip_verify || ca.is_some() || cert.is_some() || key.is_some())
    {
        Some(Tls {
            ca,
            cert,
            key,
            verify: !skip_verify,
        })
    } else {
        None
    };
    Ok(Endpoint {
        host: display_host(&host, &address),
        address,
        tls,
        context: name.to_string(),
    })
}

fn io_text(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

fn display_host(raw: &str, address: &Address) -> String {
    match address {
        Address::Unix(p) => format!("unix://{}", p.display()),
        Address::Tcp { host, port, .. } if !raw.contains("://") => format!("tcp://{host}:{port}"),
        _ => raw.to_string(),
    }
}

/// Parses a host string: `unix:///path`, `tcp://host[:port][/path]`, `host:port`,
/// `ssh://[user@]host[:port][/path]`.
pub fn parse_host(host: &str) -> Result<Address, EndpointError> {
    let invalid = || EndpointError::Resolve(format!("invalid bind address format: {host}"));
    let h = host.trim();
    if let Some(path) = h.strip_prefix("unix://") {
        let path = if path.is_empty() {
            DEFAULT_SOCKET
        } else {
            path
        };
        return Ok(Address::Unix(PathBuf::from(path)));
    }
    if let Some(rest) = h.strip_prefix("ssh://") {
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], Some(rest[i..].to_string())),
            None => (rest, None),
        };
        if rest.contains('?') || rest.contains('#') {
            return Err(EndpointError::Resolve(format!(
                "invalid ssh URL {host}: extra query or fragment is not supported"
            )));
        }
        let (user, hostport) = match authority.rsplit_once('@') {
            Some((u, hp)) => {
                if u.contains(':') {
                    return Err(EndpointError::Resolve(format!(
                        "invalid ssh URL {host}: plain-text password is not supported"
                    )));
                }
                (Some(u.to_string()), hp)
            }
            None => (None, authority),
        };
        let (hname, port) = split_host_port(hostport).ok_or_else(invalid)?;
        if hname.is_empty() {
            return Err(EndpointError::Resolve(format!(
                "invalid ssh URL {host}: no host specified"
            )));
        }
        return Ok(Address::Ssh {
            user,
            host: hname,
            port,
            socket: path.filter(|p| p != "/"),
        });
    }
    let rest = if let Some(r) = h.strip_prefix("tcp://") {
        r
    } else if h.contains("://") {
        return Err(invalid());
    } else {
        h
    };
    let (authority, base_path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].trim_end_matches('/').to_string()),
        None => (rest, String::new()),
    };
    let (hname, port) = split_host_port(authority).ok_or_else(invalid)?;
    let hname = if hname.is_empty() {
        "localhost".to_string()
    } else {
        hname
    };
    Ok(Address::Tcp {
        host: hname,
        port: port.unwrap_or(2375),
        base_path,
    })
}

fn split_host_port(s: &str) -> Option<(String, Option<u16>)> {
    if let Some(rest) = s.strip_prefix('[') {
        let (h, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p.parse().ok()?),
            None if after.is_empty() => None,
            None => return None,
        };
        return Some((h.to_string(), port));
    }
    match s.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => Some((h.to_string(), Some(p.parse().ok()?))),
        Some(_) => None,
        None => Some((s.to_string(), None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn hosts_parse_like_the_cli() {
        assert_eq!(
            parse_host("unix://").unwrap(),
            Address::Unix(DEFAULT_SOCKET.into())
        );
        assert_eq!(
            parse_host("tcp://10.0.0.1").unwrap(),
            Address::Tcp {
                host: "10.0.0.1".into(),
                port: 2375,
                base_path: String::new()
            }
        );
        assert_eq!(
            parse_host("example.com:2376").unwrap(),
            Address::Tcp {
                host: "example.com".into(),
                port: 2376,
                base_path: String::new()
            }
        );
        assert_eq!(
            parse_host("tcp://[::1]:2376/prefix/").unwrap(),
            Address::Tcp {
                host: "::1".into(),
                port: 2376,
                base_path: "/prefix".into()
            }
        );
        assert_eq!(
            parse_host("ssh://me@box:2222/run/docker.sock").unwrap(),
            Address::Ssh {
                user: Some("me".into()),
                host: "box".into(),
                port: Some(2222),
                socket: Some("/run/docker.sock".into())
            }
        );
        assert!(parse_host("ssh://me:pw@box").is_err());
        let e = parse_host("http2://x").unwrap_err().to_string();
        assert_eq!(
            e,
            "unable to resolve docker endpoint: invalid bind address format: http2://x"
        );
    }

    #[test]
    fn precedence_host_beats_context() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().to_str().unwrap().to_string();
        let env = env_of(&[
            ("DOCKER_CONFIG", &cfg),
            ("DOCKER_HOST", "unix:///tmp/x.sock"),
            ("DOCKER_CONTEXT", "other"),
        ]);
        let e = resolve(&GlobalOptions::default(), &env).unwrap();
        assert_eq!(e.address, Address::Unix("/tmp/x.sock".into()));
        assert_eq!(e.context, "default");
        let env = env_of(&[("DOCKER_CONFIG", &cfg), ("DOCKER_CONTEXT", "missing")]);
        let err = resolve(&GlobalOptions::default(), &env)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(
                "unable to resolve docker endpoint: context \"missing\": context not found: open "
            ),
            "{err}"
        );
        assert!(
            err.ends_with("meta.json: no such file or directory"),
            "{err}"
        );
    }

    #[test]
    fn named_context_from_store() {
        let dir = tempfile::tempdir().unwrap();
        let id = context_id("myctx");
        assert_eq!(
            id,
            "b7dd5ada797513b6d710c626fc86ceafdc1747c4c4375a2213c763d9060c1720"
        );
        let meta = dir.path().join("contexts/meta").join(&id);
        std::fs::create_dir_all(&meta).unwrap();
        std::fs::write(
            meta.join("meta.json"),
            r#"{"Name":"myctx","Metadata":{},"Endpoints":{"docker":{"Host":"tcp://10.1.2.3:2376","SkipTLSVerify":true}}}"#,
        )
        .unwrap();
        std::fs::write(
            dir.path().join("config.json"),
            r#"{"currentContext":"myctx"}"#,
        )
        .unwrap();
        let cfg = dir.path().to_str().unwrap().to_string();
        let env = env_of(&[("DOCKER_CONFIG", &cfg)]);
        let e = resolve(&GlobalOptions::default(), &env).unwrap();
        assert_eq!(e.context, "myctx");
        assert_eq!(e.host, "tcp://10.1.2.3:2376");
        assert_eq!(
            e.tls,
            Some(Tls {
                ca: None,
                cert: None,
                key: None,
                verify: false
            })
        );
    }

    #[test]
    fn tls_needs_a_ca_file() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap().to_string();
        let env = env_of(&[
            ("DOCKER_HOST", "tcp://127.0.0.1:2376"),
            ("DOCKER_TLS_VERIFY", "0"),
            ("DOCKER_CERT_PATH", &d),
        ]);
        let err = resolve(&GlobalOptions::default(), &env)
            .unwrap_err()
            .to_string();
        assert!(err.ends_with("ca.pem: no such file or directory"), "{err}");
        std::fs::write(dir.path().join("ca.pem"), "x").unwrap();
        let e = resolve(&GlobalOptions::default(), &env).unwrap();
        let tls = e.tls.unwrap();
        assert!(tls.verify);
        assert!(tls.cert.is_none());
        // TLS without a host defaults to tcp://localhost:2376.
        let env = env_of(&[("DOCKER_TLS", "1"), ("DOCKER_CERT_PATH", &d)]);
        let e = resolve(&GlobalOptions::default(), &env).unwrap();
        assert_eq!(e.host, "tcp://localhost:2376");
        assert!(!e.tls.unwrap().verify);
    }
}
