//! Reading and writing instants at the edges: RFC 3339 out, RFC 3339 or local time in.

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, SecondsFormat, Timelike, Utc};
use chrono_tz::{OffsetName, Tz};

use crate::local_time;

/// `2026-12-01T10:00:00+02:00`, the contract's JSON time format.
///
/// RFC 3339 offsets have whole minutes only. Where a zone's offset had seconds (local mean
/// time before the 1970s: Monrovia was −00:44:30 until 1972), the instant is given in UTC
/// instead (`+00:00`), exact, rather than with an offset rounded 30 s off.
pub fn rfc3339(instant: DateTime<Utc>, tz: Tz) -> String {
    // The same text as `format("%Y-%m-%dT%H:%M:%S%:z")`, written without parsing a format
    // string each time: a year's plan of a large organisation prints millions of these.
    let local = instant.with_timezone(&tz);
    if has_seconds(local.offset()) {
        return instant.to_rfc3339_opts(SecondsFormat::Secs, false);
    }
    local.to_rfc3339_opts(SecondsFormat::Secs, false)
}

fn has_seconds(offset: &chrono_tz::TzOffset) -> bool {
    use chrono::Offset;
    offset.fix().local_minus_utc() % 60 != 0
}

/// `Tue 2026-12-01 10:00`, for people; with seconds where the zone's offset has them, so
/// that the time shown is exact.
pub fn human(instant: DateTime<Utc>, tz: Tz) -> String {
    let local = instant.with_timezone(&tz);
    let format = if !has_seconds(local.offset()) {
        "%a %Y-%m-%d %H:%M"
    } else {
        "%a %Y-%m-%d %H:%M:%S"
    };
    local.format(format).to_string()
}

/// `Mon 7 Dec 09:00 CET`, short with the zone's abbreviation.
pub fn short(instant: DateTime<Utc>, tz: Tz) -> String {
    let mut text = String::with_capacity(24);
    push_short(&mut text, instant, tz);
    text
}

/// [`short`], added to the end of `text`.
pub fn push_short(text: &mut String, instant: DateTime<Utc>, tz: Tz) {
    // The same text as `format("%a %-d %b %H:%M %Z")`, put together by hand: a year's
    // calendar feeds of a large organisation show millions of these, and parsing the format
    // string and formatting each number through `fmt` was a third of `rota export`.
    const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let local = instant.with_timezone(&tz);
    text.push_str(WEEKDAYS[local.weekday().num_days_from_monday() as usize]);
    text.push(' ');
    if local.day() >= 10 {
        push_digit(text, local.day() / 10);
    }
    push_digit(text, local.day() % 10);
    text.push(' ');
    text.push_str(MONTHS[local.month0() as usize]);
    text.push(' ');
    push_two_digits(text, local.hour());
    text.push(':');
    push_two_digits(text, local.minute());
    if has_seconds(local.offset()) {
        text.push(':');
        push_two_digits(text, local.second());
    }
    text.push(' ');
    match local.offset().abbreviation() {
        Some(name) => text.push_str(name),
        // A zone without an abbreviation shows its offset, `+03`.
        None => {
            let _ = write!(text, "{}", local.offset());
        }
    }
}

/// `n` (below 100) as two digits, `07`.
pub(crate) fn push_two_digits(text: &mut String, n: u32) {
    const PAIRS: &str = "00010203040506070809101112131415161718192021222324252627282930313233343536373839\
                         40414243444546474849505152535455565758596061626364656667686970717273747576777879\
                         8081828384858687888990919293949596979899";
    let at = (n % 100) as usize * 2;
    text.push_str(&PAIRS[at..at + 2]);
}

fn push_digit(text: &mut String, digit: u32) {
    text.push(char::from_digit(digit, 10).unwrap_or('0'));
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

/// A `YYYY-MM-DD` date. The usual form is read by hand, since a lock holds hundreds of
/// thousands and chrono's parser reads its format string each time; anything else as chrono
/// reads `%Y-%m-%d`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let b = text.as_bytes();
    if b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && let (Some(y), Some(m), Some(d)) = (number(&b[0..4]), number(&b[5..7]), number(&b[8..10]))
    {
        return NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// `20261207T080000Z`, iCalendar's UTC date-time: read by hand like [`parse_date`], as a
/// large team feed holds a million; anything else as chrono reads `%Y%m%dT%H%M%SZ`.
pub fn parse_ical_utc(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    let b = text.as_bytes();
    let by_hand = || {
        if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
            return None;
        }
        let date = NaiveDate::from_ymd_opt(
            i32::try_from(number(&b[0..4])?).ok()?,
            number(&b[4..6])?,
            number(&b[6..8])?,
        )?;
        let time = (number(&b[9..11])?, number(&b[11..13])?, number(&b[13..15])?);
        Some(date.and_hms_opt(time.0, time.1, time.2)?.and_utc())
    };
    by_hand().or_else(|| {
        NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%SZ")
            .ok()
            .map(|t| t.and_utc())
    })
}

/// The number the ASCII digits `digits` write; `None` if any is not a digit.
fn number(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
    })
}

/// `2026-12` → its first day.
pub fn parse_month(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{}-01", text.trim()), "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn dates_read_as_chrono_reads_them(text in r"[0-9+ -]{0,3}[0-9]{1,4}-[0-9]{1,3}-[0-9]{1,3}[0-9 ]{0,2}") {
            let chrono = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok();
            proptest::prop_assert_eq!(parse_date(&text), chrono);
        }

        #[test]
        fn ical_utc_reads_as_chrono_reads_it(text in r"[0-9+-]{0,2}[0-9]{6,9}T[0-9]{4,7}Z?") {
            let chrono = NaiveDateTime::parse_from_str(&text, "%Y%m%dT%H%M%SZ").ok().map(|t| t.and_utc());
            proptest::prop_assert_eq!(parse_ical_utc(&text), chrono);
        }
    }

    #[test]
    fn every_day_of_four_centuries_reads_back() {
        let mut day = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();
        while day.year() < 2300 {
            assert_eq!(parse_date(&day.to_string()), Some(day));
            let noon = day.and_hms_opt(12, 34, 56).unwrap().and_utc();
            assert_eq!(
                parse_ical_utc(&noon.format("%Y%m%dT%H%M%SZ").to_string()),
                Some(noon)
            );
            day = day.succ_opt().unwrap();
        }
        assert_eq!(parse_date("2027-02-29"), None);
        assert_eq!(parse_date("2027-13-01"), None);
        assert_eq!(parse_ical_utc("20270229T000000Z"), None);
    }

    #[test]
    fn local_datetimes_are_read_in_the_display_zone() {
        let t = parse_instant("2026-12-06T12:00", chrono_tz::Europe::Berlin).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-12-06T11:00:00+00:00");
        let t = parse_instant("2026-12-06T12:00:00+01:00", chrono_tz::UTC).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-12-06T11:00:00+00:00");
        assert!(parse_instant("tomorrow", chrono_tz::UTC).is_none());
    }

    #[test]
    fn rfc3339_and_short_read_as_their_strftime_formats_in_every_zone_and_era() {
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
                chrono_tz::Europe::Istanbul,
                chrono_tz::UTC,
            ] {
                let local = instant.with_timezone(&tz);
                if has_seconds(local.offset()) {
                    // Exact instead: see the test below.
                    continue;
                }
                let expected = local.format("%Y-%m-%dT%H:%M:%S%:z").to_string();
                assert_eq!(rfc3339(instant, tz), expected);
                let expected = local.format("%a %-d %b %H:%M %Z").to_string();
                assert_eq!(short(instant, tz), expected);
            }
        }
    }

    #[test]
    fn an_offset_with_seconds_is_printed_exactly() {
        // Monrovia kept −00:44:30 until 1972: 09:00 local was 09:44:30 UTC.
        let tz = chrono_tz::Africa::Monrovia;
        let t = parse_instant("1971-06-01T09:00", tz).unwrap();
        assert_eq!(t.to_rfc3339(), "1971-06-01T09:44:30+00:00");
        let printed = rfc3339(t, tz);
        assert_eq!(printed, "1971-06-01T09:44:30+00:00");
        assert_eq!(DateTime::parse_from_rfc3339(&printed).unwrap(), t);
        // A whole hour in UTC shows its seconds in Monrovia's local time.
        let t = parse_instant("1971-06-01T09:00:00Z", tz).unwrap();
        assert_eq!(human(t, tz), "Tue 1971-06-01 08:15:30");
        assert!(
            short(t, tz).starts_with("Tue 1 Jun 08:15:30"),
            "{}",
            short(t, tz)
        );
    }

    #[test]
    fn utc_offsets_print_as_plus_zero() {
        let t = parse_instant("2027-03-14T22:00:00Z", chrono_tz::UTC).unwrap();
        assert_eq!(rfc3339(t, chrono_tz::UTC), "2027-03-14T22:00:00+00:00");
    }
}
