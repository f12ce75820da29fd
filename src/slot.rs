//! The identity of a slot: one rotation's shift on one local date.
//!
//! A slot is what stays the same whoever holds it and whatever the shift's hours are: the
//! lock publishes turns by their first slot, calendar events are named after their slot, the
//! reminder state remembers what was sent per slot, and the emails' Message-IDs come from it.
//! All of them use the one text form of [`SlotId`] (`2026-12-07-support-hero`), so a slot
//! means the same thing in `rotation.lock`, the feeds, the state file and the emails.
//!
//! [`Slot`] is the small `Copy` form the core carries in every shift (a year of a large
//! organisation is a million of them); [`SlotId`] is the name-based form for anything that
//! outlives one config (files, feeds, mail), since a rotation index means nothing across
//! versions of the config.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate, TimeDelta};

use crate::model::{Model, RotationIx};
use crate::timefmt::{self, push_two_digits};

/// One rotation's shift on one local date (in the rotation's zone), within one config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slot {
    pub rotation: RotationIx,
    /// The rotation-zone date the shift starts on.
    pub date: NaiveDate,
}

impl Slot {
    /// The slot's name-based identity, for anything that outlives this config.
    pub fn id(&self, model: &Model) -> SlotId {
        SlotId {
            rotation: model.rotations[self.rotation].name.clone(),
            date: self.date,
        }
    }
}

/// A slot named by its rotation's name: the same slot in any version of the config.
///
/// Its text form is the date, a `-`, and the rotation's name with every byte other than
/// `A-Z a-z 0-9 - _ .` percent-encoded: `2026-12-07-support-hero`, `2026-12-07-%C3%A9quipe`.
/// The date has a fixed width, so the text reads back unambiguously ([`FromStr`]); it is ASCII
/// and holds no `+`, `@` or whitespace, so it can be embedded in UIDs and Message-IDs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SlotId {
    pub rotation: String,
    pub date: NaiveDate,
}

impl SlotId {
    /// This slot in `model`, if the model still has the rotation.
    pub fn resolve(&self, rotation: impl Fn(&str) -> Option<RotationIx>) -> Option<Slot> {
        Some(Slot {
            rotation: rotation(&self.rotation)?,
            date: self.date,
        })
    }
}

impl fmt::Display for SlotId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::new();
        push_text(&mut text, self.date, &escape(&self.rotation));
        f.write_str(&text)
    }
}

/// Why a text is not a slot.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a slot; a slot is written DATE-ROTATION, e.g. 2026-12-07-support-hero")]
pub struct NotASlot(pub String);

impl FromStr for SlotId {
    type Err = NotASlot;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || NotASlot(text.to_string());
        let (date, rotation) = match (text.get(..10), text.get(10..11), text.get(11..)) {
            (Some(date), Some("-"), Some(rotation)) if !rotation.is_empty() => (date, rotation),
            _ => return Err(bad()),
        };
        let date = timefmt::parse_date(date).ok_or_else(bad)?;
        let rotation = unescape(rotation).ok_or_else(bad)?;
        Ok(SlotId { rotation, date })
    }
}

/// A stretch of a slot: the whole shift (offset zero), or the part an override split off,
/// starting `offset` after the slot's start. Who holds it never changes it.
///
/// Text: the slot's, plus `+` and the offset as an ISO 8601 duration for a split part:
/// `2026-12-02-emea`, `2026-12-02-emea+PT6H`. Calendar UIDs are this text at the team's
/// domain; reminders are remembered by it and the person.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SlotPart {
    pub slot: SlotId,
    pub offset: TimeDelta,
}

impl fmt::Display for SlotPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::new();
        push_part(
            &mut text,
            self.slot.date,
            &escape(&self.slot.rotation),
            self.offset,
        );
        f.write_str(&text)
    }
}

impl FromStr for SlotPart {
    type Err = NotASlot;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let Some((slot, offset)) = text.split_once('+') else {
            return Ok(SlotPart {
                slot: text.parse()?,
                offset: TimeDelta::zero(),
            });
        };
        let offset = parse_iso_duration(offset).ok_or_else(|| NotASlot(text.to_string()))?;
        Ok(SlotPart {
            slot: slot.parse()?,
            offset,
        })
    }
}

/// Appends the text of the slot of `date` in the rotation whose [`escape`]d name is
/// `escaped_rotation`: the fast path for the million events of a large export, which escape
/// each rotation's name once.
pub fn push_text(out: &mut String, date: NaiveDate, escaped_rotation: &str) {
    push_date(out, date);
    out.push('-');
    out.push_str(escaped_rotation);
}

/// Appends `date` as `YYYY-MM-DD`, its `Display` text, put together by hand for the
/// hundreds of thousands of dates of a large organisation's lock and publish report.
pub fn push_date(out: &mut String, date: NaiveDate) {
    match u32::try_from(date.year()) {
        Ok(year) if year <= 9999 => {
            push_two_digits(out, year / 100);
            push_two_digits(out, year % 100);
            out.push('-');
            push_two_digits(out, date.month());
            out.push('-');
            push_two_digits(out, date.day());
        }
        _ => {
            use std::fmt::Write as _;
            let _ = write!(out, "{date}");
        }
    }
}

/// [`push_text`] of a [`SlotPart`].
pub fn push_part(out: &mut String, date: NaiveDate, escaped_rotation: &str, offset: TimeDelta) {
    push_text(out, date, escaped_rotation);
    if offset != TimeDelta::zero() {
        out.push('+');
        out.push_str(&iso_duration(offset));
    }
}

/// Keeps `A-Z a-z 0-9 - _ .` and percent-encodes every other byte, so that slot texts are
/// ASCII and two different names never share one (`+` is encoded: it separates a split part).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text);
    out
}

/// [`escape`] of `text`, added to the end of `out`.
pub fn push_escaped(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
    }
}

/// The inverse of [`escape`]; `None` for text [`escape`] never writes.
pub fn unescape(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = text.get(i + 1..i + 3)?;
                if hex.bytes().any(|b| b.is_ascii_lowercase()) {
                    return None;
                }
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') => {
                out.push(b);
                i += 1;
            }
            _ => return None,
        }
    }
    String::from_utf8(out).ok()
}

/// `PT6H`, `PT14H30M`, `PT5S`.
pub fn iso_duration(delta: TimeDelta) -> String {
    let seconds = delta.num_seconds();
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    let mut out = String::from("PT");
    if h != 0 {
        out.push_str(&format!("{h}H"));
    }
    if m != 0 {
        out.push_str(&format!("{m}M"));
    }
    if s != 0 || (h == 0 && m == 0) {
        out.push_str(&format!("{s}S"));
    }
    out
}

/// The inverse of [`iso_duration`].
pub fn parse_iso_duration(text: &str) -> Option<TimeDelta> {
    let mut rest = text.strip_prefix("PT")?;
    let mut seconds: i64 = 0;
    let mut any = false;
    for (unit, factor) in [('H', 3600), ('M', 60), ('S', 1)] {
        if let Some(end) = rest.find(unit) {
            let n: i64 = rest[..end].parse().ok()?;
            seconds = seconds.checked_add(n.checked_mul(factor)?)?;
            rest = &rest[end + 1..];
            any = true;
        }
    }
    (any && rest.is_empty()).then(|| TimeDelta::seconds(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_slot_reads_back_from_its_text() {
        for name in ["support-hero", "équipe", "a+b", "x y", "-", "2026-12-01-x"] {
            let id = SlotId {
                rotation: name.to_string(),
                date: date("2026-12-07"),
            };
            let text = id.to_string();
            assert!(text.is_ascii() && !text.contains(['+', '@', ' ']), "{text}");
            assert_eq!(text.parse::<SlotId>(), Ok(id));
        }
        assert_eq!(
            SlotId {
                rotation: "support-hero".into(),
                date: date("2026-12-07")
            }
            .to_string(),
            "2026-12-07-support-hero"
        );
        assert!("2026-12-07".parse::<SlotId>().is_err());
        assert!("2026-13-07-x".parse::<SlotId>().is_err());
        assert!("2026-12-07-a b".parse::<SlotId>().is_err());
    }

    #[test]
    fn a_split_part_names_its_offset_from_the_slot_start() {
        let part = SlotPart {
            slot: SlotId {
                rotation: "emea".into(),
                date: date("2026-12-02"),
            },
            offset: TimeDelta::minutes(14 * 60 + 30),
        };
        assert_eq!(part.to_string(), "2026-12-02-emea+PT14H30M");
        assert_eq!(part.to_string().parse::<SlotPart>(), Ok(part.clone()));
        let whole = SlotPart {
            offset: TimeDelta::zero(),
            ..part
        };
        assert_eq!(whole.to_string(), "2026-12-02-emea");
        assert_eq!("2026-12-02-emea".parse::<SlotPart>(), Ok(whole));
    }

    #[test]
    fn names_are_escaped_so_that_two_never_share_a_text() {
        assert_eq!(escape("support-hero"), "support-hero");
        assert_eq!(escape("équipe"), "%C3%A9quipe");
        assert_ne!(escape("a+b"), escape("a-b"));
        assert!(!escape("x+PT6H").contains('+'));
        assert_eq!(unescape("%c3%a9"), None);
    }

    #[test]
    fn durations_read_back() {
        assert_eq!(iso_duration(TimeDelta::hours(6)), "PT6H");
        assert_eq!(iso_duration(TimeDelta::minutes(14 * 60 + 30)), "PT14H30M");
        assert_eq!(iso_duration(TimeDelta::seconds(5)), "PT5S");
        for s in [5, 3600, 3661, 86400 + 60] {
            let d = TimeDelta::seconds(s);
            assert_eq!(parse_iso_duration(&iso_duration(d)), Some(d));
        }
    }
}
