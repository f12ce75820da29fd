//! The month's plan as announcements: one per person with turns in it, and the team's digest.
//! Pure: the model and the month are values.

use chrono::{Datelike, Months, NaiveDate};
use chrono_tz::Tz;

use crate::model::{Model, PersonIx};
use crate::plan::{self, Period, Shift};
use crate::remind::{Turn, turns_around};

/// What identifies an announcement in the state: sent once per key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AnnouncementKey {
    /// The month's first day.
    pub month: NaiveDate,
    /// The person's id; `None` for the team digest.
    pub person: Option<String>,
}

/// One month of the plan, as its announcements tell it.
#[derive(Debug)]
pub struct MonthPlan {
    /// The month's first day.
    pub month: NaiveDate,
    pub period: Period,
    /// Every turn with a shift that starts in the month, whole (a week turn that runs over the
    /// month's end too), sorted by start, then rotation and person.
    pub turns: Vec<Turn>,
    /// The shifts starting in the month that nobody holds.
    pub unassigned: Vec<Shift>,
    /// Per person: the positions of their turns in `turns`.
    by_person: Vec<Vec<usize>>,
}

impl MonthPlan {
    /// The people with turns in the month, in config order.
    pub fn people(&self) -> Vec<PersonIx> {
        let people = self.by_person.iter().enumerate();
        people
            .filter(|(_, t)| !t.is_empty())
            .map(|(p, _)| p)
            .collect()
    }

    pub fn turns_of(&self, person: PersonIx) -> Vec<&Turn> {
        let own = self.by_person.get(person).map_or(&[][..], Vec::as_slice);
        own.iter().map(|&i| &self.turns[i]).collect()
    }
}

/// The plan of the month starting on `month` (its first day) in zone `tz`.
pub fn month(model: &Model, month: NaiveDate, tz: Tz) -> MonthPlan {
    let month = month.with_day(1).unwrap_or(month);
    let period = Period::months(month, 1, tz);
    let mut turns: Vec<Turn> = turns_around(model, period)
        .into_iter()
        .filter(|t| t.shifts.iter().any(|s| period.contains(s.start)))
        .collect();
    turns.sort_by_key(|t| {
        (
            t.start,
            model.rotations[t.rotation].name.clone(),
            model.people[t.person].id.clone(),
        )
    });
    let unassigned = plan::plan(model, period)
        .into_iter()
        .filter(|s| s.person.is_none())
        .collect();
    let by_person = model.by_person(0..turns.len(), |&i| Some(turns[i].person));
    MonthPlan {
        month,
        period,
        turns,
        unassigned,
        by_person,
    }
}

/// The first day of the month after `month`'s.
pub fn month_after(month: NaiveDate) -> NaiveDate {
    let first = month.with_day(1).unwrap_or(month);
    first.checked_add_months(Months::new(1)).unwrap_or(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_holds_the_turns_that_start_in_it_and_the_week_running_into_it() {
        let m = crate::config::load(
            r#"
[team]
name = "T"
timezone = "Europe/Berlin"
start = 2026-11-30

[[person]]
id = "ana"
name = "Ana"

[[person]]
id = "bo"
name = "Bo"

[[rotation]]
name = "week"
members = ["ana", "bo"]
shift = "09:00-17:00"
turn = "week"
"#,
            "test.toml",
        )
        .unwrap();
        let plan = month(&m, "2027-01-01".parse().unwrap(), chrono_tz::Europe::Berlin);
        // Weeks from Monday 28 Dec (Ana's, running into January) to Monday 25 Jan.
        let starts: Vec<String> = plan
            .turns
            .iter()
            .map(|t| format!("{} {}", m.people[t.person].id, t.start.date_naive()))
            .collect();
        assert_eq!(
            starts,
            [
                "ana 2026-12-28",
                "bo 2027-01-04",
                "ana 2027-01-11",
                "bo 2027-01-18",
                "ana 2027-01-25"
            ]
        );
        assert_eq!(plan.people(), [0, 1]);
        assert!(plan.unassigned.is_empty());
    }
}
