//! systempaths-unconfined: Kernel paths under /proc and /sys are not masked.

use super::removable_security_opts;
use crate::fix::FixSafety;
use crate::preset::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::Spec;

static META: RuleMeta = RuleMeta {
    id: "systempaths-unconfined",
    title: "Kernel paths under /proc and /sys are not masked",
    severity: Severity::Error,
    cis: None,
    default_action: Action::Deny,
    fix: Some(FixSafety::Safe),
    doc: include_str!("systempaths-unconfined.md"),
};

pub struct SystempathsUnconfined;

impl Rule for SystempathsUnconfined {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, _: &Settings) -> Vec<Finding> {
        removable_security_opts(
            &META,
            spec,
            "systempaths",
            "unconfined",
            false,
            "unmasks kernel paths under /proc and /sys",
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
            &SystempathsUnconfined,
            &opts(&["no-new-privileges", "systempaths=unconfined"]),
        );
        assert_eq!(
            f.message,
            "security option systempaths=unconfined unmasks kernel paths under /proc and /sys"
        );
        assert_eq!(f.origin, argv(3, "--security-opt"));
        assert_eq!(
            f.changes,
            vec![Change::RemoveSecurityOpt {
                option: "systempaths=unconfined".into()
            }]
        );
    }

    #[test]
    fn the_colon_form_is_not_this_option() {
        let spec = opts(&["systempaths:unconfined"]);
        // Only the `=` form has an effect (the client rewrites it); the engine rejects the
        // other.
        none(&SystempathsUnconfined, &spec);
    }

    #[test]
    fn quiet_for_other_values() {
        none(
            &SystempathsUnconfined,
            &opts(&[
                "systempaths=confined",
                "seccomp=unconfined",
                "no-new-privileges",
            ]),
        );
        none(&SystempathsUnconfined, &Spec::default());
    }
}
