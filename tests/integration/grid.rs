//! `rota plan` as a month grid: on a terminal by default, fitted to its width.

use std::path::Path;
use std::process::Command;

use crate::support::*;

fn bundled() -> Project {
    let config = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rotation.toml"));
    Project::new(config)
}

fn edge() -> Project {
    Project::new(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/views/edge.toml"
    )))
}

fn grid(p: &Project, columns: &str) -> String {
    let out = p
        .rota()
        .env("COLUMNS", columns)
        .args(["plan", "--month", "2026-12", "--format", "grid"])
        .output()
        .expect("run rota");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn widest_line(text: &str) -> usize {
    use unicode_width::UnicodeWidthStr;
    text.lines().map(|l| l.width()).max().unwrap_or(0)
}

#[test]
fn a_month_is_a_row_per_day_with_each_weekly_turn_named_once() {
    let out = grid(&bundled(), "80");
    assert!(widest_line(&out) <= 80, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.iter().filter(|l| l.starts_with("Tue 01")).count(), 1);
    assert!(lines.iter().any(|l| l.starts_with("Thu 31")));
    // Priya's week from Mon 7 December: her name once, a bar on the six days after.
    let apac: Vec<&str> = lines
        .iter()
        .filter(|l| l.len() > 8 && l.as_bytes()[3] == b' ')
        .map(|l| l[8..].split("  ").next().unwrap_or(""))
        .collect();
    let monday = apac
        .iter()
        .position(|c| *c == "Priya Raman")
        .expect("Priya named");
    assert!(
        apac[monday + 1..monday + 7].iter().all(|c| *c == "│"),
        "{apac:?}"
    );
    insta::assert_snapshot!("bundled_grid_80", out);
}

#[test]
fn a_wide_terminal_gets_a_wider_grid() {
    let out = grid(&bundled(), "160");
    assert!(widest_line(&out) <= 160);
    insta::assert_snapshot!("bundled_grid_160", out);
}

#[test]
fn names_are_shortened_to_fit_and_many_rotations_split_into_grids() {
    let p = edge();
    for columns in ["80", "160"] {
        let out = grid(&p, columns);
        assert!(widest_line(&out) <= columns.parse().unwrap(), "{out}");
        // Every rotation has its column somewhere.
        for r in ["weekly-wed", "r3", "leg-12"] {
            assert!(out.contains(r), "{r} missing at {columns}:\n{out}");
        }
        // The unassigned week and the holiday say so in words, not only in colour.
        assert!(out.contains("nobody"));
        assert!(out.contains("hol"));
        insta::assert_snapshot!(format!("edge_grid_{columns}"), out);
    }
    // At 80 columns the 12 rotations need two grids, each with the days down the side.
    let out = grid(&p, "80");
    assert_eq!(out.lines().filter(|l| l.starts_with("Wed 02")).count(), 2);
}

#[test]
fn colours_only_when_asked_and_never_with_no_color() {
    let p = bundled();
    let run = |no_color: bool| {
        let mut cmd = p.rota();
        cmd.env_remove("NO_COLOR")
            .env("CLICOLOR_FORCE", "1")
            .env("COLUMNS", "80");
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        let out = cmd
            .args(["plan", "--month", "2026-12", "--format", "grid"])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let coloured = run(false);
    assert!(coloured.contains("\u{1b}["), "{coloured}");
    let plain = run(true);
    assert!(!plain.contains('\u{1b}'));
    assert_eq!(plain, grid(&p, "80"));
}

#[test]
fn piped_output_stays_the_list_and_format_table_gives_it_on_a_terminal() {
    let p = bundled();
    let piped = p.run(&["plan", "--month", "2026-12"], 0);
    let table = p.run(&["plan", "--month", "2026-12", "--format", "table"], 0);
    assert_eq!(piped, table);
    assert!(piped.contains("START") && piped.contains("ROTATION"));
    let on_terminal = on_a_terminal(&p, 80, &["plan", "--month", "2026-12", "--format", "table"]);
    assert!(on_terminal.contains("START") && on_terminal.contains("ROTATION"));
}

#[test]
fn on_a_terminal_plan_shows_the_grid_at_the_terminals_width() {
    let p = bundled();
    for columns in [80, 160] {
        let out = on_a_terminal(&p, columns, &["plan", "--month", "2026-12"]);
        let plain = strip_styles(&out);
        assert!(plain.contains("Tue 01  Kenji Watanabe"), "{plain}");
        assert!(widest_line(&plain) <= columns as usize);
        assert_eq!(plain, grid(&p, &columns.to_string()));
    }
}

/// rota's output on a real pseudo-terminal `columns` wide.
fn on_a_terminal(p: &Project, columns: u16, args: &[&str]) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/views/on_terminal.py");
    let rota = assert_cmd::cargo::cargo_bin("rota");
    let out = Command::new("python3")
        .arg(script)
        .arg(columns.to_string())
        .arg("50")
        .arg(rota)
        .args(args)
        .current_dir(p.path())
        .env_remove("ROTA_CONFIG")
        .env_remove("COLUMNS")
        .env("NO_COLOR", "1")
        .output()
        .expect("python3 runs the pty helper");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn strip_styles(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
