//! `rota publish`: lock and plan → the lock extended (or reopened) → written atomically.

use std::io::Write;

use chrono::{Datelike, Months, NaiveDate, TimeDelta};

use super::{Context, Outcome, emit, inputs};
use crate::cli::{PublishArgs, PublishFormat};
use crate::error::{Error, Result};
use crate::published::{Lock, publish, text};
use crate::render::publish::{self as render, PublishView};
use crate::timefmt;

pub fn run(ctx: &Context, args: &PublishArgs, out: &mut dyn Write) -> Result<Outcome> {
    let through = through(args)?;
    let reopen_from = args
        .reopen_from
        .as_deref()
        .map(|d| date(d, "--reopen-from"))
        .transpose()?;
    let current = ctx.lock.clone().unwrap_or_default();
    let lock_name = ctx.lock_path.display().to_string();
    let publication = publish::publish(&ctx.model, &current, through, reopen_from)
        .map_err(|p| inputs::lock_error(&lock_name, &p))?;
    if publication.changes() && !args.dry_run {
        write(&ctx.lock_path, &publication.lock)?;
    }
    let view = PublishView {
        publication: &publication,
        lock: &lock_name,
        dry_run: args.dry_run,
    };
    let bytes = match args.format {
        PublishFormat::Text => render::text(&view),
        PublishFormat::Json => render::json(&view),
    };
    emit(out, bytes.as_bytes())?;
    Ok(Outcome::Clean)
}

fn write(path: &std::path::Path, lock: &Lock) -> Result<()> {
    crate::io::files::write_atomic(path, text::render(lock).as_bytes()).map_err(|e| {
        Error::failed(
            format!("cannot write the lock `{}`: {e}", path.display()),
            "check the folder's permissions; the old lock is unchanged",
        )
    })
}

/// The last date to publish: the month's last day, or `--through`.
fn through(args: &PublishArgs) -> Result<Option<NaiveDate>> {
    if let Some(month) = &args.month {
        let first = timefmt::parse_month(month).ok_or_else(|| {
            Error::usage(
                format!("`{month}` is not a month"),
                "write it as --month 2027-01",
            )
        })?;
        let next = first
            .with_day(1)
            .and_then(|d| d.checked_add_months(Months::new(1)))
            .unwrap_or(first);
        return Ok(Some(next - TimeDelta::days(1)));
    }
    args.through
        .as_deref()
        .map(|d| date(d, "--through"))
        .transpose()
}

fn date(text: &str, flag: &str) -> Result<NaiveDate> {
    timefmt::parse_date(text).ok_or_else(|| {
        Error::usage(
            format!("`{text}` is not a date"),
            format!("write it as {flag} 2027-01-31"),
        )
    })
}
