//! Time as the rules see it: the calendar day in China, and the clock every "now" and "today" is read from.
//!
//! Deadlines, decisions and visits are dated by the calendar day in China (UTC+8, no daylight saving), on the phone and
//! on the server alike. Every reading of the current time goes through a [`Clock`], so that tests can say what day it
//! is instead of depending on the day they happen to run: a test build (feature `test-clock`) starts its clock at the
//! instant named in `RUHU_TEST_CLOCK` (or at a fixed default) and lets it run on from there. A build without the
//! feature refuses that variable (the server will not start) rather than ignore it silently.

use std::sync::OnceLock;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};

/// The environment variable a test run names its "now" in: an RFC 3339 instant, or a date (09:00 China time),
/// optionally followed by `@` and the Unix time at which the clock read that instant. With the anchor, every process
/// of a run (a server restarted mid-test included) reads the same time; without it, a clock starts when first read.
pub const TEST_CLOCK_ENV: &str = "RUHU_TEST_CLOCK";

/// China Standard Time is UTC+8 all year.
const CHINA_OFFSET_HOURS: i64 = 8;

/// The calendar day in China of an instant. A finalised visit is evaluated as of the day it was finalised, on the
/// phone and again on the server, so both reach the same ages and the same errors however late the phone syncs.
pub fn china_day(at: DateTime<Utc>) -> NaiveDate {
    (at + Duration::hours(CHINA_OFFSET_HOURS)).date_naive()
}

/// The instant of a wall-clock time in China.
pub fn china_instant(local: NaiveDateTime) -> DateTime<Utc> {
    (local - Duration::hours(CHINA_OFFSET_HOURS)).and_utc()
}

/// Where "now" comes from: the system clock, or (tests) the system clock moved to start at a chosen instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Clock {
    /// Added to the system time. Zero for the real clock.
    offset: Duration,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self { offset: Duration::zero() }
    }

    /// A clock that reads `start` now and runs on at the system clock's pace (tokens still expire, uploads age).
    pub fn starting_at(start: DateTime<Utc>) -> Self {
        Self::reading_at(start, Utc::now())
    }

    /// A clock that read `start` at the system time `anchor` and runs on from there.
    pub fn reading_at(start: DateTime<Utc>, anchor: DateTime<Utc>) -> Self {
        Self { offset: start - anchor }
    }

    /// A clock that reads `date` at `hh:mm` China time now.
    pub fn starting_on(date: NaiveDate, hour: u32, minute: u32) -> Self {
        Self::starting_at(china_instant(date.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN))))
    }

    /// Whether this is the system clock.
    pub fn is_system(&self) -> bool {
        self.offset.is_zero()
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset
    }

    /// Today in China.
    pub fn today(&self) -> NaiveDate {
        china_day(self.now())
    }

    /// The clock a process runs on. A normal build: the system clock, and `RUHU_TEST_CLOCK` is refused. A test build
    /// (feature `test-clock`): the instant `RUHU_TEST_CLOCK` names, or [`TEST_DEFAULT_START`] when it is unset, so
    /// that no test depends on the day it runs.
    pub fn from_env() -> Result<Self, ClockError> {
        let named = std::env::var(TEST_CLOCK_ENV).ok();
        Self::resolve(named.as_deref(), cfg!(feature = "test-clock"))
    }

    fn resolve(named: Option<&str>, test_build: bool) -> Result<Self, ClockError> {
        let named = named.map(str::trim).filter(|v| !v.is_empty());
        match (test_build, named) {
            (false, Some(_)) => Err(ClockError::NotATestBuild),
            (false, None) => Ok(Self::system()),
            (true, named) => parse_spec(named.unwrap_or(TEST_DEFAULT_START)),
        }
    }
}

/// Where a test build's clock starts unless `RUHU_TEST_CLOCK` says otherwise: a working Monday inside the bundled
/// holiday years, so that every deadline a test computes is exact.
pub const TEST_DEFAULT_START: &str = "2026-06-15T10:00:00+08:00";

/// The process's clock, read once: [`Clock::from_env`], or the system clock where that refuses (a phone cannot be
/// given environment variables; the server checks `from_env` itself at start and stops instead).
pub fn process_clock() -> Clock {
    static CLOCK: OnceLock<Clock> = OnceLock::new();
    *CLOCK.get_or_init(|| {
        Clock::from_env().unwrap_or_else(|e| {
            tracing::warn!(error = %e, "using the system clock");
            Clock::system()
        })
    })
}

/// A clock the environment asked for and could not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    #[error("{TEST_CLOCK_ENV} is only honoured by test builds (feature test-clock); unset it to run on the real clock")]
    NotATestBuild,
    #[error("{TEST_CLOCK_ENV}={0:?} is neither an RFC 3339 instant nor a date (YYYY-MM-DD), optionally @ a Unix time")]
    Unreadable(String),
}

fn parse_spec(text: &str) -> Result<Clock, ClockError> {
    let unreadable = || ClockError::Unreadable(text.into());
    match text.split_once('@') {
        Some((start, anchor)) => {
            let anchor = anchor.trim().parse::<i64>().ok().and_then(|s| DateTime::from_timestamp(s, 0)).ok_or_else(unreadable)?;
            Ok(Clock::reading_at(parse_start(start.trim())?, anchor))
        }
        None => Ok(Clock::starting_at(parse_start(text)?)),
    }
}

fn parse_start(text: &str) -> Result<DateTime<Utc>, ClockError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| ClockError::Unreadable(text.into()))?;
    Ok(china_instant(date.and_time(NaiveTime::from_hms_opt(9, 0, 0).unwrap_or(NaiveTime::MIN))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_china_day_turns_at_four_in_the_afternoon_utc() {
        let before = DateTime::parse_from_rfc3339("2026-12-31T15:59:59Z").unwrap().with_timezone(&Utc);
        let after = DateTime::parse_from_rfc3339("2026-12-31T16:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(china_day(before), d(2026, 12, 31));
        assert_eq!(china_day(after), d(2027, 1, 1));
    }

    #[test]
    fn a_started_clock_reads_its_day_and_runs_on() {
        let clock = Clock::starting_on(d(2027, 6, 1), 23, 59);
        assert_eq!(clock.today(), d(2027, 6, 1));
        assert!(!clock.is_system());
        let first = clock.now();
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert!(clock.now() > first, "the clock runs on");
        assert!(Clock::system().is_system());
    }

    #[test]
    fn a_test_clock_is_read_as_an_instant_or_a_date_at_nine_in_china() {
        assert_eq!(parse_start("2026-12-20").unwrap().to_rfc3339(), "2026-12-20T01:00:00+00:00");
        assert_eq!(parse_start("2027-06-01T08:30:00+08:00").unwrap().to_rfc3339(), "2027-06-01T00:30:00+00:00");
        assert_eq!(parse_start("20 December").unwrap_err(), ClockError::Unreadable("20 December".into()));
    }

    #[test]
    fn only_a_test_build_takes_its_time_from_the_environment() {
        assert_eq!(Clock::resolve(Some("2027-06-01"), false), Err(ClockError::NotATestBuild));
        assert!(Clock::resolve(None, false).unwrap().is_system());
        assert!(Clock::resolve(Some("  "), false).unwrap().is_system());
        assert_eq!(Clock::resolve(Some("2027-06-01"), true).unwrap().today(), d(2027, 6, 1));
        assert_eq!(Clock::resolve(None, true).unwrap().today(), d(2026, 6, 15), "a test build never runs on the real day");
        assert!(matches!(Clock::resolve(Some("tomorrow"), true), Err(ClockError::Unreadable(_))));
    }

    #[test]
    fn an_anchored_test_clock_reads_the_same_in_every_process_that_reads_it() {
        // The clock read 2026-12-20 09:00 in China ten minutes ago: it reads 09:10 now, however late it is parsed.
        let ten_minutes_ago = Utc::now().timestamp() - 600;
        let clock = parse_spec(&format!("2026-12-20@{ten_minutes_ago}")).unwrap();
        let expected = parse_start("2026-12-20").unwrap() + Duration::minutes(10);
        assert!((clock.now() - expected).num_seconds().abs() <= 2, "{}", clock.now());
        assert!(matches!(parse_spec("2026-12-20@soon"), Err(ClockError::Unreadable(_))));
    }
}
