//! Who hands over before and after each shift: the neighbouring shifts of the same rotation,
//! also across the edges of a planned period.

use chrono::{DateTime, NaiveTime, TimeDelta, Utc};

use super::{Period, Shift};
use crate::model::{Model, PersonIx};
use crate::parallel;

/// A shift together with who holds its rotation just before and just after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handover {
    pub shift: Shift,
    pub before: Option<Neighbour>,
    pub after: Option<Neighbour>,
}

/// The shift next to a duty in its rotation, as far as a hand-over needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Neighbour {
    /// `None` for an unassigned turn.
    pub person: Option<PersonIx>,
    /// The turn the neighbouring shift belongs to.
    pub turn: u32,
    /// When the hand-over happens: the end of the shift before, or the start of the one after.
    pub at: DateTime<Utc>,
}

impl Handover {
    /// Whether this shift begins its holder's stretch of a turn: the shift before it in the
    /// rotation belongs to another turn or another person. A week's turn begins once, not on
    /// each of its seven days.
    pub fn opens_turn(&self) -> bool {
        self.before
            .is_none_or(|b| b.turn != self.shift.turn || b.person != self.shift.person)
    }
}

/// Wider than the longest run of days without a shift in most rotations (a weekend, a week of
/// weekly-only duty); rarer longer runs are found by planning further out.
const MARGIN_DAYS: i64 = 8;
/// How far to search for a neighbour before saying "nobody".
const SEARCH_DAYS: i64 = 512;

/// The handovers of `period`, per rotation in config order, each rotation's in time order:
/// the shifts that `keep` selects from those overlapping the period.
pub fn per_rotation(
    model: &Model,
    period: Period,
    keep: impl Fn(&Shift) -> bool + Sync,
) -> Vec<Vec<Handover>> {
    let near = near(model, period);
    parallel::map_parts(&near, 16, |part| {
        part.iter()
            .map(|list| {
                list.iter()
                    .filter(|s| overlaps(s, period) && keep(s))
                    .map(|shift| handover(model, list, shift))
                    .collect()
            })
            .collect()
    })
}

/// Every shift that overlaps a period (a shift running at its start is still going on), with
/// who hands over before and after it.
pub struct Handovers {
    /// Rotation by rotation, in config order, each in time order: a rotation's feed reads
    /// one stretch, and a person's a few, which in a large organisation is several times
    /// faster than gathering them from all over.
    pub all: Vec<Handover>,
    /// The positions in `all` in plan order.
    pub order: Vec<usize>,
}

impl Handovers {
    pub fn of(model: &Model, period: Period) -> Self {
        let near = near(model, period);
        let kept = |list: &[Shift]| list.iter().filter(|s| overlaps(s, period)).count();
        // Filled in one vector of the exact size rather than one per rotation gathered
        // afterwards: a year of a large organisation is hundreds of megabytes of hand-overs,
        // which would otherwise be held twice over while they were gathered.
        let mut all = Vec::with_capacity(near.iter().map(|list| kept(list)).sum());
        for list in &near {
            let overlapping = list.iter().filter(|s| overlaps(s, period));
            all.extend(overlapping.map(|shift| handover(model, list, shift)));
        }
        drop(near);
        let order = super::order_of(model, &all, |h| &h.shift);
        Handovers { all, order }
    }

    pub fn in_order(&self) -> impl Iterator<Item = &Handover> {
        self.order.iter().map(|&i| &self.all[i])
    }
}

/// The handovers of `shifts` (of any rotations), in their order: planned once around them.
pub fn around(model: &Model, shifts: &[Shift]) -> Vec<Handover> {
    let (Some(from), Some(to)) = (
        shifts.iter().map(|s| s.start).min(),
        shifts.iter().map(|s| s.end).max(),
    ) else {
        return Vec::new();
    };
    let margin = TimeDelta::days(MARGIN_DAYS);
    let near = super::per_rotation(model, Period::new(from - margin, to + margin));
    shifts
        .iter()
        .map(|shift| handover(model, &near[shift.rotation], shift))
        .collect()
}

/// Every rotation's shifts around `period`, per rotation in config order.
fn near(model: &Model, period: Period) -> Vec<Vec<Shift>> {
    // A shift lasts at most two days, so this holds every shift near those of the period.
    let slack = TimeDelta::days(MARGIN_DAYS + 2);
    super::per_rotation(model, Period::new(period.from - slack, period.to + slack))
}

fn overlaps(shift: &Shift, period: Period) -> bool {
    shift.start < period.to && shift.end > period.from
}

/// `shift`'s duty, its neighbours looked up in `list` (its rotation's shifts around it, sorted
/// by start) or planned further out.
fn handover(model: &Model, list: &[Shift], shift: &Shift) -> Handover {
    Handover {
        shift: *shift,
        before: before(model, list, shift),
        after: after(model, list, shift),
    }
}

fn neighbour(shift: &Shift, at: DateTime<Utc>) -> Neighbour {
    Neighbour {
        person: shift.person,
        turn: shift.turn,
        at,
    }
}

/// The shift of the same rotation just before `shift`, from `list` (that rotation's shifts
/// around it, sorted by start) or planned further back.
fn before(model: &Model, list: &[Shift], shift: &Shift) -> Option<Neighbour> {
    let ix = list.partition_point(|s| s.start < shift.start);
    if ix > 0 {
        return Some(neighbour(&list[ix - 1], list[ix - 1].end));
    }
    // No shift starts before `team.start`; a day's slack covers zones east of UTC.
    let first_possible = model.team.start.and_time(NaiveTime::MIN).and_utc() - TimeDelta::days(2);
    let mut reach = TimeDelta::days(2 * MARGIN_DAYS);
    while reach <= TimeDelta::days(SEARCH_DAYS) && shift.start - reach / 2 > first_possible {
        let period = Period::new(shift.start - reach, shift.start);
        let found = super::one_rotation(model, shift.rotation, period)
            .into_iter()
            .rfind(|s| s.start < shift.start);
        if let Some(s) = found {
            return Some(neighbour(&s, s.end));
        }
        reach = reach * 2;
    }
    None
}

/// The shift of the same rotation just after `shift`, as [`before`].
fn after(model: &Model, list: &[Shift], shift: &Shift) -> Option<Neighbour> {
    let ix = list.partition_point(|s| s.start <= shift.start);
    if let Some(next) = list.get(ix) {
        return Some(neighbour(next, next.start));
    }
    let mut reach = TimeDelta::days(2 * MARGIN_DAYS);
    while reach <= TimeDelta::days(SEARCH_DAYS) {
        let period = Period::new(shift.start, shift.end + reach);
        let found = super::one_rotation(model, shift.rotation, period)
            .into_iter()
            .find(|s| s.start > shift.start);
        if let Some(s) = found {
            return Some(neighbour(&s, s.start));
        }
        reach = reach * 2;
    }
    None
}
