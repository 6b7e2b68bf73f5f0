//! `harden audit`: inspect running (or all) containers through the Engine API and apply the same
//! rules and preset as `harden run`, so a container started with plain `docker run` gets a report
//! of what `harden run` would have changed or refused. Exit codes as `compose lint`: 0 clean,
//! 1 findings at or above `--fail-on`, 2 usage or input errors (unknown container, daemon down).

use super::compose::Format;
use super::error_line;
use crate::render::report::FailOn;
use clap::Args;
use std::process::ExitCode;

/// `harden audit` options.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Containers to audit (names or IDs); default: every running container.
    #[arg(value_name = "CONTAINER")]
    pub containers: Vec<String>,
    /// Audit every container, stopped ones too.
    #[arg(short, long, conflicts_with = "containers")]
    pub all: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Exit 1 when a finding at or above this severity is left.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
    /// Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`).
    #[arg(long, value_name = "P")]
    pub preset: Option<String>,
    /// Waive a rule for this invocation (repeatable).
    #[arg(long, value_name = "RULE")]
    pub allow: Vec<String>,
}

pub fn main(args: AuditArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            error_line(&format!("cannot start the async runtime: {e}"));
            return ExitCode::from(2);
        }
    };
    let request = crate::session::audit::Request {
        preset: args.preset.as_deref(),
        allow: &args.allow,
        containers: &args.containers,
        all: args.all,
    };
    match runtime.block_on(crate::session::audit::run(&request, &super::system_env())) {
        Ok(report) => super::compose::print_lint(&report, args.format, args.fail_on),
        Err(msg) => {
            error_line(&msg);
            ExitCode::from(2)
        }
    }
}
