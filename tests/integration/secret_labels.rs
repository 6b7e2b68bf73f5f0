//! `secret-in-env` scored against a hand-labelled set: the credential-like environment variables
//! of the 64 corpus files (`../shared/corpus/compose/**`) and of the rule's fixtures, listed in
//! `tests/fixtures/compose/secret-labels.tsv` with whether each holds a credential written in the
//! file. harden lints every listed file with only that rule enabled; each finding must name a
//! labelled variable, and the true/false positives and misses must stay at the measured counts
//! (method and numbers: `bench/secret-in-env.md`). A change that moves them, for better or worse,
//! updates the counts here and the table there.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use crate::common;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Output;

const RULE: &str = "secret-in-env";

/// Measured on the labelled set (see `bench/secret-in-env.md`).
const TRUE_POSITIVES: usize = 62;
const FALSE_POSITIVES: usize = 2;
const MISSED: usize = 0;

type Key = (String, String, String);

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn harden(args: &[&str]) -> Output {
    common::harden_clean(root(), args, &[])
}

/// `(file, service, variable)` → is_secret, in file order.
fn labels() -> BTreeMap<Key, bool> {
    let path = root().join("tests/fixtures/compose/secret-labels.tsv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.starts_with("file\t") || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let secret = match cols.get(3) {
            Some(&"true") => true,
            Some(&"false") => false,
            _ => panic!(
                "{}:{}: want file, service, variable, true|false",
                path.display(),
                n + 1
            ),
        };
        let key = (
            cols[0].to_string(),
            cols[1].to_string(),
            cols[2].to_string(),
        );
        assert!(
            out.insert(key.clone(), secret).is_none(),
            "{}:{}: {key:?} is labelled twice",
            path.display(),
            n + 1
        );
    }
    out
}

/// A preset (written to `dir`) that enables only [`RULE`].
fn only_this_rule(dir: &Path) -> String {
    let out = harden(&["rules", "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("rules json");
    let mut text = String::from("extends: default\nrules:\n");
    for r in v["rules"].as_array().expect("rules") {
        let id = r["id"].as_str().unwrap_or_default();
        let action = if id == RULE { "warn" } else { "\"off\"" };
        text.push_str(&format!("  {id}: {action}\n"));
    }
    let p = dir.join("only.yaml");
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn precision_and_recall_on_the_labelled_set() {
    let labels = labels();
    let files: BTreeSet<&str> = labels.keys().map(|k| k.0.as_str()).collect();
    for f in &files {
        assert!(root().join(f).is_file(), "{f}: labelled file not found");
    }
    let tmp = tempfile::tempdir().unwrap();
    let preset = only_this_rule(tmp.path());
    let mut args = vec!["compose", "--preset", &preset, "lint", "--format", "json"];
    args.extend(files.iter().copied());
    let out = harden(&args);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "lint failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("lint json");

    let mut found: BTreeSet<Key> = BTreeSet::new();
    for f in v["findings"].as_array().expect("findings") {
        if f["rule"] != RULE {
            continue;
        }
        let message = f["message"].as_str().unwrap_or_default();
        let variable = message
            .strip_prefix("environment variable ")
            .and_then(|m| m.split(' ').next())
            .unwrap_or_else(|| panic!("message does not name the variable: {message}"));
        found.insert((
            f["file"].as_str().unwrap_or_default().to_string(),
            f["service"].as_str().unwrap_or_default().to_string(),
            variable.to_string(),
        ));
    }

    let unlabelled: Vec<&Key> = found.iter().filter(|k| !labels.contains_key(*k)).collect();
    assert!(
        unlabelled.is_empty(),
        "findings for variables that are not labelled (add them to secret-labels.tsv): {unlabelled:#?}"
    );
    let false_positives: Vec<&Key> = found.iter().filter(|k| !labels[*k]).collect();
    let missed: Vec<&Key> = labels
        .iter()
        .filter(|(k, secret)| **secret && !found.contains(*k))
        .map(|(k, _)| k)
        .collect();
    let tp = found.len() - false_positives.len();
    let precision = tp as f64 / found.len().max(1) as f64;
    let recall = tp as f64 / (tp + missed.len()).max(1) as f64;
    let measured = (TRUE_POSITIVES, FALSE_POSITIVES, MISSED);
    assert_eq!(
        (tp, false_positives.len(), missed.len()),
        measured,
        "precision {precision:.3}, recall {recall:.3} (measured {:.3}, {:.3})\n\
         false positives: {false_positives:#?}\nmissed: {missed:#?}\n\
         update the counts here and bench/secret-in-env.md if this is an improvement",
        TRUE_POSITIVES as f64 / (TRUE_POSITIVES + FALSE_POSITIVES) as f64,
        TRUE_POSITIVES as f64 / (TRUE_POSITIVES + MISSED) as f64,
    );
}
