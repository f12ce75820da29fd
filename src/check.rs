//! Plan → coverage gaps, conflicts and fairness. Pure: the period and the model come in, a
//! report comes out; presenting it is the renderers' job.
//!
//! Every finding is clipped to the period, and shifts that started before the period but reach
//! into it count. Coverage is one sweep per rule over the sorted start and end instants of its
//! shifts, so the cost is linear in shifts after sorting.

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc, Weekday};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::local_time::{local_date, resolve, start_of_day};
use crate::memo::Memo;
use crate::model::{CoverageRule, Model, PersonIx, RotationIx, When};
use crate::parallel;
use crate::plan::{self, Period, Shift, Slot};

/// Everything `rota check` found in a period.
#[derive(Debug, Clone)]
pub struct Report {
    pub period: Period,
    /// Sorted by start, then rule.
    pub gaps: Vec<Gap>,
    /// Errors first, then warnings; each by start, then kind, person and rotations.
    pub conflicts: Vec<Conflict>,
    /// One entry per rotation and person: every member, then anyone else who held its shifts
    /// through an override; rotations in config order, members in rotation order.
    pub fairness: Vec<Fairness>,
    /// One per rotation, in config order: how far its members' shares lie apart.
    pub spreads: Vec<Spread>,
}

impl Report {
    /// Gaps plus error-level conflicts: each one makes `check` exit 1.
    pub fn errors(&self) -> usize {
        self.gaps.len() + self.conflicts_of(Severity::Error)
    }

    pub fn warnings(&self) -> usize {
        self.conflicts_of(Severity::Warning)
    }

    pub fn conflicts_of(&self, severity: Severity) -> usize {
        self.conflicts
            .iter()
            .filter(|c| c.kind.severity() == severity)
            .count()
    }

    /// Whether the report fails a CI run: any error, or with `strict` any warning too.
    pub fn fails(&self, strict: bool) -> bool {
        self.errors() > 0 || (strict && self.warnings() > 0)
    }
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ConflictKind {
    /// A person on two shifts at once.
    DoubleBooked,
    /// A person on duty on a local day they are away (possible through overrides).
    OnDutyWhileAway,
    /// A shift reaching into the person's own local night (`[check] night`).
    NightShift,
    /// An override that changes nothing: it covers no shift of its rotation, or a later
    /// override takes every moment it covers.
    OverrideOutsideShifts {
        /// The override's line in the config.
        line: usize,
        /// True when it does cover shifts, but later overrides win all of them.
        shadowed: bool,
    },
    /// A coverage rule none of whose rotations has a shift in its hours in the period.
    CoverageRuleUnmatched { rule: usize },
    /// Members of a rotation who were never away hold turn counts more than one apart.
    UnevenTurns {
        fewest: (PersonIx, u32),
        most: (PersonIx, u32),
    },
}

impl ConflictKind {
    /// The name scripts match on (`kind` in JSON).
    pub fn name(&self) -> &'static str {
        match self {
            ConflictKind::DoubleBooked => "double-booked",
            ConflictKind::OnDutyWhileAway => "on-duty-while-away",
            ConflictKind::NightShift => "night-shift",
            ConflictKind::OverrideOutsideShifts { .. } => "override-outside-shifts",
            ConflictKind::CoverageRuleUnmatched { .. } => "coverage-rule-unmatched",
            ConflictKind::UnevenTurns { .. } => "uneven-turns",
        }
    }

    /// The contract: double bookings are errors, and so is duty on an away day (the person will
    /// not be there); the rest are warnings.
    pub fn severity(&self) -> Severity {
        match self {
            ConflictKind::DoubleBooked | ConflictKind::OnDutyWhileAway => Severity::Error,
            _ => Severity::Warning,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub kind: ConflictKind,
    /// None for findings about a rotation or a rule rather than a person.
    pub person: Option<PersonIx>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Sorted by name.
    pub rotations: Vec<RotationIx>,
}

/// One person's share of one rotation in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fairness {
    pub rotation: RotationIx,
    pub person: PersonIx,
    pub member: bool,
    /// Distinct turns the person held any part of.
    pub turns: u32,
    /// Time on duty, clipped to the period.
    pub duty: TimeDelta,
    /// Shifts (slots) on a Saturday or Sunday of the rotation's zone.
    pub weekend_shifts: u32,
    /// Shifts on a date any rotation lists in `except` (the team's holidays).
    pub holiday_shifts: u32,
    /// The person's away days (in their zone) inside the period.
    pub away_days: u32,
}

/// How far apart the members of one rotation lie: max − min over its members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spread {
    pub rotation: RotationIx,
    pub turns: u32,
    pub duty: TimeDelta,
    pub weekend_shifts: u32,
    pub holiday_shifts: u32,
}

/// The full analysis of `period`.
pub fn check(model: &Model, period: Period) -> Report {
    let by_rotation = plan::per_rotation(model, period);
    let by_rotation = &by_rotation[..];
    // The parts of the analysis are independent; a large organisation's share two cores.
    let ((mut gaps, (fairness, spreads, uneven)), mut conflicts) = parallel::join(
        || {
            let gaps: Vec<Gap> = (0..model.coverage.len())
                .flat_map(|rule| coverage_gaps(model, rule, period, by_rotation))
                .collect();
            (gaps, fairness(model, period, by_rotation))
        },
        || {
            let mut found = double_bookings(model, period, by_rotation);
            found.extend(away_duty(model, period, by_rotation));
            found.extend(night_shifts(model, period, by_rotation));
            found
        },
    );
    gaps.sort_by_key(|g| (g.start, g.rule));
    conflicts.extend(idle_overrides(model, period, by_rotation));
    conflicts.extend(unmatched_rules(model, period, by_rotation));
    conflicts.extend(uneven);
    let rotation_names = |c: &Conflict| -> Vec<&str> {
        c.rotations
            .iter()
            .map(|&r| model.rotations[r].name.as_str())
            .collect()
    };
    conflicts.sort_by(|a, b| {
        (a.kind.severity(), a.start, a.kind.name(), a.person)
            .cmp(&(b.kind.severity(), b.start, b.kind.name(), b.person))
            .then_with(|| rotation_names(a).cmp(&rotation_names(b)))
            .then_with(|| a.end.cmp(&b.end))
    });
    Report {
        period,
        gaps,
        conflicts,
        fairness,
        spreads,
    }
}

// ---------------------------------------------------------------------------------------------
// Coverage

/// The gaps of one rule: its hours minus the time at least `min` distinct people hold one of its
/// rotations' shifts.
fn coverage_gaps(
    model: &Model,
    rule_ix: usize,
    period: Period,
    by_rotation: &[Vec<Shift>],
) -> Vec<Gap> {
    let rule = &model.coverage[rule_ix];
    let hours = rule_hours(rule, period);
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
pub fn rule_hours(rule: &CoverageRule, period: Period) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let windows = match &rule.when {
        When::Always => return vec![(period.from, period.to)],
        When::Windows(w) => w,
    };
    let tz = rule.timezone;
    let first = local_date(tz, period.from);
    // The day before the first date: its window may cross midnight into the period.
    let first = first.pred_opt().unwrap_or(first);
    let last = local_date(tz, period.to);
    let mut hours = Vec::new();
    for date in first.iter_days().take_while(|d| *d <= last) {
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
fn unmatched_rules(model: &Model, period: Period, by_rotation: &[Vec<Shift>]) -> Vec<Conflict> {
    let mut out = Vec::new();
    for (ix, rule) in model.coverage.iter().enumerate() {
        let hours = rule_hours(rule, period);
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

// ---------------------------------------------------------------------------------------------
// Conflicts

/// One person's stretch of duty on one rotation, clipped to the period.
#[derive(Debug, Clone, Copy)]
struct Duty {
    person: PersonIx,
    rotation: RotationIx,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

/// The assigned shifts clipped to the period. The analysis is organised per rotation (rules,
/// overrides and rotations look only at their own shifts), which keeps it linear in the number
/// of shifts however many rotations there are.
fn duties(period: Period, by_rotation: &[Vec<Shift>]) -> impl Iterator<Item = Duty> + '_ {
    by_rotation.iter().flatten().filter_map(move |s| {
        let person = s.person?;
        let (start, end) = (s.start.max(period.from), s.end.min(period.to));
        (start < end).then_some(Duty {
            person,
            rotation: s.rotation,
            start,
            end,
        })
    })
}

/// Each person's overlapping shifts on different rotations, per pair of rotations, merged where
/// the overlaps touch (an override splitting a shift must not split the finding).
fn double_bookings(model: &Model, period: Period, by_rotation: &[Vec<Shift>]) -> Vec<Conflict> {
    let mut all: Vec<Duty> = duties(period, by_rotation).collect();
    all.sort_by_key(|d| (d.person, d.start));
    let mut found = Vec::new();
    let mut running: Vec<Duty> = Vec::new();
    let mut person = None;
    for d in all {
        if person != Some(d.person) {
            running.clear();
            person = Some(d.person);
        }
        running.retain(|r| r.end > d.start);
        for r in running.iter().filter(|r| r.rotation != d.rotation) {
            found.push(Conflict {
                kind: ConflictKind::DoubleBooked,
                person: Some(d.person),
                start: d.start,
                end: r.end.min(d.end),
                rotations: sorted_rotations(model, vec![r.rotation, d.rotation]),
            });
        }
        running.push(d);
    }
    merge_touching(found)
}

/// Duty on a person's away days, in their own zone; one finding per run of away duty on one
/// rotation.
fn away_duty(model: &Model, period: Period, by_rotation: &[Vec<Shift>]) -> Vec<Conflict> {
    let mut found = Vec::new();
    let mut dates = LocalDates::default();
    for d in duties(period, by_rotation) {
        let person = &model.people[d.person];
        if person.away.is_empty() {
            continue;
        }
        let tz = person.timezone;
        // The end is exclusive: duty ending at midnight does not touch the next day.
        let (first, last) = (
            dates.of(tz, d.start),
            dates.of(tz, d.end - TimeDelta::seconds(1)),
        );
        if !person.away.intersects(first, last) {
            continue;
        }
        for date in first.iter_days().take_while(|x| *x <= last) {
            if person.away.contains(date) {
                let (from, to) = day_bounds(tz, date);
                push_finding(
                    &mut found,
                    ConflictKind::OnDutyWhileAway,
                    d,
                    from.max(d.start),
                    to.min(d.end),
                );
            }
        }
    }
    merge_touching(found)
}

/// Duty reaching into the person's local night (`[check] night`, in their zone), on any day.
fn night_shifts(model: &Model, period: Period, by_rotation: &[Vec<Shift>]) -> Vec<Conflict> {
    let night = model.check.night;
    // A few zones and a few hundred dates serve every duty of a large organisation: each
    // night is resolved in its zone once rather than for every duty that touches it.
    let mut nights: Memo<(chrono_tz::Tz, NaiveDate), (DateTime<Utc>, DateTime<Utc>)> =
        Memo::default();
    let mut found = Vec::new();
    let mut dates = LocalDates::default();
    for d in duties(period, by_rotation) {
        let tz = model.people[d.person].timezone;
        let first = dates.of(tz, d.start);
        // A night window that starts the evening before may reach into the duty.
        let first = first.pred_opt().unwrap_or(first);
        let last = dates.of(tz, d.end);
        for date in first.iter_days().take_while(|x| *x <= last) {
            let &(from, to) = nights.get((tz, date), || {
                let (from, to) = night.on(date);
                (resolve(tz, from), resolve(tz, to))
            });
            push_finding(
                &mut found,
                ConflictKind::NightShift,
                d,
                from.max(d.start),
                to.min(d.end),
            );
        }
    }
    merge_touching(found)
}

/// Local dates already worked out, by zone and instant: the duties of a large organisation
/// start and end at a few shared instants, and a zone lookup for each was a good part of
/// the conflict checks.
#[derive(Default)]
struct LocalDates(Memo<(chrono_tz::Tz, DateTime<Utc>), NaiveDate>);

impl LocalDates {
    fn of(&mut self, tz: chrono_tz::Tz, instant: DateTime<Utc>) -> NaiveDate {
        *self.0.get((tz, instant), || local_date(tz, instant))
    }
}

fn day_bounds(tz: chrono_tz::Tz, date: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let next = date.succ_opt().unwrap_or(date);
    (start_of_day(tz, date), start_of_day(tz, next))
}

fn push_finding(
    found: &mut Vec<Conflict>,
    kind: ConflictKind,
    d: Duty,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) {
    if start < end {
        found.push(Conflict {
            kind,
            person: Some(d.person),
            start,
            end,
            rotations: vec![d.rotation],
        });
    }
}

/// Findings of one kind for one person and rotation that overlap or touch become one.
fn merge_touching(mut found: Vec<Conflict>) -> Vec<Conflict> {
    found.sort_by(|a, b| (a.person, &a.rotations, a.start).cmp(&(b.person, &b.rotations, b.start)));
    let mut out: Vec<Conflict> = Vec::with_capacity(found.len());
    for c in found {
        match out.last_mut() {
            Some(prev)
                if prev.person == c.person
                    && prev.rotations == c.rotations
                    && prev.kind == c.kind
                    && c.start <= prev.end =>
            {
                prev.end = prev.end.max(c.end);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Overrides reaching into the period that give their person no duty at all. Judged over the
/// override's whole interval, not just the period's part, so an override whose shift lies just
/// outside the period is not reported as idle.
fn idle_overrides(model: &Model, period: Period, by_rotation: &[Vec<Shift>]) -> Vec<Conflict> {
    let relevant: Vec<_> = model
        .overrides
        .iter()
        .filter(|o| o.from < period.to && o.to > period.from && o.from < o.to)
        .collect();
    let (Some(from), Some(to)) = (
        relevant.iter().map(|o| o.from).min(),
        relevant.iter().map(|o| o.to).max(),
    ) else {
        return Vec::new();
    };
    // The period's own shifts serve unless an override reaches beyond it.
    let wider;
    let by_rotation = if period.from <= from && to <= period.to {
        by_rotation
    } else {
        wider = plan::per_rotation(model, Period::new(from, to));
        &wider[..]
    };
    let mut out = Vec::new();
    for o in relevant {
        let own = &by_rotation[o.rotation];
        // The rotation's shifts are sorted by start: only those before the override's end matter.
        let before_end = &own[..own.partition_point(|s| s.start < o.to)];
        let overlapping = || before_end.iter().filter(|s| s.end > o.from);
        let covers_shift = overlapping().next().is_some();
        let takes_effect = overlapping().any(|s| s.is_override && s.person == Some(o.person));
        if takes_effect {
            continue;
        }
        out.push(Conflict {
            kind: ConflictKind::OverrideOutsideShifts {
                line: o.line,
                shadowed: covers_shift,
            },
            person: Some(o.person),
            start: o.from.max(period.from),
            end: o.to.min(period.to),
            rotations: vec![o.rotation],
        });
    }
    out
}

fn sorted_rotations(model: &Model, mut rotations: Vec<RotationIx>) -> Vec<RotationIx> {
    rotations.sort_by(|&a, &b| model.rotations[a].name.cmp(&model.rotations[b].name));
    rotations.dedup();
    rotations
}

// ---------------------------------------------------------------------------------------------
// Fairness

/// One person's part of one rotation's shifts, as collected.
#[derive(Default)]
struct Share {
    turns: Vec<u32>,
    slots: Vec<Slot>,
    duty: TimeDelta,
}

/// Per rotation and person: turns, hours, weekend and holiday shifts; the spread per rotation;
/// and an `uneven-turns` warning where members who were never away are more than a turn apart.
///
/// A turn counts for everyone who held any part of it, so an override taker is credited with
/// the turn they stepped into (the turn's owner keeps it too if they kept any of it). Weekend
/// and holiday shifts count slots (whole shifts), so a shift split by an override counts once
/// for each person who held a part of it.
fn fairness(
    model: &Model,
    period: Period,
    by_rotation: &[Vec<Shift>],
) -> (Vec<Fairness>, Vec<Spread>, Vec<Conflict>) {
    let holidays: FxHashSet<NaiveDate> = model
        .rotations
        .iter()
        .flat_map(|r| r.except.iter().copied())
        .collect();
    let mut entries = Vec::new();
    let mut spreads = Vec::new();
    let mut uneven = Vec::new();
    for (rix, rotation) in model.rotations.iter().enumerate() {
        // Each rotation's shares are gathered from its own shifts only, so the work per shift
        // stays the same however large the organisation grows.
        let mut shares: FxHashMap<PersonIx, Share> = FxHashMap::default();
        for s in &by_rotation[rix] {
            let Some(person) = s.person else { continue };
            let (start, end) = (s.start.max(period.from), s.end.min(period.to));
            if start >= end {
                continue;
            }
            let share = shares.entry(person).or_default();
            share.turns.push(s.turn);
            share.slots.push(s.slot);
            share.duty += end - start;
        }
        for share in shares.values_mut() {
            share.turns.sort_unstable();
            share.turns.dedup();
            share.slots.sort_unstable();
            share.slots.dedup();
        }
        let mut others: Vec<PersonIx> = shares
            .keys()
            .copied()
            .filter(|p| !rotation.members.contains(p))
            .collect();
        others.sort_unstable();
        let people = rotation
            .members
            .iter()
            .map(|&p| (p, true))
            .chain(others.into_iter().map(|p| (p, false)));
        let first = entries.len();
        for (p, member) in people {
            let share = shares.get(&p);
            let count = |f: &dyn Fn(&Slot) -> bool| {
                share.map_or(0, |s| s.slots.iter().filter(|x| f(x)).count() as u32)
            };
            entries.push(Fairness {
                rotation: rix,
                person: p,
                member,
                turns: share.map_or(0, |s| s.turns.len() as u32),
                duty: share.map_or(TimeDelta::zero(), |s| s.duty),
                weekend_shifts: count(&|slot| {
                    matches!(slot.date.weekday(), Weekday::Sat | Weekday::Sun)
                }),
                holiday_shifts: count(&|slot| holidays.contains(&slot.date)),
                away_days: away_days(model, p, period),
            });
        }
        let members: Vec<&Fairness> = entries[first..].iter().filter(|f| f.member).collect();
        spreads.push(spread(rix, &members));
        uneven.extend(uneven_turns(
            model,
            rix,
            period,
            &by_rotation[rix],
            &members,
        ));
    }
    (entries, spreads, uneven)
}

fn spread(rotation: RotationIx, members: &[&Fairness]) -> Spread {
    fn gap<T: Ord + Copy + std::ops::Sub<Output = T>>(
        values: impl Iterator<Item = T>,
        zero: T,
    ) -> T {
        let v: Vec<T> = values.collect();
        match (v.iter().min(), v.iter().max()) {
            (Some(&lo), Some(&hi)) => hi - lo,
            _ => zero,
        }
    }
    Spread {
        rotation,
        turns: gap(members.iter().map(|f| f.turns), 0),
        duty: gap(members.iter().map(|f| f.duty), TimeDelta::zero()),
        weekend_shifts: gap(members.iter().map(|f| f.weekend_shifts), 0),
        holiday_shifts: gap(members.iter().map(|f| f.holiday_shifts), 0),
    }
}

/// Round-robin keeps members who are always free within one turn of each other; a larger
/// difference among them means overrides (or the order) made the rotation unfair.
fn uneven_turns(
    model: &Model,
    rotation: RotationIx,
    period: Period,
    own: &[Shift],
    members: &[&Fairness],
) -> Option<Conflict> {
    // Turns reaching into the period were handed out by who was free on all their days, so a
    // member counts as "never away" only if free over every such turn.
    let from = own.iter().map(|s| s.start).min()?;
    let to = own.iter().map(|s| s.end).max()?;
    let always_free: Vec<&&Fairness> = members
        .iter()
        .filter(|f| {
            let p = &model.people[f.person];
            let first = local_date(p.timezone, from);
            let last = local_date(p.timezone, to - TimeDelta::seconds(1));
            !p.away.intersects(first, last)
        })
        .collect();
    let fewest = always_free.iter().min_by_key(|f| f.turns)?;
    let most = always_free.iter().max_by_key(|f| f.turns)?;
    (most.turns > fewest.turns + 1).then(|| Conflict {
        kind: ConflictKind::UnevenTurns {
            fewest: (fewest.person, fewest.turns),
            most: (most.person, most.turns),
        },
        person: None,
        start: period.from,
        end: period.to,
        rotations: vec![rotation],
    })
}

/// The person's away days (whole local days in their zone) that fall inside the period.
fn away_days(model: &Model, person: PersonIx, period: Period) -> u32 {
    let p = &model.people[person];
    let first = local_date(p.timezone, period.from);
    let last = local_date(p.timezone, period.to - TimeDelta::seconds(1));
    p.away
        .ranges()
        .iter()
        .map(|&(a, b)| {
            let (a, b) = (a.max(first), b.min(last));
            if a <= b { (b - a).num_days() + 1 } else { 0 }
        })
        .sum::<i64>()
        .try_into()
        .unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::model::{DaySet, Window};

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
        }
    }

    #[test]
    fn rule_hours_include_a_window_begun_the_day_before_the_period() {
        // Sunday 28 Feb 22:00 UTC runs into Monday 1 Mar.
        let hours = rule_hours(&rule("sun 22:00-06:00", chrono_tz::UTC), march(1, 8));
        assert_eq!(hours, vec![(at(1, 0), at(1, 6)), (at(7, 22), at(8, 0))]);
    }

    #[test]
    fn rule_hours_follow_the_rules_zone_through_dst() {
        // Berlin on Sun 28 Mar: 01:00 CET is 00:00 UTC, 04:00 CEST is 02:00 UTC.
        let hours = rule_hours(
            &rule("sun 01:00-04:00", chrono_tz::Europe::Berlin),
            march(27, 29),
        );
        assert_eq!(hours, vec![(at(28, 0), at(28, 2))]);
    }
}
