//! `rota plan --format markdown`: a table to paste into a wiki page or a pull request.

use super::{PlanView, assignee};
use crate::timefmt::human;

pub fn plan(view: &PlanView) -> String {
    let mut out = format!(
        "| Start ({tz}) | End | Rotation | Person | Note |\n|---|---|---|---|---|\n",
        tz = view.tz.name()
    );
    for s in view.shifts {
        let person = match assignee(view.model, s) {
            Some((_, name)) => cell(name),
            None => "—".to_string(),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            human(s.start, view.tz),
            human(s.end, view.tz),
            cell(&view.model.rotations[s.rotation()].name),
            person,
            super::table::note(s),
        ));
    }
    out
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}
