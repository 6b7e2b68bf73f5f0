//! The resolved project as one self-contained Compose document (JSON, which every YAML reader
//! takes): what `harden compose config|up|run|create` hand to `docker compose` and `harden stack
//! deploy` to `docker stack deploy`, so that what runs is exactly what harden checked.
//!
//! - values are interpolated with the variables of the file that wrote them (an included project
//!   has its own), then every `$` is written as `$$` so that nothing is interpolated twice;
//! - plain scalars keep their YAML type; interpolated values are strings (Compose casts them
//!   where it expects a number or a boolean, as it does for its own interpolation);
//! - relative paths (bind mounts, build contexts, env files, secret and config files) are made
//!   absolute against the directory Compose resolves them against for that file;
//! - `include:` and `extends` are gone (their content is in the services); an `environment`
//!   entry without a value takes it from the variables of its file, as Compose does.

use super::interp;
use super::tree::{Node, Style, Value};
use super::{ComposeError, Project};
use serde_json::{Map, Value as J};
use std::path::Path;

/// The project as one document.
pub fn document(project: &Project) -> Result<J, ComposeError> {
    let mut f = Flat {
        project,
        errors: Vec::new(),
    };
    let mut out = f.node(&project.model, &mut Vec::new());
    if let Some(e) = f.errors.into_iter().next() {
        return Err(e);
    }
    if let J::Object(m) = &mut out {
        m.remove("include");
        if let Some(J::Object(svcs)) = m.get_mut("services") {
            for svc in svcs.values_mut() {
                if let J::Object(s) = svc {
                    s.remove("extends");
                }
            }
        }
    }
    Ok(out)
}

/// `doc` as text, every `$` escaped as `$$`.
pub fn to_text(doc: &J) -> String {
    let escaped = escape(doc);
    let mut s = serde_json::to_string_pretty(&escaped).unwrap_or_default();
    s.push('\n');
    s
}

/// `doc` as YAML text (for people), every `$` escaped as `$$`.
pub fn to_yaml(doc: &J) -> String {
    let mut s = yaml_serde::to_string(&escape(doc)).unwrap_or_default();
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

fn escape(v: &J) -> J {
    match v {
        J::String(s) => J::String(s.replace('$', "$$")),
        J::Array(items) => J::Array(items.iter().map(escape).collect()),
        J::Object(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), escape(v))).collect()),
        other => other.clone(),
    }
}

struct Flat<'p> {
    project: &'p Project,
    errors: Vec<ComposeError>,
}

impl Flat<'_> {
    fn dir(&self, n: &Node) -> &Path {
        self.project
            .files
            .get(n.file as usize)
            .map(|f| f.dir.as_path())
            .unwrap_or(self.project.dir.as_path())
    }

    fn scalar(&mut self, n: &Node) -> J {
        let Value::Scalar { text, style } = &n.value else {
            return J::Null;
        };
        if *style == Style::Plain && n.is_null() {
            return J::Null;
        }
        if !text.contains('$') {
            if *style == Style::Plain {
                return plain_json(text);
            }
            return J::String(text.clone());
        }
        let env = self.project.env_of(n);
        let r = interp::resolve(text, env);
        if let Some(msg) = r.required.first() {
            self.errors.push(ComposeError::new(
                Some(self.project.file_of(n)),
                Some(n.pos),
                msg.clone(),
            ));
        }
        J::String(r.value)
    }

    fn node(&mut self, n: &Node, path: &mut Vec<String>) -> J {
        let out = match &n.value {
            Value::Scalar { .. } => self.scalar(n),
            Value::Seq(items) => J::Array(
                items
                    .iter()
                    .map(|i| {
                        path.push("[]".into());
                        let v = self.node(i, path);
                        path.pop();
                        v
                    })
                    .collect(),
            ),
            Value::Map(entries) => {
                let mut m = Map::new();
                for e in entries {
                    path.push(e.key.clone());
                    let v = self.node(&e.value, path);
                    let v = if v.is_null() && is_environment(path) {
                        // `environment: {VAR: }` takes VAR from the variables of its file.
                        match self.project.env_of(&e.value).get(&e.key) {
                            Some(x) => J::String(x.to_string()),
                            None => J::Null,
                        }
                    } else {
                        v
                    };
                    path.pop();
                    m.insert(e.key.clone(), v);
                }
                J::Object(m)
            }
        };
        self.paths(n, path, out)
    }

    /// Makes the relative paths of `v` (at `path`) absolute against `n`'s file.
    fn paths(&self, n: &Node, path: &[String], v: J) -> J {
        let p: Vec<&str> = path.iter().map(String::as_str).collect();
        let dir = self.dir(n);
        match p.as_slice() {
            ["services", _, "build"] => match v {
                J::String(s) => J::String(abs_context(dir, &s)),
                J::Object(mut m) => {
                    if let Some(J::String(c)) = m.get("context").cloned() {
                        m.insert("context".into(), J::String(abs_context(dir, &c)));
                    }
                    J::Object(m)
                }
                other => other,
            },
            ["services", _, "build", "additional_contexts"] => match v {
                J::Object(m) => J::Object(
                    m.into_iter()
                        .map(|(k, v)| match v {
                            J::String(s) => (k, J::String(abs_context(dir, &s))),
                            other => (k, other),
                        })
                        .collect(),
                ),
                J::Array(items) => J::Array(
                    items
                        .into_iter()
                        .map(|i| match i {
                            J::String(s) => match s.split_once('=') {
                                Some((k, c)) => J::String(format!("{k}={}", abs_context(dir, c))),
                                None => J::String(s),
                            },
                            other => other,
                        })
                        .collect(),
                ),
                other => other,
            },
            ["services", _, "env_file"] => match v {
                J::String(s) => J::String(abs(dir, &s)),
                J::Array(items) => J::Array(
                    items
                        .into_iter()
                        .map(|i| match i {
                            J::String(s) => J::String(abs(dir, &s)),
                            J::Object(mut m) => {
                                if let Some(J::String(p)) = m.get("path").cloned() {
                                    m.insert("path".into(), J::String(abs(dir, &p)));
                                }
                                J::Object(m)
                            }
                            other => other,
                        })
                        .collect(),
                ),
                other => other,
            },
            ["services", _, "volumes", _] => match v {
                J::String(s) => J::String(abs_short_volume(dir, &s)),
                J::Object(mut m) => {
                    let bind = m.get("type").and_then(|t| t.as_str()) == Some("bind");
                    if bind && let Some(J::String(src)) = m.get("source").cloned() {
                        m.insert("source".into(), J::String(abs(dir, &src)));
                    }
                    J::Object(m)
                }
                other => other,
            },
            ["services", _, "develop", "watch", _] => match v {
                J::Object(mut m) => {
                    if let Some(J::String(p)) = m.get("path").cloned() {
                        m.insert("path".into(), J::String(abs(dir, &p)));
                    }
                    J::Object(m)
                }
                other => other,
            },
            ["configs" | "secrets", _] => match v {
                J::Object(mut m) => {
                    if let Some(J::String(p)) = m.get("file").cloned() {
                        m.insert("file".into(), J::String(abs(dir, &p)));
                    }
                    J::Object(m)
                }
                other => other,
            },
            ["volumes", _] => match v {
                J::Object(mut m) => {
                    let local = m.get("driver").and_then(|d| d.as_str()) == Some("local");
                    if local
                        && let Some(J::Object(opts)) = m.get_mut("driver_opts")
                        && opts.get("o").and_then(|o| o.as_str()) == Some("bind")
                        && let Some(J::String(dev)) = opts.get("device").cloned()
                    {
                        opts.insert("device".into(), J::String(abs(dir, &dev)));
                    }
                    J::Object(m)
                }
                other => other,
            },
            _ => v,
        }
    }
}

fn is_environment(path: &[String]) -> bool {
    path.len() == 4 && path[0] == "services" && path[2] == "environment"
}

/// A plain scalar typed as the YAML 1.2 core schema types it (null was handled by the caller).
fn plain_json(text: &str) -> J {
    match text {
        "true" | "True" | "TRUE" => return J::Bool(true),
        "false" | "False" | "FALSE" => return J::Bool(false),
        _ => {}
    }
    if let Ok(i) = text.parse::<i64>() {
        return J::from(i);
    }
    if text.chars().any(|c| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))
        && let Ok(f) = text.parse::<f64>()
    {
        return serde_json::Number::from_f64(f)
            .map(J::Number)
            .unwrap_or(J::Null);
    }
    J::String(text.to_string())
}

/// A path made absolute against `dir` (`~` and absolute paths kept).
fn abs(dir: &Path, p: &str) -> String {
    if p.is_empty() || p.starts_with('/') || p.starts_with('~') {
        return p.to_string();
    }
    super::resolve::absolute(dir, Path::new(p))
        .to_string_lossy()
        .into_owned()
}

/// A build context: URLs and Git references stay as they are.
fn abs_context(dir: &Path, p: &str) -> String {
    let remote = p.contains("://")
        || p.starts_with("git@")
        || p.starts_with("github.com/")
        || p.ends_with(".git")
        || p.contains(".git#");
    if remote { p.to_string() } else { abs(dir, p) }
}

/// `./src:/dst:ro` with the source made absolute (named volumes and `/abs` kept).
fn abs_short_volume(dir: &Path, v: &str) -> String {
    if !v.starts_with('.') {
        return v.to_string();
    }
    match v.split_once(':') {
        Some((src, rest)) => format!("{}:{rest}", abs(dir, src)),
        None => v.to_string(),
    }
}
