//! Pulling through the engine from a real registry (Debian's `docker-registry` on 127.0.0.1):
//! a missing image is pulled with progress and run; `--pull never` fails like docker.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use crate::common;

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Registry {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_registry() -> Option<Registry> {
    let bin = ["/usr/bin/docker-registry", "/usr/sbin/docker-registry"]
        .into_iter()
        .find(|p| std::path::Path::new(p).is_file());
    let Some(bin) = bin else {
        return common::unavailable("Debian's docker-registry is not installed");
    };
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = dir.path().join("config.yml");
    std::fs::write(
        &config,
        format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n",
            dir.path().join("data").display()
        ),
    )
    .unwrap();
    let child = Command::new(bin)
        .args(["serve"])
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the registry did not listen");
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(Registry {
        child,
        port,
        _dir: dir,
    })
}

fn docker(engine: &common::Engine, args: &[&str]) -> std::process::Output {
    let cli = common::docker_cli_path().unwrap_or_else(|| "docker".into());
    Command::new(cli)
        .args(args)
        .env("DOCKER_HOST", &engine.host)
        .output()
        .unwrap()
}

#[test]
fn missing_image_is_pulled_from_a_local_registry_and_run() {
    let Some(engine) = common::engine() else {
        return;
    };
    common::require_test_image(&engine);
    let Some(registry) = start_registry() else {
        return;
    };
    let image = format!("127.0.0.1:{}/harden-test/pulled:v1", registry.port);
    // An image with a layer of its own (the test image's layer stays present locally), so that
    // the pull really downloads something.
    let nonce = format!("{}-{:?}", std::process::id(), std::time::SystemTime::now());
    let mut guard = common::ContainerGuard::new(&engine);
    let builder = guard.name();
    let made = docker(
        &engine,
        &[
            "run",
            "--name",
            &builder,
            "--label",
            common::TEST_LABEL,
            common::TEST_IMAGE,
            "sh",
            "-c",
            &format!("echo {nonce} > /nonce"),
        ],
    );
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let commit = docker(&engine, &["commit", &builder, &image]);
    assert!(
        commit.status.success(),
        "{}",
        String::from_utf8_lossy(&commit.stderr)
    );
    let push = docker(&engine, &["push", &image]);
    assert!(
        push.status.success(),
        "push failed: {}",
        String::from_utf8_lossy(&push.stderr)
    );
    let rmi = docker(&engine, &["rmi", &image]);
    assert!(rmi.status.success());

    // --pull never: docker's error, exit 125, nothing pulled.
    let out = common::harden()
        .env("DOCKER_HOST", &engine.host)
        .env("NO_COLOR", "1")
        .args(["run", "--rm", "--pull", "never", &image, "true"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(125));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("harden: Error response from daemon: No such image: {image}\n")
    );

    // Missing: pulled (progress lines on a non-terminal stderr), then run hardened.
    let out = common::harden()
        .env("DOCKER_HOST", &engine.host)
        .env("NO_COLOR", "1")
        .args([
            "run",
            "--rm",
            "--label",
            common::TEST_LABEL,
            &image,
            "id",
            "-u",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "65534");
    assert!(
        stderr.contains(&format!("Unable to find image '{image}' locally")),
        "{stderr}"
    );
    assert!(stderr.contains(": Pull complete"), "{stderr}");
    assert!(
        stderr.contains(&format!("Status: Downloaded newer image for {image}")),
        "{stderr}"
    );
    // -q hides the progress.
    docker(&engine, &["rmi", &image]);
    let out = common::harden()
        .env("DOCKER_HOST", &engine.host)
        .args([
            "run",
            "-q",
            "--rm",
            "--label",
            common::TEST_LABEL,
            &image,
            "true",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("Pull complete"), "{stderr}");
    docker(&engine, &["rmi", &image]);
}

/// `docker plugin install` through `harden proxy`: a plugin from a real registry whose config
/// asks for the host's network. The bare engine installs it (granted); through the proxy in
/// enforce mode the pull is refused with harden's reason in the CLI's stderr and nothing is
/// installed; a plugin that asks for nothing installs through the proxy.
#[test]
fn plugin_install_through_the_proxy_is_judged() {
    let Some(engine) = common::engine() else {
        return;
    };
    let Some(registry) = start_registry() else {
        return;
    };
    let busybox = ["/bin/busybox", "/usr/bin/busybox"]
        .into_iter()
        .find(|p| std::path::Path::new(p).is_file())
        .expect("busybox-static (installed by .ci/run)");
    let tag = std::process::id();
    let make = |name: &str, network: &str| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("rootfs/bin")).unwrap();
        std::fs::copy(busybox, dir.path().join("rootfs/bin/busybox")).unwrap();
        std::fs::write(
            dir.path().join("config.json"),
            format!(
                r#"{{"description": "harden test plugin", "documentation": "https://example.invalid",
                "entrypoint": ["/bin/busybox", "sleep", "1000"],
                "interface": {{"types": ["docker.volumedriver/1.0"], "socket": "p.sock"}},
                "network": {{"type": "{network}"}}}}"#
            ),
        )
        .unwrap();
        let reference = format!("127.0.0.1:{}/harden-test/{name}:{tag}", registry.port);
        let o = docker(
            &engine,
            &["plugin", "create", &reference, dir.path().to_str().unwrap()],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let o = docker(&engine, &["plugin", "push", &reference]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        docker(&engine, &["plugin", "rm", "-f", &reference]);
        reference
    };
    let hostnet = make("plug-hostnet", "host");
    let plain = make("plug-plain", "none");
    let install = |host: &str, reference: &str| {
        let cli = common::docker_cli_path().unwrap_or_else(|| "docker".into());
        Command::new(cli)
            .env("DOCKER_HOST", host)
            .env_remove("DOCKER_CONTEXT")
            .args([
                "plugin",
                "install",
                "--grant-all-permissions",
                "--disable",
                reference,
            ])
            .output()
            .unwrap()
    };
    let installed = |reference: &str| {
        docker(&engine, &["plugin", "inspect", reference])
            .status
            .success()
    };

    // The bare engine installs it, host network granted.
    let o = install(&engine.host, &hostnet);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let inspect = docker(
        &engine,
        &[
            "plugin",
            "inspect",
            "--format",
            "{{json .Settings}} {{.Config.Network.Type}}",
            &hostnet,
        ],
    );
    docker(&engine, &["plugin", "rm", "-f", &hostnet]);
    assert!(
        String::from_utf8_lossy(&inspect.stdout).contains(" host"),
        "{}",
        String::from_utf8_lossy(&inspect.stdout)
    );

    let p = crate::proxy::Proxy::start(&engine, "enforce");
    let o = install(&p.host(), &hostnet);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    let was_installed = installed(&hostnet);
    docker(&engine, &["plugin", "rm", "-f", &hostnet]);
    assert!(!o.status.success(), "installed through the proxy: {err}");
    assert!(
        err.contains("harden") && err.contains("host-network"),
        "{err}"
    );
    assert!(!was_installed, "a refused plugin is installed");

    let o = install(&p.host(), &plain);
    let ok = installed(&plain);
    docker(&engine, &["plugin", "rm", "-f", &plain]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(ok);
}
