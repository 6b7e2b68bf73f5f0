//! The pipeline of `harden run` / `harden create` (and `learn`, which plans the same way):
//! parse like `docker run`, choose the policy, check, plan the fixes and rewrite the command
//! line and create body. Nothing here prints; the door (`cli::run`) says what happened.

use crate::check::{self, Outcome, Scope};
use crate::engine;
use crate::fix::{self, Change};
use crate::frontend::argv::{self, ArgvError, Environment, Parsed, RunRequest};
use crate::preset::{self, Preset, PresetError};
use crate::render::explain;
use crate::render::shell_quote;
use crate::spec::{self, ImageFacts, Spec};
use serde_json::json;

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
    /// The command line as given.
    pub original: Parsed,
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
    /// Where the policy came from and what the project file weakens.
    pub policy: Option<preset::policy::Policy>,
    /// The engine's tmpfs takes `uid=`/`gid=` (Podman's does not): how a remedy is written.
    pub tmpfs_owner_options: bool,
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
    /// What the engine would refuse (said as the engine says it).
    #[error("{0}")]
    Invalid(String),
    /// The project file weakens the policy and is not trusted.
    #[error("{0}")]
    Untrusted(String),
}

/// Checks a parsed command line against the preset and hardens it. `facts` is what the image
/// declares (from the engine), when known.
pub fn plan(
    parsed: Parsed,
    request: RunRequest,
    env: &dyn Environment,
    api_version: Option<&str>,
    facts: Option<ImageFacts>,
) -> Result<Plan, PlanError> {
    // What the engine refuses, refused first, in its words (not as a policy finding).
    if let Some(hc) = &request.body.host_config {
        for (field, caps) in [("CapAdd", &hc.cap_add), ("CapDrop", &hc.cap_drop)] {
            let caps = caps.clone().unwrap_or_default();
            if let Some(e) = crate::spec::unknown_capability(field, &caps) {
                return Err(PlanError::Invalid(e));
            }
        }
    }
    let mut spec = spec::spec_from_create_body(&request.body, &parsed);
    spec.name = request.client.name.clone();
    if let Some(f) = facts {
        spec.image_facts = f;
    }
    if request.harden.no_harden {
        return Ok(Plan {
            original: parsed.clone(),
            parsed,
            request,
            spec,
            outcome: Outcome::default(),
            changes: Vec::new(),
            preset: None,
            policy: None,
            tmpfs_owner_options: true,
        });
    }
    let policy = super::policy(
        env,
        request.harden.preset.as_deref(),
        &request.harden.allow,
        super::Reach::Project,
    )?;
    let lookup = |k: &str| env.var(k);
    if let Some(why) = policy.untrusted(&lookup, request.harden.trust_project) {
        return Err(PlanError::Untrusted(why));
    }
    let preset = policy.preset.clone();
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
    let mut plan = Plan {
        original: parsed.clone(),
        parsed,
        request,
        spec,
        outcome,
        changes: Vec::new(),
        preset: Some(preset),
        policy: Some(policy),
        tmpfs_owner_options: true,
    };
    plan.apply(changes, env, api_version)?;
    Ok(plan)
}

impl Plan {
    /// Rewrites the original command line with `changes` (replacing earlier ones).
    pub fn apply(
        &mut self,
        changes: Vec<(&'static str, Change)>,
        env: &dyn Environment,
        api_version: Option<&str>,
    ) -> Result<(), PlanError> {
        self.apply_for(changes, env, api_version, None)
    }

    /// Renders the plan for the engine that will run it ([`fix::engine`]): Podman's tmpfs
    /// ownership, no CPU limit where the engine cannot apply one.
    pub fn for_engine(
        &mut self,
        facts: &engine::facts::EngineFacts,
        env: &dyn Environment,
        api_version: Option<&str>,
    ) -> Result<(), PlanError> {
        self.tmpfs_owner_options = facts.tmpfs_takes_owner_options();
        let user = self.request.body.user.clone().filter(|u| !u.is_empty());
        let mut changed = false;
        for f in self.outcome.findings.iter_mut().filter(|f| f.is_fix()) {
            let a = fix::engine::adapt_changes(&mut f.finding.changes, facts, user.as_deref());
            changed |= a.changed;
            if !a.left_out.is_empty() {
                // Still reported, as a warning when nothing is left to fix, saying why.
                f.finding.message = format!(
                    "{} ({})",
                    f.finding.message.trim_end_matches('.'),
                    a.left_out.join("; ")
                )
                .into();
                if f.finding.changes.is_empty() {
                    f.action = crate::rules::Action::Warn;
                }
            }
        }
        if !changed {
            if !facts.tmpfs_takes_owner_options() {
                // Only a tmpfs the user gave was handed to the run user.
                let changes = std::mem::take(&mut self.changes);
                return self.apply_for(changes, env, api_version, Some(facts));
            }
            return Ok(());
        }
        // The outcome's fixes changed: keep only the changes still asked for, as adapted.
        let adapted = self.outcome.changes();
        let changes = self
            .changes
            .iter()
            .filter_map(|(rule, c)| {
                adapted
                    .iter()
                    .find(|(r, a)| r == rule && same_target(a, c))
                    .cloned()
            })
            .collect();
        self.apply_for(changes, env, api_version, Some(facts))
    }

    fn apply_for(
        &mut self,
        changes: Vec<(&'static str, Change)>,
        env: &dyn Environment,
        api_version: Option<&str>,
        engine: Option<&engine::facts::EngineFacts>,
    ) -> Result<(), PlanError> {
        let only: Vec<Change> = changes.iter().map(|(_, c)| c.clone()).collect();
        let mut hardened = fix::argv::apply(&self.original, &only);
        if let Some(facts) = engine {
            let user = hardened.last("user").and_then(|o| o.value.clone());
            fix::engine::render_tmpfs(&self.original, &mut hardened, facts, user.as_deref());
        }
        let mut request = argv::build_request(&hardened, env, api_version)?;
        // harden's own options are not part of the rewritten line; keep the user's.
        request.harden = self.request.harden.clone();
        self.parsed = hardened;
        self.request = request;
        self.changes = changes;
        Ok(())
    }
}

/// The same change before and after [`fix::engine::adapt`] (which only rewrites tmpfs options).
fn same_target(a: &Change, b: &Change) -> bool {
    match (a, b) {
        (Change::AddTmpfs { path: p, .. }, Change::AddTmpfs { path: q, .. }) => p == q,
        _ => a == b,
    }
}

/// Parses and validates `args` (everything after `run`/`create`).
pub fn parse(
    mode: Mode,
    args: &[String],
    env: &dyn Environment,
    api_version: Option<&str>,
) -> Result<(Parsed, RunRequest), PlanError> {
    let parsed = argv::parse_args_at(args, api_version)?;
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
    Ok((parsed, request))
}

/// `docker run …` / `docker create …`, shell-quoted.
pub fn command_line(mode: Mode, parsed: &Parsed) -> String {
    let mut words = vec!["docker".to_string(), mode.word().to_string()];
    words.extend(argv::to_args(parsed));
    words
        .iter()
        .map(|w| shell_quote(w))
        .collect::<Vec<_>>()
        .join(" ")
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
    let connect: Vec<_> = plan
        .request
        .extra_networks
        .iter()
        .map(|(network, endpoint)| json!({ "network": network, "endpoint": endpoint }))
        .collect();
    json!({
        "name": plan.request.client.name,
        "platform": plan.request.client.platform,
        "body": plan.request.body_json(),
        "connect": connect,
        "changes": changes,
        "findings": findings,
        "policy": plan.policy.as_ref().map(|p| json!({
            "sources": p.sources,
            "locked": p.preset.locks,
            "weakened": p.weakenings,
        })),
        "command": command_line(mode, &plan.parsed),
    })
}

/// Where the policy came from (strongest first), its locks and what the project weakens.
pub fn policy_text(p: &preset::policy::Policy) -> String {
    let mut out = String::from(
        "policy, in the order applied (later overrides earlier, except what is locked):\n",
    );
    for src in &p.sources {
        out.push_str(&format!("   {:<15} {}\n", src.layer.word(), src.label));
    }
    for l in &p.preset.locks {
        out.push_str(&format!(
            "   locked {} ({}, {})\n",
            l.pattern,
            l.layer.word(),
            l.declared_in
        ));
    }
    for w in &p.weakenings {
        out.push_str(&format!("   weakened: {}:{} {}\n", w.file, w.line, w.what));
    }
    out
}

/// One line per denial: rule, reason, and how to waive.
pub fn denial_lines(outcome: &Outcome, image: &str) -> Vec<String> {
    outcome
        .denials()
        .map(|f| {
            let cis = crate::rules::find(f.finding.rule)
                .and_then(|r| r.meta().cis)
                .map(|c| format!(" (CIS {c})"))
                .unwrap_or_default();
            format!(
                "refused by {}{cis}: {}; to allow it: {}",
                f.finding.rule,
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
    if let Some(w) = plan.policy.as_ref().and_then(|p| p.weakened_summary()) {
        parts.push(format!("policy weakened: {w}"));
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

/// Why no engine could be used, with the exit code `docker run` gives for it.
#[derive(Debug)]
pub struct ConnectError {
    pub message: String,
    /// 1 when the endpoint cannot even be resolved (unknown context, bad host), 125 otherwise.
    pub exit_code: u8,
}

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Resolves the daemon from the environment and connects.
pub async fn connect(env: &dyn Environment) -> Result<engine::Engine, ConnectError> {
    connect_inspecting(env, None).await.0
}

/// What the image inspected while connecting says ([`connect_inspecting`]): `None` when it is
/// not present.
pub type Inspected = Option<ImageFacts>;

/// [`connect`], and with `image`, the image inspected while the API version is negotiated (on
/// a second connection, so at the engine's own API version). Its answer is given only when the
/// negotiated version is the engine's own ([`engine::Engine::speaks_own_version`]: it is then
/// the answer a versioned inspect gets) and the inspect succeeded; else the caller asks again.
pub async fn connect_inspecting(
    env: &dyn Environment,
    image: Option<&str>,
) -> (Result<engine::Engine, ConnectError>, Option<Inspected>) {
    let lookup = |k: &str| env.var(k);
    let endpoint = match engine::host::resolve(&env.globals(), &lookup) {
        Ok(e) => e,
        Err(e) => {
            let e = ConnectError {
                message: format!("Failed to initialize: {e}"),
                exit_code: 1,
            };
            return (Err(e), None);
        }
    };
    let pinned = env.var("DOCKER_API_VERSION").filter(|v| !v.is_empty());
    let failed = |e: engine::EngineError| ConnectError {
        message: e.to_string(),
        exit_code: 125,
    };
    let mut engine = match engine::Engine::open(endpoint) {
        Ok(e) => e,
        Err(e) => return (Err(failed(e)), None),
    };
    let early = image.filter(|_| engine.parallel()).map(|image| {
        let unversioned = engine.clone();
        async move { engine::image::inspect(&unversioned, image).await }
    });
    let (negotiated, inspected) = match early {
        Some(inspect) => {
            let (n, i) = tokio::join!(engine.negotiate(pinned), inspect);
            (n, i.ok())
        }
        None => (engine.negotiate(pinned).await, None),
    };
    match negotiated {
        Ok(()) => {
            let inspected = inspected.filter(|_| engine.speaks_own_version());
            (Ok(engine), inspected)
        }
        Err(e) => (Err(failed(e)), None),
    }
}
