//! Applies a preset to a spec: runs every enabled rule and decides, per finding, what happens
//! (fix, deny, warn) and whether a waiver covers it.

use crate::fix::Change;
use crate::preset::{ImageProfile, Preset};
use crate::rules::{self, Action, Finding, Severity};
use serde::Serialize;

/// Where a spec is being checked, for waivers.
#[derive(Clone, Debug, Default)]
pub struct Scope<'a> {
    /// Rules waived on the command line (`--allow RULE`).
    pub allow: &'a [String],
    /// Compose service name, if any.
    pub service: Option<&'a str>,
    /// Waivers written in the source itself (Compose `x-harden`, `# harden: ignore[…]`):
    /// `(rule, reason)`.
    pub source_waivers: &'a [(String, String)],
    /// What is worked out once per preset and remembered across the checks of one run
    /// (thousands of services share one preset and a few images).
    pub memo: Option<&'a Memo>,
}

/// What [`check`] works out of one preset, remembered: each rule's action (in registry order)
/// and, per image reference, the index of its profile.
#[derive(Debug, Default)]
pub struct Memo {
    actions: std::cell::OnceCell<Vec<Action>>,
    profiles: std::cell::RefCell<crate::FastMap<String, Option<usize>>>,
}

impl Memo {
    fn actions(&self, preset: &Preset) -> &[Action] {
        self.actions.get_or_init(|| {
            rules::REGISTRY
                .iter()
                .map(|r| preset.action(r.meta().id))
                .collect()
        })
    }

    fn profile_for<'p>(&self, preset: &'p Preset, image: &str) -> Option<&'p ImageProfile> {
        if preset.profiles.is_empty() {
            return None;
        }
        let known = self.profiles.borrow().get(image).copied();
        let at = match known {
            Some(at) => at,
            None => {
                let at = preset
                    .profile_for(image)
                    .and_then(|p| preset.profiles.iter().position(|q| std::ptr::eq(p, q)));
                self.profiles.borrow_mut().insert(image.to_string(), at);
                at
            }
        };
        at.and_then(|i| preset.profiles.get(i))
    }
}

/// Why a finding does not count.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Waived {
    pub reason: String,
    /// Where the waiver comes from (`--allow`, `.harden.yaml:12`, `compose.yaml:8`).
    pub by: String,
}

/// A finding with the preset's decision.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evaluated {
    #[serde(flatten)]
    pub finding: Finding,
    pub severity: Severity,
    pub action: Action,
    pub waived: Option<Box<Waived>>,
}

impl Evaluated {
    /// A denial that stops `run`/`up`.
    pub fn is_denial(&self) -> bool {
        self.action == Action::Deny && self.waived.is_none()
    }

    /// A fix that will be applied.
    pub fn is_fix(&self) -> bool {
        self.action == Action::Fix && self.waived.is_none() && !self.finding.changes.is_empty()
    }
}

/// The outcome of checking one spec.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Outcome {
    pub findings: Vec<Evaluated>,
}

impl Outcome {
    pub fn denials(&self) -> impl Iterator<Item = &Evaluated> {
        self.findings.iter().filter(|f| f.is_denial())
    }

    pub fn fixes(&self) -> impl Iterator<Item = &Evaluated> {
        self.findings.iter().filter(|f| f.is_fix())
    }

    /// Every change to apply, in rule order, without duplicates.
    pub fn changes(&self) -> Vec<(&'static str, Change)> {
        let mut out: Vec<(&'static str, Change)> = Vec::new();
        // A set, not a scan: `-p 1-65535:1-65535` asks for 65,535 changes.
        let mut seen: std::collections::HashSet<&Change> = std::collections::HashSet::new();
        for f in self.fixes() {
            for c in &f.finding.changes {
                if seen.insert(c) {
                    out.push((f.finding.rule, c.clone()));
                }
            }
        }
        out
    }
}

/// The programs the container starts: its entrypoint and command, else the image's.
fn programs(spec: &crate::spec::Spec) -> Vec<String> {
    let f = &spec.image_facts;
    let mut out: Vec<String> = spec.command.iter().take(1).cloned().collect();
    out.extend(f.entrypoint.iter().take(1).cloned());
    if spec.command.is_empty() {
        out.extend(f.cmd.iter().take(1).cloned());
    }
    out
}

/// Runs every rule the preset enables.
pub fn check(spec: &crate::spec::Spec, preset: &Preset, scope: &Scope<'_>) -> Outcome {
    let image = spec.image.as_ref().map(|i| i.value.as_str());
    let waiver = |id: &str| -> Option<Box<Waived>> {
        if scope.allow.iter().any(|a| a == id) {
            return Some(Box::new(Waived {
                reason: "allowed on the command line".into(),
                by: format!("--allow {id}"),
            }));
        }
        if let Some((_, reason)) = scope.source_waivers.iter().find(|(r, _)| r == id) {
            return Some(Box::new(Waived {
                reason: reason.clone(),
                by: "source".into(),
            }));
        }
        preset.waiver_for(id, image, scope.service).map(|w| {
            Box::new(Waived {
                reason: w.reason.clone(),
                by: w.declared_in.clone(),
            })
        })
    };
    // Fixes that depend on the user (tmpfs ownership) must see the user the container will
    // really have: when the non-root fix will not run, that is the spec's own user (root).
    // Cloned only for a service that needs its own values (most use the preset's as they are).
    let mut settings = std::borrow::Cow::Borrowed(&preset.settings);
    let profile = image.and_then(|i| match scope.memo {
        Some(memo) => memo.profile_for(preset, i),
        None => preset.profile_for(i),
    });
    if let Some(p) = profile {
        settings.to_mut().profile_tmpfs = p.tmpfs.clone();
        settings.to_mut().profile_caps = p.cap_add.clone();
        settings.to_mut().profile_volumes = p
            .volumes
            .iter()
            .map(|v| crate::rules::ProfileVolume {
                path: v.path.clone(),
                reason: v.reason.clone(),
            })
            .collect();
        settings.to_mut().profile_name =
            Some(format!("the {} profile ({})", p.pattern, p.declared_in));
    }
    if preset.action("non-root-user") != Action::Fix || waiver("non-root-user").is_some() {
        settings.to_mut().user = match spec.effective_user() {
            Some(u) if !u.is_empty() => u.to_string(),
            _ => "0:0".to_string(),
        };
    } else if let Some(p) = profile.filter(|p| p.user.is_some())
        && crate::rules::runs_as_root(spec)
    {
        // What the image's profile says comes first.
        settings.to_mut().user = p.user.clone().unwrap_or_default();
        settings.to_mut().user_reason =
            Some(format!("the {} profile, {}", p.pattern, p.declared_in));
    } else if let Some(fs) = &spec.image_facts.fs
        && let Some(ru) = crate::spec::image::run_user(
            spec.image_facts.user.as_deref(),
            spec.image_facts.volumes.as_deref().unwrap_or_default(),
            fs,
            &programs(spec),
        )
    {
        // The image says which account it runs as: that one, not the preset's.
        settings.to_mut().user = ru.spec();
        settings.to_mut().user_reason = Some(ru.why);
    }
    let mut findings = Vec::new();
    let local;
    let actions = match scope.memo {
        Some(memo) => memo.actions(preset),
        None => {
            local = Memo::default();
            local.actions(preset)
        }
    };
    for (rule, &action) in rules::REGISTRY.iter().zip(actions) {
        let meta = rule.meta();
        if action == Action::Off {
            continue;
        }
        for finding in rule.check(spec, &settings) {
            let mut action = action;
            let mut severity = match action {
                Action::Deny => Severity::Error,
                _ => meta.severity,
            };
            if finding.advisory && action == Action::Deny {
                action = Action::Warn;
                severity = Severity::Warning;
            }
            if action == Action::Fix && finding.explicit {
                // harden does not silently replace an explicit choice.
                action = Action::Deny;
                severity = Severity::Error;
            }
            if action == Action::Fix && finding.changes.is_empty() {
                // Nothing safe to rewrite: report it.
                action = Action::Warn;
            }
            let waived = waiver(meta.id);
            findings.push(Evaluated {
                finding,
                severity,
                action,
                waived,
            });
        }
    }
    Outcome { findings }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::Change;
    use crate::spec::{At, Mount, MountKind, Origin, Spec};

    fn spec(image: &str) -> Spec {
        Spec {
            image: Some(At::new(image.to_string(), Origin::Missing)),
            ..Spec::default()
        }
    }

    fn tmpfs_options(o: &Outcome) -> Vec<String> {
        o.changes()
            .into_iter()
            .filter_map(|(_, c)| match c {
                Change::AddTmpfs { options, .. } => Some(options),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn default_preset_fixes_a_bare_container() {
        let preset = Preset::builtin("default").unwrap();
        let o = check(&spec("app:1"), &preset, &Scope::default());
        let fixed: Vec<&str> = o.fixes().map(|f| f.finding.rule).collect();
        for id in [
            "cap-drop-all",
            "no-new-privileges",
            "non-root-user",
            "read-only-rootfs",
            "memory-limit",
            "cpu-limit",
            "pids-limit",
        ] {
            assert!(fixed.contains(&id), "{id} not fixed: {fixed:?}");
        }
        assert!(o.denials().next().is_none());
        assert!(
            tmpfs_options(&o)
                .iter()
                .all(|t| t.contains("uid=65534,gid=65534"))
        );
    }

    #[test]
    fn allow_waives_and_keeps_tmpfs_owned_by_the_real_user() {
        let preset = Preset::builtin("default").unwrap();
        let allow = vec!["non-root-user".to_string()];
        let scope = Scope {
            allow: &allow,
            ..Scope::default()
        };
        let o = check(&spec("app:1"), &preset, &scope);
        let f = o
            .findings
            .iter()
            .find(|f| f.finding.rule == "non-root-user")
            .unwrap();
        assert_eq!(f.waived.as_ref().unwrap().by, "--allow non-root-user");
        assert!(!f.is_fix());
        assert!(
            tmpfs_options(&o).iter().all(|t| t.contains("uid=0,gid=0")),
            "{:?}",
            tmpfs_options(&o)
        );
    }

    #[test]
    fn denials_and_preset_waivers() {
        let preset = Preset::builtin("default").unwrap();
        let mut s = spec("docker:27-dind");
        s.privileged = Some(At::new(true, Origin::Missing));
        let o = check(&s, &preset, &Scope::default());
        assert_eq!(
            o.denials().map(|f| f.finding.rule).collect::<Vec<_>>(),
            ["privileged"]
        );
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("team.yaml");
        std::fs::write(
            &p,
            "waivers:\n  - rules: [privileged]\n    images: ['docker:*dind*']\n    reason: dind\n",
        )
        .unwrap();
        let team = Preset::named_or_path(p.to_str().unwrap(), dir.path()).unwrap();
        let o = check(&s, &team, &Scope::default());
        assert!(o.denials().next().is_none());
        let w = o
            .findings
            .iter()
            .find(|f| f.finding.rule == "privileged")
            .and_then(|f| f.waived.clone())
            .unwrap();
        assert_eq!(w.reason, "dind");
    }

    #[test]
    fn advisory_deny_is_reported_as_a_warning() {
        let preset = Preset::builtin("default").unwrap();
        let mut s = spec("app:1");
        s.mounts.push(At::new(
            Mount {
                kind: MountKind::Bind,
                source: Some("/etc/ssl".into()),
                target: "/etc/ssl".into(),
                read_only: true,
                propagation: None,
            },
            Origin::Missing,
        ));
        let o = check(&s, &preset, &Scope::default());
        let f = o
            .findings
            .iter()
            .find(|f| f.finding.rule == "sensitive-mount")
            .unwrap();
        assert_eq!(f.action, Action::Warn);
        assert_eq!(f.severity, Severity::Warning);
        assert!(o.denials().next().is_none());
        s.mounts[0].value.read_only = false;
        let o = check(&s, &preset, &Scope::default());
        assert_eq!(o.denials().count(), 1);
    }

    #[test]
    fn baseline_changes_nothing() {
        let preset = Preset::builtin("baseline").unwrap();
        let o = check(&spec("app:1"), &preset, &Scope::default());
        assert!(o.changes().is_empty());
        assert!(o.findings.iter().any(|f| f.finding.rule == "cap-drop-all"));
    }
}
