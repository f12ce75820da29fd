//! iCalendar (RFC 5545) feeds. Minimal first version; `rota export` (issue 4) completes it.
//! The signature of `calendar` is used by reminders for their `.ics` attachment.

use icalendar::{Calendar, Component, EventLike};

use crate::model::Model;
use crate::plan::Shift;

/// A calendar named `name` holding one event per shift, times in UTC.
pub fn calendar(model: &Model, name: &str, shifts: &[Shift]) -> String {
    let mut cal = Calendar::new();
    cal.name(name);
    for s in shifts {
        let rotation = &model.rotations[s.rotation].name;
        let who = s.person.map_or("nobody", |p| model.people[p].name.as_str());
        let uid = format!("{rotation}-{}-{}@rota", s.slot.date, s.start.timestamp());
        cal.push(
            icalendar::Event::new()
                .uid(&uid)
                .timestamp(s.slot.start)
                .summary(&format!("{who} — {rotation}"))
                .starts(s.start)
                .ends(s.end)
                .done(),
        );
    }
    cal.done().to_string()
}
