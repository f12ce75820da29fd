//! Turns and round-robin assignment, counted from `team.start`.
//!
//! A turn is the shifts of `turn.days` consecutive calendar days. Turns are handed out in
//! member order; a member away on any local day a turn touches is skipped and keeps their place
//! at the front of the queue. The queue is replayed from `team.start` so a month's plan never
//! depends on when it is computed.
//!
//! With published turns ([`crate::published`]) those keep their person and their days; the
//! queue for the others starts where the lock leaves off ([`continuation`]), and turn blocks
//! after the last published turn are counted from the day after it.

use chrono::{NaiveDate, TimeDelta};

use super::shifts::{self, CalendarShift, Times};
use super::{Period, Shift, Slot};
use crate::local_time::local_date;
use crate::model::{Model, Person, PersonIx, RotationIx};
use crate::published::{Holder, RotationPublished};

/// A stretch of calendar days that makes one turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    pub first: NaiveDate,
    /// Inclusive.
    pub last: NaiveDate,
    /// A published turn's person (`Some(None)`: published with nobody); `None` for a turn the
    /// queue hands out.
    pub fixed: Option<Option<PersonIx>>,
}

/// The assigned shifts of one rotation that overlap `period`, before overrides.
pub fn assign(model: &Model, ix: RotationIx, period: Period, times: &mut Times) -> Vec<Shift> {
    let tz = model.rotations[ix].timezone;
    let last_date = local_date(tz, period.to);
    // A shift lasts at most a day and a bit, so one starting two days before the period's
    // first local date cannot reach into it.
    let first_relevant = local_date(tz, period.from) - TimeDelta::days(2);
    let mut out = Vec::new();
    walk(
        model,
        ix,
        last_date,
        |b| b.last >= first_relevant,
        times,
        |turn| {
            out.extend(
                turn.assigned(ix)
                    .filter(|s| s.end > period.from && s.start < period.to),
            );
        },
    );
    out
}

/// One turn as [`walk`] hands it out.
pub struct WalkedTurn<'a> {
    pub block: Block,
    /// Counted from the rotation's first turn.
    pub number: u32,
    pub person: Option<PersonIx>,
    /// The turn's shifts (only for turns the caller asked to see); never empty.
    pub shifts: &'a [CalendarShift],
    /// Who waits for the next turn the queue hands out, the next first.
    pub queue: &'a [PersonIx],
}

impl WalkedTurn<'_> {
    /// The turn's shifts of rotation `ix`, assigned to its person, before overrides.
    pub fn assigned(&self, ix: RotationIx) -> impl Iterator<Item = Shift> + '_ {
        self.shifts.iter().map(move |s| Shift {
            person: self.person,
            start: s.start,
            end: s.end,
            is_override: false,
            slot: Slot {
                rotation: ix,
                date: s.date,
            },
            slot_start: s.start,
            turn: self.number,
        })
    }
}

/// The turns of rotation `ix` whose blocks start on or before `until`, in order: published
/// turns keep their person, every other turn goes to the next free member of the queue.
/// `visit` sees the turns with shifts for which `wanted` holds; the others are only counted
/// through the queue.
pub fn walk(
    model: &Model,
    ix: RotationIx,
    until: NaiveDate,
    wanted: impl Fn(&Block) -> bool,
    times: &mut Times,
    mut visit: impl FnMut(WalkedTurn),
) {
    let rotation = &model.rotations[ix];
    let (blocks, members) = match model.published.rotation(ix) {
        None => (
            grid(model, ix, model.team.start, None, until),
            rotation.members.clone(),
        ),
        Some(published) => (
            locked_blocks(model, ix, published, until),
            continuation(model, ix, published),
        ),
    };
    let mut queue = Queue { order: members };
    let mut turn_shifts: Vec<CalendarShift> = Vec::new();
    for (number, block) in blocks.into_iter().enumerate() {
        let (first, last) = (block.first, block.last);
        let days = (last - first).num_days() + 1;
        let relevant = wanted(&block);
        if !relevant && block.fixed.is_some() {
            continue;
        }
        turn_shifts.clear();
        let mut has_shift = false;
        for date in first.iter_days().take(days as usize) {
            if relevant {
                turn_shifts.extend(shifts::on(rotation, date, times));
            } else {
                // As `shifts::on` decides, so that a turn counts the same whether or not it
                // lies in the period: a day the zone skipped has no shift.
                has_shift |= shifts::exists(rotation, date, times);
            }
        }
        if relevant {
            has_shift = !turn_shifts.is_empty();
        }
        if !has_shift {
            continue;
        }
        let person = match block.fixed {
            Some(person) => person,
            None => {
                let needs_times = queue
                    .order
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
                queue.next(|p| is_free(&model.people[p], first, last, &turn_shifts))
            }
        };
        if relevant {
            visit(WalkedTurn {
                block,
                number: u32::try_from(number).unwrap_or(u32::MAX),
                person,
                shifts: &turn_shifts,
                queue: &queue.order,
            });
        }
    }
}

/// Turn blocks of the rotation's `turn` length from `from` on, up to `until`; the last one
/// cut at `to` if given.
fn grid(
    model: &Model,
    ix: RotationIx,
    from: NaiveDate,
    to: Option<NaiveDate>,
    until: NaiveDate,
) -> Vec<Block> {
    let days = i64::from(model.rotations[ix].turn.days);
    let mut out = Vec::new();
    let mut first = from;
    while first <= until && to.is_none_or(|to| first <= to) {
        let mut last = first + TimeDelta::days(days - 1);
        if let Some(to) = to {
            last = last.min(to);
        }
        out.push(Block {
            first,
            last,
            fixed: None,
        });
        first = last + TimeDelta::days(1);
    }
    out
}

/// The blocks of a rotation with published turns: each published turn as it was published;
/// the days around them that no published turn holds (new shift days, a `start` moved
/// earlier) in turn blocks of their own; and after the last published turn, turn blocks of
/// the rotation's `turn` counted from the day after it ended.
fn locked_blocks(
    model: &Model,
    ix: RotationIx,
    published: &RotationPublished,
    until: NaiveDate,
) -> Vec<Block> {
    let mut out = Vec::new();
    let mut cursor = model.team.start;
    for turn in &published.turns {
        if turn.first > until {
            return out;
        }
        if turn.first > cursor {
            out.extend(grid(
                model,
                ix,
                cursor,
                Some(turn.first.pred_opt().unwrap_or(turn.first)),
                until,
            ));
        }
        out.push(Block {
            first: turn.first,
            last: turn.last,
            fixed: Some(turn.holder.person()),
        });
        cursor = cursor.max(turn.last.succ_opt().unwrap_or(turn.last));
    }
    out.extend(grid(model, ix, cursor, None, until));
    out
}

/// The queue for a rotation's unpublished turns: the recorded queue of the lock (or, without
/// one, the members by how long ago they last held a published turn, longest first), members
/// who left dropped, members the lock does not know appended in config order.
pub fn continuation(model: &Model, ix: RotationIx, published: &RotationPublished) -> Vec<PersonIx> {
    let members = &model.rotations[ix].members;
    let mut order: Vec<PersonIx> = Vec::with_capacity(members.len());
    match &published.queue {
        Some(ids) => {
            for id in ids {
                if let Some(&m) = members.iter().find(|&&m| model.people[m].id == *id)
                    && !order.contains(&m)
                {
                    order.push(m);
                }
            }
        }
        None => {
            let mut held: Vec<(NaiveDate, PersonIx)> = members
                .iter()
                .filter_map(|&m| {
                    published
                        .turns
                        .iter()
                        .rev()
                        .find(|t| t.holder == Holder::Person(m))
                        .map(|t| (t.first, m))
                })
                .collect();
            held.sort();
            order.extend(held.into_iter().map(|(_, m)| m));
        }
    }
    for &m in members {
        if !order.contains(&m) {
            order.push(m);
        }
    }
    order
}

/// Whose turn a shift is part of, as reminders, alarms and notices count turns: what
/// [`held_turn`] says of a shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeldTurn {
    /// It begins a turn of its holder.
    Begins,
    /// It goes on with the turn of its holder that the earlier shift at this position holds.
    Continues(usize),
    /// The earlier shifts at hand begin too late to tell.
    Unknown,
}

/// Whether `shift` begins a turn of its holder or goes on with one, from `earlier`, its
/// rotation's shifts before it in time order. An override is its holder's own turn, which
/// pieces of it that follow each other continue; a regular shift goes on with its holder's
/// turn if they hold an earlier regular shift of the same turn, so that a turn an override
/// (or nobody) interrupts goes on, without a second beginning, when it comes back.
pub fn held_turn<S: std::borrow::Borrow<Shift>>(earlier: &[S], shift: &Shift) -> HeldTurn {
    if shift.is_override {
        return match earlier.last().map(S::borrow) {
            None => HeldTurn::Unknown,
            Some(s) if s.is_override && s.person == shift.person => {
                HeldTurn::Continues(earlier.len() - 1)
            }
            Some(_) => HeldTurn::Begins,
        };
    }
    for (at, s) in earlier.iter().map(S::borrow).enumerate().rev() {
        if s.turn != shift.turn {
            return HeldTurn::Begins;
        }
        if !s.is_override && s.person == shift.person {
            return HeldTurn::Continues(at);
        }
    }
    HeldTurn::Unknown
}

/// Whether `person` has an away day near the turn's dates. Zones lie up to 26 hours apart
/// (Kiritimati +14, Baker Island −12), so a person's local date can be two days off the
/// rotation's, and a shift may end the day after it starts: away days outside this margin
/// cannot matter, which spares the exact check.
fn might_be_away(person: &Person, first: NaiveDate, last: NaiveDate) -> bool {
    !person.away.is_empty()
        && person
            .away
            .intersects(first - TimeDelta::days(2), last + TimeDelta::days(3))
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
    fn next(&mut self, mut is_free: impl FnMut(PersonIx) -> bool) -> Option<PersonIx> {
        let pos = self.order.iter().position(|&p| is_free(p))?;
        let person = self.order.remove(pos);
        self.order.push(person);
        Some(person)
    }
}
