//! The Compose corpus (`../shared/corpus/compose/**`, 64 real files): for every file, lint runs,
//! `fix --stdout` parses, validates against the Compose schema, is accepted by Compose v2
//! (`docker compose config`) wherever the original is (stubbed as ORACLE.md describes), keeps
//! every comment line, changes nothing outside what the reported fixes name, is idempotent, lint
//! after fix reports no fixable finding, and as Compose v2 resolves the fixed file every service
//! carries each hardening or harden says why not. `harden compose config` equals Compose v2's
//! `config` of the original apart from what harden hardens.
//!
//! The schema and Compose v2 oracles run through `tests/fixtures/compose/oracle.py` with a
//! python3 that has PyYAML and jsonschema, and `docker compose` v2; without them they are
//! skipped with a notice (and fail when HARDEN_E2E=require).
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use crate::common;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

fn harden(dir: &Path, args: &[&str]) -> Output {
    common::harden_clean(dir, args, &[])
}

fn files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for set in ["awesome-compose", "real-world"] {
        let dir = corpus().join("compose").join(set);
        for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Service keys a rule's fix may write.
fn keys_of(rule: &str) -> &'static [&'static str] {
    match rule {
        "cap-drop-all" => &["cap_drop"],
        "no-new-privileges" => &["security_opt"],
        "non-root-user" => &["user"],
        "read-only-rootfs" => &["read_only", "tmpfs"],
        "memory-limit" => &["mem_limit", "deploy"],
        "cpu-limit" => &["cpus", "cpu_quota", "deploy"],
        "pids-limit" => &["pids_limit", "deploy"],
        "port-host-ip" => &["ports"],
        "dangerous-capability" => &["cap_add"],
        "seccomp-unconfined"
        | "apparmor-unconfined"
        | "selinux-disabled"
        | "systempaths-unconfined" => &["security_opt"],
        _ => &[],
    }
}

fn yaml(text: &str) -> yaml_serde::Value {
    let mut v: yaml_serde::Value = yaml_serde::from_str(text).expect("parses");
    v.apply_merge().expect("merge keys");
    v
}

fn comment_lines(text: &str) -> Vec<String> {
    let mut v: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with('#'))
        .map(str::to_string)
        .collect();
    v.sort();
    v
}

fn contains_all(have: &[String], want: &[String]) -> bool {
    let mut have: Vec<&String> = have.iter().collect();
    for w in want {
        match have.iter().position(|h| *h == w) {
            Some(i) => {
                have.remove(i);
            }
            None => return false,
        }
    }
    true
}

#[derive(Default, Debug)]
struct Counts {
    files: usize,
    lint_ok: usize,
    fix_ok: usize,
    parses: usize,
    comments_kept: usize,
    only_named: usize,
    idempotent: usize,
    relint_clean: usize,
    schema_ok: usize,
    v2_original_ok: usize,
    v2_fixed_ok_where_original_ok: usize,
    carried: usize,
    config_equal: usize,
    findings: usize,
    fixed_findings: usize,
}

#[test]
fn corpus_lint_fix_and_oracles() {
    let files = files();
    assert_eq!(files.len(), 64, "the corpus has 64 Compose files");
    let work = tempfile::tempdir().unwrap();
    let mut c = Counts::default();
    let mut failures: Vec<String> = Vec::new();
    let mut pairs = Vec::new();
    for src in &files {
        c.files += 1;
        let set = src.parent().unwrap().file_name().unwrap().to_string_lossy();
        let name = format!("{set}/{}", src.file_name().unwrap().to_string_lossy());
        let dir = work.path().join(name.replace('/', "__"));
        std::fs::create_dir_all(&dir).unwrap();
        let original = std::fs::read_to_string(src).unwrap();
        std::fs::write(dir.join("original.yaml"), &original).unwrap();

        let lint = harden(
            &dir,
            &["compose", "-f", "original.yaml", "lint", "--format", "json"],
        );
        let code = lint.status.code().unwrap_or(-1);
        if code != 0 && code != 1 {
            failures.push(format!(
                "{name}: lint exit {code}: {}",
                String::from_utf8_lossy(&lint.stderr)
            ));
            continue;
        }
        c.lint_ok += 1;
        let report: Value = serde_json::from_slice(&lint.stdout).expect("lint json");
        let findings = report["findings"].as_array().cloned().unwrap_or_default();
        c.findings += findings.len();
        for f in &findings {
            let reason = f["unfixable_reason"].as_str().unwrap_or("");
            if reason.contains("would not parse") || reason.contains("cannot apply") {
                failures.push(format!("{name}: the fix back end failed: {reason}"));
            }
        }

        let fix = harden(&dir, &["compose", "-f", "original.yaml", "fix", "--stdout"]);
        if !fix.status.success() {
            failures.push(format!(
                "{name}: fix --stdout failed: {}",
                String::from_utf8_lossy(&fix.stderr)
            ));
            continue;
        }
        c.fix_ok += 1;
        let fixed = String::from_utf8(fix.stdout).unwrap();
        std::fs::write(dir.join("fixed.yaml"), &fixed).unwrap();

        if yaml_serde::from_str::<yaml_serde::Value>(&fixed).is_err() {
            failures.push(format!("{name}: fixed output does not parse"));
            continue;
        }
        c.parses += 1;

        if contains_all(&comment_lines(&fixed), &comment_lines(&original)) {
            c.comments_kept += 1;
        } else {
            failures.push(format!("{name}: a comment line was lost"));
        }

        // Nothing changes outside the keys the reported fixes name.
        let mut allowed: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
        for f in &findings {
            if f["fixable"] == true {
                let svc = f["service"].as_str().unwrap_or("").to_string();
                allowed
                    .entry(svc)
                    .or_default()
                    .extend(keys_of(f["rule"].as_str().unwrap_or("")));
            }
        }
        let (a, b) = (yaml(&original), yaml(&fixed));
        let mut outside = Vec::new();
        if let (Some(am), Some(bm)) = (a.as_mapping(), b.as_mapping()) {
            for (k, v) in am {
                if k.as_str() == Some("services") {
                    continue;
                }
                if bm.get(k) != Some(v) {
                    outside.push(format!("top-level {k:?}"));
                }
            }
            if am.len() != bm.len() {
                outside.push("top-level keys".into());
            }
        }
        let empty = yaml_serde::Mapping::new();
        let asvc = a["services"].as_mapping().unwrap_or(&empty);
        let bsvc = b["services"].as_mapping().unwrap_or(&empty);
        if asvc.len() != bsvc.len() {
            outside.push("service list".into());
        }
        for (k, av) in asvc {
            let svc = k.as_str().unwrap_or("");
            let bv = bsvc.get(k).cloned().unwrap_or_default();
            let keys: BTreeSet<String> = av
                .as_mapping()
                .into_iter()
                .chain(bv.as_mapping())
                .flat_map(|m| m.keys().filter_map(|k| k.as_str().map(str::to_string)))
                .collect();
            for key in keys {
                if av.get(&key) != bv.get(&key)
                    && !allowed.get(svc).is_some_and(|s| s.contains(key.as_str()))
                {
                    outside.push(format!("services.{svc}.{key}"));
                }
            }
        }
        if outside.is_empty() {
            c.only_named += 1;
        } else {
            failures.push(format!("{name}: changed outside the fixes: {outside:?}"));
        }
        c.fixed_findings += findings.iter().filter(|f| f["fixable"] == true).count();

        let again = harden(&dir, &["compose", "-f", "fixed.yaml", "fix", "--stdout"]);
        if again.status.success() && again.stdout == fixed.as_bytes() {
            c.idempotent += 1;
        } else {
            failures.push(format!("{name}: a second fix changes the file"));
        }
        let relint = harden(
            &dir,
            &["compose", "-f", "fixed.yaml", "lint", "--format", "json"],
        );
        let rc = relint.status.code().unwrap_or(-1);
        std::fs::write(dir.join("relint.json"), &relint.stdout).unwrap();
        pairs.push(serde_json::json!({
            "name": name,
            "original": dir.join("original.yaml"),
            "fixed": dir.join("fixed.yaml"),
            "relint": dir.join("relint.json"),
        }));
        let rep: Value = serde_json::from_slice(&relint.stdout).unwrap_or(Value::Null);
        let fixable: Vec<String> = rep["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["fixable"] == true)
            .map(|f| format!("{} {} {}", f["service"], f["rule"], f["message"]))
            .collect();
        if (rc == 0 || rc == 1) && fixable.is_empty() {
            c.relint_clean += 1;
        } else {
            failures.push(format!(
                "{name}: lint after fix (exit {rc}) still reports fixable findings: {fixable:?}"
            ));
        }
    }

    oracles(work.path(), &pairs, &mut c, &mut failures);
    println!("compose corpus: {c:#?}");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn oracles(work: &Path, pairs: &[Value], c: &mut Counts, failures: &mut Vec<String>) {
    let python = "/usr/bin/python3";
    let py_ok = Command::new(python)
        .args(["-c", "import yaml, jsonschema"])
        .output()
        .is_ok_and(|o| o.status.success());
    let v2 = Command::new("docker")
        .args(["compose", "version", "--short"])
        .output()
        .is_ok_and(|o| o.status.success() && o.stdout.starts_with(b"2"));
    if !py_ok || !v2 {
        let msg = "compose corpus: python3 with PyYAML and jsonschema, or Compose v2 \
                   (`docker compose`, scripts/install-compose-v2.sh), not found; schema and \
                   Compose v2 oracles skipped";
        if std::env::var("HARDEN_E2E").as_deref() == Ok("require") {
            panic!("{msg}");
        }
        println!("{msg}");
        return;
    }
    let list = work.join("pairs.json");
    std::fs::write(&list, serde_json::to_vec(pairs).unwrap()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/compose/oracle.py");
    let out = Command::new(python)
        .arg(script)
        .arg(corpus().join("compose-spec.json"))
        .arg(env!("CARGO_BIN_EXE_harden"))
        .arg(&list)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", work)
        .output()
        .expect("run oracle.py");
    assert!(
        out.status.success(),
        "oracle.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: BTreeMap<String, Value> = serde_json::from_slice(&out.stdout).unwrap();
    for (name, r) in results {
        if r["schema_ok"] == true {
            c.schema_ok += 1;
        } else {
            failures.push(format!("{name}: schema: {}", r["schema_err"]));
        }
        if r["v2_original"] != true {
            println!(
                "{name}: Compose v2 refuses the original: {}",
                r["v2_original_err"]
            );
            continue;
        }
        c.v2_original_ok += 1;
        if r["v2_fixed"] == true {
            c.v2_fixed_ok_where_original_ok += 1;
        } else {
            failures.push(format!(
                "{name}: docker compose config: {}",
                r["v2_fixed_err"]
            ));
        }
        if r["carried"] == true {
            c.carried += 1;
        } else {
            failures.push(format!(
                "{name}: hardening neither carried nor reported: {}",
                r["carried_missing"]
            ));
        }
        if r["config_equal"] == true {
            c.config_equal += 1;
        } else {
            failures.push(format!(
                "{name}: harden compose config differs from docker compose config: {} {}",
                r["harden_config_err"], r["config_diffs"]
            ));
        }
    }
}
