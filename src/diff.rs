//! Two versions of the rotation → the shifts that change hands. Pure: each side is the list of
//! its stretches named by slot, so the two sides may come from different configs.
//!
//! Stretches are compared by their slot identity ([`SlotPart`]): a changed shift window is no
//! change of hands, and where an override splits a slot on one side only, each part is
//! compared with the stretch of the same slot that covers its start on the other.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use chrono::{DateTime, Utc};

use crate::model::Model;
use crate::plan::Shift;
use crate::slot::{SlotId, SlotPart};

/// One stretch of one side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stretch {
    pub part: SlotPart,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The person's id; `None` for nobody.
    pub person: Option<String>,
    /// Whether the stretch lies in a published turn.
    pub published: bool,
}

impl Stretch {
    /// `shift` of `model`, held by its planned person.
    pub fn of(model: &Model, shift: &Shift) -> Stretch {
        Stretch {
            part: shift.part(model),
            start: shift.start,
            end: shift.end,
            person: shift.person.map(|p| model.people[p].id.clone()),
            published: is_published(model, shift),
        }
    }
}

/// The published ones of `shifts` (planned without the config's overrides) as they were
/// published: held by the person the lock names, with the overrides the lock recorded for
/// their turn on top. A lock without recorded overrides gives the lock's holders alone.
pub fn as_published(model: &Model, shifts: &[Shift]) -> Vec<Stretch> {
    let mut out: Vec<Stretch> = Vec::with_capacity(shifts.len());
    for shift in shifts {
        let Some(turn) = model.published.turn_at(shift.rotation(), shift.slot.date) else {
            continue;
        };
        let holder = turn.holder.id(model).map(str::to_owned);
        let slot = shift.slot.id(model);
        let mut at = shift.start;
        let mut push = |from: DateTime<Utc>, to: DateTime<Utc>, person: Option<String>| {
            if from >= to {
                return;
            }
            match out.last_mut() {
                Some(prev)
                    if prev.end == from && prev.person == person && prev.part.slot == slot =>
                {
                    prev.end = to;
                }
                _ => out.push(Stretch {
                    part: SlotPart {
                        slot: slot.clone(),
                        offset: from - shift.slot_start,
                    },
                    start: from,
                    end: to,
                    person,
                    published: true,
                }),
            }
        };
        // The recorded overrides are sorted and disjoint.
        for o in &turn.overrides {
            let (from, to) = (
                o.from.with_timezone(&Utc).max(shift.start),
                o.to.with_timezone(&Utc).min(shift.end),
            );
            if from >= to {
                continue;
            }
            push(at, from, holder.clone());
            push(from, to, Some(o.person.clone()));
            at = to;
        }
        push(at, shift.end, holder);
    }
    out
}

/// Whether `shift` lies in a published turn of `model`'s lock.
pub fn is_published(model: &Model, shift: &Shift) -> bool {
    model
        .published
        .turn_at(shift.rotation(), shift.slot.date)
        .is_some()
}

/// A stretch that changes hands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub part: SlotPart,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// `None`: nobody, or the slot is not on that side.
    pub before: Option<String>,
    pub after: Option<String>,
    pub published: bool,
}

/// What one person gains and loses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonChanges {
    pub person: String,
    pub gained: Vec<usize>,
    pub lost: Vec<usize>,
}

/// All changes, sorted by start, then rotation; and per person (by id) the positions of the
/// changes they gain and lose.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff {
    pub changes: Vec<Change>,
    pub people: Vec<PersonChanges>,
}

/// The stretches whose person differs between `before` and `after`.
pub fn diff(before: &[Stretch], after: &[Stretch]) -> Diff {
    // Each slot is compared on its own.
    let (before_ix, after_ix) = (by_slot(before), by_slot(after));
    let only_before = before_ix
        .keys()
        .filter(|slot| !after_ix.contains_key(*slot));
    let mut changes = Vec::new();
    let none = Vec::new();
    for slot in after_ix.keys().chain(only_before) {
        let before = before_ix.get(slot).unwrap_or(&none);
        let after = after_ix.get(slot).unwrap_or(&none);
        let mut parts: Vec<&SlotPart> = before.iter().chain(after).map(|s| &s.part).collect();
        parts.sort_by_key(|p| p.offset);
        parts.dedup();
        for (k, part) in parts.iter().enumerate() {
            let b = covering(before, part);
            let a = covering(after, part);
            let (b_person, a_person) = (
                b.and_then(|s| s.person.as_deref()),
                a.and_then(|s| s.person.as_deref()),
            );
            if b_person == a_person && b.is_some() == a.is_some() {
                continue;
            }
            // Shown as the side that has it (the current one first) shows its slot.
            let Some(shown) = a.or(b) else { continue };
            let slot_start = shown.start - shown.part.offset;
            // The change lasts until the next part of the slot on either side, or until the
            // stretches covering it end.
            let mut end_offset = [b, a]
                .into_iter()
                .flatten()
                .map(|s| s.part.offset + (s.end - s.start))
                .min()
                .unwrap_or(part.offset);
            if let Some(next) = parts.get(k + 1) {
                end_offset = end_offset.min(next.offset);
            }
            changes.push(Change {
                part: (*part).clone(),
                start: slot_start + part.offset,
                end: slot_start + end_offset,
                before: b_person.map(str::to_owned),
                after: a_person.map(str::to_owned),
                published: b.is_some_and(|s| s.published) || a.is_some_and(|s| s.published),
            });
        }
    }
    changes.sort_by(|x, y| {
        (x.start, &x.part.slot.rotation, x.end, &x.part).cmp(&(
            y.start,
            &y.part.slot.rotation,
            y.end,
            &y.part,
        ))
    });
    let mut people: BTreeMap<String, PersonChanges> = BTreeMap::new();
    for (i, c) in changes.iter().enumerate() {
        if let Some(id) = &c.after {
            person(&mut people, id).gained.push(i);
        }
        if let Some(id) = &c.before {
            person(&mut people, id).lost.push(i);
        }
    }
    Diff {
        changes,
        people: people.into_values().collect(),
    }
}

/// One side's stretches by slot. Hashed, not ordered: a year of a large organisation is a
/// million slots, whose names compared in a tree were most of the work.
fn by_slot(side: &[Stretch]) -> FxHashMap<&SlotId, Vec<&Stretch>> {
    let mut by_slot: FxHashMap<&SlotId, Vec<&Stretch>> =
        FxHashMap::with_capacity_and_hasher(side.len(), Default::default());
    for s in side {
        by_slot.entry(&s.part.slot).or_default().push(s);
    }
    by_slot
}

/// The stretch of `part`'s slot among `stretches` (one side's of that slot) that covers
/// `part`'s offset into the slot.
fn covering<'s>(stretches: &[&'s Stretch], part: &SlotPart) -> Option<&'s Stretch> {
    stretches.iter().copied().find(|s| {
        let length = s.end - s.start;
        s.part.offset <= part.offset && part.offset < s.part.offset + length
    })
}

fn person<'p>(people: &'p mut BTreeMap<String, PersonChanges>, id: &str) -> &'p mut PersonChanges {
    people
        .entry(id.to_string())
        .or_insert_with(|| PersonChanges {
            person: id.to_string(),
            gained: Vec::new(),
            lost: Vec::new(),
        })
}
