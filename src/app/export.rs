//! `rota export`: the plan of a period as `team.ics`, `rotation-<name>.ics` and `person-<id>.ics`.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;
use std::sync::OnceLock;

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
    // The team's and people's feeds are copied from the rotations' rather than rendered again.
    let marks: Vec<OnceLock<ics::Bounds>> = ctx
        .model
        .rotations
        .iter()
        .map(|_| OnceLock::new())
        .collect();
    let mut files = publications(&feeds, &renderer, &shifts.all, &marks);
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
    read_previous(&path)
        .ok()
        .flatten()
        .map(revision::Events::from_ordered)
        .unwrap_or_default()
}

/// The events of the feed at `path`, in order. A large feed is read in two halves side by
/// side, split where an event begins: a large organisation's team feed is hundreds of
/// megabytes, and reading it was the longest step of an export into a folder that has one.
fn read_previous(
    path: &Path,
) -> std::io::Result<Option<Vec<(revision::UidKey, revision::Previous)>>> {
    use revision::Stretch;
    use std::io::{BufReader, Read, Seek, SeekFrom};
    // An event takes some 500 bytes; an estimate to size the list by.
    const EVENT: u64 = 500;
    let len = std::fs::metadata(path)?.len();
    let read = |from: u64, to: u64, stretch: Stretch| {
        let mut file = std::fs::File::open(path)?;
        file.seek(SeekFrom::Start(from))?;
        let input = BufReader::with_capacity(256 * 1024, file.take(to - from));
        let events = usize::try_from((to - from) / EVENT).unwrap_or(0);
        revision::read_events(input, stretch, events)
    };
    let split = if parallel::cores() > 1 && len >= 4 << 20 {
        event_start_after(path, len / 2)?
    } else {
        None
    };
    let Some(split) = split else {
        return read(0, len, Stretch::FromTheStart);
    };
    let (first, second) = parallel::join(
        || read(0, split, Stretch::FromTheStart),
        || read(split, len, Stretch::FromAnEvent),
    );
    Ok(match (first?, second?) {
        (Some(mut first), Some(second)) => {
            first.extend(second);
            Some(first)
        }
        _ => None,
    })
}

/// Where the first event that begins at or after `at` in the feed at `path` begins, looking a
/// little way ahead: a line `BEGIN:VEVENT` (content lines hold no line breaks, so nothing
/// else reads so).
fn event_start_after(path: &Path, at: u64) -> std::io::Result<Option<u64>> {
    use std::io::{Read, Seek, SeekFrom};
    const BEGIN: &[u8] = b"\nBEGIN:VEVENT";
    let mut file = std::fs::File::open(path)?;
    file.seek(SeekFrom::Start(at))?;
    let mut window = Vec::with_capacity(64 * 1024);
    file.take(64 * 1024).read_to_end(&mut window)?;
    let found = window
        .windows(BEGIN.len() + 1)
        .position(|w| w.starts_with(BEGIN) && matches!(w[BEGIN.len()], b'\r' | b'\n'));
    Ok(found.map(|i| at + i as u64 + 1))
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
    let team = feeds.first()?;
    let rotations = rotation_feeds(feeds, rotations)?;
    let events = rotations.iter().flat_map(|f| f.events.iter());
    let same = rotations.iter().all(|f| f.alarms == team.alarms) && events.eq(team.events.iter());
    if !same {
        return None;
    }
    let parts = rotations.iter().enumerate().map(|(i, f)| files::Part {
        file: i + 1,
        skip: ics::head(&head(f)).len() as u64,
        trim: ics::TAIL.len() as u64,
    });
    Some(Joined {
        head: ics::head(&head(team)).into_bytes(),
        parts: parts.collect(),
        tail: ics::TAIL.as_bytes().to_vec(),
    })
}

/// The rotations' feeds: the `rotations` feeds after the team's, if that is what they are.
fn rotation_feeds(feeds: &[FeedSpec], rotations: usize) -> Option<&[FeedSpec]> {
    let of_rotations = feeds.get(1..=rotations)?;
    let all = of_rotations.iter().all(|f| f.name.starts_with("rotation-"));
    all.then_some(of_rotations)
}

/// The files of `feeds` (the team's, then one per rotation, then the others), each rendered or
/// copied from others; `marks` (per rotation) is where the rotations' feeds note where their
/// events lie, for the feeds copied from them.
fn publications<'a>(
    feeds: &'a [FeedSpec],
    renderer: &'a ics::Renderer,
    all: &'a [Handover],
    marks: &'a [OnceLock<ics::Bounds>],
) -> Vec<Publication<'a>> {
    let rotations = marks.len();
    let copying = Copying::of(feeds, rotations);
    let rendered = |f: &'a FeedSpec| {
        Publication::new(f.file_name(), move |out: &mut dyn Write| {
            write(renderer, f, all, out)
        })
    };
    let mut files: Vec<Publication> = feeds
        .iter()
        .enumerate()
        .map(|(ix, f)| {
            // The team's feed is joined from the rotations' below.
            let (Some(copying), true) = (&copying, ix > 0) else {
                return rendered(f);
            };
            if let Some(marks) = marks.get(ix - 1) {
                return Publication::new(f.file_name(), move |out: &mut dyn Write| {
                    let events = f.events.iter().map(|&i| &all[i]);
                    let bounds = renderer.write_feed_marked(&head(f), events, f.alarms, out)?;
                    // Every rendering of a feed is the same: the first one noted will do.
                    let _ = marks.set(bounds);
                    Ok(())
                });
            }
            match copying.person(f, all) {
                Some(person) => {
                    let sources = person.rotations().iter().map(|&r| r + 1).collect();
                    Publication::assembled(f.file_name(), sources, move |bytes, out| {
                        person.write(renderer, f, all, marks, bytes, out)
                    })
                }
                None => rendered(f),
            }
        })
        .collect();
    if let Some(joined) = joined_team(feeds, rotations) {
        files[0] = Publication::joined(feeds[0].file_name(), joined);
    }
    files
}

/// How people's feeds are copied from the rotations' feeds (the `rotations` feeds after the
/// team's), when each of those holds its rotation's events as one stretch of the hand-overs.
struct Copying<'f> {
    /// Per rotation: its feed, and where its events start among the hand-overs.
    rotations: Vec<(&'f FeedSpec, usize)>,
}

impl<'f> Copying<'f> {
    fn of(feeds: &'f [FeedSpec], rotations: usize) -> Option<Self> {
        let stretches = rotation_feeds(feeds, rotations)?.iter().map(|f| {
            let first = f.events.first().copied().unwrap_or(0);
            let stretch = f.events.iter().enumerate().all(|(k, &i)| i == first + k);
            stretch.then_some((f, first))
        });
        Some(Copying {
            rotations: stretches.collect::<Option<_>>()?,
        })
    }

    /// How `person`'s feed is copied, or `None` if it cannot be: an event would have to lose
    /// an alarm its rotation's feed shows.
    fn person(&self, person: &FeedSpec, all: &[Handover]) -> Option<CopiedFeed> {
        let mut rotations: Vec<usize> = Vec::new();
        for &i in &person.events {
            let rotation = all[i].shift.rotation();
            if !rotations.contains(&rotation) {
                if self.rotations.get(rotation)?.0.alarms && !person.alarms {
                    return None;
                }
                rotations.push(rotation);
            }
        }
        let sources = rotations.into_iter().map(|rotation| {
            let (feed, first) = self.rotations[rotation];
            CopiedSource {
                rotation,
                first,
                alarm: person.alarms && !feed.alarms,
            }
        });
        Some(CopiedFeed {
            sources: sources.collect(),
        })
    }
}

/// A person's feed copied from the feeds of their rotations (its sources, in this order).
struct CopiedFeed {
    sources: Vec<CopiedSource>,
}

/// A rotation whose feed a person's feed copies events from.
struct CopiedSource {
    rotation: usize,
    /// Where the rotation's events start among the hand-overs.
    first: usize,
    /// Whether its events opening a turn gain the alarm the rotation's feed has not.
    alarm: bool,
}

impl CopiedFeed {
    fn rotations(&self) -> Vec<usize> {
        self.sources.iter().map(|s| s.rotation).collect()
    }

    fn write(
        &self,
        renderer: &ics::Renderer,
        feed: &FeedSpec,
        all: &[Handover],
        marks: &[OnceLock<ics::Bounds>],
        bytes: &[&[u8]],
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        let unmarked =
            || std::io::Error::other("a rotation's feed was copied before it was written");
        let sources = self
            .sources
            .iter()
            .zip(bytes)
            .map(|(s, &bytes)| {
                let bounds = marks[s.rotation].get().ok_or_else(unmarked)?;
                Ok(ics::Source { bytes, bounds })
            })
            .collect::<std::io::Result<Vec<_>>>()?;
        let events = feed.events.iter().map(|&i| {
            let handover = &all[i];
            let rotation = handover.shift.rotation();
            // Not among the sources (which cannot be): the renderer reports it.
            let (source, first, alarm) =
                match self.sources.iter().position(|s| s.rotation == rotation) {
                    Some(k) => (k, self.sources[k].first, self.sources[k].alarm),
                    None => (usize::MAX, i, false),
                };
            ics::Copied {
                source,
                position: i - first,
                handover,
                alarm: alarm && handover.opens_turn,
            }
        });
        renderer.write_copied_feed(&head(feed), events, &sources, out)
    }
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::io::files::Contents;

    const ZONES: [&str; 5] = [
        "Europe/Berlin",
        "America/New_York",
        "Australia/Sydney",
        "Asia/Kolkata",
        "Pacific/Chatham",
    ];
    const SHIFTS: [&str; 3] = ["09:00-17:00", "22:00-06:00", "00:00-00:00"];
    const TURNS: [&str; 3] = ["day", "3 days", "week"];
    const ALARMS: [&str; 3] = ["person", "all", "none"];

    /// A team whose people share rotations in several zones, with overrides that split turns.
    fn config() -> impl Strategy<Value = String> {
        let people = prop::collection::vec(0..ZONES.len(), 2..6);
        let rotation = (
            prop::collection::vec(0..6usize, 1..5),
            0..ZONES.len(),
            0..SHIFTS.len(),
            0..TURNS.len(),
            any::<bool>(),
        );
        let rotations = prop::collection::vec(rotation, 1..4);
        let overrides = prop::collection::vec((0..4usize, 0..6usize, 0..40i64, 1..80u32), 0..4);
        (people, rotations, overrides, 0..ALARMS.len()).prop_map(
            |(people, rotations, overrides, alarms)| {
                let mut text = format!(
                    "[team]\nname = \"T, Inc.\"\ntimezone = \"Europe/Berlin\"\n\
                     start = 2027-03-01\n[calendar]\nalarms = \"{}\"\n",
                    ALARMS[alarms]
                );
                for (p, &zone) in people.iter().enumerate() {
                    text.push_str(&format!(
                        "[[person]]\nid = \"p{p}\"\nname = \"Pé {p}\"\ntimezone = \"{}\"\n",
                        ZONES[zone]
                    ));
                }
                let mut names = Vec::new();
                for (r, (members, zone, shift, turn, weekdays)) in rotations.iter().enumerate() {
                    let mut members: Vec<usize> =
                        members.iter().map(|m| m % people.len()).collect();
                    let mut seen = Vec::new();
                    members.retain(|m| {
                        !seen.contains(m) && {
                            seen.push(*m);
                            true
                        }
                    });
                    let members: Vec<String> =
                        members.iter().map(|m| format!("\"p{m}\"")).collect();
                    let days = if *weekdays { "mon-fri" } else { "daily" };
                    text.push_str(&format!(
                        "[[rotation]]\nname = \"r{r}\"\nmembers = [{}]\ntimezone = \"{}\"\n\
                         shift = \"{}\"\nturn = \"{}\"\ndays = \"{days}\"\n",
                        members.join(", "),
                        ZONES[*zone],
                        SHIFTS[*shift],
                        TURNS[*turn]
                    ));
                    names.push(members);
                }
                for (r, p, day, hours) in overrides {
                    let r = r % rotations.len();
                    let from = chrono::NaiveDate::from_ymd_opt(2027, 3, 1).unwrap()
                        + chrono::TimeDelta::days(day);
                    let from = from.and_hms_opt(12, 0, 0).unwrap();
                    let to = from + chrono::TimeDelta::hours(i64::from(hours));
                    text.push_str(&format!(
                        "[[override]]\nrotation = \"r{r}\"\nperson = \"p{}\"\n\
                         from = {}\nto = {}\n",
                        p % people.len(),
                        from.format("%Y-%m-%dT%H:%M:%S"),
                        to.format("%Y-%m-%dT%H:%M:%S")
                    ));
                }
                text
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// People's feeds are copied from the rotations' feeds: each must be exactly the feed
        /// that rendering its events gives, alarms included.
        #[test]
        fn copied_person_feeds_are_the_rendered_ones(text in config()) {
            let model = crate::config::load(&text, "rotation.toml").expect("a valid config");
            let day = chrono::NaiveDate::from_ymd_opt(2027, 2, 20).unwrap();
            let period = Period::months(day, 2, chrono_tz::Europe::Berlin);
            let handovers = Handovers::of(&model, period);
            let feeds = feeds::feeds(&model, &handovers, chrono_tz::Europe::Berlin);
            let now = "2027-02-10T00:00:00Z".parse().unwrap();
            let history = History::new(&model, now, Default::default());
            let renderer = ics::Renderer::new(&model, &history);
            let marks: Vec<OnceLock<ics::Bounds>> =
                model.rotations.iter().map(|_| OnceLock::new()).collect();
            let all = &handovers.all;
            let files = publications(&feeds, &renderer, all, &marks);
            let mut written: Vec<Vec<u8>> = vec![Vec::new(); files.len()];
            for (ix, file) in files.iter().enumerate().skip(1) {
                if let Contents::Written(write) = &file.contents {
                    write(&mut written[ix]).unwrap();
                }
            }
            let rotations = model.rotations.len();
            for (ix, (file, feed)) in files.iter().zip(&feeds).enumerate().skip(1 + rotations) {
                let Contents::Assembled(assembled) = &file.contents else {
                    panic!("{} is rendered, not copied", file.name);
                };
                let sources: Vec<&[u8]> =
                    assembled.sources.iter().map(|&s| written[s].as_slice()).collect();
                let mut copied = Vec::new();
                (assembled.write)(&sources, &mut copied).unwrap();
                let mut rendered = Vec::new();
                write(&renderer, feed, all, &mut rendered).unwrap();
                prop_assert_eq!(
                    String::from_utf8(copied).unwrap(),
                    String::from_utf8(rendered).unwrap(),
                    "feed {} of\n{}", ix, text
                );
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Calendars and reminders count turns alike: the shifts that carry a turn's alarm
        /// are the first shifts of the turns reminders are sent for.
        #[test]
        fn alarms_ring_ahead_of_exactly_the_turns_reminders_are_sent_for(text in config()) {
            let model = crate::config::load(&text, "rotation.toml").expect("a valid config");
            let day = chrono::NaiveDate::from_ymd_opt(2027, 2, 20).unwrap();
            let period = Period::months(day, 2, chrono_tz::Europe::Berlin);
            let inside = |start: chrono::DateTime<chrono::Utc>| {
                start >= period.from && start < period.to
            };
            let alarmed: Vec<_> = Handovers::of(&model, period)
                .all
                .iter()
                .filter(|h| h.opens_turn && inside(h.shift.start))
                .filter_map(|h| Some((h.shift.rotation(), h.shift.start, h.shift.person?)))
                .collect();
            let mut reminded: Vec<_> = crate::remind::turns_around(&model, period)
                .iter()
                .filter(|t| inside(t.start))
                .map(|t| (t.rotation, t.start, t.person))
                .collect();
            reminded.sort();
            prop_assert_eq!(alarmed, reminded, "{}", text);
        }
    }

    #[test]
    fn a_large_previous_feed_read_in_two_halves_gives_every_event_in_order() {
        let mut feed =
            String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//rota//rota//EN\r\n");
        for i in 0..15_000 {
            feed.push_str(&format!(
                "BEGIN:VEVENT\r\nUID:{i}-r@t\r\nDTSTAMP:20261207T000000Z\r\nSEQUENCE:{}\r\n\
                 DTSTART:20261207T090000Z\r\nDTEND:20261207T170000Z\r\nSUMMARY:P{i} — r\r\n\
                 DESCRIPTION:Rotation: r\\nOn duty: P{i} and a line long enough to be fold\r\n ed \
                 over two lines of the feed\\nBefore: nobody\r\n",
                i % 5
            ));
            if i % 3 == 0 {
                feed.push_str(
                    "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:the alarm\r\nEND:VALARM\r\n",
                );
            }
            feed.push_str("END:VEVENT\r\n");
        }
        feed.push_str("END:VCALENDAR\r\n");
        assert!(
            feed.len() >= 4 << 20,
            "large enough to be split: {}",
            feed.len()
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("team.ics");
        std::fs::write(&path, &feed).unwrap();
        let split = read_previous(&path).unwrap().expect("a feed");
        let whole = revision::read_events(feed.as_bytes(), revision::Stretch::FromTheStart, 0)
            .unwrap()
            .expect("a feed");
        assert_eq!(split.len(), 15_000);
        assert!(split == whole, "the halves read as the whole does");
        assert!(
            event_start_after(&path, feed.len() as u64 / 2)
                .unwrap()
                .is_some()
        );
    }

    #[test]
    fn a_source_that_is_not_the_feed_marked_is_an_error_not_a_wrong_feed() {
        let text = "[team]\nname = \"T\"\ntimezone = \"UTC\"\nstart = 2027-03-01\n\
            [[person]]\nid = \"a\"\nname = \"A\"\n\
            [[rotation]]\nname = \"r\"\nmembers = [\"a\"]\nshift = \"09:00-17:00\"\n";
        let model = crate::config::load(text, "rotation.toml").unwrap();
        let day = chrono::NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
        let handovers = Handovers::of(&model, Period::months(day, 1, chrono_tz::UTC));
        let feeds = feeds::feeds(&model, &handovers, chrono_tz::UTC);
        let history = History::new(
            &model,
            "2027-02-10T00:00:00Z".parse().unwrap(),
            Default::default(),
        );
        let renderer = ics::Renderer::new(&model, &history);
        let marks = [OnceLock::new()];
        let files = publications(&feeds, &renderer, &handovers.all, &marks);
        let Contents::Assembled(person) = &files[2].contents else {
            panic!("the person's feed is copied");
        };
        let mut out = Vec::new();
        // Not written yet.
        assert!((person.write)(&[b"".as_slice()], &mut out).is_err());
        let Contents::Written(rotation) = &files[1].contents else {
            panic!("the rotation's feed is rendered");
        };
        let mut feed = Vec::new();
        rotation(&mut feed).unwrap();
        // Changed since: one byte short.
        assert!((person.write)(&[&feed[1..]], &mut out).is_err());
        assert!((person.write)(&[&feed], &mut out).is_ok());
    }
}
