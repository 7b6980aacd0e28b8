//! Users: one org unit, one or more roles, argon2 password, enabled flag.

use axum::{Json, extract::State};
use ruhu_core::{
    protocol::{PersonRef, UserInfo},
    roles::Role,
};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::{
    auth::Caller,
    db::parse_uuid,
    error::{ApiError, ApiQuery, ApiResult},
    state::AppState,
};

pub async fn roles_of(conn: &mut AnyConnection, user_id: Uuid) -> Result<Vec<Role>, sqlx::Error> {
    let rows = sqlx::query("SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role").bind(user_id.to_string()).fetch_all(&mut *conn).await?;
    Ok(rows.iter().filter_map(|r| r.try_get::<String, _>("role").ok()).filter_map(|r| Role::parse(&r)).collect())
}

pub async fn user_info(conn: &mut AnyConnection, user_id: Uuid) -> Result<UserInfo, sqlx::Error> {
    let row = sqlx::query(
        "SELECT u.username, u.display_name, o.code, o.name FROM users u JOIN org_units o ON o.code = u.org_code WHERE u.id = $1",
    )
    .bind(user_id.to_string())
    .fetch_one(&mut *conn)
    .await?;
    Ok(UserInfo {
        id: user_id,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        roles: roles_of(conn, user_id).await?,
        org_unit_code: row.try_get("code")?,
        org_unit_name: row.try_get("name")?,
    })
}

pub async fn person(conn: &mut AnyConnection, user_id: Uuid) -> Result<PersonRef, sqlx::Error> {
    let name: Option<String> = sqlx::query("SELECT display_name FROM users WHERE id = $1")
        .bind(user_id.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| r.try_get("display_name"))
        .transpose()?;
    Ok(PersonRef { id: user_id, display_name: name.unwrap_or_else(|| "（未知用户）".into()) })
}

pub async fn person_str(conn: &mut AnyConnection, user_id: &str) -> Result<PersonRef, sqlx::Error> {
    person(conn, parse_uuid(user_id)?).await
}

/// A staff member as another staff member (e.g. a visit supervisor picking investigators) sees them.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub org_unit_code: String,
    pub org_unit_name: String,
    pub org_path: String,
    pub enabled: bool,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct UserQuery {
    /// Only users with this role (e.g. `investigator`).
    pub role: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/users", tag = "org", security(("bearer" = [])), params(UserQuery),
    description = "Users in the caller's scope, e.g. `?role=investigator` for a visit supervisor picking a pair.",
    responses((status = 200, body = Vec<UserView>), (status = 422, body = ruhu_core::protocol::Problem)))]
pub async fn list(State(state): State<AppState>, caller: Caller, ApiQuery(q): ApiQuery<UserQuery>) -> ApiResult<Json<Vec<UserView>>> {
    let role = match q.role.as_deref() {
        None | Some("") => None,
        Some(r) => Some(Role::parse(r).ok_or_else(|| ApiError::invalid_field("role", format!("未知角色：{r}")))?),
    };
    let scope = caller.scope();
    let mut sql = format!(
        "SELECT u.id, u.username, u.display_name, u.enabled, o.code, o.name, o.path FROM users u \
         JOIN org_units o ON o.code = u.org_code WHERE {}",
        scope.condition("o.path", 1)
    );
    if role.is_some() {
        sql.push_str(" AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = $3)");
    }
    sql.push_str(" ORDER BY o.path, u.username");
    let mut query = scope.bind(sqlx::query(&sql));
    if let Some(r) = role {
        query = query.bind(r.as_str());
    }
    let mut conn = state.db.pool.acquire().await?;
    let rows = query.fetch_all(&mut *conn).await?;
    let mut users = Vec::with_capacity(rows.len());
    for row in rows {
        let id = parse_uuid(&row.try_get::<String, _>("id")?)?;
        users.push(UserView {
            id,
            username: row.try_get("username")?,
            display_name: row.try_get("display_name")?,
            roles: roles_of(&mut conn, id).await?,
            org_unit_code: row.try_get("code")?,
            org_unit_name: row.try_get("name")?,
            org_path: row.try_get("path")?,
            enabled: row.try_get::<i64, _>("enabled")? != 0,
        });
    }
    Ok(Json(users))
}
