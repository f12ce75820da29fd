//! `rota announce`: the published month → a delivery run → one announcement per person not
//! yet told, and the team's digest → each delivered.

use std::io::Write;

use chrono::NaiveDate;

use super::{Context, Outcome, emit, mail};
use crate::announce::{self, AnnouncementKey, MonthPlan};
use crate::cli::{AnnounceArgs, MailFormat};
use crate::error::{Error, Result};
use crate::io::delivery::{Kind, Outgoing, Run};
use crate::io::sent_log::{Record, Telling};
use crate::local_time::start_of_day;
use crate::model::{Model, PersonIx};
use crate::notice::Told;
use crate::plan::handover;
use crate::render::{announcement, ics};
use crate::timefmt;

pub fn run(ctx: &Context, args: &AnnounceArgs, out: &mut dyn Write) -> Result<Outcome> {
    let now = ctx.instant(args.now.as_deref(), "--now")?;
    let month = timefmt::parse_month(&args.month).ok_or_else(|| {
        Error::usage(
            format!("`{}` is not a month", args.month),
            "write it as --month 2027-01",
        )
    })?;
    let model = &ctx.model;
    let from = mail::sender(model)?;
    let plan = announce::month(model, month, ctx.display_tz);
    if plan.period.to <= now {
        return Err(Error::usage(
            format!(
                "{} is over as of {}: there is nothing to announce",
                announcement::month_name(&plan),
                timefmt::short(now, ctx.display_tz)
            ),
            "announce a month that has not ended, e.g. the next one",
        ));
    }
    published(ctx, month)?;
    let mut run = Run::start(mail::setup(ctx, now, args.dry_run))?;
    // The person feeds of the month, rendered once for everyone's attachment.
    let period = plan.period;
    let duties: Vec<_> = handover::per_rotation(model, period, |s| period.contains(s.start))
        .into_iter()
        .flatten()
        .collect();
    let duties = crate::plan::in_order(model, &duties, |d| &d.shift);
    let emailed = mail::Emailed::of(run.log());
    let history = emailed.history(model, now, duties.iter().map(|d| &d.shift), false);
    let renderer = ics::Renderer::new(model, &history);
    let own = model.by_person(duties.iter().copied(), |d| d.shift.person);
    let mut pending = 0;
    for person in plan.people() {
        let key = AnnouncementKey {
            month,
            person: Some(model.people[person].id.clone()),
        };
        if run.log().announced(&key) {
            continue;
        }
        let p = &model.people[person];
        if p.email.is_none() {
            // Once per month and person: a scheduled run would repeat it every time.
            let until = start_of_day(model.team.timezone, announce::month_after(month));
            run.warn_once(
                &format!("announcement {month} {}", crate::slot::escape(&p.id)),
                until,
                &format!(
                    "{} ({}) has no email address: no announcement of {}; add `email` to the person",
                    p.name,
                    p.id,
                    announcement::month_name(&plan)
                ),
            );
            continue;
        }
        pending += 1;
        let calendar = ics::person_feed(&renderer, person, &own[person]);
        let email =
            announcement::person(model, &plan, person, calendar, now, &from).map_err(bug)?;
        let delivered = run.deliver(Outgoing {
            kind: Kind::Announcement,
            email,
            outbox_name: format!("announce-{}-{}.eml", announcement::month_id(&plan), p.id),
            about: format!("the plan of {}", announcement::month_name(&plan)),
            detail: format!(
                "{} turn{} in {}",
                plan.turns_of(person).len(),
                if plan.turns_of(person).len() == 1 {
                    ""
                } else {
                    "s"
                },
                announcement::month_name(&plan)
            ),
            record: record(model, &plan, person, key, &emailed),
        })?;
        mail::progress(args.format, delivered, out)?;
    }
    if let Some(to) = &model.announce.to {
        let key = AnnouncementKey {
            month,
            person: None,
        };
        if !run.log().announced(&key) {
            pending += 1;
            let email = announcement::digest(model, &plan, to, now, &from).map_err(bug)?;
            let delivered = run.deliver(Outgoing {
                kind: Kind::Announcement,
                email,
                outbox_name: format!("digest-{}.eml", announcement::month_id(&plan)),
                about: format!("the team's table of {}", announcement::month_name(&plan)),
                detail: format!(
                    "the team's table: {} turns in {}",
                    plan.turns.len(),
                    announcement::month_name(&plan)
                ),
                record: Record {
                    announcement: Some(key),
                    ..Record::default()
                },
            })?;
            mail::progress(args.format, delivered, out)?;
        }
    }
    if pending == 0 && args.format == MailFormat::Text {
        let line = if plan.turns.is_empty() {
            format!("nobody has a turn in {}\n", announcement::month_name(&plan))
        } else {
            format!(
                "{} was already announced to everyone\n",
                announcement::month_name(&plan)
            )
        };
        emit(out, line.as_bytes())?;
    }
    let delivered = run.finish()?;
    mail::finish(args.format, now, args.dry_run, &delivered, out)
}

/// Announcements are of published months only: people plan their lives around what they are
/// told, so it must not move when the roster is edited. A month is published when the lock
/// holds every turn starting up to its last day.
fn published(ctx: &Context, month: NaiveDate) -> Result<()> {
    let last = announce::month_after(month).pred_opt().unwrap_or(month);
    let through = ctx.model.published.through;
    if through.is_some_and(|t| t >= last) {
        return Ok(());
    }
    let name = month.format("%B %Y");
    let id = month.format("%Y-%m");
    let message = match through {
        Some(t) => format!(
            "{name} is not published: `{}` holds the plan through {t} only",
            ctx.lock_path.display()
        ),
        None => format!(
            "{name} is not published: there is no `{}` yet",
            ctx.lock_path.display()
        ),
    };
    Err(Error::usage(
        message,
        format!(
            "publish it first with `rota publish --month {id}` (and commit the lock), then announce it"
        ),
    ))
}

/// An announcement records that it was sent, and tells its person every shift of their turns.
fn record(
    model: &Model,
    plan: &MonthPlan,
    person: PersonIx,
    key: AnnouncementKey,
    emailed: &mail::Emailed,
) -> Record {
    let turns = plan.turns_of(person);
    let sequence = |s: &crate::plan::Shift| emailed.sequence(model, s, false);
    Record {
        announcement: Some(key),
        told: Some(Telling {
            person: model.people[person].id.clone(),
            slots: turns
                .iter()
                .flat_map(|t| &t.shifts)
                .map(|s| s.slot.id(model))
                .collect(),
            facts: turns
                .iter()
                .flat_map(|t| Told::of_turn(model, t, sequence))
                .collect(),
        }),
        ..Record::default()
    }
}

fn bug(e: String) -> Error {
    Error::failed(
        format!("cannot write the announcement: {e}"),
        "please report this as a bug",
    )
}
