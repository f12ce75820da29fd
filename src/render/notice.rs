//! A change notice → an email: what moved in one of the person's turns, before and after, in
//! their own zone, with what they now hold of it as `.ics`.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use lettre::Message;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};

use super::email::{
    Email, calendar_type, long, message_id_of, one_line, recipient, relative_day, shift_line,
};
use crate::model::Model;
use crate::notice::{Holder, Notice, Piece, SlotChange};
use crate::remind::Turn;
use crate::slot;

/// The email of `notice`, written as of `now`, with `calendar` (what the person now holds of
/// the changed slots) attached; it stands for the reminders of `reminds`, turns it tells of
/// that are due.
pub fn notice(
    model: &Model,
    notice: &Notice,
    now: DateTime<Utc>,
    from: &Mailbox,
    calendar: Option<String>,
    reminds: &[&Turn],
) -> Result<Email, String> {
    let to = recipient(model, notice.person)?;
    let subject = subject(model, notice);
    let message_id = message_id(model, notice, from);
    let message = Message::builder()
        .from(from.clone())
        .to(to.clone())
        .subject(subject.clone())
        .date(now.into())
        .message_id(Some(message_id.clone()));
    let text = SinglePart::plain(body(model, notice, now, reminds, calendar.is_some()));
    let message =
        match calendar {
            Some(calendar) => message.multipart(MultiPart::mixed().singlepart(text).singlepart(
                Attachment::new(attachment_name(notice)).body(calendar, calendar_type()?),
            )),
            None => message.singlepart(text),
        }
        .map_err(|e| e.to_string())?;
    Ok(Email {
        to,
        subject,
        message_id,
        message,
    })
}

/// "Your rota changed: support-hero on Wed 16 Dec", or "…: 3 shifts, from Wed 16 Dec".
pub fn subject(model: &Model, notice: &Notice) -> String {
    let tz = model.people[notice.person].timezone;
    let first = &notice.changes[0];
    let day = day(first, tz);
    let rotations: Vec<&str> = {
        let mut names: Vec<&str> = notice
            .changes
            .iter()
            .map(|c| c.slot.rotation.as_str())
            .collect();
        names.dedup();
        names
    };
    if notice.changes.len() == 1 {
        format!(
            "Your rota changed: {} on {day}",
            one_line(&first.slot.rotation)
        )
    } else if rotations.len() == 1 {
        format!(
            "Your rota changed: {} {} shifts, from {day}",
            notice.changes.len(),
            one_line(rotations[0])
        )
    } else {
        format!(
            "Your rota changed: {} shifts, from {day}",
            notice.changes.len()
        )
    }
}

/// The day of a changed slot, in `tz`: where it lies now, or lay before.
fn day(change: &SlotChange, tz: Tz) -> String {
    let start = change
        .after
        .first()
        .or(change.before.first())
        .map(|p| p.start);
    match start {
        Some(t) => t.with_timezone(&tz).format("%a %-d %b").to_string(),
        None => change.slot.date.format("%a %-d %b").to_string(),
    }
}

/// `notice-2026-12-16-support-hero.ics`, ASCII only.
fn attachment_name(notice: &Notice) -> String {
    format!("notice-{}.ics", notice.changes[0].slot)
}

fn body(
    model: &Model,
    notice: &Notice,
    now: DateTime<Utc>,
    reminds: &[&Turn],
    attached: bool,
) -> String {
    let person = &model.people[notice.person];
    let tz = person.timezone;
    let mut b = String::new();
    let _ = writeln!(b, "Hello {},\n", person.name);
    let _ = writeln!(
        b,
        "the {} rota changed where it concerns you. Times are yours ({}).",
        model.team.name,
        tz.name()
    );
    let me = Holder::Person(notice.person);
    for change in &notice.changes {
        let had = change.before.iter().any(|p| p.holder == me);
        let has = change.after.iter().any(|p| p.holder == me);
        let what = match (had, has) {
            (true, false) => "you no longer have it",
            (false, _) => "it is yours now",
            (true, true) => "your part of it changed",
        };
        let _ = writeln!(
            b,
            "\n{}, {}: {what}",
            change.slot.rotation,
            change.slot.date.format("%a %-d %b %Y")
        );
        let _ = write!(b, "  before:\n{}", pieces(model, &change.before, &me, tz));
        let after = if change.after.is_empty() {
            "    no shift (the rotation no longer has this shift)\n".to_owned()
        } else {
            pieces(model, &change.after, &me, tz)
        };
        let _ = write!(b, "  after:\n{after}");
    }
    for turn in reminds {
        let when = relative_day(turn.start, now, tz)
            .map(|d| format!(" {d}"))
            .unwrap_or_default();
        let _ = writeln!(
            b,
            "\nYour turn on {} starts{when}, {}, and ends {}: this email is also its reminder.",
            model.rotations[turn.rotation].name,
            long(turn.start, tz),
            long(turn.end, tz)
        );
    }
    if attached {
        let _ = writeln!(
            b,
            "\nThe attached {} updates your calendar with the change.",
            attachment_name(notice)
        );
    }
    let _ = write!(
        b,
        "\nYour calendar feed shows the change at its next refresh.\n\n-- \nrota, for {}\n",
        model.team.name
    );
    b
}

/// One line per piece: `    Wed 16 Dec 10:00 EET to 14:00 EET  you`.
fn pieces(model: &Model, pieces: &[Piece], me: &Holder, tz: Tz) -> String {
    let mut text = String::new();
    for p in pieces {
        let who = match &p.holder {
            h if h == me => "you".to_owned(),
            Holder::Person(q) => model.people[*q].name.clone(),
            Holder::Former(id) => id.clone(),
            Holder::Nobody => "nobody (unassigned)".to_owned(),
        };
        let _ = writeln!(text, "    {}  {who}", shift_line(p.start, p.end, tz));
    }
    if text.is_empty() {
        text.push_str("    nobody\n");
    }
    text
}

/// The notice of one particular change: its first slot, the person, and a hash of what it
/// says, so that a retry carries the same ID and a later change to the same slot another.
fn message_id(model: &Model, notice: &Notice, from: &Mailbox) -> String {
    let slot = notice.changes[0].slot.to_string();
    let person = slot::escape(&model.people[notice.person].id);
    message_id_of(
        "notice",
        &[&slot, &person, &change_hash(model, notice)],
        from,
    )
}

/// `notice-2026-12-16-support-hero-ana-1a2b3c4d5e6f7a8b.eml`.
pub fn outbox_name(model: &Model, notice: &Notice) -> String {
    format!(
        "notice-{}-{}-{}.eml",
        notice.changes[0].slot,
        slot::escape(&model.people[notice.person].id),
        change_hash(model, notice)
    )
}

/// FNV-1a of the notice's slots, what its recipient was told of them (with the `SEQUENCE`s
/// they were sent) and the slots as planned now: stable across runs and builds, and across
/// retries (what others are told meanwhile does not enter), yet another for each later change
/// (what the recipient was told rises with every notice they get).
fn change_hash(model: &Model, notice: &Notice) -> String {
    let mut text = String::new();
    let holder = |h: &Holder| match h {
        Holder::Person(p) => model.people[*p].id.clone(),
        Holder::Former(id) => id.clone(),
        Holder::Nobody => String::new(),
    };
    for c in &notice.changes {
        let _ = write!(text, "{}\0", c.slot);
        for t in notice.told.iter().filter(|t| t.slot == c.slot) {
            let _ = write!(
                text,
                "b\0{}\0{}\0{}\0",
                t.start.timestamp(),
                t.end.timestamp(),
                t.sequence
            );
        }
        for p in &c.after {
            let _ = write!(
                text,
                "a\0{}\0{}\0{}\0",
                holder(&p.holder),
                p.start.timestamp(),
                p.end.timestamp()
            );
        }
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}
