//! Compose interpolation: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?err}`,
//! `${VAR?err}`, `${VAR:+alt}`, `${VAR+alt}`, `$$` (a literal `$`). Used for checking only: the
//! rewritten text always keeps the references as written.

use std::collections::BTreeMap;
use std::path::Path;

/// Variables available for interpolation: the `.env` beside the project, overridden by the
/// process environment (as Compose does).
#[derive(Clone, Debug, Default)]
pub struct Env {
    pub vars: BTreeMap<String, String>,
}

impl Env {
    /// `.env` in `dir` (if any) plus `process` (which wins).
    pub fn load(dir: &Path, process: impl IntoIterator<Item = (String, String)>) -> Env {
        let mut vars = BTreeMap::new();
        if let Ok(text) = std::fs::read_to_string(dir.join(".env")) {
            vars.extend(parse_dotenv(&text));
        }
        vars.extend(process);
        Env { vars }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }
}

/// Parses a `.env` file: `KEY=VALUE`, `export KEY=VALUE`, `#` comments, quoted values.
pub fn parse_dotenv(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let k = k.trim();
        let v = v.trim();
        let v = if let Some(inner) = v.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
            inner.replace("\\n", "\n").replace("\\\"", "\"")
        } else if let Some(inner) = v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
            inner.to_string()
        } else {
            match v.find(" #") {
                Some(i) => v[..i].trim_end().to_string(),
                None => v.to_string(),
            }
        };
        if !k.is_empty() {
            out.push((k.to_string(), v));
        }
    }
    out
}

/// The result of interpolating one string.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Resolved {
    pub value: String,
    /// Variables that were needed but are unset (and had no default).
    pub unresolved: Vec<String>,
    /// The text referenced at least one variable.
    pub has_vars: bool,
    /// `${VAR:?reason}` / `${VAR?reason}` with VAR missing: Compose's error for each.
    pub required: Vec<String>,
}

/// True when the text references a variable (not counting `$$`).
pub fn has_vars(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' {
            match b.get(i + 1) {
                Some(b'$') => i += 2,
                Some(c) if *c == b'{' || c.is_ascii_alphabetic() || *c == b'_' => return true,
                _ => i += 1,
            }
        } else {
            i += 1;
        }
    }
    false
}

/// Interpolates `text` with `env`.
pub fn resolve(text: &str, env: &Env) -> Resolved {
    let mut r = Resolved::default();
    r.value = expand(text, env, &mut r.unresolved, &mut r.has_vars);
    // The `?` forms that failed: found again here, to keep `expand` small.
    for name in &r.unresolved {
        if let Some(reason) = required_reason(text, name, env) {
            r.required.push(if reason.is_empty() {
                format!("required variable {name} is missing a value")
            } else {
                format!("required variable {name} is missing a value: {reason}")
            });
        }
    }
    r
}

/// The reason of a `${NAME:?reason}` / `${NAME?reason}` in `text` whose variable is missing
/// (`:?` also when empty).
fn required_reason(text: &str, name: &str, env: &Env) -> Option<String> {
    for (op, empty_counts) in [(":?", true), ("?", false)] {
        let pat = format!("${{{name}{op}");
        if let Some(at) = text.find(&pat) {
            let missing = match env.get(name) {
                None => true,
                Some(v) => empty_counts && v.is_empty(),
            };
            if !missing {
                continue;
            }
            let rest = &text[at + pat.len()..];
            let reason = rest.split('}').next().unwrap_or("");
            return Some(reason.to_string());
        }
    }
    None
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn expand(text: &str, env: &Env, unresolved: &mut Vec<String>, has: &mut bool) -> String {
    // Most scalars reference nothing: copied as they are.
    if !text.contains('$') {
        return text.to_string();
    }
    let mut out = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '$' {
            out.push(c);
            i += 1;
            continue;
        }
        match chars.get(i + 1) {
            Some('$') => {
                out.push('$');
                i += 2;
            }
            Some('{') => {
                // Find the matching brace, counting nested `${`.
                let mut depth = 1;
                let mut j = i + 2;
                while j < chars.len() {
                    if chars[j] == '$' && chars.get(j + 1) == Some(&'{') {
                        depth += 1;
                        j += 2;
                        continue;
                    }
                    if chars[j] == '}' {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    j += 1;
                }
                if j >= chars.len() {
                    // Unterminated: keep as written.
                    out.extend(&chars[i..]);
                    break;
                }
                *has = true;
                let inner: String = chars[i + 2..j].iter().collect();
                out.push_str(&braced(&inner, env, unresolved, has));
                i = j + 1;
            }
            Some(c) if c.is_ascii_alphabetic() || *c == '_' => {
                let mut j = i + 1;
                while j < chars.len() && is_name_char(chars[j]) {
                    j += 1;
                }
                let name: String = chars[i + 1..j].iter().collect();
                *has = true;
                match env.get(&name) {
                    Some(v) => out.push_str(v),
                    None => unresolved.push(name),
                }
                i = j;
            }
            _ => {
                out.push('$');
                i += 1;
            }
        }
    }
    out
}

fn braced(inner: &str, env: &Env, unresolved: &mut Vec<String>, has: &mut bool) -> String {
    let name_end = inner
        .char_indices()
        .find(|(_, c)| !is_name_char(*c))
        .map(|(i, _)| i)
        .unwrap_or(inner.len());
    let name = &inner[..name_end];
    let rest = &inner[name_end..];
    let value = env.get(name);
    let (op, arg) = if let Some(a) = rest.strip_prefix(":-") {
        (":-", a)
    } else if let Some(a) = rest.strip_prefix(":?") {
        (":?", a)
    } else if let Some(a) = rest.strip_prefix(":+") {
        (":+", a)
    } else if let Some(a) = rest.strip_prefix('-') {
        ("-", a)
    } else if let Some(a) = rest.strip_prefix('?') {
        ("?", a)
    } else if let Some(a) = rest.strip_prefix('+') {
        ("+", a)
    } else {
        ("", rest)
    };
    match op {
        ":-" => match value {
            Some(v) if !v.is_empty() => v.to_string(),
            _ => expand(arg, env, unresolved, has),
        },
        "-" => match value {
            Some(v) => v.to_string(),
            None => expand(arg, env, unresolved, has),
        },
        ":+" => match value {
            Some(v) if !v.is_empty() => expand(arg, env, unresolved, has),
            _ => String::new(),
        },
        "+" => match value {
            Some(_) => expand(arg, env, unresolved, has),
            None => String::new(),
        },
        _ => match value {
            Some(v) if !(op == ":?" && v.is_empty()) => v.to_string(),
            _ => {
                unresolved.push(name.to_string());
                String::new()
            }
        },
    }
}

/// Splits `text` at `sep` characters that are outside `${…}`.
pub fn split_outside_vars(text: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let bytes: Vec<(usize, char)> = text.char_indices().collect();
    let mut k = 0;
    while k < bytes.len() {
        let (i, c) = bytes[k];
        if c == '$' && bytes.get(k + 1).map(|x| x.1) == Some('{') {
            depth += 1;
            k += 2;
            continue;
        }
        if c == '}' && depth > 0 {
            depth -= 1;
        } else if c == sep && depth == 0 {
            parts.push(&text[start..i]);
            start = i + c.len_utf8();
        }
        k += 1;
    }
    parts.push(&text[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Env {
        Env {
            vars: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn forms() {
        let e = env(&[("A", "a"), ("E", "")]);
        assert_eq!(resolve("x${A}y", &e).value, "xay");
        assert_eq!(resolve("$A/$$A", &e).value, "a/$A");
        assert_eq!(resolve("${B:-d}", &e).value, "d");
        assert_eq!(resolve("${E:-d}", &e).value, "d");
        assert_eq!(resolve("${E-d}", &e).value, "");
        assert_eq!(resolve("${B:-${A}}", &e).value, "a");
        assert_eq!(resolve("${A:+yes}", &e).value, "yes");
        assert_eq!(
            resolve("${SQL:-127.0.0.1:13306}:3306", &e).value,
            "127.0.0.1:13306:3306"
        );
        let r = resolve("${B}:80", &e);
        assert_eq!(r.value, ":80");
        assert_eq!(r.unresolved, vec!["B".to_string()]);
        let r = resolve("${B:?need it}", &e);
        assert_eq!(r.unresolved, vec!["B".to_string()]);
        assert!(!resolve("$$HOME", &e).has_vars);
        assert!(has_vars("a${B}"));
        assert!(!has_vars("a$$B"));
    }

    #[test]
    fn split() {
        assert_eq!(
            split_outside_vars("${A:-1.2.3.4:5}:${P:-443}:443", ':'),
            vec!["${A:-1.2.3.4:5}", "${P:-443}", "443"]
        );
    }

    #[test]
    fn dotenv() {
        let v = parse_dotenv("# c\nA=1\nexport B=\"two words\"\nC='x' \nD=v # note\n");
        assert_eq!(
            v,
            vec![
                ("A".into(), "1".into()),
                ("B".into(), "two words".into()),
                ("C".into(), "x".into()),
                ("D".into(), "v".into())
            ]
        );
    }
}
