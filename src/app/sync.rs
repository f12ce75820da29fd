//! `rota sync`: the feeds `rota export` writes, pushed to CalDAV collections, one resource per
//! event, so that each collection holds exactly its feed.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Context, Outcome, emit, export};
use crate::cli::SyncArgs;
use crate::error::{Error, Result};
use crate::feeds::{self, FeedSpec};
use crate::io::caldav::{Dav, Precondition, percent_encode};
use crate::io::delivery::warn;
use crate::io::{files, lock};
use crate::model::CaldavSettings;
use crate::plan::handover::{Handover, Handovers};
use crate::render::ics::Renderer;
use crate::revision::{self, Fnv, History, Revision};
use crate::sync::{self as plan, Action, Synced, Wanted};

pub fn run(ctx: &Context, args: &SyncArgs, out: &mut dyn Write) -> Result<Outcome> {
    let settings = ctx.model.caldav.as_ref().ok_or_else(|| {
        Error::usage(
            "there is no [caldav] table in the config",
            "add [caldav] with url = \"https://dav.acme.example/rota/\" (and username, password_env)",
        )
    })?;
    let password = password(settings)?;
    let state_path = ctx.config_relative(&settings.state);
    let _lock = take_lock(&state_path)?;
    let mut state = State::load(&state_path, &settings.url)?;

    let period = export::period(ctx, &args.period)?;
    let handovers = Handovers::of(&ctx.model, period);
    let history = History::new(&ctx.model, ctx.now, state.history())
        .with_published_changes(export::published_changes(ctx, &handovers));
    let renderer = Renderer::new(&ctx.model, &history);
    let mut feeds = feeds::feeds(&ctx.model, &handovers, ctx.display_tz);
    // Collections synced before whose rotation or person is gone: emptied, not left stale,
    // or with --prune deleted. Only those the state knows: a collection rota never wrote is
    // not rota's to touch.
    let gone: Vec<String> = state
        .collections
        .keys()
        .filter(|name| !feeds.iter().any(|f| &f.name == *name))
        .cloned()
        .collect();
    let dav = Dav::new(settings.username.as_deref(), password.as_deref());
    let mut report = Report::default();
    if args.prune {
        prune(&dav, settings, &gone, &mut state, &mut report);
    } else {
        feeds.extend(gone.iter().map(|name| feeds::emptied(&ctx.model, name)));
    }
    for feed in &feeds {
        let last = state.collections.remove(&feed.name).unwrap_or_default();
        let synced = sync_feed(
            &dav,
            settings,
            feed,
            (&renderer, &handovers.all),
            last,
            &mut report,
        );
        // An emptied collection stays in the state, so that a later `--prune` knows it.
        state.collections.insert(feed.name.clone(), synced);
    }
    state.save(&state_path)?;
    emit(out, report.summary(feeds.len(), &settings.url).as_bytes())?;
    Ok(if report.failed > 0 {
        Outcome::Problems
    } else {
        Outcome::Clean
    })
}

fn password(settings: &CaldavSettings) -> Result<Option<String>> {
    let Some(var) = &settings.password_env else {
        return Ok(None);
    };
    std::env::var(var).map(Some).map_err(|_| {
        Error::usage(
            format!("the environment variable `{var}` ([caldav] password_env) is not set"),
            format!("set {var} to the CalDAV password before running rota sync"),
        )
    })
}

/// Deletes the collections of the feeds that are `gone`, and forgets each one deleted; one
/// that cannot be deleted is reported and kept in the state, so the next run retries it.
fn prune(
    dav: &Dav,
    settings: &CaldavSettings,
    gone: &[String],
    state: &mut State,
    report: &mut Report,
) {
    for name in gone {
        let collection = format!("{}{}/", settings.url, percent_encode(name));
        match dav.delete_collection(&collection) {
            Ok(()) => {
                state.collections.remove(name);
                report.removed.push(name.clone());
            }
            Err(e) => report.fail(&format!("cannot delete the collection {collection}: {e}")),
        }
    }
}

/// One sync at a time per state file, so that two never write the same resources at once.
fn take_lock(state: &Path) -> Result<lock::RunLock> {
    match lock::acquire(&lock::path_for(state), Duration::from_secs(30)) {
        Ok(lock::Acquired::Locked(l)) => Ok(l),
        Ok(lock::Acquired::Busy) => Err(Error::failed(
            "another rota sync is still running",
            "try again when it has finished",
        )),
        Err(e) => Err(Error::failed(
            format!("cannot lock `{}`: {e}", state.display()),
            "check that the folder of [caldav] state is writable",
        )),
    }
}

/// Makes the collection of `feed` hold exactly its events; returns what it now holds, as far
/// as this run knows (a failed write keeps what the last sync recorded, so it is retried).
fn sync_feed(
    dav: &Dav,
    settings: &CaldavSettings,
    feed: &FeedSpec,
    (renderer, all): (&Renderer, &[Handover]),
    last: BTreeMap<String, Entry>,
    report: &mut Report,
) -> BTreeMap<String, Entry> {
    let collection = format!("{}{}/", settings.url, percent_encode(&feed.name));
    let wanted: Vec<(Wanted, Option<Entry>)> = feed
        .events
        .iter()
        .map(|&i| resource(&renderer.resource(&all[i], feed.alarms)))
        .collect();
    let listing = match dav.list(&collection) {
        Ok(Some(listing)) => listing,
        Ok(None) if wanted.is_empty() => return BTreeMap::new(),
        Ok(None) => match dav.make_calendar(&collection, &settings.url) {
            Ok(()) => HashMap::new(),
            Err(e) => {
                report.fail(&format!("cannot create the collection {collection}: {e}"));
                return last;
            }
        },
        Err(e) => {
            report.fail(&format!("cannot list {collection}: {e}"));
            return last;
        }
    };
    let last_synced: BTreeMap<String, Synced> = last
        .iter()
        .filter_map(|(name, e)| Some((name.clone(), e.synced()?)))
        .collect();
    let only_wanted: Vec<Wanted> = wanted.iter().map(|(w, _)| w.clone()).collect();
    let actions = plan::plan(&only_wanted, &listing, &last_synced);
    report.unchanged += wanted.len()
        - actions
            .iter()
            .filter(|a| !matches!(a, Action::Delete { .. }))
            .count();

    let mut now: BTreeMap<String, Entry> = last;
    now.retain(|name, _| wanted.iter().any(|(w, _)| &w.name == name));
    let entry_of = |name: &str| wanted.iter().find(|(w, _)| w.name == name);
    let mut missing_etag = false;
    for action in actions {
        let url = |name: &str| format!("{collection}{}", percent_encode(name));
        let name = match &action {
            Action::Create { name } | Action::Update { name, .. } | Action::Delete { name, .. } => {
                name.clone()
            }
        };
        let result = match &action {
            Action::Create { name } | Action::Update { name, .. } => {
                let (w, entry) = entry_of(name).expect("a planned write is wanted");
                let precondition = match &action {
                    Action::Update { etag, .. } => Precondition::Matches(etag),
                    _ => Precondition::Absent,
                };
                dav.put(&url(name), &w.body, precondition).map(|etag| {
                    let mut entry = entry.clone().unwrap_or_default();
                    entry.digest = format!("{:016x}", w.digest);
                    missing_etag |= etag.is_none();
                    entry.etag = etag.unwrap_or_default();
                    now.insert(name.clone(), entry);
                })
            }
            Action::Delete { name, etag, .. } => dav.delete(&url(name), etag).map(|()| {
                now.remove(name);
            }),
        };
        match (result, &action) {
            (Err(e), _) => report.fail(&format!("cannot write {}: {e}", url(&name))),
            (Ok(()), Action::Create { .. }) => report.created += 1,
            (
                Ok(()),
                Action::Update {
                    changed_on_server, ..
                },
            ) => {
                report.updated += 1;
                if *changed_on_server {
                    warn(&format!(
                        "{}/{name} was changed on the server since the last sync; overwritten with the feed",
                        feed.name
                    ));
                }
            }
            (
                Ok(()),
                Action::Delete {
                    changed_on_server, ..
                },
            ) => {
                report.deleted += 1;
                if *changed_on_server {
                    warn(&format!(
                        "{}/{name} is not in the feed and was not written by the last sync; deleted",
                        feed.name
                    ));
                }
            }
        }
    }
    if missing_etag {
        // The server did not say the new ETags: read them, or the next run rewrites all.
        if let Ok(Some(listing)) = dav.list(&collection) {
            for (name, entry) in now.iter_mut().filter(|(_, e)| e.etag.is_empty()) {
                entry.etag = listing.get(name).cloned().unwrap_or_default();
            }
        }
    }
    now
}

/// A resource of one event: its name (`<uid>.ics`), its bytes, and the state entry that
/// records its revision.
fn resource(body: &str) -> (Wanted, Option<Entry>) {
    // Read back as the next sync will read the state: the event's UID and revision.
    let parsed = revision::read_feed(body).unwrap_or_default();
    let (uid, previous) = match parsed.into_iter().next() {
        Some((uid, previous)) => (uid, Some(previous)),
        None => (String::new(), None),
    };
    let wanted = Wanted {
        name: format!("{uid}.ics"),
        body: body.to_string(),
        digest: Fnv::of(body.as_bytes()),
    };
    let entry = previous.map(|previous| Entry {
        uid,
        sequence: previous.revision.sequence,
        stamp: previous.revision.stamp.timestamp(),
        content: format!("{:016x}", previous.fingerprint),
        ..Entry::default()
    });
    (wanted, entry)
}

#[derive(Debug, Default)]
struct Report {
    created: usize,
    updated: usize,
    deleted: usize,
    unchanged: usize,
    failed: usize,
    /// The collections `--prune` deleted, by feed name.
    removed: Vec<String>,
}

impl Report {
    fn fail(&mut self, message: &str) {
        self.failed += 1;
        warn(message);
    }

    fn summary(&self, feeds: usize, url: &str) -> String {
        let mut text = format!(
            "synced {feeds} feeds to {url}: {} created, {} updated, {} deleted, {} unchanged\n",
            self.created, self.updated, self.deleted, self.unchanged
        );
        if !self.removed.is_empty() {
            text.push_str(&format!(
                "removed the collections of rotations and people no longer on the rota: {}\n",
                self.removed.join(", ")
            ));
        }
        if self.failed > 0 {
            text.push_str(&format!(
                "{} writes failed; the next run retries them\n",
                self.failed
            ));
        }
        text
    }
}

/// What the last sync put on the server, kept in `[caldav] state` (JSON): per collection
/// (feed name) and resource, its ETag and digest, and the event's revision, from which the
/// next sync tells what changed.
#[derive(Debug, Default, Serialize, Deserialize)]
struct State {
    version: u32,
    url: String,
    collections: BTreeMap<String, BTreeMap<String, Entry>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Entry {
    uid: String,
    etag: String,
    /// FNV-1a of the resource's bytes, hex.
    digest: String,
    sequence: u32,
    /// DTSTAMP, in seconds since 1970.
    stamp: i64,
    /// The fingerprint of the event's content (`revision::fingerprint`), hex.
    content: String,
}

impl Entry {
    fn synced(&self) -> Option<Synced> {
        Some(Synced {
            etag: self.etag.clone(),
            digest: u64::from_str_radix(&self.digest, 16).ok()?,
        })
    }
}

impl State {
    /// The state of the last sync to `url`; a state of another URL starts afresh.
    fn load(path: &Path, url: &str) -> Result<State> {
        let fresh = State {
            version: 1,
            url: url.to_string(),
            collections: BTreeMap::new(),
        };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(fresh),
            Err(e) => return Err(unreadable(path, &e.to_string())),
        };
        let state: State =
            serde_json::from_str(&text).map_err(|e| unreadable(path, &e.to_string()))?;
        Ok(if state.url == url { state } else { fresh })
    }

    fn save(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).unwrap_or_default();
        files::write_atomic(path, text.as_bytes()).map_err(|e| {
            Error::failed(
                format!("cannot write `{}`: {e}", path.display()),
                "check that the folder of [caldav] state is writable; the next sync rewrites what it cannot match",
            )
        })
    }

    /// The events synced before, by UID, for their revisions.
    fn history(&self) -> revision::Events {
        self.collections
            .values()
            .flat_map(|c| c.values())
            .filter_map(|entry| {
                let fingerprint = u64::from_str_radix(&entry.content, 16).ok()?;
                let stamp = DateTime::<Utc>::from_timestamp(entry.stamp, 0)?;
                let previous = revision::Previous {
                    revision: Revision {
                        sequence: entry.sequence,
                        stamp,
                    },
                    fingerprint,
                };
                Some((revision::UidKey::of(&entry.uid), previous))
            })
            .collect()
    }
}

fn unreadable(path: &Path, why: &str) -> Error {
    Error::failed(
        format!("cannot read the sync state `{}`: {why}", path.display()),
        format!(
            "move it away to start afresh (the next sync then rewrites every event once): mv {} {}",
            path.display(),
            PathBuf::from(format!("{}.bad", path.display())).display()
        ),
    )
}
