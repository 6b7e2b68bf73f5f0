//! selinux-disabled: SELinux labelling is disabled.

use super::removable_security_opts;
use crate::fix::FixSafety;
use crate::rules::Settings;
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
