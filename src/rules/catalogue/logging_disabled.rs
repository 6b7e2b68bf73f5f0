//! logging-disabled: the container's output is thrown away.

use super::finding;
use crate::rules::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::Spec;

static META: RuleMeta = RuleMeta {
    id: "logging-disabled",
    title: "Logging is disabled",
    severity: Severity::Warning,
    cis: None,
    default_action: Action::Warn,
    fix: None,
    doc: include_str!("logging-disabled.md"),
};

pub struct LoggingDisabled;

impl Rule for LoggingDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, _: &Settings) -> Vec<Finding> {
        spec.log_driver
            .iter()
            .filter(|d| d.value.trim() == "none")
            .map(|d| {
                finding(
                    &META,
                    "logging is disabled (log driver none)",
                    d.origin.clone(),
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
    fn fires_for_the_none_driver() {
        let spec = Spec {
            log_driver: Some(at_s("none", 1, "--log-driver")),
            ..Spec::default()
        };
        let f = one(&LoggingDisabled, &spec);
        assert_eq!(f.message, "logging is disabled (log driver none)");
        assert_eq!(f.origin, argv(1, "--log-driver"));
        assert!(f.changes.is_empty());
    }

    #[test]
    fn quiet_for_other_drivers() {
        none(&LoggingDisabled, &Spec::default());
        for d in ["json-file", "local", "journald"] {
            let spec = Spec {
                log_driver: Some(at_s(d, 1, "--log-driver")),
                ..Spec::default()
            };
            none(&LoggingDisabled, &spec);
        }
    }
}
