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
    assert!(out.contains("no shift now"), "{out}");
    p.run_err(&["who", "--at", "yesterday"], 2);
}
