//! `harden compose lint | fix | config | up | run | create`.

use super::{error_line, notice, print_out};
use crate::fix::compose::{Fixed, Request};
use crate::frontend::compose::lint::{self, ServiceResult};
use crate::frontend::compose::{self, ComposeError, Project};
use crate::preset::{self, Preset};
use crate::render::report::{self, FailOn, Item, Report};
use clap::{Args, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Options shared by every `harden compose` subcommand.
#[derive(Debug, Args)]
pub struct ComposeArgs {
    /// Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE).
    #[arg(short = 'f', long = "file", global = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`).
    #[arg(long, global = true, value_name = "P")]
    pub preset: Option<String>,
    /// Waive a rule for this invocation (repeatable).
    #[arg(long, global = true, value_name = "RULE")]
    pub allow: Vec<String>,

    #[command(subcommand)]
    pub command: ComposeCommand,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Github,
}

#[derive(Debug, Subcommand)]
pub enum ComposeCommand {
    /// Report what the rules find, per service, with file:line:column.
    Lint {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Exit 1 when a finding at or above this severity is left.
        #[arg(long, value_enum, default_value_t = FailOn::Warning)]
        fail_on: FailOn,
        /// Compose files to lint one by one, each as its own project (as pre-commit passes
        /// them); `-f` files are one project instead.
        #[arg(value_name = "FILE")]
        each: Vec<PathBuf>,
    },
    /// Rewrite the files with every fixable rule, keeping comments and style.
    Fix {
        /// Print a unified diff; write nothing.
        #[arg(long, group = "mode")]
        diff: bool,
        /// Exit 1 when something would change; write nothing.
        #[arg(long, group = "mode")]
        check: bool,
        /// Print the fixed file(s); write nothing.
        #[arg(long, group = "mode")]
        stdout: bool,
        /// Ask before each change (needs a terminal).
        #[arg(long)]
        review: bool,
        /// Compose files to fix one by one, each as its own project; `-f` files are one
        /// project instead.
        #[arg(value_name = "FILE")]
        each: Vec<PathBuf>,
    },
    /// Print the hardened project.
    Config,
    /// Harden, then `docker compose up` with ARGS (refused when a deny rule fires).
    #[command(disable_help_flag = true)]
    Up {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
        args: Vec<OsString>,
    },
    /// Harden, then `docker compose run` with ARGS.
    #[command(disable_help_flag = true)]
    Run {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
        args: Vec<OsString>,
    },
    /// Harden, then `docker compose create` with ARGS.
    #[command(disable_help_flag = true)]
    Create {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
        args: Vec<OsString>,
    },
}

/// What went wrong before anything ran: exit 2.
struct Fail(String);

impl From<ComposeError> for Fail {
    fn from(e: ComposeError) -> Self {
        Fail(e.to_string())
    }
}

fn cwd() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| ".".into())
}

pub fn main(args: ComposeArgs) -> ExitCode {
    match run(args) {
        Ok(code) => code,
        Err(Fail(msg)) => {
            error_line(&msg);
            ExitCode::from(2)
        }
    }
}

fn load(args: &ComposeArgs) -> Result<(Project, Preset), Fail> {
    load_files(args, &args.files)
}

fn load_files(args: &ComposeArgs, given: &[PathBuf]) -> Result<(Project, Preset), Fail> {
    let project = load_project(given)?;
    Ok((project, load_preset(args)?))
}

/// The preset (chosen from the working directory, whatever the files).
fn load_preset(args: &ComposeArgs) -> Result<Preset, Fail> {
    let cwd = cwd();
    let env = std::env::var("HARDEN_PRESET").ok();
    let selection = preset::select(args.preset.as_deref(), env.as_deref(), &cwd);
    preset::load(&selection, &cwd).map_err(|e| Fail(e.to_string()))
}

fn load_project(given: &[PathBuf]) -> Result<Project, Fail> {
    let cwd = cwd();
    let files = compose::discover(
        given,
        std::env::var("COMPOSE_FILE").ok().as_deref(),
        std::env::var("COMPOSE_PATH_SEPARATOR").ok().as_deref(),
        &cwd,
    )?;
    Ok(Project::load(&files, &cwd, std::env::vars())?)
}

/// `lint FILE…` / `fix FILE…`: every file is its own project.
fn run_each(args: &ComposeArgs, each: &[PathBuf]) -> Result<ExitCode, Fail> {
    if !args.files.is_empty() {
        return Err(Fail(
            "give Compose files with -f (one project) or as arguments (one project each), not both"
                .into(),
        ));
    }
    let mut merged = Report::default();
    let mut worst = 0u8;
    let preset = load_preset(args)?;
    for file in each {
        let project = load_project(std::slice::from_ref(file))?;
        let results = lint::lint(&project, &preset, &args.allow);
        match &args.command {
            ComposeCommand::Lint { .. } => {
                let r = build_report(&project, &results);
                merged.items.extend(r.items);
                merged.sources.extend(r.sources);
                merged.services.extend(r.services);
            }
            ComposeCommand::Fix {
                diff,
                check,
                stdout,
                review,
                ..
            } => {
                let code = fix(&project, &results, *diff, *check, *stdout, *review)?;
                if code != ExitCode::SUCCESS {
                    worst = 1;
                }
            }
            _ => {}
        }
    }
    if let ComposeCommand::Lint {
        format, fail_on, ..
    } = &args.command
    {
        return Ok(print_lint(&merged, *format, *fail_on));
    }
    Ok(ExitCode::from(worst))
}

fn print_lint(report: &Report, format: Format, fail_on: FailOn) -> ExitCode {
    let text = match format {
        Format::Text => report::text::render(report),
        Format::Json => report::json(report),
        Format::Sarif => report::sarif::render(report),
        Format::Github => report::github::render(report),
    };
    print_out(&text);
    if report.fails(fail_on) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn run(args: ComposeArgs) -> Result<ExitCode, Fail> {
    match &args.command {
        ComposeCommand::Lint { each, .. } | ComposeCommand::Fix { each, .. }
            if !each.is_empty() =>
        {
            return run_each(&args, each);
        }
        _ => {}
    }
    let (project, preset) = load(&args)?;
    let results = lint::lint(&project, &preset, &args.allow);
    match &args.command {
        ComposeCommand::Lint {
            format, fail_on, ..
        } => Ok(print_lint(
            &build_report(&project, &results),
            *format,
            *fail_on,
        )),
        ComposeCommand::Fix {
            diff,
            check,
            stdout,
            review,
            ..
        } => fix(&project, &results, *diff, *check, *stdout, *review),
        ComposeCommand::Config => {
            let fixed = apply(&project, &results, None)?;
            print_out(&config_text(&project, &fixed)?);
            Ok(ExitCode::SUCCESS)
        }
        ComposeCommand::Up { args: a } => up(&project, &results, "up", a),
        ComposeCommand::Run { args: a } => up(&project, &results, "run", a),
        ComposeCommand::Create { args: a } => up(&project, &results, "create", a),
    }
}

/// The report model of a lint result.
pub fn build_report(project: &Project, results: &[ServiceResult]) -> Report {
    let mut items = Vec::new();
    for r in results {
        for f in &r.findings {
            let ev = &f.evaluated;
            items.push(Item {
                file: f.location.file.display().to_string(),
                line: f.location.line,
                column: f.location.column,
                route: f.location.route.clone(),
                service: f.service.clone(),
                container: None,
                rule: ev.finding.rule.to_string(),
                severity: ev.severity,
                action: ev.action,
                message: ev.finding.message.clone(),
                fixable: f.fixable,
                fixes: if f.fixable {
                    ev.finding.changes.iter().map(|c| c.describe()).collect()
                } else {
                    Vec::new()
                },
                unfixable_reason: f.unfixable_reason.clone(),
                waived: ev.waived.clone(),
            });
        }
    }
    items.sort_by(|a, b| {
        (&a.file, a.line, a.column, &a.rule).cmp(&(&b.file, b.line, b.column, &b.rule))
    });
    Report {
        kind: report::Kind::Compose,
        items,
        sources: project
            .files
            .iter()
            .map(|f| (f.path.display().to_string(), f.text.clone()))
            .collect(),
        services: project
            .services
            .iter()
            .flat_map(|s| {
                s.layers.iter().map(|l| {
                    (
                        s.name.clone(),
                        project.files[l.file].path.display().to_string(),
                        l.key_pos.line,
                    )
                })
            })
            .collect(),
        containers: Vec::new(),
    }
}

/// Plans and renders every fix (optionally filtered by `keep`).
fn apply(
    project: &Project,
    results: &[ServiceResult],
    keep: Option<&dyn Fn(&Request) -> bool>,
) -> Result<Fixed, Fail> {
    let mut reqs = lint::requests(results);
    if let Some(keep) = keep {
        reqs.retain(|r| keep(r));
    }
    if reqs.is_empty() {
        return Ok(Fixed::default());
    }
    crate::fix::compose::fix(project, &reqs).map_err(|e| Fail(e.to_string()))
}

fn fix(
    project: &Project,
    results: &[ServiceResult],
    diff: bool,
    check: bool,
    stdout: bool,
    review: bool,
) -> Result<ExitCode, Fail> {
    let fixed = if review {
        if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
            return Err(Fail(
                "--review asks about each change and needs a terminal; use --diff to preview"
                    .into(),
            ));
        }
        let reqs = lint::requests(results);
        let mut accepted: Vec<Request> = Vec::new();
        for r in &reqs {
            let prompt = format!("{} [{}]: {}?", r.service, r.rule, r.change.describe());
            let yes = dialoguer::Confirm::new()
                .with_prompt(prompt)
                .default(true)
                .interact()
                .map_err(|e| Fail(format!("--review: {e}")))?;
            if yes {
                accepted.push(r.clone());
            }
        }
        apply(project, results, Some(&|r: &Request| accepted.contains(r)))?
    } else {
        apply(project, results, None)?
    };
    let written: Vec<usize> = fixed
        .results
        .iter()
        .filter(|(_, r)| r.is_ok())
        .map(|_| 1)
        .collect();
    let applied = written.len();
    let remaining: usize = results
        .iter()
        .flat_map(|r| &r.findings)
        .filter(|f| f.counts() && !f.fixable)
        .count();
    if stdout {
        let multi = project.files.len() > 1;
        let mut out = String::new();
        for (i, f) in project.files.iter().enumerate() {
            if multi {
                out.push_str(&format!("# ==> {} <==\n", f.path.display()));
            }
            out.push_str(fixed.texts.get(&i).unwrap_or(&f.text));
        }
        print_out(&out);
        return Ok(ExitCode::SUCCESS);
    }
    if diff || check {
        let mut out = String::new();
        for (i, new) in &fixed.texts {
            let f = &project.files[*i];
            let name = f.path.display().to_string();
            let d = similar::TextDiff::from_lines(f.text.as_str(), new.as_str());
            out.push_str(
                &d.unified_diff()
                    .context_radius(3)
                    .header(&format!("a/{name}"), &format!("b/{name}"))
                    .to_string(),
            );
        }
        if diff {
            print_out(&out);
            return Ok(ExitCode::SUCCESS);
        }
        if fixed.texts.is_empty() {
            notice("nothing to fix");
            return Ok(ExitCode::SUCCESS);
        }
        for i in fixed.texts.keys() {
            notice(&format!(
                "{} would change ({applied} fixes)",
                project.files[*i].path.display()
            ));
        }
        return Ok(ExitCode::from(1));
    }
    let cwd = cwd();
    // Nothing is written when any file changed since it was read (another editor, a formatter,
    // a second harden); each file is checked again just before its rename.
    let changed = |i: usize| {
        let f = &project.files[i];
        Fail(format!(
            "{}: changed since harden read it; nothing written (run the fix again)",
            f.path.display()
        ))
    };
    for i in fixed.texts.keys() {
        let f = &project.files[*i];
        if !unchanged(&cwd.join(&f.path), &f.text) {
            return Err(changed(*i));
        }
    }
    for (i, new) in &fixed.texts {
        let f = &project.files[*i];
        write_if_unchanged(&cwd.join(&f.path), &f.text, new).map_err(|e| {
            if e.kind() == std::io::ErrorKind::Other && e.to_string() == CHANGED {
                changed(*i)
            } else {
                Fail(format!("{}: cannot write: {e}", f.path.display()))
            }
        })?;
    }
    notice(&format!(
        "{applied} fix{} written to {} file{}; {remaining} finding{} left (see `harden compose lint`)",
        if applied == 1 { "" } else { "es" },
        fixed.texts.len(),
        if fixed.texts.len() == 1 { "" } else { "s" },
        if remaining == 1 { "" } else { "s" },
    ));
    Ok(ExitCode::SUCCESS)
}

/// The error [`write_if_unchanged`] gives when the file no longer holds what was read.
const CHANGED: &str = "the file changed since it was read";

/// Whether `path` still holds `original`.
fn unchanged(path: &Path, original: &str) -> bool {
    crate::frontend::compose::read_at_most(path, original.len() as u64 + 1)
        .is_ok_and(|b| b.as_deref() == Some(original.as_bytes()))
}

/// Writes `text` to `path` through a temporary file in the same directory and a rename, keeping
/// the file's permissions.
pub fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    write_checked(path, text, None)
}

/// Like [`write_atomic`], but only while `path` still holds `original` (checked after the
/// temporary file is written, just before the rename): otherwise an error of kind `Other` that
/// says [`CHANGED`], and nothing is written.
pub fn write_if_unchanged(path: &Path, original: &str, text: &str) -> std::io::Result<()> {
    write_checked(path, text, Some(original))
}

fn write_checked(path: &Path, text: &str, original: Option<&str>) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    let dir = dir.unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "compose".into());
    let perms = std::fs::metadata(path)?.permissions();
    let tmp = dir.join(format!(".{name}.harden-{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::set_permissions(&tmp, perms)?;
        if let Some(original) = original
            && !unchanged(path, original)
        {
            return Err(std::io::Error::other(CHANGED));
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The hardened project as one YAML document (files merged as Compose merges them, variables
/// left as written).
fn config_text(project: &Project, fixed: &Fixed) -> Result<String, Fail> {
    let mut merged = serde_yaml::Value::Mapping(Default::default());
    for (i, f) in project.files.iter().enumerate() {
        let text = fixed.texts.get(&i).unwrap_or(&f.text);
        let parsed = compose::parse_file(&f.path, text)?;
        merge_value(&mut merged, parsed.root.to_value(), &[]);
    }
    // Fragments (`x-…`) and anchors are resolved by now; drop top-level extension keys.
    if let serde_yaml::Value::Mapping(m) = &mut merged {
        m.retain(|k, _| !k.as_str().is_some_and(|k| k.starts_with("x-")));
    }
    serde_yaml::to_string(&merged).map_err(|e| Fail(format!("cannot print the project: {e}")))
}

/// Lists that Compose concatenates when merging files.
const APPENDED: &[&str] = &[
    "ports",
    "expose",
    "cap_add",
    "cap_drop",
    "security_opt",
    "tmpfs",
    "devices",
    "dns",
    "dns_search",
    "external_links",
    "extra_hosts",
    "volumes",
];

fn merge_value(base: &mut serde_yaml::Value, over: serde_yaml::Value, path: &[String]) {
    use serde_yaml::Value;
    match (base, over) {
        (Value::Mapping(b), Value::Mapping(o)) => {
            for (k, v) in o {
                let key = k.as_str().unwrap_or("").to_string();
                let mut p = path.to_vec();
                p.push(key);
                match b.get_mut(&k) {
                    Some(existing) => merge_value(existing, v, &p),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (Value::Sequence(b), Value::Sequence(o))
            if path.len() == 3 && path[0] == "services" && APPENDED.contains(&path[2].as_str()) =>
        {
            for v in o {
                if !b.contains(&v) {
                    b.push(v);
                }
            }
        }
        (b, o) => *b = o,
    }
}

/// The `docker compose` command: the v2 plugin when present, else `docker-compose`.
/// `HARDEN_DOCKER_COMPOSE` overrides it (a command line, split like a shell would).
fn compose_command() -> Result<Vec<String>, Fail> {
    if let Ok(c) = std::env::var("HARDEN_DOCKER_COMPOSE")
        && !c.trim().is_empty()
    {
        return shell_words::split(&c).map_err(|e| Fail(format!("HARDEN_DOCKER_COMPOSE: {e}")));
    }
    // As a CLI plugin, the docker CLI that ran us; else `docker` on PATH.
    let docker = std::env::var(super::plugin::ORIGINAL_CLI_ENV)
        .ok()
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "docker".into());
    let plugin = std::process::Command::new(&docker)
        .args(["compose", "version"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if plugin {
        return Ok(vec![docker, "compose".into()]);
    }
    let v1 = std::process::Command::new("docker-compose")
        .arg("version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if v1 {
        return Ok(vec!["docker-compose".into()]);
    }
    Err(Fail(
        "neither the `docker compose` plugin nor `docker-compose` was found".into(),
    ))
}

fn up(
    project: &Project,
    results: &[ServiceResult],
    sub: &str,
    args: &[OsString],
) -> Result<ExitCode, Fail> {
    let report = build_report(project, results);
    let denials: Vec<&Item> = report
        .items
        .iter()
        .filter(|i| i.waived.is_none() && i.action == crate::rules::Action::Deny)
        .collect();
    if !denials.is_empty() {
        let refused = Report {
            kind: report::Kind::Compose,
            items: denials.into_iter().cloned().collect(),
            sources: report.sources.clone(),
            services: report.services.clone(),
            containers: Vec::new(),
        };
        eprint!("{}", report::text::render(&refused));
        error_line(&format!(
            "refusing to {sub}: {} denied finding{} (waive with `# harden: ignore[RULE] reason`, \
             x-harden, --allow RULE or a preset)",
            refused.items.len(),
            if refused.items.len() == 1 { "" } else { "s" }
        ));
        return Ok(ExitCode::from(1));
    }
    let fixed = apply(project, results, None)?;
    let dir =
        hardened_dir().map_err(|e| Fail(format!("cannot create a temporary directory: {e}")))?;
    let mut cmd_files = Vec::new();
    for (i, f) in project.files.iter().enumerate() {
        let name = f
            .path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "compose.yaml".into());
        let copy = dir.path.join(format!("{i}-{name}"));
        std::fs::write(&copy, fixed.texts.get(&i).unwrap_or(&f.text))
            .map_err(|e| Fail(format!("cannot write {}: {e}", copy.display())))?;
        cmd_files.push(copy);
    }
    let base = compose_command()?;
    let project_dir = std::fs::canonicalize(&project.dir).unwrap_or_else(|_| project.dir.clone());
    let mut cmd = std::process::Command::new(&base[0]);
    cmd.args(&base[1..]);
    cmd.arg("--project-directory").arg(&project_dir);
    cmd.arg("-p").arg(&project.name);
    for f in &cmd_files {
        cmd.arg("-f").arg(f);
    }
    cmd.arg(sub);
    cmd.args(args);
    // `docker -H … harden compose up`: the child reaches the same daemon.
    for (k, v) in super::plugin::child_env(&crate::engine::host::global_options()) {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    let status = cmd
        .status()
        .map_err(|e| Fail(format!("cannot run {}: {e}", base.join(" "))))?;
    let code = status.code().unwrap_or(1);
    Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)))
}

/// A temporary directory removed when dropped.
struct TempDir {
    path: PathBuf,
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

fn hardened_dir() -> std::io::Result<TempDir> {
    let base = std::env::temp_dir();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let path = base.join(format!("harden-compose-{}-{nanos}", std::process::id()));
    std::fs::create_dir(&path)?;
    Ok(TempDir { path })
}
