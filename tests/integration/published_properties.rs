//! Properties of published plans (proptest): for random configs and random edits made after
//! publishing, every published turn keeps its person, and the unpublished future is a fair
//! continuation of the queue.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, TimeDelta};
use proptest::prelude::*;
use rota::model::Model;
use rota::plan::{self, Period, Shift};
use rota::published::publish::publish;
use rota::published::{Lock, text};

const PEOPLE: usize = 7;
const DAYS: [&str; 4] = ["daily", "mon-fri", "sat,sun", "mon,wed,fri"];
const TURNS: [&str; 4] = ["day", "2 days", "3 days", "week"];

#[derive(Debug, Clone)]
struct Roster {
    start: NaiveDate,
    members: Vec<usize>,
    days: usize,
    turn: usize,
    /// Per person: away ranges as (first day after start, length).
    away: Vec<Vec<(i64, i64)>>,
}

#[derive(Debug, Clone)]
enum Edit {
    Hire(usize),
    Leave(usize),
    Reorder(Vec<usize>),
    Turn(usize),
    Start(i64),
    Days(usize),
    Away(usize, i64, i64),
}

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn config(r: &Roster) -> String {
    let mut out = format!(
        "[team]\nname = \"T\"\ntimezone = \"Europe/Berlin\"\nstart = {}\n\n",
        r.start
    );
    for p in 0..PEOPLE {
        out.push_str(&format!("[[person]]\nid = \"p{p}\"\nname = \"P{p}\"\n"));
        let away: Vec<String> = r.away[p]
            .iter()
            .map(|&(from, len)| {
                let a = date("2026-12-07") + TimeDelta::days(from);
                format!("\"{}..{}\"", a, a + TimeDelta::days(len))
            })
            .collect();
        if !away.is_empty() {
            out.push_str(&format!("away = [{}]\n", away.join(", ")));
        }
        out.push('\n');
    }
    let members: Vec<String> = r.members.iter().map(|m| format!("\"p{m}\"")).collect();
    out.push_str(&format!(
        "[[rotation]]\nname = \"duty\"\nmembers = [{}]\ndays = \"{}\"\nshift = \"09:00-17:00\"\nturn = \"{}\"\n",
        members.join(", "),
        DAYS[r.days],
        TURNS[r.turn]
    ));
    out
}

fn roster() -> impl Strategy<Value = Roster> {
    (
        Just(()).prop_perturb(|_, mut rng| {
            let mut all: Vec<usize> = (0..PEOPLE).collect();
            // A shuffled prefix of 2..=5 people.
            for i in (1..all.len()).rev() {
                let j = rng.random_range(0..=i);
                all.swap(i, j);
            }
            let n = rng.random_range(2..=5);
            all.truncate(n);
            all
        }),
        0usize..DAYS.len(),
        0usize..TURNS.len(),
        prop::collection::vec(prop::collection::vec((0i64..90, 0i64..6), 0..3), PEOPLE),
        0i64..7,
    )
        .prop_map(|(members, days, turn, away, shift)| Roster {
            start: date("2026-12-07") + TimeDelta::days(shift),
            members,
            days,
            turn,
            away,
        })
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0usize..PEOPLE).prop_map(Edit::Hire),
        (0usize..PEOPLE).prop_map(Edit::Leave),
        Just(()).prop_perturb(|_, mut rng| {
            let mut keys: Vec<usize> = (0..PEOPLE).map(|_| rng.random_range(0..1000)).collect();
            keys.dedup();
            Edit::Reorder(keys)
        }),
        (0usize..TURNS.len()).prop_map(Edit::Turn),
        (-10i64..20).prop_map(Edit::Start),
        (0usize..DAYS.len()).prop_map(Edit::Days),
        (0usize..PEOPLE, 0i64..90, 0i64..8).prop_map(|(p, a, l)| Edit::Away(p, a, l)),
    ]
}

fn apply(r: &Roster, edits: &[Edit]) -> Roster {
    let mut r = r.clone();
    for e in edits {
        match e {
            Edit::Hire(p) => {
                if !r.members.contains(p) {
                    r.members.push(*p);
                }
            }
            Edit::Leave(p) => {
                if r.members.len() > 1 {
                    r.members.retain(|m| m != p);
                }
            }
            Edit::Reorder(keys) => {
                r.members
                    .sort_by_key(|&m| keys.get(m).copied().unwrap_or(m));
            }
            Edit::Turn(t) => r.turn = *t,
            Edit::Start(d) => r.start += TimeDelta::days(*d),
            Edit::Days(d) => r.days = *d,
            Edit::Away(p, a, l) => r.away[*p].push((*a, *l)),
        }
    }
    r
}

fn load(r: &Roster, lock: Option<&Lock>) -> Model {
    let mut model = rota::config::load(&config(r), "rotation.toml").expect("valid config");
    if let Some(lock) = lock {
        model.published = lock.resolve(&model).expect("lock fits the config");
    }
    model
}

fn period(model: &Model, from: NaiveDate, to: NaiveDate) -> Period {
    Period::dates(from, to, model.team.timezone)
}

/// Whether `person` is away on none of the days of `shifts` (all zones are the team's).
fn free(model: &Model, person: usize, shifts: &[&Shift]) -> bool {
    let tz = model.people[person].timezone;
    shifts.iter().all(|s| {
        let from = rota::local_time::local_date(tz, s.start);
        let to = rota::local_time::local_date(tz, s.end - TimeDelta::seconds(1));
        !model.people[person].away.intersects(from, to)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn published_turns_keep_their_person_and_the_future_continues_fairly(
        before in roster(),
        through in 10i64..60,
        edits in prop::collection::vec(edit(), 1..4),
    ) {
        let through = before.start + TimeDelta::days(through);
        let first_model = load(&before, None);
        let published = publish(&first_model, &Lock::default(), Some(through), None).unwrap();
        // The lock survives its own text.
        let lock = text::parse(&text::render(&published.lock)).unwrap();
        prop_assert_eq!(&lock.turns, &published.lock.turns.iter().map(|t| {
            let mut t = t.clone();
            t.line = lock.turns.iter().find(|u| u.slot == t.slot).map_or(0, |u| u.line);
            t
        }).collect::<Vec<_>>());

        // Publishing again adds nothing.
        let with_lock = load(&before, Some(&lock));
        let again = publish(&with_lock, &lock, Some(through), None).unwrap();
        prop_assert!(again.added.is_empty(), "a second publish added {:?}", again.added);

        // The lock holds what the plan showed.
        let window = period(&first_model, before.start - TimeDelta::days(3), through + TimeDelta::days(120));
        let original = plan::plan(&first_model, window);
        let holder_of = |date: NaiveDate| {
            lock.turns.iter().find(|t| t.holds(date)).map(|t| t.person.clone())
        };
        for s in &original {
            if s.slot.date <= through {
                let id = s.person.map(|p| first_model.people[p].id.clone());
                if let Some(held) = holder_of(s.slot.date) {
                    prop_assert_eq!(held, id, "slot {} published as planned", s.slot.date);
                }
            }
        }

        let after = apply(&before, &edits);
        let model = load(&after, Some(&lock));
        let window = period(&model, after.start.min(before.start) - TimeDelta::days(3), through + TimeDelta::days(120));
        let shifts = plan::plan(&model, window);

        // Every published turn keeps its person.
        for s in &shifts {
            if let Some(held) = holder_of(s.slot.date) {
                let id = s.person.map(|p| model.people[p].id.clone());
                prop_assert_eq!(held, id, "published slot {} after {:?}", s.slot.date, edits);
            }
        }

        // The turns in the order they were handed out: the published ones as the lock has
        // them (a published turn whose shifts the edit removed still had its place in the
        // queue), then the others as planned.
        let id_of = |id: &Option<String>| {
            id.as_ref().and_then(|id| model.people.iter().position(|p| &p.id == id))
        };
        let mut sequence: Vec<(bool, Option<usize>, Vec<&Shift>)> = lock
            .turns
            .iter()
            .map(|t| (false, id_of(&t.person), Vec::new()))
            .collect();
        let mut unpublished: BTreeMap<u32, Vec<&Shift>> = BTreeMap::new();
        for s in &shifts {
            if holder_of(s.slot.date).is_none() {
                unpublished.entry(s.turn).or_default().push(s);
            }
        }
        let end = window.to - TimeDelta::days(16);
        sequence.extend(
            unpublished
                .into_values()
                .filter(|s| s[0].start < end)
                .map(|s| (true, s[0].person, s)),
        );
        let members: BTreeSet<usize> = model.rotations[0].members.iter().copied().collect();
        let old_members: BTreeSet<usize> = first_model.rotations[0].members.iter().copied().collect();
        // Between two turns of one member, where the later is unpublished, every other member
        // took a turn or was away for that later turn; members hired after publishing only
        // count once both turns are unpublished (they join at the end of the queue).
        for (j, (unpublished, taker, turn_shifts)) in sequence.iter().enumerate() {
            let (true, Some(m)) = (*unpublished, *taker) else { continue };
            let Some(i) = (0..j).rev().find(|&i| sequence[i].1 == Some(m)) else { continue };
            let between: BTreeSet<usize> = sequence[i + 1..j].iter().filter_map(|t| t.1).collect();
            for &q in &members {
                if q == m || between.contains(&q) {
                    continue;
                }
                if !sequence[i].0 && !old_members.contains(&q) {
                    continue;
                }
                prop_assert!(
                    !free(&model, q, turn_shifts),
                    "p{} took two turns (the second on {}) before free member p{} took one; edits {:?}",
                    m, turn_shifts[0].slot.date, q, edits
                );
            }
        }
    }
}

/// Random `[[override]]`s of the rotation: (day after start, start hour, length in hours,
/// person), in config order.
fn overrides() -> impl Strategy<Value = Vec<(i64, u32, i64, usize)>> {
    prop::collection::vec((0i64..40, 0u32..24, 1i64..60, 0usize..PEOPLE), 0..5)
}

fn with_overrides(r: &Roster, list: &[(i64, u32, i64, usize)]) -> String {
    let mut out = config(r);
    for &(day, hour, hours, person) in list {
        let from = (r.start + TimeDelta::days(day))
            .and_hms_opt(hour, 0, 0)
            .unwrap();
        let to = from + TimeDelta::hours(hours);
        out.push_str(&format!(
            "\n[[override]]\nrotation = \"duty\"\nperson = \"p{person}\"\nfrom = {}\nto = {}\n",
            from.format("%Y-%m-%dT%H:%M:%S"),
            to.format("%Y-%m-%dT%H:%M:%S")
        ));
    }
    out
}

fn load_text(text: &str, lock: Option<&Lock>) -> Model {
    let mut model = rota::config::load(text, "rotation.toml").expect("valid config");
    if let Some(lock) = lock {
        model.published = lock.resolve(&model).expect("lock fits the config");
    }
    model
}

/// `rota diff`'s default sides: the plan as published, and the current plan's published
/// stretches.
fn since_publishing(model: &Model, window: Period) -> rota::diff::Diff {
    let mut bare = model.clone();
    bare.overrides.clear();
    let before = rota::diff::as_published(model, &plan::plan(&bare, window));
    let after: Vec<rota::diff::Stretch> = plan::overlapping(model, window)
        .iter()
        .filter(|s| window.contains(s.slot_start))
        .map(|s| rota::diff::Stretch::of(model, s))
        .filter(|s| s.published)
        .collect();
    rota::diff::diff(&before, &after)
}

/// `(start, end, before, after)` with touching runs of one hand-over joined.
type Moves = Vec<(
    chrono::DateTime<chrono::Utc>,
    chrono::DateTime<chrono::Utc>,
    Option<String>,
    Option<String>,
)>;

fn joined(mut moves: Moves) -> Moves {
    moves.sort();
    let mut out: Moves = Vec::new();
    for m in moves {
        match out.last_mut() {
            Some(prev) if prev.1 == m.0 && prev.2 == m.2 && prev.3 == m.3 => prev.1 = m.1,
            _ => out.push(m),
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn overrides_in_effect_at_publishing_are_no_change_and_removing_them_changes_exactly_their_time(
        roster in roster(),
        through in 10i64..40,
        list in overrides(),
    ) {
        let through = roster.start + TimeDelta::days(through);
        let text = with_overrides(&roster, &list);
        let first = load_text(&text, None);
        let published = publish(&first, &Lock::default(), Some(through), None).unwrap();
        let lock = text::parse(&text::render(&published.lock)).unwrap();
        let window = period(&first, roster.start, through + TimeDelta::days(30));

        // Nothing edited: nothing changed since publishing.
        let model = load_text(&text, Some(&lock));
        let unchanged = since_publishing(&model, window);
        prop_assert!(unchanged.changes.is_empty(), "{:?}", unchanged.changes);

        // Every override removed: each published shift's time an override gave to someone
        // other than the turn's person goes back to that person, and nothing else changes.
        let model = load_text(&config(&roster), Some(&lock));
        let holder = |s: &Shift| {
            let r = &lock.turns;
            r.iter().find(|t| t.holds(s.slot.date)).and_then(|t| t.person.clone())
        };
        let mut expected: Moves = Vec::new();
        for s in plan::plan(&model, window).iter().filter(|s| rota::diff::is_published(&model, s)) {
            let mut cuts = vec![s.start, s.end];
            for o in &first.overrides {
                cuts.extend([o.from, o.to].into_iter().filter(|t| s.start < *t && *t < s.end));
            }
            cuts.sort();
            cuts.dedup();
            let held = holder(s);
            for pair in cuts.windows(2) {
                let winner = first.overrides.iter().rev().find(|o| o.from <= pair[0] && o.to >= pair[1]);
                let Some(o) = winner else { continue };
                let by = Some(first.people[o.person].id.clone());
                if by != held {
                    expected.push((pair[0], pair[1], by, held.clone()));
                }
            }
        }
        let listed: Moves = since_publishing(&model, window)
            .changes
            .into_iter()
            .map(|c| (c.start, c.end, c.before, c.after))
            .collect();
        prop_assert_eq!(joined(listed), joined(expected));
    }
}
