use std::io::Write;

use super::{Context, Outcome};
use crate::cli::ExportArgs;
use crate::error::{Error, Result};

pub fn run(_ctx: &Context, _args: &ExportArgs, _out: &mut dyn Write) -> Result<Outcome> {
    Err(Error::failed(
        "`rota export` is not built yet",
        "see the README",
    ))
}
