//! Who decides the policy: a machine policy that locks rules, a project file that weakens the
//! policy (reported as `policy-weakened` in every output format, refused by the commands that
//! run containers until trusted), `harden trust`, `--trust-project`.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output, Stdio};

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("project")).unwrap();
        Env { dir }
    }

    fn project(&self) -> std::path::PathBuf {
        self.dir.path().join("project")
    }

    fn write(&self, rel: &str, text: &str) {
        std::fs::write(self.dir.path().join(rel), text).unwrap();
    }

    fn harden(&self, args: &[&str], extra: &[(&str, &str)]) -> Output {
        let mut c = Command::new(env!("CARGO_BIN_EXE_harden"));
        c.args(args)
            .current_dir(self.project())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("XDG_STATE_HOME", self.dir.path().join("state"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("DOCKER_HOST", "unix:///nonexistent/harden-policy-test.sock")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        if !extra.iter().any(|(k, _)| *k == "HARDEN_POLICY") {
            // No machine policy unless the test gives one (never the host's /etc/harden).
            c.env(
                "HARDEN_POLICY",
                self.dir.path().join("no-machine-policy.yaml"),
            );
            std::fs::write(self.dir.path().join("no-machine-policy.yaml"), "{}\n").unwrap();
        }
        for (k, v) in extra {
            c.env(k, v);
        }
        c.output().unwrap()
    }
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const WEAKENS: &str =
    "# the team's exceptions\nrules:\n  privileged: \"off\"\n  docker-socket: \"off\"\n";
const RISKY_RUN: &[&str] = &[
    "run",
    "--dry-run",
    "--privileged",
    "-v",
    "/var/run/docker.sock:/var/run/docker.sock",
    "alpine:3.20",
    "true",
];

#[test]
fn a_weakening_project_file_is_refused_until_trusted() {
    let e = Env::new();
    e.write("project/.harden.yaml", WEAKENS);
    let o = e.harden(RISKY_RUN, &[]);
    assert_eq!(o.status.code(), Some(125), "{}", err(&o));
    let m = err(&o);
    assert!(
        m.contains("weakens the policy") && m.contains("privileged") && m.contains("line 3"),
        "{m}"
    );
    assert!(m.contains("harden trust"), "{m}");
    // For one command.
    let o = e.harden(
        &[&["run", "--trust-project"], &RISKY_RUN[1..]].concat(),
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(
        err(&o).contains("policy weakened: ") && err(&o).contains("privileged"),
        "{}",
        err(&o)
    );
    let o = e.harden(RISKY_RUN, &[("HARDEN_TRUST_PROJECT", "1")]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    // Trusted as it is now.
    let o = e.harden(&["trust"], &[]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        err(&o).contains(".harden.yaml:3: turns privileged from deny to off"),
        "{}",
        err(&o)
    );
    let o = e.harden(RISKY_RUN, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    // Any change needs a new trust.
    e.write(
        "project/.harden.yaml",
        &format!("{WEAKENS}  host-pid: \"off\"\n"),
    );
    let o = e.harden(RISKY_RUN, &[]);
    assert_eq!(o.status.code(), Some(125), "{}", err(&o));
    // A file that weakens nothing needs no trust.
    e.write("project/.harden.yaml", "memory: 1g\n");
    let o = e.harden(&["run", "--dry-run", "alpine:3.20", "true"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("--memory 1g"));
}

#[test]
fn compose_up_refuses_and_lint_reports_policy_weakened_everywhere() {
    let e = Env::new();
    e.write("project/.harden.yaml", WEAKENS);
    e.write(
        "project/compose.yaml",
        "services:\n  web:\n    image: nginx:1.27\n    privileged: true\n",
    );
    let stub = e.dir.path().join("compose-stub.sh");
    std::fs::write(
        &stub,
        "#!/bin/sh\ntouch \"$(dirname \"$0\")/compose-called\"\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
    let stub_env = [("HARDEN_DOCKER_COMPOSE", stub.to_str().unwrap())];
    let o = e.harden(&["compose", "up", "-d"], &stub_env);
    assert_ne!(o.status.code(), Some(0), "{}", err(&o));
    assert!(err(&o).contains("weakens the policy"), "{}", err(&o));
    assert!(!e.dir.path().join("compose-called").exists());
    let o = e.harden(&["compose", "--trust-project", "up", "-d"], &stub_env);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(e.dir.path().join("compose-called").exists());

    // Lint never refuses: the weakening is a finding at its line, in every format.
    let o = e.harden(&["compose", "lint", "--format", "json"], &[]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let items: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "policy-weakened")
        .collect();
    let lines: Vec<(String, u64)> = items
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        vec![
            (".harden.yaml".to_string(), 3),
            (".harden.yaml".to_string(), 4)
        ]
    );
    let o = e.harden(&["compose", "lint"], &[]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains(
            "3:1 warning policy-weakened: this project policy turns privileged from deny to off"
        ),
        "{text}"
    );
    let o = e.harden(&["compose", "lint", "--format", "github"], &[]);
    let gh = String::from_utf8_lossy(&o.stdout);
    assert!(
        gh.contains("::warning file=.harden.yaml,line=4,col=1,title=harden policy-weakened::"),
        "{gh}"
    );
    let o = e.harden(&["compose", "lint", "--format", "sarif"], &[]);
    let sarif: Value = serde_json::from_slice(&o.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let r = results
        .iter()
        .find(|r| r["ruleId"] == "policy-weakened")
        .unwrap();
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        ".harden.yaml"
    );
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(rules.iter().any(|r| r["id"] == "policy-weakened"));
}

#[test]
fn machine_locks_beat_project_files_and_keep_their_own_waivers() {
    let e = Env::new();
    e.write(
        "policy.yaml",
        "# the platform team's policy\nlocked:\n  - \"host-*\"\n  - privileged\nwaivers:\n  - rules: [privileged]\n    images: [\"docker:*dind*\"]\n    reason: CI builds images with Docker-in-Docker\n",
    );
    let machine = e.dir.path().join("policy.yaml");
    let m = [("HARDEN_POLICY", machine.to_str().unwrap())];
    e.write(
        "project/.harden.yaml",
        "rules:\n  privileged: \"off\"\n  host-network: warn\n",
    );
    let o = e.harden(
        &["run", "--dry-run", "--privileged", "alpine:3.20", "true"],
        &m,
    );
    assert_eq!(o.status.code(), Some(125), "{}", err(&o));
    let msg = err(&o);
    assert!(
        msg.contains(".harden.yaml:2") && msg.contains("policy.yaml:4"),
        "{msg}"
    );
    e.write(
        "project/compose.yaml",
        "services:\n  web:\n    image: alpine:3.20\n",
    );
    let o = e.harden(&["compose", "lint"], &m);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("locked by") && err(&o).contains("policy.yaml"),
        "{}",
        err(&o)
    );
    // Waiving a locked rule from the command line or a Compose file is refused too.
    std::fs::remove_file(e.project().join(".harden.yaml")).unwrap();
    let o = e.harden(
        &[
            "run",
            "--dry-run",
            "--allow",
            "host-pid",
            "--pid",
            "host",
            "alpine:3.20",
        ],
        &m,
    );
    assert_eq!(o.status.code(), Some(125), "{}", err(&o));
    assert!(err(&o).contains("locked"), "{}", err(&o));
    e.write(
        "project/compose.yaml",
        "services:\n  web:\n    image: alpine:3.20\n    network_mode: host  # harden: ignore[host-network] we need it\n",
    );
    let o = e.harden(&["compose", "lint"], &m);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("compose.yaml:4") && err(&o).contains("locked by"),
        "{}",
        err(&o)
    );
    // The lock's own waiver still applies.
    let o = e.harden(&["run", "--dry-run", "--privileged", "docker:27-dind"], &m);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    // And `presets show` says where each setting comes from.
    let o = e.harden(&["presets", "show"], &m);
    let shown = String::from_utf8_lossy(&o.stdout);
    assert!(
        shown.contains("machine policy") && shown.contains("locked:"),
        "{shown}"
    );
    assert!(Path::new(&machine).exists());
}

/// `--allow` names a real rule at every door: the session checks it once for all of them, before
/// anything else happens (no engine is needed to be told).
#[test]
fn every_door_rejects_an_unknown_allow_id() {
    let env = Env::new();
    env.write(
        "project/compose.yaml",
        "services:\n  web:\n    image: nginx\n",
    );
    let doors: &[(&[&str], i32)] = &[
        (
            &["run", "--allow", "typo", "--dry-run", "busybox", "true"],
            125,
        ),
        (
            &["create", "--allow", "typo", "--dry-run", "busybox", "true"],
            125,
        ),
        (&["learn", "--allow", "typo", "busybox", "true"], 125),
        (&["compose", "lint", "--allow", "typo"], 2),
        (&["compose", "fix", "--allow", "typo", "--stdout"], 2),
        (&["compose", "config", "--allow", "typo"], 2),
        (&["compose", "up", "--allow", "typo"], 2),
        (
            &[
                "stack",
                "deploy",
                "--allow",
                "typo",
                "-c",
                "compose.yaml",
                "s",
            ],
            2,
        ),
        (&["audit", "--allow", "typo"], 2),
    ];
    for (args, code) in doors {
        let o = env.harden(args, &[]);
        let e = err(&o);
        assert_eq!(o.status.code(), Some(*code), "{args:?}: {e}");
        assert!(
            e.contains("--allow typo: unknown rule `typo` (`harden rules` lists them)"),
            "{args:?}: {e}"
        );
        assert!(o.stdout.is_empty(), "{args:?}");
    }
    // The file is untouched by the refused fix.
    assert_eq!(
        std::fs::read_to_string(env.project().join("compose.yaml")).unwrap(),
        "services:\n  web:\n    image: nginx\n"
    );
}
