//! The terminal side of `harden run`: start the created container, attach stdin/stdout/stderr,
//! forward signals and the terminal size, and wait for the exit code, as `docker run` does.

use super::error_line;
use super::tty;
use crate::engine::Engine;
use crate::engine::run::exit_code_for;
use crate::engine::stream::{self, AttachOptions, WaitResult};
use crate::frontend::argv::RunRequest;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Signals forwarded to the container with `--sig-proxy` (every catchable one except CHLD, PIPE,
/// URG; WINCH is forwarded too, as the CLI does).
const PROXIED: &[(i32, &str)] = &[
    (1, "HUP"),
    (2, "INT"),
    (3, "QUIT"),
    (10, "USR1"),
    (12, "USR2"),
    (14, "ALRM"),
    (15, "TERM"),
    (28, "WINCH"),
];

/// Starts an attached or detached container and streams until it ends; returns the exit code.
/// `tail` keeps the last of what the container prints (for the diagnosis of a failure).
pub async fn start_and_stream(
    engine: &Engine,
    request: &RunRequest,
    id: &str,
    tail: &stream::Tail,
) -> u8 {
    let c = &request.client;
    let body = &request.body;
    let tty_mode = body.tty.unwrap_or(false);
    let attach_stdin = body.attach_stdin.unwrap_or(false);
    let attach_out = body.attach_stdout.unwrap_or(false);
    let attach_err = body.attach_stderr.unwrap_or(false);

    // Signals: forwarded with --sig-proxy; three INT/TERM force an exit.
    let (sig_tx, mut sig_rx) = tokio::sync::mpsc::unbounded_channel::<(i32, &'static str)>();
    for &(num, name) in PROXIED {
        if let Ok(mut s) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::from_raw(num))
        {
            let tx = sig_tx.clone();
            tokio::spawn(async move {
                while s.recv().await.is_some() {
                    if tx.send((num, name)).is_err() {
                        break;
                    }
                }
            });
        }
    }

    let attached = if !c.detach && (attach_stdin || attach_out || attach_err) {
        let detach_keys = c.detach_keys.clone();
        let opts = AttachOptions {
            stdin: attach_stdin,
            stdout: attach_out,
            stderr: attach_err,
            detach_keys: detach_keys.clone(),
        };
        match stream::attach(engine, id, &opts).await {
            Ok(a) => Some(a),
            Err(e) => {
                error_line(&e.to_string());
                return 1;
            }
        }
    } else {
        None
    };

    let condition = if body
        .host_config
        .as_ref()
        .and_then(|h| h.auto_remove)
        .unwrap_or(false)
    {
        "removed"
    } else {
        "next-exit"
    };
    let waiter = match stream::wait(engine, id, condition).await {
        Ok(w) => w,
        Err(e) => {
            error_line(&e.to_string());
            return 125;
        }
    };

    if c.detach {
        println!("{id}");
    }
    if let Err(e) = engine
        .call("POST", &format!("/containers/{id}/start"), None)
        .await
    {
        tty::restore();
        let msg = e.to_string();
        error_line(&msg);
        if condition == "removed" {
            let _ = waiter.await;
        }
        return exit_code_for(&msg);
    }
    if c.detach {
        return 0;
    }

    let raw = tty_mode && attach_stdin && tty::stdin_is_tty();
    if raw && let Err(e) = tty::enter_raw() {
        error_line(&format!("cannot put the terminal in raw mode: {e}"));
    }
    // The initial resize runs alongside the streams (it may need retries while the process
    // starts); a container that is gone before it succeeds needs no warning.
    let mut initial_resize = std::pin::pin!(resize(engine, id));
    let mut resize_pending = tty_mode && tty::stdout_is_tty();

    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel::<Option<u8>>();
    if let Some(conn) = attached {
        let (reader, mut writer) = tokio::io::split(conn);
        let out_tx = done_tx.clone();
        let has_output = attach_out || attach_err;
        let tail = tail.clone();
        tokio::spawn(async move {
            let out = stream::Tee {
                inner: tokio::io::stdout(),
                tail: tail.clone(),
            };
            let r = if tty_mode {
                stream::copy_raw(reader, out).await
            } else {
                let err = stream::Tee {
                    inner: tokio::io::stderr(),
                    tail,
                };
                stream::demux(reader, out, err).await
            };
            let _ = r;
            if has_output {
                let _ = out_tx.send(None);
            }
        });
        if attach_stdin {
            let keys = c
                .detach_keys
                .as_deref()
                .and_then(tty::parse_detach_keys)
                .unwrap_or_else(|| vec![16, 17]);
            let in_tx = done_tx.clone();
            tokio::spawn(async move {
                let mut stdin = tokio::io::stdin();
                let mut filter = tty_mode.then(|| tty::DetachFilter::new(keys));
                let mut buf = vec![0u8; 32 * 1024];
                loop {
                    let n = match stdin.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    let (data, detach) = match &mut filter {
                        Some(f) => f.feed(&buf[..n]),
                        None => (buf[..n].to_vec(), false),
                    };
                    if !data.is_empty() && writer.write_all(&data).await.is_err() {
                        break;
                    }
                    let _ = writer.flush().await;
                    if detach {
                        let _ = in_tx.send(Some(0));
                        return;
                    }
                }
                // End of input: half-close so the daemon closes the container's stdin.
                let _ = writer.shutdown().await;
            });
        }
    }

    let mut waiter = waiter;
    let mut interrupts = 0;
    let code = loop {
        tokio::select! {
            ok = &mut initial_resize, if resize_pending => {
                resize_pending = false;
                if !ok {
                    error_line("failed to resize tty, using default size");
                }
            }
            r = &mut waiter => {
                // Let the output drain before exiting.
                let _ = tokio::time::timeout(std::time::Duration::from_secs(2), done_rx.recv()).await;
                break exit_code_of(r);
            }
            d = done_rx.recv() => {
                match d {
                    // Detach keys typed.
                    Some(Some(code)) => break code,
                    // Output ended: the container's exit code comes from the wait.
                    Some(None) => {
                        break exit_code_of((&mut waiter).await);
                    }
                    None => {}
                }
            }
            s = sig_rx.recv() => {
                let Some((num, name)) = s else { continue };
                if num == 28 && tty_mode && tty::stdout_is_tty() {
                    let _ = resize(engine, id).await;
                }
                if c.sig_proxy {
                    let _ = engine
                        .call("POST", &format!("/containers/{id}/kill?signal={name}"), None)
                        .await;
                }
                if num == 2 || num == 15 {
                    interrupts += 1;
                    if interrupts >= 3 {
                        tty::restore();
                        error_line("got 3 SIGTERM/SIGINTs, forcefully exiting");
                        break 1;
                    }
                }
            }
        }
    };
    tty::restore();
    code
}

/// The exit code from a wait: the container's own code, or 125 when the wait failed.
fn exit_code_of(r: Result<WaitResult, tokio::task::JoinError>) -> u8 {
    let msg = match r {
        Ok(WaitResult::Exited(code)) => return (code & 0xff) as u8,
        Ok(WaitResult::Failed(msg)) => msg,
        Err(e) => e.to_string(),
    };
    tty::restore();
    error_line(&msg);
    125
}

/// Sets the container's TTY size to the local terminal's, retrying while the process starts
/// (as the CLI does: up to 10 times, 10…100 ms apart). False when it never succeeded.
async fn resize(engine: &Engine, id: &str) -> bool {
    let Some((h, w)) = tty::size() else {
        return true;
    };
    for attempt in 0..10u64 {
        let ok = engine
            .call(
                "POST",
                &format!("/containers/{id}/resize?h={h}&w={w}"),
                None,
            )
            .await
            .is_ok();
        if ok {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10 * (attempt + 1))).await;
    }
    false
}
