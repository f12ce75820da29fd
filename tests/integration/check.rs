//! `rota check` as a user runs it.
//!
//! Expected gaps are worked out by hand from the real 2027 DST dates, written next to each test:
//! - United States: summer time from Sun 14 Mar 02:00 EST (07:00 UTC) to Sun 7 Nov 02:00 EDT
//!   (06:00 UTC); New York is UTC-5 in winter, UTC-4 in summer.
//! - European Union and UK: from Sun 28 Mar 01:00 UTC to Sun 31 Oct 01:00 UTC; London is UTC+0
//!   in winter, UTC+1 in summer; Berlin UTC+1 / UTC+2.
//! - New South Wales (southern hemisphere): summer time ends Sun 4 Apr 03:00 AEDT (Sat 3 Apr
//!   16:00 UTC) and starts again Sun 3 Oct 02:00 AEST (Sat 2 Oct 16:00 UTC); Sydney is UTC+11
//!   in its summer, UTC+10 in its winter.
//! - Tokyo keeps UTC+9 all year.

use serde_json::Value;

use crate::support::*;

/// A rotation with one member and daily one-day turns.
fn leg(name: &str, member: &str, timezone: &str, shift: &str) -> String {
    format!(
        "[[rotation]]\nname = \"{name}\"\nmembers = [\"{member}\"]\ntimezone = \"{timezone}\"\nshift = \"{shift}\"\n\n"
    )
}

fn coverage(name: &str, rotations: &[&str], when: &str, timezone: &str, min: u32) -> String {
    format!(
        "[[coverage]]\nname = \"{name}\"\nrotations = {rotations:?}\nwhen = \"{when}\"\ntimezone = \"{timezone}\"\nmin = {min}\n\n"
    )
}

/// `rota check --format json`, which exits 1 when it finds a problem.
fn check_json(p: &Project, args: &[&str], code: i32) -> Value {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(&p.run(&all, code)).expect("valid JSON")
}

/// Each gap as (start in UTC, end in UTC, people on duty).
fn gaps_utc(report: &Value) -> Vec<(String, String, u64)> {
    report["gaps"]
        .as_array()
        .expect("gaps")
        .iter()
        .map(|g| {
            (
                g["start_utc"].as_str().unwrap().to_string(),
                g["end_utc"].as_str().unwrap().to_string(),
                g["on_duty"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The same UTC hours on each day of `days` of `month` in 2027.
fn daily(
    month: u32,
    days: std::ops::RangeInclusive<u32>,
    from: &str,
    to: &str,
) -> Vec<(String, String, u64)> {
    days.map(|d| {
        (
            format!("2027-{month:02}-{d:02}T{from}:00+00:00"),
            format!("2027-{month:02}-{d:02}T{to}:00+00:00"),
            0,
        )
    })
    .collect()
}

fn conflicts_of<'a>(report: &'a Value, kind: &str) -> Vec<&'a Value> {
    report["conflicts"]
        .as_array()
        .expect("conflicts")
        .iter()
        .filter(|c| c["kind"] == kind)
        .collect()
}

/// London days, New York nights into London's morning, and a Tokyo leg that helps out until
/// 07:30 UTC. In winter (and in summer) the legs meet: London 08:00-20:00 local is 08-20 UTC
/// (07-19 in BST), New York 15:00-03:00 local is 20-08 UTC (19-07 in EDT). Only while New York
/// is on summer time and London is not does New York stop at 07:00 UTC, an hour before London
/// starts at 08:00; Tokyo's 09:00-16:30 JST (00:00-07:30 UTC) closes half of that hour.
fn drifting_legs() -> String {
    let mut c = team("Europe/London", "2027-01-04");
    for (id, tz) in [
        ("lena", "Europe/London"),
        // New York's night shift is worked from California, where it ends at midnight.
        ("nate", "America/Los_Angeles"),
        ("taro", "Asia/Tokyo"),
    ] {
        c += &person(id, tz);
    }
    c += &leg("london", "lena", "Europe/London", "08:00-20:00");
    c += &leg("new-york", "nate", "America/New_York", "15:00-03:00");
    c += &leg("tokyo", "taro", "Asia/Tokyo", "09:00-16:30");
    c += &coverage("24/7", &["london", "new-york", "tokyo"], "always", "UTC", 1);
    c
}

#[test]
fn follow_the_sun_gaps_are_exactly_the_mornings_when_new_york_has_sprung_forward_and_london_not() {
    let p = Project::new(&drifting_legs());
    // New York's shift of Sat 13 Mar starts 15:00 EST but ends 03:00 EDT on the 14th, 07:00
    // UTC: the first short morning is the 14th. London springs forward on the 28th, when its
    // 08:00 becomes 07:00 UTC and meets New York again: the last gap is on the 27th.
    let report = check_json(&p, &["--month", "2027-03"], 1);
    assert_eq!(gaps_utc(&report), daily(3, 14..=27, "07:30", "08:00"));
    let first = &report["gaps"][0];
    assert_eq!(first["rule"], "24/7");
    assert_eq!(first["start"], "2027-03-14T07:30:00+00:00");
    assert_eq!(first["min"], 1);
    assert_eq!(first["seconds"], 1800);
}

#[test]
fn follow_the_sun_gaps_return_in_the_week_between_the_european_and_american_autumn_changes() {
    let p = Project::new(&drifting_legs());
    // London falls back on Sun 31 Oct (its 08:00 is 08:00 UTC again) while New York's night
    // still ends 03:00 EDT = 07:00 UTC, until its shift of Sat 6 Nov ends at 03:00 EST on the
    // 7th, 08:00 UTC. Display in London: GMT, so local times equal UTC after the 31st.
    let report = check_json(&p, &["--from", "2027-10-20", "--to", "2027-11-20"], 1);
    let mut want = daily(10, 31..=31, "07:30", "08:00");
    want.extend(daily(11, 1..=6, "07:30", "08:00"));
    assert_eq!(gaps_utc(&report), want);
    assert_eq!(report["gaps"][0]["start"], "2027-10-31T07:30:00+00:00");
}

#[test]
fn follow_the_sun_legs_meeting_in_winter_leave_no_gap_in_february() {
    let p = Project::new(&drifting_legs());
    let report = check_json(&p, &["--month", "2027-02"], 0);
    assert_eq!(gaps_utc(&report), vec![]);
    let text = p.run(&["check", "--month", "2027-02"], 0);
    assert!(
        text.starts_with("✓ no gaps, no conflicts in 2027-02-01..2027-03-01"),
        "{text}"
    );
}

/// Sydney 09:00-17:00, London 06:00-14:00, New York 09:00-17:00: in January (AEDT, GMT, EST)
/// they are 22-06, 06-14 and 14-22 UTC and tile the day exactly. Sydney's shift of local date
/// D+1 starts at 22:00 UTC on D in AEDT, 23:00 in AEST; New York's of D ends 22:00 UTC in EST,
/// 21:00 in EDT. So evening gaps on UTC day D are:
///   New York EDT and Sydney (D+1) AEDT: 21:00-22:00 (14 Mar..2 Apr, 2 Oct..6 Nov);
///   New York EDT and Sydney (D+1) AEST: 21:00-23:00 (3 Apr..1 Oct).
/// Sydney-London and London-New York only ever overlap or meet (London's summer lies inside
/// New York's).
fn three_hemispheres() -> String {
    let mut c = team("UTC", "2027-01-04");
    for (id, tz) in [
        ("sam", "Australia/Sydney"),
        ("lena", "Europe/London"),
        ("nate", "America/New_York"),
    ] {
        c += &person(id, tz);
    }
    c += &leg("apac", "sam", "Australia/Sydney", "09:00-17:00");
    c += &leg("emea", "lena", "Europe/London", "06:00-14:00");
    c += &leg("amer", "nate", "America/New_York", "09:00-17:00");
    c += &coverage("24/7", &["apac", "emea", "amer"], "always", "UTC", 1);
    c
}

#[test]
fn three_hemisphere_legs_drift_an_hour_apart_from_the_american_spring_change() {
    let p = Project::new(&three_hemispheres());
    let report = check_json(&p, &["--month", "2027-03"], 1);
    assert_eq!(gaps_utc(&report), daily(3, 14..=31, "21:00", "22:00"));
}

#[test]
fn three_hemisphere_gaps_grow_to_two_hours_when_sydney_leaves_summer_time() {
    let p = Project::new(&three_hemispheres());
    // April shown in Sydney: the period runs from 1 Apr 00:00 AEDT (31 Mar 13:00 UTC) to
    // 1 May 00:00 AEST (30 Apr 14:00 UTC), so it holds the gap of 31 Mar UTC and not that of
    // 30 Apr. Sydney's first AEST shift (4 Apr) starts 3 Apr 23:00 UTC.
    let report = check_json(&p, &["--month", "2027-04", "--tz", "Australia/Sydney"], 1);
    let mut want = daily(3, 31..=31, "21:00", "22:00");
    want.extend(daily(4, 1..=2, "21:00", "22:00"));
    want.extend(daily(4, 3..=29, "21:00", "23:00"));
    assert_eq!(gaps_utc(&report), want);
    assert_eq!(report["from"], "2027-04-01T00:00:00+11:00");
    assert_eq!(report["to"], "2027-05-01T00:00:00+10:00");
    // Shown in the display zone, on either side of Sydney's change.
    assert_eq!(report["gaps"][0]["start"], "2027-04-01T08:00:00+11:00");
    assert_eq!(report["gaps"][3]["start"], "2027-04-04T07:00:00+10:00");
    assert_eq!(report["gaps"][3]["end"], "2027-04-04T09:00:00+10:00");
}

#[test]
fn three_hemisphere_gaps_shrink_when_sydney_springs_forward_and_end_with_new_york_winter() {
    let p = Project::new(&three_hemispheres());
    // Sydney's shift of 3 Oct is its first in AEDT (starts 2 Oct 22:00 UTC); New York's of
    // 7 Nov is its first in EST (ends 22:00 UTC).
    let report = check_json(&p, &["--from", "2027-09-28", "--to", "2027-11-15"], 1);
    let mut want = daily(9, 28..=30, "21:00", "23:00");
    want.extend(daily(10, 1..=1, "21:00", "23:00"));
    want.extend(daily(10, 2..=31, "21:00", "22:00"));
    want.extend(daily(11, 1..=6, "21:00", "22:00"));
    assert_eq!(gaps_utc(&report), want);
}

#[test]
fn a_rule_window_across_midnight_loses_the_hour_clocks_skip() {
    let mut c = team("Europe/Berlin", "2027-01-04");
    c += &person("ben", "Europe/Berlin");
    // Saturday nights 23:00-01:00 only; the rule wants Saturday 22:00 to Sunday 04:00.
    c += "[[rotation]]\nname = \"late\"\nmembers = [\"ben\"]\ndays = \"sat\"\nshift = \"23:00-01:00\"\n\n";
    c += &coverage(
        "weekend-nights",
        &["late"],
        "sat 22:00-04:00",
        "Europe/Berlin",
        1,
    );
    let p = Project::new(&c);
    // Sat 20 Mar (CET): 22:00-23:00 is 21-22 UTC, 01:00-04:00 is 00-03 UTC.
    // Sat 27 Mar: Sunday 02:00-03:00 does not exist in Berlin, so 01:00 CET (00:00 UTC) to
    // 04:00 CEST (02:00 UTC) is a two-hour gap, not three.
    let report = check_json(&p, &["--from", "2027-03-15", "--to", "2027-04-01"], 1);
    let gap = |a: &str, b: &str| (a.to_string(), b.to_string(), 0);
    assert_eq!(
        gaps_utc(&report),
        vec![
            gap("2027-03-20T21:00:00+00:00", "2027-03-20T22:00:00+00:00"),
            gap("2027-03-21T00:00:00+00:00", "2027-03-21T03:00:00+00:00"),
            gap("2027-03-27T21:00:00+00:00", "2027-03-27T22:00:00+00:00"),
            gap("2027-03-28T00:00:00+00:00", "2027-03-28T02:00:00+00:00"),
        ]
    );
    assert_eq!(report["gaps"][3]["start"], "2027-03-28T01:00:00+01:00");
    assert_eq!(report["gaps"][3]["end"], "2027-03-28T04:00:00+02:00");
}

#[test]
fn a_window_crossing_into_the_period_from_the_day_before_counts() {
    let mut c = team("UTC", "2027-01-04");
    c += &person("ben", "UTC");
    c += "[[rotation]]\nname = \"day\"\nmembers = [\"ben\"]\nshift = \"09:00-17:00\"\n\n";
    c += &coverage("nights", &["day"], "22:00-06:00", "UTC", 1);
    let p = Project::new(&c);
    // The window of 1 Mar 22:00 reaches 06:00 on the 2nd, the period's first day.
    let report = check_json(&p, &["--from", "2027-03-02", "--to", "2027-03-03"], 1);
    let gap = |a: &str, b: &str| (a.to_string(), b.to_string(), 0);
    assert_eq!(
        gaps_utc(&report),
        vec![
            gap("2027-03-02T00:00:00+00:00", "2027-03-02T06:00:00+00:00"),
            gap("2027-03-02T22:00:00+00:00", "2027-03-03T00:00:00+00:00"),
        ]
    );
}

/// Two UTC rotations, 09-17 and 13-21, checked against weekdays 08:00-20:00 with two people.
fn two_required(second_member: &str) -> String {
    let mut c = team("UTC", "2027-01-04");
    c += &person("amy", "UTC");
    c += &person("bob", "UTC");
    c += "[[rotation]]\nname = \"early\"\nmembers = [\"amy\"]\nshift = \"09:00-17:00\"\n\n";
    c += &format!(
        "[[rotation]]\nname = \"late\"\nmembers = [\"{second_member}\"]\nshift = \"13:00-21:00\"\n\n"
    );
    c += &coverage("pairs", &["early", "late"], "mon-fri 08:00-20:00", "UTC", 2);
    c
}

#[test]
fn a_min_two_rule_reports_maximal_gaps_with_their_lowest_count() {
    let p = Project::new(&two_required("bob"));
    // Monday 1 Mar: nobody 08-09, amy alone 09-13, both 13-17, bob alone 17-20.
    let report = check_json(&p, &["--from", "2027-03-01", "--to", "2027-03-02"], 1);
    let gap = |a: &str, b: &str, n| {
        (
            format!("2027-03-01T{a}:00+00:00"),
            format!("2027-03-01T{b}:00+00:00"),
            n,
        )
    };
    assert_eq!(
        gaps_utc(&report),
        vec![gap("08:00", "13:00", 0), gap("17:00", "20:00", 1)]
    );
    assert!(
        report["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["min"] == 2)
    );
    // Saturday is outside the rule's days.
    let report = check_json(&p, &["--from", "2027-03-06", "--to", "2027-03-07"], 0);
    assert_eq!(gaps_utc(&report), vec![]);
}

#[test]
fn one_person_on_two_rotations_counts_once_and_is_double_booked() {
    let p = Project::new(&two_required("amy"));
    let report = check_json(&p, &["--from", "2027-03-01", "--to", "2027-03-02"], 1);
    let gap = |a: &str, b: &str, n| {
        (
            format!("2027-03-01T{a}:00+00:00"),
            format!("2027-03-01T{b}:00+00:00"),
            n,
        )
    };
    assert_eq!(gaps_utc(&report), vec![gap("08:00", "20:00", 0)]);
    let double = conflicts_of(&report, "double-booked");
    assert_eq!(double.len(), 1, "{report:#}");
    assert_eq!(double[0]["person"], "amy");
    assert_eq!(double[0]["start"], "2027-03-01T13:00:00+00:00");
    assert_eq!(double[0]["end"], "2027-03-01T17:00:00+00:00");
    assert_eq!(double[0]["rotations"], serde_json::json!(["early", "late"]));
    assert_eq!(double[0]["severity"], "error");
}

#[test]
fn a_double_booking_alone_fails_the_check() {
    let mut c = team("UTC", "2027-01-04");
    c += &person("amy", "UTC");
    c += "[[rotation]]\nname = \"early\"\nmembers = [\"amy\"]\nshift = \"09:00-17:00\"\n\n";
    c += "[[rotation]]\nname = \"late\"\nmembers = [\"amy\"]\nshift = \"16:00-20:00\"\n\n";
    c += &coverage("office", &["early"], "mon-fri 09:00-17:00", "UTC", 1);
    let p = Project::new(&c);
    let report = check_json(&p, &["--from", "2027-03-01", "--to", "2027-03-03"], 1);
    assert_eq!(gaps_utc(&report), vec![]);
    let double = conflicts_of(&report, "double-booked");
    let hours: Vec<(&str, &str)> = double
        .iter()
        .map(|c| (c["start"].as_str().unwrap(), c["end"].as_str().unwrap()))
        .collect();
    assert_eq!(
        hours,
        vec![
            ("2027-03-01T16:00:00+00:00", "2027-03-01T17:00:00+00:00"),
            ("2027-03-02T16:00:00+00:00", "2027-03-02T17:00:00+00:00"),
        ]
    );
}

#[test]
fn a_shift_begun_before_the_period_covers_its_start_and_gaps_are_clipped() {
    let mut c = team("UTC", "2027-01-04");
    c += &person("nia", "UTC");
    c += &person("dan", "UTC");
    c += &leg("night", "nia", "UTC", "22:00-06:00");
    c += &leg("day", "dan", "UTC", "09:00-17:00");
    c += &coverage("24/7", &["night", "day"], "always", "UTC", 1);
    let p = Project::new(&c);
    // The night shift of 1 Mar runs into the period until 06:00; the one of the 2nd reaches
    // past its end, which clips it.
    let report = check_json(&p, &["--from", "2027-03-02", "--to", "2027-03-03"], 1);
    let gap = |a: &str, b: &str| {
        (
            format!("2027-03-02T{a}:00+00:00"),
            format!("2027-03-02T{b}:00+00:00"),
            0,
        )
    };
    assert_eq!(
        gaps_utc(&report),
        vec![gap("06:00", "09:00"), gap("17:00", "22:00")]
    );
}

#[test]
fn gaps_at_the_period_edges_stop_at_its_bounds() {
    let mut c = team("UTC", "2027-01-04");
    c += &person("dan", "UTC");
    c += &leg("day", "dan", "UTC", "09:00-17:00");
    c += &coverage("24/7", &["day"], "always", "UTC", 1);
    let p = Project::new(&c);
    let report = check_json(&p, &["--from", "2027-03-02", "--to", "2027-03-03"], 1);
    let gaps = gaps_utc(&report);
    assert_eq!(gaps.first().unwrap().0, "2027-03-02T00:00:00+00:00");
    assert_eq!(gaps.last().unwrap().1, "2027-03-03T00:00:00+00:00");
    assert_eq!(gaps.len(), 2);
}

#[test]
fn an_unassigned_turn_is_a_gap() {
    let mut c = team("UTC", "2027-01-04");
    c += &person("amy", "UTC");
    c += "[[person]]\nid = \"bob\"\ntimezone = \"UTC\"\naway = [\"2027-03-03\"]\n\n";
    c += &leg("am", "amy", "UTC", "00:00-12:00");
    c += &leg("pm", "bob", "UTC", "12:00-24:00");
    c += &coverage("24/7", &["am", "pm"], "always", "UTC", 1);
    let p = Project::new(&c);
    let report = check_json(&p, &["--from", "2027-03-01", "--to", "2027-03-06"], 1);
    assert_eq!(
        gaps_utc(&report),
        vec![(
            "2027-03-03T12:00:00+00:00".to_string(),
            "2027-03-04T00:00:00+00:00".to_string(),
            0
        )]
    );
    // Being skipped for a turn is not duty while away.
    assert!(conflicts_of(&report, "on-duty-while-away").is_empty());
}

#[test]
fn an_override_putting_someone_on_duty_on_their_away_day_is_an_error_in_their_zone() {
    let mut c = team("UTC", "2027-01-04");
    c += &person("amy", "UTC");
    c += "[[person]]\nid = \"ned\"\ntimezone = \"America/New_York\"\naway = [\"2027-03-03\"]\n\n";
    c += "[[rotation]]\nname = \"am\"\nmembers = [\"amy\", \"ned\"]\nshift = \"00:00-12:00\"\nturn = \"week\"\n\n";
    c += "[[override]]\nrotation = \"am\"\nperson = \"ned\"\nfrom = 2027-03-03T00:00:00\nto = 2027-03-04T00:00:00\n\n";
    let p = Project::new(&c);
    // Ned's 3 Mar is 05:00 UTC that day to 05:00 UTC the next, so only 05:00-12:00 of the
    // shift he took falls on it.
    let report = check_json(&p, &["--from", "2027-03-01", "--to", "2027-03-06"], 1);
    let away = conflicts_of(&report, "on-duty-while-away");
    assert_eq!(away.len(), 1, "{report:#}");
    assert_eq!(away[0]["person"], "ned");
    assert_eq!(away[0]["start"], "2027-03-03T05:00:00+00:00");
    assert_eq!(away[0]["end"], "2027-03-03T12:00:00+00:00");
    assert_eq!(away[0]["rotations"], serde_json::json!(["am"]));
    assert_eq!(away[0]["severity"], "error");
}

/// Kaito in Tokyo on a UTC evening rotation: 16:00-20:00 UTC is 01:00-05:00 in Tokyo.
fn night_owl(night: Option<&str>) -> String {
    let mut c = team("UTC", "2027-01-04");
    c += &person("kaito", "Asia/Tokyo");
    c += &leg("evening", "kaito", "UTC", "16:00-20:00");
    if let Some(n) = night {
        c += &format!("[check]\nnight = \"{n}\"\n\n");
    }
    c
}

#[test]
fn a_shift_in_the_persons_own_night_is_a_warning_that_fails_only_strict_runs() {
    let p = Project::new(&night_owl(None));
    let report = check_json(&p, &["--from", "2027-03-01", "--to", "2027-03-03"], 0);
    let night = conflicts_of(&report, "night-shift");
    let hours: Vec<(&str, &str)> = night
        .iter()
        .map(|c| (c["start"].as_str().unwrap(), c["end"].as_str().unwrap()))
        .collect();
    assert_eq!(
        hours,
        vec![
            ("2027-03-01T16:00:00+00:00", "2027-03-01T20:00:00+00:00"),
            ("2027-03-02T16:00:00+00:00", "2027-03-02T20:00:00+00:00"),
        ]
    );
    assert!(
        night
            .iter()
            .all(|c| c["severity"] == "warning" && c["person"] == "kaito")
    );
    check_json(
        &p,
        &["--from", "2027-03-01", "--to", "2027-03-03", "--strict"],
        1,
    );
    let text = p.run(&["check", "--from", "2027-03-01", "--to", "2027-03-03"], 0);
    assert!(
        text.starts_with("✓ no gaps, no conflicts, 2 warnings"),
        "{text}"
    );
    let text = p.run(
        &[
            "check",
            "--from",
            "2027-03-01",
            "--to",
            "2027-03-03",
            "--strict",
        ],
        1,
    );
    assert!(
        text.starts_with("✗ no gaps, no conflicts, 2 warnings (--strict)"),
        "{text}"
    );
}

#[test]
fn the_night_window_is_configurable() {
    let p = Project::new(&night_owl(Some("02:00-04:00")));
    let report = check_json(&p, &["--from", "2027-03-01", "--to", "2027-03-02"], 0);
    let night = conflicts_of(&report, "night-shift");
    assert_eq!(night.len(), 1);
    assert_eq!(night[0]["start"], "2027-03-01T17:00:00+00:00");
    assert_eq!(night[0]["end"], "2027-03-01T19:00:00+00:00");
    let p = Project::new(&night_owl(Some("06:00-08:00")));
    let report = check_json(&p, &["--from", "2027-03-01", "--to", "2027-03-02"], 0);
    assert!(conflicts_of(&report, "night-shift").is_empty());
}

#[test]
fn an_override_that_covers_no_shift_is_a_warning() {
    let mut c = team("UTC", "2027-01-04");
    c += &person("amy", "UTC");
    c += &person("bob", "UTC");
    c += "[[rotation]]\nname = \"office\"\nmembers = [\"amy\", \"bob\"]\ndays = \"mon-fri\"\nshift = \"09:00-17:00\"\n\n";
    // Saturday 6 Mar: the rotation has no shift then.
    c += "[[override]]\nrotation = \"office\"\nperson = \"bob\"\nfrom = 2027-03-06T09:00:00\nto = 2027-03-06T17:00:00\n\n";
    // Monday 8 Mar: a real swap, not reported.
    c += "[[override]]\nrotation = \"office\"\nperson = \"bob\"\nfrom = 2027-03-08T00:00:00\nto = 2027-03-09T00:00:00\n\n";
    let p = Project::new(&c);
    let report = check_json(&p, &["--month", "2027-03"], 0);
    let idle = conflicts_of(&report, "override-outside-shifts");
    assert_eq!(idle.len(), 1, "{report:#}");
    assert_eq!(idle[0]["person"], "bob");
    assert_eq!(idle[0]["start"], "2027-03-06T09:00:00+00:00");
    assert_eq!(idle[0]["severity"], "warning");
    assert!(
        idle[0]["message"].as_str().unwrap().contains("line"),
        "{:#}",
        idle[0]
    );
    check_json(&p, &["--month", "2027-03", "--strict"], 1);
}

#[test]
fn a_coverage_rule_its_rotations_never_reach_is_flagged() {
    let mut c = team("UTC", "2027-01-04");
    c += &person("amy", "UTC");
    c += "[[rotation]]\nname = \"office\"\nmembers = [\"amy\"]\ndays = \"mon-fri\"\nshift = \"09:00-17:00\"\n\n";
    c += &coverage("weekends", &["office"], "sat,sun 10:00-12:00", "UTC", 1);
    let p = Project::new(&c);
    let report = check_json(&p, &["--from", "2027-03-01", "--to", "2027-03-08"], 1);
    assert_eq!(report["gaps"].as_array().unwrap().len(), 2);
    let rule = conflicts_of(&report, "coverage-rule-unmatched");
    assert_eq!(rule.len(), 1);
    assert_eq!(rule[0]["person"], Value::Null);
    assert_eq!(rule[0]["severity"], "warning");
}

#[test]
fn fairness_counts_turns_hours_and_weekend_shifts_per_person_and_rotation() {
    let mut c = team("UTC", "2027-03-01");
    c += &person("amy", "UTC");
    c += &person("bob", "UTC");
    c += "[[rotation]]\nname = \"desk\"\nmembers = [\"amy\", \"bob\"]\nshift = \"09:00-17:00\"\nexcept = [\"2027-03-03\"]\n\n";
    let p = Project::new(&c);
    // Mon 1 .. Sun 7 Mar, one-day turns; the 3rd has no shift, so nobody's turn is used up:
    // amy holds 1, 4 and Sat 6, bob 2, 5 and Sun 7.
    let report = check_json(&p, &["--from", "2027-03-01", "--to", "2027-03-08"], 0);
    let rows = report["fairness"].as_array().unwrap();
    let amy = rows.iter().find(|r| r["person"] == "amy").unwrap();
    let bob = rows.iter().find(|r| r["person"] == "bob").unwrap();
    assert_eq!(amy["rotation"], "desk");
    assert_eq!(
        (amy["turns"].as_u64(), bob["turns"].as_u64()),
        (Some(3), Some(3))
    );
    assert_eq!(amy["hours"], 24.0);
    assert_eq!(bob["hours"], 24.0);
    assert_eq!(amy["weekend_shifts"], 1);
    assert_eq!(bob["weekend_shifts"], 1);
    assert_eq!(report["spread"][0]["turns"], 0);
}

#[test]
fn overrides_that_pile_turns_on_one_member_are_flagged_as_uneven() {
    let mut c = team("UTC", "2027-03-01");
    c += &person("amy", "UTC");
    c += &person("bob", "UTC");
    c += "[[rotation]]\nname = \"desk\"\nmembers = [\"amy\", \"bob\"]\nshift = \"09:00-17:00\"\n\n";
    // Bob's days are 2, 4 and 6 Mar; amy takes two of them whole.
    for day in ["02", "04"] {
        c += &format!(
            "[[override]]\nrotation = \"desk\"\nperson = \"amy\"\nfrom = 2027-03-{day}T00:00:00\nto = 2027-03-{day}T23:00:00\n\n"
        );
    }
    let p = Project::new(&c);
    let report = check_json(&p, &["--from", "2027-03-01", "--to", "2027-03-08"], 0);
    let rows = report["fairness"].as_array().unwrap();
    let turns = |id: &str| rows.iter().find(|r| r["person"] == id).unwrap()["turns"].as_u64();
    assert_eq!((turns("amy"), turns("bob")), (Some(6), Some(1)));
    assert_eq!(report["spread"][0]["turns"], 5);
    let uneven = conflicts_of(&report, "uneven-turns");
    assert_eq!(uneven.len(), 1);
    assert_eq!(uneven[0]["rotations"], serde_json::json!(["desk"]));
    assert_eq!(uneven[0]["severity"], "warning");
}

#[test]
fn json_has_the_contract_fields() {
    let p = Project::new(&drifting_legs());
    let report = check_json(&p, &["--month", "2027-03"], 1);
    let gap = report["gaps"][0].as_object().unwrap();
    for key in ["rule", "start", "end", "on_duty", "min"] {
        assert!(gap.contains_key(key), "gap lacks {key}");
    }
    let fairness = report["fairness"][0].as_object().unwrap();
    for key in ["person", "turns", "hours", "weekend_shifts"] {
        assert!(fairness.contains_key(key), "fairness lacks {key}");
    }
    assert!(fairness["hours"].is_f64());
    let p = Project::new(&two_required("amy"));
    let report = check_json(&p, &["--from", "2027-03-01", "--to", "2027-03-02"], 1);
    let conflict = report["conflicts"][0].as_object().unwrap();
    for key in ["kind", "person", "start", "end", "rotations", "severity"] {
        assert!(conflict.contains_key(key), "conflict lacks {key}");
    }
}

#[test]
fn the_text_report_leads_with_the_verdict_then_gaps_conflicts_and_fairness() {
    let p = Project::new(&two_required("amy"));
    let text = p.run(
        &[
            "check",
            "--from",
            "2027-03-01",
            "--to",
            "2027-03-02",
            "--tz",
            "Europe/Berlin",
        ],
        1,
    );
    let first = text.lines().next().unwrap();
    assert_eq!(
        first,
        "✗ 1 gap, 1 conflict in 2027-03-01..2027-03-02 (Europe/Berlin)"
    );
    let (gaps, conflicts, fairness) = (
        text.find("Gaps").unwrap(),
        text.find("Conflicts").unwrap(),
        text.find("Fairness").unwrap(),
    );
    assert!(gaps < conflicts && conflicts < fairness, "{text}");
    // The maximal gap 08:00-20:00 UTC, shown in Berlin and in UTC, with its length and the
    // lowest head count during it.
    let line = text
        .lines()
        .find(|l| l.contains("09:00–21:00 CET"))
        .expect(&text);
    assert!(
        line.contains("08:00–20:00 UTC") && line.contains("12h") && line.contains("0 of 2"),
        "{line}"
    );
    assert!(text.contains("double-booked"));
    assert!(!text.contains('\u{1b}'), "NO_COLOR output has no escapes");
}

#[test]
fn bad_config_and_bad_usage_exit_2() {
    let mut c = drifting_legs();
    c = c.replace("Asia/Tokyo\"\nshift", "Asia/Tokio\"\nshift");
    let p = Project::new(&c);
    let err = p.run_err(&["check", "--month", "2027-03"], 2);
    assert!(err.contains("Asia/Tokio"), "{err}");

    let p = Project::new(&drifting_legs());
    p.run_err(&["check", "--month", "2027-13"], 2);
    p.run_err(&["check", "--format", "xml"], 2);
    p.run_err(&["check", "--from", "2027-03-05", "--to", "2027-03-01"], 2);
}

/// Random follow-the-sun configs over periods with DST changes, compared gap for gap (to the
/// second) and exit code for exit code with tests/fixtures/check/reference.py, a
/// minute-by-minute reimplementation on Python's zoneinfo.
#[test]
fn gaps_match_an_independent_reference_on_random_follow_the_sun_configs() {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/check/reference.py"
    );
    let work = tempfile::tempdir().expect("temp dir");
    let rota = assert_cmd::cargo::cargo_bin("rota");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(&rota)
        .arg(work.path())
        .args(["1000", "60"])
        .output()
        .unwrap_or_else(|e| {
            panic!("this test needs python3 (3.9+, with the system tz database) on PATH: {e}")
        });
    assert!(
        out.status.success(),
        "the reference disagrees:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The text and JSON reports of tests/fixtures/check/demo.toml, byte for byte.
#[test]
fn reports_match_their_snapshots() {
    let config = include_str!("../fixtures/check/demo.toml");
    let p = Project::new(config);
    let args = ["check", "--from", "2027-03-01", "--to", "2027-03-06"];
    let text = p.run(&args, 1);
    let json = p.run(&[&args[..], &["--format", "json"]].concat(), 1);
    insta::with_settings!({
        snapshot_path => "../fixtures/check/snapshots",
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!("demo_text", text);
        insta::assert_snapshot!("demo_json", json);
    });
}
