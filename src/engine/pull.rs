//! `POST /images/create`: pull an image, handing each progress message of the daemon to the
//! caller (who shows it: bars on a terminal, lines otherwise, nothing with `-q`).

use super::image::{Reference, encode_query, registry_auth};
use super::{Engine, EngineError};
use http_body_util::BodyExt;

/// Pulls `image` (a named reference) for `platform`; `progress` sees every progress message
/// (`{"status", "id", "progressDetail"}`) as the daemon sends it.
pub async fn pull(
    engine: &Engine,
    image: &str,
    platform: Option<&str>,
    config: Option<&serde_json::Value>,
    progress: &mut dyn FnMut(&serde_json::Value),
) -> Result<(), EngineError> {
    let reference = Reference::parse(image).ok_or_else(|| {
        EngineError::Other(format!(
            "invalid reference format: repository name ({image}) must be lowercase"
        ))
    })?;
    let mut query = format!(
        "/images/create?fromImage={}&tag={}",
        encode_query(&reference.full_name()),
        encode_query(&reference.pull_tag())
    );
    if let Some(p) = platform.filter(|p| !p.is_empty()) {
        query.push_str(&format!(
            "&platform={}",
            encode_query(&p.to_ascii_lowercase())
        ));
    }
    let auth = registry_auth(config, &reference.domain);
    let resp = engine
        .raw_with("POST", &query, None, &[("X-Registry-Auth", &auth)])
        .await?;
    let status = resp.status().as_u16();
    if !(200..300).contains(&status) {
        let body = super::connect::body_bytes(resp)
            .await
            .map_err(|e| EngineError::Other(e.to_string()))?;
        return Err(super::daemon_error(status, &body));
    }
    let mut body = resp.into_body();
    let mut buf: Vec<u8> = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| EngineError::Other(e.to_string()))?;
        if let Some(data) = frame.data_ref() {
            buf.extend_from_slice(data);
        }
        let mut consumed = 0;
        {
            let mut it =
                serde_json::Deserializer::from_slice(&buf).into_iter::<serde_json::Value>();
            while let Some(item) = it.next() {
                match item {
                    Ok(msg) => {
                        consumed = it.byte_offset();
                        if let Some(err) = message_error(&msg) {
                            return Err(EngineError::Other(err));
                        }
                        progress(&msg);
                    }
                    Err(e) if e.is_eof() => break,
                    Err(e) => return Err(EngineError::Other(format!("pull: {e}"))),
                }
            }
        }
        buf.drain(..consumed);
    }
    Ok(())
}

fn message_error(msg: &serde_json::Value) -> Option<String> {
    msg.get("errorDetail")
        .and_then(|d| d.get("message"))
        .or_else(|| msg.get("error"))
        .and_then(|m| m.as_str())
        .map(String::from)
}
