//! The pipeline of `harden audit`: inspected containers checked against the policy, as report
//! items.

use crate::check::{self, Scope};
use crate::engine::{self, Engine, EngineError};
use crate::frontend::argv::Environment;
use crate::frontend::inspect::{self, Container, DaemonFacts};
use crate::preset::Preset;
use crate::render::report::{ContainerRef, Item, Kind, Report};
use crate::spec::Origin;
use serde_json::Value;
use std::collections::HashMap;

async fn get_json(engine: &Engine, path: &str) -> Result<Value, EngineError> {
    let body = engine.call("GET", path, None).await?;
    serde_json::from_slice(&body).map_err(|e| EngineError::Other(format!("{path}: {e}")))
}

/// What to audit.
pub struct Request<'a> {
    /// `--preset`.
    pub preset: Option<&'a str>,
    /// `--allow`.
    pub allow: &'a [String],
    /// Names or ids; empty: every running container (every container with `all`).
    pub containers: &'a [String],
    pub all: bool,
}

/// Connects, inspects and checks; `Err` is the one line to print (exit 2).
pub async fn run(args: &Request<'_>, env: &dyn Environment) -> Result<Report, String> {
    // The machine policy and --preset only: an audit never reads a working directory's files.
    let preset = crate::session::policy(
        env,
        args.preset,
        args.allow,
        crate::session::Reach::NoProject,
    )
    .map_err(|e| format!("preset: {e}"))?
    .preset;
    let engine = crate::session::connect(env).await.map_err(|e| e.message)?;
    let facts = engine.facts().await;
    let daemon = DaemonFacts {
        cgroup_v1: facts.cgroup_version == Some(1),
        podman: facts.is_podman(),
        default_capabilities: facts.default_capabilities(),
    };
    let ids: Vec<String> = if args.containers.is_empty() {
        let path = format!("/containers/json?all={}", u8::from(args.all));
        let list = get_json(&engine, &path).await.map_err(|e| e.to_string())?;
        let mut named: Vec<(String, String)> = list
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| {
                let id = c.get("Id")?.as_str()?.to_string();
                let name = c
                    .pointer("/Names/0")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .trim_start_matches('/')
                    .to_string();
                Some((name, id))
            })
            .collect();
        named.sort();
        named.into_iter().map(|(_, id)| id).collect()
    } else {
        args.containers.to_vec()
    };
    let mut containers = Vec::new();
    let mut images: HashMap<String, Option<Value>> = HashMap::new();
    for id in &ids {
        let path = format!("/containers/{}/json", engine::image::encode_path(id));
        let mut doc = match get_json(&engine, &path).await {
            Ok(d) => d,
            Err(EngineError::Daemon { status: 404, .. }) => {
                return Err(format!("No such container: {id}"));
            }
            Err(e) => return Err(e.to_string()),
        };
        if daemon.podman {
            // Podman's own inspect says which capabilities the container keeps.
            let path = facts.libpod_path(&format!(
                "/containers/{}/json",
                engine::image::encode_path(id)
            ));
            if let Ok(libpod) = get_json(&engine, &path).await
                && let Value::Object(d) = &mut doc
            {
                // Podman leaves an empty bounding set out (or null).
                let bounding = libpod
                    .get("BoundingCaps")
                    .filter(|b| b.is_array())
                    .cloned()
                    .unwrap_or(Value::Array(Vec::new()));
                d.insert("BoundingCaps".into(), bounding);
            }
        }
        let image_id = doc
            .get("Image")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if !images.contains_key(&image_id) {
            let facts = if image_id.is_empty() {
                None
            } else {
                let path = format!("/images/{}/json", engine::image::encode_path(&image_id));
                match get_json(&engine, &path).await {
                    Ok(v) => Some(v),
                    Err(EngineError::Daemon { status: 404, .. }) => None,
                    Err(e) => return Err(e.to_string()),
                }
            };
            images.insert(image_id.clone(), facts);
        }
        let image = images.get(&image_id).and_then(Option::as_ref);
        containers.push(inspect::container(&doc, image, &daemon).map_err(|e| e.to_string())?);
    }
    Ok(report(&containers, &preset, args.allow))
}

/// The report of checking `containers` against `preset`.
pub fn report(containers: &[Container], preset: &Preset, allow: &[String]) -> Report {
    let mut items = Vec::new();
    for c in containers {
        let scope = Scope {
            allow,
            ..Scope::default()
        };
        let outcome = check::check(&c.spec, preset, &scope);
        for f in &outcome.findings {
            items.push(Item {
                route: match &f.finding.origin {
                    Origin::Inspect { path } => path.clone(),
                    Origin::Image { field } => format!("image {field}"),
                    _ => String::new(),
                },
                container: Some(Box::new(ContainerRef {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    image: c.image.clone(),
                })),
                ..super::item(f, f.is_fix(), None)
            });
        }
    }
    Report {
        kind: Kind::Audit,
        items,
        containers: containers
            .iter()
            .map(|c| ContainerRef {
                id: c.id.clone(),
                name: c.name.clone(),
                image: c.image.clone(),
            })
            .collect(),
        ..Report::default()
    }
}
