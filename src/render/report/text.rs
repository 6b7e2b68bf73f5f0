//! The human report: grouped by file and service, each finding with a source excerpt; an audit
//! report is grouped by container, each finding with its inspect path.

use super::{ContainerRef, Item, Kind, Report};
use crate::render::{Painter, Style, paint_out};
use crate::rules::{Action, Severity};
use std::collections::HashMap;
use std::io::Write;

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
    let mut out: Vec<u8> = Vec::new();
    // Writing to memory cannot fail.
    let _ = write(report, &mut out);
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Writes the text report to `out` as it goes (a report of thousands of services is never held
/// as one string).
pub fn write(report: &Report, out: &mut impl Write) -> std::io::Result<()> {
    if report.kind == Kind::Audit {
        return out.write_all(render_containers(report).as_bytes());
    }
    let paint = Painter::stdout();
    // Files in order of first appearance, then services in order of first appearance within
    // the file, then items in order (grouped in one pass: thousands of services).
    type Group<'r> = (&'r str, Vec<(&'r str, Vec<&'r Item>)>);
    let mut files: Vec<Group<'_>> = Vec::new();
    let mut file_at: HashMap<&str, usize> = HashMap::new();
    let mut service_at: HashMap<(&str, &str), usize> = HashMap::new();
    for i in &report.items {
        let f = match file_at.get(i.file.as_str()) {
            Some(&f) => f,
            None => {
                files.push((i.file.as_str(), Vec::new()));
                file_at.insert(i.file.as_str(), files.len() - 1);
                files.len() - 1
            }
        };
        let services = &mut files[f].1;
        // Consecutive items of one service are the common case: no lookup for them.
        if let Some((last, items)) = services.last_mut()
            && *last == i.service.as_str()
        {
            items.push(i);
            continue;
        }
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
    let mut pad = String::new();
    for (file, services) in files {
        paint.write(out, file, Style::Bold)?;
        out.write_all(b"\n")?;
        let lines: Vec<&str> = report
            .sources
            .get(file)
            .map(|t| t.lines().collect())
            .unwrap_or_default();
        for (svc, items) in services {
            if svc.is_empty() {
                out.write_all(b"  policy\n")?;
            } else {
                out.write_all(b"  service ")?;
                paint.write(out, svc, Style::Bold)?;
                let key_line = key_lines.get(&(file, svc));
                let profiles = items
                    .first()
                    .map(|i| i.profiles.as_slice())
                    .unwrap_or_default();
                if key_line.is_some() || !profiles.is_empty() {
                    out.write_all(b" (")?;
                    if let Some(l) = key_line {
                        write!(out, "line {l}")?;
                    }
                    if !profiles.is_empty() {
                        if key_line.is_some() {
                            out.write_all(b", ")?;
                        }
                        write!(
                            out,
                            "profile{} {}",
                            if profiles.len() == 1 { "" } else { "s" },
                            profiles.join(", ")
                        )?;
                    }
                    out.write_all(b")")?;
                }
                out.write_all(b"\n")?;
            }
            for i in items {
                let (lab, style) = label(i);
                out.write_all(b"    ")?;
                write_number(out, i.line)?;
                out.write_all(b":")?;
                write_number(out, i.column)?;
                out.write_all(b" ")?;
                paint.write(out, lab, style)?;
                out.write_all(b" ")?;
                paint.write(out, &i.rule, Style::Bold)?;
                out.write_all(b": ")?;
                out.write_all(i.message.as_bytes())?;
                out.write_all(action_note(i).as_bytes())?;
                out.write_all(b"\n")?;
                // The line of a secret would print the secret.
                let excerpt = if i.rule == "secret-in-env" {
                    None
                } else {
                    lines.get(i.line.wrapping_sub(1))
                };
                if let Some(src) = excerpt {
                    out.write_all(b"      ")?;
                    let digits = write_number(out, i.line)?;
                    out.write_all(b" | ")?;
                    out.write_all(src.as_bytes())?;
                    out.write_all(b"\n")?;
                    pad.clear();
                    pad.push_str("      ");
                    pad.extend(std::iter::repeat_n(' ', digits));
                    pad.push_str(" | ");
                    out.write_all(pad.as_bytes())?;
                    pad.clear();
                    pad.extend(
                        src.chars()
                            .take(i.column.saturating_sub(1))
                            .map(|c| if c == '\t' { '\t' } else { ' ' }),
                    );
                    out.write_all(pad.as_bytes())?;
                    paint.write(out, "^", style)?;
                    out.write_all(b"\n")?;
                }
                if i.fixable {
                    for f in &i.fixes {
                        out.write_all(b"        = fix: ")?;
                        out.write_all(f.as_bytes())?;
                        out.write_all(b"\n")?;
                    }
                }
                if let Some(r) = &i.unfixable_reason {
                    out.write_all(b"        = not fixed automatically: ")?;
                    out.write_all(r.as_bytes())?;
                    out.write_all(b"\n")?;
                }
                if let Some(w) = &i.waived {
                    writeln!(out, "        = waived: {} ({})", w.reason, w.by)?;
                }
            }
        }
    }
    out.write_all(summary(report).as_bytes())
}

/// Writes `n` in decimal; returns how many digits it has.
fn write_number(out: &mut impl Write, mut n: usize) -> std::io::Result<usize> {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.write_all(&buf[at..])?;
    Ok(buf.len() - at)
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
            i.container = Some(Box::new(ContainerRef {
                id: "0123456789abcdef".into(),
                name: "web".into(),
                image: "nginx:1.27".into(),
            }));
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
