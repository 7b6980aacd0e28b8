//! The district policy (loaded and validated at start: a broken file stops the server with the key path) and the
//! working-day calendar (the bundled years plus the years an administrator loaded, stored in `work_calendar_years`).

use std::path::Path;

use axum::{Json, extract::State, http::StatusCode};
use chrono::{Datelike, NaiveDate};
use ruhu_core::{
    calendar::{CalendarError, WorkCalendar, YearSchedule},
    policy::Policy,
    protocol::Problem,
    roles::Role,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Row;

use crate::{
    audit::{self, AuditEntry},
    auth::Caller,
    config::UnloadedYears,
    db::{Db, parse_json, to_json, ts},
    error::{ApiError, ApiJson, ApiResult, Error, Result},
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
    crate::assignments::resend_all_open(&mut tx).await?;
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
    /// `provisional` (deadlines in a year not loaded are computed from the statutory holidays and marked 暂定) or
    /// `refuse` (they have no date until the year is loaded).
    pub unloaded_years: String,
    /// Set from the policy's reminder month (`reminders.next_year_calendar`) to the year's end while next year's
    /// schedule is not loaded: what administrators and the district are told on the console's overview.
    pub reminder: Option<CalendarReminder>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CalendarReminder {
    /// The year whose schedule is missing.
    pub year: i32,
    pub message: String,
}

/// The reminder to load next year's schedule, if one is due on `today`.
fn reminder(state: &AppState, covered: &[i32], today: NaiveDate) -> Option<CalendarReminder> {
    let year = today.year() + 1;
    if covered.contains(&year) || !state.policy.next_year_calendar_due(today) {
        return None;
    }
    let meanwhile = match state.config.unloaded_years {
        UnloadedYears::Provisional => format!("导入前，跨入{year}年的工作日期限按周末和法定节假日暂定计算（标“暂定”），导入后自动重新计算。"),
        UnloadedYears::Refuse => format!("导入前，跨入{year}年的工作日期限无法计算，相关环节暂不显示截止日期。"),
    };
    let message = format!(
        "{year}年的法定节假日安排尚未导入。国务院办公厅通常于每年11月前后公布次年安排，请系统管理员在“系统管理—工作日历”中导入。{meanwhile}"
    );
    Some(CalendarReminder { year, message })
}

/// The calendar as the console shows it.
async fn calendar_view(state: &AppState) -> ApiResult<CalendarView> {
    let years = stored_years(&state.db).await?;
    let covered_years: Vec<i32> = years.iter().map(|y| y.schedule.year).collect();
    Ok(CalendarView {
        reminder: reminder(state, &covered_years, state.db.today()),
        unloaded_years: match state.config.unloaded_years {
            UnloadedYears::Provisional => "provisional".into(),
            UnloadedYears::Refuse => "refuse".into(),
        },
        covered_years,
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
    })
}

#[utoipa::path(get, path = "/api/v1/calendar", tag = "calendar", security(("bearer" = [])),
    description = "The working-day calendar: the years whose official holiday schedule is loaded, with their holidays and \
        adjusted working days, what happens to deadlines in other years, and the reminder to load next year's schedule.",
    responses((status = 200, body = CalendarView)))]
pub async fn calendar(State(state): State<AppState>, _caller: Caller) -> ApiResult<Json<CalendarView>> {
    Ok(Json(calendar_view(&state).await?))
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct LoadCalendar {
    /// The calendar file's text (`format = "ruhu-work-calendar/1"`, docs/policy.md).
    pub file: String,
    /// Correct a year that is already loaded.
    #[serde(default)]
    pub replace: bool,
}

#[utoipa::path(post, path = "/api/v1/calendar", tag = "calendar", security(("bearer" = [])), request_body = LoadCalendar,
    description = "Administrators: loads the years of a holiday-schedule file (as `ruhu-server load-calendar` does), audited with \
        the administrator's name. Deadlines are recomputed on it at once and the phones receive them at their next sync. A \
        malformed file or a year already loaded (without `replace`) changes nothing.",
    responses((status = 200, body = CalendarView), (status = 403, body = Problem, description = "forbidden_role"),
              (status = 409, body = Problem, description = "calendar_year_exists"),
              (status = 422, body = Problem, description = "invalid_calendar")))]
pub async fn load(State(state): State<AppState>, caller: Caller, ApiJson(req): ApiJson<LoadCalendar>) -> ApiResult<Json<CalendarView>> {
    caller.require(|r| r == Role::Admin)?;
    load_calendar_file(&state, &req.file, req.replace, Some(&caller)).await?;
    Ok(Json(calendar_view(&state).await?))
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
