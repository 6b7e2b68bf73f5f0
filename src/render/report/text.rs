//! The human report: grouped by file and service, each finding with a source excerpt; an audit
//! report is grouped by container, each finding with its inspect path.

use super::{ContainerRef, Item, Kind, Report};
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

fn action_note(i: &Item) -> &'static str {
    match (i.action, i.fixable) {
        (_, true) => " [fixable]",
        (Action::Deny, _) if i.waived.is_none() => " [denied]",
        _ => "",
    }
}

/// The audit report: one block per container.
fn render_containers(report: &Report) -> String {
    let mut out = String::new();
    let mut all: Vec<&ContainerRef> = report.containers.iter().collect();
    for c in report.items.iter().filter_map(|i| i.container.as_ref()) {
        if !all.iter().any(|have| have.id == c.id) {
            all.push(c);
        }
    }
    for c in &all {
        let short: String = c.id.chars().take(12).collect();
        let clean = !report
            .items
            .iter()
            .any(|i| i.container.as_ref().is_some_and(|x| x.id == c.id));
        out.push_str(&format!(
            "container {} ({short}, {}){}\n",
            paint_out(&c.name, Style::Bold),
            c.image,
            if clean { ": no findings" } else { "" }
        ));
        for i in report
            .items
            .iter()
            .filter(|i| i.container.as_ref().is_some_and(|x| x.id == c.id))
        {
            let (lab, style) = label(i);
            out.push_str(&format!(
                "  {} {}: {}{}\n",
                paint_out(lab, style),
                paint_out(&i.rule, Style::Bold),
                i.message,
                action_note(i)
            ));
            if !i.route.is_empty() {
                out.push_str(&format!("      at {}\n", i.route));
            }
            if i.fixable {
                for f in &i.fixes {
                    out.push_str(&format!("      = harden run: {f}\n"));
                }
            }
            if let Some(w) = &i.waived {
                out.push_str(&format!("      = waived: {} ({})\n", w.reason, w.by));
            }
        }
    }
    if all.is_empty() {
        out.push_str("no containers to audit\n");
        return out;
    }
    out.push_str(&format!(
        "{} container{} audited; ",
        all.len(),
        if all.len() == 1 { "" } else { "s" }
    ));
    out.push_str(&summary(report));
    out
}

/// Renders the text report.
pub fn render(report: &Report) -> String {
    if report.kind == Kind::Audit {
        return render_containers(report);
    }
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
            let mut notes: Vec<String> = key_lines
                .get(&(file, svc))
                .map(|l| format!("line {l}"))
                .into_iter()
                .collect();
            if let Some(first) = items.first()
                && !first.profiles.is_empty()
            {
                notes.push(format!(
                    "profile{} {}",
                    if first.profiles.len() == 1 { "" } else { "s" },
                    first.profiles.join(", ")
                ));
            }
            let line = if notes.is_empty() {
                String::new()
            } else {
                format!(" ({})", notes.join(", "))
            };
            if svc.is_empty() {
                out.push_str("  policy\n");
            } else {
                out.push_str(&format!(
                    "  service {}{line}\n",
                    paint_out(svc, Style::Bold)
                ));
            }
            for i in items {
                let (lab, style) = label(i);
                let action = action_note(i);
                out.push_str(&format!(
                    "    {}:{} {} {}: {}{}\n",
                    i.line,
                    i.column,
                    paint_out(lab, style),
                    paint_out(&i.rule, Style::Bold),
                    i.message,
                    action
                ));
                // The line of a secret would print the secret.
                let excerpt = if i.rule == "secret-in-env" {
                    None
                } else {
                    lines.get(i.line.wrapping_sub(1))
                };
                if let Some(src) = excerpt {
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
        match report.kind {
            Kind::Compose => format!("; {fixable} fixable with `harden compose fix`"),
            Kind::Audit => format!("; `harden run` would have fixed {fixable}"),
        }
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
    fn audit_report_groups_by_container() {
        use super::super::{ContainerRef, Kind};
        owo_colors::set_override(false);
        let mut r = super::super::tests::sample();
        r.kind = Kind::Audit;
        r.sources.clear();
        for i in &mut r.items {
            i.file.clear();
            i.line = 0;
            i.column = 0;
            i.service.clear();
            i.route = "HostConfig.Privileged".into();
            i.container = Some(ContainerRef {
                id: "0123456789abcdef".into(),
                name: "web".into(),
                image: "nginx:1.27".into(),
            });
        }
        r.items[0].route.clear();
        let text = super::render(&r);
        assert!(
            text.starts_with("container web (0123456789ab, nginx:1.27)\n"),
            "{text}"
        );
        assert!(text.contains("  error privileged: the container runs privileged [denied]\n      at HostConfig.Privileged\n"), "{text}");
        assert!(
            text.contains("      = harden run: drop all capabilities\n"),
            "{text}"
        );
        assert!(text.ends_with("1 container audited; 2 findings: 1 error, 1 warning, 1 waived; `harden run` would have fixed 1\n"), "{text}");
    }

    #[test]
    fn text_snapshot() {
        owo_colors::set_override(false);
        insta::assert_snapshot!(super::render(&super::super::tests::sample()));
    }
}
