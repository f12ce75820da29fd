//! `rota export` as a user runs it. Feeds are read back with Python's `icalendar` package
//! (tests/ics_check.py), an iCalendar parser independent of the one that wrote them.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::support::*;

/// People with commas, semicolons, non-ASCII letters and a name long enough to fold; a daily
/// duty split by an override, and a night leg crossing midnight and the US DST change that a
/// week of absences leaves unassigned; someone in no rotation.
const TRICKY: &str = r#"
[team]
name = "Ops; Support, Inc."
timezone = "Europe/Berlin"
start = 2027-03-01

[[person]]
id = "ines"
name = "Inês Sousa-Ferreira, Jr.; first of her name, with a name long enough to fold"
timezone = "Europe/Lisbon"

[[person]]
id = "mehmet"
name = "Mehmet Yılmaz"
timezone = "Europe/Istanbul"
away = ["2027-03-15..2027-03-21"]

[[person]]
id = "ken"
name = "Kenji Watanabe"
timezone = "Asia/Tokyo"
away = ["2027-03-15..2027-03-21"]

[[person]]
id = "idle"
name = "Idle Person"

[[rotation]]
name = "support-hero"
members = ["ines", "mehmet"]
days = "mon-fri"
shift = "09:00-17:00"

[[rotation]]
name = "night.watch"
members = ["mehmet", "ken"]
timezone = "America/New_York"
shift = "22:00-06:00"
turn = "week"

[[override]]
rotation = "support-hero"
person = "ken"
from = 2027-03-03T11:00:00
to = 2027-03-03T13:00:00
"#;

const TRICKY_PEOPLE: &[&str] = &["ines", "mehmet", "ken", "idle"];
const TRICKY_ROTATIONS: &[&str] = &["support-hero", "night.watch"];

/// The small feed of the snapshot: one rotation, three days, one shift split by an override.
const SMALL: &str = r#"
[team]
name = "Acme Support"
timezone = "Europe/Berlin"
start = 2026-12-07

[[person]]
id = "ana"
name = "Ana Popescu"
timezone = "Europe/Bucharest"

[[person]]
id = "sarah"
name = "Sarah O'Neill, Esq."
timezone = "Europe/London"

[[rotation]]
name = "support-hero"
members = ["ana", "sarah"]
shift = "09:00-17:00"

[[override]]
rotation = "support-hero"
person = "ana"
from = 2026-12-08T12:00:00
to = 2026-12-08T14:00:00
"#;

/// Exports `period` into `calendar/` and has the independent parser check every file against
/// `rota plan --format json` for the same period; returns the parsed events per file.
fn export_and_check(p: &Project, period: &[&str], people: &[&str], rotations: &[&str]) -> Value {
    let stdout = p.run(&[&["export"], period].concat(), 0);
    assert_eq!(
        feeds_in_summary(&stdout),
        1 + people.len() + rotations.len(),
        "{stdout}"
    );
    let plan = p.run(&[&["plan", "--format", "json"], period].concat(), 0);
    std::fs::write(p.file("plan.json"), plan).expect("write plan");
    let mut args = vec!["calendar".to_string(), "plan.json".to_string()];
    for id in people {
        args.extend(["--person".to_string(), id.to_string()]);
    }
    for name in rotations {
        args.extend(["--rotation".to_string(), name.to_string()]);
    }
    check_with_python(p.path(), &args)
}

/// The feeds export's summary accounts for: `wrote 3 files to calendar; 4 were already up to
/// date` is 7.
fn feeds_in_summary(stdout: &str) -> usize {
    let number = |text: &str| -> usize {
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        digits
            .parse()
            .unwrap_or_else(|_| panic!("no number in {stdout:?}"))
    };
    let rest = stdout.strip_prefix("wrote ").expect(stdout);
    let (written, rest) = rest.split_once(" files to ").expect(stdout);
    number(written)
        + rest
            .split_once("; ")
            .map_or(0, |(_, unchanged)| number(unchanged))
}

fn check_with_python(dir: &Path, args: &[String]) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ics_check.py");
    let out = Command::new("python3")
        .arg(script)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run python3 ({e}): install Python 3 and `pip install icalendar`")
        });
    assert!(
        out.status.success(),
        "the independent iCalendar check failed (needs `pip install icalendar`):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("checker prints JSON")
}

/// The events of one parsed file.
fn events<'v>(feeds: &'v Value, file: &str) -> &'v [Value] {
    feeds[file]
        .as_array()
        .unwrap_or_else(|| panic!("no {file}"))
}

/// UID per start instant in one parsed file.
fn uids_by_start(feeds: &Value, file: &str) -> BTreeMap<String, (String, String)> {
    events(feeds, file)
        .iter()
        .map(|e| {
            (
                e["start"].as_str().unwrap().to_string(),
                (
                    e["uid"].as_str().unwrap().to_string(),
                    e["summary"].as_str().unwrap().to_string(),
                ),
            )
        })
        .collect()
}

fn read_folder(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .expect("read folder")
        .map(|entry| {
            let entry = entry.expect("entry");
            let name = entry.file_name().to_string_lossy().into_owned();
            let bytes = if entry.path().is_dir() {
                b"<dir>".to_vec()
            } else {
                std::fs::read(entry.path()).expect("read file")
            };
            (name, bytes)
        })
        .collect()
}

#[test]
fn every_feed_matches_the_plan_event_for_event_when_read_by_an_independent_parser() {
    let p = Project::new(TRICKY);
    let feeds = export_and_check(&p, &["--month", "2027-03"], TRICKY_PEOPLE, TRICKY_ROTATIONS);
    // The checker compared every file with the plan; here the cases that make it interesting.
    let team = events(&feeds, "team.ics");
    assert!(
        team.iter()
            .any(|e| e["summary"] == "UNASSIGNED — night.watch"),
        "the week both members are away is an unassigned turn"
    );
    assert!(events(&feeds, "person-idle.ics").is_empty());
    let ines = events(&feeds, "person-ines.ics");
    assert!(
        ines[0]["summary"]
            .as_str()
            .unwrap()
            .starts_with("Inês Sousa-Ferreira, Jr.; first")
    );
    let ken_day: Vec<_> = events(&feeds, "person-ken.ics")
        .iter()
        .filter(|e| e["summary"] == "Kenji Watanabe — support-hero")
        .collect();
    assert_eq!(ken_day.len(), 1, "the override's piece goes to its taker");
    assert_eq!(ken_day[0]["start"], "2027-03-03T10:00:00Z");
    assert_eq!(ken_day[0]["end"], "2027-03-03T12:00:00Z");
}

/// The events of a feed's text: from its first event to the calendar's end.
fn event_text(feed: &str) -> &str {
    let start = feed.find("BEGIN:VEVENT\r\n").unwrap_or(feed.len());
    let end = feed.rfind("END:VCALENDAR\r\n").expect("a calendar's end");
    &feed[start.min(end)..end]
}

#[test]
fn the_team_feed_holds_each_rotations_feed_byte_for_byte_in_config_order() {
    let p = Project::new(TRICKY);
    p.run(&["export", "--month", "2027-03"], 0);
    let read = |name: &str| std::fs::read_to_string(p.file("calendar").join(name)).unwrap();
    let team = read("team.ics");
    // support-hero comes first in the config, though not by name.
    let rotations: String = TRICKY_ROTATIONS
        .iter()
        .map(|r| event_text(&read(&format!("rotation-{r}.ics"))).to_string())
        .collect();
    assert!(!rotations.is_empty());
    assert_eq!(event_text(&team), rotations);
    assert!(team.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(
        team.contains("X-WR-CALNAME:Ops\\; Support\\, Inc. rota\r\n"),
        "{}",
        &team[..400]
    );
}

#[test]
fn the_bundled_example_exports_across_both_dst_changes_as_planned() {
    let config = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rotation.toml"));
    let p = Project::new(config);
    export_and_check(
        &p,
        &[
            "--from",
            "2027-02-01",
            "--to",
            "2027-05-01",
            "--tz",
            "America/Chicago",
        ],
        &[
            "kenji", "priya", "ana", "sarah", "emily", "lucas", "mehmet", "antonio", "ines",
        ],
        &["apac", "emea", "amer", "support-hero"],
    );
}

#[test]
fn descriptions_give_local_times_and_who_hands_over_before_and_after() {
    let p = Project::new(SMALL);
    let feeds = export_and_check(
        &p,
        &["--month", "2026-12"],
        &["ana", "sarah"],
        &["support-hero"],
    );
    let first = &events(&feeds, "person-sarah.ics")[0];
    assert_eq!(first["start"], "2026-12-08T08:00:00Z");
    let text = first["description"].as_str().unwrap();
    for line in [
        "Rotation: support-hero (Acme Support)",
        "On duty: Sarah O'Neill, Esq. (Tue 8 Dec 08:00 – 11:00 GMT)",
        "Rotation time (Europe/Berlin): Tue 8 Dec 09:00 – 12:00 CET",
        "Before: Ana Popescu, until Mon 7 Dec 17:00 CET",
        "After: Ana Popescu, from Tue 8 Dec 12:00 CET",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "no line {line:?} in:\n{text}"
        );
    }
    let very_first = &events(&feeds, "team.ics")[0];
    assert!(
        very_first["description"]
            .as_str()
            .unwrap()
            .contains("\nBefore: nobody\n")
    );

    // Neighbours outside the exported period are found too.
    p.run(
        &[
            "export",
            "--from",
            "2026-12-08",
            "--to",
            "2026-12-09",
            "--out",
            "one-day",
        ],
        0,
    );
    let ics = std::fs::read_to_string(p.file("one-day/person-sarah.ics")).unwrap();
    let unfolded = ics.replace("\r\n ", "");
    assert!(
        unfolded.contains("\\nBefore: Ana Popescu\\, until Mon 7 Dec 17:00 CET\\n"),
        "{unfolded}"
    );
}

#[test]
fn a_small_feed_looks_like_this() {
    // Started in the past, so that the first export's stamps are `team.start`, not today.
    let p = Project::new(&SMALL.replace("start = 2026-12-07", "start = 2026-01-05"));
    p.run(&["export", "--from", "2026-12-07", "--to", "2026-12-10"], 0);
    let team = std::fs::read_to_string(p.file("calendar/team.ics")).expect("team.ics");
    assert!(team.ends_with("END:VCALENDAR\r\n"));
    assert!(
        !team.replace("\r\n", "").contains('\n'),
        "every line ends with CRLF"
    );
    insta::assert_snapshot!("small_team_feed", team.replace("\r\n", "\n"));
    let ana = std::fs::read_to_string(p.file("calendar/person-ana.ics")).expect("person-ana.ics");
    insta::assert_snapshot!("small_person_feed", ana.replace("\r\n", "\n"));
}

#[test]
fn exporting_the_same_config_twice_gives_byte_identical_files() {
    let p = Project::new(TRICKY);
    p.run(&["export", "--month", "2027-03", "--out", "first"], 0);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    p.run(&["export", "--month", "2027-03", "--out", "second"], 0);
    let (first, second) = (
        read_folder(&p.file("first")),
        read_folder(&p.file("second")),
    );
    assert_eq!(first.len(), 7);
    assert_eq!(first, second);
    // Over the previous files in place, too: they are left untouched, modification time and
    // all, so that web servers keep telling subscribed calendars nothing changed.
    let stamps = |dir: &str| -> Vec<std::time::SystemTime> {
        let mut names: Vec<_> = std::fs::read_dir(p.file(dir))
            .expect("folder")
            .map(|e| e.expect("entry").path())
            .collect();
        names.sort();
        names
            .iter()
            .map(|n| {
                std::fs::metadata(n)
                    .and_then(|m| m.modified())
                    .expect("mtime")
            })
            .collect()
    };
    let before = stamps("first");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let stdout = p.run(&["export", "--month", "2027-03", "--out", "first"], 0);
    assert_eq!(
        stdout,
        "wrote 0 files to first; 7 were already up to date\n"
    );
    assert_eq!(read_folder(&p.file("first")), second);
    assert_eq!(stamps("first"), before);
}

#[test]
fn a_new_export_replaces_only_the_feeds_that_changed() {
    let p = Project::new(TRICKY);
    p.run(&["export", "--month", "2027-03"], 0);
    let before = read_folder(&p.file("calendar"));
    // Ken takes over a night of Mehmet's: the team's, the night rotation's and both their
    // feeds change; the others stay as they were.
    let config = format!(
        "{TRICKY}\n[[override]]\nrotation = \"night.watch\"\nperson = \"ken\"\n\
         from = 2027-03-03T22:00:00\nto = 2027-03-04T06:00:00\n"
    );
    std::fs::write(p.file("rotation.toml"), config).expect("write config");
    let stdout = p.run(&["export", "--month", "2027-03"], 0);
    let after = read_folder(&p.file("calendar"));
    let changed: Vec<&String> = after
        .keys()
        .filter(|name| before.get(*name) != after.get(*name))
        .collect();
    assert_eq!(
        changed,
        [
            "person-ken.ics",
            "person-mehmet.ics",
            "rotation-night.watch.ics",
            "team.ics"
        ],
    );
    assert_eq!(
        stdout,
        format!(
            "wrote 4 files to calendar; {} were already up to date\n",
            after.len() - 4
        )
    );
}

#[test]
fn a_slot_that_changes_hands_because_someone_went_away_keeps_its_uid() {
    let p = Project::new(SMALL);
    let period = ["--month", "2026-12"];
    let before = export_and_check(&p, &period, &["ana", "sarah"], &["support-hero"]);
    // Ana holds the 2026-12-09 slot; once she is away that day Sarah takes it.
    let away = SMALL.replace(
        "timezone = \"Europe/Bucharest\"",
        "timezone = \"Europe/Bucharest\"\naway = [\"2026-12-09\"]",
    );
    std::fs::write(p.file("rotation.toml"), away).expect("write config");
    let after = export_and_check(&p, &period, &["ana", "sarah"], &["support-hero"]);

    let slot = "2026-12-09T08:00:00Z";
    let (uid_before, who_before) = &uids_by_start(&before, "team.ics")[slot];
    let (uid_after, who_after) = &uids_by_start(&after, "team.ics")[slot];
    assert_eq!(who_before, "Ana Popescu — support-hero");
    assert_eq!(who_after, "Sarah O'Neill, Esq. — support-hero");
    assert_eq!(uid_before, uid_after);
    assert_eq!(
        uid_after,
        "2026-12-09-support-hero@acme-support-affb723e.rota"
    );
    // Every other event keeps its UID as well: one set of slots, whoever holds them.
    let uids = |feeds: &Value| {
        let mut uids: Vec<String> = uids_by_start(feeds, "team.ics")
            .into_values()
            .map(|(uid, _)| uid)
            .collect();
        uids.sort();
        uids
    };
    assert_eq!(uids(&before), uids(&after));
}

#[test]
fn parts_of_a_shift_split_by_an_override_keep_their_own_uids_whoever_takes_it() {
    let p = Project::new(SMALL);
    let period = ["--month", "2026-12"];
    let parts = |feeds: &Value| -> Vec<(String, String)> {
        uids_by_start(feeds, "team.ics")
            .range("2026-12-08".to_string().."2026-12-09".to_string())
            .map(|(_, v)| v.clone())
            .collect()
    };
    let first = parts(&export_and_check(
        &p,
        &period,
        &["ana", "sarah"],
        &["support-hero"],
    ));
    let uids: Vec<&str> = first.iter().map(|(uid, _)| uid.as_str()).collect();
    assert_eq!(
        uids,
        [
            "2026-12-08-support-hero@acme-support-affb723e.rota",
            "2026-12-08-support-hero+PT3H@acme-support-affb723e.rota",
            "2026-12-08-support-hero+PT5H@acme-support-affb723e.rota",
        ]
    );
    assert_eq!(first[1].1, "Ana Popescu — support-hero");

    let config = SMALL.replace("person = \"ana\"", "person = \"sarah\"");
    std::fs::write(p.file("rotation.toml"), config).expect("write config");
    let second = parts(&export_and_check(
        &p,
        &period,
        &["ana", "sarah"],
        &["support-hero"],
    ));
    assert_eq!(second[1].1, "Sarah O'Neill, Esq. — support-hero");
    let again: Vec<&str> = second.iter().map(|(uid, _)| uid.as_str()).collect();
    assert_eq!(again, uids);
}

#[test]
fn the_default_period_runs_from_last_month_through_the_third_month_ahead() {
    // A team started long ago: whatever today is, five months of daily shifts.
    let config = format!(
        "{}{}[[rotation]]\nname = \"duty\"\nmembers = [\"a\"]\ntimezone = \"UTC\"\nshift = \"00:00-24:00\"\n",
        team("UTC", "2020-01-01"),
        person("a", "UTC")
    );
    let p = Project::new(&config);
    let report = p.json(&["export", "--format", "json"]);
    let team = std::fs::read_to_string(p.file("calendar/team.ics")).expect("team.ics");
    let days = team.matches("BEGIN:VEVENT").count();
    assert!(
        (150..=153).contains(&days),
        "{days} daily shifts in five months"
    );
    let from = report["from"].as_str().expect("from");
    let today = chrono::Utc::now().date_naive();
    let last_month = today - chrono::Months::new(1);
    assert!(
        from.starts_with(&last_month.format("%Y-%m-01").to_string()),
        "{from}"
    );
    assert_eq!(report["files"][0]["file"], "team.ics");
    assert_eq!(report["files"][0]["events"], days);
    assert_eq!(report["files"][0]["status"], "written");
}

#[test]
fn a_shift_running_at_the_start_of_the_period_is_in_the_feed() {
    // A night shift from the last evening of February into the first morning of March.
    let config = format!(
        "{}{}[[rotation]]\nname = \"night\"\nmembers = [\"a\"]\ntimezone = \"UTC\"\nshift = \"22:00-06:00\"\n",
        team("UTC", "2027-01-01"),
        person("a", "UTC")
    );
    let p = Project::new(&config);
    let feeds = export_and_check(&p, &["--month", "2027-03"], &["a"], &["night"]);
    let team = events(&feeds, "team.ics");
    assert_eq!(team[0]["start"], "2027-02-28T22:00:00Z");
    assert_eq!(team[0]["end"], "2027-03-01T06:00:00Z");
    assert_eq!(
        team.len(),
        32,
        "the running shift and the 31 that start in March"
    );
}

#[test]
fn an_out_path_that_is_a_file_fails_without_touching_anything() {
    let p = Project::new(SMALL);
    std::fs::write(p.file("calendar"), "not a folder").expect("write file");
    let stderr = p.run_err(&["export", "--month", "2026-12"], 1);
    assert!(
        stderr.contains("`calendar` is a file, not a folder"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(p.file("calendar")).unwrap(),
        "not a folder"
    );
}

#[test]
fn a_folder_in_the_way_of_one_feed_fails_before_any_file_is_replaced() {
    let p = Project::new(SMALL);
    p.run(&["export", "--month", "2026-12"], 0);
    std::fs::remove_file(p.file("calendar/person-sarah.ics")).unwrap();
    std::fs::create_dir(p.file("calendar/person-sarah.ics")).unwrap();
    let old = read_folder(&p.file("calendar"));

    let renamed = SMALL.replace("Acme Support", "Acme Helpdesk");
    std::fs::write(p.file("rotation.toml"), &renamed).expect("write config");
    let stderr = p.run_err(&["export", "--month", "2026-12"], 1);
    assert!(stderr.contains("person-sarah.ics"), "{stderr}");
    assert!(stderr.contains("no file was replaced"), "{stderr}");
    assert_eq!(read_folder(&p.file("calendar")), old);
}

#[test]
fn files_of_removed_people_are_left_alone() {
    let p = Project::new(SMALL);
    std::fs::create_dir(p.file("calendar")).unwrap();
    std::fs::write(p.file("calendar/person-gone.ics"), "old feed").unwrap();
    std::fs::write(p.file("calendar/index.html"), "<h1>rota</h1>").unwrap();
    p.run(&["export", "--month", "2026-12"], 0);
    let files = read_folder(&p.file("calendar"));
    assert_eq!(files["person-gone.ics"], b"old feed");
    assert_eq!(files["index.html"], b"<h1>rota</h1>");
    assert_eq!(files.len(), 6);
}

#[test]
fn a_bad_config_writes_no_file() {
    let p = Project::new(&SMALL.replace("Europe/Berlin", "Europe/Berlni"));
    p.run_err(&["export", "--month", "2026-12"], 2);
    assert!(!p.file("calendar").exists());
}

/// Each event of `file` by UID: (content, sequence, dtstamp, last_modified).
fn revisions(feeds: &Value, file: &str) -> BTreeMap<String, (Value, u64, String, String)> {
    events(feeds, file)
        .iter()
        .map(|e| {
            let content = serde_json::json!([e["start"], e["end"], e["summary"], e["description"]]);
            (
                e["uid"].as_str().unwrap().to_string(),
                (
                    content,
                    e["sequence"].as_u64().unwrap(),
                    e["dtstamp"].as_str().unwrap().to_string(),
                    e["last_modified"].as_str().unwrap().to_string(),
                ),
            )
        })
        .collect()
}

#[test]
fn sequence_and_stamps_rise_exactly_for_the_events_whose_content_changed() {
    let p = Project::new(SMALL);
    let period = ["--month", "2026-12"];
    let people = ["ana", "sarah"];
    let first = revisions(
        &export_and_check(&p, &period, &people, &["support-hero"]),
        "team.ics",
    );
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    assert!(
        first
            .values()
            .all(|(_, seq, stamp, modified)| { *seq == 0 && stamp <= &now && modified == stamp })
    );

    // A hand-over: Ana is away on the 9th, so Sarah takes it; the neighbours' "before" and
    // "after" lines change with it.
    let away = SMALL.replace(
        "timezone = \"Europe/Bucharest\"",
        "timezone = \"Europe/Bucharest\"\naway = [\"2026-12-09\"]",
    );
    std::fs::write(p.file("rotation.toml"), away).expect("write config");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let before_second = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let second = revisions(
        &export_and_check(&p, &period, &people, &["support-hero"]),
        "team.ics",
    );
    let after_second = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut changed = 0;
    for (uid, (content, seq, stamp, modified)) in &second {
        let (old_content, old_seq, old_stamp, _) = &first[uid];
        if content == old_content {
            assert_eq!((seq, stamp), (old_seq, old_stamp), "{uid} did not change");
        } else {
            changed += 1;
            assert_eq!(*seq, old_seq + 1, "{uid} changed");
            assert!(stamp > old_stamp && stamp >= &before_second && stamp <= &after_second);
            assert_eq!(modified, stamp);
        }
    }
    assert!(
        changed >= 3,
        "the slot that changed hands and its neighbours: {changed}"
    );
    let slot = second
        .iter()
        .find(|(uid, _)| uid.starts_with("2026-12-09-"))
        .expect("the slot of the 9th");
    assert_eq!(slot.1.1, 1);

    // Nothing changes: the same revisions, and the files are left as they are.
    let files = read_folder(&p.file("calendar"));
    let third = revisions(
        &export_and_check(&p, &period, &people, &["support-hero"]),
        "team.ics",
    );
    assert_eq!(third, second);
    assert_eq!(read_folder(&p.file("calendar")), files);
}

#[test]
fn an_export_into_an_empty_folder_still_shows_a_published_turn_changed_since_as_newer() {
    // CI exports into a fresh folder each run: no previous feed says what subscribers saw.
    let p = Project::new(&weekly(""));
    p.run(&["publish", "--month", "2027-03"], 0);
    let period = ["--from", "2027-03-01", "--to", "2027-03-29"];
    let export = |p: &Project| {
        p.run(&[&["export"], &period[..]].concat(), 0);
        let plan = p.run(&[&["plan", "--format", "json"], &period[..]].concat(), 0);
        std::fs::write(p.file("plan.json"), plan).expect("write plan");
        let args = ["calendar", "plan.json", "--before-hours", "36"].map(String::from);
        revisions(&check_with_python(p.path(), &args), "team.ics")
    };
    let fresh_export = |p: &Project| {
        let _ = std::fs::remove_dir_all(p.file("calendar"));
        export(p)
    };
    let published = fresh_export(&p);
    assert!(published.values().all(|(_, seq, _, _)| *seq == 0));

    // B takes over a day of A's first week after it was published.
    let config = format!(
        "{}\n[[override]]\nrotation = \"weekly\"\nperson = \"b\"\n\
         from = 2027-03-03T09:00:00\nto = 2027-03-03T17:00:00\n",
        weekly("")
    );
    std::fs::write(p.file("rotation.toml"), &config).unwrap();
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let changed = fresh_export(&p);
    for (uid, (content, seq, stamp, modified)) in &changed {
        let (old_content, old_seq, old_stamp, _) = &published[uid];
        if uid.as_str() < "2027-03-08" {
            // The events of the turn that changed, the override's among them.
            assert_eq!(*seq, 1, "{uid}");
            assert!(stamp > old_stamp && stamp <= &now, "{uid}: {stamp}");
            assert_eq!(modified, stamp);
        } else {
            assert_eq!(
                (content, seq, stamp),
                (old_content, old_seq, old_stamp),
                "{uid}"
            );
        }
    }
    let taken = changed
        .iter()
        .find(|(uid, _)| uid.starts_with("2027-03-03-"));
    assert!(
        taken.unwrap().1.0.to_string().contains("B — weekly"),
        "{taken:?}"
    );
    let files = read_folder(&p.file("calendar"));
    fresh_export(&p);
    assert_eq!(read_folder(&p.file("calendar")), files, "reproducible");

    // With the previous feed kept, the override's removal is one revision more.
    std::fs::write(p.file("rotation.toml"), weekly("")).unwrap();
    let kept = export(&p);
    let third = kept
        .keys()
        .find(|uid| uid.starts_with("2027-03-03-"))
        .unwrap();
    assert_eq!(kept[third].1, 2);

    // A new shift window changes every published event.
    std::fs::write(
        p.file("rotation.toml"),
        weekly("").replace("09:00-17:00", "10:00-18:00"),
    )
    .unwrap();
    let moved = fresh_export(&p);
    assert!(moved.values().all(|(_, seq, _, _)| *seq == 1), "{moved:?}");
}

#[test]
fn turns_reopened_and_published_again_to_someone_else_are_newer_in_an_empty_folder() {
    let p = Project::new(&weekly(""));
    p.run(&["publish", "--month", "2027-03"], 0);
    let period = ["--from", "2027-03-01", "--to", "2027-03-29"];
    let fresh_export = |p: &Project| {
        let _ = std::fs::remove_dir_all(p.file("calendar"));
        p.run(&[&["export"], &period[..]].concat(), 0);
        let plan = p.run(&[&["plan", "--format", "json"], &period[..]].concat(), 0);
        std::fs::write(p.file("plan.json"), plan).expect("write plan");
        let args = ["calendar", "plan.json", "--before-hours", "36"].map(String::from);
        revisions(&check_with_python(p.path(), &args), "team.ics")
    };
    let published = fresh_export(&p);

    // B leaves the rotation; the turns from the second week are planned afresh, all A's.
    std::fs::write(
        p.file("rotation.toml"),
        weekly("").replace("members = [\"a\", \"b\"]", "members = [\"a\"]"),
    )
    .unwrap();
    p.run(
        &[
            "publish",
            "--reopen-from",
            "2027-03-08",
            "--month",
            "2027-03",
        ],
        0,
    );
    let republished = fresh_export(&p);
    for (uid, (content, seq, _, _)) in &republished {
        let (old_content, old_seq, _, _) = &published[uid];
        if content.to_string().contains("B — weekly")
            || old_content.to_string().contains("B — weekly")
        {
            assert_eq!(*seq, 1, "{uid} changed hands");
        } else if uid.as_str() < "2027-03-08"
            || uid.as_str() >= "2027-03-15" && uid.as_str() < "2027-03-22"
        {
            // A's first and third weeks: as published. (Their descriptions may name a new
            // neighbour, which only a previous feed can tell.)
            assert_eq!(seq, old_seq, "{uid}");
        }
    }
    let b_week = republished
        .iter()
        .find(|(uid, _)| uid.starts_with("2027-03-09-"));
    assert_eq!(b_week.unwrap().1.1, 1, "{b_week:?}");
}

#[test]
fn the_feed_of_a_removed_person_or_rotation_is_emptied_and_prune_deletes_it() {
    let p = Project::new(TRICKY);
    p.run(&["export", "--month", "2027-03"], 0);
    let without = TRICKY
        .replace("[[person]]\nid = \"idle\"\nname = \"Idle Person\"\n", "")
        .replace("name = \"night.watch\"", "name = \"nights\"");
    std::fs::write(p.file("rotation.toml"), without).expect("write config");
    let stdout = p.run(&["export", "--month", "2027-03"], 0);
    assert!(
        stdout.contains(
            "emptied the feeds of rotations and people no longer on the rota: person-idle, rotation-night.watch"
        ),
        "{stdout}"
    );
    let plan = p.run(&["plan", "--format", "json", "--month", "2027-03"], 0);
    std::fs::write(p.file("plan.json"), plan).expect("write plan");
    let feeds = check_with_python(p.path(), &["calendar".to_string(), "plan.json".to_string()]);
    assert!(events(&feeds, "person-idle.ics").is_empty());
    assert!(events(&feeds, "rotation-night.watch.ics").is_empty());
    assert!(!events(&feeds, "rotation-nights.ics").is_empty());
    let emptied = std::fs::read_to_string(p.file("calendar/person-idle.ics")).unwrap();
    assert!(
        emptied.contains(
            "X-WR-CALNAME:Ops\\; Support\\, Inc. rota: person-idle (no longer on the rota)"
        )
    );

    let report = p.json(&[
        "export", "--month", "2027-03", "--prune", "--format", "json",
    ]);
    let removed: Vec<&str> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "removed")
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(removed, ["person-idle.ics", "rotation-night.watch.ics"]);
    assert!(!p.file("calendar/person-idle.ics").exists());
    assert!(!p.file("calendar/rotation-night.watch.ics").exists());
}

/// Two people taking weekly turns, every day from 09:00 to 17:00 UTC.
fn weekly(alarms: &str) -> String {
    format!(
        "{}{}{}[[rotation]]\nname = \"weekly\"\nmembers = [\"a\", \"b\"]\ntimezone = \"UTC\"\n\
         shift = \"09:00-17:00\"\nturn = \"week\"\n\n[remind]\nbefore = \"36h\"\n{alarms}",
        team("UTC", "2027-03-01"),
        person("a", "UTC"),
        person("b", "UTC")
    )
}

fn alarms_per_file(feeds: &Value) -> BTreeMap<String, u64> {
    feeds
        .as_object()
        .unwrap()
        .iter()
        .map(|(file, events)| {
            let n = events
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["alarms"].as_u64().unwrap());
            (file.clone(), n.sum())
        })
        .collect()
}

#[test]
fn a_weekly_turn_rings_once_at_the_lead_time_and_only_in_person_feeds_by_default() {
    let p = Project::new(&weekly(""));
    let period = ["--from", "2027-03-01", "--to", "2027-03-29"];
    let stdout = p.run(&[&["export"], &period[..]].concat(), 0);
    assert!(stdout.starts_with("wrote 4 files"), "{stdout}");
    let plan = p.run(&[&["plan", "--format", "json"], &period[..]].concat(), 0);
    std::fs::write(p.file("plan.json"), plan).expect("write plan");
    let args = |alarms: &str| -> Vec<String> {
        [
            "calendar",
            "plan.json",
            "--alarms",
            alarms,
            "--before-hours",
            "36",
        ]
        .map(String::from)
        .to_vec()
    };
    let feeds = check_with_python(p.path(), &args("person"));
    // Four weeks, two each: one alarm per turn, on its first day.
    let counts = alarms_per_file(&feeds);
    assert_eq!(counts["person-a.ics"], 2);
    assert_eq!(counts["person-b.ics"], 2);
    assert_eq!(counts["team.ics"], 0);
    assert_eq!(counts["rotation-weekly.ics"], 0);
    let ringing: Vec<&str> = events(&feeds, "person-a.ics")
        .iter()
        .filter(|e| e["alarms"] == 1)
        .map(|e| e["start"].as_str().unwrap())
        .collect();
    assert_eq!(ringing, ["2027-03-01T09:00:00Z", "2027-03-15T09:00:00Z"]);

    std::fs::write(
        p.file("rotation.toml"),
        weekly("\n[calendar]\nalarms = \"all\"\n"),
    )
    .unwrap();
    p.run(&[&["export"], &period[..]].concat(), 0);
    let counts = alarms_per_file(&check_with_python(p.path(), &args("all")));
    assert_eq!(counts["team.ics"], 4);
    assert_eq!(counts["rotation-weekly.ics"], 4);

    std::fs::write(
        p.file("rotation.toml"),
        weekly("\n[calendar]\nalarms = \"none\"\n"),
    )
    .unwrap();
    p.run(&[&["export"], &period[..]].concat(), 0);
    let counts = alarms_per_file(&check_with_python(p.path(), &args("none")));
    assert!(counts.values().all(|n| *n == 0), "{counts:?}");
}

/// The starts of the events that ring, per person (by the summary's name), in `file`.
fn ringing_by_person(feeds: &Value, file: &str) -> BTreeMap<String, Vec<String>> {
    let mut ringing: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for event in events(feeds, file) {
        let person = event["summary"]
            .as_str()
            .unwrap()
            .split(" — ")
            .next()
            .unwrap();
        for _ in 0..event["alarms"].as_u64().unwrap() {
            ringing
                .entry(person.to_string())
                .or_default()
                .push(event["start"].as_str().unwrap().to_string());
        }
    }
    ringing
}

#[test]
fn an_override_inside_a_weekly_turn_rings_for_its_taker_and_the_turn_does_not_ring_again() {
    // A holds the first week; B takes over its third day, and two hours of its fifth.
    let overrides = "[[override]]\nrotation = \"weekly\"\nperson = \"b\"\n\
        from = 2027-03-03T09:00:00\nto = 2027-03-03T17:00:00\n\n\
        [[override]]\nrotation = \"weekly\"\nperson = \"b\"\n\
        from = 2027-03-05T12:00:00\nto = 2027-03-05T14:00:00\n";
    let period = ["--from", "2027-03-01", "--to", "2027-03-15"];
    let expected = BTreeMap::from([
        ("A".to_string(), vec!["2027-03-01T09:00:00Z".to_string()]),
        (
            "B".to_string(),
            [
                "2027-03-03T09:00:00Z",
                "2027-03-05T12:00:00Z",
                "2027-03-08T09:00:00Z",
            ]
            .map(String::from)
            .to_vec(),
        ),
    ]);
    for alarms in ["person", "all", "none"] {
        let p = Project::new(&weekly(&format!(
            "\n[calendar]\nalarms = \"{alarms}\"\n\n{overrides}"
        )));
        p.run(&[&["export"], &period[..]].concat(), 0);
        let plan = p.run(&[&["plan", "--format", "json"], &period[..]].concat(), 0);
        std::fs::write(p.file("plan.json"), plan).expect("write plan");
        let args = [
            "calendar",
            "plan.json",
            "--alarms",
            alarms,
            "--before-hours",
            "36",
        ]
        .map(String::from);
        let feeds = check_with_python(p.path(), &args);
        let rings = |file: &str| ringing_by_person(&feeds, file);
        let person = |id: &str| {
            let name = id.to_uppercase();
            let mut own = BTreeMap::new();
            if let Some(starts) = expected.get(&name).filter(|_| alarms != "none") {
                own.insert(name, starts.clone());
            }
            own
        };
        assert_eq!(rings("person-a.ics"), person("a"), "alarms = {alarms}");
        assert_eq!(rings("person-b.ics"), person("b"), "alarms = {alarms}");
        let shared = if alarms == "all" {
            expected.clone()
        } else {
            BTreeMap::new()
        };
        assert_eq!(rings("team.ics"), shared, "alarms = {alarms}");
        assert_eq!(rings("rotation-weekly.ics"), shared, "alarms = {alarms}");
    }
}

#[test]
fn the_default_period_reaches_the_end_of_a_published_horizon_further_ahead() {
    let config = format!(
        "{}{}{}[[rotation]]\nname = \"duty\"\nmembers = [\"a\", \"b\"]\ntimezone = \"UTC\"\nshift = \"09:00-17:00\"\n",
        team("UTC", "2020-01-01"),
        person("a", "UTC"),
        person("b", "UTC")
    );
    let p = Project::new(&config);
    let through = chrono::Utc::now().date_naive() + chrono::Months::new(8);
    p.run(&["publish", "--through", &through.to_string()], 0);
    let report = p.json(&["export", "--format", "json"]);
    let to = report["to"].as_str().expect("to");
    let after = through.succ_opt().unwrap().to_string();
    assert!(to.starts_with(&after), "{to} is the day after {through}");
    let team = std::fs::read_to_string(p.file("calendar/team.ics")).expect("team.ics");
    let last = through.format("DTSTART:%Y%m%dT090000Z").to_string();
    assert!(
        team.contains(&last),
        "the last published day is in the feed"
    );
}

#[test]
fn every_feed_passes_libicals_strict_checks() {
    let p = Project::new(&format!("{TRICKY}\n[calendar]\nalarms = \"all\"\n"));
    p.run(&["export", "--month", "2027-03"], 0);
    let mut files: Vec<_> = std::fs::read_dir(p.file("calendar"))
        .expect("calendar")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/libical_check.py");
    // libical's bindings come with the system's Python (Debian: python3-gi gir1.2-ical-3.0).
    let python = ["/usr/bin/python3", "python3"]
        .into_iter()
        .find(|py| {
            Command::new(py)
                .args(["-c", "import gi; gi.require_version('ICalGLib', '3.0')"])
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .expect("libical's Python bindings: apt-get install python3-gi gir1.2-ical-3.0 (.ci/run installs them)");
    let out = Command::new(python)
        .arg(script)
        .args(&files)
        .output()
        .expect("run the libical check");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
