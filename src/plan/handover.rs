//! Who hands over before and after each shift: the neighbouring shifts of the same rotation,
//! also across the edges of a planned period.

use chrono::{DateTime, NaiveTime, TimeDelta, Utc};

use super::turns::{self, HeldTurn};
use super::{Period, Shift};
use crate::model::{Model, PersonIx, RotationIx};
use crate::parallel;

/// A shift together with who holds its rotation just before and just after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handover {
    pub shift: Shift,
    pub before: Option<Neighbour>,
    pub after: Option<Neighbour>,
    /// Whether this shift begins its holder's turn (as a reminder counts turns): the one
    /// shift of the turn that carries its alarm. A week's turn begins once, not on each of
    /// its seven days, and not again on the day after someone else's override inside it.
    pub opens_turn: bool,
}

/// The shift next to a duty in its rotation, as far as a hand-over needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Neighbour {
    /// `None` for an unassigned turn. Narrower than a [`PersonIx`]: a year of a large
    /// organisation holds millions of neighbours, two to a hand-over (28 bytes each, not 40).
    person: Option<u32>,
    /// The turn the neighbouring shift belongs to.
    pub turn: u32,
    /// When the hand-over happens: the end of the shift before, or the start of the one after.
    pub at: DateTime<Utc>,
    /// Whether the neighbouring shift is (a part of) an override.
    pub is_override: bool,
}

impl Neighbour {
    /// Who holds the neighbouring shift: `None` for an unassigned turn.
    pub fn person(&self) -> Option<PersonIx> {
        self.person.map(|p| p as PersonIx)
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
                (0..list.len())
                    .filter(|&i| overlaps(&list[i], period) && keep(&list[i]))
                    .map(|i| handover_at(model, list, i))
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
}

impl Handovers {
    pub fn of(model: &Model, period: Period) -> Self {
        let near = near(model, period);
        let kept = |list: &[Shift]| list.iter().filter(|s| overlaps(s, period)).count();
        // Filled in one vector of the exact size rather than one per rotation gathered
        // afterwards: a year of a large organisation is hundreds of megabytes of hand-overs,
        // which would otherwise be held twice over while they were gathered. On one core:
        // filled in place on two, the peak memory of a re-export rose by a tenth, by how the
        // allocator's per-thread pools then fell.
        let mut all = Vec::with_capacity(near.iter().map(|list| kept(list)).sum());
        // Each rotation's shifts are let go as soon as its hand-overs are made.
        for list in near {
            let overlapping = (0..list.len()).filter(|&i| overlaps(&list[i], period));
            all.extend(overlapping.map(|i| handover_at(model, &list, i)));
        }
        Handovers { all }
    }

    /// The hand-overs in plan order.
    pub fn in_order(&self, model: &Model) -> impl Iterator<Item = &Handover> {
        let order = super::order_of(model, &self.all, |h| &h.shift);
        order.into_iter().map(|i| &self.all[i])
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
    let mut rotations: Vec<RotationIx> = shifts.iter().map(|s| s.rotation()).collect();
    rotations.sort_unstable();
    rotations.dedup();
    let near = super::some_rotations(model, &rotations, Period::new(from - margin, to + margin));
    let near_of = |shift: &Shift| {
        let ix = rotations
            .binary_search(&shift.rotation())
            .unwrap_or_default();
        near[ix].as_slice()
    };
    shifts
        .iter()
        .map(|shift| {
            let list = near_of(shift);
            handover(model, list, shift, Place::of(list, shift))
        })
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

/// Where a shift falls among its rotation's shifts around it (sorted by start): how many
/// start before it, and how many start no later than it.
#[derive(Debug, Clone, Copy)]
struct Place {
    before: usize,
    not_after: usize,
}

impl Place {
    fn of(list: &[Shift], shift: &Shift) -> Self {
        Place {
            before: list.partition_point(|s| s.start < shift.start),
            not_after: list.partition_point(|s| s.start <= shift.start),
        }
    }

    /// [`Place::of`] the shift at `i` of `list`: found from there rather than searched for,
    /// since shifts of a rotation seldom share a start (a million hand-overs of a large
    /// organisation's year are made this way).
    fn of_own(list: &[Shift], i: usize) -> Self {
        let start = list[i].start;
        let before = list[..i]
            .iter()
            .rev()
            .take_while(|s| s.start == start)
            .count();
        let after = list[i + 1..]
            .iter()
            .take_while(|s| s.start == start)
            .count();
        Place {
            before: i - before,
            not_after: i + 1 + after,
        }
    }
}

/// The hand-over of the shift at `i` of `list` (its rotation's shifts around it).
fn handover_at(model: &Model, list: &[Shift], i: usize) -> Handover {
    handover(model, list, &list[i], Place::of_own(list, i))
}

/// `shift`'s duty, its neighbours looked up in `list` (its rotation's shifts around it, sorted
/// by start; `shift` falls at `place` among them) or planned further out.
fn handover(model: &Model, list: &[Shift], shift: &Shift, place: Place) -> Handover {
    let before = before(model, list, shift, place);
    Handover {
        shift: *shift,
        before,
        after: after(model, list, shift, place),
        opens_turn: opens_turn(model, list, shift, place, before),
    }
}

fn neighbour(shift: &Shift, at: DateTime<Utc>) -> Neighbour {
    Neighbour {
        // A config of four billion people could not be loaded to get here.
        person: shift
            .person
            .map(|p| u32::try_from(p).expect("fewer than 2^32 people")),
        turn: shift.turn,
        at,
        is_override: shift.is_override,
    }
}

/// Whether `shift` begins a turn of its holder ([`turns::held_turn`]), looking further back
/// than the shifts at hand where they begin too late to tell.
fn opens_turn(
    model: &Model,
    list: &[Shift],
    shift: &Shift,
    place: Place,
    before: Option<Neighbour>,
) -> bool {
    let earlier = &list[..place.before];
    match turns::held_turn(earlier, shift) {
        HeldTurn::Begins => true,
        HeldTurn::Continues(_) => false,
        // The shift before lies beyond those at hand: `before` was planned further back.
        HeldTurn::Unknown if shift.is_override => {
            before.is_none_or(|b| !b.is_override || b.person() != shift.person)
        }
        HeldTurn::Unknown => {
            // The turn began before the shifts at hand: its earlier days are planned, as far
            // back as a turn can reach.
            let first = earlier.first().unwrap_or(shift);
            let reach = TimeDelta::days(i64::from(model.rotations[shift.rotation()].turn.days) + 3);
            let further: Vec<Shift> = super::one_rotation(
                model,
                shift.rotation(),
                Period::new(first.start - reach, first.start),
            )
            .into_iter()
            .filter(|s| s.start < first.start)
            .collect();
            !matches!(turns::held_turn(&further, shift), HeldTurn::Continues(_))
        }
    }
}

/// The shift of the same rotation just before `shift`, from `list` (that rotation's shifts
/// around it, sorted by start) or planned further back.
fn before(model: &Model, list: &[Shift], shift: &Shift, place: Place) -> Option<Neighbour> {
    let ix = place.before;
    if ix > 0 {
        return Some(neighbour(&list[ix - 1], list[ix - 1].end));
    }
    // No shift starts before `team.start`; a day's slack covers zones east of UTC.
    let first_possible = model.team.start.and_time(NaiveTime::MIN).and_utc() - TimeDelta::days(2);
    let mut reach = TimeDelta::days(2 * MARGIN_DAYS);
    while reach <= TimeDelta::days(SEARCH_DAYS) && shift.start - reach / 2 > first_possible {
        let period = Period::new(shift.start - reach, shift.start);
        let found = super::one_rotation(model, shift.rotation(), period)
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
fn after(model: &Model, list: &[Shift], shift: &Shift, place: Place) -> Option<Neighbour> {
    let ix = place.not_after;
    if let Some(next) = list.get(ix) {
        return Some(neighbour(next, next.start));
    }
    let mut reach = TimeDelta::days(2 * MARGIN_DAYS);
    while reach <= TimeDelta::days(SEARCH_DAYS) {
        let period = Period::new(shift.start, shift.end + reach);
        let found = super::one_rotation(model, shift.rotation(), period)
            .into_iter()
            .find(|s| s.start > shift.start);
        if let Some(s) = found {
            return Some(neighbour(&s, s.start));
        }
        reach = reach * 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A four-week turn of A's, from 1 March, that B takes over from its 2nd to its 15th day.
    fn model() -> Model {
        let config = "[team]\nname = \"T\"\ntimezone = \"UTC\"\nstart = 2027-03-01\n\
            [[person]]\nid = \"a\"\nname = \"A\"\n[[person]]\nid = \"b\"\nname = \"B\"\n\
            [[rotation]]\nname = \"r\"\nmembers = [\"a\", \"b\"]\nshift = \"09:00-17:00\"\n\
            turn = \"4 weeks\"\n\
            [[override]]\nrotation = \"r\"\nperson = \"b\"\n\
            from = 2027-03-02T09:00:00\nto = 2027-03-15T17:00:00\n";
        crate::config::load(config, "rotation.toml").expect("valid config")
    }

    fn opening(model: &Model, from: &str, to: &str) -> Vec<(String, bool)> {
        let day = |d: &str| {
            d.parse::<chrono::NaiveDate>()
                .unwrap()
                .and_time(NaiveTime::MIN)
                .and_utc()
        };
        per_rotation(model, Period::new(day(from), day(to)), |_| true)
            .concat()
            .iter()
            .map(|h| (h.shift.start.format("%d").to_string(), h.opens_turn))
            .collect()
    }

    /// The export of a large organisation's year holds 1.35 million hand-overs beside the
    /// previous feed's events, under a 512 MB budget: a field that widens them shows here.
    #[test]
    fn a_hand_over_stays_within_its_memory_budget() {
        assert_eq!(std::mem::size_of::<Neighbour>(), 28);
        assert_eq!(std::mem::size_of::<Option<Neighbour>>(), 28);
        assert!(std::mem::size_of::<Handover>() <= 144);
    }

    #[test]
    fn a_shift_found_from_its_own_position_falls_where_a_search_puts_it() {
        let model = model();
        let day = |d: u32| {
            chrono::NaiveDate::from_ymd_opt(2027, 3, d)
                .unwrap()
                .and_time(NaiveTime::MIN)
                .and_utc()
        };
        let shifts = super::super::one_rotation(&model, 0, Period::new(day(1), day(8)));
        // Shifts sharing a start, as the place of each must allow for.
        let list: Vec<Shift> = [0, 1, 1, 1, 2, 3, 3].iter().map(|&k| shifts[k]).collect();
        for (i, shift) in list.iter().enumerate() {
            let (own, searched) = (Place::of_own(&list, i), Place::of(&list, shift));
            assert_eq!(
                (own.before, own.not_after),
                (searched.before, searched.not_after),
                "shift {i}"
            );
        }
    }

    #[test]
    fn a_turn_opens_once_for_its_holder_and_once_for_an_override_inside_it() {
        let model = model();
        let opens: Vec<String> = opening(&model, "2027-03-01", "2027-03-29")
            .into_iter()
            .filter_map(|(day, opens)| opens.then_some(day))
            .collect();
        assert_eq!(opens, ["01", "02"]);
    }

    #[test]
    fn a_turn_begun_long_before_the_period_does_not_open_again_in_it() {
        // The shifts at hand start on the 6th, inside the override: A's own first day, the 1st,
        // lies further back than that.
        let model = model();
        assert_eq!(
            opening(&model, "2027-03-16", "2027-03-18"),
            [("16".to_string(), false), ("17".to_string(), false)]
        );
    }
}
