//! Who decides the policy: layers, strongest first, applied weakest last.
//!
//! 1. the machine policy (`/etc/harden/policy.yaml`; `HARDEN_POLICY` names another file);
//! 2. the user's file (`$XDG_CONFIG_HOME/harden/config.yaml`, default
//!    `~/.config/harden/config.yaml`);
//! 3. the project: `.harden.yaml` found from the working directory upward (and, for Compose,
//!    the files' own waivers);
//! 4. the command line: a preset chosen with `--preset` / `HARDEN_PRESET` (instead of the
//!    project file), and `--allow`.
//!
//! Each layer is in the preset format. The built-in default is the base; a layer's file without
//! `extends` builds on the layers above it, a file with `extends` applies its chain first (never
//! the built-in default again). A later layer overrides an earlier one, except for rules an
//! earlier layer `locked:`: those may not be turned down (deny → fix/warn/off, fix → warn/off) or
//! waived by a weaker layer, which is an error naming both files and lines. What the project
//! layer weakens (a deny rule turned down or waived, capabilities allowed back) is recorded, so
//! that it can be reported and, for commands that run containers, trusted first.

use super::file::PresetFile;
use super::{Preset, Source, discover, source_for};
use crate::rules::{self, Action};
use std::path::{Path, PathBuf};

/// Which layer a policy file is.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Layer {
    /// The built-in default every policy starts from.
    Builtin,
    Machine,
    User,
    Project,
    CommandLine,
}

impl Layer {
    pub fn word(self) -> &'static str {
        match self {
            Layer::Builtin => "built in",
            Layer::Machine => "machine policy",
            Layer::User => "user policy",
            Layer::Project => "project policy",
            Layer::CommandLine => "command line",
        }
    }
}

/// One file (or built-in preset) the policy was built from.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PolicySource {
    pub layer: Layer,
    /// The path, or `presets/NAME.yaml` for a built-in.
    pub label: String,
}

/// A lock: rules (an id or a glob) a layer keeps from weaker layers.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Lock {
    pub pattern: String,
    /// `file:line`.
    pub declared_in: String,
    pub layer: Layer,
}

impl Lock {
    pub fn covers(&self, rule: &str) -> bool {
        wildmatch::WildMatch::new(&self.pattern).matches(rule)
    }
}

/// Something a project policy weakens.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Weakening {
    pub file: String,
    pub line: usize,
    pub rule: String,
    /// `turns privileged from deny to off`, `waives docker-socket`, …
    pub what: String,
}

/// The policy in effect.
#[derive(Clone, Debug)]
pub struct Policy {
    pub preset: Preset,
    /// Strongest first.
    pub sources: Vec<PolicySource>,
    pub weakenings: Vec<Weakening>,
    /// The project file (`.harden.yaml`) in effect, when one is.
    pub project_file: Option<PathBuf>,
}

/// How a command asks for its policy.
pub struct PolicyRequest<'a> {
    /// `--preset NAME|PATH`.
    pub preset_flag: Option<&'a str>,
    /// `--allow RULE` (checked: known rules only, and not locked).
    pub allow: &'a [String],
    pub cwd: &'a Path,
    /// The environment (`HARDEN_POLICY`, `HARDEN_PRESET`, `XDG_CONFIG_HOME`, `HOME`).
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// Read the user's and the project's files (false for `audit` and the proxy, which never
    /// read a client's working directory).
    pub project: bool,
}

fn rank(a: Action) -> u8 {
    match a {
        Action::Off => 0,
        Action::Warn => 1,
        Action::Fix => 2,
        Action::Deny => 3,
    }
}

/// The machine policy's path (`HARDEN_POLICY`, else `/etc/harden/policy.yaml` when it exists).
pub fn machine_policy_path(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    match env("HARDEN_POLICY").filter(|p| !p.is_empty()) {
        Some(p) => Some(PathBuf::from(p)),
        None => {
            let p = PathBuf::from("/etc/harden/policy.yaml");
            p.is_file().then_some(p)
        }
    }
}

/// The user's policy file, when it exists.
pub fn user_policy_path(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let base = env("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    let p = base.join("harden").join("config.yaml");
    p.is_file().then_some(p)
}

/// The files of a source's `extends` chain, base first, without the built-in default (the
/// base every policy starts from).
fn chain(src: &Source, seen: &mut Vec<Source>) -> Result<Vec<PresetFile>, super::PresetError> {
    if seen.contains(src) {
        let mut c: Vec<String> = seen.iter().map(Source::label).collect();
        c.push(src.label());
        return Err(super::PresetError::Cycle(c.join(" -> ")));
    }
    seen.push(src.clone());
    if *src == Source::Builtin("default".into()) {
        return Ok(Vec::new());
    }
    let (label, text, base_dir) = super::source_text(src)?;
    let parsed = PresetFile::parse(&label, &text)?;
    let mut out = match &parsed.extends {
        Some(e) => chain(&source_for(e, &base_dir), seen)?,
        None => Vec::new(),
    };
    out.push(parsed);
    Ok(out)
}

/// Applies one policy file of `layer`, checking the locks of stronger layers and recording
/// what a project file weakens.
fn apply_checked(
    preset: &mut Preset,
    file: &PresetFile,
    layer: Layer,
    weakenings: &mut Vec<Weakening>,
) -> Result<(), super::PresetError> {
    let stronger_lock = |preset: &Preset, rule: &str| -> Option<Lock> {
        preset
            .locks
            .iter()
            .find(|l| l.layer < layer && l.covers(rule))
            .cloned()
    };
    let record = layer == Layer::Project;
    // In the file's order, so that the first attempt named is the first written.
    let mut rules_in_order: Vec<(&String, &Action)> = file.rules.iter().collect();
    rules_in_order.sort_by_key(|(id, _)| file.line_of(id));
    for (id, action) in rules_in_order {
        let before = preset.action(id);
        if rank(*action) < rank(before) {
            let what = format!("it turns `{id}` from {before} to {action}");
            if let Some(l) = stronger_lock(preset, id) {
                return Err(super::PresetError::Locked {
                    file: file.label().to_string(),
                    line: file.line_of(id),
                    rule: id.clone(),
                    what,
                    lock: l.declared_in,
                });
            }
            if record && before == Action::Deny {
                weakenings.push(Weakening {
                    file: file.label().to_string(),
                    line: file.line_of(id),
                    rule: id.clone(),
                    what: format!("turns {id} from deny to {action}"),
                });
            }
        }
    }
    for w in &file.waivers {
        for id in &w.rules {
            if let Some(l) = stronger_lock(preset, id) {
                return Err(super::PresetError::Locked {
                    file: file.label().to_string(),
                    line: file.line_of(id),
                    rule: id.clone(),
                    what: format!("it waives `{id}`"),
                    lock: l.declared_in,
                });
            }
            let action = file
                .rules
                .get(id)
                .copied()
                .unwrap_or_else(|| preset.action(id));
            if record && (action == Action::Deny || preset.action(id) == Action::Deny) {
                let scope = if w.images.is_empty() {
                    "for every image".to_string()
                } else {
                    format!("for {}", w.images.join(", "))
                };
                weakenings.push(Weakening {
                    file: file.label().to_string(),
                    line: file.line_of(id),
                    rule: id.clone(),
                    what: format!("waives {id} {scope}"),
                });
            }
        }
    }
    if let Some(caps) = &file.allowed_capabilities {
        let added: Vec<String> = caps
            .iter()
            .map(|c| crate::spec::normalize_capability(c))
            .filter(|c| !preset.settings.allowed_capabilities.contains(c))
            .collect();
        if !added.is_empty() {
            let what = format!("it allows {} to be added", added.join(", "));
            if let Some(l) = stronger_lock(preset, "dangerous-capability") {
                return Err(super::PresetError::Locked {
                    file: file.label().to_string(),
                    line: file.line_of("allowed_capabilities"),
                    rule: "dangerous-capability".into(),
                    what,
                    lock: l.declared_in,
                });
            }
            if record {
                weakenings.push(Weakening {
                    file: file.label().to_string(),
                    line: file.line_of("allowed_capabilities"),
                    rule: "dangerous-capability".into(),
                    what: format!("allows {} to be added back", added.join(", ")),
                });
            }
        }
    }
    file.apply_to(preset)?;
    for l in &file.locked {
        preset.locks.push(Lock {
            pattern: l.clone(),
            declared_in: format!("{}:{}", file.label(), file.line_of(l)),
            layer,
        });
    }
    Ok(())
}

/// Builds the policy in effect.
pub fn load_policy(req: &PolicyRequest<'_>) -> Result<Policy, super::PresetError> {
    let mut preset = Preset::builtin("default")?;
    let mut sources = vec![];
    let mut weakenings = Vec::new();
    let mut project_file = None;
    let mut layers: Vec<(Layer, Source)> = Vec::new();
    if let Some(p) = machine_policy_path(req.env) {
        if !p.is_file() {
            return Err(super::PresetError::Other(format!(
                "HARDEN_POLICY names {}, which is not a file",
                p.display()
            )));
        }
        layers.push((Layer::Machine, Source::File(p)));
    }
    if req.project
        && let Some(p) = user_policy_path(req.env)
    {
        layers.push((Layer::User, Source::File(p)));
    }
    // A preset chosen on purpose (`--preset`, `HARDEN_PRESET`) is the command line's; a
    // `.harden.yaml` found upward is the project's (reported, and trusted before it runs).
    match req.preset_flag.filter(|f| !f.is_empty()) {
        Some(f) => layers.push((Layer::CommandLine, source_for(f, req.cwd))),
        None if req.project => match (req.env)("HARDEN_PRESET").filter(|e| !e.is_empty()) {
            Some(e) => layers.push((Layer::CommandLine, source_for(&e, req.cwd))),
            None => {
                if let Some(p) = discover(req.cwd) {
                    project_file = Some(p.clone());
                    layers.push((Layer::Project, Source::File(p)));
                }
            }
        },
        None => {}
    }
    let mut names = vec!["default".to_string()];
    for (layer, src) in &layers {
        for f in chain(src, &mut Vec::new())? {
            sources.push(PolicySource {
                layer: *layer,
                label: f.label().to_string(),
            });
            apply_checked(&mut preset, &f, *layer, &mut weakenings)?;
        }
        names.push(src.label());
    }
    preset.name = layers
        .last()
        .map(|(_, s)| s.label())
        .unwrap_or_else(|| "default".into());
    preset.chain = names;
    // The command line: `--allow` names real rules and no locked one.
    for a in req.allow {
        if rules::find(a).is_none() {
            return Err(super::PresetError::Other(format!(
                "--allow {a}: {}",
                super::file::unknown_rule_message(a)
            )));
        }
        if let Some(l) = preset.locks.iter().find(|l| l.covers(a)) {
            return Err(super::PresetError::Other(format!(
                "--allow {a}: `{a}` is locked by {} ({}); it cannot be waived from the command \
                 line",
                l.declared_in,
                l.layer.word()
            )));
        }
    }
    sources.insert(
        0,
        PolicySource {
            layer: Layer::Builtin,
            label: "presets/default.yaml".into(),
        },
    );
    Ok(Policy {
        preset,
        sources,
        weakenings,
        project_file,
    })
}

/// The lock that keeps `rule` from being waived by a project's own files (Compose `x-harden`,
/// `# harden: ignore`), if any.
pub fn lock_for<'p>(preset: &'p Preset, rule: &str) -> Option<&'p Lock> {
    preset.locks.iter().find(|l| l.covers(rule))
}

// ------------------------------------------------------------------------------------------
// Trust
// ------------------------------------------------------------------------------------------

/// Where trusted project files are recorded (`$XDG_STATE_HOME/harden/trusted.json`, default
/// `~/.local/state/harden/trusted.json`).
pub fn trust_store(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let base = env("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(".local").join("state")))?;
    Some(base.join("harden").join("trusted.json"))
}

fn digest(text: &[u8]) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(text);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

fn key_of(file: &Path) -> String {
    std::fs::canonicalize(file)
        .unwrap_or_else(|_| file.to_path_buf())
        .display()
        .to_string()
}

fn read_store(store: &Path) -> serde_json::Map<String, serde_json::Value> {
    std::fs::read(store)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default()
}

/// Whether the current content of `file` was trusted.
pub fn is_trusted(file: &Path, env: &dyn Fn(&str) -> Option<String>) -> bool {
    let (Some(store), Ok(text)) = (trust_store(env), std::fs::read(file)) else {
        return false;
    };
    read_store(&store)
        .get(&key_of(file))
        .and_then(|v| v.as_str())
        == Some(digest(&text).as_str())
}

/// Records the current content of `file` as trusted.
pub fn trust(file: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<PathBuf, String> {
    let store = trust_store(env).ok_or("no state directory: set XDG_STATE_HOME or HOME")?;
    let text = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut map = read_store(&store);
    map.insert(key_of(file), serde_json::Value::String(digest(&text)));
    if let Some(dir) = store.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let body =
        serde_json::to_string_pretty(&serde_json::Value::Object(map)).map_err(|e| e.to_string())?;
    let tmp = store.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, body).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, &store).map_err(|e| format!("{}: {e}", store.display()))?;
    Ok(store)
}

impl Policy {
    /// The reason to refuse running anything: the project file weakens the policy and its
    /// current content was not trusted (`None` when there is nothing to refuse).
    pub fn untrusted(
        &self,
        env: &dyn Fn(&str) -> Option<String>,
        trust_flag: bool,
    ) -> Option<String> {
        if self.weakenings.is_empty() || trust_flag {
            return None;
        }
        if env("HARDEN_TRUST_PROJECT").is_some_and(|v| v == "1" || v == "true") {
            return None;
        }
        let file = self.project_file.as_ref()?;
        if is_trusted(file, env) {
            return None;
        }
        let list: Vec<String> = self
            .weakenings
            .iter()
            .map(|w| format!("{} (line {})", w.what, w.line))
            .collect();
        Some(format!(
            "{} weakens the policy: {}; nobody has trusted this file as it is now: review it, \
             then `harden trust {}` (or --trust-project / HARDEN_TRUST_PROJECT=1 for one command)",
            file.display(),
            list.join("; "),
            file.display()
        ))
    }

    /// One line for summaries: which file switched off what.
    pub fn weakened_summary(&self) -> Option<String> {
        if self.weakenings.is_empty() {
            return None;
        }
        let mut by_file: Vec<(String, Vec<String>)> = Vec::new();
        for w in &self.weakenings {
            match by_file.iter_mut().find(|(f, _)| *f == w.file) {
                Some((_, v)) => v.push(w.what.clone()),
                None => by_file.push((w.file.clone(), vec![w.what.clone()])),
            }
        }
        Some(
            by_file
                .into_iter()
                .map(|(f, v)| format!("{f} {}", v.join(", ")))
                .collect::<Vec<_>>()
                .join("; "),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: Vec<(&'static str, String)>) -> impl Fn(&str) -> Option<String> {
        move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
    }

    #[test]
    fn layers_locks_and_weakenings() {
        let d = tempfile::tempdir().unwrap();
        let machine = d.path().join("policy.yaml");
        std::fs::write(
            &machine,
            "memory: 1g\nrules:\n  host-devices: deny\nlocked: [\"host-*\", privileged]\nwaivers:\n  - rules: [privileged]\n    images: [\"docker:*dind*\"]\n    reason: CI builds images\n",
        )
        .unwrap();
        let proj = d.path().join("p");
        std::fs::create_dir(&proj).unwrap();
        let env = env_of(vec![
            ("HARDEN_POLICY", machine.display().to_string()),
            ("HOME", d.path().display().to_string()),
        ]);
        let req = |allow: &'static [String]| PolicyRequest {
            preset_flag: None,
            allow,
            cwd: &proj,
            env: &env,
            project: true,
        };
        // No project file: the machine policy over the default.
        let p = load_policy(&req(&[])).unwrap();
        assert_eq!(p.preset.settings.memory, 1 << 30);
        assert_eq!(p.preset.action("host-devices"), Action::Deny);
        // The lock's own waiver still applies.
        assert!(
            p.preset
                .waiver_for("privileged", Some("docker:27-dind"), None)
                .is_some()
        );
        // A project file: overrides what is not locked, reports what it weakens.
        std::fs::write(
            proj.join(".harden.yaml"),
            "memory: 2g\nrules:\n  docker-socket: \"off\"\n",
        )
        .unwrap();
        let p = load_policy(&req(&[])).unwrap();
        assert_eq!(p.preset.settings.memory, 2 << 30);
        assert_eq!(p.weakenings.len(), 1);
        assert_eq!(p.weakenings[0].line, 3);
        assert!(p.weakened_summary().unwrap().contains("docker-socket"));
        // Turning a locked rule down names both files.
        std::fs::write(proj.join(".harden.yaml"), "rules:\n  host-network: warn\n").unwrap();
        let e = load_policy(&req(&[])).unwrap_err().to_string();
        assert!(
            e.contains(".harden.yaml:2") && e.contains("policy.yaml:4"),
            "{e}"
        );
        std::fs::write(
            proj.join(".harden.yaml"),
            "waivers:\n  - rules: [privileged]\n    reason: x\n",
        )
        .unwrap();
        let e = load_policy(&req(&[])).unwrap_err().to_string();
        assert!(
            e.contains("waives `privileged`") && e.contains("locked"),
            "{e}"
        );
        // `--allow` of a locked rule, and of an unknown one.
        std::fs::remove_file(proj.join(".harden.yaml")).unwrap();
        static ALLOW: std::sync::LazyLock<Vec<String>> =
            std::sync::LazyLock::new(|| vec!["host-pid".to_string()]);
        assert!(
            load_policy(&req(&ALLOW))
                .unwrap_err()
                .to_string()
                .contains("locked")
        );
        static TYPO: std::sync::LazyLock<Vec<String>> =
            std::sync::LazyLock::new(|| vec!["privilegd".to_string()]);
        assert!(
            load_policy(&req(&TYPO))
                .unwrap_err()
                .to_string()
                .contains("did you mean")
        );
    }

    #[test]
    fn trust_follows_the_content() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join(".harden.yaml");
        std::fs::write(&f, "rules:\n  privileged: \"off\"\n").unwrap();
        let env = env_of(vec![(
            "XDG_STATE_HOME",
            d.path().join("state").display().to_string(),
        )]);
        let req = PolicyRequest {
            preset_flag: None,
            allow: &[],
            cwd: d.path(),
            env: &env,
            project: true,
        };
        let p = load_policy(&req).unwrap();
        assert!(p.untrusted(&env, false).is_some());
        assert!(p.untrusted(&env, true).is_none());
        trust(&f, &env).unwrap();
        assert!(p.untrusted(&env, false).is_none());
        std::fs::write(
            &f,
            "rules:\n  privileged: \"off\"\n  docker-socket: \"off\"\n",
        )
        .unwrap();
        let p = load_policy(&req).unwrap();
        assert!(p.untrusted(&env, false).is_some(), "changed: trust again");
    }
}
