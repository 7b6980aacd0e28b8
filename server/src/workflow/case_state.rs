//! Reading a case's workflow state (the one owner of its stage; `cases.step` is its projection for lists), the
//! near relatives among its household, and the progress a phone gets with an assignment.

use ruhu_core::{
    calendar::WorkCalendar,
    policy::Policy,
    protocol::CaseProgress,
    time::china_day,
    workflow::{
        CaseState, deadlines,
        relatives::{self, Declaration, Member, RelativeMatch},
    },
};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::{
    records::cases::CaseRow,
    store::db::{parse_json, parse_ts, parse_uuid},
    store::error::{ApiError, ApiResult},
};

/// The stored state and its version for compare-and-set.
pub async fn load_state(conn: &mut AnyConnection, case: &CaseRow) -> ApiResult<(CaseState, i64)> {
    let row = sqlx::query("SELECT workflow, workflow_version FROM cases WHERE id = $1").bind(case.id.to_string()).fetch_one(&mut *conn).await?;
    let stored: Option<String> = row.try_get("workflow")?;
    let version: i64 = row.try_get("workflow_version")?;
    let Some(json) = stored else {
        // Every case is written with its state (and older ones were filled at start, `legacy_states`).
        tracing::error!(case = %case.id, "case without a stored workflow state");
        return Err(ApiError::internal());
    };
    let state = serde_json::from_str::<CaseState>(&json).map_err(|e| {
        tracing::error!(case = %case.id, error = %e, "stored workflow state unreadable");
        ApiError::internal()
    })?;
    Ok((state, version))
}

/// Declared near relatives among the household's co-resident members (relations the policy counts).
pub async fn relative_matches(conn: &mut AnyConnection, household_id: Uuid, policy: &Policy) -> ApiResult<Vec<RelativeMatch>> {
    let rows = sqlx::query(
        "SELECT d.declarant_user_id, d.relative_resident_id, d.relation, m.name, m.resident_id FROM near_relative_declarations d \
         JOIN members m ON m.resident_id = d.relative_resident_id WHERE m.household_id = $1",
    )
    .bind(household_id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let mut declarations = Vec::new();
    let mut members: Vec<(String, String)> = Vec::new();
    for r in &rows {
        let relation: String = r.try_get("relation")?;
        let Some(relation) = ruhu_core::policy::Relation::parse(&relation) else { continue };
        declarations.push(Declaration {
            declarant: parse_uuid(&r.try_get::<String, _>("declarant_user_id")?)?,
            relative_resident_id: r.try_get("relative_resident_id")?,
            relation,
        });
        members.push((r.try_get("name")?, r.try_get("resident_id")?));
    }
    let members: Vec<Member<'_>> = members.iter().map(|(n, id)| Member { name: n, resident_id: id }).collect();
    let mut out = relatives::matches(&declarations, &members, policy);
    out.dedup_by(|a, b| a.declarant == b.declarant && a.member_resident_id_masked == b.member_resident_id_masked && a.relation == b.relation);
    Ok(out)
}

pub fn parse_state(json: &str) -> Result<CaseState, sqlx::Error> {
    parse_json(json)
}

/// The case's stage and open steps as the phones receive them with an assignment: the stage always, and a step
/// that cannot be dated yet listed with its reason beside the others.
pub async fn progress(conn: &mut AnyConnection, case: &CaseRow, policy: &Policy, calendar: &WorkCalendar) -> ApiResult<CaseProgress> {
    let (s, _) = load_state(conn, case).await?;
    Ok(deadlines::progress(&s, policy, calendar))
}

/// Whether `submission` is the merged visit of the case's current periodic review (a periodic-review assignment's
/// visit merged since the review started), so that an earlier year's recommendation is never proposed again.
pub async fn from_current_review(conn: &mut AnyConnection, submission: Uuid, s: &CaseState) -> ApiResult<bool> {
    let Some(started) = s.review_started_on else { return Ok(false) };
    let row = sqlx::query("SELECT a.purpose, v.merged_at FROM visits v JOIN assignments a ON a.id = v.assignment_id WHERE v.submission_id = $1")
        .bind(submission.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(false) };
    let purpose: String = row.try_get("purpose")?;
    let merged_on = china_day(parse_ts(&row.try_get::<String, _>("merged_at")?)?);
    Ok(purpose == crate::records::assignments::purpose_key(ruhu_core::form::FormPurpose::PeriodicReview) && merged_on >= started)
}
