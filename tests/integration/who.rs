//! `rota who`: who is on duty at an instant, per rotation.

use crate::support::*;

fn config() -> String {
    let mut c = team("Europe/Lisbon", "2026-12-14");
    c.push_str(&person("ines", "Europe/Lisbon"));
    c.push_str(&person("tom", "Europe/Lisbon"));
    c.push_str("[[rotation]]\nname = \"support-hero\"\nmembers = [\"tom\", \"ines\"]\ndays = \"mon-fri\"\nshift = \"13:00-17:00\"\n");
    c.push_str("[[rotation]]\nname = \"nights\"\nmembers = [\"tom\"]\ndays = \"sat,sun\"\nshift = \"22:00-06:00\"\n");
    c
}

#[test]
fn json_lists_every_rotation_with_null_when_nobody_is_on() {
    let p = Project::new(&config());
    let v = p.json(&[
        "who",
        "--at",
        "2026-12-16T14:00:00+00:00",
        "--format",
        "json",
    ]);
    assert_eq!(v["at"], "2026-12-16T14:00:00+00:00");
    let duty = &v["on_duty"][0];
    assert_eq!(duty["rotation"], "support-hero");
    // Mon tom, Tue ines, Wed tom.
    assert_eq!(duty["person"], "tom");
    assert_eq!(duty["email"], "tom@example.com");
    assert_eq!(duty["start"], "2026-12-16T13:00:00+00:00");
    assert_eq!(duty["end"], "2026-12-16T17:00:00+00:00");
    assert_eq!(v["on_duty"][1]["rotation"], "nights");
    assert!(v["on_duty"][1]["person"].is_null());
}

#[test]
fn local_at_is_read_in_the_display_zone_and_end_is_exclusive() {
    let p = Project::new(&config());
    let v = p.json(&["who", "--at", "2026-12-16T17:00", "--format", "json"]);
    assert!(
        v["on_duty"][0]["person"].is_null(),
        "17:00 is the end of the shift"
    );
    let v = p.json(&[
        "who",
        "--at",
        "2026-12-20T03:00",
        "--tz",
        "Asia/Tokyo",
        "--format",
        "json",
    ]);
    // 03:00 Tokyo = 18:00 Lisbon the day before: Saturday evening, before the night shift.
    assert!(v["on_duty"][1]["person"].is_null());
    let v = p.json(&[
        "who",
        "--at",
        "2026-12-20T08:00",
        "--tz",
        "Asia/Tokyo",
        "--format",
        "json",
    ]);
    assert_eq!(v["on_duty"][1]["person"], "tom");
}

#[test]
fn table_names_the_person_on_duty() {
    let p = Project::new(&config());
    let out = p.run(&["who", "--at", "2026-12-15T15:00"], 0);
    assert!(
        out.contains("support-hero") && out.contains("INES"),
        "{out}"
    );
    // The weekend-only rotation has nobody on a Tuesday, and says why.
    assert!(out.contains("off day"), "{out}");
    p.run_err(&["who", "--at", "yesterday"], 2);
}

/// (reason, next person, next start) of rotation `i` in `who --format json`.
fn why_and_next(v: &serde_json::Value, i: usize) -> (String, String, String) {
    let d = &v["on_duty"][i];
    (
        d["reason"].as_str().unwrap_or("-").to_string(),
        d["next"]["person"].as_str().unwrap_or("-").to_string(),
        d["next"]["start"].as_str().unwrap_or("-").to_string(),
    )
}

#[test]
fn who_says_who_takes_over_next_and_from_when() {
    let p = Project::new(&config());
    // Wed 16 Dec 14:00: tom on duty; ines takes the next day's turn.
    let v = p.json(&["who", "--at", "2026-12-16T14:00", "--format", "json"]);
    assert_eq!(
        why_and_next(&v, 0),
        (
            "-".into(),
            "ines".into(),
            "2026-12-17T13:00:00+00:00".into()
        )
    );
    assert!(v["on_duty"][0]["reason"].is_null());
    assert_eq!(v["on_duty"][0]["next"]["name"], "INES");
    assert_eq!(v["on_duty"][0]["next"]["end"], "2026-12-17T17:00:00+00:00");
    // The weekend nights: nobody on a Wednesday, tom from Saturday night.
    assert_eq!(
        why_and_next(&v, 1),
        (
            "off-day".into(),
            "tom".into(),
            "2026-12-19T22:00:00+00:00".into()
        )
    );
    // Existing fields are all still there.
    for key in [
        "rotation", "person", "name", "email", "start", "end", "override",
    ] {
        assert!(v["on_duty"][0].get(key).is_some(), "{key}");
    }
    let table = p.run(&["who", "--at", "2026-12-16T14:00"], 0);
    assert!(
        table.contains("NEXT") && table.contains("Thu 2026-12-17 13:00"),
        "{table}"
    );
}

#[test]
fn an_empty_slot_says_why_holiday_off_day_off_hours_not_started_or_unassigned() {
    let mut c = team("UTC", "2026-12-14");
    c.push_str(&person("ann", "UTC"));
    c.push_str(&person("bob", "UTC"));
    c.push_str("[[person]]\nid = \"cat\"\naway = [\"2026-12-22..2026-12-27\"]\n\n");
    c.push_str(
        "[[rotation]]\nname = \"day\"\nmembers = [\"ann\", \"bob\"]\ndays = \"mon-fri\"\nshift = \"09:00-17:00\"\nexcept = [\"2026-12-25\"]\n",
    );
    c.push_str(
        "[[rotation]]\nname = \"solo\"\nmembers = [\"cat\"]\nshift = \"22:00-06:00\"\nturn = \"week\"\n",
    );
    let p = Project::new(&c);
    let reason = |at: &str, i: usize| {
        let v = p.json(&["who", "--at", at, "--format", "json"]);
        why_and_next(&v, i)
    };
    assert_eq!(reason("2026-12-01T12:00", 0).0, "not-started");
    assert_eq!(
        reason("2026-12-01T12:00", 0).1,
        "ann",
        "the first turn is next"
    );
    assert_eq!(reason("2026-12-25T12:00", 0).0, "holiday");
    assert_eq!(reason("2026-12-26T12:00", 0).0, "off-day");
    assert_eq!(reason("2026-12-24T18:00", 0).0, "off-hours");
    // cat is away all of the second week: that turn is unassigned, and cat comes back after.
    let (why, next, from) = reason("2026-12-22T23:00", 1);
    assert_eq!(why, "unassigned");
    assert_eq!(
        (next.as_str(), from.as_str()),
        ("cat", "2026-12-28T22:00:00+00:00")
    );
    // The night shift begun on Monday still holds Tuesday 03:00.
    assert_eq!(reason("2026-12-15T03:00", 1).0, "-");
}
