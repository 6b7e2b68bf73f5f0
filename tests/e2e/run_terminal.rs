//! `harden run` in a real terminal (driven by `script`) and through other daemon addresses:
//! `--review` prompts, detach keys, Docker contexts, and a TLS endpoint with client
//! certificates.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use crate::common;

use common::{ContainerGuard, TEST_IMAGE, TEST_LABEL};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn setup() -> Option<common::Engine> {
    let engine = common::engine()?;
    common::require_test_image(&engine);
    if Command::new("script").arg("--version").output().is_err() {
        return common::unavailable("script(1) from bsdutils is not installed");
    }
    Some(engine)
}

/// Runs `harden ARGS` under `script` (a pseudo-terminal on stdin and stdout) while a shell
/// feeds `keys` to the terminal; returns (exit code, everything the terminal showed).
fn in_terminal(engine: &common::Engine, harden_args: &str, keys: &str) -> (Option<i32>, String) {
    let cmd = format!("{} {harden_args}", common::harden_bin().display());
    let feeder = format!("{keys}; sleep 2");
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "({feeder}) | script -qec {} /dev/null",
            shell_quote(&cmd)
        ))
        .env("DOCKER_HOST", &engine.host)
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env_remove("HARDEN_PRESET")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let mut shown = String::from_utf8_lossy(&out.stdout).into_owned();
    shown.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.code(), shown)
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[test]
fn review_asks_per_change_and_skipped_rules_are_not_applied() {
    let Some(engine) = setup() else { return };
    // Changes in order: cap-drop-all, no-new-privileges, non-root-user, read-only (3), memory,
    // cpu, pids. Accept, accept, skip ("j" moves to "skip"), accept the rest.
    let keys = "sleep 1; printf '\\r'; sleep 0.3; printf '\\r'; sleep 0.3; printf 'j'; sleep 0.2; printf '\\r'; for i in 1 2 3 4 5 6; do sleep 0.3; printf '\\r'; done";
    let (code, shown) = in_terminal(
        &engine,
        &format!("run --review --dry-run {TEST_IMAGE} true"),
        keys,
    );
    assert_eq!(code, Some(0), "{shown}");
    assert!(shown.contains("[1/"), "{shown}");
    assert!(shown.contains("non-root-user"), "{shown}");
    let line = shown
        .lines()
        .find(|l| l.starts_with("docker run "))
        .unwrap_or_else(|| panic!("no command line in:\n{shown}"));
    assert!(!line.contains("--user"), "{line}");
    assert!(line.contains("--cap-drop ALL"), "{line}");
    // The container stays root, so its tmpfs belong to root.
    assert!(line.contains("uid=0,gid=0"), "{line}");
    assert!(shown.contains("rules: [non-root-user]"), "{shown}");

    // Without a terminal, --review is an error, never a silent default.
    let out = Command::new(common::harden_bin())
        .env("DOCKER_HOST", &engine.host)
        .args(["run", "--review", "--dry-run", TEST_IMAGE, "true"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(125));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--review needs an interactive terminal")
    );
}

#[test]
fn detach_keys_leave_the_container_running() {
    let Some(engine) = setup() else { return };
    let mut guard = ContainerGuard::new(&engine);
    for (flags, keys) in [("", "\\020\\021"), ("--detach-keys ctrl-a,x", "\\001x")] {
        let name = guard.name();
        let (code, shown) = in_terminal(
            &engine,
            &format!("run -it {flags} --name {name} --label {TEST_LABEL} {TEST_IMAGE} sh"),
            &format!("sleep 2; printf '{keys}'"),
        );
        assert_eq!(code, Some(0), "{shown}");
        let cli = common::docker_cli_path().unwrap_or_else(|| "docker".into());
        let state = Command::new(cli)
            .args(["inspect", "--format", "{{.State.Running}}", &name])
            .env("DOCKER_HOST", &engine.host)
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&state.stdout).trim(),
            "true",
            "{shown}"
        );
    }
}

#[test]
fn a_docker_context_selects_the_daemon() {
    let Some(engine) = common::engine() else {
        return;
    };
    common::require_test_image(&engine);
    let Some(socket) = engine.host.strip_prefix("unix://") else {
        common::unavailable::<()>("the context test needs a unix-socket engine");
        return;
    };
    let cfg = tempfile::tempdir().unwrap();
    let id = sha256_hex("harden-ctx");
    let meta = cfg.path().join("contexts/meta").join(id);
    std::fs::create_dir_all(&meta).unwrap();
    std::fs::write(
        meta.join("meta.json"),
        format!(
            r#"{{"Name":"harden-ctx","Metadata":{{}},"Endpoints":{{"docker":{{"Host":"unix://{socket}","SkipTLSVerify":false}}}}}}"#
        ),
    )
    .unwrap();
    std::fs::write(
        cfg.path().join("config.json"),
        r#"{"currentContext":"harden-ctx"}"#,
    )
    .unwrap();
    let run = |extra: &[(&str, &str)]| {
        let mut c = common::harden();
        c.env_remove("DOCKER_HOST")
            .env("DOCKER_CONFIG", cfg.path())
            .args(["run", "--rm", "--label", TEST_LABEL, TEST_IMAGE, "id", "-u"]);
        for (k, v) in extra {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    let out = run(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "65534");
    // DOCKER_CONTEXT beats currentContext; an unknown one fails like docker (exit 1).
    let out = run(&[("DOCKER_CONTEXT", "nosuch")]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("harden: Failed to initialize: unable to resolve docker endpoint: context \"nosuch\": context not found"),
        "{err}"
    );
}

fn sha256_hex(s: &str) -> String {
    let out = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(s.as_bytes())?;
            c.wait_with_output()
        })
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

fn openssl(dir: &std::path::Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn tls_with_client_certificates_like_docker_tls_verify() {
    let Some(engine) = common::engine() else {
        return;
    };
    common::require_test_image(&engine);
    let Some(socket) = engine.host.strip_prefix("unix://") else {
        common::unavailable::<()>("the TLS test needs a unix-socket engine to put TLS in front of");
        return;
    };
    if Command::new("socat").arg("-V").output().is_err()
        || Command::new("openssl").arg("version").output().is_err()
    {
        common::unavailable::<()>("socat and openssl are needed for the TLS test");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca-key.pem",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=harden test CA",
        ],
    );
    std::fs::write(
        dir.join("san.cnf"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    std::fs::write(dir.join("client.cnf"), "extendedKeyUsage=clientAuth\n").unwrap();
    for (name, ext) in [("server", "san.cnf"), ("client", "client.cnf")] {
        openssl(
            dir,
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                &format!("{name}-key.pem"),
                "-out",
                &format!("{name}.csr"),
                "-subj",
                &format!("/CN={name}"),
            ],
        );
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &format!("{name}.csr"),
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca-key.pem",
                "-CAcreateserial",
                "-out",
                &format!("{name}.pem"),
                "-days",
                "2",
                "-extfile",
                ext,
            ],
        );
    }
    // What DOCKER_CERT_PATH holds: ca.pem, cert.pem, key.pem.
    let certs = dir.join("client-certs");
    std::fs::create_dir_all(&certs).unwrap();
    std::fs::copy(dir.join("ca.pem"), certs.join("ca.pem")).unwrap();
    std::fs::copy(dir.join("client.pem"), certs.join("cert.pem")).unwrap();
    std::fs::copy(dir.join("client-key.pem"), certs.join("key.pem")).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut proxy = Command::new("socat")
        .arg(format!(
            "OPENSSL-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork,cert={0}/server.pem,key={0}/server-key.pem,cafile={0}/ca.pem,verify=1",
            dir.display()
        ))
        .arg(format!("UNIX-CONNECT:{socket}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "socat did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    let run = |cert_path: &std::path::Path| {
        common::harden()
            .env("DOCKER_HOST", format!("tcp://127.0.0.1:{port}"))
            .env("DOCKER_TLS_VERIFY", "1")
            .env("DOCKER_CERT_PATH", cert_path)
            .env("NO_COLOR", "1")
            .args([
                "run",
                "--rm",
                "--label",
                TEST_LABEL,
                TEST_IMAGE,
                "sh",
                "-c",
                "id -u; exit 3",
            ])
            .output()
            .unwrap()
    };
    let out = run(&certs);
    let _ = proxy.kill();
    let _ = proxy.wait();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "65534");
    // A CA that did not sign the server: refused before anything is created.
    let other = dir.join("other");
    std::fs::create_dir_all(&other).unwrap();
    openssl(
        &other,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "k.pem",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=other",
        ],
    );
    let out = run(&other);
    assert_eq!(out.status.code(), Some(125));
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
}

/// A local sshd that lets the current user in with a throwaway key, and an `ssh` wrapper (first
/// on PATH) that uses it — harden runs `ssh … docker system dial-stdio` like the Docker CLI.
struct Sshd {
    dir: tempfile::TempDir,
    port: u16,
    child: std::process::Child,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_sshd() -> Option<Sshd> {
    let sshd = std::path::Path::new("/usr/sbin/sshd");
    if !sshd.is_file() || Command::new("ssh-keygen").arg("-?").output().is_err() {
        return common::unavailable(
            "openssh-server and openssh-client are needed for the ssh test",
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for key in ["hostkey", "userkey"] {
        let out = Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(d.join(key))
            .output()
            .unwrap();
        assert!(out.status.success());
    }
    std::fs::copy(d.join("userkey.pub"), d.join("authorized_keys")).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        d.join("sshd_config"),
        format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {0}/hostkey\nAuthorizedKeysFile {0}/authorized_keys\nPermitRootLogin prohibit-password\nPasswordAuthentication no\nStrictModes no\nUsePAM no\nPidFile {0}/sshd.pid\n",
            d.display()
        ),
    )
    .unwrap();
    std::fs::create_dir_all("/run/sshd").ok();
    let child = Command::new(sshd)
        .args(["-D", "-e", "-f"])
        .arg(d.join("sshd_config"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::fs::write(
        d.join("ssh_config"),
        format!(
            "Host 127.0.0.1\n  IdentityFile {}/userkey\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n",
            d.display()
        ),
    )
    .unwrap();
    let bin = d.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(
        bin.join("ssh"),
        format!(
            "#!/bin/sh\nexec /usr/bin/ssh -F {}/ssh_config \"$@\"\n",
            d.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(bin.join("ssh"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "sshd did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(Sshd { dir, port, child })
}

#[test]
fn ssh_hosts_tunnel_through_docker_system_dial_stdio() {
    let Some(engine) = common::engine() else {
        return;
    };
    common::require_test_image(&engine);
    if common::docker_cli().is_none() {
        return;
    }
    let Some(sshd) = start_sshd() else { return };
    let user = String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout).unwrap();
    let path = format!(
        "{}:{}",
        sshd.dir.path().join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let host = format!("ssh://{}@127.0.0.1:{}", user.trim(), sshd.port);
    let mut child = Command::new(common::harden_bin())
        .args([
            "run",
            "-i",
            "--rm",
            "--label",
            TEST_LABEL,
            TEST_IMAGE,
            "sh",
            "-c",
            "id -u; cat; exit 5",
        ])
        .env("PATH", &path)
        .env("DOCKER_HOST", &host)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"through ssh\n").unwrap();
    } // closed: the end of input must reach the container through the tunnel
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "65534\nthrough ssh\n");
}
