//! Bad input to `harden run` / `harden create`: unknown flags, flags without values, absurd
//! values, a daemon that is down or refuses the connection, bad presets. Each gives a clear
//! `harden: …` line (plus docker's usage hint where docker prints one), the exit code docker
//! gives (125 for run), no panic, in bounded time, and creates no container: every command
//! carries a label of its own, and the engine is asked afterwards.
//!
//! The cases rejected before the engine is contacted run everywhere (against a socket that does
//! not exist); the others need an engine (skip notice without one, failure under
//! `HARDEN_E2E=require`).
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

const IMAGE: &str = common::TEST_IMAGE;
const NO_DAEMON: &str = "unix:///nonexistent/harden-bad-input.sock";

/// A label value unique to this run of this test.
fn label_value(test: &str) -> String {
    format!("{}-{test}", std::process::id())
}

/// Runs `harden ARGS` under a 1 GiB address-space limit, in `dir`, with `DOCKER_HOST=host`.
fn harden_in(dir: &Path, host: &str, args: &[&str], env: &[(&str, &str)]) -> (Output, Duration) {
    let mut cmd = common::harden_in(dir);
    cmd.args(args).env("DOCKER_HOST", host);
    for (k, v) in env {
        cmd.env(k, v);
    }
    common::bounded(&cmd)
}

/// What a refused command must look like.
#[track_caller]
fn assert_refused(out: &Output, took: Duration, code: i32, expect: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "exit code; stderr: {stderr}");
    assert!(took < Duration::from_secs(20), "took {took:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(!lines.is_empty(), "no message");
    assert!(
        lines[0].starts_with("harden: ") && lines[0].contains(expect),
        "first line should say `{expect}`: {stderr}"
    );
    // One line, or docker's usage hint after it.
    match lines.len() {
        1 => {}
        2 => assert!(lines[1].starts_with("See 'harden "), "{stderr}"),
        _ => panic!("more than one line of error: {stderr}"),
    }
    assert!(
        out.stdout.is_empty(),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// `(arguments after the label, exit code, text of the error)`: refused before the engine.
const PARSE_ERRORS: &[(&[&str], i32, &str)] = &[
    // Unknown flags.
    (&["--bogus", IMAGE], 125, "unknown flag: --bogus"),
    (&["-Z", IMAGE], 125, "unknown shorthand flag: 'Z' in -Z"),
    (
        &["--privileged=maybe", IMAGE],
        125,
        "invalid argument \"maybe\"",
    ),
    // Flags missing their value.
    (&["--memory"], 125, "flag needs an argument: --memory"),
    (&["-p"], 125, "flag needs an argument: 'p' in -p"),
    (&["--preset"], 125, "flag needs an argument: --preset"),
    // No image: docker exits 1.
    (&[], 1, "requires at least 1 argument"),
    // Absurd numbers and sizes.
    (&["--memory", "-5m", IMAGE], 125, "invalid size: '-5m'"),
    (&["--shm-size", "-1", IMAGE], 125, "invalid size: '-1'"),
    (&["--memory", "1e999999", IMAGE], 125, "--memory"),
    (
        &["--pids-limit", "99999999999999999999", IMAGE],
        125,
        "value out of range",
    ),
    (
        &["--cpu-shares", "-99999999999999999999", IMAGE],
        125,
        "value out of range",
    ),
    (&["--cpus", "lots", IMAGE], 125, "--cpus"),
    (&["--ulimit", "nofile=abc", IMAGE], 125, "invalid syntax"),
    (&["--stop-timeout", "1e3", IMAGE], 125, "--stop-timeout"),
    // Invalid addresses and ports.
    (&["-p", "99999:80", IMAGE], 125, "invalid hostPort: 99999"),
    (
        &["-p", "80:99999", IMAGE],
        125,
        "invalid containerPort: 99999",
    ),
    (
        &["-p", "1.2.3.4.5:80:80", IMAGE],
        125,
        "invalid IP address: 1.2.3.4.5",
    ),
    (&["-p", "-1:80", IMAGE], 125, "invalid"),
    (
        &["--add-host", "x:notanip", IMAGE],
        125,
        "invalid IP address in add-host",
    ),
    (&["--dns", "300.1.1.1", IMAGE], 125, "300.1.1.1"),
    (&["--mac-address", "zz:zz", IMAGE], 125, "zz:zz"),
    // Malformed mounts.
    (&["--mount", "type=bind", IMAGE], 125, "target is required"),
    (&["--mount", "src", IMAGE], 125, "--mount"),
    // A `--format` harden does not know.
    (&["--dry-run", "--format", "yaml", IMAGE], 125, "--format"),
];

#[test]
fn refused_before_the_engine_without_one() {
    let dir = tempfile::tempdir().unwrap();
    let label = format!("--label=harden.badinput={}", label_value("parse"));
    for (args, code, expect) in PARSE_ERRORS {
        for mode in ["run", "create"] {
            let mut all = vec![mode, label.as_str()];
            all.extend_from_slice(args);
            let (out, took) = harden_in(dir.path(), NO_DAEMON, &all, &[]);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                !stderr.contains("Cannot connect"),
                "{all:?} must fail before connecting: {stderr}"
            );
            eprintln!("{all:?}: {}", stderr.lines().next().unwrap_or(""));
            assert_refused(&out, took, *code, expect);
        }
    }
}

#[test]
fn argument_that_is_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let bad = std::ffi::OsStr::from_bytes(b"--label=\xff\xfe");
    let out = Command::new(common::harden_bin())
        .args(["run".as_ref(), bad, IMAGE.as_ref()])
        .env("DOCKER_HOST", NO_DAEMON)
        .output()
        .unwrap();
    assert_refused(&out, Duration::ZERO, 125, "is not valid UTF-8");
}

// ---------------------------------------------------------------------------------------------
// The daemon is down or cannot be reached.

#[test]
fn daemon_down() {
    let dir = tempfile::tempdir().unwrap();
    // A path where nothing listens: no socket, a plain file, a refused TCP port.
    let file = dir.path().join("not-a-socket");
    std::fs::write(&file, "").unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    for host in [
        NO_DAEMON.to_string(),
        format!("unix://{}", file.display()),
        format!("tcp://127.0.0.1:{port}"),
    ] {
        for mode in ["run", "create"] {
            let (out, took) = harden_in(dir.path(), &host, &[mode, IMAGE, "true"], &[]);
            assert_refused(&out, took, 125, "Cannot connect to the Docker daemon at");
            assert!(took < Duration::from_secs(10), "{host}: {took:?}");
        }
    }
    // A dry run does not need one (it says what it assumed).
    let (out, _) = harden_in(dir.path(), NO_DAEMON, &["run", "--dry-run", IMAGE], &[]);
    assert_eq!(out.status.code(), Some(0));
}

/// A socket the user may not connect to. As root, permission bits do not apply: the test then
/// runs harden as `nobody` (through `setpriv`) against a socket in a directory only root may
/// enter; as another user, the socket file gets mode 000.
#[test]
fn socket_without_permission() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let private = dir.path().join("private");
    std::fs::create_dir(&private).unwrap();
    let sock = private.join("docker.sock");
    let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    let host = format!("unix://{}", sock.display());
    let root = rustix::process::geteuid().is_root();
    let out = if root {
        std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o700)).unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let Some(setpriv) = ["/usr/bin/setpriv", "/bin/setpriv"]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
        else {
            eprintln!(
                "skipping socket_without_permission: running as root and no setpriv to drop privileges"
            );
            return;
        };
        let bin = common::harden_bin();
        let probe = Command::new(&setpriv)
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin)
            .arg("--version")
            .output();
        if !probe.is_ok_and(|o| o.status.success()) {
            eprintln!(
                "skipping socket_without_permission: uid 65534 cannot run {}",
                bin.display()
            );
            return;
        }
        Command::new(&setpriv)
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin)
            .args(["run", IMAGE, "true"])
            .current_dir(dir.path())
            .env("DOCKER_HOST", &host)
            .env("HOME", dir.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    } else {
        std::fs::set_permissions(&sock, std::fs::Permissions::from_mode(0o000)).unwrap();
        Command::new(common::harden_bin())
            .args(["run", IMAGE, "true"])
            .env("DOCKER_HOST", &host)
            .output()
            .unwrap()
    };
    assert_refused(
        &out,
        Duration::ZERO,
        125,
        "permission denied while trying to connect to the Docker daemon socket",
    );
}

// ---------------------------------------------------------------------------------------------
// With an engine: nothing is created.

/// Containers carrying `harden.badinput=VALUE` (removed, so a failure does not leave any).
fn created(engine: &common::Engine, value: &str) -> Vec<String> {
    let cli = common::docker_cli_path().unwrap_or_else(|| PathBuf::from("docker"));
    let out = Command::new(&cli)
        .args([
            "ps",
            "-aq",
            "--filter",
            &format!("label=harden.badinput={value}"),
        ])
        .env("DOCKER_HOST", &engine.host)
        .output()
        .expect("docker ps");
    let ids: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(str::to_string)
        .collect();
    if !ids.is_empty() {
        let _ = Command::new(&cli)
            .args(["rm", "-f"])
            .args(&ids)
            .env("DOCKER_HOST", &engine.host)
            .output();
    }
    ids
}

/// Bad presets: named, as a path with unknown keys or rules, unreadable, looping, and a
/// `.harden.yaml` picked up from the working directory (also one that expands to gigabytes
/// through aliases).
/// `(arguments, environment, text of the error)`.
type PresetCase = (Vec<String>, Vec<(&'static str, String)>, &'static str);

fn preset_cases(dir: &Path) -> Vec<PresetCase> {
    let w = |name: &str, text: &[u8]| std::fs::write(dir.join(name), text).unwrap();
    w("bad.yaml", b"extends: default\nmemroy: 1g\n");
    w("badrule.yaml", b"rules:\n  no-such-rule: fix\n");
    w("bin.yaml", b"\xff\xfe\x00\x01");
    w("broken.yaml", b"memory: [\n");
    w("loop.yaml", b"extends: ./loop.yaml\n");
    w("badvalue.yaml", b"memory: lots\n");
    std::fs::create_dir_all(dir.join("dir.yaml")).unwrap();
    let team = dir.join("team");
    std::fs::create_dir_all(&team).unwrap();
    std::fs::write(team.join(".harden.yaml"), "bogus: 1\n").unwrap();
    let bomb = dir.join("bomb");
    std::fs::create_dir_all(&bomb).unwrap();
    let items: Vec<String> = (0..20_000).map(|i| format!("k{i}")).collect();
    std::fs::write(
        bomb.join(".harden.yaml"),
        format!(
            "user: [&big [{}], {}]\n",
            items.join(", "),
            vec!["*big"; 4000].join(", ")
        ),
    )
    .unwrap();
    let p = |s: &str| vec!["--preset".to_string(), s.to_string()];
    vec![
        (p("nosuch"), vec![], "preset: unknown preset `nosuch`"),
        (
            p("./bad.yaml"),
            vec![],
            "bad.yaml:2:1: unknown field `memroy`",
        ),
        (
            p("./badrule.yaml"),
            vec![],
            "badrule.yaml:2:3: unknown rule `no-such-rule`",
        ),
        (p("./bin.yaml"), vec![], "bin.yaml: file is not valid UTF-8"),
        (p("./broken.yaml"), vec![], "broken.yaml:2:1:"),
        (p("./loop.yaml"), vec![], "chain loops"),
        (p("./badvalue.yaml"), vec![], "badvalue.yaml:"),
        (p("./dir.yaml"), vec![], "dir.yaml: is a directory"),
        (p("./missing.yaml"), vec![], "missing.yaml: No such file"),
        (
            vec![],
            vec![("HARDEN_PRESET", "nosuch".into())],
            "unknown preset `nosuch`",
        ),
        (
            vec!["--cwd=team".into()],
            vec![],
            "team/.harden.yaml:1:1: unknown field `bogus`",
        ),
        (vec!["--cwd=bomb".into()], vec![], "alias amplification"),
    ]
}

#[test]
fn bad_presets_without_an_engine() {
    // A dry run reads the preset without an engine: same errors.
    let dir = tempfile::tempdir().unwrap();
    for (args, env, expect) in preset_cases(dir.path()) {
        let (cwd, args) = split_cwd(dir.path(), args);
        let mut all: Vec<&str> = vec!["run", "--dry-run"];
        all.extend(args.iter().map(String::as_str));
        all.push(IMAGE);
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (out, took) = harden_in(&cwd, NO_DAEMON, &all, &env);
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        // The first line is the notice that no engine answers; the error follows.
        let error: Vec<&str> = stderr
            .lines()
            .filter(|l| !l.contains("dry run without an engine"))
            .collect();
        assert_eq!(out.status.code(), Some(125), "{all:?}: {stderr}");
        assert!(took < Duration::from_secs(10), "{all:?}: {took:?}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(error.len(), 1, "{all:?}: {stderr}");
        assert!(
            error[0].starts_with("harden: preset: ") && error[0].contains(expect),
            "{all:?}: {stderr}"
        );
    }
}

/// `--cwd=DIR` (a pseudo-argument of these tests) runs harden in DIR.
fn split_cwd(base: &Path, args: Vec<String>) -> (PathBuf, Vec<String>) {
    let mut cwd = base.to_path_buf();
    let mut rest = Vec::new();
    for a in args {
        match a.strip_prefix("--cwd=") {
            Some(d) => cwd = base.join(d),
            None => rest.push(a),
        }
    }
    (cwd, rest)
}

/// Values only the engine refuses (as with docker, the create fails: 125 for run, 1 for create),
/// plus everything refused earlier and the bad presets: no container may exist afterwards.
#[test]
fn nothing_is_created_on_bad_input() {
    let Some(engine) = common::engine() else {
        return;
    };
    common::require_test_image(&engine);
    let dir = tempfile::tempdir().unwrap();
    let value = label_value("engine");
    // Removes whatever a failing assertion leaves behind.
    struct Cleanup<'a>(&'a common::Engine, &'a str);
    impl Drop for Cleanup<'_> {
        fn drop(&mut self) {
            created(self.0, self.1);
        }
    }
    let _cleanup = Cleanup(&engine, &value);
    let label = format!("--label=harden.badinput={value}");
    let test_label = format!("--label={}", common::TEST_LABEL);
    // `docker create` exits 1. (A missing `--device` is not here: the engine only notices it
    // when the container starts, so `docker run` leaves a created container and exits 127, and
    // so does harden.)
    let engine_refusals: &[(&[&str], i32, &str)] = &[
        (
            &["--memory", "1"],
            125,
            "Minimum memory limit allowed is 6MB",
        ),
        // Overflows to a negative limit (as docker computes it): not replaced by the preset's.
        (
            &["--memory", "99999999999999999999g"],
            125,
            "Minimum memory limit allowed is 6MB",
        ),
        (&["--cpus", "-1"], 125, "Range of CPUs is from"),
        (&["--ip", "999.1.1.1"], 125, "999.1.1.1"),
        (
            &["--mount", "type=bind,src=/nonexistent/harden-src,dst=/x"],
            125,
            "bind source path does not exist",
        ),
        (
            &["--mount", "type=nonsense,dst=/x"],
            125,
            "mount type unknown",
        ),
        (&["-v", "/a:/b:bogus"], 125, "invalid mode: bogus"),
        (&["--tmpfs", "relative"], 125, "must be absolute"),
        (&["--tmpfs", ""], 125, "must be absolute"),
        (&["--restart", "bogus"], 125, "invalid restart policy"),
    ];
    for (args, run_code, expect) in engine_refusals {
        let modes: &[(&str, i32)] = &[("run", *run_code), ("create", 1)];
        for &(mode, code) in modes {
            let mut all = vec![mode, label.as_str(), test_label.as_str()];
            all.extend_from_slice(args);
            all.extend([IMAGE, "true"]);
            let (out, took) = harden_in(dir.path(), &engine.host, &all, &[]);
            let stderr = String::from_utf8_lossy(&out.stderr);
            eprintln!("{all:?}: {stderr}");
            // The summary of what was hardened comes first; the error is the last line.
            let last = stderr.lines().last().unwrap_or("");
            assert_eq!(out.status.code(), Some(code), "{all:?}: {stderr}");
            assert!(
                last.starts_with("harden: ") && last.contains(expect),
                "{all:?}: {stderr}"
            );
            assert!(!stderr.contains("panicked"), "{stderr}");
            assert!(took < Duration::from_secs(30), "{all:?}: {took:?}");
            assert!(out.stdout.is_empty(), "{all:?}");
        }
    }
    for (args, code, expect) in PARSE_ERRORS {
        let mut all = vec!["run", label.as_str(), test_label.as_str()];
        all.extend_from_slice(args);
        let (out, took) = harden_in(dir.path(), &engine.host, &all, &[]);
        assert_refused(&out, took, *code, expect);
    }
    for (args, env, expect) in preset_cases(dir.path()) {
        let (cwd, args) = split_cwd(dir.path(), args);
        let mut all: Vec<&str> = vec!["run", label.as_str(), test_label.as_str()];
        all.extend(args.iter().map(String::as_str));
        all.extend([IMAGE, "true"]);
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (out, took) = harden_in(&cwd, &engine.host, &all, &env);
        assert_refused(&out, took, 125, expect);
        assert!(
            String::from_utf8_lossy(&out.stderr).starts_with("harden: preset: "),
            "{all:?}"
        );
    }
    let left = created(&engine, &value);
    assert!(left.is_empty(), "bad input created containers: {left:?}");
}

/// A port range publishes one binding per port: thousands of them must not take quadratic
/// time (`-p 0-9002` took 17 s, `-p 1-65535:1-65535` 22 s; found by the argv fuzzer).
#[test]
fn port_ranges_in_bounded_time() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["run", "--dry-run", "-p", "0-9002", IMAGE][..],
        &[
            "run",
            "--dry-run",
            "-p",
            "127.0.0.1:20000-29999:20000-29999",
            IMAGE,
        ],
        &["run", "--dry-run", "-P", "--expose", "1-20000", IMAGE],
    ] {
        let (out, took) = harden_in(dir.path(), NO_DAEMON, args, &[]);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        assert!(took < Duration::from_secs(10), "{args:?} took {took:?}");
    }
}
