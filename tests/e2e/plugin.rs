//! harden as a Docker CLI plugin: the binary installed as `docker-harden` in a temporary
//! `$DOCKER_CONFIG/cli-plugins` answers the metadata handshake, is listed by `docker --help`, and
//! works as `docker harden run …`, `docker harden compose lint …` and `docker harden audit …`,
//! honouring the CLI's global options (`--context`, `-H`).
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A Docker config directory with harden installed as a plugin.
struct Installed {
    dir: tempfile::TempDir,
}

impl Installed {
    fn new() -> Installed {
        let dir = tempfile::tempdir().unwrap();
        let plugins = dir.path().join("cli-plugins");
        std::fs::create_dir_all(&plugins).unwrap();
        std::os::unix::fs::symlink(common::harden_bin(), plugins.join("docker-harden")).unwrap();
        Installed { dir }
    }

    fn plugin(&self) -> PathBuf {
        self.dir.path().join("cli-plugins/docker-harden")
    }

    /// The Docker CLI with this config directory, in an empty working directory.
    fn docker(&self, cli: &Path, host: Option<&str>) -> Command {
        let mut c = Command::new(cli);
        c.env("DOCKER_CONFIG", self.dir.path())
            .env("HOME", self.dir.path())
            .env("NO_COLOR", "1")
            .env_remove("DOCKER_CONTEXT")
            .env_remove("HARDEN_PRESET")
            .current_dir(self.dir.path())
            .stdin(Stdio::null());
        match host {
            Some(h) => c.env("DOCKER_HOST", h),
            None => c.env_remove("DOCKER_HOST"),
        };
        c
    }
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn metadata_handshake() {
    let p = Installed::new();
    let out = Command::new(p.plugin())
        .arg("docker-cli-plugin-metadata")
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["SchemaVersion"], "0.1.0");
    assert_eq!(v["Vendor"], "harden");
    assert_eq!(v["Version"], env!("CARGO_PKG_VERSION"));
    assert!(v["ShortDescription"].as_str().unwrap().len() > 10);
    // Without the CLI around: the plugin name still routes.
    let out = Command::new(p.plugin())
        .args(["harden", "rules", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let out = Command::new(p.plugin()).arg("rules").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[test]
fn docker_lists_and_runs_the_plugin_without_an_engine() {
    let Some(cli) = common::docker_cli() else {
        return;
    };
    let p = Installed::new();
    let nowhere = "unix:///nonexistent/harden-plugin.sock";
    let out = p
        .docker(&cli, Some(nowhere))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.lines()
            .any(|l| l.trim_start().starts_with("harden*") && l.contains("Secure-by-default")),
        "docker --help does not list the plugin:\n{help}"
    );
    // Global options before the plugin name are skipped; -H reaches harden.
    let out = p
        .docker(&cli, None)
        .args([
            "-H",
            nowhere,
            "-D",
            "--log-level",
            "info",
            "harden",
            "run",
            "--rm",
        ])
        .args([common::TEST_IMAGE, "id", "-u"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(125), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!(
            "harden: Cannot connect to the Docker daemon at {nowhere}."
        )),
        "{}",
        text(&out)
    );
    // A dry run needs no engine; the help names the plugin.
    let out = p
        .docker(&cli, Some(nowhere))
        .args(["harden", "run", "--dry-run", "-p", "8080:80", "nginx:1.27"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("docker run -p 127.0.0.1:8080:80"));
    let out = p
        .docker(&cli, Some(nowhere))
        .args(["harden", "--help"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Usage: docker harden"),
        "{}",
        text(&out)
    );
    // docker harden compose lint: same exit codes as harden.
    let compose = common::repo_root().join("examples/compose/web/compose.yaml");
    let out = p
        .docker(&cli, Some(nowhere))
        .args(["harden", "compose", "-f"])
        .arg(&compose)
        .args(["lint", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!v["findings"].as_array().unwrap().is_empty());
}

#[test]
fn docker_harden_run_hardens_a_real_container() {
    let Some(engine) = common::engine() else {
        return;
    };
    let Some(cli) = common::docker_cli() else {
        return;
    };
    common::require_test_image(&engine);
    let p = Installed::new();
    let mut guard = common::ContainerGuard::new(&engine);
    let name = guard.name();
    let out = p
        .docker(&cli, Some(&engine.host))
        .args(["harden", "run", "--rm", "--label", common::TEST_LABEL])
        .args(["--name", &name, common::TEST_IMAGE, "id", "-u"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let uid: u32 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    assert_ne!(uid, 0, "docker harden run ran as root");

    // --context NAME selects the daemon (a context of the temporary config pointing at the
    // engine), for run and for audit.
    let out = p
        .docker(&cli, None)
        .args(["context", "create", "hardentest", "--docker"])
        .arg(format!("host={}", engine.host))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let name = guard.name();
    let out = p
        .docker(&cli, None)
        .args(["--context", "hardentest", "harden", "run", "-d"])
        .args(["--label", common::TEST_LABEL, "--name", &name])
        .args([common::TEST_IMAGE, "sleep", "60"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let out = p
        .docker(&cli, None)
        .args([
            "--context",
            "hardentest",
            "harden",
            "audit",
            "--format",
            "json",
            &name,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // A context that does not exist is an error, not the default daemon.
    let out = p
        .docker(&cli, None)
        .env("DOCKER_CLI_HINTS", "false")
        .args(["--context", "nosuchctx", "harden", "audit"])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
}
