//! cap-drop-all: the container keeps the engine's default capabilities.

use super::finding;
use crate::fix::{Change, FixSafety};
use crate::rules::Settings;
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

    fn check(&self, spec: &Spec, settings: &Settings) -> Vec<Finding> {
        if spec.cap_drop.iter().any(|c| c.value == "ALL") {
            return vec![];
        }
        let mut changes = vec![Change::DropAllCapabilities];
        // What the image needs back: capabilities its programs carry as file capabilities (the
        // kernel refuses to run them without), and its profile's.
        let mut notes = Vec::new();
        let file_caps = spec
            .image_facts
            .fs
            .iter()
            .flat_map(|f| f.file_caps.iter())
            .flat_map(|(p, caps)| {
                caps.iter()
                    .map(move |c| (c.clone(), format!("{p} carries it as a file capability")))
            });
        let profile_caps = settings.profile_caps.iter().map(|c| {
            (
                c.clone(),
                settings
                    .profile_name
                    .clone()
                    .unwrap_or_else(|| "the image's profile".into()),
            )
        });
        for (cap, why) in file_caps.chain(profile_caps) {
            let added = spec.cap_add.iter().any(|c| c.value == cap);
            let planned = changes.contains(&Change::AddCapability {
                capability: cap.clone(),
            });
            if added || planned {
                continue;
            }
            if settings.allowed_capabilities.contains(&cap) {
                notes.push(format!("{cap} is kept: {why}"));
                changes.push(Change::AddCapability { capability: cap });
            } else {
                notes.push(format!(
                    "{cap} is needed ({why}) but the preset does not allow adding it back: the \
                     program will not start until you add it (--cap-add) and waive \
                     dangerous-capability"
                ));
            }
        }
        let suffix = if notes.is_empty() {
            String::new()
        } else {
            format!("; {}", notes.join("; "))
        };
        const NOT_DROPPED: &str =
            "capabilities are not dropped (no cap-drop ALL), so the engine's default set is kept";
        match spec.cap_drop.first() {
            None => vec![finding(
                &META,
                if suffix.is_empty() {
                    NOT_DROPPED.into()
                } else {
                    std::borrow::Cow::Owned(format!("{NOT_DROPPED}{suffix}"))
                },
                Origin::Missing,
                changes,
            )],
            Some(first) => {
                let dropped: Vec<&str> = spec.cap_drop.iter().map(|c| c.value.as_str()).collect();
                let verb = if dropped.len() == 1 { "is" } else { "are" };
                vec![finding(
                    &META,
                    format!(
                        "only {} {verb} dropped instead of ALL capabilities{suffix}",
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
