use std::io::Write;

use super::{Context, Outcome, emit};
use crate::cli::{CoverageArgs, CoverageFormat};
use crate::config::{suggest, syntax};
use crate::coverage::{self, Addition, Scope};
use crate::error::{Error, Result};
use crate::model::DaySet;
use crate::render;

pub fn run(ctx: &Context, args: &CoverageArgs, out: &mut dyn Write) -> Result<Outcome> {
    let period = ctx.period(&args.period, 1)?;
    let scope = match &args.rule {
        None => Scope::AllRotations,
        Some(name) => Scope::Rule(rule(ctx, name)?),
    };
    let additions = args
        .add
        .iter()
        .map(|text| addition(text))
        .collect::<Result<Vec<_>>>()?;
    let coverage = coverage::coverage(&ctx.model, period, ctx.display_tz, scope, &additions);
    let text = match args.format {
        // Styled always: the output stream strips the styles off a pipe or under NO_COLOR.
        CoverageFormat::Text => render::coverage::text(&ctx.model, &coverage, true),
        CoverageFormat::Json => render::coverage::json(&ctx.model, &coverage),
    };
    emit(out, text.as_bytes())?;
    // A view, not a lint: `rota check` is what fails on gaps.
    Ok(Outcome::Clean)
}

fn rule(ctx: &Context, name: &str) -> Result<usize> {
    let rules = &ctx.model.coverage;
    rules.iter().position(|r| r.name == name).ok_or_else(|| {
        let names: Vec<&str> = rules.iter().map(|r| r.name.as_str()).collect();
        let help = match suggest::closest(name, names.iter().copied()).first() {
            Some(close) => format!("did you mean `--rule {close}`?"),
            None if names.is_empty() => {
                "the config has no [[coverage]] rule; leave out --rule to count all rotations"
                    .to_string()
            }
            None => format!("the config's rules are: {}", names.join(", ")),
        };
        Error::usage(format!("no coverage rule `{name}` for --rule"), help)
    })
}

/// `"Asia/Manila 09:00-17:00 mon-fri"`: a zone, a window and optional days.
fn addition(text: &str) -> Result<Addition> {
    const HELP: &str = "write --add \"ZONE HH:MM-HH:MM DAYS\", e.g. --add \"Asia/Manila 09:00-17:00 mon-fri\" (DAYS default daily)";
    let mut words = text.split_whitespace();
    let (Some(zone), Some(window)) = (words.next(), words.next()) else {
        return Err(Error::usage(
            format!("`{text}` is not an addition for --add"),
            HELP,
        ));
    };
    let days: Vec<&str> = words.collect();
    let timezone = suggest::time_zone(zone).map_err(|hint| {
        Error::usage(
            format!("unknown time zone `{zone}` in --add \"{text}\""),
            hint,
        )
    })?;
    let window = syntax::window(window)
        .map_err(|p| Error::usage(format!("{} in --add \"{text}\"", p.message), p.help))?;
    let days = if days.is_empty() {
        DaySet::ALL
    } else {
        syntax::day_set(&days.join(" "))
            .map_err(|p| Error::usage(format!("{} in --add \"{text}\"", p.message), p.help))?
    };
    Ok(Addition {
        timezone,
        window,
        days,
        text: text.split_whitespace().collect::<Vec<_>>().join(" "),
    })
}
