//! The seam between the transport and the policy: the proxy hands every door's request to a
//! [`Judge`] and does what its [`Verdict`] says.

use super::route::Door;
use std::future::Future;
use std::pin::Pin;

/// Who is on the other end of a client connection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PeerInfo {
    /// From `SO_PEERCRED` on a unix socket (the process that connected).
    pub pid: Option<i32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    /// The remote address on TCP.
    pub addr: Option<String>,
}

/// One request at a door, as the engine would see it.
#[derive(Debug)]
pub struct JudgedRequest<'a> {
    pub door: Door,
    /// `POST` (doors are POST routes).
    pub method: &'a str,
    /// The path as sent, percent-encoding and version prefix included (`/v1.41/containers/create`).
    pub path: &'a str,
    /// The path's `{name}` or `{id}`, percent-decoded (`ExecCreate`: the container).
    pub name: Option<&'a str>,
    /// The raw query string (no `?`), as sent.
    pub query: &'a str,
    /// The version prefix of the path (`1.41`), if any; without one the engine uses its own.
    pub api_version: Option<&'a str>,
    /// Every header as sent, in order (names keep their case).
    pub headers: &'a [(String, Vec<u8>)],
    /// The whole body (chunked encoding removed), or `None` for doors whose body streams past
    /// unread ([`super::route::BodyUse::Stream`]: a build context, a plugin tar, gRPC).
    pub body: Option<&'a [u8]>,
    pub peer: &'a PeerInfo,
}

impl JudgedRequest<'_> {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }
}

/// What to do with a judged request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Send it on. `body: Some(new)` replaces the body (sent with a new `Content-Length`; only
    /// for a body that was read), `query: Some(q)` replaces the query string (`q` without `?`,
    /// already encoded). `warnings` are appended to the `Warnings` array of the engine's JSON
    /// answer when it succeeds (container create and update, service create and update), which
    /// the Docker CLI prints as `WARNING: …`.
    Forward {
        body: Option<Vec<u8>>,
        query: Option<String>,
        warnings: Vec<String>,
    },
    /// Answer `status` with `{"message": message}` as the engine does for its own errors; the
    /// Docker CLI prints `Error response from daemon: <message>`.
    Refuse { status: u16, message: String },
}

impl Verdict {
    /// Forward unchanged, no warnings.
    pub fn forward() -> Verdict {
        Verdict::Forward {
            body: None,
            query: None,
            warnings: Vec::new(),
        }
    }

    /// Refuse with 403 Forbidden.
    pub fn forbid(message: impl Into<String>) -> Verdict {
        Verdict::Refuse {
            status: 403,
            message: message.into(),
        }
    }
}

/// The boxed future a judge returns.
pub type JudgeFuture<'a> = Pin<Box<dyn Future<Output = Verdict> + Send + 'a>>;

/// Decides about each request at a door. Called once per request, concurrently for different
/// connections; the proxy waits for the verdict before anything of the request reaches the
/// engine.
pub trait Judge: Send + Sync {
    fn judge<'a>(&'a self, req: JudgedRequest<'a>) -> JudgeFuture<'a>;
}

/// Forwards everything unchanged. Stands in until the policy judge exists: `harden proxy` with
/// it is an unbuffered pass-through that only classifies requests (and logs the doors).
#[derive(Clone, Copy, Debug, Default)]
pub struct PassThrough;

impl Judge for PassThrough {
    fn judge<'a>(&'a self, _req: JudgedRequest<'a>) -> JudgeFuture<'a> {
        Box::pin(async { Verdict::forward() })
    }
}
