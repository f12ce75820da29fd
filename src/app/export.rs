//! `rota export`: the plan of a period as `team.ics`, `rotation-<name>.ics` and `person-<id>.ics`.

use std::io::Write;

use super::{Context, Outcome, emit};
use crate::cli::ExportArgs;
use crate::error::Result;
use crate::io::files::{self, Publication};
use crate::model::Model;
use crate::plan::{self, handover};
use crate::render::ics::{self, Events, Feed};

/// By default: the current month and the two after it.
const DEFAULT_MONTHS: u32 = 3;

pub fn run(ctx: &Context, args: &ExportArgs, out: &mut dyn Write) -> Result<Outcome> {
    let period = ctx.period(&args.period, DEFAULT_MONTHS)?;
    let per_rotation = handover::per_rotation(&ctx.model, period, |s| period.contains(s.start));
    let duties: Vec<_> = per_rotation.into_iter().flatten().collect();
    let duties = plan::in_order(&ctx.model, &duties, |d| &d.shift);
    // Every event is rendered before the first file is touched, and wrapping them in a feed
    // cannot fail, so a failure to render leaves the folder as it was.
    let events = ics::events(&ctx.model, &duties);
    let feeds = feeds(&ctx.model, &duties, ctx.display_tz);
    let files: Vec<Publication> = feeds
        .iter()
        .map(|f| Publication::new(f.name.clone(), Box::new(|out| f.write(&events, out))))
        .collect();
    let published = files::publish(&args.out, &files, &[])?;
    let unchanged = published.unchanged.len();
    let mut summary = format!(
        "wrote {} files to {}",
        published.written.len(),
        args.out.display()
    );
    if unchanged > 0 {
        summary.push_str(&format!("; {unchanged} were already up to date"));
    }
    summary.push('\n');
    emit(out, summary.as_bytes())?;
    Ok(Outcome::Clean)
}

/// One feed file: its name in the folder, what it says about itself and which events it holds.
struct FeedFile {
    name: String,
    title: String,
    description: String,
    timezone: chrono_tz::Tz,
    /// Positions of its events, in plan order.
    events: Vec<usize>,
}

impl FeedFile {
    fn write(&self, events: &Events, out: &mut dyn Write) -> std::io::Result<()> {
        let feed = Feed {
            name: &self.title,
            description: &self.description,
            timezone: self.timezone,
        };
        ics::write_feed(&feed, self.events.iter().map(|&i| events.get(i)), out)
    }
}

/// The team's feed, one per rotation and one per person, each file even when it holds no
/// event, so that a subscribed URL never turns into a 404 in a quiet month. `duties` are in
/// plan order, and so is each feed.
fn feeds(model: &Model, duties: &[handover::Duty], display_tz: chrono_tz::Tz) -> Vec<FeedFile> {
    // Sorted out to their rotation and person in one pass: selecting each feed's events from
    // all of them would be quadratic in a large organisation.
    let mut by_rotation = vec![Vec::new(); model.rotations.len()];
    let mut by_person = vec![Vec::new(); model.people.len()];
    for (i, duty) in duties.iter().enumerate() {
        by_rotation[duty.shift.rotation].push(i);
        if let Some(p) = duty.shift.person {
            by_person[p].push(i);
        }
    }
    let team = &model.team.name;
    let mut files = Vec::with_capacity(1 + model.rotations.len() + model.people.len());
    files.push(FeedFile {
        name: "team.ics".to_string(),
        title: format!("{team} rota"),
        description: format!("Every shift of every rotation of {team}"),
        timezone: display_tz,
        events: (0..duties.len()).collect(),
    });
    for (rotation, events) in model.rotations.iter().zip(by_rotation) {
        files.push(FeedFile {
            name: format!("rotation-{}.ics", rotation.name),
            title: format!("{team} rota: {}", rotation.name),
            description: format!("The shifts of the {} rotation", rotation.name),
            timezone: rotation.timezone,
            events,
        });
    }
    for (person, events) in model.people.iter().zip(by_person) {
        files.push(FeedFile {
            name: format!("person-{}.ics", person.id),
            title: format!("{team} rota: {}", person.name),
            description: format!("The shifts {} is on duty for", person.name),
            timezone: person.timezone,
            events,
        });
    }
    files
}
