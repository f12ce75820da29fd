//! A month is published, then the roster is edited the ways real teams edit it (a hire, a
//! leaver, a reorder, a new away week, a changed shift window, a changed `turn`), one at a
//! time and all at once. Every expectation (the plan, what `check` flags, what `diff` lists)
//! is computed here, independently of rota, from the contract's rules: published turns keep
//! their person; the unpublished future is handed round a queue of the members ordered by how
//! long ago they last held a published turn (new members at the end in config order, removed
//! ones gone), in turn blocks counted from the day after the last published turn, skipping
//! whoever is away. A member who was in the rotation when it was published but holds none of
//! its published turns has waited longest of all: they come first (the fair reading, and the
//! one rota documents), in the order they had.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command as Process;

use chrono::{Datelike, NaiveDate, TimeDelta};

use crate::support::Project;

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

const START: &str = "2026-12-07";
/// The plan compared: from the team's start to the end of January (exclusive).
const END: &str = "2027-02-01";
/// `rota publish --month 2026-12`.
const PUBLISHED_THROUGH: &str = "2026-12-31";

#[derive(Clone)]
struct Rotation {
    name: &'static str,
    members: Vec<&'static str>,
    weekdays_only: bool,
    except: Vec<&'static str>,
    shift: &'static str,
    turn_days: i64,
}

#[derive(Clone)]
struct Roster {
    /// Person ids with their away days (everyone in the team's zone).
    people: Vec<(&'static str, Vec<NaiveDate>)>,
    rotations: Vec<Rotation>,
}

impl Roster {
    fn toml(&self) -> String {
        let mut text = format!(
            "[team]\nname = \"Scenario\"\ntimezone = \"Europe/Berlin\"\nstart = {START}\n\n"
        );
        for (id, away) in &self.people {
            let away: Vec<String> = away.iter().map(|d| format!("\"{d}\"")).collect();
            text.push_str(&format!(
                "[[person]]\nid = \"{id}\"\nname = \"{}\"\nemail = \"{id}@example.com\"\naway = [{}]\n\n",
                id.to_uppercase(),
                away.join(", ")
            ));
        }
        for r in &self.rotations {
            let quoted = |list: &[&str]| -> String {
                list.iter()
                    .map(|m| format!("\"{m}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let turn = if r.turn_days == 1 {
                "day".to_string()
            } else if r.turn_days == 7 {
                "week".to_string()
            } else {
                format!("{} days", r.turn_days)
            };
            text.push_str(&format!(
                "[[rotation]]\nname = \"{}\"\nmembers = [{}]\ndays = \"{}\"\nshift = \"{}\"\nturn = \"{turn}\"\nexcept = [{}]\n\n",
                r.name,
                quoted(&r.members),
                if r.weekdays_only { "mon-fri" } else { "daily" },
                r.shift,
                quoted(&r.except)
            ));
        }
        text
    }

    fn rotation(&self, name: &str) -> &Rotation {
        self.rotations.iter().find(|r| r.name == name).unwrap()
    }

    fn has_person(&self, id: &str) -> bool {
        self.people.iter().any(|(p, _)| *p == id)
    }

    fn away(&self, id: &str, day: NaiveDate) -> bool {
        self.people
            .iter()
            .any(|(p, away)| *p == id && away.contains(&day))
    }
}

impl Rotation {
    fn has_shift(&self, day: NaiveDate) -> bool {
        (!self.weekdays_only || day.weekday().num_days_from_monday() < 5)
            && !self.except.iter().any(|e| date(e) == day)
    }
}

/// One published turn: its rotation, first shift date, last calendar day, person.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Turn {
    rotation: String,
    first: NaiveDate,
    last: NaiveDate,
    person: Option<String>,
}

/// Who holds each `(rotation, slot date)` before `END`.
type Plan = BTreeMap<(String, NaiveDate), Option<String>>;

/// The contract's plan of `roster` given the `published` turns (published from `was`), and
/// the turns it hands out (the ones a publication through `publish_through` would record).
fn simulate(
    roster: &Roster,
    was: &Roster,
    published: &[Turn],
    publish_through: NaiveDate,
) -> (Plan, Vec<Turn>) {
    let end = date(END);
    let mut plan = Plan::new();
    let mut handed = Vec::new();
    for r in &roster.rotations {
        let locked: Vec<&Turn> = published.iter().filter(|t| t.rotation == r.name).collect();
        let (mut from, mut queue): (NaiveDate, Vec<&str>) = match locked.last() {
            None => (date(START), r.members.clone()),
            Some(last) => {
                for t in &locked {
                    for day in t.first.iter_days().take_while(|d| *d <= t.last) {
                        if r.has_shift(day) && day < end {
                            let person = t.person.clone().filter(|p| roster.has_person(p));
                            plan.insert((r.name.to_string(), day), person);
                        }
                    }
                }
                // Those who were members but never held a published turn, in their order then;
                // then longest since their last published turn first; new members at the
                // end, in config order.
                let last_held = |m: &str| {
                    locked
                        .iter()
                        .filter(|t| t.person.as_deref() == Some(m))
                        .map(|t| t.first)
                        .max()
                };
                let old_members = &was.rotation(r.name).members;
                let waiting = old_members
                    .iter()
                    .copied()
                    .filter(|m| r.members.contains(m) && last_held(m).is_none());
                let mut held: Vec<&str> = r
                    .members
                    .iter()
                    .copied()
                    .filter(|m| last_held(m).is_some())
                    .collect();
                held.sort_by_key(|m| last_held(m));
                let new = r
                    .members
                    .iter()
                    .copied()
                    .filter(|m| last_held(m).is_none() && !old_members.contains(m));
                let queue = waiting.chain(held).chain(new).collect();
                (last.last + TimeDelta::days(1), queue)
            }
        };
        while from < end {
            let last = from + TimeDelta::days(r.turn_days - 1);
            let days: Vec<NaiveDate> = from
                .iter_days()
                .take_while(|d| *d <= last)
                .filter(|d| r.has_shift(*d))
                .collect();
            if let Some(&first) = days.first() {
                let free = queue
                    .iter()
                    .position(|m| days.iter().all(|d| !roster.away(m, *d)));
                let person = free.map(|i| {
                    let m = queue.remove(i);
                    queue.push(m);
                    m.to_string()
                });
                for d in days.iter().filter(|d| **d < end) {
                    plan.insert((r.name.to_string(), *d), person.clone());
                }
                if first <= publish_through {
                    handed.push(Turn {
                        rotation: r.name.to_string(),
                        first,
                        last,
                        person,
                    });
                }
            }
            from = last + TimeDelta::days(1);
        }
    }
    handed.sort();
    (plan, handed)
}

/// The published turns that `roster` can no longer serve: their person is not a member any
/// more, or is away on one of their shift days.
fn unservable(roster: &Roster, published: &[Turn]) -> BTreeSet<(String, NaiveDate)> {
    published
        .iter()
        .filter(|t| {
            let r = roster.rotation(&t.rotation);
            let Some(person) = t.person.as_deref() else {
                return false;
            };
            let days: Vec<NaiveDate> = t
                .first
                .iter_days()
                .take_while(|d| *d <= t.last)
                .filter(|d| r.has_shift(*d) && *d < date(END))
                .collect();
            !days.is_empty()
                && (!r.members.contains(&person) || days.iter().any(|d| roster.away(person, *d)))
        })
        .map(|t| (t.rotation.clone(), t.first))
        .collect()
}

/// `(rotation, slot, before, after)` for every slot whose person differs.
fn changes(before: &Plan, after: &Plan) -> BTreeSet<(String, String, String, String)> {
    let slots: BTreeSet<&(String, NaiveDate)> = before.keys().chain(after.keys()).collect();
    slots
        .into_iter()
        .filter_map(|slot| {
            let (b, a) = (
                before.get(slot).cloned().flatten(),
                after.get(slot).cloned().flatten(),
            );
            (b != a || before.contains_key(slot) != after.contains_key(slot)).then(|| {
                (
                    slot.0.clone(),
                    slot.1.to_string(),
                    b.unwrap_or("-".into()),
                    a.unwrap_or("-".into()),
                )
            })
        })
        .collect()
}

fn original() -> Roster {
    Roster {
        people: ["ana", "bo", "cy", "dan", "eve"]
            .into_iter()
            .map(|id| (id, Vec::new()))
            .collect(),
        rotations: vec![
            Rotation {
                name: "duty",
                members: vec!["ana", "bo", "cy", "dan", "eve"],
                weekdays_only: true,
                except: vec!["2026-12-25", "2027-01-01"],
                shift: "09:00-17:00",
                turn_days: 1,
            },
            Rotation {
                name: "ops",
                // Four weeks of December for five: Eve holds no published turn.
                members: vec!["dan", "cy", "bo", "ana", "eve"],
                weekdays_only: false,
                except: vec![],
                shift: "18:00-23:00",
                turn_days: 7,
            },
        ],
    }
}

fn rotation_mut<'r>(roster: &'r mut Roster, name: &str) -> &'r mut Rotation {
    roster
        .rotations
        .iter_mut()
        .find(|r| r.name == name)
        .unwrap()
}

fn hire(roster: &mut Roster) {
    roster.people.push(("fay", Vec::new()));
    // In the middle of the config's order: she still joins the end of the queue.
    rotation_mut(roster, "duty").members.insert(1, "fay");
    rotation_mut(roster, "ops").members.insert(0, "fay");
}

fn leaver(roster: &mut Roster) {
    roster.people.retain(|(id, _)| *id != "bo");
    for r in &mut roster.rotations {
        r.members.retain(|m| *m != "bo");
    }
}

fn moved_team(roster: &mut Roster) {
    // Still in the config (another team's rotation, say), no longer in ours.
    rotation_mut(roster, "ops").members.retain(|m| *m != "dan");
}

fn reorder(roster: &mut Roster) {
    rotation_mut(roster, "duty").members.reverse();
    rotation_mut(roster, "ops").members.rotate_left(1);
}

fn away_week(roster: &mut Roster) {
    // Over the holidays: the end of the published month and the start of the next.
    let week: Vec<NaiveDate> = date("2026-12-28").iter_days().take(12).collect();
    roster
        .people
        .iter_mut()
        .find(|(id, _)| *id == "cy")
        .unwrap()
        .1 = week;
}

fn new_window(roster: &mut Roster) {
    rotation_mut(roster, "duty").shift = "10:00-18:00";
}

fn new_turn(roster: &mut Roster) {
    rotation_mut(roster, "ops").turn_days = 3;
}

fn git(p: &Project, args: &[&str]) {
    let out = Process::new("git")
        .args(["-c", "user.name=Lead", "-c", "user.email=lead@example.com"])
        .args(args)
        .current_dir(p.path())
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

/// Who rota plans on each `(rotation, slot date)`, and each slot's local start time.
fn rota_plan(p: &Project) -> (Plan, BTreeMap<(String, NaiveDate), String>) {
    let json = p.json(&["plan", "--from", START, "--to", END, "--format", "json"]);
    let mut plan = Plan::new();
    let mut times = BTreeMap::new();
    for s in json["shifts"].as_array().unwrap() {
        let start = s["start"].as_str().unwrap();
        let key = (
            s["rotation"].as_str().unwrap().to_string(),
            date(&start[..10]),
        );
        plan.insert(key.clone(), s["person"].as_str().map(str::to_owned));
        times.insert(key, start[11..16].to_string());
    }
    (plan, times)
}

fn rota_unserved(p: &Project) -> (BTreeSet<(String, NaiveDate)>, Vec<String>) {
    let out = p
        .rota()
        .args(["check", "--from", START, "--to", END, "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut unserved = BTreeSet::new();
    let mut other_errors = Vec::new();
    for c in json["conflicts"].as_array().unwrap() {
        if c["severity"] != "error" {
            continue;
        }
        if c["kind"] == "published-turn-unserved" {
            unserved.insert((
                c["rotations"][0].as_str().unwrap().to_string(),
                date(&c["start"].as_str().unwrap()[..10]),
            ));
        } else {
            other_errors.push(c.to_string());
        }
    }
    let expected_code = if unserved.is_empty() && other_errors.is_empty() {
        0
    } else {
        1
    };
    assert_eq!(out.status.code(), Some(expected_code), "{json}");
    (unserved, other_errors)
}

fn rota_diff(p: &Project, against: Option<&str>) -> BTreeSet<(String, String, String, String)> {
    let mut args = vec!["diff", "--from", START, "--to", END, "--format", "json"];
    if let Some(against) = against {
        args.extend(["--against", against]);
    }
    let json = p.json(&args);
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("-").to_string();
    let listed: Vec<(String, String, String, String)> = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                text(&c["rotation"]),
                text(&c["slot"]),
                text(&c["before"]),
                text(&c["after"]),
            )
        })
        .collect();
    let set: BTreeSet<_> = listed.iter().cloned().collect();
    assert_eq!(set.len(), listed.len(), "a slot listed twice: {listed:?}");
    set
}

/// How much a scenario found, so each test can say its edit was not a no-op.
#[derive(Debug)]
struct Found {
    unserved: usize,
    changed_since_publishing: usize,
    changed_since_commit: usize,
}

/// Publishes December for the original roster, applies `edit`, and holds rota to the
/// independently computed plan, check and diffs.
fn scenario(name: &str, edit: impl Fn(&mut Roster)) -> Found {
    let before = original();
    let p = Project::new(&before.toml());
    git(&p, &["init", "-q"]);
    p.run(&["publish", "--month", "2026-12"], 0);
    git(&p, &["add", "."]);
    git(&p, &["commit", "-q", "-m", "December"]);

    // The lock holds exactly the turns the contract hands out through December.
    let (planned_before, published) = simulate(&before, &before, &[], date(PUBLISHED_THROUGH));
    let lock = std::fs::read_to_string(p.file("rotation.lock")).unwrap();
    let mut locked: Vec<Turn> = lock
        .lines()
        .filter_map(|l| l.strip_prefix("turn "))
        .map(|l| {
            let fields: Vec<&str> = l.split(' ').collect();
            Turn {
                rotation: fields[0][11..].to_string(),
                first: date(&fields[0][..10]),
                last: date(fields[1]),
                person: Some(fields[2].to_string()).filter(|p| p != "(none)"),
            }
        })
        .collect();
    locked.sort();
    assert_eq!(locked, published, "{name}: the lock");
    assert_eq!(
        rota_plan(&p).0,
        planned_before,
        "{name}: the plan before the edit"
    );

    let mut after = original();
    edit(&mut after);
    std::fs::write(p.file("rotation.toml"), after.toml()).unwrap();
    std::fs::create_dir(p.file("old")).unwrap();
    std::fs::write(p.file("old/rotation.toml"), before.toml()).unwrap();

    // Published turns keep their person (nobody where the person left the config); the
    // future continues the queue.
    let (expected, _) = simulate(&after, &before, &published, date(PUBLISHED_THROUGH));
    let (planned, times) = rota_plan(&p);
    for ((rotation, day), person) in &planned_before {
        if *day <= date(PUBLISHED_THROUGH) && after.rotation(rotation).has_shift(*day) {
            let kept = person.clone().filter(|p| after.has_person(p));
            assert_eq!(
                planned.get(&(rotation.clone(), *day)),
                Some(&kept),
                "{name}: published {rotation} {day} moved"
            );
        }
    }
    assert_eq!(planned, expected, "{name}: the plan after the edit");
    // Shift times come from the config, published or not.
    let duty_start = &after.rotation("duty").shift[..5];
    assert!(
        times
            .iter()
            .filter(|((r, _), _)| r == "duty")
            .all(|(_, t)| t == duty_start),
        "{name}: duty shift times {times:?}"
    );

    // `check` flags exactly the published turns that can no longer be served, and nothing
    // else is an error.
    let (unserved, other_errors) = rota_unserved(&p);
    let expected_unserved = unservable(&after, &published);
    assert_eq!(unserved, expected_unserved, "{name}: check");
    assert_eq!(other_errors, Vec::<String>::new(), "{name}: check");

    // `diff` lists exactly the shifts that change hands: against the lock, the published
    // slots; against the last commit and the old config, every slot.
    let published_slots: Plan = planned_before
        .iter()
        .filter(|((rotation, day), _)| {
            published
                .iter()
                .any(|t| &t.rotation == rotation && t.first <= *day && *day <= t.last)
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let published_now: Plan = expected
        .iter()
        .filter(|(k, _)| published_slots.contains_key(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let since_publishing = changes(&published_slots, &published_now);
    assert_eq!(
        rota_diff(&p, None),
        since_publishing,
        "{name}: diff against the lock"
    );
    let everything = changes(&planned_before, &expected);
    assert_eq!(
        rota_diff(&p, Some("HEAD")),
        everything,
        "{name}: diff --against HEAD"
    );
    assert_eq!(
        rota_diff(&p, Some("old/rotation.toml")),
        everything,
        "{name}: diff --against old/rotation.toml"
    );
    Found {
        unserved: expected_unserved.len(),
        changed_since_publishing: since_publishing.len(),
        changed_since_commit: everything.len(),
    }
}

#[test]
fn a_hire_joins_the_end_of_the_queue_and_no_published_turn_moves() {
    let found = scenario("hire", hire);
    assert!(found.changed_since_commit > 0, "{found:?}");
    assert_eq!(
        found.changed_since_publishing + found.unserved,
        0,
        "{found:?}"
    );
}

#[test]
fn a_leaver_s_published_turns_are_flagged_and_the_others_keep_their_order() {
    let found = scenario("leaver", leaver);
    assert!(
        found.unserved > 0 && found.changed_since_publishing > 0,
        "{found:?}"
    );
}

#[test]
fn a_member_who_moved_to_another_team_keeps_the_published_turns_and_check_flags_them() {
    let found = scenario("moved team", moved_team);
    assert!(found.unserved > 0, "{found:?}");
    assert_eq!(found.changed_since_publishing, 0, "{found:?}");
}

#[test]
fn a_reorder_changes_nothing_published_or_queued() {
    let found = scenario("reorder", reorder);
    assert_eq!(found.changed_since_commit + found.unserved, 0, "{found:?}");
}

#[test]
fn a_new_away_week_flags_the_published_turns_in_it_and_the_future_skips_it() {
    let found = scenario("away", away_week);
    assert!(
        found.unserved > 0 && found.changed_since_commit > 0,
        "{found:?}"
    );
    assert_eq!(found.changed_since_publishing, 0, "{found:?}");
}

#[test]
fn a_changed_shift_window_moves_times_not_people() {
    let found = scenario("shift window", new_window);
    assert_eq!(found.changed_since_commit + found.unserved, 0, "{found:?}");
}

#[test]
fn a_changed_turn_length_starts_after_the_last_published_turn() {
    let found = scenario("turn length", new_turn);
    assert!(found.changed_since_commit > 0, "{found:?}");
    assert_eq!(
        found.changed_since_publishing + found.unserved,
        0,
        "{found:?}"
    );
}

#[test]
fn every_edit_at_once_keeps_the_published_month_and_continues_fairly() {
    let found = scenario("all at once", |r| {
        hire(r);
        leaver(r);
        moved_team(r);
        reorder(r);
        away_week(r);
        new_window(r);
        new_turn(r);
    });
    assert!(
        found.unserved > 0 && found.changed_since_commit > 0,
        "{found:?}"
    );
}
