//! mount-propagation: a mount propagates mounts back to the host.

use super::finding;
use crate::rules::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::Spec;

static META: RuleMeta = RuleMeta {
    id: "mount-propagation",
    title: "A mount uses shared propagation",
    severity: Severity::Error,
    cis: Some("5.20"),
    default_action: Action::Deny,
    fix: None,
    doc: include_str!("mount-propagation.md"),
};

pub struct MountPropagation;

impl Rule for MountPropagation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, _: &Settings) -> Vec<Finding> {
        spec.mounts
            .iter()
            .filter_map(|m| {
                let p = m.value.propagation.as_deref()?;
                matches!(p, "shared" | "rshared").then(|| {
                    let source = m.value.source.as_deref().unwrap_or("an anonymous volume");
                    finding(
                        &META,
                        format!(
                            "the mount of {source} at {} has {p} propagation",
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
    use crate::spec::Mount;

    fn with_propagation(p: Option<&str>) -> Spec {
        Spec {
            mounts: vec![at(
                Mount {
                    propagation: p.map(Into::into),
                    ..bind("/mnt", "/mnt", false)
                },
                1,
                "--mount",
            )],
            ..Spec::default()
        }
    }

    #[test]
    fn fires_for_shared_and_rshared() {
        for p in ["shared", "rshared"] {
            let f = one(&MountPropagation, &with_propagation(Some(p)));
            assert_eq!(
                f.message,
                format!("the mount of /mnt at /mnt has {p} propagation")
            );
            assert_eq!(f.origin, argv(1, "--mount"));
            assert!(f.changes.is_empty());
        }
    }

    #[test]
    fn quiet_for_other_propagation() {
        for p in [
            None,
            Some("rslave"),
            Some("slave"),
            Some("private"),
            Some("rprivate"),
        ] {
            none(&MountPropagation, &with_propagation(p));
        }
    }
}
