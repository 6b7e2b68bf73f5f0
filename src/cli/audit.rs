//! `harden audit`: inspect running (or all) containers through the Engine API and apply the same
//! rules and preset as `harden run`, so a container started with plain `docker run` gets a report
//! of what `harden run` would have changed or refused. Exit codes as `compose lint`: 0 clean,
//! 1 findings at or above `--fail-on`, 2 usage or input errors (unknown container, daemon down).

use super::compose::Format;
use super::{error_line, print_out};
use crate::check::{self, Scope};
use crate::engine::{self, Engine, EngineError};
use crate::frontend::argv::{Environment, SystemEnvironment};
use crate::frontend::inspect::{self, Container, DaemonFacts};
use crate::preset::{self, Preset};
use crate::render::report::{self, ContainerRef, FailOn, Item, Kind, Report};
use crate::spec::Origin;
use clap::Args;
use serde_json::Value;
use std::collections::HashMap;
use std::process::ExitCode;

/// `harden audit` options.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Containers to audit (names or IDs); default: every running container.
    #[arg(value_name = "CONTAINER")]
    pub containers: Vec<String>,
    /// Audit every container, stopped ones too.
    #[arg(short, long, conflicts_with = "containers")]
    pub all: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Exit 1 when a finding at or above this severity is left.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
    /// Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`).
    #[arg(long, value_name = "P")]
    pub preset: Option<String>,
    /// Waive a rule for this invocation (repeatable).
    #[arg(long, value_name = "RULE")]
    pub allow: Vec<String>,
}

pub fn main(args: AuditArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            error_line(&format!("cannot start the async runtime: {e}"));
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(&args, &SystemEnvironment)) {
        Ok(report) => {
            let text = match args.format {
                Format::Text => report::text::render(&report),
                Format::Json => report::json(&report),
                Format::Sarif => report::sarif::render(&report),
                Format::Github => report::github::render(&report),
            };
            print_out(&text);
            if report.fails(args.fail_on) {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(msg) => {
            error_line(&msg);
            ExitCode::from(2)
        }
    }
}

async fn get_json(engine: &Engine, path: &str) -> Result<Value, EngineError> {
    let body = engine.call("GET", path, None).await?;
    serde_json::from_slice(&body).map_err(|e| EngineError::Other(format!("{path}: {e}")))
}

/// Connects, inspects and checks; `Err` is the one line to print (exit 2).
pub async fn run(args: &AuditArgs, env: &dyn Environment) -> Result<Report, String> {
    // The machine policy and --preset only: an audit never reads a working directory's files.
    let cwd = env.cwd();
    let lookup = |k: &str| env.var(k);
    let preset = preset::policy::load_policy(&preset::policy::PolicyRequest {
        preset_flag: args.preset.as_deref(),
        allow: &args.allow,
        cwd: &cwd,
        env: &lookup,
        project: false,
    })
    .map_err(|e| format!("preset: {e}"))?
    .preset;
    let engine = super::run::connect(env).await.map_err(|e| e.message)?;
    let info = get_json(&engine, "/info")
        .await
        .map_err(|e| e.to_string())?;
    let daemon = DaemonFacts {
        cgroup_v1: info.get("CgroupVersion").and_then(Value::as_str) == Some("1"),
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
        args.containers.clone()
    };
    let mut containers = Vec::new();
    let mut images: HashMap<String, Option<Value>> = HashMap::new();
    for id in &ids {
        let path = format!("/containers/{}/json", engine::image::encode_path(id));
        let doc = match get_json(&engine, &path).await {
            Ok(d) => d,
            Err(EngineError::Daemon { status: 404, .. }) => {
                return Err(format!("No such container: {id}"));
            }
            Err(e) => return Err(e.to_string()),
        };
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
        containers.push(inspect::container(&doc, image, daemon).map_err(|e| e.to_string())?);
    }
    Ok(report(&containers, &preset, &args.allow))
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
            let fixable = f.is_fix();
            items.push(Item {
                file: String::new(),
                line: 0,
                column: 0,
                route: match &f.finding.origin {
                    Origin::Inspect { path } => path.clone(),
                    Origin::Image { field } => format!("image {field}"),
                    _ => String::new(),
                },
                service: String::new(),
                container: Some(ContainerRef {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    image: c.image.clone(),
                }),
                rule: f.finding.rule.to_string(),
                severity: f.severity,
                action: f.action,
                message: f.finding.message.clone(),
                fixable,
                fixes: if fixable {
                    f.finding.changes.iter().map(|c| c.describe()).collect()
                } else {
                    Vec::new()
                },
                unfixable_reason: None,
                waived: f.waived.clone(),
                profiles: Vec::new(),
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
