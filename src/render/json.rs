//! The contract's JSON shapes. Field order is part of the promise; shapes only gain fields.

use std::io::Write;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::PlanView;
use crate::duty::Duty;
use crate::memo::Memo;
use crate::model::Model;
use crate::parallel;
use crate::plan::Shift;
use crate::timefmt::rfc3339;

/// `plan --format json`, laid out as `serde_json`'s pretty printer lays out
/// `{"from", "to", "timezone", "shifts": [{"rotation", "person", "name", "start", "end",
/// "override"}]}`, and written to `out` as it is put together.
///
/// Laid out here rather than serialised field by field: a year's plan of a large organisation
/// is a million shifts and hundreds of megabytes, and escaping the same names over and over
/// was most of the run. Names are escaped once each, and blocks of shifts are laid out on all
/// cores, then written in order, so that the whole document is never held at once.
pub fn write_plan(view: &PlanView, out: &mut dyn Write) -> std::io::Result<()> {
    write_plan_in_blocks(view, out, BLOCK, 4096)
}

/// Shifts laid out before they are written: a few megabytes of text.
const BLOCK: usize = 65_536;

fn write_plan_in_blocks(
    view: &PlanView,
    out: &mut dyn Write,
    block: usize,
    worth_a_thread: usize,
) -> std::io::Result<()> {
    let quoted = |text: &str| serde_json::to_string(text).unwrap_or_default();
    let rotations: Vec<String> = view
        .model
        .rotations
        .iter()
        .map(|r| quoted(&r.name))
        .collect();
    let people: Vec<(String, String)> = view
        .model
        .people
        .iter()
        .map(|p| (quoted(&p.id), quoted(&p.name)))
        .collect();
    let lay_out = |shifts: &[Shift]| -> Vec<String> {
        let mut text = String::with_capacity(shifts.len() * 256);
        // Many shifts start and end at the same instants (every team's leg at 08:00): each
        // instant's zone lookup and formatting is done once.
        let mut times: Memo<DateTime<Utc>, String> = Memo::default();
        let mut push_time = |text: &mut String, instant: DateTime<Utc>| {
            text.push_str(times.get(instant, || rfc3339(instant, view.tz)));
        };
        for shift in shifts {
            let (person, name) = match shift.person {
                Some(p) => (people[p].0.as_str(), people[p].1.as_str()),
                None => ("null", "null"),
            };
            for part in [
                ",\n    {\n      \"rotation\": ",
                &rotations[shift.rotation()],
                ",\n      \"person\": ",
                person,
                ",\n      \"name\": ",
                name,
                ",\n      \"start\": \"",
            ] {
                text.push_str(part);
            }
            push_time(&mut text, shift.start);
            text.push_str("\",\n      \"end\": \"");
            push_time(&mut text, shift.end);
            text.push_str("\",\n      \"override\": ");
            text.push_str(if shift.is_override { "true" } else { "false" });
            text.push_str("\n    }");
        }
        vec![text]
    };

    let mut head = format!(
        "{{\n  \"from\": {},\n  \"to\": {},\n  \"timezone\": {},\n  \"shifts\": [",
        quoted(&rfc3339(view.period.from, view.tz)),
        quoted(&rfc3339(view.period.to, view.tz)),
        quoted(view.tz.name()),
    );
    if view.shifts.is_empty() {
        head.push_str("]\n}\n");
        return out.write_all(head.as_bytes());
    }
    out.write_all(head.as_bytes())?;
    let mut first = true;
    for shifts in view.shifts.chunks(block) {
        for part in parallel::map_parts(shifts, worth_a_thread, lay_out) {
            // Every shift begins with the comma that separates it from the one before.
            let part = if first { &part[1..] } else { &part[..] };
            first = false;
            out.write_all(part.as_bytes())?;
        }
    }
    out.write_all(b"\n  ]\n}\n")
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
    /// Why nobody is on duty: `not-started`, `holiday`, `off-day`, `off-hours`, `unassigned`.
    reason: Option<&'static str>,
    /// The next stretch of duty held by someone else (or by nobody, `person: null`).
    next: Option<NextJson<'a>>,
}

#[derive(Serialize)]
struct NextJson<'a> {
    person: Option<&'a str>,
    name: Option<&'a str>,
    email: Option<&'a str>,
    start: String,
    end: String,
    #[serde(rename = "override")]
    is_override: bool,
}

pub fn who(model: &Model, at: DateTime<Utc>, duties: &[Duty], tz: Tz) -> String {
    let doc = WhoJson {
        at: rfc3339(at, tz),
        on_duty: duties
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
                    reason: d.empty.map(|e| e.name()),
                    next: d.next.map(|s| {
                        let person = s.person.map(|p| &model.people[p]);
                        NextJson {
                            person: person.map(|p| p.id.as_str()),
                            name: person.map(|p| p.name.as_str()),
                            email: person.and_then(|p| p.email.as_deref()),
                            start: rfc3339(s.start, tz),
                            end: rfc3339(s.end, tz),
                            is_override: s.is_override,
                        }
                    }),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{self, Period};

    /// The plan as `serde_json` would lay it out, from a document built field by field.
    fn through_serde(view: &PlanView) -> String {
        let shifts: Vec<serde_json::Value> = view
            .shifts
            .iter()
            .map(|s| {
                let person = s.person.map(|p| &view.model.people[p]);
                serde_json::json!({
                    "rotation": view.model.rotations[s.rotation()].name,
                    "person": person.map(|p| &p.id),
                    "name": person.map(|p| &p.name),
                    "start": rfc3339(s.start, view.tz),
                    "end": rfc3339(s.end, view.tz),
                    "override": s.is_override,
                })
            })
            .collect();
        let doc = serde_json::json!({
            "from": rfc3339(view.period.from, view.tz),
            "to": rfc3339(view.period.to, view.tz),
            "timezone": view.tz.name(),
            "shifts": shifts,
        });
        to_string(&doc)
    }

    #[test]
    fn the_plan_is_laid_out_as_serde_json_lays_it_out() {
        // Quotes, backslashes and non-ASCII in names; a turn nobody can take (both
        // members away); an override; thousands of shifts, so that blocks and parts join.
        let config = r#"
            [team]
            name = "T"
            timezone = "Europe/Berlin"
            start = 2026-01-01
            [[person]]
            id = "a"
            name = "Ana \"the hero\" Popescu \\ Ş/€"
            away = ["2026-03-02..2026-03-08"]
            [[person]]
            id = "b"
            name = "Ben"
            away = ["2026-03-02..2026-03-08"]
            [[rotation]]
            name = "duty.one"
            members = ["a", "b"]
            shift = "09:00-17:00"
            [[rotation]]
            name = "night"
            members = ["b"]
            timezone = "America/New_York"
            shift = "22:00-06:00"
            [[override]]
            rotation = "night"
            person = "a"
            from = 2026-05-01T23:00:00
            to = 2026-05-02T02:00:00
        "#;
        let model = crate::config::load(config, "rotation.toml").expect("valid config");
        let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        for months in [0, 1, 60] {
            let period = Period::months(day, months, chrono_tz::Europe::Berlin);
            let shifts = plan::plan(&model, period);
            let view = PlanView {
                model: &model,
                shifts: &shifts,
                period,
                tz: chrono_tz::Asia::Kolkata,
            };
            let expected = through_serde(&view);
            let mut out = Vec::new();
            write_plan(&view, &mut out).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), expected);
            // Small blocks shared out in small parts: the joins between them are right too.
            let mut out = Vec::new();
            write_plan_in_blocks(&view, &mut out, 500, 10).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), expected);
            if months == 60 {
                assert!(shifts.len() > 1000, "{} shifts", shifts.len());
                assert!(shifts.iter().any(|s| s.person.is_none()));
                assert!(shifts.iter().any(|s| s.is_override));
            }
        }
    }
}
