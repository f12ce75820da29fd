//! Turns and round-robin assignment, counted from `team.start`.
//!
//! A turn is the shifts of `turn.days` consecutive calendar days. Turns are handed out in
//! member order; a member away on any local day a turn touches is skipped and keeps their place
//! at the front of the queue. The queue is replayed from `team.start` so a month's plan never
//! depends on when it is computed.

use chrono::{NaiveDate, TimeDelta};

use super::shifts::{self, CalendarShift, Times};
use super::{Period, Shift, Slot};
use crate::local_time::local_date;
use crate::model::{Model, Person, PersonIx, RotationIx};

/// The assigned shifts of one rotation that overlap `period`, before overrides.
pub fn assign(model: &Model, ix: RotationIx, period: Period, times: &mut Times) -> Vec<Shift> {
    let rotation = &model.rotations[ix];
    let tz = rotation.timezone;
    let start = model.team.start;
    let last_date = local_date(tz, period.to);
    if last_date < start {
        return Vec::new();
    }
    // A shift lasts at most a day and a bit, so one starting two days before the period's
    // first local date cannot reach into it.
    let first_relevant = local_date(tz, period.from) - TimeDelta::days(2);
    let days = i64::from(rotation.turn.days);
    let last_turn = (last_date - start).num_days() / days;

    let mut queue = Queue::new(&rotation.members);
    let mut out = Vec::new();
    let mut turn_shifts: Vec<CalendarShift> = Vec::new();
    for turn in 0..=last_turn {
        let first = start + TimeDelta::days(turn * days);
        let last = first + TimeDelta::days(days - 1);
        let relevant = last >= first_relevant;
        turn_shifts.clear();
        let mut has_shift = false;
        for date in first.iter_days().take(days as usize) {
            if relevant {
                turn_shifts.extend(shifts::on(rotation, date, times));
            } else {
                has_shift |= rotation.has_shift_on(date);
            }
        }
        if relevant {
            has_shift = !turn_shifts.is_empty();
        }
        if !has_shift {
            continue;
        }
        let needs_times = rotation
            .members
            .iter()
            .any(|&p| might_be_away(&model.people[p], first, last));
        if !relevant && needs_times {
            turn_shifts.extend(
                first
                    .iter_days()
                    .take(days as usize)
                    .filter_map(|d| shifts::on(rotation, d, times)),
            );
        }
        let person = queue.next(|p| is_free(&model.people[p], first, last, &turn_shifts));
        if !relevant {
            continue;
        }
        out.extend(
            turn_shifts
                .iter()
                .filter(|s| s.end > period.from && s.start < period.to)
                .map(|s| Shift {
                    rotation: ix,
                    person,
                    start: s.start,
                    end: s.end,
                    is_override: false,
                    slot: Slot {
                        rotation: ix,
                        date: s.date,
                    },
                    slot_start: s.start,
                    turn: turn as u32,
                }),
        );
    }
    out
}

/// Whether `person` has an away day near the turn's dates. A person's zone is at most a day
/// off the rotation's, and a shift may end the day after it starts: away days outside this
/// margin cannot matter, which spares the exact check.
fn might_be_away(person: &Person, first: NaiveDate, last: NaiveDate) -> bool {
    !person.away.is_empty()
        && person
            .away
            .intersects(first - TimeDelta::days(1), last + TimeDelta::days(2))
}

/// Whether `person` is away on none of the local days (in their own zone) the turn touches.
fn is_free(person: &Person, first: NaiveDate, last: NaiveDate, shifts: &[CalendarShift]) -> bool {
    if !might_be_away(person, first, last) {
        return true;
    }
    shifts.iter().all(|s| {
        let from = local_date(person.timezone, s.start);
        // The end is exclusive: a shift ending at midnight does not touch the next day.
        let to = local_date(person.timezone, s.end - TimeDelta::seconds(1)).max(from);
        !person.away.intersects(from, to)
    })
}

/// The round-robin order: the head is next; whoever takes a turn goes to the back.
struct Queue {
    order: Vec<PersonIx>,
}

impl Queue {
    fn new(members: &[PersonIx]) -> Self {
        Queue {
            order: members.to_vec(),
        }
    }

    fn next(&mut self, mut is_free: impl FnMut(PersonIx) -> bool) -> Option<PersonIx> {
        let pos = self.order.iter().position(|&p| is_free(p))?;
        let person = self.order.remove(pos);
        self.order.push(person);
        Some(person)
    }
}
