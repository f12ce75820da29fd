//! Coverage: each rule's hours minus the time enough people are on duty. One sweep per rule
//! over the sorted start and end instants of its shifts, so the cost is linear in shifts after
//! sorting.

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};
use rustc_hash::FxHashMap;

use super::{Conflict, ConflictKind, sorted_rotations};
use crate::local_time::{local_date, resolve, start_of_day};
use crate::model::{CoverageRule, DaySet, Model, PersonIx, When, Window};
use crate::plan::{Period, Shift};

/// A stretch of a coverage rule's hours with fewer than `min` people on duty.
///
/// A gap is maximal: where the count changes inside an under-staffed stretch (none, then one
/// of two required), the stretch stays one gap, and `on_duty` is its lowest count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    pub rule: usize,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The fewest distinct people on duty at any instant of the gap.
    pub on_duty: u32,
    pub min: u32,
}

impl Gap {
    pub fn length(&self) -> TimeDelta {
        self.end - self.start
    }
}

/// The gaps of one rule: its hours minus the time at least `min` distinct people hold one of its
/// rotations' shifts.
pub(super) fn coverage_gaps(
    model: &Model,
    rule_ix: usize,
    period: Period,
    by_rotation: &[Vec<Shift>],
) -> Vec<Gap> {
    let rule = &model.coverage[rule_ix];
    let hours = rule_hours(rule, model.team.start, period);
    let duty = head_count(
        rule.rotations
            .iter()
            .flat_map(|&r| &by_rotation[r])
            .filter_map(|s| s.person.map(|p| (p, s.start, s.end))),
        period,
    );
    under_staffed(&hours, &duty, rule.min)
        .into_iter()
        .map(|(start, end, on_duty)| Gap {
            rule: rule_ix,
            start,
            end,
            on_duty,
            min: rule.min,
        })
        .collect()
}

/// The instants of the period a rule's `when` covers, as sorted, disjoint, non-touching
/// intervals. A window belongs to the local day it starts on (like a shift), so
/// `mon-fri 22:00-06:00` includes Friday night into Saturday.
///
/// Nothing is required before `team_start` (its midnight in the rule's zone: no turn exists
/// before it) nor on the rule's `except` dates (holidays of every rotation it covers).
pub fn rule_hours(
    rule: &CoverageRule,
    team_start: NaiveDate,
    period: Period,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let tz = rule.timezone;
    let always = [(DaySet::ALL, Window::new(0, 1440))];
    let windows = match &rule.when {
        When::Always => &always[..],
        When::Windows(w) => &w[..],
    };
    let period = Period::new(period.from.max(start_of_day(tz, team_start)), period.to);
    if period.from >= period.to {
        return Vec::new();
    }
    let first = local_date(tz, period.from);
    // The day before the first date: its window may cross midnight into the period.
    let first = first.pred_opt().unwrap_or(first);
    let last = local_date(tz, period.to);
    let mut hours = Vec::new();
    for date in first.iter_days().take_while(|d| *d <= last) {
        if rule.except.contains(&date) {
            continue;
        }
        for (days, window) in windows {
            if !days.contains(date.weekday()) {
                continue;
            }
            let (from, to) = window.on(date);
            let from = resolve(tz, from).max(period.from);
            let to = resolve(tz, to).min(period.to);
            if from < to {
                hours.push((from, to));
            }
        }
    }
    union(hours)
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

/// A stretch of time with a constant number of distinct people on duty.
type Staffing = (DateTime<Utc>, DateTime<Utc>, u32);

/// The number of distinct people on duty at each instant of the period, as consecutive stretches
/// covering the whole period (count 0 where nobody is). One person on two overlapping shifts
/// counts once: a double-booked person answers one call at a time.
pub fn head_count(
    duty: impl Iterator<Item = (PersonIx, DateTime<Utc>, DateTime<Utc>)>,
    period: Period,
) -> Vec<Staffing> {
    let mut events: Vec<(DateTime<Utc>, bool, PersonIx)> = Vec::new();
    for (person, start, end) in duty {
        let (start, end) = (start.max(period.from), end.min(period.to));
        if start < end {
            events.push((start, true, person));
            events.push((end, false, person));
        }
    }
    events.sort_unstable();

    let mut shifts_held: FxHashMap<PersonIx, u32> = FxHashMap::default();
    let mut on_duty = 0u32;
    let mut out: Vec<Staffing> = Vec::new();
    let mut since = period.from;
    let mut i = 0;
    while i < events.len() {
        let at = events[i].0;
        push_stretch(&mut out, since, at, on_duty);
        since = at;
        // All changes at one instant apply together, so a handover leaves no sliver.
        while let Some(&(t, starts, person)) = events.get(i) {
            if t != at {
                break;
            }
            let held = shifts_held.entry(person).or_default();
            if starts {
                if *held == 0 {
                    on_duty += 1;
                }
                *held += 1;
            } else if *held > 0 {
                *held -= 1;
                if *held == 0 {
                    on_duty -= 1;
                }
            }
            i += 1;
        }
    }
    push_stretch(&mut out, since, period.to, on_duty);
    out
}

/// Appends a stretch, merging it into the previous one when the count is unchanged.
fn push_stretch(out: &mut Vec<Staffing>, from: DateTime<Utc>, to: DateTime<Utc>, count: u32) {
    if from >= to {
        return;
    }
    match out.last_mut() {
        Some(last) if last.1 == from && last.2 == count => last.1 = to,
        _ => out.push((from, to, count)),
    }
}

/// The maximal parts of `hours` where the staffing is below `min`, each with its lowest count.
/// Both inputs are sorted; one pass over each.
pub fn under_staffed(
    hours: &[(DateTime<Utc>, DateTime<Utc>)],
    staffing: &[Staffing],
    min: u32,
) -> Vec<Staffing> {
    let mut out: Vec<Staffing> = Vec::new();
    let mut j = 0;
    for &(from, to) in hours {
        while staffing.get(j).is_some_and(|s| s.1 <= from) {
            j += 1;
        }
        let mut k = j;
        while let Some(&(s_from, s_to, count)) = staffing.get(k) {
            if s_from >= to {
                break;
            }
            if count < min {
                let (start, end) = (s_from.max(from), s_to.min(to));
                match out.last_mut() {
                    Some(last) if last.1 == start => {
                        last.1 = end;
                        last.2 = last.2.min(count);
                    }
                    _ => out.push((start, end, count)),
                }
            }
            k += 1;
        }
    }
    out
}

/// Rules whose rotations have no shift at all in the rule's hours: every such hour is a gap,
/// and the likely cause is a wrong `rotations` list or `when`.
pub(super) fn unmatched_rules(
    model: &Model,
    period: Period,
    by_rotation: &[Vec<Shift>],
) -> Vec<Conflict> {
    let mut out = Vec::new();
    for (ix, rule) in model.coverage.iter().enumerate() {
        let hours = rule_hours(rule, model.team.start, period);
        if hours.is_empty() {
            continue;
        }
        let matched = rule
            .rotations
            .iter()
            .flat_map(|&r| &by_rotation[r])
            .any(|s| {
                // The first interval of `hours` ending after the shift starts is the only one
                // that can overlap it first.
                let i = hours.partition_point(|h| h.1 <= s.start);
                hours.get(i).is_some_and(|h| h.0 < s.end)
            });
        if !matched {
            out.push(Conflict {
                kind: ConflictKind::CoverageRuleUnmatched { rule: ix },
                person: None,
                start: period.from,
                end: period.to,
                rotations: sorted_rotations(model, rule.rotations.clone()),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 3, day, hour, 0, 0).unwrap()
    }

    fn march(from: u32, to: u32) -> Period {
        Period::new(at(from, 0), at(to, 0))
    }

    #[test]
    fn head_count_counts_people_not_shifts() {
        // Ana holds two overlapping shifts 9-17 and 12-20, Ben 15-18.
        let duty = [
            (0, at(1, 9), at(1, 17)),
            (0, at(1, 12), at(1, 20)),
            (1, at(1, 15), at(1, 18)),
        ];
        let stretches = head_count(duty.into_iter(), march(1, 2));
        assert_eq!(
            stretches,
            vec![
                (at(1, 0), at(1, 9), 0),
                (at(1, 9), at(1, 15), 1),
                (at(1, 15), at(1, 18), 2),
                (at(1, 18), at(1, 20), 1),
                (at(1, 20), at(2, 0), 0),
            ]
        );
    }

    #[test]
    fn a_handover_at_one_instant_leaves_no_sliver() {
        let duty = [(0, at(1, 0), at(1, 12)), (1, at(1, 12), at(2, 0))];
        let stretches = head_count(duty.into_iter(), march(1, 2));
        assert_eq!(stretches, vec![(at(1, 0), at(2, 0), 1)]);
    }

    #[test]
    fn duty_outside_the_period_is_clipped_away() {
        let duty = [(0, at(1, 20), at(2, 4)), (0, at(2, 20), at(3, 4))];
        let stretches = head_count(duty.into_iter(), march(2, 3));
        assert_eq!(
            stretches,
            vec![
                (at(2, 0), at(2, 4), 1),
                (at(2, 4), at(2, 20), 0),
                (at(2, 20), at(3, 0), 1)
            ]
        );
    }

    #[test]
    fn under_staffed_stretches_are_maximal_and_stay_inside_the_hours() {
        let staffing = vec![
            (at(1, 0), at(1, 9), 0),
            (at(1, 9), at(1, 13), 1),
            (at(1, 13), at(1, 17), 2),
            (at(1, 17), at(2, 0), 1),
        ];
        let hours = vec![(at(1, 8), at(1, 20))];
        assert_eq!(
            under_staffed(&hours, &staffing, 2),
            vec![(at(1, 8), at(1, 13), 0), (at(1, 17), at(1, 20), 1)]
        );
        assert_eq!(
            under_staffed(&hours, &staffing, 1),
            vec![(at(1, 8), at(1, 9), 0)]
        );
    }

    #[test]
    fn one_staffing_stretch_may_serve_several_windows() {
        let staffing = vec![(at(1, 0), at(2, 0), 0)];
        let hours = vec![(at(1, 2), at(1, 4)), (at(1, 6), at(1, 8))];
        assert_eq!(
            under_staffed(&hours, &staffing, 1),
            vec![(at(1, 2), at(1, 4), 0), (at(1, 6), at(1, 8), 0)]
        );
    }

    #[test]
    fn overlapping_and_touching_windows_unite() {
        let merged = union(vec![
            (at(1, 10), at(1, 12)),
            (at(1, 8), at(1, 11)),
            (at(1, 12), at(1, 13)),
            (at(1, 15), at(1, 16)),
        ]);
        assert_eq!(merged, vec![(at(1, 8), at(1, 13)), (at(1, 15), at(1, 16))]);
    }

    fn rule(when: &str, tz: chrono_tz::Tz) -> CoverageRule {
        let (days, window) = when.split_once(' ').unwrap();
        let mut set = DaySet::empty();
        for d in days.split(',') {
            set.insert(d.parse().unwrap());
        }
        let (a, b) = window.split_once('-').unwrap();
        let minute = |s: &str| {
            let (h, m) = s.split_once(':').unwrap();
            h.parse::<u32>().unwrap() * 60 + m.parse::<u32>().unwrap()
        };
        CoverageRule {
            name: "r".into(),
            rotations: vec![],
            when: When::Windows(vec![(set, Window::new(minute(a), minute(b)))]),
            timezone: tz,
            min: 1,
            except: Default::default(),
        }
    }

    fn long_ago() -> NaiveDate {
        NaiveDate::from_ymd_opt(2000, 1, 1).unwrap()
    }

    #[test]
    fn nothing_is_required_before_the_team_starts_nor_on_the_rules_except_dates() {
        let mut always = rule("mon 00:00-24:00", chrono_tz::Europe::Berlin);
        always.when = When::Always;
        always
            .except
            .insert(NaiveDate::from_ymd_opt(2027, 3, 5).unwrap());
        let start = NaiveDate::from_ymd_opt(2027, 3, 3).unwrap();
        // Berlin midnights are 23:00 UTC the day before in March (before the 28th).
        let hours = rule_hours(&always, start, march(1, 8));
        assert_eq!(hours, vec![(at(2, 23), at(4, 23)), (at(5, 23), at(8, 0))]);
    }

    #[test]
    fn rule_hours_include_a_window_begun_the_day_before_the_period() {
        // Sunday 28 Feb 22:00 UTC runs into Monday 1 Mar.
        let hours = rule_hours(
            &rule("sun 22:00-06:00", chrono_tz::UTC),
            long_ago(),
            march(1, 8),
        );
        assert_eq!(hours, vec![(at(1, 0), at(1, 6)), (at(7, 22), at(8, 0))]);
    }

    #[test]
    fn rule_hours_follow_the_rules_zone_through_dst() {
        // Berlin on Sun 28 Mar: 01:00 CET is 00:00 UTC, 04:00 CEST is 02:00 UTC.
        let hours = rule_hours(
            &rule("sun 01:00-04:00", chrono_tz::Europe::Berlin),
            long_ago(),
            march(27, 29),
        );
        assert_eq!(hours, vec![(at(28, 0), at(28, 2))]);
    }
}
