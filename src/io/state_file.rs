//! The state file on disk: the last full copy of the sent log (`state.json`), and beside it a
//! journal (`state.json.journal`) of what changed since.
//!
//! Each accepted email appends one line to the journal and syncs it, rather than rewriting
//! the whole state: a run that sends a thousand announcements writes a thousand short lines,
//! not a thousand copies of a file that grows with each. The run then writes the full state
//! once, atomically, and removes the journal.
//!
//! The journal's first line names the state file it continues (its length and digest). A
//! journal is replayed only on top of that very file: a state written since (by the run that
//! wrote the journal, after it, or by a rota that knows no journal) already holds what it
//! knows, so a crash between writing the state and removing the journal never replays a
//! change twice. A last line without its line break is one the crash cut short; the email it
//! stands for was never recorded, exactly as when a crash comes before the write.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::sent_log::{self, Change, LoadError, SentLog};
use crate::revision::Fnv;

/// The journal format this rota writes and reads.
const JOURNAL_VERSION: u32 = 1;

/// The sent log and where it is kept.
pub struct StateFile {
    path: PathBuf,
    log: SentLog,
    /// Which state file a new journal continues: the one this process last wrote. Until it
    /// wrote one, a change is saved in full.
    base: Option<String>,
    /// The journal this process appends to, once it started one.
    journal: Option<File>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Head {
    journal: u32,
    /// `<length>-<digest>` of the state file the lines after it change.
    after: String,
}

impl StateFile {
    /// The log kept at `path` with its journal replayed; a missing file is an empty log (the
    /// first run).
    pub fn load(path: &Path) -> Result<StateFile, LoadError> {
        let (mut log, written) = match std::fs::read(path) {
            Ok(bytes) => (SentLog::parse(&bytes)?, Some(identity(&bytes))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (SentLog::default(), None),
            Err(e) => return Err(LoadError::Read(e)),
        };
        let journal_path = journal_path(path);
        match std::fs::read(&journal_path) {
            Ok(bytes) => replay(&mut log, &bytes, written.as_deref()).map_err(|e| match e {
                LoadError::Corrupt(why) => {
                    LoadError::Corrupt(format!("its journal `{}`: {why}", journal_path.display()))
                }
                other => other,
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(LoadError::Read(e)),
        }
        Ok(StateFile {
            path: path.to_path_buf(),
            log,
            base: None,
            journal: None,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn log(&self) -> &SentLog {
        &self.log
    }

    /// The log, to change in memory only (pruning, reading old entries into slots): what is
    /// changed this way is on disk after the next [`StateFile::save`].
    pub fn log_mut(&mut self) -> &mut SentLog {
        &mut self.log
    }

    /// Writes the full state as [`StateFile::save`] does, after checking with a scratch file
    /// beside it, `headroom` bytes larger, that the folder takes it ([`files::probe`]).
    ///
    /// [`files::probe`]: super::files::probe
    pub fn probe_and_save(&mut self, headroom: usize) -> std::io::Result<()> {
        let mut bytes = self.log.to_json();
        let size = bytes.len();
        bytes.resize(size + headroom, b' ');
        super::files::probe(&self.path, &bytes)?;
        bytes.truncate(size);
        self.save_json(&bytes)
    }

    /// Whether this process journaled changes that the state file does not hold yet.
    pub fn journaled(&self) -> bool {
        self.journal.is_some()
    }

    /// Writes the full state atomically, then removes the journal it now holds.
    pub fn save(&mut self) -> std::io::Result<()> {
        let bytes = self.log.to_json();
        self.save_json(&bytes)
    }

    /// [`StateFile::save`] of `bytes`, the log's JSON.
    fn save_json(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        super::files::write_atomic(&self.path, bytes)?;
        self.journal = None;
        self.base = Some(identity(bytes));
        match std::fs::remove_file(journal_path(&self.path)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// Makes `change` and puts it on disk (synced) before returning.
    pub fn append(&mut self, change: &Change<'_>) -> std::io::Result<()> {
        self.log.apply(change);
        let Some(base) = &self.base else {
            return self.save();
        };
        let line = sent_log::line(change);
        let written = match &mut self.journal {
            Some(file) => file.write_all(&line).and_then(|()| file.sync_data()),
            None => start_journal(&journal_path(&self.path), base, &line).map(|file| {
                self.journal = Some(file);
            }),
        };
        if written.is_err() {
            // A line may be cut short: nothing more goes after it. The next change is saved
            // in full, with everything before it.
            self.journal = None;
            self.base = None;
        }
        written
    }
}

/// Creates the journal at `path`, continuing the state file `base` identifies, with its first
/// line, synced.
fn start_journal(path: &Path, base: &str, line: &[u8]) -> std::io::Result<File> {
    let head = Head {
        journal: JOURNAL_VERSION,
        after: base.to_string(),
    };
    let mut bytes = serde_json::to_vec(&head).unwrap_or_default();
    bytes.push(b'\n');
    bytes.extend_from_slice(line);
    let mut file = File::create(path)?;
    file.write_all(&bytes)?;
    file.sync_all()?;
    // The journal's name must outlive a power cut as well as its lines.
    super::files::sync_folder(super::files::folder(path));
    Ok(file)
}

/// Where the journal of the state file at `state` is kept.
pub fn journal_path(state: &Path) -> PathBuf {
    let mut name = state.as_os_str().to_owned();
    name.push(".journal");
    PathBuf::from(name)
}

/// What identifies one written state file: its length and a digest of its bytes.
fn identity(bytes: &[u8]) -> String {
    format!("{}-{:016x}", bytes.len(), Fnv::of(bytes))
}

/// Makes the changes of `journal` if it continues the state file `written` identifies.
fn replay(log: &mut SentLog, journal: &[u8], written: Option<&str>) -> Result<(), LoadError> {
    // Only complete lines: a crash can cut the last one short.
    let complete = match journal.iter().rposition(|&b| b == b'\n') {
        Some(end) => &journal[..end],
        None => return Ok(()),
    };
    let mut lines = complete.split(|&b| b == b'\n');
    let head: Head = match lines.next().map(serde_json::from_slice) {
        Some(Ok(head)) => head,
        Some(Err(e)) => return Err(LoadError::Corrupt(format!("line 1: {e}"))),
        None => return Ok(()),
    };
    if head.journal != JOURNAL_VERSION {
        return Err(LoadError::Corrupt(format!(
            "it has journal version {}, which this rota does not know",
            head.journal
        )));
    }
    if written != Some(head.after.as_str()) {
        return Ok(());
    }
    for (i, line) in lines.enumerate() {
        log.replay(line)
            .map_err(|e| LoadError::Corrupt(format!("line {}: {e}", i + 2)))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::announce::AnnouncementKey;
    use crate::io::sent_log::Record;

    fn announced(month: &str, person: &str) -> Record {
        Record {
            announcement: Some(AnnouncementKey {
                month: format!("{month}-01").parse().unwrap(),
                person: Some(person.into()),
            }),
            ..Record::default()
        }
    }

    fn at() -> chrono::DateTime<chrono::Utc> {
        "2026-12-01T09:00:00Z".parse().unwrap()
    }

    fn key(month: &str, person: &str) -> AnnouncementKey {
        announced(month, person).announcement.unwrap()
    }

    /// A state file written, then a journal of January's announcements to `people`.
    fn journaled(dir: &Path, people: &[&str]) -> (PathBuf, StateFile) {
        let path = dir.join("state.json");
        let mut state = StateFile::load(&path).unwrap();
        state.save().unwrap();
        for person in people {
            state
                .append(&Change::Recorded(&announced("2027-01", person), at()))
                .unwrap();
        }
        (path, state)
    }

    #[test]
    fn what_was_journaled_is_there_after_a_crash_and_a_cut_short_line_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let (path, state) = journaled(dir.path(), &["ana", "bo", "cy"]);
        // The crash: the state file was not written again, and the last line was cut short.
        drop(state);
        let journal = journal_path(&path);
        let bytes = std::fs::read(&journal).unwrap();
        std::fs::write(&journal, &bytes[..bytes.len() - 5]).unwrap();
        let back = StateFile::load(&path).unwrap();
        assert!(back.log().announced(&key("2027-01", "ana")));
        assert!(back.log().announced(&key("2027-01", "bo")));
        assert!(!back.log().announced(&key("2027-01", "cy")));
    }

    #[test]
    fn a_journal_is_not_replayed_over_a_state_written_after_it() {
        let dir = tempfile::tempdir().unwrap();
        let (path, _state) = journaled(dir.path(), &["ana"]);
        let journal = std::fs::read(journal_path(&path)).unwrap();
        // The state written since (with Ana's announcement) is then edited: she is told
        // nothing, so that a replay would show.
        let mut later = SentLog::default();
        later.warn("something", at());
        std::fs::write(&path, later.to_json()).unwrap();
        std::fs::write(journal_path(&path), &journal).unwrap();
        let back = StateFile::load(&path).unwrap();
        assert!(!back.log().announced(&key("2027-01", "ana")));
        assert!(back.log().warned("something"));
    }

    #[test]
    fn saving_removes_the_journal_and_keeps_everything() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let mut state = StateFile::load(&path).unwrap();
        // Before this process wrote the state file, a change is saved in full.
        state
            .append(&Change::Recorded(&announced("2027-01", "ana"), at()))
            .unwrap();
        assert!(!journal_path(&path).exists());
        state.append(&Change::Warned("reminder x", at())).unwrap();
        state
            .append(&Change::Rejected {
                message_id: "<m@x>",
                fingerprint: "a -> b via outbox",
                reason: "550 no",
                at: at(),
            })
            .unwrap();
        assert!(journal_path(&path).exists());
        let replayed = StateFile::load(&path).unwrap().log().clone();
        assert_eq!(&replayed, state.log());
        state.save().unwrap();
        assert!(!journal_path(&path).exists());
        assert_eq!(StateFile::load(&path).unwrap().log(), &replayed);
    }

    #[test]
    fn a_damaged_journal_line_is_an_error_naming_the_journal_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let (path, _state) = journaled(dir.path(), &["ana"]);
        let journal = journal_path(&path);
        let mut bytes = std::fs::read(&journal).unwrap();
        bytes.extend_from_slice(b"{\"recorded\": 7}\n");
        std::fs::write(&journal, bytes).unwrap();
        let error = StateFile::load(&path).err().unwrap().to_string();
        assert!(error.contains("state.json.journal"), "{error}");
        assert!(error.contains("line 3"), "{error}");
    }

    /// A change to make: an announcement to a person, or telling a person what they hold
    /// of a slot (nothing, or a shift of some length).
    fn change_of(step: (u8, u8, u8, u8)) -> Record {
        let (kind, person, day, hours) = step;
        let person = format!("p{}", person % 3);
        if kind % 2 == 0 {
            return announced(&format!("2027-0{}", 1 + day % 3), &person);
        }
        let slot = crate::notice::SlotId {
            rotation: "desk".into(),
            date: chrono::NaiveDate::from_ymd_opt(2027, 1, 1 + u32::from(day % 4)).unwrap(),
        };
        let start: chrono::DateTime<chrono::Utc> = "2027-01-01T08:00:00Z".parse().unwrap();
        let facts = (hours % 3 > 0)
            .then(|| crate::notice::Told {
                slot: slot.clone(),
                person: person.clone(),
                start,
                end: start + chrono::TimeDelta::hours(i64::from(hours)),
                turn: None,
                sequence: u32::from(hours),
                offset: chrono::TimeDelta::zero(),
            })
            .into_iter()
            .collect();
        Record {
            told: Some(crate::io::sent_log::Telling {
                person,
                slots: vec![slot],
                facts,
            }),
            ..Record::default()
        }
    }

    proptest::proptest! {
        /// Whatever a run journaled before it was killed, and whether it was killed before
        /// or after writing the full state, the next run reads exactly what was recorded.
        #[test]
        fn a_killed_run_leaves_exactly_what_it_recorded(
            steps in proptest::collection::vec((0u8..4, 0u8..3, 0u8..4, 0u8..6), 0..24),
            saved_in_between in proptest::collection::vec(proptest::bool::ANY, 24),
            killed_after_writing_the_state in proptest::bool::ANY,
        ) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("state.json");
            let mut state = StateFile::load(&path).unwrap();
            state.save().unwrap();
            for (step, save) in steps.iter().zip(&saved_in_between) {
                let record = change_of(*step);
                state.append(&Change::Recorded(&record, at())).unwrap();
                if *save {
                    state.save().unwrap();
                }
            }
            if killed_after_writing_the_state {
                // Killed between writing the state and removing the journal.
                let journal = std::fs::read(journal_path(&path)).ok();
                state.save().unwrap();
                if let Some(journal) = journal {
                    std::fs::write(journal_path(&path), journal).unwrap();
                }
            }
            let back = StateFile::load(&path).unwrap();
            proptest::prop_assert_eq!(back.log(), state.log());
        }
    }
}
