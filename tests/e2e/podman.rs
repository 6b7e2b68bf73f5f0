//! `harden run` and `harden audit` against Podman's Docker-compatible API
//! (`podman system service`), started by this test binary on its own socket.
//!
//! - a container `harden run` hardens through Podman really is hardened, checked from inside:
//!   no effective capabilities, `NoNewPrivs`, a non-root uid, a read-only `/`, and a tmpfs the
//!   non-root user can write (Podman's tmpfs takes `U`, not Docker's `uid=`/`gid=`);
//! - `harden audit` reports nothing `harden run` would fix on that container (Podman lists every
//!   dropped capability instead of `ALL` and mounts its own `/var/tmp`), and flags a container
//!   started with plain `podman run --privileged`;
//! - against a stand-in that answers like rootless Podman on cgroup v1 (no podman needed), the
//!   dry run adds no CPU, memory or pids limit and `--explain` says why.
//!
//! Needs `podman` (`.ci/run` installs Debian's, 4.3) and root; the test image comes from the
//! Docker engine (`docker save | podman load`). Without podman the tests skip with a notice, or
//! fail under `HARDEN_E2E=require`. The service gets a `containers.conf` whose default ulimits
//! are this process's hard limits: Podman otherwise asks for `nofile`/`nproc` of 1048576, which
//! a sandbox without `CAP_SYS_RESOURCE` refuses (`error setting rlimit type 7: operation not
//! permitted`). Every container is labelled `harden.test=1` and removed at the end.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use crate::common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A running Podman service.
struct Podman {
    /// `unix:///…/podman.sock`.
    host: String,
    /// Its `containers.conf` (the podman CLI must use it too).
    conf: PathBuf,
}

impl Podman {
    /// The podman CLI on the same storage and configuration as the service.
    fn cli(&self) -> Command {
        let mut c = Command::new("podman");
        c.env("CONTAINERS_CONF", &self.conf).stdin(Stdio::null());
        c
    }
}

fn podman_installed() -> bool {
    Command::new("podman")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `nofile=N:N` / `nproc=N:N` at this process's hard limits (what an unprivileged-for-rlimits
/// root can still set); `nproc` at most `kernel.pid_max`, which bounds it for Podman's children.
fn ulimits() -> Vec<String> {
    let hard = |resource| {
        let mut r = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit only writes the struct it is given.
        let ok = unsafe { libc::getrlimit(resource, &mut r) } == 0;
        (ok && r.rlim_max != libc::RLIM_INFINITY).then_some(r.rlim_max)
    };
    let pid_max: Option<u64> = std::fs::read_to_string("/proc/sys/kernel/pid_max")
        .ok()
        .and_then(|s| s.trim().parse().ok());
    let mut out = Vec::new();
    if let Some(n) = hard(libc::RLIMIT_NOFILE) {
        out.push(format!("nofile={n}:{n}"));
    }
    let nproc = match (hard(libc::RLIMIT_NPROC), pid_max) {
        (Some(n), Some(p)) => Some(n.min(p)),
        (None, p) => p,
        (n, None) => n,
    };
    if let Some(n) = nproc {
        out.push(format!("nproc={n}:{n}"));
    }
    out
}

/// The service of this test binary (started once), or a skip notice / a failure under
/// `HARDEN_E2E=require`.
fn podman() -> Option<&'static Podman> {
    static SERVICE: OnceLock<Result<Podman, String>> = OnceLock::new();
    let result = SERVICE.get_or_init(|| {
        if !podman_installed() {
            return Err("podman is not installed (apt-get install podman)".into());
        }
        let dir = std::env::temp_dir().join(format!("harden-podman-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let conf = dir.join("containers.conf");
        let limits: Vec<String> = ulimits().iter().map(|l| format!("{l:?}")).collect();
        std::fs::write(
            &conf,
            format!("[containers]\ndefault_ulimits = [{}]\n", limits.join(", ")),
        )
        .map_err(|e| e.to_string())?;
        let socket = dir.join("podman.sock");
        let host = format!("unix://{}", socket.display());
        let log = std::fs::File::create(dir.join("service.log")).map_err(|e| e.to_string())?;
        let started = Instant::now();
        // It exits by itself after 60 s without a request.
        Command::new("podman")
            .args(["system", "service", "--time=60", &host])
            .env("CONTAINERS_CONF", &conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start podman system service: {e}"))?;
        let mut last = String::new();
        while started.elapsed() < Duration::from_secs(30) {
            match common::ping(&host) {
                Ok(_) => {
                    last.clear();
                    break;
                }
                Err(e) => last = e,
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        if !last.is_empty() {
            let log = std::fs::read_to_string(dir.join("service.log")).unwrap_or_default();
            return Err(format!(
                "podman system service did not answer: {last}\n{log}"
            ));
        }
        eprintln!(
            "podman service up at {host} after {:.1?}",
            started.elapsed()
        );
        let podman = Podman { host, conf };
        load_test_image(&podman)?;
        Ok(podman)
    });
    match result {
        Ok(p) => Some(p),
        Err(why) if !podman_installed() => common::unavailable(why),
        Err(why) => panic!("{why}"),
    }
}

/// `docker save harden-test/busybox:1 | podman load`, unless Podman has it.
fn load_test_image(podman: &Podman) -> Result<(), String> {
    let present = podman
        .cli()
        .args(["image", "exists", common::TEST_IMAGE])
        .status()
        .is_ok_and(|s| s.success());
    if present {
        return Ok(());
    }
    let Some(docker) = common::engine() else {
        return Err(format!(
            "{} is not in Podman and no Docker engine has it",
            common::TEST_IMAGE
        ));
    };
    common::require_test_image(&docker);
    let cli = common::docker_cli_path().unwrap_or_else(|| PathBuf::from("docker"));
    let started = Instant::now();
    let mut save = Command::new(&cli)
        .args(["save", common::TEST_IMAGE])
        .env("DOCKER_HOST", &docker.host)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let load = podman
        .cli()
        .arg("load")
        .stdin(save.stdout.take().unwrap())
        .output()
        .map_err(|e| e.to_string())?;
    let saved = save.wait().map_err(|e| e.to_string())?;
    if !saved.success() || !load.status.success() {
        return Err(format!(
            "docker save | podman load failed: {}",
            String::from_utf8_lossy(&load.stderr)
        ));
    }
    eprintln!(
        "loaded {} into Podman in {:.1?}",
        common::TEST_IMAGE,
        started.elapsed()
    );
    Ok(())
}

/// Removes the containers it was given (through the podman CLI) when dropped.
struct Cleanup<'a> {
    podman: &'a Podman,
    names: Vec<String>,
}

impl Cleanup<'_> {
    fn name(&mut self, what: &str) -> String {
        let n = format!("harden-podman-{what}-{}", std::process::id());
        self.names.push(n.clone());
        n
    }
}

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        if !self.names.is_empty() {
            let _ = self
                .podman
                .cli()
                .args(["rm", "-f", "-t", "0"])
                .args(&self.names)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// `harden` against the Podman service, in an empty directory with an empty HOME.
fn harden(podman: &Podman, home: &Path, args: &[&str]) -> Output {
    Command::new(common::harden_bin())
        .args(args)
        .current_dir(home)
        .env("HOME", home)
        .env("DOCKER_HOST", &podman.host)
        .env("NO_COLOR", "1")
        .env_remove("HARDEN_PRESET")
        .env_remove("DOCKER_CONTEXT")
        .env_remove("DOCKER_API_VERSION")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

const PROBE: &str = "id -u; grep -E '^(CapEff|NoNewPrivs):' /proc/self/status; \
    if touch /rootfs-write 2>/dev/null; then echo root-writable; else echo root-read-only; fi; \
    if echo x > /tmp/w && [ \"$(cat /tmp/w)\" = x ]; then echo tmp-writable; fi; \
    if echo x > /run/w; then echo run-writable; fi";

#[test]
fn harden_run_through_podman_is_hardened_inside() {
    let Some(podman) = podman() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let mut cleanup = Cleanup {
        podman,
        names: Vec::new(),
    };
    // The dry run shows Podman's tmpfs ownership.
    let out = harden(
        podman,
        home.path(),
        &["run", "--dry-run", common::TEST_IMAGE, "sh"],
    );
    let line = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        line.contains("--tmpfs /tmp:rw,noexec,nosuid,nodev,size=64m,U "),
        "{line}"
    );
    assert!(!line.contains("uid="), "{line}");

    let name = cleanup.name("run");
    let started = Instant::now();
    let out = harden(
        podman,
        home.path(),
        &[
            "run",
            "--label",
            common::TEST_LABEL,
            "--name",
            &name,
            common::TEST_IMAGE,
            "sh",
            "-c",
            PROBE,
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("harden run through podman: {:.1?}", started.elapsed());
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let lines: Vec<&str> = stdout.lines().map(str::trim).collect();
    let uid: u32 = lines[0].parse().unwrap_or_else(|_| panic!("{stdout}"));
    assert_ne!(uid, 0, "{stdout}");
    for want in [
        "CapEff:\t0000000000000000",
        "NoNewPrivs:\t1",
        "root-read-only",
        "tmp-writable",
        "run-writable",
    ] {
        assert!(
            lines.contains(&want),
            "{want:?} missing:\n{stdout}\n{stderr}"
        );
    }
}

/// Rules of the JSON report per container name.
fn rules_of(report: &str, name: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(report).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["container"]["name"] == name)
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn audit_through_podman_has_no_false_positives_and_flags_privileged() {
    let Some(podman) = podman() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let mut cleanup = Cleanup {
        podman,
        names: Vec::new(),
    };
    let hardened = cleanup.name("audit-hardened");
    let out = harden(
        podman,
        home.path(),
        &[
            "run",
            "-d",
            "--label",
            common::TEST_LABEL,
            "--name",
            &hardened,
            common::TEST_IMAGE,
            "sleep",
            "300",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let privileged = cleanup.name("audit-privileged");
    // Not through pipes: conmon keeps the ones it inherits open until the container exits.
    let err = home.path().join("podman-run.err");
    let status = podman
        .cli()
        .args([
            "run",
            "-d",
            "--privileged",
            "--label",
            common::TEST_LABEL,
            "--name",
        ])
        .arg(&privileged)
        .args([common::TEST_IMAGE, "sleep", "300"])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&err).unwrap())
        .status()
        .unwrap();
    assert!(
        status.success(),
        "podman run --privileged: {}",
        std::fs::read_to_string(&err).unwrap_or_default()
    );
    let out = harden(
        podman,
        home.path(),
        &["audit", "--format", "json", &hardened, &privileged],
    );
    let report = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let found = rules_of(&report, &hardened);
    // A health check is not something `harden run` adds.
    assert_eq!(found, ["healthcheck"], "{report}");
    let found = rules_of(&report, &privileged);
    for want in ["privileged", "non-root-user", "read-only-rootfs"] {
        assert!(found.iter().any(|r| r == want), "{want}: {found:?}");
    }
}

/// A stand-in for a rootless Podman 4.3 on cgroup v1 (what its `/info`, `/version` and
/// `/libpod/info` say); everything else is 404, so a dry run knows no image.
fn rootless_podman_standin(dir: &Path) -> String {
    use std::io::{BufRead, BufReader, Write};
    let socket = dir.join("rootless-podman.sock");
    let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { continue };
            std::thread::spawn(move || {
                let mut writer = conn.try_clone().unwrap();
                let mut reader = BufReader::new(conn);
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let target = line.split(' ').nth(1).unwrap_or("").to_string();
                    loop {
                        let mut h = String::new();
                        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                            break;
                        }
                    }
                    let path = target.split('?').next().unwrap_or("");
                    let path = match path.strip_prefix("/v1.41") {
                        Some(p) => p,
                        None => path,
                    };
                    let (status, body) = match path {
                        "/_ping" => ("200 OK", "OK".to_string()),
                        "/info" => (
                            "200 OK",
                            serde_json::json!({"CgroupVersion": "1", "CpuCfsQuota": true,
                                "MemoryLimit": true, "PidsLimit": true,
                                "SecurityOptions": ["name=seccomp,profile=default"],
                                "ServerVersion": "4.3.1"})
                            .to_string(),
                        ),
                        "/version" => (
                            "200 OK",
                            serde_json::json!({"Version": "4.3.1", "ApiVersion": "1.41",
                                "Components": [{"Name": "Podman Engine", "Version": "4.3.1"}]})
                            .to_string(),
                        ),
                        "/libpod/info" => (
                            "200 OK",
                            serde_json::json!({"host": {"cgroupVersion": "v1",
                                "cgroupControllers": [],
                                "security": {"rootless": true}}})
                            .to_string(),
                        ),
                        _ => (
                            "404 Not Found",
                            serde_json::json!({"message": "no such image"}).to_string(),
                        ),
                    };
                    let out = format!(
                        "HTTP/1.1 {status}\r\nApi-Version: 1.41\r\nOstype: linux\r\n\
                         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if writer.write_all(out.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("unix://{}", socket.display())
}

/// The whole `harden run` path against an engine that says it is rootless Podman on cgroup v1:
/// no CPU, memory or pids limit (Podman would ignore them), each finding saying why, and the
/// tmpfs given with `U`. Needs no podman.
#[test]
fn rootless_podman_on_cgroup_v1_gets_no_limits_and_is_told_why() {
    let home = tempfile::tempdir().unwrap();
    let host = rootless_podman_standin(home.path());
    let out = Command::new(common::harden_bin())
        .args(["run", "--dry-run", "--explain", common::TEST_IMAGE, "sh"])
        .current_dir(home.path())
        .env("HOME", home.path())
        .env("DOCKER_HOST", &host)
        .env("NO_COLOR", "1")
        .env_remove("HARDEN_PRESET")
        .env_remove("DOCKER_CONTEXT")
        .env_remove("DOCKER_API_VERSION")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    for flag in ["--cpus", "--memory", "--pids-limit", "uid="] {
        assert!(!stdout.contains(flag), "{flag} in {stdout}");
    }
    assert!(
        stdout.contains("--tmpfs /tmp:rw,noexec,nosuid,nodev,size=64m,U "),
        "{stdout}"
    );
    assert!(
        stderr.contains(
            "warn cpu-limit [CIS 5.12]: no CPU limit is set (no CPU limit added: rootless Podman 4.3.1 runs on cgroup v1, where a rootless engine cannot apply resource limits)"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("no memory limit added"), "{stderr}");
    assert!(stderr.contains("no pids limit added"), "{stderr}");
}

/// `harden proxy` in front of Podman: the Docker CLI, pointed at the proxy, runs a container
/// that Podman accepts (its tmpfs options, not Docker's) and that is hardened inside.
#[test]
fn the_proxy_in_front_of_podman_hardens_what_the_docker_cli_runs() {
    let Some(podman) = podman() else {
        return;
    };
    let Some(cli) = common::docker_cli() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let upstream = common::Engine {
        host: podman.host.clone(),
        api_version: None,
    };
    let proxy = crate::proxy::Proxy::start(&upstream, "enforce");
    let mut cleanup = Cleanup {
        podman,
        names: Vec::new(),
    };
    let name = cleanup.name("proxied");
    let out = Command::new(&cli)
        .args(["run", "--label", common::TEST_LABEL, "--name", &name])
        .args([common::TEST_IMAGE, "sh", "-c", PROBE])
        .env("DOCKER_HOST", proxy.host())
        .env("HOME", home.path())
        .env_remove("DOCKER_CONTEXT")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    drop(proxy);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("harden: hardened"),
        "the CLI shows harden's warning: {stderr}"
    );
    let lines: Vec<&str> = stdout.lines().map(str::trim).collect();
    let uid: u32 = lines[0].parse().unwrap_or_else(|_| panic!("{stdout}"));
    assert_ne!(uid, 0, "{stdout}");
    for want in [
        "CapEff:\t0000000000000000",
        "NoNewPrivs:\t1",
        "root-read-only",
        "tmp-writable",
        "run-writable",
    ] {
        assert!(
            lines.contains(&want),
            "{want:?} missing:\n{stdout}\n{stderr}"
        );
    }
}
