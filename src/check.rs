//! Applies a preset to a spec: runs every enabled rule and decides, per finding, what happens
//! (fix, deny, warn) and whether a waiver covers it.

use crate::fix::Change;
use crate::preset::Preset;
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
    pub waived: Option<Waived>,
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
        for f in self.fixes() {
            for c in &f.finding.changes {
                if !out.iter().any(|(_, have)| have == c) {
                    out.push((f.finding.rule, c.clone()));
                }
            }
        }
        out
    }
}

/// Runs every rule the preset enables.
pub fn check(spec: &crate::spec::Spec, preset: &Preset, scope: &Scope<'_>) -> Outcome {
    let image = spec.image.as_ref().map(|i| i.value.as_str());
    let mut findings = Vec::new();
    for rule in rules::REGISTRY.iter() {
        let meta = rule.meta();
        let action = preset.action(meta.id);
        if action == Action::Off {
            continue;
        }
        for finding in rule.check(spec, &preset.settings) {
            let mut action = action;
            let mut severity = match action {
                Action::Deny => Severity::Error,
                _ => meta.severity,
            };
            if finding.advisory && action == Action::Deny {
                action = Action::Warn;
                severity = Severity::Warning;
            }
            if action == Action::Fix && finding.changes.is_empty() {
                // Nothing safe to rewrite: report it.
                action = Action::Warn;
            }
            let waived = if scope.allow.iter().any(|a| a == meta.id) {
                Some(Waived {
                    reason: "allowed on the command line".into(),
                    by: format!("--allow {}", meta.id),
                })
            } else if let Some((_, reason)) =
                scope.source_waivers.iter().find(|(r, _)| r == meta.id)
            {
                Some(Waived {
                    reason: reason.clone(),
                    by: "source".into(),
                })
            } else {
                preset
                    .waiver_for(meta.id, image, scope.service)
                    .map(|w| Waived {
                        reason: w.reason.clone(),
                        by: w.declared_in.clone(),
                    })
            };
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
