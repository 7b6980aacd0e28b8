//! Draft rows: a visit being filled in (its form version, state and times) and its answers, one committed row each.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;
use uuid::Uuid;

use crate::device::error::{DeviceError, Result};
use crate::device::time::{from_text, now, to_text, uuid_from_text};
use crate::device::types::{DraftState, DraftSummary};

pub(crate) struct DraftRow {
    pub assignment_id: Uuid,
    pub form_id: String,
    pub form_version: u32,
    pub state: DraftState,
    pub started_at: String,
}

pub(crate) fn load_draft(conn: &Connection, id: Uuid) -> Result<DraftRow> {
    let row = conn
        .query_row("SELECT assignment_id, form_id, form_version, state, started_at FROM drafts WHERE id = ?1", [id.to_string()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, u32>(2)?, r.get::<_, String>(3)?, r.get::<_, String>(4)?))
        })
        .optional()?
        .ok_or_else(|| DeviceError::NotFound("调查草稿".into()))?;
    Ok(DraftRow { assignment_id: uuid_from_text(&row.0)?, form_id: row.1, form_version: row.2, state: DraftState::parse(&row.3), started_at: row.4 })
}

/// A draft that may still change; a finalised one is refused.
pub(crate) fn load_open_draft(conn: &Connection, id: Uuid) -> Result<DraftRow> {
    let d = load_draft(conn, id)?;
    if d.state != DraftState::Open {
        return Err(DeviceError::invalid("draft", "本次调查已完成提交，不能再修改"));
    }
    Ok(d)
}

pub(crate) fn draft_summary(conn: &Connection, id: Uuid) -> Result<DraftSummary> {
    let (assignment_id, form_id, form_version, state, started_at, finalised_at, submission_id): (
        String,
        String,
        u32,
        String,
        String,
        Option<String>,
        Option<String>,
    ) = conn
        .query_row(
            "SELECT assignment_id, form_id, form_version, state, started_at, finalised_at, submission_id
             FROM drafts WHERE id = ?1",
            [id.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
        )
        .optional()?
        .ok_or_else(|| DeviceError::NotFound("调查草稿".into()))?;
    let answered: u32 = conn.query_row("SELECT count(*) FROM draft_answers WHERE draft_id = ?1", [id.to_string()], |r| r.get(0))?;
    Ok(DraftSummary {
        id,
        assignment_id: uuid_from_text(&assignment_id)?,
        form_id,
        form_version,
        state: DraftState::parse(&state),
        started_at: from_text(&started_at)?,
        finalised_at: finalised_at.as_deref().map(from_text).transpose()?,
        submission_id: submission_id.as_deref().map(uuid_from_text).transpose()?,
        answered,
    })
}

/// The open draft of an assignment (the newest, should there be more), if any.
pub(crate) fn open_draft_of(conn: &Connection, assignment_id: Uuid) -> Result<Option<Uuid>> {
    let id: Option<String> = conn
        .query_row(
            "SELECT id FROM drafts WHERE assignment_id = ?1 AND state = 'open' ORDER BY started_at DESC LIMIT 1",
            [assignment_id.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    id.as_deref().map(uuid_from_text).transpose()
}

/// The newest draft (open or finalised) of an assignment, if any.
pub(crate) fn latest_summary(conn: &Connection, assignment_id: Uuid) -> Result<Option<DraftSummary>> {
    let draft_id: Option<String> = conn
        .query_row("SELECT id FROM drafts WHERE assignment_id = ?1 ORDER BY started_at DESC LIMIT 1", [assignment_id.to_string()], |r| r.get(0))
        .optional()?;
    match draft_id {
        Some(id) => Ok(Some(draft_summary(conn, uuid_from_text(&id)?)?)),
        None => Ok(None),
    }
}

pub(crate) fn load_answers(conn: &Connection, draft: Uuid) -> Result<BTreeMap<String, Value>> {
    let mut stmt = conn.prepare("SELECT question_id, value FROM draft_answers WHERE draft_id = ?1")?;
    let rows =
        stmt.query_map([draft.to_string()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(|(q, v)| Ok((q, serde_json::from_str(&v)?))).collect()
}

pub(crate) fn write_answer(conn: &Connection, draft: Uuid, question_id: &str, value: &Value) -> Result<()> {
    conn.execute(
        "INSERT INTO draft_answers (draft_id, question_id, value, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (draft_id, question_id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        params![draft.to_string(), question_id, serde_json::to_string(value)?, to_text(now())],
    )?;
    Ok(())
}
