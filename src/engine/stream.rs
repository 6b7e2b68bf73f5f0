//! The hijacked attach stream and the wait call.

use super::connect::body_bytes;
use super::image::encode_query;
use super::{Engine, EngineError};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Which streams to attach.
#[derive(Clone, Debug, Default)]
pub struct AttachOptions {
    pub stdin: bool,
    pub stdout: bool,
    pub stderr: bool,
    pub detach_keys: Option<String>,
}

/// An upgraded attach connection: raw bytes both ways.
pub type Attached = TokioIo<hyper::upgrade::Upgraded>;

/// `POST /containers/{id}/attach` with `Upgrade: tcp`, before start (so no output is lost).
pub async fn attach(engine: &Engine, id: &str, o: &AttachOptions) -> Result<Attached, EngineError> {
    let b = |v: bool| if v { "1" } else { "0" };
    let mut q = format!(
        "/containers/{id}/attach?stream=1&stdin={}&stdout={}&stderr={}",
        b(o.stdin),
        b(o.stdout),
        b(o.stderr)
    );
    if let Some(k) = &o.detach_keys {
        q.push_str(&format!("&detachKeys={}", encode_query(k)));
    }
    let resp = engine
        .raw_with(
            "POST",
            &q,
            None,
            &[
                ("Connection", "Upgrade"),
                ("Upgrade", "tcp"),
                ("Content-Type", "text/plain"),
            ],
        )
        .await?;
    let status = resp.status().as_u16();
    if status != 101 && status != 200 {
        let body = body_bytes(resp)
            .await
            .map_err(|e| EngineError::Other(e.to_string()))?;
        return Err(super::daemon_error(status, &body));
    }
    let upgraded = hyper::upgrade::on(resp)
        .await
        .map_err(|e| EngineError::Other(format!("attach: {e}")))?;
    Ok(TokioIo::new(upgraded))
}

/// The result of a wait.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WaitResult {
    Exited(i64),
    /// The wait answered with an error (`Error.Message`), or failed.
    Failed(String),
}

/// Registers a wait and returns once the daemon has answered with headers (so the waiter is
/// registered and no exit can be missed); the returned task yields the result.
pub async fn wait(
    engine: &Engine,
    id: &str,
    condition: &str,
) -> Result<tokio::task::JoinHandle<WaitResult>, EngineError> {
    let resp = engine
        .raw(
            "POST",
            &format!("/containers/{id}/wait?condition={condition}"),
            None,
        )
        .await?;
    let status = resp.status().as_u16();
    if !(200..300).contains(&status) {
        let body = body_bytes(resp)
            .await
            .map_err(|e| EngineError::Other(e.to_string()))?;
        return Err(super::daemon_error(status, &body));
    }
    Ok(tokio::spawn(async move {
        match body_bytes(resp).await {
            Err(e) => WaitResult::Failed(e.to_string()),
            Ok(body) => parse_wait(&body),
        }
    }))
}

/// `{"StatusCode":3,"Error":null}` → `Exited(3)`.
pub fn parse_wait(body: &[u8]) -> WaitResult {
    let v: serde_json::Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return WaitResult::Failed(format!("invalid wait response: {e}")),
    };
    if let Some(msg) = v
        .get("Error")
        .and_then(|e| e.get("Message"))
        .and_then(|m| m.as_str())
        .filter(|m| !m.is_empty())
    {
        return WaitResult::Failed(msg.to_string());
    }
    match v.get("StatusCode").and_then(|c| c.as_i64()) {
        Some(c) => WaitResult::Exited(c),
        None => WaitResult::Failed("wait response without a status code".into()),
    }
}

/// The last bytes a container printed (for the diagnosis of a failure).
#[derive(Clone, Default)]
pub struct Tail(std::sync::Arc<std::sync::Mutex<std::collections::VecDeque<u8>>>);

/// Bytes kept by a [`Tail`].
const TAIL_BYTES: usize = 64 << 10;

impl Tail {
    pub fn push(&self, data: &[u8]) {
        if let Ok(mut q) = self.0.lock() {
            q.extend(data);
            let over = q.len().saturating_sub(TAIL_BYTES);
            q.drain(..over);
        }
    }

    pub fn text(&self) -> String {
        self.0
            .lock()
            .map(|q| String::from_utf8_lossy(&q.iter().copied().collect::<Vec<u8>>()).into_owned())
            .unwrap_or_default()
    }
}

/// A writer that also keeps what it writes in a [`Tail`].
pub struct Tee<W> {
    pub inner: W,
    pub tail: Tail,
}

impl<W: AsyncWrite + Unpin> AsyncWrite for Tee<W> {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let p = std::pin::Pin::new(&mut self.inner).poll_write(cx, buf);
        if let std::task::Poll::Ready(Ok(n)) = &p {
            self.tail.push(&buf[..*n]);
        }
        p
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The container's output so far (stdout and stderr, TTY or not), as text.
pub async fn logs(engine: &Engine, id: &str, tail_lines: usize) -> Result<String, EngineError> {
    let resp = engine
        .raw(
            "GET",
            &format!("/containers/{id}/logs?stdout=1&stderr=1&tail={tail_lines}"),
            None,
        )
        .await?;
    let status = resp.status().as_u16();
    let body = body_bytes(resp)
        .await
        .map_err(|e| EngineError::Other(e.to_string()))?;
    if !(200..300).contains(&status) {
        return Err(super::daemon_error(status, &body));
    }
    // Multiplexed unless the container has a TTY: demux when it looks like frames.
    let framed = body.len() >= 8 && body[0] <= 2 && body[1..4] == [0, 0, 0];
    if framed {
        let mut out = Vec::new();
        let mut err = Vec::new();
        if demux(&body[..], &mut out, &mut err).await.is_ok() {
            out.extend_from_slice(&err);
            return Ok(String::from_utf8_lossy(&out).into_owned());
        }
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// Copies a multiplexed (non-TTY) attach stream: frames of `[stream, 0, 0, 0, size BE u32]` +
/// payload; stream 1 goes to `out`, 2 to `err`. Returns at end of stream.
pub async fn demux<R, O, E>(mut reader: R, mut out: O, mut err: E) -> std::io::Result<()>
where
    R: AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
    E: AsyncWrite + Unpin,
{
    let mut header = [0u8; 8];
    let mut payload = vec![0u8; 32 * 1024];
    loop {
        match reader.read_exact(&mut header).await {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
            Err(e) => return Err(e),
        }
        let mut size = u32::from_be_bytes([header[4], header[5], header[6], header[7]]) as usize;
        while size > 0 {
            let n = size.min(payload.len());
            reader.read_exact(&mut payload[..n]).await?;
            match header[0] {
                2 => {
                    err.write_all(&payload[..n]).await?;
                    err.flush().await?;
                }
                _ => {
                    out.write_all(&payload[..n]).await?;
                    out.flush().await?;
                }
            }
            size -= n;
        }
    }
}

/// Copies a raw (TTY) stream to `out`.
pub async fn copy_raw<R, O>(mut reader: R, mut out: O) -> std::io::Result<()>
where
    R: AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
{
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        let n = reader.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        out.write_all(&buf[..n]).await?;
        out.flush().await?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "current_thread")]
    async fn demux_splits_streams_and_handles_zero_bytes() {
        let mut data = Vec::new();
        data.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 4]);
        data.extend_from_slice(b"out\n");
        data.extend_from_slice(&[2, 0, 0, 0, 0, 0, 0, 4]);
        data.extend_from_slice(b"err\n");
        data.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 3]);
        data.extend_from_slice(&[0, 1, 2]);
        let mut out = Vec::new();
        let mut err = Vec::new();
        demux(&data[..], &mut out, &mut err).await.unwrap();
        assert_eq!(out, b"out\n\x00\x01\x02");
        assert_eq!(err, b"err\n");
    }

    #[test]
    fn wait_bodies() {
        assert_eq!(
            parse_wait(br#"{"Error":null,"StatusCode":3}"#),
            WaitResult::Exited(3)
        );
        assert_eq!(
            parse_wait(br#"{"Error":{"Message":"boom"},"StatusCode":0}"#),
            WaitResult::Failed("boom".into())
        );
    }
}
