//! The shifts that change hands between two versions of the rotation: text, JSON, and
//! markdown for a pull-request comment.

use chrono_tz::Tz;
use serde_json::json;

use crate::diff::{Change, Diff};
use crate::plan::Period;
use crate::timefmt;

/// A diff as `rota diff` shows it.
pub struct DiffView<'a> {
    pub diff: &'a Diff,
    pub period: Period,
    /// What the current version is compared with: a revision, a file, or the lock.
    pub against: &'a str,
    /// The display zone.
    pub tz: Tz,
}

fn who(person: &Option<String>) -> &str {
    person.as_deref().unwrap_or("nobody")
}

fn when(c: &Change, tz: Tz) -> String {
    format!(
        "{} – {}",
        timefmt::short(c.start, tz),
        timefmt::short(c.end, tz)
    )
}

/// One line per change, then per person what they gain and lose.
pub fn text(view: &DiffView) -> String {
    let d = view.diff;
    let range = format!(
        "{} to {}",
        timefmt::short(view.period.from, view.tz),
        timefmt::short(view.period.to, view.tz)
    );
    if d.changes.is_empty() {
        return format!(
            "no shift changes hands against {} ({range})\n",
            view.against
        );
    }
    let mut out = format!(
        "{} against {} ({range}):\n",
        count(
            d.changes.len(),
            "shift changes hands",
            "shifts change hands"
        ),
        view.against
    );
    for c in &d.changes {
        out.push_str(&format!(
            "  {:<16} {}  {}  {} -> {}{}\n",
            c.part.slot.rotation,
            c.part.slot.date,
            when(c, view.tz),
            who(&c.before),
            who(&c.after),
            if c.published { "  (published)" } else { "" }
        ));
    }
    out.push('\n');
    for p in &d.people {
        out.push_str(&format!(
            "  {}: gains {}, loses {}\n",
            p.person,
            p.gained.len(),
            p.lost.len()
        ));
    }
    out
}

/// `{"from", "to", "against", "changes": [...], "people": [...]}`.
pub fn json(view: &DiffView) -> String {
    let d = view.diff;
    let tz = view.tz;
    let value = json!({
        "from": timefmt::rfc3339(view.period.from, tz),
        "to": timefmt::rfc3339(view.period.to, tz),
        "against": view.against,
        "changes": d.changes.iter().map(|c| json!({
            "rotation": c.part.slot.rotation,
            "slot": c.part.slot.date.to_string(),
            "start": timefmt::rfc3339(c.start, tz),
            "end": timefmt::rfc3339(c.end, tz),
            "before": c.before,
            "after": c.after,
            "published": c.published,
        })).collect::<Vec<_>>(),
        "people": d.people.iter().map(|p| json!({
            "person": p.person,
            "gained": p.gained.len(),
            "lost": p.lost.len(),
        })).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

/// A pull-request comment: per person what they gain and lose, then every change.
pub fn markdown(view: &DiffView) -> String {
    let d = view.diff;
    let tz = view.tz;
    let mut out = format!(
        "### Rota changes against `{}`\n\n{} – {}\n\n",
        view.against,
        timefmt::short(view.period.from, tz),
        timefmt::short(view.period.to, tz)
    );
    if d.changes.is_empty() {
        out.push_str("No shift changes hands.\n");
        return out;
    }
    for p in &d.people {
        out.push_str(&format!(
            "**{}** gains {}, loses {}\n\n",
            cell(&p.person),
            p.gained.len(),
            p.lost.len()
        ));
        for (sign, list) in [("+", &p.gained), ("−", &p.lost)] {
            for &i in list.iter() {
                let c = &d.changes[i];
                let other = if sign == "+" { &c.before } else { &c.after };
                let word = if sign == "+" { "from" } else { "to" };
                out.push_str(&format!(
                    "- {sign} {} {}{} ({word} {})\n",
                    cell(&c.part.slot.rotation),
                    when(c, tz),
                    if c.published { ", published" } else { "" },
                    cell(who(other))
                ));
            }
        }
        out.push('\n');
    }
    out.push_str(
        "| Rotation | Slot | When | Before | After | Published |\n|---|---|---|---|---|---|\n",
    );
    for c in &d.changes {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            cell(&c.part.slot.rotation),
            c.part.slot.date,
            when(c, tz),
            cell(who(&c.before)),
            cell(who(&c.after)),
            if c.published { "yes" } else { "no" }
        ));
    }
    out
}

/// Text safe in a markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}
