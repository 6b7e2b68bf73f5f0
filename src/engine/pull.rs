//! `POST /images/create`: pull an image and show the progress on stderr (bars on a terminal, one
//! line per message otherwise, nothing with `-q`).

use super::image::{Reference, encode_query, registry_auth};
use super::{Engine, EngineError};
use http_body_util::BodyExt;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
use std::io::{IsTerminal, Write};

/// How to show progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    Quiet,
    Lines,
    Bars,
}

impl Progress {
    pub fn detect(quiet: bool) -> Progress {
        if quiet {
            Progress::Quiet
        } else if std::io::stderr().is_terminal() {
            Progress::Bars
        } else {
            Progress::Lines
        }
    }
}

/// Pulls `image` (a named reference) for `platform`.
pub async fn pull(
    engine: &Engine,
    image: &str,
    platform: Option<&str>,
    config: Option<&serde_json::Value>,
    progress: Progress,
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
    let mut display = Display::new(progress);
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
                            display.finish();
                            return Err(EngineError::Other(err));
                        }
                        display.show(&msg);
                    }
                    Err(e) if e.is_eof() => break,
                    Err(e) => return Err(EngineError::Other(format!("pull: {e}"))),
                }
            }
        }
        buf.drain(..consumed);
    }
    display.finish();
    Ok(())
}

fn message_error(msg: &serde_json::Value) -> Option<String> {
    msg.get("errorDetail")
        .and_then(|d| d.get("message"))
        .or_else(|| msg.get("error"))
        .and_then(|m| m.as_str())
        .map(String::from)
}

struct Display {
    mode: Progress,
    multi: Option<MultiProgress>,
    bars: HashMap<String, ProgressBar>,
}

impl Display {
    fn new(mode: Progress) -> Self {
        let multi = (mode == Progress::Bars)
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        Display {
            mode,
            multi,
            bars: HashMap::new(),
        }
    }

    fn show(&mut self, msg: &serde_json::Value) {
        let status = msg.get("status").and_then(|s| s.as_str()).unwrap_or("");
        let id = msg.get("id").and_then(|s| s.as_str());
        let detail = msg.get("progressDetail");
        let current = detail
            .and_then(|d| d.get("current"))
            .and_then(|c| c.as_u64());
        let total = detail.and_then(|d| d.get("total")).and_then(|c| c.as_u64());
        match self.mode {
            Progress::Quiet => {}
            Progress::Lines => {
                if current.is_some() {
                    return;
                }
                let mut err = std::io::stderr().lock();
                let _ = match id {
                    Some(id) => writeln!(err, "{id}: {status}"),
                    None => writeln!(err, "{status}"),
                };
            }
            Progress::Bars => {
                let Some(multi) = &self.multi else { return };
                match id {
                    Some(id) => {
                        let bar = self.bars.entry(id.to_string()).or_insert_with(|| {
                            let b = multi.add(ProgressBar::new(0));
                            b.set_style(
                                ProgressStyle::with_template(
                                    "{prefix}: {msg} {wide_bar} {bytes}/{total_bytes}",
                                )
                                .unwrap_or_else(|_| ProgressStyle::default_bar()),
                            );
                            b.set_prefix(id.to_string());
                            b
                        });
                        bar.set_message(status.to_string());
                        if let (Some(c), Some(t)) = (current, total) {
                            bar.set_length(t);
                            bar.set_position(c);
                        }
                    }
                    None => {
                        let _ = multi.println(status);
                    }
                }
            }
        }
    }

    fn finish(&mut self) {
        for b in self.bars.values() {
            b.finish();
        }
    }
}
