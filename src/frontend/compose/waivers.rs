//! Waivers written in a Compose file.
//!
//! - A comment `# harden: ignore[rule-id, other-id] reason` on the offending line waives those
//!   rules for findings on that line; on the service's key line (`web:  # harden: ignore[…] …`)
//!   it waives them for the whole service.
//! - A service key `x-harden: {allow: [rule-id, …], reason: "…"}` waives them for the service.
//!
//! A waiver without a reason waives nothing and is reported itself.

use super::tree::Pos;
use super::{ComposeFile, Project, Service};
use std::path::PathBuf;

/// One waiver found in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceWaiver {
    pub rules: Vec<String>,
    /// Empty when none was given (then the waiver is invalid).
    pub reason: String,
    pub file: PathBuf,
    pub pos: Pos,
    /// Applies to the whole service (service line comment or `x-harden`), else to its line only.
    pub service_wide: bool,
}

impl SourceWaiver {
    pub fn by(&self) -> String {
        format!("{}:{}", self.file.display(), self.pos.line)
    }
}

/// A `# harden: ignore[…] reason` comment on a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineComment {
    pub line: usize,
    pub column: usize,
    pub rules: Vec<String>,
    pub reason: String,
}

/// Every `# harden: ignore[…]` comment of a text.
pub fn comments(text: &str) -> Vec<LineComment> {
    let mut out = Vec::new();
    for (i, line) in marked_lines(text) {
        let Some(at) = find_marker(line) else {
            continue;
        };
        let rest = line[at..].trim_start_matches('#').trim_start();
        let Some(rest) = rest.strip_prefix("harden:") else {
            continue;
        };
        let rest = rest.trim_start();
        let Some(rest) = rest.strip_prefix("ignore[") else {
            continue;
        };
        let Some((ids, reason)) = rest.split_once(']') else {
            continue;
        };
        let rules: Vec<String> = ids
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        out.push(LineComment {
            line: i + 1,
            column: line[..at].chars().count() + 1,
            rules,
            reason: reason
                .trim()
                .trim_start_matches(['-', ':'])
                .trim()
                .to_string(),
        });
    }
    out
}

/// The lines of `text` (0-based number, text as `str::lines` gives it) that contain `harden:`,
/// found by searching for it rather than by walking every line.
fn marked_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut counted = 0; // bytes whose newlines are counted in `line`
    let mut line = 0;
    let mut next_from = 0; // the end of the last line given
    text.match_indices("harden:").filter_map(move |(at, _)| {
        if at < next_from {
            return None; // a second marker on a line already given
        }
        let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        line += text.as_bytes()[counted..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        counted = start;
        let (end, newline) = match text[at..].find('\n') {
            Some(i) => (at + i, true),
            None => (text.len(), false),
        };
        next_from = end;
        let mut l = &text[start..end];
        if newline {
            l = l.strip_suffix('\r').unwrap_or(l);
        }
        Some((line, l))
    })
}

/// The byte index of a `#` that starts a comment containing `harden:`.
fn find_marker(line: &str) -> Option<usize> {
    let mut search = 0;
    while let Some(rel) = line[search..].find('#') {
        let at = search + rel;
        let starts_comment = at == 0 || line[..at].ends_with([' ', '\t']);
        if starts_comment
            && line[at..]
                .trim_start_matches('#')
                .trim_start()
                .starts_with("harden:")
        {
            return Some(at);
        }
        search = at + 1;
    }
    None
}

/// A file's waiver comments and the lines where a service (or the `services` mapping) ends,
/// found once per file: per service, a scan of the whole text made large files quadratic.
#[derive(Debug, Default)]
pub struct Index {
    /// By line.
    comments: Vec<LineComment>,
    /// Lines of the service keys and of the top-level keys, sorted.
    boundaries: Vec<usize>,
}

impl Index {
    fn of(file: &ComposeFile) -> Index {
        let mut boundaries = Vec::new();
        if let Some(svcs) = file.root.get("services").and_then(|s| s.as_map()) {
            boundaries.extend(svcs.iter().map(|e| e.key_pos.line));
        }
        // Top-level keys after `services` end it too.
        if let Some(top) = file.root.as_map() {
            boundaries.extend(top.iter().filter(|e| !e.merged).map(|e| e.key_pos.line));
        }
        boundaries.sort_unstable();
        Index {
            comments: comments(&file.text),
            boundaries,
        }
    }

    /// The first boundary after `line`.
    fn next_after(&self, line: usize) -> usize {
        let i = self.boundaries.partition_point(|l| *l <= line);
        self.boundaries.get(i).copied().unwrap_or(usize::MAX)
    }

    /// The comments on lines `start..end`.
    fn between(&self, start: usize, end: usize) -> &[LineComment] {
        let a = self.comments.partition_point(|c| c.line < start);
        let b = self.comments.partition_point(|c| c.line < end);
        &self.comments[a..b.max(a)]
    }
}

/// Every waiver that applies to `svc`.
pub fn for_service(project: &Project, svc: &Service) -> Vec<SourceWaiver> {
    let mut out = Vec::new();
    for layer in &svc.layers {
        let file = &project.files[layer.file];
        let index = file.waiver_index.get_or_init(|| Index::of(file));
        // Lines the service occupies: from its key to the next service key in that file.
        let start = layer.key_pos.line;
        let end = index.next_after(start);
        for c in index.between(start, end) {
            out.push(SourceWaiver {
                rules: c.rules.clone(),
                reason: c.reason.clone(),
                file: file.path.clone(),
                pos: Pos {
                    line: c.line,
                    column: c.column,
                },
                service_wide: c.line == start,
            });
        }
        if let Some(x) = layer.node.entry("x-harden") {
            let allow: Vec<String> = match x.value.get("allow") {
                Some(a) => match a.as_seq() {
                    Some(items) => items
                        .iter()
                        .filter_map(|i| i.as_str().map(str::to_string))
                        .collect(),
                    None => a.as_str().map(|s| vec![s.to_string()]).unwrap_or_default(),
                },
                None => Vec::new(),
            };
            let reason = x
                .value
                .get("reason")
                .and_then(|r| r.as_str())
                .unwrap_or("")
                .trim()
                .to_string();
            out.push(SourceWaiver {
                rules: allow,
                reason,
                file: file.path.clone(),
                pos: x.key_pos,
                service_wide: true,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    /// The lines searched for markers are those `str::lines` gives, with their numbers.
    #[test]
    fn marked_lines_are_lines_as_str_lines_gives_them() {
        for text in [
            "",
            "harden:",
            "a\n# harden: x\r\nb harden: harden:\n\nharden:\r",
            "\n\nx: 1 # harden: ignore[a] r\n",
            "a\r\n\r\nharden:\r\n",
        ] {
            let want: Vec<(usize, &str)> = text
                .lines()
                .enumerate()
                .filter(|(_, l)| l.contains("harden:"))
                .collect();
            let got: Vec<(usize, &str)> = super::marked_lines(text).collect();
            assert_eq!(got, want, "{text:?}");
        }
    }

    use super::*;

    #[test]
    fn waivers_by_service_in_a_large_file() {
        let mut text = String::from("services:\n");
        for i in 0..50 {
            if i == 30 {
                text.push_str("  s30:  # harden: ignore[privileged] needs it\n    image: x\n    privileged: true  # harden: ignore[read-only-rootfs] writes\n");
            } else {
                text.push_str(&format!("  s{i}:\n    image: x\n"));
            }
        }
        text.push_str("volumes:\n  v: {}  # harden: ignore[x] not a service\n");
        let p = Project::from_texts(
            vec![(PathBuf::from("c.yaml"), text)],
            PathBuf::from("."),
            super::super::interp::Env::default(),
        )
        .unwrap();
        let w = for_service(&p, p.service("s30").unwrap());
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].service_wide && w[0].rules == ["privileged"]);
        assert!(!w[1].service_wide && w[1].pos.line == 64);
        assert!(for_service(&p, p.service("s29").unwrap()).is_empty());
        assert!(for_service(&p, p.service("s49").unwrap()).is_empty());
    }

    #[test]
    fn parses_comments() {
        let c = comments(
            "a: 1 # harden: ignore[x, y] because\nb: \"#harden: ignore[z] no\"\n  # harden: ignore[q]\n",
        );
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].rules, vec!["x", "y"]);
        assert_eq!(c[0].reason, "because");
        assert_eq!(c[0].column, 6);
        assert_eq!(c[1].line, 3);
        assert_eq!(c[1].reason, "");
    }
}
