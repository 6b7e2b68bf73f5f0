//! port-host-ip: published ports listen on every interface of the host.

use super::{finding, normalize_port_proto, port_runs, publishing_ignored};
use crate::fix::{Change, FixSafety};
use crate::rules::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::{At, Port, Spec};

static META: RuleMeta = RuleMeta {
    id: "port-host-ip",
    title: "A published port is bound to all host interfaces",
    severity: Severity::Warning,
    cis: Some("5.14"),
    default_action: Action::Fix,
    fix: Some(FixSafety::BehaviourChanging),
    doc: include_str!("port-host-ip.md"),
};

pub struct PortHostIp;

/// `0.0.0.0:8080`, `[::]:8080`, or with no host port `0.0.0.0, random host port`.
fn listen_address(p: &Port, several: bool) -> String {
    let ip = match p.host_ip.as_str() {
        "" => "0.0.0.0",
        "::" | "[::]" => "[::]",
        other => other,
    };
    if p.host_port.is_empty() {
        format!("{ip}, random host port{}", if several { "s" } else { "" })
    } else {
        format!("{ip}:{}", p.host_port)
    }
}

/// `8000-8002/tcp` → `8000/tcp`, `8001/tcp`, `8002/tcp` (as the engine expands exposed ranges).
fn expand(port: &str) -> Vec<String> {
    let p = normalize_port_proto(port);
    let (num, proto) = p.split_once('/').unwrap_or((&p, "tcp"));
    if let Some((a, b)) = num.split_once('-')
        && let (Ok(a), Ok(b)) = (a.parse::<u16>(), b.parse::<u16>())
        && a <= b
    {
        return (a..=b).map(|n| format!("{n}/{proto}")).collect();
    }
    vec![p]
}

fn sort_key(p: &str) -> (u32, String) {
    crate::parse::ports::port_key_order(p)
}

/// The ports `-P` publishes and that no explicit binding publishes already.
fn exposed_unpublished(spec: &Spec) -> Vec<String> {
    let published: Vec<String> = spec
        .ports
        .iter()
        .map(|p| normalize_port_proto(&format!("{}/{}", p.value.container_port, p.value.protocol)))
        .collect();
    let mut ports: Vec<String> = spec
        .expose
        .iter()
        .map(|e| e.value.as_str())
        .chain(
            spec.image_facts
                .exposed_ports
                .iter()
                .flatten()
                .map(String::as_str),
        )
        .flat_map(expand)
        .filter(|p| !published.contains(p))
        .collect();
    ports.sort_by_key(|p| sort_key(p));
    ports.dedup();
    ports
}

impl Rule for PortHostIp {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, settings: &Settings) -> Vec<Finding> {
        if publishing_ignored(spec) {
            return vec![];
        }
        let open: Vec<&At<Port>> = spec
            .ports
            .iter()
            .filter(|p| p.value.binds_all_interfaces())
            .collect();
        let mut findings: Vec<Finding> = Vec::new();
        for group in port_runs(&open) {
            let (first, last) = (group[0], group[group.len() - 1]);
            let port = if group.len() == 1 {
                first.value.clone()
            } else {
                let span = |a: &str, b: &str| {
                    if a.is_empty() {
                        String::new()
                    } else {
                        format!("{a}-{b}")
                    }
                };
                Port {
                    host_ip: first.value.host_ip.clone(),
                    host_port: span(&first.value.host_port, &last.value.host_port),
                    container_port: span(&first.value.container_port, &last.value.container_port),
                    protocol: first.value.protocol.clone(),
                }
            };
            let what = if group.len() == 1 { "port" } else { "ports" };
            let verb = if group.len() == 1 { "is" } else { "are" };
            findings.push(finding(
                &META,
                format!(
                    "{what} {}/{} {verb} published on all interfaces ({})",
                    port.container_port,
                    port.protocol,
                    listen_address(&port, group.len() > 1)
                ),
                first.origin.clone(),
                vec![Change::bind_port(
                    port.container_port,
                    port.protocol,
                    port.host_port,
                    settings.bind_ip.clone(),
                    first.origin.clone(),
                )],
            ));
        }
        if let Some(all) = spec.publish_all.as_ref().filter(|a| a.value) {
            let ports = exposed_unpublished(spec);
            let list = if ports.is_empty() {
                "none".to_string()
            } else {
                ports.join(", ")
            };
            let message = if spec.image_facts.exposed_ports.is_some() {
                format!("publish-all publishes every exposed port on all interfaces ({list})")
            } else {
                format!(
                    "publish-all publishes every exposed port on all interfaces \
                     (known: {list}; the image's own EXPOSE ports are unknown)"
                )
            };
            findings.push(finding(
                &META,
                message,
                all.origin.clone(),
                vec![Change::PublishExposedPortsOn {
                    ports,
                    ip: settings.bind_ip.clone(),
                }],
            ));
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::spec::ImageFacts;

    fn bind_change(c: &str, proto: &str, host: &str, origin: crate::spec::Origin) -> Change {
        Change::bind_port(
            c.into(),
            proto.into(),
            host.into(),
            "127.0.0.1".into(),
            origin,
        )
    }

    #[test]
    fn one_finding_per_port_on_all_interfaces() {
        let spec = Spec {
            ports: vec![
                at(port("", "8080", "80", "tcp"), 1, "-p"),
                at(port("127.0.0.1", "8443", "443", "tcp"), 3, "-p"),
                at(port("::", "53", "53", "udp"), 5, "--publish"),
                at(port("0.0.0.0", "", "9000", "tcp"), 7, "-p"),
            ],
            ..Spec::default()
        };
        let f = check(&PortHostIp, &spec);
        assert_eq!(f.len(), 3, "{f:#?}");
        assert_eq!(
            f[0].message,
            "port 80/tcp is published on all interfaces (0.0.0.0:8080)"
        );
        assert_eq!(f[0].origin, argv(1, "-p"));
        assert_eq!(
            f[0].changes,
            vec![bind_change("80", "tcp", "8080", argv(1, "-p"))]
        );
        assert_eq!(
            f[1].message,
            "port 53/udp is published on all interfaces ([::]:53)"
        );
        assert_eq!(
            f[1].changes,
            vec![bind_change("53", "udp", "53", argv(5, "--publish"))]
        );
        assert_eq!(
            f[2].message,
            "port 9000/tcp is published on all interfaces (0.0.0.0, random host port)"
        );
        assert_eq!(
            f[2].changes,
            vec![bind_change("9000", "tcp", "", argv(7, "-p"))]
        );
    }

    #[test]
    fn one_finding_per_published_range() {
        // `-p 8000-8002:80-82 -p 9000-9001` (random host ports), then `-p 81:81` on its own.
        let spec = Spec {
            ports: vec![
                at(port("", "8000", "80", "tcp"), 1, "-p"),
                at(port("", "8001", "81", "tcp"), 1, "-p"),
                at(port("", "8002", "82", "tcp"), 1, "-p"),
                at(port("", "", "9000", "tcp"), 3, "-p"),
                at(port("", "", "9001", "tcp"), 3, "-p"),
                at(port("", "81", "81", "tcp"), 5, "-p"),
            ],
            ..Spec::default()
        };
        let f = check(&PortHostIp, &spec);
        assert_eq!(f.len(), 3, "{f:#?}");
        assert_eq!(
            f[0].message,
            "ports 80-82/tcp are published on all interfaces (0.0.0.0:8000-8002)"
        );
        assert_eq!(
            f[0].changes,
            vec![bind_change("80-82", "tcp", "8000-8002", argv(1, "-p"))]
        );
        assert_eq!(
            f[1].message,
            "ports 9000-9001/tcp are published on all interfaces (0.0.0.0, random host ports)"
        );
        assert_eq!(
            f[2].message,
            "port 81/tcp is published on all interfaces (0.0.0.0:81)"
        );
    }

    #[test]
    fn quiet_for_ports_on_one_address() {
        let spec = Spec {
            ports: vec![at(port("127.0.0.1", "8080", "80", "tcp"), 1, "-p")],
            ..Spec::default()
        };
        none(&PortHostIp, &spec);
    }

    #[test]
    fn quiet_when_the_network_mode_discards_ports() {
        for mode in ["host", "none", "container:db", "service:db"] {
            let spec = Spec {
                ports: vec![at(port("", "8080", "80", "tcp"), 1, "-p")],
                publish_all: Some(at(true, 3, "-P")),
                network_mode: Some(at_s(mode, 4, "--network")),
                ..Spec::default()
            };
            none(&PortHostIp, &spec);
        }
    }

    #[test]
    fn publish_all_with_known_image_ports() {
        let spec = Spec {
            publish_all: Some(at(true, 1, "-P")),
            expose: vec![at_s("9000", 2, "--expose")],
            ports: vec![at(port("127.0.0.1", "8443", "443", "tcp"), 4, "-p")],
            image_facts: ImageFacts {
                exposed_ports: Some(vec!["443/tcp".into(), "80/tcp".into(), "80/tcp".into()]),
                ..Default::default()
            },
            ..Spec::default()
        };
        let f = one(&PortHostIp, &spec);
        assert_eq!(
            f.message,
            "publish-all publishes every exposed port on all interfaces (80/tcp, 9000/tcp)"
        );
        assert_eq!(f.origin, argv(1, "-P"));
        assert_eq!(
            f.changes,
            vec![Change::PublishExposedPortsOn {
                ports: vec!["80/tcp".into(), "9000/tcp".into()],
                ip: "127.0.0.1".into(),
            }]
        );
    }

    #[test]
    fn publish_all_with_unknown_image_ports() {
        let spec = Spec {
            publish_all: Some(at(true, 1, "-P")),
            expose: vec![at_s("7000-7001/UDP", 2, "--expose")],
            ..Spec::default()
        };
        let f = one(&PortHostIp, &spec);
        assert_eq!(
            f.message,
            "publish-all publishes every exposed port on all interfaces \
             (known: 7000/udp, 7001/udp; the image's own EXPOSE ports are unknown)"
        );
        assert_eq!(
            f.changes,
            vec![Change::PublishExposedPortsOn {
                ports: vec!["7000/udp".into(), "7001/udp".into()],
                ip: "127.0.0.1".into(),
            }]
        );
    }

    #[test]
    fn publish_all_with_nothing_exposed() {
        let spec = Spec {
            publish_all: Some(at(true, 1, "-P")),
            image_facts: ImageFacts {
                exposed_ports: Some(vec![]),
                ..Default::default()
            },
            ..Spec::default()
        };
        let f = one(&PortHostIp, &spec);
        assert_eq!(
            f.message,
            "publish-all publishes every exposed port on all interfaces (none)"
        );
        assert_eq!(
            f.changes,
            vec![Change::PublishExposedPortsOn {
                ports: vec![],
                ip: "127.0.0.1".into(),
            }]
        );
    }

    #[test]
    fn publish_all_false_is_quiet() {
        let spec = Spec {
            publish_all: Some(at(false, 1, "-P")),
            ..Spec::default()
        };
        none(&PortHostIp, &spec);
    }
}
