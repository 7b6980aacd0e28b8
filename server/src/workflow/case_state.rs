//! Loading and storing a case's workflow state. Cases opened before the workflow existed (or by code that only knows
//! the legacy `step` column: assignment creation, visit merges) are brought in step here: the state is derived from
//! the acceptance, the open assignment and the merged visits.

use ruhu_core::{
    calendar::WorkCalendar,
    policy::{Area, Policy},
    protocol::CaseProgress,
    time::china_day,
    workflow::{
        CaseState, Duty, Participation, Stage, deadlines,
        relatives::{self, Declaration, Member, RelativeMatch},
    },
};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::{
    records::cases::{self, CaseRow, step},
    store::db::{parse_json, parse_ts, parse_uuid},
    store::error::{ApiError, ApiResult},
};

/// The stored state (or one derived from the legacy columns) and its version for compare-and-set.
pub async fn load_state(conn: &mut AnyConnection, case: &CaseRow) -> ApiResult<(CaseState, i64)> {
    let row = sqlx::query("SELECT workflow, workflow_version FROM cases WHERE id = $1").bind(case.id.to_string()).fetch_one(&mut *conn).await?;
    let stored: Option<String> = row.try_get("workflow")?;
    let version: i64 = row.try_get("workflow_version")?;
    let mut state = match stored {
        Some(json) => serde_json::from_str::<CaseState>(&json).map_err(|e| {
            tracing::error!(case = %case.id, error = %e, "stored workflow state unreadable");
            ApiError::internal()
        })?,
        None => legacy_state(conn, case).await?,
    };
    reconcile(conn, case, &mut state).await?;
    Ok((state, version))
}

async fn legacy_state(conn: &mut AnyConnection, case: &CaseRow) -> ApiResult<CaseState> {
    let facts = cases::facts(conn, case.id).await?;
    let area = Area::from_fact(facts.get(Area::FACT).map(|f| &f.value));
    let accepted = china_day(case.created_at);
    let mut s = CaseState::new(case.assistance_type, area, accepted);
    s.accepted_on = Some(accepted);
    s.stage = Stage::Accepted;
    if let Ok(creator) = case.created_by.parse::<Uuid>() {
        s.participants.push(Participation { user_id: creator, duty: Duty::Accept, on: accepted });
    }
    Ok(s)
}

/// Brings the state in step with assignments and merged visits made through the visit API.
async fn reconcile(conn: &mut AnyConnection, case: &CaseRow, s: &mut CaseState) -> ApiResult<()> {
    if !matches!(s.stage, Stage::Accepted | Stage::Investigating | Stage::UnderReview) {
        return Ok(());
    }
    let assignment = sqlx::query(
        "SELECT investigator1, investigator2, created_at FROM assignments WHERE case_id = $1 AND status <> 'cancelled' AND purpose <> 'revisit' \
         ORDER BY created_at DESC LIMIT 1",
    )
    .bind(case.id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(a) = assignment else { return Ok(()) };
    let pair = [parse_uuid(&a.try_get::<String, _>("investigator1")?)?, parse_uuid(&a.try_get::<String, _>("investigator2")?)?];
    let assigned_on = china_day(parse_ts(&a.try_get::<String, _>("created_at")?)?);
    let add_team = |s: &mut CaseState| {
        for u in pair {
            if !s.investigators.contains(&u) {
                s.investigators.push(u);
                s.participants.push(Participation { user_id: u, duty: Duty::Investigate, on: assigned_on });
            }
        }
    };
    if s.stage == Stage::Accepted && (case.step == step::INVESTIGATING || case.step == step::INVESTIGATED) {
        s.stage = Stage::Investigating;
        s.investigation_started_on = Some(assigned_on);
        add_team(s);
    }
    if case.step == step::INVESTIGATED && s.home_visit_on.is_none() && s.stage != Stage::Accepted {
        let visit = sqlx::query(
            "SELECT v.merged_at FROM visits v JOIN assignments a ON a.id = v.assignment_id WHERE v.case_id = $1 AND a.purpose <> 'revisit' \
             ORDER BY v.merged_at DESC LIMIT 1",
        )
        .bind(case.id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(v) = visit {
            s.home_visit_on = Some(china_day(parse_ts(&v.try_get::<String, _>("merged_at")?)?));
            add_team(s);
        }
    }
    Ok(())
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
