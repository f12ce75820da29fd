use std::io::{IsTerminal, Write};

use super::{Context, Outcome, emit, emit_with};
use crate::cli::{PlanArgs, PlanFormat};
use crate::error::Result;
use crate::plan;
use crate::render::{self, PlanView};

pub fn run(ctx: &Context, args: &PlanArgs, out: &mut dyn Write) -> Result<Outcome> {
    let period = ctx.period(&args.period, 1)?;
    let shifts = plan::plan(&ctx.model, period);
    let view = PlanView {
        model: &ctx.model,
        shifts: &shifts,
        period,
        tz: ctx.display_tz,
    };
    // A person at a terminal gets the calendar; scripts reading a pipe keep the list.
    let format = args.format.unwrap_or(if std::io::stdout().is_terminal() {
        PlanFormat::Grid
    } else {
        PlanFormat::Table
    });
    let text = match format {
        PlanFormat::Json => {
            emit_with(out, |out| render::json::write_plan(&view, out))?;
            return Ok(Outcome::Clean);
        }
        // Styled always: the output stream strips the styles off a pipe or under NO_COLOR.
        PlanFormat::Grid => render::grid::plan(&view, crate::io::terminal::width(), true),
        PlanFormat::Table => render::table::plan(&view),
        PlanFormat::Csv => render::csv::plan(&view),
        PlanFormat::Markdown => render::markdown::plan(&view),
    };
    emit(out, text.as_bytes())?;
    Ok(Outcome::Clean)
}
