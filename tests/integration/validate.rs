//! `rota validate` and config errors as a user meets them.

use crate::support::*;

const GOOD: &str = r#"
[team]
name = "Acme"
timezone = "Europe/Bucharest"
start = 2026-12-01

[[person]]
id = "ana"
name = "Ana Popescu"
email = "ana@acme.example"

[[person]]
id = "mehmet"
name = "Mehmet Yılmaz"
email = "mehmet@acme.example"
timezone = "Europe/Istanbul"

[[rotation]]
name = "support-hero"
members = ["ana", "mehmet"]
shift = "09:00-17:00"
"#;

#[test]
fn valid_config_prints_a_one_line_summary() {
    let p = Project::new(GOOD);
    let out = p.run(&["validate"], 0);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("ok"), "{out}");
    assert!(
        out.contains("2 people") && out.contains("1 rotation"),
        "{out}"
    );
}

/// Each broken config: the text, the line the error must point at, and words it must say.
const BROKEN: &[(&str, &str, usize, &[&str])] = &[
    (
        "misspelt zone",
        "[team]\ntimezone = \"Europe/Bucharet\"\nstart = 2026-12-01\n",
        2,
        &["unknown time zone", "did you mean `Europe/Bucharest`"],
    ),
    (
        "unknown key",
        "[team]\ntimezone = \"UTC\"\nstart = 2026-12-01\nstrat = 1\n",
        4,
        &["unknown key `strat` in [team]", "did you mean `start`"],
    ),
    (
        "unknown member",
        "[team]\ntimezone = \"UTC\"\nstart = 2026-12-01\n[[person]]\nid = \"ana\"\n[[rotation]]\nname = \"r\"\nmembers = [\"anna\"]\nshift = \"09:00-17:00\"\n",
        8,
        &["unknown person `anna`", "did you mean `ana`"],
    ),
    (
        "unknown rotation in override",
        "[team]\ntimezone = \"UTC\"\nstart = 2026-12-01\n[[person]]\nid = \"ana\"\n[[rotation]]\nname = \"emea\"\nmembers = [\"ana\"]\nshift = \"09:00-17:00\"\n[[override]]\nrotation = \"emae\"\nperson = \"ana\"\nfrom = 2026-12-02T09:00:00\nto = 2026-12-02T12:00:00\n",
        11,
        &["unknown rotation `emae`", "did you mean `emea`"],
    ),
    (
        "bad shift window",
        "[team]\ntimezone = \"UTC\"\nstart = 2026-12-01\n[[person]]\nid = \"ana\"\n[[rotation]]\nname = \"r\"\nmembers = [\"ana\"]\nshift = \"9am-5pm\"\n",
        9,
        &["not a time", "09:00-17:00"],
    ),
    (
        "bad day set",
        "[team]\ntimezone = \"UTC\"\nstart = 2026-12-01\n[[person]]\nid = \"ana\"\n[[rotation]]\nname = \"r\"\nmembers = [\"ana\"]\ndays = \"mon-fry\"\nshift = \"09:00-17:00\"\n",
        9,
        &["unknown day `fry`"],
    ),
    (
        "missing shift",
        "[team]\ntimezone = \"UTC\"\nstart = 2026-12-01\n[[person]]\nid = \"ana\"\n[[rotation]]\nname = \"r\"\nmembers = [\"ana\"]\n",
        6,
        &["missing `shift`"],
    ),
    (
        "duplicate person id",
        "[team]\ntimezone = \"UTC\"\nstart = 2026-12-01\n[[person]]\nid = \"ana\"\n[[person]]\nid = \"ana\"\n",
        7,
        &["used twice"],
    ),
    (
        "person ids differing only in case",
        "[team]\ntimezone = \"UTC\"\nstart = 2026-12-01\n[[person]]\nid = \"ana\"\n[[person]]\nid = \"Ana\"\n",
        7,
        &[
            "person id `Ana` differs from `ana` only in case",
            "case-insensitive file systems",
        ],
    ),
    (
        "rotation names differing only in case",
        "[team]\ntimezone = \"UTC\"\nstart = 2026-12-01\n[[person]]\nid = \"ana\"\n[[rotation]]\nname = \"emea\"\nmembers = [\"ana\"]\nshift = \"09:00-17:00\"\n[[rotation]]\nname = \"EMEA\"\nmembers = [\"ana\"]\nshift = \"17:00-22:00\"\n",
        11,
        &["rotation `EMEA` differs from `emea` only in case"],
    ),
    (
        "unknown alarms setting",
        "[team]\ntimezone = \"UTC\"\nstart = 2026-12-01\n[calendar]\nalarms = \"some\"\n",
        5,
        &["unknown alarms setting `some`"],
    ),
    (
        "caldav over plain http to a remote host",
        "[team]\ntimezone = \"UTC\"\nstart = 2026-12-01\n[caldav]\nurl = \"http://dav.example.com/rota/\"\n",
        5,
        &["clear text"],
    ),
    (
        "header injection in a name",
        "[team]\ntimezone = \"UTC\"\nstart = 2026-12-01\n[[person]]\nid = \"ana\"\nname = \"Ana\\r\\nBcc: all@corp.example\"\n",
        6,
        &["line break"],
    ),
    (
        "header injection in an email",
        "[team]\ntimezone = \"UTC\"\nstart = 2026-12-01\n[[person]]\nid = \"ana\"\nemail = \"ana@acme.example\\nBcc: x@y.z\"\n",
        6,
        &["not an email address"],
    ),
    (
        "bad away range",
        "[team]\ntimezone = \"UTC\"\nstart = 2026-12-01\n[[person]]\nid = \"ana\"\naway = [\"2026-12-27..2026-12-24\"]\n",
        6,
        &["ends before it starts"],
    ),
    (
        "override ends before it starts",
        "[team]\ntimezone = \"UTC\"\nstart = 2026-12-01\n[[person]]\nid = \"ana\"\n[[rotation]]\nname = \"r\"\nmembers = [\"ana\"]\nshift = \"09:00-17:00\"\n[[override]]\nrotation = \"r\"\nperson = \"ana\"\nfrom = 2026-12-02T12:00:00\nto = 2026-12-02T09:00:00\n",
        14,
        &["ends before it starts"],
    ),
    (
        "clear-text smtp to a remote host",
        "[team]\ntimezone = \"UTC\"\nstart = 2026-12-01\n[smtp]\nhost = \"smtp.acme.example\"\nsecurity = \"none\"\n",
        6,
        &["clear text"],
    ),
    (
        "TOML syntax error",
        "[team]\ntimezone = \"UTC\nstart = 2026-12-01\n",
        2,
        &["error"],
    ),
    (
        "wrong type",
        "[team]\ntimezone = \"UTC\"\nstart = 2026-12-01\n[[coverage]]\nmin = \"two\"\n",
        5,
        &["`min` takes a whole number, not a text"],
    ),
    (
        "a single range where a list goes",
        "[team]\ntimezone = \"UTC\"\nstart = 2026-12-01\n[[person]]\nid = \"ana\"\naway = \"2027-02-01..2027-02-05\"\n",
        6,
        &["`away` takes a list", "away = [\"2027-02-01..2027-02-05\"]"],
    ),
    (
        "a date that does not exist",
        "[team]\ntimezone = \"UTC\"\nstart = 2026-02-30\n",
        3,
        &[
            "`2026-02-30` is not a date",
            "between 01 and 28",
            "YYYY-MM-DD",
        ],
    ),
    (
        "one bracket for a table that repeats",
        "[team]\ntimezone = \"UTC\"\nstart = 2026-12-01\n[person]\nid = \"ana\"\n",
        4,
        &["`person` takes a list", "[[person]]"],
    ),
    (
        "a day set misspelt",
        "[team]\ntimezone = \"UTC\"\nstart = 2026-12-01\n[[person]]\nid = \"ana\"\n[[rotation]]\nname = \"r\"\nmembers = [\"ana\"]\ndays = \"weekday\"\nshift = \"09:00-17:00\"\n",
        9,
        &["did you mean `weekdays`"],
    ),
    (
        "a legacy zone name misspelt",
        "[team]\ntimezone = \"Asia/Calcuta\"\nstart = 2026-12-01\n",
        2,
        &["did you mean `Asia/Kolkata`"],
    ),
    (
        "min below one",
        "[team]\ntimezone = \"UTC\"\nstart = 2026-12-01\n[[coverage]]\nmin = 0\n",
        5,
        &["out of range"],
    ),
];

#[test]
fn every_broken_config_exits_2_with_the_line_and_a_hint() {
    for (what, config, line, words) in BROKEN {
        let p = Project::new(config);
        let out = p.rota().arg("validate").output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: {stderr}");
        assert!(out.stdout.is_empty(), "{what}: stdout must stay empty");
        let at = format!("rotation.toml:{line}:");
        assert!(stderr.starts_with(&at), "{what}: expected {at}…\n{stderr}");
        for w in *words {
            assert!(stderr.contains(w), "{what}: expected {w:?} in\n{stderr}");
        }
        assert!(stderr.contains("help:"), "{what}: no hint\n{stderr}");
    }
}

#[test]
fn all_errors_are_reported_at_once() {
    let config = "[team]\ntimezone = \"Mars/Olympus\"\nstart = 2026-12-01\n[[person]]\nid = \"ana\"\nemail = \"not an address\"\n[[rotation]]\nname = \"r\"\nmembers = [\"bob\"]\nshift = \"25:00-26:00\"\n";
    let p = Project::new(config);
    let err = p.run_err(&["validate"], 2);
    for line in [2, 6, 9, 10] {
        assert!(
            err.contains(&format!("rotation.toml:{line}:")),
            "line {line} missing:\n{err}"
        );
    }
    assert!(err.contains("4 errors"), "{err}");
}

#[test]
fn a_wrong_type_does_not_hide_the_errors_after_it() {
    let config = "[team]\ntimezone = \"UTC\"\nstart = 2026-12-01\n\n[[person]]\nid = \"ana\"\naway = \"2027-02-01..2027-02-05\"\nemial = \"ana@acme.example\"\n\n[[rotation]]\nname = \"r\"\nmembers = [\"ana\", 3]\ndays = \"mon-fry\"\nshift = \"9-17\"\n\n[[coverage]]\nmin = \"2\"\n";
    let p = Project::new(config);
    let err = p.run_err(&["validate"], 2);
    for (line, words) in [
        (7, "`away` takes a list"),
        (8, "did you mean `email`?"),
        (12, "each entry of `members` must be a text in quotes"),
        (13, "unknown day `fry`"),
        (14, "not a time"),
        (17, "min = 2"),
    ] {
        assert!(
            err.contains(&format!("rotation.toml:{line}:")) && err.contains(words),
            "line {line} ({words}) missing:\n{err}"
        );
    }
    assert!(err.contains("6 errors"), "{err}");
    assert!(
        !err.contains("invalid type"),
        "serde's words leaked:\n{err}"
    );
    assert!(
        !err.contains("missing `members`"),
        "a key with a wrong type is not also missing:\n{err}"
    );
}

#[test]
fn an_impossible_date_is_not_called_a_syntax_error_and_the_rest_is_checked() {
    let config = "[team]\ntimezone = \"Europe/Bucharet\"\nstart = 2026-13-01\n";
    let err = Project::new(config).run_err(&["validate"], 2);
    assert!(
        err.contains("rotation.toml:2:") && err.contains("rotation.toml:3:"),
        "{err}"
    );
    assert!(err.contains("the month must be between 01 and 12"), "{err}");
    assert!(!err.contains("syntax"), "{err}");
}

#[test]
fn a_duplicate_points_at_the_first_definition() {
    let config = "[team]\ntimezone = \"UTC\"\nstart = 2026-12-01\n[[person]]\nid = \"ana\"\n[[person]]\nid = \"ana\"\n[[rotation]]\nname = \"r\"\nmembers = [\"ana\"]\nshift = \"09:00-17:00\"\n[[rotation]]\nname = \"r\"\nmembers = [\"ana\", \"ana\"]\nshift = \"09:00-17:00\"\n";
    let err = Project::new(config).run_err(&["validate"], 2);
    assert!(
        err.contains("rotation.toml:7:6: error: person id `ana` is used twice\n  |\n7 | id = \"ana\"\n  |      ^^^^^\n  |\n5 | id = \"ana\"\n  |      ----- first defined here\n"),
        "{err}"
    );
    assert!(
        err.contains("^^^\n   |\n 9 | name = \"r\"\n   |        --- first defined here\n"),
        "{err}"
    );
    assert!(err.contains("first listed here"), "{err}");
}

#[test]
fn every_command_refuses_a_bad_config_without_output() {
    let p = Project::new("[team]\ntimezone = \"Nowhere\"\nstart = 2026-12-01\n");
    for cmd in ["plan", "who", "check", "export", "remind"] {
        let out = p.rota().arg(cmd).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        assert!(out.stdout.is_empty(), "{cmd} printed to stdout");
    }
    assert!(
        !p.file("calendar").exists(),
        "export wrote files from a bad config"
    );
}

#[test]
fn config_path_comes_from_flag_or_environment() {
    let p = Project::new(GOOD);
    std::fs::rename(p.file("rotation.toml"), p.file("team.toml")).unwrap();
    let err = p.run_err(&["validate"], 2);
    assert!(
        err.contains("no rotation.toml in this folder") && err.contains("--config"),
        "{err}"
    );
    p.run(&["validate", "--config", "team.toml"], 0);
    let out = p
        .rota()
        .arg("validate")
        .env("ROTA_CONFIG", "team.toml")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn unknown_display_zone_is_a_usage_error_with_suggestion() {
    let p = Project::new(GOOD);
    let err = p.run_err(&["plan", "--tz", "America/New_Yrok"], 2);
    assert!(err.contains("did you mean `America/New_York`"), "{err}");
}

#[test]
fn help_shows_examples_and_version_prints() {
    let p = Project::new(GOOD);
    let help = p.run(&["--help"], 0);
    assert!(
        help.contains("Examples:") && help.contains("rota plan --month"),
        "{help}"
    );
    let v = p.run(&["--version"], 0);
    assert!(v.starts_with("rota "), "{v}");
    p.run_err(&["plan", "--format", "yaml"], 2);
}

#[test]
fn bundled_and_example_configs_validate() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut configs = vec![root.join("rotation.toml")];
    for entry in std::fs::read_dir(root.join("examples")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            configs.push(path);
        }
    }
    assert!(configs.len() >= 3, "{configs:?}");
    for config in configs {
        let out = assert_cmd::Command::cargo_bin("rota")
            .unwrap()
            .args(["--config", config.to_str().unwrap(), "validate"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            config.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
