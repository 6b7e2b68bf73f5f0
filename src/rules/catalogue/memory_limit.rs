//! memory-limit: the container may use all of the host's memory.

use super::finding;
use crate::fix::{Change, FixSafety};
use crate::rules::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::{Origin, Spec};

static META: RuleMeta = RuleMeta {
    id: "memory-limit",
    title: "No memory limit",
    severity: Severity::Warning,
    cis: Some("5.11"),
    default_action: Action::Fix,
    fix: Some(FixSafety::BehaviourChanging),
    doc: include_str!("memory-limit.md"),
};

pub struct MemoryLimit;

/// The preset's limit, moved into what the engine accepts next to the spec's other memory
/// settings: not below the reservation, not above a positive memory+swap limit.
fn limit(spec: &Spec, settings: &Settings) -> i64 {
    let mut bytes = settings.memory;
    if let Some(r) = spec.memory_reservation.as_ref().filter(|r| r.value > 0) {
        bytes = bytes.max(r.value);
    }
    if let Some(s) = spec.memory_swap.as_ref().filter(|s| s.value > 0) {
        bytes = bytes.min(s.value);
    }
    bytes
}

impl Rule for MemoryLimit {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, settings: &Settings) -> Vec<Finding> {
        let (message, origin): (std::borrow::Cow<'static, str>, _) = match &spec.memory {
            // A negative limit (`--memory 99999999999999999999g` overflows, as in docker) is no
            // missing limit but a value the engine refuses ("Minimum memory limit allowed is
            // 6MB"): leave it to the engine, as docker does, instead of replacing the user's
            // value and running the container.
            Some(m) if m.value != 0 => return vec![],
            Some(m) => (
                format!("memory limit {} means no limit", m.value).into(),
                m.origin.clone(),
            ),
            None => ("no memory limit is set".into(), Origin::Missing),
        };
        vec![finding(
            &META,
            message,
            origin,
            vec![Change::SetMemory {
                bytes: limit(spec, settings),
            }],
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    const MIB: i64 = 1 << 20;

    #[test]
    fn fires_when_missing() {
        let f = one(&MemoryLimit, &Spec::default());
        assert_eq!(f.message, "no memory limit is set");
        assert_eq!(f.origin, Origin::Missing);
        assert_eq!(f.changes, vec![Change::SetMemory { bytes: 512 * MIB }]);
    }

    #[test]
    fn fires_on_zero_at_its_origin() {
        let spec = Spec {
            memory: Some(at(0, 1, "-m")),
            ..Spec::default()
        };
        let f = one(&MemoryLimit, &spec);
        assert_eq!(f.message, "memory limit 0 means no limit");
        assert_eq!(f.origin, argv(1, "-m"));
    }

    #[test]
    fn quiet_on_a_negative_limit_the_engine_refuses() {
        let spec = Spec {
            memory: Some(at(i64::MIN, 1, "--memory")),
            ..Spec::default()
        };
        none(&MemoryLimit, &spec);
    }

    #[test]
    fn quiet_with_a_limit() {
        let spec = Spec {
            memory: Some(at(64 * MIB, 1, "--memory")),
            ..Spec::default()
        };
        none(&MemoryLimit, &spec);
    }

    #[test]
    fn never_below_the_reservation() {
        let spec = Spec {
            memory_reservation: Some(at(1024 * MIB, 1, "--memory-reservation")),
            ..Spec::default()
        };
        assert_eq!(
            one(&MemoryLimit, &spec).changes,
            vec![Change::SetMemory { bytes: 1024 * MIB }]
        );
    }

    #[test]
    fn never_above_a_positive_swap_limit() {
        let spec = Spec {
            memory_swap: Some(at(256 * MIB, 1, "--memory-swap")),
            ..Spec::default()
        };
        assert_eq!(
            one(&MemoryLimit, &spec).changes,
            vec![Change::SetMemory { bytes: 256 * MIB }]
        );
        // -1 is unlimited swap: no bound.
        let spec = Spec {
            memory_swap: Some(at(-1, 1, "--memory-swap")),
            ..Spec::default()
        };
        assert_eq!(
            one(&MemoryLimit, &spec).changes,
            vec![Change::SetMemory { bytes: 512 * MIB }]
        );
    }
}
