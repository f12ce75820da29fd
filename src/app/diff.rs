//! `rota diff`: two versions of the rotation → the shifts that change hands → rendered.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, Months, TimeDelta, Utc};

use super::{Context, Outcome, emit, inputs};
use crate::cli::{DiffArgs, DiffFormat};
use crate::config;
use crate::diff::{self, Stretch};
use crate::error::{Error, Result};
use crate::local_time::start_of_day;
use crate::model::Model;
use crate::plan::{self, Period};
use crate::render::diff::{self as render, DiffView};

pub fn run(ctx: &Context, args: &DiffArgs, out: &mut dyn Write) -> Result<Outcome> {
    let period = period(ctx, args)?;
    let after: Vec<Stretch>;
    let before: Vec<Stretch>;
    let against: String;
    match &args.against {
        None => {
            // The plan as it was published (the lock's holders, with the overrides in effect
            // then) against the current plan of the same slots.
            let mut published_only = ctx.model.clone();
            published_only.overrides.clear();
            before = diff::as_published(&ctx.model, &plan::plan(&published_only, period));
            after = stretches(&ctx.model, period)
                .into_iter()
                .filter(|s| s.published)
                .collect();
            against = ctx.lock_path.display().to_string();
        }
        Some(other) => {
            let model = if Path::new(other).is_file() {
                inputs::read(Path::new(other))?.model
            } else {
                at_revision(ctx, other)?
            };
            before = stretches(&model, period);
            after = stretches(&ctx.model, period);
            against = other.clone();
        }
    }
    let diff = diff::diff(&before, &after);
    let view = DiffView {
        diff: &diff,
        period,
        against: &against,
        tz: ctx.display_tz,
    };
    let text = match args.format {
        DiffFormat::Text => render::text(&view),
        DiffFormat::Json => render::json(&view),
        DiffFormat::Markdown => render::markdown(&view),
    };
    emit(out, text.as_bytes())?;
    Ok(if args.exit_code && !diff.changes.is_empty() {
        Outcome::Problems
    } else {
        Outcome::Clean
    })
}

/// The stretches of the slots whose whole shift starts in `period` (as `plan` counts a
/// period): a part an override split off goes with its slot, so both sides hold the same
/// slots whichever side an override splits.
fn stretches(model: &Model, period: Period) -> Vec<Stretch> {
    plan::overlapping(model, period)
        .iter()
        .filter(|s| period.contains(s.slot_start))
        .map(|s| Stretch::of(model, s))
        .collect()
}

/// The period flags; without them, from now to the end of the published horizon, or the
/// next three months when nothing ahead is published.
fn period(ctx: &Context, args: &DiffArgs) -> Result<Period> {
    if args.period.month.is_some() || args.period.from.is_some() {
        return ctx.period(&args.period, 3);
    }
    let tz = ctx.display_tz;
    let now = ctx.now;
    let horizon: Option<DateTime<Utc>> = ctx
        .model
        .published
        .through
        .and_then(|d| d.succ_opt())
        .map(|d| start_of_day(tz, d))
        .filter(|&end| end > now);
    let to = horizon.unwrap_or_else(|| {
        let today = now.with_timezone(&tz).date_naive();
        let later = today
            .checked_add_months(Months::new(3))
            .unwrap_or(today + TimeDelta::days(90));
        start_of_day(tz, later)
    });
    Ok(Period::new(now, to))
}

/// The model of the config and lock at git revision `rev`, read with `git show`.
fn at_revision(ctx: &Context, rev: &str) -> Result<Model> {
    let dir = &ctx.config_dir;
    let verified = git(
        dir,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ],
    );
    if verified.is_none() {
        return Err(Error::usage(
            format!("`{rev}` is neither a file nor a git revision"),
            "pass --against HEAD, --against origin/main (any git revision), or the path of another config",
        ));
    }
    let config_file = file_name(&ctx.config_path);
    let config_text = git(dir, &["show", &format!("{rev}:./{config_file}")]).ok_or_else(|| {
        Error::usage(
            format!("the config `{config_file}` is not in git revision `{rev}`"),
            "commit the config first, or compare with another revision",
        )
    })?;
    let name = format!("{rev}:{config_file}");
    // The `.ics` files it names (holidays, away) as they were at that revision too.
    let read = |relative: &str| {
        git(dir, &["show", &format!("{rev}:./{relative}")])
            .ok_or_else(|| format!("it is not in git revision `{rev}`"))
    };
    let model = config::load_with(&config_text, &name, &read)?;
    let lock_path = inputs::lock_path(&model, &ctx.config_path);
    let lock_dir = match lock_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let lock_file = file_name(&lock_path);
    // A lock missing at that revision means nothing was published then.
    let lock_text = git(&lock_dir, &["show", &format!("{rev}:./{lock_file}")]);
    let lock_name = format!("{rev}:{lock_file}");
    Ok(inputs::with_lock(
        model,
        lock_text.as_deref().map(|t| (t, lock_name.as_str())),
        lock_path,
    )?
    .model)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `git ARGS` run in `dir`: its standard output, or `None` when it fails or is missing.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}
