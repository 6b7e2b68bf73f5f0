//! cap-drop-all: the container keeps the engine's default capabilities.

use super::finding;
use crate::fix::{Change, FixSafety};
use crate::preset::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::{Origin, Spec};

static META: RuleMeta = RuleMeta {
    id: "cap-drop-all",
    title: "Capabilities are not dropped to ALL",
    severity: Severity::Warning,
    cis: Some("5.4"),
    default_action: Action::Fix,
    fix: Some(FixSafety::BehaviourChanging),
    doc: include_str!("cap-drop-all.md"),
};

pub struct CapDropAll;

impl Rule for CapDropAll {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, _: &Settings) -> Vec<Finding> {
        if spec.cap_drop.iter().any(|c| c.value == "ALL") {
            return vec![];
        }
        let changes = vec![Change::DropAllCapabilities];
        match spec.cap_drop.first() {
            None => vec![finding(
                &META,
                "capabilities are not dropped (no cap-drop ALL), so the engine's default set is kept",
                Origin::Missing,
                changes,
            )],
            Some(first) => {
                let dropped: Vec<&str> = spec.cap_drop.iter().map(|c| c.value.as_str()).collect();
                let verb = if dropped.len() == 1 { "is" } else { "are" };
                vec![finding(
                    &META,
                    format!(
                        "only {} {verb} dropped instead of ALL capabilities",
                        dropped.join(", ")
                    ),
                    first.origin.clone(),
                    changes,
                )]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn fires_when_nothing_is_dropped() {
        let f = one(&CapDropAll, &Spec::default());
        assert_eq!(
            f.message,
            "capabilities are not dropped (no cap-drop ALL), so the engine's default set is kept"
        );
        assert_eq!(f.origin, Origin::Missing);
        assert_eq!(f.changes, vec![Change::DropAllCapabilities]);
    }

    #[test]
    fn fires_on_a_partial_drop_at_its_origin() {
        let spec = Spec {
            cap_drop: vec![
                at_s("CAP_NET_RAW", 1, "--cap-drop"),
                at_s("CAP_MKNOD", 3, "--cap-drop"),
            ],
            ..Spec::default()
        };
        let f = one(&CapDropAll, &spec);
        assert_eq!(
            f.message,
            "only CAP_NET_RAW, CAP_MKNOD are dropped instead of ALL capabilities"
        );
        assert_eq!(f.origin, argv(1, "--cap-drop"));
        assert_eq!(f.changes, vec![Change::DropAllCapabilities]);
    }

    #[test]
    fn quiet_when_all_are_dropped_even_with_adds() {
        let spec = Spec {
            cap_drop: vec![at_s("ALL", 1, "--cap-drop")],
            cap_add: vec![at_s("CAP_NET_BIND_SERVICE", 3, "--cap-add")],
            ..Spec::default()
        };
        none(&CapDropAll, &spec);
    }
}
