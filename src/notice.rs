//! What people were told about their shifts, and the change notices due when the plan no
//! longer says the same. Pure: the plan, "now" and the facts told are values.

use chrono::{DateTime, Utc};

use crate::model::Model;
use crate::plan::Shift;

/// A slot named by its rotation: the one slot identity of [`crate::slot`].
pub use crate::slot::SlotId as SlotRef;

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
            slot: shift.slot.id(model),
            person: model.people[shift.person?].id.clone(),
            start: shift.start,
            end: shift.end,
        })
    }
}
