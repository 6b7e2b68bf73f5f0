//! Builders for the rules' unit tests.

use crate::rules::Settings;
use crate::rules::{Finding, Rule};
use crate::spec::{At, Mount, MountKind, Origin, Port, Spec};

/// The origin of the `docker run` token at `index` (flag as written).
pub fn argv(index: usize, flag: &str) -> Origin {
    Origin::Argv {
        index,
        flag: flag.into(),
    }
}

/// `value` as if written at argv position `index` with `flag`.
pub fn at<T>(value: T, index: usize, flag: &str) -> At<T> {
    At::new(value, argv(index, flag))
}

/// `value` with a string conversion, at argv position `index`.
pub fn at_s(value: &str, index: usize, flag: &str) -> At<String> {
    at(value.to_string(), index, flag)
}

/// The rule's findings with the default preset's settings.
pub fn check(rule: &dyn Rule, spec: &Spec) -> Vec<Finding> {
    rule.check(spec, &Settings::default())
}

/// Exactly one finding, or a panic naming what was found.
pub fn one(rule: &dyn Rule, spec: &Spec) -> Finding {
    let mut f = check(rule, spec);
    assert_eq!(f.len(), 1, "expected one finding, got {f:#?}");
    let f = f.remove(0);
    assert_eq!(f.rule, rule.meta().id);
    f
}

/// No finding, or a panic naming what was found.
pub fn none(rule: &dyn Rule, spec: &Spec) {
    let f = check(rule, spec);
    assert!(f.is_empty(), "expected no finding, got {f:#?}");
}

pub fn bind(source: &str, target: &str, read_only: bool) -> Mount {
    Mount {
        kind: MountKind::Bind,
        source: Some(source.into()),
        target: target.into(),
        read_only,
        propagation: None,
    }
}

pub fn volume(name: Option<&str>, target: &str) -> Mount {
    Mount {
        kind: MountKind::Volume,
        source: name.map(Into::into),
        target: target.into(),
        read_only: false,
        propagation: None,
    }
}

pub fn port(host_ip: &str, host_port: &str, container_port: &str, protocol: &str) -> Port {
    Port {
        host_ip: host_ip.into(),
        host_port: host_port.into(),
        container_port: container_port.into(),
        protocol: protocol.into(),
    }
}

/// A spec with these security options, at argv positions 1, 3, 5…
pub fn security_opts(list: &[&str]) -> Spec {
    Spec {
        security_opt: list
            .iter()
            .enumerate()
            .map(|(i, o)| at_s(o, 2 * i + 1, "--security-opt"))
            .collect(),
        ..Spec::default()
    }
}

/// A spec with only an image.
pub fn with_image(image: &str) -> Spec {
    Spec {
        image: Some(at_s(image, 9, "IMAGE")),
        ..Spec::default()
    }
}
