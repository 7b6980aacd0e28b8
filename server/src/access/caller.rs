//! The `Caller` every protected handler takes: the user behind a request's access token, from which device, in which
//! org unit, with which roles; and the guard that lets them through to a record in their scope.

use axum::{
    extract::FromRequestParts,
    http::{StatusCode, header, request::Parts},
};
use ruhu_core::{org::OrgLevel, roles::Role};
use serde_json::json;
use sqlx::Row;
use uuid::Uuid;

use super::{jwt, scope::Scope, users};
use crate::{
    app::state::AppState,
    store::{
        audit::{self, AuditEntry},
        error::{ApiError, ApiResult},
    },
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

    /// Lets the caller through to a record at `org_path`, or records the refused attempt and answers 403.
    pub async fn guard(&self, state: &AppState, entity_kind: &str, entity_id: &str, org_path: &str) -> ApiResult<()> {
        if self.scope().contains(org_path) {
            return Ok(());
        }
        let entry = self
            .audit("access.refused", entity_kind, entity_id, Some(org_path))
            .with_detail(json!({ "reason": "out_of_scope", "caller_org": self.org_path }));
        audit::record_alone(&state.db, entry).await?;
        tracing::warn!(user = %self.username, entity_kind, entity_id, "out-of-scope access refused");
        Err(ApiError::out_of_scope())
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

pub(crate) fn err401(code: &'static str, message: &str) -> ApiError {
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
