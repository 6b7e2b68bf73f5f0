//! unsafe-sysctl: a kernel parameter outside the safe namespaced set is changed.

use super::finding;
use crate::rules::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::Spec;

static META: RuleMeta = RuleMeta {
    id: "unsafe-sysctl",
    title: "An unsafe sysctl is set",
    severity: Severity::Warning,
    cis: None,
    default_action: Action::Warn,
    fix: None,
    doc: include_str!("unsafe-sysctl.md"),
};

/// Kubernetes' "safe" sysctls: namespaced, and isolated from other containers and the host.
const SAFE: [&str; 10] = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

pub struct UnsafeSysctl;

/// `net/ipv4/tcp_syncookies` → `net.ipv4.tcp_syncookies`.
fn normalize(key: &str) -> String {
    key.trim().replace('/', ".")
}

impl Rule for UnsafeSysctl {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, _: &Settings) -> Vec<Finding> {
        spec.sysctls
            .iter()
            .filter(|s| !SAFE.contains(&normalize(&s.value.0).as_str()))
            .map(|s| {
                let (k, v) = &s.value;
                finding(
                    &META,
                    format!("sysctl {k}={v} is not in the safe namespaced set"),
                    s.origin.clone(),
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

    fn sysctls(list: &[(&str, &str)]) -> Spec {
        Spec {
            sysctls: list
                .iter()
                .enumerate()
                .map(|(i, (k, v))| at((k.to_string(), v.to_string()), 2 * i + 1, "--sysctl"))
                .collect(),
            ..Spec::default()
        }
    }

    #[test]
    fn fires_for_each_unsafe_sysctl() {
        let f = check(
            &UnsafeSysctl,
            &sysctls(&[
                ("net.ipv4.tcp_syncookies", "1"),
                ("net.ipv4.ip_forward", "1"),
                ("kernel.msgmax", "65536"),
            ]),
        );
        assert_eq!(f.len(), 2, "{f:#?}");
        assert_eq!(
            f[0].message,
            "sysctl net.ipv4.ip_forward=1 is not in the safe namespaced set"
        );
        assert_eq!(f[0].origin, argv(3, "--sysctl"));
        assert!(f[0].changes.is_empty());
        assert_eq!(f[1].origin, argv(5, "--sysctl"));
    }

    #[test]
    fn quiet_for_the_safe_set_in_either_notation() {
        let all: Vec<(&str, &str)> = SAFE.iter().map(|k| (*k, "1")).collect();
        none(&UnsafeSysctl, &sysctls(&all));
        none(
            &UnsafeSysctl,
            &sysctls(&[("net/ipv4/ip_local_port_range", "1024 65000")]),
        );
        none(&UnsafeSysctl, &Spec::default());
    }
}
