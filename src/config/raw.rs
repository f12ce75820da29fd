//! The config as written: serde structs that keep spans so validation can point at the text.
//!
//! Every key is optional here so that validation can report all missing keys at once.

use serde::Deserialize;
use toml::Spanned;

pub type S<T> = Spanned<T>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub team: Option<S<RawTeam>>,
    #[serde(default)]
    pub person: Vec<S<RawPerson>>,
    #[serde(default)]
    pub rotation: Vec<S<RawRotation>>,
    #[serde(default)]
    pub coverage: Vec<S<RawCoverage>>,
    #[serde(default, rename = "override")]
    pub overrides: Vec<S<RawOverride>>,
    pub remind: Option<S<RawRemind>>,
    pub smtp: Option<S<RawSmtp>>,
    pub check: Option<S<RawCheck>>,
    pub calendar: Option<S<RawCalendar>>,
    pub caldav: Option<S<RawCaldav>>,
    pub announce: Option<S<RawAnnounce>>,
    /// Keys the reader set aside for a wrong type, so that validation does not call them
    /// missing as well. Not a key of the file.
    #[serde(skip)]
    pub set_aside: Vec<SetAside>,
}

/// A key of the file that could not be read; `table` is the span of the table holding it
/// (the span its raw struct carries), None at the top level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAside {
    pub table: Option<std::ops::Range<usize>>,
    pub key: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTeam {
    pub name: Option<S<String>>,
    pub timezone: Option<S<String>>,
    pub start: Option<S<toml::Value>>,
    /// Dates, ranges or `.ics` paths: no shift of any rotation on these days.
    #[serde(default)]
    pub holidays: Vec<S<toml::Value>>,
    pub lock: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPerson {
    pub id: Option<S<String>>,
    pub name: Option<S<String>>,
    pub email: Option<S<String>>,
    pub timezone: Option<S<String>>,
    #[serde(default)]
    pub away: Vec<S<toml::Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRotation {
    pub name: Option<S<String>>,
    #[serde(default)]
    pub members: Option<S<Vec<S<String>>>>,
    pub timezone: Option<S<String>>,
    pub days: Option<S<String>>,
    pub shift: Option<S<String>>,
    pub turn: Option<S<String>>,
    #[serde(default)]
    pub except: Vec<S<toml::Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCoverage {
    pub name: Option<S<String>>,
    pub rotations: Option<Vec<S<String>>>,
    pub when: Option<S<When>>,
    pub timezone: Option<S<String>>,
    pub min: Option<S<i64>>,
    #[serde(default)]
    pub except: Vec<S<toml::Value>>,
}

/// `when` is one string (`"always"`, `"mon-fri 08:00-20:00; sat 10:00-14:00"`) or a list.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum When {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOverride {
    pub rotation: Option<S<String>>,
    pub person: Option<S<String>>,
    pub from: Option<S<toml::Value>>,
    pub to: Option<S<toml::Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRemind {
    pub before: Option<S<String>>,
    pub from: Option<S<String>>,
    pub state: Option<S<String>>,
    pub notices: Option<S<bool>>,
    pub deadline: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAnnounce {
    pub to: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSmtp {
    pub host: Option<S<String>>,
    pub port: Option<S<i64>>,
    pub security: Option<S<String>>,
    pub username: Option<S<String>>,
    pub password_env: Option<S<String>>,
    /// Refused with a pointer to `password_env`; read only to say so without echoing it.
    pub password: Option<S<toml::Value>>,
    pub timeout: Option<S<String>>,
    pub ca_file: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCheck {
    pub night: Option<S<String>>,
    /// The default severity of the workload rules: "warning" (default) or "error".
    pub severity: Option<S<String>>,
    /// `"30%"`, or `{ limit = "30%", severity = "error" }`.
    pub max_share: Option<S<toml::Value>>,
    /// `"11h"`, or `{ limit = "11h", severity = "error" }`.
    pub min_rest: Option<S<toml::Value>>,
    /// `6`, or `{ limit = 6, severity = "error" }`.
    pub max_consecutive_days: Option<S<toml::Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCalendar {
    pub uid_domain: Option<S<String>>,
    pub alarms: Option<S<String>>,
    pub base_url: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCaldav {
    pub url: Option<S<String>>,
    pub username: Option<S<String>>,
    pub password_env: Option<S<String>>,
    pub state: Option<S<String>>,
}
