//! `foyer`: the operator's one binary (server, migrations, administration).

use std::process::ExitCode;

use clap::Parser as _;

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
