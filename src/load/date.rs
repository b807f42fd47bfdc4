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
            .map_err(|_| format!("`{text}` is not a day of the calendar"))
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
        let text = String::deserialize(deserializer)?;
        Date::parse(&text).map_err(|e| serde::de::Error::custom(format!("{DATE_ERROR}{e}")))
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
}
