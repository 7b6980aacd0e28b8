//! Administration used by the CLI (and the demo seed): users and their roles.

use ruhu_core::roles::Role;
use serde_json::json;
use sqlx::Row;
use uuid::Uuid;

use crate::{
    access::org,
    access::password,
    app::state::AppState,
    store::audit::{self, AuditEntry},
    store::db::{Tx, flag, parse_uuid, ts},
    store::error::{Error, Result},
};

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub password: String,
    pub display_name: String,
    pub org_code: String,
    pub roles: Vec<Role>,
}

pub fn check_username(username: &str) -> Result<()> {
    let ok = (2..=64).contains(&username.len())
        && username.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_' || b == b'-');
    if ok { Ok(()) } else { Err(Error::Invalid("用户名须为2到64位小写字母、数字或 . _ -".into())) }
}

/// Creates a user with roles in an org unit. Refuses a taken username, an unknown org unit, no roles or a short password.
pub async fn create_user(state: &AppState, user: &NewUser) -> Result<Uuid> {
    check_username(&user.username)?;
    if user.password.chars().count() < 8 {
        return Err(Error::Invalid("密码至少8位".into()));
    }
    let hash = password::hash(user.password.clone()).await?;
    let mut tx = state.db.begin().await?;
    let id = insert_user(&mut tx, user, &hash, false).await?;
    tx.commit().await?;
    Ok(id)
}

/// Inserts a user with an already computed password hash, inside `tx` (by the system: CLI, demo seed).
pub async fn insert_user(tx: &mut Tx, user: &NewUser, password_hash: &str, demo: bool) -> Result<Uuid> {
    insert_user_by(tx, user, password_hash, demo, None).await
}

/// Inserts a user inside `tx`, recording `actor` (an administrator using the API) in the audit chain.
pub async fn insert_user_by(tx: &mut Tx, user: &NewUser, password_hash: &str, demo: bool, actor: Option<Uuid>) -> Result<Uuid> {
    check_username(&user.username)?;
    if user.display_name.trim().is_empty() {
        return Err(Error::Invalid("请填写姓名".into()));
    }
    if user.roles.is_empty() {
        return Err(Error::Invalid("至少指定一个角色".into()));
    }
    let unit = org::get(tx.conn(), &user.org_code).await?.ok_or_else(|| Error::Invalid(format!("组织机构 {} 不存在", user.org_code)))?;
    let taken = sqlx::query("SELECT id FROM users WHERE username = $1").bind(&user.username).fetch_optional(tx.conn()).await?;
    if taken.is_some() {
        return Err(Error::Invalid(format!("用户名 {} 已存在", user.username)));
    }
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO users (id, username, display_name, password_hash, org_code, enabled, demo, created_at) VALUES ($1, $2, $3, $4, $5, 1, $6, $7)",
    )
    .bind(id.to_string())
    .bind(&user.username)
    .bind(user.display_name.trim())
    .bind(password_hash)
    .bind(&unit.code)
    .bind(flag(demo))
    .bind(ts(tx.now()))
    .execute(tx.conn())
    .await?;
    let mut roles = user.roles.clone();
    roles.sort_by_key(|r| r.as_str());
    roles.dedup();
    for role in &roles {
        sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)").bind(id.to_string()).bind(role.as_str()).execute(tx.conn()).await?;
    }
    let mut entry = AuditEntry::system("user.create", "user", id, Some(&unit.path))
        .with_detail(json!({ "username": user.username, "roles": roles, "org_code": unit.code, "demo": demo }));
    entry.actor_user_id = actor;
    audit::record(tx, entry).await?;
    Ok(id)
}

/// Enables or disables a user; a disabled user's devices are refused with `user_disabled` and wipe themselves.
pub async fn set_user_enabled(state: &AppState, username: &str, enabled: bool) -> Result<()> {
    let mut tx = state.db.begin().await?;
    let row = sqlx::query("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(tx.conn())
        .await?
        .ok_or_else(|| Error::Invalid(format!("用户 {username} 不存在")))?;
    let id = parse_uuid(&row.try_get::<String, _>("id")?)?;
    sqlx::query("UPDATE users SET enabled = $1 WHERE id = $2").bind(flag(enabled)).bind(id.to_string()).execute(tx.conn()).await?;
    let action = if enabled { "user.enable" } else { "user.disable" };
    audit::record(&mut tx, AuditEntry::system(action, "user", id, None)).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn user_id(state: &AppState, username: &str) -> Result<Option<Uuid>> {
    let row = sqlx::query("SELECT id FROM users WHERE username = $1").bind(username).fetch_optional(&state.db.pool).await?;
    Ok(row.map(|r| r.try_get::<String, _>("id")).transpose()?.map(|s| parse_uuid(&s)).transpose()?)
}
