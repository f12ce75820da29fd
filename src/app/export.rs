//! `rota export`: the plan of a period as `team.ics`, `rotation-<name>.ics` and `person-<id>.ics`.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use chrono::{Datelike, Months};
use serde_json::json;

use super::{Context, Outcome, emit};
use crate::cli::{ExportArgs, ExportFormat, PeriodArgs};
use crate::coverage;
use crate::error::Result;
use crate::feeds::{self, FeedSpec};
use crate::io::files::{self, Joined, Publication};
use crate::local_time::start_of_day;
use crate::parallel;
use crate::plan::handover::{Handover, Handovers};
use crate::plan::{self, Period, Slot};
use crate::published::digest;
use crate::render::html;
use crate::render::ics::{self, Feed};
use crate::revision::{self, History};

pub fn run(ctx: &Context, args: &ExportArgs, out: &mut dyn Write) -> Result<Outcome> {
    let period = period(ctx, &args.period)?;
    // Independent steps, each long for a large organisation, side by side.
    let (shifts, previous) =
        parallel::join(|| Handovers::of(&ctx.model, period), || previous(&args.out));
    let (changed, mut feeds) = parallel::join(
        || published_changes(ctx, &shifts),
        || feeds::feeds(&ctx.model, &shifts, ctx.display_tz),
    );
    let history = History::new(&ctx.model, ctx.now, previous).with_published_changes(changed);
    let renderer = ics::Renderer::new(&ctx.model, &history);
    // Rendered before anything is written, and published with the feeds in one commit.
    let page = args.html.then(|| html_page(ctx, period, &shifts, &feeds));
    let gone = gone(&args.out, &feeds);
    let remove = if args.prune {
        gone.iter().map(|name| format!("{name}.ics")).collect()
    } else {
        feeds.extend(gone.iter().map(|name| feeds::emptied(&ctx.model, name)));
        Vec::new()
    };
    let mut files: Vec<Publication> = feeds
        .iter()
        .map(|f| {
            Publication::new(f.file_name(), |out: &mut dyn Write| {
                write(&renderer, f, &shifts.all, out)
            })
        })
        .collect();
    // Copied from the rotations' feeds rather than rendered a second time.
    if let Some(joined) = joined_team(&feeds, ctx.model.rotations.len()) {
        files[0] = Publication::joined(feeds[0].file_name(), joined);
    }
    if let Some(page) = page {
        files.push(Publication::bytes("index.html", page.into_bytes()));
    }
    let published = files::publish(&args.out, &files, &remove)?;
    let report = match args.format {
        ExportFormat::Text => text(args, &published, &gone),
        ExportFormat::Json => json(ctx, args, period, &feeds, &published, &gone),
    };
    emit(out, report.as_bytes())?;
    Ok(Outcome::Clean)
}

/// `index.html`: the period's calendars, turns and coverage, linking the feeds.
fn html_page(ctx: &Context, period: Period, handovers: &Handovers, feeds: &[FeedSpec]) -> String {
    let shifts: Vec<plan::Shift> = handovers.in_order(&ctx.model).map(|h| h.shift).collect();
    let coverage = coverage::coverage(
        &ctx.model,
        period,
        ctx.display_tz,
        coverage::Scope::AllRotations,
        &[],
    );
    let links: Vec<html::FeedLink> = feeds
        .iter()
        .map(|f| html::FeedLink {
            file: f.file_name(),
            title: f.title.clone(),
        })
        .collect();
    html::page(&html::Page {
        model: &ctx.model,
        shifts: &shifts,
        period,
        tz: ctx.display_tz,
        feeds: &links,
        coverage: &coverage,
    })
}

/// The period of the flags, or by default from the first day of last month (so history stays
/// in subscribed calendars) to the end of the published horizon or through the third month
/// after this one, whichever is later: whole months, so that the feeds change at month
/// boundaries rather than every day.
pub fn period(ctx: &Context, args: &PeriodArgs) -> Result<Period> {
    if args.month.is_some() || args.from.is_some() {
        return ctx.period(args, 1);
    }
    let tz = ctx.display_tz;
    let today = ctx.now.with_timezone(&tz).date_naive();
    let this_month = today.with_day(1).unwrap_or(today);
    let last_month = this_month
        .checked_sub_months(Months::new(1))
        .unwrap_or(this_month);
    let months = Period::months(last_month, 5, tz);
    // A published turn may run past the date it was published through.
    let published = &ctx.model.published;
    let horizon = published
        .rotations
        .iter()
        .flat_map(|r| r.turns.iter().map(|t| t.last))
        .chain(published.through)
        .max()
        .and_then(|last| last.succ_opt())
        .map(|after| start_of_day(tz, after));
    Ok(Period::new(
        months.from,
        horizon.map_or(months.to, |h| h.max(months.to)),
    ))
}

/// The slots of published turns that changed since they were published: for the revisions
/// of events no previous feed holds.
pub fn published_changes(ctx: &Context, handovers: &Handovers) -> HashSet<Slot> {
    digest::changed(&ctx.model, handovers.all.iter().map(|h| &h.shift))
}

/// The events of the team's feed a previous export left in `dir`: what each event said and
/// its revision. Anything unreadable counts as no previous export.
fn previous(dir: &Path) -> revision::Events {
    let path = dir.join("team.ics");
    if !starts_like_ours(&path) {
        return revision::Events::default();
    }
    let read = std::fs::File::open(&path).and_then(|file| {
        // An event takes some 500 bytes; an estimate to size the table by.
        let events = file.metadata().map_or(0, |m| m.len() / 500);
        let events = usize::try_from(events).unwrap_or(0);
        revision::read_feed_from(std::io::BufReader::with_capacity(256 * 1024, file), events)
    });
    read.ok().flatten().unwrap_or_default()
}

/// The rotation and person feeds rota wrote into `dir` whose rotation or person is gone,
/// by name, sorted. A file that only differs in case from a current feed is that feed on a
/// case-insensitive file system, not a stale one.
fn gone(dir: &Path, feeds: &[FeedSpec]) -> Vec<String> {
    let current: HashSet<String> = feeds.iter().map(|f| f.name.to_lowercase()).collect();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut gone: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let file = e.file_name().into_string().ok()?;
            let name = file.strip_suffix(".ics")?.to_string();
            let ours = feeds::is_member_feed(&name)
                && !current.contains(&name.to_lowercase())
                && e.file_type().is_ok_and(|t| t.is_file())
                && starts_like_ours(&e.path());
            ours.then_some(name)
        })
        .collect();
    gone.sort();
    gone
}

fn starts_like_ours(path: &Path) -> bool {
    use std::io::Read;
    let mut head = Vec::with_capacity(200);
    std::fs::File::open(path)
        .and_then(|f| f.take(200).read_to_end(&mut head))
        .is_ok_and(|_| ics::is_ours(&head))
}

/// The team's feed (the first of `feeds`) put together from the feeds of the `rotations`
/// rotations after it, when their events are the team's, rotation by rotation, shown the same
/// way (with the same alarms); `None` when they are not.
fn joined_team(feeds: &[FeedSpec], rotations: usize) -> Option<Joined> {
    let (team, rest) = feeds.split_first()?;
    let rotations: Vec<(usize, &FeedSpec)> = rest
        .iter()
        .take(rotations)
        .enumerate()
        .map(|(i, f)| (i + 1, f))
        .take_while(|(_, f)| f.name.starts_with("rotation-"))
        .collect();
    let events = rotations.iter().flat_map(|(_, f)| f.events.iter());
    let same =
        rotations.iter().all(|(_, f)| f.alarms == team.alarms) && events.eq(team.events.iter());
    if !same {
        return None;
    }
    let parts = rotations.iter().map(|&(file, f)| files::Part {
        file,
        skip: ics::head(&head(f)).len() as u64,
        trim: ics::TAIL.len() as u64,
    });
    Some(Joined {
        head: ics::head(&head(team)).into_bytes(),
        parts: parts.collect(),
        tail: ics::TAIL.as_bytes().to_vec(),
    })
}

fn head(feed: &FeedSpec) -> Feed<'_> {
    Feed {
        name: &feed.title,
        description: &feed.description,
        timezone: feed.timezone,
    }
}

fn write(
    renderer: &ics::Renderer,
    feed: &FeedSpec,
    all: &[Handover],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let events = feed.events.iter().map(|&i| &all[i]);
    renderer.write_feed(&head(feed), events, feed.alarms, out)
}

fn text(args: &ExportArgs, published: &files::Report, gone: &[String]) -> String {
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
    if !gone.is_empty() {
        let what = if args.prune { "removed" } else { "emptied" };
        summary.push_str(&format!(
            "{what} the feeds of rotations and people no longer on the rota: {}\n",
            gone.join(", ")
        ));
    }
    summary
}

fn json(
    ctx: &Context,
    args: &ExportArgs,
    period: Period,
    feeds: &[FeedSpec],
    published: &files::Report,
    gone: &[String],
) -> String {
    let written: HashSet<&str> = published.written.iter().map(String::as_str).collect();
    let gone: HashSet<&str> = gone.iter().map(String::as_str).collect();
    let mut files: Vec<_> = feeds
        .iter()
        .map(|f| {
            let file = f.file_name();
            let status = if written.contains(file.as_str()) {
                "written"
            } else {
                "unchanged"
            };
            json!({"file": file, "events": f.events.len(), "status": status,
                   "emptied": gone.contains(f.name.as_str())})
        })
        .collect();
    if args.html {
        let status = if written.contains("index.html") {
            "written"
        } else {
            "unchanged"
        };
        files.push(json!({"file": "index.html", "events": 0, "status": status, "emptied": false}));
    }
    files.extend(
        published
            .removed
            .iter()
            .map(|file| json!({"file": file, "events": 0, "status": "removed", "emptied": false})),
    );
    let tz = ctx.display_tz;
    let report = json!({
        "out": args.out.display().to_string(),
        "from": period.from.with_timezone(&tz).to_rfc3339(),
        "to": period.to.with_timezone(&tz).to_rfc3339(),
        "files": files,
    });
    format!("{report:#}\n")
}
