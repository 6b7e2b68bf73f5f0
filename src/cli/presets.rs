//! `harden presets [list | show NAME]`.

use super::{PresetsCommand, error_line, print_out};
use crate::preset::{self, BUILTIN, Preset, Selection};
use std::process::ExitCode;

fn cwd() -> std::path::PathBuf {
    std::env::current_dir().unwrap_or_else(|_| ".".into())
}

pub fn main(command: Option<PresetsCommand>) -> ExitCode {
    match command.unwrap_or(PresetsCommand::List) {
        PresetsCommand::List => list(),
        PresetsCommand::Show { name } => show(name.as_deref()),
    }
}

fn list() -> ExitCode {
    let cwd = cwd();
    let env = std::env::var("HARDEN_PRESET").ok();
    let selection = preset::select(None, env.as_deref(), &cwd);
    let mut out = String::from("Built-in presets:\n");
    for (name, _) in BUILTIN {
        let description = Preset::builtin(name)
            .map(|p| p.description)
            .unwrap_or_else(|e| format!("(invalid: {e})"));
        out.push_str(&format!("  {name:<9} {description}\n"));
    }
    out.push_str(&format!(
        "\nIn effect here: {}\n",
        match &selection {
            Selection::Flag(s) => s.clone(),
            Selection::Env(s) => format!("{s} (from HARDEN_PRESET)"),
            Selection::TeamFile(p) => format!("{} (team file)", p.display()),
            Selection::Default => "default (no .harden.yaml found from here upward)".into(),
        }
    ));
    print_out(&out);
    ExitCode::SUCCESS
}

fn show(name: Option<&str>) -> ExitCode {
    let cwd = cwd();
    let result = match name {
        Some(n) => Preset::named_or_path(n, &cwd),
        None => {
            let env = std::env::var("HARDEN_PRESET").ok();
            preset::load(&preset::select(None, env.as_deref(), &cwd), &cwd)
        }
    };
    match result {
        Ok(p) => {
            print_out(&p.to_yaml());
            ExitCode::SUCCESS
        }
        Err(e) => {
            error_line(&e.to_string());
            ExitCode::from(2)
        }
    }
}
