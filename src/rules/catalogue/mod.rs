//! The rule catalogue: one file (and one `.md` document) per rule.
//!
//! Each file declares a `static META: RuleMeta` (its document comes from the `.md` next to it)
//! and a unit struct implementing [`Rule`]. The six `host-*` namespace rules share
//! `host_namespace.rs`. Helpers that several rules need live here.

mod apparmor_unconfined;
mod cap_drop_all;
mod cgroup_parent;
mod cpu_limit;
mod dangerous_capability;
mod data_volume;
mod docker_socket;
mod healthcheck;
mod host_devices;
mod host_namespace;
mod image_digest;
mod image_tag;
mod logging_disabled;
mod memory_limit;
mod mount_propagation;
mod no_new_privileges;
mod non_root_user;
pub use non_root_user::runs_as_root;
mod oom_kill_disable;
mod pids_limit;
mod port_host_ip;
mod privileged;
mod privileged_port;
mod read_only_rootfs;
mod restart_policy;
mod seccomp_unconfined;
mod secret_in_env;
mod selinux_disabled;
mod sensitive_mount;
mod systempaths_unconfined;
mod tmpfs_exec;
mod unsafe_sysctl;

/// Splits bindings into runs that one written value published (`-p 8000-8002:80-82`, a
/// Compose `"8000-8002:80-82"`): the same origin, protocol and host address, consecutive
/// container ports. One finding and one change per run: the fix rewrites that one value, and a
/// range of thousands of ports is one line of a report, not thousands.
pub(super) fn port_runs<'a>(
    ports: &[&'a crate::spec::At<crate::spec::Port>],
) -> Vec<Vec<&'a crate::spec::At<crate::spec::Port>>> {
    let mut out: Vec<Vec<&crate::spec::At<crate::spec::Port>>> = Vec::new();
    for &p in ports {
        let joins = out.last().and_then(|g| g.last()).is_some_and(|prev| {
            matches!(
                p.origin,
                crate::spec::Origin::Argv { .. } | crate::spec::Origin::Yaml { .. }
            ) && prev.origin == p.origin
                && prev.value.protocol == p.value.protocol
                && prev.value.host_ip == p.value.host_ip
                && prev.value.host_port.is_empty() == p.value.host_port.is_empty()
                && next(&prev.value.container_port) == p.value.container_port.parse().ok()
                && (p.value.host_port.is_empty()
                    || next(&prev.value.host_port) == p.value.host_port.parse().ok())
        });
        match out.last_mut() {
            Some(g) if joins => g.push(p),
            _ => out.push(vec![p]),
        }
    }
    out
}

fn next(port: &str) -> Option<u32> {
    port.parse::<u32>().ok().map(|n| n + 1)
}

#[cfg(test)]
mod test_support;

use super::{Finding, Rule, RuleMeta};
use crate::fix::Change;
use crate::parse::security_opt;
use crate::spec::{Origin, Spec};

/// Every rule, in the order `harden rules` lists them: rules the default preset fixes, then the
/// ones it denies, then the ones it reports.
pub static REGISTRY: &[&dyn Rule] = &[
    // fix
    &cap_drop_all::CapDropAll,
    &no_new_privileges::NoNewPrivileges,
    &non_root_user::NonRootUser,
    &read_only_rootfs::ReadOnlyRootfs,
    &memory_limit::MemoryLimit,
    &cpu_limit::CpuLimit,
    &pids_limit::PidsLimit,
    &port_host_ip::PortHostIp,
    // deny
    &privileged::Privileged,
    &dangerous_capability::DangerousCapability,
    &host_namespace::HOST_NETWORK,
    &host_namespace::HOST_PID,
    &host_namespace::HOST_IPC,
    &host_namespace::HOST_UTS,
    &host_namespace::HOST_USERNS,
    &host_namespace::HOST_CGROUPNS,
    &docker_socket::DockerSocket,
    &sensitive_mount::SensitiveMount,
    &mount_propagation::MountPropagation,
    &seccomp_unconfined::SeccompUnconfined,
    &apparmor_unconfined::ApparmorUnconfined,
    &selinux_disabled::SelinuxDisabled,
    &systempaths_unconfined::SystempathsUnconfined,
    // warn (image-digest is off by default)
    &host_devices::HostDevices,
    &privileged_port::PrivilegedPort,
    &restart_policy::RestartPolicy,
    &healthcheck::Healthcheck,
    &data_volume::DataVolume,
    &image_tag::ImageTag,
    &image_digest::ImageDigest,
    &cgroup_parent::CgroupParent,
    &unsafe_sysctl::UnsafeSysctl,
    &oom_kill_disable::OomKillDisable,
    &secret_in_env::SecretInEnv,
    &tmpfs_exec::TmpfsExec,
    &logging_disabled::LoggingDisabled,
];

/// A finding of `meta`'s rule (a constant message is borrowed, not copied into each finding).
fn finding(
    meta: &'static RuleMeta,
    message: impl Into<std::borrow::Cow<'static, str>>,
    origin: Origin,
    changes: Vec<Change>,
) -> Finding {
    Finding {
        rule: meta.id,
        message: message.into(),
        origin,
        changes,
        advisory: false,
        explicit: false,
    }
}

/// The security options whose key is `key` and value is `value` (both forms, `k=v` and `k:v`).
fn security_opts_matching<'a>(
    spec: &'a Spec,
    key: &'a str,
    value: &'a str,
) -> impl Iterator<Item = &'a crate::spec::At<String>> + 'a {
    spec.security_opt
        .iter()
        .filter(move |o| security_opt::split(o.value.trim()) == (key, Some(value)))
}

/// One finding per security option `key=value` (or `key:value` when `colon_form`), each fixed by
/// removing that option as written. `effect` completes "security option X …".
fn removable_security_opts(
    meta: &'static RuleMeta,
    spec: &Spec,
    key: &str,
    value: &str,
    colon_form: bool,
    effect: &str,
) -> Vec<Finding> {
    let exact = |o: &str| {
        o.strip_prefix(key)
            .and_then(|r| r.strip_prefix('='))
            .is_some_and(|v| v == value)
    };
    security_opts_matching(spec, key, value)
        .filter(|o| colon_form || exact(o.value.trim()))
        .map(|o| {
            finding(
                meta,
                format!("security option {} {effect}", o.value),
                o.origin.clone(),
                vec![Change::RemoveSecurityOpt {
                    option: o.value.clone(),
                }],
            )
        })
        .collect()
}

/// Lexical normalisation of an absolute path: repeated and trailing slashes, `.` and `..`
/// components are resolved (`//etc/./ssl/` → `/etc/ssl`). Relative paths are returned with
/// trailing slashes trimmed, otherwise unchanged.
fn normalize_path(p: &str) -> std::borrow::Cow<'_, str> {
    // Most paths are written normalised: borrowed as they are.
    let normal = match p.strip_prefix('/') {
        None => !p.ends_with('/'),
        Some("") => true,
        Some(rest) => rest
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != ".."),
    };
    if normal {
        return p.into();
    }
    if !p.starts_with('/') {
        let t = p.trim_end_matches('/');
        return if t.is_empty() { p.into() } else { t.into() };
    }
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    format!("/{}", parts.join("/")).into()
}

/// True when normalised `path` is `base` or lies below it.
fn path_within(path: &str, base: &str) -> bool {
    base == "/"
        || path == base
        || (path.starts_with(base) && path.as_bytes().get(base.len()) == Some(&b'/'))
}

/// True when the network mode makes published ports meaningless (the engine discards them):
/// `host`, `none`, `container:…` (and Compose's `service:…`).
fn publishing_ignored(spec: &Spec) -> bool {
    spec.network_mode.as_ref().is_some_and(|m| {
        let m = m.value.as_str();
        m == "host" || m == "none" || m.starts_with("container:") || m.starts_with("service:")
    })
}

/// `80` → `80/tcp`; `53/UDP` → `53/udp`.
fn normalize_port_proto(p: &str) -> String {
    crate::parse::ports::normalize_port_key(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_normalise_lexically() {
        assert_eq!(normalize_path("/etc/"), "/etc");
        assert_eq!(normalize_path("//etc//ssl/./"), "/etc/ssl");
        assert_eq!(normalize_path("/usr/../etc"), "/etc");
        assert_eq!(normalize_path("/"), "/");
        assert_eq!(normalize_path("///"), "/");
        assert_eq!(normalize_path("./etc/"), "./etc");
        assert_eq!(normalize_path("/etc/ssl"), "/etc/ssl");
        assert_eq!(normalize_path("/etc/.x/..y"), "/etc/.x/..y");
        assert_eq!(normalize_path("/etc/x/.."), "/etc");
        assert_eq!(normalize_path("/."), "/");
        assert_eq!(normalize_path("etc"), "etc");
        assert_eq!(normalize_path(""), "");
        assert!(path_within("/etc/ssl", "/etc"));
        assert!(path_within("/etc", "/etc"));
        assert!(!path_within("/etcetera", "/etc"));
        assert!(path_within("/anything", "/"));
    }

    #[test]
    fn ports_get_a_protocol() {
        assert_eq!(normalize_port_proto("80"), "80/tcp");
        assert_eq!(normalize_port_proto("53/UDP"), "53/udp");
    }

    /// seccomp-unconfined, apparmor-unconfined, selinux-disabled, systempaths-unconfined.
    #[test]
    fn security_option_rules_remove_the_option_as_written() {
        use super::test_support::*;
        use crate::rules::Rule;
        // (rule, option, what the message says, whether the `k:v` form counts, a harmless value)
        let cases: [(&dyn Rule, &str, &str, bool, &str); 4] = [
            (
                &seccomp_unconfined::SeccompUnconfined,
                "seccomp=unconfined",
                "disables the seccomp syscall filter",
                true,
                "seccomp=builtin",
            ),
            (
                &apparmor_unconfined::ApparmorUnconfined,
                "apparmor=unconfined",
                "disables AppArmor confinement",
                true,
                "apparmor=docker-default",
            ),
            (
                &selinux_disabled::SelinuxDisabled,
                "label=disable",
                "disables SELinux labelling",
                true,
                "label=type:svirt_apache_t",
            ),
            // Only the `=` form has an effect: the client rewrites it into empty masked and
            // read-only path lists, and the engine rejects `systempaths:unconfined`.
            (
                &systempaths_unconfined::SystempathsUnconfined,
                "systempaths=unconfined",
                "unmasks kernel paths under /proc and /sys",
                false,
                "systempaths=default",
            ),
        ];
        for (rule, option, effect, colon_counts, harmless) in cases {
            let colon = option.replacen('=', ":", 1);
            for written in [option, colon.as_str()] {
                let spec = security_opts(&["no-new-privileges", written]);
                if written == colon && !colon_counts {
                    none(rule, &spec);
                    continue;
                }
                let f = one(rule, &spec);
                assert_eq!(f.message, format!("security option {written} {effect}"));
                assert_eq!(f.origin, argv(3, "--security-opt"));
                assert_eq!(
                    f.changes,
                    vec![Change::RemoveSecurityOpt {
                        option: written.into()
                    }]
                );
            }
            none(rule, &security_opts(&[harmless, "no-new-privileges"]));
            none(rule, &Spec::default());
            // Another rule's option does not count.
            for (_, other_option, ..) in cases {
                if other_option != option {
                    none(rule, &security_opts(&[other_option]));
                }
            }
        }
    }

    #[test]
    fn registry_order_is_fix_deny_warn() {
        use crate::rules::Action;
        let rank = |a: Action| match a {
            Action::Fix => 0,
            Action::Deny => 1,
            Action::Warn | Action::Off => 2,
        };
        let ranks: Vec<_> = REGISTRY
            .iter()
            .map(|r| rank(r.meta().default_action))
            .collect();
        assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
    }
}
