//! A published form version, for any signed-in user: the console needs the labels and choices to show a visit's
//! answers. Form definitions hold no personal data.

use axum::{Json, extract::State, http::StatusCode};
use ruhu_core::{form::FormDefinition, protocol::Problem};

use crate::{
    auth::Caller,
    error::{ApiError, ApiPath, ApiResult},
    forms,
    state::AppState,
};

#[utoipa::path(get, path = "/api/v1/forms/{id}/{version}", tag = "forms", security(("bearer" = [])),
    params(("id" = String, Path, description = "form id, e.g. dibao-home-visit"), ("version" = u32, Path, description = "published version")),
    description = "A published form definition (questions, labels, choices), e.g. to label a visit's answers.",
    responses((status = 200, body = FormDefinition), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get(State(state): State<AppState>, _caller: Caller, ApiPath((id, version)): ApiPath<(String, u32)>) -> ApiResult<Json<FormDefinition>> {
    let mut conn = state.db.pool.acquire().await?;
    forms::load(&mut conn, &id, version)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("调查表 {id} 第 {version} 版不存在或尚未发布")))
}
