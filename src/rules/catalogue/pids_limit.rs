//! pids-limit: the container may start any number of processes.

use super::finding;
use crate::fix::{Change, FixSafety};
use crate::rules::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::{Origin, Spec};

static META: RuleMeta = RuleMeta {
    id: "pids-limit",
    title: "No limit on the number of processes",
    severity: Severity::Warning,
    cis: Some("5.29"),
    default_action: Action::Fix,
    fix: Some(FixSafety::BehaviourChanging),
    doc: include_str!("pids-limit.md"),
};

pub struct PidsLimit;

impl Rule for PidsLimit {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, settings: &Settings) -> Vec<Finding> {
        let (message, origin): (std::borrow::Cow<'static, str>, _) = match &spec.pids_limit {
            Some(p) if p.value > 0 => return vec![],
            Some(p) => (
                format!("pids limit {} means no limit", p.value).into(),
                p.origin.clone(),
            ),
            None => ("no pids limit is set".into(), Origin::Missing),
        };
        vec![finding(
            &META,
            message,
            origin,
            vec![Change::SetPidsLimit {
                limit: settings.pids_limit,
            }],
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn fires_when_missing() {
        let f = one(&PidsLimit, &Spec::default());
        assert_eq!(f.message, "no pids limit is set");
        assert_eq!(f.origin, Origin::Missing);
        assert_eq!(f.changes, vec![Change::SetPidsLimit { limit: 256 }]);
    }

    #[test]
    fn fires_on_zero_and_minus_one() {
        for v in [0, -1] {
            let spec = Spec {
                pids_limit: Some(at(v, 1, "--pids-limit")),
                ..Spec::default()
            };
            let f = one(&PidsLimit, &spec);
            assert_eq!(f.message, format!("pids limit {v} means no limit"));
            assert_eq!(f.origin, argv(1, "--pids-limit"));
            assert_eq!(f.changes, vec![Change::SetPidsLimit { limit: 256 }]);
        }
    }

    #[test]
    fn quiet_with_a_limit() {
        let spec = Spec {
            pids_limit: Some(at(100, 1, "--pids-limit")),
            ..Spec::default()
        };
        none(&PidsLimit, &spec);
    }
}
