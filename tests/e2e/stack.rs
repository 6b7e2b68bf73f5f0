//! `harden stack deploy` on a real single-node Swarm (`docker swarm init --advertise-addr
//! 127.0.0.1`, left again afterwards when this test made it): a port bound to 127.0.0.1 is
//! refused (Swarm would publish it on every interface), and with that waived the task's
//! container carries every hardening Swarm can carry (checked with `docker inspect` and from
//! inside), serves HTTP, and harden says what Swarm cannot carry (no-new-privileges).
//!
//! Skips with a notice when no engine answers; fails when `HARDEN_E2E=require`.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use crate::common;

use serde_json::Value;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const STACK: &str = "hardenstack";

fn docker(args: &[&str]) -> Output {
    Command::new("docker")
        .args(args)
        .output()
        .expect("run docker")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

fn harden(dir: &Path, args: &[&str]) -> Output {
    common::harden_in(dir)
        .args(args)
        .output()
        .expect("run harden")
}

fn engine() -> bool {
    let ok = docker(&["version", "--format", "{{.Server.Version}}"])
        .status
        .success()
        && docker(&["image", "inspect", "harden-test/busybox:1"])
            .status
            .success();
    if !ok {
        let why = "no Docker engine answers, or the test image is missing";
        if std::env::var("HARDEN_E2E").as_deref() == Ok("require") {
            panic!("HARDEN_E2E=require but {why}");
        }
        println!("skipping the Swarm test: {why}");
    }
    ok
}

/// Removes the stack, waits for its network to go, and leaves the Swarm if this test joined it.
struct Swarm {
    created: bool,
}

impl Drop for Swarm {
    fn drop(&mut self) {
        let _ = docker(&["stack", "rm", STACK]);
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            let left = docker(&[
                "ps",
                "-aq",
                "--filter",
                &format!("label=com.docker.stack.namespace={STACK}"),
            ]);
            let nets = docker(&["network", "ls", "-q", "--filter", &format!("name={STACK}_")]);
            if stdout(&left).is_empty() && stdout(&nets).is_empty() {
                break;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
        if self.created {
            let _ = docker(&["swarm", "leave", "--force"]);
        }
    }
}

fn swarm() -> Swarm {
    let state = stdout(&docker(&["info", "--format", "{{.Swarm.LocalNodeState}}"]));
    if state == "active" {
        return Swarm { created: false };
    }
    let o = docker(&["swarm", "init", "--advertise-addr", "127.0.0.1"]);
    assert!(
        o.status.success(),
        "swarm init: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    Swarm { created: true }
}

/// The running task container of the stack's `web` service.
fn task_container(deadline: Duration) -> Value {
    let end = Instant::now() + deadline;
    loop {
        let ids = stdout(&docker(&[
            "ps",
            "-q",
            "--filter",
            &format!("label=com.docker.swarm.service.name={STACK}_web"),
        ]));
        if let Some(id) = ids.split_whitespace().next() {
            let o = docker(&["inspect", id]);
            let v: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap_or_default();
            if let Some(c) = v.into_iter().next()
                && c["State"]["Running"] == true
            {
                return c;
            }
        }
        if Instant::now() > end {
            let ps = docker(&["service", "ps", "--no-trunc", &format!("{STACK}_web")]);
            panic!("no running task: {}", String::from_utf8_lossy(&ps.stdout));
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

fn http_get(port: u16) -> Option<String> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    s.write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    Some(out)
}

const FILE: &str = "services:
  web:
    image: harden-test/busybox:1
    command: [sh, -c, \"echo hello-from-the-stack > /tmp/index.html && exec httpd -f -p 8080 -h /tmp\"]
    ports:
      - target: 8080
        published: 18191
        mode: host
    labels:
      harden.test: \"1\"
";

#[test]
fn stack_deploy_on_a_single_node_swarm() {
    if !engine() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let _swarm = swarm();

    // A port bound to loopback: Swarm would publish it everywhere, so harden refuses.
    std::fs::write(
        d.path().join("loopback.yaml"),
        "services:\n  web:\n    image: harden-test/busybox:1\n    ports: [\"127.0.0.1:18190:8080\"]\n",
    )
    .unwrap();
    let o = harden(
        d.path(),
        &[
            "stack",
            "deploy",
            "-c",
            "loopback.yaml",
            "--resolve-image",
            "never",
            STACK,
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("port-host-ip") && err.contains("every interface"),
        "{err}"
    );
    assert!(
        stdout(&docker(&[
            "service",
            "ls",
            "-q",
            "--filter",
            &format!("name={STACK}_")
        ]))
        .is_empty(),
        "nothing deployed"
    );
    // The same file linted for Swarm says so too, and `fix --target swarm` writes tmpfs as
    // volumes and no security_opt.
    let o = harden(
        d.path(),
        &[
            "compose",
            "-f",
            "loopback.yaml",
            "lint",
            "--target",
            "swarm",
            "--format",
            "json",
        ],
    );
    let rep: Value = serde_json::from_slice(&o.stdout).unwrap();
    let nnp = rep["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "no-new-privileges")
        .expect("no-new-privileges is reported for Swarm");
    assert!(
        nnp["unfixable_reason"]
            .as_str()
            .unwrap()
            .contains("daemon.json"),
        "{nnp}"
    );
    let o = harden(
        d.path(),
        &[
            "compose",
            "-f",
            "loopback.yaml",
            "fix",
            "--target",
            "swarm",
            "--stdout",
        ],
    );
    let fixed = String::from_utf8_lossy(&o.stdout);
    assert!(
        fixed.contains("type: tmpfs") && !fixed.contains("security_opt"),
        "{fixed}"
    );

    // Waived, the stack deploys hardened.
    std::fs::write(d.path().join("stack.yaml"), FILE).unwrap();
    let o = harden(
        d.path(),
        &[
            "stack",
            "deploy",
            "-c",
            "stack.yaml",
            "--allow",
            "port-host-ip",
            "--resolve-image",
            "never",
            STACK,
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "harden stack deploy: {err}");
    assert!(
        err.contains("daemon.json"),
        "says how to get no-new-privileges: {err}"
    );
    assert_eq!(
        std::fs::read_to_string(d.path().join("stack.yaml")).unwrap(),
        FILE
    );

    let c = task_container(Duration::from_secs(60));
    let hc = &c["HostConfig"];
    assert_eq!(c["Config"]["User"], "65534:65534");
    assert_eq!(hc["ReadonlyRootfs"], true);
    assert_eq!(hc["CapDrop"], serde_json::json!(["ALL"]));
    assert_eq!(hc["Memory"], 512 << 20);
    assert_eq!(hc["NanoCpus"], 1_000_000_000i64);
    assert_eq!(hc["PidsLimit"], 256);
    let mounts = c["Mounts"].as_array().cloned().unwrap_or_default();
    assert!(
        mounts
            .iter()
            .any(|m| m["Type"] == "tmpfs" && m["Destination"] == "/tmp"),
        "{mounts:?}"
    );
    let id = c["Id"].as_str().unwrap();
    let exec = |args: &[&str]| {
        let mut a = vec!["exec", id];
        a.extend_from_slice(args);
        docker(&a)
    };
    assert_eq!(stdout(&exec(&["id", "-u"])), "65534");
    assert!(
        !exec(&["touch", "/probe"]).status.success(),
        "root filesystem is writable"
    );
    let status = stdout(&exec(&["cat", "/proc/self/status"]));
    assert!(status.contains("CapEff:\t0000000000000000"), "{status}");
    let mut page = None;
    for _ in 0..50 {
        page = http_get(18191).filter(|p| p.contains("hello-from-the-stack"));
        if page.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(page.is_some_and(|p| p.starts_with("HTTP/1.0 200") || p.starts_with("HTTP/1.1 200")));

    proxied_service_is_hardened();
}

/// `docker service create` through `harden proxy` (enforce) on the same Swarm: the service is
/// rewritten, not only judged; its task's container is hardened, checked from inside, and the
/// CLI prints what harden changed and what a service cannot carry. Against the bare engine
/// the same command makes a root task with every default capability.
fn proxied_service_is_hardened() {
    let engine = common::engine().expect("an engine");
    let name = format!("hardenproxysvc{}", std::process::id());
    let create = |host: &str| {
        let o = Command::new("docker")
            .env("DOCKER_HOST", host)
            .env_remove("DOCKER_CONTEXT")
            .args([
                "service",
                "create",
                "--detach",
                "--no-resolve-image",
                "--name",
                &name,
            ])
            .args([
                "--label",
                "harden.test=1",
                "harden-test/busybox:1",
                "sleep",
                "300",
            ])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        o
    };
    let task = || {
        let end = Instant::now() + Duration::from_secs(60);
        loop {
            let ids = stdout(&docker(&[
                "ps",
                "-q",
                "--filter",
                &format!("label=com.docker.swarm.service.name={name}"),
            ]));
            if let Some(id) = ids.split_whitespace().next() {
                return id.to_string();
            }
            assert!(Instant::now() < end, "no task for {name}");
            std::thread::sleep(Duration::from_millis(300));
        }
    };
    let rm = || {
        let _ = docker(&["service", "rm", &name]);
        let end = Instant::now() + Duration::from_secs(30);
        while Instant::now() < end
            && !stdout(&docker(&[
                "ps",
                "-aq",
                "--filter",
                &format!("label=com.docker.swarm.service.name={name}"),
            ]))
            .is_empty()
        {
            std::thread::sleep(Duration::from_millis(300));
        }
    };

    // Bare engine: root, default capabilities.
    create(&engine.host);
    let id = task();
    let direct = stdout(&docker(&["exec", &id, "cat", "/proc/self/status"]));
    let direct_uid = stdout(&docker(&["exec", &id, "id", "-u"]));
    rm();
    assert_eq!(direct_uid, "0");
    assert!(!direct.contains("CapEff:\t0000000000000000"), "{direct}");

    let p = crate::proxy::Proxy::start(&engine, "enforce");
    let o = create(&p.host());
    let said = String::from_utf8_lossy(&o.stderr).into_owned();
    let id = task();
    let exec = |args: &[&str]| {
        let mut a = vec!["exec", id.as_str()];
        a.extend_from_slice(args);
        docker(&a)
    };
    let status = stdout(&exec(&["cat", "/proc/self/status"]));
    let uid = stdout(&exec(&["id", "-u"]));
    let wrote = exec(&["touch", "/probe"]).status.success();
    let pids_max = stdout(&exec(&[
        "sh",
        "-c",
        "cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max",
    ]));
    let spec: Vec<Value> =
        serde_json::from_slice(&docker(&["service", "inspect", &name]).stdout).unwrap_or_default();
    rm();
    assert_eq!(uid, "65534");
    assert!(status.contains("CapEff:\t0000000000000000"), "{status}");
    assert!(!wrote, "root filesystem is writable");
    assert_eq!(pids_max, "256");
    let cs = &spec[0]["Spec"]["TaskTemplate"]["ContainerSpec"];
    assert_eq!(cs["CapabilityDrop"], serde_json::json!(["ALL"]), "{cs}");
    assert_eq!(cs["ReadOnly"], true, "{cs}");
    assert!(
        said.contains("harden: hardened the service's tasks") && said.contains("no-new-privileges"),
        "{said}"
    );
}
