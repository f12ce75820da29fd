//! `rota publish`: the lock extended with the turns the plan gives up to a date, or reopened
//! from one. Pure: the current lock and the model come in, the new lock comes out.

use std::collections::HashMap;

use chrono::{NaiveDate, TimeDelta};

use super::{Lock, LockProblem, LockedOverride, LockedQueue, LockedTurn, digest, overrides};
use crate::model::{Model, Override, PersonIx, RotationIx};
use crate::parallel;
use crate::plan::overrides as planned;
use crate::plan::shifts::Times;
use crate::plan::turns;
use crate::slot::SlotId;

/// What a publication did.
#[derive(Debug, Clone)]
pub struct Publication {
    /// The lock to write.
    pub lock: Lock,
    /// Turns added, sorted by slot.
    pub added: Vec<LockedTurn>,
    /// Turns `--reopen-from` dropped, sorted by slot.
    pub dropped: Vec<LockedTurn>,
}

impl Publication {
    /// Whether the lock changes.
    pub fn changes(&self) -> bool {
        !self.added.is_empty() || !self.dropped.is_empty()
    }
}

/// `current` with the turns starting on or after `reopen_from` dropped, then extended with
/// every turn whose first slot lies on or before `through` (each in its rotation's zone).
/// Turns already in the lock never change; the plan of the other turns is the one every
/// command shows, planned from the config and what remains of the lock.
pub fn publish(
    model: &Model,
    current: &Lock,
    through: Option<NaiveDate>,
    reopen_from: Option<NaiveDate>,
) -> Result<Publication, Vec<LockProblem>> {
    let mut lock = current.clone();
    let mut dropped = Vec::new();
    if let Some(from) = reopen_from {
        let (gone, kept): (Vec<LockedTurn>, Vec<LockedTurn>) =
            lock.turns.into_iter().partition(|t| t.slot.date >= from);
        lock.turns = kept;
        dropped = gone;
        if !dropped.is_empty() || lock.through.is_some_and(|t| t >= from) {
            let before = from - TimeDelta::days(1);
            lock.through = lock.through.map(|t| t.min(before));
            requeue(&mut lock);
        }
    }
    let mut planning = model.clone();
    planning.published = lock.resolve(model)?;
    let mut added = Vec::new();
    if let Some(through) = through {
        let through = lock.through.map_or(through, |t| t.max(through));
        let rotations: Vec<RotationIx> = (0..model.rotations.len()).collect();
        // Grouped once: a scan of all overrides per rotation is quadratic in a large organisation.
        let mut by_rotation: Vec<Vec<&Override>> = vec![Vec::new(); model.rotations.len()];
        for o in &model.overrides {
            by_rotation[o.rotation].push(o);
        }
        // Each rotation is walked on its own; a large organisation's share the cores.
        let walked = parallel::map_parts(&rotations, 16, |part| {
            let mut times = Times::default();
            part.iter()
                .map(|&ix| new_turns(&planning, ix, through, &by_rotation[ix], &mut times))
                .collect()
        });
        for (ix, (turns, queue)) in walked.into_iter().enumerate() {
            if let Some(queue) = queue {
                let name = model.rotations[ix].name.clone();
                lock.queues.insert(
                    name,
                    LockedQueue {
                        people: ids(model, &queue),
                        line: 0,
                    },
                );
            }
            added.extend(turns);
        }
        lock.through = Some(through);
    }
    keep_first_digests(&mut added, &dropped);
    super::sort(&mut added);
    super::sort(&mut dropped);
    lock.turns.extend(added.iter().cloned());
    super::sort(&mut lock.turns);
    Ok(Publication {
        lock,
        added,
        dropped,
    })
}

/// The unpublished turns of rotation `ix` whose first slot lies on or before `through`, with
/// the rotation's `overrides` in effect on them, and the queue after the last of them (`None`
/// when there is none).
fn new_turns(
    model: &Model,
    ix: RotationIx,
    through: NaiveDate,
    overrides: &[&Override],
    times: &mut Times,
) -> (Vec<LockedTurn>, Option<Vec<PersonIx>>) {
    let rotation = &model.rotations[ix];
    let name = &rotation.name;
    let mut turns = Vec::new();
    let mut queue = None;
    turns::walk(
        model,
        ix,
        through,
        |b| b.fixed.is_none(),
        times,
        |turn| {
            let first = turn.shifts[0].date;
            if first > through {
                return;
            }
            turns.push(LockedTurn {
                slot: SlotId {
                    rotation: name.clone(),
                    date: first,
                },
                last: turn.block.last,
                person: turn.person.map(|p| model.people[p].id.clone()),
                // The turn as every command plans it: overrides applied.
                digest: Some(digest::of(
                    model,
                    &planned::apply(turn.assigned(ix).collect(), overrides),
                )),
                overrides: overrides::in_effect(
                    rotation,
                    overrides,
                    first,
                    turn.block.last,
                    turn.shifts,
                )
                .into_iter()
                .map(|piece| LockedOverride {
                    from: piece.from.with_timezone(&rotation.timezone).fixed_offset(),
                    to: piece.to.with_timezone(&rotation.timezone).fixed_offset(),
                    person: model.people[piece.person].id.clone(),
                    line: 0,
                })
                .collect(),
                line: 0,
            });
            queue = Some(turn.queue.to_vec());
        },
    );
    (turns, queue)
}

/// A turn reopened and published again at once keeps the digest it was first published
/// with: subscribers were shown that version, so calendar events of a turn that now differs
/// from it must read as newer ([`super::digest`]), even where no earlier feed is at hand.
fn keep_first_digests(added: &mut [LockedTurn], dropped: &[LockedTurn]) {
    if dropped.is_empty() {
        return;
    }
    let first: HashMap<&SlotId, u32> = dropped
        .iter()
        .filter_map(|t| Some((&t.slot, t.digest?)))
        .collect();
    for turn in added {
        if let Some(&digest) = first.get(&turn.slot) {
            turn.digest = Some(digest);
        }
    }
}

/// After turns were dropped, each recorded queue is put back in the order of the turns that
/// remain: who held a remaining turn longest ago first, those who hold none before them in
/// the order they had.
/// A rotation left without published turns loses its queue: it is planned as without a lock.
fn requeue(lock: &mut Lock) {
    let turns = &lock.turns;
    lock.queues
        .retain(|rotation, _| turns.iter().any(|t| &t.slot.rotation == rotation));
    for (rotation, queue) in lock.queues.iter_mut() {
        let last_held = |id: &String| {
            lock.turns
                .iter()
                .filter(|t| &t.slot.rotation == rotation && t.person.as_ref() == Some(id))
                .map(|t| t.slot.date)
                .max()
        };
        // A stable sort: ties (nobody held a remaining turn) keep their recorded order.
        queue.people.sort_by_key(|id| last_held(id));
    }
}

fn ids(model: &Model, people: &[PersonIx]) -> Vec<String> {
    people.iter().map(|&p| model.people[p].id.clone()).collect()
}
