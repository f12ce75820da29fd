//! What people were told about their shifts, and the change notices due when the plan no
//! longer says the same. Pure: the plan, "now" and the facts told are values.
//!
//! A notice is about one *turn* that changed for one person: the turn they were told about
//! (each fact remembers the turn it was told as part of), or the turn they now hold (as
//! [`crate::remind`] groups shifts into turns: a published turn, or a `turn`-day block, or a
//! run of one person's override pieces). Changed slots that share either are one change, so
//! a weekly turn an override cuts into is one notice for whoever lost part of it and one for
//! whoever took it, and two turns changed are two notices.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, TimeDelta, Utc};

use crate::model::{Model, PersonIx, RotationIx};
use crate::plan::{self, Period, Shift};
use crate::remind::{self, Turn, later};
use crate::slot::SlotPart;

/// A slot named by its rotation: the one slot identity of [`crate::slot`].
pub use crate::slot::SlotId;

/// One fact a person was told: they hold (part of) a slot from `start` to `end`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Told {
    pub slot: SlotId,
    pub person: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The turn the person was told this as part of, named by the slot part it starts with;
    /// `None` in facts recorded before rota kept it.
    pub turn: Option<SlotPart>,
    /// The `SEQUENCE` the event had in the calendar attached to that email.
    pub sequence: u32,
    /// How far into the slot the piece starts: its event is the slot part at this offset.
    pub offset: TimeDelta,
}

impl Told {
    /// Whether this says the person holds nothing of the slot (`start == end`): they were
    /// told they lost it. Kept so that the slot is still watched (whoever takes it later, or
    /// their getting it back, is news) and its `SEQUENCE` still known.
    pub fn is_nothing(&self) -> bool {
        self.start == self.end
    }

    /// The slot part of the event the person was sent for this fact.
    pub fn part(&self) -> SlotPart {
        SlotPart {
            slot: self.slot.clone(),
            offset: self.offset,
        }
    }
}

impl Told {
    /// What an email about `turn` tells its holder: every shift of it, as part of it.
    pub fn of_turn(model: &Model, turn: &Turn, sequence: impl Fn(&Shift) -> u32) -> Vec<Told> {
        let key = turn.key(model).turn;
        turn.shifts
            .iter()
            .map(|shift| Told {
                slot: shift.slot.id(model),
                person: model.people[turn.person].id.clone(),
                start: shift.start,
                end: shift.end,
                turn: Some(key.clone()),
                sequence: sequence(shift),
                offset: shift.offset(),
            })
            .collect()
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
    /// The shifts of the slot as planned now.
    pub shifts: Vec<Shift>,
}

/// One change notice: how one turn of one person changed since they were told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub person: PersonIx,
    /// The slots of the turn that changed for the person, sorted by date, then rotation.
    pub changes: Vec<SlotChange>,
    /// The person's turns as planned now that hold a part of those slots, sorted by start.
    pub turns: Vec<Turn>,
    /// What the person was told about those slots.
    pub told: Vec<Told>,
}

impl Notice {
    /// What the person now holds of the slots in this notice: the facts that replace what
    /// they were told once it is delivered, each with the `sequence` its slot's events are
    /// sent with; for a slot they lost whole, that they hold nothing of it.
    pub fn facts(&self, model: &Model, sequence: impl Fn(&SlotId) -> u32) -> Vec<Told> {
        let id = &model.people[self.person].id;
        let mut facts: Vec<Told> = self
            .held()
            .map(|shift| {
                let slot = shift.slot.id(model);
                Told {
                    sequence: sequence(&slot),
                    slot,
                    person: id.clone(),
                    start: shift.start,
                    end: shift.end,
                    turn: self
                        .turns
                        .iter()
                        .find(|t| t.shifts.contains(shift))
                        .map(|t| t.key(model).turn),
                    offset: shift.offset(),
                }
            })
            .collect();
        for change in &self.changes {
            let had = self.told.iter().filter(|t| t.slot == change.slot);
            let holds = change.shifts.iter().any(|s| s.person == Some(self.person));
            if let Some(last) = had.clone().max_by_key(|t| t.end)
                && !holds
            {
                facts.push(Told {
                    start: last.end,
                    sequence: sequence(&change.slot),
                    offset: TimeDelta::zero(),
                    ..last.clone()
                });
            }
        }
        facts
    }

    /// What the person was told about and holds no more: the events their calendar should
    /// drop (a piece they still hold, at other times, is the same event, changed).
    pub fn lost(&self, model: &Model) -> Vec<&Told> {
        let held: Vec<SlotPart> = self.held().map(|s| s.part(model)).collect();
        self.told
            .iter()
            .filter(|t| !t.is_nothing() && !held.contains(&t.part()))
            .collect()
    }

    /// The shifts of the changed slots that the person holds now, in order.
    pub fn held(&self) -> impl Iterator<Item = &Shift> {
        self.changes
            .iter()
            .flat_map(|c| &c.shifts)
            .filter(|s| s.person == Some(self.person))
    }
}

/// What ties changed slots of one person into one change.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum TurnKey {
    /// The turn they were told the slot as part of.
    Told(SlotPart),
    /// For facts recorded before the turn was: the turn block the slot belongs to now, or
    /// the slot itself if it is no longer planned.
    Block(RotationIx, u32),
    Slot(SlotId),
    /// Their turn as planned now, by its place in the turns seen.
    Now(usize),
    /// A change no override made (a changed shift window, reopened turns, a roster edit),
    /// in the rotation of that name: one edit that moves many turns is one notice, not one
    /// per turn.
    Rotation(String),
}

/// The notices due as of `now`, given every fact people were told: one per person and turn
/// that changed hands or times since, in config order of people, then by date.
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
    let slots = Slots {
        model,
        now,
        current: Current::around(model, by_slot.values().flatten().copied()),
        person_ix: model
            .people
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), i))
            .collect(),
        rotation_ix: model
            .rotations
            .iter()
            .enumerate()
            .map(|(i, r)| (r.name.as_str(), i))
            .collect(),
    };
    let mut changed: BTreeMap<PersonIx, Vec<Changed>> = BTreeMap::new();
    for (slot, mut all) in by_slot {
        all.sort();
        for (p, change) in slots.changes(slot, &all) {
            changed.entry(p).or_default().push(change);
        }
    }
    let mut notices: Vec<Notice> = changed
        .into_iter()
        .flat_map(|(person, changes)| notices_of(person, &changes, &slots.current))
        .collect();
    notices.sort_by(|a, b| {
        let first = |n: &Notice| {
            (
                n.person,
                n.changes[0].slot.date,
                n.changes[0].slot.rotation.clone(),
            )
        };
        first(a).cmp(&first(b))
    });
    notices
}

/// What [`due`] compares each slot's facts with: the plan now, and the config's names.
struct Slots<'m> {
    model: &'m Model,
    now: DateTime<Utc>,
    current: Current,
    person_ix: HashMap<&'m str, PersonIx>,
    rotation_ix: HashMap<&'m str, RotationIx>,
}

impl Slots<'_> {
    /// The changes of one slot, given every fact told about it (sorted): one for each person
    /// whose part of it is not as they were told.
    fn changes(&self, slot: &SlotId, all: &[&Told]) -> Vec<(PersonIx, Changed)> {
        let shifts = self.current.shifts.get(slot).cloned().unwrap_or_default();
        let after = pieces(&shifts);
        self.affected(all, &shifts)
            .into_iter()
            .map(|p| {
                let id = &self.model.people[p].id;
                let change = SlotChange {
                    slot: slot.clone(),
                    rotation: self.rotation_ix.get(slot.rotation.as_str()).copied(),
                    before: self.known_before(all, id),
                    after: after.clone(),
                    shifts: shifts.clone(),
                };
                let told = all.iter().filter(|t| &t.person == id).map(|&t| t.clone());
                let changed = Changed {
                    change,
                    keys: self.keys(slot, all, &shifts, p),
                    told: told.collect(),
                };
                (p, changed)
            })
            .collect()
    }

    /// The slot as `id` knew it: what they were told, and what others were told of the rest
    /// of it (a fact of someone else's over the same time was told after theirs).
    fn known_before(&self, all: &[&Told], id: &str) -> Vec<Piece> {
        let known = |t: &&&Told| !t.is_nothing();
        let mine: Vec<&&Told> = all
            .iter()
            .filter(known)
            .filter(|t| t.person == id)
            .collect();
        let mut pieces: Vec<Piece> = all
            .iter()
            .filter(known)
            .filter(|t| t.person == id || !mine.iter().any(|m| m.start < t.end && t.start < m.end))
            .map(|t| Piece {
                start: t.start,
                end: t.end,
                holder: self
                    .person_ix
                    .get(t.person.as_str())
                    .map_or_else(|| Holder::Former(t.person.clone()), |&p| Holder::Person(p)),
            })
            .collect();
        pieces.sort();
        pieces
    }

    /// Who a slot's change concerns: those told about it whose part of it is not as they were
    /// told, then those who hold a part of it that has not ended and were told nothing.
    fn affected(&self, all: &[&Told], shifts: &[Shift]) -> Vec<PersonIx> {
        let held = |p: PersonIx| -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
            shifts
                .iter()
                .filter(|s| s.person == Some(p))
                .map(|s| (s.start, s.end))
                .collect()
        };
        let mut affected: Vec<PersonIx> = Vec::new();
        let told_people: BTreeSet<&str> = all
            .iter()
            .filter(|t| t.end > self.now)
            .map(|t| t.person.as_str())
            .collect();
        for id in &told_people {
            let Some(&p) = self.person_ix.get(id) else {
                continue;
            };
            let mine: Vec<_> = all
                .iter()
                .filter(|t| t.person == *id && !t.is_nothing())
                .map(|t| (t.start, t.end))
                .collect();
            if held(p) != mine {
                affected.push(p);
            }
        }
        for shift in shifts {
            if let Some(p) = shift.person
                && shift.end > self.now
                && !all.iter().any(|t| t.person == self.model.people[p].id)
                && !affected.contains(&p)
            {
                affected.push(p);
            }
        }
        affected
    }

    /// What ties person `p`'s change of a slot to their others: the turns they were told of
    /// and now hold in it, where an override not told as it stands moved it; otherwise the
    /// rotation, since everything else that moved in a rotation is one change.
    fn keys(&self, slot: &SlotId, all: &[&Told], shifts: &[Shift], p: PersonIx) -> Vec<TurnKey> {
        let model = self.model;
        let id = &model.people[p].id;
        // An override that was not told as it stands now is a change of its own, turn by turn.
        let told_as_is = |s: &Shift| {
            all.iter().any(|t| {
                !t.is_nothing()
                    && s.person.is_some_and(|q| model.people[q].id == t.person)
                    && t.start <= s.start
                    && s.end <= t.end
            })
        };
        let by_override = shifts
            .iter()
            .any(|s| s.is_override && s.end > self.now && !told_as_is(s));
        if !by_override {
            return vec![TurnKey::Rotation(slot.rotation.clone())];
        }
        let mut keys: Vec<TurnKey> = all
            .iter()
            .filter(|t| &t.person == id)
            .map(|t| match &t.turn {
                Some(part) => TurnKey::Told(part.clone()),
                None => shifts.first().map_or_else(
                    || TurnKey::Slot(slot.clone()),
                    |s| TurnKey::Block(s.rotation(), s.turn),
                ),
            })
            .collect();
        keys.extend(
            shifts
                .iter()
                .filter(|s| s.person == Some(p))
                .filter_map(|s| self.current.turn_of(s))
                .map(TurnKey::Now),
        );
        keys
    }
}

/// `person`'s notices: one for each group of their changes that share a turn.
fn notices_of(person: PersonIx, changes: &[Changed], current: &Current) -> Vec<Notice> {
    connected(changes)
        .into_iter()
        .map(|group| {
            let mut slots: Vec<SlotChange> =
                group.iter().map(|&i| changes[i].change.clone()).collect();
            slots.sort_by(|a, b| {
                (a.slot.date, &a.slot.rotation).cmp(&(b.slot.date, &b.slot.rotation))
            });
            let mut turns: Vec<usize> = group
                .iter()
                .flat_map(|&i| &changes[i].keys)
                .filter_map(|k| match k {
                    TurnKey::Now(t) => Some(*t),
                    _ => None,
                })
                .collect();
            turns.sort_unstable();
            turns.dedup();
            let mut turns: Vec<Turn> = turns
                .into_iter()
                .map(|t| current.turns[t].clone())
                .collect();
            turns.sort_by_key(|t| t.start);
            let told = group
                .iter()
                .flat_map(|&i| changes[i].told.iter().cloned())
                .collect();
            Notice {
                person,
                changes: slots,
                turns,
                told,
            }
        })
        .collect()
}

/// One changed slot of one person, with what ties it to their other changes.
struct Changed {
    change: SlotChange,
    keys: Vec<TurnKey>,
    /// What they were told about the slot.
    told: Vec<Told>,
}

/// The groups of `items` that share a key, directly or through others: each group's indices,
/// ascending, the groups in the order of their first item.
fn connected(items: &[Changed]) -> Vec<Vec<usize>> {
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut parent: Vec<usize> = (0..items.len()).collect();
    let mut first: HashMap<&TurnKey, usize> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        for key in &item.keys {
            let j = *first.entry(key).or_insert(i);
            let (a, b) = (root(&mut parent, i), root(&mut parent, j));
            parent[a.max(b)] = a.min(b);
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..items.len() {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    groups.into_values().collect()
}

fn pieces(shifts: &[Shift]) -> Vec<Piece> {
    let mut pieces: Vec<Piece> = shifts
        .iter()
        .map(|s| Piece {
            start: s.start,
            end: s.end,
            holder: s.person.map_or(Holder::Nobody, Holder::Person),
        })
        .collect();
    pieces.sort();
    pieces
}

/// The plan now around the slots the facts name: each slot's shifts, and the turns they
/// belong to.
struct Current {
    shifts: HashMap<SlotId, Vec<Shift>>,
    turns: Vec<Turn>,
    /// A held shift → its turn in `turns`, by rotation, slot and start.
    turn_of: HashMap<(RotationIx, chrono::NaiveDate, DateTime<Utc>), usize>,
}

impl Current {
    fn around<'t>(model: &Model, facts: impl Iterator<Item = &'t Told>) -> Current {
        let (mut from, mut to) = (DateTime::<Utc>::MAX_UTC, DateTime::<Utc>::MIN_UTC);
        for t in facts {
            from = from.min(t.start);
            to = to.max(t.end);
        }
        // A changed `shift` window moves a slot's times by less than a day either way; a slot
        // is found by its date, so two days of slack find it wherever its times went.
        let slack = TimeDelta::days(2);
        let span = Period::new(later(from, -slack), later(to, slack));
        let all = plan::overlapping(model, remind::window(model, span));
        let turns = remind::turns(model, &all);
        let mut turn_of = HashMap::new();
        for (i, turn) in turns.iter().enumerate() {
            for s in &turn.shifts {
                turn_of.insert((s.rotation(), s.slot.date, s.start), i);
            }
        }
        let mut shifts: HashMap<SlotId, Vec<Shift>> = HashMap::new();
        for shift in all {
            shifts.entry(shift.slot.id(model)).or_default().push(shift);
        }
        Current {
            shifts,
            turns,
            turn_of,
        }
    }

    fn turn_of(&self, shift: &Shift) -> Option<usize> {
        self.turn_of
            .get(&(shift.rotation(), shift.slot.date, shift.start))
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(turn: &str, extra: &str) -> Model {
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
turn = "{turn}"
{extra}
"#
        );
        crate::config::load(&text, "test.toml").expect("valid config")
    }

    fn at(text: &str) -> DateTime<Utc> {
        crate::timefmt::parse_instant(text, chrono_tz::Europe::Berlin).unwrap()
    }

    /// What an announcement of the first two weeks would have told everyone.
    fn told(m: &Model) -> Vec<Told> {
        let shifts = plan::overlapping(
            m,
            Period::new(at("2026-12-07T00:00"), at("2026-12-21T00:00")),
        );
        remind::turns(m, &shifts)
            .iter()
            .flat_map(|t| Told::of_turn(m, t, |_| 0))
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

    fn override_(person: &str, from: &str, to: &str) -> String {
        format!(
            "[[override]]\nrotation = \"duty\"\nperson = \"{person}\"\nfrom = {from}\nto = {to}\n"
        )
    }

    /// Bo's Tuesday 8 December afternoon goes to Cy.
    fn split() -> String {
        override_("cy", "2026-12-08T13:00:00", "2026-12-08T17:00:00")
    }

    fn deliver(m: &Model, facts: &mut Vec<Told>, notices: &[Notice]) {
        for n in notices {
            let id = &m.people[n.person].id;
            facts.retain(|t| &t.person != id || !n.changes.iter().any(|c| c.slot == t.slot));
            facts.extend(n.facts(m, |_| 1));
        }
    }

    #[test]
    fn a_turn_lost_to_nobody_is_still_watched_for_who_takes_it_later() {
        // Ana's Monday goes to Cy, who has no address and so is never told; then back to Ana.
        let mut facts = told(&model("day", ""));
        let gone = model(
            "day",
            &override_("cy", "2026-12-07T00:00:00", "2026-12-08T00:00:00"),
        );
        let refs: Vec<&Told> = facts.iter().collect();
        let notices = due(&gone, at("2026-12-01T00:00"), &refs);
        let ana: Vec<Notice> = notices
            .into_iter()
            .filter(|n| gone.people[n.person].id == "ana")
            .collect();
        assert_eq!(ana.len(), 1);
        deliver(&gone, &mut facts, &ana);
        let monday = |t: &&Told| t.slot.date.to_string() == "2026-12-07";
        assert!(
            facts
                .iter()
                .filter(monday)
                .all(|t| t.is_nothing() || t.person == "cy")
        );
        let back = model("day", "");
        let refs: Vec<&Told> = facts.iter().filter(|t| t.person == "ana").collect();
        let notices = due(&back, at("2026-12-01T00:00"), &refs);
        assert_eq!(summary(&back, &notices), ["ana: 2026-12-07-duty"]);
        assert!(notices[0].lost(&back).is_empty());
    }

    #[test]
    fn an_unchanged_plan_owes_nobody_a_notice() {
        let m = model("day", "");
        let facts = told(&m);
        let refs: Vec<&Told> = facts.iter().collect();
        assert!(due(&m, at("2026-12-01T00:00"), &refs).is_empty());
    }

    #[test]
    fn a_split_shift_is_news_to_its_holder_and_to_who_took_the_part() {
        let facts = told(&model("day", ""));
        let refs: Vec<&Told> = facts.iter().collect();
        let m = model("day", &split());
        let notices = due(&m, at("2026-12-01T00:00"), &refs);
        assert_eq!(
            summary(&m, &notices),
            ["bo: 2026-12-08-duty", "cy: 2026-12-08-duty"]
        );
        let cy = &notices[1];
        let facts = cy.facts(&m, |_| 1);
        assert_eq!(facts.len(), 1);
        assert_eq!(
            (facts[0].start, facts[0].end),
            (at("2026-12-08T13:00"), at("2026-12-08T17:00"))
        );
        assert_eq!(
            facts[0].turn.as_ref().map(ToString::to_string).as_deref(),
            Some("2026-12-08-duty+PT4H")
        );
        assert_eq!(cy.changes[0].before.len(), 1);
        assert_eq!(cy.changes[0].after.len(), 2);
        assert_eq!(cy.turns.len(), 1);
    }

    #[test]
    fn once_told_the_change_is_no_longer_news() {
        let mut facts = told(&model("day", ""));
        let m = model("day", &split());
        let refs: Vec<&Told> = facts.iter().collect();
        let notices = due(&m, at("2026-12-01T00:00"), &refs);
        deliver(&m, &mut facts, &notices);
        let refs: Vec<&Told> = facts.iter().collect();
        assert!(due(&m, at("2026-12-01T00:00"), &refs).is_empty());
    }

    #[test]
    fn shifts_that_have_ended_are_past_noticing() {
        let facts = told(&model("day", ""));
        let refs: Vec<&Told> = facts.iter().collect();
        let m = model("day", &split());
        assert!(due(&m, at("2026-12-08T17:00"), &refs).is_empty());
        // Mid-shift, the rest of it is still news.
        assert_eq!(due(&m, at("2026-12-08T16:00"), &refs).len(), 2);
    }

    #[test]
    fn a_week_turn_an_override_cuts_into_is_one_change_for_each_side() {
        // Ana holds the week of 7 December; Cy takes Wednesday to Friday of it.
        let facts = told(&model("week", ""));
        let refs: Vec<&Told> = facts.iter().collect();
        let m = model(
            "week",
            &override_("cy", "2026-12-09T00:00:00", "2026-12-12T00:00:00"),
        );
        let notices = due(&m, at("2026-12-01T00:00"), &refs);
        assert_eq!(
            summary(&m, &notices),
            [
                "ana: 2026-12-09-duty 2026-12-10-duty 2026-12-11-duty",
                "cy: 2026-12-09-duty 2026-12-10-duty 2026-12-11-duty"
            ]
        );
    }

    #[test]
    fn two_turns_changed_are_two_notices_even_in_one_run() {
        // Daily turns: Cy takes Ana's Monday and Ana's Wednesday, two turns of hers.
        let facts = told(&model("day", ""));
        let refs: Vec<&Told> = facts.iter().collect();
        let overrides = override_("cy", "2026-12-07T00:00:00", "2026-12-08T00:00:00")
            + &override_("cy", "2026-12-09T00:00:00", "2026-12-10T00:00:00");
        let m = model("day", &overrides);
        let notices = due(&m, at("2026-12-01T00:00"), &refs);
        assert_eq!(
            summary(&m, &notices),
            [
                "ana: 2026-12-07-duty",
                "ana: 2026-12-09-duty",
                "cy: 2026-12-07-duty",
                "cy: 2026-12-09-duty"
            ]
        );
    }

    #[test]
    fn an_override_over_two_turns_is_one_change_for_its_taker() {
        // Cy takes Ana's Monday and Bo's Tuesday in one go.
        let facts = told(&model("day", ""));
        let refs: Vec<&Told> = facts.iter().collect();
        let m = model(
            "day",
            &override_("cy", "2026-12-07T00:00:00", "2026-12-09T00:00:00"),
        );
        let notices = due(&m, at("2026-12-01T00:00"), &refs);
        assert_eq!(
            summary(&m, &notices),
            [
                "ana: 2026-12-07-duty",
                "bo: 2026-12-08-duty",
                "cy: 2026-12-07-duty 2026-12-08-duty"
            ]
        );
    }

    #[test]
    fn a_turn_passed_on_twice_before_a_run_tells_only_the_first_and_the_last() {
        let facts = told(&model("week", ""));
        let refs: Vec<&Told> = facts.iter().collect();
        // Bo's week of 14 December went to Ana, then (before any run) to Cy.
        let m = model(
            "week",
            &override_("cy", "2026-12-14T00:00:00", "2026-12-21T00:00:00"),
        );
        let notices = due(&m, at("2026-12-01T00:00"), &refs);
        assert_eq!(notices.len(), 2);
        assert_eq!(m.people[notices[0].person].id, "bo");
        assert_eq!(m.people[notices[1].person].id, "cy");
    }
}
