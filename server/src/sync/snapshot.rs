//! The device's copy of an assignment: the case, its household, its facts and its progress, as a phone pulls them.

use ruhu_core::protocol::{AssignmentSnapshot, CaseSnapshot, FactValue, SubmissionSummary};
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::{
    access::{org, users},
    records::{
        assignments,
        cases::{self, CaseRow},
        households, submissions,
    },
};

/// The case as a phone holds it: its facts with their sources (the progress and pre-check figures are added by the
/// pull, which knows the calendar and the policy).
pub async fn case_snapshot(conn: &mut AnyConnection, c: &CaseRow) -> Result<CaseSnapshot, sqlx::Error> {
    let village_name = org::get(conn, &c.village_code).await?.map(|u| u.name).unwrap_or_default();
    let facts =
        cases::facts(conn, c.id).await?.into_iter().map(|(k, f)| (k, FactValue { value: f.value, source_submission: f.source_submission })).collect();
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

/// What a device stores for an assignment: the case with its facts, the household with full member data.
pub async fn snapshot(conn: &mut AnyConnection, id: Uuid) -> Result<Option<AssignmentSnapshot>, sqlx::Error> {
    Ok(snapshot_with_case(conn, id).await?.map(|(s, _)| s))
}

/// The snapshot and the case row it was built from (for callers that go on to read the case's workflow).
pub async fn snapshot_with_case(conn: &mut AnyConnection, id: Uuid) -> Result<Option<(AssignmentSnapshot, cases::CaseRow)>, sqlx::Error> {
    let Some(a) = assignments::load(conn, id).await? else { return Ok(None) };
    let Some(case) = cases::load(conn, a.case_id).await? else { return Ok(None) };
    let Some(household) = households::load(conn, case.household_id).await? else { return Ok(None) };
    let completed_by = match a.completed_submission {
        Some(sid) => match submissions::load_submission(conn, sid).await? {
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
    let case_snapshot = case_snapshot(conn, &case).await?;
    Ok(Some((
        AssignmentSnapshot {
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
        },
        case,
    )))
}
