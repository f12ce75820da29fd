//! Config model → the shifts of a period: calendar, turns, overrides.

pub mod handover;
pub mod overrides;
pub mod period;
pub mod shifts;
pub mod turns;

use chrono::{DateTime, Datelike, TimeDelta, Utc};

pub use period::Period;

use crate::model::{Model, Override, PersonIx, RotationIx};
use crate::parallel;
pub use crate::slot::Slot;
use crate::slot::SlotPart;
use shifts::Times;

/// One stretch of duty in one rotation: a whole shift, or the part of one an override split off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shift {
    /// `None` for a turn nobody was free to take.
    pub person: Option<PersonIx>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub is_override: bool,
    /// The slot this stretch belongs to: the rotation and the local date of the whole shift.
    /// Who holds it never changes it, so the lock, calendar UIDs, reminder state and
    /// Message-IDs all derive from it.
    pub slot: Slot,
    /// When the whole shift of the slot starts; differs from `start` in a part an override
    /// split off.
    pub slot_start: DateTime<Utc>,
    /// The turn (counted from `team.start`) the shift belongs to.
    pub turn: u32,
}

impl Shift {
    /// The rotation: the slot's (kept once, as a year of a large organisation holds millions
    /// of shifts).
    pub fn rotation(&self) -> RotationIx {
        self.slot.rotation
    }

    /// Whether this stretch is a part of a shift split by an override, not starting with it.
    pub fn is_split_part(&self) -> bool {
        self.start != self.slot_start
    }

    /// How far into its slot this stretch starts: zero but for a split part.
    pub fn offset(&self) -> TimeDelta {
        self.start - self.slot_start
    }

    /// The stretch's name-based identity, for anything that outlives this config.
    pub fn part(&self, model: &Model) -> SlotPart {
        SlotPart {
            slot: self.slot.id(model),
            offset: self.offset(),
        }
    }
}

/// The shifts that start in `period`, sorted by start, then rotation name.
pub fn plan(model: &Model, period: Period) -> Vec<Shift> {
    let mut shifts: Vec<Shift> = per_rotation(model, period)
        .into_iter()
        .flatten()
        .filter(|s| period.contains(s.start))
        .collect();
    sort(model, &mut shifts);
    shifts
}

/// The shifts that overlap `period`, including those that started before it, sorted as
/// [`plan`]'s.
pub fn overlapping(model: &Model, period: Period) -> Vec<Shift> {
    let mut shifts: Vec<Shift> = per_rotation(model, period).into_iter().flatten().collect();
    sort(model, &mut shifts);
    shifts
}

/// The shifts that overlap `period`, per rotation in config order, each rotation's sorted by
/// start: for the work that looks at one rotation at a time, which needs no sorting of the
/// whole organisation's shifts.
pub fn per_rotation(model: &Model, period: Period) -> Vec<Vec<Shift>> {
    // Grouped once: a scan of all overrides per rotation is quadratic in a large organisation.
    let mut overrides: Vec<Vec<&Override>> = vec![Vec::new(); model.rotations.len()];
    for o in &model.overrides {
        overrides[o.rotation].push(o);
    }
    let rotations: Vec<RotationIx> = (0..model.rotations.len()).collect();
    // Each rotation is planned on its own; a large organisation's share the cores.
    parallel::map_parts(&rotations, 16, |part| {
        let mut times = Times::default();
        part.iter()
            .map(|&ix| rotation(model, ix, period, &overrides[ix], &mut times))
            .collect()
    })
}

/// The shifts of each of `rotations` (a few of the model's) that overlap `period`, each
/// rotation's sorted by start, in the order given: planning the whole organisation around one
/// person's turn would make a run of many reminders quadratic.
pub fn some_rotations(model: &Model, rotations: &[RotationIx], period: Period) -> Vec<Vec<Shift>> {
    let mut overrides: Vec<Vec<&Override>> = vec![Vec::new(); rotations.len()];
    for o in &model.overrides {
        if let Some(i) = rotations.iter().position(|&r| r == o.rotation) {
            overrides[i].push(o);
        }
    }
    let mut times = Times::default();
    rotations
        .iter()
        .zip(&overrides)
        .map(|(&ix, overrides)| rotation(model, ix, period, overrides, &mut times))
        .collect()
}

/// The shifts of one rotation that overlap `period`, sorted by start.
pub fn one_rotation(model: &Model, ix: RotationIx, period: Period) -> Vec<Shift> {
    let overrides: Vec<&Override> = model
        .overrides
        .iter()
        .filter(|o| o.rotation == ix)
        .collect();
    rotation(model, ix, period, &overrides, &mut Times::default())
}

fn rotation(
    model: &Model,
    ix: RotationIx,
    period: Period,
    overrides: &[&Override],
    times: &mut Times,
) -> Vec<Shift> {
    let mut shifts = overrides::apply(turns::assign(model, ix, period, times), overrides);
    shifts.retain(|s| s.start < period.to && s.end > period.from);
    shifts
}

/// Puts shifts in plan order: by start, then rotation name.
pub fn sort(model: &Model, shifts: &mut Vec<Shift>) {
    *shifts = order(model, shifts)
        .into_iter()
        .map(|i| shifts[i])
        .collect();
}

/// `items` (shifts, or things holding one) put in plan order: by start, then rotation name.
pub fn in_order<T: Copy>(model: &Model, items: &[T], shift: impl Fn(&T) -> &Shift) -> Vec<T> {
    order_by(model, items.len(), |i| shift(&items[i]))
        .into_iter()
        .map(|i| items[i])
        .collect()
}

/// The positions of `shifts` in plan order.
pub fn order(model: &Model, shifts: &[Shift]) -> Vec<usize> {
    order_by(model, shifts.len(), |i| &shifts[i])
}

/// The positions of `items` (things holding a shift) in plan order.
pub fn order_of<T>(model: &Model, items: &[T], shift: impl Fn(&T) -> &Shift) -> Vec<usize> {
    order_by(model, items.len(), |i| shift(&items[i]))
}

/// Plan order as a sort key: by start, then rotation name, then end and slot date, which
/// together tell any two shifts of a plan apart.
pub struct PlanOrder {
    /// Per rotation, its place among the rotations sorted by name: the many shifts starting
    /// at one instant (every team's leg at 08:00) compare by a number instead of by name.
    rank: Vec<u32>,
}

/// A shift's [`PlanOrder`] key.
pub type PlanKey = ((i64, u32), u32, (i64, u32), i32);

impl PlanOrder {
    pub fn new(model: &Model) -> Self {
        let mut by_name: Vec<RotationIx> = (0..model.rotations.len()).collect();
        by_name.sort_by(|&a, &b| model.rotations[a].name.cmp(&model.rotations[b].name));
        let mut rank = vec![0u32; by_name.len()];
        for (position, &rotation) in by_name.iter().enumerate() {
            rank[rotation] = u32::try_from(position).unwrap_or(u32::MAX);
        }
        PlanOrder { rank }
    }

    pub fn key(&self, s: &Shift) -> PlanKey {
        let instant = |t: DateTime<Utc>| (t.timestamp(), t.timestamp_subsec_nanos());
        (
            instant(s.start),
            self.rank[s.rotation()],
            instant(s.end),
            s.slot.date.num_days_from_ce(),
        )
    }
}

/// The positions `0..len` in plan order of the shifts `shift` gives for them.
fn order_by<'s>(model: &Model, len: usize, shift: impl Fn(usize) -> &'s Shift) -> Vec<usize> {
    let plan_order = PlanOrder::new(model);
    // Keys are sorted, then the shifts gathered in their order: a year of a large
    // organisation is a million shifts, and moving whole shifts while sorting cost more.
    // The key makes the order total, so an unstable sort gives the one order a stable sort
    // of the shifts as built (each rotation's in time order) would.
    let mut keys: Vec<_> = (0..len).map(|i| (plan_order.key(shift(i)), i)).collect();
    // Two halves sorted at once, then merged.
    let (left, right) = keys.split_at_mut(len / 2);
    parallel::join(|| left.sort_unstable(), || right.sort_unstable());
    let (mut left, mut right) = (left.iter().peekable(), right.iter().peekable());
    let mut order = Vec::with_capacity(len);
    loop {
        let next = match (left.peek(), right.peek()) {
            (Some(l), Some(r)) if r < l => right.next(),
            (Some(_), _) => left.next(),
            (None, _) => right.next(),
        };
        let Some(key) = next else { break };
        order.push(key.1);
    }
    order
}
