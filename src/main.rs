use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = rota::cli::Cli::parse();
    rota::app::main(cli)
}
