//! Administrators keep the villages and communities under their townships: the real ones (the district's and
//! townships' are seeded), added with their official code, renamed, or retired when merged or abolished (a retired
//! one keeps its households and takes no new ones). Every change is audited with the administrator.

use axum::{Json, extract::State, http::StatusCode};
use ruhu_core::{
    org::{OrgLevel, OrgUnit, child_path},
    protocol::Problem,
    roles::Role,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{
    access::{
        caller::Caller,
        org::{self, OrgUnitView},
    },
    app::state::AppState,
    store::{
        audit,
        db::ts,
        error::{ApiError, ApiJson, ApiPath, ApiResult},
    },
};

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewVillage {
    /// The township (or subdistrict) it belongs to.
    pub township_code: String,
    /// The official 12-digit code (统计用区划代码), beginning with the township's.
    pub code: String,
    /// e.g. 龙井村, 花溪社区.
    pub name: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct RenameVillage {
    pub name: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct RetireVillage {
    /// e.g. 并入龙井村（花府函〔2025〕12号）.
    pub reason: String,
}

fn invalid(code: &'static str, field: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message).with_field(field)
}

fn checked_name(name: &str) -> ApiResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 40 {
        return Err(invalid("invalid_name", "name", "请填写村（社区）名称，不超过40个字"));
    }
    Ok(name.to_string())
}

/// A village or community in the caller's scope, for an administrator to change.
async fn village_for_change(state: &AppState, caller: &Caller, code: &str) -> ApiResult<OrgUnit> {
    caller.require(|r| r == Role::Admin)?;
    let mut conn = state.db.pool.acquire().await?;
    let unit = org::get(&mut conn, code).await?.ok_or_else(|| ApiError::not_found("村（社区）"))?;
    drop(conn);
    caller.guard(state, "org_unit", &unit.code, &unit.path).await?;
    if unit.level != OrgLevel::Village {
        return Err(ApiError::new(StatusCode::CONFLICT, "not_a_village", "区和乡镇（街道）按区划设定，只能调整村（社区）"));
    }
    Ok(unit)
}

#[utoipa::path(post, path = "/api/v1/org-units", tag = "org", security(("bearer" = [])), request_body = NewVillage,
    description = "Administrators: adds a village or community under a township in their scope, with its official code. Audited.",
    responses((status = 201, body = OrgUnitView), (status = 403, body = Problem, description = "forbidden_role, out_of_scope"),
              (status = 409, body = Problem, description = "org_unit_exists"),
              (status = 422, body = Problem, description = "unknown_township, invalid_code, invalid_name")))]
pub async fn create(State(state): State<AppState>, caller: Caller, ApiJson(req): ApiJson<NewVillage>) -> ApiResult<(StatusCode, Json<OrgUnitView>)> {
    caller.require(|r| r == Role::Admin)?;
    let name = checked_name(&req.name)?;
    let code = req.code.trim();
    let mut conn = state.db.pool.acquire().await?;
    let township = org::get(&mut conn, req.township_code.trim()).await?.filter(|u| u.level == OrgLevel::Township);
    drop(conn);
    let Some(township) = township else {
        return Err(invalid("unknown_township", "township_code", "所选乡镇（街道）不存在"));
    };
    // Before the transaction: a refusal out of scope is audited on its own.
    caller.guard(&state, "org_unit", &township.code, &township.path).await?;
    let mut tx = state.db.begin().await?;
    if code.len() != 12 || !code.bytes().all(|b| b.is_ascii_digit()) || !code.starts_with(&township.code) {
        return Err(invalid("invalid_code", "code", format!("村（社区）代码须为12位数字，并以所属乡镇（街道）代码{}开头", township.code)));
    }
    if org::get(tx.conn(), code).await?.is_some() {
        return Err(ApiError::new(StatusCode::CONFLICT, "org_unit_exists", format!("代码{code}已登记")).with_field("code"));
    }
    let unit = OrgUnit {
        code: code.into(),
        name,
        level: OrgLevel::Village,
        parent_code: Some(township.code.clone()),
        path: child_path(&township.path, code),
        demo: false,
        retired: false,
    };
    org::upsert(tx.conn(), &unit).await?;
    let entry = caller.audit("org.create", "org_unit", &unit.code, Some(&unit.path)).with_detail(json!({ "name": unit.name }));
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(unit.into())))
}

#[utoipa::path(put, path = "/api/v1/org-units/{code}", tag = "org", security(("bearer" = [])), request_body = RenameVillage,
    params(("code" = String, Path, description = "the village's code")),
    description = "Administrators: renames a village or community in their scope. Audited with the old and new names.",
    responses((status = 200, body = OrgUnitView), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem, description = "not_a_village"), (status = 422, body = Problem, description = "invalid_name")))]
pub async fn rename(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
    ApiJson(req): ApiJson<RenameVillage>,
) -> ApiResult<Json<OrgUnitView>> {
    let unit = village_for_change(&state, &caller, &code).await?;
    let name = checked_name(&req.name)?;
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE org_units SET name = $1 WHERE code = $2").bind(&name).bind(&unit.code).execute(tx.conn()).await?;
    let entry = caller.audit("org.rename", "org_unit", &unit.code, Some(&unit.path)).with_detail(json!({ "from": unit.name, "to": name }));
    audit::record(&mut tx, entry).await?;
    let renamed = org::get(tx.conn(), &unit.code).await?.ok_or_else(ApiError::internal)?;
    tx.commit().await?;
    Ok(Json(renamed.into()))
}

#[utoipa::path(post, path = "/api/v1/org-units/{code}/retire", tag = "org", security(("bearer" = [])), request_body = RetireVillage,
    params(("code" = String, Path, description = "the village's code")),
    description = "Administrators: retires a merged or abolished village or community: its households and cases stay, no new \
        household is registered in it. Audited with the reason.",
    responses((status = 200, body = OrgUnitView), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem, description = "not_a_village, already_retired"), (status = 422, body = Problem, description = "reason_required")))]
pub async fn retire(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
    ApiJson(req): ApiJson<RetireVillage>,
) -> ApiResult<Json<OrgUnitView>> {
    let unit = village_for_change(&state, &caller, &code).await?;
    let reason = req.reason.trim();
    if reason.is_empty() {
        return Err(invalid("reason_required", "reason", "请填写撤销原因（如并入的村、文件）"));
    }
    if unit.retired {
        return Err(ApiError::new(StatusCode::CONFLICT, "already_retired", format!("{}已撤销", unit.name)));
    }
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE org_units SET retired_at = $1, retired_reason = $2 WHERE code = $3")
        .bind(ts(tx.now()))
        .bind(reason)
        .bind(&unit.code)
        .execute(tx.conn())
        .await?;
    let entry = caller.audit("org.retire", "org_unit", &unit.code, Some(&unit.path)).with_detail(json!({ "name": unit.name, "reason": reason }));
    audit::record(&mut tx, entry).await?;
    let retired = org::get(tx.conn(), &unit.code).await?.ok_or_else(ApiError::internal)?;
    tx.commit().await?;
    Ok(Json(retired.into()))
}
