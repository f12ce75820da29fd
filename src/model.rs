//! The validated model: everything past `config::validate` trusts these types.

use std::collections::BTreeSet;
use std::path::PathBuf;

use chrono::{
    DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc, Weekday,
};
use chrono_tz::Tz;

/// Index of a person in `Model::people`.
pub type PersonIx = usize;
/// Index of a rotation in `Model::rotations`.
pub type RotationIx = usize;

#[derive(Debug, Clone)]
pub struct Model {
    pub team: Team,
    pub people: Vec<Person>,
    pub rotations: Vec<Rotation>,
    pub coverage: Vec<CoverageRule>,
    pub overrides: Vec<Override>,
    pub remind: RemindSettings,
    pub smtp: Option<SmtpSettings>,
    pub check: CheckSettings,
    pub calendar: CalendarSettings,
    pub caldav: Option<CaldavSettings>,
    /// The published turns of `rotation.lock`, empty without one: planning takes them from
    /// here, so every command plans from config and lock alike.
    pub published: Published,
    pub announce: AnnounceSettings,
    /// Where each part was written, so findings can point back at the config.
    pub lines: Lines,
}

impl Model {
    /// `items` sorted out to the people `person` names, by person index, each person's in
    /// the order given: in one pass, where looking through every item for each person would
    /// be quadratic in a large organisation.
    pub fn by_person<T>(
        &self,
        items: impl IntoIterator<Item = T>,
        person: impl Fn(&T) -> Option<PersonIx>,
    ) -> Vec<Vec<T>> {
        let mut by_person: Vec<Vec<T>> = self.people.iter().map(|_| Vec::new()).collect();
        for item in items {
            if let Some(p) = person(&item) {
                by_person[p].push(item);
            }
        }
        by_person
    }
}

/// 1-based config lines of each table, by position in the model's lists; 0 where unknown.
#[derive(Debug, Clone, Default)]
pub struct Lines {
    pub people: Vec<usize>,
    pub rotations: Vec<usize>,
    pub coverage: Vec<usize>,
}

impl Lines {
    fn at(lines: &[usize], ix: usize) -> usize {
        lines.get(ix).copied().unwrap_or(0)
    }

    pub fn person(&self, ix: PersonIx) -> usize {
        Self::at(&self.people, ix)
    }

    pub fn rotation(&self, ix: RotationIx) -> usize {
        Self::at(&self.rotations, ix)
    }

    pub fn rule(&self, ix: usize) -> usize {
        Self::at(&self.coverage, ix)
    }
}

#[derive(Debug, Clone, Default)]
pub struct AnnounceSettings {
    /// The team's address for the month's digest; none: no digest.
    pub to: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Team {
    pub name: String,
    pub timezone: Tz,
    /// The rotation order is counted from this date; no shift starts before it.
    pub start: NaiveDate,
    /// `[team] lock`: where the published turns are kept, relative to the config's folder;
    /// `None`: `rotation.lock` beside the config.
    pub lock: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct Person {
    pub id: String,
    pub name: String,
    /// A syntactically valid address without header-injection characters.
    pub email: Option<String>,
    pub timezone: Tz,
    pub away: DateRanges,
}

/// Inclusive ranges of whole local days, sorted and merged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DateRanges(Vec<(NaiveDate, NaiveDate)>);

impl DateRanges {
    pub fn new(mut ranges: Vec<(NaiveDate, NaiveDate)>) -> Self {
        ranges.sort();
        let mut merged: Vec<(NaiveDate, NaiveDate)> = Vec::with_capacity(ranges.len());
        for (from, to) in ranges {
            match merged.last_mut() {
                Some(last) if from <= last.1.succ_opt().unwrap_or(last.1) => {
                    last.1 = last.1.max(to);
                }
                _ => merged.push((from, to)),
            }
        }
        DateRanges(merged)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn ranges(&self) -> &[(NaiveDate, NaiveDate)] {
        &self.0
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.intersects(date, date)
    }

    /// Whether any day in `from..=to` is in one of the ranges.
    pub fn intersects(&self, from: NaiveDate, to: NaiveDate) -> bool {
        // The first range that ends on or after `from` is the only candidate.
        let i = self.0.partition_point(|&(_, end)| end < from);
        self.0.get(i).is_some_and(|&(start, _)| start <= to)
    }
}

/// A set of weekdays, e.g. `mon-fri` or `sat,sun`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DaySet(u8);

impl DaySet {
    pub const ALL: DaySet = DaySet(0b111_1111);

    pub fn empty() -> Self {
        DaySet(0)
    }

    pub fn insert(&mut self, day: Weekday) {
        self.0 |= 1 << day.num_days_from_monday();
    }

    pub fn contains(&self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }
}

/// A local wall-clock window that starts on a day and may end on the next.
///
/// Minutes are counted from the start day's midnight: `end` lies in `start+1..=start+1440`,
/// so `22:00-06:00` is (1320, 1800) and `09:00-09:00` lasts a whole day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Window {
    pub start_minute: u32,
    pub end_minute: u32,
}

impl Window {
    /// `end` is a time of day in minutes, `0..=1440`; an end at or before the start means the
    /// next day.
    pub fn new(start_minute: u32, end_minute: u32) -> Self {
        let end = if end_minute <= start_minute {
            end_minute + 1440
        } else {
            end_minute
        };
        Window {
            start_minute,
            end_minute: end,
        }
    }

    /// The window's local bounds on the day `date`.
    pub fn on(&self, date: NaiveDate) -> (NaiveDateTime, NaiveDateTime) {
        let midnight = date.and_time(NaiveTime::MIN);
        (
            midnight + TimeDelta::minutes(self.start_minute.into()),
            midnight + TimeDelta::minutes(self.end_minute.into()),
        )
    }
}

impl std::fmt::Display for Window {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hm = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
        let end = if self.end_minute == 1440 {
            1440
        } else {
            self.end_minute % 1440
        };
        write!(f, "{}-{}", hm(self.start_minute), hm(end))
    }
}

/// How long one person holds a rotation: a number of calendar days counted from `team.start`
/// (`day` is one day, `week` seven).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TurnLength {
    pub days: u32,
}

#[derive(Debug, Clone)]
pub struct Rotation {
    pub name: String,
    /// Rotation order.
    pub members: Vec<PersonIx>,
    pub timezone: Tz,
    pub days: DaySet,
    pub window: Window,
    pub turn: TurnLength,
    pub except: BTreeSet<NaiveDate>,
}

impl Rotation {
    pub fn has_shift_on(&self, date: NaiveDate) -> bool {
        self.days.contains(date.weekday()) && !self.except.contains(&date)
    }
}

#[derive(Debug, Clone)]
pub enum When {
    Always,
    /// Day sets with windows, in the rule's zone; an instant is covered by `when` if any
    /// window contains it.
    Windows(Vec<(DaySet, Window)>),
}

#[derive(Debug, Clone)]
pub struct CoverageRule {
    pub name: String,
    pub rotations: Vec<RotationIx>,
    pub when: When,
    pub timezone: Tz,
    pub min: u32,
    /// Dates (in the rule's zone) with nothing required: the rule's own `except`, and the dates
    /// that are `except` dates or holidays of every rotation it covers.
    pub except: BTreeSet<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct Override {
    pub rotation: RotationIx,
    pub person: PersonIx,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// 1-based line of the override in the config, for findings that point back at it.
    pub line: usize,
}

#[derive(Debug, Clone)]
pub struct RemindSettings {
    pub before: TimeDelta,
    /// An RFC 5322 mailbox, e.g. `Support rota <rota@acme.example>`.
    pub from: Option<String>,
    /// Relative to the config file's folder unless absolute.
    pub state: PathBuf,
    /// Whether `remind` sends change notices.
    pub notices: bool,
    /// How long one run may spend delivering; what is left is retried by the next run.
    pub deadline: TimeDelta,
}

impl Default for RemindSettings {
    fn default() -> Self {
        RemindSettings {
            before: TimeDelta::hours(24),
            from: None,
            state: PathBuf::from(".rota/state.json"),
            notices: true,
            deadline: TimeDelta::minutes(10),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    StartTls,
    Tls,
    None,
}

#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: Option<String>,
    /// Name of the environment variable that holds the password.
    pub password_env: Option<String>,
    /// How long one step of an SMTP conversation may take.
    pub timeout: std::time::Duration,
    /// A PEM file of extra CA certificates trusted on top of the built-in roots, relative to
    /// the config's folder unless absolute.
    pub ca_file: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct CheckSettings {
    /// A person's local night: a shift touching it is reported.
    pub night: Window,
    /// Nobody on duty more than this share of a coverage rule's hours.
    pub max_share: Option<Limit<Share>>,
    /// The shortest rest allowed between two stretches of one person's duty.
    pub min_rest: Option<Limit<TimeDelta>>,
    /// The most days in a row (the person's local dates their duty starts on).
    pub max_consecutive_days: Option<Limit<u32>>,
}

impl Default for CheckSettings {
    fn default() -> Self {
        CheckSettings {
            night: Window::new(0, 6 * 60),
            max_share: None,
            min_rest: None,
            max_consecutive_days: None,
        }
    }
}

/// `[calendar]`: how the feeds name their events and where they ring.
#[derive(Debug, Clone, Default)]
pub struct CalendarSettings {
    /// The domain of every event's UID; `None`: derived from the team's name.
    pub uid_domain: Option<String>,
    pub alarms: Alarms,
    /// Where the exported folder is served (`https://…/`, ending with `/`): the HTML page then
    /// links the feeds as `webcal://` subscriptions.
    pub base_url: Option<String>,
}

/// Which feeds carry an alarm ahead of each turn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Alarms {
    /// Only `person-<id>.ics`: a team feed's subscriber is not rung for everyone's turns.
    #[default]
    Person,
    All,
    None,
}

/// `[caldav]`: the server `rota sync` pushes the feeds to.
#[derive(Debug, Clone)]
pub struct CaldavSettings {
    /// Ends with `/`; each feed is a collection below it.
    pub url: String,
    pub username: Option<String>,
    /// Name of the environment variable that holds the password.
    pub password_env: Option<String>,
    /// What the last sync wrote, relative to the config file's folder unless absolute.
    pub state: PathBuf,
}

/// A workload rule's bound and whether breaking it fails the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit<T> {
    pub value: T,
    pub error: bool,
}

/// A share as an exact fraction (`12.5%` is 125/1000), so the boundary itself is never a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    pub numerator: u64,
    pub denominator: u64,
}

impl Share {
    /// Whether `part` is more than this share of `whole`.
    pub fn exceeded_by(&self, part: i64, whole: i64) -> bool {
        i128::from(part) * i128::from(self.denominator)
            > i128::from(whole) * i128::from(self.numerator)
    }
}

impl std::fmt::Display for Share {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Stored as a fraction of 1: 30% is 30/100.
        let percent = self.numerator as f64 * 100.0 / self.denominator as f64;
        write!(f, "{}%", (percent * 1000.0).round() / 1000.0)
    }
}

/// The lock checked against the model, as planning uses it. Empty without a lock.
#[derive(Debug, Clone, Default)]
pub struct Published {
    pub through: Option<NaiveDate>,
    /// Per rotation, in config order; empty when there is no lock.
    pub rotations: Vec<RotationPublished>,
}

/// One rotation's published turns and queue.
#[derive(Debug, Clone, Default)]
pub struct RotationPublished {
    /// Sorted by first date; they do not overlap.
    pub turns: Vec<PublishedTurn>,
    /// The recorded queue, by person id (ids no longer in the config are kept: they leave
    /// the queue when it is built).
    pub queue: Option<Vec<String>>,
}

/// A published turn of a rotation of this config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedTurn {
    /// The local date of its first slot.
    pub first: NaiveDate,
    /// Its last calendar day, inclusive.
    pub last: NaiveDate,
    pub holder: Holder,
    /// What its shifts were when it was published ([`crate::published::digest::of`]), if
    /// the lock says.
    pub digest: Option<u32>,
    /// The overrides in effect on it when it was published, by person id (they may have left
    /// since); sorted, disjoint.
    pub overrides: Vec<LockedOverride>,
    /// 1-based line in the lock file (0: not from a file).
    pub line: usize,
}

/// Who a published turn belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    Person(PersonIx),
    /// The lock names a person the config no longer has: the turn's shifts are unassigned
    /// until an override or a reopened publication gives them to someone.
    Gone(String),
    /// Nobody was free when it was published.
    Nobody,
}

impl Holder {
    /// The person planned on the turn's shifts.
    pub fn person(&self) -> Option<PersonIx> {
        match self {
            Holder::Person(p) => Some(*p),
            _ => None,
        }
    }

    /// The id the lock names, if any.
    pub fn id<'m>(&'m self, model: &'m Model) -> Option<&'m str> {
        match self {
            Holder::Person(p) => Some(&model.people[*p].id),
            Holder::Gone(id) => Some(id),
            Holder::Nobody => None,
        }
    }
}

impl Published {
    /// Whether there is a lock at all.
    pub fn is_empty(&self) -> bool {
        self.rotations.is_empty()
    }

    /// The published turn of `rotation` that holds the slot date `date`, if any.
    pub fn turn_at(&self, rotation: RotationIx, date: NaiveDate) -> Option<&PublishedTurn> {
        let turns = &self.rotation(rotation)?.turns;
        let i = turns.partition_point(|t| t.last < date);
        turns.get(i).filter(|t| t.first <= date)
    }

    /// The published turns of `rotation`, if the lock has any.
    pub fn rotation(&self, rotation: RotationIx) -> Option<&RotationPublished> {
        self.rotations
            .get(rotation)
            .filter(|r| !r.turns.is_empty() || r.queue.is_some())
    }
}

/// An override recorded with a published turn: on the turn's shifts, `person` held the time
/// from `from` to `to` instead of the turn's person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedOverride {
    /// In the rotation's zone when published, so the lock reads like the config.
    pub from: DateTime<FixedOffset>,
    pub to: DateTime<FixedOffset>,
    /// The person's id.
    pub person: String,
    /// 1-based line in the lock file; 0 when not read from a file.
    pub line: usize,
}
