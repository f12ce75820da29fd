//! iCalendar (RFC 5545) feeds: shifts → `.ics` bytes, reproducible to the byte.
//!
//! Every content line goes through [`Lines`], which folds lines at 75 octets on character
//! boundaries and ends them with CRLF. TEXT values are escaped (`\,` `\;` `\n` `\\`) as they
//! are written, or, in events, put together from names escaped once ([`escape`]). The components
//! are assembled here rather than with the icalendar crate's `Component` writer, because that
//! writer stamps every `VALARM` (and any component without them) with a clock `DTSTAMP` and a
//! random `UID`, which would break the promise that the same config gives byte-identical
//! files; and its `Property` allocates several strings per line, which for a year of a large
//! organisation (a million lines) was most of `rota export`.
//!
//! One [`Renderer`] renders every feed of an export, so the team's, a rotation's and an
//! assignee's feed show one event identically. Everything an event says comes with its
//! [`Handover`]: the renderer never plans.

use std::fmt::Write as _;
use std::io::Write;
use std::sync::Mutex;

use chrono::{DateTime, Datelike, TimeDelta, Timelike, Utc};
use chrono_tz::Tz;

use crate::ical_text::{escape, escape_pieces};
use crate::model::{Alarms, Model, PersonIx, RotationIx};
use crate::plan::Shift;
use crate::plan::handover::{Handover, Neighbour};
use crate::revision::{self, History};
use crate::slot;
use crate::timefmt::{self, push_two_digits};

/// How often subscribed clients should re-read a published feed.
const REFRESH: &str = "PT12H";

/// What a feed says about itself, in calendar-level properties.
pub struct Feed<'a> {
    /// `X-WR-CALNAME`: the name calendar apps show for the subscription.
    pub name: &'a str,
    /// `X-WR-CALDESC`.
    pub description: &'a str,
    /// `X-WR-TIMEZONE`: the zone apps display it in by default (event times stay in UTC).
    pub timezone: Tz,
}

/// A calendar named `name` holding one event per hand-over, in the team's zone: for a
/// reminder's attachment, whose events carry the same UIDs as the exported feeds.
pub fn calendar(model: &Model, name: &str, handovers: &[Handover], history: &History) -> String {
    calendar_with_cancelled(model, name, handovers, history, &[])
}

/// An event its person was sent and holds no more, for a change notice's attachment.
#[derive(Debug, Clone)]
pub struct Cancelled {
    /// The event's slot part: its UID at the team's domain.
    pub part: slot::SlotPart,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Above the one the person was sent.
    pub revision: revision::Revision,
}

/// As [`calendar`], followed by the `cancelled` events: each with its UID and times as the
/// person was sent them and `STATUS:CANCELLED`, so that a calendar that imported the event
/// takes it off.
pub fn calendar_with_cancelled(
    model: &Model,
    name: &str,
    handovers: &[Handover],
    history: &History,
    cancelled: &[Cancelled],
) -> String {
    let cancelled: Vec<String> = cancelled
        .iter()
        .map(|c| cancelled_event(model, c))
        .collect();
    let description = format!("{} rota", model.team.name);
    let feed = Feed {
        name,
        description: &description,
        timezone: model.team.timezone,
    };
    let alarms = model.calendar.alarms != Alarms::None;
    let renderer = Renderer::of_handovers(model, history, handovers);
    to_string(|out| renderer.write_feed_with(&feed, handovers, alarms, &cancelled, None, out))
}

/// The lines of a cancelled event.
fn cancelled_event(model: &Model, c: &Cancelled) -> String {
    let mut text = String::new();
    let mut lines = Lines(&mut text);
    lines.line("BEGIN", "VEVENT");
    // Slot parts hold nothing TEXT escapes.
    lines.escaped("UID", &format!("{}@{}", c.part, uid_domain(model)));
    lines.instant("DTSTAMP", c.revision.stamp);
    lines.instant("LAST-MODIFIED", c.revision.stamp);
    lines.line("SEQUENCE", &c.revision.sequence.to_string());
    lines.instant("DTSTART", c.start);
    lines.instant("DTEND", c.end);
    lines.text(
        "SUMMARY",
        &format!("{} (no longer yours)", c.part.slot.rotation),
    );
    lines.line("STATUS", "CANCELLED");
    lines.line("TRANSP", "TRANSPARENT");
    lines.line("END", "VEVENT");
    text
}

/// A person's feed of a period's `handovers` (in plan order): what `rota export` writes to
/// `person-<id>.ics` for that period, for an announcement's attachment.
pub fn person_feed(renderer: &Renderer, person: PersonIx, handovers: &[Handover]) -> String {
    let model = renderer.model;
    let p = &model.people[person];
    // Named as `rota export` names the person's feed.
    let title = format!("{} rota: {}", model.team.name, p.name);
    let description = format!("The shifts {} is on duty for", p.name);
    let feed = Feed {
        name: &title,
        description: &description,
        timezone: p.timezone,
    };
    let alarms = model.calendar.alarms != Alarms::None;
    let own = handovers.iter().filter(|h| h.shift.person == Some(person));
    to_string(|out| renderer.write_feed(&feed, own, alarms, out))
}

/// What `write` puts out, as text: rendering into memory cannot fail.
fn to_string(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    let _ = write(&mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Renders the events of one export, for any number of feeds, from any number of threads.
///
/// Events are rendered as a feed is written, not all at once beforehand: a year of a large
/// organisation is a million events, and holding them all rendered took more memory than the
/// rest of an export together. A feed whose events other feeds have written already (a
/// person's, of their rotations') copies them from those files instead
/// ([`Renderer::write_copied_feed`]).
pub struct Renderer<'m> {
    model: &'m Model,
    shared: Shared<'m>,
    /// Scratch space of feeds finished, for the next feed to reuse, so that the times a
    /// thread has formatted stay at hand for its next feed.
    spare: Mutex<Vec<Scratch>>,
}

impl<'m> Renderer<'m> {
    pub fn new(model: &'m Model, history: &'m History) -> Self {
        let uids = UidParts::of(model, |_| true);
        Renderer::of(model, history, Names::new(model), uids)
    }

    /// A renderer of `handovers` alone: a reminder's calendar of a few events need not
    /// escape every name of a large organisation.
    fn of_handovers(model: &'m Model, history: &'m History, handovers: &[Handover]) -> Self {
        let mut shown = vec![false; model.rotations.len()];
        for h in handovers {
            shown[h.shift.rotation()] = true;
        }
        let uids = UidParts::of(model, |r| shown[r]);
        Renderer::of(model, history, Names::of(model, handovers), uids)
    }

    fn of(model: &'m Model, history: &'m History, names: Names, uids: UidParts) -> Self {
        Renderer {
            model,
            shared: Shared {
                uids,
                names,
                history,
                trigger: format!("-{}", slot::iso_duration(model.remind.before)),
                lead: lead_time(model.remind.before),
            },
            spare: Mutex::new(Vec::new()),
        }
    }

    /// Writes a feed of one event per hand-over, in the order given, each with its alarm if
    /// `alarms` and it opens its holder's turn; to `out` as it is put together: a team's
    /// feed of a large organisation is hundreds of megabytes that need not be held at once.
    pub fn write_feed<'h>(
        &self,
        feed: &Feed,
        handovers: impl IntoIterator<Item = &'h Handover>,
        alarms: bool,
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        self.write_feed_with(feed, handovers, alarms, &[], None, out)
    }

    /// As [`Renderer::write_feed`], returning where the events lie in what it put out, for
    /// [`Renderer::write_copied_feed`] to copy them into other feeds.
    pub fn write_feed_marked<'h>(
        &self,
        feed: &Feed,
        handovers: impl IntoIterator<Item = &'h Handover>,
        alarms: bool,
        out: &mut dyn Write,
    ) -> std::io::Result<Bounds> {
        let mut bounds = Vec::new();
        self.write_feed_with(feed, handovers, alarms, &[], Some(&mut bounds), out)?;
        Ok(Bounds(bounds))
    }

    /// As [`Renderer::write_feed`], with the `rendered` events after the others, and where
    /// each event ends pushed to `bounds` (after where the head ends).
    fn write_feed_with<'h>(
        &self,
        feed: &Feed,
        handovers: impl IntoIterator<Item = &'h Handover>,
        alarms: bool,
        rendered: &[String],
        mut bounds: Option<&mut Vec<u64>>,
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        let mut scratch = self.scratch();
        let head = head(feed);
        out.write_all(head.as_bytes())?;
        let mut written = head.len() as u64;
        let mut mark = |len: usize| {
            written += len as u64;
            if let Some(bounds) = bounds.as_deref_mut() {
                bounds.push(written);
            }
        };
        mark(0);
        for handover in handovers {
            scratch.event.clear();
            event(self.model, handover, &self.shared, &mut scratch, alarms);
            out.write_all(scratch.event.as_bytes())?;
            mark(scratch.event.len());
        }
        for event in rendered {
            out.write_all(event.as_bytes())?;
            mark(event.len());
        }
        out.write_all(TAIL.as_bytes())?;
        self.spare
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(scratch);
        Ok(())
    }

    /// Writes a feed of events copied from feeds written already (by
    /// [`Renderer::write_feed_marked`]), in the order given, each gaining its turn's alarm if
    /// it asks for one: what [`Renderer::write_feed`] writes for them, without rendering
    /// them again. Consecutive events of one source are copied in one stretch.
    pub fn write_copied_feed<'h>(
        &self,
        feed: &Feed,
        events: impl IntoIterator<Item = Copied<'h>>,
        sources: &[Source],
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        let changed = || std::io::Error::other("a feed changed while its events were copied");
        if !sources.iter().all(Source::is_whole) {
            return Err(changed());
        }
        out.write_all(head(feed).as_bytes())?;
        // The stretch not yet written: a source and its events `first..end`.
        let mut stretch: Option<(&Source, usize, usize)> = None;
        let (mut summary, mut alarm, mut text) = (String::new(), String::new(), String::new());
        for event in events {
            let source = sources.get(event.source).ok_or_else(changed)?;
            stretch = match stretch {
                Some((s, first, end)) if std::ptr::eq(s, source) && end == event.position => {
                    Some((s, first, end + 1))
                }
                _ => {
                    if let Some((s, first, end)) = stretch {
                        out.write_all(s.events(first, end).ok_or_else(changed)?)?;
                    }
                    Some((source, event.position, event.position + 1))
                }
            };
            if event.alarm {
                let (s, first, end) = stretch.take().ok_or_else(changed)?;
                let copied = s.events(first, end).ok_or_else(changed)?;
                let open = copied
                    .strip_suffix(END_EVENT.as_bytes())
                    .ok_or_else(changed)?;
                summary.clear();
                push_summary(&mut summary, &self.shared.names, &event.handover.shift);
                alarm.clear();
                push_alarm(&mut Lines(&mut alarm), &self.shared, &summary, &mut text);
                for part in [open, alarm.as_bytes(), END_EVENT.as_bytes()] {
                    out.write_all(part)?;
                }
            }
        }
        if let Some((s, first, end)) = stretch {
            out.write_all(s.events(first, end).ok_or_else(changed)?)?;
        }
        out.write_all(TAIL.as_bytes())
    }

    /// The `VCALENDAR` of a CalDAV resource: the event of `handover` alone.
    pub fn resource(&self, handover: &Handover, alarms: bool) -> String {
        let mut scratch = self.scratch();
        let mut text = String::new();
        open_calendar(&mut Lines(&mut text));
        event(self.model, handover, &self.shared, &mut scratch, alarms);
        text.push_str(&scratch.event);
        text.push_str(TAIL);
        text
    }

    fn scratch(&self) -> Scratch {
        let spare = self.spare.lock().unwrap_or_else(|e| e.into_inner()).pop();
        spare.unwrap_or_default()
    }
}

/// Where the events of a feed lie in its bytes: where the head ends, then where each event
/// ends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bounds(Vec<u64>);

/// A feed written already, to copy events from: its bytes and where its events lie.
pub struct Source<'b> {
    pub bytes: &'b [u8],
    pub bounds: &'b Bounds,
}

impl Source<'_> {
    /// Whether the bytes are those the bounds were taken of: the head, the events and the tail.
    fn is_whole(&self) -> bool {
        let ends = self.bounds.0.last().map(|&end| end + TAIL.len() as u64);
        ends == Some(self.bytes.len() as u64) && self.bytes.ends_with(TAIL.as_bytes())
    }

    /// The bytes of events `first..end`.
    fn events(&self, first: usize, end: usize) -> Option<&[u8]> {
        let bounds = &self.bounds.0;
        let from = usize::try_from(*bounds.get(first)?).ok()?;
        let to = usize::try_from(*bounds.get(end)?).ok()?;
        self.bytes.get(from..to)
    }
}

/// An event to copy into a feed: the `position`-th event of the `source`-th feed, which shows
/// `handover`, and whether it gains its turn's alarm (which the source has not).
#[derive(Debug, Clone, Copy)]
pub struct Copied<'h> {
    pub source: usize,
    pub position: usize,
    pub handover: &'h Handover,
    pub alarm: bool,
}

const END_EVENT: &str = "END:VEVENT\r\n";

const PRODID: &str = "-//rota//rota//EN";

/// A feed's lines before its events. No `METHOD`: RFC 5546 wants an `ORGANIZER` in every
/// event of a `METHOD:PUBLISH` calendar, and strict parsers (libical) reject one without;
/// a feed that is subscribed to, not sent as an invitation, needs neither.
pub fn head(feed: &Feed) -> String {
    let mut text = String::new();
    let mut out = Lines(&mut text);
    open_calendar(&mut out);
    out.text("X-WR-CALNAME", feed.name);
    out.text("X-WR-CALDESC", feed.description);
    out.text("X-WR-TIMEZONE", feed.timezone.name());
    out.line("REFRESH-INTERVAL;VALUE=DURATION", REFRESH);
    out.line("X-PUBLISHED-TTL", REFRESH);
    text
}

/// The lines every calendar rota writes begins with.
fn open_calendar(out: &mut Lines) {
    out.line("BEGIN", "VCALENDAR");
    out.line("VERSION", "2.0");
    out.line("PRODID", PRODID);
    out.line("CALSCALE", "GREGORIAN");
}

/// A feed's line after its events.
pub const TAIL: &str = "END:VCALENDAR\r\n";

/// Whether `text` begins like a feed rota writes (and so is rota's to empty or replace).
pub fn is_ours(text: &[u8]) -> bool {
    let head = &text[..text.len().min(200)];
    head.starts_with(b"BEGIN:VCALENDAR\r\n")
        && head.windows(PRODID.len()).any(|w| w == PRODID.as_bytes())
}

/// What the events of one rendering share, worked out once for all of them.
struct Shared<'h> {
    uids: UidParts,
    names: Names,
    history: &'h History,
    /// The alarms' `TRIGGER`: `[remind] before` ahead of the start.
    trigger: String,
    /// `[remind] before` in words.
    lead: String,
}

/// The model's names as escaped TEXT, escaped once rather than in every event: event texts
/// are put together escaped already.
struct Names {
    people: Vec<String>,
    rotations: Vec<String>,
    team: String,
}

impl Names {
    fn new(model: &Model) -> Self {
        Names {
            people: model.people.iter().map(|p| escape(&p.name)).collect(),
            rotations: model.rotations.iter().map(|r| escape(&r.name)).collect(),
            team: escape(&model.team.name),
        }
    }

    /// The names `handovers` show, and no others (those are left empty).
    fn of(model: &Model, handovers: &[Handover]) -> Self {
        let mut people = vec![String::new(); model.people.len()];
        let mut rotations = vec![String::new(); model.rotations.len()];
        for h in handovers {
            let neighbours = [h.before, h.after].into_iter().flatten();
            let shown = neighbours.filter_map(|n| n.person()).chain(h.shift.person);
            for p in shown {
                if people[p].is_empty() {
                    people[p] = escape(&model.people[p].name);
                }
            }
            let r = h.shift.rotation();
            if rotations[r].is_empty() {
                rotations[r] = escape(&model.rotations[r].name);
            }
        }
        Names {
            people,
            rotations,
            team: escape(&model.team.name),
        }
    }

    fn holder(&self, person: Option<PersonIx>) -> &str {
        person.map_or("nobody", |p| self.people[p].as_str())
    }
}

/// Strings an event is put together in, reused from one event to the next.
#[derive(Default)]
struct Scratch {
    /// The event being rendered.
    event: String,
    uid: String,
    summary: String,
    text: String,
    times: ShortTimes,
    start: String,
    end: String,
    /// Where the feed being rendered is among the previous events.
    cursor: revision::Cursor,
}

/// The short local times written last, by zone and instant. An event shows each instant
/// up to three times (its own times, and a neighbour's hand-over at its start or end), and the
/// next event of its feed the same ones again, so the few written last are most of those
/// needed, and looking them up among a few spares the zone lookups and formatting, which were
/// a good part of rendering. (A map of every time written was slower: a large organisation's
/// hundred thousand of them missed the cache on most lookups.)
#[derive(Default)]
struct ShortTimes {
    recent: [Option<(Tz, DateTime<Utc>, String)>; ShortTimes::KEPT],
    /// Where the next new time goes, round the ring.
    next: usize,
}

impl ShortTimes {
    const KEPT: usize = 8;

    /// Appends [`timefmt::short`] of `instant` in `tz` to `text`.
    fn push(&mut self, text: &mut String, instant: DateTime<Utc>, tz: Tz) {
        let known = self
            .recent
            .iter()
            .flatten()
            .find(|(z, at, _)| *at == instant && *z == tz);
        if let Some((_, _, short)) = known {
            text.push_str(short);
            return;
        }
        let (zone, at, short) = self.recent[self.next].get_or_insert_default();
        self.next = (self.next + 1) % Self::KEPT;
        (*zone, *at) = (tz, instant);
        short.clear();
        timefmt::push_short(short, instant, tz);
        text.push_str(short);
    }

    /// Appends `from – to` in `tz`, the day and the zone said once where they are the same
    /// (`Sun 3 Jan 08:00 – 17:00 AEDT`), both in full otherwise (`Sun 3 Jan 22:00 AEDT – Mon 4
    /// Jan 06:00 AEDT`).
    fn push_range(&mut self, text: &mut String, from: DateTime<Utc>, to: DateTime<Utc>, tz: Tz) {
        let begin = text.len();
        self.push(text, from, tz);
        let middle = text.len();
        self.push(text, to, tz);
        // Each is `<weekday> <day> <month> <time> <zone>`, without spaces inside a part.
        let (first, second) = text[begin..].split_at(middle - begin);
        let shared = match (day_and_zone(first), day_and_zone(second)) {
            (Some(a), Some(b)) if a == b => Some((a.0.len(), a.1.len())),
            _ => None,
        };
        match shared {
            Some((day, zone)) => text.replace_range(middle - zone..middle + day, " – "),
            None => text.insert_str(middle, " – "),
        }
    }
}

/// The day (`Sun 3 Jan `, with the space after it) and the zone (` AEDT`, with the space before
/// it) of a time as [`timefmt::push_short`] writes it.
fn day_and_zone(time: &str) -> Option<(&str, &str)> {
    let zone = time.rfind(' ')?;
    let day = time[..zone].rfind(' ')?;
    Some((&time[..=day], &time[zone..]))
}

/// Appends the `VEVENT` of `handover` to `scratch.event`, with its alarm if `alarms` and it
/// opens its holder's turn.
fn event(model: &Model, handover: &Handover, shared: &Shared, scratch: &mut Scratch, alarms: bool) {
    let shift = &handover.shift;
    scratch.uid.clear();
    shared.uids.push(&mut scratch.uid, shift);
    scratch.start.clear();
    push_utc(&mut scratch.start, shift.start);
    scratch.end.clear();
    push_utc(&mut scratch.end, shift.end);
    scratch.summary.clear();
    push_summary(&mut scratch.summary, &shared.names, shift);
    scratch.text.clear();
    push_description(
        &mut scratch.text,
        &mut scratch.times,
        model,
        handover,
        shared,
    );
    // The order of `revision::CONTENT`.
    let content = [
        &scratch.start,
        &scratch.end,
        &scratch.summary,
        &scratch.text,
    ];
    let fingerprint = || revision::fingerprint(content.map(String::as_str));
    let revision =
        shared
            .history
            .revise(&scratch.uid, shift.slot, fingerprint, &mut scratch.cursor);

    let mut lines = Lines(&mut scratch.event);
    lines.line("BEGIN", "VEVENT");
    // UIDs hold nothing TEXT escapes.
    lines.escaped("UID", &scratch.uid);
    lines.instant("DTSTAMP", revision.stamp);
    lines.instant("LAST-MODIFIED", revision.stamp);
    lines.line("SEQUENCE", &revision.sequence.to_string());
    lines.line("DTSTART", &scratch.start);
    lines.line("DTEND", &scratch.end);
    lines.escaped("SUMMARY", &scratch.summary);
    lines.escaped("DESCRIPTION", &scratch.text);
    // Being on duty is not being busy: it must not block invitations in anyone's calendar.
    lines.line("TRANSP", "TRANSPARENT");
    // One alarm per turn: a week's turn rings once, ahead of its first shift.
    if alarms && handover.opens_turn {
        push_alarm(&mut lines, shared, &scratch.summary, &mut scratch.text);
    }
    lines.line("END", "VEVENT");
}

/// The `VALARM` of an event opening a turn, whose (escaped) summary is `summary`; `text` is
/// scratch space.
fn push_alarm(lines: &mut Lines, shared: &Shared, summary: &str, text: &mut String) {
    lines.line("BEGIN", "VALARM");
    lines.line("ACTION", "DISPLAY");
    lines.line("TRIGGER", &shared.trigger);
    text.clear();
    text.push_str(&shared.lead);
    text.push_str(summary);
    lines.escaped("DESCRIPTION", text);
    lines.line("END", "VALARM");
}

/// "Starts in 24 hours: ", the alarm's text before the summary.
fn lead_time(before: TimeDelta) -> String {
    let minutes = before.num_minutes();
    let amount = match minutes {
        m if m % (24 * 60) == 0 && m >= 2 * 24 * 60 => format!("{} days", m / (24 * 60)),
        60 => "1 hour".to_string(),
        m if m % 60 == 0 => format!("{} hours", m / 60),
        1 => "1 minute".to_string(),
        m => format!("{m} minutes"),
    };
    format!("Starts in {amount}: ")
}

/// "Ana Popescu — support-hero", or "UNASSIGNED — apac" for a turn nobody was free to take;
/// escaped.
fn push_summary(text: &mut String, names: &Names, shift: &Shift) {
    text.push_str(match shift.person {
        Some(p) => &names.people[p],
        None => "UNASSIGNED",
    });
    text.push_str(" — ");
    text.push_str(&names.rotations[shift.rotation()]);
}

/// The event's identity: the slot (its rotation and local date, and for a part an override
/// split off, its offset), never the assignee or the end, so that a slot that changes hands
/// updates the subscribed event instead of adding a second one; at the team's domain, so
/// that two teams' events never share a UID in one calendar.
///
/// `2026-12-07-support-hero@acme-support-1f0c2a9b.rota`, `2026-12-02-emea+PT6H@rota.acme.example`.
pub fn uid(model: &Model, shift: &Shift) -> String {
    let mut text = String::new();
    UidParts::of(model, |r| r == shift.rotation()).push(&mut text, shift);
    text
}

/// The parts of UIDs that come from the model, escaped once rather than for every event.
struct UidParts {
    /// Per rotation.
    rotations: Vec<String>,
    domain: String,
}

impl UidParts {
    /// Of the rotations `shown` selects; the others are left empty.
    fn of(model: &Model, shown: impl Fn(RotationIx) -> bool) -> Self {
        let rotations = model.rotations.iter().enumerate();
        UidParts {
            rotations: rotations
                .map(|(ix, r)| {
                    if shown(ix) {
                        slot::escape(&r.name)
                    } else {
                        String::new()
                    }
                })
                .collect(),
            domain: uid_domain(model),
        }
    }

    fn push(&self, uid: &mut String, shift: &Shift) {
        slot::push_part(
            uid,
            shift.slot.date,
            &self.rotations[shift.rotation()],
            shift.offset(),
        );
        uid.push('@');
        uid.push_str(&self.domain);
    }
}

/// `[calendar] uid_domain`, or the team's name as a slug with a short hash of the exact name:
/// `Acme Support` → `acme-support-1f0c2a9b.rota`. The slug keeps it readable; the hash keeps
/// two teams apart whose names differ only in script or punctuation (`Поддержка` and
/// `Дежурство` have the same empty ASCII slug; `Ops` and `Ops!` the same slug).
pub fn uid_domain(model: &Model) -> String {
    if let Some(domain) = &model.calendar.uid_domain {
        return domain.clone();
    }
    let name = &model.team.name;
    let hash = revision::Fnv::of(name.as_bytes());
    format!("{}-{:08x}.rota", domain(name), hash >> 32)
}

/// The event's description, one fact a line, escaped as it is put together.
fn push_description(
    text: &mut String,
    short: &mut ShortTimes,
    model: &Model,
    handover: &Handover,
    shared: &Shared,
) {
    let shift = &handover.shift;
    let rotation = &model.rotations[shift.rotation()];
    let names = &shared.names;
    let parts = |text: &mut String, parts: &[&str]| parts.iter().for_each(|p| text.push_str(p));
    let rotation_name = &names.rotations[shift.rotation()];
    parts(text, &["Rotation: ", rotation_name, " (", &names.team, ")"]);
    let times = |text: &mut String, short: &mut ShortTimes, tz: Tz| {
        short.push_range(text, shift.start, shift.end, tz);
    };
    // Zone names hold nothing TEXT escapes.
    let rotation_time = |text: &mut String, short: &mut ShortTimes| {
        parts(
            text,
            &["\\nRotation time (", rotation.timezone.name(), "): "],
        );
        times(text, short, rotation.timezone);
    };
    match shift.person {
        Some(p) => {
            parts(text, &["\\nOn duty: ", &names.people[p], " ("]);
            let person = &model.people[p];
            times(text, short, person.timezone);
            text.push(')');
            if person.timezone != rotation.timezone {
                rotation_time(text, short);
            }
        }
        None => {
            text.push_str("\\nOn duty: nobody — no member was free for this turn");
            rotation_time(text, short);
        }
    }
    if shift.is_override {
        text.push_str("\\nThis is an override: a one-off swap for this time only.");
    }
    let tz = rotation.timezone;
    // Only a hand-over between two people is news: inside a turn, or between two turns of
    // the same person, the neighbour is the event's own holder.
    let own = |n: &Neighbour| shift.person.is_some() && n.person() == shift.person;
    match handover.before {
        Some(prev) if own(&prev) => {}
        Some(prev) => {
            parts(
                text,
                &["\\nBefore: ", names.holder(prev.person()), "\\, until "],
            );
            short.push(text, prev.at, tz);
        }
        None => text.push_str("\\nBefore: nobody"),
    }
    match handover.after {
        Some(next) if own(&next) => {}
        Some(next) => {
            parts(
                text,
                &["\\nAfter: ", names.holder(next.person()), "\\, from "],
            );
            short.push(text, next.at, tz);
        }
        None => text.push_str("\\nAfter: nobody"),
    }
}

/// `20261207T080000Z`: RFC 5545's UTC form, which every client reads without a VTIMEZONE.
#[cfg(test)]
fn utc(instant: DateTime<Utc>) -> String {
    let mut text = String::with_capacity(16);
    push_utc(&mut text, instant);
    text
}

/// [`utc`], added to the end of `text`.
fn push_utc(text: &mut String, instant: DateTime<Utc>) {
    let t = instant.naive_utc();
    let year = t.year().unsigned_abs();
    if !(0..=9999).contains(&t.year()) {
        let _ = write!(text, "{}", instant.format("%Y%m%dT%H%M%SZ"));
        return;
    }
    // The same text, put together by hand for the million instants of a large export.
    push_two_digits(text, year / 100);
    for n in [year % 100, t.month(), t.day()] {
        push_two_digits(text, n);
    }
    text.push('T');
    for n in [t.hour(), t.minute(), t.second()] {
        push_two_digits(text, n);
    }
    text.push('Z');
}

/// `Acme Support` → `acme-support`: the team as the UIDs' domain, so that two teams' feeds
/// in one calendar never share a UID.
fn domain(team: &str) -> String {
    let mut out = String::new();
    for c in team.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "team".to_string()
    } else {
        out.to_string()
    }
}

/// Content lines, each escaped, folded and CRLF-terminated.
struct Lines<'o>(&'o mut String);

impl Lines<'_> {
    /// A date-time property in UTC: short enough never to need folding.
    fn instant(&mut self, key: &str, value: DateTime<Utc>) {
        self.0.push_str(key);
        self.0.push(':');
        push_utc(self.0, value);
        self.0.push_str("\r\n");
    }

    /// A property whose value is not TEXT (a component name, date-time, duration or constant):
    /// written as it is. `key` may carry parameters (`REFRESH-INTERVAL;VALUE=DURATION`).
    fn line(&mut self, key: &str, value: &str) {
        // Most lines are short: written straight, with no folding to consider.
        if key.len() + 1 + value.len() <= Folded::LIMIT {
            for part in [key, ":", value, "\r\n"] {
                self.0.push_str(part);
            }
            return;
        }
        let mut line = Folded::start(self.0);
        line.push(key);
        line.push(":");
        line.push(value);
        line.end();
    }

    /// A property whose value is TEXT (RFC 5545 section 3.3.11): backslash, semicolon, comma
    /// and line break are escaped, as the icalendar crate escapes them.
    fn text(&mut self, key: &str, value: &str) {
        let mut line = Folded::start(self.0);
        line.push(key);
        line.push(":");
        escape_pieces(value, |piece| line.push(piece));
        line.end();
    }

    /// A TEXT property whose value is escaped already ([`escape`]).
    fn escaped(&mut self, key: &str, value: &str) {
        self.line(key, value);
    }
}

/// One content line being written, folded as it goes: RFC 5545 section 3.1 wants lines of at
/// most 75 octets, continued on lines starting with a space, and never splitting a UTF-8
/// character; each ends with CRLF.
struct Folded<'o> {
    out: &'o mut String,
    /// Octets that still fit on the current physical line.
    room: usize,
}

impl<'o> Folded<'o> {
    const LIMIT: usize = 75;

    fn start(out: &'o mut String) -> Self {
        Folded {
            out,
            room: Self::LIMIT,
        }
    }

    fn push(&mut self, mut text: &str) {
        while text.len() > self.room {
            let mut cut = self.room;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            self.out.push_str(&text[..cut]);
            self.out.push_str("\r\n ");
            text = &text[cut..];
            self.room = Self::LIMIT - 1;
        }
        self.out.push_str(text);
        self.room -= text.len();
    }

    fn end(self) {
        self.out.push_str("\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A and B's rotation `r` in UTC from Monday 7 December 2026, with `turn` added to it, and
    /// its hand-overs of the month from `day`.
    fn two_people(turn: &str, day: u32) -> (Model, Vec<Handover>) {
        let config = format!(
            "[team]\nname = \"T\"\ntimezone = \"UTC\"\nstart = 2026-12-07\n\
            [[person]]\nid = \"a\"\nname = \"A\"\n[[person]]\nid = \"b\"\nname = \"B\"\n\
            [[rotation]]\nname = \"r\"\nmembers = [\"a\", \"b\"]\nshift = \"09:00-17:00\"\n{turn}"
        );
        let model = crate::config::load(&config, "rotation.toml").expect("valid config");
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, day).unwrap();
        let shifts = crate::plan::plan(&model, crate::plan::Period::months(day, 1, chrono_tz::UTC));
        let handovers = crate::plan::handover::around(&model, &shifts);
        (model, handovers)
    }

    #[test]
    fn a_reminder_calendar_carries_the_same_event_as_the_feeds() {
        let (model, handovers) = two_people("", 8);
        let now = "2026-12-08T00:00:00Z".parse().unwrap();
        let history = History::new(&model, now, Default::default());
        let one = calendar(&model, "Your turn", &handovers[1..2], &history);
        assert_eq!(one.matches("BEGIN:VEVENT").count(), 1);
        assert!(one.contains("X-WR-CALNAME:Your turn\r\n"));
        let feed = Feed {
            name: "all",
            description: "",
            timezone: chrono_tz::UTC,
        };
        let renderer = Renderer::new(&model, &history);
        let all = to_string(|out| renderer.write_feed(&feed, &handovers, true, out));
        let start = one.find("BEGIN:VEVENT").unwrap();
        let end = one.find("END:VEVENT\r\n").unwrap();
        assert!(all.contains(&one[start..end]));
        assert!(one.contains(&format!("UID:2026-12-08-r@{}\r\n", uid_domain(&model))));
        assert!(
            one.replace("\r\n ", "")
                .contains("Before: A\\, until Mon 7 Dec 17:00 UTC")
        );
    }

    #[test]
    fn a_range_says_its_day_and_zone_once_where_they_are_the_same() {
        let range = |from: &str, to: &str, tz: Tz| {
            let mut text = String::from("(");
            let mut short = ShortTimes::default();
            short.push_range(&mut text, from.parse().unwrap(), to.parse().unwrap(), tz);
            text.push(')');
            text
        };
        let berlin = chrono_tz::Europe::Berlin;
        assert_eq!(
            range("2026-12-08T08:00:00Z", "2026-12-08T16:00:00Z", berlin),
            "(Tue 8 Dec 09:00 – 17:00 CET)"
        );
        // Across midnight, and across the change to summer time: both in full.
        assert_eq!(
            range("2026-12-08T21:00:00Z", "2026-12-09T05:00:00Z", berlin),
            "(Tue 8 Dec 22:00 CET – Wed 9 Dec 06:00 CET)"
        );
        assert_eq!(
            range("2027-03-28T00:00:00Z", "2027-03-28T03:00:00Z", berlin),
            "(Sun 28 Mar 01:00 CET – Sun 28 Mar 05:00 CEST)"
        );
        // The same time twice over (a ring of recent times answers the second).
        assert_eq!(
            range(
                "2026-12-08T08:00:00Z",
                "2026-12-08T08:00:00Z",
                chrono_tz::Asia::Kolkata
            ),
            "(Tue 8 Dec 13:30 – 13:30 IST)"
        );
    }

    #[test]
    fn only_a_hand_over_between_two_people_is_in_the_description() {
        // A's week, then B's: A hands over to B on Sunday evening, and nobody mid-week.
        let (model, handovers) = two_people("turn = \"1w\"\n", 7);
        let history = History::new(
            &model,
            "2026-12-01T00:00:00Z".parse().unwrap(),
            Default::default(),
        );
        let description = |i: usize| {
            let event = calendar(&model, "", &handovers[i..=i], &history).replace("\r\n ", "");
            let at = event.find("DESCRIPTION:").unwrap();
            event[at..event[at..].find("\r\n").unwrap() + at].to_string()
        };
        // Monday 7 December opens the rotation: nobody before it.
        assert!(description(0).contains("Before: nobody"));
        assert!(!description(0).contains("After:"));
        assert!(!description(3).contains("Before:"));
        assert!(!description(3).contains("After:"));
        assert!(description(6).contains("After: B\\, from Mon 14 Dec 09:00 UTC"));
        assert!(!description(6).contains("Before:"));
        assert!(description(7).contains("Before: A\\, until Sun 13 Dec 17:00 UTC"));
    }

    #[test]
    fn uid_domains_are_ascii_slugs_of_the_team_name() {
        assert_eq!(domain("Acme Support, Inc."), "acme-support-inc");
        assert_eq!(domain("Ünïcode Ωteam"), "n-code-team");
        assert_eq!(domain("—"), "team");
    }

    #[test]
    fn two_teams_never_share_a_uid_domain() {
        let domain_of = |name: &str, extra: &str| {
            let config = format!(
                "[team]\nname = \"{name}\"\ntimezone = \"UTC\"\nstart = 2026-12-07\n{extra}"
            );
            uid_domain(&crate::config::load(&config, "rotation.toml").expect("valid config"))
        };
        let names = [
            "Поддержка",
            "Дежурство",
            "Ops",
            "Ops!",
            "ops",
            "Acme Support",
        ];
        let domains: std::collections::HashSet<String> =
            names.iter().map(|n| domain_of(n, "")).collect();
        assert_eq!(domains.len(), names.len(), "{domains:?}");
        assert!(domains.iter().all(|d| d.is_ascii() && d.ends_with(".rota")));
        assert!(domain_of("Acme Support", "").starts_with("acme-support-"));
        let set = domain_of("Acme", "[calendar]\nuid_domain = \"rota.acme.example\"\n");
        assert_eq!(set, "rota.acme.example");
    }

    #[test]
    fn text_is_escaped_and_long_lines_fold_at_75_octets_with_crlf() {
        let mut text = String::new();
        let name = "Doe, Jane; Inês Yılmaz \\ ".repeat(6);
        Lines(&mut text).text("SUMMARY", &name);
        assert!(text.starts_with("SUMMARY:Doe\\, Jane\\; Inês Yılmaz \\\\ Doe"));
        assert!(text.ends_with("\r\n"));
        for line in text.split_terminator("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
            assert!(!line.contains('\n') && !line.contains('\r'));
        }
        let unfolded = text.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded.len(), "SUMMARY:".len() + name.len() + 6 * 3);
    }

    fn fold(line: &str, out: &mut String) {
        let mut folded = Folded::start(out);
        folded.push(line);
        folded.end();
    }

    /// How a content line was written before `Lines` existed, through `icalendar::Property`
    /// and a fold of the whole line: the reference `Lines` must match byte for byte.
    fn through_icalendar(key: &str, value: &str) -> String {
        let folded: String = icalendar::Property::new(key, value)
            .try_into()
            .unwrap_or_default();
        let line = folded.trim_end_matches("\r\n").replace("\r\n ", "");
        let mut out = String::new();
        let mut rest = line.as_str();
        let mut room = 75;
        loop {
            let mut cut = rest.len().min(room);
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            out.push_str(&rest[..cut]);
            out.push_str("\r\n");
            rest = &rest[cut..];
            if rest.is_empty() {
                break;
            }
            out.push(' ');
            room = 74;
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn lines_match_the_icalendar_crate_byte_for_byte(
            value in r"[a-z ,;:\\\nßé€😀]{0,200}",
            key in "SUMMARY|DESCRIPTION|UID|X-WR-CALNAME|X-WR-CALDESC",
        ) {
            let mut text = String::new();
            Lines(&mut text).text(&key, &value);
            proptest::prop_assert_eq!(text, through_icalendar(&key, &value));
        }

        #[test]
        fn plain_lines_match_the_icalendar_crate(value in "[0-9TZ:P-]{0,160}") {
            let mut text = String::new();
            Lines(&mut text).line("DTSTART", &value);
            proptest::prop_assert_eq!(text, through_icalendar("DTSTART", &value));
        }
    }

    #[test]
    fn utc_reads_as_the_strftime_format() {
        for seconds in (-70_000_000_000i64..300_000_000_000).step_by(7_919 * 36_007) {
            let instant = DateTime::from_timestamp(seconds, 0).unwrap();
            assert_eq!(utc(instant), instant.format("%Y%m%dT%H%M%SZ").to_string());
        }
    }

    #[test]
    fn folding_fills_lines_to_exactly_75_octets_and_keeps_characters_whole() {
        for len in [74, 75, 76, 149, 150, 151, 300] {
            let mut out = String::new();
            fold(&"x".repeat(len), &mut out);
            let lines: Vec<&str> = out.split_terminator("\r\n").collect();
            assert!(lines.iter().all(|l| l.len() <= 75), "{len}: {lines:?}");
            assert_eq!(out.replace("\r\n ", "").trim_end(), "x".repeat(len));
        }
        let mut out = String::new();
        fold(&"ı".repeat(80), &mut out);
        assert!(out.split_terminator("\r\n").all(|l| l.len() <= 75));
        assert_eq!(out.replace("\r\n ", "").trim_end(), "ı".repeat(80));
    }
}
