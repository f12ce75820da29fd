//! The week grid of `rota coverage`: for each hour of the week (Monday to Sunday, 00 to 23 in
//! the display zone), the fewest people on duty at any instant of any occurrence of that hour in
//! the period; and the same with hypothetical extra people, to see which gaps a hire would close.

use chrono::{DateTime, Datelike, NaiveTime, TimeDelta, Timelike, Utc};
use chrono_tz::Tz;

use crate::check::{head_count, rule_hours};
use crate::local_time::{local_date, resolve, start_of_day};
use crate::model::{DaySet, Model, PersonIx, RotationIx, Window};
use crate::plan::{self, Period};

/// Monday..Sunday × hour 00..23.
pub type Week<T> = [[T; 24]; 7];

/// A hypothetical person on duty in `window` of each of `days`, in `timezone`.
#[derive(Debug, Clone)]
pub struct Addition {
    pub timezone: Tz,
    pub window: Window,
    pub days: DaySet,
    /// As the user wrote it, for the report.
    pub text: String,
}

/// What the grid counts: all rotations with one person required at every hour, or a coverage
/// rule's rotations, its `min` and its hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    AllRotations,
    Rule(usize),
}

#[derive(Debug, Clone)]
pub struct Coverage {
    pub period: Period,
    /// The part of the period counted: from the rota's start, when that lies in the period.
    pub counted: Period,
    /// The display zone the hours are read in.
    pub tz: Tz,
    pub scope: Scope,
    pub rotations: Vec<RotationIx>,
    /// People needed on duty at every instant counted.
    pub required: u32,
    /// The fewest people on duty in each hour; `None` where the hour does not occur in the
    /// period, or lies wholly outside the rule's hours.
    pub fewest: Week<Option<u32>>,
    /// The same with the additions on duty too; `None` without additions.
    pub with_additions: Option<Week<Option<u32>>>,
    pub additions: Vec<Addition>,
    /// Hours that occur in the period but lie wholly outside the rule's hours.
    pub outside: Week<bool>,
}

impl Coverage {
    /// Whether a cell of a grid is a gap: fewer people than required.
    pub fn is_gap(&self, cell: Option<u32>) -> bool {
        cell.is_some_and(|n| n < self.required)
    }

    /// How many hours of a week grid are gaps.
    pub fn gap_hours(&self, week: &Week<Option<u32>>) -> usize {
        week.iter().flatten().filter(|&&c| self.is_gap(c)).count()
    }

    /// Gaps of the plan that the additions close.
    pub fn closed_hours(&self) -> usize {
        let Some(with) = &self.with_additions else {
            return 0;
        };
        cells()
            .filter(|&(d, h)| self.is_gap(self.fewest[d][h]) && !self.is_gap(with[d][h]))
            .count()
    }
}

/// Every (weekday, hour) cell, Monday 00 first.
pub fn cells() -> impl Iterator<Item = (usize, usize)> {
    (0..7).flat_map(|d| (0..24).map(move |h| (d, h)))
}

/// The coverage of `period` read in `tz`.
pub fn coverage(
    model: &Model,
    period: Period,
    tz: Tz,
    scope: Scope,
    additions: &[Addition],
) -> Coverage {
    let shown = period;
    let (rotations, required, hours) = match scope {
        Scope::AllRotations => (
            (0..model.rotations.len()).collect::<Vec<_>>(),
            1,
            vec![(period.from, period.to)],
        ),
        Scope::Rule(ix) => {
            let rule = &model.coverage[ix];
            (
                rule.rotations.clone(),
                rule.min,
                rule_hours(rule, model.team.start, period),
            )
        }
    };
    // Before the rota starts nobody is on duty by design: those hours are not counted.
    let start = start_of_day(model.team.timezone, model.team.start);
    let counted = Period::new(period.from.max(start).min(period.to), period.to);
    let period = counted;
    let by_rotation = plan::per_rotation(model, period);
    let duty: Vec<(PersonIx, DateTime<Utc>, DateTime<Utc>)> = rotations
        .iter()
        .flat_map(|&r| &by_rotation[r])
        .filter_map(|s| s.person.map(|p| (p, s.start, s.end)))
        .collect();
    let pieces = hour_pieces(tz, period);
    let (fewest, outside) =
        fewest_per_hour(&pieces, &hours, &head_count(duty.iter().copied(), period));
    let with_additions = (!additions.is_empty()).then(|| {
        // Each addition is one more person, never one of the team.
        let extra = additions.iter().enumerate().flat_map(|(i, a)| {
            let person = model.people.len() + i;
            addition_duty(a, period)
                .into_iter()
                .map(move |(from, to)| (person, from, to))
        });
        let staffing = head_count(duty.iter().copied().chain(extra), period);
        fewest_per_hour(&pieces, &hours, &staffing).0
    });
    Coverage {
        period: shown,
        counted,
        tz,
        scope,
        rotations,
        required,
        fewest,
        with_additions,
        additions: additions.to_vec(),
        outside,
    }
}

/// The instants an addition is on duty in the period: its window on each of its days, a window
/// crossing midnight belonging to the day it starts on (as a shift does).
fn addition_duty(addition: &Addition, period: Period) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let tz = addition.timezone;
    let first = local_date(tz, period.from) - TimeDelta::days(1);
    let last = local_date(tz, period.to);
    first
        .iter_days()
        .take_while(|d| *d <= last)
        .filter(|d| addition.days.contains(d.weekday()))
        .filter_map(|d| {
            let (from, to) = addition.window.on(d);
            let (from, to) = (
                resolve(tz, from).max(period.from),
                resolve(tz, to).min(period.to),
            );
            (from < to).then_some((from, to))
        })
        .collect()
}

/// A stretch of the period within one local hour, with its cell.
type Piece = (DateTime<Utc>, DateTime<Utc>, (usize, usize));

/// The period cut at every local hour boundary of `tz`, each piece with its (weekday, hour).
fn hour_pieces(tz: Tz, period: Period) -> Vec<Piece> {
    let first = local_date(tz, period.from) - TimeDelta::days(1);
    let last = local_date(tz, period.to) + TimeDelta::days(1);
    let mut cuts: Vec<DateTime<Utc>> = vec![period.from, period.to];
    for date in first.iter_days().take_while(|d| *d <= last) {
        for hour in 0..24 {
            let local = date.and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or_default());
            let at = resolve(tz, local);
            if period.contains(at) {
                cuts.push(at);
            }
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut pieces = Vec::with_capacity(cuts.len());
    for pair in cuts.windows(2) {
        split_at_hour_changes(tz, pair[0], pair[1], &mut pieces);
    }
    pieces
}

/// Pushes `from..to` as pieces of one local hour each. The cuts at whole local hours already
/// bound every piece in zones whose clock changes by whole hours; a change by another amount
/// that also changes the hour (rare, historical) is found here by bisection.
fn split_at_hour_changes(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>, out: &mut Vec<Piece>) {
    let mut from = from;
    while from < to {
        let cell = cell_of(tz, from);
        let last = to - TimeDelta::seconds(1);
        if last <= from || cell_of(tz, last) == cell {
            out.push((from, to, cell));
            return;
        }
        // The first second whose cell differs.
        let (mut same, mut other) = (from, last);
        while other - same > TimeDelta::seconds(1) {
            let mid = same + (other - same) / 2;
            if cell_of(tz, mid) == cell {
                same = mid;
            } else {
                other = mid;
            }
        }
        out.push((from, other, cell));
        from = other;
    }
}

fn cell_of(tz: Tz, instant: DateTime<Utc>) -> (usize, usize) {
    let local = instant.with_timezone(&tz);
    (
        local.weekday().num_days_from_monday() as usize,
        local.hour() as usize,
    )
}

/// The lowest head count in each cell over the instants inside `hours`, and the cells that
/// occur only outside `hours`. All three inputs are sorted and each is walked once.
fn fewest_per_hour(
    pieces: &[Piece],
    hours: &[(DateTime<Utc>, DateTime<Utc>)],
    staffing: &[(DateTime<Utc>, DateTime<Utc>, u32)],
) -> (Week<Option<u32>>, Week<bool>) {
    let mut fewest: Week<Option<u32>> = [[None; 24]; 7];
    let mut occurs: Week<bool> = [[false; 24]; 7];
    let (mut h, mut s) = (0, 0);
    for &(from, to, (day, hour)) in pieces {
        occurs[day][hour] = true;
        while hours.get(h).is_some_and(|w| w.1 <= from) {
            h += 1;
        }
        while staffing.get(s).is_some_and(|w| w.1 <= from) {
            s += 1;
        }
        // Every part of the piece inside the rule's hours, with every staffing stretch it meets.
        let mut i = h;
        while let Some(&(w_from, w_to)) = hours.get(i) {
            if w_from >= to {
                break;
            }
            let (a, b) = (from.max(w_from), to.min(w_to));
            let mut j = s;
            while let Some(&(s_from, s_to, count)) = staffing.get(j) {
                if s_from >= b {
                    break;
                }
                if s_to > a {
                    let cell = &mut fewest[day][hour];
                    *cell = Some(cell.map_or(count, |c| c.min(count)));
                }
                j += 1;
            }
            i += 1;
        }
    }
    let mut outside: Week<bool> = [[false; 24]; 7];
    for (d, h) in cells() {
        outside[d][h] = occurs[d][h] && fewest[d][h].is_none();
    }
    (fewest, outside)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        chrono::NaiveDate::from_ymd_opt(2027, 3, day)
            .unwrap()
            .and_hms_opt(hour, minute, 0)
            .unwrap()
            .and_utc()
    }

    #[test]
    fn a_half_hour_without_anyone_makes_the_hours_fewest_zero() {
        // Monday 1 March 2027, UTC: one person 09:00-10:30, another 10:00-12:00.
        let period = Period::new(utc(1, 0, 0), utc(2, 0, 0));
        let staffing = head_count(
            [
                (0, utc(1, 9, 0), utc(1, 10, 30)),
                (1, utc(1, 10, 0), utc(1, 12, 0)),
            ]
            .into_iter(),
            period,
        );
        let pieces = hour_pieces(chrono_tz::UTC, period);
        let (fewest, outside) = fewest_per_hour(&pieces, &[(period.from, period.to)], &staffing);
        assert_eq!(fewest[0][8], Some(0));
        assert_eq!(fewest[0][9], Some(1));
        assert_eq!(
            fewest[0][10],
            Some(1),
            "10:00-10:30 has two, 10:30-11:00 one"
        );
        assert_eq!(fewest[0][12], Some(0));
        assert_eq!(fewest[1][0], None, "Tuesday is not in the period");
        assert!(!outside[0][0]);
    }

    #[test]
    fn the_missing_hour_of_a_spring_forward_night_does_not_occur() {
        // Sunday 28 March 2027 in Berlin: 02:00-03:00 does not exist.
        let tz = chrono_tz::Europe::Berlin;
        let day = chrono::NaiveDate::from_ymd_opt(2027, 3, 28).unwrap();
        let period = Period::dates(day, day.succ_opt().unwrap(), tz);
        let pieces = hour_pieces(tz, period);
        assert_eq!(pieces.len(), 23);
        assert!(pieces.iter().all(|p| p.2.0 == 6 && p.2.1 != 2));
    }

    #[test]
    fn an_hour_of_a_half_hour_zone_is_cut_at_its_own_boundaries() {
        let tz = chrono_tz::Asia::Kolkata;
        let period = Period::new(utc(1, 0, 0), utc(1, 3, 0));
        let pieces = hour_pieces(tz, period);
        // 05:30 IST, then whole local hours 06:00, 07:00, 08:00, to 08:30.
        let hours: Vec<usize> = pieces.iter().map(|p| p.2.1).collect();
        assert_eq!(hours, [5, 6, 7, 8]);
        assert_eq!(pieces[1].0, utc(1, 0, 30));
    }
}
