//! The YAML text of what harden writes: scalars in a form that YAML 1.1 tools read the same
//! way (`"22:22"`, `"yes"`, `"0755"`, `"1_000"` quoted), existing nodes rewritten as flow text,
//! new values in flow or block style following the file's indentation habits.

use crate::frontend::compose::tree::{Node, Value};

/// The indentation habits of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct BlockStyle {
    /// Spaces per nesting level.
    unit: usize,
    /// Block list items sit at their key's indentation (`key:\n- a`).
    zero_indent_lists: bool,
}

impl BlockStyle {
    /// Read from the first key whose value is a block collection.
    pub(super) fn of(text: &str) -> BlockStyle {
        let mut unit = None;
        let mut zero = None;
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .take(2000)
            .collect();
        for w in lines.windows(2) {
            let (a, b) = (w[0], w[1]);
            let ia = a.len() - a.trim_start_matches(' ').len();
            let ib = b.len() - b.trim_start_matches(' ').len();
            let a_body = a.trim();
            let opens = a_body.ends_with(':') && !a_body.starts_with('-');
            if !opens {
                continue;
            }
            let b_body = b.trim_start();
            if b_body.starts_with("- ") || b_body == "-" {
                if zero.is_none() {
                    zero = Some(ib == ia);
                }
                if ib > ia && unit.is_none() {
                    unit = Some(ib - ia);
                }
            } else if ib > ia && unit.is_none() {
                unit = Some(ib - ia);
            }
            if unit.is_some() && zero.is_some() {
                break;
            }
        }
        BlockStyle {
            unit: unit.filter(|u| (1..=8).contains(u)).unwrap_or(2),
            zero_indent_lists: zero.unwrap_or(false),
        }
    }
}

/// A value harden adds: rendered in flow style (`[a]`, `{k: v}`) or block style.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum NewVal {
    /// YAML text of a scalar.
    Text(String),
    /// YAML texts of the items.
    List(Vec<String>),
    Map(Vec<(String, NewVal)>),
}

impl NewVal {
    /// Adds the keys of `other` (two mappings), deeply.
    pub(super) fn merge(&mut self, other: NewVal) {
        match (self, other) {
            (NewVal::Map(mine), NewVal::Map(theirs)) => {
                for (k, v) in theirs {
                    match mine.iter_mut().find(|(m, _)| *m == k) {
                        Some((_, have)) => have.merge(v),
                        None => mine.push((k, v)),
                    }
                }
            }
            (me, other) => *me = other,
        }
    }

    pub(super) fn flow(&self) -> String {
        let mut out = String::new();
        self.write_flow(&mut out);
        out
    }

    /// [`NewVal::flow`], written into `out` (one string for the whole value).
    fn write_flow(&self, out: &mut String) {
        match self {
            NewVal::Text(t) => out.push_str(t),
            NewVal::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(item);
                }
                out.push(']');
            }
            NewVal::Map(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(k);
                    out.push_str(": ");
                    v.write_flow(out);
                }
                out.push('}');
            }
        }
    }

    /// The text that follows `key:` when the key sits at indentation `at`: ` scalar`, or lines
    /// each starting with a newline, indented relative to the key's line.
    pub(super) fn block(&self, at: usize, style: BlockStyle) -> String {
        let mut out = String::new();
        self.write_block(at, style, &mut out);
        out
    }

    /// [`NewVal::block`], written into `out`.
    fn write_block(&self, at: usize, style: BlockStyle, out: &mut String) {
        let line = |out: &mut String, pad: usize| {
            out.push('\n');
            out.extend(std::iter::repeat_n(' ', pad));
        };
        match self {
            NewVal::Text(t) => {
                out.push(' ');
                out.push_str(t);
            }
            NewVal::List(items) if items.is_empty() => out.push_str(" []"),
            NewVal::List(items) => {
                let pad = if style.zero_indent_lists {
                    at
                } else {
                    at + style.unit
                };
                for item in items {
                    line(out, pad);
                    out.push_str("- ");
                    out.push_str(item);
                }
            }
            NewVal::Map(entries) if entries.is_empty() => out.push_str(" {}"),
            NewVal::Map(entries) => {
                let inner = at + style.unit;
                for (k, v) in entries {
                    line(out, inner);
                    out.push_str(k);
                    out.push(':');
                    v.write_block(inner, style, out);
                }
            }
        }
    }
}

/// `block` (relative to indentation 0) for a key at indentation `indent`.
pub(super) fn indent_block(block: &str, indent: &str) -> String {
    block.replace('\n', &format!("\n{indent}"))
}

/// A node as one line of flow YAML, scalars quoted when needed (interpolation kept).
pub(super) fn flow_text(n: &Node) -> String {
    match &n.value {
        Value::Scalar { text, style } => {
            if n.is_null() {
                "null".into()
            } else if *style == crate::frontend::compose::tree::Style::Plain {
                plain_or_quoted(text)
            } else {
                quote(text)
            }
        }
        Value::Seq(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|i| flow_text(i))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|e| format!("{}: {}", plain_or_quoted(&e.key), flow_text(&e.value)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

pub(super) fn set_in_flow_map(item: &Node, key: &str, value: &str) -> String {
    let Some(entries) = item.as_map() else {
        return flow_text(item);
    };
    let mut parts: Vec<String> = entries
        .iter()
        .filter(|e| e.key != key)
        .map(|e| format!("{}: {}", plain_or_quoted(&e.key), flow_text(&e.value)))
        .collect();
    parts.push(format!("{key}: {value}"));
    format!("{{{}}}", parts.join(", "))
}

/// A double-quoted YAML string.
pub fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// Plain when every YAML reader takes it as this same string, else quoted.
pub fn plain_or_quoted(s: &str) -> String {
    let safe_chars = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
        && !s.starts_with(['-', '.']);
    if !safe_chars {
        return quote(s);
    }
    let ambiguous = matches!(
        s.to_ascii_lowercase().as_str(),
        "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null" | "~"
    ) || s.parse::<f64>().is_ok()
        || s.replace('_', "").parse::<f64>().is_ok()
        || (s.starts_with('0') && s.len() > 1);
    if !ambiguous { s.to_string() } else { quote(s) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(plain_or_quoted("ALL"), "ALL");
        assert_eq!(plain_or_quoted("yes"), "\"yes\"");
        assert_eq!(plain_or_quoted("0755"), "\"0755\"");
        assert_eq!(plain_or_quoted("1_000"), "\"1_000\"");
        assert_eq!(plain_or_quoted("22:22"), "\"22:22\"");
    }
}
