//! The statutory holidays (《全国年节及纪念日放假办法》 as amended by State Council Decree 795) and the lunar dates they
//! need, as data: the basis of *provisional* deadlines in years whose official schedule is not loaded yet.
//! Ruhu does not compute lunar calendars; the dates per year are shipped in core/data/holidays-statutory.toml.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::CalendarError;
use crate::toml_reader::{KeyError, TableReader, parse_document, table_value};

pub const STATUTORY_FORMAT: &str = "ruhu-statutory-holidays/1";

/// What a statutory holiday's first day is tied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// A fixed day of the Gregorian year.
    Fixed { month: u32, day: u32 },
    /// 农历除夕 (the last day of the lunar year).
    Chuxi,
    /// The 清明 solar term.
    Qingming,
    /// 农历五月初五.
    Duanwu,
    /// 农历八月十五.
    Zhongqiu,
}

impl Anchor {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "jan_1" => Self::Fixed { month: 1, day: 1 },
            "may_1" => Self::Fixed { month: 5, day: 1 },
            "oct_1" => Self::Fixed { month: 10, day: 1 },
            "chuxi" => Self::Chuxi,
            "qingming" => Self::Qingming,
            "duanwu" => Self::Duanwu,
            "zhongqiu" => Self::Zhongqiu,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatutoryHoliday {
    pub name: String,
    pub anchor: Anchor,
    pub days: u32,
}

/// The lunar- and solar-term-dependent dates of one Gregorian year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LunarDates {
    pub chuxi: NaiveDate,
    pub qingming: NaiveDate,
    pub duanwu: NaiveDate,
    pub zhongqiu: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatutoryHolidays {
    pub source: String,
    pub holidays: Vec<StatutoryHoliday>,
    lunar: BTreeMap<i32, LunarDates>,
}

impl StatutoryHolidays {
    /// The rules and lunar dates shipped with Ruhu (lunar dates for 2025–2030).
    pub fn bundled() -> StatutoryHolidays {
        // The bundled file is part of the build and is checked by a test; failing here is a build defect.
        Self::from_toml(include_str!("../../data/holidays-statutory.toml")).expect("bundled statutory holidays are valid")
    }

    pub fn from_toml(text: &str) -> Result<StatutoryHolidays, CalendarError> {
        let doc = parse_document(text)?;
        let root = TableReader::new("", &doc);
        let format = root.string("format")?;
        if format != STATUTORY_FORMAT {
            return Err(KeyError::new("format", format!("must be \"{STATUTORY_FORMAT}\""), format!("须为 \"{STATUTORY_FORMAT}\"")).into());
        }
        let source = root.text("source")?;
        let mut holidays = Vec::new();
        for (i, item) in root.array("holidays")?.iter().enumerate() {
            let h = table_value(&format!("holidays[{i}]"), item)?;
            let name = h.text("name")?;
            let anchor_text = h.string("anchor")?;
            let anchor = Anchor::parse(anchor_text).ok_or_else(|| {
                KeyError::new(
                    h.key_path("anchor"),
                    "must be one of jan_1, may_1, oct_1, chuxi, qingming, duanwu, zhongqiu",
                    "须为 jan_1、may_1、oct_1、chuxi、qingming、duanwu、zhongqiu 之一",
                )
            })?;
            let days = h.integer("days")?;
            if !(1..=7).contains(&days) {
                return Err(KeyError::new(h.key_path("days"), "must be between 1 and 7", "须在1到7之间").into());
            }
            h.finish()?;
            holidays.push(StatutoryHoliday { name, anchor, days: days as u32 });
        }
        let lunar_table = root.table("lunar")?;
        let mut lunar = BTreeMap::new();
        for key in lunar_table.keys() {
            let path = lunar_table.key_path(key);
            let year: i32 = key
                .parse()
                .ok()
                .filter(|y| (2000..=2100).contains(y))
                .ok_or_else(|| KeyError::new(&path, "must be a year between 2000 and 2100", "须为2000到2100之间的年份"))?;
            let t = lunar_table.table(key)?;
            let dates =
                LunarDates { chuxi: t.date("chuxi")?, qingming: t.date("qingming")?, duanwu: t.date("duanwu")?, zhongqiu: t.date("zhongqiu")? };
            for (k, d) in [("chuxi", dates.chuxi), ("qingming", dates.qingming), ("duanwu", dates.duanwu), ("zhongqiu", dates.zhongqiu)] {
                if d.year() != year {
                    return Err(KeyError::new(t.key_path(k), format!("{d} is not in {year}"), format!("{d} 不在{year}年内")).into());
                }
            }
            t.finish()?;
            lunar.insert(year, dates);
        }
        root.finish()?;
        Ok(StatutoryHolidays { source, holidays, lunar })
    }

    /// Years for which provisional days can be computed.
    pub fn years(&self) -> Vec<i32> {
        self.lunar.keys().copied().collect()
    }

    pub fn covers(&self, year: i32) -> bool {
        self.lunar.contains_key(&year)
    }

    /// The statutory days off of `year` with their holiday's name; None when the lunar dates of that year are not held.
    pub fn days_off(&self, year: i32) -> Option<BTreeMap<NaiveDate, String>> {
        let lunar = self.lunar.get(&year)?;
        let mut out = BTreeMap::new();
        for h in &self.holidays {
            let first = match h.anchor {
                Anchor::Fixed { month, day } => NaiveDate::from_ymd_opt(year, month, day)?,
                Anchor::Chuxi => lunar.chuxi,
                Anchor::Qingming => lunar.qingming,
                Anchor::Duanwu => lunar.duanwu,
                Anchor::Zhongqiu => lunar.zhongqiu,
            };
            for d in first.iter_days().take(h.days as usize) {
                out.entry(d).or_insert_with(|| h.name.clone());
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_rules_give_thirteen_statutory_days() {
        let s = StatutoryHolidays::bundled();
        assert_eq!(s.years(), vec![2025, 2026, 2027, 2028, 2029, 2030]);
        assert_eq!(s.holidays.iter().map(|h| h.days).sum::<u32>(), 13, "Decree 795: 13 days for all citizens");
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        let days = s.days_off(2027).unwrap();
        // 春节 2027: 除夕 5 Feb + 初一..初三.
        for day in 5..=8 {
            assert_eq!(days.get(&d(2027, 2, day)).map(String::as_str), Some("春节"));
        }
        assert!(!days.contains_key(&d(2027, 2, 9)));
        assert_eq!(days.get(&d(2027, 5, 2)).map(String::as_str), Some("劳动节"));
        assert!(!days.contains_key(&d(2027, 5, 3)));
        assert!(s.days_off(2031).is_none());
        // 2028: 中秋 (3 Oct) falls inside 国庆: 12 distinct days.
        assert_eq!(s.days_off(2028).unwrap().len(), 12);
    }

    #[test]
    fn bad_statutory_files_are_refused_with_the_path() {
        let text = include_str!("../../data/holidays-statutory.toml").replace("anchor = \"duanwu\"", "anchor = \"dragon\"");
        match StatutoryHolidays::from_toml(&text) {
            Err(CalendarError::InvalidSchedule(e)) => assert_eq!(e.path, "holidays[4].anchor"),
            other => panic!("{other:?}"),
        }
        let text = include_str!("../../data/holidays-statutory.toml").replace("zhongqiu = 2029-09-22", "zhongqiu = 2030-09-22");
        assert_eq!(StatutoryHolidays::from_toml(&text).unwrap_err().path(), Some("lunar.2029.zhongqiu"));
    }
}
