//! seccomp-unconfined: Seccomp filtering is disabled.

use super::removable_security_opts;
use crate::fix::FixSafety;
use crate::rules::Settings;
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
