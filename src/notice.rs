//! What people were told about their shifts, and the change notices due when the plan no
//! longer says the same. Pure: the plan, "now" and the facts told are values.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, TimeDelta, Utc};

use crate::model::{Model, PersonIx, RotationIx};
use crate::plan::{self, Period, Shift};
use crate::remind::later;

/// A slot named by its rotation: the one slot identity of [`crate::slot`].
pub use crate::slot::SlotId;

/// One fact a person was told: they hold (part of) a slot from `start` to `end`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Told {
    pub slot: SlotId,
    pub person: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Told {
    /// What an email about `shift` tells its holder.
    pub fn of(model: &Model, shift: &Shift) -> Option<Told> {
        Some(Told {
            slot: shift.slot.id(model),
            person: model.people[shift.person?].id.clone(),
            start: shift.start,
            end: shift.end,
        })
    }
}

/// Who holds a piece of a slot.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Holder {
    Person(PersonIx),
    /// Someone who was told but is no longer in the config: their id.
    Former(String),
    /// Nobody was free for it.
    Nobody,
}

/// A stretch of a slot and who holds it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Piece {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub holder: Holder,
}

/// How one slot changed for the person a notice goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotChange {
    pub slot: SlotId,
    /// The rotation, if the config still has it.
    pub rotation: Option<RotationIx>,
    /// The slot as people were told it, sorted by start.
    pub before: Vec<Piece>,
    /// The slot as it is planned now, sorted by start; empty if it is no longer planned.
    pub after: Vec<Piece>,
}

/// One change notice: what changed in the slots of one person since they were told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub person: PersonIx,
    /// Sorted by slot.
    pub changes: Vec<SlotChange>,
}

impl Notice {
    /// What the person now holds of the slots in this notice: the facts that replace what
    /// they were told once it is delivered.
    pub fn facts(&self, model: &Model) -> Vec<Told> {
        let id = &model.people[self.person].id;
        self.changes
            .iter()
            .flat_map(|c| {
                c.after
                    .iter()
                    .filter(|p| p.holder == Holder::Person(self.person))
                    .map(|p| Told {
                        slot: c.slot.clone(),
                        person: id.clone(),
                        start: p.start,
                        end: p.end,
                    })
            })
            .collect()
    }
}

/// The notices due as of `now`, given every fact people were told: one per person whose
/// slots changed hands or times since, in config order of people.
///
/// A slot is looked at while some fact told about it has not ended (`end > now`). In it, a
/// person was told about loses it or finds their times changed; a person who holds a part of
/// it that has not ended, and was not told, gains it. A change undone before a run is no
/// change: what is compared is what people were told with the plan as it is now.
pub fn due(model: &Model, now: DateTime<Utc>, told: &[&Told]) -> Vec<Notice> {
    // Every fact about a slot, whoever it was told to: the slot as people know it.
    let mut by_slot: BTreeMap<&SlotId, Vec<&Told>> = BTreeMap::new();
    for fact in told {
        by_slot.entry(&fact.slot).or_default().push(fact);
    }
    by_slot.retain(|_, facts| facts.iter().any(|t| t.end > now));
    if by_slot.is_empty() {
        return Vec::new();
    }
    let current = current_pieces(model, by_slot.values().flatten().copied());
    let person_ix: HashMap<&str, PersonIx> = model
        .people
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let rotation_ix: HashMap<&str, RotationIx> = model
        .rotations
        .iter()
        .enumerate()
        .map(|(i, r)| (r.name.as_str(), i))
        .collect();
    let mut changes: BTreeMap<PersonIx, Vec<SlotChange>> = BTreeMap::new();
    for (slot, mut all) in by_slot {
        all.sort();
        let before: Vec<Piece> = {
            let mut pieces: Vec<Piece> = all
                .iter()
                .map(|t| Piece {
                    start: t.start,
                    end: t.end,
                    holder: person_ix
                        .get(t.person.as_str())
                        .map_or_else(|| Holder::Former(t.person.clone()), |&p| Holder::Person(p)),
                })
                .collect();
            pieces.sort();
            pieces
        };
        let after = current.get(slot).cloned().unwrap_or_default();
        let held = |pieces: &[Piece], p: PersonIx| -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
            pieces
                .iter()
                .filter(|x| x.holder == Holder::Person(p))
                .map(|x| (x.start, x.end))
                .collect()
        };
        let mut affected: Vec<PersonIx> = Vec::new();
        // Those told about the slot whose part of it is not as they were told.
        let told_people: BTreeSet<&str> = all
            .iter()
            .filter(|t| t.end > now)
            .map(|t| t.person.as_str())
            .collect();
        for id in &told_people {
            let Some(&p) = person_ix.get(id) else {
                continue;
            };
            let mine: Vec<_> = all
                .iter()
                .filter(|t| t.person == *id)
                .map(|t| (t.start, t.end))
                .collect();
            if held(&after, p) != mine {
                affected.push(p);
            }
        }
        // Those who hold a part of it that has not ended, and were told nothing about it.
        for piece in &after {
            if let Holder::Person(p) = piece.holder
                && piece.end > now
                && !all.iter().any(|t| t.person == model.people[p].id)
                && !affected.contains(&p)
            {
                affected.push(p);
            }
        }
        for p in affected {
            changes.entry(p).or_default().push(SlotChange {
                slot: slot.clone(),
                rotation: rotation_ix.get(slot.rotation.as_str()).copied(),
                before: before.clone(),
                after: after.clone(),
            });
        }
    }
    changes
        .into_iter()
        .map(|(person, changes)| Notice { person, changes })
        .collect()
}

/// The pieces of the slots the facts name, as planned now: each slot's shifts, by slot.
fn current_pieces<'t>(
    model: &Model,
    facts: impl Iterator<Item = &'t Told>,
) -> HashMap<SlotId, Vec<Piece>> {
    let (mut from, mut to) = (DateTime::<Utc>::MAX_UTC, DateTime::<Utc>::MIN_UTC);
    for t in facts {
        from = from.min(t.start);
        to = to.max(t.end);
    }
    // A changed `shift` window moves a slot's times by less than a day either way; a slot is
    // found by its date, so two days of slack find it wherever its times went.
    let slack = TimeDelta::days(2);
    let period = Period::new(later(from, -slack), later(to, slack));
    let mut out: HashMap<SlotId, Vec<Piece>> = HashMap::new();
    for shift in plan::overlapping(model, period) {
        out.entry(shift.slot.id(model)).or_default().push(Piece {
            start: shift.start,
            end: shift.end,
            holder: shift.person.map_or(Holder::Nobody, Holder::Person),
        });
    }
    for pieces in out.values_mut() {
        pieces.sort();
    }
    out
}
