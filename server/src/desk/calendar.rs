//! The working-day calendar at the desk: the loaded years, what becomes of deadlines in other years, the reminder to
//! load next year's schedule, and the administrators' load action.

use axum::{Json, extract::State};
use chrono::{Datelike, NaiveDate};
use ruhu_core::{protocol::Problem, roles::Role};
use serde::{Deserialize, Serialize};

use crate::{
    access::caller::Caller,
    app::{config::UnloadedYears, state::AppState},
    records::calendar::{load_calendar_file, stored_years},
    store::error::{ApiJson, ApiResult},
};

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
    let message =
        format!("{year}年的法定节假日安排尚未导入。国务院办公厅通常于每年11月前后公布次年安排，请系统管理员在“系统管理—工作日历”中导入。{meanwhile}");
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
