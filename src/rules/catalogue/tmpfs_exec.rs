//! tmpfs-exec: a tmpfs allows executing files or honouring setuid bits.

use super::finding;
use crate::rules::Settings;
use crate::rules::{Action, Finding, Rule, RuleMeta, Severity};
use crate::spec::Spec;

static META: RuleMeta = RuleMeta {
    id: "tmpfs-exec",
    title: "A tmpfs allows exec or suid",
    severity: Severity::Info,
    cis: None,
    default_action: Action::Warn,
    fix: None,
    doc: include_str!("tmpfs-exec.md"),
};

pub struct TmpfsExec;

/// Which of `exec` and `suid` the options switch on; the engine starts from
/// `noexec,nosuid,nodev` and the last option of a pair wins, as in mount(8).
fn enabled(options: &str) -> Vec<&'static str> {
    let (mut exec, mut suid) = (false, false);
    for o in options.split(',').map(str::trim) {
        match o {
            "exec" => exec = true,
            "noexec" => exec = false,
            "suid" => suid = true,
            "nosuid" => suid = false,
            _ => {}
        }
    }
    [("exec", exec), ("suid", suid)]
        .into_iter()
        .filter_map(|(n, on)| on.then_some(n))
        .collect()
}

impl Rule for TmpfsExec {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, spec: &Spec, _: &Settings) -> Vec<Finding> {
        spec.tmpfs
            .iter()
            .filter_map(|t| {
                let on = enabled(&t.value.options);
                (!on.is_empty()).then(|| {
                    finding(
                        &META,
                        format!("tmpfs at {} allows {}", t.value.target, on.join(" and ")),
                        t.origin.clone(),
                        vec![],
                    )
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::spec::Tmpfs;

    fn tmpfs(options: &str) -> Spec {
        Spec {
            tmpfs: vec![at(
                Tmpfs {
                    target: "/tmp".into(),
                    options: options.into(),
                },
                1,
                "--tmpfs",
            )],
            ..Spec::default()
        }
    }

    #[test]
    fn fires_for_exec_and_suid() {
        let f = one(&TmpfsExec, &tmpfs("rw,exec,size=64m"));
        assert_eq!(f.message, "tmpfs at /tmp allows exec");
        assert_eq!(f.origin, argv(1, "--tmpfs"));
        assert!(f.changes.is_empty());
        let f = one(&TmpfsExec, &tmpfs("suid,exec"));
        assert_eq!(f.message, "tmpfs at /tmp allows exec and suid");
        let f = one(&TmpfsExec, &tmpfs("noexec,exec"));
        assert_eq!(f.message, "tmpfs at /tmp allows exec");
    }

    #[test]
    fn quiet_for_defaults_and_lookalikes() {
        for o in [
            "",
            "rw,size=64m",
            "noexec,nosuid",
            "exec,noexec",
            "mode=1777,uid=1000",
        ] {
            none(&TmpfsExec, &tmpfs(o));
        }
        none(&TmpfsExec, &Spec::default());
    }
}
