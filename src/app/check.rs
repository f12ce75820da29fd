use std::io::Write;

use super::{Context, Outcome};
use crate::cli::CheckArgs;
use crate::error::{Error, Result};

pub fn run(_ctx: &Context, _args: &CheckArgs, _out: &mut dyn Write) -> Result<Outcome> {
    Err(Error::failed(
        "`rota check` is not built yet",
        "see the README",
    ))
}
