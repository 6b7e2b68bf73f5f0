//! `harden explain RULE` and `--explain`.

use super::{Style, paint_err};
use crate::check::{Evaluated, Outcome};
use crate::rules::{self, Action, RuleMeta};
use crate::spec::Origin;

/// A section of a rule's document (`Why`, `Example`, `Fix`, `Waive`, `Reference`), trimmed.
pub fn section<'a>(doc: &'a str, heading: &str) -> Option<&'a str> {
    let marker = format!("## {heading}");
    let start = doc.find(&marker)? + marker.len();
    let rest = &doc[start..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    Some(rest[..end].trim())
}

/// The first paragraph of the rule's `Why`, on one line.
pub fn why(meta: &RuleMeta) -> String {
    let doc = meta.document();
    let text = section(&doc, "Why").unwrap_or(meta.title);
    let para = text.split("\n\n").next().unwrap_or(text);
    para.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `CIS 5.4` or empty.
pub fn cis_short(meta: &RuleMeta) -> String {
    meta.cis.map(|c| format!("CIS {c}")).unwrap_or_default()
}

/// The full text `harden explain ID` prints.
pub fn rule_text(id: &str) -> Option<String> {
    let meta = rules::find(id)?.meta();
    let mut out = String::new();
    out.push_str(&format!("{}: {}\n\n", meta.id, meta.title));
    out.push_str(&format!("  severity:       {}\n", meta.severity));
    out.push_str(&format!(
        "  default preset: {}\n",
        action_words(meta.default_action)
    ));
    out.push_str(&format!(
        "  fix:            {}\n",
        match meta.fix {
            Some(s) => format!("yes ({s})"),
            None => "no automatic fix".into(),
        }
    ));
    out.push_str(&format!("  reference:      {}\n\n", meta.cis_label()));
    out.push_str(meta.document().trim());
    out.push('\n');
    Some(out)
}

fn action_words(a: Action) -> &'static str {
    match a {
        Action::Fix => "fix (rewritten)",
        Action::Deny => "deny (refused unless waived)",
        Action::Warn => "warn (reported)",
        Action::Off => "off (not checked)",
    }
}

/// Where a finding points, for humans.
pub fn origin_text(o: &Origin) -> String {
    match o {
        Origin::Missing => "not set".into(),
        Origin::Argv { index, flag } => format!("{flag} (argument {})", index + 1),
        Origin::Yaml {
            file, line, column, ..
        } => format!("{}:{line}:{column}", file.display()),
        Origin::Inspect { path } => path.clone(),
        Origin::Image { field } => format!("image {field}"),
    }
}

/// How to waive a rule from the command line / a team file.
pub fn waive_hint(id: &str, image: Option<&str>) -> String {
    let img = image
        .map(crate::preset::repository)
        .unwrap_or("IMAGE")
        .to_string();
    format!(
        "--allow {id}, or in .harden.yaml: waivers: [{{rules: [{id}], images: [\"{img}\"], reason: \"…\"}}]"
    )
}

/// The `--explain` report: every change and every finding, with why, reference and waiver.
pub fn outcome(outcome: &Outcome, image: Option<&str>) -> String {
    let mut out = String::new();
    if outcome.findings.is_empty() {
        out.push_str("harden: nothing to change, no findings\n");
        return out;
    }
    for f in &outcome.findings {
        out.push_str(&explain_one(f, image));
    }
    out
}

fn explain_one(f: &Evaluated, image: Option<&str>) -> String {
    let Some(rule) = rules::find(f.finding.rule) else {
        return String::new();
    };
    let meta = rule.meta();
    let (label, style) = match (&f.waived, f.action) {
        (Some(_), _) => ("waived", Style::Dim),
        (None, Action::Fix) => ("fix", Style::Fix),
        (None, Action::Deny) => ("deny", Style::Error),
        (None, _) => (
            match f.severity {
                rules::Severity::Info => "info",
                _ => "warn",
            },
            Style::Warning,
        ),
    };
    let cis = cis_short(meta);
    let cis = if cis.is_empty() {
        String::new()
    } else {
        paint_err(&format!(" [{cis}]"), Style::Dim)
    };
    let mut s = format!(
        "{} {}{cis}: {}\n",
        paint_err(&format!("{label:>6}"), style),
        paint_err(meta.id, Style::Bold),
        f.finding.message
    );
    if f.is_fix() {
        for c in &f.finding.changes {
            s.push_str(&format!("         change: {}\n", c.describe()));
        }
        if let Some(safety) = meta.fix {
            s.push_str(&format!("         safety: {safety}\n"));
        }
    }
    s.push_str(&format!(
        "         at:     {}\n",
        origin_text(&f.finding.origin)
    ));
    s.push_str(&format!("         why:    {}\n", why(meta)));
    if let Some(w) = &f.waived {
        s.push_str(&format!("         waived: {} ({})\n", w.reason, w.by));
    } else {
        s.push_str(&format!(
            "         waive:  {}\n",
            waive_hint(meta.id, image)
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_found() {
        let doc = "## Why\nBecause.\n\nMore.\n## Example\nx\n## Fix\ny\n";
        assert_eq!(section(doc, "Why"), Some("Because.\n\nMore."));
        assert_eq!(section(doc, "Fix"), Some("y"));
        assert_eq!(section(doc, "Waive"), None);
    }
}
