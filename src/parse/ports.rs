//! Published ports: go-connections `nat` (`ParsePortSpec`, `ParsePortRange`, `SplitProtoPort`),
//! which both `docker run -p` and Compose's short port syntax go through.

use super::gocompat::{parse_ip, parse_uint};

/// go-connections `nat.SplitProtoPort`: `(proto, port)`.
pub fn split_proto_port(raw: &str) -> (String, String) {
    let parts: Vec<&str> = raw.split('/').collect();
    if raw.is_empty() || parts[0].is_empty() {
        return (String::new(), String::new());
    }
    if parts.len() == 1 {
        return ("tcp".into(), raw.to_string());
    }
    if parts[1].is_empty() {
        return ("tcp".into(), parts[0].to_string());
    }
    (parts[1].to_string(), parts[0].to_string())
}

/// A port key of the Engine API (`80/tcp`, a `nat.Port`) → `(port, protocol)`, as `nat` reads it
/// ([`split_proto_port`]: no protocol means `tcp`).
pub fn split_port_key(key: &str) -> (String, String) {
    let (proto, port) = split_proto_port(key);
    (port, proto)
}

/// `80` → `80/tcp`, ` 53/UDP` → `53/udp`: a port key for comparing.
pub fn normalize_port_key(key: &str) -> String {
    let (port, proto) = split_port_key(key.trim());
    format!("{port}/{}", proto.to_ascii_lowercase())
}

/// The order of port keys: by number, then protocol (`9/tcp` before `10/tcp`); ranges and
/// what is not a number last.
pub fn port_key_order(key: &str) -> (u32, String) {
    let (port, proto) = split_port_key(key);
    (port.parse().unwrap_or(u32::MAX), proto)
}

/// go-connections `nat.ParsePortRange`.
pub fn parse_port_range(ports: &str) -> Result<(u64, u64), String> {
    if ports.is_empty() {
        return Err("empty string specified for ports".into());
    }
    if !ports.contains('-') {
        let start = parse_uint(ports, 10, 16).map_err(|e| e.to_string())?;
        return Ok((start, start));
    }
    let parts: Vec<&str> = ports.split('-').collect();
    let start = parse_uint(parts[0], 10, 16).map_err(|e| e.to_string())?;
    let end = parse_uint(parts[1], 10, 16).map_err(|e| e.to_string())?;
    if end < start {
        return Err(format!("invalid range specified for port: {ports}"));
    }
    Ok((start, end))
}

/// One published port: the `"80/tcp"` key and its binding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortMapping {
    pub port: String,
    pub host_ip: String,
    pub host_port: String,
}

/// go-connections `nat.ParsePortSpec` (after [`convert_publish`]).
pub fn parse_port_spec(raw: &str) -> Result<Vec<PortMapping>, String> {
    let parts: Vec<&str> = raw.split(':').collect();
    let n = parts.len();
    let container_raw = parts[n - 1];
    let (mut ip, host_port) = match n {
        1 => (String::new(), ""),
        2 => (String::new(), parts[0]),
        3 => (parts[0].to_string(), parts[1]),
        _ => (parts[..n - 2].join(":"), parts[n - 2]),
    };
    let (proto, container_port) = split_proto_port(container_raw);
    if ip.starts_with('[') {
        ip = split_host_port_host(&format!("{ip}:"))
            .map_err(|e| format!("invalid IP address {ip}: {e}"))?;
    }
    if !ip.is_empty() && parse_ip(&ip).is_none() {
        return Err(format!("invalid IP address: {ip}"));
    }
    if container_port.is_empty() {
        return Err(format!("no port specified: {raw}<empty>"));
    }
    let (start, end) = parse_port_range(&container_port)
        .map_err(|_| format!("invalid containerPort: {container_port}"))?;
    let (mut hstart, mut hend) = (0u64, 0u64);
    if !host_port.is_empty() {
        (hstart, hend) =
            parse_port_range(host_port).map_err(|_| format!("invalid hostPort: {host_port}"))?;
    }
    if !host_port.is_empty() && (end - start) != (hend.wrapping_sub(hstart)) && end != start {
        return Err(format!(
            "invalid ranges specified for container and host Ports: {container_port} and {host_port}"
        ));
    }
    let lproto = proto.to_lowercase();
    if !matches!(lproto.as_str(), "tcp" | "udp" | "sctp") {
        return Err(format!("invalid proto: {proto}"));
    }
    let mut out = Vec::new();
    for i in 0..=(end - start) {
        let mut hp = String::new();
        if !host_port.is_empty() {
            hp = (hstart + i).to_string();
        }
        if start == end && hstart != hend {
            hp = format!("{hp}-{hend}");
        }
        out.push(PortMapping {
            port: format!("{}/{lproto}", start + i),
            host_ip: ip.clone(),
            host_port: hp,
        });
    }
    Ok(out)
}

/// The host part of Go's `net.SplitHostPort` (its errors as text).
fn split_host_port_host(hostport: &str) -> Result<String, String> {
    let err = |why: &str| format!("address {hostport}: {why}");
    let Some(i) = hostport.rfind(':') else {
        return Err(err("missing port in address"));
    };
    let b = hostport.as_bytes();
    let (host, j, k);
    if b[0] == b'[' {
        let Some(end) = hostport.find(']') else {
            return Err(err("missing ']' in address"));
        };
        if end + 1 == hostport.len() {
            return Err(err("missing port in address"));
        } else if end + 1 != i {
            if b[end + 1] == b':' {
                return Err(err("too many colons in address"));
            }
            return Err(err("missing port in address"));
        }
        host = hostport[1..end].to_string();
        j = 1;
        k = end + 1;
    } else {
        host = hostport[..i].to_string();
        if host.contains(':') {
            return Err(err("too many colons in address"));
        }
        j = 0;
        k = 0;
    }
    if hostport[j..].contains('[') {
        return Err(err("unexpected '[' in address"));
    }
    if hostport[k..].contains(']') {
        return Err(err("unexpected ']' in address"));
    }
    Ok(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_keys() {
        assert_eq!(split_port_key("80"), ("80".into(), "tcp".into()));
        assert_eq!(split_port_key("53/udp"), ("53".into(), "udp".into()));
        // nat reads an empty protocol as tcp (a split at `/` left it empty).
        assert_eq!(split_port_key("80/"), ("80".into(), "tcp".into()));
        assert_eq!(normalize_port_key(" 53/UDP"), "53/udp");
        let mut keys = vec!["10/tcp", "9/udp", "9/tcp", "8000-8001/tcp"];
        keys.sort_by_key(|k| port_key_order(k));
        assert_eq!(keys, ["9/tcp", "9/udp", "10/tcp", "8000-8001/tcp"]);
    }

    #[test]
    fn port_specs() {
        let m = parse_port_spec("127.0.0.1:8080:80/UDP").unwrap();
        assert_eq!(
            m,
            [PortMapping {
                port: "80/udp".into(),
                host_ip: "127.0.0.1".into(),
                host_port: "8080".into(),
            }]
        );
        assert_eq!(parse_port_spec("::1:80:80").unwrap()[0].host_ip, "::1");
        assert_eq!(parse_port_spec("[::1]:80:80").unwrap()[0].host_ip, "::1");
        assert_eq!(
            parse_port_spec("8000-8001:80").unwrap()[0].host_port,
            "8000-8001"
        );
        assert!(parse_port_spec("8080:80-81").is_err());
    }
}
