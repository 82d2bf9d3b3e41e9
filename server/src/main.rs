//! `foyer`: the operator's one binary (server, migrations, administration).

use std::process::ExitCode;

use clap::Parser as _;

/// jemalloc with a background thread that returns freed pages after a second
/// (`docs/design/peaks.md` "Memory"; its options are set at build time in
/// `.cargo/config.toml`).
#[cfg(all(target_os = "linux", not(target_env = "musl")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = server::cli::Cli::parse();
    match server::cli::run(cli).await {
        Ok(code) => code,
        Err(e) => {
            // One line naming the problem; no backtrace for an operator's mistake.
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
