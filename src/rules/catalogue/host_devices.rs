//! host-devices: a host device is passed through to the container.

use super::finding;
use crate::rules::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::Spec;

static META: RuleMeta = RuleMeta {
    id: "host-devices",
    title: "A host device is passed through",
    severity: Severity::Warning,
    cis: Some("5.18"),
    default_action: Action::Warn,
    fix: None,
    doc: include_str!("host-devices.md"),
};

pub struct HostDevices;

impl Rule for HostDevices {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, _: &Settings) -> Vec<Finding> {
        spec.devices
            .iter()
            .map(|d| {
                finding(
                    &META,
                    format!("host device {} is passed through", d.value),
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
    fn one_finding_per_device() {
        let spec = Spec {
            devices: vec![
                at_s("/dev/kvm", 1, "--device"),
                at_s("nvidia.com/gpu=all", 3, "--device"),
            ],
            ..Spec::default()
        };
        let f = check(&HostDevices, &spec);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].message, "host device /dev/kvm is passed through");
        assert_eq!(f[0].origin, argv(1, "--device"));
        assert!(f[0].changes.is_empty());
        assert_eq!(
            f[1].message,
            "host device nvidia.com/gpu=all is passed through"
        );
        assert_eq!(f[1].origin, argv(3, "--device"));
    }

    #[test]
    fn quiet_without_devices() {
        none(&HostDevices, &Spec::default());
    }
}
