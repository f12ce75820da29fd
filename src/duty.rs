//! Who holds each rotation at an instant, who takes it over next, and why a rotation has nobody.

use chrono::{DateTime, Datelike, TimeDelta, Utc};

use crate::local_time::{local_date, resolve, start_of_day};
use crate::model::{Model, RotationIx};
use crate::plan::{self, Period, Shift};

/// One rotation at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duty {
    pub rotation: RotationIx,
    /// The shift running then, assigned or not.
    pub shift: Option<Shift>,
    /// The next stretch of duty held differently: another person, another turn or an override.
    pub next: Option<Shift>,
    /// Why nobody is on duty, when nobody is.
    pub empty: Option<Empty>,
}

/// Why a rotation has nobody on duty at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Empty {
    /// Before `team.start`: no turn has been handed out yet.
    NotStarted,
    /// One of the rotation's `except` dates.
    Holiday,
    /// A weekday not in the rotation's `days`.
    OffDay,
    /// A day with a shift, outside its hours.
    OffHours,
    /// A shift is running but no member was free for its turn.
    Unassigned,
}

impl Empty {
    /// The name in JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Empty::NotStarted => "not-started",
            Empty::Holiday => "holiday",
            Empty::OffDay => "off-day",
            Empty::OffHours => "off-hours",
            Empty::Unassigned => "unassigned",
        }
    }

    /// The words for people.
    pub fn describe(self) -> &'static str {
        match self {
            Empty::NotStarted => "not started yet",
            Empty::Holiday => "holiday",
            Empty::OffDay => "off day",
            Empty::OffHours => "off hours",
            Empty::Unassigned => "unassigned",
        }
    }
}

/// Every rotation at `at`, in config order.
pub fn at(model: &Model, at: DateTime<Utc>) -> Vec<Duty> {
    // Far enough ahead to reach the next turn of the longest rotation, from the rota's start
    // when that is still to come.
    let longest = model
        .rotations
        .iter()
        .map(|r| i64::from(r.turn.days))
        .max()
        .unwrap_or(1);
    let from = at.max(start_of_day(model.team.timezone, model.team.start) - TimeDelta::days(1));
    let horizon = Period::new(at, from + TimeDelta::days(2 * longest + 14));
    plan::per_rotation(model, horizon)
        .into_iter()
        .enumerate()
        .map(|(rotation, shifts)| one(model, rotation, &shifts, at))
        .collect()
}

fn one(model: &Model, rotation: RotationIx, shifts: &[Shift], at: DateTime<Utc>) -> Duty {
    let shift = shifts.iter().find(|s| s.start <= at && at < s.end).copied();
    let next = match shift {
        Some(now) => shifts.iter().find(|s| {
            s.start >= now.end
                && (s.person, s.turn, s.is_override) != (now.person, now.turn, now.is_override)
        }),
        None => shifts.iter().find(|s| s.start > at),
    }
    .copied();
    let empty = match shift {
        Some(s) if s.person.is_some() => None,
        Some(_) => Some(Empty::Unassigned),
        None => Some(why_no_shift(model, rotation, at)),
    };
    Duty {
        rotation,
        shift,
        next,
        empty,
    }
}

/// Why the rotation has no shift at `at`.
fn why_no_shift(model: &Model, rotation: RotationIx, at: DateTime<Utc>) -> Empty {
    let rot = &model.rotations[rotation];
    let tz = rot.timezone;
    if at < start_of_day(tz, model.team.start) {
        return Empty::NotStarted;
    }
    let today = local_date(tz, at);
    // The day whose window holds `at` (a night shift begun yesterday), else today.
    let day = [today, today - TimeDelta::days(1)].into_iter().find(|&d| {
        let (from, to) = rot.window.on(d);
        resolve(tz, from) <= at && at < resolve(tz, to)
    });
    let day = day.unwrap_or(today);
    if !rot.days.contains(day.weekday()) {
        Empty::OffDay
    } else if rot.except.contains(&day) {
        Empty::Holiday
    } else {
        Empty::OffHours
    }
}
