//! `[calendar]` and `[caldav]`: the feeds' UIDs and alarms, and the server `rota sync` fills.

use std::path::PathBuf;

use super::Validator;
use crate::config::raw::{self, S};
use crate::model::{Alarms, CaldavSettings, CalendarSettings};

impl Validator<'_> {
    pub(super) fn calendar(&mut self, calendar: Option<S<raw::RawCalendar>>) -> CalendarSettings {
        let mut settings = CalendarSettings::default();
        let Some(calendar) = calendar else {
            return settings;
        };
        let c = calendar.into_inner();
        if let Some(domain) = &c.uid_domain {
            let text = domain.get_ref();
            let ok = !text.is_empty()
                && text
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '.'));
            if !ok {
                self.error(
                    domain.span(),
                    format!("`{}` is not a domain for event UIDs", text.escape_debug()),
                    "write a domain you own, e.g. \"rota.acme.example\" (ASCII letters, digits, `-` and `.`)",
                );
            }
            settings.uid_domain = Some(text.clone());
        }
        if let Some(alarms) = &c.alarms {
            settings.alarms = match alarms.get_ref().as_str() {
                "person" => Alarms::Person,
                "all" => Alarms::All,
                "none" => Alarms::None,
                other => {
                    self.error(
                        alarms.span(),
                        format!("unknown alarms setting `{}`", other.escape_debug()),
                        "use \"person\" (alarms in person feeds only), \"all\" or \"none\"",
                    );
                    Alarms::Person
                }
            };
        }
        if let Some(url) = &c.base_url {
            let text = url.get_ref().trim();
            let host_ok = text.split_once("://").is_some_and(|(scheme, rest)| {
                matches!(scheme, "https" | "http") && !rest.is_empty() && !rest.starts_with('/')
            });
            if !host_ok || text.chars().any(|ch| ch.is_whitespace() || ch.is_control()) {
                self.error(
                    url.span(),
                    format!("`{}` is not a base URL for the feeds", text.escape_debug()),
                    "write where the exported folder is served, e.g. \"https://rota.acme.example/calendar/\"",
                );
            } else if text.ends_with('/') {
                settings.base_url = Some(text.to_string());
            } else {
                settings.base_url = Some(format!("{text}/"));
            }
        }
        settings
    }

    pub(super) fn caldav(&mut self, caldav: S<raw::RawCaldav>) -> CaldavSettings {
        let header = self.header_span(caldav.span());
        let c = caldav.into_inner();
        let url = match &c.url {
            Some(u) => {
                let text = u.get_ref().trim();
                let scheme_ok = text.starts_with("https://") || text.starts_with("http://");
                let host_ok = text
                    .split_once("://")
                    .is_some_and(|(_, rest)| !rest.is_empty() && !rest.starts_with('/'));
                if !scheme_ok || !host_ok || text.chars().any(|ch| ch.is_whitespace()) {
                    self.error(
                        u.span(),
                        format!("`{}` is not a CalDAV URL", text.escape_debug()),
                        "write the URL of the folder that holds the calendars, e.g. \"https://dav.acme.example/rota/\"",
                    );
                } else if text.starts_with("http://") && !is_loopback_url(text) {
                    self.error(
                        u.span(),
                        "http:// would send the CalDAV password in clear text",
                        "use https://; http:// is only allowed for localhost or 127.0.0.1",
                    );
                }
                let mut url = text.to_string();
                if !url.ends_with('/') {
                    url.push('/');
                }
                url
            }
            None => {
                self.missing(
                    header,
                    "[caldav]",
                    "url",
                    "\"https://dav.acme.example/rota/\"",
                );
                String::new()
            }
        };
        let password_env = c.password_env.as_ref().map(|v| {
            let name = v.get_ref();
            let valid = !name.is_empty()
                && name.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
                && !name.starts_with(|ch: char| ch.is_ascii_digit());
            if !valid {
                self.error(
                    v.span(),
                    format!("`{name}` is not an environment variable name"),
                    "name the variable that holds the password, e.g. \"ROTA_CALDAV_PASSWORD\"; never put the password here",
                );
            }
            name.clone()
        });
        let username = c.username.map(|u| self.text_value(u, "CalDAV username"));
        let state = match &c.state {
            Some(s) if s.get_ref().trim().is_empty() => {
                self.error(
                    s.span(),
                    "the state path is empty",
                    "write e.g. \".rota/caldav.json\"",
                );
                PathBuf::from(".rota/caldav.json")
            }
            Some(s) => PathBuf::from(s.get_ref()),
            None => PathBuf::from(".rota/caldav.json"),
        };
        CaldavSettings {
            url,
            username,
            password_env,
            state,
        }
    }
}

/// `http://localhost:5232/`, `http://127.0.0.1/`, `http://[::1]:8080/`.
fn is_loopback_url(url: &str) -> bool {
    let rest = url.trim_start_matches("http://");
    let authority = rest.split('/').next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host.starts_with('[') {
        host.split(']').next().unwrap_or("").trim_start_matches('[')
    } else {
        host.split(':').next().unwrap_or("")
    };
    super::is_loopback(host)
}
