use std::process::ExitCode;

fn main() -> ExitCode {
    harden::cli::main_with_args(std::env::args_os().collect())
}
