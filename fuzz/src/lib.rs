//! What the fuzz targets check. Also compiled into the main crate's `tests/fuzz_replay.rs`
//! (stable `cargo test`), which replays the seeds and every input that once failed, so this file
//! uses nothing but `harden` and `std`.
//!
//! - [`argv`]: the `docker run` front end. The input is the argument list, split at NUL bytes.
//!   `parse_args` may refuse it; when it accepts, `to_args` must re-parse, `build_request` must
//!   not panic for any API version, and when the request builds, hardening it with the default
//!   preset must give a command line that parses and builds again. Requests that publish or
//!   expose more than [`MAX_PORTS`] ports stop after `build_request`: their cost grows with the
//!   number of ports (one binding each, as docker makes them), which the fuzzer's ASan build,
//!   about 100 times slower, reports as a 5 s timeout (`-p 4-9002 h`); the release binary
//!   does them in bounded time, which `tests/bad_input_run.rs` checks (up to 20,000 ports).
//! - [`compose_lint`]: the Compose front end, the rules and every report format. The input is
//!   the text of one Compose file; any UTF-8 is accepted (invalid UTF-8 is replaced).
//! - [`compose_fix`]: as `compose_lint`, then every fix: the fixed text must parse and lint with
//!   no fixable finding left (so fixing it again changes nothing).

use harden::frontend::argv::{self, Environment};
use harden::frontend::compose::Project;
use harden::frontend::compose::interp::Env;
use harden::preset::Preset;
use harden::render::report;
use harden::session::compose::{self as lint, build_report};
use harden::session::run::{self, Mode};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A fixed environment: a few variables, no files but an env file and a seccomp profile.
pub struct FakeEnv;

impl Environment for FakeEnv {
    fn var(&self, name: &str) -> Option<String> {
        match name {
            "HOME" => Some("/home/fuzz".into()),
            "FOO" => Some("bar".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    fn cwd(&self) -> PathBuf {
        PathBuf::from("/nonexistent/harden-fuzz")
    }

    fn read_file(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        let name = path.to_string_lossy();
        if name.ends_with(".env") {
            Ok(b"A=1\n# comment\nFOO\nexport B=2\n=bad\n".to_vec())
        } else if name.ends_with(".json") {
            Ok(br#"{"defaultAction":"SCMP_ACT_ERRNO"}"#.to_vec())
        } else {
            Err(std::io::Error::from(std::io::ErrorKind::NotFound))
        }
    }

    fn docker_config_json(&self) -> Option<serde_json::Value> {
        None
    }

    fn daemon_host(&self) -> String {
        "unix:///var/run/docker.sock".into()
    }
}

/// The argument list of a fuzz input: split at NUL bytes.
pub fn args_of(data: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(data)
        .split('\0')
        .map(str::to_string)
        .collect()
}

/// Above this many ports a request is only built, not hardened (see the module docs).
pub const MAX_PORTS: usize = 1024;

/// The `argv` target.
pub fn argv(data: &[u8]) {
    check_args(&args_of(data));
}

/// Checks one argument list (see the module docs).
pub fn check_args(args: &[String]) {
    if args.len() > 256 {
        return;
    }
    let Ok(parsed) = argv::parse_args(args) else {
        return;
    };
    let again = argv::to_args_with(&parsed, true);
    if let Err(e) = argv::parse_args(&again) {
        panic!("to_args gave a line that does not parse: {args:?} -> {again:?}: {e}");
    }
    if parsed.help_requested() {
        return;
    }
    for api in [None, Some("1.41"), Some("1.44"), Some("1.51")] {
        let Ok(request) = argv::build_request(&parsed, &FakeEnv, api) else {
            continue;
        };
        let _ = request.body_json();
        let ports = request.body.exposed_ports.as_ref().map_or(0, |p| p.len());
        if ports > MAX_PORTS {
            continue;
        }
        match run::plan(parsed.clone(), request, &FakeEnv, api, None) {
            Ok(plan) => {
                let line = argv::to_args_with(&plan.parsed, true);
                let reparsed = argv::parse_args(&line).unwrap_or_else(|e| {
                    panic!("hardened line does not parse: {args:?} -> {line:?}: {e}")
                });
                if let Err(e) = argv::build_request(&reparsed, &FakeEnv, api) {
                    panic!("hardened line does not build: {args:?} -> {line:?} (API {api:?}): {e}");
                }
                let _ = run::dry_run_json(Mode::Run, &plan);
                let _ = run::command_line(Mode::Create, &plan.parsed);
                let _ = run::summary(&plan);
            }
            Err(run::PlanError::Argv(e)) => {
                panic!(
                    "the line builds but its hardened form does not: {args:?} (API {api:?}): {e}"
                )
            }
            Err(_) => {}
        }
    }
}

fn preset() -> &'static Preset {
    static P: OnceLock<Preset> = OnceLock::new();
    P.get_or_init(|| Preset::builtin("default").expect("the default preset loads"))
}

fn env() -> Env {
    let mut e = Env::default();
    e.vars.insert("TAG".into(), "1.2".into());
    e.vars.insert("PORT".into(), "8080".into());
    e.vars.insert("EMPTY".into(), String::new());
    e
}

/// A project of one file with this text, when it is a Compose file.
pub fn project(text: &str) -> Option<Project> {
    Project::from_texts(
        vec![(PathBuf::from("compose.yaml"), text.to_string())],
        PathBuf::from("/nonexistent/harden-fuzz"),
        env(),
    )
    .ok()
}

/// The `compose_lint` target.
pub fn compose_lint(data: &[u8]) {
    if data.len() > 64 << 10 {
        return;
    }
    let text = String::from_utf8_lossy(data);
    let Some(project) = project(&text) else {
        return;
    };
    let results = lint::lint(&project, preset(), &["sensitive-mount".to_string()]);
    let report = build_report(&project, &results);
    let _ = report::text::render(&report);
    let _ = report::json(&report);
    let _ = report::sarif::render(&report);
    let _ = report::github::render(&report);
}

/// The `compose_fix` target.
pub fn compose_fix(data: &[u8]) {
    if data.len() > 64 << 10 {
        return;
    }
    let text = String::from_utf8_lossy(data);
    check_fix(&text);
}

/// Fixes `text` and checks the result (see the module docs). Returns the fixed text, if any.
pub fn check_fix(text: &str) -> Option<String> {
    let project = project(text)?;
    let results = lint::lint(&project, preset(), &[]);
    let requests = lint::requests(&results);
    if requests.is_empty() {
        return None;
    }
    // An error means harden refuses to write (the result would not parse or would lose a
    // comment): allowed, nothing is written.
    let fixed = harden::fix::compose::fix(&project, &requests).ok()?;
    let new = fixed.texts.get(&0)?.clone();
    let Some(again) = self::project(&new) else {
        panic!(
            "the fixed text is not a Compose file any more:\n--- before\n{text}\n--- after\n{new}"
        );
    };
    let left: Vec<String> = lint::lint(&again, preset(), &[])
        .iter()
        .flat_map(|r| &r.findings)
        .filter(|f| f.fixable)
        .map(|f| {
            format!(
                "{} {} {}",
                f.service, f.evaluated.finding.rule, f.evaluated.finding.message
            )
        })
        .collect();
    assert!(
        left.is_empty(),
        "fixable findings left after fixing:\n{left:#?}\n--- before\n{text}\n--- after\n{new}"
    );
    Some(new)
}
