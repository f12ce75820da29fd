//! The sent log: which reminders a server (or the outbox) accepted, kept in `[remind] state`.
//!
//! A small versioned JSON file, rewritten atomically after each accepted reminder so that a
//! crash never loses the record of a sent mail and never records an unsent one.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::remind::SentKey;
use crate::slot::SlotPart;

/// Version 2 names each reminder by the slot its turn starts with; version 1 by the
/// rotation's name and the turn's start instant, which [`SentLog::migrate`] reads into slots.
const VERSION: u32 = 2;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SentLog {
    /// Sent reminder → its turn's start, for pruning.
    sent: BTreeMap<SentKey, Sent>,
    /// Version 1 entries not yet read into slots.
    legacy: Vec<LegacyEntry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sent {
    turn_start: DateTime<Utc>,
    at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct LegacyEntry {
    rotation: String,
    person: String,
    sent: Sent,
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
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    /// The slot part the turn starts with, e.g. `2026-12-07-support-hero`.
    turn: String,
    person: String,
    /// RFC 3339 in UTC, e.g. `2026-12-07T08:00:00Z`.
    turn_start: String,
    sent_at: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileV1 {
    #[allow(dead_code)]
    version: u32,
    sent: Vec<EntryV1>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryV1 {
    rotation: String,
    person: String,
    turn_start: String,
    sent_at: String,
}

#[derive(Deserialize)]
struct Versioned {
    version: u32,
}

impl SentLog {
    /// The log at `path`; a missing file is an empty log (the first run).
    pub fn load(path: &Path) -> Result<SentLog, LoadError> {
        match std::fs::read(path) {
            Ok(bytes) => SentLog::parse(&bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(SentLog::default()),
            Err(e) => Err(LoadError::Read(e)),
        }
    }

    pub fn parse(bytes: &[u8]) -> Result<SentLog, LoadError> {
        let corrupt = |e: serde_json::Error| LoadError::Corrupt(e.to_string());
        let versioned: Versioned = serde_json::from_slice(bytes).map_err(corrupt)?;
        let mut log = SentLog::default();
        match versioned.version {
            1 => {
                let file: FileV1 = serde_json::from_slice(bytes).map_err(corrupt)?;
                for e in file.sent {
                    log.legacy.push(LegacyEntry {
                        rotation: e.rotation,
                        person: e.person,
                        sent: Sent {
                            turn_start: instant(&e.turn_start)?,
                            at: instant(&e.sent_at)?,
                        },
                    });
                }
            }
            VERSION => {
                let file: File = serde_json::from_slice(bytes).map_err(corrupt)?;
                for e in file.sent {
                    let turn = e
                        .turn
                        .parse()
                        .map_err(|e: crate::slot::NotASlot| LoadError::Corrupt(e.to_string()))?;
                    let key = SentKey {
                        turn,
                        person: e.person,
                    };
                    let sent = Sent {
                        turn_start: instant(&e.turn_start)?,
                        at: instant(&e.sent_at)?,
                    };
                    log.sent.insert(key, sent);
                }
            }
            other => return Err(LoadError::Version(other)),
        }
        Ok(log)
    }

    /// Reads version 1 entries into slots with `part_of(rotation, turn_start)`; an entry whose
    /// shift the config no longer has is dropped (no turn can match it now).
    pub fn migrate(&mut self, part_of: impl Fn(&str, DateTime<Utc>) -> Option<SlotPart>) {
        for e in std::mem::take(&mut self.legacy) {
            if let Some(turn) = part_of(&e.rotation, e.sent.turn_start) {
                let key = SentKey {
                    turn,
                    person: e.person,
                };
                self.sent.insert(key, e.sent);
            }
        }
    }

    pub fn to_json(&self) -> Vec<u8> {
        let file = File {
            version: VERSION,
            sent: self
                .sent
                .iter()
                .map(|(k, sent)| Entry {
                    turn: k.turn.to_string(),
                    person: k.person.clone(),
                    turn_start: utc(sent.turn_start),
                    sent_at: utc(sent.at),
                })
                .collect(),
        };
        let mut bytes = serde_json::to_vec_pretty(&file).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        super::files::write_atomic(path, &self.to_json())
    }

    pub fn contains(&self, key: &SentKey) -> bool {
        self.sent.contains_key(key)
    }

    pub fn record(&mut self, key: SentKey, turn_start: DateTime<Utc>, sent_at: DateTime<Utc>) {
        let sent = Sent {
            turn_start,
            at: sent_at,
        };
        self.sent.insert(key, sent);
    }

    /// Forgets reminders of turns that started before `cutoff`; returns whether any went.
    pub fn prune(&mut self, cutoff: DateTime<Utc>) -> bool {
        let before = self.sent.len() + self.legacy.len();
        self.sent.retain(|_, sent| sent.turn_start >= cutoff);
        self.legacy.retain(|e| e.sent.turn_start >= cutoff);
        self.sent.len() + self.legacy.len() != before
    }

    pub fn len(&self) -> usize {
        self.sent.len() + self.legacy.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn instant(text: &str) -> Result<DateTime<Utc>, LoadError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| LoadError::Corrupt(format!("`{text}` is not an RFC 3339 time: {e}")))
}

fn utc(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(date: &str) -> SentKey {
        SentKey {
            turn: format!("{date}-emea").parse().unwrap(),
            person: "ana".into(),
        }
    }

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn a_log_survives_its_own_json() {
        let mut log = SentLog::default();
        log.record(
            key("2026-12-07"),
            at("2026-12-07T08:00:00Z"),
            at("2026-12-06T09:00:00Z"),
        );
        let back = SentLog::parse(&log.to_json()).unwrap();
        assert_eq!(back, log);
        assert!(back.contains(&key("2026-12-07")));
    }

    #[test]
    fn a_version_1_log_is_read_into_slots() {
        let v1 = br#"{"version":1,"sent":[{"rotation":"emea","person":"ana",
            "turn_start":"2026-12-07T08:00:00Z","sent_at":"2026-12-06T09:00:00Z"},
            {"rotation":"gone","person":"ana",
            "turn_start":"2026-12-07T08:00:00Z","sent_at":"2026-12-06T09:00:00Z"}]}"#;
        let mut log = SentLog::parse(v1).unwrap();
        assert_eq!(log.len(), 2);
        log.migrate(|rotation, start| {
            (rotation == "emea" && start == at("2026-12-07T08:00:00Z"))
                .then(|| key("2026-12-07").turn)
        });
        assert_eq!(log.len(), 1);
        assert!(log.contains(&key("2026-12-07")));
        let back = SentLog::parse(&log.to_json()).unwrap();
        assert_eq!(back, log);
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
            SentLog::parse(b"{\"version\":3,\"sent\":[]}"),
            Err(LoadError::Version(3))
        ));
    }

    #[test]
    fn pruning_drops_only_turns_before_the_cutoff() {
        let mut log = SentLog::default();
        let sent = at("2026-12-01T00:00:00Z");
        log.record(key("2026-11-01"), at("2026-11-01T08:00:00Z"), sent);
        log.record(key("2026-12-07"), at("2026-12-07T08:00:00Z"), sent);
        assert!(log.prune(at("2026-11-15T00:00:00Z")));
        assert_eq!(log.len(), 1);
        assert!(!log.prune(at("2026-11-15T00:00:00Z")));
    }
}
