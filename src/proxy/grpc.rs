//! BuildKit's control API on `POST /grpc`: after the upgrade the connection speaks HTTP/2
//! (h2c) and gRPC. A build that asks for the host's network (`docker build --network host`,
//! `RUN --network=host`) or for privileges (`RUN --security=insecure`) says so only inside the
//! solve request, as the entitlements of `moby.buildkit.v1.Control/Solve`; the engine grants
//! `network.host` by default. So the proxy reads the client's side of the connection frame by
//! frame: every header block through one HPACK decoder (the connection's compression state,
//! as the engine's decoder keeps it), the streams whose path the engine would route to
//! `Solve`, and the first gRPC message of each such stream, which is judged before its last
//! byte reaches the engine. Everything else is relayed frame by frame, unchanged.
//!
//! A refused solve never reaches the engine whole: its last DATA frame is withheld, the engine
//! is told to drop the stream (`RST_STREAM`), and the client gets the answer a gRPC server
//! gives to a call it refuses (`grpc-status: 7`, permission denied, with harden's reason),
//! which buildx prints. The bytes withheld are given back to the client's connection window.

use super::judge::{JudgedRequest, PeerInfo, Verdict};
use super::route::Door;
use super::server::{Event, Server};
use bytes::{Buf, BytesMut};
use std::collections::{HashMap, HashSet};
use std::io;
use std::sync::Mutex;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

/// What an HTTP/2 client sends first.
const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
/// The method that carries a build's entitlements (`api/services/control/control.proto`).
const SOLVE: &[u8] = b"/moby.buildkit.v1.Control/Solve";

const DATA: u8 = 0x0;
const HEADERS: u8 = 0x1;
const RST_STREAM: u8 = 0x3;
const WINDOW_UPDATE: u8 = 0x8;
const CONTINUATION: u8 = 0x9;

const END_STREAM: u8 = 0x1;
const END_HEADERS: u8 = 0x4;
const PADDED: u8 = 0x8;
const PRIORITY: u8 = 0x20;

/// `RST_STREAM` error code CANCEL.
const CANCEL: u32 = 0x8;
/// gRPC status PERMISSION_DENIED.
const PERMISSION_DENIED: u8 = 7;
/// The longest reason put in `grpc-message` (the answer must fit the client's smallest
/// allowed frame, 16 KiB).
const MAX_MESSAGE: usize = 8 << 10;

/// The part of BuildKit's `SolveRequest` the judge reads; the rest is skipped as protobuf
/// skips unknown fields (the engine reads the whole message; what is not here grants nothing
/// the entitlements do not).
#[derive(Clone, PartialEq, prost::Message)]
struct SolveRequest {
    /// `repeated string Entitlements = 9` (read as bytes: the engine's gogo-protobuf code
    /// does not check UTF-8, and neither may the judge).
    #[prost(bytes = "vec", repeated, tag = "9")]
    entitlements: Vec<Vec<u8>>,
    /// `map<string, string> ExporterAttrs = 4`: the image name, for the log.
    #[prost(btree_map = "string, string", tag = "4")]
    exporter_attrs: std::collections::BTreeMap<String, String>,
}

/// What a solve request asks for, as the judge needs it.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Solve {
    /// The entitlements as sent (`network.host`, `security.insecure`, …), in order.
    pub entitlements: Vec<String>,
    /// The image the build names (`ExporterAttrs["name"]`), if any.
    pub image: Option<String>,
}

/// Decodes a `SolveRequest` message (the gRPC message's bytes, after its 5-byte prefix).
pub fn decode_solve(msg: &[u8]) -> Result<Solve, String> {
    let req = <SolveRequest as prost::Message>::decode(msg)
        .map_err(|e| format!("not a BuildKit solve request: {e}"))?;
    Ok(Solve {
        entitlements: req
            .entitlements
            .iter()
            .map(|e| String::from_utf8_lossy(e).into_owned())
            .collect(),
        image: req.exporter_attrs.get("name").cloned(),
    })
}

/// The path the engine routes a request by: its gRPC server takes Go's `r.URL.Path`, the
/// `:path` up to `?`, percent-decoded. `None` when Go refuses the request (no leading `/`, a
/// bad escape): the engine answers it with an error and calls nothing.
fn routed_path(raw: &[u8]) -> Option<Vec<u8>> {
    if raw.first() != Some(&b'/') {
        return None;
    }
    let raw = raw.split(|&b| b == b'?').next().unwrap_or_default();
    super::route::percent_decode(raw)
}

/// One frame's 9-byte header.
#[derive(Clone, Copy, Debug)]
struct FrameHead {
    len: usize,
    kind: u8,
    flags: u8,
    stream: u32,
}

/// The header of the frame at the start of `buf`, once the whole frame is there.
fn complete_frame(buf: &[u8]) -> Option<FrameHead> {
    if buf.len() < 9 {
        return None;
    }
    let len = (usize::from(buf[0]) << 16) | (usize::from(buf[1]) << 8) | usize::from(buf[2]);
    if buf.len() < 9 + len {
        return None;
    }
    Some(FrameHead {
        len,
        kind: buf[3],
        flags: buf[4],
        stream: u32::from_be_bytes([buf[5], buf[6], buf[7], buf[8]]) & 0x7fff_ffff,
    })
}

fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let mut f = Vec::with_capacity(9 + payload.len());
    let len = payload.len();
    f.extend_from_slice(&[(len >> 16) as u8, (len >> 8) as u8, len as u8, kind, flags]);
    f.extend_from_slice(&stream.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// An HPACK string literal, not Huffman-coded.
fn hpack_string(out: &mut Vec<u8>, s: &[u8]) {
    let _ = loona_hpack::encoder::encode_integer_into(s.len(), 7, 0, out);
    out.extend_from_slice(s);
}

/// A header "literal without indexing": it leaves the client's HPACK table as it is, so the
/// engine's later header blocks still decode.
fn hpack_literal(out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    out.push(0x00);
    hpack_string(out, name);
    hpack_string(out, value);
}

/// gRPC's percent-encoding of `grpc-message` (bytes outside printable ASCII, and `%`).
fn grpc_message(message: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len());
    for &b in message.as_bytes() {
        if out.len() >= MAX_MESSAGE {
            break;
        }
        if (0x20..=0x7e).contains(&b) && b != b'%' {
            out.push(b);
        } else {
            out.extend_from_slice(format!("%{b:02X}").as_bytes());
        }
    }
    out
}

/// The answer that ends a refused call: trailers with `grpc-status` and `grpc-message`, after
/// `:status 200` and the content type unless the engine already sent the response's headers.
fn refusal_frame(stream: u32, message: &str, headers_sent: bool) -> Vec<u8> {
    let mut block = Vec::new();
    if !headers_sent {
        block.push(0x88); // `:status: 200`, static table entry 8
        hpack_literal(&mut block, b"content-type", b"application/grpc");
    }
    hpack_literal(
        &mut block,
        b"grpc-status",
        PERMISSION_DENIED.to_string().as_bytes(),
    );
    hpack_literal(&mut block, b"grpc-message", &grpc_message(message));
    frame(HEADERS, END_STREAM | END_HEADERS, stream, &block)
}

fn window_update(increment: u32) -> Vec<u8> {
    frame(WINDOW_UPDATE, 0, 0, &increment.to_be_bytes())
}

/// From the client's side to the engine's: what the engine's side must do.
enum Down {
    /// End `stream` with a refusal and give `credit` bytes back to the connection window.
    Refuse {
        stream: u32,
        message: String,
        credit: usize,
    },
    /// Give bytes withheld from the engine back to the connection window.
    Credit(usize),
}

/// A solve stream whose first message is being read.
#[derive(Default)]
struct Pending {
    msg: Vec<u8>,
}

/// What the client side decided for one frame.
enum Action {
    Forward,
    /// Withhold the frame (its DATA bytes, if any, are given back to the client).
    Drop,
    /// Withhold it, tell the engine to drop the stream, and answer the client.
    Refuse(String),
    /// The connection cannot be judged: close it.
    Close(String),
}

/// The client's half of the connection, as the engine's HTTP/2 server reads it.
struct ClientSide<'a> {
    server: &'a Server,
    peer: &'a PeerInfo,
    api_version: Option<&'a str>,
    hpack: loona_hpack::Decoder<'static>,
    /// The header block being collected: its stream, whether the stream ends with it, and
    /// the fragments so far.
    block: Option<(u32, bool, Vec<u8>)>,
    pending: HashMap<u32, Pending>,
    refused: &'a Mutex<HashSet<u32>>,
}

impl ClientSide<'_> {
    async fn frame(&mut self, h: FrameHead, payload: &[u8]) -> Action {
        if let Some((stream, _, _)) = &self.block
            && (h.kind != CONTINUATION || h.stream != *stream)
        {
            return Action::Close("a header block was interrupted".into());
        }
        match h.kind {
            HEADERS => {
                let Some(fragment) = strip(payload, h.flags, true) else {
                    return Action::Close("a HEADERS frame with bad padding".into());
                };
                self.block = Some((h.stream, h.flags & END_STREAM != 0, fragment.to_vec()));
                self.end_of_block(h.flags)
            }
            CONTINUATION => {
                let Some((_, _, block)) = &mut self.block else {
                    return Action::Close("a CONTINUATION frame outside a header block".into());
                };
                block.extend_from_slice(payload);
                if block.len() > self.server.max_body {
                    return Action::Close("a header block too large to judge".into());
                }
                self.end_of_block(h.flags)
            }
            _ if self.is_refused(h.stream) => Action::Drop,
            DATA => match self.pending.get_mut(&h.stream) {
                Some(p) => {
                    let Some(data) = strip(payload, h.flags, false) else {
                        return Action::Close("a DATA frame with bad padding".into());
                    };
                    p.msg.extend_from_slice(data);
                    let whole = match message_len(&p.msg) {
                        Some(n) if n > self.server.max_body => {
                            self.pending.remove(&h.stream);
                            return Action::Refuse(format!(
                                "harden proxy: the solve request is over {} MiB, too large to judge",
                                self.server.max_body >> 20
                            ));
                        }
                        Some(n) => p.msg.len() >= 5 + n,
                        None => false,
                    };
                    if whole {
                        let msg = std::mem::take(&mut p.msg);
                        self.pending.remove(&h.stream);
                        return self.judge(&msg).await;
                    }
                    if h.flags & END_STREAM != 0 {
                        // The call ends before its message does: the engine refuses it.
                        self.pending.remove(&h.stream);
                    }
                    Action::Forward
                }
                None => Action::Forward,
            },
            RST_STREAM => {
                self.pending.remove(&h.stream);
                Action::Forward
            }
            _ => Action::Forward,
        }
    }

    fn is_refused(&self, stream: u32) -> bool {
        stream != 0 && self.refused.lock().is_ok_and(|r| r.contains(&stream))
    }

    /// After a HEADERS or CONTINUATION frame: decodes the block once it is whole (every
    /// block, so the table stays the engine's) and notes a call to `Solve`.
    fn end_of_block(&mut self, flags: u8) -> Action {
        if flags & END_HEADERS == 0 {
            return Action::Forward;
        }
        let Some((stream, ends, block)) = self.block.take() else {
            return Action::Forward;
        };
        let mut path: Option<Vec<u8>> = None;
        let mut paths = 0;
        let decoded = self.hpack.decode_with_cb(&block, |name, value| {
            if name.as_ref() == b":path" {
                paths += 1;
                path = Some(value.into_owned());
            }
        });
        if let Err(e) = decoded {
            return Action::Close(format!("a header block does not decode ({e:?})"));
        }
        if paths > 1 {
            return Action::Close("a request with two :path headers".into());
        }
        let solve = path
            .as_deref()
            .and_then(routed_path)
            .is_some_and(|p| p == SOLVE);
        if solve && !ends && !self.pending.contains_key(&stream) {
            self.pending.insert(stream, Pending::default());
        }
        Action::Forward
    }

    async fn judge(&self, msg: &[u8]) -> Action {
        if msg.first() != Some(&0) {
            return Action::Refuse(
                "harden proxy: a compressed solve request cannot be judged; send it uncompressed"
                    .into(),
            );
        }
        let body = &msg[5..];
        let verdict = self
            .server
            .judge
            .judge(JudgedRequest {
                door: Door::BuildKit,
                method: "POST",
                path: "/moby.buildkit.v1.Control/Solve",
                name: None,
                query: "",
                api_version: self.api_version,
                headers: &[],
                body: Some(body),
                peer: self.peer,
            })
            .await;
        match verdict {
            Verdict::Forward { .. } => Action::Forward,
            Verdict::Refuse { message, .. } => Action::Refuse(message),
        }
    }
}

/// The length a gRPC message's 5-byte prefix announces, once it is there.
fn message_len(msg: &[u8]) -> Option<usize> {
    let p = msg.get(1..5)?;
    Some(u32::from_be_bytes([p[0], p[1], p[2], p[3]]) as usize)
}

/// A HEADERS or DATA payload without its padding (and a HEADERS frame's priority fields).
fn strip(payload: &[u8], flags: u8, headers: bool) -> Option<&[u8]> {
    let mut p = payload;
    let mut pad = 0;
    if flags & PADDED != 0 {
        pad = usize::from(*p.first()?);
        p = &p[1..];
    }
    if headers && flags & PRIORITY != 0 {
        p = p.get(5..)?;
    }
    p.get(..p.len().checked_sub(pad)?)
}

/// Relays an upgraded `/grpc` connection: the client's frames judged as above, the engine's
/// relayed frame by frame (answers to refused calls injected between them). `cbuf` and `ubuf`
/// hold what each side sent past the upgrade.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn relay<CR, CW, UR, UW>(
    server: &Server,
    peer: &PeerInfo,
    api_version: Option<&str>,
    crd: &mut CR,
    cwr: &mut CW,
    cbuf: &mut BytesMut,
    urd: &mut UR,
    uwr: &mut UW,
    ubuf: &mut BytesMut,
    client_done: bool,
) where
    CR: AsyncRead + Unpin,
    CW: AsyncWrite + Unpin,
    UR: AsyncRead + Unpin,
    UW: AsyncWrite + Unpin,
{
    let refused = Mutex::new(HashSet::new());
    let (tx, rx) = mpsc::unbounded_channel();
    let up = async {
        let result = client_to_engine(
            server,
            peer,
            api_version,
            crd,
            cbuf,
            uwr,
            &refused,
            &tx,
            client_done,
        )
        .await;
        if let Err(reason) = result {
            server.event(Event::Refused {
                peer: peer.clone(),
                request: Some("POST /grpc".into()),
                door: Some(Door::BuildKit),
                status: 400,
                message: format!("harden proxy: {reason}; connection closed"),
            });
        }
        let _ = uwr.shutdown().await;
        drop(tx);
    };
    let down = async {
        let _ = engine_to_client(urd, ubuf, cwr, &refused, rx).await;
        let _ = cwr.shutdown().await;
    };
    tokio::join!(up, down);
}

#[allow(clippy::too_many_arguments)]
async fn client_to_engine<CR, UW>(
    server: &Server,
    peer: &PeerInfo,
    api_version: Option<&str>,
    crd: &mut CR,
    cbuf: &mut BytesMut,
    uwr: &mut UW,
    refused: &Mutex<HashSet<u32>>,
    tx: &mpsc::UnboundedSender<Down>,
    client_done: bool,
) -> Result<(), String>
where
    CR: AsyncRead + Unpin,
    UW: AsyncWrite + Unpin,
{
    let mut eof = client_done;
    while cbuf.len() < PREFACE.len() && !eof {
        if matches!(crd.read_buf(cbuf).await, Ok(0) | Err(_)) {
            eof = true;
        }
    }
    if !cbuf.starts_with(PREFACE) {
        if cbuf.is_empty() {
            return Ok(());
        }
        return Err("the BuildKit connection does not speak HTTP/2".into());
    }
    let write = |e: io::Error| format!("writing to the engine: {e}");
    uwr.write_all(PREFACE).await.map_err(write)?;
    cbuf.advance(PREFACE.len());
    let mut side = ClientSide {
        server,
        peer,
        api_version,
        hpack: loona_hpack::Decoder::new(),
        block: None,
        pending: HashMap::new(),
        refused,
    };
    loop {
        while let Some(h) = complete_frame(cbuf) {
            let bytes = cbuf.split_to(9 + h.len);
            let action = side.frame(h, &bytes[9..]).await;
            let credit = if h.kind == DATA { h.len } else { 0 };
            match action {
                Action::Forward => uwr.write_all(&bytes).await.map_err(write)?,
                Action::Drop => {
                    if credit > 0 {
                        let _ = tx.send(Down::Credit(credit));
                    }
                }
                Action::Refuse(message) => {
                    if let Ok(mut r) = refused.lock() {
                        r.insert(h.stream);
                    }
                    let mut rst = [0u8; 4];
                    rst.copy_from_slice(&CANCEL.to_be_bytes());
                    uwr.write_all(&frame(RST_STREAM, 0, h.stream, &rst))
                        .await
                        .map_err(write)?;
                    let _ = tx.send(Down::Refuse {
                        stream: h.stream,
                        message,
                        credit,
                    });
                }
                Action::Close(reason) => return Err(reason),
            }
        }
        if eof {
            if cbuf.is_empty() {
                return Ok(());
            }
            return Err("the client's connection ended in the middle of a frame".into());
        }
        uwr.flush().await.map_err(write)?;
        if matches!(crd.read_buf(cbuf).await, Ok(0) | Err(_)) {
            eof = true;
        }
    }
}

async fn engine_to_client<UR, CW>(
    urd: &mut UR,
    ubuf: &mut BytesMut,
    cwr: &mut CW,
    refused: &Mutex<HashSet<u32>>,
    mut rx: mpsc::UnboundedReceiver<Down>,
) -> io::Result<()>
where
    UR: AsyncRead + Unpin,
    CW: AsyncWrite + Unpin,
{
    // Streams the engine has sent response headers on (a refusal then sends trailers only).
    let mut answered: HashSet<u32> = HashSet::new();
    let mut open = true;
    let mut eof = false;
    loop {
        while let Some(h) = complete_frame(ubuf) {
            let bytes = ubuf.split_to(9 + h.len);
            let dropped = h.stream != 0
                && h.kind != HEADERS
                && h.kind != CONTINUATION
                && refused.lock().is_ok_and(|r| r.contains(&h.stream));
            if h.kind == HEADERS {
                answered.insert(h.stream);
            }
            if !dropped {
                cwr.write_all(&bytes).await?;
            }
        }
        if eof {
            if !ubuf.is_empty() {
                cwr.write_all(ubuf).await?;
                ubuf.clear();
            }
            return Ok(());
        }
        cwr.flush().await?;
        tokio::select! {
            cmd = rx.recv(), if open => match cmd {
                Some(Down::Refuse { stream, message, credit }) => {
                    let mut out = refusal_frame(stream, &message, answered.contains(&stream));
                    if credit > 0 {
                        out.extend_from_slice(&window_update(credit as u32));
                    }
                    cwr.write_all(&out).await?;
                }
                Some(Down::Credit(n)) => cwr.write_all(&window_update(n as u32)).await?,
                None => open = false,
            },
            r = urd.read_buf(ubuf) => {
                if matches!(r, Ok(0) | Err(_)) {
                    eof = true;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn solve_msg(entitlements: &[&str], name: Option<&str>) -> Vec<u8> {
        let mut req = SolveRequest {
            entitlements: entitlements.iter().map(|e| e.as_bytes().to_vec()).collect(),
            ..Default::default()
        };
        if let Some(n) = name {
            req.exporter_attrs.insert("name".into(), n.into());
        }
        prost::Message::encode_to_vec(&req)
    }

    #[test]
    fn a_solve_request_is_read_as_protobuf_reads_it() {
        let s = decode_solve(&solve_msg(&["network.host"], Some("x:1"))).unwrap();
        assert_eq!(s.entitlements, ["network.host"]);
        assert_eq!(s.image.as_deref(), Some("x:1"));
        // Unknown fields (Ref = 1, a nested Definition = 2, FrontendAttrs = 7) are skipped; a
        // repeated field may come in pieces, each one adding.
        let mut msg = vec![0x0a, 0x03, b'r', b'e', b'f', 0x12, 0x02, 0x08, 0x01];
        msg.extend_from_slice(&solve_msg(&["security.insecure"], None));
        msg.extend_from_slice(&[0x3a, 0x00]);
        msg.extend_from_slice(&solve_msg(&["network.host"], None));
        let s = decode_solve(&msg).unwrap();
        assert_eq!(s.entitlements, ["security.insecure", "network.host"]);
        // Field 9 with the wrong wire type fails, as the engine's decoder fails.
        assert!(decode_solve(&[0x48, 0x01]).is_err());
        assert!(decode_solve(&[0x4a, 0x05, b'a']).is_err());
    }

    #[test]
    fn the_routed_path_is_go_s_url_path() {
        assert_eq!(routed_path(SOLVE).as_deref(), Some(SOLVE));
        assert_eq!(
            routed_path(b"/moby.buildkit.v1.Control%2FSolve?x=1").as_deref(),
            Some(SOLVE)
        );
        assert_eq!(
            routed_path(b"/moby.buildkit.v1.Control/%53olve").as_deref(),
            Some(SOLVE)
        );
        assert_eq!(routed_path(b"/x%zz"), None);
        assert_eq!(routed_path(b"moby.buildkit.v1.Control/Solve"), None);
    }

    #[test]
    fn padding_and_priority_are_taken_off() {
        assert_eq!(strip(b"abc", 0, false), Some(&b"abc"[..]));
        assert_eq!(strip(b"\x02abcXX", PADDED, false), Some(&b"abc"[..]));
        assert_eq!(strip(b"\x09abc", PADDED, false), None);
        assert_eq!(
            strip(b"\x01\0\0\0\x01\x10abcX", PADDED | PRIORITY, true),
            Some(&b"abc"[..])
        );
    }

    #[test]
    fn the_refusal_decodes_as_grpc_trailers() {
        let f = refusal_frame(3, "harden: no 100% host\nnetwork", false);
        let h = complete_frame(&f).unwrap();
        assert_eq!((h.kind, h.flags, h.stream), (HEADERS, 5, 3));
        let headers = loona_hpack::Decoder::new().decode(&f[9..]).unwrap();
        let get = |n: &str| {
            headers
                .iter()
                .find(|(k, _)| k == n.as_bytes())
                .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
        };
        assert_eq!(get(":status").as_deref(), Some("200"));
        assert_eq!(get("content-type").as_deref(), Some("application/grpc"));
        assert_eq!(get("grpc-status").as_deref(), Some("7"));
        assert_eq!(
            get("grpc-message").as_deref(),
            Some("harden: no 100%25 host%0Anetwork")
        );
        // After the engine's own headers: trailers only.
        let f = refusal_frame(3, "x", true);
        let headers = loona_hpack::Decoder::new().decode(&f[9..]).unwrap();
        assert_eq!(headers.len(), 2);
        let w = window_update(70000);
        let h = complete_frame(&w).unwrap();
        assert_eq!((h.kind, h.len, h.stream), (WINDOW_UPDATE, 4, 0));
        assert_eq!(&w[9..], &70000u32.to_be_bytes());
    }
}
