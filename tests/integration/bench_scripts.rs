//! The benchmark scripts stay runnable: `bench/run.sh` parses and answers `--help`, and the
//! generated scaling files are Compose files that harden reads, lints and fixes.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn run_script_parses_and_teaches() {
    let syntax = Command::new("bash")
        .arg("-n")
        .arg(root().join("bench/run.sh"))
        .output()
        .expect("bash");
    assert!(
        syntax.status.success(),
        "{}",
        String::from_utf8_lossy(&syntax.stderr)
    );
    let help = Command::new(root().join("bench/run.sh"))
        .arg("--help")
        .output()
        .expect("bench/run.sh --help");
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for word in ["--quick", "--no-install", "--skip", "RESULTS.md"] {
        assert!(text.contains(word), "--help should mention {word}:\n{text}");
    }
    let bad = Command::new(root().join("bench/run.sh"))
        .arg("--bogus")
        .output()
        .expect("bench/run.sh --bogus");
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn generated_files_lint_and_fix() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(root().join("bench/gen-compose.sh"))
        .arg("40")
        .output()
        .expect("bench/gen-compose.sh");
    assert!(out.status.success());
    let file = dir.path().join("compose.yaml");
    std::fs::write(&file, &out.stdout).expect("write");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.matches("image:").count(), 40, "{text}");

    let lint = assert_cmd::Command::cargo_bin("harden")
        .expect("harden")
        .env("NO_COLOR", "1")
        .current_dir(dir.path())
        .args(["compose", "lint", "--format", "json"])
        .output()
        .expect("lint");
    assert_eq!(lint.status.code(), Some(1), "findings expected");
    let report: serde_json::Value = serde_json::from_slice(&lint.stdout).expect("json");
    let findings = report["findings"].as_array().expect("findings");
    let services: std::collections::BTreeSet<&str> = findings
        .iter()
        .filter_map(|f| f["service"].as_str())
        .collect();
    assert_eq!(services.len(), 40);

    let fix = assert_cmd::Command::cargo_bin("harden")
        .expect("harden")
        .current_dir(dir.path())
        .args(["compose", "fix", "--stdout"])
        .output()
        .expect("fix");
    assert!(
        fix.status.success(),
        "{}",
        String::from_utf8_lossy(&fix.stderr)
    );
    let fixed = String::from_utf8_lossy(&fix.stdout);
    assert_eq!(fixed.matches("cap_drop:").count(), 40);
    // The comments of the generated file survive.
    for line in text.lines().filter(|l| l.trim_start().starts_with('#')) {
        assert!(fixed.contains(line), "lost {line}");
    }
}
