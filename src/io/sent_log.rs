//! The sent log: which reminders a server (or the outbox) accepted, kept in `[remind] state`.
//!
//! A small versioned JSON file, rewritten atomically after each accepted reminder so that a
//! crash never loses the record of a sent mail and never records an unsent one.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::remind::SentKey;

const VERSION: u32 = 1;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SentLog {
    /// Sent reminder → when it was sent.
    sent: BTreeMap<SentKey, DateTime<Utc>>,
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
    rotation: String,
    person: String,
    /// RFC 3339 in UTC, e.g. `2026-12-07T08:00:00Z`.
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
        if versioned.version != VERSION {
            return Err(LoadError::Version(versioned.version));
        }
        let file: File = serde_json::from_slice(bytes).map_err(corrupt)?;
        let sent = file
            .sent
            .into_iter()
            .map(|e| {
                let key = SentKey {
                    rotation: e.rotation,
                    person: e.person,
                    turn_start: instant(&e.turn_start)?,
                };
                Ok((key, instant(&e.sent_at)?))
            })
            .collect::<Result<_, LoadError>>()?;
        Ok(SentLog { sent })
    }

    pub fn to_json(&self) -> Vec<u8> {
        let file = File {
            version: VERSION,
            sent: self
                .sent
                .iter()
                .map(|(k, at)| Entry {
                    rotation: k.rotation.clone(),
                    person: k.person.clone(),
                    turn_start: utc(k.turn_start),
                    sent_at: utc(*at),
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

    pub fn record(&mut self, key: SentKey, sent_at: DateTime<Utc>) {
        self.sent.insert(key, sent_at);
    }

    /// Forgets reminders of turns that started before `cutoff`; returns whether any went.
    pub fn prune(&mut self, cutoff: DateTime<Utc>) -> bool {
        let before = self.sent.len();
        self.sent.retain(|k, _| k.turn_start >= cutoff);
        self.sent.len() != before
    }

    pub fn len(&self) -> usize {
        self.sent.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sent.is_empty()
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

    fn key(start: &str) -> SentKey {
        SentKey {
            rotation: "emea".into(),
            person: "ana".into(),
            turn_start: start.parse().unwrap(),
        }
    }

    #[test]
    fn a_log_survives_its_own_json() {
        let mut log = SentLog::default();
        log.record(
            key("2026-12-07T08:00:00Z"),
            "2026-12-06T09:00:00Z".parse().unwrap(),
        );
        let back = SentLog::parse(&log.to_json()).unwrap();
        assert_eq!(back, log);
        assert!(back.contains(&key("2026-12-07T08:00:00Z")));
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
            SentLog::parse(b"{\"version\":2,\"sent\":[]}"),
            Err(LoadError::Version(2))
        ));
    }

    #[test]
    fn pruning_drops_only_turns_before_the_cutoff() {
        let mut log = SentLog::default();
        let at = "2026-12-01T00:00:00Z".parse().unwrap();
        log.record(key("2026-11-01T08:00:00Z"), at);
        log.record(key("2026-12-07T08:00:00Z"), at);
        assert!(log.prune("2026-11-15T00:00:00Z".parse().unwrap()));
        assert_eq!(log.len(), 1);
        assert!(!log.prune("2026-11-15T00:00:00Z".parse().unwrap()));
    }
}
