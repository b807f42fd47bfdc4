//! Calendar dates as records write them: `YYYY-MM-DD`.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The prefix of a date error, so that the YAML module can report it as a bad date.
pub const DATE_ERROR: &str = "invalid date: ";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub NaiveDate);

impl Date {
    pub fn parse(text: &str) -> Result<Date, String> {
        let well_formed = text.len() == 10
            && text.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        if !well_formed {
            return Err(format!("`{text}` is not in the form YYYY-MM-DD"));
        }
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(Date)
            .map_err(|_| match Date::month_end(text) {
                Some(end) => format!(
                    "`{text}` is not a day of the calendar: {} has {} days",
                    &text[..7],
                    &end[8..]
                ),
                None => format!("`{text}` is not a day of the calendar: months are 01 to 12"),
            })
    }

    /// The last day of the month of a well-formed `YYYY-MM-DD` whose day is past it (what
    /// `2027-02-30` most likely meant), or `None` when its month is not 01 to 12.
    pub fn month_end(text: &str) -> Option<String> {
        let year: i32 = text.get(..4)?.parse().ok()?;
        let month: u32 = text.get(5..7)?.parse().ok()?;
        let next = match month {
            12 => NaiveDate::from_ymd_opt(year + 1, 1, 1),
            _ => NaiveDate::from_ymd_opt(year, month + 1, 1),
        };
        let first = NaiveDate::from_ymd_opt(year, month, 1)?;
        let last = next?.pred_opt()?;
        (first <= last).then(|| Date(last).to_string())
    }

    pub fn days_until(self, later: Date) -> i64 {
        (later.0 - self.0).num_days()
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        // By hand: chrono's `format` parses its pattern on every call, and a build writes
        // hundreds of thousands of dates (pages, page keys, the search indexes).
        use chrono::Datelike;
        match self.0.year() {
            year @ 0..=9999 => write!(f, "{year:04}-{:02}-{:02}", self.0.month(), self.0.day()),
            _ => write!(f, "{}", self.0.format("%Y-%m-%d")),
        }
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if !deserializer.is_human_readable() {
            let days = i32::deserialize(deserializer)?;
            return NaiveDate::from_num_days_from_ce_opt(days)
                .map(Date)
                .ok_or_else(|| serde::de::Error::custom(format!("{DATE_ERROR}day {days}")));
        }
        deserializer.deserialize_str(DateText)
    }
}

/// A date as YAML and JSON write it: its text. A value of another type (`done: true`,
/// `due: 20261015`) is told as not a date, rather than "expected text".
struct DateText;

impl serde::de::Visitor<'_> for DateText {
    type Value = Date;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a date as YYYY-MM-DD")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Date, E> {
        Date::parse(text).map_err(|e| E::custom(format!("{DATE_ERROR}{e}")))
    }
}

/// As `YYYY-MM-DD` for readers (templates, JSON, CSV); in binary forms (page keys, cache
/// files) as the day's number, which costs no formatting: a save hashes every date of the
/// site's records into their pages' keys.
impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if !serializer.is_human_readable() {
            use chrono::Datelike;
            return serializer.serialize_i32(self.0.num_days_from_ce());
        }
        serializer.collect_str(self)
    }
}

/// Today, or the day given in `TRUSTBOOK_TODAY`, so that builds and tests can be reproduced.
pub fn today() -> Result<Date, String> {
    match std::env::var("TRUSTBOOK_TODAY") {
        Ok(text) => Date::parse(&text).map_err(|e| format!("TRUSTBOOK_TODAY: {e}")),
        Err(_) => Ok(Date(chrono::Local::now().date_naive())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_real_iso_days() {
        assert_eq!(Date::parse("2027-05-01").unwrap().to_string(), "2027-05-01");
        assert!(Date::parse("2027-5-1").unwrap_err().contains("YYYY-MM-DD"));
        assert!(Date::parse("2027-02-30").unwrap_err().contains("not a day"));
        assert!(Date::parse("01/05/2027").is_err());
        let early = Date(NaiveDate::from_ymd_opt(7, 3, 9).unwrap());
        assert_eq!(early.to_string(), "0007-03-09");
        let late = Date(NaiveDate::from_ymd_opt(10000, 1, 2).unwrap());
        assert_eq!(late.to_string(), late.0.format("%Y-%m-%d").to_string());
    }

    #[test]
    fn readers_see_the_day_written_and_binary_forms_its_number() {
        let day = Date::parse("2026-11-30").unwrap();
        assert_eq!(serde_json::to_string(&day).unwrap(), "\"2026-11-30\"");
        let bytes = bincode::serialize(&Some(day)).unwrap();
        assert_eq!(bytes.len(), 1 + 4, "a tag and the day's number, not text");
        let back: Option<Date> = bincode::deserialize(&bytes).unwrap();
        assert_eq!(back, Some(day));
        let next = Date::parse("2026-12-01").unwrap();
        assert_ne!(
            bincode::serialize(&next).unwrap(),
            bincode::serialize(&day).unwrap()
        );
    }

    #[test]
    fn a_day_past_its_month_says_how_long_the_month_is() {
        assert_eq!(
            Date::parse("2027-02-30").unwrap_err(),
            "`2027-02-30` is not a day of the calendar: 2027-02 has 28 days"
        );
        assert_eq!(
            Date::parse("2028-02-30").unwrap_err(),
            "`2028-02-30` is not a day of the calendar: 2028-02 has 29 days"
        );
        assert_eq!(Date::month_end("2026-12-32").as_deref(), Some("2026-12-31"));
        assert!(
            Date::parse("2027-13-01")
                .unwrap_err()
                .contains("months are 01 to 12")
        );
        assert!(
            Date::parse("2027-00-10")
                .unwrap_err()
                .contains("months are 01 to 12")
        );
        assert_eq!(Date::month_end("2027-13-01"), None);
    }
}
