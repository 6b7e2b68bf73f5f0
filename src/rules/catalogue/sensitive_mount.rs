//! sensitive-mount: a sensitive host directory is bind-mounted into the container.

use super::docker_socket::is_engine_socket;
use super::{finding, normalize_path, path_within};
use crate::rules::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::{MountKind, Spec};

static META: RuleMeta = RuleMeta {
    id: "sensitive-mount",
    title: "A sensitive host directory is mounted",
    severity: Severity::Error,
    cis: Some("5.6"),
    default_action: Action::Deny,
    fix: None,
    doc: include_str!("sensitive-mount.md"),
};

/// Host directories whose contents (or anything below them) must not reach a container.
const SENSITIVE: [&str; 14] = [
    "/boot",
    "/dev",
    "/etc",
    "/lib",
    "/lib64",
    "/proc",
    "/sys",
    "/usr",
    "/bin",
    "/sbin",
    "/root",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/",
];

/// Files that are commonly and harmlessly shared read-only.
const READ_ONLY_OK: [&str; 2] = ["/etc/localtime", "/etc/timezone"];

pub struct SensitiveMount;

fn is_sensitive(path: &str) -> bool {
    SENSITIVE.iter().any(|s| {
        if *s == "/" {
            path == "/"
        } else {
            path_within(path, s)
        }
    })
}

impl Rule for SensitiveMount {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, _: &Settings) -> Vec<Finding> {
        spec.mounts
            .iter()
            .filter(|m| m.value.kind == MountKind::Bind)
            .filter_map(|m| {
                let source = m.value.source.as_deref()?;
                let path = normalize_path(source);
                // docker-socket reports those.
                if !is_sensitive(&path) || is_engine_socket(source) {
                    return None;
                }
                let read_only = m.value.read_only;
                if read_only && READ_ONLY_OK.contains(&&*path) {
                    return None;
                }
                let how = if read_only { "read-only" } else { "writable" };
                let mut f = finding(
                    &META,
                    format!(
                        "host path {source} is bind-mounted {how} at {}",
                        m.value.target
                    ),
                    m.origin.clone(),
                    vec![],
                );
                f.advisory = read_only;
                Some(f)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    fn mounted(source: &str, read_only: bool) -> Spec {
        Spec {
            mounts: vec![at(bind(source, "/host", read_only), 1, "-v")],
            ..Spec::default()
        }
    }

    #[test]
    fn writable_binds_are_not_advisory() {
        let f = one(&SensitiveMount, &mounted("/etc", false));
        assert_eq!(
            f.message,
            "host path /etc is bind-mounted writable at /host"
        );
        assert_eq!(f.origin, argv(1, "-v"));
        assert!(f.changes.is_empty());
        assert!(!f.advisory);
    }

    #[test]
    fn read_only_binds_are_advisory() {
        let f = one(&SensitiveMount, &mounted("/", true));
        assert_eq!(f.message, "host path / is bind-mounted read-only at /host");
        assert!(f.advisory);
    }

    #[test]
    fn prefixes_and_trailing_slashes() {
        for source in [
            "/etc/",
            "/etc/ssl/private",
            "/usr/lib/",
            "/proc/1/ns",
            "/sys/fs/cgroup",
            "/var/lib/docker/volumes",
            "/var/lib/containerd",
            "/root/.ssh",
            "/dev/kmsg",
            "/boot",
            "/lib64",
            "/bin",
            "/sbin",
            "//",
            "/srv/../etc",
        ] {
            one(&SensitiveMount, &mounted(source, false));
        }
        for source in [
            "/etcetera",
            "/srv/etc",
            "/home/me/etc",
            "/usrlocal",
            "/var/lib/dockerd",
            "/var/lib/app",
            "/opt",
            "/tmp",
        ] {
            none(&SensitiveMount, &mounted(source, false));
        }
    }

    #[test]
    fn timezone_files_are_fine_read_only_only() {
        none(&SensitiveMount, &mounted("/etc/localtime", true));
        none(&SensitiveMount, &mounted("/etc/timezone", true));
        assert!(!one(&SensitiveMount, &mounted("/etc/localtime", false)).advisory);
    }

    #[test]
    fn engine_sockets_are_left_to_docker_socket() {
        none(
            &SensitiveMount,
            &mounted("/var/lib/docker/docker.sock", false),
        );
        none(&SensitiveMount, &mounted("/run", false));
    }

    #[test]
    fn named_volumes_are_not_host_paths() {
        let spec = Spec {
            mounts: vec![at(volume(Some("etc"), "/etc"), 1, "-v")],
            ..Spec::default()
        };
        none(&SensitiveMount, &spec);
    }
}
