//! A half-open interval of instants, built from calendar dates in a display zone.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::local_time;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: DateTime<Utc>,
    /// Exclusive.
    pub to: DateTime<Utc>,
}

impl Period {
    pub fn new(from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        Period { from, to }
    }

    /// From local midnight of `from` to local midnight of `to` (exclusive) in `tz`.
    pub fn dates(from: NaiveDate, to: NaiveDate, tz: Tz) -> Self {
        Period {
            from: local_time::start_of_day(tz, from),
            to: local_time::start_of_day(tz, to),
        }
    }

    /// `months` calendar months starting with the month of `first` (any day in it).
    pub fn months(first: NaiveDate, months: u32, tz: Tz) -> Self {
        let start = first.with_day(1).unwrap_or(first);
        let end = start
            .checked_add_months(Months::new(months))
            .unwrap_or(start);
        Period::dates(start, end, tz)
    }

    pub fn contains(&self, instant: DateTime<Utc>) -> bool {
        self.from <= instant && instant < self.to
    }
}
