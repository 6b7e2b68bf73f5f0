//! host-network, host-pid, host-ipc, host-uts, host-userns, host-cgroupns: the container shares
//! one of the host's namespaces. One implementation, six declarations.

use super::finding;
use crate::rules::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::{At, Spec};

/// A rule that fires when one namespace mode of the spec is `host`.
pub struct HostNamespace {
    meta: &'static RuleMeta,
    /// The spec field holding the mode.
    mode: fn(&Spec) -> Option<&At<String>>,
    /// Completes "the container shares the host's …".
    what: &'static str,
    /// The setting's name in messages.
    setting: &'static str,
}

impl Rule for HostNamespace {
    fn meta(&self) -> &'static RuleMeta {
        self.meta
    }

    fn check(&self, spec: &Spec, _: &Settings) -> Vec<Finding> {
        (self.mode)(spec)
            .filter(|m| m.value.trim() == "host")
            .map(|m| {
                finding(
                    self.meta,
                    format!(
                        "the container shares the host's {} ({} host)",
                        self.what, self.setting
                    ),
                    m.origin.clone(),
                    vec![],
                )
            })
            .into_iter()
            .collect()
    }
}

macro_rules! host_rule {
    ($static:ident, $meta:ident, $id:literal, $title:literal, $cis:expr, $field:ident, $what:literal, $setting:literal) => {
        static $meta: RuleMeta = RuleMeta {
            id: $id,
            title: $title,
            severity: Severity::Error,
            cis: $cis,
            default_action: Action::Deny,
            fix: None,
            doc: include_str!(concat!($id, ".md")),
        };
        pub static $static: HostNamespace = HostNamespace {
            meta: &$meta,
            mode: |s| s.$field.as_ref(),
            what: $what,
            setting: $setting,
        };
    };
}

host_rule!(
    HOST_NETWORK,
    NETWORK_META,
    "host-network",
    "The host's network namespace is shared",
    Some("5.10"),
    network_mode,
    "network namespace",
    "network mode"
);
host_rule!(
    HOST_PID,
    PID_META,
    "host-pid",
    "The host's process namespace is shared",
    Some("5.16"),
    pid_mode,
    "process namespace",
    "pid mode"
);
host_rule!(
    HOST_IPC,
    IPC_META,
    "host-ipc",
    "The host's IPC namespace is shared",
    Some("5.17"),
    ipc_mode,
    "IPC namespace",
    "ipc mode"
);
host_rule!(
    HOST_UTS,
    UTS_META,
    "host-uts",
    "The host's UTS namespace is shared",
    Some("5.21"),
    uts_mode,
    "UTS namespace (hostname)",
    "uts mode"
);
host_rule!(
    HOST_USERNS,
    USERNS_META,
    "host-userns",
    "The host's user namespace is shared",
    Some("5.31"),
    userns_mode,
    "user namespace",
    "userns mode"
);
host_rule!(
    HOST_CGROUPNS,
    CGROUPNS_META,
    "host-cgroupns",
    "The host's cgroup namespace is shared",
    None,
    cgroupns_mode,
    "cgroup namespace",
    "cgroupns mode"
);

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    type Setter = fn(&mut Spec, At<String>);

    const CASES: [(&HostNamespace, Setter, &str); 6] = [
        (
            &HOST_NETWORK,
            |s, v| s.network_mode = Some(v),
            "the container shares the host's network namespace (network mode host)",
        ),
        (
            &HOST_PID,
            |s, v| s.pid_mode = Some(v),
            "the container shares the host's process namespace (pid mode host)",
        ),
        (
            &HOST_IPC,
            |s, v| s.ipc_mode = Some(v),
            "the container shares the host's IPC namespace (ipc mode host)",
        ),
        (
            &HOST_UTS,
            |s, v| s.uts_mode = Some(v),
            "the container shares the host's UTS namespace (hostname) (uts mode host)",
        ),
        (
            &HOST_USERNS,
            |s, v| s.userns_mode = Some(v),
            "the container shares the host's user namespace (userns mode host)",
        ),
        (
            &HOST_CGROUPNS,
            |s, v| s.cgroupns_mode = Some(v),
            "the container shares the host's cgroup namespace (cgroupns mode host)",
        ),
    ];

    #[test]
    fn each_fires_on_its_own_field_only() {
        for (rule, set, message) in CASES {
            let mut spec = Spec::default();
            set(&mut spec, at_s("host", 1, "--flag"));
            let f = one(rule, &spec);
            assert_eq!(f.message, message);
            assert_eq!(f.origin, argv(1, "--flag"));
            assert!(f.changes.is_empty());
            // No other namespace rule fires on this spec.
            for (other, _, _) in CASES {
                if !std::ptr::eq(other, rule) {
                    none(other, &spec);
                }
            }
        }
    }

    #[test]
    fn quiet_for_other_modes() {
        for (rule, set, _) in CASES {
            none(rule, &Spec::default());
            for mode in ["private", "container:db", "bridge", "none", "shareable"] {
                let mut spec = Spec::default();
                set(&mut spec, at_s(mode, 1, "--flag"));
                none(rule, &spec);
            }
        }
    }
}
