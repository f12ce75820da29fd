//! Plan → coverage gaps, conflicts and fairness. Pure: the period and the model come in, a
//! report comes out; presenting it is the renderers' job.
//!
//! Every finding is clipped to the period, and shifts that started before the period but reach
//! into it count. One file per finding: [`gaps`] (coverage), [`conflicts`] (people and
//! overrides), [`fairness`] (shares and spreads). This file holds the report they fill.

mod conflicts;
mod fairness;
mod gaps;
mod published;
mod workload;

use chrono::{DateTime, TimeDelta, Utc};

use crate::model::{Model, PersonIx, RotationIx};
use crate::parallel;
use crate::plan::{self, Period};

pub use fairness::{Fairness, Spread};
pub use gaps::{Gap, head_count, rule_hours, under_staffed};
pub use published::override_toml;

/// Everything `rota check` found in a period.
#[derive(Debug, Clone)]
pub struct Report {
    pub period: Period,
    /// Sorted by start, then rule.
    pub gaps: Vec<Gap>,
    /// Errors first, then warnings; each by start, then kind, person and rotations.
    pub conflicts: Vec<Conflict>,
    /// One entry per rotation and person: every member, then anyone else who held its shifts
    /// through an override; rotations in config order, members in rotation order.
    pub fairness: Vec<Fairness>,
    /// One per rotation, in config order: how far its members' shares lie apart.
    pub spreads: Vec<Spread>,
}

impl Report {
    /// Gaps plus error-level conflicts: each one makes `check` exit 1.
    pub fn errors(&self) -> usize {
        self.gaps.len() + self.conflicts_of(Severity::Error)
    }

    pub fn warnings(&self) -> usize {
        self.conflicts_of(Severity::Warning)
    }

    pub fn conflicts_of(&self, severity: Severity) -> usize {
        self.conflicts
            .iter()
            .filter(|c| c.kind.severity() == severity)
            .count()
    }

    /// Whether the report fails a CI run: any error, or with `strict` any warning too.
    pub fn fails(&self, strict: bool) -> bool {
        self.errors() > 0 || (strict && self.warnings() > 0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ConflictKind {
    /// A person on two shifts at once.
    DoubleBooked,
    /// A person on duty on a local day they are away (possible through overrides).
    OnDutyWhileAway,
    /// A shift reaching into the person's own local night (`[check] night`).
    NightShift,
    /// An override that changes nothing: it covers no shift of its rotation, or a later
    /// override takes every moment it covers.
    OverrideOutsideShifts {
        /// The override's line in the config.
        line: usize,
        /// True when it does cover shifts, but later overrides win all of them.
        shadowed: bool,
    },
    /// A coverage rule none of whose rotations has a shift in its hours in the period.
    CoverageRuleUnmatched { rule: usize },
    /// Members of a rotation who were never away hold turn counts more than one apart.
    UnevenTurns {
        fewest: (PersonIx, u32),
        most: (PersonIx, u32),
    },
    /// `[check] max_share`: a person on duty more than that share of a rule's hours.
    MaxShare {
        rule: usize,
        /// The person's duty inside the rule's hours, and those hours, in seconds.
        duty: i64,
        hours: i64,
        error: bool,
    },
    /// `[check] min_rest`: less rest than that between two stretches of one person's duty.
    MinRest { rest: TimeDelta, error: bool },
    /// `[check] max_consecutive_days`: duty starting on more days in a row than that.
    MaxConsecutiveDays { days: u32, error: bool },
    /// A published turn (`rotation.lock`) its person can no longer serve.
    PublishedTurnUnserved {
        /// The turn's line in the lock.
        line: usize,
        reason: Unserved,
        /// The next free member of the queue, whom the suggested override names.
        replacement: Option<PersonIx>,
    },
}

/// Why a published turn can no longer be served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Unserved {
    /// The person is in the config but no longer a member of the rotation.
    NotAMember,
    /// The config no longer has the person at all.
    Gone,
    /// The person is away on one of the turn's days.
    Away,
}

impl ConflictKind {
    /// The name scripts match on (`kind` in JSON).
    pub fn name(&self) -> &'static str {
        match self {
            ConflictKind::DoubleBooked => "double-booked",
            ConflictKind::OnDutyWhileAway => "on-duty-while-away",
            ConflictKind::NightShift => "night-shift",
            ConflictKind::OverrideOutsideShifts { .. } => "override-outside-shifts",
            ConflictKind::CoverageRuleUnmatched { .. } => "coverage-rule-unmatched",
            ConflictKind::UnevenTurns { .. } => "uneven-turns",
            ConflictKind::MaxShare { .. } => "max-share",
            ConflictKind::MinRest { .. } => "min-rest",
            ConflictKind::MaxConsecutiveDays { .. } => "max-consecutive-days",
            ConflictKind::PublishedTurnUnserved { .. } => "published-turn-unserved",
        }
    }

    /// The contract: double bookings are errors, and so is duty on an away day (the person will
    /// not be there); the rest are warnings, except workload rules the config makes errors.
    pub fn severity(&self) -> Severity {
        match self {
            ConflictKind::DoubleBooked
            | ConflictKind::OnDutyWhileAway
            | ConflictKind::PublishedTurnUnserved { .. } => Severity::Error,
            ConflictKind::MaxShare { error: true, .. }
            | ConflictKind::MinRest { error: true, .. }
            | ConflictKind::MaxConsecutiveDays { error: true, .. } => Severity::Error,
            _ => Severity::Warning,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub kind: ConflictKind,
    /// None for findings about a rotation or a rule rather than a person.
    pub person: Option<PersonIx>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Sorted by name.
    pub rotations: Vec<RotationIx>,
}

/// The full analysis of `period`.
pub fn check(model: &Model, period: Period) -> Report {
    let by_rotation = plan::per_rotation(model, period);
    let by_rotation = &by_rotation[..];
    // The parts of the analysis are independent; a large organisation's share two cores.
    let ((mut gaps, (fairness, spreads, uneven)), mut conflicts) = parallel::join(
        || {
            let gaps: Vec<Gap> = (0..model.coverage.len())
                .flat_map(|rule| gaps::coverage_gaps(model, rule, period, by_rotation))
                .collect();
            (gaps, fairness::fairness(model, period, by_rotation))
        },
        || {
            let mut found = conflicts::double_bookings(model, period, by_rotation);
            found.extend(conflicts::away_duty(model, period, by_rotation));
            found.extend(conflicts::night_shifts(model, period, by_rotation));
            found
        },
    );
    gaps.sort_by_key(|g| (g.start, g.rule));
    conflicts.extend(conflicts::idle_overrides(model, period, by_rotation));
    conflicts.extend(gaps::unmatched_rules(model, period, by_rotation));
    conflicts.extend(uneven);
    conflicts.extend(workload::workload(model, period, by_rotation));
    let outside = published::Outside::plan(model, period);
    conflicts.extend(published::unserved(
        model,
        period,
        &outside.around(by_rotation),
    ));
    let rotation_names = |c: &Conflict| -> Vec<&str> {
        c.rotations
            .iter()
            .map(|&r| model.rotations[r].name.as_str())
            .collect()
    };
    conflicts.sort_by(|a, b| {
        (a.kind.severity(), a.start, a.kind.name(), a.person)
            .cmp(&(b.kind.severity(), b.start, b.kind.name(), b.person))
            .then_with(|| rotation_names(a).cmp(&rotation_names(b)))
            .then_with(|| a.end.cmp(&b.end))
    });
    Report {
        period,
        gaps,
        conflicts,
        fairness,
        spreads,
    }
}

pub(super) fn sorted_rotations(model: &Model, mut rotations: Vec<RotationIx>) -> Vec<RotationIx> {
    rotations.sort_by(|&a, &b| model.rotations[a].name.cmp(&model.rotations[b].name));
    rotations.dedup();
    rotations
}
