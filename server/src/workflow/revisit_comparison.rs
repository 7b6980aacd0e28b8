//! The district re-visit against the original record (抽查复核比对): a merged re-visit keeps its findings beside the
//! case facts it was checked against (it never overwrites them), and the district reads the two fact by fact, with
//! the differences as `ruhu_core::workflow::sampler::compare_findings` lists them.

use std::collections::BTreeMap;

use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use ruhu_core::{
    protocol::{PersonRef, Problem},
    roles::Role,
    workflow::sampler::{FindingDifference, compare_findings},
};
use serde::Serialize;
use serde_json::Value;
use sqlx::Row;
use uuid::Uuid;

use super::revisits::original_investigators;
use crate::{
    access::caller::Caller,
    access::users,
    app::state::AppState,
    records::assignments,
    records::cases::{self, FactRecord},
    records::forms,
    records::submissions::StoredSubmission,
    store::db::{Tx, parse_json, parse_ts, parse_uuid, to_json},
    store::error::{ApiError, ApiPath, ApiResult},
};

/// Facts under this prefix are the re-visit's own verdict (matches the original?, conclusion), not findings to compare.
const VERDICT_PREFIX: &str = "revisit.";

/// Keeps a merged re-visit's findings and the case facts they were checked against (inside the merge transaction).
pub async fn record_findings(
    tx: &mut Tx,
    s: &StoredSubmission,
    current: &BTreeMap<String, FactRecord>,
    facts: &[(String, Value)],
    now: &str,
) -> ApiResult<()> {
    let findings: BTreeMap<&str, &Value> = facts.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let original: BTreeMap<&str, Option<&Value>> =
        findings.keys().filter(|k| !k.starts_with(VERDICT_PREFIX)).map(|k| (*k, current.get(*k).map(|f| &f.value))).collect();
    sqlx::query(
        "INSERT INTO revisit_findings (submission_id, case_id, assignment_id, original, findings, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(s.id.to_string())
    .bind(s.case_id.to_string())
    .bind(s.assignment_id.to_string())
    .bind(to_json(&original))
    .bind(to_json(&findings))
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ComparedFact {
    pub key: String,
    /// The re-visit form's question for this fact.
    pub label_zh: String,
    /// The case's record before the re-visit (null: not recorded).
    pub original: Option<Value>,
    pub revisit: Option<Value>,
    pub differs: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RevisitComparison {
    pub case_id: Uuid,
    pub case_no: String,
    pub submission_id: Uuid,
    pub assignment_id: Uuid,
    pub revisited_at: DateTime<Utc>,
    /// The district staff who re-visited.
    pub revisited_by: Vec<PersonRef>,
    /// Who investigated the case originally.
    pub original_investigators: Vec<PersonRef>,
    /// Every fact the re-visit recorded, next to the original record.
    pub facts: Vec<ComparedFact>,
    /// Only the facts that differ.
    pub differences: Vec<FindingDifference>,
    /// The re-visit's verdict (`revisit.matches_original`, `revisit.differences`, `revisit.conclusion`).
    pub verdict: BTreeMap<String, Value>,
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/revisit-comparison", tag = "workflow", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "case id")),
    description = "District supervisors: the latest district re-visit's findings against the case's original record, fact by fact.",
    responses((status = 200, body = RevisitComparison),
              (status = 403, body = Problem, description = "forbidden_role, out_of_scope"),
              (status = 404, body = Problem, description = "not_found, no_revisit")))]
pub async fn compare(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<RevisitComparison>> {
    caller.require(|r| r == Role::DistrictSupervisor)?;
    let mut conn = state.db.pool.acquire().await?;
    let case = cases::load(&mut conn, id).await?.ok_or_else(|| ApiError::not_found("案件"))?;
    drop(conn);
    caller.guard(&state, "case", &id.to_string(), &case.org_path).await?;
    let mut conn = state.db.pool.acquire().await?;
    let row = sqlx::query(
        "SELECT submission_id, assignment_id, original, findings, recorded_at FROM revisit_findings WHERE case_id = $1 ORDER BY recorded_at DESC, submission_id LIMIT 1",
    )
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "no_revisit", "本案尚无已完成的区级抽查复核入户记录"))?;
    let original: BTreeMap<String, Option<Value>> = parse_json(&row.try_get::<String, _>("original")?)?;
    let findings: BTreeMap<String, Value> = parse_json(&row.try_get::<String, _>("findings")?)?;
    let assignment_id = parse_uuid(&row.try_get::<String, _>("assignment_id")?)?;
    let a = assignments::load(&mut conn, assignment_id).await?.ok_or_else(ApiError::internal)?;
    let form = forms::load(&mut conn, &a.form_id, a.form_version).await?;
    let label = |key: &str| {
        form.as_ref()
            .and_then(|f| f.questions.iter().find(|q| q.fact.as_deref() == Some(key)))
            .map(|q| q.label.clone())
            .unwrap_or_else(|| key.to_string())
    };

    let (verdict, found): (BTreeMap<String, Value>, BTreeMap<String, Value>) = findings.into_iter().partition(|(k, _)| k.starts_with(VERDICT_PREFIX));
    let recorded: BTreeMap<String, Value> = original.iter().filter_map(|(k, v)| v.clone().map(|v| (k.clone(), v))).collect();
    let differences = compare_findings(&recorded, &found);
    let facts = found
        .iter()
        .map(|(k, v)| {
            let before = recorded.get(k).cloned();
            ComparedFact { key: k.clone(), label_zh: label(k), differs: before.as_ref() != Some(v), original: before, revisit: Some(v.clone()) }
        })
        .collect();
    let mut revisited_by = Vec::new();
    for u in a.investigators {
        revisited_by.push(users::person(&mut conn, u).await?);
    }
    let mut originals = Vec::new();
    for u in original_investigators(&mut conn, &case).await? {
        originals.push(users::person(&mut conn, u).await?);
    }
    Ok(Json(RevisitComparison {
        case_id: case.id,
        case_no: case.case_no.clone(),
        submission_id: parse_uuid(&row.try_get::<String, _>("submission_id")?)?,
        assignment_id,
        revisited_at: parse_ts(&row.try_get::<String, _>("recorded_at")?)?,
        revisited_by,
        original_investigators: originals,
        facts,
        differences,
        verdict,
    }))
}
