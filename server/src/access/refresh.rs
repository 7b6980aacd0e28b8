//! Refresh tokens: opaque, random, stored only as a sha256, rotated on every use. Presenting a used token again
//! means it was copied: the whole login session is revoked. The one exception is a lost reply: within the grace
//! window after a rotation, while the successor has never been used, the successor is invalidated and a fresh
//! token is issued instead.

use std::time::Duration;

use base64::Engine;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::store::db::{Tx, parse_ts, parse_uuid, ts};

pub struct Issued {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

pub enum Outcome {
    Rotated {
        session_id: Uuid,
        issued: Issued,
    },
    /// A used (or invalidated) token came back outside the grace window: the session is now revoked.
    Reused {
        session_id: Uuid,
    },
    Unknown,
    Expired,
    SessionRevoked,
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn ttl_after(now: DateTime<Utc>, ttl: Duration) -> DateTime<Utc> {
    now + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::days(30))
}

pub async fn issue(conn: &mut AnyConnection, session_id: Uuid, ttl: Duration, now: DateTime<Utc>) -> Result<Issued, sqlx::Error> {
    let token = new_token();
    let expires_at = ttl_after(now, ttl);
    sqlx::query("INSERT INTO refresh_tokens (token_hash, session_id, issued_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(hash_token(&token))
        .bind(session_id.to_string())
        .bind(ts(now))
        .bind(ts(expires_at))
        .execute(&mut *conn)
        .await?;
    Ok(Issued { token, expires_at })
}

struct TokenRow {
    session_id: Uuid,
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
    successor_hash: Option<String>,
    invalidated: bool,
    session_revoked: bool,
}

async fn load(conn: &mut AnyConnection, hash: &str) -> Result<Option<TokenRow>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT t.session_id, t.expires_at, t.used_at, t.successor_hash, t.invalidated_at, s.revoked_at \
         FROM refresh_tokens t JOIN login_sessions s ON s.id = t.session_id WHERE t.token_hash = $1",
    )
    .bind(hash)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let used_at: Option<String> = row.try_get("used_at")?;
    Ok(Some(TokenRow {
        session_id: parse_uuid(&row.try_get::<String, _>("session_id")?)?,
        expires_at: parse_ts(&row.try_get::<String, _>("expires_at")?)?,
        used_at: used_at.as_deref().map(parse_ts).transpose()?,
        successor_hash: row.try_get("successor_hash")?,
        invalidated: row.try_get::<Option<String>, _>("invalidated_at")?.is_some(),
        session_revoked: row.try_get::<Option<String>, _>("revoked_at")?.is_some(),
    }))
}

pub async fn revoke_session(conn: &mut AnyConnection, session_id: Uuid, reason: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE login_sessions SET revoked_at = $1, revoked_reason = $2 WHERE id = $3 AND revoked_at IS NULL")
        .bind(ts(now))
        .bind(reason)
        .bind(session_id.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Rotates `presented`. The caller commits the transaction whatever the outcome (a detected reuse must stick).
pub async fn rotate(tx: &mut Tx, presented: &str, ttl: Duration, grace: Duration, now: DateTime<Utc>) -> Result<Outcome, sqlx::Error> {
    let hash = hash_token(presented);
    let conn = tx.conn();
    let Some(row) = load(conn, &hash).await? else { return Ok(Outcome::Unknown) };
    if row.session_revoked {
        return Ok(Outcome::SessionRevoked);
    }
    if row.invalidated {
        revoke_session(conn, row.session_id, "refresh_token_reuse", now).await?;
        return Ok(Outcome::Reused { session_id: row.session_id });
    }
    if row.expires_at <= now {
        return Ok(Outcome::Expired);
    }
    if row.used_at.is_none() {
        let issued = issue(conn, row.session_id, ttl, now).await?;
        let done = sqlx::query("UPDATE refresh_tokens SET used_at = $1, successor_hash = $2 WHERE token_hash = $3 AND used_at IS NULL")
            .bind(ts(now))
            .bind(hash_token(&issued.token))
            .bind(&hash)
            .execute(&mut *conn)
            .await?;
        if done.rows_affected() == 1 {
            return Ok(Outcome::Rotated { session_id: row.session_id, issued });
        }
        // A concurrent refresh with the same token won: treat this one as the retry it is (grace rules below).
        sqlx::query("DELETE FROM refresh_tokens WHERE token_hash = $1").bind(hash_token(&issued.token)).execute(&mut *conn).await?;
        return Box::pin(rotate(tx, presented, ttl, grace, now)).await;
    }
    let used_at = row.used_at.unwrap_or(now);
    let within_grace = now.signed_duration_since(used_at).to_std().map(|d| d <= grace).unwrap_or(true);
    if within_grace && let Some(successor) = row.successor_hash.as_deref() {
        let replaced =
            sqlx::query("UPDATE refresh_tokens SET invalidated_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND invalidated_at IS NULL")
                .bind(ts(now))
                .bind(successor)
                .execute(&mut *conn)
                .await?;
        if replaced.rows_affected() == 1 {
            let issued = issue(conn, row.session_id, ttl, now).await?;
            sqlx::query("UPDATE refresh_tokens SET successor_hash = $1 WHERE token_hash = $2")
                .bind(hash_token(&issued.token))
                .bind(&hash)
                .execute(&mut *conn)
                .await?;
            return Ok(Outcome::Rotated { session_id: row.session_id, issued });
        }
    }
    revoke_session(conn, row.session_id, "refresh_token_reuse", now).await?;
    Ok(Outcome::Reused { session_id: row.session_id })
}
