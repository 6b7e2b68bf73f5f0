//! The command line: clap definitions and one module per subcommand.

// The one module that prints (Cargo.toml denies printing elsewhere).
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod attach;
pub mod audit;
pub mod completions;
pub mod compose;
pub mod learn;
pub mod man;
pub mod plugin;
mod presets;
mod progress;
pub mod proxy;
mod review;
mod rules;
pub mod run;
pub mod tty;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

const ABOUT: &str = "Secure-by-default containers: a drop-in for `docker run` and a security \
linter/fixer for Docker Compose.";

const AFTER_HELP: &str = "\
Examples:
  harden run --dry-run --explain -p 8080:80 nginx:1.27
  harden run --rm -it alpine:3.20 sh          (alias docker run to this)
  harden rules
  harden explain cap-drop-all
  harden presets show strict

Presets: --preset NAME|PATH, else $HARDEN_PRESET, else .harden.yaml (searched upward), else
`default`.";

#[derive(Debug, Parser)]
#[command(name = "harden", version, about = ABOUT, after_help = AFTER_HELP)]
pub struct Cli {
    /// When to use colours (NO_COLOR is honoured with `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    /// Do not print harden's own notices (summaries, assumptions); errors are still printed.
    /// Goes before the subcommand: after `run`, `-q` is docker's `--quiet`.
    #[arg(short, long)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum RulesFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Harden, create, start and attach a container: accepts every `docker run` flag.
    ///
    /// Run `harden run --help` for the flags.
    #[command(disable_help_flag = true)]
    Run {
        /// `docker run` arguments: [OPTIONS] IMAGE [COMMAND] [ARG...]
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
        args: Vec<OsString>,
    },
    /// Harden and create a container without starting it (drop-in for `docker create`).
    #[command(disable_help_flag = true)]
    Create {
        /// `docker create` arguments: [OPTIONS] IMAGE [COMMAND] [ARG...]
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
        args: Vec<OsString>,
    },
    /// Find what an image needs to work hardened, by trial runs, and write its profile.
    ///
    /// `harden learn [--probe tcp:PORT|http:PORT/PATH|cmd:CMD] [--stdout] [docker run flags]
    /// IMAGE [ARG...]`; `harden learn --help` for the options.
    #[command(disable_help_flag = true)]
    Learn {
        /// [LEARN OPTIONS] [docker run flags] IMAGE [COMMAND] [ARG...]
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
        args: Vec<OsString>,
    },
    /// List the rules.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
    /// Explain a rule: why it matters, an example, its fix, how to waive it, references.
    Explain {
        /// Rule id, as listed by `harden rules`.
        rule: String,
    },
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    ///
    /// bash: `harden completions bash > ~/.local/share/bash-completion/completions/harden`
    Completions {
        /// Shell to generate the script for.
        shell: clap_complete::Shell,
    },
    /// Lint, fix, print or bring up a Docker Compose project with the same rules.
    ///
    /// Stands in for `docker compose`: lint, fix, config, up, run and create are judged; every
    /// other subcommand (down, ps, logs, exec, …) runs the real `docker compose` as given.
    Compose(compose::ComposeArgs),
    /// Deploy a Compose project to Swarm, hardened: `harden stack deploy -c FILE STACK`.
    Stack {
        #[command(subcommand)]
        command: compose::StackCommand,
    },
    /// Check running containers (or all with --all) against the rules and the preset.
    ///
    /// Reports what `harden run` would have changed or refused for each container, from the
    /// Engine API's inspect data. Exit 0 when clean, 1 with findings at or above --fail-on,
    /// 2 on errors (unknown container, no engine).
    Audit(audit::AuditArgs),
    /// Serve the Engine API to every client (Compose, CI runners, SDKs) with the doors to
    /// privilege judged: `harden proxy --listen unix:///run/harden/docker.sock`.
    ///
    /// Requests that create or widen containers (create, exec, update, services, plugins,
    /// volumes, builds) are read whole and judged; everything else passes through untouched
    /// and unbuffered (attach, logs -f, events, cp, build contexts, BuildKit sessions).
    Proxy(proxy::ProxyArgs),
    /// Print the man page (roff): `harden man | man -l -`.
    Man,
    /// Trust a project's .harden.yaml as it is now (needed when it weakens the policy).
    ///
    /// harden run/create and compose up refuse a project file that turns a deny rule down or
    /// waives one until its current content is trusted; any change needs a new trust. The hash
    /// is recorded in $XDG_STATE_HOME/harden/trusted.json.
    Trust {
        /// The file (default: .harden.yaml found from here upward).
        file: Option<std::path::PathBuf>,
    },
    /// List the presets, or show one resolved.
    Presets {
        #[command(subcommand)]
        command: Option<PresetsCommand>,
    },
}

#[derive(Debug, Subcommand)]
pub enum PresetsCommand {
    /// List the built-in presets and the team file in effect.
    List,
    /// Print a preset with `extends` resolved (a built-in name, a path, or the preset in effect).
    Show {
        /// Preset name or path; default: the preset in effect here.
        name: Option<String>,
    },
    /// Print a JSON Schema of the preset format (for editors: yaml-language-server).
    ///
    /// `harden presets schema > harden.schema.json`, then start .harden.yaml with
    /// `# yaml-language-server: $schema=./harden.schema.json`.
    Schema,
}

static QUIET: AtomicBool = AtomicBool::new(false);

/// The Docker CLI's global options of this process (plugin mode), set once by
/// [`main_with_args`].
static GLOBALS: std::sync::OnceLock<crate::globals::GlobalOptions> = std::sync::OnceLock::new();

/// The real environment, with the global options the command line gave.
pub fn system_env() -> crate::frontend::argv::SystemEnvironment {
    crate::frontend::argv::SystemEnvironment {
        globals: GLOBALS.get().cloned().unwrap_or_default(),
    }
}

/// Entry point used by `main`: `harden …`, or `docker-harden …` as a Docker CLI plugin.
pub fn main_with_args(args: Vec<OsString>) -> ExitCode {
    let env = |k: &str| std::env::var(k).ok();
    let (args, bin_name) = match plugin::classify(args, &env) {
        plugin::Invocation::Direct(a) => (a, "harden"),
        plugin::Invocation::Metadata => {
            print_out(&plugin::metadata());
            return ExitCode::SUCCESS;
        }
        plugin::Invocation::Hook => return ExitCode::SUCCESS,
        plugin::Invocation::Plugin { args, globals } => {
            let _ = GLOBALS.set(globals);
            (args, "docker harden")
        }
        plugin::Invocation::Error(msg) => {
            error_line(&msg);
            return ExitCode::from(2);
        }
    };
    // `harden run|create ARGS…` hands ARGS to the `docker run` parser as they are: skip building
    // clap's tree of every subcommand (a sixth of the instructions `harden create` had left
    // after the presets; bench/PROFILE.md), where clap would give the same.
    if let Some((mode, args)) = run_fast_path(&args) {
        set_globals(false, ColorChoice::Auto);
        return run::main(mode, args);
    }
    let parsed = Cli::command()
        .bin_name(bin_name)
        .try_get_matches_from(args)
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(c) => c,
        Err(e) => {
            if !e.use_stderr() {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            // One `harden: …` line, then clap's usage and hints.
            let text = e.render().to_string();
            let mut lines = text.lines();
            let first = lines.next().unwrap_or_default();
            error_line(first.strip_prefix("error: ").unwrap_or(first));
            for line in lines {
                eprintln!("{line}");
            }
            return ExitCode::from(2);
        }
    };
    set_globals(cli.quiet, cli.color);
    match cli.command {
        Command::Run { args } => run::main(run::Mode::Run, args),
        Command::Create { args } => run::main(run::Mode::Create, args),
        Command::Learn { args } => learn::main(args),
        Command::Rules { format } => rules::list(format),
        Command::Explain { rule } => rules::explain(&rule),
        Command::Presets { command } => presets::main(command),
        Command::Completions { shell } => {
            print_out(&completions::script(shell));
            ExitCode::SUCCESS
        }
        Command::Compose(args) => compose::main(args),
        Command::Stack { command } => compose::stack_main(command),
        Command::Audit(args) => audit::main(args),
        Command::Proxy(args) => proxy::main(args),
        Command::Trust { file } => presets::trust(file.as_deref()),
        Command::Man => {
            print_out(&man::page());
            ExitCode::SUCCESS
        }
    }
}

/// `-q` and `--color` for the rest of the process.
fn set_globals(quiet: bool, color: ColorChoice) {
    QUIET.store(quiet, Ordering::Relaxed);
    match color {
        ColorChoice::Always => owo_colors::set_override(true),
        ColorChoice::Never => owo_colors::set_override(false),
        // NO_COLOR (any non-empty value) wins over CLICOLOR_FORCE and terminals.
        ColorChoice::Auto if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) => {
            owo_colors::set_override(false)
        }
        ColorChoice::Auto => {}
    }
}

/// `harden run ARGS…` / `harden create ARGS…` read without clap, when clap would give
/// `Command::Run`/`Command::Create` with exactly ARGS and the global options at their
/// defaults: the subcommand comes first, and no argument is one clap reads itself (the global
/// `--color`, or `--`). Anything else goes through clap (a test keeps the two equal).
fn run_fast_path(args: &[OsString]) -> Option<(run::Mode, Vec<OsString>)> {
    let mode = match args.get(1)?.to_str()? {
        "run" => run::Mode::Run,
        "create" => run::Mode::Create,
        _ => return None,
    };
    let rest = &args[2..];
    let clap_reads = |a: &OsString| {
        let b = a.as_encoded_bytes();
        b == b"--" || b.starts_with(b"--color")
    };
    if rest.iter().any(clap_reads) {
        return None;
    }
    Some((mode, rest.to_vec()))
}

/// True when `harden -q` asked for no notices.
pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Prints a notice `harden: <msg>` to stderr unless `-q` was given.
pub fn notice(msg: &str) {
    if !quiet() {
        error_line(msg);
    }
}

/// Prints an error line `harden: <msg>` to stderr.
pub fn error_line(msg: &str) {
    let prefix = crate::render::paint_err("harden:", crate::render::Style::Error);
    // One `write` (stderr is unbuffered: `eprintln!` with the parts wrote four).
    let line = format!("{prefix} {msg}\n");
    eprint!("{line}");
}

/// Writes to stdout; a closed pipe is not an error.
pub fn print_out(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What clap makes of a command line: run/create with their arguments, or nothing.
    fn by_clap(argv: &[OsString]) -> Option<(run::Mode, Vec<OsString>)> {
        let cli = Cli::try_parse_from(argv).ok()?;
        if cli.quiet || cli.color != ColorChoice::Auto {
            return None;
        }
        match cli.command {
            Command::Run { args } => Some((run::Mode::Run, args)),
            Command::Create { args } => Some((run::Mode::Create, args)),
            _ => None,
        }
    }

    #[test]
    fn run_fast_path_reads_what_clap_reads() {
        let lines: &[&[&str]] = &[
            &["create", "--label", "a=1", "busybox", "sh", "-c", "exit 0"],
            &["run", "--rm", "-it", "alpine:3.20", "sh"],
            &["run", "-q", "img"],
            &["create", "--quiet", "img"],
            &["run", "--help"],
            &["run", "-h"],
            &["create", "--version"],
            &["create", "-V"],
            &["run"],
            &["create"],
            &["run", "-", "img"],
            &["run", "-e", "--color=never", "img"],
            &["run", "img", "--color", "never"],
            &["run", "--color", "never", "img"],
            &["run", "--color=always", "img"],
            &["run", "--colour", "img"],
            &["run", "--", "img"],
            &["run", "img", "--", "ls"],
            &[
                "run",
                "--dry-run",
                "--preset",
                "strict",
                "img",
                "--rm",
                "-x",
            ],
            &["run", "img", "-q", "--help", "-h"],
            &["-q", "run", "img"],
            &["--color", "never", "run", "img"],
            &["create", "--network=host", "--privileged", "img", "a b", ""],
            &["runs", "img"],
            &["Run", "img"],
            &["rules"],
        ];
        let mut fast = 0;
        for line in lines {
            let argv: Vec<OsString> = std::iter::once("harden")
                .chain(line.iter().copied())
                .map(OsString::from)
                .collect();
            if let Some(got) = run_fast_path(&argv) {
                fast += 1;
                assert_eq!(Some(&got), by_clap(&argv).as_ref(), "{line:?}");
            }
        }
        assert!(fast >= 15, "the fast path took only {fast} lines");
        // Not UTF-8: the same bytes as clap hands over.
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStringExt;
            let argv = vec![
                OsString::from("harden"),
                OsString::from("create"),
                OsString::from_vec(vec![0xff, b'x']),
            ];
            assert_eq!(run_fast_path(&argv), by_clap(&argv));
        }
    }
}
