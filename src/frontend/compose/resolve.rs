//! Resolves a Compose project as Compose v2 (compose-go v2) does, keeping positions.
//!
//! The order is compose-go's `loadYamlModel`, file by file:
//! 1. the file's `!reset` nodes are taken out and the routes of its `!reset` / `!override` nodes
//!    recorded;
//! 2. `extends` is applied to the file's services (a base in the same file, or in another file
//!    loaded on its own; chains followed; a cycle is an error), the recorded routes removed from
//!    each base first;
//! 3. the recorded routes are removed from what the earlier files built (so `!reset` clears,
//!    and `!override` replaces instead of merging);
//! 4. top-level `include:` loads each included project on its own (its own directory, `.env` or
//!    `env_file`, nested includes, extends) and imports its services, networks, volumes, secrets
//!    and configs (a clash with a different definition is an error);
//! 5. the file is merged over the earlier ones with Compose's merge rules (lists appended, some
//!    keys replaced, `environment`/`labels`/… merged by name), then items that repeat a key
//!    (a port, a volume target, a variable name …) keep the last definition.
//!
//! Every node of the result is a node of some file (or made from one, for merged mappings and
//! `KEY=value` items): its file, line and column are where the value is written. Scalars are not
//! interpolated here: each file has its own variables (an included project has its own `.env`),
//! and readers interpolate a node with the variables of its file.

use super::interp::{self, Env};
use super::tree::{Entry, FileId, Node, Pos, Seg, Style, Tag, Value, node_size};
use super::{ComposeError, ComposeFile, Role};
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// Most files (Compose files, includes, extends bases) one project may read.
pub const MAX_FILES: usize = 256;
/// Deepest `extends` chain or `include` nesting followed.
pub const MAX_DEPTH: usize = 64;

/// Reads and resolves files into one model.
pub struct Resolver<'a> {
    pub files: Vec<ComposeFile>,
    /// Absolute (lexically normalised) path → index into `files`.
    by_path: HashMap<PathBuf, usize>,
    /// Texts to use instead of what is on disk (absolute path → text): a fixed project.
    overrides: &'a HashMap<PathBuf, String>,
    cwd: PathBuf,
    /// The services each included project contributed: (file index, service name).
    pub imported: Vec<(usize, String)>,
}

/// A route recorded for `!reset` / `!override`.
type ResetRoute = Vec<String>;

/// What one load skips (extends bases and includes are loaded with both off, as compose-go
/// does).
#[derive(Clone, Copy, Default)]
struct Skip {
    extends: bool,
    include: bool,
}

/// `path` made absolute against the process's working directory (asked of the system only
/// when `path` is relative).
pub fn absolute_here(path: &Path) -> PathBuf {
    if path.is_absolute() {
        absolute(Path::new("/"), path)
    } else {
        absolute(&std::env::current_dir().unwrap_or_default(), path)
    }
}

/// `path` made absolute against `base`, with `.` and `..` resolved lexically (as Go's
/// `filepath.Join` does).
pub fn absolute(base: &Path, path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

impl<'a> Resolver<'a> {
    pub fn new(cwd: &Path, overrides: &'a HashMap<PathBuf, String>) -> Self {
        Resolver {
            files: Vec::new(),
            by_path: HashMap::new(),
            overrides,
            cwd: absolute_here(cwd),
            imported: Vec::new(),
        }
    }

    /// How a path is shown in messages: relative to the working directory when under it.
    fn shown(&self, abs: &Path) -> PathBuf {
        match abs.strip_prefix(&self.cwd) {
            Ok(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
            _ => abs.to_path_buf(),
        }
    }

    /// Reads and parses a file once; `shown` is how messages name it.
    pub fn read(
        &mut self,
        shown: Option<PathBuf>,
        abs: PathBuf,
        env: Arc<Env>,
        role: Role,
    ) -> Result<usize, ComposeError> {
        if let Some(&i) = self.by_path.get(&abs) {
            return Ok(i);
        }
        let shown = shown.unwrap_or_else(|| self.shown(&abs));
        if self.files.len() >= MAX_FILES {
            return Err(ComposeError::new(
                Some(&shown),
                None,
                format!("the project reads more than {MAX_FILES} files; refusing to read more"),
            ));
        }
        let text = match self.overrides.get(&abs) {
            Some(t) => t.clone(),
            None => super::read_text(&abs).map_err(|mut e| {
                e.file = Some(shown.clone());
                e
            })?,
        };
        let id = self.files.len();
        let mut file = super::parse_file_in(&shown, &text, id as FileId)?;
        file.abs = abs.clone();
        file.dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
        file.env = env;
        file.role = role;
        self.files.push(file);
        self.by_path.insert(abs, id);
        Ok(id)
    }

    fn file_err(&self, id: FileId, pos: Pos, message: impl Into<String>) -> ComposeError {
        ComposeError::new(Some(&self.files[id as usize].path), Some(pos), message)
    }

    /// The interpolated text of a scalar, with the variables of its file.
    pub fn text(&self, n: &Node) -> Option<String> {
        let raw = n.as_str()?;
        Some(interp::resolve(raw, &self.files[n.file as usize].env).value)
    }

    /// Loads the main project: `files` (already read, in order) resolved into one model.
    pub fn load_main(
        &mut self,
        files: &[usize],
        working_dir: &Path,
        env: &Arc<Env>,
    ) -> Result<Arc<Node>, ComposeError> {
        let included = Vec::new();
        self.load_model(files, working_dir, env, Skip::default(), &included, 0)
    }

    fn load_model(
        &mut self,
        files: &[usize],
        working_dir: &Path,
        env: &Arc<Env>,
        skip: Skip,
        included: &[PathBuf],
        depth: usize,
    ) -> Result<Arc<Node>, ComposeError> {
        let mut dict: Option<Arc<Node>> = None;
        for &id in files {
            let root = self.files[id].root.clone();
            let mut resets = Vec::new();
            let cfg =
                strip_tags(&root, &mut Vec::new(), &mut resets).unwrap_or_else(|| empty_map(&root));
            let cfg = if skip.extends {
                cfg
            } else {
                self.apply_extends(id, &cfg, &resets, working_dir, env, depth)?
            };
            if let Some(d) = dict.take() {
                let mut d = d;
                for r in &resets {
                    d = remove_route(&d, r);
                }
                dict = Some(d);
            }
            let cfg = if skip.include {
                cfg
            } else {
                let mut inc = included.to_vec();
                inc.push(self.files[files[0]].abs.clone());
                self.apply_include(id, &cfg, working_dir, env, &inc, depth)?
            };
            let merged = match dict {
                None => cfg,
                Some(d) => self.merge(&d, &cfg, &mut Vec::new())?,
            };
            dict = Some(self.unicity(&merged));
        }
        Ok(dict.unwrap_or_else(|| empty_map(&self.files[files[0]].root)))
    }

    /// Applies `extends` to every service of one file's (tag-stripped) tree.
    fn apply_extends(
        &mut self,
        file: usize,
        cfg: &Arc<Node>,
        resets: &[ResetRoute],
        working_dir: &Path,
        env: &Arc<Env>,
        depth: usize,
    ) -> Result<Arc<Node>, ComposeError> {
        let Some(services) = cfg.get("services").filter(|s| s.as_map().is_some()) else {
            return Ok(cfg.clone());
        };
        let any = services
            .as_map()
            .is_some_and(|m| m.iter().any(|e| e.value.get("extends").is_some()));
        if !any {
            return Ok(cfg.clone());
        }
        let mut table: Services = services
            .as_map()
            .unwrap_or_default()
            .iter()
            .map(|e| (e.key.clone(), (e.value.clone(), false)))
            .collect();
        let names: Vec<String> = services
            .as_map()
            .unwrap_or_default()
            .iter()
            .map(|e| e.key.clone())
            .collect();
        let ctx = ExtendsCtx {
            file,
            working_dir: working_dir.to_path_buf(),
            env: env.clone(),
            resets: resets.to_vec(),
            depth,
        };
        for name in &names {
            self.extend_service(name, &mut table, file, &ctx, &mut Vec::new())?;
        }
        // Rebuild the services mapping with the resolved services, in the file's order.
        let entries: Vec<Entry> = services
            .as_map()
            .unwrap_or_default()
            .iter()
            .map(|e| Entry {
                key: e.key.clone(),
                key_pos: e.key_pos,
                path: e.path.clone(),
                value: table
                    .get(&e.key)
                    .map(|t| t.0.clone())
                    .unwrap_or(e.value.clone()),
                merged: e.merged,
            })
            .collect();
        let new_services = map_like(services, entries);
        Ok(set_key(cfg, "services", new_services))
    }

    /// Resolves `extends` of service `name` in `table` (the services of one file), recursively.
    fn extend_service(
        &mut self,
        name: &str,
        table: &mut Services,
        table_file: usize,
        ctx: &ExtendsCtx,
        chain: &mut Vec<(usize, String, Pos)>,
    ) -> Result<Option<Arc<Node>>, ComposeError> {
        let Some((node, done)) = table.get(name).cloned() else {
            return Ok(None);
        };
        if done || node.is_null() {
            return Ok(Some(node));
        }
        if node.as_map().is_none() {
            return Err(self.file_err(
                node.file,
                node.pos,
                format!("service `{name}` must be a mapping"),
            ));
        }
        let Some(ext) = node.entry("extends") else {
            table.insert(name.to_string(), (node.clone(), true));
            return Ok(Some(node));
        };
        let ext_pos = ext.key_pos;
        let (base_name, base_file) = self.extends_target(&ext.value)?;
        if chain.len() >= MAX_DEPTH {
            return Err(self.file_err(
                node.file,
                ext_pos,
                format!("`extends` chain deeper than {MAX_DEPTH} services"),
            ));
        }
        // Cycle: the same service of the same file again.
        if let Some(at) = chain
            .iter()
            .position(|(f, s, _)| *f == table_file && s == name)
        {
            let mut lines = vec!["`extends` cycle:".to_string()];
            for (f, s, p) in chain[at..].iter() {
                lines.push(format!(
                    "  service `{s}` in {}:{}",
                    self.files[*f].path.display(),
                    p.line
                ));
            }
            lines.push(format!(
                "  extends `{name}` in {} again",
                self.files[table_file].path.display()
            ));
            return Err(self.file_err(node.file, ext_pos, lines.join("\n")));
        }
        chain.push((table_file, name.to_string(), ext_pos));
        let base = match base_file {
            None => {
                if !table.contains_key(&base_name) {
                    return Err(self.file_err(
                        node.file,
                        ext_pos,
                        format!(
                            "service `{name}` extends `{base_name}`, which is not a service of \
                             this file"
                        ),
                    ));
                }
                self.extend_service(&base_name, table, table_file, ctx, chain)?
            }
            Some(path) => {
                let abs = absolute(&ctx.working_dir, Path::new(&path));
                let other = self
                    .read(None, abs, ctx.env.clone(), Role::Extended)
                    .map_err(|mut e| {
                        e.message = format!(
                            "{} (extended by service `{name}` at {}:{})",
                            e.message,
                            self.files[node.file as usize].path.display(),
                            ext_pos.line
                        );
                        e
                    })?;
                let other_dir = self.files[other].dir.clone();
                let model = self.load_model(
                    &[other],
                    &other_dir,
                    &ctx.env,
                    Skip {
                        extends: true,
                        include: true,
                    },
                    &[],
                    ctx.depth + 1,
                )?;
                let mut other_table: Services = model
                    .get("services")
                    .and_then(|s| s.as_map())
                    .unwrap_or_default()
                    .iter()
                    .map(|e| (e.key.clone(), (e.value.clone(), false)))
                    .collect();
                if !other_table.contains_key(&base_name) {
                    return Err(self.file_err(
                        node.file,
                        ext_pos,
                        format!(
                            "service `{name}` extends `{base_name}` in {}, which has no such \
                             service",
                            self.files[other].path.display()
                        ),
                    ));
                }
                self.extend_service(&base_name, &mut other_table, other, ctx, chain)?
            }
        };
        chain.pop();
        let Some(base) = base else {
            table.insert(name.to_string(), (node.clone(), true));
            return Ok(Some(node));
        };
        // The extending file's `!reset` / `!override` routes under this service clear the base.
        let mut source = base;
        for r in &ctx.resets {
            if r.len() > 2 && r[0] == "services" && r[1] == name {
                source = remove_route(&source, &r[2..]);
            }
        }
        let mut path = vec!["services".to_string(), "x".to_string()];
        let merged = if source.as_map().is_some() {
            self.merge(&source, &node, &mut path)?
        } else {
            node.clone()
        };
        let merged = remove_key(&merged, "extends");
        table.insert(name.to_string(), (merged.clone(), true));
        Ok(Some(merged))
    }

    /// `extends: base` or `extends: {service: base, file: other.yaml}` (interpolated).
    fn extends_target(&self, ext: &Arc<Node>) -> Result<(String, Option<String>), ComposeError> {
        if ext.as_map().is_some() {
            let service = ext
                .get("service")
                .and_then(|s| self.text(s))
                .filter(|s| !s.is_empty())
                .ok_or_else(|| {
                    self.file_err(ext.file, ext.pos, "`extends` needs `service: NAME`")
                })?;
            let file = ext.get("file").and_then(|f| self.text(f));
            return Ok((service, file.filter(|f| !f.is_empty())));
        }
        match self.text(ext) {
            Some(s) if !s.is_empty() => Ok((s, None)),
            _ => Err(self.file_err(
                ext.file,
                ext.pos,
                "`extends` is a service name or a mapping with `service:`",
            )),
        }
    }

    /// Applies a file's top-level `include:`.
    fn apply_include(
        &mut self,
        file: usize,
        cfg: &Arc<Node>,
        working_dir: &Path,
        env: &Arc<Env>,
        included: &[PathBuf],
        depth: usize,
    ) -> Result<Arc<Node>, ComposeError> {
        let Some(inc) = cfg.entry("include") else {
            return Ok(cfg.clone());
        };
        let inc_pos = inc.key_pos;
        let items: Vec<Arc<Node>> = match inc.value.as_seq() {
            Some(items) => items.to_vec(),
            None if inc.value.is_null() => Vec::new(),
            None => {
                return Err(self.file_err(
                    file as FileId,
                    inc_pos,
                    "`include` is a list of files or of {path, project_directory, env_file}",
                ));
            }
        };
        let mut cfg = remove_key(cfg, "include");
        if depth >= MAX_DEPTH {
            return Err(self.file_err(
                file as FileId,
                inc_pos,
                format!("`include` nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        for item in items {
            let (paths, project_dir, env_files) = self.include_entry(&item)?;
            if paths.is_empty() {
                return Err(self.file_err(item.file, item.pos, "`include` item has no path"));
            }
            let abs_paths: Vec<PathBuf> = paths
                .iter()
                .map(|p| absolute(working_dir, Path::new(p)))
                .collect();
            let first = &abs_paths[0];
            let project_dir = match project_dir {
                Some(d) => absolute(working_dir, Path::new(&d)),
                None => first.parent().map(Path::to_path_buf).unwrap_or_default(),
            };
            if included.iter().any(|f| f == first) {
                let mut lines = vec!["`include` cycle:".to_string()];
                for f in included {
                    lines.push(format!("  {}", self.shown(f).display()));
                }
                lines.push(format!("  includes {} again", self.shown(first).display()));
                return Err(self.file_err(item.file, item.pos, lines.join("\n")));
            }
            // Variables: the including project's, then the include's env_file (or the `.env`
            // of its project directory) for what is not set yet.
            let mut vars = (**env).clone();
            let env_paths: Vec<PathBuf> = if env_files.is_empty() {
                let f = project_dir.join(".env");
                if f.is_file() { vec![f] } else { Vec::new() }
            } else {
                env_files
                    .iter()
                    .map(|f| absolute(working_dir, Path::new(f)))
                    .collect()
            };
            for f in env_paths {
                let text = super::read_text(&f).map_err(|e| {
                    self.file_err(
                        item.file,
                        item.pos,
                        format!(
                            "include env_file {}: {}",
                            self.shown(&f).display(),
                            e.message
                        ),
                    )
                })?;
                for (k, v) in interp::parse_dotenv(&text) {
                    vars.vars.entry(k).or_insert(v);
                }
            }
            let inc_env = Arc::new(vars);
            let mut ids = Vec::new();
            for p in &abs_paths {
                let id = self
                    .read(None, p.clone(), inc_env.clone(), Role::Included)
                    .map_err(|mut e| {
                        e.message = format!(
                            "{} (included at {}:{})",
                            e.message,
                            self.files[item.file as usize].path.display(),
                            item.pos.line
                        );
                        e
                    })?;
                ids.push(id);
            }
            // Relative paths in every file of the include resolve against the first one's
            // directory; `extends.file` and nested includes against its project directory.
            let inc_dir = self.files[ids[0]]
                .abs
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default();
            for &id in &ids {
                if self.files[id].role == Role::Included {
                    self.files[id].dir = inc_dir.clone();
                }
            }
            let imported = self.load_model(
                &ids,
                &project_dir,
                &inc_env,
                Skip::default(),
                included,
                depth + 1,
            )?;
            if let Some(svcs) = imported.get("services").and_then(|s| s.as_map()) {
                for e in svcs {
                    self.imported.push((ids[0], e.key.clone()));
                }
            }
            cfg = self.import_resources(&imported, &cfg, &item)?;
        }
        Ok(cfg)
    }

    /// `path` (one or a list), `project_directory`, `env_file` (one or a list) of an include.
    fn include_entry(&self, item: &Arc<Node>) -> Result<IncludeEntry, ComposeError> {
        let list = |n: Option<&Arc<Node>>| -> Vec<String> {
            match n {
                None => Vec::new(),
                Some(n) => match n.as_seq() {
                    Some(items) => items.iter().filter_map(|i| self.text(i)).collect(),
                    None => self.text(n).into_iter().collect(),
                },
            }
        };
        if item.as_map().is_some() {
            Ok((
                list(item.get("path")),
                item.get("project_directory").and_then(|d| self.text(d)),
                list(item.get("env_file")),
            ))
        } else if let Some(p) = self.text(item) {
            Ok((vec![p], None, Vec::new()))
        } else {
            Err(self.file_err(
                item.file,
                item.pos,
                "`include` item must be a path or a mapping",
            ))
        }
    }

    fn import_resources(
        &self,
        source: &Arc<Node>,
        target: &Arc<Node>,
        item: &Arc<Node>,
    ) -> Result<Arc<Node>, ComposeError> {
        let mut target = target.clone();
        for key in ["services", "volumes", "networks", "secrets", "configs"] {
            let Some(from) = source.get(key).and_then(|f| f.as_map()) else {
                continue;
            };
            let to = target.get(key).cloned();
            let mut entries: Vec<Entry> = to
                .as_ref()
                .and_then(|t| t.as_map())
                .map(|m| m.iter().map(clone_entry).collect())
                .unwrap_or_default();
            for e in from {
                if let Some(have) = entries.iter().find(|h| h.key == e.key) {
                    if self.plain(&have.value) == self.plain(&e.value) {
                        continue;
                    }
                    return Err(ComposeError::new(
                        Some(&self.files[have.value.file as usize].path),
                        Some(have.key_pos),
                        format!(
                            "{key}.{} conflicts with the one imported by `include` at {}:{} \
                             (from {}:{})",
                            e.key,
                            self.files[item.file as usize].path.display(),
                            item.pos.line,
                            self.files[e.value.file as usize].path.display(),
                            e.key_pos.line
                        ),
                    ));
                }
                entries.push(clone_entry(e));
            }
            let node = match &to {
                Some(t) => map_like(t, entries),
                None => map_like(source.get(key).unwrap_or(source), entries),
            };
            target = set_key(&target, key, node);
        }
        Ok(target)
    }

    /// A node as an interpolated plain value (to compare definitions).
    pub fn plain(&self, n: &Node) -> serde_json::Value {
        use serde_json::Value as J;
        match &n.value {
            Value::Scalar { style, text } => {
                if *style == Style::Plain && n.is_null() {
                    return J::Null;
                }
                let t = interp::resolve(text, &self.files[n.file as usize].env).value;
                J::String(t)
            }
            Value::Seq(items) => J::Array(items.iter().map(|i| self.plain(i)).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), self.plain(&e.value)))
                    .collect(),
            ),
        }
    }

    /// compose-go's `mergeYaml`: `over` merged onto `base` at `path`.
    fn merge(
        &self,
        base: &Arc<Node>,
        over: &Arc<Node>,
        path: &mut Vec<String>,
    ) -> Result<Arc<Node>, ComposeError> {
        if let Some(special) = special(path) {
            return Ok(match special {
                Special::Override => over.clone(),
                Special::ToSequence => {
                    let mut items = self.to_sequence(base);
                    items.extend(self.to_sequence(over));
                    seq_like(if over.as_seq().is_some() { over } else { base }, items)
                }
                Special::Build => {
                    let b = self.to_build(base);
                    let o = self.to_build(over);
                    self.merge_mappings(&b, &o, path)?
                }
                Special::Mapping(default) => {
                    let b = self.to_mapping(base, default);
                    let o = self.to_mapping(over, default);
                    self.merge_mappings(&b, &o, path)?
                }
                Special::Logging => {
                    let bd = base.get("driver").and_then(|d| self.text(d));
                    let od = over.get("driver").and_then(|d| self.text(d));
                    if base.as_map().is_none() || over.as_map().is_none() {
                        over.clone()
                    } else if bd == od || bd.is_none() || od.is_none() {
                        self.merge_mappings(base, over, path)?
                    } else {
                        over.clone()
                    }
                }
                Special::Ulimit => over.clone(),
            });
        }
        if over.is_null() {
            return Ok(base.clone());
        }
        match (&base.value, &over.value) {
            (Value::Map(_), Value::Map(_)) => self.merge_mappings(base, over, path),
            (Value::Map(_), _) | (Value::Seq(_), Value::Map(_) | Value::Scalar { .. }) => Err(self
                .file_err(
                    over.file,
                    over.pos,
                    format!(
                        "cannot override `{}`: {} here, {} in {}:{}",
                        path.join("."),
                        over.kind_name(),
                        base.kind_name(),
                        self.files[base.file as usize].path.display(),
                        base.pos.line
                    ),
                )),
            (Value::Seq(a), Value::Seq(b)) => {
                let mut items = a.clone();
                items.extend(b.iter().cloned());
                Ok(seq_like(over, items))
            }
            _ => Ok(over.clone()),
        }
    }

    fn merge_mappings(
        &self,
        base: &Arc<Node>,
        over: &Arc<Node>,
        path: &mut Vec<String>,
    ) -> Result<Arc<Node>, ComposeError> {
        let (Some(b), Some(o)) = (base.as_map(), over.as_map()) else {
            return Ok(over.clone());
        };
        let mut entries: Vec<Entry> = b.iter().map(clone_entry).collect();
        let mut index: HashMap<&str, usize> = HashMap::new();
        if entries.len() > 16 {
            index = b
                .iter()
                .enumerate()
                .map(|(i, e)| (e.key.as_str(), i))
                .collect();
        }
        for e in o {
            let at = if index.is_empty() {
                entries.iter().position(|h| h.key == e.key)
            } else {
                index.get(e.key.as_str()).copied()
            };
            match at {
                Some(i) if !e.key.starts_with("x-") => {
                    path.push(e.key.clone());
                    let merged = self.merge(&entries[i].value, &e.value, path);
                    path.pop();
                    let merged = merged?;
                    let keep_key = !Arc::ptr_eq(&merged, &entries[i].value);
                    entries[i] = Entry {
                        key: e.key.clone(),
                        key_pos: if keep_key {
                            e.key_pos
                        } else {
                            entries[i].key_pos
                        },
                        path: if keep_key {
                            e.path.clone()
                        } else {
                            entries[i].path.clone()
                        },
                        value: merged,
                        merged: e.merged && entries[i].merged,
                    };
                }
                Some(i) => entries[i] = clone_entry(e),
                None => entries.push(clone_entry(e)),
            }
        }
        Ok(map_like(over, entries))
    }

    /// compose-go's `convertIntoSequence`: a mapping becomes sorted `KEY=value` items.
    fn to_sequence(&self, n: &Arc<Node>) -> Vec<Arc<Node>> {
        match &n.value {
            Value::Map(entries) => {
                let mut items: Vec<(String, Arc<Node>)> = entries
                    .iter()
                    .map(|e| {
                        let text = if e.value.is_null() {
                            e.key.clone()
                        } else {
                            match &e.value.value {
                                Value::Scalar { text, .. } => format!("{}={text}", e.key),
                                _ => format!("{}=", e.key),
                            }
                        };
                        let node = Arc::new(Node {
                            value: Value::Scalar {
                                text,
                                style: Style::Quoted,
                            },
                            pos: e.key_pos,
                            file: e.value.file,
                            tag: Tag::None,
                            path: e.path.clone(),
                            flow: false,
                            anchored: false,
                            size: 1,
                            merges: Box::default(),
                        });
                        let sort_key = self.text(&node).unwrap_or_default();
                        (sort_key, node)
                    })
                    .collect();
                items.sort_by(|a, b| a.0.cmp(&b.0));
                items.into_iter().map(|(_, n)| n).collect()
            }
            Value::Seq(items) => items.clone(),
            Value::Scalar { .. } if n.is_null() => Vec::new(),
            Value::Scalar { .. } => vec![n.clone()],
        }
    }

    fn to_build(&self, n: &Arc<Node>) -> Arc<Node> {
        if n.as_map().is_some() {
            return n.clone();
        }
        if n.is_null() {
            return empty_map(n);
        }
        map_like(
            n,
            vec![Entry {
                key: "context".into(),
                key_pos: n.pos,
                path: n.path.clone(),
                value: n.clone(),
                merged: false,
            }],
        )
    }

    /// compose-go's `convertIntoMapping`: list items become keys.
    fn to_mapping(&self, n: &Arc<Node>, default: MappingDefault) -> Arc<Node> {
        match &n.value {
            Value::Map(_) => n.clone(),
            Value::Seq(items) => {
                let entries = items
                    .iter()
                    .filter_map(|i| {
                        let key = self.text(i)?;
                        let value = match default {
                            MappingDefault::Null => null_at(i),
                            MappingDefault::DependsOn => depends_on_default(i),
                        };
                        Some(Entry {
                            key,
                            key_pos: i.pos,
                            path: i.path.clone(),
                            value,
                            merged: false,
                        })
                    })
                    .collect();
                map_like(n, entries)
            }
            _ => empty_map(n),
        }
    }

    /// compose-go's `EnforceUnicity`: in the lists where items have a key (a port, a volume
    /// target, a variable name …), a later item replaces an earlier one with the same key.
    pub fn unicity(&self, root: &Arc<Node>) -> Arc<Node> {
        let Some(services) = root.get("services").filter(|s| s.as_map().is_some()) else {
            return root.clone();
        };
        let map = services.as_map().unwrap_or_default();
        let unique: Vec<Arc<Node>> = map.iter().map(|e| self.unique_service(&e.value)).collect();
        if map
            .iter()
            .zip(&unique)
            .all(|(e, v)| Arc::ptr_eq(v, &e.value))
        {
            return root.clone();
        }
        let entries: Vec<Entry> = map
            .iter()
            .zip(unique)
            .map(|(e, v)| Entry {
                value: v,
                ..clone_entry(e)
            })
            .collect();
        set_key(root, "services", map_like(services, entries))
    }

    fn unique_service(&self, svc: &Arc<Node>) -> Arc<Node> {
        let Some(map) = svc.as_map() else {
            return svc.clone();
        };
        let mut out = svc.clone();
        for e in map {
            let Some(indexer) = indexer_for(&e.key) else {
                continue;
            };
            if let Some(items) = e.value.as_seq()
                && let Some(new) = self.dedupe(items, indexer)
            {
                out = set_key(&out, &e.key, seq_like(&e.value, new));
            }
        }
        out
    }

    /// The items with later duplicates folded onto the first position, or `None` when no key
    /// repeats.
    fn dedupe(&self, items: &[Arc<Node>], indexer: Indexer) -> Option<Vec<Arc<Node>>> {
        if items.len() < 2 {
            return None;
        }
        let keys: Vec<String> = items.iter().map(|i| self.index_key(i, indexer)).collect();
        let distinct = if keys.len() <= 16 {
            // A few items (the usual list): compared pairwise, without hashing.
            (1..keys.len()).all(|i| !keys[..i].contains(&keys[i]))
        } else {
            let mut seen: HashSet<&str> = HashSet::new();
            keys.iter().all(|k| seen.insert(k.as_str()))
        };
        if distinct {
            return None;
        }
        let mut out: Vec<Arc<Node>> = Vec::new();
        let mut at: HashMap<&str, usize> = HashMap::new();
        for (k, item) in keys.iter().zip(items) {
            match at.get(k.as_str()) {
                Some(&j) => out[j] = item.clone(),
                None => {
                    at.insert(k, out.len());
                    out.push(item.clone());
                }
            }
        }
        Some(out)
    }

    fn index_key(&self, n: &Arc<Node>, indexer: Indexer) -> String {
        let field = |k: &str| n.get(k).and_then(|v| self.text(v));
        match indexer {
            Indexer::KeyValue => {
                let t = self.text(n).unwrap_or_default();
                match t.split_once('=') {
                    Some((k, _)) => k.to_string(),
                    None => t,
                }
            }
            Indexer::Whole => self.text(n).unwrap_or_default(),
            Indexer::Volume => {
                if n.as_map().is_some() {
                    field("target").unwrap_or_default()
                } else {
                    let t = self.text(n).unwrap_or_default();
                    super::spec::short_volume(&t).target
                }
            }
            Indexer::Port => {
                if n.as_map().is_some() {
                    format!(
                        "{}:{}:{}/{}",
                        field("host_ip").unwrap_or_else(|| "0.0.0.0".into()),
                        field("published").unwrap_or_default(),
                        field("target").unwrap_or_default(),
                        field("protocol").unwrap_or_else(|| "tcp".into())
                    )
                } else {
                    self.text(n).unwrap_or_default()
                }
            }
            Indexer::Mount(default) => {
                if n.as_map().is_some() {
                    field("target").unwrap_or_else(|| {
                        format!("{default}/{}", field("source").unwrap_or_default())
                    })
                } else {
                    format!("{default}/{}", self.text(n).unwrap_or_default())
                }
            }
            Indexer::EnvFile => {
                if n.as_map().is_some() {
                    field("path").unwrap_or_default()
                } else {
                    self.text(n).unwrap_or_default()
                }
            }
        }
    }
}

type Services = HashMap<String, (Arc<Node>, bool)>;

/// An include's paths, project directory and env files.
type IncludeEntry = (Vec<String>, Option<String>, Vec<String>);

struct ExtendsCtx {
    #[allow(dead_code)]
    file: usize,
    working_dir: PathBuf,
    env: Arc<Env>,
    resets: Vec<ResetRoute>,
    depth: usize,
}

#[derive(Clone, Copy)]
enum MappingDefault {
    Null,
    DependsOn,
}

#[derive(Clone, Copy)]
enum Special {
    Override,
    ToSequence,
    Build,
    Mapping(MappingDefault),
    Logging,
    Ulimit,
}

/// compose-go's `mergeSpecials`.
fn special(path: &[String]) -> Option<Special> {
    let p: Vec<&str> = path.iter().map(String::as_str).collect();
    match p.as_slice() {
        ["services", _, key] => match *key {
            "annotations" | "dns" | "dns_opt" | "dns_search" | "env_file" | "environment"
            | "extra_hosts" | "labels" | "sysctls" | "tmpfs" => Some(Special::ToSequence),
            "build" => Some(Special::Build),
            "command" | "entrypoint" => Some(Special::Override),
            "depends_on" => Some(Special::Mapping(MappingDefault::DependsOn)),
            "logging" => Some(Special::Logging),
            "networks" => Some(Special::Mapping(MappingDefault::Null)),
            _ => None,
        },
        [
            "services",
            _,
            "build",
            "args" | "additional_contexts" | "extra_hosts" | "labels",
        ]
        | ["services", _, "deploy", "labels"]
        | ["networks" | "volumes", _, "labels"] => Some(Special::ToSequence),
        ["services", _, "healthcheck", "test"] => Some(Special::Override),
        ["services", _, "ulimits", _] => Some(Special::Ulimit),
        _ => None,
    }
}

#[derive(Clone, Copy)]
enum Indexer {
    KeyValue,
    Whole,
    Volume,
    Port,
    Mount(&'static str),
    EnvFile,
}

/// compose-go's `unique` table (service level).
fn indexer_for(key: &str) -> Option<Indexer> {
    Some(match key {
        "annotations" | "cap_add" | "cap_drop" | "dns" | "dns_opt" | "dns_search"
        | "environment" | "extra_hosts" | "labels" | "links" | "profiles" | "sysctls" | "tmpfs" => {
            Indexer::KeyValue
        }
        "expose" => Indexer::Whole,
        "volumes" => Indexer::Volume,
        "ports" => Indexer::Port,
        "configs" => Indexer::Mount(""),
        "secrets" => Indexer::Mount("/run/secrets"),
        "env_file" => Indexer::EnvFile,
        _ => return None,
    })
}

/// Takes `!reset` nodes out of a tree and records the routes of `!reset` and `!override` nodes
/// (compose-go's `ResetProcessor`). `None` when the node itself is reset.
fn strip_tags(
    node: &Arc<Node>,
    at: &mut Vec<String>,
    routes: &mut Vec<ResetRoute>,
) -> Option<Arc<Node>> {
    match node.tag {
        Tag::Reset => {
            routes.push(at.clone());
            return None;
        }
        Tag::Override => {
            routes.push(at.clone());
            return Some(node.clone());
        }
        Tag::None => {}
    }
    if !has_tags(node) {
        return Some(node.clone());
    }
    match &node.value {
        Value::Map(entries) => {
            let mut out = Vec::new();
            for e in entries {
                at.push(e.key.clone());
                let v = strip_tags(&e.value, at, routes);
                at.pop();
                if let Some(v) = v {
                    out.push(Entry {
                        value: v,
                        ..clone_entry(e)
                    });
                }
            }
            Some(map_like(node, out))
        }
        Value::Seq(items) => {
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                at.push(i.to_string());
                let v = strip_tags(item, at, routes);
                at.pop();
                out.extend(v);
            }
            Some(seq_like(node, out))
        }
        Value::Scalar { .. } => Some(node.clone()),
    }
}

fn has_tags(node: &Node) -> bool {
    if node.tag != Tag::None {
        return true;
    }
    match &node.value {
        Value::Map(entries) => entries.iter().any(|e| has_tags(&e.value)),
        Value::Seq(items) => items.iter().any(|i| has_tags(i)),
        Value::Scalar { .. } => false,
    }
}

/// The tree without the value at `route` (mapping keys only, as compose-go).
pub fn remove_route(node: &Arc<Node>, route: &[String]) -> Arc<Node> {
    let Some((first, rest)) = route.split_first() else {
        return node.clone();
    };
    let Some(entries) = node.as_map() else {
        return node.clone();
    };
    let Some(i) = entries.iter().position(|e| e.key == *first) else {
        return node.clone();
    };
    let mut out: Vec<Entry> = entries.iter().map(clone_entry).collect();
    if rest.is_empty() {
        out.remove(i);
    } else {
        let v = remove_route(&entries[i].value, rest);
        if Arc::ptr_eq(&v, &entries[i].value) {
            return node.clone();
        }
        out[i].value = v;
    }
    map_like(node, out)
}

fn remove_key(node: &Arc<Node>, key: &str) -> Arc<Node> {
    remove_route(node, &[key.to_string()])
}

/// The mapping with `key` set to `value` (replaced in place, or added).
pub fn set_key(node: &Arc<Node>, key: &str, value: Arc<Node>) -> Arc<Node> {
    let mut entries: Vec<Entry> = node
        .as_map()
        .unwrap_or_default()
        .iter()
        .map(clone_entry)
        .collect();
    match entries.iter_mut().find(|e| e.key == key) {
        Some(e) => e.value = value,
        None => entries.push(Entry {
            key: key.to_string(),
            key_pos: value.pos,
            path: value.path.clone(),
            value,
            merged: false,
        }),
    }
    map_like(node, entries)
}

pub fn clone_entry(e: &Entry) -> Entry {
    Entry {
        key: e.key.clone(),
        key_pos: e.key_pos,
        path: e.path.clone(),
        value: e.value.clone(),
        merged: e.merged,
    }
}

/// A mapping node with `like`'s position, file and route.
pub fn map_like(like: &Node, entries: Vec<Entry>) -> Arc<Node> {
    let size = node_size(1 + entries.iter().map(|e| e.value.size as usize).sum::<usize>());
    Arc::new(Node {
        value: Value::Map(entries),
        pos: like.pos,
        file: like.file,
        tag: Tag::None,
        path: like.path.clone(),
        flow: like.flow && like.as_map().is_some(),
        anchored: false,
        size,
        merges: like.merges.clone(),
    })
}

/// A sequence node with `like`'s position, file and route.
pub fn seq_like(like: &Node, items: Vec<Arc<Node>>) -> Arc<Node> {
    let size = node_size(1 + items.iter().map(|i| i.size as usize).sum::<usize>());
    Arc::new(Node {
        value: Value::Seq(items),
        pos: like.pos,
        file: like.file,
        tag: Tag::None,
        path: like.path.clone(),
        flow: like.flow && like.as_seq().is_some(),
        anchored: false,
        size,
        merges: Box::default(),
    })
}

fn empty_map(like: &Node) -> Arc<Node> {
    Arc::new(Node {
        value: Value::Map(Vec::new()),
        pos: like.pos,
        file: like.file,
        tag: Tag::None,
        path: Arc::from([] as [Seg; 0]),
        flow: false,
        anchored: false,
        size: 1,
        merges: Box::default(),
    })
}

fn null_at(like: &Node) -> Arc<Node> {
    Arc::new(Node {
        value: Value::Scalar {
            text: String::new(),
            style: Style::Plain,
        },
        pos: like.pos,
        file: like.file,
        tag: Tag::None,
        path: like.path.clone(),
        flow: false,
        anchored: false,
        size: 1,
        merges: Box::default(),
    })
}

fn scalar_at(like: &Node, text: &str, style: Style) -> Arc<Node> {
    Arc::new(Node {
        value: Value::Scalar {
            text: text.to_string(),
            style,
        },
        pos: like.pos,
        file: like.file,
        tag: Tag::None,
        path: like.path.clone(),
        flow: false,
        anchored: false,
        size: 1,
        merges: Box::default(),
    })
}

/// `{condition: service_started, required: true}`.
fn depends_on_default(like: &Node) -> Arc<Node> {
    let entry = |k: &str, v: Arc<Node>| Entry {
        key: k.to_string(),
        key_pos: like.pos,
        path: like.path.clone(),
        value: v,
        merged: false,
    };
    map_like(
        like,
        vec![
            entry(
                "condition",
                scalar_at(like, "service_started", Style::Plain),
            ),
            entry("required", scalar_at(like, "true", Style::Plain)),
        ],
    )
}
