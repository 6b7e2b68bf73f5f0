//! The pipeline of `harden proxy` for one judged request: the create body a client sent (read
//! as the engine reads it), the policy, the image's facts → forward (hardened or as sent) or
//! refuse, with what changed and why.

use crate::check::{self, Outcome, Scope};
use crate::fix::Change;
use crate::frontend::inspect::locate;
use crate::preset::Preset;
use crate::spec::{ImageFacts, Origin, OriginLookup};
use serde::Serialize;
use serde_json::Value;

/// What the proxy does with what the policy says (as Kubernetes Pod Security Admission).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Fix what the preset fixes, refuse what it denies.
    Enforce,
    /// Fix, never refuse: denials become warnings in the create response.
    Warn,
    /// Forward every request unchanged; only log what would change or be refused.
    Audit,
}

/// The decision about one create request.
#[derive(Debug, Serialize)]
pub struct Decision {
    /// The body to forward instead of the client's (`None`: forward it as sent).
    #[serde(skip)]
    pub body: Option<Value>,
    /// The changes made (or, in audit mode, that would be made), with the rule of each.
    pub changes: Vec<(&'static str, Change)>,
    /// One line per denial: rule, reason, how to waive.
    pub refusals: Vec<String>,
    /// The request is refused (enforce mode with denials).
    pub refused: bool,
    /// Lines for the create response's `Warnings` (warn mode: the denials; every mode: what
    /// was changed, so a client sees it).
    pub warnings: Vec<String>,
    #[serde(skip)]
    pub outcome: Outcome,
}

impl Decision {
    /// The message of a refusal, as the engine words an error (`{"message": …}`).
    pub fn refusal_message(&self) -> String {
        format!("harden: {}", self.refusals.join("; "))
    }
}

/// Origins pointing into the create body (`HostConfig.CapAdd[1]`, `User`).
struct BodyOrigins<'a> {
    body: &'a Value,
}

impl OriginLookup for BodyOrigins<'_> {
    fn origin(&self, field: &str, value: Option<&str>) -> Origin {
        // A create body carries `Config`'s fields at its top level.
        let field = field.strip_prefix("Config.").unwrap_or(field);
        Origin::Inspect {
            path: locate(self.body, field, value),
        }
    }
}

/// Why a body cannot be judged (the engine would not accept it either).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BodyError(pub String);

/// Judges a canonical create body (field names as the engine's types spell them, duplicates
/// resolved: what the proxy's body reader gives). `name` is the `?name=` of the request,
/// `facts` what the image says about itself when the engine knows the image.
pub fn judge_create(
    body: &Value,
    name: Option<&str>,
    facts: Option<ImageFacts>,
    preset: &Preset,
    mode: Mode,
) -> Result<Decision, BodyError> {
    let typed: bollard::models::ContainerCreateBody =
        serde_json::from_value(body.clone()).map_err(|e| BodyError(e.to_string()))?;
    let mut spec = crate::spec::spec_from_create_body(&typed, &BodyOrigins { body });
    spec.name = name.map(str::to_string);
    if let Some(f) = facts {
        spec.image_facts = f;
    }
    let outcome = check::check(&spec, preset, &Scope::default());
    let image = typed.image.clone().unwrap_or_default();
    let refusals = crate::session::run::denial_lines(&outcome, &image);
    let changes = outcome.changes();
    let only: Vec<Change> = changes.iter().map(|(_, c)| c.clone()).collect();
    let described: Vec<String> = changes
        .iter()
        .map(|(rule, c)| format!("harden: {rule}: {}", c.describe()))
        .collect();
    let (new_body, refused, warnings) = match mode {
        Mode::Audit => (None, false, Vec::new()),
        Mode::Enforce | Mode::Warn => {
            let refused = mode == Mode::Enforce && !refusals.is_empty();
            let new_body = (!refused && !only.is_empty()).then(|| {
                let mut b = body.clone();
                crate::fix::body::apply(&mut b, &only);
                b
            });
            let mut warnings = described;
            if mode == Mode::Warn {
                warnings.extend(refusals.iter().map(|r| format!("harden: {r}")));
            }
            (new_body, refused, warnings)
        }
    };
    Ok(Decision {
        body: new_body,
        changes,
        refusals,
        refused,
        warnings,
        outcome,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn preset() -> Preset {
        Preset::builtin("default").unwrap()
    }

    #[test]
    fn enforce_hardens_and_refuses() {
        let body = json!({"Image": "busybox", "Cmd": ["true"]});
        let d = judge_create(&body, Some("x"), None, &preset(), Mode::Enforce).unwrap();
        assert!(!d.refused);
        let b = d.body.unwrap();
        assert_eq!(b["HostConfig"]["CapDrop"], json!(["ALL"]));
        assert_eq!(b["User"], "65534:65534");
        assert_eq!(b["Cmd"], json!(["true"]));
        assert!(
            d.warnings
                .iter()
                .any(|w| w.contains("drop all capabilities"))
        );

        let body = json!({"Image": "busybox", "HostConfig": {"Privileged": true}});
        let d = judge_create(&body, None, None, &preset(), Mode::Enforce).unwrap();
        assert!(d.refused);
        assert!(d.body.is_none());
        assert!(
            d.refusal_message()
                .starts_with("harden: refused by privileged"),
            "{}",
            d.refusal_message()
        );
    }

    #[test]
    fn warn_never_refuses_and_audit_never_changes() {
        let body = json!({"Image": "busybox", "HostConfig": {"Privileged": true}});
        let d = judge_create(&body, None, None, &preset(), Mode::Warn).unwrap();
        assert!(!d.refused);
        assert!(d.body.is_some());
        assert!(
            d.warnings
                .iter()
                .any(|w| w.contains("refused by privileged"))
        );
        let d = judge_create(&body, None, None, &preset(), Mode::Audit).unwrap();
        assert!(!d.refused && d.body.is_none() && d.warnings.is_empty());
        assert!(!d.changes.is_empty() && !d.refusals.is_empty());
    }

    #[test]
    fn a_body_the_engine_would_refuse_is_an_error() {
        let body = json!({"Image": "busybox", "HostConfig": {"Privileged": "yes"}});
        assert!(judge_create(&body, None, None, &preset(), Mode::Enforce).is_err());
    }

    #[test]
    fn findings_point_into_the_body() {
        let body = json!({"Image": "busybox", "HostConfig": {"CapAdd": ["CHOWN", "SYS_ADMIN"]}});
        let d = judge_create(&body, None, None, &preset(), Mode::Audit).unwrap();
        let f = d
            .outcome
            .findings
            .iter()
            .find(|f| f.finding.rule == "dangerous-capability")
            .unwrap();
        assert_eq!(
            f.finding.origin,
            Origin::Inspect {
                path: "HostConfig.CapAdd[1]".into()
            }
        );
    }
}
