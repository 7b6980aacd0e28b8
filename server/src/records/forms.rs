//! Published form versions, stored by (id, version) as JSON definitions. A published version never changes:
//! drafts keep the version they started with and the server accepts older versions.

use ruhu_core::{
    assistance::AssistanceType,
    form::{FormDefinition, FormPurpose},
};
use sqlx::{AnyConnection, Row};

use crate::store::{
    db::{Db, Tx, parse_json, to_json, ts},
    error::Error,
};

/// Publishes the forms shipped with Ruhu; idempotent.
pub async fn publish_builtin(db: &Db) -> Result<(), Error> {
    let mut tx = db.begin().await?;
    for form in ruhu_core::form::builtin_forms() {
        let existing = load(tx.conn(), &form.id, form.version).await?;
        match existing {
            Some(stored) if stored != form => {
                tracing::warn!(form = %form.id, version = form.version, "built-in form differs from the published version; keeping the published one (bump the version)");
            }
            Some(_) => {}
            None => insert(&mut tx, &form).await?,
        }
    }
    tx.commit().await?;
    Ok(())
}

pub async fn insert(tx: &mut Tx, form: &FormDefinition) -> Result<(), sqlx::Error> {
    let published_at = ts(tx.now());
    sqlx::query("INSERT INTO forms (id, version, title, definition, published, published_at) VALUES ($1, $2, $3, $4, 1, $5)")
        .bind(&form.id)
        .bind(i64::from(form.version))
        .bind(&form.title)
        .bind(to_json(form))
        .bind(published_at)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn load(conn: &mut AnyConnection, id: &str, version: u32) -> Result<Option<FormDefinition>, sqlx::Error> {
    let row = sqlx::query("SELECT definition FROM forms WHERE id = $1 AND version = $2 AND published = 1")
        .bind(id)
        .bind(i64::from(version))
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| parse_json(&r.try_get::<String, _>("definition")?)).transpose()
}

/// The newest published home-visit form serving `assistance_type`.
pub async fn latest_for(conn: &mut AnyConnection, assistance_type: AssistanceType) -> Result<Option<FormDefinition>, sqlx::Error> {
    latest_for_purpose(conn, assistance_type, FormPurpose::HomeVisit).await
}

/// The newest published form serving `assistance_type` for `purpose` (a periodic review, a district re-visit).
pub async fn latest_for_purpose(
    conn: &mut AnyConnection,
    assistance_type: AssistanceType,
    purpose: FormPurpose,
) -> Result<Option<FormDefinition>, sqlx::Error> {
    let rows = sqlx::query("SELECT definition FROM forms WHERE published = 1 ORDER BY id, version DESC").fetch_all(&mut *conn).await?;
    let mut best: Option<FormDefinition> = None;
    for row in rows {
        let form: FormDefinition = parse_json(&row.try_get::<String, _>("definition")?)?;
        if form.purpose == purpose
            && form.assistance_types.iter().any(|t| t == assistance_type.as_str())
            && best.as_ref().is_none_or(|b| form.version > b.version)
        {
            best = Some(form);
        }
    }
    Ok(best)
}

/// Feed entity id of a form version.
pub fn feed_key(id: &str, version: u32) -> String {
    format!("{id}@{version}")
}

pub fn parse_feed_key(key: &str) -> Option<(&str, u32)> {
    let (id, v) = key.rsplit_once('@')?;
    Some((id, v.parse().ok()?))
}
