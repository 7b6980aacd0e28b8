//! Deciding a conflict: a supervisor keeps the case's current value or takes the value a later visit proposed, and
//! says why. The case fact, a case step naming the person, the audit chain and the investigators' feeds change
//! together, or nothing changes.

use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use ruhu_core::protocol::{AssignmentStatus, PersonRef, Problem};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::Row;
use uuid::Uuid;

use crate::{
    access::caller::Caller,
    access::users,
    app::state::AppState,
    records::assignments,
    records::cases,
    records::feed,
    store::db::{self, parse_json, parse_uuid, ts},
    store::error::{ApiError, ApiJson, ApiPath, ApiResult},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConflictChoice {
    /// Keep the value the case holds.
    Current,
    /// Take the value the later visit proposed.
    Proposed,
}

impl ConflictChoice {
    fn as_str(self) -> &'static str {
        match self {
            Self::Current => "current",
            Self::Proposed => "proposed",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ResolveConflict {
    /// `current` or `proposed`.
    pub choice: Option<String>,
    /// Why; required (recorded on the case and in the audit chain).
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ResolvedConflict {
    pub id: Uuid,
    pub case_id: Uuid,
    pub fact_key: String,
    pub choice: ConflictChoice,
    /// The value the case holds now, and the visit it came from.
    pub value: Value,
    pub source_submission: Option<Uuid>,
    pub reason: String,
    pub resolved_by: PersonRef,
    pub resolved_at: DateTime<Utc>,
}

fn refuse(status: StatusCode, code: &'static str, message: &str) -> ApiError {
    ApiError::new(status, code, message)
}

/// Validates the request before anything is read: a known choice and a non-blank reason.
fn parse_request(req: &ResolveConflict) -> ApiResult<(ConflictChoice, String)> {
    let choice = match req.choice.as_deref().map(str::trim) {
        Some("current") => ConflictChoice::Current,
        Some("proposed") => ConflictChoice::Proposed,
        _ => return Err(ApiError::invalid_field("choice", "请选择保留现有值或采用新值")),
    };
    let reason = req.reason.as_deref().map(str::trim).unwrap_or_default().to_string();
    if reason.is_empty() {
        return Err(refuse(StatusCode::UNPROCESSABLE_ENTITY, "reason_required", "请填写选择理由").with_field("reason"));
    }
    if reason.chars().count() > 500 {
        return Err(ApiError::invalid_field("reason", "理由不能超过500字"));
    }
    Ok((choice, reason))
}

#[utoipa::path(post, path = "/api/v1/conflicts/{id}/resolve", tag = "cases", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "conflict id")), request_body = ResolveConflict,
    description = "Decides a conflict: keep the case's current value or take the proposed one, with a reason. Updates the \
                   case fact, records a case step naming the caller, audits, and refreshes the investigators' copies.",
    responses((status = 200, body = ResolvedConflict),
              (status = 403, body = Problem, description = "forbidden_role, out_of_scope (audited)"),
              (status = 404, body = Problem),
              (status = 409, body = Problem, description = "conflict_resolved, conflict_stale"),
              (status = 422, body = Problem, description = "reason_required, invalid_field")))]
pub async fn resolve(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<ResolveConflict>,
) -> ApiResult<Json<ResolvedConflict>> {
    caller.require(|r| r.may_assign_visits())?;
    let (choice, reason) = parse_request(&req)?;

    let mut tx = state.db.begin().await?;
    let row = sqlx::query(
        "SELECT c.case_id, c.fact_key, c.current_source, c.proposed_value, c.proposed_source, c.resolved_at, k.org_path \
         FROM conflicts c JOIN cases k ON k.id = c.case_id WHERE c.id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(tx.conn())
    .await?
    .ok_or_else(|| ApiError::not_found("数据冲突"))?;
    let case_id = parse_uuid(&row.try_get::<String, _>("case_id")?)?;
    let org_path: String = row.try_get("org_path")?;
    if !caller.scope().contains(&org_path) {
        drop(tx);
        caller.guard(&state, "conflict", &id.to_string(), &org_path).await?;
        return Err(ApiError::out_of_scope());
    }
    if row.try_get::<Option<String>, _>("resolved_at")?.is_some() {
        return Err(refuse(StatusCode::CONFLICT, "conflict_resolved", "这项数据冲突已处理过"));
    }
    let fact_key: String = row.try_get("fact_key")?;
    let conflict_current_source: Option<String> = row.try_get("current_source")?;
    let proposed_value: Value = parse_json(&row.try_get::<String, _>("proposed_value")?)?;
    let proposed_source: String = row.try_get("proposed_source")?;

    let facts = cases::facts(tx.conn(), case_id).await?;
    let fact = facts.get(&fact_key).ok_or_else(ApiError::internal)?;
    // A later visit based on the case's state may have changed the fact since: the comparison shown is out of date.
    if fact.source_submission.map(|u| u.to_string()) != conflict_current_source {
        return Err(refuse(StatusCode::CONFLICT, "conflict_stale", "该项已被之后的入户调查更新，请刷新后重新核对"));
    }

    let now = state.db.now();
    let (value, source) = match choice {
        ConflictChoice::Current => (fact.value.clone(), fact.source_submission),
        ConflictChoice::Proposed => {
            sqlx::query("UPDATE case_facts SET value = $1, source_submission = $2, updated_at = $3 WHERE case_id = $4 AND fact_key = $5")
                .bind(db::to_json(&proposed_value))
                .bind(&proposed_source)
                .bind(ts(now))
                .bind(case_id.to_string())
                .bind(&fact_key)
                .execute(tx.conn())
                .await?;
            (proposed_value.clone(), Some(parse_uuid(&proposed_source)?))
        }
    };
    sqlx::query("UPDATE conflicts SET resolved_at = $1, resolution = $2, resolution_reason = $3, resolved_by = $4 WHERE id = $5")
        .bind(ts(now))
        .bind(choice.as_str())
        .bind(&reason)
        .bind(caller.user_id.to_string())
        .bind(id.to_string())
        .execute(tx.conn())
        .await?;
    let detail = json!({ "conflict_id": id, "fact_key": fact_key, "choice": choice, "value": value, "source_submission": source, "reason": reason });
    cases::add_step(&mut tx, case_id, ruhu_core::workflow::CaseEvent::ConflictResolved.as_str(), Some(caller.user_id), None, detail.clone()).await?;
    crate::store::audit::record(&mut tx, caller.audit("conflict.resolve", "conflict", id, Some(&org_path)).with_detail(detail)).await?;
    refresh_investigators(&mut tx, case_id).await?;
    let resolved_by = users::person(tx.conn(), caller.user_id).await?;
    tx.commit().await?;
    Ok(Json(ResolvedConflict { id, case_id, fact_key, choice, value, source_submission: source, reason, resolved_by, resolved_at: now }))
}

/// The phones hold the case's facts with their sources; they must see the decided value, or their next visit would
/// be based on the old source and conflict again.
async fn refresh_investigators(tx: &mut db::Tx, case_id: Uuid) -> ApiResult<()> {
    let ids: Vec<String> = sqlx::query("SELECT id FROM assignments WHERE case_id = $1")
        .bind(case_id.to_string())
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_, _>>()?;
    for id in ids {
        if let Some(a) = assignments::load(tx.conn(), parse_uuid(&id)?).await?
            && a.status != AssignmentStatus::Cancelled
        {
            feed::assignment_upsert(tx, a.id, &a.investigators, &a.form_id, a.form_version).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_reason_or_an_unknown_choice_is_refused_before_anything_is_read() {
        let blank = ResolveConflict { choice: Some("proposed".into()), reason: Some("   ".into()) };
        assert_eq!(parse_request(&blank).unwrap_err().code, "reason_required");
        let odd = ResolveConflict { choice: Some("both".into()), reason: Some("核实".into()) };
        assert_eq!(parse_request(&odd).unwrap_err().code, "invalid_field");
        let ok = ResolveConflict { choice: Some("current".into()), reason: Some(" 复核属实 ".into()) };
        assert_eq!(parse_request(&ok).unwrap(), (ConflictChoice::Current, "复核属实".into()));
    }
}
