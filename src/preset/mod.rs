//! Presets: what is enforced, denied, warned or waived, and the values fixes use.
//!
//! A preset is YAML (the built-in ones live in `presets/` and are embedded in the binary). It can
//! `extends:` another preset (a built-in name or a path relative to the file), sets values
//! (`user`, `memory`, `cpus`, `pids_limit`, `bind_ip`, `tmpfs`, `allowed_capabilities`), an action
//! per rule (`fix | deny | warn | off`) and waivers for image or service patterns, each with a
//! required `reason`. Unknown keys and rule ids are errors that name the file and line.

pub mod file;
pub mod policy;
pub mod schema;

pub use file::{PresetError, PresetFile};

use crate::rules::{self, Action};
use crate::spec::reference::{self, familiar_repository};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The presets shipped in the binary.
pub const BUILTIN: &[(&str, &str)] = &[
    ("default", include_str!("../../presets/default.yaml")),
    ("strict", include_str!("../../presets/strict.yaml")),
    ("baseline", include_str!("../../presets/baseline.yaml")),
];

/// The built-in presets resolved ahead of time (their `extends` applied, every origin
/// recorded), as JSON: reading one takes a few microseconds where parsing and validating the
/// YAML took most of `harden create`'s own instructions (bench/PROFILE.md, "create, third
/// round"). A test keeps each equal to its YAML resolved;
/// `HARDEN_BLESS=1 cargo test --lib preset::` rewrites them.
const RESOLVED: &[(&str, &str)] = &[
    (
        "default",
        include_str!("../../presets/resolved/default.json"),
    ),
    ("strict", include_str!("../../presets/resolved/strict.json")),
    (
        "baseline",
        include_str!("../../presets/resolved/baseline.json"),
    ),
];

/// The team file looked for from the current directory upward.
pub const TEAM_FILE: &str = ".harden.yaml";

pub use crate::rules::settings::{ProfileTmpfs, Settings};

/// A waiver: these rules do not apply to matching images/services, for a reason.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Waiver {
    pub rules: Vec<String>,
    /// Image patterns (`*` and `?` wildcards). A pattern without a tag or digest matches every
    /// tag of the repository. Empty = any image.
    pub images: Vec<String>,
    /// Compose service name patterns. Empty = any service.
    pub services: Vec<String>,
    pub reason: String,
    /// Where the waiver was declared (`file:line`).
    pub declared_in: String,
}

impl Waiver {
    /// Does this waiver cover `rule` for this image / service?
    pub fn covers(&self, rule: &str, image: Option<&str>, service: Option<&str>) -> bool {
        if !self.rules.iter().any(|r| r == rule) {
            return false;
        }
        let image_ok = self.images.is_empty()
            || image.is_some_and(|img| self.images.iter().any(|p| image_matches(p, img)));
        let service_ok = self.services.is_empty()
            || service.is_some_and(|s| {
                self.services
                    .iter()
                    .any(|p| wildmatch::WildMatch::new(p).matches(s))
            });
        image_ok && service_ok
    }
}

/// Matches an image reference against a pattern. A pattern without `:` (after the last `/`) or
/// `@` is compared with the repository part only.
pub fn image_matches(pattern: &str, image: &str) -> bool {
    Pattern::new(pattern).matches(image)
}

/// `registry:5000/app:tag@sha256:…` → `registry:5000/app` (as written).
pub fn repository(image: &str) -> &str {
    reference::split(image).repository
}

/// A resolved preset: every rule has an action, every value is set.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Preset {
    /// Name (built-in) or path of the file that was selected.
    pub name: String,
    pub description: String,
    /// The chain of presets this one was built from, base first.
    pub chain: Vec<String>,
    pub settings: Settings,
    pub rules: BTreeMap<String, Action>,
    pub waivers: Vec<Waiver>,
    /// What particular images need beyond the preset, most local first.
    pub profiles: Vec<ImageProfile>,
    /// Rules that weaker policy layers may not turn down or waive.
    pub locks: Vec<policy::Lock>,
    /// Where each setting (`memory`, `rules.privileged`, …) was last set (`file:line`).
    pub origins: BTreeMap<String, String>,
}

/// What one image needs beyond the preset (the `images:` section of a preset), with a reason.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImageProfile {
    /// Image pattern (as for waivers: without a tag it matches every tag; `docker.io/` and
    /// `library/` do not matter).
    pub pattern: String,
    pub reason: String,
    /// The user it runs as (numeric `uid:gid`).
    pub user: Option<String>,
    /// Where it writes at run time.
    pub tmpfs: Vec<ProfileTmpfs>,
    /// Where it keeps data that must outlive the container (reported when no volume is there).
    pub volumes: Vec<ProfilePath>,
    /// Capabilities it needs back after `--cap-drop ALL` (`CAP_…`), within what the preset
    /// allows.
    pub cap_add: Vec<String>,
    /// Where it was declared (`file:line`).
    pub declared_in: String,
    /// The pattern, compiled on first use (thousands of services are matched against it).
    #[serde(skip)]
    pub matcher: PatternCache,
}

/// [`ImageProfile::pattern`] compiled once; equal to any other (it only caches the pattern).
#[derive(Clone, Debug, Default)]
pub struct PatternCache(std::sync::OnceLock<Compiled>);

impl PartialEq for PatternCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// A pattern as [`image_matches`] applies it: what it is compared with, and the matcher.
#[derive(Clone, Debug)]
struct Pattern {
    whole_reference: bool,
    wild: wildmatch::WildMatch,
}

impl Pattern {
    fn new(pattern: &str) -> Self {
        let last = pattern.rsplit('/').next().unwrap_or(pattern);
        Pattern {
            whole_reference: last.contains(':') || pattern.contains('@'),
            wild: wildmatch::WildMatch::new(pattern),
        }
    }

    fn matches(&self, image: &str) -> bool {
        self.wild.matches(if self.whole_reference {
            image
        } else {
            repository(image)
        })
    }
}

/// A profile's pattern in the familiar form and as written.
#[derive(Clone, Debug)]
struct Compiled {
    familiar: Pattern,
    written: Pattern,
}

/// An image reference in the two forms profiles are matched against.
pub struct ImageForms<'a> {
    written: &'a str,
    /// The familiar repository with the tag (`docker.io/library/nginx:1` → `nginx:1`).
    familiar: String,
}

impl<'a> ImageForms<'a> {
    pub fn new(image: &'a str) -> Self {
        let parts = reference::split(image);
        let mut familiar = familiar_repository(parts.repository);
        if let Some(tag) = parts.tag {
            familiar.push(':');
            familiar.push_str(tag);
        }
        ImageForms {
            written: image,
            familiar,
        }
    }
}

/// A path with a reason.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfilePath {
    pub path: String,
    pub reason: String,
}

impl ImageProfile {
    pub fn matches(&self, image: &str) -> bool {
        self.matches_forms(&ImageForms::new(image))
    }

    /// [`ImageProfile::matches`] of an image already split into its forms.
    pub fn matches_forms(&self, image: &ImageForms<'_>) -> bool {
        // Both in the familiar form (`docker.io/library/nginx` → `nginx`), or as written.
        let c = self.matcher.0.get_or_init(|| Compiled {
            familiar: Pattern::new(&familiar_repository(&self.pattern)),
            written: Pattern::new(&self.pattern),
        });
        c.familiar.matches(&image.familiar) || c.written.matches(image.written)
    }
}

/// How the preset was chosen (for messages).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    /// `--preset` on the command line.
    Flag(String),
    /// `HARDEN_PRESET`.
    Env(String),
    /// A `.harden.yaml` found from the working directory upward.
    TeamFile(PathBuf),
    /// Nothing chosen: the built-in default.
    Default,
}

impl Preset {
    /// A built-in preset by name.
    pub fn builtin(name: &str) -> Result<Preset, PresetError> {
        resolve_source(&Source::Builtin(name.to_string()), &mut Vec::new())
    }

    /// A preset given as `NAME` (built-in) or a path to a YAML file.
    pub fn named_or_path(spec: &str, cwd: &Path) -> Result<Preset, PresetError> {
        resolve_source(&source_for(spec, cwd), &mut Vec::new())
    }

    /// The action for a rule (a rule missing from every preset of the chain falls back to the
    /// rule's declared default).
    pub fn action(&self, rule: &str) -> Action {
        if let Some(a) = self.rules.get(rule) {
            return *a;
        }
        rules::find(rule)
            .map(|r| r.meta().default_action)
            .unwrap_or(Action::Off)
    }

    /// The first waiver that covers this rule for this image/service.
    pub fn waiver_for(
        &self,
        rule: &str,
        image: Option<&str>,
        service: Option<&str>,
    ) -> Option<&Waiver> {
        self.waivers.iter().find(|w| w.covers(rule, image, service))
    }

    /// The profile for an image (the most local preset's first).
    pub fn profile_for(&self, image: &str) -> Option<&ImageProfile> {
        if self.profiles.is_empty() {
            return None;
        }
        let forms = ImageForms::new(image);
        self.profiles.iter().find(|p| p.matches_forms(&forms))
    }

    /// The resolved preset as YAML, in the preset file format.
    pub fn to_yaml(&self) -> String {
        file::render_resolved(self)
    }
}

/// Picks the preset the way every command does: `--preset` > `HARDEN_PRESET` > `.harden.yaml`
/// (from `cwd` upward) > built-in `default`.
pub fn select(flag: Option<&str>, env: Option<&str>, cwd: &Path) -> Selection {
    if let Some(f) = flag.filter(|f| !f.is_empty()) {
        return Selection::Flag(f.to_string());
    }
    if let Some(e) = env.filter(|e| !e.is_empty()) {
        return Selection::Env(e.to_string());
    }
    match discover(cwd) {
        Some(p) => Selection::TeamFile(p),
        None => Selection::Default,
    }
}

/// Loads the selected preset.
pub fn load(selection: &Selection, cwd: &Path) -> Result<Preset, PresetError> {
    match selection {
        Selection::Flag(s) | Selection::Env(s) => Preset::named_or_path(s, cwd),
        Selection::TeamFile(p) => resolve_source(&Source::File(p.clone()), &mut Vec::new()),
        Selection::Default => Preset::builtin("default"),
    }
}

/// `.harden.yaml` in `start` or the nearest parent directory.
pub fn discover(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|d| d.join(TEAM_FILE))
        .find(|p| p.is_file())
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Source {
    Builtin(String),
    File(PathBuf),
}

impl Source {
    fn label(&self) -> String {
        match self {
            Source::Builtin(n) => n.clone(),
            Source::File(p) => p.display().to_string(),
        }
    }
}

fn source_for(spec: &str, base: &Path) -> Source {
    let looks_like_path = spec.contains('/')
        || spec.ends_with(".yaml")
        || spec.ends_with(".yml")
        || spec.starts_with('.');
    if !looks_like_path && BUILTIN.iter().any(|(n, _)| *n == spec) {
        return Source::Builtin(spec.to_string());
    }
    if looks_like_path {
        return Source::File(base.join(spec));
    }
    // A bare word that is not a built-in: a file of that name if one exists, else an unknown
    // built-in (which errors with the list of names).
    let p = base.join(spec);
    if p.is_file() {
        Source::File(p)
    } else {
        Source::Builtin(spec.to_string())
    }
}

/// A source's label, text and the directory its relative `extends` resolve against.
fn source_text(src: &Source) -> Result<(String, String, PathBuf), PresetError> {
    Ok(match src {
        Source::Builtin(name) => {
            let text = BUILTIN
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, t)| *t)
                .ok_or_else(|| PresetError::UnknownBuiltin {
                    name: name.clone(),
                    known: BUILTIN
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", "),
                })?;
            (
                format!("presets/{name}.yaml"),
                text.to_string(),
                PathBuf::from("."),
            )
        }
        Source::File(path) => {
            let text = file::read_preset_text(path)?;
            let dir = path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from("."));
            (path.display().to_string(), text, dir)
        }
    })
}

/// A built-in preset as resolved ahead of time ([`RESOLVED`]); `None` for an unknown name.
fn resolved_builtin(name: &str) -> Option<Preset> {
    let (_, json) = RESOLVED.iter().find(|(n, _)| *n == name)?;
    serde_json::from_str(json).ok()
}

fn resolve_source(src: &Source, seen: &mut Vec<Source>) -> Result<Preset, PresetError> {
    resolve_source_with(src, seen, true)
}

/// Resolves a preset and its `extends` chain; with `resolved`, a built-in in the chain is
/// taken from [`RESOLVED`] instead of parsing its YAML (built-ins extend only built-ins, so
/// the result is the same).
fn resolve_source_with(
    src: &Source,
    seen: &mut Vec<Source>,
    resolved: bool,
) -> Result<Preset, PresetError> {
    if seen.contains(src) {
        let mut chain: Vec<String> = seen.iter().map(Source::label).collect();
        chain.push(src.label());
        return Err(PresetError::Cycle(chain.join(" -> ")));
    }
    seen.push(src.clone());
    if resolved
        && let Source::Builtin(name) = src
        && let Some(p) = resolved_builtin(name)
    {
        return Ok(p);
    }
    let (label, text, base_dir) = source_text(src)?;
    let parsed = PresetFile::parse(&label, &text)?;
    // Files without `extends` build on the default preset; the built-in default is the root.
    let parent = match (&parsed.extends, src) {
        (Some(e), _) => Some(source_for(e, &base_dir)),
        (None, Source::Builtin(n)) if n == "default" => None,
        (None, _) => Some(Source::Builtin("default".into())),
    };
    let mut preset = match parent {
        Some(p) => resolve_source_with(&p, seen, resolved)?,
        None => Preset {
            name: String::new(),
            description: String::new(),
            chain: Vec::new(),
            settings: file::root_settings(),
            rules: BTreeMap::new(),
            waivers: Vec::new(),
            profiles: Vec::new(),
            locks: Vec::new(),
            origins: BTreeMap::new(),
        },
    };
    parsed.apply_to(&mut preset)?;
    preset.name = src.label();
    preset.chain.push(src.label());
    Ok(preset)
}

#[cfg(test)]
mod tests;
