//! `harden rules` in text, JSON and Markdown (the README table is the Markdown form).

use crate::rules::{REGISTRY, RuleMeta};
use serde_json::json;

fn fix_label(m: &RuleMeta) -> String {
    match m.fix {
        Some(s) => s.to_string(),
        None => "-".into(),
    }
}

fn cis(m: &RuleMeta) -> &'static str {
    m.cis.unwrap_or("-")
}

/// Aligned plain-text table.
pub fn text() -> String {
    let rows: Vec<[String; 6]> = REGISTRY
        .iter()
        .map(|r| {
            let m = r.meta();
            [
                m.id.to_string(),
                m.severity.to_string(),
                m.default_action.to_string(),
                fix_label(m),
                cis(m).to_string(),
                m.title.to_string(),
            ]
        })
        .collect();
    let header = ["RULE", "SEVERITY", "DEFAULT", "FIX", "CIS", "TITLE"].map(String::from);
    let mut widths = [0usize; 6];
    for row in std::iter::once(&header).chain(rows.iter()) {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(rows.iter()) {
        let mut line = String::new();
        for (i, (c, w)) in row.iter().zip(widths).enumerate() {
            if i == 5 {
                line.push_str(c);
            } else {
                line.push_str(&format!("{c:<w$}  "));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// JSON array of rule metadata.
pub fn json() -> serde_json::Value {
    let rules: Vec<_> = REGISTRY
        .iter()
        .map(|r| {
            let m = r.meta();
            json!({
                "id": m.id,
                "title": m.title,
                "severity": m.severity,
                "cis": m.cis,
                "default_action": m.default_action,
                "fix": m.fix,
            })
        })
        .collect();
    json!({ "version": 1, "rules": rules })
}

/// The Markdown table embedded in README.md.
pub fn markdown() -> String {
    let mut out = String::from(
        "| Rule | Severity | Default | Fix | CIS | What it checks |\n|---|---|---|---|---|---|\n",
    );
    for r in REGISTRY.iter() {
        let m = r.meta();
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            m.id,
            m.severity,
            m.default_action,
            fix_label(m),
            cis(m),
            m.title.replace('|', "\\|")
        ));
    }
    out
}
