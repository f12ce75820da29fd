use std::io::Write;

use super::{Context, Outcome, emit};
use crate::cli::{WhoArgs, WhoFormat};
use crate::error::Result;
use crate::plan::{self, Period};
use crate::render::{self, OnDuty};

pub fn run(ctx: &Context, args: &WhoArgs, out: &mut dyn Write) -> Result<Outcome> {
    let at = ctx.instant(args.at.as_deref(), "--at")?;
    let shifts = plan::overlapping(
        &ctx.model,
        Period::new(at, at + chrono::TimeDelta::seconds(1)),
    );
    let on_duty: Vec<OnDuty> = (0..ctx.model.rotations.len())
        .map(|rotation| OnDuty {
            rotation,
            shift: shifts
                .iter()
                .find(|s| s.rotation == rotation && s.start <= at && at < s.end),
        })
        .collect();
    let text = match args.format {
        WhoFormat::Table => render::table::who(&ctx.model, at, &on_duty, ctx.display_tz),
        WhoFormat::Json => render::json::who(&ctx.model, at, &on_duty, ctx.display_tz),
    };
    emit(out, text.as_bytes())?;
    Ok(Outcome::Clean)
}
