//! Properties of the plan over every IANA zone and random dates (proptest), and of the config
//! loader over arbitrary input.

use chrono::{LocalResult, NaiveDate, NaiveDateTime, TimeDelta, TimeZone};
use chrono_tz::{TZ_VARIANTS, Tz};
use proptest::prelude::*;
use rota::plan::{self, Period};

fn any_zone() -> impl Strategy<Value = Tz> {
    (0..TZ_VARIANTS.len()).prop_map(|i| TZ_VARIANTS[i])
}

/// Dates where tz rules are well defined and varied: 1970 to 2037.
fn any_date() -> impl Strategy<Value = NaiveDate> {
    (0i64..(68 * 365))
        .prop_map(|d| NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + TimeDelta::days(d))
}

/// The local wall-clock times skipped or repeated by the first offset change of `tz` within
/// 400 days of `date`, as `[from, to)`; None for a zone without changes then.
fn transition_near(tz: Tz, date: NaiveDate) -> Option<(NaiveDateTime, NaiveDateTime)> {
    let offset = |t: chrono::DateTime<chrono::Utc>| {
        use chrono::Offset;
        TimeDelta::seconds(
            tz.offset_from_utc_datetime(&t.naive_utc())
                .fix()
                .local_minus_utc()
                .into(),
        )
    };
    let mut lo = date.and_hms_opt(12, 0, 0)?.and_utc();
    let first = offset(lo);
    let mut hi = (1..400)
        .map(|d| lo + TimeDelta::days(d))
        .find(|t| offset(*t) != first)?;
    lo = hi - TimeDelta::days(1);
    while hi - lo > TimeDelta::seconds(1) {
        let mid = lo + (hi - lo) / 2;
        if offset(mid) == first {
            lo = mid
        } else {
            hi = mid
        }
    }
    let (before, after) = (offset(lo), offset(hi));
    let (a, b) = (hi.naive_utc() + before, hi.naive_utc() + after);
    Some((a.min(b), a.max(b)))
}

/// A zone, a date and a minute of day that falls into a DST gap or overlap there when the
/// zone has one; otherwise a random date and minute.
fn zone_date_and_tricky_minute() -> impl Strategy<Value = (Tz, NaiveDate, u32)> {
    (any_zone(), any_date(), 0.0f64..1.0, 0u32..1440).prop_map(|(tz, date, f, fallback)| {
        match transition_near(tz, date) {
            Some((from, to)) if to - from >= TimeDelta::minutes(1) => {
                let minutes = ((to - from).num_minutes() as f64 * f) as i64;
                let t = from + TimeDelta::minutes(minutes);
                let t = t
                    .date()
                    .and_hms_opt(chrono::Timelike::hour(&t), chrono::Timelike::minute(&t), 0)
                    .unwrap();
                let t = if t < from {
                    t + TimeDelta::minutes(1)
                } else {
                    t
                };
                (
                    tz,
                    t.date(),
                    chrono::Timelike::hour(&t) * 60 + chrono::Timelike::minute(&t),
                )
            }
            _ => (tz, date, fallback),
        }
    })
}

fn hhmm(minute: u32) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// One rotation per window, all in `tz`, each with its own member.
fn config(tz: Tz, start: NaiveDate, windows: &[(u32, u32)], extra: &str) -> rota::model::Model {
    let mut text = format!("[team]\ntimezone = \"{}\"\nstart = {start}\n", tz.name());
    for (i, (from, to)) in windows.iter().enumerate() {
        text.push_str(&format!(
            "[[person]]\nid = \"p{i}\"\n[[rotation]]\nname = \"r{i}\"\nmembers = [\"p{i}\"]\nshift = \"{}-{}\"\n{extra}\n",
            hhmm(*from),
            hhmm(*to)
        ));
    }
    rota::config::load(&text, "generated.toml").unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// Boundaries (minutes, sorted, distinct) cut the day into windows that meet: the last one
/// wraps to the first boundary of the next day.
fn meeting_windows() -> impl Strategy<Value = Vec<(u32, u32)>> {
    prop::collection::btree_set(0u32..(24 * 4), 1..5).prop_map(|quarters| {
        let cuts: Vec<u32> = quarters.into_iter().map(|q| q * 15).collect();
        (0..cuts.len())
            .map(|i| {
                (
                    cuts[i],
                    if i + 1 < cuts.len() {
                        cuts[i + 1]
                    } else {
                        cuts[0]
                    },
                )
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn same_zone_windows_that_meet_leave_no_gap_or_overlap(
        (tz, date, tricky) in zone_date_and_tricky_minute(), windows in meeting_windows(),
    ) {
        // Move the first boundary onto a skipped or repeated wall-clock time.
        let mut windows = windows;
        let last = windows.len() - 1;
        if windows.iter().all(|w| w.0 != tricky) {
            windows[0].0 = tricky;
            windows[last].1 = tricky;
            if windows.len() > 1 && windows[0].1 <= tricky && windows[0].1 != 0 {
                windows.truncate(1);
                windows[0] = (tricky, tricky);
            }
        }
        let start = date - TimeDelta::days(3);
        let model = config(tz, start, &windows, "");
        let from = rota::local_time::start_of_day(tz, date - TimeDelta::days(2));
        let to = rota::local_time::start_of_day(tz, date + TimeDelta::days(3));
        let shifts = plan::plan(&model, Period::new(from, to));
        prop_assert!(!shifts.is_empty());
        for pair in shifts.windows(2) {
            prop_assert_eq!(pair[0].end, pair[1].start,
                "{} {:?}: {:?} then {:?}", tz.name(), windows, pair[0], pair[1]);
        }
    }

    #[test]
    fn shifts_start_and_end_on_their_wall_clock_time_unless_it_does_not_exist(
        (tz, date, tricky) in zone_date_and_tricky_minute(), other in 0u32..97, tricky_is_start: bool,
    ) {
        let other = other * 15;
        let (start, end) = if tricky_is_start || other == 1440 { (tricky, other) } else { (other, tricky) };
        let model = config(tz, date - TimeDelta::days(3), &[(start, end)], "");
        let window = model.rotations[0].window;
        let from = rota::local_time::start_of_day(tz, date - TimeDelta::days(2));
        let to = rota::local_time::start_of_day(tz, date + TimeDelta::days(2));
        for shift in plan::plan(&model, Period::new(from, to)) {
            let (local_start, local_end) = window.on(shift.slot.date);
            check_wall_clock(tz, local_start, shift.start)?;
            check_wall_clock(tz, local_end, shift.end)?;
        }
    }

    #[test]
    fn with_nobody_away_turn_counts_differ_by_at_most_one(
        members in 1usize..6, turn_days in 1u32..15, days in "(daily|mon-fri|sat,sun|fri-mon|wed)",
        offset in 0i64..400, length in 1i64..200, tz in any_zone(),
    ) {
        let start = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        let mut text = format!("[team]\ntimezone = \"{}\"\nstart = {start}\n", tz.name());
        let ids: Vec<String> = (0..members).map(|i| format!("\"m{i}\"")).collect();
        for i in 0..members {
            text.push_str(&format!("[[person]]\nid = \"m{i}\"\n"));
        }
        text.push_str(&format!(
            "[[rotation]]\nname = \"r\"\nmembers = [{}]\ndays = \"{days}\"\nshift = \"09:00-17:00\"\nturn = \"{turn_days} days\"\n",
            ids.join(", ")
        ));
        let model = rota::config::load(&text, "generated.toml").unwrap();
        let first = start + TimeDelta::days(offset);
        let period = Period::dates(first, first + TimeDelta::days(length), tz);
        let shifts = plan::plan(&model, period);
        let mut turns = vec![std::collections::BTreeSet::new(); members];
        for s in &shifts {
            turns[s.person.expect("nobody is away")].insert(s.turn);
        }
        let counts: Vec<usize> = turns.iter().map(|t| t.len()).collect();
        let (min, max) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
        prop_assert!(max - min <= 1, "{counts:?}");
    }

    #[test]
    fn config_loader_never_panics_on_arbitrary_text(text in "\\PC*") {
        check_load(&text);
    }

    #[test]
    fn config_loader_never_panics_on_mutated_configs(
        line in 0usize..40, value in prop_oneof![
            "\\PC{0,12}".prop_map(|s| format!("{s:?}")),
            any::<i64>().prop_map(|n| n.to_string()),
            Just("2026-02-30".to_string()),
            Just("[\"a\", 1]".to_string()),
            Just("{ x = 1 }".to_string()),
            Just("\"25:61-99:00\"".to_string()),
            Just("1979-05-27T07:32:00Z".to_string()),
        ],
    ) {
        let base = include_str!("../../rotation.toml");
        let mut lines: Vec<String> = base.lines().filter(|l| l.contains('=')).map(String::from).collect();
        let i = line % lines.len();
        let key = lines[i].split('=').next().unwrap_or("x").to_string();
        lines[i] = format!("{key}= {value}");
        // Keep the table headers: rebuild the file, replacing the i-th key line.
        let mut n = 0;
        let text: String = base
            .lines()
            .map(|l| {
                if l.contains('=') {
                    n += 1;
                    if n - 1 == i { return lines[i].clone(); }
                }
                l.to_string()
            })
            .collect::<Vec<_>>()
            .join("\n");
        check_load(&text);
    }
}

/// The shift bound is the configured local time, or, where that time was skipped by a DST
/// change, the first instant after the gap.
fn check_wall_clock(
    tz: Tz,
    local: NaiveDateTime,
    instant: chrono::DateTime<chrono::Utc>,
) -> Result<(), TestCaseError> {
    let actual = instant.with_timezone(&tz).naive_local();
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => prop_assert_eq!(t.naive_local(), actual),
        LocalResult::Ambiguous(first, _) => {
            prop_assert_eq!(
                first.with_timezone(&chrono::Utc),
                instant,
                "{} {}",
                tz.name(),
                local
            )
        }
        LocalResult::None => {
            prop_assert!(actual > local, "{} {local}: {actual}", tz.name());
            let before = (instant - TimeDelta::seconds(1))
                .with_timezone(&tz)
                .naive_local();
            prop_assert!(
                before < local,
                "{} {local}: not the first instant after the gap",
                tz.name()
            );
        }
    }
    Ok(())
}

fn check_load(text: &str) {
    if let Err(e) = rota::config::load(text, "fuzz.toml") {
        assert!(!e.diagnostics.is_empty());
        for d in &e.diagnostics {
            assert!(d.span.start <= text.len() && d.span.end <= text.len() + 1);
        }
        let _ = e.render(true);
    }
}
