//! The checked-in man pages under `man/` match what the binary generates from its clap tree;
//! `harden man` prints `man/harden.1`. `HARDEN_BLESS=1 cargo test --test integration man::` regenerates them.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use crate::common;

use std::process::Command;

#[test]
fn man_pages_are_current() {
    let dir = common::repo_root().join("man");
    let bless = std::env::var("HARDEN_BLESS").is_ok_and(|v| v == "1");
    let pages = harden::cli::man::pages();
    let mut stale = Vec::new();
    for (name, text) in &pages {
        let path = dir.join(name);
        if std::fs::read_to_string(&path).unwrap_or_default() != *text {
            if bless {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, text).unwrap();
            } else {
                stale.push(name.clone());
            }
        }
    }
    // Pages of subcommands that no longer exist.
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".1") && !pages.iter().any(|(n, _)| *n == name) {
            if bless {
                std::fs::remove_file(entry.path()).unwrap();
            } else {
                stale.push(name);
            }
        }
    }
    assert!(
        stale.is_empty(),
        "man/{stale:?} are stale; run `HARDEN_BLESS=1 cargo test --test integration man::`"
    );
}

#[test]
fn harden_man_prints_the_top_page() {
    let out = common::harden().arg("man").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(".TH harden 1"), "{text}");
    for sub in ["run", "audit", "compose", "completions", "man"] {
        assert!(
            text.contains(&format!("harden\\-{sub}(1)")),
            "{sub} missing"
        );
    }
    // Rendered by man(1) when it is installed (not a test prerequisite).
    let rendered = Command::new("man")
        .args(["-l", "-"])
        .env("MANWIDTH", "80")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(text.as_bytes())?;
            c.wait_with_output()
        });
    match rendered {
        Ok(o) if o.status.success() => {
            let plain = String::from_utf8_lossy(&o.stdout);
            assert!(plain.contains("SYNOPSIS"), "{plain}");
        }
        _ => eprintln!("note: man(1) not available; roff not rendered"),
    }
}
