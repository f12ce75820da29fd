//! Hostile and absurd input: escapes, formulas, huge and repeated values, secrets.

use std::time::{Duration, Instant};

use crate::support::*;

fn two_people(extra_person: &str) -> String {
    format!(
        "{}[[person]]\nid = \"ana\"\n{extra_person}\n[[person]]\nid = \"bob\"\nemail = \"bob@example.com\"\n\n\
         [[rotation]]\nname = \"r\"\nmembers = [\"ana\", \"bob\"]\nshift = \"09:00-17:00\"\n",
        team("UTC", "2026-12-01")
    )
}

#[test]
fn names_that_read_as_formulas_come_out_of_csv_as_text() {
    let mut config = team("UTC", "2026-12-01");
    for (id, name) in [
        ("a", "=HYPERLINK(\\\"http://evil.example\\\")"),
        ("b", "+1+1"),
        ("c", "-2+3"),
        ("d", "@SUM(A1:A9)"),
    ] {
        config.push_str(&format!("[[person]]\nid = \"{id}\"\nname = \"{name}\"\n\n"));
    }
    config.push_str(
        "[[rotation]]\nname = \"r\"\nmembers = [\"a\", \"b\", \"c\", \"d\"]\nshift = \"09:00-17:00\"\n",
    );
    let p = Project::new(&config);
    let csv = p.run(
        &[
            "plan",
            "--from",
            "2026-12-01",
            "--to",
            "2026-12-05",
            "--format",
            "csv",
        ],
        0,
    );
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let names: Vec<String> = reader
        .records()
        .map(|r| r.expect("csv row")[2].to_string())
        .collect();
    assert_eq!(
        names,
        [
            "'=HYPERLINK(\"http://evil.example\")",
            "'+1+1",
            "'-2+3",
            "'@SUM(A1:A9)"
        ]
    );
}

/// stderr of rota as a terminal would get it: colours forced on, so nothing is stripped on
/// the way (anstream removes escapes only when stderr is not a terminal).
fn terminal_stderr(p: &Project, args: &[&str]) -> String {
    let out = p
        .rota()
        .env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1")
        .args(args)
        .output()
        .expect("run rota");
    assert_eq!(out.status.code(), Some(2), "rota {args:?}");
    String::from_utf8(out.stderr).expect("utf-8 stderr")
}

/// No character that makes a terminal act (ESC other than rota's own colours, BEL, C1, bidi
/// overrides) reaches stderr.
fn assert_inert(stderr: &str) {
    // Drop rota's own colour codes (ESC [ digits ; m), then nothing may be left.
    let mut rest = String::new();
    let mut chars = stderr.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            let mut code = String::new();
            chars.next();
            while let Some(&d) = chars.peek() {
                chars.next();
                if d == 'm' {
                    break;
                }
                code.push(d);
            }
            assert!(
                code.chars().all(|d| d.is_ascii_digit() || d == ';'),
                "a terminal command in:\n{}",
                stderr.escape_debug()
            );
            continue;
        }
        rest.push(c);
    }
    assert!(
        !rest
            .chars()
            .any(|c| (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c)),
        "raw control characters in:\n{}",
        stderr.escape_debug()
    );
}

#[test]
fn escape_sequences_in_a_config_snippet_are_not_sent_to_the_terminal() {
    // A TOML string may hold a raw ESC; the syntax error's snippet shows that line.
    let config = format!(
        "{}[[person]]\nid = \"ana\"\nname = \"\u{1b}]0;pwned\u{7}\u{1b}[2J\" x = 1\n",
        team("UTC", "2026-12-01")
    );
    let p = Project::new(&config);
    let err = terminal_stderr(&p, &["validate"]);
    assert_inert(&err);
    assert!(err.contains("rotation.toml:"), "{err}");
}

#[test]
fn escape_sequences_in_flag_values_are_not_sent_to_the_terminal() {
    let p = Project::new(&two_people(""));
    let evil = "\u{1b}[2J\u{1b}]8;;http://evil.example\u{7}link\u{202e}";
    for args in [
        vec!["plan", "--tz", evil],
        vec!["who", "--at", evil],
        vec!["plan", "--month", evil],
        vec!["plan", "--from", evil, "--to", "2027-01-01"],
        vec!["remind", "--dry-run", "--now", evil],
        vec!["--config", evil, "validate"],
    ] {
        let err = terminal_stderr(&p, &args);
        assert_inert(&err);
        assert!(err.contains("\\u{1b}"), "the value is shown escaped: {err}");
    }
}

#[test]
fn thousands_of_repeated_mistakes_on_one_long_line_give_a_bounded_report() {
    let members: Vec<&str> = std::iter::repeat_n("\"ana\"", 5_000).collect();
    let config = format!(
        "{}[[person]]\nid = \"ana\"\n\n[[rotation]]\nname = \"r\"\nmembers = [{}]\nshift = \"09:00-17:00\"\n",
        team("UTC", "2026-12-01"),
        members.join(", ")
    );
    let p = Project::new(&config);
    let err = p.run_err(&["validate"], 2);
    assert!(err.len() < 64 * 1024, "stderr is {} bytes", err.len());
    assert!(
        err.contains("listed twice"),
        "{}",
        &err[..err.len().min(2000)]
    );
    assert!(
        err.contains("more errors not shown"),
        "{}",
        &err[err.len() - 500..]
    );
    assert!(
        err.contains("has 4999 errors"),
        "{}",
        &err[err.len() - 500..]
    );
}

// The time bounds below are far above what the work takes (about a second) and far below what
// the quadratic code took (minutes), so a loaded test machine does not make them flaky.
#[test]
fn twenty_thousand_duplicate_ids_are_reported_in_linear_time() {
    let mut config = team("UTC", "2026-12-01");
    for _ in 0..20_000 {
        config.push_str("[[person]]\nid = \"ana\"\n");
    }
    let p = Project::new(&config);
    let started = Instant::now();
    let err = p.run_err(&["validate"], 2);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );
    assert!(err.contains("person id `ana` is used twice"), "{err}");
    assert!(err.len() < 64 * 1024, "stderr is {} bytes", err.len());
}

#[test]
fn twenty_thousand_unknown_members_are_reported_in_linear_time() {
    let mut config = team("UTC", "2026-12-01");
    let mut members = Vec::new();
    for i in 0..20_000 {
        config.push_str(&format!("[[person]]\nid = \"p{i}\"\n"));
        members.push(format!("\"q{i}\""));
    }
    config.push_str(&format!(
        "[[rotation]]\nname = \"r\"\nmembers = [{}]\nshift = \"09:00-17:00\"\n",
        members.join(",")
    ));
    let p = Project::new(&config);
    let started = Instant::now();
    let err = p.run_err(&["validate"], 2);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );
    assert!(err.contains("unknown person `q0`"), "{err}");
}

#[test]
fn a_megabyte_time_zone_is_neither_searched_nor_echoed_whole() {
    let zone = "Europe/Bucharest".repeat(65_536);
    let config = format!("[team]\ntimezone = \"{zone}\"\nstart = 2026-12-01\n");
    let p = Project::new(&config);
    let started = Instant::now();
    let err = p.run_err(&["validate"], 2);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert!(err.contains("unknown time zone"), "{}", &err[..500]);
    assert!(err.len() < 4096, "stderr is {} bytes", err.len());

    let p = Project::new(&two_people(""));
    let err = p.run_err(&["plan", "--tz", &zone[..100_000]], 2);
    assert!(err.len() < 4096, "stderr is {} bytes", err.len());
}

#[test]
fn an_address_the_mailer_cannot_send_to_fails_validation() {
    let p = Project::new(&two_people("email = \"ana@[127.0.0.1]\""));
    let err = p.run_err(&["validate"], 2);
    assert!(err.contains("is not an email address"), "{err}");
    assert!(err.contains(":8:9:"), "points at the address: {err}");
}

#[test]
fn a_sender_the_mailer_cannot_send_from_fails_validation() {
    let config = format!(
        "{}[remind]\nfrom = \"Rota <rota@[10.0.0.1]>\"\n",
        two_people("email = \"ana@example.com\"")
    );
    let p = Project::new(&config);
    let err = p.run_err(&["validate"], 2);
    assert!(err.contains("is not a sender address"), "{err}");
}

#[test]
fn every_address_that_validates_gets_its_reminder_written() {
    // Addresses at the edges of what the mailer takes: all of them reach the outbox.
    for address in [
        "ana@example.com",
        "ana+rota@example.com",
        "\\\"ana.p\\\"@example.com",
        "ana@xn--bcher-kva.example",
        "ANA@EXAMPLE.COM",
    ] {
        let p = Project::new(&two_people(&format!("email = \"{address}\"")));
        p.run(&["validate"], 0);
        let out = p.run(&["remind", "--now", "2026-11-30T10:00:00Z"], 0);
        assert!(out.contains("wrote"), "{address}: {out}");
    }
}

#[test]
fn a_password_in_the_config_is_refused_without_being_printed() {
    let config = format!(
        "{}[smtp]\nhost = \"localhost\"\nusername = \"rota\"\npassword = \"hunter2-s3cret\"\n",
        two_people("email = \"ana@example.com\"")
    );
    let p = Project::new(&config);
    let err = p.run_err(&["validate"], 2);
    assert!(!err.contains("hunter2"), "the secret is echoed:\n{err}");
    assert!(err.contains("password_env"), "{err}");
    assert!(err.contains(":20:"), "points at the line: {err}");
}

#[test]
fn a_password_on_a_line_with_a_syntax_error_is_not_printed() {
    let config = format!(
        "{}[smtp]\nhost = \"localhost\"\npassword = \"hunter2-s3cret\n",
        two_people("email = \"ana@example.com\"")
    );
    let p = Project::new(&config);
    let err = p.run_err(&["validate"], 2);
    assert!(!err.contains("hunter2"), "the secret is echoed:\n{err}");
}

#[test]
fn ids_and_names_too_long_for_a_file_name_fail_validation() {
    let long = "r".repeat(300);
    let config = format!(
        "{}[[person]]\nid = \"ana\"\n\n[[rotation]]\nname = \"{long}\"\nmembers = [\"ana\"]\nshift = \"09:00-17:00\"\n",
        team("UTC", "2026-12-01")
    );
    let p = Project::new(&config);
    let err = p.run_err(&["validate"], 2);
    assert!(err.contains("300 bytes long"), "{err}");
    assert!(err.contains("at most 100 bytes"), "{err}");

    // The longest allowed id and name (in bytes, with letters of four bytes each) still
    // export and reach the outbox.
    let id = "\u{1d400}".repeat(25);
    let name = "n".repeat(100);
    let config = format!(
        "{}[[person]]\nid = \"{id}\"\nemail = \"a@example.com\"\n\n[[rotation]]\nname = \"{name}\"\nmembers = [\"{id}\"]\nshift = \"09:00-17:00\"\n",
        team("UTC", "2026-12-01")
    );
    let p = Project::new(&config);
    p.run(&["validate"], 0);
    p.run(&["export", "--month", "2026-12"], 0);
    assert!(p.file(&format!("calendar/rotation-{name}.ics")).exists());
    assert!(p.file(&format!("calendar/person-{id}.ics")).exists());
    let out = p.run(&["remind", "--now", "2026-11-30T10:00:00Z"], 0);
    assert!(out.contains("wrote"), "{out}");
}

#[test]
fn an_override_to_the_end_of_time_costs_no_more_than_the_period_asked_for() {
    let config = format!(
        "{}[[override]]\nrotation = \"r\"\nperson = \"bob\"\nfrom = 2026-12-03T09:00:00\nto = 9999-12-31T00:00:00\n",
        two_people("email = \"ana@example.com\"")
    );
    let p = Project::new(&config);
    p.run(&["validate"], 0);
    for args in [
        &["remind", "--dry-run", "--now", "2026-12-02T10:00:00Z"][..],
        &["remind", "--dry-run", "--now", "2026-12-10T10:00:00Z"][..],
        &["check", "--month", "2026-12"][..],
        &["plan", "--month", "2026-12"][..],
    ] {
        let started = Instant::now();
        let out = p.rota().args(args).output().unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{args:?} took {:?}",
            started.elapsed()
        );
    }
    // The override's turn is still reminded, once, when it starts within the lead time.
    let out = p.run(&["remind", "--dry-run", "--now", "2026-12-02T10:00:00Z"], 0);
    assert!(out.contains("would send to bob"), "{out}");
}

fn plan_people(p: &Project, from: &str, to: &str) -> Vec<(String, String, String)> {
    let json = p.json(&["plan", "--from", from, "--to", to, "--format", "json"]);
    json["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["start"].as_str().unwrap().to_string(),
                s["end"].as_str().unwrap().to_string(),
                s["person"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect()
}

#[test]
fn an_away_day_counts_across_zones_more_than_a_day_apart() {
    // 00:00 on 9 December in Kiritimati (+14) is 23:00 on the 7th in Pago Pago (−11): the
    // member there is away on their 7th, so the turn goes to the next one.
    let config = format!(
        "{}[[person]]\nid = \"pp\"\ntimezone = \"Pacific/Pago_Pago\"\naway = [\"2026-12-07\"]\n\n\
         [[person]]\nid = \"kit\"\n\n\
         [[rotation]]\nname = \"r\"\nmembers = [\"pp\", \"kit\"]\nshift = \"00:00-01:00\"\n",
        team("Pacific/Kiritimati", "2026-12-01")
    );
    let p = Project::new(&config);
    let shifts = plan_people(&p, "2026-12-09", "2026-12-10");
    assert_eq!(shifts.len(), 1);
    assert_eq!(shifts[0].2, "kit", "{shifts:?}");
    let json = p.json(&["check", "--month", "2026-12", "--format", "json"]);
    let away: Vec<_> = json["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "on-duty-while-away")
        .collect();
    assert!(away.is_empty(), "{away:?}");
}

#[test]
fn an_override_wholly_in_a_dst_gap_is_a_warning_not_an_invalid_config() {
    let config = format!(
        "{}[[person]]\nid = \"ana\"\n\n[[person]]\nid = \"bob\"\n\n\
         [[rotation]]\nname = \"r\"\nmembers = [\"ana\", \"bob\"]\nshift = \"00:00-24:00\"\n\n\
         [[override]]\nrotation = \"r\"\nperson = \"bob\"\nfrom = 2027-03-14T02:00:00\nto = 2027-03-14T03:00:00\n",
        team("America/New_York", "2027-03-01")
    );
    let p = Project::new(&config);
    p.run(&["validate"], 0);
    p.run(&["remind", "--dry-run", "--now", "2027-03-13T12:00"], 0);
    let out = p.run(&["check", "--month", "2027-03"], 0);
    assert!(out.contains("clocks skip"), "{out}");
    assert!(out.contains("changes nothing"), "{out}");
}

#[test]
fn a_day_that_never_existed_has_no_shift_and_takes_nobodys_turn() {
    // Samoa skipped 30 December 2011.
    let config = format!(
        "{}[[person]]\nid = \"a\"\n\n[[person]]\nid = \"b\"\n\n\
         [[rotation]]\nname = \"r\"\nmembers = [\"a\", \"b\"]\nshift = \"09:00-17:00\"\n",
        team("Pacific/Apia", "2011-12-26")
    );
    let p = Project::new(&config);
    let whole = plan_people(&p, "2011-12-26", "2012-01-04");
    assert!(whole.iter().all(|(s, e, _)| s != e), "{whole:?}");
    let people: Vec<&str> = whole.iter().map(|s| s.2.as_str()).collect();
    // 26, 27, 28, 29 (no 30th), 31, 1, 2, 3: the order goes on as if the day were not there.
    assert_eq!(
        people,
        ["a", "b", "a", "b", "a", "b", "a", "b"],
        "{whole:?}"
    );
    // Planned on its own, January agrees with the longer plan.
    let january = plan_people(&p, "2012-01-01", "2012-01-04");
    assert_eq!(january[..], whole[5..]);
}
