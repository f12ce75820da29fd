//! The text of `rotation.lock`: one line per published turn, meant for review in git.
//!
//! ```text
//! # rotation.lock: the published rota, written by `rota publish`. Commit it with the config.
//! rota-lock 2
//! through 2027-01-31
//! turn 2026-12-01-support-hero 2026-12-07 ana 3f0c2a9b
//! turn 2026-12-08-support-hero 2026-12-14 (none) 0d94e711
//! override 2026-12-01-support-hero 2026-12-03T09:00:00+01:00 2026-12-04T00:00:00+01:00 sarah
//! queue support-hero mehmet sarah ana
//! ```
//!
//! `turn SLOT LAST PERSON DIGEST`: the turn's first slot (`DATE-ROTATION`, the one slot text of
//! [`crate::slot::SlotId`]), its last calendar day, and its person's id, or `(none)` when nobody
//! was free; then, in eight hex digits, what its shifts were when published
//! ([`super::digest::of`]), which locks written by older versions of rota leave out.
//! Turns are sorted by slot, so each publication adds lines at the end.
//! `override SLOT FROM TO PERSON`: an override in effect on the published turn starting at SLOT
//! when it was published (RFC 3339 times), sorted by slot and start after the turns; what the
//! team was told, for `rota diff`. Version 1 locks have none and read as before.
//! `queue ROTATION PEOPLE...`: who waits for the rotation's next unpublished turn, the next
//! first. Names and ids are written with [`crate::slot::escape`], so they hold no spaces.
//! Blank lines and lines starting with `#` are ignored.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, SecondsFormat};
use rustc_hash::FxHashMap;

use super::{Lock, LockProblem, LockedOverride, LockedQueue, LockedTurn};
use crate::slot::{self, SlotId};
use crate::timefmt;

/// The format version this rota writes: 2 added `override` lines.
pub const VERSION: u32 = 2;

/// The versions it reads: a version 1 lock is a version 2 lock without `override` lines.
const READS: [u32; 2] = [1, 2];

/// What a person-less turn is written as; [`slot::escape`] never writes parentheses.
const NOBODY: &str = "(none)";

const HEADER: &str = "# rotation.lock: the published rota, written by `rota publish`; commit it with the config.\n\
# turn FIRST-SLOT LAST-DAY PERSON DIGEST: a published turn (PERSON (none): nobody was free;\n\
#   DIGEST: its shifts' times and holders when published, for calendar revisions).\n\
# override FIRST-SLOT FROM TO PERSON: an [[override]] in effect on that turn when it was published.\n\
# queue ROTATION PEOPLE...: who is next for the turns after the published ones.\n";

const RESTORE: &str = "the lock is written by `rota publish`; restore it from git (`git checkout -- rotation.lock`), or fix this line";
const MERGED: &str = "keep one side's lock (`git checkout --ours -- rotation.lock`, or `--theirs`), then run `rota publish` again to publish what the other side had";

/// The lock's text: deterministic, turns sorted by slot, queues by rotation.
pub fn render<'t>(lock: &'t Lock) -> String {
    let mut out = String::from(HEADER);
    out.push_str(&format!("rota-lock {VERSION}\n"));
    if let Some(through) = lock.through {
        out.push_str(&format!("through {through}\n"));
    }
    let turns = super::in_order(&lock.turns);
    out.reserve(turns.len() * 48);
    // Each rotation's slot text escaped once, for its many turns.
    let mut escaped: FxHashMap<&str, String> = FxHashMap::default();
    let mut push_slot = |out: &mut String, t: &'t LockedTurn| {
        let rotation = escaped
            .entry(t.slot.rotation.as_str())
            .or_insert_with(|| slot::escape(&t.slot.rotation));
        slot::push_text(out, t.slot.date, rotation);
    };
    for &t in &turns {
        out.push_str("turn ");
        push_slot(&mut out, t);
        let _ = write!(out, " {} ", t.last);
        match &t.person {
            Some(p) => slot::push_escaped(&mut out, p),
            None => out.push_str(NOBODY),
        }
        if let Some(digest) = t.digest {
            let _ = write!(out, " {digest:08x}");
        }
        out.push('\n');
    }
    for &t in &turns {
        for o in &t.overrides {
            out.push_str("override ");
            push_slot(&mut out, t);
            let _ = write!(
                out,
                " {} {} ",
                o.from.to_rfc3339_opts(SecondsFormat::AutoSi, false),
                o.to.to_rfc3339_opts(SecondsFormat::AutoSi, false),
            );
            slot::push_escaped(&mut out, &o.person);
            out.push('\n');
        }
    }
    for (rotation, queue) in &lock.queues {
        out.push_str("queue ");
        out.push_str(&slot::escape(rotation));
        for p in &queue.people {
            out.push(' ');
            out.push_str(&slot::escape(p));
        }
        out.push('\n');
    }
    out
}

/// Reads a lock; every line that cannot be read is a problem, with its line number.
pub fn parse(text: &str) -> Result<Lock, Vec<LockProblem>> {
    let mut lock = Lock::default();
    // Nearly every line of a long lock is a turn: sized once rather than grown by doubling
    // (a published year of a large organisation is 400,000 turns).
    lock.turns
        .reserve(text.bytes().filter(|&b| b == b'\n').count());
    let mut problems = Vec::new();
    let mut version_seen = false;
    let mut overrides: Vec<(SlotId, LockedOverride)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let content = raw.trim();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        // What git leaves in a file both sides of a merge changed: two sides' turns, which
        // only publishing again can make one.
        if ["<<<<<<<", "=======", ">>>>>>>", "|||||||"]
            .iter()
            .any(|marker| content.starts_with(marker))
        {
            problems.push(LockProblem {
                line,
                message: "a merge conflict marker: the lock was merged with a conflict".into(),
                help: MERGED.into(),
            });
            continue;
        }
        let fields: Vec<&str> = content.split_whitespace().collect();
        if !version_seen {
            if let Err((message, help)) = version(&fields) {
                problems.push(LockProblem {
                    line,
                    message,
                    help: help.to_string(),
                });
                return Err(problems);
            }
            version_seen = true;
            continue;
        }
        let read = match fields.as_slice() {
            ["through", date] => match date.parse::<NaiveDate>() {
                Ok(d) if lock.through.is_none() => {
                    lock.through = Some(d);
                    Ok(())
                }
                Ok(_) => Err("a second `through` line".to_string()),
                Err(_) => Err(format!("`{date}` is not a date (YYYY-MM-DD)")),
            },
            ["turn", slot, last, person, digest @ ..] if digest.len() <= 1 => {
                turn_line(slot, last, person, digest.first().copied(), line)
                    .map(|turn| lock.turns.push(turn))
            }
            ["turn", ..] => Err(TURN_LINE.to_string()),
            ["override", slot, from, to, person] => {
                override_line(slot, from, to, person, line).map(|o| overrides.push(o))
            }
            ["override", ..] => Err(OVERRIDE_LINE.to_string()),
            ["queue", rotation, people @ ..] => {
                queue_line(rotation, people, line).and_then(|(rotation, queue)| {
                    if lock.queues.contains_key(&rotation) {
                        return Err(format!("a second queue for `{rotation}`"));
                    }
                    lock.queues.insert(rotation, queue);
                    Ok(())
                })
            }
            [word, ..] => Err(format!(
                "`{word}` starts no line a lock has (`through`, `turn`, `override` or `queue`)"
            )),
            [] => Ok(()),
        };
        if let Err(message) = read {
            problems.push(LockProblem {
                line,
                message,
                help: RESTORE.into(),
            });
        }
    }
    if !version_seen {
        problems.push(LockProblem {
            line: 1,
            message: format!("the lock is empty: it has no `rota-lock {VERSION}` line"),
            help: "delete the file to start without published turns, or restore it from git".into(),
        });
    }
    attach(&mut lock, overrides, &mut problems);
    if lock.through.is_none() && problems.is_empty() {
        problems.push(LockProblem {
            line: text.lines().count().max(1),
            message: "the lock has no `through DATE` line".into(),
            help: RESTORE.into(),
        });
    }
    if problems.is_empty() {
        Ok(lock)
    } else {
        Err(problems)
    }
}

const TURN_LINE: &str = "a turn line is `turn FIRST-SLOT LAST-DAY PERSON DIGEST`, \
    e.g. `turn 2026-12-01-support-hero 2026-12-07 ana 3f0c2a9b`";
const OVERRIDE_LINE: &str = "an override line is `override FIRST-SLOT FROM TO PERSON`, \
    e.g. `override 2026-12-07-support-hero 2026-12-09T13:00:00+01:00 2026-12-09T17:00:00+01:00 eve`";

/// The first line, `rota-lock VERSION`: a version this rota reads, or what is wrong and the fix.
fn version(fields: &[&str]) -> Result<(), (String, &'static str)> {
    match fields {
        ["rota-lock", v] if v.parse().is_ok_and(|v| READS.contains(&v)) => Ok(()),
        ["rota-lock", v] => Err((
            format!(
                "the lock has format version {v}, which this rota does not read \
                 (it reads versions 1 to {VERSION})"
            ),
            "use the rota version that wrote it, or restore the lock from git",
        )),
        _ => Err((
            format!("a lock starts with the line `rota-lock {VERSION}`"),
            RESTORE,
        )),
    }
}

/// `turn FIRST-SLOT LAST-DAY PERSON [DIGEST]`, or what is wrong with it.
fn turn_line(
    slot: &str,
    last: &str,
    person: &str,
    digest: Option<&str>,
    line: usize,
) -> Result<LockedTurn, String> {
    let slot = slot.parse::<SlotId>().map_err(|e| e.to_string())?;
    let last =
        timefmt::parse_date(last).ok_or_else(|| format!("`{last}` is not a date (YYYY-MM-DD)"))?;
    if last < slot.date {
        return Err(format!(
            "the turn ends on {last}, before its first slot {}",
            slot.date
        ));
    }
    let person = match person {
        NOBODY => None,
        id => Some(person_id(id)?),
    };
    let digest = digest
        .map(|hex| match u32::from_str_radix(hex, 16) {
            Ok(d) if hex.len() == 8 => Ok(d),
            _ => Err(format!("`{hex}` is not a turn's digest (eight hex digits)")),
        })
        .transpose()?;
    Ok(LockedTurn {
        slot,
        last,
        person,
        digest,
        overrides: Vec::new(),
        line,
    })
}

/// `override FIRST-SLOT FROM TO PERSON`, or what is wrong with it.
fn override_line(
    slot: &str,
    from: &str,
    to: &str,
    person: &str,
    line: usize,
) -> Result<(SlotId, LockedOverride), String> {
    let slot = slot.parse::<SlotId>().map_err(|e| e.to_string())?;
    let (Ok(from_at), Ok(to_at)) = (
        DateTime::parse_from_rfc3339(from),
        DateTime::parse_from_rfc3339(to),
    ) else {
        return Err(format!(
            "`{from} {to}` are not two RFC 3339 times, \
             e.g. `2026-12-09T13:00:00+01:00 2026-12-09T17:00:00+01:00`"
        ));
    };
    if to_at <= from_at {
        return Err(format!(
            "the override ends at {to}, not after its start {from}"
        ));
    }
    let person = person_id(person)?;
    let locked = LockedOverride {
        from: from_at,
        to: to_at,
        person,
        line,
    };
    Ok((slot, locked))
}

/// `queue ROTATION PEOPLE...`, or what is wrong with it.
fn queue_line(
    rotation: &str,
    people: &[&str],
    line: usize,
) -> Result<(String, LockedQueue), String> {
    let names: Option<Vec<String>> = std::iter::once(&rotation)
        .chain(people)
        .map(|t| slot::unescape(t))
        .collect();
    let Some(mut names) = names else {
        return Err("a name in this queue is not written as the lock writes them".into());
    };
    let rotation = names.remove(0);
    Ok((
        rotation,
        LockedQueue {
            people: names,
            line,
        },
    ))
}

/// A person's id as the lock writes it (escaped), or what is wrong with it.
fn person_id(text: &str) -> Result<String, String> {
    slot::unescape(text)
        .ok_or_else(|| format!("`{text}` is not a person id as the lock writes them"))
}

/// Each override line given to the turn it names; one naming no turn of the lock, or
/// overlapping another of its turn, is a problem.
fn attach(
    lock: &mut Lock,
    overrides: Vec<(SlotId, LockedOverride)>,
    problems: &mut Vec<LockProblem>,
) {
    if overrides.is_empty() {
        return;
    }
    // Indexed by the overrides' slots, which are few, rather than by every turn's.
    let mut wanted: FxHashMap<&SlotId, Option<usize>> =
        overrides.iter().map(|(slot, _)| (slot, None)).collect();
    for (i, t) in lock.turns.iter().enumerate() {
        if let Some(turn) = wanted.get_mut(&t.slot) {
            *turn = Some(i);
        }
    }
    let mut placed: Vec<(usize, LockedOverride)> = Vec::with_capacity(overrides.len());
    for (slot, o) in &overrides {
        match wanted.get(slot).copied().flatten() {
            Some(i) => placed.push((i, o.clone())),
            None => problems.push(LockProblem {
                line: o.line,
                message: format!(
                    "this override belongs to the turn `{slot}`, which the lock has no `turn` line for"
                ),
                help: RESTORE.into(),
            }),
        }
    }
    for (i, o) in placed {
        lock.turns[i].overrides.push(o);
    }
    for t in &mut lock.turns {
        t.overrides.sort_by_key(|o| o.from);
        for pair in t.overrides.windows(2) {
            if pair[1].from < pair[0].to {
                problems.push(LockProblem {
                    line: pair[1].line,
                    message: format!(
                        "this override overlaps the one on line {} of the same turn",
                        pair[0].line
                    ),
                    help: RESTORE.into(),
                });
            }
        }
    }
    problems.sort_by_key(|p| p.line);
}

/// The queues of `lock` by rotation name, for building one from planned queues.
pub fn queues(
    entries: impl IntoIterator<Item = (String, Vec<String>)>,
) -> BTreeMap<String, LockedQueue> {
    entries
        .into_iter()
        .map(|(rotation, people)| (rotation, LockedQueue { people, line: 0 }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_reads_back_from_its_text_byte_for_byte() {
        let text = "# rotation.lock: the published rota, written by `rota publish`; commit it with the config.\n\
# turn FIRST-SLOT LAST-DAY PERSON DIGEST: a published turn (PERSON (none): nobody was free;\n\
#   DIGEST: its shifts' times and holders when published, for calendar revisions).\n\
# override FIRST-SLOT FROM TO PERSON: an [[override]] in effect on that turn when it was published.\n\
# queue ROTATION PEOPLE...: who is next for the turns after the published ones.\n\
rota-lock 2\nthrough 2026-12-31\n\
turn 2026-12-01-support-hero 2026-12-07 ana 3f0c2a9b\n\
turn 2026-12-08-%C3%A9quipe 2026-12-08 (none)\n\
turn 2026-12-08-support-hero 2026-12-14 mehmet\n\
override 2026-12-01-support-hero 2026-12-02T13:00:00+01:00 2026-12-02T17:00:00+01:00 sarah\n\
override 2026-12-01-support-hero 2026-12-05T00:00:00+01:00 2026-12-06T00:00:00+01:00 ana\n\
queue support-hero sarah ana mehmet\n";
        let lock = parse(text).unwrap();
        assert_eq!(lock.turns.len(), 3);
        assert_eq!(lock.turns[1].slot.rotation, "équipe");
        assert_eq!(lock.turns[1].person, None);
        assert_eq!(lock.turns[0].digest, Some(0x3f0c_2a9b));
        assert_eq!(lock.turns[1].digest, None, "written before digests were");
        assert_eq!(lock.turns[0].overrides.len(), 2);
        assert_eq!(lock.turns[0].overrides[0].person, "sarah");
        assert_eq!(lock.turns[0].overrides[0].line, 11);
        assert_eq!(render(&lock), text);
    }

    #[test]
    fn a_version_1_lock_reads_as_one_without_overrides() {
        let lock = parse("rota-lock 1\nthrough 2026-12-31\nturn 2026-12-01-duty 2026-12-07 ana\n")
            .unwrap();
        assert_eq!(lock.turns.len(), 1);
        assert!(lock.turns[0].overrides.is_empty());
    }

    #[test]
    fn an_override_line_of_no_turn_or_overlapping_another_is_named_with_its_number() {
        let head = "rota-lock 2\nthrough 2026-12-31\nturn 2026-12-01-duty 2026-12-07 ana\n";
        let problems = parse(&format!(
            "{head}override 2026-12-08-duty 2026-12-08T09:00:00+01:00 2026-12-08T17:00:00+01:00 bo\n"
        ))
        .unwrap_err();
        assert_eq!(problems[0].line, 4);
        assert!(
            problems[0].message.contains("`2026-12-08-duty`"),
            "{problems:?}"
        );
        let problems = parse(&format!(
            "{head}override 2026-12-01-duty 2026-12-02T09:00:00+01:00 2026-12-02T17:00:00+01:00 bo\n\
override 2026-12-01-duty 2026-12-02T12:00:00+01:00 2026-12-02T18:00:00+01:00 cy\n"
        ))
        .unwrap_err();
        assert_eq!(problems[0].line, 5);
        assert!(problems[0].message.contains("line 4"), "{problems:?}");
        for bad in [
            "override 2026-12-01-duty 2026-12-02 2026-12-03 bo",
            "override 2026-12-01-duty 2026-12-02T17:00:00+01:00 2026-12-02T09:00:00+01:00 bo",
            "override 2026-12-01-duty bo",
        ] {
            let problems = parse(&format!("{head}{bad}\n")).unwrap_err();
            assert_eq!(problems[0].line, 4, "{bad}: {problems:?}");
        }
    }

    #[test]
    fn a_bad_line_is_named_with_its_number() {
        let problems =
            parse("rota-lock 1\nthrough 2026-12-31\nturn 2026-12-01-x 2026-11-30 ana\nturm x\n")
                .unwrap_err();
        let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [3, 4]);
        assert!(problems[1].message.contains("`turm`"));
        let problems = parse("rota-lock 9\n").unwrap_err();
        assert!(problems[0].message.contains("version 9"));
        assert!(parse("").is_err());
    }
}
