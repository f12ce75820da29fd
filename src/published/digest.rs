//! What a published turn looked like when it was published: a digest of its shifts (their
//! times, holders and overrides), recorded in the lock, so that an export with no previous
//! feed to compare with can still tell an event that changed since publishing from one that
//! did not. Pure.

use std::collections::HashSet;

use chrono::{NaiveDate, TimeDelta};

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
    // Per rotation (by index): the span of slot dates at hand, and the digest of each of its
    // published turns with shifts at hand (by position): no hashing per shift, which a
    // published year of a large organisation has a million of.
    let mut at_hand: Vec<Option<RotationAtHand>> = vec![None; model.rotations.len()];
    for shift in shifts {
        let Some(published) = model.published.rotation(shift.rotation()) else {
            continue;
        };
        let date = shift.slot.date;
        let list = &published.turns;
        let rotation = at_hand[shift.rotation()].get_or_insert_with(|| RotationAtHand {
            from: date,
            to: date,
            turns: vec![None; list.len()],
        });
        rotation.from = rotation.from.min(date);
        rotation.to = rotation.to.max(date);
        let i = list.partition_point(|t| t.last < date);
        if list
            .get(i)
            .is_some_and(|t| t.first <= date && t.digest.is_some())
        {
            rotation.turns[i]
                .get_or_insert_with(Digest::default)
                .add(model, shift);
        }
    }
    for (ix, rotation) in at_hand.into_iter().enumerate() {
        let (Some(rotation), Some(published)) = (rotation, model.published.rotation(ix)) else {
            continue;
        };
        for (turn, digest) in published.turns.iter().zip(rotation.turns) {
            let Some(digest) = digest else { continue };
            // Shifts at hand on both sides of the turn: all of its own are at hand too.
            let now = if rotation.from < turn.first && turn.last < rotation.to {
                digest.value()
            } else {
                of(model, &planned_whole(model, ix, turn))
            };
            if Some(now) != turn.digest {
                changed.extend((0..=(turn.last - turn.first).num_days()).map(|d| Slot {
                    rotation: ix,
                    date: turn.first + TimeDelta::days(d),
                }));
            }
        }
    }
    changed
}

/// One rotation's shifts at hand, as [`changed`] gathers them.
#[derive(Debug, Clone)]
struct RotationAtHand {
    /// The first and last slot dates at hand.
    from: NaiveDate,
    to: NaiveDate,
    /// Per published turn of the rotation, by position: the digest of its shifts at hand.
    turns: Vec<Option<Digest>>,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> Model {
        let config = "[team]\nname = \"T\"\ntimezone = \"UTC\"\nstart = 2027-03-01\n\
            [[person]]\nid = \"a\"\nname = \"A\"\n[[person]]\nid = \"b\"\nname = \"B\"\n\
            [[rotation]]\nname = \"r\"\nmembers = [\"a\", \"b\"]\nshift = \"09:00-17:00\"\n\
            turn = \"week\"\n";
        crate::config::load(config, "rotation.toml").expect("valid config")
    }

    fn week(model: &Model) -> Vec<Shift> {
        let day = |d: u32| {
            NaiveDate::from_ymd_opt(2027, 3, d)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap()
                .and_utc()
        };
        plan::one_rotation(model, 0, Period::new(day(1), day(8)))
    }

    #[test]
    fn a_digest_never_changes_between_builds_since_locks_keep_it() {
        // Locks committed to git hold these: a new value would make every published turn
        // look changed.
        let model = model();
        let shifts = week(&model);
        assert_eq!(shifts.len(), 7);
        // FNV-1a of each shift's start and end (i64 LE), `p` and the id, `\0r`; folded to 32 bits.
        assert_eq!(
            of(&model, &shifts),
            0xe185_8226,
            "{:08x}",
            of(&model, &shifts)
        );
    }

    #[test]
    fn a_digest_tells_holders_times_and_overrides_apart() {
        let model = model();
        let shifts = week(&model);
        let base = of(&model, &shifts);
        let mut other = shifts.clone();
        other[2].person = Some(1);
        assert_ne!(of(&model, &other), base);
        other[2].is_override = true;
        assert_ne!(of(&model, &other), base);
        let mut later = shifts.clone();
        later[6].end += TimeDelta::hours(1);
        assert_ne!(of(&model, &later), base);
        assert_ne!(of(&model, &shifts[..6]), base);
    }
}
