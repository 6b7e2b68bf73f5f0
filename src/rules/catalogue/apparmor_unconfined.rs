//! apparmor-unconfined: AppArmor confinement is disabled.

use super::removable_security_opts;
use crate::fix::FixSafety;
use crate::rules::Settings;
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
