//! `--network` attachments and the network-related validators (`--link`, `--dns`,
//! `--dns-search`, `--add-host`).

use super::cut;
use crate::parse::gocompat::{atoi, csv_first_record, ip_string, parse_ip, quote};
use std::collections::BTreeMap;

/// `opts.ValidateLink` / `opts.ParseLink`.
pub fn validate_link(val: &str) -> Result<(), String> {
    if val.is_empty() {
        return Err("empty string specified for links".into());
    }
    if val.splitn(3, ':').count() > 2 {
        return Err(format!("bad format for links: {val}"));
    }
    Ok(())
}

/// `opts.ValidateIPAddress`: the canonical form of the (space-trimmed) address.
pub fn validate_ip_address(val: &str) -> Result<String, String> {
    match parse_ip(val.trim()) {
        Some(ip) => Ok(ip_string(&ip)),
        None => Err(format!("IP address is not correctly formatted: {val}")),
    }
}

/// `opts.ValidateExtraHost`: `name:address`.
pub fn validate_extra_host(val: &str) -> Result<String, String> {
    let (mut k, mut v, mut ok) = cut(val, '=');
    if !ok {
        (k, v, ok) = cut(val, ':');
    }
    if !ok || k.is_empty() || k.contains(':') {
        return Err(format!("bad format for add-host: {}", quote(val)));
    }
    let mut addr = v;
    if addr != "host-gateway" {
        if addr.len() > 2 && addr.starts_with('[') && addr.ends_with(']') {
            addr = &addr[1..addr.len() - 1];
        }
        if validate_ip_address(addr).is_err() {
            return Err(format!("invalid IP address in add-host: {}", quote(addr)));
        }
    }
    Ok(format!("{k}:{addr}"))
}

/// `opts.ValidateDNSSearch`: `.` or a domain (trailing dot and whitespace removed).
pub fn validate_dns_search(val: &str) -> Result<String, String> {
    let val = val.trim_matches(' ');
    if val == "." {
        return Ok(val.to_string());
    }
    let bad = || format!("{val} is not a valid domain");
    if !val.bytes().any(|b| b.is_ascii_alphabetic()) {
        return Err(bad());
    }
    // ^(:?label(:?\.:?label)*)\.?\s*$ where label = :?alnum([alnum-]*alnum)?
    let body = val.trim_end_matches([' ', '\t', '\n', '\r', '\x0c']);
    let body = body.strip_suffix('.').unwrap_or(body);
    if domain_body_ok(body) && body.len() < 255 {
        Ok(body.to_string())
    } else {
        Err(bad())
    }
}

fn domain_body_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let label = |i: &mut usize| -> bool {
        if *i < b.len() && b[*i] == b':' {
            *i += 1;
        }
        if *i >= b.len() || !b[*i].is_ascii_alphanumeric() {
            return false;
        }
        *i += 1;
        let mut j = *i;
        let mut last_alnum = *i;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'-') {
            j += 1;
            if b[j - 1].is_ascii_alphanumeric() {
                last_alnum = j;
            }
        }
        *i = last_alnum;
        true
    };
    if i < b.len() && b[i] == b':' {
        i += 1;
    }
    if !label(&mut i) {
        return false;
    }
    while i < b.len() {
        let mut j = i;
        if b[j] == b':' {
            j += 1;
        }
        if j >= b.len() || b[j] != b'.' {
            return false;
        }
        j += 1;
        if !label(&mut j) {
            return false;
        }
        i = j;
    }
    true
}

/// One `--network` value (`opts.NetworkAttachmentOpts`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NetworkAttachment {
    pub target: String,
    pub aliases: Vec<String>,
    pub driver_opts: BTreeMap<String, String>,
    pub links: Vec<String>,
    pub ipv4_address: String,
    pub ipv6_address: String,
    pub link_local_ips: Vec<String>,
    pub mac_address: String,
    pub gw_priority: i64,
}

/// Go regexp `\w+=\w+` matched anywhere.
fn has_word_eq_word(s: &str) -> bool {
    let b = s.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    (1..b.len().saturating_sub(1)).any(|i| b[i] == b'=' && word(b[i - 1]) && word(b[i + 1]))
}

/// `opts.NetworkOpt.Set`.
pub fn parse_network(value: &str) -> Result<NetworkAttachment, String> {
    let mut n = NetworkAttachment::default();
    if !has_word_eq_word(value) {
        n.target = value.to_string();
        return Ok(n);
    }
    let fields = csv_first_record(value)?;
    for field in &fields {
        let lower = field.to_lowercase();
        let (key, val, ok) = cut(&lower, '=');
        if !ok || key.is_empty() {
            return Err(format!("invalid field {field}"));
        }
        let key = key.trim();
        let val = val.trim();
        match key {
            "name" => n.target = val.to_string(),
            "alias" => n.aliases.push(val.to_string()),
            "ip" => n.ipv4_address = val.to_string(),
            "ip6" => n.ipv6_address = val.to_string(),
            "mac-address" => n.mac_address = val.to_string(),
            "link-local-ip" => n.link_local_ips.push(val.to_string()),
            "driver-opt" => {
                let (k, v, ok) = cut(val, '=');
                if !ok || k.is_empty() {
                    return Err("invalid key value pair format in driver options".into());
                }
                n.driver_opts
                    .insert(k.trim().to_string(), v.trim().to_string());
            }
            "gw-priority" => {
                n.gw_priority = atoi(val)
                    .map_err(|e| format!("invalid gw-priority ({val}): {}", e.reason()))?;
            }
            _ => return Err(format!("invalid field key {key}")),
        }
    }
    if n.target.is_empty() {
        return Err("network name/id is not specified".into());
    }
    Ok(n)
}

/// Linux `container.NetworkMode(n).IsUserDefined()`.
pub fn is_user_defined_network(n: &str) -> bool {
    !(n == "default"
        || n == "bridge"
        || n == "host"
        || n == "none"
        || n.split_once(':').is_some_and(|(k, _)| k == "container"))
}

/// `NetworkMode.NetworkName()` on Linux.
pub fn network_name(n: &str) -> String {
    match n {
        "default" | "bridge" | "host" | "none" => n.to_string(),
        _ if n.split_once(':').is_some_and(|(k, _)| k == "container") => "container".into(),
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_search_domains() {
        assert_eq!(
            validate_dns_search("example.com."),
            Ok("example.com".into())
        );
        assert_eq!(validate_dns_search(" a-b.c "), Ok("a-b.c".into()));
        assert_eq!(validate_dns_search("."), Ok(".".into()));
        assert!(validate_dns_search("123").is_err());
        assert!(validate_dns_search("-a.com").is_err());
        assert!(validate_dns_search("a..com").is_err());
        assert_eq!(validate_dns_search(":a.:b"), Ok(":a.:b".into()));
    }
}
