//! The fuzz targets' checks (`fuzz/src/lib.rs`) on stable `cargo test`:
//!
//! - every input a fuzzer once failed on (`tests/fixtures/fuzz/<target>/*`), as a regression test;
//! - the seeds: the real `docker run` lines of `../shared/corpus/docker-run.txt`, the recorded
//!   CLI runs, the Compose corpus and every Compose fixture;
//! - a few thousand deterministic mutations of those seeds (a small stand-in for libFuzzer, so
//!   the properties are exercised without a nightly toolchain).
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

#[allow(dead_code)]
#[path = "../../fuzz/src/lib.rs"]
mod fuzz;

use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn files_under(dir: &Path, keep: &dyn Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p, keep));
        } else if keep(&p) {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn is_yaml(p: &Path) -> bool {
    p.extension().is_some_and(|x| x == "yaml" || x == "yml")
}

/// Inputs that once failed, per target.
fn regressions(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    files_under(&root().join("tests/fixtures/fuzz").join(target), &|_| true)
        .into_iter()
        .map(|p| {
            let data = std::fs::read(&p).unwrap();
            (p, data)
        })
        .collect()
}

#[test]
fn regressions_replay() {
    let mut n = 0;
    for (p, data) in regressions("argv") {
        eprintln!("argv: {}", p.display());
        fuzz::argv(&data);
        n += 1;
    }
    for (p, data) in regressions("compose_lint") {
        eprintln!("compose_lint: {}", p.display());
        fuzz::compose_lint(&data);
        n += 1;
    }
    for (p, data) in regressions("compose_fix") {
        eprintln!("compose_fix: {}", p.display());
        fuzz::compose_fix(&data);
        n += 1;
    }
    eprintln!("{n} regression inputs replayed");
}

/// Argument lists: the real `docker run` lines (split like a shell) and the recorded CLI runs.
fn argv_seeds() -> Vec<Vec<String>> {
    let mut seeds = Vec::new();
    let lines = root().join("../shared/corpus/docker-run.txt");
    if let Ok(text) = std::fs::read_to_string(&lines) {
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Ok(words) = shell_words::split(line) else {
                continue;
            };
            if let Some(i) = words.iter().position(|w| w == "run" || w == "create") {
                seeds.push(words[i + 1..].to_vec());
            }
        }
    } else {
        eprintln!(
            "{} is missing: only the recorded runs are seeds",
            lines.display()
        );
    }
    let runs = root().join("tests/fixtures/argv/cli-28.2.2-runs.jsonl");
    for line in std::fs::read_to_string(runs).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let args = v["args"].as_array().unwrap();
        seeds.push(
            args.iter()
                .map(|a| a.as_str().unwrap().to_string())
                .collect(),
        );
    }
    seeds
}

fn compose_seeds() -> Vec<String> {
    let mut dirs = vec![root().join("tests/fixtures"), root().join("examples")];
    dirs.push(root().join("../shared/corpus/compose"));
    dirs.iter()
        .flat_map(|d| files_under(d, &is_yaml))
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect()
}

#[test]
fn argv_seeds_hold() {
    let seeds = argv_seeds();
    assert!(seeds.len() > 500, "{} seeds", seeds.len());
    for args in &seeds {
        fuzz::check_args(args);
    }
}

#[test]
fn compose_seeds_hold() {
    let seeds = compose_seeds();
    assert!(seeds.len() > 60, "{} seeds", seeds.len());
    for text in &seeds {
        fuzz::compose_lint(text.as_bytes());
        fuzz::check_fix(text);
    }
}

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Byte-level mutations in the style of libFuzzer: flip, insert, delete, copy a chunk,
/// insert an interesting token.
fn mutate(rng: &mut Rng, data: &mut Vec<u8>, tokens: &[&[u8]]) {
    for _ in 0..1 + rng.below(4) {
        match rng.below(6) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] ^= 1 << rng.below(8);
            }
            1 => {
                let i = rng.below(data.len() + 1);
                const BYTES: &[u8] = b" -:,[]{}\n\0#&*'\"0";
                data.insert(i, BYTES[rng.below(BYTES.len())]);
            }
            2 if !data.is_empty() => {
                let i = rng.below(data.len());
                let n = rng.below(16).min(data.len() - i);
                data.drain(i..i + n);
            }
            3 if data.len() > 2 => {
                let a = rng.below(data.len());
                let n = rng.below(64).min(data.len() - a);
                let chunk = data[a..a + n].to_vec();
                let at = rng.below(data.len() + 1);
                data.splice(at..at, chunk);
            }
            _ => {
                let t = tokens[rng.below(tokens.len())];
                let at = rng.below(data.len() + 1);
                data.splice(at..at, t.iter().copied());
            }
        }
    }
}

#[test]
fn argv_mutations_hold() {
    let seeds: Vec<Vec<u8>> = argv_seeds()
        .iter()
        .map(|a| a.join("\0").into_bytes())
        .collect();
    let tokens: &[&[u8]] = &[
        b"\0--privileged",
        b"\0--cap-add\0ALL",
        b"\0-p\0",
        b"\0--read-only",
        b"\0--user\0",
        b"\0--cpus\0",
        b"\0--cpu-period\x00100000",
        b"\0--memory\0",
        b"\0--tmpfs\0/run",
        b"\0--mount\0type=tmpfs,dst=/tmp",
        b"\0--security-opt\0",
        b"\0--network\0host",
        b"\0--preset\0strict",
        b"\0--allow\0",
        b"\0--no-harden",
        b"=",
        b":",
        b"127.0.0.1:",
        b"[::1]:",
    ];
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    for i in 0..3000 {
        let mut data = seeds[i % seeds.len()].clone();
        mutate(&mut rng, &mut data, tokens);
        fuzz::argv(&data);
    }
}

#[test]
fn compose_mutations_hold() {
    let seeds: Vec<Vec<u8>> = compose_seeds()
        .into_iter()
        .filter(|s| s.len() < 16 << 10)
        .map(String::into_bytes)
        .collect();
    let tokens: &[&[u8]] = &[
        b"\n    privileged: true",
        b"\n    cap_add: [ALL]",
        b"\n    tmpfs: []",
        b"\n    security_opt: []",
        b"\n    read_only: false",
        b"\n    user: root",
        b"\n    ports: [\"80:80\"]",
        b"\n    <<: *a",
        b" &a",
        b"${X:-1}",
        b"  # harden: ignore[privileged] reason",
        b"{}",
        b"[]",
        b"\r\n",
    ];
    let mut rng = Rng(0x5eed_1234_abcd_0002);
    for i in 0..600 {
        let mut data = seeds[i % seeds.len()].clone();
        mutate(&mut rng, &mut data, tokens);
        fuzz::compose_lint(&data);
        fuzz::compose_fix(&data);
    }
}
