//! Cases: one household, one assistance type, a human case number, the facts it relies on (each with its
//! source), the steps taken, and the visits merged into it.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use ruhu_core::{assistance::AssistanceType, workflow::CaseState};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use super::households;
use crate::{
    access::org,
    store::{
        db::{Tx, parse_json, parse_ts, parse_uuid, to_json, ts},
        error::{ApiError, ApiResult},
    },
};

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FactRecord {
    pub value: Value,
    /// None: entered at the desk; Some: the visit it came from.
    pub source_submission: Option<Uuid>,
    pub updated_at: DateTime<Utc>,
}

/// A case row as stored.
pub struct CaseRow {
    pub id: Uuid,
    pub case_no: String,
    pub household_id: Uuid,
    pub assistance_type: AssistanceType,
    /// The workflow stage's key: a projection of the stored workflow state, written with it, for lists.
    pub step: String,
    pub township_code: String,
    pub village_code: String,
    pub org_path: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub const SELECT: &str =
    "SELECT id, case_no, household_id, assistance_type, step, township_code, village_code, org_path, created_by, created_at, updated_at FROM cases";

pub fn from_row(row: &sqlx::any::AnyRow) -> Result<CaseRow, sqlx::Error> {
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

/// Opens a case inside `tx` with its first workflow state (the registered application; see
/// `workflow::intake`, which checks who may and records the step). The caller has checked scope.
pub async fn insert(
    tx: &mut Tx,
    household: &households::Household,
    state: &CaseState,
    desk_facts: &BTreeMap<String, Value>,
    created_by: Uuid,
) -> ApiResult<CaseRow> {
    let kind = state.assistance_type;
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
        "INSERT INTO cases (id, case_no, household_id, assistance_type, step, township_code, village_code, org_path, created_by, created_at, updated_at, \
         workflow, workflow_version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, 1)",
    )
    .bind(id.to_string())
    .bind(&case_no)
    .bind(household.id.to_string())
    .bind(kind.as_str())
    .bind(state.stage.as_str())
    .bind(&township_code)
    .bind(&household.village_code)
    .bind(&household.org_path)
    .bind(created_by.to_string())
    .bind(ts(now))
    .bind(to_json(state))
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
    load(tx.conn(), id).await?.ok_or_else(ApiError::internal)
}
