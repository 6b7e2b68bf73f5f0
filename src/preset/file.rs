//! The preset file format: parsing, validation with file/line errors, merging.

use super::{ImageProfile, Preset, ProfilePath, ProfileTmpfs, Settings, Waiver};
use crate::parse::units;
use crate::rules::{self, Action};
use crate::spec::normalize_capability;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Preset files larger than this are refused (a preset is a few dozen lines).
const MAX_PRESET_BYTES: u64 = 1 << 20;

#[derive(Debug, thiserror::Error)]
pub enum PresetError {
    #[error("cannot read preset {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}:{line}:{column}: {message}")]
    Invalid {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("unknown preset `{name}` (built-in presets: {known}; or give a path to a YAML file)")]
    UnknownBuiltin { name: String, known: String },
    #[error("preset `extends` chain loops: {0}")]
    Cycle(String),
    /// A weaker policy layer tried to turn down or waive a rule a stronger one locked.
    #[error(
        "{file}:{line}: {what}, but `{rule}` is locked by {lock}: a weaker policy cannot turn it down or waive it"
    )]
    Locked {
        file: String,
        line: usize,
        rule: String,
        what: String,
        lock: String,
    },
    /// Anything else wrong with how the policy was asked for.
    #[error("{0}")]
    Other(String),
}

/// A preset file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresetFile {
    #[serde(skip)]
    label: String,
    #[serde(skip)]
    text: String,
    pub description: Option<String>,
    pub extends: Option<String>,
    pub user: Option<ScalarString>,
    pub memory: Option<ScalarString>,
    pub cpus: Option<ScalarString>,
    pub pids_limit: Option<i64>,
    pub bind_ip: Option<String>,
    pub tmpfs: Option<TmpfsFile>,
    pub allowed_capabilities: Option<Vec<String>>,
    #[serde(default)]
    pub rules: BTreeMap<String, Action>,
    #[serde(default)]
    pub waivers: Vec<WaiverFile>,
    /// Image pattern → what that image needs beyond the preset.
    #[serde(default)]
    pub images: yaml_serde::Mapping,
    /// Rules (ids or globs such as `host-*`) that weaker policy layers may not turn down or
    /// waive.
    #[serde(default)]
    pub locked: Vec<String>,
}

/// One image's profile as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileFile {
    pub reason: Option<String>,
    pub user: Option<ScalarString>,
    #[serde(default)]
    pub tmpfs: Vec<ProfileTmpfsFile>,
    #[serde(default)]
    pub volumes: Vec<ProfilePathFile>,
    #[serde(default)]
    pub cap_add: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileTmpfsFile {
    pub path: String,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub mode: Option<ScalarString>,
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfilePathFile {
    pub path: String,
    pub reason: Option<String>,
}

/// A scalar that may be written as a number or a string (`memory: 512m`, `cpus: 1.5`,
/// `user: 1000`).
#[derive(Debug, Clone)]
pub struct ScalarString(pub String);

impl<'de> Deserialize<'de> for ScalarString {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = yaml_serde::Value::deserialize(d)?;
        match v {
            yaml_serde::Value::String(s) => Ok(ScalarString(s)),
            yaml_serde::Value::Number(n) => Ok(ScalarString(n.to_string())),
            _ => Err(serde::de::Error::custom("expected a string or a number")),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TmpfsFile {
    pub paths: Option<Vec<String>>,
    pub options: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaiverFile {
    pub rules: Vec<String>,
    #[serde(default)]
    pub images: Vec<String>,
    #[serde(default)]
    pub services: Vec<String>,
    pub reason: Option<String>,
}

pub(super) fn read_preset_text(path: &Path) -> Result<String, PresetError> {
    let io = |source| PresetError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return Err(io(std::io::Error::other("is a directory")));
    }
    if meta.len() > MAX_PRESET_BYTES {
        return Err(io(std::io::Error::other(format!(
            "file is larger than {MAX_PRESET_BYTES} bytes"
        ))));
    }
    // Bounded: `--preset /dev/zero` reports no length and would be read until memory runs out.
    let bytes = crate::yaml::read_at_most(path, MAX_PRESET_BYTES)
        .map_err(io)?
        .ok_or_else(|| {
            io(std::io::Error::other(format!(
                "file is larger than {MAX_PRESET_BYTES} bytes"
            )))
        })?;
    String::from_utf8(bytes).map_err(|_| io(std::io::Error::other("file is not valid UTF-8")))
}

/// The values every chain starts from (overridden by the built-in default preset itself).
pub(super) fn root_settings() -> Settings {
    Settings {
        user: String::new(),
        memory: 0,
        nano_cpus: 0,
        pids_limit: 0,
        bind_ip: String::new(),
        tmpfs_paths: Vec::new(),
        tmpfs_options: String::new(),
        allowed_capabilities: Vec::new(),
        user_reason: None,
        profile_tmpfs: Vec::new(),
        profile_name: None,
        profile_caps: Vec::new(),
        profile_volumes: Vec::new(),
    }
}

/// A tree error as serde_yaml worded it: libyaml's problem, its context only when the problem
/// sits at the very start (serde_yaml's message was cut at its first " at line …"), and the
/// wording for a second document.
fn syntax_message(e: crate::yaml::tree::TreeError) -> String {
    let message = e.message;
    if message.starts_with("a Compose file holds one YAML document") {
        return "deserializing from YAML containing more than one document is not supported".into();
    }
    match message
        .strip_suffix(')')
        .and_then(|m| m.rsplit_once(" (while "))
    {
        Some((problem, context)) if e.pos.line == 1 && e.pos.column == 1 => {
            format!("{problem}, while {context}")
        }
        Some((problem, _)) => problem.to_string(),
        None => message,
    }
}

impl PresetFile {
    /// Parses and validates a preset file; `label` names it in errors.
    pub fn parse(label: &str, text: &str) -> Result<PresetFile, PresetError> {
        // One parse, through the bounded tree of Compose files: an alias used many times is
        // refused before anything is expanded (serde_yaml replayed it without bound: a 170 KB
        // `.harden.yaml` took 56 s and 5 GB, then aborted).
        let invalid = |pos: Option<crate::yaml::tree::Pos>, message: String| {
            let pos = pos.unwrap_or(crate::yaml::tree::Pos { line: 1, column: 1 });
            PresetError::Invalid {
                file: label.to_string(),
                line: pos.line,
                column: pos.column,
                message,
            }
        };
        let root =
            crate::yaml::tree::parse(text).map_err(|e| invalid(Some(e.pos), syntax_message(e)))?;
        let mut f: PresetFile = match root {
            None => PresetFile::default(),
            Some(root) => {
                crate::yaml::de::from_node(&root).map_err(|e| invalid(e.pos, e.to_string()))?
            }
        };
        f.label = label.to_string();
        f.text = text.to_string();
        f.validate()?;
        Ok(f)
    }

    /// The file's label (path, or `presets/NAME.yaml`).
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The 1-based line of the first `needle` (as a key or list item).
    pub fn line_of(&self, needle: &str) -> usize {
        locate(&self.text, needle).0
    }

    fn err(&self, needle: &str, message: String) -> PresetError {
        let (line, column) = locate(&self.text, needle);
        PresetError::Invalid {
            file: self.label.clone(),
            line,
            column,
            message,
        }
    }

    fn validate(&self) -> Result<(), PresetError> {
        for (id, action) in &self.rules {
            let Some(rule) = rules::find(id) else {
                return Err(self.err(id, unknown_rule_message(id)));
            };
            if *action == Action::Fix && rule.meta().fix.is_none() {
                return Err(self.err(
                    id,
                    format!("rule `{id}` has no automatic fix; use deny, warn or off"),
                ));
            }
        }
        for w in &self.waivers {
            for id in &w.rules {
                if rules::find(id).is_none() {
                    return Err(self.err(id, unknown_rule_message(id)));
                }
            }
            if w.rules.is_empty() {
                return Err(self.err("waivers", "a waiver must name at least one rule".into()));
            }
            if w.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                let needle = w.rules.first().map(String::as_str).unwrap_or("waivers");
                return Err(self.err(
                    needle,
                    "a waiver needs a `reason:` saying why the rule does not apply".into(),
                ));
            }
        }
        if let Some(m) = &self.memory {
            parse_memory(&m.0).map_err(|e| self.err("memory", e))?;
        }
        if let Some(c) = &self.cpus {
            parse_cpus(&c.0).map_err(|e| self.err("cpus", e))?;
        }
        if let Some(p) = self.pids_limit
            && p <= 0
        {
            return Err(self.err("pids_limit", "pids_limit must be a positive number".into()));
        }
        if let Some(ip) = &self.bind_ip
            && ip.parse::<std::net::IpAddr>().is_err()
        {
            return Err(self.err("bind_ip", format!("bind_ip `{ip}` is not an IP address")));
        }
        if let Some(u) = &self.user
            && (u.0.trim().is_empty() || crate::spec::is_root_user(&u.0))
        {
            return Err(self.err(
                "user",
                format!(
                    "user `{}` is root; give a non-root user such as 65534:65534",
                    u.0
                ),
            ));
        }
        if let Some(t) = &self.tmpfs {
            for p in t.paths.iter().flatten() {
                if !p.starts_with('/') {
                    return Err(self.err(p, format!("tmpfs path `{p}` is not absolute")));
                }
            }
        }
        self.profiles()?;
        for l in &self.locked {
            let known = rules::ids().any(|id| wildmatch::WildMatch::new(l).matches(id));
            if !known {
                return Err(self.err(
                    l,
                    format!("`locked: {l}` matches no rule (`harden rules` lists them)"),
                ));
            }
        }
        Ok(())
    }

    /// The `images:` section, validated.
    fn profiles(&self) -> Result<Vec<ImageProfile>, PresetError> {
        let mut out = Vec::new();
        for (k, v) in &self.images {
            let Some(pattern) = k.as_str().filter(|p| !p.trim().is_empty()) else {
                return Err(self.err(
                    "images",
                    "an image pattern must be a non-empty string".into(),
                ));
            };
            let f: ProfileFile = yaml_serde::from_value(v.clone())
                .map_err(|e| self.err(pattern, format!("images.{pattern}: {e}")))?;
            let reason = f.reason.clone().unwrap_or_default();
            if reason.trim().is_empty() {
                return Err(self.err(
                    pattern,
                    format!("images.{pattern} needs a `reason:` saying why the image needs it"),
                ));
            }
            let user = match &f.user {
                Some(u) => {
                    let ok = crate::spec::numeric_uid_gid(&u.0)
                        .is_some_and(|(uid, g)| uid != 0 && g.is_some());
                    if !ok {
                        return Err(self.err(
                            pattern,
                            format!(
                                "images.{pattern}.user `{}` must be a numeric non-root uid:gid \
                                 (such as 999:999), so that tmpfs ownership can follow",
                                u.0
                            ),
                        ));
                    }
                    Some(u.0.clone())
                }
                None => None,
            };
            let mut tmpfs = Vec::new();
            for t in &f.tmpfs {
                if !t.path.starts_with('/') {
                    return Err(
                        self.err(&t.path, format!("tmpfs path `{}` is not absolute", t.path))
                    );
                }
                if t.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                    return Err(self.err(
                        &t.path,
                        format!("images.{pattern}: tmpfs {} needs a `reason:`", t.path),
                    ));
                }
                if let Some(m) = &t.mode
                    && (m.0.is_empty() || u32::from_str_radix(&m.0, 8).is_err())
                {
                    return Err(self.err(
                        &t.path,
                        format!("images.{pattern}: tmpfs mode `{}` is not octal (1777)", m.0),
                    ));
                }
                tmpfs.push(ProfileTmpfs {
                    path: t.path.trim_end_matches('/').to_string(),
                    uid: t.uid,
                    gid: t.gid,
                    mode: t.mode.as_ref().map(|m| m.0.clone()),
                    reason: t.reason.clone().unwrap_or_default(),
                });
            }
            let mut volumes = Vec::new();
            for p in &f.volumes {
                if !p.path.starts_with('/') {
                    return Err(
                        self.err(&p.path, format!("volume path `{}` is not absolute", p.path))
                    );
                }
                volumes.push(ProfilePath {
                    path: p.path.trim_end_matches('/').to_string(),
                    reason: p.reason.clone().unwrap_or_default(),
                });
            }
            let mut cap_add = Vec::new();
            for c in &f.cap_add {
                let n = normalize_capability(c);
                if !crate::spec::KNOWN_CAPABILITIES.contains(&n.as_str()) {
                    return Err(self.err(c, format!("images.{pattern}: unknown capability `{c}`")));
                }
                cap_add.push(n);
            }
            let line = self
                .text
                .lines()
                .position(|l| {
                    let t = l.trim_start().trim_start_matches(['"', '\'']);
                    t.starts_with(pattern)
                        && t[pattern.len()..]
                            .trim_start_matches(['"', '\''])
                            .starts_with(':')
                        && l.starts_with(' ')
                })
                .map(|i| i + 1)
                .unwrap_or_else(|| locate(&self.text, pattern).0);
            out.push(ImageProfile {
                pattern: pattern.to_string(),
                reason,
                user,
                tmpfs,
                volumes,
                cap_add,
                declared_in: format!("{}:{line}", self.label),
                matcher: Default::default(),
            });
        }
        Ok(out)
    }

    /// Applies this file on top of `base` (its parent in the chain).
    pub(super) fn apply_to(&self, base: &mut Preset) -> Result<(), PresetError> {
        let origin = |needle: &str| format!("{}:{}", self.label, locate(&self.text, needle).0);
        for (key, set) in [
            ("user", self.user.is_some()),
            ("memory", self.memory.is_some()),
            ("cpus", self.cpus.is_some()),
            ("pids_limit", self.pids_limit.is_some()),
            ("bind_ip", self.bind_ip.is_some()),
            ("tmpfs", self.tmpfs.is_some()),
            ("allowed_capabilities", self.allowed_capabilities.is_some()),
        ] {
            if set {
                base.origins.insert(key.to_string(), origin(key));
            }
        }
        for id in self.rules.keys() {
            base.origins.insert(format!("rules.{id}"), origin(id));
        }
        if let Some(d) = &self.description {
            base.description = d.clone();
        }
        let s = &mut base.settings;
        if let Some(u) = &self.user {
            s.user = u.0.clone();
        }
        if let Some(m) = &self.memory {
            s.memory = parse_memory(&m.0).map_err(|e| self.err("memory", e))?;
        }
        if let Some(c) = &self.cpus {
            s.nano_cpus = parse_cpus(&c.0).map_err(|e| self.err("cpus", e))?;
        }
        if let Some(p) = self.pids_limit {
            s.pids_limit = p;
        }
        if let Some(ip) = &self.bind_ip {
            s.bind_ip = ip.clone();
        }
        if let Some(t) = &self.tmpfs {
            if let Some(p) = &t.paths {
                s.tmpfs_paths = p.clone();
            }
            if let Some(o) = &t.options {
                s.tmpfs_options = o.clone();
            }
        }
        if let Some(c) = &self.allowed_capabilities {
            s.allowed_capabilities = c.iter().map(|c| normalize_capability(c)).collect();
        }
        for (id, a) in &self.rules {
            base.rules.insert(id.clone(), *a);
        }
        // This file's profiles come first; an inherited one for the same pattern is replaced.
        let mine = self.profiles()?;
        base.profiles
            .retain(|p| !mine.iter().any(|m| m.pattern == p.pattern));
        let mut all = mine;
        all.append(&mut base.profiles);
        base.profiles = all;
        for w in &self.waivers {
            let needle = w.rules.first().map(String::as_str).unwrap_or("waivers");
            let (line, _) = locate(&self.text, needle);
            base.waivers.push(Waiver {
                rules: w.rules.clone(),
                images: w.images.clone(),
                services: w.services.clone(),
                reason: w.reason.clone().unwrap_or_default(),
                declared_in: format!("{}:{line}", self.label),
            });
        }
        Ok(())
    }
}

pub(super) fn unknown_rule_message(id: &str) -> String {
    let close = rules::ids()
        .filter(|known| known.contains(id) || id.contains(known) || edit_distance(id, known) <= 3)
        .min_by_key(|known| edit_distance(id, known));
    match close {
        Some(c) => format!("unknown rule `{id}` (did you mean `{c}`? `harden rules` lists them)"),
        None => format!("unknown rule `{id}` (`harden rules` lists them)"),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Line and column (1-based) of the first occurrence of `needle` as a YAML key or list item
/// outside comments; (1, 1) when not found.
fn locate(text: &str, needle: &str) -> (usize, usize) {
    for (i, line) in text.lines().enumerate() {
        let code = match line.find(" #") {
            Some(c) => &line[..c],
            None => line,
        };
        if code.trim_start().starts_with('#') {
            continue;
        }
        let mut from = 0;
        while let Some(pos) = code[from..].find(needle) {
            let start = from + pos;
            let end = start + needle.len();
            let before = code[..start].chars().next_back();
            let after = code[end..].chars().next();
            let boundary = |c: Option<char>| {
                c.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            };
            if boundary(before) && boundary(after) {
                return (i + 1, start + 1);
            }
            from = end;
        }
    }
    (1, 1)
}

/// `512m` → bytes, as `docker run --memory` reads it (go-units `RAMInBytes`).
pub fn parse_memory(s: &str) -> Result<i64, String> {
    let bytes = units::ram_in_bytes(s.trim())
        .map_err(|_| format!("memory `{s}` is not a size such as 512m or 1g"))?;
    if bytes < 6 << 20 {
        return Err(format!(
            "memory `{s}` is below the engine's minimum of 6MiB"
        ));
    }
    Ok(bytes)
}

/// `1.5` → 1_500_000_000 nano CPUs, as `docker run --cpus` reads it (exact: `opts.ParseCPUs`).
pub fn parse_cpus(s: &str) -> Result<i64, String> {
    let nano = units::parse_cpus(s.trim()).map_err(|e| {
        if e == "value is too precise" {
            format!("cpus `{s}` is too precise (at most 9 decimals)")
        } else {
            format!("cpus `{s}` is not a number of CPUs such as 1 or 0.5")
        }
    })?;
    if nano < 10_000_000 {
        return Err(format!("cpus `{s}` is below the engine's minimum of 0.01"));
    }
    Ok(nano)
}

/// The resolved preset in the file format (for `harden presets show`).
pub(super) fn render_resolved(p: &Preset) -> String {
    use std::fmt::Write;
    let s = &p.settings;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# resolved preset `{}` ({})",
        p.name,
        p.chain.join(" -> ")
    );
    let from = |key: &str| match p.origins.get(key) {
        Some(o) => format!("  # {o}"),
        None => String::new(),
    };
    let _ = writeln!(out, "description: {}", yaml_scalar(&p.description));
    let _ = writeln!(out, "user: {}{}", yaml_scalar(&s.user), from("user"));
    let _ = writeln!(
        out,
        "memory: {}{}",
        crate::fix::docker_bytes(s.memory),
        from("memory")
    );
    let _ = writeln!(
        out,
        "cpus: {}{}",
        crate::fix::format_cpus(s.nano_cpus),
        from("cpus")
    );
    let _ = writeln!(out, "pids_limit: {}{}", s.pids_limit, from("pids_limit"));
    let _ = writeln!(out, "bind_ip: {}{}", s.bind_ip, from("bind_ip"));
    let _ = writeln!(out, "tmpfs:{}", from("tmpfs"));
    let _ = writeln!(out, "  paths: [{}]", s.tmpfs_paths.join(", "));
    let _ = writeln!(out, "  options: {}", yaml_scalar(&s.tmpfs_options));
    let _ = writeln!(out, "allowed_capabilities:{}", from("allowed_capabilities"));
    for c in &s.allowed_capabilities {
        let _ = writeln!(out, "  - {}", c.trim_start_matches("CAP_"));
    }
    let _ = writeln!(out, "rules:");
    for id in rules::ids() {
        let _ = writeln!(
            out,
            "  {id}: {}{}",
            yaml_scalar(&p.action(id).to_string()),
            from(&format!("rules.{id}"))
        );
    }
    if p.waivers.is_empty() {
        let _ = writeln!(out, "waivers: []");
    } else {
        let _ = writeln!(out, "waivers:");
        for w in &p.waivers {
            let _ = writeln!(out, "  - rules: [{}]", w.rules.join(", "));
            if !w.images.is_empty() {
                let imgs: Vec<String> = w.images.iter().map(|i| yaml_scalar(i)).collect();
                let _ = writeln!(out, "    images: [{}]", imgs.join(", "));
            }
            if !w.services.is_empty() {
                let svcs: Vec<String> = w.services.iter().map(|i| yaml_scalar(i)).collect();
                let _ = writeln!(out, "    services: [{}]", svcs.join(", "));
            }
            let _ = writeln!(out, "    reason: {}", yaml_scalar(&w.reason));
            let _ = writeln!(out, "    # declared in {}", w.declared_in);
        }
    }
    if !p.locks.is_empty() {
        let _ = writeln!(out, "locked:");
        for l in &p.locks {
            let _ = writeln!(out, "  - {}  # {}", yaml_scalar(&l.pattern), l.declared_in);
        }
    }
    if p.profiles.is_empty() {
        let _ = writeln!(out, "images: {{}}");
    } else {
        let _ = writeln!(out, "images:");
        for pr in &p.profiles {
            let _ = writeln!(out, "  {}:", yaml_scalar(&pr.pattern));
            let _ = writeln!(out, "    # declared in {}", pr.declared_in);
            let _ = writeln!(out, "    reason: {}", yaml_scalar(&pr.reason));
            if let Some(u) = &pr.user {
                let _ = writeln!(out, "    user: {}", yaml_scalar(u));
            }
            if !pr.tmpfs.is_empty() {
                let _ = writeln!(out, "    tmpfs:");
                for t in &pr.tmpfs {
                    let _ = writeln!(out, "      - path: {}", yaml_scalar(&t.path));
                    if let Some(u) = t.uid {
                        let _ = writeln!(out, "        uid: {u}");
                    }
                    if let Some(g) = t.gid {
                        let _ = writeln!(out, "        gid: {g}");
                    }
                    if let Some(m) = &t.mode {
                        let _ = writeln!(out, "        mode: {}", yaml_scalar(m));
                    }
                    let _ = writeln!(out, "        reason: {}", yaml_scalar(&t.reason));
                }
            }
            if !pr.cap_add.is_empty() {
                let caps: Vec<&str> = pr
                    .cap_add
                    .iter()
                    .map(|c| c.trim_start_matches("CAP_"))
                    .collect();
                let _ = writeln!(out, "    cap_add: [{}]", caps.join(", "));
            }
            if !pr.volumes.is_empty() {
                let _ = writeln!(out, "    volumes:");
                for v in &pr.volumes {
                    let _ = writeln!(out, "      - path: {}", yaml_scalar(&v.path));
                    let _ = writeln!(out, "        reason: {}", yaml_scalar(&v.reason));
                }
            }
        }
    }
    out
}

/// Quotes a scalar when YAML would read it as something else.
pub fn yaml_scalar(s: &str) -> String {
    let plain_ok = !s.is_empty()
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ',' | '=' | '{' | '}')
        })
        && !s.starts_with(['-', '{', '.'])
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "yes" | "no" | "on" | "off" | "y" | "n" | "true" | "false" | "null" | "~"
        )
        && s.parse::<f64>().is_err()
        && !s.contains(':');
    if plain_ok {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
    }
}
