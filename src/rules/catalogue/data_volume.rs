//! data-volume: a path where the image keeps data that must outlive the container (its
//! profile's `volumes:`) has no named volume or bind mount.

use super::finding;
use crate::rules::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::{MountKind, Origin, Spec};

static META: RuleMeta = RuleMeta {
    id: "data-volume",
    title: "Data the image keeps is not on a volume",
    severity: Severity::Warning,
    cis: None,
    default_action: Action::Warn,
    fix: None,
    doc: include_str!("data-volume.md"),
};

pub struct DataVolume;

/// `target` is `path` or one of its parent directories.
fn covers(target: &str, path: &str) -> bool {
    let target = target.trim_end_matches('/');
    target.is_empty()
        || path == target
        || path
            .strip_prefix(target)
            .is_some_and(|rest| rest.starts_with('/'))
}

impl Rule for DataVolume {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, settings: &Settings) -> Vec<Finding> {
        let profile = settings
            .profile_name
            .as_deref()
            .unwrap_or("the image's profile");
        let mut out = Vec::new();
        for v in &settings.profile_volumes {
            let mounts: Vec<_> = spec
                .mounts
                .iter()
                .filter(|m| covers(&m.value.target, &v.path))
                .collect();
            let kept = mounts.iter().any(|m| match m.value.kind {
                MountKind::Bind => true,
                MountKind::Volume => m.value.source.as_deref().is_some_and(|s| !s.is_empty()),
                MountKind::Other => false,
            });
            if kept {
                continue;
            }
            let on_tmpfs = spec.tmpfs.iter().any(|t| covers(&t.value.target, &v.path));
            let (what, origin) = match mounts.first() {
                Some(m) => (
                    "only an anonymous volume is there, which a new container does not get back",
                    m.origin.clone(),
                ),
                None if on_tmpfs => (
                    "a tmpfs is there, which loses it when the container stops",
                    Origin::Missing,
                ),
                None => ("no volume is mounted there", Origin::Missing),
            };
            out.push(finding(
                &META,
                format!(
                    "{} keeps {} ({profile}): {what}; mount a named volume or a host directory there",
                    v.path, v.reason
                ),
                origin,
                vec![],
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::rules::ProfileVolume;
    use crate::spec::{Mount, Tmpfs};

    fn settings() -> Settings {
        Settings {
            profile_volumes: vec![ProfileVolume {
                path: "/data/caddy".into(),
                reason: "certificates".into(),
            }],
            profile_name: Some("the caddy profile (default.yaml:137)".into()),
            ..Settings::default()
        }
    }

    fn mount(kind: MountKind, source: Option<&str>, target: &str) -> Spec {
        Spec {
            mounts: vec![at(
                Mount {
                    kind,
                    source: source.map(String::from),
                    target: target.into(),
                    read_only: false,
                    propagation: None,
                },
                3,
                "-v",
            )],
            ..Spec::default()
        }
    }

    #[test]
    fn quiet_without_a_profile_volume() {
        assert!(
            DataVolume
                .check(&Spec::default(), &Settings::default())
                .is_empty()
        );
    }

    #[test]
    fn fires_when_nothing_is_mounted() {
        let f = DataVolume.check(&Spec::default(), &settings());
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "/data/caddy keeps certificates (the caddy profile (default.yaml:137)): no volume is \
             mounted there; mount a named volume or a host directory there"
        );
        assert_eq!(f[0].origin, Origin::Missing);
        assert!(f[0].changes.is_empty());
    }

    #[test]
    fn a_named_volume_or_bind_on_the_path_or_a_parent_is_enough() {
        for spec in [
            mount(MountKind::Volume, Some("caddy_data"), "/data"),
            mount(MountKind::Volume, Some("caddy_data"), "/data/caddy/"),
            mount(MountKind::Bind, Some("/srv/caddy"), "/data/caddy"),
        ] {
            assert!(DataVolume.check(&spec, &settings()).is_empty(), "{spec:?}");
        }
    }

    #[test]
    fn anonymous_volumes_siblings_and_tmpfs_do_not_count() {
        let f = DataVolume.check(&mount(MountKind::Volume, None, "/data"), &settings());
        assert!(
            f[0].message.contains("only an anonymous volume"),
            "{}",
            f[0].message
        );
        assert!(
            matches!(f[0].origin, Origin::Argv { .. }),
            "{:?}",
            f[0].origin
        );
        let sibling = mount(MountKind::Volume, Some("v"), "/data/caddy-old");
        assert_eq!(DataVolume.check(&sibling, &settings()).len(), 1);
        let tmpfs = Spec {
            tmpfs: vec![at(
                Tmpfs {
                    target: "/data".into(),
                    options: String::new(),
                },
                2,
                "--tmpfs",
            )],
            ..Spec::default()
        };
        let f = DataVolume.check(&tmpfs, &settings());
        assert!(
            f[0].message.contains("a tmpfs is there"),
            "{}",
            f[0].message
        );
    }
}
