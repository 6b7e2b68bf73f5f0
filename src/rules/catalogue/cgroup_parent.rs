//! cgroup-parent: the container is placed in a custom cgroup.

use super::finding;
use crate::rules::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::Spec;

static META: RuleMeta = RuleMeta {
    id: "cgroup-parent",
    title: "A custom cgroup parent is set",
    severity: Severity::Warning,
    cis: Some("5.25"),
    default_action: Action::Warn,
    fix: None,
    doc: include_str!("cgroup-parent.md"),
};

pub struct CgroupParent;

impl Rule for CgroupParent {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, _: &Settings) -> Vec<Finding> {
        spec.cgroup_parent
            .iter()
            .filter(|c| !c.value.trim().is_empty())
            .map(|c| {
                finding(
                    &META,
                    format!(
                        "the container is placed under the custom cgroup parent {}",
                        c.value
                    ),
                    c.origin.clone(),
                    vec![],
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn fires_for_a_custom_parent() {
        let spec = Spec {
            cgroup_parent: Some(at_s("/custom", 1, "--cgroup-parent")),
            ..Spec::default()
        };
        let f = one(&CgroupParent, &spec);
        assert_eq!(
            f.message,
            "the container is placed under the custom cgroup parent /custom"
        );
        assert_eq!(f.origin, argv(1, "--cgroup-parent"));
        assert!(f.changes.is_empty());
    }

    #[test]
    fn quiet_without_one() {
        none(&CgroupParent, &Spec::default());
        let spec = Spec {
            cgroup_parent: Some(at_s("", 1, "--cgroup-parent")),
            ..Spec::default()
        };
        none(&CgroupParent, &spec);
    }
}
