//! Published plans: the turns recorded in `rotation.lock`, which keep their person whatever
//! the config says later. Pure: the edge reads the file, [`text::parse`] turns it into a
//! [`Lock`], and [`Lock::resolve`] checks it against the model into the [`Published`] value
//! planning takes from [`Model::published`].

pub mod digest;
pub mod overrides;
pub mod publish;
pub mod text;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rustc_hash::{FxHashMap, FxHashSet};

pub use crate::model::{Holder, LockedOverride, Published, PublishedTurn, RotationPublished};
use crate::model::{Model, PersonIx, RotationIx};
use crate::slot::SlotId;

/// The lock as written: names, not indexes, since it outlives any one version of the config.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lock {
    /// The last date published (in each rotation's own zone): every turn whose first slot lies
    /// on or before it is in the lock.
    pub through: Option<NaiveDate>,
    /// Sorted by their first slot's text (date, then rotation).
    pub turns: Vec<LockedTurn>,
    /// Per rotation name, its members in the order they wait for the next unpublished turn
    /// (the head is next), as of the end of the published turns.
    pub queues: BTreeMap<String, LockedQueue>,
}

/// A rotation's recorded queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedQueue {
    /// Person ids, the next first.
    pub people: Vec<String>,
    /// 1-based line in the lock file; 0 when not read from a file.
    pub line: usize,
}

/// One published turn: a rotation's shifts from its first slot's date to `last`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedTurn {
    /// The rotation and the local date of the turn's first shift.
    pub slot: SlotId,
    /// The turn's last calendar day, inclusive (its shifts may have stopped earlier).
    pub last: NaiveDate,
    /// The person's id; `None` for a turn nobody was free to take.
    pub person: Option<String>,
    /// [`digest::of`] its shifts when it was published; `None` in a lock written before rota
    /// recorded them.
    pub digest: Option<u32>,
    /// The config's overrides in effect on the turn's shifts when it was published: part of
    /// the plan the team was told, so `rota diff` compares with it. Sorted, disjoint.
    pub overrides: Vec<LockedOverride>,
    /// 1-based line in the lock file; 0 for a turn not read from a file.
    pub line: usize,
}

/// Puts turns in the lock's order: by their first slot's text, that is by date, then by
/// escaped rotation name.
pub fn sort(turns: &mut [LockedTurn]) {
    let rank = ranks(turns.iter());
    turns.sort_by_cached_key(|t| (t.slot.date, rank[t.slot.rotation.as_str()]));
}

/// `turns` in the lock's order, as [`sort`] puts them.
pub fn in_order(turns: &[LockedTurn]) -> Vec<&LockedTurn> {
    let rank = ranks(turns.iter());
    let mut keyed: Vec<_> = turns
        .iter()
        .map(|t| ((t.slot.date, rank[t.slot.rotation.as_str()]), t))
        .collect();
    keyed.sort_by_key(|(key, _)| *key);
    keyed.into_iter().map(|(_, t)| t).collect()
}

/// The rotations of `turns` ranked by escaped name. Ranked once, so that sorting compares
/// numbers: escaping and comparing names in every comparison was most of publishing a large
/// organisation's year.
fn ranks<'t>(turns: impl Iterator<Item = &'t LockedTurn>) -> FxHashMap<String, usize> {
    let names: FxHashSet<&str> = turns.map(|t| t.slot.rotation.as_str()).collect();
    let mut escaped: Vec<(String, &str)> = names
        .into_iter()
        .map(|name| (crate::slot::escape(name), name))
        .collect();
    escaped.sort_unstable();
    escaped
        .into_iter()
        .enumerate()
        .map(|(i, (_, name))| (name.to_string(), i))
        .collect()
}

impl LockedTurn {
    /// Whether the turn holds `date`.
    pub fn holds(&self, date: NaiveDate) -> bool {
        self.slot.date <= date && date <= self.last
    }
}

/// Why a lock cannot be used with this config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockProblem {
    /// 1-based line in the lock file.
    pub line: usize,
    pub message: String,
    pub help: String,
}

impl Lock {
    /// The lock checked against `model`: every rotation it names must exist and each
    /// rotation's turns must not overlap. Unknown people are leavers, not errors: `check`
    /// reports their turns.
    pub fn resolve(&self, model: &Model) -> Result<Published, Vec<LockProblem>> {
        let rotation_ix: FxHashMap<&str, RotationIx> = model
            .rotations
            .iter()
            .enumerate()
            .map(|(i, r)| (r.name.as_str(), i))
            .collect();
        let person_ix: FxHashMap<&str, PersonIx> = model
            .people
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), i))
            .collect();
        let mut problems = Vec::new();
        let mut rotations = vec![RotationPublished::default(); model.rotations.len()];
        let unknown = |name: &str, line: usize| LockProblem {
            line,
            message: format!("the lock names rotation `{name}`, which the config does not have"),
            help: format!(
                "add the rotation `{name}` back to the config, or delete the lock's lines that name it"
            ),
        };
        for turn in &self.turns {
            let Some(&ix) = rotation_ix.get(turn.slot.rotation.as_str()) else {
                problems.push(unknown(&turn.slot.rotation, turn.line));
                continue;
            };
            let holder = match &turn.person {
                None => Holder::Nobody,
                Some(id) => match person_ix.get(id.as_str()) {
                    Some(&p) => Holder::Person(p),
                    None => Holder::Gone(id.clone()),
                },
            };
            rotations[ix].turns.push(PublishedTurn {
                first: turn.slot.date,
                last: turn.last,
                holder,
                digest: turn.digest,
                overrides: turn.overrides.clone(),
                line: turn.line,
            });
        }
        for (name, queue) in &self.queues {
            match rotation_ix.get(name.as_str()) {
                Some(&ix) => rotations[ix].queue = Some(queue.people.clone()),
                None => problems.push(unknown(name, queue.line)),
            }
        }
        for r in &mut rotations {
            r.turns.sort_by_key(|t| t.first);
            for pair in r.turns.windows(2) {
                if pair[1].first <= pair[0].last {
                    problems.push(LockProblem {
                        line: pair[1].line,
                        message: format!(
                            "this turn starts on {} but the one before it (line {}) lasts until {}",
                            pair[1].first, pair[0].line, pair[0].last
                        ),
                        help: "the lock is written by `rota publish`; restore it from git (`git checkout -- rotation.lock`)".into(),
                    });
                }
            }
        }
        if problems.is_empty() {
            Ok(Published {
                through: self.through,
                rotations,
            })
        } else {
            problems.sort_by_key(|p| p.line);
            Err(problems)
        }
    }
}
