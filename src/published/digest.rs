//! What a published turn looked like when it was published: a digest of its shifts (their
//! times, holders and overrides), recorded in the lock, so that an export with no previous
//! feed to compare with can still tell an event that changed since publishing from one that
//! did not. Pure.

use std::collections::{HashMap, HashSet};

use chrono::TimeDelta;

use super::PublishedTurn;
use crate::local_time::start_of_day;
use crate::model::{Model, RotationIx};
use crate::plan::{self, Period, Shift, Slot};
use crate::revision::Fnv;

/// The digest of a turn's shifts, in time order: the same for the same times, holders and
/// overrides on any machine and in any build (the lock outlives both). People are named by
/// their ids, which outlive any one version of the config.
pub fn of<'s>(model: &Model, shifts: impl IntoIterator<Item = &'s Shift>) -> u32 {
    let mut digest = Digest::default();
    for shift in shifts {
        digest.add(model, shift);
    }
    digest.value()
}

/// [`of`] a turn's shifts, taken one at a time.
#[derive(Debug, Clone, Copy, Default)]
struct Digest(Fnv);

impl Digest {
    fn add(&mut self, model: &Model, shift: &Shift) {
        let hash = &mut self.0;
        hash.write(&shift.start.timestamp().to_le_bytes());
        hash.write(&shift.end.timestamp().to_le_bytes());
        match shift.person {
            Some(p) => {
                hash.write(b"p");
                hash.write(model.people[p].id.as_bytes());
            }
            None => hash.write(b"-"),
        }
        // A separator no id holds, so that an id never runs into the next field.
        hash.write(if shift.is_override { b"\0o" } else { b"\0r" });
    }

    /// Folded to 32 bits: eight hex digits in the lock, and a one-in-four-billion chance that
    /// a change goes unseen.
    fn value(self) -> u32 {
        let hash = self.0.0;
        ((hash >> 32) ^ hash) as u32
    }
}

/// The slots of the published turns whose shifts, as planned now, differ from what the lock
/// recorded when they were published. `shifts` are the planned shifts at hand (of any
/// rotations, each rotation's in time order); a turn that reaches beyond them is planned
/// whole. Turns published without a digest (by an older rota) are never reported.
pub fn changed<'s>(model: &Model, shifts: impl IntoIterator<Item = &'s Shift>) -> HashSet<Slot> {
    let mut changed = HashSet::new();
    if model.published.is_empty() {
        return changed;
    }
    // Per rotation: the digests of the turns at hand, and the span of slot dates at hand.
    let mut turns: HashMap<(RotationIx, usize), Digest> = HashMap::new();
    let mut spans: HashMap<RotationIx, (chrono::NaiveDate, chrono::NaiveDate)> = HashMap::new();
    for shift in shifts {
        let Some(published) = model.published.rotation(shift.rotation) else {
            continue;
        };
        let date = shift.slot.date;
        spans
            .entry(shift.rotation)
            .and_modify(|(from, to)| {
                *from = (*from).min(date);
                *to = (*to).max(date);
            })
            .or_insert((date, date));
        let list = &published.turns;
        let i = list.partition_point(|t| t.last < date);
        if list
            .get(i)
            .is_some_and(|t| t.first <= date && t.digest.is_some())
        {
            turns
                .entry((shift.rotation, i))
                .or_default()
                .add(model, shift);
        }
    }
    for ((rotation, i), at_hand) in turns {
        let Some(turn) = model
            .published
            .rotation(rotation)
            .and_then(|r| r.turns.get(i))
        else {
            continue;
        };
        let (from, to) = spans[&rotation];
        // Shifts at hand on both sides of the turn: all of its own are at hand too.
        let now = if from < turn.first && turn.last < to {
            at_hand.value()
        } else {
            of(model, &planned_whole(model, rotation, turn))
        };
        if Some(now) != turn.digest {
            changed.extend((0..=(turn.last - turn.first).num_days()).map(|d| Slot {
                rotation,
                date: turn.first + TimeDelta::days(d),
            }));
        }
    }
    changed
}

/// Every shift of a published turn, as planned now.
fn planned_whole(model: &Model, rotation: RotationIx, turn: &PublishedTurn) -> Vec<Shift> {
    let tz = model.rotations[rotation].timezone;
    let period = Period::new(
        start_of_day(tz, turn.first),
        start_of_day(tz, turn.last + TimeDelta::days(1)),
    );
    plan::one_rotation(model, rotation, period)
        .into_iter()
        .filter(|s| turn.first <= s.slot.date && s.slot.date <= turn.last)
        .collect()
}
