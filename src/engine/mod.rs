//! The Docker Engine API: connect (hosts, contexts, TLS, SSH, version negotiation), pull, create,
//! attach, start, wait. bollard does the typed calls; the calls whose exact HTTP behaviour matters
//! (the create body as sent, the hijacked attach stream, the wait whose response headers must
//! arrive before start) are made on the same connections by hand.

pub mod connect;
pub mod facts;
pub mod host;
pub mod image;
pub mod probe;
pub mod pull;
pub mod run;
pub mod stream;

use bytes::Bytes;
use connect::{Body, Connector, HttpClient, body_bytes};
use host::Endpoint;
use http_body_util::Full;
use hyper::body::Incoming;
use std::io;

/// Highest API version harden speaks (the bollard models' schema).
pub const MAX_API: (u32, u32) = (1, 53);

/// A connected daemon.
#[derive(Clone)]
pub struct Engine {
    pub docker: bollard::Docker,
    http: HttpClient,
    /// `http://docker` / `https://host:port`, plus a base path from the host URL.
    base: String,
    /// Negotiated (or pinned) API version, e.g. `1.41`; empty before [`Engine::negotiate`]
    /// (requests then go to unversioned paths, which the engine answers in its own version).
    pub api_version: String,
    /// The engine's own API version (the ping's `Api-Version`), when it said.
    daemon_api: Option<String>,
    /// `linux` or `windows`, from the ping.
    pub os_type: String,
    pub endpoint: Endpoint,
    /// The ping's `Server` header (`Docker/20.10.24 (linux)`, `Libpod/4.3.1 (linux)`).
    server: String,
    connector: Connector,
    /// What the engine is and can do ([`Engine::facts`]), read once per connection.
    facts: std::sync::Arc<tokio::sync::OnceCell<facts::EngineFacts>>,
}

/// Why the daemon could not be used.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Same wording as the Docker CLI.
    #[error("Cannot connect to the Docker daemon at {host}. Is the docker daemon running?")]
    Unreachable { host: String },
    #[error(
        "permission denied while trying to connect to the Docker daemon socket at {host}: {detail}"
    )]
    PermissionDenied { host: String, detail: String },
    #[error("error during connect: {0}")]
    Connect(String),
    /// An error answer from the daemon (`Error response from daemon: …`).
    #[error("Error response from daemon: {message}")]
    Daemon { status: u16, message: String },
    #[error("{0}")]
    Other(String),
}

impl EngineError {
    pub fn status(&self) -> Option<u16> {
        match self {
            EngineError::Daemon { status, .. } => Some(*status),
            _ => None,
        }
    }
}

impl From<bollard::errors::Error> for EngineError {
    fn from(e: bollard::errors::Error) -> Self {
        match e {
            bollard::errors::Error::DockerResponseServerError {
                status_code,
                message,
            } => EngineError::Daemon {
                status: status_code,
                message,
            },
            other => EngineError::Other(other.to_string()),
        }
    }
}

fn parse_version(v: &str) -> Option<(u32, u32)> {
    let v = v.trim().trim_start_matches('v');
    let (a, b) = v.split_once('.')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// True when API version `have` is at least `want` (`"1.44"`).
pub fn api_at_least(have: &str, want: &str) -> bool {
    match (parse_version(have), parse_version(want)) {
        (Some(h), Some(w)) => h >= w,
        _ => false,
    }
}

impl Engine {
    /// Connects, pings and negotiates the API version (or uses `DOCKER_API_VERSION`).
    pub async fn connect(
        endpoint: Endpoint,
        pinned: Option<String>,
    ) -> Result<Engine, EngineError> {
        let mut engine = Engine::open(endpoint)?;
        engine.negotiate(pinned).await?;
        Ok(engine)
    }

    /// The client for an endpoint, before any request (nothing negotiated yet).
    pub fn open(endpoint: Endpoint) -> Result<Engine, EngineError> {
        let connector =
            Connector::new(endpoint.clone()).map_err(|e| EngineError::Connect(e.to_string()))?;
        let http = connect::http_client(connector.clone());
        let base = match &endpoint.address {
            host::Address::Tcp {
                host,
                port,
                base_path,
            } => {
                let scheme = if endpoint.tls.is_some() {
                    "https"
                } else {
                    "http"
                };
                let h = if host.contains(':') {
                    format!("[{host}]")
                } else {
                    host.clone()
                };
                format!("{scheme}://{h}:{port}{base_path}")
            }
            _ => "http://docker".to_string(),
        };
        Ok(Engine {
            docker: dummy_docker()?,
            http,
            base,
            api_version: String::new(),
            daemon_api: None,
            os_type: String::new(),
            endpoint,
            server: String::new(),
            connector,
            facts: Default::default(),
        })
    }

    /// Pings and negotiates the API version (or takes the `pinned` one).
    pub async fn negotiate(&mut self, pinned: Option<String>) -> Result<(), EngineError> {
        let engine = self;
        let ping = engine.raw("GET", "/_ping", None).await?;
        let header = |name: &str| {
            ping.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(String::from)
        };
        engine.daemon_api = header("Api-Version");
        let daemon_api = engine.daemon_api.clone().unwrap_or_else(|| "1.24".into());
        engine.os_type = header("Ostype").unwrap_or_else(|| "linux".into());
        engine.server = header("Server").unwrap_or_default();
        let version = match pinned.as_deref().and_then(parse_version) {
            Some(v) => v,
            None => {
                let d = parse_version(&daemon_api).unwrap_or((1, 24));
                d.min(MAX_API)
            }
        };
        engine.api_version = format!("{}.{}", version.0, version.1);
        engine.docker = bollard_over(engine)?;
        Ok(())
    }

    /// The negotiated API version is the engine's own: an unversioned request, which the
    /// engine answers in its own version, got the answer a versioned one would have.
    pub fn speaks_own_version(&self) -> bool {
        let own = self.daemon_api.as_deref().and_then(parse_version);
        own.is_some() && own == parse_version(&self.api_version)
    }

    /// What the engine is and can do, from `GET /info`, `GET /version` and (Podman only)
    /// `GET /libpod/info`, asked once per connection (the first two at once), or read from the
    /// cache of a local engine ([`facts::cache`]): `/info` and `/version` each cost the engine
    /// more than a create (it runs `runc --version` and more). An engine that does not answer
    /// them is taken for a Docker Engine about which nothing more is known.
    pub async fn facts(&self) -> &facts::EngineFacts {
        self.facts
            .get_or_init(|| async {
                let key = self.facts_key();
                if let Some(f) = key.as_deref().and_then(facts::cache::read) {
                    return f;
                }
                let get = |path: String| async move {
                    match self.call("GET", &path, None).await {
                        Ok(b) => serde_json::from_slice(&b).unwrap_or(serde_json::Value::Null),
                        Err(_) => serde_json::Value::Null,
                    }
                };
                let (info, version) = if self.parallel() {
                    tokio::join!(get("/info".into()), get("/version".into()))
                } else {
                    (get("/info".into()).await, get("/version".into()).await)
                };
                let mut facts =
                    facts::EngineFacts::from_documents(&info, &version, &serde_json::Value::Null);
                let mut complete = !info.is_null() && !version.is_null();
                if facts.is_podman() {
                    let libpod = get(facts.libpod_path("/info")).await;
                    complete &= !libpod.is_null();
                    facts = facts::EngineFacts::from_documents(&info, &version, &libpod);
                }
                if complete && let Some(k) = &key {
                    facts::cache::write(k, &facts);
                }
                facts
            })
            .await
    }

    /// Starts reading [`Engine::facts`] in the background (a task on the current runtime),
    /// when requests may go out side by side, so that they are known by the time a plan asks.
    pub fn prefetch_facts(&self) {
        if self.parallel() && self.facts.get().is_none() {
            let me = self.clone();
            tokio::spawn(async move {
                me.facts().await;
            });
        }
    }

    /// Forgets the cached facts of this engine (a create failed: the engine may have changed
    /// in a way the cache key does not see, so the next run asks again).
    pub fn forget_cached_facts(&self) {
        if let Some(k) = self.facts_key() {
            facts::cache::remove(&k);
        }
    }

    /// The cache key of this engine's facts: only for a unix socket, whose listener the kernel
    /// names ([`facts::cache::key`]).
    fn facts_key(&self) -> Option<String> {
        let host::Address::Unix(path) = &self.endpoint.address else {
            return None;
        };
        facts::cache::key(path, self.connector.peer(), &self.server, &self.api_version)
    }

    /// Requests may go out at once, each on its own connection (not over SSH, where every
    /// connection is a new `ssh` process).
    pub fn parallel(&self) -> bool {
        !matches!(self.endpoint.address, host::Address::Ssh { .. })
    }

    /// Turns a connection failure into the CLI's wording.
    fn connect_error(&self, e: &(dyn std::error::Error + 'static)) -> EngineError {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
        while let Some(s) = source {
            if let Some(io) = s.downcast_ref::<io::Error>() {
                return match io.kind() {
                    io::ErrorKind::PermissionDenied => EngineError::PermissionDenied {
                        host: self.endpoint.host.clone(),
                        detail: "connect: permission denied".into(),
                    },
                    io::ErrorKind::NotFound | io::ErrorKind::ConnectionRefused => {
                        EngineError::Unreachable {
                            host: self.endpoint.host.clone(),
                        }
                    }
                    _ => EngineError::Connect(io.to_string()),
                };
            }
            source = s.source();
        }
        EngineError::Connect(e.to_string())
    }

    fn uri(&self, path_and_query: &str) -> String {
        // Already versioned (Podman's `/v4.3.1/libpod/…`).
        let versioned = path_and_query
            .strip_prefix("/v")
            .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()));
        if path_and_query == "/_ping" || self.api_version.is_empty() || versioned {
            format!("{}{path_and_query}", self.base)
        } else {
            format!("{}/v{}{path_and_query}", self.base, self.api_version)
        }
    }

    /// A raw request; returns the response once its headers have arrived.
    pub async fn raw(
        &self,
        method: &str,
        path_and_query: &str,
        json: Option<&serde_json::Value>,
    ) -> Result<hyper::Response<Incoming>, EngineError> {
        self.raw_with(method, path_and_query, json, &[]).await
    }

    pub async fn raw_with(
        &self,
        method: &str,
        path_and_query: &str,
        json: Option<&serde_json::Value>,
        headers: &[(&str, &str)],
    ) -> Result<hyper::Response<Incoming>, EngineError> {
        let mut b = hyper::Request::builder()
            .method(method)
            .uri(self.uri(path_and_query))
            .header("User-Agent", concat!("harden/", env!("CARGO_PKG_VERSION")));
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let body = match json {
            Some(v) => {
                b = b.header("Content-Type", "application/json");
                Bytes::from(serde_json::to_vec(v).map_err(|e| EngineError::Other(e.to_string()))?)
            }
            None => Bytes::new(),
        };
        let req = b
            .body(Body::Left(Full::new(body)))
            .map_err(|e| EngineError::Other(e.to_string()))?;
        self.http
            .request(req)
            .await
            .map_err(|e| self.connect_error(&e))
    }

    /// A raw request that must succeed with a 2xx; error answers become [`EngineError::Daemon`].
    pub async fn call(
        &self,
        method: &str,
        path_and_query: &str,
        json: Option<&serde_json::Value>,
    ) -> Result<Bytes, EngineError> {
        let resp = self.raw(method, path_and_query, json).await?;
        let status = resp.status();
        let body = body_bytes(resp)
            .await
            .map_err(|e| EngineError::Other(e.to_string()))?;
        if status.is_success() {
            Ok(body)
        } else {
            Err(daemon_error(status.as_u16(), &body))
        }
    }
}

/// Where harden keeps what it learnt about engines and images: `$XDG_CACHE_HOME/harden`, else
/// `~/.cache/harden`.
pub(crate) fn cache_dir() -> Option<std::path::PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cache")))?;
    Some(base.join("harden"))
}

/// Writes a cache file whole or not at all (a temporary file renamed over it); a cache that
/// cannot be written is only a slower next run, so failures are ignored.
pub(crate) fn write_cache(path: &std::path::Path, text: &[u8]) {
    if let Some(dir) = path.parent()
        && std::fs::create_dir_all(dir).is_ok()
    {
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::write(&tmp, text).is_ok() && std::fs::rename(&tmp, path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

/// Builds the error of a non-2xx answer (`{"message": "…"}`).
pub fn daemon_error(status: u16, body: &[u8]) -> EngineError {
    let message = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(String::from))
        .unwrap_or_else(|| String::from_utf8_lossy(body).trim().to_string());
    EngineError::Daemon { status, message }
}

fn dummy_docker() -> Result<bollard::Docker, EngineError> {
    bollard::Docker::connect_with_custom_transport(
        |_req: bollard::BollardRequest| async {
            Err::<hyper::Response<Incoming>, _>(bollard::errors::Error::IOError {
                err: io::Error::other("not connected"),
            })
        },
        Some("http://docker"),
        120,
        &bollard::ClientVersion {
            major_version: 1,
            minor_version: 24,
        },
    )
    .map_err(EngineError::from)
}

/// bollard on top of our connections: every request is re-addressed to our base URL and API
/// version.
fn bollard_over(engine: &Engine) -> Result<bollard::Docker, EngineError> {
    let http = engine.http.clone();
    let base = engine.base.clone();
    let version = engine.api_version.clone();
    let (major, minor) = parse_version(&version).unwrap_or((1, 41));
    bollard::Docker::connect_with_custom_transport(
        move |req: bollard::BollardRequest| {
            let http = http.clone();
            let base = base.clone();
            let version = version.clone();
            async move {
                let (mut parts, body) = req.into_parts();
                let pq = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_else(|| "/".into());
                let unversioned = strip_version(&pq);
                parts.uri = format!("{base}/v{version}{unversioned}").parse().map_err(
                    |e: http::uri::InvalidUri| bollard::errors::Error::IOError {
                        err: io::Error::other(e.to_string()),
                    },
                )?;
                let req = hyper::Request::from_parts(parts, body);
                http.request(req)
                    .await
                    .map_err(|e| bollard::errors::Error::IOError {
                        err: io::Error::other(e.to_string()),
                    })
            }
        },
        Some("http://docker"),
        120,
        &bollard::ClientVersion {
            major_version: major as usize,
            minor_version: minor as usize,
        },
    )
    .map_err(EngineError::from)
}

fn strip_version(pq: &str) -> &str {
    if let Some(rest) = pq.strip_prefix("/v")
        && let Some(i) = rest.find('/')
        && rest[..i]
            .split('.')
            .all(|p| p.chars().all(|c| c.is_ascii_digit()))
    {
        return &rest[i..];
    }
    pq
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare() {
        assert!(api_at_least("1.44", "1.44"));
        assert!(api_at_least("1.50", "1.44"));
        assert!(!api_at_least("1.41", "1.44"));
        assert_eq!(
            strip_version("/v1.41/containers/create?x=1"),
            "/containers/create?x=1"
        );
        assert_eq!(strip_version("/containers/json"), "/containers/json");
        assert_eq!(strip_version("/volumes"), "/volumes");
    }
}
