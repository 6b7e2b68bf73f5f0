//! The Compose front end: files found as `docker compose` finds them, read as positioned YAML
//! trees (see [`tree`]), merged per service as Compose merges override files, and turned into one
//! [`crate::spec::Spec`] per service (see [`spec`]).
//!
//! Compose is read as a generic YAML tree with typed accessors, never through a typed model that
//! would reject real files or lose positions.

pub use crate::yaml::events;
pub mod flat;
pub mod interp;
pub mod resolve;
pub mod spec;
pub use crate::yaml::tree;
pub mod waivers;

use interp::Env;
use resolve::{Resolver, absolute, absolute_here};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tree::{FileId, Node, Pos};

/// Largest Compose file read (bytes).
pub const MAX_FILE_BYTES: u64 = 8 << 20;

/// File names looked for, in order, when no `-f` and no `COMPOSE_FILE` is given.
pub const CANDIDATES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

/// Override files merged on top of a discovered file.
pub const OVERRIDES: &[&str] = &[
    "compose.override.yaml",
    "compose.override.yml",
    "docker-compose.override.yaml",
    "docker-compose.override.yml",
];

/// An input error: `file:line:col: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposeError {
    pub file: Option<PathBuf>,
    pub pos: Option<Pos>,
    pub message: String,
}

impl ComposeError {
    pub fn new(file: Option<&Path>, pos: Option<Pos>, message: impl Into<String>) -> Self {
        ComposeError {
            file: file.map(Path::to_path_buf),
            pos,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ComposeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.file, &self.pos) {
            (Some(file), Some(p)) => {
                write!(
                    f,
                    "{}:{}:{}: {}",
                    file.display(),
                    p.line,
                    p.column,
                    self.message
                )
            }
            (Some(file), None) => write!(f, "{}: {}", file.display(), self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ComposeError {}

/// The engine a Compose project is for: the rules and fixes differ by what it carries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// `docker compose` (Compose v2) on one engine.
    #[default]
    Compose,
    /// `docker stack deploy` on a Swarm: no `security_opt`, no service-level tmpfs, no host
    /// address for published ports, limits only under `deploy.resources`.
    Swarm,
}

/// Why a file is part of a project.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Given with `-f` (or found as `docker compose` finds them).
    Main,
    /// Pulled in by a top-level `include:`.
    Included,
    /// Read for an `extends: {file: …}` base.
    Extended,
}

/// One Compose file as read.
#[derive(Debug)]
pub struct ComposeFile {
    /// The path as shown in messages (as given for `-f` files; relative to the working
    /// directory when under it for the others).
    pub path: PathBuf,
    /// The absolute path.
    pub abs: PathBuf,
    /// The directory its relative paths (bind mounts, build contexts, env files) resolve
    /// against, as Compose resolves them.
    pub dir: PathBuf,
    /// The original text.
    pub text: String,
    pub root: Arc<Node>,
    /// The variables its values are interpolated with.
    pub env: Arc<Env>,
    pub role: Role,
    /// Waiver comments and service boundaries, found once (see [`waivers::for_service`]).
    pub(crate) waiver_index: std::sync::OnceLock<waivers::Index>,
    /// The first mapping or sequence with a tag other than `!reset`/`!override`: its line and
    /// tag (harden does not rewrite such a file).
    pub collection_tag: Option<(usize, String)>,
}

/// One definition of a service in one file: where the service itself is written (in a `-f`
/// file or an included file), as opposed to a base it extends.
#[derive(Debug, Clone)]
pub struct Layer {
    /// Index into [`Project::files`].
    pub file: usize,
    pub node: Arc<Node>,
    /// Position of the service's key (`web:`).
    pub key_pos: Pos,
}

/// A service: its own definitions (first file first) and what Compose makes of them.
#[derive(Debug, Clone)]
pub struct Service {
    pub name: String,
    pub layers: Vec<Layer>,
    /// The service as Compose v2 resolves it: files merged, `extends` applied, `!reset` and
    /// `!override` honoured; every node keeps the file and line that wrote it.
    pub node: Arc<Node>,
    /// Its profiles (empty: always started).
    pub profiles: Vec<String>,
}

/// The project: its files, services, variables and name.
#[derive(Debug)]
pub struct Project {
    /// Every file read: the `-f` files first, then included files and extends bases.
    pub files: Vec<ComposeFile>,
    pub services: Vec<Service>,
    /// The whole resolved project (top-level mapping).
    pub model: Arc<Node>,
    /// The variables of the main project (`.env` and the process environment), shared with
    /// its `-f` files.
    pub env: Arc<Env>,
    /// The project directory (`--project-directory`, else the first file's directory).
    pub dir: PathBuf,
    pub name: String,
    /// Service name → index into `services`.
    service_index: crate::FastMap<String, usize>,
}

/// What `docker compose` takes besides the files: `--project-directory`, `--env-file`, `-p`.
#[derive(Debug, Default, Clone)]
pub struct LoadOptions {
    pub project_directory: Option<PathBuf>,
    pub env_files: Vec<PathBuf>,
    pub project_name: Option<String>,
    /// Do not read the project's `.env` (`docker stack deploy` does not).
    pub no_dotenv: bool,
    /// Texts to use instead of the files on disk (absolute path → text).
    pub overrides: HashMap<PathBuf, String>,
}

/// Which files make the project: `-f` files, else `COMPOSE_FILE`, else the first candidate found
/// from `cwd` upward plus its override file.
pub fn discover(
    flags: &[PathBuf],
    compose_file_env: Option<&str>,
    path_separator: Option<&str>,
    cwd: &Path,
) -> Result<Vec<PathBuf>, ComposeError> {
    if !flags.is_empty() {
        return Ok(flags.iter().map(|f| relative_to(cwd, f)).collect());
    }
    if let Some(list) = compose_file_env.filter(|s| !s.is_empty()) {
        let sep = path_separator.filter(|s| !s.is_empty()).unwrap_or(":");
        return Ok(list
            .split(sep)
            .filter(|s| !s.is_empty())
            .map(|f| relative_to(cwd, Path::new(f)))
            .collect());
    }
    for dir in cwd.ancestors() {
        for name in CANDIDATES {
            let p = dir.join(name);
            if p.is_file() {
                let shown = if dir == cwd { PathBuf::from(name) } else { p };
                let mut out = vec![shown.clone()];
                let base = shown.parent().unwrap_or(Path::new(""));
                for o in OVERRIDES {
                    if dir.join(o).is_file() {
                        out.push(base.join(o));
                        break;
                    }
                }
                return Ok(out);
            }
        }
    }
    Err(ComposeError::new(
        None,
        None,
        format!(
            "no Compose file found in {} or its parents (looked for {}); give one with -f",
            cwd.display(),
            CANDIDATES.join(", ")
        ),
    ))
}

fn relative_to(cwd: &Path, f: &Path) -> PathBuf {
    if f.is_absolute() || cwd == Path::new(".") {
        f.to_path_buf()
    } else {
        // Keep the path as given for messages; resolution happens against the cwd anyway.
        f.to_path_buf()
    }
}

/// Reads a file's text, with the errors a person needs.
pub fn read_text(path: &Path) -> Result<String, ComposeError> {
    let err = |m: String| ComposeError::new(Some(path), None, m);
    let meta = std::fs::metadata(path).map_err(|e| err(io_message(&e)))?;
    if meta.is_dir() {
        return Err(err("is a directory, not a Compose file".into()));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(err(format!(
            "file is larger than {} MiB; refusing to read it",
            MAX_FILE_BYTES >> 20
        )));
    }
    // Bounded: a character device (`-f /dev/zero`) or a pipe reports no length and would be
    // read until memory runs out.
    let bytes = read_at_most(path, MAX_FILE_BYTES).map_err(|e| err(io_message(&e)))?;
    let Some(bytes) = bytes else {
        return Err(err(format!(
            "file is larger than {} MiB; refusing to read it",
            MAX_FILE_BYTES >> 20
        )));
    };
    String::from_utf8(bytes).map_err(|_| err("not UTF-8 text".into()))
}

pub use crate::yaml::read_at_most;

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "cannot read: permission denied".into(),
        _ => format!("cannot read: {e}"),
    }
}

/// Parses and checks the shape of one file's text.
pub fn parse_file(path: &Path, text: &str) -> Result<ComposeFile, ComposeError> {
    parse_file_in(path, text, 0)
}

/// [`parse_file`] for the file with index `id` of a project.
pub fn parse_file_in(path: &Path, text: &str, id: FileId) -> Result<ComposeFile, ComposeError> {
    let parsed = tree::parse_noting_tags(text, id)
        .map_err(|e| ComposeError::new(Some(path), Some(e.pos), e.message))?;
    let collection_tag = parsed.collection_tag;
    let root = parsed
        .root
        .ok_or_else(|| ComposeError::new(Some(path), None, "empty file: no Compose content"))?;
    if root.as_map().is_none() {
        return Err(ComposeError::new(
            Some(path),
            Some(root.pos),
            format!("a Compose file is a mapping, found {}", root.kind_name()),
        ));
    }
    if let Some(e) = root.entry("services") {
        match e.value.as_map() {
            Some(services) => {
                for s in services {
                    if s.value.as_map().is_none() {
                        return Err(ComposeError::new(
                            Some(path),
                            Some(s.key_pos),
                            format!(
                                "service `{}` must be a mapping, found {}",
                                s.key,
                                s.value.kind_name()
                            ),
                        ));
                    }
                }
            }
            None if e.value.is_null() => {}
            None => {
                return Err(ComposeError::new(
                    Some(path),
                    Some(e.key_pos),
                    format!(
                        "`services` must be a mapping, found {}",
                        e.value.kind_name()
                    ),
                ));
            }
        }
    }
    Ok(ComposeFile {
        path: path.to_path_buf(),
        abs: path.to_path_buf(),
        dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
        text: text.to_string(),
        root,
        env: Arc::new(Env::default()),
        role: Role::Main,
        waiver_index: std::sync::OnceLock::new(),
        collection_tag,
    })
}

impl Project {
    /// Reads `paths` (relative to `cwd`) with variables from `.env` and `process_env`.
    pub fn load(
        paths: &[PathBuf],
        cwd: &Path,
        process_env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Project, ComposeError> {
        Project::load_with(paths, cwd, process_env, &LoadOptions::default())
    }

    /// [`Project::load`] with `docker compose`'s other options.
    pub fn load_with(
        paths: &[PathBuf],
        cwd: &Path,
        process_env: impl IntoIterator<Item = (String, String)>,
        opts: &LoadOptions,
    ) -> Result<Project, ComposeError> {
        let first = paths
            .first()
            .ok_or_else(|| ComposeError::new(None, None, "no Compose file given"))?;
        let cwd_abs = absolute_here(cwd);
        let dir = match &opts.project_directory {
            Some(d) => absolute(&cwd_abs, d),
            None => absolute(&cwd_abs, first)
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| cwd_abs.clone()),
        };
        let env = if opts.no_dotenv {
            Env {
                vars: process_env.into_iter().collect(),
            }
        } else if opts.env_files.is_empty() {
            Env::load(&dir, process_env)
        } else {
            let mut vars = std::collections::BTreeMap::new();
            for f in &opts.env_files {
                let p = absolute(&cwd_abs, f);
                let text = read_text(&p).map_err(|mut e| {
                    e.file = Some(f.clone());
                    e.message = format!("--env-file: {}", e.message);
                    e
                })?;
                vars.extend(interp::parse_dotenv(&text));
            }
            vars.extend(process_env);
            Env { vars }
        };
        let main: Vec<(PathBuf, PathBuf)> = paths
            .iter()
            .map(|p| (p.clone(), absolute(&cwd_abs, p)))
            .collect();
        Project::build(&main, &cwd_abs, dir, env, opts)
    }

    /// Builds a project from texts already read (`texts`: paths relative to `dir`).
    pub fn from_texts(
        texts: Vec<(PathBuf, String)>,
        dir: PathBuf,
        env: Env,
    ) -> Result<Project, ComposeError> {
        let cwd = absolute_here(&dir);
        let mut opts = LoadOptions::default();
        let mut main = Vec::new();
        for (p, text) in texts {
            let abs = absolute(&cwd, &p);
            opts.overrides.insert(abs.clone(), text);
            main.push((p, abs));
        }
        Project::build(&main, &cwd, cwd.clone(), env, &opts)
    }

    fn build(
        main: &[(PathBuf, PathBuf)],
        cwd: &Path,
        dir: PathBuf,
        env: Env,
        opts: &LoadOptions,
    ) -> Result<Project, ComposeError> {
        let mut env = Arc::new(env);
        let mut r = Resolver::new(cwd, &opts.overrides);
        let mut ids = Vec::new();
        for (shown, abs) in main {
            let id = r.read(Some(shown.clone()), abs.clone(), env.clone(), Role::Main)?;
            r.files[id].dir = dir.clone();
            ids.push(id);
        }
        // Compose interpolates with COMPOSE_PROJECT_NAME set to the project's name (in the
        // `-f` files; what else was read keeps the variables it was read with). The `-f` files
        // let go of the variables first, so that they are not copied to add one.
        let name = project_name(&r.files, &env, &dir, opts.project_name.as_deref());
        for &id in &ids {
            r.files[id].env = Arc::default();
        }
        Arc::make_mut(&mut env)
            .vars
            .insert("COMPOSE_PROJECT_NAME".to_string(), name.clone());
        for &id in &ids {
            r.files[id].env = env.clone();
        }
        let env_rc = env.clone();
        let model = r.load_main(&ids, &dir, &env_rc)?;
        let mut services: Vec<Service> = Vec::new();
        let mut service_index: crate::FastMap<String, usize> = crate::FastMap::default();
        if let Some(svcs) = model.get("services").and_then(|s| s.as_map()) {
            for e in svcs {
                if e.value.as_map().is_none() {
                    continue;
                }
                let profiles = match e.value.get("profiles") {
                    Some(p) => match p.as_seq() {
                        Some(items) => items.iter().filter_map(|i| r.text(i)).collect(),
                        None => r.text(p).into_iter().collect(),
                    },
                    None => Vec::new(),
                };
                service_index.insert(e.key.clone(), services.len());
                services.push(Service {
                    name: e.key.clone(),
                    layers: Vec::new(),
                    node: e.value.clone(),
                    profiles,
                });
            }
        }
        // The service's own definitions: in the `-f` files and in included files.
        for (i, f) in r.files.iter().enumerate() {
            if f.role == Role::Extended {
                continue;
            }
            let Some(svcs) = f.root.get("services").and_then(|s| s.as_map()) else {
                continue;
            };
            for e in svcs {
                if e.value.as_map().is_none() {
                    continue;
                }
                if let Some(&at) = service_index.get(&e.key) {
                    services[at].layers.push(Layer {
                        file: i,
                        node: e.value.clone(),
                        key_pos: e.key_pos,
                    });
                }
            }
        }
        services.retain(|s| !s.layers.is_empty());
        let service_index = services
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.clone(), i))
            .collect();
        let files = r.files;
        let name = project_name(
            &files[..ids.len()],
            &env,
            &dir,
            opts.project_name.as_deref(),
        );
        Ok(Project {
            files,
            services,
            model,
            env,
            dir,
            name,
            service_index,
        })
    }

    /// The service called `name` (by index: thousands of services are looked up by name).
    /// The index of service `name` in `services`.
    pub fn service_position(&self, name: &str) -> Option<usize> {
        self.service_index
            .get(name)
            .copied()
            .filter(|&i| self.services.get(i).is_some_and(|s| s.name == name))
            .or_else(|| self.services.iter().position(|s| s.name == name))
    }

    pub fn service(&self, name: &str) -> Option<&Service> {
        self.service_index
            .get(name)
            .and_then(|&i| self.services.get(i))
            .filter(|s| s.name == name)
            .or_else(|| self.services.iter().find(|s| s.name == name))
    }

    /// Whether harden may edit file `i`: a `-f` file, or an included file under the project
    /// directory (never an extends base read from elsewhere, never a file outside).
    pub fn editable(&self, i: usize) -> bool {
        let Some(f) = self.files.get(i) else {
            return false;
        };
        match f.role {
            Role::Main => true,
            Role::Extended => false,
            Role::Included => {
                let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
                canon(&f.abs).starts_with(canon(&self.dir))
            }
        }
    }

    /// The interpolated text of a scalar, with the variables of the file that wrote it.
    pub fn text(&self, n: &Node) -> Option<String> {
        let raw = n.as_str()?;
        Some(interp::resolve(raw, self.env_of(n)).value)
    }

    /// The variables a node is interpolated with.
    pub fn env_of(&self, n: &Node) -> &Env {
        self.files
            .get(n.file as usize)
            .map(|f| &*f.env)
            .unwrap_or(&*self.env)
    }

    /// The file that wrote a node.
    pub fn file_of(&self, n: &Node) -> &Path {
        self.files
            .get(n.file as usize)
            .map(|f| f.path.as_path())
            .unwrap_or(Path::new(""))
    }
}

/// The project name as Compose v2 chooses it: `-p`, else `COMPOSE_PROJECT_NAME`, else the last
/// `name:` of the files, else the project directory's base name, normalised.
fn project_name(files: &[ComposeFile], env: &Env, dir: &Path, flag: Option<&str>) -> String {
    if let Some(n) = flag.filter(|n| !n.is_empty()) {
        return normalize_project_name(n);
    }
    if let Some(n) = env.get("COMPOSE_PROJECT_NAME").filter(|n| !n.is_empty()) {
        return normalize_project_name(n);
    }
    let from_file = files
        .iter()
        .rev()
        .filter_map(|f| f.root.get("name").and_then(|n| n.as_str()))
        .map(|n| interp::resolve(n, env).value)
        .find(|n| !n.is_empty());
    if let Some(n) = from_file {
        return normalize_project_name(&n);
    }
    let base = std::fs::canonicalize(dir)
        .ok()
        .and_then(|d| d.file_name().map(|s| s.to_string_lossy().to_string()))
        .or_else(|| dir.file_name().map(|s| s.to_string_lossy().to_string()))
        .unwrap_or_default();
    normalize_project_name(&base)
}

/// Lower case, only `[a-z0-9_-]`, starting with a letter or digit.
pub fn normalize_project_name(name: &str) -> String {
    let s: String = name
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '-')
        .collect();
    s.trim_start_matches(['_', '-']).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_errors_have_positions() {
        let e = parse_file(Path::new("c.yaml"), "services:\n  - web\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "c.yaml:1:1: `services` must be a mapping, found a list"
        );
        let e = parse_file(Path::new("c.yaml"), "services:\n  web: nginx\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "c.yaml:2:3: service `web` must be a mapping, found a scalar"
        );
        let e = parse_file(Path::new("c.yaml"), "services: [\n").unwrap_err();
        assert!(e.to_string().starts_with("c.yaml:"), "{e}");
        assert!(parse_file(Path::new("c.yaml"), "").is_err());
    }

    #[test]
    fn names() {
        assert_eq!(normalize_project_name("My App.v2"), "myappv2");
        assert_eq!(normalize_project_name("_x"), "x");
    }

    #[test]
    fn discovery_finds_override() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("compose.yaml"), "services: {}\n").unwrap();
        std::fs::write(d.path().join("compose.override.yml"), "services: {}\n").unwrap();
        let sub = d.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let found = discover(&[], None, None, &sub).unwrap();
        assert_eq!(found.len(), 2);
        assert!(found[1].ends_with("compose.override.yml"));
        let found = discover(&[], Some("a.yml:b.yml"), None, d.path()).unwrap();
        assert_eq!(found, vec![PathBuf::from("a.yml"), PathBuf::from("b.yml")]);
    }
}
