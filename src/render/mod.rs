//! Data → bytes. Renderers never touch files, the clock or the environment.

pub mod announcement;
pub mod check;
pub mod coverage;
pub mod csv;
pub mod diff;
pub mod email;
pub mod github;
pub mod grid;
pub mod html;
pub mod ics;
pub mod json;
pub mod markdown;
pub mod notice;
pub mod publish;
pub mod table;
pub mod validate;

use chrono_tz::Tz;

use crate::model::Model;
use crate::plan::{Period, Shift};

/// The shifts of a period as `rota plan` shows them.
pub struct PlanView<'a> {
    pub model: &'a Model,
    pub shifts: &'a [Shift],
    pub period: Period,
    /// The display zone.
    pub tz: Tz,
}

/// The person's id and name, or None for an unassigned turn.
pub fn assignee<'m>(model: &'m Model, shift: &Shift) -> Option<(&'m str, &'m str)> {
    shift
        .person
        .map(|p| (model.people[p].id.as_str(), model.people[p].name.as_str()))
}
