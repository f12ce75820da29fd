//! Fairness: each person's share of each rotation, the spread per rotation, and the
//! `uneven-turns` warning.

use chrono::{Datelike, NaiveDate, TimeDelta, Weekday};
use rustc_hash::{FxHashMap, FxHashSet};

use super::{Conflict, ConflictKind};
use crate::local_time::local_date;
use crate::model::{Model, PersonIx, RotationIx};
use crate::plan::{Period, Shift, Slot};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fairness {
    pub rotation: RotationIx,
    pub person: PersonIx,
    pub member: bool,
    /// Distinct turns the person held any part of.
    pub turns: u32,
    /// Time on duty, clipped to the period.
    pub duty: TimeDelta,
    /// Shifts (slots) on a Saturday or Sunday of the rotation's zone.
    pub weekend_shifts: u32,
    /// Shifts on a date any rotation lists in `except` (the team's holidays).
    pub holiday_shifts: u32,
    /// The person's away days (in their zone) inside the period.
    pub away_days: u32,
}

/// How far apart the members of one rotation lie: max − min over its members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spread {
    pub rotation: RotationIx,
    pub turns: u32,
    pub duty: TimeDelta,
    pub weekend_shifts: u32,
    pub holiday_shifts: u32,
}

/// One person's part of one rotation's shifts, as collected.
#[derive(Default)]
struct Share {
    turns: Vec<u32>,
    slots: Vec<Slot>,
    duty: TimeDelta,
}

/// Per rotation and person: turns, hours, weekend and holiday shifts; the spread per rotation;
/// and an `uneven-turns` warning where members who were never away are more than a turn apart.
///
/// A turn counts for everyone who held any part of it, so an override taker is credited with
/// the turn they stepped into (the turn's owner keeps it too if they kept any of it). Weekend
/// and holiday shifts count slots (whole shifts), so a shift split by an override counts once
/// for each person who held a part of it.
pub(super) fn fairness(
    model: &Model,
    period: Period,
    by_rotation: &[Vec<Shift>],
) -> (Vec<Fairness>, Vec<Spread>, Vec<Conflict>) {
    let holidays: FxHashSet<NaiveDate> = model
        .rotations
        .iter()
        .flat_map(|r| r.except.iter().copied())
        .collect();
    let mut entries = Vec::new();
    let mut spreads = Vec::new();
    let mut uneven = Vec::new();
    for (rix, rotation) in model.rotations.iter().enumerate() {
        // Each rotation's shares are gathered from its own shifts only, so the work per shift
        // stays the same however large the organisation grows.
        let mut shares: FxHashMap<PersonIx, Share> = FxHashMap::default();
        for s in &by_rotation[rix] {
            let Some(person) = s.person else { continue };
            let (start, end) = (s.start.max(period.from), s.end.min(period.to));
            if start >= end {
                continue;
            }
            let share = shares.entry(person).or_default();
            share.turns.push(s.turn);
            share.slots.push(s.slot);
            share.duty += end - start;
        }
        for share in shares.values_mut() {
            share.turns.sort_unstable();
            share.turns.dedup();
            share.slots.sort_unstable();
            share.slots.dedup();
        }
        let mut others: Vec<PersonIx> = shares
            .keys()
            .copied()
            .filter(|p| !rotation.members.contains(p))
            .collect();
        others.sort_unstable();
        let people = rotation
            .members
            .iter()
            .map(|&p| (p, true))
            .chain(others.into_iter().map(|p| (p, false)));
        let first = entries.len();
        for (p, member) in people {
            let share = shares.get(&p);
            let count = |f: &dyn Fn(&Slot) -> bool| {
                share.map_or(0, |s| s.slots.iter().filter(|x| f(x)).count() as u32)
            };
            entries.push(Fairness {
                rotation: rix,
                person: p,
                member,
                turns: share.map_or(0, |s| s.turns.len() as u32),
                duty: share.map_or(TimeDelta::zero(), |s| s.duty),
                weekend_shifts: count(&|slot| {
                    matches!(slot.date.weekday(), Weekday::Sat | Weekday::Sun)
                }),
                holiday_shifts: count(&|slot| holidays.contains(&slot.date)),
                away_days: away_days(model, p, period),
            });
        }
        let members: Vec<&Fairness> = entries[first..].iter().filter(|f| f.member).collect();
        spreads.push(spread(rix, &members));
        uneven.extend(uneven_turns(
            model,
            rix,
            period,
            &by_rotation[rix],
            &members,
        ));
    }
    (entries, spreads, uneven)
}

fn spread(rotation: RotationIx, members: &[&Fairness]) -> Spread {
    fn gap<T: Ord + Copy + std::ops::Sub<Output = T>>(
        values: impl Iterator<Item = T>,
        zero: T,
    ) -> T {
        let v: Vec<T> = values.collect();
        match (v.iter().min(), v.iter().max()) {
            (Some(&lo), Some(&hi)) => hi - lo,
            _ => zero,
        }
    }
    Spread {
        rotation,
        turns: gap(members.iter().map(|f| f.turns), 0),
        duty: gap(members.iter().map(|f| f.duty), TimeDelta::zero()),
        weekend_shifts: gap(members.iter().map(|f| f.weekend_shifts), 0),
        holiday_shifts: gap(members.iter().map(|f| f.holiday_shifts), 0),
    }
}

/// Round-robin keeps members who are always free within one turn of each other; a larger
/// difference among them means overrides (or the order) made the rotation unfair.
fn uneven_turns(
    model: &Model,
    rotation: RotationIx,
    period: Period,
    own: &[Shift],
    members: &[&Fairness],
) -> Option<Conflict> {
    // Turns reaching into the period were handed out by who was free on all their days, so a
    // member counts as "never away" only if free over every such turn.
    let from = own.iter().map(|s| s.start).min()?;
    let to = own.iter().map(|s| s.end).max()?;
    let always_free: Vec<&&Fairness> = members
        .iter()
        .filter(|f| {
            let p = &model.people[f.person];
            let first = local_date(p.timezone, from);
            let last = local_date(p.timezone, to - TimeDelta::seconds(1));
            !p.away.intersects(first, last)
        })
        .collect();
    let fewest = always_free.iter().min_by_key(|f| f.turns)?;
    let most = always_free.iter().max_by_key(|f| f.turns)?;
    (most.turns > fewest.turns + 1).then(|| Conflict {
        kind: ConflictKind::UnevenTurns {
            fewest: (fewest.person, fewest.turns),
            most: (most.person, most.turns),
        },
        person: None,
        start: period.from,
        end: period.to,
        rotations: vec![rotation],
    })
}

/// The person's away days (whole local days in their zone) that fall inside the period.
fn away_days(model: &Model, person: PersonIx, period: Period) -> u32 {
    let p = &model.people[person];
    let first = local_date(p.timezone, period.from);
    let last = local_date(p.timezone, period.to - TimeDelta::seconds(1));
    p.away
        .ranges()
        .iter()
        .map(|&(a, b)| {
            let (a, b) = (a.max(first), b.min(last));
            if a <= b { (b - a).num_days() + 1 } else { 0 }
        })
        .sum::<i64>()
        .try_into()
        .unwrap_or(u32::MAX)
}
