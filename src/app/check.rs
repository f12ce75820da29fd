use std::io::Write;

use super::{Context, Outcome, emit};
use crate::check;
use crate::cli::{CheckArgs, CheckFormat};
use crate::error::Result;
use crate::render::check::{CheckView, json, text};
use crate::render::github;

pub fn run(ctx: &Context, args: &CheckArgs, quiet: bool, out: &mut dyn Write) -> Result<Outcome> {
    let period = ctx.period(&args.period, 1)?;
    let report = check::check(&ctx.model, period);
    let view = CheckView {
        model: &ctx.model,
        report: &report,
        tz: ctx.display_tz,
        strict: args.strict,
    };
    let bytes = match args.format {
        CheckFormat::Text => text(&view),
        CheckFormat::Json => json(&view),
        CheckFormat::Github => github::check(&view, &ctx.config_path.display().to_string()),
    };
    if !quiet {
        emit(out, bytes.as_bytes())?;
    }
    Ok(if report.fails(args.strict) {
        Outcome::Problems
    } else {
        Outcome::Clean
    })
}
