//! restart-policy: the container is restarted without bound.

use super::finding;
use crate::rules::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::Spec;

static META: RuleMeta = RuleMeta {
    id: "restart-policy",
    title: "The restart policy restarts without bound",
    severity: Severity::Warning,
    cis: Some("5.15"),
    default_action: Action::Warn,
    fix: None,
    doc: include_str!("restart-policy.md"),
};

/// CIS 5.15: at most 5 retries.
const MAX_RETRIES: i64 = 5;

pub struct RestartPolicy;

impl Rule for RestartPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, _: &Settings) -> Vec<Finding> {
        let Some(r) = &spec.restart else {
            return vec![];
        };
        let message = match (r.value.name.as_str(), r.value.max_retries) {
            ("always", _) => "restart policy always restarts the container forever".to_string(),
            ("on-failure", n) if n <= 0 => {
                "restart policy on-failure has no retry limit (0 means unlimited)".to_string()
            }
            ("on-failure", n) if n > MAX_RETRIES => {
                format!("restart policy on-failure:{n} allows more than {MAX_RETRIES} retries")
            }
            _ => return vec![],
        };
        vec![finding(&META, message, r.origin.clone(), vec![])]
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::spec::Restart;

    fn restart(name: &str, max_retries: i64) -> Spec {
        Spec {
            restart: Some(at(
                Restart {
                    name: name.into(),
                    max_retries,
                },
                1,
                "--restart",
            )),
            ..Spec::default()
        }
    }

    #[test]
    fn fires_for_always_and_unbounded_on_failure() {
        let f = one(&RestartPolicy, &restart("always", 0));
        assert_eq!(
            f.message,
            "restart policy always restarts the container forever"
        );
        assert_eq!(f.origin, argv(1, "--restart"));
        assert!(f.changes.is_empty());
        let f = one(&RestartPolicy, &restart("on-failure", 0));
        assert_eq!(
            f.message,
            "restart policy on-failure has no retry limit (0 means unlimited)"
        );
        let f = one(&RestartPolicy, &restart("on-failure", 6));
        assert_eq!(
            f.message,
            "restart policy on-failure:6 allows more than 5 retries"
        );
    }

    #[test]
    fn quiet_for_bounded_policies() {
        none(&RestartPolicy, &restart("on-failure", 5));
        none(&RestartPolicy, &restart("on-failure", 1));
        none(&RestartPolicy, &restart("unless-stopped", 0));
        none(&RestartPolicy, &restart("no", 0));
        none(&RestartPolicy, &Spec::default());
    }
}
