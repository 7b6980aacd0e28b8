//! Users: one org unit, one or more roles, argon2 password, enabled flag.

use ruhu_core::{
    protocol::{PersonRef, UserInfo},
    roles::Role,
};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::store::db::parse_uuid;

pub async fn roles_of(conn: &mut AnyConnection, user_id: Uuid) -> Result<Vec<Role>, sqlx::Error> {
    let rows = sqlx::query("SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role").bind(user_id.to_string()).fetch_all(&mut *conn).await?;
    Ok(rows.iter().filter_map(|r| r.try_get::<String, _>("role").ok()).filter_map(|r| Role::parse(&r)).collect())
}

pub async fn user_info(conn: &mut AnyConnection, user_id: Uuid) -> Result<UserInfo, sqlx::Error> {
    let row = sqlx::query("SELECT u.username, u.display_name, o.code, o.name FROM users u JOIN org_units o ON o.code = u.org_code WHERE u.id = $1")
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
