//! `rota check`: the report as text for a person (verdict first) and as the contract's JSON.

use anstyle::{AnsiColor, Style};
use chrono::{DateTime, Datelike, TimeDelta, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::json::to_string;
use super::table::grid;
use crate::check::{Conflict, ConflictKind, Gap, Report, Severity, Unserved};
use crate::model::Model;
use crate::timefmt::rfc3339;

/// A check report as `rota check` shows it.
pub struct CheckView<'a> {
    pub model: &'a Model,
    pub report: &'a Report,
    /// The display zone.
    pub tz: Tz,
    /// `--strict`: warnings fail the run too.
    pub strict: bool,
}

const BAD: Style = Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));
const GOOD: Style = Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Green)));
const WARN: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));
const ERROR: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));
const TITLE: Style = Style::new().bold();
const QUIET: Style = Style::new().dimmed();

// ---------------------------------------------------------------------------------------------
// Text

pub fn text(view: &CheckView) -> String {
    let mut out = verdict(view);
    out.push('\n');
    let report = view.report;
    if !report.gaps.is_empty() {
        out.push('\n');
        out.push_str(&gaps(view));
    }
    if !report.conflicts.is_empty() {
        out.push('\n');
        out.push_str(&conflicts(view));
    }
    let fixes = fixes(view);
    if !fixes.is_empty() {
        out.push('\n');
        out.push_str(&fixes);
    }
    if !report.fairness.is_empty() {
        out.push('\n');
        out.push_str(&fairness(view));
    }
    out
}

/// `✗ 2 gaps, 1 conflict, 3 warnings in 2027-03-01..2027-04-01 (Europe/Berlin)`.
fn verdict(view: &CheckView) -> String {
    let r = view.report;
    let gaps = r.gaps.len();
    let errors = r.conflicts_of(Severity::Error);
    let warnings = r.warnings();
    let mut parts = vec![
        match gaps {
            0 => "no gaps".to_string(),
            n => count(n, "gap", "gaps"),
        },
        match errors {
            0 => "no conflicts".to_string(),
            n => count(n, "conflict", "conflicts"),
        },
    ];
    if warnings > 0 {
        let mut w = count(warnings, "warning", "warnings");
        if view.strict {
            w.push_str(" (--strict)");
        }
        parts.push(w);
    }
    let (mark, style) = if r.fails(view.strict) {
        ("✗", BAD)
    } else {
        ("✓", GOOD)
    };
    let from = r.period.from.with_timezone(&view.tz).date_naive();
    let to = r.period.to.with_timezone(&view.tz).date_naive();
    format!(
        "{style}{mark} {}{style:#} in {from}..{to} ({})",
        parts.join(", "),
        view.tz.name()
    )
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn gaps(view: &CheckView) -> String {
    // The UTC column only repeats the first when the display zone is UTC.
    let with_utc = view.tz != chrono_tz::UTC;
    let rows = folded_gaps(&view.report.gaps, view.tz)
        .into_iter()
        .map(|run| {
            let (first, last) = (&run[0], &run[run.len() - 1]);
            let when = |tz: Tz| match run.len() {
                1 => span(first.start, first.end, tz),
                n => daily(first, last, n, tz),
            };
            let mut row = vec![
                (view.model.coverage[first.rule].name.clone(), Style::new()),
                (when(view.tz), Style::new()),
            ];
            if with_utc {
                row.push((when(chrono_tz::UTC), QUIET));
            }
            row.push((length(first.length()), Style::new()));
            row.push((format!("{} of {}", first.on_duty, first.min), ERROR));
            row
        })
        .collect();
    let headers: &[&str] = if with_utc {
        &["RULE", "WHEN", "UTC", "LENGTH", "ON DUTY"]
    } else {
        &["RULE", "WHEN", "LENGTH", "ON DUTY"]
    };
    format!("{TITLE}Gaps{TITLE:#}\n{}", grid(headers, rows))
}

/// Gaps of one rule at the same clock times (in `tz`) on consecutive days, from
/// [`FOLD_FROM`] of them on, become one run; the rest stay alone. Runs in the order of their
/// first gap.
pub fn folded_gaps(gaps: &[Gap], tz: Tz) -> Vec<Vec<Gap>> {
    // What must match for two gaps to be "the same gap the next day".
    let key = |g: &Gap| {
        let (s, e) = (g.start.with_timezone(&tz), g.end.with_timezone(&tz));
        (
            g.rule,
            s.format("%H:%M:%S %Z").to_string(),
            e.format("%H:%M:%S %Z").to_string(),
            g.length(),
            g.on_duty,
            g.min,
        )
    };
    let date = |g: &Gap| g.start.with_timezone(&tz).date_naive();
    let mut open: Vec<Vec<Gap>> = Vec::new();
    let mut runs: Vec<Vec<Gap>> = Vec::new();
    for g in gaps {
        let continues = open.iter().position(|run| {
            let last = &run[run.len() - 1];
            key(last) == key(g) && date(last).succ_opt() == Some(date(g))
        });
        match continues {
            Some(i) => open[i].push(*g),
            None => open.push(vec![*g]),
        }
        // A run whose next day has passed can grow no more.
        let today = date(g);
        let (done, still): (Vec<_>, Vec<_>) = open
            .into_iter()
            .partition(|run| date(&run[run.len() - 1]) < today.pred_opt().unwrap_or(today));
        runs.extend(done);
        open = still;
    }
    runs.extend(open);
    let mut out: Vec<Vec<Gap>> = Vec::new();
    for run in runs {
        if run.len() >= FOLD_FROM {
            out.push(run);
        } else {
            out.extend(run.into_iter().map(|g| vec![g]));
        }
    }
    out.sort_by_key(|run| (run[0].start, run[0].rule));
    out
}

/// `daily 21:00–22:00 UTC, 14–27 Mar, 14 times`.
pub fn daily(first: &Gap, last: &Gap, times: usize, tz: Tz) -> String {
    let (s, e) = (first.start.with_timezone(&tz), first.end.with_timezone(&tz));
    let clock = |t: &DateTime<Tz>| t.format("%H:%M").to_string();
    let (a, b) = (s.date_naive(), last.start.with_timezone(&tz).date_naive());
    let days = if (a.year(), a.month()) == (b.year(), b.month()) {
        format!("{}–{}", a.format("%-d"), b.format("%-d %b"))
    } else {
        format!("{} – {}", a.format("%-d %b"), b.format("%-d %b"))
    };
    format!(
        "daily {}–{} {}, {days}, {times} times",
        clock(&s),
        clock(&e),
        s.format("%Z")
    )
}

/// Repeated warnings of one kind for one person and rotation (a night shift every day of the
/// month) fold into one row from this many on; errors are always listed one by one.
const FOLD_FROM: usize = 3;

fn conflicts(view: &CheckView) -> String {
    let all = &view.report.conflicts;
    let same = |a: &Conflict, b: &Conflict| {
        a.kind == b.kind && a.person == b.person && a.rotations == b.rotations
    };
    let mut rows = Vec::new();
    let mut shown = vec![false; all.len()];
    for (i, c) in all.iter().enumerate() {
        if shown[i] {
            continue;
        }
        let severity = c.kind.severity();
        let repeats: Vec<usize> = match severity {
            Severity::Error => vec![i],
            Severity::Warning => (i..all.len()).filter(|&j| same(c, &all[j])).collect(),
        };
        let folded = repeats.len() >= FOLD_FROM;
        let group = if folded { &repeats[..] } else { &repeats[..1] };
        for &j in group {
            shown[j] = true;
        }
        let style = match severity {
            Severity::Error => ERROR,
            Severity::Warning => WARN,
        };
        let mut what = message(view.model, c);
        if folded {
            let last = &all[group[group.len() - 1]];
            what.push_str(&format!(
                "; {} times, the last {}",
                group.len(),
                last.start.with_timezone(&view.tz).format("%a %-d %b")
            ));
        }
        rows.push(vec![
            (severity.name().to_string(), style),
            (c.kind.name().to_string(), Style::new()),
            (
                person(view.model, c).unwrap_or("—").to_string(),
                Style::new(),
            ),
            (span(c.start, c.end, view.tz), Style::new()),
            (what, Style::new()),
        ]);
    }
    format!(
        "{TITLE}Conflicts{TITLE:#}\n{}",
        grid(&["SEVERITY", "KIND", "PERSON", "WHEN", "WHAT"], rows)
    )
}

fn fairness(view: &CheckView) -> String {
    let model = view.model;
    let report = view.report;
    let mut rows = Vec::new();
    for spread in &report.spreads {
        let mut first = true;
        for f in report
            .fairness
            .iter()
            .filter(|f| f.rotation == spread.rotation)
        {
            let rotation = if first {
                model.rotations[f.rotation].name.clone()
            } else {
                String::new()
            };
            first = false;
            let id = &model.people[f.person].id;
            let who = if f.member {
                id.clone()
            } else {
                format!("{id} (override)")
            };
            rows.push(vec![
                (rotation, Style::new()),
                (who, Style::new()),
                (f.turns.to_string(), Style::new()),
                (hours(f.duty).to_string(), Style::new()),
                (f.weekend_shifts.to_string(), Style::new()),
                (f.holiday_shifts.to_string(), Style::new()),
                (f.away_days.to_string(), Style::new()),
            ]);
        }
        if first {
            continue;
        }
        rows.push(vec![
            (String::new(), QUIET),
            ("spread".to_string(), QUIET),
            (spread.turns.to_string(), QUIET),
            (hours(spread.duty).to_string(), QUIET),
            (spread.weekend_shifts.to_string(), QUIET),
            (spread.holiday_shifts.to_string(), QUIET),
            (String::new(), QUIET),
        ]);
    }
    format!(
        "{TITLE}Fairness{TITLE:#}\n{}",
        grid(
            &[
                "ROTATION",
                "PERSON",
                "TURNS",
                "HOURS",
                "WEEKEND",
                "HOLIDAY",
                "AWAY DAYS"
            ],
            rows
        )
    )
}

fn person<'m>(model: &'m Model, c: &Conflict) -> Option<&'m str> {
    c.person.map(|p| model.people[p].id.as_str())
}

/// The overrides to paste for published turns that can no longer be served.
fn fixes(view: &CheckView) -> String {
    let mut out = String::new();
    for c in &view.report.conflicts {
        if let Some(toml) = fix(view.model, c) {
            if out.is_empty() {
                out.push_str(&format!(
                    "{TITLE}Overrides to paste{TITLE:#} (into the config, for published turns that can no longer be served)\n"
                ));
            }
            out.push('\n');
            out.push_str(&toml);
        }
    }
    out
}

/// The `[[override]]` that fixes a finding, if it has one.
pub fn fix(model: &Model, c: &Conflict) -> Option<String> {
    match c.kind {
        ConflictKind::PublishedTurnUnserved {
            replacement: Some(p),
            ..
        } => Some(crate::check::override_toml(model, c, p)),
        _ => None,
    }
}

/// What the finding means, in one line.
pub fn message(model: &Model, c: &Conflict) -> String {
    let rotations: Vec<&str> = c
        .rotations
        .iter()
        .map(|&r| model.rotations[r].name.as_str())
        .collect();
    let first = rotations.first().copied().unwrap_or("");
    let zone = c.person.map_or(String::new(), |p| {
        model.people[p].timezone.name().to_string()
    });
    match c.kind {
        ConflictKind::DoubleBooked => format!("on {} at once", rotations.join(" and ")),
        ConflictKind::OnDutyWhileAway => {
            format!("on {first} on an away day ({zone})")
        }
        ConflictKind::NightShift => {
            format!("on {first} in their night {} ({zone})", model.check.night)
        }
        ConflictKind::OverrideOutsideShifts { line, .. } if c.start == c.end => format!(
            "the override on line {line} ({first}) lies wholly in a time the clocks skip (a DST gap) and changes nothing"
        ),
        ConflictKind::OverrideOutsideShifts { line, shadowed } => {
            if shadowed {
                format!(
                    "the override on line {line} ({first}) is replaced everywhere by later overrides"
                )
            } else {
                format!("the override on line {line} covers no shift of {first}")
            }
        }
        ConflictKind::CoverageRuleUnmatched { rule } if rotations.is_empty() => {
            format!(
                "coverage rule `{}` lists no rotations",
                model.coverage[rule].name
            )
        }
        ConflictKind::CoverageRuleUnmatched { rule } => format!(
            "no shift of {} falls in the hours of coverage rule `{}`",
            rotations.join(", "),
            model.coverage[rule].name
        ),
        ConflictKind::MaxShare {
            rule, duty, hours, ..
        } => format!(
            "on duty {} of the {} `{}` requires ({:.1}%, more than max_share = {})",
            length(TimeDelta::seconds(duty)),
            length(TimeDelta::seconds(hours)),
            model.coverage[rule].name,
            duty as f64 * 100.0 / hours.max(1) as f64,
            model
                .check
                .max_share
                .map_or(String::new(), |l| l.value.to_string())
        ),
        ConflictKind::MinRest { rest, .. } => format!(
            "only {} of rest between shifts (min_rest = {})",
            length(rest),
            model
                .check
                .min_rest
                .map_or(String::new(), |l| length(l.value))
        ),
        ConflictKind::MaxConsecutiveDays { days, .. } => format!(
            "on duty {days} days in a row (max_consecutive_days = {})",
            model.check.max_consecutive_days.map_or(0, |l| l.value)
        ),
        ConflictKind::PublishedTurnUnserved {
            line,
            reason,
            replacement,
        } => {
            let id = model
                .published
                .rotations
                .get(c.rotations[0])
                .and_then(|r| r.turns.iter().find(|t| t.line == line))
                .and_then(|t| t.holder.id(model))
                .unwrap_or("?");
            let why = match reason {
                Unserved::NotAMember => format!("{id} is no longer a member of {first}"),
                Unserved::Gone => format!("the config no longer has {id}"),
                Unserved::Away => format!("{id} is away on one of its days"),
            };
            let fix = match replacement {
                Some(p) => {
                    // A turn with days off in it takes one table per stretch.
                    let tables = crate::check::override_toml(model, c, p)
                        .matches("[[override]]")
                        .count();
                    let what = match tables {
                        0 | 1 => "the [[override]]".to_string(),
                        n => format!("the {n} [[override]] tables"),
                    };
                    format!(
                        "; paste {what} shown below to give it to {}",
                        model.people[p].id
                    )
                }
                None => "; no member is free for it: add an [[override]]".to_string(),
            };
            format!("{id}'s published {first} turn (lock line {line}) cannot be served: {why}{fix}")
        }
        ConflictKind::UnevenTurns { fewest, most } => format!(
            "{first}: {} has {} turns, {} has {} (neither was away)",
            model.people[most.0].id, most.1, model.people[fewest.0].id, fewest.1
        ),
    }
}

/// `Sun 14 Mar 23:00–23:30 CET`, or both ends in full when they differ in day or zone name.
pub fn span(start: DateTime<Utc>, end: DateTime<Utc>, tz: Tz) -> String {
    let (s, e) = (start.with_timezone(&tz), end.with_timezone(&tz));
    let clock = |t: &DateTime<Tz>| {
        if t.timestamp() % 60 == 0 {
            t.format("%H:%M").to_string()
        } else {
            t.format("%H:%M:%S").to_string()
        }
    };
    let zone = |t: &DateTime<Tz>| t.format("%Z").to_string();
    let day = |t: &DateTime<Tz>| t.format("%a %-d %b").to_string();
    if s.date_naive() == e.date_naive() && zone(&s) == zone(&e) {
        format!("{} {}–{} {}", day(&s), clock(&s), clock(&e), zone(&s))
    } else {
        format!(
            "{} {} {} – {} {} {}",
            day(&s),
            clock(&s),
            zone(&s),
            day(&e),
            clock(&e),
            zone(&e)
        )
    }
}

/// `1h`, `2h 30m`, `3d 1h`, `45s`.
pub fn length(d: TimeDelta) -> String {
    let secs = d.num_seconds().max(0);
    let (days, hours, minutes, seconds) =
        (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    let parts: Vec<String> = [(days, "d"), (hours, "h"), (minutes, "m"), (seconds, "s")]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n}{unit}"))
        .collect();
    if parts.is_empty() {
        "0s".to_string()
    } else {
        parts.join(" ")
    }
}

/// Hours to two decimals: whole shifts print as `40`, `7.5`.
fn hours(d: TimeDelta) -> f64 {
    (d.num_seconds() as f64 / 36.0).round() / 100.0
}

// ---------------------------------------------------------------------------------------------
// JSON

#[derive(Serialize)]
struct CheckJson<'a> {
    from: String,
    to: String,
    timezone: &'a str,
    /// `clean` or `problems`, as the exit code says (0 or 1).
    verdict: &'static str,
    errors: usize,
    warnings: usize,
    gaps: Vec<GapJson<'a>>,
    conflicts: Vec<ConflictJson<'a>>,
    fairness: Vec<FairnessJson<'a>>,
    spread: Vec<SpreadJson<'a>>,
}

#[derive(Serialize)]
struct GapJson<'a> {
    rule: &'a str,
    start: String,
    end: String,
    on_duty: u32,
    min: u32,
    start_utc: String,
    end_utc: String,
    seconds: i64,
}

#[derive(Serialize)]
struct ConflictJson<'a> {
    kind: &'static str,
    person: Option<&'a str>,
    start: String,
    end: String,
    rotations: Vec<&'a str>,
    severity: &'static str,
    message: String,
    /// The `[[override]]` TOML that fixes the finding, where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<String>,
}

#[derive(Serialize)]
struct FairnessJson<'a> {
    person: &'a str,
    turns: u32,
    hours: f64,
    weekend_shifts: u32,
    rotation: &'a str,
    holiday_shifts: u32,
    away_days: u32,
    /// False for someone who held the rotation's shifts only through an override.
    member: bool,
}

#[derive(Serialize)]
struct SpreadJson<'a> {
    rotation: &'a str,
    turns: u32,
    hours: f64,
    weekend_shifts: u32,
    holiday_shifts: u32,
}

pub fn json(view: &CheckView) -> String {
    let (model, report, tz) = (view.model, view.report, view.tz);
    let rotation = |r: usize| model.rotations[r].name.as_str();
    let doc = CheckJson {
        from: rfc3339(report.period.from, tz),
        to: rfc3339(report.period.to, tz),
        timezone: tz.name(),
        verdict: if report.fails(view.strict) {
            "problems"
        } else {
            "clean"
        },
        errors: report.errors(),
        warnings: report.warnings(),
        gaps: report
            .gaps
            .iter()
            .map(|g| GapJson {
                rule: &model.coverage[g.rule].name,
                start: rfc3339(g.start, tz),
                end: rfc3339(g.end, tz),
                on_duty: g.on_duty,
                min: g.min,
                start_utc: rfc3339(g.start, chrono_tz::UTC),
                end_utc: rfc3339(g.end, chrono_tz::UTC),
                seconds: g.length().num_seconds(),
            })
            .collect(),
        conflicts: report
            .conflicts
            .iter()
            .map(|c| ConflictJson {
                kind: c.kind.name(),
                person: person(model, c),
                start: rfc3339(c.start, tz),
                end: rfc3339(c.end, tz),
                rotations: c.rotations.iter().map(|&r| rotation(r)).collect(),
                severity: c.kind.severity().name(),
                message: message(model, c),
                fix: fix(model, c),
            })
            .collect(),
        fairness: report
            .fairness
            .iter()
            .map(|f| FairnessJson {
                person: &model.people[f.person].id,
                turns: f.turns,
                hours: hours(f.duty),
                weekend_shifts: f.weekend_shifts,
                rotation: rotation(f.rotation),
                holiday_shifts: f.holiday_shifts,
                away_days: f.away_days,
                member: f.member,
            })
            .collect(),
        spread: report
            .spreads
            .iter()
            .map(|s| SpreadJson {
                rotation: rotation(s.rotation),
                turns: s.turns,
                hours: hours(s.duty),
                weekend_shifts: s.weekend_shifts,
                holiday_shifts: s.holiday_shifts,
            })
            .collect(),
    };
    to_string(&doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_read_as_people_say_them() {
        assert_eq!(length(TimeDelta::hours(1)), "1h");
        assert_eq!(length(TimeDelta::minutes(150)), "2h 30m");
        assert_eq!(length(TimeDelta::hours(25)), "1d 1h");
        assert_eq!(length(TimeDelta::seconds(45)), "45s");
    }

    #[test]
    fn hours_keep_two_decimals() {
        assert_eq!(hours(TimeDelta::minutes(450)), 7.5);
        assert_eq!(hours(TimeDelta::seconds(100)), 0.03);
    }
}
