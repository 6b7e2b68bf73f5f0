//! End to end: `harden proxy` in front of the real engine, with the Docker CLI 28.2.2 and
//! Compose v2 pointed at it (`DOCKER_HOST=unix://…`), and raw HTTP for the attack suite. Each
//! bypass is first shown to take effect on the bare engine, then refused (or fixed) through the
//! proxy.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use crate::common;

use common::{ContainerGuard, Engine, Pty, TEST_IMAGE};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A running `harden proxy` on a temporary unix socket; stopped (SIGKILL by its pid) on drop.
pub(crate) struct Proxy {
    child: Child,
    dir: tempfile::TempDir,
    sock: PathBuf,
}

impl Proxy {
    pub(crate) fn start(engine: &Engine, mode: &str) -> Proxy {
        let dir = tempfile::tempdir().unwrap();
        let sock = dir.path().join("docker.sock");
        let log = dir.path().join("decisions.jsonl");
        let child = Command::new(common::harden_bin())
            .args(["proxy", "--listen"])
            .arg(format!("unix://{}", sock.display()))
            .args(["--upstream", &engine.host, "--mode", mode, "--log"])
            .arg(&log)
            .env_remove("HARDEN_PRESET")
            .env_remove("DOCKER_CONTEXT")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while !sock.exists() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "the proxy did not listen"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Proxy { child, dir, sock }
    }

    pub(crate) fn host(&self) -> String {
        format!("unix://{}", self.sock.display())
    }

    /// The decision log, one JSON object a line.
    fn decisions(&self) -> Vec<Value> {
        std::fs::read_to_string(self.dir.path().join("decisions.jsonl"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Setup {
    engine: Engine,
    cli: PathBuf,
}

fn setup() -> Option<Setup> {
    let engine = common::engine()?;
    let cli = common::docker_cli()?;
    common::require_test_image(&engine);
    Some(Setup { engine, cli })
}

/// The Docker CLI against `host`.
fn docker(s: &Setup, host: &str) -> Command {
    let mut c = Command::new(&s.cli);
    c.env("DOCKER_HOST", host)
        .env_remove("DOCKER_CONTEXT")
        .env("DOCKER_CLI_HINTS", "false")
        .stdin(Stdio::null());
    c
}

fn run(mut c: Command) -> Output {
    c.output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn inspect(s: &Setup, id: &str) -> Value {
    let out = run({
        let mut c = docker(s, &s.engine.host);
        c.args(["container", "inspect", id]);
        c
    });
    assert!(out.status.success(), "inspect {id}: {}", text(&out.stderr));
    serde_json::from_slice::<Value>(&out.stdout).unwrap()[0].clone()
}

/// One raw HTTP/1.1 exchange over a unix socket (`Connection: close`): status and body.
fn http(sock: &str, head: &str, body: &[u8]) -> (u16, Vec<u8>) {
    let mut s = UnixStream::connect(sock).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    // One write; a server that answers early (a redirect) may close before it has all of it,
    // and its answer is what counts.
    let mut request = head.as_bytes().to_vec();
    request.extend_from_slice(body);
    let _ = s.write_all(&request);
    let mut resp = Vec::new();
    let _ = s.read_to_end(&mut resp);
    let end = resp
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = text(&resp[..end]);
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let mut body = resp[end + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    (status, body)
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(nl) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let n = usize::from_str_radix(text(&b[..nl]).trim(), 16).unwrap_or(0);
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&b[nl + 2..nl + 2 + n]);
        b = &b[nl + 2 + n + 2..];
    }
}

fn sock_of(host: &str) -> &str {
    host.strip_prefix("unix://").expect("a unix:// engine")
}

/// `POST target` with a JSON body (as bytes, sent as they are), `Content-Length` framing.
fn post(host: &str, target: &str, body: &[u8]) -> (u16, Value) {
    let head = format!(
        "POST {target} HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let (status, body) = http(sock_of(host), &head, body);
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// The same with `Transfer-Encoding: chunked` (the body cut in small chunks).
fn post_chunked(host: &str, target: &str, body: &[u8]) -> (u16, Value) {
    let head = format!(
        "POST {target} HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    let mut chunked = Vec::new();
    for c in body.chunks(7) {
        chunked.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
        chunked.extend_from_slice(c);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let (status, body) = http(sock_of(host), &head, &chunked);
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

// ---------------------------------------------------------------------------------------
// The Docker CLI through the proxy
// ---------------------------------------------------------------------------------------

#[test]
fn docker_run_is_hardened_and_privileged_is_refused() {
    let Some(s) = setup() else { return };
    let p = Proxy::start(&s.engine, "enforce");
    let out = run({
        let mut c = docker(&s, &p.host());
        c.args(["run", "--rm", "--label", common::TEST_LABEL, TEST_IMAGE])
            .args([
                "sh",
                "-c",
                "grep -E '^(CapEff|NoNewPrivs)' /proc/self/status; id -u",
            ]);
        c
    });
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.contains("CapEff:\t0000000000000000"), "{stdout}");
    assert!(stdout.contains("NoNewPrivs:\t1"), "{stdout}");
    let uid = stdout.lines().last().unwrap().trim();
    assert_ne!(uid, "0", "{stdout}");
    assert!(text(&out.stderr).contains("WARNING: harden: hardened:"));

    let out = run({
        let mut c = docker(&s, &p.host());
        c.args(["run", "--rm", "--privileged", "--label", common::TEST_LABEL])
            .args([TEST_IMAGE, "true"]);
        c
    });
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("Error response from daemon: harden: refused by privileged"),
        "{stderr}"
    );
    // The decision log: who, where, what.
    let d = p.decisions();
    let refused = d
        .iter()
        .find(|d| d["decision"] == "refuse")
        .expect("a refusal logged");
    assert_eq!(refused["door"], "container-create");
    assert_eq!(refused["image"], TEST_IMAGE);
    assert!(refused["peer"]["pid"].as_i64().unwrap() > 0);
    assert!(refused["peer"]["uid"].is_number());
    assert!(
        refused["endpoint"]
            .as_str()
            .unwrap()
            .contains("/containers/create")
    );
    assert!(refused["time"].is_string());
    assert!(!refused["refusals"].as_array().unwrap().is_empty());
    let changed = d.iter().find(|d| d["decision"] == "change").unwrap();
    assert!(changed["changes"].as_array().unwrap().len() >= 3);
}

#[test]
fn stdin_round_trip_and_tty() {
    let Some(s) = setup() else { return };
    let p = Proxy::start(&s.engine, "enforce");
    // -i: the CLI closes its write side after stdin (half-close); cat must see the end.
    let mut child = docker(&s, &p.host())
        .args([
            "run",
            "--rm",
            "-i",
            "--label",
            common::TEST_LABEL,
            TEST_IMAGE,
            "cat",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"through the proxy\nand back\n").unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "through the proxy\nand back\n");

    // -it under a pseudo-terminal.
    let pty = Pty::open().unwrap();
    let out = docker(&s, &p.host())
        .args([
            "run",
            "--rm",
            "-it",
            "--label",
            common::TEST_LABEL,
            TEST_IMAGE,
        ])
        .args(["sh", "-c", "tty; echo tty-ok"])
        .stdin(pty.stdin().unwrap())
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.contains("/dev/pts/"), "{stdout}");
    assert!(stdout.contains("tty-ok"), "{stdout}");
}

#[test]
fn exec_cp_logs_and_the_doors_of_a_running_container() {
    let Some(s) = setup() else { return };
    let p = Proxy::start(&s.engine, "enforce");
    let mut guard = ContainerGuard::new(&s.engine);
    let name = guard.name();
    let out = run({
        let mut c = docker(&s, &p.host());
        c.args(["run", "-d", "--name", &name, "--label", common::TEST_LABEL])
            .args(["-v", "/data", TEST_IMAGE, "sh", "-c"])
            .arg("i=0; while true; do echo line$i; i=$((i+1)); sleep 0.1; done");
        c
    });
    assert!(out.status.success(), "{}", text(&out.stderr));
    let via = |args: &[&str]| {
        run({
            let mut c = docker(&s, &p.host());
            c.args(args);
            c
        })
    };
    let direct = |args: &[&str]| {
        run({
            let mut c = docker(&s, &s.engine.host);
            c.args(args);
            c
        })
    };

    // exec through the proxy runs as the container's (non-root) user.
    let out = via(&["exec", &name, "id", "-u"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_ne!(text(&out.stdout).trim(), "0");

    // exec --privileged in a container made without the proxy: the bare engine makes a
    // privileged exec (this machine's runtime cannot then apply every capability, so the proof
    // is the engine's own record of it), the proxy refuses it, in any spelling.
    let bare = guard.name();
    let out = direct(&[
        "run",
        "-d",
        "--name",
        &bare,
        "--label",
        common::TEST_LABEL,
        TEST_IMAGE,
        "sleep",
        "60",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    for body in [
        r#"{"Cmd":["true"],"Privileged":true}"#,
        r#"{"Cmd":["true"],"privileged":true}"#,
        r#"{"Cmd":["true"],"Privileged":false,"Privileged":true}"#,
    ] {
        let target = format!("/v1.41/containers/{bare}/exec");
        let (status, v) = post(&s.engine.host, &target, body.as_bytes());
        assert_eq!(status, 201, "{v}");
        let (_, bytes) = http(
            sock_of(&s.engine.host),
            &format!(
                "GET /v1.41/exec/{}/json HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n",
                v["Id"].as_str().unwrap()
            ),
            b"",
        );
        let exec: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(exec["ProcessConfig"]["privileged"], true, "{body}: {exec}");
        let (status, v) = post(&p.host(), &target, body.as_bytes());
        assert_eq!(status, 403, "{body}: {v}");
    }
    let out = via(&["exec", "--privileged", &bare, "true"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("harden: refused by privileged"),
        "{}",
        text(&out.stderr)
    );
    // exec -u root: root on the bare engine, refused through the proxy.
    let out = direct(&["exec", "-u", "root", &name, "id", "-u"]);
    assert_eq!(text(&out.stdout).trim(), "0");
    let out = via(&["exec", "-u", "0", &name, "id", "-u"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("refused by non-root-user"),
        "{}",
        text(&out.stderr)
    );

    // update lifting the pids limit: refused through the proxy, takes effect on the bare engine.
    let pids = |s: &Setup| inspect(s, &name)["HostConfig"]["PidsLimit"].as_i64();
    assert_eq!(pids(&s), Some(256));
    let out = via(&["update", "--pids-limit", "-1", &name]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("refused by pids-limit"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(pids(&s), Some(256));
    let out = via(&["update", "--pids-limit", "300", &name]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(pids(&s), Some(300));
    let out = direct(&["update", "--pids-limit", "-1", &name]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(pids(&s).is_none_or(|p| p <= 0), "{:?}", pids(&s));

    // docker cp both ways (PUT and GET /archive).
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.txt");
    std::fs::write(&file, "copied in\n").unwrap();
    let out = via(&[
        "cp",
        file.to_str().unwrap(),
        &format!("{name}:/data/in.txt"),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let back = dir.path().join("back.txt");
    let out = via(&[
        "cp",
        &format!("{name}:/data/in.txt"),
        back.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&back).unwrap(), "copied in\n");

    // logs -f streams as lines arrive (unbuffered): a few lines within seconds, then stop it.
    let mut child = docker(&s, &p.host())
        .args(["logs", "-f", "--tail", "0", &name])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let start = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    while got.iter().filter(|b| **b == b'\n').count() < 3 {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "logs -f gave {got:?}"
        );
        let n = stdout.read(&mut buf).unwrap();
        assert!(n > 0, "logs -f ended");
        got.extend_from_slice(&buf[..n]);
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(text(&got).starts_with("line"), "{}", text(&got));
}

#[test]
fn build_and_compose_up_through_the_proxy() {
    let Some(s) = setup() else { return };
    let p = Proxy::start(&s.engine, "enforce");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!("FROM {TEST_IMAGE}\nRUN echo built > /built\nLABEL harden.test=1\n"),
    )
    .unwrap();
    let tag = format!("harden-test/proxy-build:{}", std::process::id());
    let out = run({
        let mut c = docker(&s, &p.host());
        c.args(["build", "-q", "-t", &tag]).arg(dir.path());
        c
    });
    assert!(out.status.success(), "build: {}", text(&out.stderr));
    let _ = run({
        let mut c = docker(&s, &s.engine.host);
        c.args(["rmi", "-f", &tag]);
        c
    });

    // Compose v2 up: the service's container is hardened by the proxy.
    std::fs::write(
        dir.path().join("compose.yaml"),
        format!(
            "services:\n  app:\n    image: {TEST_IMAGE}\n    command: [sleep, '30']\n    labels: [harden.test=1]\n"
        ),
    )
    .unwrap();
    let project = format!("hardenproxy{}", std::process::id());
    let compose = |args: &[&str]| {
        run({
            let mut c = docker(&s, &p.host());
            c.arg("compose")
                .args(["-p", &project])
                .args(args)
                .current_dir(dir.path());
            c
        })
    };
    let out = compose(&["up", "-d"]);
    let up_ok = out.status.success();
    let up_err = text(&out.stderr);
    let ps = run({
        let mut c = docker(&s, &s.engine.host);
        c.args(["ps", "-aq", "--filter"])
            .arg(format!("label=com.docker.compose.project={project}"));
        c
    });
    let ids = text(&ps.stdout);
    let first = ids.lines().next().map(str::to_string);
    let host_config = first
        .as_deref()
        .map(|id| inspect(&s, id)["HostConfig"].clone());
    let _ = compose(&["down", "-v", "-t", "0"]);
    assert!(up_ok, "compose up: {up_err}");
    let hc = host_config.expect("a container");
    assert_eq!(hc["CapDrop"], json!(["ALL"]));
    assert_eq!(hc["ReadonlyRootfs"], true);
}

/// Whether the CLI has buildx (BuildKit builds); says so when it has not.
fn has_buildx(s: &Setup) -> bool {
    let buildx = run({
        let mut c = docker(s, &s.engine.host);
        c.args(["buildx", "version"]);
        c
    });
    if !buildx.status.success() {
        common::unavailable::<()>("no `docker buildx` plugin (scripts/install-buildx.sh)");
        return false;
    }
    true
}

/// A BuildKit build (buildx's `docker build`, default `docker` driver) through the proxy: the
/// CLI's `POST /session` and `POST /grpc` upgrades (h2c both ways over the hijacked connection:
/// the engine calls back into the client's session for the Dockerfile and the context) pass
/// untouched; the image is made, and the proxy logged the BuildKit door and refused nothing.
/// With the proxy gone the same build has no way to the engine.
#[test]
fn buildkit_build_through_the_proxy() {
    let Some(s) = setup() else { return };
    if !has_buildx(&s) {
        return;
    }
    let mut p = Proxy::start(&s.engine, "enforce");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!("FROM {TEST_IMAGE}\nRUN echo ok > /x\nLABEL harden.test=1\n"),
    )
    .unwrap();
    let tag = format!("harden-test/proxy-buildkit:{}", std::process::id());
    let build = |host: &str| {
        run({
            let mut c = docker(&s, host);
            c.env("DOCKER_BUILDKIT", "1")
                .args(["build", "--progress", "plain", "--no-cache", "-t", &tag])
                .arg(dir.path());
            c
        })
    };
    let out = build(&p.host());
    let x = run({
        let mut c = docker(&s, &s.engine.host);
        c.args(["run", "--rm", &tag, "cat", "/x"]);
        c
    });
    let _ = run({
        let mut c = docker(&s, &s.engine.host);
        c.args(["rmi", "-f", &tag]);
        c
    });
    assert!(
        out.status.success(),
        "{}\n{}\n{:?}",
        text(&out.stdout),
        text(&out.stderr),
        p.decisions()
    );
    // BuildKit's plain progress goes to stderr; a classic build would say "Step 1/3".
    let progress = text(&out.stderr);
    assert!(
        progress.contains("[2/2] RUN echo ok > /x") && !progress.contains("Step 1/"),
        "not a BuildKit build: {progress}"
    );
    assert!(x.status.success(), "{}", text(&x.stderr));
    assert_eq!(text(&x.stdout), "ok\n");
    let d = p.decisions();
    let grpc: Vec<&Value> = d.iter().filter(|d| d["door"] == "buildkit").collect();
    assert!(
        !grpc.is_empty(),
        "no BuildKit request through the proxy: {d:?}"
    );
    assert!(grpc.iter().all(|d| d["decision"] == "forward"), "{grpc:?}");
    // The upgrade, and the solve call read off the upgraded connection and judged.
    assert!(
        grpc.iter().any(|d| d["endpoint"] == "POST /grpc"),
        "{grpc:?}"
    );
    assert!(
        grpc.iter()
            .any(|d| d["endpoint"] == "POST /moby.buildkit.v1.Control/Solve"
                && d["image"]
                    .as_str()
                    .is_some_and(|i| i.contains("proxy-buildkit"))),
        "{grpc:?}"
    );
    assert!(
        d.iter()
            .all(|d| d["refusals"].as_array().is_none_or(Vec::is_empty)),
        "{d:?}"
    );

    // The build went through the proxy's socket: with the proxy killed it fails.
    let _ = p.child.kill();
    let _ = p.child.wait();
    let out = build(&p.host());
    let _ = run({
        let mut c = docker(&s, &s.engine.host);
        c.args(["rmi", "-f", &tag]);
        c
    });
    assert!(
        !out.status.success(),
        "built without the proxy: {}",
        text(&out.stderr)
    );
}

/// `docker build --network host` through BuildKit: the `network.host` entitlement travels
/// inside the gRPC solve request on the upgraded `/grpc` connection. Against the bare engine
/// the build's step sees the host's interfaces (`docker0`); through the proxy in enforce mode
/// the solve is refused with harden's reason in the CLI's stderr, and nothing is built; in
/// warn mode it goes through, recorded as a warning. A build without the entitlement on the
/// same proxy still works (the relay keeps the connection's HTTP/2 state whole).
#[test]
fn buildkit_host_network_is_judged() {
    let Some(s) = setup() else { return };
    if !has_buildx(&s) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!("FROM {TEST_IMAGE}\nRUN cat /proc/net/dev > /netdev\nLABEL harden.test=1\n"),
    )
    .unwrap();
    let tag = format!("harden-test/proxy-buildkit-net:{}", std::process::id());
    let build = |host: &str, network: Option<&str>| {
        let mut c = docker(&s, host);
        c.env("DOCKER_BUILDKIT", "1").args([
            "build",
            "--progress",
            "plain",
            "--no-cache",
            "-t",
            &tag,
        ]);
        if let Some(n) = network {
            c.args(["--network", n]);
        }
        c.arg(dir.path());
        run(c)
    };
    let netdev = || {
        let out = run({
            let mut c = docker(&s, &s.engine.host);
            c.args(["run", "--rm", &tag, "cat", "/netdev"]);
            c
        });
        let _ = run({
            let mut c = docker(&s, &s.engine.host);
            c.args(["rmi", "-f", &tag]);
            c
        });
        text(&out.stdout)
    };

    // The bare engine grants it: the step ran in the host's network namespace.
    let out = build(&s.engine.host, Some("host"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let direct = netdev();
    assert!(
        direct.contains("docker0"),
        "not the host's network: {direct}"
    );

    // Enforce: refused, harden's reason in the CLI's stderr, nothing built.
    let p = Proxy::start(&s.engine, "enforce");
    let started = Instant::now();
    let out = build(&p.host(), Some("host"));
    assert!(
        !out.status.success(),
        "built through the proxy: {}",
        text(&out.stderr)
    );
    assert!(started.elapsed() < Duration::from_secs(60));
    let err = text(&out.stderr);
    assert!(
        err.contains("harden") && err.contains("host-network") && err.contains("PermissionDenied"),
        "{err}"
    );
    let present = run({
        let mut c = docker(&s, &s.engine.host);
        c.args(["image", "inspect", &tag]);
        c
    });
    assert!(!present.status.success(), "an image was built");
    let d = p.decisions();
    assert!(
        d.iter()
            .any(|d| d["endpoint"] == "POST /moby.buildkit.v1.Control/Solve"
                && d["decision"] == "refuse"
                && d["refusals"].to_string().contains("host-network")),
        "{d:?}"
    );
    // The same proxy, a build without the entitlement: built, in its own network.
    let out = build(&p.host(), None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let own = netdev();
    assert!(own.contains("lo:") && !own.contains("docker0"), "{own}");

    // Warn: built with the host's network, the refusal logged as a warning.
    let p = Proxy::start(&s.engine, "warn");
    let out = build(&p.host(), Some("host"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(netdev().contains("docker0"));
    let d = p.decisions();
    assert!(
        d.iter()
            .any(|d| d["endpoint"] == "POST /moby.buildkit.v1.Control/Solve"
                && d["decision"] == "warn"),
        "{d:?}"
    );
}

/// A raw HTTP/2 client on an upgraded `/grpc` connection, for the forms the CLI never sends.
struct H2 {
    conn: UnixStream,
    enc: loona_hpack::Encoder<'static>,
    dec: loona_hpack::Decoder<'static>,
}

impl H2 {
    fn connect(host: &str) -> H2 {
        let path = host.strip_prefix("unix://").expect("a unix socket");
        let mut conn = UnixStream::connect(path).unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        conn.write_all(
            b"POST /grpc HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n",
        )
        .unwrap();
        let mut head = Vec::new();
        let mut b = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            assert_eq!(conn.read(&mut b).unwrap(), 1, "{}", text(&head));
            head.push(b[0]);
        }
        assert!(text(&head).starts_with("HTTP/1.1 101"), "{}", text(&head));
        conn.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").unwrap();
        let mut h = H2 {
            conn,
            enc: loona_hpack::Encoder::new(),
            dec: loona_hpack::Decoder::new(),
        };
        h.send(0x4, 0, 0, &[]);
        h
    }

    fn send(&mut self, kind: u8, flags: u8, stream: u32, payload: &[u8]) {
        let n = payload.len();
        let mut f = vec![(n >> 16) as u8, (n >> 8) as u8, n as u8, kind, flags];
        f.extend_from_slice(&stream.to_be_bytes());
        f.extend_from_slice(payload);
        self.conn.write_all(&f).unwrap();
    }

    /// A unary call to `path` with `msg`; `split` sends the header block in two frames and the
    /// message in three padded DATA frames.
    fn call(&mut self, stream: u32, path: &[u8], msg: &[u8], split: bool) {
        let block = self.enc.encode([
            (&b":method"[..], &b"POST"[..]),
            (b":scheme", b"http"),
            (b":path", path),
            (b":authority", b"docker"),
            (b"content-type", b"application/grpc"),
            (b"te", b"trailers"),
        ]);
        let mut data = vec![0u8];
        data.extend_from_slice(&(msg.len() as u32).to_be_bytes());
        data.extend_from_slice(msg);
        if split {
            let (a, b) = block.split_at(block.len() / 2);
            self.send(0x1, 0, stream, a);
            self.send(0x9, 0x4, stream, b);
            let third = data.len() / 3;
            let parts = [&data[..third], &data[third..2 * third], &data[2 * third..]];
            for (i, part) in parts.iter().enumerate() {
                let mut p = vec![2u8];
                p.extend_from_slice(part);
                p.extend_from_slice(&[0, 0]);
                let end = if i == 2 { 0x1 } else { 0 };
                self.send(0x0, 0x8 | end, stream, &p);
            }
        } else {
            self.send(0x1, 0x4, stream, &block);
            self.send(0x0, 0x1, stream, &data);
        }
    }

    /// Reads frames until `stream` ends; its headers and trailers.
    fn answer(&mut self, stream: u32) -> Vec<(String, String)> {
        let mut got = Vec::new();
        let mut block = Vec::new();
        loop {
            let mut h = [0u8; 9];
            self.conn.read_exact(&mut h).unwrap();
            let len = (usize::from(h[0]) << 16) | (usize::from(h[1]) << 8) | usize::from(h[2]);
            let mut payload = vec![0u8; len];
            self.conn.read_exact(&mut payload).unwrap();
            let (kind, flags) = (h[3], h[4]);
            let id = u32::from_be_bytes([h[5], h[6], h[7], h[8]]) & 0x7fff_ffff;
            match kind {
                0x4 if flags & 1 == 0 => self.send(0x4, 1, 0, &[]),
                0x6 if flags & 1 == 0 => self.send(0x6, 1, 0, &payload),
                0x1 | 0x9 => {
                    let mut p = &payload[..];
                    if kind == 0x1 {
                        let pad = if flags & 0x8 != 0 {
                            usize::from(p[0])
                        } else {
                            0
                        };
                        if flags & 0x8 != 0 {
                            p = &p[1..];
                        }
                        if flags & 0x20 != 0 {
                            p = &p[5..];
                        }
                        p = &p[..p.len() - pad];
                    }
                    block.extend_from_slice(p);
                    if flags & 0x4 != 0 {
                        let headers = self.dec.decode(&block).unwrap();
                        block.clear();
                        if id == stream {
                            got.extend(headers.into_iter().map(|(k, v)| (text(&k), text(&v))));
                        }
                    }
                    if id == stream && flags & 1 != 0 {
                        return got;
                    }
                }
                0x3 if id == stream => {
                    got.push(("rst_stream".into(), format!("{payload:?}")));
                    return got;
                }
                0x7 => panic!("GOAWAY: {}", text(&payload)),
                _ => {}
            }
        }
    }
}

fn grpc_status(headers: &[(String, String)]) -> (String, String) {
    let get = |n: &str| {
        headers
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    (get("grpc-status"), get("grpc-message"))
}

/// The forms a hand-made client can give a solve request on `/grpc` (what buildx never sends):
/// a percent-encoded path with a query, the header block split over a CONTINUATION frame,
/// the message split over padded DATA frames, the `:path` sent from the HPACK table on a later
/// call. Each form is proven against the bare engine first: it reaches BuildKit's `Solve`
/// (its message is decoded: code 13, not 12 "unimplemented"); through the proxy it is refused, and the connection goes
/// on (a later call on it is answered by the engine, so both sides' HPACK state stayed whole).
#[test]
fn buildkit_solve_forms_are_judged() {
    let Some(s) = setup() else { return };
    let solve = prost_solve(&["network.host"]);
    // Field 2 (the build's definition) that does not decode: the engine fails the call at once
    // (code 13, "unmarshalling"), after routing it to `Solve`; harden does not read field 2.
    let harmless = vec![0x12, 0x01, 0xff];
    let forms: [(&[u8], bool); 3] = [
        (b"/moby.buildkit.v1.Control/Solve", false),
        (b"/moby.buildkit.v1.Control%2FSolve?x=1", false),
        (b"/moby.buildkit.v1.Control/%53olve", true),
    ];
    let p = Proxy::start(&s.engine, "enforce");
    for (path, split) in forms {
        let what = format!("{} split={split}", text(path));
        // Direct: routed to Solve (a method it does not know would be code 12).
        let mut direct = H2::connect(&s.engine.host);
        direct.call(1, path, &harmless, split);
        let (status, message) = grpc_status(&direct.answer(1));
        assert_eq!(status, "13", "{what}: {message}");

        let mut h = H2::connect(&p.host());
        h.call(1, path, &solve, split);
        let (status, message) = grpc_status(&h.answer(1));
        assert_eq!(status, "7", "{what}: {message}");
        assert!(message.contains("host-network"), "{what}: {message}");
        // The same path again (now from the HPACK table), harmless: the engine answers it.
        h.call(3, path, &harmless, split);
        let (status, message) = grpc_status(&h.answer(3));
        assert_eq!(status, "13", "{what}: {message}");
        // And the dangerous one once more, from the table: refused again.
        h.call(5, path, &solve, !split);
        let (status, _) = grpc_status(&h.answer(5));
        assert_eq!(status, "7", "{what}");
    }
    // A method BuildKit does not have passes to the engine, which says so.
    let mut h = H2::connect(&p.host());
    h.call(1, b"/moby.buildkit.v1.Control/Nope", &solve, false);
    let (status, _) = grpc_status(&h.answer(1));
    assert_eq!(status, "12");
}

/// A `SolveRequest` with these entitlements (field 9) and nothing else.
fn prost_solve(entitlements: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entitlements {
        out.push(0x4a);
        out.push(e.len() as u8);
        out.extend_from_slice(e.as_bytes());
    }
    out
}

/// The legacy raw hijack (attach without `Upgrade`: a 200 whose body is the stream until the
/// connection ends), stdin half-closed by the client, and `HEAD /_ping`.
#[test]
fn raw_hijack_with_half_close_and_head() {
    let Some(s) = setup() else { return };
    let p = Proxy::start(&s.engine, "enforce");
    let body = format!(
        r#"{{"Image":"{TEST_IMAGE}","Cmd":["cat"],"OpenStdin":true,"StdinOnce":true,"AttachStdin":true,"AttachStdout":true,"Labels":{{"harden.test":"1"}}}}"#
    );
    let (status, v) = post(&p.host(), "/v1.41/containers/create", body.as_bytes());
    assert_eq!(status, 201, "{v}");
    let id = v["Id"].as_str().unwrap().to_string();
    let mut guard = ContainerGuard::new(&s.engine);
    guard.track(id.clone());

    let mut conn = UnixStream::connect(&p.sock).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    conn.write_all(
        format!("POST /v1.41/containers/{id}/attach?stream=1&stdin=1&stdout=1 HTTP/1.1\r\nHost: docker\r\n\r\n")
            .as_bytes(),
    )
    .unwrap();
    // The head of the hijacked answer.
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while !got.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = conn.read(&mut buf).unwrap();
        assert!(n > 0, "attach closed: {}", text(&got));
        got.extend_from_slice(&buf[..n]);
    }
    assert!(text(&got).starts_with("HTTP/1.1 200"), "{}", text(&got));
    let (status, v) = post(&p.host(), &format!("/v1.41/containers/{id}/start"), b"");
    assert_eq!(status, 204, "{v}");
    conn.write_all(b"raw hijack round trip\n").unwrap();
    conn.shutdown(std::net::Shutdown::Write).unwrap();
    let mut rest = Vec::new();
    conn.read_to_end(&mut rest).unwrap();
    assert!(
        text(&rest).contains("raw hijack round trip"),
        "{:?}",
        text(&rest)
    );

    let (status, body) = http(
        p.sock.to_str().unwrap(),
        "HEAD /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n",
        b"",
    );
    assert_eq!(status, 200);
    assert!(body.is_empty());
}

/// Socket activation (`--listen fd://`), as `examples/systemd/harden-proxy.socket` sets it up:
/// `systemd-socket-activate` stands in for systemd (skipped where it is missing).
#[test]
fn systemd_socket_activation() {
    let Some(s) = setup() else { return };
    let Ok(activate) = which("systemd-socket-activate") else {
        eprintln!("skipping systemd_socket_activation: no systemd-socket-activate");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("activated.sock");
    let mut child = Command::new(activate)
        .arg("-l")
        .arg(&sock)
        .arg(common::harden_bin())
        .args(["proxy", "--listen", "fd://", "--upstream", &s.engine.host])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !sock.exists() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let host = format!("unix://{}", sock.display());
    let out = run({
        let mut c = docker(&s, &host);
        c.args([
            "run",
            "--rm",
            "--label",
            common::TEST_LABEL,
            TEST_IMAGE,
            "id",
            "-u",
        ]);
        c
    });
    let _ = child.kill();
    let _ = child.wait();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_ne!(text(&out.stdout).trim(), "0");
}

fn which(name: &str) -> Result<PathBuf, ()> {
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .ok_or(())
}

// ---------------------------------------------------------------------------------------
// The attack suite: raw bodies and paths
// ---------------------------------------------------------------------------------------

/// Creates through `host`; on success returns whether the engine made it privileged (and
/// removes the container).
fn attempt(s: &Setup, host: &str, target: &str, body: &[u8], chunked: bool) -> (u16, Option<bool>) {
    let (status, v) = if chunked {
        post_chunked(host, target, body)
    } else {
        post(host, target, body)
    };
    let Some(id) = v["Id"].as_str().filter(|_| status == 201) else {
        return (status, None);
    };
    let privileged = inspect(s, id)["HostConfig"]["Privileged"].as_bool();
    let _ = run({
        let mut c = docker(s, &s.engine.host);
        c.args(["rm", "-f", id]);
        c
    });
    (status, privileged)
}

#[test]
fn attack_suite_create_bodies_and_paths() {
    let Some(s) = setup() else { return };
    let p = Proxy::start(&s.engine, "enforce");
    let img = TEST_IMAGE;
    let big = "x".repeat(2 << 20);
    let cases: Vec<(&str, String, String, bool)> = vec![
        (
            "lowercase field name",
            "/v1.41/containers/create".into(),
            format!(
                r#"{{"Image":"{img}","Labels":{{"harden.test":"1"}},"HostConfig":{{"privileged":true}}}}"#
            ),
            false,
        ),
        (
            "duplicate keys, the last wins",
            "/v1.41/containers/create".into(),
            format!(
                r#"{{"Image":"{img}","Labels":{{"harden.test":"1"}},"HostConfig":{{"Privileged":false,"Privileged":true}}}}"#
            ),
            false,
        ),
        (
            "escaped key",
            "/v1.41/containers/create".into(),
            format!(
                r#"{{"Image":"{img}","Labels":{{"harden.test":"1"}},"HostConfig":{{"\u0050rivileged":true}}}}"#
            ),
            false,
        ),
        (
            "2 MiB body",
            "/v1.41/containers/create".into(),
            format!(
                r#"{{"Image":"{img}","Labels":{{"harden.test":"1","pad":"{big}"}},"HostConfig":{{"Privileged":true}}}}"#
            ),
            false,
        ),
        (
            "HostConfig fields at the top level (API 1.41)",
            "/v1.41/containers/create".into(),
            format!(r#"{{"Image":"{img}","Labels":{{"harden.test":"1"}},"Privileged":true}}"#),
            false,
        ),
        (
            "chunked body",
            "/v1.41/containers/create".into(),
            format!(
                r#"{{"Image":"{img}","Labels":{{"harden.test":"1"}},"HostConfig":{{"Privileged":true}}}}"#
            ),
            true,
        ),
        (
            "no version prefix",
            "/containers/create".into(),
            format!(
                r#"{{"Image":"{img}","Labels":{{"harden.test":"1"}},"HostConfig":{{"Privileged":true}}}}"#
            ),
            false,
        ),
        (
            "percent-encoded path",
            "/v1.41/containers/%63reate".into(),
            format!(
                r#"{{"Image":"{img}","Labels":{{"harden.test":"1"}},"HostConfig":{{"Privileged":true}}}}"#
            ),
            false,
        ),
    ];
    for (what, target, body, chunked) in &cases {
        let (status, privileged) = attempt(&s, &s.engine.host, target, body.as_bytes(), *chunked);
        assert_eq!(
            (status, privileged),
            (201, Some(true)),
            "{what}: the bare engine should create a privileged container"
        );
        let (status, privileged) = attempt(&s, &p.host(), target, body.as_bytes(), *chunked);
        assert!(
            status == 403 && privileged.is_none(),
            "{what}: through the proxy: {status} {privileged:?}"
        );
    }
    // `//containers/create` (and other unclean paths): the engine redirects and creates
    // nothing, directly or through the proxy (which passes it on untouched).
    let body = format!(
        r#"{{"Image":"{img}","Labels":{{"harden.test":"1"}},"HostConfig":{{"Privileged":true}}}}"#
    );
    for target in ["//containers/create", "/v1.41/containers/./create"] {
        for host in [&s.engine.host, &p.host()] {
            let (status, privileged) = attempt(&s, host, target, body.as_bytes(), false);
            assert_eq!((status, privileged), (301, None), "{target} via {host}");
        }
    }
}

/// Swarm services: a task that mounts the engine's socket is refused through the proxy (create
/// and update) before it reaches the engine, and a plain one is forwarded. The engine is not
/// made a Swarm here (the stack tests in this binary init and leave one concurrently): when
/// this engine is no manager, the forwarded request gets the engine's own 503, and when it is
/// one, the bare engine is shown to take the socket mount first.
#[test]
fn swarm_services_are_judged() {
    let Some(s) = setup() else { return };
    let p = Proxy::start(&s.engine, "enforce");
    let name = format!("harden-proxy-test-{}", std::process::id());
    let spec = |mounts: Value| {
        serde_json::to_vec(&json!({
            "Name": name,
            "Labels": {"harden.test": "1"},
            "TaskTemplate": {"ContainerSpec": {
                "Image": TEST_IMAGE, "Command": ["sleep", "30"], "Mounts": mounts,
            }},
            "Mode": {"Replicated": {"Replicas": 0}},
        }))
        .unwrap()
    };
    let sock_mount = json!([{"Type": "bind", "Source": "/var/run/docker.sock", "Target": "/s"}]);
    let body = spec(sock_mount);
    let rm = |id: &str| {
        run({
            let mut c = docker(&s, &s.engine.host);
            c.args(["service", "rm", id]);
            c
        })
    };

    let (status, v) = post(&p.host(), "/v1.41/services/create", &body);
    assert_eq!(status, 403, "{v}");
    assert!(
        v["message"].as_str().unwrap().contains("docker-socket"),
        "{v}"
    );
    let (status, v) = post(&p.host(), "/v1.41/services/x/update?version=1", &body);
    assert_eq!(status, 403, "{v}");

    let (status, v) = post(&p.host(), "/v1.41/services/create", &spec(json!([])));
    match status {
        201 => {
            rm(v["ID"].as_str().unwrap());
            // A manager: the bare engine takes the socket mount.
            let (status, v) = post(&s.engine.host, "/v1.41/services/create", &body);
            assert_eq!(status, 201, "{v}");
            rm(v["ID"].as_str().unwrap());
        }
        503 => assert!(v["message"].as_str().unwrap().contains("swarm"), "{v}"),
        other => panic!("a plain service through the proxy: {other} {v}"),
    }
}

/// A `local` volume with `o=bind` is a bind mount of any host path under a volume's name, and a
/// classic build with `--network host` runs its steps in the host's network: both work on the
/// bare engine and are refused through the proxy.
#[test]
fn bind_volumes_and_host_network_builds() {
    let Some(s) = setup() else { return };
    let p = Proxy::start(&s.engine, "enforce");
    let vol = format!("harden-proxy-test-{}", std::process::id());
    let body = serde_json::to_vec(&json!({
        "Name": vol, "Labels": {"harden.test": "1"},
        "DriverOpts": {"type": "none", "o": "bind", "device": "/var/run"},
    }))
    .unwrap();
    let (status, v) = post(&s.engine.host, "/v1.41/volumes/create", &body);
    let _ = run({
        let mut c = docker(&s, &s.engine.host);
        c.args(["volume", "rm", &vol]);
        c
    });
    assert_eq!(status, 201, "{v}");
    let (status, v) = post(&p.host(), "/v1.41/volumes/create", &body);
    assert_eq!(status, 403, "{v}");

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!("FROM {TEST_IMAGE}\nRUN true\n"),
    )
    .unwrap();
    // The classic builder's door (`POST /build?networkmode=host`): with buildx installed the
    // CLI would build through BuildKit instead, whose `network.host` entitlement travels inside
    // the gRPC solve request on `/grpc`, which the proxy does not read (see
    // `buildkit_build_through_the_proxy`).
    let build = |host: &str| {
        run({
            let mut c = docker(&s, host);
            c.env("DOCKER_BUILDKIT", "0")
                .args(["build", "-q", "--network", "host"])
                .arg(dir.path());
            c
        })
    };
    let out = build(&s.engine.host);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = build(&p.host());
    assert!(
        !out.status.success(),
        "{}\n{}\n{:?}",
        text(&out.stdout),
        text(&out.stderr),
        p.decisions()
    );
    assert!(
        text(&out.stderr).contains("refused by host-network"),
        "{}",
        text(&out.stderr)
    );
}

// ---------------------------------------------------------------------------------------
// Modes
// ---------------------------------------------------------------------------------------

#[test]
fn warn_and_audit_modes() {
    let Some(s) = setup() else { return };
    let body = format!(
        r#"{{"Image":"{TEST_IMAGE}","Labels":{{"harden.test":"1"}},"HostConfig":{{"Privileged":true}}}}"#
    );
    // warn: fixed, not refused; the refusal is a warning in the answer.
    let p = Proxy::start(&s.engine, "warn");
    let (status, v) = post(&p.host(), "/v1.41/containers/create", body.as_bytes());
    assert_eq!(status, 201, "{v}");
    let id = v["Id"].as_str().unwrap().to_string();
    let hc = inspect(&s, &id)["HostConfig"].clone();
    let _ = run({
        let mut c = docker(&s, &s.engine.host);
        c.args(["rm", "-f", &id]);
        c
    });
    assert_eq!(hc["CapDrop"], json!(["ALL"]));
    let warnings = v["Warnings"].to_string();
    assert!(warnings.contains("refused by privileged"), "{warnings}");
    assert_eq!(p.decisions()[0]["decision"], "warn");
    drop(p);

    // audit: forwarded unchanged, the log says what would change.
    let p = Proxy::start(&s.engine, "audit");
    let (status, v) = post(&p.host(), "/v1.41/containers/create?name=", body.as_bytes());
    assert_eq!(status, 201, "{v}");
    let id = v["Id"].as_str().unwrap().to_string();
    let hc = inspect(&s, &id)["HostConfig"].clone();
    let _ = run({
        let mut c = docker(&s, &s.engine.host);
        c.args(["rm", "-f", &id]);
        c
    });
    assert_eq!(hc["Privileged"], true);
    assert!(hc["CapDrop"].is_null() || hc["CapDrop"] == json!([]));
    let d = &p.decisions()[0];
    assert_eq!(d["decision"], "would-refuse");
    assert_eq!(d["mode"], "audit");
    assert!(!d["changes"].as_array().unwrap().is_empty());
}

/// The proxy keeps what it read of an image per image id, and asks the engine at every create
/// which image the name names: a tag moved to another image is judged by that image's facts,
/// and moved back, by the first one's again (from memory).
#[test]
fn a_retagged_image_is_judged_by_what_it_names_now() {
    let Some(s) = setup() else { return };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!("FROM {TEST_IMAGE}\nUSER 4321\nLABEL harden.test=1\n"),
    )
    .unwrap();
    let pid = std::process::id();
    let (user_tag, tag) = (
        format!("harden-test/proxy-user:{pid}"),
        format!("harden-test/proxy-retag:{pid}"),
    );
    let engine = |args: &[&str]| {
        let out = run({
            let mut c = docker(&s, &s.engine.host);
            c.args(args);
            c
        });
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    };
    struct Images<'a>(&'a Setup, Vec<String>);
    impl Drop for Images<'_> {
        fn drop(&mut self) {
            let mut c = docker(self.0, &self.0.engine.host);
            let _ = c.args(["rmi", "-f"]).args(&self.1).output();
        }
    }
    let _images = Images(&s, vec![tag.clone(), user_tag.clone()]);
    let mut c = docker(&s, &s.engine.host);
    c.args(["build", "-q", "-t", &user_tag]).arg(dir.path());
    let out = run(c);
    assert!(out.status.success(), "build: {}", text(&out.stderr));

    let p = Proxy::start(&s.engine, "enforce");
    let mut guard = ContainerGuard::new(&s.engine);
    // The container's user and whether the proxy set it.
    let mut create = || {
        let body = format!(r#"{{"Image":"{tag}","Labels":{{"harden.test":"1"}}}}"#);
        let (status, v) = post(&p.host(), "/v1.41/containers/create", body.as_bytes());
        assert_eq!(status, 201, "{v}");
        let id = v["Id"].as_str().unwrap().to_string();
        guard.track(&id);
        let user = inspect(&s, &id)["Config"]["User"].clone();
        let d = p.decisions();
        let changes = d.last().unwrap()["changes"].to_string();
        (user, changes.contains("non-root-user"))
    };
    engine(&["tag", &user_tag, &tag]);
    assert_eq!(create(), (json!("4321"), false), "USER 4321 is kept");
    engine(&["tag", TEST_IMAGE, &tag]);
    assert_eq!(create(), (json!("65534:65534"), true), "a root image");
    engine(&["tag", &user_tag, &tag]);
    assert_eq!(create(), (json!("4321"), false), "USER 4321 again");
}

// ---------------------------------------------------------------------------------------
// Load
// ---------------------------------------------------------------------------------------

#[test]
fn thousands_of_pings_at_concurrency_50_memory_flat() {
    let Some(s) = setup() else { return };
    let p = Proxy::start(&s.engine, "enforce");
    let sock = p.sock.clone();
    let round = |n: usize| {
        let threads: Vec<_> = (0..50)
            .map(|t| {
                let sock = sock.clone();
                std::thread::spawn(move || ping_many(&sock, n, t % 2 == 0))
            })
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().unwrap())
            .sum::<usize>()
    };
    assert_eq!(round(20), 1000);
    let before = p.rss_kib();
    assert_eq!(round(60), 3000);
    let after = p.rss_kib();
    assert!(
        after < before + 8 * 1024,
        "RSS grew from {before} KiB to {after} KiB"
    );
}

/// `n` pings over one keep-alive connection, or one connection each; returns the 200s.
fn ping_many(sock: &Path, n: usize, keep_alive: bool) -> usize {
    let req = b"GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n";
    let mut ok = 0;
    let mut conn: Option<(UnixStream, Vec<u8>)> = None;
    for _ in 0..n {
        if conn.is_none() || !keep_alive {
            let s = UnixStream::connect(sock).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            conn = Some((s, Vec::new()));
        }
        let (s, buf) = conn.as_mut().unwrap();
        s.write_all(req).unwrap();
        // Read one response: head, then Content-Length bytes.
        loop {
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = text(&buf[..end]).to_ascii_lowercase();
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .map_or(0, |v| v.trim().parse().unwrap());
                if buf.len() >= end + 4 + len {
                    if head.starts_with("http/1.1 200") {
                        ok += 1;
                    }
                    buf.drain(..end + 4 + len);
                    break;
                }
            }
            let mut chunk = [0u8; 4096];
            let k = s.read(&mut chunk).unwrap();
            assert!(k > 0, "the proxy closed the connection");
            buf.extend_from_slice(&chunk[..k]);
        }
    }
    ok
}
