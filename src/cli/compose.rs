//! `harden compose lint | fix | config | up | run | create`, every other `docker compose`
//! subcommand passed through, and `harden stack deploy`.

use super::{error_line, notice, print_out};
use crate::fix::compose::{Fixed, Request};
use crate::frontend::compose::{self, ComposeError, LoadOptions, Project, Target, flat};
use crate::preset::{self, Preset};
use crate::render::report::text::Tally;
use crate::render::report::{self, FailOn, Report};
use crate::session::compose::{
    self as lint, Hardened, ServiceResult, check_locks, denials, harden_project, into_report,
    policy_report,
};
use clap::{Args, Subcommand, ValueEnum};
use std::collections::HashSet;
use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Options shared by every `harden compose` subcommand (the `docker compose` ones are passed on
/// to `docker compose` as given).
#[derive(Debug, Args)]
pub struct ComposeArgs {
    /// Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE).
    #[arg(short = 'f', long = "file", global = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory's name).
    #[arg(short = 'p', long = "project-name", global = true, value_name = "NAME")]
    pub project_name: Option<String>,
    /// The project directory (default: the first file's directory).
    #[arg(long, global = true, value_name = "DIR")]
    pub project_directory: Option<PathBuf>,
    /// Variables file(s) instead of the project's `.env` (repeatable).
    #[arg(long, global = true, value_name = "FILE")]
    pub env_file: Vec<PathBuf>,
    /// Profile to enable for `docker compose` (repeatable; harden lints every service anyway).
    #[arg(long, global = true, value_name = "PROFILE")]
    pub profile: Vec<String>,
    /// Passed on to `docker compose`.
    #[arg(long, global = true, value_name = "WHEN", hide = true)]
    pub ansi: Option<String>,
    /// Passed on to `docker compose`.
    #[arg(long, global = true, value_name = "TYPE", hide = true)]
    pub progress: Option<String>,
    /// Passed on to `docker compose`.
    #[arg(long, global = true, value_name = "N", hide = true)]
    pub parallel: Option<String>,
    /// Passed on to `docker compose`.
    #[arg(long, global = true, hide = true)]
    pub compatibility: bool,
    /// Passed on to `docker compose`.
    #[arg(long, global = true, hide = true)]
    pub dry_run: bool,
    /// Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`).
    #[arg(long, global = true, value_name = "P")]
    pub preset: Option<String>,
    /// Waive a rule for this invocation (repeatable).
    #[arg(long, global = true, value_name = "RULE")]
    pub allow: Vec<String>,
    /// Accept, for this command, a project .harden.yaml that weakens the policy (also
    /// HARDEN_TRUST_PROJECT=1); `harden trust` accepts it until it changes.
    #[arg(long, global = true)]
    pub trust_project: bool,

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
    ///
    /// Lints the project as Compose v2 resolves it: `extends` (same file, other files, chains),
    /// top-level `include:`, `!reset` / `!override`, several `-f` files and every profile. A
    /// value a service inherits is reported at the line that writes it, under the service.
    Lint {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Exit 1 when a finding at or above this severity is left.
        #[arg(long, value_enum, default_value_t = FailOn::Warning)]
        fail_on: FailOn,
        /// The engine the project is for: `swarm` judges what `docker stack deploy` carries.
        #[arg(long, value_enum, default_value_t = Target::Compose)]
        target: Target,
        /// Compose files to lint one by one, each as its own project (as pre-commit passes
        /// them); `-f` files are one project instead.
        #[arg(value_name = "FILE")]
        each: Vec<PathBuf>,
    },
    /// Rewrite the files with every fixable rule, keeping comments and style.
    Fix {
        #[command(flatten)]
        mode: FixMode,
        /// Compose files to fix one by one, each as its own project; `-f` files are one
        /// project instead.
        #[arg(value_name = "FILE")]
        each: Vec<PathBuf>,
    },
    /// Print the hardened project: `docker compose config ARGS` on it (Compose v2), else
    /// harden's own rendering.
    #[command(disable_help_flag = true)]
    Config {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
        args: Vec<OsString>,
    },
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
    /// Any other `docker compose` subcommand (down, ps, logs, exec, start, stop, restart, pull,
    /// build, …) runs the real `docker compose` with the same files, project and options.
    #[command(external_subcommand)]
    External(Vec<OsString>),
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

impl ComposeArgs {
    fn load_options(&self) -> LoadOptions {
        LoadOptions {
            project_directory: self.project_directory.clone(),
            env_files: self.env_file.clone(),
            project_name: self.project_name.clone(),
            ..LoadOptions::default()
        }
    }

    /// The `docker compose` options that come before the subcommand, as given (files apart).
    fn compose_globals(&self) -> Vec<OsString> {
        let mut out: Vec<OsString> = Vec::new();
        for p in &self.profile {
            out.push("--profile".into());
            out.push(p.into());
        }
        for (flag, v) in [
            ("--ansi", &self.ansi),
            ("--progress", &self.progress),
            ("--parallel", &self.parallel),
        ] {
            if let Some(v) = v {
                out.push(flag.into());
                out.push(v.into());
            }
        }
        if self.compatibility {
            out.push("--compatibility".into());
        }
        if self.dry_run {
            out.push("--dry-run".into());
        }
        out
    }
}

/// The policy (machine, user, the project file found from the working directory, the
/// command line).
fn load_policy(
    preset_flag: Option<&str>,
    allow: &[String],
) -> Result<preset::policy::Policy, Fail> {
    crate::session::policy(
        &super::system_env(),
        preset_flag,
        allow,
        crate::session::Reach::Project,
    )
    .map_err(|e| Fail(e.to_string()))
}

/// Refuses to run a project whose policy file weakens the policy and is not trusted.
fn check_trust(policy: &preset::policy::Policy, trust_flag: bool) -> Result<(), Fail> {
    let env = |k: &str| std::env::var(k).ok();
    match policy.untrusted(&env, trust_flag) {
        Some(why) => Err(Fail(why)),
        None => Ok(()),
    }
}

fn load_project(given: &[PathBuf], opts: &LoadOptions) -> Result<Project, Fail> {
    let cwd = cwd();
    let files = compose::discover(
        given,
        std::env::var("COMPOSE_FILE").ok().as_deref(),
        std::env::var("COMPOSE_PATH_SEPARATOR").ok().as_deref(),
        &cwd,
    )?;
    Ok(Project::load_with(
        &files,
        &cwd,
        process_env().iter().cloned(),
        opts,
    )?)
}

/// The process environment (read once: `lint FILE…` loads a project per file). A variable
/// that is not UTF-8 is read with U+FFFD for its invalid bytes (`std::env::vars` would panic).
fn process_env() -> &'static [(String, String)] {
    static ENV: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    ENV.get_or_init(|| {
        std::env::vars_os()
            .map(|(k, v)| {
                (
                    k.to_string_lossy().into_owned(),
                    v.to_string_lossy().into_owned(),
                )
            })
            .collect()
    })
}

/// `lint FILE…` / `fix FILE…`: every file is its own project. A file that cannot be read is
/// named (exit 2) and the others are still linted or fixed.
fn run_each(args: &ComposeArgs, each: &[PathBuf]) -> Result<ExitCode, Fail> {
    if !args.files.is_empty() {
        return Err(Fail(
            "give Compose files with -f (one project) or as arguments (one project each), not both"
                .into(),
        ));
    }
    let policy = load_policy(args.preset.as_deref(), &args.allow)?;
    let preset = &policy.preset;
    let mut merged = policy_report(&policy, &cwd());
    let mut worst = 0u8;
    let mut bad = 0usize;
    let opts = args.load_options();
    // The text of each file's findings, written by the thread that linted it, with their tally;
    // joined when no file is in two reports (else the files are linted again for their reports,
    // and the whole report is written at the end, grouped by file).
    let mut parts: Option<(Vec<Vec<u8>>, Tally)> = None;
    if let ComposeCommand::Lint { target, format, .. } = &args.command {
        let text = *format == Format::Text && merged.items.is_empty();
        let mut outcomes = lint_each(each, &opts, preset, &args.allow, *target, text);
        if text && !texts_disjoint(&outcomes) {
            outcomes = lint_each(each, &opts, preset, &args.allow, *target, false);
        }
        for outcome in outcomes {
            match outcome {
                Ok(Linted::Text { text, tally, .. }) => {
                    let (texts, total) = parts.get_or_insert_with(Default::default);
                    texts.push(text);
                    total.add(tally);
                }
                Ok(Linted::Report(r)) => {
                    merged.items.extend(r.items);
                    merged.sources.extend(r.sources);
                    merged.services.extend(r.services);
                }
                Err(Fail(msg)) => {
                    error_line(&msg);
                    bad += 1;
                }
            }
        }
    }
    if let ComposeCommand::Fix { mode, .. } = &args.command {
        let mode = *mode;
        for file in each {
            let project = match load_one(file, &opts, preset) {
                Ok(p) => p,
                Err(Fail(msg)) => {
                    error_line(&msg);
                    bad += 1;
                    continue;
                }
            };
            let results = lint::lint_for(&project, preset, &args.allow, mode.target);
            match fix(&project, &results, mode) {
                Ok(code) if code != ExitCode::SUCCESS => worst = worst.max(1),
                Ok(_) => {}
                Err(Fail(msg)) => {
                    error_line(&msg);
                    bad += 1;
                }
            }
        }
    }
    if bad > 0 {
        error_line(&format!(
            "{bad} of {} file{} could not be {}; the others were",
            each.len(),
            if each.len() == 1 { "" } else { "s" },
            if matches!(args.command, ComposeCommand::Fix { .. }) {
                "fixed (nothing written to them)"
            } else {
                "linted"
            }
        ));
    }
    if let ComposeCommand::Lint {
        format, fail_on, ..
    } = &args.command
    {
        let code = match parts {
            Some((texts, tally)) => {
                use std::io::Write;
                let mut out = std::io::stdout().lock();
                let _ = texts
                    .iter()
                    .try_for_each(|t| out.write_all(t))
                    .and_then(|()| out.write_all(tally.line(report::Kind::Compose).as_bytes()))
                    .and_then(|()| out.flush());
                if tally.fails(*fail_on) {
                    ExitCode::from(1)
                } else {
                    ExitCode::SUCCESS
                }
            }
            None => print_lint(&merged, *format, *fail_on),
        };
        if bad > 0 {
            return Ok(ExitCode::from(2));
        }
        return Ok(code);
    }
    if bad > 0 {
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::from(worst))
}

/// One file as its own project, refused when it waives a rule the policy locked.
fn load_one(file: &Path, opts: &LoadOptions, preset: &Preset) -> Result<Project, Fail> {
    let project = load_project(&[file.to_path_buf()], opts)?;
    check_locks(&project, preset).map_err(Fail)?;
    Ok(project)
}

/// A file linted: its report, or (for a text report) the text of its findings, their tally and
/// the files they are in.
enum Linted {
    Report(Report),
    Text {
        text: Vec<u8>,
        tally: Tally,
        files: Vec<String>,
    },
}

/// True when every file linted has its text and no file has findings in two of them (a file
/// shared by two projects, through `include` or `extends`, is reported once, grouped).
fn texts_disjoint(outcomes: &[Result<Linted, Fail>]) -> bool {
    let mut seen: HashSet<&str> = HashSet::new();
    outcomes.iter().all(|o| match o {
        Ok(Linted::Text { files, .. }) => files.iter().all(|f| seen.insert(f)),
        Ok(Linted::Report(_)) => false,
        Err(_) => true,
    })
}

/// Lints each file as its own project, on as many threads as there are cores (at most 8):
/// each file's report (and its text, with `text`), or why it could not be linted, in the order
/// of `files`.
fn lint_each(
    files: &[PathBuf],
    opts: &LoadOptions,
    preset: &Preset,
    allow: &[String],
    target: Target,
    text: bool,
) -> Vec<Result<Linted, Fail>> {
    let one = |file: &PathBuf| -> Result<Linted, Fail> {
        let mut project = load_one(file, opts, preset)?;
        let mut results = lint::lint_for(&project, preset, allow, target);
        let frame = lint::take_frame(&mut project);
        drop(project);
        if text {
            // The text of its findings, written on this thread from the results themselves
            // (`run_each` joins the parts); they are dropped here too, by the thread whose
            // heap holds them.
            let mut buf = Vec::new();
            if let Some(Ok(())) = lint::write_text(&frame, &mut results, false, &mut buf) {
                return Ok(Linted::Text {
                    text: buf,
                    tally: lint::tally(&results),
                    files: lint::finding_files(&results),
                });
            }
        }
        Ok(Linted::Report(into_report(frame, results)))
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
        .min(files.len());
    if threads <= 1 {
        return files.iter().map(one).collect();
    }
    // The largest files first, so that no thread is left with a large one when the others
    // are done (the reports are put back in the order given).
    let mut order: Vec<(u64, usize)> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (std::fs::metadata(f).map_or(0, |m| m.len()), i))
        .collect();
    order.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, Result<Linted, Fail>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&(_, i)) = order.get(n) else {
                            return out;
                        };
                        out.push((i, one(&files[i])));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// Frees a project of many services beside this thread ([`crate::drop_beside`]).
fn drop_beside(project: Project) {
    let large = project.services.len() >= 64;
    crate::drop_beside(project, large);
}

/// Prints a report in `format` (every report door's one dispatch) and returns the exit code:
/// 1 when a finding at or above `fail_on` is left.
pub fn print_lint(report: &Report, format: Format, fail_on: FailOn) -> ExitCode {
    let text = match format {
        Format::Text => {
            // Written as it is rendered: a report of thousands of services is never one string.
            use std::io::Write;
            let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
            let _ = report::text::write(report, &mut out).and_then(|()| out.flush());
            String::new()
        }
        Format::Json => report::json(report),
        Format::Sarif => report::sarif::render(report),
        Format::Github => report::github::render(report),
    };
    if !text.is_empty() {
        print_out(&text);
    }
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
        ComposeCommand::External(rest) => return pass_through(&args, rest),
        _ => {}
    }
    let mut project = load_project(&args.files, &args.load_options())?;
    let policy = load_policy(args.preset.as_deref(), &args.allow)?;
    let preset = policy.preset.clone();
    check_locks(&project, &preset).map_err(Fail)?;
    match &args.command {
        ComposeCommand::Lint {
            format,
            fail_on,
            target,
            ..
        } => {
            let mut results = lint::lint_for(&project, &preset, &args.allow, *target);
            let mut report = policy_report(&policy, &cwd());
            // What the report holds is all that is printed: the project goes before the report
            // is built.
            let frame = lint::take_frame(&mut project);
            drop_beside(project);
            if *format == Format::Text && report.items.is_empty() {
                // Written from the results themselves: no report items (tens of thousands for
                // thousands of services) when every finding is in one file.
                use std::io::Write;
                let mut out =
                    std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
                if let Some(written) = lint::write_text(&frame, &mut results, true, &mut out) {
                    let _ = written.and_then(|()| out.flush());
                    let code = if lint::fails(&results, *fail_on) {
                        ExitCode::from(1)
                    } else {
                        ExitCode::SUCCESS
                    };
                    // The command ends here: freeing the findings one by one is work for
                    // nothing.
                    std::mem::forget(results);
                    std::mem::forget(frame);
                    return Ok(code);
                }
            }
            let r = into_report(frame, results);
            if report.items.is_empty() {
                report.items = r.items;
            } else {
                report.items.extend(r.items);
            }
            report.sources.extend(r.sources);
            report.services = r.services;
            report.kind = r.kind;
            let code = print_lint(&report, *format, *fail_on);
            // The command ends here: freeing tens of thousands of items one by one is work
            // for nothing.
            std::mem::forget(report);
            Ok(code)
        }
        ComposeCommand::Fix { mode, .. } => {
            let mode = *mode;
            let results = lint::lint_for(&project, &preset, &args.allow, mode.target);
            let code = fix(&project, &results, mode);
            drop_beside(project);
            code
        }
        ComposeCommand::Config { args: a } => {
            let results = lint::lint(&project, &preset, &args.allow);
            config(&args, &project, &results, a)
        }
        ComposeCommand::Up { args: a } => {
            check_trust(&policy, args.trust_project)?;
            up(&args, &project, &preset, "up", a)
        }
        ComposeCommand::Run { args: a } => {
            check_trust(&policy, args.trust_project)?;
            up(&args, &project, &preset, "run", a)
        }
        ComposeCommand::Create { args: a } => {
            check_trust(&policy, args.trust_project)?;
            up(&args, &project, &preset, "create", a)
        }
        ComposeCommand::External(_) => unreachable!("handled above"),
    }
}

/// Plans and renders every fix (optionally filtered by `keep`).
fn apply(
    project: &Project,
    results: &[ServiceResult],
    keep: Option<&dyn Fn(&Request) -> bool>,
    target: Target,
) -> Result<Fixed, Fail> {
    let mut reqs = lint::requests(results);
    if let Some(keep) = keep {
        reqs.retain(|r| keep(r));
    }
    if reqs.is_empty() {
        return Ok(Fixed::default());
    }
    crate::fix::compose::fix_for(project, &reqs, target).map_err(|e| Fail(e.to_string()))
}

/// How `harden compose fix` was asked to work.
#[derive(Clone, Copy, Debug, Args)]
pub struct FixMode {
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
    /// The engine the project is for: `swarm` writes what `docker stack deploy` carries.
    #[arg(long, value_enum, default_value_t = Target::Compose)]
    target: Target,
}

fn fix(project: &Project, results: &[ServiceResult], mode: FixMode) -> Result<ExitCode, Fail> {
    let FixMode {
        diff,
        check,
        stdout,
        review,
        target,
    } = mode;
    crate::fix::compose::check_editable(project).map_err(|e| Fail(e.to_string()))?;
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
        apply(
            project,
            results,
            Some(&|r: &Request| accepted.contains(r)),
            target,
        )?
    } else {
        apply(project, results, None, target)?
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

/// Writes `text` to `path` (created or replaced) through a temporary file and a rename.
pub fn write_atomic_new(path: &Path, text: &str) -> std::io::Result<()> {
    if path.exists() {
        return write_atomic(path, text);
    }
    write_through_temp(path, text, None, None)
}

/// Like [`write_atomic`], but only while `path` still holds `original` (checked after the
/// temporary file is written, just before the rename): otherwise an error of kind `Other` that
/// says [`CHANGED`], and nothing is written.
pub fn write_if_unchanged(path: &Path, original: &str, text: &str) -> std::io::Result<()> {
    write_checked(path, text, Some(original))
}

fn write_checked(path: &Path, text: &str, original: Option<&str>) -> std::io::Result<()> {
    let perms = std::fs::metadata(path)?.permissions();
    write_through_temp(path, text, Some(perms), original)
}

/// Writes a temporary file next to `path`, then renames it over `path` (only while `path` still
/// holds `original`, when given). The result has exactly `perms` (an existing file's), or
/// without them the usual mode of a new file (0666 less the umask, not a temporary file's
/// 0600). On any error the temporary file is gone and `path` is untouched.
fn write_through_temp(
    path: &Path,
    text: &str,
    perms: Option<std::fs::Permissions>,
    original: Option<&str>,
) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    let dir = dir.unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "compose".into());
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}.harden-"))
        .suffix(".tmp")
        .permissions(
            perms
                .clone()
                .unwrap_or_else(|| std::fs::Permissions::from_mode(0o666)),
        )
        .tempfile_in(dir)
        .map_err(without_path)?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    // The mode asked at creation is masked by the umask; an existing file's is kept exactly.
    if let Some(perms) = perms {
        std::fs::set_permissions(tmp.path(), perms)?;
    }
    if let Some(original) = original
        && !unchanged(path, original)
    {
        return Err(std::io::Error::other(CHANGED));
    }
    tmp.persist(path)
        .map(|_| ())
        .map_err(|e| without_path(e.error))
}

/// The error without the temporary file's path that `tempfile` appends (` at path "…"`): the
/// caller names the file the user knows (`Read-only file system (os error 30)`).
fn without_path(e: std::io::Error) -> std::io::Error {
    let msg = e.to_string();
    match msg.find(" at path \"") {
        Some(i) if e.raw_os_error().is_none() => std::io::Error::new(e.kind(), &msg[..i]),
        _ => e,
    }
}

/// The Compose v2 command (`docker compose`), when the plugin answers (or
/// `HARDEN_DOCKER_COMPOSE` names a command).
fn compose_v2() -> Option<Vec<String>> {
    let cmd = compose_command().ok()?;
    (cmd.len() > 1 || std::env::var("HARDEN_DOCKER_COMPOSE").is_ok_and(|c| !c.trim().is_empty()))
        .then_some(cmd)
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

fn refuse(refused: &Report, what: &str) -> ExitCode {
    eprint!("{}", report::text::render(refused));
    error_line(&format!(
        "refusing to {what}: {} denied finding{} (waive with `# harden: ignore[RULE] reason`, \
         x-harden, --allow RULE or a preset)",
        refused.items.len(),
        if refused.items.len() == 1 { "" } else { "s" }
    ));
    ExitCode::from(1)
}

/// Says what was hardened and what could not be.
fn summarize(h: &Hardened) {
    let mut services: Vec<&str> = Vec::new();
    let mut rules: Vec<&str> = Vec::new();
    for (r, res) in &h.applied.results {
        match res {
            Ok(()) => {
                if !services.contains(&r.service.as_str()) {
                    services.push(&r.service);
                }
                if !rules.contains(&r.rule) {
                    rules.push(r.rule);
                }
            }
            Err(why) => notice(&format!(
                "service {}: not applied ({}): {why}",
                r.service,
                r.change.describe()
            )),
        }
    }
    for n in &h.applied.notes {
        notice(n);
    }
    if !services.is_empty() {
        notice(&format!(
            "hardened {} service{} ({})",
            services.len(),
            if services.len() == 1 { "" } else { "s" },
            rules.join(", ")
        ));
    }
}

/// Writes the hardened document into a temporary directory outside the project.
fn write_hardened(h: &Hardened) -> Result<(tempfile::TempDir, PathBuf), Fail> {
    let dir =
        hardened_dir().map_err(|e| Fail(format!("cannot create a temporary directory: {e}")))?;
    let file = dir.path().join("compose.hardened.json");
    std::fs::write(&file, flat::to_text(&h.doc))
        .map_err(|e| Fail(format!("cannot write {}: {e}", file.display())))?;
    Ok((dir, file))
}

/// `docker compose -p NAME --project-directory DIR [globals] -f FILE`.
fn compose_base(
    args: &ComposeArgs,
    project: &Project,
    file: &Path,
) -> Result<std::process::Command, Fail> {
    let base = compose_command()?;
    let project_dir = std::fs::canonicalize(&project.dir).unwrap_or_else(|_| project.dir.clone());
    let mut cmd = std::process::Command::new(&base[0]);
    cmd.args(&base[1..]);
    cmd.arg("--project-directory").arg(&project_dir);
    cmd.arg("-p").arg(&project.name);
    cmd.args(args.compose_globals());
    cmd.arg("-f").arg(file);
    child_env(&mut cmd);
    Ok(cmd)
}

/// `docker -H … harden compose up`: the child reaches the same daemon.
fn child_env(cmd: &mut std::process::Command) {
    for (k, v) in super::plugin::child_env(&super::system_env().globals) {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
}

fn status_code(status: std::process::ExitStatus) -> ExitCode {
    let code = status.code().unwrap_or(1);
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

fn up(
    args: &ComposeArgs,
    project: &Project,
    preset: &Preset,
    sub: &str,
    rest: &[OsString],
) -> Result<ExitCode, Fail> {
    // What the images say about themselves (their users, owners, file capabilities), read from
    // the engine for the images it has.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Fail(format!("cannot start: {e}")))?;
    let engine = runtime
        .block_on(crate::session::connect(&super::system_env()))
        .ok();
    let facts = match &engine {
        Some(e) => runtime.block_on(image_facts(e, project)),
        None => Default::default(),
    };
    let results = lint::lint_with_facts(project, preset, &args.allow, Target::Compose, &facts);
    if let Some(refused) = denials(project, &results) {
        return Ok(refuse(&refused, sub));
    }
    let h = harden_project(project, &results, Target::Compose)?;
    summarize(&h);
    let (_dir, file) = write_hardened(&h)?;
    let mut cmd = compose_base(args, project, &file)?;
    cmd.arg(sub);
    cmd.args(rest);
    let status = cmd
        .status()
        .map_err(|e| Fail(format!("cannot run docker compose: {e}")))?;
    // `up -d`: watch the services a moment and explain a failure.
    let detached = rest
        .iter()
        .any(|a| a == "-d" || a == "--detach" || a == "--wait");
    let window = std::env::var("HARDEN_WATCH")
        .ok()
        .and_then(|w| crate::frontend::argv::parse_duration(&w).ok())
        .unwrap_or(2_000_000_000);
    if sub == "up"
        && detached
        && window > 0
        && let Some(e) = &engine
    {
        runtime.block_on(watch_project(
            e,
            &project.name,
            &results,
            std::time::Duration::from_nanos(window as u64),
        ));
    }
    Ok(status_code(status))
}

/// Inspects and reads the filesystem facts of every service image the engine has.
async fn image_facts(
    engine: &crate::engine::Engine,
    project: &Project,
) -> std::collections::HashMap<String, crate::spec::ImageFacts> {
    let mut out = std::collections::HashMap::new();
    for svc in &project.services {
        let Some(image) = svc.node.get("image").and_then(|i| project.text(i)) else {
            continue;
        };
        if out.contains_key(&image) {
            continue;
        }
        if let Ok(Some(mut f)) = crate::engine::image::inspect(engine, &image).await {
            if let Ok(fs) = crate::engine::probe::filesystem(engine, &f).await {
                f.fs = Some(fs);
            }
            out.insert(image, f);
        }
    }
    out
}

/// After `up -d`: the project's containers that exited with an error within `window`, each
/// with what broke and the remedy.
async fn watch_project(
    engine: &crate::engine::Engine,
    project: &str,
    results: &[ServiceResult],
    window: std::time::Duration,
) {
    tokio::time::sleep(window).await;
    let filter = format!("{{\"label\":[\"com.docker.compose.project={project}\"]}}");
    let path = format!(
        "/containers/json?all=1&filters={}",
        crate::engine::image::encode_query(&filter)
    );
    let Ok(body) = engine.call("GET", &path, None).await else {
        return;
    };
    let list: Vec<serde_json::Value> = serde_json::from_slice(&body).unwrap_or_default();
    for c in list {
        let id = c["Id"].as_str().unwrap_or("").to_string();
        let Ok(b) = engine
            .call("GET", &format!("/containers/{id}/json"), None)
            .await
        else {
            continue;
        };
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(&b) else {
            continue;
        };
        let code = v["State"]["ExitCode"].as_i64().unwrap_or(0);
        if v["State"]["Status"] != "exited" || code == 0 {
            continue;
        }
        let service = v["Config"]["Labels"]["com.docker.compose.service"]
            .as_str()
            .unwrap_or("")
            .to_string();
        let changes: Vec<(&'static str, crate::fix::Change)> = results
            .iter()
            .filter(|r| r.service == service)
            .flat_map(|r| &r.findings)
            .filter(|f| f.wanted_fix && f.counts())
            .flat_map(|f| {
                f.evaluated
                    .finding
                    .changes
                    .iter()
                    .map(|c| (f.evaluated.finding.rule, c.clone()))
            })
            .collect();
        let ctx = crate::diagnose::Context {
            image: v["Config"]["Image"].as_str().unwrap_or("").to_string(),
            user: v["Config"]["User"]
                .as_str()
                .filter(|u| !u.is_empty())
                .map(str::to_string),
            changes,
            args: vec![v["Config"]["Image"].as_str().unwrap_or("").to_string()],
            oom_killed: v["State"]["OOMKilled"] == true,
            // `harden compose up` runs Docker Compose against a Docker engine.
            podman_tmpfs: false,
        };
        let logs = crate::engine::stream::logs(engine, &id, 200)
            .await
            .unwrap_or_default();
        error_line(&format!(
            "service {service}: its container exited with code {code} within {window:?}"
        ));
        if let Some(d) = crate::diagnose::diagnose(&logs, &ctx) {
            for l in d.lines() {
                error_line(&format!("  {l}"));
            }
        }
    }
}

/// `harden compose config [ARGS]`: the hardened project as `docker compose config` prints it.
fn config(
    args: &ComposeArgs,
    project: &Project,
    results: &[ServiceResult],
    rest: &[OsString],
) -> Result<ExitCode, Fail> {
    if let Some(refused) = denials(project, results) {
        notice(&format!(
            "{} denied finding{} (`harden compose lint` shows them): `harden compose up` would \
             refuse this project",
            refused.items.len(),
            if refused.items.len() == 1 { "" } else { "s" }
        ));
    }
    let h = harden_project(project, results, Target::Compose)?;
    if compose_v2().is_none() {
        if !rest.is_empty() {
            return Err(Fail(
                "`harden compose config` with options needs the Compose v2 plugin \
                 (`docker compose`); without it harden prints the project itself"
                    .into(),
            ));
        }
        print_out(&flat::to_yaml(&h.doc));
        return Ok(ExitCode::SUCCESS);
    }
    let (_dir, file) = write_hardened(&h)?;
    let mut cmd = compose_base(args, project, &file)?;
    cmd.arg("config");
    cmd.args(rest);
    let status = cmd
        .status()
        .map_err(|e| Fail(format!("cannot run docker compose: {e}")))?;
    Ok(status_code(status))
}

/// Every `docker compose` subcommand harden does not judge: the real one, same files and options.
fn pass_through(args: &ComposeArgs, rest: &[OsString]) -> Result<ExitCode, Fail> {
    let base = compose_command()?;
    let mut cmd = std::process::Command::new(&base[0]);
    cmd.args(&base[1..]);
    for f in &args.files {
        cmd.arg("-f").arg(f);
    }
    if let Some(p) = &args.project_name {
        cmd.arg("-p").arg(p);
    }
    if let Some(d) = &args.project_directory {
        cmd.arg("--project-directory").arg(d);
    }
    for e in &args.env_file {
        cmd.arg("--env-file").arg(e);
    }
    cmd.args(args.compose_globals());
    cmd.args(rest);
    child_env(&mut cmd);
    let status = cmd
        .status()
        .map_err(|e| Fail(format!("cannot run {}: {e}", base.join(" "))))?;
    Ok(status_code(status))
}

/// `harden stack …`.
#[derive(Debug, Subcommand)]
pub enum StackCommand {
    /// Harden a Compose project for Swarm, then `docker stack deploy` it.
    ///
    /// The same rules, judged as Swarm runs them: limits go under deploy.resources.limits,
    /// tmpfs become `type: tmpfs` volumes, and what Swarm cannot carry is said, never dropped
    /// silently: no-new-privileges (Swarm ignores security_opt: set it daemon-wide on every
    /// node) and the host address of published ports (refused under port-host-ip unless
    /// waived). `extends` and `include:` are resolved first, so files that plain
    /// `docker stack deploy` refuses for them deploy too.
    Deploy(StackDeployArgs),
}

#[derive(Debug, Args)]
pub struct StackDeployArgs {
    /// Compose file (repeatable).
    #[arg(
        short = 'c',
        long = "compose-file",
        value_name = "FILE",
        required = true
    )]
    pub files: Vec<PathBuf>,
    /// Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`).
    #[arg(long, value_name = "P")]
    pub preset: Option<String>,
    /// Waive a rule for this invocation (repeatable).
    #[arg(long, value_name = "RULE")]
    pub allow: Vec<String>,
    /// Passed on: prune services that are no longer referenced.
    #[arg(long)]
    pub prune: bool,
    /// Passed on: query the registry to resolve image digests (always, changed, never).
    #[arg(long, value_name = "WHEN")]
    pub resolve_image: Option<String>,
    /// Passed on: send registry authentication details to Swarm agents.
    #[arg(long)]
    pub with_registry_auth: bool,
    /// Passed on: exit immediately instead of waiting for the services to converge.
    #[arg(short = 'd', long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub detach: Option<String>,
    /// Passed on: suppress progress output.
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Print the hardened stack file instead of deploying it.
    #[arg(long)]
    pub dry_run: bool,
    /// Accept, for this command, a project .harden.yaml that weakens the policy.
    #[arg(long)]
    pub trust_project: bool,
    /// The stack's name.
    #[arg(value_name = "STACK")]
    pub stack: String,
}

pub fn stack_main(command: StackCommand) -> ExitCode {
    let StackCommand::Deploy(args) = command;
    match stack_deploy(&args) {
        Ok(code) => code,
        Err(Fail(msg)) => {
            error_line(&msg);
            ExitCode::from(2)
        }
    }
}

fn stack_deploy(args: &StackDeployArgs) -> Result<ExitCode, Fail> {
    // `docker stack deploy` interpolates from the environment only (no `.env`).
    let opts = LoadOptions {
        no_dotenv: true,
        ..LoadOptions::default()
    };
    let project = load_project(&args.files, &opts)?;
    let policy = load_policy(args.preset.as_deref(), &args.allow)?;
    check_trust(&policy, args.trust_project)?;
    let preset = policy.preset.clone();
    check_locks(&project, &preset).map_err(Fail)?;
    let results = lint::lint_for(&project, &preset, &args.allow, Target::Swarm);
    if let Some(refused) = denials(&project, &results) {
        return Ok(refuse(&refused, "deploy the stack"));
    }
    let h = harden_project(&project, &results, Target::Swarm)?;
    summarize(&h);
    if args.dry_run {
        print_out(&flat::to_yaml(&h.doc));
        return Ok(ExitCode::SUCCESS);
    }
    let (_dir, file) = write_hardened(&h)?;
    let mut cmd = std::process::Command::new(docker_cli());
    cmd.args(["stack", "deploy", "-c"]).arg(&file);
    if args.prune {
        cmd.arg("--prune");
    }
    if let Some(r) = &args.resolve_image {
        cmd.arg("--resolve-image").arg(r);
    }
    if args.with_registry_auth {
        cmd.arg("--with-registry-auth");
    }
    if let Some(d) = &args.detach {
        cmd.arg(format!("--detach={d}"));
    }
    if args.quiet {
        cmd.arg("--quiet");
    }
    cmd.arg(&args.stack);
    child_env(&mut cmd);
    let status = cmd
        .status()
        .map_err(|e| Fail(format!("cannot run docker stack deploy: {e}")))?;
    Ok(status_code(status))
}

/// The Docker CLI: the one that ran us as a plugin, else `docker` on PATH.
fn docker_cli() -> String {
    std::env::var(super::plugin::ORIGINAL_CLI_ENV)
        .ok()
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "docker".into())
}

/// A private temporary directory for the hardened copies, removed when dropped.
fn hardened_dir() -> std::io::Result<tempfile::TempDir> {
    tempfile::Builder::new().prefix("harden-compose-").tempdir()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn writes_keep_modes_and_leave_no_temporary_files() {
        let d = tempfile::tempdir().unwrap();
        // A new file gets what any new file gets here (0666 less the umask).
        let plain = d.path().join("plain");
        std::fs::write(&plain, "x").unwrap();
        let new = d.path().join("new.yaml");
        write_atomic_new(&new, "a: 1\n").unwrap();
        assert_eq!(std::fs::read_to_string(&new).unwrap(), "a: 1\n");
        assert_eq!(mode(&new), mode(&plain));
        // An existing file keeps its mode exactly.
        std::fs::set_permissions(&new, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&new, "a: 2\n").unwrap();
        assert_eq!(mode(&new), 0o640);
        // Changed meanwhile: nothing written.
        let e = write_if_unchanged(&new, "a: 1\n", "a: 3\n").unwrap_err();
        assert_eq!(e.to_string(), CHANGED);
        assert_eq!(std::fs::read_to_string(&new).unwrap(), "a: 2\n");
        let names: Vec<String> = std::fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }
}
