//! The starter rotation.toml of `rota init`: commented, so that it teaches the format, and
//! valid as written, so that `rota validate`, `plan` and `check` work on it at once.

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;

/// What the starter is made for.
#[derive(Debug, Clone)]
pub struct Starter {
    pub name: String,
    pub timezone: Tz,
    pub start: NaiveDate,
}

/// The starter's text. `name` must hold no control character (it is also in a comment).
pub fn starter(s: &Starter) -> String {
    // A TOML string with its quotes and escapes, whatever the name holds.
    let quoted = toml::Value::String(s.name.clone()).to_string();
    let holiday = format!("{}-12-25", s.start.year());
    format!(
        r#"# The support rotation of {name}, read by rota.
# `rota validate` checks this file, `rota plan` shows the shifts, `rota check` finds gaps.

[team]
name = {quoted}
# An IANA zone name: the display zone and every rotation's default zone.
timezone = "{timezone}"
# Turns are counted from this date.
start = {start}

# One [[person]] per member; `id` is short and unique: rotations and file names use it.
[[person]]
id = "ana"
name = "Ana Example"
email = "ana@example.com"
# Their own zone, if not the team's, and whole days away (a range is inclusive):
# timezone = "Europe/Lisbon"
# away = ["{start}..{start_end}"]

[[person]]
id = "ben"
name = "Ben Example"
email = "ben@example.com"

# Daily duty: one person on support each weekday, handed on in the order of `members`.
[[rotation]]
name = "support"
members = ["ana", "ben"]
days = "mon-fri"          # "daily", "mon-fri", "sat,sun", "fri-mon", ...
shift = "09:00-17:00"     # local wall-clock window; "22:00-06:00" crosses midnight
turn = "day"              # how long one person holds it: "day", "week", "2 weeks", ...
# except = ["{holiday}"]  # dates without a shift (public holidays)

# `rota check` reports every moment of `when` with fewer than `min` people on duty.
[[coverage]]
name = "business hours"
when = "mon-fri 09:00-17:00"
min = 1

# `rota remind`, run hourly from cron, emails each person a day before their turn. Without
# [smtp] the emails are written as .eml files to .rota/outbox/ instead.
# [remind]
# before = "24h"
# from = "Support rota <rota@example.com>"
#
# [smtp]
# host = "smtp.example.com"
# port = 587
# security = "starttls"
# username = "rota"
# password_env = "ROTA_SMTP_PASSWORD"   # the variable that holds the password
"#,
        name = s.name,
        timezone = s.timezone.name(),
        start = s.start,
        start_end = s.start + chrono::TimeDelta::days(2),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_is_a_valid_config_for_its_team() {
        let text = starter(&Starter {
            name: "Acme \"Night\" Support".into(),
            timezone: chrono_tz::Asia::Kolkata,
            start: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        });
        let model = crate::config::load(&text, "rotation.toml").expect("valid starter");
        assert_eq!(model.team.name, "Acme \"Night\" Support");
        assert_eq!(model.team.timezone, chrono_tz::Asia::Kolkata);
        assert_eq!(model.team.start.to_string(), "2026-12-01");
        assert_eq!(model.rotations.len(), 1);
    }
}
