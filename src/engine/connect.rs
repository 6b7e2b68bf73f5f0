//! Connections to the daemon: one connector (unix socket, TCP, TLS, or `ssh … docker system
//! dial-stdio` like the Docker CLI) shared by bollard (through its custom-transport hook) and by
//! the few raw calls harden makes itself (attach and wait, whose exact timing matters).

use super::host::{Address, Endpoint, Tls};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The request body type bollard uses (same definition as `bollard::docker::BodyType`).
pub type Body = http_body_util::Either<
    Full<Bytes>,
    http_body_util::StreamBody<
        Pin<
            Box<
                dyn futures_util::Stream<Item = Result<hyper::body::Frame<Bytes>, io::Error>>
                    + Send,
            >,
        >,
    >,
>;

/// Anything that moves bytes both ways.
pub trait Duplex: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Duplex for T {}

/// One connection to the daemon.
pub struct Io(TokioIo<Box<dyn Duplex>>);

impl hyper::rt::Read for Io {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for Io {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

impl Connection for Io {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}

/// Connects to the endpoint for every new connection.
#[derive(Clone)]
pub struct Connector {
    endpoint: Arc<Endpoint>,
    tls: Option<Arc<rustls::ClientConfig>>,
    /// Who listens on a unix socket (`SO_PEERCRED` of the first connection made).
    peer: Arc<std::sync::OnceLock<Peer>>,
}

/// The process on the other end of a unix socket, as the kernel says (`SO_PEERCRED`): the
/// one that listens on it. `pid` is `None` when it lives in a PID namespace this process
/// cannot see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Peer {
    pub pid: Option<i32>,
    pub uid: u32,
}

impl Connector {
    pub fn new(endpoint: Endpoint) -> Result<Self, io::Error> {
        let tls = match &endpoint.tls {
            Some(t) => Some(Arc::new(tls_config(t)?)),
            None => None,
        };
        Ok(Connector {
            endpoint: Arc::new(endpoint),
            tls,
            peer: Arc::default(),
        })
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Who listens on the unix socket, once a connection has been made to it.
    pub fn peer(&self) -> Option<Peer> {
        self.peer.get().copied()
    }

    /// Opens one connection.
    pub async fn connect(&self) -> io::Result<Box<dyn Duplex>> {
        match &self.endpoint.address {
            Address::Unix(path) => {
                let s = tokio::net::UnixStream::connect(path).await?;
                if self.peer.get().is_none()
                    && let Ok(cred) = s.peer_cred()
                {
                    let _ = self.peer.set(Peer {
                        pid: cred.pid().filter(|p| *p > 0),
                        uid: cred.uid(),
                    });
                }
                Ok(Box::new(s))
            }
            Address::Tcp { host, port, .. } => {
                let s = tokio::net::TcpStream::connect((host.as_str(), *port)).await?;
                let _ = s.set_nodelay(true);
                match &self.tls {
                    None => Ok(Box::new(s)),
                    Some(cfg) => {
                        let name =
                            rustls_pki_types::ServerName::try_from(host.clone()).map_err(|e| {
                                io::Error::other(format!("invalid TLS server name: {e}"))
                            })?;
                        let tls = tokio_rustls::TlsConnector::from(cfg.clone())
                            .connect(name, s)
                            .await?;
                        Ok(Box::new(tls))
                    }
                }
            }
            Address::Ssh {
                user,
                host,
                port,
                socket,
            } => Ok(Box::new(SshStream::spawn(
                user.as_deref(),
                host,
                *port,
                socket.as_deref(),
            )?)),
        }
    }
}

impl tower_service::Service<hyper::Uri> for Connector {
    type Response = Io;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Io>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _uri: hyper::Uri) -> Self::Future {
        let me = self.clone();
        Box::pin(async move { Ok(Io(TokioIo::new(me.connect().await?))) })
    }
}

fn tls_config(t: &Tls) -> io::Result<rustls::ClientConfig> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?;
    let read_err = |p: &std::path::Path, e: &dyn std::fmt::Display| {
        io::Error::other(format!("could not read {}: {e}", p.display()))
    };
    let builder = if t.verify {
        let mut roots = rustls::RootCertStore::empty();
        if let Some(ca) = &t.ca {
            for cert in CertificateDer::pem_file_iter(ca).map_err(|e| read_err(ca, &e))? {
                let cert = cert.map_err(|e| read_err(ca, &e))?;
                roots.add(cert).map_err(|e| read_err(ca, &e))?;
            }
        }
        builder.with_root_certificates(roots)
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerify))
    };
    let mut config = match (&t.cert, &t.key) {
        (Some(cert), Some(key)) => {
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
                .map_err(|e| read_err(cert, &e))?
                .collect::<Result<_, _>>()
                .map_err(|e| read_err(cert, &e))?;
            let key = PrivateKeyDer::from_pem_file(key).map_err(|e| read_err(key, &e))?;
            builder
                .with_client_auth_cert(certs, key)
                .map_err(io::Error::other)?
        }
        _ => builder.with_no_client_auth(),
    };
    // Like the Go client (no session cache): every connection does a full handshake. Some TLS
    // front ends with client verification fail resumed sessions (OpenSSL: "session id context
    // uninitialized").
    config.resumption = rustls::client::Resumption::disabled();
    Ok(config)
}

/// `--tls` without `--tlsverify`: encrypt, do not verify the server (as the Docker CLI does).
#[derive(Debug)]
struct NoVerify;

impl rustls::client::danger::ServerCertVerifier for NoVerify {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls_pki_types::CertificateDer<'_>,
        _intermediates: &[rustls_pki_types::CertificateDer<'_>],
        _server_name: &rustls_pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls_pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls_pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &rustls::crypto::ring::default_provider().signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls_pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &rustls::crypto::ring::default_provider().signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        rustls::crypto::ring::default_provider()
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// `ssh … docker system dial-stdio`, as the Docker CLI tunnels to `ssh://` hosts.
pub struct SshStream {
    _child: tokio::process::Child,
    /// `None` once shut down: closing the pipe is what tells `dial-stdio` (and through it the
    /// daemon) that our side of the stream ended.
    stdin: Option<tokio::process::ChildStdin>,
    stdout: tokio::process::ChildStdout,
}

impl SshStream {
    fn spawn(
        user: Option<&str>,
        host: &str,
        port: Option<u16>,
        socket: Option<&str>,
    ) -> io::Result<Self> {
        let mut cmd = tokio::process::Command::new("ssh");
        cmd.args(["-o", "ConnectTimeout=30", "-T"]);
        if let Some(u) = user {
            cmd.args(["-l", u]);
        }
        if let Some(p) = port {
            cmd.args(["-p", &p.to_string()]);
        }
        cmd.args(["--", host, "docker"]);
        if let Some(s) = socket {
            cmd.args(["--host", &format!("unix://{s}")]);
        }
        cmd.args(["system", "dial-stdio"]);
        cmd.stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true);
        let mut child = cmd.spawn()?;
        let stdin = child
            .stdin
            .take()
            .ok_or_else(|| io::Error::other("ssh: no stdin"))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| io::Error::other("ssh: no stdout"))?;
        Ok(SshStream {
            _child: child,
            stdin: Some(stdin),
            stdout,
        })
    }
}

impl AsyncRead for SshStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stdout).poll_read(cx, buf)
    }
}

impl AsyncWrite for SshStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.stdin.as_mut() {
            Some(w) => Pin::new(w).poll_write(cx, buf),
            None => Poll::Ready(Err(io::ErrorKind::BrokenPipe.into())),
        }
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.stdin.as_mut() {
            Some(w) => Pin::new(w).poll_flush(cx),
            None => Poll::Ready(Ok(())),
        }
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(w) = self.stdin.as_mut() {
            futures_util::ready!(Pin::new(w).poll_flush(cx))?;
        }
        self.stdin = None;
        Poll::Ready(Ok(()))
    }
}

/// HTTP client over the connector.
pub type HttpClient = Client<Connector, Body>;

pub fn http_client(connector: Connector) -> HttpClient {
    Client::builder(TokioExecutor::new()).build(connector)
}

/// Reads a whole response body (small answers only).
pub async fn body_bytes(resp: hyper::Response<Incoming>) -> Result<Bytes, hyper::Error> {
    Ok(resp.into_body().collect().await?.to_bytes())
}
