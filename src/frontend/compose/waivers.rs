//! Waivers written in a Compose file.
//!
//! - A comment `# harden: ignore[rule-id, other-id] reason` on the offending line waives those
//!   rules for findings on that line; on the service's key line (`web:  # harden: ignore[…] …`)
//!   it waives them for the whole service.
//! - A service key `x-harden: {allow: [rule-id, …], reason: "…"}` waives them for the service.
//!
//! A waiver without a reason waives nothing and is reported itself.

use super::tree::Pos;
use super::{Project, Service};
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
    for (i, line) in text.lines().enumerate() {
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

/// Every waiver that applies to `svc`.
pub fn for_service(project: &Project, svc: &Service) -> Vec<SourceWaiver> {
    let mut out = Vec::new();
    for layer in &svc.layers {
        let file = &project.files[layer.file];
        let comments = comments(&file.text);
        // Lines the service occupies: from its key to the next service key in that file.
        let start = layer.key_pos.line;
        let end = next_service_line(project, layer.file, start);
        for c in comments
            .into_iter()
            .filter(|c| c.line >= start && c.line < end)
        {
            out.push(SourceWaiver {
                rules: c.rules,
                reason: c.reason,
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

fn next_service_line(project: &Project, file: usize, after: usize) -> usize {
    let f = &project.files[file];
    let mut next = usize::MAX;
    if let Some(svcs) = f.root.get("services").and_then(|s| s.as_map()) {
        for e in svcs {
            if e.key_pos.line > after {
                next = next.min(e.key_pos.line);
            }
        }
    }
    // Top-level keys after `services` end it too.
    if let Some(top) = f.root.as_map() {
        for e in top {
            if e.key_pos.line > after && !e.merged {
                next = next.min(e.key_pos.line);
            }
        }
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;

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
