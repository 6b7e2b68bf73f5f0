//! `--env-file` / `--label-file`: docker/cli `kvfile`.

use super::cut;

/// Resolves a variable of the caller's environment.
pub type Lookup<'a> = dyn Fn(&str) -> Option<String> + 'a;

/// kvfile `parseKeyValueFile`: env-file / label-file lines. `lookup` resolves lines without
/// `=` (env files only; label files drop them).
pub fn parse_kv_file(data: &[u8], lookup: Option<&Lookup>) -> Result<Vec<String>, String> {
    const MAX: usize = 64 * 1024;
    let mut out = Vec::new();
    let mut pos = 0;
    let mut current_line = 0;
    while pos < data.len() {
        current_line += 1;
        let rest = &data[pos..];
        let (mut line, advance) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (&rest[..i], i + 1),
            None => (rest, rest.len()),
        };
        if line.len() >= MAX {
            return Err("bufio.Scanner: token too long".into());
        }
        pos += advance;
        if line.last() == Some(&b'\r') {
            line = &line[..line.len() - 1];
        }
        let Ok(text) = std::str::from_utf8(line) else {
            let bytes: Vec<String> = line.iter().map(|b| b.to_string()).collect();
            return Err(format!(
                "invalid utf8 bytes at line {current_line}: [{}]",
                bytes.join(" ")
            ));
        };
        let text = if current_line == 1 {
            text.strip_prefix('\u{feff}').unwrap_or(text)
        } else {
            text
        };
        let line = text.trim_start_matches(char::is_whitespace);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, _, has_value) = cut(line, '=');
        if key.is_empty() {
            return Err(format!("no variable name on line '{line}'"));
        }
        if key.contains([' ', '\t']) {
            return Err(format!("variable '{key}' contains whitespaces"));
        }
        if has_value {
            out.push(line.to_string());
            continue;
        }
        if let Some(lookup) = lookup
            && let Some(v) = lookup(line)
        {
            out.push(format!("{key}={v}"));
        }
    }
    Ok(out)
}
