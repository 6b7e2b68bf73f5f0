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
        PresetsCommand::Schema => {
            let mut s = serde_json::to_string_pretty(&preset::schema::schema()).unwrap_or_default();
            s.push('\n');
            print_out(&s);
            ExitCode::SUCCESS
        }
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
        Some(n) => Preset::named_or_path(n, &cwd).map(|p| (p, String::new())),
        None => {
            crate::session::policy(
                &super::system_env(),
                None,
                &[],
                crate::session::Reach::Project,
            )
            .map(|pol| {
                let mut head = String::from("# the policy in effect here, in the order applied (a later file overrides an earlier\n# one, except what an earlier one locked):\n");
                for s in &pol.sources {
                    head.push_str(&format!("#   {:<15} {}\n", s.layer.word(), s.label));
                }
                for w in &pol.weakenings {
                    head.push_str(&format!("#   weakened: {}:{} {}\n", w.file, w.line, w.what));
                }
                (pol.preset, head)
            })
        }
    };
    match result {
        Ok((p, head)) => {
            print_out(&format!("{head}{}", p.to_yaml()));
            ExitCode::SUCCESS
        }
        Err(e) => {
            error_line(&e.to_string());
            ExitCode::from(2)
        }
    }
}

/// `harden trust [FILE]`: records the current content of a project policy file as trusted.
pub fn trust(file: Option<&std::path::Path>) -> ExitCode {
    let cwd = cwd();
    let Some(file) = file.map(|f| cwd.join(f)).or_else(|| preset::discover(&cwd)) else {
        error_line(&format!(
            "no {} found from {} upward; name the file to trust",
            preset::TEAM_FILE,
            cwd.display()
        ));
        return ExitCode::from(2);
    };
    let env = |k: &str| std::env::var(k).ok();
    // What it weakens, on top of the machine and user policies (said before trusting).
    let dir = file.parent().unwrap_or(&cwd).to_path_buf();
    let policy = preset::policy::load_policy(&preset::policy::PolicyRequest {
        preset_flag: None,
        allow: &[],
        cwd: &dir,
        env: &|k: &str| if k == "HARDEN_PRESET" { None } else { env(k) },
        project: true,
    });
    let policy = match policy {
        Ok(p) => p,
        Err(e) => {
            error_line(&e.to_string());
            return ExitCode::from(2);
        }
    };
    match preset::policy::trust(&file, &env) {
        Ok(store) => {
            if policy.weakenings.is_empty() {
                super::notice(&format!(
                    "trusted {} (it weakens nothing); recorded in {}",
                    file.display(),
                    store.display()
                ));
            } else {
                for w in &policy.weakenings {
                    super::notice(&format!("{}:{}: {}", file.display(), w.line, w.what));
                }
                super::notice(&format!(
                    "trusted {} as it is now; any change needs a new `harden trust` (recorded in {})",
                    file.display(),
                    store.display()
                ));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            error_line(&e);
            ExitCode::from(2)
        }
    }
}
