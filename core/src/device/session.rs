//! Login, tokens and the authorised request path. Tokens live only inside the encrypted store.
//!
//! Refresh tokens rotate: the new one is committed to the store before it is ever used, and only one refresh runs at a
//! time, so a spent token is never presented twice by this device (the server treats that as theft).

use chrono::{DateTime, Duration, Utc};
use reqwest::{Method, RequestBuilder};
use rusqlite::{Connection, OptionalExtension, params};

use super::Device;
use super::client::{API, Counters, Reply};
use super::error::{DeviceError, Result};
use super::store::evidence::remove_unreferenced_files;
use super::time::{from_text, now, to_text};
use crate::protocol::{LoginRequest, RefreshRequest, TokenResponse, UserInfo};

/// Problem codes after which the device must forget everything.
const REVOKED_CODES: &[&str] = &["device_revoked", "user_disabled"];
/// Refresh a little before expiry so a request does not die in flight.
const EXPIRY_MARGIN_SECS: i64 = 30;

struct Tokens {
    access: String,
    access_expires_at: DateTime<Utc>,
    refresh: String,
}

fn load_tokens(conn: &Connection) -> Result<Option<Tokens>> {
    let row: Option<(String, String, String)> = conn
        .query_row("SELECT access_token, access_expires_at, refresh_token FROM session WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    row.map(|(access, exp, refresh)| Ok(Tokens { access, access_expires_at: from_text(&exp)?, refresh })).transpose()
}

fn store_tokens(conn: &Connection, t: &TokenResponse) -> Result<()> {
    conn.execute(
        "INSERT INTO session (id, user_id, user_json, access_token, access_expires_at, refresh_token, refresh_expires_at, logged_in_at)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, user_json = excluded.user_json,
             access_token = excluded.access_token, access_expires_at = excluded.access_expires_at,
             refresh_token = excluded.refresh_token, refresh_expires_at = excluded.refresh_expires_at",
        params![
            t.user.id.to_string(),
            serde_json::to_string(&t.user)?,
            t.access_token,
            to_text(t.access_expires_at),
            t.refresh_token,
            to_text(t.refresh_expires_at),
            to_text(now()),
        ],
    )?;
    Ok(())
}

fn is_revoked(reply: &Reply) -> Option<String> {
    if reply.ok() {
        return None;
    }
    let code = reply.problem().code;
    REVOKED_CODES.contains(&code.as_str()).then_some(code)
}

impl Device {
    /// Logs in with the staff account and registers this installation's device id. Refuses to mix two users' data:
    /// if another user's visits are still waiting to be sent, that user must sync first.
    pub async fn login(&self, username: &str, password: &str) -> Result<UserInfo> {
        let username = username.trim();
        if username.is_empty() {
            return Err(DeviceError::invalid("username", "请输入用户名"));
        }
        if password.is_empty() {
            return Err(DeviceError::invalid("password", "请输入密码"));
        }
        drop(self.lock()?);
        let body = LoginRequest {
            username: username.to_string(),
            password: password.to_string(),
            device_id: self.config.device_id.clone(),
            device_name: self.config.device_name.clone(),
            app_version: Some(self.config.app_version.clone()),
        };
        let reply = self.http.send(self.http.request(Method::POST, &format!("{API}/auth/login")).json(&body), &Counters::default()).await?;
        if !reply.ok() {
            // A revoked device is wiped at this contact too; a disabled user is only refused (the phone may hold
            // another user's unsent work).
            if reply.problem().code == "device_revoked" {
                return Err(self.revoked("device_revoked".into()));
            }
            return Err(reply.error());
        }
        let tokens: TokenResponse = reply.json()?;
        self.with_conn(|conn, vault| {
            let tx = conn.transaction()?;
            let previous: Option<String> = tx.query_row("SELECT value FROM meta WHERE key = 'owner_user_id'", [], |r| r.get(0)).optional()?;
            let mut removed = Vec::new();
            if previous.as_deref().is_some_and(|p| p != tokens.user.id.to_string()) {
                let unsent: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM outbox WHERE state IN ('pending', 'awaiting_media'))
                         OR EXISTS (SELECT 1 FROM drafts WHERE state = 'open')",
                    [],
                    |r| r.get(0),
                )?;
                if unsent {
                    return Err(DeviceError::invalid("username", "本机还有其他用户未提交的调查，请该用户先登录并完成同步"));
                }
                // The previous user's slice is not this user's: start from an empty phone.
                removed = tx.prepare("SELECT sha256 FROM media")?.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
                tx.execute_batch(
                    "DELETE FROM draft_answers; DELETE FROM media; DELETE FROM gps_fixes; DELETE FROM signatures;
                     DELETE FROM outbox; DELETE FROM drafts; DELETE FROM assignments; DELETE FROM forms;
                     UPDATE sync_state SET cursor = 0, last_pull_at = NULL;",
                )?;
            }
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('owner_user_id', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [tokens.user.id.to_string()],
            )?;
            store_tokens(&tx, &tokens)?;
            tx.commit()?;
            remove_unreferenced_files(conn, vault, &removed)
        })?;
        Ok(tokens.user)
    }

    /// Ends the session on the server (best effort when offline) and forgets the tokens. Drafts and unsent visits
    /// stay on the phone for the same user's next login.
    pub async fn logout(&self) -> Result<()> {
        let tokens = self.with_conn(|conn, _| load_tokens(conn))?;
        if let Some(t) = tokens {
            let req = self.http.authed(Method::POST, &format!("{API}/auth/logout"), &t.access);
            if let Err(e) = self.http.send(req, &Counters::default()).await {
                tracing::info!(error = %e, "logout not confirmed by the server; tokens dropped locally");
            }
        }
        self.with_conn(|conn, _| {
            conn.execute("DELETE FROM session", [])?;
            Ok(())
        })
    }

    /// The logged-in user, if any (works offline).
    pub fn session(&self) -> Result<Option<UserInfo>> {
        self.with_conn(|conn, _| {
            let json: Option<String> = conn.query_row("SELECT user_json FROM session WHERE id = 1", [], |r| r.get(0)).optional()?;
            json.map(|j| Ok(serde_json::from_str(&j)?)).transpose()
        })
    }

    /// Sends an authorised request built by `build(token)`; refreshes the access token when it has expired (before
    /// sending, or after a 401) and retries once. A revoked device or user wipes the store.
    pub(crate) async fn send_authed<F>(&self, counters: &Counters, build: F) -> Result<Reply>
    where
        F: Fn(&str) -> RequestBuilder,
    {
        let tokens = self.with_conn(|conn, _| load_tokens(conn))?.ok_or(DeviceError::NotLoggedIn)?;
        let access = if tokens.access_expires_at - Duration::seconds(EXPIRY_MARGIN_SECS) <= now() {
            self.refresh(counters, &tokens.access).await?
        } else {
            tokens.access
        };
        let reply = self.http.send(build(&access), counters).await?;
        if let Some(code) = is_revoked(&reply) {
            return Err(self.revoked(code));
        }
        if reply.status != 401 {
            return Ok(reply);
        }
        // token_expired (clock skew) or a key rotation on the server: one fresh token, one more try.
        let access = self.refresh(counters, &access).await?;
        let reply = self.http.send(build(&access), counters).await?;
        if let Some(code) = is_revoked(&reply) {
            return Err(self.revoked(code));
        }
        if reply.status == 401 {
            self.with_conn(|conn, _| Ok(conn.execute("DELETE FROM session", [])?))?;
            return Err(DeviceError::NotLoggedIn);
        }
        Ok(reply)
    }

    /// Exchanges the refresh token; returns the new access token. `stale` is the access token the caller found
    /// unusable: if another task already replaced it, that newer token is used instead of refreshing again.
    async fn refresh(&self, counters: &Counters, stale: &str) -> Result<String> {
        let _one_at_a_time = self.refresh_lock.lock().await;
        let tokens = self.with_conn(|conn, _| load_tokens(conn))?.ok_or(DeviceError::NotLoggedIn)?;
        if tokens.access != stale && tokens.access_expires_at - Duration::seconds(EXPIRY_MARGIN_SECS) > now() {
            return Ok(tokens.access);
        }
        let body = RefreshRequest { refresh_token: tokens.refresh, device_id: self.config.device_id.clone() };
        let reply = self.http.send(self.http.request(Method::POST, &format!("{API}/auth/refresh")).json(&body), counters).await?;
        if let Some(code) = is_revoked(&reply) {
            return Err(self.revoked(code));
        }
        if reply.status == 401 || reply.status == 403 {
            // Expired or reused refresh token: the user has to log in again; local work stays.
            self.with_conn(|conn, _| Ok(conn.execute("DELETE FROM session", [])?))?;
            return Err(DeviceError::NotLoggedIn);
        }
        if !reply.ok() {
            return Err(reply.error());
        }
        let fresh: TokenResponse = reply.json()?;
        // Committed before first use: if the app dies now, the next start holds the live refresh token.
        self.with_conn(|conn, _| store_tokens(conn, &fresh))?;
        Ok(fresh.access_token)
    }

    fn revoked(&self, code: String) -> DeviceError {
        if let Err(e) = self.wipe() {
            tracing::error!(error = %e, "wiping after revocation failed");
        }
        DeviceError::DeviceRevoked(code)
    }
}
