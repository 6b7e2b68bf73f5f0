//! Image references, image inspection (what harden needs to decide), registry credentials.

use super::{Engine, EngineError};
use crate::spec::ImageFacts;
use base64::Engine as _;
use base64::alphabet;
use base64::engine::general_purpose::URL_SAFE;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

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

/// What the engine's paths may carry as they are: image names contain `/`, `:` and `@`, which
/// it accepts unencoded.
const PATH_KEEP: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/')
    .remove(b':')
    .remove(b'@');
/// The unreserved characters of a query value.
const QUERY_KEEP: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes what is not allowed in a path segment.
pub fn encode_path(s: &str) -> String {
    utf8_percent_encode(s, PATH_KEEP).to_string()
}

/// Percent-encodes a query value.
pub fn encode_query(s: &str) -> String {
    utf8_percent_encode(s, QUERY_KEEP).to_string()
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

/// base64url with padding, as the docker CLI encodes `X-Registry-Auth` (Go's URLEncoding).
fn base64_url(data: &[u8]) -> String {
    URL_SAFE.encode(data)
}

/// The `auth` of a Docker config entry: standard base64 (URL-safe accepted too), padding
/// optional, surrounding blanks ignored.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let lenient =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let s = s.trim();
    GeneralPurpose::new(&alphabet::STANDARD, lenient)
        .decode(s)
        .or_else(|_| GeneralPurpose::new(&alphabet::URL_SAFE, lenient).decode(s))
        .ok()
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
