//! District and township lists: open steps with their urgency, and filings.

use axum::{Json, extract::State};
use chrono::NaiveDate;
use ruhu_core::{
    assistance::AssistanceType,
    protocol::PersonRef,
    workflow::{
        Stage,
        deadlines::{OpenStep, UndatedStep, Urgency, classify, open_steps},
    },
};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use uuid::Uuid;

use super::case_state;
use crate::{
    access::caller::Caller,
    access::users,
    app::state::AppState,
    records::calendar,
    records::cases,
    store::db::parse_uuid,
    store::error::{ApiError, ApiQuery, ApiResult},
};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DeadlineQuery {
    /// Only this township (within the caller's scope).
    pub township_code: Option<String>,
    /// overdue, due_soon or on_time.
    pub urgency: Option<Urgency>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeadlineItem {
    pub case_id: Uuid,
    pub case_no: String,
    pub township_code: String,
    pub assistance_type: AssistanceType,
    pub stage: Stage,
    pub stage_label: String,
    pub step: OpenStep,
    pub urgency: Urgency,
    pub urgency_label: String,
}

/// An open step whose due date cannot be given yet: its case's other steps are listed as usual.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeadlineProblem {
    pub case_id: Uuid,
    pub case_no: String,
    pub township_code: String,
    pub step: UndatedStep,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeadlineList {
    pub today: NaiveDate,
    /// Due soon = at most this many working days left (policy `reminders.due_soon`).
    pub due_soon_working_days: u32,
    pub items: Vec<DeadlineItem>,
    /// Steps whose due dates cannot be computed (a year's holiday schedule not loaded and the server set to refuse
    /// provisional dates): never guessed, and never hiding the case's other steps.
    pub problems: Vec<DeadlineProblem>,
}

#[utoipa::path(get, path = "/api/v1/deadlines", tag = "workflow", security(("bearer" = [])), params(DeadlineQuery),
    description = "Every open step with a time limit in the caller's scope (township or district), earliest first, with overdue / due-soon.",
    responses((status = 200, body = DeadlineList)))]
pub async fn deadlines(State(state): State<AppState>, caller: Caller, ApiQuery(q): ApiQuery<DeadlineQuery>) -> ApiResult<Json<DeadlineList>> {
    let calendar = calendar::work_calendar(&state).await.map_err(ApiError::from)?;
    let today = state.db.today();
    let scope = caller.scope();
    let mut sql = format!("SELECT id FROM cases WHERE {}", scope.condition("org_path", 1));
    if q.township_code.is_some() {
        sql.push_str(" AND township_code = $3");
    }
    sql.push_str(" ORDER BY created_at, id LIMIT 5000");
    let mut query = scope.bind(sqlx::query(&sql));
    if let Some(t) = &q.township_code {
        query = query.bind(t.clone());
    }
    let mut conn = state.db.pool.acquire().await?;
    let ids: Vec<String> = query.fetch_all(&mut *conn).await?.iter().map(|r| r.try_get("id")).collect::<Result<_, _>>()?;
    let mut items = Vec::new();
    let mut problems = Vec::new();
    for id in ids {
        let Some(case) = cases::load(&mut conn, parse_uuid(&id)?).await? else { continue };
        let (s, _) = case_state::load_state(&mut conn, &case).await?;
        let steps = open_steps(&s, &state.policy, &calendar);
        for step in steps.undated {
            let message = step.reason_zh.clone();
            problems.push(DeadlineProblem {
                case_id: case.id,
                case_no: case.case_no.clone(),
                township_code: case.township_code.clone(),
                step,
                message,
            });
        }
        for step in steps.dated {
            // Only a year beyond the statutory data can fail the reminder window: the step then counts as due soon.
            let urgency = classify(step.due, today, &state.policy, &calendar).unwrap_or(Urgency::DueSoon);
            if q.urgency.is_some_and(|u| u != urgency) {
                continue;
            }
            items.push(DeadlineItem {
                case_id: case.id,
                case_no: case.case_no.clone(),
                township_code: case.township_code.clone(),
                assistance_type: case.assistance_type,
                stage: s.stage,
                stage_label: s.stage.label_zh().into(),
                step,
                urgency,
                urgency_label: urgency.label_zh().into(),
            });
        }
    }
    items.sort_by(|a, b| a.step.due.cmp(&b.step.due).then_with(|| a.case_no.cmp(&b.case_no)));
    Ok(Json(DeadlineList { today, due_soon_working_days: state.policy.due_soon_working_days(), items, problems }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct FilingQuery {
    /// pending (not yet filed by the district) or filed.
    pub status: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FilingView {
    pub id: Uuid,
    pub case_id: Uuid,
    pub case_no: String,
    pub township_code: String,
    pub kind: String,
    pub decided_by: PersonRef,
    pub decided_on: String,
    pub filed_by: Option<PersonRef>,
    pub filed_on: Option<String>,
    pub remarks: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/filings", tag = "workflow", security(("bearer" = [])), params(FilingQuery),
    description = "Township decisions as filings (审核确认备案) in the caller's scope; `pending` ones wait for the district.",
    responses((status = 200, body = Vec<FilingView>), (status = 422, body = Problem)))]
pub async fn filings(State(state): State<AppState>, caller: Caller, ApiQuery(q): ApiQuery<FilingQuery>) -> ApiResult<Json<Vec<FilingView>>> {
    let scope = caller.scope();
    let mut sql = format!(
        "SELECT f.id, f.case_id, c.case_no, c.township_code, f.kind, f.decided_by, f.decided_on, f.filed_by, f.filed_on, f.remarks \
         FROM filings f JOIN cases c ON c.id = f.case_id WHERE {}",
        scope.condition("f.org_path", 1)
    );
    match q.status.as_deref() {
        None | Some("") => {}
        Some("pending") => sql.push_str(" AND f.filed_on IS NULL"),
        Some("filed") => sql.push_str(" AND f.filed_on IS NOT NULL"),
        Some(_) => return Err(ApiError::invalid_field("status", "status 须为 pending 或 filed")),
    }
    sql.push_str(" ORDER BY f.decided_on, f.created_at, f.id LIMIT 1000");
    let mut conn = state.db.pool.acquire().await?;
    let rows = scope.bind(sqlx::query(&sql)).fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let filed_by: Option<String> = r.try_get("filed_by")?;
        out.push(FilingView {
            id: parse_uuid(&r.try_get::<String, _>("id")?)?,
            case_id: parse_uuid(&r.try_get::<String, _>("case_id")?)?,
            case_no: r.try_get("case_no")?,
            township_code: r.try_get("township_code")?,
            kind: r.try_get("kind")?,
            decided_by: users::person_str(&mut conn, &r.try_get::<String, _>("decided_by")?).await?,
            decided_on: r.try_get("decided_on")?,
            filed_by: match filed_by {
                Some(u) => Some(users::person_str(&mut conn, &u).await?),
                None => None,
            },
            filed_on: r.try_get("filed_on")?,
            remarks: r.try_get("remarks")?,
        });
    }
    Ok(Json(out))
}

use ruhu_core::protocol::Problem;
