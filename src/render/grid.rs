//! `rota plan` on a terminal: the period as a calendar, one row per day in the display zone and
//! one column per rotation, a turn shown once with a bar down the days it goes on, fitted to
//! the terminal's width.

use anstyle::{AnsiColor, Color, Style};
use chrono::{Datelike, NaiveDate, TimeDelta, Timelike, Weekday};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::PlanView;
use crate::local_time::{local_date, resolve};
use crate::model::{Model, PersonIx, RotationIx};
use crate::plan::{Period, Shift};
use crate::timefmt::push_two_digits;

/// Width of the day label, `Tue 01`.
const DAY_WIDTH: usize = 6;
/// Spaces between columns.
const GAP: usize = 2;
/// The narrowest a rotation's column gets before the rotations are split over several grids.
const MIN_COLUMN: usize = 6;
/// A column never grows past this, so that one long name does not push the others off.
const MAX_COLUMN: usize = 24;

/// The turn goes on, the same person on duty.
const CONTINUES: &str = "│";
/// The turn goes on over a day without a shift.
const PAUSES: &str = "┆";
/// Marks a stretch an override gave to someone.
const OVERRIDE_MARK: &str = "*";

const HEADER: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const UNASSIGNED: Style = Style::new()
    .bold()
    .fg_color(Some(Color::Ansi(AnsiColor::Red)));
/// People's colours, by their place in the config, so a person looks the same in every column.
const PALETTE: [AnsiColor; 10] = [
    AnsiColor::Cyan,
    AnsiColor::Green,
    AnsiColor::Magenta,
    AnsiColor::Blue,
    AnsiColor::Yellow,
    AnsiColor::BrightCyan,
    AnsiColor::BrightGreen,
    AnsiColor::BrightMagenta,
    AnsiColor::BrightBlue,
    AnsiColor::BrightYellow,
];

/// The grid of `view`, `width` columns wide; styled with ANSI sequences when `colour`.
pub fn plan(view: &PlanView, width: usize, colour: bool) -> String {
    let days = days(view);
    let columns: Vec<Column> = (0..view.model.rotations.len())
        .map(|r| column(view, r, &days))
        .collect();
    let mut out = String::new();
    push_line(&mut out, &fit(&title(view, &days), width), HEADER, colour);
    let width = width.max(DAY_WIDTH + GAP + MIN_COLUMN);
    let mut used = Used::default();
    for (i, page) in pages(view.model, &columns, width).into_iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push('\n');
        render_page(&mut out, view.model, &days, &page, colour, &mut used);
    }
    let legend = used.legend();
    if !legend.is_empty() {
        out.push('\n');
        for line in wrap(&legend, width) {
            push_line(&mut out, &line, DIM, colour);
        }
    }
    out
}

fn days(view: &PlanView) -> Vec<NaiveDate> {
    dates(view.period, view.tz)
}

/// The dates of `period` in `tz`, first to last.
pub fn dates(period: Period, tz: chrono_tz::Tz) -> Vec<NaiveDate> {
    let first = local_date(tz, period.from);
    let last = local_date(tz, period.to - TimeDelta::seconds(1)).max(first);
    first.iter_days().take_while(|d| *d <= last).collect()
}

fn title(view: &PlanView, days: &[NaiveDate]) -> String {
    let team = if view.model.team.name.is_empty() {
        "Rota"
    } else {
        &view.model.team.name
    };
    format!("{team} — {} ({})", period_name(days), view.tz.name())
}

/// `December 2026` for a whole month, else `Tue 1 Dec 2026 to Tue 8 Dec 2026`.
pub fn period_name(days: &[NaiveDate]) -> String {
    let (first, last) = (days[0], days[days.len() - 1]);
    let whole_month = first.day() == 1
        && last.succ_opt().is_some_and(|d| d.day() == 1)
        && first.month() == last.month();
    if whole_month {
        first.format("%B %Y").to_string()
    } else {
        format!(
            "{} to {}",
            first.format("%a %-d %b %Y"),
            last.format("%a %-d %b %Y")
        )
    }
}

/// One stretch of duty in a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    person: Option<PersonIx>,
    turn: u32,
    is_override: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Cell {
    /// No shift that day.
    Off,
    /// One of the rotation's `except` dates.
    Holiday,
    /// No shift that day, inside a turn that goes on after it.
    Pause(Entry),
    /// Who holds the shifts starting that day, in order.
    Duty(Vec<Entry>),
    /// The same one stretch as the day before: the turn goes on.
    Continues(Entry),
}

struct Column {
    rotation: RotationIx,
    /// The rotation's name, then its hours in the display zone.
    header: [String; 2],
    cells: Vec<Cell>,
}

fn column(view: &PlanView, rotation: RotationIx, days: &[NaiveDate]) -> Column {
    let first = days[0];
    let mut cells = vec![Cell::Off; days.len()];
    let row_of = |date: NaiveDate| usize::try_from((date - first).num_days()).ok();
    for r in holidays(view, rotation, days) {
        cells[r] = Cell::Holiday;
    }
    let mut hours = None;
    for s in view.shifts.iter().filter(|s| s.rotation() == rotation) {
        if !s.is_split_part() {
            hours.get_or_insert_with(|| shift_hours(s, view));
        }
        let Some(row) = row_of(local_date(view.tz, s.start)).filter(|&r| r < days.len()) else {
            continue;
        };
        let entry = Entry {
            person: s.person,
            turn: s.turn,
            is_override: s.is_override,
        };
        match &mut cells[row] {
            Cell::Duty(entries) => {
                if entries.last().is_none_or(|e| e.person != entry.person) {
                    entries.push(entry);
                }
            }
            cell => *cell = Cell::Duty(vec![entry]),
        }
    }
    link_turns(&mut cells);
    Column {
        rotation,
        header: [
            view.model.rotations[rotation].name.clone(),
            hours.unwrap_or_default(),
        ],
        cells,
    }
}

/// The rows of the rotation's `except` dates that would have had a shift.
fn holidays(view: &PlanView, rotation: RotationIx, days: &[NaiveDate]) -> Vec<usize> {
    let rot = &view.model.rotations[rotation];
    let first = days[0];
    rot.except
        .range(first - TimeDelta::days(2)..=days[days.len() - 1] + TimeDelta::days(2))
        .filter(|d| rot.days.contains(d.weekday()) && **d >= view.model.team.start)
        .filter_map(|&d| {
            // Shown on the display-zone day the shift would have started.
            let start = resolve(rot.timezone, rot.window.on(d).0);
            let row = (local_date(view.tz, start) - first).num_days();
            usize::try_from(row).ok().filter(|&r| r < days.len())
        })
        .collect()
}

/// `08:00-16:00`: a shift's hours in the display zone.
fn shift_hours(shift: &Shift, view: &PlanView) -> String {
    let mut text = String::with_capacity(11);
    for (i, t) in [shift.start, shift.end].into_iter().enumerate() {
        if i == 1 {
            text.push('-');
        }
        let local = t.with_timezone(&view.tz);
        // A shift that ends at the midnight after the day it starts on ends at 24:00.
        let hour = if i == 1
            && local.hour() == 0
            && local.minute() == 0
            && shift.end > shift.start
            && local_date(view.tz, shift.start) < local.date_naive()
            && shift.start.with_timezone(&view.tz).hour() == 0
        {
            24
        } else {
            local.hour()
        };
        push_two_digits(&mut text, hour);
        text.push(':');
        push_two_digits(&mut text, local.minute());
    }
    text
}

/// Marks the days a turn goes on: the same single stretch as the last day with a shift becomes
/// a continuation, and days without a shift between two days of one turn become pauses.
fn link_turns(cells: &mut [Cell]) {
    let mut last: Option<(usize, Entry)> = None;
    for i in 0..cells.len() {
        let single = match &cells[i] {
            Cell::Duty(entries) if entries.len() == 1 => Some(entries[0]),
            Cell::Duty(_) => {
                last = None;
                continue;
            }
            _ => continue,
        };
        let entry = single.expect("one entry");
        if let Some((from, previous)) = last
            && previous == entry
        {
            cells[i] = Cell::Continues(entry);
            for cell in &mut cells[from + 1..i] {
                if *cell == Cell::Off {
                    *cell = Cell::Pause(entry);
                }
            }
        }
        last = Some((i, entry));
    }
}

/// Columns laid out side by side in one grid, each with its width.
type Page<'a> = Vec<(&'a Column, usize)>;

/// The columns split into grids that each fit `width`, every column as wide as it needs or an
/// even share of the room.
fn pages<'a>(model: &Model, columns: &'a [Column], width: usize) -> Vec<Page<'a>> {
    let room = |n: usize| width.saturating_sub(DAY_WIDTH + n * GAP);
    let per_page = (width.saturating_sub(DAY_WIDTH) / (MIN_COLUMN + GAP)).max(1);
    let page_count = columns.len().div_ceil(per_page).max(1);
    // Spread evenly over the pages, so the last grid is not a lone column.
    let per_page = columns.len().div_ceil(page_count).max(1);
    columns
        .chunks(per_page)
        .map(|chunk| {
            let wanted: Vec<usize> = chunk.iter().map(|c| natural_width(model, c)).collect();
            let widths = share(&wanted, room(chunk.len()));
            chunk.iter().zip(widths).collect()
        })
        .collect()
}

/// How wide a column would be with nothing shortened.
fn natural_width(model: &Model, column: &Column) -> usize {
    let header = column.header.iter().map(|h| h.width()).max().unwrap_or(0);
    let cells = column
        .cells
        .iter()
        .map(|c| match c {
            Cell::Duty(entries) => {
                let names: usize = entries
                    .iter()
                    .map(|e| label(model, column, e, MAX_COLUMN).width())
                    .sum();
                names + entries.len() - 1
            }
            _ => 0,
        })
        .max()
        .unwrap_or(0);
    header.max(cells).clamp(MIN_COLUMN, MAX_COLUMN)
}

/// Widths for columns that want `wanted`, together at most `room`: those that want less than an
/// even share get what they want, the rest share what is left.
fn share(wanted: &[usize], room: usize) -> Vec<usize> {
    let mut widths = vec![0; wanted.len()];
    let mut open: Vec<usize> = (0..wanted.len()).collect();
    let mut left = room;
    loop {
        let even = left / open.len().max(1);
        let (small, large): (Vec<usize>, Vec<usize>) =
            open.iter().partition(|&&i| wanted[i] <= even);
        if small.is_empty() {
            for &i in &large {
                widths[i] = even.max(MIN_COLUMN);
            }
            return widths;
        }
        for &i in &small {
            widths[i] = wanted[i];
            left -= wanted[i];
        }
        open = large;
        if open.is_empty() {
            return widths;
        }
    }
}

/// Which marks the grid used, for the legend.
#[derive(Default)]
struct Used {
    continues: bool,
    pauses: bool,
    overrides: bool,
    unassigned: bool,
    holidays: bool,
}

impl Used {
    fn legend(&self) -> Vec<String> {
        let mut items = Vec::new();
        if self.continues {
            items.push(format!("{CONTINUES} the turn goes on"));
        }
        if self.pauses {
            items.push(format!("{PAUSES} the turn goes on, no shift that day"));
        }
        if self.overrides {
            items.push(format!("{OVERRIDE_MARK} override"));
        }
        if self.unassigned {
            items.push("nobody: no member free (unassigned)".to_string());
        }
        if self.holidays {
            items.push("holiday: no shift (except date)".to_string());
        }
        items
    }
}

fn render_page(
    out: &mut String,
    model: &Model,
    days: &[NaiveDate],
    page: &Page,
    colour: bool,
    used: &mut Used,
) {
    for line in 0..2 {
        let mut row = Row::new(colour);
        row.push(&" ".repeat(DAY_WIDTH), Style::new());
        for (column, width) in page {
            row.gap();
            let text = match line {
                0 => fit(&column.header[0], *width),
                _ => hours(&column.header[1], *width),
            };
            row.cell(&text, *width, if line == 0 { HEADER } else { DIM });
        }
        row.finish(out);
    }
    for (i, day) in days.iter().enumerate() {
        let mut row = Row::new(colour);
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        let label = day.format("%a %d").to_string();
        row.push(&label, if weekend { DIM } else { Style::new() });
        for (column, width) in page {
            row.gap();
            let (text, style) = draw(model, column, &column.cells[i], *width, used);
            row.cell(&text, *width, style);
        }
        row.finish(out);
    }
}

/// A cell's text, shortened to `width`, and its style.
fn draw(
    model: &Model,
    column: &Column,
    cell: &Cell,
    width: usize,
    used: &mut Used,
) -> (String, Style) {
    match cell {
        Cell::Off => (String::new(), Style::new()),
        Cell::Holiday => {
            used.holidays = true;
            (pick(&["holiday", "hol", "h"], width), DIM)
        }
        Cell::Pause(entry) => {
            used.pauses = true;
            (PAUSES.to_string(), style_of(entry))
        }
        Cell::Continues(entry) => {
            used.continues = true;
            (CONTINUES.to_string(), style_of(entry))
        }
        Cell::Duty(entries) => {
            // Several people in one day (an override for part of a shift) share the width.
            let separators = entries.len() - 1;
            let each = width.saturating_sub(separators) / entries.len();
            let texts: Vec<String> = entries
                .iter()
                .map(|e| {
                    used.overrides |= e.is_override;
                    used.unassigned |= e.person.is_none();
                    label(model, column, e, each.max(1))
                })
                .collect();
            let style = match entries.as_slice() {
                [only] => style_of(only),
                _ if entries.iter().any(|e| e.person.is_none()) => UNASSIGNED,
                _ => Style::new(),
            };
            (fit(&texts.join("/"), width), style)
        }
    }
}

fn style_of(entry: &Entry) -> Style {
    match entry.person {
        None => UNASSIGNED,
        Some(p) => Style::new().fg_color(Some(Color::Ansi(PALETTE[p % PALETTE.len()]))),
    }
}

/// A person's name (or `nobody`) as long as fits `width`, with the override mark.
fn label(model: &Model, column: &Column, entry: &Entry, width: usize) -> String {
    let mark = if entry.is_override { OVERRIDE_MARK } else { "" };
    let room = width.saturating_sub(mark.width()).max(1);
    let text = match entry.person {
        None => pick(&["nobody", "none", "!"], room),
        Some(p) => short_name(model, column.rotation, p, room),
    };
    format!("{text}{mark}")
}

/// The first of `choices` that fits `width`, else the last cut to fit.
fn pick(choices: &[&str], width: usize) -> String {
    choices
        .iter()
        .find(|c| c.width() <= width)
        .map_or_else(|| fit(choices[choices.len() - 1], width), |c| c.to_string())
}

/// A name in at most `width` columns: the whole name, then first name and initial, the first
/// name, the id, and finally the first name cut short. A shortening that two members of the
/// rotation share is passed over, so that a column never shows two people the same way.
fn short_name(model: &Model, rotation: RotationIx, person: PersonIx, width: usize) -> String {
    let forms = |p: PersonIx| name_forms(&model.people[p].name, &model.people[p].id);
    let members = &model.rotations[rotation].members;
    let mine = forms(person);
    for (level, form) in mine.iter().enumerate() {
        if form.width() > width {
            continue;
        }
        let shared = members
            .iter()
            .filter(|&&m| m != person)
            .any(|&m| forms(m).get(level) == Some(form));
        if !shared {
            return form.clone();
        }
    }
    fit(&mine[2], width)
}

/// `Kenji Watanabe`, `Kenji W.`, `Kenji`, `kenji`.
fn name_forms(name: &str, id: &str) -> Vec<String> {
    let name = if name.trim().is_empty() {
        id
    } else {
        name.trim()
    };
    let words: Vec<&str> = name.split_whitespace().collect();
    let first = words.first().copied().unwrap_or(id).to_string();
    let initial = match words.last().and_then(|w| w.chars().next()) {
        Some(c) if words.len() > 1 => format!("{first} {c}."),
        _ => first.clone(),
    };
    vec![name.to_string(), initial, first, id.to_string()]
}

/// `08:00-16:00`, or `08-16` when the minutes are round and the column is narrow.
fn hours(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let compact = match (
        text.get(0..2),
        text.get(3..5),
        text.get(6..8),
        text.get(9..11),
    ) {
        (Some(h1), Some("00"), Some(h2), Some("00")) => format!("{h1}-{h2}"),
        _ => text.get(0..5).unwrap_or_default().to_string(),
    };
    if compact.width() <= width {
        compact
    } else {
        String::new()
    }
}

/// `text` cut to at most `width` columns, with `…` where it was cut.
fn fit(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// Words of `items`, two spaces apart, wrapped at `width`.
fn wrap(items: &[String], width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for item in items {
        match lines.last_mut() {
            Some(line) if line.width() + 2 + item.width() <= width => {
                line.push_str("  ");
                line.push_str(item);
            }
            _ => lines.push(fit(item, width)),
        }
    }
    lines
}

/// One line of the grid being drawn, padded by display width.
struct Row {
    text: String,
    colour: bool,
    /// Spaces owed before the next visible text; dropped at the end of the line.
    pending: usize,
}

impl Row {
    fn new(colour: bool) -> Self {
        Row {
            text: String::new(),
            colour,
            pending: 0,
        }
    }

    fn gap(&mut self) {
        self.pending += GAP;
    }

    fn push(&mut self, text: &str, style: Style) {
        if text.trim().is_empty() {
            self.pending += text.width();
            return;
        }
        self.text.push_str(&" ".repeat(self.pending));
        self.pending = 0;
        styled(&mut self.text, text, style, self.colour);
    }

    fn cell(&mut self, text: &str, width: usize, style: Style) {
        self.push(text, style);
        self.pending += width.saturating_sub(text.width());
    }

    fn finish(self, out: &mut String) {
        out.push_str(&self.text);
        out.push('\n');
    }
}

fn styled(out: &mut String, text: &str, style: Style, colour: bool) {
    if colour && style != Style::new() {
        out.push_str(&format!("{style}{text}{style:#}"));
    } else {
        out.push_str(text);
    }
}

fn push_line(out: &mut String, text: &str, style: Style, colour: bool) {
    styled(out, text, style, colour);
    out.push('\n');
}
