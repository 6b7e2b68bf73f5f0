//! dangerous-capability: a capability outside the preset's allowed list is added.

use super::finding;
use crate::fix::{Change, FixSafety};
use crate::rules::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::Spec;

static META: RuleMeta = RuleMeta {
    id: "dangerous-capability",
    title: "A dangerous capability is added",
    severity: Severity::Error,
    cis: Some("5.4"),
    default_action: Action::Deny,
    fix: Some(FixSafety::BehaviourChanging),
    doc: include_str!("dangerous-capability.md"),
};

pub struct DangerousCapability;

/// `net_admin` → `CAP_NET_ADMIN`; `all` → `ALL`.
fn normalize(c: &str) -> String {
    let up = c.trim().to_ascii_uppercase();
    if up == "ALL" || up.starts_with("CAP_") {
        up
    } else {
        format!("CAP_{up}")
    }
}

impl Rule for DangerousCapability {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, settings: &Settings) -> Vec<Finding> {
        if spec.cap_add.is_empty() {
            return vec![];
        }
        let allowed: Vec<String> = settings
            .allowed_capabilities
            .iter()
            .map(|c| normalize(c))
            .filter(|c| c != "ALL")
            .collect();
        spec.cap_add
            .iter()
            .filter_map(|c| {
                let cap = normalize(&c.value);
                if allowed.contains(&cap) {
                    return None;
                }
                let message = if cap == "ALL" {
                    "all capabilities are added (ALL)".to_string()
                } else {
                    format!("capability {cap} is added")
                };
                Some(finding(
                    &META,
                    message,
                    c.origin.clone(),
                    vec![Change::RemoveCapability { capability: cap }],
                ))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    fn adds(caps: &[&str]) -> Spec {
        Spec {
            cap_add: caps
                .iter()
                .enumerate()
                .map(|(i, c)| at_s(c, 2 * i + 1, "--cap-add"))
                .collect(),
            ..Spec::default()
        }
    }

    #[test]
    fn fires_for_each_capability_not_allowed() {
        let f = check(
            &DangerousCapability,
            &adds(&["CAP_NET_BIND_SERVICE", "CAP_SYS_ADMIN", "net_admin"]),
        );
        assert_eq!(f.len(), 2, "{f:#?}");
        assert_eq!(f[0].message, "capability CAP_SYS_ADMIN is added");
        assert_eq!(f[0].origin, argv(3, "--cap-add"));
        assert_eq!(
            f[0].changes,
            vec![Change::RemoveCapability {
                capability: "CAP_SYS_ADMIN".into()
            }]
        );
        assert_eq!(f[1].message, "capability CAP_NET_ADMIN is added");
        assert_eq!(f[1].origin, argv(5, "--cap-add"));
    }

    #[test]
    fn all_is_never_allowed() {
        let settings = Settings {
            allowed_capabilities: vec!["ALL".into(), "CAP_CHOWN".into()],
            ..Settings::default()
        };
        let f = DangerousCapability.check(&adds(&["ALL"]), &settings);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].message, "all capabilities are added (ALL)");
        assert_eq!(
            f[0].changes,
            vec![Change::RemoveCapability {
                capability: "ALL".into()
            }]
        );
    }

    #[test]
    fn allowed_list_accepts_either_spelling() {
        let settings = Settings {
            allowed_capabilities: vec!["sys_time".into()],
            ..Settings::default()
        };
        assert!(
            DangerousCapability
                .check(&adds(&["CAP_SYS_TIME"]), &settings)
                .is_empty()
        );
    }

    #[test]
    fn quiet_for_allowed_or_no_capabilities() {
        none(
            &DangerousCapability,
            &adds(&["CAP_CHOWN", "CAP_NET_BIND_SERVICE"]),
        );
        none(&DangerousCapability, &Spec::default());
    }
}
