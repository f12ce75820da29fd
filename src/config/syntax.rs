//! Parsers for the small languages inside config strings: day sets, windows, turn lengths,
//! durations and dates. Each returns a message fit for a diagnostic on failure.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Weekday};

use crate::model::{DaySet, TurnLength, Window};

/// A parse failure: what is wrong and how to write it instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub help: String,
}

fn problem(message: impl Into<String>, help: impl Into<String>) -> Problem {
    Problem {
        message: message.into(),
        help: help.into(),
    }
}

const DAYS_HELP: &str = "write days like \"daily\", \"mon-fri\", \"sat,sun\" or \"fri-mon\"";

/// `daily`, `weekdays`, `weekends`, `mon-fri`, `sat,sun`, `fri-mon` (ranges wrap over Sunday).
pub fn day_set(text: &str) -> Result<DaySet, Problem> {
    let mut set = DaySet::empty();
    for item in text.split(',') {
        let item = item.trim().to_ascii_lowercase();
        match item.as_str() {
            "daily" | "everyday" | "every day" | "all" => return_all(&mut set),
            "weekdays" => add_range(&mut set, Weekday::Mon, Weekday::Fri),
            "weekends" | "weekend" => add_range(&mut set, Weekday::Sat, Weekday::Sun),
            "" => return Err(problem(format!("empty day in `{text}`"), DAYS_HELP)),
            _ => match item.split_once('-') {
                Some((a, b)) => {
                    add_range(&mut set, weekday(a.trim(), text)?, weekday(b.trim(), text)?)
                }
                None => set.insert(weekday(&item, text)?),
            },
        }
    }
    Ok(set)
}

fn return_all(set: &mut DaySet) {
    *set = DaySet::ALL;
}

fn add_range(set: &mut DaySet, from: Weekday, to: Weekday) {
    let mut day = from;
    loop {
        set.insert(day);
        if day == to {
            break;
        }
        day = day.succ();
    }
}

fn weekday(name: &str, whole: &str) -> Result<Weekday, Problem> {
    let day = match name {
        "mon" | "monday" => Weekday::Mon,
        "tue" | "tues" | "tuesday" => Weekday::Tue,
        "wed" | "wednesday" => Weekday::Wed,
        "thu" | "thur" | "thurs" | "thursday" => Weekday::Thu,
        "fri" | "friday" => Weekday::Fri,
        "sat" | "saturday" => Weekday::Sat,
        "sun" | "sunday" => Weekday::Sun,
        _ => {
            let words = [
                "mon",
                "tue",
                "wed",
                "thu",
                "fri",
                "sat",
                "sun",
                "monday",
                "tuesday",
                "wednesday",
                "thursday",
                "friday",
                "saturday",
                "sunday",
                "daily",
                "weekdays",
                "weekends",
            ];
            let hint = match super::suggest::did_you_mean(name, words) {
                Some(m) => format!("{m} {DAYS_HELP}"),
                None => format!("days are mon, tue, wed, thu, fri, sat, sun; {DAYS_HELP}"),
            };
            return Err(problem(format!("unknown day `{name}` in `{whole}`"), hint));
        }
    };
    Ok(day)
}

const WINDOW_HELP: &str = "write a local window like \"09:00-17:00\"; \"22:00-06:00\" crosses midnight, \"00:00-24:00\" lasts a day";

/// `HH:MM-HH:MM`; the end may be `24:00`, and an end at or before the start is on the next day.
pub fn window(text: &str) -> Result<Window, Problem> {
    let (a, b) = text
        .split_once('-')
        .ok_or_else(|| problem(format!("`{text}` is not a time window"), WINDOW_HELP))?;
    let start = minute_of_day(a.trim(), text)?;
    let end = minute_of_day(b.trim(), text)?;
    if start == 1440 {
        return Err(problem(
            format!("a window cannot start at 24:00 in `{text}`"),
            "start at 00:00 instead",
        ));
    }
    Ok(Window::new(start, end))
}

fn minute_of_day(hhmm: &str, whole: &str) -> Result<u32, Problem> {
    let bad = || {
        problem(
            format!("`{hhmm}` is not a time of day in `{whole}`"),
            WINDOW_HELP,
        )
    };
    let (h, m) = hhmm.split_once(':').ok_or_else(bad)?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return Err(bad());
    }
    let h: u32 = h.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

const TURN_HELP: &str = "write \"day\", \"week\", \"2 weeks\" or \"3 days\"";

/// `day`, `week`, `N days`, `N weeks`.
pub fn turn_length(text: &str) -> Result<TurnLength, Problem> {
    let lower = text.trim().to_ascii_lowercase();
    let digits_end = lower
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(lower.len());
    let (count, unit) = lower.split_at(digits_end);
    let count: u32 = if count.is_empty() {
        1
    } else {
        count
            .parse()
            .map_err(|_| problem(format!("`{text}` is not a turn length"), TURN_HELP))?
    };
    let per = match unit.trim() {
        "day" | "days" | "d" => 1,
        "week" | "weeks" | "w" => 7,
        _ => return Err(problem(format!("`{text}` is not a turn length"), TURN_HELP)),
    };
    if count == 0 || count > 3650 {
        return Err(problem(
            format!("a turn of `{text}` is out of range"),
            "a turn lasts from 1 day to 10 years",
        ));
    }
    Ok(TurnLength { days: count * per })
}

const DURATION_HELP: &str = "write a duration like \"24h\", \"36h\", \"2d\" or \"1h30m\"";

/// `24h`, `2d`, `1h30m`, `90 minutes`, `1 day 12 hours`.
pub fn duration(text: &str) -> Result<TimeDelta, Problem> {
    let bad = || problem(format!("`{text}` is not a duration"), DURATION_HELP);
    let mut total = TimeDelta::zero();
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(bad());
        }
        let n: i64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = rest[digits..].trim_start();
        let unit_len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let unit = rest[..unit_len].to_ascii_lowercase();
        rest = rest[unit_len..].trim_start_matches([' ', ',']);
        let seconds = match unit.as_str() {
            "w" | "week" | "weeks" => 7 * 86_400,
            "d" | "day" | "days" => 86_400,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3_600,
            "m" | "min" | "mins" | "minute" | "minutes" => 60,
            "s" | "sec" | "secs" | "second" | "seconds" => 1,
            _ => return Err(bad()),
        };
        let part = n
            .checked_mul(seconds)
            .filter(|s| *s <= 366 * 86_400)
            .ok_or_else(|| problem(format!("`{text}` is too long"), "use at most a year"))?;
        total += TimeDelta::seconds(part);
    }
    Ok(total)
}

const DATE_HELP: &str = "write a date as 2026-12-24 (TOML date or string)";

pub fn date(value: &toml::Value) -> Result<NaiveDate, Problem> {
    match value {
        toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => dt
            .date
            .and_then(|d| NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into()))
            .ok_or_else(|| problem(format!("`{dt}` is not a date"), DATE_HELP)),
        toml::Value::String(s) => date_str(s),
        other => Err(problem(format!("`{other}` is not a date"), DATE_HELP)),
    }
}

pub fn date_str(s: &str) -> Result<NaiveDate, Problem> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| problem(format!("`{s}` is not a date"), DATE_HELP))
}

/// `2026-12-24`, or an inclusive range `2026-12-24..2026-12-27`.
pub fn date_range(value: &toml::Value) -> Result<(NaiveDate, NaiveDate), Problem> {
    if let toml::Value::String(s) = value
        && let Some((a, b)) = s.split_once("..")
    {
        let (from, to) = (date_str(a)?, date_str(b)?);
        if to < from {
            return Err(problem(
                format!("the range `{s}` ends before it starts"),
                format!("write it as \"{b}..{a}\""),
            ));
        }
        return Ok((from, to));
    }
    let d = date(value).map_err(|p| Problem {
        help: "write a day as \"2026-12-24\" or a range as \"2026-12-24..2026-12-27\"".into(),
        ..p
    })?;
    Ok((d, d))
}

/// A moment in the config: a local date-time (in a zone the caller knows) or one with an offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    Local(NaiveDateTime),
    Absolute(chrono::DateTime<chrono::FixedOffset>),
}

const MOMENT_HELP: &str = "write a local time like 2026-12-10T08:00:00 (in the rotation's zone)";

pub fn moment(value: &toml::Value) -> Result<Moment, Problem> {
    let text = match value {
        toml::Value::Datetime(dt) => dt.to_string(),
        toml::Value::String(s) => s.trim().to_string(),
        other => {
            return Err(problem(
                format!("`{other}` is not a date and time"),
                MOMENT_HELP,
            ));
        }
    };
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(&text) {
        return Ok(Moment::Absolute(t));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(&text, format) {
            return Ok(Moment::Local(t));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
        return Ok(Moment::Local(d.and_time(NaiveTime::MIN)));
    }
    Err(problem(
        format!("`{text}` is not a date and time"),
        MOMENT_HELP,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(text: &str) -> Vec<Weekday> {
        let set = day_set(text).unwrap();
        let all = [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ];
        all.into_iter().filter(|d| set.contains(*d)).collect()
    }

    #[test]
    fn day_sets_cover_lists_ranges_and_wrapping_ranges() {
        use Weekday::*;
        assert_eq!(days("daily"), vec![Mon, Tue, Wed, Thu, Fri, Sat, Sun]);
        assert_eq!(days("mon-fri"), vec![Mon, Tue, Wed, Thu, Fri]);
        assert_eq!(days("sat,sun"), vec![Sat, Sun]);
        assert_eq!(days("fri-mon"), vec![Mon, Fri, Sat, Sun]);
        assert_eq!(days("Mon, wed-thu"), vec![Mon, Wed, Thu]);
        assert!(day_set("mon-fry").unwrap_err().message.contains("fry"));
        assert!(
            day_set("weekday")
                .unwrap_err()
                .help
                .starts_with("did you mean `weekdays`?")
        );
    }

    #[test]
    fn windows_may_cross_midnight_or_last_a_day() {
        assert_eq!(window("09:00-17:00").unwrap(), Window::new(540, 1020));
        assert_eq!(window("22:00-06:00").unwrap().end_minute, 1800);
        assert_eq!(window("00:00-24:00").unwrap().end_minute, 1440);
        assert_eq!(window("09:00-09:00").unwrap().end_minute, 540 + 1440);
        assert!(window("9-17").is_err());
        assert!(window("24:00-06:00").is_err());
        assert!(window("10:60-11:00").is_err());
    }

    #[test]
    fn turn_lengths_are_days_or_weeks() {
        assert_eq!(turn_length("day").unwrap().days, 1);
        assert_eq!(turn_length("week").unwrap().days, 7);
        assert_eq!(turn_length("2 weeks").unwrap().days, 14);
        assert_eq!(turn_length("3 days").unwrap().days, 3);
        assert!(turn_length("fortnight").is_err());
        assert!(turn_length("0 days").is_err());
    }

    #[test]
    fn durations_combine_units() {
        assert_eq!(duration("24h").unwrap(), TimeDelta::hours(24));
        assert_eq!(duration("1h30m").unwrap(), TimeDelta::minutes(90));
        assert_eq!(duration("2 days").unwrap(), TimeDelta::days(2));
        assert!(duration("soon").is_err());
        assert!(duration("").is_err());
    }

    #[test]
    fn date_ranges_are_inclusive_and_ordered() {
        let v = toml::Value::String("2026-12-24..2026-12-27".into());
        let (a, b) = date_range(&v).unwrap();
        assert_eq!(
            (a.to_string(), b.to_string()),
            ("2026-12-24".into(), "2026-12-27".into())
        );
        let v = toml::Value::String("2026-12-27..2026-12-24".into());
        assert!(date_range(&v).is_err());
    }
}
