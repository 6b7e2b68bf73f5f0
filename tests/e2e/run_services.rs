//! Real services keep working under harden's presets, and hardening looks at the image:
//! nginx serves HTTP 200 and redis answers PING when started with `harden run -d -p …`; an
//! image's own non-root USER is kept, `-P` becomes explicit loopback bindings of the image's
//! exposed ports, and no tmpfs hides an image VOLUME.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use crate::common;

use common::{ContainerGuard, TEST_LABEL};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SERVICE_IMAGE: &str = "harden-test/services:1";
const FACTS_IMAGE: &str = "harden-test/busybox:facts";

fn docker(engine: &common::Engine) -> Command {
    let cli = common::docker_cli_path().unwrap_or_else(|| "docker".into());
    let mut c = Command::new(cli);
    c.env("DOCKER_HOST", &engine.host);
    c
}

fn harden(engine: &common::Engine) -> Command {
    let mut c = common::harden_on(engine);
    c.current_dir(common::repo_root());
    c
}

fn service_image(engine: &common::Engine) {
    let present = docker(engine)
        .args(["image", "inspect", SERVICE_IMAGE])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success();
    if present {
        return;
    }
    let out = Command::new(common::repo_root().join("scripts/build-service-image.sh"))
        .env("DOCKER_HOST", &engine.host)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "building {SERVICE_IMAGE} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Sends `request` to 127.0.0.1:port until an answer comes (the service may still be starting).
fn ask(port: u16, request: &[u8]) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            s.set_read_timeout(Some(Duration::from_secs(3))).ok();
            if s.write_all(request).is_ok() {
                let mut buf = vec![0u8; 4096];
                if let Ok(n) = s.read(&mut buf)
                    && n > 0
                {
                    return String::from_utf8_lossy(&buf[..n]).into_owned();
                }
            }
        }
        assert!(Instant::now() < deadline, "nothing answered on port {port}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn start(engine: &common::Engine, guard: &mut ContainerGuard, args: &[&str]) -> String {
    let name = guard.name();
    let out = harden(engine)
        .args(["run", "-d", "--name", &name, "--label", TEST_LABEL])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "harden run {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn logs(engine: &common::Engine, id: &str) -> String {
    let out = docker(engine).args(["logs", id]).output().unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn nginx_serves_http_under_the_default_preset_plus_its_tmpfs_paths() {
    let Some(engine) = common::engine() else {
        return;
    };
    service_image(&engine);
    let mut guard = ContainerGuard::new(&engine);
    let port = free_port();
    let publish = format!("{port}:80");
    let id = start(
        &engine,
        &mut guard,
        &[
            "--preset",
            "examples/run/nginx.harden.yaml",
            "-p",
            &publish,
            SERVICE_IMAGE,
            "nginx",
            "-g",
            "daemon off;",
        ],
    );
    let answer = ask(port, b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n");
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "{answer}\n{}",
        logs(&engine, &id)
    );
    let inspect = docker(&engine)
        .args([
            "inspect",
            "--format",
            "{{.Config.User}} {{.HostConfig.ReadonlyRootfs}} {{.HostConfig.CapDrop}}",
            &id,
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&inspect.stdout).trim(),
        "65534:65534 true [ALL]"
    );
}

#[test]
fn redis_answers_ping_under_the_default_preset() {
    let Some(engine) = common::engine() else {
        return;
    };
    service_image(&engine);
    let mut guard = ContainerGuard::new(&engine);
    let port = free_port();
    let publish = format!("{port}:6379");
    let id = start(
        &engine,
        &mut guard,
        &[
            "-p",
            &publish,
            SERVICE_IMAGE,
            "redis-server",
            "--protected-mode",
            "no",
            "--save",
            "",
            "--dir",
            "/tmp",
        ],
    );
    let answer = ask(port, b"PING\r\n");
    assert_eq!(answer, "+PONG\r\n", "{}", logs(&engine, &id));
}

/// A busybox image that declares a non-root USER, exposed ports and a volume.
fn facts_image(engine: &common::Engine) {
    common::require_test_image(engine);
    let id = docker(engine)
        .args(["create", "--label", TEST_LABEL, common::TEST_IMAGE])
        .output()
        .unwrap();
    let id = String::from_utf8_lossy(&id.stdout).trim().to_string();
    let mut guard = ContainerGuard::new(engine);
    guard.track(id.clone());
    let mut export = docker(engine)
        .args(["export", &id])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let tar = export.stdout.take().unwrap();
    let import = docker(engine)
        .args([
            "import",
            "-c",
            "ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin",
            "-c",
            "USER 1000:1000",
            "-c",
            "EXPOSE 8080/tcp 9090/udp",
            "-c",
            "VOLUME /data /run",
            "-",
            FACTS_IMAGE,
        ])
        .stdin(tar)
        .output()
        .unwrap();
    assert!(export.wait().unwrap().success());
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
}

#[test]
fn hardening_follows_what_the_image_declares() {
    let Some(engine) = common::engine() else {
        return;
    };
    facts_image(&engine);
    // Dry run with an engine: the image is inspected.
    let out = harden(&engine)
        .args([
            "run",
            "--dry-run",
            "--format",
            "json",
            "-P",
            FACTS_IMAGE,
            "id",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let body = &doc["body"];
    // The image's own non-root USER is kept.
    assert_eq!(body["User"], "", "{body}");
    assert!(!doc["changes"].to_string().contains("set_user"));
    // -P became explicit bindings of the exposed ports on 127.0.0.1.
    let hc = &body["HostConfig"];
    assert_eq!(hc["PublishAllPorts"], false);
    for port in ["8080/tcp", "9090/udp"] {
        assert_eq!(hc["PortBindings"][port][0]["HostIp"], "127.0.0.1", "{hc}");
    }
    // /run is an image VOLUME: no tmpfs over it; /tmp gets one owned by uid 1000.
    let tmpfs = hc["Tmpfs"].as_object().unwrap();
    assert!(!tmpfs.contains_key("/run"), "{hc}");
    assert!(
        tmpfs["/tmp"]
            .as_str()
            .unwrap()
            .contains("uid=1000,gid=1000")
    );

    // And for real: the container runs as the image user with the ports on loopback.
    let mut guard = ContainerGuard::new(&engine);
    let name = guard.name();
    let out = harden(&engine)
        .args([
            "run",
            "-d",
            "--name",
            &name,
            "--label",
            TEST_LABEL,
            "-P",
            FACTS_IMAGE,
            "sleep",
            "30",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let exec = docker(&engine)
        .args([
            "exec",
            &name,
            "sh",
            "-c",
            "id -u; touch /tmp/x && echo tmp-ok",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&exec.stdout), "1000\ntmp-ok\n");
    let ports = docker(&engine).args(["port", &name]).output().unwrap();
    let ports = String::from_utf8_lossy(&ports.stdout);
    assert_eq!(ports.lines().count(), 2, "{ports}");
    assert!(
        ports.lines().all(|l| l.contains("-> 127.0.0.1:")),
        "{ports}"
    );
}
