//! `index.html` of `rota export --html`: a month calendar per rotation, each person's turns,
//! the coverage grid and links to the feeds. One self-contained page: the CSS is inside, it
//! needs no script and loads nothing. Every text from the config goes through maud's escaping.

use chrono::{Datelike, NaiveDate, TimeDelta};
use chrono_tz::Tz;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use rustc_hash::FxHashMap;

use super::grid::{dates, period_name};
use crate::coverage::{Coverage, Week};
use crate::local_time::local_date;
use crate::model::{Model, PersonIx, RotationIx};
use crate::plan::{Period, Shift};
use crate::timefmt::human;

/// Everything the page shows.
pub struct Page<'a> {
    pub model: &'a Model,
    /// The shifts overlapping the period, in plan order.
    pub shifts: &'a [Shift],
    pub period: Period,
    /// The display zone.
    pub tz: Tz,
    /// File names of the feeds written beside the page, team first.
    pub feeds: &'a [FeedLink],
    pub coverage: &'a Coverage,
}

/// One feed the page links to.
pub struct FeedLink {
    /// `team.ics`.
    pub file: String,
    /// What the feed holds, for people: `Acme Support — apac`.
    pub title: String,
}

const CSS: &str = r#"
:root { color-scheme: light dark; --line: #c8c8c8; --muted: #666; --gap: #b00020; --gapbg: #fde7ea; --weekend: rgba(127,127,127,.08); }
* { box-sizing: border-box; }
body { font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; padding: 1rem; max-width: 72rem; }
h1 { font-size: 1.6rem; margin: .2rem 0; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
p.meta, .legend { color: var(--muted); }
nav ul { padding-left: 1.2rem; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { border: 1px solid var(--line); padding: .25rem .4rem; }
th { font-weight: 600; }
table.month { width: 100%; table-layout: fixed; }
table.month td { vertical-align: top; height: 4.2rem; overflow-wrap: break-word; hyphens: auto; }
table.month td.out { background: transparent; border-color: transparent; }
table.month .sat, table.month .sun { background: var(--weekend); }
.day { display: block; font-size: .8rem; color: var(--muted); }
.who { display: block; font-size: .9rem; }
.who.cont { color: var(--muted); }
.nobody { color: var(--gap); font-weight: 600; }
.override::after { content: " *"; }
table.turns td, table.turns th { text-align: left; }
table.coverage td { text-align: center; min-width: 1.7rem; font-variant-numeric: tabular-nums; }
table.coverage td.gap { background: var(--gapbg); color: var(--gap); font-weight: 700; }
table.coverage td.none { color: var(--muted); }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 40rem) {
  body { padding: .5rem; font-size: 15px; }
  table.month td { height: 3.2rem; padding: .15rem; }
  .who { font-size: .7rem; }
  th, td { padding: .15rem .2rem; }
}
"#;

/// The page, as HTML text.
pub fn page(p: &Page) -> String {
    let team = if p.model.team.name.is_empty() {
        "Rota"
    } else {
        p.model.team.name.as_str()
    };
    let days = dates(p.period, p.tz);
    let starting = Starting::of(p);
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (team) " — rota" }
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    h1 { (team) }
                    p.meta {
                        (period_name(&days)) ". Times in " (p.tz.name()) "."
                    }
                    nav aria-label="Sections" {
                        ul {
                            li { a href="#feeds" { "Calendar feeds" } }
                            li { a href="#calendars" { "Month calendars" } }
                            li { a href="#people" { "Each person's turns" } }
                            li { a href="#coverage" { "Coverage" } }
                        }
                    }
                }
                main {
                    (feeds(p))
                    section #calendars aria-labelledby="calendars-title" {
                        h2 #calendars-title { "Month calendars" }
                        p.legend { "Each day shows who holds the shifts that start on it; a grey name carries on the turn of the day before. * marks an override." }
                        @for rotation in 0..p.model.rotations.len() {
                            @for month in months(&days) {
                                (calendar(p, &starting, rotation, month, &days))
                            }
                        }
                    }
                    (people(p))
                    (coverage(p))
                }
            }
        }
    };
    markup.into_string()
}

fn feeds(p: &Page) -> Markup {
    let base = p.model.calendar.base_url.as_deref();
    html! {
        section #feeds aria-labelledby="feeds-title" {
            h2 #feeds-title { "Calendar feeds" }
            @if base.is_some() {
                p.legend { "Subscribe to keep a calendar app in sync, or download the file." }
            } @else {
                p.legend { "Subscribe to a feed's address in your calendar app, or download the file." }
            }
            ul {
                @for feed in p.feeds {
                    li {
                        @match base {
                            Some(base) => {
                                a href=(webcal(base, &feed.file)) { (feed.title) }
                                " ("
                                a href=(format!("{base}{}", feed.file)) { "download " (feed.file) }
                                ")"
                            }
                            None => {
                                a href=(feed.file) { (feed.title) }
                                " (" (feed.file) ")"
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `https://host/path/` + `team.ics` as a `webcal://` subscription.
fn webcal(base: &str, file: &str) -> String {
    let rest = base.split_once("://").map_or(base, |(_, rest)| rest);
    format!("webcal://{rest}{file}")
}

/// The first day of each month the period touches.
fn months(days: &[NaiveDate]) -> Vec<NaiveDate> {
    let mut out: Vec<NaiveDate> = Vec::new();
    for d in days {
        let first = d.with_day(1).unwrap_or(*d);
        if out.last() != Some(&first) {
            out.push(first);
        }
    }
    out
}

/// The shifts of each rotation by the day (in the page's zone) they start on, in plan order:
/// sorted out once, since looking through every shift for each rotation's every day would be
/// quadratic in a large organisation.
struct Starting<'p>(FxHashMap<(RotationIx, NaiveDate), Vec<&'p Shift>>);

impl<'p> Starting<'p> {
    fn of(p: &Page<'p>) -> Self {
        let mut by_day: FxHashMap<(RotationIx, NaiveDate), Vec<&Shift>> = FxHashMap::default();
        for s in p.shifts {
            let day = local_date(p.tz, s.start);
            by_day.entry((s.rotation(), day)).or_default().push(s);
        }
        Starting(by_day)
    }

    fn on(&self, rotation: RotationIx, date: NaiveDate) -> &[&'p Shift] {
        self.0.get(&(rotation, date)).map_or(&[], Vec::as_slice)
    }
}

/// Who holds the shifts of `rotation` starting on each day: (person, override, continues the
/// day before's turn).
fn day_entries(
    starting: &Starting,
    rotation: RotationIx,
    date: NaiveDate,
) -> Vec<(Option<PersonIx>, bool, bool)> {
    let before = starting.on(rotation, date - TimeDelta::days(1));
    let mut out: Vec<(Option<PersonIx>, bool, bool)> = Vec::new();
    for s in starting.on(rotation, date) {
        if out.last().is_some_and(|e| e.0 == s.person) {
            continue;
        }
        let continues = before
            .last()
            .is_some_and(|b| b.person == s.person && b.turn == s.turn && !s.is_override);
        out.push((s.person, s.is_override, continues));
    }
    out
}

fn calendar(
    p: &Page,
    starting: &Starting,
    rotation: RotationIx,
    month: NaiveDate,
    days: &[NaiveDate],
) -> Markup {
    let name = &p.model.rotations[rotation].name;
    let in_period = |d: NaiveDate| {
        days.first().is_some_and(|f| *f <= d) && days.last().is_some_and(|l| d <= *l)
    };
    let lead = month.weekday().num_days_from_monday() as i64;
    let start = month - TimeDelta::days(lead);
    let next = month
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(month);
    let weeks = ((next - start).num_days() + 6) / 7;
    let weekday = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    html! {
        div.scroll {
            table.month data-rotation=(name) data-month=(month.format("%Y-%m").to_string()) {
                caption { (name) " — " (month.format("%B %Y").to_string()) }
                thead {
                    tr {
                        @for (i, day) in ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].iter().enumerate() {
                            th scope="col" class=(weekday[i]) { (day) }
                        }
                    }
                }
                tbody {
                    @for week in 0..weeks {
                        tr {
                            @for i in 0..7 {
                                @let date = start + TimeDelta::days(week * 7 + i);
                                @if date.month() != month.month() || !in_period(date) {
                                    td.out {}
                                } @else {
                                    td class=(weekday[i as usize]) data-date=(date.to_string()) {
                                        span.day { time datetime=(date.to_string()) { (date.day()) } }
                                        @if p.model.rotations[rotation].except.contains(&date) {
                                            span.who.cont { "holiday" }
                                        }
                                        @for (person, is_override, continues) in day_entries(starting, rotation, date) {
                                            @match person {
                                                Some(ix) => {
                                                    span.who.cont[continues].override[is_override] data-person=(p.model.people[ix].id) {
                                                        (p.model.people[ix].name)
                                                    }
                                                }
                                                None => span.who.nobody { "nobody" }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A person's stretch of duty in one rotation: the shifts of one turn (or one override).
struct Turn {
    rotation: RotationIx,
    first: Shift,
    last: Shift,
    shifts: usize,
}

/// The turns of the person whose shifts (in plan order) are `own`.
fn turns_of(p: &Page, own: &[&Shift]) -> Vec<Turn> {
    let mut out: Vec<Turn> = Vec::new();
    let mut per_rotation: Vec<Vec<&Shift>> = vec![Vec::new(); p.model.rotations.len()];
    for &s in own {
        per_rotation[s.rotation()].push(s);
    }
    for (rotation, shifts) in per_rotation.into_iter().enumerate() {
        for s in shifts {
            match out.last_mut() {
                Some(t)
                    if t.rotation == rotation
                        && t.last.turn == s.turn
                        && t.last.is_override == s.is_override =>
                {
                    t.last = *s;
                    t.shifts += 1;
                }
                _ => out.push(Turn {
                    rotation,
                    first: *s,
                    last: *s,
                    shifts: 1,
                }),
            }
        }
    }
    out.sort_by_key(|t| (t.first.start, t.rotation));
    out
}

fn people(p: &Page) -> Markup {
    let own = p.model.by_person(p.shifts, |s| s.person);
    html! {
        section #people aria-labelledby="people-title" {
            h2 #people-title { "Each person's turns" }
            @for (person, own) in p.model.people.iter().zip(&own) {
                @let turns = turns_of(p, own);
                @if !turns.is_empty() {
                    div.scroll {
                        table.turns data-person=(person.id) {
                            caption { (person.name) }
                            thead {
                                tr {
                                    th scope="col" { "Rotation" }
                                    th scope="col" { "From" }
                                    th scope="col" { "Until" }
                                    th scope="col" { "Shifts" }
                                }
                            }
                            tbody {
                                @for t in &turns {
                                    tr {
                                        th scope="row" {
                                            (p.model.rotations[t.rotation].name)
                                            @if t.first.is_override { " (override)" }
                                        }
                                        td { time datetime=(t.first.start.to_rfc3339()) { (human(t.first.start, p.tz)) } }
                                        td { time datetime=(t.last.end.to_rfc3339()) { (human(t.last.end, p.tz)) } }
                                        td { (t.shifts) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn coverage(p: &Page) -> Markup {
    let c = p.coverage;
    let grid: &Week<Option<u32>> = &c.fewest;
    let gaps = c.gap_hours(grid);
    html! {
        section #coverage aria-labelledby="coverage-title" {
            h2 #coverage-title { "Coverage" }
            p.legend {
                "The fewest people on duty in each hour of the week over the period, all rotations together, in "
                (p.tz.name()) ". Highlighted cells (marked !) are gaps: nobody on duty for part of that hour. "
                @if gaps == 0 { "There are no gaps." } @else { (gaps) " gap hours of the week." }
            }
            div.scroll {
                table.coverage {
                    caption { "Fewest people on duty per hour" }
                    thead {
                        tr {
                            th scope="col" { span.sr { "Day" } }
                            @for h in 0..24 { th scope="col" { (format!("{h:02}")) } }
                        }
                    }
                    tbody {
                        @for (d, day) in ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].iter().enumerate() {
                            tr {
                                th scope="row" { (day) }
                                @for h in 0..24 {
                                    @match grid[d][h] {
                                        None => td.none { "·" span.sr { " not in the period" } },
                                        Some(n) if c.is_gap(Some(n)) => td.gap { (n) "!" span.sr { " gap" } },
                                        Some(n) => td { (n) },
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
