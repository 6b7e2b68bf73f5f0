//! The `docker run` call sequence: image, create, attach, wait, start, stream, exit code.

use super::image::{self, Reference, encode_query};
use super::pull;
use super::{Engine, EngineError, api_at_least};
use crate::frontend::argv::{ClientOptions, PullPolicy, RunRequest};
use crate::spec::ImageFacts;

/// What the `docker run` sequence has to tell the user on the way; the caller shows it.
#[derive(Debug)]
pub enum Note<'a> {
    /// The image is not present and will be pulled (`Unable to find image 'x' locally`).
    Pulling(&'a str),
    /// A progress message of a pull, as the daemon sent it.
    Progress(&'a serde_json::Value),
    /// A warning of the daemon's create answer.
    Warning(&'a str),
}

/// The exit code for a daemon error, as `docker run` maps it (§3.12): 127 for "not found"
/// errors, 126 for "cannot invoke", else 125.
pub fn exit_code_for(message: &str) -> u8 {
    let m = message.to_ascii_lowercase();
    if m.contains("executable file not found")
        || m.contains("no such file or directory")
        || m.contains("system cannot find the file specified")
    {
        127
    } else if m.contains("permission denied") || m.contains("is a directory") {
        126
    } else {
        125
    }
}

/// Makes sure the image is present as `--pull` asks, and returns what it declares.
/// `dry_run` never pulls. `note` hears of pulls and their progress. `inspected` is the answer
/// of an inspect of `image` already made on this engine, if there was one (not taken with
/// `--pull always`, which pulls before it looks).
pub async fn ensure_image(
    engine: &Engine,
    image: &str,
    client: &ClientOptions,
    config: Option<&serde_json::Value>,
    dry_run: bool,
    inspected: Option<Option<ImageFacts>>,
    note: &mut dyn FnMut(Note<'_>),
) -> Result<Option<ImageFacts>, EngineError> {
    let named = Reference::parse(image);
    let mut progress = |m: &serde_json::Value| note(Note::Progress(m));
    if !dry_run && matches!(client.pull, PullPolicy::Always) && named.is_some() {
        pull::pull(
            engine,
            image,
            client.platform.as_deref(),
            config,
            &mut progress,
        )
        .await?;
    }
    let inspected = match inspected {
        Some(found) if !matches!(client.pull, PullPolicy::Always) => found,
        _ => image::inspect(engine, image).await?,
    };
    if let Some(facts) = inspected {
        return Ok(Some(facts));
    }
    if dry_run {
        return Ok(None);
    }
    let Some(reference) = named else {
        return Err(EngineError::Daemon {
            status: 404,
            message: format!("No such image: {image}"),
        });
    };
    match client.pull {
        PullPolicy::Missing => {
            let familiar = reference.familiar();
            note(Note::Pulling(&familiar));
            let mut progress = |m: &serde_json::Value| note(Note::Progress(m));
            pull::pull(
                engine,
                image,
                client.platform.as_deref(),
                config,
                &mut progress,
            )
            .await?;
            image::inspect(engine, image).await
        }
        PullPolicy::Never | PullPolicy::Always => Err(EngineError::Daemon {
            status: 404,
            message: format!("No such image: {}", reference.familiar()),
        }),
    }
}

/// `POST /containers/create`; hands the daemon's warnings to `note`; connects extra networks
/// (API < 1.44).
pub async fn create(
    engine: &Engine,
    request: &RunRequest,
    note: &mut dyn FnMut(Note<'_>),
) -> Result<String, EngineError> {
    let mut query = String::from("/containers/create");
    let mut sep = '?';
    if let Some(name) = &request.client.name {
        query.push_str(&format!("{sep}name={}", encode_query(name)));
        sep = '&';
    }
    if let Some(p) = &request.client.platform
        && api_at_least(&engine.api_version, "1.41")
    {
        query.push_str(&format!("{sep}platform={}", encode_query(p)));
    }
    let body = request.body_json();
    let answer = engine.call("POST", &query, Some(&body)).await?;
    let v: serde_json::Value =
        serde_json::from_slice(&answer).map_err(|e| EngineError::Other(e.to_string()))?;
    let id = v
        .get("Id")
        .and_then(|i| i.as_str())
        .ok_or_else(|| EngineError::Other("create answered without an Id".into()))?
        .to_string();
    for w in v
        .get("Warnings")
        .and_then(|w| w.as_array())
        .into_iter()
        .flatten()
    {
        if let Some(w) = w.as_str() {
            note(Note::Warning(w));
        }
    }
    for (network, endpoint) in &request.extra_networks {
        let body = serde_json::json!({ "Container": id, "EndpointConfig": endpoint });
        engine
            .call(
                "POST",
                &format!("/networks/{}/connect", image::encode_path(network)),
                Some(&body),
            )
            .await?;
    }
    Ok(id)
}

/// Writes the container ID to `--cidfile` (no newline), as the CLI does after create.
pub fn write_cidfile(path: &str, id: &str) -> std::io::Result<()> {
    std::fs::write(path, id)
}

/// Creates the `--cidfile` before create; fails if it exists.
pub fn claim_cidfile(path: &str) -> Result<(), String> {
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(format!(
            "container ID file found, make sure the other container isn't running or delete {path}"
        )),
        Err(e) => Err(format!("failed to create the container ID file: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_cli() {
        assert_eq!(
            exit_code_for(
                "failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: \"/nonexistent\": stat /nonexistent: no such file or directory: unknown"
            ),
            127
        );
        assert_eq!(
            exit_code_for("exec: \"sh\": executable file not found in $PATH"),
            127
        );
        assert_eq!(exit_code_for("exec: \"/etc\": permission denied"), 126);
        assert_eq!(exit_code_for("No such image: x:latest"), 125);
    }

    #[test]
    fn cidfile_is_claimed_once() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cid");
        let p = p.to_str().unwrap();
        claim_cidfile(p).unwrap();
        let e = claim_cidfile(p).unwrap_err();
        assert!(e.starts_with("container ID file found"), "{e}");
        write_cidfile(p, "abc").unwrap();
        assert_eq!(std::fs::read_to_string(p).unwrap(), "abc");
    }
}
