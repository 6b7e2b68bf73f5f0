//! `harden run` / `harden create`: parse like `docker run`, check against the preset, rewrite,
//! then print (`--dry-run`) or create/start/attach through the Engine API.

use super::{error_line, print_out};
use crate::check::{self, Outcome, Scope};
use crate::fix::{self, Change};
use crate::frontend::argv::{self, ArgvError, Environment, Parsed, RunRequest, SystemEnvironment};
use crate::preset::{self, Preset, PresetError};
use crate::render::explain;
use crate::spec::{self, Spec};
use serde_json::json;
use std::ffi::OsString;
use std::process::ExitCode;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Run,
    Create,
}

impl Mode {
    pub fn word(self) -> &'static str {
        match self {
            Mode::Run => "run",
            Mode::Create => "create",
        }
    }
}

/// Flags `docker run` has and `docker create` does not.
const RUN_ONLY: &[&str] = &["detach", "detach-keys", "sig-proxy"];

/// Everything decided before talking to the engine.
pub struct Plan {
    /// The command line after hardening.
    pub parsed: Parsed,
    /// The create request after hardening.
    pub request: RunRequest,
    /// The spec as given (before hardening).
    pub spec: Spec,
    pub outcome: Outcome,
    /// Applied changes with the rule that asked for each.
    pub changes: Vec<(&'static str, Change)>,
    pub preset: Option<Preset>,
}

/// Why a plan could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{0}")]
    Argv(#[from] ArgvError),
    #[error("{0}")]
    Preset(#[from] PresetError),
    #[error("refused by policy")]
    Denied {
        outcome: Outcome,
        image: String,
        explain: bool,
    },
    #[error("--help")]
    Help,
}

/// Parses `args` (everything after `run`), checks and hardens.
pub fn plan(
    mode: Mode,
    args: &[String],
    env: &dyn Environment,
    api_version: Option<&str>,
) -> Result<Plan, PlanError> {
    let parsed = argv::parse_args(args)?;
    if parsed.occurrences.iter().any(|o| o.flag.long == "help") {
        return Err(PlanError::Help);
    }
    if mode == Mode::Create
        && let Some(o) = parsed
            .occurrences
            .iter()
            .find(|o| RUN_ONLY.contains(&o.flag.long))
    {
        return Err(ArgvError {
            message: format!("unknown flag: {}", o.written),
            exit_code: 125,
            show_usage: true,
        }
        .into());
    }
    let request = argv::build_request(&parsed, env, api_version)?;
    let mut spec = spec::spec_from_create_body(&request.body, &parsed);
    spec.name = request.client.name.clone();
    if request.harden.no_harden {
        return Ok(Plan {
            parsed,
            request,
            spec,
            outcome: Outcome::default(),
            changes: Vec::new(),
            preset: None,
        });
    }
    let cwd = env.cwd();
    let from_env = env.var("HARDEN_PRESET");
    let selection = preset::select(request.harden.preset.as_deref(), from_env.as_deref(), &cwd);
    let preset = preset::load(&selection, &cwd)?;
    let scope = Scope {
        allow: &request.harden.allow,
        ..Scope::default()
    };
    let outcome = check::check(&spec, &preset, &scope);
    if outcome.denials().next().is_some() {
        return Err(PlanError::Denied {
            outcome,
            image: parsed.image.clone(),
            explain: request.harden.explain,
        });
    }
    let changes = outcome.changes();
    let only: Vec<Change> = changes.iter().map(|(_, c)| c.clone()).collect();
    let hardened = fix::argv::apply(&parsed, &only);
    let mut final_request = argv::build_request(&hardened, env, api_version)?;
    // harden's own options are not part of the rewritten line; keep the user's.
    final_request.harden = request.harden.clone();
    Ok(Plan {
        parsed: hardened,
        request: final_request,
        spec,
        outcome,
        changes,
        preset: Some(preset),
    })
}

/// `docker run …` / `docker create …`, shell-quoted.
pub fn command_line(mode: Mode, parsed: &Parsed) -> String {
    let mut words = vec!["docker".to_string(), mode.word().to_string()];
    words.extend(argv::to_args(parsed));
    shell_words::join(words)
}

/// The `--format json` document of a dry run.
pub fn dry_run_json(mode: Mode, plan: &Plan) -> serde_json::Value {
    let changes: Vec<_> = plan
        .changes
        .iter()
        .map(|(rule, c)| json!({ "rule": rule, "description": c.describe(), "change": c }))
        .collect();
    let findings: Vec<_> = plan
        .outcome
        .findings
        .iter()
        .map(|f| {
            json!({
                "rule": f.finding.rule,
                "severity": f.severity,
                "action": f.action,
                "message": f.finding.message,
                "origin": f.finding.origin,
                "fixable": !f.finding.changes.is_empty(),
                "waived": f.waived,
            })
        })
        .collect();
    json!({
        "name": plan.request.client.name,
        "platform": plan.request.client.platform,
        "body": plan.request.body_json(),
        "changes": changes,
        "findings": findings,
        "command": command_line(mode, &plan.parsed),
    })
}

/// One line per denial: rule, reason, and how to waive.
pub fn denial_lines(outcome: &Outcome, image: &str) -> Vec<String> {
    outcome
        .denials()
        .map(|f| {
            let meta = crate::rules::find(f.finding.rule).map(|r| r.meta());
            let cis = meta
                .and_then(|m| m.cis)
                .map(|c| format!(", CIS {c}"))
                .unwrap_or_default();
            format!(
                "refused by {} ({}{cis}): {}; to allow it anyway: {}",
                f.finding.rule,
                meta.map(|m| m.title).unwrap_or(""),
                f.finding.message,
                explain::waive_hint(f.finding.rule, Some(image)),
            )
        })
        .collect()
}

/// A one-line summary for stderr (without `--explain`).
pub fn summary(plan: &Plan) -> Option<String> {
    let fixed: Vec<&str> = dedup(plan.changes.iter().map(|(r, _)| *r));
    let warned: Vec<&str> = dedup(
        plan.outcome
            .findings
            .iter()
            .filter(|f| f.waived.is_none() && !f.is_fix() && !f.is_denial())
            .map(|f| f.finding.rule),
    );
    if fixed.is_empty() && warned.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    if !fixed.is_empty() {
        parts.push(format!("hardened ({})", fixed.join(", ")));
    }
    if !warned.is_empty() {
        parts.push(format!("warnings: {}", warned.join(", ")));
    }
    Some(format!("{}; --explain for details", parts.join("; ")))
}

fn dedup<'a>(it: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut v: Vec<&str> = Vec::new();
    for s in it {
        if !v.contains(&s) {
            v.push(s);
        }
    }
    v
}

fn usage_hint(mode: Mode) -> String {
    format!("See 'harden {} --help'.", mode.word())
}

/// Entry point for `harden run` / `harden create`.
pub fn main(mode: Mode, args: Vec<OsString>) -> ExitCode {
    let mut strings = Vec::with_capacity(args.len());
    for a in args {
        match a.into_string() {
            Ok(s) => strings.push(s),
            Err(bad) => {
                error_line(&format!(
                    "argument {} is not valid UTF-8",
                    bad.to_string_lossy()
                ));
                return ExitCode::from(125);
            }
        }
    }
    let env = SystemEnvironment;
    let plan = match plan(mode, &strings, &env, None) {
        Ok(p) => p,
        Err(PlanError::Help) => {
            print_out(&argv::help_text().replace("docker run", &format!("harden {}", mode.word())));
            return ExitCode::SUCCESS;
        }
        Err(PlanError::Argv(e)) => {
            error_line(&e.message);
            if e.show_usage {
                eprintln!("{}", usage_hint(mode));
            }
            return ExitCode::from(e.exit_code);
        }
        Err(PlanError::Preset(e)) => {
            error_line(&format!("preset: {e}"));
            return ExitCode::from(125);
        }
        Err(PlanError::Denied {
            outcome,
            image,
            explain,
        }) => {
            if explain {
                eprint!("{}", explain::outcome(&outcome, Some(&image)));
            }
            for line in denial_lines(&outcome, &image) {
                error_line(&line);
            }
            return ExitCode::from(125);
        }
    };
    let h = &plan.request.harden;
    if h.explain {
        eprint!(
            "{}",
            explain::outcome(&plan.outcome, Some(plan.parsed.image.as_str()))
        );
    } else if let Some(s) = summary(&plan) {
        error_line(&s);
    }
    if h.dry_run {
        match h.format.as_deref() {
            None | Some("text") => print_out(&format!("{}\n", command_line(mode, &plan.parsed))),
            Some("json") => {
                let doc = dry_run_json(mode, &plan);
                let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
                s.push('\n');
                print_out(&s);
            }
            Some(other) => {
                error_line(&format!(
                    "invalid --format {other:?}: must be one of \"text\" or \"json\""
                ));
                return ExitCode::from(125);
            }
        }
        return ExitCode::SUCCESS;
    }
    error_line(&format!(
        "running containers through the Engine API is not available in this build; use --dry-run to print the hardened `docker {}` line",
        mode.word()
    ));
    ExitCode::from(125)
}
