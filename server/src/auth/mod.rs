//! Authentication: login, refresh, logout, and the `Caller` every protected handler takes.

pub mod jwt;
pub mod password;
pub mod refresh;

use axum::{
    Json,
    extract::{FromRequestParts, State},
    http::{StatusCode, header, request::Parts},
};
use ruhu_core::{
    org::OrgLevel,
    protocol::{LoginRequest, Problem, RefreshRequest, TokenResponse},
    roles::Role,
};
use serde_json::json;
use sqlx::Row;
use uuid::Uuid;

use crate::{
    audit::{self, AuditEntry},
    db::{parse_uuid, ts},
    error::{ApiError, ApiJson, ApiResult},
    scope::Scope,
    state::AppState,
    users,
};

/// The authenticated user behind a request: who, from which device, in which org unit, with which roles.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: Uuid,
    pub username: String,
    pub display_name: String,
    pub org_code: String,
    pub org_name: String,
    pub org_path: String,
    pub org_level: OrgLevel,
    pub roles: Vec<Role>,
    /// Server row id of the registered device.
    pub device_id: Uuid,
    /// The installation id the device sent at login.
    pub installation_id: String,
    pub session_id: Uuid,
}

impl Caller {
    pub fn has_role(&self, allowed: impl Fn(Role) -> bool) -> bool {
        self.roles.iter().any(|r| allowed(*r))
    }

    pub fn require(&self, allowed: impl Fn(Role) -> bool) -> ApiResult<()> {
        if self.has_role(allowed) { Ok(()) } else { Err(ApiError::forbidden_role()) }
    }

    pub fn is_admin(&self) -> bool {
        self.roles.contains(&Role::Admin)
    }

    /// Everything this caller may see: its own unit and every unit below it.
    pub fn scope(&self) -> Scope {
        Scope::new(&self.org_path)
    }

    /// An audit entry with this caller as actor.
    pub fn audit(&self, action: &str, entity_kind: &str, entity_id: impl ToString, org_path: Option<&str>) -> AuditEntry {
        AuditEntry {
            actor_user_id: Some(self.user_id),
            device_id: Some(self.device_id.to_string()),
            action: action.to_string(),
            entity_kind: entity_kind.to_string(),
            entity_id: entity_id.to_string(),
            org_path: org_path.map(str::to_string),
            detail: json!({}),
        }
    }
}

fn err401(code: &'static str, message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, code, message)
}

pub fn device_revoked() -> ApiError {
    err401("device_revoked", "此设备已被停用，本机数据将被清除。如有疑问请联系管理员")
}

pub fn user_disabled() -> ApiError {
    err401("user_disabled", "您的账号已被停用，本机数据将被清除。如有疑问请联系管理员")
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(header::AUTHORIZATION).ok_or_else(ApiError::unauthorized)?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(ApiError::unauthorized)?;
        let claims = state.jwt.verify(token, state.db.now()).map_err(|e| match e {
            jwt::TokenError::Expired => err401("token_expired", "登录已过期，请刷新登录凭证"),
            jwt::TokenError::Invalid => ApiError::invalid_token(),
        })?;
        let ids = (Uuid::parse_str(&claims.sub), Uuid::parse_str(&claims.did), Uuid::parse_str(&claims.sid));
        let (Ok(user_id), Ok(device_id), Ok(session_id)) = ids else { return Err(ApiError::invalid_token()) };

        let mut conn = state.db.pool.acquire().await?;
        let row = sqlx::query(
            "SELECT u.username, u.display_name, u.enabled, o.code, o.name, o.path, o.level, \
                    d.installation_id, d.revoked_at AS device_revoked_at, s.revoked_at AS session_revoked_at \
             FROM login_sessions s \
             JOIN devices d ON d.id = s.device_id \
             JOIN users u ON u.id = s.user_id \
             JOIN org_units o ON o.code = u.org_code \
             WHERE s.id = $1 AND d.id = $2 AND u.id = $3",
        )
        .bind(session_id.to_string())
        .bind(device_id.to_string())
        .bind(user_id.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(ApiError::invalid_token)?;
        if row.try_get::<Option<String>, _>("device_revoked_at")?.is_some() {
            return Err(device_revoked());
        }
        if row.try_get::<i64, _>("enabled")? == 0 {
            return Err(user_disabled());
        }
        if row.try_get::<Option<String>, _>("session_revoked_at")?.is_some() {
            return Err(err401("session_revoked", "登录已失效，请重新登录"));
        }
        let roles = users::roles_of(&mut conn, user_id).await?;
        let level: String = row.try_get("level")?;
        Ok(Caller {
            user_id,
            username: row.try_get("username")?,
            display_name: row.try_get("display_name")?,
            org_code: row.try_get("code")?,
            org_name: row.try_get("name")?,
            org_path: row.try_get("path")?,
            org_level: OrgLevel::parse(&level).unwrap_or(OrgLevel::Village),
            roles,
            device_id,
            installation_id: row.try_get("installation_id")?,
            session_id,
        })
    }
}

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
    let found = sqlx::query("SELECT id, password_hash, enabled FROM users WHERE username = $1")
        .bind(&username)
        .fetch_optional(&mut *conn)
        .await?;
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
