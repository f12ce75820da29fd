use std::io::Write;

use super::{Context, Outcome};
use crate::cli::RemindArgs;
use crate::error::{Error, Result};

pub fn run(_ctx: &Context, _args: &RemindArgs, _out: &mut dyn Write) -> Result<Outcome> {
    Err(Error::failed(
        "`rota remind` is not built yet",
        "see the README",
    ))
}
