//! Which feeds an export publishes and which events each holds: `team.ics` (every event),
//! `rotation-<name>.ics` and `person-<id>.ics`, plus emptied feeds of rotations and people
//! that are gone, so that a subscribed URL never keeps listing stale shifts.

use chrono_tz::Tz;

use crate::model::{Alarms, Model};
use crate::plan::PlanOrder;
use crate::plan::handover::Handovers;

/// One feed: its name (the file's without `.ics`, the CalDAV collection's), what it says
/// about itself, and which events it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedSpec {
    /// `team`, `rotation-<name>`, `person-<id>`.
    pub name: String,
    /// `X-WR-CALNAME`.
    pub title: String,
    pub description: String,
    pub timezone: Tz,
    /// Positions of its events among the hand-overs: a rotation's and a person's in plan
    /// order, the team's rotation by rotation (each rotation's feed in turn, so that the
    /// team's feed can be put together from theirs).
    pub events: Vec<usize>,
    /// Whether its events carry their turn's alarm.
    pub alarms: bool,
}

impl FeedSpec {
    pub fn file_name(&self) -> String {
        format!("{}.ics", self.name)
    }
}

/// The team's feed, one per rotation and one per person, each even when it holds no event
/// (a subscribed URL must not turn into a 404 in a quiet month).
pub fn feeds(model: &Model, handovers: &Handovers, display_tz: Tz) -> Vec<FeedSpec> {
    // Sorted out to their rotation and person in one pass: selecting each feed's events from
    // all of them would be quadratic in a large organisation. The hand-overs are held
    // rotation by rotation, each in time order, which is the order of a rotation's feed.
    let all = &handovers.all;
    let mut by_rotation = vec![Vec::new(); model.rotations.len()];
    let mut by_person = vec![Vec::new(); model.people.len()];
    for (i, handover) in all.iter().enumerate() {
        by_rotation[handover.shift.rotation()].push(i);
        if let Some(p) = handover.shift.person {
            by_person[p].push(i);
        }
    }
    // A person on several rotations holds a stretch of each.
    let plan_order = PlanOrder::new(model);
    for events in &mut by_person {
        if !events.is_sorted_by_key(|&i| plan_order.key(&all[i].shift)) {
            events.sort_unstable_by_key(|&i| plan_order.key(&all[i].shift));
        }
    }
    let alarms = model.calendar.alarms;
    let team = &model.team.name;
    let mut feeds = Vec::with_capacity(1 + model.rotations.len() + model.people.len());
    feeds.push(FeedSpec {
        name: "team".to_string(),
        title: format!("{team} rota"),
        description: format!("Every shift of every rotation of {team}"),
        timezone: display_tz,
        events: (0..all.len()).collect(),
        alarms: alarms == Alarms::All,
    });
    for (rotation, events) in model.rotations.iter().zip(by_rotation) {
        feeds.push(FeedSpec {
            name: format!("rotation-{}", rotation.name),
            title: format!("{team} rota: {}", rotation.name),
            description: format!("The shifts of the {} rotation", rotation.name),
            timezone: rotation.timezone,
            events,
            alarms: alarms == Alarms::All,
        });
    }
    for (person, events) in model.people.iter().zip(by_person) {
        feeds.push(FeedSpec {
            name: format!("person-{}", person.id),
            title: format!("{team} rota: {}", person.name),
            description: format!("The shifts {} is on duty for", person.name),
            timezone: person.timezone,
            events,
            alarms: alarms != Alarms::None,
        });
    }
    feeds
}

/// Whether `name` (a file's without `.ics`) is the kind of feed a rotation or person has: one
/// of them that is not among the current feeds belongs to a rotation or person now gone.
pub fn is_member_feed(name: &str) -> bool {
    ["rotation-", "person-"].iter().any(|prefix| {
        name.strip_prefix(prefix)
            .is_some_and(|rest| !rest.is_empty())
    })
}

/// The emptied feed of a rotation or person that is gone: valid, with no event, so that
/// subscribed calendars drop its shifts. Named from `name` alone, so it stays the same from
/// one export to the next.
pub fn emptied(model: &Model, name: &str) -> FeedSpec {
    let team = &model.team.name;
    FeedSpec {
        name: name.to_string(),
        title: format!("{team} rota: {name} (no longer on the rota)"),
        description: format!("{name} is no longer on the {team} rota; this feed stays empty"),
        timezone: model.team.timezone,
        events: Vec::new(),
        alarms: false,
    }
}
