//! `harden run --help`, generated from the flag table with pflag's layout
//! (`FlagUsagesWrapped`, 79 columns as docker uses when stdout is not a terminal).

use super::flags::{FLAGS, FlagGroup, FlagSpec, ValueKind};
use crate::parse::gocompat::quote;

/// The full help of `harden run`.
pub fn help_text() -> String {
    let mut out = String::new();
    out.push_str("Usage:  harden run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\n");
    out.push_str("Create and run a new container from an image, hardened by default\n\n");
    out.push_str("Options:\n");
    out.push_str(&options_text(FlagGroup::Docker, 79));
    out.push_str("\nHarden options:\n");
    out.push_str(&options_text(FlagGroup::Harden, 79));
    out
}

/// The option list of one group, exactly as pflag prints it (trailing newline included).
pub(crate) fn options_text(group: FlagGroup, cols: usize) -> String {
    let flags: Vec<&FlagSpec> = FLAGS
        .iter()
        .filter(|f| f.group == group && !f.hidden)
        .collect();
    flag_usages_wrapped(&flags, cols)
}

fn flag_usages_wrapped(flags: &[&FlagSpec], cols: usize) -> String {
    let mut lines = Vec::new();
    let mut maxlen = 0;
    for f in flags {
        let mut line = match f.short {
            Some(c) => format!("  -{c}, --{}", f.long),
            None => format!("      --{}", f.long),
        };
        if !f.value_name.is_empty() {
            line.push(' ');
            line.push_str(f.value_name);
        }
        let sidx = line.len();
        maxlen = maxlen.max(sidx + 1);
        let mut usage = f.help.to_string();
        if let Some(d) = f.default {
            if f.kind == ValueKind::String {
                usage.push_str(&format!(" (default {})", quote(d)));
            } else {
                usage.push_str(&format!(" (default {d})"));
            }
        }
        lines.push((line, usage));
    }
    let mut out = String::new();
    for (head, usage) in lines {
        let spacing = " ".repeat(maxlen - head.len());
        let body = wrap(maxlen + 2, cols, &usage);
        out.push_str(&format!("{head} {spacing} {body}\n"));
    }
    out
}

fn wrap_n(i: usize, slop: usize, s: &str) -> (String, String) {
    if i + slop > s.len() {
        return (s.to_string(), String::new());
    }
    let head = &s[..i.min(s.len())];
    let w = head.rfind([' ', '\t', '\n']);
    let Some(w) = w.filter(|w| *w > 0) else {
        return (s.to_string(), String::new());
    };
    if let Some(nl) = head.rfind('\n')
        && nl > 0
        && nl < w
    {
        return (s[..nl].to_string(), s[nl + 1..].to_string());
    }
    (s[..w].to_string(), s[w + 1..].to_string())
}

fn wrap(i: usize, w: usize, s: &str) -> String {
    let mut i = i;
    if w == 0 {
        return s.replace('\n', &format!("\n{}", " ".repeat(i)));
    }
    let mut wrap = w as isize - i as isize;
    let mut r = String::new();
    if wrap < 24 {
        i = 16;
        wrap = w as isize - i as isize;
        r.push('\n');
        r.push_str(&" ".repeat(i));
    }
    if wrap < 24 {
        return s.replace('\n', &r);
    }
    let slop = 5;
    let wrap = (wrap - slop) as usize;
    let indent = " ".repeat(i);
    let (l, mut s) = wrap_n(wrap, slop as usize, s);
    r.push_str(&l.replace('\n', &format!("\n{indent}")));
    while !s.is_empty() {
        let (t, rest) = wrap_n(wrap, slop as usize, &s);
        r.push('\n');
        r.push_str(&indent);
        r.push_str(&t.replace('\n', &format!("\n{indent}")));
        s = rest;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_like_pflag() {
        let text = options_text(FlagGroup::Docker, 79);
        assert!(text.starts_with(
            "      --add-host list                  Add a custom host-to-IP mapping\n                                       (host:ip)\n"
        ));
        assert!(text.contains(
            "  -w, --workdir string                 Working directory inside the container\n"
        ));
        assert!(!text.contains("--net "));
        let help = help_text();
        assert!(help.contains("Harden options:\n"));
        assert!(help.contains("--dry-run"));
    }
}
