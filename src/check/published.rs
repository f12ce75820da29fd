//! Published turns that can no longer be served: their person left the rotation (or the
//! config), or is away on one of the turn's days. Each finding carries the override that
//! would fix it: the turn given to the next free member of the queue, who is then last in it.

use chrono::{DateTime, Utc};

use super::{Conflict, ConflictKind, Unserved};
use crate::local_time::{local_date, start_of_day};
use crate::model::{Model, PersonIx, RotationIx};
use crate::plan::{self, Period, Shift, turns};
use crate::published::{Holder, PublishedTurn};

/// The shifts of the time that published turns overlapping a period run on into, before and
/// after it: a turn is served or not as a whole, whichever part of it the period takes in.
pub(super) struct Outside {
    period: Period,
    before: Option<Vec<Vec<Shift>>>,
    after: Option<Vec<Vec<Shift>>>,
}

impl Outside {
    pub(super) fn plan(model: &Model, period: Period) -> Outside {
        let (mut from, mut to) = (period.from, period.to);
        for (ix, rotation) in model.rotations.iter().enumerate() {
            let Some(published) = model.published.rotation(ix) else {
                continue;
            };
            let tz = rotation.timezone;
            // The period's first and last local days (its end is exclusive).
            let first = local_date(tz, period.from);
            let last = local_date(tz, period.to - chrono::TimeDelta::seconds(1));
            // Turns are sorted and disjoint: only the first and the last that overlap the
            // period can run on outside it.
            let at = published.turns.partition_point(|t| t.last < first);
            if let Some(turn) = published.turns.get(at).filter(|t| t.first <= last) {
                from = from.min(start_of_day(tz, turn.first));
            }
            let at = published.turns.partition_point(|t| t.first <= last);
            let ends = at.checked_sub(1).map(|i| &published.turns[i]);
            if let Some(turn) = ends.filter(|t| t.last >= first) {
                to = to.max(start_of_day(tz, turn.last + chrono::Days::new(1)));
            }
        }
        Outside {
            period,
            before: (from < period.from)
                .then(|| plan::per_rotation(model, Period::new(from, period.from))),
            after: (to > period.to).then(|| plan::per_rotation(model, Period::new(period.to, to))),
        }
    }

    /// Each rotation's shifts: those before the period, `during` (planned for the period),
    /// and those after it, in time order.
    pub(super) fn around<'a>(&'a self, during: &'a [Vec<Shift>]) -> Vec<Vec<&'a Shift>> {
        let period = self.period;
        during
            .iter()
            .enumerate()
            .map(|(ix, during)| {
                // Shifts overlapping a boundary are in `during` already.
                let before = self.before.iter().flat_map(|b| &b[ix]);
                let after = self.after.iter().flat_map(|a| &a[ix]);
                before
                    .filter(|s| s.end <= period.from)
                    .chain(during)
                    .chain(after.filter(|s| s.start >= period.to))
                    .collect()
            })
            .collect()
    }
}

/// The published turns overlapping `period` that their person cannot serve, judged on all of
/// their shifts in `by_rotation` (those of `period` and of the time its published turns run
/// on into, [`Outside::around`]). A turn an override already gives away entirely is served.
pub(super) fn unserved(
    model: &Model,
    period: Period,
    by_rotation: &[Vec<&Shift>],
) -> Vec<Conflict> {
    let mut found = Vec::new();
    // Which rotations each person holds shifts in, gathered once something is unserved.
    let held_in = std::cell::OnceCell::new();
    for (ix, shifts) in by_rotation.iter().enumerate() {
        let Some(published) = model.published.rotation(ix) else {
            continue;
        };
        // Each suggestion sends its taker to the back of the queue, so that a leaver's
        // turns are shared out in turn rather than all given to the same person.
        let mut queue = turns::continuation(model, ix, published);
        for turn in &published.turns {
            // A rotation's shifts are in time order, so their slot dates are too.
            let from = shifts.partition_point(|s| s.slot.date < turn.first);
            let to = shifts.partition_point(|s| s.slot.date <= turn.last);
            if from >= to {
                continue;
            }
            let held: Vec<&Shift> = shifts[from..to]
                .iter()
                .copied()
                .filter(|s| !s.is_override)
                .collect();
            let (Some(first), Some(last)) = (held.first(), held.last()) else {
                continue;
            };
            if first.start >= period.to || last.end <= period.from {
                continue;
            }
            let Some(reason) = reason(model, ix, turn, &held) else {
                continue;
            };
            let holder = turn.holder.person();
            let taker = queue.iter().position(|&p| {
                let held_in = held_in.get_or_init(|| rotations_held(model, by_rotation));
                Some(p) != holder
                    && free(model, p, &held)
                    && !on_duty(by_rotation, &held_in[p], ix, p, &held)
            });
            let replacement = taker.map(|at| {
                let person = queue.remove(at);
                queue.push(person);
                person
            });
            found.push(Conflict {
                kind: ConflictKind::PublishedTurnUnserved {
                    line: turn.line,
                    reason,
                    replacement,
                },
                person: holder,
                start: first.start,
                end: last.end,
                rotations: vec![ix],
            });
        }
    }
    found
}

fn reason(
    model: &Model,
    ix: RotationIx,
    turn: &PublishedTurn,
    held: &[&Shift],
) -> Option<Unserved> {
    match &turn.holder {
        Holder::Nobody => None,
        Holder::Gone(_) => Some(Unserved::Gone),
        Holder::Person(p) if !model.rotations[ix].members.contains(p) => Some(Unserved::NotAMember),
        Holder::Person(p) => (!free(model, *p, held)).then_some(Unserved::Away),
    }
}

/// Whether `person` is away on none of the local days (their zone) the shifts touch.
fn free(model: &Model, person: PersonIx, shifts: &[&Shift]) -> bool {
    let person = &model.people[person];
    shifts.iter().all(|s| {
        let (from, to) = days(person.timezone, s.start, s.end);
        !person.away.intersects(from, to)
    })
}

/// The rotations each person holds a shift of, by person.
fn rotations_held(model: &Model, by_rotation: &[Vec<&Shift>]) -> Vec<Vec<RotationIx>> {
    let mut held = vec![Vec::new(); model.people.len()];
    for (ix, list) in by_rotation.iter().enumerate() {
        for p in list.iter().filter_map(|s| s.person) {
            if held[p].last() != Some(&ix) {
                held[p].push(ix);
            }
        }
    }
    held
}

/// Whether `person`, holding shifts in `rotations`, is on duty in one other than `ix` while
/// any of `shifts` runs: giving them the turn would book them twice.
fn on_duty(
    by_rotation: &[Vec<&Shift>],
    rotations: &[RotationIx],
    ix: RotationIx,
    person: PersonIx,
    shifts: &[&Shift],
) -> bool {
    let (Some(first), Some(last)) = (shifts.first(), shifts.last()) else {
        return false;
    };
    rotations
        .iter()
        .filter(|&&other| other != ix)
        .any(|&other| {
            let list = &by_rotation[other];
            // A shift lasts at most two days: those starting from two days before the turn on.
            let from = list.partition_point(|s| s.start < first.start - chrono::TimeDelta::days(2));
            list[from..]
                .iter()
                .take_while(|s| s.start < last.end)
                .any(|s| {
                    s.person == Some(person)
                        && shifts.iter().any(|t| s.start < t.end && t.start < s.end)
                })
        })
}

fn days(
    tz: chrono_tz::Tz,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> (chrono::NaiveDate, chrono::NaiveDate) {
    let from = crate::local_time::local_date(tz, start);
    // The end is exclusive: a shift ending at midnight does not touch the next day.
    let to = crate::local_time::local_date(tz, end - chrono::TimeDelta::seconds(1)).max(from);
    (from, to)
}

/// The `[[override]]`s that give the finding's shifts to `person`, in the rotation's local
/// time, ready to paste into the config: one for the finding's time, or, where overrides of the
/// config already give part of it away, one for each stretch between them, so that pasting
/// them (after the others, where they would win) takes nothing from the people those give it to.
pub fn override_toml(model: &Model, c: &Conflict, person: PersonIx) -> String {
    let ix = c.rotations[0];
    let rotation = &model.rotations[ix];
    let local = |t: DateTime<Utc>| {
        t.with_timezone(&rotation.timezone)
            .format("%Y-%m-%dT%H:%M:%S")
            .to_string()
    };
    let mut runs = vec![(c.start, c.end)];
    for o in model
        .overrides
        .iter()
        .filter(|o| o.rotation == ix && o.from < c.end && o.to > c.start)
    {
        runs = runs
            .into_iter()
            .flat_map(|(from, to)| {
                [(from, to.min(o.from)), (from.max(o.to), to)]
                    .into_iter()
                    .filter(|(a, b)| a < b)
            })
            .collect();
    }
    runs.iter()
        .map(|&(from, to)| {
            format!(
                "[[override]]\nrotation = {}\nperson = {}\nfrom = {}\nto = {}\n",
                toml_string(&rotation.name),
                toml_string(&model.people[person].id),
                local(from),
                local(to)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}
