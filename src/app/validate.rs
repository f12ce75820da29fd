use std::io::Write;

use super::{Context, Outcome, emit};
use crate::cli::{ValidateArgs, ValidateFormat};
use crate::error::Result;

pub fn run(ctx: &Context, args: &ValidateArgs, out: &mut dyn Write) -> Result<Outcome> {
    let m = &ctx.model;
    if args.format == ValidateFormat::Json {
        let file = ctx.config_path.display().to_string();
        emit(out, crate::render::validate::summary(&file, m).as_bytes())?;
        return Ok(Outcome::Clean);
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let line = format!(
        "{}: ok — team {}, {}, {}, {}, {} (start {}, {})\n",
        crate::printable::escape(
            &ctx.config_path.display().to_string(),
            crate::printable::MAX_MESSAGE
        ),
        if m.team.name.is_empty() {
            "(unnamed)"
        } else {
            &m.team.name
        },
        plural(m.people.len(), "person").replace("persons", "people"),
        plural(m.rotations.len(), "rotation"),
        plural(m.coverage.len(), "coverage rule"),
        plural(m.overrides.len(), "override"),
        m.team.start,
        m.team.timezone.name(),
    );
    emit(out, line.as_bytes())?;
    Ok(Outcome::Clean)
}
