//! Workload rules of `[check]`: nobody on duty more than a share of a rule's hours, enough rest
//! between two stretches of duty, not too many days in a row.
//!
//! A person's duty is taken across all rotations (a person is one person whichever rotation
//! calls them); touching or overlapping shifts are one stretch of duty, so a shift split by an
//! override or a handover between two of their own rotations is no "rest".

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use rustc_hash::FxHashMap;

use super::gaps::rule_hours;
use super::{Conflict, ConflictKind, sorted_rotations};
use crate::local_time::local_date;
use crate::model::{Model, PersonIx, RotationIx};
use crate::plan::{self, Period, Shift};

type Interval = (DateTime<Utc>, DateTime<Utc>);

/// A stretch of one person's duty and the rotations it was held on.
struct Stretch {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    rotations: Vec<RotationIx>,
}

/// One shift of a person: the local date (their zone) it starts on, its times and rotation.
type DutyDay = (NaiveDate, DateTime<Utc>, DateTime<Utc>, RotationIx);

pub(super) fn workload(model: &Model, period: Period, by_rotation: &[Vec<Shift>]) -> Vec<Conflict> {
    let mut out = Vec::new();
    if let Some(limit) = model.check.max_share {
        out.extend(max_share(model, period, by_rotation, limit));
    }
    if let Some(limit) = model.check.min_rest {
        // A rest that ends in the period may have begun before it: plan that far back.
        let wider = plan::per_rotation(model, Period::new(period.from - limit.value, period.to));
        out.extend(min_rest(model, period, &wider, limit));
    }
    if let Some(limit) = model.check.max_consecutive_days {
        // A run reaching into the period is judged whole, as far as the limit can tell.
        let margin = TimeDelta::days(i64::from(limit.value) + 2);
        let wider =
            plan::per_rotation(model, Period::new(period.from - margin, period.to + margin));
        out.extend(consecutive_days(model, period, &wider, limit));
    }
    out
}

/// Sorted, merged intervals: overlapping or touching ones become one.
fn union(
    mut intervals: Vec<(DateTime<Utc>, DateTime<Utc>)>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    intervals.sort();
    let mut out: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::with_capacity(intervals.len());
    for (from, to) in intervals {
        match out.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => out.push((from, to)),
        }
    }
    out
}

/// The length of the overlap of two sorted lists of disjoint intervals.
fn overlap(
    a: &[(DateTime<Utc>, DateTime<Utc>)],
    b: &[(DateTime<Utc>, DateTime<Utc>)],
) -> TimeDelta {
    let (mut i, mut j) = (0, 0);
    let mut total = TimeDelta::zero();
    while i < a.len() && j < b.len() {
        let (from, to) = (a[i].0.max(b[j].0), a[i].1.min(b[j].1));
        if from < to {
            total += to - from;
        }
        if a[i].1 <= b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    total
}

/// Per rule: each person's time on duty on the rule's rotations inside the rule's hours (the
/// hours it requires: not before `team.start`, not on its exempt dates), against those hours.
fn max_share(
    model: &Model,
    period: Period,
    by_rotation: &[Vec<Shift>],
    limit: crate::model::Limit<crate::model::Share>,
) -> Vec<Conflict> {
    let mut out = Vec::new();
    for (ix, rule) in model.coverage.iter().enumerate() {
        let hours = rule_hours(rule, model.team.start, period);
        let total: TimeDelta = hours.iter().map(|(a, b)| *b - *a).sum();
        if total <= TimeDelta::zero() {
            continue;
        }
        let mut duty: FxHashMap<PersonIx, Vec<Interval>> = FxHashMap::default();
        for s in rule.rotations.iter().flat_map(|&r| &by_rotation[r]) {
            if let Some(p) = s.person {
                duty.entry(p).or_default().push((s.start, s.end));
            }
        }
        let mut people: Vec<PersonIx> = duty.keys().copied().collect();
        people.sort_unstable();
        for p in people {
            let held = overlap(&union(duty.remove(&p).unwrap_or_default()), &hours);
            let (held, whole) = (held.num_seconds(), total.num_seconds());
            if limit.value.exceeded_by(held, whole) {
                out.push(Conflict {
                    kind: ConflictKind::MaxShare {
                        rule: ix,
                        duty: held,
                        hours: whole,
                        error: limit.error,
                    },
                    person: Some(p),
                    start: period.from,
                    end: period.to,
                    rotations: sorted_rotations(model, rule.rotations.clone()),
                });
            }
        }
    }
    out
}

/// Each person's duty, all rotations together, as sorted stretches.
fn stretches(by_rotation: &[Vec<Shift>]) -> FxHashMap<PersonIx, Vec<Stretch>> {
    let mut duty: FxHashMap<PersonIx, Vec<(Interval, RotationIx)>> = FxHashMap::default();
    for s in by_rotation.iter().flatten() {
        if let Some(p) = s.person
            && s.start < s.end
        {
            duty.entry(p)
                .or_default()
                .push(((s.start, s.end), s.rotation()));
        }
    }
    duty.into_iter()
        .map(|(p, mut list)| {
            list.sort();
            let mut merged: Vec<Stretch> = Vec::new();
            for ((start, end), r) in list {
                match merged.last_mut() {
                    Some(last) if start <= last.end => {
                        last.end = last.end.max(end);
                        if !last.rotations.contains(&r) {
                            last.rotations.push(r);
                        }
                    }
                    _ => merged.push(Stretch {
                        start,
                        end,
                        rotations: vec![r],
                    }),
                }
            }
            (p, merged)
        })
        .collect()
}

/// Rests shorter than the limit that end (the next duty starts) inside the period.
fn min_rest(
    model: &Model,
    period: Period,
    by_rotation: &[Vec<Shift>],
    limit: crate::model::Limit<TimeDelta>,
) -> Vec<Conflict> {
    let mut out = Vec::new();
    for (p, list) in stretches(by_rotation) {
        for pair in list.windows(2) {
            let (before, after) = (&pair[0], &pair[1]);
            let rest = after.start - before.end;
            if rest < limit.value && period.from <= after.start && after.start < period.to {
                let mut rotations = before.rotations.clone();
                rotations.extend(&after.rotations);
                out.push(Conflict {
                    kind: ConflictKind::MinRest {
                        rest,
                        error: limit.error,
                    },
                    person: Some(p),
                    start: before.end.max(period.from),
                    end: after.start,
                    rotations: sorted_rotations(model, rotations),
                });
            }
        }
    }
    out
}

/// Runs of consecutive local dates (the person's zone) on which their duty starts, longer than
/// the limit, that reach into the period.
fn consecutive_days(
    model: &Model,
    period: Period,
    by_rotation: &[Vec<Shift>],
    limit: crate::model::Limit<u32>,
) -> Vec<Conflict> {
    let mut days: FxHashMap<PersonIx, Vec<DutyDay>> = FxHashMap::default();
    for s in by_rotation.iter().flatten() {
        if let Some(p) = s.person
            && s.start < s.end
        {
            let date = local_date(model.people[p].timezone, s.start);
            days.entry(p)
                .or_default()
                .push((date, s.start, s.end, s.rotation()));
        }
    }
    let mut out = Vec::new();
    for (p, mut list) in days {
        list.sort();
        let mut i = 0;
        while i < list.len() {
            // The run of dates from list[i]: each the day after the one before (or the same).
            let mut j = i + 1;
            let mut count = 1u32;
            while j < list.len() {
                let (prev, next) = (list[j - 1].0, list[j].0);
                if prev.succ_opt() == Some(next) {
                    count += 1;
                } else if next != prev {
                    break;
                }
                j += 1;
            }
            let run = &list[i..j];
            let start = run.iter().map(|d| d.1).min().unwrap_or(period.from);
            let end = run.iter().map(|d| d.2).max().unwrap_or(period.from);
            if count > limit.value && start < period.to && end > period.from {
                out.push(Conflict {
                    kind: ConflictKind::MaxConsecutiveDays {
                        days: count,
                        error: limit.error,
                    },
                    person: Some(p),
                    start: start.max(period.from),
                    end: end.min(period.to),
                    rotations: sorted_rotations(model, run.iter().map(|d| d.3).collect()),
                });
            }
            i = j;
        }
    }
    out
}
