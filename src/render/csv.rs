//! `rota plan --format csv`: one row per shift, times in RFC 3339 in the display zone.

use super::{PlanView, assignee};
use crate::timefmt::rfc3339;

pub fn plan(view: &PlanView) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["rotation", "person", "name", "start", "end", "override"]);
    for s in view.shifts {
        let who = assignee(view.model, s);
        let _ = w.write_record([
            view.model.rotations[s.rotation].name.as_str(),
            who.map_or("", |w| w.0),
            who.map_or("", |w| w.1),
            &rfc3339(s.start, view.tz),
            &rfc3339(s.end, view.tz),
            if s.is_override { "true" } else { "false" },
        ]);
    }
    // Writing into a Vec cannot fail.
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
