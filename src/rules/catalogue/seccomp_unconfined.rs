//! seccomp-unconfined: Seccomp filtering is disabled.

use super::removable_security_opts;
use crate::fix::FixSafety;
use crate::preset::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::Spec;

static META: RuleMeta = RuleMeta {
    id: "seccomp-unconfined",
    title: "Seccomp filtering is disabled",
    severity: Severity::Error,
    cis: Some("5.22"),
    default_action: Action::Deny,
    fix: Some(FixSafety::Safe),
    doc: include_str!("seccomp-unconfined.md"),
};

pub struct SeccompUnconfined;

impl Rule for SeccompUnconfined {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, _: &Settings) -> Vec<Finding> {
        removable_security_opts(
            &META,
            spec,
            "seccomp",
            "unconfined",
            true,
            "disables the seccomp syscall filter",
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
            &SeccompUnconfined,
            &opts(&["no-new-privileges", "seccomp=unconfined"]),
        );
        assert_eq!(
            f.message,
            "security option seccomp=unconfined disables the seccomp syscall filter"
        );
        assert_eq!(f.origin, argv(3, "--security-opt"));
        assert_eq!(
            f.changes,
            vec![Change::RemoveSecurityOpt {
                option: "seccomp=unconfined".into()
            }]
        );
    }

    #[test]
    fn the_colon_form() {
        let spec = opts(&["seccomp:unconfined"]);
        let f = one(&SeccompUnconfined, &spec);
        assert_eq!(
            f.message,
            "security option seccomp:unconfined disables the seccomp syscall filter"
        );
        assert_eq!(
            f.changes,
            vec![Change::RemoveSecurityOpt {
                option: "seccomp:unconfined".into()
            }]
        );
    }

    #[test]
    fn quiet_for_other_values() {
        none(
            &SeccompUnconfined,
            &opts(&[
                "seccomp=builtin",
                "apparmor=unconfined",
                "no-new-privileges",
            ]),
        );
        none(&SeccompUnconfined, &Spec::default());
    }
}
