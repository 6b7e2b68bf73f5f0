//! Fixes as the connected engine can take them ([`EngineFacts`]):
//!
//! - Podman's tmpfs refuses `uid=`/`gid=` (`unknown mount option "uid=65534": invalid mount
//!   option`). It has `U` instead, which gives the tmpfs to the container's user, so a tmpfs for
//!   the run user gets `U`; one for another owner (a profile's `uid:`) is made world-writable
//!   with the sticky bit (`mode=1777`), the way `/tmp` is.
//! - An engine that cannot apply a CPU limit (rootless on cgroup v1, no cpu controller, no CFS
//!   quota) gets none: the `cpu-limit` finding stays a warning whose message says why.

use super::Change;
use crate::check::Outcome;
use crate::engine::facts::EngineFacts;
use crate::frontend::argv::Parsed;
use crate::rules::Action;

/// The changes whose rendering depends on the engine: only then are its facts needed.
pub fn depends_on_engine(changes: &[(&'static str, Change)]) -> bool {
    changes.iter().any(|(_, c)| match c {
        Change::SetNanoCpus { .. } | Change::SetCpuQuota { .. } => true,
        Change::AddTmpfs { options, .. } => has_owner(options),
        Change::SetTmpfsOwner { .. } => true,
        _ => false,
    })
}

fn has_owner(options: &str) -> bool {
    options
        .split(',')
        .map(str::trim)
        .any(|o| o.starts_with("uid=") || o.starts_with("gid="))
}

/// The numeric uid of a `--user` value (`65534:65534` → 65534), when it is numeric.
fn numeric_uid(user: Option<&str>) -> Option<u32> {
    let user = user?.trim();
    let uid = user.split_once(':').map_or(user, |(u, _)| u);
    uid.parse().ok()
}

/// Tmpfs options for Podman: `uid=`/`gid=` become `U` when they name the run user (or the run
/// user is not numeric, when they were derived from it), `mode=1777` otherwise.
pub fn podman_tmpfs_options(options: &str, run_user: Option<&str>) -> String {
    if !has_owner(options) {
        return options.to_string();
    }
    let uid = options
        .split(',')
        .map(str::trim)
        .find_map(|o| o.strip_prefix("uid="))
        .and_then(|u| u.parse::<u32>().ok());
    let run_uid = numeric_uid(run_user);
    let for_run_user = match (uid, run_uid) {
        (Some(u), Some(r)) => u == r,
        // Only a gid, or a named run user: the owner was derived from the run user.
        _ => true,
    };
    let mut out: Vec<&str> = options
        .split(',')
        .map(str::trim)
        .filter(|o| {
            !o.is_empty()
                && !o.starts_with("uid=")
                && !o.starts_with("gid=")
                && (for_run_user || !o.starts_with("mode="))
        })
        .collect();
    if for_run_user {
        if !out.contains(&"U") {
            out.push("U");
        }
    } else {
        out.push("mode=1777");
    }
    out.join(",")
}

/// Adapts the fixes of `outcome` to the engine; true when anything changed (the plan must then
/// be rendered again from `outcome.changes()`). `run_user` is the hardened `--user`.
pub fn adapt(outcome: &mut Outcome, facts: &EngineFacts, run_user: Option<&str>) -> bool {
    let mut changed = false;
    let no_cpu = facts.cpu_limit_unsupported();
    for f in &mut outcome.findings {
        if let Some(why) = &no_cpu
            && f.is_fix()
            && f.finding
                .changes
                .iter()
                .any(|c| matches!(c, Change::SetNanoCpus { .. } | Change::SetCpuQuota { .. }))
        {
            f.finding
                .changes
                .retain(|c| !matches!(c, Change::SetNanoCpus { .. } | Change::SetCpuQuota { .. }));
            if f.finding.changes.is_empty() {
                f.action = Action::Warn;
            }
            f.finding.message = format!(
                "{} (no CPU limit added: {why})",
                f.finding.message.trim_end_matches('.')
            );
            changed = true;
        }
        if !facts.tmpfs_takes_owner_options() {
            for c in &mut f.finding.changes {
                if let Change::AddTmpfs { options, .. } = c
                    && has_owner(options)
                {
                    *options = podman_tmpfs_options(options, run_user);
                    changed = true;
                }
            }
        }
    }
    changed
}

/// Rewrites the `--tmpfs` values harden added or changed (those not in `original`) for an
/// engine whose tmpfs takes no `uid=`/`gid=` (a [`Change::SetTmpfsOwner`] renders them).
pub fn render_tmpfs(
    original: &Parsed,
    hardened: &mut Parsed,
    facts: &EngineFacts,
    run_user: Option<&str>,
) {
    if facts.tmpfs_takes_owner_options() {
        return;
    }
    let given: Vec<Option<String>> = original.all("tmpfs").map(|o| o.value.clone()).collect();
    for o in hardened
        .occurrences
        .iter_mut()
        .filter(|o| o.flag.long == "tmpfs")
    {
        if given.contains(&o.value) {
            continue;
        }
        if let Some(v) = &o.value
            && let Some((at, opts)) = v.split_once(':')
            && has_owner(opts)
        {
            o.value = Some(format!("{at}:{}", podman_tmpfs_options(opts, run_user)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn podman_tmpfs_owner_becomes_u_or_a_sticky_mode() {
        let o = "rw,noexec,nosuid,nodev,size=64m,uid=65534,gid=65534";
        assert_eq!(
            podman_tmpfs_options(o, Some("65534:65534")),
            "rw,noexec,nosuid,nodev,size=64m,U"
        );
        assert_eq!(
            podman_tmpfs_options(o, Some("nginx")),
            "rw,noexec,nosuid,nodev,size=64m,U"
        );
        // Another owner than the run user: world-writable, sticky.
        assert_eq!(
            podman_tmpfs_options("size=1m,uid=5,gid=5,mode=700", Some("1000:1000")),
            "size=1m,mode=1777"
        );
        // No owner: unchanged; U is not doubled.
        assert_eq!(podman_tmpfs_options("rw,size=1m", Some("1")), "rw,size=1m");
        assert_eq!(podman_tmpfs_options("U,uid=1,gid=1", Some("1:1")), "U");
        assert_eq!(numeric_uid(Some("1000")), Some(1000));
        assert_eq!(numeric_uid(Some("app:app")), None);
    }

    fn outcome() -> Outcome {
        let preset = crate::preset::Preset::builtin("default").unwrap();
        let spec = crate::spec::Spec::default();
        crate::check::check(&spec, &preset, &crate::check::Scope::default())
    }

    fn facts(info: serde_json::Value, libpod: serde_json::Value) -> EngineFacts {
        let version = serde_json::json!({"Version": "4.3.1",
            "Components": [{"Name": "Podman Engine", "Version": "4.3.1"}]});
        EngineFacts::from_documents(&info, &version, &libpod)
    }

    #[test]
    fn rootless_cgroup_v1_keeps_the_cpu_finding_as_a_warning_that_says_why() {
        let mut o = outcome();
        let f = facts(
            serde_json::json!({"CgroupVersion": "1", "CpuCfsQuota": true,
                "SecurityOptions": ["name=rootless"]}),
            serde_json::json!({"host": {"security": {"rootless": true}}}),
        );
        assert!(adapt(&mut o, &f, Some("65534:65534")));
        let cpu = o
            .findings
            .iter()
            .find(|f| f.finding.rule == "cpu-limit")
            .unwrap();
        assert_eq!(cpu.action, Action::Warn);
        assert!(
            cpu.finding
                .message
                .contains("no CPU limit added: rootless Podman 4.3.1 runs on cgroup v1"),
            "{}",
            cpu.finding.message
        );
        let changes: Vec<Change> = o.changes().into_iter().map(|(_, c)| c).collect();
        assert!(
            !changes
                .iter()
                .any(|c| matches!(c, Change::SetNanoCpus { .. } | Change::SetCpuQuota { .. }))
        );
        // Memory and pids stay; the tmpfs is Podman's.
        assert!(
            changes
                .iter()
                .any(|c| matches!(c, Change::SetMemory { .. }))
        );
        assert!(changes.contains(&Change::AddTmpfs {
            path: "/tmp".into(),
            options: "rw,noexec,nosuid,nodev,size=64m,U".into()
        }));
    }

    #[test]
    fn docker_keeps_everything() {
        let mut o = outcome();
        let before = o.changes();
        let f = EngineFacts::from_documents(
            &serde_json::json!({"CgroupVersion": "2", "CpuCfsQuota": true}),
            &serde_json::json!({"Version": "28.2.2"}),
            &serde_json::Value::Null,
        );
        assert!(!adapt(&mut o, &f, Some("65534:65534")));
        assert_eq!(o.changes(), before);
    }

    #[test]
    fn only_cpu_and_owned_tmpfs_depend_on_the_engine() {
        assert!(!depends_on_engine(&[("x", Change::SetReadOnlyRootfs)]));
        assert!(!depends_on_engine(&[(
            "x",
            Change::AddTmpfs {
                path: "/tmp".into(),
                options: "rw,size=1m".into()
            }
        )]));
        assert!(depends_on_engine(&[(
            "x",
            Change::SetNanoCpus {
                nano_cpus: 1_000_000_000
            }
        )]));
    }
}
