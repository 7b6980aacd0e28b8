//! The assignment desk: visits assigned, reassigned and cancelled by supervisors, and the assignment lists.

use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, NaiveDate, Utc};
use ruhu_core::{
    form::FormPurpose,
    protocol::{AssignmentStatus, PersonRef, Problem},
    workflow::{Action, CaseEvent},
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::{
    access::{caller::Caller, users},
    app::state::AppState,
    records::{
        assignments::{self, AssignmentRow, purpose_key, record_history},
        calendar, cases, feed,
    },
    store::{
        audit,
        db::{parse_uuid, ts},
        error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult},
    },
    workflow::{
        actions::{self, Acting},
        assign::{self, NewAssignment, check_due_date, check_pair},
        relatives, revisits,
    },
};

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ReassignRequest {
    pub investigator_ids: Vec<Uuid>,
    #[serde(default)]
    pub due_date: Option<NaiveDate>,
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct CancelRequest {
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AssignmentView {
    pub id: Uuid,
    pub case_id: Uuid,
    pub case_no: String,
    pub status: AssignmentStatus,
    pub status_label: String,
    pub due_date: NaiveDate,
    pub investigators: Vec<PersonRef>,
    pub assigned_by: PersonRef,
    pub form_id: String,
    pub form_version: u32,
    pub org_path: String,
    pub completed_submission: Option<Uuid>,
    pub cancel_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub async fn view(conn: &mut AnyConnection, id: Uuid) -> Result<Option<AssignmentView>, sqlx::Error> {
    let Some(a) = assignments::load(conn, id).await? else { return Ok(None) };
    let case_no: String = sqlx::query("SELECT case_no FROM cases WHERE id = $1")
        .bind(a.case_id.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| r.try_get("case_no"))
        .transpose()?
        .unwrap_or_default();
    Ok(Some(AssignmentView {
        id: a.id,
        case_id: a.case_id,
        case_no,
        status: a.status,
        status_label: a.status.label_zh().into(),
        due_date: a.due_date,
        investigators: vec![users::person(conn, a.investigators[0]).await?, users::person(conn, a.investigators[1]).await?],
        assigned_by: users::person(conn, a.assigned_by).await?,
        form_id: a.form_id,
        form_version: a.form_version,
        org_path: a.org_path,
        completed_submission: a.completed_submission,
        cancel_reason: a.cancel_reason,
        created_at: a.created_at,
        updated_at: a.updated_at,
    }))
}

/// Whether the assignment is a district re-visit.
async fn is_revisit(conn: &mut AnyConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    let row = sqlx::query("SELECT purpose FROM assignments WHERE id = $1").bind(id.to_string()).fetch_optional(&mut *conn).await?;
    Ok(row.map(|r| r.try_get::<String, _>("purpose")).transpose()?.as_deref() == Some(purpose_key(FormPurpose::Revisit)))
}

/// The assignment, its re-visit flag, for a caller allowed to change it: a district re-visit only by the district.
async fn load_for_change(state: &AppState, caller: &Caller, id: Uuid) -> ApiResult<(AssignmentRow, bool)> {
    caller.require(|r| r.may_assign_visits())?;
    let mut conn = state.db.pool.acquire().await?;
    let a = assignments::load(&mut conn, id).await?.ok_or_else(|| ApiError::not_found("入户调查安排"))?;
    let revisit = is_revisit(&mut conn, id).await?;
    drop(conn);
    if revisit {
        caller.require(|r| r == ruhu_core::roles::Role::DistrictSupervisor)?;
    }
    caller.guard(state, "assignment", &id.to_string(), &a.org_path).await?;
    Ok((a, revisit))
}

fn require_open(a: &AssignmentRow) -> ApiResult<()> {
    if a.status != AssignmentStatus::Assigned {
        return Err(ApiError::new(StatusCode::CONFLICT, "assignment_not_open", format!("该入户调查安排{}，不能再调整", a.status.label_zh())));
    }
    Ok(())
}

#[utoipa::path(post, path = "/api/v1/assignments", tag = "assignments", security(("bearer" = [])), request_body = NewAssignment,
    description = "Assigns a home visit to two investigators of the case's township.",
    responses((status = 201, body = AssignmentView), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem, description = "assignment_exists"),
              (status = 422, body = Problem, description = "investigators_not_two, same_investigator, not_investigator, investigator_out_of_township, unknown_user, invalid_due_date, unknown_form, near_relative_investigator")))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<NewAssignment>,
) -> ApiResult<(StatusCode, Json<AssignmentView>)> {
    caller.require(|r| r.may_assign_visits())?;
    let mut conn = state.db.pool.acquire().await?;
    let case = cases::load(&mut conn, req.case_id).await?;
    drop(conn);
    let case = case.ok_or_else(|| ApiError::not_found("案件").with_field("case_id"))?;
    caller.guard(&state, "case", &case.id.to_string(), &case.org_path).await?;
    let calendar = calendar::work_calendar(&state).await.map_err(ApiError::from)?;
    let mut tx = state.db.begin().await?;
    let id = assign::insert(&mut tx, &state.policy, &calendar, &case, &req, &Acting::of(&caller)).await?;
    let entry = caller
        .audit("assignment.create", "assignment", id, Some(&case.org_path))
        .with_detail(json!({ "case_id": case.id, "investigators": req.investigator_ids, "due_date": req.due_date }));
    audit::record(&mut tx, entry).await?;
    let v = view(tx.conn(), id).await?.ok_or_else(ApiError::internal)?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(v)))
}

#[utoipa::path(post, path = "/api/v1/assignments/{id}/reassign", tag = "assignments", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "assignment id")), request_body = ReassignRequest,
    description = "Replaces the investigator pair. Removed investigators' devices get a tombstone; the new pair gets the assignment.",
    responses((status = 200, body = AssignmentView), (status = 409, body = Problem, description = "assignment_not_open"),
              (status = 422, body = Problem)))]
pub async fn reassign(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<ReassignRequest>,
) -> ApiResult<Json<AssignmentView>> {
    let (a, revisit) = load_for_change(&state, &caller, id).await?;
    require_open(&a)?;
    if let Some(due) = req.due_date {
        check_due_date(due, state.db.today())?;
    }
    let mut tx = state.db.begin().await?;
    let pair = check_pair(tx.conn(), &req.investigator_ids, &a.org_path, revisit).await?;
    let case = cases::load(tx.conn(), a.case_id).await?.ok_or_else(ApiError::internal)?;
    if revisit {
        let originals = revisits::original_investigators(tx.conn(), &case).await?;
        if pair.iter().any(|u| originals.contains(u)) {
            return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "revisitor_was_investigator", "抽查复核不能安排本案的原调查人员，须回避")
                .with_field("investigator_ids"));
        }
    }
    relatives::refuse_related_investigators(tx.conn(), &state.policy, case.household_id, &pair).await?;
    let due = req.due_date.unwrap_or(a.due_date);
    let done = sqlx::query(
        "UPDATE assignments SET investigator1 = $1, investigator2 = $2, due_date = $3, updated_at = $4 WHERE id = $5 AND status = 'assigned'",
    )
    .bind(pair[0].to_string())
    .bind(pair[1].to_string())
    .bind(due.to_string())
    .bind(ts(state.db.now()))
    .bind(id.to_string())
    .execute(tx.conn())
    .await?;
    if done.rows_affected() != 1 {
        return Err(ApiError::new(StatusCode::CONFLICT, "assignment_not_open", "该入户调查安排已结束，不能再调整"));
    }
    record_history(&mut tx, id, &pair).await?;
    let removed: Vec<Uuid> = a.investigators.iter().copied().filter(|u| !pair.contains(u)).collect();
    feed::assignment_delete(&mut tx, id, &removed).await?;
    feed::assignment_upsert(&mut tx, id, &pair, &a.form_id, a.form_version).await?;
    let detail = json!({ "assignment_id": id, "from": a.investigators, "to": pair, "reason": req.reason });
    if revisit {
        cases::add_step(&mut tx, a.case_id, CaseEvent::VisitReassigned.as_str(), Some(caller.user_id), Some(due), detail.clone()).await?;
    } else {
        // The new pair joins the investigation (the procedure records who investigated).
        let calendar = calendar::work_calendar(&state).await.map_err(ApiError::from)?;
        let assign = Action::AssignVisit { investigators: pair.to_vec() };
        actions::apply_with(&mut tx, &state.policy, &calendar, &Acting::of(&caller), &case, assign, None, detail.clone()).await?;
    }
    audit::record(&mut tx, caller.audit("assignment.reassign", "assignment", id, Some(&a.org_path)).with_detail(detail)).await?;
    let v = view(tx.conn(), id).await?.ok_or_else(ApiError::internal)?;
    tx.commit().await?;
    Ok(Json(v))
}

#[utoipa::path(post, path = "/api/v1/assignments/{id}/cancel", tag = "assignments", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "assignment id")), request_body = CancelRequest,
    description = "Cancels an open assignment; both investigators' devices get a tombstone.",
    responses((status = 200, body = AssignmentView), (status = 409, body = Problem, description = "assignment_not_open"),
              (status = 422, body = Problem)))]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<CancelRequest>,
) -> ApiResult<Json<AssignmentView>> {
    let reason = req.reason.trim().to_string();
    if reason.is_empty() {
        return Err(ApiError::invalid_field("reason", "请填写取消原因"));
    }
    let (a, revisit) = load_for_change(&state, &caller, id).await?;
    require_open(&a)?;
    let mut tx = state.db.begin().await?;
    let done = sqlx::query("UPDATE assignments SET status = 'cancelled', cancel_reason = $1, updated_at = $2 WHERE id = $3 AND status = 'assigned'")
        .bind(&reason)
        .bind(ts(state.db.now()))
        .bind(id.to_string())
        .execute(tx.conn())
        .await?;
    if done.rows_affected() != 1 {
        return Err(ApiError::new(StatusCode::CONFLICT, "assignment_not_open", "该入户调查安排已结束，不能再取消"));
    }
    feed::assignment_delete(&mut tx, id, &a.investigators).await?;
    let detail = json!({ "assignment_id": id, "reason": reason, "revisit": revisit });
    cases::add_step(&mut tx, a.case_id, CaseEvent::VisitCancelled.as_str(), Some(caller.user_id), None, detail.clone()).await?;
    audit::record(&mut tx, caller.audit("assignment.cancel", "assignment", id, Some(&a.org_path)).with_detail(detail)).await?;
    let v = view(tx.conn(), id).await?.ok_or_else(ApiError::internal)?;
    tx.commit().await?;
    Ok(Json(v))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AssignmentQuery {
    /// assigned, completed or cancelled
    pub status: Option<String>,
    /// Only assignments naming the caller as investigator.
    pub mine: Option<bool>,
    pub case_id: Option<Uuid>,
}

#[utoipa::path(get, path = "/api/v1/assignments", tag = "assignments", security(("bearer" = [])), params(AssignmentQuery),
    description = "Assignments in the caller's scope.",
    responses((status = 200, body = Vec<AssignmentView>)))]
pub async fn list(State(state): State<AppState>, caller: Caller, ApiQuery(q): ApiQuery<AssignmentQuery>) -> ApiResult<Json<Vec<AssignmentView>>> {
    let scope = caller.scope();
    let mut sql = format!("SELECT id FROM assignments WHERE {}", scope.condition("org_path", 1));
    let mut binds = Vec::new();
    if let Some(s) = q.status.filter(|s| !s.is_empty()) {
        binds.push(s);
        sql.push_str(&format!(" AND status = ${}", binds.len() + 2));
    }
    if q.mine == Some(true) {
        binds.push(caller.user_id.to_string());
        sql.push_str(&format!(" AND (investigator1 = ${n} OR investigator2 = ${n})", n = binds.len() + 2));
    }
    if let Some(c) = q.case_id {
        binds.push(c.to_string());
        sql.push_str(&format!(" AND case_id = ${}", binds.len() + 2));
    }
    sql.push_str(" ORDER BY created_at DESC, id LIMIT 500");
    let mut query = scope.bind(sqlx::query(&sql));
    for b in binds {
        query = query.bind(b);
    }
    let mut conn = state.db.pool.acquire().await?;
    let ids: Vec<String> = query.fetch_all(&mut *conn).await?.iter().map(|r| r.try_get("id")).collect::<Result<_, _>>()?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(v) = view(&mut conn, parse_uuid(&id)?).await? {
            out.push(v);
        }
    }
    Ok(Json(out))
}
