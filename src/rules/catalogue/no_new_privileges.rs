//! no-new-privileges: processes may gain privileges through setuid binaries or file capabilities.

use super::finding;
use crate::fix::{Change, FixSafety};
use crate::parse::security_opt;
use crate::rules::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::{At, Origin, Spec};

static META: RuleMeta = RuleMeta {
    id: "no-new-privileges",
    title: "Processes can gain new privileges (no-new-privileges is not set)",
    severity: Severity::Warning,
    cis: Some("5.26"),
    default_action: Action::Fix,
    fix: Some(FixSafety::Safe),
    doc: include_str!("no-new-privileges.md"),
};

pub struct NoNewPrivileges;

/// The last `no-new-privileges` entry the engine accepts decides (later entries win).
fn setting(spec: &Spec) -> Option<(bool, &At<String>)> {
    spec.security_opt
        .iter()
        .filter_map(|o| security_opt::no_new_privileges(o.value.trim()).map(|b| (b, o)))
        .next_back()
}

impl Rule for NoNewPrivileges {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, _: &Settings) -> Vec<Finding> {
        let changes = vec![Change::SetNoNewPrivileges];
        match setting(spec) {
            Some((true, _)) => vec![],
            Some((false, opt)) => vec![finding(
                &META,
                format!(
                    "security option {} lets processes gain new privileges",
                    opt.value
                ),
                opt.origin.clone(),
                changes,
            )],
            None => vec![finding(
                &META,
                "security option no-new-privileges is not set, so setuid binaries can gain privileges",
                Origin::Missing,
                changes,
            )],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn fires_when_missing() {
        let f = one(&NoNewPrivileges, &security_opts(&["seccomp=builtin"]));
        assert_eq!(
            f.message,
            "security option no-new-privileges is not set, so setuid binaries can gain privileges"
        );
        assert_eq!(f.origin, Origin::Missing);
        assert_eq!(f.changes, vec![Change::SetNoNewPrivileges]);
    }

    #[test]
    fn fires_when_set_false_in_either_form() {
        for o in ["no-new-privileges=false", "no-new-privileges:0"] {
            let f = one(&NoNewPrivileges, &security_opts(&[o]));
            assert_eq!(
                f.message,
                format!("security option {o} lets processes gain new privileges")
            );
            assert_eq!(f.origin, argv(1, "--security-opt"));
            assert_eq!(f.changes, vec![Change::SetNoNewPrivileges]);
        }
    }

    #[test]
    fn the_last_entry_wins() {
        let f = one(
            &NoNewPrivileges,
            &security_opts(&["no-new-privileges", "no-new-privileges=false"]),
        );
        assert_eq!(f.origin, argv(3, "--security-opt"));
        none(
            &NoNewPrivileges,
            &security_opts(&["no-new-privileges=false", "no-new-privileges:true"]),
        );
    }

    #[test]
    fn quiet_when_set() {
        for o in [
            "no-new-privileges",
            "no-new-privileges=true",
            "no-new-privileges:true",
            "no-new-privileges=1",
        ] {
            none(&NoNewPrivileges, &security_opts(&[o]));
        }
    }

    #[test]
    fn an_invalid_value_does_not_count() {
        let f = one(&NoNewPrivileges, &security_opts(&["no-new-privileges=yes"]));
        assert_eq!(f.origin, Origin::Missing);
    }
}
