//! The human report: grouped by file and service, each finding with a source excerpt.

use super::{Item, Report};
use crate::render::{Style, paint_out};
use crate::rules::{Action, Severity};
use std::collections::HashMap;

fn label(i: &Item) -> (&'static str, Style) {
    if i.waived.is_some() {
        return ("waived", Style::Dim);
    }
    match i.severity {
        Severity::Error => ("error", Style::Error),
        Severity::Warning => ("warning", Style::Warning),
        Severity::Info => ("info", Style::Info),
    }
}

/// Renders the text report.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    // Files in order of first appearance, then services in order of first appearance within
    // the file, then items in order (grouped in one pass: thousands of services).
    type Group<'r> = (&'r str, Vec<(&'r str, Vec<&'r Item>)>);
    let mut files: Vec<Group<'_>> = Vec::new();
    let mut file_at: HashMap<&str, usize> = HashMap::new();
    let mut service_at: HashMap<(&str, &str), usize> = HashMap::new();
    for i in &report.items {
        let f = *file_at.entry(i.file.as_str()).or_insert_with(|| {
            files.push((i.file.as_str(), Vec::new()));
            files.len() - 1
        });
        let services = &mut files[f].1;
        let s = *service_at
            .entry((i.file.as_str(), i.service.as_str()))
            .or_insert_with(|| {
                services.push((i.service.as_str(), Vec::new()));
                services.len() - 1
            });
        services[s].1.push(i);
    }
    let mut key_lines: HashMap<(&str, &str), usize> = HashMap::new();
    for (s, f, l) in &report.services {
        key_lines.entry((f.as_str(), s.as_str())).or_insert(*l);
    }
    for (file, services) in files {
        out.push_str(&paint_out(file, Style::Bold));
        out.push('\n');
        let lines: Vec<&str> = report
            .sources
            .get(file)
            .map(|t| t.lines().collect())
            .unwrap_or_default();
        for (svc, items) in services {
            let line = key_lines
                .get(&(file, svc))
                .map(|l| format!(" (line {l})"))
                .unwrap_or_default();
            out.push_str(&format!(
                "  service {}{line}\n",
                paint_out(svc, Style::Bold)
            ));
            for i in items {
                let (lab, style) = label(i);
                let action = match (i.action, i.fixable) {
                    (_, true) => " [fixable]",
                    (Action::Deny, _) if i.waived.is_none() => " [denied]",
                    _ => "",
                };
                out.push_str(&format!(
                    "    {}:{} {} {}: {}{}\n",
                    i.line,
                    i.column,
                    paint_out(lab, style),
                    paint_out(&i.rule, Style::Bold),
                    i.message,
                    action
                ));
                if let Some(src) = lines.get(i.line.wrapping_sub(1)) {
                    let num = i.line.to_string();
                    let pad = " ".repeat(num.len());
                    out.push_str(&format!("      {num} | {src}\n"));
                    let caret_pad: String = src
                        .chars()
                        .take(i.column.saturating_sub(1))
                        .map(|c| if c == '\t' { '\t' } else { ' ' })
                        .collect();
                    out.push_str(&format!(
                        "      {pad} | {caret_pad}{}\n",
                        paint_out("^", style)
                    ));
                }
                for f in &i.fixes {
                    if i.fixable {
                        out.push_str(&format!("        = fix: {f}\n"));
                    }
                }
                if let Some(r) = &i.unfixable_reason {
                    out.push_str(&format!("        = not fixed automatically: {r}\n"));
                }
                if let Some(w) = &i.waived {
                    out.push_str(&format!("        = waived: {} ({})\n", w.reason, w.by));
                }
            }
        }
    }
    out.push_str(&summary(report));
    out
}

/// One closing line.
pub fn summary(report: &Report) -> String {
    let active: Vec<&Item> = report.items.iter().filter(|i| i.waived.is_none()).collect();
    if active.is_empty() {
        let waived = report.items.len();
        return if waived == 0 {
            "no findings\n".into()
        } else {
            format!("no findings ({waived} waived)\n")
        };
    }
    let count = |s: Severity| active.iter().filter(|i| i.severity == s).count();
    let mut parts = Vec::new();
    for (s, name) in [
        (Severity::Error, "error"),
        (Severity::Warning, "warning"),
        (Severity::Info, "info"),
    ] {
        let n = count(s);
        if n > 0 {
            parts.push(format!(
                "{n} {name}{}",
                if n == 1 || name == "info" { "" } else { "s" }
            ));
        }
    }
    let waived = report.items.len() - active.len();
    if waived > 0 {
        parts.push(format!("{waived} waived"));
    }
    let fixable = active.iter().filter(|i| i.fixable).count();
    let fix = if fixable > 0 {
        format!("; {fixable} fixable with `harden compose fix`")
    } else {
        String::new()
    };
    format!(
        "{} finding{}: {}{fix}\n",
        active.len(),
        if active.len() == 1 { "" } else { "s" },
        parts.join(", ")
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn text_snapshot() {
        owo_colors::set_override(false);
        insta::assert_snapshot!(super::render(&super::super::tests::sample()));
    }
}
