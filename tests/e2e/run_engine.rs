//! `harden run` / `harden create` against a real Docker engine: hardening proven from inside the
//! container, exit codes, streams, TTY, signals, `--rm`, `-d`, `--cidfile`.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use crate::common;

use common::{ContainerGuard, TEST_IMAGE, TEST_LABEL};
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The engine and test image, or a skip.
fn setup() -> Option<common::Engine> {
    let engine = common::engine()?;
    common::require_test_image(&engine);
    Some(engine)
}

fn harden(engine: &common::Engine) -> Command {
    common::harden_on(engine)
}

fn docker(engine: &common::Engine) -> Command {
    let cli = common::docker_cli_path().unwrap_or_else(|| "docker".into());
    let mut c = Command::new(cli);
    c.env("DOCKER_HOST", &engine.host);
    c
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const PROBE: &str = r#"
grep -E '^(CapEff|NoNewPrivs):' /proc/self/status
echo "uid=$(id -u)"
if touch /probe 2>/dev/null; then echo root=writable; else echo root=readonly; fi
if touch /tmp/probe; then echo tmp=writable; else echo tmp=readonly; fi
if [ -f /sys/fs/cgroup/memory.max ]; then echo "mem=$(cat /sys/fs/cgroup/memory.max)"; else echo "mem=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)"; fi
if [ -f /sys/fs/cgroup/pids.max ]; then echo "pids=$(cat /sys/fs/cgroup/pids.max)"; else echo "pids=$(cat /sys/fs/cgroup/pids/pids.max)"; fi
"#;

#[test]
fn default_preset_hardening_is_visible_inside_the_container() {
    let Some(engine) = setup() else { return };
    let out = harden(&engine)
        .args([
            "run", "--rm", "--label", TEST_LABEL, TEST_IMAGE, "sh", "-c", PROBE,
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.contains(&"CapEff:\t0000000000000000"), "{stdout}");
    assert!(lines.contains(&"NoNewPrivs:\t1"), "{stdout}");
    assert!(lines.contains(&"uid=65534"), "{stdout}");
    assert!(lines.contains(&"root=readonly"), "{stdout}");
    assert!(lines.contains(&"tmp=writable"), "{stdout}");
    assert!(lines.contains(&"mem=536870912"), "{stdout}");
    assert!(lines.contains(&"pids=256"), "{stdout}");
}

#[test]
fn detached_ports_are_bound_to_loopback_and_the_id_exists() {
    let Some(engine) = setup() else { return };
    let mut guard = ContainerGuard::new(&engine);
    let name = guard.name();
    let out = harden(&engine)
        .args([
            "run", "-d", "--name", &name, "--label", TEST_LABEL, "-p", "18080:80", "-p", "9090",
            "--expose", "7000", "-P", TEST_IMAGE, "sleep", "30",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let id = text(&out.stdout).trim().to_string();
    assert_eq!(id.len(), 64, "{id:?}");
    let inspect = docker(&engine)
        .args([
            "inspect",
            "--format",
            "{{json .HostConfig.PortBindings}} {{.HostConfig.PublishAllPorts}}",
            &id,
        ])
        .output()
        .unwrap();
    assert!(inspect.status.success(), "{}", text(&inspect.stderr));
    let s = text(&inspect.stdout);
    let (json, all) = s.trim().rsplit_once(' ').unwrap();
    assert_eq!(all, "false");
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let map = v.as_object().unwrap();
    assert!(
        map.contains_key("80/tcp") && map.contains_key("9090/tcp") && map.contains_key("7000/tcp"),
        "{json}"
    );
    for (port, bindings) in map {
        for b in bindings.as_array().unwrap() {
            assert_eq!(b["HostIp"], "127.0.0.1", "{port}: {json}");
        }
    }
    // And the engine really listens only there.
    let live = docker(&engine)
        .args(["port", &id, "80/tcp"])
        .output()
        .unwrap();
    assert_eq!(text(&live.stdout).trim(), "127.0.0.1:18080");
}

fn code_of(engine: &common::Engine, args: &[&str]) -> (i32, String) {
    let out = harden(engine)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), text(&out.stderr))
}

#[test]
fn exit_codes_match_docker() {
    let Some(engine) = setup() else { return };
    let l = TEST_LABEL;
    assert_eq!(
        code_of(
            &engine,
            &[
                "run", "--rm", "--label", l, TEST_IMAGE, "sh", "-c", "exit 7"
            ]
        )
        .0,
        7
    );
    let (code, err) = code_of(
        &engine,
        &["run", "--rm", "--label", l, TEST_IMAGE, "nosuchcommand"],
    );
    assert_eq!(code, 127, "{err}");
    let (code, err) = code_of(&engine, &["run", "--rm", "--label", l, TEST_IMAGE, "/etc"]);
    assert_eq!(code, 126, "{err}");
    let (code, err) = code_of(&engine, &["run", "--rm", "--bogus", TEST_IMAGE]);
    assert_eq!(code, 125);
    assert_eq!(
        err.lines().next(),
        Some("harden: unknown flag: --bogus"),
        "{err}"
    );
    let (code, err) = code_of(
        &engine,
        &["run", "--rm", "--privileged", TEST_IMAGE, "true"],
    );
    assert_eq!(code, 125);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("harden: refused by privileged"), "{err}");
}

#[test]
fn a_stopped_daemon_is_one_clear_line_and_125() {
    let out = Command::new(common::harden_bin())
        .args(["run", "--rm", "busybox", "true"])
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(125));
    assert_eq!(
        text(&out.stderr),
        "harden: Cannot connect to the Docker daemon at unix:///nonexistent/docker.sock. Is the docker daemon running?\n"
    );
}

#[test]
fn piped_stdin_round_trips_binary_bytes() {
    let Some(engine) = setup() else { return };
    let data: Vec<u8> = (0..200_000u32).map(|i| (i * 7 + i / 251) as u8).collect();
    let mut child = harden(&engine)
        .args([
            "run", "-i", "--rm", "--label", TEST_LABEL, TEST_IMAGE, "cat",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let payload = data.clone();
    let writer = std::thread::spawn(move || {
        stdin.write_all(&payload).unwrap();
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(out.stdout.len(), data.len());
    assert!(out.stdout == data, "bytes differ");

    let mut child = harden(&engine)
        .args([
            "run", "-i", "--rm", "--label", TEST_LABEL, TEST_IMAGE, "wc", "-l",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"a\nb\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(text(&out.stdout).trim(), "2");
}

#[test]
fn tty_works_under_a_real_pseudo_terminal() {
    let Some(engine) = setup() else { return };
    // `script` gives harden a pseudo-terminal on stdin and stdout.
    // The terminal is 30x100: the container's pty gets that size through the resize call.
    let cmd = format!(
        "stty rows 30 cols 100; {} run --rm -it --label {TEST_LABEL} {TEST_IMAGE} sh -c 'tty; sleep 1; stty size; exit 3'",
        common::harden_bin().display()
    );
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env("DOCKER_HOST", &engine.host)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env("LINES", "30")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let s = text(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{s}");
    assert!(s.contains("/dev/pts/"), "{s}");
    assert!(s.contains("30 100"), "{s}");
    // Without a terminal on stdin, -it is refused like docker does.
    let (code, err) = code_of(&engine, &["run", "--rm", "-it", TEST_IMAGE, "true"]);
    assert_eq!(code, 1);
    assert_eq!(err, "harden: the input device is not a TTY\n");
}

fn wait_for_line(child: &mut std::process::Child, needle: &str) -> String {
    let mut out = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut buf = [0u8; 256];
    while Instant::now() < deadline {
        let n = out.read(&mut buf).unwrap_or(0);
        if n == 0 {
            break;
        }
        seen.extend_from_slice(&buf[..n]);
        if text(&seen).contains(needle) {
            break;
        }
    }
    child.stdout = Some(out);
    text(&seen)
}

#[test]
fn signals_reach_the_container_and_rm_cleans_up() {
    let Some(engine) = setup() else { return };
    for (signal, expect) in [(rustix_signal::TERM, 42), (rustix_signal::INT, 43)] {
        let mut guard = ContainerGuard::new(&engine);
        let name = guard.name();
        let script = "trap 'echo got-term; exit 42' TERM; trap 'echo got-int; exit 43' INT; echo ready; while :; do sleep 0.1; done";
        let mut child = harden(&engine)
            .args([
                "run", "--rm", "--name", &name, "--label", TEST_LABEL, TEST_IMAGE, "sh", "-c",
                script,
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let seen = wait_for_line(&mut child, "ready");
        assert!(seen.contains("ready"), "{seen}");
        let pid = child.id() as i32;
        // SAFETY: sending a signal to our own child process.
        unsafe {
            libc::kill(pid, signal);
        }
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(expect), "{}", text(&out.stderr));
        // --rm: the container is gone.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let gone = !docker(&engine)
                .args(["container", "inspect", &name])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .unwrap()
                .success();
            if gone {
                break;
            }
            assert!(Instant::now() < deadline, "container {name} still exists");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

mod rustix_signal {
    pub const INT: i32 = 2;
    pub const TERM: i32 = 15;
}

#[test]
fn create_prints_an_id_and_cidfile_is_written() {
    let Some(engine) = setup() else { return };
    let mut guard = ContainerGuard::new(&engine);
    let dir = tempfile::tempdir().unwrap();
    let cid = dir.path().join("cid");
    let out = harden(&engine)
        .args(["create", "--label", TEST_LABEL, "--cidfile"])
        .arg(&cid)
        .args([TEST_IMAGE, "true"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let id = text(&out.stdout).trim().to_string();
    guard.track(id.clone());
    assert_eq!(std::fs::read_to_string(&cid).unwrap(), id);
    let state = docker(&engine)
        .args([
            "inspect",
            "--format",
            "{{.State.Status}} {{.HostConfig.ReadonlyRootfs}}",
            &id,
        ])
        .output()
        .unwrap();
    assert_eq!(text(&state.stdout).trim(), "created true");
    // A second run with the same cidfile is refused before anything is created.
    let out = harden(&engine)
        .args(["run", "--rm", "--label", TEST_LABEL, "--cidfile"])
        .arg(&cid)
        .args([TEST_IMAGE, "true"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(125));
    assert!(
        text(&out.stderr).contains("container ID file found"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn pull_never_on_a_missing_image_fails_like_docker() {
    let Some(engine) = setup() else { return };
    let out = harden(&engine)
        .args([
            "run",
            "--rm",
            "--pull",
            "never",
            "harden-test/nosuchimage:v1",
            "true",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(125));
    assert_eq!(
        text(&out.stderr),
        "harden: Error response from daemon: No such image: harden-test/nosuchimage:v1\n"
    );
}

#[test]
fn docker_api_version_pins_the_api_like_the_cli() {
    let Some(engine) = setup() else { return };
    let out = harden(&engine)
        .env("DOCKER_API_VERSION", "1.40")
        .args([
            "run", "--rm", "--label", TEST_LABEL, TEST_IMAGE, "sh", "-c", "exit 2",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    if engine.api_version.as_deref() == Some("1.41") {
        let out = harden(&engine)
            .env("DOCKER_API_VERSION", "1.45")
            .args(["run", "--rm", TEST_IMAGE, "true"])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(125));
        assert!(
            text(&out.stderr).ends_with(
                "harden: Error response from daemon: client version 1.45 is too new. Maximum supported API version is 1.41\n"
            ),
            "{}",
            text(&out.stderr)
        );
    }
}

/// What the engine can do (`/info`, `/version`: each costs the engine more than a create) is
/// read once per engine and kept under `$XDG_CACHE_HOME/harden/engine-facts/`, keyed by the
/// engine (socket, listening process, release, API version); a failed create forgets it.
#[test]
fn engine_facts_are_kept_per_engine_and_forgotten_when_a_create_fails() {
    let Some(engine) = setup() else { return };
    let cache = tempfile::tempdir().unwrap();
    let dir = cache.path().join("harden/engine-facts");
    let nano_cpus = |api: Option<&str>| {
        let mut c = harden(&engine);
        c.env("XDG_CACHE_HOME", cache.path());
        if let Some(v) = api {
            c.env("DOCKER_API_VERSION", v);
        }
        let out = c
            .args([
                "create",
                "--dry-run",
                "--format",
                "json",
                TEST_IMAGE,
                "true",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        doc["body"]["HostConfig"]["NanoCpus"].as_i64().unwrap_or(0)
    };
    let entries = || -> Vec<std::path::PathBuf> {
        let mut v: Vec<_> = std::fs::read_dir(&dir)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        v.sort();
        v
    };
    assert_eq!(nano_cpus(None), 1_000_000_000);
    let kept = entries();
    assert_eq!(kept.len(), 1, "{kept:?}");
    let mut entry: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&kept[0]).unwrap()).unwrap();
    let key = entry["key"].as_str().unwrap().to_string();
    let socket = engine.host.trim_start_matches("unix://");
    assert!(key.starts_with(socket), "{key}");
    assert!(key.contains("API "), "{key}");
    assert_eq!(entry["facts"]["kind"], "docker");

    // The entry is what the next run reads: one that says the engine cannot limit CPU takes
    // the CPU limit out.
    entry["facts"]["cpu_cfs_quota"] = false.into();
    std::fs::write(&kept[0], entry.to_string()).unwrap();
    assert_eq!(nano_cpus(None), 0);
    // Another API version is another key: read from the engine again.
    assert_eq!(nano_cpus(Some("1.40")), 1_000_000_000);
    assert_eq!(entries().len(), 2);

    // A create that fails forgets the entry it was planned with.
    let mut guard = ContainerGuard::new(&engine);
    let name = guard.name();
    let out = docker(&engine)
        .args([
            "create", "--name", &name, "--label", TEST_LABEL, TEST_IMAGE, "true",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = harden(&engine)
        .env("XDG_CACHE_HOME", cache.path())
        .args([
            "create", "--name", &name, "--label", TEST_LABEL, TEST_IMAGE, "true",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(!kept[0].exists());
    assert_eq!(entries().len(), 1);
    assert_eq!(nano_cpus(None), 1_000_000_000);
}

/// The image is inspected together with the ping, unversioned (the engine answers in its own
/// API version); that answer stands when the negotiated version is the engine's own, else the
/// image is inspected again at the pinned version. `--pull always` looks only after pulling.
#[test]
fn the_image_is_inspected_with_the_ping_and_again_at_a_pinned_version() {
    let standin = common::standin::start();
    let cache = tempfile::tempdir().unwrap();
    let lines = |env: &[(&str, &str)], extra: &[&str]| {
        standin.clear();
        let mut c = common::harden_in(&std::env::temp_dir());
        c.env("DOCKER_HOST", standin.docker_host())
            .env("XDG_CACHE_HOME", cache.path());
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c
            .args(["create", "--dry-run"])
            .args(extra)
            .args([TEST_IMAGE, "true"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        let inspects: Vec<String> = standin
            .request_lines()
            .into_iter()
            .filter(|l| l.ends_with("/json") && l.contains("/images/"))
            .collect();
        inspects
    };
    let own = format!("GET /images/{TEST_IMAGE}/json");
    let pinned = format!("GET /v1.40/images/{TEST_IMAGE}/json");
    let negotiated = format!(
        "GET /v{}/images/{TEST_IMAGE}/json",
        common::standin::API_VERSION
    );
    assert_eq!(lines(&[], &[]), std::slice::from_ref(&own));
    let mut got = lines(&[("DOCKER_API_VERSION", "1.40")], &[]);
    got.sort();
    assert_eq!(got, [own, pinned]);
    assert_eq!(lines(&[], &["--pull", "always"]), [negotiated]);
}
