//! Every example under `examples/` is exercised, so the README and the examples cannot rot:
//!
//! - `examples/run/*.sh` run daemonless (`--dry-run`); stdout, stderr and the exit code must match
//!   `examples/run/<name>.expected` (`HARDEN_BLESS=1 cargo test --test integration examples::` rewrites them).
//!   The notice "dry run without an engine (…)" depends on the machine and is left out.
//! - `examples/compose/web` (as people write it) has findings under every preset; fixed with the
//!   default preset it lints clean but for health checks; `web-hardened` and `web-strict` (with
//!   its `.harden.yaml`) lint clean; the baseline preset reports but fixes nothing.
//!   `examples/compose/web` also runs for real in `tests/e2e/compose.rs`, `examples/run/nginx.*`
//!   in `tests/e2e/run_services.rs`.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn examples() -> PathBuf {
    common::repo_root().join("examples")
}

fn harden_in(dir: &Path, args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    common::harden_in(dir)
        .args(args)
        .env("HOME", home.path())
        .env("DOCKER_HOST", "unix:///nonexistent/harden-examples.sock")
        .output()
        .unwrap()
}

fn render(out: &Output) -> String {
    let stderr: String = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| !l.starts_with("harden: dry run without an engine ("))
        .map(|l| format!("{l}\n"))
        .collect();
    format!(
        "--- stdout\n{}--- stderr\n{stderr}--- exit {}\n",
        String::from_utf8_lossy(&out.stdout),
        out.status.code().unwrap_or(-1)
    )
}

#[test]
fn run_scripts_print_what_their_expected_files_say() {
    let dir = examples().join("run");
    let bless = std::env::var("HARDEN_BLESS").is_ok_and(|v| v == "1");
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "sh"))
        .collect();
    scripts.sort();
    assert!(scripts.len() >= 5, "{scripts:?}");
    let home = tempfile::tempdir().unwrap();
    let mut stale = Vec::new();
    for script in &scripts {
        let out = Command::new("sh")
            .arg(script)
            .current_dir(home.path())
            .env("HARDEN", common::harden_bin())
            .env("HOME", home.path())
            .env("NO_COLOR", "1")
            .env("DOCKER_HOST", "unix:///nonexistent/harden-examples.sock")
            .env_remove("HARDEN_PRESET")
            .env_remove("DOCKER_API_VERSION")
            .output()
            .unwrap();
        let got = render(&out);
        let expected_path = script.with_extension("expected");
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if got != expected {
            if bless {
                std::fs::write(&expected_path, &got).unwrap();
            } else {
                stale.push(format!(
                    "{}:\n--- expected\n{expected}--- got\n{got}",
                    script.display()
                ));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "examples changed their output (HARDEN_BLESS=1 cargo test --test integration examples:: to accept):\n{}",
        stale.join("\n")
    );
}

#[test]
fn run_scripts_show_each_preset() {
    let read = |n: &str| std::fs::read_to_string(examples().join("run").join(n)).unwrap();
    let default = read("web-default.expected");
    let strict = read("web-strict.expected");
    let baseline = read("web-baseline.expected");
    assert!(default.contains("-p 127.0.0.1:8080:80") && default.contains("--memory 512m"));
    assert!(strict.contains("--memory 256m") && strict.contains("--cpus 0.5"));
    // baseline changes nothing, it reports.
    assert!(baseline.contains("docker run -p 8080:80 -e DB_PASSWORD=hunter2 --restart always"));
    assert!(read("refused.expected").matches("exit 125").count() == 4);
    assert!(read("waived.expected").contains("--privileged"));
}

#[test]
fn compose_examples_lint_and_fix_as_documented() {
    let compose = examples().join("compose");
    let web = compose.join("web/compose.yaml");
    let web = web.to_str().unwrap();

    // As people write it: findings under every preset.
    for preset in ["default", "strict", "baseline"] {
        let out = harden_in(
            &compose,
            &["compose", "-f", web, "--preset", preset, "lint"],
        );
        assert_eq!(out.status.code(), Some(1), "{preset}: {}", render(&out));
    }
    // baseline fixes nothing.
    let out = harden_in(
        &compose,
        &[
            "compose", "-f", web, "--preset", "baseline", "fix", "--check",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to fix"));

    // Fixed with the default preset, only the missing health checks are left (info).
    let out = harden_in(&compose, &["compose", "-f", web, "fix", "--stdout"]);
    assert!(out.status.success());
    let work = tempfile::tempdir().unwrap();
    let fixed = work.path().join("compose.yaml");
    std::fs::write(&fixed, &out.stdout).unwrap();
    let out = harden_in(work.path(), &["compose", "lint", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(rules.iter().all(|r| *r == "healthcheck"), "{rules:?}");

    // The hardened examples are clean.
    for dir in ["web-hardened", "web-strict"] {
        let out = harden_in(
            &compose.join(dir),
            &["compose", "lint", "--fail-on", "info"],
        );
        assert_eq!(out.status.code(), Some(0), "{dir}: {}", render(&out));
        assert_eq!(String::from_utf8_lossy(&out.stdout), "no findings\n");
        let out = harden_in(&compose.join(dir), &["compose", "fix", "--check"]);
        assert_eq!(out.status.code(), Some(0), "{dir}: {}", render(&out));
    }
    // web-strict's team file is what makes it strict: there, web's fix output is reported for
    // its unpinned image.
    let out = harden_in(
        &compose.join("web-strict"),
        &[
            "compose",
            "-f",
            fixed.to_str().unwrap(),
            "lint",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "image-digest"),
        "{}",
        render(&out)
    );
}
