//! `rota remind`: lock → read the sent log → reminders due → send each → record each.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use lettre::message::Mailbox;

use super::{Context, Outcome, emit};
use crate::cli::RemindArgs;
use crate::error::{Error, Result};
use crate::io::lock::{self, Acquired};
use crate::io::sent_log::SentLog;
use crate::io::smtp::Mailer;
use crate::model::{Model, SmtpSettings};
use crate::remind::{self, Turn};
use crate::render::email::{self, DEFAULT_FROM, Email};
use crate::timefmt;

/// Where reminders go without `[smtp]`, relative to the config's folder.
const OUTBOX: &str = ".rota/outbox";
/// A sent-log entry is kept this long after its turn started, then pruned.
const KEEP: TimeDelta = TimeDelta::days(30);
/// How long a run waits for another run that holds the lock.
const LOCK_WAIT: Duration = Duration::from_secs(300);

enum Delivery {
    Smtp(Mailer),
    Outbox(PathBuf),
}

pub fn run(ctx: &Context, args: &RemindArgs, out: &mut dyn Write) -> Result<Outcome> {
    let now = ctx.instant(args.now.as_deref(), "--now")?;
    let model = &ctx.model;
    let from = sender(model)?;
    let state = ctx.config_relative(&model.remind.state);
    if args.dry_run {
        return dry_run(ctx, now, &state, &from, out);
    }
    let delivery = match &model.smtp {
        Some(smtp) => Delivery::Smtp(mailer(smtp)?),
        None => Delivery::Outbox(ctx.config_relative(Path::new(OUTBOX))),
    };
    let lock_path = lock::path_for(&state);
    let _lock = match lock::acquire(&lock_path, LOCK_WAIT) {
        Ok(Acquired::Locked(held)) => held,
        Ok(Acquired::Busy) => {
            return Err(Error::failed(
                format!(
                    "another `rota remind` has held `{}` for {} minutes; this run sent nothing",
                    lock_path.display(),
                    LOCK_WAIT.as_secs() / 60
                ),
                "it is probably waiting on a slow mail server; the next run catches up",
            ));
        }
        Err(e) => {
            return Err(Error::failed(
                format!("cannot lock `{}`: {e}", lock_path.display()),
                "rota needs to create and lock a file beside [remind] state; check the folder's permissions",
            ));
        }
    };
    // Read only under the lock: a run that waited sees what the previous holder recorded.
    let mut log = load(model, &state)?;
    let pruned = log.prune(remind::later(now, -KEEP));
    let due = remind::due(model, now, |k| log.contains(k));
    warn_without_email(model, &due.without_email);

    let mut failed = 0;
    let mut recorded = false;
    for turn in &due.reminders {
        let email = email::reminder(model, turn, now, &from).map_err(|e| {
            Error::failed(
                format!("cannot write the reminder: {e}"),
                "please report this as a bug",
            )
        })?;
        let delivered = match &delivery {
            Delivery::Smtp(mailer) => mailer.send(&email.message).map(|()| None),
            Delivery::Outbox(dir) => {
                let path = dir.join(outbox_name(model, turn));
                crate::io::files::write_atomic(&path, &email.message.formatted())
                    .map(|()| Some(path))
                    .map_err(|e| format!("cannot write `{}`: {e}", dir.display()))
            }
        };
        match delivered {
            Ok(written) => {
                log.record(turn.key(model), turn.start, ctx.now);
                log.save(&state).map_err(|e| {
                    Error::failed(
                        format!(
                            "the reminder to {} was delivered but cannot be recorded in `{}`: {e}",
                            mailbox(&email.to),
                            state.display()
                        ),
                        "stopped so as not to send more unrecorded mail; fix the folder's permissions \
                         (the next run would send this reminder again)",
                    )
                })?;
                recorded = true;
                let line = match written {
                    Some(path) => format!(
                        "wrote {} for {}: {}\n",
                        path.display(),
                        mailbox(&email.to),
                        email.subject
                    ),
                    None => format!("sent to {}: {}\n", mailbox(&email.to), email.subject),
                };
                emit(out, line.as_bytes())?;
            }
            Err(reason) => {
                failed += 1;
                report_failure(model, turn, &email, &reason);
            }
        }
    }
    if pruned && !recorded {
        log.save(&state).map_err(|e| {
            Error::failed(
                format!("cannot rewrite `{}`: {e}", state.display()),
                "check the folder's permissions",
            )
        })?;
    }
    if failed > 0 {
        warn(&format!(
            "{failed} of {} reminders not delivered; the next run retries them",
            due.reminders.len()
        ));
        return Ok(Outcome::Problems);
    }
    Ok(Outcome::Clean)
}

/// Prints what a run would send now; takes no lock and changes nothing.
fn dry_run(
    ctx: &Context,
    now: DateTime<Utc>,
    state: &Path,
    from: &Mailbox,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let model = &ctx.model;
    let log = load(&ctx.model, state)?;
    let due = remind::due(model, now, |k| log.contains(k));
    warn_without_email(model, &due.without_email);
    if due.reminders.is_empty() {
        let line = format!(
            "no reminders due as of {}\n",
            timefmt::short(now, ctx.display_tz)
        );
        emit(out, line.as_bytes())?;
    }
    for turn in &due.reminders {
        let email::Email { to, subject, .. } =
            email::reminder(model, turn, now, from).map_err(|e| {
                Error::failed(
                    format!("cannot write the reminder: {e}"),
                    "please report this as a bug",
                )
            })?;
        let line = format!(
            "would send to {}: {subject}\n  {} turn {} to {}\n",
            mailbox(&to),
            model.rotations[turn.rotation].name,
            timefmt::rfc3339(turn.start, ctx.display_tz),
            timefmt::rfc3339(turn.end, ctx.display_tz),
        );
        emit(out, line.as_bytes())?;
    }
    Ok(Outcome::Clean)
}

fn sender(model: &Model) -> Result<Mailbox> {
    let text = model.remind.from.as_deref().unwrap_or(DEFAULT_FROM);
    text.parse().map_err(|e| {
        Error::usage(
            format!("`{text}` is not a sender address: {e}"),
            "set [remind] from = \"Support rota <rota@acme.example>\"",
        )
    })
}

fn load(model: &Model, state: &Path) -> Result<SentLog> {
    let mut log = SentLog::load(state).map_err(|e| {
        Error::failed(
            format!(
                "the reminder state `{}` cannot be used, so nothing was sent: {e}",
                state.display()
            ),
            "it records which reminders were sent; restore it from a backup, or move it away to \
             start afresh (reminders due now would then be sent again)",
        )
    })?;
    log.migrate(|rotation, start| remind::part_starting_at(model, rotation, start));
    Ok(log)
}

/// The SMTP transport, with the password read from the variable `password_env` names.
fn mailer(smtp: &SmtpSettings) -> Result<Mailer> {
    let credentials = match (&smtp.username, &smtp.password_env) {
        (None, None) => None,
        (Some(user), Some(var)) => match std::env::var(var) {
            Ok(password) if !password.is_empty() => Some((user.clone(), password)),
            _ => {
                return Err(Error::usage(
                    format!(
                        "the SMTP password is missing: the environment variable `{var}` ([smtp] password_env) is not set"
                    ),
                    format!(
                        "set {var} in the environment that runs `rota remind` (e.g. EnvironmentFile= in the systemd service)"
                    ),
                ));
            }
        },
        (Some(_), None) => {
            return Err(Error::usage(
                "[smtp] has a username but no password_env",
                "add password_env = \"ROTA_SMTP_PASSWORD\" and put the password in that environment variable",
            ));
        }
        (None, Some(_)) => {
            return Err(Error::usage(
                "[smtp] has a password_env but no username",
                "add username = \"...\" to [smtp]",
            ));
        }
    };
    Mailer::new(smtp, credentials).map_err(|e| {
        Error::usage(
            format!("cannot set up TLS for `{}`: {e}", smtp.host),
            "check [smtp] host",
        )
    })
}

/// `20261207T080000Z-emea-ana.eml`: one file per reminder, the same on every run.
fn outbox_name(model: &Model, turn: &Turn) -> String {
    format!(
        "{}-{}-{}.eml",
        turn.start.format("%Y%m%dT%H%M%SZ"),
        model.rotations[turn.rotation].name,
        model.people[turn.person].id
    )
}

fn mailbox(m: &Mailbox) -> String {
    match &m.name {
        Some(name) => format!("{name} <{}>", m.email),
        None => m.email.to_string(),
    }
}

fn report_failure(model: &Model, turn: &Turn, email: &Email, reason: &str) {
    let tz = model.people[turn.person].timezone;
    let mut err = anstream::stderr().lock();
    let red = anstyle::Style::new()
        .bold()
        .fg_color(Some(anstyle::AnsiColor::Red.into()));
    let _ = writeln!(
        err,
        "{red}error:{red:#} could not deliver the reminder to {} for the {} turn starting {}: {reason}",
        mailbox(&email.to),
        model.rotations[turn.rotation].name,
        timefmt::short(turn.start, tz),
    );
    let _ = writeln!(err, "  help: it was not recorded; the next run retries it");
}

fn warn_without_email(model: &Model, turns: &[Turn]) {
    for turn in turns {
        let person = &model.people[turn.person];
        warn(&format!(
            "{} ({}) has no email address: no reminder for the {} turn starting {}; add `email` to the person",
            person.name,
            person.id,
            model.rotations[turn.rotation].name,
            timefmt::short(turn.start, person.timezone)
        ));
    }
}

fn warn(message: &str) {
    let yellow = anstyle::Style::new()
        .bold()
        .fg_color(Some(anstyle::AnsiColor::Yellow.into()));
    let _ = writeln!(
        anstream::stderr().lock(),
        "{yellow}warning:{yellow:#} {message}"
    );
}
