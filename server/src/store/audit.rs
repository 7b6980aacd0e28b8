//! The audit log: append-only (triggers refuse UPDATE and DELETE), UTC, hash-chained. Each event's hash is
//! sha256(previous hash ‖ canonical event), so changing or removing an event breaks every link after it.
//! (Truncating the newest events is not visible from the chain alone; ship the latest hash elsewhere for that.)

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::Row;
use uuid::Uuid;

use crate::store::db::{Db, Tx, to_json, ts};

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub actor_user_id: Option<Uuid>,
    pub device_id: Option<String>,
    pub action: String,
    pub entity_kind: String,
    pub entity_id: String,
    pub org_path: Option<String>,
    /// Why and what: never full resident ID numbers.
    pub detail: Value,
}

impl AuditEntry {
    /// An event without a staff actor (start-up seeding, CLI, token bookkeeping).
    pub fn system(action: &str, entity_kind: &str, entity_id: impl ToString, org_path: Option<&str>) -> Self {
        Self {
            actor_user_id: None,
            device_id: None,
            action: action.into(),
            entity_kind: entity_kind.into(),
            entity_id: entity_id.to_string(),
            org_path: org_path.map(str::to_string),
            detail: json!({}),
        }
    }

    pub fn with_detail(mut self, detail: Value) -> Self {
        self.detail = detail;
        self
    }
}

struct Stored<'a> {
    seq: i64,
    at: &'a str,
    actor: Option<&'a str>,
    device: Option<&'a str>,
    action: &'a str,
    entity_kind: &'a str,
    entity_id: &'a str,
    org_path: Option<&'a str>,
    detail: &'a str,
}

fn event_hash(prev_hash: &str, e: &Stored<'_>) -> String {
    // The stored detail text is hashed as is, so verification never depends on re-serialising JSON.
    let canonical = json!([e.seq, e.at, e.actor, e.device, e.action, e.entity_kind, e.entity_id, e.org_path, e.detail]).to_string();
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(canonical.as_bytes());
    hex::encode(h.finalize())
}

/// Appends an event inside the caller's transaction, so it commits (or not) with the change it describes.
pub async fn record(tx: &mut Tx, entry: AuditEntry) -> Result<(), sqlx::Error> {
    tx.lock_journal().await?;
    let at = ts(tx.now());
    let conn = tx.conn();
    let last = sqlx::query("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").fetch_optional(&mut *conn).await?;
    let (seq, prev_hash) = match last {
        Some(row) => (row.try_get::<i64, _>("seq")? + 1, row.try_get::<String, _>("hash")?),
        None => (1, GENESIS_HASH.to_string()),
    };
    let actor = entry.actor_user_id.map(|u| u.to_string());
    let detail = to_json(&entry.detail);
    let stored = Stored {
        seq,
        at: &at,
        actor: actor.as_deref(),
        device: entry.device_id.as_deref(),
        action: &entry.action,
        entity_kind: &entry.entity_kind,
        entity_id: &entry.entity_id,
        org_path: entry.org_path.as_deref(),
        detail: &detail,
    };
    let hash = event_hash(&prev_hash, &stored);
    sqlx::query(
        "INSERT INTO audit_events (seq, at, actor_user_id, device_id, action, entity_kind, entity_id, org_path, detail, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(seq)
    .bind(&at)
    .bind(actor.clone())
    .bind(entry.device_id.clone())
    .bind(&entry.action)
    .bind(&entry.entity_kind)
    .bind(&entry.entity_id)
    .bind(entry.org_path.clone())
    .bind(&detail)
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Appends an event in a transaction of its own (reads of full records, refused accesses).
pub async fn record_alone(db: &Db, entry: AuditEntry) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    record(&mut tx, entry).await?;
    tx.commit().await
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    pub seq: i64,
    pub reason: String,
}

impl std::fmt::Display for BrokenLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "audit event {}: {}", self.seq, self.reason)
    }
}

/// Walks the whole chain; returns the first broken link, or None when every event verifies.
pub async fn verify_audit_chain(db: &Db) -> Result<Option<BrokenLink>, sqlx::Error> {
    let mut conn = db.pool.acquire().await?;
    let mut expected_seq = 1i64;
    let mut prev_hash = GENESIS_HASH.to_string();
    loop {
        let rows = sqlx::query(
            "SELECT seq, at, actor_user_id, device_id, action, entity_kind, entity_id, org_path, detail, prev_hash, hash \
             FROM audit_events WHERE seq >= $1 ORDER BY seq LIMIT 1000",
        )
        .bind(expected_seq)
        .fetch_all(&mut *conn)
        .await?;
        if rows.is_empty() {
            return Ok(None);
        }
        for row in rows {
            let seq: i64 = row.try_get("seq")?;
            if seq != expected_seq {
                return Ok(Some(BrokenLink { seq: expected_seq, reason: format!("event missing (next present is {seq})") }));
            }
            let stored_prev: String = row.try_get("prev_hash")?;
            if stored_prev != prev_hash {
                return Ok(Some(BrokenLink { seq, reason: "prev_hash does not match the previous event".into() }));
            }
            let at: String = row.try_get("at")?;
            let actor: Option<String> = row.try_get("actor_user_id")?;
            let device: Option<String> = row.try_get("device_id")?;
            let action: String = row.try_get("action")?;
            let kind: String = row.try_get("entity_kind")?;
            let id: String = row.try_get("entity_id")?;
            let path: Option<String> = row.try_get("org_path")?;
            let detail: String = row.try_get("detail")?;
            let stored = Stored {
                seq,
                at: &at,
                actor: actor.as_deref(),
                device: device.as_deref(),
                action: &action,
                entity_kind: &kind,
                entity_id: &id,
                org_path: path.as_deref(),
                detail: &detail,
            };
            let hash: String = row.try_get("hash")?;
            if event_hash(&prev_hash, &stored) != hash {
                return Ok(Some(BrokenLink { seq, reason: "content does not match its hash".into() }));
            }
            prev_hash = hash;
            expected_seq += 1;
        }
    }
}
