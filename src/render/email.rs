//! A reminder → an email (lettre `Message`): subject, plain-text body, the turn as `.ics`.
//!
//! lettre encodes non-ASCII names and subjects (RFC 2047) and quotes display names, so a
//! person's name or address can never add a header.

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};

use crate::local_time::local_date;
use crate::model::{Model, PersonIx};
use crate::plan::handover::Handover;
use crate::remind::{Neighbour, Turn};
use crate::render::ics;
use crate::revision::History;
use crate::slot;
use crate::timefmt;

/// The sender when `[remind] from` is not set.
pub const DEFAULT_FROM: &str = "rota <rota@localhost>";

/// One reminder email and what a run reports about it.
pub struct Email {
    pub to: Mailbox,
    pub subject: String,
    /// `<…@…>`, as in the message's header.
    pub message_id: String,
    pub message: Message,
}

/// The reminder for `turn`, written as of `now`; `handovers` are the turn's shifts with who
/// hands over around each, for the attached calendar, whose events `history` revises (what
/// the person was emailed about them before).
pub fn reminder(
    model: &Model,
    turn: &Turn,
    handovers: &[Handover],
    now: DateTime<Utc>,
    from: &Mailbox,
    history: &History,
) -> Result<Email, String> {
    let person = &model.people[turn.person];
    let to = recipient(model, turn.person)?;
    let subject = subject(model, turn, now);
    let calendar = ics::calendar(
        model,
        &format!("{} — {}", model.rotations[turn.rotation].name, person.name),
        handovers,
        history,
    );
    let calendar_type = calendar_type()?;
    let message_id = message_id(model, turn, from);
    let message = Message::builder()
        .from(from.clone())
        .to(to.clone())
        .subject(subject.clone())
        .date(now.into())
        .message_id(Some(message_id.clone()))
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(body(model, turn, now)))
                .singlepart(
                    Attachment::new(attachment_name(model, turn)).body(calendar, calendar_type),
                ),
        )
        .map_err(|e| e.to_string())?;
    Ok(Email {
        to,
        subject,
        message_id,
        message,
    })
}

/// "Your support-hero turn starts tomorrow, Mon 7 Dec 09:00 CET", in the person's zone.
pub fn subject(model: &Model, turn: &Turn, now: DateTime<Utc>) -> String {
    let tz = model.people[turn.person].timezone;
    let rotation = one_line(&model.rotations[turn.rotation].name);
    let at = timefmt::short(turn.start, tz);
    match relative_day(turn.start, now, tz) {
        Some(day) => format!("Your {rotation} turn starts {day}, {at}"),
        None => format!("Your {rotation} turn starts {at}"),
    }
}

/// "today" or "tomorrow" as the person counts days; None further ahead.
pub fn relative_day(start: DateTime<Utc>, now: DateTime<Utc>, tz: Tz) -> Option<&'static str> {
    let days = local_date(tz, start) - local_date(tz, now);
    if days == TimeDelta::zero() {
        Some("today")
    } else if days == TimeDelta::days(1) {
        Some("tomorrow")
    } else {
        None
    }
}

fn body(model: &Model, turn: &Turn, now: DateTime<Utc>) -> String {
    let person = &model.people[turn.person];
    let rotation = &model.rotations[turn.rotation].name;
    let own = person.timezone;
    let team = model.team.timezone;
    let mut b = String::new();
    b.push_str(&format!("Hello {},\n\n", person.name));
    let when = relative_day(turn.start, now, own)
        .map(|d| format!(" {d}"))
        .unwrap_or_default();
    b.push_str(&format!(
        "your turn on {rotation} ({}) starts{when}.\n",
        model.team.name
    ));
    if turn.is_override {
        b.push_str("You take it over from the regular rotation (an override).\n");
    }
    b.push('\n');
    if own == team {
        b.push_str(&format!("Your time, also the team's ({}):\n", own.name()));
        b.push_str(&span(turn, own));
    } else {
        b.push_str(&format!("Your time ({}):\n", own.name()));
        b.push_str(&span(turn, own));
        b.push_str(&format!("\nThe team's time ({}):\n", team.name()));
        b.push_str(&span(turn, team));
    }
    if turn.shifts.len() > 1 {
        b.push_str(&format!(
            "\nYour {} shifts (your time):\n",
            turn.shifts.len()
        ));
        for s in &turn.shifts {
            b.push_str(&format!("  {}\n", shift_line(s.start, s.end, own)));
        }
    }
    b.push('\n');
    let name = |n: Neighbour, you: &str| match n {
        Neighbour::Person(p) if p == turn.person => Some(you.to_owned()),
        Neighbour::Person(p) => Some(model.people[p].name.clone()),
        Neighbour::Nobody => Some("nobody (that shift is unassigned)".to_owned()),
        Neighbour::Unknown => None,
    };
    if let Some(n) = name(turn.previous, "you (your previous turn runs into this one)") {
        b.push_str(&format!("Handing over to you: {n}\n"));
    }
    if let Some(n) = name(turn.next, "you (your next turn follows on)") {
        b.push_str(&format!("You hand over to: {n}\n"));
    }
    b.push_str(&format!(
        "\nThe attached {} adds the turn to your calendar.\n\n-- \nrota, for {}\n",
        attachment_name(model, turn),
        model.team.name
    ));
    b
}

pub fn span(turn: &Turn, tz: Tz) -> String {
    format!(
        "  starts  {}\n  ends    {}\n",
        long(turn.start, tz),
        long(turn.end, tz)
    )
}

/// `Mon 7 Dec 2026 09:00 CET`.
pub fn long(instant: DateTime<Utc>, tz: Tz) -> String {
    instant
        .with_timezone(&tz)
        .format("%a %-d %b %Y %H:%M %Z")
        .to_string()
}

/// `Mon 7 Dec 09:00 CET to 17:00 CET`, naming the end's day when it is another.
pub fn shift_line(start: DateTime<Utc>, end: DateTime<Utc>, tz: Tz) -> String {
    let end_text = if local_date(tz, start) == local_date(tz, end) {
        end.with_timezone(&tz).format("%H:%M %Z").to_string()
    } else {
        timefmt::short(end, tz)
    };
    format!("{} to {end_text}", timefmt::short(start, tz))
}

/// `support-hero-2026-12-07.ics`, ASCII only so every mail client shows it.
fn attachment_name(model: &Model, turn: &Turn) -> String {
    let rotation: String = model.rotations[turn.rotation]
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let date = local_date(model.people[turn.person].timezone, turn.start);
    format!("{rotation}-{date}.ics")
}

/// The same reminder always gets the same Message-ID, so a server or client that sees a
/// retry after an uncertain delivery can tell it is the same mail: the reminder's key (the
/// slot part its turn starts with, and the person).
/// `<rota.reminder.2026-12-07-support-hero.ana@acme.example>`.
fn message_id(model: &Model, turn: &Turn, from: &Mailbox) -> String {
    let key = turn.key(model);
    message_id_of(
        "reminder",
        &[&key.turn.to_string(), &slot::escape(&key.person)],
        from,
    )
}

/// `<rota.KIND.PART.PART@sender's domain>`; each part ASCII (see [`slot::escape`]), so the ID is
/// a valid `msg-id` whatever the names.
pub fn message_id_of(kind: &str, parts: &[&str], from: &Mailbox) -> String {
    let mut id = format!("<rota.{kind}");
    for part in parts {
        id.push('.');
        id.push_str(part);
    }
    id.push('@');
    id.push_str(from.email.domain());
    id.push('>');
    id
}

/// The person's mailbox: their name (on one line) and validated address.
pub fn recipient(model: &Model, person: PersonIx) -> Result<Mailbox, String> {
    let person = &model.people[person];
    let address = person
        .email
        .as_deref()
        .ok_or_else(|| format!("{} has no email address", person.id))?;
    Ok(Mailbox::new(
        Some(one_line(&person.name)),
        address
            .parse()
            .map_err(|e| format!("`{address}` is not an email address: {e}"))?,
    ))
}

/// The content type of a `.ics` attachment.
pub fn calendar_type() -> Result<ContentType, String> {
    ContentType::parse("text/calendar; charset=utf-8").map_err(|e| format!("text/calendar: {e}"))
}

/// Text for a header: control characters (line breaks above all) become spaces.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> Model {
        crate::config::load(
            r#"
[team]
name = "Acme Support"
timezone = "Europe/Berlin"
start = 2026-12-07

[[person]]
id = "ana"
name = "Ana Popescu"
email = "ana@example.com"
timezone = "Europe/Bucharest"

[[person]]
id = "bo"
name = "Bo Ek"
email = "bo@example.com"

[[rotation]]
name = "emea"
members = ["ana", "bo"]
shift = "08:00-16:00"
turn = "week"
"#,
            "test.toml",
        )
        .expect("valid config")
    }

    fn at(text: &str) -> DateTime<Utc> {
        timefmt::parse_instant(text, chrono_tz::Europe::Berlin).unwrap()
    }

    fn turn(m: &Model, now: &str) -> (Turn, DateTime<Utc>) {
        let now = at(now);
        let due = crate::remind::due(m, now, |_| false);
        (due.reminders[0].clone(), now)
    }

    #[test]
    fn a_week_turn_reads_in_both_zones_with_every_shift() {
        let m = model();
        let (t, now) = turn(&m, "2026-12-13T12:00");
        assert_eq!(
            subject(&m, &t, now),
            "Your emea turn starts tomorrow, Mon 14 Dec 08:00 CET"
        );
        insta::assert_snapshot!(body(&m, &t, now));
    }

    #[test]
    fn the_subject_counts_days_in_the_persons_zone() {
        let m = model();
        // 23:30 in Berlin is already the next day in Bucharest.
        let (t, now) = turn(&m, "2026-12-06T23:30");
        assert_eq!(
            subject(&m, &t, now),
            "Your emea turn starts today, Mon 7 Dec 09:00 EET"
        );
    }

    #[test]
    fn the_same_reminder_keeps_its_message_id() {
        let m = model();
        let from: Mailbox = DEFAULT_FROM.parse().unwrap();
        let (t, now) = turn(&m, "2026-12-06T12:00");
        let handovers = crate::plan::handover::around(&m, &t.shifts);
        let history = History::new(&m, now, Default::default());
        let a = reminder(&m, &t, &handovers, now, &from, &history)
            .unwrap()
            .message
            .formatted();
        let b = reminder(
            &m,
            &t,
            &handovers,
            now + TimeDelta::hours(1),
            &from,
            &history,
        )
        .unwrap()
        .message
        .formatted();
        let id = |bytes: &[u8]| {
            String::from_utf8_lossy(bytes)
                .lines()
                .find(|l| l.starts_with("Message-ID:"))
                .map(str::to_owned)
        };
        assert_eq!(id(&a), id(&b));
        assert_eq!(
            id(&a).unwrap(),
            "Message-ID: <rota.reminder.2026-12-07-emea.ana@localhost>"
        );
    }
}
