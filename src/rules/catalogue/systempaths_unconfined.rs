//! systempaths-unconfined: Kernel paths under /proc and /sys are not masked.

use super::removable_security_opts;
use crate::fix::FixSafety;
use crate::rules::Settings;
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
