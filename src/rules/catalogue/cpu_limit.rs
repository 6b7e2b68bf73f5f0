//! cpu-limit: the container may use every CPU of the host.

use super::finding;
use crate::fix::{Change, FixSafety};
use crate::rules::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::{Origin, Spec};

static META: RuleMeta = RuleMeta {
    id: "cpu-limit",
    title: "No CPU limit",
    severity: Severity::Warning,
    cis: Some("5.12"),
    default_action: Action::Fix,
    fix: Some(FixSafety::BehaviourChanging),
    doc: include_str!("cpu-limit.md"),
};

/// The engine refuses a CFS quota below 1 ms.
const MIN_QUOTA: i64 = 1000;

pub struct CpuLimit;

impl Rule for CpuLimit {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, settings: &Settings) -> Vec<Finding> {
        let positive = |v: &Option<crate::spec::At<i64>>| v.as_ref().is_some_and(|v| v.value > 0);
        if positive(&spec.nano_cpus) || positive(&spec.cpu_quota) {
            return vec![];
        }
        // `--cpus -1` is refused by the engine ("Range of CPUs is from 0.01 to …"): leave it to
        // the engine, as docker does, instead of replacing the user's value. (A negative
        // `--cpu-quota` means no limit.)
        if spec.nano_cpus.as_ref().is_some_and(|v| v.value < 0) {
            return vec![];
        }
        let origin = spec
            .nano_cpus
            .as_ref()
            .or(spec.cpu_quota.as_ref())
            .map_or(Origin::Missing, |v| v.origin.clone());
        // `--cpus` cannot be combined with `--cpu-period`: express the same limit as a quota.
        let change = match spec.cpu_period.as_ref().filter(|p| p.value > 0) {
            Some(period) => {
                let quota =
                    i128::from(settings.nano_cpus) * i128::from(period.value) / 1_000_000_000;
                Change::SetCpuQuota {
                    quota: i64::try_from(quota).unwrap_or(i64::MAX).max(MIN_QUOTA),
                }
            }
            None => Change::SetNanoCpus {
                nano_cpus: settings.nano_cpus,
            },
        };
        vec![finding(&META, "no CPU limit is set", origin, vec![change])]
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn fires_when_missing() {
        let f = one(&CpuLimit, &Spec::default());
        assert_eq!(f.message, "no CPU limit is set");
        assert_eq!(f.origin, Origin::Missing);
        assert_eq!(
            f.changes,
            vec![Change::SetNanoCpus {
                nano_cpus: 1_000_000_000
            }]
        );
    }

    #[test]
    fn points_at_a_zero_value() {
        let spec = Spec {
            cpu_quota: Some(at(-1, 1, "--cpu-quota")),
            ..Spec::default()
        };
        assert_eq!(one(&CpuLimit, &spec).origin, argv(1, "--cpu-quota"));
    }

    #[test]
    fn quiet_on_negative_cpus_the_engine_refuses() {
        let spec = Spec {
            nano_cpus: Some(at(-1_000_000_000, 1, "--cpus")),
            ..Spec::default()
        };
        none(&CpuLimit, &spec);
    }

    #[test]
    fn quiet_with_cpus_or_a_quota() {
        let spec = Spec {
            nano_cpus: Some(at(500_000_000, 1, "--cpus")),
            ..Spec::default()
        };
        none(&CpuLimit, &spec);
        let spec = Spec {
            cpu_quota: Some(at(50_000, 1, "--cpu-quota")),
            ..Spec::default()
        };
        none(&CpuLimit, &spec);
    }

    #[test]
    fn uses_a_quota_when_a_period_is_set() {
        let spec = Spec {
            cpu_period: Some(at(50_000, 1, "--cpu-period")),
            ..Spec::default()
        };
        let settings = Settings {
            nano_cpus: 1_500_000_000,
            ..Settings::default()
        };
        let f = CpuLimit.check(&spec, &settings);
        assert_eq!(f[0].changes, vec![Change::SetCpuQuota { quota: 75_000 }]);
    }

    #[test]
    fn the_quota_respects_the_engine_minimum() {
        let spec = Spec {
            cpu_period: Some(at(1000, 1, "--cpu-period")),
            ..Spec::default()
        };
        let settings = Settings {
            nano_cpus: 500_000_000,
            ..Settings::default()
        };
        let f = CpuLimit.check(&spec, &settings);
        assert_eq!(f[0].changes, vec![Change::SetCpuQuota { quota: 1000 }]);
    }
}
