//! privileged: the container runs with every capability and no confinement.

use super::finding;
use crate::rules::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::Spec;

static META: RuleMeta = RuleMeta {
    id: "privileged",
    title: "The container is privileged",
    severity: Severity::Error,
    cis: Some("5.5"),
    default_action: Action::Deny,
    fix: None,
    doc: include_str!("privileged.md"),
};

pub struct Privileged;

impl Rule for Privileged {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, _: &Settings) -> Vec<Finding> {
        spec.privileged
            .iter()
            .filter(|p| p.value)
            .map(|p| {
                finding(
                    &META,
                    "the container is privileged: it gets every capability, all host devices and no seccomp, AppArmor or SELinux confinement",
                    p.origin.clone(),
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
    fn fires_when_privileged() {
        let spec = Spec {
            privileged: Some(at(true, 1, "--privileged")),
            ..Spec::default()
        };
        let f = one(&Privileged, &spec);
        assert!(f.message.starts_with("the container is privileged"));
        assert_eq!(f.origin, argv(1, "--privileged"));
        assert!(f.changes.is_empty());
    }

    #[test]
    fn quiet_otherwise() {
        none(&Privileged, &Spec::default());
        let spec = Spec {
            privileged: Some(at(false, 1, "--privileged")),
            ..Spec::default()
        };
        none(&Privileged, &spec);
    }
}
