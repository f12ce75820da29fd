//! `rota export`: the plan of a period as `team.ics`, `rotation-<name>.ics` and `person-<id>.ics`.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{Context, Outcome, emit};
use crate::cli::ExportArgs;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::plan::{self, Shift};
use crate::render::ics::{self, Feed};

/// By default: the current month and the two after it.
const DEFAULT_MONTHS: u32 = 3;

pub fn run(ctx: &Context, args: &ExportArgs, out: &mut dyn Write) -> Result<Outcome> {
    let period = ctx.period(&args.period, DEFAULT_MONTHS)?;
    let shifts = plan::plan(&ctx.model, period);
    // Everything is rendered before the first file is touched, so a failure to render leaves
    // the folder as it was.
    let files = feeds(&ctx.model, &shifts, ctx.display_tz);
    write_all(&args.out, &files)?;
    emit(
        out,
        format!("wrote {} files to {}\n", files.len(), args.out.display()).as_bytes(),
    )?;
    Ok(Outcome::Clean)
}

/// One feed file: its name in the folder and its bytes.
struct FeedFile {
    name: String,
    ics: String,
}

/// The team's feed, one per rotation and one per person, each file even when it holds no
/// event, so that a subscribed URL never turns into a 404 in a quiet month.
fn feeds(model: &Model, shifts: &[Shift], display_tz: chrono_tz::Tz) -> Vec<FeedFile> {
    let events = ics::events(model, shifts);
    let team = &model.team.name;
    let select = |keep: &dyn Fn(&Shift) -> bool| {
        shifts
            .iter()
            .zip(&events)
            .filter(move |(shift, _)| keep(shift))
            .map(|(_, event)| event.as_str())
            .collect::<Vec<_>>()
    };

    let mut files = Vec::with_capacity(1 + model.rotations.len() + model.people.len());
    files.push(FeedFile {
        name: "team.ics".to_string(),
        ics: ics::feed(
            &Feed {
                name: &format!("{team} rota"),
                description: &format!("Every shift of every rotation of {team}"),
                timezone: display_tz,
            },
            select(&|_| true),
        ),
    });
    for (ix, rotation) in model.rotations.iter().enumerate() {
        files.push(FeedFile {
            name: format!("rotation-{}.ics", rotation.name),
            ics: ics::feed(
                &Feed {
                    name: &format!("{team} rota: {}", rotation.name),
                    description: &format!("The shifts of the {} rotation", rotation.name),
                    timezone: rotation.timezone,
                },
                select(&|s| s.rotation == ix),
            ),
        });
    }
    for (ix, person) in model.people.iter().enumerate() {
        files.push(FeedFile {
            name: format!("person-{}.ics", person.id),
            ics: ics::feed(
                &Feed {
                    name: &format!("{team} rota: {}", person.name),
                    description: &format!("The shifts {} is on duty for", person.name),
                    timezone: person.timezone,
                },
                select(&|s| s.person == Some(ix)),
            ),
        });
    }
    files
}

/// Each file is replaced atomically: a failure part-way leaves every file either as it was
/// or completely new, never half-written. Files in the folder that are not ours (a removed
/// person's feed, an index.html) are left alone.
fn write_all(dir: &Path, files: &[FeedFile]) -> Result<()> {
    preflight(dir, files)?;
    for (written, file) in files.iter().enumerate() {
        let path: PathBuf = dir.join(&file.name);
        crate::io::files::write_atomic(&path, file.ics.as_bytes()).map_err(|e| {
            Error::failed(
                format!("cannot write `{}`: {e}", path.display()),
                format!(
                    "check that --out `{}` is a folder you can write to; \
                     {written} of {} files were replaced, the others are unchanged",
                    dir.display(),
                    files.len()
                ),
            )
        })?;
    }
    Ok(())
}

/// The failures that can be seen coming are reported before any file is replaced: `--out`
/// naming a file, or a folder standing where a feed goes (atomic-write-file would also leave
/// its temporary file behind when that rename fails).
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
