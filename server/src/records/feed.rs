//! The per-user sync mailbox. One row per (user, kind, entity), carrying only what happened last (`upsert` or
//! `delete`); writing a new row for an entity removes the older one, so the feed never grows beyond the user's
//! slice plus its tombstones. Rows are rendered from the entity's current state at pull time.
//!
//! Ordering: every writer calls `Tx::lock_journal` first. On PostgreSQL that is a transaction-scoped advisory lock,
//! so feed rows commit in seq order and a puller that has seen seq N can never later find a committed row below N.
//! On SQLite the single writer (BEGIN IMMEDIATE) gives the same guarantee, and AUTOINCREMENT never reuses a seq.

use uuid::Uuid;

use crate::{records::forms, store::db::Tx};

pub const KIND_ASSIGNMENT: &str = "assignment";
pub const KIND_FORM: &str = "form";
pub const OP_UPSERT: &str = "upsert";
pub const OP_DELETE: &str = "delete";

pub async fn put(tx: &mut Tx, user: Uuid, kind: &str, entity_id: &str, op: &str) -> Result<(), sqlx::Error> {
    tx.lock_journal().await?;
    let conn = tx.conn();
    sqlx::query("DELETE FROM sync_feed WHERE user_id = $1 AND kind = $2 AND entity_id = $3")
        .bind(user.to_string())
        .bind(kind)
        .bind(entity_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO sync_feed (user_id, kind, entity_id, op) VALUES ($1, $2, $3, $4)")
        .bind(user.to_string())
        .bind(kind)
        .bind(entity_id)
        .bind(op)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Makes sure the user's feed carries the form version an assignment needs (once: published versions never change).
async fn ensure_form(tx: &mut Tx, user: Uuid, form_id: &str, version: u32) -> Result<(), sqlx::Error> {
    let key = forms::feed_key(form_id, version);
    let present = sqlx::query("SELECT seq FROM sync_feed WHERE user_id = $1 AND kind = $2 AND entity_id = $3")
        .bind(user.to_string())
        .bind(KIND_FORM)
        .bind(&key)
        .fetch_optional(tx.conn())
        .await?
        .is_some();
    if !present {
        put(tx, user, KIND_FORM, &key, OP_UPSERT).await?;
    }
    Ok(())
}

/// The assignment is (still) in these users' slices.
pub async fn assignment_upsert(tx: &mut Tx, assignment: Uuid, users: &[Uuid], form_id: &str, form_version: u32) -> Result<(), sqlx::Error> {
    for user in users {
        ensure_form(tx, *user, form_id, form_version).await?;
        put(tx, *user, KIND_ASSIGNMENT, &assignment.to_string(), OP_UPSERT).await?;
    }
    Ok(())
}

/// The assignment left these users' slices: their devices delete it.
pub async fn assignment_delete(tx: &mut Tx, assignment: Uuid, users: &[Uuid]) -> Result<(), sqlx::Error> {
    for user in users {
        put(tx, *user, KIND_ASSIGNMENT, &assignment.to_string(), OP_DELETE).await?;
    }
    Ok(())
}
