//! privileged-port: a container port is published on a privileged host port (below 1024).

use super::{finding, publishing_ignored};
use crate::preset::Settings;
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
        spec.ports
            .iter()
            .filter_map(|p| {
                let host = p
                    .value
                    .host_port_start()
                    .filter(|h| (1..1024).contains(h))?;
                Some(finding(
                    &META,
                    format!(
                        "port {}/{} is published on privileged host port {host}",
                        p.value.container_port, p.value.protocol
                    ),
                    p.origin.clone(),
                    vec![],
                ))
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
