//! Overrides replace the assignee for exactly their interval, splitting shifts at their bounds.
//! They never touch the turn order: that was settled before they are applied.

use chrono::{DateTime, Utc};

use super::Shift;
use crate::model::Override;

/// `shifts` of one rotation with that rotation's overrides applied; a later override wins
/// where two overlap.
pub fn apply(shifts: Vec<Shift>, overrides: &[&Override]) -> Vec<Shift> {
    if overrides.is_empty() {
        return shifts;
    }
    let mut out = Vec::with_capacity(shifts.len());
    for shift in shifts {
        let touching: Vec<&Override> = overrides
            .iter()
            .copied()
            .filter(|o| o.from < shift.end && o.to > shift.start)
            .collect();
        if touching.is_empty() {
            out.push(shift);
            continue;
        }
        let mut cuts: Vec<DateTime<Utc>> = vec![shift.start, shift.end];
        for o in &touching {
            cuts.extend(
                [o.from, o.to]
                    .into_iter()
                    .filter(|t| shift.start < *t && *t < shift.end),
            );
        }
        cuts.sort();
        cuts.dedup();
        let first_piece = out.len();
        for bounds in cuts.windows(2) {
            let (start, end) = (bounds[0], bounds[1]);
            let winner = touching
                .iter()
                .rev()
                .find(|o| o.from <= start && o.to >= end);
            let (person, is_override) = match winner {
                Some(o) => (Some(o.person), true),
                None => (shift.person, false),
            };
            let has_piece = out.len() > first_piece;
            match out.last_mut() {
                Some(prev)
                    if has_piece && prev.person == person && prev.is_override == is_override =>
                {
                    prev.end = end;
                }
                _ => out.push(Shift {
                    person,
                    start,
                    end,
                    is_override,
                    ..shift
                }),
            }
        }
    }
    out
}
