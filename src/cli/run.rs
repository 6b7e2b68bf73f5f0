//! `harden run` / `harden create`: parse like `docker run`, check against the preset, rewrite,
//! then print (`--dry-run`) or create/start/attach through the Engine API.

use super::review;
use super::{error_line, notice, print_out};
use crate::diagnose;
use crate::engine;
use crate::fix;
use crate::frontend::argv::{self, Environment, RunRequest};
use crate::render::explain;
pub use crate::render::shell_quote;
pub use crate::session::run::{
    Mode, Plan, PlanError, command_line, denial_lines, dry_run_json, parse, plan, policy_text,
    summary,
};
pub use crate::session::{ConnectError, connect};
use std::ffi::OsString;
use std::process::ExitCode;

fn usage_hint(mode: Mode) -> String {
    format!("See 'harden {} --help'.", mode.word())
}

/// Entry point for `harden run` / `harden create`.
pub fn main(mode: Mode, args: Vec<OsString>) -> ExitCode {
    // A short-lived process that allocates little: 4 KiB pages rather than the transparent huge
    // pages mimalloc asks for, each of which the kernel zeroes (2 MiB) on first touch and splits
    // again when mimalloc returns memory at exit (bench/PROFILE.md, "create, third round").
    // Compose commands keep them (they allocate ~100 MB, where huge pages pay off).
    #[cfg(any(target_os = "linux", target_os = "android"))]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    let mut strings = Vec::with_capacity(args.len());
    for a in args {
        match a.into_string() {
            Ok(s) => strings.push(s),
            Err(bad) => {
                error_line(&format!(
                    "argument {} is not valid UTF-8",
                    bad.to_string_lossy()
                ));
                return ExitCode::from(125);
            }
        }
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            error_line(&format!("cannot start the async runtime: {e}"));
            return ExitCode::from(125);
        }
    };
    let code = runtime.block_on(run_async(mode, strings, &super::system_env()));
    super::tty::restore();
    // Do not wait for a blocked stdin reader thread.
    std::process::exit(i32::from(code));
}

/// Reports a failure before the container runs and returns the exit code.
fn fail(mode: Mode, e: PlanError) -> u8 {
    match e {
        PlanError::Help => {
            print_out(&argv::help_text().replace("docker run", &format!("harden {}", mode.word())));
            0
        }
        PlanError::Argv(e) => {
            error_line(
                &e.message
                    .replace("'docker run'", &format!("'harden {}'", mode.word())),
            );
            if e.show_usage {
                eprintln!("{}", usage_hint(mode));
            }
            e.exit_code
        }
        PlanError::Preset(e) => {
            error_line(&format!("preset: {e}"));
            125
        }
        PlanError::Invalid(e) | PlanError::Untrusted(e) => {
            error_line(&e);
            125
        }
        PlanError::Denied {
            outcome,
            image,
            explain,
        } => {
            if explain {
                eprint!("{}", explain::outcome(&outcome, Some(&image)));
            }
            for line in denial_lines(&outcome, &image) {
                error_line(&line);
            }
            125
        }
    }
}

/// The whole `harden run`: parse, connect, look at the image, harden, review, then print or run.
pub async fn run_async(mode: Mode, args: Vec<String>, env: &dyn Environment) -> u8 {
    // A first parse without the engine: flag errors and --help never need a daemon.
    let (parsed, request) = match parse(mode, &args, env, None) {
        Ok(p) => p,
        // ... except that docker reports a flag the daemon's API version lacks before any other
        // error: ask the daemon then, as docker does.
        Err(PlanError::Argv(e)) if argv::error_needs_api_version(&args) => {
            let api = connect(env).await.ok().map(|engine| engine.api_version);
            let e = match api.map(|api| parse(mode, &args, env, Some(&api))) {
                Some(Err(again)) => again,
                _ => PlanError::Argv(e),
            };
            return fail(mode, e);
        }
        Err(e) => return fail(mode, e),
    };
    let dry_run = request.harden.dry_run;
    if let Some(f) = request.harden.format.as_deref()
        && f != "text"
        && f != "json"
    {
        error_line(&format!(
            "invalid argument \"{f}\" for \"--format\" flag: must be one of \"text\" or \"json\""
        ));
        return 125;
    }
    let c = &request.client;
    if !dry_run
        && mode == Mode::Run
        && !c.detach
        && request.body.tty.unwrap_or(false)
        && request.body.attach_stdin.unwrap_or(false)
        && !super::tty::stdin_is_tty()
    {
        error_line("the input device is not a TTY");
        return 1;
    }
    if request.harden.review && !review::interactive() {
        error_line(&review::ReviewError::NoTerminal.to_string());
        return 125;
    }

    // The engine: required to run, optional for a dry run. The image is inspected while the
    // API version is negotiated (unless `--pull always` pulls it first).
    let early = !matches!(request.client.pull, argv::PullPolicy::Always);
    let (engine, inspected) =
        crate::session::run::connect_inspecting(env, early.then_some(parsed.image.as_str())).await;
    let engine = match engine {
        Ok(e) => Some(e),
        Err(e) if dry_run => {
            if !request.harden.no_harden {
                notice(&format!(
                    "dry run without an engine ({e}); assuming the image runs as root, exposes no ports, declares no volumes and has no HEALTHCHECK"
                ));
            }
            None
        }
        Err(e) => {
            error_line(&e.message);
            return e.exit_code;
        }
    };
    // The negotiated API version; without an engine, a pinned `DOCKER_API_VERSION` still says
    // which API the body is for.
    let api = match &engine {
        Some(e) => Some(e.api_version.clone()),
        None => env
            .var("DOCKER_API_VERSION")
            .map(|v| v.trim().trim_start_matches('v').to_string())
            .filter(|v| engine::api_at_least(v, "1.0")),
    };
    // Re-parse for that API version (flags that need a newer daemon, MAC placement…).
    let (parsed, request) = if api.is_some() {
        match parse(mode, &args, env, api.as_deref()) {
            Ok(p) => p,
            Err(e) => return fail(mode, e),
        }
    } else {
        (parsed, request)
    };

    // A hardened plan is rendered for the engine (`for_engine`): what the engine can do is
    // read while the image is looked at.
    if let Some(e) = &engine
        && !request.harden.no_harden
    {
        e.prefetch_facts();
    }
    let config = env.docker_config_json();
    let facts = match &engine {
        Some(engine) => {
            let mut notes = super::progress::Notes::new(request.client.quiet);
            let found = engine::run::ensure_image(
                engine,
                &parsed.image,
                &request.client,
                config.as_ref(),
                dry_run,
                inspected,
                &mut |n| notes.note(n),
            )
            .await;
            drop(notes);
            match found {
                Ok(Some(f)) => Some(f),
                Ok(None) => {
                    if !request.harden.no_harden {
                        notice(&format!(
                            "image {} is not present locally (a dry run does not pull); assuming it runs as root, exposes no ports, declares no volumes and has no HEALTHCHECK",
                            parsed.image
                        ));
                    }
                    None
                }
                Err(e) => {
                    error_line(&e.to_string());
                    return if mode == Mode::Create { 1 } else { 125 };
                }
            }
        }
        None => None,
    };
    // What the image's filesystem says (its accounts, owners, privilege drop): read before
    // create, nothing runs. Without it harden falls back to the preset's user.
    let mut facts = facts;
    if let (Some(engine), Some(f)) = (&engine, facts.as_mut())
        && !request.harden.no_harden
    {
        match engine::probe::filesystem(engine, f).await {
            Ok(fs) => f.fs = Some(fs),
            Err(e) => notice(&format!(
                "could not read the image's files ({e}); using the preset's user"
            )),
        }
    }

    let mut plan = match plan(parsed, request, env, api.as_deref(), facts) {
        Ok(p) => p,
        Err(e) => return fail(mode, e),
    };
    if let Err(e) = for_engine(&mut plan, engine.as_ref(), env, api.as_deref()).await {
        return fail(mode, e);
    }
    let h = plan.request.harden.clone();
    if h.review && !plan.changes.is_empty() {
        match review::review(&plan.outcome, &plan.changes) {
            Ok(r) if r.skipped.is_empty() => {}
            Ok(r) => {
                eprint!("{}", review::waiver_snippet(&r.skipped, &plan.parsed.image));
                // Plan again with the skipped rules waived, so that fixes which depend on
                // them (tmpfs owned by the user the container really has) follow the choice.
                let (parsed, mut request) = match parse(mode, &args, env, api.as_deref()) {
                    Ok(p) => p,
                    Err(e) => return fail(mode, e),
                };
                request
                    .harden
                    .allow
                    .extend(r.skipped.iter().map(|s| s.to_string()));
                let facts = Some(plan.spec.image_facts.clone());
                plan = match self::plan(parsed, request, env, api.as_deref(), facts) {
                    Ok(p) => p,
                    Err(e) => return fail(mode, e),
                };
                if let Err(e) = for_engine(&mut plan, engine.as_ref(), env, api.as_deref()).await {
                    return fail(mode, e);
                }
            }
            Err(e) => {
                error_line(&e.to_string());
                return 125;
            }
        }
    } else if h.explain {
        if let Some(p) = plan.policy.as_ref().filter(|p| p.sources.len() > 1) {
            eprint!("{}", policy_text(p));
        }
        eprint!(
            "{}",
            explain::outcome(&plan.outcome, Some(plan.parsed.image.as_str()))
        );
    } else if let Some(s) = summary(&plan) {
        notice(&s);
    }

    if h.dry_run {
        if h.format.as_deref() == Some("json") {
            let doc = dry_run_json(mode, &plan);
            let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
            s.push('\n');
            print_out(&s);
        } else {
            print_out(&format!("{}\n", command_line(mode, &plan.parsed)));
        }
        return 0;
    }
    let Some(engine) = engine else {
        return 125;
    };
    let ctx = diagnose::Context {
        image: plan.parsed.image.clone(),
        user: plan.changes.iter().find_map(|(_, c)| match c {
            fix::Change::SetUser { user } => Some(user.clone()),
            _ => None,
        }),
        changes: plan.changes.clone(),
        args: args.clone(),
        oom_killed: false,
        podman_tmpfs: !plan.tmpfs_owner_options,
    };
    execute(mode, &engine, &plan.request, &ctx).await
}

/// Renders the plan for the connected engine (Podman's tmpfs, CPU limits it cannot apply); its
/// facts are only asked for when a change depends on them.
async fn for_engine(
    plan: &mut Plan,
    engine: Option<&engine::Engine>,
    env: &dyn Environment,
    api: Option<&str>,
) -> Result<(), PlanError> {
    match engine {
        Some(engine) if fix::engine::depends_on_engine(&plan.changes) => {
            plan.for_engine(engine.facts().await, env, api)
        }
        _ => Ok(()),
    }
}

/// Prints what broke and the remedy, when the last lines say.
async fn explain_failure(engine: &engine::Engine, id: &str, logs: &str, ctx: &diagnose::Context) {
    let mut ctx = ctx.clone();
    if let Ok(b) = engine
        .call("GET", &format!("/containers/{id}/json"), None)
        .await
        && let Ok(v) = serde_json::from_slice::<serde_json::Value>(&b)
    {
        ctx.oom_killed = v["State"]["OOMKilled"] == true;
    }
    if let Some(d) = diagnose::diagnose(logs, &ctx) {
        for l in d.lines() {
            error_line(&l);
        }
    }
}

/// Watches a detached container for `window`: when it exits with an error in that time,
/// explains the failure (the exit code of `harden run -d` stays 0, as docker's).
async fn watch(
    engine: &engine::Engine,
    id: &str,
    window: std::time::Duration,
    ctx: &diagnose::Context,
) {
    use http_body_util::BodyExt;
    let Ok(waiter) = engine::stream::wait(engine, id, "not-running").await else {
        return;
    };
    // Follow the logs meanwhile: with --rm they are gone once it exits. Podman answers a
    // follow only once the container has printed something: do not wait for it past the window.
    let deadline = tokio::time::Instant::now() + window;
    let follow = tokio::time::timeout_at(
        deadline,
        engine.raw(
            "GET",
            &format!("/containers/{id}/logs?follow=1&stdout=1&stderr=1"),
            None,
        ),
    )
    .await;
    let collected = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
    let reader = if let Ok(Ok(resp)) = follow {
        let c = collected.clone();
        Some(tokio::spawn(async move {
            let mut body = resp.into_body();
            while let Some(Ok(frame)) = body.frame().await {
                if let Some(d) = frame.data_ref()
                    && let Ok(mut v) = c.lock()
                {
                    v.extend_from_slice(d);
                    let over = v.len().saturating_sub(256 << 10);
                    v.drain(..over);
                }
            }
        }))
    } else {
        None
    };
    let code = match tokio::time::timeout_at(deadline, waiter).await {
        Ok(Ok(engine::stream::WaitResult::Exited(c))) => c,
        _ => {
            if let Some(r) = reader {
                r.abort();
            }
            return;
        }
    };
    if let Some(r) = reader {
        let _ = tokio::time::timeout(std::time::Duration::from_millis(500), r).await;
    }
    if code == 0 {
        return;
    }
    let raw = collected.lock().map(|v| v.clone()).unwrap_or_default();
    let framed = raw.len() >= 8 && raw[0] <= 2 && raw[1..4] == [0, 0, 0];
    let logs = if framed {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let _ = engine::stream::demux(&raw[..], &mut out, &mut err).await;
        out.extend_from_slice(&err);
        String::from_utf8_lossy(&out).into_owned()
    } else {
        String::from_utf8_lossy(&raw).into_owned()
    };
    error_line(&format!(
        "container {} exited with code {code} within {:.0?} of its start",
        &id[..id.len().min(12)],
        window
    ));
    explain_failure(engine, id, &logs, ctx).await;
}

/// Creates (and for `run`, starts and attaches) the container.
async fn execute(
    mode: Mode,
    engine: &engine::Engine,
    request: &RunRequest,
    ctx: &diagnose::Context,
) -> u8 {
    let c = &request.client;
    if let Some(path) = &c.cidfile
        && let Err(e) = engine::run::claim_cidfile(path)
    {
        error_line(&e);
        return 125;
    }
    let id = match engine::run::create(engine, request, &mut super::progress::create_note).await {
        Ok(id) => id,
        Err(e) => {
            if let Some(path) = &c.cidfile {
                let _ = std::fs::remove_file(path);
            }
            // The plan may have been rendered from the facts of an engine that has changed.
            engine.forget_cached_facts();
            let msg = e.to_string();
            error_line(&msg);
            return match mode {
                Mode::Create => 1,
                Mode::Run => engine::run::exit_code_for(&msg),
            };
        }
    };
    if let Some(path) = &c.cidfile
        && let Err(e) = engine::run::write_cidfile(path, &id)
    {
        error_line(&format!(
            "failed to write the container ID file {path}: {e}"
        ));
    }
    match mode {
        Mode::Create => {
            println!("{id}");
            0
        }
        Mode::Run => {
            let tail = engine::stream::Tail::default();
            let code = super::attach::start_and_stream(engine, request, &id, &tail).await;
            // Only what harden hardened is diagnosed.
            let hardened = !ctx.changes.is_empty();
            if c.detach {
                let window = request.harden.watch.unwrap_or(2_000_000_000);
                if code == 0 && hardened && window > 0 {
                    let w = std::time::Duration::from_nanos(window as u64);
                    watch(engine, &id, w, ctx).await;
                }
            } else if hardened && code != 0 && code != 130 && code != 143 && code < 125 {
                explain_failure(engine, &id, &tail.text(), ctx).await;
            }
            code
        }
    }
}

#[cfg(test)]
mod tests {
    use super::shell_quote;

    #[test]
    fn quoting_round_trips_through_a_shell_parser() {
        for w in [
            "plain",
            "/run:rw,size=64m,uid=1",
            "",
            "it's",
            "a b",
            "$HOME",
            "x\"y",
            "*",
            "~",
            "#c",
            "new\nline",
        ] {
            let q = shell_quote(w);
            assert_eq!(shell_words::split(&q).unwrap(), vec![w.to_string()], "{q}");
        }
        assert_eq!(shell_quote("/run:rw,size=64m"), "/run:rw,size=64m");
        assert_eq!(shell_quote("daemon off;"), "'daemon off;'");
    }
}
