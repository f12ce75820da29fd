//! `rota sync` against a real CalDAV server: Radicale, started on a free loopback port with
//! its storage in a temporary folder. What the server holds is read back with Python's
//! `icalendar` package from Radicale's storage, and Radicale's log shows every write.

use std::collections::BTreeMap;
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::*;

struct Radicale {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Radicale {
    fn start() -> Self {
        let ready = Command::new("python3")
            .args(["-c", "import radicale, icalendar"])
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            ready,
            "Radicale and icalendar are needed: `pip install radicale icalendar` (.ci/run installs them)"
        );
        let dir = tempfile::tempdir().expect("temp dir");
        // A free port: bound by the system, then handed to Radicale.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let config = format!(
            "[server]\nhosts = 127.0.0.1:{port}\n[auth]\ntype = none\n[rights]\ntype = authenticated\n\
             [storage]\nfilesystem_folder = {}\n[logging]\nlevel = info\n",
            dir.path().join("storage").display()
        );
        std::fs::write(dir.path().join("config"), config).expect("write config");
        let log = std::fs::File::create(dir.path().join("log")).expect("log");
        let child = Command::new("python3")
            .args(["-m", "radicale", "--config"])
            .arg(dir.path().join("config"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start radicale");
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "Radicale did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Radicale { child, port, dir }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/rota/", self.port)
    }

    /// How many requests of `method` Radicale has logged.
    fn requests(&self, method: &str) -> usize {
        let log = std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default();
        log.matches(&format!("{method} request for")).count()
    }

    fn writes(&self) -> usize {
        ["PUT", "DELETE", "MKCALENDAR", "MKCOL", "PROPPATCH"]
            .iter()
            .map(|m| self.requests(m))
            .sum()
    }

    fn collection(&self, name: &str) -> PathBuf {
        self.dir
            .path()
            .join("storage/collection-root/rota")
            .join(name)
    }

    /// The events a collection holds, read by Python's icalendar: UID → (summary, sequence,
    /// start, alarms).
    fn events(&self, name: &str) -> BTreeMap<String, (String, u64, String, u64)> {
        let dir = self.collection(name);
        if !dir.exists() {
            return BTreeMap::new();
        }
        let script = r#"
import icalendar, json, os, sys
out = {}
for name in sorted(os.listdir(sys.argv[1])):
    if not name.endswith(".ics"):
        continue
    with open(os.path.join(sys.argv[1], name), "rb") as f:
        cal = icalendar.Calendar.from_ical(f.read())
    for e in cal.walk("VEVENT"):
        out[str(e["UID"])] = [str(e["SUMMARY"]), int(e.get("SEQUENCE", 0)),
                              e.decoded("DTSTART").strftime("%Y-%m-%dT%H:%M:%SZ"),
                              len(e.walk("VALARM"))]
json.dump(out, sys.stdout)
"#;
        let out = Command::new("python3")
            .args(["-c", script])
            .arg(&dir)
            .output()
            .expect("python3");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let parsed: BTreeMap<String, Value> = serde_json::from_slice(&out.stdout).expect("json");
        parsed
            .into_iter()
            .map(|(uid, v)| {
                (
                    uid,
                    (
                        v[0].as_str().unwrap().to_string(),
                        v[1].as_u64().unwrap(),
                        v[2].as_str().unwrap().to_string(),
                        v[3].as_u64().unwrap(),
                    ),
                )
            })
            .collect()
    }
}

impl Drop for Radicale {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const CONFIG: &str = r#"
[team]
name = "Acme Support"
timezone = "Europe/Berlin"
start = 2026-11-02

[[person]]
id = "ana"
name = "Ana Popescu"

[[person]]
id = "sarah"
name = "Sarah O'Neill, Esq."

[[person]]
id = "bob"
name = "Bob Stone"

[[rotation]]
name = "support-hero"
members = ["ana", "sarah", "bob"]
days = "mon-fri"
shift = "09:00-17:00"
"#;

fn caldav(url: &str) -> String {
    format!(
        "\n[caldav]\nurl = \"{url}\"\nusername = \"rota\"\npassword_env = \"TEST_CALDAV_PASSWORD\"\n"
    )
}

fn sync(p: &Project, code: i32) -> (String, String) {
    sync_with(p, &[], code)
}

fn sync_with(p: &Project, extra: &[&str], code: i32) -> (String, String) {
    let out = p
        .rota()
        .args(["sync", "--month", "2026-12"])
        .args(extra)
        .env("TEST_CALDAV_PASSWORD", "secret")
        .output()
        .expect("run rota");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert_eq!(out.status.code(), Some(code), "{stdout}\n{stderr}");
    (stdout, stderr)
}

/// The UIDs of a feed `rota export` writes for the same period, read from the file.
fn exported_uids(p: &Project, file: &str) -> Vec<String> {
    p.run(&["export", "--month", "2026-12", "--out", "exported"], 0);
    let text = std::fs::read_to_string(p.file("exported").join(file)).expect("feed");
    let mut uids: Vec<String> = text
        .replace("\r\n ", "")
        .lines()
        .filter_map(|l| l.strip_prefix("UID:").map(str::to_string))
        .collect();
    uids.sort();
    uids
}

fn keys<V>(map: &BTreeMap<String, V>) -> Vec<String> {
    map.keys().cloned().collect()
}

#[test]
fn collections_hold_exactly_the_feeds_through_hand_overs_removals_and_server_edits() {
    let server = Radicale::start();
    let p = Project::new(&format!("{CONFIG}{}", caldav(&server.url())));

    // First sync: a collection per feed, a resource per event.
    let (stdout, _) = sync(&p, 0);
    assert!(stdout.contains("0 updated, 0 deleted"), "{stdout}");
    let team = server.events("team");
    assert_eq!(keys(&team), exported_uids(&p, "team.ics"));
    assert_eq!(
        keys(&server.events("person-ana")),
        exported_uids(&p, "person-ana.ics")
    );
    assert!(
        team.values().all(|e| e.1 == 0 && e.3 == 0),
        "no alarms in the team feed"
    );
    let ana = server.events("person-ana");
    assert!(
        ana.values().all(|e| e.3 == 1),
        "daily turns: each rings once"
    );

    // Nothing changed: the second sync reads and writes nothing.
    let writes = server.writes();
    let (stdout, _) = sync(&p, 0);
    assert!(
        stdout.contains("0 created, 0 updated, 0 deleted"),
        "{stdout}"
    );
    assert_eq!(server.writes(), writes, "a second sync writes nothing");

    // A hand-over: Ana is away on Wednesday 9 December; the slot goes to someone else, and its
    // event rises to SEQUENCE 1 in every collection that holds it.
    let away = CONFIG.replace(
        "name = \"Ana Popescu\"",
        "name = \"Ana Popescu\"\naway = [\"2026-12-09\"]",
    );
    std::fs::write(
        p.file("rotation.toml"),
        format!("{away}{}", caldav(&server.url())),
    )
    .unwrap();
    sync(&p, 0);
    let team = server.events("team");
    let (uid, slot) = team
        .iter()
        .find(|(uid, _)| uid.starts_with("2026-12-09-"))
        .expect("the slot of the 9th");
    assert!(!slot.0.starts_with("Ana"), "{slot:?}");
    assert_eq!(slot.1, 1);
    assert!(!server.events("person-ana").contains_key(uid));
    assert_eq!(keys(&team), exported_uids(&p, "team.ics"));
    for person in ["ana", "sarah", "bob"] {
        assert_eq!(
            keys(&server.events(&format!("person-{person}"))),
            exported_uids(&p, &format!("person-{person}.ics")),
            "{person}"
        );
    }

    // A removed person: Bob leaves; his collection is emptied.
    let without_bob = away
        .replace("[[person]]\nid = \"bob\"\nname = \"Bob Stone\"\n", "")
        .replace(", \"bob\"]", "]");
    std::fs::write(
        p.file("rotation.toml"),
        format!("{without_bob}{}", caldav(&server.url())),
    )
    .unwrap();
    sync(&p, 0);
    assert!(server.events("person-bob").is_empty());
    assert_eq!(keys(&server.events("team")), exported_uids(&p, "team.ics"));

    // A server-side edit, seen by its ETag: overwritten with the feed, and reported.
    let (uid, _) = server
        .events("person-ana")
        .into_iter()
        .next()
        .expect("an event");
    let file = std::fs::read_dir(server.collection("person-ana"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|f| f.extension().is_some_and(|x| x == "ics"))
        .find(|f| std::fs::read_to_string(f).unwrap().contains(&uid))
        .expect("the event's file");
    let edited = std::fs::read_to_string(&file)
        .unwrap()
        .replace("SUMMARY:Ana Popescu", "SUMMARY:Edited by hand");
    let name = file.file_name().unwrap().to_str().unwrap().to_string();
    let url = format!(
        "{}person-ana/{}",
        server.url(),
        name.replace('@', "%40").replace('+', "%2B")
    );
    ureq::put(&url)
        .set("Content-Type", "text/calendar")
        .send_string(&edited)
        .expect("edit on the server");
    assert!(
        server.events("person-ana")[&uid]
            .0
            .starts_with("Edited by hand")
    );
    let (_, stderr) = sync(&p, 0);
    assert!(
        stderr.contains("was changed on the server since the last sync; overwritten"),
        "{stderr}"
    );
    assert!(
        server.events("person-ana")[&uid]
            .0
            .starts_with("Ana Popescu")
    );

    // And once more nothing to do.
    let writes = server.writes();
    sync(&p, 0);
    assert_eq!(server.writes(), writes);
}

#[test]
fn prune_deletes_the_collections_of_people_and_rotations_gone_and_only_those_rota_wrote() {
    let server = Radicale::start();
    let with_night = format!(
        "{CONFIG}\n[[rotation]]\nname = \"night\"\nmembers = [\"ana\"]\nshift = \"22:00-06:00\"\n"
    );
    let p = Project::new(&format!("{with_night}{}", caldav(&server.url())));
    sync(&p, 0);
    assert!(!server.events("person-bob").is_empty());
    assert!(!server.events("rotation-night").is_empty());
    // A calendar of someone else's beside rota's, with an event in it.
    let stranger = format!("{}person-stranger/", server.url());
    ureq::request("MKCALENDAR", &stranger)
        .call()
        .expect("make a calendar by hand");
    let event = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n\
        UID:mine@example\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:20261202T100000Z\r\n\
        DTEND:20261202T110000Z\r\nSUMMARY:Mine\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    ureq::put(&format!("{stranger}mine.ics"))
        .set("Content-Type", "text/calendar")
        .send_string(event)
        .expect("an event by hand");

    // Bob leaves and the night rotation goes: one sync empties their collections, as without
    // --prune; the next, with it, deletes them.
    let without = CONFIG
        .replace("[[person]]\nid = \"bob\"\nname = \"Bob Stone\"\n", "")
        .replace(", \"bob\"]", "]");
    std::fs::write(
        p.file("rotation.toml"),
        format!("{without}{}", caldav(&server.url())),
    )
    .unwrap();
    sync(&p, 0);
    assert!(server.events("person-bob").is_empty());
    assert!(
        server.collection("person-bob").exists(),
        "emptied, not deleted"
    );
    let (stdout, _) = sync_with(&p, &["--prune"], 0);
    assert!(
        stdout.contains(
            "removed the collections of rotations and people no longer on the rota: person-bob, rotation-night"
        ),
        "{stdout}"
    );
    assert!(!server.collection("person-bob").exists());
    assert!(!server.collection("rotation-night").exists());
    assert!(server.collection("person-ana").exists());
    assert_eq!(
        keys(&server.events("person-stranger")),
        ["mine@example"],
        "a collection rota never wrote is left alone"
    );
    let state = std::fs::read_to_string(p.file(".rota/caldav.json")).unwrap();
    assert!(!state.contains("person-bob"), "{state}");

    // Pruned once: the next run has nothing to delete and writes nothing.
    let writes = server.writes();
    let (stdout, _) = sync_with(&p, &["--prune"], 0);
    assert!(!stdout.contains("removed"), "{stdout}");
    assert_eq!(server.writes(), writes);
}

#[test]
fn a_missing_password_variable_is_a_config_error_and_writes_nothing() {
    let p = Project::new(&format!("{CONFIG}{}", caldav("http://127.0.0.1:9/rota/")));
    let stderr = p.run_err(&["sync", "--month", "2026-12"], 2);
    assert!(stderr.contains("TEST_CALDAV_PASSWORD"), "{stderr}");
    let p = Project::new(CONFIG);
    let stderr = p.run_err(&["sync"], 2);
    assert!(stderr.contains("[caldav]"), "{stderr}");
}

#[test]
fn an_unreachable_server_is_reported_with_exit_1() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let p = Project::new(&format!(
        "{CONFIG}{}",
        caldav(&format!("http://127.0.0.1:{port}/rota/"))
    ));
    let (stdout, stderr) = sync(&p, 1);
    assert!(stderr.contains("cannot list"), "{stderr}");
    assert!(stdout.contains("writes failed"), "{stdout}");
}
