//! `rota publish`, `rotation.lock`, and the commands that plan from it; `rota diff`.

use std::process::Command as Process;

use crate::support::{Project, person, team};

/// A weekday daily duty of four, from Monday 2026-12-07.
fn config(members: &str, extra: &str) -> String {
    let mut text = team("Europe/Berlin", "2026-12-07");
    for id in ["ana", "bo", "cy", "dan", "eve"] {
        text.push_str(&person(id, "Europe/Berlin"));
    }
    text.push_str(&format!(
        "[[rotation]]\nname = \"duty\"\nmembers = [{members}]\ndays = \"mon-fri\"\nshift = \"09:00-17:00\"\n\n{extra}"
    ));
    text
}

const FOUR: &str = "\"ana\", \"bo\", \"cy\", \"dan\"";

/// `(slot date, person)` of each planned shift.
fn plan(p: &Project, from: &str, to: &str) -> Vec<(String, String)> {
    let json = p.json(&["plan", "--from", from, "--to", to, "--format", "json"]);
    json["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["start"].as_str().unwrap()[..10].to_string(),
                s["person"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect()
}

fn people(p: &Project, from: &str, to: &str) -> Vec<String> {
    plan(p, from, to).into_iter().map(|(_, who)| who).collect()
}

#[test]
fn publishing_writes_one_sorted_line_per_turn_and_a_second_run_adds_nothing() {
    let p = Project::new(&config(FOUR, ""));
    let out = p.run(&["publish", "--month", "2026-12"], 0);
    assert!(
        out.contains("added 19 turns; published through 2026-12-31"),
        "{out}"
    );
    let lock = std::fs::read_to_string(p.file("rotation.lock")).unwrap();
    let lines: Vec<&str> = lock.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(lines[0], "rota-lock 2");
    assert_eq!(lines[1], "through 2026-12-31");
    // Each turn line ends with the digest of the turn's shifts as published.
    let without_digest = |line: &str| line.rsplit_once(' ').unwrap().0.to_string();
    assert_eq!(
        without_digest(lines[2]),
        "turn 2026-12-07-duty 2026-12-07 ana"
    );
    assert_eq!(
        without_digest(lines[3]),
        "turn 2026-12-08-duty 2026-12-08 bo"
    );
    assert_ne!(lines[2].rsplit_once(' '), lines[3].rsplit_once(' '));
    assert_eq!(lines.last().unwrap(), &"queue duty dan ana bo cy");

    let again = p.run(&["publish", "--month", "2026-12"], 0);
    assert!(again.contains("nothing to add"), "{again}");
    assert_eq!(
        std::fs::read_to_string(p.file("rotation.lock")).unwrap(),
        lock
    );

    let json = p.json(&[
        "publish",
        "--month",
        "2027-01",
        "--dry-run",
        "--format",
        "json",
    ]);
    assert_eq!(json["dry_run"], true);
    assert_eq!(json["through"], "2027-01-31");
    assert_eq!(json["added"][0]["rotation"], "duty");
    assert_eq!(json["added"][0]["slot"], "2027-01-01");
    assert_eq!(json["added"][0]["person"], "dan");
    assert_eq!(
        std::fs::read_to_string(p.file("rotation.lock")).unwrap(),
        lock
    );
}

#[test]
fn a_hire_a_leaver_and_a_reorder_leave_published_turns_alone_and_the_queue_goes_on() {
    let p = Project::new(&config(FOUR, ""));
    p.run(&["publish", "--through", "2026-12-11"], 0);
    assert_eq!(
        people(&p, "2026-12-07", "2026-12-19"),
        [
            "ana", "bo", "cy", "dan", "ana", "bo", "cy", "dan", "ana", "bo"
        ]
    );
    // Eve joins, Bo leaves, the rest reordered.
    std::fs::write(
        p.file("rotation.toml"),
        config("\"dan\", \"eve\", \"cy\", \"ana\"", ""),
    )
    .unwrap();
    // Published: as before. After: the queue as the lock left it (bo, cy, dan, ana), without
    // Bo, then Eve.
    assert_eq!(
        people(&p, "2026-12-07", "2026-12-19"),
        [
            "ana", "bo", "cy", "dan", "ana", "cy", "dan", "ana", "eve", "cy"
        ]
    );
}

#[test]
fn a_published_turn_of_a_leaver_or_of_someone_now_away_is_an_error_with_the_override_to_paste() {
    let p = Project::new(&config(FOUR, ""));
    p.run(&["publish", "--through", "2026-12-11"], 0);
    let mut text = config("\"ana\", \"cy\", \"dan\"", "");
    text = text.replace("name = \"DAN\"", "name = \"DAN\"\naway = [\"2026-12-10\"]");
    std::fs::write(p.file("rotation.toml"), &text).unwrap();
    let out = p.run(&["check", "--from", "2026-12-07", "--to", "2026-12-12"], 1);
    assert!(out.contains("published-turn-unserved"), "{out}");
    assert!(out.contains("bo is no longer a member of duty"), "{out}");
    assert!(out.contains("dan is away on one of its days"), "{out}");
    assert!(
        out.contains(
            "[[override]]\nrotation = \"duty\"\nperson = \"cy\"\nfrom = 2026-12-08T09:00:00\nto = 2026-12-08T17:00:00\n"
        ),
        "{out}"
    );
    let json: serde_json::Value = serde_json::from_str(&p.run(
        &[
            "check",
            "--from",
            "2026-12-07",
            "--to",
            "2026-12-12",
            "--format",
            "json",
        ],
        1,
    ))
    .unwrap();
    let unserved: Vec<&serde_json::Value> = json["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "published-turn-unserved")
        .collect();
    assert_eq!(unserved.len(), 2, "{json}");
    assert_eq!(unserved[0]["person"], "bo");
    assert_eq!(unserved[0]["severity"], "error");

    // Pasting the suggested overrides fixes both.
    for c in &unserved {
        text.push_str(c["fix"].as_str().unwrap());
        text.push('\n');
    }
    std::fs::write(p.file("rotation.toml"), &text).unwrap();
    let out = p.run(&["check", "--from", "2026-12-07", "--to", "2026-12-12"], 0);
    assert!(!out.contains("published-turn-unserved"), "{out}");
}

/// The people the `[[override]]`s of `check`'s report give published turns to, in order.
fn suggested_takers(p: &Project, from: &str, to: &str) -> Vec<String> {
    let out = p.run(
        &["check", "--from", from, "--to", to, "--format", "json"],
        1,
    );
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    json["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "published-turn-unserved")
        .map(|c| {
            let fix = c["fix"].as_str().unwrap();
            let line = fix.lines().find(|l| l.starts_with("person = ")).unwrap();
            line.trim_start_matches("person = ")
                .trim_matches('"')
                .to_string()
        })
        .collect()
}

#[test]
fn a_leavers_published_turns_are_shared_out_among_the_free_members_not_all_given_to_one() {
    let p = Project::new(&config(FOUR, ""));
    p.run(&["publish", "--through", "2026-12-25"], 0);
    // Bo held 8, 14, 18 and 24 December.
    std::fs::write(
        p.file("rotation.toml"),
        config("\"ana\", \"cy\", \"dan\"", ""),
    )
    .unwrap();
    let takers = suggested_takers(&p, "2026-12-07", "2026-12-26");
    assert_eq!(takers.len(), 4, "{takers:?}");
    let mut first_three = takers[..3].to_vec();
    first_three.sort();
    assert_eq!(first_three, ["ana", "cy", "dan"], "{takers:?}");
    assert_eq!(takers[3], takers[0], "{takers:?}");
}

#[test]
fn a_published_turn_is_not_suggested_to_someone_on_duty_elsewhere_at_that_time() {
    let p = Project::new(&config(FOUR, ""));
    p.run(&["publish", "--through", "2026-12-25"], 0);
    // Cy now also holds a weekday morning desk that overlaps the duty.
    let desk = "[[rotation]]\nname = \"desk\"\nmembers = [\"cy\"]\ndays = \"mon-fri\"\nshift = \"08:00-10:00\"\n";
    std::fs::write(
        p.file("rotation.toml"),
        config("\"ana\", \"cy\", \"dan\"", desk),
    )
    .unwrap();
    let takers = suggested_takers(&p, "2026-12-07", "2026-12-26");
    assert_eq!(takers.len(), 4, "{takers:?}");
    assert!(!takers.iter().any(|t| t == "cy"), "{takers:?}");
    assert!(
        takers.iter().any(|t| t == "ana") && takers.iter().any(|t| t == "dan"),
        "{takers:?}"
    );
}

#[test]
fn a_published_turn_an_override_cuts_in_two_is_fixed_by_two_tables_and_says_so() {
    let p = Project::new(&config(FOUR, ""));
    p.run(&["publish", "--through", "2026-12-11"], 0);
    // Bo leaves; eve already has the middle of bo's Tuesday.
    let lunch = "[[override]]\nrotation = \"duty\"\nperson = \"eve\"\n\
                 from = 2026-12-08T12:00:00\nto = 2026-12-08T13:00:00\n";
    let text = config("\"ana\", \"cy\", \"dan\"", lunch);
    std::fs::write(p.file("rotation.toml"), &text).unwrap();
    let out = p.run(&["check", "--from", "2026-12-07", "--to", "2026-12-12"], 1);
    assert!(out.contains("bo is no longer a member of duty"), "{out}");
    assert!(
        out.contains("paste the 2 [[override]] tables shown below"),
        "{out}"
    );
    for (from, to) in [("09:00", "12:00"), ("13:00", "17:00")] {
        let table = format!("from = 2026-12-08T{from}:00\nto = 2026-12-08T{to}:00\n");
        assert!(out.contains(&table), "{table} in {out}");
    }
}

#[test]
fn a_lock_that_does_not_parse_is_named_by_file_and_line_and_nothing_changes() {
    let p = Project::new(&config(FOUR, ""));
    p.run(&["publish", "--through", "2026-12-11"], 0);
    let mut lock = std::fs::read_to_string(p.file("rotation.lock")).unwrap();
    let turn = lock
        .lines()
        .find(|l| l.starts_with("turn 2026-12-09-duty 2026-12-09 cy"))
        .unwrap()
        .to_string();
    lock = lock.replace(&turn, "turn 2026-12-09-duty cy");
    std::fs::write(p.file("rotation.lock"), &lock).unwrap();
    let line = lock
        .lines()
        .position(|l| l == "turn 2026-12-09-duty cy")
        .unwrap()
        + 1;
    for args in [
        &["plan", "--month", "2026-12"][..],
        &["publish", "--month", "2027-01"],
        &["check"],
    ] {
        let err = p.run_err(args, 2);
        assert!(err.contains(&format!("rotation.lock:{line}:")), "{err}");
        assert!(err.contains("nothing was changed"), "{err}");
    }
    assert_eq!(
        std::fs::read_to_string(p.file("rotation.lock")).unwrap(),
        lock
    );

    let renamed = config(FOUR, "").replace("name = \"duty\"", "name = \"support\"");
    std::fs::write(p.file("rotation.toml"), renamed).unwrap();
    std::fs::write(
        p.file("rotation.lock"),
        "rota-lock 1\nthrough 2026-12-07\nturn 2026-12-07-duty 2026-12-07 ana\n",
    )
    .unwrap();
    let err = p.run_err(&["plan"], 2);
    assert!(
        err.contains(
            "rotation.lock:3: the lock names rotation `duty`, which the config does not have"
        ),
        "{err}"
    );
}

#[test]
fn reopening_drops_the_later_turns_so_they_are_planned_afresh() {
    let p = Project::new(&config(FOUR, ""));
    p.run(&["publish", "--through", "2026-12-18"], 0);
    std::fs::write(
        p.file("rotation.toml"),
        config("\"ana\", \"cy\", \"dan\"", ""),
    )
    .unwrap();
    let out = p.run(
        &[
            "publish",
            "--reopen-from",
            "2026-12-14",
            "--through",
            "2026-12-18",
        ],
        0,
    );
    assert!(out.contains("dropped 5 turns, added 5 turns"), "{out}");
    assert!(out.contains("- duty"), "{out}");
    // Kept: the first week. Afresh: the queue after it (bo, cy, dan, ana) without Bo.
    assert_eq!(
        people(&p, "2026-12-07", "2026-12-19"),
        [
            "ana", "bo", "cy", "dan", "ana", "cy", "dan", "ana", "cy", "dan"
        ]
    );
    let lock = std::fs::read_to_string(p.file("rotation.lock")).unwrap();
    assert!(
        lock.contains("turn 2026-12-14-duty 2026-12-14 cy "),
        "{lock}"
    );
}

#[test]
fn the_lock_can_live_where_the_team_says() {
    let text = config(FOUR, "").replace(
        "start = 2026-12-07",
        "start = 2026-12-07\nlock = \"published/duty.lock\"",
    );
    let p = Project::new(&text);
    std::fs::create_dir(p.file("published")).unwrap();
    p.run(&["publish", "--through", "2026-12-08"], 0);
    assert!(p.file("published/duty.lock").exists());
    assert!(!p.file("rotation.lock").exists());
    // A file where locks usually are is not this config's lock: it is not read.
    std::fs::write(p.file("rotation.lock"), "not a lock\n").unwrap();
    let planned = p.run(
        &[
            "plan",
            "--from",
            "2026-12-07",
            "--to",
            "2026-12-09",
            "--format",
            "csv",
        ],
        0,
    );
    assert_eq!(planned.lines().count(), 3, "{planned}");
    std::fs::write(p.file("published/duty.lock"), "not a lock\n").unwrap();
    let err = p.run_err(&["plan", "--from", "2026-12-07", "--to", "2026-12-09"], 2);
    assert!(err.contains("published/duty.lock:1:"), "{err}");
}

fn git(p: &Project, args: &[&str]) {
    let status = Process::new("git")
        .args(["-c", "user.name=Lead", "-c", "user.email=lead@example.com"])
        .args(args)
        .current_dir(p.path())
        .output()
        .expect("git runs");
    assert!(status.status.success(), "git {args:?}: {status:?}");
}

#[test]
fn diff_against_head_lists_the_shifts_that_change_hands_in_a_real_git_repository() {
    let p = Project::new(&config(FOUR, ""));
    git(&p, &["init", "-q"]);
    p.run(&["publish", "--through", "2026-12-11"], 0);
    git(&p, &["add", "."]);
    git(&p, &["commit", "-q", "-m", "December"]);
    // Nothing changed yet.
    let args = [
        "diff",
        "--against",
        "HEAD",
        "--from",
        "2026-12-07",
        "--to",
        "2026-12-19",
    ];
    let out = p.run(&args, 0);
    assert!(out.contains("no shift changes hands against HEAD"), "{out}");
    p.run(&[&args[..], &["--exit-code"]].concat(), 0);

    // Eve is hired: the published week stays; she joins the queue at its end.
    std::fs::write(
        p.file("rotation.toml"),
        config("\"ana\", \"bo\", \"cy\", \"dan\", \"eve\"", ""),
    )
    .unwrap();
    let json = p.json(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(json["against"], "HEAD");
    assert_eq!(json["from"], "2026-12-07T00:00:00+01:00");
    let changes = json["changes"].as_array().unwrap();
    // Before: ana bo cy dan ana | bo cy dan ana bo. After: … | bo cy dan ana eve.
    assert_eq!(changes.len(), 1, "{json}");
    assert_eq!(changes[0]["rotation"], "duty");
    assert_eq!(changes[0]["slot"], "2026-12-18");
    assert_eq!(changes[0]["start"], "2026-12-18T09:00:00+01:00");
    assert_eq!(changes[0]["end"], "2026-12-18T17:00:00+01:00");
    assert_eq!(changes[0]["before"], "bo");
    assert_eq!(changes[0]["after"], "eve");
    assert_eq!(changes[0]["published"], false);
    let eve = json["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["person"] == "eve")
        .unwrap();
    assert_eq!(eve["gained"], 1);
    assert_eq!(eve["lost"], 0);
    p.run(&[&args[..], &["--exit-code"]].concat(), 1);

    let md = p.run(&[&args[..], &["--format", "markdown"]].concat(), 0);
    assert!(md.contains("**eve** gains 1, loses 0"), "{md}");
    assert!(md.contains("| Rotation | Slot |"), "{md}");

    // A revision without a lock is compared as unpublished; an unknown one is bad usage.
    let err = p.run_err(&["diff", "--against", "no-such-rev"], 2);
    assert!(err.contains("neither a file nor a git revision"), "{err}");
}

#[test]
fn diff_by_default_shows_published_turns_that_an_override_gives_away() {
    let p = Project::new(&config(FOUR, ""));
    p.run(&["publish", "--through", "2026-12-11"], 0);
    let text = config(
        FOUR,
        "[[override]]\nrotation = \"duty\"\nperson = \"eve\"\nfrom = 2026-12-09T13:00:00\nto = 2026-12-09T17:00:00\n",
    );
    std::fs::write(p.file("rotation.toml"), text).unwrap();
    let json = p.json(&[
        "diff",
        "--from",
        "2026-12-07",
        "--to",
        "2026-12-12",
        "--format",
        "json",
    ]);
    let changes = json["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{json}");
    assert_eq!(changes[0]["before"], "cy");
    assert_eq!(changes[0]["after"], "eve");
    assert_eq!(changes[0]["start"], "2026-12-09T13:00:00+01:00");
    assert_eq!(changes[0]["published"], true);
}

#[test]
fn diff_against_another_config_file() {
    let p = Project::new(&config(FOUR, ""));
    std::fs::create_dir(p.file("old")).unwrap();
    std::fs::write(
        p.file("old/rotation.toml"),
        config("\"bo\", \"ana\", \"cy\", \"dan\"", ""),
    )
    .unwrap();
    let json = p.json(&[
        "diff",
        "--against",
        "old/rotation.toml",
        "--from",
        "2026-12-07",
        "--to",
        "2026-12-09",
        "--format",
        "json",
    ]);
    let changes = json["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2, "{json}");
    assert_eq!(changes[0]["before"], "bo");
    assert_eq!(changes[0]["after"], "ana");
}

/// The `kind` and `person` of every error-level finding `check` reports for the period.
fn errors(p: &Project, from: &str, to: &str) -> Vec<(String, String, String)> {
    let out = p
        .rota()
        .args(["check", "--from", from, "--to", to, "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    json["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["severity"] == "error")
        .map(|c| {
            (
                c["kind"].as_str().unwrap().to_string(),
                c["person"].as_str().unwrap_or("-").to_string(),
                c["start"].as_str().unwrap()[..10].to_string(),
            )
        })
        .collect()
}

#[test]
fn a_published_turn_whose_holder_is_now_away_is_reported_once_and_an_override_covering_it_serves_it()
 {
    let p = Project::new(&config(FOUR, ""));
    p.run(&["publish", "--through", "2026-12-11"], 0);
    let away = config(FOUR, "").replace(
        "name = \"DAN\"",
        "name = \"DAN\"\naway = [\"2026-12-10\", \"2026-12-14\"]",
    );
    std::fs::write(p.file("rotation.toml"), &away).unwrap();
    // Dan's published 10 December: one error, the published turn; his unpublished turn is
    // planned around the away day, so nothing there.
    assert_eq!(
        errors(&p, "2026-12-07", "2026-12-19"),
        [(
            "published-turn-unserved".to_string(),
            "dan".to_string(),
            "2026-12-10".to_string()
        )]
    );

    // Covered by an override: served, nothing to report.
    let covered = format!(
        "{away}[[override]]\nrotation = \"duty\"\nperson = \"bo\"\nfrom = 2026-12-10T00:00:00\nto = 2026-12-11T00:00:00\n"
    );
    std::fs::write(p.file("rotation.toml"), &covered).unwrap();
    assert_eq!(errors(&p, "2026-12-07", "2026-12-19"), []);

    // Half covered: still the holder's on the away day, so still unserved.
    let half = format!(
        "{away}[[override]]\nrotation = \"duty\"\nperson = \"bo\"\nfrom = 2026-12-10T09:00:00\nto = 2026-12-10T13:00:00\n"
    );
    std::fs::write(p.file("rotation.toml"), &half).unwrap();
    assert_eq!(
        errors(&p, "2026-12-07", "2026-12-19"),
        [(
            "published-turn-unserved".to_string(),
            "dan".to_string(),
            "2026-12-10".to_string()
        )]
    );

    // An override that puts someone away on a published turn is duty while away, not an
    // unserved turn: the holder is not the one missing.
    let onto_away = format!(
        "{away}[[override]]\nrotation = \"duty\"\nperson = \"dan\"\nfrom = 2026-12-14T09:00:00\nto = 2026-12-14T17:00:00\n"
    );
    std::fs::write(p.file("rotation.toml"), &onto_away).unwrap();
    p.run(&["publish", "--through", "2026-12-18"], 0);
    let found = errors(&p, "2026-12-07", "2026-12-19");
    assert!(
        found.contains(&(
            "on-duty-while-away".to_string(),
            "dan".to_string(),
            "2026-12-14".to_string()
        )),
        "{found:?}"
    );
    assert!(
        !found
            .iter()
            .any(|(kind, _, day)| kind == "published-turn-unserved" && day == "2026-12-14"),
        "{found:?}"
    );
}

/// `(slot, start, end, before, after)` of each change `rota diff` (against the lock) lists.
fn lock_diff(p: &Project, from: &str, to: &str) -> Vec<(String, String, String, String, String)> {
    let json = p.json(&["diff", "--from", from, "--to", to, "--format", "json"]);
    json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let text = |v: &serde_json::Value| v.as_str().unwrap_or("-").to_string();
            (
                text(&c["slot"]),
                text(&c["start"])[11..16].to_string(),
                text(&c["end"])[11..16].to_string(),
                text(&c["before"]),
                text(&c["after"]),
            )
        })
        .collect()
}

fn change(
    slot: &str,
    start: &str,
    end: &str,
    before: &str,
    after: &str,
) -> (String, String, String, String, String) {
    (
        slot.into(),
        start.into(),
        end.into(),
        before.into(),
        after.into(),
    )
}

#[test]
fn diff_by_default_lists_what_changed_since_publishing_not_the_overrides_the_team_was_told() {
    // Published with two overrides: Eve takes Cy's 9 December afternoon, Ana the whole of
    // Bo's 8 December.
    let eve = "[[override]]\nrotation = \"duty\"\nperson = \"eve\"\nfrom = 2026-12-09T13:00:00\nto = 2026-12-09T17:00:00\n\n";
    let ana = "[[override]]\nrotation = \"duty\"\nperson = \"ana\"\nfrom = 2026-12-08T00:00:00\nto = 2026-12-09T00:00:00\n\n";
    let bo = "[[override]]\nrotation = \"duty\"\nperson = \"bo\"\nfrom = 2026-12-10T00:00:00\nto = 2026-12-11T00:00:00\n\n";
    let p = Project::new(&config(FOUR, &format!("{eve}{ana}")));
    let json = p.json(&[
        "publish",
        "--through",
        "2026-12-11",
        "--dry-run",
        "--format",
        "json",
    ]);
    assert_eq!(json["added"][2]["person"], "cy", "{json}");
    assert_eq!(
        json["added"][2]["overrides"],
        serde_json::json!([{"from": "2026-12-09T13:00:00+01:00", "to": "2026-12-09T17:00:00+01:00", "person": "eve"}])
    );
    assert_eq!(json["added"][0]["overrides"], serde_json::json!([]));
    let out = p.run(&["publish", "--through", "2026-12-11"], 0);
    assert!(
        out.contains("cy, with overrides: eve 2026-12-09 13:00 .. 2026-12-09 17:00"),
        "{out}"
    );
    let lock = std::fs::read_to_string(p.file("rotation.lock")).unwrap();
    assert!(
        lock.contains(
            "override 2026-12-09-duty 2026-12-09T13:00:00+01:00 2026-12-09T17:00:00+01:00 eve\n"
        ),
        "{lock}"
    );
    let (from, to) = ("2026-12-07", "2026-12-12");
    assert_eq!(lock_diff(&p, from, to), []);

    // Removing an override the team was told about is a change back to the turn's holder;
    // adding one is a change.
    std::fs::write(p.file("rotation.toml"), config(FOUR, &format!("{ana}{bo}"))).unwrap();
    assert_eq!(
        lock_diff(&p, from, to),
        [
            change("2026-12-09", "13:00", "17:00", "eve", "cy"),
            change("2026-12-10", "09:00", "17:00", "dan", "bo"),
        ]
    );

    // A longer shift window: the whole-day override still covers all of Bo's 8 December, as
    // published, and Eve's afternoon still ends at 17:00, so 17:00-18:00 is Cy's on both sides.
    let longer = config(FOUR, &format!("{eve}{ana}")).replace("09:00-17:00", "08:00-18:00");
    std::fs::write(p.file("rotation.toml"), longer).unwrap();
    assert_eq!(lock_diff(&p, from, to), []);

    // Reopening drops the overrides of the turns it reopens with them; republished, the turns
    // record the overrides in effect now.
    std::fs::write(p.file("rotation.toml"), config(FOUR, &format!("{ana}{bo}"))).unwrap();
    p.run(&["publish", "--reopen-from", "2026-12-09"], 0);
    let lock = std::fs::read_to_string(p.file("rotation.lock")).unwrap();
    assert!(!lock.contains("override 2026-12-09-duty"), "{lock}");
    assert!(lock.contains("override 2026-12-08-duty"), "{lock}");
    p.run(&["publish", "--through", "2026-12-11"], 0);
    let lock = std::fs::read_to_string(p.file("rotation.lock")).unwrap();
    assert!(
        lock.contains(
            "override 2026-12-10-duty 2026-12-10T00:00:00+01:00 2026-12-11T00:00:00+01:00 bo\n"
        ),
        "{lock}"
    );
    assert_eq!(lock_diff(&p, from, to), []);
}

#[test]
fn a_lock_written_before_overrides_were_recorded_still_reads_and_diffs_its_holders() {
    let eve = "[[override]]\nrotation = \"duty\"\nperson = \"eve\"\nfrom = 2026-12-09T13:00:00\nto = 2026-12-09T17:00:00\n\n";
    let p = Project::new(&config(FOUR, eve));
    std::fs::write(
        p.file("rotation.lock"),
        "rota-lock 1\nthrough 2026-12-09\nturn 2026-12-07-duty 2026-12-07 ana\nturn 2026-12-08-duty 2026-12-08 bo\nturn 2026-12-09-duty 2026-12-09 cy\nqueue duty dan ana bo cy\n",
    )
    .unwrap();
    assert_eq!(
        lock_diff(&p, "2026-12-07", "2026-12-10"),
        [change("2026-12-09", "13:00", "17:00", "cy", "eve")]
    );
    let err = {
        std::fs::write(
            p.file("rotation.lock"),
            "rota-lock 2\nthrough 2026-12-07\nturn 2026-12-07-duty 2026-12-07 ana\noverride 2026-12-08-duty 2026-12-08T09:00:00+01:00 2026-12-08T17:00:00+01:00 eve\n",
        )
        .unwrap();
        p.run_err(&["diff"], 2)
    };
    assert!(
        err.contains("rotation.lock:4: this override belongs to the turn `2026-12-08-duty`"),
        "{err}"
    );
}

#[test]
fn remind_goes_to_the_person_the_lock_names_not_the_one_the_edited_config_would_pick() {
    use crate::remind::{SmtpServer, config as remind_config, recipients};
    let server = SmtpServer::start();
    // Mon Ana, Tue Zoë, Wed Kenji, Thu Ana, Fri Zoë; published through the Friday.
    let text = remind_config("24h", &server.smtp_config());
    let p = Project::new(&text);
    p.run(&["publish", "--through", "2026-12-11"], 0);
    // Reordered: from the config alone Monday would be Kenji's and Tuesday Ana's.
    let reordered = text.replace(
        "members = [\"ana\", \"zoe\", \"kenji\"]",
        "members = [\"kenji\", \"ana\", \"zoe\"]",
    );
    assert_ne!(reordered, text);
    std::fs::write(p.file("rotation.toml"), &reordered).unwrap();
    let dry = p.run(&["remind", "--dry-run", "--now", "2026-12-06T10:00"], 0);
    assert!(
        dry.contains("would send to Ana Popescu <ana@example.com>"),
        "{dry}"
    );
    assert!(!dry.contains("kenji@example.com"), "{dry}");

    p.run(&["remind", "--now", "2026-12-06T10:00"], 0);
    p.run(&["remind", "--now", "2026-12-07T10:00"], 0);
    let mail = server.messages();
    assert_eq!(recipients(&mail), ["ana@example.com", "zoe@example.com"]);
    assert_eq!(
        mail[0]["subject"],
        "Your support-hero turn starts tomorrow, Mon 7 Dec 10:00 EET"
    );
    // Ana hands over to the next published turn's person, Zoë, not to the config's order.
    assert!(
        mail[0]["text"]
            .as_str()
            .unwrap()
            .contains("You hand over to: Zoë Ñúñez"),
        "{}",
        mail[0]["text"]
    );
}

#[test]
fn the_override_to_paste_for_a_leaver_s_week_leaves_an_override_inside_it_alone() {
    let weekly = |members: &str, extra: &str| {
        config(members, extra).replace(
            "shift = \"09:00-17:00\"",
            "shift = \"09:00-17:00\"\nturn = \"week\"",
        )
    };
    // Eve already holds the Wednesday of Ana's first week.
    let eve = "[[override]]\nrotation = \"duty\"\nperson = \"eve\"\nfrom = 2026-12-09T09:00:00\nto = 2026-12-09T17:00:00\n\n";
    let p = Project::new(&weekly(FOUR, eve));
    p.run(&["publish", "--through", "2026-12-07"], 0);
    // Ana leaves.
    let mut text = weekly("\"bo\", \"cy\", \"dan\"", eve);
    std::fs::write(p.file("rotation.toml"), &text).unwrap();
    let json: serde_json::Value = serde_json::from_str(&p.run(
        &[
            "check",
            "--from",
            "2026-12-07",
            "--to",
            "2026-12-12",
            "--format",
            "json",
        ],
        1,
    ))
    .unwrap();
    let unserved: Vec<&serde_json::Value> = json["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "published-turn-unserved")
        .collect();
    assert_eq!(unserved.len(), 1, "{json}");
    let fix = unserved[0]["fix"].as_str().unwrap();
    assert_eq!(
        fix,
        "[[override]]\nrotation = \"duty\"\nperson = \"bo\"\nfrom = 2026-12-07T09:00:00\nto = 2026-12-09T09:00:00\n\n\
[[override]]\nrotation = \"duty\"\nperson = \"bo\"\nfrom = 2026-12-09T17:00:00\nto = 2026-12-11T17:00:00\n"
    );
    text.push_str(fix);
    std::fs::write(p.file("rotation.toml"), &text).unwrap();
    p.run(&["check", "--from", "2026-12-07", "--to", "2026-12-12"], 0);
    assert_eq!(
        people(&p, "2026-12-07", "2026-12-12"),
        ["bo", "bo", "eve", "bo", "bo"]
    );
}

#[test]
fn a_published_turn_across_the_end_of_the_month_is_judged_on_all_its_days_in_either_month() {
    // Weekly turns from Monday 30 November: Bo's runs from Monday 28 December to Sunday 3
    // January, and he is then away on Saturday 2 January.
    let mut text = team("Europe/Berlin", "2026-11-30");
    for id in ["ana", "bo", "cy"] {
        text.push_str(&person(id, "Europe/Berlin"));
    }
    text.push_str(
        "[[rotation]]\nname = \"desk\"\nmembers = [\"ana\", \"bo\", \"cy\"]\nshift = \"09:00-17:00\"\nturn = \"1w\"\n\n",
    );
    let p = Project::new(&text);
    p.run(&["publish", "--month", "2026-12"], 0);
    let text = text.replace("name = \"BO\"", "name = \"BO\"\naway = [2027-01-02]");
    std::fs::write(p.file("rotation.toml"), &text).unwrap();
    let whole_turn = "[[override]]\nrotation = \"desk\"\nperson = \"cy\"\nfrom = 2026-12-28T09:00:00\nto = 2027-01-03T17:00:00\n";
    for month in ["2026-12", "2027-01"] {
        let out = p.run(&["check", "--month", month], 1);
        assert!(
            out.contains("bo is away on one of its days"),
            "{month}: {out}"
        );
        assert!(out.contains(whole_turn), "{month}: {out}");
    }
    // Pasted, the turn is served, looked at from either month.
    std::fs::write(p.file("rotation.toml"), format!("{text}\n{whole_turn}")).unwrap();
    for month in ["2026-12", "2027-01"] {
        let out = p.json(&["check", "--month", month, "--format", "json"]);
        let kinds: Vec<&str> = out["conflicts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["kind"].as_str().unwrap())
            .collect();
        assert!(
            !kinds.contains(&"published-turn-unserved"),
            "{month}: {kinds:?}"
        );
    }
}

#[test]
fn a_lock_merged_with_a_conflict_is_refused_with_how_to_resolve_it() {
    let p = Project::new(&config(FOUR, ""));
    git(&p, &["init", "-q", "-b", "main"]);
    p.run(&["publish", "--through", "2026-12-11"], 0);
    git(&p, &["add", "."]);
    git(&p, &["commit", "-q", "-m", "December, first fortnight"]);
    // Two leads publish the next week on two branches, one after hiring Eve.
    git(&p, &["checkout", "-q", "-b", "hire"]);
    std::fs::write(
        p.file("rotation.toml"),
        config("\"ana\", \"bo\", \"cy\", \"dan\", \"eve\"", ""),
    )
    .unwrap();
    p.run(&["publish", "--through", "2026-12-25"], 0);
    git(
        &p,
        &["commit", "-q", "-am", "Eve, and the rest of December"],
    );
    git(&p, &["checkout", "-q", "main"]);
    p.run(&["publish", "--through", "2026-12-18"], 0);
    git(&p, &["commit", "-q", "-am", "December, third week"]);
    let merge = Process::new("git")
        .args(["-c", "user.name=Lead", "-c", "user.email=lead@example.com"])
        .args(["merge", "-q", "hire"])
        .current_dir(p.path())
        .output()
        .expect("git runs");
    assert!(!merge.status.success(), "the locks conflict: {merge:?}");
    let before = std::fs::read_to_string(p.file("rotation.lock")).unwrap();
    assert!(before.contains("<<<<<<<"), "{before}");

    let err = p.run_err(&["plan", "--from", "2026-12-07", "--to", "2026-12-09"], 2);
    assert!(err.contains("merge conflict marker"), "{err}");
    assert!(
        err.contains("git checkout --ours -- rotation.lock"),
        "{err}"
    );
    assert!(err.contains("run `rota publish` again"), "{err}");
    let err = p.run_err(&["publish", "--through", "2026-12-31"], 2);
    assert!(err.contains("merge conflict marker"), "{err}");
    assert_eq!(
        std::fs::read_to_string(p.file("rotation.lock")).unwrap(),
        before
    );

    // Resolved as the error says: one side's lock, then what the other side published.
    git(&p, &["checkout", "--ours", "--", "rotation.lock"]);
    let out = p.run(&["publish", "--through", "2026-12-25"], 0);
    assert!(out.contains("published through 2026-12-25"), "{out}");
    let planned = plan(&p, "2026-12-07", "2026-12-26");
    assert_eq!(planned.len(), 15, "{planned:?}");
}
