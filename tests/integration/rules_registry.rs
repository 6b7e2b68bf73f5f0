//! Invariants over the rule registry: stable ids, documents, fixes, CIS references, and that every
//! rule fires on a spec that breaks everything and stays quiet on a hardened one.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use harden::fix::Change;
use harden::preset::Settings;
use harden::rules::{self, Action, REGISTRY, Rule};
use harden::spec::{
    At, EnvVar, Health, ImageFacts, Mount, MountKind, Origin, Port, Restart, Spec, Tmpfs,
};
use std::collections::BTreeSet;

/// Ids are stable forever: changing this list is a breaking change.
const IDS: [&str; 36] = [
    "cap-drop-all",
    "no-new-privileges",
    "non-root-user",
    "read-only-rootfs",
    "memory-limit",
    "cpu-limit",
    "pids-limit",
    "port-host-ip",
    "privileged",
    "dangerous-capability",
    "host-network",
    "host-pid",
    "host-ipc",
    "host-uts",
    "host-userns",
    "host-cgroupns",
    "docker-socket",
    "sensitive-mount",
    "mount-propagation",
    "seccomp-unconfined",
    "apparmor-unconfined",
    "selinux-disabled",
    "systempaths-unconfined",
    "host-devices",
    "privileged-port",
    "restart-policy",
    "healthcheck",
    "data-volume",
    "image-tag",
    "image-digest",
    "cgroup-parent",
    "unsafe-sysctl",
    "oom-kill-disable",
    "secret-in-env",
    "tmpfs-exec",
    "logging-disabled",
];

const HEADINGS: [&str; 5] = ["## Why", "## Example", "## Fix", "## Waive", "## Reference"];

fn rule(id: &str) -> &'static dyn Rule {
    rules::find(id).unwrap_or_else(|| panic!("no rule {id}"))
}

fn o(i: usize) -> Origin {
    Origin::Argv {
        index: i,
        flag: "--x".into(),
    }
}

fn at<T>(v: T, i: usize) -> At<T> {
    At::new(v, o(i))
}

fn s(v: &str, i: usize) -> At<String> {
    at(v.to_string(), i)
}

fn bind(source: &str, target: &str, propagation: Option<&str>) -> Mount {
    Mount {
        kind: MountKind::Bind,
        source: Some(source.into()),
        target: target.into(),
        read_only: false,
        propagation: propagation.map(Into::into),
    }
}

/// A spec that breaks every rule at once (the namespace rules each read their own field).
fn everything_wrong() -> Spec {
    Spec {
        name: Some("bad".into()),
        command: Vec::new(),
        image: Some(s("app:latest", 1)),
        image_facts: ImageFacts::default(),
        user: Some(s("root", 2)),
        privileged: Some(at(true, 3)),
        cap_add: vec![s("CAP_SYS_ADMIN", 4)],
        cap_drop: vec![],
        security_opt: vec![
            s("no-new-privileges=false", 5),
            s("seccomp=unconfined", 6),
            s("apparmor:unconfined", 7),
            s("label=disable", 8),
            s("systempaths=unconfined", 9),
        ],
        read_only: None,
        tmpfs: vec![at(
            Tmpfs {
                target: "/scratch".into(),
                options: "exec".into(),
            },
            10,
        )],
        mounts: vec![
            bind("/var/run/docker.sock", "/var/run/docker.sock", None),
            bind("/etc", "/host/etc", None),
            bind("/mnt", "/mnt", Some("rshared")),
        ]
        .into_iter()
        .enumerate()
        .map(|(i, m)| at(m, 11 + i))
        .collect(),
        ports: vec![at(
            Port {
                host_ip: String::new(),
                host_port: "80".into(),
                container_port: "80".into(),
                protocol: "tcp".into(),
            },
            14,
        )],
        expose: vec![],
        publish_all: Some(at(true, 15)),
        memory: None,
        memory_swap: None,
        memory_reservation: None,
        nano_cpus: None,
        cpu_quota: None,
        cpu_period: None,
        pids_limit: None,
        // `host` network would make the engine discard published ports; the namespace rule for
        // the network is checked on its own below.
        network_mode: None,
        pid_mode: Some(s("host", 16)),
        ipc_mode: Some(s("host", 17)),
        uts_mode: Some(s("host", 18)),
        userns_mode: Some(s("host", 19)),
        cgroupns_mode: Some(s("host", 20)),
        devices: vec![s("/dev/kvm", 21)],
        restart: Some(at(
            Restart {
                name: "always".into(),
                max_retries: 0,
            },
            22,
        )),
        healthcheck: Some(at(Health::Disabled, 23)),
        cgroup_parent: Some(s("/custom", 24)),
        sysctls: vec![at(("net.ipv4.ip_forward".into(), "1".into()), 25)],
        oom_kill_disable: Some(at(true, 26)),
        env: vec![at(
            EnvVar {
                name: "DB_PASSWORD".into(),
                value: Some("hunter2".into()),
                literal: true,
            },
            27,
        )],
        log_driver: Some(s("none", 28)),
    }
}

/// A spec no rule objects to.
fn hardened() -> Spec {
    let digest = "0123456789abcdef".repeat(4);
    Spec {
        name: Some("good".into()),
        command: Vec::new(),
        image: Some(s(
            &format!("registry.example:5000/app:1.4@sha256:{digest}"),
            1,
        )),
        image_facts: ImageFacts {
            user: Some("app".into()),
            exposed_ports: Some(vec!["8080/tcp".into()]),
            volumes: Some(vec![]),
            has_healthcheck: Some(true),
            ..ImageFacts::default()
        },
        user: Some(s("1000:1000", 2)),
        privileged: Some(at(false, 3)),
        cap_add: vec![s("CAP_NET_BIND_SERVICE", 4)],
        cap_drop: vec![s("ALL", 5)],
        security_opt: vec![s("no-new-privileges:true", 6)],
        read_only: Some(at(true, 7)),
        tmpfs: vec![
            at(
                Tmpfs {
                    target: "/tmp".into(),
                    options: "rw,noexec,nosuid,size=64m".into(),
                },
                8,
            ),
            at(
                Tmpfs {
                    target: "/run".into(),
                    options: "rw,noexec,nosuid,size=8m,uid=1000,gid=1000".into(),
                },
                8,
            ),
        ],
        mounts: vec![
            at(
                Mount {
                    read_only: true,
                    ..bind("/etc/localtime", "/etc/localtime", None)
                },
                9,
            ),
            at(bind("/srv/app/data", "/data", Some("rprivate")), 10),
        ],
        ports: vec![at(
            Port {
                host_ip: "127.0.0.1".into(),
                host_port: "8080".into(),
                container_port: "8080".into(),
                protocol: "tcp".into(),
            },
            11,
        )],
        expose: vec![s("8080/tcp", 12)],
        publish_all: Some(at(false, 13)),
        memory: Some(at(256 << 20, 14)),
        memory_swap: Some(at(256 << 20, 15)),
        memory_reservation: None,
        nano_cpus: Some(at(500_000_000, 16)),
        cpu_quota: None,
        cpu_period: None,
        pids_limit: Some(at(128, 17)),
        network_mode: Some(s("backend", 18)),
        pid_mode: None,
        ipc_mode: Some(s("private", 19)),
        uts_mode: None,
        userns_mode: None,
        cgroupns_mode: Some(s("private", 20)),
        devices: vec![],
        restart: Some(at(
            Restart {
                name: "on-failure".into(),
                max_retries: 5,
            },
            21,
        )),
        healthcheck: Some(at(Health::Defined, 22)),
        cgroup_parent: None,
        sysctls: vec![at(
            ("net.ipv4.ip_unprivileged_port_start".into(), "0".into()),
            23,
        )],
        oom_kill_disable: Some(at(false, 24)),
        env: vec![
            at(
                EnvVar {
                    name: "DB_PASSWORD_FILE".into(),
                    value: Some("/run/secrets/db".into()),
                    literal: true,
                },
                25,
            ),
            at(
                EnvVar {
                    name: "API_TOKEN".into(),
                    value: Some("${API_TOKEN}".into()),
                    literal: false,
                },
                26,
            ),
        ],
        log_driver: Some(s("local", 27)),
    }
}

#[test]
fn ids_are_the_stable_list_in_registry_order() {
    let ids: Vec<&str> = rules::ids().collect();
    assert_eq!(ids, IDS);
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate ids");
}

#[test]
fn ids_are_kebab_case() {
    for id in rules::ids() {
        let ok = !id.is_empty()
            && !id.starts_with('-')
            && !id.ends_with('-')
            && !id.contains("--")
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        assert!(ok, "{id} is not kebab-case");
    }
}

#[test]
fn docs_have_the_five_sections_in_order() {
    for r in REGISTRY {
        let m = r.meta();
        let doc = m.document();
        let headings: Vec<&str> = doc
            .lines()
            .filter(|l| l.starts_with('#'))
            .map(str::trim_end)
            .collect();
        assert_eq!(headings, HEADINGS, "{}: headings", m.id);
        for h in HEADINGS {
            let body = doc.split(h).nth(1).unwrap().split("\n## ").next().unwrap();
            assert!(!body.trim().is_empty(), "{}: empty section {h}", m.id);
        }
        let waive = doc.split("## Waive").nth(1).unwrap();
        assert!(
            waive.contains(&format!("--allow {}", m.id))
                && waive.contains(&format!("ignore[{}]", m.id)),
            "{}: Waive must show how to waive this id",
            m.id
        );
        let fix = doc.split("## Fix").nth(1).unwrap();
        if m.fix.is_none() {
            assert!(
                fix.contains("No automatic fix"),
                "{}: a rule without a fix must say so",
                m.id
            );
        }
    }
}

#[test]
fn cis_references_look_like_numbers_and_appear_in_the_doc() {
    for r in REGISTRY {
        let m = r.meta();
        let doc = m.document();
        let reference = doc.split("## Reference").nth(1).unwrap();
        match m.cis {
            Some(c) => {
                let parts: Vec<&str> = c.split('.').collect();
                assert!(
                    parts.len() == 2
                        && parts
                            .iter()
                            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())),
                    "{}: CIS {c:?} is not N.N",
                    m.id
                );
                assert!(
                    reference.contains(&format!("v1.6.0, {c}:")),
                    "{}: Reference must name CIS {c}",
                    m.id
                );
            }
            None => assert!(
                reference.contains("No CIS Docker Benchmark"),
                "{}: Reference must say there is no CIS recommendation",
                m.id
            ),
        }
        assert!(!m.title.is_empty() && !m.title.ends_with('.'), "{}", m.id);
    }
}

#[test]
fn default_fix_rules_have_a_fix() {
    for r in REGISTRY {
        let m = r.meta();
        if m.default_action == Action::Fix {
            assert!(
                m.fix.is_some(),
                "{} is fixed by default but has no fix",
                m.id
            );
        }
    }
}

/// For each fixable rule, a spec it must fix, and a change its fix must contain.
fn fix_cases() -> Vec<(&'static str, Spec, Change)> {
    let mut with_cap = Spec::default();
    with_cap.cap_add.push(s("CAP_SYS_MODULE", 1));
    let opts = |o: &str| {
        let mut spec = Spec::default();
        spec.security_opt.push(s(o, 1));
        spec
    };
    let mut port = Spec::default();
    port.ports.push(at(
        Port {
            host_ip: "0.0.0.0".into(),
            host_port: "5432".into(),
            container_port: "5432".into(),
            protocol: "tcp".into(),
        },
        2,
    ));
    vec![
        ("cap-drop-all", Spec::default(), Change::DropAllCapabilities),
        (
            "no-new-privileges",
            Spec::default(),
            Change::SetNoNewPrivileges,
        ),
        (
            "non-root-user",
            Spec::default(),
            Change::SetUser {
                user: "65534:65534".into(),
            },
        ),
        (
            "read-only-rootfs",
            Spec::default(),
            Change::SetReadOnlyRootfs,
        ),
        (
            "memory-limit",
            Spec::default(),
            Change::SetMemory { bytes: 512 << 20 },
        ),
        (
            "cpu-limit",
            Spec::default(),
            Change::SetNanoCpus {
                nano_cpus: 1_000_000_000,
            },
        ),
        (
            "pids-limit",
            Spec::default(),
            Change::SetPidsLimit { limit: 256 },
        ),
        (
            "port-host-ip",
            port,
            Change::bind_port(
                "5432".into(),
                "tcp".into(),
                "5432".into(),
                "127.0.0.1".into(),
                o(2),
            ),
        ),
        (
            "dangerous-capability",
            with_cap,
            Change::RemoveCapability {
                capability: "CAP_SYS_MODULE".into(),
            },
        ),
        (
            "seccomp-unconfined",
            opts("seccomp:unconfined"),
            Change::RemoveSecurityOpt {
                option: "seccomp:unconfined".into(),
            },
        ),
        (
            "apparmor-unconfined",
            opts("apparmor=unconfined"),
            Change::RemoveSecurityOpt {
                option: "apparmor=unconfined".into(),
            },
        ),
        (
            "selinux-disabled",
            opts("label=disable"),
            Change::RemoveSecurityOpt {
                option: "label=disable".into(),
            },
        ),
        (
            "systempaths-unconfined",
            opts("systempaths=unconfined"),
            Change::RemoveSecurityOpt {
                option: "systempaths=unconfined".into(),
            },
        ),
    ]
}

#[test]
fn every_fixable_rule_has_a_fix_test_and_it_produces_the_change() {
    let cases = fix_cases();
    let tested: BTreeSet<&str> = cases.iter().map(|(id, _, _)| *id).collect();
    let fixable: BTreeSet<&str> = REGISTRY
        .iter()
        .filter(|r| r.meta().fix.is_some())
        .map(|r| r.meta().id)
        .collect();
    assert_eq!(
        tested, fixable,
        "fix tests must cover exactly the fixable rules"
    );
    for (id, spec, change) in cases {
        let findings = rule(id).check(&spec, &Settings::default());
        assert!(
            findings.iter().any(|f| f.changes.contains(&change)),
            "{id}: no finding carries {change:?}: {findings:#?}"
        );
    }
}

#[test]
fn rules_without_a_fix_never_propose_changes() {
    let spec = everything_wrong();
    for r in REGISTRY.iter().filter(|r| r.meta().fix.is_none()) {
        for f in r.check(&spec, &Settings::default()) {
            assert!(f.changes.is_empty(), "{}: {f:?}", r.meta().id);
        }
    }
}

#[test]
fn every_rule_fires_on_a_spec_that_breaks_everything() {
    let spec = everything_wrong();
    let settings = Settings::default();
    for r in REGISTRY {
        let id = r.meta().id;
        let spec = if id == "host-network" {
            Spec {
                network_mode: Some(s("host", 30)),
                ..spec.clone()
            }
        } else {
            spec.clone()
        };
        // data-volume fires only for an image whose profile names a data path.
        let settings = if id == "data-volume" {
            Settings {
                profile_volumes: vec![rules::ProfileVolume {
                    path: "/data".into(),
                    reason: "its database".into(),
                }],
                ..settings.clone()
            }
        } else {
            settings.clone()
        };
        let findings = r.check(&spec, &settings);
        assert!(!findings.is_empty(), "{id} did not fire");
        for f in &findings {
            assert_eq!(f.rule, id);
            assert!(
                !f.message.is_empty() && !f.message.contains('\n'),
                "{id}: message must be one line: {:?}",
                f.message
            );
            assert!(!f.message.contains("hunter2"), "{id} printed a secret");
            if f.origin == Origin::Missing {
                // Only settings that are absent from the spec may point nowhere.
                assert!(
                    [
                        "cap-drop-all",
                        "read-only-rootfs",
                        "memory-limit",
                        "cpu-limit",
                        "pids-limit",
                        "data-volume"
                    ]
                    .contains(&id),
                    "{id}: finding without origin"
                );
            }
        }
    }
}

#[test]
fn no_rule_fires_on_a_hardened_spec() {
    let spec = hardened();
    for r in REGISTRY {
        let findings = r.check(&spec, &Settings::default());
        assert!(findings.is_empty(), "{}: {findings:#?}", r.meta().id);
    }
}

#[test]
fn only_read_only_sensitive_mounts_are_advisory() {
    let spec = everything_wrong();
    for r in REGISTRY {
        for f in r.check(&spec, &Settings::default()) {
            assert!(
                !f.advisory,
                "{}: writable or non-mount finding is advisory",
                f.rule
            );
        }
    }
    let mut spec = Spec::default();
    spec.mounts.push(at(
        Mount {
            read_only: true,
            ..bind("/", "/host", None)
        },
        1,
    ));
    let f = rule("sensitive-mount").check(&spec, &Settings::default());
    assert_eq!(f.len(), 1);
    assert!(f[0].advisory);
}
