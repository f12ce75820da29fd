//! `rota remind`: a delivery run → change notices due → reminders due → each delivered.

use std::io::Write;

use chrono::{DateTime, Utc};
use lettre::message::Mailbox;

use super::mail::Emailed;
use super::{Context, Outcome, emit, mail};
use crate::cli::{MailFormat, RemindArgs};
use crate::error::{Error, Result};
use crate::io::delivery::{Kind, Outgoing, Run};
use crate::io::sent_log::{Record, Reminded, Telling};
use crate::model::Model;
use crate::notice::{self, Notice, Told};
use crate::plan::handover;
use crate::remind::{self, SentKey, Turn, later};
use crate::render::ics::Cancelled;
use crate::render::{self, email};
use crate::revision::Revision;
use crate::timefmt;

pub fn run(ctx: &Context, args: &RemindArgs, out: &mut dyn Write) -> Result<Outcome> {
    let now = ctx.instant(args.now.as_deref(), "--now")?;
    let model = &ctx.model;
    let from = mail::sender(model)?;
    let mut run = Run::start(mail::setup(ctx, now, args.dry_run))?;
    run.migrate(|rotation, start| remind::part_starting_at(model, rotation, start));
    let emailed = Emailed::of(run.log());
    let stood_in = if model.remind.notices {
        send_notices(ctx, now, &from, args.format, &emailed, &mut run, out)?
    } else {
        Vec::new()
    };
    let due = remind::due(model, now, |t| {
        reminded(model, &run, t) || stood_in.contains(&t.key(model))
    });
    warn_without_email(model, &due.without_email, &mut run);
    if run.is_dry_run() && due.reminders.is_empty() && args.format == MailFormat::Text {
        let line = format!(
            "no reminders due as of {}\n",
            timefmt::short(now, ctx.display_tz)
        );
        emit(out, line.as_bytes())?;
    }
    for turn in &due.reminders {
        let history = emailed.history(model, now, &turn.shifts, false);
        // Who hands over around each of the turn's shifts, for its attached calendar.
        let handovers = handover::around(model, &turn.shifts);
        let email =
            email::reminder(model, turn, &handovers, now, &from, &history).map_err(|e| {
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
            record: record(model, turn, &emailed),
        })?;
        mail::progress(args.format, delivered, out)?;
    }
    let delivered = run.finish()?;
    mail::finish(args.format, now, args.dry_run, &delivered, out)
}

/// Whether the turn's person was reminded of it, or of the turn it is what is left of.
fn reminded(model: &Model, run: &Run, turn: &Turn) -> bool {
    run.log().reminded(&turn.key(model), turn.start, turn.end)
}

/// Tells everyone whose turns changed since they were told about them, one email per turn:
/// first, so that a reminder in the same run speaks of the plan as it now is. A notice about
/// a turn that is due to be reminded stands for its reminder: returns those turns' keys (a
/// dry run records nothing, and must not show their reminders as well).
fn send_notices(
    ctx: &Context,
    now: DateTime<Utc>,
    from: &Mailbox,
    format: MailFormat,
    emailed: &Emailed,
    run: &mut Run,
    out: &mut dyn Write,
) -> Result<Vec<SentKey>> {
    let model = &ctx.model;
    let mut stood_in = Vec::new();
    let notices = {
        let told: Vec<&Told> = run.log().told().collect();
        notice::due(model, now, &told)
    };
    let horizon = later(now, model.remind.before);
    for notice in &notices {
        let person = &model.people[notice.person];
        let slots: Vec<String> = notice
            .changes
            .iter()
            .map(|c| format!("{} {}", c.slot.rotation, c.slot.date))
            .collect();
        if person.email.is_none() {
            run.warn_once(
                &render::notice::outbox_name(model, notice),
                last_end(notice).unwrap_or(now),
                &format!(
                    "{} ({}) has no email address: no notice of the change to {}; add `email` to the person",
                    person.name,
                    person.id,
                    slots.join(", ")
                ),
            );
            continue;
        }
        let reminds: Vec<&Turn> = notice
            .turns
            .iter()
            .filter(|t| now <= t.start && t.start <= horizon && !reminded(model, run, t))
            .collect();
        let calendar = attachment(model, notice, emailed, now);
        let email =
            render::notice::notice(model, notice, now, from, calendar, &reminds).map_err(|e| {
                Error::failed(
                    format!("cannot write the change notice: {e}"),
                    "please report this as a bug",
                )
            })?;
        let delivered = run.deliver(Outgoing {
            kind: Kind::Notice,
            email,
            outbox_name: render::notice::outbox_name(model, notice),
            about: format!("the change to {}", slots.join(", ")),
            detail: format!("changed: {}", slots.join(", ")),
            record: Record {
                reminders: reminds.iter().map(|t| reminder(model, t)).collect(),
                told: Some(Telling {
                    person: person.id.clone(),
                    slots: notice.changes.iter().map(|c| c.slot.clone()).collect(),
                    facts: notice.facts(model, |slot| emailed.last(slot).saturating_add(1)),
                }),
                ..Record::default()
            },
        })?;
        mail::progress(format, delivered, out)?;
        stood_in.extend(reminds.iter().map(|t| t.key(model)));
    }
    Ok(stood_in)
}

/// A notice's calendar: what the person now holds of the changed slots, and what they were
/// sent and lost, cancelled, so that an imported event does not stay; `None` if neither.
fn attachment(
    model: &Model,
    notice: &Notice,
    emailed: &Emailed,
    now: DateTime<Utc>,
) -> Option<String> {
    let held: Vec<_> = notice.held().copied().collect();
    let cancelled: Vec<Cancelled> = notice
        .lost(model)
        .into_iter()
        .map(|t| Cancelled {
            part: t.part(),
            start: t.start,
            end: t.end,
            revision: Revision {
                sequence: emailed.last(&t.slot).saturating_add(1),
                stamp: now,
            },
        })
        .collect();
    let name = format!(
        "{} — {}",
        notice.changes[0].slot.rotation, model.people[notice.person].name
    );
    (!held.is_empty() || !cancelled.is_empty()).then(|| {
        render::ics::calendar_with_cancelled(
            model,
            &name,
            &handover::around(model, &held),
            &emailed.history(model, now, &held, true),
            &cancelled,
        )
    })
}

/// When the last piece a notice is about ends: its warning is kept until then.
fn last_end(notice: &Notice) -> Option<DateTime<Utc>> {
    notice
        .changes
        .iter()
        .flat_map(|c| c.before.iter().chain(&c.after))
        .map(|p| p.end)
        .max()
}

fn reminder(model: &Model, turn: &Turn) -> Reminded {
    Reminded {
        key: turn.key(model),
        start: turn.start,
        end: turn.end,
    }
}

/// A reminder records that it was sent, and tells its person the turn's shifts as they are.
fn record(model: &Model, turn: &Turn, emailed: &Emailed) -> Record {
    Record {
        reminders: vec![reminder(model, turn)],
        told: Some(Telling {
            person: model.people[turn.person].id.clone(),
            slots: turn.shifts.iter().map(|s| s.slot.id(model)).collect(),
            facts: Told::of_turn(model, turn, |s| emailed.sequence(model, s, false)),
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

/// Warns once per turn: cron mails a run's output, and an hourly run would repeat it all day.
fn warn_without_email(model: &Model, turns: &[Turn], run: &mut Run) {
    for turn in turns {
        let person = &model.people[turn.person];
        let key = turn.key(model);
        run.warn_once(
            &format!("reminder {} {}", key.turn, crate::slot::escape(&key.person)),
            turn.end,
            &format!(
                "{} ({}) has no email address: no reminder for the {} turn starting {}; add `email` to the person",
                person.name,
                person.id,
                model.rotations[turn.rotation].name,
                timefmt::short(turn.start, person.timezone)
            ),
        );
    }
}
