//! `rota announce` and the change notices of `rota remind`, against a real SMTP server on
//! loopback, over cron-style runs.

use std::process::{Command, Stdio};

use serde_json::Value;

use crate::remind::{SmtpServer, parse_mail};
use crate::support::*;

/// Weekday support duty in Berlin, one day each, handed round Ana (Bucharest), Zoë (São
/// Paulo) and Kenji (Tokyo) from Monday 7 December 2026: in December Ana has the 7th, 10th,
/// 15th, 18th, 23rd, 28th and 31st; Zoë the 8th, 11th, 16th, 21st, 24th and 29th; Kenji the
/// 9th, 14th, 17th, 22nd, 25th and 30th.
fn config(smtp: &str, shift: &str, extra: &str) -> String {
    format!(
        r#"[team]
name = "Acme Support"
timezone = "Europe/Berlin"
start = 2026-12-07

[[person]]
id = "ana"
name = "Ana Popescu"
email = "ana@example.com"
timezone = "Europe/Bucharest"

[[person]]
id = "zoe"
name = "Zoë Ñúñez, \"the <hero>\""
email = "zoe@example.com"
timezone = "America/Sao_Paulo"

[[person]]
id = "kenji"
name = "Kenji Watanabe"
email = "kenji@example.com"
timezone = "Asia/Tokyo"

[[rotation]]
name = "support-hero"
members = ["ana", "zoe", "kenji"]
days = "mon-fri"
shift = "{shift}"

[remind]
before = "24h"
from = "Support rota <rota@example.com>"

{extra}

{smtp}
"#
    )
}

/// Kenji takes Ana's Thursday 10 December.
const OVERRIDE: &str = r#"
[[override]]
rotation = "support-hero"
person = "kenji"
from = 2026-12-10T09:00:00
to = 2026-12-10T17:00:00
"#;

/// A project whose December 2026 is published (`rotation.lock`), ready to announce.
fn published(config: &str) -> Project {
    let p = Project::new(config);
    p.run(&["publish", "--month", "2026-12"], 0);
    p
}

fn run(p: &Project, args: &[&str], code: i32) -> (String, String) {
    let out = p.rota().args(args).output().expect("run rota");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert_eq!(
        out.status.code(),
        Some(code),
        "rota {args:?}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    (stdout, stderr)
}

fn announce(p: &Project, now: &str) -> String {
    run(p, &["announce", "--month", "2026-12", "--now", now], 0).0
}

fn remind(p: &Project, now: &str) -> String {
    run(p, &["remind", "--now", now], 0).0
}

fn recipients(messages: &[Value]) -> Vec<&str> {
    let mut to: Vec<&str> = messages.iter().map(|m| m["to"].as_str().unwrap()).collect();
    to.sort();
    to
}

/// The messages after the first `skip`, with the config rewritten to `text` in between.
/// `rota ARGS` run `times` times at once in `p`; each must succeed.
fn at_once(p: &Project, times: usize, args: &[&str]) {
    let runs: Vec<_> = (0..times)
        .map(|_| {
            Command::new(assert_cmd::cargo::cargo_bin("rota"))
                .current_dir(p.path())
                .env("NO_COLOR", "1")
                .env_remove("ROTA_CONFIG")
                .args(args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for run in runs {
        let out = run.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn edit(p: &Project, text: &str) {
    std::fs::write(p.file("rotation.toml"), text).unwrap();
}

fn text(m: &Value) -> &str {
    m["text"].as_str().unwrap()
}

fn by_recipient<'m>(messages: &'m [Value], to: &str) -> Vec<&'m Value> {
    messages.iter().filter(|m| m["to"] == to).collect()
}

#[test]
fn a_month_is_announced_once_to_each_person_with_their_turns_and_their_feed_of_the_month() {
    let server = SmtpServer::start();
    let p = published(&config(&server.smtp_config(), "09:00-17:00", ""));
    let stdout = announce(&p, "2026-12-01T10:00");
    assert_eq!(stdout.matches("sent to").count(), 3, "{stdout}");
    let mail = server.messages();
    assert_eq!(
        recipients(&mail),
        ["ana@example.com", "kenji@example.com", "zoe@example.com"]
    );

    let ana = by_recipient(&mail, "ana@example.com")[0];
    assert_eq!(
        ana["subject"],
        "Your Acme Support rota for December 2026: 7 turns"
    );
    let body = text(ana);
    assert!(
        body.contains("your time    Mon 7 Dec 2026 10:00 EET to Mon 7 Dec 2026 18:00 EET"),
        "{body}"
    );
    assert!(
        body.contains("team's time  Mon 7 Dec 2026 09:00 CET to Mon 7 Dec 2026 17:00 CET"),
        "{body}"
    );
    assert!(
        body.contains("you hand over to: Zoë Ñúñez, \"the <hero>\""),
        "{body}"
    );
    assert!(body.contains("handed over by: Kenji Watanabe"), "{body}");
    assert!(
        ana["message_id"]
            .as_str()
            .unwrap()
            .starts_with("<rota.announcement.2026-12.ana@")
    );

    // The attachment is Ana's feed of the month: the events `rota export` writes, same UIDs.
    let ics = &ana["attachments"][0];
    assert_eq!(ics["filename"], "person-ana-2026-12.ics");
    let uids: Vec<&str> = ics["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["uid"].as_str().unwrap())
        .collect();
    p.run(&["export", "--month", "2026-12", "--out", "cal"], 0);
    let feed = std::fs::read_to_string(p.file("cal/person-ana.ics")).unwrap();
    let exported: Vec<&str> = feed
        .lines()
        .filter_map(|l| l.strip_prefix("UID:"))
        .collect();
    assert_eq!(uids, exported);
    assert_eq!(uids.len(), 7);
    assert_eq!(
        uids[0],
        "2026-12-07-support-hero@acme-support-affb723e.rota"
    );

    // Zoë's name, quotes and commas and all, arrives intact and adds no header.
    let zoe = by_recipient(&mail, "zoe@example.com")[0];
    assert_eq!(zoe["to_name"], "Zoë Ñúñez, \"the <hero>\"");
    let headers: Vec<&str> = zoe["header_names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect();
    assert_eq!(
        headers,
        [
            "from",
            "to",
            "subject",
            "date",
            "message-id",
            "mime-version",
            "content-type"
        ]
    );

    // Announced is announced: later runs send nothing.
    let again = announce(&p, "2026-12-01T11:00");
    assert!(again.contains("already announced"), "{again}");
    announce(&p, "2026-12-05T11:00");
    assert_eq!(server.messages().len(), 3);
}

#[test]
fn concurrent_announcements_go_out_once_per_person() {
    let server = SmtpServer::start();
    let p = published(&config(&server.smtp_config(), "09:00-17:00", ""));
    at_once(
        &p,
        4,
        &[
            "announce",
            "--month",
            "2026-12",
            "--now",
            "2026-12-01T10:00",
        ],
    );
    assert_eq!(
        recipients(&server.messages()),
        ["ana@example.com", "kenji@example.com", "zoe@example.com"]
    );
}

#[test]
fn the_team_digest_holds_the_months_table_as_text_and_escaped_html() {
    let server = SmtpServer::start();
    let p = published(&config(
        &server.smtp_config(),
        "09:00-17:00",
        "[announce]\nto = \"team@example.com\"\n",
    ));
    announce(&p, "2026-12-01T10:00");
    let mail = server.messages();
    let digest = by_recipient(&mail, "team@example.com");
    assert_eq!(digest.len(), 1);
    let d = digest[0];
    assert_eq!(d["subject"], "Acme Support rota for December 2026");
    assert_eq!(d["content_type"], "multipart/alternative");
    let plain = text(d);
    assert!(
        plain.contains("Tue 8 Dec 09:00 CET   Tue 8 Dec 17:00 CET   support-hero  Zoë Ñúñez"),
        "{plain}"
    );
    assert_eq!(plain.matches("support-hero").count(), 19, "{plain}");
    let html = d["html"].as_str().unwrap();
    assert!(
        html.contains("Zoë Ñúñez, &quot;the &lt;hero&gt;&quot;"),
        "{html}"
    );
    assert!(!html.contains("<hero>"), "{html}");
    announce(&p, "2026-12-01T11:00");
    assert_eq!(server.messages().len(), 4);
}

#[test]
fn an_override_after_the_announcement_tells_who_lost_and_who_gained_once() {
    let server = SmtpServer::start();
    let smtp = server.smtp_config();
    let p = published(&config(&smtp, "09:00-17:00", ""));
    announce(&p, "2026-12-01T10:00");
    edit(&p, &config(&smtp, "09:00-17:00", OVERRIDE));
    remind(&p, "2026-12-02T10:00");
    let mail = server.messages();
    let notices: Vec<&Value> = mail[3..].iter().collect();
    assert_eq!(
        recipients(&mail[3..]),
        ["ana@example.com", "kenji@example.com"]
    );

    let ana = notices
        .iter()
        .find(|m| m["to"] == "ana@example.com")
        .unwrap();
    assert_eq!(
        ana["subject"],
        "Your rota changed: support-hero on Thu 10 Dec"
    );
    let body = text(ana);
    assert!(body.contains("you no longer have it"), "{body}");
    assert!(
        body.contains("before:\n    Thu 10 Dec 10:00 EET to 18:00 EET  you\n"),
        "{body}"
    );
    assert!(
        body.contains("after:\n    Thu 10 Dec 10:00 EET to 18:00 EET  Kenji Watanabe\n"),
        "{body}"
    );
    let kenji = notices
        .iter()
        .find(|m| m["to"] == "kenji@example.com")
        .unwrap();
    let body = text(kenji);
    assert!(body.contains("it is yours now"), "{body}");
    assert!(
        body.contains("before:\n    Thu 10 Dec 17:00 JST to Fri 11 Dec 01:00 JST  Ana Popescu\n"),
        "{body}"
    );
    assert!(
        body.contains("after:\n    Thu 10 Dec 17:00 JST to Fri 11 Dec 01:00 JST  you\n"),
        "{body}"
    );
    assert_ne!(ana["message_id"], kenji["message_id"]);
    assert!(
        ana["message_id"]
            .as_str()
            .unwrap()
            .starts_with("<rota.notice.2026-12-10-support-hero.ana.")
    );

    // Told is told: hourly runs send nothing more.
    remind(&p, "2026-12-02T11:00");
    remind(&p, "2026-12-02T12:00");
    assert_eq!(server.messages().len(), 5);

    // Taking the override back is a change of its own: each hears of it once.
    edit(&p, &config(&smtp, "09:00-17:00", ""));
    remind(&p, "2026-12-02T13:00");
    remind(&p, "2026-12-02T14:00");
    let mail = server.messages();
    assert_eq!(
        recipients(&mail[5..]),
        ["ana@example.com", "kenji@example.com"]
    );
    let ana = by_recipient(&mail[5..], "ana@example.com")[0];
    assert!(text(ana).contains("it is yours now"), "{}", text(ana));
}

#[test]
fn a_changed_shift_window_tells_each_person_once_with_every_turn_that_moved() {
    let server = SmtpServer::start();
    let smtp = server.smtp_config();
    let p = published(&config(&smtp, "09:00-17:00", ""));
    announce(&p, "2026-12-01T10:00");
    edit(&p, &config(&smtp, "10:00-18:00", ""));
    remind(&p, "2026-12-02T10:00");
    remind(&p, "2026-12-02T11:00");
    let mail = server.messages();
    // One edit, one notice each, listing every turn of theirs that moved: turns are one day
    // each, Ana's seven December turns, Zoë's six and Kenji's six.
    let count = |to: &str| by_recipient(&mail[3..], to).len();
    assert_eq!(
        [
            count("ana@example.com"),
            count("zoe@example.com"),
            count("kenji@example.com")
        ],
        [1, 1, 1]
    );
    assert_eq!(mail.len(), 3 + 3);
    let ana = by_recipient(&mail[3..], "ana@example.com")[0];
    assert_eq!(
        ana["subject"],
        "Your rota changed: 7 support-hero shifts, from Mon 7 Dec"
    );
    let body = text(ana);
    assert_eq!(body.matches("your part of it changed").count(), 7, "{body}");
    assert!(
        body.contains(
            "before:\n    Mon 7 Dec 10:00 EET to 18:00 EET  you\n  after:\n    Mon 7 Dec 11:00 EET to 19:00 EET  you\n"
        ),
        "{body}"
    );
    let zoe = text(by_recipient(&mail[3..], "zoe@example.com")[0]);
    assert!(
        zoe.contains("before:\n    Tue 8 Dec 05:00 -03 to 13:00 -03  you\n  after:\n    Tue 8 Dec 06:00 -03 to 14:00 -03  you\n"),
        "{zoe}"
    );
    // The attached event is the same one, newer than the announcement's.
    let event = &ana["attachments"][0]["events"][0];
    assert_eq!(event["uid"], mail[0]["attachments"][0]["events"][0]["uid"]);
    assert_eq!(event["start"], "2026-12-07T09:00:00+00:00");
    assert_eq!(event["sequence"], 1);
    assert_eq!(mail[0]["attachments"][0]["events"][0]["sequence"], 0);
}

#[test]
fn a_change_undone_before_the_next_run_sends_nothing() {
    let server = SmtpServer::start();
    let smtp = server.smtp_config();
    let p = published(&config(&smtp, "09:00-17:00", ""));
    announce(&p, "2026-12-01T10:00");
    edit(&p, &config(&smtp, "09:00-17:00", OVERRIDE));
    edit(&p, &config(&smtp, "09:00-17:00", ""));
    remind(&p, "2026-12-02T10:00");
    assert_eq!(server.messages().len(), 3);
}

#[test]
fn turns_reopened_after_the_announcement_tell_each_person_whose_turns_moved_once() {
    let server = SmtpServer::start();
    let smtp = server.smtp_config();
    let p = published(&config(&smtp, "09:00-17:00", ""));
    announce(&p, "2026-12-01T10:00");
    // Kenji will be away the week of the 14th. His published turns stay his until they are
    // reopened; then the turns from the 14th are handed round anew.
    let away = config(&smtp, "09:00-17:00", "").replace(
        "timezone = \"Asia/Tokyo\"\n",
        "timezone = \"Asia/Tokyo\"\naway = [\"2026-12-14..2026-12-18\"]\n",
    );
    edit(&p, &away);
    remind(&p, "2026-12-02T09:00");
    assert_eq!(server.messages().len(), 3, "published turns do not move");
    p.run(&["publish", "--reopen-from", "2026-12-14"], 0);
    p.run(&["publish", "--month", "2026-12"], 0);
    remind(&p, "2026-12-02T10:00");
    remind(&p, "2026-12-02T11:00");
    let mail = server.messages();
    let notices = &mail[3..];
    let mut people = recipients(notices);
    people.dedup();
    assert_eq!(
        people,
        ["ana@example.com", "kenji@example.com", "zoe@example.com"]
    );
    // One notice each for the one edit: Kenji's turns from the 14th were handed round anew,
    // five of his lost and three of others' gained, all in his one email.
    let kenji: Vec<&str> = by_recipient(notices, "kenji@example.com")
        .into_iter()
        .map(text)
        .collect();
    assert_eq!(kenji.len(), 1, "{kenji:?}");
    assert_eq!(kenji[0].matches("you no longer have it").count(), 5);
    assert_eq!(kenji[0].matches("it is yours now").count(), 3);
    let lost = kenji[0]
        .find("support-hero, Mon 14 Dec 2026: you no longer have it")
        .expect(kenji[0]);
    let next = kenji[0]
        .find("support-hero, Thu 17 Dec 2026: you no longer have it")
        .expect(kenji[0]);
    assert!(lost < next, "in date order: {}", kenji[0]);
    for person in ["ana@example.com", "zoe@example.com"] {
        assert_eq!(by_recipient(notices, person).len(), 1, "{person}");
    }
    // Nothing before the reopened days moved, so nobody hears about it.
    for m in notices {
        assert!(!text(m).contains(" 7 Dec 2026:"), "{}", text(m));
        assert!(!text(m).contains("11 Dec 2026:"), "{}", text(m));
    }
    // What each now holds is what `rota plan` says.
    let plan = p.json(&["plan", "--month", "2026-12", "--format", "json"]);
    let monday = plan["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["start"] == "2026-12-14T09:00:00+01:00")
        .unwrap();
    let holder = monday["person"].as_str().unwrap();
    let gained = by_recipient(notices, &format!("{holder}@example.com"));
    assert!(
        gained
            .iter()
            .any(|m| text(m).contains("support-hero, Mon 14 Dec 2026: it is yours now")),
        "{gained:?}"
    );
}

#[test]
fn an_unpublished_month_is_refused_with_the_command_that_publishes_it() {
    let server = SmtpServer::start();
    let p = Project::new(&config(&server.smtp_config(), "09:00-17:00", ""));
    let stderr = p.run_err(
        &[
            "announce",
            "--month",
            "2026-12",
            "--now",
            "2026-12-01T10:00",
        ],
        2,
    );
    assert!(
        stderr.contains("December 2026 is not published"),
        "{stderr}"
    );
    assert!(stderr.contains("rota publish --month 2026-12"), "{stderr}");
    p.run(&["publish", "--month", "2026-12"], 0);
    p.run(&["publish", "--reopen-from", "2026-12-20"], 0);
    let stderr = p.run_err(
        &[
            "announce",
            "--month",
            "2026-12",
            "--now",
            "2026-12-01T10:00",
        ],
        2,
    );
    assert!(stderr.contains("through 2026-12-19 only"), "{stderr}");
    assert!(server.messages().is_empty());
    assert!(!p.file(".rota").exists());
}

#[test]
fn a_mail_server_outage_holds_notices_back_for_the_next_run_without_duplicates() {
    let mut server = SmtpServer::start();
    let smtp = server.smtp_config();
    let p = published(&config(&smtp, "09:00-17:00", ""));
    announce(&p, "2026-12-01T10:00");
    edit(&p, &config(&smtp, "09:00-17:00", OVERRIDE));
    server.stop();
    let (stdout, stderr) = run(
        &p,
        &["remind", "--now", "2026-12-02T10:00", "--format", "json"],
        1,
    );
    assert!(
        stderr.contains("could not deliver the change notice to Ana Popescu <ana@example.com>"),
        "{stderr}"
    );
    assert!(
        stderr.contains("2 of 2 change notices not delivered"),
        "{stderr}"
    );
    let failed: Value = serde_json::from_str(&stdout).unwrap();
    let mut failed_ids: Vec<&str> = failed["emails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message_id"].as_str().unwrap())
        .collect();
    server.restart();
    remind(&p, "2026-12-02T11:00");
    remind(&p, "2026-12-02T12:00");
    let mail = server.messages();
    assert_eq!(
        recipients(&mail[3..]),
        ["ana@example.com", "kenji@example.com"]
    );
    // The retries are the same emails: the same Message-IDs.
    let mut sent_ids: Vec<&str> = mail[3..]
        .iter()
        .map(|m| m["message_id"].as_str().unwrap())
        .collect();
    failed_ids.sort();
    sent_ids.sort();
    assert_eq!(failed_ids, sent_ids);
}

#[test]
fn a_reminded_turn_that_changes_is_noticed_and_the_new_turn_reminded() {
    let server = SmtpServer::start();
    let smtp = server.smtp_config();
    let p = published(&config(&smtp, "09:00-17:00", ""));
    remind(&p, "2026-12-06T10:00");
    assert_eq!(recipients(&server.messages()), ["ana@example.com"]);
    // Zoë takes the afternoon of Ana's Monday.
    let split = r#"
[[override]]
rotation = "support-hero"
person = "zoe"
from = 2026-12-07T13:00:00
to = 2026-12-07T17:00:00
"#;
    edit(&p, &config(&smtp, "09:00-17:00", split));
    // Her afternoon comes due a day ahead, at 13:00.
    for now in ["2026-12-06T11:00", "2026-12-06T12:00", "2026-12-06T13:00"] {
        remind(&p, now);
    }
    let mail = server.messages();
    let subjects: Vec<(&str, &str)> = mail[1..]
        .iter()
        .map(|m| (m["to"].as_str().unwrap(), m["subject"].as_str().unwrap()))
        .collect();
    assert_eq!(
        subjects,
        [
            (
                "ana@example.com",
                "Your rota changed: support-hero on Mon 7 Dec"
            ),
            (
                "zoe@example.com",
                "Your rota changed: support-hero on Mon 7 Dec"
            ),
            (
                "zoe@example.com",
                "Your support-hero turn starts tomorrow, Mon 7 Dec 09:00 -03"
            ),
        ]
    );
    let ana = text(&mail[1]);
    assert!(
        ana.contains("after:\n    Mon 7 Dec 10:00 EET to 14:00 EET  you\n    Mon 7 Dec 14:00 EET to 18:00 EET  Zoë Ñúñez"),
        "{ana}"
    );
}

#[test]
fn notices_can_be_turned_off() {
    let server = SmtpServer::start();
    let smtp = server.smtp_config();
    let p = published(&config(&smtp, "09:00-17:00", ""));
    announce(&p, "2026-12-01T10:00");
    let off = config(&smtp, "09:00-17:00", OVERRIDE)
        .replace("before = \"24h\"\n", "before = \"24h\"\nnotices = false\n");
    edit(&p, &off);
    remind(&p, "2026-12-02T10:00");
    assert_eq!(server.messages().len(), 3);
}

#[test]
fn dry_runs_show_announcements_and_notices_and_change_nothing() {
    let server = SmtpServer::start();
    let smtp = server.smtp_config();
    let p = published(&config(&smtp, "09:00-17:00", ""));
    let (stdout, _) = run(
        &p,
        &[
            "announce",
            "--month",
            "2026-12",
            "--now",
            "2026-12-01T10:00",
            "--dry-run",
        ],
        0,
    );
    assert!(
        stdout.contains(
            "would send to Ana Popescu <ana@example.com>: Your Acme Support rota for December 2026: 7 turns"
        ),
        "{stdout}"
    );
    assert!(server.messages().is_empty());
    assert!(!p.file(".rota").exists());

    announce(&p, "2026-12-01T10:00");
    let state = std::fs::read(p.file(".rota/state.json")).unwrap();
    edit(&p, &config(&smtp, "09:00-17:00", OVERRIDE));
    let dry = p.json(&[
        "remind",
        "--now",
        "2026-12-02T10:00",
        "--dry-run",
        "--format",
        "json",
    ]);
    let kinds: Vec<(&str, &str, &str)> = dry["emails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap(),
                e["to"].as_str().unwrap(),
                e["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("notice", "ana@example.com", "would-send"),
            ("notice", "kenji@example.com", "would-send")
        ]
    );
    assert_eq!(server.messages().len(), 3);
    assert_eq!(std::fs::read(p.file(".rota/state.json")).unwrap(), state);
}

#[test]
fn without_smtp_announcements_and_notices_go_to_the_outbox_once() {
    let p = published(&config("", "09:00-17:00", ""));
    announce(&p, "2026-12-01T10:00");
    announce(&p, "2026-12-01T11:00");
    let outbox = p.file(".rota/outbox");
    let mut names: Vec<String> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "announce-2026-12-ana.eml",
            "announce-2026-12-kenji.eml",
            "announce-2026-12-zoe.eml"
        ]
    );
    let mail = parse_mail(&[outbox.join("announce-2026-12-ana.eml")]);
    assert_eq!(mail[0]["attachments"][0]["content_type"], "text/calendar");

    edit(&p, &config("", "09:00-17:00", OVERRIDE));
    remind(&p, "2026-12-02T10:00");
    remind(&p, "2026-12-02T11:00");
    let notices: Vec<_> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("notice-"))
        .collect();
    assert_eq!(notices.len(), 2, "{notices:?}");
}

#[test]
fn announce_json_lists_each_announcement() {
    let server = SmtpServer::start();
    let p = published(&config(&server.smtp_config(), "09:00-17:00", ""));
    let report = p.json(&[
        "announce",
        "--month",
        "2026-12",
        "--now",
        "2026-12-01T10:00",
        "--format",
        "json",
    ]);
    assert_eq!(report["delivered"], 3);
    let emails = report["emails"].as_array().unwrap();
    assert!(
        emails
            .iter()
            .all(|e| e["kind"] == "announcement" && e["status"] == "sent")
    );
    assert_eq!(emails[0]["to"], "ana@example.com");
}

#[test]
fn a_month_that_is_over_or_misspelt_is_refused() {
    let p = published(&config("", "09:00-17:00", ""));
    let stderr = p.run_err(
        &[
            "announce",
            "--month",
            "2026-11",
            "--now",
            "2026-12-01T10:00",
        ],
        2,
    );
    assert!(stderr.contains("November 2026 is over"), "{stderr}");
    let stderr = p.run_err(&["announce", "--month", "2026-13"], 2);
    assert!(stderr.contains("--month 2027-01"), "{stderr}");
    assert!(!p.file(".rota").exists());
}

#[test]
fn announcements_that_fail_are_sent_by_the_next_run_and_the_others_not_again() {
    let mut server = SmtpServer::start();
    let p = published(&config(&server.smtp_config(), "09:00-17:00", ""));
    server.treat(&[("zoe@example.com", "451")]);
    let (stdout, stderr) = run(
        &p,
        &[
            "announce",
            "--month",
            "2026-12",
            "--now",
            "2026-12-01T10:00",
        ],
        1,
    );
    assert_eq!(stdout.matches("sent to").count(), 2, "{stdout}");
    assert!(
        stderr.contains("1 of 3 announcements not delivered"),
        "{stderr}"
    );
    server.stop();
    run(
        &p,
        &[
            "announce",
            "--month",
            "2026-12",
            "--now",
            "2026-12-01T11:00",
        ],
        1,
    );
    server.restart();
    server.treat(&[]);
    announce(&p, "2026-12-01T12:00");
    announce(&p, "2026-12-01T13:00");
    assert_eq!(
        recipients(&server.messages()),
        ["ana@example.com", "kenji@example.com", "zoe@example.com"]
    );
}

/// The same team with turns of a week: Ana has 7–11 December, Zoë 14–18, Kenji 21–25 and
/// Ana again 28 December to 1 January.
fn weekly(smtp: &str, extra: &str) -> String {
    config(smtp, "09:00-17:00", extra).replace(
        "shift = \"09:00-17:00\"\n",
        "shift = \"09:00-17:00\"\nturn = \"week\"\n",
    )
}

fn takes(person: &str, from: &str, to: &str) -> String {
    format!(
        "[[override]]\nrotation = \"support-hero\"\nperson = \"{person}\"\nfrom = {from}\nto = {to}\n"
    )
}

fn subjects<'m>(messages: &'m [Value], to: &str) -> Vec<&'m str> {
    by_recipient(messages, to)
        .into_iter()
        .map(|m| m["subject"].as_str().unwrap())
        .collect()
}

#[test]
fn two_edits_across_an_outage_are_one_notice_per_changed_turn_each_sent_once() {
    let mut server = SmtpServer::start();
    let smtp = server.smtp_config();
    let p = published(&weekly(&smtp, ""));
    announce(&p, "2026-12-01T10:00");
    assert_eq!(server.messages().len(), 3);
    // Kenji takes the Wednesday and Thursday of Ana's first week; the server is down.
    let first = takes("kenji", "2026-12-09T00:00:00", "2026-12-11T00:00:00");
    edit(&p, &weekly(&smtp, &first));
    server.stop();
    run(&p, &["remind", "--now", "2026-12-02T10:00"], 1);
    // Then he also takes the Tuesday of her last week.
    let second = takes("kenji", "2026-12-29T00:00:00", "2026-12-30T00:00:00");
    edit(&p, &weekly(&smtp, &(first + &second)));
    server.restart();
    for now in ["2026-12-02T11:00", "2026-12-02T12:00", "2026-12-03T12:00"] {
        remind(&p, now);
    }
    let mail = server.messages();
    let notices = &mail[3..];
    assert_eq!(
        recipients(notices),
        [
            "ana@example.com",
            "ana@example.com",
            "kenji@example.com",
            "kenji@example.com"
        ]
    );
    assert_eq!(
        subjects(notices, "ana@example.com"),
        [
            "Your rota changed: 2 support-hero shifts, from Wed 9 Dec",
            "Your rota changed: support-hero on Tue 29 Dec"
        ]
    );
    assert_eq!(
        subjects(notices, "kenji@example.com"),
        [
            "Your rota changed: 2 support-hero shifts, from Wed 9 Dec",
            "Your rota changed: support-hero on Tue 29 Dec"
        ]
    );
    let mut ids: Vec<&str> = notices
        .iter()
        .map(|m| m["message_id"].as_str().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 4);
    let ana = text(by_recipient(notices, "ana@example.com")[0]);
    assert!(
        ana.contains("before:\n    Wed 9 Dec 10:00 EET to 18:00 EET  you\n  after:\n    Wed 9 Dec 10:00 EET to 18:00 EET  Kenji Watanabe\n"),
        "{ana}"
    );
    // Kenji's times are his own (Tokyo), and his calendar gets the two shifts he took.
    let kenji = by_recipient(notices, "kenji@example.com")[0];
    assert!(
        text(kenji).contains("after:\n    Wed 9 Dec 17:00 JST to Thu 10 Dec 01:00 JST  you\n"),
        "{}",
        text(kenji)
    );
    let events = kenji["attachments"][0]["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert!(events.iter().all(|e| e["sequence"] == 1), "{events:?}");
    // Ana's calendar drops the two days it imported from the announcement.
    let announced = &mail[0]["attachments"][0]["events"];
    let dropped = by_recipient(notices, "ana@example.com")[0]["attachments"][0]["events"]
        .as_array()
        .unwrap();
    assert_eq!(dropped.len(), 2, "{dropped:?}");
    assert_eq!(dropped[0]["uid"], announced[2]["uid"]);
    assert_eq!(dropped[0]["start"], "2026-12-09T08:00:00+00:00");
    assert!(
        dropped
            .iter()
            .all(|e| e["status"] == "CANCELLED" && e["sequence"] == 1),
        "{dropped:?}"
    );
}

#[test]
fn an_override_on_the_start_of_a_reminded_turn_is_noticed_and_not_reminded_again() {
    let server = SmtpServer::start();
    let smtp = server.smtp_config();
    let p = published(&weekly(&smtp, ""));
    remind(&p, "2026-12-06T10:00");
    assert_eq!(
        subjects(&server.messages(), "ana@example.com"),
        ["Your support-hero turn starts tomorrow, Mon 7 Dec 10:00 EET"]
    );
    // Zoë takes Monday morning: the rest of Ana's week now starts at 15:00.
    edit(
        &p,
        &weekly(
            &smtp,
            &takes("zoe", "2026-12-07T09:00:00", "2026-12-07T15:00:00"),
        ),
    );
    let (dry, _) = run(&p, &["remind", "--now", "2026-12-06T11:00", "--dry-run"], 0);
    assert_eq!(dry.matches("would send to").count(), 2, "{dry}");
    assert_eq!(dry.matches("zoe@example.com").count(), 1, "{dry}");
    for now in [
        "2026-12-06T11:00",
        "2026-12-06T15:00",
        "2026-12-06T16:00",
        "2026-12-07T10:00",
    ] {
        remind(&p, now);
    }
    let mail = server.messages();
    assert_eq!(
        subjects(&mail, "ana@example.com"),
        [
            "Your support-hero turn starts tomorrow, Mon 7 Dec 10:00 EET",
            "Your rota changed: support-hero on Mon 7 Dec"
        ]
    );
    // Zoë's morning was due when she gained it: the notice is her reminder too.
    assert_eq!(
        subjects(&mail, "zoe@example.com"),
        ["Your rota changed: support-hero on Mon 7 Dec"]
    );
    let zoe = by_recipient(&mail, "zoe@example.com")[0];
    assert!(
        text(zoe).contains("this email is also its reminder"),
        "{}",
        text(zoe)
    );
    // Her calendar takes the morning over from Ana's event: the same UID, a higher SEQUENCE.
    let reminded = &mail[0]["attachments"][0]["events"][0];
    let taken = &zoe["attachments"][0]["events"][0];
    assert_eq!(taken["uid"], reminded["uid"]);
    assert_eq!(taken["end"], "2026-12-07T14:00:00+00:00");
    assert_eq!(reminded["sequence"], 0);
    assert_eq!(taken["sequence"], 1);
    assert_eq!(taken["dtstamp"], "2026-12-06T10:00:00+00:00");
}

/// The day-shift config with `extra`, Kenji without an email address.
fn without_kenjis_address(smtp: &str, extra: &str) -> String {
    config(smtp, "09:00-17:00", extra).replace("email = \"kenji@example.com\"\n", "")
}

#[test]
fn someone_without_an_address_is_warned_about_once_not_on_every_run() {
    let server = SmtpServer::start();
    let smtp = server.smtp_config();
    let no_address = |extra: &str| without_kenjis_address(&smtp, extra);
    let p = published(&no_address(""));
    announce(&p, "2026-12-01T10:00");
    edit(&p, &no_address(OVERRIDE));
    let (_, first) = run(&p, &["remind", "--now", "2026-12-02T10:00"], 0);
    assert!(
        first.contains("Kenji Watanabe (kenji) has no email address: no notice"),
        "{first}"
    );
    let (_, again) = run(&p, &["remind", "--now", "2026-12-02T11:00"], 0);
    assert!(!again.contains("no email address"), "{again}");
    // His Wednesday comes due: one warning, not one an hour.
    let (_, due) = run(&p, &["remind", "--now", "2026-12-08T10:00"], 0);
    assert!(
        due.contains("has no email address: no reminder for the support-hero turn"),
        "{due}"
    );
    let (_, again) = run(&p, &["remind", "--now", "2026-12-08T11:00"], 0);
    assert!(!again.contains("no email address"), "{again}");
    assert_eq!(
        subjects(&server.messages()[2..], "ana@example.com").len(),
        1
    );
}

#[test]
fn announcing_to_someone_without_an_address_warns_once_per_month() {
    let server = SmtpServer::start();
    let smtp = server.smtp_config();
    let text = without_kenjis_address(&smtp, "");
    let p = published(&text);
    let (_, first) = run(
        &p,
        &[
            "announce",
            "--month",
            "2026-12",
            "--now",
            "2026-12-01T10:00",
        ],
        0,
    );
    assert!(
        first.contains(
            "Kenji Watanabe (kenji) has no email address: no announcement of December 2026"
        ),
        "{first}"
    );
    let (_, again) = run(
        &p,
        &[
            "announce",
            "--month",
            "2026-12",
            "--now",
            "2026-12-01T11:00",
        ],
        0,
    );
    assert!(!again.contains("no email address"), "{again}");
}

#[test]
fn concurrent_runs_send_each_notice_once() {
    let server = SmtpServer::start();
    let smtp = server.smtp_config();
    let p = published(&weekly(&smtp, ""));
    announce(&p, "2026-12-01T10:00");
    let overrides = takes("kenji", "2026-12-09T00:00:00", "2026-12-11T00:00:00")
        + &takes("ana", "2026-12-15T00:00:00", "2026-12-16T00:00:00");
    edit(&p, &weekly(&smtp, &overrides));
    at_once(&p, 4, &["remind", "--now", "2026-12-02T10:00"]);
    // Ana lost two days of her week and gained Zoë's Tuesday: two notices; Kenji and Zoë one.
    assert_eq!(
        recipients(&server.messages()[3..]),
        [
            "ana@example.com",
            "ana@example.com",
            "kenji@example.com",
            "zoe@example.com"
        ]
    );
}

#[test]
fn a_turn_lost_to_someone_never_told_is_news_again_when_it_comes_back() {
    let server = SmtpServer::start();
    let smtp = server.smtp_config();
    let no_address = |extra: &str| without_kenjis_address(&smtp, extra);
    let p = published(&no_address(""));
    announce(&p, "2026-12-01T10:00");
    assert_eq!(server.messages().len(), 2);
    // Kenji, who cannot be emailed, takes Ana's Thursday; then the override goes again.
    edit(&p, &no_address(OVERRIDE));
    remind(&p, "2026-12-02T10:00");
    edit(&p, &no_address(""));
    remind(&p, "2026-12-02T11:00");
    remind(&p, "2026-12-02T12:00");
    let mail = server.messages();
    let ana: Vec<&str> = by_recipient(&mail[2..], "ana@example.com")
        .into_iter()
        .map(text)
        .collect();
    assert_eq!(ana.len(), 2, "{ana:?}");
    assert!(ana[0].contains("you no longer have it"), "{}", ana[0]);
    assert!(ana[1].contains("it is yours now"), "{}", ana[1]);
    // Her calendar gets the event back above the cancellation.
    let back = &by_recipient(&mail[2..], "ana@example.com")[1]["attachments"][0]["events"][0];
    assert_eq!(back["sequence"], 2);
    assert_eq!(back["status"], "");
}

#[test]
fn a_notice_retried_after_the_others_went_out_keeps_its_message_id() {
    let server = SmtpServer::start();
    let smtp = server.smtp_config();
    let p = published(&config(&smtp, "09:00-17:00", ""));
    announce(&p, "2026-12-01T10:00");
    edit(&p, &config(&smtp, "09:00-17:00", OVERRIDE));
    // Ana's mailbox is unavailable for a while; Kenji gets his notice.
    server.treat(&[("ana@example.com", "451")]);
    let (stdout, _) = run(
        &p,
        &["remind", "--now", "2026-12-02T10:00", "--format", "json"],
        1,
    );
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let failed = report["emails"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["to"] == "ana@example.com")
        .unwrap()["message_id"]
        .clone();
    server.treat(&[]);
    remind(&p, "2026-12-02T11:00");
    remind(&p, "2026-12-02T12:00");
    let mail = server.messages();
    assert_eq!(
        recipients(&mail[3..]),
        ["ana@example.com", "kenji@example.com"]
    );
    let ana = by_recipient(&mail[3..], "ana@example.com")[0];
    assert_eq!(ana["message_id"], failed);
    // What Kenji was told meanwhile is not what Ana knew before.
    assert!(
        text(ana).contains("before:\n    Thu 10 Dec 10:00 EET to 18:00 EET  you\n  after:"),
        "{}",
        text(ana)
    );
}
