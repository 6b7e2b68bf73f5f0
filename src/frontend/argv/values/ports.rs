//! `--publish` long syntax and `--expose` (the port specs themselves: [`crate::parse::ports`]).

use super::cut;
use crate::parse::ports::{parse_port_range, split_proto_port};
use std::collections::BTreeMap;

/// `convertToStandardNotation`: long-syntax `-p` values to `published:target/protocol`.
pub fn convert_publish(publish: &str) -> Result<String, String> {
    if !publish.contains('=') {
        return Ok(publish.to_string());
    }
    let mut params: BTreeMap<String, String> = BTreeMap::new();
    params.insert("protocol".into(), "tcp".into());
    for param in publish.split(',') {
        let (k, v, ok) = cut(param, '=');
        if !ok || k.is_empty() {
            return Err(format!(
                "invalid publish opts format (should be name=value but got '{param}')"
            ));
        }
        params.insert(k.to_string(), v.to_string());
    }
    let g = |k: &str| params.get(k).cloned().unwrap_or_default();
    Ok(format!(
        "{}:{}/{}",
        g("published"),
        g("target"),
        g("protocol")
    ))
}

/// `--expose`: the `"80/tcp"` keys (protocol kept as typed).
pub fn parse_expose(e: &str) -> Result<Vec<String>, String> {
    if e.contains(':') {
        return Err(format!("invalid port format for --expose: {e}"));
    }
    let (proto, port) = split_proto_port(e);
    let (start, end) = parse_port_range(&port)
        .map_err(|err| format!("invalid range format for --expose: {e}, error: {err}"))?;
    Ok((start..=end).map(|p| format!("{p}/{proto}")).collect())
}
