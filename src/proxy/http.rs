//! HTTP/1.x as a proxy needs it: request and response heads (httparse), how long each body is,
//! and a chunked-encoding scanner that finds where a chunked body ends without buffering it.
//!
//! Requests are read strictly: the proxy must agree with the engine (Go's net/http) on where
//! every request ends, or a second request could reach the engine unseen. So anything Go might
//! read differently is refused: `Transfer-Encoding` other than exactly `chunked`, both
//! `Transfer-Encoding` and `Content-Length`, differing `Content-Length`s, `Transfer-Encoding`
//! on HTTP/1.0 (Go ignores it there), obsolete line folding, bare-LF chunk lines.

/// Go's `http.DefaultMaxHeaderBytes`.
pub const MAX_HEAD: usize = 1 << 20;
const MAX_HEADERS: usize = 256;
/// Go's chunked reader refuses longer chunk-size lines.
const MAX_CHUNK_LINE: usize = 4096;
const MAX_TRAILER: usize = 64 << 10;

/// The reason phrase of a status code (`Forbidden`).
pub fn reason(status: u16) -> &'static str {
    ::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Unknown")
}

/// How long a message body is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    Length(u64),
    Chunked,
    /// Responses only: the body runs until the connection closes (hijacked streams).
    UntilClose,
}

/// A parsed request head.
#[derive(Debug)]
pub struct RequestHead {
    pub method: String,
    pub target: String,
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    pub minor: u8,
    /// Header names and values as sent, in order.
    pub headers: Vec<(String, Vec<u8>)>,
    /// Bytes of the head, blank line included.
    pub len: usize,
    pub framing: Framing,
    pub expect_continue: bool,
    /// The client asked to close after this exchange.
    pub close: bool,
}

impl RequestHead {
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    /// `Content-Type` is a form Go's `ParseForm` reads from the body.
    pub fn has_form_body(&self) -> bool {
        let Some(ct) = self.header("content-type") else {
            return false;
        };
        let ct = String::from_utf8_lossy(ct).to_ascii_lowercase();
        let media = ct.split(';').next().unwrap_or_default().trim();
        media == "application/x-www-form-urlencoded" || media == "multipart/form-data"
    }
}

/// Why a request head was refused (the status to answer with, and why).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct HeadError {
    pub status: u16,
    pub message: String,
}

fn bad(status: u16, message: impl Into<String>) -> HeadError {
    HeadError {
        status,
        message: message.into(),
    }
}

/// Parses a request head at the start of `buf`: `Ok(None)` when more bytes are needed.
pub fn parse_request(buf: &[u8]) -> Result<Option<RequestHead>, HeadError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    let len = match req.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => {
            if buf.len() > MAX_HEAD {
                return Err(bad(431, "request header fields too large"));
            }
            return Ok(None);
        }
        Err(httparse::Error::TooManyHeaders) => {
            return Err(bad(431, "too many request header fields"));
        }
        Err(e) => return Err(bad(400, format!("malformed request: {e}"))),
    };
    if len > MAX_HEAD {
        return Err(bad(431, "request header fields too large"));
    }
    let method = req.method.unwrap_or_default().to_string();
    let target = req.path.unwrap_or_default().to_string();
    let minor = req.version.unwrap_or(1);
    let headers: Vec<(String, Vec<u8>)> = req
        .headers
        .iter()
        .map(|h| (h.name.to_string(), h.value.to_vec()))
        .collect();
    let mut te: Vec<String> = Vec::new();
    let mut cl: Option<u64> = None;
    let mut expect_continue = false;
    let mut close = minor == 0;
    for (name, value) in &headers {
        let v = String::from_utf8_lossy(value);
        if name.eq_ignore_ascii_case("transfer-encoding") {
            te.extend(
                v.split(',')
                    .map(|s| s.trim_matches([' ', '\t']).to_ascii_lowercase()),
            );
        } else if name.eq_ignore_ascii_case("content-length") {
            let t = v.trim_matches([' ', '\t']);
            if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) || t.len() > 18 {
                return Err(bad(400, format!("bad Content-Length {t:?}")));
            }
            let n: u64 = t
                .parse()
                .map_err(|_| bad(400, format!("bad Content-Length {t:?}")))?;
            if cl.is_some_and(|c| c != n) {
                return Err(bad(400, "differing Content-Length headers"));
            }
            cl = Some(n);
        } else if name.eq_ignore_ascii_case("expect") {
            if v.trim().eq_ignore_ascii_case("100-continue") {
                expect_continue = true;
            }
        } else if name.eq_ignore_ascii_case("connection") {
            for token in v.split(',').map(|s| s.trim().to_ascii_lowercase()) {
                match token.as_str() {
                    "close" => close = true,
                    "keep-alive" if minor == 0 => close = false,
                    _ => {}
                }
            }
        }
    }
    let framing = if !te.is_empty() {
        if minor == 0 {
            return Err(bad(400, "Transfer-Encoding on an HTTP/1.0 request"));
        }
        if cl.is_some() {
            return Err(bad(400, "both Transfer-Encoding and Content-Length"));
        }
        if te != ["chunked"] {
            return Err(bad(
                501,
                format!("unsupported Transfer-Encoding {:?}", te.join(", ")),
            ));
        }
        Framing::Chunked
    } else {
        Framing::Length(cl.unwrap_or(0))
    };
    Ok(Some(RequestHead {
        method,
        target,
        minor,
        headers,
        len,
        framing,
        expect_continue,
        close,
    }))
}

/// A parsed response head.
#[derive(Debug)]
pub struct ResponseHead {
    pub status: u16,
    pub headers: Vec<(String, Vec<u8>)>,
    pub len: usize,
    /// `None`: no body (1xx, 204, 304, an answer to HEAD).
    pub framing: Option<Framing>,
    /// The server will close after this response.
    pub close: bool,
}

/// Parses a response head (`head_request`: the request was `HEAD`).
pub fn parse_response(buf: &[u8], head_request: bool) -> Result<Option<ResponseHead>, HeadError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut resp = httparse::Response::new(&mut headers);
    let len = match resp.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => {
            if buf.len() > MAX_HEAD {
                return Err(bad(502, "the daemon's response head is too large"));
            }
            return Ok(None);
        }
        Err(e) => return Err(bad(502, format!("malformed response from the daemon: {e}"))),
    };
    let status = resp.code.unwrap_or(0);
    let minor = resp.version.unwrap_or(1);
    let headers: Vec<(String, Vec<u8>)> = resp
        .headers
        .iter()
        .map(|h| (h.name.to_string(), h.value.to_vec()))
        .collect();
    let mut chunked = None;
    let mut cl = None;
    let mut close = minor == 0;
    for (name, value) in &headers {
        let v = String::from_utf8_lossy(value);
        if name.eq_ignore_ascii_case("transfer-encoding") {
            let last = v.rsplit(',').next().unwrap_or_default();
            chunked = Some(last.trim().eq_ignore_ascii_case("chunked"));
        } else if name.eq_ignore_ascii_case("content-length") {
            cl = v.trim().parse::<u64>().ok();
            if cl.is_none() {
                return Err(bad(502, format!("bad Content-Length from the daemon: {v}")));
            }
        } else if name.eq_ignore_ascii_case("connection") {
            for token in v.split(',').map(|s| s.trim().to_ascii_lowercase()) {
                match token.as_str() {
                    "close" => close = true,
                    "keep-alive" if minor == 0 => close = false,
                    _ => {}
                }
            }
        }
    }
    let framing = if (100..200).contains(&status) || status == 204 || status == 304 || head_request
    {
        None
    } else {
        match (chunked, cl) {
            (Some(true), _) => Some(Framing::Chunked),
            (Some(false), _) => Some(Framing::UntilClose),
            (None, Some(n)) => Some(Framing::Length(n)),
            (None, None) => Some(Framing::UntilClose),
        }
    };
    Ok(Some(ResponseHead {
        status,
        headers,
        len,
        framing,
        close,
    }))
}

/// Where a chunked body ends, found incrementally (strict: CRLF line ends, hex sizes).
#[derive(Clone, Debug, Default)]
pub struct Chunked {
    state: ChunkState,
    /// The chunk size being read.
    size: u64,
    /// Bytes of the current chunk-size line.
    line: usize,
    /// Bytes of trailer so far.
    trailer: usize,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum ChunkState {
    /// Reading the hex size.
    #[default]
    Size,
    /// Past `;`: an extension up to CR.
    Ext,
    SizeLf,
    Data(u64),
    DataCr,
    DataLf,
    /// At the start of a trailer line (after the last chunk).
    TrailerStart,
    TrailerLine,
    TrailerLf,
    EndLf,
    Done,
}

/// A malformed chunked body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed chunked encoding: {0}")]
pub struct ChunkError(pub &'static str);

impl Chunked {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn done(&self) -> bool {
        self.state == ChunkState::Done
    }

    /// Consumes bytes of the body from `data`, calling `on_data` with the payload. Returns how
    /// many bytes belong to the body (all of `data` unless the body ends inside it).
    pub fn scan(
        &mut self,
        data: &[u8],
        mut on_data: impl FnMut(&[u8]),
    ) -> Result<usize, ChunkError> {
        let mut i = 0;
        while i < data.len() {
            let b = data[i];
            match self.state {
                ChunkState::Size => {
                    if let Some(d) = (b as char).to_digit(16) {
                        if self.line >= 16 {
                            return Err(ChunkError("chunk size too large"));
                        }
                        self.line += 1;
                        self.size = self.size * 16 + u64::from(d);
                    } else if self.line == 0 {
                        return Err(ChunkError("missing chunk size"));
                    } else if b == b';' {
                        self.state = ChunkState::Ext;
                    } else if b == b'\r' {
                        self.state = ChunkState::SizeLf;
                    } else {
                        return Err(ChunkError("bad chunk size line"));
                    }
                    i += 1;
                }
                ChunkState::Ext => {
                    self.line += 1;
                    if self.line > MAX_CHUNK_LINE {
                        return Err(ChunkError("chunk line too long"));
                    }
                    if b == b'\r' {
                        self.state = ChunkState::SizeLf;
                    } else if b == b'\n' {
                        return Err(ChunkError("bare LF in chunk line"));
                    }
                    i += 1;
                }
                ChunkState::SizeLf => {
                    if b != b'\n' {
                        return Err(ChunkError("CR without LF"));
                    }
                    i += 1;
                    let size = self.size;
                    self.line = 0;
                    self.size = 0;
                    self.state = if size == 0 {
                        ChunkState::TrailerStart
                    } else {
                        ChunkState::Data(size)
                    };
                }
                ChunkState::Data(left) => {
                    let n = (data.len() - i).min(usize::try_from(left).unwrap_or(usize::MAX));
                    on_data(&data[i..i + n]);
                    i += n;
                    let left = left - n as u64;
                    self.state = if left == 0 {
                        ChunkState::DataCr
                    } else {
                        ChunkState::Data(left)
                    };
                }
                ChunkState::DataCr => {
                    if b != b'\r' {
                        return Err(ChunkError("chunk data not followed by CRLF"));
                    }
                    self.state = ChunkState::DataLf;
                    i += 1;
                }
                ChunkState::DataLf => {
                    if b != b'\n' {
                        return Err(ChunkError("chunk data not followed by CRLF"));
                    }
                    self.state = ChunkState::Size;
                    i += 1;
                }
                ChunkState::TrailerStart => {
                    if b == b'\r' {
                        self.state = ChunkState::EndLf;
                    } else {
                        self.state = ChunkState::TrailerLine;
                        continue;
                    }
                    i += 1;
                }
                ChunkState::TrailerLine => {
                    self.trailer += 1;
                    if self.trailer > MAX_TRAILER {
                        return Err(ChunkError("trailer too long"));
                    }
                    if b == b'\r' {
                        self.state = ChunkState::TrailerLf;
                    } else if b == b'\n' {
                        return Err(ChunkError("bare LF in trailer"));
                    }
                    i += 1;
                }
                ChunkState::TrailerLf => {
                    if b != b'\n' {
                        return Err(ChunkError("CR without LF in trailer"));
                    }
                    self.state = ChunkState::TrailerStart;
                    i += 1;
                }
                ChunkState::EndLf => {
                    if b != b'\n' {
                        return Err(ChunkError("CR without LF at the end"));
                    }
                    self.state = ChunkState::Done;
                    i += 1;
                    return Ok(i);
                }
                ChunkState::Done => return Ok(i),
            }
        }
        Ok(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(text: &str) -> Result<Option<RequestHead>, HeadError> {
        parse_request(text.as_bytes())
    }

    #[test]
    fn framing_of_requests() {
        let h = req("POST /x HTTP/1.1\r\nHost: d\r\nContent-Length: 5\r\n\r\nhello")
            .unwrap()
            .unwrap();
        assert_eq!(h.framing, Framing::Length(5));
        assert!(!h.close);
        let h = req("POST /x HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n")
            .unwrap()
            .unwrap();
        assert_eq!(h.framing, Framing::Chunked);
        let h = req("GET /x HTTP/1.1\r\n\r\n").unwrap().unwrap();
        assert_eq!(h.framing, Framing::Length(0));
        let h = req("GET /x HTTP/1.0\r\n\r\n").unwrap().unwrap();
        assert!(h.close);
        let h = req("GET /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            .unwrap()
            .unwrap();
        assert!(!h.close);
        let h = req("POST /x HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n")
            .unwrap()
            .unwrap();
        assert_eq!(h.framing, Framing::Length(5));
        assert!(req("GET /x HTTP/1.1\r\nHost: d\r\n").unwrap().is_none());
    }

    #[test]
    fn ambiguous_requests_are_refused() {
        for (text, status) in [
            (
                "POST /x HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
                400,
            ),
            (
                "POST /x HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
                400,
            ),
            (
                "POST /x HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
                501,
            ),
            (
                "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
                501,
            ),
            (
                "POST /x HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n",
                501,
            ),
            (
                "POST /x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
                400,
            ),
            ("POST /x HTTP/1.1\r\nContent-Length: +5\r\n\r\n", 400),
            ("POST /x HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n", 400),
            ("POST /x HTTP/1.1\r\nContent-Length: 0x5\r\n\r\n", 400),
            ("POST /x HTTP/1.1\r\nHost: d\r\n folded\r\n\r\n", 400),
            ("POST /x HTTP/1.1\r\nContent-Length : 5\r\n\r\n", 400),
            ("POST /x y HTTP/1.1\r\n\r\n", 400),
        ] {
            let e = req(text)
                .err()
                .unwrap_or_else(|| panic!("accepted {text:?}"));
            assert_eq!(e.status, status, "{text:?}: {e}");
        }
    }

    #[test]
    fn oversized_heads_are_refused() {
        let mut text = String::from("GET / HTTP/1.1\r\n");
        while text.len() <= MAX_HEAD {
            text.push_str("X-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
        }
        assert_eq!(req(&text).unwrap_err().status, 431);
    }

    fn decode(body: &[u8]) -> Result<(usize, Vec<u8>, bool), ChunkError> {
        let mut s = Chunked::new();
        let mut out = Vec::new();
        let n = s.scan(body, |d| out.extend_from_slice(d))?;
        Ok((n, out, s.done()))
    }

    #[test]
    fn chunked_bodies_end_where_go_ends_them() {
        let body = b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\nGET /next";
        let (n, out, done) = decode(body).unwrap();
        assert!(done);
        assert_eq!(out, b"hello world");
        assert_eq!(&body[n..], b"GET /next");
        // Trailers.
        let body = b"1\r\na\r\n0\r\nX-T: 1\r\n\r\nrest";
        let (n, out, done) = decode(body).unwrap();
        assert!(done && out == b"a" && &body[n..] == b"rest");
        // Byte by byte gives the same answer.
        let body = b"A\r\n0123456789\r\n0\r\n\r\n";
        let mut s = Chunked::new();
        let mut out = Vec::new();
        for b in body.chunks(1) {
            assert_eq!(s.scan(b, |d| out.extend_from_slice(d)).unwrap(), 1);
        }
        assert!(s.done());
        assert_eq!(out, b"0123456789");
    }

    #[test]
    fn malformed_chunks_are_errors() {
        for body in [
            &b"5\nhello\r\n0\r\n\r\n"[..],
            b"5\r\nhelloX\r\n",
            b"x\r\n",
            b"\r\n",
            b" 5\r\nhello\r\n",
            b"5 \r\nhello\r\n",
            b"11111111111111111\r\n",
            b"0\r\nX: 1\n\r\n",
        ] {
            assert!(decode(body).is_err(), "{:?}", String::from_utf8_lossy(body));
        }
        // Incomplete is not an error.
        let (n, _, done) = decode(b"5\r\nhel").unwrap();
        assert_eq!((n, done), (6, false));
    }

    #[test]
    fn response_framing() {
        let r = |t: &str, head: bool| parse_response(t.as_bytes(), head).unwrap().unwrap();
        assert_eq!(
            r("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n", false).framing,
            Some(Framing::Length(3))
        );
        assert_eq!(
            r("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n", true).framing,
            None
        );
        assert_eq!(r("HTTP/1.1 204 No Content\r\n\r\n", false).framing, None);
        assert_eq!(r("HTTP/1.1 100 Continue\r\n\r\n", false).framing, None);
        assert_eq!(
            r(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                false
            )
            .framing,
            Some(Framing::Chunked)
        );
        let hijack = r(
            "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n",
            false,
        );
        assert_eq!(hijack.framing, Some(Framing::UntilClose));
        assert!(
            r(
                "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                false
            )
            .close
        );
    }
}
