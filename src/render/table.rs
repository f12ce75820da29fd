//! Aligned tables for people at a terminal; styles are stripped by the caller's stream when it
//! is not a terminal or `NO_COLOR` is set.

use anstyle::{AnsiColor, Style};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use unicode_width::UnicodeWidthStr;

use super::{PlanView, assignee};
use crate::duty::Duty;
use crate::model::Model;
use crate::plan::Shift;
use crate::timefmt::human;

const HEADER: Style = Style::new().bold();
const OVERRIDE: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));
const UNASSIGNED: Style = Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));

pub fn plan(view: &PlanView) -> String {
    let title = format!(
        "{} — {} to {} ({}), {} shift{}\n\n",
        if view.model.team.name.is_empty() {
            "Rota"
        } else {
            &view.model.team.name
        },
        human(view.period.from, view.tz),
        human(view.period.to, view.tz),
        view.tz.name(),
        view.shifts.len(),
        if view.shifts.len() == 1 { "" } else { "s" },
    );
    let rows = view
        .shifts
        .iter()
        .map(|s| {
            let person = assignee(view.model, s).map_or("(nobody)", |w| w.1);
            let style = row_style(s);
            vec![
                (human(s.start, view.tz), Style::new()),
                (human(s.end, view.tz), Style::new()),
                (
                    view.model.rotations[s.rotation()].name.clone(),
                    Style::new(),
                ),
                (person.to_string(), style),
                (note(s).to_string(), style),
            ]
        })
        .collect();
    let mut out = title;
    out.push_str(&grid(&["START", "END", "ROTATION", "PERSON", "NOTE"], rows));
    out
}

pub fn who(model: &Model, at: DateTime<Utc>, duties: &[Duty], tz: Tz) -> String {
    let mut out = format!("On duty at {} ({})\n\n", human(at, tz), tz.name());
    // The same row for who holds a rotation now and who holds it next; `empty` says why a
    // rotation has no such shift.
    let row = |d: &Duty, shift: Option<Shift>, empty: &str| {
        let rotation = (model.rotations[d.rotation].name.clone(), Style::new());
        match shift {
            Some(s) => vec![
                rotation,
                (
                    assignee(model, &s).map_or("(nobody)", |w| w.1).to_string(),
                    row_style(&s),
                ),
                (human(s.start, tz), Style::new()),
                (human(s.end, tz), Style::new()),
                (note(&s).to_string(), row_style(&s)),
            ],
            None => vec![
                rotation,
                ("—".to_string(), Style::new()),
                (String::new(), Style::new()),
                (String::new(), Style::new()),
                (empty.to_string(), Style::new()),
            ],
        }
    };
    let now = duties
        .iter()
        .map(|d| row(d, d.shift, d.empty.map_or("", |e| e.describe())))
        .collect();
    out.push_str(&grid(
        &["ROTATION", "PERSON", "SINCE", "UNTIL", "NOTE"],
        now,
    ));
    let next = duties
        .iter()
        .map(|d| row(d, d.next, "no shift ahead"))
        .collect();
    out.push_str("\nNext\n\n");
    out.push_str(&grid(&["ROTATION", "NEXT", "FROM", "UNTIL", "NOTE"], next));
    out
}

pub fn note(shift: &Shift) -> &'static str {
    match (shift.person, shift.is_override) {
        (None, _) => "unassigned",
        (Some(_), true) => "override",
        (Some(_), false) => "",
    }
}

fn row_style(shift: &Shift) -> Style {
    match (shift.person, shift.is_override) {
        (None, _) => UNASSIGNED,
        (Some(_), true) => OVERRIDE,
        (Some(_), false) => Style::new(),
    }
}

/// Left-aligned columns two spaces apart, padded by display width so accented and wide
/// names line up.
pub fn grid(headers: &[&str], rows: Vec<Vec<(String, Style)>>) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for row in &rows {
        for (i, (cell, _)) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.width());
        }
    }
    let mut out = String::new();
    let header: Vec<(String, Style)> = headers.iter().map(|h| (h.to_string(), HEADER)).collect();
    for row in std::iter::once(header).chain(rows) {
        let mut line = String::new();
        for (i, (cell, style)) in row.iter().enumerate() {
            let pad = if i + 1 == row.len() {
                0
            } else {
                widths[i] - cell.width() + 2
            };
            line.push_str(&format!("{style}{cell}{style:#}{}", " ".repeat(pad)));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
