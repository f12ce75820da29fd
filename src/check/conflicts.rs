//! Conflicts about people and overrides: double bookings, duty while away, night shifts and
//! overrides that change nothing.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::{Conflict, ConflictKind, sorted_rotations};
use crate::local_time::{local_date, resolve, start_of_day};
use crate::memo::Memo;
use crate::model::{Model, PersonIx, RotationIx};
use crate::plan::{self, Period, Shift};

/// One person's stretch of duty on one rotation, clipped to the period.
#[derive(Debug, Clone, Copy)]
struct Duty {
    person: PersonIx,
    rotation: RotationIx,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

/// The assigned shifts clipped to the period. The analysis is organised per rotation (rules,
/// overrides and rotations look only at their own shifts), which keeps it linear in the number
/// of shifts however many rotations there are.
fn duties(period: Period, by_rotation: &[Vec<Shift>]) -> impl Iterator<Item = Duty> + '_ {
    duties_of(period, by_rotation.iter().flatten())
}

fn duties_of<'s>(
    period: Period,
    shifts: impl Iterator<Item = &'s Shift> + 's,
) -> impl Iterator<Item = Duty> + 's {
    shifts.filter_map(move |s| {
        let person = s.person?;
        let (start, end) = (s.start.max(period.from), s.end.min(period.to));
        (start < end).then_some(Duty {
            person,
            rotation: s.rotation(),
            start,
            end,
        })
    })
}

/// Each person's overlapping shifts on different rotations, per pair of rotations, merged where
/// the overlaps touch (an override splitting a shift must not split the finding).
pub(super) fn double_bookings(
    model: &Model,
    period: Period,
    by_rotation: &[Vec<Shift>],
) -> Vec<Conflict> {
    let mut all: Vec<Duty> = duties(period, by_rotation).collect();
    all.sort_by_key(|d| (d.person, d.start));
    let mut found = Vec::new();
    let mut running: Vec<Duty> = Vec::new();
    let mut person = None;
    for d in all {
        if person != Some(d.person) {
            running.clear();
            person = Some(d.person);
        }
        running.retain(|r| r.end > d.start);
        for r in running.iter().filter(|r| r.rotation != d.rotation) {
            found.push(Conflict {
                kind: ConflictKind::DoubleBooked,
                person: Some(d.person),
                start: d.start,
                end: r.end.min(d.end),
                rotations: sorted_rotations(model, vec![r.rotation, d.rotation]),
            });
        }
        running.push(d);
    }
    merge_touching(found)
}

/// Duty on a person's away days, in their own zone; one finding per run of away duty on one
/// rotation. A published turn's own holder is left out: `check` reports that turn once, as a
/// published turn that cannot be served, with the override to paste.
pub(super) fn away_duty(
    model: &Model,
    period: Period,
    by_rotation: &[Vec<Shift>],
) -> Vec<Conflict> {
    let mut found = Vec::new();
    let mut dates = LocalDates::default();
    let not_published_holder =
        |s: &&Shift| s.is_override || model.published.turn_at(s.rotation(), s.slot.date).is_none();
    for d in duties_of(
        period,
        by_rotation.iter().flatten().filter(not_published_holder),
    ) {
        let person = &model.people[d.person];
        if person.away.is_empty() {
            continue;
        }
        let tz = person.timezone;
        // The end is exclusive: duty ending at midnight does not touch the next day.
        let (first, last) = (
            dates.of(tz, d.start),
            dates.of(tz, d.end - TimeDelta::seconds(1)),
        );
        if !person.away.intersects(first, last) {
            continue;
        }
        for date in first.iter_days().take_while(|x| *x <= last) {
            if person.away.contains(date) {
                let (from, to) = day_bounds(tz, date);
                push_finding(
                    &mut found,
                    ConflictKind::OnDutyWhileAway,
                    d,
                    from.max(d.start),
                    to.min(d.end),
                );
            }
        }
    }
    merge_touching(found)
}

/// Duty reaching into the person's local night (`[check] night`, in their zone), on any day.
pub(super) fn night_shifts(
    model: &Model,
    period: Period,
    by_rotation: &[Vec<Shift>],
) -> Vec<Conflict> {
    let night = model.check.night;
    // A few zones and a few hundred dates serve every duty of a large organisation: each
    // night is resolved in its zone once rather than for every duty that touches it.
    let mut nights: Memo<(chrono_tz::Tz, NaiveDate), (DateTime<Utc>, DateTime<Utc>)> =
        Memo::default();
    let mut found = Vec::new();
    let mut dates = LocalDates::default();
    for d in duties(period, by_rotation) {
        let tz = model.people[d.person].timezone;
        let first = dates.of(tz, d.start);
        // A night window that starts the evening before may reach into the duty.
        let first = first.pred_opt().unwrap_or(first);
        let last = dates.of(tz, d.end);
        for date in first.iter_days().take_while(|x| *x <= last) {
            let &(from, to) = nights.get((tz, date), || {
                let (from, to) = night.on(date);
                (resolve(tz, from), resolve(tz, to))
            });
            push_finding(
                &mut found,
                ConflictKind::NightShift,
                d,
                from.max(d.start),
                to.min(d.end),
            );
        }
    }
    merge_touching(found)
}

/// Local dates already worked out, by zone and instant: the duties of a large organisation
/// start and end at a few shared instants, and a zone lookup for each was a good part of
/// the conflict checks.
#[derive(Default)]
struct LocalDates(Memo<(chrono_tz::Tz, DateTime<Utc>), NaiveDate>);

impl LocalDates {
    fn of(&mut self, tz: chrono_tz::Tz, instant: DateTime<Utc>) -> NaiveDate {
        *self.0.get((tz, instant), || local_date(tz, instant))
    }
}

fn day_bounds(tz: chrono_tz::Tz, date: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let next = date.succ_opt().unwrap_or(date);
    (start_of_day(tz, date), start_of_day(tz, next))
}

fn push_finding(
    found: &mut Vec<Conflict>,
    kind: ConflictKind,
    d: Duty,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) {
    if start < end {
        found.push(Conflict {
            kind,
            person: Some(d.person),
            start,
            end,
            rotations: vec![d.rotation],
        });
    }
}

/// Findings of one kind for one person and rotation that overlap or touch become one.
fn merge_touching(mut found: Vec<Conflict>) -> Vec<Conflict> {
    found.sort_by(|a, b| (a.person, &a.rotations, a.start).cmp(&(b.person, &b.rotations, b.start)));
    let mut out: Vec<Conflict> = Vec::with_capacity(found.len());
    for c in found {
        match out.last_mut() {
            Some(prev)
                if prev.person == c.person
                    && prev.rotations == c.rotations
                    && prev.kind == c.kind
                    && c.start <= prev.end =>
            {
                prev.end = prev.end.max(c.end);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Overrides reaching into the period that give their person no duty at all. Judged over the
/// override's whole interval, not just the period's part, so an override whose shift lies just
/// outside the period is not reported as idle.
pub(super) fn idle_overrides(
    model: &Model,
    period: Period,
    by_rotation: &[Vec<Shift>],
) -> Vec<Conflict> {
    let relevant: Vec<_> = model
        .overrides
        .iter()
        .filter(|o| {
            // An override that lies wholly in a DST gap is one instant long: it changes nothing.
            let in_gap = o.from == o.to && period.contains(o.from);
            in_gap || (o.from < period.to && o.to > period.from && o.from < o.to)
        })
        .collect();
    let (Some(from), Some(to)) = (
        relevant.iter().map(|o| o.from).min(),
        relevant.iter().map(|o| o.to).max(),
    ) else {
        return Vec::new();
    };
    // Looked at within a year of the period only: an override `to = 9999-12-31` must not
    // have `check` plan millennia. Every rotation has a shift at least weekly (bar `except`
    // dates), so whether an override gives any duty shows well within that.
    let reach = chrono::TimeDelta::days(366);
    let from = from.max(crate::remind::later(period.from, -reach));
    let to = to.min(crate::remind::later(period.to, reach));
    // The period's own shifts serve unless an override reaches beyond it.
    let wider;
    let by_rotation = if period.from <= from && to <= period.to {
        by_rotation
    } else {
        wider = plan::per_rotation(model, Period::new(from, to));
        &wider[..]
    };
    let mut out = Vec::new();
    for o in relevant {
        let own = &by_rotation[o.rotation];
        // The rotation's shifts are sorted by start: only those before the override's end matter.
        let before_end = &own[..own.partition_point(|s| s.start < o.to)];
        let overlapping = || before_end.iter().filter(|s| s.end > o.from);
        let covers_shift = overlapping().next().is_some();
        let takes_effect = overlapping().any(|s| s.is_override && s.person == Some(o.person));
        if takes_effect {
            continue;
        }
        out.push(Conflict {
            kind: ConflictKind::OverrideOutsideShifts {
                line: o.line,
                shadowed: covers_shift,
            },
            person: Some(o.person),
            start: o.from.max(period.from),
            end: o.to.min(period.to),
            rotations: vec![o.rotation],
        });
    }
    out
}
