use std::io::Write;

use super::{Context, Outcome, emit};
use crate::cli::{WhoArgs, WhoFormat};
use crate::duty;
use crate::error::Result;
use crate::render;

pub fn run(ctx: &Context, args: &WhoArgs, out: &mut dyn Write) -> Result<Outcome> {
    let at = ctx.instant(args.at.as_deref(), "--at")?;
    let duties = duty::at(&ctx.model, at);
    let text = match args.format {
        WhoFormat::Table => render::table::who(&ctx.model, at, &duties, ctx.display_tz),
        WhoFormat::Json => render::json::who(&ctx.model, at, &duties, ctx.display_tz),
    };
    emit(out, text.as_bytes())?;
    Ok(Outcome::Clean)
}
