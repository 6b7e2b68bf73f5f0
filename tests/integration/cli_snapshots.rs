//! Snapshots of what users read: help, the rule list, explanations, dry-run output.
//! Review changes with `cargo insta review` (or `INSTA_UPDATE=always cargo test`).
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use crate::common;

use std::process::Command;

/// Runs harden daemonless with a fixed environment; returns "exit N\n--- stdout\n…\n--- stderr\n…".
fn run(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(common::harden_bin())
        .args(args)
        .current_dir(dir.path())
        .env("DOCKER_HOST", "unix:///nonexistent/harden-snapshots.sock")
        .env("NO_COLOR", "1")
        .env("HOME", dir.path())
        .env_remove("HARDEN_PRESET")
        .env_remove("DOCKER_CONTEXT")
        .env_remove("DOCKER_API_VERSION")
        .output()
        .unwrap();
    format!(
        "exit {}\n--- stdout\n{}--- stderr\n{}",
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

macro_rules! snap {
    ($name:literal, $($arg:expr),* $(,)?) => {
        insta::assert_snapshot!($name, run(&[$($arg),*]));
    };
}

#[test]
fn help() {
    snap!("help", "--help");
    snap!("run_help", "run", "--help");
    snap!("presets_help", "presets", "--help");
    snap!("audit_help", "audit", "--help");
}

#[test]
fn rules_in_every_format() {
    snap!("rules_text", "rules");
    snap!("rules_json", "rules", "--format", "json");
    snap!("rules_markdown", "rules", "--format", "markdown");
}

#[test]
fn explain() {
    snap!("explain_cap_drop_all", "explain", "cap-drop-all");
    snap!("explain_privileged", "explain", "privileged");
    snap!("explain_unknown", "explain", "no-such-rule");
}

#[test]
fn dry_run_outputs() {
    snap!(
        "dry_run_text",
        "run",
        "--dry-run",
        "-p",
        "8080:80",
        "nginx:1.27"
    );
    snap!(
        "dry_run_explain",
        "run",
        "--dry-run",
        "--explain",
        "-p",
        "8080:80",
        "-e",
        "DB_PASSWORD=hunter2",
        "nginx:1.27"
    );
    snap!(
        "dry_run_json",
        "run",
        "--dry-run",
        "--format",
        "json",
        "--rm",
        "-p",
        "127.0.0.1:53:53/udp",
        "-v",
        "/srv/data:/data",
        "app:1.0",
        "serve"
    );
    snap!(
        "dry_run_no_harden",
        "run",
        "--dry-run",
        "--no-harden",
        "-itp",
        "80:80",
        "busybox"
    );
    snap!(
        "dry_run_denied",
        "run",
        "--dry-run",
        "--privileged",
        "--net=host",
        "docker:dind"
    );
    snap!(
        "dry_run_allow",
        "run",
        "--dry-run",
        "--allow",
        "non-root-user",
        "--allow",
        "read-only-rootfs",
        "app:1.0"
    );
    snap!(
        "dry_run_baseline",
        "run",
        "--dry-run",
        "--preset",
        "baseline",
        "app:1.0"
    );
    snap!("unknown_flag", "run", "--bogus", "app:1.0");
    snap!("bad_value", "run", "--memory", "lots", "app:1.0");
    snap!("missing_image", "run", "--rm");
}

#[test]
fn presets() {
    snap!("presets_list", "presets");
    snap!("presets_show_strict", "presets", "show", "strict");
    snap!("presets_unknown", "presets", "show", "nosuch");
}
