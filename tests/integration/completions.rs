//! The checked-in completion scripts under `completions/` match what the binary generates.
//! `HARDEN_BLESS=1 cargo test --test integration completions::` regenerates them.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use crate::common;

#[test]
fn completion_scripts_are_current() {
    let dir = common::repo_root().join("completions");
    let bless = std::env::var("HARDEN_BLESS").is_ok_and(|v| v == "1");
    let mut stale = Vec::new();
    for (shell, file) in [
        ("bash", "harden.bash"),
        ("zsh", "_harden"),
        ("fish", "harden.fish"),
        ("powershell", "_harden.ps1"),
        ("elvish", "harden.elv"),
    ] {
        let out = common::harden()
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "harden completions {shell} failed");
        let path = dir.join(file);
        let current = std::fs::read(&path).unwrap_or_default();
        if current != out.stdout {
            if bless {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &out.stdout).unwrap();
            } else {
                stale.push(file);
            }
        }
    }
    assert!(
        stale.is_empty(),
        "completions/{stale:?} are stale; run `HARDEN_BLESS=1 cargo test --test integration completions::`"
    );
}

#[test]
fn bash_completion_offers_docker_run_flags() {
    let script =
        std::fs::read_to_string(common::repo_root().join("completions/harden.bash")).unwrap();
    for flag in [
        "--publish",
        "--cap-drop",
        "--security-opt",
        "--dry-run",
        "--preset",
    ] {
        assert!(
            script.contains(flag),
            "{flag} missing from the bash completion"
        );
    }
}
