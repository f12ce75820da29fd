//! The only place where wall-clock time becomes an instant.
//!
//! The contract's DST rules: a local time that does not exist (spring forward) means the first
//! instant after the gap; an ambiguous one (fall back) means its first occurrence. Because every
//! wall-clock time goes through `resolve`, two windows in one zone that meet on the clock
//! (`08:00-16:00`, `16:00-24:00`) resolve their shared bound to the same instant.

use chrono::{
    DateTime, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc,
};
use chrono_tz::Tz;

/// The instant of a local wall-clock time in `tz`.
pub fn resolve(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => end_of_gap(tz, local),
    }
}

/// The instant at local midnight starting `date`.
pub fn start_of_day(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    resolve(tz, date.and_time(NaiveTime::MIN))
}

/// The local calendar date of an instant in `tz`.
pub fn local_date(tz: Tz, instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&tz).date_naive()
}

/// The first instant after the gap that swallowed `local`: the transition itself, whose local
/// time is the first wall-clock time that exists again.
fn end_of_gap(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let exists = |t: NaiveDateTime| !matches!(tz.from_local_datetime(&t), LocalResult::None);
    // Gaps are at most a day long (Samoa skipped 30 Dec 2011); step coarsely to the far side,
    // then bisect to the second.
    let mut missing = local;
    let mut step = TimeDelta::minutes(15);
    let mut present = local + step;
    while !exists(present) {
        missing = present;
        if present - local > TimeDelta::hours(48) {
            // No zone has such a gap; treat the time as UTC rather than loop.
            return local.and_utc();
        }
        step = (step * 2).min(TimeDelta::hours(6));
        present += step;
    }
    while present - missing > TimeDelta::seconds(1) {
        let mid = missing + (present - missing) / 2;
        let mid = mid.with_nanosecond_zero();
        if mid <= missing {
            break;
        }
        if exists(mid) {
            present = mid;
        } else {
            missing = mid;
        }
    }
    match tz.from_local_datetime(&present) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        LocalResult::None => present.and_utc(),
    }
}

trait WholeSeconds {
    fn with_nanosecond_zero(self) -> Self;
}

impl WholeSeconds for NaiveDateTime {
    fn with_nanosecond_zero(self) -> Self {
        use chrono::Timelike;
        self.with_nanosecond(0).unwrap_or(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn nonexistent_time_is_first_instant_after_spring_forward_gap() {
        // Berlin: 2026-03-29 02:00 CET jumps to 03:00 CEST at 01:00 UTC.
        let t = resolve(chrono_tz::Europe::Berlin, at("2026-03-29 02:30"));
        assert_eq!(t.to_rfc3339(), "2026-03-29T01:00:00+00:00");
    }

    #[test]
    fn ambiguous_time_is_its_first_occurrence() {
        // Berlin: 2026-10-25 02:30 happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET).
        let t = resolve(chrono_tz::Europe::Berlin, at("2026-10-25 02:30"));
        assert_eq!(t.to_rfc3339(), "2026-10-25T00:30:00+00:00");
    }

    #[test]
    fn southern_hemisphere_gap_resolves_to_transition() {
        // Sydney: 2026-10-04 02:00 AEST jumps to 03:00 AEDT, i.e. at 16:00 UTC on the 3rd.
        let t = resolve(chrono_tz::Australia::Sydney, at("2026-10-04 02:00"));
        assert_eq!(t.to_rfc3339(), "2026-10-03T16:00:00+00:00");
    }

    #[test]
    fn whole_skipped_day_resolves_to_next_existing_midnight() {
        // Samoa skipped 2011-12-30 entirely, jumping from UTC-10 to UTC+14.
        let t = resolve(chrono_tz::Pacific::Apia, at("2011-12-30 09:00"));
        assert_eq!(t.to_rfc3339(), "2011-12-30T10:00:00+00:00");
    }
}
