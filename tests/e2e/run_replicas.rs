//! Hardened and still serving: local replicas of the most pulled official images
//! (`tests/replicas/`, tagged `NAME:harden-replica` so the built-in profiles apply) started with
//! `harden run -d` and only the flags their own documentation uses (a published port, the
//! documented environment), under the `default` and the `strict` preset. Each must answer
//! (HTTP 200, a query, PING and SAVE, an AMQP handshake, set and get), not merely run, and
//! must not run as root.
//!
//! The replicas are built by `scripts/build-replicas.sh` (`.ci/run` builds them). Skips with a
//! notice when no engine answers; fails when `HARDEN_E2E=require`.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use crate::common;

use common::{ContainerGuard, TEST_LABEL};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn docker(engine: &common::Engine) -> Command {
    let cli = common::docker_cli_path().unwrap_or_else(|| "docker".into());
    let mut c = Command::new(cli);
    c.env("DOCKER_HOST", &engine.host);
    c
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The replica image, built if missing (or a skip/failure when it cannot be).
fn replica(engine: &common::Engine, name: &str, image: &str) -> bool {
    let present = docker(engine)
        .args(["image", "inspect", image])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if present {
        return true;
    }
    let ok = Command::new(common::repo_root().join("scripts/build-replicas.sh"))
        .arg(name)
        .env("DOCKER_HOST", &engine.host)
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        common::unavailable::<()>(&format!("the replica {image} could not be built"));
    }
    ok
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(19099)
}

/// Sends `send` to 127.0.0.1:`port` and returns what comes back, retrying until `deadline`
/// while the answer does not contain `want`.
fn tcp(port: u16, send: &[u8], want: &[u8], deadline: Duration) -> Vec<u8> {
    let end = Instant::now() + deadline;
    let mut last = Vec::new();
    while Instant::now() < end {
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(3)));
            if s.write_all(send).is_ok() {
                let mut buf = vec![0u8; 4096];
                let mut got = Vec::new();
                while let Ok(n) = s.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    got.extend_from_slice(&buf[..n]);
                    if got.windows(want.len()).any(|w| w == want) {
                        return got;
                    }
                }
                last = got;
            }
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    last
}

/// `docker exec` until it prints `want` (services take a while to accept queries).
fn exec_until(
    engine: &common::Engine,
    name: &str,
    cmd: &[&str],
    want: &str,
    deadline: Duration,
) -> String {
    let end = Instant::now() + deadline;
    let mut last = String::new();
    while Instant::now() < end {
        let mut args = vec!["exec", name];
        args.extend_from_slice(cmd);
        let o = docker(engine).args(&args).output().unwrap();
        last = text(&o);
        if o.status.success() && last.contains(want) {
            return last;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    last
}

enum Probe {
    Http,
    Sql {
        client: &'static str,
        args: &'static [&'static str],
    },
    Redis,
    Amqp,
    Memcached,
}

/// Runs `image` hardened under `preset` and proves it answers.
fn serve(
    engine: &common::Engine,
    replica_name: &str,
    image: &str,
    target: u16,
    env: &[&str],
    probe: Probe,
) {
    if !replica(engine, replica_name, image) {
        return;
    }
    for preset in ["default", "strict"] {
        let mut guard = ContainerGuard::new(engine);
        let name = guard.name();
        let port = free_port();
        let publish = format!("{port}:{target}");
        let mut args = vec![
            "run", "-d", "--watch", "0", "--preset", preset, "--name", &name, "--label",
            TEST_LABEL, "-p", &publish,
        ];
        for e in env {
            args.push("-e");
            args.push(e);
        }
        args.push(image);
        let out = Command::new(common::harden_bin())
            .args(&args)
            .env("DOCKER_HOST", &engine.host)
            .env("NO_COLOR", "1")
            .env(
                "XDG_CACHE_HOME",
                std::env::temp_dir().join("harden-replica-cache"),
            )
            .env_remove("HARDEN_PRESET")
            .current_dir(std::env::temp_dir())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let run = text(&out);
        assert_eq!(out.status.code(), Some(0), "{image} under {preset}: {run}");
        let logs = || text(&docker(engine).args(["logs", &name]).output().unwrap());
        let ok = match &probe {
            Probe::Http => {
                let r = tcp(
                    port,
                    b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n",
                    b" 200 ",
                    Duration::from_secs(30),
                );
                String::from_utf8_lossy(&r).contains(" 200 ")
            }
            Probe::Sql { client, args } => {
                let mut cmd = vec![*client];
                cmd.extend_from_slice(args);
                exec_until(engine, &name, &cmd, "1", Duration::from_secs(90))
                    .lines()
                    .any(|l| l.trim() == "1")
            }
            Probe::Redis => {
                let pong = tcp(port, b"PING\r\n", b"+PONG", Duration::from_secs(30));
                let save = tcp(port, b"SAVE\r\n", b"+OK", Duration::from_secs(10));
                pong.starts_with(b"+PONG") && save.starts_with(b"+OK")
            }
            Probe::Amqp => {
                // A Connection.Start method frame: type 1, channel 0, class 10, method 10.
                let r = tcp(
                    port,
                    b"AMQP\x00\x00\x09\x01",
                    &[0, 10, 0, 10],
                    Duration::from_secs(90),
                );
                r.len() > 11 && r[0] == 1 && r[7..11] == [0, 10, 0, 10]
            }
            Probe::Memcached => {
                let r = tcp(
                    port,
                    b"set harden 0 0 5\r\nhello\r\nget harden\r\n",
                    b"END",
                    Duration::from_secs(30),
                );
                let s = String::from_utf8_lossy(&r);
                s.contains("STORED") && s.contains("VALUE harden 0 5\r\nhello")
            }
        };
        assert!(
            ok,
            "{image} does not answer under {preset}:\n{run}\n{}",
            logs()
        );
        let uid = docker(engine)
            .args(["exec", &name, "id", "-u"])
            .output()
            .unwrap();
        let uid = String::from_utf8_lossy(&uid.stdout).trim().to_string();
        assert!(
            !uid.is_empty() && uid != "0",
            "{image} under {preset} runs as {uid:?}"
        );
        let inspect = docker(engine)
            .args([
                "inspect",
                "--format",
                "{{.HostConfig.ReadonlyRootfs}} {{.HostConfig.CapDrop}}",
                &name,
            ])
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&inspect.stdout).trim(),
            "true [ALL]",
            "{image}"
        );
        let _ = docker(engine).args(["rm", "-f", "-v", &name]).output();
    }
}

macro_rules! replica_test {
    ($test:ident, $name:expr, $image:expr, $port:expr, $env:expr, $probe:expr) => {
        #[test]
        fn $test() {
            let Some(engine) = common::engine() else {
                return;
            };
            serve(&engine, $name, $image, $port, $env, $probe);
        }
    };
}

replica_test!(
    nginx_serves,
    "nginx",
    "nginx:harden-replica",
    80,
    &[],
    Probe::Http
);
replica_test!(
    httpd_serves,
    "httpd",
    "httpd:harden-replica",
    80,
    &[],
    Probe::Http
);
replica_test!(
    caddy_serves,
    "caddy",
    "caddy:harden-replica",
    80,
    &[],
    Probe::Http
);
replica_test!(
    haproxy_serves,
    "haproxy",
    "haproxy:harden-replica",
    80,
    &[],
    Probe::Http
);
replica_test!(
    postgres_answers_a_query,
    "postgres",
    "postgres:harden-replica",
    5432,
    &["POSTGRES_PASSWORD=harden-test"],
    Probe::Sql {
        client: "psql",
        args: &["-U", "postgres", "-tAc", "select 1"]
    }
);
replica_test!(
    mariadb_answers_a_query,
    "mariadb",
    "mariadb:harden-replica",
    3306,
    &["MARIADB_ROOT_PASSWORD=harden-test"],
    Probe::Sql {
        client: "mysql",
        args: &["-uroot", "-pharden-test", "-N", "-e", "select 1"]
    }
);
replica_test!(
    mysql_answers_a_query,
    "mysql",
    "mysql:harden-replica",
    3306,
    &["MYSQL_ROOT_PASSWORD=harden-test"],
    Probe::Sql {
        client: "mysql",
        args: &["-uroot", "-pharden-test", "-N", "-e", "select 1"]
    }
);
replica_test!(
    redis_answers_ping_and_save,
    "redis",
    "redis:harden-replica",
    6379,
    &[],
    Probe::Redis
);
replica_test!(
    rabbitmq_answers_amqp,
    "rabbitmq",
    "rabbitmq:harden-replica",
    5672,
    &[],
    Probe::Amqp
);
replica_test!(
    memcached_sets_and_gets,
    "memcached",
    "memcached:harden-replica",
    11211,
    &[],
    Probe::Memcached
);
// A stand-in, not MongoDB (Debian has no MongoDB): the official image's user, volumes and
// root-chown-gosu entrypoint around Debian's redis-server; it proves harden runs that pattern
// as its account (read from the image: gosu mongodb, volumes owned by 999).
replica_test!(
    mongo_pattern_stand_in_answers,
    "mongo-standin",
    "harden-replica/mongo-standin:1",
    27017,
    &[],
    Probe::Redis
);
