//! An image no profile knows (`tests/replicas/unknown-app`: starts as root, fixes ownership,
//! drops to its own account with gosu, keeps state in a VOLUME, writes a log, a pid file and
//! scratch files outside it): `harden run -d` either serves or names the failing path and the
//! remedy; `harden learn` writes a profile that `harden presets show` accepts and leaves no
//! container or volume behind; then `harden run -d` serves.
//!
//! The replica is built by `scripts/build-replicas.sh unknown-app` (`.ci/run` builds every
//! replica). Skips with a notice when no engine answers; fails when `HARDEN_E2E=require`.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use crate::common;

use common::{ContainerGuard, TEST_LABEL};
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const IMAGE: &str = "harden-replica/unknown-app:1";

fn harden(engine: &common::Engine, dir: &std::path::Path) -> Command {
    let mut c = common::harden_on(engine);
    c.env("XDG_CACHE_HOME", dir.join("cache")).current_dir(dir);
    c
}

fn docker(engine: &common::Engine) -> Command {
    let cli = common::docker_cli_path().unwrap_or_else(|| "docker".into());
    let mut c = Command::new(cli);
    c.env("DOCKER_HOST", &engine.host);
    c
}

fn replica(engine: &common::Engine) -> bool {
    let present = docker(engine)
        .args(["image", "inspect", IMAGE])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if present {
        return true;
    }
    let built = Command::new(common::repo_root().join("scripts/build-replicas.sh"))
        .arg("unknown-app")
        .status()
        .is_ok_and(|s| s.success());
    if !built {
        common::unavailable::<()>("the replica harden-replica/unknown-app:1 could not be built");
    }
    built
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(18999)
}

fn get(port: u16) -> Option<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(3)));
            let _ = s.write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n");
            let mut out = String::new();
            if s.read_to_string(&mut out).is_ok() && !out.is_empty() {
                return Some(out);
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    None
}

fn lines(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn volumes(engine: &common::Engine) -> Vec<String> {
    let out = docker(engine)
        .args(["volume", "ls", "-q"])
        .output()
        .unwrap();
    let mut v: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    v.sort();
    v
}

#[test]
fn an_unknown_image_is_diagnosed_then_learned() {
    let Some(engine) = common::engine() else {
        return;
    };
    if !replica(&engine) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut guard = ContainerGuard::new(&engine);

    // Before learning: it serves, or harden names the path and the remedy.
    let name = guard.name();
    let port = free_port();
    let publish = format!("127.0.0.1:{port}:8080");
    let out = harden(&engine, dir.path())
        .args([
            "run", "-d", "--name", &name, "--label", TEST_LABEL, "-p", &publish, IMAGE,
        ])
        .output()
        .unwrap();
    let text = lines(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let served =
        !text.contains("exited with code") && get(port).is_some_and(|r| r.contains(" 200 "));
    if !served {
        assert!(
            text.contains("/opt/app") && text.contains("--tmpfs"),
            "{text}"
        );
        assert!(text.contains("harden learn"), "{text}");
    }
    let _ = docker(&engine).args(["rm", "-f", "-v", &name]).output();

    // Learn: a profile that the preset loader accepts, nothing left behind.
    let before = volumes(&engine);
    let out = harden(&engine, dir.path())
        .args(["learn", "--probe", "http:8080/", IMAGE])
        .output()
        .unwrap();
    let text = lines(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let profile = std::fs::read_to_string(dir.path().join(".harden.yaml")).unwrap();
    assert!(profile.contains("harden-replica/unknown-app:"), "{profile}");
    assert!(profile.contains("user: \"870:870\""), "{profile}");
    assert!(profile.contains("path: /opt/app"), "{profile}");
    let show = harden(&engine, dir.path())
        .args(["presets", "show", ".harden.yaml"])
        .output()
        .unwrap();
    assert!(show.status.success(), "{}", lines(&show));
    let left = docker(&engine)
        .args(["ps", "-aq", "--filter", "label=harden.learn=1"])
        .output()
        .unwrap();
    assert!(
        left.stdout.is_empty(),
        "trial containers left: {}",
        lines(&left)
    );
    assert_eq!(volumes(&engine), before, "learn left volumes behind");

    // After learning: it serves, hardened.
    let name = guard.name();
    let port = free_port();
    let publish = format!("127.0.0.1:{port}:8080");
    let out = harden(&engine, dir.path())
        .args([
            "run", "-d", "--name", &name, "--label", TEST_LABEL, "-p", &publish, IMAGE,
        ])
        .output()
        .unwrap();
    let text = lines(&out);
    assert!(!text.contains("exited with code"), "{text}");
    let answer = get(port).unwrap_or_default();
    assert!(
        answer.contains(" 200 ") && answer.contains("hello from app"),
        "{answer}\n{text}"
    );
    let who = docker(&engine)
        .args(["exec", &name, "id", "-u"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&who.stdout).trim(), "870");
    let _ = docker(&engine).args(["rm", "-f", "-v", &name]).output();
}
