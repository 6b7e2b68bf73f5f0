//! apparmor-unconfined: AppArmor confinement is disabled.

use super::removable_security_opts;
use crate::fix::FixSafety;
use crate::preset::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::Spec;

static META: RuleMeta = RuleMeta {
    id: "apparmor-unconfined",
    title: "AppArmor confinement is disabled",
    severity: Severity::Error,
    cis: Some("5.2"),
    default_action: Action::Deny,
    fix: Some(FixSafety::Safe),
    doc: include_str!("apparmor-unconfined.md"),
};

pub struct ApparmorUnconfined;

impl Rule for ApparmorUnconfined {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, _: &Settings) -> Vec<Finding> {
        removable_security_opts(
            &META,
            spec,
            "apparmor",
            "unconfined",
            true,
            "disables AppArmor confinement",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::fix::Change;

    fn opts(list: &[&str]) -> Spec {
        Spec {
            security_opt: list
                .iter()
                .enumerate()
                .map(|(i, o)| at_s(o, 2 * i + 1, "--security-opt"))
                .collect(),
            ..Spec::default()
        }
    }

    #[test]
    fn fires_and_removes_the_option_as_written() {
        let f = one(
            &ApparmorUnconfined,
            &opts(&["no-new-privileges", "apparmor=unconfined"]),
        );
        assert_eq!(
            f.message,
            "security option apparmor=unconfined disables AppArmor confinement"
        );
        assert_eq!(f.origin, argv(3, "--security-opt"));
        assert_eq!(
            f.changes,
            vec![Change::RemoveSecurityOpt {
                option: "apparmor=unconfined".into()
            }]
        );
    }

    #[test]
    fn the_colon_form() {
        let spec = opts(&["apparmor:unconfined"]);
        let f = one(&ApparmorUnconfined, &spec);
        assert_eq!(
            f.message,
            "security option apparmor:unconfined disables AppArmor confinement"
        );
        assert_eq!(
            f.changes,
            vec![Change::RemoveSecurityOpt {
                option: "apparmor:unconfined".into()
            }]
        );
    }

    #[test]
    fn quiet_for_other_values() {
        none(
            &ApparmorUnconfined,
            &opts(&[
                "apparmor=docker-default",
                "seccomp=unconfined",
                "no-new-privileges",
            ]),
        );
        none(&ApparmorUnconfined, &Spec::default());
    }
}
