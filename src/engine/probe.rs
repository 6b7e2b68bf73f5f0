//! Reads what an image's filesystem says (see [`crate::spec::image`]) through the Engine API,
//! without running anything: a container is created from the image (never started, no network),
//! files and directory headers are read with `GET /containers/{id}/archive`, and the container
//! and the anonymous volumes its `VOLUME`s made are removed. Each read is bounded; the result is
//! cached per image id under `$XDG_CACHE_HOME/harden/image-facts/`.

use super::image::encode_query;
use super::{Engine, EngineError};
use crate::spec::ImageFacts;
use crate::spec::image::{self, FsFacts, PathFact};
use http_body_util::BodyExt;
use std::path::PathBuf;

/// Most bytes read from one archive answer.
const MAX_ARCHIVE: usize = 1 << 20;
/// Most bytes of an entrypoint script read.
const MAX_SCRIPT: u64 = 256 << 10;
/// Directories that may hold the entrypoint when it is not an absolute path.
const PATH_DIRS: [&str; 6] = [
    "/usr/local/sbin",
    "/usr/local/bin",
    "/usr/sbin",
    "/usr/bin",
    "/sbin",
    "/bin",
];

fn cache_file(id: &str) -> Option<PathBuf> {
    let base = super::cache_dir()?;
    let name: String = id
        .trim_start_matches("sha256:")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(64)
        .collect();
    (!name.is_empty()).then(|| base.join("image-facts").join(format!("v2-{name}.json")))
}

/// The filesystem facts of an inspected image (from the cache when it has them).
pub async fn filesystem(engine: &Engine, facts: &ImageFacts) -> Result<FsFacts, EngineError> {
    let Some(id) = facts.id.as_deref() else {
        return Err(EngineError::Other("the image has no id".into()));
    };
    let cache = cache_file(id);
    if let Some(c) = &cache
        && let Ok(text) = std::fs::read_to_string(c)
        && let Ok(fs) = serde_json::from_str::<FsFacts>(&text)
    {
        return Ok(fs);
    }
    let body = serde_json::json!({
        "Image": id,
        "Cmd": ["true"],
        "Entrypoint": [""],
        "NetworkDisabled": true,
        "Labels": {"harden.probe": "1"},
        "HostConfig": {"NetworkMode": "none"},
    });
    let created = engine
        .call("POST", "/containers/create", Some(&body))
        .await?;
    let v: serde_json::Value =
        serde_json::from_slice(&created).map_err(|e| EngineError::Other(e.to_string()))?;
    let cid = v["Id"]
        .as_str()
        .ok_or_else(|| EngineError::Other("create gave no id".into()))?
        .to_string();
    let result = read_all(engine, &cid, facts).await;
    // Remove it and the anonymous volumes its VOLUMEs made, whatever happened.
    let _ = engine
        .call("DELETE", &format!("/containers/{cid}?v=1&force=1"), None)
        .await;
    let fs = result?;
    if let Some(c) = &cache
        && let Ok(text) = serde_json::to_string(&fs)
    {
        crate::engine::write_cache(c, text.as_bytes());
    }
    Ok(fs)
}

async fn read_all(engine: &Engine, cid: &str, facts: &ImageFacts) -> Result<FsFacts, EngineError> {
    let mut fs = FsFacts::default();
    if let Some(t) = read_file(engine, cid, "/etc/passwd", MAX_SCRIPT).await? {
        fs.accounts = image::parse_passwd(&t);
    }
    if let Some(t) = read_file(engine, cid, "/etc/group", MAX_SCRIPT).await? {
        fs.groups = image::parse_group(&t);
    }
    let mut dirs: Vec<String> = facts
        .volumes
        .iter()
        .flatten()
        .map(|v| v.trim_end_matches('/').to_string())
        .collect();
    for a in &fs.accounts {
        if a.uid != 0 && a.uid < 65534 {
            dirs.extend(image::service_dirs(&a.name));
        }
    }
    dirs.dedup();
    for d in dirs {
        if let Some((me, _)) = read_dir(engine, cid, &d).await? {
            fs.paths.push(me);
        }
    }
    // `/run` and the directories the image ships in it.
    if let Some((me, children)) = read_dir(engine, cid, "/run").await? {
        fs.paths.push(me);
        fs.paths.extend(children);
    }
    // Programs that carry file capabilities: the entrypoint's and the command's.
    let mut programs: Vec<String> = Vec::new();
    for first in facts
        .entrypoint
        .first()
        .into_iter()
        .chain(facts.cmd.first())
    {
        if first.starts_with('/') {
            programs.push(first.clone());
        } else if !first.contains('/') {
            programs.extend(PATH_DIRS.iter().map(|d| format!("{d}/{first}")));
        }
    }
    for p in programs {
        if fs.file_caps.iter().any(|(q, _)| *q == p) {
            continue;
        }
        if let Some(caps) = file_caps(engine, cid, &p).await?
            && !caps.is_empty()
        {
            fs.file_caps.push((p, caps));
        }
    }
    // The entrypoint script.
    if let Some(first) = facts.entrypoint.first() {
        let candidates: Vec<String> = if first.starts_with('/') {
            vec![first.clone()]
        } else if !first.contains('/') {
            PATH_DIRS.iter().map(|d| format!("{d}/{first}")).collect()
        } else {
            Vec::new()
        };
        for c in candidates {
            if let Some(text) = read_file(engine, cid, &c, MAX_SCRIPT).await? {
                if !text.contains('\0') {
                    fs.drops_to = image::find_priv_drop(&c, &text);
                }
                break;
            }
        }
    }
    Ok(fs)
}

/// The tar stream of `path` (at most [`MAX_ARCHIVE`] bytes), or `None` when it does not exist.
async fn archive(engine: &Engine, cid: &str, path: &str) -> Result<Option<Vec<u8>>, EngineError> {
    let q = format!("/containers/{cid}/archive?path={}", encode_query(path));
    let resp = engine.raw("GET", &q, None).await?;
    let status = resp.status().as_u16();
    if status == 404 {
        return Ok(None);
    }
    let mut body = resp.into_body();
    let mut out = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| EngineError::Other(e.to_string()))?;
        if let Some(d) = frame.data_ref() {
            out.extend_from_slice(d);
            if out.len() >= MAX_ARCHIVE {
                break;
            }
        }
    }
    if !(200..300).contains(&status) {
        return Err(super::daemon_error(status, &out));
    }
    Ok(Some(out))
}

/// A regular file's text (symbolic links followed by the engine), at most `max` bytes.
async fn read_file(
    engine: &Engine,
    cid: &str,
    path: &str,
    max: u64,
) -> Result<Option<String>, EngineError> {
    let Some(bytes) = archive(engine, cid, path).await? else {
        return Ok(None);
    };
    let mut ar = tar::Archive::new(std::io::Cursor::new(bytes));
    let Ok(mut entries) = ar.entries() else {
        return Ok(None);
    };
    let Some(Ok(entry)) = entries.next() else {
        return Ok(None);
    };
    if !entry.header().entry_type().is_file() || entry.header().size().unwrap_or(0) > max {
        return Ok(None);
    }
    let mut text = String::new();
    use std::io::Read;
    let mut entry = entry;
    if entry.read_to_string(&mut text).is_err() {
        return Ok(None);
    }
    Ok(Some(text))
}

/// The file capabilities of a program (`None` when it does not exist).
async fn file_caps(
    engine: &Engine,
    cid: &str,
    path: &str,
) -> Result<Option<Vec<String>>, EngineError> {
    let Some(bytes) = archive(engine, cid, path).await? else {
        return Ok(None);
    };
    let mut ar = tar::Archive::new(std::io::Cursor::new(bytes));
    let Ok(mut entries) = ar.entries() else {
        return Ok(Some(Vec::new()));
    };
    let Some(Ok(mut entry)) = entries.next() else {
        return Ok(Some(Vec::new()));
    };
    let mut caps = Vec::new();
    if let Ok(Some(exts)) = entry.pax_extensions() {
        for ext in exts.flatten() {
            if ext.key() == Ok("SCHILY.xattr.security.capability") {
                caps = image::parse_file_caps(ext.value_bytes());
            }
        }
    }
    Ok(Some(caps))
}

/// A directory's owner and mode, and its direct subdirectories'.
async fn read_dir(
    engine: &Engine,
    cid: &str,
    path: &str,
) -> Result<Option<(PathFact, Vec<PathFact>)>, EngineError> {
    let Some(bytes) = archive(engine, cid, path).await? else {
        return Ok(None);
    };
    let complete = bytes.len() < MAX_ARCHIVE;
    let mut ar = tar::Archive::new(std::io::Cursor::new(bytes));
    let Ok(entries) = ar.entries() else {
        return Ok(None);
    };
    let mut me: Option<PathFact> = None;
    let mut children = Vec::new();
    let mut count = 0usize;
    for entry in entries {
        let Ok(entry) = entry else { break };
        count += 1;
        let h = entry.header();
        let Ok(name) = entry.path() else { continue };
        let parts: Vec<String> = name
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let fact = |p: String| PathFact {
            path: p,
            uid: h.uid().unwrap_or(0) as u32,
            gid: h.gid().unwrap_or(0) as u32,
            mode: h.mode().unwrap_or(0) & 0o7777,
            dir: h.entry_type().is_dir(),
            empty: false,
        };
        match parts.len() {
            1 if me.is_none() => me = Some(fact(path.to_string())),
            2 if h.entry_type().is_dir() => children.push(fact(format!("{path}/{}", parts[1]))),
            _ => {}
        }
        if count > 10_000 {
            break;
        }
    }
    let Some(mut me) = me else {
        return Ok(None);
    };
    me.empty = complete && count == 1;
    Ok(Some((me, children)))
}
