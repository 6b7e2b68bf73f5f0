//! What harden prints besides its results: `-q` silences harden's own notices (and only before
//! the subcommand: after `run`, `-q` is docker's `--quiet`), errors are one `harden: …` line,
//! and piped output has no colours.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use crate::common;

use std::process::Output;

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut c = std::process::Command::new(common::harden_bin());
    c.args(args)
        .current_dir(dir.path())
        .env("HOME", dir.path())
        .env(
            "DOCKER_HOST",
            "unix:///nonexistent/harden-presentation.sock",
        )
        .env_remove("HARDEN_PRESET")
        .env_remove("DOCKER_API_VERSION");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn quiet_silences_notices_only_before_the_subcommand() {
    let loud = run(&["run", "--dry-run", "-p", "8080:80", "nginx:1.27"], &[]);
    assert!(
        stderr(&loud).contains("harden: hardened ("),
        "{}",
        stderr(&loud)
    );
    let quiet = run(
        &["-q", "run", "--dry-run", "-p", "8080:80", "nginx:1.27"],
        &[],
    );
    assert!(quiet.status.success());
    assert_eq!(stderr(&quiet), "");
    assert_eq!(quiet.stdout, loud.stdout);
    // After `run`, -q is docker's --quiet and stays in the command line.
    let docker_q = run(&["run", "-q", "--dry-run", "nginx:1.27"], &[]);
    assert!(docker_q.status.success());
    assert!(stderr(&docker_q).contains("harden: hardened ("));
    assert!(String::from_utf8_lossy(&docker_q.stdout).starts_with("docker run -q "));
    // Errors are not notices.
    let err = run(
        &["-q", "run", "--dry-run", "--privileged", "nginx:1.27"],
        &[],
    );
    assert_eq!(err.status.code(), Some(125));
    assert!(stderr(&err).starts_with("harden: refused by privileged"));
}

#[test]
fn usage_errors_are_harden_lines() {
    let o = run(&["bogus"], &[]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert_eq!(
        e.lines().next(),
        Some("harden: unrecognized subcommand 'bogus'"),
        "{e}"
    );
    let o = run(&["audit", "--format", "xml"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).starts_with("harden: invalid value 'xml' for '--format <FORMAT>'"));
}

#[test]
fn colours_follow_no_color_and_the_flag() {
    let args = ["run", "--dry-run", "nginx:1.27"];
    let piped = run(&args, &[]);
    assert!(!stderr(&piped).contains('\x1b'));
    let forced = run(
        &["--color", "always", "run", "--dry-run", "nginx:1.27"],
        &[],
    );
    assert!(stderr(&forced).contains("\x1b["), "{}", stderr(&forced));
    let never = run(
        &["--color", "never", "run", "--dry-run", "nginx:1.27"],
        &[("CLICOLOR_FORCE", "1")],
    );
    assert!(!stderr(&never).contains('\x1b'));
    let no_color = run(&args, &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")]);
    assert!(!stderr(&no_color).contains('\x1b'), "{}", stderr(&no_color));
}
