//! README.md stays true to the binary: the rules table is generated from the registry, and every
//! `console` example runs and prints what the README shows.
//!
//! `HARDEN_BLESS=1 cargo test --test integration readme::` rewrites the generated rules table.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use crate::common;

use std::process::Command;

fn readme_path() -> std::path::PathBuf {
    common::repo_root().join("README.md")
}

const START: &str = "<!-- rules:start -->\n";
const END: &str = "<!-- rules:end -->";

#[test]
fn rules_table_is_generated_from_the_registry() {
    let readme = std::fs::read_to_string(readme_path()).unwrap();
    let (Some(s), Some(e)) = (readme.find(START), readme.find(END)) else {
        panic!("README.md lacks the {START:?} … {END:?} markers");
    };
    let current = &readme[s + START.len()..e];
    let out = common::harden()
        .args(["rules", "--format", "markdown"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let generated = String::from_utf8(out.stdout).unwrap();
    if current != generated {
        if std::env::var("HARDEN_BLESS").is_ok_and(|v| v == "1") {
            let updated = format!(
                "{}{}{}",
                &readme[..s + START.len()],
                generated,
                &readme[e..]
            );
            std::fs::write(readme_path(), updated).unwrap();
            return;
        }
        panic!(
            "README.md's rules table is stale; run `HARDEN_BLESS=1 cargo test --test integration readme::`\n--- README\n{current}\n--- generated\n{generated}"
        );
    }
}

/// `$ harden …` lines of ```console blocks, each with the output lines shown under it.
fn console_examples(readme: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut in_block = false;
    for line in readme.lines() {
        if line.starts_with("```console") {
            in_block = true;
            continue;
        }
        if line.starts_with("```") {
            in_block = false;
            continue;
        }
        if !in_block {
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ ") {
            out.push((cmd.to_string(), Vec::new()));
        } else if let Some((_, expected)) = out.last_mut() {
            expected.push(line.to_string());
        }
    }
    out
}

#[test]
fn console_examples_print_what_the_readme_shows() {
    let readme = std::fs::read_to_string(readme_path()).unwrap();
    let examples = console_examples(&readme);
    assert!(!examples.is_empty());
    for (cmd, expected) in examples {
        let words = shell_words::split(&cmd).unwrap();
        assert_eq!(
            words[0], "harden",
            "README example does not run harden: {cmd}"
        );
        let out = Command::new(common::harden_bin())
            .args(&words[1..])
            .current_dir(common::repo_root())
            // The examples are daemonless: pin an engine address that never answers.
            .env("DOCKER_HOST", "unix:///nonexistent/harden-readme.sock")
            .env("NO_COLOR", "1")
            .env_remove("HARDEN_PRESET")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let shown: Vec<&str> = stdout.lines().chain(stderr.lines()).collect();
        for line in &expected {
            assert!(
                shown.contains(&line.as_str()),
                "README example `{cmd}` should print\n  {line}\nbut printed\n{stdout}{stderr}"
            );
        }
    }
}
