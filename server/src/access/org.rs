//! The org tree: Huaxi District and its 17 townships (seeded on every start), villages below them.

use axum::{Json, extract::State};
use ruhu_core::org::{OrgLevel, OrgUnit, child_path, huaxi_district, seed_units};
use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::{
    access::caller::Caller,
    app::state::AppState,
    store::db::{Db, flag},
    store::error::{ApiResult, Error},
};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrgUnitView {
    pub code: String,
    pub name: String,
    /// district, township or village
    pub level: String,
    pub level_label: String,
    pub parent_code: Option<String>,
    pub path: String,
    pub demo: bool,
    /// Merged or abolished: listed for its households, closed to new ones.
    pub retired: bool,
}

impl From<OrgUnit> for OrgUnitView {
    fn from(u: OrgUnit) -> Self {
        Self {
            code: u.code,
            name: u.name,
            level: u.level.as_str().into(),
            level_label: u.level.label_zh().into(),
            parent_code: u.parent_code,
            path: u.path,
            demo: u.demo,
            retired: u.retired,
        }
    }
}

/// Inserts or renames the seeded district and townships; idempotent.
pub async fn seed_district(db: &Db) -> Result<(), Error> {
    let mut tx = db.begin().await?;
    for unit in seed_units(&huaxi_district()) {
        upsert(tx.conn(), &unit).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn upsert(conn: &mut AnyConnection, unit: &OrgUnit) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO org_units (code, name, level, parent_code, path, demo) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (code) DO UPDATE SET name = excluded.name",
    )
    .bind(&unit.code)
    .bind(&unit.name)
    .bind(unit.level.as_str())
    .bind(unit.parent_code.clone())
    .bind(&unit.path)
    .bind(flag(unit.demo))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Adds (or renames) a village under a township.
pub async fn ensure_village(conn: &mut AnyConnection, township_code: &str, code: &str, name: &str, demo: bool) -> Result<OrgUnit, Error> {
    if !is_code(code) {
        return Err(Error::Invalid(format!("org unit code must be alphanumeric: {code:?}")));
    }
    let township = get(conn, township_code).await?.filter(|u| u.level == OrgLevel::Township);
    let Some(township) = township else { return Err(Error::Invalid(format!("unknown township {township_code}"))) };
    let unit = OrgUnit {
        code: code.into(),
        name: name.into(),
        level: OrgLevel::Village,
        parent_code: Some(township.code.clone()),
        path: child_path(&township.path, code),
        demo,
        retired: false,
    };
    upsert(conn, &unit).await?;
    Ok(unit)
}

/// Codes become path segments and LIKE patterns: letters and digits only.
pub fn is_code(code: &str) -> bool {
    !code.is_empty() && code.len() <= 32 && code.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn from_row(row: &sqlx::any::AnyRow) -> Result<OrgUnit, sqlx::Error> {
    let level: String = row.try_get("level")?;
    Ok(OrgUnit {
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        level: OrgLevel::parse(&level).unwrap_or(OrgLevel::Village),
        parent_code: row.try_get("parent_code")?,
        path: row.try_get("path")?,
        demo: row.try_get::<i64, _>("demo")? != 0,
        retired: row.try_get::<Option<String>, _>("retired_at")?.is_some(),
    })
}

pub async fn get(conn: &mut AnyConnection, code: &str) -> Result<Option<OrgUnit>, sqlx::Error> {
    let row = sqlx::query("SELECT code, name, level, parent_code, path, demo, retired_at FROM org_units WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn by_path(conn: &mut AnyConnection, path: &str) -> Result<Option<OrgUnit>, sqlx::Error> {
    let row = sqlx::query("SELECT code, name, level, parent_code, path, demo, retired_at FROM org_units WHERE path = $1")
        .bind(path)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// The township segment of a path "/district/township[/village]".
pub fn township_code_of(path: &str) -> Option<&str> {
    path.split('/').nth(2)
}

pub fn township_path_of(path: &str) -> Option<String> {
    let mut parts = path.split('/').skip(1);
    let (d, t) = (parts.next()?, parts.next()?);
    Some(format!("/{d}/{t}"))
}

/// "青岩镇 / 龙井村（演示）": the human location of a path, for messages.
pub async fn describe_path(conn: &mut AnyConnection, path: &str) -> Result<String, sqlx::Error> {
    let mut names = Vec::new();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    for i in 2..=segments.len() {
        let p = format!("/{}", segments[..i].join("/"));
        if let Some(u) = by_path(conn, &p).await? {
            names.push(u.name);
        }
    }
    Ok(names.join(""))
}

#[utoipa::path(get, path = "/api/v1/org-units", tag = "org", security(("bearer" = [])),
    description = "The org units the caller may see: its own unit and everything below it.",
    responses((status = 200, body = Vec<OrgUnitView>)))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<OrgUnitView>>> {
    let scope = caller.scope();
    let sql =
        format!("SELECT code, name, level, parent_code, path, demo, retired_at FROM org_units WHERE {} ORDER BY path", scope.condition("path", 1));
    let mut conn = state.db.pool.acquire().await?;
    let rows = scope.bind(sqlx::query(&sql)).fetch_all(&mut *conn).await?;
    let units = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
    Ok(Json(units.into_iter().map(OrgUnitView::from).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn township_of_a_path() {
        assert_eq!(township_code_of("/520111/520111101/520111101901"), Some("520111101"));
        assert_eq!(township_path_of("/520111/520111101/520111101901").as_deref(), Some("/520111/520111101"));
        assert_eq!(township_code_of("/520111"), None);
        assert!(is_code("520111101901") && !is_code("52%") && !is_code("a/b") && !is_code(""));
    }
}
