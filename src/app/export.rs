//! `rota export`: the plan of a period as `team.ics`, `rotation-<name>.ics` and `person-<id>.ics`.

use std::io::Write;
use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{Context, Outcome, emit};
use crate::cli::ExportArgs;
use crate::error::{Error, Result};
use crate::io::files::{self, Staged};
use crate::model::Model;
use crate::plan::Shift;
use crate::render::ics::{self, Events, Feed};

/// By default: the current month and the two after it.
const DEFAULT_MONTHS: u32 = 3;

pub fn run(ctx: &Context, args: &ExportArgs, out: &mut dyn Write) -> Result<Outcome> {
    let period = ctx.period(&args.period, DEFAULT_MONTHS)?;
    // Every event is rendered before the first file is touched, and wrapping them in a feed
    // cannot fail, so a failure to render leaves the folder as it was.
    let (shifts, order, events) = ics::period_events(&ctx.model, period);
    let files = feeds(&ctx.model, &shifts, &order, ctx.display_tz);
    let unchanged = write_all(&args.out, &files, &events)?;
    let mut summary = format!(
        "wrote {} files to {}",
        files.len() - unchanged,
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
    /// Positions of its shifts (and their events), in plan order.
    events: Vec<usize>,
}

impl FeedFile {
    fn write(&self, events: &Events, out: &mut dyn Write) -> std::io::Result<()> {
        ics::write_feed(
            &Feed {
                name: &self.title,
                description: &self.description,
                timezone: self.timezone,
            },
            self.events.iter().map(|&i| events.get(i)),
            out,
        )
    }
}

/// The team's feed, one per rotation and one per person, each file even when it holds no
/// event, so that a subscribed URL never turns into a 404 in a quiet month.
/// `shifts` come rotation by rotation, each rotation's in time order, and `order` holds their
/// positions (and their events') in plan order.
fn feeds(
    model: &Model,
    shifts: &[Shift],
    order: &[usize],
    display_tz: chrono_tz::Tz,
) -> Vec<FeedFile> {
    // Shifts sorted out to their rotation and person in one pass: selecting each feed's
    // events from all shifts would be quadratic in a large organisation. The pass goes through
    // the shifts where they lie (visiting them in plan order instead jumps through memory);
    // within one rotation that is plan order already, and a person's shifts on several
    // rotations are put back in plan order.
    let mut by_rotation = vec![Vec::new(); model.rotations.len()];
    let mut by_person = vec![Vec::new(); model.people.len()];
    for (i, shift) in shifts.iter().enumerate() {
        by_rotation[shift.rotation].push(i);
        if let Some(p) = shift.person {
            by_person[p].push(i);
        }
    }
    let mut position = vec![0; shifts.len()];
    for (k, &i) in order.iter().enumerate() {
        position[i] = k;
    }
    for events in &mut by_person {
        events.sort_by_key(|&i| position[i]);
    }

    let team = &model.team.name;
    let mut files = Vec::with_capacity(1 + model.rotations.len() + model.people.len());
    files.push(FeedFile {
        name: "team.ics".to_string(),
        title: format!("{team} rota"),
        description: format!("Every shift of every rotation of {team}"),
        timezone: display_tz,
        events: order.to_vec(),
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

/// The feeds change together: every file is written in full beside the old one before the
/// first is replaced, so a failure while writing (a full disk) leaves the folder as it was.
/// A file that already holds the feed is left untouched. Files in the folder that are not ours
/// (a removed person's feed, an index.html) are left alone. Each feed is put together as it is
/// written, so that none is held in memory besides the events. Returns how many files were
/// already up to date.
fn write_all(dir: &Path, files: &[FeedFile], events: &Events) -> Result<usize> {
    preflight(dir, files)?;
    let next = AtomicUsize::new(0);
    let failure = OnceLock::new();
    // Writers take the next file as they finish one: the team's feed alone is as large as all
    // the others together.
    let writer = || {
        let mut staged = Vec::new();
        while failure.get().is_none() {
            let ix = next.fetch_add(1, Ordering::Relaxed);
            let Some(file) = files.get(ix) else { break };
            let path = dir.join(&file.name);
            if files::holds(&path, |out| file.write(events, out)) {
                continue;
            }
            match files::stage(&path, |out| file.write(events, out)) {
                Ok(s) => staged.push((ix, s)),
                Err(e) => {
                    let _ = failure.set((path, e));
                    break;
                }
            }
        }
        staged
    };
    let writers = crate::parallel::cores();
    let mut staged: Vec<(usize, Staged)> = std::thread::scope(|scope| {
        let running: Vec<_> = (0..writers.min(files.len()))
            .map(|_| scope.spawn(writer))
            .collect();
        running
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    if let Some((path, e)) = failure.into_inner() {
        // Dropping the staged files deletes them.
        return Err(Error::failed(
            format!("cannot write `{}`: {e}", path.display()),
            format!(
                "check that --out `{}` is a folder you can write to, with room for the feeds; \
                 no file was replaced",
                dir.display()
            ),
        ));
    }
    staged.sort_by_key(|(ix, _)| *ix);
    let unchanged = files.len() - staged.len();
    files::commit(staged.into_iter().map(|(_, s)| s).collect()).map_err(|failed| {
        Error::failed(
            format!("cannot write `{}`: {}", failed.path.display(), failed.error),
            format!(
                "check that --out `{}` is a folder you can write to; \
                 {} of {} files were replaced, the others are unchanged",
                dir.display(),
                failed.replaced,
                files.len()
            ),
        )
    })?;
    Ok(unchanged)
}

/// The failures that can be seen coming are reported before any file is replaced: `--out`
/// naming a file, or a folder standing where a feed goes, so that an export fails whole
/// rather than after replacing some feeds.
fn preflight(dir: &Path, files: &[FeedFile]) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::failed(
            format!("`{}` is a file, not a folder", dir.display()),
            "pass --out a folder to write the .ics files into (it is created if missing)",
        ));
    }
    if let Some(blocked) = files.iter().map(|f| dir.join(&f.name)).find(|p| p.is_dir()) {
        return Err(Error::failed(
            format!(
                "cannot write `{}`: a folder is in the way",
                blocked.display()
            ),
            "move that folder away; no file was replaced",
        ));
    }
    Ok(())
}
