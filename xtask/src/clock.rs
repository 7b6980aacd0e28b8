//! The day the test suites run on. Every suite reads `RUHU_TEST_CLOCK` (see `ruhu_core::time`): the main run is set to
//! a fixed working day inside the bundled holiday years, and the year-end check runs the deadline and pull tests again
//! as of days around the end of the last bundled year, when deadlines run into a year whose schedule is not loaded.
//! The value is anchored (`instant@unix-seconds`) so every process of a run, a restarted server included, reads the
//! same time. No suite depends on the day CI happens to run.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::run;

/// The main run's day (a Monday; must stay inside the bundled calendar's years).
const MAIN_RUN_START: &str = "2026-06-15T10:00:00+08:00";

fn anchored(start: &str) -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    format!("{start}@{now}")
}

/// `RUHU_TEST_CLOCK` for the main run.
pub fn main_run() -> (&'static str, String) {
    ("RUHU_TEST_CLOCK", anchored(MAIN_RUN_START))
}

/// The days of the year-end check: 20 December of the last year the bundled calendar covers (deadlines of new cases
/// run into the next year) and 1 June of the year after (every working-day deadline is provisional).
pub fn year_end_days() -> Result<Vec<String>, String> {
    let path = run::workspace_root().join("core/data/calendar-cn.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let last = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("year = ")?.trim().parse::<i32>().ok())
        .max()
        .ok_or_else(|| format!("{}: no year found", path.display()))?;
    Ok(vec![format!("{last}-12-20T10:00:00+08:00"), format!("{}-06-01T10:00:00+08:00", last + 1)])
}

pub fn at(start: &str) -> (&'static str, String) {
    ("RUHU_TEST_CLOCK", anchored(start))
}
