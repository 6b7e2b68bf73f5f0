//! `harden presets schema` stays in step with the preset loader: the built-in presets validate,
//! and for each sample file the schema (python3's jsonschema, Draft 7) accepts it exactly when
//! `harden presets show FILE` does. Skipped with a notice without python3-jsonschema (fails when
//! HARDEN_E2E=require).
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use std::process::Command;

const SAMPLES: &[(&str, &str)] = &[
    ("memory", "memory: 1g\ncpus: 0.5\npids_limit: 100\n"),
    (
        "rules",
        "extends: strict\nrules:\n  privileged: warn\n  healthcheck: \"off\"\n",
    ),
    ("fix-without-fix", "rules:\n  healthcheck: fix\n"),
    ("unknown-rule", "rules:\n  privilegd: warn\n"),
    ("unknown-key", "memroy: 1g\n"),
    (
        "waiver",
        "waivers:\n  - rules: [privileged]\n    images: [\"docker:*dind*\"]\n    reason: CI\n",
    ),
    ("waiver-no-reason", "waivers:\n  - rules: [privileged]\n"),
    (
        "waiver-unknown-rule",
        "waivers:\n  - rules: [nope]\n    reason: x\n",
    ),
    ("locked", "locked: [\"host-*\", privileged]\n"),
    (
        "profile",
        "images:\n  nginx:\n    reason: its own account\n    user: \"101:101\"\n    tmpfs:\n      - path: /var/cache/nginx\n        mode: \"1777\"\n        reason: temp files\n    cap_add: [NET_BIND_SERVICE]\n    volumes:\n      - path: /data\n        reason: state\n",
    ),
    (
        "profile-no-reason",
        "images:\n  nginx:\n    user: \"101:101\"\n",
    ),
    (
        "profile-named-user",
        "images:\n  nginx:\n    reason: r\n    user: nginx\n",
    ),
    (
        "profile-relative-tmpfs",
        "images:\n  nginx:\n    reason: r\n    tmpfs:\n      - path: cache\n        reason: r\n",
    ),
    (
        "profile-unknown-cap",
        "images:\n  nginx:\n    reason: r\n    cap_add: [FLY]\n",
    ),
    (
        "profile-unknown-key",
        "images:\n  nginx:\n    reason: r\n    env: {A: b}\n",
    ),
    ("tmpfs-relative", "tmpfs:\n  paths: [tmp]\n"),
    (
        "caps",
        "allowed_capabilities: [NET_BIND_SERVICE, CAP_CHOWN]\n",
    ),
];

#[test]
fn the_schema_accepts_what_the_loader_accepts() {
    let python = "/usr/bin/python3";
    let ok = Command::new(python)
        .args(["-c", "import jsonschema, yaml"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        if std::env::var("HARDEN_E2E").as_deref() == Ok("require") {
            panic!("HARDEN_E2E=require but python3 with jsonschema and yaml is missing");
        }
        println!("skipping: python3 with jsonschema and yaml is missing");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let harden = env!("CARGO_BIN_EXE_harden");
    let out = Command::new(harden)
        .args(["presets", "schema"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let schema = d.path().join("schema.json");
    std::fs::write(&schema, &out.stdout).unwrap();
    let mut files = Vec::new();
    for (name, text) in SAMPLES {
        let p = d.path().join(format!("{name}.yaml"));
        std::fs::write(&p, text).unwrap();
        files.push((name.to_string(), p));
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("presets");
    for b in ["default", "strict", "baseline"] {
        files.push((format!("builtin-{b}"), root.join(format!("{b}.yaml"))));
    }
    let script = "import json, sys, yaml, jsonschema\n\
        v = jsonschema.Draft7Validator(json.load(open(sys.argv[1])))\n\
        for p in sys.argv[2:]:\n\
        \x20   doc = yaml.safe_load(open(p)) or {}\n\
        \x20   errs = list(v.iter_errors(doc))\n\
        \x20   print(p, 'ok' if not errs else 'bad: ' + errs[0].message)\n";
    let out = Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(&schema)
        .args(files.iter().map(|(_, p)| p))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let verdicts = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut disagreements = Vec::new();
    for (name, p) in &files {
        let line = verdicts
            .lines()
            .find(|l| l.starts_with(&format!("{} ", p.display())))
            .unwrap_or("");
        let schema_ok = line.ends_with(" ok");
        let loader_ok = Command::new(harden)
            .args(["presets", "show"])
            .arg(p)
            .env(
                "HARDEN_POLICY",
                d.path().join("schema.json").with_extension("none"),
            )
            .output()
            .unwrap()
            .status
            .success();
        if schema_ok != loader_ok {
            disagreements.push(format!("{name}: schema {line:?}, loader ok={loader_ok}"));
        }
        // Not vacuous: the bad samples are bad, the good ones good.
        let bad = ["unknown", "no-reason", "relative", "named", "fix-without"]
            .iter()
            .any(|b| name.contains(b));
        assert_eq!(schema_ok, !bad, "{name}: {line}");
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
