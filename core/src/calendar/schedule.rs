//! One year's official holiday schedule (the State Council's annual notice) and the file format that carries it.
//!
//! ```toml
//! format = "ruhu-work-calendar/1"
//! [[years]]
//! year = 2027
//! notice = "国务院办公厅关于2027年部分节假日安排的通知（…）"
//! issued = 2026-11-05          # optional
//! source = "where the dates were read"
//! [[years.holidays]]
//! name = "春节"
//! off_from = 2027-02-05        # inclusive
//! off_to = 2027-02-12          # inclusive
//! working = [2027-02-14]       # adjusted working days (调休上班日): weekend days that are worked
//! ```

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::CalendarError;
use crate::toml_reader::{KeyError, TableReader, date_value, parse_document, table_value, wrong_type};

pub const CALENDAR_FORMAT: &str = "ruhu-work-calendar/1";

/// Longest single holiday break we accept (the longest so far is 9 days); longer is a typing error.
const MAX_BREAK_DAYS: i64 = 15;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    /// 元旦, 春节, …
    pub name: String,
    pub off_from: NaiveDate,
    pub off_to: NaiveDate,
    /// Weekend days worked to make up for this break.
    #[serde(default)]
    pub working: Vec<NaiveDate>,
}

impl Holiday {
    pub fn off_days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.off_from.iter_days().take_while(move |d| *d <= self.off_to)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearSchedule {
    pub year: i32,
    /// The notice's title and document number.
    pub notice: String,
    pub issued: Option<NaiveDate>,
    /// Where the dates were read and how they were checked.
    pub source: String,
    pub holidays: Vec<Holiday>,
}

impl YearSchedule {
    /// Every schedule in a calendar file, each validated on its own.
    pub fn list_from_toml(text: &str) -> Result<Vec<YearSchedule>, CalendarError> {
        let doc = parse_document(text)?;
        let root = TableReader::new("", &doc);
        let format = root.string("format")?;
        if format != CALENDAR_FORMAT {
            return Err(KeyError::new(
                "format",
                format!("must be \"{CALENDAR_FORMAT}\", found {format:?}"),
                format!("须为 \"{CALENDAR_FORMAT}\"，实际为 \"{format}\""),
            )
            .into());
        }
        let items = root.array("years")?;
        if items.is_empty() {
            return Err(KeyError::new("years", "lists no year", "未列出任何年份").into());
        }
        let mut out: Vec<YearSchedule> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let path = format!("years[{i}]");
            let schedule = parse_year(&path, item)?;
            if out.iter().any(|s| s.year == schedule.year) {
                return Err(KeyError::new(
                    format!("{path}.year"),
                    format!("{} is listed twice", schedule.year),
                    format!("{}年重复出现", schedule.year),
                )
                .into());
            }
            out.push(schedule);
        }
        root.finish()?;
        Ok(out)
    }

    /// A file holding exactly one year (what an administrator loads each November).
    pub fn from_toml(text: &str) -> Result<YearSchedule, CalendarError> {
        let mut list = Self::list_from_toml(text)?;
        if list.len() != 1 {
            return Err(KeyError::new(
                "years",
                format!("must hold exactly one year, found {}", list.len()),
                format!("须只包含一个年份，实际包含{}个", list.len()),
            )
            .into());
        }
        Ok(list.remove(0))
    }

    /// Checks the rules a schedule must follow; the errors name paths as in a file holding this year alone.
    pub fn validate(&self) -> Result<(), CalendarError> {
        self.validate_at("years[0]").map_err(CalendarError::from)
    }

    fn validate_at(&self, path: &str) -> Result<(), KeyError> {
        if !(2000..=2100).contains(&self.year) {
            return Err(KeyError::new(format!("{path}.year"), "must be between 2000 and 2100", "须在2000到2100之间"));
        }
        for (key, value) in [("notice", &self.notice), ("source", &self.source)] {
            if value.trim().is_empty() {
                return Err(KeyError::new(format!("{path}.{key}"), "must not be empty", "不能为空"));
            }
        }
        if self.holidays.is_empty() {
            return Err(KeyError::new(format!("{path}.holidays"), "lists no holiday", "未列出任何节假日"));
        }
        let year = self.year;
        let in_year = |p: &str, d: NaiveDate| {
            if d.year() == year { Ok(()) } else { Err(KeyError::new(p, format!("{d} is not in {year}"), format!("{d} 不在{year}年内"))) }
        };
        // Every off day and every working day, with where it was declared, to find days declared twice.
        let mut off: BTreeMap<NaiveDate, String> = BTreeMap::new();
        let mut working: BTreeMap<NaiveDate, String> = BTreeMap::new();
        for (i, h) in self.holidays.iter().enumerate() {
            let hp = format!("{path}.holidays[{i}]");
            if h.name.trim().is_empty() {
                return Err(KeyError::new(format!("{hp}.name"), "must not be empty", "不能为空"));
            }
            in_year(&format!("{hp}.off_from"), h.off_from)?;
            in_year(&format!("{hp}.off_to"), h.off_to)?;
            if h.off_to < h.off_from {
                return Err(KeyError::new(format!("{hp}.off_to"), "is before off_from", "早于放假开始日期 off_from"));
            }
            if (h.off_to - h.off_from).num_days() >= MAX_BREAK_DAYS {
                return Err(KeyError::new(
                    format!("{hp}.off_to"),
                    format!("a break of more than {MAX_BREAK_DAYS} days is not plausible"),
                    format!("连续放假超过{MAX_BREAK_DAYS}天，不合常理，请核对"),
                ));
            }
            for d in h.off_days() {
                if let Some(other) = off.insert(d, hp.clone()) {
                    return Err(KeyError::new(
                        format!("{hp}.off_from"),
                        format!("{d} is already a day off in {other}"),
                        format!("{d} 已在 {other} 中列为放假日"),
                    ));
                }
            }
            for (j, d) in h.working.iter().enumerate() {
                let wp = format!("{hp}.working[{j}]");
                in_year(&wp, *d)?;
                if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
                    return Err(KeyError::new(
                        &wp,
                        format!("{d} is a weekday: an adjusted working day must be a Saturday or Sunday"),
                        format!("{d} 本是工作日；调休上班日须为周六或周日"),
                    ));
                }
                if let Some(other) = working.insert(*d, wp.clone()) {
                    return Err(KeyError::new(&wp, format!("{d} is listed twice (also {other})"), format!("{d} 重复列出（另见 {other}）")));
                }
            }
        }
        if let Some((d, wp)) = working.iter().find(|(d, _)| off.contains_key(d)) {
            return Err(KeyError::new(wp, format!("{d} is both a day off and a working day"), format!("{d} 既是放假日又是上班日")));
        }
        Ok(())
    }
}

fn parse_year(path: &str, value: &toml::Value) -> Result<YearSchedule, KeyError> {
    let t = table_value(path, value)?;
    let year_path = t.key_path("year");
    let year = i32::try_from(t.integer("year")?).map_err(|_| KeyError::new(&year_path, "must be between 2000 and 2100", "须在2000到2100之间"))?;
    let notice = t.text("notice")?;
    let issued = t.opt_date("issued")?;
    let source = t.text("source")?;
    let mut holidays = Vec::new();
    for (i, item) in t.array("holidays")?.iter().enumerate() {
        let hp = t.key_path(&format!("holidays[{i}]"));
        let h = table_value(&hp, item)?;
        let name = h.text("name")?;
        let off_from = h.date("off_from")?;
        let off_to = h.date("off_to")?;
        let working = match h.opt("working") {
            None => Vec::new(),
            Some(toml::Value::Array(items)) => {
                items.iter().enumerate().map(|(j, v)| date_value(&h.key_path(&format!("working[{j}]")), v)).collect::<Result<Vec<_>, _>>()?
            }
            Some(other) => return Err(wrong_type(&h.key_path("working"), "an array of dates", "日期数组", other)),
        };
        h.finish()?;
        holidays.push(Holiday { name, off_from, off_to, working });
    }
    t.finish()?;
    let schedule = YearSchedule { year, notice, issued, source, holidays };
    schedule.validate_at(path)?;
    Ok(schedule)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(holidays: &str) -> String {
        format!("format = \"ruhu-work-calendar/1\"\n[[years]]\nyear = 2027\nnotice = \"测试通知\"\nsource = \"test\"\n{holidays}")
    }

    fn err_path(text: &str) -> String {
        match YearSchedule::from_toml(text) {
            Err(CalendarError::InvalidSchedule(e)) => {
                assert!(!e.message_zh.is_empty());
                e.path
            }
            other => panic!("expected an invalid schedule, got {other:?}"),
        }
    }

    #[test]
    fn a_valid_year_loads() {
        let s = YearSchedule::from_toml(&file(
            "[[years.holidays]]\nname = \"春节\"\noff_from = 2027-02-05\noff_to = 2027-02-12\nworking = [2027-02-14]\n",
        ))
        .unwrap();
        assert_eq!(s.year, 2027);
        assert_eq!(s.holidays[0].off_days().count(), 8);
    }

    #[test]
    fn malformed_schedules_are_refused_with_the_path() {
        // A date outside the year.
        assert_eq!(
            err_path(&file("[[years.holidays]]\nname = \"元旦\"\noff_from = 2026-12-31\noff_to = 2027-01-01\n")),
            "years[0].holidays[0].off_from"
        );
        // A day both off and working.
        assert_eq!(
            err_path(&file(
                "[[years.holidays]]\nname = \"A\"\noff_from = 2027-02-06\noff_to = 2027-02-07\n\
                 [[years.holidays]]\nname = \"B\"\noff_from = 2027-05-01\noff_to = 2027-05-02\nworking = [2027-02-06]\n"
            )),
            "years[0].holidays[1].working[0]"
        );
        // A weekday declared as an adjusted working day.
        assert_eq!(
            err_path(&file("[[years.holidays]]\nname = \"A\"\noff_from = 2027-02-06\noff_to = 2027-02-07\nworking = [2027-02-10]\n")),
            "years[0].holidays[0].working[0]"
        );
        // Overlapping holidays, reversed ranges, typos, missing keys, wrong types.
        assert_eq!(
            err_path(&file(
                "[[years.holidays]]\nname = \"A\"\noff_from = 2027-02-06\noff_to = 2027-02-08\n\
                 [[years.holidays]]\nname = \"B\"\noff_from = 2027-02-08\noff_to = 2027-02-09\n"
            )),
            "years[0].holidays[1].off_from"
        );
        assert_eq!(err_path(&file("[[years.holidays]]\nname = \"A\"\noff_from = 2027-02-08\noff_to = 2027-02-06\n")), "years[0].holidays[0].off_to");
        assert_eq!(err_path(&file("[[years.holidays]]\nname = \"A\"\noff_from = 2027-02-08\noff_too = 2027-02-09\n")), "years[0].holidays[0].off_to");
        assert_eq!(
            err_path(&file("[[years.holidays]]\nname = \"A\"\noff_from = 2027-02-08\noff_to = 2027-02-09\nworkng = []\n")),
            "years[0].holidays[0].workng"
        );
        assert_eq!(err_path(&file("[[years.holidays]]\nname = \"A\"\noff_from = 20270208\noff_to = 2027-02-09\n")), "years[0].holidays[0].off_from");
        assert_eq!(err_path(&file("")), "years[0].holidays");
        assert_eq!(err_path("format = \"other/1\"\n"), "format");
        assert_eq!(err_path("format = \"ruhu-work-calendar/1\"\nyears = [ \n"), "");
        // Two years where one is expected.
        let two = format!(
            "{}\n[[years]]\nyear = 2028\nnotice = \"n\"\nsource = \"s\"\n[[years.holidays]]\nname = \"A\"\noff_from = 2028-01-01\noff_to = 2028-01-01\n",
            file("[[years.holidays]]\nname = \"A\"\noff_from = 2027-01-01\noff_to = 2027-01-01\n")
        );
        assert_eq!(err_path(&two), "years");
        assert_eq!(YearSchedule::list_from_toml(&two).unwrap().len(), 2);
    }
}
