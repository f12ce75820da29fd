//! Reading and writing instants at the edges: RFC 3339 out, RFC 3339 or local time in.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use chrono_tz::Tz;

use crate::plan::local_time;

/// `2026-12-01T10:00:00+02:00`, the contract's JSON time format.
pub fn rfc3339(instant: DateTime<Utc>, tz: Tz) -> String {
    // The same text as `format("%Y-%m-%dT%H:%M:%S%:z")`, written without parsing a format
    // string each time: a year's plan of a large organisation prints millions of these.
    instant
        .with_timezone(&tz)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// `Tue 2026-12-01 10:00`, for people.
pub fn human(instant: DateTime<Utc>, tz: Tz) -> String {
    instant
        .with_timezone(&tz)
        .format("%a %Y-%m-%d %H:%M")
        .to_string()
}

/// `Mon 7 Dec 09:00 CET`, short with the zone's abbreviation.
pub fn short(instant: DateTime<Utc>, tz: Tz) -> String {
    instant
        .with_timezone(&tz)
        .format("%a %-d %b %H:%M %Z")
        .to_string()
}

/// RFC 3339, or a local `2026-12-06T12:00[:SS]` (also with a space) read in `tz` by the DST rules.
pub fn parse_instant(text: &str, tz: Tz) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    let formats = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ];
    formats
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .map(|local| local_time::resolve(tz, local))
}

pub fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

/// `2026-12` → its first day.
pub fn parse_month(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{}-01", text.trim()), "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_datetimes_are_read_in_the_display_zone() {
        let t = parse_instant("2026-12-06T12:00", chrono_tz::Europe::Berlin).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-12-06T11:00:00+00:00");
        let t = parse_instant("2026-12-06T12:00:00+01:00", chrono_tz::UTC).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-12-06T11:00:00+00:00");
        assert!(parse_instant("tomorrow", chrono_tz::UTC).is_none());
    }

    #[test]
    fn rfc3339_reads_as_the_strftime_format_in_every_zone_and_era() {
        // Hourly over four centuries would be slow; a prime step in seconds still lands on
        // every kind of offset: LMT with seconds, half hours, DST in both hemispheres.
        let step = 7_919 * 3_607;
        let instants = (-5_000_000_000i64..5_000_000_000).step_by(step);
        for seconds in instants {
            let instant = DateTime::from_timestamp(seconds, 0).unwrap();
            for tz in [
                chrono_tz::Europe::Amsterdam,
                chrono_tz::Asia::Kolkata,
                chrono_tz::Australia::Lord_Howe,
                chrono_tz::America::St_Johns,
                chrono_tz::Pacific::Apia,
                chrono_tz::UTC,
            ] {
                let expected = instant
                    .with_timezone(&tz)
                    .format("%Y-%m-%dT%H:%M:%S%:z")
                    .to_string();
                assert_eq!(rfc3339(instant, tz), expected);
            }
        }
    }

    #[test]
    fn utc_offsets_print_as_plus_zero() {
        let t = parse_instant("2027-03-14T22:00:00Z", chrono_tz::UTC).unwrap();
        assert_eq!(rfc3339(t, chrono_tz::UTC), "2027-03-14T22:00:00+00:00");
    }
}
