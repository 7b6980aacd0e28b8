//! The working-day calendar as stored: the bundled years plus the years an administrator loaded
//! (`work_calendar_years`), and the calendar every deadline is computed on.

use axum::http::StatusCode;
use ruhu_core::calendar::{CalendarError, WorkCalendar, YearSchedule};
use serde_json::json;
use sqlx::Row;

use super::assignments;
use crate::{
    access::caller::Caller,
    app::{config::UnloadedYears, state::AppState},
    store::{
        audit::{self, AuditEntry},
        db::{Db, parse_json, to_json, ts},
        error::{ApiError, ApiResult, Error, Result},
    },
};

/// Stores the bundled years; a bundled year is refreshed when a new release corrects it, an administrator's never.
pub async fn seed_bundled_calendar(db: &Db) -> Result<()> {
    let mut tx = db.begin().await?;
    for schedule in WorkCalendar::bundled().schedules() {
        sqlx::query(
            "INSERT INTO work_calendar_years (year, notice, source, schedule, origin, loaded_at) VALUES ($1, $2, $3, $4, 'bundled', $5) \
             ON CONFLICT (year) DO UPDATE SET notice = excluded.notice, source = excluded.source, schedule = excluded.schedule \
             WHERE work_calendar_years.origin = 'bundled' AND work_calendar_years.schedule <> excluded.schedule",
        )
        .bind(i64::from(schedule.year))
        .bind(&schedule.notice)
        .bind(&schedule.source)
        .bind(to_json(schedule))
        .bind(ts(db.now()))
        .execute(tx.conn())
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A stored year with where it came from.
#[derive(Debug, Clone)]
pub struct StoredYear {
    pub schedule: YearSchedule,
    /// `bundled` or `admin`.
    pub origin: String,
    pub loaded_at: String,
}

pub async fn stored_years(db: &Db) -> Result<Vec<StoredYear>> {
    let mut conn = db.pool.acquire().await?;
    stored_years_on(&mut conn).await
}

async fn stored_years_on(conn: &mut sqlx::AnyConnection) -> Result<Vec<StoredYear>> {
    let rows = sqlx::query("SELECT schedule, origin, loaded_at FROM work_calendar_years ORDER BY year").fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| -> Result<StoredYear> {
            Ok(StoredYear {
                schedule: parse_json(&r.try_get::<String, _>("schedule")?)?,
                origin: r.try_get("origin")?,
                loaded_at: r.try_get("loaded_at")?,
            })
        })
        .collect()
}

/// The calendar every deadline is computed on: all stored years, and for a year without a loaded schedule either
/// provisional dates (marked 暂定) or none, as the server is configured (`--unloaded-holiday-years`).
pub async fn work_calendar(state: &AppState) -> Result<WorkCalendar> {
    let mut conn = state.db.pool.acquire().await?;
    work_calendar_on(&mut conn, state.config.unloaded_years).await
}

/// The calendar read on `conn` (inside a transaction that needs it).
pub async fn work_calendar_on(conn: &mut sqlx::AnyConnection, unloaded: UnloadedYears) -> Result<WorkCalendar> {
    let mut calendar = WorkCalendar::empty();
    for year in stored_years_on(conn).await? {
        calendar.load_year(year.schedule).map_err(|e| Error::Invalid(format!("stored calendar year: {e}")))?;
    }
    Ok(match unloaded {
        UnloadedYears::Provisional => calendar.allow_provisional(),
        UnloadedYears::Refuse => calendar,
    })
}

fn calendar_error(e: CalendarError) -> ApiError {
    let status = match e {
        CalendarError::YearAlreadyLoaded { .. } => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    ApiError::new(status, e.code(), e.message_zh())
}

/// Loads the years of a calendar file (the `load-calendar` command and the console's action), by an administrator
/// (`actor`) or the operator at the command line (None). A year already stored is refused unless `replace`; nothing
/// is stored when any year is refused. Every open assignment is sent to its phones again, so that the due dates a
/// phone shows are recomputed on the loaded schedule. Returns the years loaded.
pub async fn load_calendar_file(state: &AppState, text: &str, replace: bool, actor: Option<&Caller>) -> ApiResult<Vec<i32>> {
    let schedules = YearSchedule::list_from_toml(text).map_err(calendar_error)?;
    let mut tx = state.db.begin().await?;
    let mut loaded = Vec::new();
    for schedule in schedules {
        let existing =
            sqlx::query("SELECT origin FROM work_calendar_years WHERE year = $1").bind(i64::from(schedule.year)).fetch_optional(tx.conn()).await?;
        if existing.is_some() && !replace {
            return Err(calendar_error(CalendarError::YearAlreadyLoaded { year: schedule.year }));
        }
        sqlx::query(
            "INSERT INTO work_calendar_years (year, notice, source, schedule, origin, loaded_at) VALUES ($1, $2, $3, $4, 'admin', $5) \
             ON CONFLICT (year) DO UPDATE SET notice = excluded.notice, source = excluded.source, schedule = excluded.schedule, \
             origin = excluded.origin, loaded_at = excluded.loaded_at",
        )
        .bind(i64::from(schedule.year))
        .bind(&schedule.notice)
        .bind(&schedule.source)
        .bind(to_json(&schedule))
        .bind(ts(tx.now()))
        .execute(tx.conn())
        .await?;
        let entry = match actor {
            Some(caller) => caller.audit("calendar.load", "work_calendar_year", schedule.year, None),
            None => AuditEntry::system("calendar.load", "work_calendar_year", schedule.year, None),
        };
        let entry = entry.with_detail(json!({
            "notice": schedule.notice,
            "replaced": existing.is_some(),
            "holidays": schedule.holidays.len(),
        }));
        audit::record(&mut tx, entry).await?;
        loaded.push(schedule.year);
    }
    assignments::resend_all_open(&mut tx).await?;
    tx.commit().await?;
    Ok(loaded)
}
