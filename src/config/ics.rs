//! `.ics` files named in `[team] holidays` and a person's `away`: iCalendar text → the stretches
//! of time its events cover. Pure: the caller reads the file.
//!
//! Parsing is the icalendar crate's; recurrences are expanded by the rrule crate. What an
//! event means for rota is decided here: every local day an event touches, in the zone that
//! asks (the person's, or each rotation's), is a day off.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use icalendar::parser::{self, Component, Property};

use crate::local_time::local_date;

/// One occurrence of an event, as the file states its times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occurrence {
    /// An all-day event: these dates, inclusive, wherever you are.
    Days(NaiveDate, NaiveDate),
    /// A timed event fixed in time (UTC or a named zone): the local days depend on the zone.
    Instants(DateTime<Utc>, DateTime<Utc>),
    /// A timed event in "floating" local time: the same wall-clock times in every zone.
    Floating(NaiveDateTime, NaiveDateTime),
}

impl Occurrence {
    /// The local days the occurrence touches in `tz`, inclusive. The end is exclusive: an event
    /// ending at midnight does not touch the next day, but an event of no length touches its day.
    pub fn days_in(&self, tz: Tz) -> (NaiveDate, NaiveDate) {
        let second = TimeDelta::seconds(1);
        match *self {
            Occurrence::Days(a, b) => (a, b),
            Occurrence::Instants(a, b) => {
                let last = if b > a { b - second } else { a };
                (local_date(tz, a), local_date(tz, last))
            }
            Occurrence::Floating(a, b) => {
                let last = if b > a { b - second } else { a };
                (a.date(), last.date())
            }
        }
    }
}

/// A problem in an `.ics` file, at a 1-based line of the file as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcsError {
    pub line: usize,
    pub message: String,
}

/// Recurrences are expanded up to here: a rule without an end must stop somewhere, and rota's
/// plans never reach this far.
fn horizon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2100, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

/// Every occurrence of every event in the file (cancelled events left out).
pub fn occurrences(text: &str) -> Result<Vec<Occurrence>, IcsError> {
    let (unfolded, lines) = unfold(text);
    if !unfolded
        .trim_start()
        .to_ascii_uppercase()
        .starts_with("BEGIN:VCALENDAR")
    {
        return Err(IcsError {
            line: 1,
            message: "this is not an iCalendar file (it does not start with BEGIN:VCALENDAR)"
                .into(),
        });
    }
    // The parser names the component it gave up in; the line at fault is found here first.
    structure(&unfolded, &lines)?;
    let calendar = parser::read_calendar(&unfolded).map_err(|e| IcsError {
        line: error_line(&e, &lines),
        message: first_line(&e),
    })?;
    let at = |p: &Property| line_of(&unfolded, &lines, p.val.as_str());
    let events: Vec<&Component> = calendar
        .components
        .iter()
        .filter(|c| c.name.as_str().eq_ignore_ascii_case("VEVENT"))
        .collect();
    // Instances moved or cancelled one by one (RECURRENCE-ID) replace that instance of the
    // series they belong to.
    let mut replaced: Vec<(String, Stamp)> = Vec::new();
    for e in &events {
        if let (Some(uid), Some(rid)) = (e.find_prop("UID"), e.find_prop("RECURRENCE-ID")) {
            replaced.push((
                uid.val.as_str().to_string(),
                stamp(rid).map_err(|m| err(at(rid), m))?,
            ));
        }
    }
    let mut out = Vec::new();
    for e in events {
        let cancelled = e
            .find_prop("STATUS")
            .is_some_and(|s| s.val.as_str().eq_ignore_ascii_case("CANCELLED"));
        let Some(start) = e.find_prop("DTSTART") else {
            let line = e.properties.first().map_or(1, &at);
            return Err(err(line, "an event has no DTSTART".into()));
        };
        let first = stamp(start).map_err(|m| err(at(start), m))?;
        let length = match (e.find_prop("DTEND"), e.find_prop("DURATION")) {
            (Some(end), _) => {
                let end_stamp = stamp(end).map_err(|m| err(at(end), m))?;
                first.until(&end_stamp).ok_or_else(|| {
                    err(
                        at(end),
                        "DTEND is of another kind than DTSTART (a date against a date-time)".into(),
                    )
                })?
            }
            (None, Some(d)) => duration(d.val.as_str()).ok_or_else(|| {
                err(
                    at(d),
                    format!("DURATION `{}` is not a duration", d.val.as_str()),
                )
            })?,
            // RFC 5545: an all-day event without an end lasts its day, a timed one an instant.
            (None, None) if matches!(first, Stamp::Date(_)) => TimeDelta::days(1),
            (None, None) => TimeDelta::zero(),
        };
        if length < TimeDelta::zero() {
            let line = e.find_prop("DTEND").map_or(at(start), &at);
            return Err(err(line, "the event ends before it starts".into()));
        }
        let starts = match e.find_prop("RRULE") {
            None => vec![first],
            Some(rule) => {
                let uid = e.find_prop("UID").map(|u| u.val.as_str().to_string());
                let mut skip = Vec::new();
                for ex in e.properties.iter().filter(|p| p.name.as_str() == "EXDATE") {
                    skip.extend(stamps(ex).map_err(|m| err(at(ex), m))?);
                }
                if e.find_prop("RECURRENCE-ID").is_none() {
                    skip.extend(
                        replaced
                            .iter()
                            .filter(|(u, _)| Some(u) == uid.as_ref())
                            .map(|(_, s)| *s),
                    );
                }
                let mut extra = Vec::new();
                for rd in e.properties.iter().filter(|p| p.name.as_str() == "RDATE") {
                    extra.extend(stamps(rd).map_err(|m| err(at(rd), m))?);
                }
                expand(first, rule.val.as_str(), &skip, &extra).map_err(|m| err(at(rule), m))?
            }
        };
        if cancelled {
            continue;
        }
        out.extend(starts.into_iter().map(|s| s.occurrence(length)));
    }
    Ok(out)
}

fn err(line: usize, message: String) -> IcsError {
    IcsError { line, message }
}

/// A DTSTART-like value: a date, a UTC or zoned date-time, or a floating local one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stamp {
    Date(NaiveDate),
    Instant(DateTime<Utc>),
    Floating(NaiveDateTime),
}

impl Stamp {
    /// The length from this stamp to `end`, when both are of one kind.
    fn until(&self, end: &Stamp) -> Option<TimeDelta> {
        match (self, end) {
            (Stamp::Date(a), Stamp::Date(b)) => Some(*b - *a),
            (Stamp::Instant(a), Stamp::Instant(b)) => Some(*b - *a),
            (Stamp::Floating(a), Stamp::Floating(b)) => Some(*b - *a),
            // A zoned start with a floating end (or the reverse) is read as wall-clock times.
            _ => None,
        }
    }

    fn occurrence(self, length: TimeDelta) -> Occurrence {
        match self {
            Stamp::Date(d) => {
                // DTEND of an all-day event is the day after the last.
                let days = length.num_days().max(1);
                Occurrence::Days(d, d + TimeDelta::days(days - 1))
            }
            Stamp::Instant(t) => Occurrence::Instants(t, t + length),
            Stamp::Floating(t) => Occurrence::Floating(t, t + length),
        }
    }
}

fn stamp(p: &Property) -> Result<Stamp, String> {
    let mut all = stamps(p)?;
    match all.len() {
        1 => Ok(all.remove(0)),
        _ => Err(format!(
            "{} `{}` is not one date or date-time",
            p.name.as_str(),
            p.val.as_str()
        )),
    }
}

/// The values of a date property (EXDATE and RDATE may list several).
fn stamps(p: &Property) -> Result<Vec<Stamp>, String> {
    let param = |name: &str| {
        p.params
            .iter()
            .find(|x| x.key.as_str().eq_ignore_ascii_case(name))
            .and_then(|x| x.val.as_ref())
            .map(|v| v.as_str().trim_matches('"').to_string())
    };
    let is_date = param("VALUE").is_some_and(|v| v.eq_ignore_ascii_case("DATE"));
    let zone = param("TZID").and_then(|z| z.trim_start_matches('/').parse::<Tz>().ok());
    p.val
        .as_str()
        .split(',')
        .map(|v| {
            let v = v.trim();
            let bad = || format!("{} `{v}` is not a date or date-time", p.name.as_str());
            // chrono reads fewer digits than the format's width; RFC 5545 fixes the width.
            let shape: String = v
                .chars()
                .map(|c| if c.is_ascii_digit() { '9' } else { c })
                .collect();
            if !matches!(
                shape.as_str(),
                "99999999" | "99999999T999999" | "99999999T999999Z" | "99999999T999999z"
            ) {
                return Err(bad());
            }
            if is_date || (v.len() == 8 && !v.contains('T')) {
                return NaiveDate::parse_from_str(v, "%Y%m%d")
                    .map(Stamp::Date)
                    .map_err(|_| bad());
            }
            if let Some(utc) = v.strip_suffix('Z').or_else(|| v.strip_suffix('z')) {
                let t = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").map_err(|_| bad())?;
                return Ok(Stamp::Instant(t.and_utc()));
            }
            let t = NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S").map_err(|_| bad())?;
            // A zone rota does not know (an Outlook name such as "W. Europe Standard Time")
            // is read as floating time: the wall clock of whoever the file belongs to.
            Ok(match zone {
                Some(tz) => Stamp::Instant(crate::local_time::resolve(tz, t)),
                None => Stamp::Floating(t),
            })
        })
        .collect()
}

/// The starts of a recurring event, by the rrule crate, up to the horizon.
fn expand(first: Stamp, rule: &str, skip: &[Stamp], extra: &[Stamp]) -> Result<Vec<Stamp>, String> {
    let utc = rrule::Tz::UTC;
    // Dates and floating times recur on the wall clock: expanded as if in UTC, read back as such.
    let to_dt = |s: &Stamp| -> DateTime<rrule::Tz> {
        let naive = match *s {
            Stamp::Date(d) => d.and_hms_opt(0, 0, 0).unwrap_or_default(),
            Stamp::Instant(t) => t.naive_utc(),
            Stamp::Floating(t) => t,
        };
        utc.from_utc_datetime(&naive)
    };
    let back = |t: DateTime<rrule::Tz>| -> Stamp {
        let naive = t.naive_utc();
        match first {
            Stamp::Date(_) => Stamp::Date(naive.date()),
            Stamp::Instant(_) => Stamp::Instant(naive.and_utc()),
            Stamp::Floating(_) => Stamp::Floating(naive),
        }
    };
    let parsed: rrule::RRule<rrule::Unvalidated> = rule
        .parse()
        .map_err(|e| format!("RRULE `{rule}` is not a recurrence rule: {e}"))?;
    let mut set = parsed
        .build(to_dt(&first))
        .map_err(|e| format!("RRULE `{rule}` is not a valid recurrence rule: {e}"))?
        .before(utc.from_utc_datetime(&horizon().naive_utc()));
    for s in skip {
        set = set.exdate(to_dt(s));
    }
    for s in extra {
        set = set.rdate(to_dt(s));
    }
    Ok(set.all(u16::MAX).dates.into_iter().map(back).collect())
}

/// RFC 5545 durations: `P2D`, `PT8H30M`, `P1W`, `P1DT12H`.
fn duration(text: &str) -> Option<TimeDelta> {
    let (negative, rest) = match text.trim().strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text.trim().strip_prefix('+').unwrap_or(text.trim())),
    };
    let rest = rest.strip_prefix('P')?;
    let mut total = TimeDelta::zero();
    let mut number = String::new();
    let mut in_time = false;
    let mut any = false;
    for c in rest.chars() {
        match c {
            'T' => in_time = true,
            '0'..='9' => number.push(c),
            _ => {
                let n: i64 = number.parse().ok()?;
                number.clear();
                any = true;
                total += match (c, in_time) {
                    ('W', false) => TimeDelta::weeks(n),
                    ('D', false) => TimeDelta::days(n),
                    ('H', true) => TimeDelta::hours(n),
                    ('M', true) => TimeDelta::minutes(n),
                    ('S', true) => TimeDelta::seconds(n),
                    _ => return None,
                };
            }
        }
    }
    (any && number.is_empty()).then_some(if negative { -total } else { total })
}

/// The unfolded text the parser reads, and for each of its lines the line of the file it
/// starts on, so errors point at the file as written.
fn unfold(text: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(text.len());
    let mut lines = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        if (line.starts_with(' ') || line.starts_with('\t')) && !lines.is_empty() {
            if out.ends_with('\n') {
                out.pop();
                if out.ends_with('\r') {
                    out.pop();
                }
            }
            out.push_str(&line[1..]);
        } else {
            lines.push(i + 1);
            out.push_str(line);
        }
        out.push('\n');
    }
    out.pop();
    (out, lines)
}

/// Every line is `NAME[;PARAM=...]:value`, and BEGIN and END pair up: the two mistakes a
/// hand-edited or truncated export makes, reported at their line.
fn structure(unfolded: &str, lines: &[usize]) -> Result<(), IcsError> {
    let mut open: Vec<(String, usize)> = Vec::new();
    for (i, line) in unfolded.split('\n').enumerate() {
        let line = line.trim_end_matches('\r');
        let at = lines.get(i).copied().unwrap_or(i + 1);
        if line.trim().is_empty() {
            continue;
        }
        let name_end = line.find([':', ';']).unwrap_or(line.len());
        let name = &line[..name_end];
        if name.is_empty()
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            || !line.contains(':')
        {
            return Err(err(
                at,
                format!("`{}` is not an iCalendar line (NAME:value)", shorten(line)),
            ));
        }
        let value = line[line.find(':').map_or(line.len(), |c| c + 1)..]
            .trim()
            .to_ascii_uppercase();
        if name.eq_ignore_ascii_case("BEGIN") {
            open.push((value, at));
        } else if name.eq_ignore_ascii_case("END") {
            match open.pop() {
                Some((begun, _)) if begun == value => {}
                Some((begun, line)) => {
                    return Err(err(
                        at,
                        format!("END:{value} closes BEGIN:{begun} of line {line}"),
                    ));
                }
                None => return Err(err(at, format!("END:{value} without a BEGIN"))),
            }
        }
    }
    match open.pop() {
        Some((begun, line)) => Err(err(
            line,
            format!("BEGIN:{begun} is never closed (the file may be cut short)"),
        )),
        None => Ok(()),
    }
}

fn shorten(line: &str) -> String {
    let mut s: String = line.chars().take(40).collect();
    if s.len() < line.len() {
        s.push('…');
    }
    s.escape_debug().to_string()
}

/// The file line of a value borrowed from the unfolded text.
fn line_of(unfolded: &str, lines: &[usize], value: &str) -> usize {
    let base = unfolded.as_ptr() as usize;
    let at = value.as_ptr() as usize;
    if at < base || at > base + unfolded.len() {
        return 1;
    }
    let offset = at - base;
    let line = unfolded[..offset].matches('\n').count();
    lines.get(line).copied().unwrap_or(1)
}

/// nom's readable error names the line of the unfolded text: "at line 5, in ...".
fn error_line(message: &str, lines: &[usize]) -> usize {
    message
        .split("at line ")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse::<usize>().ok())
        .and_then(|n| lines.get(n.saturating_sub(1)).copied())
        .unwrap_or(1)
}

fn first_line(message: &str) -> String {
    let text = message.trim_start_matches("error: ").trim();
    let first = text.lines().next().unwrap_or("not valid iCalendar").trim();
    format!("not valid iCalendar ({})", first.trim_end_matches(':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn cal(events: &str) -> String {
        format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n{events}END:VCALENDAR\r\n")
    }

    #[test]
    fn an_all_day_event_ends_the_day_before_its_dtend() {
        let text = cal(
            "BEGIN:VEVENT\r\nUID:a\r\nDTSTART;VALUE=DATE:20261224\r\nDTEND;VALUE=DATE:20261227\r\nEND:VEVENT\r\n",
        );
        assert_eq!(
            occurrences(&text).unwrap(),
            vec![Occurrence::Days(d(2026, 12, 24), d(2026, 12, 26))]
        );
    }

    #[test]
    fn a_timed_event_touches_the_local_days_of_the_zone_that_asks() {
        let text = cal(
            "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20261224T220000Z\r\nDTEND:20261225T020000Z\r\nEND:VEVENT\r\n",
        );
        let o = occurrences(&text).unwrap()[0];
        assert_eq!(
            o.days_in(chrono_tz::UTC),
            (d(2026, 12, 24), d(2026, 12, 25))
        );
        assert_eq!(
            o.days_in(chrono_tz::Asia::Tokyo),
            (d(2026, 12, 25), d(2026, 12, 25))
        );
    }

    #[test]
    fn weekly_recurrences_skip_their_exdates() {
        let text = cal(
            "BEGIN:VEVENT\r\nUID:a\r\nDTSTART;VALUE=DATE:20270104\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nEXDATE;VALUE=DATE:20270111\r\nEND:VEVENT\r\n",
        );
        assert_eq!(
            occurrences(&text).unwrap(),
            vec![
                Occurrence::Days(d(2027, 1, 4), d(2027, 1, 4)),
                Occurrence::Days(d(2027, 1, 18), d(2027, 1, 18)),
            ]
        );
    }

    #[test]
    fn a_broken_line_is_named_as_written_in_the_file() {
        let text = cal(
            "BEGIN:VEVENT\r\nUID:a long uid\r\n  folded\r\nDTSTART;VALUE=DATE:2026122\r\nEND:VEVENT\r\n",
        );
        let e = occurrences(&text).unwrap_err();
        assert_eq!(e.line, 7, "{e:?}");
        assert!(e.message.contains("DTSTART"), "{e:?}");
    }

    #[test]
    fn a_line_that_is_no_property_and_an_unclosed_component_are_named_at_their_lines() {
        let e = occurrences(&cal(
            "BEGIN:VEVENT\r\nUID:a\r\nnot a property\r\nEND:VEVENT\r\n",
        ))
        .unwrap_err();
        assert_eq!(e.line, 6, "{e:?}");
        let e = occurrences("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\n").unwrap_err();
        assert_eq!(
            (e.line, e.message.contains("never closed")),
            (2, true),
            "{e:?}"
        );
        let e = occurrences("hello").unwrap_err();
        assert!(e.message.contains("not an iCalendar file"), "{e:?}");
    }

    #[test]
    fn durations_read_as_rfc_5545_writes_them() {
        assert_eq!(duration("P1DT12H"), Some(TimeDelta::hours(36)));
        assert_eq!(duration("PT30M"), Some(TimeDelta::minutes(30)));
        assert_eq!(duration("P2W"), Some(TimeDelta::weeks(2)));
        assert_eq!(duration("P"), None);
        assert_eq!(duration("1D"), None);
    }
}
