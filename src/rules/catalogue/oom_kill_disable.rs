//! oom-kill-disable: the kernel may not kill the container's processes when memory runs out.

use super::finding;
use crate::rules::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::Spec;

static META: RuleMeta = RuleMeta {
    id: "oom-kill-disable",
    title: "The OOM killer is disabled",
    severity: Severity::Warning,
    cis: None,
    default_action: Action::Warn,
    fix: None,
    doc: include_str!("oom-kill-disable.md"),
};

pub struct OomKillDisable;

impl Rule for OomKillDisable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, _: &Settings) -> Vec<Finding> {
        spec.oom_kill_disable
            .iter()
            .filter(|o| o.value)
            .map(|o| {
                finding(
                    &META,
                    "the OOM killer is disabled for the container",
                    o.origin.clone(),
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
    fn fires_when_disabled() {
        let spec = Spec {
            oom_kill_disable: Some(at(true, 1, "--oom-kill-disable")),
            ..Spec::default()
        };
        let f = one(&OomKillDisable, &spec);
        assert_eq!(f.message, "the OOM killer is disabled for the container");
        assert_eq!(f.origin, argv(1, "--oom-kill-disable"));
        assert!(f.changes.is_empty());
    }

    #[test]
    fn quiet_otherwise() {
        none(&OomKillDisable, &Spec::default());
        let spec = Spec {
            oom_kill_disable: Some(at(false, 1, "--oom-kill-disable")),
            ..Spec::default()
        };
        none(&OomKillDisable, &spec);
    }
}
