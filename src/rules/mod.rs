//! The rule engine: every rule is declared once here and feeds `harden rules`, `harden explain`,
//! `--explain`, JSON/SARIF metadata and the README table.

mod catalogue;
mod doc;

use crate::fix::{Change, FixSafety};
pub mod pseudo;
pub mod settings;
use crate::spec::{Origin, Spec};
use serde::Serialize;
pub use settings::{ProfileVolume, Settings};

pub use catalogue::REGISTRY;
pub use catalogue::runs_as_root;

/// How bad a finding is, independent of what a preset does about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// What a preset does when a rule fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Rewrite the spec with the rule's fix.
    Fix,
    /// Refuse (run/up) or report as an error (lint), unless waived.
    Deny,
    /// Report, change nothing.
    Warn,
    /// Do not check.
    Off,
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Action::Fix => "fix",
            Action::Deny => "deny",
            Action::Warn => "warn",
            Action::Off => "off",
        })
    }
}

/// The declaration of a rule: everything but its check.
#[derive(Debug, Serialize)]
pub struct RuleMeta {
    /// Stable kebab-case id.
    pub id: &'static str,
    /// One line: what is wrong when the rule fires.
    pub title: &'static str,
    pub severity: Severity,
    /// CIS Docker Benchmark v1.6.0 recommendation (`5.4`), if there is one.
    pub cis: Option<&'static str>,
    /// What the `default` preset does (documentation; presets are the source of truth).
    pub default_action: Action,
    /// `None` when the rule has no automatic fix.
    pub fix: Option<FixSafety>,
    /// The hand-written markdown (`<id>.md`): `## Why`, `## Example`, `## Fix`, an optional
    /// `## Waive` note and `## Reference`. Show [`RuleMeta::document`], which adds the parts
    /// generated from the id.
    #[serde(skip)]
    doc: &'static str,
}

impl RuleMeta {
    pub fn cis_label(&self) -> String {
        match self.cis {
            Some(c) => format!("CIS Docker Benchmark v1.6.0 {c}"),
            None => "-".into(),
        }
    }
}

/// What a rule found in one spec.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    /// Mostly one text per rule: borrowed when constant (thousands of services each keep
    /// their findings until the report).
    pub message: std::borrow::Cow<'static, str>,
    /// The offending value, or [`Origin::Missing`] when a setting is absent.
    pub origin: Origin,
    /// The fix, when the rule has one for this case (may be empty: e.g. nothing safe to do).
    pub changes: Vec<Change>,
    /// This occurrence is only advisory: a `deny` action reports it as a warning instead of
    /// refusing (e.g. a read-only bind of a sensitive host path).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub advisory: bool,
    /// The value was chosen explicitly (`--user root`): a fix would silently override that
    /// choice, so a `fix` action refuses instead (waive the rule to keep the choice).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub explicit: bool,
}

/// A rule: a declaration plus a check.
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    /// Every problem in `spec`; `settings` are the active preset's values (user, limits…).
    fn check(&self, spec: &Spec, settings: &Settings) -> Vec<Finding>;
}

/// Looks a rule up by id.
pub fn find(id: &str) -> Option<&'static dyn Rule> {
    REGISTRY.iter().copied().find(|r| r.meta().id == id)
}

/// All rule ids, in registry order.
pub fn ids() -> impl Iterator<Item = &'static str> {
    REGISTRY.iter().map(|r| r.meta().id)
}
