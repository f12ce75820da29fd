//! `rota coverage`: the week grid as text for people (readable without colour: every mark is a
//! symbol) and as JSON for scripts.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Color, Style};
use serde::Serialize;

use super::grid::{dates, period_name};
use crate::coverage::{Coverage, Scope, Week, cells};
use crate::model::Model;
use crate::timefmt::rfc3339;

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const HEADER: Style = Style::new().bold();
const GAP: Style = Style::new()
    .bold()
    .fg_color(Some(Color::Ansi(AnsiColor::Red)));
const CLOSED: Style = Style::new()
    .bold()
    .fg_color(Some(Color::Ansi(AnsiColor::Green)));
const DIM: Style = Style::new().dimmed();

/// The grid, and with additions a second grid marking the gaps they close; 75 columns wide.
pub fn text(model: &Model, coverage: &Coverage, colour: bool) -> String {
    let team = if model.team.name.is_empty() {
        "Rota"
    } else {
        &model.team.name
    };
    let mut out = String::new();
    let title = format!(
        "{team} — coverage, {} ({})",
        period_name(&dates(coverage.period, coverage.tz)),
        coverage.tz.name()
    );
    paint(&mut out, &title, HEADER, colour);
    out.push('\n');
    let _ = writeln!(
        out,
        "Fewest people on duty in each hour, {}",
        scope(model, coverage)
    );
    let outside = if coverage.outside.iter().flatten().any(|&o| o) {
        ", - outside the rule's hours"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "! marks a gap (fewer than {}){outside}, · an hour not in the period",
        coverage.required
    );
    if coverage.counted.from > coverage.period.from {
        let _ = writeln!(
            out,
            "Counted from {}, when the rota starts",
            crate::timefmt::human(coverage.counted.from, coverage.tz)
        );
    }
    out.push('\n');
    week(&mut out, coverage, &coverage.fewest, None, colour);
    let gaps = coverage.gap_hours(&coverage.fewest);
    let _ = writeln!(out, "\n{}", gap_summary(gaps));
    if let Some(with) = &coverage.with_additions {
        let n = coverage.additions.len();
        let _ = writeln!(
            out,
            "\nWith {n} more {} (+ marks a gap closed):",
            if n == 1 { "person" } else { "people" }
        );
        for a in &coverage.additions {
            let _ = writeln!(out, "  + {}", a.text);
        }
        out.push('\n');
        week(&mut out, coverage, with, Some(&coverage.fewest), colour);
        let left = coverage.gap_hours(with);
        let closed = coverage.closed_hours();
        if gaps == 0 {
            out.push_str("\nNo gaps to close.\n");
        } else {
            let _ = writeln!(
                out,
                "\nCloses {closed} of {gaps} gap hour{}; {left} remain{}.",
                if gaps == 1 { "" } else { "s" },
                if left == 1 { "s" } else { "" }
            );
        }
    }
    out
}

fn scope(model: &Model, coverage: &Coverage) -> String {
    let names: Vec<&str> = coverage
        .rotations
        .iter()
        .map(|&r| model.rotations[r].name.as_str())
        .collect();
    match coverage.scope {
        Scope::AllRotations => format!("all rotations ({})", names.join(", ")),
        Scope::Rule(ix) => format!(
            "rule {} ({}; min {})",
            model.coverage[ix].name,
            names.join(", "),
            coverage.required
        ),
    }
}

fn gap_summary(gaps: usize) -> String {
    match gaps {
        0 => "No gap hours: every hour of the week is covered.".to_string(),
        1 => "1 gap hour of the week.".to_string(),
        n => format!("{n} gap hours of the week."),
    }
}

/// One grid: a header of hours, a row per weekday. With `before`, gaps of `before` that this
/// grid no longer has are marked closed.
fn week(
    out: &mut String,
    coverage: &Coverage,
    grid: &Week<Option<u32>>,
    before: Option<&Week<Option<u32>>>,
    colour: bool,
) {
    let mut header = String::from("   ");
    for h in 0..24 {
        let _ = write!(header, " {h:02}");
    }
    paint(out, &header, HEADER, colour);
    out.push('\n');
    for (d, day) in DAYS.iter().enumerate() {
        out.push_str(day);
        for h in 0..24 {
            let cell = grid[d][h];
            let (text, style) = match cell {
                None if coverage.outside[d][h] => ("-".to_string(), DIM),
                None => ("·".to_string(), DIM),
                Some(n) if coverage.is_gap(cell) => (format!("!{}", count(n)), GAP),
                Some(n) if before.is_some_and(|b| coverage.is_gap(b[d][h])) => {
                    (format!("+{}", count(n)), CLOSED)
                }
                Some(n) => (count(n), Style::new()),
            };
            let pad = 3usize.saturating_sub(text.chars().count());
            out.push_str(&" ".repeat(pad.max(1)));
            paint(out, &text, style, colour);
        }
        out.push('\n');
    }
}

/// A head count in at most two characters.
fn count(n: u32) -> String {
    if n > 99 {
        "99".to_string()
    } else {
        n.to_string()
    }
}

fn paint(out: &mut String, text: &str, style: Style, colour: bool) {
    if colour && style != Style::new() {
        let _ = write!(out, "{style}{text}{style:#}");
    } else {
        out.push_str(text);
    }
}

#[derive(Serialize)]
struct CoverageJson<'a> {
    from: String,
    to: String,
    /// The first instant counted: `from`, or the rota's start when that is later.
    counted_from: String,
    timezone: &'a str,
    /// The rule counted, or null for all rotations.
    rule: Option<&'a str>,
    rotations: Vec<&'a str>,
    required: u32,
    days: [&'static str; 7],
    /// `fewest[day][hour]`, Monday first; null where the hour does not occur in the period or
    /// lies outside the rule's hours.
    fewest: &'a Week<Option<u32>>,
    gaps: Week<bool>,
    gap_hours: usize,
    with_additions: Option<WithJson<'a>>,
}

#[derive(Serialize)]
struct WithJson<'a> {
    additions: Vec<AdditionJson<'a>>,
    fewest: &'a Week<Option<u32>>,
    gaps: Week<bool>,
    gap_hours: usize,
    /// Gaps of the plan that the additions close.
    closed: Week<bool>,
    closed_hours: usize,
}

#[derive(Serialize)]
struct AdditionJson<'a> {
    spec: &'a str,
    timezone: &'a str,
    window: String,
}

pub fn json(model: &Model, coverage: &Coverage) -> String {
    let gaps = |grid: &Week<Option<u32>>| {
        let mut out = [[false; 24]; 7];
        for (d, h) in cells() {
            out[d][h] = coverage.is_gap(grid[d][h]);
        }
        out
    };
    let doc = CoverageJson {
        from: rfc3339(coverage.period.from, coverage.tz),
        to: rfc3339(coverage.period.to, coverage.tz),
        counted_from: rfc3339(coverage.counted.from, coverage.tz),
        timezone: coverage.tz.name(),
        rule: match coverage.scope {
            Scope::AllRotations => None,
            Scope::Rule(ix) => Some(model.coverage[ix].name.as_str()),
        },
        rotations: coverage
            .rotations
            .iter()
            .map(|&r| model.rotations[r].name.as_str())
            .collect(),
        required: coverage.required,
        days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        fewest: &coverage.fewest,
        gaps: gaps(&coverage.fewest),
        gap_hours: coverage.gap_hours(&coverage.fewest),
        with_additions: coverage.with_additions.as_ref().map(|with| {
            let mut closed = [[false; 24]; 7];
            for (d, h) in cells() {
                closed[d][h] =
                    coverage.is_gap(coverage.fewest[d][h]) && !coverage.is_gap(with[d][h]);
            }
            WithJson {
                additions: coverage
                    .additions
                    .iter()
                    .map(|a| AdditionJson {
                        spec: &a.text,
                        timezone: a.timezone.name(),
                        window: a.window.to_string(),
                    })
                    .collect(),
                fewest: with,
                gaps: gaps(with),
                gap_hours: coverage.gap_hours(with),
                closed,
                closed_hours: coverage.closed_hours(),
            }
        }),
    };
    super::json::to_string(&doc)
}
