//! Lint reports: text (grouped by file and service, with a source excerpt), JSON, SARIF 2.1.0 and
//! GitHub workflow annotations.
//!
//! # JSON schema (version 1)
//!
//! `harden compose lint --format json` prints one object; fields are never removed or renamed
//! within a version, new optional fields may be added:
//!
//! ```text
//! {
//!   "version": 1,
//!   "findings": [
//!     {
//!       "file": "compose.yaml",          // path as given on the command line
//!       "line": 12, "column": 7,         // 1-based; the offending key, or the service's key
//!                                        //   when a setting is missing
//!       "route": "services.web.ports[0]",// YAML route of that key
//!       "service": "web",                // Compose service
//!       "rule": "port-host-ip",          // rule id (`harden explain ID`), or a pseudo-rule:
//!                                        //   `waiver-reason`, `unresolved-value`
//!       "severity": "error|warning|info",
//!       "action": "fix|deny|warn",       // what the preset does with it
//!       "message": "…",
//!       "fixable": true,                 // `harden compose fix` rewrites it
//!       "fixes": ["bind published port 80/tcp to 127.0.0.1"],  // what the fix changes
//!       "unfixable_reason": "…",         // present when the preset wants a fix that cannot be
//!                                        //   written into the file
//!       "waived": null | {"reason": "…", "by": "compose.yaml:12"}
//!     }
//!   ]
//! }
//! ```
//!
//! Findings are ordered by file, line, column. Waived findings are listed (with `waived` set)
//! and do not count for `--fail-on`.
//!
//! `harden audit --format json` prints the same document; its findings have no `file`, `line`,
//! `column` or `service`, and say which container they are about instead:
//!
//! ```text
//! {
//!   "route": "HostConfig.CapAdd[0]",     // inspect path of the value ("" when a setting is
//!                                        //   missing)
//!   "container": {"id": "3f2a…", "name": "web", "image": "nginx:1.27"},
//!   "rule": …, "severity": …, "action": …, "message": …, "waived": …,
//!   "fixable": true,                     // `harden run` with this preset would change it
//!   "fixes": ["drop all capabilities"]
//! }
//! ```

pub mod github;
pub mod sarif;
pub mod text;

use crate::check::Waived;
use crate::rules::{Action, Severity};
use serde::Serialize;
use std::collections::BTreeMap;

/// One finding, ready to render.
///
/// A Compose finding has a file, line, column and service; an audit finding has none of them and
/// a [`ContainerRef`] instead (the JSON leaves out what is empty).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Item {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub file: String,
    #[serde(skip_serializing_if = "is_zero")]
    pub line: usize,
    #[serde(skip_serializing_if = "is_zero")]
    pub column: usize,
    pub route: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub service: String,
    /// The audited container (`harden audit`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<Box<ContainerRef>>,
    /// A rule id of the registry (`'static`) or of a report door.
    pub rule: std::borrow::Cow<'static, str>,
    pub severity: Severity,
    pub action: Action,
    pub message: String,
    pub fixable: bool,
    pub fixes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unfixable_reason: Option<String>,
    pub waived: Option<Box<Waived>>,
    /// The Compose profiles the service is in (empty: always started).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<String>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The container an audit finding is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ContainerRef {
    pub id: String,
    pub name: String,
    pub image: String,
}

impl Item {
    /// The service or container the finding is about, for messages.
    pub fn subject(&self) -> &str {
        match &self.container {
            Some(c) => &c.name,
            None => &self.service,
        }
    }
}

/// What was checked: a Compose project or running containers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Kind {
    #[default]
    Compose,
    Audit,
}

/// A report: findings plus the sources (for excerpts).
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub kind: Kind,
    pub items: Vec<Item>,
    /// File (as shown) → text.
    pub sources: BTreeMap<String, String>,
    /// Service → (file, line) of its key, for the text report's headers.
    pub services: Vec<(String, String, usize)>,
    /// Every audited container, with findings or without (audit only).
    pub containers: Vec<ContainerRef>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    findings: &'a [Item],
}

/// The JSON report (schema in the module documentation).
pub fn json(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(&JsonReport {
        version: 1,
        findings: &report.items,
    })
    .unwrap_or_default();
    s.push('\n');
    s
}

/// `--fail-on` threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    /// The lowest severity that fails (`None`: nothing does).
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Never => None,
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
        }
    }
    /// True when one of `findings` (severity, waived) is unwaived at or above the threshold.
    pub fn trips(self, mut findings: impl Iterator<Item = (Severity, bool)>) -> bool {
        self.threshold()
            .is_some_and(|min| findings.any(|(severity, waived)| !waived && severity >= min))
    }
}

impl Report {
    /// True when an unwaived finding is at or above the threshold.
    pub fn fails(&self, on: FailOn) -> bool {
        on.trips(self.items.iter().map(|i| (i.severity, i.waived.is_some())))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn sample() -> Report {
        let text =
            "services:\n  web:\n    image: nginx\n    privileged: true\n    ports: [\"80:80\"]\n";
        Report {
            items: vec![
                Item {
                    file: "compose.yaml".into(),
                    line: 2,
                    column: 3,
                    route: "services.web".into(),
                    service: "web".into(),
                    container: None,
                    rule: "cap-drop-all".into(),
                    severity: Severity::Warning,
                    action: Action::Fix,
                    message: "capabilities are not dropped".into(),
                    fixable: true,
                    fixes: vec!["drop all capabilities".into()],
                    unfixable_reason: None,
                    waived: None,
                    profiles: Vec::new(),
                },
                Item {
                    file: "compose.yaml".into(),
                    line: 4,
                    column: 5,
                    route: "services.web.privileged".into(),
                    service: "web".into(),
                    container: None,
                    rule: "privileged".into(),
                    severity: Severity::Error,
                    action: Action::Deny,
                    message: "the container runs privileged".into(),
                    fixable: false,
                    fixes: vec![],
                    unfixable_reason: None,
                    waived: None,
                    profiles: Vec::new(),
                },
                Item {
                    file: "compose.yaml".into(),
                    line: 5,
                    column: 13,
                    route: "services.web.ports[0]".into(),
                    service: "web".into(),
                    container: None,
                    rule: "port-host-ip".into(),
                    severity: Severity::Warning,
                    action: Action::Warn,
                    message: "port 80/tcp is published on all interfaces (0.0.0.0:80)".into(),
                    fixable: false,
                    fixes: vec![],
                    unfixable_reason: None,
                    waived: Some(Box::new(Waived {
                        reason: "public web server".into(),
                        by: "compose.yaml:5".into(),
                    })),
                    profiles: Vec::new(),
                },
            ],
            kind: Kind::Compose,
            sources: [("compose.yaml".to_string(), text.to_string())].into(),
            services: vec![("web".into(), "compose.yaml".into(), 2)],
            containers: Vec::new(),
        }
    }

    #[test]
    fn json_schema_snapshot() {
        insta::assert_snapshot!(json(&sample()));
    }

    #[test]
    fn fail_on() {
        let r = sample();
        assert!(r.fails(FailOn::Error));
        assert!(r.fails(FailOn::Info));
        assert!(!r.fails(FailOn::Never));
        let clean = Report::default();
        assert!(!clean.fails(FailOn::Info));
    }
}
