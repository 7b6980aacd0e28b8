//! Login, token refresh and logout: the login session a device holds, with rotating refresh tokens.

use axum::{Json, extract::State, http::StatusCode};
use ruhu_core::protocol::{LoginRequest, Problem, RefreshRequest, TokenResponse};
use serde_json::json;
use sqlx::Row;
use uuid::Uuid;

use super::{
    caller::{Caller, device_revoked, err401, user_disabled},
    password, refresh, users,
};
use crate::{
    app::state::AppState,
    store::{
        audit::{self, AuditEntry},
        db::{parse_uuid, ts},
        error::{ApiError, ApiJson, ApiResult},
    },
};

fn check_installation_id(id: &str) -> ApiResult<()> {
    if id.trim().is_empty() || id.len() > 128 {
        return Err(ApiError::invalid_field("device_id", "设备标识无效"));
    }
    Ok(())
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    description = "Checks the password, registers the device for the user on first login and opens a login session.",
    responses((status = 200, body = TokenResponse), (status = 401, body = Problem, description = "invalid_credentials, user_disabled, device_revoked")))]
pub async fn login(State(state): State<AppState>, ApiJson(req): ApiJson<LoginRequest>) -> ApiResult<Json<TokenResponse>> {
    check_installation_id(&req.device_id)?;
    let username = req.username.trim().to_string();
    let mut conn = state.db.pool.acquire().await?;
    let found = sqlx::query("SELECT id, password_hash, enabled FROM users WHERE username = $1").bind(&username).fetch_optional(&mut *conn).await?;
    drop(conn);
    let stored = found.as_ref().map(|r| r.try_get::<String, _>("password_hash")).transpose()?;
    if !password::verify(req.password.clone(), stored).await {
        return Err(err401("invalid_credentials", "用户名或密码错误"));
    }
    let Some(found) = found else { return Err(err401("invalid_credentials", "用户名或密码错误")) };
    let user_id = parse_uuid(&found.try_get::<String, _>("id")?)?;
    if found.try_get::<i64, _>("enabled")? == 0 {
        return Err(user_disabled());
    }

    let now = state.db.now();
    let mut tx = state.db.begin().await?;
    let device = sqlx::query("SELECT id, revoked_at FROM devices WHERE user_id = $1 AND installation_id = $2")
        .bind(user_id.to_string())
        .bind(&req.device_id)
        .fetch_optional(tx.conn())
        .await?;
    let device_id = match device {
        Some(d) => {
            if d.try_get::<Option<String>, _>("revoked_at")?.is_some() {
                return Err(device_revoked());
            }
            let id = parse_uuid(&d.try_get::<String, _>("id")?)?;
            sqlx::query("UPDATE devices SET last_seen_at = $1, name = COALESCE($2, name), app_version = COALESCE($3, app_version) WHERE id = $4")
                .bind(ts(now))
                .bind(req.device_name.clone())
                .bind(req.app_version.clone())
                .bind(id.to_string())
                .execute(tx.conn())
                .await?;
            id
        }
        None => {
            let id = Uuid::new_v4();
            sqlx::query(
                "INSERT INTO devices (id, user_id, installation_id, name, app_version, registered_at, last_seen_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6)",
            )
            .bind(id.to_string())
            .bind(user_id.to_string())
            .bind(&req.device_id)
            .bind(req.device_name.clone())
            .bind(req.app_version.clone())
            .bind(ts(now))
            .execute(tx.conn())
            .await?;
            let mut entry = AuditEntry::system("device.register", "device", id, None);
            entry.actor_user_id = Some(user_id);
            entry.device_id = Some(id.to_string());
            entry.detail = json!({ "name": req.device_name, "app_version": req.app_version });
            audit::record(&mut tx, entry).await?;
            id
        }
    };
    let session_id = Uuid::new_v4();
    sqlx::query("INSERT INTO login_sessions (id, user_id, device_id, created_at) VALUES ($1, $2, $3, $4)")
        .bind(session_id.to_string())
        .bind(user_id.to_string())
        .bind(device_id.to_string())
        .bind(ts(now))
        .execute(tx.conn())
        .await?;
    let refresh = refresh::issue(tx.conn(), session_id, state.config.refresh_token_ttl, now).await?;
    let user = users::user_info(tx.conn(), user_id).await?;
    let mut entry = AuditEntry::system("auth.login", "user", user_id, None);
    entry.actor_user_id = Some(user_id);
    entry.device_id = Some(device_id.to_string());
    entry.detail = json!({ "session_id": session_id });
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    let (access_token, access_expires_at) = state.jwt.issue(user_id, device_id, session_id, state.config.access_token_ttl, state.db.now())?;
    Ok(Json(TokenResponse { access_token, access_expires_at, refresh_token: refresh.token, refresh_expires_at: refresh.expires_at, user }))
}

#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    description = "Rotates the refresh token. A reused token revokes the login session, except within the grace window \
                   after a lost reply.",
    responses((status = 200, body = TokenResponse),
              (status = 401, body = Problem, description = "invalid_token, refresh_token_expired, refresh_token_reused, session_revoked, device_revoked, user_disabled")))]
pub async fn refresh_tokens(State(state): State<AppState>, ApiJson(req): ApiJson<RefreshRequest>) -> ApiResult<Json<TokenResponse>> {
    let now = state.db.now();
    let mut tx = state.db.begin().await?;
    let outcome = refresh::rotate(&mut tx, &req.refresh_token, state.config.refresh_token_ttl, state.config.refresh_grace, now).await?;
    let (session_id, issued) = match outcome {
        refresh::Outcome::Rotated { session_id, issued } => (session_id, issued),
        refresh::Outcome::Reused { session_id } => {
            let mut entry = AuditEntry::system("auth.refresh_reuse_detected", "login_session", session_id, None);
            entry.detail = json!({ "device_id": req.device_id });
            audit::record(&mut tx, entry).await?;
            tx.commit().await?;
            return Err(err401("refresh_token_reused", "登录凭证已被使用过，为安全起见本次登录已失效，请重新登录"));
        }
        refresh::Outcome::Unknown => return Err(ApiError::invalid_token()),
        refresh::Outcome::Expired => return Err(err401("refresh_token_expired", "登录已过期，请重新登录")),
        refresh::Outcome::SessionRevoked => return Err(err401("session_revoked", "登录已失效，请重新登录")),
    };
    let row = sqlx::query(
        "SELECT s.user_id, s.device_id, d.installation_id, d.revoked_at, u.enabled FROM login_sessions s \
         JOIN devices d ON d.id = s.device_id JOIN users u ON u.id = s.user_id WHERE s.id = $1",
    )
    .bind(session_id.to_string())
    .fetch_one(tx.conn())
    .await?;
    // The token is bound to the device it was issued to.
    if row.try_get::<String, _>("installation_id")? != req.device_id {
        return Err(ApiError::invalid_token());
    }
    if row.try_get::<Option<String>, _>("revoked_at")?.is_some() {
        return Err(device_revoked());
    }
    if row.try_get::<i64, _>("enabled")? == 0 {
        return Err(user_disabled());
    }
    let user_id = parse_uuid(&row.try_get::<String, _>("user_id")?)?;
    let device_id = parse_uuid(&row.try_get::<String, _>("device_id")?)?;
    sqlx::query("UPDATE devices SET last_seen_at = $1 WHERE id = $2").bind(ts(now)).bind(device_id.to_string()).execute(tx.conn()).await?;
    let user = users::user_info(tx.conn(), user_id).await?;
    tx.commit().await?;
    let (access_token, access_expires_at) = state.jwt.issue(user_id, device_id, session_id, state.config.access_token_ttl, state.db.now())?;
    Ok(Json(TokenResponse { access_token, access_expires_at, refresh_token: issued.token, refresh_expires_at: issued.expires_at, user }))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    description = "Ends the caller's login session: its refresh tokens and access tokens stop working.",
    responses((status = 204, description = "logged out"), (status = 401, body = Problem)))]
pub async fn logout(State(state): State<AppState>, caller: Caller) -> ApiResult<StatusCode> {
    let now = state.db.now();
    let mut tx = state.db.begin().await?;
    refresh::revoke_session(tx.conn(), caller.session_id, "logout", now).await?;
    audit::record(&mut tx, caller.audit("auth.logout", "login_session", caller.session_id, Some(&caller.org_path))).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
