//! The shape of the crate (STYLE.md): dependencies between the top-level modules of `src/` point
//! one way (no import circle), nothing but `cli` imports `cli`, and only `cli` (and `main.rs`)
//! prints. Checked by reading the sources: every `crate::module` path, including the ones inside
//! `use crate::{a, b::c}` groups, outside `#[cfg(test)]` modules and comments.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file without comments and without its `#[cfg(test)]` modules.
fn production_code(text: &str) -> String {
    let mut out = String::new();
    let mut skip_depth: Option<usize> = None;
    let mut depth = 0usize;
    let mut pending_test = false;
    for line in text.lines() {
        let code = match line.find("//") {
            Some(i) if !line[..i].contains('"') => &line[..i],
            _ => line,
        };
        let trimmed = code.trim();
        if skip_depth.is_none() && trimmed.starts_with("#[cfg(test)]") {
            pending_test = true;
            continue;
        }
        let opens = code.matches('{').count();
        let closes = code.matches('}').count();
        if pending_test && skip_depth.is_none() {
            if opens > 0 {
                skip_depth = Some(depth);
                pending_test = false;
            } else if trimmed.ends_with(';') {
                // `#[cfg(test)] mod tests;` or a test-only `use`.
                pending_test = false;
                continue;
            }
        }
        depth = (depth + opens).saturating_sub(closes);
        if let Some(d) = skip_depth {
            if depth <= d && closes > 0 {
                skip_depth = None;
            }
            continue;
        }
        out.push_str(code);
        out.push('\n');
    }
    out
}

/// Top-level modules named by `crate::…` paths in `code`.
fn crate_refs(code: &str) -> BTreeSet<String> {
    let mut refs = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a, b::c, d::{e, f}}`: the first segment of each top-level item.
            let mut level = 0;
            let mut item = String::new();
            for ch in group.chars() {
                match ch {
                    '{' => level += 1,
                    '}' if level == 0 => break,
                    '}' => level -= 1,
                    ',' if level == 0 => {
                        refs.insert(first_segment(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(ch);
            }
            refs.insert(first_segment(&item));
        } else {
            refs.insert(first_segment(rest));
        }
    }
    refs.retain(|r| !r.is_empty());
    refs
}

fn first_segment(s: &str) -> String {
    s.trim()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

fn top_module(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

struct Crate {
    /// module → modules it imports (production code only).
    deps: BTreeMap<String, BTreeSet<String>>,
    /// file → production code.
    code: Vec<(PathBuf, String)>,
}

fn read_crate() -> Crate {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut code = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let prod = production_code(&text);
        let m = top_module(&src, &f);
        let entry = deps.entry(m.clone()).or_default();
        for r in crate_refs(&prod) {
            if r != m {
                entry.insert(r);
            }
        }
        code.push((f, prod));
    }
    Crate { deps, code }
}

/// Every module `from` reaches through imports.
fn reach(deps: &BTreeMap<String, BTreeSet<String>>, from: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![from.to_string()];
    while let Some(m) = todo.pop() {
        for d in deps.get(&m).into_iter().flatten() {
            if seen.insert(d.clone()) {
                todo.push(d.clone());
            }
        }
    }
    seen
}

#[test]
fn no_import_circle_between_top_level_modules() {
    let c = read_crate();
    assert!(c.deps.len() > 8, "modules found: {:?}", c.deps.keys());
    let mut circles = Vec::new();
    for m in c.deps.keys() {
        if m == "main" || m == "lib" {
            continue;
        }
        if reach(&c.deps, m).contains(m) {
            let back: Vec<&String> = c.deps[m]
                .iter()
                .filter(|d| reach(&c.deps, d).contains(m))
                .collect();
            circles.push(format!("{m} -> {back:?} -> … -> {m}"));
        }
    }
    assert!(
        circles.is_empty(),
        "import circles:\n{}\nedges: {:#?}",
        circles.join("\n"),
        c.deps
    );
}

#[test]
fn only_the_cli_imports_the_cli() {
    let c = read_crate();
    let offenders: Vec<&String> = c
        .deps
        .iter()
        .filter(|(m, d)| {
            m.as_str() != "cli" && m.as_str() != "main" && m.as_str() != "lib" && d.contains("cli")
        })
        .map(|(m, _)| m)
        .collect();
    assert!(offenders.is_empty(), "modules importing cli: {offenders:?}");
}

#[test]
fn the_session_sits_above_the_pipeline_parts() {
    let c = read_crate();
    let below = reach(&c.deps, "session");
    for m in [
        "check", "frontend", "rules", "fix", "preset", "spec", "engine", "render",
    ] {
        assert!(
            !reach(&c.deps, m).contains("session"),
            "{m} reaches session"
        );
    }
    assert!(
        below.contains("check") && below.contains("frontend"),
        "{below:?}"
    );
}

#[test]
fn only_the_cli_prints() {
    let c = read_crate();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    for (f, code) in &c.code {
        let m = top_module(&src, f);
        if m == "cli" || m == "main" {
            continue;
        }
        for (n, line) in code.lines().enumerate() {
            for mac in ["println!", "eprintln!", "print!(", "eprint!(", "dbg!("] {
                if line.contains(mac) {
                    found.push(format!("{}: {}", f.display(), line.trim()));
                    let _ = n;
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "printing outside cli:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_reader_sees_through_groups_comments_and_tests() {
    let code = production_code(
        "use crate::{a, b::c, d::{e, f}};\n// crate::z\nfn x() { crate::y::f(); }\n#[cfg(test)]\nmod tests {\n    use crate::t;\n}\nfn after() { crate::w::g(); }\n",
    );
    let refs: Vec<String> = crate_refs(&code).into_iter().collect();
    assert_eq!(refs, ["a", "b", "d", "w", "y"]);
}
