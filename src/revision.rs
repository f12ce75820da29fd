//! Revisions of calendar events across exports: `SEQUENCE`, `DTSTAMP` and `LAST-MODIFIED`.
//!
//! Clients keep the newer of two versions of an event by its `SEQUENCE`, then its `DTSTAMP`
//! (RFC 5546), so an event whose content changes must rise in both, and one that does not
//! change must keep them, or every export would look like a change (and files would differ
//! between two exports of the same config). What an event said last time comes from the
//! previous feed (or the last sync), so the revisions are reproducible for the same inputs.
//! Pure: "now" is a value.

use std::collections::{HashMap, HashSet};
use std::io::BufRead;

use chrono::{DateTime, NaiveTime, TimeDelta, Utc};

use crate::model::Model;
use crate::slot::Slot;

/// An event's revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revision {
    pub sequence: u32,
    /// `DTSTAMP` and `LAST-MODIFIED`: when the event last changed, as far as rota knows.
    pub stamp: DateTime<Utc>,
}

/// What an event was last published as: its revision and a fingerprint of its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Previous {
    pub revision: Revision,
    pub fingerprint: u64,
}

/// The events published before, by UID, in the order they were read. A large organisation's
/// team feed holds a million, and its feeds are rendered in the order it lists them: so each
/// lookup first tries the event after the one found last, and only otherwise searches by key.
/// (In a hash table, every insert and lookup was a cache miss somewhere in 100 MB: a fifth of
/// a re-export.)
#[derive(Debug, Clone, Default)]
pub struct Events {
    in_order: Vec<(UidKey, Previous)>,
    /// `(key, position in in_order)`, sorted by key; one per key, its last position (a later
    /// event of the same UID wins, as it would in a table).
    by_key: Vec<(UidKey, usize)>,
    /// Whether a key shows more than once in `in_order`: an earlier one must then not be found
    /// by following the order.
    repeats: bool,
}

/// Where the last lookup in [`Events`] left off: one for each feed being rendered.
pub type Cursor = usize;

impl Events {
    /// The events in the order they were read.
    pub fn from_ordered(in_order: Vec<(UidKey, Previous)>) -> Self {
        let mut by_key: Vec<(UidKey, usize)> = in_order
            .iter()
            .enumerate()
            .map(|(at, (key, _))| (*key, at))
            .collect();
        // Within a key, the latest position first: that is the one kept.
        by_key.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let before = by_key.len();
        by_key.dedup_by_key(|(key, _)| *key);
        let repeats = by_key.len() != before;
        Events {
            in_order,
            by_key,
            repeats,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.in_order.is_empty()
    }

    /// The event with UID `key`, looked for first where `cursor` left off, which is then moved
    /// past it.
    pub fn get(&self, key: UidKey, cursor: &mut Cursor) -> Option<&Previous> {
        if !self.repeats
            && let Some((next, previous)) = self.in_order.get(*cursor)
            && *next == key
        {
            *cursor += 1;
            return Some(previous);
        }
        let found = self.by_key.binary_search_by_key(&key, |&(k, _)| k).ok()?;
        let at = self.by_key[found].1;
        *cursor = at + 1;
        Some(&self.in_order[at].1)
    }
}

impl FromIterator<(UidKey, Previous)> for Events {
    fn from_iter<I: IntoIterator<Item = (UidKey, Previous)>>(events: I) -> Self {
        Events::from_ordered(events.into_iter().collect())
    }
}

/// A UID as a key of [`Events`]: two independent 64-bit hashes of it, held in a fifth of the
/// memory of the text, and for two different UIDs alike with odds far below one in 10^20.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UidKey(u64, u64);

impl UidKey {
    pub fn of(uid: &str) -> Self {
        use std::hash::{Hash, Hasher};
        let mut fx = rustc_hash::FxHasher::default();
        uid.hash(&mut fx);
        UidKey(Fnv::of(uid.as_bytes()), fx.finish())
    }
}

/// The events published before, by UID, and the instant of this run.
#[derive(Debug, Clone)]
pub struct History {
    events: Events,
    now: DateTime<Utc>,
    /// The stamp of an event never published before.
    first: DateTime<Utc>,
    /// The slots of published turns that changed since they were published.
    changed: HashSet<Slot>,
    /// For an email's attachment: whether the email tells of a change (`None`: a feed).
    emailed: Option<bool>,
}

impl History {
    /// Events never seen before are stamped with `team.start` at midnight UTC (the date the
    /// plan is counted from, so two first exports agree), or, while that date is still ahead,
    /// with midnight UTC of today: a stamp never lies in the future.
    pub fn new(model: &Model, now: DateTime<Utc>, events: Events) -> Self {
        let midnight = |date: chrono::NaiveDate| date.and_time(NaiveTime::MIN).and_utc();
        History {
            events,
            now,
            first: midnight(model.team.start).min(midnight(now.date_naive())),
            changed: HashSet::new(),
            emailed: None,
        }
    }

    /// The slots of published turns whose shifts changed since publishing
    /// ([`crate::published::digest::changed`]): their events, where no previous feed says
    /// what they were, are revision 1, not 0.
    pub fn with_published_changes(mut self, changed: HashSet<Slot>) -> Self {
        self.changed = changed;
        self
    }

    /// The revisions of the events an email attaches, from the `SEQUENCE` rota last emailed
    /// for each UID (none: 0): the same, or, for an email that tells of a change, one higher
    /// and stamped `now`, so that a client that imported the earlier attachment takes it.
    pub fn emailed(
        model: &Model,
        now: DateTime<Utc>,
        sent: impl IntoIterator<Item = (String, u32)>,
        changed: bool,
    ) -> Self {
        let mut history = History::new(model, now, Events::default());
        let stamp = history.first;
        history.events = sent
            .into_iter()
            .map(|(uid, sequence)| {
                let revision = Revision { sequence, stamp };
                let previous = Previous {
                    revision,
                    fingerprint: 0,
                };
                (UidKey::of(&uid), previous)
            })
            .collect();
        history.emailed = Some(changed);
        history
    }

    fn previous(&self, uid: &str, cursor: &mut Cursor) -> Option<&Previous> {
        if self.events.is_empty() {
            return None;
        }
        self.events.get(UidKey::of(uid), cursor)
    }

    /// The revision of the event `uid` of `slot` whose content now has `fingerprint()`:
    /// unchanged if it was published with that content, one higher and stamped now if its
    /// content changed. The fingerprint is taken only where there is a previous version to
    /// compare with: hashing every event's text was a fifth of a first export.
    ///
    /// Without a previous version, an event of a published turn that changed since publishing
    /// is revision 1, stamped 00:00 UTC of today: newer than the version of the published plan
    /// (revision 0), never in the future, and the same for every export of the day.
    ///
    /// `cursor` is where the feed being rendered left off among the previous events: events
    /// asked for in the order they were read are found fastest; any other value only costs a
    /// search.
    pub fn revise(
        &self,
        uid: &str,
        slot: Slot,
        fingerprint: impl FnOnce() -> u64,
        cursor: &mut Cursor,
    ) -> Revision {
        if let Some(changed) = self.emailed {
            let sequence = self
                .previous(uid, cursor)
                .map_or(0, |e| e.revision.sequence);
            return if changed {
                Revision {
                    sequence: sequence.saturating_add(1),
                    stamp: self.now,
                }
            } else {
                Revision {
                    sequence,
                    stamp: self.first,
                }
            };
        }
        match self.previous(uid, cursor) {
            None if self.changed.contains(&slot) => Revision {
                sequence: 1,
                stamp: (self.first + TimeDelta::seconds(1))
                    .max(self.now.date_naive().and_time(NaiveTime::MIN).and_utc())
                    .min(self.now),
            },
            None => Revision {
                sequence: 0,
                stamp: self.first,
            },
            Some(old) if old.fingerprint == fingerprint() => old.revision,
            Some(old) => Revision {
                sequence: old.revision.sequence.saturating_add(1),
                stamp: self.now,
            },
        }
    }
}

/// The properties that make an event's content, as written in the feed (TEXT escaped): a
/// change to any of them is a new revision.
pub const CONTENT: [&str; 4] = ["DTSTART", "DTEND", "SUMMARY", "DESCRIPTION"];

/// A fingerprint of an event's content: the values of [`CONTENT`], in that order. Only ever
/// compared within one run (an event as the previous feed has it with the event rendered now),
/// never stored, so the hash is the fast one (FxHash takes eight bytes a step where FNV takes
/// one: hashing every event's text twice was a seventh of a re-export).
pub fn fingerprint<V: AsRef<[u8]>>(values: impl IntoIterator<Item = V>) -> u64 {
    use std::hash::Hasher;
    let mut hash = rustc_hash::FxHasher::default();
    for value in values {
        hash.write(value.as_ref());
        // A separator no value holds (values are single lines), so that parts never run
        // into each other.
        hash.write(b"\n");
    }
    hash.finish()
}

/// The events of a feed rota wrote before, by UID; events it cannot read are skipped (they
/// are then published as new). `None` when the text is not an iCalendar feed.
///
/// Read line by line here rather than with the icalendar crate's parser: the feed is one rota
/// wrote (the caller checks its `PRODID`), a large organisation's team feed is hundreds of
/// megabytes, and parsing each event into components, unescaping its text and escaping it
/// again to fingerprint it took longer than rendering and writing every feed anew. A value
/// read raw is the escaped text rota wrote, so it fingerprints as written.
pub fn read_feed(text: &str) -> Option<HashMap<String, Previous>> {
    let mut events = HashMap::new();
    let calendar = each_event(text.as_bytes(), Stretch::FromTheStart, |uid, previous| {
        events.insert(uid.to_string(), previous);
    });
    calendar.ok()?.then_some(events)
}

/// Where the text [`read_events`] reads lies in its feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stretch {
    /// From the feed's start, which must be `BEGIN:VCALENDAR` for it to be a feed at all.
    FromTheStart,
    /// From where an event begins (`BEGIN:VEVENT`) onwards.
    FromAnEvent,
}

/// The events of a feed (or of a stretch of one) read as it goes, in order, by [`UidKey`]: a
/// large organisation's team feed need not be held in memory at once. An error reading it is
/// passed on; `None` when it is not an iCalendar feed. `events` is how many it is expected to
/// hold, so that a large feed's are not moved as it is read.
pub fn read_events(
    input: impl BufRead,
    stretch: Stretch,
    events: usize,
) -> std::io::Result<Option<Vec<(UidKey, Previous)>>> {
    let mut in_order = Vec::with_capacity(events);
    let calendar = each_event(input, stretch, |uid, previous| {
        in_order.push((UidKey::of(uid), previous));
    })?;
    Ok(calendar.then_some(in_order))
}

/// Calls `f` with the UID and revision of each event `input` holds; whether it is (a stretch
/// of) an iCalendar feed at all.
fn each_event(
    input: impl BufRead,
    stretch: Stretch,
    mut f: impl FnMut(&str, Previous),
) -> std::io::Result<bool> {
    let mut first = stretch == Stretch::FromTheStart;
    let mut calendar = true;
    // The event being read, and how deep inside it (an alarm has a DESCRIPTION of its own).
    // One is reused for every event, its strings with it.
    let mut lines = EventLines::default();
    let mut in_event = false;
    let mut nested = 0usize;
    for_each_line(input, |line| {
        if std::mem::take(&mut first) && line.trim_ascii_start() != b"BEGIN:VCALENDAR" {
            calendar = false;
        }
        if !calendar {
            return;
        }
        let (name, value) = property(line);
        match (name, value) {
            (b"BEGIN", b"VEVENT") => {
                lines.clear();
                in_event = true;
                nested = 0;
            }
            (b"END", b"VEVENT") if in_event => {
                in_event = false;
                if let Some((uid, previous)) = lines.finish() {
                    f(uid, previous);
                }
            }
            (b"BEGIN", _) if in_event => nested += 1,
            (b"END", _) if in_event => nested = nested.saturating_sub(1),
            _ if nested > 0 || !in_event => {}
            _ => lines.take(name, value),
        }
    })?;
    Ok(calendar)
}

/// The properties of one event that its revision is read from, as written. Read as bytes:
/// only the UID and stamp need to be text, and checking every line of a large feed for UTF-8
/// was a good part of reading it.
#[derive(Default)]
struct EventLines {
    /// Empty while the event has shown none.
    uid: Vec<u8>,
    stamp: Option<DateTime<Utc>>,
    sequence: u32,
    /// The values of [`CONTENT`], in that order.
    content: [Vec<u8>; 4],
}

impl EventLines {
    fn clear(&mut self) {
        self.uid.clear();
        self.stamp = None;
        self.sequence = 0;
        self.content.iter_mut().for_each(Vec::clear);
    }

    fn take(&mut self, name: &[u8], value: &[u8]) {
        let text = || std::str::from_utf8(value).ok();
        match name {
            b"UID" => {
                self.uid.clear();
                self.uid.extend_from_slice(value);
            }
            b"DTSTAMP" => self.stamp = text().and_then(crate::timefmt::parse_ical_utc),
            b"SEQUENCE" => self.sequence = text().and_then(|t| t.trim().parse().ok()).unwrap_or(0),
            _ => {
                if let Some(i) = CONTENT.iter().position(|c| c.as_bytes() == name) {
                    self.content[i].clear();
                    self.content[i].extend_from_slice(value);
                }
            }
        }
    }

    fn finish(&self) -> Option<(&str, Previous)> {
        let previous = Previous {
            revision: Revision {
                sequence: self.sequence,
                stamp: self.stamp?,
            },
            fingerprint: fingerprint(&self.content),
        };
        let uid = std::str::from_utf8(&self.uid)
            .ok()
            .filter(|uid| !uid.is_empty());
        Some((uid?, previous))
    }
}

/// A content line's name (without parameters) and value.
fn property(line: &[u8]) -> (&[u8], &[u8]) {
    let colon = line.iter().position(|&b| b == b':');
    let (head, value) = colon.map_or((line, &[][..]), |at| (&line[..at], &line[at + 1..]));
    let name = head.split(|&b| b == b';').next().unwrap_or(head);
    (name, value)
}

/// Calls `f` with each content line of `input`, unfolded (RFC 5545: a line break followed by
/// a space or tab continues the line).
fn for_each_line(mut input: impl BufRead, mut f: impl FnMut(&[u8])) -> std::io::Result<()> {
    let mut line = Vec::new();
    let mut raw = Vec::new();
    let mut started = false;
    loop {
        raw.clear();
        if input.read_until(b'\n', &mut raw)? == 0 {
            break;
        }
        let text = raw.strip_suffix(b"\n").unwrap_or(&raw);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if let Some(rest) = text.strip_prefix(b" ").or_else(|| text.strip_prefix(b"\t")) {
            line.extend_from_slice(rest);
            continue;
        }
        if started {
            f(&line);
        }
        line.clear();
        line.extend_from_slice(text);
        started = true;
    }
    if started {
        f(&line);
    }
    Ok(())
}

/// FNV-1a (64 bits): a small hash whose values never change between builds or machines, for
/// fingerprints kept in files and names derived from text.
#[derive(Debug, Clone, Copy)]
pub struct Fnv(pub u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    pub fn of(bytes: &[u8]) -> u64 {
        let mut hash = Fnv::default();
        hash.write(bytes);
        hash.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(start: &str) -> Model {
        let config = format!(
            "[team]\nname = \"T\"\ntimezone = \"UTC\"\nstart = {start}\n\
             [[person]]\nid = \"a\"\nname = \"A\"\n\
             [[rotation]]\nname = \"r\"\nmembers = [\"a\"]\nshift = \"09:00-17:00\"\n"
        );
        crate::config::load(&config, "rotation.toml").expect("valid config")
    }

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn an_event_rises_only_when_its_content_changes_and_is_never_stamped_in_the_future() {
        let now = at("2027-02-01T12:00:00Z");
        let fresh = History::new(&model("2026-12-07"), now, Events::default());
        let slot = Slot {
            rotation: 0,
            date: "2027-01-04".parse().unwrap(),
        };
        let first = fresh.revise("x@t", slot, || 1, &mut 0);
        assert_eq!(first.sequence, 0);
        assert_eq!(first.stamp, at("2026-12-07T00:00:00Z"));

        let ahead = History::new(&model("2028-01-01"), now, Events::default());
        let today = at("2027-02-01T00:00:00Z");
        assert_eq!(
            ahead.revise("x@t", slot, || 1, &mut 0).stamp,
            today,
            "team.start lies ahead"
        );

        let published = Previous {
            revision: first,
            fingerprint: 1,
        };
        let later = History::new(
            &model("2026-12-07"),
            now,
            Events::from_iter([(UidKey::of("x@t"), published)]),
        );
        assert_eq!(
            later.revise("x@t", slot, || 1, &mut 0),
            first,
            "same content, same revision"
        );
        let changed = later.revise("x@t", slot, || 2, &mut 0);
        assert_eq!(changed.sequence, 1);
        assert_eq!(changed.stamp, now);
    }

    #[test]
    fn an_event_of_a_published_turn_changed_since_publishing_is_newer_than_the_published_plan() {
        let now = at("2027-02-01T12:00:00Z");
        let slot = Slot {
            rotation: 0,
            date: "2027-02-03".parse().unwrap(),
        };
        let other = Slot {
            date: "2027-02-10".parse().unwrap(),
            ..slot
        };
        let fresh = History::new(&model("2026-12-07"), now, Events::default())
            .with_published_changes(HashSet::from([slot]));
        let changed = fresh.revise("x@t", slot, || 1, &mut 0);
        assert_eq!(changed.sequence, 1);
        assert_eq!(
            changed.stamp,
            at("2027-02-01T00:00:00Z"),
            "today, not the future"
        );
        assert_eq!(fresh.revise("y@t", other, || 1, &mut 0).sequence, 0);

        // What a previous feed says wins: it knows what subscribers were shown.
        let shown = Previous {
            revision: Revision {
                sequence: 4,
                stamp: at("2027-01-20T08:00:00Z"),
            },
            fingerprint: 1,
        };
        let kept = History::new(
            &model("2026-12-07"),
            now,
            Events::from_iter([(UidKey::of("x@t"), shown)]),
        )
        .with_published_changes(HashSet::from([slot]));
        assert_eq!(kept.revise("x@t", slot, || 1, &mut 0), shown.revision);
        assert_eq!(kept.revise("x@t", slot, || 2, &mut 0).sequence, 5);
    }

    proptest::proptest! {
        /// Whatever order events are asked for in, and with UIDs read twice (the later wins),
        /// the cursor only speeds lookups up: each finds what a table of them would.
        #[test]
        fn events_are_found_as_a_table_would_find_them_in_any_order(
            read in proptest::collection::vec(0u8..40, 0..60),
            asked in proptest::collection::vec(0u8..50, 0..80),
            in_read_order in proptest::bool::ANY,
        ) {
            let previous = |n: usize| Previous {
                revision: Revision { sequence: n as u32, stamp: at("2027-01-01T00:00:00Z") },
                fingerprint: n as u64,
            };
            let uid = |k: u8| format!("{k}@t");
            let events: Events = read
                .iter()
                .enumerate()
                .map(|(n, &k)| (UidKey::of(&uid(k)), previous(n)))
                .collect();
            let mut table = std::collections::HashMap::new();
            for (n, &k) in read.iter().enumerate() {
                table.insert(k, previous(n));
            }
            // Asked for as a feed renders them (the order they were read, some changed), or
            // at random.
            let asked: Vec<u8> = if in_read_order {
                read.iter().map(|&k| if k % 7 == 0 { k + 1 } else { k }).collect()
            } else {
                asked
            };
            let mut cursor = 0;
            for k in asked {
                let found = events.get(UidKey::of(&uid(k)), &mut cursor).copied();
                proptest::prop_assert_eq!(found, table.get(&k).copied(), "uid {}", k);
            }
        }
    }

    #[test]
    fn a_feed_reads_back_with_its_revisions_and_content() {
        let feed = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//rota//rota//EN\r\n\
            BEGIN:VEVENT\r\nUID:2026-12-07-r@t\r\nDTSTAMP:20261207T000000Z\r\nSEQUENCE:3\r\n\
            DTSTART:20261207T090000Z\r\nDTEND:20261207T170000Z\r\nSUMMARY:A\\, B — r\r\n\
            DESCRIPTION:Rotation: r\\nOn duty: A\\, B and a line long enough to be fol\r\n ded\r\n\
            END:VEVENT\r\nEND:VCALENDAR\r\n";
        let events = read_feed(feed).expect("a feed");
        let event = events["2026-12-07-r@t"];
        assert_eq!(event.revision.sequence, 3);
        assert_eq!(event.revision.stamp, at("2026-12-07T00:00:00Z"));
        assert_eq!(
            event.fingerprint,
            fingerprint([
                "20261207T090000Z",
                "20261207T170000Z",
                "A\\, B — r",
                "Rotation: r\\nOn duty: A\\, B and a line long enough to be folded",
            ])
        );
        assert!(read_feed("not a calendar").is_none_or(|e| e.is_empty()));
    }

    #[test]
    fn an_alarm_inside_an_event_is_not_read_as_the_event_and_bare_line_feeds_read_too() {
        let with_alarm = |ending: &str| {
            String::from(
                "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:u@t\r\nDTSTAMP:20261207T000000Z\r\n\
                 SEQUENCE:1\r\nDTSTART:20261207T090000Z\r\nDTEND:20261207T170000Z\r\n\
                 SUMMARY:A — r\r\nDESCRIPTION:the event\r\nBEGIN:VALARM\r\n\
                 DESCRIPTION:the alarm\r\nEND:VALARM\r\nEND:VEVENT\r\n\
                 BEGIN:VEVENT\r\nUID:no-stamp@t\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            )
            .replace("\r\n", ending)
        };
        let expected = fingerprint(["20261207T090000Z", "20261207T170000Z", "A — r", "the event"]);
        for ending in ["\r\n", "\n"] {
            let events = read_feed(&with_alarm(ending)).expect("a feed");
            assert_eq!(events.len(), 1, "an event without DTSTAMP is skipped");
            assert_eq!(events["u@t"].fingerprint, expected);
            assert_eq!(events["u@t"].revision.sequence, 1);
        }
    }
}
