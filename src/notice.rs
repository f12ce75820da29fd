//! What people were told about their shifts, and the change notices due when the plan no
//! longer says the same. Pure: the plan, "now" and the facts told are values.

use chrono::{DateTime, NaiveDate, Utc};

use crate::model::Model;
use crate::plan::Shift;

/// A slot of a rotation: its shift on one local date, whoever holds it and whatever its
/// times. The feeds' UIDs, the state file and the Message-IDs all name a slot by it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SlotRef {
    pub rotation: String,
    pub date: NaiveDate,
}

impl SlotRef {
    pub fn of(model: &Model, shift: &Shift) -> SlotRef {
        SlotRef {
            rotation: model.rotations[shift.rotation].name.clone(),
            date: shift.slot.date,
        }
    }

    /// `2026-12-07-support-hero`: the slot as the feeds' UIDs name it, ASCII only.
    pub fn id(&self) -> String {
        format!("{}-{}", self.date, ascii_id(&self.rotation))
    }
}

/// Keeps `A-Z a-z 0-9 - _ .` and percent-encodes every other byte, as the feeds' UIDs do, so
/// two different names never share an id.
pub fn ascii_id(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// One fact a person was told: they hold (part of) a slot from `start` to `end`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Told {
    pub slot: SlotRef,
    pub person: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Told {
    /// What an email about `shift` tells its holder.
    pub fn of(model: &Model, shift: &Shift) -> Option<Told> {
        Some(Told {
            slot: SlotRef::of(model, shift),
            person: model.people[shift.person?].id.clone(),
            start: shift.start,
            end: shift.end,
        })
    }
}
