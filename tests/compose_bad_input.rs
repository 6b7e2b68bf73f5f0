//! Bad input: each gives one clear `harden: …` line with exit 2, well under a second, in bounded
//! memory, and changes no file.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

mod common;

use std::path::Path;
use std::time::Duration;

use common::harden_bounded as harden;

fn assert_input_error(dir: &Path, file: &str, expect: &str) {
    let before = std::fs::read(dir.join(file)).ok();
    for cmd in [
        vec!["compose", "-f", file, "lint"],
        vec!["compose", "-f", file, "fix"],
        vec!["compose", "-f", file, "fix", "--diff"],
        vec!["compose", "-f", file, "config"],
    ] {
        let (out, took) = harden(dir, &cmd);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{cmd:?}: {stderr}");
        assert!(took < Duration::from_secs(1), "{cmd:?} took {took:?}");
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        assert!(
            stderr.starts_with(&format!("harden: {file}")),
            "names the file: {stderr}"
        );
        assert!(
            stderr.contains(expect),
            "{cmd:?}: `{expect}` not in {stderr}"
        );
        assert!(out.stdout.is_empty(), "nothing on stdout");
        assert_eq!(std::fs::read(dir.join(file)).ok(), before, "file unchanged");
    }
}

#[test]
fn malformed_yaml() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("c.yaml"),
        "services:\n  web:\n    image: [nginx\n    ports: \"80\n",
    )
    .unwrap();
    assert_input_error(d.path(), "c.yaml", "c.yaml:");
    let (out, _) = harden(d.path(), &["compose", "-f", "c.yaml", "lint"]);
    let err = String::from_utf8_lossy(&out.stderr);
    // file:line:col
    let loc = err.trim_start_matches("harden: c.yaml:");
    let mut parts = loc.splitn(3, ':');
    assert!(parts.next().unwrap().parse::<usize>().is_ok(), "{err}");
    assert!(parts.next().unwrap().parse::<usize>().is_ok(), "{err}");
}

#[test]
fn services_not_a_mapping() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("c.yaml"), "services:\n  - web\n  - db\n").unwrap();
    assert_input_error(
        d.path(),
        "c.yaml",
        "c.yaml:1:1: `services` must be a mapping",
    );
    std::fs::write(d.path().join("s.yaml"), "services:\n  web: nginx\n").unwrap();
    assert_input_error(
        d.path(),
        "s.yaml",
        "s.yaml:2:3: service `web` must be a mapping",
    );
    std::fs::write(d.path().join("l.yaml"), "- a\n- b\n").unwrap();
    assert_input_error(d.path(), "l.yaml", "a Compose file is a mapping");
}

#[test]
fn alias_amplification_repeated_and_nested() {
    let d = tempfile::tempdir().unwrap();
    // A small anchor referenced thousands of times.
    let mut s = String::from("x-a: &a {cap_add: [ALL], privileged: true}\nservices:\n");
    for i in 0..3000 {
        s.push_str(&format!("  s{i}: *a\n"));
    }
    std::fs::write(d.path().join("wide.yaml"), &s).unwrap();
    assert_input_error(d.path(), "wide.yaml", "alias");
    // One big anchor repeated (the case that aborted serde_yaml out of memory).
    let big: Vec<String> = (0..2000).map(|i| format!("k{i}")).collect();
    let mut s = format!("x-big: &big [{}]\nx-use:\n", big.join(", "));
    for i in 0..400 {
        s.push_str(&format!("  u{i}: *big\n"));
    }
    std::fs::write(d.path().join("big.yaml"), &s).unwrap();
    assert_input_error(d.path(), "big.yaml", "alias amplification");
    // Nested ("billion laughs").
    let mut s = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        s.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    s.push_str("services:\n  web:\n    image: x\n    x-bomb: *a9\n");
    std::fs::write(d.path().join("nested.yaml"), &s).unwrap();
    assert_input_error(d.path(), "nested.yaml", "alias amplification");
}

#[test]
fn unreadable_files_and_directories() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join("dir.yaml")).unwrap();
    assert_input_error(d.path(), "dir.yaml", "is a directory");
    std::fs::write(d.path().join("bin.yaml"), [0xff, 0xfe, 0x00, 0x41]).unwrap();
    assert_input_error(d.path(), "bin.yaml", "not UTF-8");
    let (out, _) = harden(d.path(), &["compose", "-f", "missing.yaml", "lint"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.yaml: no such file"));
    // Permission bits only bind a non-root user.
    use std::os::unix::fs::PermissionsExt;
    let p = d.path().join("secret.yaml");
    std::fs::write(&p, "services: {}\n").unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&p).is_err() {
        assert_input_error(d.path(), "secret.yaml", "permission denied");
    } else {
        println!("running as root: the permission-denied case cannot be produced here");
    }
}

#[test]
fn empty_and_multi_document_files() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("e.yaml"), "# only a comment\n").unwrap();
    assert_input_error(d.path(), "e.yaml", "empty");
    std::fs::write(d.path().join("m.yaml"), "services: {}\n---\nservices: {}\n").unwrap();
    assert_input_error(d.path(), "m.yaml", "second");
    std::fs::write(
        d.path().join("dup.yaml"),
        "services:\n  a: {image: x}\n  a: {image: y}\n",
    )
    .unwrap();
    assert_input_error(d.path(), "dup.yaml", "dup.yaml:3:3: duplicate key `a`");
}
