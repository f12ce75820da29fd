//! A rotation's calendar: which local days have a shift and when each shift starts and ends.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::local_time;
use crate::memo::Memo;
use crate::model::{Rotation, Window};

/// A shift on the calendar, before anyone is assigned to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CalendarShift {
    /// The rotation-zone date the shift starts on.
    pub date: NaiveDate,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// The shift of `rotation` on `date`, if it has one there.
pub fn on(rotation: &Rotation, date: NaiveDate, times: &mut Times) -> Option<CalendarShift> {
    if !rotation.has_shift_on(date) {
        return None;
    }
    let (start, end) = times.of(rotation.timezone, rotation.window, date);
    // A window that lies wholly in time the clocks skipped (Samoa skipped 30 December 2011;
    // a 02:00-03:00 window on a spring-forward day) lasts no time: no shift, so nobody's turn
    // is spent on it.
    (start < end).then_some(CalendarShift { date, start, end })
}

/// Whether `rotation` has a shift on `date`, as [`on`] decides, without working out its
/// instants where that cannot change the answer: only a window whose start the clocks skip
/// can vanish, and the turns replayed from `team.start` ask this for every day.
pub fn exists(rotation: &Rotation, date: NaiveDate, times: &mut Times) -> bool {
    if !rotation.has_shift_on(date) {
        return false;
    }
    let (start, _) = rotation.window.on(date);
    use chrono::TimeZone;
    match rotation.timezone.offset_from_local_datetime(&start) {
        chrono::LocalResult::None => on(rotation, date, times).is_some(),
        _ => true,
    }
}

/// Shift instants already worked out, by zone, window and date. The rotations of a large
/// organisation share a few zones and windows (every team's Tokyo leg runs 08:00-16:00), and
/// resolving each day's window through its zone's rules was a good part of planning them.
#[derive(Default)]
pub struct Times(Memo<(Tz, Window, NaiveDate), Bounds>);

/// A shift's start and end.
type Bounds = (DateTime<Utc>, DateTime<Utc>);

impl Times {
    fn of(&mut self, tz: Tz, window: Window, date: NaiveDate) -> Bounds {
        *self.0.get((tz, window, date), || {
            let (start, end) = window.on(date);
            (local_time::resolve(tz, start), local_time::resolve(tz, end))
        })
    }
}
