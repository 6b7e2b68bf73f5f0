//! Image references, image inspection (what harden needs to decide), registry credentials.

use super::{Engine, EngineError};
use crate::spec::ImageFacts;

/// Image references are parsed in one place (`spec::reference`).
pub use crate::spec::reference::Reference;

/// What the image says about itself, or `None` when it is not present locally.
pub async fn inspect(engine: &Engine, image: &str) -> Result<Option<ImageFacts>, EngineError> {
    let path = format!("/images/{}/json", encode_path(image));
    let resp = engine.raw("GET", &path, None).await?;
    let status = resp.status().as_u16();
    let body = super::connect::body_bytes(resp)
        .await
        .map_err(|e| EngineError::Other(e.to_string()))?;
    if status == 404 {
        return Ok(None);
    }
    if !(200..300).contains(&status) {
        return Err(super::daemon_error(status, &body));
    }
    let v: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| EngineError::Other(e.to_string()))?;
    Ok(Some(facts_from_inspect(&v)))
}

pub use crate::frontend::inspect::facts_from_inspect;

/// Percent-encodes what is not allowed in a path segment (image names may contain `/`, `:`,
/// `@`, which the engine accepts as they are).
pub fn encode_path(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Percent-encodes a query value.
pub fn encode_query(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The `X-Registry-Auth` value for a registry: base64url(JSON) of the credentials found in the
/// Docker config (`auths`, `credHelpers`, `credsStore`), or `e30=` (`{}`) when there are none.
pub fn registry_auth(config: Option<&serde_json::Value>, domain: &str) -> String {
    let server = if domain == "docker.io" {
        "https://index.docker.io/v1/".to_string()
    } else {
        domain.to_string()
    };
    let json = config
        .and_then(|c| credentials(c, &server))
        .unwrap_or_else(|| serde_json::json!({}));
    base64_url(
        serde_json::to_string(&json)
            .unwrap_or_else(|_| "{}".into())
            .as_bytes(),
    )
}

fn credentials(config: &serde_json::Value, server: &str) -> Option<serde_json::Value> {
    let helper = config
        .get("credHelpers")
        .and_then(|h| h.get(server))
        .or_else(|| config.get("credsStore"))
        .and_then(|h| h.as_str());
    if let Some(helper) = helper
        && let Some(c) = from_helper(helper, server)
    {
        return Some(c);
    }
    let entry = config.get("auths")?.get(server)?;
    if let Some(token) = entry.get("identitytoken").and_then(|t| t.as_str()) {
        return Some(serde_json::json!({"identitytoken": token, "serveraddress": server}));
    }
    let auth = entry.get("auth")?.as_str()?;
    let decoded = base64_decode(auth)?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, pass) = text.split_once(':')?;
    Some(serde_json::json!({"username": user, "password": pass, "serveraddress": server}))
}

fn from_helper(helper: &str, server: &str) -> Option<serde_json::Value> {
    use std::io::Write;
    let mut child = std::process::Command::new(format!("docker-credential-{helper}"))
        .arg("get")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(server.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    if !out.status.success() {
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    let user = v.get("Username")?.as_str()?;
    let secret = v.get("Secret")?.as_str()?;
    if user == "<token>" {
        Some(serde_json::json!({"identitytoken": secret, "serveraddress": server}))
    } else {
        Some(serde_json::json!({"username": user, "password": secret, "serveraddress": server}))
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_url(data: &[u8]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out.replace('+', "-").replace('/', "_")
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.trim().bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_header_encodes_config_credentials() {
        assert_eq!(registry_auth(None, "docker.io"), "e30=");
        let cfg = serde_json::json!({"auths": {"localhost:5000": {"auth": "dXNlcjpwYXNz"}}});
        let h = registry_auth(Some(&cfg), "localhost:5000");
        let decoded = String::from_utf8(base64_decode(&h).unwrap()).unwrap();
        assert_eq!(
            decoded,
            r#"{"username":"user","password":"pass","serveraddress":"localhost:5000"}"#
        );
    }

    #[test]
    fn facts_come_from_the_image_config() {
        let v = serde_json::json!({"Config": {"User": "101", "ExposedPorts": {"80/tcp": {}}, "Volumes": {"/data": {}}, "Healthcheck": {"Test": ["CMD", "true"]}}});
        let f = facts_from_inspect(&v);
        assert_eq!(f.user.as_deref(), Some("101"));
        assert_eq!(f.exposed_ports, Some(vec!["80/tcp".to_string()]));
        assert_eq!(f.volumes, Some(vec!["/data".to_string()]));
        assert_eq!(f.has_healthcheck, Some(true));
    }
}
