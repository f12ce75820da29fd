//! `rota remind` as a user runs it: against a real SMTP server (aiosmtpd) on loopback.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use serde_json::Value;
use tempfile::TempDir;

use crate::support::*;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp_server.py");

/// A real SMTP server (tests/smtp_server.py) that stores what it accepts in a folder.
pub struct SmtpServer {
    child: Option<Child>,
    pub port: u16,
    pub dir: TempDir,
    /// Extra options of `smtp_server.py serve` (`--tls CERT KEY`, `--auth-fail`, `--delay S`).
    options: Vec<String>,
}

impl SmtpServer {
    pub fn start() -> Self {
        SmtpServer::start_with(&[])
    }

    /// A server started with extra options of `smtp_server.py serve`.
    pub fn start_with(options: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut server = SmtpServer {
            child: None,
            port: 0,
            dir,
            options: options.iter().map(|o| o.to_string()).collect(),
        };
        server.listen(0);
        server
    }

    fn listen(&mut self, port: u16) {
        require_python_modules();
        let mut child = Command::new("python3")
            .arg(SCRIPT)
            .arg("serve")
            .arg(self.dir.path())
            .args(["--port", &port.to_string()])
            .args(&self.options)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start python3 tests/smtp_server.py");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("server stdout"))
            .read_line(&mut line)
            .expect("read the server's port");
        self.port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the SMTP server did not start: {line:?}"));
        self.child = Some(child);
    }

    /// Takes the server down (connections are refused) until `restart`.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn restart(&mut self) {
        self.stop();
        let port = self.port;
        self.listen(port);
    }

    /// Makes the server answer `rule` ("451", "550" or "drop") for these recipients.
    pub fn treat(&self, rules: &[(&str, &str)]) {
        let map: serde_json::Map<String, Value> = rules
            .iter()
            .map(|(addr, rule)| (addr.to_string(), Value::from(*rule)))
            .collect();
        std::fs::write(
            self.dir.path().join("rules.json"),
            serde_json::to_vec(&map).unwrap(),
        )
        .unwrap();
    }

    /// Every message accepted so far, oldest first, parsed by Python's email package.
    pub fn messages(&self) -> Vec<Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        files.sort();
        parse_mail(&files)
    }

    pub fn smtp_config(&self) -> String {
        format!(
            "[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\n",
            self.port
        )
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn require_python_modules() {
    let ok = Command::new("python3")
        .args(["-c", "import aiosmtpd, icalendar"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "the reminder tests need python3 with aiosmtpd and icalendar: \
         `pip install aiosmtpd icalendar` or `apt-get install python3-aiosmtpd python3-icalendar`"
    );
}

pub fn parse_mail(files: &[PathBuf]) -> Vec<Value> {
    if files.is_empty() {
        return Vec::new();
    }
    let out = Command::new("python3")
        .arg(SCRIPT)
        .arg("parse")
        .args(files)
        .output()
        .expect("run the mail parser");
    assert!(
        out.status.success(),
        "cannot parse the mail: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    match serde_json::from_slice(&out.stdout).expect("parser JSON") {
        Value::Array(messages) => messages,
        other => panic!("unexpected parser output {other}"),
    }
}

/// A weekday support duty in Berlin, handed round Ana (Bucharest), Zoë (São Paulo) and Kenji
/// (Tokyo) from Monday 7 December 2026: Mon Ana, Tue Zoë, Wed Kenji, Thu Ana, Fri Zoë.
pub fn config(before: &str, extra: &str) -> String {
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
name = "Zoë Ñúñez, \"the hero\""
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
shift = "09:00-17:00"

[remind]
before = "{before}"
from = "Support rota <rota@example.com>"

{extra}
"#
    )
}

pub fn state(p: &Project) -> Value {
    serde_json::from_slice(&std::fs::read(p.file(".rota/state.json")).expect("state file"))
        .expect("state JSON")
}

pub fn recipients(messages: &[Value]) -> Vec<String> {
    messages
        .iter()
        .map(|m| m["to"].as_str().unwrap().to_owned())
        .collect()
}

pub fn remind(p: &Project, now: &str, code: i32) -> (String, String) {
    let out = p
        .rota()
        .args(["remind", "--now", now])
        .output()
        .expect("run rota");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert_eq!(
        out.status.code(),
        Some(code),
        "rota remind --now {now}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    (stdout, stderr)
}

#[test]
fn a_reminder_gives_the_turn_in_the_persons_zone_and_the_teams_with_an_ics() {
    let server = SmtpServer::start();
    let p = Project::new(&config("24h", &server.smtp_config()));
    let (stdout, _) = remind(&p, "2026-12-06T10:00", 0);
    assert!(
        stdout.contains("sent to Ana Popescu <ana@example.com>"),
        "{stdout}"
    );

    let mail = server.messages();
    assert_eq!(recipients(&mail), ["ana@example.com"]);
    let m = &mail[0];
    assert_eq!(m["from"], "Support rota <rota@example.com>");
    assert_eq!(m["to_name"], "Ana Popescu");
    assert_eq!(
        m["subject"],
        "Your support-hero turn starts tomorrow, Mon 7 Dec 10:00 EET"
    );
    let text = m["text"].as_str().unwrap();
    assert!(text.contains("Your time (Europe/Bucharest)"), "{text}");
    assert!(text.contains("starts  Mon 7 Dec 2026 10:00 EET"), "{text}");
    assert!(text.contains("ends    Mon 7 Dec 2026 18:00 EET"), "{text}");
    assert!(text.contains("The team's time (Europe/Berlin)"), "{text}");
    assert!(text.contains("starts  Mon 7 Dec 2026 09:00 CET"), "{text}");
    assert!(text.contains("You hand over to: Zoë Ñúñez"), "{text}");
    assert!(
        m["date"]
            .as_str()
            .unwrap()
            .contains("6 Dec 2026 09:00:00 +0000")
    );

    let ics = &m["attachments"][0];
    assert_eq!(ics["content_type"], "text/calendar");
    assert_eq!(ics["filename"], "support-hero-2026-12-07.ics");
    assert_eq!(ics["events"][0]["start"], "2026-12-07T08:00:00+00:00");
    assert_eq!(ics["events"][0]["end"], "2026-12-07T16:00:00+00:00");

    let sent = &state(&p)["sent"];
    assert_eq!(sent[0]["turn"], "2026-12-07-support-hero");
    assert_eq!(sent[0]["person"], "ana");
    assert_eq!(sent[0]["rotation"], "support-hero");
    assert_eq!(sent[0]["turn_start"], "2026-12-07T08:00:00Z");
}

#[test]
fn non_ascii_and_quoted_names_arrive_intact_and_add_no_headers() {
    let server = SmtpServer::start();
    let p = Project::new(&config("24h", &server.smtp_config()));
    remind(&p, "2026-12-07T12:00", 0);
    let mail = server.messages();
    assert_eq!(recipients(&mail), ["zoe@example.com"]);
    let m = &mail[0];
    assert_eq!(m["to_name"], "Zoë Ñúñez, \"the hero\"");
    // 09:00 in Berlin is 05:00 in São Paulo, where the turn is the next local day.
    assert_eq!(
        m["subject"],
        "Your support-hero turn starts tomorrow, Tue 8 Dec 05:00 -03"
    );
    let text = m["text"].as_str().unwrap();
    assert!(text.contains("Hello Zoë Ñúñez"), "{text}");
    assert!(text.contains("Handing over to you: Ana Popescu"), "{text}");
    assert!(text.contains("You hand over to: Kenji Watanabe"), "{text}");
    let headers: Vec<&str> = m["header_names"]
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
}

#[test]
fn hourly_runs_send_each_reminder_once_exactly_a_lead_time_ahead() {
    let server = SmtpServer::start();
    let p = Project::new(&config("24h", &server.smtp_config()));
    // Three days of hourly runs from Sunday: the turns of Mon, Tue and Wed come due.
    let start = chrono::DateTime::parse_from_rfc3339("2026-12-06T00:00:00Z").unwrap();
    for hour in 0..72 {
        let now = (start + chrono::TimeDelta::hours(hour)).to_rfc3339();
        remind(&p, &now, 0);
    }
    let mail = server.messages();
    assert_eq!(
        recipients(&mail),
        ["ana@example.com", "zoe@example.com", "kenji@example.com"]
    );
    // Each went out on the first run that saw it: exactly 24 h before 08:00 UTC.
    let dates: Vec<&str> = mail.iter().map(|m| m["date"].as_str().unwrap()).collect();
    assert_eq!(
        dates,
        [
            "Sun, 06 Dec 2026 08:00:00 +0000",
            "Mon, 07 Dec 2026 08:00:00 +0000",
            "Tue, 08 Dec 2026 08:00:00 +0000"
        ]
    );
}

#[test]
fn a_run_after_missed_days_sends_what_has_not_started_and_nothing_twice() {
    let server = SmtpServer::start();
    let p = Project::new(&config("48h", &server.smtp_config()));
    remind(&p, "2026-12-04T12:00", 0);
    assert!(server.messages().is_empty());
    // Cron was down from Friday to Monday noon: Monday's turn has started, Tuesday's and
    // Wednesday's have not.
    remind(&p, "2026-12-07T12:00", 0);
    assert_eq!(
        recipients(&server.messages()),
        ["zoe@example.com", "kenji@example.com"]
    );
    remind(&p, "2026-12-07T13:00", 0);
    assert_eq!(server.messages().len(), 2);
}

#[test]
fn concurrent_runs_send_each_reminder_once() {
    let server = SmtpServer::start();
    let p = Project::new(&config("72h", &server.smtp_config()));
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("rota"));
            cmd.current_dir(p.path())
                .env("NO_COLOR", "1")
                .env_remove("ROTA_CONFIG")
                .args(["remind", "--now", "2026-12-06T10:00"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut sent_lines = 0;
    for run in runs {
        let out = run.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        sent_lines += String::from_utf8_lossy(&out.stdout)
            .matches("sent to")
            .count();
    }
    let mut to = recipients(&server.messages());
    to.sort();
    assert_eq!(
        to,
        ["ana@example.com", "kenji@example.com", "zoe@example.com"]
    );
    assert_eq!(sent_lines, 3);
    assert_eq!(state(&p)["sent"].as_array().unwrap().len(), 3);
}

#[test]
fn a_server_outage_fails_the_run_and_the_next_run_delivers() {
    let mut server = SmtpServer::start();
    let p = Project::new(&config("24h", &server.smtp_config()));
    server.stop();
    let (_, stderr) = remind(&p, "2026-12-06T10:00", 1);
    assert!(
        stderr.contains("could not deliver the reminder to Ana Popescu <ana@example.com>"),
        "{stderr}"
    );
    assert!(stderr.contains("the next run retries it"), "{stderr}");
    assert!(
        !p.file(".rota/state.json").exists() || state(&p)["sent"].as_array().unwrap().is_empty()
    );

    server.restart();
    remind(&p, "2026-12-06T11:00", 0);
    let mail = server.messages();
    assert_eq!(recipients(&mail), ["ana@example.com"]);
    assert!(mail[0]["date"].as_str().unwrap().contains("10:00:00 +0000"));
    remind(&p, "2026-12-06T12:00", 0);
    assert_eq!(server.messages().len(), 1);
}

#[test]
fn refused_for_now_is_retried_and_rejected_for_good_is_not_while_the_others_go_out() {
    let server = SmtpServer::start();
    let p = Project::new(&config("72h", &server.smtp_config()));
    server.treat(&[("ana@example.com", "451"), ("zoe@example.com", "550")]);
    let (stdout, stderr) = remind(&p, "2026-12-06T10:00", 1);
    assert_eq!(recipients(&server.messages()), ["kenji@example.com"]);
    assert!(stdout.contains("sent to Kenji Watanabe"), "{stdout}");
    assert!(
        stderr.contains("refused it for now") && stderr.contains("451"),
        "{stderr}"
    );
    assert!(
        stderr.contains("rejected it") && stderr.contains("550"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 of 3 reminders not delivered"),
        "{stderr}"
    );
    assert!(stderr.contains("rejected for good"), "{stderr}");

    // The next hours: the 451 goes out once the server takes it; the 550 is not tried again,
    // but every run says so (and exits 1) until the address is fixed.
    server.treat(&[]);
    let (stdout, stderr) = remind(&p, "2026-12-06T11:00", 1);
    assert_eq!(
        recipients(&server.messages()),
        ["kenji@example.com", "ana@example.com"]
    );
    assert!(
        stdout.contains("rejected for good, not sent again"),
        "{stdout}"
    );
    assert!(stderr.contains("550"), "{stderr}");
    remind(&p, "2026-12-06T12:00", 1);
    assert_eq!(server.messages().len(), 2);

    // A corrected address is a new recipient: its reminder goes out.
    let fixed = std::fs::read_to_string(p.file("rotation.toml"))
        .unwrap()
        .replace("zoe@example.com", "zoe.nunez@example.com");
    std::fs::write(p.file("rotation.toml"), fixed).unwrap();
    remind(&p, "2026-12-06T13:00", 0);
    assert_eq!(
        recipients(&server.messages()),
        [
            "kenji@example.com",
            "ana@example.com",
            "zoe.nunez@example.com"
        ]
    );
    remind(&p, "2026-12-06T14:00", 0);
    assert_eq!(server.messages().len(), 3);
}

#[test]
fn a_connection_dropped_mid_message_is_retried() {
    let server = SmtpServer::start();
    let p = Project::new(&config("24h", &server.smtp_config()));
    server.treat(&[("ana@example.com", "drop")]);
    let (_, stderr) = remind(&p, "2026-12-06T10:00", 1);
    assert!(stderr.contains("could not deliver"), "{stderr}");
    assert!(server.messages().is_empty());
    server.treat(&[]);
    remind(&p, "2026-12-06T11:00", 0);
    assert_eq!(recipients(&server.messages()), ["ana@example.com"]);
}

#[test]
fn without_smtp_reminders_are_written_to_the_outbox_once() {
    let p = Project::new(&config("24h", ""));
    let (stdout, _) = remind(&p, "2026-12-06T10:00", 0);
    assert!(
        stdout.contains("for Ana Popescu <ana@example.com>"),
        "{stdout}"
    );
    let outbox = p.file(".rota/outbox");
    let file = outbox.join("20261207T080000Z-support-hero-ana.eml");
    let mail = parse_mail(std::slice::from_ref(&file));
    assert_eq!(mail[0]["to"], "ana@example.com");
    assert_eq!(mail[0]["attachments"][0]["content_type"], "text/calendar");
    remind(&p, "2026-12-06T11:00", 0);
    assert_eq!(std::fs::read_dir(&outbox).unwrap().count(), 1);
    assert_eq!(state(&p)["sent"].as_array().unwrap().len(), 1);
}

#[test]
fn dry_run_prints_what_would_be_sent_and_changes_nothing() {
    let server = SmtpServer::start();
    let p = Project::new(&config("24h", &server.smtp_config()));
    let stdout = p.run(&["remind", "--dry-run", "--now", "2026-12-06T10:00"], 0);
    assert!(
        stdout.contains(
            "would send to Ana Popescu <ana@example.com>: Your support-hero turn starts tomorrow, Mon 7 Dec 10:00 EET"
        ),
        "{stdout}"
    );
    assert!(server.messages().is_empty());
    assert!(!p.file(".rota").exists());
    let quiet = p.run(&["remind", "--dry-run", "--now", "2026-12-05T10:00"], 0);
    assert!(quiet.contains("no reminders due"), "{quiet}");
}

#[test]
fn a_corrupt_state_file_is_an_error_and_nothing_is_sent() {
    let server = SmtpServer::start();
    let p = Project::new(&config("24h", &server.smtp_config()));
    std::fs::create_dir_all(p.file(".rota")).unwrap();
    for damaged in [
        "{\"version\": 1, \"sent\": [",
        "{\"version\": 7, \"sent\": []}",
    ] {
        std::fs::write(p.file(".rota/state.json"), damaged).unwrap();
        let (_, stderr) = remind(&p, "2026-12-06T10:00", 1);
        assert!(stderr.contains(".rota/state.json"), "{stderr}");
        assert!(stderr.contains("nothing was sent"), "{stderr}");
        assert!(server.messages().is_empty());
        assert_eq!(
            std::fs::read_to_string(p.file(".rota/state.json")).unwrap(),
            damaged
        );
    }
}

#[test]
fn clear_text_smtp_to_a_remote_host_is_refused() {
    let p = Project::new(&config(
        "24h",
        "[smtp]\nhost = \"smtp.example.com\"\nport = 25\nsecurity = \"none\"\n",
    ));
    let stderr = p.run_err(&["remind", "--now", "2026-12-06T10:00"], 2);
    assert!(stderr.contains("clear text"), "{stderr}");
    assert!(!p.file(".rota").exists());
}

#[test]
fn a_missing_password_variable_is_named_and_a_password_never_printed() {
    let server = SmtpServer::start();
    let smtp = format!(
        "{}username = \"rota\"\npassword_env = \"ROTA_TEST_SMTP_PASSWORD\"\n",
        server.smtp_config()
    );
    let p = Project::new(&config("24h", &smtp));
    let stderr = p.run_err(&["remind", "--now", "2026-12-06T10:00"], 2);
    assert!(stderr.contains("ROTA_TEST_SMTP_PASSWORD"), "{stderr}");
    assert!(server.messages().is_empty());

    // The test server offers no login over clear text: delivery fails, the password stays secret.
    let out = p
        .rota()
        .env("ROTA_TEST_SMTP_PASSWORD", "s3cret-Pa55")
        .args(["remind", "--now", "2026-12-06T10:00"])
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("s3cret-Pa55"), "{all}");
}

#[test]
fn people_without_an_address_are_warned_about_not_failed() {
    let server = SmtpServer::start();
    let text = config("24h", &server.smtp_config()).replace("email = \"ana@example.com\"\n", "");
    let p = Project::new(&text);
    let (_, stderr) = remind(&p, "2026-12-06T10:00", 0);
    assert!(
        stderr.contains("Ana Popescu (ana) has no email address"),
        "{stderr}"
    );
    assert!(server.messages().is_empty());
}

#[test]
fn starttls_is_required_so_a_server_without_it_gets_nothing_in_clear_text() {
    let server = SmtpServer::start();
    let smtp = format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"starttls\"\n",
        server.port
    );
    let p = Project::new(&config("24h", &smtp));
    let (_, stderr) = remind(&p, "2026-12-06T10:00", 1);
    assert!(stderr.contains("could not deliver"), "{stderr}");
    assert!(stderr.to_lowercase().contains("starttls"), "{stderr}");
    assert!(server.messages().is_empty());
}

#[test]
fn json_output_lists_each_email_with_its_outcome() {
    let server = SmtpServer::start();
    let p = Project::new(&config("72h", &server.smtp_config()));
    server.treat(&[("zoe@example.com", "451")]);
    let out = p
        .rota()
        .args(["remind", "--now", "2026-12-06T10:00", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(report["now"], "2026-12-06T09:00:00Z");
    assert_eq!(report["dry_run"], false);
    assert_eq!(report["delivered"], 2);
    assert_eq!(report["failed"], 1);
    let emails = report["emails"].as_array().unwrap();
    let summary: Vec<(&str, &str, &str)> = emails
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
        summary,
        [
            ("reminder", "ana@example.com", "sent"),
            ("reminder", "zoe@example.com", "failed"),
            ("reminder", "kenji@example.com", "sent"),
        ]
    );
    assert!(emails[1]["error"].as_str().unwrap().contains("451"));
    assert_eq!(emails[0]["name"], "Ana Popescu");
    assert!(emails[0]["message_id"].as_str().unwrap().starts_with('<'));

    let dry = p.json(&[
        "remind",
        "--dry-run",
        "--now",
        "2026-12-06T11:00",
        "--format",
        "json",
    ]);
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["emails"][0]["to"], "zoe@example.com");
    assert_eq!(dry["emails"][0]["status"], "would-send");
}

#[test]
fn a_state_file_of_the_previous_format_still_prevents_a_second_reminder() {
    let server = SmtpServer::start();
    let p = Project::new(&config("24h", &server.smtp_config()));
    std::fs::create_dir_all(p.file(".rota")).unwrap();
    std::fs::write(
        p.file(".rota/state.json"),
        r#"{"version":1,"sent":[{"rotation":"support-hero","person":"ana",
            "turn_start":"2026-12-07T08:00:00Z","sent_at":"2026-12-06T09:00:00Z"}]}"#,
    )
    .unwrap();
    remind(&p, "2026-12-06T10:00", 0);
    assert!(server.messages().is_empty(), "Ana was reminded twice");
}
