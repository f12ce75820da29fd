//! `rota completions SHELL` and `rota man`: generated from the command line's own definition,
//! so they never fall behind it.

use std::io::Write;

use clap::CommandFactory;

use super::{Outcome, emit};
use crate::cli::Cli;
use crate::error::{Error, Result};

pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<Outcome> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "rota", &mut script);
    emit(out, &script)?;
    Ok(Outcome::Clean)
}

/// The page of rota, or with `command` the page of that command (`rota-plan(1)`), as
/// git and cargo have one page per command.
pub fn man(command: Option<&str>, out: &mut dyn Write) -> Result<Outcome> {
    let mut rota = Cli::command();
    // Built, so that each command's page lists the global flags too.
    rota.build();
    let page = match command {
        None => rota,
        Some(name) => {
            let sub = rota
                .find_subcommand(name)
                .ok_or_else(|| {
                    let names: Vec<&str> = rota.get_subcommands().map(|c| c.get_name()).collect();
                    Error::usage(
                        format!("there is no command `{name}`"),
                        format!("the commands are {}", names.join(", ")),
                    )
                })?
                .clone();
            let full = format!("rota-{}", sub.get_name());
            sub.name(full).version(crate::cli::VERSION)
        }
    };
    let mut roff = Vec::new();
    clap_mangen::Man::new(page).render(&mut roff).map_err(|e| {
        Error::failed(
            format!("cannot write the manual page: {e}"),
            "check where standard output goes",
        )
    })?;
    emit(out, &roff)?;
    Ok(Outcome::Clean)
}
