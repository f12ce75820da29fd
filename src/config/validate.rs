//! Raw config → validated model. Collects every problem with its span and a hint.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::path::PathBuf;
use std::str::FromStr;

use chrono::Utc;
use chrono_tz::Tz;

use super::ReadFile;
use super::diagnostic::Diagnostic;
use super::ics::{self, Occurrence};
use super::raw::{self, S};
use super::suggest;
use super::syntax::{self, Moment, Problem};
use crate::local_time;
use crate::model::{
    AnnounceSettings, CheckSettings, CoverageRule, DateRanges, DaySet, Limit, Lines, Model,
    Override, Person, RemindSettings, Rotation, Security, Share, SmtpSettings, Team, TurnLength,
    When, Window,
};

mod calendar;

pub fn validate(
    mut raw: raw::RawConfig,
    text: &str,
    path: &str,
    read: ReadFile,
) -> Result<Model, Vec<Diagnostic>> {
    let mut v = Validator {
        diags: Vec::new(),
        set_aside: std::mem::take(&mut raw.set_aside),
        text,
        line_ends: text.match_indices('\n').map(|(i, _)| i).collect(),
        path,
        read,
        lines: Lines::default(),
    };
    let holidays = raw
        .team
        .as_ref()
        .map(|t| v.days_off(&t.get_ref().holidays))
        .unwrap_or_default();
    let team = v.team(raw.team);
    let people = v.people(raw.person, &team);
    let person_ix = index(people.iter().map(|p| p.id.as_str()));
    let rotations = v.rotations(raw.rotation, &team, &holidays, &people, &person_ix);
    let rotation_ix = index(rotations.iter().map(|r| r.name.as_str()));
    let coverage = v.coverage(raw.coverage, &team, &rotations, &rotation_ix);
    let overrides = v.overrides(raw.overrides, &rotations, &rotation_ix, &people, &person_ix);
    let remind = v.remind(raw.remind);
    let smtp = raw.smtp.map(|s| v.smtp(s));
    let check = v.check(raw.check);
    let calendar = v.calendar(raw.calendar);
    let caldav = raw.caldav.map(|c| v.caldav(c));
    let lines = std::mem::take(&mut v.lines);
    let announce = v.announce(raw.announce);
    if v.diags.is_empty() {
        Ok(Model {
            team,
            people,
            rotations,
            coverage,
            overrides,
            remind,
            smtp: smtp.flatten(),
            check,
            calendar,
            caldav,
            lines,
            published: Default::default(),
            announce,
        })
    } else {
        v.diags.sort_by_key(|d| d.span.start);
        Err(v.diags)
    }
}

/// How long one step of an SMTP conversation may take unless `[smtp] timeout` says.
pub const DEFAULT_SMTP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The longest `except`-style range of dates, whose every day is kept.
const MAX_DATE_RANGE_DAYS: i64 = 3660;

/// The longest person id or rotation name, in bytes (see `identifier`).
pub const MAX_IDENTIFIER: usize = 100;

/// Person ids or rotation names → their position. A config can hold thousands of each: a scan
/// per reference would make validation quadratic.
type Index<'m> = HashMap<&'m str, usize>;

/// The first of two equal names wins, as with a scan; the second is reported as a duplicate.
fn index<'m>(names: impl Iterator<Item = &'m str>) -> Index<'m> {
    let mut index = Index::new();
    for (ix, name) in names.enumerate() {
        index.entry(name).or_insert(ix);
    }
    index
}

struct Validator<'t> {
    diags: Vec<Diagnostic>,
    /// Keys already reported for a wrong type: not missing as well.
    set_aside: Vec<raw::SetAside>,
    text: &'t str,
    /// Offsets of the text's line breaks, to tell the line of an offset without rescanning.
    line_ends: Vec<usize>,
    /// The config's path as given, to name the `.ics` files it refers to.
    path: &'t str,
    read: ReadFile<'t>,
    lines: Lines,
}

impl Validator<'_> {
    fn error(&mut self, span: Range<usize>, message: impl Into<String>, help: impl Into<String>) {
        self.diags.push(Diagnostic::new(span, message).help(help));
    }

    fn problem(&mut self, span: Range<usize>, p: Problem) {
        self.error(span, p.message, p.help);
    }

    /// `span` is the table's span or its header's.
    fn missing(&mut self, span: Range<usize>, table: &str, key: &str, example: &str) {
        let reported = self.set_aside.iter().any(|s| {
            s.key == key
                && s.table
                    .as_ref()
                    .is_some_and(|t| *t == span || self.header_span(t.clone()) == span)
        });
        if reported {
            return;
        }
        self.error(
            span,
            format!("{table} is missing `{key}`"),
            format!("add `{key} = {example}`"),
        );
    }

    fn zone(&mut self, value: &Option<S<String>>, default: Tz) -> Tz {
        let Some(name) = value else { return default };
        match self.suggesting(|| suggest::time_zone(name.get_ref().trim())) {
            Some(Ok(tz)) => tz,
            None => suggest::zone(name.get_ref().trim()).unwrap_or_else(|| {
                self.error(
                    name.span(),
                    format!("unknown time zone `{}`", name.get_ref()),
                    suggest::ZONE_HELP,
                );
                default
            }),
            Some(Err(hint)) => {
                self.error(
                    name.span(),
                    format!("unknown time zone `{}`", name.get_ref()),
                    hint,
                );
                default
            }
        }
    }

    /// `suggest()`, unless so many problems were found already that no more are shown: "did
    /// you mean" compares against every candidate, and thousands of misspellings times
    /// thousands of candidates would make validation quadratic.
    fn suggesting<T>(&self, suggest: impl FnOnce() -> T) -> Option<T> {
        (self.diags.len() < super::diagnostic::MAX_SHOWN).then(suggest)
    }

    /// The 1-based line of `offset` in the text.
    fn line(&self, offset: usize) -> usize {
        self.line_ends.partition_point(|&end| end < offset) + 1
    }

    /// A `[[table]]` header's span is where its errors for missing keys point.
    fn header_span(&self, span: Range<usize>) -> Range<usize> {
        let before = &self.text[..span.start.min(self.text.len())];
        match before.rfind("[[").or_else(|| before.rfind('[')) {
            Some(i) if !before[i..].contains('\n') || span.start == 0 => i..span.start,
            _ => span,
        }
    }

    fn team(&mut self, team: Option<S<raw::RawTeam>>) -> Team {
        let fallback_start = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default();
        let Some(team) = team else {
            let reported = self
                .set_aside
                .iter()
                .any(|s| s.table.is_none() && s.key == "team");
            if !reported {
                self.error(
                    0..0,
                    "the config has no [team] table",
                    "add [team] with `timezone = \"Europe/Berlin\"` and `start = 2026-12-01`",
                );
            }
            return Team {
                name: String::new(),
                timezone: Tz::UTC,
                start: fallback_start,
                lock: None,
            };
        };
        let span = team.span();
        let team = team.into_inner();
        let timezone = match &team.timezone {
            Some(_) => self.zone(&team.timezone, Tz::UTC),
            None => {
                self.missing(span.clone(), "[team]", "timezone", "\"Europe/Berlin\"");
                Tz::UTC
            }
        };
        let start = match &team.start {
            Some(v) => syntax::date(v.get_ref()).unwrap_or_else(|p| {
                self.problem(v.span(), p);
                fallback_start
            }),
            None => {
                self.missing(span, "[team]", "start", "2026-12-01");
                fallback_start
            }
        };
        let name = team
            .name
            .map(|n| self.text_value(n, "team name"))
            .unwrap_or_default();
        let lock = team.lock.map(|l| {
            let span = l.span();
            let path = l.into_inner();
            if path.trim().is_empty() {
                self.error(
                    span,
                    "`lock` is empty",
                    "write a path such as \"rotation.lock\", or remove the key",
                );
            }
            PathBuf::from(path)
        });
        Team {
            name,
            timezone,
            start,
            lock,
        }
    }

    /// A human-readable text that ends up in tables, calendars and mail headers.
    fn text_value(&mut self, value: S<String>, what: &str) -> String {
        let span = value.span();
        let text = value.into_inner();
        if text.chars().any(char::is_control) {
            self.error(
                span,
                format!("the {what} contains a line break or control character"),
                "write it on one line without control characters",
            );
        } else if text.trim().is_empty() {
            self.error(
                span,
                format!("the {what} is empty"),
                "write a non-empty text",
            );
        }
        text.trim().to_string()
    }

    /// Ids and rotation names become file names (`person-<id>.ics`) and UIDs.
    fn identifier(&mut self, value: &S<String>, what: &str) -> String {
        let id = value.get_ref();
        let ok = !id.is_empty()
            && !id.starts_with('.')
            && id
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '+'));
        if ok && id.len() > MAX_IDENTIFIER {
            // person-<id>.ics and the outbox's <start>-<rotation>-<person>.eml must stay under
            // the 255 bytes a file name may have on every common file system.
            self.error(
                value.span(),
                format!("the {what} is {} bytes long", id.len()),
                format!(
                    "a {what} is used in file names: keep it to at most {MAX_IDENTIFIER} bytes (as many ASCII letters, fewer accented ones)"
                ),
            );
        } else if !ok {
            self.error(
                value.span(),
                format!("`{id}` is not a valid {what}"),
                format!(
                    "a {what} is used in file names: use letters, digits, `-`, `_` and `.`, e.g. `{}`",
                    slug(id)
                ),
            );
        }
        id.clone()
    }

    fn people(&mut self, people: Vec<S<raw::RawPerson>>, team: &Team) -> Vec<Person> {
        let mut seen: HashMap<String, (String, Range<usize>)> = HashMap::new();
        let mut out = Vec::with_capacity(people.len());
        for person in people {
            let header = self.header_span(person.span());
            let p = person.into_inner();
            let id = match &p.id {
                Some(id) => {
                    let value = self.identifier(id, "person id");
                    // Ids name files (`person-<id>.ics`), and `ana` and `Ana` would be one
                    // file on a case-insensitive file system.
                    match seen.get(&value.to_lowercase()) {
                        Some((first, span)) => self.diags.push(
                            Diagnostic::new(
                                id.span(),
                                if *first == value {
                                    format!("person id `{value}` is used twice")
                                } else {
                                    format!(
                                        "person id `{value}` differs from `{first}` only in case"
                                    )
                                },
                            )
                            .help(
                                "give every [[person]] its own id, different also ignoring case \
                                 (feed file names would collide on case-insensitive file systems)",
                            )
                            .label(span.clone(), "first defined here"),
                        ),
                        None => {
                            seen.insert(value.to_lowercase(), (value.clone(), id.span()));
                        }
                    }
                    value
                }
                None => {
                    self.missing(header.clone(), "[[person]]", "id", "\"ana\"");
                    String::new()
                }
            };
            let timezone = self.zone(&p.timezone, team.timezone);
            let name = match p.name {
                Some(n) => self.text_value(n, "person's name"),
                None => id.clone(),
            };
            let email = p.email.map(|e| self.email(e, &name));
            let away = self
                .days_off(&p.away)
                .iter()
                .map(|o| o.days_in(timezone))
                .collect();
            self.lines.people.push(self.line(header.start));
            out.push(Person {
                id,
                name,
                email,
                timezone,
                away: DateRanges::new(away),
            });
        }
        out
    }

    fn email(&mut self, value: S<String>, name: &str) -> String {
        let span = value.span();
        let text = value.into_inner();
        let clean = !text.chars().any(|c| c.is_control() || c.is_whitespace());
        if !clean || !deliverable(&text, name) {
            self.error(
                span,
                format!("`{}` is not an email address", text.escape_debug()),
                "write a plain address like \"ana@acme.example\" (no name, spaces or line breaks)",
            );
        }
        text
    }

    fn rotations(
        &mut self,
        rotations: Vec<S<raw::RawRotation>>,
        team: &Team,
        holidays: &[Occurrence],
        people: &[Person],
        person_ix: &Index,
    ) -> Vec<Rotation> {
        let mut seen: HashMap<String, (String, Range<usize>)> = HashMap::new();
        let mut out = Vec::with_capacity(rotations.len());
        for rotation in rotations {
            let header = self.header_span(rotation.span());
            let r = rotation.into_inner();
            let name = match &r.name {
                Some(n) => {
                    let name = self.identifier(n, "rotation name");
                    match seen.get(&name.to_lowercase()) {
                        Some((first, span)) => self.diags.push(
                            Diagnostic::new(
                                n.span(),
                                if *first == name {
                                    format!("rotation `{name}` is defined twice")
                                } else {
                                    format!("rotation `{name}` differs from `{first}` only in case")
                                },
                            )
                            .help(
                                "give every [[rotation]] its own name, different also ignoring \
                                 case (feed file names would collide on case-insensitive file systems)",
                            )
                            .label(span.clone(), "first defined here"),
                        ),
                        None => {
                            seen.insert(name.to_lowercase(), (name.clone(), n.span()));
                        }
                    }
                    name
                }
                None => {
                    self.missing(header.clone(), "[[rotation]]", "name", "\"support-hero\"");
                    String::new()
                }
            };
            let members = match &r.members {
                Some(list) if list.get_ref().is_empty() => {
                    self.error(
                        list.span(),
                        format!("rotation `{name}` has no members"),
                        "list the person ids who take turns, e.g. `members = [\"ana\", \"mehmet\"]`",
                    );
                    Vec::new()
                }
                Some(list) => self.members(list.get_ref(), people, person_ix),
                None => {
                    self.missing(
                        header.clone(),
                        "[[rotation]]",
                        "members",
                        "[\"ana\", \"mehmet\"]",
                    );
                    Vec::new()
                }
            };
            let timezone = self.zone(&r.timezone, team.timezone);
            let days = match &r.days {
                Some(d) => match syntax::day_set(d.get_ref()) {
                    Ok(set) if set.is_empty() => DaySet::ALL,
                    Ok(set) => set,
                    Err(p) => {
                        self.problem(d.span(), p);
                        DaySet::ALL
                    }
                },
                None => DaySet::ALL,
            };
            let window = match &r.shift {
                Some(s) => syntax::window(s.get_ref()).unwrap_or_else(|p| {
                    self.problem(s.span(), p);
                    Window::new(0, 0)
                }),
                None => {
                    self.missing(header.clone(), "[[rotation]]", "shift", "\"09:00-17:00\"");
                    Window::new(0, 0)
                }
            };
            let turn = match &r.turn {
                Some(t) => syntax::turn_length(t.get_ref()).unwrap_or_else(|p| {
                    self.problem(t.span(), p);
                    TurnLength { days: 1 }
                }),
                None => TurnLength { days: 1 },
            };
            let mut except = self.dates(&r.except);
            // The team's holidays are the rotation's own, on its local calendar.
            for h in holidays {
                let (from, to) = h.days_in(timezone);
                except.extend(from.iter_days().take_while(|d| *d <= to));
            }
            self.lines.rotations.push(self.line(header.start));
            out.push(Rotation {
                name,
                members,
                timezone,
                days,
                window,
                turn,
                except,
            });
        }
        out
    }

    fn members(&mut self, list: &[S<String>], people: &[Person], person_ix: &Index) -> Vec<usize> {
        let mut members = Vec::with_capacity(list.len());
        let mut listed: HashMap<usize, Range<usize>> = HashMap::new();
        for id in list {
            match person_ix.get(id.get_ref().as_str()).copied() {
                Some(ix) if listed.contains_key(&ix) => self.diags.push(
                    Diagnostic::new(
                        id.span(),
                        format!("`{}` is listed twice in members", id.get_ref()),
                    )
                    .help("list each person once; the order of the list is the rotation order")
                    .label(listed[&ix].clone(), "first listed here"),
                ),
                Some(ix) => {
                    listed.insert(ix, id.span());
                    members.push(ix);
                }
                None => self.unknown_person(id, people),
            }
        }
        members
    }

    fn unknown_person(&mut self, id: &S<String>, people: &[Person]) {
        let hint = self
            .suggesting(|| {
                suggest::did_you_mean(id.get_ref(), people.iter().map(|p| p.id.as_str()))
            })
            .flatten()
            .unwrap_or_else(|| "add a [[person]] with this id, or use an existing id".into());
        self.error(
            id.span(),
            format!("unknown person `{}`", id.get_ref()),
            hint,
        );
    }

    fn rotation_ref(
        &mut self,
        name: &S<String>,
        rotations: &[Rotation],
        rotation_ix: &Index,
    ) -> Option<usize> {
        let found = rotation_ix.get(name.get_ref().as_str()).copied();
        if found.is_none() {
            let hint = self
                .suggesting(|| {
                    suggest::did_you_mean(name.get_ref(), rotations.iter().map(|r| r.name.as_str()))
                })
                .flatten()
                .unwrap_or_else(|| "use the `name` of a [[rotation]]".into());
            self.error(
                name.span(),
                format!("unknown rotation `{}`", name.get_ref()),
                hint,
            );
        }
        found
    }

    fn coverage(
        &mut self,
        rules: Vec<S<raw::RawCoverage>>,
        team: &Team,
        rotations: &[Rotation],
        rotation_ix: &Index,
    ) -> Vec<CoverageRule> {
        let mut out = Vec::with_capacity(rules.len());
        for (i, rule) in rules.into_iter().enumerate() {
            let header = self.header_span(rule.span());
            self.lines.coverage.push(self.line(header.start));
            let r = rule.into_inner();
            let name = match r.name {
                Some(n) => self.text_value(n, "coverage rule name"),
                None => format!("coverage #{}", i + 1),
            };
            let members: Vec<usize> = match &r.rotations {
                Some(names) => names
                    .iter()
                    .filter_map(|n| self.rotation_ref(n, rotations, rotation_ix))
                    .collect(),
                None => (0..rotations.len()).collect(),
            };
            let timezone = self.zone(&r.timezone, team.timezone);
            let when = match &r.when {
                Some(w) => {
                    let entries: Vec<&str> = match w.get_ref() {
                        raw::When::One(s) => s.split(';').collect(),
                        raw::When::Many(list) => list.iter().map(String::as_str).collect(),
                    };
                    when(&entries).unwrap_or_else(|p| {
                        self.problem(w.span(), p);
                        When::Always
                    })
                }
                None => When::Always,
            };
            let min = match &r.min {
                Some(m) if *m.get_ref() < 1 || *m.get_ref() > 1000 => {
                    self.error(
                        m.span(),
                        format!("`min = {}` is out of range", m.get_ref()),
                        "require at least 1 person on duty",
                    );
                    1
                }
                Some(m) => *m.get_ref() as u32,
                None => 1,
            };
            let mut except = self.dates(&r.except);
            except.extend(common_except(rotations, &members));
            out.push(CoverageRule {
                name,
                rotations: members,
                when,
                timezone,
                min,
                except,
            });
        }
        out
    }

    fn overrides(
        &mut self,
        overrides: Vec<S<raw::RawOverride>>,
        rotations: &[Rotation],
        rotation_ix: &Index,
        people: &[Person],
        person_ix: &Index,
    ) -> Vec<Override> {
        let mut out = Vec::with_capacity(overrides.len());
        for o in overrides {
            let header = self.header_span(o.span());
            let line = self.line(header.start);
            let o = o.into_inner();
            let rotation = match &o.rotation {
                Some(name) => self.rotation_ref(name, rotations, rotation_ix),
                None => {
                    self.missing(
                        header.clone(),
                        "[[override]]",
                        "rotation",
                        "\"support-hero\"",
                    );
                    None
                }
            };
            let person = match &o.person {
                Some(id) => {
                    let found = person_ix.get(id.get_ref().as_str()).copied();
                    if found.is_none() {
                        self.unknown_person(id, people);
                    }
                    found
                }
                None => {
                    self.missing(header.clone(), "[[override]]", "person", "\"ana\"");
                    None
                }
            };
            let tz = rotation.map(|r| rotations[r].timezone);
            let from = self.moment(&o.from, tz, &header, "from");
            let to = self.moment(&o.to, tz, &header, "to");
            if let (Some(f), Some(t)) = (from, to)
                && t <= f
                && !(t == f && in_one_gap(&o.from, &o.to))
                && let Some(to_value) = &o.to
            {
                self.error(
                    to_value.span(),
                    "the override ends before it starts",
                    "`to` must be later than `from`",
                );
            }
            if let (Some(rotation), Some(person), Some(from), Some(to)) =
                (rotation, person, from, to)
            {
                out.push(Override {
                    rotation,
                    person,
                    from,
                    to,
                    line,
                });
            }
        }
        out
    }

    fn moment(
        &mut self,
        value: &Option<S<toml::Value>>,
        tz: Option<Tz>,
        header: &Range<usize>,
        key: &str,
    ) -> Option<chrono::DateTime<Utc>> {
        let Some(value) = value else {
            self.missing(header.clone(), "[[override]]", key, "2026-12-10T08:00:00");
            return None;
        };
        match syntax::moment(value.get_ref()) {
            Ok(Moment::Absolute(t)) => Some(t.with_timezone(&Utc)),
            Ok(Moment::Local(t)) => tz.map(|tz| local_time::resolve(tz, t)),
            Err(p) => {
                self.problem(value.span(), p);
                None
            }
        }
    }

    fn remind(&mut self, remind: Option<S<raw::RawRemind>>) -> RemindSettings {
        let mut settings = RemindSettings::default();
        let Some(remind) = remind else {
            return settings;
        };
        let r = remind.into_inner();
        if let Some(deadline) = &r.deadline {
            match syntax::duration(deadline.get_ref()) {
                Ok(d) if d < chrono::TimeDelta::seconds(1) || d > chrono::TimeDelta::hours(6) => {
                    self.error(
                        deadline.span(),
                        "the run deadline is out of range",
                        "write a duration from 1s to 6h, e.g. \"10m\"",
                    )
                }
                Ok(d) => settings.deadline = d,
                Err(p) => self.problem(deadline.span(), p),
            }
        }
        if let Some(before) = &r.before {
            match syntax::duration(before.get_ref()) {
                Ok(d) if d <= chrono::TimeDelta::zero() => self.error(
                    before.span(),
                    "the lead time must be positive",
                    "write e.g. \"24h\"",
                ),
                Ok(d) => settings.before = d,
                Err(p) => self.problem(before.span(), p),
            }
        }
        if let Some(from) = r.from {
            let span = from.span();
            let text = from.into_inner();
            let sendable = lettre::message::Mailbox::from_str(&text)
                .is_ok_and(|m| deliverable(m.email.as_ref(), m.name.as_deref().unwrap_or("")));
            if text.chars().any(char::is_control) || !sendable {
                self.error(
                    span,
                    format!("`{}` is not a sender address", text.escape_debug()),
                    "write it as \"Support rota <rota@acme.example>\" on one line",
                );
            }
            settings.from = Some(text);
        }
        if let Some(state) = &r.state {
            if state.get_ref().trim().is_empty() {
                self.error(
                    state.span(),
                    "the state path is empty",
                    "write e.g. \".rota/state.json\"",
                );
            }
            settings.state = PathBuf::from(state.get_ref());
        }
        if let Some(notices) = r.notices {
            settings.notices = notices.into_inner();
        }
        settings
    }

    fn announce(&mut self, announce: Option<S<raw::RawAnnounce>>) -> AnnounceSettings {
        let to = announce
            .and_then(|a| a.into_inner().to)
            .map(|to| self.email(to, ""));
        AnnounceSettings { to }
    }

    fn smtp(&mut self, smtp: S<raw::RawSmtp>) -> Option<SmtpSettings> {
        let span = smtp.span();
        let s = smtp.into_inner();
        let security = match &s.security {
            Some(sec) => match sec.get_ref().to_ascii_lowercase().as_str() {
                "starttls" => Security::StartTls,
                "tls" | "ssl" => Security::Tls,
                "none" => Security::None,
                other => {
                    self.error(
                        sec.span(),
                        format!("unknown security `{other}`"),
                        "use \"starttls\" (port 587), \"tls\" (port 465) or \"none\" (loopback only)",
                    );
                    Security::StartTls
                }
            },
            None => Security::StartTls,
        };
        let host = match &s.host {
            Some(h)
                if h.get_ref().trim().is_empty()
                    || h.get_ref()
                        .chars()
                        .any(|c| c.is_control() || c.is_whitespace()) =>
            {
                self.error(
                    h.span(),
                    "the SMTP host is not a host name",
                    "write e.g. \"smtp.acme.example\"",
                );
                String::new()
            }
            Some(h) => h.get_ref().clone(),
            None => {
                self.missing(
                    self.header_span(span),
                    "[smtp]",
                    "host",
                    "\"smtp.acme.example\"",
                );
                String::new()
            }
        };
        if security == Security::None
            && !host.is_empty()
            && !is_loopback(&host)
            && let Some(sec) = &s.security
        {
            self.error(
                sec.span(),
                format!("security = \"none\" would send mail in clear text to `{host}`"),
                "use \"starttls\" or \"tls\"; \"none\" is only allowed for localhost or 127.0.0.1",
            );
        }
        let default_port = match security {
            Security::StartTls => 587,
            Security::Tls => 465,
            Security::None => 25,
        };
        let port = match &s.port {
            Some(p) => match u16::try_from(*p.get_ref()) {
                Ok(port) if port > 0 => port,
                _ => {
                    self.error(
                        p.span(),
                        format!("port {} is out of range", p.get_ref()),
                        "use a port from 1 to 65535",
                    );
                    default_port
                }
            },
            None => default_port,
        };
        let password_env = s.password_env.as_ref().map(|v| {
            let name = v.get_ref();
            let valid = !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !name.starts_with(|c: char| c.is_ascii_digit());
            if !valid {
                self.error(
                    v.span(),
                    format!("`{name}` is not an environment variable name"),
                    "name the variable that holds the password, e.g. \"ROTA_SMTP_PASSWORD\"; never put the password here",
                );
            }
            name.clone()
        });
        if let Some(password) = &s.password {
            // The value is never repeated: the snippet under this error hides it too.
            self.error(
                password.span(),
                "[smtp] takes no `password`: secrets never live in the config file",
                "remove the line, put the password in an environment variable and name it with password_env = \"ROTA_SMTP_PASSWORD\"",
            );
        }
        let username = s.username.map(|u| self.text_value(u, "SMTP username"));
        let timeout = match &s.timeout {
            Some(t) => match syntax::duration(t.get_ref()) {
                Ok(d)
                    if d >= chrono::TimeDelta::seconds(1)
                        && d <= chrono::TimeDelta::minutes(10) =>
                {
                    d.to_std().unwrap_or(DEFAULT_SMTP_TIMEOUT)
                }
                Ok(_) => {
                    self.error(
                        t.span(),
                        "the SMTP timeout is out of range",
                        "write a duration from 1s to 10m, e.g. \"30s\"",
                    );
                    DEFAULT_SMTP_TIMEOUT
                }
                Err(p) => {
                    self.problem(t.span(), p);
                    DEFAULT_SMTP_TIMEOUT
                }
            },
            None => DEFAULT_SMTP_TIMEOUT,
        };
        let ca_file = s.ca_file.as_ref().and_then(|f| {
            if f.get_ref().trim().is_empty() {
                self.error(
                    f.span(),
                    "the CA file path is empty",
                    "name a PEM file of CA certificates, e.g. \"certs/company-ca.pem\"",
                );
                None
            } else {
                Some(PathBuf::from(f.get_ref()))
            }
        });
        Some(SmtpSettings {
            timeout,
            ca_file,
            host,
            port,
            security,
            username,
            password_env,
        })
    }

    fn check(&mut self, check: Option<S<raw::RawCheck>>) -> CheckSettings {
        let mut settings = CheckSettings::default();
        let Some(check) = check else {
            return settings;
        };
        let c = check.into_inner();
        if let Some(night) = &c.night {
            match syntax::window(night.get_ref()) {
                Ok(w) => settings.night = w,
                Err(p) => self.problem(night.span(), p),
            }
        }
        let error = match &c.severity {
            Some(s) => self.severity(s),
            None => false,
        };
        if let Some(v) = &c.max_share {
            settings.max_share =
                self.limit("max_share", v, error, "\"30%\"", |value| match value {
                    toml::Value::String(s) => syntax_share(s),
                    _ => Err(()),
                });
        }
        if let Some(v) = &c.min_rest {
            settings.min_rest = self.limit("min_rest", v, error, "\"11h\"", |value| match value {
                toml::Value::String(s) => match syntax::duration(s) {
                    Ok(d) if d > chrono::TimeDelta::zero() => Ok(d),
                    _ => Err(()),
                },
                _ => Err(()),
            });
        }
        if let Some(v) = &c.max_consecutive_days {
            settings.max_consecutive_days =
                self.limit("max_consecutive_days", v, error, "6", |value| match value {
                    toml::Value::Integer(n) if (1..=366).contains(n) => Ok(*n as u32),
                    _ => Err(()),
                });
        }
        settings
    }

    /// `"error"` or `"warning"`: whether breaking a workload rule fails the check.
    fn severity(&mut self, value: &S<String>) -> bool {
        match value.get_ref().as_str() {
            "error" => true,
            "warning" => false,
            other => {
                self.error(
                    value.span(),
                    format!("unknown severity `{other}`"),
                    "write severity = \"error\" (fails the check) or \"warning\" (the default)",
                );
                false
            }
        }
    }

    /// A workload rule as a bare limit, or as `{ limit = ..., severity = "error" }`.
    fn limit<T>(
        &mut self,
        key: &str,
        value: &S<toml::Value>,
        default_error: bool,
        example: &str,
        parse: impl Fn(&toml::Value) -> Result<T, ()>,
    ) -> Option<Limit<T>> {
        let help = format!(
            "write `{key} = {example}`, or `{key} = {{ limit = {example}, severity = \"error\" }}`"
        );
        let (limit, error) = match value.get_ref() {
            toml::Value::Table(t) => {
                if let Some(unknown) = t.keys().find(|k| *k != "limit" && *k != "severity") {
                    self.error(
                        value.span(),
                        format!("unknown key `{unknown}` in `{key}`"),
                        help,
                    );
                    return None;
                }
                let error = match t.get("severity") {
                    None => default_error,
                    Some(toml::Value::String(s)) if s == "error" => true,
                    Some(toml::Value::String(s)) if s == "warning" => false,
                    Some(_) => {
                        self.error(
                            value.span(),
                            format!("`{key}` has an unknown severity"),
                            "write severity = \"error\" or \"warning\"",
                        );
                        return None;
                    }
                };
                match t.get("limit") {
                    Some(l) => (l, error),
                    None => {
                        self.error(value.span(), format!("`{key}` has no `limit`"), help);
                        return None;
                    }
                }
            }
            other => (other, default_error),
        };
        match parse(limit) {
            Ok(value) => Some(Limit { value, error }),
            Err(()) => {
                self.error(
                    value.span(),
                    format!("`{key} = {limit}` is not a valid limit"),
                    help,
                );
                None
            }
        }
    }

    /// `except`-style entries: dates and inclusive ranges, every day of them.
    fn dates(&mut self, entries: &[S<toml::Value>]) -> BTreeSet<chrono::NaiveDate> {
        let mut dates = BTreeSet::new();
        for entry in entries {
            match syntax::date_range(entry.get_ref()) {
                // Every day is kept: a range to the end of time would be millions of them.
                Ok((from, to)) if (to - from).num_days() > MAX_DATE_RANGE_DAYS => self.error(
                    entry.span(),
                    "this range of dates is longer than ten years",
                    "list dates within ten years of each other; a rotation that stops for good is removed instead",
                ),
                Ok((from, to)) => dates.extend(from.iter_days().take_while(|d| *d <= to)),
                Err(p) => self.problem(entry.span(), p),
            }
        }
        dates
    }

    /// `away`- and `holidays`-style entries: dates, ranges, or paths to `.ics` files.
    fn days_off(&mut self, entries: &[S<toml::Value>]) -> Vec<Occurrence> {
        let mut out = Vec::new();
        for entry in entries {
            if let toml::Value::String(s) = entry.get_ref()
                && s.trim().to_ascii_lowercase().ends_with(".ics")
            {
                out.extend(self.ics_file(s.trim(), entry.span()));
                continue;
            }
            match syntax::date_range(entry.get_ref()) {
                Ok((from, to)) => out.push(Occurrence::Days(from, to)),
                Err(mut p) => {
                    p.help.push_str(", or the path of an .ics file");
                    self.problem(entry.span(), p)
                }
            }
        }
        out
    }

    fn ics_file(&mut self, path: &str, span: Range<usize>) -> Vec<Occurrence> {
        let shown = {
            let relative = std::path::Path::new(path);
            match std::path::Path::new(self.path).parent() {
                Some(dir) if !relative.is_absolute() && !dir.as_os_str().is_empty() => {
                    dir.join(relative).display().to_string()
                }
                _ => path.to_string(),
            }
        };
        let text = match (self.read)(path) {
            Ok(text) => text,
            Err(why) => {
                self.error(
                    span,
                    format!("cannot read `{shown}`: {why}"),
                    "paths are relative to the config file's folder; export the calendar there, or fix the path",
                );
                return Vec::new();
            }
        };
        match ics::occurrences(&text) {
            Ok(found) => found,
            Err(e) => {
                self.error(
                    span,
                    format!("{shown}:{}: {}", e.line, e.message),
                    format!(
                        "fix line {} of `{shown}`, or export the calendar again",
                        e.line
                    ),
                );
                Vec::new()
            }
        }
    }
}

/// Dates that every one of a rule's rotations has off: nothing to cover then. A rule without
/// rotations has no such dates (its emptiness is a finding of its own).
fn common_except(rotations: &[Rotation], members: &[usize]) -> BTreeSet<chrono::NaiveDate> {
    let Some((&first, rest)) = members.split_first() else {
        return BTreeSet::new();
    };
    rotations[first]
        .except
        .iter()
        .copied()
        .filter(|d| rest.iter().all(|&r| rotations[r].except.contains(d)))
        .collect()
}

/// `"30%"` or `"12.5%"` as an exact fraction.
fn syntax_share(text: &str) -> Result<Share, ()> {
    let number = text.trim().strip_suffix('%').ok_or(())?.trim();
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole
            .chars()
            .chain(fraction.chars())
            .all(|c| c.is_ascii_digit())
        || fraction.len() > 6
    {
        return Err(());
    }
    let digits = format!("{whole}{fraction}");
    let numerator: u64 = digits.parse().map_err(|_| ())?;
    let denominator = 100 * 10u64.pow(fraction.len() as u32);
    if numerator > denominator {
        return Err(());
    }
    Ok(Share {
        numerator,
        denominator,
    })
}

fn when(entries: &[&str]) -> Result<When, Problem> {
    let help = "write \"always\", or days with windows like \"mon-fri 08:00-20:00\"; separate several with `;`";
    let mut windows = Vec::new();
    for entry in entries {
        let entry = entry.trim();
        if entry.eq_ignore_ascii_case("always") {
            return Ok(When::Always);
        }
        // "<days> <window> [<window> ...]"; the days may be left out for every day.
        let mut words: Vec<&str> = entry.split_whitespace().collect();
        let days = match words.first() {
            Some(first) if !first.contains(':') => {
                let set = syntax::day_set(first).map_err(|p| Problem {
                    help: help.into(),
                    ..p
                })?;
                words.remove(0);
                set
            }
            _ => DaySet::ALL,
        };
        if words.is_empty() {
            return Err(Problem {
                message: format!("`{entry}` has no time window"),
                help: help.into(),
            });
        }
        for w in words
            .iter()
            .flat_map(|w| w.split(','))
            .filter(|w| !w.is_empty())
        {
            windows.push((days, syntax::window(w)?));
        }
    }
    if windows.is_empty() {
        return Err(Problem {
            message: "`when` is empty".into(),
            help: help.into(),
        });
    }
    Ok(When::Windows(windows))
}

/// Whether the mailer can send to (or from) `address` under `name`: lettre accepts some
/// addresses (`ana@[127.0.0.1]`) that it then cannot put in an envelope, so the check is the
/// one the mailer makes: a message with this mailbox in `To` must build.
fn deliverable(address: &str, name: &str) -> bool {
    let Ok(address) = lettre::Address::from_str(address) else {
        return false;
    };
    let mailbox =
        lettre::message::Mailbox::new((!name.is_empty()).then(|| name.to_string()), address);
    lettre::Message::builder()
        .from(mailbox.clone())
        .to(mailbox)
        .body(String::new())
        .is_ok()
}

/// Whether an override's ends are two local times in order that are one instant only because
/// the clocks skip both (New York `02:00`–`03:00` on the spring-forward day): it changes
/// nothing, which `check` reports, but it is not a mistake that should stop every command.
fn in_one_gap(from: &Option<S<toml::Value>>, to: &Option<S<toml::Value>>) -> bool {
    let local = |v: &Option<S<toml::Value>>| match v.as_ref().map(|v| syntax::moment(v.get_ref())) {
        Some(Ok(Moment::Local(t))) => Some(t),
        _ => None,
    };
    matches!((local(from), local(to)), (Some(f), Some(t)) if f < t)
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn slug(text: &str) -> String {
    let s: String = text
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('-').to_string();
    if s.is_empty() { "ana".into() } else { s }
}
