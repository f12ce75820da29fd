//! What `rota publish` did, as text or JSON.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::published::LockedTurn;
use crate::published::publish::Publication;
use crate::slot;

/// A publication as the command reports it.
pub struct PublishView<'a> {
    pub publication: &'a Publication,
    /// The lock file, as the user named it.
    pub lock: &'a str,
    pub dry_run: bool,
}

/// One line per turn dropped (`-`) or added (`+`), then a summary.
pub fn text(view: &PublishView) -> String {
    let p = view.publication;
    let mut out = String::new();
    // Written straight into the text: a large organisation's year is hundreds of thousands
    // of turns.
    let line = |out: &mut String, sign: char, t: &LockedTurn| {
        let person = t.person.as_deref().unwrap_or("(nobody)");
        let rotation = &t.slot.rotation;
        out.push(sign);
        out.push(' ');
        out.push_str(rotation);
        // Padded to 20 columns, as `{:<20}` pads (by characters).
        let width = rotation.chars().count();
        out.extend(std::iter::repeat_n(' ', 20usize.saturating_sub(width) + 1));
        slot::push_date(out, t.slot.date);
        out.push_str(" .. ");
        slot::push_date(out, t.last);
        out.push_str("  ");
        out.push_str(person);
        for (i, o) in t.overrides.iter().enumerate() {
            out.push_str(if i == 0 { ", with overrides: " } else { ", " });
            let _ = write!(
                out,
                "{} {} .. {}",
                o.person,
                o.from.format("%Y-%m-%d %H:%M"),
                o.to.format("%Y-%m-%d %H:%M")
            );
        }
        out.push('\n');
    };
    for t in &p.dropped {
        line(&mut out, '-', t);
    }
    for t in &p.added {
        line(&mut out, '+', t);
    }
    let through = p
        .lock
        .through
        .map_or("nothing".to_string(), |d| d.to_string());
    let mut parts = Vec::new();
    if !p.dropped.is_empty() {
        parts.push(format!(
            "{} {}",
            if view.dry_run {
                "would drop"
            } else {
                "dropped"
            },
            turns(p.dropped.len())
        ));
    }
    if !p.added.is_empty() {
        parts.push(format!(
            "{} {}",
            if view.dry_run { "would add" } else { "added" },
            turns(p.added.len())
        ));
    }
    if parts.is_empty() {
        out.push_str(&format!(
            "nothing to add: {} already holds every turn through {through}\n",
            view.lock
        ));
    } else {
        out.push_str(&format!(
            "{}: {}; published through {through}{}\n",
            view.lock,
            parts.join(", "),
            if view.dry_run {
                " (dry run: nothing written)"
            } else {
                ""
            }
        ));
    }
    out
}

/// `{"lock", "through", "dry_run", "added": [...], "dropped": [...]}`.
pub fn json(view: &PublishView) -> String {
    let p = view.publication;
    let turns = |list: &[LockedTurn]| -> Value {
        list.iter()
            .map(|t| {
                json!({
                    "rotation": t.slot.rotation,
                    "slot": t.slot.date.to_string(),
                    "last": t.last.to_string(),
                    "person": t.person,
                    "overrides": t.overrides.iter().map(|o| json!({
                        "from": o.from.to_rfc3339(),
                        "to": o.to.to_rfc3339(),
                        "person": o.person,
                    })).collect::<Vec<Value>>(),
                })
            })
            .collect()
    };
    let value = json!({
        "lock": view.lock,
        "through": p.lock.through.map(|d| d.to_string()),
        "dry_run": view.dry_run,
        "added": turns(&p.added),
        "dropped": turns(&p.dropped),
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

fn turns(n: usize) -> String {
    if n == 1 {
        "1 turn".into()
    } else {
        format!("{n} turns")
    }
}
