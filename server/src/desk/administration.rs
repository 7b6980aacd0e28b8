//! Administration over the API: the staff list (e.g. a visit supervisor picking a pair); an administrator creates users
//! (roles, org unit), edits them, and disables or re-enables them, within the administrator's own scope. Everything
//! is audited with the administrator as actor.

use axum::{Json, extract::State, http::StatusCode};
use ruhu_core::{protocol::Problem, roles::Role};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Row;
use uuid::Uuid;

use crate::{
    access::{
        accounts::{self, NewUser},
        caller::Caller,
        org, password,
        users::{self, roles_of},
    },
    app::state::AppState,
    store::{
        db::{flag, parse_uuid},
        error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult, Error},
    },
};

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct CreateUser {
    pub username: String,
    /// At least 8 characters; the user should change it at first login.
    pub password: String,
    pub display_name: String,
    pub org_unit_code: String,
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DisableUser {
    /// Why (recorded in the audit chain).
    #[serde(default)]
    pub reason: Option<String>,
}

fn invalid(e: Error) -> ApiError {
    match e {
        Error::Invalid(message) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_user", message),
        other => other.into(),
    }
}

async fn view_of(state: &AppState, id: Uuid) -> ApiResult<UserView> {
    let mut conn = state.db.pool.acquire().await?;
    let row = sqlx::query(
        "SELECT u.id, u.username, u.display_name, u.enabled, o.code, o.name, o.path FROM users u JOIN org_units o ON o.code = u.org_code WHERE u.id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| ApiError::not_found("用户"))?;
    Ok(UserView {
        id,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        roles: users::roles_of(&mut conn, id).await?,
        org_unit_code: row.try_get("code")?,
        org_unit_name: row.try_get("name")?,
        org_path: row.try_get("path")?,
        enabled: row.try_get::<i64, _>("enabled")? != 0,
    })
}

#[utoipa::path(post, path = "/api/v1/users", tag = "org", security(("bearer" = [])), request_body = CreateUser,
    description = "Creates a user with roles in an org unit within the administrator's scope. Admins only; audited.",
    responses((status = 201, body = UserView), (status = 403, body = Problem, description = "forbidden_role, out_of_scope"),
              (status = 422, body = Problem, description = "invalid_user, invalid_field")))]
pub async fn create(State(state): State<AppState>, caller: Caller, ApiJson(req): ApiJson<CreateUser>) -> ApiResult<(StatusCode, Json<UserView>)> {
    caller.require(|r| r == Role::Admin)?;
    let mut roles = Vec::with_capacity(req.roles.len());
    for r in &req.roles {
        roles.push(Role::parse(r).ok_or_else(|| ApiError::invalid_field("roles", format!("未知角色：{r}")))?);
    }
    accounts::check_username(&req.username).map_err(invalid)?;
    if req.password.chars().count() < 8 {
        return Err(ApiError::invalid_field("password", "密码至少8位"));
    }
    let unit = {
        let mut conn = state.db.pool.acquire().await?;
        org::get(&mut conn, &req.org_unit_code).await?
    }
    .ok_or_else(|| ApiError::invalid_field("org_unit_code", format!("组织机构 {} 不存在", req.org_unit_code)))?;
    caller.guard(&state, "org_unit", &unit.code, &unit.path).await?;
    let user = NewUser { username: req.username, password: req.password, display_name: req.display_name, org_code: unit.code, roles };
    let hash = password::hash(user.password.clone()).await?;
    let mut tx = state.db.begin().await?;
    let id = accounts::insert_user_by(&mut tx, &user, &hash, false, Some(caller.user_id)).await.map_err(invalid)?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(view_of(&state, id).await?)))
}

async fn set_enabled(state: &AppState, caller: &Caller, id: Uuid, enabled: bool, reason: Option<String>) -> ApiResult<UserView> {
    caller.require(|r| r == Role::Admin)?;
    let target = view_of(state, id).await?;
    caller.guard(state, "user", &id.to_string(), &target.org_path).await?;
    if id == caller.user_id && !enabled {
        return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "cannot_disable_self", "不能停用自己的账号"));
    }
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE users SET enabled = $1 WHERE id = $2").bind(flag(enabled)).bind(id.to_string()).execute(tx.conn()).await?;
    let action = if enabled { "user.enable" } else { "user.disable" };
    let detail = json!({ "username": target.username, "reason": reason.map(|r| r.trim().to_string()).filter(|r| !r.is_empty()) });
    crate::store::audit::record(&mut tx, caller.audit(action, "user", id, Some(&target.org_path)).with_detail(detail)).await?;
    tx.commit().await?;
    view_of(state, id).await
}

#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "org", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "user id")), request_body = DisableUser,
    description = "Disables a user: their devices are refused with `user_disabled` and wipe themselves. Admins only; audited.",
    responses((status = 200, body = UserView), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem, description = "cannot_disable_self")))]
pub async fn disable(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<DisableUser>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(set_enabled(&state, &caller, id, false, req.reason).await?))
}

#[utoipa::path(post, path = "/api/v1/users/{id}/enable", tag = "org", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "user id")),
    description = "Enables a disabled user again. Admins only; audited.",
    responses((status = 200, body = UserView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn enable(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<UserView>> {
    Ok(Json(set_enabled(&state, &caller, id, true, None).await?))
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct UpdateUser {
    pub display_name: String,
    pub org_unit_code: String,
    pub roles: Vec<String>,
}

#[utoipa::path(put, path = "/api/v1/users/{id}", tag = "org", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "user id")), request_body = UpdateUser,
    description = "Changes a user's name, org unit and roles (effective at their next request). Admins only, within their scope; \
        audited with the values before and after. A user moved to another unit must first hand over the open visits outside it.",
    responses((status = 200, body = UserView), (status = 403, body = Problem, description = "forbidden_role, out_of_scope"),
              (status = 404, body = Problem),
              (status = 409, body = Problem, description = "user_has_open_assignments"),
              (status = 422, body = Problem, description = "invalid_field, cannot_remove_own_admin")))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<UpdateUser>,
) -> ApiResult<Json<UserView>> {
    caller.require(|r| r == Role::Admin)?;
    let before = view_of(&state, id).await?;
    caller.guard(&state, "user", &id.to_string(), &before.org_path).await?;
    let display_name = req.display_name.trim();
    if display_name.is_empty() {
        return Err(ApiError::invalid_field("display_name", "请填写姓名"));
    }
    let mut roles = Vec::with_capacity(req.roles.len());
    for r in &req.roles {
        let role = Role::parse(r).ok_or_else(|| ApiError::invalid_field("roles", format!("未知角色：{r}")))?;
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    if roles.is_empty() {
        return Err(ApiError::invalid_field("roles", "至少指定一个角色"));
    }
    if id == caller.user_id && !roles.contains(&Role::Admin) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "cannot_remove_own_admin",
            "不能取消自己的系统管理员角色（请由另一位管理员操作）",
        ));
    }
    let unit = {
        let mut conn = state.db.pool.acquire().await?;
        org::get(&mut conn, &req.org_unit_code).await?
    }
    .ok_or_else(|| ApiError::invalid_field("org_unit_code", format!("组织机构 {} 不存在", req.org_unit_code)))?;
    caller.guard(&state, "org_unit", &unit.code, &unit.path).await?;

    let mut tx = state.db.begin().await?;
    if unit.code != before.org_unit_code {
        // Open visits outside the new unit would leave the user with work they may no longer see.
        let outside: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM assignments WHERE status = 'assigned' AND (investigator1 = $1 OR investigator2 = $1) \
             AND NOT (org_path = $2 OR org_path LIKE $3)",
        )
        .bind(id.to_string())
        .bind(&unit.path)
        .bind(format!("{}/%", unit.path))
        .fetch_one(tx.conn())
        .await?
        .try_get("n")?;
        if outside > 0 {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "user_has_open_assignments",
                format!("{}还有{outside}项未完成的入户调查不在{}辖区内，请先在“调查进度”中改派后再调整单位", before.display_name, unit.name),
            ));
        }
    }
    sqlx::query("UPDATE users SET display_name = $1, org_code = $2 WHERE id = $3")
        .bind(display_name)
        .bind(&unit.code)
        .bind(id.to_string())
        .execute(tx.conn())
        .await?;
    sqlx::query("DELETE FROM user_roles WHERE user_id = $1").bind(id.to_string()).execute(tx.conn()).await?;
    for role in &roles {
        sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)").bind(id.to_string()).bind(role.as_str()).execute(tx.conn()).await?;
    }
    let detail = json!({
        "username": before.username,
        "before": { "display_name": before.display_name, "org_unit": before.org_unit_code, "roles": before.roles },
        "after": { "display_name": display_name, "org_unit": unit.code, "roles": roles },
    });
    crate::store::audit::record(&mut tx, caller.audit("user.update", "user", id, Some(&unit.path)).with_detail(detail)).await?;
    tx.commit().await?;
    Ok(Json(view_of(&state, id).await?))
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
