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

#[cfg(test)]
mod tests {
    use super::*;

    fn model(extra: &str) -> Model {
        let text = format!(
            r#"
[team]
name = "T"
timezone = "Europe/Berlin"
start = 2026-12-07

[[person]]
id = "ana"
name = "Ana"

[[person]]
id = "bo"
name = "Bo"

[[person]]
id = "cy"
name = "Cy"

[[rotation]]
name = "duty"
members = ["ana", "bo"]
shift = "09:00-17:00"
{extra}
"#
        );
        crate::config::load(&text, "test.toml").expect("valid config")
    }

    fn at(text: &str) -> DateTime<Utc> {
        crate::timefmt::parse_instant(text, chrono_tz::Europe::Berlin).unwrap()
    }

    /// What the first week's announcement would have told everyone.
    fn told(m: &Model) -> Vec<Told> {
        plan::plan(
            m,
            Period::new(at("2026-12-07T00:00"), at("2026-12-14T00:00")),
        )
        .iter()
        .filter_map(|s| Told::of(m, s))
        .collect()
    }

    fn summary(m: &Model, notices: &[Notice]) -> Vec<String> {
        notices
            .iter()
            .map(|n| {
                let slots: Vec<String> = n.changes.iter().map(|c| c.slot.to_string()).collect();
                format!("{}: {}", m.people[n.person].id, slots.join(" "))
            })
            .collect()
    }

    const OVERRIDE: &str = r#"
[[override]]
rotation = "duty"
person = "cy"
from = 2026-12-08T13:00:00
to = 2026-12-08T17:00:00
"#;

    #[test]
    fn an_unchanged_plan_owes_nobody_a_notice() {
        let m = model("");
        let facts = told(&m);
        let refs: Vec<&Told> = facts.iter().collect();
        assert!(due(&m, at("2026-12-01T00:00"), &refs).is_empty());
    }

    #[test]
    fn a_split_shift_is_news_to_its_holder_and_to_who_took_the_part() {
        let facts = told(&model(""));
        let refs: Vec<&Told> = facts.iter().collect();
        let m = model(OVERRIDE);
        let notices = due(&m, at("2026-12-01T00:00"), &refs);
        // Tuesday 8 December was Bo's.
        assert_eq!(
            summary(&m, &notices),
            ["bo: 2026-12-08-duty", "cy: 2026-12-08-duty"]
        );
        let cy = &notices[1];
        assert_eq!(
            cy.facts(&m),
            [Told {
                slot: cy.changes[0].slot.clone(),
                person: "cy".into(),
                start: at("2026-12-08T13:00"),
                end: at("2026-12-08T17:00"),
            }]
        );
        assert_eq!(cy.changes[0].before.len(), 1);
        assert_eq!(cy.changes[0].after.len(), 2);
    }

    #[test]
    fn once_told_the_change_is_no_longer_news() {
        let mut facts = told(&model(""));
        let m = model(OVERRIDE);
        let refs: Vec<&Told> = facts.iter().collect();
        let notices = due(&m, at("2026-12-01T00:00"), &refs);
        for n in &notices {
            let id = &m.people[n.person].id;
            facts.retain(|t| &t.person != id || !n.changes.iter().any(|c| c.slot == t.slot));
            facts.extend(n.facts(&m));
        }
        let refs: Vec<&Told> = facts.iter().collect();
        assert!(due(&m, at("2026-12-01T00:00"), &refs).is_empty());
    }

    #[test]
    fn shifts_that_have_ended_are_past_noticing() {
        let facts = told(&model(""));
        let refs: Vec<&Told> = facts.iter().collect();
        let m = model(OVERRIDE);
        assert!(due(&m, at("2026-12-08T17:00"), &refs).is_empty());
        // Mid-shift, the rest of it is still news.
        assert_eq!(due(&m, at("2026-12-08T16:00"), &refs).len(), 2);
    }
}
