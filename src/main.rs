#![forbid(unsafe_code)]

use std::process::ExitCode;

/// mimalloc instead of the system allocator: reading and linting Compose files is
/// allocation-heavy (many small strings and nodes), and glibc's malloc took about 40% of
/// `harden compose lint`'s time (see bench/RESULTS.md).
#[cfg(not(feature = "system-allocator"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    harden::cli::main_with_args(std::env::args_os().collect())
}
