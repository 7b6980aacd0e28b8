//! The household desk: registering a household with its members, the masked list, and the full record (audited).

use axum::{Json, extract::State, http::StatusCode};
use ruhu_core::{
    org::{OrgLevel, OrgUnit},
    protocol::Problem,
};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::{
    access::{caller::Caller, org},
    app::state::AppState,
    records::households::{self, Household, HouseholdRecord, HouseholdSummary, NewHousehold},
    store::{
        audit,
        db::Tx,
        error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult},
    },
};

#[utoipa::path(post, path = "/api/v1/households", tag = "households", security(("bearer" = [])), request_body = NewHousehold,
    description = "Registers a household and its members. Resident IDs are checked (GB 11643) and must not be registered \
                   in any household of the district yet.",
    responses((status = 201, body = HouseholdRecord),
              (status = 403, body = Problem, description = "forbidden_role, out_of_scope"),
              (status = 409, body = Problem, description = "duplicate_resident_id"),
              (status = 422, body = Problem, description = "invalid_resident_id, invalid_field, unknown_village, invalid_location")))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<NewHousehold>,
) -> ApiResult<(StatusCode, Json<HouseholdRecord>)> {
    let village = village_for_registration(&state, &caller, &req.village_code).await?;
    let mut tx = state.db.begin().await?;
    let household = register(&mut tx, &caller, &village, &req).await?;
    let record = household.record(tx.conn()).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(record)))
}

/// The village a household is to be registered in, for a caller who may register households there (a refusal out of
/// scope is audited, so this runs before the registration's transaction).
pub async fn village_for_registration(state: &AppState, caller: &Caller, village_code: &str) -> ApiResult<OrgUnit> {
    caller.require(|r| r.may_manage_cases())?;
    let mut conn = state.db.pool.acquire().await?;
    let village = org::get(&mut conn, village_code.trim()).await?.filter(|u| u.level == OrgLevel::Village);
    drop(conn);
    let Some(village) = village else {
        return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "unknown_village", "所选村（社区）不存在").with_field("village_code"));
    };
    if village.retired {
        return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "village_retired", format!("{}已撤销，不能再登记家庭", village.name))
            .with_field("village_code"));
    }
    caller.guard(state, "org_unit", &village.code, &village.path).await?;
    Ok(village)
}

/// Registers a household with its members in `village` inside `tx` (checked and audited); see `create`.
pub async fn register(tx: &mut Tx, caller: &Caller, village: &OrgUnit, req: &NewHousehold) -> ApiResult<Household> {
    let checked = households::check(req)?;
    let id = households::insert(tx, village, &checked, caller.user_id, village.demo).await?;
    let masked: Vec<String> = checked.members.iter().map(|(_, rid, _)| rid.masked()).collect();
    let entry = caller.audit("household.create", "household", id, Some(&village.path)).with_detail(json!({ "members": masked }));
    audit::record(tx, entry).await?;
    households::load(tx.conn(), id).await?.ok_or_else(ApiError::internal)
}

#[utoipa::path(get, path = "/api/v1/households", tag = "households", security(("bearer" = [])), params(ListQuery),
    description = "Households in the caller's scope; resident IDs masked.",
    responses((status = 200, body = Vec<HouseholdSummary>)))]
pub async fn list(State(state): State<AppState>, caller: Caller, ApiQuery(q): ApiQuery<ListQuery>) -> ApiResult<Json<Vec<HouseholdSummary>>> {
    let scope = caller.scope();
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let offset = q.offset.unwrap_or(0).max(0);
    let mut sql = format!("{} WHERE {}", households::SELECT, scope.condition("org_path", 1));
    if q.village_code.is_some() {
        sql.push_str(" AND village_code = $5");
    }
    sql.push_str(" ORDER BY created_at DESC, id LIMIT $3 OFFSET $4");
    let mut query = scope.bind(sqlx::query(&sql)).bind(limit).bind(offset);
    if let Some(v) = q.village_code {
        query = query.bind(v);
    }
    let mut conn = state.db.pool.acquire().await?;
    let rows = query.fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(households::from_row(&mut conn, &row).await?.summary());
    }
    Ok(Json(out))
}

#[utoipa::path(get, path = "/api/v1/households/{id}", tag = "households", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "household id")),
    description = "The full household record with resident IDs. Audited.",
    responses((status = 200, body = HouseholdRecord), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<HouseholdRecord>> {
    let mut conn = state.db.pool.acquire().await?;
    let household = households::load(&mut conn, id).await?.ok_or_else(|| ApiError::not_found("家庭"))?;
    if !caller.scope().contains(&household.org_path) {
        drop(conn);
        return caller.guard(&state, "household", &id.to_string(), &household.org_path).await.and(Err(ApiError::out_of_scope()));
    }
    let record = household.record(&mut conn).await?;
    drop(conn);
    audit::record_alone(&state.db, caller.audit("household.read", "household", id, Some(&household.org_path))).await?;
    Ok(Json(record))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Only households of this village.
    pub village_code: Option<String>,
    /// Default 100, at most 500.
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}
