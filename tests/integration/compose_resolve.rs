//! harden sees the project Compose v2 sees: `extends` (same file, other file, chains),
//! top-level `include:` (short, long, nested), `!reset` / `!override`, several `-f` files.
//!
//! Each bypass case is checked twice: Compose v2 itself (`docker compose config --format json`)
//! shows the dangerous value reaching the service (so the case is real), and harden reports it
//! at the file and line that write it, under the service it reaches, and `harden compose up`
//! refuses without running Compose (a stub that records any call stands in for it). Without
//! Compose v2 the oracle half is skipped with a notice (fails under HARDEN_E2E=require).
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use crate::common;

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn harden(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let home = dir.to_string_lossy();
    let mut env = env.to_vec();
    env.push(("HOME", &home));
    common::harden_clean(dir, args, &env)
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn findings(dir: &Path, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["compose"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["lint", "--format", "json"]);
    let out = harden(dir, &args, &[]);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "lint: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json report");
    v["findings"].as_array().cloned().unwrap_or_default()
}

/// The finding of `rule` for `service`, if any.
fn finding<'a>(fs: &'a [Value], service: &str, rule: &str) -> Option<&'a Value> {
    fs.iter()
        .find(|f| f["service"] == service && f["rule"] == rule)
}

fn at(f: &Value) -> (String, u64) {
    (
        f["file"].as_str().unwrap_or("").to_string(),
        f["line"].as_u64().unwrap_or(0),
    )
}

/// Compose v2's resolved project, or `None` (with a notice) when Compose v2 is missing.
fn compose_v2(dir: &Path, extra: &[&str]) -> Option<Value> {
    compose_v2_env(dir, extra, &[])
}

fn compose_v2_env(dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> Option<Value> {
    let v2 = Command::new("docker")
        .args(["compose", "version", "--short"])
        .output()
        .is_ok_and(|o| o.status.success() && o.stdout.starts_with(b"2"));
    if !v2 {
        let msg = "Compose v2 (`docker compose`) is not installed (scripts/install-compose-v2.sh)";
        if std::env::var("HARDEN_E2E").as_deref() == Ok("require") {
            panic!("{msg}");
        }
        println!("skipping the Compose v2 oracle: {msg}");
        return None;
    }
    let out = Command::new("docker")
        .arg("compose")
        .args(extra)
        .args(["config", "--format", "json"])
        .current_dir(dir)
        .env("HOME", dir)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "docker compose config: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

/// `harden compose up -d` refuses and never calls Compose.
fn up_refuses(dir: &Path, rule: &str) {
    let log = dir.join("compose-called");
    let stub = dir.join("stub.sh");
    std::fs::write(
        &stub,
        format!("#!/bin/sh\necho \"$@\" > '{}'\n", log.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = harden(
        dir,
        &["compose", "up", "-d"],
        &[("HARDEN_DOCKER_COMPOSE", stub.to_str().unwrap())],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(rule) && err.contains("refusing to up"),
        "{err}"
    );
    assert!(!log.exists(), "docker compose was called");
}

#[test]
fn extends_in_the_same_file_is_checked() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "compose.yaml",
        "services:\n  base:\n    image: busybox:1\n    profiles: [template]\n    privileged: true\n  web:\n    extends: base\n    image: nginx:1.27\n",
    );
    if let Some(v2) = compose_v2(d.path(), &["--profile", "template"]) {
        assert_eq!(
            v2["services"]["web"]["privileged"], true,
            "the bypass is real"
        );
    }
    let fs = findings(d.path(), &[]);
    let f = finding(&fs, "web", "privileged").expect("web inherits privileged");
    assert_eq!(at(f), ("compose.yaml".into(), 5));
    assert_eq!(f["action"], "deny");
    up_refuses(d.path(), "privileged");
}

#[test]
fn extends_from_another_file_and_chains_are_checked() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "compose.yaml",
        "services:\n  app:\n    extends:\n      file: common/base.yaml\n      service: mid\n    image: alpine:3.20\n",
    );
    write(
        d.path(),
        "common/base.yaml",
        "services:\n  root:\n    image: x\n    network_mode: host\n  mid:\n    extends: root\n    environment:\n      A: b\n",
    );
    if let Some(v2) = compose_v2(d.path(), &[]) {
        assert_eq!(v2["services"]["app"]["network_mode"], "host");
    }
    let fs = findings(d.path(), &[]);
    let f = finding(&fs, "app", "host-network").expect("app inherits host networking");
    assert_eq!(at(f), ("common/base.yaml".into(), 4));
    // The base file's services are not services of the project.
    assert!(finding(&fs, "root", "host-network").is_none());
    up_refuses(d.path(), "host-network");
}

#[test]
fn extends_cycles_are_errors_naming_the_files() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "compose.yaml",
        "services:\n  a:\n    image: x\n    extends: b\n  b:\n    image: x\n    extends: a\n",
    );
    let out = harden(d.path(), &["compose", "lint"], &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("cycle") && err.contains("compose.yaml"),
        "{err}"
    );
}

#[test]
fn includes_short_long_and_nested_are_checked() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "compose.yaml",
        "include:\n  - agent/compose.yaml\n  - path: tools/compose.yaml\n    env_file: tools/tools.env\nservices:\n  web:\n    image: nginx:1.27\n",
    );
    write(
        d.path(),
        "agent/compose.yaml",
        "include:\n  - deeper/compose.yaml\nservices:\n  agent:\n    image: portainer/agent:2\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n",
    );
    write(
        d.path(),
        "agent/deeper/compose.yaml",
        "services:\n  deep:\n    image: x\n    pid: host\n",
    );
    write(
        d.path(),
        "tools/compose.yaml",
        "services:\n  tool:\n    image: x\n    cap_add: [\"${CAP}\"]\n",
    );
    write(d.path(), "tools/tools.env", "CAP=SYS_ADMIN\n");
    if let Some(v2) = compose_v2(d.path(), &[]) {
        assert_eq!(v2["services"]["deep"]["pid"], "host");
        assert_eq!(v2["services"]["tool"]["cap_add"][0], "SYS_ADMIN");
        assert_eq!(
            v2["services"]["agent"]["volumes"][0]["source"],
            "/var/run/docker.sock"
        );
    }
    let fs = findings(d.path(), &[]);
    let f = finding(&fs, "agent", "docker-socket").expect("included socket mount");
    assert_eq!(at(f), ("agent/compose.yaml".into(), 7));
    let f = finding(&fs, "deep", "host-pid").expect("nested include");
    assert_eq!(at(f), ("agent/deeper/compose.yaml".into(), 4));
    // The include's env_file sets the variable the capability comes from.
    let f = finding(&fs, "tool", "dangerous-capability").expect("include env_file");
    assert_eq!(at(f), ("tools/compose.yaml".into(), 4));
    up_refuses(d.path(), "docker-socket");
}

#[test]
fn include_cycles_are_errors() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "compose.yaml",
        "include: [a.yaml]\nservices:\n  web: {image: x}\n",
    );
    write(d.path(), "a.yaml", "include: [b.yaml]\nservices: {}\n");
    write(d.path(), "b.yaml", "include: [a.yaml]\nservices: {}\n");
    let out = harden(d.path(), &["compose", "lint"], &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("include") && err.contains("cycle"), "{err}");
}

#[test]
fn reset_and_override_tags_are_honoured() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "compose.yaml",
        "services:\n  web:\n    image: nginx:1.27\n    ports: [\"8080:80\"]\n    cap_add: [SYS_ADMIN]\n    environment:\n      DEBUG: \"1\"\n      KEEP: \"x\"\n",
    );
    write(
        d.path(),
        "compose.override.yaml",
        "services:\n  web:\n    ports: !reset []\n    cap_add: !override [NET_BIND_SERVICE]\n    environment:\n      DEBUG: !reset null\n",
    );
    if let Some(v2) = compose_v2(d.path(), &[]) {
        let web = &v2["services"]["web"];
        assert!(
            web.get("ports")
                .is_none_or(|p| p.as_array().is_none_or(|a| a.is_empty()))
        );
        assert_eq!(web["cap_add"], serde_json::json!(["NET_BIND_SERVICE"]));
        assert!(web["environment"].get("DEBUG").is_none());
    }
    let fs = findings(d.path(), &[]);
    assert!(finding(&fs, "web", "port-host-ip").is_none(), "{fs:?}");
    assert!(
        finding(&fs, "web", "dangerous-capability").is_none(),
        "{fs:?}"
    );
    // `config` shows the variable removed, not `DEBUG: null` (which takes it from the shell).
    let out = harden(
        d.path(),
        &["compose", "config", "--format", "json"],
        &[("DEBUG", "from-the-shell")],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cfg: Value = serde_json::from_slice(&out.stdout).unwrap();
    let env = &cfg["services"]["web"]["environment"];
    assert!(env.get("DEBUG").is_none(), "{env}");
    assert_eq!(env["KEEP"], "x");
}

#[test]
fn fixes_respect_inheritance_and_compose_v2_accepts_them() {
    let d = tempfile::tempdir().unwrap();
    let text = "services:\n  base:\n    image: busybox:1\n    security_opt: [\"no-new-privileges:true\"]\n    deploy:\n      resources:\n        limits:\n          cpus: \"0.5\"\n  web:\n    extends: base\n    image: nginx:1.27\n    ports: [\"${WEB_PORTS}\"]\n    read_only: ${RO:-false}\n";
    write(d.path(), "compose.yaml", text);
    let out = harden(d.path(), &["compose", "fix"], &[("WEB_PORTS", "8080:80")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fixed = std::fs::read_to_string(d.path().join("compose.yaml")).unwrap();
    // Nothing inherited is written twice, limits join the existing deploy mapping, a port
    // written through a variable and a value set through a variable are left to the user.
    assert_eq!(fixed.matches("no-new-privileges").count(), 1, "{fixed}");
    assert!(
        !fixed.contains("cpus: 1") && !fixed.contains("mem_limit"),
        "{fixed}"
    );
    assert!(fixed.contains("\"${WEB_PORTS}\""), "{fixed}");
    assert!(fixed.contains("read_only: ${RO:-false}"), "{fixed}");
    let fs = findings(d.path(), &[]);
    let ports = finding(&fs, "web", "port-host-ip");
    let ro = finding(&fs, "web", "read-only-rootfs").expect("read-only stays reported");
    assert!(
        ro["unfixable_reason"]
            .as_str()
            .is_some_and(|r| r.contains("through a variable")),
        "{ro}"
    );
    if let Some(p) = ports {
        assert!(p["unfixable_reason"].as_str().is_some(), "{p}");
    }
    if let Some(v2) = compose_v2_env(d.path(), &[], &[("WEB_PORTS", "8080:80")]) {
        let web = &v2["services"]["web"];
        assert_eq!(
            web["security_opt"],
            serde_json::json!(["no-new-privileges:true"])
        );
        assert_eq!(web["cap_drop"], serde_json::json!(["ALL"]));
        assert_eq!(web["deploy"]["resources"]["limits"]["cpus"], 0.5);
        assert!(web["deploy"]["resources"]["limits"]["memory"].is_string());
    }
}

#[test]
fn lint_and_fix_go_on_past_a_bad_file() {
    let d = tempfile::tempdir().unwrap();
    let good = "services:\n  web:\n    image: nginx:1.27\n";
    write(d.path(), "a.yaml", good);
    write(d.path(), "bad.yaml", "services:\n  web: [\n");
    write(d.path(), "c.yaml", good);
    let out = harden(
        d.path(),
        &[
            "compose", "lint", "--format", "json", "a.yaml", "bad.yaml", "c.yaml",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.yaml:"), "{err}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let files: std::collections::BTreeSet<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["file"].as_str())
        .collect();
    assert_eq!(files, ["a.yaml", "c.yaml"].into_iter().collect());
    let out = harden(
        d.path(),
        &["compose", "fix", "a.yaml", "bad.yaml", "c.yaml"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    for f in ["a.yaml", "c.yaml"] {
        let t = std::fs::read_to_string(d.path().join(f)).unwrap();
        assert!(t.contains("cap_drop"), "{f} fixed: {t}");
    }
    assert_eq!(
        std::fs::read_to_string(d.path().join("bad.yaml")).unwrap(),
        "services:\n  web: [\n"
    );
}
