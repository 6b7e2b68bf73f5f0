//! Shell completions, generated from the clap definitions plus the `docker run` flags table.

use super::Cli;
use crate::frontend::argv::{FLAGS, FlagGroup, ValueKind};
use clap::{Arg, ArgAction, Command, CommandFactory, ValueHint};
use clap_complete::Shell;

/// Values harden knows for some flags (completion candidates).
fn known_values(long: &str) -> Option<&'static [&'static str]> {
    Some(match long {
        "pull" => &["always", "missing", "never"],
        "restart" => &["no", "always", "unless-stopped", "on-failure"],
        "format" => &["text", "json"],
        "preset" => &["default", "strict", "baseline"],
        "cgroupns" => &["host", "private"],
        "userns" | "uts" => &["host"],
        "pid" | "ipc" => &["host", "private", "shareable", "none"],
        "network" => &["bridge", "host", "none"],
        "attach" => &["stdin", "stdout", "stderr"],
        _ => return None,
    })
}

/// `harden run`/`create` with one clap argument per entry of the flags table.
fn with_docker_flags(cmd: Command) -> Command {
    let mut cmd = cmd.mut_arg("args", |a| a.hide(true));
    for f in FLAGS.iter().filter(|f| !f.hidden) {
        if f.group == FlagGroup::Docker && f.long == "help" {
            continue;
        }
        let mut arg = Arg::new(f.long).long(f.long).help(f.help);
        if let Some(c) = f.short {
            arg = arg.short(c);
        }
        arg = if f.kind == ValueKind::Bool {
            arg.action(ArgAction::SetTrue)
        } else {
            let a = arg.action(ArgAction::Append).value_name(f.value_name);
            match f.long {
                "env-file" | "label-file" | "cidfile" => a.value_hint(ValueHint::FilePath),
                "workdir" => a.value_hint(ValueHint::Other),
                _ => a,
            }
        };
        if let Some(vals) = known_values(f.long) {
            arg = arg.value_parser(vals.to_vec());
        }
        cmd = cmd.arg(arg);
    }
    cmd.arg(
        Arg::new("help")
            .long("help")
            .action(ArgAction::Help)
            .help("Print usage"),
    )
}

/// The full command tree used for completions and the man page.
pub fn command() -> Command {
    let mut cmd = Cli::command();
    for name in ["run", "create"] {
        cmd = cmd.mut_subcommand(name, with_docker_flags);
    }
    cmd
}

/// The completion script for a shell.
pub fn script(shell: Shell) -> String {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command(), "harden", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// File name of the checked-in script under `completions/`.
pub fn file_name(shell: Shell) -> String {
    match shell {
        Shell::Bash => "harden.bash".into(),
        Shell::Zsh => "_harden".into(),
        Shell::Fish => "harden.fish".into(),
        Shell::PowerShell => "_harden.ps1".into(),
        Shell::Elvish => "harden.elv".into(),
        _ => format!("harden.{shell}"),
    }
}

/// Every shell clap_complete supports.
pub const SHELLS: [Shell; 5] = [
    Shell::Bash,
    Shell::Zsh,
    Shell::Fish,
    Shell::PowerShell,
    Shell::Elvish,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_tree_is_valid_and_has_docker_flags() {
        let cmd = command();
        cmd.clone().debug_assert();
        let run = cmd.find_subcommand("run").unwrap();
        for long in [
            "publish",
            "cap-drop",
            "security-opt",
            "dry-run",
            "preset",
            "memory",
        ] {
            assert!(
                run.get_arguments().any(|a| a.get_long() == Some(long)),
                "--{long} missing"
            );
        }
        assert!(script(Shell::Bash).contains("--security-opt"));
    }
}
