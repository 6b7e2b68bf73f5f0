//! End to end: `harden compose up -d` on `examples/compose/web` with the local test image, then
//! `docker inspect` proves the hardening; the project is torn down in a drop guard.
//!
//! Skips with a printed notice when no engine answers; fails when `HARDEN_E2E=require`.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use crate::common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Whether a Docker engine answers (or `None` after printing why the test is skipped).
fn engine() -> Option<()> {
    let ok = Command::new("docker")
        .args(["version", "--format", "{{.Server.Version}}"])
        .output()
        .is_ok_and(|o| o.status.success());
    let image = ok
        && Command::new("docker")
            .args(["image", "inspect", "harden-test/busybox:1"])
            .output()
            .is_ok_and(|o| o.status.success());
    if ok && image {
        return Some(());
    }
    let why = if ok {
        "the test image harden-test/busybox:1 is missing (scripts/build-test-image.sh builds it)"
    } else {
        "no Docker engine answers"
    };
    if std::env::var("HARDEN_E2E").as_deref() == Ok("require") {
        panic!("HARDEN_E2E=require but {why}");
    }
    println!("skipping the Compose end-to-end test: {why}");
    None
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/compose/web")
}

fn harden(dir: &Path, project: &str, args: &[&str]) -> Output {
    common::harden_in(dir)
        .args(args)
        .env("COMPOSE_PROJECT_NAME", project)
        .output()
        .expect("run harden")
}

/// Removes every container and network of the project.
struct Teardown(String);

impl Drop for Teardown {
    fn drop(&mut self) {
        let ids = Command::new("docker")
            .args([
                "ps",
                "-aq",
                "--filter",
                &format!("label=com.docker.compose.project={}", self.0),
            ])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
            .unwrap_or_default();
        for id in ids.split_whitespace() {
            let _ = Command::new("docker").args(["rm", "-f", id]).output();
        }
        let _ = Command::new("docker")
            .args(["network", "rm", &format!("{}_default", self.0)])
            .output();
    }
}

fn containers(project: &str) -> Vec<Value> {
    let out = Command::new("docker")
        .args([
            "ps",
            "-q",
            "--filter",
            &format!("label=com.docker.compose.project={project}"),
        ])
        .output()
        .unwrap();
    let ids: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(str::to_string)
        .collect();
    if ids.is_empty() {
        return Vec::new();
    }
    let out = Command::new("docker")
        .arg("inspect")
        .args(&ids)
        .output()
        .unwrap();
    serde_json::from_slice::<Vec<Value>>(&out.stdout).unwrap()
}

#[test]
fn up_runs_the_hardened_project_and_leaves_the_file_alone() {
    if engine().is_none() {
        return;
    }
    let project = format!("harden-e2e-{}", std::process::id());
    let _guard = Teardown(project.clone());
    let before = std::fs::read(example().join("compose.yaml")).unwrap();

    let out = harden(&example(), &project, &["compose", "up", "-d"]);
    assert!(
        out.status.success(),
        "harden compose up -d: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read(example().join("compose.yaml")).unwrap(),
        before
    );

    let cs = containers(&project);
    assert_eq!(cs.len(), 2, "web and worker run");
    for c in &cs {
        let name = c["Name"].as_str().unwrap_or("");
        let hc = &c["HostConfig"];
        assert_eq!(c["Config"]["Labels"]["harden.test"], "1", "{name}");
        assert_eq!(c["Config"]["User"], "65534:65534", "{name}");
        assert_eq!(hc["ReadonlyRootfs"], true, "{name}");
        assert_eq!(hc["CapDrop"], serde_json::json!(["ALL"]), "{name}");
        assert!(
            hc["SecurityOpt"]
                .as_array()
                .is_some_and(|o| o.iter().any(|s| s == "no-new-privileges:true")),
            "{name}: {}",
            hc["SecurityOpt"]
        );
        assert_eq!(hc["Memory"], 512 << 20, "{name}");
        assert_eq!(hc["NanoCpus"], 1_000_000_000i64, "{name}");
        assert_eq!(hc["PidsLimit"], 256, "{name}");
        assert!(
            hc["Tmpfs"]["/tmp"]
                .as_str()
                .is_some_and(|o| o.contains("uid=65534"))
        );
        assert_eq!(
            c["Config"]["Labels"]["com.docker.compose.project.working_dir"]
                .as_str()
                .map(PathBuf::from),
            Some(std::fs::canonicalize(example()).unwrap()),
            "{name}: the original project directory"
        );
        if name.contains("web") {
            let b = &hc["PortBindings"]["8080/tcp"][0];
            assert_eq!(b["HostIp"], "127.0.0.1", "{name}");
            assert_eq!(b["HostPort"], "18080", "{name}");
        }
        // From inside: not root, and the root filesystem refuses writes.
        let id = c["Id"].as_str().unwrap();
        let who = Command::new("docker")
            .args(["exec", id, "id", "-u"])
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&who.stdout).trim(), "65534");
        let write = Command::new("docker")
            .args(["exec", id, "touch", "/probe"])
            .output()
            .unwrap();
        assert!(
            !write.status.success(),
            "{name}: the root filesystem is writable"
        );
    }
}

#[test]
fn up_refuses_a_denied_project_and_starts_nothing() {
    if engine().is_none() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("compose.yaml"),
        "services:\n  bad:\n    image: harden-test/busybox:1\n    command: [sleep, \"60\"]\n    privileged: true\n    labels:\n      harden.test: \"1\"\n",
    )
    .unwrap();
    let project = format!("harden-e2e-deny-{}", std::process::id());
    let _guard = Teardown(project.clone());
    let out = harden(d.path(), &project, &["compose", "up", "-d"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("privileged"), "{err}");
    assert!(err.contains("refusing to up"), "{err}");
    assert!(containers(&project).is_empty());
}

fn docker_compose(dir: &Path, project: &str, args: &[&str]) -> Output {
    Command::new("docker")
        .arg("compose")
        .args(args)
        .current_dir(dir)
        .env("COMPOSE_PROJECT_NAME", project)
        .output()
        .expect("run docker compose")
}

/// `harden compose` stands in for `docker compose`: a project with `include:` and `extends`
/// comes up hardened (the inherited settings included), and ps, logs, exec, stop, start and down
/// pass through to the real Compose with the same files and project name.
#[test]
fn include_extends_and_the_passed_through_subcommands() {
    if engine().is_none() {
        return;
    }
    let v2 = Command::new("docker")
        .args(["compose", "version", "--short"])
        .output()
        .is_ok_and(|o| o.status.success() && o.stdout.starts_with(b"2"));
    if !v2 {
        if std::env::var("HARDEN_E2E").as_deref() == Ok("require") {
            panic!("HARDEN_E2E=require but Compose v2 is not installed");
        }
        println!("skipping: Compose v2 is not installed");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join("lib")).unwrap();
    std::fs::write(
        d.path().join("compose.yaml"),
        "include:\n  - lib/jobs.yaml\nservices:\n  base:\n    image: harden-test/busybox:1\n    profiles: [template]\n    labels:\n      harden.test: \"1\"\n  app:\n    extends: base\n    profiles: !reset []\n    command: [sh, -c, \"echo app-started; exec sleep 600\"]\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("lib/jobs.yaml"),
        "services:\n  job:\n    image: harden-test/busybox:1\n    command: [sleep, \"600\"]\n    labels:\n      harden.test: \"1\"\n",
    )
    .unwrap();
    let project = format!("harden-e2e-pass-{}", std::process::id());
    let _guard = Teardown(project.clone());

    let out = harden(d.path(), &project, &["compose", "up", "-d"]);
    assert!(
        out.status.success(),
        "harden compose up -d: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cs = containers(&project);
    assert_eq!(
        cs.len(),
        2,
        "app and the included job run (base is a template)"
    );
    for c in &cs {
        let hc = &c["HostConfig"];
        assert_eq!(c["Config"]["User"], "65534:65534");
        assert_eq!(hc["ReadonlyRootfs"], true);
        assert_eq!(hc["CapDrop"], serde_json::json!(["ALL"]));
        assert_eq!(hc["PidsLimit"], 256);
    }

    // ps: the same containers as the real Compose lists.
    let ours = harden(
        d.path(),
        &project,
        &["compose", "ps", "--format", "{{.Name}}"],
    );
    let theirs = docker_compose(d.path(), &project, &["ps", "--format", "{{.Name}}"]);
    assert!(
        ours.status.success(),
        "{}",
        String::from_utf8_lossy(&ours.stderr)
    );
    assert_eq!(ours.stdout, theirs.stdout);
    let names = String::from_utf8_lossy(&ours.stdout);
    assert_eq!(names.lines().count(), 2, "{names}");

    // logs and exec reach the running services.
    let mut logs = String::new();
    for _ in 0..50 {
        let o = harden(d.path(), &project, &["compose", "logs", "app"]);
        logs = String::from_utf8_lossy(&o.stdout).to_string();
        if logs.contains("app-started") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(logs.contains("app-started"), "{logs}");
    let id = harden(
        d.path(),
        &project,
        &["compose", "exec", "-T", "job", "id", "-u"],
    );
    assert_eq!(String::from_utf8_lossy(&id.stdout).trim(), "65534");

    // stop / start keep the hardened containers; down removes them.
    let o = harden(d.path(), &project, &["compose", "stop", "job"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = harden(d.path(), &project, &["compose", "start", "job"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = harden(d.path(), &project, &["compose", "down", "-t", "1"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(containers(&project).is_empty(), "down removed them");
    // An unknown subcommand is Compose's error, not harden's.
    let o = harden(d.path(), &project, &["compose", "no-such-command"]);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("unknown"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// `harden compose up -d` reads what the images say (unknown-app drops to its account with
/// gosu: it runs as 870) and explains a service that fails soon after start.
#[test]
fn up_detached_explains_a_failing_service() {
    if engine().is_none() {
        return;
    }
    let image = "harden-replica/unknown-app:1";
    let present = Command::new("docker")
        .args(["image", "inspect", image])
        .output()
        .is_ok_and(|o| o.status.success());
    if !present {
        let built =
            Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/build-replicas.sh"))
                .arg("unknown-app")
                .status()
                .is_ok_and(|s| s.success());
        if !built {
            if std::env::var("HARDEN_E2E").as_deref() == Ok("require") {
                panic!("HARDEN_E2E=require but {image} could not be built");
            }
            println!("skipping: {image} could not be built");
            return;
        }
    }
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("compose.yaml"),
        format!("services:\n  app:\n    image: {image}\n    labels:\n      harden.test: \"1\"\n"),
    )
    .unwrap();
    let project = format!("harden-e2e-watch-{}", std::process::id());
    let _guard = Teardown(project.clone());
    let out = harden(d.path(), &project, &["compose", "up", "-d"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("service app: its container exited with code 1"),
        "{err}"
    );
    assert!(
        err.contains("--tmpfs /opt/app:") && err.contains("uid=870"),
        "{err}"
    );
    let ids = Command::new("docker")
        .args([
            "ps",
            "-aq",
            "--filter",
            &format!("label=com.docker.compose.project={project}"),
        ])
        .output()
        .unwrap();
    let id = String::from_utf8_lossy(&ids.stdout).trim().to_string();
    let user = Command::new("docker")
        .args(["inspect", "--format", "{{.Config.User}}", &id])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&user.stdout).trim(),
        "870:870",
        "the account the entrypoint drops to"
    );
}
