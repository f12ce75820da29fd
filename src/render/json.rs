//! The contract's JSON shapes. Field order is part of the promise; shapes only gain fields.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::{OnDuty, PlanView, assignee};
use crate::model::Model;
use crate::timefmt::rfc3339;

#[derive(Serialize)]
struct PlanJson<'a> {
    from: String,
    to: String,
    timezone: &'a str,
    shifts: Vec<ShiftJson<'a>>,
}

#[derive(Serialize)]
struct ShiftJson<'a> {
    rotation: &'a str,
    person: Option<&'a str>,
    name: Option<&'a str>,
    start: String,
    end: String,
    #[serde(rename = "override")]
    is_override: bool,
}

pub fn plan(view: &PlanView) -> String {
    let doc = PlanJson {
        from: rfc3339(view.period.from, view.tz),
        to: rfc3339(view.period.to, view.tz),
        timezone: view.tz.name(),
        shifts: view
            .shifts
            .iter()
            .map(|s| {
                let who = assignee(view.model, s);
                ShiftJson {
                    rotation: &view.model.rotations[s.rotation].name,
                    person: who.map(|w| w.0),
                    name: who.map(|w| w.1),
                    start: rfc3339(s.start, view.tz),
                    end: rfc3339(s.end, view.tz),
                    is_override: s.is_override,
                }
            })
            .collect(),
    };
    to_string(&doc)
}

#[derive(Serialize)]
struct WhoJson<'a> {
    at: String,
    on_duty: Vec<OnDutyJson<'a>>,
}

#[derive(Serialize)]
struct OnDutyJson<'a> {
    rotation: &'a str,
    person: Option<&'a str>,
    name: Option<&'a str>,
    email: Option<&'a str>,
    start: Option<String>,
    end: Option<String>,
    #[serde(rename = "override")]
    is_override: bool,
}

pub fn who(model: &Model, at: DateTime<Utc>, on_duty: &[OnDuty], tz: Tz) -> String {
    let doc = WhoJson {
        at: rfc3339(at, tz),
        on_duty: on_duty
            .iter()
            .map(|d| {
                let person = d.shift.and_then(|s| s.person).map(|p| &model.people[p]);
                OnDutyJson {
                    rotation: &model.rotations[d.rotation].name,
                    person: person.map(|p| p.id.as_str()),
                    name: person.map(|p| p.name.as_str()),
                    email: person.and_then(|p| p.email.as_deref()),
                    start: d.shift.map(|s| rfc3339(s.start, tz)),
                    end: d.shift.map(|s| rfc3339(s.end, tz)),
                    is_override: d.shift.is_some_and(|s| s.is_override),
                }
            })
            .collect(),
    };
    to_string(&doc)
}

/// Pretty JSON with a final newline; serialising these plain structs cannot fail.
pub fn to_string<T: Serialize>(doc: &T) -> String {
    let mut s = serde_json::to_string_pretty(doc).unwrap_or_default();
    s.push('\n');
    s
}
