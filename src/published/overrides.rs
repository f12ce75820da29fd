//! The overrides in effect on a turn when it is published, recorded with it in the lock.
//!
//! The config's overrides may overlap (the later one wins where they do), and may later be
//! edited or removed; the lock keeps what they made of each published turn: disjoint pieces,
//! each with its person. A piece is kept whole over the turn's days (and the day after, where
//! a shift that starts on its last day ends), not cut to the shift times, so that a shift
//! window changed later is still covered as the override covered it.

use chrono::{DateTime, TimeDelta, Utc};

use crate::local_time::start_of_day;
use crate::model::{Override, PersonIx, Rotation};
use crate::plan::shifts::CalendarShift;

/// One stretch of time an override gives to `person`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub person: PersonIx,
}

/// What `overrides` (one rotation's, in config order) make of a turn from `first` to `last`
/// with `shifts`: disjoint pieces sorted by start. Only overrides that touch one of the
/// shifts count: one that gives no duty was not part of the published plan.
pub fn in_effect(
    rotation: &Rotation,
    overrides: &[&Override],
    first: chrono::NaiveDate,
    last: chrono::NaiveDate,
    shifts: &[CalendarShift],
) -> Vec<Piece> {
    let touching: Vec<&Override> = overrides
        .iter()
        .copied()
        .filter(|o| o.from < o.to && shifts.iter().any(|s| o.from < s.end && o.to > s.start))
        .collect();
    if touching.is_empty() {
        return Vec::new();
    }
    // A shift lasts at most a day (an hour more across DST), so one starting on the last day
    // ends before the end of the next.
    let window = (
        start_of_day(rotation.timezone, first),
        start_of_day(rotation.timezone, last + TimeDelta::days(2)),
    );
    let mut cuts: Vec<DateTime<Utc>> = vec![window.0, window.1];
    for o in &touching {
        cuts.extend(
            [o.from, o.to]
                .into_iter()
                .filter(|t| window.0 < *t && *t < window.1),
        );
    }
    cuts.sort();
    cuts.dedup();
    let mut pieces: Vec<Piece> = Vec::new();
    for bounds in cuts.windows(2) {
        let (from, to) = (bounds[0], bounds[1]);
        // As the plan applies them: the last override in config order that covers it wins.
        let Some(winner) = touching.iter().rev().find(|o| o.from <= from && o.to >= to) else {
            continue;
        };
        match pieces.last_mut() {
            Some(prev) if prev.to == from && prev.person == winner.person => prev.to = to,
            _ => pieces.push(Piece {
                from,
                to,
                person: winner.person,
            }),
        }
    }
    pieces
}
