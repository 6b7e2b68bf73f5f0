//! The hooks of `.pre-commit-hooks.yaml` with the real pre-commit tool: `pre-commit try-repo`
//! points at this checkout, in a temporary git repository with a bad and a good Compose file.
//! `harden` is the binary under test, put first on PATH (the hooks are `language: system`).
//! Skipped with a notice when pre-commit is not installed; fails under `HARDEN_E2E=require`.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // test code

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BAD: &str = "\
services:
  app:
    image: harden-test/busybox:1
    privileged: true
";

/// Clean under the default preset (what `harden compose fix` writes, plus a health check).
const GOOD: &str = "\
services:
  app:
    image: harden-test/busybox:1
    user: \"65534:65534\"
    read_only: true
    mem_limit: 512m
    cpus: 1
    pids_limit: 256
    cap_drop: [ALL]
    security_opt: [\"no-new-privileges:true\"]
    tmpfs: [\"/tmp:rw,noexec,nosuid,nodev,size=64m,uid=65534,gid=65534\", \"/run:rw,noexec,nosuid,nodev,size=64m,uid=65534,gid=65534\"]
    healthcheck:
      test: [\"CMD\", \"true\"]
";

/// Fixable: nothing denied, only what `harden compose fix` rewrites.
const FIXABLE: &str = "\
services:
  app:
    image: harden-test/busybox:1
    healthcheck:
      test: [\"CMD\", \"true\"]
";

fn pre_commit() -> Option<PathBuf> {
    let found = Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        Some(PathBuf::from("pre-commit"))
    } else {
        common::unavailable("pre-commit is not installed (pip install pre-commit)")
    }
}

struct Repo {
    dir: tempfile::TempDir,
    cache: tempfile::TempDir,
}

impl Repo {
    fn new(files: &[(&str, &str)]) -> Repo {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let repo = Repo {
            dir,
            cache: tempfile::tempdir().unwrap(),
        };
        repo.git(&["init", "-q"]);
        repo.git(&["add", "-A"]);
        repo
    }

    fn git(&self, args: &[&str]) {
        let ok = Command::new("git")
            .args(args)
            .current_dir(self.dir.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    }

    /// `pre-commit try-repo <this checkout> HOOK --all-files`.
    fn try_hook(&self, pre_commit: &Path, hook: &str) -> Output {
        let bin_dir = common::harden_bin().parent().unwrap().to_path_buf();
        let path = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )))
        .unwrap();
        Command::new(pre_commit)
            .args(["try-repo"])
            .arg(common::repo_root())
            .args([hook, "--all-files", "--color", "never"])
            .current_dir(self.dir.path())
            .env("PATH", path)
            .env("PRE_COMMIT_HOME", self.cache.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("NO_COLOR", "1")
            .env_remove("HARDEN_PRESET")
            .output()
            .unwrap()
    }
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n{}{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn lint_hook_fails_on_a_bad_file_and_passes_a_good_one() {
    let Some(pc) = pre_commit() else { return };
    let bad = Repo::new(&[("compose.yaml", BAD), ("deploy/docker-compose.yml", GOOD)]);
    let out = bad.try_hook(&pc, "harden-compose-lint");
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("privileged"), "{t}");
    assert!(t.contains("harden compose lint"), "{t}");

    let good = Repo::new(&[("deploy/docker-compose.yml", GOOD), ("README.md", "x\n")]);
    let out = good.try_hook(&pc, "harden-compose-lint");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Passed"));
}

#[test]
fn fix_hook_rewrites_then_passes() {
    let Some(pc) = pre_commit() else { return };
    let repo = Repo::new(&[("compose.yaml", FIXABLE)]);
    let out = repo.try_hook(&pc, "harden-compose-fix");
    // pre-commit fails a hook that modified files.
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("files were modified by this hook"),
        "{}",
        text(&out)
    );
    let fixed = std::fs::read_to_string(repo.dir.path().join("compose.yaml")).unwrap();
    assert!(fixed.contains("cap_drop"), "{fixed}");
    repo.git(&["add", "-A"]);
    let out = repo.try_hook(&pc, "harden-compose-fix");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = repo.try_hook(&pc, "harden-compose-lint");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}
