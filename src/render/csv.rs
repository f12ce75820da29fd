//! `rota plan --format csv`: one row per shift, times in RFC 3339 in the display zone.

use std::borrow::Cow;

use super::{PlanView, assignee};
use crate::timefmt::rfc3339;

pub fn plan(view: &PlanView) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["rotation", "person", "name", "start", "end", "override"]);
    for s in view.shifts {
        let who = assignee(view.model, s);
        let _ = w.write_record([
            inert(&view.model.rotations[s.rotation()].name).as_ref(),
            inert(who.map_or("", |w| w.0)).as_ref(),
            inert(who.map_or("", |w| w.1)).as_ref(),
            &rfc3339(s.start, view.tz),
            &rfc3339(s.end, view.tz),
            if s.is_override { "true" } else { "false" },
        ]);
    }
    // Writing into a Vec cannot fail.
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// A text cell a spreadsheet will not run: one that starts with `=`, `+`, `-`, `@`, a tab or a
/// carriage return is read as a formula by Excel, LibreOffice and Google Sheets, so it gets a
/// leading `'` (OWASP's advice for CSV injection), which they show as text.
fn inert(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::inert;

    #[test]
    fn cells_that_read_as_formulas_are_quoted() {
        assert_eq!(
            inert("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(inert("+1"), "'+1");
        assert_eq!(inert("-2+3"), "'-2+3");
        assert_eq!(inert("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(inert("Ana = Popescu"), "Ana = Popescu");
    }
}
