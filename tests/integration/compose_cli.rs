//! `harden compose` from the outside: exit codes, waivers, fix modes, file discovery, and what
//! `up` hands to `docker compose` (through a stub named by HARDEN_DOCKER_COMPOSE).
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use crate::common;

use serde_json::Value;
use std::path::Path;
use std::process::Output;

fn harden(dir: &Path, args: &[&str]) -> Output {
    common::harden_clean(dir, args, &[])
}

fn harden_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    common::harden_clean(dir, args, env)
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn json_findings(o: &Output) -> Vec<Value> {
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or(Value::Null);
    v["findings"].as_array().cloned().unwrap_or_default()
}

const RISKY: &str = "services:\n  web:\n    image: nginx:1.27\n    privileged: true\n    ports:\n      - \"8080:80\"\n";

#[test]
fn help_lists_the_subcommands() {
    let d = tempfile::tempdir().unwrap();
    let out = harden(d.path(), &["compose", "--help"]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for sub in [
        "lint", "fix", "config", "up", "run", "create", "--file", "--preset",
    ] {
        assert!(help.contains(sub), "{sub} missing from:\n{help}");
    }
    let out = harden(d.path(), &["compose", "lint", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    for opt in ["--format", "--fail-on", "sarif", "github"] {
        assert!(help.contains(opt), "{opt} missing from:\n{help}");
    }
    let out = harden(d.path(), &["compose", "lint", "--format", "xml"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn lint_exit_codes_and_fail_on() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "compose.yaml", RISKY);
    let out = harden(d.path(), &["compose", "lint"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("compose.yaml\n  service web (line 2)"),
        "{text}"
    );
    assert!(text.contains("4:5 error privileged"), "{text}");
    assert_eq!(
        harden(d.path(), &["compose", "lint", "--fail-on", "never"])
            .status
            .code(),
        Some(0)
    );
    // Every finding carries file:line:col, rule, severity, message, fixable.
    let out = harden(d.path(), &["compose", "lint", "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], 1);
    for f in v["findings"].as_array().unwrap() {
        for k in [
            "file", "line", "column", "route", "service", "rule", "severity", "message", "fixable",
        ] {
            assert!(!f[k].is_null(), "{k} missing in {f}");
        }
    }
    let port = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "port-host-ip")
        .expect("port finding");
    assert_eq!(
        (port["line"].as_u64(), port["column"].as_u64()),
        (Some(6), Some(9))
    );
    assert_eq!(port["fixable"], true);

    write(
        d.path(),
        "clean.yaml",
        "services:\n  web:\n    image: nginx:1.27\n",
    );
    let out = harden(
        d.path(),
        &["compose", "-f", "clean.yaml", "lint", "--fail-on", "error"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn waivers_in_the_file() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "compose.yaml",
        "services:\n  web:\n    image: nginx:1.27\n    privileged: true  # harden: ignore[privileged] needs /dev access\n    network_mode: host\n    x-harden:\n      allow: [host-network]\n      reason: \"monitoring agent\"\n  db:  # harden: ignore[privileged]\n    image: postgres:16\n    privileged: true\n",
    );
    let out = harden(d.path(), &["compose", "lint", "--format", "json"]);
    let f = json_findings(&out);
    let find = |svc: &str, rule: &str| {
        f.iter()
            .find(|x| x["service"] == svc && x["rule"] == rule)
            .cloned()
            .unwrap_or_else(|| panic!("{svc}/{rule} not in {f:?}"))
    };
    let p = find("web", "privileged");
    assert_eq!(p["waived"]["reason"], "needs /dev access");
    assert_eq!(p["waived"]["by"], "compose.yaml:4");
    assert_eq!(
        find("web", "host-network")["waived"]["reason"],
        "monitoring agent"
    );
    // A waiver without a reason waives nothing and is itself a finding.
    assert!(find("db", "privileged")["waived"].is_null());
    let w = find("db", "waiver-reason");
    assert_eq!(w["line"], 9);
}

#[test]
fn fix_modes_and_atomic_write() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let original = "# keep me\nservices:\n  web:\n    image: nginx:1.27 # pinned\n    ports:\n      - \"8080:80\"\n";
    write(d.path(), "compose.yaml", original);
    std::fs::set_permissions(
        d.path().join("compose.yaml"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();

    let diff = harden(d.path(), &["compose", "fix", "--diff"]);
    assert!(diff.status.success());
    let text = String::from_utf8_lossy(&diff.stdout);
    assert!(
        text.starts_with("--- a/compose.yaml\n+++ b/compose.yaml\n"),
        "{text}"
    );
    assert!(text.contains("+      - \"127.0.0.1:8080:80\""), "{text}");
    assert_eq!(
        std::fs::read_to_string(d.path().join("compose.yaml")).unwrap(),
        original
    );

    assert_eq!(
        harden(d.path(), &["compose", "fix", "--check"])
            .status
            .code(),
        Some(1)
    );
    let stdout = harden(d.path(), &["compose", "fix", "--stdout"]);
    let fixed = String::from_utf8_lossy(&stdout.stdout).to_string();
    assert!(fixed.starts_with("# keep me\n"));
    assert_eq!(
        std::fs::read_to_string(d.path().join("compose.yaml")).unwrap(),
        original
    );

    let review = harden(d.path(), &["compose", "fix", "--review"]);
    assert_eq!(review.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&review.stderr).contains("terminal"));

    let w = harden(d.path(), &["compose", "fix"]);
    assert!(w.status.success(), "{}", String::from_utf8_lossy(&w.stderr));
    assert_eq!(
        std::fs::read_to_string(d.path().join("compose.yaml")).unwrap(),
        fixed
    );
    let mode = std::fs::metadata(d.path().join("compose.yaml"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640, "permissions kept");
    let leftovers: Vec<_> = std::fs::read_dir(d.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("harden"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary files left");
    assert_eq!(
        harden(d.path(), &["compose", "fix", "--check"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn discovery_override_and_compose_file() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "docker-compose.yml",
        "services:\n  web:\n    image: nginx:1.27\n",
    );
    write(
        d.path(),
        "docker-compose.override.yml",
        "services:\n  web:\n    privileged: true\n",
    );
    let sub = d.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    let out = harden(&sub, &["compose", "lint", "--format", "json"]);
    let f = json_findings(&out);
    let p = f
        .iter()
        .find(|x| x["rule"] == "privileged")
        .expect("override merged");
    assert!(
        p["file"]
            .as_str()
            .unwrap()
            .ends_with("docker-compose.override.yml")
    );
    assert_eq!(p["line"], 3);

    let out = harden_env(
        d.path(),
        &["compose", "lint", "--format", "json"],
        &[("COMPOSE_FILE", "docker-compose.yml")],
    );
    assert!(
        json_findings(&out)
            .iter()
            .all(|x| x["rule"] != "privileged")
    );

    let empty = tempfile::tempdir().unwrap();
    let out = harden(empty.path(), &["compose", "lint"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no Compose file found"));
}

#[test]
fn interpolation_is_checked_not_written() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), ".env", "PORT=8080\nRO=true\n");
    write(
        d.path(),
        "compose.yaml",
        "services:\n  web:\n    image: nginx:1.27\n    read_only: ${RO}\n    ports:\n      - \"${PORT}:80\"\n      - \"${UNSET_PORT}:81\"\n",
    );
    let out = harden(d.path(), &["compose", "lint", "--format", "json"]);
    let f = json_findings(&out);
    // RO=true from .env: the root is known to be read-only; only the tmpfs paths are missing.
    assert!(
        f.iter()
            .filter(|x| x["rule"] == "read-only-rootfs")
            .all(|x| x["message"]
                .as_str()
                .unwrap()
                .contains("the root filesystem is read-only but")),
        "RO=true from .env: {f:?}"
    );
    let unset = f
        .iter()
        .find(|x| x["rule"] == "port-host-ip" && x["line"] == 7)
        .expect("unset port reported");
    assert_eq!(unset["fixable"], false);
    assert!(
        unset["unfixable_reason"]
            .as_str()
            .unwrap()
            .contains("${UNSET_PORT}")
    );
    let fixed = harden(d.path(), &["compose", "fix", "--stdout"]);
    let text = String::from_utf8_lossy(&fixed.stdout);
    assert!(text.contains("- \"127.0.0.1:${PORT}:80\""), "{text}");
    assert!(text.contains("- \"${UNSET_PORT}:81\""), "{text}");
    assert!(text.contains("read_only: ${RO}"), "{text}");
}

#[test]
fn up_hands_the_hardened_copies_to_docker_compose() {
    let d = tempfile::tempdir().unwrap();
    let proj = d.path().join("My App");
    std::fs::create_dir(&proj).unwrap();
    write(
        &proj,
        "compose.yaml",
        "services:\n  web:\n    image: nginx:1.27\n",
    );
    let log = d.path().join("args.txt");
    let stub = d.path().join("stub.sh");
    std::fs::write(
        &stub,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done > '{}'\nwhile [ \"$1\" != \"-f\" ]; do shift; done\ncat \"$2\" >> '{}'\nexit 7\n",
            log.display(),
            log.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = harden_env(
        &proj,
        &["compose", "up", "-d", "--wait"],
        &[("HARDEN_DOCKER_COMPOSE", stub.to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(7), "exit code passed through");
    let args = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = args.lines().collect();
    assert_eq!(lines[0], "--project-directory");
    assert_eq!(Path::new(lines[1]), std::fs::canonicalize(&proj).unwrap());
    assert_eq!(&lines[2..4], &["-p", "myapp"]);
    assert_eq!(lines[4], "-f");
    assert!(
        !lines[5].starts_with(proj.to_str().unwrap()),
        "copy outside the project"
    );
    assert_eq!(&lines[6..9], &["up", "-d", "--wait"]);
    let doc: Value = serde_json::from_str(&lines[9..].join("\n")).expect("one JSON document");
    assert_eq!(
        doc["services"]["web"]["cap_drop"],
        serde_json::json!(["ALL"]),
        "the copy is hardened:\n{args}"
    );
    assert_eq!(doc["services"]["web"]["read_only"], true);
    assert_eq!(
        std::fs::read_to_string(proj.join("compose.yaml")).unwrap(),
        "services:\n  web:\n    image: nginx:1.27\n"
    );
    assert!(
        !Path::new(lines[5]).exists(),
        "the copy is removed afterwards"
    );
}

#[test]
fn config_prints_the_hardened_project() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "compose.yaml",
        "x-common: &c\n  image: nginx:1.27\nservices:\n  web:\n    <<: *c\n",
    );
    let out = harden(d.path(), &["compose", "config"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: yaml_serde::Value = yaml_serde::from_slice(&out.stdout).unwrap();
    assert_eq!(v["services"]["web"]["image"], "nginx:1.27");
    assert_eq!(v["services"]["web"]["read_only"], true);
    assert_eq!(v["services"]["web"]["cap_drop"][0], "ALL");
}

/// `compose lint A B`: each file's findings are written by the thread that linted it and joined
/// in the order given, with one summary; a file in two projects (given twice, or included by
/// both) is still one group of the whole report.
#[test]
fn lint_of_several_files_groups_each_file_once() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "a.yaml",
        "services:\n  web:\n    image: nginx:1\n    privileged: true\n",
    );
    write(
        d.path(),
        "b.yaml",
        "services:\n  db:\n    image: postgres:16\n",
    );
    write(
        d.path(),
        "c.yaml",
        "include:\n  - b.yaml\nservices:\n  app:\n    image: app:1\n",
    );
    let text = |args: &[&str]| String::from_utf8(harden(d.path(), args).stdout).unwrap();
    let a = text(&["compose", "lint", "a.yaml"]);
    let b = text(&["compose", "lint", "b.yaml"]);
    let ab = text(&["compose", "lint", "a.yaml", "b.yaml"]);
    // Each alone: its section, then its summary line.
    let section = |t: &str| t[..t.trim_end().rfind('\n').unwrap() + 1].to_string();
    let summary = ab.trim_end().rsplit('\n').next().unwrap().to_string();
    assert_eq!(ab, format!("{}{}{summary}\n", section(&a), section(&b)));
    assert!(summary.contains(" findings: "), "{summary}");
    assert_eq!(ab.matches(" findings: ").count(), 1, "{ab}");
    // b.yaml in two projects: its findings are one group, under its first appearance.
    let bcb = text(&["compose", "lint", "b.yaml", "c.yaml"]);
    assert_eq!(bcb.matches("b.yaml\n").count(), 1, "{bcb}");
    assert_eq!(bcb.matches("  service db").count(), 1, "{bcb}");
    let db_findings = b.matches("\n    ").count();
    assert!(bcb.matches("\n    ").count() > db_findings, "{bcb}");
}
