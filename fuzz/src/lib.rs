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
//! - [`proxy_body`]: the proxy's Go-faithful body reader (`harden::proxy::body`). The input is
//!   a request body. For every door and dialect the reader may refuse it; when it accepts, the
//!   body it would forward must read back to the same value with nothing left to fold, merge or
//!   drop, and `session::proxy::judge_create` must not panic on a create body's value. When the input is also a JSON object for serde_json (valid UTF-8, no duplicate or
//!   case-folded key, ASCII keys), the two readers must agree value for value, except where
//!   Go's rules differ on purpose (zero values left out, unknown fields dropped, `StrSlice`).

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
        .flat_map(|r| r.findings.iter().map(move |f| (&r.service, f)))
        .filter(|(_, f)| f.fixable)
        .map(|(service, f)| {
            format!(
                "{} {} {}",
                service, f.evaluated.finding.rule, f.evaluated.finding.message
            )
        })
        .collect();
    assert!(
        left.is_empty(),
        "fixable findings left after fixing:\n{left:#?}\n--- before\n{text}\n--- after\n{new}"
    );
    Some(new)
}

// ---------------------------------------------------------------------------------------------
// proxy_body
// ---------------------------------------------------------------------------------------------

/// The `proxy_body` target (see the module docs).
pub fn proxy_body(data: &[u8]) {
    use harden::proxy::body::{Dialect, Door, QuirkKind, decode};
    use harden::session::proxy::{Mode as ProxyMode, judge_create};
    let plain: Option<serde_json::Value> = serde_json::from_slice(data).ok();
    for door in [
        Door::ContainerCreate,
        Door::ExecCreate,
        Door::ContainerUpdate,
    ] {
        for dialect in [Dialect::Engine20_10, Dialect::Master] {
            let Ok(d) = decode(door, dialect, data) else {
                continue;
            };
            let forwarded = d.body();
            let again = decode(door, dialect, &forwarded).unwrap_or_else(|e| {
                panic!(
                    "the forwarded body is refused ({door:?}, {dialect:?}): {e}\n{}",
                    String::from_utf8_lossy(&forwarded)
                )
            });
            assert_eq!(again.value, d.value, "the forwarded body reads differently");
            if let Some(q) = again.quirks.iter().find(|q| {
                matches!(
                    q.kind,
                    QuirkKind::Folded { .. }
                        | QuirkKind::Duplicate
                        | QuirkKind::Unknown { .. }
                        | QuirkKind::TopLevelHostConfig { .. }
                )
            }) {
                panic!("the forwarded body has a quirk ({door:?}, {dialect:?}): {q:?}");
            }
            if door == Door::ContainerCreate {
                // May refuse (bollard's enums know fewer strings than the engine takes, e.g.
                // `RestartPolicy.Name: "nl"`, which the engine refuses too): fails closed.
                let _ = judge_create(&d.value, None, None, None, preset(), ProxyMode::Enforce);
            }
            if dialect == Dialect::Engine20_10
                && let Some(plain) = &plain
            {
                compare_plain(door, &d, plain);
            }
        }
    }
}

/// The reader against serde_json, for a plain object (see the module docs).
fn compare_plain(
    door: harden::proxy::body::Door,
    d: &harden::proxy::body::Decoded,
    plain: &serde_json::Value,
) {
    use harden::proxy::body::{Door, MAX_QUIRKS, QuirkKind};
    let serde_json::Value::Object(top) = plain else {
        return;
    };
    if !ascii_keys(plain) || d.quirks.len() >= MAX_QUIRKS {
        return;
    }
    if d.quirks.iter().any(|q| {
        matches!(
            q.kind,
            QuirkKind::Folded { .. } | QuirkKind::Duplicate | QuirkKind::TopLevelHostConfig { .. }
        )
    }) {
        return;
    }
    // 20.10's wrapper moves a top-level `Cpuset` into HostConfig.
    if door == Door::ContainerCreate && top.keys().any(|k| k.eq_ignore_ascii_case("cpuset")) {
        return;
    }
    let unknown: std::collections::HashSet<&str> = d
        .quirks
        .iter()
        .filter(|q| matches!(q.kind, QuirkKind::Unknown { .. }))
        .map(|q| q.path.as_str())
        .collect();
    if let Err(why) = agree(&d.value, plain, &mut String::new(), &unknown) {
        panic!(
            "the reader and serde_json disagree ({door:?}): {why}\nreader: {}\nserde_json: {plain}",
            d.value
        );
    }
}

fn ascii_keys(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Object(m) => m.iter().all(|(k, v)| k.is_ascii() && ascii_keys(v)),
        serde_json::Value::Array(a) => a.iter().all(ascii_keys),
        _ => true,
    }
}

/// A value Go leaves as (or decodes to) a zero value: the canonical value leaves it out.
fn zeroish(v: &serde_json::Value) -> bool {
    use serde_json::Value;
    match v {
        Value::Null | Value::Bool(false) => true,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.iter().all(zeroish),
        Value::Object(m) => m.values().all(zeroish),
        Value::Bool(true) => false,
    }
}

/// `canon` (the reader's) agrees with `plain` (serde_json's) at `path` (the quirks' syntax).
fn agree(
    canon: &serde_json::Value,
    plain: &serde_json::Value,
    path: &mut String,
    unknown: &std::collections::HashSet<&str>,
) -> Result<(), String> {
    use serde_json::Value;
    let here = path.clone();
    match (canon, plain) {
        // null (or a null element) leaves Go's zero value.
        (c, Value::Null) if zeroish(c) => Ok(()),
        (Value::Object(c), Value::Object(p)) => {
            for (k, cv) in c {
                path.push('/');
                path.push_str(&k.replace('~', "~0").replace('/', "~1"));
                match p.get(k) {
                    Some(pv) => agree(cv, pv, path, unknown)?,
                    None if zeroish(cv) => {}
                    None => return Err(format!("{path}: only the reader has {cv}")),
                }
                path.truncate(here.len());
            }
            for (k, pv) in p {
                if c.contains_key(k) {
                    continue;
                }
                let at = format!("{here}/{}", k.replace('~', "~0").replace('/', "~1"));
                if unknown.contains(at.as_str()) || zeroish(pv) {
                    continue;
                }
                if pv.is_object() {
                    // A struct whose fields all stayed zero is left out whole.
                    path.push_str(&at[here.len()..]);
                    agree(&Value::Object(serde_json::Map::new()), pv, path, unknown)?;
                    path.truncate(here.len());
                    continue;
                }
                return Err(format!("{at}: the reader dropped {pv} without a quirk"));
            }
            Ok(())
        }
        (Value::Array(c), Value::Array(p)) => {
            // ConsoleSize is Go's [2]uint: elements past the end are dropped, missing ones 0.
            let fixed = here.ends_with("/ConsoleSize") && c.len() == 2;
            if c.len() != p.len() && !fixed {
                return Err(format!(
                    "{here}: {} elements, serde_json {}",
                    c.len(),
                    p.len()
                ));
            }
            for (i, cv) in c.iter().enumerate() {
                let pv = p.get(i).unwrap_or(&Value::Null);
                path.push_str(&format!("/{i}"));
                agree(cv, pv, path, unknown)?;
                path.truncate(here.len());
            }
            Ok(())
        }
        // moby's StrSlice takes one string.
        (Value::Array(c), Value::String(s)) if c.len() == 1 && c[0] == *s => Ok(()),
        (c, p) if c == p => Ok(()),
        (Value::Number(c), Value::Number(p)) if c.as_f64() == p.as_f64() => Ok(()),
        (c, p) => Err(format!("{here}: the reader has {c}, serde_json {p}")),
    }
}
