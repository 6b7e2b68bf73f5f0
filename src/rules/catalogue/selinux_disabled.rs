//! selinux-disabled: SELinux labelling is disabled.

use super::removable_security_opts;
use crate::fix::FixSafety;
use crate::preset::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::Spec;

static META: RuleMeta = RuleMeta {
    id: "selinux-disabled",
    title: "SELinux labelling is disabled",
    severity: Severity::Error,
    cis: Some("5.3"),
    default_action: Action::Deny,
    fix: Some(FixSafety::Safe),
    doc: include_str!("selinux-disabled.md"),
};

pub struct SelinuxDisabled;

impl Rule for SelinuxDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, _: &Settings) -> Vec<Finding> {
        removable_security_opts(
            &META,
            spec,
            "label",
            "disable",
            true,
            "disables SELinux labelling",
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
            &SelinuxDisabled,
            &opts(&["no-new-privileges", "label=disable"]),
        );
        assert_eq!(
            f.message,
            "security option label=disable disables SELinux labelling"
        );
        assert_eq!(f.origin, argv(3, "--security-opt"));
        assert_eq!(
            f.changes,
            vec![Change::RemoveSecurityOpt {
                option: "label=disable".into()
            }]
        );
    }

    #[test]
    fn the_colon_form() {
        let spec = opts(&["label:disable"]);
        let f = one(&SelinuxDisabled, &spec);
        assert_eq!(
            f.message,
            "security option label:disable disables SELinux labelling"
        );
        assert_eq!(
            f.changes,
            vec![Change::RemoveSecurityOpt {
                option: "label:disable".into()
            }]
        );
    }

    #[test]
    fn quiet_for_other_values() {
        none(
            &SelinuxDisabled,
            &opts(&[
                "label=type:svirt_apache_t",
                "seccomp=unconfined",
                "no-new-privileges",
            ]),
        );
        none(&SelinuxDisabled, &Spec::default());
    }
}
