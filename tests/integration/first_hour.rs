//! What a newcomer meets first: init, finding the config, quiet runs and colours.

use crate::support::*;

fn empty() -> Project {
    let p = Project::new("");
    std::fs::remove_file(p.file("rotation.toml")).unwrap();
    p
}

#[test]
fn init_writes_a_starter_that_validates_and_checks_clean_this_month() {
    let p = empty();
    let out = p.run(&["init", "--timezone", "Asia/Kolkata"], 0);
    assert!(out.starts_with("wrote rotation.toml for "), "{out}");
    let text = std::fs::read_to_string(p.file("rotation.toml")).unwrap();
    assert!(text.contains("timezone = \"Asia/Kolkata\""), "{text}");
    assert!(
        text.lines().filter(|l| l.starts_with('#')).count() > 10,
        "not commented:\n{text}"
    );
    let summary = p.run(&["validate"], 0);
    assert!(summary.contains("ok — team"), "{summary}");
    // The default period of check is this month, which the default start covers.
    p.run(&["check"], 0);
    p.run(&["check", "--strict"], 0);
}

#[test]
fn init_never_overwrites_a_config() {
    let p = Project::new("# mine\n");
    let err = p.run_err(&["init"], 2);
    assert!(err.contains("already exists; nothing was written"), "{err}");
    assert!(err.contains("help:"), "{err}");
    assert_eq!(
        std::fs::read_to_string(p.file("rotation.toml")).unwrap(),
        "# mine\n"
    );
}

#[test]
fn init_takes_the_zone_from_tz_and_prefers_its_current_name() {
    let p = empty();
    let out = p
        .rota()
        .args(["init", "--name", "Night \"Owls\"", "--start", "2027-01-04"])
        .env("TZ", ":Asia/Calcutta")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(p.file("rotation.toml")).unwrap();
    assert!(text.contains("timezone = \"Asia/Kolkata\""), "{text}");
    assert!(text.contains("start = 2027-01-04"), "{text}");
    let summary = p.run(&["validate"], 0);
    assert!(summary.contains("team Night \"Owls\""), "{summary}");
}

#[test]
fn init_refuses_a_bad_start_or_name_without_writing() {
    let p = empty();
    let err = p.run_err(&["init", "--start", "2027-02-30"], 2);
    assert!(err.contains("not a date"), "{err}");
    let err = p.run_err(&["init", "--name", "two\nlines"], 2);
    assert!(err.contains("line break"), "{err}");
    assert!(!p.file("rotation.toml").exists());
}

#[test]
fn the_config_is_found_in_a_folder_above_and_its_paths_stay_relative_to_it() {
    let p = Project::new(&format!(
        "{}{}[[rotation]]\nname = \"r\"\nmembers = [\"ana\"]\nshift = \"09:00-17:00\"\n[remind]\nstate = \"state/sent.json\"\n",
        team("UTC", "2026-12-01"),
        person("ana", "UTC")
    ));
    let deep = p.file("a/b");
    std::fs::create_dir_all(&deep).unwrap();
    let out = p
        .rota()
        .current_dir(&deep)
        .arg("validate")
        .output()
        .unwrap();
    assert!(out.status.success());
    let line = String::from_utf8_lossy(&out.stdout);
    assert!(line.starts_with("../../rotation.toml: ok"), "{line}");
    let out = p
        .rota()
        .current_dir(&deep)
        .args(["remind", "--now", "2026-12-01T08:00:00Z"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        p.file("state/sent.json").exists(),
        "state not beside the config"
    );
    assert!(!deep.join("state").exists());
}

#[test]
fn without_a_config_the_error_names_every_folder_looked_in() {
    let p = empty();
    let deep = p.file("x/y");
    std::fs::create_dir_all(&deep).unwrap();
    if deep.ancestors().any(|d| d.join("rotation.toml").exists()) {
        return; // a rotation.toml above the temporary folder: nothing to test here
    }
    let out = p
        .rota()
        .current_dir(&deep)
        .arg("validate")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let deep = deep.canonicalize().unwrap();
    for folder in deep.ancestors() {
        assert!(
            err.contains(&folder.display().to_string()),
            "{folder:?} not named:\n{err}"
        );
    }
    assert!(err.contains("rota init"), "{err}");
}

#[test]
fn quiet_prints_nothing_and_keeps_the_exit_code() {
    let config = format!(
        "{}{}[[rotation]]\nname = \"r\"\nmembers = [\"ana\"]\ndays = \"mon-fri\"\nshift = \"09:00-17:00\"\n[[coverage]]\nwhen = \"always\"\n",
        team("UTC", "2026-12-01"),
        person("ana", "UTC")
    );
    let p = Project::new(&config);
    for args in [
        &["-q", "validate"][..],
        &["-q", "plan", "--month", "2026-12"],
        &["--quiet", "who", "--at", "2026-12-02T10:00"],
        &["-q", "export", "--month", "2026-12"],
        &["-q", "remind", "--dry-run", "--now", "2026-12-01T10:00"],
        &["validate", "--format", "json", "-q"],
    ] {
        assert_eq!(p.run(args, 0), "", "{args:?}");
    }
    assert!(
        p.file("calendar/team.ics").exists(),
        "quiet export still writes"
    );
    assert_eq!(p.run(&["-q", "check", "--month", "2026-12"], 1), "");
    let broken = Project::new("[team]\ntimezone = \"Nowhere\"\nstart = 2026-12-01\n");
    let err = broken.run_err(&["-q", "validate"], 2);
    assert!(
        err.contains("unknown time zone"),
        "errors still go to stderr:\n{err}"
    );
}

#[test]
fn colour_follows_the_flag_then_no_color_then_the_terminal() {
    let p = Project::new("[team]\ntimezone = \"Nowhere\"\nstart = 2026-12-01\n");
    let stderr = |args: &[&str], no_color: bool| {
        let mut cmd = p.rota();
        if !no_color {
            cmd.env_remove("NO_COLOR");
        }
        String::from_utf8(cmd.args(args).output().unwrap().stderr).unwrap()
    };
    assert!(stderr(&["--color", "always", "validate"], true).contains("\x1b["));
    assert!(stderr(&["--color", "always", "validate"], false).contains("\x1b["));
    assert!(!stderr(&["--color", "never", "validate"], false).contains('\x1b'));
    // Not a terminal: no colour unless forced.
    assert!(!stderr(&["validate"], false).contains('\x1b'));
    let good = Project::new(&format!(
        "{}{}[[rotation]]\nname = \"r\"\nmembers = [\"ana\"]\nshift = \"09:00-17:00\"\n",
        team("UTC", "2026-12-01"),
        person("ana", "UTC")
    ));
    let grid = |colour: &str| {
        good.run(
            &[
                "plan", "--month", "2026-12", "--format", "grid", "--color", colour,
            ],
            0,
        )
    };
    assert!(grid("always").contains("\x1b["));
    assert!(!grid("never").contains('\x1b'));
    assert!(!grid("auto").contains('\x1b'));
}

#[test]
fn config_errors_come_as_json_on_stdout_when_json_was_asked_for() {
    let p = Project::new("[team]\ntimezone = \"Europe/Bucharet\"\nstart = 2026-12-01\n");
    for args in [
        &["validate", "--format", "json"][..],
        &["plan", "--month", "2026-12", "--format", "json"],
        &["who", "--format", "json"],
        &["check", "--format", "json"],
    ] {
        let out = p.rota().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON errors");
        assert_eq!(json["ok"], false);
        let e = &json["errors"][0];
        assert_eq!(
            (e["line"].as_u64(), e["column"].as_u64()),
            (Some(2), Some(12))
        );
        assert_eq!(e["file"], "rotation.toml");
        assert!(e["help"].as_str().unwrap().contains("Europe/Bucharest"));
        assert!(String::from_utf8_lossy(&out.stderr).contains("rotation.toml:2:12"));
    }
    let out = p
        .rota()
        .args(["plan", "--month", "2026-12"])
        .output()
        .unwrap();
    assert!(out.stdout.is_empty(), "text commands keep stdout empty");
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    let v = empty().run(&["--version"], 0);
    let in_git = std::process::Command::new("git")
        .args(["rev-parse", "--short=10", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    assert!(
        v.starts_with(&format!("rota {}", env!("CARGO_PKG_VERSION"))),
        "{v}"
    );
    if let Some(commit) = in_git {
        // The binary may be a build or two behind HEAD in a busy checkout; it names a commit.
        assert!(
            v.contains(" (") && v.trim_end().ends_with(')'),
            "{v} (HEAD {commit})"
        );
    }
}
