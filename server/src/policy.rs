//! The district policy (loaded and validated at start: a broken file stops the server with the key path) and the
//! working-day calendar (the bundled years plus the years an administrator loaded, stored in `work_calendar_years`).

use std::path::Path;

use axum::{Json, extract::State};
use ruhu_core::{
    calendar::{CalendarError, WorkCalendar, YearSchedule},
    policy::Policy,
};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::{
    audit::{self, AuditEntry},
    auth::Caller,
    db::{self, Db, parse_json, to_json, ts},
    error::{ApiResult, Error, Result},
    state::AppState,
};

/// The policy file at `file`, or Huaxi's bundled policy when there is none.
pub fn load_policy(file: Option<&Path>) -> Result<Policy> {
    let Some(path) = file else { return Ok(Policy::huaxi()) };
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Config(format!("policy file {}: cannot read: {e} / 无法读取政策参数文件", path.display())))?;
    let policy = Policy::from_toml(&text)
        .map_err(|e| Error::Config(format!("policy file {}: {e} / {}", path.display(), e.message_zh())))?;
    tracing::info!(file = %path.display(), district = policy.district_code(), "policy loaded");
    Ok(policy)
}

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
        .bind(ts(db::now()))
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

/// The calendar every deadline is computed on: all stored years, strict (no provisional years).
pub async fn work_calendar(db: &Db) -> Result<WorkCalendar> {
    let mut conn = db.pool.acquire().await?;
    work_calendar_on(&mut conn).await
}

/// The calendar read on `conn` (inside a transaction that needs it).
pub async fn work_calendar_on(conn: &mut sqlx::AnyConnection) -> Result<WorkCalendar> {
    let mut calendar = WorkCalendar::empty();
    for year in stored_years_on(conn).await? {
        calendar.load_year(year.schedule).map_err(|e| Error::Invalid(format!("stored calendar year: {e}")))?;
    }
    Ok(calendar)
}

fn calendar_error(e: CalendarError) -> Error {
    Error::Invalid(format!("{e} / {}", e.message_zh()))
}

/// Loads the years of a calendar file (the `load-calendar` command). A year already stored is refused unless
/// `replace`; nothing is stored when any year is refused. Returns the years loaded.
pub async fn load_calendar_file(state: &AppState, text: &str, replace: bool) -> Result<Vec<i32>> {
    let schedules = YearSchedule::list_from_toml(text).map_err(calendar_error)?;
    let mut tx = state.db.begin().await?;
    let mut loaded = Vec::new();
    for schedule in schedules {
        let existing = sqlx::query("SELECT origin FROM work_calendar_years WHERE year = $1")
            .bind(i64::from(schedule.year))
            .fetch_optional(tx.conn())
            .await?;
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
        .bind(ts(db::now()))
        .execute(tx.conn())
        .await?;
        let entry = AuditEntry::system("calendar.load", "work_calendar_year", schedule.year, None).with_detail(json!({
            "notice": schedule.notice,
            "replaced": existing.is_some(),
            "holidays": schedule.holidays.len(),
        }));
        audit::record(&mut tx, entry).await?;
        loaded.push(schedule.year);
    }
    tx.commit().await?;
    Ok(loaded)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HolidayView {
    pub name: String,
    pub off_from: chrono::NaiveDate,
    pub off_to: chrono::NaiveDate,
    /// Adjusted working days (调休上班日).
    pub working: Vec<chrono::NaiveDate>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CalendarYearView {
    pub year: i32,
    pub notice: String,
    pub source: String,
    /// `bundled` (shipped with Ruhu) or `admin` (loaded by an administrator).
    pub origin: String,
    pub loaded_at: String,
    pub holidays: Vec<HolidayView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CalendarView {
    /// Years with an official schedule: working-day deadlines in other years are refused or shown as provisional.
    pub covered_years: Vec<i32>,
    pub years: Vec<CalendarYearView>,
}

#[utoipa::path(get, path = "/api/v1/calendar", tag = "calendar", security(("bearer" = [])),
    description = "The working-day calendar: the years whose official holiday schedule is loaded, with their holidays and \
        adjusted working days.",
    responses((status = 200, body = CalendarView)))]
pub async fn calendar(State(state): State<AppState>, _caller: Caller) -> ApiResult<Json<CalendarView>> {
    let years = stored_years(&state.db).await?;
    Ok(Json(CalendarView {
        covered_years: years.iter().map(|y| y.schedule.year).collect(),
        years: years
            .into_iter()
            .map(|y| CalendarYearView {
                year: y.schedule.year,
                notice: y.schedule.notice,
                source: y.schedule.source,
                origin: y.origin,
                loaded_at: y.loaded_at,
                holidays: y
                    .schedule
                    .holidays
                    .into_iter()
                    .map(|h| HolidayView { name: h.name, off_from: h.off_from, off_to: h.off_to, working: h.working })
                    .collect(),
            })
            .collect(),
    }))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PolicySettingView {
    /// The key path in the policy file, e.g. `supervision.spot_check_rate`.
    pub key: String,
    /// The value with its unit, as a person reads it.
    pub value_zh: Option<String>,
    pub source: String,
    pub note: Option<String>,
    /// A demonstration value, not the district's real figure.
    pub demo: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PolicyView {
    pub district_code: String,
    pub district_name: String,
    /// Years with local standards.
    pub standard_years: Vec<i32>,
    pub settings: Vec<PolicySettingView>,
}

#[utoipa::path(get, path = "/api/v1/policy", tag = "calendar", security(("bearer" = [])),
    description = "The district policy the server runs with: every setting with its value, source and note; demonstration values \
        are marked. Read-only: the policy is a file given at start-up.",
    responses((status = 200, body = PolicyView)))]
pub async fn view(State(state): State<AppState>, _caller: Caller) -> ApiResult<Json<PolicyView>> {
    let p = &state.policy;
    Ok(Json(PolicyView {
        district_code: p.district_code().into(),
        district_name: p.district_name().into(),
        standard_years: p.local_standard_years(),
        settings: p
            .source_notes()
            .map(|(key, n)| PolicySettingView { key: key.into(), value_zh: n.value_zh.clone(), source: n.source.clone(), note: n.note.clone(), demo: n.demo })
            .collect(),
    }))
}
