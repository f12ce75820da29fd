//! `rota remind`: a delivery run → change notices due → reminders due → each delivered.

use std::io::Write;

use chrono::{DateTime, Utc};
use lettre::message::Mailbox;

use super::{Context, Outcome, emit, mail};
use crate::cli::{MailFormat, RemindArgs};
use crate::error::{Error, Result};
use crate::io::delivery::{self, Kind, Outgoing, Run};
use crate::io::sent_log::{Record, Telling};
use crate::model::Model;
use crate::notice::{self, Told};
use crate::plan::handover;
use crate::remind::{self, Turn};
use crate::render::{self, email};
use crate::timefmt;

pub fn run(ctx: &Context, args: &RemindArgs, out: &mut dyn Write) -> Result<Outcome> {
    let now = ctx.instant(args.now.as_deref(), "--now")?;
    let model = &ctx.model;
    let from = mail::sender(model)?;
    let mut run = Run::start(mail::setup(ctx, now, args.dry_run))?;
    run.migrate(|rotation, start| remind::part_starting_at(model, rotation, start));
    if model.remind.notices {
        send_notices(ctx, now, &from, args.format, &mut run, out)?;
    }
    let due = remind::due(model, now, |k| run.log().contains(k));
    warn_without_email(model, &due.without_email);
    if run.is_dry_run() && due.reminders.is_empty() && args.format == MailFormat::Text {
        let line = format!(
            "no reminders due as of {}\n",
            timefmt::short(now, ctx.display_tz)
        );
        emit(out, line.as_bytes())?;
    }
    for turn in &due.reminders {
        // Who hands over around each of the turn's shifts, for its attached calendar.
        let handovers = handover::around(model, &turn.shifts);
        let email = email::reminder(model, turn, &handovers, now, &from).map_err(|e| {
            Error::failed(
                format!("cannot write the reminder: {e}"),
                "please report this as a bug",
            )
        })?;
        let delivered = run.deliver(Outgoing {
            kind: Kind::Reminder,
            email,
            outbox_name: outbox_name(model, turn),
            about: format!(
                "the {} turn starting {}",
                model.rotations[turn.rotation].name,
                timefmt::short(turn.start, model.people[turn.person].timezone)
            ),
            detail: format!(
                "{} turn {} to {}",
                model.rotations[turn.rotation].name,
                timefmt::rfc3339(turn.start, ctx.display_tz),
                timefmt::rfc3339(turn.end, ctx.display_tz),
            ),
            record: record(model, turn),
        })?;
        mail::progress(args.format, delivered, out)?;
    }
    let delivered = run.finish()?;
    mail::finish(args.format, now, args.dry_run, &delivered, out)
}

/// Tells everyone whose shifts changed since they were told about them: first, so that a
/// reminder in the same run speaks of the plan as it now is.
fn send_notices(
    ctx: &Context,
    now: DateTime<Utc>,
    from: &Mailbox,
    format: MailFormat,
    run: &mut Run,
    out: &mut dyn Write,
) -> Result<()> {
    let model = &ctx.model;
    let notices = {
        let told: Vec<&Told> = run.log().told().collect();
        notice::due(model, now, &told)
    };
    for notice in &notices {
        let person = &model.people[notice.person];
        if person.email.is_none() {
            delivery::warn(&format!(
                "{} ({}) has no email address: no notice that their shifts changed; add `email` to the person",
                person.name, person.id
            ));
            continue;
        }
        let email = render::notice::notice(model, notice, now, from).map_err(|e| {
            Error::failed(
                format!("cannot write the change notice: {e}"),
                "please report this as a bug",
            )
        })?;
        let slots: Vec<String> = notice
            .changes
            .iter()
            .map(|c| format!("{} {}", c.slot.rotation, c.slot.date))
            .collect();
        let delivered = run.deliver(Outgoing {
            kind: Kind::Notice,
            email,
            outbox_name: render::notice::outbox_name(model, notice),
            about: format!("the change to {}", slots.join(", ")),
            detail: format!("changed: {}", slots.join(", ")),
            record: Record {
                told: Some(Telling {
                    person: person.id.clone(),
                    slots: notice.changes.iter().map(|c| c.slot.clone()).collect(),
                    facts: notice.facts(model),
                }),
                ..Record::default()
            },
        })?;
        mail::progress(format, delivered, out)?;
    }
    Ok(())
}

/// A reminder records that it was sent, and tells its person the turn's shifts as they are.
fn record(model: &Model, turn: &Turn) -> Record {
    Record {
        reminder: Some((turn.key(model), turn.start)),
        told: Some(Telling {
            person: model.people[turn.person].id.clone(),
            slots: turn.shifts.iter().map(|s| s.slot.id(model)).collect(),
            facts: turn
                .shifts
                .iter()
                .filter_map(|s| Told::of(model, s))
                .collect(),
        }),
        ..Record::default()
    }
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

fn warn_without_email(model: &Model, turns: &[Turn]) {
    for turn in turns {
        let person = &model.people[turn.person];
        delivery::warn(&format!(
            "{} ({}) has no email address: no reminder for the {} turn starting {}; add `email` to the person",
            person.name,
            person.id,
            model.rotations[turn.rotation].name,
            timefmt::short(turn.start, person.timezone)
        ));
    }
}
