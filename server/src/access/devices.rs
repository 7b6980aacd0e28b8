//! Registered devices: listed in scope, revocable. A revoked device is refused on its next request with
//! 401 `device_revoked`, and the app wipes its local data.

use axum::{Json, extract::State};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use uuid::Uuid;

use crate::{
    access::caller::Caller,
    app::state::AppState,
    store::audit,
    store::db::{self, parse_ts, parse_uuid, ts},
    store::error::{ApiError, ApiPath, ApiResult},
};
use ruhu_core::{protocol::Problem, roles::Role};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeviceView {
    pub id: Uuid,
    pub installation_id: String,
    pub user_id: Uuid,
    pub username: String,
    pub display_name: String,
    pub name: Option<String>,
    pub app_version: Option<String>,
    pub registered_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// When the device last pulled its assignments (sync/pull).
    pub last_pull_at: Option<DateTime<Utc>>,
    /// When the device last pushed a visit (sync/submissions).
    pub last_push_at: Option<DateTime<Utc>>,
}

/// Which half of a sync a device just did.
#[derive(Debug, Clone, Copy)]
pub enum SyncKind {
    Pull,
    Push,
}

/// Records when a device pulled or pushed, so supervisors see real last-sync times per device.
pub async fn mark_sync(database: &db::Db, device_id: Uuid, kind: SyncKind) -> Result<(), sqlx::Error> {
    let sql = match kind {
        SyncKind::Pull => "UPDATE devices SET last_pull_at = $1 WHERE id = $2",
        SyncKind::Push => "UPDATE devices SET last_push_at = $1 WHERE id = $2",
    };
    sqlx::query(sql).bind(ts(database.now())).bind(device_id.to_string()).execute(&database.pool).await?;
    Ok(())
}

/// Admins and supervisors manage the devices of everyone in their scope; everyone else only their own.
fn manages_others(caller: &Caller) -> bool {
    caller.has_role(|r| r == Role::Admin || r == Role::DistrictSupervisor || r == Role::TownshipReviewer || r == Role::VisitSupervisor)
}

const SELECT: &str = "SELECT d.id, d.installation_id, d.user_id, d.name, d.app_version, d.registered_at, d.last_seen_at, d.revoked_at, \
                      d.last_pull_at, d.last_push_at, u.username, u.display_name, o.path FROM devices d JOIN users u ON u.id = d.user_id JOIN org_units o ON o.code = u.org_code";

fn view(row: &sqlx::any::AnyRow) -> Result<DeviceView, sqlx::Error> {
    let revoked: Option<String> = row.try_get("revoked_at")?;
    let pulled: Option<String> = row.try_get("last_pull_at")?;
    let pushed: Option<String> = row.try_get("last_push_at")?;
    Ok(DeviceView {
        id: parse_uuid(&row.try_get::<String, _>("id")?)?,
        installation_id: row.try_get("installation_id")?,
        user_id: parse_uuid(&row.try_get::<String, _>("user_id")?)?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        name: row.try_get("name")?,
        app_version: row.try_get("app_version")?,
        registered_at: parse_ts(&row.try_get::<String, _>("registered_at")?)?,
        last_seen_at: parse_ts(&row.try_get::<String, _>("last_seen_at")?)?,
        revoked_at: revoked.as_deref().map(parse_ts).transpose()?,
        last_pull_at: pulled.as_deref().map(parse_ts).transpose()?,
        last_push_at: pushed.as_deref().map(parse_ts).transpose()?,
    })
}

#[utoipa::path(get, path = "/api/v1/devices", tag = "devices", security(("bearer" = [])),
    description = "Devices of the users in the caller's scope (admins, supervisors), or the caller's own devices.",
    responses((status = 200, body = Vec<DeviceView>)))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<DeviceView>>> {
    let mut conn = state.db.pool.acquire().await?;
    let rows = if manages_others(&caller) {
        let scope = caller.scope();
        let sql = format!("{SELECT} WHERE {} ORDER BY u.username, d.registered_at", scope.condition("o.path", 1));
        scope.bind(sqlx::query(&sql)).fetch_all(&mut *conn).await?
    } else {
        sqlx::query(&format!("{SELECT} WHERE d.user_id = $1 ORDER BY d.registered_at")).bind(caller.user_id.to_string()).fetch_all(&mut *conn).await?
    };
    Ok(Json(rows.iter().map(view).collect::<Result<_, _>>()?))
}

#[utoipa::path(post, path = "/api/v1/devices/{id}/revoke", tag = "devices", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "device id")),
    description = "Revokes a device and ends its login sessions; the app wipes itself on its next request.",
    responses((status = 200, body = DeviceView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn revoke(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<DeviceView>> {
    let mut conn = state.db.pool.acquire().await?;
    let row = sqlx::query(&format!("{SELECT} WHERE d.id = $1"))
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| ApiError::not_found("设备"))?;
    drop(conn);
    let device = view(&row)?;
    let owner_path: String = row.try_get("path")?;
    if device.user_id != caller.user_id {
        if !manages_others(&caller) {
            return Err(ApiError::forbidden_role());
        }
        caller.guard(&state, "device", &id.to_string(), &owner_path).await?;
    }
    let now = state.db.now();
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE devices SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL")
        .bind(ts(now))
        .bind(caller.user_id.to_string())
        .bind(id.to_string())
        .execute(tx.conn())
        .await?;
    sqlx::query("UPDATE login_sessions SET revoked_at = $1, revoked_reason = 'device_revoked' WHERE device_id = $2 AND revoked_at IS NULL")
        .bind(ts(now))
        .bind(id.to_string())
        .execute(tx.conn())
        .await?;
    let entry = caller.audit("device.revoke", "device", id, Some(&owner_path)).with_detail(json!({ "user_id": device.user_id }));
    audit::record(&mut tx, entry).await?;
    let row = sqlx::query(&format!("{SELECT} WHERE d.id = $1")).bind(id.to_string()).fetch_one(tx.conn()).await?;
    tx.commit().await?;
    Ok(Json(view(&row)?))
}
