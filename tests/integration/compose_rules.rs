//! Per-rule Compose fixtures: `tests/fixtures/compose/rules/<id>/{bad,good}.yaml`, each linted
//! with only that rule enabled. Bad cases snapshot every output format (text, json, SARIF
//! results, GitHub annotations) and, when fixable, the fix diff, and must lint clean of that rule
//! after the fix; good cases must not fire it.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use crate::common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/compose/rules")
}

fn harden(dir: &Path, args: &[&str]) -> Output {
    common::harden_clean(dir, args, &[])
}

/// `(id, default action)` of every rule in the registry.
fn registry() -> Vec<(String, String)> {
    let out = harden(Path::new("."), &["rules", "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("rules json");
    v["rules"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            (
                r["id"].as_str().unwrap_or("").to_string(),
                r["default_action"].as_str().unwrap_or("warn").to_string(),
            )
        })
        .collect()
}

/// Rules with no Compose equivalent (none today: `--publish-all` is folded into port-host-ip).
const NOT_FOR_COMPOSE: &[&str] = &[];

/// A preset that enables only `id`.
fn only(dir: &Path, rules: &[(String, String)], id: &str) -> PathBuf {
    let mut text = String::from("extends: default\nrules:\n");
    for (r, action) in rules {
        let a = if r == id {
            if action == "off" { "warn" } else { action }
        } else {
            "\"off\""
        };
        text.push_str(&format!("  {r}: {a}\n"));
    }
    let p = dir.join("only.yaml");
    std::fs::write(&p, text).unwrap();
    p
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn findings_of(json: &str, id: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(json).unwrap_or(Value::Null);
    v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == id)
        .cloned()
        .collect()
}

#[test]
fn every_rule_has_compose_fixtures() {
    let rules = registry();
    assert!(
        !rules.is_empty(),
        "the rule registry is empty (the rule catalogue has not landed yet)"
    );
    for (id, _) in &rules {
        if NOT_FOR_COMPOSE.contains(&id.as_str()) {
            continue;
        }
        let d = fixtures().join(id);
        assert!(
            d.join("bad.yaml").is_file() && d.join("good.yaml").is_file(),
            "missing Compose fixtures for rule {id} in {}",
            d.display()
        );
    }
}

#[test]
fn per_rule_fixtures() {
    let rules = registry();
    assert!(!rules.is_empty(), "the rule registry is empty");
    let mut failures = Vec::new();
    for (id, _) in &rules {
        let src = fixtures().join(id);
        if !src.join("bad.yaml").is_file() {
            continue;
        }
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        for f in ["bad.yaml", "good.yaml"] {
            std::fs::copy(src.join(f), dir.join(f)).unwrap();
        }
        let preset = only(dir, &rules, id);
        let preset = preset.to_str().unwrap();
        let lint = |file: &str, format: &str| {
            harden(
                dir,
                &[
                    "compose", "-f", file, "--preset", preset, "lint", "--format", format,
                ],
            )
        };

        // Bad: fires, in every format.
        let json = lint("bad.yaml", "json");
        let found = findings_of(&stdout(&json), id);
        if found.is_empty() {
            failures.push(format!("{id}: bad.yaml does not fire"));
            continue;
        }
        if json.status.code() == Some(2) {
            failures.push(format!(
                "{id}: lint failed: {}",
                String::from_utf8_lossy(&json.stderr)
            ));
            continue;
        }
        let text = stdout(&lint("bad.yaml", "text"));
        let github = stdout(&lint("bad.yaml", "github"));
        let sarif: Value = serde_json::from_str(&stdout(&lint("bad.yaml", "sarif"))).unwrap();
        assert_eq!(sarif["version"], "2.1.0");
        let sarif_results = serde_json::to_string_pretty(&sarif["runs"][0]["results"]).unwrap();
        let mut snap = format!(
            "## text\n{text}\n## json\n{}\n## github\n{github}\n## sarif results\n{sarif_results}\n",
            stdout(&json)
        );

        // Fixable: the diff, then a clean re-lint.
        if found.iter().any(|f| f["fixable"] == true) {
            let diff = harden(
                dir,
                &[
                    "compose", "-f", "bad.yaml", "--preset", preset, "fix", "--diff",
                ],
            );
            snap.push_str(&format!("## fix --diff\n{}", stdout(&diff)));
            let fix = harden(
                dir,
                &["compose", "-f", "bad.yaml", "--preset", preset, "fix"],
            );
            assert!(fix.status.success(), "{id}: fix failed");
            let after = findings_of(&stdout(&lint("bad.yaml", "json")), id);
            if after.iter().any(|f| f["fixable"] == true) {
                failures.push(format!("{id}: still fixable after fix: {after:?}"));
            }
        }
        insta::with_settings!({snapshot_path => "../fixtures/compose/snapshots", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(id.as_str(), snap);
        });

        // Good: quiet.
        let good = findings_of(&stdout(&lint("good.yaml", "json")), id);
        if !good.is_empty() {
            failures.push(format!("{id}: good.yaml fires: {good:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Fixability of inherited values is settled across every service: with 150 services (linted
/// and planned on two threads, each its own half) the verdicts are those of a small project
/// planned on one thread. Services extending `base0` inherit a port that base0's own fix binds
/// (base0 is last: planned by the second thread, also for the first thread's services); those extending
/// `base1` (port-host-ip waived) do not.
#[test]
fn fixability_of_inherited_values_is_the_same_on_two_threads() {
    fn project(extending: usize) -> String {
        // base1 first and base0 last: services of each half extend a base the other half plans.
        let mut t = String::from(
            "services:\n  base1:\n    image: busybox:1\n    ports: [\"9001:91\"]\n    x-harden: {allow: [port-host-ip], reason: test}\n",
        );
        for i in 0..extending {
            t.push_str(&format!("  a{i}:\n    extends:\n      service: base0\n"));
            t.push_str(&format!("  b{i}:\n    extends:\n      service: base1\n"));
        }
        t.push_str("  base0:\n    image: busybox:1\n    ports: [\"9000:90\"]\n");
        t
    }
    let verdicts = |extending: usize| {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("compose.yaml"), project(extending)).unwrap();
        let out = harden(d.path(), &["compose", "lint", "--format", "json"]);
        let v: Value = serde_json::from_slice(&out.stdout).expect("lint json");
        let port = |svc: &str| {
            v["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|f| f["service"] == svc && f["rule"] == "port-host-ip")
                .map(|f| (f["fixable"].clone(), f["waived"].is_null()))
        };
        let last = extending - 1;
        [
            port("a0"),
            port(&format!("a{last}")),
            port("b0"),
            port(&format!("b{last}")),
        ]
    };
    let small = verdicts(3);
    let large = verdicts(74);
    assert_eq!(small, large);
    let (t, f) = (Value::Bool(true), Value::Bool(false));
    assert_eq!(
        small[0],
        Some((t.clone(), true)),
        "a0 inherits base0's fixed port"
    );
    assert_eq!(small[3], Some((f, true)), "b* inherit a port nobody fixes");
}
