//! docker-socket: a container-engine socket (or its directory) is mounted into the container.

use super::{finding, normalize_path};
use crate::rules::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::{MountKind, Spec};

static META: RuleMeta = RuleMeta {
    id: "docker-socket",
    title: "A container-engine socket is mounted",
    severity: Severity::Error,
    cis: Some("5.32"),
    default_action: Action::Deny,
    fix: None,
    doc: include_str!("docker-socket.md"),
};

/// Socket file names of container engines.
const SOCKETS: [&str; 5] = [
    "docker.sock",
    "containerd.sock",
    "podman.sock",
    "crio.sock",
    "dockershim.sock",
];

/// Directories that hold those sockets.
const SOCKET_DIRS: [&str; 7] = [
    "/var/run",
    "/run",
    "/var/run/docker",
    "/run/docker",
    "/run/containerd",
    "/var/run/containerd",
    "/run/podman",
];

pub struct DockerSocket;

/// True when a bind of host path `source` exposes a container-engine socket.
pub(super) fn is_engine_socket(source: &str) -> bool {
    let path = normalize_path(source);
    SOCKETS.iter().any(|s| path.ends_with(s)) || SOCKET_DIRS.contains(&&*path)
}

impl Rule for DockerSocket {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, _: &Settings) -> Vec<Finding> {
        spec.mounts
            .iter()
            .filter(|m| m.value.kind == MountKind::Bind)
            .filter_map(|m| {
                let source = m.value.source.as_deref()?;
                is_engine_socket(source).then(|| {
                    finding(
                        &META,
                        format!(
                            "the container-engine socket path {source} is mounted at {}",
                            m.value.target
                        ),
                        m.origin.clone(),
                        vec![],
                    )
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn fires_for_sockets_and_their_directories() {
        for source in [
            "/var/run/docker.sock",
            "/run/user/1000/docker.sock",
            "/run/containerd/containerd.sock",
            "/run/podman/podman.sock",
            "/var/run/crio/crio.sock",
            "/var/run/dockershim.sock",
            "/var/run",
            "/var/run/",
            "/run//",
            "/var/run/docker",
            "/run/docker/",
            "/run/containerd",
            "/var/run/containerd",
            "/run/podman",
        ] {
            let spec = Spec {
                mounts: vec![at(bind(source, "/sock", true), 1, "-v")],
                ..Spec::default()
            };
            let f = one(&DockerSocket, &spec);
            assert_eq!(
                f.message,
                format!("the container-engine socket path {source} is mounted at /sock")
            );
            assert_eq!(f.origin, argv(1, "-v"));
            assert!(f.changes.is_empty());
        }
    }

    #[test]
    fn quiet_for_other_paths_and_named_volumes() {
        for source in [
            "/var/run/app",
            "/run/user/1000",
            "/srv/docker",
            "/var/lib/docker.socket",
        ] {
            let spec = Spec {
                mounts: vec![at(bind(source, "/x", false), 1, "-v")],
                ..Spec::default()
            };
            none(&DockerSocket, &spec);
        }
        let spec = Spec {
            mounts: vec![at(volume(Some("docker.sock"), "/x"), 1, "-v")],
            ..Spec::default()
        };
        none(&DockerSocket, &spec);
    }
}
