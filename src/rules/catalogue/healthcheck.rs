//! healthcheck: nothing tells the engine whether the container works.

use super::finding;
use crate::rules::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::{Health, Origin, Spec};

static META: RuleMeta = RuleMeta {
    id: "healthcheck",
    title: "No health check",
    severity: Severity::Info,
    cis: Some("5.27"),
    default_action: Action::Warn,
    fix: None,
    doc: include_str!("healthcheck.md"),
};

pub struct Healthcheck;

impl Rule for Healthcheck {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, _: &Settings) -> Vec<Finding> {
        let (message, origin) = match (&spec.healthcheck, spec.image_facts.has_healthcheck) {
            (Some(h), _) if h.value == Health::Disabled => {
                ("health checks are disabled", h.origin.clone())
            }
            (Some(_), _) | (None, Some(true)) => return vec![],
            (None, Some(false)) => (
                "no health check is configured and the image has none",
                Origin::Missing,
            ),
            (None, None) => (
                "no health check is configured (the image's own HEALTHCHECK, if any, still applies)",
                Origin::Missing,
            ),
        };
        vec![finding(&META, message, origin, vec![])]
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::spec::ImageFacts;

    fn spec(health: Option<Health>, image: Option<bool>) -> Spec {
        Spec {
            healthcheck: health.map(|h| at(h, 1, "--health-cmd")),
            image_facts: ImageFacts {
                has_healthcheck: image,
                ..Default::default()
            },
            ..Spec::default()
        }
    }

    #[test]
    fn fires_when_disabled_even_if_the_image_has_one() {
        let f = one(&Healthcheck, &spec(Some(Health::Disabled), Some(true)));
        assert_eq!(f.message, "health checks are disabled");
        assert_eq!(f.origin, argv(1, "--health-cmd"));
        assert!(f.changes.is_empty());
    }

    #[test]
    fn fires_when_missing_and_says_what_is_known_about_the_image() {
        let f = one(&Healthcheck, &spec(None, Some(false)));
        assert_eq!(
            f.message,
            "no health check is configured and the image has none"
        );
        assert_eq!(f.origin, Origin::Missing);
        let f = one(&Healthcheck, &spec(None, None));
        assert_eq!(
            f.message,
            "no health check is configured (the image's own HEALTHCHECK, if any, still applies)"
        );
    }

    #[test]
    fn quiet_when_defined_here_or_in_the_image() {
        none(&Healthcheck, &spec(Some(Health::Defined), None));
        none(&Healthcheck, &spec(Some(Health::Defined), Some(false)));
        none(&Healthcheck, &spec(None, Some(true)));
    }
}
