//! Outbox rows: each finalised visit frozen as the exact JSON that is (or will be) pushed, with its push state and
//! the server's last answer.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use uuid::Uuid;

use crate::device::error::{DeviceError, Result};
use crate::device::time::{from_text, to_text, uuid_from_text};
use crate::device::types::{OutboxEntry, OutboxState};
use crate::protocol::{SubmissionReceipt, VisitSubmission};

const OUTBOX_SELECT: &str = "SELECT submission_id, draft_id, assignment_id, state, attempts, last_error_code, \
     last_error, receipt, created_at, updated_at FROM outbox";

struct OutboxRow {
    submission_id: String,
    draft_id: String,
    assignment_id: String,
    state: String,
    attempts: u32,
    last_error_code: Option<String>,
    last_error: Option<String>,
    receipt: Option<String>,
    created_at: String,
    updated_at: String,
}

fn outbox_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxRow> {
    Ok(OutboxRow {
        submission_id: r.get(0)?,
        draft_id: r.get(1)?,
        assignment_id: r.get(2)?,
        state: r.get(3)?,
        attempts: r.get(4)?,
        last_error_code: r.get(5)?,
        last_error: r.get(6)?,
        receipt: r.get(7)?,
        created_at: r.get(8)?,
        updated_at: r.get(9)?,
    })
}

impl OutboxRow {
    fn into_entry(self) -> Result<OutboxEntry> {
        Ok(OutboxEntry {
            submission_id: uuid_from_text(&self.submission_id)?,
            draft_id: uuid_from_text(&self.draft_id)?,
            assignment_id: uuid_from_text(&self.assignment_id)?,
            state: OutboxState::parse(&self.state),
            attempts: self.attempts,
            last_error_code: self.last_error_code,
            last_error: self.last_error,
            receipt: self.receipt.as_deref().map(serde_json::from_str::<SubmissionReceipt>).transpose()?,
            created_at: from_text(&self.created_at)?,
            updated_at: from_text(&self.updated_at)?,
        })
    }
}

/// Every submission still on the phone, newest first.
pub(crate) fn entries(conn: &Connection) -> Result<Vec<OutboxEntry>> {
    let mut stmt = conn.prepare(&format!("{OUTBOX_SELECT} ORDER BY created_at DESC"))?;
    let rows = stmt.query_map([], outbox_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(OutboxRow::into_entry).collect()
}

/// The newest submission of an assignment, if any.
pub(crate) fn latest_for_assignment(conn: &Connection, assignment_id: Uuid) -> Result<Option<OutboxEntry>> {
    conn.query_row(&format!("{OUTBOX_SELECT} WHERE assignment_id = ?1 ORDER BY created_at DESC LIMIT 1"), [assignment_id.to_string()], outbox_row)
        .optional()?
        .map(OutboxRow::into_entry)
        .transpose()
}

/// An assignment already has a submission the server has not refused (a visit is not started twice).
pub(crate) fn has_unrefused(conn: &Connection, assignment_id: Uuid) -> Result<bool> {
    Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM outbox WHERE assignment_id = ?1 AND state != 'rejected')", [assignment_id.to_string()], |r| {
        r.get(0)
    })?)
}

/// Stores a just-finalised submission as pending, inside the transaction that makes its draft read-only.
pub(crate) fn insert(tx: &Transaction<'_>, submission: &VisitSubmission, draft_id: Uuid, at: DateTime<Utc>) -> Result<()> {
    tx.execute(
        "INSERT INTO outbox (submission_id, draft_id, assignment_id, payload, state, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?5)",
        params![
            submission.id.to_string(),
            draft_id.to_string(),
            submission.assignment_id.to_string(),
            serde_json::to_string(submission)?,
            to_text(at)
        ],
    )?;
    Ok(())
}

/// The frozen submission, exactly as it is (or will be) sent.
pub(crate) fn submission(conn: &Connection, submission_id: Uuid) -> Result<VisitSubmission> {
    let json: String = conn
        .query_row("SELECT payload FROM outbox WHERE submission_id = ?1", [submission_id.to_string()], |r| r.get(0))
        .optional()?
        .ok_or_else(|| DeviceError::NotFound("已提交的调查".into()))?;
    Ok(serde_json::from_str(&json)?)
}

/// A submission the server has not answered with a verdict or a merge yet, with its stored JSON to send byte for byte.
pub(crate) struct Pending {
    pub submission_id: Uuid,
    pub assignment_id: Uuid,
    pub payload: String,
}

/// Every submission still to push (pending, or waiting for its media on the server), oldest first.
pub(crate) fn pending(conn: &Connection) -> Result<Vec<Pending>> {
    let mut stmt = conn.prepare(
        "SELECT submission_id, assignment_id, payload FROM outbox
         WHERE state IN ('pending', 'awaiting_media') ORDER BY created_at",
    )?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(|(s, a, payload)| Ok(Pending { submission_id: uuid_from_text(&s)?, assignment_id: uuid_from_text(&a)?, payload })).collect()
}
