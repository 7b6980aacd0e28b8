//! Visit assignments: a case, exactly two investigators of the case's township, a due date, a form version.
//! Every change lands in the investigators' sync feeds.

use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, NaiveDate, Utc};
use ruhu_core::{
    form::FormPurpose,
    org::path_contains,
    protocol::{AssignmentSnapshot, AssignmentStatus, PersonRef, Problem, SubmissionSummary},
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::{
    audit,
    auth::Caller,
    cases::{self, step},
    db::{Tx, parse_ts, parse_uuid, ts},
    error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult},
    forms, households, org, scope,
    state::AppState,
    sync::feed,
    users, visits,
};

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewAssignment {
    pub case_id: Uuid,
    /// Exactly two distinct users with an investigating role in the case's township: investigator 1, then 2.
    pub investigator_ids: Vec<Uuid>,
    pub due_date: NaiveDate,
    /// Defaults to the latest published form for the case's assistance type.
    #[serde(default)]
    pub form_id: Option<String>,
    #[serde(default)]
    pub form_version: Option<u32>,
}

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

pub struct AssignmentRow {
    pub id: Uuid,
    pub case_id: Uuid,
    pub status: AssignmentStatus,
    pub due_date: NaiveDate,
    pub form_id: String,
    pub form_version: u32,
    pub investigators: [Uuid; 2],
    pub assigned_by: Uuid,
    pub org_path: String,
    pub completed_submission: Option<Uuid>,
    pub cancel_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const SELECT: &str = "SELECT id, case_id, status, due_date, form_id, form_version, investigator1, investigator2, assigned_by, org_path, \
                      completed_submission, cancel_reason, created_at, updated_at FROM assignments";

fn from_row(row: &sqlx::any::AnyRow) -> Result<AssignmentRow, sqlx::Error> {
    let status: String = row.try_get("status")?;
    let due: String = row.try_get("due_date")?;
    let completed: Option<String> = row.try_get("completed_submission")?;
    Ok(AssignmentRow {
        id: parse_uuid(&row.try_get::<String, _>("id")?)?,
        case_id: parse_uuid(&row.try_get::<String, _>("case_id")?)?,
        status: AssignmentStatus::parse(&status).ok_or_else(|| sqlx::Error::Decode(format!("status {status}").into()))?,
        due_date: NaiveDate::parse_from_str(&due, "%Y-%m-%d").map_err(|e| sqlx::Error::Decode(e.to_string().into()))?,
        form_id: row.try_get("form_id")?,
        form_version: u32::try_from(row.try_get::<i64, _>("form_version")?).unwrap_or(0),
        investigators: [parse_uuid(&row.try_get::<String, _>("investigator1")?)?, parse_uuid(&row.try_get::<String, _>("investigator2")?)?],
        assigned_by: parse_uuid(&row.try_get::<String, _>("assigned_by")?)?,
        org_path: row.try_get("org_path")?,
        completed_submission: completed.as_deref().map(parse_uuid).transpose()?,
        cancel_reason: row.try_get("cancel_reason")?,
        created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
        updated_at: parse_ts(&row.try_get::<String, _>("updated_at")?)?,
    })
}

pub async fn load(conn: &mut AnyConnection, id: Uuid) -> Result<Option<AssignmentRow>, sqlx::Error> {
    let row = sqlx::query(&format!("{SELECT} WHERE id = $1")).bind(id.to_string()).fetch_optional(&mut *conn).await?;
    row.as_ref().map(from_row).transpose()
}

/// The case moved in its procedure: its open assignments go out again, so the investigators' phones show the new
/// stage and due dates.
pub async fn resend_open(tx: &mut Tx, case_id: Uuid) -> Result<(), sqlx::Error> {
    let rows = sqlx::query(&format!("{SELECT} WHERE case_id = $1 AND status = 'assigned'")).bind(case_id.to_string()).fetch_all(tx.conn()).await?;
    for row in &rows {
        let a = from_row(row)?;
        feed::assignment_upsert(tx, a.id, &a.investigators, &a.form_id, a.form_version).await?;
    }
    Ok(())
}

/// Sends every open assignment to its investigators' phones again (their case's due dates changed for all, e.g. a
/// holiday schedule was loaded).
pub async fn resend_all_open(tx: &mut Tx) -> Result<(), sqlx::Error> {
    let rows = sqlx::query(&format!("{SELECT} WHERE status = 'assigned'")).fetch_all(tx.conn()).await?;
    for row in &rows {
        let a = from_row(row)?;
        feed::assignment_upsert(tx, a.id, &a.investigators, &a.form_id, a.form_version).await?;
    }
    Ok(())
}

pub async fn view(conn: &mut AnyConnection, id: Uuid) -> Result<Option<AssignmentView>, sqlx::Error> {
    let Some(a) = load(conn, id).await? else { return Ok(None) };
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

/// What a device stores for an assignment: the case with its facts, the household with full member data.
pub async fn snapshot(conn: &mut AnyConnection, id: Uuid) -> Result<Option<AssignmentSnapshot>, sqlx::Error> {
    Ok(snapshot_with_case(conn, id).await?.map(|(s, _)| s))
}

/// The snapshot and the case row it was built from (for callers that go on to read the case's workflow).
pub async fn snapshot_with_case(conn: &mut AnyConnection, id: Uuid) -> Result<Option<(AssignmentSnapshot, cases::CaseRow)>, sqlx::Error> {
    let Some(a) = load(conn, id).await? else { return Ok(None) };
    let Some(case) = cases::load(conn, a.case_id).await? else { return Ok(None) };
    let Some(household) = households::load(conn, case.household_id).await? else { return Ok(None) };
    let completed_by = match a.completed_submission {
        Some(sid) => match visits::load_submission(conn, sid).await? {
            Some(s) => Some(SubmissionSummary {
                submission_id: s.id,
                submitted_by: users::person(conn, s.submitted_by).await?,
                finalized_at: s.body.finalized_at,
                received_at: s.received_at,
            }),
            None => None,
        },
        None => None,
    };
    let case_snapshot = cases::snapshot(conn, &case).await?;
    Ok(Some((AssignmentSnapshot {
        id: a.id,
        status: a.status,
        due_date: a.due_date,
        investigators: vec![users::person(conn, a.investigators[0]).await?, users::person(conn, a.investigators[1]).await?],
        assigned_by: users::person(conn, a.assigned_by).await?,
        form_id: a.form_id,
        form_version: a.form_version,
        case: case_snapshot,
        household: household.snapshot(),
        completed_by,
        updated_at: a.updated_at,
    }, case)))
}

fn unprocessable(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message).with_field("investigator_ids")
}

/// Two distinct, enabled users with an investigating role, both in the case's township; for a district re-visit
/// (`district`), both at the district level above it instead.
async fn check_pair(conn: &mut AnyConnection, ids: &[Uuid], case_path: &str, district: bool) -> ApiResult<[Uuid; 2]> {
    let [a, b] = ids else { return Err(unprocessable("investigators_not_two", "入户调查须安排两名调查人员")) };
    if a == b {
        return Err(unprocessable("same_investigator", "两名调查人员不能是同一人"));
    }
    let township_path = org::township_path_of(case_path).unwrap_or_else(|| case_path.to_string());
    let township_name = org::by_path(conn, &township_path).await?.map(|u| u.name).unwrap_or_default();
    for id in [a, b] {
        let row = sqlx::query("SELECT u.display_name, u.enabled, o.path FROM users u JOIN org_units o ON o.code = u.org_code WHERE u.id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
        let Some(row) = row else { return Err(unprocessable("unknown_user", "所选调查人员不存在")) };
        let name: String = row.try_get("display_name")?;
        if row.try_get::<i64, _>("enabled")? == 0 {
            return Err(unprocessable("user_disabled", format!("{name}的账号已停用")));
        }
        if !users::roles_of(conn, *id).await?.iter().any(|r| r.may_investigate()) {
            return Err(unprocessable("not_investigator", format!("{name}不具有入户调查的角色")));
        }
        let path: String = row.try_get("path")?;
        if district {
            // Above the township, containing it: the district's own staff.
            if path == township_path || !path_contains(&path, &township_path) {
                return Err(unprocessable("revisitor_not_district", format!("{name}不是区级工作人员，抽查复核须由区级人员入户")));
            }
        } else if !path_contains(&township_path, &path) {
            return Err(unprocessable("investigator_out_of_township", format!("{name}不属于{township_name}，不能调查本乡镇的案件")));
        }
    }
    Ok([*a, *b])
}

/// The stored key of a visit's purpose (the `assignments.purpose` column).
pub fn purpose_key(purpose: FormPurpose) -> &'static str {
    match purpose {
        FormPurpose::HomeVisit => "home_visit",
        FormPurpose::Declaration => "declaration",
        FormPurpose::PeriodicReview => "periodic_review",
        FormPurpose::Revisit => "revisit",
    }
}

fn check_due_date(due: NaiveDate, today: NaiveDate) -> ApiResult<()> {
    // Due dates are calendar days in China (UTC+8).
    if due < today {
        return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_due_date", "完成期限不能早于今天").with_field("due_date"));
    }
    Ok(())
}

async fn record_history(tx: &mut Tx, assignment: Uuid, users: &[Uuid]) -> Result<(), sqlx::Error> {
    let now = ts(tx.now());
    for u in users {
        sqlx::query("INSERT INTO assignment_history (assignment_id, user_id, first_assigned_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(assignment.to_string())
            .bind(u.to_string())
            .bind(&now)
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}

/// Creates a home-visit assignment in `tx` (permission and scope already checked).
pub async fn insert(tx: &mut Tx, policy: &ruhu_core::policy::Policy, case: &cases::CaseRow, req: &NewAssignment, assigned_by: Uuid) -> ApiResult<Uuid> {
    insert_for(tx, policy, case, req, assigned_by, FormPurpose::HomeVisit).await
}

/// Creates an assignment for a visit of `purpose` in `tx` (permission and scope already checked). A periodic review
/// or a district re-visit takes the newest published form for that purpose and leaves the case's stage to the
/// workflow; a re-visit goes to district staff.
pub async fn insert_for(
    tx: &mut Tx,
    policy: &ruhu_core::policy::Policy,
    case: &cases::CaseRow,
    req: &NewAssignment,
    assigned_by: Uuid,
    purpose: FormPurpose,
) -> ApiResult<Uuid> {
    check_due_date(req.due_date, tx.today())?;
    let pair = check_pair(tx.conn(), &req.investigator_ids, &case.org_path, purpose == FormPurpose::Revisit).await?;
    crate::workflow::relatives::refuse_related_investigators(tx.conn(), policy, case.household_id, &pair).await?;
    // A district re-visit runs beside the township's own visits; each kind has at most one open assignment.
    let same_kind = if purpose == FormPurpose::Revisit { "purpose = 'revisit'" } else { "purpose <> 'revisit'" };
    let open = sqlx::query(&format!("SELECT id FROM assignments WHERE case_id = $1 AND status = 'assigned' AND {same_kind}"))
        .bind(case.id.to_string())
        .fetch_optional(tx.conn())
        .await?;
    if open.is_some() {
        let message = if purpose == FormPurpose::Revisit { "该案件已有进行中的抽查复核入户安排" } else { "该案件已有进行中的入户调查安排，请调整或取消后再安排" };
        return Err(ApiError::new(StatusCode::CONFLICT, "assignment_exists", message));
    }
    let form = match (&req.form_id, req.form_version) {
        _ if purpose != FormPurpose::HomeVisit => forms::latest_for_purpose(tx.conn(), case.assistance_type, purpose).await?,
        (Some(id), Some(v)) => forms::load(tx.conn(), id, v).await?,
        (Some(id), None) => {
            let latest = forms::latest_for(tx.conn(), case.assistance_type).await?.filter(|f| &f.id == id);
            match latest {
                Some(f) => Some(f),
                None => forms::load(tx.conn(), id, 1).await?,
            }
        }
        _ => forms::latest_for(tx.conn(), case.assistance_type).await?,
    };
    let Some(form) = form else {
        return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "unknown_form", format!("没有可用的已发布{}表", purpose.label_zh())).with_field("form_id"));
    };
    let id = Uuid::new_v4();
    let now = ts(tx.now());
    sqlx::query(
        "INSERT INTO assignments (id, case_id, status, due_date, form_id, form_version, investigator1, investigator2, assigned_by, org_path, created_at, updated_at, purpose) \
         VALUES ($1, $2, 'assigned', $3, $4, $5, $6, $7, $8, $9, $10, $10, $11)",
    )
    .bind(id.to_string())
    .bind(case.id.to_string())
    .bind(req.due_date.to_string())
    .bind(&form.id)
    .bind(i64::from(form.version))
    .bind(pair[0].to_string())
    .bind(pair[1].to_string())
    .bind(assigned_by.to_string())
    .bind(&case.org_path)
    .bind(&now)
    .bind(purpose_key(purpose))
    .execute(tx.conn())
    .await?;
    record_history(tx, id, &pair).await?;
    if purpose == FormPurpose::HomeVisit {
        cases::set_step(tx, case.id, step::INVESTIGATING).await?;
    }
    let detail = json!({ "assignment_id": id, "investigators": pair, "purpose": purpose });
    cases::add_step(tx, case.id, "visit_assigned", Some(assigned_by), Some(req.due_date), detail).await?;
    feed::assignment_upsert(tx, id, &pair, &form.id, form.version).await?;
    Ok(id)
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
    let a = load(&mut conn, id).await?.ok_or_else(|| ApiError::not_found("入户调查安排"))?;
    let revisit = is_revisit(&mut conn, id).await?;
    drop(conn);
    if revisit {
        caller.require(|r| r == ruhu_core::roles::Role::DistrictSupervisor)?;
    }
    scope::guard(state, caller, "assignment", &id.to_string(), &a.org_path).await?;
    Ok((a, revisit))
}

fn require_open(a: &AssignmentRow) -> ApiResult<()> {
    if a.status != AssignmentStatus::Assigned {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "assignment_not_open",
            format!("该入户调查安排{}，不能再调整", a.status.label_zh()),
        ));
    }
    Ok(())
}

#[utoipa::path(post, path = "/api/v1/assignments", tag = "assignments", security(("bearer" = [])), request_body = NewAssignment,
    description = "Assigns a home visit to two investigators of the case's township.",
    responses((status = 201, body = AssignmentView), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem, description = "assignment_exists"),
              (status = 422, body = Problem, description = "investigators_not_two, same_investigator, not_investigator, investigator_out_of_township, unknown_user, invalid_due_date, unknown_form, near_relative_investigator")))]
pub async fn create(State(state): State<AppState>, caller: Caller, ApiJson(req): ApiJson<NewAssignment>) -> ApiResult<(StatusCode, Json<AssignmentView>)> {
    caller.require(|r| r.may_assign_visits())?;
    let mut conn = state.db.pool.acquire().await?;
    let case = cases::load(&mut conn, req.case_id).await?;
    drop(conn);
    let case = case.ok_or_else(|| ApiError::not_found("案件").with_field("case_id"))?;
    scope::guard(&state, &caller, "case", &case.id.to_string(), &case.org_path).await?;
    let mut tx = state.db.begin().await?;
    let id = insert(&mut tx, &state.policy, &case, &req, caller.user_id).await?;
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
        let originals = crate::workflow::revisits::original_investigators(tx.conn(), &case).await?;
        if pair.iter().any(|u| originals.contains(u)) {
            return Err(unprocessable("revisitor_was_investigator", "抽查复核不能安排本案的原调查人员，须回避"));
        }
    }
    crate::workflow::relatives::refuse_related_investigators(tx.conn(), &state.policy, case.household_id, &pair).await?;
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
    cases::add_step(&mut tx, a.case_id, "visit_reassigned", Some(caller.user_id), Some(due), detail.clone()).await?;
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
    if !revisit {
        cases::set_step(&mut tx, a.case_id, step::ACCEPTED).await?;
    }
    let detail = json!({ "assignment_id": id, "reason": reason });
    cases::add_step(&mut tx, a.case_id, "visit_cancelled", Some(caller.user_id), None, detail.clone()).await?;
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
