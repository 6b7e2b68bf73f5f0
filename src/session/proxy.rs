//! The pipeline of `harden proxy` for one judged request: the create body a client sent (read
//! as the engine reads it), the policy, the image's facts → forward (hardened or as sent) or
//! refuse, with what changed and why.

use crate::check::{self, Outcome, Scope};
use crate::fix::Change;
use crate::frontend::inspect::locate;
use crate::preset::Preset;
use crate::spec::{ImageFacts, Origin, OriginLookup};
use serde::Serialize;
use serde_json::Value;

/// What the proxy does with what the policy says (as Kubernetes Pod Security Admission).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Fix what the preset fixes, refuse what it denies.
    Enforce,
    /// Fix, never refuse: denials become warnings in the create response.
    Warn,
    /// Forward every request unchanged; only log what would change or be refused.
    Audit,
}

/// The decision about one create request.
#[derive(Debug, Serialize)]
pub struct Decision {
    /// The body to forward instead of the client's (`None`: forward it as sent).
    #[serde(skip)]
    pub body: Option<Value>,
    /// The changes made (or, in audit mode, that would be made), with the rule of each.
    pub changes: Vec<(&'static str, Change)>,
    /// One line per denial: rule, reason, how to waive.
    pub refusals: Vec<String>,
    /// The request is refused (enforce mode with denials).
    pub refused: bool,
    /// Lines for the create response's `Warnings` (warn mode: the denials; every mode: what
    /// was changed, so a client sees it).
    pub warnings: Vec<String>,
    #[serde(skip)]
    pub outcome: Outcome,
}

impl Decision {
    /// The message of a refusal, as the engine words an error (`{"message": …}`).
    pub fn refusal_message(&self) -> String {
        format!("harden: {}", self.refusals.join("; "))
    }
}

/// A waiver hint for the proxy's users: no `--allow` and no project file reach a proxy, only
/// the preset it runs with.
fn proxy_hint(line: &str) -> String {
    match line.split_once("; to allow it: --allow ") {
        Some((head, rest)) => match rest.split_once(", or in .harden.yaml: ") {
            Some((_, waiver)) => format!("{head}; to allow it, in the proxy's preset: {waiver}"),
            None => line.to_string(),
        },
        None => line.to_string(),
    }
}

/// Origins pointing into the create body (`HostConfig.CapAdd[1]`, `User`).
struct BodyOrigins<'a> {
    body: &'a Value,
}

impl OriginLookup for BodyOrigins<'_> {
    fn origin(&self, field: &str, value: Option<&str>) -> Origin {
        // A create body carries `Config`'s fields at its top level.
        let field = field.strip_prefix("Config.").unwrap_or(field);
        Origin::Inspect {
            path: locate(self.body, field, value),
        }
    }
}

/// Why a body cannot be judged (the engine would not accept it either).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BodyError(pub String);

/// Judges a canonical create body (field names as the engine's types spell them, duplicates
/// resolved: what the proxy's body reader gives). `name` is the `?name=` of the request,
/// `facts` what the image says about itself when the engine knows the image.
pub fn judge_create(
    body: &Value,
    name: Option<&str>,
    facts: Option<ImageFacts>,
    engine: Option<&crate::engine::facts::EngineFacts>,
    preset: &Preset,
    mode: Mode,
) -> Result<Decision, BodyError> {
    let typed: bollard::models::ContainerCreateBody =
        serde_json::from_value(body.clone()).map_err(|e| BodyError(e.to_string()))?;
    let mut spec = crate::spec::spec_from_create_body(&typed, &BodyOrigins { body });
    spec.name = name.map(str::to_string);
    if let Some(f) = facts {
        spec.image_facts = f;
    }
    let outcome = check::check(&spec, preset, &Scope::default());
    let image = typed.image.clone().unwrap_or_default();
    let refusals: Vec<String> = crate::session::run::denial_lines(&outcome, &image)
        .into_iter()
        .map(|l| proxy_hint(&l))
        .collect();
    let mut changes = outcome.changes();
    // The user the container will run as (for tmpfs ownership on an engine without `uid=`).
    let run_user = changes
        .iter()
        .rev()
        .find_map(|(_, c)| match c {
            Change::SetUser { user } => Some(user.clone()),
            _ => None,
        })
        .or_else(|| {
            body.get("User")
                .and_then(Value::as_str)
                .filter(|u| !u.is_empty())
                .map(str::to_string)
        });
    // The changes as the engine can take them (Podman's tmpfs options, limits a rootless
    // engine cannot apply), as `harden run` renders them.
    let mut left_out: Vec<String> = Vec::new();
    if let Some(ef) = engine {
        let mut adapted = Vec::with_capacity(changes.len());
        for (id, c) in changes {
            let mut one = vec![c];
            let a = crate::fix::engine::adapt_changes(&mut one, ef, run_user.as_deref());
            for why in a.left_out {
                if !left_out.contains(&why) {
                    left_out.push(why);
                }
            }
            adapted.extend(one.into_iter().map(|c| (id, c)));
        }
        changes = adapted;
    }
    let only: Vec<Change> = changes.iter().map(|(_, c)| c.clone()).collect();
    // One warning line for all the changes (the Docker CLI prints each as `WARNING: …`).
    let described: Vec<String> = (!changes.is_empty())
        .then(|| {
            let what: Vec<String> = changes.iter().map(|(_, c)| c.describe()).collect();
            format!("harden: hardened: {}", what.join("; "))
        })
        .into_iter()
        .collect();
    let (new_body, refused, warnings) = match mode {
        Mode::Audit => (None, false, Vec::new()),
        Mode::Enforce | Mode::Warn => {
            let refused = mode == Mode::Enforce && !refusals.is_empty();
            let new_body = (!refused && !only.is_empty()).then(|| {
                let mut b = body.clone();
                crate::fix::body::apply(&mut b, &only);
                if engine.is_some_and(|ef| !ef.tmpfs_takes_owner_options()) {
                    podman_tmpfs(&mut b, body, run_user.as_deref());
                }
                b
            });
            let mut warnings = described;
            warnings.extend(left_out.iter().map(|w| format!("harden: {w}")));
            if mode == Mode::Warn {
                warnings.extend(refusals.iter().map(|r| format!("harden: {r}")));
            }
            (new_body, refused, warnings)
        }
    };
    Ok(Decision {
        body: new_body,
        changes,
        refusals,
        refused,
        warnings,
        outcome,
    })
}

/// Rewrites the tmpfs options harden set (those that differ from the client's body) for an
/// engine whose tmpfs takes no `uid=`/`gid=` (Podman): `U` for the run user, else `mode=1777`.
fn podman_tmpfs(new: &mut Value, original: &Value, run_user: Option<&str>) {
    let given = original.pointer("/HostConfig/Tmpfs").cloned();
    let Some(Value::Object(tmpfs)) = new.pointer_mut("/HostConfig/Tmpfs") else {
        return;
    };
    for (path, opts) in tmpfs.iter_mut() {
        if given.as_ref().and_then(|g| g.get(path)) == Some(&*opts) {
            continue;
        }
        if let Some(o) = opts.as_str() {
            *opts = Value::String(crate::fix::engine::podman_tmpfs_options(o, run_user));
        }
    }
}

/// The decision about a request at a door other than container create: changes are described
/// in words (the body they apply to is not a container's).
#[derive(Debug, Default, Serialize)]
pub struct Judgement {
    /// The body to forward instead of the client's (`None`: as sent).
    #[serde(skip)]
    pub body: Option<Value>,
    /// What was changed (or, in audit mode, would be).
    pub changes: Vec<String>,
    /// One line per denial: rule, reason, how to waive.
    pub refusals: Vec<String>,
    /// The request is refused (enforce mode with denials).
    pub refused: bool,
    /// Lines for the answer's `Warnings`, where the answer has one.
    pub warnings: Vec<String>,
}

impl Judgement {
    /// The message of a refusal, as the engine words an error.
    pub fn refusal_message(&self) -> String {
        format!("harden: {}", self.refusals.join("; "))
    }

    /// Settles refusals and fixes by the mode: enforce refuses when there are refusals, warn
    /// turns them into warnings and keeps the fixed body, audit keeps nothing but the record.
    fn settle(mut self, mode: Mode) -> Judgement {
        match mode {
            Mode::Enforce => {
                self.refused = !self.refusals.is_empty();
                if self.refused {
                    self.body = None;
                }
            }
            Mode::Warn => {
                self.warnings
                    .extend(self.refusals.iter().map(|r| format!("harden: {r}")));
            }
            Mode::Audit => {
                self.body = None;
                self.warnings.clear();
            }
        }
        self
    }
}

/// One line per change, with its rule (`cap-drop-all: drop all capabilities`).
fn described(changes: &[(&'static str, Change)]) -> Vec<String> {
    changes
        .iter()
        .map(|(rule, c)| format!("{rule}: {}", c.describe()))
        .collect()
}

impl From<Decision> for Judgement {
    fn from(d: Decision) -> Judgement {
        Judgement {
            body: d.body,
            changes: described(&d.changes),
            refusals: d.refusals,
            refused: d.refused,
            warnings: d.warnings,
        }
    }
}

/// The denials the preset makes for a container that would have `body` (a create body built
/// from what another door grants: a Swarm task, a plugin's privileges, a volume's bind).
fn denials_for(body: &Value, preset: &Preset) -> Result<Vec<String>, BodyError> {
    Ok(judge_create(body, None, None, None, preset, Mode::Audit)?.refusals)
}

/// How to waive `rule` in the proxy's preset.
fn waiver_hint(rule: &str, image: &str) -> String {
    format!(
        "in the proxy's preset: waivers: [{{rules: [{rule}], images: [\"{}\"], reason: \"…\"}}]",
        crate::preset::repository(image)
    )
}

/// What a user string means: root when its user part is `root` or `0`.
fn is_root_user(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or("");
    name == "root" || name == "0"
}

/// `POST /containers/{id}/exec`: a privileged process, or a root one in a container the preset
/// runs as non-root. `image` is the container's image (for waivers), `name` its name.
pub fn judge_exec(
    body: &Value,
    image: &str,
    name: Option<&str>,
    preset: &Preset,
    mode: Mode,
) -> Judgement {
    let waived = |rule: &str| preset.waiver_for(rule, Some(image), name).is_some();
    let mut j = Judgement::default();
    let mut fixed = body.clone();
    if body.get("Privileged").and_then(Value::as_bool) == Some(true)
        && preset.action("privileged") == crate::rules::Action::Deny
        && !waived("privileged")
    {
        j.refusals.push(format!(
            "refused by privileged: exec --privileged gives the process every capability and every device; to allow it, {}",
            waiver_hint("privileged", image)
        ));
        if let Some(o) = fixed.as_object_mut() {
            o.remove("Privileged");
        }
        j.changes
            .push("privileged: run the process unprivileged".into());
    }
    if let Some(user) = body.get("User").and_then(Value::as_str)
        && is_root_user(user)
        && matches!(
            preset.action("non-root-user"),
            crate::rules::Action::Deny | crate::rules::Action::Fix
        )
        && !waived("non-root-user")
    {
        j.refusals.push(format!(
            "refused by non-root-user: exec as user {user:?} runs the process as root; to allow it, {}",
            waiver_hint("non-root-user", image)
        ));
        if let Some(o) = fixed.as_object_mut() {
            o.remove("User");
        }
        j.changes
            .push("non-root-user: run the process as the container's user".into());
    }
    if !j.changes.is_empty() {
        j.body = Some(fixed);
    }
    j.settle(mode)
}

/// `POST /containers/{id}/update`: a limit the preset sets (memory, CPU, pids) may be changed,
/// not removed (`PidsLimit` 0 or -1, a negative `CpuQuota`, `NanoCpus` or `Memory`).
pub fn judge_update(
    body: &Value,
    image: &str,
    name: Option<&str>,
    preset: &Preset,
    mode: Mode,
) -> Judgement {
    use crate::rules::Action;
    let mut j = Judgement::default();
    let mut fixed = body.clone();
    let int = |k: &str| body.get(k).and_then(Value::as_i64);
    let mut lift = |rule: &str, field: &str, what: String, replace: Option<i64>| {
        if !matches!(preset.action(rule), Action::Fix | Action::Deny)
            || preset.waiver_for(rule, Some(image), name).is_some()
        {
            return;
        }
        j.refusals.push(format!(
            "refused by {rule}: the update {what}; to allow it, {}",
            waiver_hint(rule, image)
        ));
        if let Some(o) = fixed.as_object_mut() {
            match replace {
                Some(v) => {
                    o.insert(field.into(), v.into());
                    j.changes.push(format!("{rule}: set {field} to {v}"));
                }
                None => {
                    o.remove(field);
                    j.changes.push(format!("{rule}: leave {field} as it is"));
                }
            }
        }
    };
    let s = &preset.settings;
    if body.get("PidsLimit").is_some_and(|v| !v.is_null())
        && int("PidsLimit").is_some_and(|p| p <= 0)
    {
        lift(
            "pids-limit",
            "PidsLimit",
            format!("removes the pids limit (PidsLimit {})", body["PidsLimit"]),
            Some(s.pids_limit),
        );
    }
    if int("Memory").is_some_and(|m| m < 0) {
        lift(
            "memory-limit",
            "Memory",
            "removes the memory limit".into(),
            None,
        );
    }
    if int("CpuQuota").is_some_and(|q| q < 0) {
        lift(
            "cpu-limit",
            "CpuQuota",
            "removes the CPU limit (CpuQuota -1)".into(),
            None,
        );
    }
    if int("NanoCpus").is_some_and(|q| q < 0) {
        lift(
            "cpu-limit",
            "NanoCpus",
            "removes the CPU limit".into(),
            None,
        );
    }
    if !j.changes.is_empty() {
        j.body = Some(fixed);
    }
    j.settle(mode)
}

/// `POST /services/create` and `/services/{id}/update`: the task's container, judged and fixed
/// as a container create (with the image's facts when the engine has the image), the fixes
/// written where a service carries them (`fix::service`) for an engine at `api_version`.
pub fn judge_service(
    body: &Value,
    facts: Option<ImageFacts>,
    api_version: &str,
    preset: &Preset,
    mode: Mode,
) -> Result<Judgement, BodyError> {
    let create = service_as_create(body);
    let d = judge_create(
        &create,
        body["Name"].as_str(),
        facts,
        None,
        preset,
        Mode::Audit,
    )?;
    let mut j = Judgement {
        changes: described(&d.changes),
        refusals: d.refusals,
        ..Judgement::default()
    };
    if mode != Mode::Audit && !d.changes.is_empty() {
        let only: Vec<Change> = d.changes.iter().map(|(_, c)| c.clone()).collect();
        let mut b = body.clone();
        let left_out = crate::fix::service::apply(&mut b, &only, api_version);
        let what: Vec<String> = only.iter().map(Change::describe).collect();
        j.warnings.push(format!(
            "harden: hardened the service's tasks: {}",
            what.join("; ")
        ));
        j.warnings
            .extend(left_out.iter().map(|l| format!("harden: not applied: {l}")));
        j.body = Some(b);
    }
    Ok(j.settle(mode))
}

/// The container a service's task would be, as a create body (what the rules read).
fn service_as_create(body: &Value) -> Value {
    let spec = &body["TaskTemplate"]["ContainerSpec"];
    let mut host = serde_json::Map::new();
    let mut create = serde_json::Map::new();
    if let Some(i) = spec.get("Image") {
        create.insert("Image".into(), i.clone());
    }
    if let Some(u) = spec.get("User") {
        create.insert("User".into(), u.clone());
    }
    if let Some(c) = spec.get("CapabilityAdd") {
        host.insert("CapAdd".into(), c.clone());
    }
    if let Some(c) = spec.get("CapabilityDrop") {
        host.insert("CapDrop".into(), c.clone());
    }
    if let Some(s) = spec.get("Sysctls") {
        host.insert("Sysctls".into(), s.clone());
    }
    if let Some(r) = spec.get("ReadOnly") {
        host.insert("ReadonlyRootfs".into(), r.clone());
    }
    let limits = &body["TaskTemplate"]["Resources"]["Limits"];
    for (from, to) in [
        ("MemoryBytes", "Memory"),
        ("NanoCPUs", "NanoCpus"),
        ("Pids", "PidsLimit"),
    ] {
        if let Some(v) = limits.get(from) {
            host.insert(to.into(), v.clone());
        }
    }
    if let Some(m) = spec.get("Mounts").and_then(Value::as_array) {
        let mounts: Vec<Value> = m
            .iter()
            .map(|m| {
                let mut out = serde_json::Map::new();
                for k in ["Type", "Source", "Target", "ReadOnly", "TmpfsOptions"] {
                    if let Some(v) = m.get(k) {
                        out.insert(k.into(), v.clone());
                    }
                }
                if let Some(p) = m.pointer("/BindOptions/Propagation") {
                    out.insert("BindOptions".into(), serde_json::json!({"Propagation": p}));
                }
                Value::Object(out)
            })
            .collect();
        host.insert("Mounts".into(), mounts.into());
    }
    let mut secopt = Vec::new();
    let p = &spec["Privileges"];
    if p.pointer("/Seccomp/Mode").and_then(Value::as_str) == Some("unconfined") {
        secopt.push("seccomp=unconfined");
    }
    if p.pointer("/AppArmor/Mode").and_then(Value::as_str) == Some("disabled") {
        secopt.push("apparmor=unconfined");
    }
    if p.pointer("/SELinuxContext/Disable")
        .and_then(Value::as_bool)
        == Some(true)
    {
        secopt.push("label=disable");
    }
    if p.get("NoNewPrivileges").and_then(Value::as_bool) == Some(true) {
        secopt.push("no-new-privileges");
    }
    if !secopt.is_empty() {
        host.insert("SecurityOpt".into(), secopt.into());
    }
    let networks = body["TaskTemplate"]["Networks"]
        .as_array()
        .into_iter()
        .chain(body["Networks"].as_array())
        .flatten();
    for n in networks {
        if n.get("Target").and_then(Value::as_str) == Some("host") {
            host.insert("NetworkMode".into(), "host".into());
        }
    }
    create.insert("HostConfig".into(), Value::Object(host));
    Value::Object(create)
}

/// `POST /plugins/pull` and `/plugins/{name}/upgrade`: the privileges the client accepted for
/// the plugin (`[{"Name": "network", "Value": ["host"]}, …]`), judged as the container they
/// amount to. `remote` is the plugin's reference (for waivers).
pub fn judge_plugin_privileges(
    body: &Value,
    remote: &str,
    preset: &Preset,
    mode: Mode,
) -> Result<Judgement, BodyError> {
    let mut host = serde_json::Map::new();
    let (mut binds, mut devices, mut caps) = (Vec::new(), Vec::new(), Vec::new());
    for p in body.as_array().into_iter().flatten() {
        let name = p.get("Name").and_then(Value::as_str).unwrap_or("");
        let values: Vec<&str> = p
            .get("Value")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        match name {
            "network" if values.contains(&"host") => {
                host.insert("NetworkMode".into(), "host".into());
            }
            "host pid" => {
                host.insert("PidMode".into(), "host".into());
            }
            "host ipc" => {
                host.insert("IpcMode".into(), "host".into());
            }
            "allow-all-devices" => {
                host.insert("Privileged".into(), true.into());
            }
            "mount" => binds.extend(values.iter().map(|v| Value::from(format!("{v}:{v}")))),
            "device" => devices.extend(values.iter().map(
                |v| serde_json::json!({"PathOnHost": v, "PathInContainer": v, "CgroupPermissions": "rwm"}),
            )),
            "capabilities" => caps.extend(values.iter().map(|v| Value::from(*v))),
            _ => {}
        }
    }
    if !binds.is_empty() {
        host.insert("Binds".into(), binds.into());
    }
    if !devices.is_empty() {
        host.insert("Devices".into(), devices.into());
    }
    if !caps.is_empty() {
        host.insert("CapAdd".into(), caps.into());
    }
    let create = serde_json::json!({"Image": remote, "HostConfig": host});
    let refusals = denials_for(&create, preset)?
        .into_iter()
        .map(|r| format!("plugin {remote}: {r}"))
        .collect();
    Ok(Judgement {
        refusals,
        ..Judgement::default()
    }
    .settle(mode))
}

/// `POST /volumes/create`: the `local` driver's `o=bind` is a bind mount of `device`.
pub fn judge_volume(body: &Value, preset: &Preset, mode: Mode) -> Result<Judgement, BodyError> {
    let driver = body
        .get("Driver")
        .and_then(Value::as_str)
        .unwrap_or("local");
    let opts = &body["DriverOpts"];
    let bind = opts
        .get("o")
        .and_then(Value::as_str)
        .is_some_and(|o| o.split(',').any(|x| x == "bind" || x == "rbind"));
    let device = opts.get("device").and_then(Value::as_str);
    let (true, true, Some(device)) = (driver == "local" || driver.is_empty(), bind, device) else {
        return Ok(Judgement::default().settle(mode));
    };
    let create =
        serde_json::json!({"Image": "", "HostConfig": {"Binds": [format!("{device}:/volume")]}});
    let refusals = denials_for(&create, preset)?
        .into_iter()
        .map(|r| format!("volume binds {device}: {r}"))
        .collect();
    Ok(Judgement {
        refusals,
        ..Judgement::default()
    }
    .settle(mode))
}

/// `POST /build` (classic builder): the build's containers get `networkmode` and
/// `cgroupparent` from the query.
pub fn judge_build(
    params: &[(String, String)],
    preset: &Preset,
    mode: Mode,
) -> Result<Judgement, BodyError> {
    let mut host = serde_json::Map::new();
    for (k, v) in params {
        match k.as_str() {
            "networkmode" if !v.is_empty() && v != "default" => {
                host.insert("NetworkMode".into(), v.as_str().into());
            }
            "cgroupparent" if !v.is_empty() => {
                host.insert("CgroupParent".into(), v.as_str().into());
            }
            _ => {}
        }
    }
    if host.is_empty() {
        return Ok(Judgement::default().settle(mode));
    }
    let create = serde_json::json!({"Image": "", "HostConfig": host});
    let refusals = denials_for(&create, preset)?
        .into_iter()
        .map(|r| format!("build: {r}"))
        .collect();
    Ok(Judgement {
        refusals,
        ..Judgement::default()
    }
    .settle(mode))
}

/// A BuildKit solve (`docker build` through buildx): its entitlements are what the build's
/// steps get beyond a default container, so each is judged as the container setting it
/// grants: `network.host` as `--network host`, `security.insecure` as `--privileged`. An
/// entitlement harden does not know is refused (fail-closed: newer BuildKits add grants).
pub fn judge_solve(
    entitlements: &[String],
    preset: &Preset,
    mode: Mode,
) -> Result<Judgement, BodyError> {
    let mut host = serde_json::Map::new();
    let mut refusals = Vec::new();
    for e in entitlements {
        match e.as_str() {
            "network.host" => {
                host.insert("NetworkMode".into(), "host".into());
            }
            "security.insecure" => {
                host.insert("Privileged".into(), true.into());
            }
            other => refusals.push(format!(
                "build: the BuildKit entitlement {other:?} grants the build's steps what harden cannot judge"
            )),
        }
    }
    if !host.is_empty() {
        let create = serde_json::json!({"Image": "", "HostConfig": host});
        refusals.extend(
            denials_for(&create, preset)?
                .into_iter()
                .map(|r| format!("build: {r}")),
        );
    }
    Ok(Judgement {
        refusals,
        ..Judgement::default()
    }
    .settle(mode))
}

/// A door the proxy cannot judge by its content and that grants what create refuses
/// (`reason` says why): refused in enforce mode, a warning in warn mode, logged in audit.
pub fn judge_unreviewable(reason: &str, mode: Mode) -> Judgement {
    Judgement {
        refusals: vec![reason.to_string()],
        ..Judgement::default()
    }
    .settle(mode)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn preset() -> Preset {
        Preset::builtin("default").unwrap()
    }

    #[test]
    fn enforce_hardens_and_refuses() {
        let body = json!({"Image": "busybox", "Cmd": ["true"]});
        let d = judge_create(&body, Some("x"), None, None, &preset(), Mode::Enforce).unwrap();
        assert!(!d.refused);
        let b = d.body.unwrap();
        assert_eq!(b["HostConfig"]["CapDrop"], json!(["ALL"]));
        assert_eq!(b["User"], "65534:65534");
        assert_eq!(b["Cmd"], json!(["true"]));
        assert!(
            d.warnings
                .iter()
                .any(|w| w.contains("drop all capabilities"))
        );

        let body = json!({"Image": "busybox", "HostConfig": {"Privileged": true}});
        let d = judge_create(&body, None, None, None, &preset(), Mode::Enforce).unwrap();
        assert!(d.refused);
        assert!(d.body.is_none());
        assert!(
            d.refusal_message()
                .starts_with("harden: refused by privileged"),
            "{}",
            d.refusal_message()
        );
    }

    #[test]
    fn podman_gets_its_own_tmpfs_options_and_a_client_tmpfs_is_kept() {
        let podman = crate::engine::facts::EngineFacts::from_documents(
            &json!({"CpuCfsQuota": true, "CgroupVersion": "2"}),
            &json!({"Version": "4.3.1", "ApiVersion": "1.41",
                "Components": [{"Name": "Podman Engine", "Version": "4.3.1"}]}),
            &Value::Null,
        );
        assert!(!podman.tmpfs_takes_owner_options());
        let body = json!({"Image": "busybox", "HostConfig": {"Tmpfs": {"/cache": "size=1m"}}});
        let d = judge_create(&body, None, None, Some(&podman), &preset(), Mode::Enforce).unwrap();
        let b = d.body.unwrap();
        let tmpfs = b["HostConfig"]["Tmpfs"].as_object().unwrap();
        for path in ["/tmp", "/run"] {
            let o = tmpfs[path].as_str().unwrap();
            assert!(o.split(',').any(|x| x == "U"), "{path}: {o}");
            assert!(!o.contains("uid="), "{path}: {o}");
        }
        // The same body for Docker keeps uid=/gid=.
        let d = judge_create(&body, None, None, None, &preset(), Mode::Enforce).unwrap();
        let b = d.body.unwrap();
        assert!(
            b["HostConfig"]["Tmpfs"]["/tmp"]
                .as_str()
                .unwrap()
                .contains("uid=65534")
        );
    }

    #[test]
    fn warn_never_refuses_and_audit_never_changes() {
        let body = json!({"Image": "busybox", "HostConfig": {"Privileged": true}});
        let d = judge_create(&body, None, None, None, &preset(), Mode::Warn).unwrap();
        assert!(!d.refused);
        assert!(d.body.is_some());
        assert!(
            d.warnings
                .iter()
                .any(|w| w.contains("refused by privileged"))
        );
        let d = judge_create(&body, None, None, None, &preset(), Mode::Audit).unwrap();
        assert!(!d.refused && d.body.is_none() && d.warnings.is_empty());
        assert!(!d.changes.is_empty() && !d.refusals.is_empty());
    }

    #[test]
    fn a_body_the_engine_would_refuse_is_an_error() {
        let body = json!({"Image": "busybox", "HostConfig": {"Privileged": "yes"}});
        assert!(judge_create(&body, None, None, None, &preset(), Mode::Enforce).is_err());
    }

    #[test]
    fn findings_point_into_the_body() {
        let body = json!({"Image": "busybox", "HostConfig": {"CapAdd": ["CHOWN", "SYS_ADMIN"]}});
        let d = judge_create(&body, None, None, None, &preset(), Mode::Audit).unwrap();
        let f = d
            .outcome
            .findings
            .iter()
            .find(|f| f.finding.rule == "dangerous-capability")
            .unwrap();
        assert_eq!(
            f.finding.origin,
            Origin::Inspect {
                path: "HostConfig.CapAdd[1]".into()
            }
        );
    }

    #[test]
    fn exec_privileged_or_root_is_refused_and_fixed_in_warn() {
        let p = preset();
        let body = json!({"Cmd": ["sh"], "Privileged": true, "User": "0:0"});
        let j = judge_exec(&body, "busybox", Some("c"), &p, Mode::Enforce);
        assert!(j.refused);
        assert_eq!(j.refusals.len(), 2);
        assert!(j.refusal_message().contains("refused by privileged"));
        let j = judge_exec(&body, "busybox", Some("c"), &p, Mode::Warn);
        assert!(!j.refused);
        let b = j.body.unwrap();
        assert!(b.get("Privileged").is_none() && b.get("User").is_none());
        let j = judge_exec(&body, "busybox", Some("c"), &p, Mode::Audit);
        assert!(!j.refused && j.body.is_none() && j.refusals.len() == 2);
        let fine = json!({"Cmd": ["sh"], "User": "1000"});
        let j = judge_exec(&fine, "busybox", None, &p, Mode::Enforce);
        assert!(!j.refused && j.refusals.is_empty());
    }

    #[test]
    fn update_may_change_limits_not_remove_them() {
        let p = preset();
        for body in [
            json!({"PidsLimit": -1}),
            json!({"PidsLimit": 0}),
            json!({"CpuQuota": -1}),
        ] {
            let j = judge_update(&body, "busybox", None, &p, Mode::Enforce);
            assert!(j.refused, "{body}");
        }
        let j = judge_update(&json!({"PidsLimit": -1}), "busybox", None, &p, Mode::Warn);
        assert_eq!(j.body.unwrap()["PidsLimit"], 256);
        for body in [
            json!({"PidsLimit": 500, "Memory": 1 << 30}),
            json!({"PidsLimit": null}),
            json!({"RestartPolicy": {"Name": "always"}}),
        ] {
            let j = judge_update(&body, "busybox", None, &p, Mode::Enforce);
            assert!(!j.refused, "{body}");
        }
    }

    #[test]
    fn services_plugins_volumes_and_builds_are_judged_as_containers() {
        let p = preset();
        let sock = json!({"Name": "s", "TaskTemplate": {"ContainerSpec": {"Image": "busybox",
            "Mounts": [{"Type": "bind", "Source": "/var/run/docker.sock", "Target": "/s"}]}}});
        let service = |b: &Value, mode| judge_service(b, None, "1.41", &p, mode).unwrap();
        let j = service(&sock, Mode::Enforce);
        assert!(j.refused, "{:?}", j.refusals);
        let caps = json!({"TaskTemplate": {"ContainerSpec": {"Image": "busybox",
            "CapabilityAdd": ["CAP_SYS_ADMIN"]}}});
        assert!(service(&caps, Mode::Enforce).refused);
        let w = service(&caps, Mode::Warn);
        assert!(!w.refused && !w.warnings.is_empty());
        // A plain service is forwarded hardened: the task's container as `harden run` makes
        // it, written where a service carries it.
        let plain = json!({"Name": "web", "TaskTemplate": {"ContainerSpec": {"Image": "busybox"}}});
        let j = service(&plain, Mode::Enforce);
        assert!(!j.refused);
        let b = j.body.expect("a hardened spec");
        let spec = &b["TaskTemplate"]["ContainerSpec"];
        assert_eq!(spec["CapabilityDrop"], json!(["ALL"]));
        assert_eq!(spec["ReadOnly"], true);
        assert_eq!(spec["User"], "65534:65534");
        assert!(b["TaskTemplate"]["Resources"]["Limits"]["MemoryBytes"].as_i64() > Some(0));
        assert!(b["TaskTemplate"]["Resources"]["Limits"]["Pids"].as_i64() > Some(0));
        assert!(
            j.warnings
                .iter()
                .any(|w| w.contains("not applied") && w.contains("no-new-privileges")),
            "{:?}",
            j.warnings
        );
        // Judged again, the hardened spec needs nothing more a service can carry.
        let again = service(&b, Mode::Enforce);
        let again_body = again.body.unwrap_or_else(|| b.clone());
        assert_eq!(again_body, b, "{:?}", again.changes);
        // Audit: recorded, not changed.
        let a = service(&plain, Mode::Audit);
        assert!(a.body.is_none() && !a.changes.is_empty());

        let privs = json!([{"Name": "network", "Value": ["host"]},
            {"Name": "capabilities", "Value": ["CAP_SYS_ADMIN"]}]);
        let j = judge_plugin_privileges(&privs, "vieux/sshfs", &p, Mode::Enforce).unwrap();
        assert!(j.refused);
        assert!(j.refusals[0].starts_with("plugin vieux/sshfs: "));
        assert!(
            !judge_plugin_privileges(&json!([]), "x", &p, Mode::Enforce)
                .unwrap()
                .refused
        );

        let bind =
            json!({"Name": "v", "DriverOpts": {"type": "none", "o": "bind", "device": "/var/run"}});
        assert!(judge_volume(&bind, &p, Mode::Enforce).unwrap().refused);
        let plain = json!({"Name": "v"});
        assert!(!judge_volume(&plain, &p, Mode::Enforce).unwrap().refused);

        let host = vec![("networkmode".to_string(), "host".to_string())];
        assert!(judge_build(&host, &p, Mode::Enforce).unwrap().refused);
        assert!(!judge_build(&[], &p, Mode::Enforce).unwrap().refused);
    }
}
