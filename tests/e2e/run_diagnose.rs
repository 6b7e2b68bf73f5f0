//! When a hardened container fails, harden says what broke and the remedy (foreground: when it
//! exits; `-d`: within the `--watch` window), keeping docker's exit code; and a malformed
//! `--cap-add` gets the engine's own error, as from `docker create`.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use crate::common;

use common::{ContainerGuard, TEST_IMAGE, TEST_LABEL};
use std::process::Command;

fn setup() -> Option<common::Engine> {
    let engine = common::engine()?;
    common::require_test_image(&engine);
    Some(engine)
}

fn harden(engine: &common::Engine) -> Command {
    let mut c = common::harden_on(engine);
    c.env(
        "XDG_CACHE_HOME",
        std::env::temp_dir().join("harden-test-cache"),
    );
    c
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn a_foreground_failure_names_the_path_and_the_remedy() {
    let Some(engine) = setup() else { return };
    let out = harden(&engine)
        .args([
            "run",
            "--rm",
            "--label",
            TEST_LABEL,
            TEST_IMAGE,
            "sh",
            "-c",
            "echo starting; mkdir -p /srv/cache/app && echo never",
        ])
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "docker's exit code: {err}");
    assert!(text(&out.stdout).contains("starting"));
    assert!(err.contains("Read-only file system"), "{err}");
    assert!(err.contains("read-only-rootfs"), "{err}");
    assert!(
        err.contains("--tmpfs /srv:rw,noexec,nosuid,nodev,size=64m,uid=65534,gid=65534"),
        "{err}"
    );
    assert!(err.contains("harden learn --rm --label"), "{err}");
}

#[test]
fn a_detached_failure_is_watched_and_explained() {
    let Some(engine) = setup() else { return };
    let mut guard = ContainerGuard::new(&engine);
    let name = guard.name();
    let out = harden(&engine)
        .args([
            "run",
            "-d",
            "--name",
            &name,
            "--label",
            TEST_LABEL,
            TEST_IMAGE,
            "sh",
            "-c",
            "sleep 0.3; touch /var/app.pid",
        ])
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "docker's exit code for -d: {err}"
    );
    assert_eq!(text(&out.stdout).trim().len(), 64, "the id is printed");
    assert!(err.contains("exited with code 1"), "{err}");
    assert!(err.contains("--tmpfs /var:"), "{err}");
    // --watch 0 turns it off.
    let name2 = guard.name();
    let out = harden(&engine)
        .args([
            "run",
            "-d",
            "--watch",
            "0",
            "--name",
            &name2,
            "--label",
            TEST_LABEL,
            TEST_IMAGE,
            "sh",
            "-c",
            "touch /var/app.pid",
        ])
        .output()
        .unwrap();
    assert!(
        !text(&out.stderr).contains("exited"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn an_unknown_capability_gets_the_engines_error() {
    let Some(engine) = setup() else { return };
    let cli = common::docker_cli_path().unwrap_or_else(|| "docker".into());
    let docker = Command::new(cli)
        .env("DOCKER_HOST", &engine.host)
        .args(["create", "--cap-add", "CHOWN,SETUID", TEST_IMAGE, "true"])
        .output()
        .unwrap();
    assert!(!docker.status.success());
    let theirs = text(&docker.stderr);
    let out = harden(&engine)
        .args([
            "run",
            "--rm",
            "--cap-add",
            "CHOWN,SETUID",
            TEST_IMAGE,
            "true",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(125));
    let ours = text(&out.stderr);
    let msg = "invalid CapAdd: unknown capability: \"CAP_CHOWN,SETUID\"";
    assert!(theirs.contains(msg), "{theirs}");
    assert!(ours.contains(msg), "{ours}");
    assert!(!ours.contains("dangerous-capability"), "{ours}");
}

#[test]
fn an_explicit_root_user_is_refused_not_replaced() {
    let Some(engine) = setup() else { return };
    let out = harden(&engine)
        .args(["run", "--rm", "--user", "root", TEST_IMAGE, "id", "-u"])
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(125), "{err}");
    assert!(
        err.contains("refused by non-root-user") && err.contains("explicitly"),
        "{err}"
    );
    let out = harden(&engine)
        .args([
            "run",
            "--rm",
            "--user",
            "root",
            "--allow",
            "non-root-user",
            TEST_IMAGE,
            "id",
            "-u",
        ])
        .output()
        .unwrap();
    assert_eq!(text(&out.stdout).trim(), "0", "{}", text(&out.stderr));
}
