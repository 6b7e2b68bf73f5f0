//! privileged-port: a container port is published on a privileged host port (below 1024).

use super::{finding, port_runs, publishing_ignored};
use crate::rules::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::Spec;

static META: RuleMeta = RuleMeta {
    id: "privileged-port",
    title: "A port is published on a privileged host port",
    severity: Severity::Warning,
    cis: Some("5.8"),
    default_action: Action::Warn,
    fix: None,
    doc: include_str!("privileged-port.md"),
};

pub struct PrivilegedPort;

impl Rule for PrivilegedPort {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, _: &Settings) -> Vec<Finding> {
        if publishing_ignored(spec) {
            return vec![];
        }
        let low: Vec<_> = spec
            .ports
            .iter()
            .filter(|p| {
                p.value
                    .host_port_start()
                    .is_some_and(|h| (1..1024).contains(&h))
            })
            .collect();
        port_runs(&low)
            .into_iter()
            .map(|group| {
                let (first, last) = (group[0], group[group.len() - 1]);
                let message = if group.len() == 1 {
                    format!(
                        "port {}/{} is published on privileged host port {}",
                        first.value.container_port,
                        first.value.protocol,
                        first.value.host_port_start().unwrap_or_default()
                    )
                } else {
                    format!(
                        "ports {}-{}/{} are published on privileged host ports {}-{}",
                        first.value.container_port,
                        last.value.container_port,
                        first.value.protocol,
                        first.value.host_port_start().unwrap_or_default(),
                        last.value.host_port_start().unwrap_or_default()
                    )
                };
                finding(&META, message, first.origin.clone(), vec![])
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn fires_below_1024() {
        let spec = Spec {
            ports: vec![
                at(port("127.0.0.1", "80", "8080", "tcp"), 1, "-p"),
                at(port("", "1023-1030", "1023", "udp"), 3, "-p"),
                at(port("", "1024", "1024", "tcp"), 5, "-p"),
                at(port("", "", "22", "tcp"), 7, "-p"),
                at(port("", "0", "23", "tcp"), 9, "-p"),
            ],
            ..Spec::default()
        };
        let f = check(&PrivilegedPort, &spec);
        assert_eq!(f.len(), 2, "{f:#?}");
        assert_eq!(
            f[0].message,
            "port 8080/tcp is published on privileged host port 80"
        );
        assert_eq!(f[0].origin, argv(1, "-p"));
        assert!(f[0].changes.is_empty());
        assert_eq!(
            f[1].message,
            "port 1023/udp is published on privileged host port 1023"
        );
        assert_eq!(f[1].origin, argv(3, "-p"));
    }

    #[test]
    fn one_finding_per_published_range() {
        // `-p 1-1023:1-1023` is one value: one finding, not 1,023.
        let spec = Spec {
            ports: (1..=1023)
                .map(|n| at(port("", &n.to_string(), &n.to_string(), "tcp"), 1, "-p"))
                .collect(),
            ..Spec::default()
        };
        let f = check(&PrivilegedPort, &spec);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(
            f[0].message,
            "ports 1-1023/tcp are published on privileged host ports 1-1023"
        );
    }

    #[test]
    fn quiet_for_high_ports_and_host_network() {
        let spec = Spec {
            ports: vec![at(port("", "8080", "80", "tcp"), 1, "-p")],
            ..Spec::default()
        };
        none(&PrivilegedPort, &spec);
        let spec = Spec {
            ports: vec![at(port("", "80", "80", "tcp"), 1, "-p")],
            network_mode: Some(at_s("host", 3, "--network")),
            ..Spec::default()
        };
        none(&PrivilegedPort, &spec);
    }
}
