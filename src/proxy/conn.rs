//! One client connection: every request head is parsed and classified (keep-alive included);
//! doors are read whole and judged; everything else is relayed as it arrives, body and
//! response at once, and a hijacked or upgraded connection becomes a raw two-way stream with
//! half-close carried across.
//!
//! Each client connection has its own upstream connection, opened at its first request and
//! reopened if the daemon closed it while idle, so request N+1 is only parsed once exchange N
//! is over: nothing the client sends reaches the engine before the proxy has read its head.

use super::http::{self, Chunked, Framing, RequestHead, ResponseHead};
use super::judge::{JudgedRequest, PeerInfo, Verdict};
use super::route::{self, BodyUse};
use super::server::{Event, Server};
use crate::engine::connect::Duplex;
use bytes::{Buf, BytesMut};
use std::io;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt, ReadHalf, WriteHalf};
use tokio::sync::watch;

type Rd = ReadHalf<Box<dyn Duplex>>;
type Wr = WriteHalf<Box<dyn Duplex>>;

/// Bytes read ahead of the current request (a pipelined next request) before the proxy stops
/// reading until the current exchange is over.
const READ_AHEAD: usize = 64 << 10;
/// A judged request's response is buffered up to this size to add warnings to it.
const MAX_INJECT: usize = 1 << 20;

struct Half {
    rd: Rd,
    wr: Wr,
    buf: BytesMut,
}

impl Half {
    fn new(stream: Box<dyn Duplex>) -> Half {
        let (rd, wr) = tokio::io::split(stream);
        Half {
            rd,
            wr,
            buf: BytesMut::with_capacity(16 << 10),
        }
    }
}

/// How an exchange ended.
enum End {
    /// Ready for the next request.
    KeepAlive,
    /// Close the client connection.
    Close,
}

pub(crate) async fn serve(
    server: Arc<Server>,
    stream: Box<dyn Duplex>,
    peer: PeerInfo,
    mut stop: watch::Receiver<bool>,
) {
    let mut c = Half::new(stream);
    let mut up: Option<Half> = None;
    loop {
        // The next request head, while watching the idle upstream and the shutdown signal.
        let head = loop {
            match http::parse_request(&c.buf) {
                Err(e) => {
                    server.event(Event::Refused {
                        peer: peer.clone(),
                        request: None,
                        door: None,
                        status: e.status,
                        message: e.message.clone(),
                    });
                    reply(&mut c.wr, e.status, &format!("harden proxy: {e}"), true).await;
                    return;
                }
                Ok(Some(h)) => break h,
                Ok(None) => {}
            }
            enum Wake {
                Client(io::Result<usize>),
                UpstreamGone,
                Stop,
            }
            let wake = tokio::select! {
                r = c.rd.read_buf(&mut c.buf) => Wake::Client(r),
                _ = idle_upstream(&mut up) => Wake::UpstreamGone,
                _ = stop.changed(), if c.buf.is_empty() => Wake::Stop,
            };
            match wake {
                Wake::Client(Ok(0)) | Wake::Client(Err(_)) | Wake::Stop => {
                    let _ = c.wr.shutdown().await;
                    return;
                }
                Wake::Client(Ok(_)) => {}
                Wake::UpstreamGone => up = None,
            }
        };
        let end = match request(&server, &peer, &mut c, &mut up, head).await {
            Ok(end) => end,
            Err(_) => End::Close,
        };
        match end {
            End::KeepAlive if !*stop.borrow() => {}
            _ => {
                let _ = c.wr.shutdown().await;
                return;
            }
        }
    }
}

/// Resolves when an idle upstream connection closes or says something unasked.
async fn idle_upstream(up: &mut Option<Half>) {
    match up {
        Some(u) => {
            let _ = u.rd.read_buf(&mut u.buf).await;
        }
        None => std::future::pending().await,
    }
}

async fn request(
    server: &Server,
    peer: &PeerInfo,
    c: &mut Half,
    up: &mut Option<Half>,
    head: RequestHead,
) -> io::Result<End> {
    let routed = match route::classify(&head.method, &head.target) {
        Ok(r) => r,
        Err(e) => {
            let msg = format!("harden proxy: {e}");
            server.event(Event::Refused {
                peer: peer.clone(),
                request: Some(request_line(&head)),
                door: None,
                status: 400,
                message: msg.clone(),
            });
            reply(&mut c.wr, 400, &msg, true).await;
            return Ok(End::Close);
        }
    };
    let is_head = head.method == "HEAD";
    let Some(door) = routed.door else {
        // Passes untouched: the head as sent (re-targeted only for a base path upstream).
        let bytes = match server.base_path() {
            "" => c.buf[..head.len].to_vec(),
            _ => rebuild_head(server, &head, None, None),
        };
        c.buf.advance(head.len);
        let Some(u) = upstream(server, up, &mut c.wr).await else {
            return Ok(End::Close);
        };
        u.wr.write_all(&bytes).await?;
        return exchange(c, up, head.framing, is_head, head.close, None, None).await;
    };
    let use_body = match door.body_use() {
        BodyUse::Read => true,
        BodyUse::Stream => head.has_form_body(),
    };
    c.buf.advance(head.len);
    let body = if use_body {
        if head.expect_continue {
            c.wr.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").await?;
        }
        match read_body(c, head.framing, server.max_body).await {
            Ok(b) => Some(b),
            Err(BodyError::TooLarge) => {
                let msg = format!(
                    "harden proxy: the request body is over {} MiB, too large to judge",
                    server.max_body >> 20
                );
                server.event(Event::Refused {
                    peer: peer.clone(),
                    request: Some(request_line(&head)),
                    door: Some(door),
                    status: 413,
                    message: msg.clone(),
                });
                reply(&mut c.wr, 413, &msg, true).await;
                return Ok(End::Close);
            }
            Err(BodyError::Malformed(m)) => {
                reply(&mut c.wr, 400, &format!("harden proxy: {m}"), true).await;
                return Ok(End::Close);
            }
            Err(BodyError::Io(e)) => return Err(e),
        }
    } else {
        None
    };
    let verdict = server
        .judge
        .judge(JudgedRequest {
            door,
            method: &head.method,
            path: &routed.raw_path,
            name: routed.name.as_deref(),
            query: &routed.query,
            api_version: routed.api_version.as_deref(),
            headers: &head.headers,
            body: body.as_deref(),
            peer,
        })
        .await;
    match verdict {
        Verdict::Refuse { status, message } => {
            // The judge logs its own decisions.
            // A streamed body was not read: the connection cannot be reused.
            let close = head.close || body.is_none();
            reply(&mut c.wr, status, &message, close).await;
            if body.is_none() && !matches!(head.framing, Framing::UntilClose) {
                // A build context or a plugin tar on its way: read it to the end (within
                // bounds) so the client is not cut off mid-upload and reads the refusal.
                let mut rest = BodyRelay::new(head.framing);
                discard_body(c, &mut rest, 256 << 20, Duration::from_secs(30)).await;
            }
            Ok(if close { End::Close } else { End::KeepAlive })
        }
        Verdict::Forward {
            body: new_body,
            query,
            warnings,
        } => {
            match body {
                Some(read) => {
                    let send = new_body.unwrap_or(read);
                    let bytes = rebuild_head(server, &head, query.as_deref(), Some(send.len()));
                    let Some(u) = upstream(server, up, &mut c.wr).await else {
                        return Ok(End::Close);
                    };
                    u.wr.write_all(&bytes).await?;
                    u.wr.write_all(&send).await?;
                    let inject = (!warnings.is_empty()).then_some(warnings);
                    exchange(c, up, Framing::Length(0), is_head, head.close, inject, None).await
                }
                None if new_body.is_some() => {
                    reply(
                        &mut c.wr,
                        500,
                        &format!("harden proxy: the judge replaced the body of {door}, which it did not read"),
                        true,
                    )
                    .await;
                    Ok(End::Close)
                }
                None => {
                    let bytes = rebuild_head(server, &head, query.as_deref(), None);
                    let Some(u) = upstream(server, up, &mut c.wr).await else {
                        return Ok(End::Close);
                    };
                    u.wr.write_all(&bytes).await?;
                    // BuildKit's control API: judged call by call once upgraded.
                    let grpc = (door == route::Door::BuildKit).then_some(Grpc {
                        server,
                        peer,
                        api_version: routed.api_version.as_deref(),
                    });
                    exchange(c, up, head.framing, is_head, head.close, None, grpc).await
                }
            }
        }
    }
}

fn request_line(head: &RequestHead) -> String {
    format!("{} {}", head.method, head.target)
}

/// The upstream connection, opened if needed; `None` after answering 502.
async fn upstream<'a>(
    server: &Server,
    up: &'a mut Option<Half>,
    cw: &mut Wr,
) -> Option<&'a mut Half> {
    if up.is_none() {
        match server.upstream.connect().await {
            Ok(s) => *up = Some(Half::new(s)),
            Err(e) => {
                let msg = format!(
                    "harden proxy: cannot reach the Docker daemon at {}: {e}",
                    server.upstream_host
                );
                server.event(Event::UpstreamError {
                    message: msg.clone(),
                });
                reply(cw, 502, &msg, true).await;
                return None;
            }
        }
    }
    up.as_mut()
}

/// The request head to send: request line (query replaced, base path prepended), the
/// client's headers in order; with `content_length`, framing headers and `Expect` replaced by
/// one `Content-Length`.
fn rebuild_head(
    server: &Server,
    head: &RequestHead,
    query: Option<&str>,
    content_length: Option<usize>,
) -> Vec<u8> {
    let (path, old_query) = match head.target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (head.target.as_str(), None),
    };
    let mut out = Vec::with_capacity(head.len + 64);
    out.extend_from_slice(head.method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(server.base_path().as_bytes());
    out.extend_from_slice(path.as_bytes());
    if let Some(q) = query.or(old_query) {
        out.push(b'?');
        out.extend_from_slice(q.as_bytes());
    }
    out.extend_from_slice(if head.minor == 0 {
        b" HTTP/1.0\r\n"
    } else {
        b" HTTP/1.1\r\n"
    });
    for (name, value) in &head.headers {
        if content_length.is_some()
            && ["content-length", "transfer-encoding", "expect"]
                .iter()
                .any(|h| name.eq_ignore_ascii_case(h))
        {
            continue;
        }
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    if let Some(n) = content_length {
        out.extend_from_slice(format!("Content-Length: {n}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out
}

enum BodyError {
    TooLarge,
    Malformed(String),
    Io(io::Error),
}

/// Reads a whole request body (chunked encoding removed), refusing more than `max` bytes.
async fn read_body(c: &mut Half, framing: Framing, max: usize) -> Result<Vec<u8>, BodyError> {
    let eof = || BodyError::Io(io::ErrorKind::UnexpectedEof.into());
    match framing {
        Framing::Length(n) => {
            let n = usize::try_from(n).map_err(|_| BodyError::TooLarge)?;
            if n > max {
                return Err(BodyError::TooLarge);
            }
            while c.buf.len() < n {
                c.buf.reserve(n - c.buf.len());
                if c.rd.read_buf(&mut c.buf).await.map_err(BodyError::Io)? == 0 {
                    return Err(eof());
                }
            }
            Ok(c.buf.split_to(n).to_vec())
        }
        Framing::Chunked => {
            let mut scanner = Chunked::new();
            let mut out = Vec::new();
            loop {
                let k = scanner
                    .scan(&c.buf, |d| out.extend_from_slice(d))
                    .map_err(|e| BodyError::Malformed(e.to_string()))?;
                c.buf.advance(k);
                if out.len() > max {
                    return Err(BodyError::TooLarge);
                }
                if scanner.done() {
                    return Ok(out);
                }
                if c.rd.read_buf(&mut c.buf).await.map_err(BodyError::Io)? == 0 {
                    return Err(eof());
                }
            }
        }
        Framing::UntilClose => Err(BodyError::Malformed("request without length".into())),
    }
}

/// A request body relayed as it arrives, one cancel-safe step at a time.
struct BodyRelay {
    left: Option<u64>,
    chunked: Option<Chunked>,
    done: bool,
}

impl BodyRelay {
    fn new(framing: Framing) -> BodyRelay {
        match framing {
            Framing::Length(n) => BodyRelay {
                left: Some(n),
                chunked: None,
                done: n == 0,
            },
            Framing::Chunked => BodyRelay {
                left: None,
                chunked: Some(Chunked::new()),
                done: false,
            },
            Framing::UntilClose => BodyRelay {
                left: Some(0),
                chunked: None,
                done: true,
            },
        }
    }

    /// Consumes the body's bytes at the start of `buf` without sending them anywhere.
    fn take(&mut self, buf: &[u8]) -> io::Result<usize> {
        match (&mut self.left, &mut self.chunked) {
            (Some(left), _) => {
                let k = usize::try_from(*left).unwrap_or(usize::MAX).min(buf.len());
                *left -= k as u64;
                self.done = *left == 0;
                Ok(k)
            }
            (None, Some(s)) => {
                let k = s
                    .scan(buf, |_| {})
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
                self.done = s.done();
                Ok(k)
            }
            (None, None) => {
                self.done = true;
                Ok(0)
            }
        }
    }

    /// Reads more from the client or writes what is buffered; each await either completes
    /// or leaves everything as it was, so the step can be dropped by a `select!`.
    async fn step(&mut self, rd: &mut Rd, buf: &mut BytesMut, uw: &mut Wr) -> io::Result<()> {
        if buf.is_empty() {
            if rd.read_buf(buf).await? == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            return Ok(());
        }
        let k = match (&self.left, &self.chunked) {
            (Some(left), _) => usize::try_from(*left).unwrap_or(usize::MAX).min(buf.len()),
            (None, Some(s)) => s
                .clone()
                .scan(buf, |_| {})
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?,
            (None, None) => 0,
        };
        if k == 0 {
            self.done = true;
            return Ok(());
        }
        let n = uw.write(&buf[..k]).await?;
        if n == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        if let Some(left) = &mut self.left {
            *left -= n as u64;
            self.done = *left == 0;
        } else if let Some(s) = &mut self.chunked {
            s.scan(&buf[..n], |_| {})
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
            self.done = s.done();
        }
        buf.advance(n);
        Ok(())
    }
}

/// Reads and drops the rest of a request body (at most `budget` bytes, for at most `time`).
async fn discard_body(c: &mut Half, body: &mut BodyRelay, mut budget: usize, time: Duration) {
    let drain = async {
        while !body.done && budget > 0 {
            if c.buf.is_empty() {
                match c.rd.read_buf(&mut c.buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
            }
            let Ok(k) = body.take(&c.buf) else { return };
            if k == 0 && !body.done {
                return;
            }
            c.buf.advance(k);
            budget = budget.saturating_sub(k);
        }
    };
    let _ = tokio::time::timeout(time, drain).await;
}

enum Step {
    Resp(io::Result<Resp>),
    Body(io::Result<()>),
    Read(io::Result<usize>),
}

/// The client side of an exchange: relay the body while there is one, then read ahead (to
/// see a pipelined request or the client's end).
async fn client_step(
    body: &mut BodyRelay,
    body_active: bool,
    rd: &mut Rd,
    buf: &mut BytesMut,
    uw: &mut Wr,
) -> Step {
    if body_active {
        Step::Body(body.step(rd, buf, uw).await)
    } else {
        Step::Read(rd.read_buf(buf).await)
    }
}

/// How a response ended.
enum Resp {
    Done {
        close: bool,
    },
    /// 101, or a body delimited by the connection's end (a hijacked stream): raw from now on.
    Raw,
}

/// What an upgraded `/grpc` connection is judged with.
struct Grpc<'a> {
    server: &'a Server,
    peer: &'a PeerInfo,
    api_version: Option<&'a str>,
}

/// One exchange: the request body (`framing`) goes up while the response comes down; a
/// client that shuts its write side is shut on the daemon's side too. With `grpc`, an upgraded
/// connection is relayed by [`super::grpc::relay`] instead of copied.
async fn exchange(
    c: &mut Half,
    up: &mut Option<Half>,
    framing: Framing,
    is_head: bool,
    client_close: bool,
    inject: Option<Vec<String>>,
    grpc: Option<Grpc<'_>>,
) -> io::Result<End> {
    let Some(u) = up.as_mut() else {
        return Ok(End::Close);
    };
    let mut body = BodyRelay::new(framing);
    let mut body_broken = false;
    let mut client_eof = false;
    let result = {
        let Half {
            rd: ur,
            wr: uw,
            buf: ubuf,
        } = u;
        let resp = response(ur, ubuf, &mut c.wr, is_head, inject.as_deref());
        tokio::pin!(resp);
        loop {
            let body_active = !body.done && !body_broken;
            let read_active = !body_active && !client_eof && c.buf.len() < READ_AHEAD;
            let step = tokio::select! {
                biased;
                r = &mut resp => Step::Resp(r),
                r = client_step(&mut body, body_active, &mut c.rd, &mut c.buf, uw),
                    if body_active || read_active => r,
            };
            match step {
                Step::Resp(r) => break r,
                Step::Body(Ok(())) => {}
                Step::Body(Err(e)) if e.kind() == io::ErrorKind::UnexpectedEof => {
                    // The client left in the middle of its body.
                    return Ok(End::Close);
                }
                Step::Body(Err(_)) => body_broken = true,
                Step::Read(Ok(0)) | Step::Read(Err(_)) => {
                    client_eof = true;
                    if c.buf.is_empty() {
                        // Half-close: the daemon sees what it would have seen directly.
                        let _ = uw.shutdown().await;
                    }
                }
                Step::Read(Ok(_)) => {}
            }
        }
    };
    match result {
        Err(_) => {
            *up = None;
            Ok(End::Close)
        }
        Ok(Resp::Raw) => {
            if let Some(mut u) = up.take() {
                let client_done = client_eof && c.buf.is_empty();
                match grpc {
                    Some(g) => {
                        super::grpc::relay(
                            g.server,
                            g.peer,
                            g.api_version,
                            &mut c.rd,
                            &mut c.wr,
                            &mut c.buf,
                            &mut u.rd,
                            &mut u.wr,
                            &mut u.buf,
                            client_done,
                        )
                        .await
                    }
                    None => splice(c, u, client_done).await,
                }
            }
            Ok(End::Close)
        }
        Ok(Resp::Done { close }) => {
            if close || client_close || body_broken {
                *up = None;
                if !body_broken && !client_eof {
                    // The daemon answered early (a redirect, an error): read the rest of the
                    // body as it would, so the client is not cut off mid-write.
                    discard_body(c, &mut body, 1 << 20, Duration::from_secs(2)).await;
                }
                return Ok(End::Close);
            }
            // The daemon answered before the body was all sent: finish it.
            while !body.done {
                let Some(u) = up.as_mut() else {
                    return Ok(End::Close);
                };
                if body.step(&mut c.rd, &mut c.buf, &mut u.wr).await.is_err() {
                    *up = None;
                    return Ok(End::Close);
                }
            }
            if client_eof && c.buf.is_empty() {
                return Ok(End::Close);
            }
            Ok(End::KeepAlive)
        }
    }
}

/// Relays responses (interim 1xx first) to the client; with `inject`, a 2xx JSON object
/// answer gets the warnings appended to its `Warnings`.
async fn response(
    ur: &mut Rd,
    ubuf: &mut BytesMut,
    cw: &mut Wr,
    is_head: bool,
    inject: Option<&[String]>,
) -> io::Result<Resp> {
    loop {
        let head = loop {
            match http::parse_response(ubuf, is_head) {
                Ok(Some(h)) => break h,
                Ok(None) => {
                    if ur.read_buf(ubuf).await? == 0 {
                        return Err(io::ErrorKind::UnexpectedEof.into());
                    }
                }
                Err(e) => return Err(io::Error::new(io::ErrorKind::InvalidData, e)),
            }
        };
        if head.status == 101 {
            cw.write_all(&ubuf[..head.len]).await?;
            ubuf.advance(head.len);
            return Ok(Resp::Raw);
        }
        let framing = match head.framing {
            None => {
                cw.write_all(&ubuf[..head.len]).await?;
                ubuf.advance(head.len);
                if (100..200).contains(&head.status) {
                    continue;
                }
                cw.flush().await?;
                return Ok(Resp::Done { close: head.close });
            }
            Some(Framing::UntilClose) => {
                cw.write_all(&ubuf[..head.len]).await?;
                ubuf.advance(head.len);
                cw.flush().await?;
                return Ok(Resp::Raw);
            }
            Some(f) => f,
        };
        if let Some(warnings) = inject
            && (200..300).contains(&head.status)
        {
            return injected(ur, ubuf, cw, head, framing, warnings).await;
        }
        cw.write_all(&ubuf[..head.len]).await?;
        ubuf.advance(head.len);
        relay_body(ur, ubuf, cw, framing).await?;
        return Ok(Resp::Done { close: head.close });
    }
}

/// Copies one response body (`Length` or `Chunked`) as it arrives.
async fn relay_body(
    ur: &mut Rd,
    ubuf: &mut BytesMut,
    cw: &mut Wr,
    framing: Framing,
) -> io::Result<()> {
    match framing {
        Framing::Length(mut left) => {
            while left > 0 {
                if ubuf.is_empty() && ur.read_buf(ubuf).await? == 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                let k = usize::try_from(left).unwrap_or(usize::MAX).min(ubuf.len());
                cw.write_all(&ubuf[..k]).await?;
                cw.flush().await?;
                ubuf.advance(k);
                left -= k as u64;
            }
        }
        Framing::Chunked => {
            let mut scanner = Chunked::new();
            loop {
                if !ubuf.is_empty() {
                    let k = scanner
                        .scan(ubuf, |_| {})
                        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
                    cw.write_all(&ubuf[..k]).await?;
                    cw.flush().await?;
                    ubuf.advance(k);
                    if scanner.done() {
                        break;
                    }
                }
                if ur.read_buf(ubuf).await? == 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
            }
        }
        Framing::UntilClose => {}
    }
    Ok(())
}

/// Buffers a (small) JSON answer and appends `warnings` to its `Warnings` array.
async fn injected(
    ur: &mut Rd,
    ubuf: &mut BytesMut,
    cw: &mut Wr,
    head: ResponseHead,
    framing: Framing,
    warnings: &[String],
) -> io::Result<Resp> {
    // Raw body bytes (as framed) and the decoded body.
    let mut raw_len = 0usize;
    let mut decoded = Vec::new();
    let mut scanner = Chunked::new();
    let mut left = match framing {
        Framing::Length(n) => Some(n),
        _ => None,
    };
    loop {
        let body = &ubuf[head.len + raw_len..];
        match &mut left {
            Some(l) => {
                let k = usize::try_from(*l).unwrap_or(usize::MAX).min(body.len());
                decoded.extend_from_slice(&body[..k]);
                raw_len += k;
                *l -= k as u64;
                if *l == 0 {
                    break;
                }
            }
            None => {
                let k = scanner
                    .scan(body, |d| decoded.extend_from_slice(d))
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
                raw_len += k;
                if scanner.done() {
                    break;
                }
            }
        }
        if raw_len > MAX_INJECT {
            // Too big to be the answer we expect: pass it on as it is.
            cw.write_all(&ubuf[..head.len + raw_len]).await?;
            ubuf.advance(head.len + raw_len);
            let rest = match left {
                Some(l) => Framing::Length(l),
                None => return relay_rest_chunked(ur, ubuf, cw, scanner, head.close).await,
            };
            relay_body(ur, ubuf, cw, rest).await?;
            return Ok(Resp::Done { close: head.close });
        }
        if ur.read_buf(ubuf).await? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
    }
    let with_warnings = add_warnings(&decoded, warnings);
    match with_warnings {
        Some(body) => {
            let mut out = Vec::with_capacity(head.len + body.len() + 32);
            let status_line_end = ubuf[..head.len]
                .windows(2)
                .position(|w| w == b"\r\n")
                .unwrap_or(0);
            out.extend_from_slice(&ubuf[..status_line_end + 2]);
            for (name, value) in &head.headers {
                if name.eq_ignore_ascii_case("content-length")
                    || name.eq_ignore_ascii_case("transfer-encoding")
                {
                    continue;
                }
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(b": ");
                out.extend_from_slice(value);
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
            out.extend_from_slice(&body);
            cw.write_all(&out).await?;
        }
        None => cw.write_all(&ubuf[..head.len + raw_len]).await?,
    }
    cw.flush().await?;
    ubuf.advance(head.len + raw_len);
    Ok(Resp::Done { close: head.close })
}

async fn relay_rest_chunked(
    ur: &mut Rd,
    ubuf: &mut BytesMut,
    cw: &mut Wr,
    mut scanner: Chunked,
    close: bool,
) -> io::Result<Resp> {
    while !scanner.done() {
        if ubuf.is_empty() && ur.read_buf(ubuf).await? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let k = scanner
            .scan(ubuf, |_| {})
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        cw.write_all(&ubuf[..k]).await?;
        ubuf.advance(k);
    }
    cw.flush().await?;
    Ok(Resp::Done { close })
}

/// The JSON object with `warnings` appended to `Warnings` (created when missing or null);
/// `None` when the body is not a JSON object.
pub(crate) fn add_warnings(body: &[u8], warnings: &[String]) -> Option<Vec<u8>> {
    let mut v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let obj = v.as_object_mut()?;
    let entry = obj
        .entry("Warnings")
        .or_insert(serde_json::Value::Array(Vec::new()));
    if entry.is_null() {
        *entry = serde_json::Value::Array(Vec::new());
    }
    let arr = entry.as_array_mut()?;
    arr.extend(warnings.iter().cloned().map(serde_json::Value::String));
    let mut out = serde_json::to_vec(&v).ok()?;
    out.push(b'\n');
    Some(out)
}

/// Raw two-way copy until both sides are done; the end of one direction is passed on as a
/// write shutdown (half-close) of the other.
async fn splice(c: &mut Half, mut u: Half, client_done: bool) {
    let Half {
        rd: crd,
        wr: cwr,
        buf: cbuf,
    } = c;
    let up = async {
        if !cbuf.is_empty() {
            if u.wr.write_all(cbuf).await.is_err() {
                let _ = u.wr.shutdown().await;
                return;
            }
            cbuf.clear();
        }
        if !client_done {
            let _ = tokio::io::copy(crd, &mut u.wr).await;
        }
        let _ = u.wr.shutdown().await;
    };
    let down = async {
        if !u.buf.is_empty() {
            if cwr.write_all(&u.buf).await.is_err() {
                return;
            }
            u.buf.clear();
        }
        let _ = tokio::io::copy(&mut u.rd, cwr).await;
        let _ = cwr.shutdown().await;
    };
    tokio::join!(up, down);
}

/// Answers `status` with `{"message": …}` like the engine's own errors.
pub(crate) async fn reply(cw: &mut Wr, status: u16, message: &str, close: bool) {
    let _ = cw.write_all(&error_response(status, message, close)).await;
    let _ = cw.flush().await;
}

pub(crate) fn error_response(status: u16, message: &str, close: bool) -> Vec<u8> {
    let mut body = serde_json::to_vec(&serde_json::json!({ "message": message }))
        .unwrap_or_else(|_| b"{}".to_vec());
    body.push(b'\n');
    let reason = http::reason(status);
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    )
    .into_bytes();
    if close {
        out.extend_from_slice(b"Connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_are_appended() {
        let out = add_warnings(br#"{"Id":"abc","Warnings":null}"#, &["w1".into()]).unwrap();
        assert_eq!(out, b"{\"Id\":\"abc\",\"Warnings\":[\"w1\"]}\n");
        let out = add_warnings(br#"{"Id":"abc","Warnings":["a"]}"#, &["b".into()]).unwrap();
        assert_eq!(out, b"{\"Id\":\"abc\",\"Warnings\":[\"a\",\"b\"]}\n");
        let out = add_warnings(br#"{"Id":"abc"}"#, &["b".into()]).unwrap();
        assert_eq!(out, b"{\"Id\":\"abc\",\"Warnings\":[\"b\"]}\n");
        assert!(add_warnings(b"[1]", &["b".into()]).is_none());
        assert!(add_warnings(b"nope", &["b".into()]).is_none());
    }

    #[test]
    fn error_answers_look_like_the_engine() {
        let r = error_response(403, "no \"privileged\"", false);
        let text = String::from_utf8(r).unwrap();
        assert!(text.starts_with("HTTP/1.1 403 Forbidden\r\n"), "{text}");
        assert!(
            text.ends_with("\r\n\r\n{\"message\":\"no \\\"privileged\\\"\"}\n"),
            "{text}"
        );
    }
}
