//! The month's plan → emails: one announcement per person (their turns, with their month's
//! feed as `.ics`), and the team's digest (the month's table, as plain text and HTML).
//!
//! As with reminders, lettre encodes names (RFC 2047) and quotes display names, so no name or
//! address can add a header; in the HTML part every name is escaped.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use lettre::Message;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use unicode_width::UnicodeWidthStr;

use super::email::{Email, calendar_type, long, message_id_of, one_line, recipient, shift_line};
use crate::announce::MonthPlan;
use crate::model::{Model, PersonIx};
use crate::plan::Shift;
use crate::remind::{Neighbour, Turn};
use crate::slot;
use crate::timefmt;

/// The announcement of `plan` to `person`, with `calendar` (their feed of the month) attached.
pub fn person(
    model: &Model,
    plan: &MonthPlan,
    person: PersonIx,
    calendar: String,
    now: DateTime<Utc>,
    from: &Mailbox,
) -> Result<Email, String> {
    let to = recipient(model, person)?;
    let turns = plan.turns_of(person);
    let subject = format!(
        "Your {} rota for {}: {} turn{}",
        one_line(&model.team.name),
        month_name(plan),
        turns.len(),
        if turns.len() == 1 { "" } else { "s" }
    );
    let id = slot::escape(&model.people[person].id);
    let message_id = message_id_of("announcement", &[&month_id(plan), &id], from);
    let attachment = format!("person-{id}-{}.ics", month_id(plan));
    let body = person_body(model, plan, person, &turns, &attachment);
    let message = Message::builder()
        .from(from.clone())
        .to(to.clone())
        .subject(subject.clone())
        .date(now.into())
        .message_id(Some(message_id.clone()))
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(body))
                .singlepart(Attachment::new(attachment).body(calendar, calendar_type()?)),
        )
        .map_err(|e| e.to_string())?;
    Ok(Email {
        to,
        subject,
        message_id,
        message,
    })
}

fn person_body(
    model: &Model,
    plan: &MonthPlan,
    person: PersonIx,
    turns: &[&Turn],
    attachment: &str,
) -> String {
    let p = &model.people[person];
    let own = p.timezone;
    let team = model.team.timezone;
    let mut b = String::new();
    let _ = writeln!(b, "Hello {},\n", p.name);
    let _ = writeln!(
        b,
        "here are your turns in {} for {}, as published.",
        month_name(plan),
        model.team.name
    );
    if own == team {
        let _ = writeln!(b, "Times are yours, also the team's ({}).", own.name());
    } else {
        let _ = writeln!(
            b,
            "Times are yours ({}), then the team's ({}).",
            own.name(),
            team.name()
        );
    }
    for turn in turns {
        let rotation = &model.rotations[turn.rotation].name;
        let _ = write!(b, "\n{rotation}");
        if turn.is_override {
            b.push_str(" (an override: you take it over from the regular rotation)");
        }
        b.push('\n');
        if own == team {
            let _ = writeln!(b, "  {}", span_line(turn.start, turn.end, own));
        } else {
            let _ = writeln!(b, "  your time    {}", span_line(turn.start, turn.end, own));
            let _ = writeln!(
                b,
                "  team's time  {}",
                span_line(turn.start, turn.end, team)
            );
        }
        if turn.shifts.len() > 1 {
            let _ = writeln!(b, "  {} shifts:", turn.shifts.len());
            for s in &turn.shifts {
                let _ = writeln!(b, "    {}", shift_line(s.start, s.end, own));
            }
        }
        let name = |n: Neighbour| match n {
            Neighbour::Person(q) if q == person => Some("you".to_owned()),
            Neighbour::Person(q) => Some(model.people[q].name.clone()),
            Neighbour::Nobody => Some("nobody (unassigned)".to_owned()),
            Neighbour::Unknown => None,
        };
        if let Some(n) = name(turn.previous) {
            let _ = writeln!(b, "  handed over by: {n}");
        }
        if let Some(n) = name(turn.next) {
            let _ = writeln!(b, "  you hand over to: {n}");
        }
    }
    let _ = writeln!(
        b,
        "\nThe attached {attachment} holds your shifts of the month, the same events as your \
         calendar feed."
    );
    if model.remind.notices {
        b.push_str("If one of these turns changes, you will get a notice.\n");
    }
    let _ = write!(b, "\n-- \nrota, for {}\n", model.team.name);
    b
}

/// `Mon 7 Dec 2026 10:00 EET to Mon 7 Dec 2026 18:00 EET`.
fn span_line(start: DateTime<Utc>, end: DateTime<Utc>, tz: Tz) -> String {
    format!("{} to {}", long(start, tz), long(end, tz))
}

/// The team's digest of `plan` for `to`: every turn of the month and every unassigned shift,
/// in the team's zone.
pub fn digest(
    model: &Model,
    plan: &MonthPlan,
    to: &str,
    now: DateTime<Utc>,
    from: &Mailbox,
) -> Result<Email, String> {
    let to = Mailbox::new(
        Some(one_line(&model.team.name)),
        to.parse()
            .map_err(|e| format!("`{to}` is not an email address: {e}"))?,
    );
    let subject = format!(
        "{} rota for {}",
        one_line(&model.team.name),
        month_name(plan)
    );
    let message_id = message_id_of("digest", &[&month_id(plan)], from);
    let rows = rows(model, plan);
    let message = Message::builder()
        .from(from.clone())
        .to(to.clone())
        .subject(subject.clone())
        .date(now.into())
        .message_id(Some(message_id.clone()))
        .multipart(MultiPart::alternative_plain_html(
            digest_text(model, plan, &rows),
            digest_html(model, plan, &rows),
        ))
        .map_err(|e| e.to_string())?;
    Ok(Email {
        to,
        subject,
        message_id,
        message,
    })
}

/// One line of the digest's table.
struct Row {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    rotation: String,
    /// None: unassigned.
    person: Option<String>,
    note: &'static str,
}

fn rows(model: &Model, plan: &MonthPlan) -> Vec<Row> {
    let turn = |t: &Turn| Row {
        start: t.start,
        end: t.end,
        rotation: model.rotations[t.rotation].name.clone(),
        person: Some(model.people[t.person].name.clone()),
        note: if t.is_override { "override" } else { "" },
    };
    let gap = |s: &Shift| Row {
        start: s.start,
        end: s.end,
        rotation: model.rotations[s.rotation()].name.clone(),
        person: None,
        note: "nobody is free: a gap",
    };
    let mut rows: Vec<Row> = plan
        .turns
        .iter()
        .map(turn)
        .chain(plan.unassigned.iter().map(gap))
        .collect();
    rows.sort_by(|a, b| (a.start, &a.rotation).cmp(&(b.start, &b.rotation)));
    rows
}

fn digest_text(model: &Model, plan: &MonthPlan, rows: &[Row]) -> String {
    let tz = model.team.timezone;
    let mut b = format!(
        "The {} rota for {}, as published. Times in {}.\n\n",
        model.team.name,
        month_name(plan),
        tz.name()
    );
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            [
                timefmt::short(r.start, tz),
                timefmt::short(r.end, tz),
                r.rotation.clone(),
                r.person.clone().unwrap_or_else(|| "(nobody)".into()),
                r.note.to_owned(),
            ]
        })
        .collect();
    let header = ["START", "END", "ROTATION", "PERSON", "NOTE"].map(str::to_owned);
    let mut widths = [0usize; 5];
    for row in std::iter::once(&header).chain(&cells) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    for row in std::iter::once(&header).chain(&cells) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if i + 1 < row.len() {
                line.push_str(&" ".repeat(widths[i] - cell.width() + 2));
            }
        }
        b.push_str(line.trim_end());
        b.push('\n');
    }
    if rows.is_empty() {
        b.push_str("(no shifts this month)\n");
    }
    let _ = write!(b, "\n-- \nrota, for {}\n", model.team.name);
    b
}

fn digest_html(model: &Model, plan: &MonthPlan, rows: &[Row]) -> String {
    let tz = model.team.timezone;
    let title = format!(
        "The {} rota for {}",
        html(&model.team.name),
        month_name(plan)
    );
    let mut b = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
         <body>\n<p>{title}, as published. Times in {}.</p>\n\
         <table border=\"1\" cellpadding=\"4\" cellspacing=\"0\">\n\
         <tr><th>Start</th><th>End</th><th>Rotation</th><th>Person</th><th>Note</th></tr>\n",
        tz.name()
    );
    for r in rows {
        let person = match &r.person {
            Some(name) => html(name),
            None => "<strong>(nobody)</strong>".to_owned(),
        };
        let _ = writeln!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{person}</td><td>{}</td></tr>",
            html(&timefmt::short(r.start, tz)),
            html(&timefmt::short(r.end, tz)),
            html(&r.rotation),
            html(r.note),
        );
    }
    b.push_str("</table>\n</body></html>\n");
    b
}

/// Text for HTML: `& < > " '` escaped.
fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `December 2026`.
pub fn month_name(plan: &MonthPlan) -> String {
    plan.month.format("%B %Y").to_string()
}

/// `2026-12`.
pub fn month_id(plan: &MonthPlan) -> String {
    plan.month.format("%Y-%m").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_what_would_be_markup() {
        assert_eq!(
            html("<b>Zoë</b> & \"O'Neil\""),
            "&lt;b&gt;Zoë&lt;/b&gt; &amp; &quot;O&#39;Neil&quot;"
        );
    }
}
