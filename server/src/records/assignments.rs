//! Visit assignments: a case, exactly two investigators of the case's township, a due date, a form version.
//! Every change lands in the investigators' sync feeds.

use chrono::{DateTime, NaiveDate, Utc};
use ruhu_core::{form::FormPurpose, protocol::AssignmentStatus};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use super::feed;
use crate::store::db::{Tx, parse_ts, parse_uuid, ts};

/// An assignment as stored.
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

/// The stored key of a visit's purpose (the `assignments.purpose` column).
pub fn purpose_key(purpose: FormPurpose) -> &'static str {
    match purpose {
        FormPurpose::HomeVisit => "home_visit",
        FormPurpose::Declaration => "declaration",
        FormPurpose::PeriodicReview => "periodic_review",
        FormPurpose::Revisit => "revisit",
    }
}

pub async fn record_history(tx: &mut Tx, assignment: Uuid, users: &[Uuid]) -> Result<(), sqlx::Error> {
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
