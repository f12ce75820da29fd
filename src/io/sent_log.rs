//! The state file (`[remind] state`): which emails a server (or the outbox) accepted, and what
//! each person was told about their shifts.
//!
//! A small versioned JSON file; what each accepted email adds is also one line of the journal
//! beside it ([`super::state_file`]), so that a crash never loses the record of a sent mail and
//! never records an unsent one. Versions 1 (reminders only) and 2 (without the turns facts
//! were told in) are still read; they are rewritten as version 3.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::announce::AnnouncementKey;
use crate::notice::{SlotId, Told};
use crate::remind::SentKey;
use crate::slot::SlotPart;

const VERSION: u32 = 3;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SentLog {
    /// Sent reminder → its turn's start (for pruning) and when it was sent.
    sent: BTreeMap<SentKey, Sent>,
    /// Reminders recorded before they were named by slot (rotation, person, turn start → when
    /// sent), until [`SentLog::migrate`] reads them into slots.
    legacy: BTreeMap<(String, String, DateTime<Utc>), DateTime<Utc>>,
    /// Sent announcement → when it was sent.
    announced: BTreeMap<AnnouncementKey, DateTime<Utc>>,
    /// What each person was last told they hold: the ground change notices compare with.
    told: BTreeSet<Told>,
    /// Emails the server refused for good, by Message-ID: not sent again while sender,
    /// recipient and server (the fingerprint) stay the same.
    rejected: BTreeMap<String, Rejected>,
    /// Warnings given once (a change notice or reminder for someone without an address), by
    /// what they are about → until when they are kept.
    warned: BTreeMap<String, DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Rejected {
    fingerprint: String,
    reason: String,
    at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sent {
    turn_start: DateTime<Utc>,
    /// `None` in entries written before it was kept.
    turn_end: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
}

/// What an accepted email adds to the state.
#[derive(Debug, Clone, Default)]
pub struct Record {
    /// The reminders it stands for: a reminder's own, or those of the due turns a change
    /// notice told of.
    pub reminders: Vec<Reminded>,
    pub announcement: Option<AnnouncementKey>,
    pub told: Option<Telling>,
}

/// A reminder sent for a turn: its key and the turn's times.
#[derive(Debug, Clone)]
pub struct Reminded {
    pub key: SentKey,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// A person was told what they now hold in these slots: their earlier facts about the slots
/// are replaced by `facts` (none: they were told they no longer hold it).
#[derive(Debug, Clone)]
pub struct Telling {
    pub person: String,
    pub slots: Vec<SlotId>,
    pub facts: Vec<Told>,
}

/// Why a state file cannot be trusted.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read it: {0}")]
    Read(std::io::Error),
    #[error("it is not a rota state file: {0}")]
    Corrupt(String),
    #[error("it has version {0}, which this rota does not know (it writes version {VERSION})")]
    Version(u32),
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    sent: Vec<Entry>,
    #[serde(default)]
    announced: Vec<AnnouncedEntry>,
    #[serde(default)]
    told: Vec<ToldEntry>,
    /// Left out while empty, so that a state without rejections stays readable by rota
    /// versions that do not know them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    rejected: Vec<RejectedEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    warned: Vec<WarnedEntry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WarnedEntry {
    about: String,
    until: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RejectedEntry {
    message_id: String,
    /// `sender -> recipient via host:port`.
    fingerprint: String,
    reason: String,
    at: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    /// The slot part the turn starts with (`2026-12-07-support-hero`); absent in entries
    /// written before reminders were named by slot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    turn: Option<String>,
    rotation: String,
    person: String,
    /// RFC 3339 in UTC, e.g. `2026-12-07T08:00:00Z`.
    turn_start: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    turn_end: Option<String>,
    sent_at: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnnouncedEntry {
    /// `2027-01`.
    month: String,
    /// The person's id; absent for the team digest (`[announce] to`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    person: Option<String>,
    sent_at: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ToldEntry {
    rotation: String,
    /// The slot: the rotation's local date of the shift, `2026-12-07`.
    slot: String,
    person: String,
    start: String,
    end: String,
    /// The slot part the turn it was told as part of starts with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    turn: Option<String>,
    /// The `SEQUENCE` of the event sent for it.
    #[serde(default, skip_serializing_if = "is_zero")]
    sequence: u32,
    /// How far into the slot the piece starts (`PT4H`), if it does not start with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    offset: Option<String>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

#[derive(Deserialize)]
struct Versioned {
    version: u32,
}

impl SentLog {
    pub fn parse(bytes: &[u8]) -> Result<SentLog, LoadError> {
        let corrupt = |e: serde_json::Error| LoadError::Corrupt(e.to_string());
        let versioned: Versioned = serde_json::from_slice(bytes).map_err(corrupt)?;
        if !(1..=VERSION).contains(&versioned.version) {
            return Err(LoadError::Version(versioned.version));
        }
        let file: File = serde_json::from_slice(bytes).map_err(corrupt)?;
        let mut sent = BTreeMap::new();
        let mut legacy = BTreeMap::new();
        for e in file.sent {
            let (turn_start, at) = (instant(&e.turn_start)?, instant(&e.sent_at)?);
            let turn_end = e.turn_end.as_deref().map(instant).transpose()?;
            match e.turn {
                Some(turn) => {
                    let key = SentKey {
                        turn: part(&turn)?,
                        person: e.person,
                    };
                    let entry = Sent {
                        turn_start,
                        turn_end,
                        at,
                    };
                    sent.insert(key, entry);
                }
                None => {
                    legacy.insert((e.rotation, e.person, turn_start), at);
                }
            }
        }
        let announced = file
            .announced
            .into_iter()
            .map(|e| Ok((announcement_of(&e.month, e.person)?, instant(&e.sent_at)?)))
            .collect::<Result<_, LoadError>>()?;
        let told = file
            .told
            .into_iter()
            .map(told_of)
            .collect::<Result<_, LoadError>>()?;
        let rejected = file
            .rejected
            .into_iter()
            .map(rejected_of)
            .collect::<Result<_, LoadError>>()?;
        let warned = file
            .warned
            .into_iter()
            .map(|e| Ok((e.about, instant(&e.until)?)))
            .collect::<Result<_, LoadError>>()?;
        Ok(SentLog {
            sent,
            legacy,
            announced,
            told,
            rejected,
            warned,
        })
    }

    pub fn to_json(&self) -> Vec<u8> {
        let file = File {
            version: VERSION,
            sent: self
                .sent
                .iter()
                .map(|(k, sent)| Entry {
                    turn: Some(k.turn.to_string()),
                    rotation: k.turn.slot.rotation.clone(),
                    person: k.person.clone(),
                    turn_start: utc(sent.turn_start),
                    turn_end: sent.turn_end.map(utc),
                    sent_at: utc(sent.at),
                })
                .chain(
                    self.legacy
                        .iter()
                        .map(|((rotation, person, turn_start), at)| Entry {
                            turn: None,
                            rotation: rotation.clone(),
                            person: person.clone(),
                            turn_start: utc(*turn_start),
                            turn_end: None,
                            sent_at: utc(*at),
                        }),
                )
                .collect(),
            announced: self
                .announced
                .iter()
                .map(|(k, at)| AnnouncedEntry {
                    month: k.month.format("%Y-%m").to_string(),
                    person: k.person.clone(),
                    sent_at: utc(*at),
                })
                .collect(),
            told: self.told.iter().map(told_entry).collect(),
            rejected: self
                .rejected
                .iter()
                .map(|(id, r)| rejected_entry(id, &r.fingerprint, &r.reason, r.at))
                .collect(),
            warned: self
                .warned
                .iter()
                .map(|(about, until)| WarnedEntry {
                    about: about.clone(),
                    until: utc(*until),
                })
                .collect(),
        };
        let mut bytes = serde_json::to_vec_pretty(&file).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    pub fn contains(&self, key: &SentKey) -> bool {
        self.sent.contains_key(key)
    }

    /// Whether the person of `key` was reminded of this turn, or of one of theirs in the
    /// same rotation that it overlaps: a turn whose start an override took, or whose first
    /// slot went to someone else, is still the turn they were reminded of.
    pub fn reminded(&self, key: &SentKey, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        self.sent.contains_key(key)
            || self.sent.iter().any(|(k, sent)| {
                k.person == key.person
                    && k.turn.slot.rotation == key.turn.slot.rotation
                    && sent
                        .turn_end
                        .is_some_and(|e| sent.turn_start < end && start < e)
            })
    }

    /// Whether a warning about `about` was given (and recorded) before.
    pub fn warned(&self, about: &str) -> bool {
        self.warned.contains_key(about)
    }

    /// Records that the warning about `about` was given; it is kept until `until`.
    pub fn warn(&mut self, about: &str, until: DateTime<Utc>) {
        self.warned.insert(about.to_string(), until);
    }

    /// Reads reminders recorded by rotation and start instant into slots, with
    /// `part_of(rotation, turn_start)`; one whose shift the config no longer has stays as it
    /// was (no turn of this config can match it). Returns whether any was read.
    pub fn migrate(&mut self, part_of: impl Fn(&str, DateTime<Utc>) -> Option<SlotPart>) -> bool {
        let before = self.legacy.len();
        let legacy = std::mem::take(&mut self.legacy);
        for ((rotation, person, turn_start), at) in legacy {
            match part_of(&rotation, turn_start) {
                Some(turn) => {
                    let sent = Sent {
                        turn_start,
                        turn_end: None,
                        at,
                    };
                    self.sent.insert(SentKey { turn, person }, sent);
                }
                None => {
                    self.legacy.insert((rotation, person, turn_start), at);
                }
            }
        }
        self.legacy.len() != before
    }

    /// Remembers that the server refused the email `message_id` for good.
    pub fn reject(&mut self, message_id: &str, fingerprint: &str, reason: &str, at: DateTime<Utc>) {
        let entry = Rejected {
            fingerprint: fingerprint.to_string(),
            reason: reason.to_string(),
            at,
        };
        self.rejected.insert(message_id.to_string(), entry);
    }

    /// Why the server refused `message_id` for good, if it did with this fingerprint.
    pub fn rejected(&self, message_id: &str, fingerprint: &str) -> Option<&str> {
        self.rejected
            .get(message_id)
            .filter(|r| r.fingerprint == fingerprint)
            .map(|r| r.reason.as_str())
    }

    /// The latest instant the state recorded something at (by the clock of the run that did).
    pub fn latest_record(&self) -> Option<DateTime<Utc>> {
        let sent = self.sent.values().map(|s| s.at);
        let legacy = self.legacy.values().copied();
        let announced = self.announced.values().copied();
        let rejected = self.rejected.values().map(|r| r.at);
        sent.chain(legacy).chain(announced).chain(rejected).max()
    }

    pub fn announced(&self, key: &AnnouncementKey) -> bool {
        self.announced.contains_key(key)
    }

    /// Every fact people were told, sorted by slot, then person.
    pub fn told(&self) -> impl Iterator<Item = &Told> {
        self.told.iter()
    }

    /// Adds what an accepted email, sent at `sent_at`, records.
    pub fn record(&mut self, record: &Record, sent_at: DateTime<Utc>) {
        for reminded in &record.reminders {
            let sent = Sent {
                turn_start: reminded.start,
                turn_end: Some(reminded.end),
                at: sent_at,
            };
            self.sent.insert(reminded.key.clone(), sent);
        }
        if let Some(key) = &record.announcement {
            self.announced.insert(key.clone(), sent_at);
        }
        if let Some(telling) = &record.told {
            self.told
                .retain(|t| t.person != telling.person || !telling.slots.contains(&t.slot));
            self.told.extend(telling.facts.iter().cloned());
        }
    }

    /// Forgets reminders of turns that started, facts about shifts that ended and
    /// announcements of months that ended before `cutoff`; returns whether any went.
    pub fn prune(&mut self, cutoff: DateTime<Utc>) -> bool {
        let before = self.len();
        self.sent.retain(|_, sent| sent.turn_start >= cutoff);
        self.legacy
            .retain(|(_, _, turn_start), _| *turn_start >= cutoff);
        self.told.retain(|t| t.end >= cutoff);
        self.rejected.retain(|_, r| r.at >= cutoff);
        self.warned.retain(|_, until| *until >= cutoff);
        let cutoff_month = cutoff.date_naive();
        self.announced
            .retain(|k, _| crate::announce::month_after(k.month) > cutoff_month);
        self.len() != before
    }

    pub fn len(&self) -> usize {
        self.sent.len()
            + self.legacy.len()
            + self.announced.len()
            + self.told.len()
            + self.rejected.len()
            + self.warned.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One change to the state: what [`SentLog::apply`] makes in memory and a journal line holds.
#[derive(Debug, Clone, Copy)]
pub enum Change<'a> {
    /// An email was accepted at this instant.
    Recorded(&'a Record, DateTime<Utc>),
    /// The server refused the email with this Message-ID for good.
    Rejected {
        message_id: &'a str,
        fingerprint: &'a str,
        reason: &'a str,
        at: DateTime<Utc>,
    },
    /// A warning was given once; it is kept until the instant.
    Warned(&'a str, DateTime<Utc>),
}

/// A [`Change`] as one line of the journal: `{"recorded": {...}}`, `{"rejected": {...}}` or
/// `{"warned": {...}}`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
enum Line {
    Recorded(RecordedEntry),
    Rejected(RejectedEntry),
    Warned(WarnedEntry),
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordedEntry {
    at: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    reminders: Vec<RemindedEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    announcement: Option<AnnouncementEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    told: Option<TellingEntry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RemindedEntry {
    turn: String,
    person: String,
    start: String,
    end: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnnouncementEntry {
    month: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    person: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TellingEntry {
    person: String,
    slots: Vec<SlotEntry>,
    facts: Vec<ToldEntry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SlotEntry {
    rotation: String,
    slot: String,
}

impl RemindedEntry {
    fn of(r: &Reminded) -> Self {
        RemindedEntry {
            turn: r.key.turn.to_string(),
            person: r.key.person.clone(),
            start: utc(r.start),
            end: utc(r.end),
        }
    }

    fn read(self) -> Result<Reminded, LoadError> {
        Ok(Reminded {
            key: SentKey {
                turn: part(&self.turn)?,
                person: self.person,
            },
            start: instant(&self.start)?,
            end: instant(&self.end)?,
        })
    }
}

impl TellingEntry {
    fn of(t: &Telling) -> Self {
        TellingEntry {
            person: t.person.clone(),
            slots: t
                .slots
                .iter()
                .map(|s| SlotEntry {
                    rotation: s.rotation.clone(),
                    slot: s.date.to_string(),
                })
                .collect(),
            facts: t.facts.iter().map(told_entry).collect(),
        }
    }

    fn read(self) -> Result<Telling, LoadError> {
        let slot = |s: SlotEntry| {
            Ok(SlotId {
                rotation: s.rotation,
                date: date(&s.slot)?,
            })
        };
        Ok(Telling {
            person: self.person,
            slots: self
                .slots
                .into_iter()
                .map(slot)
                .collect::<Result<_, LoadError>>()?,
            facts: self
                .facts
                .into_iter()
                .map(told_of)
                .collect::<Result<_, LoadError>>()?,
        })
    }
}

impl SentLog {
    /// Makes `change` in memory.
    pub fn apply(&mut self, change: &Change<'_>) {
        match *change {
            Change::Recorded(record, at) => self.record(record, at),
            Change::Rejected {
                message_id,
                fingerprint,
                reason,
                at,
            } => self.reject(message_id, fingerprint, reason, at),
            Change::Warned(about, until) => self.warn(about, until),
        }
    }

    /// Makes the change a journal line holds (the line without its line break).
    pub fn replay(&mut self, line: &[u8]) -> Result<(), LoadError> {
        let corrupt = |e: serde_json::Error| LoadError::Corrupt(e.to_string());
        match serde_json::from_slice(line).map_err(corrupt)? {
            Line::Recorded(e) => {
                let record = Record {
                    reminders: e
                        .reminders
                        .into_iter()
                        .map(RemindedEntry::read)
                        .collect::<Result<_, LoadError>>()?,
                    announcement: e
                        .announcement
                        .map(|a| announcement_of(&a.month, a.person))
                        .transpose()?,
                    told: e.told.map(TellingEntry::read).transpose()?,
                };
                self.record(&record, instant(&e.at)?);
            }
            Line::Rejected(e) => {
                let (message_id, r) = rejected_of(e)?;
                self.rejected.insert(message_id, r);
            }
            Line::Warned(e) => {
                self.warned.insert(e.about, instant(&e.until)?);
            }
        }
        Ok(())
    }
}

/// `change` as a journal line, ending in a line break.
pub fn line(change: &Change<'_>) -> Vec<u8> {
    let line = match *change {
        Change::Recorded(record, at) => Line::Recorded(RecordedEntry {
            at: utc(at),
            reminders: record.reminders.iter().map(RemindedEntry::of).collect(),
            announcement: record.announcement.as_ref().map(|k| AnnouncementEntry {
                month: k.month.format("%Y-%m").to_string(),
                person: k.person.clone(),
            }),
            told: record.told.as_ref().map(TellingEntry::of),
        }),
        Change::Rejected {
            message_id,
            fingerprint,
            reason,
            at,
        } => Line::Rejected(rejected_entry(message_id, fingerprint, reason, at)),
        Change::Warned(about, until) => Line::Warned(WarnedEntry {
            about: about.to_string(),
            until: utc(until),
        }),
    };
    // One object without line breaks: a JSON string escapes every one.
    let mut bytes = serde_json::to_vec(&line).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

fn told_entry(t: &Told) -> ToldEntry {
    ToldEntry {
        rotation: t.slot.rotation.clone(),
        slot: t.slot.date.to_string(),
        person: t.person.clone(),
        start: utc(t.start),
        end: utc(t.end),
        turn: t.turn.as_ref().map(ToString::to_string),
        sequence: t.sequence,
        offset: (t.offset != chrono::TimeDelta::zero())
            .then(|| crate::slot::iso_duration(t.offset)),
    }
}

fn told_of(e: ToldEntry) -> Result<Told, LoadError> {
    Ok(Told {
        slot: SlotId {
            rotation: e.rotation,
            date: date(&e.slot)?,
        },
        person: e.person,
        start: instant(&e.start)?,
        end: instant(&e.end)?,
        turn: e.turn.as_deref().map(part).transpose()?,
        sequence: e.sequence,
        offset: match e.offset {
            Some(text) => crate::slot::parse_iso_duration(&text).ok_or_else(|| {
                LoadError::Corrupt(format!("`{text}` is not an offset such as PT4H"))
            })?,
            None => chrono::TimeDelta::zero(),
        },
    })
}

fn announcement_of(month_text: &str, person: Option<String>) -> Result<AnnouncementKey, LoadError> {
    Ok(AnnouncementKey {
        month: month(month_text)?,
        person,
    })
}

fn rejected_entry(
    message_id: &str,
    fingerprint: &str,
    reason: &str,
    at: DateTime<Utc>,
) -> RejectedEntry {
    RejectedEntry {
        message_id: message_id.to_string(),
        fingerprint: fingerprint.to_string(),
        reason: reason.to_string(),
        at: utc(at),
    }
}

fn rejected_of(e: RejectedEntry) -> Result<(String, Rejected), LoadError> {
    let entry = Rejected {
        fingerprint: e.fingerprint,
        reason: e.reason,
        at: instant(&e.at)?,
    };
    Ok((e.message_id, entry))
}

fn instant(text: &str) -> Result<DateTime<Utc>, LoadError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| LoadError::Corrupt(format!("`{text}` is not an RFC 3339 time: {e}")))
}

fn date(text: &str) -> Result<NaiveDate, LoadError> {
    crate::timefmt::parse_date(text)
        .ok_or_else(|| LoadError::Corrupt(format!("`{text}` is not a date (YYYY-MM-DD)")))
}

fn part(text: &str) -> Result<SlotPart, LoadError> {
    text.parse()
        .map_err(|e: crate::slot::NotASlot| LoadError::Corrupt(e.to_string()))
}

fn month(text: &str) -> Result<NaiveDate, LoadError> {
    crate::timefmt::parse_month(text)
        .ok_or_else(|| LoadError::Corrupt(format!("`{text}` is not a month (YYYY-MM)")))
}

fn utc(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reminder of Ana's emea turn starting on `start`'s date.
    fn key(start: &str) -> SentKey {
        SentKey {
            turn: format!("{}-emea", &start[..10]).parse().unwrap(),
            person: "ana".into(),
        }
    }

    fn reminder(start: &str) -> Record {
        let start: DateTime<Utc> = start.parse().unwrap();
        Record {
            reminders: vec![Reminded {
                key: key(&start.to_rfc3339()),
                start,
                end: start + chrono::TimeDelta::hours(8),
            }],
            ..Record::default()
        }
    }

    fn fact(person: &str, date: &str, start: &str, end: &str) -> Told {
        Told {
            slot: SlotId {
                rotation: "emea".into(),
                date: date.parse().unwrap(),
            },
            person: person.into(),
            start: start.parse().unwrap(),
            end: end.parse().unwrap(),
            turn: Some(format!("{date}-emea").parse().unwrap()),
            sequence: 1,
            offset: chrono::TimeDelta::hours(2),
        }
    }

    #[test]
    fn a_log_survives_its_own_json() {
        let mut log = SentLog::default();
        let at = "2026-12-06T09:00:00Z".parse().unwrap();
        log.record(&reminder("2026-12-07T08:00:00Z"), at);
        let f = fact(
            "ana",
            "2026-12-07",
            "2026-12-07T08:00:00Z",
            "2026-12-07T16:00:00Z",
        );
        log.record(
            &Record {
                announcement: Some(AnnouncementKey {
                    month: "2026-12-01".parse().unwrap(),
                    person: Some("ana".into()),
                }),
                told: Some(Telling {
                    person: "ana".into(),
                    slots: vec![f.slot.clone()],
                    facts: vec![f.clone()],
                }),
                ..Record::default()
            },
            at,
        );
        let back = SentLog::parse(&log.to_json()).unwrap();
        assert_eq!(back, log);
        assert!(back.contains(&key("2026-12-07T08:00:00Z")));
        assert_eq!(back.told().collect::<Vec<_>>(), [&f]);
    }

    #[test]
    fn a_version_1_file_is_read_as_reminders_sent() {
        let v1 = br#"{"version": 1, "sent": [{"rotation": "emea", "person": "ana",
            "turn_start": "2026-12-07T08:00:00Z", "sent_at": "2026-12-06T08:00:00Z"}]}"#;
        let mut log = SentLog::parse(v1).unwrap();
        assert_eq!(log.len(), 1);
        log.migrate(|rotation, start| {
            (rotation == "emea"
                && start == "2026-12-07T08:00:00Z".parse::<DateTime<Utc>>().unwrap())
            .then(|| key("2026-12-07").turn)
        });
        assert!(log.contains(&key("2026-12-07T08:00:00Z")));
        assert_eq!(log.told().count(), 0);
        assert!(
            String::from_utf8(log.to_json())
                .unwrap()
                .contains("\"version\": 3")
        );
    }

    #[test]
    fn a_version_2_file_is_read_with_facts_of_no_known_turn() {
        let v2 = br#"{"version": 2, "sent": [], "told": [{"rotation": "emea",
            "slot": "2026-12-07", "person": "ana", "start": "2026-12-07T08:00:00Z",
            "end": "2026-12-07T16:00:00Z"}]}"#;
        let log = SentLog::parse(v2).unwrap();
        let facts: Vec<&Told> = log.told().collect();
        assert_eq!(facts.len(), 1);
        assert_eq!(facts[0].turn, None);
        assert_eq!(facts[0].sequence, 0);
        assert_eq!(facts[0].offset, chrono::TimeDelta::zero());
    }

    #[test]
    fn telling_a_person_replaces_only_their_facts_about_those_slots() {
        let mut log = SentLog::default();
        let at = "2026-12-01T00:00:00Z".parse().unwrap();
        let ana = fact(
            "ana",
            "2026-12-07",
            "2026-12-07T08:00:00Z",
            "2026-12-07T16:00:00Z",
        );
        let bo = fact(
            "bo",
            "2026-12-07",
            "2026-12-07T08:00:00Z",
            "2026-12-07T16:00:00Z",
        );
        let tell = |facts: Vec<Told>, person: &str| Record {
            told: Some(Telling {
                person: person.into(),
                slots: vec![ana.slot.clone()],
                facts,
            }),
            ..Record::default()
        };
        log.record(&tell(vec![ana.clone()], "ana"), at);
        log.record(&tell(vec![bo.clone()], "bo"), at);
        log.record(&tell(vec![], "ana"), at);
        assert_eq!(log.told().collect::<Vec<_>>(), [&bo]);
    }

    #[test]
    fn damaged_or_foreign_files_are_refused() {
        assert!(matches!(SentLog::parse(b""), Err(LoadError::Corrupt(_))));
        assert!(matches!(
            SentLog::parse(b"{\"version\":1,"),
            Err(LoadError::Corrupt(_))
        ));
        assert!(matches!(SentLog::parse(b"[]"), Err(LoadError::Corrupt(_))));
        assert!(matches!(
            SentLog::parse(b"{\"version\":4,\"sent\":[]}"),
            Err(LoadError::Version(4))
        ));
    }

    #[test]
    fn a_reminded_turn_stays_reminded_when_its_start_moves_within_it() {
        let mut log = SentLog::default();
        let at = "2026-12-01T00:00:00Z".parse().unwrap();
        log.record(&reminder("2026-12-07T08:00:00Z"), at);
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        // An override took the first six hours: the rest is a part of the same turn.
        let rest = SentKey {
            turn: "2026-12-07-emea+PT6H".parse().unwrap(),
            person: "ana".into(),
        };
        assert!(log.reminded(&rest, t("2026-12-07T14:00:00Z"), t("2026-12-07T16:00:00Z")));
        // Her turn the day after is another.
        let next = key("2026-12-08");
        assert!(!log.reminded(&next, t("2026-12-08T08:00:00Z"), t("2026-12-08T16:00:00Z")));
        let bo = SentKey {
            person: "bo".into(),
            ..rest
        };
        assert!(!log.reminded(&bo, t("2026-12-07T14:00:00Z"), t("2026-12-07T16:00:00Z")));
    }

    #[test]
    fn a_warning_given_is_remembered_until_what_it_is_about_is_over() {
        let mut log = SentLog::default();
        log.warn(
            "reminder 2026-12-07-emea cy",
            "2026-12-07T16:00:00Z".parse().unwrap(),
        );
        let back = SentLog::parse(&log.to_json()).unwrap();
        assert!(back.warned("reminder 2026-12-07-emea cy"));
        assert!(!back.warned("reminder 2026-12-08-emea cy"));
        let mut pruned = back.clone();
        pruned.prune("2026-12-08T00:00:00Z".parse().unwrap());
        assert!(!pruned.warned("reminder 2026-12-07-emea cy"));
    }

    #[test]
    fn pruning_drops_only_turns_before_the_cutoff() {
        let mut log = SentLog::default();
        let at = "2026-12-01T00:00:00Z".parse().unwrap();
        log.record(&reminder("2026-11-01T08:00:00Z"), at);
        log.record(&reminder("2026-12-07T08:00:00Z"), at);
        assert!(log.prune("2026-11-15T00:00:00Z".parse().unwrap()));
        assert_eq!(log.len(), 1);
        assert!(!log.prune("2026-11-15T00:00:00Z".parse().unwrap()));
    }
}
