//! Fixes as the connected engine can take them ([`EngineFacts`]):
//!
//! - Podman's tmpfs refuses `uid=`/`gid=` (`unknown mount option "uid=65534": invalid mount
//!   option`). It has `U` instead, which gives the tmpfs to the container's user, so a tmpfs for
//!   the run user gets `U`; one for another owner (a profile's `uid:`) is made world-writable
//!   with the sticky bit (`mode=1777`), the way `/tmp` is.
//! - An engine that cannot apply a CPU limit (rootless on cgroup v1, no cpu controller, no CFS
//!   quota) gets none: the `cpu-limit` finding stays a warning whose message says why. The same
//!   for memory and pids limits (rootless Podman on cgroup v1 ignores them all).

use super::Change;
use crate::engine::facts::{EngineFacts, Limit};
use crate::frontend::argv::Parsed;

/// The resource limit a change sets.
fn limit_of(c: &Change) -> Option<Limit> {
    match c {
        Change::SetNanoCpus { .. } | Change::SetCpuQuota { .. } => Some(Limit::Cpu),
        Change::SetMemory { .. } => Some(Limit::Memory),
        Change::SetPidsLimit { .. } => Some(Limit::Pids),
        _ => None,
    }
}

/// The changes whose rendering depends on the engine: only then are its facts needed.
pub fn depends_on_engine(changes: &[(&'static str, Change)]) -> bool {
    changes.iter().any(|(_, c)| match c {
        _ if limit_of(c).is_some() => true,
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

/// What [`adapt_changes`] did to one finding's changes.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Adapted {
    /// Something was rewritten or left out (the plan must be rendered again).
    pub changed: bool,
    /// Why limits were left out (`no CPU limit added: …`), for the finding's message.
    pub left_out: Vec<String>,
}

/// Adapts the changes of one finding to the engine. `run_user` is the hardened `--user`.
pub fn adapt_changes(
    changes: &mut Vec<Change>,
    facts: &EngineFacts,
    run_user: Option<&str>,
) -> Adapted {
    let mut out = Adapted::default();
    for limit in [Limit::Cpu, Limit::Memory, Limit::Pids] {
        if !changes.iter().any(|c| limit_of(c) == Some(limit)) {
            continue;
        }
        let Some(why) = facts.limit_unsupported(limit) else {
            continue;
        };
        changes.retain(|c| limit_of(c) != Some(limit));
        let what = match limit {
            Limit::Cpu => "CPU",
            Limit::Memory => "memory",
            Limit::Pids => "pids",
        };
        out.left_out.push(format!("no {what} limit added: {why}"));
        out.changed = true;
    }
    if !facts.tmpfs_takes_owner_options() {
        for c in changes.iter_mut() {
            if let Change::AddTmpfs { options, .. } = c
                && has_owner(options)
            {
                *options = podman_tmpfs_options(options, run_user);
                out.changed = true;
            }
        }
    }
    out
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

    fn podman(info: serde_json::Value, libpod: serde_json::Value) -> EngineFacts {
        let version = serde_json::json!({"Version": "4.3.1",
            "Components": [{"Name": "Podman Engine", "Version": "4.3.1"}]});
        EngineFacts::from_documents(&info, &version, &libpod)
    }

    fn hardening() -> Vec<Change> {
        vec![
            Change::SetReadOnlyRootfs,
            Change::AddTmpfs {
                path: "/tmp".into(),
                options: "rw,noexec,nosuid,nodev,size=64m,uid=65534,gid=65534".into(),
            },
            Change::SetMemory { bytes: 512 << 20 },
            Change::SetNanoCpus {
                nano_cpus: 1_000_000_000,
            },
            Change::SetPidsLimit { limit: 256 },
        ]
    }

    #[test]
    fn rootless_cgroup_v1_leaves_the_limits_out_and_says_why() {
        let f = podman(
            serde_json::json!({"CgroupVersion": "1", "CpuCfsQuota": true,
                "SecurityOptions": ["name=seccomp,profile=default"]}),
            serde_json::json!({"host": {"security": {"rootless": true}}}),
        );
        let mut changes = hardening();
        let a = adapt_changes(&mut changes, &f, Some("65534:65534"));
        assert!(a.changed);
        assert_eq!(
            a.left_out[0],
            "no CPU limit added: rootless Podman 4.3.1 runs on cgroup v1, where a rootless engine cannot apply resource limits"
        );
        assert_eq!(a.left_out.len(), 3);
        assert_eq!(
            changes,
            [
                Change::SetReadOnlyRootfs,
                Change::AddTmpfs {
                    path: "/tmp".into(),
                    options: "rw,noexec,nosuid,nodev,size=64m,U".into()
                }
            ]
        );
    }

    #[test]
    fn a_missing_cpu_controller_leaves_only_the_cpu_limit_out() {
        let f = podman(
            serde_json::json!({"CgroupVersion": "2", "CpuCfsQuota": true}),
            serde_json::json!({"host": {"cgroupControllers": ["memory", "pids"],
                "security": {"rootless": true}}}),
        );
        let mut changes = hardening();
        let a = adapt_changes(&mut changes, &f, Some("65534:65534"));
        assert_eq!(a.left_out.len(), 1, "{a:?}");
        assert!(a.left_out[0].contains("cpu cgroup controller"), "{a:?}");
        assert_eq!(changes.len(), 4);
    }

    #[test]
    fn docker_keeps_everything() {
        let f = EngineFacts::from_documents(
            &serde_json::json!({"CgroupVersion": "2", "CpuCfsQuota": true}),
            &serde_json::json!({"Version": "28.2.2"}),
            &serde_json::Value::Null,
        );
        let mut changes = hardening();
        assert_eq!(
            adapt_changes(&mut changes, &f, Some("65534:65534")),
            Adapted::default()
        );
        assert_eq!(changes, hardening());
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
