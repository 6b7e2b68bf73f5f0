//! The human report: grouped by file and service, each finding with a source excerpt; an audit
//! report is grouped by container, each finding with its inspect path.

use super::{ContainerRef, Item, Kind, Report};
use crate::FastMap;
use crate::check::Waived;
use crate::render::{Painter, Style, paint_out};
use crate::rules::{Action, Severity};
use std::collections::BTreeMap;
use std::io::Write;

fn label(i: &impl Entry) -> (&'static str, Style) {
    if i.waived().is_some() {
        return ("waived", Style::Dim);
    }
    match i.severity() {
        Severity::Error => ("error", Style::Error),
        Severity::Warning => ("warning", Style::Warning),
        Severity::Info => ("info", Style::Info),
    }
}

fn action_note(i: &impl Entry) -> &'static str {
    match (i.action(), i.fixable()) {
        (_, true) => " [fixable]",
        (Action::Deny, _) if i.waived().is_none() => " [denied]",
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

/// What the text report reads of one finding: a report [`Item`], or a door's own finding when
/// the door writes its report without building items (`compose lint` of thousands of services).
pub trait Entry {
    fn file(&self) -> &str;
    fn line(&self) -> usize;
    fn column(&self) -> usize;
    fn service(&self) -> &str;
    /// The Compose profiles the service is in.
    fn profiles(&self) -> &[String];
    fn rule(&self) -> &str;
    fn severity(&self) -> Severity;
    fn action(&self) -> Action;
    fn message(&self) -> &str;
    fn fixable(&self) -> bool;
    /// Calls `each` with what each fix changes (only asked of fixable entries).
    fn each_fix(&self, each: &mut dyn FnMut(&str) -> std::io::Result<()>) -> std::io::Result<()>;
    fn unfixable_reason(&self) -> Option<&str>;
    fn waived(&self) -> Option<&Waived>;
}

impl Entry for Item {
    fn file(&self) -> &str {
        &self.file
    }
    fn line(&self) -> usize {
        self.line
    }
    fn column(&self) -> usize {
        self.column
    }
    fn service(&self) -> &str {
        &self.service
    }
    fn profiles(&self) -> &[String] {
        &self.profiles
    }
    fn rule(&self) -> &str {
        &self.rule
    }
    fn severity(&self) -> Severity {
        self.severity
    }
    fn action(&self) -> Action {
        self.action
    }
    fn message(&self) -> &str {
        &self.message
    }
    fn fixable(&self) -> bool {
        self.fixable
    }
    fn each_fix(&self, each: &mut dyn FnMut(&str) -> std::io::Result<()>) -> std::io::Result<()> {
        self.fixes.iter().try_for_each(|f| each(f))
    }
    fn unfixable_reason(&self) -> Option<&str> {
        self.unfixable_reason.as_deref()
    }
    fn waived(&self) -> Option<&Waived> {
        self.waived.as_deref()
    }
}

/// Writes the text report to `out` as it goes (a report of thousands of services is never held
/// as one string).
pub fn write(report: &Report, out: &mut impl Write) -> std::io::Result<()> {
    if report.kind == Kind::Audit {
        return out.write_all(render_containers(report).as_bytes());
    }
    write_entries(&report.items, &report.sources, &report.services, out)
}

/// The Compose text report of `entries` (in report order: by file, line, column, rule):
/// `sources` are the files' texts (for excerpts), `services` where each service's key is.
pub fn write_entries<E: Entry>(
    entries: &[E],
    sources: &BTreeMap<String, String>,
    services: &[(String, String, usize)],
    out: &mut impl Write,
) -> std::io::Result<()> {
    write_groups(entries, sources, services, out)?;
    out.write_all(summary_of(entries, Kind::Compose).as_bytes())
}

/// [`write_entries`] without the summary line: the text of each file's findings. Reports whose
/// files are not shared are written the same by parts (each in its own [`write_groups`], one
/// summary of all after them) as in one.
pub fn write_groups<E: Entry>(
    entries: &[E],
    sources: &BTreeMap<String, String>,
    services: &[(String, String, usize)],
    out: &mut impl Write,
) -> std::io::Result<()> {
    let paint = Painter::stdout();
    // Files in order of first appearance, then services in order of first appearance within
    // the file, then items in order (grouped in one pass: thousands of services).
    type Group<'r, E> = (&'r str, Vec<(&'r str, Vec<&'r E>)>);
    let mut files: Vec<Group<'_, E>> = Vec::new();
    let mut file_at: FastMap<&str, usize> = FastMap::default();
    let mut service_at: FastMap<(&str, &str), usize> =
        FastMap::with_capacity_and_hasher(services.len(), Default::default());
    for i in entries {
        let f = match files.last() {
            // Consecutive entries of one file are the common case: no lookup for them.
            Some((last, _)) if *last == i.file() => files.len() - 1,
            _ => match file_at.get(i.file()) {
                Some(&f) => f,
                None => {
                    files.push((i.file(), Vec::new()));
                    file_at.insert(i.file(), files.len() - 1);
                    files.len() - 1
                }
            },
        };
        let services = &mut files[f].1;
        // Consecutive items of one service are the common case: no lookup for them.
        if let Some((last, items)) = services.last_mut()
            && *last == i.service()
        {
            items.push(i);
            continue;
        }
        let s = *service_at
            .entry((i.file(), i.service()))
            .or_insert_with(|| {
                services.push((i.service(), Vec::new()));
                services.len() - 1
            });
        services[s].1.push(i);
    }
    let mut key_lines: FastMap<(&str, &str), usize> =
        FastMap::with_capacity_and_hasher(services.len(), Default::default());
    for (s, f, l) in services {
        key_lines.entry((f.as_str(), s.as_str())).or_insert(*l);
    }
    let mut excerpt_text: Vec<u8> = Vec::new();
    for (file, services) in files {
        let mut excerpt_at: Option<(usize, usize, usize)> = None;
        paint.write(out, file, Style::Bold)?;
        out.write_all(b"\n")?;
        let lines = Lines::new(sources.get(file).map_or("", String::as_str));
        for (svc, items) in services {
            if svc.is_empty() {
                out.write_all(b"  policy\n")?;
            } else {
                out.write_all(b"  service ")?;
                paint.write(out, svc, Style::Bold)?;
                let key_line = key_lines.get(&(file, svc));
                let profiles = items.first().map(|i| i.profiles()).unwrap_or_default();
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
                write_number(out, i.line())?;
                out.write_all(b":")?;
                write_number(out, i.column())?;
                out.write_all(b" ")?;
                paint.write(out, lab, style)?;
                out.write_all(b" ")?;
                paint.write(out, i.rule(), Style::Bold)?;
                out.write_all(b": ")?;
                out.write_all(i.message().as_bytes())?;
                out.write_all(action_note(i).as_bytes())?;
                out.write_all(b"\n")?;
                // The line of a secret would print the secret.
                let excerpt = if i.rule() == "secret-in-env" {
                    None
                } else {
                    lines.get(i.line().wrapping_sub(1))
                };
                if let Some(src) = excerpt {
                    // A service's findings often share a place (its key): its excerpt is
                    // written once and then copied.
                    let at = (i.line(), i.column(), style as usize);
                    if excerpt_at != Some(at) {
                        excerpt_text.clear();
                        write_excerpt(&mut excerpt_text, src, at.0, at.1, &paint, style)?;
                        excerpt_at = Some(at);
                    }
                    out.write_all(&excerpt_text)?;
                }
                if i.fixable() {
                    i.each_fix(&mut |f| {
                        out.write_all(b"        = fix: ")?;
                        out.write_all(f.as_bytes())?;
                        out.write_all(b"\n")
                    })?;
                }
                if let Some(r) = i.unfixable_reason() {
                    out.write_all(b"        = not fixed automatically: ")?;
                    out.write_all(r.as_bytes())?;
                    out.write_all(b"\n")?;
                }
                if let Some(w) = i.waived() {
                    writeln!(out, "        = waived: {} ({})", w.reason, w.by)?;
                }
            }
        }
    }
    Ok(())
}

/// The excerpt of a finding: its source line, numbered, and a caret under its column.
fn write_excerpt(
    out: &mut Vec<u8>,
    src: &str,
    line: usize,
    column: usize,
    paint: &Painter,
    style: Style,
) -> std::io::Result<()> {
    out.extend_from_slice(b"      ");
    let digits = write_number(out, line)?;
    out.extend_from_slice(b" | ");
    out.extend_from_slice(src.as_bytes());
    out.extend_from_slice(b"\n      ");
    out.extend(std::iter::repeat_n(b' ', digits));
    out.extend_from_slice(b" | ");
    // A space under each character before the column (a tab under a tab, so they line up).
    out.extend(
        src.chars()
            .take(column.saturating_sub(1))
            .map(|c| if c == '\t' { b'\t' } else { b' ' }),
    );
    paint.write(out, "^", style)?;
    out.push(b'\n');
    Ok(())
}

/// The lines of a text as [`str::lines`] gives them, by number: where each line starts (half
/// the memory of the lines as `&str`).
struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Self {
        let mut starts = Vec::new();
        if !text.is_empty() {
            starts.push(0);
        }
        for (at, b) in text.bytes().enumerate() {
            if b == b'\n' && at + 1 < text.len() {
                starts.push(at + 1);
            }
        }
        Lines { text, starts }
    }

    /// Line `n` (0-based), without its line ending.
    fn get(&self, n: usize) -> Option<&'t str> {
        let start = *self.starts.get(n)?;
        let end = self.starts.get(n + 1).copied().unwrap_or(self.text.len());
        let line = self.text.get(start..end)?;
        Some(match line.strip_suffix('\n') {
            Some(line) => line.strip_suffix('\r').unwrap_or(line),
            None => line,
        })
    }
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
    summary_of(&report.items, report.kind)
}

/// [`summary`] of `entries`.
pub fn summary_of<E: Entry>(entries: &[E], kind: Kind) -> String {
    Tally::of(entries).line(kind)
}

/// What the closing line and the exit code need of a report: its findings counted, without
/// the findings (each file's tally is added up when files are linted on several threads).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Unwaived findings by severity: error, warning, info.
    by_severity: [usize; 3],
    fixable: usize,
    waived: usize,
}

impl Tally {
    pub fn of<E: Entry>(entries: &[E]) -> Tally {
        let mut t = Tally::default();
        for i in entries {
            t.count(i.severity(), i.waived().is_some(), i.fixable());
        }
        t
    }

    /// Counts one finding.
    pub fn count(&mut self, severity: Severity, waived: bool, fixable: bool) {
        if waived {
            self.waived += 1;
            return;
        }
        self.fixable += usize::from(fixable);
        self.by_severity[match severity {
            Severity::Error => 0,
            Severity::Warning => 1,
            Severity::Info => 2,
        }] += 1;
    }

    pub fn add(&mut self, other: Tally) {
        for (n, m) in self.by_severity.iter_mut().zip(other.by_severity) {
            *n += m;
        }
        self.fixable += other.fixable;
        self.waived += other.waived;
    }

    /// True when an unwaived finding is at or above the threshold (as [`Report::fails`]).
    pub fn fails(&self, on: super::FailOn) -> bool {
        on.trips(
            [Severity::Error, Severity::Warning, Severity::Info]
                .into_iter()
                .zip(self.by_severity)
                .filter(|(_, n)| *n > 0)
                .map(|(s, _)| (s, false)),
        )
    }

    /// The closing line of a text report.
    pub fn line(&self, kind: Kind) -> String {
        let active: usize = self.by_severity.iter().sum();
        let waived = self.waived;
        if active == 0 {
            return if waived == 0 {
                "no findings\n".into()
            } else {
                format!("no findings ({waived} waived)\n")
            };
        }
        let mut parts = Vec::new();
        for (n, name) in self
            .by_severity
            .into_iter()
            .zip(["error", "warning", "info"])
        {
            if n > 0 {
                parts.push(format!(
                    "{n} {name}{}",
                    if n == 1 || name == "info" { "" } else { "s" }
                ));
            }
        }
        if waived > 0 {
            parts.push(format!("{waived} waived"));
        }
        let fixable = self.fixable;
        let fix = if fixable > 0 {
            match kind {
                Kind::Compose => format!("; {fixable} fixable with `harden compose fix`"),
                Kind::Audit => format!("; `harden run` would have fixed {fixable}"),
            }
        } else {
            String::new()
        };
        format!(
            "{} finding{}: {}{fix}\n",
            active,
            if active == 1 { "" } else { "s" },
            parts.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_tally_says_what_its_report_says() {
        use super::super::FailOn;
        use super::Tally;
        use crate::rules::Severity;
        let mut r = super::super::tests::sample();
        // Every mix of severities and waivers of the sample's items, one item dropped at a time.
        for n in 0..=r.items.len() {
            for (k, sev) in [Severity::Info, Severity::Warning, Severity::Error]
                .into_iter()
                .enumerate()
            {
                let mut items = r.items.clone();
                items.truncate(n);
                if let Some(i) = items.get_mut(k % n.max(1)) {
                    i.severity = sev;
                }
                r.items = items.clone();
                let t = Tally::of(&r.items);
                assert_eq!(t.line(r.kind), super::summary(&r));
                for on in [FailOn::Error, FailOn::Warning, FailOn::Info, FailOn::Never] {
                    assert_eq!(t.fails(on), r.fails(on), "{n} {sev:?} {on:?}");
                }
                // Two halves added up are the whole.
                let (a, b) = r.items.split_at(n / 2);
                let mut sum = Tally::of(a);
                sum.add(Tally::of(b));
                assert_eq!(sum, t);
                r.items = super::super::tests::sample().items;
            }
        }
        assert_eq!(Tally::default().line(super::Kind::Compose), "no findings\n");
    }

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
    fn lines_by_number_as_str_lines() {
        let mut long = String::new();
        for i in 0..300 {
            long.push_str(&format!(
                "line {i}{}",
                if i % 7 == 0 { "\r\n" } else { "\n" }
            ));
        }
        let texts = [
            "",
            "a",
            "a\n",
            "a\n\n",
            "a\r\nb\r",
            "\n\nx",
            "x\r",
            &long,
            &long[..long.len() - 1],
        ];
        for t in texts {
            let all: Vec<&str> = t.lines().collect();
            let lines = super::Lines::new(t);
            for n in 0..all.len() + 70 {
                assert_eq!(lines.get(n), all.get(n).copied(), "{t:?} line {n}");
            }
        }
    }

    #[test]
    fn text_snapshot() {
        owo_colors::set_override(false);
        insta::assert_snapshot!(super::render(&super::super::tests::sample()));
    }
}
