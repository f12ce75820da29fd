//! `rota check` as a CI lint: holidays, `.ics` inputs, workload rules, GitHub annotations,
//! the schema, and the shipped configs passing their own check.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::support::*;

fn check_json(p: &Project, args: &[&str], code: i32) -> Value {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(&p.run(&all, code)).expect("valid JSON")
}

fn gaps(report: &Value) -> Vec<(String, String, String)> {
    report["gaps"]
        .as_array()
        .expect("gaps")
        .iter()
        .map(|g| {
            (
                g["rule"].as_str().unwrap().to_string(),
                g["start_utc"].as_str().unwrap().to_string(),
                g["end_utc"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The local dates (`YYYY-MM-DD` of `start`, display zone) of a rotation's shifts in a plan.
fn shift_dates(p: &Project, args: &[&str], rotation: &str) -> BTreeSet<String> {
    let mut all = vec!["plan", "--format", "json"];
    all.extend_from_slice(args);
    let plan = p.json(&all);
    plan["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["rotation"] == rotation)
        .map(|s| s["start"].as_str().unwrap()[..10].to_string())
        .collect()
}

fn march(days: &[u32]) -> BTreeSet<String> {
    days.iter().map(|d| format!("2027-03-{d:02}")).collect()
}

/// Two legs meeting at 12:00 UTC, and a daily duty on its own.
fn legs_and_duty(emea_except: &str, team_holidays: &str) -> String {
    let mut c = format!(
        "[team]\nname = \"T\"\ntimezone = \"UTC\"\nstart = 2027-01-04\nholidays = [{team_holidays}]\n\n"
    );
    for id in ["ana", "ben", "cai"] {
        c += &person(id, "UTC");
    }
    c += &format!(
        "[[rotation]]\nname = \"emea\"\nmembers = [\"ana\"]\ntimezone = \"UTC\"\nshift = \"00:00-12:00\"\nexcept = [{emea_except}]\n\n"
    );
    c += "[[rotation]]\nname = \"amer\"\nmembers = [\"ben\"]\ntimezone = \"UTC\"\nshift = \"12:00-24:00\"\n\n";
    c += &format!(
        "[[rotation]]\nname = \"duty\"\nmembers = [\"cai\"]\ntimezone = \"UTC\"\ndays = \"mon-fri\"\nshift = \"09:00-17:00\"\nexcept = [{emea_except}]\n\n"
    );
    c += "[[coverage]]\nname = \"24/7\"\nrotations = [\"emea\", \"amer\"]\nwhen = \"always\"\ntimezone = \"UTC\"\n\n";
    c += "[[coverage]]\nname = \"office\"\nrotations = [\"duty\"]\nwhen = \"mon-fri 09:00-17:00\"\ntimezone = \"UTC\"\n\n";
    c
}

#[test]
fn a_holiday_of_one_leg_is_still_a_gap_of_the_24_7_rule_but_not_of_the_daily_duty() {
    let p = Project::new(&legs_and_duty("\"2027-03-10\"", ""));
    let report = check_json(&p, &["--month", "2027-03"], 1);
    assert_eq!(
        gaps(&report),
        vec![(
            "24/7".to_string(),
            "2027-03-10T00:00:00+00:00".to_string(),
            "2027-03-10T12:00:00+00:00".to_string()
        )]
    );
}

#[test]
fn a_team_holiday_is_a_day_off_for_every_rotation_and_no_rule_requires_it() {
    let p = Project::new(&legs_and_duty(
        "",
        "\"2027-03-10\", \"2027-03-24..2027-03-25\"",
    ));
    let report = check_json(&p, &["--month", "2027-03"], 0);
    assert_eq!(gaps(&report), vec![]);
    let all_days: Vec<u32> = (1..=31).collect();
    let expected: BTreeSet<String> = march(&all_days)
        .difference(&march(&[10, 24, 25]))
        .cloned()
        .collect();
    assert_eq!(shift_dates(&p, &["--month", "2027-03"], "emea"), expected);
}

#[test]
fn team_holidays_fall_on_each_rotations_own_calendar() {
    // Tokyo's 24 Dec runs from 15:00 UTC on the 23rd to 15:00 UTC on the 24th. A UTC rule over
    // the Tokyo rotation alone is exempt on its own 24 Dec (00:00-24:00 UTC), so the holiday's
    // first nine hours are a gap; Tokyo's 25 Dec covers the rest.
    let mut c = "[team]\nname = \"T\"\ntimezone = \"UTC\"\nstart = 2027-01-04\nholidays = [\"2027-12-24\"]\n\n".to_string();
    c += &person("kenji", "Asia/Tokyo");
    c += "[[rotation]]\nname = \"tokyo\"\nmembers = [\"kenji\"]\ntimezone = \"Asia/Tokyo\"\nshift = \"00:00-24:00\"\n\n";
    c += "[[coverage]]\nname = \"always\"\nrotations = [\"tokyo\"]\nwhen = \"always\"\ntimezone = \"UTC\"\n\n";
    let p = Project::new(&c);
    let report = check_json(&p, &["--month", "2027-12"], 1);
    assert_eq!(
        gaps(&report),
        vec![(
            "always".to_string(),
            "2027-12-23T15:00:00+00:00".to_string(),
            "2027-12-24T00:00:00+00:00".to_string()
        )]
    );
}

#[test]
fn a_rules_own_except_dates_require_nothing() {
    let mut c = legs_and_duty("\"2027-03-10\"", "");
    c = c.replace(
        "name = \"24/7\"\nrotations = [\"emea\", \"amer\"]\n",
        "name = \"24/7\"\nrotations = [\"emea\", \"amer\"]\nexcept = [\"2027-03-10\"]\n",
    );
    let p = Project::new(&c);
    let report = check_json(&p, &["--month", "2027-03"], 0);
    assert_eq!(gaps(&report), vec![]);
}

#[test]
fn time_before_the_team_starts_is_never_a_gap() {
    let c = legs_and_duty("", "").replace("start = 2027-01-04", "start = 2027-03-15");
    let p = Project::new(&c);
    let report = check_json(&p, &["--month", "2027-03"], 0);
    assert_eq!(gaps(&report), vec![]);
    let report = check_json(&p, &["--from", "2027-01-01", "--to", "2027-02-01"], 0);
    assert_eq!(gaps(&report), vec![]);
}

/// The fixture `.ics` files, written by Python's icalendar into the project folder.
fn write_ics(dir: &Path) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ics/write_ics.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(dir)
        .output()
        .unwrap_or_else(|e| panic!("this test needs python3 on PATH: {e}"));
    assert!(
        out.status.success(),
        "writing the .ics fixtures failed (needs `pip install icalendar`):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A daily duty in Berlin and one in Tokyo; the team's holidays and Ana's out-of-office come
/// from `.ics` files in a subfolder.
fn ics_config() -> String {
    let mut c = "[team]\nname = \"T\"\ntimezone = \"Europe/Berlin\"\nstart = 2027-01-04\nholidays = [\"cal/holidays.ics\", \"2027-03-31\"]\n\n".to_string();
    c += "[[person]]\nid = \"ana\"\ntimezone = \"Europe/Berlin\"\naway = [\"cal/ooo.ics\"]\n\n";
    for id in ["ben", "cai"] {
        c += &person(id, "Europe/Berlin");
    }
    c += &person("kenji", "Asia/Tokyo");
    c += "[[rotation]]\nname = \"berlin\"\nmembers = [\"ana\", \"ben\", \"cai\"]\ntimezone = \"Europe/Berlin\"\nshift = \"09:00-17:00\"\n\n";
    c += "[[rotation]]\nname = \"tokyo\"\nmembers = [\"kenji\"]\ntimezone = \"Asia/Tokyo\"\nshift = \"09:00-17:00\"\n\n";
    c += "[[coverage]]\nname = \"berlin days\"\nrotations = [\"berlin\"]\nwhen = \"09:00-17:00\"\ntimezone = \"Europe/Berlin\"\n\n";
    c
}

#[test]
fn ics_holidays_are_days_off_all_day_multi_day_recurring_and_timed_ones_in_each_zone() {
    let p = Project::new(&ics_config());
    write_ics(&p.file("cal"));
    let all: Vec<u32> = (1..=31).collect();
    // All-day 1 Mar, 10-12 Mar, yearly 20 Mar; the cancelled 25 Mar is no holiday; the timed
    // 22:00-02:00 UTC touches 5 and 6 Mar in Berlin but only 6 Mar in Tokyo; 31 Mar is a date.
    let berlin_off = march(&[1, 5, 6, 10, 11, 12, 20, 31]);
    let tokyo_off = march(&[1, 6, 10, 11, 12, 20, 31]);
    let expect = |off: &BTreeSet<String>| -> BTreeSet<String> {
        march(&all).difference(off).cloned().collect()
    };
    let args = ["--month", "2027-03"];
    assert_eq!(shift_dates(&p, &args, "berlin"), expect(&berlin_off));
    assert_eq!(shift_dates(&p, &args, "tokyo"), expect(&tokyo_off));
    // The yearly holiday recurs.
    let next_year = shift_dates(&p, &["--month", "2028-03"], "berlin");
    assert!(!next_year.contains("2028-03-20") && next_year.contains("2028-03-21"));
    // The rule over the Berlin duty requires nothing on its holidays.
    let report = check_json(&p, &args, 0);
    assert_eq!(gaps(&report), vec![]);
}

#[test]
fn an_out_of_office_export_makes_every_local_day_an_event_touches_an_away_day() {
    let p = Project::new(&ics_config());
    write_ics(&p.file("cal"));
    // 2 Mar (timed), 8 Mar (ends at midnight, so not the 9th), 17 Mar (weekly, 24 Mar is an
    // EXDATE, 31 Mar a holiday but still away), 26-28 Mar (all-day, multi-day).
    let away = march(&[2, 8, 17, 26, 27, 28, 31]);
    let report = check_json(&p, &["--month", "2027-03"], 0);
    let ana = report["fairness"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["person"] == "ana" && f["rotation"] == "berlin")
        .unwrap();
    assert_eq!(ana["away_days"], away.len());
    let plan = p.json(&["plan", "--format", "json", "--month", "2027-03"]);
    let ana_days: BTreeSet<String> = plan["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["person"] == "ana")
        .map(|s| s["start"].as_str().unwrap()[..10].to_string())
        .collect();
    assert!(ana_days.is_disjoint(&away), "{ana_days:?}");
    assert!(ana_days.contains("2027-03-09") || ana_days.contains("2027-03-24"));
}

#[test]
fn a_broken_ics_is_a_config_error_naming_the_file_line_and_the_config_line() {
    let p = Project::new(&ics_config());
    write_ics(&p.file("cal"));
    let ics = std::fs::read_to_string(p.file("cal/ooo.ics")).unwrap();
    let broken = ics.replacen(
        "DTSTART;TZID=Europe/Berlin:20270302T090000",
        "DTSTART;TZID=Europe/Berlin:2027-03-02",
        1,
    );
    std::fs::write(p.file("cal/ooo.ics"), &broken).unwrap();
    let line = broken
        .lines()
        .position(|l| l.contains("2027-03-02"))
        .unwrap()
        + 1;
    let err = p.run_err(&["check"], 2);
    assert!(
        err.contains(&format!("cal/ooo.ics:{line}: DTSTART")),
        "{err}"
    );
    // The config line that names the file: `away = ["cal/ooo.ics"]`.
    let config_line = ics_config()
        .lines()
        .position(|l| l.contains("cal/ooo.ics"))
        .unwrap()
        + 1;
    assert!(
        err.contains(&format!("rotation.toml:{config_line}:")),
        "{err}"
    );

    std::fs::write(
        p.file("cal/ooo.ics"),
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nnot a property\r\n",
    )
    .unwrap();
    let err = p.run_err(&["check"], 2);
    assert!(
        err.contains("cal/ooo.ics:3: `not a property` is not an iCalendar line"),
        "{err}"
    );
    // A file cut short after its last event began.
    let cut = ics.rfind("BEGIN:VEVENT").unwrap();
    let begun = ics[..cut].matches('\n').count() + 1;
    std::fs::write(
        p.file("cal/ooo.ics"),
        &ics[..cut + "BEGIN:VEVENT\r\n".len()],
    )
    .unwrap();
    let err = p.run_err(&["check"], 2);
    assert!(
        err.contains(&format!(
            "cal/ooo.ics:{begun}: BEGIN:VEVENT is never closed"
        )),
        "{err}"
    );
    std::fs::remove_file(p.file("cal/holidays.ics")).unwrap();
    let err = p.run_err(&["validate"], 2);
    assert!(err.contains("cannot read `cal/holidays.ics`"), "{err}");
}

fn conflicts_of<'a>(report: &'a Value, kind: &str) -> Vec<&'a Value> {
    report["conflicts"]
        .as_array()
        .expect("conflicts")
        .iter()
        .filter(|c| c["kind"] == kind)
        .collect()
}

/// Ana holds 00:00-`ana_end` and Ben the rest of a daily ten-hour window 00:00-10:00 UTC.
fn shares(ana_end: &str, check: &str) -> String {
    let mut c = team("UTC", "2027-01-04");
    c += &person("ana", "UTC");
    c += &person("ben", "UTC");
    c += &format!(
        "[[rotation]]\nname = \"early\"\nmembers = [\"ana\"]\nshift = \"00:00-{ana_end}\"\n\n"
    );
    c += &format!(
        "[[rotation]]\nname = \"late\"\nmembers = [\"ben\"]\nshift = \"{ana_end}-10:00\"\n\n"
    );
    c += "[[coverage]]\nname = \"mornings\"\nwhen = \"00:00-10:00\"\ntimezone = \"UTC\"\n\n";
    c + check
}

#[test]
fn exactly_the_max_share_is_fine_and_a_minute_more_is_a_warning() {
    let p = Project::new(&shares("03:00", "[check]\nmax_share = \"30%\"\n"));
    let report = check_json(&p, &["--month", "2027-03"], 0);
    let found = conflicts_of(&report, "max-share");
    // Ben holds 70%: a warning; Ana's exactly 30% is not.
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["person"], "ben");
    assert_eq!(found[0]["severity"], "warning");

    let p = Project::new(&shares("03:01", "[check]\nmax_share = \"30%\"\n"));
    let report = check_json(&p, &["--month", "2027-03"], 0);
    let people: Vec<&Value> = conflicts_of(&report, "max-share")
        .iter()
        .map(|c| &c["person"])
        .collect();
    assert_eq!(people, vec!["ana", "ben"]);
    // --strict fails on the warning.
    p.run(&["check", "--month", "2027-03", "--strict"], 1);
}

#[test]
fn a_workload_rule_made_an_error_fails_the_check_in_both_config_forms() {
    for check in [
        "[check]\nmax_share = { limit = \"50%\", severity = \"error\" }\n",
        "[check]\nseverity = \"error\"\nmax_share = \"50%\"\n",
    ] {
        let p = Project::new(&shares("03:00", check));
        let report = check_json(&p, &["--month", "2027-03"], 1);
        let found = conflicts_of(&report, "max-share");
        assert_eq!(found.len(), 1, "{check}");
        assert_eq!(found[0]["severity"], "error");
    }
    // 70% against a 70% limit is fine.
    let p = Project::new(&shares(
        "03:00",
        "[check]\nmax_share = { limit = \"70%\", severity = \"error\" }\n",
    ));
    check_json(&p, &["--month", "2027-03"], 0);
}

/// One person on a daily shift from 09:00 to `end`, every day (or `days`).
fn solo(end: &str, days: &str, check: &str) -> String {
    let mut c = team("UTC", "2027-01-04");
    c += &person("ana", "UTC");
    c += &format!(
        "[[rotation]]\nname = \"solo\"\nmembers = [\"ana\"]\ndays = \"{days}\"\nshift = \"09:00-{end}\"\n\n"
    );
    c + check
}

#[test]
fn a_rest_of_exactly_min_rest_is_fine_and_a_minute_less_is_a_warning() {
    // 09:00-22:00 leaves 11h until 09:00 the next day.
    let p = Project::new(&solo("22:00", "daily", "[check]\nmin_rest = \"11h\"\n"));
    let report = check_json(&p, &["--month", "2027-03"], 0);
    assert_eq!(conflicts_of(&report, "min-rest").len(), 0);

    let p = Project::new(&solo("22:01", "daily", "[check]\nmin_rest = \"11h\"\n"));
    let report = check_json(&p, &["--month", "2027-03"], 0);
    let found = conflicts_of(&report, "min-rest");
    // Each of March's 31 mornings ends a short rest (the one on 1 Mar began in February).
    assert_eq!(found.len(), 31);
    assert_eq!(found[1]["start"], "2027-03-01T22:01:00+00:00");
    assert_eq!(found[1]["end"], "2027-03-02T09:00:00+00:00");
    assert!(found[1]["message"].as_str().unwrap().contains("10h 59m"));
}

#[test]
fn max_consecutive_days_allows_the_limit_and_flags_a_longer_run_once() {
    let p = Project::new(&solo(
        "17:00",
        "mon-sat",
        "[check]\nmax_consecutive_days = 6\n",
    ));
    let report = check_json(&p, &["--month", "2027-03"], 0);
    assert_eq!(conflicts_of(&report, "max-consecutive-days").len(), 0);

    let p = Project::new(&solo(
        "17:00",
        "mon-sun",
        "[check]\nmax_consecutive_days = { limit = 6, severity = \"error\" }\n",
    ));
    let report = check_json(&p, &["--month", "2027-03"], 1);
    let found = conflicts_of(&report, "max-consecutive-days");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["severity"], "error");
    // The run began in January and goes on: one finding, clipped to the month.
    assert_eq!(found[0]["start"], "2027-03-01T00:00:00+00:00");
    assert_eq!(found[0]["end"], "2027-04-01T00:00:00+00:00");
}

#[test]
fn workload_rules_that_do_not_parse_are_config_errors() {
    for (check, says) in [
        ("max_share = \"thirty\"", "max_share"),
        ("max_share = \"130%\"", "max_share"),
        ("min_rest = \"eleven\"", "min_rest"),
        ("max_consecutive_days = 0", "max_consecutive_days"),
        (
            "max_consecutive_days = { limit = 6, severity = \"fatal\" }",
            "severity",
        ),
        ("severity = \"fatal\"", "severity"),
    ] {
        let p = Project::new(&solo("17:00", "daily", &format!("[check]\n{check}\n")));
        let err = p.run_err(&["check"], 2);
        assert!(
            err.contains(says) && err.contains("rotation.toml:"),
            "{check}: {err}"
        );
    }
}

/// A workflow command as the GitHub runner reads it: `::level prop=value,...::message`, with
/// `%25`, `%0D`, `%0A` (and in properties `%3A`, `%2C`) unescaped.
#[derive(Debug)]
struct Annotation {
    level: String,
    props: std::collections::BTreeMap<String, String>,
    message: String,
}

fn unescape(text: &str) -> String {
    text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

fn annotations(out: &str) -> Vec<Annotation> {
    out.lines()
        .map(|line| {
            let rest = line
                .strip_prefix("::")
                .unwrap_or_else(|| panic!("not a command: {line}"));
            let (head, message) = rest.split_once("::").expect("command and message");
            let (level, props) = head.split_once(' ').unwrap_or((head, ""));
            let props = props
                .split(',')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p.split_once('=').expect("key=value");
                    (k.to_string(), unescape(v))
                })
                .collect();
            Annotation {
                level: level.to_string(),
                props,
                message: unescape(message),
            }
        })
        .collect()
}

fn line_of(config: &str, needle: &str) -> String {
    (config
        .lines()
        .position(|l| l.contains(needle))
        .expect(needle)
        + 1)
    .to_string()
}

/// Two legs that leave 12:00-13:00 UTC open every day, a person on both at once through an
/// override, and an override outside every shift.
fn annotated() -> String {
    let mut c = team("UTC", "2027-01-04");
    c += &person("ana", "UTC");
    c += &person("ben", "UTC");
    c += "[[rotation]]\nname = \"early\"\nmembers = [\"ana\"]\nshift = \"00:00-12:00\"\n\n";
    c += "[[rotation]]\nname = \"late\"\nmembers = [\"ben\"]\nshift = \"13:00-24:00\"\n\n";
    c += "[[coverage]]\nname = \"round, the: clock\"\nwhen = \"always\"\ntimezone = \"UTC\"\n\n";
    c += "[[override]]\nrotation = \"late\"\nperson = \"ana\"\nfrom = 2027-03-03T13:00:00\nto = 2027-03-03T14:00:00\n\n";
    c += "[[override]]\nrotation = \"early\"\nperson = \"ben\"\nfrom = 2027-03-05T12:00:00\nto = 2027-03-05T13:00:00\n\n";
    c += "[check]\nmin_rest = \"11h\"\n";
    c
}

#[test]
fn github_annotations_point_at_the_rule_person_and_override_lines() {
    let config = annotated();
    let p = Project::new(&config);
    let out = p.run(&["check", "--month", "2027-03", "--format", "github"], 1);
    let all = annotations(&out);
    let gap = all
        .iter()
        .find(|a| a.props["title"].starts_with("coverage gap"))
        .unwrap();
    assert_eq!(gap.level, "error");
    assert_eq!(gap.props["file"], "rotation.toml");
    assert_eq!(gap.props["line"], line_of(&config, "[[coverage]]"));
    assert_eq!(gap.props["title"], "coverage gap: round, the: clock");
    // 31 daily gaps fold into one annotation.
    assert!(
        gap.message
            .contains("daily 12:00–13:00 UTC, 1–31 Mar, 31 times"),
        "{}",
        gap.message
    );

    let ana_line = line_of(&config, "id = \"ana\"").parse::<usize>().unwrap() - 1;
    let booked = all.iter().find(|a| a.props["title"] == "min-rest").unwrap();
    assert_eq!(booked.level, "warning");
    assert_eq!(booked.props["line"], ana_line.to_string());
    assert!(booked.message.starts_with("ana: "), "{}", booked.message);

    let idle = all
        .iter()
        .find(|a| a.props["title"] == "override-outside-shifts")
        .unwrap();
    let second_override = config.match_indices("[[override]]").nth(1).unwrap().0;
    let line = config[..second_override].matches('\n').count() + 1;
    assert_eq!(idle.props["line"], line.to_string());
    assert!(all.iter().all(|a| a.props["col"] == "1"));
}

#[test]
fn a_config_error_under_github_format_is_an_annotation_at_its_line_and_column() {
    let config = annotated().replace(
        "timezone = \"UTC\"\n\n[[override]]",
        "timezone = \"Europe/Bucharet\"\n\n[[override]]",
    );
    let p = Project::new(&config);
    let out = p.run(&["check", "--format", "github"], 2);
    let all = annotations(&out);
    assert_eq!(all.len(), 1, "{out}");
    assert_eq!(all[0].level, "error");
    assert_eq!(all[0].props["line"], line_of(&config, "Europe/Bucharet"));
    assert_eq!(all[0].props["col"], "12");
    assert!(
        all[0]
            .message
            .contains("unknown time zone `Europe/Bucharet`\nhelp: "),
        "{}",
        all[0].message
    );
}

#[test]
fn quiet_prints_nothing_and_the_exit_code_tells() {
    let p = Project::new(&annotated());
    let out = p
        .rota()
        .args(["check", "--month", "2027-03", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
    let out = p
        .rota()
        .args(["-q", "check", "--month", "2027-03", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let fine = Project::new(&legs_and_duty("", "\"2027-03-10\""));
    let out = fine
        .rota()
        .args(["check", "--month", "2027-03", "-q"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
}

#[test]
fn text_folds_repeated_gaps_of_a_rule_and_window_and_json_keeps_every_one() {
    let p = Project::new(&annotated());
    let text = p.run(&["check", "--month", "2027-03"], 1);
    assert!(
        text.contains("daily 12:00–13:00 UTC, 1–31 Mar, 31 times"),
        "{text}"
    );
    let report = check_json(&p, &["--month", "2027-03"], 1);
    assert_eq!(report["gaps"].as_array().unwrap().len(), 31);
}

/// The shipped configs: every example and the bundled rotation.toml.
fn shipped_configs() -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut configs: Vec<_> = std::fs::read_dir(root.join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    configs.sort();
    configs.push(root.join("rotation.toml"));
    assert!(configs.len() >= 3, "{configs:?}");
    configs
}

fn check_exit(config: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = assert_cmd::Command::cargo_bin("rota")
        .unwrap()
        .env("NO_COLOR", "1")
        .arg("--config")
        .arg(config)
        .arg("check")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn every_shipped_config_passes_its_own_check_for_twelve_months() {
    use chrono::Datelike;
    // A fixed year, with no warnings either (--strict) ...
    for config in shipped_configs() {
        let (code, out) = check_exit(
            &config,
            &["--from", "2027-01-01", "--to", "2028-01-01", "--strict"],
        );
        assert_eq!(code, Some(0), "{}:\n{out}", config.display());
    }
    // ... and the twelve months from the current one, as a CI run today sees them.
    let today = chrono::Utc::now().date_naive();
    let from = today.with_day(1).unwrap();
    let to = from.checked_add_months(chrono::Months::new(12)).unwrap();
    let (from, to) = (from.to_string(), to.to_string());
    for config in shipped_configs() {
        let (code, out) = check_exit(&config, &["--from", &from, "--to", &to]);
        assert_eq!(
            code,
            Some(0),
            "{} from {from} to {to}:\n{out}",
            config.display()
        );
    }
}

fn validate_with_schema(
    schema: &Path,
    expect: &str,
    configs: &[std::path::PathBuf],
) -> (bool, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema/validate.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(schema)
        .arg(expect)
        .args(configs)
        .output()
        .unwrap_or_else(|e| panic!("this test needs python3 (3.11+, for tomllib) on PATH: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !text.contains("ModuleNotFoundError"),
        "the schema test needs `pip install jsonschema`:\n{text}"
    );
    (out.status.success(), text)
}

#[test]
fn the_schema_accepts_every_shipped_config_and_rejects_broken_ones() {
    let p = Project::new(&ics_config());
    let schema = p.run(&["schema"], 0);
    let parsed: Value = serde_json::from_str(&schema).expect("the schema is JSON");
    assert_eq!(parsed["$schema"], "http://json-schema.org/draft-04/schema#");
    std::fs::write(p.file("rotation.schema.json"), &schema).unwrap();

    let mut valid = shipped_configs();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    valid.push(root.join("tests/fixtures/check/demo.toml"));
    // Configs written by the tests here, with holidays, .ics paths and workload rules.
    for (name, text) in [
        ("ics.toml", ics_config()),
        (
            "shares.toml",
            shares(
                "03:00",
                "[check]\nmax_share = { limit = \"30%\", severity = \"error\" }\nseverity = \"warning\"\nmin_rest = \"11h\"\nmax_consecutive_days = 6\n",
            ),
        ),
        ("annotated.toml", annotated()),
    ] {
        std::fs::write(p.file(name), text).unwrap();
        valid.push(p.file(name));
    }
    // The starter config `rota init` writes.
    let starter = tempfile::tempdir().unwrap();
    let init = assert_cmd::Command::cargo_bin("rota")
        .unwrap()
        .current_dir(starter.path())
        .env_remove("ROTA_CONFIG")
        .arg("init")
        .output()
        .unwrap();
    assert!(init.status.success(), "{init:?}");
    valid.push(starter.path().join("rotation.toml"));
    let (ok, out) = validate_with_schema(&p.file("rotation.schema.json"), "valid", &valid);
    assert!(ok, "{out}");

    let base = ics_config();
    let broken = [
        (
            "unknown-key.toml",
            base.replace(
                "[[rotation]]\nname = \"tokyo\"",
                "[[rotation]]\nname = \"tokyo\"\ncolour = \"red\"",
            ),
        ),
        (
            "bad-shift.toml",
            base.replace("shift = \"09:00-17:00\"", "shift = \"9 to 5\""),
        ),
        (
            "min-zero.toml",
            base.replace(
                "when = \"09:00-17:00\"\n",
                "when = \"09:00-17:00\"\nmin = 0\n",
            ),
        ),
        ("no-start.toml", base.replace("start = 2027-01-04\n", "")),
        (
            "bad-share.toml",
            format!("{base}[check]\nmax_share = \"30\"\n"),
        ),
        (
            "bad-severity.toml",
            format!("{base}[check]\nmin_rest = {{ limit = \"11h\", severity = \"fatal\" }}\n"),
        ),
        (
            "password.toml",
            format!("{base}[smtp]\nhost = \"smtp.example\"\npassword = \"hunter2\"\n"),
        ),
        (
            "bad-away.toml",
            base.replace("away = [\"cal/ooo.ics\"]", "away = [\"next tuesday\"]"),
        ),
    ];
    for (name, text) in &broken {
        assert_ne!(text, &base, "{name} changed nothing");
        std::fs::write(p.file(name), text).unwrap();
        let (ok, out) =
            validate_with_schema(&p.file("rotation.schema.json"), "invalid", &[p.file(name)]);
        assert!(ok, "{name}: {out}");
    }
}

#[test]
fn the_ci_examples_run_rota_check() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workflow = std::fs::read_to_string(root.join("examples/github/rota-check.yml")).unwrap();
    assert!(workflow.contains("rota check") && workflow.contains("--format github"));
    let hook =
        std::fs::read_to_string(root.join("examples/pre-commit/.pre-commit-config.yaml")).unwrap();
    assert!(hook.contains("rota check") && hook.contains("id: rota-check"));
}
