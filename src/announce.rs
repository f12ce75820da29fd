//! The month's plan as announcements: one per person with turns in it. Pure.

use chrono::{Datelike, Months, NaiveDate};

/// What identifies an announcement in the state: sent once per key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AnnouncementKey {
    /// The month's first day.
    pub month: NaiveDate,
    /// The person's id; `None` for the team digest.
    pub person: Option<String>,
}

/// The first day of the month after `month`'s.
pub fn month_after(month: NaiveDate) -> NaiveDate {
    let first = month.with_day(1).unwrap_or(month);
    first.checked_add_months(Months::new(1)).unwrap_or(first)
}
