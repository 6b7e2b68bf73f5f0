//! `harden learn [docker run flags] IMAGE [ARG…]`: finds what an image needs to work hardened,
//! by trial runs in throwaway containers, and writes it as the image's profile into
//! `.harden.yaml`.
//!
//! 1. Observe: the container runs with the preset's hardening except the parts under test (the
//!    user, the capabilities, the read-only root), until it is ready. `top` tells the uid it
//!    settles on (after its entrypoint drops privileges), `changes` the directories it writes.
//! 2. Verify: fully hardened, as that user, with a tmpfs on each directory it writes. A failure
//!    the diagnosis recognises (a read-only path) adds that path and tries again.
//! 3. Capabilities, only if it still fails: with the engine's default set added back it must
//!    work; then each capability is taken away in turn and kept only if it is needed.
//!
//! Readiness: `--probe tcp:PORT | http:PORT/PATH | cmd:COMMAND`, else the image's HEALTHCHECK,
//! else still running after a few seconds. No port is published; named volumes become
//! anonymous throwaway volumes (unless `--keep-volumes`); every trial container and its
//! anonymous volumes are removed, also on ctrl-c.

use super::{error_line, notice, print_out};
use crate::diagnose;
use crate::engine;
use crate::fix::{self, Change};
use crate::frontend::argv::{self, Environment, Occurrence, Parsed, lookup_long, lookup_short};
use crate::preset::file::yaml_scalar;
use std::collections::BTreeSet;
use std::ffi::OsString;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// The engine's default capability set (what `--cap-drop ALL` takes away).
const DEFAULT_CAPS: [&str; 14] = [
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FSETID",
    "CAP_FOWNER",
    "CAP_MKNOD",
    "CAP_NET_RAW",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETFCAP",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_KILL",
    "CAP_AUDIT_WRITE",
];

/// harden learn's own options, taken out of the `docker run` arguments.
#[derive(Debug, Default)]
struct Options {
    probe: Option<Probe>,
    stdout: bool,
    timeout: Duration,
    keep_volumes: bool,
}

#[derive(Clone, Debug, PartialEq)]
enum Probe {
    Tcp(u16),
    Http(u16, String),
    Cmd(String),
}

fn parse_probe(v: &str) -> Result<Probe, String> {
    let bad = || format!("--probe {v}: expected tcp:PORT, http:PORT/PATH or cmd:COMMAND");
    if let Some(p) = v.strip_prefix("tcp:") {
        return p.parse().map(Probe::Tcp).map_err(|_| bad());
    }
    if let Some(rest) = v.strip_prefix("http:") {
        let (port, path) = rest.split_once('/').unwrap_or((rest, ""));
        let port = port.parse().map_err(|_| bad())?;
        return Ok(Probe::Http(port, format!("/{path}")));
    }
    if let Some(c) = v.strip_prefix("cmd:").filter(|c| !c.trim().is_empty()) {
        return Ok(Probe::Cmd(c.to_string()));
    }
    Err(bad())
}

/// Takes learn's options out of the arguments before the image (a docker flag's value is never
/// mistaken for one: the flags table says which flags take a value).
fn split_options(args: &[String]) -> Result<(Options, Vec<String>), String> {
    let mut o = Options {
        timeout: Duration::from_secs(30),
        ..Options::default()
    };
    let mut rest = Vec::new();
    let mut i = 0;
    let value = |i: &mut usize, inline: Option<&str>, name: &str| -> Result<String, String> {
        if let Some(v) = inline {
            return Ok(v.to_string());
        }
        *i += 1;
        args.get(*i)
            .cloned()
            .ok_or_else(|| format!("flag needs an argument: --{name}"))
    };
    while i < args.len() {
        let a = &args[i];
        if a == "--" || !a.starts_with('-') || a == "-" {
            rest.extend_from_slice(&args[i..]);
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (long, None),
            };
            match name {
                "probe" => o.probe = Some(parse_probe(&value(&mut i, inline, name)?)?),
                "stdout" => o.stdout = true,
                "keep-volumes" => o.keep_volumes = true,
                "trial-timeout" => {
                    let v = value(&mut i, inline, name)?;
                    let ns = argv::parse_duration(&v)
                        .map_err(|e| format!("--trial-timeout {v}: {e}"))?;
                    if ns <= 0 {
                        return Err(format!("--trial-timeout {v}: must be positive"));
                    }
                    o.timeout = Duration::from_nanos(ns as u64);
                }
                _ => {
                    rest.push(a.clone());
                    let takes = lookup_long(name).is_some_and(|f| f.kind != argv::ValueKind::Bool);
                    if takes && inline.is_none() {
                        i += 1;
                        if let Some(v) = args.get(i) {
                            rest.push(v.clone());
                        }
                    }
                }
            }
        } else {
            rest.push(a.clone());
            // `-p 80:80`, `-it`, `-e=X`: the last short flag of a cluster may take the next arg.
            let cluster = &a[1..];
            let mut takes_next = false;
            for (k, c) in cluster.char_indices() {
                if let Some(f) = lookup_short(c)
                    && f.kind != argv::ValueKind::Bool
                {
                    takes_next = k + c.len_utf8() == cluster.len();
                    break;
                }
            }
            if takes_next {
                i += 1;
                if let Some(v) = args.get(i) {
                    rest.push(v.clone());
                }
            }
        }
        i += 1;
    }
    Ok((o, rest))
}

pub fn main(args: Vec<OsString>) -> ExitCode {
    let args: Vec<String> = args
        .into_iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    if args.iter().any(|a| a == "--help" || a == "-h") && !args.iter().any(|a| !a.starts_with('-'))
    {
        print_out(HELP);
        return ExitCode::SUCCESS;
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            error_line(&format!("cannot start: {e}"));
            return ExitCode::from(125);
        }
    };
    let code = runtime.block_on(async {
        let cleanup = Cleanup::default();
        let c2 = cleanup.clone();
        let work = learn(&args, &cleanup);
        tokio::select! {
            code = work => code,
            _ = tokio::signal::ctrl_c() => {
                error_line("interrupted: removing the trial containers");
                c2.run().await;
                130
            }
        }
    });
    ExitCode::from(code)
}

const HELP: &str = "Usage: harden learn [OPTIONS] [docker run flags] IMAGE [COMMAND] [ARG...]

Finds what IMAGE needs to work under the preset's hardening (the user it runs as, where it
writes, capabilities), by trial runs in throwaway containers, and writes it as the image's
profile into .harden.yaml (created, or updated keeping comments).

Options (before the image):
      --probe PROBE          Readiness: tcp:PORT, http:PORT/PATH or cmd:COMMAND
                             (default: the image's HEALTHCHECK, else still running after 3s)
      --stdout               Print the profile instead of writing .harden.yaml
      --trial-timeout DUR    How long one trial may take to get ready (default 30s)
      --keep-volumes         Use named volumes as given (default: anonymous throwaway ones)

No port is published during the trials; every trial container and anonymous volume is removed.
";

/// Trial containers to remove, also on ctrl-c.
#[derive(Clone, Default)]
struct Cleanup {
    ids: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    engine: std::sync::Arc<std::sync::Mutex<Option<engine::Engine>>>,
}

impl Cleanup {
    fn track(&self, id: &str) {
        if let Ok(mut v) = self.ids.lock() {
            v.push(id.to_string());
        }
    }

    async fn remove(&self, id: &str) {
        let engine = self.engine.lock().ok().and_then(|e| e.clone());
        if let Some(e) = engine {
            let _ = e
                .call("DELETE", &format!("/containers/{id}?v=1&force=1"), None)
                .await;
        }
        if let Ok(mut v) = self.ids.lock() {
            v.retain(|x| x != id);
        }
    }

    async fn run(&self) {
        let ids: Vec<String> = self.ids.lock().map(|v| v.clone()).unwrap_or_default();
        for id in ids {
            self.remove(&id).await;
        }
    }
}

/// How a trial ended.
#[derive(Debug)]
enum Trial {
    Ready {
        uid: Option<(u32, u32)>,
        written: Vec<String>,
    },
    Failed {
        why: String,
        logs: String,
    },
}

async fn learn(args: &[String], cleanup: &Cleanup) -> u8 {
    let (opts, args) = match split_options(args) {
        Ok(x) => x,
        Err(e) => {
            error_line(&e);
            return 125;
        }
    };
    let env = super::system_env();
    // Flag errors and the policy (`--allow`, `--preset`) are said before any daemon is needed.
    match super::run::parse(super::run::Mode::Run, &args, &env, None) {
        Ok((_, request)) => {
            if let Err(e) = crate::session::policy(
                &env,
                request.harden.preset.as_deref(),
                &request.harden.allow,
                crate::session::Reach::Project,
            ) {
                error_line(&format!("preset: {e}"));
                return 125;
            }
        }
        Err(e) => {
            error_line(&e.to_string());
            return 125;
        }
    }
    let engine = match crate::session::connect(&env).await {
        Ok(e) => e,
        Err(e) => {
            error_line(&e.message);
            return e.exit_code;
        }
    };
    if let Ok(mut slot) = cleanup.engine.lock() {
        *slot = Some(engine.clone());
    }
    let api = Some(engine.api_version.clone());
    let (parsed, request) =
        match super::run::parse(super::run::Mode::Run, &args, &env, api.as_deref()) {
            Ok(p) => p,
            Err(e) => {
                error_line(&e.to_string());
                return 125;
            }
        };
    let config = env.docker_config_json();
    let mut notes = super::progress::Notes::new(request.client.quiet);
    let found = engine::run::ensure_image(
        &engine,
        &parsed.image,
        &request.client,
        config.as_ref(),
        false,
        None,
        &mut |n| notes.note(n),
    )
    .await;
    drop(notes);
    let mut facts = match found {
        Ok(Some(f)) => f,
        Ok(None) => {
            error_line(&format!("image {} is not available", parsed.image));
            return 125;
        }
        Err(e) => {
            error_line(&e.to_string());
            return 125;
        }
    };
    if let Ok(fs) = engine::probe::filesystem(&engine, &facts).await {
        facts.fs = Some(fs);
    }
    let plan = match super::run::plan(
        parsed.clone(),
        request,
        &env,
        api.as_deref(),
        Some(facts.clone()),
    ) {
        Ok(p) => p,
        Err(super::run::PlanError::Denied { outcome, image, .. }) => {
            for l in super::run::denial_lines(&outcome, &image) {
                error_line(&l);
            }
            error_line("learn trials run under the preset: waive what it refuses first");
            return 125;
        }
        Err(e) => {
            error_line(&e.to_string());
            return 125;
        }
    };
    let probe = opts.probe.clone();
    let has_health = facts.has_healthcheck.unwrap_or(false);
    let progress = indicatif::ProgressBar::new_spinner();
    progress.enable_steady_tick(Duration::from_millis(120));
    let started = Instant::now();
    let mut trials = 0usize;

    // 1. Observe: the preset's hardening except the user, the capabilities and the read-only root.
    progress.set_message("trial 1: observing the image as it starts (user, written paths)");
    let observe = observe_args(&parsed, &plan.parsed, opts.keep_volumes);
    trials += 1;
    let first = run_trial(
        &engine,
        cleanup,
        &observe,
        &env,
        api.as_deref(),
        &probe,
        has_health,
        opts.timeout,
        true,
    )
    .await;
    let (uid, written) = match first {
        Trial::Ready { uid, written } => (uid, written),
        Trial::Failed { why, logs } => {
            progress.finish_and_clear();
            error_line(&format!(
                "the image does not get ready even with the user, capabilities and root filesystem under test left as docker has them: {why}"
            ));
            print_tail(&logs);
            return 1;
        }
    };
    let user = uid.map(|(u, g)| format!("{u}:{g}"));
    let user = match (&user, uid) {
        (Some(_), Some((0, _))) | (None, _) => None,
        _ => user,
    };
    let covered: Vec<String> = plan
        .spec
        .mounts
        .iter()
        .map(|m| m.value.target.clone())
        .chain(facts.volumes.iter().flatten().cloned())
        .collect();
    let mut tmpfs: BTreeSet<String> = written
        .into_iter()
        .filter(|p| {
            !covered
                .iter()
                .any(|c| p == c || p.starts_with(&format!("{c}/")))
        })
        .collect();

    // 2. Verify fully hardened, as that user, with those directories writable.
    let mut caps: Vec<String> = Vec::new();
    let mut verified = false;
    let mut last_failure = String::new();
    for _ in 0..6 {
        if started.elapsed() > Duration::from_secs(300) {
            break;
        }
        trials += 1;
        progress.set_message(format!(
            "trial {trials}: fully hardened{}",
            user.as_ref()
                .map(|u| format!(" as {u}"))
                .unwrap_or_default()
        ));
        let a = hardened_args(
            &plan.parsed,
            user.as_deref(),
            &tmpfs,
            &caps,
            opts.keep_volumes,
        );
        match run_trial(
            &engine,
            cleanup,
            &a,
            &env,
            api.as_deref(),
            &probe,
            has_health,
            opts.timeout,
            false,
        )
        .await
        {
            Trial::Ready { .. } => {
                verified = true;
                break;
            }
            Trial::Failed { why, logs } => {
                last_failure = format!("{why}\n{}", tail_lines(&logs, 8));
                // A path the diagnosis names: make it writable and try again.
                let ctx = diagnose::Context {
                    image: parsed.image.clone(),
                    user: user.clone(),
                    changes: plan.changes.clone(),
                    args: args.clone(),
                    oom_killed: false,
                    podman_tmpfs: !plan.tmpfs_owner_options,
                };
                let path = diagnose::diagnose(&logs, &ctx)
                    .and_then(|d| d.flag)
                    .and_then(|f| {
                        f.strip_prefix("--tmpfs ")
                            .map(|t| t.split(':').next().unwrap_or("").to_string())
                    });
                match path {
                    Some(p) if !p.is_empty() && tmpfs.insert(p.clone()) => continue,
                    _ => break,
                }
            }
        }
    }
    // 3. Capabilities, only when the rest was not enough.
    if !verified {
        trials += 1;
        progress.set_message(format!(
            "trial {trials}: with the engine's default capabilities"
        ));
        let all: Vec<String> = DEFAULT_CAPS.iter().map(|c| c.to_string()).collect();
        let a = hardened_args(
            &plan.parsed,
            user.as_deref(),
            &tmpfs,
            &all,
            opts.keep_volumes,
        );
        if let Trial::Ready { .. } = run_trial(
            &engine,
            cleanup,
            &a,
            &env,
            api.as_deref(),
            &probe,
            has_health,
            opts.timeout,
            false,
        )
        .await
        {
            let mut needed = all.clone();
            for c in all.iter() {
                if started.elapsed() > Duration::from_secs(300) {
                    break;
                }
                let without: Vec<String> = needed.iter().filter(|x| *x != c).cloned().collect();
                trials += 1;
                progress.set_message(format!("trial {trials}: without {c}"));
                let a = hardened_args(
                    &plan.parsed,
                    user.as_deref(),
                    &tmpfs,
                    &without,
                    opts.keep_volumes,
                );
                if let Trial::Ready { .. } = run_trial(
                    &engine,
                    cleanup,
                    &a,
                    &env,
                    api.as_deref(),
                    &probe,
                    has_health,
                    opts.timeout,
                    false,
                )
                .await
                {
                    needed = without;
                }
            }
            caps = needed;
            verified = true;
        }
    }
    progress.finish_and_clear();
    cleanup.run().await;
    if !verified {
        error_line(&format!(
            "could not make {} work hardened in {trials} trials; the last failure:",
            parsed.image
        ));
        for l in last_failure.lines() {
            error_line(&format!("  {l}"));
        }
        return 1;
    }
    let pattern = crate::preset::repository(&parsed.image).to_string();
    let profile = render_profile(&pattern, user.as_deref(), &tmpfs, &caps);
    notice(&format!(
        "learned in {trials} trials ({:.0?}): {}",
        started.elapsed(),
        summary(user.as_deref(), &tmpfs, &caps)
    ));
    if !caps.is_empty() {
        notice(&format!(
            "it needs capabilities back: run it with {} (profiles do not add capabilities)",
            caps.iter()
                .map(|c| format!("--cap-add {}", c.trim_start_matches("CAP_")))
                .collect::<Vec<_>>()
                .join(" ")
        ));
    }
    if opts.stdout {
        print_out(&profile);
        return 0;
    }
    match write_profile(
        std::path::Path::new(crate::preset::TEAM_FILE),
        &pattern,
        &profile,
    ) {
        Ok(created) => {
            notice(&format!(
                "{} {}: the `{pattern}` profile (check it with `harden presets show {}`)",
                if created { "created" } else { "updated" },
                crate::preset::TEAM_FILE,
                crate::preset::TEAM_FILE
            ));
            0
        }
        Err(e) => {
            error_line(&format!("{}: {e}", crate::preset::TEAM_FILE));
            print_out(&profile);
            1
        }
    }
}

fn summary(user: Option<&str>, tmpfs: &BTreeSet<String>, caps: &[String]) -> String {
    let mut parts = Vec::new();
    parts.push(match user {
        Some(u) => format!("runs as {u}"),
        None => "the preset's user".into(),
    });
    if !tmpfs.is_empty() {
        parts.push(format!(
            "writes to {}",
            tmpfs.iter().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    if !caps.is_empty() {
        parts.push(format!("needs {}", caps.join(", ")));
    }
    parts.join("; ")
}

fn tail_lines(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

fn print_tail(logs: &str) {
    for l in tail_lines(logs, 10).lines() {
        error_line(&format!("  | {l}"));
    }
}

/// The profile as `.harden.yaml` lines (an `images:` entry).
fn render_profile(
    pattern: &str,
    user: Option<&str>,
    tmpfs: &BTreeSet<String>,
    caps: &[String],
) -> String {
    let mut out = String::from("images:\n");
    out.push_str(&format!("  {}:\n", yaml_scalar(pattern)));
    out.push_str(&format!(
        "    reason: learned by `harden learn` on {}\n",
        yaml_scalar(&today())
    ));
    if let Some(u) = user {
        out.push_str(&format!("    user: {}\n", yaml_scalar(u)));
    }
    if !tmpfs.is_empty() {
        out.push_str("    tmpfs:\n");
        for p in tmpfs {
            out.push_str(&format!("      - path: {}\n", yaml_scalar(p)));
            out.push_str("        reason: written at run time\n");
        }
    }
    if !caps.is_empty() {
        out.push_str(&format!(
            "    # needs capabilities back (add them with --cap-add): {}\n",
            caps.join(", ")
        ));
    }
    out
}

fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}

/// Writes the profile into the team file: created when missing; otherwise the `images:` entry
/// for `pattern` is replaced or added (comments and the rest kept), atomically. Returns whether
/// the file was created.
fn write_profile(path: &std::path::Path, pattern: &str, profile: &str) -> Result<bool, String> {
    let existing = match std::fs::read_to_string(path) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e.to_string()),
    };
    let new = match &existing {
        None => {
            format!("# Written by `harden learn`: what images need beyond the preset.\n{profile}")
        }
        Some(text) => merge_profile(text, pattern, profile)?,
    };
    // The result must be a valid preset.
    crate::preset::file::PresetFile::parse(&path.display().to_string(), &new).map_err(|e| {
        format!("the updated file would not be a valid preset ({e}); nothing written")
    })?;
    super::compose::write_atomic_new(path, &new).map_err(|e| e.to_string())?;
    Ok(existing.is_none())
}

/// `text` with `images.<pattern>` set to the entry of `profile` (block YAML, two-space indent).
fn merge_profile(text: &str, pattern: &str, profile: &str) -> Result<String, String> {
    let entry: String = profile.lines().skip(1).map(|l| format!("{l}\n")).collect();
    let lines: Vec<&str> = text.lines().collect();
    let images_at = lines
        .iter()
        .position(|l| l.trim_end() == "images:" || l.starts_with("images:"));
    let Some(i) = images_at else {
        let mut out = text.to_string();
        if !out.ends_with('\n') && !out.is_empty() {
            out.push('\n');
        }
        out.push_str(profile);
        return Ok(out);
    };
    if lines[i].trim_end() != "images:" {
        return Err("`images:` is written in flow style; add the profile by hand".into());
    }
    // The section runs until the next top-level key.
    let end = lines[i + 1..]
        .iter()
        .position(|l| !l.is_empty() && !l.starts_with(' ') && !l.starts_with('#'))
        .map(|k| i + 1 + k)
        .unwrap_or(lines.len());
    let key_line = |l: &str| {
        let t = l.strip_prefix("  ").unwrap_or("");
        !t.starts_with(' ') && !t.starts_with('#') && !t.is_empty()
    };
    let mut start_of: Option<usize> = None;
    for (k, l) in lines.iter().enumerate().take(end).skip(i + 1) {
        if key_line(l) {
            let key = l
                .trim()
                .trim_end_matches(':')
                .trim_matches('"')
                .trim_matches('\'');
            if key == pattern {
                start_of = Some(k);
                break;
            }
        }
    }
    let mut out: Vec<String> = Vec::new();
    match start_of {
        Some(s) => {
            let stop = lines[s + 1..end]
                .iter()
                .position(|l| key_line(l))
                .map(|k| s + 1 + k)
                .unwrap_or(end);
            out.extend(lines[..s].iter().map(|l| format!("{l}\n")));
            out.push(entry);
            out.extend(lines[stop..].iter().map(|l| format!("{l}\n")));
        }
        None => {
            out.extend(lines[..end].iter().map(|l| format!("{l}\n")));
            out.push(entry);
            out.extend(lines[end..].iter().map(|l| format!("{l}\n")));
        }
    }
    Ok(out.concat())
}

/// Drops what a trial must not do: publish ports, remove itself, detach keys, a name; makes
/// named volumes anonymous (unless kept) and labels it.
fn sanitize(p: &Parsed, keep_volumes: bool) -> Parsed {
    let mut p = p.clone();
    p.occurrences.retain(|o| {
        !matches!(
            o.flag.long,
            "publish"
                | "publish-all"
                | "rm"
                | "name"
                | "detach"
                | "interactive"
                | "tty"
                | "cidfile"
                | "review"
                | "explain"
                | "dry-run"
                | "format"
                | "watch"
        )
    });
    if !keep_volumes {
        for o in p.occurrences.iter_mut() {
            if o.flag.long == "volume"
                && let Some(v) = &o.value
            {
                let parts: Vec<&str> = v.splitn(3, ':').collect();
                if parts.len() >= 2 && !parts[0].starts_with('/') && !parts[0].starts_with('.') {
                    o.value = Some(parts[1].to_string());
                }
            }
            if o.flag.long == "mount"
                && let Some(v) = &o.value
                && v.split(',').any(|kv| kv == "type=volume")
            {
                let kept: Vec<&str> = v
                    .split(',')
                    .filter(|kv| !kv.starts_with("source=") && !kv.starts_with("src="))
                    .collect();
                o.value = Some(kept.join(","));
            }
        }
    }
    let label = lookup_long("label").map(|f| Occurrence::new(f, Some("harden.learn=1".into())));
    p.occurrences.extend(label);
    let detach = lookup_long("detach").map(|f| Occurrence::new(f, None));
    p.occurrences.extend(detach);
    p
}

/// The observation trial: the user's own arguments with the preset's limits and
/// no-new-privileges (the parts under test left as docker has them).
fn observe_args(original: &Parsed, hardened: &Parsed, keep_volumes: bool) -> Parsed {
    let mut p = sanitize(original, keep_volumes);
    for long in ["memory", "cpus", "pids-limit"] {
        if p.last(long).is_none()
            && let Some(o) = hardened.last(long)
        {
            p.occurrences.push(o.clone());
        }
    }
    fix::argv::apply(&p, &[Change::SetNoNewPrivileges])
}

/// A fully hardened trial as `user`, with tmpfs on `tmpfs` and `caps` added back.
fn hardened_args(
    hardened: &Parsed,
    user: Option<&str>,
    tmpfs: &BTreeSet<String>,
    caps: &[String],
    keep_volumes: bool,
) -> Parsed {
    let mut p = sanitize(hardened, keep_volumes);
    let mut changes = Vec::new();
    let ids = user.and_then(crate::spec::numeric_uid_gid);
    if let Some(u) = user {
        changes.push(Change::SetUser {
            user: u.to_string(),
        });
        // harden's own tmpfs follow the user.
        if let Some((uid, Some(gid))) = ids {
            for o in p.occurrences.iter_mut().filter(|o| o.flag.long == "tmpfs") {
                if let Some(v) = &o.value {
                    let (at, opts) = v.split_once(':').unwrap_or((v.as_str(), ""));
                    o.value = Some(format!("{at}:{}", fix::with_owner(opts, uid, gid)));
                }
            }
        }
    }
    let existing: Vec<String> = p
        .all("tmpfs")
        .filter_map(|o| o.value.as_deref())
        .map(|v| v.split(':').next().unwrap_or("").to_string())
        .collect();
    for t in tmpfs {
        if existing.contains(t) {
            continue;
        }
        let mut opts = "rw,noexec,nosuid,nodev,size=64m".to_string();
        if let Some((uid, Some(gid))) = ids {
            opts = fix::with_owner(&opts, uid, gid);
        }
        changes.push(Change::AddTmpfs {
            path: t.clone(),
            options: opts,
        });
    }
    let mut p = fix::argv::apply(&p, &changes);
    for c in caps {
        if let Some(f) = lookup_long("cap-add") {
            p.occurrences.push(Occurrence::new(
                f,
                Some(c.trim_start_matches("CAP_").to_string()),
            ));
        }
    }
    p
}

/// Runs one trial container until ready, failed or timed out, then removes it.
#[allow(clippy::too_many_arguments)]
async fn run_trial(
    engine: &engine::Engine,
    cleanup: &Cleanup,
    parsed: &Parsed,
    env: &dyn Environment,
    api: Option<&str>,
    probe: &Option<Probe>,
    has_health: bool,
    timeout: Duration,
    observe: bool,
) -> Trial {
    let request = match argv::build_request(parsed, env, api) {
        Ok(r) => r,
        Err(e) => {
            return Trial::Failed {
                why: e.message,
                logs: String::new(),
            };
        }
    };
    let id = match engine::run::create(engine, &request, &mut super::progress::create_note).await {
        Ok(id) => id,
        Err(e) => {
            return Trial::Failed {
                why: e.to_string(),
                logs: String::new(),
            };
        }
    };
    cleanup.track(&id);
    let result = async {
        if let Err(e) = engine
            .call("POST", &format!("/containers/{id}/start"), None)
            .await
        {
            return Trial::Failed {
                why: e.to_string(),
                logs: String::new(),
            };
        }
        match ready(engine, &id, probe, has_health, timeout).await {
            Ok(()) => {
                let (uid, written) = if observe {
                    (
                        settled_uid(engine, &id).await,
                        written_dirs(engine, &id).await,
                    )
                } else {
                    (None, Vec::new())
                };
                Trial::Ready { uid, written }
            }
            Err(why) => Trial::Failed {
                why,
                logs: engine::stream::logs(engine, &id, 200)
                    .await
                    .unwrap_or_default(),
            },
        }
    }
    .await;
    cleanup.remove(&id).await;
    result
}

async fn inspect(engine: &engine::Engine, id: &str) -> Option<serde_json::Value> {
    let b = engine
        .call("GET", &format!("/containers/{id}/json"), None)
        .await
        .ok()?;
    serde_json::from_slice(&b).ok()
}

/// Waits until the container is ready (see the module documentation).
async fn ready(
    engine: &engine::Engine,
    id: &str,
    probe: &Option<Probe>,
    has_health: bool,
    timeout: Duration,
) -> Result<(), String> {
    let start = Instant::now();
    let settle = Duration::from_secs(3);
    loop {
        let Some(v) = inspect(engine, id).await else {
            return Err("the container is gone".into());
        };
        let state = &v["State"];
        if state["Running"] != true {
            return Err(format!(
                "it exited with code {}{}",
                state["ExitCode"],
                if state["OOMKilled"] == true {
                    " (out of memory)"
                } else {
                    ""
                }
            ));
        }
        let ok = match probe {
            Some(p) => probe_once(engine, id, &v, p).await,
            None if has_health => state["Health"]["Status"] == "healthy",
            None => start.elapsed() >= settle,
        };
        if ok {
            // Still running a moment later (a service that answers, then dies, is not ready).
            tokio::time::sleep(Duration::from_millis(300)).await;
            if let Some(v) = inspect(engine, id).await
                && v["State"]["Running"] == true
            {
                return Ok(());
            }
            continue;
        }
        if start.elapsed() > timeout {
            return Err(format!("not ready within {timeout:?}"));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn container_ip(v: &serde_json::Value) -> Option<String> {
    let ns = &v["NetworkSettings"];
    if let Some(ip) = ns["IPAddress"].as_str().filter(|i| !i.is_empty()) {
        return Some(ip.to_string());
    }
    ns["Networks"].as_object()?.values().find_map(|n| {
        n["IPAddress"]
            .as_str()
            .filter(|i| !i.is_empty())
            .map(str::to_string)
    })
}

async fn probe_once(engine: &engine::Engine, id: &str, v: &serde_json::Value, p: &Probe) -> bool {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    match p {
        Probe::Tcp(port) => {
            let Some(ip) = container_ip(v) else {
                return false;
            };
            matches!(
                tokio::time::timeout(
                    Duration::from_secs(1),
                    tokio::net::TcpStream::connect((ip.as_str(), *port))
                )
                .await,
                Ok(Ok(_))
            )
        }
        Probe::Http(port, path) => {
            let Some(ip) = container_ip(v) else {
                return false;
            };
            let Ok(Ok(mut s)) = tokio::time::timeout(
                Duration::from_secs(1),
                tokio::net::TcpStream::connect((ip.as_str(), *port)),
            )
            .await
            else {
                return false;
            };
            let req = format!("GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n");
            if s.write_all(req.as_bytes()).await.is_err() {
                return false;
            }
            let mut buf = vec![0u8; 64];
            let n = tokio::time::timeout(Duration::from_secs(2), s.read(&mut buf))
                .await
                .ok()
                .and_then(|r| r.ok())
                .unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]);
            let code: u16 = head
                .split_whitespace()
                .nth(1)
                .and_then(|c| c.parse().ok())
                .unwrap_or(0);
            (200..500).contains(&code)
        }
        Probe::Cmd(c) => {
            let body = serde_json::json!({"Cmd": ["sh", "-c", c], "AttachStdout": false, "AttachStderr": false});
            let Ok(b) = engine
                .call("POST", &format!("/containers/{id}/exec"), Some(&body))
                .await
            else {
                return false;
            };
            let Some(eid) = serde_json::from_slice::<serde_json::Value>(&b)
                .ok()
                .and_then(|v| v["Id"].as_str().map(str::to_string))
            else {
                return false;
            };
            let start = serde_json::json!({"Detach": true});
            if engine
                .call("POST", &format!("/exec/{eid}/start"), Some(&start))
                .await
                .is_err()
            {
                return false;
            }
            for _ in 0..40 {
                if let Ok(b) = engine.call("GET", &format!("/exec/{eid}/json"), None).await
                    && let Ok(v) = serde_json::from_slice::<serde_json::Value>(&b)
                    && v["Running"] == false
                {
                    return v["ExitCode"] == 0;
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            false
        }
    }
}

/// The uid and gid the container's processes settled on (the most common one; root only when
/// every process is root).
async fn settled_uid(engine: &engine::Engine, id: &str) -> Option<(u32, u32)> {
    let b = engine
        .call(
            "GET",
            &format!("/containers/{id}/top?ps_args=-o%20pid,uid,gid"),
            None,
        )
        .await
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&b).ok()?;
    let titles: Vec<&str> = v["Titles"]
        .as_array()?
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    let ui = titles.iter().position(|t| *t == "UID")?;
    let gi = titles.iter().position(|t| *t == "GID")?;
    let mut counts: std::collections::BTreeMap<(u32, u32), usize> = Default::default();
    for row in v["Processes"].as_array()? {
        let row: Vec<&str> = row.as_array()?.iter().filter_map(|c| c.as_str()).collect();
        let uid = row.get(ui)?.parse().ok()?;
        let gid = row.get(gi)?.parse().ok()?;
        *counts.entry((uid, gid)).or_default() += 1;
    }
    let non_root = counts
        .iter()
        .filter(|((u, _), _)| *u != 0)
        .max_by_key(|(_, n)| **n);
    match non_root {
        Some((ids, _)) => Some(*ids),
        None => counts.keys().next().copied(),
    }
}

/// The directories the container wrote into: for each added path, its nearest parent that the
/// image already had.
async fn written_dirs(engine: &engine::Engine, id: &str) -> Vec<String> {
    let Ok(b) = engine
        .call("GET", &format!("/containers/{id}/changes"), None)
        .await
    else {
        return Vec::new();
    };
    let v: Vec<serde_json::Value> = serde_json::from_slice(&b).unwrap_or_default();
    let added: BTreeSet<String> = v
        .iter()
        .filter(|c| c["Kind"] == 1)
        .filter_map(|c| c["Path"].as_str().map(str::to_string))
        .collect();
    let mut out = BTreeSet::new();
    for p in &added {
        let parent = match p.rsplit_once('/') {
            Some(("", _)) | None => continue,
            Some((parent, _)) => parent.to_string(),
        };
        if added.contains(&parent) {
            continue;
        }
        // The preset's own tmpfs cover these.
        if ["/tmp", "/run", "/var/run", "/dev", "/proc", "/sys"]
            .iter()
            .any(|c| parent == *c || parent.starts_with(&format!("{c}/")))
        {
            continue;
        }
        out.insert(parent);
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learn_options_are_taken_before_the_image_only() {
        let args: Vec<String> = [
            "--probe", "http:80/", "-p", "8080:80", "-e", "--stdout", "--stdout", "nginx",
            "--stdout",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let (o, rest) = split_options(&args).unwrap();
        assert_eq!(o.probe, Some(Probe::Http(80, "/".into())));
        assert!(o.stdout);
        // `-e --stdout` is docker's -e with the value `--stdout`; after the image, the
        // container's argument.
        assert_eq!(
            rest,
            ["-p", "8080:80", "-e", "--stdout", "nginx", "--stdout"]
        );
        assert!(split_options(&["--probe".into(), "x".into()]).is_err());
    }

    #[test]
    fn profiles_merge_into_a_team_file_keeping_comments() {
        let text = "# team\nextends: strict\nimages:\n  # the proxy\n  nginx:\n    reason: old\n    user: \"1:1\"\n  redis:\n    reason: kept\nrules: {}\n";
        let p = render_profile(
            "nginx",
            Some("101:101"),
            &BTreeSet::from(["/var/cache/nginx".to_string()]),
            &[],
        );
        let out = merge_profile(text, "nginx", &p).unwrap();
        assert!(
            out.contains("# team\n") && out.contains("# the proxy\n"),
            "{out}"
        );
        assert!(
            out.contains("user: \"101:101\"") && !out.contains("reason: old"),
            "{out}"
        );
        assert!(
            out.contains("  redis:\n    reason: kept\nrules: {}\n"),
            "{out}"
        );
        crate::preset::file::PresetFile::parse("t", &out).unwrap();
        let out = merge_profile(
            "extends: default\n",
            "caddy",
            &render_profile("caddy", None, &BTreeSet::new(), &[]),
        )
        .unwrap();
        crate::preset::file::PresetFile::parse("t", &out).unwrap();
    }

    #[test]
    fn dates() {
        assert_eq!(today().len(), 10);
    }
}
