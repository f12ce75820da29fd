//! `rota coverage`: the week grid of the fewest people on duty in each hour, and hypothetical
//! hires with `--add`.

use crate::support::*;

fn hiring() -> Project {
    Project::new(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/hiring.toml"
    )))
}

const MANILA: &str = "Asia/Manila 09:00-17:00 mon-fri";

fn widest_line(text: &str) -> usize {
    use unicode_width::UnicodeWidthStr;
    text.lines().map(|l| l.width()).max().unwrap_or(0)
}

/// The row of `day` (`Mon`) in the first grid of `text`, as its 24 cells.
fn row<'a>(text: &'a str, day: &str, grid: usize) -> Vec<&'a str> {
    let line = text
        .lines()
        .filter(|l| l.starts_with(day))
        .nth(grid)
        .unwrap_or_else(|| panic!("no {day} row {grid} in\n{text}"));
    line[3..].split_whitespace().collect()
}

#[test]
fn the_grid_shows_the_fewest_on_duty_per_hour_with_gaps_marked_in_80_columns() {
    let p = hiring();
    let out = p.run(&["coverage", "--month", "2027-01"], 0);
    assert!(widest_line(&out) <= 80, "{out}");
    // Toronto 09-17 and Lisbon 09-17 (04-12 in Toronto): Monday 04:00 to 17:00 is covered.
    let monday = row(&out, "Mon", 0);
    assert_eq!(monday.len(), 24);
    assert_eq!(&monday[3..6], ["!0", "1", "1"]);
    assert_eq!(&monday[9..12], ["2", "2", "2"]);
    assert_eq!(monday[17], "!0");
    assert!(row(&out, "Sun", 0).iter().all(|c| *c == "!0"));
    assert!(out.contains("103 gap hours"), "{out}");
    insta::assert_snapshot!("hiring_coverage", out);
}

#[test]
fn an_addition_shows_which_gaps_a_hire_would_close() {
    let p = hiring();
    let out = p.run(&["coverage", "--month", "2027-01", "--add", MANILA], 0);
    assert!(widest_line(&out) <= 80, "{out}");
    // Manila 09-17 is 20:00-04:00 in Toronto: Monday evening to Tuesday morning.
    let monday = row(&out, "Mon", 1);
    assert_eq!(&monday[19..22], ["!0", "+1", "+1"]);
    assert_eq!(row(&out, "Tue", 1)[0], "+1");
    // Friday evening is Saturday in Manila: still a gap.
    assert_eq!(row(&out, "Fri", 1)[20], "!0");
    assert!(
        out.contains("Closes 40 of 103 gap hours; 63 remain."),
        "{out}"
    );
    insta::assert_snapshot!("hiring_coverage_with_manila", out);
    // The output does not depend on the terminal's width, and NO_COLOR output has no escapes.
    let wide = p
        .rota()
        .env("COLUMNS", "160")
        .args(["coverage", "--month", "2027-01", "--add", MANILA])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(wide.stdout).unwrap(), out);
    assert!(!out.contains('\u{1b}'));
}

#[test]
fn colour_marks_gaps_only_on_request_and_never_with_no_color() {
    let p = hiring();
    let run = |no_color: bool| {
        let mut cmd = p.rota();
        cmd.env_remove("NO_COLOR").env("CLICOLOR_FORCE", "1");
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        let out = cmd
            .args(["coverage", "--month", "2027-01", "--add", MANILA])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(run(false).contains("\u{1b}[31m!0"), "gaps in bold red");
    let plain = run(true);
    assert!(!plain.contains('\u{1b}'));
    assert!(plain.contains("!0") && plain.contains("+1"));
}

#[test]
fn json_gives_the_numbers_with_and_without_the_additions() {
    let p = hiring();
    let v = p.json(&[
        "coverage", "--month", "2027-01", "--add", MANILA, "--format", "json",
    ]);
    assert_eq!(v["timezone"], "America/Toronto");
    assert_eq!(v["required"], 1);
    assert!(v["rule"].is_null());
    assert_eq!(v["fewest"][0][9], 2);
    assert_eq!(v["fewest"][0][20], 0);
    assert_eq!(v["gaps"][0][20], true);
    assert_eq!(v["gap_hours"], 103);
    let with = &v["with_additions"];
    assert_eq!(with["fewest"][0][20], 1);
    assert_eq!(with["closed"][0][20], true);
    assert_eq!(with["closed_hours"], 40);
    assert_eq!(with["gap_hours"], 63);
    assert_eq!(with["additions"][0]["timezone"], "Asia/Manila");
    assert_eq!(with["additions"][0]["window"], "09:00-17:00");
    assert_eq!(v["counted_from"], "2027-01-04T00:00:00-05:00");
}

#[test]
fn a_half_hour_without_anyone_makes_that_hours_fewest_zero() {
    let mut c = team("UTC", "2027-01-04");
    c.push_str(&person("a", "UTC"));
    c.push_str(&person("b", "UTC"));
    c.push_str("[[rotation]]\nname = \"early\"\nmembers = [\"a\"]\nshift = \"00:00-10:30\"\n");
    c.push_str("[[rotation]]\nname = \"late\"\nmembers = [\"b\"]\nshift = \"11:00-24:00\"\n");
    let p = Project::new(&c);
    let v = p.json(&["coverage", "--month", "2027-02", "--format", "json"]);
    assert_eq!(v["fewest"][0][10], 0, "10:30-11:00 nobody");
    assert_eq!(v["fewest"][0][9], 1);
    assert_eq!(v["fewest"][0][11], 1);
    assert_eq!(v["gap_hours"], 7);
    // Half an hour added closes it.
    let v = p.json(&[
        "coverage",
        "--month",
        "2027-02",
        "--add",
        "UTC 10:15-11:15",
        "--format",
        "json",
    ]);
    assert_eq!(v["with_additions"]["fewest"][0][10], 1);
    assert_eq!(v["with_additions"]["closed_hours"], 7);
}

#[test]
fn a_rule_counts_its_rotations_and_min_in_its_hours_only() {
    let mut c = team("UTC", "2027-01-04");
    c.push_str(&person("a", "UTC"));
    c.push_str(&person("b", "UTC"));
    c.push_str("[[rotation]]\nname = \"day\"\nmembers = [\"a\"]\nshift = \"08:00-16:00\"\n");
    c.push_str("[[rotation]]\nname = \"extra\"\nmembers = [\"b\"]\nshift = \"12:00-14:00\"\n");
    c.push_str("[[coverage]]\nname = \"office\"\nrotations = [\"day\", \"extra\"]\nwhen = \"mon-fri 09:00-17:00\"\ntimezone = \"UTC\"\nmin = 2\n");
    let p = Project::new(&c);
    let v = p.json(&[
        "coverage", "--month", "2027-02", "--rule", "office", "--format", "json",
    ]);
    assert_eq!(v["rule"], "office");
    assert_eq!(v["required"], 2);
    assert!(v["fewest"][0][8].is_null(), "outside the rule's hours");
    assert!(v["fewest"][5][12].is_null(), "Saturday is outside");
    assert_eq!(v["fewest"][0][12], 2);
    assert_eq!(v["fewest"][0][9], 1);
    assert_eq!(v["gaps"][0][9], true);
    assert_eq!(v["fewest"][0][16], 0);
    // 09, 10, 11, 14, 15, 16 on five weekdays.
    assert_eq!(v["gap_hours"], 30);
    let text = p.run(&["coverage", "--month", "2027-02", "--rule", "office"], 0);
    assert!(
        text.contains("rule office") && text.contains("- outside"),
        "{text}"
    );
}

#[test]
fn bad_additions_and_unknown_rules_are_usage_errors_with_the_fix() {
    let p = hiring();
    let err = p.run_err(&["coverage", "--add", "Asia/Manilla 09:00-17:00"], 2);
    assert!(
        err.contains("Asia/Manilla") && err.contains("Asia/Manila"),
        "{err}"
    );
    let err = p.run_err(&["coverage", "--add", "Asia/Manila 9-17"], 2);
    assert!(err.contains("--add"), "{err}");
    let err = p.run_err(&["coverage", "--add", "Asia/Manila 09:00-17:00 mon-fry"], 2);
    assert!(err.contains("mon-fry"), "{err}");
    let err = p.run_err(&["coverage", "--add", "Asia/Manila"], 2);
    assert!(err.contains("ZONE HH:MM-HH:MM"), "{err}");
    let err = p.run_err(&["coverage", "--rule", "24/7"], 2);
    assert!(err.contains("no [[coverage]] rule"), "{err}");
    let bundled = Project::new(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/rotation.toml"
    )));
    let err = bundled.run_err(&["coverage", "--rule", "24/8"], 2);
    assert!(err.contains("--rule 24/7"), "{err}");
}

/// Random configs over periods with DST changes, with random hires and rules, compared cell by
/// cell with tests/fixtures/views/coverage_reference.py, a minute-by-minute reimplementation on
/// Python's zoneinfo.
#[test]
fn coverage_matches_an_independent_reference_with_and_without_additions() {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/views/coverage_reference.py"
    );
    let work = tempfile::tempdir().expect("temp dir");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(assert_cmd::cargo::cargo_bin("rota"))
        .arg(work.path())
        .args(["1", "80"])
        .output()
        .unwrap_or_else(|e| panic!("this test needs python3 (3.9+, with zoneinfo) on PATH: {e}"));
    assert!(
        out.status.success(),
        "the reference disagrees:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
