//! Cases: one household, one assistance type, a human case number, the facts it relies on (each with its
//! source), the steps taken, and the visits merged into it.

use std::collections::BTreeMap;

use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use ruhu_core::{
    assistance::AssistanceType,
    protocol::{CaseSnapshot, FactValue, PersonRef, Problem},
    resident_id::mask,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::{
    assignments::{self, AssignmentView},
    audit,
    auth::Caller,
    db::{Tx, parse_json, parse_ts, parse_uuid, to_json, ts},
    error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult},
    households::{self, HouseholdRecord},
    org, scope,
    state::AppState,
    users,
    visits::{self, SUBMISSION_COLUMNS, VisitRecord},
};

/// Where a case stands.
pub mod step {
    pub const ACCEPTED: &str = "accepted";
    pub const INVESTIGATING: &str = "investigating";
    pub const INVESTIGATED: &str = "investigated";

    pub fn label_zh(step: &str) -> &'static str {
        match step {
            ACCEPTED => "已受理",
            INVESTIGATING => "入户调查中",
            INVESTIGATED => "入户调查完成",
            // The workflow's stages (ruhu_core::workflow::Stage) are stored here too.
            other => ruhu_core::workflow::Stage::parse(other).map(|s| s.label_zh()).unwrap_or("其他"),
        }
    }
}

/// What happened to a case (the `case_steps` log).
pub fn step_kind_label(kind: &str) -> &'static str {
    match kind {
        "case_created" => "登记申请",
        "visit_assigned" => "安排入户调查",
        "visit_reassigned" => "调整调查人员",
        "visit_cancelled" => "取消入户调查",
        "visit_submitted" => "提交入户调查结果",
        "visit_merged" => "入户调查结果并入案件",
        "conflict_recorded" => "发现数据冲突，待核实",
        "conflict_resolved" => "数据冲突已核实处理",
        other => crate::workflow::actions::step_label(other).unwrap_or("其他"),
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewCase {
    pub household_id: Uuid,
    pub assistance_type: AssistanceType,
    /// Facts from the application, entered at the desk (source: none).
    #[serde(default)]
    pub facts: BTreeMap<String, Value>,
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
pub struct FactRecord {
    pub value: Value,
    /// None: entered at the desk; Some: the visit it came from.
    pub source_submission: Option<Uuid>,
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

/// A case row as stored.
pub struct CaseRow {
    pub id: Uuid,
    pub case_no: String,
    pub household_id: Uuid,
    pub assistance_type: AssistanceType,
    pub step: String,
    pub township_code: String,
    pub village_code: String,
    pub org_path: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const SELECT: &str =
    "SELECT id, case_no, household_id, assistance_type, step, township_code, village_code, org_path, created_by, created_at, updated_at FROM cases";

fn from_row(row: &sqlx::any::AnyRow) -> Result<CaseRow, sqlx::Error> {
    let kind: String = row.try_get("assistance_type")?;
    Ok(CaseRow {
        id: parse_uuid(&row.try_get::<String, _>("id")?)?,
        case_no: row.try_get("case_no")?,
        household_id: parse_uuid(&row.try_get::<String, _>("household_id")?)?,
        assistance_type: AssistanceType::parse(&kind).ok_or_else(|| sqlx::Error::Decode(format!("assistance type {kind}").into()))?,
        step: row.try_get("step")?,
        township_code: row.try_get("township_code")?,
        village_code: row.try_get("village_code")?,
        org_path: row.try_get("org_path")?,
        created_by: row.try_get("created_by")?,
        created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
        updated_at: parse_ts(&row.try_get::<String, _>("updated_at")?)?,
    })
}

pub async fn load(conn: &mut AnyConnection, id: Uuid) -> Result<Option<CaseRow>, sqlx::Error> {
    let row = sqlx::query(&format!("{SELECT} WHERE id = $1")).bind(id.to_string()).fetch_optional(&mut *conn).await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn facts(conn: &mut AnyConnection, case_id: Uuid) -> Result<BTreeMap<String, FactRecord>, sqlx::Error> {
    let rows = sqlx::query("SELECT fact_key, value, source_submission, updated_at FROM case_facts WHERE case_id = $1")
        .bind(case_id.to_string())
        .fetch_all(&mut *conn)
        .await?;
    let mut out = BTreeMap::new();
    for r in rows {
        let source: Option<String> = r.try_get("source_submission")?;
        out.insert(
            r.try_get("fact_key")?,
            FactRecord {
                value: parse_json(&r.try_get::<String, _>("value")?)?,
                source_submission: source.as_deref().map(parse_uuid).transpose()?,
                updated_at: parse_ts(&r.try_get::<String, _>("updated_at")?)?,
            },
        );
    }
    Ok(out)
}

pub async fn snapshot(conn: &mut AnyConnection, c: &CaseRow) -> Result<CaseSnapshot, sqlx::Error> {
    let village_name = org::get(conn, &c.village_code).await?.map(|u| u.name).unwrap_or_default();
    let facts = facts(conn, c.id)
        .await?
        .into_iter()
        .map(|(k, f)| (k, FactValue { value: f.value, source_submission: f.source_submission }))
        .collect();
    Ok(CaseSnapshot {
        id: c.id,
        case_no: c.case_no.clone(),
        assistance_type: c.assistance_type,
        step: c.step.clone(),
        township_code: c.township_code.clone(),
        village_code: c.village_code.clone(),
        village_name,
        facts,
        // Filled in where the policy and the calendar are at hand (the sync feed).
        precheck: None,
        progress: None,
    })
}

pub async fn add_step(
    tx: &mut Tx,
    case_id: Uuid,
    kind: &str,
    actor: Option<Uuid>,
    due_date: Option<NaiveDate>,
    detail: Value,
) -> Result<(), sqlx::Error> {
    let now = ts(tx.now());
    sqlx::query("INSERT INTO case_steps (id, case_id, kind, actor_user_id, at, due_date, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(Uuid::new_v4().to_string())
        .bind(case_id.to_string())
        .bind(kind)
        .bind(actor.map(|a| a.to_string()))
        .bind(&now)
        .bind(due_date.map(|d| d.to_string()))
        .bind(to_json(&detail))
        .execute(tx.conn())
        .await?;
    sqlx::query("UPDATE cases SET updated_at = $1 WHERE id = $2").bind(&now).bind(case_id.to_string()).execute(tx.conn()).await?;
    Ok(())
}

/// Sets the legacy step from the assignment and visit code. Once the workflow has moved a case past the
/// investigation, the workflow owns the step: a later assignment change or visit merge does not move it back.
pub async fn set_step(tx: &mut Tx, case_id: Uuid, step: &str) -> Result<(), sqlx::Error> {
    let now = ts(tx.now());
    sqlx::query(
        "UPDATE cases SET step = $1, updated_at = $2 WHERE id = $3 \
         AND (workflow IS NULL OR step IN ('accepted', 'investigating', 'investigated'))",
    )
        .bind(step)
        .bind(now)
        .bind(case_id.to_string())
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Pinyin initials of the townships, for case numbers such as "QY-2026-000123".
fn case_prefix(township_code: &str) -> String {
    let known = [
        ("520111101", "QY"),
        ("520111102", "SB"),
        ("520111103", "YL"),
        ("520111104", "MP"),
        ("520111201", "MG"),
        ("520111202", "ML"),
        ("520111203", "QT"),
        ("520111204", "GP"),
        ("520111205", "JA"),
        ("520111001", "YG"),
        ("520111002", "QX"),
        ("520111003", "XB"),
        ("520111004", "GZ"),
        ("520111005", "HHL"),
        ("520111006", "PQ"),
        ("520111007", "XM"),
        ("520111008", "JZ"),
    ];
    known.iter().find(|(c, _)| *c == township_code).map(|(_, p)| (*p).to_string()).unwrap_or_else(|| township_code.to_string())
}

async fn next_case_no(conn: &mut AnyConnection, township_code: &str, now: DateTime<Utc>) -> Result<String, sqlx::Error> {
    let prefix = case_prefix(township_code);
    let year = i64::from(now.year());
    let row = sqlx::query(
        "INSERT INTO case_counters (prefix, year, last_no) VALUES ($1, $2, 1) \
         ON CONFLICT (prefix, year) DO UPDATE SET last_no = case_counters.last_no + 1 RETURNING last_no",
    )
    .bind(&prefix)
    .bind(year)
    .fetch_one(&mut *conn)
    .await?;
    let n: i64 = row.try_get("last_no")?;
    Ok(format!("{prefix}-{year}-{n:06}"))
}

/// Opens a case inside `tx`. The caller has checked permission and scope.
pub async fn insert(
    tx: &mut Tx,
    household: &households::Household,
    kind: AssistanceType,
    desk_facts: &BTreeMap<String, Value>,
    created_by: Uuid,
) -> ApiResult<CaseRow> {
    let now = tx.now();
    let conn = tx.conn();
    let open = sqlx::query("SELECT case_no FROM cases WHERE household_id = $1 AND assistance_type = $2")
        .bind(household.id.to_string())
        .bind(kind.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(row) = open {
        let no: String = row.try_get("case_no")?;
        return Err(ApiError::new(StatusCode::CONFLICT, "case_exists", format!("该家庭已有{}案件（{no}）", kind.label_zh())));
    }
    let township_code = org::township_code_of(&household.org_path).unwrap_or_default().to_string();
    let id = Uuid::new_v4();
    let case_no = next_case_no(conn, &township_code, now).await?;
    sqlx::query(
        "INSERT INTO cases (id, case_no, household_id, assistance_type, step, township_code, village_code, org_path, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(id.to_string())
    .bind(&case_no)
    .bind(household.id.to_string())
    .bind(kind.as_str())
    .bind(step::ACCEPTED)
    .bind(&township_code)
    .bind(&household.village_code)
    .bind(&household.org_path)
    .bind(created_by.to_string())
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    for (key, value) in desk_facts {
        if key.trim().is_empty() || value.is_null() {
            continue;
        }
        sqlx::query("INSERT INTO case_facts (case_id, fact_key, value, source_submission, updated_at) VALUES ($1, $2, $3, NULL, $4)")
            .bind(id.to_string())
            .bind(key)
            .bind(to_json(value))
            .bind(ts(now))
            .execute(&mut *conn)
            .await?;
    }
    add_step(tx, id, "case_created", Some(created_by), None, json!({ "case_no": case_no })).await?;
    load(tx.conn(), id).await?.ok_or_else(ApiError::internal)
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
        step_label: step::label_zh(&c.step).into(),
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
    description = "Opens a case (申请受理) for a household in the caller's scope and gives it a case number.",
    responses((status = 201, body = CaseSummary), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem, description = "case_exists")))]
pub async fn create(State(state): State<AppState>, caller: Caller, ApiJson(req): ApiJson<NewCase>) -> ApiResult<(StatusCode, Json<CaseSummary>)> {
    caller.require(|r| r.may_manage_cases())?;
    let mut conn = state.db.pool.acquire().await?;
    let household = households::load(&mut conn, req.household_id).await?;
    drop(conn);
    let household = household.ok_or_else(|| ApiError::not_found("家庭").with_field("household_id"))?;
    scope::guard(&state, &caller, "household", &household.id.to_string(), &household.org_path).await?;
    let mut tx = state.db.begin().await?;
    let case = insert(&mut tx, &household, req.assistance_type, &req.facts, caller.user_id).await?;
    let entry = caller
        .audit("case.create", "case", case.id, Some(&case.org_path))
        .with_detail(json!({ "case_no": case.case_no, "assistance_type": req.assistance_type, "desk_facts": req.facts.keys().collect::<Vec<_>>() }));
    audit::record(&mut tx, entry).await?;
    let out = summary(tx.conn(), case).await?;
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
    /// Default 100, at most 500.
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", security(("bearer" = [])), params(CaseQuery),
    description = "Cases in the caller's scope, newest first; resident IDs masked.",
    responses((status = 200, body = Vec<CaseSummary>)))]
pub async fn list(State(state): State<AppState>, caller: Caller, ApiQuery(q): ApiQuery<CaseQuery>) -> ApiResult<Json<Vec<CaseSummary>>> {
    let scope = caller.scope();
    let mut sql = format!("{SELECT} WHERE {}", scope.condition("org_path", 1));
    // Equality filters, each bound after the scope's two parameters.
    let mut extra: Vec<String> = Vec::new();
    let filters = [("step", &q.step), ("assistance_type", &q.assistance_type), ("case_no", &q.case_no), ("village_code", &q.village_code)];
    for (column, value) in filters {
        if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            extra.push(v.to_string());
            sql.push_str(&format!(" AND {column} = ${}", 2 + extra.len()));
        }
    }
    let n = 2 + extra.len();
    sql.push_str(&format!(" ORDER BY created_at DESC, id LIMIT ${} OFFSET ${}", n + 1, n + 2));
    let mut query = scope.bind(sqlx::query(&sql));
    for e in extra {
        query = query.bind(e);
    }
    query = query.bind(q.limit.unwrap_or(100).clamp(1, 500)).bind(q.offset.unwrap_or(0).max(0));
    let calendar = crate::policy::work_calendar(&state).await.map_err(ApiError::from)?;
    let mut conn = state.db.pool.acquire().await?;
    let rows = query.fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let case = from_row(row)?;
        // Due dates from the workflow state as it stands (derived states included), never a stale column.
        let (s, _) = crate::workflow::store::load_state(&mut conn, &case).await?;
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
    let facts = facts(conn, c.id).await?;

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
        let s = visits::submission_from_row(row)?;
        visit_records.push(visits::record(conn, &s, household_location).await?);
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
            label: step_kind_label(&kind).into(),
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
        step_label: step::label_zh(&c.step).into(),
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
    let case = load(&mut conn, id).await?.ok_or_else(|| ApiError::not_found("案件"))?;
    if !caller.scope().contains(&case.org_path) {
        drop(conn);
        scope::guard(&state, &caller, "case", &id.to_string(), &case.org_path).await?;
        return Err(ApiError::out_of_scope());
    }
    let path = case.org_path.clone();
    let record = build_record(&mut conn, case).await?;
    drop(conn);
    audit::record_alone(&state.db, caller.audit("case.read", "case", id, Some(&path))).await?;
    Ok(Json(record))
}
