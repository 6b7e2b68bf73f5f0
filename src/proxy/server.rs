//! The listener and the accept loop: a unix socket (mode 0660), a loopback TCP port, or a
//! socket systemd passes (`fd://`); graceful stop (no new connections, open streams given a
//! bounded time to finish, the socket file removed).

use super::conn;
use super::judge::{Judge, PeerInfo};
use super::route::Door;
use crate::engine::connect::{Connector, Duplex};
use crate::engine::host::Address;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// Default bound on a judged request body: over it the proxy answers 413, never truncates.
pub const DEFAULT_MAX_BODY: usize = 64 << 20;
/// Default time open connections get to finish after SIGINT/SIGTERM.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(10);

/// Where to listen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Listen {
    Unix(PathBuf),
    Tcp(SocketAddr),
    /// The first socket systemd passed (`LISTEN_FDS`, socket activation).
    Systemd,
}

impl Listen {
    /// `unix:///path`, `tcp://127.0.0.1:2375`, `fd://`.
    pub fn parse(s: &str) -> Result<Listen, String> {
        if let Some(p) = s.strip_prefix("unix://") {
            if p.is_empty() || !p.starts_with('/') {
                return Err(format!(
                    "{s}: give an absolute path, as unix:///run/harden/docker.sock"
                ));
            }
            return Ok(Listen::Unix(PathBuf::from(p)));
        }
        if let Some(a) = s.strip_prefix("tcp://") {
            let a = a.trim_end_matches('/');
            return a.parse::<SocketAddr>().map(Listen::Tcp).map_err(|_| {
                format!("{s}: give an IP address and a port, as tcp://127.0.0.1:2375")
            });
        }
        if s == "fd://" {
            return Ok(Listen::Systemd);
        }
        Err(format!(
            "{s}: expected unix:///PATH, tcp://127.0.0.1:PORT or fd:// (systemd socket activation)"
        ))
    }
}

impl std::fmt::Display for Listen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Listen::Unix(p) => write!(f, "unix://{}", p.display()),
            Listen::Tcp(a) => write!(f, "tcp://{a}"),
            Listen::Systemd => f.write_str("fd://"),
        }
    }
}

/// Why the proxy cannot listen.
#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    #[error(
        "refusing to listen on {0}: it is not a loopback address, and whoever reaches it controls the Docker engine (no TLS, no authentication); pass --allow-remote to do it anyway"
    )]
    NotLoopback(SocketAddr),
    #[error("{0} is in use: another process answers on it")]
    InUse(PathBuf),
    #[error("{0} exists and is not a socket")]
    NotSocket(PathBuf),
    #[error("fd://: no socket passed by systemd (LISTEN_PID/LISTEN_FDS)")]
    NoSystemdSocket,
    #[error("cannot listen on {what}: {source}")]
    Io {
        what: String,
        #[source]
        source: io::Error,
    },
}

enum Kind {
    Unix(tokio::net::UnixListener),
    Tcp(tokio::net::TcpListener),
}

/// A bound listener; a unix socket file it created is removed when it is dropped.
pub struct Listener {
    kind: Kind,
    remove: Option<PathBuf>,
    shown: String,
}

impl Listener {
    /// Binds (inside a tokio runtime). A unix socket gets mode 0660 before it is visible at
    /// its path (bound in a private directory beside it, then renamed); a stale socket file
    /// nobody answers on is replaced.
    pub fn bind(listen: &Listen, allow_remote: bool) -> Result<Listener, ListenError> {
        let io_err = |source| ListenError::Io {
            what: listen.to_string(),
            source,
        };
        match listen {
            Listen::Unix(path) => {
                let std_listener = bind_unix(path)?;
                std_listener.set_nonblocking(true).map_err(io_err)?;
                let l = tokio::net::UnixListener::from_std(std_listener).map_err(io_err)?;
                Ok(Listener {
                    kind: Kind::Unix(l),
                    remove: Some(path.clone()),
                    shown: listen.to_string(),
                })
            }
            Listen::Tcp(addr) => {
                if !addr.ip().is_loopback() && !allow_remote {
                    return Err(ListenError::NotLoopback(*addr));
                }
                let l = std::net::TcpListener::bind(addr).map_err(io_err)?;
                l.set_nonblocking(true).map_err(io_err)?;
                let shown = format!("tcp://{}", l.local_addr().map_err(io_err)?);
                let l = tokio::net::TcpListener::from_std(l).map_err(io_err)?;
                Ok(Listener {
                    kind: Kind::Tcp(l),
                    remove: None,
                    shown,
                })
            }
            Listen::Systemd => systemd_listener(allow_remote),
        }
    }

    /// Where it listens (`unix:///…`, `tcp://127.0.0.1:40123`).
    pub fn address(&self) -> &str {
        &self.shown
    }

    async fn accept(&self) -> io::Result<(Box<dyn Duplex>, PeerInfo)> {
        match &self.kind {
            Kind::Unix(l) => {
                let (s, _) = l.accept().await?;
                let peer = match s.peer_cred() {
                    Ok(cred) => PeerInfo {
                        pid: cred.pid(),
                        uid: Some(cred.uid()),
                        gid: Some(cred.gid()),
                        addr: None,
                    },
                    Err(_) => PeerInfo::default(),
                };
                Ok((Box::new(s), peer))
            }
            Kind::Tcp(l) => {
                let (s, addr) = l.accept().await?;
                let _ = s.set_nodelay(true);
                let peer = PeerInfo {
                    addr: Some(addr.to_string()),
                    ..PeerInfo::default()
                };
                Ok((Box::new(s), peer))
            }
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Some(p) = &self.remove {
            let _ = std::fs::remove_file(p);
        }
    }
}

fn bind_unix(path: &Path) -> Result<std::os::unix::net::UnixListener, ListenError> {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let io_err = |source| ListenError::Io {
        what: format!("unix://{}", path.display()),
        source,
    };
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.file_type().is_socket() {
            return Err(ListenError::NotSocket(path.to_path_buf()));
        }
        if std::os::unix::net::UnixStream::connect(path).is_ok() {
            return Err(ListenError::InUse(path.to_path_buf()));
        }
        std::fs::remove_file(path).map_err(io_err)?;
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // Bound in a private (0700) directory, made 0660, then moved into place: the socket is
    // never reachable with the umask's mode.
    let dir = tempfile::Builder::new()
        .prefix(".harden-proxy-")
        .tempdir_in(parent)
        .map_err(io_err)?;
    let tmp = dir.path().join("s");
    let l = std::os::unix::net::UnixListener::bind(&tmp).map_err(io_err)?;
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o660)).map_err(io_err)?;
    std::fs::rename(&tmp, path).map_err(io_err)?;
    Ok(l)
}

fn systemd_listener(allow_remote: bool) -> Result<Listener, ListenError> {
    let io_err = |source| ListenError::Io {
        what: "fd://".into(),
        source,
    };
    // listenfd checks LISTEN_PID and LISTEN_FDS and takes descriptor 3 (SD_LISTEN_FDS_START)
    // once; it clears nothing a child could inherit (the proxy starts none).
    let mut fds = listenfd::ListenFd::from_env();
    if fds.len() == 0 {
        return Err(ListenError::NoSystemdSocket);
    }
    if let Ok(Some(unix)) = fds.take_unix_listener(0) {
        unix.set_nonblocking(true).map_err(io_err)?;
        let shown = match unix
            .local_addr()
            .ok()
            .and_then(|a| a.as_pathname().map(Path::to_path_buf))
        {
            Some(p) => format!("fd:// (unix://{})", p.display()),
            None => "fd:// (unix)".into(),
        };
        let l = tokio::net::UnixListener::from_std(unix).map_err(io_err)?;
        return Ok(Listener {
            kind: Kind::Unix(l),
            remove: None,
            shown,
        });
    }
    let tcp = match fds.take_tcp_listener(0) {
        Ok(Some(t)) => t,
        Ok(None) => return Err(ListenError::NoSystemdSocket),
        Err(e) => return Err(io_err(e)),
    };
    let addr = tcp.local_addr().map_err(io_err)?;
    if !addr.ip().is_loopback() && !allow_remote {
        return Err(ListenError::NotLoopback(addr));
    }
    tcp.set_nonblocking(true).map_err(io_err)?;
    let l = tokio::net::TcpListener::from_std(tcp).map_err(io_err)?;
    Ok(Listener {
        kind: Kind::Tcp(l),
        remove: None,
        shown: format!("fd:// (tcp://{addr})"),
    })
}

/// What the proxy reports (the CLI writes them as JSON lines to stderr or `--log`).
#[derive(Clone, Debug)]
pub enum Event {
    /// The judge's decision about a door's request (a JSON object, logged as it is).
    Decision(serde_json::Value),
    /// A request was answered by the proxy (the judge refused it, or it could not be read).
    Refused {
        peer: PeerInfo,
        request: Option<String>,
        door: Option<Door>,
        status: u16,
        message: String,
    },
    /// The daemon could not be reached.
    UpstreamError { message: String },
    /// Accepting a connection failed.
    AcceptError { message: String },
}

impl Event {
    /// One JSON object (without the time, which the writer adds).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        let peer =
            |p: &PeerInfo| json!({ "pid": p.pid, "uid": p.uid, "gid": p.gid, "addr": p.addr });
        match self {
            Event::Decision(v) => v.clone(),
            Event::Refused {
                peer: p,
                request,
                door,
                status,
                message,
            } => json!({
                "event": "refuse", "peer": peer(p), "request": request,
                "door": door.map(Door::name), "status": status, "message": message,
            }),
            Event::UpstreamError { message } => {
                json!({ "event": "upstream-error", "message": message })
            }
            Event::AcceptError { message } => {
                json!({ "event": "accept-error", "message": message })
            }
        }
    }
}

/// Reports events.
pub type EventSink = Arc<dyn Fn(Event) + Send + Sync>;

/// The proxy.
pub struct Server {
    pub upstream: Connector,
    /// The daemon's address as the CLI shows it (error messages).
    pub upstream_host: String,
    pub judge: Arc<dyn Judge>,
    /// Bound on a judged request body (413 over it).
    pub max_body: usize,
    /// How long open connections may finish after the stop signal.
    pub grace: Duration,
    pub events: EventSink,
}

impl Server {
    pub fn new(upstream: Connector, judge: Arc<dyn Judge>) -> Server {
        let upstream_host = upstream.endpoint().host.clone();
        Server {
            upstream,
            upstream_host,
            judge,
            max_body: DEFAULT_MAX_BODY,
            grace: DEFAULT_GRACE,
            events: Arc::new(|_| {}),
        }
    }

    pub(crate) fn event(&self, e: Event) {
        (self.events)(e)
    }

    /// The upstream's URL path prefix (`tcp://host:2375/prefix`), usually empty.
    pub(crate) fn base_path(&self) -> &str {
        match &self.upstream.endpoint().address {
            Address::Tcp { base_path, .. } => base_path,
            _ => "",
        }
    }

    /// Accepts connections until `stop` resolves, then stops accepting, gives open
    /// connections [`Server::grace`] to finish and closes the rest.
    pub async fn serve(self: Arc<Self>, listener: Listener, stop: impl Future<Output = ()>) {
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut conns = JoinSet::new();
        tokio::pin!(stop);
        loop {
            tokio::select! {
                _ = &mut stop => break,
                r = listener.accept() => match r {
                    Ok((stream, peer)) => {
                        conns.spawn(conn::serve(self.clone(), stream, peer, stop_rx.clone()));
                    }
                    Err(e) => {
                        self.event(Event::AcceptError { message: e.to_string() });
                        // Out of descriptors and the like: do not spin.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
                Some(_) = conns.join_next(), if !conns.is_empty() => {}
            }
        }
        drop(listener);
        let _ = stop_tx.send(true);
        let _ = tokio::time::timeout(self.grace, async {
            while conns.join_next().await.is_some() {}
        })
        .await;
        conns.shutdown().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_addresses() {
        assert_eq!(
            Listen::parse("unix:///run/x.sock").unwrap(),
            Listen::Unix("/run/x.sock".into())
        );
        assert_eq!(
            Listen::parse("tcp://127.0.0.1:2375").unwrap(),
            Listen::Tcp("127.0.0.1:2375".parse().unwrap())
        );
        assert_eq!(Listen::parse("fd://").unwrap(), Listen::Systemd);
        assert!(Listen::parse("unix://rel.sock").is_err());
        assert!(Listen::parse("tcp://localhost:2375").is_err());
        assert!(Listen::parse("/run/x.sock").is_err());
    }

    #[tokio::test]
    async fn non_loopback_tcp_needs_the_flag() {
        let l = Listen::parse("tcp://0.0.0.0:0").unwrap();
        assert!(matches!(
            Listener::bind(&l, false),
            Err(ListenError::NotLoopback(_))
        ));
        assert!(Listener::bind(&l, true).is_ok());
    }

    #[tokio::test]
    async fn unix_socket_is_0660_and_removed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.sock");
        let l = Listener::bind(&Listen::Unix(path.clone()), false).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o660);
        // A second proxy on the same path is refused while the first answers.
        assert!(matches!(
            Listener::bind(&Listen::Unix(path.clone()), false),
            Err(ListenError::InUse(_))
        ));
        drop(l);
        assert!(!path.exists());
        // Only the socket was left in the directory (the private bind directory is gone).
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
