//! `rota plan`: turns, away days, overrides, DST and every output format.

use serde_json::Value;

use crate::support::*;

/// (person, start, end) of each shift in `plan --format json`.
fn shifts(v: &Value) -> Vec<(String, String, String)> {
    v["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["person"].as_str().unwrap_or("-").to_string(),
                s["start"].as_str().unwrap().to_string(),
                s["end"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn people(v: &Value) -> Vec<String> {
    shifts(v).into_iter().map(|s| s.0).collect()
}

fn duty(extra_person_keys: &[(&str, &str)], rotation_keys: &str) -> String {
    let mut c = team("Europe/Berlin", "2026-11-30");
    for id in ["a", "b", "c"] {
        c.push_str(&person(id, "Europe/Berlin"));
        for (who, line) in extra_person_keys {
            if *who == id {
                c.push_str(line);
                c.push('\n');
            }
        }
    }
    c.push_str(&format!(
        "[[rotation]]\nname = \"duty\"\nmembers = [\"a\", \"b\", \"c\"]\nshift = \"09:00-17:00\"\n{rotation_keys}\n"
    ));
    c
}

#[test]
fn daily_duty_is_round_robin_on_working_days_skipping_holidays() {
    let p = Project::new(&duty(&[], "days = \"mon-fri\"\nexcept = [\"2026-12-02\"]"));
    let v = p.json(&[
        "plan",
        "--from",
        "2026-11-30",
        "--to",
        "2026-12-08",
        "--format",
        "json",
    ]);
    // Mon 30 a, Tue 1 b, Wed 2 holiday, Thu 3 c, Fri 4 a, (weekend), Mon 7 b.
    assert_eq!(people(&v), ["a", "b", "c", "a", "b"]);
    let s = shifts(&v);
    assert_eq!(s[2].1, "2026-12-03T09:00:00+01:00");
    assert_eq!(s[2].2, "2026-12-03T17:00:00+01:00");
}

#[test]
fn away_member_is_skipped_and_keeps_their_place_at_the_front() {
    let p = Project::new(&duty(&[("b", "away = [\"2026-12-01\"]")], ""));
    let v = p.json(&[
        "plan",
        "--from",
        "2026-11-30",
        "--to",
        "2026-12-06",
        "--format",
        "json",
    ]);
    // b is away on day 2: c takes it, b gets the next turn, then the order goes on.
    assert_eq!(people(&v), ["a", "c", "b", "a", "c", "b"]);
}

#[test]
fn nobody_free_leaves_the_turn_unassigned() {
    let away = "away = [\"2026-12-01\"]";
    let p = Project::new(&duty(&[("a", away), ("b", away), ("c", away)], ""));
    let v = p.json(&[
        "plan",
        "--from",
        "2026-11-30",
        "--to",
        "2026-12-03",
        "--format",
        "json",
    ]);
    assert_eq!(people(&v), ["a", "-", "b"]);
    assert!(v["shifts"][1]["person"].is_null() && v["shifts"][1]["name"].is_null());
}

#[test]
fn weekly_turn_skips_a_member_away_on_any_day_of_it() {
    let p = Project::new(&duty(
        &[("b", "away = [\"2026-12-13\"]")],
        "turn = \"week\"",
    ));
    let v = p.json(&[
        "plan",
        "--from",
        "2026-11-30",
        "--to",
        "2026-12-21",
        "--format",
        "json",
    ]);
    let got = people(&v);
    // Week 1 a; week 2 touches b's away Sunday, so c; week 3 b.
    assert!(got[0..7].iter().all(|p| p == "a"), "{got:?}");
    assert!(got[7..14].iter().all(|p| p == "c"), "{got:?}");
    assert!(got[14..21].iter().all(|p| p == "b"), "{got:?}");
}

#[test]
fn away_days_are_read_in_the_persons_own_zone() {
    // The shift is 22:00-06:00 Berlin; for c in Tokyo it touches the next two local days.
    let mut c = team("Europe/Berlin", "2026-11-30");
    c.push_str(&person("a", "Europe/Berlin"));
    c.push_str(&person("b", "Asia/Tokyo"));
    c.push_str("away = [\"2026-12-02\"]\n");
    c.push_str(
        "[[rotation]]\nname = \"night\"\nmembers = [\"a\", \"b\"]\nshift = \"22:00-06:00\"\n",
    );
    let p = Project::new(&c);
    let v = p.json(&[
        "plan",
        "--from",
        "2026-11-30",
        "--to",
        "2026-12-03",
        "--format",
        "json",
    ]);
    // Mon 30 a; Tue 1 22:00 Berlin = Wed 2 06:00 Tokyo: b is away there, so a; Wed 2 b would
    // start Thu 3 06:00 Tokyo: free.
    assert_eq!(people(&v), ["a", "a", "b"]);
}

#[test]
fn override_splits_a_shift_exactly_and_moves_nobody() {
    let mut c = duty(&[], "");
    c.push_str("[[override]]\nrotation = \"duty\"\nperson = \"c\"\nfrom = 2026-11-30T12:00:00\nto = 2026-11-30T14:30:00\n");
    let p = Project::new(&c);
    let v = p.json(&[
        "plan",
        "--from",
        "2026-11-30",
        "--to",
        "2026-12-02",
        "--format",
        "json",
    ]);
    assert_eq!(
        shifts(&v),
        [
            (
                "a".into(),
                "2026-11-30T09:00:00+01:00".into(),
                "2026-11-30T12:00:00+01:00".into()
            ),
            (
                "c".into(),
                "2026-11-30T12:00:00+01:00".into(),
                "2026-11-30T14:30:00+01:00".into()
            ),
            (
                "a".into(),
                "2026-11-30T14:30:00+01:00".into(),
                "2026-11-30T17:00:00+01:00".into()
            ),
            (
                "b".into(),
                "2026-12-01T09:00:00+01:00".into(),
                "2026-12-01T17:00:00+01:00".into()
            ),
        ]
    );
    let flags: Vec<bool> = v["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["override"].as_bool().unwrap())
        .collect();
    assert_eq!(flags, [false, true, false, false]);
}

#[test]
fn override_spanning_several_shifts_covers_only_shift_time() {
    let mut c = duty(&[], "");
    c.push_str("[[override]]\nrotation = \"duty\"\nperson = \"c\"\nfrom = 2026-11-30T00:00:00\nto = 2026-12-02T00:00:00\n");
    let p = Project::new(&c);
    let v = p.json(&[
        "plan",
        "--from",
        "2026-11-30",
        "--to",
        "2026-12-03",
        "--format",
        "json",
    ]);
    // Two whole shifts go to c; the third turn is still c's own place in the order.
    assert_eq!(people(&v), ["c", "c", "c"]);
    assert_eq!(shifts(&v)[0].1, "2026-11-30T09:00:00+01:00");
}

#[test]
fn night_shifts_keep_wall_clock_times_across_dst_in_both_hemispheres() {
    let mut c = team("UTC", "2027-03-01");
    c.push_str(&person("a", "UTC"));
    c.push_str("[[rotation]]\nname = \"berlin\"\nmembers = [\"a\"]\ntimezone = \"Europe/Berlin\"\nshift = \"22:00-06:00\"\n");
    c.push_str("[[rotation]]\nname = \"sydney\"\nmembers = [\"a\"]\ntimezone = \"Australia/Sydney\"\nshift = \"22:00-06:00\"\n");
    let p = Project::new(&c);
    let v = p.json(&[
        "plan",
        "--from",
        "2027-03-27",
        "--to",
        "2027-03-28",
        "--format",
        "json",
        "--tz",
        "UTC",
    ]);
    // Berlin springs forward on 28 March 2027: the night of the 27th lasts 7 hours.
    let berlin: Vec<_> = v["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["rotation"] == "berlin")
        .collect();
    assert_eq!(berlin[0]["start"], "2027-03-27T21:00:00+00:00");
    assert_eq!(berlin[0]["end"], "2027-03-28T04:00:00+00:00");
    let v = p.json(&[
        "plan",
        "--from",
        "2027-04-03",
        "--to",
        "2027-04-04",
        "--format",
        "json",
        "--tz",
        "UTC",
    ]);
    // Sydney falls back on 4 April 2027 (03:00 AEDT → 02:00 AEST): the night of the 3rd lasts 9 hours.
    let sydney: Vec<_> = v["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["rotation"] == "sydney")
        .collect();
    assert_eq!(sydney[0]["start"], "2027-04-03T11:00:00+00:00");
    assert_eq!(sydney[0]["end"], "2027-04-03T20:00:00+00:00");
}

#[test]
fn nonexistent_start_begins_when_the_clock_jumps_and_ambiguous_end_is_the_first() {
    let mut c = team("America/New_York", "2027-03-01");
    c.push_str(&person("a", "America/New_York"));
    c.push_str("[[rotation]]\nname = \"early\"\nmembers = [\"a\"]\nshift = \"02:30-10:00\"\n");
    c.push_str("[[rotation]]\nname = \"late\"\nmembers = [\"a\"]\nshift = \"18:00-01:30\"\n");
    let p = Project::new(&c);
    // 14 March 2027 02:30 does not exist in New York: the shift starts at 03:00 EDT.
    let v = p.json(&[
        "plan",
        "--from",
        "2027-03-14",
        "--to",
        "2027-03-15",
        "--format",
        "json",
    ]);
    let early = v["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["rotation"] == "early")
        .unwrap();
    assert_eq!(early["start"], "2027-03-14T03:00:00-04:00");
    // 7 November 2027 01:30 happens twice: the late shift of the 6th ends at the first (EDT).
    let v = p.json(&[
        "plan",
        "--from",
        "2027-11-06",
        "--to",
        "2027-11-07",
        "--format",
        "json",
        "--tz",
        "UTC",
    ]);
    let late = v["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["rotation"] == "late")
        .unwrap();
    assert_eq!(late["end"], "2027-11-07T05:30:00+00:00");
}

#[test]
fn whole_day_windows_last_23_or_25_hours_on_dst_days() {
    let mut c = team("Europe/London", "2027-03-01");
    c.push_str(&person("a", "Europe/London"));
    c.push_str("[[rotation]]\nname = \"all\"\nmembers = [\"a\"]\nshift = \"00:00-24:00\"\n");
    let p = Project::new(&c);
    let v = p.json(&[
        "plan",
        "--from",
        "2027-03-27",
        "--to",
        "2027-03-30",
        "--format",
        "json",
        "--tz",
        "UTC",
    ]);
    let s = shifts(&v);
    assert_eq!(
        s[1],
        (
            "a".into(),
            "2027-03-28T00:00:00+00:00".into(),
            "2027-03-28T23:00:00+00:00".into()
        )
    );
    // Consecutive whole-day shifts meet exactly.
    assert_eq!(s[0].2, s[1].1);
    assert_eq!(s[1].2, s[2].1);
}

#[test]
fn json_has_exactly_the_contract_shape() {
    let p = Project::new(&duty(&[], ""));
    let v = p.json(&["plan", "--month", "2026-12", "--format", "json"]);
    assert_eq!(v["from"], "2026-12-01T00:00:00+01:00");
    assert_eq!(v["to"], "2027-01-01T00:00:00+01:00");
    assert_eq!(v["timezone"], "Europe/Berlin");
    let keys: Vec<&String> = v["shifts"][0].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["rotation", "person", "name", "start", "end", "override"]
    );
    assert_eq!(v["shifts"].as_array().unwrap().len(), 31);
}

#[test]
fn period_holds_shifts_that_start_in_it_sorted_by_start_then_rotation() {
    let mut c = duty(&[], "");
    c.push_str("[[rotation]]\nname = \"alpha\"\nmembers = [\"c\"]\nshift = \"09:00-10:00\"\n");
    c.push_str("[[rotation]]\nname = \"night\"\nmembers = [\"c\"]\nshift = \"20:00-08:00\"\n");
    let p = Project::new(&c);
    let v = p.json(&[
        "plan",
        "--from",
        "2026-12-01",
        "--to",
        "2026-12-02",
        "--format",
        "json",
    ]);
    let order: Vec<&str> = v["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["rotation"].as_str().unwrap())
        .collect();
    // The night shift of 30 Nov reaches into the period but starts before it.
    assert_eq!(order, ["alpha", "duty", "night"]);
}

#[test]
fn display_zone_changes_offsets_not_instants() {
    let p = Project::new(&duty(&[], ""));
    let v = p.json(&[
        "plan",
        "--from",
        "2026-12-01",
        "--to",
        "2026-12-02",
        "--format",
        "json",
        "--tz",
        "America/New_York",
    ]);
    assert_eq!(v["timezone"], "America/New_York");
    assert_eq!(v["from"], "2026-12-01T00:00:00-05:00");
    // 06:00 New York = 12:00 Berlin: the shift of Berlin's 1 Dec starts in the period.
    assert_eq!(v["shifts"][0]["start"], "2026-12-01T03:00:00-05:00");
}

#[test]
fn no_shift_starts_before_the_team_start() {
    let p = Project::new(&duty(&[], ""));
    let v = p.json(&["plan", "--month", "2026-11", "--format", "json"]);
    assert_eq!(people(&v), ["a"], "only 30 Nov is on or after start");
}

#[test]
fn table_csv_and_markdown_show_names_and_overrides() {
    let mut c = duty(&[], "");
    c.push_str("[[override]]\nrotation = \"duty\"\nperson = \"c\"\nfrom = 2026-12-01T09:00:00\nto = 2026-12-01T17:00:00\n");
    let p = Project::new(&c);
    let period = ["--from", "2026-11-30", "--to", "2026-12-02"];
    let table = p.run(&[&["plan"][..], &period].concat(), 0);
    assert!(
        table.contains("Mon 2026-11-30 09:00") && table.contains("duty      A"),
        "{table}"
    );
    assert!(table.contains("override"), "{table}");
    assert!(!table.contains('\x1b'), "no colour off a terminal");
    let csv = p.run(&[&["plan", "--format", "csv"][..], &period].concat(), 0);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "rotation,person,name,start,end,override");
    assert_eq!(
        lines[2],
        "duty,c,C,2026-12-01T09:00:00+01:00,2026-12-01T17:00:00+01:00,true"
    );
    let md = p.run(
        &[&["plan", "--format", "markdown"][..], &period].concat(),
        0,
    );
    assert!(md.starts_with("| Start"), "{md}");
    assert_eq!(md.lines().count(), 4, "{md}");
}

#[test]
fn bad_period_flags_are_usage_errors() {
    let p = Project::new(&duty(&[], ""));
    p.run_err(&["plan", "--month", "2026-13"], 2);
    p.run_err(&["plan", "--from", "2026-12-05", "--to", "2026-12-01"], 2);
    p.run_err(&["plan", "--from", "2026-12-05"], 2);
    p.run_err(
        &[
            "plan",
            "--month",
            "2026-12",
            "--from",
            "2026-12-01",
            "--to",
            "2026-12-02",
        ],
        2,
    );
}

#[test]
fn bundled_example_config_plans_december() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut cmd = assert_cmd::Command::cargo_bin("rota").unwrap();
    let out = cmd
        .args([
            "--config",
            &format!("{root}/rotation.toml"),
            "plan",
            "--month",
            "2026-12",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["shifts"].as_array().unwrap().len() > 100);
}
