//! iCalendar (RFC 5545) feeds: shifts → `.ics` bytes, reproducible to the byte.
//!
//! Every content line goes through `icalendar::Property`, which escapes TEXT values (`\,`
//! `\;` `\n` `\\`), folds lines at 75 octets on character boundaries and ends them with CRLF.
//! The components around those lines are assembled here rather than with the crate's
//! `Component` writer, because that writer stamps every `VALARM` (and any component without
//! them) with a clock `DTSTAMP` and a random `UID`, which would break the promise that the same
//! config gives byte-identical files.
//!
//! Each event is rendered once ([`events`]) and the same bytes go into every feed that holds it
//! ([`feed`]): the team's, its rotation's and its assignee's show one event identically.

use chrono::{DateTime, NaiveTime, TimeDelta, Utc};
use chrono_tz::Tz;
use icalendar::{Parameter, Property};

use crate::model::Model;
use crate::plan::{self, Period, Shift};
use crate::timefmt;

/// How often subscribed clients should re-read a published feed.
const REFRESH: &str = "PT12H";

/// What a feed says about itself, in calendar-level properties.
pub struct Feed<'a> {
    /// `X-WR-CALNAME`: the name calendar apps show for the subscription.
    pub name: &'a str,
    /// `X-WR-CALDESC`.
    pub description: &'a str,
    /// `X-WR-TIMEZONE`: the zone apps display it in by default (event times stay in UTC).
    pub timezone: Tz,
}

/// A calendar named `name` holding one event per shift, in the team's zone: for a reminder's
/// attachment, whose events carry the same UIDs as the exported feeds.
pub fn calendar(model: &Model, name: &str, shifts: &[Shift]) -> String {
    let events = events(model, shifts);
    let description = format!("{} rota", model.team.name);
    feed(
        &Feed {
            name,
            description: &description,
            timezone: model.team.timezone,
        },
        events.iter().map(String::as_str),
    )
}

/// A `VCALENDAR` around already rendered events.
pub fn feed<'e>(feed: &Feed, events: impl IntoIterator<Item = &'e str>) -> String {
    let mut out = Lines::default();
    out.line("BEGIN", "VCALENDAR");
    out.line("VERSION", "2.0");
    out.line("PRODID", "-//rota//rota//EN");
    out.line("CALSCALE", "GREGORIAN");
    out.line("METHOD", "PUBLISH");
    out.line("X-WR-CALNAME", feed.name);
    out.line("X-WR-CALDESC", feed.description);
    out.line("X-WR-TIMEZONE", feed.timezone.name());
    out.with_value_type("REFRESH-INTERVAL", "DURATION", REFRESH);
    out.line("X-PUBLISHED-TTL", REFRESH);
    for event in events {
        out.0.push_str(event);
    }
    out.line("END", "VCALENDAR");
    out.0
}

/// One `VEVENT` per shift, in the order of `shifts`.
pub fn events(model: &Model, shifts: &[Shift]) -> Vec<String> {
    let neighbours = Neighbours::around(model, shifts);
    shifts
        .iter()
        .map(|shift| event(model, shift, &neighbours))
        .collect()
}

fn event(model: &Model, shift: &Shift, neighbours: &Neighbours) -> String {
    let summary = summary(model, shift);
    let mut out = Lines::default();
    out.line("BEGIN", "VEVENT");
    out.line("UID", &uid(model, shift));
    out.line("DTSTAMP", &utc(stamp(model)));
    out.line("DTSTART", &utc(shift.start));
    out.line("DTEND", &utc(shift.end));
    out.line("SUMMARY", &summary);
    out.line("DESCRIPTION", &description(model, shift, neighbours));
    // Being on duty is not being busy: it must not block invitations in anyone's calendar.
    out.line("TRANSP", "TRANSPARENT");
    out.line("BEGIN", "VALARM");
    out.line("ACTION", "DISPLAY");
    out.line("TRIGGER", "-P1D");
    out.line("DESCRIPTION", &format!("Tomorrow: {summary}"));
    out.line("END", "VALARM");
    out.line("END", "VEVENT");
    out.0
}

/// "Ana Popescu — support-hero", or "UNASSIGNED — apac" for a turn nobody was free to take.
pub fn summary(model: &Model, shift: &Shift) -> String {
    let rotation = &model.rotations[shift.rotation].name;
    match shift.person {
        Some(p) => format!("{} — {rotation}", model.people[p].name),
        None => format!("UNASSIGNED — {rotation}"),
    }
}

/// The event's identity: the rotation and the slot, never the assignee or the end, so that a
/// slot that changes hands (someone went away, an override) updates the subscribed event
/// instead of adding a second one. A part split off by an override adds its offset from the
/// slot's start, which does not depend on who holds it either.
///
/// `2026-12-07-support-hero@acme-support.rota`, `2026-12-02-emea+PT6H@acme-support.rota`.
pub fn uid(model: &Model, shift: &Shift) -> String {
    let rotation = uid_escape(&model.rotations[shift.rotation].name);
    let part = if shift.is_split_part() {
        format!("+{}", iso_duration(shift.start - shift.slot.start))
    } else {
        String::new()
    };
    format!(
        "{}-{rotation}{part}@{}.rota",
        shift.slot.date.format("%Y-%m-%d"),
        domain(&model.team.name)
    )
}

/// The DTSTAMP of every event: midnight UTC of `team.start`, the date the whole plan is
/// counted from. It must not come from the clock (files would differ on every export), and a
/// subscribed calendar replaces its events on each refresh, so a fixed stamp loses nothing.
pub fn stamp(model: &Model) -> DateTime<Utc> {
    model.team.start.and_time(NaiveTime::MIN).and_utc()
}

fn description(model: &Model, shift: &Shift, neighbours: &Neighbours) -> String {
    let rotation = &model.rotations[shift.rotation];
    let mut lines = vec![format!("Rotation: {} ({})", rotation.name, model.team.name)];
    let times = |tz: Tz| {
        format!(
            "{} – {}",
            timefmt::short(shift.start, tz),
            timefmt::short(shift.end, tz)
        )
    };
    match shift.person {
        Some(p) => {
            let person = &model.people[p];
            lines.push(format!(
                "On duty: {} ({})",
                person.name,
                times(person.timezone)
            ));
            if person.timezone != rotation.timezone {
                lines.push(format!(
                    "Rotation time ({}): {}",
                    rotation.timezone.name(),
                    times(rotation.timezone)
                ));
            }
        }
        None => {
            lines.push("On duty: nobody — no member was free for this turn".to_string());
            lines.push(format!(
                "Rotation time ({}): {}",
                rotation.timezone.name(),
                times(rotation.timezone)
            ));
        }
    }
    if shift.is_override {
        lines.push("This is an override: a one-off swap for this time only.".to_string());
    }
    let tz = rotation.timezone;
    lines.push(match neighbours.before(model, shift) {
        Some(prev) => format!(
            "Before: {}, until {}",
            holder(model, &prev),
            timefmt::short(prev.end, tz)
        ),
        None => "Before: nobody".to_string(),
    });
    lines.push(match neighbours.after(model, shift) {
        Some(next) => format!(
            "After: {}, from {}",
            holder(model, &next),
            timefmt::short(next.start, tz)
        ),
        None => "After: nobody".to_string(),
    });
    lines.join("\n")
}

fn holder<'m>(model: &'m Model, shift: &Shift) -> &'m str {
    shift
        .person
        .map_or("nobody", |p| model.people[p].name.as_str())
}

/// The shifts around those of a feed, per rotation, to tell who hands over before and after
/// each one, also across the edges of the exported period.
struct Neighbours {
    /// Per rotation, sorted by start.
    by_rotation: Vec<Vec<Shift>>,
}

/// Wider than the longest run of days without a shift in most rotations (a weekend, a week of
/// weekly-only duty); rarer longer runs are found by searching further out.
const MARGIN_DAYS: i64 = 8;
/// How far to search for a neighbour before saying "nobody".
const SEARCH_DAYS: i64 = 512;

impl Neighbours {
    fn around(model: &Model, shifts: &[Shift]) -> Self {
        let mut by_rotation = vec![Vec::new(); model.rotations.len()];
        let from = shifts.iter().map(|s| s.start).min();
        let to = shifts.iter().map(|s| s.end).max();
        if let (Some(from), Some(to)) = (from, to) {
            let margin = TimeDelta::days(MARGIN_DAYS);
            for shift in plan::overlapping(model, Period::new(from - margin, to + margin)) {
                by_rotation[shift.rotation].push(shift);
            }
        }
        Neighbours { by_rotation }
    }

    /// The shift of the same rotation just before `shift`.
    fn before(&self, model: &Model, shift: &Shift) -> Option<Shift> {
        let list = &self.by_rotation[shift.rotation];
        let ix = list.partition_point(|s| s.start < shift.start);
        if ix > 0 {
            return Some(list[ix - 1].clone());
        }
        // No shift starts before `team.start`; a day's slack covers zones east of UTC.
        let first_possible = stamp(model) - TimeDelta::days(2);
        let mut reach = TimeDelta::days(2 * MARGIN_DAYS);
        while reach <= TimeDelta::days(SEARCH_DAYS) && shift.start - reach / 2 > first_possible {
            let period = Period::new(shift.start - reach, shift.start);
            let found = plan::overlapping(model, period)
                .into_iter()
                .filter(|s| s.rotation == shift.rotation && s.start < shift.start)
                .max_by_key(|s| s.start);
            if found.is_some() {
                return found;
            }
            reach = reach * 2;
        }
        None
    }

    /// The shift of the same rotation just after `shift`.
    fn after(&self, model: &Model, shift: &Shift) -> Option<Shift> {
        let list = &self.by_rotation[shift.rotation];
        let ix = list.partition_point(|s| s.start <= shift.start);
        if let Some(next) = list.get(ix) {
            return Some(next.clone());
        }
        let mut reach = TimeDelta::days(2 * MARGIN_DAYS);
        while reach <= TimeDelta::days(SEARCH_DAYS) {
            let period = Period::new(shift.start, shift.end + reach);
            let found = plan::overlapping(model, period)
                .into_iter()
                .filter(|s| s.rotation == shift.rotation && s.start > shift.start)
                .min_by_key(|s| s.start);
            if found.is_some() {
                return found;
            }
            reach = reach * 2;
        }
        None
    }
}

/// `20261207T080000Z`: RFC 5545's UTC form, which every client reads without a VTIMEZONE.
fn utc(instant: DateTime<Utc>) -> String {
    instant.format("%Y%m%dT%H%M%SZ").to_string()
}

/// `PT6H`, `PT14H30M`: an RFC 5545 duration, for the part of a split shift.
fn iso_duration(delta: TimeDelta) -> String {
    let seconds = delta.num_seconds();
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    let mut out = String::from("PT");
    if h != 0 {
        out.push_str(&format!("{h}H"));
    }
    if m != 0 {
        out.push_str(&format!("{m}M"));
    }
    if s != 0 || (h == 0 && m == 0) {
        out.push_str(&format!("{s}S"));
    }
    out
}

/// Keeps `A-Z a-z 0-9 - _ .` and percent-encodes every other byte, so that UIDs are ASCII and
/// two different rotation names never share one (`+` is encoded: it separates a split part).
fn uid_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `Acme Support` → `acme-support`: the team as the UIDs' domain, so that two teams' feeds
/// in one calendar never share a UID.
fn domain(team: &str) -> String {
    let mut out = String::new();
    for c in team.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "team".to_string()
    } else {
        out.to_string()
    }
}

/// Content lines, each escaped, folded and CRLF-terminated by `icalendar::Property`.
#[derive(Default)]
struct Lines(String);

impl Lines {
    fn line(&mut self, key: &str, value: &str) {
        self.push(Property::new(key, value));
    }

    fn with_value_type(&mut self, key: &str, value_type: &str, value: &str) {
        let mut property = Property::new(key, value);
        property.append_parameter(Parameter::new("VALUE", value_type));
        self.push(property);
    }

    fn push(&mut self, property: Property) {
        // Writing into a String cannot fail; an empty line would only be a bug here.
        let folded: String = property.try_into().unwrap_or_default();
        // icalendar 0.17 leaves the last piece of a folded line one octet too long (76), so
        // its folding is undone and redone here. Escaped TEXT holds no line break of its own,
        // so every CRLF in it is the crate's.
        let line = folded.trim_end_matches("\r\n").replace("\r\n ", "");
        fold(&line, &mut self.0);
    }
}

/// RFC 5545 section 3.1: lines of at most 75 octets, continued on lines starting with a space,
/// never splitting a UTF-8 character; each ends with CRLF.
fn fold(line: &str, out: &mut String) {
    const LIMIT: usize = 75;
    let mut rest = line;
    let mut room = LIMIT;
    loop {
        let mut cut = rest.len().min(room);
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n");
        rest = &rest[cut..];
        if rest.is_empty() {
            break;
        }
        out.push(' ');
        room = LIMIT - 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reminder_calendar_carries_the_same_event_as_the_feeds() {
        let config = "[team]\nname = \"T\"\ntimezone = \"UTC\"\nstart = 2026-12-07\n\
            [[person]]\nid = \"a\"\nname = \"A\"\n\
            [[rotation]]\nname = \"r\"\nmembers = [\"a\"]\nshift = \"09:00-17:00\"\n";
        let model = crate::config::load(config, "rotation.toml").expect("valid config");
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 8).unwrap();
        let shifts = plan::plan(&model, Period::months(day, 1, chrono_tz::UTC));
        let one = calendar(&model, "Your turn", &shifts[1..2]);
        assert_eq!(one.matches("BEGIN:VEVENT").count(), 1);
        assert!(one.contains("X-WR-CALNAME:Your turn\r\n"));
        assert!(one.contains(&events(&model, &shifts)[1]));
        assert!(one.contains("UID:2026-12-08-r@t.rota\r\n"));
        assert!(
            one.replace("\r\n ", "")
                .contains("Before: A\\, until Mon 7 Dec 17:00 UTC")
        );
    }

    #[test]
    fn split_part_offsets_read_as_rfc_5545_durations() {
        assert_eq!(iso_duration(TimeDelta::hours(6)), "PT6H");
        assert_eq!(iso_duration(TimeDelta::minutes(14 * 60 + 30)), "PT14H30M");
        assert_eq!(iso_duration(TimeDelta::seconds(5)), "PT5S");
    }

    #[test]
    fn uid_parts_are_ascii_and_never_collide() {
        assert_eq!(uid_escape("support-hero"), "support-hero");
        assert_eq!(uid_escape("équipe"), "%C3%A9quipe");
        assert_ne!(uid_escape("a+b"), uid_escape("a-b"));
        assert!(!uid_escape("x+PT6H").contains('+'));
        assert_eq!(domain("Acme Support, Inc."), "acme-support-inc");
        assert_eq!(domain("Ünïcode Ωteam"), "n-code-team");
        assert_eq!(domain("—"), "team");
    }

    #[test]
    fn text_is_escaped_and_long_lines_fold_at_75_octets_with_crlf() {
        let mut lines = Lines::default();
        let name = "Doe, Jane; Inês Yılmaz \\ ".repeat(6);
        lines.line("SUMMARY", &name);
        let text = lines.0;
        assert!(text.starts_with("SUMMARY:Doe\\, Jane\\; Inês Yılmaz \\\\ Doe"));
        assert!(text.ends_with("\r\n"));
        for line in text.split_terminator("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
            assert!(!line.contains('\n') && !line.contains('\r'));
        }
        let unfolded = text.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded.len(), "SUMMARY:".len() + name.len() + 6 * 3);
    }

    #[test]
    fn folding_fills_lines_to_exactly_75_octets_and_keeps_characters_whole() {
        for len in [74, 75, 76, 149, 150, 151, 300] {
            let mut out = String::new();
            fold(&"x".repeat(len), &mut out);
            let lines: Vec<&str> = out.split_terminator("\r\n").collect();
            assert!(lines.iter().all(|l| l.len() <= 75), "{len}: {lines:?}");
            assert_eq!(out.replace("\r\n ", "").trim_end(), "x".repeat(len));
        }
        let mut out = String::new();
        fold(&"ı".repeat(80), &mut out);
        assert!(out.split_terminator("\r\n").all(|l| l.len() <= 75));
        assert_eq!(out.replace("\r\n ", "").trim_end(), "ı".repeat(80));
    }
}
