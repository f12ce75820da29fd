//! `rota remind` against servers and file systems that fail: a login refused, a server that
//! never answers or is slow, a private CA, a full or read-only state folder, a clock that
//! jumps. Real servers on loopback, real (tiny tmpfs) file systems where `mount` is allowed.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::remind::{SmtpServer, config, recipients, remind, state};
use crate::support::*;

/// Three reminders are due at this instant with a 72 h lead time (Mon Ana, Tue Zoë, Wed Kenji).
const NOW: &str = "2026-12-06T10:00";

fn plain_smtp(port: u16, extra: &str) -> String {
    format!("[smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\n{extra}")
}

#[test]
fn a_refused_login_ends_the_run_at_once_with_one_attempt() {
    let server = SmtpServer::start_with(&["--auth-fail"]);
    let smtp = plain_smtp(
        server.port,
        "username = \"rota\"\npassword_env = \"ROTA_TEST_PASSWORD\"\n",
    );
    let p = Project::new(&config("72h", &smtp));
    let out = p
        .rota()
        .env("ROTA_TEST_PASSWORD", "wrong")
        .args(["remind", "--now", NOW])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("refused the login as `rota`"), "{stderr}");
    assert!(stderr.contains("password_env"), "{stderr}");
    assert!(
        !stderr.contains("wrong"),
        "the password is not printed: {stderr}"
    );
    let attempts = std::fs::read_to_string(server.dir.path().join("auth.log")).unwrap();
    assert_eq!(attempts.lines().count(), 1, "one login attempt per run");
    assert!(server.messages().is_empty());
}

#[test]
fn a_server_that_never_answers_costs_one_timeout_per_run_in_plain_words() {
    // Accepts connections and never says a word.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let _held = std::thread::spawn(move || {
        let mut open = Vec::new();
        for stream in listener.incoming() {
            open.push(stream);
        }
    });
    let p = Project::new(&config("72h", &plain_smtp(port, "timeout = \"2s\"\n")));
    let started = Instant::now();
    let (_, stderr) = remind(&p, NOW, 1);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "took {:?}",
        started.elapsed()
    );
    assert!(stderr.contains("did not answer within 2 s"), "{stderr}");
    assert!(!stderr.contains("os error 11"), "{stderr}");
    assert!(stderr.contains("2 more emails not attempted"), "{stderr}");
    assert!(
        stderr.contains("3 of 3 reminders not delivered"),
        "{stderr}"
    );
    assert!(
        !p.file(".rota/state.json").exists() || state(&p)["sent"].as_array().unwrap().is_empty(),
        "nothing recorded"
    );
}

#[test]
fn a_run_stops_at_its_deadline_and_the_next_run_sends_the_rest() {
    let server = SmtpServer::start_with(&["--delay", "1.5"]);
    let text = config("72h", &plain_smtp(server.port, ""))
        .replace("[remind]\n", "[remind]\ndeadline = \"1s\"\n");
    let p = Project::new(&text);
    let (_, stderr) = remind(&p, NOW, 1);
    assert!(stderr.contains("deadline"), "{stderr}");
    let first = server.messages().len();
    assert!((1..3).contains(&first), "{first} sent before the deadline");
    let mut runs = 0;
    while server.messages().len() < 3 && runs < 5 {
        let _ = p.rota().args(["remind", "--now", NOW]).output();
        runs += 1;
    }
    assert_eq!(
        recipients(&server.messages()),
        ["ana@example.com", "zoe@example.com", "kenji@example.com"]
    );
}

/// A private CA and a certificate for 127.0.0.1 it signed, made with the openssl program.
struct PrivateCa {
    dir: tempfile::TempDir,
}

impl PrivateCa {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let run = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(dir.path())
                .output()
                .expect("the TLS tests need the openssl program (apt-get install openssl)");
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        run(&[
            &["req", "-x509"][..],
            &ec,
            &[
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "2",
                "-subj",
                "/CN=rota test CA",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
        ]
        .concat());
        run(&[
            &["req"][..],
            &ec,
            &[
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=127.0.0.1",
            ],
        ]
        .concat());
        std::fs::write(
            dir.path().join("ext.cnf"),
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        run(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ]);
        PrivateCa { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }
}

fn starttls(port: u16, extra: &str) -> String {
    format!("[smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"starttls\"\n{extra}")
}

#[test]
fn starttls_to_a_relay_with_a_private_ca_works_with_ca_file_and_is_refused_without() {
    let ca = PrivateCa::new();
    let server = SmtpServer::start_with(&["--tls", &ca.path("server.pem"), &ca.path("server.key")]);

    let p = Project::new(&config("24h", &starttls(server.port, "")));
    let (_, stderr) = remind(&p, NOW, 1);
    assert!(stderr.contains("is not trusted"), "{stderr}");
    assert!(stderr.contains("ca_file"), "{stderr}");
    assert!(server.messages().is_empty());

    std::fs::copy(ca.path("ca.pem"), p.file("company-ca.pem")).unwrap();
    let fixed = config(
        "24h",
        &starttls(server.port, "ca_file = \"company-ca.pem\"\n"),
    );
    std::fs::write(p.file("rotation.toml"), fixed).unwrap();
    p.run(&["validate"], 0);
    remind(&p, NOW, 0);
    assert_eq!(recipients(&server.messages()), ["ana@example.com"]);
}

#[test]
fn ssl_cert_file_is_trusted_too() {
    let ca = PrivateCa::new();
    let server = SmtpServer::start_with(&["--tls", &ca.path("server.pem"), &ca.path("server.key")]);
    let p = Project::new(&config("24h", &starttls(server.port, "")));
    let out = p
        .rota()
        .env("SSL_CERT_FILE", ca.path("ca.pem"))
        .args(["remind", "--now", NOW])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(recipients(&server.messages()), ["ana@example.com"]);
}

#[test]
fn a_ca_file_that_is_not_a_certificate_is_a_clear_error_before_anything_is_sent() {
    let server = SmtpServer::start();
    let p = Project::new(&config(
        "24h",
        &starttls(server.port, "ca_file = \"ca.pem\"\n"),
    ));
    std::fs::write(p.file("ca.pem"), "not a certificate\n").unwrap();
    let err = p.run_err(&["remind", "--now", NOW], 2);
    assert!(err.contains("holds no PEM certificate"), "{err}");
    std::fs::remove_file(p.file("ca.pem")).unwrap();
    let err = p.run_err(&["remind", "--now", NOW], 2);
    assert!(err.contains("cannot read [smtp] ca_file"), "{err}");
    assert!(server.messages().is_empty());
}

/// A file system mounted at `at` for a test, unmounted when dropped; None where this machine
/// does not let the tests mount (not root, or no mount permission in a container).
struct Mount {
    at: PathBuf,
}

impl Mount {
    fn tmpfs(at: &Path, size: &str) -> Option<Mount> {
        std::fs::create_dir_all(at).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Mount {
            at: at.to_path_buf(),
        })
    }

    fn bind(file: &Path, at: &Path) -> Option<Mount> {
        let ok = Command::new("mount")
            .arg("--bind")
            .arg(file)
            .arg(at)
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Mount {
            at: at.to_path_buf(),
        })
    }

    fn read_only(&self) {
        let ok = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.at)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "remount read-only");
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.at).status();
    }
}

#[test]
fn a_full_disk_sends_nothing_and_says_the_disk_is_full() {
    let server = SmtpServer::start();
    let p = Project::new(&config("72h", &plain_smtp(server.port, "")));
    let Some(_disk) = Mount::tmpfs(&p.file(".rota"), "12k") else {
        eprintln!("skipped: this machine does not let the tests mount a tmpfs");
        return;
    };
    // The lock file fits; then the disk is filled up.
    std::fs::write(p.file(".rota/state.json.lock"), "").unwrap();
    let _ = std::fs::write(p.file(".rota/filler"), vec![0u8; 64 * 1024]);
    for _ in 0..5 {
        let (_, stderr) = remind(&p, NOW, 1);
        assert!(stderr.contains("the disk is full"), "{stderr}");
        assert!(!stderr.contains("permission"), "{stderr}");
    }
    assert!(
        server.messages().is_empty(),
        "nothing sent, so nothing sent twice"
    );
}

#[test]
fn a_read_only_state_folder_with_a_writable_lock_sends_nothing() {
    let server = SmtpServer::start();
    let p = Project::new(&config("72h", &plain_smtp(server.port, "")));
    let Some(folder) = Mount::tmpfs(&p.file(".rota"), "1m") else {
        eprintln!("skipped: this machine does not let the tests mount a tmpfs");
        return;
    };
    std::fs::write(p.file(".rota/state.json.lock"), "").unwrap();
    folder.read_only();
    let writable = tempfile::NamedTempFile::new().unwrap();
    let Some(_lock) = Mount::bind(writable.path(), &p.file(".rota/state.json.lock")) else {
        eprintln!("skipped: this machine does not let the tests bind-mount");
        return;
    };
    for _ in 0..3 {
        let (_, stderr) = remind(&p, NOW, 1);
        assert!(stderr.contains("read-only"), "{stderr}");
        assert!(stderr.contains("nothing was sent"), "{stderr}");
    }
    assert!(server.messages().is_empty());
}

#[test]
fn a_state_path_that_cannot_be_a_file_sends_nothing() {
    // Works without mounting: the state's folder is a regular file.
    let server = SmtpServer::start();
    let text = config("72h", &plain_smtp(server.port, ""))
        .replace("[remind]\n", "[remind]\nstate = \"blocker/state.json\"\n");
    let p = Project::new(&text);
    std::fs::write(p.file("blocker"), "a file, not a folder").unwrap();
    let (_, stderr) = remind(&p, NOW, 1);
    assert!(stderr.contains("nothing was sent"), "{stderr}");
    assert!(server.messages().is_empty());
}

#[test]
fn a_run_far_in_the_future_does_not_make_past_reminders_go_out_again() {
    let server = SmtpServer::start();
    let p = Project::new(&config("72h", &plain_smtp(server.port, "")));
    remind(&p, NOW, 0);
    assert_eq!(server.messages().len(), 3);
    // A `--now` 45 days ahead (or a clock set wrong), then back to the real time.
    remind(&p, "2027-01-20T10:00", 0);
    let after_jump = server.messages().len();
    for now in [NOW, "2026-12-06T11:00", "2026-12-07T08:00"] {
        remind(&p, now, 0);
    }
    let mail = server.messages();
    assert_eq!(
        mail.len(),
        after_jump,
        "nothing sent twice: {:?}",
        recipients(&mail)
    );
    assert_eq!(
        recipients(&mail[..3]),
        ["ana@example.com", "zoe@example.com", "kenji@example.com"]
    );
}

#[test]
fn a_run_killed_mid_batch_is_carried_on_by_the_next_without_sending_twice() {
    // A slow server, so that the run is killed with some emails sent and some not.
    let server = SmtpServer::start_with(&["--delay", "0.3"]);
    let ids: Vec<String> = (0..12).map(|i| format!("p{i:02}")).collect();
    let people: String = ids
        .iter()
        .map(|id| {
            format!("[[person]]\nid = \"{id}\"\nname = \"{id}\"\nemail = \"{id}@example.com\"\n\n")
        })
        .collect();
    let members = ids
        .iter()
        .map(|id| format!("\"{id}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let p = Project::new(&format!(
        "[team]\nname = \"Acme\"\ntimezone = \"Europe/Berlin\"\nstart = 2027-01-01\n\n{people}\
         [[rotation]]\nname = \"desk\"\nmembers = [{members}]\nshift = \"09:00-17:00\"\n\n\
         [remind]\nfrom = \"Rota <rota@example.com>\"\n\n{}",
        server.smtp_config()
    ));
    p.rota()
        .args(["publish", "--month", "2027-01"])
        .assert()
        .success();
    let mut run = Command::new(assert_cmd::cargo::cargo_bin("rota"))
        .current_dir(p.path())
        .env("NO_COLOR", "1")
        .env_remove("ROTA_CONFIG")
        .args(["announce", "--month", "2027-01"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let waited = Instant::now();
    while server.messages().len() < 4 {
        assert!(
            waited.elapsed() < Duration::from_secs(60),
            "the server got too little"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // SIGKILL: no chance to write anything more.
    run.kill().unwrap();
    run.wait().unwrap();
    let before = server.messages().len();
    assert!(before < ids.len(), "killed before the end ({before} sent)");

    p.rota()
        .args(["announce", "--month", "2027-01"])
        .assert()
        .success();
    let mut to = recipients(&server.messages());
    to.sort();
    let mut once = to.clone();
    once.dedup();
    let everyone: Vec<String> = ids.iter().map(|id| format!("{id}@example.com")).collect();
    assert_eq!(once, everyone, "everyone got their month");
    // At most the one email in flight when the run was killed (accepted, not yet recorded)
    // goes out twice; the others the killed run sent are not sent again.
    assert!(to.len() <= ids.len() + 1, "sent twice: {to:?}");
    p.rota()
        .args(["announce", "--month", "2027-01"])
        .assert()
        .success()
        .stdout(predicates::str::contains("already announced to everyone"));
    assert_eq!(server.messages().len(), to.len());
}
