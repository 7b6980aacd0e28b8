//! The working-day calendar: weekends, official holidays and the adjusted working weekends (调休上班日) of each year,
//! as data an administrator can extend, and the deadline arithmetic on top of it.
//!
//! Rule of counting: the start day is not counted; a deadline of n working days is the n-th working day after the start
//! day (so a case accepted on Friday with 3 working days is due on Wednesday). Calendar-day periods (publicity) count
//! the same way: 7 days from the 1st end on the 8th.
//!
//! A year whose schedule is not loaded is an error (`CalendarError::YearNotCovered`), never a silent guess. In the
//! explicit provisional mode ([`WorkCalendar::allow_provisional`]) such a year is computed from weekends plus the
//! statutory holidays only, and every result that touched such a year says `provisional: true`.

mod error;
mod schedule;
mod statutory;

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

pub use error::CalendarError;
pub use schedule::{CALENDAR_FORMAT, Holiday, YearSchedule};
pub use statutory::{Anchor, LunarDates, STATUTORY_FORMAT, StatutoryHoliday, StatutoryHolidays};

/// More days than any deadline in the rules; stops a runaway count early.
const MAX_PERIOD_DAYS: u32 = 3660;

/// A due date, and whether it rests on a provisional calendar.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    pub due: NaiveDate,
    /// True when some day counted lies in a year whose official schedule was not loaded: show it as provisional
    /// (暂定) and recompute it once the schedule is loaded.
    pub provisional: bool,
}

/// A count of working days, and whether it rests on a provisional calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingDayCount {
    /// Negative when the end lies before the start.
    pub days: i64,
    pub provisional: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayKind {
    Workday,
    Weekend,
    /// An official (or, provisionally, statutory) day off.
    Holiday {
        name: String,
    },
    /// A weekend day worked to make up for a holiday (调休上班日).
    AdjustedWorkday {
        name: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    pub date: NaiveDate,
    pub kind: DayKind,
    pub provisional: bool,
}

impl Day {
    pub fn is_working(&self) -> bool {
        matches!(self.kind, DayKind::Workday | DayKind::AdjustedWorkday { .. })
    }
}

/// One loaded year, indexed for lookups.
#[derive(Debug, Clone)]
struct LoadedYear {
    schedule: YearSchedule,
    off: BTreeMap<NaiveDate, String>,
    working: BTreeMap<NaiveDate, String>,
}

impl LoadedYear {
    fn new(schedule: YearSchedule) -> Self {
        let mut off = BTreeMap::new();
        let mut working = BTreeMap::new();
        for h in &schedule.holidays {
            for d in h.off_days() {
                off.insert(d, h.name.clone());
            }
            for d in &h.working {
                working.insert(*d, h.name.clone());
            }
        }
        Self { schedule, off, working }
    }
}

#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    years: BTreeMap<i32, LoadedYear>,
    provisional: Option<StatutoryHolidays>,
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

impl WorkCalendar {
    /// A calendar with no year loaded: every working-day question is `YearNotCovered` until years are loaded.
    pub fn empty() -> Self {
        Self::default()
    }

    /// The schedules shipped with Ruhu (core/data/calendar-cn.toml): 2024, 2025 and 2026. Strict (not provisional).
    pub fn bundled() -> Self {
        // Part of the build and checked by tests; failing here is a build defect, not bad input.
        Self::from_toml(include_str!("../../data/calendar-cn.toml")).expect("bundled calendar is valid")
    }

    /// The text of the bundled calendar file (what `bundled` loads).
    pub fn bundled_toml() -> &'static str {
        include_str!("../../data/calendar-cn.toml")
    }

    /// Every year of a calendar file.
    pub fn from_toml(text: &str) -> Result<Self, CalendarError> {
        let mut cal = Self::empty();
        for schedule in YearSchedule::list_from_toml(text)? {
            cal.load_year(schedule)?;
        }
        Ok(cal)
    }

    /// Adds a year's official schedule after validating it; refuses a year already loaded.
    pub fn load_year(&mut self, schedule: YearSchedule) -> Result<(), CalendarError> {
        if self.years.contains_key(&schedule.year) {
            return Err(CalendarError::YearAlreadyLoaded { year: schedule.year });
        }
        self.replace_year(schedule)
    }

    /// Adds or corrects a year's official schedule after validating it.
    pub fn replace_year(&mut self, schedule: YearSchedule) -> Result<(), CalendarError> {
        schedule.validate()?;
        self.years.insert(schedule.year, LoadedYear::new(schedule));
        Ok(())
    }

    /// Opts in to provisional results for years without a loaded schedule (where `rules` hold their lunar dates).
    pub fn allow_provisional_with(mut self, rules: StatutoryHolidays) -> Self {
        self.provisional = Some(rules);
        self
    }

    /// Opts in to provisional results using the bundled statutory rules (lunar dates for 2025–2030).
    pub fn allow_provisional(self) -> Self {
        self.allow_provisional_with(StatutoryHolidays::bundled())
    }

    pub fn is_provisional_allowed(&self) -> bool {
        self.provisional.is_some()
    }

    /// Years with an official schedule, ascending.
    pub fn covered_years(&self) -> Vec<i32> {
        self.years.keys().copied().collect()
    }

    /// Years that would be computed provisionally (provisional mode on, lunar data held, no official schedule).
    pub fn provisional_years(&self) -> Vec<i32> {
        match &self.provisional {
            Some(p) => p.years().into_iter().filter(|y| !self.years.contains_key(y)).collect(),
            None => Vec::new(),
        }
    }

    pub fn schedule(&self, year: i32) -> Option<&YearSchedule> {
        self.years.get(&year).map(|y| &y.schedule)
    }

    pub fn schedules(&self) -> impl Iterator<Item = &YearSchedule> {
        self.years.values().map(|y| &y.schedule)
    }

    /// What kind of day `date` is, from the official schedule or (opted in) provisionally.
    pub fn day(&self, date: NaiveDate) -> Result<Day, CalendarError> {
        let year = date.year();
        if let Some(y) = self.years.get(&year) {
            let kind = if let Some(name) = y.off.get(&date) {
                DayKind::Holiday { name: name.clone() }
            } else if let Some(name) = y.working.get(&date) {
                DayKind::AdjustedWorkday { name: name.clone() }
            } else if is_weekend(date) {
                DayKind::Weekend
            } else {
                DayKind::Workday
            };
            return Ok(Day { date, kind, provisional: false });
        }
        let statutory = self.provisional.as_ref().and_then(|p| p.days_off(year)).ok_or(CalendarError::YearNotCovered { year })?;
        let kind = match statutory.get(&date) {
            Some(name) => DayKind::Holiday { name: name.clone() },
            None if is_weekend(date) => DayKind::Weekend,
            None => DayKind::Workday,
        };
        Ok(Day { date, kind, provisional: true })
    }

    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        Ok(self.day(date)?.is_working())
    }

    /// The n-th working day after `start` (the start day itself is not counted). n = 0 gives `start`.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Result<Deadline, CalendarError> {
        if n > MAX_PERIOD_DAYS {
            return Err(CalendarError::DateOutOfRange);
        }
        let mut provisional = false;
        let mut date = start;
        let mut left = n;
        while left > 0 {
            date = date.checked_add_days(Days::new(1)).ok_or(CalendarError::DateOutOfRange)?;
            let day = self.day(date)?;
            provisional |= day.provisional;
            if day.is_working() {
                left -= 1;
            }
        }
        Ok(Deadline { due: date, provisional })
    }

    /// Working days after `a` up to and including `b` (negative when `b` is before `a`), so that
    /// `working_days_between(a, add_working_days(a, n).due) == n`. Used for "days used" and "days left".
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> Result<WorkingDayCount, CalendarError> {
        let (from, to, sign) = if b >= a { (a, b, 1) } else { (b, a, -1) };
        if (to - from).num_days() > i64::from(MAX_PERIOD_DAYS) {
            return Err(CalendarError::DateOutOfRange);
        }
        let mut days = 0i64;
        let mut provisional = false;
        for date in from.iter_days().skip(1).take_while(|d| *d <= to) {
            let day = self.day(date)?;
            provisional |= day.provisional;
            if day.is_working() {
                days += 1;
            }
        }
        Ok(WorkingDayCount { days: sign * days, provisional })
    }

    /// `start` + n calendar days (publicity periods). Needs no schedule, so it is never provisional.
    pub fn add_calendar_days(&self, start: NaiveDate, n: u32) -> Result<Deadline, CalendarError> {
        if n > MAX_PERIOD_DAYS {
            return Err(CalendarError::DateOutOfRange);
        }
        let due = start.checked_add_days(Days::new(u64::from(n))).ok_or(CalendarError::DateOutOfRange)?;
        Ok(Deadline { due, provisional: false })
    }
}

#[cfg(test)]
mod tests;
