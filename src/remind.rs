//! Plan + now + what was sent → the reminders due. Pure: "now" and the sent log are values.
//!
//! A reminder is about a *turn*: the stretch a person holds a rotation. A person's regular
//! shifts of one turn (`Shift::turn`) are one turn, starting with the first of them that they
//! actually hold; an override is its own turn for the person who takes it, and override pieces
//! of one person that follow each other in the rotation merge into one.

use chrono::{DateTime, TimeDelta, Utc};

use crate::model::{Model, PersonIx, RotationIx};
use crate::plan::turns::HeldTurn;
use crate::plan::{self, Period, Shift};
use crate::slot::SlotPart;

/// What identifies a reminder in the sent log: it is sent once per key. A turn is named by
/// the slot (or split part of one) it starts with, so that a reminder is the same one whoever
/// planned it and whatever the shift's hours became.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SentKey {
    /// The slot part the turn starts with.
    pub turn: SlotPart,
    /// The person's id.
    pub person: String,
}

/// Who held the rotation next to a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Neighbour {
    Person(PersonIx),
    /// The shift next to the turn is unassigned.
    Nobody,
    /// No shift near enough to name (e.g. a long break, or before `team.start`).
    Unknown,
}

/// One person's turn on one rotation, with the shifts it is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    pub rotation: RotationIx,
    pub person: PersonIx,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub is_override: bool,
    pub shifts: Vec<Shift>,
    /// Who hands over to this person.
    pub previous: Neighbour,
    /// To whom this person hands over.
    pub next: Neighbour,
}

impl Turn {
    pub fn key(&self, model: &Model) -> SentKey {
        SentKey {
            turn: self.shifts[0].part(model),
            person: model.people[self.person].id.clone(),
        }
    }
}

/// The turns a run has to act on.
#[derive(Debug, Default)]
pub struct Due {
    /// Turns to remind, sorted by start, then rotation and person.
    pub reminders: Vec<Turn>,
    /// Turns due but whose person has no email address.
    pub without_email: Vec<Turn>,
}

/// The turns starting within the lead time of `now` — `now <= start <= now + before`, both
/// ends included — that were not `already_reminded`.
///
/// A turn that has started is past reminding; one starting exactly now still gets its
/// (late) reminder, so a run that comes back after an outage at the very start of a turn does
/// not skip it.
pub fn due(model: &Model, now: DateTime<Utc>, already_reminded: impl Fn(&Turn) -> bool) -> Due {
    let horizon = later(now, model.remind.before);
    let mut due = Due::default();
    for turn in turns_around(model, Period::new(now, horizon)) {
        if turn.start < now || turn.start > horizon || already_reminded(&turn) {
            continue;
        }
        if model.people[turn.person].email.is_some() {
            due.reminders.push(turn);
        } else {
            due.without_email.push(turn);
        }
    }
    let order = |t: &Turn| {
        (
            t.start,
            model.rotations[t.rotation].name.clone(),
            model.people[t.person].id.clone(),
        )
    };
    due.reminders.sort_by_key(order);
    due.without_email.sort_by_key(order);
    due
}

/// The turns of every rotation near `span`: every turn that touches it is seen whole, with
/// who holds the rotation on either side of it.
pub fn turns_around(model: &Model, span: Period) -> Vec<Turn> {
    turns(model, &plan::overlapping(model, window(model, span)))
}

/// The instants to plan so that every turn touching `span` is seen whole, with the shifts on
/// either side of it.
pub fn window(model: &Model, span: Period) -> Period {
    let longest_turn = model
        .rotations
        .iter()
        .map(|r| i64::from(r.turn.days))
        .max()
        .unwrap_or(1);
    // A turn spans its days plus a shift crossing midnight; a week more finds the neighbours
    // of rotations that only run on some weekdays.
    let margin = TimeDelta::days(longest_turn + 9);
    let mut from = later(span.from, -margin);
    let mut to = later(span.to, margin);
    // An override can make a turn of any length: widen until every override touching the
    // window lies inside it, so no override turn is seen cut off. Only so far, though: an
    // override `to = 9999-12-31` would otherwise have a run plan eight thousand years. Beyond
    // a year either side, an override turn is seen cut off there, which changes nothing about
    // whether it is due (its start lies within the year) and only shortens the end a reminder
    // names.
    let (earliest, latest) = (later(from, -OVERRIDE_REACH), later(to, OVERRIDE_REACH));
    loop {
        let mut widened = false;
        for o in &model.overrides {
            if o.from < to && o.to > from {
                if o.from < from && from > earliest {
                    from = later(o.from, TimeDelta::days(-2)).max(earliest);
                    widened = true;
                }
                if o.to > to && to < latest {
                    to = later(o.to, TimeDelta::days(2)).min(latest);
                    widened = true;
                }
            }
        }
        if !widened {
            return Period::new(from, to);
        }
    }
}

/// How far beyond the lead time a run looks for the ends of long overrides.
const OVERRIDE_REACH: TimeDelta = TimeDelta::days(366);

/// The slot part of the turn of `rotation` (by name) that starts at `turn_start`: for state
/// files that named reminders by their start instant (version 1), read into today's keys.
/// `None` when the config has no such shift any more.
pub fn part_starting_at(
    model: &Model,
    rotation: &str,
    turn_start: DateTime<Utc>,
) -> Option<SlotPart> {
    let ix = model.rotations.iter().position(|r| r.name == rotation)?;
    let around = Period::new(
        later(turn_start, -TimeDelta::days(1)),
        later(turn_start, TimeDelta::days(1)),
    );
    plan::one_rotation(model, ix, around)
        .iter()
        .find(|s| s.start == turn_start)
        .map(|s| s.part(model))
}

/// `t + d`, held at the ends of time instead of overflowing on an absurd `--now`.
pub fn later(t: DateTime<Utc>, d: TimeDelta) -> DateTime<Utc> {
    t.checked_add_signed(d).unwrap_or(if d < TimeDelta::zero() {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    })
}

/// Groups planned shifts (sorted by start) into turns.
pub fn turns(model: &Model, shifts: &[Shift]) -> Vec<Turn> {
    // Sorted out to their rotations in one pass: a scan of all shifts per rotation would be
    // quadratic in a large organisation.
    let mut by_rotation: Vec<Vec<&Shift>> = vec![Vec::new(); model.rotations.len()];
    for shift in shifts {
        by_rotation[shift.rotation()].push(shift);
    }
    let mut out = Vec::new();
    for (rotation, sequence) in by_rotation.iter().enumerate() {
        out.extend(turns_of_rotation(rotation, sequence));
    }
    out
}

/// The turns of one rotation's shifts, in order, as [`plan::turns::held_turn`] counts them;
/// remembers the positions of each turn's first and last shift to name its neighbours.
fn turns_of_rotation(rotation: RotationIx, sequence: &[&Shift]) -> Vec<Turn> {
    struct Building {
        turn: Turn,
        first: usize,
        last: usize,
    }
    let mut building: Vec<Building> = Vec::new();
    // The turn each shift went to (none for a shift nobody holds).
    let mut turn_of: Vec<Option<usize>> = Vec::with_capacity(sequence.len());
    for (i, shift) in sequence.iter().enumerate() {
        let Some(person) = shift.person else {
            turn_of.push(None);
            continue;
        };
        let continued = match plan::turns::held_turn(&sequence[..i], shift) {
            HeldTurn::Continues(at) => turn_of[at],
            HeldTurn::Begins | HeldTurn::Unknown => None,
        };
        match continued {
            Some(b) => {
                let b = &mut building[b];
                b.turn.end = b.turn.end.max(shift.end);
                b.turn.shifts.push(**shift);
                b.last = i;
            }
            None => building.push(Building {
                turn: Turn {
                    rotation,
                    person,
                    start: shift.start,
                    end: shift.end,
                    is_override: shift.is_override,
                    shifts: vec![**shift],
                    previous: Neighbour::Unknown,
                    next: Neighbour::Unknown,
                },
                first: i,
                last: i,
            }),
        }
        turn_of.push(Some(continued.unwrap_or(building.len() - 1)));
    }
    let neighbour = |i: Option<usize>| match i.and_then(|i| sequence.get(i)) {
        Some(s) => s.person.map_or(Neighbour::Nobody, Neighbour::Person),
        None => Neighbour::Unknown,
    };
    building
        .into_iter()
        .map(|b| Turn {
            previous: neighbour(b.first.checked_sub(1)),
            next: neighbour(Some(b.last + 1)),
            ..b.turn
        })
        .collect()
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
email = "ana@example.com"

[[person]]
id = "bo"
name = "Bo"
email = "bo@example.com"

[[person]]
id = "cy"
name = "Cy"

[[rotation]]
name = "week"
members = ["ana", "bo"]
shift = "09:00-17:00"
turn = "week"
{extra}
"#
        );
        crate::config::load(&text, "test.toml").expect("valid config")
    }

    fn at(text: &str) -> DateTime<Utc> {
        crate::timefmt::parse_instant(text, chrono_tz::Europe::Berlin).unwrap()
    }

    #[test]
    fn a_week_turn_is_one_reminder_a_day_ahead_of_its_first_shift() {
        let m = model("");
        let due = due(&m, at("2026-12-13T09:00"), |_| false);
        assert_eq!(due.reminders.len(), 1);
        let t = &due.reminders[0];
        assert_eq!(m.people[t.person].id, "bo");
        assert_eq!(t.start, at("2026-12-14T09:00"));
        assert_eq!(t.end, at("2026-12-20T17:00"));
        assert_eq!(t.shifts.len(), 7);
        assert_eq!(t.previous, Neighbour::Person(0));
        assert_eq!(t.next, Neighbour::Person(0));
    }

    #[test]
    fn lead_time_includes_both_ends_and_started_turns_are_past() {
        let m = model("");
        let start = at("2026-12-14T09:00");
        let count = |now| due(&m, now, |_| false).reminders.len();
        assert_eq!(count(start - TimeDelta::hours(24)), 1);
        assert_eq!(
            count(start - TimeDelta::hours(24) - TimeDelta::seconds(1)),
            0
        );
        assert_eq!(count(start), 1);
        assert_eq!(count(start + TimeDelta::seconds(1)), 0);
    }

    #[test]
    fn what_was_sent_is_not_due_again() {
        let m = model("");
        let now = at("2026-12-13T12:00");
        let key = due(&m, now, |_| false).reminders[0].key(&m);
        assert!(due(&m, now, |t| t.key(&m) == key).reminders.is_empty());
    }

    #[test]
    fn an_override_is_a_turn_for_its_taker_and_splits_nothing_else() {
        let m = model(
            r#"
[[override]]
rotation = "week"
person = "cy"
from = 2026-12-16T00:00:00
to = 2026-12-18T00:00:00
"#,
        );
        let shifts = plan::overlapping(
            &m,
            Period::new(at("2026-12-01T00:00"), at("2027-01-01T00:00")),
        );
        let all = turns(&m, &shifts);
        let cy: Vec<_> = all
            .iter()
            .filter(|t| m.people[t.person].id == "cy")
            .collect();
        assert_eq!(cy.len(), 1, "two consecutive override days are one turn");
        assert_eq!(cy[0].start, at("2026-12-16T09:00"));
        assert_eq!(cy[0].end, at("2026-12-17T17:00"));
        assert_eq!(cy[0].previous, Neighbour::Person(1));
        assert_eq!(cy[0].next, Neighbour::Person(1));
        let bo: Vec<_> = all
            .iter()
            .filter(|t| m.people[t.person].id == "bo")
            .collect();
        assert_eq!(bo[0].start, at("2026-12-14T09:00"));
        assert_eq!(bo[0].shifts.len(), 5);
        // Cy has no address: the turn is due but cannot be emailed.
        let d = due(&m, at("2026-12-15T12:00"), |_| false);
        assert!(d.reminders.is_empty());
        assert_eq!(d.without_email.len(), 1);
    }

    #[test]
    fn a_long_override_starting_before_the_window_is_seen_whole() {
        let m = model(
            r#"
[[override]]
rotation = "week"
person = "cy"
from = 2026-12-08T00:00:00
to = 2027-01-20T00:00:00
"#,
        );
        // Weeks into Cy's override, nothing starts: the override turn began long ago.
        let d = due(&m, at("2027-01-05T12:00"), |_| false);
        assert!(d.reminders.is_empty() && d.without_email.is_empty());
        let d = due(&m, at("2027-01-19T12:00"), |_| false);
        assert_eq!(d.reminders.len(), 1);
        assert_eq!(d.reminders[0].start, at("2027-01-20T09:00"));
        assert_eq!(d.reminders[0].previous, Neighbour::Person(2));
    }
}
