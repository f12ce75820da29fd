//! A rotation's calendar: which local days have a shift and when each shift starts and ends.

use chrono::{DateTime, NaiveDate, Utc};

use super::local_time;
use crate::model::Rotation;

/// A shift on the calendar, before anyone is assigned to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CalendarShift {
    /// The rotation-zone date the shift starts on.
    pub date: NaiveDate,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// The shift of `rotation` on `date`, if it has one there.
pub fn on(rotation: &Rotation, date: NaiveDate) -> Option<CalendarShift> {
    if !rotation.has_shift_on(date) {
        return None;
    }
    let (start, end) = rotation.window.on(date);
    Some(CalendarShift {
        date,
        start: local_time::resolve(rotation.timezone, start),
        end: local_time::resolve(rotation.timezone, end),
    })
}
