//! What the phone holds about assignments and forms, and how a pull page changes it.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use uuid::Uuid;

use super::Device;
use super::error::{DeviceError, Result};
use super::store::evidence::remove_unreferenced_files;
use super::store::{drafts, outbox};
use super::time::{to_text, uuid_from_text};
use super::types::*;
use crate::form::{FormDefinition, builtin_forms};
use crate::protocol::{AssignmentSnapshot, ChangeRecord, PullPage};

impl Device {
    /// Every assignment on the phone, open work first (by due date), each with its local draft and outbox state.
    pub fn assignments(&self) -> Result<Vec<LocalAssignment>> {
        self.with_conn(|conn, _| {
            let mut stmt = conn.prepare(
                "SELECT snapshot FROM assignments
                 ORDER BY CASE status WHEN 'assigned' THEN 0 WHEN 'completed' THEN 1 ELSE 2 END, due_date, case_no",
            )?;
            let snapshots: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
            snapshots.iter().map(|s| local_assignment(conn, serde_json::from_str(s)?)).collect()
        })
    }

    pub fn assignment(&self, id: Uuid) -> Result<LocalAssignment> {
        self.with_conn(|conn, _| local_assignment(conn, load_assignment(conn, id)?))
    }

    /// A form version: as pulled from the server, else as shipped with the app.
    pub fn form(&self, id: &str, version: u32) -> Result<FormDefinition> {
        self.with_conn(|conn, _| load_form(conn, id, version))
    }

    /// Every finalised submission still on the phone, newest first.
    pub fn outbox(&self) -> Result<Vec<OutboxEntry>> {
        self.with_conn(|conn, _| outbox::entries(conn))
    }

    /// The pull cursor: the server change sequence applied so far.
    pub fn sync_cursor(&self) -> Result<i64> {
        self.with_conn(|conn, _| Ok(conn.query_row("SELECT cursor FROM sync_state WHERE id = 1", [], |r| r.get(0))?))
    }

    /// Applies one pull page and its cursor in one transaction, then removes the files of deleted assignments.
    /// Exposed so the app (and tests) can apply a page obtained another way; `sync` uses the same path.
    pub fn apply_pull_page(&self, page: &PullPage) -> Result<PageOutcome> {
        self.with_conn(|conn, vault| {
            let tx = conn.transaction()?;
            let outcome = apply_page(&tx, page)?;
            tx.commit()?;
            remove_unreferenced_files(conn, vault, &outcome.removed_media)?;
            Ok(outcome)
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageOutcome {
    pub changes_applied: u32,
    pub deleted_assignments: u32,
    /// Blobs whose rows were deleted; their files go once nothing else refers to them.
    pub removed_media: Vec<String>,
}

pub(crate) fn load_assignment(conn: &Connection, id: Uuid) -> Result<AssignmentSnapshot> {
    let json: Option<String> = conn.query_row("SELECT snapshot FROM assignments WHERE id = ?1", [id.to_string()], |r| r.get(0)).optional()?;
    let json = json.ok_or_else(|| DeviceError::NotFound("调查任务".into()))?;
    Ok(serde_json::from_str(&json)?)
}

pub(crate) fn load_form(conn: &Connection, id: &str, version: u32) -> Result<FormDefinition> {
    let json: Option<String> =
        conn.query_row("SELECT definition FROM forms WHERE id = ?1 AND version = ?2", params![id, version], |r| r.get(0)).optional()?;
    if let Some(json) = json {
        return Ok(serde_json::from_str(&json)?);
    }
    builtin_forms()
        .into_iter()
        .find(|f| f.id == id && f.version == version)
        .ok_or_else(|| DeviceError::NotFound(format!("表单 {id} 第{version}版，请先同步")))
}

fn local_assignment(conn: &Connection, assignment: AssignmentSnapshot) -> Result<LocalAssignment> {
    let draft = drafts::latest_summary(conn, assignment.id)?;
    let outbox = outbox::latest_for_assignment(conn, assignment.id)?;
    Ok(LocalAssignment { assignment, draft, outbox })
}

/// Applies every change of a page and stores its cursor, inside the caller's transaction.
pub(crate) fn apply_page(tx: &Transaction<'_>, page: &PullPage) -> Result<PageOutcome> {
    let mut out = PageOutcome::default();
    for change in &page.changes {
        match &change.record {
            ChangeRecord::AssignmentUpsert { assignment } => upsert_assignment(tx, assignment)?,
            ChangeRecord::AssignmentDelete { id } => {
                out.removed_media.extend(delete_assignment(tx, *id)?);
                out.deleted_assignments += 1;
            }
            ChangeRecord::FormUpsert { form } => {
                // A broken definition from the server must not reach a house; skipping it keeps the rest of the page.
                if let Err(e) = form.check() {
                    tracing::warn!(form = %form.id, version = form.version, error = %e, "ignoring invalid form definition");
                } else {
                    tx.execute(
                        "INSERT INTO forms (id, version, title, definition) VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT (id, version) DO UPDATE SET title = excluded.title, definition = excluded.definition",
                        params![form.id, form.version, form.title, serde_json::to_string(form)?],
                    )?;
                }
            }
        }
        out.changes_applied += 1;
    }
    out.removed_media.extend(purge_finished_orphans(tx)?);
    tx.execute("UPDATE sync_state SET cursor = ?1, last_pull_at = ?2 WHERE id = 1", params![page.next_cursor, to_text(super::time::now())])?;
    Ok(out)
}

fn upsert_assignment(tx: &Transaction<'_>, a: &AssignmentSnapshot) -> Result<()> {
    tx.execute(
        "INSERT INTO assignments (id, status, due_date, case_id, case_no, household_id, head_name, village_name,
                                  form_id, form_version, updated_at, snapshot)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, due_date = excluded.due_date,
             case_id = excluded.case_id, case_no = excluded.case_no, household_id = excluded.household_id,
             head_name = excluded.head_name, village_name = excluded.village_name, form_id = excluded.form_id,
             form_version = excluded.form_version, updated_at = excluded.updated_at, snapshot = excluded.snapshot",
        params![
            a.id.to_string(),
            a.status.as_str(),
            a.due_date.to_string(),
            a.case.id.to_string(),
            a.case.case_no,
            a.household.id.to_string(),
            a.household.head_name,
            a.case.village_name,
            a.form_id,
            a.form_version,
            to_text(a.updated_at),
            serde_json::to_string(a)?,
        ],
    )?;
    Ok(())
}

/// The assignment left this user's slice: its case data must leave the phone. Drafts whose submission is still
/// waiting to be pushed are kept (with their media) until the server has answered; `purge_finished_orphans` removes
/// them afterwards. Returns the hashes of media rows removed.
pub(crate) fn delete_assignment(tx: &Transaction<'_>, id: Uuid) -> Result<Vec<String>> {
    let id = id.to_string();
    let doomed = "SELECT d.id FROM drafts d WHERE d.assignment_id = ?1 AND NOT EXISTS (
                      SELECT 1 FROM outbox o WHERE o.draft_id = d.id AND o.state IN ('pending', 'awaiting_media'))";
    let removed = media_of(tx, &format!("SELECT sha256 FROM media WHERE draft_id IN ({doomed})"), &id)?;
    // Children first: the cascade would do it, but explicit deletes do not depend on the foreign_keys pragma.
    for table in ["draft_answers", "media", "gps_fixes", "signatures"] {
        tx.execute(&format!("DELETE FROM {table} WHERE draft_id IN ({doomed})"), [&id])?;
    }
    tx.execute("DELETE FROM outbox WHERE assignment_id = ?1 AND state NOT IN ('pending', 'awaiting_media')", [&id])?;
    tx.execute(&format!("DELETE FROM drafts WHERE id IN ({doomed})"), [&id])?;
    tx.execute("DELETE FROM assignments WHERE id = ?1", [&id])?;
    Ok(removed)
}

/// Submissions whose assignment is gone from the phone and whose push has finished (sent or rejected): delete them
/// with their drafts, as if the delete had arrived after the push.
pub(crate) fn purge_finished_orphans(tx: &Transaction<'_>) -> Result<Vec<String>> {
    let orphans: Vec<String> = tx
        .prepare(
            "SELECT DISTINCT d.assignment_id FROM drafts d
             WHERE NOT EXISTS (SELECT 1 FROM assignments a WHERE a.id = d.assignment_id)",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut removed = Vec::new();
    for assignment_id in orphans {
        removed.extend(delete_assignment(tx, uuid_from_text(&assignment_id)?)?);
    }
    Ok(removed)
}

fn media_of(conn: &Connection, sql: &str, param: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([param], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}
