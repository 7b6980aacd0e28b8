//! What can go wrong with the working-day calendar, with a stable code for programs and a zh-CN message for people.

use std::fmt;

use crate::toml_reader::KeyError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalendarError {
    /// The year's official schedule is not loaded (and provisional mode is off, or has no data for that year).
    YearNotCovered { year: i32 },
    /// A schedule or statutory-holiday file is malformed; the key path says where.
    InvalidSchedule(KeyError),
    /// `load_year` of a year that is already loaded (use `replace_year` to correct one).
    YearAlreadyLoaded { year: i32 },
    /// A date computation left the range chrono supports, or a period is absurdly long.
    DateOutOfRange,
}

impl CalendarError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::YearNotCovered { .. } => "calendar_year_not_covered",
            Self::InvalidSchedule(_) => "invalid_calendar",
            Self::YearAlreadyLoaded { .. } => "calendar_year_exists",
            Self::DateOutOfRange => "date_out_of_range",
        }
    }

    pub fn message_zh(&self) -> String {
        match self {
            Self::YearNotCovered { year } => {
                format!("{year}年的法定节假日安排尚未导入，无法按工作日计算期限。请管理员导入国务院办公厅公布的{year}年节假日安排后重新计算")
            }
            Self::InvalidSchedule(e) => format!("节假日安排文件有误：{}", e.describe_zh()),
            Self::YearAlreadyLoaded { year } => format!("{year}年的节假日安排已导入；如需更正，请使用替换方式导入"),
            Self::DateOutOfRange => "日期超出可计算的范围".to_string(),
        }
    }

    /// The key path of a malformed file, if that is the problem.
    pub fn path(&self) -> Option<&str> {
        match self {
            Self::InvalidSchedule(e) => Some(&e.path),
            _ => None,
        }
    }
}

impl fmt::Display for CalendarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::YearNotCovered { year } => write!(f, "the holiday schedule of {year} is not loaded"),
            Self::InvalidSchedule(e) => write!(f, "invalid calendar: {e}"),
            Self::YearAlreadyLoaded { year } => write!(f, "the schedule of {year} is already loaded"),
            Self::DateOutOfRange => f.write_str("date out of range"),
        }
    }
}

impl std::error::Error for CalendarError {}

impl From<KeyError> for CalendarError {
    fn from(e: KeyError) -> Self {
        Self::InvalidSchedule(e)
    }
}
