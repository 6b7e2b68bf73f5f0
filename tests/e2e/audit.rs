//! `harden audit` against a real engine: containers started by the Docker CLI 28.2.2 with the
//! risky flags of `shared/corpus/docker-run.txt` (and a few more the rules cover) are reported by
//! the matching rules; containers started by `harden run` have nothing left that `harden run`
//! fixes; the SARIF output validates against the SARIF 2.1.0 schema
//! (`tests/fixtures/sarif-2.1.0.json`). Every container carries `harden.test=1` and is removed by
//! a [`common::ContainerGuard`].
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use crate::common;

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// One container: the `docker run` flags, the corpus text they come from (`None` for flags the
/// corpus lacks but a rule covers), and the rules the audit must report.
struct Case {
    flags: &'static [&'static str],
    corpus: Option<&'static str>,
    expect: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        flags: &[],
        corpus: None,
        expect: &[
            "cap-drop-all",
            "no-new-privileges",
            "non-root-user",
            "read-only-rootfs",
            "memory-limit",
            "cpu-limit",
            "pids-limit",
            "healthcheck",
        ],
    },
    Case {
        flags: &["--privileged"],
        corpus: Some("--privileged"),
        expect: &["privileged"],
    },
    Case {
        flags: &["--cap-add=NET_ADMIN", "--cap-add=SYS_MODULE"],
        corpus: Some("--cap-add=NET_ADMIN --cap-add=SYS_MODULE"),
        expect: &["dangerous-capability"],
    },
    Case {
        flags: &["--pid=host"],
        corpus: Some("--pid=host"),
        expect: &["host-pid"],
    },
    Case {
        flags: &["--net=host"],
        corpus: Some("--net=\"host\""),
        expect: &["host-network"],
    },
    Case {
        flags: &["-v", "/var/run/docker.sock:/var/run/docker.sock"],
        corpus: Some("-v /var/run/docker.sock:/var/run/docker.sock"),
        expect: &["docker-socket"],
    },
    Case {
        flags: &["--volume=/:/rootfs:ro", "--volume=/sys:/sys:ro"],
        corpus: Some("--volume=/:/rootfs:ro"),
        expect: &["sensitive-mount"],
    },
    Case {
        flags: &["--security-opt", "seccomp=unconfined"],
        corpus: Some("--security-opt seccomp=unconfined"),
        expect: &["seccomp-unconfined"],
    },
    Case {
        flags: &["-p", "8080"],
        corpus: Some("-p 8080:8080"),
        expect: &["port-host-ip"],
    },
    Case {
        flags: &["-p", "127.0.0.1:987:80"],
        corpus: Some("-p 80:80"),
        expect: &["privileged-port"],
    },
    Case {
        flags: &["--restart", "always"],
        corpus: Some("--restart always"),
        expect: &["restart-policy"],
    },
    Case {
        flags: &["--device=/dev/kmsg"],
        corpus: Some("--device=/dev/kmsg"),
        expect: &["host-devices"],
    },
    Case {
        flags: &["--sysctl", "net.ipv4.ip_forward=1"],
        corpus: Some("--sysctl net.ipv4.ip_forward=1"),
        expect: &["unsafe-sysctl"],
    },
    Case {
        flags: &["-e", "POSTGRES_PASSWORD=mysecretpassword"],
        corpus: Some("-e POSTGRES_PASSWORD=mysecretpassword"),
        expect: &["secret-in-env"],
    },
    Case {
        flags: &["--ipc", "host"],
        corpus: None,
        expect: &["host-ipc"],
    },
    Case {
        flags: &["--uts", "host"],
        corpus: None,
        expect: &["host-uts"],
    },
    Case {
        flags: &["--userns", "host"],
        corpus: None,
        expect: &["host-userns"],
    },
    Case {
        flags: &["--security-opt", "apparmor=unconfined"],
        corpus: None,
        expect: &["apparmor-unconfined"],
    },
    Case {
        flags: &["--security-opt", "label=disable"],
        corpus: None,
        expect: &["selinux-disabled"],
    },
    Case {
        flags: &["--security-opt", "systempaths=unconfined"],
        corpus: None,
        expect: &["systempaths-unconfined"],
    },
    Case {
        flags: &["--expose", "8080", "-P"],
        corpus: None,
        expect: &["port-host-ip"],
    },
    Case {
        flags: &["--tmpfs", "/scratch:exec"],
        corpus: None,
        expect: &["tmpfs-exec"],
    },
    Case {
        flags: &["--log-driver", "none"],
        corpus: None,
        expect: &["logging-disabled"],
    },
];

/// Rules the engine's own additions would trigger if the audit read inspect data naively.
const ENGINE_ARTEFACTS: &[&str] = &["selinux-disabled", "systempaths-unconfined"];

/// Rules the default preset fixes.
const DEFAULT_FIXES: &[&str] = &[
    "cap-drop-all",
    "no-new-privileges",
    "non-root-user",
    "read-only-rootfs",
    "memory-limit",
    "cpu-limit",
    "pids-limit",
    "port-host-ip",
];

fn docker(cli: &Path, engine: &common::Engine) -> Command {
    let mut c = Command::new(cli);
    c.env("DOCKER_HOST", &engine.host)
        .env_remove("DOCKER_CONTEXT")
        .stdin(Stdio::null());
    c
}

/// `harden` in an empty directory with an empty HOME (no `.harden.yaml`, no preset from the
/// environment).
fn harden(engine: &common::Engine, home: &Path, args: &[&str]) -> Output {
    common::harden_on(engine)
        .args(args)
        .current_dir(home)
        .env("HOME", home)
        .output()
        .unwrap()
}

/// Starts `flags` with the CLI. A container the engine creates but cannot start here (e.g.
/// `--privileged` in a sandbox without the capabilities) is audited as created.
fn start(cli: &Path, engine: &common::Engine, name: &str, flags: &[&str]) -> bool {
    let out = docker(cli, engine)
        .args(["run", "-d", "--label", common::TEST_LABEL, "--name", name])
        .args(flags)
        .args([common::TEST_IMAGE, "sleep", "300"])
        .output()
        .unwrap();
    if out.status.success() {
        return true;
    }
    let exists = docker(cli, engine)
        .args(["container", "inspect", name])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success();
    assert!(
        exists,
        "docker run {flags:?} failed and created nothing: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!(
        "note: docker run {flags:?} created the container but could not start it here ({}); auditing it as created",
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
    );
    false
}

/// container name → rules reported, from the JSON report.
fn rules_by_container(json: &str) -> std::collections::BTreeMap<String, BTreeSet<String>> {
    let v: Value = serde_json::from_str(json).unwrap();
    assert_eq!(v["version"], 1);
    let mut out = std::collections::BTreeMap::<String, BTreeSet<String>>::new();
    for f in v["findings"].as_array().unwrap() {
        let name = f["container"]["name"].as_str().unwrap().to_string();
        out.entry(name)
            .or_default()
            .insert(f["rule"].as_str().unwrap().to_string());
    }
    out
}

fn corpus() -> PathBuf {
    common::repo_root().join("../shared/corpus/docker-run.txt")
}

fn cgroup_v1(cli: &Path, engine: &common::Engine) -> bool {
    let out = docker(cli, engine)
        .args(["info", "--format", "{{.CgroupVersion}}"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim() == "1"
}

#[test]
fn cases_come_from_the_corpus() {
    let Ok(text) = std::fs::read_to_string(corpus()) else {
        eprintln!(
            "skipping: {} not found (shared/ is beside the repository in CI)",
            corpus().display()
        );
        return;
    };
    for case in CASES {
        if let Some(c) = case.corpus {
            assert!(
                text.lines().any(|l| !l.starts_with('#') && l.contains(c)),
                "{c:?} is not in the corpus"
            );
        }
    }
}

#[test]
fn audit_reports_what_plain_docker_run_left_open() {
    let Some(engine) = common::engine() else {
        return;
    };
    let Some(cli) = common::docker_cli() else {
        return;
    };
    common::require_test_image(&engine);
    let home = tempfile::tempdir().unwrap();
    let mut guard = common::ContainerGuard::new(&engine);
    let mut names = Vec::new();
    for case in CASES {
        let name = guard.name();
        start(&cli, &engine, &name, case.flags);
        names.push(name);
    }
    let mut args = vec!["audit", "--format", "json"];
    args.extend(names.iter().map(String::as_str));
    let out = harden(&engine, home.path(), &args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "audit must fail on these: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let found = rules_by_container(&String::from_utf8_lossy(&out.stdout));
    let v1 = cgroup_v1(&cli, &engine);
    let mut failures = Vec::new();
    for (case, name) in CASES.iter().zip(&names) {
        let rules = found.get(name).cloned().unwrap_or_default();
        for want in case.expect {
            if !rules.contains(*want) {
                failures.push(format!(
                    "{:?}: {want} not reported (got {rules:?})",
                    case.flags
                ));
            }
        }
        for artefact in ENGINE_ARTEFACTS {
            if rules.contains(*artefact) && !case.expect.contains(artefact) {
                failures.push(format!(
                    "{:?}: {artefact} reported for what the engine added",
                    case.flags
                ));
            }
        }
        if v1 && rules.contains("host-cgroupns") {
            failures.push(format!(
                "{:?}: host-cgroupns is the engine default on cgroup v1",
                case.flags
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // The text report names every container and the inspect path of each value.
    let mut args = vec!["audit"];
    args.extend(names.iter().map(String::as_str));
    let out = harden(&engine, home.path(), &args);
    let text = String::from_utf8_lossy(&out.stdout);
    for name in &names {
        assert!(text.contains(&format!("container {name} (")), "{text}");
    }
    assert!(text.contains("at HostConfig.Binds[0]"), "{text}");
    assert!(
        text.contains(&format!("{} containers audited; ", names.len())),
        "{text}"
    );

    // --fail-on never: findings, exit 0; SARIF validates.
    let mut args = vec!["audit", "--format", "sarif", "--fail-on", "never"];
    args.extend(names.iter().map(String::as_str));
    let out = harden(&engine, home.path(), &args);
    assert_eq!(out.status.code(), Some(0));
    validate_sarif(&out.stdout);
}

#[test]
fn audit_of_harden_run_containers_finds_nothing_to_fix() {
    let Some(engine) = common::engine() else {
        return;
    };
    common::require_test_image(&engine);
    let home = tempfile::tempdir().unwrap();
    let mut guard = common::ContainerGuard::new(&engine);
    for preset in ["default", "strict", "baseline"] {
        let name = guard.name();
        let out = harden(
            &engine,
            home.path(),
            &[
                "run",
                "-d",
                "--preset",
                preset,
                "--label",
                common::TEST_LABEL,
                "--name",
                &name,
                "-p",
                "8080",
                common::TEST_IMAGE,
                "sleep",
                "300",
            ],
        );
        assert!(
            out.status.success(),
            "harden run --preset {preset}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = harden(
            &engine,
            home.path(),
            &["audit", "--format", "json", "--preset", preset, &name],
        );
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let findings = v["findings"].as_array().unwrap();
        let fixable: Vec<&Value> = findings.iter().filter(|f| f["fixable"] == true).collect();
        assert!(
            fixable.is_empty(),
            "preset {preset}: harden run left fixable findings: {fixable:#?}"
        );
        if preset == "default" {
            // Audited with the default preset, none of its fixes is missing.
            let left: Vec<&str> = findings
                .iter()
                .filter_map(|f| f["rule"].as_str())
                .filter(|r| DEFAULT_FIXES.contains(r))
                .collect();
            assert!(left.is_empty(), "default preset left {left:?}");
            assert_eq!(
                out.status.code(),
                Some(0),
                "only info findings remain: {findings:#?}"
            );
        }
    }
}

/// Validates a SARIF log with python's `jsonschema` against the checked-in schema.
fn validate_sarif(sarif: &[u8]) {
    let schema = common::repo_root().join("tests/fixtures/sarif-2.1.0.json");
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.sarif");
    std::fs::write(&log, sarif).unwrap();
    let script = "import json, sys, jsonschema\n\
                  schema = json.load(open(sys.argv[1]))\n\
                  log = json.load(open(sys.argv[2]))\n\
                  jsonschema.Draft7Validator(schema).validate(log)\n\
                  print(len(log['runs'][0]['results']))\n";
    for python in ["/usr/bin/python3", "python3"] {
        let ok = Command::new(python)
            .args(["-c", "import jsonschema"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !ok {
            continue;
        }
        let out = Command::new(python)
            .args(["-c", script])
            .arg(&schema)
            .arg(&log)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "SARIF does not validate:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let results: usize = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
        assert!(results > 0);
        return;
    }
    common::unavailable::<()>("python3 with jsonschema not found; SARIF not validated");
}

#[test]
fn audit_without_an_engine_is_one_line_and_exit_2() {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(common::harden_bin())
        .args(["audit"])
        .current_dir(home.path())
        .env("HOME", home.path())
        .env("DOCKER_HOST", "unix:///nonexistent/harden-audit.sock")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr,
        "harden: Cannot connect to the Docker daemon at unix:///nonexistent/harden-audit.sock. Is the docker daemon running?\n"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn unknown_container_is_an_input_error() {
    let Some(engine) = common::engine() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let out = harden(
        &engine,
        home.path(),
        &["audit", "harden-test-no-such-container"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "harden: No such container: harden-test-no-such-container\n"
    );
}
