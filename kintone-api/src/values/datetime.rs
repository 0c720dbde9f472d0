//! kintone's date, time and date-time values, with the rules of the REST API overview.
//!
//! - [`Date`]: `YYYY-MM-DD`, never converted to UTC. kintone accepts shortened forms and fills
//!   the missing parts with 01 (`2024` → `2024-01-01`, `2024-8` → `2024-08-01`); so does
//!   [`Date::from_str`].
//! - [`Time`]: `HH:MM`, never converted to UTC.
//! - [`DateTime`]: an instant. kintone answers in UTC (`2024-08-22T15:23:00Z`) and reads a date
//!   alone as 00:00 UTC; it accepts `Z` or an offset (`2024-08-22T07:23:00-08:00`) and ignores
//!   seconds. Values are kept in UTC and written in kintone's response form; [`DateTime::stored`]
//!   gives what kintone keeps once the seconds are dropped.

use std::fmt;
use std::str::FromStr;

use time::{Month, OffsetDateTime, UtcOffset};

/// A value that is not a kintone date, time or date-time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a kintone {expected}")]
pub struct ParseError {
    /// The text that did not parse.
    pub input: String,
    /// The form that was expected, such as `date (YYYY-MM-DD)`.
    pub expected: &'static str,
}

fn error(input: &str, expected: &'static str) -> ParseError {
    ParseError {
        input: input.to_string(),
        expected,
    }
}

/// Digits only, at most `max` of them, parsed as a number.
fn digits(text: &str, max: usize) -> Option<u32> {
    if text.is_empty() || text.len() > max || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The number written by two ASCII digits.
fn two_digits(tens: u8, ones: u8) -> Option<u8> {
    (tens.is_ascii_digit() && ones.is_ascii_digit()).then(|| (tens - b'0') * 10 + (ones - b'0'))
}

/// `YYYY-MM-DD` exactly, the form kintone sends, read without splitting; `None` for any other
/// text, which the general parser then reads (or refuses).
fn full_date(s: &[u8]) -> Option<Date> {
    let &[y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = s else {
        return None;
    };
    let year = u16::from(two_digits(y0, y1)?) * 100 + u16::from(two_digits(y2, y3)?);
    Date::new(i32::from(year), two_digits(m0, m1)?, two_digits(d0, d1)?)
}

/// A calendar date, `YYYY-MM-DD`, never converted to UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date(time::Date);

impl Date {
    /// A date from its parts; `None` when it does not exist (such as 2024-02-30).
    pub fn new(year: i32, month: u8, day: u8) -> Option<Self> {
        let month = Month::try_from(month).ok()?;
        time::Date::from_calendar_date(year, month, day)
            .ok()
            .map(Self)
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.0.year()
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u8 {
        self.0.month() as u8
    }

    /// The day of the month, 1 to 31.
    pub fn day(self) -> u8 {
        self.0.day()
    }

    /// The date as a `time::Date`.
    pub fn to_time_date(self) -> time::Date {
        self.0
    }
}

impl From<time::Date> for Date {
    fn from(date: time::Date) -> Self {
        Self(date)
    }
}

impl FromStr for Date {
    type Err = ParseError;

    /// `YYYY-MM-DD`, or a shortened form kintone accepts: `YYYY`, `YYYY-M(M)`, `YYYY-M(M)-D(D)`,
    /// the missing parts filled with 01.
    fn from_str(s: &str) -> Result<Self, ParseError> {
        if let Some(date) = full_date(s.as_bytes()) {
            return Ok(date);
        }
        let expected = "date (YYYY-MM-DD, or YYYY, YYYY-MM, YYYY-M-D)";
        let mut parts = s.split('-');
        let year = parts
            .next()
            .filter(|y| y.len() == 4)
            .and_then(|y| digits(y, 4));
        let month = parts.next().map(|m| digits(m, 2));
        let day = parts.next().map(|d| digits(d, 2));
        if parts.next().is_some() {
            return Err(error(s, expected));
        }
        let (Some(year), Some(month), Some(day)) =
            (year, month.unwrap_or(Some(1)), day.unwrap_or(Some(1)))
        else {
            return Err(error(s, expected));
        };
        let (Ok(month), Ok(day)) = (u8::try_from(month), u8::try_from(day)) else {
            return Err(error(s, expected));
        };
        Date::new(year as i32, month, day).ok_or_else(|| error(s, expected))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.year(),
            self.month(),
            self.day()
        )
    }
}

/// A time of day, `HH:MM`, never converted to UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Time(time::Time);

impl Time {
    /// A time from hours and minutes; `None` when out of range.
    pub fn new(hour: u8, minute: u8) -> Option<Self> {
        time::Time::from_hms(hour, minute, 0).ok().map(Self)
    }

    /// The hour, 0 to 23.
    pub fn hour(self) -> u8 {
        self.0.hour()
    }

    /// The minute, 0 to 59.
    pub fn minute(self) -> u8 {
        self.0.minute()
    }
}

impl FromStr for Time {
    type Err = ParseError;

    /// `HH:MM` (a one-digit hour is accepted). Seconds are refused: kintone's times have none.
    fn from_str(s: &str) -> Result<Self, ParseError> {
        let expected = "time (HH:MM)";
        if let &[h0, h1, b':', m0, m1] = s.as_bytes() {
            if let (Some(h), Some(m)) = (two_digits(h0, h1), two_digits(m0, m1)) {
                return Time::new(h, m).ok_or_else(|| error(s, expected));
            }
        }
        let (h, m) = s.split_once(':').ok_or_else(|| error(s, expected))?;
        let hour = digits(h, 2).and_then(|h| u8::try_from(h).ok());
        let minute = (m.len() == 2)
            .then(|| digits(m, 2))
            .flatten()
            .and_then(|m| u8::try_from(m).ok());
        match (hour, minute) {
            (Some(h), Some(m)) => Time::new(h, m).ok_or_else(|| error(s, expected)),
            _ => Err(error(s, expected)),
        }
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour(), self.minute())
    }
}

/// An instant, kept in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateTime(OffsetDateTime);

impl DateTime {
    /// The instant, in UTC.
    pub fn to_offset_date_time(self) -> OffsetDateTime {
        self.0
    }

    /// What kintone stores when this value is written: the same instant with the seconds dropped.
    pub fn stored(self) -> Self {
        Self(
            self.0
                .replace_second(0)
                .and_then(|t| t.replace_nanosecond(0))
                .unwrap_or(self.0),
        )
    }

    /// The UTC calendar date of the instant.
    pub fn date(self) -> Date {
        Date(self.0.date())
    }
}

impl From<OffsetDateTime> for DateTime {
    fn from(instant: OffsetDateTime) -> Self {
        Self(instant.to_offset(UtcOffset::UTC))
    }
}

impl From<Date> for DateTime {
    /// A date alone means 00:00 UTC that day, as kintone reads it.
    fn from(date: Date) -> Self {
        Self(date.0.midnight().assume_utc())
    }
}

impl FromStr for DateTime {
    type Err = ParseError;

    /// `YYYY-MM-DDTHH:MM[:SS[.fff]]` followed by `Z`, `±HH:MM` or `±HHMM`; or a date alone,
    /// which means 00:00 UTC.
    fn from_str(s: &str) -> Result<Self, ParseError> {
        // `YYYY-MM-DDTHH:MM:SSZ`, the form kintone sends, read without splitting.
        if let [date @ .., b'T', h0, h1, b':', m0, m1, b':', s0, s1, b'Z'] = s.as_bytes() {
            let time = two_digits(*h0, *h1)
                .zip(two_digits(*m0, *m1))
                .zip(two_digits(*s0, *s1));
            if let (Some(date), Some(((h, m), sec))) = (full_date(date), time) {
                if let Ok(time) = time::Time::from_hms(h, m, sec) {
                    return Ok(DateTime::from(date.0.with_time(time).assume_utc()));
                }
            }
        }
        let expected = "date-time (YYYY-MM-DDTHH:MM:SSZ or with a ±HH:MM offset)";
        let Some((date, rest)) = s.split_once('T') else {
            return s
                .parse::<Date>()
                .map(DateTime::from)
                .map_err(|_| error(s, expected));
        };
        let date: Date = match date.len() {
            10 => date.parse().map_err(|_| error(s, expected))?,
            _ => return Err(error(s, expected)),
        };
        let (clock, offset) = split_offset(rest).ok_or_else(|| error(s, expected))?;
        let mut fields = clock.split(':');
        let hour = fields
            .next()
            .and_then(|h| (h.len() == 2).then(|| digits(h, 2)).flatten());
        let minute = fields
            .next()
            .and_then(|m| (m.len() == 2).then(|| digits(m, 2)).flatten());
        let (second, nano) = match fields.next() {
            None => (Some(0), 0),
            Some(sec) => {
                let (whole, frac) = sec.split_once('.').unwrap_or((sec, ""));
                let nano = if frac.is_empty() {
                    Some(0)
                } else if frac.len() <= 9 {
                    digits(frac, 9).map(|f| f * 10u32.pow(9 - frac.len() as u32))
                } else {
                    None
                };
                match nano {
                    Some(n) if whole.len() == 2 => (digits(whole, 2), n),
                    _ => (None, 0),
                }
            }
        };
        if fields.next().is_some() {
            return Err(error(s, expected));
        }
        let (Some(h), Some(m), Some(sec)) = (hour, minute, second) else {
            return Err(error(s, expected));
        };
        let time = time::Time::from_hms_nano(h as u8, m as u8, sec as u8, nano)
            .map_err(|_| error(s, expected))?;
        Ok(DateTime::from(date.0.with_time(time).assume_offset(offset)))
    }
}

/// Splits `HH:MM:SS+09:00` into the clock and its offset (`Z`, `±HH:MM` or `±HHMM`).
fn split_offset(rest: &str) -> Option<(&str, UtcOffset)> {
    if let Some(clock) = rest.strip_suffix('Z') {
        return Some((clock, UtcOffset::UTC));
    }
    let at = rest.rfind(['+', '-'])?;
    let (clock, offset) = rest.split_at(at);
    let sign: i8 = if offset.starts_with('-') { -1 } else { 1 };
    let digits_only: String = offset[1..].chars().filter(|c| *c != ':').collect();
    let shape_ok = matches!(offset.len(), 6 if offset.as_bytes()[3] == b':') || offset.len() == 5;
    if !shape_ok || digits_only.len() != 4 {
        return None;
    }
    let hours = i8::try_from(digits(&digits_only[..2], 2)?).ok()?;
    let minutes = i8::try_from(digits(&digits_only[2..], 2)?).ok()?;
    UtcOffset::from_hms(sign * hours, sign * minutes, 0)
        .ok()
        .map(|o| (clock, o))
}

impl fmt::Display for DateTime {
    /// kintone's response form: UTC with seconds, `YYYY-MM-DDTHH:MM:SSZ`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0;
        write!(
            f,
            "{}T{:02}:{:02}:{:02}Z",
            Date(t.date()),
            t.hour(),
            t.minute(),
            t.second()
        )
    }
}

macro_rules! string_serde {
    ($($name:ident),*) => {$(
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                // Parsed from the text where the reader has it, without copying it first.
                deserializer.deserialize_str(crate::wire::FromStrVisitor::<$name>::new())
            }
        }
    )*};
}

string_serde!(Date, Time, DateTime);

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> String {
        s.parse::<Date>().unwrap().to_string()
    }

    fn date_time(s: &str) -> String {
        s.parse::<DateTime>().unwrap().to_string()
    }

    /// O20: `YYYY-MM-DD`, and the shortened forms filled with 01.
    #[test]
    fn short_dates_are_filled_with_01() {
        assert_eq!(date("2024-08-22"), "2024-08-22");
        assert_eq!(date("2024"), "2024-01-01");
        assert_eq!(date("2024-08"), "2024-08-01");
        assert_eq!(date("2024-8"), "2024-08-01");
        assert_eq!(date("2024-8-1"), "2024-08-01");
    }

    #[test]
    fn impossible_dates_are_refused() {
        for bad in [
            "2024-02-30",
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "24-08-01",
            "2024-08-01-1",
            "",
            "2024/08/01",
            "2024-8-x",
        ] {
            let err = bad.parse::<Date>().unwrap_err();
            assert_eq!(err.input, bad);
        }
        assert_eq!(date("2024-02-29"), "2024-02-29");
    }

    /// The forms kintone sends are read by a shortcut; it agrees with the general reader on
    /// every value, possible or not.
    #[test]
    fn the_shortcut_for_kintones_own_forms_agrees_with_the_general_reader() {
        for (y, m, d) in [
            (2024, 2, 29),
            (2023, 2, 29),
            (2024, 13, 1),
            (2024, 0, 9),
            (1, 1, 1),
        ] {
            for (h, min, sec) in [(0, 0, 0), (23, 59, 59), (24, 0, 0), (12, 60, 0), (9, 5, 61)] {
                let short = format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{sec:02}Z");
                let general = format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{sec:02}+00:00");
                assert_eq!(
                    short.parse::<DateTime>().ok(),
                    general.parse().ok(),
                    "{short}"
                );
            }
            let short = format!("{y:04}-{m:02}-{d:02}");
            let general = format!("{y:04}-{m}-{d}");
            assert_eq!(short.parse::<Date>().ok(), general.parse().ok(), "{short}");
        }
        for (h, m) in [(0, 0), (23, 59), (24, 0), (9, 60)] {
            let short = format!("{h:02}:{m:02}");
            assert_eq!(short.parse::<Time>().ok(), Time::new(h, m), "{short}");
        }
    }

    /// O21: `HH:MM`.
    #[test]
    fn times_are_hours_and_minutes() {
        assert_eq!("09:05".parse::<Time>().unwrap().to_string(), "09:05");
        assert_eq!("9:05".parse::<Time>().unwrap().to_string(), "09:05");
        for bad in ["24:00", "12:60", "12:5", "12:05:00", "1205", ""] {
            assert!(bad.parse::<Time>().is_err(), "{bad}");
        }
    }

    /// O22: responses are UTC with `Z`; a date alone is 00:00 UTC.
    #[test]
    fn date_times_are_utc_and_a_date_alone_is_midnight_utc() {
        assert_eq!(date_time("2024-08-22T15:23:00Z"), "2024-08-22T15:23:00Z");
        assert_eq!(date_time("2024-08-01"), "2024-08-01T00:00:00Z");
    }

    /// O23: `Z` or an offset; the seed's PST example both ways; seconds dropped when stored.
    #[test]
    fn offsets_are_read_and_seconds_are_dropped_when_stored() {
        let utc: DateTime = "2024-08-22T15:23:00Z".parse().unwrap();
        let pst: DateTime = "2024-08-22T07:23:00-08:00".parse().unwrap();
        assert_eq!(utc, pst);
        assert_eq!(pst.to_string(), "2024-08-22T15:23:00Z");
        assert_eq!(
            date_time("2024-10-01T09:00:00+0900"),
            "2024-10-01T00:00:00Z"
        );
        let late: DateTime = "2024-08-01T12:59:59Z".parse().unwrap();
        assert_eq!(
            late.to_string(),
            "2024-08-01T12:59:59Z",
            "the value itself is kept"
        );
        assert_eq!(late.stored().to_string(), "2024-08-01T12:59:00Z");
        assert_eq!(date_time("2024-08-01T12:59Z"), "2024-08-01T12:59:00Z");
        for bad in [
            "2024-08-22T15:23:00",
            "2024-08-22T15:23:00+9",
            "2024-08-22T25:00:00Z",
            "2024-08-22 15:23:00Z",
            "x",
        ] {
            assert!(bad.parse::<DateTime>().is_err(), "{bad}");
        }
    }

    #[test]
    fn serde_uses_kintones_text_forms() {
        let d: Date = serde_json::from_str(r#""2024-8""#).unwrap();
        assert_eq!(serde_json::to_string(&d).unwrap(), r#""2024-08-01""#);
        let t: Time = serde_json::from_str(r#""15:23""#).unwrap();
        assert_eq!(serde_json::to_string(&t).unwrap(), r#""15:23""#);
        let dt: DateTime = serde_json::from_str(r#""2024-08-22T07:23:00-08:00""#).unwrap();
        assert_eq!(
            serde_json::to_string(&dt).unwrap(),
            r#""2024-08-22T15:23:00Z""#
        );
        assert!(serde_json::from_str::<Date>(r#""2024-02-30""#).is_err());
    }
}
