//! Shared support for harden's integration tests (`mod common;` in a test file).
//!
//! - [`engine`]: the Docker engine real-engine tests talk to (or a skip notice / a failure
//!   under `HARDEN_E2E=require`), [`require_test_image`] for the local test image.
//! - [`docker_cli`]: the Docker CLI 28.2.2 used as the oracle (same skip/require policy).
//! - [`ContainerGuard`]: removes the containers a test created (only those labelled
//!   `harden.test=1`) when dropped.
//! - [`harden`] / [`harden_bin`]: the binary under test; [`harden_bounded`] runs it under a
//!   memory limit and times it (bad-input tests).
//! - [`standin`]: a stand-in engine that records what `docker run` would create.
//! - [`Pty`]: a pseudo-terminal to use as stdin (the CLI refuses `-it` without one).
#![allow(dead_code)] // every test binary uses a different part of this module

pub mod standin;

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

/// The local test image, built by `scripts/build-test-image.sh` (no registry needed).
pub const TEST_IMAGE: &str = "harden-test/busybox:1";
/// Label key every container created by a test must carry (value `1`).
pub const TEST_LABEL_KEY: &str = "harden.test";
/// The label as a `--label` value.
pub const TEST_LABEL: &str = "harden.test=1";
/// The Docker CLI version the fidelity tests use as their oracle.
pub const ORACLE_CLI_VERSION: &str = "28.2.2";

/// Path of the crate root (where `Cargo.toml` is).
pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// True when `HARDEN_E2E=require`: missing prerequisites fail tests instead of skipping them.
pub fn e2e_required() -> bool {
    std::env::var("HARDEN_E2E").is_ok_and(|v| v == "require")
}

/// The running test's name (libtest names each test's thread after the test).
pub fn test_name() -> String {
    match std::thread::current().name() {
        Some(name) if name != "main" => name.to_string(),
        _ => "this test".to_string(),
    }
}

/// Skip or fail because `what` is missing: under `HARDEN_E2E=require` this panics, otherwise
/// it prints `skipping <test>: <what> (set HARDEN_E2E=require to fail instead)` to stderr.
/// Returns `None` so callers can write `return common::unavailable("…")`-style code.
pub fn unavailable<T>(what: &str) -> Option<T> {
    if e2e_required() {
        panic!("{}: {what} (HARDEN_E2E=require)", test_name());
    }
    eprintln!(
        "skipping {}: {what} (set HARDEN_E2E=require to fail instead)",
        test_name()
    );
    None
}

// ---------------------------------------------------------------------------------------
// The engine
// ---------------------------------------------------------------------------------------

/// A Docker engine that answered `GET /_ping` with 200.
#[derive(Clone, Debug)]
pub struct Engine {
    /// The address as `DOCKER_HOST` spells it (`unix:///var/run/docker.sock`, `tcp://h:p`).
    pub host: String,
    /// The `Api-Version` header of the ping answer.
    pub api_version: Option<String>,
}

impl Engine {
    /// Environment for a child process that must talk to this engine.
    pub fn env(&self) -> [(&'static str, String); 1] {
        [("DOCKER_HOST", self.host.clone())]
    }
}

/// The engine tests should use: `$DOCKER_HOST` if set (unix:// or tcp://), else
/// `unix:///var/run/docker.sock`; it counts when `GET /_ping` answers 200 within a few
/// seconds. When none answers: skip notice + `None`, or a panic under `HARDEN_E2E=require`.
pub fn engine() -> Option<Engine> {
    let host = match std::env::var("DOCKER_HOST") {
        Ok(h) if !h.is_empty() => h,
        _ => "unix:///var/run/docker.sock".to_string(),
    };
    match ping(&host) {
        Ok(api_version) => Some(Engine { host, api_version }),
        Err(why) => unavailable(&format!("no Docker engine answers at {host} ({why})")),
    }
}

/// `GET /_ping` over a unix socket or plain TCP, with std only. Ok(Api-Version header).
pub fn ping(host: &str) -> Result<Option<String>, String> {
    const TIMEOUT: Duration = Duration::from_secs(3);
    let request = b"GET /_ping HTTP/1.1\r\nHost: docker\r\nUser-Agent: harden-tests\r\nConnection: close\r\n\r\n";
    let mut response = Vec::new();
    if let Some(path) = host.strip_prefix("unix://") {
        let mut s = UnixStream::connect(path).map_err(|e| format!("connect {path}: {e}"))?;
        s.set_read_timeout(Some(TIMEOUT)).ok();
        s.set_write_timeout(Some(TIMEOUT)).ok();
        s.write_all(request).map_err(|e| e.to_string())?;
        s.read_to_end(&mut response).map_err(|e| e.to_string())?;
    } else if let Some(addr) = host.strip_prefix("tcp://") {
        use std::net::ToSocketAddrs;
        let addr = addr.trim_end_matches('/');
        let sockaddr = addr
            .to_socket_addrs()
            .map_err(|e| format!("resolve {addr}: {e}"))?
            .next()
            .ok_or_else(|| format!("resolve {addr}: no address"))?;
        let mut s = std::net::TcpStream::connect_timeout(&sockaddr, TIMEOUT)
            .map_err(|e| format!("connect {addr}: {e}"))?;
        s.set_read_timeout(Some(TIMEOUT)).ok();
        s.set_write_timeout(Some(TIMEOUT)).ok();
        s.write_all(request).map_err(|e| e.to_string())?;
        s.read_to_end(&mut response).map_err(|e| e.to_string())?;
    } else {
        return Err("only unix:// and tcp:// hosts are supported by the tests".into());
    }
    let text = String::from_utf8_lossy(&response);
    let status = text.lines().next().unwrap_or_default();
    if !status.starts_with("HTTP/1.") || status.split(' ').nth(1) != Some("200") {
        return Err(format!("ping answered {status:?}"));
    }
    let api_version = text.lines().take_while(|l| !l.is_empty()).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case("Api-Version")
            .then(|| v.trim().to_string())
    });
    Ok(api_version)
}

/// Make sure the local test image exists on `engine`, building it with
/// `scripts/build-test-image.sh` when it does not. Panics when that fails.
pub fn require_test_image(engine: &Engine) {
    static BUILT: OnceLock<Result<(), String>> = OnceLock::new();
    let result = BUILT.get_or_init(|| {
        let cli = docker_cli_path().unwrap_or_else(|| PathBuf::from("docker"));
        let present = Command::new(&cli)
            .args(["image", "inspect", "--format", "{{.Id}}", TEST_IMAGE])
            .env("DOCKER_HOST", &engine.host)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if present {
            return Ok(());
        }
        let script = repo_root().join("scripts/build-test-image.sh");
        let out = Command::new(&script)
            .env("DOCKER_HOST", &engine.host)
            .env("DOCKER", &cli)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{} failed ({}):\n{}{}",
                script.display(),
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    });
    if let Err(e) = result {
        panic!("test image {TEST_IMAGE} is missing and could not be built: {e}");
    }
}

// ---------------------------------------------------------------------------------------
// The oracle CLI
// ---------------------------------------------------------------------------------------

/// Where the Docker CLI 28.2.2 is, if it is anywhere: `/usr/local/bin/docker`, then every
/// `docker` on `PATH`; each candidate must report `{{.Client.Version}}` = 28.2.2 (Debian's
/// docker.io ships an older `/usr/bin/docker`, which must not be used as the oracle).
pub fn docker_cli_path() -> Option<PathBuf> {
    static FOUND: OnceLock<Option<PathBuf>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            let mut candidates = vec![PathBuf::from("/usr/local/bin/docker")];
            if let Some(path) = std::env::var_os("PATH") {
                candidates.extend(std::env::split_paths(&path).map(|d| d.join("docker")));
            }
            candidates
                .into_iter()
                .find(|c| client_version(c).as_deref() == Some(ORACLE_CLI_VERSION))
        })
        .clone()
}

/// The 28.2.2 CLI, or a skip notice + `None` (a panic under `HARDEN_E2E=require`).
pub fn docker_cli() -> Option<PathBuf> {
    docker_cli_path().or_else(|| {
        unavailable(&format!(
            "no Docker CLI {ORACLE_CLI_VERSION} found (tried /usr/local/bin/docker and docker in PATH)"
        ))
    })
}

/// `docker version --format '{{.Client.Version}}'` of one candidate binary, without
/// reaching for any daemon (it exits non-zero then, but prints the client part).
pub fn client_version(cli: &Path) -> Option<String> {
    if !cli.is_file() {
        return None;
    }
    let out = Command::new(cli)
        .args(["version", "--format", "{{.Client.Version}}"])
        .env("DOCKER_HOST", "unix:///nonexistent/harden-test.sock")
        .env_remove("DOCKER_CONTEXT")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .next()
        .map(|l| l.trim().to_string())
        .filter(|v| !v.is_empty())
}

// ---------------------------------------------------------------------------------------
// Containers created by tests
// ---------------------------------------------------------------------------------------

/// Removes the containers a test created when it goes out of scope (also on panic).
/// Only containers carrying the label `harden.test=1` are removed; anything else that was
/// tracked by mistake is left alone.
pub struct ContainerGuard {
    cli: PathBuf,
    host: Option<String>,
    containers: Vec<String>,
}

impl ContainerGuard {
    /// A guard that talks to `engine` through the oracle CLI (or `docker` in PATH).
    pub fn new(engine: &Engine) -> ContainerGuard {
        ContainerGuard {
            cli: docker_cli_path().unwrap_or_else(|| PathBuf::from("docker")),
            host: Some(engine.host.clone()),
            containers: Vec::new(),
        }
    }

    /// Track a container by id or name.
    pub fn track(&mut self, id_or_name: impl Into<String>) -> &mut Self {
        let c = id_or_name.into();
        let c = c.trim().to_string();
        if !c.is_empty() && !self.containers.contains(&c) {
            self.containers.push(c);
        }
        self
    }

    /// A fresh container name (`harden-test-<pid>-<n>`), already tracked.
    pub fn name(&mut self) -> String {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let name = format!("harden-test-{}-{n}", std::process::id());
        self.track(name.clone());
        name
    }

    fn docker(&self) -> Command {
        let mut cmd = Command::new(&self.cli);
        if let Some(host) = &self.host {
            cmd.env("DOCKER_HOST", host);
        }
        cmd.stdin(Stdio::null());
        cmd
    }
}

impl Drop for ContainerGuard {
    fn drop(&mut self) {
        for c in &self.containers {
            let label = self
                .docker()
                .args([
                    "container",
                    "inspect",
                    "--format",
                    &format!("{{{{index .Config.Labels \"{TEST_LABEL_KEY}\"}}}}"),
                    c,
                ])
                .stderr(Stdio::null())
                .output();
            let Ok(label) = label else { continue };
            if !label.status.success() {
                continue; // already gone (e.g. --rm), or never created
            }
            if String::from_utf8_lossy(&label.stdout).trim() != "1" {
                eprintln!("ContainerGuard: not removing {c}: it lacks the label {TEST_LABEL}");
                continue;
            }
            let removed = self
                .docker()
                .args(["container", "rm", "--force", "--volumes", c])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .output();
            match removed {
                Ok(out) if out.status.success() => {}
                Ok(out) => eprintln!(
                    "ContainerGuard: removing {c} failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
                Err(e) => eprintln!("ContainerGuard: removing {c} failed: {e}"),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// The binary under test
// ---------------------------------------------------------------------------------------

/// Path of the `harden` binary cargo built for these tests.
pub fn harden_bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("harden")
}

/// `assert_cmd` command for the `harden` binary.
pub fn harden() -> assert_cmd::Command {
    assert_cmd::Command::new(harden_bin())
}

// ---------------------------------------------------------------------------------------
// A pseudo-terminal for stdin
// ---------------------------------------------------------------------------------------

/// A pseudo-terminal pair. Give [`Pty::stdin`] to a child whose stdin must be a terminal
/// (`docker run -it` refuses to start otherwise: "the input device is not a TTY"); keep the
/// `Pty` alive until the child has exited. The terminal size is 0x0, so a CLI that sizes its
/// console from the terminal sees no size.
pub struct Pty {
    master: std::os::fd::OwnedFd,
    slave: PathBuf,
}

impl Pty {
    pub fn open() -> std::io::Result<Pty> {
        use std::os::fd::FromRawFd;
        // SAFETY: plain libc calls on a descriptor this function owns; the name buffer is
        // large enough and NUL-terminated by ptsname_r on success.
        unsafe {
            let fd = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC);
            if fd < 0 {
                return Err(std::io::Error::last_os_error());
            }
            let master = std::os::fd::OwnedFd::from_raw_fd(fd);
            if libc::grantpt(fd) != 0 || libc::unlockpt(fd) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            let mut name = [0 as libc::c_char; 128];
            let rc = libc::ptsname_r(fd, name.as_mut_ptr(), name.len());
            if rc != 0 {
                return Err(std::io::Error::from_raw_os_error(rc));
            }
            let slave = std::ffi::CStr::from_ptr(name.as_ptr())
                .to_string_lossy()
                .into_owned();
            Ok(Pty {
                master,
                slave: PathBuf::from(slave),
            })
        }
    }

    /// Sets the terminal's size (what `stty size` shows inside a TTY container after a resize).
    pub fn set_size(&self, rows: u16, cols: u16) -> std::io::Result<()> {
        use std::os::fd::AsRawFd;
        let ws = libc::winsize {
            ws_row: rows,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: TIOCSWINSZ reads one winsize from a valid pointer on a descriptor we own.
        let rc = unsafe { libc::ioctl(self.master.as_raw_fd(), libc::TIOCSWINSZ, &ws) };
        if rc != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    }

    /// The terminal's other end: what is written here is typed, what is read was shown.
    pub fn master(&self) -> std::io::Result<std::fs::File> {
        Ok(std::fs::File::from(self.master.try_clone()?))
    }

    /// A new handle on the terminal side, to pass as a child's stdin.
    pub fn stdin(&self) -> std::io::Result<Stdio> {
        use std::os::unix::fs::OpenOptionsExt;
        let _ = &self.master;
        let f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NOCTTY)
            .open(&self.slave)?;
        Ok(Stdio::from(f))
    }
}

/// The one way tests run `harden`, in `dir`: the caller's environment minus what would change
/// the policy, the engine or the output (`HARDEN_PRESET`, `COMPOSE_FILE`, `DOCKER_CONTEXT`,
/// `DOCKER_API_VERSION`), `NO_COLOR=1`, no stdin. Add `.env(…)`/`.args(…)` and run it.
pub fn harden_in(dir: &Path) -> Command {
    let mut c = Command::new(harden_bin());
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("HARDEN_PRESET")
        .env_remove("COMPOSE_FILE")
        .env_remove("DOCKER_CONTEXT")
        .env_remove("DOCKER_API_VERSION")
        .stdin(Stdio::null());
    c
}

/// [`harden_in`] with a clean environment: only `PATH`, `NO_COLOR=1` and `env` (no HOME, no
/// DOCKER_HOST: nothing of the machine's configuration leaks in).
pub fn harden_clean(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut c = harden_in(dir);
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("NO_COLOR", "1")
        .args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run harden")
}

/// [`harden_in`] the temporary directory, talking to `engine`.
pub fn harden_on(engine: &Engine) -> Command {
    let mut c = harden_in(&std::env::temp_dir());
    c.env("DOCKER_HOST", &engine.host);
    c
}

/// Runs `cmd` (built by [`harden_in`]) under a 1 GiB address-space limit; returns its output
/// and how long it took.
pub fn bounded(cmd: &Command) -> (std::process::Output, Duration) {
    let mut script = String::from("ulimit -v 1048576; exec \"$0\"");
    let args: Vec<_> = cmd.get_args().collect();
    for i in 0..args.len() {
        script.push_str(&format!(" \"${}\"", i + 1));
    }
    let mut sh = Command::new("sh");
    sh.arg("-c").arg(script).arg(cmd.get_program()).args(args);
    if let Some(dir) = cmd.get_current_dir() {
        sh.current_dir(dir);
    }
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => sh.env(k, v),
            None => sh.env_remove(k),
        };
    }
    sh.stdin(Stdio::null());
    let start = std::time::Instant::now();
    let out = sh.output().expect("run harden");
    (out, start.elapsed())
}

/// Runs harden in `dir` (as [`harden_in`]) under a 1 GiB address-space limit; returns its
/// output and how long it took.
pub fn harden_bounded(dir: &Path, args: &[&str]) -> (std::process::Output, Duration) {
    let mut c = harden_in(dir);
    c.args(args);
    bounded(&c)
}
