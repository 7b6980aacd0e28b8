//! Near-relative declarations (近亲属备案) and the check that keeps a declarant away from the related household's
//! visits.

use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use ruhu_core::{
    policy::Relation,
    protocol::{PersonRef, Problem},
    resident_id::{ResidentId, mask},
    roles::Role,
    workflow::relatives::counted_relation,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use super::case_state;
use crate::{
    access::caller::Caller,
    access::users,
    app::state::AppState,
    store::audit,
    store::db::{parse_ts, parse_uuid, ts},
    store::error::{ApiError, ApiJson, ApiResult},
};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewDeclaration {
    /// The relative's resident ID (身份证号).
    pub relative_resident_id: String,
    /// A relation the policy counts (`near_relatives.default_relations`), e.g. `parents`.
    pub relation: String,
    /// Declaring for another staff member (reviewers, district supervisors, admins); default: the caller.
    pub declarant_user_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeclarationView {
    pub id: Uuid,
    pub declarant: PersonRef,
    pub relative_resident_id_masked: String,
    pub relation: Relation,
    pub relation_label: String,
    pub declared_at: DateTime<Utc>,
}

#[utoipa::path(post, path = "/api/v1/near-relatives", tag = "workflow", security(("bearer" = [])), request_body = NewDeclaration,
    description = "Declares a near relative of a staff or village-committee member (近亲属备案). Cases whose co-resident members \
        include the relative are flagged for a 100 % district visit, and the declarant may neither investigate nor decide them.",
    responses((status = 201, body = DeclarationView), (status = 403, body = Problem), (status = 409, body = Problem, description = "declaration_exists"),
              (status = 422, body = Problem, description = "invalid_resident_id, unknown_relation")))]
pub async fn declare(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<NewDeclaration>,
) -> ApiResult<(StatusCode, Json<DeclarationView>)> {
    let rid = ResidentId::parse(&req.relative_resident_id)
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_resident_id", e.message_zh()).with_field("relative_resident_id"))?;
    let relation = counted_relation(&state.policy, req.relation.trim()).ok_or_else(|| {
        let allowed: Vec<String> = state.policy.near_relative_relations().iter().map(|r| format!("{}（{}）", r.as_str(), r.label_zh())).collect();
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "unknown_relation", format!("近亲属关系须为：{}", allowed.join("、"))).with_field("relation")
    })?;
    let declarant = req.declarant_user_id.unwrap_or(caller.user_id);
    let mut tx = state.db.begin().await?;
    let row = sqlx::query("SELECT o.path FROM users u JOIN org_units o ON o.code = u.org_code WHERE u.id = $1")
        .bind(declarant.to_string())
        .fetch_optional(tx.conn())
        .await?
        .ok_or_else(|| ApiError::not_found("申报人").with_field("declarant_user_id"))?;
    let path: String = row.try_get("path")?;
    if declarant != caller.user_id {
        caller.require(|r| matches!(r, Role::Admin | Role::TownshipReviewer | Role::DistrictSupervisor))?;
        if !caller.scope().contains(&path) {
            return Err(ApiError::out_of_scope());
        }
    }
    let exists = sqlx::query("SELECT id FROM near_relative_declarations WHERE declarant_user_id = $1 AND relative_resident_id = $2")
        .bind(declarant.to_string())
        .bind(rid.as_str())
        .fetch_optional(tx.conn())
        .await?;
    if exists.is_some() {
        return Err(ApiError::new(StatusCode::CONFLICT, "declaration_exists", "该近亲属已申报过"));
    }
    let id = Uuid::new_v4();
    let now = state.db.now();
    sqlx::query(
        "INSERT INTO near_relative_declarations (id, declarant_user_id, relative_resident_id, relation, org_path, declared_by, declared_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id.to_string())
    .bind(declarant.to_string())
    .bind(rid.as_str())
    .bind(relation.as_str())
    .bind(&path)
    .bind(caller.user_id.to_string())
    .bind(ts(now))
    .execute(tx.conn())
    .await?;
    let entry = caller
        .audit("near_relative.declare", "near_relative_declaration", id, Some(&path))
        .with_detail(json!({ "declarant": declarant, "relation": relation, "relative_resident_id": rid.masked() }));
    audit::record(&mut tx, entry).await?;
    let view = DeclarationView {
        id,
        declarant: users::person(tx.conn(), declarant).await?,
        relative_resident_id_masked: rid.masked(),
        relation,
        relation_label: relation.label_zh().into(),
        declared_at: now,
    };
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(get, path = "/api/v1/near-relatives", tag = "workflow", security(("bearer" = [])),
    description = "Near-relative declarations of staff in the caller's scope (IDs masked).",
    responses((status = 200, body = Vec<DeclarationView>)))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<DeclarationView>>> {
    let scope = caller.scope();
    let sql = format!(
        "SELECT id, declarant_user_id, relative_resident_id, relation, declared_at FROM near_relative_declarations WHERE {} ORDER BY declared_at, id",
        scope.condition("org_path", 1)
    );
    let mut conn = state.db.pool.acquire().await?;
    let rows = scope.bind(sqlx::query(&sql)).fetch_all(&mut *conn).await?;
    let mut out = Vec::new();
    for r in rows {
        let relation: String = r.try_get("relation")?;
        let Some(relation) = Relation::parse(&relation) else { continue };
        out.push(DeclarationView {
            id: parse_uuid(&r.try_get::<String, _>("id")?)?,
            declarant: users::person_str(&mut conn, &r.try_get::<String, _>("declarant_user_id")?).await?,
            relative_resident_id_masked: mask(&r.try_get::<String, _>("relative_resident_id")?),
            relation,
            relation_label: relation.label_zh().into(),
            declared_at: parse_ts(&r.try_get::<String, _>("declared_at")?)?,
        });
    }
    Ok(Json(out))
}

/// Refuses investigators who declared a near relative among the case household's co-resident members.
pub async fn refuse_related_investigators(
    conn: &mut AnyConnection,
    policy: &ruhu_core::policy::Policy,
    household_id: Uuid,
    investigators: &[Uuid],
) -> ApiResult<()> {
    let matches = case_state::relative_matches(conn, household_id, policy).await?;
    if let Some(m) = matches.iter().find(|m| investigators.contains(&m.declarant)) {
        let name = users::person(conn, m.declarant).await?.display_name;
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "near_relative_investigator",
            format!("{name}已申报与该家庭成员{}存在近亲属关系（{}），须回避，不能安排其调查本案", m.member_name, m.relation.label_zh()),
        )
        .with_field("investigator_ids"));
    }
    Ok(())
}
