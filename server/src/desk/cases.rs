//! The case desk: opening a case, the case list with due dates, and the full case record (audited).

use std::collections::BTreeMap;

use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, NaiveDate, Utc};
use ruhu_core::{
    assistance::AssistanceType,
    protocol::{PersonRef, Problem},
    resident_id::mask,
    workflow::{Stage, case_event_label},
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use super::{
    assignments::{self, AssignmentView},
    visit_review::{self, VisitRecord},
};
use crate::{
    access::{caller::Caller, users},
    app::state::AppState,
    records::{
        calendar,
        cases::{self, CaseRow, FactRecord},
        households::{self, HouseholdRecord, NewHousehold},
        submissions::{self, SUBMISSION_COLUMNS},
    },
    store::{
        audit,
        db::{parse_json, parse_ts, parse_uuid},
        error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult},
    },
    workflow::{
        actions::Acting,
        case_state,
        intake::{self, NewApplication},
    },
};

/// An application for a registered household (`POST /api/v1/cases`).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewCase {
    pub household_id: Uuid,
    #[serde(flatten)]
    pub application: NewApplication,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CaseSummary {
    pub id: Uuid,
    pub case_no: String,
    pub assistance_type: AssistanceType,
    pub assistance_type_label: String,
    pub step: String,
    pub step_label: String,
    pub township_code: String,
    pub village_code: String,
    pub org_path: String,
    pub household_id: Uuid,
    pub head_name: String,
    /// The household head's resident ID, masked.
    pub head_resident_id_masked: Option<String>,
    /// The earliest due date of the case's open steps.
    pub next_due_date: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CaseStepRecord {
    pub id: Uuid,
    pub kind: String,
    pub label: String,
    pub actor: Option<PersonRef>,
    pub at: DateTime<Utc>,
    pub due_date: Option<NaiveDate>,
    pub detail: Value,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConflictRecord {
    pub id: Uuid,
    pub fact_key: String,
    pub current_value: Value,
    pub current_source: Option<Uuid>,
    pub proposed_value: Value,
    pub proposed_source: Uuid,
    pub created_at: DateTime<Utc>,
}

/// The case record: everything a reviewer needs to decide, with where each piece came from.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CaseRecord {
    pub id: Uuid,
    pub case_no: String,
    pub assistance_type: AssistanceType,
    pub assistance_type_label: String,
    pub step: String,
    pub step_label: String,
    pub township_code: String,
    pub village_code: String,
    pub location_name: String,
    pub org_path: String,
    pub created_by: PersonRef,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub household: HouseholdRecord,
    pub facts: BTreeMap<String, FactRecord>,
    pub assignments: Vec<AssignmentView>,
    pub visits: Vec<VisitRecord>,
    pub steps: Vec<CaseStepRecord>,
    /// Facts two visits changed from the same base to different values; a supervisor decides.
    pub conflicts: Vec<ConflictRecord>,
}

async fn summary(conn: &mut AnyConnection, c: CaseRow) -> Result<CaseSummary, sqlx::Error> {
    let head = sqlx::query(
        "SELECT h.head_name, (SELECT m.resident_id FROM members m WHERE m.household_id = h.id ORDER BY m.position LIMIT 1) AS head_id \
         FROM households h WHERE h.id = $1",
    )
    .bind(c.household_id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let (head_name, head_id): (String, Option<String>) = match head {
        Some(r) => (r.try_get("head_name")?, r.try_get("head_id")?),
        None => (String::new(), None),
    };
    Ok(CaseSummary {
        id: c.id,
        case_no: c.case_no,
        assistance_type: c.assistance_type,
        assistance_type_label: c.assistance_type.label_zh().into(),
        step_label: Stage::parse(&c.step).map(Stage::label_zh).unwrap_or("其他").into(),
        step: c.step,
        township_code: c.township_code,
        village_code: c.village_code,
        org_path: c.org_path,
        household_id: c.household_id,
        head_name,
        head_resident_id_masked: head_id.as_deref().map(mask),
        next_due_date: None,
        created_at: c.created_at,
        updated_at: c.updated_at,
    })
}

#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", security(("bearer" = [])), request_body = NewCase,
    description = "Registers an application (申请) for a household in the caller's scope and gives it a case number: by a \
        township caseworker or reviewer (at the counter, or entering one the village committee handed in), or by a village \
        assistant on the applicant's behalf (代为申请). The township then accepts it or lists what is missing \
        (`accept` / `notice_missing` actions).",
    responses((status = 201, body = CaseSummary), (status = 403, body = Problem, description = "forbidden_role, out_of_scope"),
              (status = 404, body = Problem), (status = 409, body = Problem, description = "case_exists"),
              (status = 422, body = Problem, description = "invalid_date")))]
pub async fn create(State(state): State<AppState>, caller: Caller, ApiJson(req): ApiJson<NewCase>) -> ApiResult<(StatusCode, Json<CaseSummary>)> {
    let mut conn = state.db.pool.acquire().await?;
    let household = households::load(&mut conn, req.household_id).await?;
    drop(conn);
    let household = household.ok_or_else(|| ApiError::not_found("家庭").with_field("household_id"))?;
    caller.guard(&state, "household", &household.id.to_string(), &household.org_path).await?;
    let calendar = calendar::work_calendar(&state).await.map_err(ApiError::from)?;
    let mut tx = state.db.begin().await?;
    let (case, _) = intake::register_application(&mut tx, &state, &calendar, &Acting::of(&caller), &household, &req.application).await?;
    let out = summary(tx.conn(), case).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(out)))
}

/// A household seen at the counter for the first time, and its application, in one form.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewIntake {
    pub household: NewHousehold,
    pub application: NewApplication,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Intake {
    pub household: HouseholdRecord,
    pub case: CaseSummary,
}

#[utoipa::path(post, path = "/api/v1/applications", tag = "cases", security(("bearer" = [])), request_body = NewIntake,
    description = "Intake at the counter: registers a household (members with their ID numbers and relations) and its \
        application together, all or nothing. Refused as `POST /api/v1/households` and `POST /api/v1/cases` refuse.",
    responses((status = 201, body = Intake), (status = 403, body = Problem, description = "forbidden_role, out_of_scope"),
              (status = 409, body = Problem, description = "duplicate_resident_id"),
              (status = 422, body = Problem, description = "invalid_resident_id, invalid_field, unknown_village, village_retired, invalid_date")))]
pub async fn intake(State(state): State<AppState>, caller: Caller, ApiJson(req): ApiJson<NewIntake>) -> ApiResult<(StatusCode, Json<Intake>)> {
    let calendar = calendar::work_calendar(&state).await.map_err(ApiError::from)?;
    let village = super::households::village_for_registration(&state, &caller, &req.household.village_code).await?;
    let mut tx = state.db.begin().await?;
    let household = super::households::register(&mut tx, &caller, &village, &req.household).await?;
    let (case, _) = intake::register_application(&mut tx, &state, &calendar, &Acting::of(&caller), &household, &req.application).await?;
    let out = Intake { household: household.record(tx.conn()).await?, case: summary(tx.conn(), case).await? };
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(out)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct CaseQuery {
    pub step: Option<String>,
    pub assistance_type: Option<String>,
    /// Cases of this village only.
    pub village_code: Option<String>,
    /// The case with this number (e.g. QY-2026-000123).
    pub case_no: Option<String>,
    /// Cases with an open step due on or before this day (YYYY-MM-DD); applied to the page read.
    pub due_before: Option<NaiveDate>,
    /// Only cases at a stage that takes a home visit (accepted, under investigation, objection review, periodic
    /// review): what a visit supervisor may assign.
    pub visits: Option<bool>,
    /// Default 100, at most 500.
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", security(("bearer" = [])), params(CaseQuery),
    description = "Cases in the caller's scope, newest first; resident IDs masked.",
    responses((status = 200, body = Vec<CaseSummary>)))]
pub async fn list(State(state): State<AppState>, caller: Caller, ApiQuery(q): ApiQuery<CaseQuery>) -> ApiResult<Json<Vec<CaseSummary>>> {
    let scope = caller.scope();
    let mut sql = format!("{} WHERE {}", cases::SELECT, scope.condition("org_path", 1));
    // Equality filters, each bound after the scope's two parameters.
    let mut extra: Vec<String> = Vec::new();
    let filters = [("step", &q.step), ("assistance_type", &q.assistance_type), ("case_no", &q.case_no), ("village_code", &q.village_code)];
    for (column, value) in filters {
        if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            extra.push(v.to_string());
            sql.push_str(&format!(" AND {column} = ${}", 2 + extra.len()));
        }
    }
    if q.visits == Some(true) {
        let stages: Vec<String> = Stage::ALL.iter().filter(|s| s.takes_visits()).map(|s| format!("'{}'", s.as_str())).collect();
        sql.push_str(&format!(" AND step IN ({})", stages.join(", ")));
    }
    let n = 2 + extra.len();
    sql.push_str(&format!(" ORDER BY created_at DESC, id LIMIT ${} OFFSET ${}", n + 1, n + 2));
    let mut query = scope.bind(sqlx::query(&sql));
    for e in extra {
        query = query.bind(e);
    }
    query = query.bind(q.limit.unwrap_or(100).clamp(1, 500)).bind(q.offset.unwrap_or(0).max(0));
    let calendar = crate::records::calendar::work_calendar(&state).await.map_err(ApiError::from)?;
    let mut conn = state.db.pool.acquire().await?;
    let rows = query.fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let case = cases::from_row(row)?;
        // Due dates from the workflow state as it stands (derived states included), never a stale column.
        let (s, _) = case_state::load_state(&mut conn, &case).await?;
        let next_due_date = ruhu_core::workflow::deadlines::open_steps(&s, &state.policy, &calendar).first_due();
        if q.due_before.is_some_and(|limit| next_due_date.is_none_or(|due| due > limit)) {
            continue;
        }
        let mut item = summary(&mut conn, case).await?;
        item.next_due_date = next_due_date;
        out.push(item);
    }
    Ok(Json(out))
}

pub async fn build_record(conn: &mut AnyConnection, c: CaseRow) -> ApiResult<CaseRecord> {
    let household = households::load(conn, c.household_id).await?.ok_or_else(ApiError::internal)?;
    let household_location = household.location;
    let household = household.record(conn).await?;
    let facts = cases::facts(conn, c.id).await?;

    let assignment_ids: Vec<String> = sqlx::query("SELECT id FROM assignments WHERE case_id = $1 ORDER BY created_at")
        .bind(c.id.to_string())
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_, _>>()?;
    let mut assignment_views = Vec::new();
    for id in assignment_ids {
        if let Some(v) = assignments::view(conn, parse_uuid(&id)?).await? {
            assignment_views.push(v);
        }
    }

    let rows = sqlx::query(&format!("SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE case_id = $1 ORDER BY received_at"))
        .bind(c.id.to_string())
        .fetch_all(&mut *conn)
        .await?;
    let mut visit_records = Vec::new();
    for row in &rows {
        let s = submissions::submission_from_row(row)?;
        visit_records.push(visit_review::record(conn, &s, household_location).await?);
    }

    let step_rows = sqlx::query("SELECT id, kind, actor_user_id, at, due_date, detail FROM case_steps WHERE case_id = $1 ORDER BY at, id")
        .bind(c.id.to_string())
        .fetch_all(&mut *conn)
        .await?;
    let mut steps = Vec::new();
    for r in step_rows {
        let kind: String = r.try_get("kind")?;
        let actor: Option<String> = r.try_get("actor_user_id")?;
        let due: Option<String> = r.try_get("due_date")?;
        steps.push(CaseStepRecord {
            id: parse_uuid(&r.try_get::<String, _>("id")?)?,
            label: case_event_label(&kind).into(),
            kind,
            actor: match actor {
                Some(a) => Some(users::person_str(conn, &a).await?),
                None => None,
            },
            at: parse_ts(&r.try_get::<String, _>("at")?)?,
            due_date: due.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
            detail: parse_json(&r.try_get::<String, _>("detail")?)?,
        });
    }

    let conflict_rows = sqlx::query(
        "SELECT id, fact_key, current_value, current_source, proposed_value, proposed_source, created_at FROM conflicts \
         WHERE case_id = $1 AND resolved_at IS NULL ORDER BY created_at, fact_key",
    )
    .bind(c.id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let mut conflicts = Vec::new();
    for r in conflict_rows {
        let current_source: Option<String> = r.try_get("current_source")?;
        conflicts.push(ConflictRecord {
            id: parse_uuid(&r.try_get::<String, _>("id")?)?,
            fact_key: r.try_get("fact_key")?,
            current_value: parse_json(&r.try_get::<String, _>("current_value")?)?,
            current_source: current_source.as_deref().map(parse_uuid).transpose()?,
            proposed_value: parse_json(&r.try_get::<String, _>("proposed_value")?)?,
            proposed_source: parse_uuid(&r.try_get::<String, _>("proposed_source")?)?,
            created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
        });
    }

    Ok(CaseRecord {
        id: c.id,
        case_no: c.case_no,
        assistance_type: c.assistance_type,
        assistance_type_label: c.assistance_type.label_zh().into(),
        step_label: Stage::parse(&c.step).map(Stage::label_zh).unwrap_or("其他").into(),
        step: c.step,
        township_code: c.township_code,
        village_code: c.village_code,
        location_name: household.location_name.clone(),
        org_path: c.org_path,
        created_by: users::person_str(conn, &c.created_by).await?,
        created_at: c.created_at,
        updated_at: c.updated_at,
        household,
        facts,
        assignments: assignment_views,
        visits: visit_records,
        steps,
        conflicts,
    })
}

#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "case id")),
    description = "The case record: case, household, facts with sources, visits with evidence, steps and open conflicts. Audited.",
    responses((status = 200, body = CaseRecord), (status = 403, body = Problem, description = "out_of_scope (audited)"),
              (status = 404, body = Problem)))]
pub async fn get(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<CaseRecord>> {
    let mut conn = state.db.pool.acquire().await?;
    let case = cases::load(&mut conn, id).await?.ok_or_else(|| ApiError::not_found("案件"))?;
    if !caller.scope().contains(&case.org_path) {
        drop(conn);
        caller.guard(&state, "case", &id.to_string(), &case.org_path).await?;
        return Err(ApiError::out_of_scope());
    }
    let path = case.org_path.clone();
    let record = build_record(&mut conn, case).await?;
    drop(conn);
    audit::record_alone(&state.db, caller.audit("case.read", "case", id, Some(&path))).await?;
    Ok(Json(record))
}
