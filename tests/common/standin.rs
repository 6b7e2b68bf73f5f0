//! A stand-in Docker engine: just enough HTTP/1.1 on a unix socket for `docker run` to reach
//! `POST /containers/create`, which it records and then refuses, so the CLI stops there
//! (exit 125) without anything being created anywhere.
//!
//! Answers (all other requests get a 404 JSON error and are recorded too):
//! - `HEAD`/`GET /_ping`: the headers of Engine 20.10.24 (`Api-Version: 1.41`, `Ostype: linux`…)
//! - `GET [/vX.Y]/version`
//! - `POST /vX.Y/images/create`: recorded, answered with a short "up to date" JSON stream
//! - `POST /vX.Y/containers/create`: query + JSON body recorded, answered
//!   `500 {"message":"harden stand-in engine: create recorded"}`
//!
//! Request bodies may come with `Content-Length` or `Transfer-Encoding: chunked`.
//! (CLI 28.2.2 sends the create body with `Content-Length`; chunked is handled anyway.)

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// The message the stand-in answers every create with.
pub const CREATE_REFUSAL: &str = "harden stand-in engine: create recorded";
/// What the stand-in reports as its API version.
pub const API_VERSION: &str = "1.41";

/// One HTTP request as received.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// Request target as sent: path plus `?query`.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// `METHOD TARGET`, the request line without the HTTP version.
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.target)
    }

    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// The raw query string (without `?`), empty when there is none.
    pub fn query(&self) -> &str {
        self.target
            .split_once('?')
            .map(|(_, q)| q)
            .unwrap_or_default()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `/v1.41/containers/create` → `/containers/create` (the API version prefix removed).
    pub fn unversioned_path(&self) -> &str {
        let path = self.path();
        if let Some(rest) = path.strip_prefix("/v")
            && let Some(slash) = rest.find('/')
            && rest[..slash]
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.')
        {
            return &rest[slash..];
        }
        path
    }
}

/// A running stand-in engine. Stopped (and its socket directory removed) on drop.
pub struct StandIn {
    /// Path of the unix socket; use `DOCKER_HOST=unix://<socket>` ([`StandIn::docker_host`]).
    pub socket: PathBuf,
    requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

/// Start a stand-in engine on a fresh socket in a temporary directory.
pub fn start() -> StandIn {
    StandIn::start()
}

impl StandIn {
    pub fn start() -> StandIn {
        let dir = tempfile::Builder::new()
            .prefix("harden-standin-")
            .tempdir()
            .expect("temp dir for the stand-in engine");
        let socket = dir.path().join("docker.sock");
        let listener = UnixListener::bind(&socket).expect("bind the stand-in engine socket");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let requests = Arc::clone(&requests);
            let stop = Arc::clone(&stop);
            std::thread::Builder::new()
                .name("standin-accept".into())
                .spawn(move || {
                    for conn in listener.incoming() {
                        if stop.load(Ordering::SeqCst) {
                            break;
                        }
                        let Ok(conn) = conn else { continue };
                        let requests = Arc::clone(&requests);
                        let _ = std::thread::Builder::new()
                            .name("standin-conn".into())
                            .spawn(move || serve(conn, &requests));
                    }
                })
                .expect("spawn the stand-in acceptor")
        };
        StandIn {
            socket,
            requests,
            stop,
            acceptor: Some(acceptor),
            _dir: dir,
        }
    }

    /// `unix://<socket>`, for `DOCKER_HOST`.
    pub fn docker_host(&self) -> String {
        format!("unix://{}", self.socket.display())
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// Every request line (`METHOD TARGET`) received so far.
    pub fn request_lines(&self) -> Vec<String> {
        self.requests().iter().map(Request::line).collect()
    }

    /// Forget all recorded requests (to reuse one stand-in for several commands).
    pub fn clear(&self) {
        self.requests.lock().unwrap().clear();
    }

    /// The recorded `POST /containers/create` calls: (raw query string, JSON body).
    pub fn created(&self) -> Vec<(String, serde_json::Value)> {
        self.requests()
            .iter()
            .filter(|r| r.method == "POST" && r.unversioned_path() == "/containers/create")
            .map(|r| {
                let body = serde_json::from_slice(&r.body).unwrap_or_else(|e| {
                    panic!(
                        "stand-in engine: create body is not JSON ({e}): {}",
                        String::from_utf8_lossy(&r.body)
                    )
                });
                (r.query().to_string(), body)
            })
            .collect()
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the acceptor so it sees the flag.
        let _ = UnixStream::connect(&self.socket);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

/// Serve one connection: keep-alive, one request after another, until EOF or error.
fn serve(conn: UnixStream, log: &Mutex<Vec<Request>>) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(60)));
    let Ok(mut writer) = conn.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(conn);
    while let Some(request) = read_request(&mut reader) {
        let (status, headers, body) = respond(&request);
        let close = request
            .header("Connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let is_head = request.method == "HEAD";
        log.lock().unwrap().push(request);
        let mut out = format!("HTTP/1.1 {status}\r\n");
        for (k, v) in &headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str(&format!("Content-Length: {}\r\n", body.len()));
        out.push_str("Date: Mon, 23 Nov 2026 00:00:00 GMT\r\n");
        if close {
            out.push_str("Connection: close\r\n");
        }
        out.push_str("\r\n");
        let mut bytes = out.into_bytes();
        if !is_head {
            bytes.extend_from_slice(body.as_bytes());
        }
        if writer
            .write_all(&bytes)
            .and_then(|_| writer.flush())
            .is_err()
            || close
        {
            return;
        }
    }
}

fn read_line<R: BufRead>(reader: &mut R) -> Option<String> {
    let mut line = String::new();
    match reader.read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line.trim_end_matches(['\r', '\n']).to_string()),
    }
}

fn read_request<R: BufRead>(reader: &mut R) -> Option<Request> {
    let request_line = loop {
        let line = read_line(reader)?;
        if !line.is_empty() {
            break line;
        }
    };
    let mut parts = request_line.split(' ');
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let line = read_line(reader)?;
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let mut request = Request {
        method,
        target,
        headers,
        body: Vec::new(),
    };
    let chunked = request
        .header("Transfer-Encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    if chunked {
        loop {
            let size_line = read_line(reader)?;
            let size_hex = size_line.split(';').next().unwrap_or_default().trim();
            let size = usize::from_str_radix(size_hex, 16).ok()?;
            if size == 0 {
                // Trailers, up to the empty line.
                while !read_line(reader)?.is_empty() {}
                break;
            }
            let mut chunk = vec![0; size];
            reader.read_exact(&mut chunk).ok()?;
            request.body.extend_from_slice(&chunk);
            read_line(reader)?; // CRLF after the chunk
        }
    } else if let Some(len) = request.header("Content-Length") {
        let len: usize = len.parse().ok()?;
        let mut body = vec![0; len];
        reader.read_exact(&mut body).ok()?;
        request.body = body;
    }
    Some(request)
}

type Response = (&'static str, Vec<(&'static str, String)>, String);

fn json(status: &'static str, body: String) -> Response {
    (
        status,
        vec![
            ("Api-Version", API_VERSION.to_string()),
            ("Content-Type", "application/json".to_string()),
            ("Docker-Experimental", "false".to_string()),
            ("Ostype", "linux".to_string()),
            ("Server", "Docker/20.10.24 (linux)".to_string()),
        ],
        body,
    )
}

fn respond(request: &Request) -> Response {
    let path = request.unversioned_path();
    match (request.method.as_str(), path) {
        ("HEAD" | "GET", "/_ping") => (
            "200 OK",
            vec![
                ("Api-Version", API_VERSION.to_string()),
                ("Builder-Version", "2".to_string()),
                (
                    "Cache-Control",
                    "no-cache, no-store, must-revalidate".to_string(),
                ),
                ("Content-Type", "text/plain; charset=utf-8".to_string()),
                ("Docker-Experimental", "false".to_string()),
                ("Ostype", "linux".to_string()),
                ("Pragma", "no-cache".to_string()),
                ("Server", "Docker/20.10.24 (linux)".to_string()),
            ],
            "OK".to_string(),
        ),
        ("GET", "/version") => json(
            "200 OK",
            serde_json::json!({
                "Platform": {"Name": "harden stand-in engine"},
                "Version": "20.10.24",
                "ApiVersion": API_VERSION,
                "MinAPIVersion": "1.12",
                "GitCommit": "standin",
                "GoVersion": "go1.19.8",
                "Os": "linux",
                "Arch": "amd64",
                "KernelVersion": "6.1.0",
                "BuildTime": "2026-11-23T00:00:00.000000000+00:00"
            })
            .to_string(),
        ),
        ("POST", "/images/create") => json(
            "200 OK",
            concat!(
                "{\"status\":\"Pulling from harden stand-in engine\"}\r\n",
                "{\"status\":\"Status: Image is up to date (harden stand-in engine)\"}\r\n"
            )
            .to_string(),
        ),
        ("POST", "/containers/create") => json(
            "500 Internal Server Error",
            serde_json::json!({ "message": CREATE_REFUSAL }).to_string(),
        ),
        _ => json(
            "404 Not Found",
            serde_json::json!({
                "message": format!(
                    "harden stand-in engine: not implemented: {} {}",
                    request.method, request.target
                )
            })
            .to_string(),
        ),
    }
}
