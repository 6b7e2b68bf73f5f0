//! `harden proxy`: listen where clients expect a Docker daemon, judge the requests at the doors
//! to privilege, pass everything else to the real daemon untouched.

use super::error_line;
use crate::engine::connect::Connector;
use crate::engine::host::{self, Address};
use crate::proxy::PolicyJudge;
use crate::proxy::server::{self, Event, Listen, Listener, Server};
use crate::session::proxy::Mode;
use clap::{Args, ValueEnum};
use std::io::Write;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

const AFTER_HELP: &str = "\
Point clients at it: `export DOCKER_HOST=unix:///run/harden/docker.sock`, or
`docker context create harden --docker host=unix:///run/harden/docker.sock`.
Judged: container create, exec, update and legacy start (API < 1.24); services create and
update; plugin pull, upgrade, set and create; volume create; swarm join; build (classic
builder) and BuildKit's solve calls on /grpc (their entitlements: --network host,
privileged steps). Logged, then forwarded: plugin enable, swarm init. Everything else passes
through untouched and unbuffered.

--mode enforce fixes and refuses; warn fixes and turns refusals into warnings; audit forwards
everything unchanged. Each judged request is one JSON line on stderr or in --log FILE.

A unix socket is created with mode 0660 (owner and group of the proxy's process); with
socket activation (`--listen fd://`) systemd sets its owner, group and mode. A stale socket
file is replaced; one a live process answers on is not.";

/// `harden proxy` options.
#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct ProxyArgs {
    /// Where clients connect: unix:///PATH (socket mode 0660), tcp://127.0.0.1:PORT, or fd://
    /// (the socket systemd passes).
    #[arg(long, value_name = "ADDR")]
    pub listen: String,
    /// The Docker daemon to forward to (default: found as the Docker CLI finds it: DOCKER_HOST,
    /// DOCKER_CONTEXT, the current context; TLS and ssh:// included).
    #[arg(long, value_name = "HOST")]
    pub upstream: Option<String>,
    /// enforce: fix and refuse; warn: fix, never refuse (refusals become warnings); audit:
    /// forward unchanged, log what would change.
    #[arg(long, value_enum, default_value_t = Mode::Enforce)]
    pub mode: Mode,
    /// Preset name or path (default: $HARDEN_PRESET, else `default`; the machine and user
    /// policies apply as for every command; no working directory's .harden.yaml is read).
    #[arg(long, value_name = "P")]
    pub preset: Option<String>,
    /// Write the decision log (one JSON object a line) to FILE instead of stderr.
    #[arg(long, value_name = "FILE")]
    pub log: Option<std::path::PathBuf>,
    /// Allow --listen on a TCP address that is not loopback. Whoever reaches it controls the
    /// Docker engine: there is no TLS and no authentication.
    #[arg(long)]
    pub allow_remote: bool,
}

pub fn main(args: ProxyArgs) -> ExitCode {
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            error_line(&msg);
            ExitCode::from(1)
        }
    }
}

fn run(args: ProxyArgs) -> Result<(), String> {
    let listen = Listen::parse(&args.listen).map_err(|e| format!("--listen {e}"))?;
    let mut globals = super::system_env().globals;
    if let Some(u) = &args.upstream {
        globals.host = Some(u.clone());
        globals.context = None;
    }
    let env = |k: &str| std::env::var(k).ok();
    let endpoint = host::resolve(&globals, &env).map_err(|e| e.to_string())?;
    if let (Listen::Unix(l), Address::Unix(u)) = (&listen, &endpoint.address)
        && same_path(l, u)
    {
        return Err(format!(
            "the daemon found for the upstream ({}) is the proxy's own socket; give --upstream (DOCKER_HOST is probably set for the clients)",
            endpoint.host
        ));
    }
    let policy = crate::session::policy(
        &super::system_env(),
        args.preset.as_deref(),
        &[],
        crate::session::Reach::NoProject,
    )
    .map_err(|e| format!("preset: {e}"))?;
    let preset_name = policy.preset.name.clone();
    let connector = Connector::new(endpoint.clone()).map_err(|e| format!("upstream: {e}"))?;
    let log = open_log(args.log.as_deref())?;
    let mode = args.mode;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(async move {
        let listener = Listener::bind(&listen, args.allow_remote).map_err(|e| e.to_string())?;
        let judge = Arc::new(PolicyJudge::new(endpoint, policy.preset, mode, log.clone()));
        let mut srv = Server::new(connector, judge);
        srv.events = log;
        super::notice(&format!(
            "proxy listening on {}, forwarding to {} (preset {preset_name}, mode {})",
            listener.address(),
            srv.upstream_host,
            mode.to_possible_value()
                .map(|v| v.get_name().to_string())
                .unwrap_or_default(),
        ));
        let srv = Arc::new(srv);
        srv.serve(listener, stop_signal()).await;
        Ok(())
    })
}

fn same_path(a: &std::path::Path, b: &std::path::Path) -> bool {
    let canon = |p: &std::path::Path| {
        p.parent()
            .and_then(|d| std::fs::canonicalize(d).ok())
            .map(|d| d.join(p.file_name().unwrap_or_default()))
            .unwrap_or_else(|| p.to_path_buf())
    };
    canon(a) == canon(b)
}

/// SIGINT or SIGTERM.
async fn stop_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = int.recv() => {}
        _ = term.recv() => {}
    }
}

/// Events as JSON lines (with the time) to the file or to stderr.
fn open_log(path: Option<&std::path::Path>) -> Result<server::EventSink, String> {
    let out: Box<dyn Write + Send> = match path {
        Some(p) => Box::new(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .map_err(|e| format!("--log {}: {e}", p.display()))?,
        ),
        None => Box::new(std::io::stderr()),
    };
    let out = Mutex::new(out);
    Ok(Arc::new(move |e: Event| {
        let mut line = e.to_json();
        if let Some(obj) = line.as_object_mut() {
            obj.insert("time".into(), now_rfc3339().into());
        }
        // One write per line: the file and stderr are unbuffered, and a decision is logged
        // before its request goes on.
        let mut text = line.to_string();
        text.push('\n');
        if let Ok(mut w) = out.lock() {
            let _ = w.write_all(text.as_bytes());
            let _ = w.flush();
        }
    }))
}

/// The current UTC time, `2026-12-07T10:03:26.123Z`.
fn now_rfc3339() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs() as i64;
    let (h, mi, s) = (secs / 3600 % 24, secs / 60 % 60, secs % 60);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:03}Z",
        now.subsec_millis()
    )
}
